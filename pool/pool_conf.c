/*
 * pool_conf.c: building the pool set from an rg_config snapshot (ranges,
 * exclusions, users' static addresses), re-homing existing leases when the
 * set is rebuilt, restoring persisted leases at start, and gathering the
 * machine's own addresses (getifaddrs) so they are never handed out.
 *
 * Exclusions: the network and broadcast address of every CIDR-shaped IPv4
 * range and of the covering network (RFC 919/RFC 1122 3.2.1.3), the
 * Subnet-Router anycast address of IPv6 ones (RFC 4291 2.6.1), configured
 * exclude prefixes, the gateway's and local interfaces' addresses.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_log.h"
#include "pool_int.h"

struct pool *
pool_locate(struct pool *pools, size_t npools, const struct rg_addr *a,
    struct pool_range **rp, uint32_t *slot)
{
	pool_u128	 v;
	size_t		 i, j;

	if (a->af != AF_INET && a->af != AF_INET6)
		return NULL;
	v = pool_addr_u128(a);
	for (i = 0; i < npools; i++) {
		if (pools[i].af != a->af)
			continue;
		for (j = 0; j < pools[i].nranges; j++) {
			struct pool_range *r = &pools[i].ranges[j];

			if (v >= r->first && v - r->first < r->nslots) {
				*rp = r;
				*slot = (uint32_t)(v - r->first);
				return &pools[i];
			}
		}
	}
	return NULL;
}

/* Mark every slot of the pool set inside [lo, hi] as excluded. */
static void
exclude_span(struct pool *p, pool_u128 lo, pool_u128 hi)
{
	size_t		 j;
	pool_u128	 a, b, s;

	for (j = 0; j < p->nranges; j++) {
		struct pool_range *r = &p->ranges[j];

		a = lo > r->first ? lo : r->first;
		b = r->first + r->nslots - 1;
		if (hi < b)
			b = hi;
		for (s = a; s <= b && a <= b; s++)
			if (!pool_range_test(r, (uint32_t)(s - r->first))) {
				pool_range_set(r, (uint32_t)(s - r->first));
				p->nexcluded++;
			}
	}
}

static void
exclude_addr(struct pool *p, pool_u128 v)
{
	exclude_span(p, v, v);
}

/* A range whose bounds are exactly a prefix of at most /30 (/126). */
static bool
range_is_cidr(int af, pool_u128 first, pool_u128 last)
{
	pool_u128	 size = last - first + 1;

	(void)af;
	if (size < 4 || (size & (size - 1)) != 0)
		return false;
	return (first & (size - 1)) == 0;
}

static void
pools_free(struct pool *pools, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < pools[i].nranges; j++)
			pool_range_clear(&pools[i].ranges[j]);
		free(pools[i].ranges);
		free(pools[i].name);
		free(pools[i].next_name);
	}
	free(pools);
}

