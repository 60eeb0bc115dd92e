/*
 * ikev2_msg.c: the IKEv2 wire codec.  Header and payload chain
 * (RFC 7296 3.1-3.2), SA/proposal/transform/attribute (3.3), KE (3.4),
 * ID (3.5), CERT/CERTREQ (3.6-3.7), AUTH (3.8), Nonce (3.9), Notify
 * (3.10), Delete (3.11), TS (3.13), CP (3.15), SKF (RFC 7383 2.5).
 * Every decoder is bounded by struct rg_rd and returns views into the
 * datagram; every encoder writes through a bounded struct rg_wr.
 */
#include <string.h>

#include "ikev2_msg.h"

struct name_ent {
	unsigned int	 v;
	const char	*name;
};

static const struct name_ent notify_names[] = {
#define X(n, v)	{ v, #n },
	IKEV2_NOTIFY_LIST(X)
#undef X
};

static const struct name_ent payload_names[] = {
#define X(n, v)	{ v, #n },
	IKEV2_PAYLOAD_LIST(X)
#undef X
};

static const char *
lookup(const struct name_ent *t, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return "UNKNOWN";
}

const char *
ikev2_notify_name(unsigned int v)
{
	return lookup(notify_names, sizeof(notify_names) /
	    sizeof(notify_names[0]), v);
}

const char *
ikev2_payload_name(unsigned int v)
{
	return lookup(payload_names, sizeof(payload_names) /
	    sizeof(payload_names[0]), v);
}

const char *
ikev2_exch_name(unsigned int v)
{
	switch (v) {
	case IKEV2_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKEV2_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case IKEV2_EXCH_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case IKEV2_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	}
	return "UNKNOWN";
}

int
ikev2_hdr_decode(struct rg_rd *r, struct ikev2_hdr *h)
{
	rg_rd_u64(r, &h->spi_i);
	rg_rd_u64(r, &h->spi_r);
	rg_rd_u8(r, &h->np);
	rg_rd_u8(r, &h->version);
	rg_rd_u8(r, &h->exch);
	rg_rd_u8(r, &h->flags);
	rg_rd_u32(r, &h->msgid);
	rg_rd_u32(r, &h->length);
	return r->err ? -1 : 0;
}

int
ikev2_chain_decode(struct ikev2_msg *m, uint8_t np, const uint8_t *p,
    size_t len)
{
	struct rg_rd	 r;

	rg_rd_init(&r, p, len);
	while (np != IKEV2_PL_NONE) {
		uint8_t		 next, flags;
		uint16_t	 plen;
		struct ikev2_pl	*pl;

		rg_rd_u8(&r, &next);
		rg_rd_u8(&r, &flags);
		rg_rd_u16(&r, &plen);
		if (r.err || plen < 4 || rg_rd_left(&r) < (size_t)plen - 4)
			return -1;
		if (m->npl >= IKEV2_MAX_PL)
			return -1;
		pl = &m->pl[m->npl++];
		pl->type = np;
		pl->critical = (flags & 0x80) != 0;
		pl->len = plen - 4;
		pl->body = rg_rd_ptr(&r, pl->len);
		if (np == IKEV2_PL_SK || np == IKEV2_PL_SKF) {
			/* Must be the last payload (RFC 7296 3.14). */
			if (rg_rd_left(&r) != 0 || m->sk_idx >= 0)
				return -1;
			m->sk_idx = (int)(m->npl - 1);
			m->sk_np = next;
			return 0;
		}
		np = next;
	}
	return rg_rd_left(&r) == 0 ? 0 : -1;
}

int
ikev2_msg_decode(const uint8_t *p, size_t len, struct ikev2_msg *m)
{
	struct rg_rd	 r;

	memset(m, 0, sizeof(*m));
	m->sk_idx = -1;
	m->raw = p;
	m->rawlen = len;
	rg_rd_init(&r, p, len);
	if (ikev2_hdr_decode(&r, &m->hdr) < 0)
		return -1;
	if ((m->hdr.version >> 4) != 2)
		return -1;
	if (m->hdr.length != len)
		return -1;
	return ikev2_chain_decode(m, m->hdr.np, r.cur, rg_rd_left(&r));
}

