/*
 * ikev2_xform.c: the transform table (RFC 7296 3.3.2, RFC 5282, RFC 7634,
 * RFC 3526/5903/8031 groups).  Tables, not switch ladders: every
 * algorithm roadgate speaks is one row.
 */
#include <stdio.h>
#include <string.h>

#include "ikev2_msg.h"
#include "ikev2_xform.h"

#define E	IKEV2_XF_ENCR
#define P	IKEV2_XF_PRF
#define I	IKEV2_XF_INTEG
#define D	IKEV2_XF_DH
#define N	IKEV2_XF_ESN

static const struct ikev2_xform xforms[] = {
	/* type id keylen name kw evp key out iv block salt icv aead */
	{ E, 12, 128, "AES_CBC_128", "aes128", "AES-128-CBC", 16, 0, 16, 16, 0, 0, false },
	{ E, 12, 192, "AES_CBC_192", "aes192", "AES-192-CBC", 24, 0, 16, 16, 0, 0, false },
	{ E, 12, 256, "AES_CBC_256", "aes256", "AES-256-CBC", 32, 0, 16, 16, 0, 0, false },
	{ E, 20, 128, "AES_GCM_16_128", "aes128gcm16", "AES-128-GCM", 20, 0, 8, 1, 4, 16, true },
	{ E, 20, 192, "AES_GCM_16_192", "aes192gcm16", "AES-192-GCM", 28, 0, 8, 1, 4, 16, true },
	{ E, 20, 256, "AES_GCM_16_256", "aes256gcm16", "AES-256-GCM", 36, 0, 8, 1, 4, 16, true },
	{ E, 28, 0, "CHACHA20_POLY1305", "chacha20poly1305", "ChaCha20-Poly1305", 36, 0, 8, 1, 4, 16, true },
	{ E, 3, 0, "3DES", "3des", "DES-EDE3-CBC", 24, 0, 8, 8, 0, 0, false },
	{ P, 2, 0, "PRF_HMAC_SHA1", "prfsha1", "SHA1", 20, 20, 0, 0, 0, 0, false },
	{ P, 5, 0, "PRF_HMAC_SHA2_256", "prfsha256", "SHA256", 32, 32, 0, 0, 0, 0, false },
	{ P, 6, 0, "PRF_HMAC_SHA2_384", "prfsha384", "SHA384", 48, 48, 0, 0, 0, 0, false },
	{ P, 7, 0, "PRF_HMAC_SHA2_512", "prfsha512", "SHA512", 64, 64, 0, 0, 0, 0, false },
	{ I, 2, 0, "HMAC_SHA1_96", "sha1", "SHA1", 20, 12, 0, 0, 0, 0, false },
	{ I, 12, 0, "HMAC_SHA2_256_128", "sha256", "SHA256", 32, 16, 0, 0, 0, 0, false },
	{ I, 13, 0, "HMAC_SHA2_384_192", "sha384", "SHA384", 48, 24, 0, 0, 0, 0, false },
	{ I, 14, 0, "HMAC_SHA2_512_256", "sha512", "SHA512", 64, 32, 0, 0, 0, 0, false },
	{ D, 2, 0, "MODP_1024", "modp1024", "modp_1024", 0, 128, 0, 0, 0, 0, false },
	{ D, 14, 0, "MODP_2048", "modp2048", "modp_2048", 0, 256, 0, 0, 0, 0, false },
	{ D, 15, 0, "MODP_3072", "modp3072", "modp_3072", 0, 384, 0, 0, 0, 0, false },
	{ D, 16, 0, "MODP_4096", "modp4096", "modp_4096", 0, 512, 0, 0, 0, 0, false },
	{ D, 17, 0, "MODP_6144", "modp6144", "modp_6144", 0, 768, 0, 0, 0, 0, false },
	{ D, 18, 0, "MODP_8192", "modp8192", "modp_8192", 0, 1024, 0, 0, 0, 0, false },
	{ D, 19, 0, "ECP_256", "ecp256", "P-256", 0, 64, 0, 0, 0, 0, false },
	{ D, 20, 0, "ECP_384", "ecp384", "P-384", 0, 96, 0, 0, 0, 0, false },
	{ D, 21, 0, "ECP_521", "ecp521", "P-521", 0, 132, 0, 0, 0, 0, false },
	{ D, 31, 0, "CURVE_25519", "x25519", "X25519", 0, 32, 0, 0, 0, 0, false },
	{ N, 0, 0, "NO_EXT_SEQ", "noesn", NULL, 0, 0, 0, 0, 0, 0, false },
	{ N, 1, 0, "EXT_SEQ", "esn", NULL, 0, 0, 0, 0, 0, 0, false },
};

