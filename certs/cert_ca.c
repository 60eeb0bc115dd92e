/*
 * cert_ca.c: the certificate authority: creation, import and loading, and
 * the certificate-building helpers the other certs/ files share.
 *
 * RFC 5280: 4.1.2.2 (serial: positive, at most 20 octets; ours are 128
 * random bits), 4.1.2.5 (validity), 4.2.1.1/4.2.1.2 (AKI/SKI), 4.2.1.3
 * (keyUsage keyCertSign + cRLSign, critical), 4.2.1.9 (basicConstraints
 * CA:TRUE, critical).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"

#define CERT_BACKDATE_S		300	/* notBefore slack for client clocks */

int
cert_x509_serial_hex(X509 *x, char *buf, size_t size)
{
	BIGNUM	*bn;
	char	*hex;
	int	 rc = -1;

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) == NULL)
		return -1;
	if ((hex = BN_bn2hex(bn)) != NULL && strlen(hex) < size) {
		snprintf(buf, size, "%s", hex);
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

int
cert_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int
name_add(X509_NAME *n, const char *field, const char *value,
    struct cert_err *e, const char *errfield)
{
	if (value == NULL || *value == '\0')
		return 0;
	if (strlen(value) > 64)	/* RFC 5280 upper bounds (ub-common-name) */
		return cert_err_set(e, errfield, "%s is longer than 64 "
		    "characters", errfield);
	if (!X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0))
		return cert_err_set(e, errfield, "invalid %s", errfield);
	return 0;
}

X509 *
cert_x509_new(EVP_PKEY *key, X509 *issuer, const char *cn, const char *org,
    const char *country, int days, struct cert_err *e)
{
	X509		*x;
	X509_NAME	*n = NULL;
	ASN1_INTEGER	*ai = NULL;
	BIGNUM		*bn = NULL;
	unsigned char	 rnd[16];

	if ((x = X509_new()) == NULL || (n = X509_NAME_new()) == NULL)
		goto oom;
	if (cn == NULL || *cn == '\0') {
		cert_err_set(e, "cn", "a common name is required");
		goto fail;
	}
	if (name_add(n, "C", country, e, "country") == -1 ||
	    name_add(n, "O", org, e, "org") == -1 ||
	    name_add(n, "CN", cn, e, "cn") == -1)
		goto fail;
	if (days <= 0 || days > 365 * 100) {
		cert_err_set(e, "days", "validity of %d days is out of range",
		    days);
		goto fail;
	}
	/* RFC 5280 4.1.2.2: positive; 128 random bits, top bit cleared. */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto oom;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x40;		/* keep it 16 octets long */
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_set_serialNumber(x, ai))
		goto oom;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_subject_name(x, n) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE_S) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    !X509_set_pubkey(x, key))
		goto oom;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	X509_NAME_free(n);
	return x;
oom:
	cert_err_set(e, "cert", "cannot build the certificate");
fail:
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	X509_NAME_free(n);
	X509_free(x);
	return NULL;
}

const EVP_MD *
cert_md_for(EVP_PKEY *signer)
{
	int	 bits = EVP_PKEY_get_bits(signer);

	if (EVP_PKEY_get_base_id(signer) == EVP_PKEY_EC) {
		if (bits > 384)
			return EVP_sha512();
		if (bits > 256)
			return EVP_sha384();
	}
	return EVP_sha256();
}

int
cert_x509_sign(X509 *x, EVP_PKEY *signer, struct cert_err *e)
{
	if (X509_sign(x, signer, cert_md_for(signer)) <= 0)
		return cert_err_set(e, "cert", "signing failed");
	return 0;
}

int
cert_pair_fill(struct cert_pair *out, X509 *x, EVP_PKEY *k,
    STACK_OF(X509) *chain, struct cert_err *e)
{
	BIO	*b = NULL;
	char	*data;
	long	 n;
	int	 i;

	memset(out, 0, sizeof(*out));
	if ((out->cert_pem = cert_x509_to_pem(x)) == NULL ||
	    (k != NULL && (out->key_pem = cert_key_to_pem(k)) == NULL) ||
	    cert_x509_serial_hex(x, out->serial, sizeof(out->serial)) == -1)
		goto fail;
	if (chain != NULL && sk_X509_num(chain) > 0) {
		if ((b = BIO_new(BIO_s_mem())) == NULL)
			goto fail;
		for (i = 0; i < sk_X509_num(chain); i++)
			if (!PEM_write_bio_X509(b, sk_X509_value(chain, i)))
				goto fail;
		n = BIO_get_mem_data(b, &data);
		if ((out->chain_pem = strndup(data, (size_t)n)) == NULL)
			goto fail;
		BIO_free(b);
	}
	return 0;
fail:
	BIO_free(b);
	cert_pair_clear(out);
	return cert_err_set(e, "cert", "out of memory");
}

