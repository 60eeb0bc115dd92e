/*
 * dp.c: the data-plane front (dp.h): picks a backend and forwards each
 * call to it.  `auto` asks the kernel whether it can hold an ESP SA (adds
 * and deletes a dummy one over XFRM netlink) and takes kernel XFRM if so,
 * the userspace engine otherwise; the log says which and why.
 */
#include <stdlib.h>
#include <string.h>

#include "dp_fwd.h"
#include "dp_int.h"
#include "rg_log.h"

struct dp {
	const struct dp_ops	*ops;
	struct dp_backend	*be;	/* owned; freed by ops->free */
	struct dp_fwd		*fwd;	/* forwarding helpers (dp_fwd.c) */
};

struct dp *
dp_new(struct rg_loop *loop, const char *kind, const char *tun_name,
    int threads, const struct dp_events *ev)
{
	const struct dp_ops	*ops;
	struct dp		*dp;
	char			 why[160];

	if (kind == NULL || strcmp(kind, "auto") == 0) {
		if (dp_xfrm_probe(why, sizeof(why)) == 0) {
			ops = &dp_xfrm_ops;
			rg_notice(ESP, "dataplane auto: kernel XFRM (%s)", why);
		} else {
			ops = &dp_user_ops;
			rg_notice(ESP, "dataplane auto: userspace ESP, the "
			    "kernel cannot do ESP (%s)", why);
		}
	} else if (strcmp(kind, "kernel") == 0) {
		ops = &dp_xfrm_ops;
		if (dp_xfrm_probe(why, sizeof(why)) != 0)
			rg_warn(ESP, "dataplane kernel: the probe failed (%s); "
			    "SAs will not install", why);
		rg_notice(ESP, "dataplane: kernel XFRM (configured)");
	} else if (strcmp(kind, "userspace") == 0) {
		ops = &dp_user_ops;
		rg_notice(ESP, "dataplane: userspace ESP (configured)");
	} else {
		rg_err(ESP, "dataplane '%s': expected auto, kernel or "
		    "userspace", kind);
		return NULL;
	}
	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return NULL;
	dp->ops = ops;
	if ((dp->fwd = dp_fwd_new()) == NULL ||
	    (dp->be = ops->new(loop, tun_name, threads, ev)) == NULL) {
		dp_fwd_free(dp->fwd);
		free(dp);
		return NULL;
	}
	return dp;
}

void
dp_free(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp_fwd_free(dp->fwd);		/* before the routes go */
	dp->ops->free(dp->be);
	free(dp);
}

struct dp_backend *
dp_backend_of(struct dp *dp)
{
	return dp->be;
}

const char *
dp_kind(const struct dp *dp)
{
	return dp->ops == &dp_xfrm_ops ? "kernel" : "userspace";
}

uint16_t
dp_udp_service_match(const struct dp_events *ev, int af, uint8_t proto,
    uint16_t sport, uint16_t dport)
{
	size_t	 i;

	if (ev->udp_input == NULL || af != AF_INET || proto != IPPROTO_UDP)
		return 0;
	for (i = 0; i < ev->nudp && i < DP_UDP_SERVICES_MAX; i++)
		if (ev->udp[i].port == dport &&
		    (ev->udp[i].sport == 0 || ev->udp[i].sport == sport))
			return dport;
	return 0;
}

int
dp_sa_add(struct dp *dp, const struct dp_sa *sa)
{
	return dp->ops->sa_add(dp->be, sa);
}

int
dp_sa_del(struct dp *dp, uint32_t spi, bool inbound)
{
	return dp->ops->sa_del(dp->be, spi, inbound);
}

int
dp_sa_update_addrs(struct dp *dp, uint32_t reqid, const struct sockaddr *l,
    const struct sockaddr *p, bool encap)
{
	return dp->ops->sa_update_addrs(dp->be, reqid, l, p, encap);
}

int
dp_sa_counters(struct dp *dp, uint32_t spi, bool inbound,
    struct dp_counters *c)
{
	return dp->ops->sa_counters(dp->be, spi, inbound, c);
}

int
dp_route_add(struct dp *dp, const struct rg_prefix *p)
{
	int	 rc;

	if ((rc = dp->ops->route_add(dp->be, p)) == 0)
		dp_fwd_route(dp->fwd, p, true);
	return rc;
}

int
dp_route_del(struct dp *dp, const struct rg_prefix *p)
{
	dp_fwd_route(dp->fwd, p, false);
	return dp->ops->route_del(dp->be, p);
}

int
dp_forwarding_apply(struct dp *dp, const struct rg_settings *s)
{
	return dp_fwd_apply(dp->fwd, s);
}

void
dp_set_encap_socket(struct dp *dp, int af, int fd)
{
	dp->ops->set_encap_socket(dp->be, af, fd);
}

void
dp_get_stats(struct dp *dp, struct dp_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (dp->ops->stats != NULL)
		dp->ops->stats(dp->be, st);
}

bool
dp_encap_shared(struct dp *dp)
{
	return dp->ops->encap_shared != NULL && dp->ops->encap_shared(dp->be);
}

void
dp_udp_input(struct dp *dp, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to)
{
	dp->ops->udp_input(dp->be, pkt, len, from, to);
}

int
dp_send_to_client(struct dp *dp, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	return dp->ops->send_to_client(dp->be, reqid, pkt, len);
}
