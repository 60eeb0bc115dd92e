/*
 * ikev1_msg.c: the IKEv1 (ISAKMP) wire decoders.  Header and payload
 * chain (RFC 2408 3.1-3.2), SA/Proposal/Transform and data attributes
 * (3.3-3.6, RFC 2409 A, RFC 2407 4.5), ID (RFC 2407 4.6.2), CERT/CERTREQ
 * (3.9-3.10), NONCE (RFC 2409 5), Notification (3.14), Delete (3.15),
 * NAT-OA (RFC 3947 5.2), Attribute (draft-dukes-ike-mode-cfg-02 3.2), the
 * fragment payload, and the vendor-ID table.  Every length is checked
 * against the bytes left through struct rg_rd; a refusal names its reason.
 * Encoders and log names live in ikev1_enc.c.
 */
#include <string.h>
#include <sys/socket.h>

#include "ikev1_msg.h"

#define WHY(s)	do { if (why != NULL) *why = (s); } while (0)

/*
 * Vendor IDs.  Most are MD5 of a known string (computed and checked in
 * tests/unit/test_ikev1_msg.c): "RFC 3947", "draft-ietf-ipsec-nat-t-ike"
 * (Apple), "draft-ietf-ipsec-nat-t-ike-0N", "draft-ietf-ipsec-nat-t-ike-02\n",
 * "draft-ietf-ipsra-isakmp-xauth-06.txt" (first 8 bytes), "CISCO-UNITY"
 * (last two bytes replaced by version 1.0), "FRAGMENTATION" (followed by a
 * 4-byte capability word), "MS NT5 ISAKMPOAKLEY" (followed by a version),
 * "MS-Negotiation Discovery Capable", "IKE CGA version 1",
 * "Vid-Initial-Contact", "MS-MamieExists".  DPD is RFC 3706's fixed value.
 */
struct vid_ent {
	enum ikev1_vid	 vid;
	uint8_t		 len;		/* bytes we send */
	uint8_t		 match;		/* prefix compared on receipt */
	bool		 exact;		/* received length must equal len */
	uint8_t		 b[20];
};

