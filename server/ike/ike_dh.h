/*
 * ike_dh.h: Diffie-Hellman for IKEv1 and IKEv2: MODP (RFC 2409 6.2,
 * RFC 3526), ECP (RFC 5903), Curve25519 (RFC 8031).  group is the number
 * both versions give the group (IKEv1 Group Description, IKEv2 Transform
 * Type 4 id; see ike_alg.c).
 */
#ifndef IKE_DH_H
#define IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#include "rg_buf.h"

struct ike_dh;

/* A fresh key pair for group; NULL if unsupported. */
struct ike_dh	*ike_dh_new(uint16_t group);
/* Test vectors: a key pair from a fixed private value (ECP, X25519). */
struct ike_dh	*ike_dh_new_priv(uint16_t group, const uint8_t *, size_t);
void		 ike_dh_free(struct ike_dh *);
uint16_t	 ike_dh_group(const struct ike_dh *);
/* Our public value in KE-payload form. Returns length or -1. */
long		 ike_dh_public(struct ike_dh *, uint8_t *, size_t);
/* g^xy, padded as RFC 7296 2.14 / RFC 5903 say; NULL on a bad peer value.
 * Owned by the caller (rg_buf_free wipes it). */
struct rg_buf	*ike_dh_derive(struct ike_dh *, const uint8_t *peer,
		    size_t len);

#endif
