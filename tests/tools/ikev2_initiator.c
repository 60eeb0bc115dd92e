/*
 * ikev2_initiator.c: the test-only IKEv2 initiator (see the header).
 * IKE_SA_INIT (with COOKIE and INVALID_KE_PAYLOAD retries, RFC 7296 2.6,
 * 1.2), IKE_AUTH with PSK (2.15) + CP (2.19) + the first CHILD_SA,
 * CREATE_CHILD_SA for CHILD and IKE rekeys (1.3.2, 1.3.3, 2.18), DELETE
 * and empty INFORMATIONAL requests (1.4).
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

struct ikev2_ini *
ikev2_ini_new(const struct ikev2_ini_conf *c)
{
	struct ikev2_ini *i = calloc(1, sizeof(*i));

	if (i == NULL || c->psklen > sizeof(i->psk))
		goto fail;
	i->c = *c;
	snprintf(i->id, sizeof(i->id), "%s", c->id);
	i->c.id = i->id;
	memcpy(i->psk, c->psk, c->psklen);
	i->c.psk = i->psk;
	i->group = c->groups[0];
	i->addke1_chosen = -1;
	i->nonce_fill = -1;
	return i;
fail:
	free(i);
	return NULL;
}

void
ikev2_ini_free(struct ikev2_ini *i)
{
	if (i == NULL)
		return;
	ike_dh_free(i->dh);
	ike_dh_free(i->rk_dh);
	EVP_PKEY_free(i->sig_key);
	X509_free(i->sig_cert);
	rg_buf_free(i->msg1);
	rg_buf_free(i->msg2);
	rg_buf_free(i->eap_in);
	rg_buf_free(i->kdf_gir);
	for (size_t k = 0; k < i->nchain; k++)
		X509_free(i->chain[k]);
	for (size_t k = 0; k < INI_MAX_FRAGS; k++) {
		rg_buf_free(i->txf[k]);
		rg_buf_free(i->rxf[k]);
	}
	OPENSSL_cleanse(i, sizeof(*i));
	free(i);
}

void
ikev2_ini_add_chain(struct ikev2_ini *i, X509 *x)
{
	if (i->nchain < sizeof(i->chain) / sizeof(i->chain[0]) &&
	    X509_up_ref(x) == 1)
		i->chain[i->nchain++] = x;
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

void
ikev2_ini_set_child_pfs(struct ikev2_ini *i, uint16_t group)
{
	i->child_pfs = group;
}

void
ikev2_ini_kdf(const struct ikev2_ini *i, struct ikev2_ini_kdf *k)
{
	memset(k, 0, sizeof(*k));
	if (i->msg1 != NULL) {
		k->msg1 = i->msg1->data;
		k->msg1len = i->msg1->len;
	}
	if (i->msg2 != NULL) {
		k->msg2 = i->msg2->data;
		k->msg2len = i->msg2->len;
	}
	k->ni = i->kdf_rekey ? i->rk_n : i->ni;
	k->nilen = i->kdf_rekey ? sizeof(i->rk_n) : sizeof(i->ni);
	k->nr = i->kdf_rekey ? i->rk_nr : i->nr;
	k->nrlen = i->kdf_rekey ? i->rk_nrlen : i->nrlen;
	if (i->kdf_gir != NULL) {
		k->gir = i->kdf_gir->data;
		k->girlen = i->kdf_gir->len;
	}
}

/* Keep g^ir (or none) as the input of the newest keys. */
static void
kdf_keep(struct ikev2_ini *i, const struct rg_buf *gir, bool rekey)
{
	rg_buf_free(i->kdf_gir);
	i->kdf_gir = gir != NULL ? rg_buf_dup(gir->data, gir->len) : NULL;
	i->kdf_rekey = rekey;
}

void
ikev2_ini_set_dh(struct ikev2_ini *i, struct ike_dh *dh)
{
	ike_dh_free(i->dh);
	i->dh = dh;
}

enum ikev2_ini_state ikev2_ini_state(const struct ikev2_ini *i) { return i->state; }
uint64_t ikev2_ini_spi_i(const struct ikev2_ini *i) { return i->spi_i; }
uint64_t ikev2_ini_spi_r(const struct ikev2_ini *i) { return i->spi_r; }
uint16_t ikev2_ini_error(const struct ikev2_ini *i) { return i->error; }
const struct rg_addr *ikev2_ini_vip(const struct ikev2_ini *i) { return &i->vip; }

uint32_t
ikev2_ini_child_spi(const struct ikev2_ini *i, bool ours)
{
	return ours ? i->spi_in : i->spi_out;
}

size_t
ikev2_ini_tsr(const struct ikev2_ini *i, uint8_t lo[4], uint8_t hi[4])
{
	memcpy(lo, i->tsr_lo, 4);
	memcpy(hi, i->tsr_hi, 4);
	return i->ntsr;
}

void
ikev2_ini_set_addke1(struct ikev2_ini *i, const uint16_t *ids, size_t n,
    bool optional)
{
	memset(i->addke1, 0, sizeof(i->addke1));
	for (size_t k = 0; k < n && k < 2; k++)
		i->addke1[k] = ids[k];
	i->addke1_optional = optional;
}

