/*
 * eap_peer.c: test-only EAP peers and test PKI (see eap_peer.h).
 *
 * The MS-CHAPv2 peer computes its side from RFC 2759 8.1 and 8.7 and its
 * MSK from the client's view of RFC 3079 (MasterSendKey on the client is
 * Magic2, receive is Magic3: MSK = send || receive || 0^32), so it checks
 * the server's derivation from the other end.  The TLS peer is an OpenSSL
 * client on memory BIOs with its own EAP-TLS fragmentation (smaller
 * fragments than the server's, L flag on the first).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "auth.h"
#include "eap_int.h"
#include "eap_peer.h"
#include "rg_loop.h"
#include "rg_mschap.h"

#define PEER_FRAG	600

enum peer_kind { PK_MSCHAPV2, PK_TLS };

struct eap_peer {
	enum peer_kind	 kind;
	char		*identity, *name, *password;
	uint8_t		 auth_chal[16], peer_chal[16], nt_resp[24];
	char		 expect_auth[RG_MSCHAP_AUTHRESP_LEN + 1];
	uint8_t		 msk[64];
	bool		 have_msk;
	char		 note[256];
	/* TLS */
	SSL_CTX		*ctx;
	SSL		*ssl;
	BIO		*rbio, *wbio;
	uint8_t		*in;
	size_t		 in_len;
	uint8_t		*out;
	size_t		 out_len, out_off;
	unsigned int	 frags;
};

static struct rg_buf *
resp(uint8_t id, uint8_t type, const void *data, size_t dlen)
{
	struct rg_buf	*b = rg_buf_new(5 + dlen);

	b->data[0] = 2;
	b->data[1] = id;
	rg_put_u16(b->data + 2, (uint16_t)(5 + dlen));
	b->data[4] = type;
	if (dlen)
		memcpy(b->data + 5, data, dlen);
	return b;
}

struct eap_peer *
eap_peer_mschapv2(const char *identity, const char *name, const char *password)
{
	struct eap_peer	*p = calloc(1, sizeof(*p));

	p->kind = PK_MSCHAPV2;
	p->identity = strdup(identity);
	p->name = strdup(name);
	p->password = strdup(password);
	return p;
}

struct eap_peer *
eap_peer_tls(const char *identity, SSL_CTX *ctx)
{
	struct eap_peer	*p = calloc(1, sizeof(*p));

	p->kind = PK_TLS;
	p->identity = strdup(identity);
	SSL_CTX_up_ref(ctx);
	p->ctx = ctx;
	return p;
}

void
eap_peer_free(struct eap_peer *p)
{
	if (p == NULL)
		return;
	free(p->identity);
	free(p->name);
	free(p->password);
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	free(p->in);
	free(p->out);
	free(p);
}

const uint8_t *
eap_peer_msk(const struct eap_peer *p)
{
	return p->have_msk ? p->msk : NULL;
}

const char *
eap_peer_note(const struct eap_peer *p)
{
	return p->note;
}

unsigned int
eap_peer_frags(const struct eap_peer *p)
{
	return p->frags;
}

static enum eap_peer_rc
mschapv2(struct eap_peer *p, uint8_t id, const uint8_t *d, size_t n,
    struct rg_buf **out)
{
	uint8_t	 body[4 + 1 + 49 + 256], nt_hash[16], mk[16], hh[16];
	size_t	 nlen = strlen(p->name), tlen;
	const char *user;
	size_t	 ulen;

