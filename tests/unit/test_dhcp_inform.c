/*
 * test_dhcp_inform.c: the DHCPINFORM responder.
 *
 * The request is built here byte by byte after RFC 2131 section 2, figure
 * 1 (op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr,
 * giaddr, chaddr[16], sname[64], file[128], magic cookie 99.130.83.99,
 * options) inside IPv4/UDP 68 -> 67, with the options a Windows 10 client
 * sends in its INFORM after a VPN connects (53=8, 61 client id, 12 host
 * name, 60 "MSFT 5.0", 55 = 1,15,3,6,44,46,47,31,33,121,249,43).  The
 * answer is checked with this file's own parser and checksum code.
 * RFC 3442's destination-descriptor examples are a table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rg_test.h"
#include "dhcp_inform.h"

static uint32_t
sum16(uint32_t s, const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static bool
ip_ok(const uint8_t *p)
{
	return sum16(0, p, 20) == 0xffff;
}

static bool
udp_ok(const uint8_t *p, size_t ulen)
{
	uint8_t	 ph[12] = { 0 };

	memcpy(ph, p + 12, 8);
	ph[9] = 17;
	ph[10] = (uint8_t)(ulen >> 8);
	ph[11] = (uint8_t)ulen;
	return sum16(sum16(0, ph, 12), p + 20, ulen) == 0xffff;
}

static void
fix_sums(uint8_t *p, size_t len)
{
	uint8_t		 ph[12] = { 0 };
	uint32_t	 s;
	size_t		 ulen = len - 20;

	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[10] = p[11] = 0;
	s = ~sum16(0, p, 20) & 0xffff;
	p[10] = (uint8_t)(s >> 8);
	p[11] = (uint8_t)s;
	p[24] = (uint8_t)(ulen >> 8);
	p[25] = (uint8_t)ulen;
	p[26] = p[27] = 0;
	memcpy(ph, p + 12, 8);
	ph[9] = 17;
	ph[10] = (uint8_t)(ulen >> 8);
	ph[11] = (uint8_t)ulen;
	s = ~sum16(sum16(0, ph, 12), p + 20, ulen) & 0xffff;
	p[26] = (uint8_t)(s >> 8);
	p[27] = (uint8_t)s;
}

/* A Windows-like DHCPINFORM from 10.1.0.5; returns its length. */
static size_t
build_inform(uint8_t *p, uint8_t msgtype, bool with_prl)
{
	static const uint8_t opts[] = {
		53, 1, 8,
		61, 7, 1, 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03,
		12, 7, 'w', 'i', 'n', '1', '0', 'p', 'c',
		60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0',
	};
	static const uint8_t prl[] = {
		55, 12, 1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43,
	};
	size_t	 n = 0;

	memset(p, 0, 600);
	/* IPv4: 10.1.0.5 -> 255.255.255.255, UDP 68 -> 67 */
	p[0] = 0x45;
	p[8] = 128;
	p[9] = 17;
	memcpy(p + 12, "\x0a\x01\x00\x05", 4);
	memcpy(p + 16, "\xff\xff\xff\xff", 4);
	p[20] = 0; p[21] = 68; p[22] = 0; p[23] = 67;
	/* BOOTP at 28 */
	p[28] = 1;			/* BOOTREQUEST */
	p[29] = 1;			/* Ethernet */
	p[30] = 6;
	memcpy(p + 32, "\x5a\x3c\x11\x07", 4);	/* xid */
	memcpy(p + 40, "\x0a\x01\x00\x05", 4);	/* ciaddr */
	memcpy(p + 56, "\x00\x15\x5d\x01\x02\x03", 6);
	memcpy(p + 264, "\x63\x82\x53\x63", 4);
	n = 268;
	memcpy(p + n, opts, sizeof(opts));
	p[n + 2] = msgtype;
	n += sizeof(opts);
	if (with_prl) {
		memcpy(p + n, prl, sizeof(prl));
		n += sizeof(prl);
	}
	p[n++] = 255;
	while (n < 300 + 28)
		p[n++] = 0;
	fix_sums(p, n);
	return n;
}

/* Concatenated value of every instance of option code (RFC 3396). */
static int
find_opt(const uint8_t *p, size_t len, uint8_t code, uint8_t *out)
{
	size_t	 i = 268, n = 0;
	int	 found = 0;

	while (i < len && p[i] != 255) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return -2;
		if (p[i] == code) {
			memcpy(out + n, p + i + 2, p[i + 1]);
			n += p[i + 1];
			found = 1;
		}
		i += 2 + p[i + 1];
	}
	return found ? (int)n : -1;
}

