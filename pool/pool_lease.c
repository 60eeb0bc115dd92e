/*
 * pool_lease.c: the live lease tables of the pool manager: chained hashes
 * by session (active leases only), by address (every lease) and by user
 * name (interned users with their active and reserved lists), and the FIFO
 * of reserved leases in release order (so expiry pops from the head).
 */
#include <stdlib.h>
#include <string.h>

#include "pool_int.h"

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t
addr_hash(const struct rg_addr *a)
{
	pool_u128	 v = pool_addr_u128(a);

	return mix64((uint64_t)v ^ mix64((uint64_t)(v >> 64) + (uint64_t)a->af));
}

static uint64_t
str_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return mix64(h);
}

/*
 * Generic chained hash over intrusive "next" pointers at offset off.
 * Grows by doubling when the load passes one.
 */
#define NEXTP(e, off)	((void **)((char *)(e) + (off)))

static int
hash_grow(struct pool_hash *h, size_t off, uint64_t (*key)(const void *))
{
	size_t	 nb = h->nb ? h->nb * 2 : 64, i;
	void	**b, *e, *nx;

	if ((b = calloc(nb, sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < h->nb; i++)
		for (e = h->b[i]; e; e = nx) {
			uint64_t k = key(e) & (nb - 1);

			nx = *NEXTP(e, off);
			*NEXTP(e, off) = b[k];
			b[k] = e;
		}
	free(h->b);
	h->b = b;
	h->nb = nb;
	return 0;
}

static void
hash_add(struct pool_hash *h, void *e, size_t off,
    uint64_t (*key)(const void *))
{
	uint64_t	 k;

	/* A failed grow keeps the old, longer chains: still correct. */
	if (h->n >= h->nb && hash_grow(h, off, key) < 0 && h->nb == 0)
		abort();	/* cannot even hold one bucket: out of memory */
	k = key(e) & (h->nb - 1);
	*NEXTP(e, off) = h->b[k];
	h->b[k] = e;
	h->n++;
}

static void
hash_del(struct pool_hash *h, void *e, size_t off,
    uint64_t (*key)(const void *))
{
	void	**pp;

	if (h->nb == 0)
		return;
	for (pp = &h->b[key(e) & (h->nb - 1)]; *pp; pp = NEXTP(*pp, off))
		if (*pp == e) {
			*pp = *NEXTP(e, off);
			h->n--;
			return;
		}
}

static uint64_t
key_sess(const void *e)
{
	return mix64(((const struct pool_lease *)e)->session);
}

static uint64_t
key_addr(const void *e)
{
	return addr_hash(&((const struct pool_lease *)e)->addr);
}

static uint64_t
key_user(const void *e)
{
	return str_hash(((const struct pool_user *)e)->name);
}

#define OFF_SESS	offsetof(struct pool_lease, h_sess)
#define OFF_ADDR	offsetof(struct pool_lease, h_addr)
#define OFF_USER	offsetof(struct pool_user, h_next)

struct pool_lease *
pool_lease_by_addr(const struct pool_mgr *m, const struct rg_addr *a)
{
	struct pool_lease	*l;

	if (m->by_addr.nb == 0)
		return NULL;
	for (l = m->by_addr.b[addr_hash(a) & (m->by_addr.nb - 1)]; l;
	    l = l->h_addr)
		if (pool_addr_eq(&l->addr, a))
			return l;
	return NULL;
}

/* af 0: any family. */
struct pool_lease *
pool_lease_by_sess(const struct pool_mgr *m, uint64_t s, int af)
{
	struct pool_lease	*l;

	if (m->by_sess.nb == 0)
		return NULL;
	for (l = m->by_sess.b[mix64(s) & (m->by_sess.nb - 1)]; l;
	    l = l->h_sess)
		if (l->session == s && (af == 0 || l->addr.af == af))
			return l;
	return NULL;
}

struct pool_user *
pool_user_get(struct pool_mgr *m, const char *name, bool create)
{
	struct pool_user	*u;
	size_t			 len;

	if (m->by_user.nb) {
		for (u = m->by_user.b[str_hash(name) & (m->by_user.nb - 1)];
		    u; u = u->h_next)
			if (strcmp(u->name, name) == 0)
				return u;
	}
	if (!create)
		return NULL;
	len = strlen(name);
	if ((u = calloc(1, sizeof(*u) + len + 1)) == NULL)
		return NULL;
	memcpy(u->name, name, len + 1);
	TAILQ_INIT(&u->active);
	TAILQ_INIT(&u->reserved);
	hash_add(&m->by_user, u, OFF_USER, key_user);
	return u;
}

void
pool_user_gc(struct pool_mgr *m, struct pool_user *u)
{
	if (u->refs > 0)
		return;
	hash_del(&m->by_user, u, OFF_USER, key_user);
	free(u);
}

static void
user_unref(struct pool_mgr *m, struct pool_user *u)
{
	u->refs--;
	pool_user_gc(m, u);
}

/* Unlink l from the lists and hash its state puts it in. */
static void
lease_unlink_state(struct pool_mgr *m, struct pool_lease *l)
{
	if (l->state == POOL_LEASE_ACTIVE) {
		hash_del(&m->by_sess, l, OFF_SESS, key_sess);
		TAILQ_REMOVE(&l->user->active, l, u_link);
		if (l->pool)
			l->pool->nactive--;
	} else if (l->state == POOL_LEASE_RESERVED) {
		TAILQ_REMOVE(&l->user->reserved, l, u_link);
		TAILQ_REMOVE(&m->reserved, l, r_link);
		if (l->pool)
			l->pool->nreserved--;
	}
	l->state = 0;
}

static void
lease_link_state(struct pool_mgr *m, struct pool_lease *l, int state)
{
	l->state = (uint8_t)state;
	if (state == POOL_LEASE_ACTIVE) {
		hash_add(&m->by_sess, l, OFF_SESS, key_sess);
		TAILQ_INSERT_TAIL(&l->user->active, l, u_link);
		if (l->pool)
			l->pool->nactive++;
	} else {
		/* Most recent first: sticky picks the newest reservation. */
		TAILQ_INSERT_HEAD(&l->user->reserved, l, u_link);
		TAILQ_INSERT_TAIL(&m->reserved, l, r_link);
		if (l->pool)
			l->pool->nreserved++;
	}
}

struct pool_lease *
pool_lease_new(struct pool_mgr *m, const struct rg_addr *a,
    struct pool_user *u, struct pool *p, struct pool_range *r, uint32_t slot,
    int state, uint64_t session, uint64_t since)
{
	struct pool_lease	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->addr = *a;
	l->pool = p;
	l->range = r;
	l->slot = slot;
	l->user = u;
	u->refs++;
	l->session = session;
	l->since = since;
	hash_add(&m->by_addr, l, OFF_ADDR, key_addr);
	m->nleases++;
	lease_link_state(m, l, state);
	return l;
}

void
pool_lease_set_state(struct pool_mgr *m, struct pool_lease *l, int state,
    uint64_t session, uint64_t since)
{
	lease_unlink_state(m, l);
	l->session = session;
	l->since = since;
	lease_link_state(m, l, state);
}

void
pool_lease_set_user(struct pool_mgr *m, struct pool_lease *l,
    struct pool_user *u)
{
	int	 state = l->state;

	if (l->user == u)
		return;
	lease_unlink_state(m, l);
	u->refs++;
	user_unref(m, l->user);
	l->user = u;
	lease_link_state(m, l, state);
}

void
pool_lease_free(struct pool_mgr *m, struct pool_lease *l)
{
	lease_unlink_state(m, l);
	hash_del(&m->by_addr, l, OFF_ADDR, key_addr);
	if (l->owns && l->range)
		pool_range_unset(l->range, l->slot);
	user_unref(m, l->user);
	m->nleases--;
	free(l);
}

void
pool_lease_rec(const struct pool_lease *l, struct pool_lease_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->addr = l->addr;
	r->pool = l->pool ? l->pool->name : "";
	r->user = l->user->name;
	r->session = l->session;
	r->state = (enum pool_lease_state)l->state;
	r->since = l->since;
}

void
pool_lease_foreach(struct pool_mgr *m,
    void (*fn)(struct pool_mgr *, struct pool_lease *, void *), void *arg)
{
	struct pool_lease	*l, *nx;
	size_t			 i;

	for (i = 0; i < m->by_addr.nb; i++)
		for (l = m->by_addr.b[i]; l; l = nx) {
			nx = l->h_addr;
			fn(m, l, arg);
		}
}

static void
free_one(struct pool_mgr *m, struct pool_lease *l, void *arg)
{
	(void)arg;
	pool_lease_free(m, l);
}

void
pool_tables_free(struct pool_mgr *m)
{
	pool_lease_foreach(m, free_one, NULL);
	free(m->by_sess.b);
	free(m->by_addr.b);
	free(m->by_user.b);
	memset(&m->by_sess, 0, sizeof(m->by_sess));
	memset(&m->by_addr, 0, sizeof(m->by_addr));
	memset(&m->by_user, 0, sizeof(m->by_user));
}

size_t
pool_tables_mem(const struct pool_mgr *m)
{
	return m->nleases * sizeof(struct pool_lease) +
	    m->by_user.n * (sizeof(struct pool_user) + 16) +
	    (m->by_sess.nb + m->by_addr.nb + m->by_user.nb) * sizeof(void *);
}
