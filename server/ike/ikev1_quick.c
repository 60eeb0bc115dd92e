/*
 * ikev1_quick.c: quick mode as responder (RFC 2409 5.5), tunnel or
 * transport mode:
 *
 *   HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]  ->
 *   HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *   HDR*, HASH(3)                                ->  (SAs installed)
 *
 * The IDs are echoed as the client sent them: Cisco-style clients always
 * ask for 0.0.0.0/0 on our side and give up when it is narrowed, so the
 * narrowing to what the user's policy allows happens in the data plane
 * (the SA's selectors), not on the wire.  PFS is accepted when offered
 * with a group of the active set; ESP in UDP (RFC 3948) when NAT-T
 * negotiated an encapsulation mode.
 *
 * Transport mode is L2TP/IPsec (RFC 3193), allowed only when the user's
 * policy template says l2tp_transport: the selectors are the two outer
 * addresses, UDP/1701, whatever private address the client put in IDci
 * (behind NAT it names its LAN address, which NAT-OA repeats, RFC 3947
 * 5.2).  Each SA is bound to the client's outer address and port (the
 * data plane sends to the port it came from), so many clients behind
 * one NAT, all with 1701 inside, each hold their own SAs: PRODUCT.md
 * fact 4.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_child.h"
#include "ike_prf.h"
#include "ikev1_int.h"

static void	child_remove(struct ikev1_isakmp *, struct ikev1_child *);

static void
ts_to_dp(const struct ike_ts_set *s, struct dp_ts *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < s->n && *n < DP_MAX_TS; i++) {
		struct dp_ts *d = &out[(*n)++];

		memset(d, 0, sizeof(*d));
		d->af = s->ts[i].af;
		d->proto = s->ts[i].proto;
		d->port_lo = s->ts[i].port_lo;
		d->port_hi = s->ts[i].port_hi;
		memcpy(d->addr_lo, s->ts[i].lo, 16);
		memcpy(d->addr_hi, s->ts[i].hi, 16);
	}
}

static bool
id_to_ts(const struct ikev1_pl *pl, struct ike_ts *ts)
{
	struct ikev1_id		 id;
	struct ikev1_id_net	 net;
	struct rg_rd		 r;
	const char		*why = NULL;

	rg_rd_init(&r, pl->body, pl->len);
	if (ikev1_id_decode(&r, &id, &why) < 0 ||
	    ikev1_id_net(&id, &net, &why) < 0)
		return false;
	memset(ts, 0, sizeof(*ts));
	ts->af = net.af;
	ts->proto = id.proto;
	ts->port_lo = id.port;
	ts->port_hi = id.port ? id.port : 0xffff;
	memcpy(ts->lo, net.lo, 16);
	memcpy(ts->hi, net.hi, 16);
	return true;
}

/* RFC 2407 4.5 and RFC 3947 5.1 (and the draft's 61443/61444): is the
 * encapsulation mode one we speak; UDP-encapsulated; transport. */
static bool
encap_ok(uint16_t m, bool *udp, bool *transport)
{
	*udp = m == IKEV1_ENCAP_UDP_TUNNEL ||
	    m == IKEV1_ENCAP_UDP_TUNNEL_DRAFT ||
	    m == IKEV1_ENCAP_UDP_TRANSPORT ||
	    m == IKEV1_ENCAP_UDP_TRANSPORT_DRAFT;
	*transport = m == IKEV1_ENCAP_TRANSPORT ||
	    m == IKEV1_ENCAP_UDP_TRANSPORT ||
	    m == IKEV1_ENCAP_UDP_TRANSPORT_DRAFT;
	return m == 0 || m == IKEV1_ENCAP_TUNNEL || *udp || *transport;
}

/* The first ESP transform the active set allows, transport mode only
 * when transport_ok; its proposal number. */
