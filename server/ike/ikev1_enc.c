/*
 * ikev1_enc.c: the IKEv1 (ISAKMP) encoders (the payloads a responder
 * sends, RFC 2408 3, RFC 3947 5, draft-dukes-ike-mode-cfg-02 3.2, the
 * fragment payload), the log names, and the strongSwan-style text of a
 * received proposal.  Declared in ikev1_msg.h; the decoders are in
 * ikev1_msg.c.
 */
#include <stdio.h>
#include <string.h>

#include "ike_alg.h"
#include "ikev1_msg.h"

struct name_ent {
	unsigned int	 v;
	const char	*name;
};

#define X(n, v)	{ v, #n },
static const struct name_ent payload_names[] = { IKEV1_PAYLOAD_LIST(X) };
static const struct name_ent exch_names[] = { IKEV1_EXCH_LIST(X) };
static const struct name_ent notify_names[] = { IKEV1_NOTIFY_LIST(X) };
static const struct name_ent p1_names[] = { IKEV1_P1_ATTR_LIST(X) };
static const struct name_ent p2_names[] = { IKEV1_P2_ATTR_LIST(X) };
static const struct name_ent cfg_names[] = { IKEV1_CFG_ATTR_LIST(X) };
static const struct name_ent auth_names[] = { IKEV1_AUTH_LIST(X) };
static const struct name_ent id_names[] = { IKEV1_ID_LIST(X) };
#undef X

static const char *const vid_names[] = {
#define X(n)	#n,
	IKEV1_VID_LIST(X)
#undef X
};

#define LOOKUP(t, v)	lookup((t), sizeof(t) / sizeof((t)[0]), (v))

static const char *
lookup(const struct name_ent *t, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return "UNKNOWN";
}

const char *
ikev1_payload_name(unsigned int v)
{
	return LOOKUP(payload_names, v);
}

const char *
ikev1_exch_name(unsigned int v)
{
	return LOOKUP(exch_names, v);
}

const char *
ikev1_notify_name(unsigned int v)
{
	return LOOKUP(notify_names, v);
}

const char *
ikev1_p1_attr_name(unsigned int v)
{
	return LOOKUP(p1_names, v);
}

const char *
ikev1_p2_attr_name(unsigned int v)
{
	return LOOKUP(p2_names, v);
}

const char *
ikev1_cfg_attr_name(unsigned int v)
{
	return LOOKUP(cfg_names, v);
}

const char *
ikev1_auth_name(unsigned int v)
{
	return LOOKUP(auth_names, v);
}

const char *
ikev1_id_name(unsigned int v)
{
	return LOOKUP(id_names, v);
}

const char *
ikev1_vid_name(unsigned int v)
{
	return v < IKEV1_VID_COUNT ? vid_names[v] : "UNKNOWN";
}

/*
 * Proposal text.  ike_alg.h has a row for what roadgate can negotiate;
 * the legacy values clients still offer (DES, MD5, MODP768/1536) get
 * names here so the log shows what arrived.
 */
static void
append(char *buf, size_t size, const char *s)
{
	size_t	 n = strlen(buf);

	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", s);
}

static void
p1_encr_kw(const struct ikev1_xf *xf, char *out, size_t size)
{
	const struct ike_alg	*a;

	a = ike_alg_find_v1p1(IKE_ALG_ENCR, xf->encr, xf->keylen);
	if (a != NULL)
		snprintf(out, size, "%s", a->kw);
	else if (xf->encr == 1)
		snprintf(out, size, "des");
	else if (xf->encr == 7)
		snprintf(out, size, "aes%u", xf->keylen);
	else
		snprintf(out, size, "encr%u", xf->encr);
}

static void
p1_hash_kw(uint16_t hash, char *out, size_t size)
{
	const struct ike_alg	*a = ike_alg_find_v1p1(IKE_ALG_PRF, hash, 0);

	/* IKEv1's prf is the HMAC of the Hash: print "sha256", not "prf". */
	if (a != NULL && strncmp(a->kw, "prf", 3) == 0)
		snprintf(out, size, "%s", a->kw + 3);
	else if (hash == 1)
		snprintf(out, size, "md5");
	else
		snprintf(out, size, "hash%u", hash);
}

