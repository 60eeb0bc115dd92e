/*
 * sess_int.h: what the sess_*.c files share: the registry and the session
 * objects.  Nothing outside server/sess/ includes it (tests excepted).
 */
#ifndef SESS_INT_H
#define SESS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "dp.h"
#include "rg_config.h"
#include "rg_loop.h"
#include "sess.h"

#define SESS_STATE_LIST(X)		\
	X(OPEN,		"open")		\
	X(UP,		"up")		\
	X(ENDING,	"ending")

/* OPEN: authenticated, getting its addresses; UP: carries traffic (a
 * history row, listed, found by reqid); ENDING: inside sess_end(). */
enum sess_state {
#define X(id, n)	SESS_S_##id,
	SESS_STATE_LIST(X)
#undef X
};

/* An outer address, small: a session is kept per connected user. */
union sess_sa {
	struct sockaddr		 sa;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
};

#define SESS_HASH		1024
#define SESS_LISTENERS_MAX	4

struct sess {
	struct sess_reg		*reg;		/* borrowed */
	struct sess		*next, *prev;	/* the registry's, newest first */
	struct sess		*hnext;		/* by id */
	enum sess_state		 state;
	uint64_t		 id;		/* the API's */
	uint64_t		 key;		/* the pool's and the store's */
	struct sess_provider	 prov;
	void			*ctx;		/* the provider's object */

	const char		*user, *method, *profile;	/* in names[] */
	union sess_sa		 peer, local;
	struct rg_addr		 vip4, vip6;	/* af 0 when none */
	bool			 route4, route6;	/* in the data plane */
	bool			 leased;	/* pool leases to release */
	uint64_t		 start;		/* unix seconds (up) */
	uint64_t		 start_ms;	/* rg_now_ms() (up) */
	/* One slot per listener for what it keeps about the session (the
	 * store's history row). */
	uint64_t		 lslot[SESS_LISTENERS_MAX];
	struct sess_granted	*gr;	/* owned; NULL: nothing granted
					 * (most sessions: kept small) */

	uint32_t		*reqids;	/* owned: its CHILD_SAs */
	size_t			 nreqids, capreqids;
	char			 names[];	/* user, method, profile */
};

/* What the authentication granted a session and the timer that enforces
 * its limits (the deadline and the idle checks). */
struct sess_granted {
	struct sess_grant	 g;
	struct rg_timer		 t_limit;
	uint64_t		 deadline_ms;	/* rg_now_ms(); 0: none */
	uint64_t		 idle_mark;	/* client traffic last seen */
	uint64_t		 idle_since_ms;
};

struct sess_listener {
	sess_listener_fn	 fn;
	void			*arg;
};

struct sess_udp_service {
	uint16_t		 port, sport;
	sess_udp_fn		 fn;
	void			*arg;
};


struct sess_reg {
	struct rg_loop		*loop;		/* borrowed */
	struct rg_config	*cfg;		/* counted reference */
	struct pool_mgr		*pools;		/* borrowed, may be NULL */
	struct sess_lease_ops	 lease;
	struct store		*store;		/* borrowed, may be NULL */
	struct dp		*dp;		/* borrowed, may be NULL */
	int			(*send)(void *, uint32_t, const uint8_t *,
				    size_t);	/* NULL: dp_send_to_client */
	void			*send_arg;
	struct rg_timer		 t_tick;	/* pool reservations expiry */

	struct sess		*all;		/* newest first */
	struct sess		*by_id[SESS_HASH];
	size_t			 n, nup;
	uint64_t		 next_id;	/* from 1, never reused */
	uint64_t		 base;		/* key = base + id */

	struct sess_listener	 listeners[SESS_LISTENERS_MAX];
	size_t			 nlisteners;
	struct sess_udp_service	 udp[DP_UDP_SERVICES_MAX];
	size_t			 nudp;
	uint64_t		 dhcp_answered, dhcp_dropped;
};

/* sess.c */
/* One session per user: end the session whose lease key the pool named. */
void	sess_replace(struct sess *, uint64_t old_key);
void	sess_emit(struct sess *, enum sess_event, const struct sess_counters *,
	    enum sess_cause, const char *why);

/* sess_lease.c */
/* Pools configured, leases restored (reg->base set), tick armed. */
void	sess_lease_start(struct sess_reg *);
void	sess_lease_stop(struct sess_reg *);
/* Routes out of the data plane, leases back to the pool. */
void	sess_lease_drop(struct sess *);

/* sess.c: the granted time limits, armed at up, stopped at the end. */
void	sess_limit_arm(struct sess *);

/* sess_hist.c: the store's session history as a listener (arg: store). */
void	sess_hist_listener(void *arg, enum sess_event,
	    const struct sess_view *);

/* sess_udp.c */
void	sess_dhcp_input(void *arg, struct sess *, uint32_t reqid,
	    const uint8_t *ippkt, size_t len);

#endif
