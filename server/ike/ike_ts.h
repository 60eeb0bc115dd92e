/*
 * ike_ts.h: traffic-selector policy for both IKE versions: what one
 * client may have on its side (its virtual IPs, else its outer address)
 * and on ours (its profile's split networks within its policy template's
 * networks, else those networks, else everything), and the narrowing of
 * what it asked to that (RFC 7296 2.9; IKEv1 quick mode's client IDs,
 * RFC 2409 5.5, ask the same question).  L2TP/IPsec transport mode: both
 * outer addresses, UDP/1701 (RFC 3193 4, RFC 7296 2.23.1).  Selectors
 * here are address and port ranges of either family; each version
 * converts its own payloads to and from them.
 */
#ifndef IKE_TS_H
#define IKE_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_config.h"

struct ike_ts {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 proto;		/* 0 = any */
	uint16_t	 port_lo, port_hi;
	uint8_t		 lo[16], hi[16];	/* 4 or 16 bytes used */
};

#define IKE_MAX_TS	8
struct ike_ts_set {
	struct ike_ts	 ts[IKE_MAX_TS];
	size_t		 n;
};

/* p as a range, all protocols and ports. */
void	ike_ts_from_prefix(const struct rg_prefix *p, struct ike_ts *);
/* a ∩ b into out (protocol, ports, addresses); false when empty. */
bool	ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
	    struct ike_ts *out);
/*
 * What cfg's policy allows user: client gets the virtual IPs (vip, vip6;
 * af 0 = none), else peer's address; ours the split networks inside the
 * policy networks, else the policy networks, else 0.0.0.0/0 and ::/0.
 */
void	ike_ts_allowed(const struct rg_config *cfg, const char *user,
	    const struct rg_addr *vip, const struct rg_addr *vip6,
	    const struct sockaddr_storage *peer, struct ike_ts_set *client,
	    struct ike_ts_set *ours);
/* Each asked selector intersected with each allowed one, in order, at
 * most IKE_MAX_TS; out->n == 0 when nothing is left. */
void	ike_ts_narrow(const struct ike_ts_set *asked,
	    const struct ike_ts_set *allowed, struct ike_ts_set *out);
/* L2TP/IPsec: the outer address of s as one selector, UDP/1701. */
void	ike_ts_l2tp(const struct sockaddr_storage *s, struct ike_ts *);
/* Port-strict: true (out = { *want }) when an asked selector of want's
 * family is UDP (or any protocol) with 1701 in its port range; the
 * client's address in it may be its private one, so want replaces it. */
bool	ike_ts_l2tp_pick(const struct ike_ts_set *asked,
	    const struct ike_ts *want, struct ike_ts_set *out);
/* "lo-hi[proto/port_lo-port_hi], ..." for logs. */
void	ike_ts_str(const struct ike_ts_set *, char *out, size_t len);

#endif