static const struct ikev1_xf *
choose(struct ikev1_isakmp *sa, const struct ikev1_sa *sap,
    bool transport_ok, const struct ikev1_prop **prop)
{
	struct ikev1_engine	*e = sa->eng;

	for (size_t i = 0; i < sap->nprop; i++) {
		const struct ikev1_prop	*p = &sap->prop[i];
		bool			 grouped = false;

		/* A proposal that must go with another one (ESP with
		 * IPCOMP) is not something we can accept alone. */
		for (size_t k = 0; k < sap->nprop; k++)
			if (k != i && sap->prop[k].num == p->num)
				grouped = true;
		if (grouped || p->proto != IKEV1_PROTO_ESP || p->spi_len != 4)
			continue;
		for (size_t j = 0; j < p->nxf; j++) {
			const struct ikev1_xf	*x = &p->xf[j];
			const struct ike_alg	*en, *in = NULL;
			bool			 udp, tr;

			if (x->unknown_attr != 0 ||
			    !encap_ok(x->encap, &udp, &tr) ||
			    (tr && !transport_ok))
				continue;
			en = ike_alg_find_v1esp(IKE_ALG_ENCR, x->id, x->keylen);
			if (en == NULL)
				continue;
			if (!en->aead && (in = ike_alg_find_v1esp(IKE_ALG_INTEG,
			    x->auth_alg, 0)) == NULL)
				continue;
			if (x->group != 0 && !ike_pset_has_dh(&e->ike_set,
			    x->group))
				continue;
			for (size_t k = 0; k < e->esp_set.n; k++) {
				const struct ike_pconf *c = &e->esp_set.p[k];

				if (!ike_pconf_has(c, en) ||
				    (in != NULL && !ike_pconf_has(c, in)))
					continue;
				sa->qm->encr = en;
				sa->qm->integ = in;
				sa->qm->encap = udp;
				sa->qm->transport = tr;
				*prop = p;
				return x;
			}
		}
	}
	return NULL;
}

/*
 * RFC 2407 4.6.3.1: the client asked for a longer lifetime than ours
 * (none given means 8 hours, 4.5): we accept its transform and say ours
 * with RESPONDER-LIFETIME, so it rekeys in time.
 */
static void
put_responder_lifetime(struct ikev1_isakmp *sa, struct ikev1_enc *enc,
    const struct ikev1_xf *x, const uint8_t *spi)
{
	uint32_t	 ours = sa->cfg->settings.child_lifetime_s ?
	    sa->cfg->settings.child_lifetime_s : 10800;
	uint32_t	 asked = x->life_s ? x->life_s : 28800;
	struct ikev1_attr a;
	struct rg_wr	 w;
	uint8_t		 data[16];

	sa->qm->life_s = asked < ours ? asked : ours;
	if (asked <= ours && x->life_kb == 0)
		return;
	rg_wr_init(&w, data, sizeof(data));
	a = (struct ikev1_attr){ .type = IKEV1_P2_SA_LIFE_TYPE, .tv = true,
	    .val = IKEV1_LIFE_SECONDS };
	ikev1_put_attr(&w, &a);
	a = (struct ikev1_attr){ .type = IKEV1_P2_SA_LIFE_DURATION,
	    .tv = ours <= 0xffff, .val = ours, .len = 4 };
	ikev1_put_attr(&w, &a);
	if (w.err)
		return;
	ikev1_put_notify(enc, IKEV1_PROTO_ESP, spi, 4,
	    IKEV1_N_RESPONDER_LIFETIME, data, w.len);
	ikev1_log(sa, DEBUG, "quick mode: RESPONDER-LIFETIME %u s (asked %u s)",
	    ours, asked);
}

static void
qm_refuse(struct ikev1_isakmp *sa, const char *why)
{
	ikev1_log(sa, WARN, "quick mode of '%s' refused: %s", sa->user, why);
	ikev1_qm_free(sa);
}