const struct ikev2_pl *
ikev2_msg_find(const struct ikev2_msg *m, uint8_t type)
{
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

static int
xf_decode(struct rg_rd *r, struct ikev2_xf *xf)
{
	uint8_t		 rsv;

	rg_rd_u8(r, &xf->type);
	rg_rd_u8(r, &rsv);
	rg_rd_u16(r, &xf->id);
	xf->keylen = 0;
	while (!r->err && rg_rd_left(r) > 0) {
		uint16_t	 at, av;

		rg_rd_u16(r, &at);
		if (at & 0x8000) {
			rg_rd_u16(r, &av);
			if ((at & 0x7fff) == 14)
				xf->keylen = av;
		} else {
			rg_rd_u16(r, &av);
			rg_rd_skip(r, av);
		}
	}
	return r->err ? -1 : 0;
}

static int
prop_decode(struct rg_rd *r, struct ikev2_prop *p)
{
	uint8_t		 ntrans;

	rg_rd_u8(r, &p->num);
	rg_rd_u8(r, &p->proto);
	rg_rd_u8(r, &p->spi_len);
	rg_rd_u8(r, &ntrans);
	if (r->err || p->spi_len > sizeof(p->spi))
		return -1;
	rg_rd_bytes(r, p->spi, p->spi_len);
	p->nxf = 0;
	for (unsigned int i = 0; i < ntrans; i++) {
		uint8_t		 last, rsv;
		uint16_t	 tlen;
		struct rg_rd	 sub;
		struct ikev2_xf	 xf;

		rg_rd_u8(r, &last);
		rg_rd_u8(r, &rsv);
		rg_rd_u16(r, &tlen);
		if (r->err || tlen < 8 || rg_rd_sub(r, (size_t)tlen - 4,
		    &sub) < 0)
			return -1;
		if (xf_decode(&sub, &xf) < 0)
			return -1;
		if (p->nxf < IKEV2_MAX_XF)
			p->xf[p->nxf++] = xf;
		if ((last == 0) != (i + 1 == ntrans))
			return -1;
	}
	return (r->err || rg_rd_left(r) != 0) ? -1 : 0;
}

int
ikev2_sa_decode(struct rg_rd *r, struct ikev2_sa_pl *sa)
{
	uint8_t		 last = 2;

	sa->nprop = 0;
	while (last == 2) {
		uint8_t		 rsv;
		uint16_t	 plen;
		struct rg_rd	 sub;
		struct ikev2_prop *p;

		if (rg_rd_left(r) == 0)
			return -1;
		rg_rd_u8(r, &last);
		rg_rd_u8(r, &rsv);
		rg_rd_u16(r, &plen);
		if (r->err || (last != 0 && last != 2) || plen < 8 ||
		    rg_rd_sub(r, (size_t)plen - 4, &sub) < 0)
			return -1;
		if (sa->nprop >= IKEV2_MAX_PROP)
			continue;
		p = &sa->prop[sa->nprop];
		if (prop_decode(&sub, p) < 0)
			return -1;
		sa->nprop++;
	}
	return (r->err || rg_rd_left(r) != 0 || sa->nprop == 0) ? -1 : 0;
}

int
ikev2_ke_decode(struct rg_rd *r, struct ikev2_ke *ke)
{
	uint16_t	 rsv;

	rg_rd_u16(r, &ke->group);
	rg_rd_u16(r, &rsv);
	ke->len = rg_rd_left(r);
	ke->data = rg_rd_ptr(r, ke->len);
	return (r->err || ke->len == 0) ? -1 : 0;
}

int
ikev2_id_decode(struct rg_rd *r, struct ikev2_id *id)
{
	id->body = r->cur;
	id->body_len = rg_rd_left(r);
	rg_rd_u8(r, &id->type);
	rg_rd_skip(r, 3);
	id->len = rg_rd_left(r);
	id->data = rg_rd_ptr(r, id->len);
	if (r->err || id->len == 0)
		return -1;
	if (id->type == IKEV2_ID_IPV4_ADDR && id->len != 4)
		return -1;
	if (id->type == IKEV2_ID_IPV6_ADDR && id->len != 16)
		return -1;
	return 0;
}

int
ikev2_auth_decode(struct rg_rd *r, struct ikev2_auth *a)
{
	rg_rd_u8(r, &a->method);
	rg_rd_skip(r, 3);
	a->len = rg_rd_left(r);
	a->data = rg_rd_ptr(r, a->len);
	return (r->err || a->len == 0) ? -1 : 0;
}

int
ikev2_cert_decode(struct rg_rd *r, struct ikev2_cert *c)
{
	rg_rd_u8(r, &c->encoding);
	c->len = rg_rd_left(r);
	c->data = rg_rd_ptr(r, c->len);
	return r->err ? -1 : 0;
}

int
ikev2_notify_decode(struct rg_rd *r, struct ikev2_notify *n)
{
	rg_rd_u8(r, &n->proto);
	rg_rd_u8(r, &n->spi_len);
	rg_rd_u16(r, &n->type);
	n->spi = rg_rd_ptr(r, n->spi_len);
	n->len = rg_rd_left(r);
	n->data = rg_rd_ptr(r, n->len);
	if (r->err)
		return -1;
	if (n->spi_len != 0 && n->spi_len != 4 && n->spi_len != 8)
		return -1;
	return 0;
}

int
ikev2_delete_decode(struct rg_rd *r, struct ikev2_delete *d)
{
	rg_rd_u8(r, &d->proto);
	rg_rd_u8(r, &d->spi_len);
	rg_rd_u16(r, &d->nspi);
	if (r->err)
		return -1;
	if (d->proto == IKEV2_PROTO_IKE)
		return (d->spi_len == 0 && rg_rd_left(r) == 0) ? 0 : -1;
	if (d->spi_len != 4 || d->nspi > IKEV2_MAX_DEL_SPI ||
	    rg_rd_left(r) != (size_t)d->nspi * 4)
		return -1;
	for (unsigned int i = 0; i < d->nspi; i++)
		rg_rd_u32(r, &d->spi[i]);
	return r->err ? -1 : 0;
}

int
ikev2_ts_decode(struct rg_rd *r, struct ikev2_ts_pl *tp)
{
	uint8_t		 n;

	rg_rd_u8(r, &n);
	rg_rd_skip(r, 3);
	if (r->err || n == 0 || n > IKEV2_MAX_TS)
		return -1;
	tp->nts = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct ikev2_ts	*t = &tp->ts[tp->nts];
		uint16_t	 len;
		size_t		 alen;

		memset(t, 0, sizeof(*t));
		rg_rd_u8(r, &t->type);
		rg_rd_u8(r, &t->proto);
		rg_rd_u16(r, &len);
		rg_rd_u16(r, &t->port_lo);
		rg_rd_u16(r, &t->port_hi);
		if (r->err)
			return -1;
		if (t->type == IKEV2_TS_IPV4_ADDR_RANGE && len == 16)
			alen = 4;
		else if (t->type == IKEV2_TS_IPV6_ADDR_RANGE && len == 40)
			alen = 16;
		else
			return -1;
		rg_rd_bytes(r, t->lo, alen);
		rg_rd_bytes(r, t->hi, alen);
		tp->nts++;
	}
	return (r->err || rg_rd_left(r) != 0) ? -1 : 0;
}

