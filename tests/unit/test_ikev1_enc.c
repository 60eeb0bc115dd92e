/*
 * test_ikev1_enc: the IKEv1 (ISAKMP) encoders and the codec's refusals.
 * Encoders round-trip (messages, payload bodies, phase-2 IDs, mode-config
 * attributes); every length field of the main-mode first message made
 * short, long or absurd is refused; every truncation is refused; each
 * malformed payload body of the table breaks the rule it names.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "ikev1_msg.h"
#include "ikev1_msg_test_lib.h"
#include "rg_test.h"

/*
 * <-- HDR, SA, KE, Nr, IDir, HASH_R, VID, NAT-D, NAT-D: every writer,
 * then decode and compare, then encode the decoded SA again.
 */
static void
encode_roundtrip(void)
{
	static uint8_t		 buf[2048], buf2[2048];
	static struct ikev1_msg	 m;
	static struct ikev1_sa	 sa;
	struct ikev1_hdr	 h = { { 1, 2, 3, 4, 5, 6, 7, 8 },
	    { 9, 10, 11, 12, 13, 14, 15, 16 }, 0, 0x10,
	    IKEV1_EXCH_AGGRESSIVE, 0, 0, 0 };
	struct ikev1_xf		 xf = { .num = 1, .id = IKEV1_KEY_IKE,
	    .encr = 7, .keylen = 256, .hash = 2,
	    .auth = IKEV1_AUTH_XAUTH_INIT_PSK, .group = 14, .life_s = 86400 };
	struct ikev1_enc	 e;
	uint8_t			 ke[256], nonce[32], hash[20], natd[20];
	struct rg_rd		 r;
	const char		*why;
	long			 n, n2;

	memset(ke, 1, sizeof(ke));
	memset(nonce, 2, sizeof(nonce));
	memset(hash, 3, sizeof(hash));
	memset(natd, 4, sizeof(natd));
	ikev1_enc_init(&e, buf, sizeof(buf), &h);
	ikev1_put_sa(&e, IKEV1_SIT_IDENTITY_ONLY, 1, IKEV1_PROTO_ISAKMP, NULL,
	    0, &xf);
	ikev1_put_ke(&e, ke, sizeof(ke));
	ikev1_put_nonce(&e, nonce, sizeof(nonce));
	ikev1_put_id(&e, IKEV1_ID_FQDN, 17, 500, (const uint8_t *)"vpn.example",
	    11);
	ikev1_put_hash(&e, hash, sizeof(hash));
	ikev1_put_vid(&e, IKEV1_VID_NATT_RFC3947);
	ikev1_put_natd(&e, IKEV1_PL_NATD, natd, sizeof(natd));
	ikev1_put_natd(&e, IKEV1_PL_NATD, natd, sizeof(natd));
	n = ikev1_enc_finish(&e);
	CHECK(n > 0);
	CHECK_EQ(decode_msg(buf, (size_t)n, &m), 0);
	CHECK_EQ(m.npl, 8);
	CHECK_EQ(m.pl[0].type, IKEV1_PL_SA);
	CHECK_EQ(m.pl[7].type, IKEV1_PL_NATD);
	CHECK_EQ(m.pl[1].len, 256);
	rg_rd_init(&r, m.pl[0].body, m.pl[0].len);
	CHECK_EQ(ikev1_sa_decode(&r, &sa, &why), 0);
	CHECK_EQ(sa.prop[0].xf[0].encr, 7);
	CHECK_EQ(sa.prop[0].xf[0].keylen, 256);
	CHECK_EQ(sa.prop[0].xf[0].auth, IKEV1_AUTH_XAUTH_INIT_PSK);
	CHECK_EQ(sa.prop[0].xf[0].life_s, 86400);	/* TLV: past 65535 */
	CHECK_EQ(sa.prop[0].xf[0].group, 14);
	/* Re-encode: once from the fields, once echoing the raw bytes. */
	for (int raw = 0; raw < 2; raw++) {
		struct ikev1_xf	 x = sa.prop[0].xf[0];

		if (!raw)
			x.raw = NULL;
		ikev1_enc_init(&e, buf2, sizeof(buf2), &h);
		ikev1_put_sa(&e, IKEV1_SIT_IDENTITY_ONLY, 1,
		    IKEV1_PROTO_ISAKMP, NULL, 0, &x);
		n2 = ikev1_enc_finish(&e);
		CHECK_EQ(n2, IKEV1_HDR_LEN + 4 + (long)m.pl[0].len);
		CHECK_MEM(buf2 + IKEV1_HDR_LEN + 4, m.pl[0].body, m.pl[0].len);
	}
	/* A full buffer is refused, never overrun. */
	ikev1_enc_init(&e, buf2, 100, &h);
	ikev1_put_ke(&e, ke, sizeof(ke));
	CHECK_EQ(ikev1_enc_finish(&e), -1);
}