static int
pool_build(struct pool *p, const struct rg_pool_conf *pc)
{
	struct rg_pool_range	 net;
	const struct rg_pool_range *src = pc->ranges;
	size_t			 n = pc->nranges, j;
	pool_u128		 first, last, cnt;
	int			 bits = pc->af == AF_INET ? 32 : 128;

	p->af = pc->af;
	p->plen = pc->network.af ? pc->network.plen : (uint8_t)bits;
	p->name = strdup(pc->name);
	p->next_name = pc->next && *pc->next ? strdup(pc->next) : NULL;
	if (p->name == NULL || (pc->next && *pc->next && !p->next_name))
		return -1;
	if (n == 0) {
		/* A pool given by its network alone is that CIDR. */
		first = pool_prefix_u128(&pc->network);
		pool_u128_addr(pc->af, first, &net.first);
		pool_u128_addr(pc->af, first | pool_host_mask(pc->af,
		    pc->network.plen), &net.last);
		src = &net;
		n = 1;
	}
	if ((p->ranges = calloc(n, sizeof(*p->ranges))) == NULL)
		return -1;
	for (j = 0; j < n; j++) {
		first = pool_addr_u128(&src[j].first);
		last = pool_addr_u128(&src[j].last);
		cnt = last - first + 1;
		if (cnt == 0 || cnt > POOL_RANGE_MAX_SLOTS) {
			if (cnt != 0 && pc->af == AF_INET)
				return -1;	/* validator refuses this */
			rg_notice(POOL, "pool %s: range %zu holds more than %u"
			    " addresses; using the first %u", pc->name, j,
			    POOL_RANGE_MAX_SLOTS, POOL_RANGE_MAX_SLOTS);
			cnt = POOL_RANGE_MAX_SLOTS;
		}
		if (pool_range_init(&p->ranges[j], first, (uint32_t)cnt) < 0)
			return -1;
		p->nranges++;
		p->nslots += (uint64_t)cnt;
		if (range_is_cidr(pc->af, first, last)) {
			exclude_addr(p, first);
			if (pc->af == AF_INET)
				exclude_addr(p, last);
		}
	}
	if (pc->network.af == pc->af && pc->network.plen < bits - 1) {
		first = pool_prefix_u128(&pc->network);
		exclude_addr(p, first);
		if (pc->af == AF_INET)
			exclude_addr(p, first | pool_host_mask(pc->af,
			    pc->network.plen));
	}
	for (j = 0; j < pc->nexcludes; j++) {
		const struct rg_prefix *x = &pc->excludes[j];

		if (x->af != pc->af)
			continue;
		first = pool_prefix_u128(x);
		exclude_span(p, first, first | pool_host_mask(x->af, x->plen));
	}
	return 0;
}

/* Build the pool set of cfg (without leases) into *out. */
static int
pools_build(struct pool_mgr *m, const struct rg_config *cfg,
    struct pool **out, size_t *nout)
{
	struct pool		*pools, *p;
	struct pool_range	*r;
	uint32_t		 slot;
	size_t			 i, j;

	*out = NULL;
	*nout = 0;
	if (cfg->npools == 0)
		return 0;
	if ((pools = calloc(cfg->npools, sizeof(*pools))) == NULL)
		return -1;
	for (i = 0; i < cfg->npools; i++)
		if (pool_build(&pools[i], &cfg->pools[i]) < 0) {
			pools_free(pools, cfg->npools);
			return -1;
		}
	for (i = 0; i < cfg->npools; i++) {
		if (pools[i].next_name == NULL)
			continue;
		for (j = 0; j < cfg->npools; j++)
			if (strcmp(pools[j].name, pools[i].next_name) == 0)
				pools[i].next = &pools[j];
	}
	for (i = 0; i < m->nlocal; i++) {
		if ((p = pool_locate(pools, cfg->npools, &m->local[i], &r,
		    &slot)) == NULL)
			continue;
		exclude_addr(p, r->first + slot);
	}
	/* Users' static addresses are never handed out dynamically. */
	for (i = 0; i < cfg->nusers; i++) {
		const struct rg_addr *a = &cfg->users[i].static_ip4;

		if (a->af != AF_INET || (p = pool_locate(pools, cfg->npools,
		    a, &r, &slot)) == NULL || pool_range_test(r, slot))
			continue;
		pool_range_set(r, slot);
		p->nstatic++;
	}
	for (i = 0; i < cfg->npools; i++)
		for (j = 0; j < pools[i].nranges; j++)
			pools[i].ranges[j].hint = 0;
	*out = pools;
	*nout = cfg->npools;
	return 0;
}

/*
 * Give a lease its place in the current pool set.  Returns false when the
 * lease cannot stay: a reservation outside every pool or on an address
 * that is now excluded.
 */
static bool
lease_home(struct pool_mgr *m, struct pool_lease *l)
{
	struct pool_range	*r;
	uint32_t		 slot;
	struct pool		*p;

	/* The caller detached l from any previous pool (counters too). */
	l->pool = NULL;
	l->range = NULL;
	l->owns = false;
	p = pool_locate(m->pools, m->npools, &l->addr, &r, &slot);
	if ((p == NULL || pool_range_test(r, slot)) &&
	    l->state == POOL_LEASE_RESERVED)
		return false;	/* indexed as an orphan until freed */
	if (p) {
		l->pool = p;
		l->range = r;
		l->slot = slot;
		if (!pool_range_test(r, slot)) {
			pool_range_set(r, slot);
			l->owns = true;
		}
		if (l->state == POOL_LEASE_ACTIVE)
			p->nactive++;
		else
			p->nreserved++;
	}
	return true;
}

