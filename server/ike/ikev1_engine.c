/*
 * ikev1_engine.c: the IKEv1 engine's entry points (ikev1.h): creation and
 * reconfiguration, the input path (RFC 2408 header checks, cookie lookup,
 * retransmitted messages answered from the cache, main or (when the
 * setting ikev1_aggressive allows it) aggressive mode, decryption with
 * the IV
 * of the message's exchange, RFC 2409 Appendix B, dispatch by exchange)
 * and the output path (encryption, the answer cache, our requests with
 * retransmission).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "ike_sock.h"
#include "ikev1_int.h"

static uint8_t	*plainbuf;	/* loop thread only */
static void	 follow_peer(struct ikev1_isakmp *, const struct sockaddr *,
		    const struct sockaddr *, int);
static uint8_t	*outbuf;

struct ikev1_engine *
ikev1_engine_new(struct rg_loop *loop, struct rg_config *cfg, struct dp *dp,
    struct sess_reg *reg)
{
	struct ikev1_engine	*e;

	if (plainbuf == NULL && (plainbuf = malloc(IKEV1_MAX_MSG)) == NULL)
		return NULL;
	if (outbuf == NULL && (outbuf = malloc(IKEV1_MAX_MSG)) == NULL)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->spis = ike_spis_new()) == NULL) {
		free(e);
		return NULL;
	}
	e->loop = loop;
	e->dp = dp;
	e->sess = reg;
	e->next_reqid = IKEV1_REQID_BASE;
	e->send = ike_sock_send;
	if (ikev1_engine_reconfigure(e, cfg) < 0 ||
	    (e->own_auth = auth_new(loop, cfg, NULL, NULL)) == NULL) {
		ikev1_engine_free(e);
		return NULL;
	}
	e->auth = e->own_auth;
	return e;
}

void
ikev1_engine_set_send(struct ikev1_engine *e, ikev1_send_fn fn, void *arg)
{
	e->send = fn;
	e->send_arg = arg;
}

int
ikev1_engine_set_spis(struct ikev1_engine *e, struct ike_spis *spis)
{
	if (e->nsa != 0)
		return -1;
	ike_spis_unref(e->spis);
	e->spis = ike_spis_ref(spis);
	return 0;
}

void
ikev1_engine_set_auth(struct ikev1_engine *e, struct auth *a)
{
	e->auth = a != NULL ? a : e->own_auth;
}

static void
sock_input(void *arg, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	ikev1_engine_input(arg, pkt, len, from, to, fd);
}

void
ikev1_engine_attach(struct ikev1_engine *e, struct ike_sock *sock)
{
	ike_sock_set_handler(sock, IKE_V1, sock_input, e);
	ikev1_engine_set_send(e, ike_sock_send, sock);
}

int
ikev1_engine_reconfigure(struct ikev1_engine *e, struct rg_config *cfg)
{
	struct ike_pset	*ike, *esp;
	int		 rc = -1;

	ike = calloc(1, sizeof(*ike));
	esp = calloc(1, sizeof(*esp));
	if (ike == NULL || esp == NULL)
		goto out;
	if (ike_pset_load(cfg, IKE_P_IKE, ike) < 0 ||
	    ike_pset_load(cfg, IKE_P_ESP, esp) < 0) {
		rg_err(IKE, "IKEv1: no usable proposals in the configuration");
		goto out;
	}
	e->ike_set = *ike;
	e->esp_set = *esp;
	if (e->cfg != NULL)
		rg_config_unref(e->cfg);
	e->cfg = rg_config_ref(cfg);
	if (e->own_auth != NULL)
		auth_reconfigure(e->own_auth, cfg);
	rc = 0;
out:
	free(ike);
	free(esp);
	return rc;
}

