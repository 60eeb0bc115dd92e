/*
 * ikev2_rekey.c: our own IKE SA rekey (RFC 7296 1.3.2, 2.18), when our
 * IKE lifetime (settings.ike_lifetime_s, longer than the clients') runs
 * out before the client rekeyed: HDR, SK {SA, Ni, KEi} on the old SA; the
 * new SA has us as its initiator; the session moves over and the old SA
 * is deleted.  Simultaneous rekeys (RFC 7296 2.8.2): the peer's exchange
 * answered while ours is in flight is held in sa->coll; when ours
 * completes, the new SA from the exchange with the lowest of the four
 * nonces is redundant and closed by its creator, the session goes to the
 * other, and the winner deletes the old SA.
 *
 * While a rekey is in flight the old SA points at the new SAs (rekey_new,
 * coll->peer_sa) and each of them points back (rekey_of).  Either side may
 * go first (the new SA's half-open timer, a DELETE, a dead peer, a kick),
 * so ikev2_rekey_unlink() clears both sides of every link.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_int.h"

void
ikev2_rekey_unlink(struct ikev2_sa *sa)
{
	struct ikev2_sa	*p = sa->rekey_of;

	if (p != NULL) {
		if (p->rekey_new == sa)
			p->rekey_new = NULL;
		if (p->coll != NULL && p->coll->peer_sa == sa)
			p->coll->peer_sa = NULL;
		sa->rekey_of = NULL;
	}
	if (sa->rekey_new != NULL) {
		sa->rekey_new->rekey_of = NULL;
		sa->rekey_new = NULL;
	}
	if (sa->coll != NULL && sa->coll->peer_sa != NULL) {
		sa->coll->peer_sa->rekey_of = NULL;
		sa->coll->peer_sa = NULL;
	}
}

void
ikev2_coll_free(struct ikev2_sa *sa)
{
	if (sa->coll == NULL)
		return;
	if (sa->coll->peer_sa != NULL)
		sa->coll->peer_sa->rekey_of = NULL;
	free(sa->coll);
	sa->coll = NULL;
}

/* n is the new SA of our rekey of sa. */
static void
link_new(struct ikev2_sa *sa, struct ikev2_sa *n)
{
	sa->rekey_new = n;
	n->rekey_of = sa;
}

/* Our rekey of sa is over: n no longer waits on it. */
static void
unlink_new(struct ikev2_sa *sa)
{
	if (sa->rekey_new != NULL)
		sa->rekey_new->rekey_of = NULL;
	sa->rekey_new = NULL;
}

int
ikev2_ike_rekey_start(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;
	struct ikev2_sa		*n;
	struct ikev2_sa_pl	*sp = NULL;
	struct ike_dh		*dh = NULL;
	struct ikev2_enc	 enc;
	struct ikev2_chosen	 ch = sa->alg;
	uint8_t			*buf = NULL, pub[1100], spi[8];
	long			 pl;
	int			 rc = -1;

	if (sa->nreq != 0 || sa->state != IKEV2_S_ESTABLISHED ||
	    sa->rekey_new != NULL || ch.dh == NULL)
		return -1;
	if ((dh = ike_dh_new(ch.dh->id)) == NULL ||
	    (pl = ike_dh_public(dh, pub, sizeof(pub))) < 0 ||
	    (buf = malloc(4096)) == NULL || (sp = malloc(sizeof(*sp))) == NULL)
		goto out;
	if ((n = ikev2_sa_new(e, 0)) == NULL)
		goto out;
	ikev2_sa_make_initiator(n);
	memcpy(&n->peer, &sa->peer, sizeof(n->peer));
	memcpy(&n->local, &sa->local, sizeof(n->local));
	n->fd = sa->fd;
	n->alg = ch;
	n->hs->nilen = 32;
	ike_random(n->hs->ni, n->hs->nilen);
	/* Waits for the old SA's exchange; if it times out first (a silent
	 * peer with dpd_timeout_s > 300), ikev2_rekey_unlink() tells the old
	 * SA, whose rekey then fails. */
	rg_timer_start(e->loop, &n->t_life, 300000);
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(n->spi_i >> (56 - 8 * i));
	ch.num = 1;
	ikev2_chosen_sa(&ch, spi, 8, sp);
	/* HDR, SK {SA, Ni, KEi} --> */
	ikev2_enc_inner(&enc, buf, 4096);
	ikev2_put_sa(&enc, sp);
	ikev2_put_nonce(&enc, n->hs->ni, n->hs->nilen);
	ikev2_put_ke(&enc, ch.dh->id, pub, (size_t)pl);
	if (ikev2_send_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &enc,
	    IKEV2_REQ_IKE_REKEY, 0) < 0) {
		ikev2_sa_destroy(n, "rekey request not sent");
		goto out;
	}
	link_new(sa, n);
	sa->rekey_dh = dh;
	dh = NULL;
	ikev2_log(sa, INFO, "IKE SA lifetime expired: rekeying");
	rc = 0;
