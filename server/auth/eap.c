/*
 * eap.c: the EAP server session (RFC 3748): packet codec (section 4),
 * Identifier tracking (4.1), the Identity round first (5.1), method
 * selection with Nak (5.3.1), a bound on rounds, and Success/Failure
 * (4.2).  Methods plug in through struct eap_method (eap_int.h).
 *
 * A response that is malformed, not a Response, or carries the wrong
 * Identifier is dropped (RFC 3748 4.1 says discard); since IKE must
 * answer every IKE_AUTH request, we answer with the outstanding request
 * again, and give up after a few of those.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "eap_int.h"
#include "rg_log.h"

#define EAP_MAX_ROUNDS	64	/* TLS with a big chain needs ~20 */
#define EAP_MAX_BAD	4	/* dropped responses before giving up */
#define EAP_MAX_METHODS	4

enum eap_state {
	EAP_S_IDENTITY,		/* Request/Identity sent */
	EAP_S_METHOD,		/* a method runs */
	EAP_S_PENDING,		/* the method waits for auth_check() */
	EAP_S_DONE,		/* Success or Failure sent */
};

struct eap_session {
	struct rg_config	*cfg;		/* counted reference */
	char			*peer;		/* owned; for logs */
	enum eap_state		 state;
	uint8_t			 id;		/* of the outstanding request */
	struct rg_buf		*last_req;	/* owned */
	char			*identity;	/* owned, sanitised */
	const struct eap_method	*allowed[EAP_MAX_METHODS];
	size_t			 nallowed;
	unsigned int		 tried;		/* bitmask over allowed[] */
	const struct eap_method	*m;		/* running method */
	void			*mstate;	/* owned by m */
	unsigned int		 mrounds;	/* responses to this method */
	char			*user;		/* owned */
	struct rg_buf		*msk;		/* owned; wiped on free */
	char			 error[256];
	unsigned int		 rounds, bad;
	uint64_t		 dropped;	/* malformed responses */
	struct auth		*auth;		/* borrowed, may be NULL */
	struct sockaddr_storage	 peer_addr;	/* family 0: unknown */
	eap_done_fn		 done;
	void			*done_arg;
	bool			 answered;	/* resume() has a result */
	enum eap_result		 ans_res;
	struct rg_buf		*ans_out;	/* owned until resume() */
	struct auth_result	*result;	/* owned: the outcome */
};

static const struct eap_method	*const all_methods[] = {
	&eap_method_mschapv2,
	&eap_method_tls,
};

const char *
eap_type_name(unsigned int t)
{
	switch (t) {
#define X(id, val, name)	case val: return name;
	EAP_TYPE_LIST(X)
#undef X
	}
	return "unknown";
}

int
eap_pkt_decode(const uint8_t *in, size_t len, struct eap_pkt *p)
{
	struct rg_rd	 r, rest;

	memset(p, 0, sizeof(*p));
	rg_rd_init(&r, in, len);
	rg_rd_u8(&r, &p->code);
	rg_rd_u8(&r, &p->id);
	rg_rd_u16(&r, &p->len);
	if (r.err || p->len != len || p->code < EAP_CODE_REQUEST ||
	    p->code > EAP_CODE_FAILURE)
		return -1;
	if (p->code == EAP_CODE_SUCCESS || p->code == EAP_CODE_FAILURE)
		return p->len == EAP_HDR_LEN ? 0 : -1;	/* RFC 3748 4.2 */
	if (rg_rd_u8(&r, &p->type) < 0)
		return -1;
	rest = rg_rd_rest(&r);
	p->dlen = rg_rd_left(&rest);
	p->data = rest.cur;
	return 0;
}

