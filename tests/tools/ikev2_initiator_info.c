/*
 * ikev2_initiator_info.c: the test initiator's INFORMATIONAL side:
 * DELETE and empty requests (RFC 7296 1.4), answers to the responder's
 * requests, MOBIKE UPDATE_SA_ADDRESSES (RFC 4555), and RFC 7383
 * fragmentation of requests and reassembly of responses.  Test-only.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ikev2_crypto.h"
#include "ikev2_initiator.h"
#include "ikev2_msg.h"
#include "ikev2_xform.h"

#include "ikev2_initiator_int.h"

static void
frag_clear(struct ikev2_ini *i)
{
	for (size_t k = 0; k < INI_MAX_FRAGS; k++) {
		rg_buf_free(i->rxf[k]);
		i->rxf[k] = NULL;
	}
	i->rx_total = 0;
}

/* HDR, SKF {num, total, fragment} --> (RFC 7383 2.5): each fragment
 * protected on its own, the first naming the inner chain's first type;
 * kept in txf, fragment 1 written to out. */
long
ini_seal_frags(struct ikev2_ini *i, const struct ikev2_hdr *h,
    const struct ikev2_enc *in, uint8_t *out, size_t cap)
{
	const struct ikev2_sk_dir *d = &i->keys.i2r;
	size_t		 over = IKEV2_HDR_LEN + 8 + ikev2_sk_overhead(d, 0) +
			    d->encr->block, chunk, total;

	if (i->frag_mtu <= over + 16)
		return -1;
	chunk = i->frag_mtu - over;
	total = (in->w.len + chunk - 1) / chunk;
	if (total > INI_MAX_FRAGS)
		return -1;
	for (size_t k = 0; k < total; k++) {
		size_t		 len = k + 1 < total ? chunk :
				    in->w.len - k * chunk;
		struct rg_buf	*b = rg_buf_new(i->frag_mtu);
		struct ikev2_enc e;
		long		 n;

		if (b == NULL)
			return -1;
		i->txf[i->ntxf++] = b;
		ikev2_enc_init(&e, b->data, b->len, h);
		ikev2_pl_begin(&e, IKEV2_PL_SKF);
		rg_wr_u16(&e.w, (uint16_t)(k + 1));
		rg_wr_u16(&e.w, (uint16_t)total);
		if (e.w.err)
			return -1;
		b->data[IKEV2_HDR_LEN] = k == 0 ? in->first : 0;
		if ((n = ikev2_sk_seal(d, b->data, b->len, e.w.len,
		    IKEV2_HDR_LEN, in->w.base + k * chunk, len)) < 0)
			return -1;
		b->len = (size_t)n;
	}
	return ikev2_ini_req_frag(i, 1, out, cap);
}

/* A response fragment (RFC 7383 2.6): authenticated and decrypted on its
 * own, kept until all of its message are here; then the inner chain
 * into plain (its first type in *np) and its length, IKEV2_INI_MORE
 * while some are missing, -1 if bad. */
long
ini_frag_in(struct ikev2_ini *i, const struct ikev2_msg *m, uint8_t *plain,
    size_t cap, uint8_t *np)
{
	const struct ikev2_pl	*p = &m->pl[m->sk_idx];
	struct ikev2_skf	 f;
	struct rg_rd		 r;
	size_t			 off = 0;
	long			 n;

	rg_rd_init(&r, p->body, p->len);
	if (ikev2_skf_decode(&r, &f) < 0 || f.total > INI_MAX_FRAGS)
		return -1;
	if (i->rx_total != 0 && (i->rx_msgid != m->hdr.msgid ||
	    i->rx_total != f.total))
		frag_clear(i);
	if (i->rxf[f.num - 1] != NULL)
		return IKEV2_INI_MORE;		/* a duplicate */
	n = ikev2_sk_open(&i->keys.r2i, m->raw, m->rawlen,
	    (size_t)(f.data - m->raw), plain, cap);
	if (n < 0 || (i->rxf[f.num - 1] = rg_buf_dup(plain, (size_t)n)) ==
	    NULL)
		return -1;
	i->rx_total = f.total;
	i->rx_msgid = m->hdr.msgid;
	if (f.num == 1)
		i->rx_np = m->sk_np;
	for (size_t k = 0; k < f.total; k++) {
		if (i->rxf[k] == NULL)
			return IKEV2_INI_MORE;
		if (i->rxf[k]->len > cap - off)
			return -1;
		memcpy(plain + off, i->rxf[k]->data, i->rxf[k]->len);
		off += i->rxf[k]->len;
	}
	*np = i->rx_np;
	frag_clear(i);
	return (long)off;
}

