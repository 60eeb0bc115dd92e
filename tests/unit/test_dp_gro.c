/*
 * test_dp_gro.c: TCP/IPv4 segment coalescing for the TUN vnet header
 * (server/dp_gro.c): three full segments and a short PSH one become one
 * GSO packet whose headers and virtio_net_hdr are checked field by
 * field, and whose TCP checksum, completed as the kernel would (from
 * csum_start over the rest, starting from the pseudo-header sum left in
 * the field), matches a from-scratch computation.  Then the refusals:
 * a gap in sequence numbers, another flow, a SYN, no DF, different
 * options, and nothing after a PSH.
 */
#include <linux/virtio_net.h>

#include "dp_gro.h"
#include "dp_pkt.h"
#include "rg_buf.h"
#include "rg_test.h"

#define MSS	1000

/* 10.0.0.1:5000 -> 10.0.0.2:80, TCP with a 12-byte timestamp option. */
static size_t
seg(uint8_t *p, uint32_t seq, size_t plen, uint8_t flags, uint8_t fill)
{
	size_t	 len = 20 + 32 + plen;

	memset(p, 0, 52);
	p[0] = 0x45;
	rg_put_u16(p + 2, (uint16_t)len);
	rg_put_u16(p + 4, (uint16_t)seq);		/* IP id: varies */
	p[6] = 0x40;
	p[8] = 63;
	p[9] = 6;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	rg_put_u16(p + 10, dp_csum(p, 20, 0));
	rg_put_u16(p + 20, 5000);
	rg_put_u16(p + 22, 80);
	rg_put_u32(p + 24, seq);
	rg_put_u32(p + 28, 777);
	p[32] = 8 << 4;
	p[33] = flags;
	rg_put_u16(p + 34, 512);
	memcpy(p + 40, "\x01\x01\x08\x0a\x00\x00\x00\x05\x00\x00\x00\x09", 12);
	memset(p + 52, fill, plen);
	return len;
}

static uint16_t
tcp_csum(const uint8_t *p, size_t len)
{
	uint8_t		 ph[12];
	uint32_t	 s;

	memcpy(ph, p + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	rg_put_u16(ph + 10, (uint16_t)(len - 20));
	s = (uint16_t)~dp_csum(ph, 12, 0);
	return dp_csum(p + 20, len - 20, s);
}

static struct dp_gro	 g;

static void
coalesce(void)
{
	struct virtio_net_hdr	 vh;
	uint8_t			 p[2048], ip[DP_GRO_MAX];
	const uint8_t		*out;
	size_t			 n, len, i;
	uint32_t		 sum;

	n = seg(p, 1000, MSS, 0x10, 'a');
	CHECK(dp_gro_start(&g, p, n));
	n = seg(p, 2000, MSS, 0x10, 'b');
	CHECK(dp_gro_add(&g, p, n));
	n = seg(p, 3000, MSS, 0x10, 'c');
	CHECK(dp_gro_add(&g, p, n));
	n = seg(p, 4000, 300, 0x18, 'd');		/* short, PSH */
	CHECK(dp_gro_add(&g, p, n));
	n = seg(p, 4300, MSS, 0x10, 'e');
	CHECK(!dp_gro_add(&g, p, n));			/* closed */
	len = dp_gro_finish(&g, &out);
	CHECK_EQ(len, DP_VNET_HDR + 52 + 3 * MSS + 300);
	CHECK_EQ(g.len, 0);
	memcpy(&vh, out, sizeof(vh));
	CHECK_EQ(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(vh.gso_size, MSS);
	CHECK_EQ(vh.hdr_len, 52);
	CHECK_EQ(vh.csum_start, 20);
	CHECK_EQ(vh.csum_offset, 16);
	memcpy(ip, out + DP_VNET_HDR, len - DP_VNET_HDR);
	len -= DP_VNET_HDR;
	CHECK_EQ(rg_get_u16(ip + 2), len);
	CHECK_EQ(dp_csum(ip, 20, 0), 0);		/* IP checksum valid */
	CHECK_EQ(rg_get_u32(ip + 24), 1000);
	CHECK_EQ(ip[33], 0x18);				/* PSH carried */
	for (i = 0; i < 3 * MSS + 300; i++)
		if (ip[52 + i] != "abcd"[i / MSS]) {
			CHECK(0);
			break;
		}
	/* complete the checksum the way the kernel does for NEEDS_CSUM:
	 * fold the sum from csum_start (field holds the pseudo sum) */
	sum = (uint16_t)~dp_csum(ip + 20, len - 20, 0);
	rg_put_u16(ip + 36, (uint16_t)~sum == 0 ? 0xffff : (uint16_t)~sum);
	CHECK_EQ(tcp_csum(ip, len), 0);
}

static void
refusals(void)
{
	uint8_t		 p[2048];
	const uint8_t	*out;
	size_t		 n;

	n = seg(p, 1000, MSS, 0x10, 'a');
	CHECK(dp_gro_start(&g, p, n));
	n = seg(p, 2001, MSS, 0x10, 'b');
	CHECK(!dp_gro_add(&g, p, n));			/* seq gap */
	n = seg(p, 2000, MSS, 0x10, 'b');
	p[23] = 81;					/* other flow */
	CHECK(!dp_gro_add(&g, p, n));
	n = seg(p, 2000, MSS, 0x10, 'b');
	p[47] = 6;					/* other TSval */
	CHECK(!dp_gro_add(&g, p, n));
	n = seg(p, 2000, MSS + 1, 0x10, 'b');		/* bigger than mss */
	CHECK(!dp_gro_add(&g, p, n));
	n = seg(p, 2000, MSS, 0x10, 'b');
	CHECK(dp_gro_add(&g, p, n));
	n = dp_gro_finish(&g, &out);
	CHECK_EQ(n, DP_VNET_HDR + 52 + 2 * MSS);

	n = seg(p, 1, MSS, 0x02, 'a');			/* SYN */
	CHECK(!dp_gro_start(&g, p, n));
	n = seg(p, 1, MSS, 0x10, 'a');
	p[6] = 0;					/* no DF */
	CHECK(!dp_gro_start(&g, p, n));
	n = seg(p, 1, 0, 0x10, 'a');			/* pure ACK */
	CHECK(!dp_gro_start(&g, p, n));
	n = seg(p, 1, MSS, 0x10, 'a');
	CHECK(!dp_gro_start(&g, p, n - 1));		/* length mismatch */
	/* one segment alone: written with an empty vnet header */
	CHECK(dp_gro_start(&g, p, n));
	CHECK_EQ(dp_gro_finish(&g, &out), DP_VNET_HDR + n);
	CHECK_EQ(out[0] | out[1], 0);
	CHECK_MEM(out + DP_VNET_HDR, p, n);
}

RG_TEST_MAIN("dp_gro", T(coalesce), T(refusals))
