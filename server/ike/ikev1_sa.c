/*
 * ikev1_sa.c: the ISAKMP SA table (keyed by our responder cookie, which
 * comes from the SPI table shared with IKEv2, and by the client's cookie
 * while half-open), the one state transition function, the half-open
 * timeout and lifetime, and the end of an SA.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "ikev1_int.h"

static const char *const state_names[] = {
#define X(id, n)	n,
	IKEV1_SA_STATE_LIST(X)
#undef X
};

const char *
ikev1_sa_state_name(enum ikev1_sa_state s)
{
	return (size_t)s < sizeof(state_names) / sizeof(state_names[0]) ?
	    state_names[s] : "?";
}

static uint64_t
ck64(const uint8_t *c)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | c[i];
	return v;
}

static size_t
hslot(uint64_t v)
{
	return (size_t)((v ^ (v >> 29)) % IKEV1_HASH);
}

static size_t
sa_len(const struct sockaddr *s)
{
	return s->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static bool
same_ip(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void
life_cb(struct rg_timer *t)
{
	struct ikev1_isakmp	*sa = t->arg;

	if (sa->state == IKEV1_S_DEAD) {
		ikev1_sa_free(sa);
		return;
	}
	if (sa->state != IKEV1_S_ESTABLISHED) {
		sa->eng->ctr.halfopen_drop++;
		ikev1_log(sa, NOTICE, "negotiation did not finish within %u s "
		    "(state %s): dropped", IKEV1_HALFOPEN_MS / 1000,
		    ikev1_sa_state_name(sa->state));
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "half-open timeout");
		return;
	}
	ikev1_log(sa, INFO, "ISAKMP SA lifetime over: deleted");
	ikev1_send_delete_isakmp(sa);
	ikev1_sa_end(sa, SESS_CAUSE_SESSION_TIMEOUT, "lifetime");
}

struct ikev1_isakmp *
ikev1_sa_new(struct ikev1_engine *e, const uint8_t *ck_i,
    const struct sockaddr *peer, const struct sockaddr *local, int fd)
{
	struct ikev1_isakmp	*sa;
	uint64_t	 ckr;
	size_t		 h;

	if (e->halfopen >= IKEV1_MAX_HALFOPEN)
		return NULL;
	if (e->cfg->settings.halfopen_per_ip != 0) {
		uint32_t n = 0;

		for (struct ikev1_isakmp *o = e->all; o != NULL; o = o->next)
			if (o->state != IKEV1_S_ESTABLISHED &&
			    o->state != IKEV1_S_DEAD && same_ip(&o->peer, peer))
				n++;
		if (n >= e->cfg->settings.halfopen_per_ip) {
			rg_log_peer(RG_T_IKE, RG_L_INFO, peer, 0, 0, "IKEv1: "
			    "%u negotiations from this address already "
			    "(setting halfopen_per_ip): dropped", n);
			return NULL;
		}
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	if ((sa->hs = calloc(1, sizeof(*sa->hs))) == NULL ||
	    ike_spi_ike_new(e->spis, &ckr) < 0) {
		free(sa->hs);
		free(sa);
		return NULL;
	}
	sa->eng = e;
	sa->cfg = rg_config_ref(e->cfg);
	memcpy(sa->ck_i, ck_i, 8);
	sa->cki = ck64(ck_i);
	sa->ckr = ckr;
	for (int i = 0; i < 8; i++)
		sa->ck_r[i] = (uint8_t)(ckr >> (56 - 8 * i));
	memcpy(&sa->peer, peer, sa_len(peer));
	memcpy(&sa->local, local, sa_len(local));
	sa->fd = fd;
	sa->natt = IKEV1_VID_UNKNOWN;
	sa->state = IKEV1_S_MM_SA;
	sa->created_ms = sa->last_rx_ms = rg_now_ms();
	rg_timer_init(&sa->t_retx, ikev1_retx_cb, sa);
	rg_timer_init(&sa->t_life, life_cb, sa);
	rg_timer_init(&sa->t_dpd, ikev1_dpd_cb, sa);
	rg_timer_init(&sa->t_push, ikev1_cfg_push_cb, sa);
	rg_timer_init(&sa->t_child, ikev1_child_life_cb, sa);
	h = hslot(sa->ckr);
	sa->hnext = e->by_ckr[h];
	e->by_ckr[h] = sa;
	h = hslot(sa->cki);
	sa->inext = e->by_cki[h];
	e->by_cki[h] = sa;
	sa->next = e->all;
	if (e->all)
		e->all->prev = sa;
	e->all = sa;
	e->nsa++;
	e->halfopen++;
	rg_timer_start(e->loop, &sa->t_life, IKEV1_HALFOPEN_MS);
	return sa;
}

struct ikev1_isakmp *
ikev1_sa_lookup(struct ikev1_engine *e, const uint8_t *ck_i,
    const uint8_t *ck_r)
{
	uint64_t	 r = ck64(ck_r);

	for (struct ikev1_isakmp *sa = e->by_ckr[hslot(r)]; sa; sa = sa->hnext)
		if (sa->ckr == r && memcmp(sa->ck_i, ck_i, 8) == 0)
			return sa;
	return NULL;
}

struct ikev1_isakmp *
ikev1_sa_lookup_init(struct ikev1_engine *e, const uint8_t *ck_i,
    const struct sockaddr *peer)
{
	uint64_t	 i = ck64(ck_i);

	for (struct ikev1_isakmp *sa = e->by_cki[hslot(i)]; sa; sa = sa->inext)
		if (sa->cki == i && (sa->state == IKEV1_S_MM_SA ||
		    sa->state == IKEV1_S_AM_SENT) &&
		    same_ip(&sa->peer, peer))
			return sa;
	return NULL;
}

void
ikev1_sa_set_state(struct ikev1_isakmp *sa, enum ikev1_sa_state s,
    const char *why)
{
	struct ikev1_engine	*e = sa->eng;
	bool	 was_half = sa->state != IKEV1_S_ESTABLISHED &&
	    sa->state != IKEV1_S_DEAD;
	bool	 is_half = s != IKEV1_S_ESTABLISHED && s != IKEV1_S_DEAD;

	if (sa->state == s)
		return;
	ikev1_log(sa, DEBUG, "state %s -> %s (%s)",
	    ikev1_sa_state_name(sa->state), ikev1_sa_state_name(s), why);
	if (was_half && !is_half)
		e->halfopen--;
	sa->state = s;
	if (s == IKEV1_S_ESTABLISHED) {
		uint32_t life = sa->life_s ? sa->life_s :
		    sa->cfg->settings.ike_lifetime_s;

		if (life == 0 || life > sa->cfg->settings.ike_lifetime_s)
			life = sa->cfg->settings.ike_lifetime_s;
		if (life == 0)
			life = 86400;
		sa->established_ms = rg_now_ms();
		e->ctr.established++;
		rg_timer_start(e->loop, &sa->t_life, (uint64_t)life * 1000);
		if (sa->cfg->settings.dpd_interval_s != 0)
			rg_timer_start(e->loop, &sa->t_dpd,
			    (uint64_t)sa->cfg->settings.dpd_interval_s * 1000);
	}
}

void
ikev1_hs_free(struct ikev1_isakmp *sa)
{
	if (sa->hs == NULL)
		return;
	rg_buf_free(sa->hs->sai_b);
	rg_buf_free(sa->hs->idi_b);
	ike_dh_free(sa->hs->dh);
	OPENSSL_cleanse(sa->hs, sizeof(*sa->hs));
	free(sa->hs);
	sa->hs = NULL;
}

void
ikev1_qm_free(struct ikev1_isakmp *sa)
{
	if (sa->qm == NULL)
		return;
	if (sa->qm->spi_in != 0)
		ike_spi_esp_release(sa->eng->spis, sa->qm->spi_in);
	rg_buf_free(sa->qm->gqm);
	OPENSSL_cleanse(sa->qm, sizeof(*sa->qm));
	free(sa->qm);
	sa->qm = NULL;
}

void
ikev1_sa_end(struct ikev1_isakmp *sa, enum sess_cause cause, const char *why)
{
	struct ikev1_engine	*e = sa->eng;

	if (sa->state == IKEV1_S_DEAD)
		return;
	if (sa->acall != NULL) {
		auth_cancel(sa->acall);
		sa->acall = NULL;
	}
	/* The session first: its final counters come from the children. */
	if (sa->sess != NULL) {
		struct sess *s = sa->sess;

		sess_end(s, cause, why);
		sa->sess = NULL;
	}
	ikev1_child_free_all(sa);
	ikev1_qm_free(sa);
	ikev1_sa_set_state(sa, IKEV1_S_DEAD, why);
	ikev1_req_clear(sa);
	rg_timer_stop(e->loop, &sa->t_dpd);
	rg_timer_stop(e->loop, &sa->t_push);
	rg_timer_stop(e->loop, &sa->t_child);
	/* Freed from the loop: we may be inside one of its handlers. */
	rg_timer_start(e->loop, &sa->t_life, 0);
}

