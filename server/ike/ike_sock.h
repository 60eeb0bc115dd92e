/*
 * ike_sock.h: the IKE UDP sockets (ports 500 and 4500, IPv4 and IPv6) and
 * the RFC 3948 demultiplexing on 4500: four zero bytes = IKE, one 0xff =
 * NAT keepalive, anything else = ESP for the data plane.
 */
#ifndef IKE_SOCK_H
#define IKE_SOCK_H

#include <stdint.h>
#include <sys/socket.h>

struct rg_loop;
struct dp;
struct ikev2_engine;
struct ike_sock;

/* port / natt_port: 0 = defaults 500 / 4500.  dp may be NULL. */
struct ike_sock	*ike_sock_new(struct rg_loop *, uint16_t port, uint16_t natt_port,
		    struct ikev2_engine *, struct dp *);
void		 ike_sock_free(struct ike_sock *);
/* The engine's default sender (ikev2_send_fn shape): adds the non-ESP
 * marker when local's port is the NAT-T port, sends from local. */
int		 ike_sock_send(void *arg, int fd, const uint8_t *pkt, size_t len,
		    const struct sockaddr *local, const struct sockaddr *peer);

#endif