	if (n < 4)
		return PEER_ERROR;
	switch (d[0]) {
	case 1:	/* Challenge */
		if (n < 5 + 16 || d[4] != 16 || rg_get_u16(d + 2) != n)
			return PEER_ERROR;
		memcpy(p->auth_chal, d + 5, 16);
		RAND_bytes(p->peer_chal, 16);
		rg_mschap_nt_hash(p->password, nt_hash);
		user = rg_mschap_user_part(p->name, nlen, &ulen);
		rg_mschap_nt_response(p->auth_chal, p->peer_chal, user, ulen,
		    nt_hash, p->nt_resp);
		rg_mschap_auth_response(nt_hash, p->nt_resp, p->peer_chal,
		    p->auth_chal, user, ulen, p->expect_auth);
		/* client view: send key Magic2, receive key Magic3 */
		rg_mschap_nt_hash_hash(nt_hash, hh);
		rg_mschap_master_key(hh, p->nt_resp, mk);
		memset(p->msk, 0, sizeof(p->msk));
		rg_mschap_asym_start_key(mk, p->msk, 16, 1, 0);
		rg_mschap_asym_start_key(mk, p->msk + 16, 16, 0, 0);
		body[0] = 2;
		body[1] = d[1];
		rg_put_u16(body + 2, (uint16_t)(4 + 1 + 49 + nlen));
		body[4] = 49;
		memcpy(body + 5, p->peer_chal, 16);
		memset(body + 21, 0, 8);
		memcpy(body + 29, p->nt_resp, 24);
		body[53] = 0;
		memcpy(body + 54, p->name, nlen);
		*out = resp(id, 26, body, 54 + nlen);
		return PEER_RESPONSE;
	case 3:	/* Success request: check S= */
		tlen = n - 4 < sizeof(p->note) - 1 ? n - 4 : sizeof(p->note) - 1;
		memcpy(p->note, d + 4, tlen);
		p->note[tlen] = '\0';
		if (tlen < RG_MSCHAP_AUTHRESP_LEN ||
		    CRYPTO_memcmp(p->note, p->expect_auth,
		    RG_MSCHAP_AUTHRESP_LEN) != 0)
			return PEER_ERROR;
		p->have_msk = true;
		body[0] = 3;
		*out = resp(id, 26, body, 1);
		return PEER_RESPONSE;
	case 4:	/* Failure request */
		tlen = n - 4 < sizeof(p->note) - 1 ? n - 4 : sizeof(p->note) - 1;
		memcpy(p->note, d + 4, tlen);
		p->note[tlen] = '\0';
		body[0] = 4;
		*out = resp(id, 26, body, 1);
		return PEER_RESPONSE;
	}
	return PEER_ERROR;
}

/* Our next EAP-TLS fragment (L on the first of several). */
static struct rg_buf *
tls_frag(struct eap_peer *p, uint8_t id)
{
	uint8_t	 buf[5 + PEER_FRAG];
	size_t	 left = p->out_len - p->out_off, k = left, h = 1;

	buf[0] = 0;
	if (left > PEER_FRAG) {
		k = PEER_FRAG;
		buf[0] = 0x40;
		if (p->out_off == 0) {
			buf[0] |= 0x80;
			rg_put_u32(buf + 1, (uint32_t)p->out_len);
			h = 5;
		}
	}
	memcpy(buf + h, p->out + p->out_off, k);
	p->out_off += k;
	p->frags++;
	if (p->out_off == p->out_len) {
		free(p->out);
		p->out = NULL;
		p->out_len = p->out_off = 0;
	}
	return resp(id, 13, buf, h + k);
}

/*
 * RFC 5216 2.3 computed by hand (not through the exporter the server
 * uses): TLS-PRF(master_secret, "client EAP encryption",
 * client.random || server.random), 64 bytes.
 */
