/*
 * dhcp_inform.c: the DHCPINFORM responder for tunnelled Windows clients.
 *
 * Parses IPv4 (RFC 791) / UDP (RFC 768) / BOOTP+DHCP (RFC 2131 2, figure
 * 1; options RFC 2132) with bounded readers, and answers a DHCPINFORM
 * (message type 8) with a DHCPACK (RFC 2131 4.3.5: yiaddr zero, no lease
 * time, sent to ciaddr) carrying: 53 message type, 54 server identifier,
 * 1 subnet mask (255.255.255.255: the client is a host on a point-to-point
 * tunnel), 6 DNS servers, 15 domain name, 44 NetBIOS name servers, and the
 * profile's split networks as classless static routes via our address,
 * both as option 121 (RFC 3442) and Microsoft's 249 (same encoding).  When
 * the client sends a parameter request list (55) only what it asked for is
 * sent.  Options longer than 255 bytes are split (RFC 3396).
 */
#include <errno.h>
#include <string.h>

#include "rg_buf.h"
#include "rg_log.h"
#include "dhcp_inform.h"

#define BOOTP_FIXED	236	/* op .. file, RFC 2131 figure 1 */
#define BOOTP_MIN	300	/* minimum BOOTP message (RFC 951) */
#define IPPROTO_UDP_	17

enum {
	OPT_PAD = 0, OPT_MASK = 1, OPT_DNS = 6, OPT_DOMAIN = 15,
	OPT_WINS = 44, OPT_MSGTYPE = 53, OPT_SERVER_ID = 54, OPT_PRL = 55,
	OPT_CSR = 121, OPT_MS_CSR = 249, OPT_END = 255
};

enum { DHCPACK = 5, DHCPINFORM = 8 };

static const uint8_t	 cookie[4] = { 99, 130, 83, 99 };
static uint64_t		 n_answered, n_dropped;

void
dhcp_inform_stats(uint64_t *answered, uint64_t *dropped)
{
	*answered = n_answered;
	*dropped = n_dropped;
}

/* RFC 1071 one's-complement sum, folded, not yet inverted. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t
udp_csum(const uint8_t src[4], const uint8_t dst[4], const uint8_t *udp,
    size_t ulen)
{
	uint8_t		 ph[12];
	uint32_t	 sum;

	memcpy(ph, src, 4);
	memcpy(ph + 4, dst, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_UDP_;
	rg_put_u16(ph + 10, (uint16_t)ulen);
	sum = csum_add(csum_add(0, ph, sizeof(ph)), udp, ulen);
	return (uint16_t)~sum;
}

static int
drop(const char *why)
{
	n_dropped++;
	rg_debug(POOL, "dhcp: dropped request: %s", why);
	return -EINVAL;
}

/* The options area: TLVs until END (RFC 2132 2). */
static int
parse_options(struct rg_rd *r, struct dhcp_req *q)
{
	struct rg_rd	 v;
	uint8_t		 code, len;

	while (rg_rd_left(r) > 0) {
		rg_rd_u8(r, &code);
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		rg_rd_u8(r, &len);
		if (rg_rd_sub(r, len, &v) < 0)
			return drop("option runs past the packet");
		if (code == OPT_MSGTYPE) {
			if (len != 1)
				return drop("message type length is not 1");
			rg_rd_u8(&v, &q->msgtype);
		} else if (code == OPT_PRL) {
			/* RFC 3396: repeated options concatenate. */
			size_t	 n = len;

			if (n > sizeof(q->prl) - q->nprl)
				n = sizeof(q->prl) - q->nprl;
			rg_rd_bytes(&v, q->prl + q->nprl, n);
			q->nprl += n;
			q->has_prl = true;
		}
	}
	/* No END: tolerated when the options fill the packet exactly. */
	return r->err ? drop("truncated option") : 0;
}

