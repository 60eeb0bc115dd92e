/*
 * sess_lease.c: a session's addresses.  Leases come from the pool
 * manager (pool/) under the session's key, persisted in the store so that
 * no address is handed out twice after a restart; a released lease stays
 * reserved for its user for the sticky time.  Each virtual IP is routed
 * into the data plane while the session holds it.
 *
 * Keys: the pool and the store know a session by base + id.  base is the
 * largest key among the leases restored at start (0 when none), so no
 * session of this run collides with a lease of an earlier one, and keys
 * stay 64-bit with nothing to wrap.
 *
 * One session per user: when the pool hands an address to a newer
 * session of a one_session profile it names the older one, which its
 * provider tears down right there (cause PORT_PREEMPTED), before the new
 * session's route goes in (the address may be the same).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool/pool.h"
#include "rg_log.h"
#include "sess_int.h"
#include "store.h"

/* --- pool persistence in the store ------------------------------------ */

static int
persist_put(void *arg, const struct pool_lease_rec *r)
{
	struct store		*st = arg;
	struct store_lease	 l = {
		.pool = r->pool,
		.addr = r->addr,
		.user = r->user,
		.session_id = r->session,
		.state = r->state == POOL_LEASE_ACTIVE ? "bound" : "reserved",
	};

	return store_lease_put(st, &l);
}

static int
persist_del(void *arg, const struct pool_lease_rec *r)
{
	struct store	*st = arg;

	return store_lease_del(st, r->pool, &r->addr);
}

void
sess_lease_persist(struct store *st, struct pool_persist *out)
{
	*out = (struct pool_persist){ persist_put, persist_del, st };
}

struct restore_ctx {
	struct pool_lease_rec	*recs;
	char			**strs;
	size_t			 n, cap;
};

static int
restore_collect(const struct store_lease *l, void *arg)
{
	struct restore_ctx	*c = arg;
	struct pool_lease_rec	*nr;
	char			**ns;
	size_t			 ncap;

	if (c->n == c->cap) {
		ncap = c->cap ? c->cap * 2 : 64;
		if ((nr = realloc(c->recs, ncap * sizeof(*nr))) == NULL)
			return -1;
		c->recs = nr;
		if ((ns = realloc(c->strs, ncap * 2 * sizeof(*ns))) == NULL)
			return -1;
		c->strs = ns;
		c->cap = ncap;
	}
	c->strs[2 * c->n] = strdup(l->pool ? l->pool : "");
	c->strs[2 * c->n + 1] = strdup(l->user ? l->user : "");
	c->recs[c->n] = (struct pool_lease_rec){
		.addr = l->addr,
		.pool = c->strs[2 * c->n],
		.user = c->strs[2 * c->n + 1],
		.session = l->session_id,
		.state = l->state && strcmp(l->state, "bound") == 0 ?
		    POOL_LEASE_ACTIVE : POOL_LEASE_RESERVED,
		.since = l->updated > 0 ? (uint64_t)l->updated : 0,
	};
	c->n++;
	return 0;
}

static void
pools_restore(struct sess_reg *reg)
{
	struct restore_ctx	 c = { 0 };
	size_t			 i;
	int			 kept;

	if (reg->store == NULL)
		return;
	if (store_lease_list(reg->store, NULL, restore_collect, &c) < 0)
		rg_warn(POOL, "could not read the persisted leases");
	/* New keys start above every restored one (see the top). */
	for (i = 0; i < c.n; i++)
		if (c.recs[i].session > reg->base)
			reg->base = c.recs[i].session;
	/* No session survives a restart: every lease becomes reserved. */
	kept = pool_mgr_restore(reg->pools, c.recs, c.n, NULL, 0);
	if (c.n)
		rg_notice(POOL, "restored %zu persisted lease(s), %d kept "
		    "reserved for their users", c.n, kept < 0 ? 0 : kept);
	for (i = 0; i < 2 * c.n; i++)
		free(c.strs[i]);
	free(c.strs);
	free(c.recs);
}

static void
tick(struct rg_timer *t)
{
	struct sess_reg	*reg = t->arg;

	pool_mgr_tick(reg->pools);
	rg_timer_start(reg->loop, &reg->t_tick, 60 * 1000);
}

static int
pool_ops_acquire(void *arg, const struct rg_config *cfg,
    const struct pool_req *req, struct pool_grant *out, char *why,
    size_t whylen)
{
	return pool_acquire(arg, cfg, req, out, why, whylen) < 0 ? -1 : 0;
}

