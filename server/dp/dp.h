/*
 * dp.h: the data-plane interface.  The IKE engines (IKEv2 now, IKEv1
 * later) hand established CHILD_SAs here; two backends sit behind it:
 * the userspace ESP engine over TUN (dp_user*.c, esp*.c) and kernel XFRM
 * through libnl (dp_xfrm.c).  `dataplane = auto` picks XFRM when the
 * kernel can do ESP and logs which one it chose and why.
 *
 * Contract between server/ikev2_* (caller) and server/dp_* (callee):
 * all calls come from the loop thread; structs are copied, never kept.
 */
#ifndef RG_DP_H
#define RG_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_config.h"

struct rg_loop;
struct dp;

enum dp_mode {
	DP_MODE_TUNNEL,
	DP_MODE_TRANSPORT,
};

/* IKEv2 transform IDs (RFC 7296 3.3.2 / IANA) so callers pass them as is. */
enum dp_encr {
	DP_ENCR_3DES = 3,
	DP_ENCR_NULL = 11,
	DP_ENCR_AES_CBC = 12,
	DP_ENCR_AES_GCM_16 = 20,
	DP_ENCR_CHACHA20_POLY1305 = 28,
};

enum dp_integ {
	DP_INTEG_NONE = 0,
	DP_INTEG_HMAC_SHA1_96 = 2,
	DP_INTEG_HMAC_SHA2_256_128 = 12,
	DP_INTEG_HMAC_SHA2_384_192 = 13,
	DP_INTEG_HMAC_SHA2_512_256 = 14,
};

/* One traffic selector: an address range and a port range (RFC 7296 3.13.1). */
struct dp_ts {
	int		 af;
	uint8_t		 proto;		/* 0 = any */
	uint16_t	 port_lo, port_hi;
	uint8_t		 addr_lo[16], addr_hi[16];
};

#define DP_MAX_TS	8
#define DP_MAX_KEY	64

struct dp_sa {
	uint32_t		 spi;		/* network order not needed: host value */
	bool			 inbound;	/* inbound: our SPI; outbound: peer's */
	uint32_t		 reqid;		/* pairs the in/out SAs of a CHILD_SA */
	enum dp_mode		 mode;
	struct sockaddr_storage	 local;		/* outer addresses, with ports */
	struct sockaddr_storage	 peer;
	bool			 encap;		/* UDP encapsulation (RFC 3948) */

	enum dp_encr		 encr;
	uint8_t			 encr_key[DP_MAX_KEY];	/* incl. 4-byte salt for GCM/ChaCha */
	size_t			 encr_key_len;
	enum dp_integ		 integ;
	uint8_t			 integ_key[DP_MAX_KEY];
	size_t			 integ_key_len;
	bool			 esn;
	uint32_t		 replay_window;	/* packets; 0 = default (1024+) */

	struct dp_ts		 ts_local[DP_MAX_TS];	/* our side (e.g. the LAN) */
	size_t			 nts_local;
	struct dp_ts		 ts_remote[DP_MAX_TS];	/* client side (its vip) */
	size_t			 nts_remote;

	uint64_t		 soft_bytes, hard_bytes;	/* 0 = none */
	uint32_t		 soft_time_s, hard_time_s;	/* 0 = none */
	uint16_t		 mss_clamp;	/* 0 = off */
};

struct dp_counters {
	uint64_t	 bytes, packets;
	uint64_t	 replay_drops, auth_drops, other_drops;
	uint64_t	 last_used_ms;	/* rg_now_ms() of the last packet, 0 never */
};

/* The data plane as a whole, for the admin (roadgatectl status). */
struct dp_stats {
	unsigned	 workers;	/* userspace threads; 0: kernel XFRM */
	bool		 steered;	/* BPF puts packets on their owner */
	uint64_t	 packets;	/* ESP packets en/decrypted */
	uint64_t	 handed;	/* copied to the owning worker */
	uint64_t	 no_sa_in;	/* unknown SPI, too short */
	uint64_t	 no_sa_out;	/* to an address no SA covers */
	uint64_t	 bad_inner;	/* malformed inner packet */
	uint64_t	 policy;	/* outside the SA's traffic selectors */
	uint64_t	 tx_err;	/* send or TUN write failed */
	uint64_t	 ring_full;	/* hand-over dropped, owner busy */
};

/* A local UDP service the data plane diverts packets to (see
 * dp_events): destination port, and source port unless 0. */
