/*
 * ikev1_initiator_qm.c: the test-only IKEv1 initiator after phase 1:
 * quick mode (RFC 2409 5.5), mode-config transactions
 * (draft-dukes-ike-mode-cfg) and informational exchanges.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike_alg.h"
#include "ike_dh.h"
#include "ike_prf.h"
#include "ikev1_crypto.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "rg_buf.h"

#include "ikev1_initiator_int.h"

static bool
hash_ok(struct ikev1_ini *i, const struct ikev1_msg *m, const uint8_t *ni,
    size_t nilen)
{
	uint8_t		 want[IKEV1_PRF_MAX];
	size_t		 hl = i->prf->out, rl = 0;
	const uint8_t	*rest;

	if (m->npl == 0 || m->pl[0].type != IKEV1_PL_HASH || m->pl[0].len != hl)
		return false;
	rest = m->pl[0].body + hl;
	if (m->npl > 1)
		rl = (size_t)(m->pl[m->npl - 1].body + m->pl[m->npl - 1].len -
		    rest);
	ikev1_hash_msg(&i->keys, m->hdr.msgid, ni, nilen, rest, rl, want);
	return memcmp(want, m->pl[0].body, hl) == 0;
}

static void
cfg_send(struct ikev1_ini *i, uint32_t msgid, struct ikev1_iv *iv,
    const struct ikev1_cfg *c, struct ikev1_ini_out *o)
{
	struct ikev1_enc e;
	uint8_t		 body[1024], zero[IKEV1_PRF_MAX] = { 0 };

	ikev1_enc_body(&e, body, sizeof(body));
	ikev1_put_hash(&e, zero, i->prf->out);
	ikev1_put_cfg(&e, c);
	ini_seal_hashed(i, IKEV1_EXCH_TRANSACTION, msgid, iv, &e, body, NULL, 0, o);
}

void
ini_qm_start(struct ikev1_ini *i, struct ikev1_ini_out *o)
{
	struct ikev1_enc e;
	struct ikev1_xf	 x = { .num = 1, .id = 12, .keylen = 256,
	    .auth_alg = 5, .life_s = 3600,
	    .encap = IKEV1_ENCAP_TUNNEL,
	    .group = i->c.pfs ? i->c.group : 0 };
	static const uint8_t priv[4] = { 10, 0, 0, 2 }, srv[4] = { 192, 0, 2,
	    1 };
	uint8_t		 body[2048], zero[IKEV1_PRF_MAX] = { 0 }, spi[4];
	uint8_t		 idc[4], ids[8] = { 0 };
	long		 n;

	if (i->c.l2tp)
		x.encap = !i->c.natt ? IKEV1_ENCAP_TRANSPORT :
		    i->c.natt_draft ? IKEV1_ENCAP_UDP_TRANSPORT_DRAFT :
		    IKEV1_ENCAP_UDP_TRANSPORT;
	i->qm_msgid = 0x51515151;
	ikev1_iv_exchange(&i->keys, &i->iv, i->qm_msgid, &i->qm_iv);
	rg_put_u32(spi, i->qm_spi);
	memcpy(idc, i->seen.vip, 4);
	ikev1_enc_body(&e, body, sizeof(body));
	ikev1_put_hash(&e, zero, i->prf->out);
	ikev1_put_sa(&e, IKEV1_SIT_IDENTITY_ONLY, 1, IKEV1_PROTO_ESP, spi, 4,
	    &x);
	ikev1_put_nonce(&e, i->qni, sizeof(i->qni));
	if (i->c.pfs) {
		ike_dh_free(i->dh);
		i->dh = ike_dh_new(i->c.group);
		n = ike_dh_public(i->dh, i->gxi, sizeof(i->gxi));
		ikev1_put_ke(&e, i->gxi, (size_t)n);
	}
	if (!i->c.l2tp) {
		ikev1_put_id(&e, IKEV1_ID_IPV4_ADDR, 0, 0, idc, 4);
		ikev1_put_id(&e, IKEV1_ID_IPV4_ADDR_SUBNET, 0, 0, ids, 8);
	} else {
		if (!i->c.no_ids) {
			ikev1_put_id(&e, IKEV1_ID_IPV4_ADDR, IPPROTO_UDP,
			    1701, priv, 4);
			ikev1_put_id(&e, IKEV1_ID_IPV4_ADDR, IPPROTO_UDP,
			    1701, srv, 4);
		}
		if (i->c.natt) {
			uint8_t	 t = i->c.natt_draft ? IKEV1_PL_NATOA_DRAFT :
			    IKEV1_PL_NATOA;

			ikev1_put_natoa(&e, t, IKEV1_ID_IPV4_ADDR, priv, 4);
			ikev1_put_natoa(&e, t, IKEV1_ID_IPV4_ADDR, srv, 4);
		}
	}
	i->st = INI_QM_SENT;
	ini_seal_hashed(i, IKEV1_EXCH_QUICK, i->qm_msgid, &i->qm_iv, &e, body,
	    NULL, 0, o);
}

/* Our mode-config REQUEST (pull). */
void
ini_cfg_start(struct ikev1_ini *i, struct ikev1_ini_out *o)
{
	struct ikev1_cfg r;

	memset(&r, 0, sizeof(r));
	r.type = IKEV1_CFG_REQUEST;
	r.nattr = 4;
	r.attr[0].type = IKEV1_CFG_INTERNAL_IP4_ADDRESS;
	r.attr[1].type = IKEV1_CFG_INTERNAL_IP4_NETMASK;
	r.attr[2].type = IKEV1_CFG_INTERNAL_IP4_DNS;
	r.attr[3].type = IKEV1_CFG_UNITY_SPLIT_INCLUDE;
	i->cfg_msgid = 0x33333333;
	ikev1_iv_exchange(&i->keys, &i->iv, i->cfg_msgid, &i->cfg_iv);
	i->st = INI_CFG_SENT;
	cfg_send(i, i->cfg_msgid, &i->cfg_iv, &r, o);
}

