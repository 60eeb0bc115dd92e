/*
 * ikev2_sa.c: the IKE SA table and life cycle (RFC 7296 2.x): SAs keyed
 * by our SPI (and half-open ones by the initiator's SPI + address, for
 * IKE_SA_INIT retransmissions), the state enum with logged transitions,
 * half-open accounting and timeouts, teardown (CHILD SAs out of the data
 * plane, lease released, accounting stop).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eap.h"
#include "ikev2_int.h"

#define HALFOPEN_TIMEOUT_MS	30000

static const char *const state_names[] = {
#define X(id, n)	n,
	IKEV2_SA_STATE_LIST(X)
#undef X
};

const char *
ikev2_sa_state_name(enum ikev2_sa_state s)
{
	return (size_t)s < sizeof(state_names) / sizeof(state_names[0]) ?
	    state_names[s] : "?";
}

static size_t
hidx(uint64_t spi)
{
	return (size_t)((spi ^ (spi >> 29) ^ (spi >> 47)) % IKEV2_HASH);
}

uint64_t
ikev2_sa_local_spi(const struct ikev2_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static void
unhash(struct ikev2_sa *sa)
{
	struct ikev2_sa	**pp;

	for (pp = &sa->eng->by_spi[hidx(ikev2_sa_local_spi(sa))]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == sa) {
			*pp = sa->hnext;
			break;
		}
	for (pp = &sa->eng->by_spi_i[hidx(sa->spi_i)]; *pp; pp = &(*pp)->inext)
		if (*pp == sa) {
			*pp = sa->inext;
			break;
		}
	sa->hnext = sa->inext = NULL;
}

static void
dohash(struct ikev2_sa *sa)
{
	size_t	 h = hidx(ikev2_sa_local_spi(sa));

	sa->hnext = sa->eng->by_spi[h];
	sa->eng->by_spi[h] = sa;
	h = hidx(sa->spi_i);
	sa->inext = sa->eng->by_spi_i[h];
	sa->eng->by_spi_i[h] = sa;
}

static void
life_cb(struct rg_timer *t)
{
	struct ikev2_sa	*sa = t->arg;

	switch (sa->state) {
	case IKEV2_S_INIT_DONE:
	case IKEV2_S_EAP:
		ikev2_log(sa, INFO, "half-open IKE SA timed out in %s",
		    ikev2_sa_state_name(sa->state));
		ikev2_sa_destroy(sa, "half-open timeout");
		break;
	case IKEV2_S_ESTABLISHED:
		/* Our IKE lifetime is longer than every client's; if the
		 * peer did not rekey first, we do (RFC 7296 2.8). */
		if (ikev2_ike_rekey_start(sa) < 0) {
			ikev2_log(sa, NOTICE, "IKE SA lifetime expired, "
			    "rekey impossible now; retrying in 10 s");
			rg_timer_start(sa->eng->loop, &sa->t_life, 10000);
		}
		break;
	case IKEV2_S_REKEYED:
		ikev2_sa_destroy(sa, "rekeyed, peer never deleted it");
		break;
	case IKEV2_S_DELETING:
	case IKEV2_S_DEAD:
		ikev2_sa_free(sa);
		break;
	}
}

struct ikev2_sa *
ikev2_sa_new(struct ikev2_engine *e, uint64_t spi_i)
{
	struct ikev2_sa	*sa;

	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->eng = e;
	sa->spi_i = spi_i;
	do {
		if (ikev2_random(&sa->spi_r, sizeof(sa->spi_r)) < 0) {
			free(sa);
			return NULL;
		}
	} while (sa->spi_r == 0 || ikev2_sa_lookup(e, sa->spi_r) != NULL);
	if ((sa->hs = calloc(1, sizeof(*sa->hs))) == NULL) {
		free(sa);
		return NULL;
	}
	sa->cfg = rg_config_ref(e->cfg);
	sa->state = IKEV2_S_INIT_DONE;
	sa->created_ms = sa->last_rx_ms = rg_now_ms();
	sa->fd = -1;
	rg_timer_init(&sa->t_life, life_cb, sa);
	rg_timer_init(&sa->t_retx, NULL, sa);
	rg_timer_init(&sa->t_dpd, ikev2_dpd_cb, sa);
	rg_timer_init(&sa->t_child, ikev2_child_lifetime_cb, sa);
	rg_timer_start(e->loop, &sa->t_life, HALFOPEN_TIMEOUT_MS);
	sa->next = e->all;
	if (e->all != NULL)
		e->all->prev = sa;
	e->all = sa;
	dohash(sa);
	e->nsa++;
	e->halfopen++;
	return sa;
}