/* Does any transform of the offer ask for transport mode. */
static bool
asks_transport(const struct ikev1_sa *sap)
{
	bool	 udp, tr;

	for (size_t i = 0; i < sap->nprop; i++)
		for (size_t j = 0; j < sap->prop[i].nxf; j++)
			if (encap_ok(sap->prop[i].xf[j].encap, &udp, &tr) &&
			    tr)
				return true;
	return false;
}

/*
 * L2TP/IPsec selectors: the client's outer address and ours, UDP/1701,
 * when what it asked covers UDP/1701 (its IDs name its private address
 * behind NAT; without IDs, RFC 2409 5.5, the phase-1 addresses).
 */
static bool
l2tp_selectors(struct ikev1_isakmp *sa, const struct ike_ts_set *asked_c,
    const struct ike_ts_set *asked_s)
{
	struct ikev1_qm		*qm = sa->qm;
	struct ike_ts		 mine, ours;

	ike_ts_l2tp(&sa->peer, &mine);
	ike_ts_l2tp(&sa->local, &ours);
	memset(&qm->ts_client, 0, sizeof(qm->ts_client));
	memset(&qm->ts_ours, 0, sizeof(qm->ts_ours));
	if (asked_c == NULL) {
		qm->ts_client.ts[0] = mine;
		qm->ts_ours.ts[0] = ours;
		qm->ts_client.n = qm->ts_ours.n = 1;
		return true;
	}
	return ike_ts_l2tp_pick(asked_c, &mine, &qm->ts_client) &&
	    ike_ts_l2tp_pick(asked_s, &ours, &qm->ts_ours);
}

/* NAT-OA as NAT-T was agreed: RFC 3947's type or the drafts'. */
static uint8_t
natoa_type(const struct ikev1_isakmp *sa)
{
	return sa->natt == IKEV1_VID_NATT_RFC3947 ? IKEV1_PL_NATOA :
	    IKEV1_PL_NATOA_DRAFT;
}

/*
 * The client's NAT-OA payloads (RFC 3947 5.2: original initiator, then
 * responder address) said in the log: the transport-mode SA's inner
 * checksums were made with them.  -1 when one is malformed.
 */
static int
natoa_read(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	char		 txt[2][INET6_ADDRSTRLEN];
	size_t		 n = 0;

	for (size_t i = 0; i < m->npl; i++) {
		struct ikev1_natoa	 oa;
		struct rg_rd		 r;
		const char		*why = NULL;

		if (m->pl[i].type != IKEV1_PL_NATOA &&
		    m->pl[i].type != IKEV1_PL_NATOA_DRAFT)
			continue;
		rg_rd_init(&r, m->pl[i].body, m->pl[i].len);
		if (ikev1_natoa_decode(&r, &oa, &why) < 0) {
			ikev1_log(sa, INFO, "quick mode: NAT-OA: %s", why);
			return -1;
		}
		if (n < 2 && inet_ntop(oa.addr_len == 4 ? AF_INET : AF_INET6,
		    oa.addr, txt[n], sizeof(txt[n])) != NULL)
			n++;
	}
	if (n > 0)
		ikev1_log(sa, DEBUG, "quick mode: NAT-OA original addresses "
		    "%s%s%s", txt[0], n > 1 ? " <-> " : "", n > 1 ? txt[1] :
		    "");
	return 0;
}

/* Ours in return (RFC 3947 5.2: both ends send both): the client's
 * address as we see it, then ours. */
static void
natoa_put(struct ikev1_isakmp *sa, struct ikev1_enc *enc)
{
	const struct sockaddr_storage *a[2] = { &sa->peer, &sa->local };

	for (size_t i = 0; i < 2; i++) {
		if (a[i]->ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)a[i];

			ikev1_put_natoa(enc, natoa_type(sa),
			    IKEV1_ID_IPV4_ADDR,
			    (const uint8_t *)&s4->sin_addr, 4);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)a[i];

			ikev1_put_natoa(enc, natoa_type(sa),
			    IKEV1_ID_IPV6_ADDR,
			    (const uint8_t *)&s6->sin6_addr, 16);
		}
	}
}