static void
group_kw(uint16_t group, char *out, size_t size)
{
	const struct ike_alg	*a = ike_alg_find_v1p1(IKE_ALG_DH, group, 0);

	if (a != NULL)
		snprintf(out, size, "%s", a->kw);
	else if (group == 1)
		snprintf(out, size, "modp768");
	else if (group == 5)
		snprintf(out, size, "modp1536");
	else
		snprintf(out, size, "group%u", group);
}

static void
esp_encr_kw(const struct ikev1_xf *xf, char *out, size_t size)
{
	const struct ike_alg	*a;

	a = ike_alg_find_v1esp(IKE_ALG_ENCR, xf->id, xf->keylen);
	if (a != NULL)
		snprintf(out, size, "%s", a->kw);
	else if (xf->id == 2)
		snprintf(out, size, "des");
	else if (xf->id == 11)
		snprintf(out, size, "null");
	else if (xf->id == 12)
		snprintf(out, size, "aes%u", xf->keylen);
	else
		snprintf(out, size, "esp%u", xf->id);
}

static void
esp_auth_kw(uint16_t alg, char *out, size_t size)
{
	const struct ike_alg	*a = ike_alg_find_v1esp(IKE_ALG_INTEG, alg, 0);

	if (a != NULL)
		snprintf(out, size, "%s", a->kw);
	else if (alg == 1)
		snprintf(out, size, "md5");
	else
		snprintf(out, size, "auth%u", alg);
}

void
ikev1_xf_str(uint8_t proto, const struct ikev1_xf *xf, char *buf,
    size_t size)
{
	char	 kw[32];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (proto == IKEV1_PROTO_ISAKMP) {
		p1_encr_kw(xf, kw, sizeof(kw));
		append(buf, size, kw);
		append(buf, size, "-");
		p1_hash_kw(xf->hash, kw, sizeof(kw));
		append(buf, size, kw);
		append(buf, size, "-");
		group_kw(xf->group, kw, sizeof(kw));
		append(buf, size, kw);
		return;
	}
	if (proto == IKEV1_PROTO_IPCOMP) {
		snprintf(buf, size, "ipcomp%u", xf->id);
		return;
	}
	if (proto == IKEV1_PROTO_AH) {
		esp_auth_kw(xf->auth_alg, kw, sizeof(kw));
		append(buf, size, "ah-");
		append(buf, size, kw);
	} else {
		esp_encr_kw(xf, kw, sizeof(kw));
		append(buf, size, kw);
		if (xf->auth_alg != 0) {
			append(buf, size, "-");
			esp_auth_kw(xf->auth_alg, kw, sizeof(kw));
			append(buf, size, kw);
		}
	}
	if (xf->group != 0) {
		append(buf, size, "-");
		group_kw(xf->group, kw, sizeof(kw));
		append(buf, size, kw);
	}
}

void
ikev1_sa_str(const struct ikev1_sa *sa, char *buf, size_t size)
{
	char	 one[96];

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sa->nprop; i++)
		for (size_t j = 0; j < sa->prop[i].nxf; j++) {
			if (buf[0] != '\0')
				append(buf, size, ", ");
			ikev1_xf_str(sa->prop[i].proto, &sa->prop[i].xf[j],
			    one, sizeof(one));
			append(buf, size, one);
		}
}

/* Encoder. */

void
ikev1_enc_init(struct ikev1_enc *e, uint8_t *buf, size_t cap,
    const struct ikev1_hdr *h)
{
	rg_wr_init(&e->w, buf, cap);
	rg_wr_bytes(&e->w, h->ck_i, 8);
	rg_wr_bytes(&e->w, h->ck_r, 8);
	rg_wr_u8(&e->w, IKEV1_PL_NONE);
	rg_wr_u8(&e->w, IKEV1_VERSION);
	rg_wr_u8(&e->w, h->exch);
	rg_wr_u8(&e->w, h->flags);
	rg_wr_u32(&e->w, h->msgid);
	rg_wr_u32(&e->w, 0);
	e->np_off = 16;
	e->pl_off = -1;
	e->first = IKEV1_PL_NONE;
	e->hdr = true;
}

