/*
 * ikev2_engine.c: the IKEv2 engine's entry points (ikev2.h): creation and
 * reconfiguration, the input path (RFC 7296 2.1-2.3: header checks, SPI
 * lookup, message-ID window, retransmitted requests answered from the
 * cache, SK/SKF decryption, dispatch by exchange) and the output path
 * (SK protection, response cache, our requests with retransmission).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "eap.h"
#include "ike_sock.h"
#include "ikev2_int.h"

static uint8_t	*plainbuf;	/* loop thread only */

struct ikev2_engine *
ikev2_engine_new(struct rg_loop *loop, struct rg_config *cfg, struct dp *dp,
    struct sess_reg *reg)
{
	struct ikev2_engine	*e;

	if (plainbuf == NULL && (plainbuf = malloc(IKEV2_MAX_MSG)) == NULL)
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
	e->next_reqid = 1;
	e->frag_budget = IKEV2_FRAG_BUDGET_ALL;
	if (ike_random(e->cookie_secret, sizeof(e->cookie_secret)) < 0) {
		ike_spis_unref(e->spis);
		free(e);
		return NULL;
	}
	e->send = ike_sock_send;
	if (ikev2_engine_reconfigure(e, cfg) < 0 ||
	    (e->own_auth = auth_new(loop, cfg, NULL, NULL)) == NULL) {
		ikev2_engine_free(e);
		return NULL;
	}
	e->auth = e->own_auth;
	return e;
}

void
ikev2_engine_set_auth(struct ikev2_engine *e, struct auth *a)
{
	e->auth = a != NULL ? a : e->own_auth;
}

void
ikev2_engine_set_send(struct ikev2_engine *e, ikev2_send_fn fn, void *arg)
{
	e->send = fn;
	e->send_arg = arg;
}

static void
sock_input(void *arg, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	ikev2_engine_input(arg, pkt, len, from, to, fd);
}

void
ikev2_engine_attach(struct ikev2_engine *e, struct ike_sock *sock)
{
	ike_sock_set_handler(sock, IKE_V2, sock_input, e);
	ikev2_engine_set_send(e, ike_sock_send, sock);
}