static void
quick_r1(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_engine	*e = sa->eng;
	struct ikev1_qm		*qm = sa->qm;
	const struct ikev1_pl	*sp = ikev1_msg_find(m, IKEV1_PL_SA);
	const struct ikev1_pl	*np = ikev1_msg_find(m, IKEV1_PL_NONCE);
	const struct ikev1_pl	*kp = ikev1_msg_find(m, IKEV1_PL_KE);
	const struct ikev1_pl	*idc = NULL, *ids = NULL;
	const struct ikev1_prop	*prop = NULL;
	const struct rg_policy	*pol;
	const struct ikev1_xf	*x;
	struct ikev1_sa		*sap;
	struct ike_ts_set	 asked_c = { .n = 1 }, asked_s = { .n = 1 };
	struct ike_ts_set	 allow_c, allow_s;
	const struct rg_addr	 no_vip6 = { 0 };
	struct ike_dh		*dh = NULL;
	struct ikev1_enc	 enc;
	struct rg_rd		 r;
	const char		*why = NULL;
	uint8_t			 body[4096], zero[IKEV1_PRF_MAX] = { 0 };
	uint8_t			 spi[4], gr[1024];
	char			 tsc[256], tss[256], msg[700];
	long			 n, gl = 0;
	bool			 transport_ok;

	if (!ikev1_hash_check(sa, m->hdr.msgid, NULL, 0, m)) {
		e->ctr.bad_hash++;
		ikev1_log(sa, INFO, "quick mode message with a bad HASH(1) "
		    "dropped");
		ikev1_qm_free(sa);
		return;
	}
	for (size_t i = 0; i < m->npl; i++)
		if (m->pl[i].type == IKEV1_PL_ID) {
			if (idc == NULL)
				idc = &m->pl[i];
			else if (ids == NULL)
				ids = &m->pl[i];
		}
	if (sp == NULL || np == NULL || np->len < IKEV1_NONCE_MIN ||
	    np->len > IKEV1_NONCE_MAX || (idc != NULL && ids == NULL)) {
		e->ctr.malformed++;
		ikev1_qm_free(sa);
		return;
	}
	if ((sap = calloc(1, sizeof(*sap))) == NULL)
		return;
	rg_rd_init(&r, sp->body, sp->len);
	if (ikev1_sa_decode(&r, sap, &why) < 0) {
		e->ctr.malformed++;
		free(sap);
		ikev1_qm_free(sa);
		return;
	}
	pol = rg_config_user_policy(sa->cfg, sa->user);
	transport_ok = pol != NULL && pol->l2tp_transport;
	if ((x = choose(sa, sap, transport_ok, &prop)) == NULL) {
		char	 rx[1024], tr[160] = "";

		ikev1_sa_str(sap, rx, sizeof(rx));
		if (asks_transport(sap) && !transport_ok)
			snprintf(tr, sizeof(tr), "; transport mode "
			    "(L2TP/IPsec) not allowed by policy %s (no "
			    "l2tp_transport)", pol != NULL ? pol->name :
			    "(none)");
		e->ctr.no_proposal++;
		ikev1_log(sa, WARN, "quick mode: NO_PROPOSAL_CHOSEN: received "
		    "[%s], configured ESP set '%s'%s", rx, e->esp_set.name,
		    tr);
		free(sap);
		ikev1_qm_free(sa);
		return;
	}
	if ((x->group != 0) != (kp != NULL)) {
		free(sap);
		qm_refuse(sa, "PFS group and KE payload disagree");
		return;
	}
	if (qm->transport && natoa_read(sa, m) < 0) {
		e->ctr.malformed++;
		free(sap);
		ikev1_qm_free(sa);
		return;
	}
	/* Selectors: the client's side, then ours; without IDs the
	 * phase-1 addresses (RFC 2409 5.5). */
	if (qm->transport) {
		if (idc != NULL && (!id_to_ts(idc, &asked_c.ts[0]) ||
		    !id_to_ts(ids, &asked_s.ts[0]))) {
			free(sap);
			qm_refuse(sa, "unusable ID payloads");
			return;
		}
		if (!l2tp_selectors(sa, idc != NULL ? &asked_c : NULL,
		    &asked_s)) {
			ike_ts_str(&asked_c, tsc, sizeof(tsc));
			ike_ts_str(&asked_s, tss, sizeof(tss));
			free(sap);
			snprintf(msg, sizeof(msg), "transport mode selectors "
			    "%s <-> %s are not L2TP (UDP/1701)", tsc, tss);
			qm_refuse(sa, msg);
			return;
		}
	} else if (idc != NULL) {
		if (!id_to_ts(idc, &asked_c.ts[0]) ||
		    !id_to_ts(ids, &asked_s.ts[0])) {
			free(sap);
			qm_refuse(sa, "unusable ID payloads");
			return;
		}
	} else {
		free(sap);
		qm_refuse(sa, "no client IDs (host-to-host) not supported");
		return;
	}
	if (!qm->transport) {
		ike_ts_allowed(sa->cfg, sa->user, &sa->vip, &no_vip6,
		    &sa->peer, &allow_c, &allow_s);
		ike_ts_narrow(&asked_c, &allow_c, &qm->ts_client);
		ike_ts_narrow(&asked_s, &allow_s, &qm->ts_ours);
	}
	if (qm->ts_client.n == 0 || qm->ts_ours.n == 0) {
		ike_ts_str(&asked_c, tsc, sizeof(tsc));
		ike_ts_str(&asked_s, tss, sizeof(tss));
		free(sap);
		snprintf(msg, sizeof(msg), "selectors %s <-> %s outside what "
		    "'%s' may use", tsc, tss, sa->user);
		qm_refuse(sa, msg);
		return;
	}
	memcpy(qm->ni, np->body, np->len);
	qm->nilen = np->len;
	qm->nrlen = sizeof(qm->nr);
	qm->spi_out = rg_get_u32(prop->spi);
	if ((qm->spi_in = ike_spi_esp_new(e->spis)) == 0 ||
	    ike_random(qm->nr, qm->nrlen) < 0)
		goto fail;
	if (x->group != 0) {
		if ((dh = ike_dh_new(x->group)) == NULL ||
		    (gl = ike_dh_public(dh, gr, sizeof(gr))) < 0 ||
		    (qm->gqm = ike_dh_derive(dh, kp->body, kp->len)) == NULL)
			goto fail;
	}
	snprintf(qm->alg, sizeof(qm->alg), "%s%s%s%s%s", qm->encr->kw,
	    qm->integ ? "-" : "", qm->integ ? qm->integ->kw : "",
	    x->group ? "-pfs" : "", qm->encap && qm->transport ?
	    " (UDP, transport)" : qm->encap ? " (UDP)" : qm->transport ?
	    " (transport)" : "");
	rg_put_u32(spi, qm->spi_in);
	ikev1_enc_body(&enc, body, sizeof(body));
	ikev1_put_hash(&enc, zero, sa->prf->out);
	ikev1_put_sa(&enc, IKEV1_SIT_IDENTITY_ONLY, prop->num, IKEV1_PROTO_ESP,
	    spi, 4, x);
	ikev1_put_nonce(&enc, qm->nr, qm->nrlen);
	if (dh != NULL)
		ikev1_put_ke(&enc, gr, (size_t)gl);
	if (idc != NULL) {
		ikev1_put_raw(&enc, IKEV1_PL_ID, idc->body, idc->len);
		ikev1_put_raw(&enc, IKEV1_PL_ID, ids->body, ids->len);
	}
	if (qm->transport && qm->encap)
		natoa_put(sa, &enc);
	put_responder_lifetime(sa, &enc, x, spi);
	free(sap);
	sap = NULL;
	ike_dh_free(dh);
	dh = NULL;
	if ((n = ikev1_enc_finish(&enc)) < 0 ||
	    ikev1_hash_fill(sa, qm->msgid, qm->ni, qm->nilen, body,
	    (size_t)n) < 0 ||
	    ikev1_send_enc(sa, IKEV1_EXCH_QUICK, qm->msgid, &qm->iv,
	    enc.first, body, (size_t)n, IKEV1_TX_RESPONSE) < 0)
		goto fail;
	return;
fail:
	free(sap);
	ike_dh_free(dh);
	qm_refuse(sa, "internal error (keys, SPI or memory)");
}

