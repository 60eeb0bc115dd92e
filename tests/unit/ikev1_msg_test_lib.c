/*
 * ikev1_msg_test_lib.c: what the IKEv1 codec tests share: hand-assembly of
 * the longer client messages (aggressive mode, quick mode, mode-config
 * REQUEST, XAuth REPLY) and a full decode as the engine does it.
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ikev1_msg.h"
#include "ikev1_msg_test_lib.h"
#include "rg_test.h"

void
put(struct bld *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

void
put8(struct bld *b, unsigned int v)
{
	b->b[b->n++] = (uint8_t)v;
}

void
put16(struct bld *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

void
put32(struct bld *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

/* A generic payload header (RFC 2408 3.2) before len body bytes. */
void
gen(struct bld *b, unsigned int np, size_t body)
{
	put8(b, np);
	put8(b, 0);
	put16(b, (unsigned int)(body + 4));
}

void
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

void
fix_len(struct bld *b)
{
	rg_put_u32(b->b + 24, (uint32_t)b->n);
}


/*
 * HDR, SA, KE, Ni, IDii, VID* --> : aggressive mode, first message (iOS
 * Cisco IPSec with a group name, or Android IPSec Xauth PSK with an
 * identifier: one DH group, ID_KEY_ID, XAUTH and Unity VIDs).
 */
void
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
void
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


void
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
void
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
int
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

int
decode_msg(const uint8_t *p, size_t len, struct ikev1_msg *m)
{
	const char	*why = NULL;

	if (ikev1_msg_decode(p, len, m, &why) < 0) {
		CHECK(why != NULL);
		return -1;
	}
	return decode_all(m);
}

int
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