int
ikev2_engine_reconfigure(struct ikev2_engine *e, struct rg_config *cfg)
{
	struct ikev2_pset	*ike, *esp;
	int			 rc = -1;

	ike = calloc(1, sizeof(*ike));
	esp = calloc(1, sizeof(*esp));
	if (ike == NULL || esp == NULL)
		goto out;
	if (ikev2_pset_load(cfg, IKEV2_PROTO_IKE, ike) < 0 ||
	    ikev2_pset_load(cfg, IKEV2_PROTO_ESP, esp) < 0) {
		rg_err(IKE, "no usable proposals in the configuration");
		goto out;
	}
	if (ikev2_cert_load(cfg) < 0)
		rg_warn(IKE, "certificates not loaded; certificate and EAP "
		    "authentication unavailable");
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
ikev2_engine_shutdown(struct ikev2_engine *e)
{
	struct ikev2_sa	*sa, *n;

	for (sa = e->all; sa != NULL; sa = n) {
		n = sa->next;
		if (sa->state == IKEV2_S_ESTABLISHED)
			ikev2_send_delete_ike(sa);
		ikev2_sa_end(sa, SESS_CAUSE_ADMIN_REBOOT, "shutdown");
	}
}

void
ikev2_engine_free(struct ikev2_engine *e)
{
	if (e == NULL)
		return;
	/* Every SA ended before any is freed: ending an SA follows its
	 * pointer to the new SA of our IKE rekey (rekey_new), which sits
	 * before it in the list. */
	for (struct ikev2_sa *sa = e->all; sa != NULL; sa = sa->next)
		if (sa->state != IKEV2_S_DEAD)
			ikev2_sa_end(sa, SESS_CAUSE_ADMIN_REBOOT,
			    "engine freed");
	while (e->all != NULL)
		ikev2_sa_free(e->all);
	auth_free(e->own_auth);		/* after the SAs: nothing pends */
	if (e->cfg != NULL)
		rg_config_unref(e->cfg);
	ike_spis_unref(e->spis);
	OPENSSL_cleanse(e->cookie_secret, sizeof(e->cookie_secret));
	free(e);
}

int
ikev2_engine_set_spis(struct ikev2_engine *e, struct ike_spis *spis)
{
	/* Only before the first SA: the old table holds their SPIs. */
	if (e->nsa != 0)
		return -1;
	ike_spis_unref(e->spis);
	e->spis = ike_spis_ref(spis);
	return 0;
}

size_t
ikev2_engine_sa_count(const struct ikev2_engine *e)
{
	return e->nsa;
}

int
ikev2_engine_reqid_info(struct ikev2_engine *e, uint32_t reqid,
    struct ikev2_session_ref *out)
{
	struct ikev2_sa		*sa;
	struct ikev2_child	*ch;

	for (sa = e->all; sa != NULL; sa = sa->next) {
		if (sa->state != IKEV2_S_ESTABLISHED)
			continue;
		for (ch = sa->children; ch != NULL; ch = ch->next)
			if (ch->reqid == reqid)
				break;
		if (ch == NULL)
			continue;
		memset(out, 0, sizeof(*out));
		out->session_id = sa->session_id;
		snprintf(out->user, sizeof(out->user), "%s", sa->user);
		snprintf(out->profile, sizeof(out->profile), "%s",
		    sa->profile);
		out->vip = sa->vip;
		out->local = sa->local;
		return 0;
	}
	return -1;
}

int
ikev2_engine_kill_session(struct ikev2_engine *e, uint64_t session_id,
    const char *why)
{
	struct ikev2_sa	*sa;

	for (sa = e->all; sa != NULL; sa = sa->next)
		if (sa->state == IKEV2_S_ESTABLISHED &&
		    sa->session_id == session_id)
			break;
	return ikev2_sa_kill(sa, SESS_CAUSE_ADMIN_RESET, why);
}

int
ikev2_send_raw(struct ikev2_sa *sa, const uint8_t *p, size_t len)
{
	const struct ikev2_path	*to = NULL;

	if (sa->rr != NULL)
		to = &sa->rr->to;
	sa->eng->ctr.tx++;
	if (to != NULL)
		return sa->eng->send(sa->eng->send_arg, to->fd, p, len,
		    (const struct sockaddr *)&to->local,
		    (const struct sockaddr *)&to->peer);
	return sa->eng->send(sa->eng->send_arg, sa->fd, p, len,
	    (struct sockaddr *)&sa->local, (struct sockaddr *)&sa->peer);
}

/* RFC 7296 2.11: a response goes to the address and port its request
 * came from, from the address it was sent to. */
static void
send_resp(struct ikev2_sa *sa, const uint8_t *p, size_t len)
{
	const struct ikev2_path	*to = sa->rsp;

	sa->eng->ctr.tx++;
	if (to != NULL)
		sa->eng->send(sa->eng->send_arg, to->fd, p, len,
		    (const struct sockaddr *)&to->local,
		    (const struct sockaddr *)&to->peer);
	else
		sa->eng->send(sa->eng->send_arg, sa->fd, p, len,
		    (struct sockaddr *)&sa->local,
		    (struct sockaddr *)&sa->peer);
}

void
ikev2_send_notify_plain(struct ikev2_engine *e, const struct ikev2_hdr *rq,
    uint16_t type, const uint8_t *data, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	uint8_t			 buf[512];
	struct ikev2_enc	 enc;
	struct ikev2_hdr	 h = *rq;
	long			 n;

	h.spi_r = 0;
	h.flags = IKEV2_FLAG_R;
	ikev2_enc_init(&enc, buf, sizeof(buf), &h);
	ikev2_put_notify(&enc, 0, NULL, 0, type, data, len);
	if ((n = ikev2_enc_finish(&enc)) < 0)
		return;
	e->ctr.tx++;
	e->send(e->send_arg, fd, buf, (size_t)n, to, from);
}

static void
free_bufs(struct rg_buf **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		rg_buf_free(v[i]);
		v[i] = NULL;
	}
	*n = 0;
}

