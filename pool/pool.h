/*
 * pool.h: address pools (IPv4 and IPv6) shared by IKEv2, IKEv1 and
 * L2TP/PPP.  The pool manager turns the pools of an rg_config snapshot into
 * bitmaps (one bit per address slot plus a one-bit-per-word "full" summary
 * and a next-free hint per range) and keeps a small hash of live leases by
 * session, by address and by user.
 *
 * Rules: exclusions (network and broadcast of CIDR ranges, the gateway's
 * own and local interface addresses, configured exclude prefixes), a
 * "next" pool used when one is exhausted, a static address per user, an
 * address requested by RADIUS (Framed-IP-Address, RFC 2865 5.8) honoured
 * only inside an allowed pool, sticky reservations of released leases for
 * a configurable time, one session per user when the profile says so.
 *
 * Persistence goes through struct pool_persist (the store implements it
 * with SQLite): an address is handed out only after put() succeeded, and
 * pool_mgr_restore() rebuilds the lease set at start so that no address is
 * handed out twice after a restart or a crash.
 *
 * Not thread safe: call from the event loop thread.
 */
#ifndef POOL_H
#define POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rg_config.h"

#define POOL_NAME_MAX		64	/* names must be shorter */
#define POOL_STICKY_DEFAULT_S	1800
/* Slots per range kept in a bitmap; a larger (IPv6) range uses its first
 * POOL_RANGE_MAX_SLOTS addresses. */
#define POOL_RANGE_MAX_SLOTS	(1u << 24)

enum pool_lease_state {
	POOL_LEASE_ACTIVE = 1,		/* held by a live session */
	POOL_LEASE_RESERVED = 2,	/* released, kept for the same user */
};

/* One persisted lease; the address is the key.  Pointers are borrowed
 * for the duration of the call only. */
struct pool_lease_rec {
	struct rg_addr		 addr;
	const char		*pool;		/* "" for an address outside pools */
	const char		*user;
	uint64_t		 session;	/* holder, or last holder */
	enum pool_lease_state	 state;
	uint64_t		 since;		/* unix s: granted or released */
};

/* put: insert or replace the record with this address; del: remove it.
 * Both return 0 or -1.  A NULL function pointer means "not persisted". */
struct pool_persist {
	int	(*put)(void *arg, const struct pool_lease_rec *);
	int	(*del)(void *arg, const struct pool_lease_rec *);
	void	*arg;
};

struct pool_req {
	const char		*user;
	const struct rg_profile	*profile;	/* NULL: user's from cfg */
	uint64_t		 session_id;	/* non-zero */
	int			 af;		/* AF_INET or AF_INET6 */
	struct rg_addr		 requested;	/* RADIUS; af 0 when unset */
	struct rg_addr		 static_addr;	/* af 0: cfg user static_ip4 */
	const char		*pool;		/* RADIUS Framed-Pool: this
						 * pool and its next chain
						 * instead of the profile's;
						 * NULL: none */
};

struct pool_grant {
	struct rg_addr		 addr;
	char			 pool[POOL_NAME_MAX];	/* "static" outside pools */
	uint8_t			 plen;		/* the pool's prefix length */
	uint64_t		 replaced_session;	/* 0: none */
};

struct pool_mgr;

/* persist may be NULL (nothing persisted); it is copied. */
struct pool_mgr	*pool_mgr_new(const struct pool_persist *persist);
void		 pool_mgr_free(struct pool_mgr *);	/* NULL is a no-op */

/* Time (unix seconds) source for tests; default time(NULL). */
void	pool_mgr_set_clock(struct pool_mgr *, uint64_t (*now)(void *),
	    void *arg);
/* How long a released lease stays reserved for its user (0: never). */
void	pool_mgr_set_sticky(struct pool_mgr *, uint32_t seconds);
/* Addresses never handed out (gateway's own, local interfaces): copied,
 * applied by the next pool_mgr_configure(). */
int	pool_mgr_set_local(struct pool_mgr *, const struct rg_addr *,
	    size_t n);
/* The addresses of this machine's interfaces (getifaddrs); *out is
 * malloc'ed, the caller frees it. */
int	pool_local_addrs(struct rg_addr **out, size_t *n);

/* Rebuild the pool set from a snapshot, keeping existing leases (active
 * ones outside every new pool stay until released).  Validate first:
 * returns -1 with why filled when cfg does not validate. */
int	pool_mgr_configure(struct pool_mgr *, const struct rg_config *cfg,
	    char *why, size_t whylen);

/* At start, after the first configure and before any acquire: load the
 * persisted leases.  Leases of sessions not in live_sessions become
 * reserved (sticky) or are freed; records outside every pool or on an
 * excluded address are dropped.  Returns the number of leases kept. */
int	pool_mgr_restore(struct pool_mgr *, const struct pool_lease_rec *recs,
	    size_t n, const uint64_t *live_sessions, size_t nlive);

/* Grant an address to req->session_id.  0 on success; a negative errno
 * with why filled otherwise (the caller refuses the client, e.g. IKEv2
 * INTERNAL_ADDRESS_FAILURE): -ENOSPC exhausted, -EACCES requested address
 * refused, -EADDRINUSE requested address in use, -ENOENT no pool of that
 * family, -EIO the lease could not be persisted, -EINVAL bad request.
 * With a one_session profile, out->replaced_session names the older
 * session of the user that the caller must tear down (its address may
 * have moved to the new session already). */
int	pool_acquire(struct pool_mgr *, const struct rg_config *cfg,
	    const struct pool_req *req, struct pool_grant *out, char *why,
	    size_t whylen);
/* Release every lease of a session; returns how many (0: none). */
int	pool_release(struct pool_mgr *, uint64_t session_id);
/* Free reservations past their sticky time (also done by acquire). */
void	pool_mgr_tick(struct pool_mgr *);

/* name NULL: {"pools":[summary...], "exhausted":N}; else that pool with
 * its leases, or NULL when unknown.  The caller owns the result. */
json_t	*pool_mgr_status_json(const struct pool_mgr *, const char *name);
/* Bytes held by the manager's own structures (bitmaps, leases, hashes). */
size_t	 pool_mgr_mem_bytes(const struct pool_mgr *);

/* Pure validation of cfg's pools (and of the pools its profiles name):
 * 0, or -1 with the offending field ("pools[NAME].next") and why. */
int	pool_mgr_validate(const struct rg_config *cfg, char *field,
	    size_t fieldlen, char *why, size_t whylen);

#endif