void
cert_pair_clear(struct cert_pair *p)
{
	free(p->cert_pem);
	cert_str_free(p->key_pem);
	free(p->chain_pem);
	memset(p, 0, sizeof(*p));
}

int
cert_check_validity(X509 *x, const char *field, struct cert_err *e)
{
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0)
		return cert_err_set(e, field, "the certificate has expired");
	if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0)
		return cert_err_set(e, field, "the certificate is not valid "
		    "yet");
	return 0;
}

int
cert_ca_create(const struct cert_ca_params *p, struct cert_pair *out,
    struct cert_err *e)
{
	EVP_PKEY	*k;
	X509		*x = NULL;
	int		 years = p->years ? p->years : 10;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if (years < 1 || years > 30)
		return cert_err_set(e, "years", "CA validity must be 1 to 30 "
		    "years, not %d", years);
	if ((k = cert_key_generate(&p->key, e)) == NULL)
		return -1;
	x = cert_x509_new(k, NULL, p->cn ? p->cn : "roadgate CA", p->org,
	    p->country, years * 365 + years / 4, e);
	if (x == NULL)
		goto out;
	if (cert_add_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE") ||
	    cert_add_ext(x, NULL, NID_key_usage,
	    "critical,keyCertSign,cRLSign") ||
	    cert_add_ext(x, NULL, NID_subject_key_identifier, "hash") ||
	    cert_add_ext(x, NULL, NID_authority_key_identifier,
	    "keyid:always")) {
		cert_err_set(e, "cert", "cannot add CA extensions");
		goto out;
	}
	if (cert_x509_sign(x, k, e) == -1 ||
	    cert_pair_fill(out, x, k, NULL, e) == -1)
		goto out;
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

void
cert_ca_clear(struct cert_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	sk_X509_pop_free(ca->chain, X509_free);
	memset(ca, 0, sizeof(*ca));
}

int
cert_ca_load(struct cert_ca *ca, const char *cert_pem, const char *key_pem,
    const char *key_pass, const char *chain_pem, struct cert_err *e)
{
	STACK_OF(X509)	*more = NULL;

	memset(ca, 0, sizeof(*ca));
	if ((ca->chain = cert_x509_load_all(cert_pem, "cert", e)) == NULL)
		goto fail;
	ca->cert = sk_X509_shift(ca->chain);
	if (chain_pem != NULL && *chain_pem != '\0') {
		if ((more = cert_x509_load_all(chain_pem, "chain", e)) == NULL)
			goto fail;
		while (sk_X509_num(more) > 0)
			sk_X509_push(ca->chain, sk_X509_shift(more));
		sk_X509_free(more);
	}
	if ((ca->key = cert_key_load(key_pem, key_pass, "key", e)) == NULL)
		goto fail;
	/* RFC 5280 4.2.1.9 and 4.2.1.3: CA:TRUE and keyCertSign if present. */
	if (X509_check_ca(ca->cert) != 1) {
		cert_err_set(e, "cert", "the certificate is not a CA "
		    "(basicConstraints CA:TRUE with keyCertSign required)");
		goto fail;
	}
	if (!cert_key_matches(ca->cert, ca->key)) {
		cert_err_set(e, "key", "the key does not match the CA "
		    "certificate");
		goto fail;
	}
	return 0;
fail:
	cert_ca_clear(ca);
	return -1;
}

int
cert_ca_import(const char *cert_pem, const char *key_pem,
    const char *key_pass, const char *chain_pem, struct cert_pair *out,
    struct cert_err *e)
{
	struct cert_ca	 ca;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if (cert_ca_load(&ca, cert_pem, key_pem, key_pass, chain_pem, e) == -1)
		return -1;
	if (cert_check_validity(ca.cert, "cert", e) == -1 ||
	    cert_key_check_strength(ca.key, "key", e) == -1)
		goto out;
	rc = cert_pair_fill(out, ca.cert, ca.key, ca.chain, e);
out:
	cert_ca_clear(&ca);
	return rc;
}
