/*
 * cred_pki.c: test certificates for the credential tests (see cred_pki.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cred_pki.h"

EVP_PKEY *
cp_key(const char *kind)
{
	if (strcmp(kind, "rsa") == 0)
		return EVP_RSA_gen(2048);
	return EVP_EC_gen(kind);
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
}

X509 *
cp_cert(const char *cn, const char *san, const char *eku, long serial,
    EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"roadgate test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_UTF8STRING,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	    issuer ? "CA:FALSE" : "critical,CA:TRUE");
	if (issuer == NULL)
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (san != NULL)
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	if (eku != NULL)
		add_ext(x, issuer ? issuer : x, NID_ext_key_usage, eku);
	X509_sign(x, ikey ? ikey : key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

static char *
bio_str(BIO *b)
{
	char	*d, *s;
	long	 n = BIO_get_mem_data(b, &d);

	s = strndup(d, (size_t)n);
	BIO_free(b);
	return s;
}

char *
cp_pem(X509 *x, EVP_PKEY *k)
{
	BIO	*b = BIO_new(BIO_s_mem());

	if (x != NULL)
		PEM_write_bio_X509(b, x);
	else
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	return bio_str(b);
}

char *
cp_crl(X509 *ca, EVP_PKEY *cakey, long serial)
{
	X509_CRL	*crl = X509_CRL_new();
	ASN1_TIME	*t = ASN1_TIME_new();
	BIO		*b = BIO_new(BIO_s_mem());

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, -60);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	if (serial >= 0) {
		X509_REVOKED	*rev = X509_REVOKED_new();
		ASN1_INTEGER	*sn = ASN1_INTEGER_new();

		ASN1_INTEGER_set(sn, serial);
		X509_REVOKED_set_serialNumber(rev, sn);
		X509_gmtime_adj(t, -30);
		X509_REVOKED_set_revocationDate(rev, t);
		X509_CRL_add0_revoked(crl, rev);
		ASN1_INTEGER_free(sn);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, cakey, EVP_sha256());
	PEM_write_bio_X509_CRL(b, crl);
	X509_CRL_free(crl);
	ASN1_TIME_free(t);
	return bio_str(b);
}

void
cp_user(struct rg_config *c, const char *name, bool enabled)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->enabled = enabled;
}