void
ikev1_enc_body(struct ikev1_enc *e, uint8_t *buf, size_t cap)
{
	rg_wr_init(&e->w, buf, cap);
	e->np_off = -1;
	e->pl_off = -1;
	e->first = IKEV1_PL_NONE;
	e->hdr = false;
}

void
ikev1_pl_begin(struct ikev1_enc *e, uint8_t type)
{
	long	 off;

	if (e->w.err)
		return;
	if (e->np_off >= 0)
		e->w.base[e->np_off] = type;
	else
		e->first = type;
	off = (long)e->w.len;
	rg_wr_u8(&e->w, IKEV1_PL_NONE);
	rg_wr_u8(&e->w, 0);
	rg_wr_u16(&e->w, 0);
	e->np_off = off;
	e->pl_off = off;
}

void
ikev1_pl_end(struct ikev1_enc *e)
{
	size_t	 len;

	if (e->w.err || e->pl_off < 0)
		return;
	len = e->w.len - (size_t)e->pl_off;
	if (len > UINT16_MAX) {
		e->w.err = true;
		return;
	}
	rg_wr_put_u16_at(&e->w, (size_t)e->pl_off + 2, (uint16_t)len);
	e->pl_off = -1;
}

long
ikev1_enc_finish(struct ikev1_enc *e)
{
	if (e->w.err || e->w.len > IKEV1_MAX_MSG)
		return -1;
	if (e->hdr)
		rg_wr_put_u32_at(&e->w, 24, (uint32_t)e->w.len);
	return (long)e->w.len;
}

void
ikev1_put_attr(struct rg_wr *w, const struct ikev1_attr *a)
{
	if (a->tv) {
		rg_wr_u16(w, a->type | 0x8000);
		rg_wr_u16(w, (uint16_t)a->val);
		return;
	}
	if (a->len > UINT16_MAX || (a->data == NULL && a->len > 8)) {
		w->err = true;
		return;
	}
	rg_wr_u16(w, a->type & 0x7fff);
	rg_wr_u16(w, (uint16_t)a->len);
	if (a->data != NULL) {
		rg_wr_bytes(w, a->data, a->len);
		return;
	}
	/* A number in len bytes (Life Duration past 65535). */
	for (size_t i = a->len; i > 0; i--)
		rg_wr_u8(w, (uint8_t)(a->val >> (8 * (i - 1))));
}

static void
put_num(struct rg_wr *w, uint16_t type, uint64_t v)
{
	struct ikev1_attr	 a = { .type = type, .tv = v <= UINT16_MAX,
				    .val = v, .len = 4 };

	ikev1_put_attr(w, &a);
}

/* One transform's attributes, by the class numbers of its protocol. */
static void
put_xf_attrs(struct rg_wr *w, uint8_t proto, const struct ikev1_xf *xf)
{
	if (proto == IKEV1_PROTO_ISAKMP) {
		if (xf->encr)
			put_num(w, IKEV1_P1_ENCR, xf->encr);
		if (xf->keylen)
			put_num(w, IKEV1_P1_KEY_LENGTH, xf->keylen);
		if (xf->hash)
			put_num(w, IKEV1_P1_HASH, xf->hash);
		if (xf->auth)
			put_num(w, IKEV1_P1_AUTH_METHOD, xf->auth);
		if (xf->group)
			put_num(w, IKEV1_P1_GROUP_DESC, xf->group);
		if (xf->life_s) {
			put_num(w, IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS);
			put_num(w, IKEV1_P1_LIFE_DURATION, xf->life_s);
		}
		if (xf->life_kb) {
			put_num(w, IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_KILOBYTES);
			put_num(w, IKEV1_P1_LIFE_DURATION, xf->life_kb);
		}
		return;
	}
	if (xf->life_s) {
		put_num(w, IKEV1_P2_SA_LIFE_TYPE, IKEV1_LIFE_SECONDS);
		put_num(w, IKEV1_P2_SA_LIFE_DURATION, xf->life_s);
	}
	if (xf->life_kb) {
		put_num(w, IKEV1_P2_SA_LIFE_TYPE, IKEV1_LIFE_KILOBYTES);
		put_num(w, IKEV1_P2_SA_LIFE_DURATION, xf->life_kb);
	}
	if (xf->group)
		put_num(w, IKEV1_P2_GROUP_DESC, xf->group);
	if (xf->encap)
		put_num(w, IKEV1_P2_ENCAP_MODE, xf->encap);
	if (xf->auth_alg)
		put_num(w, IKEV1_P2_AUTH_ALG, xf->auth_alg);
	if (xf->keylen)
		put_num(w, IKEV1_P2_KEY_LENGTH, xf->keylen);
}