void
ikev1_engine_shutdown(struct ikev1_engine *e)
{
	struct ikev1_isakmp	*sa, *n;

	for (sa = e->all; sa != NULL; sa = n) {
		n = sa->next;
		if (sa->state == IKEV1_S_DEAD)
			continue;
		if (sa->state >= IKEV1_S_XAUTH_REQ)
			ikev1_send_delete_isakmp(sa);
		ikev1_sa_end(sa, SESS_CAUSE_ADMIN_REBOOT, "shutdown");
	}
}

void
ikev1_engine_free(struct ikev1_engine *e)
{
	if (e == NULL)
		return;
	for (struct ikev1_isakmp *sa = e->all; sa != NULL; sa = sa->next)
		if (sa->state != IKEV1_S_DEAD)
			ikev1_sa_end(sa, SESS_CAUSE_ADMIN_REBOOT,
			    "engine freed");
	while (e->all != NULL)
		ikev1_sa_free(e->all);
	auth_free(e->own_auth);
	if (e->cfg != NULL)
		rg_config_unref(e->cfg);
	ike_spis_unref(e->spis);
	free(e);
}

size_t
ikev1_engine_sa_count(const struct ikev1_engine *e)
{
	return e->nsa;
}

json_t *
ikev1_engine_status_json(struct ikev1_engine *e)
{
	const struct ikev1_counters *c = &e->ctr;
	json_t	*o = json_object(), *k = json_object();

#define C(n)	json_object_set_new(k, #n, json_integer((json_int_t)c->n))
	C(rx); C(tx); C(malformed); C(decrypt_fail); C(bad_cookie);
	C(retransmits_answered); C(retransmits_busy); C(no_proposal);
	C(auth_fail); C(xauth_fail); C(established); C(halfopen_drop);
	C(bad_exch); C(bad_hash); C(children); C(deletes); C(dpd_answered);
	C(dpd_dead); C(refused_off); C(aggressive_refused);
#undef C
	json_object_set_new(o, "counters", k);
	json_object_set_new(o, "sas", json_integer((json_int_t)e->nsa));
	json_object_set_new(o, "halfopen",
	    json_integer((json_int_t)e->halfopen));
	return o;
}

/* --- output ---------------------------------------------------------- */

int
ikev1_send_plain(struct ikev1_isakmp *sa, const uint8_t *p, size_t len)
{
	if (sa->vid_frag && len > IKEV1_FRAG_SIZE &&
	    ikev1_frag_send(sa, p, len) == 0)
		return 0;
	sa->eng->ctr.tx++;
	return sa->eng->send(sa->eng->send_arg, sa->fd, p, len,
	    (const struct sockaddr *)&sa->local,
	    (const struct sockaddr *)&sa->peer);
}

void
ikev1_retx_cb(struct rg_timer *t)
{
	struct ikev1_isakmp	*sa = t->arg;

	if (sa->req == NULL || sa->state == IKEV1_S_DEAD)
		return;
	if (++sa->req_tries > IKEV1_RETX_TRIES) {
		ikev1_log(sa, NOTICE, "no answer to our request (message "
		    "ID %08x) after %u tries: peer gone", sa->req_msgid,
		    IKEV1_RETX_TRIES);
		sa->eng->ctr.dpd_dead++;
		ikev1_sa_end(sa, SESS_CAUSE_LOST_CARRIER, "peer not answering");
		return;
	}
	ikev1_send_plain(sa, sa->req->data, sa->req->len);
	rg_timer_start(sa->eng->loop, &sa->t_retx,
	    (uint64_t)IKEV1_RETX_MS << sa->req_tries);
}

void
ikev1_req_clear(struct ikev1_isakmp *sa)
{
	rg_buf_free(sa->req);
	sa->req = NULL;
	sa->req_tries = 0;
	rg_timer_stop(sa->eng->loop, &sa->t_retx);
}

int
ikev1_send_enc(struct ikev1_isakmp *sa, uint8_t exch, uint32_t msgid,
    struct ikev1_iv *iv, uint8_t first, const uint8_t *body, size_t len,
    enum ikev1_tx kind)
{
	struct rg_wr	 w;
	long		 n;

