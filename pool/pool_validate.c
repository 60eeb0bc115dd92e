/*
 * pool_validate.c: the pure validator of a snapshot's pools, used before
 * a configure and by the API before it commits a change, so bad input is
 * refused naming the field and nothing changes.
 *
 * Refused: an empty, too long or duplicate pool name; a family other than
 * IPv4/IPv6; a network or exclude prefix with host bits set ("not a
 * network"); a prefix too long to hold a client (IPv4 longer than /30,
 * IPv6 longer than /126); a range reversed, of the wrong family, outside
 * the pool's network or larger than one bitmap (IPv4); ranges overlapping
 * within or across pools; a next pool unknown, of another family or
 * forming a cycle; a profile naming an unknown pool.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pool_int.h"

static int
bad(char *field, size_t flen, char *why, size_t wlen, const char *f,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
bad(char *field, size_t flen, char *why, size_t wlen, const char *f,
    const char *fmt, ...)
{
	va_list	 ap;

	snprintf(field, flen, "%s", f);
	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
prefix_ok(const struct rg_prefix *p)
{
	int	 bits = p->af == AF_INET ? 32 : 128;

	return (p->af == AF_INET || p->af == AF_INET6) && p->plen <= bits &&
	    (pool_prefix_u128(p) & pool_host_mask(p->af, p->plen)) == 0;
}

/* The i-th range of pool pc as integers (the network when none). */
static void
range_of(const struct rg_pool_conf *pc, size_t i, pool_u128 *a, pool_u128 *b)
{
	if (pc->nranges == 0) {
		*a = pool_prefix_u128(&pc->network);
		*b = *a | pool_host_mask(pc->af, pc->network.plen);
		return;
	}
	*a = pool_addr_u128(&pc->ranges[i].first);
	*b = pool_addr_u128(&pc->ranges[i].last);
}

static int
check_pool(const struct rg_config *cfg, size_t pi, char *field, size_t flen,
    char *why, size_t wlen)
{
	const struct rg_pool_conf *pc = &cfg->pools[pi];
	char		 f[POOL_NAME_MAX + 64];
	const char	*nm = pc->name ? pc->name : "";
	pool_u128	 a, b, net, mask;
	int		 maxp = pc->af == AF_INET ? 30 : 126;
	size_t		 j;

	snprintf(f, sizeof(f), "pools[%zu].name", pi);
	if (pc->name == NULL || *pc->name == '\0')
		return bad(field, flen, why, wlen, f, "pool name is empty");
	if (strlen(pc->name) >= POOL_NAME_MAX)
		return bad(field, flen, why, wlen, f, "pool name longer than "
		    "%d characters", POOL_NAME_MAX - 1);
	for (j = 0; j < pi; j++)
		if (strcmp(cfg->pools[j].name, pc->name) == 0)
			return bad(field, flen, why, wlen, f, "pool name %s "
			    "is in use", pc->name);
	snprintf(f, sizeof(f), "pools[%s].family", nm);
	if (pc->af != AF_INET && pc->af != AF_INET6)
		return bad(field, flen, why, wlen, f, "family must be IPv4 "
		    "or IPv6");
	snprintf(f, sizeof(f), "pools[%s].network", nm);
	if (pc->network.af == 0 && pc->nranges == 0)
		return bad(field, flen, why, wlen, f, "a pool needs a network "
		    "or ranges");
	if (pc->network.af != 0) {
		if (pc->network.af != pc->af)
			return bad(field, flen, why, wlen, f, "network family "
			    "differs from the pool's");
		if (!prefix_ok(&pc->network))
			return bad(field, flen, why, wlen, f, "not a network "
			    "(host bits set)");
		if (pc->network.plen > maxp)
			return bad(field, flen, why, wlen, f, "prefix too long"
			    " (/%u; at most /%d)", pc->network.plen, maxp);
	}
	net = pool_prefix_u128(&pc->network);
	mask = pool_host_mask(pc->af, pc->network.plen);
	for (j = 0; j < pc->nranges; j++) {
		snprintf(f, sizeof(f), "pools[%s].ranges[%zu]", nm, j);
		if (pc->ranges[j].first.af != pc->af ||
		    pc->ranges[j].last.af != pc->af)
			return bad(field, flen, why, wlen, f, "range family "
			    "differs from the pool's");
		range_of(pc, j, &a, &b);
		if (a > b)
			return bad(field, flen, why, wlen, f, "first address "
			    "is above the last");
		if (pc->af == AF_INET && b - a + 1 > POOL_RANGE_MAX_SLOTS)
			return bad(field, flen, why, wlen, f, "range larger "
			    "than %u addresses", POOL_RANGE_MAX_SLOTS);
		if (pc->network.af && ((a & ~mask) != net ||
		    (b & ~mask) != net))
			return bad(field, flen, why, wlen, f, "range is outside"
			    " the pool's network");
	}
	for (j = 0; j < pc->nexcludes; j++) {
		snprintf(f, sizeof(f), "pools[%s].excludes[%zu]", nm, j);
		if (pc->excludes[j].af != pc->af)
			return bad(field, flen, why, wlen, f, "exclude family "
			    "differs from the pool's");
		if (!prefix_ok(&pc->excludes[j]))
			return bad(field, flen, why, wlen, f, "not a network "
			    "(host bits set)");
	}
	return 0;
}