void
ikev1_sa_free(struct ikev1_isakmp *sa)
{
	struct ikev1_engine	*e = sa->eng;
	struct ikev1_isakmp		**pp;

	if (sa->state != IKEV1_S_DEAD)
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "freed");
	rg_timer_stop(e->loop, &sa->t_life);
	rg_timer_stop(e->loop, &sa->t_retx);
	rg_timer_stop(e->loop, &sa->t_dpd);
	rg_timer_stop(e->loop, &sa->t_push);
	rg_timer_stop(e->loop, &sa->t_child);
	for (pp = &e->by_ckr[hslot(sa->ckr)]; *pp; pp = &(*pp)->hnext)
		if (*pp == sa) {
			*pp = sa->hnext;
			break;
		}
	for (pp = &e->by_cki[hslot(sa->cki)]; *pp; pp = &(*pp)->inext)
		if (*pp == sa) {
			*pp = sa->inext;
			break;
		}
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->all = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	e->nsa--;
	ike_spi_ike_release(e->spis, sa->ckr);
	ikev1_hs_free(sa);
	ikev1_req_clear(sa);
	ikev1_reasm_free(sa);
	rg_buf_free(sa->last_rx);
	rg_buf_free(sa->last_tx);
	ikev1_keys_wipe(&sa->keys);
	rg_config_unref(sa->cfg);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}
