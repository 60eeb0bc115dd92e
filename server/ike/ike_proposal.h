/*
 * ike_proposal.h: configured proposals shared by IKEv1 and IKEv2:
 * strongSwan-style strings such as "aes256gcm16-prfsha256-ecp256" parsed
 * into rows of the algorithm table (ike_alg.h), named sets of them, and
 * the built-in presets "modern" and "compatible".  A proposal is for the
 * IKE SA (IKEv1 phase 1, which reads a PRF row's Hash Algorithm) or for
 * ESP (a CHILD SA, IKEv1 quick mode).
 */
#ifndef IKE_PROPOSAL_H
#define IKE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_alg.h"
#include "rg_config.h"

#define IKE_PCONF_MAX_ALG	48
#define IKE_PSET_MAX		16

enum ike_pkind {
	IKE_P_IKE,		/* the IKE SA: ENCR, PRF, INTEG, DH */
	IKE_P_ESP,		/* ESP: ENCR, INTEG, ESN (+ DH for PFS) */
};

/* One configured proposal: any of its ENCR x PRF x INTEG x DH x ESN. */
struct ike_pconf {
	const struct ike_alg	*xf[IKE_PCONF_MAX_ALG];	/* table rows */
	size_t			 nxf;
	char			 text[256];	/* as configured, for logs */
};

struct ike_pset {
	char			 name[32];
	struct ike_pconf	 p[IKE_PSET_MAX];
	size_t			 n;
};

/*
 * One string.  An IKE proposal naming integrity but no PRF gets the PRF
 * of the same hash (strongSwan semantics); an ESP one with no ESN gets
 * "noesn".  -1 with err filled on error.
 */
int	ike_proposal_parse(const char *, enum ike_pkind, struct ike_pconf *,
	    char *err, size_t errlen);
/* The active set (settings.proposals, else "modern"): from
 * cfg->proposal_sets, else the built-in presets "modern"/"compatible". */
int	ike_pset_load(const struct rg_config *, enum ike_pkind,
	    struct ike_pset *);
/* Unparsable strings are logged and skipped; -1 when none is left. */
int	ike_pset_from_strings(const char *name, char *const *, size_t n,
	    enum ike_pkind, struct ike_pset *);
/* Built-in preset strings (NULL-terminated) or NULL. */
const char *const *ike_preset(const char *name, enum ike_pkind);
/* Is alg in p?  How many of p's rows have this type? */
bool	ike_pconf_has(const struct ike_pconf *p, const struct ike_alg *alg);
size_t	ike_pconf_count(const struct ike_pconf *p, uint8_t type);
/* Does the set offer this DH group (IKEv2 id = IKEv1 Group
 * Description)? */
bool	ike_pset_has_dh(const struct ike_pset *, uint16_t group);

#endif