static int
rfc5216_msk(SSL *ssl, uint8_t out[64])
{
	uint8_t		 ms[48], seed[64];
	const EVP_MD	*md;
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[5], *pp = params;
	size_t		 mslen;
	int		 rc = -1;

	mslen = SSL_SESSION_get_master_key(SSL_get_session(ssl), ms,
	    sizeof(ms));
	SSL_get_client_random(ssl, seed, 32);
	SSL_get_server_random(ssl, seed + 32, 32);
	md = SSL_CIPHER_get_handshake_digest(SSL_get_current_cipher(ssl));
	if (md == NULL || (kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL)) == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	*pp++ = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)EVP_MD_get0_name(md), 0);
	*pp++ = OSSL_PARAM_construct_octet_string("secret", ms, mslen);
	*pp++ = OSSL_PARAM_construct_octet_string("seed",
	    (char *)"client EAP encryption", 21);
	*pp++ = OSSL_PARAM_construct_octet_string("seed", seed, 64);
	*pp = OSSL_PARAM_construct_end();
	if (kctx && EVP_KDF_derive(kctx, out, 64, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
	return rc;
}

static enum eap_peer_rc
tls(struct eap_peer *p, uint8_t id, const uint8_t *d, size_t n,
    struct rg_buf **out)
{
	uint8_t		 flags;
	size_t		 h = 1;
	int		 r;

	if (n < 1)
		return PEER_ERROR;
	flags = d[0];
	if (flags & 0x80)
		h = 5;
	if (n < h)
		return PEER_ERROR;
	if (flags & 0x20) {	/* Start */
		p->ssl = SSL_new(p->ctx);
		p->rbio = BIO_new(BIO_s_mem());
		p->wbio = BIO_new(BIO_s_mem());
		SSL_set_bio(p->ssl, p->rbio, p->wbio);
		SSL_set_connect_state(p->ssl);
	} else if (p->ssl == NULL) {
		return PEER_ERROR;
	} else if (p->out) {
		/* Server ACKs our fragment. */
		if (n != 1)
			return PEER_ERROR;
		*out = tls_frag(p, id);
		return PEER_RESPONSE;
	} else {
		if (n > h) {
			p->frags++;
			p->in = realloc(p->in, p->in_len + n - h);
			memcpy(p->in + p->in_len, d + h, n - h);
			p->in_len += n - h;
		}
		if (flags & 0x40) {	/* more: ACK */
			*out = resp(id, 13, "\0", 1);
			return PEER_RESPONSE;
		}
		BIO_write(p->rbio, p->in, (int)p->in_len);
		p->in_len = 0;
	}
	r = SSL_do_handshake(p->ssl);
	if (r == 1 && !p->have_msk) {
		p->have_msk = rfc5216_msk(p->ssl, p->msk) == 0;
		snprintf(p->note, sizeof(p->note), "%s",
		    SSL_get_version(p->ssl));
	}
	if (r != 1 && SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ)
		snprintf(p->note, sizeof(p->note), "tls error %lu",
		    ERR_peek_last_error());
	ERR_clear_error();
	p->out_len = (size_t)BIO_ctrl_pending(p->wbio);
	if (p->out_len == 0) {
		*out = resp(id, 13, "\0", 1);	/* ACK */
		return PEER_RESPONSE;
	}
	p->out = malloc(p->out_len);
	BIO_read(p->wbio, p->out, (int)p->out_len);
	p->out_off = 0;
	*out = tls_frag(p, id);
	return PEER_RESPONSE;
}

enum eap_peer_rc
eap_peer_process(struct eap_peer *p, const uint8_t *in, size_t len,
    struct rg_buf **out)
{
	uint8_t	 my;

	*out = NULL;
	if (len < 4 || rg_get_u16(in + 2) != len)
		return PEER_ERROR;
	if (in[0] == 3)
		return PEER_SUCCESS;
	if (in[0] == 4)
		return PEER_FAILURE;
	if (in[0] != 1 || len < 5)
		return PEER_ERROR;
	my = p->kind == PK_TLS ? 13 : 26;
	if (in[4] == 1) {
		*out = resp(in[1], 1, p->identity, strlen(p->identity));
		return PEER_RESPONSE;
	}
	if (in[4] != my) {	/* RFC 3748 5.3.1 legacy Nak */
		*out = resp(in[1], 3, &my, 1);
		return PEER_RESPONSE;
	}
	if (p->kind == PK_TLS)
		return tls(p, in[1], in + 5, len - 5, out);
	return mschapv2(p, in[1], in + 5, len - 5, out);
}

/* ---- test PKI ---- */

static EVP_PKEY *
ec_key(void)
{
	return EVP_EC_gen("P-256");
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 c;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&c, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &c, nid, value);
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
}

static X509 *
make_cert(const char *cn, const char *san, long serial, EVP_PKEY *key,
    X509 *issuer, EVP_PKEY *ikey, bool ca)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"roadgate test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	if (ca) {
		add_ext(x, issuer ? issuer : x, NID_basic_constraints,
		    "critical,CA:TRUE");
		add_ext(x, issuer ? issuer : x, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
	}
	if (san)
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	X509_sign(x, ikey ? ikey : key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

int
test_pki_init(struct test_pki *p, const char *ca_cn)
{
	char	 san[4096];
	size_t	 n = 0;
	int	 i;

	memset(p, 0, sizeof(*p));
	p->ca_key = ec_key();
	p->ca = make_cert(ca_cn, NULL, 1, p->ca_key, NULL, NULL, true);
	/* Many names: our flight must need several EAP-TLS fragments. */
	n += (size_t)snprintf(san, sizeof(san), "DNS:vpn.test");
	for (i = 0; i < 80; i++)
		n += (size_t)snprintf(san + n, sizeof(san) - n,
		    ",DNS:host-%02d.vpn.test", i);
	p->srv_key = ec_key();
	p->srv = make_cert("vpn.test", san, 2, p->srv_key, p->ca,
	    p->ca_key, false);
	return p->ca && p->srv ? 0 : -1;
}

void
test_pki_free(struct test_pki *p)
{
	X509_free(p->ca);
	X509_free(p->srv);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->srv_key);
}