static void
install(struct ikev1_isakmp *sa)
{
	struct ikev1_engine	*e = sa->eng;
	struct ikev1_qm		*qm = sa->qm;
	struct ikev1_child	*c;
	struct ike_child_sa	 cs;
	uint8_t			 kin[2 * DP_MAX_KEY], kout[2 * DP_MAX_KEY];
	size_t			 klen = qm->encr->key +
	    (qm->integ ? qm->integ->key : 0);
	uint32_t		 bad;
	char			 tsc[256], tss[256];
	bool			 first = sa->children == NULL;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	if (klen > sizeof(kin) || ikev1_child_keymat(&sa->keys,
	    qm->gqm ? qm->gqm->data : NULL, qm->gqm ? qm->gqm->len : 0,
	    IKEV1_PROTO_ESP, qm->spi_in, qm->spi_out, qm->ni, qm->nilen,
	    qm->nr, qm->nrlen, kin, kout, klen) < 0) {
		free(c);
		qm_refuse(sa, "KEYMAT failed");
		return;
	}
	c->spi_in = qm->spi_in;
	c->spi_out = qm->spi_out;
	c->expires_ms = rg_now_ms() + (uint64_t)(qm->life_s ? qm->life_s :
	    10800) * 1000;
	c->reqid = e->next_reqid++;
	c->transport = qm->transport;
	snprintf(c->alg, sizeof(c->alg), "%s", qm->alg);
	qm->spi_in = 0;		/* the child holds it now */
	c->next = sa->children;
	sa->children = c;
	e->ctr.children++;
	memset(&cs, 0, sizeof(cs));
	cs.spi_in = c->spi_in;
	cs.spi_out = c->spi_out;
	cs.reqid = c->reqid;
	cs.local = &sa->local;
	cs.peer = &sa->peer;
	cs.transport = qm->transport;
	cs.encap = qm->encap;
	cs.encr = qm->encr;
	cs.integ = qm->integ;
	cs.key_in = kin;
	cs.key_out = kout;
	ts_to_dp(&qm->ts_ours, cs.ts_local, &cs.nts_local);
	ts_to_dp(&qm->ts_client, cs.ts_remote, &cs.nts_remote);
	cs.mss_clamp = sa->cfg->settings.mss_clamp;
	if (e->dp != NULL) {
		if (ike_child_install(e->dp, &cs, &bad) < 0)
			ikev1_log(sa, ERROR, "data plane refused ESP SA %08x",
			    bad);
		else
			c->installed = true;
	}
	OPENSSL_cleanse(kin, sizeof(kin));
	OPENSSL_cleanse(kout, sizeof(kout));
	if (sa->sess != NULL)
		(void)sess_reqid_add(sa->sess, c->reqid);
	ike_ts_str(&qm->ts_client, tsc, sizeof(tsc));
	ike_ts_str(&qm->ts_ours, tss, sizeof(tss));
	ikev1_log(sa, INFO, "ESP SA %08x/%08x of '%s' up: %s, %s <-> %s",
	    c->spi_in, c->spi_out, sa->user, qm->alg, tsc, tss);
	ikev1_qm_free(sa);
	ikev1_child_arm(sa);
	if (first && sa->sess != NULL)
		sess_up(sa->sess);
}