/*
 * RFC 2409 5 / RFC 2408 4.2: the responder answers with the one proposal
 * and transform it chose.  With xf->raw set (a decoded transform) its
 * bytes are echoed as received; otherwise the fields are encoded.
 */
void
ikev1_put_sa(struct ikev1_enc *e, uint32_t sit, uint8_t prop_num,
    uint8_t proto, const uint8_t *spi, uint8_t spi_len,
    const struct ikev1_xf *xf)
{
	struct rg_wr	*w = &e->w;
	long		 p_off, t_off;

	ikev1_pl_begin(e, IKEV1_PL_SA);
	rg_wr_u32(w, IKEV1_DOI_IPSEC);
	rg_wr_u32(w, sit);
	p_off = rg_wr_reserve(w, 4);
	rg_wr_u8(w, prop_num);
	rg_wr_u8(w, proto);
	rg_wr_u8(w, spi_len);
	rg_wr_u8(w, 1);
	rg_wr_bytes(w, spi, spi_len);
	t_off = rg_wr_reserve(w, 4);
	if (xf->raw != NULL) {
		rg_wr_bytes(w, xf->raw, xf->rawlen);
	} else {
		rg_wr_u8(w, xf->num);
		rg_wr_u8(w, xf->id);
		rg_wr_u16(w, 0);
		put_xf_attrs(w, proto, xf);
	}
	if (w->err || w->len - (size_t)p_off > UINT16_MAX) {
		w->err = true;
		return;
	}
	/* Proposal and transform headers: next NONE, reserved, length. */
	rg_wr_put_u16_at(w, (size_t)t_off, 0);
	rg_wr_put_u16_at(w, (size_t)t_off + 2,
	    (uint16_t)(w->len - (size_t)t_off));
	rg_wr_put_u16_at(w, (size_t)p_off, 0);
	rg_wr_put_u16_at(w, (size_t)p_off + 2,
	    (uint16_t)(w->len - (size_t)p_off));
	ikev1_pl_end(e);
}

void
ikev1_put_raw(struct ikev1_enc *e, uint8_t type, const uint8_t *p,
    size_t len)
{
	ikev1_pl_begin(e, type);
	rg_wr_bytes(&e->w, p, len);
	ikev1_pl_end(e);
}

void
ikev1_put_ke(struct ikev1_enc *e, const uint8_t *p, size_t len)
{
	ikev1_put_raw(e, IKEV1_PL_KE, p, len);
}

void
ikev1_put_nonce(struct ikev1_enc *e, const uint8_t *p, size_t len)
{
	ikev1_put_raw(e, IKEV1_PL_NONCE, p, len);
}

void
ikev1_put_hash(struct ikev1_enc *e, const uint8_t *p, size_t len)
{
	ikev1_put_raw(e, IKEV1_PL_HASH, p, len);
}

void
ikev1_put_sig(struct ikev1_enc *e, const uint8_t *p, size_t len)
{
	ikev1_put_raw(e, IKEV1_PL_SIG, p, len);
}