int
ikev2_ini_addke1(const struct ikev2_ini *i)
{
	return i->addke1_chosen;
}

size_t
ikev2_ini_dns(const struct ikev2_ini *i, uint8_t first[4])
{
	memcpy(first, i->dns, 4);
	return i->ndns;
}

static void
hdr_init(struct ikev2_ini *i, struct ikev2_hdr *h, uint8_t exch,
    uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = i->spi_i;
	h->spi_r = i->spi_r;
	h->exch = exch;
	h->flags = IKEV2_FLAG_I;
	h->msgid = msgid;
}

static void
add_xf(struct ikev2_prop *p, uint8_t type, uint16_t id, uint16_t kl)
{
	p->xf[p->nxf].type = type;
	p->xf[p->nxf].id = id;
	p->xf[p->nxf].keylen = kl;
	p->nxf++;
}

static void
ike_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa, const uint8_t *spi,
    bool all_groups)
{
	struct ikev2_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_IKE;
	if (spi != NULL) {
		p->spi_len = 8;
		memcpy(p->spi, spi, 8);
	}
	add_xf(p, IKEV2_XF_ENCR, i->c.encr, i->c.encr_keylen);
	add_xf(p, IKEV2_XF_PRF, i->c.prf, 0);
	if (i->c.integ)
		add_xf(p, IKEV2_XF_INTEG, i->c.integ, 0);
	if (all_groups) {
		for (size_t k = 0; k < 4 && i->c.groups[k]; k++)
			add_xf(p, IKEV2_XF_DH, i->c.groups[k], 0);
	} else
		add_xf(p, IKEV2_XF_DH, i->group, 0);
	if (spi == NULL) {
		/* IKE_SA_INIT: RFC 9370 additional key exchanges. */
		for (size_t k = 0; k < 2 && i->addke1[k]; k++)
			add_xf(p, IKEV2_XF_ADDKE1, i->addke1[k], 0);
		if (i->addke1[0] && i->addke1_optional)
			add_xf(p, IKEV2_XF_ADDKE1, 0, 0);
	}
}

static void
esp_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa, uint32_t spi)
{
	struct ikev2_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_len = 4;
	rg_put_u32(p->spi, spi);
	add_xf(p, IKEV2_XF_ENCR, i->c.esp_encr, i->c.esp_keylen);
	if (i->c.esp_integ)
		add_xf(p, IKEV2_XF_INTEG, i->c.esp_integ, 0);
	add_xf(p, IKEV2_XF_ESN, 0, 0);
}

static void
any_ts(struct ikev2_ts_pl *t)
{
	memset(t, 0, sizeof(*t));
	t->nts = 1;
	t->ts[0].type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->ts[0].port_hi = 0xffff;
	memset(t->ts[0].hi, 0xff, 4);
}