int
ikev2_cp_decode(struct rg_rd *r, struct ikev2_cp *cp)
{
	rg_rd_u8(r, &cp->cfg_type);
	rg_rd_skip(r, 3);
	cp->nattr = 0;
	while (!r->err && rg_rd_left(r) > 0) {
		uint16_t	 type, len;
		const uint8_t	*v;

		rg_rd_u16(r, &type);
		rg_rd_u16(r, &len);
		v = rg_rd_ptr(r, len);
		if (r->err)
			return -1;
		if (cp->nattr < IKEV2_MAX_CFG_ATTR) {
			cp->attr[cp->nattr].type = type & 0x7fff;
			cp->attr[cp->nattr].data = v;
			cp->attr[cp->nattr].len = len;
			cp->nattr++;
		}
	}
	return r->err ? -1 : 0;
}

int
ikev2_skf_decode(struct rg_rd *r, struct ikev2_skf *f)
{
	rg_rd_u16(r, &f->num);
	rg_rd_u16(r, &f->total);
	f->len = rg_rd_left(r);
	f->data = rg_rd_ptr(r, f->len);
	if (r->err || f->num == 0 || f->total == 0 || f->num > f->total)
		return -1;
	return 0;
}

/* Encoder. */

void
ikev2_enc_init(struct ikev2_enc *e, uint8_t *buf, size_t cap,
    const struct ikev2_hdr *h)
{
	rg_wr_init(&e->w, buf, cap);
	rg_wr_u64(&e->w, h->spi_i);
	rg_wr_u64(&e->w, h->spi_r);
	rg_wr_u8(&e->w, 0);
	rg_wr_u8(&e->w, 0x20);
	rg_wr_u8(&e->w, h->exch);
	rg_wr_u8(&e->w, h->flags);
	rg_wr_u32(&e->w, h->msgid);
	rg_wr_u32(&e->w, 0);
	e->np_off = 16;
	e->pl_off = -1;
	e->first = 0;
}

