/*
 * ikev2_proposal.c: parsing of configured proposals (strongSwan keyword
 * syntax: algorithms joined by '-', e.g. "aes256-sha256-modp2048" or
 * "aes128gcm16-prfsha256-x25519") and the selection of one received
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

/* Built-in presets.  "modern": AEAD or SHA-2 integrity, groups >= 2048
 * bits or ECC; PRF SHA1 stays (Android 11 offers only it).
 * "compatible": adds 3DES, SHA1 integrity and MODP1024 (Windows). */
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
ikev2_preset(const char *name, uint8_t proto)
{
	bool	 ike = proto == IKEV2_PROTO_IKE;

	if (strcmp(name, "modern") == 0)
		return ike ? modern_ike : modern_esp;
	if (strcmp(name, "compatible") == 0)
		return ike ? compat_ike : compat_esp;
	return NULL;
}

static bool
pconf_has(const struct ikev2_pconf *p, const struct ikev2_xform *x)
{
	for (size_t i = 0; i < p->nxf; i++)
		if (p->xf[i] == x)
			return true;
	return false;
}

static int
pconf_add(struct ikev2_pconf *p, const struct ikev2_xform *x)
{
	if (pconf_has(p, x))
		return 0;
	if (p->nxf >= IKEV2_PCONF_MAX_XF)
		return -1;
	p->xf[p->nxf++] = x;
	return 0;
}

static size_t
pconf_count(const struct ikev2_pconf *p, uint8_t type)
{
	size_t	 n = 0;

	for (size_t i = 0; i < p->nxf; i++)
		n += p->xf[i]->type == type;
	return n;
}

int
ikev2_proposal_parse(const char *s, uint8_t proto, struct ikev2_pconf *p,
    char *err, size_t errlen)
{
	char		 tok[40];
	const char	*c = s;
	bool		 aead = false, plain = false;

	memset(p, 0, sizeof(*p));
	snprintf(p->text, sizeof(p->text), "%s", s);
	while (*c != '\0') {
		size_t	 n = strcspn(c, "-");
		const struct ikev2_xform *x;

		if (n == 0 || n >= sizeof(tok)) {
			snprintf(err, errlen, "bad token in '%s'", s);
			return -1;
		}
		memcpy(tok, c, n);
		tok[n] = '\0';
		c += n;
		if (*c == '-')
			c++;
		x = ikev2_xform_by_kw(tok);
		if (x == NULL) {
			snprintf(err, errlen, "unknown algorithm '%s' in '%s'",
			    tok, s);
			return -1;
		}
		if (proto == IKEV2_PROTO_IKE && x->type == IKEV2_XF_ESN)
			continue;
		if (x->type == IKEV2_XF_ENCR)
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
	if (pconf_count(p, IKEV2_XF_ENCR) == 0) {
		snprintf(err, errlen, "no encryption algorithm in '%s'", s);
		return -1;
	}
	if (!aead && pconf_count(p, IKEV2_XF_INTEG) == 0) {
		snprintf(err, errlen, "no integrity algorithm in '%s'", s);
		return -1;
	}
	if (aead && pconf_count(p, IKEV2_XF_INTEG) != 0) {
		snprintf(err, errlen, "AEAD with integrity algorithm in '%s'", s);
		return -1;
	}
	if (proto == IKEV2_PROTO_IKE) {
		if (pconf_count(p, IKEV2_XF_PRF) == 0) {
			size_t	 ni = p->nxf;

			for (size_t i = 0; i < ni; i++) {
				char	 kw[40];
				const struct ikev2_xform *x;

				if (p->xf[i]->type != IKEV2_XF_INTEG)
					continue;
				snprintf(kw, sizeof(kw), "prf%s", p->xf[i]->kw);
				if ((x = ikev2_xform_by_kw(kw)) != NULL &&
				    pconf_add(p, x) < 0)
					return -1;
			}
		}
		if (pconf_count(p, IKEV2_XF_PRF) == 0) {
			snprintf(err, errlen, "no PRF in '%s'", s);
			return -1;
		}
		if (pconf_count(p, IKEV2_XF_DH) == 0) {
			snprintf(err, errlen, "no DH group in '%s'", s);
			return -1;
		}
	} else if (pconf_count(p, IKEV2_XF_ESN) == 0) {
		pconf_add(p, ikev2_xform_find(IKEV2_XF_ESN, 0, 0));
	}
	if (pconf_count(p, IKEV2_XF_PRF) != 0 && proto != IKEV2_PROTO_IKE) {
		snprintf(err, errlen, "PRF in an ESP proposal '%s'", s);
		return -1;
	}
	return 0;
}

int
ikev2_pset_from_strings(const char *name, char *const *v, size_t n,
    uint8_t proto, struct ikev2_pset *set)
{
	char	 err[160];

	memset(set, 0, sizeof(*set));
	snprintf(set->name, sizeof(set->name), "%s", name);
	for (size_t i = 0; i < n && set->n < IKEV2_PSET_MAX; i++) {
		if (ikev2_proposal_parse(v[i], proto, &set->p[set->n], err,
		    sizeof(err)) < 0) {
			rg_warn(IKE, "proposal set %s: %s (ignored)", name, err);
			continue;
		}
		set->n++;
	}
	return set->n > 0 ? 0 : -1;
}

int
ikev2_pset_load(const struct rg_config *cfg, uint8_t proto,
    struct ikev2_pset *set)
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
		if (proto == IKEV2_PROTO_IKE && ps->nike > 0)
			return ikev2_pset_from_strings(name, ps->ike, ps->nike,
			    proto, set);
		if (proto != IKEV2_PROTO_IKE && ps->nesp > 0)
			return ikev2_pset_from_strings(name, ps->esp, ps->nesp,
			    proto, set);
	}
	if ((pre = ikev2_preset(name, proto)) == NULL) {
		rg_warn(IKE, "proposal set '%s' unknown; using 'modern'", name);
		name = "modern";
		pre = ikev2_preset(name, proto);
	}
	for (n = 0; pre[n] != NULL; n++)
		;
	return ikev2_pset_from_strings(name, (char *const *)pre, n, proto,
	    set);
}

bool
ikev2_pset_has_dh(const struct ikev2_pset *set, uint16_t group)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->p[i].nxf; j++)
			if (set->p[i].xf[j]->type == IKEV2_XF_DH &&
			    set->p[i].xf[j]->id == group)
				return true;
	return false;
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
			    (pconf_count(cp, IKEV2_XF_DH) == 0 ||
			    pconf_has(cp, x)))
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
