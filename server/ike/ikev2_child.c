/*
 * ikev2_child.c: CHILD_SAs (RFC 7296 1.3, 2.17, 2.18): the first one
 * inside IKE_AUTH, CREATE_CHILD_SA for a new or rekeyed CHILD_SA (PFS when
 * the client offers a KE) and for an IKE SA rekey, our own CHILD rekeys
 * when our lifetime (settings.child_lifetime_s) runs out first, and the
 * hand-off of keys, selectors and encapsulation ports to the data plane
 * (dp.h).  N(USE_TRANSPORT_MODE) (1.3.1) is accepted only when the user's
 * policy template says l2tp_transport (UDP/1701, ikev2_ts_narrow_l2tp).
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <openssl/crypto.h>

#include "ike_child.h"
#include "ikev2_int.h"

struct child_req {
	struct ikev2_sa_pl	 sa;
	struct ikev2_ts_pl	 tsi, tsr;
	struct ikev2_ke		 ke;
	const uint8_t		*nonce;
	size_t			 nlen;
	bool			 have_sa, have_tsi, have_tsr, have_ke;
	bool			 rekey;
	bool			 transport;	/* N(USE_TRANSPORT_MODE) */
	uint8_t			 rekey_proto;
	uint32_t		 rekey_spi;
};

