/*
 * test_ikev2_msg: the IKEv2 codec (RFC 7296 section 3).  Messages built
 * from the formats of 3.1-3.15 round-trip (decode, encode, same bytes);
 * every truncation and a table of malformed payloads are refused without
 * a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_msg.h"
#include "rg_test.h"

static size_t
build_init(uint8_t *buf, size_t cap)
{
	struct ikev2_enc	 e;
	struct ikev2_hdr	 h = { 0x0102030405060708ULL, 0, 0, 0x20,
	    IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_I, 0, 0 };
	struct ikev2_sa_pl	*sa = calloc(1, sizeof(*sa));
	uint8_t			 ke[64], nonce[32];
	long			 n;

	memset(ke, 0x11, sizeof(ke));
	memset(nonce, 0x22, sizeof(nonce));
	sa->nprop = 2;
	sa->prop[0].num = 1;
	sa->prop[0].proto = IKEV2_PROTO_IKE;
	sa->prop[0].nxf = 3;
	sa->prop[0].xf[0] = (struct ikev2_xf){ 1, 20, 256 };
	sa->prop[0].xf[1] = (struct ikev2_xf){ 2, 5, 0 };
	sa->prop[0].xf[2] = (struct ikev2_xf){ 4, 19, 0 };
	sa->prop[1].num = 2;
	sa->prop[1].proto = IKEV2_PROTO_IKE;
	sa->prop[1].nxf = 4;
	sa->prop[1].xf[0] = (struct ikev2_xf){ 1, 12, 128 };
	sa->prop[1].xf[1] = (struct ikev2_xf){ 3, 12, 0 };
	sa->prop[1].xf[2] = (struct ikev2_xf){ 2, 5, 0 };
	sa->prop[1].xf[3] = (struct ikev2_xf){ 4, 14, 0 };
	ikev2_enc_init(&e, buf, cap, &h);
	ikev2_put_sa(&e, sa);
	ikev2_put_ke(&e, 19, ke, sizeof(ke));
	ikev2_put_nonce(&e, nonce, sizeof(nonce));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
	    nonce, 20);
	free(sa);
	n = ikev2_enc_finish(&e);
	return n < 0 ? 0 : (size_t)n;
}

static void
init_roundtrip(void)
{
	uint8_t			 buf[1024], buf2[1024];
	struct ikev2_msg	*m = calloc(1, sizeof(*m));
	struct ikev2_sa_pl	*sa = calloc(1, sizeof(*sa));
	size_t			 n = build_init(buf, sizeof(buf));
	struct rg_rd		 r;
	struct ikev2_ke		 ke;
	struct ikev2_notify	 no;
	struct ikev2_enc	 e;

	CHECK(n > IKEV2_HDR_LEN);
	CHECK_EQ(ikev2_msg_decode(buf, n, m), 0);
	CHECK_EQ(m->hdr.spi_i, 0x0102030405060708ULL);
	CHECK_EQ(m->hdr.exch, IKEV2_EXCH_IKE_SA_INIT);
	CHECK_EQ(m->npl, 4);
	CHECK_EQ(m->pl[0].type, IKEV2_PL_SA);
	CHECK_EQ(m->pl[3].type, IKEV2_PL_N);
	rg_rd_init(&r, m->pl[0].body, m->pl[0].len);
	CHECK_EQ(ikev2_sa_decode(&r, sa), 0);
	CHECK_EQ(sa->nprop, 2);
	CHECK_EQ(sa->prop[0].xf[0].keylen, 256);
	CHECK_EQ(sa->prop[1].xf[3].id, 14);
	rg_rd_init(&r, m->pl[1].body, m->pl[1].len);
	CHECK_EQ(ikev2_ke_decode(&r, &ke), 0);
	CHECK_EQ(ke.group, 19);
	CHECK_EQ(ke.len, 64);
	rg_rd_init(&r, m->pl[3].body, m->pl[3].len);
	CHECK_EQ(ikev2_notify_decode(&r, &no), 0);
	CHECK_EQ(no.type, IKEV2_N_NAT_DETECTION_SOURCE_IP);
	CHECK_EQ(no.len, 20);
	/* Re-encode from the decoded views: same bytes. */
	ikev2_enc_init(&e, buf2, sizeof(buf2), &m->hdr);
	ikev2_put_sa(&e, sa);
	ikev2_put_ke(&e, ke.group, ke.data, ke.len);
	ikev2_put_nonce(&e, m->pl[2].body, m->pl[2].len);
	ikev2_put_notify(&e, no.proto, no.spi, no.spi_len, no.type, no.data,
	    no.len);
	CHECK_EQ(ikev2_enc_finish(&e), (long)n);
	CHECK_MEM(buf, buf2, n);
	free(m);
	free(sa);
}

