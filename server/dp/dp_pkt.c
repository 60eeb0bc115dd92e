/*
 * dp_pkt.c: inner-packet helpers for the userspace data plane: IPv4
 * (RFC 791) / IPv6 (RFC 8200) header parsing, traffic-selector matching
 * (RFC 7296 3.13.1), TCP MSS clamping on SYNs, and the ICMP errors for
 * packets too big for the tunnel (RFC 1191, RFC 4443 3.2).
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dp_pkt.h"
#include "rg_buf.h"

int
dp_pkt_parse(const uint8_t *p, size_t len, struct dp_pkt *k)
{
	size_t	 hl, off;
	uint8_t	 nh;
	int	 n;

	memset(k, 0, sizeof(*k));
	if (len < 20)
		return -1;
	switch (p[0] >> 4) {
	case 4:
		hl = (size_t)(p[0] & 0x0f) * 4;
		k->len = rg_get_u16(p + 2);
		if (hl < 20 || k->len < hl || k->len > len)
			return -1;
		k->af = AF_INET;
		k->tos = p[1];
		k->df = (p[6] & 0x40) != 0;
		k->first_frag = (rg_get_u16(p + 6) & 0x1fff) == 0;
		k->proto = p[9];
		k->src = p + 12;
		k->dst = p + 16;
		k->l4off = hl;
		break;
	case 6:
		if (len < 40)
			return -1;
		k->len = 40 + (size_t)rg_get_u16(p + 4);
		if (k->len > len)
			return -1;
		k->af = AF_INET6;
		k->tos = (uint8_t)((rg_get_u16(p) >> 4) & 0xff);
		k->df = true;
		k->first_frag = true;
		k->src = p + 8;
		k->dst = p + 24;
		nh = p[6];
		off = 40;
		/* skip the usual extension headers (bounded walk) */
		for (n = 0; n < 8; n++) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (off + 8 > k->len)
					return -1;
				nh = p[off];
				off += 8 + (size_t)p[off + 1] * 8;
			} else if (nh == 44) {
				if (off + 8 > k->len)
					return -1;
				k->first_frag = (rg_get_u16(p + off + 2) &
				    0xfff8) == 0;
				nh = p[off];
				off += 8;
			} else
				break;
		}
		if (off > k->len)
			return -1;
		k->proto = nh;
		k->l4off = off;
		break;
	default:
		return -1;
	}
	if ((k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
	    k->proto == IPPROTO_SCTP) && k->first_frag &&
	    k->l4off + 4 <= k->len) {
		k->sport = rg_get_u16(p + k->l4off);
		k->dport = rg_get_u16(p + k->l4off + 2);
	}
	return 0;
}

bool
dp_ts_match(const struct dp_ts *ts, size_t n, int af, const uint8_t *addr,
    uint8_t proto, uint16_t port)
{
	size_t	 i, alen = af == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++) {
		if (ts[i].af != af)
			continue;
		if (ts[i].proto != 0 && ts[i].proto != proto)
			continue;
		if (ts[i].proto != 0 && (port < ts[i].port_lo ||
		    port > ts[i].port_hi))
			continue;
		if (memcmp(addr, ts[i].addr_lo, alen) < 0 ||
		    memcmp(addr, ts[i].addr_hi, alen) > 0)
			continue;
		return true;
	}
	return false;
}

uint16_t
dp_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t	*p = data;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static void
dp_csum_fix16(uint8_t *csum, uint16_t old, uint16_t new)
{
	uint32_t	 s = (uint16_t)~rg_get_u16(csum);

	s += (uint16_t)~old;
	s += new;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	rg_put_u16(csum, (uint16_t)~s);
}