/* A fresh SA we initiate (our IKE rekey): our SPI becomes SPIi. */
void
ikev2_sa_make_initiator(struct ikev2_sa *sa)
{
	unhash(sa);
	sa->initiator = true;
	sa->spi_i = sa->spi_r;
	sa->spi_r = 0;
	dohash(sa);
}

void
ikev2_sa_rehash(struct ikev2_sa *sa, uint64_t new_spi)
{
	unhash(sa);
	if (sa->initiator)
		sa->spi_i = new_spi;
	else
		sa->spi_r = new_spi;
	dohash(sa);
}

struct ikev2_sa *
ikev2_sa_lookup(struct ikev2_engine *e, uint64_t spi)
{
	for (struct ikev2_sa *sa = e->by_spi[hidx(spi)]; sa; sa = sa->hnext)
		if (ikev2_sa_local_spi(sa) == spi)
			return sa;
	return NULL;
}

struct ikev2_sa *
ikev2_sa_lookup_init(struct ikev2_engine *e, uint64_t spi_i,
    const struct sockaddr *peer)
{
	for (struct ikev2_sa *sa = e->by_spi_i[hidx(spi_i)]; sa;
	    sa = sa->inext) {
		if (sa->spi_i != spi_i || sa->initiator)
			continue;
		if (sa->peer.ss_family != peer->sa_family)
			continue;
		if (peer->sa_family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)&sa->peer)->sin_addr,
		    &((const struct sockaddr_in *)peer)->sin_addr, 4) != 0)
			continue;
		if (peer->sa_family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)&sa->peer)->sin6_addr,
		    &((const struct sockaddr_in6 *)peer)->sin6_addr, 16) != 0)
			continue;
		return sa;
	}
	return NULL;
}

void
ikev2_hs_free(struct ikev2_sa *sa)
{
	if (sa->hs == NULL)
		return;
	rg_buf_free(sa->hs->init_req);
	rg_buf_free(sa->hs->init_resp);
	rg_buf_free(sa->hs->auth_req);
	OPENSSL_cleanse(sa->hs, sizeof(*sa->hs));
	free(sa->hs);
	sa->hs = NULL;
}

void
ikev2_sa_set_state(struct ikev2_sa *sa, enum ikev2_sa_state to,
    const char *why)
{
	enum ikev2_sa_state from = sa->state;

	if (from == to)
		return;
	ikev2_log(sa, DEBUG, "%s -> %s (%s)", ikev2_sa_state_name(from),
	    ikev2_sa_state_name(to), why);
	if ((from == IKEV2_S_INIT_DONE || from == IKEV2_S_EAP) &&
	    to != IKEV2_S_INIT_DONE && to != IKEV2_S_EAP)
		sa->eng->halfopen--;
	sa->state = to;
	switch (to) {
	case IKEV2_S_ESTABLISHED: {
		uint32_t life = sa->cfg->settings.ike_lifetime_s ?
		    sa->cfg->settings.ike_lifetime_s : 86400;

		rg_timer_start(sa->eng->loop, &sa->t_life,
		    (uint64_t)life * 1000);
		ikev2_sa_touch(sa);
		ikev2_hs_free(sa);
		/* The SK_p keys only served AUTH. */
		OPENSSL_cleanse(sa->keys.sk_pi, sizeof(sa->keys.sk_pi));
		OPENSSL_cleanse(sa->keys.sk_pr, sizeof(sa->keys.sk_pr));
		break;
	}
	case IKEV2_S_REKEYED:
		rg_timer_stop(sa->eng->loop, &sa->t_dpd);
		rg_timer_stop(sa->eng->loop, &sa->t_child);
		rg_timer_start(sa->eng->loop, &sa->t_life, 30000);
		break;
	case IKEV2_S_DEAD:
		rg_timer_stop(sa->eng->loop, &sa->t_dpd);
		rg_timer_stop(sa->eng->loop, &sa->t_child);
		rg_timer_stop(sa->eng->loop, &sa->t_retx);
		rg_timer_start(sa->eng->loop, &sa->t_life, 0);
		break;
	default:
		break;
	}
}

