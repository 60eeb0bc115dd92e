/*
 * cred.h: the server's credentials and trust anchors, one set per
 * configuration snapshot (rg_config.pki), shared by IKEv2 certificate
 * AUTH, EAP-TLS and (next) IKEv1 signatures and hybrid auth.
 *
 * - Our private key is parsed once per snapshot and never leaves cred.c:
 *   callers get signatures (cred_sign) or a TLS server context that holds
 *   it (cred_tls_ctx), so signing can move to a separate process later.
 * - A peer's certificate is verified in one place (cred_verify_peer):
 *   chain to our trust anchors, the CRL (fail closed: a CRL that does not
 *   parse refuses every certificate), the client EKU, the identity the
 *   peer claimed, and the user record it maps to (present and enabled).
 *
 * Client EKU rule (RFC 5280 4.2.1.12, RFC 4945 5.1.3.12): no
 * extendedKeyUsage at all, or one naming clientAuth or
 * anyExtendedKeyUsage; for IKE also id-kp-ipsecIKE.  A serverAuth-only
 * certificate is refused as a client, in IKE and EAP-TLS alike.
 *
 * Certificate -> user (rg_config_user records): the candidates are the
 * identity the peer claimed (a DN identity gives its CN; an e-mail or
 * FQDN identity its text), else for EAP-TLS the first e-mail/DNS
 * subjectAltName; then the certificate's subject CN (our CA issues CN =
 * user).  The first candidate with a user record wins; names compare
 * exactly first, then case-insensitively when that finds one user only.
 * No record (a deleted user) or a disabled one refuses the certificate.
 * Identities are never cut: one too long for its buffer is refused.
 */
#ifndef RG_CRED_H
#define RG_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "rg_config.h"

struct cred;

/*
 * The credentials of snapshot cfg: parsed on first use, then kept with
 * the snapshot (freed by rg_config_unref).  A cache, not configuration:
 * what cfg says never changes.  NULL only when out of memory; parts that
 * do not load are logged once and reported by cred_has_key() etc.
 */
struct cred	*cred_of(const struct rg_config *cfg);
/* Times a server private key was parsed since start (tests). */
unsigned long	 cred_key_parses(void);

/* ---- our side ---- */
enum cred_key {
	CRED_KEY_NONE,
	CRED_KEY_RSA,
	CRED_KEY_EC,
};

enum cred_hash {
	CRED_SHA1,
	CRED_SHA256,
	CRED_SHA384,
	CRED_SHA512,
};

/* A key and the certificate that matches it. */
bool		 cred_has_key(const struct cred *);
enum cred_key	 cred_key_type(const struct cred *);
int		 cred_key_bits(const struct cred *);
/*
 * Sign data with our key, hashing with h: RSASSA-PKCS1-v1_5 for an RSA
 * key, a DER ECDSA-Sig-Value (X9.62) for an EC key.  *siglen: in the size
 * of sig, out the signature's length.  0 ok, -1 (no key, sig too small).
 */
int		 cred_sign(const struct cred *, enum cred_hash h,
		    const uint8_t *data, size_t len, uint8_t *sig,
		    size_t *siglen) __attribute__((warn_unused_result));
/*
 * Sign a hash computed by the caller (IKEv1, RFC 2409 5.1: the RSA
 * signature is PKCS#1 v1.5 type 1 padding over the bare hash, without a
 * DigestInfo; ECDSA, RFC 4754: the hash is signed as it is, DER out).
 * Same contract as cred_sign.
 */
int		 cred_sign_hash(const struct cred *, const uint8_t *hash,
		    size_t hlen, uint8_t *sig, size_t *siglen)
		    __attribute__((warn_unused_result));
/* Our certificate (i == 0) and chain (i > 0); NULL past the end.
 * Borrowed, public. */
X509		*cred_cert(const struct cred *, size_t i);
/*
 * A TLS 1.2 server context (EAP-TLS, RFC 5216) with our certificate,
 * chain and key, our CAs as the acceptable client CAs, the client
 * certificate required and verified by cred (chain, CRL, EKU for
 * CRED_USE_TLS).  Borrowed: lives as long as the snapshot (SSL_new takes
 * its own reference).  NULL when no key, certificate or CA is loaded.
 * A callback set with SSL_set_verify() hears each verification failure.
 */
SSL_CTX		*cred_tls_ctx(struct cred *);

/* ---- trust anchors and peers ---- */
bool		 cred_has_ca(const struct cred *);
/* SHA-1 of our first CA's subjectPublicKeyInfo (CERTREQ, RFC 7296
 * 3.7), 20 bytes; NULL when no CA. */
const uint8_t	*cred_ca_keyid(const struct cred *);

enum cred_use {
	CRED_USE_IKE,	/* IKE certificate AUTH (client side) */
	CRED_USE_TLS,	/* EAP-TLS client certificate */
};

/* The IKE ID types (RFC 7296 3.5; the same numbers in RFC 2407 4.6.2.1). */
enum cred_id_type {
	CRED_ID_IPV4 = 1,
	CRED_ID_FQDN = 2,
	CRED_ID_RFC822 = 3,
	CRED_ID_IPV6 = 5,
	CRED_ID_DN = 9,
	CRED_ID_KEY_ID = 11,
};

struct cred_id {
	uint8_t		 type;		/* enum cred_id_type */
	const uint8_t	*data;		/* borrowed */
	size_t		 len;
};

#define CRED_USER_MAX	128	/* user names, with the NUL */

/*
 * Printable identity for logs and PSK lookups: addresses, e-mail and
 * FQDN text (non-printable bytes as '?'), a DN in RFC 2253 form.  -1
 * (out holds "") when it does not fit len: never cut.
 */
int		 cred_id_text(const struct cred_id *, char *out, size_t len);

/*
 * Verify a peer's certificate leaf (untrusted: the intermediates it sent,
 * may be NULL): chain and CRL, client EKU for use, that id (NULL: none
 * claimed, EAP-TLS) is in its subjectAltName or is its subject DN, and
 * the user it maps to.  0 with user (CRED_USER_MAX) set; -1 with why
 * filled for the log.
 */
int		 cred_verify_peer(struct cred *, X509 *leaf,
		    STACK_OF(X509) *untrusted, enum cred_use use,
		    const struct cred_id *id, char user[CRED_USER_MAX],
		    char *why, size_t whylen)
		    __attribute__((warn_unused_result));
/* Only the user mapping of cred_verify_peer (a chain already verified,
 * e.g. by the TLS handshake). */
int		 cred_peer_user(struct cred *, X509 *leaf,
		    const struct cred_id *id, char user[CRED_USER_MAX],
		    char *why, size_t whylen)
		    __attribute__((warn_unused_result));

#endif /* RG_CRED_H */
