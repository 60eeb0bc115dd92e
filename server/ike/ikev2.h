/*
 * ikev2.h: the IKEv2 responder engine (RFC 7296) as the daemon and the
 * tests see it.  Protocol code only: datagrams come in through
 * ikev2_engine_input() (from ike_sock.c or an in-memory test) and go out
 * through a send callback (ike_sock_send() unless one is set), so a test
 * can drive the engine without sockets.
 */
#ifndef IKEV2_H
#define IKEV2_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_config.h"

struct rg_loop;
struct dp;
struct ikev2_engine;

struct ikev2_session_info {
	uint64_t		 session_id;
	const char		*user;
	const char		*profile;
	const char		*method;	/* "psk", "eap-mschapv2", ... */
	const struct sockaddr	*peer;
	const struct rg_addr	*vip;		/* af 0 when none */
	uint64_t		 bytes_in, bytes_out;
	uint64_t		 uptime_s;
	const char		*cause;		/* down: why */
	/* down: bytes_in/out are those of the CHILD SAs still installed. */
};

struct ikev2_hooks {
	/* Give the session an address of family af from the profile's
	 * pools; requested (af 0 = none) is the client's wish.  0 ok, -1
	 * with why filled. */
	int	(*lease_acquire)(void *arg, const char *user,
		    const char *profile, uint64_t session_id, int af,
		    const struct rg_addr *requested, struct rg_addr *out,
		    char *why, size_t whylen);
	void	(*lease_release)(void *arg, uint64_t session_id);
	/* Accounting: IKE_SA + first CHILD_SA up; IKE_SA gone. */
	void	(*session_up)(void *arg, const struct ikev2_session_info *);
	void	(*session_down)(void *arg, const struct ikev2_session_info *);
	void	*arg;
};

/* How the engine sends: local is the address the request came to. */
typedef int (*ikev2_send_fn)(void *arg, int sockfd, const uint8_t *pkt,
    size_t len, const struct sockaddr *local, const struct sockaddr *peer);

/* cfg: counted reference taken; dp may be NULL (control plane only). */
struct ikev2_engine	*ikev2_engine_new(struct rg_loop *, struct rg_config *cfg,
			    struct dp *dp, const struct ikev2_hooks *hooks);
void			 ikev2_engine_set_send(struct ikev2_engine *,
			    ikev2_send_fn, void *arg);
/* A new snapshot for new SAs (counted reference taken). */
int			 ikev2_engine_reconfigure(struct ikev2_engine *,
			    struct rg_config *cfg);
/* One IKE datagram (non-ESP marker already stripped). */
void			 ikev2_engine_input(struct ikev2_engine *,
			    const uint8_t *pkt, size_t len,
			    const struct sockaddr *from,
			    const struct sockaddr *to, int sockfd);
/* DELETE to every peer, release leases and SAs. */
void			 ikev2_engine_shutdown(struct ikev2_engine *);
void			 ikev2_engine_free(struct ikev2_engine *);
/* {"sessions":[{user, peer, vip, spi_i, spi_r, ike, esp, bytes_in,
 *  bytes_out, uptime_s}...], "counters":{...}}; caller json_decref()s. */
json_t			*ikev2_engine_status_json(struct ikev2_engine *);
/* What the daemon needs to know about the session behind a CHILD_SA
 * (e.g. to answer a DHCPINFORM that came through it). */
struct ikev2_session_ref {
	uint64_t		 session_id;
	char			 user[128];
	char			 profile[64];
	struct rg_addr		 vip;		/* af 0 when none */
	struct sockaddr_storage	 local;		/* our IKE address */
};

/* The established session owning CHILD_SA reqid: 0, or -1 when none. */
int			 ikev2_engine_reqid_info(struct ikev2_engine *,
			    uint32_t reqid, struct ikev2_session_ref *out);
/* Tear an established session down: DELETE for its IKE_SA (RFC 7296
 * 1.4.1, sent once), CHILD_SAs and lease released, the SA freed from
 * the loop.  0, or -1 when no established session has that id. */
int			 ikev2_engine_kill_session(struct ikev2_engine *,
			    uint64_t session_id, const char *why);
/* Number of IKE SAs (established + half-open). */
size_t			 ikev2_engine_sa_count(const struct ikev2_engine *);

#endif
