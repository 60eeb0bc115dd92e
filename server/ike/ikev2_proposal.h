/*
 * ikev2_proposal.h: configured proposals (strongSwan-style strings such as
 * "aes256gcm16-prfsha256-ecp256", parsed by the shared ike_proposal.c)
 * by IKEv2 protocol id, and the matching of received SA payloads against
 * them (RFC 7296 2.7, 3.3.6).
 */
#ifndef IKEV2_PROPOSAL_H
#define IKEV2_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_proposal.h"
#include "ikev2_msg.h"
#include "ikev2_xform.h"
#include "rg_config.h"

/* The shared configured proposals under their IKEv2 names. */
#define IKEV2_PCONF_MAX_XF	IKE_PCONF_MAX_ALG
#define IKEV2_PSET_MAX		IKE_PSET_MAX
#define ikev2_pconf		ike_pconf
#define ikev2_pset		ike_pset

/* The ike_proposal.h calls for proto IKEV2_PROTO_IKE (IKE_P_IKE) or any
 * other (IKE_P_ESP).  -1 with err filled on error. */
int	ikev2_proposal_parse(const char *, uint8_t proto, struct ikev2_pconf *,
	    char *err, size_t errlen);
/* The active set (settings.proposals, else "modern") for IKE or ESP: from
 * cfg->proposal_sets, else the built-in presets "modern"/"compatible". */
int	ikev2_pset_load(const struct rg_config *, uint8_t proto,
	    struct ikev2_pset *);
int	ikev2_pset_from_strings(const char *name, char *const *, size_t n,
	    uint8_t proto, struct ikev2_pset *);
/* Built-in preset strings (NULL-terminated) or NULL. */
const char *const *ikev2_preset(const char *name, uint8_t proto);

enum ikev2_dh_mode {
	IKEV2_DHM_REQUIRED,	/* IKE_SA_INIT, IKE rekey */
	IKEV2_DHM_IGNORE,	/* CHILD_SA inside IKE_AUTH */
	IKEV2_DHM_OPTIONAL,	/* CREATE_CHILD_SA: PFS when offered */
};

struct ikev2_chosen {
	uint8_t			 num;
	uint8_t			 proto;
	uint8_t			 spi_len;
	uint8_t			 spi[8];	/* the peer's SPI */
	uint8_t			 addke_none;	/* RFC 9370: bit t-6, answered NONE */
	const struct ikev2_xform *encr, *prf, *integ, *dh, *esn;
};

/* Pick one.  pref_dh: the group of the KE payload (preferred), or 0.
 * 0 ok, -1 nothing acceptable. */
int	ikev2_proposal_select(const struct ikev2_sa_pl *,
	    const struct ikev2_pset *, uint8_t proto, enum ikev2_dh_mode,
	    uint16_t pref_dh, struct ikev2_chosen *);
/* The one-proposal SA payload of our answer, with our SPI. */
void	ikev2_chosen_sa(const struct ikev2_chosen *, const uint8_t *spi,
	    uint8_t spi_len, struct ikev2_sa_pl *);
/* "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, ..." */
void	ikev2_sa_str(const struct ikev2_sa_pl *, char *, size_t);
void	ikev2_pset_str(const struct ikev2_pset *, char *, size_t);
void	ikev2_chosen_str(const struct ikev2_chosen *, char *, size_t);
/* Does a proposal for proto insist on an RFC 9370 additional key exchange
 * (ADDKE transforms without NONE)?  out: "ML-KEM-768 or ML-KEM-1024". */
bool	ikev2_sa_addke_required(const struct ikev2_sa_pl *, uint8_t proto,
	    char *out, size_t len);
/* Does the proposal offer this DH group? */
bool	ikev2_pset_has_dh(const struct ikev2_pset *, uint16_t group);

#endif