struct rg_buf *
eap_pkt_encode(uint8_t code, uint8_t id, uint8_t type, const uint8_t *data,
    size_t dlen)
{
	struct rg_buf	*b;
	struct rg_wr	 w;
	size_t		 n;

	n = (code == EAP_CODE_SUCCESS || code == EAP_CODE_FAILURE) ?
	    EAP_HDR_LEN : EAP_HDR_LEN + 1 + dlen;
	if (n > 0xffff || (b = rg_buf_new(n)) == NULL)
		return NULL;
	rg_wr_init(&w, b->data, b->len);
	rg_wr_u8(&w, code);
	rg_wr_u8(&w, id);
	rg_wr_u16(&w, (uint16_t)n);
	if (n > EAP_HDR_LEN) {
		rg_wr_u8(&w, type);
		if (dlen)
			rg_wr_bytes(&w, data, dlen);
	}
	if (w.err) {
		rg_buf_free(b);
		return NULL;
	}
	return b;
}

void
eap_sanitize(char *out, size_t cap, const uint8_t *name, size_t len)
{
	size_t	 i;

	if (cap == 0)
		return;
	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? (char)name[i] :
		    '?';
	out[i] = '\0';
}

/* "mschapv2", "tls", "any", or a comma list in order of preference. */
static int
parse_methods(struct eap_session *s, const char *spec)
{
	char		 buf[128], *tok, *save = NULL;
	size_t		 i;

	if (spec == NULL || *spec == '\0' || strcmp(spec, "any") == 0)
		spec = "mschapv2,tls";
	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ", ", &save); tok;
	    tok = strtok_r(NULL, ", ", &save)) {
		const struct eap_method	*m = NULL;

		for (i = 0; i < sizeof(all_methods) / sizeof(all_methods[0]);
		    i++) {
			if (strcasecmp(tok, all_methods[i]->name + 4) == 0 ||
			    strcasecmp(tok, all_methods[i]->name) == 0)
				m = all_methods[i];
		}
		if (m == NULL || s->nallowed == EAP_MAX_METHODS)
			return -1;
		s->allowed[s->nallowed++] = m;
	}
	return s->nallowed ? 0 : -1;
}

