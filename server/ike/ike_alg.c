/*
 * ike_alg.c: the algorithm table shared by IKEv1 and IKEv2.  Tables, not
 * switch ladders: every algorithm roadgate speaks is one row, with its
 * IKEv2 id (RFC 7296 3.3.2, RFC 5282, RFC 7634, RFC 3526/5903/8031) and
 * its IKEv1 ids (RFC 2409 Appendix A, RFC 2407 4.4.4/4.5, RFC 3602 5,
 * RFC 4106 9, RFC 4868 6.1-6.2, RFC 3526, RFC 5903 8).
 */
#include <string.h>

#include "ike_alg.h"

#define E	IKE_ALG_ENCR
#define P	IKE_ALG_PRF
#define I	IKE_ALG_INTEG
#define D	IKE_ALG_DH
#define N	IKE_ALG_ESN

/*
 * IKEv1 columns: AES-CBC is phase-1 Encryption Algorithm 7 and ESP_AES 12
 * (RFC 3602 5.1, 5.2); 3DES-CBC is 5 and ESP_3DES 3 (RFC 2409 App. A, RFC
 * 2407 4.4.4); AES-GCM with a 16-octet ICV is ESP transform 20 (RFC 4106
 * 9), with no phase-1 value; ChaCha20-Poly1305 has IKEv2 numbers only
 * (RFC 7634).  Hash Algorithm SHA 2, SHA2-256/384/512 4/5/6; ESP
 * Authentication Algorithm HMAC-SHA 2, HMAC-SHA2-256/384/512 5/6/7
 * (RFC 4868 6).  Group Description values equal the IKEv2 ids for MODP
 * (RFC 2409 6.2, RFC 3526) and ECP (RFC 5903 8); Curve25519 is registered
 * for IKEv2 only (RFC 8031 6).
 */
