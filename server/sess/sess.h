/*
 * sess.h: one registry of the connected users, whatever protocol carries
 * them (IKEv2 now; IKEv1/XAuth and L2TP/PPP next).
 *
 * A provider (a protocol engine) opens a session once the user is
 * authenticated, asks the registry for its addresses, reports it up when
 * its tunnel carries traffic and ends it with a cause.  The registry owns
 * everything that follows the session rather than the protocol (STYLE.md
 * 12): the session id, the leases (pool/), the routes of the virtual IPs
 * into the data plane, one session per user, the history rows in the
 * store, accounting listeners, the session list and kicks, and the local
 * UDP services a client reaches through its tunnel (DHCPINFORM, RFC 2131
 * 4.3.5).  The provider gives each session callbacks (kill, counters,
 * status) and never touches pools, routes or history itself.
 *
 * Session ids: 64-bit, from 1 in each run, never reused within a run;
 * they are what the API, roadgatectl and the logs show.  The pool and the
 * store key a session's leases by base + id, where base is the largest
 * key among the leases restored from earlier runs, so a new session never
 * collides with a restored lease (the keys of one installation only grow).
 *
 * Loop thread only.
 */
#ifndef SESS_H
#define SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "rg_config.h"

struct dp;
struct dp_events;
struct pool_mgr;
struct pool_req;
struct pool_grant;
struct pool_persist;
struct rg_loop;
struct store;
struct sess;
struct sess_reg;

/*
 * Why a session ended: one value per RADIUS Acct-Terminate-Cause
 * (RFC 2866 5.10, the IANA registry), so accounting maps it one-to-one.
 */
#define SESS_CAUSE_LIST(X)						\
	X(USER_REQUEST,		1,	"user request")			\
	X(LOST_CARRIER,		2,	"lost carrier")			\
	X(LOST_SERVICE,		3,	"lost service")			\
	X(IDLE_TIMEOUT,		4,	"idle timeout")			\
	X(SESSION_TIMEOUT,	5,	"session timeout")		\
	X(ADMIN_RESET,		6,	"admin reset")			\
	X(ADMIN_REBOOT,		7,	"admin reboot")			\
	X(PORT_ERROR,		8,	"port error")			\
	X(NAS_ERROR,		9,	"NAS error")			\
	X(NAS_REQUEST,		10,	"NAS request")			\
	X(NAS_REBOOT,		11,	"NAS reboot")			\
	X(PORT_UNNEEDED,	12,	"port unneeded")		\
	X(PORT_PREEMPTED,	13,	"port preempted")		\
	X(PORT_SUSPENDED,	14,	"port suspended")		\
	X(SERVICE_UNAVAILABLE,	15,	"service unavailable")		\
	X(CALLBACK,		16,	"callback")			\
	X(USER_ERROR,		17,	"user error")			\
	X(HOST_REQUEST,		18,	"host request")

enum sess_cause {
#define X(id, radius, name)	SESS_CAUSE_##id,
	SESS_CAUSE_LIST(X)
#undef X
	SESS_CAUSE_COUNT
};

/* The RADIUS Acct-Terminate-Cause value (RFC 2866 5.10); 0 when out of
 * range. */
int		 sess_cause_radius(enum sess_cause);
const char	*sess_cause_name(enum sess_cause);

/* Traffic of a session as its provider counts it. */
struct sess_counters {
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 packets_in, packets_out;
};

/* What a provider does for the registry.  ctx is the provider's own
 * object for the session (sess_open, sess_set_ctx). */
struct sess_provider_ops {
	const char	*name;		/* history's protocol: "ikev2" */
	/* End the session from our side (the peer told, the tunnel torn
	 * down); the provider calls sess_end() with cause before it
	 * returns.  0, or -1 when it cannot (the session stays). */
	int	(*kill)(void *arg, void *ctx, enum sess_cause cause,
		    const char *why);
	/* Traffic so far; may be NULL (zeros). */
	void	(*counters)(void *arg, void *ctx, struct sess_counters *);
	/* Protocol fields for the session list (SPIs, algorithms); may be
	 * NULL. */
	void	(*status)(void *arg, void *ctx, json_t *obj);
};

struct sess_provider {
	const struct sess_provider_ops	*ops;
	void				*arg;
};

/* Who the session is; strings copied. */
struct sess_info {
	const char		*user;
	const char		*method;	/* "ikev2-psk", "ikev2-eap-mschapv2" */
	const char		*profile;	/* the profile's name */
	const struct sockaddr	*peer;		/* the client's outer address */
	const struct sockaddr	*local;		/* ours it came to */
};