long
ini_info_req(struct ikev2_ini *i, const struct ikev2_delete *d, enum op op,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[256];
	struct ikev2_enc	 e;
	long			 n;

	ikev2_enc_inner(&e, buf, sizeof(buf));
	if (d != NULL)
		ikev2_put_delete(&e, d);
	if ((n = ini_seal_req(i, IKEV2_EXCH_INFORMATIONAL, &e, out, cap)) > 0) {
		i->op = op;
		i->state = INI_REQ_SENT;
	}
	return n;
}

long
ikev2_ini_delete_child(struct ikev2_ini *i, uint32_t our_spi, uint8_t *out,
    size_t cap)
{
	struct ikev2_delete	 d;

	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_ESP;
	d.spi_len = 4;
	d.nspi = 1;
	d.spi[0] = our_spi;
	return ini_info_req(i, &d, OP_DEL_CHILD, out, cap);
}

long
ikev2_ini_delete(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	struct ikev2_delete	 d;

	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_IKE;
	return ini_info_req(i, &d, OP_DELETE, out, cap);
}

long
ikev2_ini_info(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return ini_info_req(i, NULL, OP_INFO, out, cap);
}

/* <-- HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr}: SA, Nr, TSi, TSr -->;
 * <-- HDR, SK {D...}: HDR, SK {} -->. */
static long
answer_body(struct ikev2_ini *i, const struct ikev2_msg *m,
    struct ikev2_enc *e)
{
	const struct ikev2_pl	*ps = ikev2_msg_find(m, IKEV2_PL_SA);
	struct ikev2_sa_pl	*sa;
	struct ikev2_ts_pl	 ts;
	struct rg_rd		 r;
	uint8_t			 nr[32];