static const struct ike_alg algs[] = {
	/* type id keylen name kw evp key out iv block salt icv aead v1_p1 v1_esp */
	{ E, 12, 128, "AES_CBC_128", "aes128", "AES-128-CBC", 16, 0, 16, 16, 0, 0, false, 7, 12 },
	{ E, 12, 192, "AES_CBC_192", "aes192", "AES-192-CBC", 24, 0, 16, 16, 0, 0, false, 7, 12 },
	{ E, 12, 256, "AES_CBC_256", "aes256", "AES-256-CBC", 32, 0, 16, 16, 0, 0, false, 7, 12 },
	{ E, 20, 128, "AES_GCM_16_128", "aes128gcm16", "AES-128-GCM", 20, 0, 8, 1, 4, 16, true, 0, 20 },
	{ E, 20, 192, "AES_GCM_16_192", "aes192gcm16", "AES-192-GCM", 28, 0, 8, 1, 4, 16, true, 0, 20 },
	{ E, 20, 256, "AES_GCM_16_256", "aes256gcm16", "AES-256-GCM", 36, 0, 8, 1, 4, 16, true, 0, 20 },
	{ E, 28, 0, "CHACHA20_POLY1305", "chacha20poly1305", "ChaCha20-Poly1305", 36, 0, 8, 1, 4, 16, true, 0, 0 },
	{ E, 3, 0, "3DES", "3des", "DES-EDE3-CBC", 24, 0, 8, 8, 0, 0, false, 5, 3 },
	{ P, 2, 0, "PRF_HMAC_SHA1", "prfsha1", "SHA1", 20, 20, 0, 0, 0, 0, false, 2, 0 },
	{ P, 5, 0, "PRF_HMAC_SHA2_256", "prfsha256", "SHA256", 32, 32, 0, 0, 0, 0, false, 4, 0 },
	{ P, 6, 0, "PRF_HMAC_SHA2_384", "prfsha384", "SHA384", 48, 48, 0, 0, 0, 0, false, 5, 0 },
	{ P, 7, 0, "PRF_HMAC_SHA2_512", "prfsha512", "SHA512", 64, 64, 0, 0, 0, 0, false, 6, 0 },
	{ I, 2, 0, "HMAC_SHA1_96", "sha1", "SHA1", 20, 12, 0, 0, 0, 0, false, 0, 2 },
	{ I, 12, 0, "HMAC_SHA2_256_128", "sha256", "SHA256", 32, 16, 0, 0, 0, 0, false, 0, 5 },
	{ I, 13, 0, "HMAC_SHA2_384_192", "sha384", "SHA384", 48, 24, 0, 0, 0, 0, false, 0, 6 },
	{ I, 14, 0, "HMAC_SHA2_512_256", "sha512", "SHA512", 64, 32, 0, 0, 0, 0, false, 0, 7 },
	{ D, 2, 0, "MODP_1024", "modp1024", "modp_1024", 0, 128, 0, 0, 0, 0, false, 2, 0 },
	{ D, 5, 0, "MODP_1536", "modp1536", "modp_1536", 0, 192, 0, 0, 0, 0, false, 5, 0 },
	{ D, 14, 0, "MODP_2048", "modp2048", "modp_2048", 0, 256, 0, 0, 0, 0, false, 14, 0 },
	{ D, 15, 0, "MODP_3072", "modp3072", "modp_3072", 0, 384, 0, 0, 0, 0, false, 15, 0 },
	{ D, 16, 0, "MODP_4096", "modp4096", "modp_4096", 0, 512, 0, 0, 0, 0, false, 16, 0 },
	{ D, 17, 0, "MODP_6144", "modp6144", "modp_6144", 0, 768, 0, 0, 0, 0, false, 17, 0 },
	{ D, 18, 0, "MODP_8192", "modp8192", "modp_8192", 0, 1024, 0, 0, 0, 0, false, 18, 0 },
	{ D, 19, 0, "ECP_256", "ecp256", "P-256", 0, 64, 0, 0, 0, 0, false, 19, 0 },
	{ D, 20, 0, "ECP_384", "ecp384", "P-384", 0, 96, 0, 0, 0, 0, false, 20, 0 },
	{ D, 21, 0, "ECP_521", "ecp521", "P-521", 0, 132, 0, 0, 0, 0, false, 21, 0 },
	{ D, 31, 0, "CURVE_25519", "x25519", "X25519", 0, 32, 0, 0, 0, 0, false, 0, 0 },
	{ N, 0, 0, "NO_EXT_SEQ", "noesn", NULL, 0, 0, 0, 0, 0, 0, false, 0, 0 },
	{ N, 1, 0, "EXT_SEQ", "esn", NULL, 0, 0, 0, 0, 0, 0, false, 0, 0 },
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

#define NALG	(sizeof(algs) / sizeof(algs[0]))

/* AES needs the Key Length attribute (RFC 7296 3.3.5, RFC 3602 5.1);
 * fixed-size ciphers must not carry a different one. */
static bool
keylen_ok(const struct ike_alg *a, uint16_t keylen)
{
	return a->keylen == keylen || (a->keylen == 0 && keylen == 0);
}

const struct ike_alg *
ike_alg_find(uint8_t type, uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < NALG; i++)
		if (algs[i].type == type && algs[i].id == id &&
		    keylen_ok(&algs[i], keylen))
			return &algs[i];
	return NULL;
}

const struct ike_alg *
ike_alg_find_v1p1(uint8_t type, uint16_t v1_id, uint16_t keylen)
{
	if (v1_id == 0)
		return NULL;
	for (size_t i = 0; i < NALG; i++)
		if (algs[i].type == type && algs[i].v1_p1 == v1_id &&
		    keylen_ok(&algs[i], keylen))
			return &algs[i];
	return NULL;
}

const struct ike_alg *
ike_alg_find_v1esp(uint8_t type, uint16_t v1_id, uint16_t keylen)
{
	if (v1_id == 0)
		return NULL;
	for (size_t i = 0; i < NALG; i++)
		if (algs[i].type == type && algs[i].v1_esp == v1_id &&
		    keylen_ok(&algs[i], keylen))
			return &algs[i];
	return NULL;
}

const struct ike_alg *
ike_alg_by_kw(const char *kw)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(kw, aliases[i].alias) == 0) {
			kw = aliases[i].kw;
			break;
		}
	for (size_t i = 0; i < NALG; i++)
		if (strcmp(algs[i].kw, kw) == 0)
			return &algs[i];
	return NULL;
}

const struct ike_alg *
ike_alg_table(size_t *n)
{
	*n = NALG;
	return algs;
}