/* Accounting events, to every listener in the order they registered. */
enum sess_event {
	SESS_EV_START,		/* up: the tunnel carries traffic */
	SESS_EV_INTERIM,	/* sess_interim(): counters of a live session */
	SESS_EV_STOP,		/* ended; cause and final counters set */
};

/* A view of a session for listeners and lookups; valid during the call. */
struct sess_view {
	uint64_t			 id;
	const char			*user, *method, *profile, *proto;
	const struct sockaddr		*peer, *local;
	const struct rg_addr		*vip4, *vip6;	/* af 0 when none */
	uint64_t			 start;		/* unix seconds */
	uint64_t			 uptime_s;
	const struct sess_counters	*ctr;		/* INTERIM, STOP */
	enum sess_cause			 cause;		/* STOP */
	const char			*why;		/* STOP: for the log */
	uint64_t			*slot;		/* the listener's own
							 * per session, 0 at
							 * first; NULL outside
							 * listeners */
};

typedef void (*sess_listener_fn)(void *arg, enum sess_event,
    const struct sess_view *);

/*
 * Where addresses come from: the pool manager unless a test gives its
 * own.  acquire: 0 with *out filled (replaced_session: the key of an
 * older session of the user to end, one session per user), or -1 with
 * why; release: every lease of that key.
 */
struct sess_lease_ops {
	int	(*acquire)(void *arg, const struct rg_config *,
		    const struct pool_req *, struct pool_grant *out,
		    char *why, size_t whylen);
	void	(*release)(void *arg, uint64_t key);
	void	*arg;
};

struct sess_opts {
	struct pool_mgr		*pools;	/* borrowed; NULL: lease_ops or none */
	const struct sess_lease_ops *lease_ops;	/* NULL: pools */
	struct store		*store;	/* borrowed, may be NULL: history,
					 * lease persistence */
	/* How answers go back into a tunnel; NULL: dp_send_to_client() on
	 * the data plane of sess_reg_set_dp() (a test gives its own). */
	int			(*send)(void *arg, uint32_t reqid,
				    const uint8_t *ippkt, size_t len);
	void			*send_arg;
};

/* cfg: counted reference taken.  With pools, configures them from cfg
 * and restores the leases persisted in the store (before any acquire). */
struct sess_reg	*sess_reg_new(struct rg_loop *, struct rg_config *cfg,
		    const struct sess_opts *);
/* Ends every session still open (cause ADMIN_REBOOT, through its
 * provider), then frees. */
void		 sess_reg_free(struct sess_reg *);
/* The data plane the vip routes and UDP answers go to (NULL: none). */
void		 sess_reg_set_dp(struct sess_reg *, struct dp *);
/* A new snapshot for new sessions and the pools: 0, or -1 refused. */
int		 sess_reg_reconfigure(struct sess_reg *, struct rg_config *cfg);

/* The pool's persistence through the store (sess_lease.c), for
 * pool_mgr_new(). */
void		 sess_lease_persist(struct store *, struct pool_persist *out);

/* A listener of accounting events (the store's history is one). */
int		 sess_listen(struct sess_reg *, sess_listener_fn, void *arg);

/* --- what a provider calls ---------------------------------------------- */

/* A new session (authenticated, not yet up): its id is sess_id().  NULL
 * with errno EUSERS when the user already has max_sessions_per_user
 * sessions (the provider refuses the login), ENOMEM otherwise. */
struct sess	*sess_open(struct sess_reg *, const struct sess_provider *,
		    void *ctx, const struct sess_info *);
/*
 * What the authentication granted a session beyond the configuration
 * (RADIUS reply attributes), applied here rather than by each protocol:
 * the address and pool sess_lease() takes, the time limits enforced once
 * the session is up (it ends with cause SESSION_TIMEOUT or IDLE_TIMEOUT
 * through its provider), the DNS servers the provider hands out.
 */
struct sess_grant {
	struct rg_addr	 address;	/* Framed-IP-Address; af 0: none.
					 * Must lie in a pool of the
					 * session's profile and be free,
					 * else sess_lease() refuses */
	char		 pool[64];	/* Framed-Pool: the IPv4 pool (and
					 * its next chain) instead of the
					 * profile's; "": none */
	uint32_t	 session_timeout_s;	/* from up; 0: none */
	uint32_t	 idle_timeout_s;	/* no traffic from the client
						 * for so long; 0: none */
	struct rg_addr	 dns4[2];	/* before the profile's; af 0: none */
};