long
ikev2_ini_start(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	uint8_t			 pub[1100];
	long			 n, pl;

	if (sa == NULL)
		return -1;
	if (i->spi_i == 0)
		ike_random(&i->spi_i, sizeof(i->spi_i));
	i->spi_r = 0;
	i->msgid = 0;
	/* A retry after COOKIE resends the same Ni and KE (RFC 7296 2.6). */
	if (i->dh == NULL || ike_dh_group(i->dh) != i->group) {
		ike_dh_free(i->dh);
		i->dh = ike_dh_new(i->group);
	}
	if (i->dh == NULL || (pl = ike_dh_public(i->dh, pub, sizeof(pub))) < 0) {
		free(sa);
		return -1;
	}
	if (i->state == INI_START)
		ike_random(i->ni, sizeof(i->ni));
	hdr_init(i, &h, IKEV2_EXCH_IKE_SA_INIT, 0);
	/* HDR, [N(COOKIE)], SAi1, KEi, Ni --> */
	ikev2_enc_init(&e, out, cap, &h);
	if (i->cookielen)
		ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_COOKIE, i->cookie,
		    i->cookielen);
	ike_sa(i, sa, NULL, true);
	ikev2_put_sa(&e, sa);
	ikev2_put_ke(&e, i->group, pub, (size_t)pl);
	ikev2_put_nonce(&e, i->ni, sizeof(i->ni));
	if (i->frag_mtu != 0)
		ikev2_put_notify(&e, 0, NULL, 0,
		    IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (i->c.fake_nat) {
		uint8_t	 nd[20];

		ike_random(nd, sizeof(nd));
		ikev2_put_notify(&e, 0, NULL, 0,
		    IKEV2_N_NAT_DETECTION_SOURCE_IP, nd, 20);
		ikev2_put_notify(&e, 0, NULL, 0,
		    IKEV2_N_NAT_DETECTION_DESTINATION_IP, nd, 20);
	}
	free(sa);
	if ((n = ikev2_enc_finish(&e)) < 0)
		return -1;
	rg_buf_free(i->msg1);
	i->msg1 = rg_buf_dup(out, (size_t)n);
	i->msgid = 1;
	i->state = INI_INIT_SENT;
	return n;
}

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
static long
seal_frags(struct ikev2_ini *i, const struct ikev2_hdr *h,
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
static long
frag_in(struct ikev2_ini *i, const struct ikev2_msg *m, uint8_t *plain,
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

static long
seal_req(struct ikev2_ini *i, uint8_t exch, const struct ikev2_enc *in,
    uint8_t *out, size_t cap)
{
	struct ikev2_hdr	 h;
	struct ikev2_enc	 e;

	const struct ikev2_sk_dir *d = &i->keys.i2r;
	size_t			 ilen = in->w.len;

	for (size_t k = 0; k < i->ntxf; k++) {
		rg_buf_free(i->txf[k]);
		i->txf[k] = NULL;
	}
	i->ntxf = 0;
	hdr_init(i, &h, exch, i->msgid++);
	if (in->w.err)
		return -1;
	if (i->frag_mtu != 0 && i->frag_peer &&
	    IKEV2_HDR_LEN + 4 + ilen + ikev2_sk_overhead(d, ilen) > i->frag_mtu)
		return seal_frags(i, &h, in, out, cap);
	ikev2_enc_init(&e, out, cap, &h);
	ikev2_pl_begin(&e, IKEV2_PL_SK);
	if (e.w.err)
		return -1;
	out[IKEV2_HDR_LEN] = in->first;
	return ikev2_sk_seal(d, out, cap, e.w.len, IKEV2_HDR_LEN,
	    in->w.base, ilen);
}

static long
build_auth(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	uint8_t			 buf[4096], idbody[200], auth[64];
	uint8_t			 sigbuf[600];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	struct ikev2_ts_pl	 ts;
	size_t			 idlen = strlen(i->id);
	long			 n;

	if (sa == NULL || idlen > sizeof(idbody) - 4) {
		free(sa);
		return -1;
	}
	idbody[0] = strchr(i->id, '@') ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_FQDN;
	memset(idbody + 1, 0, 3);
	memcpy(idbody + 4, i->id, idlen);
	if (i->sig_key != NULL) {
		unsigned char	*der = NULL;
		int		 dl = i2d_X509_NAME(X509_get_subject_name(
		    i->sig_cert), &der);

		if (dl <= 0 || (size_t)dl > sizeof(idbody) - 4) {
			OPENSSL_free(der);
			free(sa);
			return -1;
		}
		idbody[0] = IKEV2_ID_DER_ASN1_DN;
		memcpy(idbody + 4, der, (size_t)dl);
		idlen = (size_t)dl;
		OPENSSL_free(der);
	}
	/* HDR, SK {IDi, [CERT,] [AUTH,] CP(CFG_REQUEST), SAi2, TSi, TSr} -->
	 * (no AUTH: EAP) */
	memcpy(i->idi_body, idbody, idlen + 4);
	i->idi_len = idlen + 4;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_id(&e, IKEV2_PL_IDI, idbody[0], idbody + 4, idlen);
	if (i->c.initial_contact)
		ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_INITIAL_CONTACT,
		    NULL, 0);
	if (i->sig_key != NULL) {
		unsigned char	*der = NULL;
		int		 dl = i2d_X509(i->sig_cert, &der);
		long		 al;

		if (dl > 0)
			ikev2_put_cert(&e, IKEV2_PL_CERT, IKEV2_CERT_X509_SIG,
			    der, (size_t)dl);
		OPENSSL_free(der);
		for (size_t k = 0; dl > 0 && k < i->nchain; k++) {
			unsigned char	*cd = NULL;
			int		 cl = i2d_X509(i->chain[k], &cd);

			if (cl > 0)
				ikev2_put_cert(&e, IKEV2_PL_CERT,
				    IKEV2_CERT_X509_SIG, cd, (size_t)cl);
			OPENSSL_free(cd);
		}
		if (dl <= 0 || (al = ini_sig_auth(i, idbody, idlen + 4, sigbuf,
		    sizeof(sigbuf))) < 0) {
			free(sa);
			return -1;
		}
		ikev2_put_auth(&e, i->sig_method, sigbuf, (size_t)al);
	} else if (i->eap) {
		/* RFC 7296 2.16: no AUTH asks for EAP. */
	} else {
		if (ini_psk_auth(i, i->msg1, i->nr, i->nrlen, i->keys.sk_pi,
		    idbody, idlen + 4, auth) < 0) {
			free(sa);
			return -1;
		}
		ikev2_put_auth(&e, IKEV2_AUTH_PSK, auth, i->prf->out);
	}
	if (i->c.want_vip) {
		struct ikev2_cp cp;

		memset(&cp, 0, sizeof(cp));
		cp.cfg_type = IKEV2_CFG_REQUEST;
		cp.nattr = 2;
		cp.attr[0].type = IKEV2_CFG_INTERNAL_IP4_ADDRESS;
		cp.attr[1].type = IKEV2_CFG_INTERNAL_IP4_DNS;
		if (i->want_v6) {
			cp.attr[cp.nattr++].type =
			    IKEV2_CFG_INTERNAL_IP6_ADDRESS;
			cp.attr[cp.nattr++].type = IKEV2_CFG_INTERNAL_IP6_DNS;
		}
		ikev2_put_cp(&e, &cp);
	}
	ike_random(&i->spi_in, sizeof(i->spi_in));
	i->spi_in |= 0x1000;
	esp_sa(i, sa, i->spi_in);
	ikev2_put_sa(&e, sa);
	free(sa);
	any_ts(&ts);
	if (i->transport) {
		ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_USE_TRANSPORT_MODE,
		    NULL, 0);
		ts.ts[0].proto = 17;
		ts.ts[0].port_lo = ts.ts[0].port_hi = 1701;
	}
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	n = seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap);
	if (n > 0)
		i->state = INI_AUTH_SENT;
	return n;
}

