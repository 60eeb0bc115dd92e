/*
 * rg_presets.c: the built-in proposal sets "modern" and "compatible", in
 * one place: the store lists them and puts them into every configuration
 * snapshot (store_proposal_presets()), and the IKE engines fall back to
 * them without a store (ike_preset()).  Two copies once drifted apart:
 * the stored "modern" lost PRF HMAC-SHA1 and refused Android 11, which
 * the engine's copy accepted (tests/integration/ikev2_clients.sh).
 *
 * PRODUCT.md facts 1, 6, 11.  "modern": AEAD, or AES-CBC with SHA-2
 * integrity; groups of 2048 bits and more, ECP, X25519.  The PRF
 * HMAC-SHA1 stays: Android 11 offers no other PRF (with SHA-2 integrity
 * and MODP2048+), and HMAC-SHA1 as a PRF is not weak.  "compatible" adds
 * what Windows (3DES/AES-CBC, SHA1 integrity, MODP1024, ESP SHA1) and
 * older Apple clients send.  MODP1536 is left out on purpose (Apple bug,
 * fact 6).  Both take ChaCha20-Poly1305 and extended sequence numbers.
 */
#include <string.h>

#include "rg_config.h"

static const char *const modern_ike[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-"
	    "prfsha512-prfsha1-x25519-ecp256-ecp384-ecp521-modp2048-"
	    "modp3072-modp4096-modp6144-modp8192",
	"aes256-aes192-aes128-sha256-sha384-sha512-prfsha256-prfsha384-"
	    "prfsha512-prfsha1-x25519-ecp256-ecp384-ecp521-modp2048-"
	    "modp3072-modp4096-modp6144-modp8192",
	NULL
};
static const char *const modern_esp[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn",
	"aes256-aes192-aes128-sha256-sha384-sha512-noesn-esn",
	NULL
};
static const char *const compat_ike[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-"
	    "prfsha512-prfsha1-x25519-ecp256-ecp384-ecp521-modp2048-"
	    "modp3072-modp4096-modp6144-modp8192-modp1024",
	"aes256-aes192-aes128-3des-sha256-sha384-sha512-sha1-prfsha256-"
	    "prfsha384-prfsha512-prfsha1-x25519-ecp256-ecp384-ecp521-"
	    "modp2048-modp3072-modp4096-modp6144-modp8192-modp1024",
	NULL
};
static const char *const compat_esp[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn",
	"aes256-aes192-aes128-3des-sha256-sha384-sha512-sha1-noesn-esn",
	NULL
};

const char *const *
rg_proposal_preset(const char *name, bool esp)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "modern") == 0)
		return esp ? modern_esp : modern_ike;
	if (strcmp(name, "compatible") == 0)
		return esp ? compat_esp : compat_ike;
	return NULL;
}