/* Before sess_lease() and sess_up(); copied. */
void		 sess_set_grant(struct sess *, const struct sess_grant *);
const struct sess_grant *sess_get_grant(const struct sess *);
/* A new Session-Timeout for a live session (CoA, RFC 5176 3.1), counted
 * from now; 0 removes the limit. */
void		 sess_set_session_timeout(struct sess *, uint32_t seconds);
/* Sessions of user not yet ended. */
unsigned int	 sess_count_user(const struct sess_reg *, const char *user);
/* The provider's object moved (an IKE SA rekeyed). */
void		 sess_set_ctx(struct sess *, void *ctx);
uint64_t	 sess_id(const struct sess *);
/* An address of family af for the session from its profile's pools,
 * routed into the data plane; requested (af 0: none) is advice only.
 * With a one_session profile an older session of the user is ended
 * (cause PORT_PREEMPTED) through its provider.  0, or -1 with why. */
int		 sess_lease(struct sess *, int af, const struct rg_addr *requested,
		    struct rg_addr *out, char *why, size_t whylen);
/* The tunnel carries traffic: history row, START to listeners. */
void		 sess_up(struct sess *);
/* CHILD reqids of the session (local UDP services find it by them). */
int		 sess_reqid_add(struct sess *, uint32_t reqid);
void		 sess_reqid_del(struct sess *, uint32_t reqid);
/* Counters of a live session to the listeners (INTERIM). */
void		 sess_interim(struct sess *);
/* The end: final counters from the provider, STOP to listeners, history
 * closed, routes removed, leases released, s freed. */
void		 sess_end(struct sess *, enum sess_cause, const char *why);

/* --- what the daemon asks ------------------------------------------------ */

/* The up session owning CHILD reqid; NULL when none. */
struct sess	*sess_by_reqid(struct sess_reg *, uint32_t reqid);
struct sess	*sess_by_id(struct sess_reg *, uint64_t id);
/* v filled from s (its pointers live as long as s). */
void		 sess_get_view(const struct sess *, struct sess_view *v);
size_t		 sess_count(const struct sess_reg *);
/* [{session_id, user, method, auth, profile, peer, vip, vip6, <provider
 * fields>, bytes_in, bytes_out, uptime_s}] of the up sessions, newest
 * first.  New reference. */
json_t		*sess_list_json(struct sess_reg *);
/* fn for each up session, newest first, until it returns non-zero (that
 * value is returned; 0 when all were seen).  fn must not end sessions:
 * collect ids, then sess_kick() them. */
int		 sess_foreach(struct sess_reg *, int (*fn)(void *arg,
		    struct sess *, const struct sess_view *), void *arg);
/* End an up session (cause ADMIN_RESET): 0, or -1 when none has id. */
int		 sess_kick(struct sess_reg *, uint64_t id, const char *why);
/* Up sessions on a profile (those started before a change of it run the
 * older snapshot). */
unsigned int	 sess_count_on_profile(struct sess_reg *, const char *profile);
/* A lease's key as the API names its session: the session id for this
 * run's sessions, the key as stored otherwise. */
uint64_t	 sess_key_to_id(const struct sess_reg *, uint64_t key);

/* --- local UDP services through the tunnel ------------------------------ */

/* A packet from a client (CHILD reqid, s its session) to our UDP port. */
typedef void (*sess_udp_fn)(void *arg, struct sess *s, uint32_t reqid,
    const uint8_t *ippkt, size_t len);
/* Before sess_dp_events(): port (and sport, 0 any) served by fn.  DHCP
 * (67 from 68) is registered by sess_reg_new().  0, or -1 (table full). */
int		 sess_udp_register(struct sess_reg *, uint16_t port,
		    uint16_t sport, sess_udp_fn, void *arg);
/* Fill the data plane's local-UDP events (ports, callback) for dp_new. */
void		 sess_dp_events(struct sess_reg *, struct dp_events *);
/* Send an IP packet back to a client through its CHILD reqid. */
int		 sess_send_to_client(struct sess_reg *, uint32_t reqid,
		    const uint8_t *ippkt, size_t len);
/* DHCPINFORM answers sent, and requests dropped (no session, no address
 * to answer from, malformed, not sent). */
void		 sess_dhcp_stats(const struct sess_reg *, uint64_t *answered,
		    uint64_t *dropped);

#endif
