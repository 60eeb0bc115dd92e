/*
 * pool_int.h: internals shared by the pool/ files (not for other modules).
 * Addresses are handled as 128-bit integers (IPv4 in the low 32 bits) so
 * one range type serves both families.
 */
#ifndef POOL_INT_H
#define POOL_INT_H

#include <sys/queue.h>

#include "pool.h"

__extension__ typedef unsigned __int128	pool_u128;

/* A range of consecutive address slots: bit set = not available (leased,
 * reserved, excluded or a user's static address). */
struct pool_range {
	pool_u128	 first;
	uint32_t	 nslots;
	uint32_t	 nfree;
	uint32_t	 hint;		/* next slot to try (rotating) */
	uint32_t	 nwords;
	uint64_t	*bits;		/* owned; nwords */
	uint64_t	*full;		/* owned; bit w: bits[w] all set */
	/* Lease of each slot, in chunks allocated on first use. */
	struct pool_lease ***chunk;	/* owned; nchunk, entries owned */
	uint32_t	 nchunk;
};
#define POOL_CHUNK_SLOTS	4096

struct pool {
	char			*name;		/* owned */
	int			 af;
	uint8_t			 plen;
	struct pool_range	*ranges;	/* owned */
	size_t			 nranges;
	char			*next_name;	/* owned, may be NULL */
	struct pool		*next;		/* resolved; borrowed */
	uint64_t		 nslots;	/* all slots of the ranges */
	uint64_t		 nexcluded;
	uint64_t		 nstatic;
	uint64_t		 nactive, nreserved;
	uint64_t		 exhausted;	/* refusals counted here */
};

struct pool_user;

struct pool_lease {
	struct rg_addr		 addr;
	uint32_t		 slot;
	uint64_t		 session;	/* holder, or last holder */
	struct pool_user	*user;		/* counted reference */
	struct pool		*pool;		/* NULL: outside every pool */
	struct pool_range	*range;
	uint32_t		 since;		/* unix s (u32 until 2106) */
	uint8_t			 state;		/* enum pool_lease_state */
	bool			 owns;		/* cleared the bit on free */
	bool			 doomed;	/* dropped after a re-home walk */
	TAILQ_ENTRY(pool_lease)	 u_link;	/* user's active/reserved;
						   free list when unused */
	TAILQ_ENTRY(pool_lease)	 r_link;	/* mgr reserved FIFO */
};
TAILQ_HEAD(pool_lease_list, pool_lease);

struct pool_user {
	struct pool_user	*h_next;
	size_t			 refs;		/* leases */
	struct pool_lease_list	 active;
	struct pool_lease_list	 reserved;
	char			 name[];
};

struct pool_hash {
	void		**b;		/* owned bucket array */
	size_t		 nb;		/* power of two */
	size_t		 n;
};

struct pool_tab_ent {
	uint64_t		 k;		/* mixed key; 0: empty */
	struct pool_lease	*v;
};

struct pool_tab {
	struct pool_tab_ent	*e;		/* owned; cap entries */
	size_t			 cap;		/* power of two */
	size_t			 n;
};

/* Leases come from slabs: no per-lease malloc, 96 bytes each. */
#define POOL_SLAB_LEASES	512
struct pool_slab {
	struct pool_slab	*next;
	struct pool_lease	 l[POOL_SLAB_LEASES];
};

struct pool_mgr {
	struct pool_persist	 persist;
	uint64_t		(*now)(void *);
	void			*now_arg;
	uint32_t		 sticky_s;
	struct rg_addr		*local;		/* owned */
	size_t			 nlocal;
	struct pool		*pools;		/* owned */
	size_t			 npools;
	struct pool_tab		 by_sess;	/* active leases */
	struct pool_tab		 by_addr;	/* leases outside the ranges */
	struct pool_hash	 by_user;	/* struct pool_user */
	struct pool_lease_list	 reserved;	/* oldest release first */
	size_t			 nleases;
	struct pool_slab	*slabs;		/* owned */
	size_t			 nslabs;
	struct pool_lease	*free_leases;	/* via u_link.tqe_next */
	uint64_t		 exhausted;
	uint64_t		 refused;	/* RADIUS addresses refused */
	uint64_t		 persist_fail;
};

