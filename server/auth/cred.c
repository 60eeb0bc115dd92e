/*
 * cred.c: the server's key, certificate chain, trust anchors and CRL, one
 * set per configuration snapshot (see cred.h for the rules: client EKU,
 * certificate -> user, fail-closed CRL).  The private key lives here
 * only; RFC 5280 6 path validation is OpenSSL's X509_verify_cert over one
 * X509_STORE that IKE and EAP-TLS share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "cred.h"
#include "rg_log.h"

enum cred_crl {
	CRED_CRL_NONE,		/* none configured: no revocation check */
	CRED_CRL_OK,		/* loaded; X509_V_FLAG_CRL_CHECK set */
	CRED_CRL_BAD,		/* configured but unusable: refuse all */
};

struct cred {
	const struct rg_config	*cfg;		/* borrowed: our owner */
	EVP_PKEY		*key;		/* owned; never handed out */
	X509			*cert;		/* owned: our leaf */
	STACK_OF(X509)		*chain;		/* owned: intermediates */
	X509_STORE		*store;		/* owned: anchors + CRLs */
	STACK_OF(X509)		*cas;		/* owned: anchors, for TLS */
	uint8_t			 ca_keyid[20];
	bool			 have_ca;
	enum cred_crl		 crl;
	SSL_CTX			*tls;		/* owned; built on first use */
	bool			 tls_tried;
};

static unsigned long	 key_parses;	/* statistic, for tests */

unsigned long
cred_key_parses(void)
{
	return key_parses;
}

static void
cred_free(struct cred *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->tls);
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	sk_X509_pop_free(c->cas, X509_free);
	X509_STORE_free(c->store);
	free(c);
}

/* Our key and leaf (+chain).  Both or neither. */
static void
load_ours(struct cred *c, const struct rg_pki *pki)
{
	BIO	*b;
	X509	*x;

	if (pki->server_key_pem == NULL || pki->server_cert_pem == NULL)
		return;
	if ((b = BIO_new_mem_buf(pki->server_key_pem, -1)) != NULL) {
		c->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		key_parses++;
	}
	BIO_free(b);
	c->chain = sk_X509_new_null();
	b = BIO_new_mem_buf(pki->server_cert_pem, -1);
	while (b != NULL && c->chain != NULL &&
	    (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (c->cert == NULL)
			c->cert = x;
		else if (!sk_X509_push(c->chain, x))
			X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	if (c->key == NULL || c->cert == NULL ||
	    X509_check_private_key(c->cert, c->key) != 1) {
		rg_err(CERT, "server certificate or key unusable; certificate "
		    "and EAP authentication unavailable");
		EVP_PKEY_free(c->key);
		X509_free(c->cert);
		c->key = NULL;
		c->cert = NULL;
		ERR_clear_error();
	}
}

/* The CRLs into the store; any configured CRL that does not parse makes
 * the whole set unusable (fail closed, RFC 5280 6.3). */
static void
load_crl(struct cred *c, const char *pem)
{
	BIO		*b;
	X509_CRL	*crl;
	unsigned long	 err;
	int		 n = 0;
	bool		 bad = false;

	if (pem == NULL || pem[strspn(pem, " \t\r\n")] == '\0')
		return;
	if ((b = BIO_new_mem_buf(pem, -1)) == NULL)
		bad = true;
	ERR_clear_error();
	while (!bad && (crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) !=
	    NULL) {
		if (X509_STORE_add_crl(c->store, crl) != 1)
			bad = true;
		X509_CRL_free(crl);
		n++;
	}
	BIO_free(b);
	/* The loop ends at "no more PEM blocks"; anything else is damage. */
	err = ERR_peek_last_error();
	if (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM &&
	    ERR_GET_REASON(err) == PEM_R_NO_START_LINE))
		bad = true;
	ERR_clear_error();
	if (bad || n == 0) {
		c->crl = CRED_CRL_BAD;
		rg_err(CERT, "the configured CRL does not parse: every client "
		    "certificate is refused until a valid CRL is installed");
		return;
	}
	c->crl = CRED_CRL_OK;
	X509_STORE_set_flags(c->store, X509_V_FLAG_CRL_CHECK);
}

static void
load_anchors(struct cred *c, const struct rg_pki *pki)
{
	BIO	*b;
	X509	*x;

	if (pki->ca_pem == NULL)
		return;
	if ((c->store = X509_STORE_new()) == NULL ||
	    (c->cas = sk_X509_new_null()) == NULL)
		return;
	b = BIO_new_mem_buf(pki->ca_pem, -1);
	while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) !=
	    NULL) {
		if (X509_STORE_add_cert(c->store, x) != 1 ||
		    !sk_X509_push(c->cas, x)) {
			X509_free(x);
			continue;
		}
		if (!c->have_ca) {
			uint8_t		*der = NULL;
			int		 n = i2d_X509_PUBKEY(
			    X509_get_X509_PUBKEY(x), &der);
			unsigned int	 olen;

			if (n > 0 && EVP_Digest(der, (size_t)n, c->ca_keyid,
			    &olen, EVP_sha1(), NULL) == 1)
				c->have_ca = true;
			OPENSSL_free(der);
		}
	}
	BIO_free(b);
	ERR_clear_error();
	if (!c->have_ca)
		rg_err(CERT, "no usable CA certificate; client certificates "
		    "cannot be verified");
	load_crl(c, pki->crl_pem);
}

