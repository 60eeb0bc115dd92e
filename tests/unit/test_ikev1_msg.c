/*
 * test_ikev1_msg: the IKEv1 (ISAKMP) decoder on messages hand-assembled from
 * the formats of RFC 2408 3, RFC 2409 A, RFC 2407 4.5-4.6, RFC 3947 5 and
 * draft-dukes-ike-mode-cfg-02 3.2, shaped like what the clients of
 * ../shared/CLIENTS.md section 1 send: an iOS main-mode first message, an
 * iOS/Android aggressive-mode first message with ID_KEY_ID, a quick-mode
 * body, a mode-config REQUEST and an XAuth REPLY.  Each decodes; the
 * vendor-ID bytes equal MD5 of their strings; values get names.  The
 * encoders and malformed input: test_ikev1_enc.c.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "ikev1_msg.h"
#include "ikev1_msg_test_lib.h"
#include "rg_test.h"

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
    T(encrypted_opaque), T(vid_table), T(names), T(proposal_text))