X509 *
test_pki_client(struct test_pki *p, const char *cn, const char *san_email,
    long serial, EVP_PKEY **key)
{
	char	 san[256];

	*key = ec_key();
	if (san_email)
		snprintf(san, sizeof(san), "email:%s", san_email);
	return make_cert(cn, san_email ? san : NULL, serial, *key, p->ca,
	    p->ca_key, false);
}

static char *
bio_str(BIO *b)
{
	char	*data, *s;
	long	 n = BIO_get_mem_data(b, &data);

	s = malloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

char *
test_pki_crl_pem(struct test_pki *p, long serial)
{
	X509_CRL	*crl = X509_CRL_new();
	X509_REVOKED	*rev;
	ASN1_TIME	*t = ASN1_TIME_new();
	ASN1_INTEGER	*sn;
	BIO		*b = BIO_new(BIO_s_mem());

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->ca));
	X509_gmtime_adj(t, -60);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	if (serial >= 0) {
		rev = X509_REVOKED_new();
		sn = ASN1_INTEGER_new();
		ASN1_INTEGER_set(sn, serial);
		X509_REVOKED_set_serialNumber(rev, sn);
		X509_gmtime_adj(t, -30);
		X509_REVOKED_set_revocationDate(rev, t);
		X509_CRL_add0_revoked(crl, rev);
		ASN1_INTEGER_free(sn);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, p->ca_key, EVP_sha256());
	PEM_write_bio_X509_CRL(b, crl);
	X509_CRL_free(crl);
	ASN1_TIME_free(t);
	return bio_str(b);
}

char *
test_pem_x509(X509 *x)
{
	BIO	*b = BIO_new(BIO_s_mem());

	PEM_write_bio_X509(b, x);
	return bio_str(b);
}

char *
test_pem_key(EVP_PKEY *k)
{
	BIO	*b = BIO_new(BIO_s_mem());

	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	return bio_str(b);
}

SSL_CTX *
test_tls_client_ctx(X509 *ca, X509 *cert, EVP_PKEY *key)
{
	SSL_CTX	*c = SSL_CTX_new(TLS_client_method());

	X509_STORE_add_cert(SSL_CTX_get_cert_store(c), ca);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	if (cert) {
		SSL_CTX_use_certificate(c, cert);
		SSL_CTX_use_PrivateKey(c, key);
	}
	return c;
}

static struct rg_loop	*t_loop;
static struct auth	*t_auth;
static struct rg_config	*t_cfg;		/* what t_auth was made for */

struct auth *
eap_test_auth(struct rg_config *cfg)
{
	static const struct auth_throttle_conf off = { 0, 0, 0, 0 };

	if (t_loop == NULL && (t_loop = rg_loop_new(0)) == NULL)
		return NULL;
	if (t_auth == NULL || t_cfg != cfg) {
		auth_free(t_auth);
		/* t_auth holds a reference: cfg's address stays unique. */
		if ((t_auth = auth_new(t_loop, cfg, NULL, NULL)) == NULL)
			return NULL;
		auth_set_throttle(t_auth, &off);
		t_cfg = cfg;
	}
	return t_auth;
}

enum eap_result
eap_test_process(struct eap_session *s, const uint8_t *in, size_t len,
    struct rg_buf **out)
{
	enum eap_result	 res;

	if (eap_session_auth(s) == NULL)
		eap_session_set_auth(s, eap_test_auth(eap_session_cfg(s)),
		    NULL);
	res = eap_session_process(s, in, len, out);
	for (int i = 0; res == EAP_PENDING && i < 500; i++) {
		rg_loop_once(t_loop, 10);
		res = eap_session_resume(s, out);
	}
	return res;
}
