/*
 * cert_key.c: private keys and PEM loading for certs/.
 *
 * Owns: key generation (ECDSA P-256, RSA 2048-4096), the strength policy,
 * keys at rest as encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo with
 * PBES2/PBKDF2 + AES-256-CBC, RFC 8018 section 6.2), loading keys and
 * certificates from PEM strings with errors that name the field, the
 * key/certificate match check, and the shared error/string helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "certs/cert.h"

int
cert_err_set(struct cert_err *e, const char *field, const char *fmt, ...)
{
	va_list	 ap;

	ERR_clear_error();
	if (e == NULL)
		return -1;
	snprintf(e->field, sizeof(e->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return -1;
}

void
cert_str_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* Copies a memory BIO's contents into a NUL-terminated malloc'd string. */
static char *
bio_to_str(BIO *b)
{
	char	*data, *s;
	long	 n;

	n = BIO_get_mem_data(b, &data);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static const struct {
	const char		*name;
	enum cert_key_alg	 alg;
	int			 bits;
} keyspecs[] = {
	{ "ecdsa-p256",	CERT_KEY_EC,	256 },
	{ "ecdsa",	CERT_KEY_EC,	256 },
	{ "ec",		CERT_KEY_EC,	256 },
	{ "rsa2048",	CERT_KEY_RSA,	2048 },
	{ "rsa3072",	CERT_KEY_RSA,	3072 },
	{ "rsa4096",	CERT_KEY_RSA,	4096 },
	{ "rsa",	CERT_KEY_RSA,	3072 },
};

int
cert_keyspec_parse(const char *name, struct cert_keyspec *ks,
    struct cert_err *e)
{
	size_t	 i;
	char	*end;
	long	 bits;

	if (name == NULL || *name == '\0') {
		*ks = CERT_KEYSPEC_DEFAULT;
		return 0;
	}
	for (i = 0; i < sizeof(keyspecs) / sizeof(keyspecs[0]); i++) {
		if (strcmp(name, keyspecs[i].name) == 0) {
			ks->alg = keyspecs[i].alg;
			ks->bits = keyspecs[i].bits;
			return 0;
		}
	}
	/* "rsa1024" and the like: a known algorithm with a refused size. */
	if (strncmp(name, "rsa", 3) == 0 && name[3] >= '0' && name[3] <= '9') {
		bits = strtol(name + 3, &end, 10);
		if (*end == '\0') {
			ks->alg = CERT_KEY_RSA;
			ks->bits = (int)(bits > 65536 ? 65536 : bits);
			return cert_keyspec_check(ks, e);
		}
	}
	return cert_err_set(e, "key_type", "unknown key type \"%s\" (use "
	    "ecdsa-p256, rsa2048, rsa3072 or rsa4096)", name);
}

int
cert_keyspec_check(const struct cert_keyspec *ks, struct cert_err *e)
{
	switch (ks->alg) {
	case CERT_KEY_EC:
		if (ks->bits != 256)
			return cert_err_set(e, "bits",
			    "ECDSA keys are P-256 (256 bits), not %d", ks->bits);
		return 0;
	case CERT_KEY_RSA:
		if (ks->bits < 2048)
			return cert_err_set(e, "bits", "RSA keys of %d bits are "
			    "too weak (2048 at least)", ks->bits);
		if (ks->bits != 2048 && ks->bits != 3072 && ks->bits != 4096)
			return cert_err_set(e, "bits", "RSA keys are 2048, 3072 "
			    "or 4096 bits, not %d", ks->bits);
		return 0;
	}
	return cert_err_set(e, "key_type", "unknown key algorithm");
}

const char *
cert_keyspec_name(const struct cert_keyspec *ks)
{
	if (ks->alg == CERT_KEY_EC)
		return "ecdsa-p256";
	switch (ks->bits) {
	case 2048:
		return "rsa2048";
	case 3072:
		return "rsa3072";
	case 4096:
		return "rsa4096";
	}
	return "rsa";
}

EVP_PKEY *
cert_key_generate(const struct cert_keyspec *ks, struct cert_err *e)
{
	EVP_PKEY	*k;

	if (cert_keyspec_check(ks, e) == -1)
		return NULL;
	if (ks->alg == CERT_KEY_EC)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)ks->bits);
	if (k == NULL)
		cert_err_set(e, "key_type", "key generation failed");
	return k;
}

int
cert_key_check_strength(EVP_PKEY *k, const char *field, struct cert_err *e)
{
	char	 group[64];
	size_t	 glen;

	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(k) < 2048)
			return cert_err_set(e, field, "RSA key of %d bits is too "
			    "weak (2048 at least)", EVP_PKEY_get_bits(k));
		return 0;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(k,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen))
			return cert_err_set(e, field, "EC key without a named "
			    "curve");
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "secp384r1") != 0 &&
		    strcmp(group, "secp521r1") != 0)
			return cert_err_set(e, field, "EC curve %s is not "
			    "supported (P-256, P-384, P-521)", group);
		return 0;
	}
	return cert_err_set(e, field, "key algorithm %s is not supported "
	    "(RSA or ECDSA)", EVP_PKEY_get0_type_name(k));
}