static void
record_cfg(struct ikev1_ini *i, const struct ikev1_cfg *c)
{
	for (size_t k = 0; k < c->nattr; k++) {
		const struct ikev1_attr *a = &c->attr[k];

		if (a->type == IKEV1_CFG_INTERNAL_IP4_ADDRESS && a->len == 4) {
			memcpy(i->seen.vip, a->data, 4);
			i->seen.has_vip = true;
		} else if (a->type == IKEV1_CFG_INTERNAL_IP4_DNS) {
			i->seen.ndns++;
		} else if (a->type == IKEV1_CFG_UNITY_SPLIT_INCLUDE &&
		    a->len >= 14) {
			i->seen.nsplit = a->len / 14;
			memcpy(i->seen.split, a->data, 4);
		}
	}
}

int
ini_transaction(struct ikev1_ini *i, const struct ikev1_msg *m,
    struct ikev1_iv *iv, struct ikev1_ini_out *o)
{
	const struct ikev1_pl *ap = ikev1_msg_find(m, IKEV1_PL_ATTR);
	struct ikev1_cfg c, r;
	struct rg_rd	 rd;
	const char	*why;

	if (ap == NULL || !hash_ok(i, m, NULL, 0))
		return -1;
	rg_rd_init(&rd, ap->body, ap->len);
	if (ikev1_cfg_decode(&rd, &c, &why) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.ident = c.ident;
	if (c.type == IKEV1_CFG_REQUEST &&
	    ikev1_cfg_find(&c, IKEV1_CFG_XAUTH_USER_NAME) != NULL) {
		i->seen.xauth_requests++;
		if (i->c.user == NULL)
			return 0;
		r.type = IKEV1_CFG_REPLY;
		r.nattr = 2;
		r.attr[0] = (struct ikev1_attr){
		    .type = IKEV1_CFG_XAUTH_USER_NAME,
		    .data = (const uint8_t *)i->c.user,
		    .len = strlen(i->c.user) };
		r.attr[1] = (struct ikev1_attr){
		    .type = IKEV1_CFG_XAUTH_USER_PASSWORD,
		    .data = (const uint8_t *)i->c.pass,
		    .len = strlen(i->c.pass) };
		cfg_send(i, m->hdr.msgid, iv, &r, o);
		return 0;
	}
	if (c.type == IKEV1_CFG_SET &&
	    ikev1_cfg_find(&c, IKEV1_CFG_XAUTH_STATUS) == NULL) {
		/* A mode-config push: take it, ACK the types. */
		i->seen.pushed = true;
		record_cfg(i, &c);
		r.type = IKEV1_CFG_ACK;
		for (size_t k = 0; k < c.nattr && k < IKEV1_MAX_CFG_ATTR; k++)
			r.attr[r.nattr++].type = c.attr[k].type;
		cfg_send(i, m->hdr.msgid, iv, &r, o);
		i->st = INI_CFG_DONE;
		if (i->c.quick && i->seen.has_vip)
			ini_qm_start(i, o);
		return 0;
	}
	if (c.type == IKEV1_CFG_SET) {
		const struct ikev1_attr *st = ikev1_cfg_find(&c,
		    IKEV1_CFG_XAUTH_STATUS);

		i->seen.xauth_status = (int)st->val;
		r.type = IKEV1_CFG_ACK;
		r.nattr = 1;
		r.attr[0] = (struct ikev1_attr){ .type = IKEV1_CFG_XAUTH_STATUS,
		    .tv = true, .val = st->val };
		cfg_send(i, m->hdr.msgid, iv, &r, o);
		if (st->val != 1)
			return 0;
		i->st = INI_XAUTH_DONE;
		if (i->c.cfg_pull)
			ini_cfg_start(i, o);
		return 0;
	}
	if (c.type == IKEV1_CFG_REPLY && m->hdr.msgid == i->cfg_msgid) {
		record_cfg(i, &c);
		i->st = INI_CFG_DONE;
		if (i->c.quick && i->seen.has_vip)
			ini_qm_start(i, o);
		return 0;
	}
	return -1;
}

int
ini_quick2(struct ikev1_ini *i, const struct ikev1_msg *m,
    struct ikev1_ini_out *o)
{
	const struct ikev1_pl *sp = ikev1_msg_find(m, IKEV1_PL_SA);
	const struct ikev1_pl *no = ikev1_msg_find(m, IKEV1_PL_NONCE);
	struct ikev1_sa	 sa;
	struct ikev1_enc e;
	struct rg_rd	 rd;
	const char	*why;
	uint8_t		 body[256];
	size_t		 hl = i->prf->out;
	long		 n;

