/*
 * prof_build.c: what the running server offers, for one user (prof.h's
 * struct prof_server), from a configuration snapshot built from the store
 * exactly as the daemon builds its own, so that every profile says what
 * is true of the server: the address and identity (settings.server_id,
 * else the first IP then DNS subjectAltName of the server certificate:
 * what ikev2_cert_our_id() sends), the active proposal set, the user's
 * effective access profile (split networks narrowed to the user's policy,
 * as the server narrows TSr), DNS, domains, DPD, lifetimes, the CA; for
 * certificate auth the user's certificate as PKCS#12 (legacy form, which
 * iOS, macOS and Android import) with a fresh password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include "certs/cert_mgr.h"
#include "prof_build.h"
#include "rg_config.h"
#include "store.h"

/* The MTU profiles ask for: inside Apple's 1280..1400, clear of ESP in
 * UDP overhead on a 1500-byte path. */
#define PROF_MTU	1400

int
prof_prefix_within(const struct rg_prefix *p, const struct rg_prefix *net)
{
	unsigned int	 i, bits;

	if (p->af != net->af || p->plen < net->plen)
		return 0;
	for (i = 0, bits = net->plen; bits > 0; i++, bits -= bits >= 8 ? 8 :
	    bits) {
		uint8_t	 m = bits >= 8 ? 0xff :
		    (uint8_t)(0xff << (8 - bits));

		if ((p->addr[i] & m) != (net->addr[i] & m))
			return 0;
	}
	return 1;
}

static int
fail(int *status, const char **field, char *why, size_t len, int st,
    const char *f, const char *msg)
{
	*status = st;
	*field = f;
	snprintf(why, len, "%s", msg);
	return -1;
}

static char *
keep(struct prof_ctx *c, const char *s)
{
	char	**n;

	if ((n = reallocarray(c->strs, c->nstrs + 1, sizeof(*n))) == NULL)
		return NULL;
	c->strs = n;
	if ((n[c->nstrs] = strdup(s)) == NULL)
		return NULL;
	return n[c->nstrs++];
}