static const struct {
	const char	*alias, *kw;
} aliases[] = {
	{ "aes", "aes128" }, { "aes128gcm", "aes128gcm16" },
	{ "aes192gcm", "aes192gcm16" }, { "aes256gcm", "aes256gcm16" },
	{ "sha", "sha1" }, { "sha2_256", "sha256" }, { "sha2_384", "sha384" },
	{ "sha2_512", "sha512" }, { "prfsha2_256", "prfsha256" },
	{ "prfsha2_384", "prfsha384" }, { "prfsha2_512", "prfsha512" },
	{ "curve25519", "x25519" }, { "chacha20poly1305new", "chacha20poly1305" },
};

#define NXF	(sizeof(xforms) / sizeof(xforms[0]))

const struct ikev2_xform *
ikev2_xform_find(uint8_t type, uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < NXF; i++) {
		const struct ikev2_xform *x = &xforms[i];

		if (x->type != type || x->id != id)
			continue;
		/* AES needs the Key Length attribute (RFC 7296 3.3.5);
		 * fixed-size ciphers must not carry a different one. */
		if (x->keylen != keylen && !(x->keylen == 0 && keylen == 0))
			continue;
		return x;
	}
	return NULL;
}

const struct ikev2_xform *
ikev2_xform_by_kw(const char *kw)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(kw, aliases[i].alias) == 0) {
			kw = aliases[i].kw;
			break;
		}
	for (size_t i = 0; i < NXF; i++)
		if (strcmp(xforms[i].kw, kw) == 0)
			return &xforms[i];
	return NULL;
}

const char *
ikev2_xf_type_name(uint8_t type)
{
	static const char *const n[] = { "?", "ENCR", "PRF", "INTEG", "DH",
	    "ESN", "ADDKE1", "ADDKE2", "ADDKE3", "ADDKE4", "ADDKE5", "ADDKE6",
	    "ADDKE7" };

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

/* Key exchange method names (IANA "Transform Type 4" registry, which
 * RFC 9370 reuses for ADDKE): our groups, plus the post-quantum ones we
 * recognise in order to name them in logs (RFC 9370, ML-KEM for IKEv2). */
const char *
ikev2_ke_method_name(uint16_t id, char *buf, size_t len)
{
	static const struct {
		uint16_t	 id;
		const char	*name;
	} pq[] = {
		{ 0, "NONE" }, { 35, "ML-KEM-512" }, { 36, "ML-KEM-768" },
		{ 37, "ML-KEM-1024" },
	};
	const struct ikev2_xform *x = ikev2_xform_find(IKEV2_XF_DH, id, 0);

	if (x != NULL)
		return x->name;
	for (size_t i = 0; i < sizeof(pq) / sizeof(pq[0]); i++)
		if (pq[i].id == id)
			return pq[i].name;
	snprintf(buf, len, "KE_%u", id);
	return buf;
}

const char *
ikev2_xform_name(uint8_t type, uint16_t id, uint16_t keylen, char *buf,
    size_t len)
{
	const struct ikev2_xform *x = ikev2_xform_find(type, id, keylen);

	if (x != NULL)
		return x->name;
	if (type >= IKEV2_XF_ADDKE1 && type <= IKEV2_XF_ADDKE7)
		return ikev2_ke_method_name(id, buf, len);
	if (type == IKEV2_XF_INTEG && id == 0)
		return "INTEG_NONE";
	if (type == IKEV2_XF_DH && id == 0)
		return "DH_NONE";
	if (keylen)
		snprintf(buf, len, "%s_%u_%u", ikev2_xf_type_name(type), id,
		    keylen);
	else
		snprintf(buf, len, "%s_%u", ikev2_xf_type_name(type), id);
	return buf;
}