void
ikev2_sa_touch(struct ikev2_sa *sa)
{
	uint32_t	 iv = sa->cfg->settings.dpd_interval_s;

	sa->last_rx_ms = rg_now_ms();
	if (sa->state == IKEV2_S_ESTABLISHED && iv != 0)
		rg_timer_start(sa->eng->loop, &sa->t_dpd, (uint64_t)iv * 1000);
}

static void
release_session(struct ikev2_sa *sa, const char *why, uint64_t bytes_in,
    uint64_t bytes_out)
{
	struct ikev2_engine	*e = sa->eng;

	if (sa->up_reported && e->hooks.session_down != NULL) {
		struct ikev2_session_info si;

		memset(&si, 0, sizeof(si));
		si.session_id = sa->session_id;
		si.user = sa->user;
		si.profile = sa->profile;
		si.method = sa->auth_method;
		si.bytes_in = bytes_in;
		si.bytes_out = bytes_out;
		si.peer = (struct sockaddr *)&sa->peer;
		si.vip = &sa->vip;
		si.uptime_s = (rg_now_ms() - sa->established_ms) / 1000;
		si.cause = why;
		e->hooks.session_down(e->hooks.arg, &si);
	}
	sa->up_reported = false;
	if (sa->has_lease) {
		if (e->dp != NULL && sa->vip.af != 0) {
			struct rg_prefix p;

			memset(&p, 0, sizeof(p));
			p.af = sa->vip.af;
			memcpy(p.addr, sa->vip.addr, 16);
			p.plen = sa->vip.af == AF_INET ? 32 : 128;
			dp_route_del(e->dp, &p);
		}
		if (e->dp != NULL && sa->vip6.af == AF_INET6) {
			struct rg_prefix p;

			memset(&p, 0, sizeof(p));
			p.af = AF_INET6;
			memcpy(p.addr, sa->vip6.addr, 16);
			p.plen = 128;
			dp_route_del(e->dp, &p);
		}
		if (e->hooks.lease_release != NULL)
			e->hooks.lease_release(e->hooks.arg, sa->session_id);
		sa->has_lease = false;
	}
}

void
ikev2_sa_destroy(struct ikev2_sa *sa, const char *why)
{
	uint64_t	 bin = 0, bout = 0;

	if (sa->state == IKEV2_S_DEAD)
		return;
	if (sa->rekey_new != NULL) {
		struct ikev2_sa *n = sa->rekey_new;

		ikev2_sa_destroy(n, "rekeyed SA gone");
	}
	ikev2_rekey_unlink(sa);
	ikev2_dh_free(sa->rekey_dh);
	sa->rekey_dh = NULL;
	if (sa->state == IKEV2_S_ESTABLISHED)
		ikev2_log(sa, INFO, "IKE SA of '%s' down: %s",
		    sa->user[0] ? sa->user : sa->idi, why);
	/* The session's traffic, read before its CHILD SAs leave dp. */
	for (struct ikev2_child *ch = sa->children; ch != NULL; ch = ch->next) {
		struct dp_counters k;

		if (sa->eng->dp == NULL || !ch->installed)
			continue;
		if (dp_sa_counters(sa->eng->dp, ch->spi_in, true, &k) == 0)
			bin += k.bytes;
		if (dp_sa_counters(sa->eng->dp, ch->spi_out, false, &k) == 0)
			bout += k.bytes;
	}
	ikev2_child_free_all(sa, true);
	if (sa->state != IKEV2_S_REKEYED)
		release_session(sa, why, bin, bout);
	unhash(sa);
	ikev2_sa_set_state(sa, IKEV2_S_DEAD, why);
}

