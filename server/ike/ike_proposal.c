/*
 * ike_proposal.c: configured proposals for IKEv1 and IKEv2, parsed from
 * strongSwan keyword strings (algorithms joined by '-', e.g.
 * "aes256-sha256-modp2048" or "aes128gcm16-prfsha256-x25519") into rows
 * of the shared algorithm table, and the built-in preset sets.  What is
 * negotiated from them (RFC 7296 2.7 for IKEv2; RFC 2409 5 phase 1 and
 * 5.5 quick mode for IKEv1) is each version's own matching code.
 */
#include <stdio.h>
#include <string.h>

#include "ike_proposal.h"
#include "rg_log.h"

const char *const *
ike_preset(const char *name, enum ike_pkind kind)
{
	/* One table for the store and the engines (rg_presets.c). */
	return rg_proposal_preset(name, kind != IKE_P_IKE);
}

bool
ike_pconf_has(const struct ike_pconf *p, const struct ike_alg *x)
{
	for (size_t i = 0; i < p->nxf; i++)
		if (p->xf[i] == x)
			return true;
	return false;
}

static int
pconf_add(struct ike_pconf *p, const struct ike_alg *x)
{
	if (ike_pconf_has(p, x))
		return 0;
	if (p->nxf >= IKE_PCONF_MAX_ALG)
		return -1;
	p->xf[p->nxf++] = x;
	return 0;
}

size_t
ike_pconf_count(const struct ike_pconf *p, uint8_t type)
{
	size_t	 n = 0;

	for (size_t i = 0; i < p->nxf; i++)
		n += p->xf[i]->type == type;
	return n;
}

int
ike_proposal_parse(const char *s, enum ike_pkind kind, struct ike_pconf *p,
    char *err, size_t errlen)
{
	char		 tok[40];
	const char	*c = s;
	bool		 aead = false, plain = false;

	memset(p, 0, sizeof(*p));
	snprintf(p->text, sizeof(p->text), "%s", s);
	while (*c != '\0') {
		size_t	 n = strcspn(c, "-");
		const struct ike_alg *x;

		if (n == 0 || n >= sizeof(tok)) {
			snprintf(err, errlen, "bad token in '%s'", s);
			return -1;
		}
		memcpy(tok, c, n);
		tok[n] = '\0';
		c += n;
		if (*c == '-')
			c++;
		x = ike_alg_by_kw(tok);
		if (x == NULL) {
			snprintf(err, errlen, "unknown algorithm '%s' in '%s'",
			    tok, s);
			return -1;
		}
		if (kind == IKE_P_IKE && x->type == IKE_ALG_ESN)
			continue;
		if (x->type == IKE_ALG_ENCR)
			(x->aead ? &aead : &plain)[0] = true;
		if (pconf_add(p, x) < 0) {
			snprintf(err, errlen, "too many algorithms in '%s'", s);
			return -1;
		}
		/* In IKE proposals an integrity keyword implies its PRF
		 * unless PRFs are named (strongSwan semantics). */
	}
	if (aead && plain) {
		snprintf(err, errlen, "'%s' mixes AEAD and non-AEAD ciphers", s);
		return -1;
	}
	if (ike_pconf_count(p, IKE_ALG_ENCR) == 0) {
		snprintf(err, errlen, "no encryption algorithm in '%s'", s);
		return -1;
	}
	if (!aead && ike_pconf_count(p, IKE_ALG_INTEG) == 0) {
		snprintf(err, errlen, "no integrity algorithm in '%s'", s);
		return -1;
	}
	if (aead && ike_pconf_count(p, IKE_ALG_INTEG) != 0) {
		snprintf(err, errlen, "AEAD with integrity algorithm in '%s'", s);
		return -1;
	}
	if (kind == IKE_P_IKE) {
		if (ike_pconf_count(p, IKE_ALG_PRF) == 0) {
			size_t	 ni = p->nxf;

			for (size_t i = 0; i < ni; i++) {
				char	 kw[40];
				const struct ike_alg *x;

				if (p->xf[i]->type != IKE_ALG_INTEG)
					continue;
				snprintf(kw, sizeof(kw), "prf%s", p->xf[i]->kw);
				if ((x = ike_alg_by_kw(kw)) != NULL &&
				    pconf_add(p, x) < 0)
					return -1;
			}
		}
		if (ike_pconf_count(p, IKE_ALG_PRF) == 0) {
			snprintf(err, errlen, "no PRF in '%s'", s);
			return -1;
		}
		if (ike_pconf_count(p, IKE_ALG_DH) == 0) {
			snprintf(err, errlen, "no DH group in '%s'", s);
			return -1;
		}
	} else if (ike_pconf_count(p, IKE_ALG_ESN) == 0) {
		pconf_add(p, ike_alg_find(IKE_ALG_ESN, 0, 0));
	}
	if (ike_pconf_count(p, IKE_ALG_PRF) != 0 && kind != IKE_P_IKE) {
		snprintf(err, errlen, "PRF in an ESP proposal '%s'", s);
		return -1;
	}
	return 0;
}

int
ike_pset_from_strings(const char *name, char *const *v, size_t n,
    enum ike_pkind kind, struct ike_pset *set)
{
	char	 err[160];

	memset(set, 0, sizeof(*set));
	snprintf(set->name, sizeof(set->name), "%s", name);
	for (size_t i = 0; i < n && set->n < IKE_PSET_MAX; i++) {
		if (ike_proposal_parse(v[i], kind, &set->p[set->n], err,
		    sizeof(err)) < 0) {
			rg_warn(IKE, "proposal set %s: %s (ignored)", name, err);
			continue;
		}
		set->n++;
	}
	return set->n > 0 ? 0 : -1;
}

int
ike_pset_load(const struct rg_config *cfg, enum ike_pkind kind,
    struct ike_pset *set)
{
	const char	*name = "modern";
	const struct rg_proposal_set *ps = NULL;
	const char *const *pre;
	size_t		 n;

	if (cfg != NULL && cfg->settings.proposals != NULL &&
	    cfg->settings.proposals[0] != '\0')
		name = cfg->settings.proposals;
	if (cfg != NULL)
		ps = rg_config_proposals(cfg, name);
	if (ps != NULL) {
		if (kind == IKE_P_IKE && ps->nike > 0)
			return ike_pset_from_strings(name, ps->ike, ps->nike,
			    kind, set);
		if (kind != IKE_P_IKE && ps->nesp > 0)
			return ike_pset_from_strings(name, ps->esp, ps->nesp,
			    kind, set);
	}
	if ((pre = ike_preset(name, kind)) == NULL) {
		rg_warn(IKE, "proposal set '%s' unknown; using 'modern'", name);
		name = "modern";
		pre = ike_preset(name, kind);
	}
	for (n = 0; pre[n] != NULL; n++)
		;
	return ike_pset_from_strings(name, (char *const *)pre, n, kind,
	    set);
}

bool
ike_pset_has_dh(const struct ike_pset *set, uint16_t group)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->p[i].nxf; j++)
			if (set->p[i].xf[j]->type == IKE_ALG_DH &&
			    set->p[i].xf[j]->id == group)
				return true;
	return false;
}
