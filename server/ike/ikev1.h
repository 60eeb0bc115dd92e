/*
 * ikev1.h: the IKEv1 responder engine (RFC 2407/2408/2409 with XAuth,
 * mode-config, NAT-T and DPD) as the daemon and the tests see it.  The
 * same shape as ikev2.h: datagrams come in through ikev1_engine_input()
 * (from ike_sock.c's IKEv1 handler or an in-memory test) and leave
 * through a send callback, so a test drives it without sockets.
 */
#ifndef IKEV1_H
#define IKEV1_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_config.h"

struct auth;
struct dp;
struct ike_sock;
struct ike_spis;
struct ikev1_engine;
struct rg_loop;
struct sess_reg;

/* How the engine sends (ike_sock_send's shape). */
typedef int (*ikev1_send_fn)(void *arg, int sockfd, const uint8_t *pkt,
    size_t len, const struct sockaddr *local, const struct sockaddr *peer);

/* cfg: counted reference taken; dp and reg may be NULL. */
struct ikev1_engine	*ikev1_engine_new(struct rg_loop *, struct rg_config *,
			    struct dp *, struct sess_reg *);
void			 ikev1_engine_set_send(struct ikev1_engine *,
			    ikev1_send_fn, void *arg);
/* The SPI table shared with IKEv2 (counted reference taken); -1 once SAs
 * exist. */
int			 ikev1_engine_set_spis(struct ikev1_engine *,
			    struct ike_spis *);
/* Who XAuth asks (borrowed); NULL: the engine's own local users. */
void			 ikev1_engine_set_auth(struct ikev1_engine *,
			    struct auth *);
/* Take IKEv1 datagrams from sock and send through it. */
void			 ikev1_engine_attach(struct ikev1_engine *,
			    struct ike_sock *);
int			 ikev1_engine_reconfigure(struct ikev1_engine *,
			    struct rg_config *);
void			 ikev1_engine_input(struct ikev1_engine *,
			    const uint8_t *pkt, size_t len,
			    const struct sockaddr *from,
			    const struct sockaddr *to, int fd);
/* DELETE to every established peer, sessions ended. */
void			 ikev1_engine_shutdown(struct ikev1_engine *);
void			 ikev1_engine_free(struct ikev1_engine *);
/* {"counters": {...}, "sas": n}; new reference. */
json_t			*ikev1_engine_status_json(struct ikev1_engine *);
size_t			 ikev1_engine_sa_count(const struct ikev1_engine *);

#endif
