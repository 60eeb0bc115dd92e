/*
 * test_ikev1_msg: the IKEv1 (ISAKMP) codec.  Messages hand-assembled from
 * the formats of RFC 2408 3, RFC 2409 A, RFC 2407 4.5-4.6, RFC 3947 5 and
 * draft-dukes-ike-mode-cfg-02 3.2, shaped like what the clients of
 * ../shared/CLIENTS.md section 1 send: an iOS main-mode first message, an
 * iOS/Android aggressive-mode first message with ID_KEY_ID, a quick-mode
 * body, a mode-config REQUEST and an XAuth REPLY.  Each decodes; encoders
 * round-trip; every length field made short, long or absurd is refused;
 * every truncation is refused; the vendor-ID bytes equal MD5 of their
 * strings.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "ikev1_msg.h"
#include "rg_test.h"

/* One phase-1 transform, 36 bytes: AES-256, hash, XAUTH_INIT_PSK, DH14,
 * 3600 s (RFC 2409 A attribute classes 1, 14, 2, 3, 4, 11, 12). */
#define P1XF(np, num, hash)						\
	np, 0, 0, 36, num, 1, 0, 0,					\
	0x80, 1, 0, 7, 0x80, 14, 1, 0, 0x80, 2, 0, hash,		\
	0x80, 3, 0xfd, 0xe9, 0x80, 4, 0, 14, 0x80, 11, 0, 1,		\
	0x80, 12, 0x0e, 0x10

#define VID_RFC3947	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,	\
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f
#define VID_APPLE	0x4d, 0xf3, 0x79, 0x28, 0xe9, 0xfc, 0x4f, 0xd1,	\
	0xb3, 0x26, 0x21, 0x70, 0xd5, 0x15, 0xc6, 0x62
#define VID_02N		0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,	\
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f
#define VID_FRAG	0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,	\
	0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3, 0xc0, 0, 0, 0
#define VID_DPD		0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,	\
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00
#define VID_XAUTH	0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12
#define VID_UNITY	0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,	\
	0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00

/*
 * HDR, SA, VID* --> : main mode, first message (iOS Cisco IPSec with a
 * certificate, or L2TP: main mode, DH14, AES-256 with SHA-256/SHA-1/
 * SHA-512, NAT-T VIDs with RFC 3947 first, FRAGMENTATION, DPD).
 */
static const uint8_t mm1[] = {
	/* header: CKY-I, CKY-R 0, np SA, 1.0, Main, flags 0, msgid 0 */
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
	IKEV1_PL_SA, 0x10, IKEV1_EXCH_MAIN, 0, 0, 0, 0, 0, 0, 0, 1, 4,
	/* SA (128): DOI 1, SIT_IDENTITY_ONLY */
	IKEV1_PL_VID, 0, 0, 128, 0, 0, 0, 1, 0, 0, 0, 1,
	/* P (116): #1 ISAKMP, no SPI, 3 transforms */
	0, 0, 0, 116, 1, IKEV1_PROTO_ISAKMP, 0, 3,
	P1XF(3, 1, 4), P1XF(3, 2, 2), P1XF(0, 3, 6),
	IKEV1_PL_VID, 0, 0, 20, VID_RFC3947,
	IKEV1_PL_VID, 0, 0, 20, VID_APPLE,
	IKEV1_PL_VID, 0, 0, 20, VID_02N,
	IKEV1_PL_VID, 0, 0, 24, VID_FRAG,
	0, 0, 0, 20, VID_DPD,
};

/* Offsets of every 16-bit length in mm1 (header excepted). */
static const size_t mm1_lens[] = {
	30,			/* SA */
	42,			/* P */
	50, 86, 122,		/* T 1..3 */
	158, 178, 198, 218, 242	/* VIDs */
};

/* Hand-assembly helpers for the longer messages. */
struct bld {
	uint8_t	 b[1024];
	size_t	 n;
};