static struct rg_prefix
pfx(const char *a, uint8_t plen)
{
	struct rg_prefix p;
	struct rg_addr	 x;

	rg_addr_parse(a, &x);
	memset(&p, 0, sizeof(p));
	p.af = x.af;
	memcpy(p.addr, x.addr, 16);
	p.plen = plen;
	return p;
}

static struct rg_addr
addr(const char *a)
{
	struct rg_addr	 x;

	rg_addr_parse(a, &x);
	return x;
}

/* RFC 3442 section 2 ("Destination descriptor" examples). */
static const struct {
	const char	*net;
	uint8_t		 plen;
	uint8_t		 desc[6];
	size_t		 ndesc;
} rfc3442[] = {
	{ "0.0.0.0", 0, { 0 }, 1 },
	{ "10.0.0.0", 8, { 8, 10 }, 2 },
	{ "10.0.0.0", 24, { 24, 10, 0, 0 }, 4 },
	{ "10.17.0.0", 16, { 16, 10, 17 }, 3 },
	{ "10.27.129.0", 24, { 24, 10, 27, 129 }, 4 },
	{ "10.229.0.128", 25, { 25, 10, 229, 0, 128 }, 5 },
	{ "10.198.122.47", 32, { 32, 10, 198, 122, 47 }, 5 },
};

static void
rfc3442_examples(void)
{
	static const uint8_t router[4] = { 10, 1, 0, 1 };
	uint8_t		 out[16];
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(rfc3442) / sizeof(rfc3442[0]); i++) {
		struct rg_prefix p = pfx(rfc3442[i].net, rfc3442[i].plen);

		n = dhcp_route_encode(&p, router, out, sizeof(out));
		CHECK_EQ(n, (int)rfc3442[i].ndesc + 4);
		CHECK_MEM(out, rfc3442[i].desc, rfc3442[i].ndesc);
		CHECK_MEM(out + rfc3442[i].ndesc, router, 4);
	}
	/* No room, or not IPv4. */
	{
		struct rg_prefix p = pfx("10.0.0.0", 8), q = pfx("fd00::", 64);

		CHECK_EQ(dhcp_route_encode(&p, router, out, 5), -1);
		CHECK_EQ(dhcp_route_encode(&q, router, out, sizeof(out)), -1);
	}
}

static struct rg_profile *
profile(bool wins)
{
	static struct rg_prefix	 split[3];
	static struct rg_addr	 dns[3], w[1];
	static char		*dom[] = { "corp.example.com" };
	static struct rg_profile p;

	memset(&p, 0, sizeof(p));
	split[0] = pfx("10.0.0.0", 8);
	split[1] = pfx("192.168.10.0", 24);
	split[2] = pfx("fd00::", 64);		/* not for DHCPv4 */
	dns[0] = addr("10.0.0.53");
	dns[1] = addr("fd00::53");
	dns[2] = addr("10.0.0.54");
	w[0] = addr("10.0.0.60");
	p.name = "corp";
	p.split = split;
	p.nsplit = 3;
	p.dns = dns;
	p.ndns = 3;
	p.domains = dom;
	p.ndomains = 1;
	if (wins) {
		p.wins = w;
		p.nwins = 1;
	}
	return &p;
}

