/*
 * rg_engine: the seam between the daemon core (store, API, main loop) and
 * the protocol engines (IKE sockets, IKEv2, data plane, pools).  The
 * daemon creates it once with the first configuration snapshot, hands it
 * every new snapshot, asks it for run-time status, and shuts it down on
 * SIGTERM (peers notified, leases released).
 */
#ifndef RG_ENGINE_H
#define RG_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "rg_config.h"

struct rg_loop;
struct store;
struct rg_engine;

struct rg_engine_opts {
	uint16_t	 ike_port;	/* default 500 */
	uint16_t	 natt_port;	/* default 4500 */
	const char	*state_dir;
	const char	*dataplane;	/* NULL: from the config ("auto") */
	struct store	*store;		/* borrowed: leases and sessions */
};

/* cfg: counted reference taken. */
struct rg_engine	*rg_engine_new(struct rg_loop *,
			    const struct rg_engine_opts *, struct rg_config *cfg);
/* A new snapshot: new sessions use it; live SAs keep theirs. */
int			 rg_engine_reconfigure(struct rg_engine *,
			    struct rg_config *cfg);
/* Notify peers (DELETE), release leases, remove SAs; then free. */
void			 rg_engine_shutdown(struct rg_engine *);
void			 rg_engine_free(struct rg_engine *);

/* New references; the caller json_decref()s. */
json_t	*rg_engine_status(struct rg_engine *);	/* {"sessions":[...], ...} */
json_t	*rg_engine_pool_status(struct rg_engine *, const char *pool);
/* The live sessions: [{session_id, user, profile, peer, vip, bytes_in,
 * bytes_out, uptime_s, ...}] (the "sessions" of rg_engine_status). */
json_t	*rg_engine_sessions(struct rg_engine *);
/* End a live session (DELETE to the peer, lease released): 0, or -1 when
 * no live session has that id. */
int	rg_engine_kill_session(struct rg_engine *, uint64_t session_id,
	    const char *why);
/* Sessions still running under a profile's older generation. */
unsigned int	rg_engine_sessions_on_old_profile(struct rg_engine *,
		    const char *profile, uint32_t generation);

#endif