static void
put(struct bld *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
put8(struct bld *b, unsigned int v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void
put16(struct bld *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void
put32(struct bld *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

/* A generic payload header (RFC 2408 3.2) before len body bytes. */
static void
gen(struct bld *b, unsigned int np, size_t body)
{
	put8(b, np);
	put8(b, 0);
	put16(b, (unsigned int)(body + 4));
}

static void
hdr(struct bld *b, unsigned int np, unsigned int exch, unsigned int flags,
    uint32_t msgid)
{
	static const uint8_t	 ck[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
	    0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11 };

	b->n = 0;
	put(b, ck, 16);
	put8(b, np);
	put8(b, 0x10);
	put8(b, exch);
	put8(b, flags);
	put32(b, msgid);
	put32(b, 0);
}

static void
fix_len(struct bld *b)
{
	rg_put_u32(b->b + 24, (uint32_t)b->n);
}

static const char	 group[] = "testbed-group";

/*
 * HDR, SA, KE, Ni, IDii, VID* --> : aggressive mode, first message (iOS
 * Cisco IPSec with a group name, or Android IPSec Xauth PSK with an
 * identifier: one DH group, ID_KEY_ID, XAUTH and Unity VIDs).
 */
static void
build_am1(struct bld *b)
{
	static const uint8_t	 xf[] = { P1XF(0, 1, 2) };
	static const uint8_t	 vx[] = { VID_XAUTH }, vu[] = { VID_UNITY };
	uint8_t			 ke[256], ni[16];

	memset(ke, 0x5a, sizeof(ke));
	memset(ni, 0x6b, sizeof(ni));
	hdr(b, IKEV1_PL_SA, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	gen(b, IKEV1_PL_KE, 8 + 8 + sizeof(xf));
	put32(b, IKEV1_DOI_IPSEC);
	put32(b, IKEV1_SIT_IDENTITY_ONLY);
	put8(b, 0); put8(b, 0); put16(b, 8 + sizeof(xf));
	put8(b, 1); put8(b, IKEV1_PROTO_ISAKMP); put8(b, 0); put8(b, 1);
	put(b, xf, sizeof(xf));
	gen(b, IKEV1_PL_NONCE, sizeof(ke));
	put(b, ke, sizeof(ke));
	gen(b, IKEV1_PL_ID, sizeof(ni));
	put(b, ni, sizeof(ni));
	gen(b, IKEV1_PL_VID, 4 + strlen(group));
	put8(b, IKEV1_ID_KEY_ID); put8(b, 17); put16(b, 500);
	put(b, group, strlen(group));
	gen(b, IKEV1_PL_VID, sizeof(vx));
	put(b, vx, sizeof(vx));
	gen(b, IKEV1_PL_NONE, sizeof(vu));
	put(b, vu, sizeof(vu));
	fix_len(b);
}

/*
 * HDR*, HASH(1), SA, Ni, IDci, IDcr --> : a quick-mode body as decrypted
 * (iOS XAuth: ESP AES-256/SHA-1 and 3DES/SHA-1, UDP-encapsulated tunnel,
 * 3600 s; local 10.10.0.5, remote 0.0.0.0/0), followed by 3 bytes of CBC
 * padding.
 */
static void
build_qm(struct bld *b)
{
	uint8_t		 h[20], ni[16];

	memset(h, 0x11, sizeof(h));
	memset(ni, 0x22, sizeof(ni));
	b->n = 0;
	gen(b, IKEV1_PL_SA, sizeof(h));
	put(b, h, sizeof(h));
	/* SA: 8 + P(12 + T 28 + T 28) */
	gen(b, IKEV1_PL_NONCE, 8 + 12 + 28 + 28);
	put32(b, 1); put32(b, 1);
	put8(b, 0); put8(b, 0); put16(b, 12 + 28 + 28);
	put8(b, 1); put8(b, IKEV1_PROTO_ESP); put8(b, 4); put8(b, 2);
	put32(b, 0xc0ffee01);
	/* T#1 ESP_AES (12), 256 bits: life s 3600, encap 3, auth 2, keylen */
	put8(b, 3); put8(b, 0); put16(b, 28);
	put8(b, 1); put8(b, 12); put16(b, 0);
	put16(b, 0x8001); put16(b, 1); put16(b, 0x8002); put16(b, 3600);
	put16(b, 0x8004); put16(b, 3); put16(b, 0x8005); put16(b, 2);
	put16(b, 0x8006); put16(b, 256);
	/* T#2 ESP_3DES (3): life s as a 4-byte TLV 86400, encap 3, auth 2 */
	put8(b, 0); put8(b, 0); put16(b, 28);
	put8(b, 2); put8(b, 3); put16(b, 0);
	put16(b, 0x8001); put16(b, 1); put16(b, 2); put16(b, 4);
	put32(b, 86400);
	put16(b, 0x8004); put16(b, 3); put16(b, 0x8005); put16(b, 2);
	gen(b, IKEV1_PL_ID, sizeof(ni));
	put(b, ni, sizeof(ni));
	gen(b, IKEV1_PL_ID, 8);
	put8(b, IKEV1_ID_IPV4_ADDR); put8(b, 0); put16(b, 0);
	put8(b, 10); put8(b, 10); put8(b, 0); put8(b, 5);
	gen(b, IKEV1_PL_NONE, 12);
	put8(b, IKEV1_ID_IPV4_ADDR_SUBNET); put8(b, 0); put16(b, 0);
	put32(b, 0); put32(b, 0);
	put8(b, 0); put8(b, 0); put8(b, 2);	/* padding */
}

/* HDR*, HASH, ATTR(CFG_REQUEST) --> as iOS asks (racoon
 * isakmp_cfg_getconfig): empty TLVs naming what it wants. */
static const uint16_t req_attrs[] = {
	IKEV1_CFG_INTERNAL_IP4_ADDRESS, IKEV1_CFG_INTERNAL_IP4_NETMASK,
	IKEV1_CFG_INTERNAL_IP4_DNS, IKEV1_CFG_INTERNAL_IP4_NBNS,
	IKEV1_CFG_INTERNAL_ADDRESS_EXPIRY, IKEV1_CFG_APPLICATION_VERSION,
	IKEV1_CFG_UNITY_BANNER, IKEV1_CFG_UNITY_DEF_DOMAIN,
	IKEV1_CFG_UNITY_SPLITDNS_NAME, IKEV1_CFG_UNITY_SPLIT_INCLUDE,
	IKEV1_CFG_UNITY_LOCAL_LAN,
};
#define NREQ	(sizeof(req_attrs) / sizeof(req_attrs[0]))

static void
build_cfg_req(struct bld *b)
{
	uint8_t		 h[32];

	memset(h, 0x33, sizeof(h));
	b->n = 0;
	gen(b, IKEV1_PL_ATTR, sizeof(h));
	put(b, h, sizeof(h));
	gen(b, IKEV1_PL_NONE, 4 + 4 * NREQ);
	put8(b, IKEV1_CFG_REQUEST); put8(b, 0); put16(b, 0x1234);
	for (size_t i = 0; i < NREQ; i++) {
		put16(b, req_attrs[i]);
		put16(b, 0);
	}
}

/* HDR*, HASH, ATTR(CFG_REPLY: XAUTH_TYPE generic, name, password) --> */
static void
build_xauth_reply(struct bld *b)
{
	uint8_t		 h[20];

	memset(h, 0x44, sizeof(h));
	b->n = 0;
	gen(b, IKEV1_PL_ATTR, sizeof(h));
	put(b, h, sizeof(h));
	gen(b, IKEV1_PL_NONE, 4 + 4 + 4 + 5 + 4 + 6);
	put8(b, IKEV1_CFG_REPLY); put8(b, 0); put16(b, 0xbeef);
	put16(b, 0x8000 | IKEV1_CFG_XAUTH_TYPE); put16(b, 0);
	put16(b, IKEV1_CFG_XAUTH_USER_NAME); put16(b, 5);
	put(b, "alice", 5);
	put16(b, IKEV1_CFG_XAUTH_USER_PASSWORD); put16(b, 6);
	put(b, "s3cret", 6);
}

/*
 * A full decode as the engine will do it: chain, then every payload's
 * own decoder.  Returns -1 on the first refusal.
 */
static int
decode_all(struct ikev1_msg *m)
{
	static struct ikev1_sa	 sa;
	static struct ikev1_cfg	 cfg;
	const char		*why = NULL;

	for (size_t i = 0; i < m->npl; i++) {
		struct rg_rd		 r;
		struct ikev1_id		 id;
		struct ikev1_notify	 n;
		struct ikev1_delete	 d;
		struct ikev1_cert	 c;
		struct ikev1_natoa	 oa;
		struct ikev1_frag	 f;
		const uint8_t		*p;
		size_t			 len;
		int			 rc = 0;

		rg_rd_init(&r, m->pl[i].body, m->pl[i].len);
		switch (m->pl[i].type) {
		case IKEV1_PL_SA: rc = ikev1_sa_decode(&r, &sa, &why); break;
		case IKEV1_PL_ID: rc = ikev1_id_decode(&r, &id, &why); break;
		case IKEV1_PL_NONCE:
			rc = ikev1_nonce_decode(&r, &p, &len, &why);
			break;
		case IKEV1_PL_N: rc = ikev1_notify_decode(&r, &n, &why); break;
		case IKEV1_PL_D: rc = ikev1_delete_decode(&r, &d, &why); break;
		case IKEV1_PL_CERT:
		case IKEV1_PL_CR: rc = ikev1_cert_decode(&r, &c, &why); break;
		case IKEV1_PL_NATOA:
		case IKEV1_PL_NATOA_DRAFT:
			rc = ikev1_natoa_decode(&r, &oa, &why);
			break;
		case IKEV1_PL_ATTR:
			rc = ikev1_cfg_decode(&r, &cfg, &why);
			break;
		case IKEV1_PL_FRAG: rc = ikev1_frag_decode(&r, &f, &why); break;
		case IKEV1_PL_VID:
			/* every VID in these messages is one we know */
			if (ikev1_vid_lookup(m->pl[i].body, m->pl[i].len) ==
			    IKEV1_VID_UNKNOWN)
				rc = -1;
			break;
		}
		if (rc < 0) {
			CHECK(why != NULL || m->pl[i].type == IKEV1_PL_VID);
			return -1;
		}
	}
	return 0;
}

static int
decode_msg(const uint8_t *p, size_t len, struct ikev1_msg *m)
{
	const char	*why = NULL;

	if (ikev1_msg_decode(p, len, m, &why) < 0) {
		CHECK(why != NULL);
		return -1;
	}
	return decode_all(m);
}

static int
decode_body(const uint8_t *p, size_t len, uint8_t first, struct ikev1_msg *m)
{
	const char	*why = NULL;

	memset(m, 0, sizeof(*m));
	if (ikev1_body_decode(m, first, p, len, &why) < 0) {
		CHECK(why != NULL);
		return -1;
	}
	return decode_all(m);
}

static void
main_mode_first(void)
{
	static struct ikev1_msg	 m;
	static struct ikev1_sa	 sa;
	struct rg_rd		 r;
	const char		*why = NULL;
	char			 s[256];

	CHECK_EQ(sizeof(mm1), 260);
	CHECK_EQ(decode_msg(mm1, sizeof(mm1), &m), 0);
	CHECK_EQ(m.hdr.exch, IKEV1_EXCH_MAIN);
	CHECK_EQ(m.hdr.ck_i[7], 8);
	CHECK_EQ(m.npl, 6);
	CHECK_EQ(ikev1_msg_count(&m, IKEV1_PL_VID), 5);
	CHECK_EQ(ikev1_vid_lookup(m.pl[1].body, m.pl[1].len),
	    IKEV1_VID_NATT_RFC3947);
	CHECK_EQ(ikev1_vid_lookup(m.pl[2].body, m.pl[2].len),
	    IKEV1_VID_NATT_APPLE);
	CHECK(ikev1_vid_is_natt(ikev1_vid_lookup(m.pl[3].body, m.pl[3].len)));
	CHECK_EQ(ikev1_vid_lookup(m.pl[4].body, m.pl[4].len),
	    IKEV1_VID_FRAGMENTATION);
	CHECK_EQ(ikev1_vid_lookup(m.pl[5].body, m.pl[5].len), IKEV1_VID_DPD);
	rg_rd_init(&r, m.pl[0].body, m.pl[0].len);
	CHECK_EQ(ikev1_sa_decode(&r, &sa, &why), 0);
	CHECK_EQ(sa.nprop, 1);
	CHECK_EQ(sa.prop[0].nxf, 3);
	CHECK_EQ(sa.prop[0].xf[0].encr, 7);
	CHECK_EQ(sa.prop[0].xf[0].keylen, 256);
	CHECK_EQ(sa.prop[0].xf[0].hash, 4);
	CHECK_EQ(sa.prop[0].xf[0].auth, IKEV1_AUTH_XAUTH_INIT_PSK);
	CHECK_EQ(sa.prop[0].xf[0].group, 14);
	CHECK_EQ(sa.prop[0].xf[0].life_s, 3600);
	CHECK_EQ(sa.prop[0].xf[0].unknown_attr, 0);
	CHECK_EQ(sa.prop[0].xf[2].num, 3);
	ikev1_sa_str(&sa, s, sizeof(s));
	CHECK_STR(s, "aes256-sha256-modp2048, aes256-sha1-modp2048, "
	    "aes256-sha512-modp2048");
}

static void
aggressive_first(void)
{
	static struct bld	 b;
	static struct ikev1_msg	 m;
	static struct ikev1_sa	 sa;
	const struct ikev1_pl	*pl;
	struct ikev1_id		 id;
	struct rg_rd		 r;
	const char		*why;
	char			 s[128];

	build_am1(&b);
	CHECK_EQ(decode_msg(b.b, b.n, &m), 0);
	CHECK_EQ(m.hdr.exch, IKEV1_EXCH_AGGRESSIVE);
	CHECK_EQ(m.npl, 6);
	CHECK((pl = ikev1_msg_find(&m, IKEV1_PL_KE)) != NULL);
	CHECK_EQ(pl->len, 256);
	CHECK((pl = ikev1_msg_find(&m, IKEV1_PL_ID)) != NULL);
	rg_rd_init(&r, pl->body, pl->len);
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(id.type, IKEV1_ID_KEY_ID);
	CHECK_EQ(id.proto, 17);
	CHECK_EQ(id.port, 500);
	CHECK_EQ(id.len, strlen(group));
	CHECK_MEM(id.data, group, id.len);
	CHECK_EQ(id.body_len, 4 + strlen(group));
	CHECK_EQ(ikev1_vid_lookup(m.pl[4].body, m.pl[4].len), IKEV1_VID_XAUTH);
	CHECK_EQ(ikev1_vid_lookup(m.pl[5].body, m.pl[5].len),
	    IKEV1_VID_CISCO_UNITY);
	rg_rd_init(&r, m.pl[0].body, m.pl[0].len);
	CHECK_EQ(ikev1_sa_decode(&r, &sa, &why), 0);
	ikev1_xf_str(IKEV1_PROTO_ISAKMP, &sa.prop[0].xf[0], s, sizeof(s));
	CHECK_STR(s, "aes256-sha1-modp2048");
}

static void
quick_mode_body(void)
{
	static struct bld	 b;
	static struct ikev1_msg	 m;
	static struct ikev1_sa	 sa;
	struct ikev1_id		 id;
	struct ikev1_id_net	 net;
	struct rg_rd		 r;
	const char		*why;
	char			 s[128];

	build_qm(&b);
	CHECK_EQ(decode_body(b.b, b.n, IKEV1_PL_HASH, &m), 0);
	CHECK_EQ(m.npl, 5);
	CHECK_EQ(m.pl[0].type, IKEV1_PL_HASH);
	CHECK_EQ(m.pl[0].len, 20);
	rg_rd_init(&r, m.pl[1].body, m.pl[1].len);
	CHECK_EQ(ikev1_sa_decode(&r, &sa, &why), 0);
	CHECK_EQ(sa.prop[0].proto, IKEV1_PROTO_ESP);
	CHECK_EQ(sa.prop[0].spi_len, 4);
	CHECK_EQ(rg_get_u32(sa.prop[0].spi), 0xc0ffee01);
	CHECK_EQ(sa.prop[0].xf[0].id, 12);
	CHECK_EQ(sa.prop[0].xf[0].keylen, 256);
	CHECK_EQ(sa.prop[0].xf[0].encap, IKEV1_ENCAP_UDP_TUNNEL);
	CHECK_EQ(sa.prop[0].xf[0].auth_alg, 2);
	CHECK_EQ(sa.prop[0].xf[0].life_s, 3600);
	CHECK_EQ(sa.prop[0].xf[1].life_s, 86400);
	ikev1_sa_str(&sa, s, sizeof(s));
	CHECK_STR(s, "aes256-sha1, 3des-sha1");
	rg_rd_init(&r, m.pl[3].body, m.pl[3].len);
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(ikev1_id_net(&id, &net, &why), 0);
	CHECK_EQ(net.af, AF_INET);
	CHECK_MEM(net.lo, "\x0a\x0a\x00\x05", 4);
	CHECK_MEM(net.hi, "\x0a\x0a\x00\x05", 4);
	rg_rd_init(&r, m.pl[4].body, m.pl[4].len);
	CHECK_EQ(ikev1_id_decode(&r, &id, &why), 0);
	CHECK_EQ(ikev1_id_net(&id, &net, &why), 0);
	CHECK_MEM(net.lo, "\0\0\0\0", 4);
	CHECK_MEM(net.hi, "\xff\xff\xff\xff", 4);
	/* Padding is allowed in a body, never in a plain message. */
	CHECK_EQ(decode_body(b.b, b.n - 3, IKEV1_PL_HASH, &m), 0);
}

/* Decode, encode again (HASH + ATTR), same bytes. */
static void
cfg_roundtrip(struct bld *b, uint8_t type, size_t nattr)
{
	static struct ikev1_msg	 m;
	static struct ikev1_cfg	 cfg;
	static uint8_t		 out[1024];
	struct ikev1_enc	 e;
	struct rg_rd		 r;
	const char		*why;

	CHECK_EQ(decode_body(b->b, b->n, IKEV1_PL_HASH, &m), 0);
	CHECK_EQ(m.npl, 2);
	rg_rd_init(&r, m.pl[1].body, m.pl[1].len);
	CHECK_EQ(ikev1_cfg_decode(&r, &cfg, &why), 0);
	CHECK_EQ(cfg.type, type);
	CHECK_EQ(cfg.nattr, nattr);
	ikev1_enc_body(&e, out, sizeof(out));
	ikev1_put_hash(&e, m.pl[0].body, m.pl[0].len);
	ikev1_put_cfg(&e, &cfg);
	CHECK_EQ(ikev1_enc_finish(&e), (long)b->n);
	CHECK_EQ(e.first, IKEV1_PL_HASH);
	CHECK_MEM(out, b->b, b->n);
}

static void
mode_config_request(void)
{
	static struct bld	 b;
	static struct ikev1_cfg	 cfg;
	struct rg_rd		 r;
	const char		*why;

	build_cfg_req(&b);
	cfg_roundtrip(&b, IKEV1_CFG_REQUEST, NREQ);
	rg_rd_init(&r, b.b + 36 + 4, b.n - 40);
	CHECK_EQ(ikev1_cfg_decode(&r, &cfg, &why), 0);
	CHECK_EQ(cfg.ident, 0x1234);
	CHECK(ikev1_cfg_find(&cfg, IKEV1_CFG_UNITY_SPLIT_INCLUDE) != NULL);
	CHECK(ikev1_cfg_find(&cfg, IKEV1_CFG_UNITY_SAVE_PASSWD) == NULL);
	CHECK_EQ(cfg.attr[0].len, 0);
	CHECK(!cfg.attr[0].tv);
}

static void
xauth_reply(void)
{
	static struct bld	 b;
	static struct ikev1_cfg	 cfg;
	const struct ikev1_attr	*a;
	struct rg_rd		 r;
	const char		*why;

	build_xauth_reply(&b);
	cfg_roundtrip(&b, IKEV1_CFG_REPLY, 3);
	rg_rd_init(&r, b.b + 24 + 4, b.n - 28);
	CHECK_EQ(ikev1_cfg_decode(&r, &cfg, &why), 0);
	CHECK_EQ(cfg.ident, 0xbeef);
	CHECK((a = ikev1_cfg_find(&cfg, IKEV1_CFG_XAUTH_TYPE)) != NULL);
	CHECK(a->tv);
	CHECK_EQ(a->val, 0);
	CHECK((a = ikev1_cfg_find(&cfg, IKEV1_CFG_XAUTH_USER_NAME)) != NULL);
	CHECK_EQ(a->len, 5);
	CHECK_MEM(a->data, "alice", 5);
	CHECK((a = ikev1_cfg_find(&cfg, IKEV1_CFG_XAUTH_USER_PASSWORD)) !=
	    NULL);
	CHECK_EQ(a->len, 6);
}

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

/* With flag E the body stays opaque: header only, no chain walked. */
static void
encrypted_opaque(void)
{
	static struct ikev1_msg	 m;
	uint8_t			 msg[28 + 32];
	const char		*why;

	memset(msg, 0xee, sizeof(msg));
	memcpy(msg, mm1, 28);
	msg[16] = IKEV1_PL_HASH;
	msg[19] = IKEV1_FLAG_E;
	rg_put_u32(msg + 24, sizeof(msg));
	CHECK_EQ(ikev1_msg_decode(msg, sizeof(msg), &m, &why), 0);
	CHECK_EQ(m.npl, 0);
	CHECK_EQ(m.bodylen, 32);
	CHECK(m.body == msg + 28);
	msg[19] = 0;	/* the same bytes as a chain are garbage */
	CHECK_EQ(ikev1_msg_decode(msg, sizeof(msg), &m, &why), -1);
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

/* Each VID equals MD5 of its published string (RFC 3947 4, the NAT-T
 * drafts, the XAuth draft, Cisco Unity, FRAGMENTATION, Microsoft). */
#define NATT_DRAFT	"draft-ietf-ipsec-nat-t-ike"

static void
vid_table(void)
{
	static const struct {
		enum ikev1_vid	 vid;
		const char	*s;
		size_t		 cmp;		/* bytes equal to the MD5 */
	} t[] = {
		{ IKEV1_VID_NATT_RFC3947, "RFC 3947", 16 },
		{ IKEV1_VID_NATT_APPLE, NATT_DRAFT, 16 },
		{ IKEV1_VID_NATT_DRAFT_02, NATT_DRAFT "-02", 16 },
		{ IKEV1_VID_NATT_DRAFT_02N, NATT_DRAFT "-02\n", 16 },
		{ IKEV1_VID_NATT_DRAFT_03, NATT_DRAFT "-03", 16 },
		{ IKEV1_VID_NATT_DRAFT_04, NATT_DRAFT "-04", 16 },
		{ IKEV1_VID_NATT_DRAFT_05, NATT_DRAFT "-05", 16 },
		{ IKEV1_VID_NATT_DRAFT_06, NATT_DRAFT "-06", 16 },
		{ IKEV1_VID_NATT_DRAFT_07, NATT_DRAFT "-07", 16 },
		{ IKEV1_VID_NATT_DRAFT_08, NATT_DRAFT "-08", 16 },
		{ IKEV1_VID_XAUTH, "draft-ietf-ipsra-isakmp-xauth-06.txt", 8 },
		{ IKEV1_VID_CISCO_UNITY, "CISCO-UNITY", 14 },
		{ IKEV1_VID_FRAGMENTATION, "FRAGMENTATION", 16 },
		{ IKEV1_VID_MS_NT5, "MS NT5 ISAKMPOAKLEY", 16 },
		{ IKEV1_VID_MS_NEG_DISCOVERY,
		    "MS-Negotiation Discovery Capable", 16 },
		{ IKEV1_VID_MS_IKE_CGA1, "IKE CGA version 1", 16 },
		{ IKEV1_VID_MS_INITIAL_CONTACT, "Vid-Initial-Contact", 16 },
		{ IKEV1_VID_MS_MAMIE_EXISTS, "MS-MamieExists", 16 },
	};
	static const uint8_t	 dpd[] = { VID_DPD }, unity[] = { VID_UNITY };
	uint8_t			 md[EVP_MAX_MD_SIZE], v[32];
	unsigned int		 mdlen;
	const uint8_t		*p;
	size_t			 len;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(EVP_Digest(t[i].s, strlen(t[i].s), md, &mdlen, EVP_md5(),
		    NULL) == 1);
		p = ikev1_vid_bytes(t[i].vid, &len);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		CHECK(len >= t[i].cmp);
		CHECK_MEM(p, md, t[i].cmp);
		CHECK_EQ(ikev1_vid_lookup(p, len), t[i].vid);
		/* The MD5 alone names it where the exact form is 16. */
		if (len == 16 && t[i].cmp == 16)
			CHECK_EQ(ikev1_vid_lookup(md, 16), t[i].vid);
	}
	/* RFC 3706 2: the DPD VID and its version bytes 1.0. */
	p = ikev1_vid_bytes(IKEV1_VID_DPD, &len);
	CHECK_EQ(len, 16);
	CHECK_MEM(p, dpd, 16);
	p = ikev1_vid_bytes(IKEV1_VID_CISCO_UNITY, &len);
	CHECK_MEM(p, unity, 16);
	/* FRAGMENTATION with any capability word, Windows with a version. */
	EVP_Digest("FRAGMENTATION", 13, md, &mdlen, EVP_md5(), NULL);
	memcpy(v, md, 16);
	memcpy(v + 16, "\x40\0\0\0", 4);
	CHECK_EQ(ikev1_vid_lookup(v, 20), IKEV1_VID_FRAGMENTATION);
	EVP_Digest("MS NT5 ISAKMPOAKLEY", 19, md, &mdlen, EVP_md5(), NULL);
	memcpy(v, md, 16);
	memcpy(v + 16, "\0\0\0\x09", 4);
	CHECK_EQ(ikev1_vid_lookup(v, 20), IKEV1_VID_MS_NT5);
	/* A NAT-T VID with a byte more, or cut, is not NAT-T. */
	EVP_Digest("RFC 3947", 8, md, &mdlen, EVP_md5(), NULL);
	memcpy(v, md, 16);
	v[16] = 0;
	CHECK_EQ(ikev1_vid_lookup(v, 17), IKEV1_VID_UNKNOWN);
	CHECK_EQ(ikev1_vid_lookup(v, 15), IKEV1_VID_UNKNOWN);
	CHECK_STR(ikev1_vid_name(IKEV1_VID_DPD), "DPD");
}

static void
names(void)
{
	CHECK_STR(ikev1_payload_name(IKEV1_PL_NATD_DRAFT), "NATD_DRAFT");
	CHECK_STR(ikev1_payload_name(IKEV1_PL_FRAG), "FRAG");
	CHECK_STR(ikev1_payload_name(99), "UNKNOWN");
	CHECK_STR(ikev1_exch_name(IKEV1_EXCH_QUICK), "QUICK");
	CHECK_STR(ikev1_exch_name(IKEV1_EXCH_TRANSACTION), "TRANSACTION");
	CHECK_STR(ikev1_notify_name(24578), "INITIAL_CONTACT");
	CHECK_STR(ikev1_notify_name(24576), "RESPONDER_LIFETIME");
	CHECK_STR(ikev1_notify_name(36137), "R_U_THERE_ACK");
	CHECK_STR(ikev1_p1_attr_name(14), "KEY_LENGTH");
	CHECK_STR(ikev1_p2_attr_name(4), "ENCAP_MODE");
	CHECK_STR(ikev1_cfg_attr_name(28676), "UNITY_SPLIT_INCLUDE");
	CHECK_STR(ikev1_cfg_attr_name(16527), "XAUTH_STATUS");
	CHECK_STR(ikev1_auth_name(64221), "HYBRID_INIT_RSA");
	CHECK_STR(ikev1_auth_name(65005), "XAUTH_INIT_RSA");
	CHECK_STR(ikev1_id_name(11), "KEY_ID");
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

/* Legacy values get names too, so the log shows what a client offered. */
static void
proposal_text(void)
{
	struct ikev1_xf	 xf = { .encr = 1, .hash = 1, .group = 2 };
	char		 s[64];

	ikev1_xf_str(IKEV1_PROTO_ISAKMP, &xf, s, sizeof(s));
	CHECK_STR(s, "des-md5-modp1024");
	xf = (struct ikev1_xf){ .encr = 5, .hash = 2, .group = 5 };
	ikev1_xf_str(IKEV1_PROTO_ISAKMP, &xf, s, sizeof(s));
	CHECK_STR(s, "3des-sha1-modp1536");
	xf = (struct ikev1_xf){ .encr = 7, .keylen = 128, .hash = 2,
	    .group = 19 };
	ikev1_xf_str(IKEV1_PROTO_ISAKMP, &xf, s, sizeof(s));
	CHECK_STR(s, "aes128-sha1-ecp256");
	xf = (struct ikev1_xf){ .id = 12, .keylen = 128, .auth_alg = 5,
	    .group = 14 };
	ikev1_xf_str(IKEV1_PROTO_ESP, &xf, s, sizeof(s));
	CHECK_STR(s, "aes128-sha256-modp2048");
	xf = (struct ikev1_xf){ .id = 20, .keylen = 256 };
	ikev1_xf_str(IKEV1_PROTO_ESP, &xf, s, sizeof(s));
	CHECK_STR(s, "aes256gcm16");
	xf = (struct ikev1_xf){ .id = 3, .auth_alg = 1 };
	ikev1_xf_str(IKEV1_PROTO_ESP, &xf, s, sizeof(s));
	CHECK_STR(s, "3des-md5");
	/* A short buffer is cut, never overrun. */
	ikev1_xf_str(IKEV1_PROTO_ESP, &xf, s, 4);
	CHECK_STR(s, "3de");
}

RG_TEST_MAIN("ikev1_msg", T(main_mode_first), T(aggressive_first),
    T(quick_mode_body), T(mode_config_request), T(xauth_reply),
    T(encode_roundtrip), T(payload_roundtrip), T(encrypted_opaque),
    T(length_fields), T(truncations), T(payload_table),
    T(life_and_unknown), T(vid_table), T(names), T(proposal_text),
    T(cfg_encode), T(id_nets))
