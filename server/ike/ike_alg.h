/*
 * ike_alg.h: the algorithm table IKEv1 and IKEv2 share.  One row per
 * algorithm and key size, carrying its IKEv2 transform id (RFC 7296 3.3.2,
 * IANA "IKEv2 Transform Type" registries) beside its IKEv1 numbers: the
 * phase-1 attribute value (RFC 2409 Appendix A, IANA "IKE Attributes":
 * Encryption Algorithm, Hash Algorithm, Group Description) and the IPsec
 * DOI value for ESP (RFC 2407 4.4.4 ESP transform id, 4.5 Authentication
 * Algorithm attribute), with its strongSwan-style keyword, OpenSSL name
 * and sizes.  The IKEv2 code sees a row as a struct ikev2_xform
 * (ikev2_xform.h).
 */
#ifndef IKE_ALG_H
#define IKE_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a row is; the values are IKEv2's transform types (RFC 7296 3.3.2). */
enum ike_alg_type {
	IKE_ALG_ENCR = 1,
	IKE_ALG_PRF = 2,
	IKE_ALG_INTEG = 3,
	IKE_ALG_DH = 4,
	IKE_ALG_ESN = 5,
};

struct ike_alg {
	uint8_t		 type;		/* enum ike_alg_type */
	uint16_t	 id;		/* IKEv2 transform id */
	uint16_t	 keylen;	/* bits, as in the Key Length attribute; 0 n/a */
	const char	*name;		/* log name: "AES_GCM_16_256" */
	const char	*kw;		/* proposal keyword: "aes256gcm16" */
	const char	*evp;		/* EVP cipher/digest name, group name */
	size_t		 key;		/* key bytes (ENCR: + salt) */
	size_t		 out;		/* PRF output / INTEG ICV / DH public len */
	size_t		 iv;		/* ENCR: IV bytes in the payload */
	size_t		 block;		/* ENCR: padding block */
	size_t		 salt;		/* ENCR AEAD: salt bytes inside key */
	size_t		 icv;		/* ENCR AEAD: tag bytes */
	bool		 aead;
	/*
	 * IKEv1 (0 = not defined for IKEv1).  v1_p1: the phase-1 attribute
	 * value, by type: ENCR Encryption Algorithm (class 1), PRF Hash
	 * Algorithm (class 2; IKEv1's prf is the HMAC of it), DH Group
	 * Description (class 4, also quick mode's PFS group).  v1_esp: ENCR
	 * the IPsec DOI ESP transform id, INTEG the Authentication Algorithm
	 * attribute (class 5).
	 */
	uint16_t	 v1_p1;
	uint16_t	 v1_esp;
};

/* IKEv2: exact match on type, id and key length (0 = any for fixed-key
 * ones). */
const struct ike_alg *ike_alg_find(uint8_t type, uint16_t id,
		    uint16_t keylen);
/* IKEv1 phase 1 (v1_p1) or IPsec DOI ESP (v1_esp) numbers, same key-length
 * rule as ike_alg_find(). */
const struct ike_alg *ike_alg_find_v1p1(uint8_t type, uint16_t v1_id,
		    uint16_t keylen);
const struct ike_alg *ike_alg_find_v1esp(uint8_t type, uint16_t v1_id,
		    uint16_t keylen);
/* Keyword lookup; alias handling ("aes" = "aes128", "sha" = "sha1"). */
const struct ike_alg *ike_alg_by_kw(const char *kw);
/* The whole table, for tests and listings. */
const struct ike_alg *ike_alg_table(size_t *n);

#endif
