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

	return mix64((uint64_t)v ^
	    mix64((uint64_t)(v >> 64) + (uint64_t)a->af));
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
key_user(const void *e)
{
	return str_hash(((const struct pool_user *)e)->name);
}

#define OFF_USER	offsetof(struct pool_user, h_next)

/*
 * Open-addressing tables (linear probing, backward-shift deletion) of
 * {mixed key, lease}: a lookup reads one cache line of the table and
 * touches a lease only when the 64-bit key matches.  Keys are never 0
 * (0 marks an empty entry).
 */
static uint64_t
sess_key(uint64_t s)
{
	uint64_t	 k = mix64(s);

	return k ? k : 1;
}

static uint64_t
addr_key(const struct rg_addr *a)
{
	uint64_t	 k = addr_hash(a);

	return k ? k : 1;
}

static int
tab_grow(struct pool_tab *t)
{
	size_t			 cap = t->cap ? t->cap * 2 : 64, i, j;
	struct pool_tab_ent	*e;

	if ((e = calloc(cap, sizeof(*e))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++) {
		if (t->e[i].k == 0)
			continue;
		for (j = t->e[i].k & (cap - 1); e[j].k; j = (j + 1) & (cap - 1))
			;
		e[j] = t->e[i];
	}
	free(t->e);
	t->e = e;
	t->cap = cap;
	return 0;
}

static void
tab_add(struct pool_tab *t, uint64_t k, struct pool_lease *v)
{
	size_t	 j;

	/* Load at most 1/2; a failed grow still has room below full. */
	if ((t->n + 1) * 2 > t->cap && tab_grow(t) < 0 && t->n + 1 >= t->cap)
		abort();	/* out of memory with a full table */
	for (j = k & (t->cap - 1); t->e[j].k; j = (j + 1) & (t->cap - 1))
		;
	t->e[j].k = k;
	t->e[j].v = v;
	t->n++;
}

static void
tab_del(struct pool_tab *t, uint64_t k, const struct pool_lease *v)
{
	size_t	 i, j, h, mask = t->cap - 1;

	if (t->cap == 0)
		return;
	for (i = k & mask; t->e[i].k; i = (i + 1) & mask)
		if (t->e[i].v == v)
			break;
	if (t->e[i].k == 0)
		return;
	/* Backward shift: pull later entries of the run into the hole. */
	for (j = i;;) {
		j = (j + 1) & mask;
		if (t->e[j].k == 0)
			break;
		h = t->e[j].k & mask;
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;	/* already at or after its home */
		t->e[i] = t->e[j];
		i = j;
	}
	t->e[i].k = 0;
	t->e[i].v = NULL;
	t->n--;
}

struct pool_lease *
pool_lease_by_addr(const struct pool_mgr *m, const struct rg_addr *a)
{
	const struct pool_tab	*t = &m->by_addr;
	uint64_t		 k = addr_key(a);
	struct pool_range	*r;
	struct pool_lease	*l;
	uint32_t		 slot;
	size_t			 j;

	if (pool_locate(m->pools, m->npools, a, &r, &slot) != NULL &&
	    (l = pool_range_lease(r, slot)) != NULL)
		return l;
	if (t->cap == 0)
		return NULL;
	for (j = k & (t->cap - 1); t->e[j].k; j = (j + 1) & (t->cap - 1))
		if (t->e[j].k == k && pool_addr_eq(&t->e[j].v->addr, a))
			return t->e[j].v;
	return NULL;
}

/* Active leases of session s; af 0: any family. */
struct pool_lease *
pool_lease_by_sess(const struct pool_mgr *m, uint64_t s, int af)
{
	const struct pool_tab	*t = &m->by_sess;
	uint64_t		 k = sess_key(s);
	size_t			 j;

	if (t->cap == 0)
		return NULL;
	for (j = k & (t->cap - 1); t->e[j].k; j = (j + 1) & (t->cap - 1))
		if (t->e[j].k == k && (af == 0 || t->e[j].v->addr.af == af))
			return t->e[j].v;
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
		tab_del(&m->by_sess, sess_key(l->session), l);
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
		tab_add(&m->by_sess, sess_key(l->session), l);
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

static struct pool_lease *
lease_alloc(struct pool_mgr *m)
{
	struct pool_slab	*sl;
	struct pool_lease	*l;
	size_t			 i;

	if (m->free_leases == NULL) {
		if ((sl = malloc(sizeof(*sl))) == NULL)
			return NULL;
		sl->next = m->slabs;
		m->slabs = sl;
		m->nslabs++;
		for (i = POOL_SLAB_LEASES; i-- > 0;) {
			sl->l[i].u_link.tqe_next = m->free_leases;
			m->free_leases = &sl->l[i];
		}
	}
	l = m->free_leases;
	m->free_leases = l->u_link.tqe_next;
	memset(l, 0, sizeof(*l));
	return l;
}

static void
lease_release(struct pool_mgr *m, struct pool_lease *l)
{
	l->u_link.tqe_next = m->free_leases;
	m->free_leases = l;
}

void
pool_lease_index(struct pool_mgr *m, struct pool_lease *l)
{
	/* Without memory for the chunk the lease is kept as an orphan. */
	if (l->range && pool_range_index(l->range, l->slot, l) == 0)
		return;
	l->range = NULL;
	tab_add(&m->by_addr, addr_key(&l->addr), l);
}

void
pool_lease_unindex(struct pool_mgr *m, struct pool_lease *l)
{
	if (l->range)
		(void)pool_range_index(l->range, l->slot, NULL);
	else
		tab_del(&m->by_addr, addr_key(&l->addr), l);
}

struct pool_lease *
pool_lease_new(struct pool_mgr *m, const struct rg_addr *a,
    struct pool_user *u, struct pool *p, struct pool_range *r, uint32_t slot,
    int state, uint64_t session, uint64_t since)
{
	struct pool_lease	*l;

	if ((l = lease_alloc(m)) == NULL)
		return NULL;
	l->addr = *a;
	l->pool = p;
	l->range = r;
	l->slot = slot;
	l->user = u;
	u->refs++;
	l->session = session;
	l->since = (uint32_t)since;
	pool_lease_index(m, l);
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
	l->since = (uint32_t)since;
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
	pool_lease_unindex(m, l);
	if (l->owns && l->range)
		pool_range_unset(l->range, l->slot);
	user_unref(m, l->user);
	m->nleases--;
	lease_release(m, l);
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
	struct pool_lease	**c;
	size_t			 i, j, k, s;

	for (i = 0; i < m->npools; i++)
		for (j = 0; j < m->pools[i].nranges; j++) {
			const struct pool_range *r = &m->pools[i].ranges[j];

			for (k = 0; k < r->nchunk; k++) {
				if ((c = r->chunk[k]) == NULL)
					continue;
				for (s = 0; s < POOL_CHUNK_SLOTS; s++)
					if (c[s])
						fn(m, c[s], arg);
			}
		}
	for (i = 0; i < m->by_addr.cap; i++)
		if (m->by_addr.e[i].k)
			fn(m, m->by_addr.e[i].v, arg);
}

void
pool_tables_free(struct pool_mgr *m)
{
	struct pool_user	*u, *nx;
	size_t			 i;

	struct pool_slab	*sl;

	/* Teardown: free everything without unlinking piece by piece. */
	while ((sl = m->slabs) != NULL) {
		m->slabs = sl->next;
		free(sl);
	}
	m->nslabs = 0;
	m->free_leases = NULL;
	for (i = 0; i < m->by_user.nb; i++)
		for (u = m->by_user.b[i]; u; u = nx) {
			nx = u->h_next;
			free(u);
		}
	free(m->by_sess.e);
	free(m->by_addr.e);
	free(m->by_user.b);
	memset(&m->by_sess, 0, sizeof(m->by_sess));
	memset(&m->by_addr, 0, sizeof(m->by_addr));
	memset(&m->by_user, 0, sizeof(m->by_user));
	TAILQ_INIT(&m->reserved);
	m->nleases = 0;
}

size_t
pool_tables_mem(const struct pool_mgr *m)
{
	return m->nslabs * sizeof(struct pool_slab) +
	    m->by_user.n * (sizeof(struct pool_user) + 16) +
	    (m->by_sess.cap + m->by_addr.cap) * sizeof(struct pool_tab_ent) +
	    m->by_user.nb * sizeof(void *);
}