static int
check_overlaps(const struct rg_config *cfg, char *field, size_t flen,
    char *why, size_t wlen)
{
	const struct rg_pool_conf *p, *q;
	size_t		 i, j, ri, rj, ni, nj;
	pool_u128	 a, b, c, d;
	char		 f[POOL_NAME_MAX + 64];

	for (i = 0; i < cfg->npools; i++) {
		p = &cfg->pools[i];
		ni = p->nranges ? p->nranges : 1;
		for (j = i; j < cfg->npools; j++) {
			q = &cfg->pools[j];
			if (q->af != p->af)
				continue;
			nj = q->nranges ? q->nranges : 1;
			for (ri = 0; ri < ni; ri++)
				for (rj = i == j ? ri + 1 : 0; rj < nj; rj++) {
					range_of(p, ri, &a, &b);
					range_of(q, rj, &c, &d);
					if (a > d || c > b)
						continue;
					snprintf(f, sizeof(f), "pools[%s]."
					    "ranges[%zu]", q->name, rj);
					return bad(field, flen, why, wlen, f,
					    "overlaps pool %s range %zu",
					    p->name, ri);
				}
		}
	}
	return 0;
}

static int
check_next(const struct rg_config *cfg, char *field, size_t flen,
    char *why, size_t wlen)
{
	const struct rg_pool_conf *p, *q;
	size_t		 i, steps;
	char		 f[POOL_NAME_MAX + 64];

	for (i = 0; i < cfg->npools; i++) {
		p = &cfg->pools[i];
		if (p->next == NULL || *p->next == '\0')
			continue;
		snprintf(f, sizeof(f), "pools[%s].next", p->name);
		if ((q = rg_config_pool(cfg, p->next)) == NULL)
			return bad(field, flen, why, wlen, f, "next pool %s "
			    "does not exist", p->next);
		if (q->af != p->af)
			return bad(field, flen, why, wlen, f, "next pool %s "
			    "is of another family", p->next);
		/* Follow the chain; longer than the pool count is a cycle. */
		for (steps = 0; q && steps <= cfg->npools; steps++) {
			if (q == p)
				return bad(field, flen, why, wlen, f, "next "
				    "pools form a cycle through %s", p->next);
			q = q->next && *q->next ? rg_config_pool(cfg, q->next) :
			    NULL;
		}
	}
	return 0;
}

int
pool_mgr_validate(const struct rg_config *cfg, char *field, size_t flen,
    char *why, size_t wlen)
{
	size_t	 i, j;
	char	 f[POOL_NAME_MAX + 64];

	if (flen)
		field[0] = '\0';
	if (wlen)
		why[0] = '\0';
	for (i = 0; i < cfg->npools; i++)
		if (check_pool(cfg, i, field, flen, why, wlen) < 0)
			return -1;
	if (check_overlaps(cfg, field, flen, why, wlen) < 0 ||
	    check_next(cfg, field, flen, why, wlen) < 0)
		return -1;
	for (i = 0; i < cfg->nprofiles; i++)
		for (j = 0; j < cfg->profiles[i].npools; j++) {
			snprintf(f, sizeof(f), "profiles[%s].pools[%zu]",
			    cfg->profiles[i].name, j);
			if (rg_config_pool(cfg, cfg->profiles[i].pools[j]) ==
			    NULL)
				return bad(field, flen, why, wlen, f, "pool %s "
				    "does not exist",
				    cfg->profiles[i].pools[j]);
		}
	return 0;
}
