/*
 * auth.c: the authentication question (auth.h): copies of the request,
 * the backend behind it, the failed-login throttle in front of it, and the
 * delivery of every answer as a zero-delay timer event on the loop, so that
 * an asker never sees its done() run inside auth_check(), whatever the
 * backend.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "rg_log.h"

enum call_state {
	CALL_BACKEND,		/* the backend works on it */
	CALL_ANSWERED,		/* result set, delivery timer armed */
};

struct auth_call {
	struct auth		*a;
	struct auth_call	*next, *prev;	/* the auth's pending calls */
	enum call_state		 state;
	struct auth_req		 req;		/* points into the copies */
	char			*user, *service, *password;
	uint8_t			*blob;		/* CHAP challenge or EAP msg */
	struct sockaddr_storage	 src;
	auth_done_fn		 done;
	void			*arg;
	struct auth_result	*res;
	bool			 throttled;	/* answered by the throttle */
	struct rg_timer		 t;		/* delivery on the loop */
};

/* One throttle key: "u:<user>" or "a:<address>". */
struct throttle_ent {
	char		 key[136];
	unsigned int	 fails;
	uint64_t	 first_ms, last_ms, blocked_until;
};

struct auth {
	struct rg_loop			*loop;		/* borrowed */
	struct rg_config		*cfg;		/* counted reference */
	const struct auth_backend_ops	*ops;
	void				*bstate;	/* owned by ops */
	struct auth_call		*calls;		/* pending */
	struct auth_throttle_conf	 tc;
	struct throttle_ent		*tent;		/* grows to
							 * AUTH_THROTTLE_MAX */
	size_t				 ntent, captent;
};

const char *
auth_outcome_name(enum auth_outcome o)
{
	switch (o) {
	case AUTH_OK:		return "ok";
	case AUTH_REJECT:	return "reject";
	case AUTH_DISABLED:	return "disabled";
	case AUTH_THROTTLED:	return "throttled";
	case AUTH_UNSUPPORTED:	return "unsupported";
	case AUTH_ERROR:	return "error";
	case AUTH_CONTINUE:	return "continue";
	}
	return "unknown";
}

const char *
auth_kind_name(enum auth_kind k)
{
	switch (k) {
	case AUTH_PAP:		return "PAP";
	case AUTH_CHAP_MD5:	return "CHAP-MD5";
	case AUTH_MSCHAPV2:	return "MS-CHAPv2";
	case AUTH_EAP:		return "EAP";
	}
	return "unknown";
}

struct auth_result *
auth_result_new(enum auth_outcome o, const char *fmt, ...)
{
	struct auth_result	*r;
	va_list			 ap;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->outcome = o;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
	return r;
}

void
auth_result_free(struct auth_result *r)
{
	if (r == NULL)
		return;
	rg_buf_free(r->eap);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

struct auth *
auth_new(struct rg_loop *loop, struct rg_config *cfg,
    const struct auth_backend_ops *ops, void *state)
{
	struct auth	*a;

	if (loop == NULL || cfg == NULL || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->loop = loop;
	a->cfg = rg_config_ref(cfg);
	a->tc.user_fails = AUTH_THROTTLE_USER_FAILS;
	a->tc.addr_fails = AUTH_THROTTLE_ADDR_FAILS;
	a->tc.window_ms = AUTH_THROTTLE_WINDOW_MS;
	a->tc.block_ms = AUTH_THROTTLE_BLOCK_MS;
	if (ops == NULL) {
		ops = &auth_local_ops;
		if ((state = auth_local_new(cfg)) == NULL) {
			rg_config_unref(a->cfg);
			free(a);
			return NULL;
		}
	}
	a->ops = ops;
	a->bstate = state;
	return a;
}

static void	call_free(struct auth_call *);

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	while (a->calls != NULL)
		auth_cancel(a->calls);
	if (a->ops->free != NULL)
		a->ops->free(a->bstate);
	free(a->tent);
	rg_config_unref(a->cfg);
	free(a);
}

void
auth_reconfigure(struct auth *a, struct rg_config *cfg)
{
	rg_config_unref(a->cfg);
	a->cfg = rg_config_ref(cfg);
	if (a->ops->reconfigure != NULL)
		a->ops->reconfigure(a->bstate, cfg);
}

void
auth_set_throttle(struct auth *a, const struct auth_throttle_conf *tc)
{
	a->tc = *tc;
	a->ntent = 0;	/* counts under other limits mean nothing */
}

struct rg_loop *
auth_loop(const struct auth *a)
{
	return a->loop;
}

const struct auth_req *
auth_call_req(const struct auth_call *c)
{
	return &c->req;
}

/* Throttle keys: the user part of the name (a "DOMAIN\" prefix must not
 * buy fresh tries), case-folded; the source address without its port. */
static void
key_user(const struct auth_call *c, char *out, size_t cap)
{
	const char	*u;
	size_t		 n, i, o;

	u = rg_mschap_user_part(c->user, strlen(c->user), &n);
	o = (size_t)snprintf(out, cap, "u:");
	for (i = 0; i < n && o + 1 < cap; i++)
		out[o++] = (u[i] >= 0x20 && u[i] < 0x7f) ?
		    (char)tolower((unsigned char)u[i]) : '?';
	out[o] = '\0';
}

static bool
key_addr(const struct auth_call *c, char *out, size_t cap)
{
	char	 buf[INET6_ADDRSTRLEN];

	if (c->src.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&c->src)->
		    sin_addr, buf, sizeof(buf));
	else if (c->src.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&c->src)->
		    sin6_addr, buf, sizeof(buf));
	else
		return false;
	snprintf(out, cap, "a:%s", buf);
	return true;
}

