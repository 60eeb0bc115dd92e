/*
 * ike_sock.h: the IKE UDP sockets (ports 500 and 4500, IPv4 and IPv6) and
 * the RFC 3948 demultiplexing on 4500: four zero bytes = IKE, one 0xff =
 * NAT keepalive, anything else = ESP for the data plane.  IKE datagrams
 * are then handed by their major version (RFC 7296 3.1, RFC 2408 3.1:
 * byte 17 of the header) to the engine registered for it, so IKEv1 and
 * IKEv2 share ports 500 and 4500.
 */
#ifndef IKE_SOCK_H
#define IKE_SOCK_H

#include <stdint.h>
#include <sys/socket.h>

struct rg_loop;
struct dp;
struct ike_sock;

enum ike_version {
	IKE_V1,			/* major version 1 (0x10) */
	IKE_V2,			/* major version 2 (0x20) */
	IKE_NVERSION
};

/* One IKE datagram (marker already stripped), borrowed for the call. */
typedef void (*ike_input_fn)(void *arg, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd);

/*
 * The version split, kept apart from the sockets so a test can feed it.
 * Major version 1 goes to IKE_V1; everything else (2, a higher one the
 * IKEv2 engine must answer with INVALID_MAJOR_VERSION per RFC 7296 2.5,
 * or a runt it counts as malformed) to IKE_V2.  With no handler for the
 * version the datagram is dropped and counted.
 */
struct ike_demux {
	struct {
		ike_input_fn	 fn;
		void		*arg;		/* borrowed */
	}		 h[IKE_NVERSION];
	uint64_t	 rx[IKE_NVERSION];	/* handed to a handler */
	uint64_t	 no_handler[IKE_NVERSION];	/* dropped */
};

void		 ike_demux_set(struct ike_demux *, enum ike_version,
		    ike_input_fn, void *arg);
enum ike_version ike_demux_version(const uint8_t *pkt, size_t len);
void		 ike_demux_input(struct ike_demux *, const uint8_t *pkt,
		    size_t len, const struct sockaddr *from,
		    const struct sockaddr *to, int fd);
const char	*ike_version_name(enum ike_version);

/* port / natt_port: 0 = defaults 500 / 4500.  dp may be NULL. */
struct ike_sock	*ike_sock_new(struct rg_loop *, uint16_t port, uint16_t natt_port,
		    struct dp *);
void		 ike_sock_free(struct ike_sock *);
/* The engine for one IKE version; fn NULL removes it. */
void		 ike_sock_set_handler(struct ike_sock *, enum ike_version,
		    ike_input_fn, void *arg);
const struct ike_demux *ike_sock_demux(const struct ike_sock *);
/* The engine's default sender (ikev2_send_fn shape): adds the non-ESP
 * marker when local's port is the NAT-T port, sends from local. */
int		 ike_sock_send(void *arg, int fd, const uint8_t *pkt, size_t len,
		    const struct sockaddr *local, const struct sockaddr *peer);

#endif
