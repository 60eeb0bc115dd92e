/*
 * dp_test_lib.h: helpers shared by the data-plane tests (test_dp_user,
 * test_dp_mq): addresses, selectors, a road warrior's SA as the tests
 * build it (AES-GCM-128, 127.0.0.1:4500 <-> 127.0.0.2:4500, LAN
 * 10.1.0.0/24 <-> vip 198.18.0.1), UDP sockets and packets.
 */
#ifndef RG_DP_TEST_LIB_H
#define RG_DP_TEST_LIB_H

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "dp.h"
#include "dp_pkt.h"
#include "esp.h"
#include "rg_buf.h"
#include "rg_test.h"

static inline void
sin4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static inline void
ts4(struct dp_ts *t, const char *lo, const char *hi)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	inet_pton(AF_INET, lo, t->addr_lo);
	inet_pton(AF_INET, hi, t->addr_hi);
	t->port_hi = 0xffff;
}

static inline void
mksa(struct dp_sa *d, uint32_t spi, bool inbound, uint32_t reqid,
    uint8_t keybyte)
{
	memset(d, 0, sizeof(*d));
	d->spi = spi;
	d->inbound = inbound;
	d->reqid = reqid;
	d->mode = DP_MODE_TUNNEL;
	sin4(&d->local, "127.0.0.1", 4500);
	sin4(&d->peer, "127.0.0.2", 4500);
	d->encap = true;
	d->encr = DP_ENCR_AES_GCM_16;
	d->encr_key_len = 20;
	memset(d->encr_key, keybyte, 20);
	ts4(&d->ts_local[0], "10.1.0.0", "10.1.0.255");
	ts4(&d->ts_remote[0], "198.18.0.1", "198.18.0.1");
	d->nts_local = d->nts_remote = 1;
}

static inline int
udp_sock(const char *ip, uint16_t port)
{
	struct sockaddr_storage	 ss;
	int			 fd;

	sin4(&ss, ip, port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)) == -1)
		return -1;
	return fd;
}

/* IPv4/UDP from src:sport to dst:dport with payload; checksum 0. */
static inline size_t
mk_udp(uint8_t *p, const char *src, uint16_t sport, const char *dst,
    uint16_t dport, const char *payload)
{
	size_t	 n = strlen(payload), len = 28 + n;

	memset(p, 0, 28);
	p[0] = 0x45;
	rg_put_u16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = 17;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	rg_put_u16(p + 10, dp_csum(p, 20, 0));
	rg_put_u16(p + 20, sport);
	rg_put_u16(p + 22, dport);
	rg_put_u16(p + 24, (uint16_t)(8 + n));
	memcpy(p + 28, payload, n);
	return len;
}

/* The peer's side: an IPv4 inner packet sealed with its outbound SA. */
static inline size_t
seal(struct esp_sa *sa, const uint8_t *inner, size_t len, uint8_t *out)
{
	size_t	 n = 0;

	CHECK_EQ(esp_encrypt(sa, 4, inner, len, out, 2048, &n), 0);
	return n;
}

#endif
