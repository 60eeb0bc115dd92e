/*
 * dp_pkt.h: inner-packet helpers of the userspace data plane, pure
 * functions on bytes: header parsing, traffic-selector matching, TCP MSS
 * clamping, ICMP "fragmentation needed" / ICMPv6 "packet too big".
 */
#ifndef RG_DP_PKT_H
#define RG_DP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"

struct dp_pkt {
	int		 af;		/* AF_INET or AF_INET6 */
	const uint8_t	*src, *dst;	/* into the packet; 4 or 16 bytes */
	uint8_t		 proto;		/* upper-layer protocol */
	uint16_t	 sport, dport;	/* 0 unless TCP/UDP/SCTP with ports */
	size_t		 l4off;		/* offset of the upper-layer header */
	size_t		 len;		/* IP total length (<= buffer) */
	uint8_t		 tos;		/* IPv4 TOS / IPv6 traffic class */
	bool		 df;		/* IPv4 DF; always true for IPv6 */
	bool		 first_frag;	/* not a non-first fragment */
};

/* 0, or -1 for a packet we cannot parse (counted and dropped). */
int	dp_pkt_parse(const uint8_t *, size_t, struct dp_pkt *);
/* Does the packet's (addr, proto, port) fall in one of the selectors? */
bool	dp_ts_match(const struct dp_ts *, size_t nts, int af,
	    const uint8_t *addr, uint8_t proto, uint16_t port);
/* Lower the MSS option of a TCP SYN to mss (RFC 879/6691); fixes the
 * checksum incrementally (RFC 1624).  Returns true if changed. */
bool	dp_mss_clamp(uint8_t *, const struct dp_pkt *, uint16_t mss);
/* Build an ICMP "fragmentation needed" (RFC 792/1191) or ICMPv6 "packet
 * too big" (RFC 4443 3.2) answering orig, from `from`; returns its
 * length, or 0 when none is due (e.g. orig is itself an ICMP error). */
size_t	dp_icmp_too_big(const uint8_t *orig, const struct dp_pkt *,
	    uint16_t mtu, const uint8_t *from, uint8_t *out, size_t cap);
uint16_t dp_csum(const void *, size_t, uint32_t sum);

#endif