void
ikev2_enc_inner(struct ikev2_enc *e, uint8_t *buf, size_t cap)
{
	rg_wr_init(&e->w, buf, cap);
	e->np_off = -1;
	e->pl_off = -1;
	e->first = 0;
}

void
ikev2_pl_begin(struct ikev2_enc *e, uint8_t type)
{
	long	 off;

	if (e->w.err)
		return;
	if (e->np_off >= 0)
		e->w.base[e->np_off] = type;
	else
		e->first = type;
	off = (long)e->w.len;
	rg_wr_u8(&e->w, 0);
	rg_wr_u8(&e->w, 0);
	rg_wr_u16(&e->w, 0);
	if (e->w.err)
		return;
	e->np_off = off;
	e->pl_off = off;
}

void
ikev2_pl_end(struct ikev2_enc *e)
{
	size_t	 len;

	if (e->w.err || e->pl_off < 0)
		return;
	len = e->w.len - (size_t)e->pl_off;
	if (len > 0xffff) {
		e->w.err = true;
		return;
	}
	rg_wr_put_u16_at(&e->w, (size_t)e->pl_off + 2, (uint16_t)len);
	e->pl_off = -1;
}

long
ikev2_enc_finish(struct ikev2_enc *e)
{
	if (e->w.err || e->w.len > IKEV2_MAX_MSG)
		return -1;
	if (e->w.len >= IKEV2_HDR_LEN)
		rg_wr_put_u32_at(&e->w, 24, (uint32_t)e->w.len);
	return (long)e->w.len;
}

void
ikev2_put_raw(struct ikev2_enc *e, uint8_t type, const uint8_t *p, size_t n)
{
	ikev2_pl_begin(e, type);
	rg_wr_bytes(&e->w, p, n);
	ikev2_pl_end(e);
}

void
ikev2_put_sa(struct ikev2_enc *e, const struct ikev2_sa_pl *sa)
{
	ikev2_pl_begin(e, IKEV2_PL_SA);
	for (size_t i = 0; i < sa->nprop; i++) {
		const struct ikev2_prop *p = &sa->prop[i];
		long	 poff = (long)e->w.len;

		rg_wr_u8(&e->w, i + 1 == sa->nprop ? 0 : 2);
		rg_wr_u8(&e->w, 0);
		rg_wr_u16(&e->w, 0);
		rg_wr_u8(&e->w, p->num);
		rg_wr_u8(&e->w, p->proto);
		rg_wr_u8(&e->w, p->spi_len);
		rg_wr_u8(&e->w, (uint8_t)p->nxf);
		rg_wr_bytes(&e->w, p->spi, p->spi_len);
		for (size_t j = 0; j < p->nxf; j++) {
			const struct ikev2_xf *x = &p->xf[j];

			rg_wr_u8(&e->w, j + 1 == p->nxf ? 0 : 3);
			rg_wr_u8(&e->w, 0);
			rg_wr_u16(&e->w, x->keylen ? 12 : 8);
			rg_wr_u8(&e->w, x->type);
			rg_wr_u8(&e->w, 0);
			rg_wr_u16(&e->w, x->id);
			if (x->keylen) {
				rg_wr_u16(&e->w, 0x8000 | 14);
				rg_wr_u16(&e->w, x->keylen);
			}
		}
		if (!e->w.err)
			rg_wr_put_u16_at(&e->w, (size_t)poff + 2,
			    (uint16_t)(e->w.len - (size_t)poff));
	}
	ikev2_pl_end(e);
}

void
ikev2_put_ke(struct ikev2_enc *e, uint16_t group, const uint8_t *p, size_t n)
{
	ikev2_pl_begin(e, IKEV2_PL_KE);
	rg_wr_u16(&e->w, group);
	rg_wr_u16(&e->w, 0);
	rg_wr_bytes(&e->w, p, n);
	ikev2_pl_end(e);
}