static unsigned char *
unbase64(const char *s, size_t *len)
{
	size_t		 n = strlen(s);
	unsigned char	*b;
	int		 r;

	if (n % 4 != 0 || (b = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	if ((r = EVP_DecodeBlock(b, (const unsigned char *)s, (int)n)) < 0) {
		free(b);
		return NULL;
	}
	*len = (size_t)r - (n >= 1 && s[n - 1] == '=') -
	    (n >= 2 && s[n - 2] == '=');
	return b;
}

static X509 *
pem_x509(const char *pem)
{
	BIO	*bio = BIO_new_mem_buf(pem, -1);
	X509	*x;

	if (bio == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

/* The kind of the certificate's key, for Apple's CertificateType. */
static enum prof_key
key_kind(const char *pem)
{
	X509		*x = pem_x509(pem);
	EVP_PKEY	*k = x ? X509_get0_pubkey(x) : NULL;
	enum prof_key	 r = PROF_KEY_RSA;
	char		 grp[64];
	size_t		 n;

	if (k && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, grp,
	    sizeof(grp), &n) == 1) {
		if (strcmp(grp, "secp384r1") == 0)
			r = PROF_KEY_P384;
		else if (strcmp(grp, "secp521r1") == 0)
			r = PROF_KEY_P521;
		else
			r = PROF_KEY_P256;
	}
	X509_free(x);
	return r;
}

static char *
subject_cn(const char *pem)
{
	X509	*x = pem_x509(pem);
	char	 cn[256];
	char	*r = NULL;

	if (x && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0)
		r = strdup(cn);
	X509_free(x);
	return r;
}

/*
 * The identity a client sends with this certificate: its first e-mail,
 * else DNS subjectAltName, else its subject DN ("CN=alice, O=x", the
 * strongSwan default); the server maps each to the user (cred.h).
 */
static char *
cert_identity(const char *pem)
{
	X509		*x = pem_x509(pem);
	GENERAL_NAMES	*gens;
	X509_NAME	*nm;
	BIO		*bio;
	char		*r = NULL, *p;
	long		 n;
	int		 i, t;

	if (x == NULL)
		return NULL;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (t = 0; t < 2 && r == NULL && gens; t++)
		for (i = 0; i < sk_GENERAL_NAME_num(gens) && r == NULL; i++) {
			GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);

			if (g->type == (t == 0 ? GEN_EMAIL : GEN_DNS))
				r = strndup((const char *)
				    ASN1_STRING_get0_data(g->d.ia5),
				    (size_t)ASN1_STRING_length(g->d.ia5));
		}
	GENERAL_NAMES_free(gens);
	if (r == NULL && (bio = BIO_new(BIO_s_mem())) != NULL) {
		nm = X509_get_subject_name(x);
		if (X509_NAME_print_ex(bio, nm, 0,
		    XN_FLAG_SEP_COMMA_PLUS) >= 0 &&
		    (n = BIO_get_mem_data(bio, &p)) > 0)
			r = strndup(p, (size_t)n);
		BIO_free(bio);
	}
	X509_free(x);
	return r;
}

/* The user's certificate: PKCS#12 with a fresh password, and PEM. */
static int
load_cert(struct store *st, const char *user, struct prof_ctx *c,
    int *status, const char **field, char *why, size_t len)
{
	struct cert_err	 e;
	json_t		*req, *out = NULL;
	const char	*d, *pw;
	size_t		 n;
	int		 rc;

	memset(&e, 0, sizeof(e));
	req = json_pack("{s:s, s:b}", "format", "p12", "legacy", 1);
	rc = req ? certmgr_client_export(st, user, req, &out, &e) : -1;
	json_decref(req);
	if (rc < 0) {
		json_decref(out);
		*status = rc == STORE_ENOENT || rc == STORE_EINVAL ? 400 : 500;
		*field = "method";
		snprintf(why, len, "method cert: %s", e.why[0] ? e.why :
		    "the user has no valid certificate");
		return -1;
	}
	d = json_string_value(json_object_get(out, "data"));
	pw = json_string_value(json_object_get(out, "password"));
	if (d == NULL || pw == NULL ||
	    (c->p12 = unbase64(d, &c->p12_len)) == NULL ||
	    (c->p12_password = strdup(pw)) == NULL) {
		json_decref(out);
		return fail(status, field, why, len, 500, NULL,
		    "cannot export the user's certificate");
	}
	json_decref(out);
	out = NULL;
	req = json_pack("{s:s}", "format", "pem");
	rc = req ? certmgr_client_export(st, user, req, &out, &e) : -1;
	json_decref(req);
	d = rc == 0 ? json_string_value(json_object_get(out, "data")) : NULL;
	if (d == NULL || (c->user_pem = (char *)unbase64(d, &n)) == NULL) {
		json_decref(out);
		return fail(status, field, why, len, 500, NULL,
		    "cannot export the user's certificate");
	}
	c->user_pem[n] = '\0';
	json_decref(out);
	if ((c->user_id = cert_identity(c->user_pem)) == NULL)
		return fail(status, field, why, len, 500, NULL,
		    "cannot read the user's certificate");
	c->srv.user_key = key_kind(c->user_pem);
	return 0;
}

int
prof_load(struct store *st, const char *user, enum prof_method m,
    struct prof_ctx *c, int *status, const char **field, char *why,
    size_t len)
{
	const struct rg_proposal_set	*set;
	const struct rg_profile		*pr;
	const struct rg_policy		*po;
	const struct rg_user		*u;
	struct prof_server		*s = &c->srv;
	const char			*sid;
	json_t				*names;
	char				 err[256], buf[64];
	size_t				 i, j;

	memset(c, 0, sizeof(*c));
	if ((c->cfg = store_config_load(st, err, sizeof(err))) == NULL)
		return fail(status, field, why, len, 500, NULL, err);
	if ((u = rg_config_user(c->cfg, user)) == NULL)
		return fail(status, field, why, len, 404, "user",
		    "no such user");
	if (!u->enabled)
		return fail(status, field, why, len, 409, "user",
		    "the user is disabled");
	if (c->cfg->pki.ca_pem == NULL || c->cfg->pki.server_cert_pem == NULL)
		return fail(status, field, why, len, 409, "server-cert",
		    "the server has no CA or server certificate yet");
	set = rg_config_proposals(c->cfg, c->cfg->settings.proposals);
	if (set == NULL)
		return fail(status, field, why, len, 409, "proposals",
		    "the active proposal set does not exist");

	/* EAP profiles speak EAP-MSCHAPv2: the server must offer it. */
	if (m == PROF_EAP && c->cfg->settings.eap_method != NULL &&
	    strcmp(c->cfg->settings.eap_method, "tls") == 0)
		return fail(status, field, why, len, 409, "method",
		    "method eap: the server's eap_method is tls (EAP-"
		    "MSCHAPv2 is off); use method cert");
	s->name = "roadgate";
	s->user = u->name;
	s->method = m;
	sid = c->cfg->settings.server_id;
	if (sid == NULL || *sid == '\0') {
		names = certmgr_server_names_of(c->cfg->pki.server_cert_pem,
		    NULL);
		sid = json_string_value(json_array_get(names, 0));
		c->address = sid ? strdup(sid) : NULL;
		json_decref(names);
		if (c->address == NULL)
			return fail(status, field, why, len, 409, "server_id",
			    "the server certificate names no address: set "
			    "server_id or issue it with --name");
	} else if ((c->address = strdup(sid)) == NULL)
		return fail(status, field, why, len, 500, NULL,
		    "out of memory");
	s->address = c->address;
	s->server_id = c->address;
	s->ike = (const char *const *)set->ike;
	s->nike = set->nike;
	s->esp = (const char *const *)set->esp;
	s->nesp = set->nesp;
	s->ike_lifetime_s = c->cfg->settings.ike_lifetime_s;
	s->child_lifetime_s = c->cfg->settings.child_lifetime_s;
	s->dpd_interval_s = c->cfg->settings.dpd_interval_s;
	s->mtu = PROF_MTU;
	s->ca_pem = c->cfg->pki.ca_pem;
	c->ca_cn = subject_cn(s->ca_pem);
	s->ca_cn = c->ca_cn;

	pr = rg_config_user_profile(c->cfg, user);
	po = rg_config_user_policy(c->cfg, user);
	if (pr != NULL) {
		c->split = calloc(pr->nsplit + 1, sizeof(char *));
		c->dns = calloc(pr->ndns + 1, sizeof(char *));
		if (c->split == NULL || c->dns == NULL)
			return fail(status, field, why, len, 500, NULL,
			    "out of memory");
		/* The server narrows TSr to the policy: offer no more. */
		for (i = 0; i < pr->nsplit; i++) {
			for (j = 0; po && j < po->nnetworks; j++)
				if (prof_prefix_within(&pr->split[i],
				    &po->networks[j]))
					break;
			if (po && j == po->nnetworks)
				continue;
			if ((c->split[s->nsplit] = keep(c, rg_prefix_str(
			    &pr->split[i], buf, sizeof(buf)))) == NULL)
				return fail(status, field, why, len, 500,
				    NULL, "out of memory");
			s->nsplit++;
		}
		for (i = 0; i < pr->ndns; i++)
			if ((c->dns[s->ndns++] = keep(c, rg_addr_str(
			    &pr->dns[i], buf, sizeof(buf)))) == NULL)
				return fail(status, field, why, len, 500,
				    NULL, "out of memory");
		s->domains = (const char *const *)pr->domains;
		s->ndomains = pr->ndomains;
		s->split = c->split;
		s->dns = c->dns;
	}
	if (m == PROF_CERT && load_cert(st, user, c, status, field, why,
	    len) < 0)
		return -1;
	s->p12 = c->p12;
	s->p12_len = c->p12_len;
	s->p12_password = c->p12_password;
	s->user_pem = c->user_pem;
	s->user_id = c->user_id;
	return 0;
}

void
prof_ctx_clear(struct prof_ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->nstrs; i++)
		free(c->strs[i]);
	free(c->strs);
	free(c->split);
	free(c->dns);
	free(c->address);
	free(c->ca_cn);
	free(c->user_id);
	if (c->p12) {
		OPENSSL_cleanse(c->p12, c->p12_len);
		free(c->p12);
	}
	if (c->p12_password) {
		OPENSSL_cleanse(c->p12_password, strlen(c->p12_password));
		free(c->p12_password);
	}
	if (c->user_pem) {
		OPENSSL_cleanse(c->user_pem, strlen(c->user_pem));
		free(c->user_pem);
	}
	if (c->cfg)
		rg_config_unref(c->cfg);
	memset(c, 0, sizeof(*c));
}
