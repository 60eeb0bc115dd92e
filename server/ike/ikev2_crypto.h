/*
 * ikev2_crypto.h: IKEv2 key derivation through OpenSSL 3 EVP: SKEYSEED
 * and SK_* (RFC 7296 2.14), CHILD_SA KEYMAT (2.17); the SK payload (3.14)
 * with CBC + HMAC and AEAD (RFC 5282).  Diffie-Hellman, prf and prf+ are
 * the shared ones (ike_dh.h, ike_prf.h).
 */
#ifndef IKEV2_CRYPTO_H
#define IKEV2_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ike_dh.h"
#include "ike_prf.h"
#include "ikev2_xform.h"
#include "rg_buf.h"

/* One direction of SK payload protection. */
struct ikev2_sk_dir {
	const struct ikev2_xform *encr;
	const struct ikev2_xform *integ;	/* NULL for AEAD */
	uint8_t		 ek[40];	/* key (+ salt for AEAD) */
	uint8_t		 ak[64];
};

struct ikev2_keys {
	const struct ikev2_xform *prf, *encr, *integ;
	uint8_t		 sk_d[64];
	struct ikev2_sk_dir i2r, r2i;	/* SK_ei/SK_ai and SK_er/SK_ar */
	uint8_t		 sk_pi[64], sk_pr[64];
};

/*
 * SKEYSEED and SK_* (RFC 7296 2.14); old_skd/old_prf non-NULL for an IKE
 * rekey (2.18).  spi_i/spi_r in host order.
 */
int	ikev2_derive_ike(struct ikev2_keys *, const struct ikev2_xform *prf,
	    const struct ikev2_xform *encr, const struct ikev2_xform *integ,
	    const struct rg_buf *gir, const uint8_t *ni, size_t nilen,
	    const uint8_t *nr, size_t nrlen, uint64_t spi_i, uint64_t spi_r,
	    const struct ikev2_xform *old_prf, const uint8_t *old_skd);
void	ikev2_keys_wipe(struct ikev2_keys *);

/* KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr) (RFC 7296 2.17). */
int	ikev2_keymat(const struct ikev2_xform *prf, const uint8_t *sk_d,
	    const struct rg_buf *gir, const uint8_t *ni, size_t nilen,
	    const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen);

/*
 * Seal: msg holds hdr_len bytes (IKE header ... SK/SKF generic header and
 * fragment fields); append IV, encrypted inner || pad || padlen, ICV; patch
 * the IKE length and the SK payload length at sk_pl_off.  Returns the total
 * length or -1.
 */
long	ikev2_sk_seal(const struct ikev2_sk_dir *, uint8_t *msg, size_t cap,
	    size_t hdr_len, size_t sk_pl_off, const uint8_t *inner, size_t ilen);
/* Open: msg[0..len) the whole message, body_off where the IV starts.
 * Plaintext (padding removed) into out; returns its length or -1. */
long	ikev2_sk_open(const struct ikev2_sk_dir *, const uint8_t *msg,
	    size_t len, size_t body_off, uint8_t *out, size_t cap);
/* Bytes the SK payload adds around plaintext of ilen bytes. */
size_t	ikev2_sk_overhead(const struct ikev2_sk_dir *, size_t ilen);

#endif