bool
dp_mss_clamp(uint8_t *p, const struct dp_pkt *k, uint16_t mss)
{
	size_t	 th = k->l4off, doff, o;
	uint16_t old;

	if (mss == 0 || k->proto != IPPROTO_TCP || !k->first_frag ||
	    th + 20 > k->len || !(p[th + 13] & 0x02))	/* SYN */
		return false;
	doff = (size_t)(p[th + 12] >> 4) * 4;
	if (doff < 20 || th + doff > k->len)
		return false;
	for (o = th + 20; o < th + doff;) {
		if (p[o] == 0)			/* end of options */
			break;
		if (p[o] == 1) {		/* NOP */
			o++;
			continue;
		}
		if (o + 1 >= th + doff || p[o + 1] < 2 ||
		    o + p[o + 1] > th + doff)
			break;
		if (p[o] == 2 && p[o + 1] == 4) {
			old = rg_get_u16(p + o + 2);
			if (old <= mss)
				return false;
			rg_put_u16(p + o + 2, mss);
			/* the option sits at an even offset from the TCP
			 * header only when aligned; fix per 16-bit word */
			if (((o - th) & 1) == 0)
				dp_csum_fix16(p + th + 16, old, mss);
			else {
				dp_csum_fix16(p + th + 16,
				    (uint16_t)(p[o + 1] << 8 | (old >> 8)),
				    (uint16_t)(p[o + 1] << 8 | (mss >> 8)));
				dp_csum_fix16(p + th + 16,
				    (uint16_t)((old & 0xff) << 8 | p[o + 4]),
				    (uint16_t)((mss & 0xff) << 8 | p[o + 4]));
			}
			return true;
		}
		o += p[o + 1];
	}
	return false;
}

size_t
dp_icmp_too_big(const uint8_t *orig, const struct dp_pkt *k, uint16_t mtu,
    const uint8_t *from, uint8_t *out, size_t cap)
{
	size_t	 quote, len;
	uint32_t sum;

	if (k->af == AF_INET) {
		/* never answer an ICMP error or a non-first fragment */
		if (!k->first_frag || (k->proto == IPPROTO_ICMP &&
		    k->l4off < k->len && orig[k->l4off] != 8 &&
		    orig[k->l4off] != 0))
			return 0;
		quote = k->l4off + 8 < k->len ? k->l4off + 8 : k->len;
		len = 20 + 8 + quote;
		if (cap < len)
			return 0;
		memset(out, 0, 28);
		out[0] = 0x45;
		rg_put_u16(out + 2, (uint16_t)len);
		out[8] = 64;
		out[9] = IPPROTO_ICMP;
		memcpy(out + 12, from, 4);
		memcpy(out + 16, k->src, 4);
		rg_put_u16(out + 10, dp_csum(out, 20, 0));
		out[20] = 3;			/* destination unreachable */
		out[21] = 4;			/* fragmentation needed */
		rg_put_u16(out + 26, mtu);
		memcpy(out + 28, orig, quote);
		rg_put_u16(out + 22, dp_csum(out + 20, 8 + quote, 0));
		return len;
	}
	if (k->proto == IPPROTO_ICMPV6 && k->l4off < k->len &&
	    orig[k->l4off] < 128)
		return 0;
	quote = k->len < 1280 - 48 ? k->len : 1280 - 48;
	len = 40 + 8 + quote;
	if (cap < len)
		return 0;
	memset(out, 0, 48);
	out[0] = 0x60;
	rg_put_u16(out + 4, (uint16_t)(8 + quote));
	out[6] = IPPROTO_ICMPV6;
	out[7] = 64;
	memcpy(out + 8, from, 16);
	memcpy(out + 24, k->src, 16);
	out[40] = 2;				/* packet too big */
	rg_put_u32(out + 44, mtu);
	memcpy(out + 48, orig, quote);
	/* pseudo-header: addresses, length, next header */
	sum = 0;
	{
		uint8_t	 ph[40];

		memcpy(ph, out + 8, 32);
		rg_put_u32(ph + 32, (uint32_t)(8 + quote));
		rg_put_u32(ph + 36, IPPROTO_ICMPV6);
		sum = (uint16_t)~dp_csum(ph, 40, 0);
	}
	rg_put_u16(out + 42, dp_csum(out + 40, 8 + quote, sum));
	return len;
}