static int
parse(const struct ikev2_msg *m, struct child_req *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev2_pl *p = &m->pl[i];
		struct rg_rd	 rd;
		struct ikev2_notify n;

		rg_rd_init(&rd, p->body, p->len);
		switch (p->type) {
		case IKEV2_PL_SA:
			if (ikev2_sa_decode(&rd, &r->sa) < 0)
				return -1;
			r->have_sa = true;
			break;
		case IKEV2_PL_TSI:
			if (ikev2_ts_decode(&rd, &r->tsi) < 0)
				return -1;
			r->have_tsi = true;
			break;
		case IKEV2_PL_TSR:
			if (ikev2_ts_decode(&rd, &r->tsr) < 0)
				return -1;
			r->have_tsr = true;
			break;
		case IKEV2_PL_KE:
			if (ikev2_ke_decode(&rd, &r->ke) < 0)
				return -1;
			r->have_ke = true;
			break;
		case IKEV2_PL_NONCE:
			if (p->len < IKEV2_NONCE_MIN || p->len > IKEV2_NONCE_MAX)
				return -1;
			r->nonce = p->body;
			r->nlen = p->len;
			break;
		case IKEV2_PL_N:
			if (ikev2_notify_decode(&rd, &n) < 0)
				return -1;
			if (n.type == IKEV2_N_REKEY_SA && n.spi_len == 4) {
				r->rekey = true;
				r->rekey_proto = n.proto;
				r->rekey_spi = rg_get_u32(n.spi);
			}
			if (n.type == IKEV2_N_USE_TRANSPORT_MODE)
				r->transport = true;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Our inbound ESP SPI, unique among IKEv1 and IKEv2 CHILD SAs alike;
 * 0 when none could be drawn.  Released by child_free(). */
static uint32_t
new_spi(struct ikev2_sa *sa)
{
	return ike_spi_esp_new(sa->eng->spis);
}

/* Our rekey's new inbound SPI will never carry traffic: give it back
 * unless a child took it over. */
static void
drop_rekey_spi(struct ikev2_sa *sa)
{
	if (sa->rekey_spi_held)
		ike_spi_esp_release(sa->eng->spis, sa->rekey_spi_in);
	sa->rekey_spi_held = false;
}

static void
ts_to_dp(const struct ikev2_ts_pl *tp, struct dp_ts *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < tp->nts && *n < DP_MAX_TS; i++) {
		const struct ikev2_ts *t = &tp->ts[i];
		struct dp_ts	*d = &out[(*n)++];

		memset(d, 0, sizeof(*d));
		d->af = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
		d->proto = t->proto;
		d->port_lo = t->port_lo;
		d->port_hi = t->port_hi;
		memcpy(d->addr_lo, t->lo, 16);
		memcpy(d->addr_hi, t->hi, 16);
	}
}

/*
 * Derive KEYMAT and install both directions.  initiator_is_peer: who
 * started this exchange (its keys come first, RFC 7296 2.17).
 */

/* The narrowed selectors live compactly in c->ts (an established CHILD SA
 * keeps a few dozen bytes, not two full payload structs). */
static int
child_set_ts(struct ikev2_child *c, const struct ikev2_ts_pl *tsi,
    const struct ikev2_ts_pl *tsr)
{
	struct ikev2_ts	*t;

	if ((t = calloc(tsi->nts + tsr->nts, sizeof(*t))) == NULL)
		return -1;
	memcpy(t, tsi->ts, tsi->nts * sizeof(*t));
	memcpy(t + tsi->nts, tsr->ts, tsr->nts * sizeof(*t));
	free(c->ts);
	c->ts = t;
	c->ntsi = (uint8_t)tsi->nts;
	c->ntsr = (uint8_t)tsr->nts;
	return 0;
}

static void
child_get_ts(const struct ikev2_child *c, struct ikev2_ts_pl *tsi,
    struct ikev2_ts_pl *tsr)
{
	memset(tsi, 0, sizeof(*tsi));
	memset(tsr, 0, sizeof(*tsr));
	if (c->ts == NULL)
		return;
	tsi->nts = c->ntsi;
	tsr->nts = c->ntsr;
	memcpy(tsi->ts, c->ts, c->ntsi * sizeof(c->ts[0]));
	memcpy(tsr->ts, c->ts + c->ntsi, c->ntsr * sizeof(c->ts[0]));
}

static void
child_free(struct ikev2_sa *sa, struct ikev2_child *c)
{
	if (c == NULL)
		return;
	ike_spi_esp_release(sa->eng->spis, c->spi_in);
	free(c->ts);
	free(c);
}

static int
install(struct ikev2_sa *sa, struct ikev2_child *c, const struct rg_buf *gir,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    bool initiator_is_peer)
{
	const struct ikev2_xform *e = c->alg.encr, *in = c->alg.integ;
	size_t		 el = e->key, il = in ? in->key : 0;
	uint8_t		 km[2 * (40 + 64)];
	struct ike_child_sa cs;
	struct ikev2_ts_pl ti, tr;
	const uint8_t	*k_i2r = km, *k_r2i = km + el + il;
	uint32_t	 bad;
	int		 rc = -1;

	if (ikev2_keymat(sa->alg.prf, sa->keys.sk_d, gir, ni, nilen, nr, nrlen,
	    km, 2 * (el + il)) < 0)
		return -1;
	c->reqid = sa->eng->next_reqid++;
	if (sa->sess != NULL)
		(void)sess_reqid_add(sa->sess, c->reqid);
	c->created_ms = rg_now_ms();
	if (sa->eng->dp == NULL) {
		rc = 0;
		goto out;
	}
	memset(&cs, 0, sizeof(cs));
	cs.spi_in = c->spi_in;
	cs.spi_out = c->spi_out;
	cs.reqid = c->reqid;
	cs.transport = c->transport;
	cs.local = &sa->local;
	cs.peer = &sa->peer;
	/* RFC 3948 / RFC 7296 2.23: UDP encapsulation only when NAT-D found
	 * a NAT.  A client may move IKE to 4500 without one (strongSwan
	 * does) and still send raw ESP. */
	cs.encap = sa->nat_peer || sa->nat_local;
	cs.encr = e;
	cs.integ = in;
	cs.esn = c->alg.esn != NULL && c->alg.esn->id == 1;
	/* Inbound keys are the ones the peer sends with. */
	cs.key_in = initiator_is_peer ? k_i2r : k_r2i;
	cs.key_out = initiator_is_peer ? k_r2i : k_i2r;
	child_get_ts(c, &ti, &tr);
	ts_to_dp(&tr, cs.ts_local, &cs.nts_local);
	ts_to_dp(&ti, cs.ts_remote, &cs.nts_remote);
	cs.mss_clamp = sa->cfg->settings.mss_clamp;
	if (ike_child_install(sa->eng->dp, &cs, &bad) < 0) {
		ikev2_log(sa, ERROR, "data plane refused CHILD SA %08x", bad);
		goto out;
	}
	c->installed = true;
	rc = 0;
out:
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

void
ikev2_child_arm(struct ikev2_sa *sa)
{
	uint32_t	 life = sa->cfg->settings.child_lifetime_s ?
	    sa->cfg->settings.child_lifetime_s : 10800;
	uint64_t	 first = UINT64_MAX, now = rg_now_ms();

	for (struct ikev2_child *c = sa->children; c; c = c->next) {
		if (!c->rekeyed && c->created_ms + (uint64_t)life * 1000 < first)
			first = c->created_ms + (uint64_t)life * 1000;
		if (c->superseded_ms != 0 &&
		    c->superseded_ms + IKEV2_SUPERSEDED_GRACE_MS < first)
			first = c->superseded_ms + IKEV2_SUPERSEDED_GRACE_MS;
	}
	if (first == UINT64_MAX)
		return;
	rg_timer_start(sa->eng->loop, &sa->t_child, first > now ? first - now :
	    1000);
}

static void
log_child(struct ikev2_sa *sa, struct ikev2_child *c, const char *what)
{
	char	 alg[128], ti[256], tr[256];
	struct ikev2_ts_pl a, b;

	child_get_ts(c, &a, &b);
	ikev2_chosen_str(&c->alg, alg, sizeof(alg));
	ikev2_ts_str(&a, ti, sizeof(ti));
	ikev2_ts_str(&b, tr, sizeof(tr));
	ikev2_log(sa, INFO, "CHILD SA %s: SPIs %08x/%08x, %s, %s <-> %s%s",
	    what, c->spi_in, c->spi_out, alg, ti, tr, c->transport ?
	    ", transport mode" : "");
}

static void
no_proposal_log(struct ikev2_sa *sa, const struct ikev2_sa_pl *rx)
{
	char	*a = malloc(2048), *b = malloc(2048);
	char	 ak[128];

	if (ikev2_sa_addke_required(rx, IKEV2_PROTO_ESP, ak, sizeof(ak)))
		ikev2_log(sa, WARN, "CHILD SA: peer requires additional key "
		    "exchange %s (RFC 9370), not supported", ak);
	if (a != NULL && b != NULL) {
		ikev2_sa_str(rx, a, 2048);
		ikev2_pset_str(&sa->eng->esp_set, b, 2048);
		ikev2_log(sa, WARN, "CHILD SA: NO_PROPOSAL_CHOSEN\n"
		    "  received %s\n  configured %s", a, b);
	}
	free(a);
	free(b);
	sa->eng->ctr.no_proposal++;
}

/* Selectors for a new CHILD SA: transport mode for L2TP/IPsec when asked
 * and the policy allows it, else tunnel mode as usual. */
static int
child_narrow(struct ikev2_sa *sa, const struct child_req *r,
    struct ikev2_child *c, struct ikev2_ts_pl *ti, struct ikev2_ts_pl *tr)
{
	const struct rg_policy	*pol;

	if (r->transport) {
		pol = rg_config_user_policy(sa->cfg, sa->user);
		if (pol != NULL && pol->l2tp_transport) {
			c->transport = true;
			return ikev2_ts_narrow_l2tp(sa, &r->tsi, &r->tsr, ti,
			    tr);
		}
		ikev2_log(sa, INFO, "CHILD SA: transport mode asked by '%s', "
		    "not allowed by policy %s (no l2tp_transport); tunnel "
		    "mode", sa->user, pol != NULL ? pol->name : "(none)");
	}
	return ikev2_ts_narrow(sa, &r->tsi, &r->tsr, ti, tr);
}

int
ikev2_child_from_auth(struct ikev2_sa *sa, const struct ikev2_msg *m,
    struct ikev2_enc *out)
{
	struct child_req	*r = malloc(sizeof(*r));
	struct ikev2_child	*c = NULL;
	struct ikev2_sa_pl	*sp = NULL;
	struct ikev2_ts_pl	 ti, tr;
	uint8_t			 spi[4];
	int			 rc = IKEV2_N_NO_PROPOSAL_CHOSEN;

	if (r == NULL || (c = calloc(1, sizeof(*c))) == NULL ||
	    (sp = malloc(sizeof(*sp))) == NULL)
		goto out;
	if (parse(m, r) < 0 || !r->have_sa || !r->have_tsi || !r->have_tsr) {
		rc = IKEV2_N_INVALID_SYNTAX;
		goto out;
	}
	if (ikev2_proposal_select(&r->sa, &sa->eng->esp_set, IKEV2_PROTO_ESP,
	    IKEV2_DHM_IGNORE, 0, &c->alg) < 0) {
		no_proposal_log(sa, &r->sa);
		goto out;
	}
	if (child_narrow(sa, r, c, &ti, &tr) < 0) {
		rc = IKEV2_N_TS_UNACCEPTABLE;
		goto out;
	}
	if (child_set_ts(c, &ti, &tr) < 0)
		goto out;
	c->spi_out = rg_get_u32(c->alg.spi);
	if ((c->spi_in = new_spi(sa)) == 0)
		goto out;
	if (install(sa, c, NULL, sa->hs->ni, sa->hs->nilen, sa->hs->nr, sa->hs->nrlen,
	    true) < 0) {
		rc = IKEV2_N_TEMPORARY_FAILURE;
		goto out;
	}
	rg_put_u32(spi, c->spi_in);
	ikev2_chosen_sa(&c->alg, spi, 4, sp);
	if (c->transport)
		ikev2_put_notify(out, 0, NULL, 0, IKEV2_N_USE_TRANSPORT_MODE,
		    NULL, 0);
	ikev2_put_sa(out, sp);
	ikev2_put_ts(out, IKEV2_PL_TSI, &ti);
	ikev2_put_ts(out, IKEV2_PL_TSR, &tr);
	c->next = sa->children;
	sa->children = c;
	c = NULL;
	log_child(sa, sa->children, "established");
	ikev2_child_arm(sa);
	rc = 0;
out:
	free(r);
	child_free(sa, c);
	free(sp);
	return rc;
}

struct ikev2_child *
ikev2_child_by_out(struct ikev2_sa *sa, uint32_t spi_out)
{
	for (struct ikev2_child *c = sa->children; c; c = c->next)
		if (c->spi_out == spi_out)
			return c;
	return NULL;
}

void
ikev2_child_remove(struct ikev2_sa *sa, struct ikev2_child *c, bool dp_del)
{
	struct ikev2_child **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (sa->sess != NULL)
		sess_reqid_del(sa->sess, c->reqid);
	if (dp_del && c->installed && sa->eng->dp != NULL)
		ike_child_uninstall(sa->eng->dp, c->spi_in, c->spi_out);
	child_free(sa, c);
}

void
ikev2_child_free_all(struct ikev2_sa *sa, bool dp_del)
{
	while (sa->children != NULL)
		ikev2_child_remove(sa, sa->children, dp_del);
	drop_rekey_spi(sa);
}

/* CHILD_SAs that carry traffic (not superseded by a rekey). */
static unsigned int
live_children(const struct ikev2_sa *sa)
{
	unsigned int	 n = 0;

	for (const struct ikev2_child *c = sa->children; c; c = c->next)
		if (!c->rekeyed)
			n++;
	return n;
}

static unsigned int
max_children(const struct ikev2_sa *sa)
{
	return sa->cfg->settings.max_child_sas ?
	    sa->cfg->settings.max_child_sas : IKEV2_MAX_CHILD_SAS;
}

static void
answer_notify(struct ikev2_sa *sa, const struct ikev2_msg *m, uint16_t type,
    const uint8_t *data, size_t len)
{
	struct ikev2_enc enc;
	uint8_t		 buf[64];

	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_notify(&enc, 0, NULL, 0, type, data, len);
	ikev2_send_sk(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, m->hdr.msgid, &enc);
}

/* RFC 7296 1.3.2: the peer rekeys the IKE SA. */
static void
rekey_ike(struct ikev2_sa *sa, const struct ikev2_msg *m, struct child_req *r)
{
	struct ikev2_engine	*e = sa->eng;
	struct ikev2_chosen	 ch;
	struct ike_dh		*dh = NULL;
	struct rg_buf		*gir = NULL;
	struct ikev2_sa		*n;
	struct ikev2_sa_pl	*sp = NULL;
	uint8_t			 pub[1100], spi[8], *buf = NULL;
	uint64_t		 spi_i = 0;
	long			 publen;
	struct ikev2_enc	 enc;

	if (ikev2_proposal_select(&r->sa, &e->ike_set, IKEV2_PROTO_IKE,
	    IKEV2_DHM_REQUIRED, r->have_ke ? r->ke.group : 0, &ch) < 0 ||
	    ch.spi_len != 8) {
		char	*a = malloc(2048), *b = malloc(2048);
		char	 ak[128];

		if (ikev2_sa_addke_required(&r->sa, IKEV2_PROTO_IKE, ak,
		    sizeof(ak)))
			ikev2_log(sa, WARN, "IKE rekey: peer requires "
			    "additional key exchange %s (RFC 9370), not "
			    "supported", ak);
		if (a != NULL && b != NULL) {
			ikev2_sa_str(&r->sa, a, 2048);
			ikev2_pset_str(&e->ike_set, b, 2048);
			ikev2_log(sa, WARN, "IKE rekey: NO_PROPOSAL_CHOSEN\n"
			    "  received %s\n  configured %s", a, b);
		}
		free(a);
		free(b);
		answer_notify(sa, m, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (!r->have_ke || r->ke.group != ch.dh->id) {
		uint8_t	 g[2];

		rg_put_u16(g, ch.dh->id);
		answer_notify(sa, m, IKEV2_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	/* The new SA: the peer's SPI from its proposal, ours fresh.  Made
	 * with it, so the SA is indexed under the SPIi it keeps. */
	for (int i = 0; i < 8; i++)
		spi_i = spi_i << 8 | ch.spi[i];
	if ((dh = ike_dh_new(ch.dh->id)) == NULL ||
	    (gir = ike_dh_derive(dh, r->ke.data, r->ke.len)) == NULL ||
	    (publen = ike_dh_public(dh, pub, sizeof(pub))) < 0 ||
	    (n = ikev2_sa_new(e, spi_i)) == NULL) {
		answer_notify(sa, m, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	n->alg = ch;
	memcpy(&n->peer, &sa->peer, sizeof(n->peer));
	memcpy(&n->local, &sa->local, sizeof(n->local));
	n->fd = sa->fd;
	n->nat_peer = sa->nat_peer;
	n->nat_local = sa->nat_local;
	n->frag_ok = sa->frag_ok;
	n->sig_hash_ok = sa->sig_hash_ok;
	n->sig_hashes = sa->sig_hashes;
	n->mobike = sa->mobike;
	memcpy(n->hs->ni, r->nonce, r->nlen);
	n->hs->nilen = r->nlen;
	n->hs->nrlen = 32;
	if (ike_random(n->hs->nr, n->hs->nrlen) < 0 ||
	    ikev2_derive_ike(&n->keys, ch.prf, ch.encr, ch.integ, gir, n->hs->ni,
	    n->hs->nilen, n->hs->nr, n->hs->nrlen, n->spi_i, n->spi_r, sa->alg.prf,
	    sa->keys.sk_d) < 0) {
		ikev2_sa_destroy(n, "rekey key derivation failed");
		answer_notify(sa, m, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	/* Answer under the old SA: SA, Nr, KEr. */
	if ((buf = malloc(4096)) == NULL || (sp = malloc(sizeof(*sp))) == NULL) {
		ikev2_sa_destroy(n, "out of memory");
		goto out;
	}
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(n->spi_r >> (56 - 8 * i));
	ikev2_enc_inner(&enc, buf, 4096);
	ikev2_chosen_sa(&ch, spi, 8, sp);
	ikev2_put_sa(&enc, sp);
	ikev2_put_nonce(&enc, n->hs->nr, n->hs->nrlen);
	ikev2_put_ke(&enc, ch.dh->id, pub, (size_t)publen);
	if (ikev2_send_sk(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, m->hdr.msgid,
	    &enc) < 0) {
		ikev2_sa_destroy(n, "cannot answer the rekey");
		goto out;
	}
	ikev2_ike_rekey_answered(sa, n);
	{
		char	 alg[160];

		ikev2_chosen_str(&ch, alg, sizeof(alg));
		ikev2_log(n, INFO, "IKE SA rekeyed (old %016llx/%016llx), %s",
		    (unsigned long long)sa->spi_i,
		    (unsigned long long)sa->spi_r, alg);
	}
out:
	free(buf);
	free(sp);
	rg_buf_free(gir);
	ike_dh_free(dh);
}

void
ikev2_create_child_request(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	struct child_req	*r = malloc(sizeof(*r));
	struct ikev2_child	*c = NULL, *old = NULL;
	struct ike_dh		*dh = NULL;
	struct rg_buf		*gir = NULL;
	struct ikev2_sa_pl	*sp = NULL;
	struct ikev2_enc	 enc;
	struct ikev2_ts_pl	 ti, tr;
	uint8_t			*buf = NULL, nr[32], spi[4], pub[1100];
	long			 publen = 0;

	if (r == NULL)
		return;
	if (sa->state != IKEV2_S_ESTABLISHED) {
		answer_notify(sa, m, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	if (parse(m, r) < 0 || !r->have_sa || r->nonce == NULL) {
		sa->eng->ctr.malformed++;
		answer_notify(sa, m, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (r->sa.prop[0].proto == IKEV2_PROTO_IKE) {
		rekey_ike(sa, m, r);
		goto out;
	}
	if (!r->have_tsi || !r->have_tsr) {
		answer_notify(sa, m, IKEV2_N_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	if (r->rekey && (old = ikev2_child_by_out(sa, r->rekey_spi)) == NULL) {
		uint8_t	 s[4];

		rg_put_u32(s, r->rekey_spi);
		ikev2_log(sa, INFO, "rekey of unknown CHILD SA %08x",
		    r->rekey_spi);
		answer_notify(sa, m, IKEV2_N_CHILD_SA_NOT_FOUND, NULL, 0);
		goto out;
	}
	if (old == NULL && live_children(sa) >= max_children(sa)) {
		sa->eng->ctr.child_limit++;
		ikev2_log(sa, NOTICE, "CREATE_CHILD_SA refused: '%s' already "
		    "has %u CHILD SAs (setting max_child_sas)", sa->user,
		    live_children(sa));
		answer_notify(sa, m, IKEV2_N_NO_ADDITIONAL_SAS, NULL, 0);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	if (ikev2_proposal_select(&r->sa, &sa->eng->esp_set, IKEV2_PROTO_ESP,
	    IKEV2_DHM_OPTIONAL, r->have_ke ? r->ke.group : 0, &c->alg) < 0) {
		no_proposal_log(sa, &r->sa);
		answer_notify(sa, m, IKEV2_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		goto out;
	}
	if (c->alg.dh != NULL) {
		if (!r->have_ke || r->ke.group != c->alg.dh->id) {
			uint8_t	 g[2];

			rg_put_u16(g, c->alg.dh->id);
			answer_notify(sa, m, IKEV2_N_INVALID_KE_PAYLOAD, g, 2);
			goto out;
		}
		if ((dh = ike_dh_new(c->alg.dh->id)) == NULL ||
		    (gir = ike_dh_derive(dh, r->ke.data, r->ke.len)) == NULL ||
		    (publen = ike_dh_public(dh, pub, sizeof(pub))) < 0) {
			answer_notify(sa, m, IKEV2_N_INVALID_SYNTAX, NULL, 0);
			goto out;
		}
	}
	if (child_narrow(sa, r, c, &ti, &tr) < 0) {
		answer_notify(sa, m, IKEV2_N_TS_UNACCEPTABLE, NULL, 0);
		goto out;
	}
	if (child_set_ts(c, &ti, &tr) < 0)
		goto out;
	c->spi_out = rg_get_u32(c->alg.spi);
	if ((c->spi_in = new_spi(sa)) == 0 || ike_random(nr, sizeof(nr)) < 0)
		goto out;
	if (install(sa, c, gir, r->nonce, r->nlen, nr, sizeof(nr), true) < 0) {
		answer_notify(sa, m, IKEV2_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	if ((buf = malloc(4096)) == NULL || (sp = malloc(sizeof(*sp))) == NULL)
		goto out;
	rg_put_u32(spi, c->spi_in);
	ikev2_enc_inner(&enc, buf, 4096);
	ikev2_chosen_sa(&c->alg, spi, 4, sp);
	if (c->transport)
		ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_USE_TRANSPORT_MODE,
		    NULL, 0);
	ikev2_put_sa(&enc, sp);
	ikev2_put_nonce(&enc, nr, sizeof(nr));
	if (c->alg.dh != NULL)
		ikev2_put_ke(&enc, c->alg.dh->id, pub, (size_t)publen);
	ikev2_put_ts(&enc, IKEV2_PL_TSI, &ti);
	ikev2_put_ts(&enc, IKEV2_PL_TSR, &tr);
	ikev2_send_sk(sa, IKEV2_EXCH_CREATE_CHILD_SA, true, m->hdr.msgid, &enc);
	if (old != NULL && old->rekeyed && sa->nreq != 0 &&
	    sa->req_kind == IKEV2_REQ_CHILD_REKEY &&
	    sa->req_arg == old->spi_in && sa->coll == NULL &&
	    (sa->coll = calloc(1, sizeof(*sa->coll))) != NULL) {
		/* RFC 7296 2.8.1: we are rekeying it too; decided when our
		 * exchange completes. */
		sa->coll->old_spi_in = old->spi_in;
		sa->coll->peer_spi_in = c->spi_in;
		ikev2_nonce_low(r->nonce, r->nlen, nr, sizeof(nr),
		    sa->coll->low, &sa->coll->lowlen);
		ikev2_log(sa, INFO, "CHILD SA %08x: rekey collision, the "
		    "peer's exchange answered while ours is in flight",
		    old->spi_in);
	}
	if (old != NULL) {
		/* The peer started the rekey, so it deletes the old SA
		 * (RFC 7296 2.8); if it never does, we do after a grace. */
		old->rekeyed = true;
		old->superseded_ms = rg_now_ms();
	}
	c->next = sa->children;
	sa->children = c;
	log_child(sa, c, old != NULL ? "rekeyed" : "added");
	c = NULL;
	ikev2_child_arm(sa);
out:
	if (c != NULL && c->installed)
		ikev2_child_remove(sa, c, true);
	else
		child_free(sa, c);
	free(buf);
	free(sp);
	free(r);
	rg_buf_free(gir);
	ike_dh_free(dh);
	OPENSSL_cleanse(nr, sizeof(nr));
}

/*
 * A CHILD_SA the peer rekeyed but never deleted (RFC 7296 2.8 gives the
 * old SA's deletion to the rekey's initiator): past the grace we delete
 * it ourselves, HDR, SK {D(ESP, SPI)}, so superseded SAs never pile up in
 * the data plane.  True when a DELETE went out (one at a time: window 1).
 */
static bool
delete_superseded(struct ikev2_sa *sa)
{
	struct ikev2_child	*c;
	struct ikev2_delete	 del;
	struct ikev2_enc	 enc;
	uint64_t		 now = rg_now_ms();
	uint8_t			 buf[128];

	for (c = sa->children; c != NULL; c = c->next)
		if (c->superseded_ms != 0 &&
		    c->superseded_ms + IKEV2_SUPERSEDED_GRACE_MS <= now)
			break;
	if (c == NULL)
		return false;
	ikev2_log(sa, INFO, "CHILD SA %08x/%08x: rekeyed by the peer %llu s "
	    "ago and never deleted, deleting it", c->spi_in, c->spi_out,
	    (unsigned long long)((now - c->superseded_ms) / 1000));
	sa->eng->ctr.child_superseded++;
	memset(&del, 0, sizeof(del));
	del.proto = IKEV2_PROTO_ESP;
	del.spi_len = 4;
	del.nspi = 1;
	del.spi[0] = c->spi_in;
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_delete(&enc, &del);
	ikev2_child_remove(sa, c, true);
	ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
	    IKEV2_REQ_DELETE_CHILD, 0);
	return true;
}

/* Our lifetime ran out first: we rekey (RFC 7296 2.8). */
static struct ikev2_child	*pending_child(struct ikev2_sa *);

void
ikev2_child_lifetime_cb(struct rg_timer *t)
{
	struct ikev2_sa		*sa = t->arg;
	struct ikev2_child	*c;
	struct ikev2_sa_pl	*sp;
	struct ikev2_enc	 enc;
	uint8_t			*buf, spi[4];

	if (sa->state != IKEV2_S_ESTABLISHED)
		return;
	if (sa->nreq != 0) {
		rg_timer_start(sa->eng->loop, &sa->t_child, 2000);
		return;
	}
	if (delete_superseded(sa)) {
		ikev2_child_arm(sa);
		return;
	}
	if ((c = pending_child(sa)) == NULL)
		return;
	buf = malloc(4096);
	sp = malloc(sizeof(*sp));
	if (buf == NULL || sp == NULL)
		goto out;
	/* HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr}: we are the initiator
	 * of this exchange, so TSi is our side and TSr the client's. */
	if (ike_random(sa->rk_nonce, sizeof(sa->rk_nonce)) < 0)
		goto out;
	c->rekeyed = true;
	rg_put_u32(spi, c->spi_in);
	ikev2_enc_inner(&enc, buf, 4096);
	ikev2_put_notify(&enc, IKEV2_PROTO_ESP, spi, 4, IKEV2_N_REKEY_SA,
	    NULL, 0);
	if (c->transport)
		ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_USE_TRANSPORT_MODE,
		    NULL, 0);
	{
		struct ikev2_chosen ch = c->alg;
		uint32_t	 s = new_spi(sa);

		ch.dh = NULL;
		/* a SPI left by an earlier rekey that never completed */
		drop_rekey_spi(sa);
		sa->rekey_spi_in = s;
		sa->rekey_spi_held = s != 0;
		rg_put_u32(spi, s);
		ch.num = 1;
		ikev2_chosen_sa(&ch, spi, 4, sp);
		ikev2_put_sa(&enc, sp);
	}
	ikev2_put_nonce(&enc, sa->rk_nonce, sizeof(sa->rk_nonce));
	{
		struct ikev2_ts_pl ti, tr;

		child_get_ts(c, &ti, &tr);
		ikev2_put_ts(&enc, IKEV2_PL_TSI, &tr);
		ikev2_put_ts(&enc, IKEV2_PL_TSR, &ti);
	}
	ikev2_log(sa, INFO, "CHILD SA %08x/%08x: our lifetime expired, "
	    "rekeying", c->spi_in, c->spi_out);
	ikev2_send_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &enc,
	    IKEV2_REQ_CHILD_REKEY, c->spi_in);
out:
	free(buf);
	free(sp);
	ikev2_child_arm(sa);
}

static struct ikev2_child *
pending_child(struct ikev2_sa *sa)
{
	uint32_t	 life = sa->cfg->settings.child_lifetime_s ?
	    sa->cfg->settings.child_lifetime_s : 10800;
	uint64_t	 now = rg_now_ms();

	for (struct ikev2_child *c = sa->children; c; c = c->next)
		if (!c->rekeyed && c->created_ms + (uint64_t)life * 1000 <= now)
			return c;
	return NULL;
}

void
ikev2_nonce_low(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
    uint8_t *out, size_t *outlen)
{
	if (ikev2_nonce_cmp(b, bl, a, al) < 0) {
		a = b;
		al = bl;
	}
	if (al > 256)
		al = 256;
	memcpy(out, a, al);
	*outlen = al;
}

/* Octet strings: the first differing octet decides, else the shorter. */
int
ikev2_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int	 c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

/* RFC 7296 2.8.1: "the SA created with the lowest of the four nonces
 * used in the two exchanges SHOULD be closed by the endpoint that
 * created it".  Consumes sa->coll; true when ours holds the lowest. */
static bool
child_collision_lost(struct ikev2_sa *sa, const struct child_req *r)
{
	uint8_t	 low[256];
	size_t	 lowlen;
	bool	 lost;

	ikev2_nonce_low(sa->rk_nonce, sizeof(sa->rk_nonce), r->nonce, r->nlen,
	    low, &lowlen);
	lost = ikev2_nonce_cmp(low, lowlen, sa->coll->low,
	    sa->coll->lowlen) < 0;
	ikev2_log(sa, INFO, "CHILD SA %08x: rekey collision %s (lowest nonce "
	    "in %s exchange); %s", sa->coll->old_spi_in, lost ? "lost" : "won",
	    lost ? "our" : "the peer's", lost ? "deleting our redundant SA, "
	    "keeping the peer's" : "the peer deletes its redundant SA");
	ikev2_coll_free(sa);
	return lost;
}

void
ikev2_child_rekey_response(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	struct child_req	*r = malloc(sizeof(*r));
	struct ikev2_child	*old, *c = NULL;
	struct ikev2_enc	 enc;
	struct ikev2_delete	 del;
	uint8_t			 buf[128];

	if (r == NULL)
		return;
	old = NULL;
	for (struct ikev2_child *x = sa->children; x; x = x->next)
		if (x->spi_in == sa->req_arg)
			old = x;
	if (parse(m, r) < 0 || !r->have_sa || r->nonce == NULL ||
	    !r->have_tsi || !r->have_tsr || old == NULL) {
		ikev2_log(sa, NOTICE, "our CHILD SA rekey was refused");
		drop_rekey_spi(sa);
		if (old != NULL && (sa->coll == NULL ||
		    sa->coll->old_spi_in != old->spi_in))
			old->rekeyed = false;
		ikev2_coll_free(sa);
		goto out;
	}
	if (sa->coll != NULL && sa->coll->old_spi_in == old->spi_in &&
	    child_collision_lost(sa, r)) {
		/* Our new SA is redundant: we created it, we delete it;
		 * the winner (the peer) deletes the old one. */
		memset(&del, 0, sizeof(del));
		del.proto = IKEV2_PROTO_ESP;
		del.spi_len = 4;
		del.nspi = 1;
		del.spi[0] = sa->rekey_spi_in;
		ikev2_enc_inner(&enc, buf, sizeof(buf));
		ikev2_put_delete(&enc, &del);
		ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
		    IKEV2_REQ_DELETE_CHILD, 0);
		drop_rekey_spi(sa);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->alg = old->alg;
	c->transport = old->transport;
	c->alg.spi_len = 4;
	memcpy(c->alg.spi, r->sa.prop[0].spi, 4);
	c->spi_out = rg_get_u32(r->sa.prop[0].spi);
	c->spi_in = sa->rekey_spi_in;	/* sent in our SA payload */
	sa->rekey_spi_held = false;	/* the child holds it now */
	if (old->ts != NULL) {
		size_t	 n = (size_t)old->ntsi + old->ntsr;

		if ((c->ts = calloc(n, sizeof(*c->ts))) == NULL)
			goto out;
		memcpy(c->ts, old->ts, n * sizeof(*c->ts));
		c->ntsi = old->ntsi;
		c->ntsr = old->ntsr;
	}
	if (install(sa, c, NULL, sa->rk_nonce, sizeof(sa->rk_nonce), r->nonce,
	    r->nlen, false) < 0)
		goto out;
	c->next = sa->children;
	sa->children = c;
	log_child(sa, c, "rekeyed by us");
	c = NULL;
	/* Delete the old one: HDR, SK {D(ESP, old inbound SPI)}. */
	memset(&del, 0, sizeof(del));
	del.proto = IKEV2_PROTO_ESP;
	del.spi_len = 4;
	del.nspi = 1;
	del.spi[0] = old->spi_in;
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_delete(&enc, &del);
	ikev2_child_remove(sa, old, true);
	ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
	    IKEV2_REQ_DELETE_CHILD, 0);
out:
	child_free(sa, c);
	free(r);
}
