/*
 * test_ike_sock.c: the IKE version split (server/ike/ike_sock.c, struct
 * ike_demux).  Byte 17 of the IKE header carries the major version in its
 * high nibble: 0x20 for IKEv2 (RFC 7296 3.1), 0x10 for IKEv1 (RFC 2408
 * 3.1, the ISAKMP header IKEv1 uses).  Table driven: each datagram goes to
 * the handler of its version, or is dropped and counted when none is set.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "ike_sock.h"
#include "rg_test.h"

struct seen {
	int		 calls;
	size_t		 len;
	int		 fd;
	const uint8_t	*pkt;
};

static void
handler(void *arg, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	struct seen	*s = arg;

	(void)from;
	(void)to;
	s->calls++;
	s->len = len;
	s->fd = fd;
	s->pkt = pkt;
}

/* A 28-byte IKE header: SPIs, next payload, version, exchange, flags. */
static void
hdr(uint8_t *p, uint8_t version, uint8_t exch)
{
	memset(p, 0, 28);
	memset(p, 0xa5, 8);		/* initiator SPI / cookie */
	p[16] = 33;			/* SA */
	p[17] = version;
	p[18] = exch;
	p[27] = 28;			/* length */
}

struct dcase {
	const char	*name;
	uint8_t		 version;	/* byte 17 */
	uint8_t		 exch;
	size_t		 len;
	bool		 v1_set, v2_set;
	int		 want;		/* -1 dropped, else IKE_V1 / IKE_V2 */
};

static const struct dcase dcases[] = {
	{ "v2 IKE_SA_INIT", 0x20, 34, 28, true, true, IKE_V2 },
	{ "v2 minor 1 still v2", 0x21, 34, 28, true, true, IKE_V2 },
	{ "v1 main mode", 0x10, 2, 28, true, true, IKE_V1 },
	{ "v1 aggressive mode", 0x10, 4, 28, true, true, IKE_V1 },
	{ "v1 with no v1 engine", 0x10, 2, 28, false, true, -1 },
	{ "v2 with no v2 engine", 0x20, 34, 28, true, false, -1 },
	/* RFC 7296 2.5: a higher major version is the IKEv2 engine's to
	 * answer (INVALID_MAJOR_VERSION), not the IKEv1 one's. */
	{ "v3 goes to v2", 0x30, 34, 28, true, true, IKE_V2 },
	{ "version 0 goes to v2", 0x00, 34, 28, true, true, IKE_V2 },
	/* Too short to hold byte 17: the IKEv2 decoder counts it. */
	{ "runt goes to v2", 0x10, 2, 17, true, true, IKE_V2 },
	{ "18 bytes is enough", 0x10, 2, 18, true, true, IKE_V1 },
};

static void
table(void)
{
	struct sockaddr_in	 a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		struct ike_demux d;
		struct seen	 s1, s2;
		uint8_t		 p[28];
		bool		 ok;

		memset(&d, 0, sizeof(d));
		memset(&s1, 0, sizeof(s1));
		memset(&s2, 0, sizeof(s2));
		if (c->v1_set)
			ike_demux_set(&d, IKE_V1, handler, &s1);
		if (c->v2_set)
			ike_demux_set(&d, IKE_V2, handler, &s2);
		hdr(p, c->version, c->exch);
		ike_demux_input(&d, p, c->len, (struct sockaddr *)&a,
		    (struct sockaddr *)&a, 7);
		if (c->want == IKE_V1)
			ok = s1.calls == 1 && s2.calls == 0 && s1.pkt == p &&
			    s1.len == c->len && s1.fd == 7 &&
			    d.rx[IKE_V1] == 1;
		else if (c->want == IKE_V2)
			ok = s2.calls == 1 && s1.calls == 0 && s2.pkt == p &&
			    s2.len == c->len && s2.fd == 7 &&
			    d.rx[IKE_V2] == 1;
		else
			ok = s1.calls == 0 && s2.calls == 0 &&
			    d.no_handler[IKE_V1] + d.no_handler[IKE_V2] == 1 &&
			    d.rx[IKE_V1] + d.rx[IKE_V2] == 0;
		if (!ok)
			printf("  case \"%s\": v1 %d calls, v2 %d calls\n",
			    c->name, s1.calls, s2.calls);
		CHECK(ok);
	}
}

/* Both versions through one demux, interleaved, as on a shared port. */
static void
both_versions(void)
{
	struct ike_demux d;
	struct seen	 s1, s2;
	uint8_t		 v1[28], v2[28];

	memset(&d, 0, sizeof(d));
	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	ike_demux_set(&d, IKE_V1, handler, &s1);
	ike_demux_set(&d, IKE_V2, handler, &s2);
	hdr(v1, 0x10, 2);
	hdr(v2, 0x20, 34);
	for (int i = 0; i < 3; i++) {
		ike_demux_input(&d, v1, sizeof(v1), NULL, NULL, 3);
		ike_demux_input(&d, v2, sizeof(v2), NULL, NULL, 4);
	}
	CHECK_EQ(s1.calls, 3);
	CHECK_EQ(s2.calls, 3);
	CHECK_EQ(s1.fd, 3);
	CHECK_EQ(s2.fd, 4);
	CHECK_EQ(d.rx[IKE_V1], 3);
	CHECK_EQ(d.rx[IKE_V2], 3);
	/* Removing the IKEv1 engine drops its datagrams, counted. */
	ike_demux_set(&d, IKE_V1, NULL, NULL);
	ike_demux_input(&d, v1, sizeof(v1), NULL, NULL, 3);
	ike_demux_input(&d, v2, sizeof(v2), NULL, NULL, 4);
	CHECK_EQ(s1.calls, 3);
	CHECK_EQ(s2.calls, 4);
	CHECK_EQ(d.no_handler[IKE_V1], 1);
	CHECK_EQ(d.no_handler[IKE_V2], 0);
	CHECK_EQ(ike_demux_version(v1, sizeof(v1)), IKE_V1);
	CHECK_EQ(ike_demux_version(v2, sizeof(v2)), IKE_V2);
	CHECK_STR(ike_version_name(IKE_V1), "IKEv1");
	CHECK_STR(ike_version_name(IKE_V2), "IKEv2");
}

RG_TEST_MAIN("ike_sock", T(table), T(both_versions))