static const struct vid_ent vids[] = {
	{ IKEV1_VID_NATT_RFC3947, 16, 16, true, { 0x4a, 0x13, 0x1c, 0x81,
	    0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95,
	    0x45, 0x2f } },
	{ IKEV1_VID_NATT_APPLE, 16, 16, true, { 0x4d, 0xf3, 0x79, 0x28,
	    0xe9, 0xfc, 0x4f, 0xd1, 0xb3, 0x26, 0x21, 0x70, 0xd5, 0x15,
	    0xc6, 0x62 } },
	{ IKEV1_VID_NATT_DRAFT_02, 16, 16, true, { 0xcd, 0x60, 0x46, 0x43,
	    0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6,
	    0xa4, 0x48 } },
	{ IKEV1_VID_NATT_DRAFT_02N, 16, 16, true, { 0x90, 0xcb, 0x80, 0x91,
	    0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42,
	    0x7b, 0x1f } },
	{ IKEV1_VID_NATT_DRAFT_03, 16, 16, true, { 0x7d, 0x94, 0x19, 0xa6,
	    0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52,
	    0x9d, 0x56 } },
	{ IKEV1_VID_NATT_DRAFT_04, 16, 16, true, { 0x99, 0x09, 0xb6, 0x4e,
	    0xed, 0x93, 0x7c, 0x65, 0x73, 0xde, 0x52, 0xac, 0xe9, 0x52,
	    0xfa, 0x6b } },
	{ IKEV1_VID_NATT_DRAFT_05, 16, 16, true, { 0x80, 0xd0, 0xbb, 0x3d,
	    0xef, 0x54, 0x56, 0x5e, 0xe8, 0x46, 0x45, 0xd4, 0xc8, 0x5c,
	    0xe3, 0xee } },
	{ IKEV1_VID_NATT_DRAFT_06, 16, 16, true, { 0x4d, 0x1e, 0x0e, 0x13,
	    0x6d, 0xea, 0xfa, 0x34, 0xc4, 0xf3, 0xea, 0x9f, 0x02, 0xec,
	    0x72, 0x85 } },
	{ IKEV1_VID_NATT_DRAFT_07, 16, 16, true, { 0x43, 0x9b, 0x59, 0xf8,
	    0xba, 0x67, 0x6c, 0x4c, 0x77, 0x37, 0xae, 0x22, 0xea, 0xb8,
	    0xf5, 0x82 } },
	{ IKEV1_VID_NATT_DRAFT_08, 16, 16, true, { 0x8f, 0x8d, 0x83, 0x82,
	    0x6d, 0x24, 0x6b, 0x6f, 0xc7, 0xa8, 0xa6, 0xa4, 0x28, 0xc1,
	    0x1d, 0xe8 } },
	{ IKEV1_VID_XAUTH, 8, 8, true, { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6,
	    0xb7, 0x12 } },
	{ IKEV1_VID_CISCO_UNITY, 16, 14, false, { 0x12, 0xf5, 0xf2, 0x8c,
	    0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc,
	    0x01, 0x00 } },
	{ IKEV1_VID_DPD, 16, 14, false, { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
	    0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 } },
	{ IKEV1_VID_FRAGMENTATION, 20, 16, false, { 0x40, 0x48, 0xb7, 0xd5,
	    0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6,
	    0xc2, 0xd3, 0x80, 0x00, 0x00, 0x00 } },
	{ IKEV1_VID_MS_NT5, 16, 16, false, { 0x1e, 0x2b, 0x51, 0x69, 0x05,
	    0x99, 0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4,
	    0x61 } },
	{ IKEV1_VID_MS_NEG_DISCOVERY, 16, 16, true, { 0xfb, 0x1d, 0xe3,
	    0xcd, 0xf3, 0x41, 0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe, 0x08,
	    0x55, 0xf1, 0x20 } },
	{ IKEV1_VID_MS_IKE_CGA1, 16, 16, true, { 0xe3, 0xa5, 0x96, 0x6a,
	    0x76, 0x37, 0x9f, 0xe7, 0x07, 0x22, 0x82, 0x31, 0xe5, 0xce,
	    0x86, 0x52 } },
	{ IKEV1_VID_MS_INITIAL_CONTACT, 16, 16, true, { 0x26, 0x24, 0x4d,
	    0x38, 0xed, 0xdb, 0x61, 0xb3, 0x17, 0x2a, 0x36, 0xe3, 0xd0,
	    0xcf, 0xb8, 0x19 } },
	{ IKEV1_VID_MS_MAMIE_EXISTS, 16, 16, true, { 0x21, 0x4c, 0xa4,
	    0xfa, 0xff, 0xa7, 0xf3, 0x2d, 0x67, 0x48, 0xe5, 0x30, 0x33,
	    0x95, 0xae, 0x83 } },
};

#define NVIDS	(sizeof(vids) / sizeof(vids[0]))

const uint8_t *
ikev1_vid_bytes(enum ikev1_vid v, size_t *len)
{
	for (size_t i = 0; i < NVIDS; i++)
		if (vids[i].vid == v) {
			*len = vids[i].len;
			return vids[i].b;
		}
	*len = 0;
	return NULL;
}

enum ikev1_vid
ikev1_vid_lookup(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < NVIDS; i++) {
		if (vids[i].exact ? len != vids[i].len : len < vids[i].match)
			continue;
		if (memcmp(p, vids[i].b, vids[i].match) == 0)
			return vids[i].vid;
	}
	return IKEV1_VID_UNKNOWN;
}

bool
ikev1_vid_is_natt(enum ikev1_vid v)
{
	return v >= IKEV1_VID_NATT_RFC3947 && v <= IKEV1_VID_NATT_DRAFT_08;
}