struct eap_session *
eap_session_new(struct rg_config *cfg, const char *methods,
    const char *peer_id)
{
	struct eap_session	*s;

	if (cfg == NULL || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = rg_config_ref(cfg);
	if (methods == NULL)
		methods = cfg->settings.eap_method;
	if ((s->peer = strdup(peer_id ? peer_id : "-")) == NULL ||
	    parse_methods(s, methods) < 0) {
		if (s->peer)
			rg_err(IKE, "eap: bad method list '%s'", methods);
		eap_session_free(s);
		return NULL;
	}
	if (RAND_bytes(&s->id, 1) != 1)
		s->id = 0;
	return s;
}

void
eap_session_free(struct eap_session *s)
{
	if (s == NULL)
		return;
	if (s->m && s->mstate)
		s->m->free(s->mstate);
	rg_buf_free(s->last_req);
	rg_buf_free(s->msk);
	rg_buf_free(s->ans_out);
	auth_result_free(s->result);
	free(s->identity);
	free(s->user);
	free(s->peer);
	rg_config_unref(s->cfg);
	free(s);
}

struct rg_config *
eap_session_cfg(const struct eap_session *s)
{
	return s->cfg;
}

void
eap_session_set_auth(struct eap_session *s, struct auth *a,
    const struct sockaddr *peer)
{
	s->auth = a;
	memset(&s->peer_addr, 0, sizeof(s->peer_addr));
	if (peer != NULL && peer->sa_family == AF_INET)
		memcpy(&s->peer_addr, peer, sizeof(struct sockaddr_in));
	else if (peer != NULL && peer->sa_family == AF_INET6)
		memcpy(&s->peer_addr, peer, sizeof(struct sockaddr_in6));
}

struct auth *
eap_session_auth(const struct eap_session *s)
{
	return s->auth;
}

const struct sockaddr *
eap_session_peer_addr(const struct eap_session *s)
{
	return s->peer_addr.ss_family ? (const struct sockaddr *)&s->peer_addr :
	    NULL;
}

void
eap_session_set_done(struct eap_session *s, eap_done_fn fn, void *arg)
{
	s->done = fn;
	s->done_arg = arg;
}

void
eap_session_set_result(struct eap_session *s, struct auth_result *r)
{
	auth_result_free(s->result);
	s->result = r;
}

const struct auth_result *
eap_session_result(const struct eap_session *s)
{
	return s->state == EAP_S_DONE ? s->result : NULL;
}

bool
eap_session_pending(const struct eap_session *s)
{
	return s->state == EAP_S_PENDING;
}

const char *
eap_session_identity(const struct eap_session *s)
{
	return s->identity ? s->identity : "";
}

const char *
eap_session_peer(const struct eap_session *s)
{
	return s->peer;
}

int
eap_session_set_user(struct eap_session *s, const char *name, size_t len)
{
	char	*u;

	if (len > 255 || (u = malloc(len + 1)) == NULL)
		return -1;
	eap_sanitize(u, len + 1, (const uint8_t *)name, len);
	free(s->user);
	s->user = u;
	return 0;
}

void
eap_session_fail(struct eap_session *s, const char *fmt, ...)
{
	va_list	 ap;

	if (s->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	rg_notice(IKE, "eap: peer %s identity '%s': %s", s->peer,
	    eap_session_identity(s), s->error);
}

const struct rg_buf *
eap_session_msk(const struct eap_session *s)
{
	return s->msk;
}

const char *
eap_session_user(const struct eap_session *s)
{
	return s->user;
}

const char *
eap_session_method(const struct eap_session *s)
{
	return s->m ? s->m->name : NULL;
}

bool
eap_session_failed(const struct eap_session *s)
{
	return s->error[0] != '\0';
}

const char *
eap_session_error(const struct eap_session *s)
{
	return s->error[0] ? s->error : NULL;
}

/* Wrap type data into the next request; *out gets a copy. */
static enum eap_result
send_request(struct eap_session *s, uint8_t type, struct rg_buf *data,
    struct rg_buf **out)
{
	struct rg_buf	*b;

	s->id++;
	b = eap_pkt_encode(EAP_CODE_REQUEST, s->id, type,
	    data ? data->data : NULL, data ? data->len : 0);
	rg_buf_free(data);
	if (b == NULL || (*out = rg_buf_dup(b->data, b->len)) == NULL) {
		rg_buf_free(b);
		*out = NULL;
		eap_session_fail(s, "out of memory");
		s->state = EAP_S_DONE;
		return EAP_FAILURE;
	}
	rg_buf_free(s->last_req);
	s->last_req = b;
	return EAP_CONTINUE;
}

/* EAP-Failure (RFC 3748 4.2) with the Identifier of the last request. */
static enum eap_result
send_failure(struct eap_session *s, struct rg_buf **out)
{
	if (s->error[0] == '\0')
		eap_session_fail(s, "authentication failed (%s)",
		    s->m ? s->m->name : "EAP");
	s->state = EAP_S_DONE;
	rg_buf_free(s->msk);
	s->msk = NULL;
	/* The backend's own verdict stays (disabled, throttled, ...). */
	if (s->result == NULL || s->result->outcome == AUTH_OK) {
		auth_result_free(s->result);
		s->result = auth_result_new(AUTH_REJECT, "%s", s->error);
	}
	*out = eap_pkt_encode(EAP_CODE_FAILURE, s->id, 0, NULL, 0);
	return EAP_FAILURE;
}

static enum eap_result
send_success(struct eap_session *s, struct rg_buf **out)
{
	s->msk = s->m->msk(s->mstate);
	if (s->msk == NULL || s->user == NULL) {
		eap_session_fail(s, "no MSK from %s", s->m->name);
		return send_failure(s, out);
	}
	/* EAP-TLS (no auth service): the same shape, made here. */
	if (s->result == NULL &&
	    (s->result = auth_result_new(AUTH_OK, NULL)) == NULL) {
		eap_session_fail(s, "out of memory");
		return send_failure(s, out);
	}
	s->result->outcome = AUTH_OK;
	snprintf(s->result->user, sizeof(s->result->user), "%s", s->user);
	if (s->msk->len <= sizeof(s->result->msk)) {
		memcpy(s->result->msk, s->msk->data, s->msk->len);
		s->result->msk_len = s->msk->len;
	}
	s->state = EAP_S_DONE;
	rg_notice(IKE, "eap: peer %s identity '%s': user %s authenticated "
	    "with %s", s->peer, eap_session_identity(s), s->user, s->m->name);
	*out = eap_pkt_encode(EAP_CODE_SUCCESS, s->id, 0, NULL, 0);
	if (*out == NULL) {
		eap_session_fail(s, "out of memory");
		return EAP_FAILURE;
	}
	return EAP_SUCCESS;
}

static enum eap_result
method_result(struct eap_session *s, enum eap_mstatus st, struct rg_buf *req,
    struct rg_buf **out)
{
	switch (st) {
	case EAP_M_REQUEST:
		return send_request(s, s->m->type, req, out);
	case EAP_M_DONE:
		rg_buf_free(req);
		return send_success(s, out);
	case EAP_M_PENDING:
		rg_buf_free(req);
		s->state = EAP_S_PENDING;
		s->answered = false;
		return EAP_PENDING;
	default:
		rg_buf_free(req);
		return send_failure(s, out);
	}
}

static enum eap_result
start_method(struct eap_session *s, size_t idx, struct rg_buf **out)
{
	struct rg_buf	*req = NULL;

	if (s->m && s->mstate)
		s->m->free(s->mstate);
	s->m = s->allowed[idx];
	s->tried |= 1u << idx;
	s->mrounds = 0;
	rg_debug(IKE, "eap: peer %s identity '%s': starting %s", s->peer,
	    eap_session_identity(s), s->m->name);
	if ((s->mstate = s->m->start(s, &req)) == NULL) {
		rg_buf_free(req);
		return send_failure(s, out);
	}
	return send_request(s, s->m->type, req, out);
}

int
eap_session_start(struct eap_session *s, struct rg_buf **out)
{
	*out = NULL;
	if (s->state != EAP_S_IDENTITY || s->last_req != NULL)
		return -1;
	/* RFC 3748 5.1: Request/Identity, no prompt. */
	if (send_request(s, EAP_TYPE_IDENTITY, NULL, out) != EAP_CONTINUE)
		return -1;
	return 0;
}

/* RFC 3748 5.3.1: the peer's Nak lists the types it wants instead. */
static enum eap_result
handle_nak(struct eap_session *s, const struct eap_pkt *p, struct rg_buf **out)
{
	char	 wants[64];
	size_t	 i, k, n = 0;

	wants[0] = '\0';
	for (i = 0; i < p->dlen; i++) {
		for (k = 0; k < s->nallowed; k++) {
			if (s->allowed[k]->type == p->data[i] &&
			    !(s->tried & (1u << k))) {
				rg_info(IKE, "eap: peer %s identity '%s' "
				    "refused %s, switching to %s", s->peer,
				    eap_session_identity(s), s->m->name,
				    s->allowed[k]->name);
				return start_method(s, k, out);
			}
		}
		if (n + 5 < sizeof(wants))
			n += (size_t)snprintf(wants + n, sizeof(wants) - n,
			    "%s%u", n ? "," : "", p->data[i]);
	}
	eap_session_fail(s, "peer refused %s and wants EAP type(s) %s, "
	    "none of them allowed", s->m->name, n ? wants : "none");
	return send_failure(s, out);
}

static enum eap_result
drop(struct eap_session *s, const char *why, struct rg_buf **out)
{
	s->dropped++;
	rg_debug(IKE, "eap: peer %s: dropped response (%s)", s->peer, why);
	if (++s->bad > EAP_MAX_BAD || s->last_req == NULL) {
		eap_session_fail(s, "too many invalid EAP responses (last: %s)",
		    why);
		return send_failure(s, out);
	}
	/* Answer with the outstanding request again. */
	if ((*out = rg_buf_dup(s->last_req->data, s->last_req->len)) == NULL)
		return send_failure(s, out);
	return EAP_CONTINUE;
}

enum eap_result
eap_session_process(struct eap_session *s, const uint8_t *in, size_t len,
    struct rg_buf **out)
{
	struct eap_pkt	 p;
	struct rg_buf	*req = NULL;
	enum eap_mstatus st;

	*out = NULL;
	if (s->state == EAP_S_PENDING) {
		/* The IKE layer drops retransmits while busy; anyone else
		 * gets told again to wait. */
		rg_debug(IKE, "eap: peer %s: response while an answer is "
		    "pending, ignored", s->peer);
		return EAP_PENDING;
	}
	if (s->state == EAP_S_DONE || s->last_req == NULL) {
		/* Leaves the outcome (user, MSK) of a finished session alone. */
		rg_debug(IKE, "eap: peer %s: response after the end", s->peer);
		*out = eap_pkt_encode(EAP_CODE_FAILURE, s->id, 0, NULL, 0);
		return EAP_FAILURE;
	}
	if (len > EAP_MAX_LEN || eap_pkt_decode(in, len, &p) < 0)
		return drop(s, "malformed", out);
	if (p.code != EAP_CODE_RESPONSE)
		return drop(s, "not a response", out);
	if (p.id != s->id)
		return drop(s, "wrong identifier", out);
	if (++s->rounds > EAP_MAX_ROUNDS) {
		eap_session_fail(s, "too many EAP rounds (%u)%s%s",
		    EAP_MAX_ROUNDS, s->m ? " in " : "", s->m ? s->m->name : "");
		return send_failure(s, out);
	}
	if (p.type == EAP_TYPE_NOTIFICATION) {
		/* Our Notification requests are never sent; treat as noise. */
		return drop(s, "unexpected notification", out);
	}

	switch (s->state) {
	case EAP_S_IDENTITY:
		if (p.type != EAP_TYPE_IDENTITY) {
			eap_session_fail(s, "expected EAP-Identity, got %s",
			    eap_type_name(p.type));
			return send_failure(s, out);
		}
		/* RFC 3748 5.1: not NUL-terminated; may be empty (Android). */
		if ((s->identity = malloc(p.dlen + 1)) == NULL)
			return send_failure(s, out);
		eap_sanitize(s->identity, p.dlen + 1, p.data, p.dlen);
		rg_info(IKE, "eap: peer %s identity '%s'", s->peer,
		    s->identity);
		s->state = EAP_S_METHOD;
		return start_method(s, 0, out);
	case EAP_S_METHOD:
		if (p.type == EAP_TYPE_NAK && s->mrounds == 0)
			return handle_nak(s, &p, out);
		if (p.type != s->m->type) {
			eap_session_fail(s, "expected %s, got %s", s->m->name,
			    eap_type_name(p.type));
			return send_failure(s, out);
		}
		s->mrounds++;
		st = s->m->process(s, s->mstate, p.data, p.dlen, &req);
		return method_result(s, st, req, out);
	default:
		return send_failure(s, out);
	}
}

void
eap_session_method_answered(struct eap_session *s)
{
	struct rg_buf	*req = NULL;
	enum eap_mstatus st;

	if (s->state != EAP_S_PENDING || s->m->resume == NULL)
		return;
	s->state = EAP_S_METHOD;
	st = s->m->resume(s, s->mstate, &req);
	s->ans_res = method_result(s, st, req, &s->ans_out);
	if (s->ans_res == EAP_PENDING)
		return;		/* asked again */
	s->answered = true;
	/* Last: the callback may free the session. */
	if (s->done != NULL)
		s->done(s, s->done_arg);
}

enum eap_result
eap_session_resume(struct eap_session *s, struct rg_buf **out)
{
	*out = NULL;
	if (!s->answered)
		return EAP_PENDING;
	s->answered = false;
	*out = s->ans_out;
	s->ans_out = NULL;
	return s->ans_res;
}
