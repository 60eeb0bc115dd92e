/*
 * ikev2_proposal.c: the configured proposals (parsed by the shared
 * ike_proposal.c) as IKEv2 sees them, and the selection of one received
 * proposal (RFC 7296 2.7, 3.3.6): the peer's proposals in its order, our
 * preference for the transform of each type inside the first that fits.
 * RFC 9370 Additional Key Exchanges (transform types 6..12) are parsed but
 * not performed: a proposal that offers NONE for each is accepted with
 * NONE; one that insists on an ADDKE is unacceptable (and named in logs).
 */
#include <stdio.h>
#include <string.h>

#include "ikev2_proposal.h"
#include "rg_log.h"

static enum ike_pkind
kind(uint8_t proto)
{
	return proto == IKEV2_PROTO_IKE ? IKE_P_IKE : IKE_P_ESP;
}

const char *const *
ikev2_preset(const char *name, uint8_t proto)
{
	return ike_preset(name, kind(proto));
}

int
ikev2_proposal_parse(const char *s, uint8_t proto, struct ikev2_pconf *p,
    char *err, size_t errlen)
{
	return ike_proposal_parse(s, kind(proto), p, err, errlen);
}

int
ikev2_pset_from_strings(const char *name, char *const *v, size_t n,
    uint8_t proto, struct ikev2_pset *set)
{
	return ike_pset_from_strings(name, v, n, kind(proto), set);
}

int
ikev2_pset_load(const struct rg_config *cfg, uint8_t proto,
    struct ikev2_pset *set)
{
	return ike_pset_load(cfg, kind(proto), set);
}

bool
ikev2_pset_has_dh(const struct ikev2_pset *set, uint16_t group)
{
	return ike_pset_has_dh(set, group);
}

static bool
offered(const struct ikev2_prop *rp, const struct ikev2_xform *x)
{
	for (size_t i = 0; i < rp->nxf; i++)
		if (rp->xf[i].type == x->type && rp->xf[i].id == x->id &&
		    rp->xf[i].keylen == x->keylen)
			return true;
	return false;
}

static bool
offers_type(const struct ikev2_prop *rp, uint8_t type, bool nonzero)
{
	for (size_t i = 0; i < rp->nxf; i++)
		if (rp->xf[i].type == type && (!nonzero || rp->xf[i].id != 0))
			return true;
	return false;
}

static const struct ikev2_xform *
pick(const struct ikev2_prop *rp, const struct ikev2_pconf *cp, uint8_t type,
    uint16_t pref)
{
	if (pref != 0)
		for (size_t i = 0; i < cp->nxf; i++)
			if (cp->xf[i]->type == type && cp->xf[i]->id == pref &&
			    offered(rp, cp->xf[i]))
				return cp->xf[i];
	for (size_t i = 0; i < cp->nxf; i++)
		if (cp->xf[i]->type == type && offered(rp, cp->xf[i]))
			return cp->xf[i];
	return NULL;
}

/* RFC 9370 2.2.2: we support no additional key exchange, so each ADDKE
 * type the proposal carries must offer NONE (id 0); we then answer NONE
 * for it.  A transform type outside 1..12 makes the proposal unacceptable
 * (RFC 7296 3.3.6).  -1 if the proposal needs what we cannot do, -2 for
 * an unknown transform type. */
static int
addke_none(const struct ikev2_prop *rp, uint8_t *mask)
{
	*mask = 0;
	for (size_t i = 0; i < rp->nxf; i++)
		if (rp->xf[i].type > IKEV2_XF_ADDKE7 || rp->xf[i].type == 0)
			return -2;
	for (uint8_t t = IKEV2_XF_ADDKE1; t <= IKEV2_XF_ADDKE7; t++) {
		bool	 any = false, none = false;

		for (size_t i = 0; i < rp->nxf; i++) {
			if (rp->xf[i].type != t)
				continue;
			any = true;
			none |= rp->xf[i].id == 0;
		}
		if (any && !none)
			return -1;
		if (any)
			*mask |= (uint8_t)(1u << (t - IKEV2_XF_ADDKE1));
	}
	return 0;
}

static int
match(const struct ikev2_prop *rp, const struct ikev2_pconf *cp,
    uint8_t proto, enum ikev2_dh_mode dhm, uint16_t pref_dh,
    struct ikev2_chosen *c)
{
	uint8_t	 addke;

