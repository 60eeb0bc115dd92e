/*
 * dp_gro.c: coalescing consecutive TCP/IPv4 segments of one flow into a
 * GSO packet (virtio_net_hdr, GSO_TCPV4, checksum left to the kernel via
 * NEEDS_CSUM), under the rules Linux GRO applies (net/ipv4/tcp_offload.c):
 * same addresses, ports, TOS, TTL and TCP header except the sequence
 * number; DF set, no IP options or fragments; flags ACK or ACK|PSH only;
 * sequence numbers contiguous; every segment but the last a full MSS; a
 * PSH or short segment ends the packet.
 */
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#include "dp_gro.h"
#include "dp_pkt.h"
#include "rg_buf.h"

#define TH_ACK	0x10
#define TH_PSH	0x08

/* IPv4/TCP we can coalesce: returns the header length, 0 if not. */
static size_t
gro_hdr(const uint8_t *p, size_t len)
{
	size_t	 doff;

	if (len < 40 || p[0] != 0x45 || rg_get_u16(p + 2) != len ||
	    p[9] != IPPROTO_TCP || (rg_get_u16(p + 6) & 0xbfff) != 0 ||
	    !(p[6] & 0x40))
		return 0;		/* IHL 5, DF, not a fragment */
	doff = (size_t)(p[32] >> 4) * 4;
	if (doff < 20 || 20 + doff >= len ||
	    (p[33] != TH_ACK && p[33] != (TH_ACK | TH_PSH)))
		return 0;		/* payload present; ACK[|PSH] only */
	return 20 + doff;
}

bool
dp_gro_start(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	size_t	 hl = gro_hdr(pkt, len);

	if (hl == 0 || len > DP_GRO_MAX)
		return false;
	memcpy(g->buf + DP_VNET_HDR, pkt, len);
	g->len = len;
	g->nseg = 1;
	g->hl = hl;
	g->mss = (uint16_t)(len - hl);
	g->next_seq = rg_get_u32(pkt + 24) + (uint32_t)(len - hl);
	g->closed = (pkt[33] & TH_PSH) != 0;
	return true;
}

bool
dp_gro_add(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	const uint8_t	*h = g->buf + DP_VNET_HDR;
	size_t		 hl = gro_hdr(pkt, len), plen;

	if (g->len == 0 || g->closed || hl != g->hl)
		return false;
	plen = len - hl;
	if (plen > g->mss || g->len + plen > DP_GRO_MAX ||
	    rg_get_u32(pkt + 24) != g->next_seq ||
	    pkt[1] != h[1] || pkt[8] != h[8] ||		/* TOS, TTL */
	    memcmp(pkt + 12, h + 12, 8) != 0 ||		/* addresses */
	    memcmp(pkt + 20, h + 20, 4) != 0 ||		/* ports */
	    memcmp(pkt + 28, h + 28, 5) != 0 ||		/* ack, doff */
	    memcmp(pkt + 34, h + 34, 2) != 0 ||		/* window */
	    memcmp(pkt + 38, h + 38, hl - 38) != 0)	/* urg, options */
		return false;
	memcpy(g->buf + DP_VNET_HDR + g->len, pkt + hl, plen);
	g->len += plen;
	g->nseg++;
	g->next_seq += (uint32_t)plen;
	if (plen < g->mss || (pkt[33] & TH_PSH)) {
		g->buf[DP_VNET_HDR + 33] |= pkt[33] & TH_PSH;
		g->closed = true;
	}
	return true;
}

size_t
dp_gro_finish(struct dp_gro *g, const uint8_t **out)
{
	struct virtio_net_hdr	 vh;
	uint8_t			*p = g->buf + DP_VNET_HDR, ph[12];
	size_t			 len = g->len;
	uint32_t		 sum;

	memset(&vh, 0, sizeof(vh));
	if (g->nseg > 1) {
		rg_put_u16(p + 2, (uint16_t)len);
		rg_put_u16(p + 10, 0);
		rg_put_u16(p + 10, dp_csum(p, 20, 0));
		/* NEEDS_CSUM: the field holds the pseudo-header sum, the
		 * kernel adds the rest from csum_start */
		memcpy(ph, p + 12, 8);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		rg_put_u16(ph + 10, (uint16_t)(len - 20));
		sum = (uint16_t)~dp_csum(ph, 12, 0);
		rg_put_u16(p + 36, (uint16_t)sum);
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = (uint16_t)g->hl;
		vh.gso_size = g->mss;
		vh.csum_start = 20;
		vh.csum_offset = 16;
	}
	memcpy(g->buf, &vh, DP_VNET_HDR);
	*out = g->buf;
	g->len = 0;
	return len + DP_VNET_HDR;
}
