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
 * 1.2 unless configured otherwise.  The client certificate is required and
 * verified against pki.ca_pem, with pki.crl_pem (X509_V_FLAG_CRL_CHECK)
 * when present.  MSK = TLS-PRF(master, "client EAP encryption",
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
	SSL_CTX		*ctx;
	SSL		*ssl;
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
	SSL_CTX_free(t->ctx);
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

/* Our certificate + chain and key, the CA store and CRLs. */
static SSL_CTX *
tls_ctx_new(struct eap_session *s)
{
	const struct rg_pki	*pki = &eap_session_cfg(s)->pki;
	SSL_CTX			*ctx = NULL;
	BIO			*b = NULL;
	X509			*x = NULL;
	X509_CRL		*crl;
	EVP_PKEY		*key = NULL;
	X509_STORE		*store;
	int			 ncrl = 0, nca = 0;

	if (pki->server_cert_pem == NULL || pki->server_key_pem == NULL ||
	    pki->ca_pem == NULL) {
		eap_session_fail(s, "EAP-TLS: no server certificate, key or CA "
		    "configured");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto err;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

	/* Leaf first, then the chain. */
	if ((b = BIO_new_mem_buf(pki->server_cert_pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_certificate(ctx, x) != 1)
		goto err;
	X509_free(x);
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1)
			goto err;
	}
	x = NULL;
	BIO_free(b);
	if ((b = BIO_new_mem_buf(pki->server_key_pem, -1)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto err;
	EVP_PKEY_free(key);
	key = NULL;
	BIO_free(b);

	store = SSL_CTX_get_cert_store(ctx);
	if ((b = BIO_new_mem_buf(pki->ca_pem, -1)) == NULL)
		goto err;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(store, x) != 1 ||
		    SSL_CTX_add_client_CA(ctx, x) != 1)
			goto err;
		X509_free(x);
		nca++;
	}
	BIO_free(b);
	b = NULL;
	if (nca == 0)
		goto err;
	if (pki->crl_pem && *pki->crl_pem) {
		if ((b = BIO_new_mem_buf(pki->crl_pem, -1)) == NULL)
			goto err;
		while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
			X509_STORE_add_crl(store, crl);
			X509_CRL_free(crl);
			ncrl++;
		}
		BIO_free(b);
		b = NULL;
		if (ncrl == 0)
			goto err;
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	ERR_clear_error();
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	return ctx;
err:
	ERR_clear_error();
	eap_session_fail(s, "EAP-TLS: cannot load our certificate, key, CA "
	    "or CRL");
	X509_free(x);
	EVP_PKEY_free(key);
	BIO_free(b);
	SSL_CTX_free(ctx);
	return NULL;
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

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->ctx = tls_ctx_new(s)) == NULL ||
	    (t->ssl = SSL_new(t->ctx)) == NULL ||
	    (t->rbio = BIO_new(BIO_s_mem())) == NULL)
		goto err;
	if ((t->wbio = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(t->rbio);
		goto err;
	}
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	SSL_set_app_data(t->ssl, t);
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

/* Subject alternative name rfc822 / DNS, else the subject CN. */
static int
set_user_from_cert(struct eap_session *s, X509 *cert)
{
	GENERAL_NAMES	*sans;
	GENERAL_NAME	*gn;
	const unsigned char *p = NULL;
	unsigned char	*cn = NULL;
	X509_NAME	*subj;
	int		 i, len = 0, rc, idx;

	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; sans && i < sk_GENERAL_NAME_num(sans) && p == NULL; i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type == GEN_EMAIL || gn->type == GEN_DNS) {
			p = ASN1_STRING_get0_data(gn->d.ia5);
			len = ASN1_STRING_length(gn->d.ia5);
		}
	}
	if (p == NULL) {
		subj = X509_get_subject_name(cert);
		idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
		if (idx >= 0 && (len = ASN1_STRING_to_UTF8(&cn,
		    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)))) >
		    0)
			p = cn;
	}
	rc = (p && len > 0) ? eap_session_set_user(s, (const char *)p,
	    (size_t)len) : -1;
	OPENSSL_free(cn);
	GENERAL_NAMES_free(sans);
	return rc;
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
		if (peer == NULL || set_user_from_cert(s, peer) < 0) {
			eap_session_fail(s, "EAP-TLS: no usable name in the "
			    "client certificate");
			return EAP_M_FAIL;
		}
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