/* Informational bodies: N, D, NAT-OA, CERT, CR, SIG, fragments. */
static void
payload_roundtrip(void)
{
	static uint8_t		 buf[1024];
	static struct ikev1_msg	 m;
	struct ikev1_hdr	 h = { { 1 }, { 2 }, 0, 0x10,
	    IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_E, 0x01020304, 0 };
	uint8_t			 cky[16], seq[4] = { 0, 0, 0, 7 };
	uint8_t			 spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t			 cert[40], sig[64], frag[100];
	struct ikev1_enc	 e;
	struct ikev1_notify	 n;
	struct ikev1_delete	 d;
	struct ikev1_natoa	 oa;
	struct ikev1_cert	 c;
	struct ikev1_frag	 f;
	struct rg_rd		 r;
	const char		*why;
	long			 len;

	memset(cky, 0xcc, sizeof(cky));
	memset(cert, 0x30, sizeof(cert));
	memset(sig, 0x55, sizeof(sig));
	memset(frag, 0x66, sizeof(frag));
	ikev1_enc_body(&e, buf, sizeof(buf));
	ikev1_put_notify(&e, IKEV1_PROTO_ISAKMP, cky, 16, IKEV1_N_R_U_THERE,
	    seq, sizeof(seq));
	ikev1_put_delete(&e, IKEV1_PROTO_ESP, 4, spis, 2);
	ikev1_put_natoa(&e, IKEV1_PL_NATOA, IKEV1_ID_IPV4_ADDR,
	    (const uint8_t *)"\xc0\xa8\x01\x02", 4);
	ikev1_put_cert(&e, IKEV1_PL_CERT, IKEV1_CERT_X509_SIG, cert,
	    sizeof(cert));
	ikev1_put_cert(&e, IKEV1_PL_CR, IKEV1_CERT_X509_SIG, NULL, 0);
	ikev1_put_sig(&e, sig, sizeof(sig));
	len = ikev1_enc_finish(&e);
	CHECK(len > 0);
	CHECK_EQ(e.first, IKEV1_PL_N);
	CHECK_EQ(decode_body(buf, (size_t)len, e.first, &m), 0);
	CHECK_EQ(m.npl, 6);
	rg_rd_init(&r, m.pl[0].body, m.pl[0].len);
	CHECK_EQ(ikev1_notify_decode(&r, &n, &why), 0);
	CHECK_EQ(n.type, IKEV1_N_R_U_THERE);
	CHECK_STR(ikev1_notify_name(n.type), "R_U_THERE");
	CHECK_EQ(n.spi_len, 16);
	CHECK_EQ(n.len, 4);
	CHECK_EQ(rg_get_u32(n.data), 7);
	rg_rd_init(&r, m.pl[1].body, m.pl[1].len);
	CHECK_EQ(ikev1_delete_decode(&r, &d, &why), 0);
	CHECK_EQ(d.nspi, 2);
	CHECK_MEM(d.spis, spis, 8);
	rg_rd_init(&r, m.pl[2].body, m.pl[2].len);
	CHECK_EQ(ikev1_natoa_decode(&r, &oa, &why), 0);
	CHECK_EQ(oa.addr_len, 4);
	CHECK_EQ(oa.addr[0], 0xc0);
	rg_rd_init(&r, m.pl[3].body, m.pl[3].len);
	CHECK_EQ(ikev1_cert_decode(&r, &c, &why), 0);
	CHECK_EQ(c.encoding, IKEV1_CERT_X509_SIG);
	CHECK_EQ(c.len, sizeof(cert));
	CHECK_EQ(m.pl[4].len, 1);
	CHECK_EQ(m.pl[5].type, IKEV1_PL_SIG);
	CHECK_EQ(m.pl[5].len, sizeof(sig));

	/* A fragment message: HDR, FRAG(id 5, #2, last). */
	ikev1_enc_init(&e, buf, sizeof(buf), &h);
	ikev1_put_frag(&e, 5, 2, true, frag, sizeof(frag));
	len = ikev1_enc_finish(&e);
	CHECK_EQ(len, IKEV1_HDR_LEN + 4 + 4 + (long)sizeof(frag));
	CHECK_EQ(rg_get_u32(buf + 24), (uint32_t)len);
	CHECK_EQ(buf[16], IKEV1_PL_FRAG);
	buf[19] = 0;	/* flag E off: let the chain be walked */
	CHECK_EQ(decode_msg(buf, (size_t)len, &m), 0);
	rg_rd_init(&r, m.pl[0].body, m.pl[0].len);
	CHECK_EQ(ikev1_frag_decode(&r, &f, &why), 0);
	CHECK_EQ(f.id, 5);
	CHECK_EQ(f.num, 2);
	CHECK_EQ(f.flags & IKEV1_FRAG_LAST, IKEV1_FRAG_LAST);
	CHECK_EQ(f.len, sizeof(frag));
}