void
ikev2_sa_free(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;

	if (sa->state == IKEV2_S_INIT_DONE || sa->state == IKEV2_S_EAP)
		e->halfopen--;
	unhash(sa);
	rg_timer_stop(e->loop, &sa->t_life);
	rg_timer_stop(e->loop, &sa->t_retx);
	rg_timer_stop(e->loop, &sa->t_dpd);
	rg_timer_stop(e->loop, &sa->t_child);
	ikev2_child_free_all(sa, false);
	if (sa->prev != NULL)
		sa->prev->next = sa->next;
	else
		e->all = sa->next;
	if (sa->next != NULL)
		sa->next->prev = sa->prev;
	e->nsa--;
	ikev2_sa_cache_clear(sa);
	ikev2_frag_clear(sa);
	ikev2_hs_free(sa);
	ikev2_rekey_unlink(sa);
	ikev2_dh_free(sa->rekey_dh);
	ikev2_coll_free(sa);
	free(sa->rsp);
	free(sa->rr);
	if (sa->eap != NULL)
		eap_session_free(sa->eap);
	rg_config_unref(sa->cfg);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void
ikev2_sa_established(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;
	char			 alg[160], vip[64] = "none";

	sa->established_ms = rg_now_ms();
	ikev2_sa_set_state(sa, IKEV2_S_ESTABLISHED, "authenticated");
	e->ctr.established++;
	ikev2_chosen_str(&sa->alg, alg, sizeof(alg));
	if (sa->vip.af != 0)
		rg_addr_str(&sa->vip, vip, sizeof(vip));
	ikev2_log(sa, NOTICE, "IKE SA established: user '%s' (%s, id '%s'), "
	    "vip %s, %s", sa->user, sa->auth_method, sa->idi, vip, alg);
	if (e->hooks.session_up != NULL) {
		struct ikev2_session_info si;

		memset(&si, 0, sizeof(si));
		si.session_id = sa->session_id;
		si.user = sa->user;
		si.profile = sa->profile;
		si.method = sa->auth_method;
		si.peer = (struct sockaddr *)&sa->peer;
		si.vip = &sa->vip;
		e->hooks.session_up(e->hooks.arg, &si);
		sa->up_reported = true;
	}
	/* INITIAL_CONTACT (RFC 7296 2.4): older SAs of this identity go. */
	if (sa->initial_contact)
		for (struct ikev2_sa *o = e->all, *n; o != NULL; o = n) {
			n = o->next;
			if (o == sa || o->state != IKEV2_S_ESTABLISHED ||
			    strcmp(o->idi, sa->idi) != 0)
				continue;
			ikev2_log(o, NOTICE, "replaced by a new IKE SA of '%s' "
			    "(INITIAL_CONTACT)", sa->idi);
			ikev2_sa_destroy(o, "INITIAL_CONTACT");
		}
}

/* IKE SA rekey (RFC 7296 2.18): the session (identity, lease, CHILD SAs,
 * accounting) moves from old to n; old waits for its DELETE. */
void
ikev2_sa_take_session(struct ikev2_sa *n, struct ikev2_sa *old)
{
	memcpy(n->idi, old->idi, sizeof(n->idi));
	memcpy(n->user, old->user, sizeof(n->user));
	memcpy(n->profile, old->profile, sizeof(n->profile));
	memcpy(n->auth_method, old->auth_method, sizeof(n->auth_method));
	n->session_id = old->session_id;
	n->vip = old->vip;
	n->vip6 = old->vip6;
	n->has_lease = old->has_lease;
	n->up_reported = old->up_reported;
	n->children = old->children;
	n->established_ms = old->established_ms;
	n->mobike = old->mobike;
	n->frag_ok = old->frag_ok;
	n->nat_peer = old->nat_peer;
	n->nat_local = old->nat_local;
	n->rx_msgid = 0;
	n->tx_msgid = 0;
	old->children = NULL;
	old->has_lease = false;
	old->up_reported = false;
	ikev2_sa_set_state(n, IKEV2_S_ESTABLISHED, "IKE SA rekeyed");
	ikev2_sa_set_state(old, IKEV2_S_REKEYED, "replaced by rekey");
}