static struct cred *
cred_new(const struct rg_config *cfg)
{
	struct cred	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cfg = cfg;
	load_ours(c, &cfg->pki);
	load_anchors(c, &cfg->pki);
	return c;
}

struct cred *
cred_of(const struct rg_config *cfg)
{
	/* The cache slot is the one field a reader writes (see cred.h). */
	struct rg_config	*w = (struct rg_config *)(uintptr_t)cfg;

	if (cfg == NULL)
		return NULL;
	if (cfg->cred == NULL && (w->cred = cred_new(cfg)) != NULL)
		w->cred_free = cred_free;
	return cfg->cred;
}

/* ---- our side ---- */

bool
cred_has_key(const struct cred *c)
{
	return c != NULL && c->key != NULL;
}

enum cred_key
cred_key_type(const struct cred *c)
{
	if (!cred_has_key(c))
		return CRED_KEY_NONE;
	switch (EVP_PKEY_get_base_id(c->key)) {
	case EVP_PKEY_RSA:
		return CRED_KEY_RSA;
	case EVP_PKEY_EC:
		return CRED_KEY_EC;
	default:
		return CRED_KEY_NONE;
	}
}

int
cred_key_bits(const struct cred *c)
{
	return cred_has_key(c) ? EVP_PKEY_get_bits(c->key) : 0;
}