int
ikev1_hdr_decode(const uint8_t *p, size_t len, struct ikev1_hdr *h,
    const char **why)
{
	struct rg_rd	 r;

	rg_rd_init(&r, p, len);
	rg_rd_bytes(&r, h->ck_i, 8);
	rg_rd_bytes(&r, h->ck_r, 8);
	rg_rd_u8(&r, &h->np);
	rg_rd_u8(&r, &h->version);
	rg_rd_u8(&r, &h->exch);
	rg_rd_u8(&r, &h->flags);
	rg_rd_u32(&r, &h->msgid);
	rg_rd_u32(&r, &h->length);
	if (r.err) {
		WHY("shorter than the ISAKMP header");
		return -1;
	}
	/* RFC 2408 5.1: major version 1; a later minor is still ours. */
	if ((h->version >> 4) != 1) {
		WHY("major version is not 1");
		return -1;
	}
	/* RFC 2408 3.1: only E, C and A are defined. */
	if (h->flags & ~(IKEV1_FLAG_E | IKEV1_FLAG_C | IKEV1_FLAG_A)) {
		WHY("undefined header flag set");
		return -1;
	}
	if (h->length != len) {
		WHY("header length differs from the datagram");
		return -1;
	}
	return 0;
}

/* Walk a chain; trailing bytes up to max_pad are allowed (0: none). */
static int
chain_decode(struct ikev1_msg *m, uint8_t np, const uint8_t *p, size_t len,
    size_t max_pad, const char **why)
{
	struct rg_rd	 r;

	rg_rd_init(&r, p, len);
	while (np != IKEV1_PL_NONE) {
		uint8_t		 next, rsv;
		uint16_t	 plen;
		struct ikev1_pl	*pl;

		rg_rd_u8(&r, &next);
		rg_rd_u8(&r, &rsv);
		rg_rd_u16(&r, &plen);
		if (r.err) {
			WHY("truncated generic payload header");
			return -1;
		}
		if (plen < 4) {
			WHY("payload length below 4");
			return -1;
		}
		if (rg_rd_left(&r) < (size_t)plen - 4) {
			WHY("payload length past the message end");
			return -1;
		}
		/* Proposal and transform live only inside an SA. */
		if (np == IKEV1_PL_P || np == IKEV1_PL_T) {
			WHY("proposal or transform outside an SA payload");
			return -1;
		}
		if (m->npl >= IKEV1_MAX_PL) {
			WHY("too many payloads");
			return -1;
		}
		pl = &m->pl[m->npl++];
		pl->type = np;
		pl->len = (size_t)plen - 4;
		pl->body = rg_rd_ptr(&r, pl->len);
		np = next;
	}
	if (rg_rd_left(&r) > max_pad) {
		WHY("bytes after the last payload");
		return -1;
	}
	return 0;
}

int
ikev1_msg_decode(const uint8_t *p, size_t len, struct ikev1_msg *m,
    const char **why)
{
	memset(m, 0, sizeof(*m));
	m->raw = p;
	m->rawlen = len;
	if (ikev1_hdr_decode(p, len, &m->hdr, why) < 0)
		return -1;
	m->body = p + IKEV1_HDR_LEN;
	m->bodylen = len - IKEV1_HDR_LEN;
	if (m->hdr.flags & IKEV1_FLAG_E)
		return 0;
	return chain_decode(m, m->hdr.np, m->body, m->bodylen, 0, why);
}

int
ikev1_body_decode(struct ikev1_msg *m, uint8_t first, const uint8_t *p,
    size_t len, const char **why)
{
	m->npl = 0;
	return chain_decode(m, first, p, len, 255, why);
}