int
dhcp_parse(const uint8_t *pkt, size_t len, struct dhcp_req *q)
{
	struct rg_rd	 r, ip, udp;
	uint8_t		 vihl, proto, mc[4];
	uint16_t	 totlen, frag, sport, dport, ulen, ucsum;
	size_t		 ihl;

	memset(q, 0, sizeof(q[0]));
	rg_rd_init(&r, pkt, len);
	/* RFC 791 3.1 */
	if (rg_rd_u8(&r, &vihl) < 0 || (vihl >> 4) != 4)
		return -ENOENT;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20 || len < ihl)
		return drop("bad IPv4 header length");
	if (csum_add(0, pkt, ihl) != 0xffff)
		return drop("bad IPv4 header checksum");
	rg_rd_skip(&r, 1);
	rg_rd_u16(&r, &totlen);
	rg_rd_skip(&r, 2);
	rg_rd_u16(&r, &frag);
	rg_rd_skip(&r, 1);
	rg_rd_u8(&r, &proto);
	rg_rd_skip(&r, 2);
	rg_rd_bytes(&r, q->ip_src, 4);
	rg_rd_bytes(&r, q->ip_dst, 4);
	if (r.err)
		return drop("short IPv4 header");
	if (proto != IPPROTO_UDP_)
		return -ENOENT;
	if (totlen < ihl + 8 || totlen > len)
		return drop("bad IPv4 total length");
	if (frag & 0x3fff)
		return drop("fragment");
	/* The datagram is exactly totlen bytes; trailing bytes are not ours. */
	rg_rd_init(&ip, pkt + ihl, totlen - ihl);
	rg_rd_u16(&ip, &sport);
	rg_rd_u16(&ip, &dport);
	rg_rd_u16(&ip, &ulen);
	rg_rd_u16(&ip, &ucsum);
	if (dport != DHCP_SERVER_PORT)
		return -ENOENT;
	(void)sport;
	if (ulen < 8 || ulen > totlen - ihl)
		return drop("bad UDP length");
	/* RFC 768: zero means "no checksum"; else the sum must verify. */
	if (ucsum != 0 && udp_csum(q->ip_src, q->ip_dst, pkt + ihl, ulen) != 0)
		return drop("bad UDP checksum");
	rg_rd_init(&udp, pkt + ihl + 8, ulen - 8u);
	/* RFC 2131 2, figure 1 */
	rg_rd_u8(&udp, &q->op);
	rg_rd_u8(&udp, &q->htype);
	rg_rd_u8(&udp, &q->hlen);
	rg_rd_skip(&udp, 1);			/* hops */
	rg_rd_u32(&udp, &q->xid);
	rg_rd_skip(&udp, 2);			/* secs */
	rg_rd_u16(&udp, &q->flags);
	rg_rd_bytes(&udp, q->ciaddr, 4);
	rg_rd_skip(&udp, 8);			/* yiaddr, siaddr */
	rg_rd_bytes(&udp, q->giaddr, 4);
	rg_rd_bytes(&udp, q->chaddr, 16);
	rg_rd_skip(&udp, 64 + 128);		/* sname, file */
	rg_rd_bytes(&udp, mc, 4);
	if (udp.err)
		return drop("short BOOTP message");
	if (q->op != 1)
		return drop("not a BOOTREQUEST");
	if (q->hlen > 16)
		return drop("hardware address longer than 16");
	if (memcmp(mc, cookie, 4) != 0)
		return drop("no DHCP magic cookie");
	if (parse_options(&udp, q) < 0)
		return -EINVAL;
	if (q->msgtype == 0)
		return drop("no DHCP message type");
	return 0;
}

int
dhcp_route_encode(const struct rg_prefix *dst, const uint8_t router[4],
    uint8_t *out, size_t cap)
{
	size_t	 sig, n;
	int	 i;

	if (dst->af != AF_INET || dst->plen > 32)
		return -1;
	sig = (dst->plen + 7u) / 8;
	n = 1 + sig + 4;
	if (cap < n)
		return -1;
	out[0] = dst->plen;
	memcpy(out + 1, dst->addr, sig);
	/* Bits past the width are zero on the wire (RFC 3442 "subnet
	 * number"), whatever the stored prefix carried. */
	if (dst->plen % 8)
		out[sig] &= (uint8_t)(0xff << (8 - dst->plen % 8));
	for (i = 0; i < 4; i++)
		out[1 + sig + (size_t)i] = router[i];
	return (int)n;
}

static bool
wanted(const struct dhcp_req *q, uint8_t code)
{
	size_t	 i;

	if (!q->has_prl)
		return true;
	for (i = 0; i < q->nprl; i++)
		if (q->prl[i] == code)
			return true;
	return false;
}

/* One option, split into 255-byte instances when longer (RFC 3396). */
static void
put_opt(struct rg_wr *w, uint8_t code, const uint8_t *data, size_t len)
{
	size_t	 n;

	do {
		n = len > 255 ? 255 : len;
		rg_wr_u8(w, code);
		rg_wr_u8(w, (uint8_t)n);
		rg_wr_bytes(w, data, n);
		data += n;
		len -= n;
	} while (len > 0);
}

static void
put_addrs(struct rg_wr *w, uint8_t code, const struct rg_addr *a, size_t n)
{
	uint8_t	 buf[4 * 64];
	size_t	 i, k = 0;

	for (i = 0; i < n && k + 4 <= sizeof(buf); i++)
		if (a[i].af == AF_INET) {
			memcpy(buf + k, a[i].addr, 4);
			k += 4;
		}
	if (k)
		put_opt(w, code, buf, k);
}

static void
put_routes(struct rg_wr *w, const struct dhcp_req *q,
    const struct rg_profile *p, const uint8_t router[4])
{
	uint8_t	 buf[9 * 128];
	size_t	 i, k = 0;
	int	 n;

	for (i = 0; i < p->nsplit; i++) {
		n = dhcp_route_encode(&p->split[i], router, buf + k,
		    sizeof(buf) - k);
		if (n > 0)
			k += (size_t)n;
	}
	if (k == 0)
		return;
	if (wanted(q, OPT_CSR))
		put_opt(w, OPT_CSR, buf, k);
	if (wanted(q, OPT_MS_CSR))
		put_opt(w, OPT_MS_CSR, buf, k);
}