	rg_wr_init(&w, outbuf, IKEV1_MAX_MSG);
	rg_wr_bytes(&w, sa->ck_i, 8);
	rg_wr_bytes(&w, sa->ck_r, 8);
	rg_wr_u8(&w, first);
	rg_wr_u8(&w, IKEV1_VERSION);
	rg_wr_u8(&w, exch);
	rg_wr_u8(&w, IKEV1_FLAG_E);
	rg_wr_u32(&w, msgid);
	rg_wr_u32(&w, 0);
	if (w.err)
		return -1;
	n = ikev1_encrypt(&sa->keys, iv, body, len, outbuf + IKEV1_HDR_LEN,
	    IKEV1_MAX_MSG - IKEV1_HDR_LEN);
	if (n < 0)
		return -1;
	n += IKEV1_HDR_LEN;
	rg_put_u32(outbuf + 24, (uint32_t)n);
	if (kind == IKEV1_TX_RESPONSE) {
		rg_buf_free(sa->last_tx);
		sa->last_tx = rg_buf_dup(outbuf, (size_t)n);
	} else if (kind == IKEV1_TX_REQUEST) {
		ikev1_req_clear(sa);
		sa->req = rg_buf_dup(outbuf, (size_t)n);
		sa->req_msgid = msgid;
		rg_timer_start(sa->eng->loop, &sa->t_retx, IKEV1_RETX_MS);
	}
	return ikev1_send_plain(sa, outbuf, (size_t)n);
}

int
ikev1_hash_fill(struct ikev1_isakmp *sa, uint32_t msgid, const uint8_t *ni,
    size_t nilen, uint8_t *body, size_t len)
{
	size_t	 hl = sa->prf->out;

	if (len < 4 + hl)
		return -1;
	return ikev1_hash_msg(&sa->keys, msgid, ni, nilen, body + 4 + hl,
	    len - 4 - hl, body + 4);
}

bool
ikev1_hash_check(struct ikev1_isakmp *sa, uint32_t msgid, const uint8_t *ni,
    size_t nilen, const struct ikev1_msg *m)
{
	uint8_t		 want[IKEV1_PRF_MAX];
	size_t		 hl = sa->prf->out, restlen = 0;
	const uint8_t	*rest;

	/* The HASH must be the first payload (RFC 2409 5.5, 5.7); it
	 * covers every payload after it, not the cipher's padding. */
	if (m->npl == 0 || m->pl[0].type != IKEV1_PL_HASH ||
	    m->pl[0].len != hl)
		return false;
	rest = m->pl[0].body + hl;
	if (m->npl > 1)
		restlen = (size_t)(m->pl[m->npl - 1].body +
		    m->pl[m->npl - 1].len - rest);
	if (ikev1_hash_msg(&sa->keys, msgid, ni, nilen, rest, restlen,
	    want) < 0)
		return false;
	return CRYPTO_memcmp(want, m->pl[0].body, hl) == 0;
}

/* --- input ----------------------------------------------------------- */

/*
 * Is a decrypted message the client's?  Phase 1 proves it with HASH_I
 * (checked with its ID by the handler); every later exchange with the
 * HASH that leads it (RFC 2409 5.5, 5.7): HASH(3) for the last message
 * of a quick mode, prf(SKEYID_a, M-ID | rest) otherwise.  Checked before
 * anything changes: a forged message moves neither the IV, nor the
 * retransmission cache, nor the client's address.
 */
static bool
authentic(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	const struct ikev1_qm	*qm = sa->qm;
	uint8_t			 want[IKEV1_PRF_MAX];
	size_t			 hl = sa->prf->out;

	if (m->hdr.exch == IKEV1_EXCH_MAIN ||
	    m->hdr.exch == IKEV1_EXCH_AGGRESSIVE)
		return true;
	if (m->hdr.exch == IKEV1_EXCH_QUICK && qm != NULL &&
	    qm->msgid == m->hdr.msgid && qm->nrlen != 0)
		return m->npl >= 1 && m->pl[0].type == IKEV1_PL_HASH &&
		    m->pl[0].len == hl && ikev1_hash_qm3(&sa->keys,
		    qm->msgid, qm->ni, qm->nilen, qm->nr, qm->nrlen,
		    want) == 0 && CRYPTO_memcmp(want, m->pl[0].body, hl) == 0;
	return ikev1_hash_check(sa, m->hdr.msgid, NULL, 0, m);
}

