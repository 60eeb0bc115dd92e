/*
 * eap_tls.c: EAP-TLS server (RFC 5216) on OpenSSL through memory BIOs.
 *
 * Packet (2.1.5/3.1): Flags (L 0x80 length included, M 0x40 more
 * fragments, S 0x20 start), TLS Message Length (4 bytes, when L), data.
 * We fragment our flights at EAP_TLS_FRAG bytes so IKE messages stay
 * small; the peer ACKs each fragment with an empty response (2.1.5), and
 * we ACK the peer's fragments with an empty request.
 *
 * TLS is capped at 1.2: RFC 9190 (EAP-TLS 1.3) needs a commitment message
 * and a different key export, and strongSwan's eap-tls client negotiates
 * 1.2 unless configured otherwise.  The TLS context, our key and the
 * client-certificate checks (chain, CRL failing closed, client EKU) come
 * from the credential module (cred_tls_ctx); once the handshake is done
 * the certificate must map to an enabled user (cred_peer_user).
 * MSK = TLS-PRF(master, "client EAP encryption",
 * client.random || server.random)[0..63] (2.3), which is what
 * SSL_export_keying_material() gives without a context for TLS 1.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cred.h"
#include "eap_int.h"
#include "rg_log.h"

#define EAP_TLS_FLAG_L		0x80
#define EAP_TLS_FLAG_M		0x40
#define EAP_TLS_FLAG_S		0x20
#define EAP_TLS_FRAG		1000	/* data bytes per EAP-TLS packet */
#define EAP_TLS_MAX_MSG		65536	/* reassembled flight bound */
#define EAP_TLS_MSK_LEN		64
static const char	 msk_label[] = "client EAP encryption";

enum tls_state {
	TLS_HANDSHAKE,		/* flights going back and forth */
	TLS_FINISHED,		/* our last flight sent; wait for its ACK */
	TLS_ALERT,		/* our alert sent; EAP-Failure next */
};

struct eap_tls {
	enum tls_state	 state;
	SSL		*ssl;		/* holds a reference to cred's SSL_CTX */
	BIO		*rbio, *wbio;	/* owned by ssl */
	struct rg_buf	*out;		/* our flight being fragmented */
	size_t		 out_off;
	uint8_t		*in;		/* peer's flight being reassembled */
	size_t		 in_len, in_cap;
	size_t		 in_total;	/* from the L field, 0 if none */
	char		 verr[200];	/* certificate verification failure */
	uint8_t		 msk[EAP_TLS_MSK_LEN];	/* wiped */
	bool		 have_msk;
};