static void
windows_inform(void)
{
	uint8_t		 req[600], out[DHCP_ANSWER_MAX], v[600];
	static const uint8_t routes[] = {
		8, 10, 10, 1, 0, 1,
		24, 192, 168, 10, 10, 1, 0, 1,
	};
	struct rg_addr	 srv = addr("10.1.0.1");
	size_t		 len, olen;
	int		 n;

	len = build_inform(req, 8, true);
	CHECK_EQ(dhcp_inform_answer(req, len, profile(true), &srv, out,
	    sizeof(out), &olen), 0);
	CHECK(olen >= 28 + 300);
	CHECK(ip_ok(out));
	CHECK(udp_ok(out, olen - 20));
	CHECK_EQ(out[0], 0x45);
	CHECK_EQ(out[9], 17);
	CHECK_EQ((out[2] << 8 | out[3]), olen);
	CHECK_MEM(out + 12, "\x0a\x01\x00\x01", 4);	/* from us */
	CHECK_MEM(out + 16, "\x0a\x01\x00\x05", 4);	/* to ciaddr */
	CHECK_EQ((out[20] << 8 | out[21]), 67);
	CHECK_EQ((out[22] << 8 | out[23]), 68);
	CHECK_EQ((out[24] << 8 | out[25]), olen - 20);
	CHECK_EQ(out[28], 2);				/* BOOTREPLY */
	CHECK_MEM(out + 32, "\x5a\x3c\x11\x07", 4);	/* xid */
	CHECK_MEM(out + 40, "\x0a\x01\x00\x05", 4);	/* ciaddr */
	CHECK_MEM(out + 44, "\0\0\0\0", 4);		/* yiaddr zero */
	CHECK_MEM(out + 56, "\x00\x15\x5d\x01\x02\x03", 6);
	CHECK_MEM(out + 264, "\x63\x82\x53\x63", 4);
	CHECK_EQ(find_opt(out, olen, 53, v), 1);
	CHECK_EQ(v[0], 5);				/* DHCPACK */
	CHECK_EQ(find_opt(out, olen, 54, v), 4);
	CHECK_MEM(v, "\x0a\x01\x00\x01", 4);
	CHECK_EQ(find_opt(out, olen, 1, v), 4);
	CHECK_MEM(v, "\xff\xff\xff\xff", 4);
	CHECK_EQ(find_opt(out, olen, 6, v), 8);
	CHECK_MEM(v, "\x0a\x00\x00\x35\x0a\x00\x00\x36", 8);
	CHECK_EQ(find_opt(out, olen, 15, v), 16);
	CHECK_MEM(v, "corp.example.com", 16);
	CHECK_EQ(find_opt(out, olen, 44, v), 4);
	CHECK_MEM(v, "\x0a\x00\x00\x3c", 4);
	CHECK_EQ(find_opt(out, olen, 121, v), (int)sizeof(routes));
	CHECK_MEM(v, routes, sizeof(routes));
	CHECK_EQ(find_opt(out, olen, 249, v), (int)sizeof(routes));
	CHECK_MEM(v, routes, sizeof(routes));
	/* RFC 2131 4.3.5: no lease time in an answer to INFORM. */
	CHECK_EQ(find_opt(out, olen, 51, v), -1);
	/* Not asked for: no router option (3). */
	CHECK_EQ(find_opt(out, olen, 3, v), -1);

	/* Without WINS configured, no option 44. */
	CHECK_EQ(dhcp_inform_answer(req, len, profile(false), &srv, out,
	    sizeof(out), &olen), 0);
	CHECK_EQ(find_opt(out, olen, 44, v), -1);

	/* A PRL without 121: only 249 comes (Windows XP asks that way). */
	/* options: 53 (3 bytes), 61 (9), 12 (9), 60 (10), then 55. */
	CHECK_EQ(req[268 + 31 + 2 + 9], 121);
	req[268 + 31 + 2 + 9] = 1;
	fix_sums(req, len);
	CHECK_EQ(dhcp_inform_answer(req, len, profile(false), &srv, out,
	    sizeof(out), &olen), 0);
	CHECK_EQ(find_opt(out, olen, 121, v), -1);
	CHECK_EQ(find_opt(out, olen, 249, v), (int)sizeof(routes));

	/* No PRL at all: everything we have. */
	len = build_inform(req, 8, false);
	CHECK_EQ(dhcp_inform_answer(req, len, profile(false), &srv, out,
	    sizeof(out), &olen), 0);
	n = find_opt(out, olen, 121, v);
	CHECK_EQ(n, (int)sizeof(routes));
}

/* Many split networks: option 121 split into 255-byte parts (RFC 3396). */
static void
long_routes(void)
{
	static struct rg_prefix split[60];
	struct rg_profile p;
	struct rg_addr	 srv = addr("10.1.0.1");
	uint8_t		 req[600], out[DHCP_ANSWER_MAX], v[1500], want[1500];
	size_t		 len, olen, i, k = 0;
	char		 a[32];

	memset(&p, 0, sizeof(p));
	for (i = 0; i < 60; i++) {
		snprintf(a, sizeof(a), "172.%zu.%zu.0", 16 + i / 4, i % 4 * 64);
		split[i] = pfx(a, 26);
		want[k++] = 26;
		want[k++] = 172;
		want[k++] = (uint8_t)(16 + i / 4);
		want[k++] = (uint8_t)(i % 4 * 64);
		want[k++] = 0;
		memcpy(want + k, "\x0a\x01\x00\x01", 4);
		k += 4;
	}
	p.split = split;
	p.nsplit = 60;
	len = build_inform(req, 8, true);
	CHECK_EQ(dhcp_inform_answer(req, len, &p, &srv, out, sizeof(out),
	    &olen), 0);
	CHECK_EQ(find_opt(out, olen, 121, v), (int)k);
	CHECK_MEM(v, want, k);
	CHECK(udp_ok(out, olen - 20));
	/* Too small an output buffer is refused, not overrun. */
	CHECK_EQ(dhcp_inform_answer(req, len, &p, &srv, out, 400, &olen),
	    -ENOBUFS);
}