struct gather {
	struct pool_lease	**v;
	size_t			 n;
};

static void
gather_one(struct pool_mgr *m, struct pool_lease *l, void *arg)
{
	struct gather	*g = arg;

	(void)m;
	g->v[g->n++] = l;
}

static void
drop_doomed(struct pool_mgr *m)
{
	struct pool_lease	*l, *nx;

	for (l = TAILQ_FIRST(&m->reserved); l; l = nx) {
		nx = TAILQ_NEXT(l, r_link);
		if (!l->doomed)
			continue;
		pool_persist_del(m, l);
		pool_lease_free(m, l);
	}
}

int
pool_mgr_configure(struct pool_mgr *m, const struct rg_config *cfg,
    char *why, size_t whylen)
{
	struct pool	*pools;
	struct gather	 g;
	size_t		 npools, i, j;
	char		 field[128], reason[192];

	if (pool_mgr_validate(cfg, field, sizeof(field), reason,
	    sizeof(reason)) < 0) {
		snprintf(why, whylen, "%s: %s", field, reason);
		return -1;
	}
	if (pools_build(m, cfg, &pools, &npools) < 0) {
		snprintf(why, whylen, "out of memory building pools");
		return -1;
	}
	for (i = 0; i < npools; i++)
		for (j = 0; j < m->npools; j++)
			if (strcmp(pools[i].name, m->pools[j].name) == 0)
				pools[i].exhausted = m->pools[j].exhausted;
	/* Leases are indexed in the old set: take them out, then re-home
	 * each in the new one. */
	g.n = 0;
	if ((g.v = malloc((m->nleases + 1) * sizeof(*g.v))) == NULL) {
		pools_free(pools, npools);
		snprintf(why, whylen, "out of memory building pools");
		return -1;
	}
	pool_lease_foreach(m, gather_one, &g);
	free(m->by_addr.e);
	memset(&m->by_addr, 0, sizeof(m->by_addr));
	pools_free(m->pools, m->npools);
	m->pools = pools;
	m->npools = npools;
	for (i = 0; i < g.n; i++) {
		/* Only reservations fail to re-home; freed after the walk. */
		g.v[i]->doomed = !lease_home(m, g.v[i]);
		pool_lease_index(m, g.v[i]);
	}
	free(g.v);
	drop_doomed(m);
	rg_info(POOL, "pool set configured: %zu pools, %zu leases kept",
	    npools, m->nleases);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_since(const void *a, const void *b)
{
	const struct pool_lease *x = *(struct pool_lease *const *)a;
	const struct pool_lease *y = *(struct pool_lease *const *)b;

	return x->since < y->since ? -1 : x->since > y->since;
}

int
pool_mgr_restore(struct pool_mgr *m, const struct pool_lease_rec *recs,
    size_t n, const uint64_t *live, size_t nlive)
{
	uint64_t		*sorted = NULL;
	struct pool_lease	**res = NULL, *l;
	struct pool_user	*u;
	size_t			 i, nres = 0, kept = 0;
	uint64_t		 now = pool_now(m);
	char			 as[INET6_ADDRSTRLEN];
	bool			 alive;

	if ((nlive && (sorted = malloc(nlive * sizeof(*sorted))) == NULL) ||
	    (n && (res = calloc(n, sizeof(*res))) == NULL)) {
		free(sorted);
		return -ENOMEM;
	}
	if (nlive) {
		memcpy(sorted, live, nlive * sizeof(*sorted));
		qsort(sorted, nlive, sizeof(*sorted), cmp_u64);
	}
	for (i = 0; i < n; i++) {
		const struct pool_lease_rec *r = &recs[i];

		rg_addr_str(&r->addr, as, sizeof(as));
		if (r->user == NULL || (r->addr.af != AF_INET &&
		    r->addr.af != AF_INET6)) {
			rg_warn(POOL, "restore: malformed lease %s dropped",
			    as);
			continue;
		}
		if (pool_lease_by_addr(m, &r->addr) != NULL) {
			rg_warn(POOL, "restore: duplicate lease for %s ignored",
			    as);
			continue;
		}
		alive = r->state == POOL_LEASE_ACTIVE && r->session != 0 &&
		    nlive && bsearch(&r->session, sorted, nlive,
		    sizeof(*sorted), cmp_u64) != NULL &&
		    pool_lease_by_sess(m, r->session, r->addr.af) == NULL;
		if ((u = pool_user_get(m, r->user, true)) == NULL)
			break;
		l = pool_lease_new(m, &r->addr, u, NULL, NULL, 0,
		    alive ? POOL_LEASE_ACTIVE : POOL_LEASE_RESERVED,
		    r->session, (r->state == POOL_LEASE_ACTIVE && !alive) ||
		    r->since > UINT32_MAX ? now : r->since);
		if (l == NULL) {
			pool_user_gc(m, u);
			break;
		}
		/* A reservation past its time, or sticky off: free it. */
		if (!alive && (m->sticky_s == 0 ||
		    (uint64_t)l->since + m->sticky_s <= now)) {
			rg_info(POOL, "restore: %s of %s (session %llu) freed",
			    as, r->user, (unsigned long long)r->session);
			pool_persist_del(m, l);
			pool_lease_free(m, l);
			continue;
		}
		/* Move it from the orphan table to its slot. */
		pool_lease_unindex(m, l);
		if (!lease_home(m, l)) {
			pool_lease_index(m, l);
			rg_info(POOL, "restore: %s no longer in a pool, dropped",
			    as);
			pool_persist_del(m, l);
			pool_lease_free(m, l);
			continue;
		}
		pool_lease_index(m, l);
		if (!alive) {
			res[nres++] = l;
			if (r->state == POOL_LEASE_ACTIVE) {
				rg_info(POOL, "restore: session %llu of %s is "
				    "gone; %s reserved for the user",
				    (unsigned long long)r->session, r->user,
				    as);
				pool_persist_lease(m, l);
			}
		}
		kept++;
	}
	/* The reserved FIFO must be in release order for expiry. */
	for (i = 0; i < nres; i++)
		TAILQ_REMOVE(&m->reserved, res[i], r_link);
	if (nres)
		qsort(res, nres, sizeof(*res), cmp_since);
	for (i = 0; i < nres; i++)
		TAILQ_INSERT_TAIL(&m->reserved, res[i], r_link);
	free(res);
	free(sorted);
	rg_notice(POOL, "restore: %zu of %zu leases kept (%zu reserved)",
	    kept, n, nres);
	return (int)kept;
}

int
pool_mgr_set_local(struct pool_mgr *m, const struct rg_addr *a, size_t n)
{
	struct rg_addr	*c = NULL;

	if (n && (c = calloc(n, sizeof(*c))) == NULL)
		return -1;
	if (n)
		memcpy(c, a, n * sizeof(*c));
	free(m->local);
	m->local = c;
	m->nlocal = n;
	return 0;
}

int
pool_local_addrs(struct rg_addr **out, size_t *nout)
{
	struct ifaddrs	*ifa, *i;
	struct rg_addr	*v;
	size_t		 n = 0;

	*out = NULL;
	*nout = 0;
	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && (i->ifa_addr->sa_family == AF_INET ||
		    i->ifa_addr->sa_family == AF_INET6))
			n++;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL) {
		freeifaddrs(ifa);
		return -1;
	}
	n = 0;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			v[n].af = AF_INET;
			memcpy(v[n++].addr, &((struct sockaddr_in *)
			    (void *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			v[n].af = AF_INET6;
			memcpy(v[n++].addr, &((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
	*out = v;
	*nout = n;
	return 0;
}
