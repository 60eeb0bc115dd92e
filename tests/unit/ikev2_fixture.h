/*
 * ikev2_fixture.h: what the in-memory IKEv2 engine tests share
 * (test_ikev2_exchange, test_ikev2_session; test-only, not in a library):
 * a fake socket queueing the engine's datagrams, a session registry whose
 * leases are 10.0.0.<session> (and 2001:db8:ff::<session> while
 * fx_lease_v6), a
 * base configuration (one "%any" PSK, a "default" profile), the engine on
 * one loop, and the test initiator (tests/tools/ikev2_initiator.h) driven
 * through request/response round trips (RFC 7296 1.2).
 */
#ifndef IKEV2_FIXTURE_H
#define IKEV2_FIXTURE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "ikev2.h"
#include "ikev2_initiator.h"
#include "rg_config.h"
#include "rg_loop.h"

#define FX_QMAX	32

/* What the engine sent since the last fx_q_clear(). */
struct fx_queue {
	uint8_t		*pkt[FX_QMAX];
	size_t		 len[FX_QMAX];
	size_t		 n;
};

extern struct fx_queue		 fx_q;
/* Where each datagram of fx_q went (the engine's peer argument). */
extern struct sockaddr_storage	 fx_q_to[FX_QMAX];
extern unsigned int		 fx_leases_out;	/* acquired - released */
extern bool			 fx_lease_v6;	/* an IPv6 pool too */
extern struct sockaddr_in	 fx_cli, fx_srv;	/* 192.0.2.2/.1:500 */
extern struct rg_loop		*fx_loop;
/* AES-GCM-256, PRF-SHA256, ECP-256; ESP AES-GCM-128; asks for a VIP. */
extern const struct ikev2_ini_conf fx_gcm;

void	fx_q_clear(void);
/* Settings (proposals, DPD 30/150 s), a PSK for alice@example.com and
 * the "%any" PSK (same secret), a bare "default" profile. */
struct rg_config *fx_config(const char *proposals);
/* An engine on fx_loop over c (released here) with the fake socket and
 * the registry (made on first use, freed by fx_cleanup); NULL when the
 * engine refuses c. */
struct ikev2_engine *fx_engine(struct rg_config *c);
/* The same with a data plane (borrowed; a test's stand-in). */
struct ikev2_engine *fx_engine_dp(struct rg_config *c, struct dp *dp);
/* One datagram from fx_cli to fx_srv into the engine. */
void	fx_input(struct ikev2_engine *, const uint8_t *p, size_t len);
/* One datagram between other addresses ("192.0.2.3", 4500). */
void	fx_input_at(struct ikev2_engine *, const uint8_t *p, size_t len,
	    const char *from, uint16_t fport, const char *to, uint16_t tport);
/* Whether fx_q's datagram k went to ip:port. */
bool	fx_q_went_to(size_t k, const char *ip, uint16_t port);
/* Request in, the (first) response into the initiator: its next request's
 * length, 0 when done, -1 when nothing came back. */
long	fx_rt(struct ikev2_engine *, struct ikev2_ini *, const uint8_t *req,
	    long n, uint8_t *next, size_t cap);
/* A new initiator driven up to ESTABLISHED (or as far as it gets). */
struct ikev2_ini *fx_connect(struct ikev2_engine *,
	    const struct ikev2_ini_conf *);
/* A counter of ikev2_engine_status_json() ("counters" object). */
long long fx_counter(struct ikev2_engine *, const char *name);
/* Frees the queue and the loop (the last case of a suite). */
void	fx_cleanup(void);

#endif /* IKEV2_FIXTURE_H */