static const struct ikev2_prop *
first_prop(const struct ikev2_msg *m, struct ikev2_sa_pl *sa)
{
	const struct ikev2_pl *p = ikev2_msg_find(m, IKEV2_PL_SA);
	struct rg_rd	 r;

	if (p == NULL)
		return NULL;
	rg_rd_init(&r, p->body, p->len);
	if (ikev2_sa_decode(&r, sa) < 0 || sa->nprop != 1)
		return NULL;
	return &sa->prop[0];
}

static void
take_algs(const struct ikev2_prop *p, const struct ikev2_xform **prf,
    const struct ikev2_xform **encr, const struct ikev2_xform **integ)
{
	*prf = *encr = *integ = NULL;
	for (size_t k = 0; k < p->nxf; k++) {
		const struct ikev2_xform *x = ikev2_xform_find(p->xf[k].type,
		    p->xf[k].id, p->xf[k].keylen);

		if (x == NULL)
			continue;
		if (x->type == IKEV2_XF_PRF)
			*prf = x;
		else if (x->type == IKEV2_XF_ENCR)
			*encr = x;
		else if (x->type == IKEV2_XF_INTEG)
			*integ = x;
	}
}

/* The first error notify (type < 16384), or 0. */
static uint16_t
error_notify(const struct ikev2_msg *m, const uint8_t **data, size_t *len)
{
	for (size_t k = 0; k < m->npl; k++) {
		struct ikev2_notify n;
		struct rg_rd	 r;

		if (m->pl[k].type != IKEV2_PL_N)
			continue;
		rg_rd_init(&r, m->pl[k].body, m->pl[k].len);
		if (ikev2_notify_decode(&r, &n) == 0 && n.type < 16384) {
			if (data != NULL) {
				*data = n.data;
				*len = n.len;
			}
			return n.type;
		}
	}
	return 0;
}

static long
init_response(struct ikev2_ini *i, const struct ikev2_msg *m, uint8_t *out,
    size_t cap)
{
	struct ikev2_sa_pl	*sa;
	const struct ikev2_prop	*p;
	const struct ikev2_pl	*ke = ikev2_msg_find(m, IKEV2_PL_KE);
	const struct ikev2_pl	*no = ikev2_msg_find(m, IKEV2_PL_NONCE);
	struct ikev2_ke		 k;
	struct rg_rd		 r;
	struct rg_buf		*gir;
	const uint8_t		*d;
	size_t			 dl;
	uint16_t		 err;
	long			 rc = -1;

	for (size_t x = 0; x < m->npl; x++) {
		struct ikev2_notify n;

		if (m->pl[x].type != IKEV2_PL_N)
			continue;
		rg_rd_init(&r, m->pl[x].body, m->pl[x].len);
		if (ikev2_notify_decode(&r, &n) < 0)
			continue;
		if (n.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED)
			i->frag_peer = i->frag_mtu != 0;
		if (n.type == IKEV2_N_COOKIE && n.len <= sizeof(i->cookie)) {
			memcpy(i->cookie, n.data, n.len);
			i->cookielen = n.len;
			return ikev2_ini_start(i, out, cap);
		}
	}
	if ((err = error_notify(m, &d, &dl)) != 0) {
		if (err == IKEV2_N_INVALID_KE_PAYLOAD && dl == 2 &&
		    i->group != rg_get_u16(d)) {
			i->group = rg_get_u16(d);
			i->error = err;
			return ikev2_ini_start(i, out, cap);
		}
		i->error = err;
		i->state = INI_FAILED;
		return -1;
	}
	if ((sa = malloc(sizeof(*sa))) == NULL)
		return -1;
	if ((p = first_prop(m, sa)) == NULL || ke == NULL || no == NULL ||
	    no->len > sizeof(i->nr))
		goto out;
	take_algs(p, &i->prf, &i->encr, &i->integ);
	for (size_t x = 0; x < p->nxf; x++)
		if (p->xf[x].type == IKEV2_XF_ADDKE1)
			i->addke1_chosen = p->xf[x].id;
	/* We cannot do an additional key exchange: chosen must be NONE. */
	if (i->addke1_chosen > 0)
		goto out;
	rg_rd_init(&r, ke->body, ke->len);
	if (i->prf == NULL || i->encr == NULL || ikev2_ke_decode(&r, &k) < 0 ||
	    (gir = ike_dh_derive(i->dh, k.data, k.len)) == NULL)
		goto out;
	memcpy(i->nr, no->body, no->len);
	i->nrlen = no->len;
	i->spi_r = m->hdr.spi_r;
	rg_buf_free(i->msg2);
	i->msg2 = rg_buf_dup(m->raw, m->rawlen);
	kdf_keep(i, gir, false);
	if (ikev2_derive_ike(&i->keys, i->prf, i->encr, i->integ, gir, i->ni,
	    sizeof(i->ni), i->nr, i->nrlen, i->spi_i, i->spi_r, NULL, NULL) == 0)
		rc = build_auth(i, out, cap);
	rg_buf_free(gir);
out:
	free(sa);
	return rc;
}

