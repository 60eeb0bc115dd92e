/*
 * test_dp_pkt.c: inner-packet helpers (server/dp_pkt.c): parsing, traffic
 * selector matching (RFC 7296 3.13.1), MSS clamping with the checksum
 * verified from scratch (RFC 793 pseudo-header), ICMP "fragmentation
 * needed" (RFC 792/1191) and ICMPv6 "packet too big" (RFC 4443 3.2).
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "dp_pkt.h"
#include "rg_buf.h"
#include "rg_test.h"

/* IPv4 TCP SYN 10.0.0.2:40000 -> 198.51.100.10:80, options NOP NOP MSS. */
static size_t
mk_syn4(uint8_t *p, uint16_t mss, bool odd)
{
	static const uint8_t	 hdr[] = { 0x45, 0, 0, 48, 0, 1, 0x40, 0,
	    64, 6, 0, 0, 10, 0, 0, 2, 198, 51, 100, 10 };
	size_t			 o = 20;

	memcpy(p, hdr, sizeof(hdr));
	rg_put_u16(p + 10, dp_csum(p, 20, 0));
	memset(p + o, 0, 28);
	rg_put_u16(p + o, 40000);
	rg_put_u16(p + o + 2, 80);
	p[o + 12] = 7 << 4;		/* 28 bytes of TCP header */
	p[o + 13] = 0x02;		/* SYN */
	rg_put_u16(p + o + 14, 65535);
	if (odd) {			/* NOP, MSS at an odd offset, NOP... */
		p[o + 20] = 1;
		p[o + 21] = 2; p[o + 22] = 4;
		rg_put_u16(p + o + 23, mss);
		p[o + 25] = 1; p[o + 26] = 1; p[o + 27] = 0;
	} else {
		p[o + 20] = 1; p[o + 21] = 1;
		p[o + 22] = 2; p[o + 23] = 4;
		rg_put_u16(p + o + 24, mss);
		p[o + 26] = 1; p[o + 27] = 0;
	}
	return 48;
}

static uint16_t
tcp4_csum(const uint8_t *p, size_t len)
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

static void
mss_clamp(void)
{
	uint8_t		 p[64];
	struct dp_pkt	 k;
	size_t		 n;
	int		 odd;

	for (odd = 0; odd < 2; odd++) {
		n = mk_syn4(p, 1460, odd);
		rg_put_u16(p + 36, 0);
		rg_put_u16(p + 36, tcp4_csum(p, n));
		CHECK_EQ(tcp4_csum(p, n), 0);
		CHECK_EQ(dp_pkt_parse(p, n, &k), 0);
		CHECK_EQ(k.proto, 6);
		CHECK_EQ(k.dport, 80);
		CHECK(dp_mss_clamp(p, &k, 1360));
		CHECK_EQ(rg_get_u16(p + (odd ? 43 : 44)), 1360);
		CHECK_EQ(tcp4_csum(p, n), 0);	/* still valid */
		CHECK(!dp_mss_clamp(p, &k, 1400));	/* never raised */
		p[33] = 0x10;				/* ACK: left alone */
		rg_put_u16(p + 36, 0);
		rg_put_u16(p + 36, tcp4_csum(p, n));
		CHECK(!dp_mss_clamp(p, &k, 1000));
	}
	/* an option claiming to run past the header stops the walk */
	n = mk_syn4(p, 1460, false);
	p[43] = 40;
	CHECK_EQ(dp_pkt_parse(p, n, &k), 0);
	CHECK(!dp_mss_clamp(p, &k, 1000));
}

static void
parse_refuses(void)
{
	uint8_t		 p[64];
	struct dp_pkt	 k;
	size_t		 n = mk_syn4(p, 1460, false);

	CHECK_EQ(dp_pkt_parse(p, 19, &k), -1);
	CHECK_EQ(dp_pkt_parse(p, n - 1, &k), -1);	/* total > buffer */
	p[0] = 0x44;
	CHECK_EQ(dp_pkt_parse(p, n, &k), -1);		/* IHL 16 */
	p[0] = 0x55;
	CHECK_EQ(dp_pkt_parse(p, n, &k), -1);
	p[0] = 0x45;
	CHECK_EQ(dp_pkt_parse(p, n + 10, &k), 0);	/* trailing bytes ok */
	CHECK_EQ(k.len, n);
}

