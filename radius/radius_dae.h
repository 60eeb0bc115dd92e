/*
 * radius_dae.h: Dynamic Authorization (RFC 5176): a listener for
 * Disconnect-Request and CoA-Request from the configured DAE clients
 * (settings dae_listen, resource dae_clients; off by default).
 *
 * A request is dropped (counted, logged) unless it comes from a known
 * client's address, carries a Message-Authenticator, both its
 * Message-Authenticator and its Request Authenticator verify with that
 * client's secret, it is not a replay of one already seen, and its
 * Event-Timestamp lies within RAD_DAE_WINDOW_S of our clock.  A valid
 * one is answered ACK, or NAK with an Error-Cause: Disconnect ends the
 * matching sessions through sess_kick() (cause Admin-Reset); CoA sets a
 * new Session-Timeout on them.  Sessions match on every identification
 * the request gives: User-Name, Acct-Session-Id, Framed-IP-Address,
 * Calling-Station-Id.
 */
#ifndef RADIUS_DAE_H
#define RADIUS_DAE_H

#include <stdbool.h>
#include <stdint.h>

#include "radius_pkt.h"
#include "rg_config.h"

#define RAD_DAE_WINDOW_S	300	/* Event-Timestamp vs our clock */
#define RAD_DAE_SEEN		256	/* requests remembered (replays) */

/* RFC 5176 3.5 Error-Cause values we send. */
#define RAD_EC_UNSUPPORTED_ATTRIBUTE	401
#define RAD_EC_MISSING_ATTRIBUTE	402
#define RAD_EC_INVALID_REQUEST		404
#define RAD_EC_INVALID_ATTRIBUTE_VALUE	407
#define RAD_EC_SESSION_NOT_FOUND	503
#define RAD_EC_RESOURCES_UNAVAILABLE	506

/* What a Disconnect/CoA request asks, decoded (strings NUL-ended). */
struct rad_dae_req {
	uint8_t		 code;		/* RAD_DISCONNECT_REQUEST, COA */
	char		 user[RAD_MAX_ATTR + 1];
	char		 asid[RAD_MAX_ATTR + 1];	/* Acct-Session-Id */
	char		 calling[RAD_MAX_ATTR + 1];
	struct rg_addr	 framed;	/* af 0: none */
	bool		 has_user, has_asid, has_calling;
	bool		 has_timeout, has_event;
	uint32_t	 session_timeout;	/* CoA */
	uint32_t	 event_ts;	/* Event-Timestamp, unix seconds */
};

/*
 * The attributes of a parsed, verified request: 0, or -1 with the
 * Error-Cause to NAK with and why.  Pure (the fuzz target's).
 */
int	rad_dae_decode(const struct rad_msg *, struct rad_dae_req *out,
	    uint32_t *error_cause, const char **why);

struct radius;
struct radius_dae;

struct radius_dae *radius_dae_new(struct radius *);
/* Follow the settings (dae_listen): open, move or close the socket. */
void		 radius_dae_apply(struct radius_dae *);
void		 radius_dae_free(struct radius_dae *);

struct radius_dae_stats {
	uint64_t	 requests, acks, naks, dropped;
};
void		 radius_dae_stats(const struct radius_dae *,
		    struct radius_dae_stats *);

#endif