/* Protect inner under hdr, fragmenting when needed. */
static int
seal(struct ikev2_sa *sa, const struct ikev2_hdr *h,
    const struct ikev2_enc *inner, struct rg_buf **out, size_t *nout)
{
	const struct ikev2_sk_dir *d = sa->initiator ? &sa->keys.i2r :
	    &sa->keys.r2i;
	size_t		 ilen = inner->w.len, cap;
	struct rg_buf	*b;
	struct ikev2_enc enc;
	long		 n;

	*nout = 0;
	if (inner->w.err)
		return -1;
	cap = IKEV2_HDR_LEN + 4 + ilen + ikev2_sk_overhead(d, ilen);
	if (cap > IKEV2_FRAG_MTU && sa->frag_ok &&
	    h->exch != IKEV2_EXCH_IKE_SA_INIT)
		return ikev2_frag_seal(sa, d, h, inner->first, inner->w.base,
		    ilen, out, nout);
	if ((b = rg_buf_new(cap)) == NULL)
		return -1;
	ikev2_enc_init(&enc, b->data, b->len, h);
	ikev2_pl_begin(&enc, IKEV2_PL_SK);
	if (enc.w.err) {
		rg_buf_free(b);
		return -1;
	}
	b->data[IKEV2_HDR_LEN] = inner->first;
	n = ikev2_sk_seal(d, b->data, b->len, enc.w.len, IKEV2_HDR_LEN,
	    inner->w.base, ilen);
	if (n < 0) {
		rg_buf_free(b);
		return -1;
	}
	b->len = (size_t)n;
	out[0] = b;
	*nout = 1;
	return 0;
}

int
ikev2_send_sk(struct ikev2_sa *sa, uint8_t exch, bool response,
    uint32_t msgid, const struct ikev2_enc *inner)
{
	struct ikev2_hdr	 h;
	struct rg_buf		*out[IKEV2_MAX_FRAGS];
	size_t			 n;

	memset(&h, 0, sizeof(h));
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.exch = exch;
	h.flags = (sa->initiator ? IKEV2_FLAG_I : 0) |
	    (response ? IKEV2_FLAG_R : 0);
	h.msgid = msgid;
	if (seal(sa, &h, inner, out, &n) < 0) {
		ikev2_log(sa, ERROR, "cannot build %s %s", ikev2_exch_name(exch),
		    response ? "response" : "request");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (response)
			send_resp(sa, out[i]->data, out[i]->len);
		else
			ikev2_send_raw(sa, out[i]->data, out[i]->len);
	}
	if (response) {
		free_bufs(sa->resp, &sa->nresp);
		memcpy(sa->resp, out, n * sizeof(out[0]));
		sa->nresp = n;
		sa->resp_msgid = msgid;
		sa->resp_valid = true;
	} else {
		free_bufs(sa->req, &sa->nreq);
		memcpy(sa->req, out, n * sizeof(out[0]));
		sa->nreq = n;
	}
	return 0;
}

static void
retx_cb(struct rg_timer *t)
{
	struct ikev2_sa	*sa = t->arg;
	uint32_t	 limit = sa->cfg->settings.dpd_timeout_s ?
	    sa->cfg->settings.dpd_timeout_s : 150;
	uint64_t	 delay;

	if (sa->nreq == 0)
		return;
	if (rg_now_ms() - sa->req_first_ms >= (uint64_t)limit * 1000) {
		ikev2_log(sa, NOTICE, "no answer to our request for %us: "
		    "peer dead", limit);
		sa->eng->ctr.dpd_dead++;
		ikev2_sa_end(sa, SESS_CAUSE_LOST_CARRIER,
		    "peer did not answer");
		return;
	}
	for (size_t i = 0; i < sa->nreq; i++)
		ikev2_send_raw(sa, sa->req[i]->data, sa->req[i]->len);
	sa->req_tries++;
	delay = 2000;
	for (unsigned int i = 0; i < sa->req_tries && delay < 60000; i++)
		delay = delay * 18 / 10;
	rg_timer_start(sa->eng->loop, &sa->t_retx, delay);
}