	if (m->hdr.exch == IKEV2_EXCH_INFORMATIONAL) {
		for (size_t k = 0; k < m->npl; k++) {
			struct ikev2_delete d;
			struct ikev2_notify n;

			if (m->pl[k].type == IKEV2_PL_N) {
				/* RFC 4555 3.6: COOKIE2 comes back as sent. */
				rg_rd_init(&r, m->pl[k].body, m->pl[k].len);
				if (ikev2_notify_decode(&r, &n) == 0 &&
				    n.type == IKEV2_N_COOKIE2 && n.len <= 64) {
					uint8_t	 c2[64];

					memcpy(c2, n.data, n.len);
					if (i->cookie2_bad && n.len > 0)
						c2[0] ^= 0xff;
					ikev2_put_notify(e, 0, NULL, 0,
					    IKEV2_N_COOKIE2, c2, n.len);
				}
				continue;
			}
			if (m->pl[k].type != IKEV2_PL_D)
				continue;
			rg_rd_init(&r, m->pl[k].body, m->pl[k].len);
			if (ikev2_delete_decode(&r, &d) < 0)
				return -1;
			for (size_t x = 0; x < d.nspi && d.proto ==
			    IKEV2_PROTO_ESP; x++)
				if (i->npeer_del < 8)
					i->peer_del[i->npeer_del++] = d.spi[x];
		}
		return 0;
	}
	if (m->hdr.exch != IKEV2_EXCH_CREATE_CHILD_SA || ps == NULL ||
	    (sa = malloc(sizeof(*sa))) == NULL)
		return -1;
	rg_rd_init(&r, ps->body, ps->len);
	if (ikev2_sa_decode(&r, sa) < 0 || sa->nprop < 1) {
		free(sa);
		return -1;
	}
	if (i->nonce_fill >= 0)
		memset(nr, i->nonce_fill, sizeof(nr));
	else
		ike_random(nr, sizeof(nr));
	if (sa->prop[0].proto == IKEV2_PROTO_IKE) {
		/* IKE rekey: the responder's proposal back with our SPI,
		 * Nr, KEr (keys are not derived: the test inspects the
		 * responder). */
		const struct ikev2_pl *pk = ikev2_msg_find(m, IKEV2_PL_KE);
		struct ikev2_ke	 k;
		struct ike_dh	*dh;
		uint8_t		 pub[1100];
		long		 pl = -1;

		rg_rd_init(&r, pk != NULL ? pk->body : nr, pk != NULL ?
		    pk->len : 0);
		if (pk == NULL || ikev2_ke_decode(&r, &k) < 0 ||
		    (dh = ike_dh_new(k.group)) == NULL) {
			free(sa);
			return -1;
		}
		pl = ike_dh_public(dh, pub, sizeof(pub));
		ike_dh_free(dh);
		sa->nprop = 1;
		ike_random(sa->prop[0].spi, 8);
		ikev2_put_sa(e, sa);
		free(sa);
		ikev2_put_nonce(e, nr, sizeof(nr));
		if (pl < 0)
			return -1;
		ikev2_put_ke(e, k.group, pub, (size_t)pl);
		return 0;
	}
	ini_esp_sa(i, sa, 0x2000u | (uint32_t)i->msgid);
	ikev2_put_sa(e, sa);
	free(sa);
	ikev2_put_nonce(e, nr, sizeof(nr));
	ini_any_ts(&ts);
	ikev2_put_ts(e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(e, IKEV2_PL_TSR, &ts);
	return 0;
}

long
ikev2_ini_answer(struct ikev2_ini *i, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t cap)
{
	struct ikev2_msg	*m = malloc(sizeof(*m));
	uint8_t			*plain = malloc(IKEV2_MAX_MSG), buf[1024];
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e, in;
	long			 rc = -1, n;

	if (m == NULL || plain == NULL)
		goto out;
	if (ikev2_msg_decode(pkt, len, m) < 0 ||
	    (m->hdr.flags & IKEV2_FLAG_R) != 0 || m->hdr.spi_i != i->spi_i ||
	    m->sk_idx < 0 || m->pl[m->sk_idx].type != IKEV2_PL_SK)
		goto out;
	n = ikev2_sk_open(&i->keys.r2i, pkt, len,
	    (size_t)(m->pl[m->sk_idx].body - pkt), plain, IKEV2_MAX_MSG);
	if (n < 0 || ikev2_chain_decode(m, m->sk_np, plain, (size_t)n) < 0)
		goto out;
	ikev2_enc_inner(&in, buf, sizeof(buf));
	if (answer_body(i, m, &in) < 0)
		goto out;
	ini_hdr_init(i, &h, m->hdr.exch, m->hdr.msgid);
	h.flags = IKEV2_FLAG_I | IKEV2_FLAG_R;
	ikev2_enc_init(&e, out, cap, &h);
	ikev2_pl_begin(&e, IKEV2_PL_SK);
	if (e.w.err || in.w.err)
		goto out;
	out[IKEV2_HDR_LEN] = in.first;
	rc = ikev2_sk_seal(&i->keys.i2r, out, cap, e.w.len, IKEV2_HDR_LEN,
	    in.w.base, in.w.len);
out:
	free(m);
	free(plain);
	return rc;
}

long
ikev2_ini_answer_as(struct ikev2_ini *i, const uint8_t *pkt, size_t len,
    uint8_t exch, uint8_t *out, size_t cap)
{
	struct ikev2_msg	*m = malloc(sizeof(*m));
	uint8_t			 buf[16];
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e, in;
	long			 rc = -1;

	if (m == NULL)
		goto out;
	if (ikev2_msg_decode(pkt, len, m) < 0 ||
	    (m->hdr.flags & IKEV2_FLAG_R) != 0 || m->hdr.spi_i != i->spi_i)
		goto out;
	/* HDR(exch, the request's message ID), SK {} --> */
	ikev2_enc_inner(&in, buf, sizeof(buf));
	ini_hdr_init(i, &h, exch, m->hdr.msgid);
	h.flags = IKEV2_FLAG_I | IKEV2_FLAG_R;
	ikev2_enc_init(&e, out, cap, &h);
	ikev2_pl_begin(&e, IKEV2_PL_SK);
	if (e.w.err || in.w.err)
		goto out;
	out[IKEV2_HDR_LEN] = in.first;
	rc = ikev2_sk_seal(&i->keys.i2r, out, cap, e.w.len, IKEV2_HDR_LEN,
	    in.w.base, in.w.len);
out:
	free(m);
	return rc;
}

void
ikev2_ini_set_cookie2_bad(struct ikev2_ini *i, bool bad)
{
	i->cookie2_bad = bad;
}

long
ikev2_ini_update_addrs(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	uint8_t			 buf[128], c2[16];
	struct ikev2_enc	 e;
	long			 n;

	/* HDR, SK {N(UPDATE_SA_ADDRESSES), N(COOKIE2)} --> (RFC 4555 3.5) */
	ike_random(c2, sizeof(c2));
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_UPDATE_SA_ADDRESSES, NULL, 0);
	ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_COOKIE2, c2, sizeof(c2));
	if ((n = ini_seal_req(i, IKEV2_EXCH_INFORMATIONAL, &e, out, cap)) > 0) {
		i->op = OP_INFO;
		i->state = INI_REQ_SENT;
	}
	return n;
}

