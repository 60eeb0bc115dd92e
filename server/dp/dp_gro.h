/*
 * dp_gro.h: receive-side coalescing of decrypted TCP/IPv4 segments into
 * one GSO packet for a TUN device opened with IFF_VNET_HDR, so the kernel
 * forwards and delivers one large packet instead of dozens (as GRO does
 * for a NIC).  Pure buffer logic; the caller writes what dp_gro_finish()
 * returns.
 */
#ifndef RG_DP_GRO_H
#define RG_DP_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_VNET_HDR	10		/* struct virtio_net_hdr */
#define DP_GRO_MAX	64000		/* bytes of IP packet */

struct dp_gro {
	size_t		 len;		/* IP packet bytes held; 0 = none */
	size_t		 nseg;
	size_t		 hl;		/* IP + TCP header length */
	uint16_t	 mss;		/* payload of the first segment */
	uint32_t	 next_seq;
	bool		 closed;	/* short or PSH segment: nothing after */
	uint8_t		 buf[DP_VNET_HDR + DP_GRO_MAX];	/* vnet hdr, packet */
};

/* Take pkt as the start of a new packet if it may be coalesced; false
 * leaves g empty (write pkt on its own).  g must be empty. */
bool	dp_gro_start(struct dp_gro *, const uint8_t *pkt, size_t len);
/* Append pkt's payload if it continues g's flow exactly. */
bool	dp_gro_add(struct dp_gro *, const uint8_t *pkt, size_t len);
/* Fix the headers, fill the vnet header; *out = what to write (header
 * included), returns its length and empties g. */
size_t	dp_gro_finish(struct dp_gro *, const uint8_t **out);

#endif