/* Every 16-bit length in mm1 made short, long, tiny or huge: refused. */
static void
length_fields(void)
{
	static struct ikev1_msg	 m;
	static const int	 delta[] = { -1, 1, -4, 4, -8, 8 };
	uint8_t			 msg[sizeof(mm1)];
	size_t			 i, k;

	for (i = 0; i < sizeof(mm1_lens) / sizeof(mm1_lens[0]); i++) {
		size_t		 o = mm1_lens[i];
		uint16_t	 v = rg_get_u16(mm1 + o);

		for (k = 0; k < sizeof(delta) / sizeof(delta[0]); k++) {
			memcpy(msg, mm1, sizeof(msg));
			rg_put_u16(msg + o, (uint16_t)(v + delta[k]));
			if (decode_msg(msg, sizeof(msg), &m) == 0)
				printf("  accepted: length at %zu %+d\n", o,
				    delta[k]);
			CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
		}
		for (k = 0; k < 5; k++) {
			static const uint16_t	 abs_v[] = { 0, 1, 3, 7,
			    0xffff };

			memcpy(msg, mm1, sizeof(msg));
			rg_put_u16(msg + o, abs_v[k]);
			CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
		}
	}
	/* Header length off by one either way, and the wrong major. */
	memcpy(msg, mm1, sizeof(msg));
	rg_put_u32(msg + 24, sizeof(msg) - 1);
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	rg_put_u32(msg + 24, sizeof(msg) + 1);
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	memcpy(msg, mm1, sizeof(msg));
	msg[17] = 0x20;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	/* A transform count that disagrees with the proposal. */
	memcpy(msg, mm1, sizeof(msg));
	msg[47] = 2;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	msg[47] = 4;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	/* RFC 2408 3.6: a transform's next payload is T, the last NONE. */
	memcpy(msg, mm1, sizeof(msg));
	msg[48] = IKEV1_PL_NONE;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	memcpy(msg, mm1, sizeof(msg));
	msg[120] = IKEV1_PL_T;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
	/* A proposal's next payload is P or NONE. */
	memcpy(msg, mm1, sizeof(msg));
	msg[40] = IKEV1_PL_T;
	CHECK_EQ(decode_msg(msg, sizeof(msg), &m), -1);
}

/* Every truncation (header length kept consistent) is refused. */
static void
truncations(void)
{
	static struct bld	 b;
	static struct ikev1_msg	 m;
	static uint8_t		 msg[1024];

	for (size_t len = 0; len < sizeof(mm1); len++) {
		memcpy(msg, mm1, len);
		if (len >= 28)
			rg_put_u32(msg + 24, (uint32_t)len);
		CHECK_EQ(decode_msg(msg, len, &m), -1);
	}
	build_am1(&b);
	for (size_t len = 0; len < b.n; len++) {
		memcpy(msg, b.b, len);
		if (len >= 28)
			rg_put_u32(msg + 24, (uint32_t)len);
		CHECK_EQ(decode_msg(msg, len, &m), -1);
	}
	/* Bodies: cut before the padding, anywhere but at the end. */
	build_qm(&b);
	for (size_t len = 0; len + 3 < b.n; len++)
		CHECK_EQ(decode_body(b.b, len, IKEV1_PL_HASH, &m), -1);
	build_xauth_reply(&b);
	for (size_t len = 0; len < b.n; len++)
		CHECK_EQ(decode_body(b.b, len, IKEV1_PL_HASH, &m), -1);
}