	memset(c, 0, sizeof(*c));
	switch (addke_none(rp, &addke)) {
	case -2:
		return -1;
	case -1:
		/* Key exchanges of the first CHILD_SA in IKE_AUTH are
		 * ignored, ADDKE like DH (RFC 7296 1.2, RFC 9370). */
		if (dhm != IKEV2_DHM_IGNORE || proto == IKEV2_PROTO_IKE)
			return -1;
		break;
	default:
		if (dhm != IKEV2_DHM_IGNORE || proto == IKEV2_PROTO_IKE)
			c->addke_none = addke;
		break;
	}
	if ((c->encr = pick(rp, cp, IKEV2_XF_ENCR, 0)) == NULL)
		return -1;
	if (c->encr->aead) {
		/* INTEG absent or NONE only (RFC 5282 8). */
		if (offers_type(rp, IKEV2_XF_INTEG, true))
			return -1;
	} else if ((c->integ = pick(rp, cp, IKEV2_XF_INTEG, 0)) == NULL)
		return -1;
	if (proto == IKEV2_PROTO_IKE) {
		if ((c->prf = pick(rp, cp, IKEV2_XF_PRF, 0)) == NULL)
			return -1;
		if ((c->dh = pick(rp, cp, IKEV2_XF_DH, pref_dh)) == NULL)
			return -1;
		return 0;
	}
	if (offers_type(rp, IKEV2_XF_ESN, false)) {
		if ((c->esn = pick(rp, cp, IKEV2_XF_ESN, 0)) == NULL)
			return -1;
	}
	switch (dhm) {
	case IKEV2_DHM_IGNORE:
		break;
	case IKEV2_DHM_REQUIRED:
		if ((c->dh = pick(rp, cp, IKEV2_XF_DH, pref_dh)) == NULL)
			return -1;
		break;
	case IKEV2_DHM_OPTIONAL:
		if (offers_type(rp, IKEV2_XF_DH, true)) {
			/* PFS asked: the group of the KE payload, if it is
			 * among ours for CHILD (or, unnamed there, IKE). */
			const struct ikev2_xform *x = ikev2_xform_find(
			    IKEV2_XF_DH, pref_dh, 0);

			if (x != NULL && offered(rp, x) &&
			    (ike_pconf_count(cp, IKEV2_XF_DH) == 0 ||
			    ike_pconf_has(cp, x)))
				c->dh = x;
			else if ((c->dh = pick(rp, cp, IKEV2_XF_DH, 0)) ==
			    NULL && !offers_type(rp, IKEV2_XF_DH, false))
				return -1;
			if (c->dh == NULL) {
				/* DH_NONE offered alongside: no PFS. */
				bool	 none = false;

				for (size_t i = 0; i < rp->nxf; i++)
					none |= rp->xf[i].type == IKEV2_XF_DH &&
					    rp->xf[i].id == 0;
				if (!none)
					return -1;
			}
		}
		break;
	}
	return 0;
}

int
ikev2_proposal_select(const struct ikev2_sa_pl *sa,
    const struct ikev2_pset *set, uint8_t proto, enum ikev2_dh_mode dhm,
    uint16_t pref_dh, struct ikev2_chosen *c)
{
	for (size_t i = 0; i < sa->nprop; i++) {
		const struct ikev2_prop *rp = &sa->prop[i];

		if (rp->proto != proto)
			continue;
		if (proto == IKEV2_PROTO_ESP && rp->spi_len != 4)
			continue;
		if (proto == IKEV2_PROTO_IKE && rp->spi_len != 0 &&
		    rp->spi_len != 8)
			continue;
		for (size_t j = 0; j < set->n; j++) {
			if (match(rp, &set->p[j], proto, dhm, pref_dh, c) < 0)
				continue;
			c->num = rp->num;
			c->proto = proto;
			c->spi_len = rp->spi_len;
			memcpy(c->spi, rp->spi, rp->spi_len);
			return 0;
		}
	}
	memset(c, 0, sizeof(*c));
	return -1;
}

static void
add_xf(struct ikev2_prop *p, const struct ikev2_xform *x)
{
	if (x == NULL || p->nxf >= IKEV2_MAX_XF)
		return;
	p->xf[p->nxf].type = x->type;
	p->xf[p->nxf].id = x->id;
	p->xf[p->nxf].keylen = x->keylen;
	p->nxf++;
}