int
ikev2_send_request(struct ikev2_sa *sa, uint8_t exch,
    const struct ikev2_enc *inner, enum ikev2_req_kind kind, uint32_t arg)
{
	if (sa->nreq != 0)
		return -1;	/* window of one */
	if (ikev2_send_sk(sa, exch, false, sa->tx_msgid, inner) < 0)
		return -1;
	sa->tx_msgid++;
	sa->req_kind = kind;
	sa->req_exch = exch;
	sa->req_arg = arg;
	sa->req_tries = 0;
	sa->req_first_ms = rg_now_ms();
	rg_timer_init(&sa->t_retx, retx_cb, sa);
	rg_timer_start(sa->eng->loop, &sa->t_retx, 2000);
	return 0;
}

void
ikev2_req_clear(struct ikev2_sa *sa)
{
	free_bufs(sa->req, &sa->nreq);
	rg_timer_stop(sa->eng->loop, &sa->t_retx);
}

void
ikev2_sa_cache_clear(struct ikev2_sa *sa)
{
	free_bufs(sa->resp, &sa->nresp);
	free_bufs(sa->req, &sa->nreq);
	sa->resp_valid = false;
}

static socklen_t
sa_len(const struct sockaddr *s)
{
	return s->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	return a->ss_family == b->sa_family && memcmp(a, b, sa_len(b)) == 0;
}

static bool
same_ip(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
	    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
}

static uint16_t
port_of(const struct sockaddr *s)
{
	return ntohs(s->sa_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)s)->sin6_port :
	    ((const struct sockaddr_in *)s)->sin_port);
}

static void
path_set(struct ikev2_path *p, const struct sockaddr *from,
    const struct sockaddr *to, int fd)
{
	memset(p, 0, sizeof(*p));
	memcpy(&p->peer, from, sa_len(from));
	memcpy(&p->local, to, sa_len(to));
	p->fd = fd;
}

static bool
on_path(const struct ikev2_sa *sa, const struct ikev2_path *p)
{
	return same_addr(&sa->peer, (const struct sockaddr *)&p->peer) &&
	    same_addr(&sa->local, (const struct sockaddr *)&p->local) &&
	    sa->fd == p->fd;
}

unsigned int
ikev2_sa_move(struct ikev2_sa *sa, const struct ikev2_path *p, bool encap)
{
	unsigned int	 n = 0;

	memcpy(&sa->peer, &p->peer, sizeof(sa->peer));
	memcpy(&sa->local, &p->local, sizeof(sa->local));
	sa->fd = p->fd;
	if (sa->eng->dp != NULL)
		for (struct ikev2_child *c = sa->children; c; c = c->next)
			if (c->installed && dp_sa_update_addrs(sa->eng->dp,
			    c->reqid, (struct sockaddr *)&sa->local,
			    (struct sockaddr *)&sa->peer, encap) == 0)
				n++;
	return n;
}

/*
 * An authenticated request (its message ID the next one: higher than any
 * seen) came on path rx.  The SA follows it only where an RFC says so:
 * a peer behind a NAT whose mapping changed (RFC 7296 2.23; not with
 * MOBIKE, RFC 4555 3.5, where UPDATE_SA_ADDRESSES moves it), or the
 * initiator moving to port 4500 during IKE_AUTH (RFC 7296 2.23, RFC 4555
 * 3.3).  Anything else is answered where it came from and changes
 * nothing: an authenticated peer must not point our traffic (ESP
 * included) at an address of its choice.
 */
