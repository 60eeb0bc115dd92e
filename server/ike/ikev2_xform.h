/*
 * ikev2_xform.h: the IKEv2 transform table (RFC 7296 3.3.2, IANA "IKEv2
 * Transform Type" registries, RFC 5282 AEAD, RFC 7634 ChaCha20-Poly1305,
 * RFC 8031 Curve25519), the IKEv2 view of the shared table in
 * ike_alg.c: lookups by IKEv2 id and keyword, names for logs.
 */
#ifndef IKEV2_XFORM_H
#define IKEV2_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_alg.h"

enum ikev2_encr_id {
	IKEV2_ENCR_3DES = 3,
	IKEV2_ENCR_AES_CBC = 12,
	IKEV2_ENCR_AES_GCM_16 = 20,
	IKEV2_ENCR_CHACHA20_POLY1305 = 28,
};

enum ikev2_prf_id {
	IKEV2_PRF_HMAC_SHA1 = 2,
	IKEV2_PRF_HMAC_SHA2_256 = 5,
	IKEV2_PRF_HMAC_SHA2_384 = 6,
	IKEV2_PRF_HMAC_SHA2_512 = 7,
};

enum ikev2_integ_id {
	IKEV2_INTEG_NONE = 0,
	IKEV2_INTEG_HMAC_SHA1_96 = 2,
	IKEV2_INTEG_HMAC_SHA2_256_128 = 12,
	IKEV2_INTEG_HMAC_SHA2_384_192 = 13,
	IKEV2_INTEG_HMAC_SHA2_512_256 = 14,
};

enum ikev2_dh_id {
	IKEV2_DH_NONE = 0,
	IKEV2_DH_MODP1024 = 2,
	IKEV2_DH_MODP2048 = 14,
	IKEV2_DH_MODP3072 = 15,
	IKEV2_DH_MODP4096 = 16,
	IKEV2_DH_MODP6144 = 17,
	IKEV2_DH_MODP8192 = 18,
	IKEV2_DH_ECP256 = 19,
	IKEV2_DH_ECP384 = 20,
	IKEV2_DH_ECP521 = 21,
	IKEV2_DH_CURVE25519 = 31,
};

/*
 * A transform is a row of the shared algorithm table (ike_alg.h); the
 * IKEv2 code keeps calling it by its IKEv2 name.
 */
#define ikev2_xform	ike_alg

/* Exact match on type, id and key length (0 = any for fixed-key ones). */
const struct ikev2_xform *ikev2_xform_find(uint8_t type, uint16_t id,
			    uint16_t keylen);
/* Keyword lookup; alias handling ("aes" = "aes128", "sha" = "sha1"). */
const struct ikev2_xform *ikev2_xform_by_kw(const char *kw);
/* Name for logs; unknown ones as "ENCR_99" in buf. */
const char	*ikev2_xform_name(uint8_t type, uint16_t id, uint16_t keylen,
		    char *buf, size_t len);
const char	*ikev2_xf_type_name(uint8_t type);
/* A key exchange method (DH or RFC 9370 ADDKE id): "ECP_256", "ML-KEM-768",
 * "NONE", else "KE_99" in buf. */
const char	*ikev2_ke_method_name(uint16_t id, char *buf, size_t len);

#endif