/* The timer for the first ESP SA to expire. */
void
ikev1_child_arm(struct ikev1_isakmp *sa)
{
	uint64_t	 first = UINT64_MAX, now = rg_now_ms();

	for (const struct ikev1_child *c = sa->children; c; c = c->next)
		if (c->expires_ms < first)
			first = c->expires_ms;
	if (first == UINT64_MAX)
		rg_timer_stop(sa->eng->loop, &sa->t_child);
	else
		rg_timer_start(sa->eng->loop, &sa->t_child,
		    first > now ? first - now : 0);
}

void
ikev1_child_life_cb(struct rg_timer *t)
{
	struct ikev1_isakmp	*sa = t->arg;
	struct ikev1_child	*c, *n;
	uint64_t		 now = rg_now_ms();

	if (sa->state == IKEV1_S_DEAD)
		return;
	for (c = sa->children; c != NULL; c = n) {
		n = c->next;
		if (c->expires_ms > now)
			continue;
		ikev1_log(sa, INFO, "ESP SA %08x/%08x of '%s' expired (not "
		    "rekeyed by the client): deleted", c->spi_in, c->spi_out,
		    sa->user);
		ikev1_send_delete_esp(sa, c->spi_in);
		child_remove(sa, c);
	}
	ikev1_child_arm(sa);
}