/* Malformed payload bodies, one line each, with the rule they break. */
static void
payload_table(void)
{
	static const struct {
		uint8_t		 type;
		uint8_t		 b[32];
		size_t		 len;
	} bad[] = {
		/* RFC 2409 5: nonce 8..256 */
		{ IKEV1_PL_NONCE, { 1, 2, 3, 4, 5, 6, 7 }, 7 },
		/* RFC 2407 4.6.2.1: IPv4 address is 4 bytes */
		{ IKEV1_PL_ID, { 1, 0, 0, 0, 10, 0, 0 }, 7 },
		{ IKEV1_PL_ID, { 4, 0, 0, 0, 10, 0, 0, 0, 255, 255, 255 }, 11 },
		{ IKEV1_PL_ID, { 2, 0, 0, 0 }, 4 },
		/* RFC 2408 3.15: ESP SPI is 4 bytes, count matches */
		{ IKEV1_PL_D, { 0, 0, 0, 1, 3, 16, 0, 1, 1, 2, 3, 4 }, 12 },
		{ IKEV1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4 }, 12 },
		{ IKEV1_PL_D, { 0, 0, 0, 1, 3, 4, 0, 0 }, 8 },
		/* RFC 2408 3.14: SPI within the payload */
		{ IKEV1_PL_N, { 0, 0, 0, 1, 1, 16, 0x5f, 0x18, 1, 2 }, 10 },
		{ IKEV1_PL_N, { 0, 0, 0, 1, 1, 0, 0x5f }, 7 },
		/* RFC 3947 5.2: NAT-OA address size */
		{ IKEV1_PL_NATOA, { 1, 0, 0, 0, 10, 0, 0 }, 7 },
		{ IKEV1_PL_NATOA, { 2, 0, 0, 0, 10, 0, 0, 1 }, 8 },
		/* mode-config: TLV past the payload, unknown type */
		{ IKEV1_PL_ATTR, { 1, 0, 0, 1, 0, 1, 0, 5, 1, 2 }, 10 },
		{ IKEV1_PL_ATTR, { 9, 0, 0, 1 }, 4 },
		{ IKEV1_PL_ATTR, { 1, 0, 0, 1, 0x80 }, 5 },
		/* fragment number starts at 1, data not empty */
		{ IKEV1_PL_FRAG, { 0, 1, 0, 1, 9 }, 5 },
		{ IKEV1_PL_FRAG, { 0, 1, 1, 1 }, 4 },
		/* SA: DOI 1, SIT_IDENTITY_ONLY, at least one proposal */
		{ IKEV1_PL_SA, { 0, 0, 0, 2, 0, 0, 0, 1 }, 8 },
		{ IKEV1_PL_SA, { 0, 0, 0, 1, 0, 0, 0, 3 }, 8 },
		{ IKEV1_PL_SA, { 0, 0, 0, 1, 0, 0, 0, 1 }, 8 },
		/* proposal with no transforms */
		{ IKEV1_PL_SA, { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 1, 1,
		    0, 0 }, 16 },
		/* transform with a duration but no life type */
		{ IKEV1_PL_SA, { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 20, 1, 1,
		    0, 1, 0, 0, 0, 12, 1, 1, 0, 0, 0x80, 12, 0x0e, 0x10 },
		    28 },
	};
	static struct ikev1_msg	 m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.npl = 1;
		m.pl[0].type = bad[i].type;
		m.pl[0].body = bad[i].b;
		m.pl[0].len = bad[i].len;
		if (decode_all(&m) == 0)
			printf("  accepted: bad[%zu]\n", i);
		CHECK_EQ(decode_all(&m), -1);
	}
}

/* A Life Duration with no preceding Life Type, and the transform that
 * fixes it (life type 1 then duration 0x0e10), inside a real SA. */
static void
life_and_unknown(void)
{
	static const uint8_t sa_ok[] = {
		0, 0, 0, 1, 0, 0, 0, 1,
		0, 0, 0, 28, 1, 1, 0, 1,
		0, 0, 0, 20, 1, 1, 0, 0,
		0x80, 11, 0, 1, 0x80, 12, 0x0e, 0x10,
		0x80, 16, 0, 1,		/* GROUP_ORDER: we do not know it */
	};
	static struct ikev1_sa	 sa;
	struct rg_rd		 r;
	const char		*why;

	rg_rd_init(&r, sa_ok, sizeof(sa_ok));
	CHECK_EQ(ikev1_sa_decode(&r, &sa, &why), 0);
	CHECK_EQ(sa.prop[0].xf[0].life_s, 3600);
	CHECK_EQ(sa.prop[0].xf[0].unknown_attr, IKEV1_P1_GROUP_ORDER);
}

