/*
 * dp_nl.c: TUN device (linux/if_tun.h) and routes via libnl-route-3
 * (rtnetlink, RFC 3549) for the userspace data plane.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "dp_nl.h"
#include "rg_log.h"

/* Queue i of the TUN device name (IFF_MULTI_QUEUE when mq). */
static int
dp_tun_queue(const char *name, char *ifname, short flags)
{
	struct ifreq	 ifr;
	int		 fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		rg_err(ESP, "open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		rg_warn(ESP, "TUNSETIFF %s%s%s: %s", name,
		    flags & IFF_VNET_HDR ? " (vnet header)" : "",
		    flags & IFF_MULTI_QUEUE ? " (multi-queue)" : "",
		    strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	return fd;
}

int
dp_tun_open(const char *name, char *ifname, bool *vnet, int *fds, unsigned n)
{
	short		 flags;
	unsigned	 i;
	int		 try;

	/* First with a virtio_net_hdr on each packet (so we may write GSO
	 * packets), then plain if the kernel refuses it.  Every queue of a
	 * multi-queue device must be opened with the same flags. */
	for (try = 0; try < 2; try++) {
		flags = IFF_TUN | IFF_NO_PI | (n > 1 ? IFF_MULTI_QUEUE : 0) |
		    (try == 0 && *vnet ? IFF_VNET_HDR : 0);
		if ((fds[0] = dp_tun_queue(name, ifname, flags)) == -1) {
			if (!*vnet)
				break;
			continue;
		}
		for (i = 1; i < n; i++)
			if ((fds[i] = dp_tun_queue(ifname, ifname, flags)) == -1)
				break;
		if (i == n) {
			*vnet = (flags & IFF_VNET_HDR) != 0;
			return 0;
		}
		while (i-- > 0)
			close(fds[i]);
		break;
	}
	*vnet = false;
	return -1;
}

struct nl_sock *
dp_nl_open(void)
{
	struct nl_sock	*sk;

	if ((sk = nl_socket_alloc()) == NULL)
		return NULL;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

void
dp_nl_close(struct nl_sock *sk)
{
	if (sk != NULL)
		nl_socket_free(sk);
}

int
dp_nl_ifindex(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link	*l = NULL;
	int			 idx;

	if (rtnl_link_get_kernel(sk, 0, ifname, &l) < 0)
		return -1;
	idx = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return idx;
}

int
dp_nl_link_up(struct nl_sock *sk, int ifindex, unsigned mtu)
{
	struct rtnl_link	*l = NULL, *c = NULL;
	int			 rc = -1, err;

	if (rtnl_link_get_kernel(sk, ifindex, NULL, &l) < 0 ||
	    (c = rtnl_link_alloc()) == NULL)
		goto out;
	rtnl_link_set_flags(c, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(c, mtu);
	/* TUN's ring is txqueuelen packets (default 500) and it drops, not
	 * pushes back, when full: a burst of a few ms must fit. */
	rtnl_link_set_txqlen(c, 4096);
	if ((err = rtnl_link_change(sk, l, c, 0)) < 0) {
		rg_err(ESP, "link %d up: %s", ifindex, nl_geterror(err));
		goto out;
	}
	rc = 0;
out:
	if (c)
		rtnl_link_put(c);
	if (l)
		rtnl_link_put(l);
	return rc;
}

int
dp_nl_route(struct nl_sock *sk, int ifindex, const struct rg_prefix *p,
    bool add)
{
	struct rtnl_route	*r = NULL;
	struct rtnl_nexthop	*nh = NULL;
	struct nl_addr		*dst = NULL;
	int			 rc = -1, err;

	if ((r = rtnl_route_alloc()) == NULL ||
	    (nh = rtnl_route_nh_alloc()) == NULL ||
	    (dst = nl_addr_build(p->af, p->addr,
	    p->af == AF_INET ? 4 : 16)) == NULL)
		goto out;
	nl_addr_set_prefixlen(dst, p->plen);
	rtnl_route_set_family(r, (uint8_t)p->af);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL;			/* owned by the route now */
	err = add ? rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE) :
	    rtnl_route_delete(sk, r, 0);
	if (err < 0) {
		rg_warn(ESP, "route %s: %s", add ? "add" : "delete",
		    nl_geterror(err));
		goto out;
	}
	rc = 0;
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (dst)
		nl_addr_put(dst);
	if (r)
		rtnl_route_put(r);
	return rc;
}