/* Whether x goes before y when the table is full. */
static bool
evict_first(const struct throttle_ent *x, const struct throttle_ent *y,
    uint64_t now)
{
	bool	 xb = x->blocked_until > now, yb = y->blocked_until > now;

	if (xb != yb)
		return !xb;
	return x->last_ms < y->last_ms;
}

static struct throttle_ent *
tfind(struct auth *a, const char *key, bool create, uint64_t now)
{
	struct throttle_ent	*e, *old = NULL;
	size_t			 i;

	for (i = 0; i < a->ntent; i++)
		if (strcmp(a->tent[i].key, key) == 0)
			return &a->tent[i];
	if (!create)
		return NULL;
	if (a->ntent == a->captent && a->captent < AUTH_THROTTLE_MAX) {
		size_t	 ncap = a->captent ? a->captent * 2 : 64;

		if (ncap > AUTH_THROTTLE_MAX)
			ncap = AUTH_THROTTLE_MAX;
		if ((e = reallocarray(a->tent, ncap, sizeof(*e))) == NULL)
			return NULL;
		a->tent = e;
		a->captent = ncap;
	}
	if (a->ntent < a->captent) {
		e = &a->tent[a->ntent++];
	} else {
		/* Full: forget the key touched longest ago, a running
		 * block last (a spray of new names must not lift it). */
		for (i = 0; i < a->ntent; i++)
			if (old == NULL || evict_first(&a->tent[i], old, now))
				old = &a->tent[i];
		e = old;
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->first_ms = e->last_ms = now;
	return e;
}

static bool
tblocked(struct auth *a, const char *key, uint64_t now)
{
	struct throttle_ent	*e = tfind(a, key, false, now);

	return e != NULL && e->blocked_until > now;
}

static void
tfail(struct auth *a, const char *key, unsigned int limit, uint64_t now)
{
	struct throttle_ent	*e;

	if (limit == 0 || (e = tfind(a, key, true, now)) == NULL)
		return;
	if (now - e->first_ms > a->tc.window_ms) {
		e->fails = 0;
		e->first_ms = now;
	}
	e->last_ms = now;
	if (++e->fails >= limit) {
		e->blocked_until = now + a->tc.block_ms;
		e->fails = 0;
		e->first_ms = now;
		rg_notice(CORE, "auth: %s %s: %u failed logins, refused for "
		    "%llu s", key[0] == 'u' ? "user" : "address", key + 2,
		    limit, (unsigned long long)(a->tc.block_ms / 1000));
	}
}

/* A success forgets the failures, unless a block still runs. */
static void
tclear(struct auth *a, const char *key, uint64_t now)
{
	struct throttle_ent	*e = tfind(a, key, false, now);

	if (e != NULL && e->blocked_until <= now) {
		e->fails = 0;
		e->blocked_until = 0;
	}
}

/* What the throttle learns from one answer. */
static void
throttle_note(struct auth_call *c)
{
	char		 ku[136], ka[136];
	bool		 have_a = key_addr(c, ka, sizeof(ka));
	uint64_t	 now = rg_now_ms();

	key_user(c, ku, sizeof(ku));
	switch (c->res->outcome) {
	case AUTH_REJECT:
	case AUTH_DISABLED:
		tfail(c->a, ku, c->a->tc.user_fails, now);
		if (have_a)
			tfail(c->a, ka, c->a->tc.addr_fails, now);
		break;
	case AUTH_OK:
		tclear(c->a, ku, now);
		if (have_a)
			tclear(c->a, ka, now);
		break;
	default:
		break;
	}
}

static bool
throttle_blocks(struct auth_call *c)
{
	char		 ku[136], ka[136];
	uint64_t	 now = rg_now_ms();

	key_user(c, ku, sizeof(ku));
	if (tblocked(c->a, ku, now))
		return true;
	return key_addr(c, ka, sizeof(ka)) && tblocked(c->a, ka, now);
}

static void
unlink_call(struct auth_call *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else if (c->a->calls == c)
		c->a->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void
call_free(struct auth_call *c)
{
	rg_timer_stop(c->a->loop, &c->t);
	unlink_call(c);
	auth_result_free(c->res);
	if (c->password != NULL) {
		OPENSSL_cleanse(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->user);
	free(c->service);
	free(c->blob);
	OPENSSL_cleanse(&c->req, sizeof(c->req));
	free(c);
}

/* The delivery event: the answer reaches the asker from the loop. */
static void
deliver(struct rg_timer *t)
{
	struct auth_call	*c = t->arg;
	struct auth_result	*r = c->res;
	auth_done_fn		 done = c->done;
	void			*arg = c->arg;

	if (!c->throttled)
		throttle_note(c);
	c->res = NULL;
	call_free(c);
	done(arg, r);
}

void
auth_call_done(struct auth_call *c, struct auth_result *r)
{
	static struct auth_result	 oom = { .outcome = AUTH_ERROR,
					    .reason = "out of memory" };

	if (c->state != CALL_BACKEND) {
		auth_result_free(r);
		return;
	}
	c->state = CALL_ANSWERED;
	if (r == NULL) {
		/* The promise holds even without memory: a bare error. */
		if ((r = malloc(sizeof(*r))) == NULL) {
			rg_err(CORE, "auth: out of memory; answer for %s lost",
			    c->user);
			return;
		}
		*r = oom;
	}
	c->res = r;
	rg_timer_start(c->a->loop, &c->t, 0);
}

static int
copy_req(struct auth_call *c, const struct auth_req *rq)
{
	c->req = *rq;
	c->req.src = NULL;
	if (rq->src != NULL) {
		size_t	 l = 0;

		if (rq->src->sa_family == AF_INET6)
			l = sizeof(struct sockaddr_in6);
		else if (rq->src->sa_family == AF_INET)
			l = sizeof(struct sockaddr_in);

		memcpy(&c->src, rq->src, l);
		if (l)
			c->req.src = (const struct sockaddr *)&c->src;
	}
	if ((c->user = strdup(rq->user ? rq->user : "")) == NULL ||
	    (c->service = strdup(rq->service ? rq->service : "-")) == NULL)
		return -1;
	c->req.user = c->user;
	c->req.service = c->service;
	switch (rq->kind) {
	case AUTH_PAP:
		if ((c->password = strdup(rq->u.pap.password ?
		    rq->u.pap.password : "")) == NULL)
			return -1;
		c->req.u.pap.password = c->password;
		break;
	case AUTH_CHAP_MD5:
		if (rq->u.chap.challenge_len == 0 ||
		    rq->u.chap.challenge_len > 255 ||
		    (c->blob = malloc(rq->u.chap.challenge_len)) == NULL)
			return -1;
		memcpy(c->blob, rq->u.chap.challenge, rq->u.chap.challenge_len);
		c->req.u.chap.challenge = c->blob;
		break;
	case AUTH_EAP:
		if ((c->blob = malloc(rq->u.eap.len ? rq->u.eap.len : 1)) ==
		    NULL)
			return -1;
		if (rq->u.eap.len)
			memcpy(c->blob, rq->u.eap.msg, rq->u.eap.len);
		c->req.u.eap.msg = c->blob;
		break;
	case AUTH_MSCHAPV2:
		break;
	default:
		return -1;
	}
	return 0;
}

struct auth_call *
auth_check(struct auth *a, const struct auth_req *rq, auth_done_fn done,
    void *arg)
{
	struct auth_call	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->a = a;
	rg_timer_init(&c->t, deliver, c);
	if (copy_req(c, rq) < 0) {
		call_free(c);
		return NULL;
	}
	c->done = done;
	c->arg = arg;
	c->state = CALL_BACKEND;
	if ((c->next = a->calls) != NULL)
		a->calls->prev = c;
	a->calls = c;
	if (throttle_blocks(c)) {
		char	 ku[136];

		/* The key is the printable, case-folded name. */
		key_user(c, ku, sizeof(ku));
		c->throttled = true;
		auth_call_done(c, auth_result_new(AUTH_THROTTLED,
		    "user %s: too many failed logins (from this user or "
		    "address), refused for now", ku + 2));
		return c;
	}
	if (a->ops->check(a->bstate, c) < 0 && c->state == CALL_BACKEND)
		auth_call_done(c, auth_result_new(AUTH_ERROR,
		    "%s backend failed", a->ops->name));
	return c;
}

void
auth_cancel(struct auth_call *c)
{
	if (c == NULL)
		return;
	if (c->state == CALL_BACKEND && c->a->ops->cancel != NULL)
		c->a->ops->cancel(c->a->bstate, c);
	c->state = CALL_ANSWERED;
	call_free(c);
}