static void
pool_ops_release(void *arg, uint64_t key)
{
	pool_release(arg, key);
}

void
sess_lease_start(struct sess_reg *reg)
{
	char	 why[256];

	rg_timer_init(&reg->t_tick, tick, reg);
	if (reg->pools == NULL)
		return;
	if (reg->lease.acquire == NULL)
		reg->lease = (struct sess_lease_ops){ pool_ops_acquire,
		    pool_ops_release, reg->pools };
	pool_mgr_set_sticky(reg->pools, reg->cfg->settings.sticky_s);
	if (pool_mgr_configure(reg->pools, reg->cfg, why, sizeof(why)) < 0)
		rg_err(POOL, "pools not usable: %s", why);
	pools_restore(reg);
	rg_timer_start(reg->loop, &reg->t_tick, 60 * 1000);
}

void
sess_lease_stop(struct sess_reg *reg)
{
	rg_timer_stop(reg->loop, &reg->t_tick);
}

int
sess_reg_reconfigure(struct sess_reg *reg, struct rg_config *cfg)
{
	char	 why[256];

	if (reg->pools != NULL) {
		if (pool_mgr_configure(reg->pools, cfg, why,
		    sizeof(why)) < 0) {
			rg_err(POOL, "new configuration refused by the "
			    "pools: %s", why);
			return -1;
		}
		pool_mgr_set_sticky(reg->pools, cfg->settings.sticky_s);
	}
	rg_config_unref(reg->cfg);
	reg->cfg = rg_config_ref(cfg);
	return 0;
}

/* --- a session's addresses ---------------------------------------------- */

static void
vip_prefix(const struct rg_addr *a, struct rg_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->af = a->af;
	memcpy(p->addr, a->addr, 16);
	p->plen = a->af == AF_INET ? 32 : 128;
}

int
sess_lease(struct sess *s, int af, const struct rg_addr *requested,
    struct rg_addr *out, char *why, size_t whylen)
{
	struct sess_reg		*reg = s->reg;
	struct pool_req		 req = {
		.user = s->user,
		.profile = rg_config_profile(reg->cfg, s->profile),
		.session_id = s->key,
		.af = af,
	};
	struct pool_grant	 g;
	struct rg_prefix	 p;

	(void)requested;	/* a client's wish is advice only */
	/* What the authentication granted goes before the profile: the
	 * pool checks it (refused, and logged there, when outside the
	 * allowed pools or held by another session). */
	if (s->gr != NULL && s->gr->g.address.af == af)
		req.requested = s->gr->g.address;
	if (s->gr != NULL && af == AF_INET && s->gr->g.pool[0] != '\0')
		req.pool = s->gr->g.pool;
	if (reg->lease.acquire == NULL) {
		snprintf(why, whylen, "no address pools");
		return -1;
	}
	memset(&g, 0, sizeof(g));
	if (reg->lease.acquire(reg->lease.arg, reg->cfg, &req, &g, why,
	    whylen) < 0)
		return -1;
	*out = g.addr;
	s->leased = true;
	if (g.replaced_session != 0)
		sess_replace(s, g.replaced_session);
	if (g.addr.af == AF_INET)
		s->vip4 = g.addr;
	else if (g.addr.af == AF_INET6)
		s->vip6 = g.addr;
	if (reg->dp != NULL && (g.addr.af == AF_INET ||
	    g.addr.af == AF_INET6)) {
		vip_prefix(&g.addr, &p);
		dp_route_add(reg->dp, &p);
		if (g.addr.af == AF_INET)
			s->route4 = true;
		else
			s->route6 = true;
	}
	return 0;
}

void
sess_lease_drop(struct sess *s)
{
	struct sess_reg		*reg = s->reg;
	struct rg_prefix	 p;

	if (!s->leased)
		return;
	if (s->route4 && reg->dp != NULL) {
		vip_prefix(&s->vip4, &p);
		dp_route_del(reg->dp, &p);
	}
	if (s->route6 && reg->dp != NULL) {
		vip_prefix(&s->vip6, &p);
		dp_route_del(reg->dp, &p);
	}
	s->route4 = s->route6 = false;
	if (reg->lease.release != NULL)
		reg->lease.release(reg->lease.arg, s->key);
	s->leased = false;
}
