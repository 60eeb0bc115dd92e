/*
 * pool.c: the pool manager's lifetime and the grant/release path.
 *
 * pool_acquire() first plans where the address comes from (in order: the
 * address RADIUS sent as Framed-IP-Address (RFC 2865 5.8), the user's
 * static address, the older session's address on a one-session profile,
 * the user's own reservation (sticky), a free slot of the profile's pools
 * and their "next" chain, the oldest reservation of another user), then
 * persists the resulting lease, and only when put() succeeded changes
 * memory: an address never goes out unpersisted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rg_log.h"
#include "pool_int.h"

#define MAX_ALLOWED	64	/* pools reachable from one profile */

static uint64_t
clock_real(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

uint64_t
pool_now(const struct pool_mgr *m)
{
	return m->now(m->now_arg);
}

struct pool_mgr *
pool_mgr_new(const struct pool_persist *persist)
{
	struct pool_mgr	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (persist)
		m->persist = *persist;
	m->now = clock_real;
	m->sticky_s = POOL_STICKY_DEFAULT_S;
	TAILQ_INIT(&m->reserved);
	return m;
}

void
pool_mgr_free(struct pool_mgr *m)
{
	size_t	 i, j;

	if (m == NULL)
		return;
	pool_tables_free(m);
	for (i = 0; i < m->npools; i++) {
		for (j = 0; j < m->pools[i].nranges; j++)
			pool_range_clear(&m->pools[i].ranges[j]);
		free(m->pools[i].ranges);
		free(m->pools[i].name);
		free(m->pools[i].next_name);
	}
	free(m->pools);
	free(m->local);
	free(m);
}

void
pool_mgr_set_clock(struct pool_mgr *m, uint64_t (*now)(void *), void *arg)
{
	m->now = now ? now : clock_real;
	m->now_arg = arg;
}

void
pool_mgr_set_sticky(struct pool_mgr *m, uint32_t s)
{
	m->sticky_s = s;
}

int
pool_persist_put(struct pool_mgr *m, const struct pool_lease_rec *rec)
{
	if (m->persist.put == NULL)
		return 0;
	if (m->persist.put(m->persist.arg, rec) < 0) {
		m->persist_fail++;
		return -1;
	}
	return 0;
}

void
pool_persist_lease(struct pool_mgr *m, const struct pool_lease *l)
{
	struct pool_lease_rec	 rec;

	pool_lease_rec(l, &rec);
	(void)pool_persist_put(m, &rec);
}

void
pool_persist_del(struct pool_mgr *m, const struct pool_lease *l)
{
	struct pool_lease_rec	 rec;

	if (m->persist.del == NULL)
		return;
	pool_lease_rec(l, &rec);
	/* A stale record is reclaimed at the next restore: never unsafe. */
	if (m->persist.del(m->persist.arg, &rec) < 0)
		m->persist_fail++;
}

void
pool_mgr_tick(struct pool_mgr *m)
{
	struct pool_lease	*l;
	uint64_t		 now = pool_now(m);

	while ((l = TAILQ_FIRST(&m->reserved)) != NULL &&
	    (uint64_t)l->since + m->sticky_s <= now) {
		pool_persist_del(m, l);
		pool_lease_free(m, l);
	}
}

/* The pools of af the profile may use: its list, each with its next chain. */
static size_t
allowed_pools(struct pool_mgr *m, const struct rg_profile *prof,
    const char *named, int af, struct pool **out)
{
	struct pool	*p;
	size_t		 n = 0, i, k, j, np;

	/* A named pool (RADIUS Framed-Pool) stands for the profile's. */
	np = named != NULL ? 1 : prof != NULL ? prof->npools : 0;
	for (i = 0; i < np; i++) {
		const char *name = named != NULL ? named : prof->pools[i];

		for (p = NULL, j = 0; j < m->npools; j++)
			if (strcmp(m->pools[j].name, name) == 0)
				p = &m->pools[j];
		for (; p && n < MAX_ALLOWED; p = p->next) {
			for (k = 0; k < n && out[k] != p; k++)
				;
			if (k < n)
				break;	/* seen (also ends a cycle) */
			if (p->af == af)
				out[n++] = p;
		}
	}
	return n;
}

static struct pool *
pool_by_name(struct pool_mgr *m, const char *name, int af)
{
	for (size_t j = 0; j < m->npools; j++)
		if (strcmp(m->pools[j].name, name) == 0 && m->pools[j].af == af)
			return &m->pools[j];
	return NULL;
}

static bool
in_set(struct pool *const *set, size_t n, const struct pool *p)
{
	size_t	 i;

	for (i = 0; p && i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

/* Where the granted address comes from. */
struct plan {
	struct rg_addr		 addr;
	struct pool		*pool;		/* NULL: outside pools */
	struct pool_range	*range;
	uint32_t		 slot;
	bool			 owns;		/* a free slot is taken */
	struct pool_lease	*take;		/* an existing lease moves */
	const char		*how;
};

static void
plan_slot(struct plan *pl, struct pool *p, struct pool_range *r,
    uint32_t slot, const char *how)
{
	memset(pl, 0, sizeof(*pl));
	pl->pool = p;
	pl->range = r;
	pl->slot = slot;
	pl->owns = true;
	pl->how = how;
	pool_u128_addr(p->af, r->first + slot, &pl->addr);
}

static void
plan_take(struct plan *pl, struct pool_lease *l, const char *how)
{
	memset(pl, 0, sizeof(*pl));
	pl->addr = l->addr;
	pl->pool = l->pool;
	pl->take = l;
	pl->how = how;
}

static int
fail(char *why, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (why && len)
		vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

/*
 * An explicit address (RADIUS or static).  Returns 1 with *pl filled, 0
 * to fall back to dynamic allocation, or a negative errno.
 */
static int
plan_explicit(struct pool_mgr *m, const struct pool_req *req,
    const struct rg_addr *a, bool radius, struct pool *const *allowed,
    size_t nallowed, uint64_t replaced, struct plan *pl, char *why,
    size_t whylen)
{
	struct pool_lease	*l;
	struct pool_range	*r;
	struct pool		*p;
	uint32_t		 slot;
	char			 as[INET6_ADDRSTRLEN];
	const char		*what = radius ? "RADIUS address" :
				    "static address";

	rg_addr_str(a, as, sizeof(as));
	p = pool_locate(m->pools, m->npools, a, &r, &slot);
	if (radius && !in_set(allowed, nallowed, p)) {
		m->refused++;
		rg_warn(POOL, "user %s session %" PRIu64 ": RADIUS "
		    "Framed-IP-Address %s is not in an allowed pool; refused",
		    req->user, req->session_id, as);
		return fail(why, whylen, -EACCES, "RADIUS address %s is not "
		    "in an allowed pool", as);
	}
	if ((l = pool_lease_by_addr(m, a)) != NULL) {
		if (l->state == POOL_LEASE_RESERVED ||
		    (l->state == POOL_LEASE_ACTIVE &&
		    strcmp(l->user->name, req->user) == 0 &&
		    l->session == replaced && replaced != 0)) {
			plan_take(pl, l, what);
			return 1;
		}
		if (radius) {
			rg_warn(POOL, "user %s session %" PRIu64 ": RADIUS "
			    "Framed-IP-Address %s is held by session %"
			    PRIu64 "; refused", req->user, req->session_id,
			    as, l->session);
			return fail(why, whylen, -EADDRINUSE, "RADIUS "
			    "address %s is in use by session %" PRIu64, as,
			    l->session);
		}
		rg_notice(POOL, "user %s session %" PRIu64 ": static address"
		    " %s is held by session %" PRIu64 "; using a pool",
		    req->user, req->session_id, as, l->session);
		return 0;
	}
	memset(pl, 0, sizeof(*pl));
	pl->addr = *a;
	pl->how = what;
	if (p == NULL)
		return 1;	/* a static address outside every pool */
	if (radius && pool_range_test(r, slot))
		return fail(why, whylen, -EACCES, "RADIUS address %s is "
		    "excluded or a user's static address", as);
	pl->pool = p;
	pl->range = r;
	pl->slot = slot;
	pl->owns = !pool_range_test(r, slot);
	return 1;
}

static int
plan_address(struct pool_mgr *m, const struct rg_config *cfg,
    const struct pool_req *req, const struct rg_profile *prof,
    struct pool_lease *older, struct plan *pl, char *why, size_t whylen)
{
	struct pool		*allowed[MAX_ALLOWED];
	struct pool_lease	*l;
	struct pool_user	*u;
	struct rg_addr		 st = req->static_addr;
	const struct rg_user	*cu;
	size_t			 n, i, j;
	int64_t			 slot;
	int			 rc;

	if (req->pool != NULL && pool_by_name(m, req->pool, req->af) == NULL) {
		rg_warn(POOL, "user %s session %" PRIu64 ": RADIUS Framed-Pool "
		    "'%s' is no IPv%d pool; refused", req->user,
		    req->session_id, req->pool, req->af == AF_INET ? 4 : 6);
		return fail(why, whylen, -ENOENT, "RADIUS Framed-Pool '%s' is "
		    "no IPv%d pool", req->pool, req->af == AF_INET ? 4 : 6);
	}
	n = allowed_pools(m, prof, req->pool, req->af, allowed);
	if (req->requested.af) {
		if (req->requested.af != req->af)
			return fail(why, whylen, -EINVAL, "RADIUS address "
			    "family does not match the request");
		return plan_explicit(m, req, &req->requested, true, allowed,
		    n, older ? older->session : 0, pl, why, whylen);
	}
	if (st.af == 0 && req->af == AF_INET && cfg &&
	    (cu = rg_config_user(cfg, req->user)) != NULL)
		st = cu->static_ip4;
	if (st.af == req->af) {
		rc = plan_explicit(m, req, &st, false, allowed, n,
		    older ? older->session : 0, pl, why, whylen);
		if (rc != 0)
			return rc;
	}
	if (n == 0)
		return fail(why, whylen, -ENOENT, "profile %s has no IPv%d "
		    "pool", prof ? prof->name : "(none)",
		    req->af == AF_INET ? 4 : 6);
	/* One session per user: the new session inherits the address. */
	if (older) {
		TAILQ_FOREACH(l, &older->user->active, u_link)
			if (l->session == older->session &&
			    l->addr.af == req->af &&
			    in_set(allowed, n, l->pool)) {
				plan_take(pl, l, "replaced session");
				return 1;
			}
	}
	if ((u = pool_user_get(m, req->user, false)) != NULL) {
		TAILQ_FOREACH(l, &u->reserved, u_link)
			if (in_set(allowed, n, l->pool)) {
				plan_take(pl, l, "sticky");
				return 1;
			}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < allowed[i]->nranges; j++) {
			struct pool_range *r = &allowed[i]->ranges[j];

			if ((slot = pool_range_find(r)) >= 0) {
				plan_slot(pl, allowed[i], r, (uint32_t)slot,
				    "pool");
				return 1;
			}
		}
	/* Everything held: reuse the oldest reservation of anyone. */
	TAILQ_FOREACH(l, &m->reserved, r_link)
		if (in_set(allowed, n, l->pool)) {
			plan_take(pl, l, "oldest reservation");
			return 1;
		}
	m->exhausted++;
	for (i = 0; i < n; i++)
		allowed[i]->exhausted++;
	rg_warn(POOL, "pool %s exhausted (%zu pools tried): user %s session "
	    "%" PRIu64 " gets no IPv%d address", allowed[0]->name, n,
	    req->user, req->session_id, req->af == AF_INET ? 4 : 6);
	return fail(why, whylen, -ENOSPC, "address pool %s exhausted",
	    allowed[0]->name);
}

static void
grant_fill(const struct plan *pl, int af, struct pool_grant *out)
{
	memset(out, 0, sizeof(*out));
	out->addr = pl->addr;
	snprintf(out->pool, sizeof(out->pool), "%s",
	    pl->pool ? pl->pool->name : "static");
	out->plen = pl->pool ? pl->pool->plen : (af == AF_INET ? 32 : 128);
}

int
pool_acquire(struct pool_mgr *m, const struct rg_config *cfg,
    const struct pool_req *req, struct pool_grant *out, char *why,
    size_t whylen)
{
	const struct rg_profile	*prof = req->profile;
	struct pool_lease	*l, *older = NULL;
	struct pool_user	*u;
	struct pool_lease_rec	 rec;
	struct plan		 pl;
	uint64_t		 now, replaced = 0;
	char			 as[INET6_ADDRSTRLEN];
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	if (req->user == NULL || req->session_id == 0 ||
	    (req->af != AF_INET && req->af != AF_INET6))
		return fail(why, whylen, -EINVAL, "bad address request");
	if (prof == NULL && cfg)
		prof = rg_config_user_profile(cfg, req->user);
	pool_mgr_tick(m);
	now = pool_now(m);
	/* Asked twice for the same session: the same answer. */
	if ((l = pool_lease_by_sess(m, req->session_id, req->af)) != NULL) {
		plan_take(&pl, l, "existing");
		grant_fill(&pl, req->af, out);
		return 0;
	}
	u = pool_user_get(m, req->user, false);
	if (prof && prof->one_session && u) {
		TAILQ_FOREACH(l, &u->active, u_link)
			if (l->session != req->session_id) {
				older = l;
				replaced = l->session;
				break;
			}
	}
	if ((rc = plan_address(m, cfg, req, prof, older, &pl, why,
	    whylen)) < 0)
		return rc;
	if (rc == 0)
		return fail(why, whylen, -ENOSPC, "no address");

	memset(&rec, 0, sizeof(rec));
	rec.addr = pl.addr;
	rec.pool = pl.pool ? pl.pool->name : "";
	rec.user = req->user;
	rec.session = req->session_id;
	rec.state = POOL_LEASE_ACTIVE;
	rec.since = now;
	if (pool_persist_put(m, &rec) < 0) {
		rg_addr_str(&pl.addr, as, sizeof(as));
		rg_err(POOL, "user %s session %" PRIu64 ": lease %s could not "
		    "be stored; refused", req->user, req->session_id, as);
		return fail(why, whylen, -EIO, "lease for %s could not be "
		    "stored", as);
	}
	if (u == NULL && (u = pool_user_get(m, req->user, true)) == NULL)
		goto nomem;
	if ((l = pl.take) != NULL) {
		pool_lease_set_user(m, l, u);
		pool_lease_set_state(m, l, POOL_LEASE_ACTIVE,
		    req->session_id, now);
	} else {
		if ((l = pool_lease_new(m, &pl.addr, u, pl.pool, pl.range,
		    pl.slot, POOL_LEASE_ACTIVE, req->session_id, now)) ==
		    NULL) {
			pool_user_gc(m, u);
			goto nomem;
		}
		l->owns = pl.owns;
		if (pl.owns)
			pool_range_set(pl.range, pl.slot);
	}
	grant_fill(&pl, req->af, out);
	out->replaced_session = replaced;
	if (rg_log_enabled(RG_T_POOL, RG_L_INFO))
		rg_info(POOL, "user %s session %" PRIu64 ": %s from %s (%s)%s",
		    req->user, req->session_id, rg_addr_str(&pl.addr, as,
		    sizeof(as)), out->pool, pl.how,
		    older ? " replacing an older session" : "");
	return 0;
nomem:
	rec.state = POOL_LEASE_ACTIVE;
	if (m->persist.del)
		m->persist.del(m->persist.arg, &rec);
	return fail(why, whylen, -ENOMEM, "out of memory");
}

int
pool_release(struct pool_mgr *m, uint64_t session)
{
	struct pool_lease	*l;
	uint64_t		 now = pool_now(m);
	int			 n = 0;

	while ((l = pool_lease_by_sess(m, session, 0)) != NULL) {
		n++;
		/* Keep only what a reconnect can get back from a pool. */
		if (m->sticky_s == 0 || l->pool == NULL || !l->owns) {
			pool_persist_del(m, l);
			pool_lease_free(m, l);
			continue;
		}
		pool_lease_set_state(m, l, POOL_LEASE_RESERVED, session, now);
		pool_persist_lease(m, l);
	}
	return n;
}

size_t
pool_mgr_mem_bytes(const struct pool_mgr *m)
{
	size_t	 b, i, j, k;

	b = sizeof(*m) + m->npools * sizeof(struct pool);
	for (i = 0; i < m->npools; i++) {
		b += m->pools[i].nranges * sizeof(struct pool_range);
		for (j = 0; j < m->pools[i].nranges; j++) {
			const struct pool_range *r = &m->pools[i].ranges[j];

			b += r->nwords * 8 + (r->nwords + 63) / 64 * 8 +
			    r->nchunk * sizeof(void *);
			for (k = 0; k < r->nchunk; k++)
				if (r->chunk[k])
					b += POOL_CHUNK_SLOTS * sizeof(void *);
		}
	}
	return b + pool_tables_mem(m);
}
