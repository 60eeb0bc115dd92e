/*
 * sess_udp.c: UDP services a client reaches through its tunnel.  The
 * data plane diverts a packet from a client's CHILD_SA to one of our
 * ports (dp_events.udp_input); its reqid gives the session, the
 * service answers back into the same CHILD_SA.  DHCP (67) is ours; L2TP
 * (1701) registers the same way.
 *
 * DHCPINFORM (RFC 2131 4.3.5; Windows asks for split routes after
 * connecting, PRODUCT.md fact 3): the session's profile gives routes
 * (options 121/249), DNS, domain and WINS.  Our address in the answer
 * (source, server identifier, router of the routes) is the gateway's
 * LAN-side address: the first host of the profile's first IPv4 split
 * network (198.51.100.1 for 198.51.100.0/24), which lies inside the
 * CHILD_SA's traffic selectors; a full-tunnel profile uses the IKE
 * address the session came to.
 *
 * Only the session's own virtual IP is answered: the request must come
 * from it (IP source) and name no other client address (ciaddr 0 or the
 * vip), so the answer, addressed per RFC 2131 to ciaddr or the source,
 * always goes to the vip through the session's CHILD_SA, never to an
 * address the request chose (no reflection).
 */
#include <errno.h>
#include <string.h>

#include "dp.h"
#include "pool/dhcp_inform.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "sess_int.h"

/* An IPv4/UDP/BOOTP request from the session's vip naming no other
 * client (ciaddr 0 or the vip): 0, else -1. */
static int
from_vip(const struct sess *s, const uint8_t *pkt, size_t len)
{
	struct rg_rd	 r;
	uint8_t		 vihl, src[4], ciaddr[4];

	if (s->vip4.af != AF_INET)
		return -1;
	rg_rd_init(&r, pkt, len);
	if (rg_rd_u8(&r, &vihl) < 0 || (vihl >> 4) != 4 || (vihl & 15) < 5 ||
	    rg_rd_skip(&r, 11) < 0 || rg_rd_bytes(&r, src, 4) < 0 ||
	    rg_rd_skip(&r, (size_t)(vihl & 15) * 4 - 16) < 0 ||
	    rg_rd_skip(&r, 8 + 12) < 0 || rg_rd_bytes(&r, ciaddr, 4) < 0)
		return -1;
	if (memcmp(src, s->vip4.addr, 4) != 0)
		return -1;
	if (memcmp(ciaddr, "\0\0\0\0", 4) != 0 &&
	    memcmp(ciaddr, s->vip4.addr, 4) != 0)
		return -1;
	return 0;
}

int
sess_udp_register(struct sess_reg *reg, uint16_t port, uint16_t sport,
    sess_udp_fn fn, void *arg)
{
	if (reg->nudp == DP_UDP_SERVICES_MAX || port == 0)
		return -1;
	reg->udp[reg->nudp++] = (struct sess_udp_service){ port, sport, fn,
	    arg };
	return 0;
}

static void
udp_input(void *arg, uint16_t port, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	struct sess_reg	*reg = arg;
	struct sess	*s = sess_by_reqid(reg, reqid);
	size_t		 i;

	for (i = 0; i < reg->nudp; i++)
		if (reg->udp[i].port == port) {
			reg->udp[i].fn(reg->udp[i].arg, s, reqid, pkt, len);
			return;
		}
}

void
sess_dp_events(struct sess_reg *reg, struct dp_events *ev)
{
	size_t	 i;

	ev->udp_input = udp_input;
	ev->arg = reg;
	for (i = 0; i < reg->nudp && i < DP_UDP_SERVICES_MAX; i++)
		ev->udp[i] = (struct dp_udp_service){ reg->udp[i].port,
		    reg->udp[i].sport };
	ev->nudp = i;
}

int
sess_send_to_client(struct sess_reg *reg, uint32_t reqid,
    const uint8_t *pkt, size_t len)
{
	if (reg->send != NULL)
		return reg->send(reg->send_arg, reqid, pkt, len);
	if (reg->dp == NULL)
		return -1;
	return dp_send_to_client(reg->dp, reqid, pkt, len);
}

void
sess_dhcp_stats(const struct sess_reg *reg, uint64_t *answered,
    uint64_t *dropped)
{
	*answered = reg->dhcp_answered;
	*dropped = reg->dhcp_dropped;
}

/* --- DHCPINFORM ---------------------------------------------------------- */

/* Our address as the client's DHCP server (see the top of the file). */
static int
dhcp_server_addr(const struct rg_profile *p, const struct sockaddr *l,
    struct rg_addr *out)
{
	size_t	 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; p != NULL && i < p->nsplit; i++) {
		if (p->split[i].af != AF_INET || p->split[i].plen > 30)
			continue;
		out->af = AF_INET;
		memcpy(out->addr, p->split[i].addr, 4);
		out->addr[3] |= 1;	/* a /30 or wider: .1 is a host */
		return 0;
	}
	if (l == NULL || l->sa_family != AF_INET)
		return -1;
	out->af = AF_INET;
	memcpy(out->addr, &((const struct sockaddr_in *)l)->sin_addr, 4);
	return 0;
}

void
sess_dhcp_input(void *arg, struct sess *s, uint32_t reqid,
    const uint8_t *pkt, size_t len)
{
	struct sess_reg		*reg = arg;
	const struct rg_profile	*p;
	struct rg_addr		 server;
	uint8_t			 ans[DHCP_ANSWER_MAX];
	size_t			 alen;
	int			 rc;

	if (s == NULL || (reg->dp == NULL && reg->send == NULL)) {
		reg->dhcp_dropped++;
		rg_debug(POOL, "dhcp: packet on CHILD_SA reqid %u of no "
		    "session, dropped", reqid);
		return;
	}
	if (from_vip(s, pkt, len) < 0) {
		reg->dhcp_dropped++;
		rg_debug(POOL, "dhcp: request on the CHILD_SA of '%s' (session "
		    "%llu) not from its virtual IP or for another client, "
		    "dropped", s->user, (unsigned long long)s->id);
		return;
	}
	p = rg_config_profile(reg->cfg, s->profile);
	if (dhcp_server_addr(p, s->local.sa.sa_family ? &s->local.sa : NULL,
	    &server) < 0) {
		reg->dhcp_dropped++;
		rg_debug(POOL, "dhcp: no IPv4 address to answer '%s' from",
		    s->user);
		return;
	}
	rc = dhcp_inform_answer(pkt, len, p, &server, ans, sizeof(ans), &alen);
	if (rc < 0) {
		reg->dhcp_dropped++;
		rg_debug(POOL, "dhcp: request of '%s' (session %llu) not "
		    "answered: %s", s->user, (unsigned long long)s->id,
		    strerror(-rc));
		return;
	}
	if (sess_send_to_client(reg, reqid, ans, alen) < 0) {
		reg->dhcp_dropped++;
		rg_debug(POOL, "dhcp: answer to '%s' not sent", s->user);
		return;
	}
	reg->dhcp_answered++;
	rg_info(POOL, "dhcp: answered the DHCPINFORM of '%s' (session %llu, "
	    "profile %s)", s->user, (unsigned long long)s->id, s->profile);
}