static void
tls_free(void *state)
{
	struct eap_tls	*t = state;

	if (t == NULL)
		return;
	SSL_free(t->ssl);
	rg_buf_free(t->out);
	if (t->in) {
		OPENSSL_cleanse(t->in, t->in_cap);
		free(t->in);
	}
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/* Remember why the leaf failed verification, with its subject. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL		*ssl;
	struct eap_tls	*t;
	X509		*cert;
	char		 subj[120];

	if (ok)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (t = SSL_get_app_data(ssl)) == NULL ||
	    t->verr[0] != '\0')
		return ok;
	cert = X509_STORE_CTX_get0_cert(x);
	subj[0] = '\0';
	if (cert)
		X509_NAME_oneline(X509_get_subject_name(cert), subj,
		    sizeof(subj));
	snprintf(t->verr, sizeof(t->verr), "client certificate %s: %s",
	    subj[0] ? subj : "(none)",
	    X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return ok;
}

/* The snapshot's TLS context (cred.h): our certificate, chain and key,
 * the CA store and CRLs, the client-certificate checks. */
static SSL_CTX *
tls_ctx(struct eap_session *s)
{
	const struct rg_pki	*pki = &eap_session_cfg(s)->pki;
	SSL_CTX			*ctx;

	if (pki->server_cert_pem == NULL || pki->server_key_pem == NULL ||
	    pki->ca_pem == NULL) {
		eap_session_fail(s, "EAP-TLS: no server certificate, key or CA "
		    "configured");
		return NULL;
	}
	if ((ctx = cred_tls_ctx(cred_of(eap_session_cfg(s)))) == NULL)
		eap_session_fail(s, "EAP-TLS: cannot load our certificate, key "
		    "or CA");
	return ctx;
}

/* An EAP-TLS type-data: Flags [Length] data. */
static struct rg_buf *
tls_packet(uint8_t flags, uint32_t total, const uint8_t *data, size_t len)
{
	struct rg_buf	*b;
	struct rg_wr	 w;

	if ((b = rg_buf_new(1 + ((flags & EAP_TLS_FLAG_L) ? 4 : 0) + len)) ==
	    NULL)
		return NULL;
	rg_wr_init(&w, b->data, b->len);
	rg_wr_u8(&w, flags);
	if (flags & EAP_TLS_FLAG_L)
		rg_wr_u32(&w, total);
	if (len)
		rg_wr_bytes(&w, data, len);
	if (w.err) {
		rg_buf_free(b);
		return NULL;
	}
	return b;
}

/* The next fragment of t->out. */
static struct rg_buf *
next_fragment(struct eap_tls *t)
{
	size_t	 left = t->out->len - t->out_off, n = left;
	uint8_t	 flags = 0;
	struct rg_buf	*b;

	if (left > EAP_TLS_FRAG) {
		n = EAP_TLS_FRAG;
		flags |= EAP_TLS_FLAG_M;
		if (t->out_off == 0)
			flags |= EAP_TLS_FLAG_L;
	}
	b = tls_packet(flags, (uint32_t)t->out->len, t->out->data + t->out_off,
	    n);
	t->out_off += n;
	if (t->out_off == t->out->len) {
		rg_buf_free(t->out);
		t->out = NULL;
		t->out_off = 0;
	}
	return b;
}

/* Everything OpenSSL wrote becomes our next flight. */
static int
take_output(struct eap_tls *t)
{
	size_t	 n = (size_t)BIO_ctrl_pending(t->wbio);

	if (n == 0)
		return 0;
	rg_buf_free(t->out);
	if ((t->out = rg_buf_new(n)) == NULL)
		return -1;
	if (BIO_read(t->wbio, t->out->data, (int)n) != (int)n)
		return -1;
	t->out_off = 0;
	return 1;
}

static void *
tls_start(struct eap_session *s, struct rg_buf **req)
{
	struct eap_tls	*t;
	SSL_CTX		*ctx;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((ctx = tls_ctx(s)) == NULL || (t->ssl = SSL_new(ctx)) == NULL ||
	    (t->rbio = BIO_new(BIO_s_mem())) == NULL)
		goto err;
	if ((t->wbio = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(t->rbio);
		goto err;
	}
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	SSL_set_app_data(t->ssl, t);
	SSL_set_verify(t->ssl, SSL_get_verify_mode(t->ssl), verify_cb);
	SSL_set_accept_state(t->ssl);
	/* RFC 5216 2.1.1: EAP-TLS Start, no data. */
	if ((*req = tls_packet(EAP_TLS_FLAG_S, 0, NULL, 0)) == NULL)
		goto err;
	t->state = TLS_HANDSHAKE;
	return t;
err:
	ERR_clear_error();
	tls_free(t);
	return NULL;
}

/* The user record the certificate maps to (cred.h): e-mail/DNS SAN,
 * else the CN; present and enabled. */
static int
set_user_from_cert(struct eap_session *s, X509 *cert)
{
	char	 user[CRED_USER_MAX], why[200], subj[120];

	if (cred_peer_user(cred_of(eap_session_cfg(s)), cert, NULL, user, why,
	    sizeof(why)) < 0) {
		X509_NAME_oneline(X509_get_subject_name(cert), subj,
		    sizeof(subj));
		eap_session_fail(s, "client certificate %s: %s (EAP-TLS)", subj,
		    why);
		return -1;
	}
	return eap_session_set_user(s, user, strlen(user));
}

/* Reassemble one EAP-TLS response; 1 when the flight is whole. */
static int
reassemble(struct eap_session *s, struct eap_tls *t, uint8_t flags,
    uint32_t total, const uint8_t *data, size_t len)
{
	size_t	 need;

	if (flags & EAP_TLS_FLAG_L) {
		if (total == 0 || total > EAP_TLS_MAX_MSG ||
		    (t->in_total && total != t->in_total)) {
			eap_session_fail(s, "EAP-TLS: bad TLS Message Length "
			    "%u", total);
			return -1;
		}
		t->in_total = total;
	}
	need = t->in_len + len;
	if (need > EAP_TLS_MAX_MSG || (t->in_total && need > t->in_total)) {
		eap_session_fail(s, "EAP-TLS: peer flight too long");
		return -1;
	}
	if (need > t->in_cap) {
		size_t	 cap = t->in_total ? t->in_total : EAP_TLS_MAX_MSG;
		uint8_t	*n = malloc(cap);

		if (n == NULL)
			return -1;
		if (t->in) {
			memcpy(n, t->in, t->in_len);
			OPENSSL_cleanse(t->in, t->in_cap);
			free(t->in);
		}
		t->in = n;
		t->in_cap = cap;
	}
	if (len)
		memcpy(t->in + t->in_len, data, len);
	t->in_len = need;
	return (flags & EAP_TLS_FLAG_M) ? 0 : 1;
}

/* A whole peer flight: run the handshake, queue our answer. */
static enum eap_mstatus
run_handshake(struct eap_session *s, struct eap_tls *t, struct rg_buf **req)
{
	int	 r, err, out;
	X509	*peer;

	if (t->in_total && t->in_len != t->in_total) {
		eap_session_fail(s, "EAP-TLS: flight of %zu bytes, Length said "
		    "%zu", t->in_len, t->in_total);
		return EAP_M_FAIL;
	}
	if (BIO_write(t->rbio, t->in, (int)t->in_len) != (int)t->in_len)
		return EAP_M_FAIL;
	OPENSSL_cleanse(t->in, t->in_len);
	t->in_len = 0;
	t->in_total = 0;

	r = SSL_do_handshake(t->ssl);
	err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
	if ((out = take_output(t)) < 0)
		return EAP_M_FAIL;
	if (r == 1) {
		peer = SSL_get0_peer_certificate(t->ssl);
		if (peer == NULL) {
			eap_session_fail(s, "EAP-TLS: no client certificate");
			return EAP_M_FAIL;
		}
		if (set_user_from_cert(s, peer) < 0)
			return EAP_M_FAIL;
		if (SSL_export_keying_material(t->ssl, t->msk, sizeof(t->msk),
		    msk_label, sizeof(msk_label) - 1, NULL, 0, 0) != 1) {
			eap_session_fail(s, "EAP-TLS: key export failed");
			return EAP_M_FAIL;
		}
		t->have_msk = true;
		rg_info(IKE, "eap-tls: peer %s: %s with %s, user %s",
		    eap_session_peer(s), SSL_get_version(t->ssl),
		    SSL_get_cipher_name(t->ssl), eap_session_user(s));
		if (out == 0)	/* nothing left to say (not for TLS 1.2) */
			return EAP_M_DONE;
		t->state = TLS_FINISHED;
		return (*req = next_fragment(t)) ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	if (err == SSL_ERROR_WANT_READ) {
		if (out == 0) {
			/* Nothing to send: ACK so the peer goes on. */
			*req = tls_packet(0, 0, NULL, 0);
			return *req ? EAP_M_REQUEST : EAP_M_FAIL;
		}
		return (*req = next_fragment(t)) ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	if (t->verr[0])
		eap_session_fail(s, "%s (EAP-TLS)", t->verr);
	else {
		char	 e[160];

		ERR_error_string_n(ERR_peek_last_error(), e, sizeof(e));
		eap_session_fail(s, "TLS handshake failed: %s (EAP-TLS)", e);
	}
	ERR_clear_error();
	if (out > 0) {
		/* RFC 5216 2.1.3: send the alert, then EAP-Failure. */
		t->state = TLS_ALERT;
		return (*req = next_fragment(t)) ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	return EAP_M_FAIL;
}

static enum eap_mstatus
tls_process(struct eap_session *s, void *state, const uint8_t *data,
    size_t dlen, struct rg_buf **req)
{
	struct eap_tls	*t = state;
	struct rg_rd	 r, rest;
	uint8_t		 flags;
	uint32_t	 total = 0;
	int		 whole;

	rg_rd_init(&r, data, dlen);
	rg_rd_u8(&r, &flags);
	if (flags & EAP_TLS_FLAG_L)
		rg_rd_u32(&r, &total);
	rest = rg_rd_rest(&r);
	if (r.err) {
		eap_session_fail(s, "EAP-TLS: malformed response");
		return EAP_M_FAIL;
	}
	/* Mid-flight of ours: the peer must ACK (empty, no flags). */
	if (t->out) {
		if (rg_rd_left(&rest) != 0 || flags != 0) {
			eap_session_fail(s, "EAP-TLS: expected an ACK of our "
			    "fragment");
			return EAP_M_FAIL;
		}
		return (*req = next_fragment(t)) ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	switch (t->state) {
	case TLS_FINISHED:
		/* RFC 5216 2.1.1: the peer ACKs our Finished. */
		if (rg_rd_left(&rest) != 0) {
			eap_session_fail(s, "EAP-TLS: data after Finished");
			return EAP_M_FAIL;
		}
		return EAP_M_DONE;
	case TLS_ALERT:
		return EAP_M_FAIL;
	default:
		break;
	}
	if (rg_rd_left(&rest) == 0 && !(flags & EAP_TLS_FLAG_M)) {
		/* An ACK with nothing pending: the peer gave up (alert?). */
		if (t->in_len == 0) {
			eap_session_fail(s, "EAP-TLS: peer stopped the TLS "
			    "handshake (does it trust our certificate?)");
			return EAP_M_FAIL;
		}
	}
	whole = reassemble(s, t, flags, total, rest.cur, rg_rd_left(&rest));
	if (whole < 0)
		return EAP_M_FAIL;
	if (whole == 0) {
		/* 2.1.5: ACK the peer's fragment with an empty request. */
		*req = tls_packet(0, 0, NULL, 0);
		return *req ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	return run_handshake(s, t, req);
}

static struct rg_buf *
tls_msk(void *state)
{
	struct eap_tls	*t = state;

	return t->have_msk ? rg_buf_dup(t->msk, sizeof(t->msk)) : NULL;
}

const struct eap_method eap_method_tls = {
	.type = EAP_TYPE_TLS,
	.name = "EAP-TLS",
	.start = tls_start,
	.process = tls_process,
	.msk = tls_msk,
	.free = tls_free,
};