static const EVP_MD *
hash_md(enum cred_hash h)
{
	switch (h) {
	case CRED_SHA1:
		return EVP_sha1();
	case CRED_SHA256:
		return EVP_sha256();
	case CRED_SHA384:
		return EVP_sha384();
	case CRED_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int
cred_sign(const struct cred *c, enum cred_hash h, const uint8_t *data,
    size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX	*mc = NULL;
	const EVP_MD	*md = hash_md(h);
	size_t		 need = 0;
	int		 rc = -1;

	if (cred_key_type(c) == CRED_KEY_NONE || md == NULL)
		return -1;
	if ((mc = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mc, NULL, md, NULL, c->key) <= 0 ||
	    EVP_DigestSign(mc, NULL, &need, data, len) <= 0 ||
	    need > *siglen)
		goto out;
	if (EVP_DigestSign(mc, sig, siglen, data, len) <= 0)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(mc);
	ERR_clear_error();
	return rc;
}

int
cred_sign_hash(const struct cred *c, const uint8_t *hash, size_t hlen,
    uint8_t *sig, size_t *siglen)
{
	EVP_PKEY_CTX	*pc = NULL;
	size_t		 need = 0;
	int		 rc = -1;

	if (cred_key_type(c) == CRED_KEY_NONE || hlen == 0)
		return -1;
	/* No signature md set: the input is signed as given. */
	if ((pc = EVP_PKEY_CTX_new(c->key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(pc) <= 0 ||
	    (cred_key_type(c) == CRED_KEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) <= 0) ||
	    EVP_PKEY_sign(pc, NULL, &need, hash, hlen) <= 0 || need > *siglen)
		goto out;
	if (EVP_PKEY_sign(pc, sig, siglen, hash, hlen) <= 0)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return rc;
}

X509 *
cred_cert(const struct cred *c, size_t i)
{
	if (c == NULL || c->cert == NULL)
		return NULL;
	if (i == 0)
		return c->cert;
	if (c->chain == NULL || i - 1 >= (size_t)sk_X509_num(c->chain))
		return NULL;
	return sk_X509_value(c->chain, (int)(i - 1));
}

bool
cred_has_ca(const struct cred *c)
{
	return c != NULL && c->have_ca;
}

const uint8_t *
cred_ca_keyid(const struct cred *c)
{
	return cred_has_ca(c) ? c->ca_keyid : NULL;
}

/* ---- peer checks ---- */

/* RFC 5280 4.2.1.12; RFC 4945 5.1.3.12 for id-kp-ipsecIKE. */
static bool
eku_ok(X509 *x, enum cred_use use)
{
	EXTENDED_KEY_USAGE	*eku;
	int			 crit, nid;
	bool			 ok = false;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (eku == NULL) {
		ERR_clear_error();
		return crit == -1;	/* absent: any use; else damaged */
	}
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && !ok; i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		ok = nid == NID_client_auth || nid == NID_anyExtendedKeyUsage ||
		    (use == CRED_USE_IKE && nid == NID_ipsec_IKE);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return ok;
}

static void
subject_text(X509 *x, char *out, size_t len)
{
	X509_NAME_oneline(X509_get_subject_name(x), out, (int)len);
}

/* Chain to our anchors with the CRL, then the client EKU. */
static int
verify_chain(struct cred *c, X509 *leaf, STACK_OF(X509) *untrusted,
    enum cred_use use, char *why, size_t whylen)
{
	X509_STORE_CTX	*ctx = NULL;
	char		 subj[200];
	int		 rc = -1;

	subject_text(leaf, subj, sizeof(subj));
	if (!cred_has_ca(c)) {
		snprintf(why, whylen, "no CA configured");
		return -1;
	}
	if (c->crl == CRED_CRL_BAD) {
		snprintf(why, whylen, "certificate %s: the configured CRL does "
		    "not parse, revocation cannot be checked", subj);
		return -1;
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, c->store, leaf, untrusted) != 1) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, whylen, "certificate %s not trusted: %s", subj,
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	if (!eku_ok(leaf, use)) {
		snprintf(why, whylen, "certificate %s: its extendedKeyUsage "
		    "does not allow client authentication", subj);
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* Whether id is one of the leaf's subjectAltNames or its subject DN
 * (RFC 7296 3.5, RFC 4945 3.1). */
static bool
id_matches(X509 *x, const struct cred_id *id)
{
	GENERAL_NAMES	*gens;
	bool		 ok = false;
	int		 want;

	if (id->type == CRED_ID_DN) {
		const uint8_t	*p = id->data;
		X509_NAME	*n = d2i_X509_NAME(NULL, &p, (long)id->len);

		ok = n != NULL && p == id->data + id->len &&
		    X509_NAME_cmp(n, X509_get_subject_name(x)) == 0;
		X509_NAME_free(n);
		ERR_clear_error();
		return ok;
	}
	switch (id->type) {
	case CRED_ID_RFC822: want = GEN_EMAIL; break;
	case CRED_ID_FQDN: want = GEN_DNS; break;
	case CRED_ID_IPV4:
	case CRED_ID_IPV6: want = GEN_IPADD; break;
	default: return false;
	}
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		ASN1_STRING	*s;

		if (g->type != want)
			continue;
		s = want == GEN_EMAIL ? g->d.rfc822Name : want == GEN_DNS ?
		    g->d.dNSName : g->d.ip;
		if ((size_t)ASN1_STRING_length(s) != id->len)
			continue;
		if (want == GEN_IPADD ? memcmp(ASN1_STRING_get0_data(s),
		    id->data, id->len) == 0 : strncasecmp((const char *)
		    ASN1_STRING_get0_data(s), (const char *)id->data,
		    id->len) == 0) {
			ok = true;
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return ok;
}

int
cred_id_text(const struct cred_id *id, char *out, size_t len)
{
	int	 af = id->type == CRED_ID_IPV4 ? AF_INET : AF_INET6;

	if (len == 0)
		return -1;
	out[0] = '\0';
	switch (id->type) {
	case CRED_ID_IPV4:
	case CRED_ID_IPV6:
		if (id->len != (af == AF_INET ? 4u : 16u) ||
		    inet_ntop(af, id->data, out, (socklen_t)len) == NULL) {
			out[0] = '\0';
			return -1;
		}
		return 0;
	case CRED_ID_FQDN:
	case CRED_ID_RFC822:
	case CRED_ID_KEY_ID:
		if (id->len >= len)
			return -1;
		for (size_t i = 0; i < id->len; i++)
			out[i] = (id->data[i] >= 0x20 && id->data[i] < 0x7f) ?
			    (char)id->data[i] : '?';
		out[id->len] = '\0';
		return 0;
	case CRED_ID_DN: {
		const uint8_t	*p = id->data;
		X509_NAME	*n = d2i_X509_NAME(NULL, &p, (long)id->len);
		BIO		*b = NULL;
		char		*s;
		long		 sl;
		int		 rc = -1;

		if (n != NULL && p == id->data + id->len &&
		    (b = BIO_new(BIO_s_mem())) != NULL &&
		    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0 &&
		    (sl = BIO_get_mem_data(b, &s)) >= 0 && (size_t)sl < len) {
			memcpy(out, s, (size_t)sl);
			out[sl] = '\0';
			rc = 0;
		}
		BIO_free(b);
		X509_NAME_free(n);
		ERR_clear_error();
		return rc;
	}
	default:
		snprintf(out, len, "<ID type %u>", id->type);
		return 0;
	}
}

/* A user by name: exact, else one case-insensitive match. */
static const struct rg_user *
user_find(const struct rg_config *cfg, const char *name)
{
	const struct rg_user	*u = rg_config_user(cfg, name), *f = NULL;

	if (u != NULL)
		return u;
	for (size_t i = 0; i < cfg->nusers; i++)
		if (strcasecmp(cfg->users[i].name, name) == 0) {
			if (f != NULL)
				return NULL;	/* ambiguous */
			f = &cfg->users[i];
		}
	return f;
}

/* An ASN.1 string as a user-name candidate; -1 when it does not fit or
 * holds NUL or control bytes (never cut, never partly matched). */
static int
candidate(const ASN1_STRING *s, char *out, size_t len)
{
	unsigned char	*u = NULL;
	int		 n, rc = -1;

	out[0] = '\0';
	if ((n = ASN1_STRING_to_UTF8(&u, s)) <= 0)
		goto out;
	if ((size_t)n >= len)
		goto out;
	for (int i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == 0x7f)
			goto out;
	memcpy(out, u, (size_t)n);
	out[n] = '\0';
	rc = 0;
out:
	OPENSSL_free(u);
	ERR_clear_error();
	return rc;
}

/* The CN of a name (the last, most specific one). */
static const ASN1_STRING *
name_cn(const X509_NAME *n)
{
	int	 idx = -1, last = -1;

	while ((idx = X509_NAME_get_index_by_NID(n, NID_commonName, idx)) >= 0)
		last = idx;
	if (last < 0)
		return NULL;
	return X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, last));
}

int
cred_peer_user(struct cred *c, X509 *leaf, const struct cred_id *id,
    char user[CRED_USER_MAX], char *why, size_t whylen)
{
	char			 cand[2][CRED_USER_MAX];
	const struct rg_user	*u = NULL;
	const ASN1_STRING	*s;
	GENERAL_NAMES		*gens = NULL;
	size_t			 n = 0, i;
	int			 rc = -1;

	user[0] = '\0';
	if (id != NULL && id->type == CRED_ID_DN) {
		const uint8_t	*p = id->data;
		X509_NAME	*dn = d2i_X509_NAME(NULL, &p, (long)id->len);

		if (dn != NULL && (s = name_cn(dn)) != NULL &&
		    candidate(s, cand[n], sizeof(cand[n])) == 0)
			n++;
		X509_NAME_free(dn);
		if (n == 0) {
			snprintf(why, whylen, "DN identity without a usable "
			    "CN (missing, over %d bytes or control bytes)",
			    CRED_USER_MAX - 1);
			goto out;
		}
	} else if (id != NULL && (id->type == CRED_ID_RFC822 ||
	    id->type == CRED_ID_FQDN)) {
		if (id->len >= sizeof(cand[0]) ||
		    memchr(id->data, '\0', id->len) != NULL) {
			snprintf(why, whylen, "identity of %zu bytes is too "
			    "long or holds NUL", id->len);
			goto out;
		}
		if (cred_id_text(id, cand[n], sizeof(cand[n])) == 0)
			n++;
	} else if (id == NULL) {
		/* EAP-TLS: the first e-mail or DNS subjectAltName. */
		gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
		for (int j = 0; gens != NULL && j < sk_GENERAL_NAME_num(gens);
		    j++) {
			GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, j);

			if (g->type != GEN_EMAIL && g->type != GEN_DNS)
				continue;
			if (candidate(g->d.ia5, cand[n], sizeof(cand[n])) < 0) {
				snprintf(why, whylen, "subjectAltName over %d "
				    "bytes or with control bytes",
				    CRED_USER_MAX - 1);
				goto out;
			}
			n++;
			break;
		}
	}
	if ((s = name_cn(X509_get_subject_name(leaf))) != NULL) {
		if (candidate(s, cand[n], sizeof(cand[n])) < 0) {
			snprintf(why, whylen, "certificate CN over %d bytes or "
			    "with control bytes", CRED_USER_MAX - 1);
			goto out;
		}
		if (n == 0 || strcmp(cand[0], cand[n]) != 0)
			n++;
	}
	if (n == 0) {
		snprintf(why, whylen, "no user name in the certificate");
		goto out;
	}
	for (i = 0; i < n && u == NULL; i++)
		u = user_find(c->cfg, cand[i]);
	if (u == NULL) {
		snprintf(why, whylen, "no user %s%s%s (deleted?)", cand[0],
		    n > 1 ? " or " : "", n > 1 ? cand[1] : "");
		goto out;
	}
	if (!u->enabled) {
		snprintf(why, whylen, "user %s: account disabled", u->name);
		goto out;
	}
	if (strlen(u->name) >= CRED_USER_MAX) {
		snprintf(why, whylen, "user name too long");
		goto out;
	}
	snprintf(user, CRED_USER_MAX, "%s", u->name);
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return rc;
}

int
cred_verify_peer(struct cred *c, X509 *leaf, STACK_OF(X509) *untrusted,
    enum cred_use use, const struct cred_id *id, char user[CRED_USER_MAX],
    char *why, size_t whylen)
{
	char	 text[CRED_USER_MAX];

	user[0] = '\0';
	if (c == NULL || leaf == NULL) {
		snprintf(why, whylen, "no certificate");
		return -1;
	}
	if (verify_chain(c, leaf, untrusted, use, why, whylen) < 0)
		return -1;
	if (id != NULL && !id_matches(leaf, id)) {
		if (cred_id_text(id, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "(too long)");
		snprintf(why, whylen, "identity '%s' not in the certificate's "
		    "subjectAltName/subject", text);
		return -1;
	}
	return cred_peer_user(c, leaf, id, user, why, whylen);
}

/* ---- TLS (EAP-TLS) ---- */

/* SSL_CTX_set_cert_verify_callback: the chain as cred sees it.  Each
 * failure goes through the SSL's verify callback too (for its log). */
static int
tls_verify(X509_STORE_CTX *x, void *arg)
{
	struct cred		*c = arg;
	X509			*leaf = X509_STORE_CTX_get0_cert(x);
	X509_STORE_CTX_verify_cb cb = X509_STORE_CTX_get_verify_cb(x);
	int			 err = X509_V_OK, ok;

	if (c->crl == CRED_CRL_BAD)
		err = X509_V_ERR_UNABLE_TO_GET_CRL;
	else if ((ok = X509_verify_cert(x)) != 1)
		return ok;
	else if (!eku_ok(leaf, CRED_USE_TLS))
		err = X509_V_ERR_INVALID_PURPOSE;
	if (err == X509_V_OK)
		return 1;
	X509_STORE_CTX_set_error(x, err);
	X509_STORE_CTX_set_current_cert(x, leaf);
	return cb != NULL ? cb(0, x) : 0;
}

SSL_CTX *
cred_tls_ctx(struct cred *c)
{
	SSL_CTX	*ctx = NULL;
	X509	*x;

	if (c == NULL)
		return NULL;
	if (c->tls != NULL || c->tls_tried)
		return c->tls;
	c->tls_tried = true;
	if (!cred_has_key(c) || !cred_has_ca(c))
		return NULL;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto err;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate(ctx, c->cert) != 1)
		goto err;
	for (size_t i = 1; (x = cred_cert(c, i)) != NULL; i++)
		if (SSL_CTX_add1_chain_cert(ctx, x) != 1)
			goto err;
	if (SSL_CTX_use_PrivateKey(ctx, c->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto err;
	SSL_CTX_set1_cert_store(ctx, c->store);
	for (int i = 0; i < sk_X509_num(c->cas); i++)
		if (SSL_CTX_add_client_CA(ctx, sk_X509_value(c->cas, i)) != 1)
			goto err;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, tls_verify, c);
	ERR_clear_error();
	c->tls = ctx;
	return ctx;
err:
	ERR_clear_error();
	rg_err(CERT, "cannot build the EAP-TLS server context from our "
	    "certificate, key and CA");
	SSL_CTX_free(ctx);
	return NULL;
}