struct dp_udp_service {
	uint16_t	 port;
	uint16_t	 sport;
};

#define DP_UDP_SERVICES_MAX	4

/* Events the data plane reports back (loop thread). */
struct dp_events {
	/* soft: rekey now; hard: the SA is gone (the backend removed it). */
	void	(*expire)(void *arg, uint32_t reqid, uint32_t spi, bool inbound,
		    bool hard);
	/* Local UDP services: an IPv4 packet from a client through one of
	 * its CHILD_SAs (reqid) to UDP port udp[i].port (from udp[i].sport
	 * unless 0), whatever its destination address, is handed here and
	 * never routed: 67 from 68 for the DHCPINFORM Windows sends, maybe
	 * to the broadcast address (PRODUCT.md fact 3); 1701 for L2TP next.
	 * The kernel-XFRM backend captures port 67 only (dp_xfrm_dhcp.c).
	 * udp_input may be NULL; the answer goes back by dp_send_to_client. */
	void	(*udp_input)(void *arg, uint16_t port, uint32_t reqid,
		    const uint8_t *ippkt, size_t len);
	struct dp_udp_service udp[DP_UDP_SERVICES_MAX];
	size_t	 nudp;
	void	*arg;
};

/* The service of ev a packet (IPv4 UDP sport -> dport) goes to: its port,
 * or 0 when none. */
uint16_t	dp_udp_service_match(const struct dp_events *, int af,
		    uint8_t proto, uint16_t sport, uint16_t dport);

/*
 * kind: "auto", "kernel" or "userspace". tun_name may be NULL ("rg0").
 * threads (userspace engine): worker threads, each with its own TUN queue
 * and the SAs it owns; 0 = one per online CPU; DP_THREADS_INLINE = none,
 * packets are handled by the loop thread (tests and tools).  The SAs,
 * counters and events stay on the loop thread's side of this interface
 * either way.
 */
#define DP_THREADS_INLINE	(-1)
struct dp	*dp_new(struct rg_loop *, const char *kind, const char *tun_name,
		    int threads, const struct dp_events *);
void		 dp_free(struct dp *);	/* removes every SA, policy, route */
const char	*dp_kind(const struct dp *);	/* "kernel" | "userspace" */

int	dp_sa_add(struct dp *, const struct dp_sa *);
int	dp_sa_del(struct dp *, uint32_t spi, bool inbound);
/* MOBIKE / NAT mapping change: new outer addresses for both SAs of reqid. */
int	dp_sa_update_addrs(struct dp *, uint32_t reqid,
	    const struct sockaddr *local, const struct sockaddr *peer, bool encap);
int	dp_sa_counters(struct dp *, uint32_t spi, bool inbound,
	    struct dp_counters *);

void	dp_get_stats(struct dp *, struct dp_stats *);

/* Route a client's virtual IP (or prefix) into the data plane. */
int	dp_route_add(struct dp *, const struct rg_prefix *);
int	dp_route_del(struct dp *, const struct rg_prefix *);

/* The IKE socket layer owns UDP 500/4500.  It tells the data plane which
 * 4500 socket to send ESP-in-UDP from, and hands it every datagram on
 * 4500 whose first four bytes are not the zero non-ESP marker
 * (RFC 3948 2.2); NAT keepalives (one 0xff byte) never come here. */
void	dp_set_encap_socket(struct dp *, int af, int fd);
/* True if the data plane joins the 4500 socket's SO_REUSEPORT group
 * (its workers read ESP-in-UDP themselves): the IKE layer then sets
 * SO_REUSEPORT on that socket before binding it. */
bool	dp_encap_shared(struct dp *);
void	dp_udp_input(struct dp *, const uint8_t *pkt, size_t len,
	    const struct sockaddr *from, const struct sockaddr *to);

/* Forwarding helpers (settings forwarding, masquerade, proxy_arp; off by
 * default, and off touches nothing): IP forwarding sysctls, nftables
 * table `inet roadgate` masquerading routed client addresses, proxy
 * ARP/NDP entries for them.  Call at start and on every reconfigure;
 * dp_free() undoes what it did.  0, or -1 if one helper failed (logged). */
int	dp_forwarding_apply(struct dp *, const struct rg_settings *);

/* Inject an IP packet towards a CHILD_SA's client (e.g. a DHCP reply). */
int	dp_send_to_client(struct dp *, uint32_t reqid, const uint8_t *ippkt,
	    size_t len);

#endif
