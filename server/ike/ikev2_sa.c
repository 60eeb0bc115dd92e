/*
 * ikev2_sa.c: the IKE SA table and life cycle (RFC 7296 2.x): SAs keyed
 * by our SPI (and half-open ones by the initiator's SPI + address, for
 * IKE_SA_INIT retransmissions), the state enum with logged transitions,
 * half-open accounting and timeouts, teardown (the session ended in the
 * registry with a cause, CHILD SAs out of the data plane).
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
	/* Unique among IKEv1 and IKEv2 SAs alike (ike_spi.c). */
	if (ike_spi_ike_new(e->spis, &sa->spi_r) < 0) {
		free(sa);
		return NULL;
	}
	if ((sa->hs = calloc(1, sizeof(*sa->hs))) == NULL) {
		ike_spi_ike_release(e->spis, sa->spi_r);
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
		/* A pending EAP answer is cancelled (auth_cancel()): it
		 * must not reach an SA on its way out. */
		eap_session_free(sa->eap);
		sa->eap = NULL;
		sa->busy = false;
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

/* The registry ends the session (final counters read while the CHILD
 * SAs are still in the data plane, routes, leases). */
static void
release_session(struct ikev2_sa *sa, enum sess_cause cause, const char *why)
{
	struct sess	*s = sa->sess;

	sa->sess = NULL;
	sa->has_lease = false;
	sess_end(s, cause, why);
}

void
ikev2_sa_destroy(struct ikev2_sa *sa, const char *why)
{
	ikev2_sa_end(sa, SESS_CAUSE_NAS_ERROR, why);
}

void
ikev2_sa_end(struct ikev2_sa *sa, enum sess_cause cause, const char *why)
{
	if (sa->state == IKEV2_S_DEAD)
		return;
	if (sa->rekey_new != NULL) {
		struct ikev2_sa *n = sa->rekey_new;

		ikev2_sa_destroy(n, "rekeyed SA gone");
	}
	ikev2_rekey_unlink(sa);
	ike_dh_free(sa->rekey_dh);
	sa->rekey_dh = NULL;
	if (sa->state == IKEV2_S_ESTABLISHED)
		ikev2_log(sa, INFO, "IKE SA of '%s' down: %s",
		    sa->user[0] ? sa->user : sa->idi, why);
	if (sa->state != IKEV2_S_REKEYED)
		release_session(sa, cause, why);
	ikev2_child_free_all(sa, true);
	unhash(sa);
	ikev2_sa_set_state(sa, IKEV2_S_DEAD, why);
}

void
ikev2_sa_free(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;

	if (sa->state == IKEV2_S_INIT_DONE || sa->state == IKEV2_S_EAP)
		e->halfopen--;
	ike_spi_ike_release(e->spis, ikev2_sa_local_spi(sa));
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
	ike_dh_free(sa->rekey_dh);
	ikev2_coll_free(sa);
	free(sa->rsp);
	free(sa->rr);
	if (sa->eap != NULL)
		eap_session_free(sa->eap);
	rg_config_unref(sa->cfg);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}


/* The same IP address, whatever the ports. */
static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}

/*
 * INITIAL_CONTACT replaces the SAs of the same authenticated identity
 * (the user EAP, a certificate or a user's own PSK proved), never of the
 * same IDi text: with EAP the IDi is not tied to the user, and Windows
 * sends its private address as IDi, so two users behind 192.168.1.x
 * would knock each other off.  Peers of the %any key are all one
 * "identity" to the key, so they must also come from the same address.
 */
static bool
same_peer(const struct ikev2_sa *o, const struct ikev2_sa *sa)
{
	if (sa->user[0] == '\0' || strcmp(o->user, sa->user) != 0)
		return false;
	if (strncmp(sa->user, "%any:", 5) != 0)
		return true;
	return same_host(&o->peer, &sa->peer);
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
	sess_up(sa->sess);
}

/* INITIAL_CONTACT (RFC 7296 2.4): older SAs of this identity go. */
void
ikev2_sa_initial_contact(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;

	for (struct ikev2_sa *o = e->all, *n; o != NULL; o = n) {
		n = o->next;
		if (o == sa || o->state != IKEV2_S_ESTABLISHED ||
		    !same_peer(o, sa))
			continue;
		ikev2_log(o, NOTICE, "replaced by a new IKE SA of '%s' "
		    "(INITIAL_CONTACT)", sa->user);
		ikev2_sa_end(o, SESS_CAUSE_LOST_SERVICE,
		    "INITIAL_CONTACT");
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
	n->sess = old->sess;
	if (n->sess != NULL)
		sess_set_ctx(n->sess, n);
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
	old->sess = NULL;
	ikev2_sa_set_state(n, IKEV2_S_ESTABLISHED, "IKE SA rekeyed");
	ikev2_sa_set_state(old, IKEV2_S_REKEYED, "replaced by rekey");
}