out:
	ike_dh_free(dh);
	free(buf);
	free(sp);
	return rc;
}

void
ikev2_ike_rekey_answered(struct ikev2_sa *sa, struct ikev2_sa *n)
{
	if (sa->rekey_new != NULL && sa->nreq != 0 &&
	    sa->req_kind == IKEV2_REQ_IKE_REKEY && sa->coll == NULL &&
	    (sa->coll = calloc(1, sizeof(*sa->coll))) != NULL) {
		sa->coll->peer_sa = n;
		n->rekey_of = sa;
		ikev2_nonce_low(n->hs->ni, n->hs->nilen, n->hs->nr,
		    n->hs->nrlen, sa->coll->low, &sa->coll->lowlen);
		ikev2_log(sa, INFO, "IKE SA rekey collision: the peer's "
		    "exchange answered while ours is in flight");
		return;
	}
	ikev2_sa_take_session(n, sa);
	ikev2_child_arm(n);
}

/* The peer's new SA of a collision, if still there; sa->coll freed. */
static struct ikev2_sa *
coll_take(struct ikev2_sa *sa)
{
	struct ikev2_sa	*p = NULL;

	if (sa->coll != NULL && (p = sa->coll->peer_sa) != NULL) {
		sa->coll->peer_sa = NULL;
		p->rekey_of = NULL;
	}
	if (p != NULL && (p->state != IKEV2_S_INIT_DONE || p->hs == NULL))
		p = NULL;
	ikev2_coll_free(sa);
	return p;
}

static void
rekey_failed(struct ikev2_sa *sa, const char *why)
{
	struct ikev2_sa	*p = coll_take(sa);

	ikev2_log(sa, NOTICE, "our IKE SA rekey failed: %s; retrying in 60 s",
	    why);
	if (sa->rekey_new != NULL)
		ikev2_sa_destroy(sa->rekey_new, "rekey failed");
	unlink_new(sa);
	ike_dh_free(sa->rekey_dh);
	sa->rekey_dh = NULL;
	if (p != NULL) {
		/* The peer's rekey of the collision stands alone. */
		ikev2_sa_take_session(p, sa);
		ikev2_child_arm(p);
		return;
	}
	rg_timer_start(sa->eng->loop, &sa->t_life, 60000);
}