int
dhcp_inform_answer(const uint8_t *pkt, size_t len, const struct rg_profile *p,
    const struct rg_addr *server, uint8_t *out, size_t outcap, size_t *outlen)
{
	static const uint8_t mask[4] = { 255, 255, 255, 255 };
	struct dhcp_req	 q;
	struct rg_wr	 w;
	const uint8_t	*dst;
	uint8_t		 v;
	size_t		 blen, ulen, dlen;
	uint16_t	 csum;
	int		 rc;

	*outlen = 0;
	if ((rc = dhcp_parse(pkt, len, &q)) < 0)
		return rc;
	if (q.msgtype != DHCPINFORM)
		return -ENOTSUP;
	if (server == NULL || server->af != AF_INET)
		return -EINVAL;
	/* RFC 2131 4.3.5: answer to ciaddr; fall back to the IP source. */
	dst = q.ciaddr;
	if (memcmp(dst, "\0\0\0\0", 4) == 0)
		dst = q.ip_src;
	if (memcmp(dst, "\0\0\0\0", 4) == 0)
		return drop("INFORM with neither ciaddr nor source address");

	rg_wr_init(&w, out, outcap);
	/* IPv4 and UDP headers; lengths and checksums filled at the end. */
	rg_wr_u8(&w, 0x45);
	rg_wr_u8(&w, 0);
	rg_wr_u16(&w, 0);			/* total length */
	rg_wr_u16(&w, 0);			/* id */
	rg_wr_u16(&w, 0);			/* flags, offset */
	rg_wr_u8(&w, 64);
	rg_wr_u8(&w, IPPROTO_UDP_);
	rg_wr_u16(&w, 0);			/* checksum */
	rg_wr_bytes(&w, server->addr, 4);
	rg_wr_bytes(&w, dst, 4);
	rg_wr_u16(&w, DHCP_SERVER_PORT);
	rg_wr_u16(&w, DHCP_CLIENT_PORT);
	rg_wr_u16(&w, 0);			/* length */
	rg_wr_u16(&w, 0);			/* checksum */
	/* BOOTP, RFC 2131 figure 1 and 4.3.5 / table 3. */
	rg_wr_u8(&w, 2);			/* BOOTREPLY */
	rg_wr_u8(&w, q.htype);
	rg_wr_u8(&w, q.hlen);
	rg_wr_u8(&w, 0);			/* hops */
	rg_wr_u32(&w, q.xid);
	rg_wr_u16(&w, 0);			/* secs */
	rg_wr_u16(&w, q.flags);
	rg_wr_bytes(&w, q.ciaddr, 4);
	rg_wr_zero(&w, 8);			/* yiaddr, siaddr */
	rg_wr_bytes(&w, q.giaddr, 4);
	rg_wr_bytes(&w, q.chaddr, 16);
	rg_wr_zero(&w, 64 + 128);
	rg_wr_bytes(&w, cookie, 4);
	v = DHCPACK;
	put_opt(&w, OPT_MSGTYPE, &v, 1);
	put_opt(&w, OPT_SERVER_ID, server->addr, 4);
	if (wanted(&q, OPT_MASK))
		put_opt(&w, OPT_MASK, mask, 4);
	if (p && wanted(&q, OPT_DNS))
		put_addrs(&w, OPT_DNS, p->dns, p->ndns);
	if (p && p->ndomains && p->domains[0] && *p->domains[0] &&
	    wanted(&q, OPT_DOMAIN))
		put_opt(&w, OPT_DOMAIN, (const uint8_t *)p->domains[0],
		    strnlen(p->domains[0], 255));
	if (p && wanted(&q, OPT_WINS))
		put_addrs(&w, OPT_WINS, p->wins, p->nwins);
	if (p)
		put_routes(&w, &q, p, server->addr);
	rg_wr_u8(&w, OPT_END);
	blen = w.len - 28;
	if (blen < BOOTP_MIN)
		rg_wr_zero(&w, BOOTP_MIN - blen);
	if (w.err)
		return -ENOBUFS;
	dlen = w.len;
	ulen = dlen - 20;
	rg_put_u16(out + 2, (uint16_t)dlen);
	rg_put_u16(out + 10, (uint16_t)~csum_add(0, out, 20));
	rg_put_u16(out + 24, (uint16_t)ulen);
	csum = udp_csum(out + 12, out + 16, out + 20, ulen);
	rg_put_u16(out + 26, csum ? csum : 0xffff);	/* RFC 768 */
	*outlen = dlen;
	n_answered++;
	rg_debug(POOL, "dhcp: DHCPACK to %u.%u.%u.%u for INFORM xid %08x",
	    dst[0], dst[1], dst[2], dst[3], q.xid);
	return 0;
}
