/*
 * ike_prf.h: keyed primitives shared by IKEv1 and IKEv2: HMAC, the IKE
 * prf (an HMAC named by a PRF row of ike_alg.c; RFC 2409 4, RFC 7296
 * 2.13), prf+ (RFC 7296 2.13) and random bytes.
 */
#ifndef IKE_PRF_H
#define IKE_PRF_H

#include <stddef.h>
#include <stdint.h>

struct ike_alg;

/* HMAC-md(key, d1 | d2 | d3) into out (outcap bytes); returns the MAC
 * length or -1.  md is an EVP digest name ("SHA256"). */
int	ike_hmac(const char *md, const uint8_t *key, size_t klen,
	    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
	    const uint8_t *d3, size_t l3, uint8_t *out, size_t outcap);
/* prf(key, d1 | d2 | d3): out gets prf->out bytes.  d2/d3 may be NULL. */
int	ike_prf(const struct ike_alg *prf, const uint8_t *key, size_t klen,
	    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
	    const uint8_t *d3, size_t l3, uint8_t *out);
/* prf+(key, seed) (RFC 7296 2.13), outlen <= 255 * prf->out. */
int	ike_prfplus(const struct ike_alg *prf, const uint8_t *key,
	    size_t klen, const uint8_t *seed, size_t slen, uint8_t *out,
	    size_t outlen);
int	ike_random(void *, size_t);

#endif
