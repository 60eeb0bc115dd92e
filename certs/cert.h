/*
 * cert.h: roadgate's certificate authority library (certs/).
 *
 * Pure functions over PEM strings, on OpenSSL 3 (EVP_PKEY, X509, X509_CRL,
 * PKCS12): keys (generation, encryption at rest, match checks), the CA
 * (create, import), server and client certificates (RFC 5280 profiles plus
 * what each client OS checks, PRODUCT.md facts 2 and 7), CRLs (RFC 5280
 * section 5), PKCS#12 and PEM exports (RFC 7292, PRODUCT.md fact 10) and a
 * JSON summary for the API.  Nothing here touches the store or the network.
 *
 * Errors: every function that can fail on admin input fills a struct
 * cert_err with the name of the offending field ("key", "password",
 * "cert", "key_type", "bits", "names", ...) and a sentence, which the API
 * turns into {"error": why, "field": field}.
 *
 * Strings returned as "char *" are owned by the caller; those holding
 * private keys or passwords must be released with cert_str_free(), which
 * wipes them (OPENSSL_cleanse).  Plain ones may be released the same way.
 */
#ifndef RG_CERT_H
#define RG_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

struct cert_err {
	char	 field[32];	/* e.g. "key", "password", "bits" */
	char	 why[192];	/* human-readable sentence */
};