void
ikev2_ike_rekey_response(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	struct ikev2_sa		*n = sa->rekey_new;
	struct ikev2_sa_pl	*sp = malloc(sizeof(*sp));
	const struct ikev2_pl	*pn = ikev2_msg_find(m, IKEV2_PL_NONCE);
	const struct ikev2_pl	*pk = ikev2_msg_find(m, IKEV2_PL_KE);
	const struct ikev2_pl	*ps = ikev2_msg_find(m, IKEV2_PL_SA);
	struct rg_buf		*gir = NULL;
	struct ikev2_ke		 ke;
	struct ikev2_delete	 d;
	struct ikev2_enc	 enc;
	struct rg_rd		 r;
	uint8_t			 buf[64];

	if (n == NULL) {
		rekey_failed(sa, "the new IKE SA timed out first");
		goto out;
	}
	if (sp == NULL)
		goto fail;
	if (ps == NULL || pn == NULL || pk == NULL) {
		rekey_failed(sa, "the peer refused it");
		goto out;
	}
	rg_rd_init(&r, ps->body, ps->len);
	if (ikev2_sa_decode(&r, sp) < 0 || sp->nprop != 1 ||
	    sp->prop[0].proto != IKEV2_PROTO_IKE || sp->prop[0].spi_len != 8)
		goto fail;
	rg_rd_init(&r, pk->body, pk->len);
	if (ikev2_ke_decode(&r, &ke) < 0 || ke.group != n->alg.dh->id ||
	    (gir = ike_dh_derive(sa->rekey_dh, ke.data, ke.len)) == NULL)
		goto fail;
	n->spi_r = 0;
	for (int i = 0; i < 8; i++)
		n->spi_r = n->spi_r << 8 | sp->prop[0].spi[i];
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	if (ikev2_derive_ike(&n->keys, n->alg.prf, n->alg.encr, n->alg.integ,
	    gir, n->hs->ni, n->hs->nilen, pn->body, pn->len, n->spi_i,
	    n->spi_r, sa->alg.prf, sa->keys.sk_d) < 0)
		goto fail;
	unlink_new(sa);
	ike_dh_free(sa->rekey_dh);
	sa->rekey_dh = NULL;
	if (sa->coll != NULL) {
		uint8_t		 low[256];
		size_t		 lowlen;
		bool		 lost;
		struct ikev2_sa	*p;

		ikev2_nonce_low(n->hs->ni, n->hs->nilen, pn->body, pn->len,
		    low, &lowlen);
		lost = ikev2_nonce_cmp(low, lowlen, sa->coll->low,
		    sa->coll->lowlen) < 0;
		if ((p = coll_take(sa)) != NULL && lost) {
			/* Ours is redundant: the session goes to the peer's
			 * SA; we delete ours; the peer deletes the old. */
			ikev2_log(sa, INFO, "IKE SA rekey collision lost "
			    "(lowest nonce in our exchange): keeping the "
			    "peer's %016llx/%016llx, deleting ours",
			    (unsigned long long)p->spi_i,
			    (unsigned long long)p->spi_r);
			ikev2_sa_take_session(p, sa);
			ikev2_child_arm(p);
			ikev2_sa_set_state(n, IKEV2_S_REKEYED,
			    "redundant (rekey collision)");
			memset(&d, 0, sizeof(d));
			d.proto = IKEV2_PROTO_IKE;
			ikev2_enc_inner(&enc, buf, sizeof(buf));
			ikev2_put_delete(&enc, &d);
			ikev2_send_request(n, IKEV2_EXCH_INFORMATIONAL, &enc,
			    IKEV2_REQ_DELETE, 0);
			goto out;
		}
		if (p != NULL) {
			ikev2_log(sa, INFO, "IKE SA rekey collision won "
			    "(lowest nonce in the peer's exchange): the peer "
			    "deletes its %016llx/%016llx",
			    (unsigned long long)p->spi_i,
			    (unsigned long long)p->spi_r);
			ikev2_sa_set_state(p, IKEV2_S_REKEYED,
			    "redundant (rekey collision)");
		}
	}
	ikev2_sa_take_session(n, sa);
	ikev2_child_arm(n);
	ikev2_log(n, INFO, "IKE SA rekeyed by us (old %016llx/%016llx)",
	    (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
	/* HDR, SK {D(IKE)} on the old SA. */
	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_IKE;
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_delete(&enc, &d);
	ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
	    IKEV2_REQ_DELETE, 0);
	goto out;
fail:
	rekey_failed(sa, "malformed answer");
out:
	rg_buf_free(gir);
	free(sp);
}