void
ikev1_sa_follow(struct ikev1_isakmp *sa)
{
	struct ikev1_engine	*e = sa->eng;

	if (e->rx_from != NULL)
		follow_peer(sa, e->rx_from, e->rx_to, e->rx_fd);
}

static bool
same_bytes(const struct rg_buf *b, const uint8_t *p, size_t len)
{
	return b != NULL && b->len == len && memcmp(b->data, p, len) == 0;
}

/* The client moved to port 4500 (RFC 3947 4) or its NAT rebound: follow
 * it only from authenticated, decrypted messages. */
static void
follow_peer(struct ikev1_isakmp *sa, const struct sockaddr *from,
    const struct sockaddr *to, int fd)
{
	size_t	 fl = from->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	size_t	 tl = to->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (memcmp(&sa->peer, from, fl) == 0 && memcmp(&sa->local, to, tl) == 0)
		return;
	memset(&sa->peer, 0, sizeof(sa->peer));
	memcpy(&sa->peer, from, fl);
	memset(&sa->local, 0, sizeof(sa->local));
	memcpy(&sa->local, to, tl);
	sa->fd = fd;
}

void
ikev1_engine_input(struct ikev1_engine *e, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	static const uint8_t	 zero[8];
	struct ikev1_msg	 m;
	struct ikev1_isakmp		*sa;
	struct ikev1_iv		 iv, *chain = NULL;
	const char		*why = NULL;
	long			 n;

	e->ctr.rx++;
	if (ikev1_msg_decode(pkt, len, &m, &why) < 0) {
		e->ctr.malformed++;
		rg_debug(IKE, "IKEv1: malformed datagram dropped: %s", why);
		return;
	}
	if (m.hdr.np == IKEV1_PL_FRAG && !(m.hdr.flags & IKEV1_FLAG_E)) {
		ikev1_frag_input(e, &m, from, to, fd);
		return;
	}
	if (memcmp(m.hdr.ck_r, zero, 8) == 0) {
		if (m.hdr.msgid != 0 || (m.hdr.flags & IKEV1_FLAG_E)) {
			e->ctr.malformed++;
			return;
		}
		if ((sa = ikev1_sa_lookup_init(e, m.hdr.ck_i, from)) != NULL) {
			if (same_bytes(sa->last_rx, pkt, len) &&
			    sa->last_tx != NULL) {
				e->ctr.retransmits_answered++;
				ikev1_send_plain(sa, sa->last_tx->data,
				    sa->last_tx->len);
			}
			return;
		}
		if (e->cfg->settings.ikev1 != NULL &&
		    strcmp(e->cfg->settings.ikev1, "off") == 0) {
			e->ctr.refused_off++;
			rg_log_peer(RG_T_IKE, RG_L_NOTICE, from, 0, 0,
			    "IKEv1 %s request ignored: IKEv1 is off (setting "
			    "ikev1)", ikev1_exch_name(m.hdr.exch));
			return;
		}
		if (m.hdr.exch == IKEV1_EXCH_AGGRESSIVE &&
		    e->cfg->settings.ikev1_aggressive != NULL &&
		    strcmp(e->cfg->settings.ikev1_aggressive, "psk") == 0) {
			ikev1_aggr_r1(e, &m, from, to, fd);
			return;
		}
		if (m.hdr.exch == IKEV1_EXCH_AGGRESSIVE) {
			/* Aggressive mode with a PSK hands any listener a
			 * hash to crack offline: not answered unless the
			 * admin allowed it. */
			e->ctr.aggressive_refused++;
			rg_log_peer(RG_T_IKE, RG_L_NOTICE, from, 0, 0,
			    "IKEv1 aggressive mode refused (setting "
			    "ikev1_aggressive is off); use main mode, or "
			    "allow it with 'roadgatectl settings set "
			    "ikev1_aggressive psk'");
			return;
		}
		if (m.hdr.exch != IKEV1_EXCH_MAIN) {
			e->ctr.bad_exch++;
			return;
		}
		ikev1_main_r1(e, &m, from, to, fd);
		return;
	}
	if ((sa = ikev1_sa_lookup(e, m.hdr.ck_i, m.hdr.ck_r)) == NULL ||
	    sa->state == IKEV1_S_DEAD) {
		e->ctr.bad_cookie++;
		rg_debug(IKE, "IKEv1: %s for unknown cookies dropped",
		    ikev1_exch_name(m.hdr.exch));
		return;
	}
	if (same_bytes(sa->last_rx, pkt, len)) {
		if (sa->last_tx != NULL) {
			e->ctr.retransmits_answered++;
			ikev1_send_plain(sa, sa->last_tx->data,
			    sa->last_tx->len);
		} else {
			/* Its answer is being worked on (XAuth check). */
			e->ctr.retransmits_busy++;
		}
		return;
	}
	if (!(m.hdr.flags & IKEV1_FLAG_E)) {
		if (sa->state == IKEV1_S_MM_SA &&
		    m.hdr.exch == IKEV1_EXCH_MAIN) {
			rg_buf_free(sa->last_rx);
			sa->last_rx = rg_buf_dup(pkt, len);
			rg_buf_free(sa->last_tx);
			sa->last_tx = NULL;
			ikev1_main_input(sa, &m, &m);
			return;
		}
		if (sa->state == IKEV1_S_AM_SENT &&
		    m.hdr.exch == IKEV1_EXCH_AGGRESSIVE) {
			/* Message 3 in clear (allowed by RFC 2409 5.4's
			 * "HDR" without "*"; some clients send it so). */
			rg_buf_free(sa->last_rx);
			sa->last_rx = rg_buf_dup(pkt, len);
			rg_buf_free(sa->last_tx);
			sa->last_tx = NULL;
			e->rx_from = from;
			e->rx_to = to;
			e->rx_fd = fd;
			ikev1_aggr_input(sa, &m);
			e->rx_from = e->rx_to = NULL;
			return;
		}
		e->ctr.malformed++;
		return;
	}
	if (sa->state == IKEV1_S_MM_SA) {
		e->ctr.bad_exch++;
		return;
	}
	switch (m.hdr.exch) {
	case IKEV1_EXCH_MAIN:
		if (sa->state != IKEV1_S_MM_KE || m.hdr.msgid != 0) {
			e->ctr.bad_exch++;
			return;
		}
		chain = &sa->iv;
		break;
	case IKEV1_EXCH_AGGRESSIVE:
		if (sa->state != IKEV1_S_AM_SENT || m.hdr.msgid != 0) {
			e->ctr.bad_exch++;
			return;
		}
		chain = &sa->iv;
		break;
	case IKEV1_EXCH_TRANSACTION:
		if (sa->cfg_msgid != 0 && m.hdr.msgid == sa->cfg_msgid)
			chain = &sa->cfg_iv;
		break;
	case IKEV1_EXCH_QUICK:
		if (sa->qm != NULL && m.hdr.msgid == sa->qm->msgid)
			chain = &sa->qm->iv;
		break;
	case IKEV1_EXCH_INFORMATIONAL:
		break;
	default:
		e->ctr.bad_exch++;
		return;
	}
	if (sa->state == IKEV1_S_MM_KE && m.hdr.exch != IKEV1_EXCH_MAIN) {
		e->ctr.bad_exch++;
		return;
	}
	if (sa->state == IKEV1_S_AM_SENT &&
	    m.hdr.exch != IKEV1_EXCH_AGGRESSIVE) {
		e->ctr.bad_exch++;
		return;
	}
	if (m.hdr.msgid == 0 && m.hdr.exch != IKEV1_EXCH_MAIN &&
	    m.hdr.exch != IKEV1_EXCH_AGGRESSIVE) {
		e->ctr.malformed++;
		return;
	}
	if (chain != NULL)
		iv = *chain;
	else if (ikev1_iv_exchange(&sa->keys, &sa->iv, m.hdr.msgid, &iv) < 0)
		return;
	n = ikev1_decrypt(&sa->keys, &iv, m.body, m.bodylen, plainbuf,
	    IKEV1_MAX_MSG);
	if (n < 0 || ikev1_body_decode(&m, m.hdr.np, plainbuf, (size_t)n,
	    &why) < 0) {
		e->ctr.decrypt_fail++;
		if (m.hdr.exch == IKEV1_EXCH_MAIN && !sa->psk_warned) {
			/* Keys from another PSK decrypt message 5 into
			 * noise: the usual sign of a PSK mismatch. */
			sa->psk_warned = true;
			e->ctr.auth_fail++;
			ikev1_log(sa, WARN, "main mode message 5 does not "
			    "decrypt: the client's pre-shared key differs "
			    "from ours (the one for its address, else "
			    "'%%any')");
			return;
		}
		ikev1_log(sa, DEBUG, "%s message does not decrypt: %s",
		    ikev1_exch_name(m.hdr.exch), why ? why : "bad length");
		return;
	}
	if (!authentic(sa, &m)) {
		e->ctr.bad_hash++;
		ikev1_log(sa, INFO, "%s message whose HASH does not verify "
		    "dropped", ikev1_exch_name(m.hdr.exch));
		return;
	}
	/* Accepted: the IV moves on, the message is the one a
	 * retransmission repeats. */
	if (chain != NULL)
		*chain = iv;
	else if (m.hdr.exch == IKEV1_EXCH_TRANSACTION) {
		sa->cfg_msgid = m.hdr.msgid;
		sa->cfg_iv = iv;
	}
	rg_buf_free(sa->last_rx);
	sa->last_rx = rg_buf_dup(pkt, len);
	rg_buf_free(sa->last_tx);
	sa->last_tx = NULL;
	sa->last_rx_ms = rg_now_ms();
	sa->dpd_missed = 0;
	/* Phase 1 moves the SA only once HASH_I verified
	 * (ikev1_sa_follow()). */
	e->rx_from = from;
	e->rx_to = to;
	e->rx_fd = fd;
	if (m.hdr.exch == IKEV1_EXCH_MAIN ||
	    m.hdr.exch == IKEV1_EXCH_AGGRESSIVE) {
		if (m.hdr.exch == IKEV1_EXCH_MAIN)
			ikev1_main_input(sa, &m, &m);
		else
			ikev1_aggr_input(sa, &m);
		e->rx_from = e->rx_to = NULL;
		return;
	}
	/* Phase 2 and later: a NAT rebinding moves the SA (RFC 3947 4). */
	follow_peer(sa, from, to, fd);
	switch (m.hdr.exch) {
	case IKEV1_EXCH_TRANSACTION:
		ikev1_transaction_input(sa, &m);
		break;
	case IKEV1_EXCH_QUICK:
		if (sa->qm == NULL || sa->qm->msgid != m.hdr.msgid) {
			/* A new quick mode: its IV chain starts here. */
			ikev1_qm_free(sa);
			if ((sa->qm = calloc(1, sizeof(*sa->qm))) == NULL)
				return;
			sa->qm->msgid = m.hdr.msgid;
			sa->qm->iv = iv;
		}
		ikev1_quick_input(sa, &m);
		break;
	case IKEV1_EXCH_INFORMATIONAL:
		ikev1_info_input(sa, &m);
		break;
	}
}