static int
auth_response(struct ikev2_ini *i, const struct ikev2_msg *m)
{
	const struct ikev2_pl	*idr = ikev2_msg_find(m, IKEV2_PL_IDR);
	const struct ikev2_pl	*au = ikev2_msg_find(m, IKEV2_PL_AUTH);
	const struct ikev2_pl	*cp = ikev2_msg_find(m, IKEV2_PL_CP);
	/* After EAP the answer has no IDr: AUTH covers the first one's. */
	const uint8_t		*idb = idr ? idr->body : i->idr_body;
	size_t			 idl = idr ? idr->len : i->idr_len;
	const struct ikev2_pl	*tsr = ikev2_msg_find(m, IKEV2_PL_TSR);
	struct ikev2_sa_pl	*sa;
	const struct ikev2_prop	*p;
	struct ikev2_auth	 a;
	struct rg_rd		 r;
	uint8_t			 want[64];
	uint16_t		 err;
	int			 rc = -1;

	if ((err = error_notify(m, NULL, NULL)) != 0 ||
	    (idr == NULL && !i->eap_final) || au == NULL) {
		if (err != 0)
			i->error = err;
		goto fail;
	}
	rg_rd_init(&r, au->body, au->len);
	if (ikev2_auth_decode(&r, &a) < 0)
		goto fail;
	i->resp_auth = a.method;
	if (i->sig_key != NULL) {
		if (ini_sig_verify(i, m, &a, idr) < 0)
			goto fail;
	} else if (a.method != IKEV2_AUTH_PSK ||
	    ini_psk_auth(i, i->msg2, i->ni, sizeof(i->ni), i->keys.sk_pr,
	    idb, idl, want) < 0 || a.len != i->prf->out ||
	    CRYPTO_memcmp(want, a.data, a.len) != 0)
		goto fail;
	if (cp != NULL) {
		struct ikev2_cp	*c = malloc(sizeof(*c));

		rg_rd_init(&r, cp->body, cp->len);
		if (c != NULL && ikev2_cp_decode(&r, c) == 0)
			for (size_t k = 0; k < c->nattr; k++) {
				if (c->attr[k].type ==
				    IKEV2_CFG_INTERNAL_IP4_ADDRESS &&
				    c->attr[k].len == 4) {
					i->vip.af = AF_INET;
					memcpy(i->vip.addr, c->attr[k].data, 4);
				}
				if (c->attr[k].type == IKEV2_CFG_INTERNAL_IP4_DNS &&
				    c->attr[k].len == 4 && i->ndns++ == 0)
					memcpy(i->dns, c->attr[k].data, 4);
				if (c->attr[k].type ==
				    IKEV2_CFG_INTERNAL_IP6_ADDRESS &&
				    c->attr[k].len == 17)
					memcpy(i->vip6, c->attr[k].data, 17);
				if (c->attr[k].type == IKEV2_CFG_INTERNAL_IP6_DNS &&
				    c->attr[k].len == 16 && i->ndns6++ == 0)
					memcpy(i->dns6, c->attr[k].data, 16);
			}
		free(c);
	}
	ini_seen(i, m);
	if (tsr != NULL) {
		struct ikev2_ts_pl t;

		rg_rd_init(&r, tsr->body, tsr->len);
		if (ikev2_ts_decode(&r, &t) == 0) {
			i->ntsr = t.nts;
			memcpy(i->tsr_lo, t.ts[0].lo, 4);
			memcpy(i->tsr_hi, t.ts[0].hi, 4);
		}
	}
	if ((sa = malloc(sizeof(*sa))) != NULL && (p = first_prop(m, sa)) !=
	    NULL && p->spi_len == 4) {
		i->spi_out = rg_get_u32(p->spi);
		i->state = INI_ESTABLISHED;
		rc = 0;
	}
	free(sa);
	if (rc == 0)
		return 0;
fail:
	i->state = INI_FAILED;
	return -1;
}

static long	child_request(struct ikev2_ini *, uint8_t *, size_t, bool);

long
ikev2_ini_rekey_child(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return child_request(i, out, cap, true);
}

long
ikev2_ini_new_child(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return child_request(i, out, cap, false);
}

/* HDR, SK {[N(REKEY_SA),] SA, Ni, TSi, TSr} -->; the answer's SA becomes
 * the one we track either way. */