/* Phase-2 IDs as address ranges (RFC 2407 4.6.2.2-4.6.2.8). */
static void
id_nets(void)
{
	uint8_t			 v6[4 + 32];
	struct ikev1_id		 id;
	struct ikev1_id_net	 net;
	struct rg_rd		 r;
	const char		*why;

	/* 2001:db8::/32 as IPV6_ADDR_SUBNET, UDP port 1701 */
	memset(v6, 0, sizeof(v6));
	v6[0] = IKEV1_ID_IPV6_ADDR_SUBNET;
	v6[1] = 17;
	v6[3] = 0xa5;
	v6[2] = 0x06;
	memcpy(v6 + 4, "\x20\x01\x0d\xb8\x00\x00\x00\x01", 8);
	memset(v6 + 20, 0xff, 4);
	rg_rd_init(&r, v6, sizeof(v6));
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(id.port, 1701);
	CHECK_EQ(ikev1_id_net(&id, &net, &why), 0);
	CHECK_EQ(net.af, AF_INET6);
	CHECK_MEM(net.lo, "\x20\x01\x0d\xb8\0\0\0\0", 8);
	CHECK_EQ(net.lo[15], 0);
	CHECK_MEM(net.hi, "\x20\x01\x0d\xb8\xff\xff", 6);
	CHECK_EQ(net.hi[15], 0xff);
	/* A range that runs backwards is refused. */
	v6[0] = IKEV1_ID_IPV6_ADDR_RANGE;
	v6[4 + 16] = 0x10;
	rg_rd_init(&r, v6, sizeof(v6));
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(ikev1_id_net(&id, &net, &why), -1);
	/* A name is not an address. */
	rg_rd_init(&r, "\x02\0\0\0vpn", 7);
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(ikev1_id_net(&id, &net, &why), -1);
}

/* <-- HDR*, HASH, ATTR(CFG_SET / CFG_ACK): values and empty TLVs. */
static void
cfg_encode(void)
{
	static uint8_t		 buf[256];
	static struct ikev1_cfg	 c, d;
	static const uint8_t	 want[] = {
		0, 0, 0, 28,			/* ATTR, 28 bytes */
		IKEV1_CFG_SET, 0, 0x12, 0x34,
		0xc0, 0x8f, 0, 0,		/* XAUTH_STATUS, TV */
		0x00, 0x01, 0, 4, 10, 9, 0, 7,	/* INTERNAL_IP4_ADDRESS */
		0x00, 0x05, 0, 4, 0, 0, 0x0e, 0x10, /* ADDRESS_EXPIRY 3600 */
	};
	struct ikev1_enc	 e;
	struct rg_rd		 r;
	const char		*why;
	long			 n;

	c.type = IKEV1_CFG_SET;
	c.ident = 0x1234;
	c.nattr = 3;
	c.attr[0] = (struct ikev1_attr){ .type = IKEV1_CFG_XAUTH_STATUS,
	    .tv = true, .val = 0 };
	c.attr[1] = (struct ikev1_attr){ .type =
	    IKEV1_CFG_INTERNAL_IP4_ADDRESS, .data =
	    (const uint8_t *)"\x0a\x09\x00\x07", .len = 4 };
	c.attr[2] = (struct ikev1_attr){ .type =
	    IKEV1_CFG_INTERNAL_ADDRESS_EXPIRY, .val = 3600, .len = 4 };
	ikev1_enc_body(&e, buf, sizeof(buf));
	ikev1_put_cfg(&e, &c);
	n = ikev1_enc_finish(&e);
	CHECK_EQ(n, (long)sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
	buf[11] = 1;			/* XAUTH_STATUS = 1 (OK) */
	rg_rd_init(&r, buf + 4, (size_t)n - 4);
	CHECK_EQ(ikev1_cfg_decode(&r, &d, &why), 0);
	CHECK_EQ(d.attr[0].type, IKEV1_CFG_XAUTH_STATUS);
	CHECK_EQ(d.attr[0].val, 1);
	CHECK_EQ(d.attr[2].val, 3600);

	/* An ACK naming attributes: empty TLVs, no value invented. */
	c.type = IKEV1_CFG_ACK;
	c.nattr = 1;
	c.attr[0] = (struct ikev1_attr){ .type =
	    IKEV1_CFG_INTERNAL_IP4_ADDRESS };
	ikev1_enc_body(&e, buf, sizeof(buf));
	ikev1_put_cfg(&e, &c);
	CHECK_EQ(ikev1_enc_finish(&e), 4 + 4 + 4);
	CHECK_MEM(buf + 8, "\x00\x01\x00\x00", 4);
}

RG_TEST_MAIN("ikev1_enc", T(encode_roundtrip), T(payload_roundtrip),
    T(length_fields), T(truncations), T(payload_table),
    T(life_and_unknown), T(cfg_encode), T(id_nets))