	if (sp == NULL || !hash_ok(i, m, i->qni, sizeof(i->qni)))
		return -1;
	rg_rd_init(&rd, sp->body, sp->len);
	if (ikev1_sa_decode(&rd, &sa, &why) < 0 || sa.nprop != 1 ||
	    sa.prop[0].spi_len != 4)
		return -1;
	i->seen.esp_spi = rg_get_u32(sa.prop[0].spi);
	for (size_t k = 0; k < m->npl; k++) {
		struct ikev1_notify nt;

		rg_rd_init(&rd, m->pl[k].body, m->pl[k].len);
		if (m->pl[k].type == IKEV1_PL_N &&
		    ikev1_notify_decode(&rd, &nt, &why) == 0 &&
		    nt.type == IKEV1_N_RESPONDER_LIFETIME && nt.len >= 8)
			i->seen.responder_life = rg_get_u16(nt.data + 6);
		if (m->pl[k].type == IKEV1_PL_NATOA ||
		    m->pl[k].type == IKEV1_PL_NATOA_DRAFT) {
			i->seen.natoa++;
			i->seen.natoa_type = m->pl[k].type;
		}
	}
	if (no == NULL)
		return -1;
	ikev1_enc_body(&e, body, sizeof(body));
	ikev1_put_hash(&e, body + 100, hl);
	if ((n = ikev1_enc_finish(&e)) < 0)
		return -1;
	ikev1_hash_qm3(&i->keys, i->qm_msgid, i->qni, sizeof(i->qni),
	    no->body, no->len, body + 4);
	i->st = INI_UP;
	ini_seal(i, IKEV1_EXCH_QUICK, i->qm_msgid, &i->qm_iv, e.first, body,
	    (size_t)n, o);
	return 0;
}

int
ini_info(struct ikev1_ini *i, const struct ikev1_msg *m)
{
	if (!hash_ok(i, m, NULL, 0))
		return -1;
	for (size_t k = 1; k < m->npl; k++) {
		struct rg_rd	 rd;
		const char	*why;

		rg_rd_init(&rd, m->pl[k].body, m->pl[k].len);
		if (m->pl[k].type == IKEV1_PL_N) {
			struct ikev1_notify n;

			if (ikev1_notify_decode(&rd, &n, &why) < 0)
				return -1;
			if (i->seen.nnotify < 8)
				i->seen.notify[i->seen.nnotify++] = n.type;
			if (n.type == IKEV1_N_R_U_THERE && n.len == 4)
				i->seen.dpd_seq = rg_get_u32(n.data);
		} else if (m->pl[k].type == IKEV1_PL_D) {
			struct ikev1_delete d;

			if (ikev1_delete_decode(&rd, &d, &why) < 0)
				return -1;
			if (d.proto == IKEV1_PROTO_ISAKMP)
				i->seen.deleted_isakmp = true;
			else
				i->seen.deleted_esp += d.nspi;
		}
	}
	return 0;
}

void
ikev1_ini_info(struct ikev1_ini *i, uint16_t type, const uint8_t *data,
    size_t len, struct ikev1_ini_out *o)
{
	struct ikev1_enc e;
	struct ikev1_iv	 iv;
	uint8_t		 body[512], zero[IKEV1_PRF_MAX] = { 0 }, spi[16];
	uint32_t	 msgid = 0x77000000u | type;

	o->n = 0;
	memcpy(spi, i->ck_i, 8);
	memcpy(spi + 8, i->ck_r, 8);
	ikev1_iv_exchange(&i->keys, &i->iv, msgid, &iv);
	ikev1_enc_body(&e, body, sizeof(body));
	ikev1_put_hash(&e, zero, i->prf->out);
	if (type == 0)
		ikev1_put_delete(&e, IKEV1_PROTO_ISAKMP, 16, spi, 1);
	else
		ikev1_put_notify(&e, IKEV1_PROTO_ISAKMP, spi, 16, type, data,
		    len);
	ini_seal_hashed(i, IKEV1_EXCH_INFORMATIONAL, msgid, &iv, &e, body, NULL,
	    0, o);
}

void
ikev1_ini_seal_raw(struct ikev1_ini *i, uint8_t exch, uint32_t msgid,
    uint8_t first, uint8_t *body, size_t len, bool fix_hash,
    struct ikev1_ini_out *o)
{
	struct ikev1_iv	 iv;
	size_t		 hl;

	o->n = 0;
	if (i->prf == NULL)
		return;
	hl = i->prf->out;
	if (fix_hash && first == IKEV1_PL_HASH && len >= 4 + hl &&
	    rg_get_u16(body + 2) == 4 + hl)
		ikev1_hash_msg(&i->keys, msgid, NULL, 0, body + 4 + hl,
		    len - 4 - hl, body + 4);
	ikev1_iv_exchange(&i->keys, &i->iv, msgid, &iv);
	ini_seal(i, exch, msgid, &iv, first, body, len, o);
}
