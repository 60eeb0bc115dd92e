/*
 * test_pool_util.h: helpers for the pool tests and the pool benchmark:
 * building rg_config snapshots by hand, and a test implementation of
 * struct pool_persist that keeps the records in memory and, when given a
 * file, appends every put/del to it (fflush, optional fdatasync) so a
 * "crash" (dropping the manager) can be recovered by replaying the file.
 */
#ifndef TEST_POOL_UTIL_H
#define TEST_POOL_UTIL_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rg_config.h"
#include "pool.h"

static inline struct rg_addr
A(const char *s)
{
	struct rg_addr	 a;

	if (rg_addr_parse(s, &a) < 0)
		abort();
	return a;
}

static inline struct rg_prefix
P(const char *s)
{
	struct rg_prefix p;
	char		 buf[64], *sl;

	/* Unlike rg_prefix_parse, keeps host bits so tests can feed them. */
	memset(&p, 0, sizeof(p));
	snprintf(buf, sizeof(buf), "%s", s);
	if ((sl = strchr(buf, '/')) == NULL)
		abort();
	*sl++ = '\0';
	p.af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p.af, buf, p.addr) != 1)
		abort();
	p.plen = (uint8_t)atoi(sl);
	return p;
}

/* Add a pool; network may be NULL.  Returns its index. */
static inline size_t
cfg_pool(struct rg_config *c, const char *name, const char *network,
    const char *next)
{
	struct rg_pool_conf *pc;

	c->pools = realloc(c->pools, (c->npools + 1) * sizeof(*c->pools));
	pc = &c->pools[c->npools];
	memset(pc, 0, sizeof(*pc));
	pc->name = strdup(name);
	if (network) {
		pc->network = P(network);
		pc->af = pc->network.af;
	}
	pc->next = next ? strdup(next) : NULL;
	return c->npools++;
}

static inline void
cfg_range(struct rg_config *c, size_t pi, const char *first, const char *last)
{
	struct rg_pool_conf *pc = &c->pools[pi];

	pc->ranges = realloc(pc->ranges, (pc->nranges + 1) *
	    sizeof(*pc->ranges));
	pc->ranges[pc->nranges].first = A(first);
	pc->ranges[pc->nranges].last = A(last);
	if (pc->af == 0)
		pc->af = pc->ranges[pc->nranges].first.af;
	pc->nranges++;
}

static inline void
cfg_exclude(struct rg_config *c, size_t pi, const char *pfx)
{
	struct rg_pool_conf *pc = &c->pools[pi];

	pc->excludes = realloc(pc->excludes, (pc->nexcludes + 1) *
	    sizeof(*pc->excludes));
	pc->excludes[pc->nexcludes++] = P(pfx);
}

/* pools: comma-separated names. */
static inline struct rg_profile *
cfg_profile(struct rg_config *c, const char *name, const char *pools,
    bool one_session)
{
	struct rg_profile *p;
	char		 buf[256], *tok, *save = NULL;

	c->profiles = realloc(c->profiles, (c->nprofiles + 1) *
	    sizeof(*c->profiles));
	p = &c->profiles[c->nprofiles++];
	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	p->one_session = one_session;
	if (c->settings.default_profile == NULL)
		c->settings.default_profile = strdup(name);
	snprintf(buf, sizeof(buf), "%s", pools);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		p->pools = realloc(p->pools, (p->npools + 1) *
		    sizeof(*p->pools));
		p->pools[p->npools++] = strdup(tok);
	}
	return p;
}

static inline void
cfg_user(struct rg_config *c, const char *name, const char *profile,
    const char *static_ip4)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->profile = profile ? strdup(profile) : NULL;
	if (static_ip4)
		u->static_ip4 = A(static_ip4);
	u->enabled = true;
}

/* ---- test persistence ---- */

struct tp_rec {
	struct rg_addr		 addr;
	char			 pool[64];
	char			 user[64];
	uint64_t		 session;
	int			 state;
	uint64_t		 since;
};

struct tp_store {
	struct tp_rec	*recs;
	size_t		 n, cap;
	FILE		*f;		/* append log; NULL: memory only */
	bool		 sync;		/* fdatasync after each write */
	int		 fail_put;	/* fail the next N puts */
	size_t		 puts, dels;
};