static long
child_request(struct ikev2_ini *i, uint8_t *out, size_t cap, bool rekey)
{
	uint8_t			 buf[2048], spi[4], pub[1100];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	struct ikev2_ts_pl	 ts;
	long			 n, pl = 0;

	if (sa == NULL || i->state != INI_ESTABLISHED) {
		free(sa);
		return -1;
	}
	/* HDR, SK {[N(REKEY_SA),] SA, Ni, [KEi], TSi, TSr} --> */
	if (i->child_pfs != 0) {
		ike_dh_free(i->rk_dh);
		if ((i->rk_dh = ike_dh_new(i->child_pfs)) == NULL ||
		    (pl = ike_dh_public(i->rk_dh, pub, sizeof(pub))) < 0) {
			free(sa);
			return -1;
		}
	}
	ike_random(&i->rk_spi_in, sizeof(i->rk_spi_in));
	i->rk_spi_in |= 0x1000;
	if (i->nonce_fill >= 0)
		memset(i->rk_n, i->nonce_fill, sizeof(i->rk_n));
	else
		ike_random(i->rk_n, sizeof(i->rk_n));
	rg_put_u32(spi, i->spi_in);
	ikev2_enc_inner(&e, buf, sizeof(buf));
	if (rekey)
		ikev2_put_notify(&e, IKEV2_PROTO_ESP, spi, 4, IKEV2_N_REKEY_SA,
		    NULL, 0);
	esp_sa(i, sa, i->rk_spi_in);
	if (i->child_pfs != 0)
		add_xf(&sa->prop[0], IKEV2_XF_DH, i->child_pfs, 0);
	ikev2_put_sa(&e, sa);
	free(sa);
	ikev2_put_nonce(&e, i->rk_n, sizeof(i->rk_n));
	if (i->child_pfs != 0)
		ikev2_put_ke(&e, i->child_pfs, pub, (size_t)pl);
	any_ts(&ts);
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	if ((n = seal_req(i, IKEV2_EXCH_CREATE_CHILD_SA, &e, out, cap)) > 0) {
		i->op = OP_REKEY_CHILD;
		i->state = INI_REQ_SENT;
	}
	return n;
}

long
ikev2_ini_rekey_ike(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	uint8_t			 buf[2048], spi[8], pub[1100];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	long			 n, pl;

	if (sa == NULL || i->state != INI_ESTABLISHED) {
		free(sa);
		return -1;
	}
	/* HDR, SK {SA, Ni, KEi} --> */
	ike_random(&i->rk_spi, sizeof(i->rk_spi));
	for (int k = 0; k < 8; k++)
		spi[k] = (uint8_t)(i->rk_spi >> (56 - 8 * k));
	if (i->nonce_fill >= 0)
		memset(i->rk_n, i->nonce_fill, sizeof(i->rk_n));
	else
		ike_random(i->rk_n, sizeof(i->rk_n));
	ike_dh_free(i->rk_dh);
	if ((i->rk_dh = ike_dh_new(i->group)) == NULL ||
	    (pl = ike_dh_public(i->rk_dh, pub, sizeof(pub))) < 0) {
		free(sa);
		return -1;
	}
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ike_sa(i, sa, spi, false);
	ikev2_put_sa(&e, sa);
	free(sa);
	ikev2_put_nonce(&e, i->rk_n, sizeof(i->rk_n));
	ikev2_put_ke(&e, i->group, pub, (size_t)pl);
	if ((n = seal_req(i, IKEV2_EXCH_CREATE_CHILD_SA, &e, out, cap)) > 0) {
		i->op = OP_REKEY_IKE;
		i->state = INI_REQ_SENT;
	}
	return n;
}

