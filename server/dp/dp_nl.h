/*
 * dp_nl.h: the userspace data plane's kernel plumbing: the TUN device
 * and, through libnl-route, its link state and the routes into it.
 */
#ifndef RG_DP_NL_H
#define RG_DP_NL_H

#include <stdbool.h>

#include "rg_config.h"

struct nl_sock;

/* Open (create) TUN device name with nqueues queues (IFF_MULTI_QUEUE
 * when more than one), fds[i] non-blocking.  ifname gets the kernel's
 * name (IFNAMSIZ).  *vnet in: try IFF_VNET_HDR; out: got it.  0 or -1. */
int		 dp_tun_open(const char *name, char *ifname, bool *vnet,
		    int *fds, unsigned nqueues);
struct nl_sock	*dp_nl_open(void);		/* NETLINK_ROUTE; NULL on error */
void		 dp_nl_close(struct nl_sock *);
int		 dp_nl_ifindex(struct nl_sock *, const char *ifname);
/* Bring the link up with this MTU. 0 or -1. */
int		 dp_nl_link_up(struct nl_sock *, int ifindex, unsigned mtu);
/* Add (replace) or delete a route to prefix via the link. 0 or -1. */
int		 dp_nl_route(struct nl_sock *, int ifindex,
		    const struct rg_prefix *, bool add);

#endif