static inline struct tp_rec *
tp_find(struct tp_store *s, const struct rg_addr *a)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->recs[i].addr.af == a->af &&
		    memcmp(s->recs[i].addr.addr, a->addr, 16) == 0)
			return &s->recs[i];
	return NULL;
}

static inline void
tp_apply_put(struct tp_store *s, const struct rg_addr *a, const char *pool,
    const char *user, uint64_t session, int state, uint64_t since)
{
	struct tp_rec	*r = tp_find(s, a);

	if (r == NULL) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->recs = realloc(s->recs, s->cap * sizeof(*s->recs));
		}
		r = &s->recs[s->n++];
	}
	memset(r, 0, sizeof(*r));
	r->addr = *a;
	snprintf(r->pool, sizeof(r->pool), "%s", pool);
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->session = session;
	r->state = state;
	r->since = since;
}

static inline void
tp_apply_del(struct tp_store *s, const struct rg_addr *a)
{
	struct tp_rec	*r = tp_find(s, a);

	if (r)
		*r = s->recs[--s->n];
}

static inline int
tp_write(struct tp_store *s, const char *line)
{
	if (s->f == NULL)
		return 0;
	if (fputs(line, s->f) == EOF || fflush(s->f) != 0)
		return -1;
	if (s->sync && fdatasync(fileno(s->f)) != 0)
		return -1;
	return 0;
}

static inline int
tp_put(void *arg, const struct pool_lease_rec *r)
{
	struct tp_store	*s = arg;
	char		 line[256], as[INET6_ADDRSTRLEN];

	if (s->fail_put > 0) {
		s->fail_put--;
		return -1;
	}
	rg_addr_str(&r->addr, as, sizeof(as));
	snprintf(line, sizeof(line), "P %s %s %s %llu %d %llu\n", as,
	    *r->pool ? r->pool : "-", r->user,
	    (unsigned long long)r->session, (int)r->state,
	    (unsigned long long)r->since);
	if (tp_write(s, line) < 0)
		return -1;
	tp_apply_put(s, &r->addr, r->pool, r->user, r->session, r->state,
	    r->since);
	s->puts++;
	return 0;
}

static inline int
tp_del(void *arg, const struct pool_lease_rec *r)
{
	struct tp_store	*s = arg;
	char		 line[128], as[INET6_ADDRSTRLEN];

	rg_addr_str(&r->addr, as, sizeof(as));
	snprintf(line, sizeof(line), "D %s\n", as);
	if (tp_write(s, line) < 0)
		return -1;
	tp_apply_del(s, &r->addr);
	s->dels++;
	return 0;
}

/* Replay a log file into s (memory only). */
static inline int
tp_load(struct tp_store *s, const char *path)
{
	FILE		*f = fopen(path, "r");
	char		 line[256], as[64], pool[64], user[64];
	unsigned long long sess, since;
	int		 state;
	struct rg_addr	 a;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "P %63s %63s %63s %llu %d %llu", as, pool,
		    user, &sess, &state, &since) == 6 &&
		    rg_addr_parse(as, &a) == 0)
			tp_apply_put(s, &a, strcmp(pool, "-") ? pool : "",
			    user, sess, state, since);
		else if (sscanf(line, "D %63s", as) == 1 &&
		    rg_addr_parse(as, &a) == 0)
			tp_apply_del(s, &a);
	}
	fclose(f);
	return 0;
}

/* The records as pool_lease_rec (pointing into s); caller frees. */
static inline struct pool_lease_rec *
tp_recs(struct tp_store *s)
{
	struct pool_lease_rec *v = calloc(s->n + 1, sizeof(*v));
	size_t		 i;

	for (i = 0; i < s->n; i++) {
		v[i].addr = s->recs[i].addr;
		v[i].pool = s->recs[i].pool;
		v[i].user = s->recs[i].user;
		v[i].session = s->recs[i].session;
		v[i].state = (enum pool_lease_state)s->recs[i].state;
		v[i].since = s->recs[i].since;
	}
	return v;
}

static inline void
tp_free(struct tp_store *s)
{
	if (s->f)
		fclose(s->f);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

#endif
