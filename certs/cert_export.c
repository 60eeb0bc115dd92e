/*
 * cert_export.c: PKCS#12 and PEM exports, export passwords.
 *
 * RFC 7292 (PKCS#12): the legacy form uses pbeWithSHAAnd3-KeyTripleDES-CBC
 * (appendix C) for the key bag and the certificate safe with an HMAC-SHA1
 * MAC, which macOS/iOS and Android 12 import; the modern form PBES2
 * (RFC 8018 6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC and an
 * HMAC-SHA256 MAC, OpenSSL 3's default, fine for Windows 10+ and Linux
 * (PRODUCT.md fact 10).  An empty password is refused (Windows).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>

#include "certs/cert.h"

#define CERT_P12_ITER	2048

int
cert_p12_export(const char *cert_pem, const char *key_pem,
    const char *chain_pem, const char *friendly, const char *pass,
    enum cert_p12_mode mode, unsigned char **der, size_t *len,
    struct cert_err *e)
{
	STACK_OF(X509)	*chain = NULL;
	EVP_PKEY	*k = NULL;
	X509		*x = NULL;
	PKCS12		*p12 = NULL;
	int		 nid, n, rc = -1;

	*der = NULL;
	*len = 0;
	if (pass == NULL || *pass == '\0')
		return cert_err_set(e, "password", "an empty export password "
		    "is refused (Windows cannot import it)");
	if ((x = cert_x509_load(cert_pem, "cert", e)) == NULL ||
	    (k = cert_key_load(key_pem, NULL, "key", e)) == NULL)
		goto out;
	if (!cert_key_matches(x, k)) {
		cert_err_set(e, "key", "the key does not match the "
		    "certificate");
		goto out;
	}
	if (chain_pem != NULL && *chain_pem != '\0' &&
	    (chain = cert_x509_load_all(chain_pem, "chain", e)) == NULL)
		goto out;
	nid = mode == CERT_P12_LEGACY ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC :
	    NID_aes_256_cbc;
	/* mac_iter -1: no MAC yet; set below with the digest we want. */
	p12 = PKCS12_create(pass, friendly, k, x, chain, nid, nid,
	    CERT_P12_ITER, -1, 0);
	if (p12 == NULL || !PKCS12_set_mac(p12, pass, -1, NULL, 0,
	    CERT_P12_ITER, mode == CERT_P12_LEGACY ? EVP_sha1() :
	    EVP_sha256())) {
		cert_err_set(e, "cert", "cannot build the PKCS#12 file");
		goto out;
	}
	if ((n = i2d_PKCS12(p12, der)) <= 0) {
		*der = NULL;
		cert_err_set(e, "cert", "cannot encode the PKCS#12 file");
		goto out;
	}
	*len = (size_t)n;
	rc = 0;
out:
	PKCS12_free(p12);
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(k);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

char *
cert_pem_export(const char *cert_pem, const char *key_pem,
    const char *chain_pem)
{
	size_t	 a, b, c;
	char	*s;

	a = cert_pem ? strlen(cert_pem) : 0;
	b = key_pem ? strlen(key_pem) : 0;
	c = chain_pem ? strlen(chain_pem) : 0;
	if ((s = malloc(a + b + c + 1)) == NULL)
		return NULL;
	memcpy(s, cert_pem ? cert_pem : "", a);
	memcpy(s + a, key_pem ? key_pem : "", b);
	memcpy(s + a + b, chain_pem ? chain_pem : "", c);
	s[a + b + c] = '\0';
	return s;
}

/* No 0/O/o, 1/l/I: read aloud or typed on a phone without confusion. */
static const char pw_alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

char *
cert_password_generate(size_t len)
{
	const size_t	 na = sizeof(pw_alphabet) - 1;
	const unsigned	 limit = 256 - 256 % na;	/* unbiased */
	unsigned char	 rnd[64];
	size_t		 i = 0, j;
	char		*s;

	if (len == 0 || len > 256 || (s = malloc(len + 1)) == NULL)
		return NULL;
	memset(s, 0, len + 1);
	while (i < len) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			cert_str_free(s);
			return NULL;
		}
		for (j = 0; j < sizeof(rnd) && i < len; j++)
			if (rnd[j] < limit)
				s[i++] = pw_alphabet[rnd[j] % na];
	}
	s[len] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return s;
}