const struct ikev1_pl *
ikev1_msg_find(const struct ikev1_msg *m, uint8_t type)
{
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

size_t
ikev1_msg_count(const struct ikev1_msg *m, uint8_t type)
{
	size_t	 n = 0;

	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			n++;
	return n;
}

int
ikev1_attr_decode(struct rg_rd *r, struct ikev1_attr *a)
{
	uint16_t	 t, v;

	rg_rd_u16(r, &t);
	rg_rd_u16(r, &v);
	a->type = t & 0x7fff;
	a->tv = (t & 0x8000) != 0;
	a->val = 0;
	a->data = NULL;
	a->len = 0;
	if (a->tv) {
		a->val = v;
	} else {
		a->len = v;
		a->data = rg_rd_ptr(r, v);
		if (a->data != NULL && v >= 1 && v <= 8)
			for (size_t i = 0; i < v; i++)
				a->val = a->val << 8 | a->data[i];
	}
	return r->err ? -1 : 0;
}

/* A class with a numeric value: TV, or TLV of 1 to 8 bytes. */
static int
attr_num(const struct ikev1_attr *a, uint64_t max, uint64_t *v,
    const char **why)
{
	if (!a->tv && (a->len < 1 || a->len > 8)) {
		WHY("attribute value length not 1 to 8");
		return -1;
	}
	if (a->val > max) {
		WHY("attribute value out of range");
		return -1;
	}
	*v = a->val;
	return 0;
}

/* Life Duration follows the Life Type it measures (RFC 2409 A). */
static int
set_life(struct ikev1_xf *xf, uint16_t life_type, uint64_t v,
    const char **why)
{
	uint32_t	 d = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;

	if (life_type == IKEV1_LIFE_SECONDS)
		xf->life_s = d;
	else if (life_type == IKEV1_LIFE_KILOBYTES)
		xf->life_kb = d;
	else {
		WHY("life duration without a known life type");
		return -1;
	}
	return 0;
}

static int
xf_attrs(uint8_t proto, struct rg_rd *r, struct ikev1_xf *xf,
    const char **why)
{
	uint16_t	 life_type = 0;
	uint64_t	 v;

	while (rg_rd_left(r) > 0) {
		struct ikev1_attr	 a;
		uint16_t		*dst = NULL;

		if (ikev1_attr_decode(r, &a) < 0) {
			WHY("truncated transform attribute");
			return -1;
		}
		if (proto == IKEV1_PROTO_ISAKMP) {
			switch (a.type) {
			case IKEV1_P1_ENCR:		dst = &xf->encr; break;
			case IKEV1_P1_HASH:		dst = &xf->hash; break;
			case IKEV1_P1_AUTH_METHOD:	dst = &xf->auth; break;
			case IKEV1_P1_GROUP_DESC:	dst = &xf->group; break;
			case IKEV1_P1_KEY_LENGTH:
				dst = &xf->keylen;
				break;
			case IKEV1_P1_LIFE_TYPE:
				if (attr_num(&a, UINT16_MAX, &v, why) < 0)
					return -1;
				life_type = (uint16_t)v;
				continue;
			case IKEV1_P1_LIFE_DURATION:
				if (attr_num(&a, UINT64_MAX, &v, why) < 0 ||
				    set_life(xf, life_type, v, why) < 0)
					return -1;
				continue;
			}
		} else {
			switch (a.type) {
			case IKEV1_P2_GROUP_DESC:	dst = &xf->group; break;
			case IKEV1_P2_ENCAP_MODE:
				dst = &xf->encap;
				break;
			case IKEV1_P2_AUTH_ALG:
				dst = &xf->auth_alg;
				break;
			case IKEV1_P2_KEY_LENGTH:
				dst = &xf->keylen;
				break;
			case IKEV1_P2_SA_LIFE_TYPE:
				if (attr_num(&a, UINT16_MAX, &v, why) < 0)
					return -1;
				life_type = (uint16_t)v;
				continue;
			case IKEV1_P2_SA_LIFE_DURATION:
				if (attr_num(&a, UINT64_MAX, &v, why) < 0 ||
				    set_life(xf, life_type, v, why) < 0)
					return -1;
				continue;
			}
		}
		if (dst == NULL) {
			if (xf->unknown_attr == 0)
				xf->unknown_attr = a.type;
			continue;
		}
		if (attr_num(&a, UINT16_MAX, &v, why) < 0)
			return -1;
		*dst = (uint16_t)v;
	}
	return 0;
}

static int
xf_decode(uint8_t proto, struct rg_rd *r, bool last, struct ikev1_xf *xf,
    const char **why)
{
	uint8_t		 np, rsv8;
	uint16_t	 tlen, rsv16;
	struct rg_rd	 sub;

	memset(xf, 0, sizeof(*xf));
	rg_rd_u8(r, &np);
	rg_rd_u8(r, &rsv8);
	rg_rd_u16(r, &tlen);
	if (r->err) {
		WHY("truncated transform header");
		return -1;
	}
	if (np != (last ? IKEV1_PL_NONE : IKEV1_PL_T)) {
		WHY("transform next-payload is not T or NONE as counted");
		return -1;
	}
	if (tlen < 8 || rg_rd_sub(r, (size_t)tlen - 4, &sub) < 0) {
		WHY("transform length below 8 or past its proposal");
		return -1;
	}
	xf->raw = sub.cur;
	xf->rawlen = rg_rd_left(&sub);
	rg_rd_u8(&sub, &xf->num);
	rg_rd_u8(&sub, &xf->id);
	rg_rd_u16(&sub, &rsv16);
	return xf_attrs(proto, &sub, xf, why);
}

static int
prop_decode(struct rg_rd *r, bool *last, struct ikev1_prop *p,
    const char **why)
{
	uint8_t		 np, rsv, ntrans;
	uint16_t	 plen;
	struct rg_rd	 sub;

	rg_rd_u8(r, &np);
	rg_rd_u8(r, &rsv);
	rg_rd_u16(r, &plen);
	if (r->err) {
		WHY("truncated proposal header");
		return -1;
	}
	if (np != IKEV1_PL_P && np != IKEV1_PL_NONE) {
		WHY("proposal next-payload is not P or NONE");
		return -1;
	}
	*last = np == IKEV1_PL_NONE;
	if (plen < 8 || rg_rd_sub(r, (size_t)plen - 4, &sub) < 0) {
		WHY("proposal length below 8 or past its SA");
		return -1;
	}
	rg_rd_u8(&sub, &p->num);
	rg_rd_u8(&sub, &p->proto);
	rg_rd_u8(&sub, &p->spi_len);
	rg_rd_u8(&sub, &ntrans);
	if (sub.err || p->spi_len > IKEV1_MAX_SPI) {
		WHY("proposal SPI longer than 16");
		return -1;
	}
	if (rg_rd_bytes(&sub, p->spi, p->spi_len) < 0) {
		WHY("proposal SPI past the proposal");
		return -1;
	}
	if (ntrans == 0) {
		WHY("proposal without transforms");
		return -1;
	}
	if (ntrans > IKEV1_MAX_XF) {
		WHY("too many transforms in a proposal");
		return -1;
	}
	p->nxf = 0;
	for (unsigned int i = 0; i < ntrans; i++) {
		if (xf_decode(p->proto, &sub, i + 1 == ntrans,
		    &p->xf[p->nxf], why) < 0)
			return -1;
		p->nxf++;
	}
	if (rg_rd_left(&sub) != 0) {
		WHY("proposal longer than its transforms");
		return -1;
	}
	return 0;
}

int
ikev1_sa_decode(struct rg_rd *r, struct ikev1_sa *sa, const char **why)
{
	bool	 last = false;

	sa->nprop = 0;
	sa->body = r->cur;
	sa->len = rg_rd_left(r);
	rg_rd_u32(r, &sa->doi);
	if (r->err) {
		WHY("SA shorter than its DOI");
		return -1;
	}
	if (sa->doi != IKEV1_DOI_IPSEC) {
		WHY("SA DOI is not IPsec");
		return -1;
	}
	rg_rd_u32(r, &sa->sit);
	if (r->err) {
		WHY("SA shorter than its situation");
		return -1;
	}
	/* Secrecy and integrity situations add fields nobody sends. */
	if (sa->sit != IKEV1_SIT_IDENTITY_ONLY) {
		WHY("SA situation is not SIT_IDENTITY_ONLY");
		return -1;
	}
	while (!last) {
		if (rg_rd_left(r) == 0) {
			WHY("SA ends before its last proposal");
			return -1;
		}
		if (sa->nprop >= IKEV1_MAX_PROP) {
			WHY("too many proposals");
			return -1;
		}
		if (prop_decode(r, &last, &sa->prop[sa->nprop], why) < 0)
			return -1;
		sa->nprop++;
	}
	if (rg_rd_left(r) != 0) {
		WHY("bytes after the last proposal");
		return -1;
	}
	return 0;
}

/* RFC 2407 4.6.2.1: the fixed data sizes of the address ID types. */
static size_t
id_fixed_len(uint8_t type)
{
	switch (type) {
	case IKEV1_ID_IPV4_ADDR:
		return 4;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV4_ADDR_RANGE:
		return 8;
	case IKEV1_ID_IPV6_ADDR:
		return 16;
	case IKEV1_ID_IPV6_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		return 32;
	}
	return 0;
}

int
ikev1_id_decode(struct rg_rd *r, struct ikev1_id *id, const char **why)
{
	size_t	 fixed;

	id->body = r->cur;
	id->body_len = rg_rd_left(r);
	rg_rd_u8(r, &id->type);
	rg_rd_u8(r, &id->proto);
	rg_rd_u16(r, &id->port);
	if (r->err) {
		WHY("ID shorter than 4");
		return -1;
	}
	id->len = rg_rd_left(r);
	id->data = r->cur;
	rg_rd_skip(r, id->len);
	if (id->len == 0) {
		WHY("ID without data");
		return -1;
	}
	fixed = id_fixed_len(id->type);
	if (fixed != 0 && id->len != fixed) {
		WHY("address ID of the wrong size");
		return -1;
	}
	return 0;
}

int
ikev1_id_net(const struct ikev1_id *id, struct ikev1_id_net *n,
    const char **why)
{
	size_t	 alen;

	memset(n, 0, sizeof(*n));
	switch (id->type) {
	case IKEV1_ID_IPV4_ADDR:
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV4_ADDR_RANGE:
		n->af = AF_INET;
		alen = 4;
		break;
	case IKEV1_ID_IPV6_ADDR:
	case IKEV1_ID_IPV6_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		n->af = AF_INET6;
		alen = 16;
		break;
	default:
		WHY("ID is not an address");
		return -1;
	}
	if (id->len != id_fixed_len(id->type)) {
		WHY("address ID of the wrong size");
		return -1;
	}
	memcpy(n->lo, id->data, alen);
	if (id->type == IKEV1_ID_IPV4_ADDR || id->type == IKEV1_ID_IPV6_ADDR) {
		memcpy(n->hi, id->data, alen);
		return 0;
	}
	if (id->type == IKEV1_ID_IPV4_ADDR_RANGE ||
	    id->type == IKEV1_ID_IPV6_ADDR_RANGE) {
		memcpy(n->hi, id->data + alen, alen);
		if (memcmp(n->lo, n->hi, alen) > 0) {
			WHY("ID range start above its end");
			return -1;
		}
		return 0;
	}
	/* Subnet: address and mask (RFC 2407 4.6.2.1). */
	for (size_t i = 0; i < alen; i++) {
		uint8_t	 mask = id->data[alen + i];

		n->lo[i] = id->data[i] & mask;
		n->hi[i] = id->data[i] | (uint8_t)~mask;
	}
	return 0;
}

int
ikev1_cert_decode(struct rg_rd *r, struct ikev1_cert *c, const char **why)
{
	rg_rd_u8(r, &c->encoding);
	if (r->err) {
		WHY("CERT/CERTREQ without an encoding byte");
		return -1;
	}
	c->len = rg_rd_left(r);
	c->data = r->cur;
	rg_rd_skip(r, c->len);
	return 0;
}

int
ikev1_nonce_decode(struct rg_rd *r, const uint8_t **p, size_t *len,
    const char **why)
{
	*len = rg_rd_left(r);
	*p = r->cur;
	rg_rd_skip(r, *len);
	if (*len < IKEV1_NONCE_MIN || *len > IKEV1_NONCE_MAX) {
		WHY("nonce not 8 to 256 bytes");
		return -1;
	}
	return 0;
}

int
ikev1_notify_decode(struct rg_rd *r, struct ikev1_notify *n,
    const char **why)
{
	rg_rd_u32(r, &n->doi);
	rg_rd_u8(r, &n->proto);
	rg_rd_u8(r, &n->spi_len);
	rg_rd_u16(r, &n->type);
	if (r->err) {
		WHY("notification shorter than 8");
		return -1;
	}
	if (n->spi_len > IKEV1_MAX_SPI) {
		WHY("notification SPI longer than 16");
		return -1;
	}
	n->spi = rg_rd_ptr(r, n->spi_len);
	if (r->err) {
		WHY("notification SPI past the payload");
		return -1;
	}
	n->len = rg_rd_left(r);
	n->data = r->cur;
	rg_rd_skip(r, n->len);
	return 0;
}

int
ikev1_delete_decode(struct rg_rd *r, struct ikev1_delete *d,
    const char **why)
{
	rg_rd_u32(r, &d->doi);
	rg_rd_u8(r, &d->proto);
	rg_rd_u8(r, &d->spi_len);
	rg_rd_u16(r, &d->nspi);
	if (r->err) {
		WHY("delete shorter than 8");
		return -1;
	}
	/* RFC 2408 3.15: ISAKMP SAs by cookie pair, IPsec SAs by SPI. */
	if ((d->proto == IKEV1_PROTO_ISAKMP && d->spi_len != 16) ||
	    ((d->proto == IKEV1_PROTO_ESP || d->proto == IKEV1_PROTO_AH) &&
	    d->spi_len != 4) || d->spi_len == 0) {
		WHY("delete SPI size does not fit its protocol");
		return -1;
	}
	if (d->nspi == 0 ||
	    rg_rd_left(r) != (size_t)d->nspi * d->spi_len) {
		WHY("delete SPI count does not match its length");
		return -1;
	}
	d->spis = rg_rd_ptr(r, (size_t)d->nspi * d->spi_len);
	return 0;
}

int
ikev1_natoa_decode(struct rg_rd *r, struct ikev1_natoa *o, const char **why)
{
	uint8_t		 rsv[3];

	rg_rd_u8(r, &o->id_type);
	rg_rd_bytes(r, rsv, sizeof(rsv));
	if (r->err) {
		WHY("NAT-OA shorter than 4");
		return -1;
	}
	if (o->id_type == IKEV1_ID_IPV4_ADDR)
		o->addr_len = 4;
	else if (o->id_type == IKEV1_ID_IPV6_ADDR)
		o->addr_len = 16;
	else {
		WHY("NAT-OA ID type is not an address");
		return -1;
	}
	if (rg_rd_left(r) != o->addr_len) {
		WHY("NAT-OA address of the wrong size");
		return -1;
	}
	rg_rd_bytes(r, o->addr, o->addr_len);
	return 0;
}

int
ikev1_cfg_decode(struct rg_rd *r, struct ikev1_cfg *c, const char **why)
{
	uint8_t		 rsv;

	c->nattr = 0;
	rg_rd_u8(r, &c->type);
	rg_rd_u8(r, &rsv);
	rg_rd_u16(r, &c->ident);
	if (r->err) {
		WHY("attribute payload shorter than 4");
		return -1;
	}
	if (c->type < IKEV1_CFG_REQUEST || c->type > IKEV1_CFG_ACK) {
		WHY("attribute payload of an unknown type");
		return -1;
	}
	while (rg_rd_left(r) > 0) {
		if (c->nattr >= IKEV1_MAX_CFG_ATTR) {
			WHY("too many mode-config attributes");
			return -1;
		}
		if (ikev1_attr_decode(r, &c->attr[c->nattr]) < 0) {
			WHY("mode-config attribute past the payload");
			return -1;
		}
		c->nattr++;
	}
	return 0;
}

const struct ikev1_attr *
ikev1_cfg_find(const struct ikev1_cfg *c, uint16_t type)
{
	for (size_t i = 0; i < c->nattr; i++)
		if (c->attr[i].type == type)
			return &c->attr[i];
	return NULL;
}

int
ikev1_frag_decode(struct rg_rd *r, struct ikev1_frag *f, const char **why)
{
	rg_rd_u16(r, &f->id);
	rg_rd_u8(r, &f->num);
	rg_rd_u8(r, &f->flags);
	if (r->err) {
		WHY("fragment shorter than 4");
		return -1;
	}
	f->len = rg_rd_left(r);
	f->data = r->cur;
	rg_rd_skip(r, f->len);
	if (f->num == 0) {
		WHY("fragment number 0");
		return -1;
	}
	if (f->len == 0) {
		WHY("empty fragment");
		return -1;
	}
	return 0;
}
