/*
 * pool_check.c: the manager's consistency check, for tests and for a
 * debug command: every lease is indexed where its fields say and its slot
 * bit is set, free counts match the bitmaps, state counters match the
 * leases, every active lease is found by its session and every reserved
 * one sits in the release FIFO.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pool_int.h"

struct walk {
	size_t		 n, nres;
	const char	*bad;
	uint64_t	*active, *reserved, *owning;	/* per pool */
};

static void
check_one(struct pool_mgr *m, struct pool_lease *l, void *arg)
{
	struct walk	*w = arg;
	size_t		 i;

	w->n++;
	if (l->state == POOL_LEASE_RESERVED)
		w->nres++;
	if (l->pool) {
		i = (size_t)(l->pool - m->pools);
		if (i >= m->npools)
			w->bad = "lease points outside the pool set";
		else if (l->state == POOL_LEASE_ACTIVE)
			w->active[i]++;
		else
			w->reserved[i]++;
		if (i < m->npools && l->owns)
			w->owning[i]++;
	}
	if (l->range) {
		if (pool_range_lease(l->range, l->slot) != l)
			w->bad = "lease not at its slot";
		if (!pool_range_test(l->range, l->slot))
			w->bad = "leased slot marked free";
	} else if (pool_lease_by_addr(m, &l->addr) != l) {
		w->bad = "orphan lease not found by address";
	}
	if (l->state == POOL_LEASE_ACTIVE &&
	    pool_lease_by_sess(m, l->session, l->addr.af) != l)
		w->bad = "active lease not found by session";
	if (l->state != POOL_LEASE_ACTIVE && l->state != POOL_LEASE_RESERVED)
		w->bad = "lease in no state";
}

static int
bad(char *why, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

int
pool_mgr_check(struct pool_mgr *m, char *why, size_t len)
{
	struct walk		 w = { 0 };
	struct pool_lease	*l;
	size_t			 i, j, nfifo = 0;
	uint64_t		 taken;
	uint32_t		 s, nfree;
	int			 rc = 0;

	w.active = calloc(m->npools + 1, sizeof(uint64_t));
	w.reserved = calloc(m->npools + 1, sizeof(uint64_t));
	w.owning = calloc(m->npools + 1, sizeof(uint64_t));
	if (w.active == NULL || w.reserved == NULL || w.owning == NULL) {
		rc = bad(why, len, "out of memory");
		goto out;
	}
	pool_lease_foreach(m, check_one, &w);
	if (w.bad) {
		rc = bad(why, len, "%s", w.bad);
		goto out;
	}
	if (w.n != m->nleases) {
		rc = bad(why, len, "%zu leases indexed, %zu counted", w.n,
		    m->nleases);
		goto out;
	}
	if (m->by_sess.n + w.nres != m->nleases) {
		rc = bad(why, len, "session table holds %zu, expected %zu",
		    m->by_sess.n, m->nleases - w.nres);
		goto out;
	}
	TAILQ_FOREACH(l, &m->reserved, r_link) {
		nfifo++;
		if (l->state != POOL_LEASE_RESERVED) {
			rc = bad(why, len, "active lease in the reserved FIFO");
			goto out;
		}
	}
	if (nfifo != w.nres) {
		rc = bad(why, len, "FIFO holds %zu, %zu reserved", nfifo,
		    w.nres);
		goto out;
	}
	for (i = 0; i < m->npools; i++) {
		struct pool *p = &m->pools[i];

		if (p->nactive != w.active[i] || p->nreserved != w.reserved[i]) {
			rc = bad(why, len, "pool %s counts %llu/%llu, leases "
			    "%llu/%llu", p->name,
			    (unsigned long long)p->nactive,
			    (unsigned long long)p->nreserved,
			    (unsigned long long)w.active[i],
			    (unsigned long long)w.reserved[i]);
			goto out;
		}
		taken = 0;
		for (j = 0; j < p->nranges; j++) {
			struct pool_range *r = &p->ranges[j];

			taken += r->nslots - r->nfree;
			for (s = 0, nfree = 0; s < r->nslots; s++)
				nfree += !pool_range_test(r, s);
			if (nfree != r->nfree) {
				rc = bad(why, len, "pool %s range %zu: %u free"
				    " bits, nfree %u", p->name, j, nfree,
				    r->nfree);
				goto out;
			}
		}
		/* Every taken bit: an exclusion, a static, or a lease. */
		if (taken != p->nexcluded + p->nstatic + w.owning[i]) {
			rc = bad(why, len, "pool %s: %llu bits taken, %llu "
			    "excluded + %llu static + %llu leases", p->name,
			    (unsigned long long)taken,
			    (unsigned long long)p->nexcluded,
			    (unsigned long long)p->nstatic,
			    (unsigned long long)w.owning[i]);
			goto out;
		}
	}
out:
	free(w.owning);
	free(w.active);
	free(w.reserved);
	return rc;
}
