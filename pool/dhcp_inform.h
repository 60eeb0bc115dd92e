/*
 * dhcp_inform.h: answering the DHCPINFORM Windows sends through the
 * tunnel after connecting (RFC 2131 4.3.5), so it learns the profile's
 * split routes (RFC 3442 option 121 and Microsoft's 249), DNS servers,
 * DNS domain and WINS servers without a client-side script.
 */
#ifndef DHCP_INFORM_H
#define DHCP_INFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rg_config.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_ANSWER_MAX		1500	/* enough for every answer we build */

/* What the parser keeps of a DHCP request (views copied out). */
struct dhcp_req {
	uint8_t		 ip_src[4], ip_dst[4];
	uint8_t		 op, htype, hlen;
	uint32_t	 xid;
	uint16_t	 flags;
	uint8_t		 ciaddr[4], giaddr[4];
	uint8_t		 chaddr[16];
	uint8_t		 msgtype;	/* option 53; 0 when absent */
	bool		 has_prl;
	uint8_t		 prl[255];	/* option 55, concatenated */
	size_t		 nprl;
};

/* Parse an IPv4/UDP/BOOTP/DHCP packet bound for port 67 (bounded, every
 * length checked).  0, or -ENOENT (not UDP to port 67: not ours), -EINVAL
 * (malformed). */
int	dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_req *);

/* The full IPv4/UDP packet (checksums set) answering a DHCPINFORM, from
 * server_addr (IPv4) to the client.  0 with *outlen set, or -ENOENT (not
 * DHCP), -EINVAL (malformed), -ENOTSUP (a DHCP message other than
 * INFORM), -ENOBUFS (outcap too small; DHCP_ANSWER_MAX always does). */
int	dhcp_inform_answer(const uint8_t *pkt, size_t len,
	    const struct rg_profile *, const struct rg_addr *server_addr,
	    uint8_t *out, size_t outcap, size_t *outlen);

/* RFC 3442 encoding of one route: width, significant destination octets,
 * router.  Returns the bytes written, or -1 (not IPv4, no room). */
int	dhcp_route_encode(const struct rg_prefix *dst, const uint8_t router[4],
	    uint8_t *out, size_t cap);

/* Counters: answers built, packets dropped as malformed. */
void	dhcp_inform_stats(uint64_t *answered, uint64_t *dropped);

#endif
