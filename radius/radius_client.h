/*
 * radius_client.h: a non-blocking RADIUS client on the event loop.
 *
 * Servers in order of preference, each with a connected UDP socket for
 * authentication and one for accounting (a connected socket hears the
 * ICMP port-unreachable of a server that is not running).  Each socket
 * has its own 256 identifiers; a request that finds none free waits in a
 * FIFO.  A request is built again for every server it goes to (the
 * secret hides the password and signs the packet), retransmitted with
 * back-off (timeout, 2x, 4x, ... capped at 8x) retries times, then goes
 * to the next live server.  A server that let a request time out, or
 * refused a port, is dead for RAD_DEAD_MS: requests skip it while
 * another is alive; when none is, the first is tried again.
 *
 * Replies are verified (radius_pkt.h rad_verify_reply()) before anyone
 * sees them; a failing one is dropped and counted as a bad reply, and
 * the request keeps waiting for the real answer.
 *
 * Loop thread only.
 */
#ifndef RADIUS_CLIENT_H
#define RADIUS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "radius_pkt.h"

struct rg_loop;
struct rad_client;
struct rad_req;

#define RAD_DEAD_MS		30000
#define RAD_QUEUE_MAX		4096	/* requests waiting for an id */

struct rad_server_conf {
	char			 name[65];
	struct sockaddr_storage	 auth;		/* address and port */
	struct sockaddr_storage	 acct;
	uint8_t			 secret[RAD_MAX_SECRET];	/* wiped */
	size_t			 secret_len;
	uint32_t		 timeout_ms;	/* first wait; >= 10 */
	uint32_t		 retries;	/* sends after the first */
	bool			 require_ma;	/* BlastRADIUS: on unless
						 * an old server needs it off */
};

enum rad_status {
	RAD_OK,			/* a verified reply */
	RAD_TIMEOUT,		/* no server answered */
	RAD_FAILED,		/* could not build or send at all */
};

/*
 * The attributes a request carries besides the ones the client adds per
 * server (Message-Authenticator, User-Password, NAS-IP-Address when the
 * caller leaves it to the socket's address).
 */
struct rad_attrs {
	uint8_t		 buf[RAD_MAX_LEN - RAD_HDR_LEN - 64];
	size_t		 len;
	bool		 err;
};

void	rad_attrs_add(struct rad_attrs *, uint8_t type, const void *,
	    size_t);
void	rad_attrs_str(struct rad_attrs *, uint8_t type, const char *);
void	rad_attrs_u32(struct rad_attrs *, uint8_t type, uint32_t);
void	rad_attrs_vsa(struct rad_attrs *, uint32_t vendor, uint8_t vtype,
	    const void *, size_t);

/*
 * The answer.  reply (RAD_OK): verified, valid during the call only;
 * req_auth and secret: what decrypts its MPPE keys; server: its name.
 */
struct rad_answer {
	enum rad_status		 status;
	const struct rad_msg	*reply;
	const uint8_t		*req_auth;
	const uint8_t		*secret;
	size_t			 secret_len;
	const char		*server;
};
typedef void (*rad_done_fn)(void *arg, const struct rad_answer *);

struct rad_client *rad_client_new(struct rg_loop *);
/* Requests still in flight are dropped: their done() never runs. */
void		 rad_client_free(struct rad_client *);
/* Replace the servers (a new configuration).  Requests in flight move
 * to the new list at their next send.  0, or -1. */
int		 rad_client_set_servers(struct rad_client *,
		    const struct rad_server_conf *, size_t n);
size_t		 rad_client_nservers(const struct rad_client *);

/*
 * Send: code RAD_ACCESS_REQUEST (password: NULL or a User-Password to
 * hide) or RAD_ACCT_REQUEST.  attrs copied.  done() runs later from the
 * loop, exactly once unless rad_cancel().  NULL when no server is
 * configured or out of memory (done() never runs).
 */
struct rad_req	*rad_send(struct rad_client *, uint8_t code,
		    const struct rad_attrs *, const char *password,
		    rad_done_fn done, void *arg);
void		 rad_cancel(struct rad_req *);

/* [{name, address, state, requests, retransmits, timeouts, accepts,
 * rejects, bad_replies, in_flight}] New reference. */
json_t		*rad_client_status(const struct rad_client *);

/* Counters of the server named name (tests); -1 when none. */
struct rad_server_stats {
	uint64_t	 requests, retransmits, timeouts, replies, bad_replies;
	bool		 dead;
};
int		 rad_client_stats(const struct rad_client *, const char *name,
		    struct rad_server_stats *);

#endif