void
ikev1_quick_input(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_qm	*qm = sa->qm;
	uint8_t		 want[IKEV1_PRF_MAX];
	unsigned int	 nchild = 0;

	/* Without XAuth (PSK or certificate alone) mode-config is
	 * optional: quick mode ends it. */
	if (sa->state == IKEV1_S_MODECFG && !ikev1_auth_xauth(sa->auth_method))
		ikev1_sa_set_state(sa, IKEV1_S_ESTABLISHED, "quick mode");
	if (sa->state != IKEV1_S_ESTABLISHED) {
		sa->eng->ctr.bad_exch++;
		ikev1_log(sa, INFO, "quick mode before XAuth and mode-config "
		    "finished (state %s): dropped",
		    ikev1_sa_state_name(sa->state));
		ikev1_qm_free(sa);
		return;
	}
	if (qm->nrlen == 0) {
		for (struct ikev1_child *c = sa->children; c; c = c->next)
			nchild++;
		if (nchild >= IKEV1_MAX_CHILD) {
			qm_refuse(sa, "too many ESP SAs on this ISAKMP SA");
			return;
		}
		quick_r1(sa, m);
		return;
	}
	/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b), alone. */
	if (m->npl < 1 || m->pl[0].type != IKEV1_PL_HASH ||
	    m->pl[0].len != sa->prf->out ||
	    ikev1_hash_qm3(&sa->keys, qm->msgid, qm->ni, qm->nilen, qm->nr,
	    qm->nrlen, want) < 0 ||
	    CRYPTO_memcmp(want, m->pl[0].body, sa->prf->out) != 0) {
		sa->eng->ctr.bad_hash++;
		ikev1_log(sa, INFO, "quick mode HASH(3) does not verify");
		return;
	}
	install(sa);
}

static void
child_remove(struct ikev1_isakmp *sa, struct ikev1_child *c)
{
	struct ikev1_child	**pp;

	for (pp = &sa->children; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (sa->sess != NULL)
		sess_reqid_del(sa->sess, c->reqid);
	if (c->installed && sa->eng->dp != NULL)
		ike_child_uninstall(sa->eng->dp, c->spi_in, c->spi_out);
	ike_spi_esp_release(sa->eng->spis, c->spi_in);
	free(c);
}

void
ikev1_child_delete(struct ikev1_isakmp *sa, uint32_t spi)
{
	for (struct ikev1_child *c = sa->children; c; c = c->next)
		if (c->spi_out == spi || c->spi_in == spi) {
			ikev1_log(sa, INFO, "ESP SA %08x/%08x deleted by the "
			    "client", c->spi_in, c->spi_out);
			child_remove(sa, c);
			return;
		}
}

void
ikev1_child_free_all(struct ikev1_isakmp *sa)
{
	while (sa->children != NULL)
		child_remove(sa, sa->children);
}
