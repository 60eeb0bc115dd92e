/*
 * pool_status.c: utilisation per pool and the lease list as JSON for the
 * API (`GET /pools`, `roadgatectl pool show NAME`).
 */
#include <arpa/inet.h>
#include <string.h>

#include "pool_int.h"

static json_t *
pool_json(const struct pool_mgr *m, const struct pool *p)
{
	json_t		*o, *rs;
	uint64_t	 nfree = 0, usable;
	size_t		 j;
	char		 a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], buf[100];
	struct rg_addr	 x;

	(void)m;
	rs = json_array();
	for (j = 0; j < p->nranges; j++) {
		const struct pool_range *r = &p->ranges[j];

		nfree += r->nfree;
		pool_u128_addr(p->af, r->first, &x);
		rg_addr_str(&x, a, sizeof(a));
		pool_u128_addr(p->af, r->first + r->nslots - 1, &x);
		rg_addr_str(&x, b, sizeof(b));
		snprintf(buf, sizeof(buf), "%s-%s", a, b);
		json_array_append_new(rs, json_string(buf));
	}
	usable = p->nslots - p->nexcluded;
	o = json_pack("{s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:f, s:I}",
	    "name", p->name,
	    "family", p->af == AF_INET ? 4 : 6,
	    "ranges", rs,
	    "size", (json_int_t)usable,
	    "excluded", (json_int_t)p->nexcluded,
	    "static", (json_int_t)p->nstatic,
	    "active", (json_int_t)p->nactive,
	    "reserved", (json_int_t)p->nreserved,
	    "used", (json_int_t)(usable - nfree),
	    "free", (json_int_t)nfree,
	    "utilisation", usable ? 100.0 * (double)(usable - nfree) /
	    (double)usable : 100.0,
	    "exhausted", (json_int_t)p->exhausted);
	if (o && p->next)
		json_object_set_new(o, "next", json_string(p->next->name));
	return o;
}

struct lease_walk {
	const struct pool	*pool;
	json_t			*arr;
	uint32_t		 sticky;
};

static void
lease_json(struct pool_mgr *m, struct pool_lease *l, void *arg)
{
	struct lease_walk	*w = arg;
	char			 a[INET6_ADDRSTRLEN];
	json_t			*o;

	(void)m;
	if (l->pool != w->pool)
		return;
	rg_addr_str(&l->addr, a, sizeof(a));
	o = json_pack("{s:s, s:s, s:I, s:s, s:I}",
	    "address", a,
	    "user", l->user->name,
	    "session", (json_int_t)l->session,
	    "state", l->state == POOL_LEASE_ACTIVE ? "active" : "reserved",
	    "since", (json_int_t)l->since);
	if (o && l->state == POOL_LEASE_RESERVED)
		json_object_set_new(o, "expires",
		    json_integer((json_int_t)l->since + w->sticky));
	if (o)
		json_array_append_new(w->arr, o);
}

json_t *
pool_mgr_status_json(const struct pool_mgr *cm, const char *name)
{
	/* The walk does not change anything; foreach takes a mutable mgr
	 * only because other walkers free leases. */
	struct pool_mgr		*m = (struct pool_mgr *)(uintptr_t)cm;
	struct lease_walk	 w;
	json_t			*o, *arr;
	size_t			 i;

	if (name == NULL) {
		arr = json_array();
		for (i = 0; i < m->npools; i++)
			json_array_append_new(arr, pool_json(m, &m->pools[i]));
		return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "pools", arr,
		    "leases", (json_int_t)m->nleases,
		    "memory_bytes", (json_int_t)pool_mgr_mem_bytes(m),
		    "exhausted", (json_int_t)m->exhausted,
		    "radius_refused", (json_int_t)m->refused,
		    "persist_failures", (json_int_t)m->persist_fail);
	}
	for (i = 0; i < m->npools; i++) {
		if (strcmp(m->pools[i].name, name) != 0)
			continue;
		if ((o = pool_json(m, &m->pools[i])) == NULL)
			return NULL;
		w.pool = &m->pools[i];
		w.arr = json_array();
		w.sticky = m->sticky_s;
		pool_lease_foreach(m, lease_json, &w);
		json_object_set_new(o, "leases", w.arr);
		return o;
	}
	return NULL;
}