/* Private-use status notify (RFC 7296 3.10.1) that pads test messages. */
#define INI_N_PAD	40960

long
ikev2_ini_frag(struct ikev2_ini *i, uint8_t exch, size_t fraglen,
    unsigned int num, unsigned int total, bool forge, uint8_t *out,
    size_t cap)
{
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e;
	size_t			 all = fraglen * total;
	uint8_t			*inner;
	long			 rc = -1;

	if (num == 0 || num > total || all < 8 ||
	    (inner = calloc(1, all)) == NULL)
		return -1;
	/* The whole inner chain: N(private, zeros) filling total * fraglen
	 * octets (its length field is only right up to 64 KiB). */
	rg_put_u16(inner + 2, (uint16_t)(all > 0xffff ? 0xffff : all));
	rg_put_u16(inner + 6, INI_N_PAD);
	/* HDR, SKF {num, total, fragment} --> (RFC 7383 2.5) */
	ini_hdr_init(i, &h, exch, i->msgid);
	ikev2_enc_init(&e, out, cap, &h);
	ikev2_pl_begin(&e, IKEV2_PL_SKF);
	rg_wr_u16(&e.w, (uint16_t)num);
	rg_wr_u16(&e.w, (uint16_t)total);
	if (e.w.err)
		goto out;
	out[IKEV2_HDR_LEN] = num == 1 ? IKEV2_PL_N : 0;
	rc = ikev2_sk_seal(&i->keys.i2r, out, cap, e.w.len, IKEV2_HDR_LEN,
	    inner + (num - 1) * fraglen, fraglen);
	if (rc > 0 && forge)
		out[rc - 1] ^= 0x01;	/* last ICV octet */
out:
	free(inner);
	return rc;
}

void
ikev2_ini_set_msgid(struct ikev2_ini *i, uint32_t msgid)
{
	i->msgid = msgid;
}

void
ikev2_ini_set_frag(struct ikev2_ini *i, size_t mtu)
{
	i->frag_mtu = mtu;
}

size_t
ikev2_ini_req_nfrags(const struct ikev2_ini *i)
{
	return i->ntxf;
}

long
ikev2_ini_req_frag(const struct ikev2_ini *i, unsigned int num,
    uint8_t *out, size_t cap)
{
	const struct rg_buf	*b;

	if (num == 0 || num > i->ntxf || (b = i->txf[num - 1])->len > cap)
		return -1;
	memcpy(out, b->data, b->len);
	return (long)b->len;
}

size_t
ikev2_ini_peer_deleted(const struct ikev2_ini *i, uint32_t *spis, size_t max)
{
	for (size_t k = 0; k < i->npeer_del && k < max; k++)
		spis[k] = i->peer_del[k];
	return i->npeer_del;
}