/* pool_bitmap.c */
int	pool_range_init(struct pool_range *, pool_u128 first, uint32_t n);
void	pool_range_clear(struct pool_range *);
/* A free slot from the hint on, or -1; does not take it. */
int64_t	pool_range_find(const struct pool_range *);
bool	pool_range_test(const struct pool_range *, uint32_t slot);
void	pool_range_set(struct pool_range *, uint32_t slot);
void	pool_range_unset(struct pool_range *, uint32_t slot);

/* The lease indexed at slot, or NULL; put fails only for memory. */
struct pool_lease *pool_range_lease(const struct pool_range *, uint32_t);
int	pool_range_index(struct pool_range *, uint32_t, struct pool_lease *);

/* Addresses as integers. */
pool_u128	pool_addr_u128(const struct rg_addr *);
pool_u128	pool_prefix_u128(const struct rg_prefix *);
/* The host bits of a /plen of family af (0 for a full-length prefix). */
pool_u128	pool_host_mask(int af, uint8_t plen);
void		pool_u128_addr(int af, pool_u128, struct rg_addr *);
bool		pool_addr_eq(const struct rg_addr *, const struct rg_addr *);

/* pool_lease.c: the lease tables. */
void	pool_tables_free(struct pool_mgr *);
struct pool_lease *pool_lease_by_addr(const struct pool_mgr *,
	    const struct rg_addr *);
struct pool_lease *pool_lease_by_sess(const struct pool_mgr *, uint64_t,
	    int af);
struct pool_user *pool_user_get(struct pool_mgr *, const char *, bool create);
/* Free a user that no lease references (after a failed lease_new). */
void	pool_user_gc(struct pool_mgr *, struct pool_user *);
/* New lease linked into the tables; the caller sets owns and the bit. */
struct pool_lease *pool_lease_new(struct pool_mgr *, const struct rg_addr *,
	    struct pool_user *, struct pool *, struct pool_range *,
	    uint32_t slot, int state, uint64_t session, uint64_t since);
void	pool_lease_set_state(struct pool_mgr *, struct pool_lease *,
	    int state, uint64_t session, uint64_t since);
void	pool_lease_set_user(struct pool_mgr *, struct pool_lease *,
	    struct pool_user *);
/* Unlink and free (clears the slot when the lease owns it). */
void	pool_lease_free(struct pool_mgr *, struct pool_lease *);
void	pool_lease_rec(const struct pool_lease *, struct pool_lease_rec *);
/*
 * pool.c: the persistence hooks (when set).  A failure counts in
 * persist_fail; put returns -1 then, del and lease only count it.
 */
int	pool_persist_put(struct pool_mgr *, const struct pool_lease_rec *);
void	pool_persist_lease(struct pool_mgr *, const struct pool_lease *);
void	pool_persist_del(struct pool_mgr *, const struct pool_lease *);
/* Index l where its fields say (range slot, else the orphan table);
 * unindex it. */
void	pool_lease_index(struct pool_mgr *, struct pool_lease *);
void	pool_lease_unindex(struct pool_mgr *, struct pool_lease *);
/* Calls fn for every lease; fn must not free or add leases. */
void	pool_lease_foreach(struct pool_mgr *,
	    void (*fn)(struct pool_mgr *, struct pool_lease *, void *), void *);
size_t	pool_tables_mem(const struct pool_mgr *);

/* pool_check.c: 0, or -1 with the first inconsistency in why. */
int	pool_mgr_check(struct pool_mgr *, char *why, size_t len);

/* pool.c */
/* The pool, range and slot holding addr, or NULL. */
struct pool *pool_locate(struct pool *pools, size_t npools,
	    const struct rg_addr *, struct pool_range **, uint32_t *slot);
uint64_t pool_now(const struct pool_mgr *);

#endif