static void
ts_match(void)
{
	struct dp_ts	 ts[2];
	uint8_t		 a[4] = { 198, 51, 100, 77 }, b[4] = { 198, 51, 101, 1 };

	memset(ts, 0, sizeof(ts));
	ts[0].af = AF_INET;
	memcpy(ts[0].addr_lo, (uint8_t[]){ 198, 51, 100, 0 }, 4);
	memcpy(ts[0].addr_hi, (uint8_t[]){ 198, 51, 100, 255 }, 4);
	ts[1] = ts[0];
	ts[1].proto = 17;
	ts[1].port_lo = ts[1].port_hi = 53;
	memcpy(ts[1].addr_lo, b, 4);
	memcpy(ts[1].addr_hi, b, 4);
	CHECK(dp_ts_match(ts, 2, AF_INET, a, 6, 80));
	CHECK(!dp_ts_match(ts, 2, AF_INET6, a, 6, 80));
	CHECK(dp_ts_match(ts, 2, AF_INET, b, 17, 53));
	CHECK(!dp_ts_match(ts, 2, AF_INET, b, 17, 54));
	CHECK(!dp_ts_match(ts, 2, AF_INET, b, 6, 53));
	CHECK(!dp_ts_match(ts, 1, AF_INET, b, 17, 53));
}

static void
icmp_frag_needed(void)
{
	uint8_t		 p[64], out[256], from[4] = { 192, 0, 2, 1 };
	struct dp_pkt	 k, r;
	size_t		 n = mk_syn4(p, 1460, false), m;

	CHECK_EQ(dp_pkt_parse(p, n, &k), 0);
	m = dp_icmp_too_big(p, &k, 1400, from, out, sizeof(out));
	CHECK_EQ(m, 20 + 8 + 20 + 8);
	CHECK_EQ(dp_pkt_parse(out, m, &r), 0);
	CHECK_EQ(r.proto, 1);
	CHECK_MEM(r.dst, p + 12, 4);		/* back to the sender */
	CHECK_MEM(r.src, from, 4);
	CHECK_EQ(out[20], 3);
	CHECK_EQ(out[21], 4);
	CHECK_EQ(rg_get_u16(out + 26), 1400);
	CHECK_EQ(dp_csum(out, 20, 0), 0);
	CHECK_EQ(dp_csum(out + 20, m - 20, 0), 0);
	CHECK_MEM(out + 28, p, 28);		/* header + 8 bytes quoted */
	/* never about an ICMP error */
	CHECK_EQ(dp_icmp_too_big(out, &r, 1400, from, p, sizeof(p)), 0);
}

static void
icmp6_too_big(void)
{
	uint8_t		 p[80], out[256], from[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct dp_pkt	 k, r;
	size_t		 m;
	uint8_t		 ph[40];
	uint32_t	 s;

	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	rg_put_u16(p + 4, 40);
	p[6] = 0;			/* hop-by-hop, then UDP */
	p[7] = 64;
	p[8] = 0x20; p[9] = 0x01; p[23] = 2;
	p[24] = 0x20; p[25] = 0x01; p[39] = 3;
	p[40] = 17;			/* HBH: next UDP, len 0 */
	rg_put_u16(p + 48, 5000);
	rg_put_u16(p + 50, 53);
	CHECK_EQ(dp_pkt_parse(p, 80, &k), 0);
	CHECK_EQ(k.af, AF_INET6);
	CHECK_EQ(k.proto, 17);
	CHECK_EQ(k.dport, 53);
	m = dp_icmp_too_big(p, &k, 1280, from, out, sizeof(out));
	CHECK_EQ(m, 40 + 8 + 80);
	CHECK_EQ(dp_pkt_parse(out, m, &r), 0);
	CHECK_EQ(r.proto, 58);
	CHECK_EQ(out[40], 2);
	CHECK_EQ(rg_get_u32(out + 44), 1280);
	memcpy(ph, out + 8, 32);
	rg_put_u32(ph + 32, (uint32_t)(m - 40));
	rg_put_u32(ph + 36, 58);
	s = (uint16_t)~dp_csum(ph, 40, 0);
	CHECK_EQ(dp_csum(out + 40, m - 40, s), 0);
}

RG_TEST_MAIN("dp_pkt", T(mss_clamp), T(parse_refuses), T(ts_match),
    T(icmp_frag_needed), T(icmp6_too_big))
