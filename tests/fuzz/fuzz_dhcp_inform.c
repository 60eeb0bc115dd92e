/*
 * fuzz_dhcp_inform.c: libFuzzer target for the DHCPINFORM parser and
 * responder (pool/dhcp_inform.c): any bytes as an IPv4 packet from the
 * tunnel; an answer, when built, must fit the buffer and carry valid
 * IPv4 and UDP lengths.  Seeds: tests/fuzz/seeds/dhcp_inform/ (Windows-like
 * INFORMs after RFC 2131 figure 1, with and without a parameter request
 * list, a DISCOVER, one with repeated options).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rg_buf.h"
#include "dhcp_inform.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint16_t
sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * Mutations nearly always break a checksum, which stops the parser at the
 * first check; a second pass over a copy with both checksums repaired
 * lets the fuzzer reach the BOOTP and option code.
 */
static void
fix_sums(uint8_t *p, size_t len)
{
	uint8_t	 ph[12] = { 0 };
	size_t	 ihl, ulen;

	if (len < 20 || (ihl = (size_t)(p[0] & 15) * 4) < 20 ||
	    len < ihl + 8)
		return;
	p[10] = p[11] = 0;
	rg_put_u16(p + 10, (uint16_t)~sum(0, p, ihl));
	ulen = (size_t)(p[ihl + 4] << 8 | p[ihl + 5]);
	if (ulen < 8 || ulen > len - ihl)
		return;
	memcpy(ph, p + 12, 8);
	ph[9] = 17;
	rg_put_u16(ph + 10, (uint16_t)ulen);
	p[ihl + 6] = p[ihl + 7] = 0;
	rg_put_u16(p + ihl + 6, (uint16_t)~sum(sum(0, ph, 12), p + ihl,
	    ulen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct rg_prefix	 split[2];
	static struct rg_addr	 dns[2], wins[1], srv;
	static char		*dom[] = { "corp.example.com" };
	static struct rg_profile p;
	uint8_t			 out[DHCP_ANSWER_MAX];
	struct dhcp_req		 q;
	size_t			 olen;

	if (p.name == NULL) {
		p.name = "fuzz";
		rg_prefix_parse("10.0.0.0/8", &split[0]);
		rg_prefix_parse("192.168.10.0/24", &split[1]);
		rg_addr_parse("10.0.0.53", &dns[0]);
		rg_addr_parse("fd00::53", &dns[1]);
		rg_addr_parse("10.0.0.60", &wins[0]);
		rg_addr_parse("10.1.0.1", &srv);
		p.split = split;
		p.nsplit = 2;
		p.dns = dns;
		p.ndns = 2;
		p.wins = wins;
		p.nwins = 1;
		p.domains = dom;
		p.ndomains = 1;
	}
	uint8_t			*copy;
	int			 pass;

	(void)dhcp_parse(data, len, &q);
	if ((copy = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(copy, data, len);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			fix_sums(copy, len);
		if (dhcp_inform_answer(copy, len, &p, &srv, out, sizeof(out),
		    &olen) != 0)
			continue;
		if (olen > sizeof(out) || olen < 28 + 300 ||
		    (size_t)(out[2] << 8 | out[3]) != olen ||
		    (size_t)(out[24] << 8 | out[25]) != olen - 20)
			abort();
	}
	free(copy);
	return 0;
}