char *
cert_key_to_pem(EVP_PKEY *k)
{
	BIO	*b;
	char	*s = NULL;

	if ((b = BIO_new(BIO_s_secmem())) == NULL)
		return NULL;
	if (PEM_write_bio_PKCS8PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		s = bio_to_str(b);
	BIO_free(b);
	return s;
}

/* PEM password callback: the password passed as u, or failure when none. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char	*pass = u;
	size_t		 n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

static bool
pem_is_encrypted(const char *pem)
{
	return strstr(pem, "BEGIN ENCRYPTED PRIVATE KEY") != NULL ||
	    strstr(pem, "Proc-Type: 4,ENCRYPTED") != NULL;
}

EVP_PKEY *
cert_key_load(const char *pem, const char *pass, const char *field,
    struct cert_err *e)
{
	BIO		*b;
	EVP_PKEY	*k;
	bool		 enc;

	if (pem == NULL || strstr(pem, "PRIVATE KEY-----") == NULL) {
		cert_err_set(e, field, "not a PEM private key");
		return NULL;
	}
	enc = pem_is_encrypted(pem);
	if (enc && (pass == NULL || *pass == '\0')) {
		cert_err_set(e, "password", "the %s is encrypted: a password "
		    "is required", field);
		return NULL;
	}
	if ((b = BIO_new_mem_buf(pem, -1)) == NULL) {
		cert_err_set(e, field, "out of memory");
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)pass);
	BIO_free(b);
	if (k == NULL) {
		if (enc)
			cert_err_set(e, "password", "wrong password for the %s",
			    field);
		else
			cert_err_set(e, field, "cannot parse the PEM private "
			    "key");
		return NULL;
	}
	ERR_clear_error();
	return k;
}

char *
cert_key_encrypt_pem(const char *key_pem, const char *pass, struct cert_err *e)
{
	EVP_PKEY	*k;
	BIO		*b = NULL;
	char		*s = NULL;

	if (pass == NULL || *pass == '\0') {
		cert_err_set(e, "password", "an empty passphrase is refused");
		return NULL;
	}
	if ((k = cert_key_load(key_pem, NULL, "key", e)) == NULL)
		return NULL;
	if ((b = BIO_new(BIO_s_secmem())) == NULL ||
	    !PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0,
	    pass_cb, (void *)pass) || (s = bio_to_str(b)) == NULL)
		cert_err_set(e, "key", "cannot encrypt the key");
	BIO_free(b);
	EVP_PKEY_free(k);
	return s;
}

char *
cert_key_decrypt_pem(const char *enc_pem, const char *pass, struct cert_err *e)
{
	EVP_PKEY	*k;
	char		*s;

	if ((k = cert_key_load(enc_pem, pass, "key", e)) == NULL)
		return NULL;
	if ((s = cert_key_to_pem(k)) == NULL)
		cert_err_set(e, "key", "out of memory");
	EVP_PKEY_free(k);
	return s;
}

STACK_OF(X509) *
cert_x509_load_all(const char *pem, const char *field, struct cert_err *e)
{
	STACK_OF(X509)	*sk;
	BIO		*b;
	X509		*x;

	if (pem == NULL || strstr(pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		cert_err_set(e, field, "not a PEM certificate");
		return NULL;
	}
	if ((sk = sk_X509_new_null()) == NULL ||
	    (b = BIO_new_mem_buf(pem, -1)) == NULL) {
		sk_X509_free(sk);
		cert_err_set(e, field, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	}
	BIO_free(b);
	ERR_clear_error();	/* the loop ends on "no start line" */
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		cert_err_set(e, field, "cannot parse the PEM certificate");
		return NULL;
	}
	return sk;
}

X509 *
cert_x509_load(const char *pem, const char *field, struct cert_err *e)
{
	STACK_OF(X509)	*sk;
	X509		*x;

	if ((sk = cert_x509_load_all(pem, field, e)) == NULL)
		return NULL;
	x = sk_X509_shift(sk);
	sk_X509_pop_free(sk, X509_free);
	return x;
}

char *
cert_x509_to_pem(X509 *x)
{
	BIO	*b;
	char	*s = NULL;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_X509(b, x))
		s = bio_to_str(b);
	BIO_free(b);
	return s;
}

bool
cert_key_matches(X509 *x, EVP_PKEY *k)
{
	EVP_PKEY	*pub = X509_get0_pubkey(x);
	bool		 ok;

	ok = pub != NULL && EVP_PKEY_eq(pub, k) == 1;
	ERR_clear_error();
	return ok;
}

int
cert_key_match_pem(const char *cert_pem, const char *key_pem,
    const char *pass, struct cert_err *e)
{
	X509		*x;
	EVP_PKEY	*k = NULL;
	int		 rc = -1;

	if ((x = cert_x509_load(cert_pem, "cert", e)) == NULL ||
	    (k = cert_key_load(key_pem, pass, "key", e)) == NULL)
		goto out;
	if (!cert_key_matches(x, k)) {
		cert_err_set(e, "key", "the key does not match the "
		    "certificate");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(k);
	X509_free(x);
	return rc;
}