static void
follow_peer(struct ikev2_sa *sa, const struct ikev2_path *rx)
{
	const struct sockaddr *from = (const struct sockaddr *)&rx->peer;
	const struct sockaddr *to = (const struct sockaddr *)&rx->local;
	bool		 handshake = sa->state == IKEV2_S_INIT_DONE ||
			    sa->state == IKEV2_S_EAP;
	char		 a[64], b[64];
	bool		 encap;

	if (on_path(sa, rx))
		return;
	if (sa->nat_peer && !sa->mobike) {
		if (!handshake)
			ikev2_log(sa, INFO, "NAT mapping changed: peer now at "
			    "%s (local %s)", rg_sa_str(from, a, sizeof(a)),
			    rg_sa_str(to, b, sizeof(b)));
	} else if (handshake && same_ip(&sa->peer, from) &&
	    port_of((const struct sockaddr *)&sa->local) == 500 &&
	    port_of(to) == 4500) {
		/* the float to 4500 */
	} else {
		sa->eng->ctr.addr_kept++;
		ikev2_log(sa, DEBUG, "request from %s answered there; the SA "
		    "stays (%s)", rg_sa_str(from, a, sizeof(a)), sa->mobike ?
		    "MOBIKE: only UPDATE_SA_ADDRESSES moves it" :
		    "no NAT detected for the peer");
		return;
	}
	/* a source port other than 500/4500 means a NAT rewrote it */
	encap = sa->nat_peer || sa->nat_local ||
	    (port_of(from) != 500 && port_of(from) != 4500);
	ikev2_sa_move(sa, rx, encap);
}

/* Where the response to the request on rx goes (RFC 7296 2.11). */
static void
reply_path(struct ikev2_sa *sa, const struct ikev2_path *rx)
{
	if (on_path(sa, rx)) {
		free(sa->rsp);
		sa->rsp = NULL;
		return;
	}
	if (sa->rsp == NULL && (sa->rsp = malloc(sizeof(*sa->rsp))) == NULL)
		return;		/* answered on the SA's path */
	*sa->rsp = *rx;
}

static bool
critical_unknown(const struct ikev2_msg *m, uint8_t *type)
{
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev2_pl *p = &m->pl[i];

		if (p->critical && strcmp(ikev2_payload_name(p->type),
		    "UNKNOWN") == 0) {
			*type = p->type;
			return true;
		}
	}
	return false;
}