/* Fills e (when not NULL); always returns -1 so callers can "return". */
int	 cert_err_set(struct cert_err *e, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Wipes and frees a string (NULL is a no-op). */
void	 cert_str_free(char *s);

/* ---- keys (cert_key.c) ---- */

enum cert_key_alg {
	CERT_KEY_EC,			/* ECDSA P-256 */
	CERT_KEY_RSA,
};

struct cert_keyspec {
	enum cert_key_alg	 alg;
	int			 bits;	/* RSA: 2048/3072/4096; EC: 256 */
};

#define CERT_KEYSPEC_DEFAULT	((struct cert_keyspec){ CERT_KEY_EC, 256 })

/*
 * "ecdsa-p256" (also "ec", "ecdsa"), "rsa2048", "rsa3072", "rsa4096"
 * (also "rsa" = 3072).  NULL or "" gives the default (ECDSA P-256).
 * Unknown names fail with field "key_type"; RSA under 2048 bits with
 * field "bits".
 */
int	 cert_keyspec_parse(const char *name, struct cert_keyspec *ks,
	    struct cert_err *e);
/* Validates a spec built by hand (field "key_type" / "bits"). */
int	 cert_keyspec_check(const struct cert_keyspec *ks, struct cert_err *e);
/* "ecdsa-p256", "rsa3072", ... into a static buffer-free name. */
const char *cert_keyspec_name(const struct cert_keyspec *ks);

/* New key; NULL on failure. */
EVP_PKEY *cert_key_generate(const struct cert_keyspec *ks, struct cert_err *e);
/* Rejects RSA < 2048 and curves other than P-256/P-384 (field names it). */
int	 cert_key_check_strength(EVP_PKEY *k, const char *field,
	    struct cert_err *e);

/* Unencrypted PKCS#8 PEM of k; caller cert_str_free()s it. */
char	*cert_key_to_pem(EVP_PKEY *k);
/*
 * Loads a private key from PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1).
 * pass may be NULL for unencrypted keys.  Failures name `field` (a bad
 * PEM) or "password" (an encrypted key with a missing or wrong password).
 */
EVP_PKEY *cert_key_load(const char *pem, const char *pass, const char *field,
	    struct cert_err *e);
/*
 * At rest: encrypted PKCS#8 PEM (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256).
 * encrypt takes any key PEM loadable without a password; decrypt returns
 * an unencrypted PKCS#8 PEM.  Both results must be cert_str_free()d.
 */
char	*cert_key_encrypt_pem(const char *key_pem, const char *pass,
	    struct cert_err *e);
char	*cert_key_decrypt_pem(const char *enc_pem, const char *pass,
	    struct cert_err *e);

/* First certificate of a PEM string; failures name `field`. */
X509	*cert_x509_load(const char *pem, const char *field, struct cert_err *e);
/* Every certificate of a PEM string (at least one). */
STACK_OF(X509) *cert_x509_load_all(const char *pem, const char *field,
	    struct cert_err *e);
char	*cert_x509_to_pem(X509 *x);
/* Public key of x equals k's. */
bool	 cert_key_matches(X509 *x, EVP_PKEY *k);
/* PEM convenience: 0 when the key matches, else -1 with field "key". */
int	 cert_key_match_pem(const char *cert_pem, const char *key_pem,
	    const char *pass, struct cert_err *e);

/* ---- the CA (cert_ca.c) ---- */

/* A loaded CA: what signing needs. */
struct cert_ca {
	X509		*cert;		/* owned; the issuing CA */
	EVP_PKEY	*key;		/* owned; its private key */
	STACK_OF(X509)	*chain;		/* owned; intermediates above it, may be empty */
};

struct cert_ca_params {
	struct cert_keyspec	 key;	/* default ECDSA P-256 */
	int			 years;	/* 0: 10 */
	const char		*cn;	/* NULL: "roadgate CA" */
	const char		*org;	/* may be NULL */
	const char		*country;	/* 2 letters or NULL */
};

/* A certificate with its key, as PEM strings, both owned. */
struct cert_pair {
	char	*cert_pem;	/* leaf or CA certificate */
	char	*key_pem;	/* unencrypted PKCS#8; wiped by cert_pair_clear */
	char	*chain_pem;	/* intermediates (CA import) or NULL */
	char	 serial[48];	/* hex, upper case */
};

void	 cert_pair_clear(struct cert_pair *p);

/*
 * New self-signed CA: basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign+cRLSign (critical), SKI, AKI.  Fields: "key_type", "bits",
 * "years", "cn".
 */
int	 cert_ca_create(const struct cert_ca_params *p, struct cert_pair *out,
	    struct cert_err *e);
/*
 * Imports an existing CA: cert_pem holds the CA certificate, optionally
 * followed by intermediates (or give them in chain_pem); key_pem its key
 * (encrypted keys need key_pass).  Checks: the key matches ("key"), the
 * certificate is a CA ("cert"), it is within its validity ("cert"), the
 * password ("password").
 */
int	 cert_ca_import(const char *cert_pem, const char *key_pem,
	    const char *key_pass, const char *chain_pem, struct cert_pair *out,
	    struct cert_err *e);
/* Loads a CA for signing; key_pass may be NULL. */
int	 cert_ca_load(struct cert_ca *ca, const char *cert_pem,
	    const char *key_pem, const char *key_pass, const char *chain_pem,
	    struct cert_err *e);
void	 cert_ca_clear(struct cert_ca *ca);

/* ---- leaves (cert_issue.c) ---- */

#define CERT_OID_IKE_INTERMEDIATE	"1.3.6.1.5.5.8.2.2"

struct cert_server_params {
	const char *const	*names;	/* DNS names and IP addresses; [0] is CN */
	size_t			 nnames;
	struct cert_keyspec	 key;
	int			 days;	/* 0: 825 */
	const char		*crl_url;	/* CRL distribution point or NULL */
};

struct cert_client_params {
	const char		*user;	/* CN */
	const char		*san_email;	/* rfc822Name or NULL */
	const char		*san_dns;	/* dNSName or NULL */
	struct cert_keyspec	 key;
	int			 days;	/* 0: 730 */
	const char		*crl_url;
};

/*
 * Server certificate: CN = names[0]; SAN dNSName for every name, iPAddress
 * for each IP plus the same IP as a dNSName (Windows, PRODUCT.md fact 2);
 * EKU serverAuth + IKE intermediate; keyUsage digitalSignature (+
 * keyEncipherment for RSA); SKI/AKI; CRL DP when crl_url.  Fields:
 * "names", "key_type", "bits", "days".
 */
int	 cert_server_issue(const struct cert_ca *ca,
	    const struct cert_server_params *p, struct cert_pair *out,
	    struct cert_err *e);
/*
 * Client certificate: CN = user; SAN rfc822Name or dNSName; EKU
 * clientAuth; keyUsage digitalSignature.  Fields: "user", "san_email",
 * "san_dns", "key_type", "bits", "days".
 */
int	 cert_client_issue(const struct cert_ca *ca,
	    const struct cert_client_params *p, struct cert_pair *out,
	    struct cert_err *e);
/*
 * An existing leaf with its key (server-cert import): key matches ("key"),
 * within validity ("cert"), not a CA ("cert"), key strength ("key").
 * cert_pem may carry the chain after the leaf (kept in out->chain_pem).
 */
int	 cert_leaf_import(const char *cert_pem, const char *key_pem,
	    const char *key_pass, struct cert_pair *out, struct cert_err *e);
/* 0 when cert_pem chains to ca_pem (X509_verify_cert), else field "cert". */
int	 cert_verify_pem(const char *cert_pem, const char *ca_pem,
	    const char *chain_pem, const char *crl_pem, struct cert_err *e);

/* ---- CRLs (cert_crl.c) ---- */

/* RFC 5280 5.3.1 reason codes (CRL_REASON_*) by name. */
int	 cert_reason_parse(const char *name, int *reason, struct cert_err *e);
const char *cert_reason_name(int reason);

struct cert_revoked {
	const char	*serial;	/* hex */
	time_t		 when;
	int		 reason;	/* CRL_REASON_*, or -1 for none */
};

/*
 * A v2 CRL signed by the CA: thisUpdate now, nextUpdate now + days (0: 7),
 * cRLNumber `number` (the caller keeps it increasing), AKI.
 */
int	 cert_crl_build(const struct cert_ca *ca, const struct cert_revoked *r,
	    size_t n, uint64_t number, int days, char **crl_pem,
	    struct cert_err *e);
/* Reads back a CRL's number and nextUpdate (for regeneration). */
int	 cert_crl_info(const char *crl_pem, uint64_t *number, time_t *next);

/* ---- exports (cert_export.c) ---- */

enum cert_p12_mode {
	CERT_P12_LEGACY,	/* PBE-SHA1-3DES + SHA1 MAC: the default */
	CERT_P12_MODERN,	/* PBES2 AES-256-CBC/PBKDF2 + SHA-256 MAC */
};

/*
 * PKCS#12 of a certificate, its key and the CA chain (chain_pem may be
 * NULL), with friendlyName.  An empty or NULL password is refused
 * ("password").  *der is OPENSSL_malloc'd; free with OPENSSL_free.
 */
int	 cert_p12_export(const char *cert_pem, const char *key_pem,
	    const char *chain_pem, const char *friendly, const char *pass,
	    enum cert_p12_mode mode, unsigned char **der, size_t *len,
	    struct cert_err *e);
/* certificate + key + chain, concatenated PEM; cert_str_free() it. */
char	*cert_pem_export(const char *cert_pem, const char *key_pem,
	    const char *chain_pem);
/* Random password of `len` chars (unambiguous alphabet); cert_str_free(). */
char	*cert_password_generate(size_t len);
#define CERT_PASSWORD_LEN	20

/* ---- info (cert_info.c) ---- */

/*
 * {"subject", "issuer", "serial", "not_before", "not_after" (ISO 8601 UTC),
 *  "san": ["DNS:..", "IP:..", "email:.."], "eku": ["serverAuth", ..],
 *  "is_ca", "key_type", "fingerprint_sha256" (hex with colons)}.
 */
json_t	*cert_info_json(const char *cert_pem, struct cert_err *e);
/* Serial of a PEM certificate as upper-case hex; 0 or -1. */
int	 cert_serial_hex(const char *cert_pem, char *buf, size_t size);
/* not_after of a PEM certificate; 0 or -1. */
int	 cert_not_after(const char *cert_pem, time_t *t);

/* Internal helpers shared by the certs/ files (cert_ca.c). */
int	 cert_x509_serial_hex(X509 *x, char *buf, size_t size);
/* Adds an extension from its config-string form; issuer NULL = self. */
int	 cert_add_ext(X509 *x, X509 *issuer, int nid, const char *value);
/*
 * A v3 certificate skeleton: random 128-bit positive serial, notBefore
 * five minutes ago (clock skew), notAfter now + days, subject CN (+ O, C),
 * public key of `key`, issuer name of `issuer` (NULL: self).
 */
X509	*cert_x509_new(EVP_PKEY *key, X509 *issuer, const char *cn,
	    const char *org, const char *country, int days, struct cert_err *e);
/* Signs with the digest matching the key (SHA-256 for RSA and P-256). */
int	 cert_x509_sign(X509 *x, EVP_PKEY *signer, struct cert_err *e);
const EVP_MD *cert_md_for(EVP_PKEY *signer);
/* Fills out's PEMs and serial from x and k (k NULL: none). */
int	 cert_pair_fill(struct cert_pair *out, X509 *x, EVP_PKEY *k,
	    STACK_OF(X509) *chain, struct cert_err *e);
/* Validity window check: "cert" errors for expired / not yet valid. */
int	 cert_check_validity(X509 *x, const char *field, struct cert_err *e);

#endif /* RG_CERT_H */