static long
info_req(struct ikev2_ini *i, const struct ikev2_delete *d, enum op op,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[256];
	struct ikev2_enc	 e;
	long			 n;

	ikev2_enc_inner(&e, buf, sizeof(buf));
	if (d != NULL)
		ikev2_put_delete(&e, d);
	if ((n = seal_req(i, IKEV2_EXCH_INFORMATIONAL, &e, out, cap)) > 0) {
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
	return info_req(i, &d, OP_DEL_CHILD, out, cap);
}

long
ikev2_ini_delete(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	struct ikev2_delete	 d;

	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_IKE;
	return info_req(i, &d, OP_DELETE, out, cap);
}

long
ikev2_ini_info(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return info_req(i, NULL, OP_INFO, out, cap);
}

static long
rekey_response(struct ikev2_ini *i, const struct ikev2_msg *m, uint8_t *out,
    size_t cap)
{
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	const struct ikev2_prop	*p;
	const struct ikev2_pl	*no = ikev2_msg_find(m, IKEV2_PL_NONCE);
	uint16_t		 err;
	long			 rc = -1;

	if (sa == NULL)
		return -1;
	if ((err = error_notify(m, NULL, NULL)) != 0) {
		i->error = err;
		goto out;
	}
	if ((p = first_prop(m, sa)) == NULL || no == NULL ||
	    no->len > sizeof(i->rk_nr))
		goto out;
	memcpy(i->rk_nr, no->body, no->len);
	i->rk_nrlen = no->len;
	if (i->op == OP_REKEY_CHILD) {
		const struct ikev2_pl *ke = ikev2_msg_find(m, IKEV2_PL_KE);
		struct rg_buf	*gir = NULL;
		struct ikev2_ke	 k;
		struct rg_rd	 r;

		if (p->spi_len != 4)
			goto out;
		if (i->child_pfs != 0) {
			/* <-- HDR, SK {SA, Nr, KEr, TSi, TSr} */
			if (ke == NULL)
				goto out;
			rg_rd_init(&r, ke->body, ke->len);
			if (ikev2_ke_decode(&r, &k) < 0 || (gir =
			    ike_dh_derive(i->rk_dh, k.data, k.len)) == NULL)
				goto out;
		}
		kdf_keep(i, gir, true);
		rg_buf_free(gir);
		/* New CHILD; the old one is deleted by the caller. */
		i->spi_out = rg_get_u32(p->spi);
		i->spi_in = i->rk_spi_in;
		i->state = INI_ESTABLISHED;
		rc = 0;
	} else {
		const struct ikev2_pl *ke = ikev2_msg_find(m, IKEV2_PL_KE);
		struct ikev2_ke	 k;
		struct rg_rd	 r;
		struct rg_buf	*gir;
		struct ikev2_delete d;

		if (p->spi_len != 8 || ke == NULL)
			goto out;
		i->rk_spi_r = 0;
		for (int x = 0; x < 8; x++)
			i->rk_spi_r = i->rk_spi_r << 8 | p->spi[x];
		take_algs(p, &i->rk_prf, &i->rk_encr, &i->rk_integ);
		rg_rd_init(&r, ke->body, ke->len);
		if (i->rk_prf == NULL || i->rk_encr == NULL ||
		    ikev2_ke_decode(&r, &k) < 0 ||
		    (gir = ike_dh_derive(i->rk_dh, k.data, k.len)) == NULL)
			goto out;
		kdf_keep(i, gir, true);
		/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
		if (ikev2_derive_ike(&i->rk_keys, i->rk_prf, i->rk_encr,
		    i->rk_integ, gir, i->rk_n, sizeof(i->rk_n), no->body,
		    no->len, i->rk_spi, i->rk_spi_r, i->prf, i->keys.sk_d) < 0) {
			rg_buf_free(gir);
			goto out;
		}
		rg_buf_free(gir);
		/* Then delete the old IKE SA on the old SA. */
		memset(&d, 0, sizeof(d));
		d.proto = IKEV2_PROTO_IKE;
		rc = info_req(i, &d, OP_DEL_OLD_IKE, out, cap);
	}
out:
	free(sa);
	if (rc < 0)
		i->state = INI_FAILED;
	return rc;
}

/* <-- HDR, SK {IDr, [CERT,] AUTH, EAP}, then <-- HDR, SK {EAP} */
static int
eap_response(struct ikev2_ini *i, const struct ikev2_msg *m)
{
	const struct ikev2_pl	*ep = ikev2_msg_find(m, IKEV2_PL_EAP);
	const struct ikev2_pl	*idr = ikev2_msg_find(m, IKEV2_PL_IDR);
	const struct ikev2_pl	*au = ikev2_msg_find(m, IKEV2_PL_AUTH);
	struct ikev2_auth	 a;
	struct rg_rd		 r;
	uint16_t		 err;

	if ((err = error_notify(m, NULL, NULL)) != 0) {
		i->error = err;
		goto fail;
	}
	if (ep == NULL)
		goto fail;
	if (idr != NULL) {
		if (au == NULL || idr->len > sizeof(i->idr_body))
			goto fail;
		rg_rd_init(&r, au->body, au->len);
		if (ikev2_auth_decode(&r, &a) < 0 ||
		    ini_sig_verify(i, m, &a, idr) < 0)
			goto fail;
		i->resp_auth = a.method;
		memcpy(i->idr_body, idr->body, idr->len);
		i->idr_len = idr->len;
	}
	rg_buf_free(i->eap_in);
	if ((i->eap_in = rg_buf_dup(ep->body, ep->len)) == NULL)
		goto fail;
	i->state = INI_EAP;
	return 0;
fail:
	i->state = INI_FAILED;
	return -1;
}

void
ikev2_ini_set_eap(struct ikev2_ini *i, bool on)
{
	i->eap = on;
}

const uint8_t *
ikev2_ini_eap_msg(const struct ikev2_ini *i, size_t *len)
{
	*len = i->eap_in ? i->eap_in->len : 0;
	return i->eap_in ? i->eap_in->data : NULL;
}

/* HDR, SK {EAP} --> */
long
ikev2_ini_eap_send(struct ikev2_ini *i, const uint8_t *eap, size_t len,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[4096];
	struct ikev2_enc	 e;
	long			 n;

	if (i->state != INI_EAP)
		return -1;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_raw(&e, IKEV2_PL_EAP, eap, len);
	if ((n = seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap)) > 0)
		i->state = INI_AUTH_SENT;
	return n;
}