void
ikev1_put_id(struct ikev1_enc *e, uint8_t idtype, uint8_t proto,
    uint16_t port, const uint8_t *p, size_t len)
{
	ikev1_pl_begin(e, IKEV1_PL_ID);
	rg_wr_u8(&e->w, idtype);
	rg_wr_u8(&e->w, proto);
	rg_wr_u16(&e->w, port);
	rg_wr_bytes(&e->w, p, len);
	ikev1_pl_end(e);
}

void
ikev1_put_cert(struct ikev1_enc *e, uint8_t pltype, uint8_t encoding,
    const uint8_t *p, size_t len)
{
	ikev1_pl_begin(e, pltype);
	rg_wr_u8(&e->w, encoding);
	rg_wr_bytes(&e->w, p, len);
	ikev1_pl_end(e);
}

void
ikev1_put_notify(struct ikev1_enc *e, uint8_t proto, const uint8_t *spi,
    uint8_t spi_len, uint16_t type, const uint8_t *data, size_t len)
{
	ikev1_pl_begin(e, IKEV1_PL_N);
	rg_wr_u32(&e->w, IKEV1_DOI_IPSEC);
	rg_wr_u8(&e->w, proto);
	rg_wr_u8(&e->w, spi_len);
	rg_wr_u16(&e->w, type);
	rg_wr_bytes(&e->w, spi, spi_len);
	rg_wr_bytes(&e->w, data, len);
	ikev1_pl_end(e);
}

void
ikev1_put_delete(struct ikev1_enc *e, uint8_t proto, uint8_t spi_len,
    const uint8_t *spis, uint16_t nspi)
{
	ikev1_pl_begin(e, IKEV1_PL_D);
	rg_wr_u32(&e->w, IKEV1_DOI_IPSEC);
	rg_wr_u8(&e->w, proto);
	rg_wr_u8(&e->w, spi_len);
	rg_wr_u16(&e->w, nspi);
	rg_wr_bytes(&e->w, spis, (size_t)spi_len * nspi);
	ikev1_pl_end(e);
}

void
ikev1_put_vid(struct ikev1_enc *e, enum ikev1_vid v)
{
	size_t		 len;
	const uint8_t	*p = ikev1_vid_bytes(v, &len);

	if (p == NULL) {
		e->w.err = true;
		return;
	}
	ikev1_put_raw(e, IKEV1_PL_VID, p, len);
}

void
ikev1_put_natd(struct ikev1_enc *e, uint8_t pltype, const uint8_t *p,
    size_t len)
{
	ikev1_put_raw(e, pltype, p, len);
}

void
ikev1_put_natoa(struct ikev1_enc *e, uint8_t pltype, uint8_t id_type,
    const uint8_t *addr, size_t addr_len)
{
	ikev1_pl_begin(e, pltype);
	rg_wr_u8(&e->w, id_type);
	rg_wr_zero(&e->w, 3);
	rg_wr_bytes(&e->w, addr, addr_len);
	ikev1_pl_end(e);
}

void
ikev1_put_cfg(struct ikev1_enc *e, const struct ikev1_cfg *c)
{
	ikev1_pl_begin(e, IKEV1_PL_ATTR);
	rg_wr_u8(&e->w, c->type);
	rg_wr_u8(&e->w, 0);
	rg_wr_u16(&e->w, c->ident);
	for (size_t i = 0; i < c->nattr; i++)
		ikev1_put_attr(&e->w, &c->attr[i]);
	ikev1_pl_end(e);
}

void
ikev1_put_frag(struct ikev1_enc *e, uint16_t id, uint8_t num, bool last,
    const uint8_t *p, size_t len)
{
	ikev1_pl_begin(e, IKEV1_PL_FRAG);
	rg_wr_u16(&e->w, id);
	rg_wr_u8(&e->w, num);
	rg_wr_u8(&e->w, last ? IKEV1_FRAG_LAST : 0);
	rg_wr_bytes(&e->w, p, len);
	ikev1_pl_end(e);
}
