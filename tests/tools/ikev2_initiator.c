/*
 * ikev2_initiator.c: the test-only IKEv2 initiator (see the header).
 * IKE_SA_INIT (with COOKIE and INVALID_KE_PAYLOAD retries, RFC 7296 2.6,
 * 1.2), IKE_AUTH with PSK (2.15) + CP (2.19) + the first CHILD_SA, and
 * the dispatch of responses.  CREATE_CHILD_SA is in ikev2_initiator_child.c,
 * INFORMATIONAL, MOBIKE and fragments in ikev2_initiator_info.c, AUTH and
 * EAP payloads in ikev2_initiator_auth.c.
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
void
ini_kdf_keep(struct ikev2_ini *i, const struct rg_buf *gir, bool rekey)
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

void
ini_hdr_init(struct ikev2_ini *i, struct ikev2_hdr *h, uint8_t exch,
    uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = i->spi_i;
	h->spi_r = i->spi_r;
	h->exch = exch;
	h->flags = IKEV2_FLAG_I;
	h->msgid = msgid;
}

void
ini_add_xf(struct ikev2_prop *p, uint8_t type, uint16_t id, uint16_t kl)
{
	p->xf[p->nxf].type = type;
	p->xf[p->nxf].id = id;
	p->xf[p->nxf].keylen = kl;
	p->nxf++;
}

void
ini_ike_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa, const uint8_t *spi,
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
	ini_add_xf(p, IKEV2_XF_ENCR, i->c.encr, i->c.encr_keylen);
	ini_add_xf(p, IKEV2_XF_PRF, i->c.prf, 0);
	if (i->c.integ)
		ini_add_xf(p, IKEV2_XF_INTEG, i->c.integ, 0);
	if (all_groups) {
		for (size_t k = 0; k < 4 && i->c.groups[k]; k++)
			ini_add_xf(p, IKEV2_XF_DH, i->c.groups[k], 0);
	} else
		ini_add_xf(p, IKEV2_XF_DH, i->group, 0);
	if (spi == NULL) {
		/* IKE_SA_INIT: RFC 9370 additional key exchanges. */
		for (size_t k = 0; k < 2 && i->addke1[k]; k++)
			ini_add_xf(p, IKEV2_XF_ADDKE1, i->addke1[k], 0);
		if (i->addke1[0] && i->addke1_optional)
			ini_add_xf(p, IKEV2_XF_ADDKE1, 0, 0);
	}
}

void
ini_esp_sa(struct ikev2_ini *i, struct ikev2_sa_pl *sa, uint32_t spi)
{
	struct ikev2_prop *p = &sa->prop[0];

	memset(sa, 0, sizeof(*sa));
	sa->nprop = 1;
	p->num = 1;
	p->proto = IKEV2_PROTO_ESP;
	p->spi_len = 4;
	rg_put_u32(p->spi, spi);
	ini_add_xf(p, IKEV2_XF_ENCR, i->c.esp_encr, i->c.esp_keylen);
	if (i->c.esp_integ)
		ini_add_xf(p, IKEV2_XF_INTEG, i->c.esp_integ, 0);
	ini_add_xf(p, IKEV2_XF_ESN, 0, 0);
}

void
ini_any_ts(struct ikev2_ts_pl *t)
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
	ini_hdr_init(i, &h, IKEV2_EXCH_IKE_SA_INIT, 0);
	/* HDR, [N(COOKIE)], SAi1, KEi, Ni --> */
	ikev2_enc_init(&e, out, cap, &h);
	if (i->cookielen)
		ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_COOKIE, i->cookie,
		    i->cookielen);
	ini_ike_sa(i, sa, NULL, true);
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

long
ini_seal_req(struct ikev2_ini *i, uint8_t exch, const struct ikev2_enc *in,
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
	ini_hdr_init(i, &h, exch, i->msgid++);
	if (in->w.err)
		return -1;
	if (i->frag_mtu != 0 && i->frag_peer &&
	    IKEV2_HDR_LEN + 4 + ilen + ikev2_sk_overhead(d, ilen) > i->frag_mtu)
		return ini_seal_frags(i, &h, in, out, cap);
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
	ini_esp_sa(i, sa, i->spi_in);
	ikev2_put_sa(&e, sa);
	free(sa);
	ini_any_ts(&ts);
	if (i->transport) {
		ikev2_put_notify(&e, 0, NULL, 0, IKEV2_N_USE_TRANSPORT_MODE,
		    NULL, 0);
		ts.ts[0].proto = 17;
		ts.ts[0].port_lo = ts.ts[0].port_hi = 1701;
	}
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	n = ini_seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap);
	if (n > 0)
		i->state = INI_AUTH_SENT;
	return n;
}

const struct ikev2_prop *
ini_first_prop(const struct ikev2_msg *m, struct ikev2_sa_pl *sa)
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

void
ini_take_algs(const struct ikev2_prop *p, const struct ikev2_xform **prf,
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
uint16_t
ini_error_notify(const struct ikev2_msg *m, const uint8_t **data, size_t *len)
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
	if ((err = ini_error_notify(m, &d, &dl)) != 0) {
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
	if ((p = ini_first_prop(m, sa)) == NULL || ke == NULL || no == NULL ||
	    no->len > sizeof(i->nr))
		goto out;
	ini_take_algs(p, &i->prf, &i->encr, &i->integ);
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
	ini_kdf_keep(i, gir, false);
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

	if ((err = ini_error_notify(m, NULL, NULL)) != 0 ||
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
	if ((sa = malloc(sizeof(*sa))) != NULL && (p = ini_first_prop(m, sa)) !=
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
		if ((n = ini_frag_in(i, m, plain, IKEV2_MAX_MSG, &np)) ==
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
			rc = i->eap && !i->eap_final ? ini_eap_response(i, m) :
			    auth_response(i, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (i->state == INI_REQ_SENT)
			rc = ini_rekey_response(i, m, out, cap);
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