/* Malformed or foreign packets: one row per defect. */
enum mut { M_NONE, M_DISCOVER, M_IPCSUM, M_UDPCSUM, M_FRAG, M_TCP,
	M_PORT, M_COOKIE, M_OP, M_HLEN, M_OPTLEN, M_NOTYPE, M_TYPELEN,
	M_TOTLEN, M_IHL, M_V6, M_UDPLEN };

static const struct {
	enum mut	 m;
	int		 rc;
} bad[] = {
	{ M_NONE, 0 }, { M_DISCOVER, -ENOTSUP }, { M_IPCSUM, -EINVAL },
	{ M_UDPCSUM, -EINVAL }, { M_FRAG, -EINVAL }, { M_TCP, -ENOENT },
	{ M_PORT, -ENOENT }, { M_COOKIE, -EINVAL }, { M_OP, -EINVAL },
	{ M_HLEN, -EINVAL }, { M_OPTLEN, -EINVAL }, { M_NOTYPE, -EINVAL },
	{ M_TYPELEN, -EINVAL }, { M_TOTLEN, -EINVAL }, { M_IHL, -EINVAL },
	{ M_V6, -ENOENT }, { M_UDPLEN, -EINVAL },
};

static void
malformed(void)
{
	uint8_t		 req[600], out[DHCP_ANSWER_MAX];
	struct rg_addr	 srv = addr("10.1.0.1");
	size_t		 len, olen, i, cut;
	uint64_t	 answered, dropped, d0;
	int		 rc;

	dhcp_inform_stats(&answered, &d0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = build_inform(req, bad[i].m == M_DISCOVER ? 1 : 8, true);
		switch (bad[i].m) {
		case M_IPCSUM:	req[11] ^= 1; break;
		case M_UDPCSUM:	req[300] ^= 1; break;
		case M_FRAG:	req[6] = 0x20; fix_sums(req, len); break;
		case M_TCP:	req[9] = 6; fix_sums(req, len); break;
		case M_PORT:	req[23] = 68; fix_sums(req, len); break;
		case M_COOKIE:	req[264] = 0; fix_sums(req, len); break;
		case M_OP:	req[28] = 2; fix_sums(req, len); break;
		case M_HLEN:	req[30] = 17; fix_sums(req, len); break;
		case M_OPTLEN:
			/* Host name (12) claims more than the packet holds. */
			req[268 + 12 + 1] = 250;
			fix_sums(req, len);
			break;
		case M_NOTYPE:	req[268] = 0; req[269] = 0; req[270] = 0;
			fix_sums(req, len); break;
		case M_TYPELEN:	req[269] = 2; fix_sums(req, len); break;
		case M_TOTLEN:
			fix_sums(req, len);
			req[2] = 0x10;		/* more than we have */
			req[10] = req[11] = 0;
			{
				uint32_t s = ~sum16(0, req, 20) & 0xffff;

				req[10] = (uint8_t)(s >> 8);
				req[11] = (uint8_t)s;
			}
			break;
		case M_IHL:	req[0] = 0x44; break;
		case M_V6:	req[0] = 0x60; break;
		case M_UDPLEN:
			fix_sums(req, len);
			req[24] = 0x10;		/* past the IP datagram */
			break;
		default:	break;
		}
		rc = dhcp_inform_answer(req, len, profile(true), &srv, out,
		    sizeof(out), &olen);
		if (rc != bad[i].rc)
			printf("  case %zu: rc %d\n", i, rc);
		CHECK_EQ(rc, bad[i].rc);
	}
	dhcp_inform_stats(&answered, &dropped);
	CHECK(dropped > d0);
	/* Every truncation of a valid INFORM is refused without a read
	 * past the end (ASan watches). */
	len = build_inform(req, 8, true);
	for (cut = 0; cut < len; cut++) {
		uint8_t	*copy = malloc(cut ? cut : 1);

		memcpy(copy, req, cut);
		rc = dhcp_inform_answer(copy, cut, profile(true), &srv, out,
		    sizeof(out), &olen);
		CHECK(rc < 0);
		free(copy);
	}
	/* The IPv4 server address is required. */
	{
		struct rg_addr	 v6 = addr("fd00::1");

		CHECK_EQ(dhcp_inform_answer(req, len, profile(true), &v6, out,
		    sizeof(out), &olen), -EINVAL);
	}
}

RG_TEST_MAIN("dhcp_inform", T(rfc3442_examples), T(windows_inform),
    T(long_routes), T(malformed))