static void
truncations(void)
{
	uint8_t			 buf[1024];
	struct ikev2_msg	*m = calloc(1, sizeof(*m));
	size_t			 n = build_init(buf, sizeof(buf));
	int			 accepted = 0;

	for (size_t l = 0; l < n; l++) {
		/* The header length must match the datagram. */
		accepted += ikev2_msg_decode(buf, l, m) == 0;
		rg_put_u32(buf + 24, (uint32_t)l);
		accepted += ikev2_msg_decode(buf, l, m) == 0;
		rg_put_u32(buf + 24, (uint32_t)n);
	}
	CHECK_EQ(accepted, 0);
	/* Bad version and a too-short payload length. */
	buf[17] = 0x10;
	CHECK_EQ(ikev2_msg_decode(buf, n, m), -1);
	buf[17] = 0x20;
	rg_put_u16(buf + 30, 3);
	CHECK_EQ(ikev2_msg_decode(buf, n, m), -1);
	free(m);
}

static void
payload_table(void)
{
	static const struct {
		const char	*name;
		int		 kind;	/* 0 SA 1 TS 2 notify 3 delete 4 id 5 cp */
		uint8_t		 b[40];
		size_t		 len;
		int		 want;
	} t[] = {
		{ "sa empty", 0, {0}, 0, -1 },
		{ "sa last=1", 0, {1,0,0,8, 1,1,0,0}, 8, -1 },
		{ "sa no xf", 0, {0,0,0,8, 1,1,0,0}, 8, 0 },
		{ "sa xf overrun", 0, {0,0,0,16, 1,1,0,1, 0,0,0,40,1,0,0,12}, 16, -1 },
		{ "sa spi too big", 0, {0,0,0,17, 1,1,9,0, 1,2,3,4,5,6,7,8,9}, 17, -1 },
		{ "ts ok v4", 1, {1,0,0,0, 7,0,0,16, 0,0,255,255, 10,0,0,0, 10,0,0,255}, 20, 0 },
		{ "ts bad len", 1, {1,0,0,0, 7,0,0,15, 0,0,255,255, 10,0,0,0, 10,0,0}, 19, -1 },
		{ "ts zero count", 1, {0,0,0,0}, 4, -1 },
		{ "ts trailing", 1, {1,0,0,0, 7,0,0,16, 0,0,255,255, 10,0,0,0, 10,0,0,255, 9}, 21, -1 },
		{ "n spi 3", 2, {3,3,0,1, 1,2,3}, 7, -1 },
		{ "n ok", 2, {3,4,0x40,0x09, 1,2,3,4}, 8, 0 },
		{ "del esp", 3, {3,4,0,2, 1,2,3,4, 5,6,7,8}, 12, 0 },
		{ "del esp short", 3, {3,4,0,2, 1,2,3,4}, 8, -1 },
		{ "del ike spi", 3, {1,8,0,0}, 4, -1 },
		{ "id v4 bad", 4, {1,0,0,0, 1,2,3}, 7, -1 },
		{ "id fqdn", 4, {2,0,0,0, 'a','b'}, 6, 0 },
		{ "cp attr overrun", 5, {1,0,0,0, 0,1,0,8, 1,2,3,4}, 12, -1 },
		{ "cp ok", 5, {1,0,0,0, 0,1,0,0, 0,3,0,0}, 12, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rg_rd	 r;
		int		 got = -2;

		rg_rd_init(&r, t[i].b, t[i].len);
		switch (t[i].kind) {
		case 0: {
			struct ikev2_sa_pl *sa = calloc(1, sizeof(*sa));

			got = ikev2_sa_decode(&r, sa);
			free(sa);
			break;
		}
		case 1: {
			struct ikev2_ts_pl ts;

			got = ikev2_ts_decode(&r, &ts);
			break;
		}
		case 2: {
			struct ikev2_notify n;

			got = ikev2_notify_decode(&r, &n);
			break;
		}
		case 3: {
			struct ikev2_delete d;

			got = ikev2_delete_decode(&r, &d);
			break;
		}
		case 4: {
			struct ikev2_id id;

			got = ikev2_id_decode(&r, &id);
			break;
		}
		case 5: {
			struct ikev2_cp cp;

			got = ikev2_cp_decode(&r, &cp);
			break;
		}
		}
		if (got != t[i].want)
			printf("  case '%s': got %d want %d\n", t[i].name, got,
			    t[i].want);
		CHECK_EQ(got, t[i].want);
	}
}

static void
ts_cp_delete_roundtrip(void)
{
	struct ikev2_ts_pl	 ts, ts2;
	struct ikev2_cp		 cp, cp2;
	struct ikev2_delete	 d, d2;
	struct ikev2_enc	 e;
	struct ikev2_msg	*m = calloc(1, sizeof(*m));
	uint8_t			 buf[512];
	static const uint8_t	 a4[4] = { 198, 18, 0, 1 };
	struct rg_rd		 r;

	memset(&ts, 0, sizeof(ts));
	ts.nts = 2;
	ts.ts[0].type = IKEV2_TS_IPV4_ADDR_RANGE;
	ts.ts[0].port_hi = 65535;
	memcpy(ts.ts[0].hi, "\xff\xff\xff\xff", 4);
	ts.ts[1].type = IKEV2_TS_IPV6_ADDR_RANGE;
	ts.ts[1].proto = 17;
	ts.ts[1].port_lo = ts.ts[1].port_hi = 500;
	memset(ts.ts[1].hi, 0xff, 16);
	memset(&cp, 0, sizeof(cp));
	cp.cfg_type = IKEV2_CFG_REPLY;
	cp.nattr = 2;
	cp.attr[0].type = IKEV2_CFG_INTERNAL_IP4_ADDRESS;
	cp.attr[0].data = a4;
	cp.attr[0].len = 4;
	cp.attr[1].type = IKEV2_CFG_INTERNAL_DNS_DOMAIN;
	cp.attr[1].data = (const uint8_t *)"corp.example";
	cp.attr[1].len = 12;
	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_ESP;
	d.spi_len = 4;
	d.nspi = 2;
	d.spi[0] = 0xc0ffee01;
	d.spi[1] = 0x12345678;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_cp(&e, &cp);
	ikev2_put_delete(&e, &d);
	CHECK(!e.w.err);
	m->sk_idx = -1;
	CHECK_EQ(ikev2_chain_decode(m, e.first, buf, e.w.len), 0);
	CHECK_EQ(m->npl, 3);
	rg_rd_init(&r, m->pl[0].body, m->pl[0].len);
	CHECK_EQ(ikev2_ts_decode(&r, &ts2), 0);
	CHECK_EQ(ts2.nts, 2);
	CHECK_EQ(ts2.ts[1].port_lo, 500);
	CHECK_MEM(ts2.ts[1].hi, ts.ts[1].hi, 16);
	rg_rd_init(&r, m->pl[1].body, m->pl[1].len);
	CHECK_EQ(ikev2_cp_decode(&r, &cp2), 0);
	CHECK_EQ(cp2.nattr, 2);
	CHECK_EQ(cp2.attr[1].type, IKEV2_CFG_INTERNAL_DNS_DOMAIN);
	CHECK_MEM(cp2.attr[0].data, a4, 4);
	rg_rd_init(&r, m->pl[2].body, m->pl[2].len);
	CHECK_EQ(ikev2_delete_decode(&r, &d2), 0);
	CHECK_EQ(d2.nspi, 2);
	CHECK_EQ(d2.spi[0], 0xc0ffee01);
	free(m);
}

static void
names(void)
{
	CHECK_STR(ikev2_notify_name(14), "NO_PROPOSAL_CHOSEN");
	CHECK_STR(ikev2_notify_name(16430), "IKEV2_FRAGMENTATION_SUPPORTED");
	CHECK_STR(ikev2_payload_name(46), "SK");
	CHECK_STR(ikev2_exch_name(36), "CREATE_CHILD_SA");
}

RG_TEST_MAIN("ikev2_msg", T(init_roundtrip), T(truncations), T(payload_table),
    T(ts_cp_delete_roundtrip), T(names))