void
ikev2_chosen_sa(const struct ikev2_chosen *c, const uint8_t *spi,
    uint8_t spi_len, struct ikev2_sa_pl *sa)
{
	struct ikev2_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = c->num;
	p->proto = c->proto;
	p->spi_len = spi_len;
	if (spi_len != 0)
		memcpy(p->spi, spi, spi_len);
	add_xf(p, c->encr);
	add_xf(p, c->prf);
	add_xf(p, c->integ);
	add_xf(p, c->dh);
	add_xf(p, c->esn);
	for (uint8_t t = 0; t < 7; t++)
		if ((c->addke_none & (1u << t)) && p->nxf < IKEV2_MAX_XF) {
			p->xf[p->nxf].type = (uint8_t)(IKEV2_XF_ADDKE1 + t);
			p->xf[p->nxf].id = 0;
			p->xf[p->nxf].keylen = 0;
			p->nxf++;
		}
}

struct sbuf {
	char	*p;
	size_t	 len, off;
};

static void
sb_add(struct sbuf *b, const char *s)
{
	int	 n;

	if (b->off >= b->len)
		return;
	n = snprintf(b->p + b->off, b->len - b->off, "%s", s);
	if (n > 0)
		b->off += (size_t)n;
	if (b->off >= b->len)
		b->off = b->len - 1;
}

void
ikev2_sa_str(const struct ikev2_sa_pl *sa, char *out, size_t len)
{
	struct sbuf	 b = { out, len, 0 };
	static const uint8_t order[] = { IKEV2_XF_ENCR, IKEV2_XF_INTEG,
	    IKEV2_XF_PRF, IKEV2_XF_DH, IKEV2_XF_ESN, 6, 7, 8, 9, 10, 11, 12 };

	out[0] = '\0';
	for (size_t i = 0; i < sa->nprop; i++) {
		const struct ikev2_prop *p = &sa->prop[i];
		bool	 first = true;

		if (i > 0)
			sb_add(&b, ", ");
		for (size_t o = 0; o < sizeof(order); o++)
			for (size_t j = 0; j < p->nxf; j++) {
				char	 nb[32];

				if (p->xf[j].type != order[o])
					continue;
				if (!first)
					sb_add(&b, "/");
				first = false;
				sb_add(&b, ikev2_xform_name(p->xf[j].type,
				    p->xf[j].id, p->xf[j].keylen, nb,
				    sizeof(nb)));
			}
	}
}

void
ikev2_pset_str(const struct ikev2_pset *set, char *out, size_t len)
{
	struct sbuf	 b = { out, len, 0 };

	out[0] = '\0';
	sb_add(&b, "(");
	sb_add(&b, set->name);
	sb_add(&b, ") ");
	for (size_t i = 0; i < set->n; i++) {
		if (i > 0)
			sb_add(&b, ", ");
		sb_add(&b, set->p[i].text);
	}
}

void
ikev2_chosen_str(const struct ikev2_chosen *c, char *out, size_t len)
{
	struct sbuf	 b = { out, len, 0 };
	const struct ikev2_xform *v[] = { c->encr, c->integ, c->prf, c->dh,
	    c->esn };
	bool		 first = true;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i] == NULL)
			continue;
		if (!first)
			sb_add(&b, "/");
		first = false;
		sb_add(&b, v[i]->name);
	}
}

bool
ikev2_sa_addke_required(const struct ikev2_sa_pl *sa, uint8_t proto,
    char *out, size_t len)
{
	struct sbuf	 b = { out, len, 0 };
	bool		 found = false;

	out[0] = '\0';
	for (size_t i = 0; i < sa->nprop && !found; i++) {
		const struct ikev2_prop *p = &sa->prop[i];

		if (p->proto != proto)
			continue;
		for (uint8_t t = IKEV2_XF_ADDKE1; t <= IKEV2_XF_ADDKE7; t++) {
			bool	 any = false, none = false;

			for (size_t j = 0; j < p->nxf; j++)
				if (p->xf[j].type == t) {
					any = true;
					none |= p->xf[j].id == 0;
				}
			if (!any || none)
				continue;
			/* "ML-KEM-768 or ML-KEM-1024" for this ADDKE. */
			if (found)
				sb_add(&b, " and ");
			found = true;
			for (size_t j = 0, k = 0; j < p->nxf; j++) {
				char	 nb[16];

				if (p->xf[j].type != t)
					continue;
				if (k++ > 0)
					sb_add(&b, " or ");
				sb_add(&b, ikev2_ke_method_name(p->xf[j].id,
				    nb, sizeof(nb)));
			}
		}
	}
	return found;
}