/* HDR, SK {AUTH} --> with the MSK as the shared key (RFC 7296 2.16). */
long
ikev2_ini_eap_auth(struct ikev2_ini *i, const uint8_t *msk, size_t msklen,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[512], auth[64];
	struct ikev2_enc	 e;
	long			 n;

	if (i->state != INI_EAP || msklen == 0 || msklen > sizeof(i->psk))
		return -1;
	memcpy(i->psk, msk, msklen);
	i->c.psklen = msklen;
	if (ini_psk_auth(i, i->msg1, i->nr, i->nrlen, i->keys.sk_pi,
	    i->idi_body, i->idi_len, auth) < 0)
		return -1;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_auth(&e, IKEV2_AUTH_PSK, auth, i->prf->out);
	if ((n = seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap)) > 0) {
		i->eap_final = true;
		i->state = INI_AUTH_SENT;
	}
	return n;
}

long
ikev2_ini_input(struct ikev2_ini *i, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t cap)
{
	struct ikev2_msg	*m = malloc(sizeof(*m));
	uint8_t			*plain = malloc(IKEV2_MAX_MSG), np = 0;
	long			 rc = -1, n;

	if (m == NULL || plain == NULL)
		goto out;
	if (ikev2_msg_decode(pkt, len, m) < 0 ||
	    (m->hdr.flags & IKEV2_FLAG_R) == 0 || m->hdr.spi_i != i->spi_i)
		goto out;
	if (m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT) {
		if (i->state == INI_INIT_SENT)
			rc = init_response(i, m, out, cap);
		goto out;
	}
	if (m->hdr.msgid + 1 != i->msgid || m->sk_idx < 0)
		goto out;
	if (m->pl[m->sk_idx].type == IKEV2_PL_SKF && i->frag_peer) {
		if ((n = frag_in(i, m, plain, IKEV2_MAX_MSG, &np)) ==
		    IKEV2_INI_MORE) {
			rc = IKEV2_INI_MORE;
			goto out;
		}
	} else if (m->pl[m->sk_idx].type == IKEV2_PL_SK) {
		n = ikev2_sk_open(&i->keys.r2i, pkt, len,
		    (size_t)(m->pl[m->sk_idx].body - pkt), plain,
		    IKEV2_MAX_MSG);
		np = m->sk_np;
	} else
		goto out;
	if (n < 0 || ikev2_chain_decode(m, np, plain, (size_t)n) < 0)
		goto out;
	switch (m->hdr.exch) {
	case IKEV2_EXCH_IKE_AUTH:
		if (i->state == INI_AUTH_SENT)
			rc = i->eap && !i->eap_final ? eap_response(i, m) :
			    auth_response(i, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (i->state == INI_REQ_SENT)
			rc = rekey_response(i, m, out, cap);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (i->state != INI_REQ_SENT)
			break;
		rc = 0;
		if (i->op == OP_DELETE) {
			i->state = INI_DELETED;
		} else if (i->op == OP_DEL_OLD_IKE) {
			/* Switch to the new IKE SA; its IDs start at 0. */
			i->spi_i = i->rk_spi;
			i->spi_r = i->rk_spi_r;
			i->keys = i->rk_keys;
			i->prf = i->rk_prf;
			i->encr = i->rk_encr;
			i->integ = i->rk_integ;
			i->msgid = 0;
			i->state = INI_ESTABLISHED;
		} else
			i->state = INI_ESTABLISHED;
		break;
	}
out:
	free(m);
	free(plain);
	return rc;
}

void
ikev2_ini_set_want_v6(struct ikev2_ini *i, bool on)
{
	i->want_v6 = on;
}

size_t
ikev2_ini_v6(const struct ikev2_ini *i, uint8_t vip[17], uint8_t dns[16])
{
	memcpy(vip, i->vip6, 17);
	memcpy(dns, i->dns6, 16);
	return i->ndns6;
}

uint8_t
ikev2_ini_resp_auth(const struct ikev2_ini *i)
{
	return i->resp_auth;
}

void
ikev2_ini_force_nonce(struct ikev2_ini *i, int fill)
{
	i->nonce_fill = fill;
}

size_t
ikev2_ini_peer_deleted(const struct ikev2_ini *i, uint32_t *spis, size_t max)
{
	for (size_t k = 0; k < i->npeer_del && k < max; k++)
		spis[k] = i->peer_del[k];
	return i->npeer_del;
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
	esp_sa(i, sa, 0x2000u | (uint32_t)i->msgid);
	ikev2_put_sa(e, sa);
	free(sa);
	ikev2_put_nonce(e, nr, sizeof(nr));
	any_ts(&ts);
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
	hdr_init(i, &h, m->hdr.exch, m->hdr.msgid);
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
	hdr_init(i, &h, exch, m->hdr.msgid);
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
	if ((n = seal_req(i, IKEV2_EXCH_INFORMATIONAL, &e, out, cap)) > 0) {
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
	hdr_init(i, &h, exch, i->msgid);
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
