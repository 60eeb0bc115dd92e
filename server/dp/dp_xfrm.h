/*
 * dp_xfrm.h: the XFRM backend's message builders, exposed so tests can
 * build the netlink messages and parse them back with libnl, and install
 * only the policies on a kernel without ESP.
 */
#ifndef RG_DP_XFRM_H
#define RG_DP_XFRM_H

#include "dp_int.h"

#define UDP_ENCAP_ESPINUDP	2	/* linux/udp.h */

struct nl_addr;
struct xfrmnl_sa;
struct xfrmnl_sp;
struct dpx_sa;

/* dp_xfrm_msg.c: a libnl address of an outer address (NULL if neither
 * IPv4 nor IPv6), and the state and policy objects. */
struct nl_addr		*dp_xfrm_addr(const struct sockaddr_storage *);
/* New libnl objects (caller puts them); NULL if not expressible. */
struct xfrmnl_sa	*dp_xfrm_sa_build(const struct dp_sa *);
struct xfrmnl_sp	*dp_xfrm_sp_build(const struct dp_sa *, int dir,
			    const struct dp_ts *src, const struct dp_ts *dst);
/* Track an SA (without its state) and install its policies: what the
 * kernel accepts without ESP.  dp_free() removes them. */
struct dpx_sa		*dp_xfrm_track(struct dp_backend *, const struct dp_sa *);
int			 dp_xfrm_policies_add(struct dp_backend *,
			    const struct dp_sa *, struct dpx_sa *);

/* dp_xfrm_dhcp.c: DHCPINFORM through kernel-XFRM tunnels.  The capture
 * socket (AF_PACKET + BPF, UDP 68 -> 67), or -1; a captured packet's
 * check (pkttype from its sockaddr_ll; *src: its IPv4 source); sending
 * an answer (a whole IPv4 packet) through a raw socket made on first use. */
#define DP_XFRM_DHCP_SERVER	67	/* what the capture keeps: 68 -> 67 */
#define DP_XFRM_DHCP_CLIENT	68
int	dp_xfrm_dhcp_open(void);
int	dp_xfrm_dhcp_check(const uint8_t *pkt, size_t len, int pkttype,
	    const uint8_t **src);
int	dp_xfrm_dhcp_send(int *rawfd, const uint8_t *pkt, size_t len);

#endif