void
ikev2_put_nonce(struct ikev2_enc *e, const uint8_t *p, size_t n)
{
	ikev2_put_raw(e, IKEV2_PL_NONCE, p, n);
}

void
ikev2_put_notify(struct ikev2_enc *e, uint8_t proto, const uint8_t *spi,
    uint8_t spi_len, uint16_t type, const uint8_t *data, size_t len)
{
	ikev2_pl_begin(e, IKEV2_PL_N);
	rg_wr_u8(&e->w, proto);
	rg_wr_u8(&e->w, spi_len);
	rg_wr_u16(&e->w, type);
	if (spi_len)
		rg_wr_bytes(&e->w, spi, spi_len);
	if (len)
		rg_wr_bytes(&e->w, data, len);
	ikev2_pl_end(e);
}

void
ikev2_put_id(struct ikev2_enc *e, uint8_t pltype, uint8_t idtype,
    const uint8_t *p, size_t n)
{
	ikev2_pl_begin(e, pltype);
	rg_wr_u8(&e->w, idtype);
	rg_wr_zero(&e->w, 3);
	rg_wr_bytes(&e->w, p, n);
	ikev2_pl_end(e);
}

void
ikev2_put_auth(struct ikev2_enc *e, uint8_t method, const uint8_t *p,
    size_t n)
{
	ikev2_pl_begin(e, IKEV2_PL_AUTH);
	rg_wr_u8(&e->w, method);
	rg_wr_zero(&e->w, 3);
	rg_wr_bytes(&e->w, p, n);
	ikev2_pl_end(e);
}

void
ikev2_put_cert(struct ikev2_enc *e, uint8_t pltype, uint8_t enc,
    const uint8_t *p, size_t n)
{
	ikev2_pl_begin(e, pltype);
	rg_wr_u8(&e->w, enc);
	rg_wr_bytes(&e->w, p, n);
	ikev2_pl_end(e);
}

void
ikev2_put_ts(struct ikev2_enc *e, uint8_t pltype, const struct ikev2_ts_pl *tp)
{
	ikev2_pl_begin(e, pltype);
	rg_wr_u8(&e->w, (uint8_t)tp->nts);
	rg_wr_zero(&e->w, 3);
	for (size_t i = 0; i < tp->nts; i++) {
		const struct ikev2_ts *t = &tp->ts[i];
		size_t	 alen = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;

		rg_wr_u8(&e->w, t->type);
		rg_wr_u8(&e->w, t->proto);
		rg_wr_u16(&e->w, (uint16_t)(8 + 2 * alen));
		rg_wr_u16(&e->w, t->port_lo);
		rg_wr_u16(&e->w, t->port_hi);
		rg_wr_bytes(&e->w, t->lo, alen);
		rg_wr_bytes(&e->w, t->hi, alen);
	}
	ikev2_pl_end(e);
}

void
ikev2_put_cp(struct ikev2_enc *e, const struct ikev2_cp *cp)
{
	ikev2_pl_begin(e, IKEV2_PL_CP);
	rg_wr_u8(&e->w, cp->cfg_type);
	rg_wr_zero(&e->w, 3);
	for (size_t i = 0; i < cp->nattr; i++) {
		rg_wr_u16(&e->w, cp->attr[i].type & 0x7fff);
		rg_wr_u16(&e->w, (uint16_t)cp->attr[i].len);
		if (cp->attr[i].len)
			rg_wr_bytes(&e->w, cp->attr[i].data, cp->attr[i].len);
	}
	ikev2_pl_end(e);
}

void
ikev2_put_delete(struct ikev2_enc *e, const struct ikev2_delete *d)
{
	ikev2_pl_begin(e, IKEV2_PL_D);
	rg_wr_u8(&e->w, d->proto);
	rg_wr_u8(&e->w, d->proto == IKEV2_PROTO_IKE ? 0 : 4);
	rg_wr_u16(&e->w, d->proto == IKEV2_PROTO_IKE ? 0 : d->nspi);
	if (d->proto != IKEV2_PROTO_IKE)
		for (unsigned int i = 0; i < d->nspi; i++)
			rg_wr_u32(&e->w, d->spi[i]);
	ikev2_pl_end(e);
}
