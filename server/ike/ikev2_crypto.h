/*
 * ikev2_crypto.h: IKEv2 key exchange and key derivation through OpenSSL 3
 * EVP: MODP (RFC 3526, RFC 2409 group 2), ECP (RFC 5903), Curve25519
 * (RFC 8031); prf and prf+ (RFC 7296 2.13), SKEYSEED and SK_* (2.14),
 * CHILD_SA KEYMAT (2.17); the SK payload (3.14) with CBC + HMAC and AEAD
 * (RFC 5282).
 */
#ifndef IKEV2_CRYPTO_H
#define IKEV2_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ikev2_xform.h"
#include "rg_buf.h"

struct ikev2_dh;

/* A fresh key pair for group (IANA id); NULL if unsupported. */
struct ikev2_dh	*ikev2_dh_new(uint16_t group);
/* Test vectors: a key pair from a fixed private value (ECP, X25519). */
struct ikev2_dh	*ikev2_dh_new_priv(uint16_t group, const uint8_t *, size_t);
void		 ikev2_dh_free(struct ikev2_dh *);
uint16_t	 ikev2_dh_group(const struct ikev2_dh *);
/* Our public value in KE-payload form. Returns length or -1. */
long		 ikev2_dh_public(struct ikev2_dh *, uint8_t *, size_t);
/* g^ir, padded as RFC 7296 2.14 / RFC 5903 say; NULL on a bad peer value. */
struct rg_buf	*ikev2_dh_derive(struct ikev2_dh *, const uint8_t *peer,
		    size_t len);

/* prf(key, d1 | d2 | d3): out gets prf->out bytes.  d2/d3 may be NULL. */
int	ikev2_prf(const struct ikev2_xform *prf, const uint8_t *key, size_t klen,
	    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
	    const uint8_t *d3, size_t l3, uint8_t *out);
/* prf+(key, seed) (RFC 7296 2.13), outlen <= 255 * prf->out. */
int	ikev2_prfplus(const struct ikev2_xform *prf, const uint8_t *key,
	    size_t klen, const uint8_t *seed, size_t slen, uint8_t *out,
	    size_t outlen);

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

int	ikev2_random(void *, size_t);

#endif