static void
dispatch(struct ikev2_sa *sa, const struct ikev2_msg *m, bool req,
    const struct ikev2_path *rx)
{
	uint8_t	 t;

	if (req && critical_unknown(m, &t)) {
		struct ikev2_enc enc;
		uint8_t	 buf[64];

		ikev2_enc_inner(&enc, buf, sizeof(buf));
		ikev2_put_notify(&enc, 0, NULL, 0,
		    IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
		ikev2_send_sk(sa, m->hdr.exch, true, m->hdr.msgid, &enc);
		return;
	}
	switch (m->hdr.exch) {
	case IKEV2_EXCH_IKE_AUTH:
		if (req)
			ikev2_auth_request(sa, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (req)
			ikev2_create_child_request(sa, m);
		else if (sa->req_kind == IKEV2_REQ_IKE_REKEY)
			ikev2_ike_rekey_response(sa, m);
		else
			ikev2_child_rekey_response(sa, m);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (req)
			ikev2_info_request(sa, m, rx);
		else
			ikev2_info_response(sa, m, rx);
		break;
	default:
		sa->eng->ctr.malformed++;
		ikev2_log(sa, DEBUG, "exchange %u ignored", m->hdr.exch);
	}
}

void
ikev2_engine_input(struct ikev2_engine *e, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	struct ikev2_msg	*m;
	struct ikev2_sa		*sa;
	const struct ikev2_pl	*sk;
	const struct ikev2_sk_dir *d;
	struct ikev2_path	 rx;
	uint64_t		 local;
	bool			 req;
	long			 n;
	size_t			 pn;
	uint8_t			 np;

	e->ctr.rx++;
	if ((m = malloc(sizeof(*m))) == NULL)
		return;
	if (ikev2_msg_decode(pkt, len, m) < 0) {
		e->ctr.malformed++;
		rg_debug(IKE, "malformed IKE message (%zu bytes) dropped", len);
		goto out;
	}
	req = (m->hdr.flags & IKEV2_FLAG_R) == 0;
	if (m->hdr.exch == IKEV2_EXCH_IKE_SA_INIT) {
		if (req && m->hdr.msgid == 0)
			ikev2_init_request(e, m, from, to, fd);
		goto out;
	}
	local = (m->hdr.flags & IKEV2_FLAG_I) ? m->hdr.spi_r : m->hdr.spi_i;
	sa = ikev2_sa_lookup(e, local);
	if (sa == NULL || sa->spi_i != m->hdr.spi_i ||
	    sa->spi_r != m->hdr.spi_r || sa->state == IKEV2_S_DEAD) {
		e->ctr.bad_spi++;
		rg_debug(IKE, "message for unknown IKE SA %016llx/%016llx",
		    (unsigned long long)m->hdr.spi_i,
		    (unsigned long long)m->hdr.spi_r);
		goto out;
	}
	if (req) {
		if (sa->busy) {
			/* Busy while pending: the answer goes out once,
			 * from the completion; window 1 allows no other. */
			if (m->hdr.msgid == sa->busy_msgid)
				e->ctr.retransmits_busy++;
			else
				e->ctr.bad_msgid++;
			ikev2_log(sa, DEBUG, "request %u dropped: the answer "
			    "to %u is pending", m->hdr.msgid, sa->busy_msgid);
			goto out;
		}
		if (sa->resp_valid && m->hdr.msgid == sa->resp_msgid &&
		    m->hdr.msgid + 1 == sa->rx_msgid) {
			/* RFC 7296 2.1: answer from the cache, never twice. */
			e->ctr.retransmits_answered++;
			ikev2_log(sa, DEBUG, "retransmitted request %u "
			    "answered from cache", m->hdr.msgid);
			if (m->sk_idx >= 0 && m->pl[m->sk_idx].type ==
			    IKEV2_PL_SKF) {
				struct rg_rd r;
				struct ikev2_skf f;

				rg_rd_init(&r, m->pl[m->sk_idx].body,
				    m->pl[m->sk_idx].len);
				if (ikev2_skf_decode(&r, &f) < 0 || f.num != 1)
					goto out;
			}
			/* To where the first copy came from. */
			for (size_t i = 0; i < sa->nresp; i++)
				send_resp(sa, sa->resp[i]->data,
				    sa->resp[i]->len);
			goto out;
		}
		if (m->hdr.msgid != sa->rx_msgid) {
			e->ctr.bad_msgid++;
			ikev2_log(sa, DEBUG, "request %u outside the window "
			    "(expect %u)", m->hdr.msgid, sa->rx_msgid);
			goto out;
		}
	} else if (sa->nreq == 0 || m->hdr.msgid + 1 != sa->tx_msgid) {
		e->ctr.bad_msgid++;
		goto out;
	} else if (m->hdr.exch != sa->req_exch) {
		/* RFC 7296 2.2: a response belongs to our request by message
		 * ID and exchange; one of another exchange would clear our
		 * request without answering it (an IKE rekey left with its
		 * new SA dangling). */
		e->ctr.bad_exch++;
		ikev2_log(sa, DEBUG, "%s response to our %s request %u "
		    "dropped", ikev2_exch_name(m->hdr.exch),
		    ikev2_exch_name(sa->req_exch), m->hdr.msgid);
		goto out;
	}
	if (m->sk_idx < 0) {
		e->ctr.malformed++;
		ikev2_log(sa, DEBUG, "unprotected %s dropped",
		    ikev2_exch_name(m->hdr.exch));
		goto out;
	}
	sk = &m->pl[m->sk_idx];
	d = sa->initiator ? &sa->keys.r2i : &sa->keys.i2r;
	if (sk->type == IKEV2_PL_SKF) {
		int	 r = ikev2_frag_input(sa, m, plainbuf, IKEV2_MAX_MSG,
		    &pn, &np);

		if (r <= 0) {
			if (r < 0)
				e->ctr.decrypt_fail++;
			goto out;
		}
		n = (long)pn;
	} else {
		n = ikev2_sk_open(d, pkt, len, (size_t)(sk->body - pkt),
		    plainbuf, IKEV2_MAX_MSG);
		np = m->sk_np;
		if (n < 0) {
			e->ctr.decrypt_fail++;
			ikev2_log(sa, DEBUG, "%s: integrity check failed",
			    ikev2_exch_name(m->hdr.exch));
			goto out;
		}
	}
	if (ikev2_chain_decode(m, np, plainbuf, (size_t)n) < 0) {
		e->ctr.malformed++;
		ikev2_log(sa, DEBUG, "malformed protected payloads");
		goto out;
	}
	path_set(&rx, from, to, fd);
	if (req) {
		sa->rx_msgid = m->hdr.msgid + 1;
		follow_peer(sa, &rx);
		reply_path(sa, &rx);
	} else {
		ikev2_req_clear(sa);
	}
	ikev2_sa_touch(sa);
	dispatch(sa, m, req, &rx);
	if (!req)
		ikev2_mobike_rr_next(sa);
out:
	free(m);
}

json_t *
ikev2_engine_status_json(struct ikev2_engine *e)
{
	json_t	*root = json_object(), *arr = json_array(), *c;
	uint64_t now = rg_now_ms();

	for (struct ikev2_sa *sa = e->all; sa != NULL; sa = sa->next) {
		json_t	*s;
		char	 buf[128], spi[20];
		uint64_t bin = 0, bout = 0;

		if (sa->state != IKEV2_S_ESTABLISHED)
			continue;
		s = json_object();
		json_object_set_new(s, "session_id",
		    json_integer((json_int_t)sa->session_id));
		json_object_set_new(s, "user", json_string(sa->user));
		json_object_set_new(s, "auth", json_string(sa->auth_method));
		json_object_set_new(s, "profile", json_string(sa->profile));
		json_object_set_new(s, "peer", json_string(rg_sa_str(
		    (struct sockaddr *)&sa->peer, buf, sizeof(buf))));
		if (sa->vip.af != 0)
			json_object_set_new(s, "vip", json_string(
			    rg_addr_str(&sa->vip, buf, sizeof(buf))));
		snprintf(spi, sizeof(spi), "%016llx",
		    (unsigned long long)sa->spi_i);
		json_object_set_new(s, "spi_i", json_string(spi));
		snprintf(spi, sizeof(spi), "%016llx",
		    (unsigned long long)sa->spi_r);
		json_object_set_new(s, "spi_r", json_string(spi));
		ikev2_chosen_str(&sa->alg, buf, sizeof(buf));
		json_object_set_new(s, "ike", json_string(buf));
		if (sa->children != NULL) {
			ikev2_chosen_str(&sa->children->alg, buf, sizeof(buf));
			json_object_set_new(s, "esp", json_string(buf));
		}
		for (struct ikev2_child *ch = sa->children; ch; ch = ch->next) {
			struct dp_counters k;

			if (e->dp == NULL || !ch->installed)
				continue;
			if (dp_sa_counters(e->dp, ch->spi_in, true, &k) == 0)
				bin += k.bytes;
			if (dp_sa_counters(e->dp, ch->spi_out, false, &k) == 0)
				bout += k.bytes;
		}
		json_object_set_new(s, "bytes_in", json_integer((json_int_t)bin));
		json_object_set_new(s, "bytes_out",
		    json_integer((json_int_t)bout));
		json_object_set_new(s, "uptime_s", json_integer(
		    (json_int_t)((now - sa->established_ms) / 1000)));
		json_array_append_new(arr, s);
	}
	json_object_set_new(root, "sessions", arr);
	c = json_object();
#define C(n)	json_object_set_new(c, #n, json_integer((json_int_t)e->ctr.n))
	C(rx); C(tx); C(malformed); C(decrypt_fail); C(bad_spi); C(bad_msgid);
	C(retransmits_answered); C(no_proposal); C(auth_fail); C(established);
	C(cookies_sent); C(invalid_ke); C(halfopen_drop); C(ts_unacceptable);
	C(dpd_dead); C(bad_exch); C(frag_drop); C(frag_expired);
	C(addr_kept); C(retransmits_busy); C(child_limit);
	C(child_superseded); C(session_limit);
#undef C
	json_object_set_new(c, "ike_sas", json_integer((json_int_t)e->nsa));
	json_object_set_new(c, "half_open", json_integer((json_int_t)e->halfopen));
	json_object_set_new(root, "counters", c);
	return root;
}
