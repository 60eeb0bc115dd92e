/*
 * radius_client.c: requests in flight, identifiers, retransmission,
 * failover and dead servers (radius_client.h).
 */
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "radius_client.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "rg_loop.h"

#define RAD_MAX_SERVERS		16
#define RAD_BACKOFF_MAX		8

struct rad_server;

/* One connected socket with its identifier space. */
struct rad_chan {
	struct rad_server	*srv;
	struct rg_io		 io;
	bool			 io_added;
	bool			 acct;
	struct rad_req		*ids[256];
	unsigned int		 in_use;
	uint8_t			 next_id;
	TAILQ_HEAD(, rad_req)	 waiting;	/* for a free identifier */
};

struct rad_server {
	struct rad_client	*c;
	struct rad_server_conf	 conf;
	struct rad_chan		 auth, acct;
	struct rad_server_stats	 st;
	uint64_t		 accepts, rejects;
	uint64_t		 dead_until;	/* monotonic ms; 0 alive */
};

enum rad_req_state {
	RQ_NEW,			/* not yet on a server */
	RQ_WAITING,		/* in a channel's FIFO for an identifier */
	RQ_SENT,		/* holds ch->ids[id], timer running */
	RQ_FAILED,		/* done(RAD_FAILED/TIMEOUT) on the next timer */
};

struct rad_req {
	struct rad_client	*c;
	enum rad_req_state	 state;
	enum rad_status		 final;		/* RQ_FAILED */
	uint8_t			 code;
	struct rad_attrs	 attrs;
	char			 password[RAD_MAX_PASSWORD + 1];	/* wiped */
	bool			 has_password;
	rad_done_fn		 done;
	void			*arg;

	struct rad_chan		*ch;		/* RQ_WAITING, RQ_SENT */
	uint8_t			 id;
	uint8_t			 req_auth[RAD_AUTH_LEN];
	struct rad_pkt		 pkt;
	unsigned int		 sends;		/* on this server */
	uint32_t		 tried;		/* server indexes, bits */
	struct rg_timer		 timer;
	TAILQ_ENTRY(rad_req)	 wq;
	LIST_ENTRY(rad_req)	 all;
};

struct rad_client {
	struct rg_loop		*loop;
	struct rad_server	*srv[RAD_MAX_SERVERS];
	size_t			 nsrv;
	LIST_HEAD(, rad_req)	 reqs;
	size_t			 nwaiting;
};

static void	req_start(struct rad_req *);

/* --- attribute lists --------------------------------------------------- */

void
rad_attrs_add(struct rad_attrs *a, uint8_t type, const void *v, size_t n)
{
	if (a->err || n > RAD_MAX_ATTR || a->len + 2 + n > sizeof(a->buf)) {
		a->err = true;
		return;
	}
	a->buf[a->len] = type;
	a->buf[a->len + 1] = (uint8_t)(n + 2);
	if (n > 0)
		memcpy(a->buf + a->len + 2, v, n);
	a->len += 2 + n;
}

void
rad_attrs_str(struct rad_attrs *a, uint8_t type, const char *s)
{
	rad_attrs_add(a, type, s, strnlen(s, RAD_MAX_ATTR + 1));
}

void
rad_attrs_u32(struct rad_attrs *a, uint8_t type, uint32_t v)
{
	uint8_t	 b[4];

	rg_put_u32(b, v);
	rad_attrs_add(a, type, b, 4);
}

void
rad_attrs_vsa(struct rad_attrs *a, uint32_t vendor, uint8_t vtype,
    const void *v, size_t n)
{
	uint8_t	 b[RAD_MAX_ATTR];

	if (n > RAD_MAX_ATTR - 6) {
		a->err = true;
		return;
	}
	rg_put_u32(b, vendor);
	b[4] = vtype;
	b[5] = (uint8_t)(n + 2);
	memcpy(b + 6, v, n);
	rad_attrs_add(a, RAD_VENDOR_SPECIFIC, b, n + 6);
}

/* --- servers ------------------------------------------------------------ */

static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char		 a[INET6_ADDRSTRLEN];
	uint16_t	 port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", a, port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", a, port);
	}
	return buf;
}

static bool
server_dead(const struct rad_server *s)
{
	return s->dead_until != 0 && rg_now_ms() < s->dead_until;
}

static void
server_mark_dead(struct rad_server *s, const char *why)
{
	if (!server_dead(s))
		rg_warn(RADIUS, "RADIUS server %s is dead (%s); trying the "
		    "others for %u s", s->conf.name, why, RAD_DEAD_MS / 1000);
	s->dead_until = rg_now_ms() + RAD_DEAD_MS;
}

static void	chan_readable(struct rg_io *, uint32_t);

static int
chan_open(struct rad_chan *ch)
{
	const struct sockaddr_storage	*to;
	int				 fd;

	if (ch->io_added)
		return 0;
	to = ch->acct ? &ch->srv->conf.acct : &ch->srv->conf.auth;
	if ((fd = socket(to->ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	/* Connected: replies from anywhere else never reach us, and a
	 * closed port shows as ECONNREFUSED. */
	if (connect(fd, (const struct sockaddr *)to, to->ss_family ==
	    AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in)) < 0) {
		close(fd);
		return -1;
	}
	ch->io.fd = fd;
	ch->io.cb = chan_readable;
	ch->io.arg = ch;
	if (rg_io_add(ch->srv->c->loop, &ch->io, EPOLLIN) < 0) {
		close(fd);
		return -1;
	}
	ch->io_added = true;
	return 0;
}

static void
chan_close(struct rad_chan *ch)
{
	if (!ch->io_added)
		return;
	rg_io_del(ch->srv->c->loop, &ch->io);
	close(ch->io.fd);
	ch->io_added = false;
}

static struct rad_server *
server_new(struct rad_client *c, const struct rad_server_conf *conf)
{
	struct rad_server	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->c = c;
	s->conf = *conf;
	s->auth.srv = s->acct.srv = s;
	s->acct.acct = true;
	TAILQ_INIT(&s->auth.waiting);
	TAILQ_INIT(&s->acct.waiting);
	return s;
}

/* Requests on s go elsewhere (s leaves the list). */
static void
server_free(struct rad_server *s)
{
	struct rad_chan	*chs[2] = { &s->auth, &s->acct };
	struct rad_req	*r;
	size_t		 i, id;

	for (i = 0; i < 2; i++) {
		while ((r = TAILQ_FIRST(&chs[i]->waiting)) != NULL) {
			TAILQ_REMOVE(&chs[i]->waiting, r, wq);
			r->c->nwaiting--;
			r->state = RQ_NEW;
			r->ch = NULL;
			r->tried = 0;
			req_start(r);
		}
		for (id = 0; id < 256; id++) {
			if ((r = chs[i]->ids[id]) == NULL)
				continue;
			chs[i]->ids[id] = NULL;
			rg_timer_stop(s->c->loop, &r->timer);
			r->state = RQ_NEW;
			r->ch = NULL;
			r->tried = 0;
			req_start(r);
		}
		chan_close(chs[i]);
	}
	OPENSSL_cleanse(&s->conf, sizeof(s->conf));
	free(s);
}

struct rad_client *
rad_client_new(struct rg_loop *loop)
{
	struct rad_client	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->loop = loop;
	LIST_INIT(&c->reqs);
	return c;
}

static void
req_free(struct rad_req *r)
{
	rg_timer_stop(r->c->loop, &r->timer);
	if (r->state == RQ_WAITING) {
		TAILQ_REMOVE(&r->ch->waiting, r, wq);
		r->c->nwaiting--;
	} else if (r->state == RQ_SENT && r->ch->ids[r->id] == r) {
		r->ch->ids[r->id] = NULL;
		r->ch->in_use--;
	}
	LIST_REMOVE(r, all);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

void
rad_client_free(struct rad_client *c)
{
	struct rad_req	*r;
	size_t		 i;

	if (c == NULL)
		return;
	while ((r = LIST_FIRST(&c->reqs)) != NULL)
		req_free(r);
	for (i = 0; i < c->nsrv; i++)
		server_free(c->srv[i]);
	free(c);
}

static bool
conf_same(const struct rad_server_conf *a, const struct rad_server_conf *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

int
rad_client_set_servers(struct rad_client *c,
    const struct rad_server_conf *conf, size_t n)
{
	struct rad_server	*nsrv[RAD_MAX_SERVERS] = { NULL };
	struct rad_server	*drop[RAD_MAX_SERVERS];
	int			 kept[RAD_MAX_SERVERS];
	size_t			 i, j, ndrop = 0, nold = c->nsrv;

	if (n > RAD_MAX_SERVERS)
		n = RAD_MAX_SERVERS;
	for (i = 0; i < n; i++) {
		kept[i] = -1;
		for (j = 0; j < nold; j++)
			if (c->srv[j] != NULL &&
			    conf_same(&c->srv[j]->conf, &conf[i])) {
				nsrv[i] = c->srv[j];
				c->srv[j] = NULL;
				kept[i] = (int)j;
				break;
			}
		if (nsrv[i] == NULL && (nsrv[i] = server_new(c, &conf[i])) ==
		    NULL)
			goto fail;
	}
	for (j = 0; j < nold; j++)
		if (c->srv[j] != NULL)
			drop[ndrop++] = c->srv[j];
	memset(c->srv, 0, sizeof(c->srv));
	memcpy(c->srv, nsrv, n * sizeof(nsrv[0]));
	c->nsrv = n;
	/* Their requests restart on the new list. */
	for (j = 0; j < ndrop; j++)
		server_free(drop[j]);
	return 0;
fail:
	/* Nothing changed: the kept ones go back, the new ones away. */
	for (j = 0; j < i; j++) {
		if (kept[j] >= 0)
			c->srv[kept[j]] = nsrv[j];
		else
			server_free(nsrv[j]);
	}
	return -1;
}

size_t
rad_client_nservers(const struct rad_client *c)
{
	return c->nsrv;
}

/* --- requests ----------------------------------------------------------- */

static void	req_timer(struct rg_timer *);

/* The answer, then the request is gone. */
static void
req_finish(struct rad_req *r, const struct rad_answer *a)
{
	rad_done_fn	 done = r->done;
	void		*arg = r->arg;

	req_free(r);
	done(arg, a);
}

/* done(status) from the loop, never inside rad_send(). */
static void
req_fail_later(struct rad_req *r, enum rad_status st)
{
	r->state = RQ_FAILED;
	r->final = st;
	r->ch = NULL;
	rg_timer_start(r->c->loop, &r->timer, 0);
}

/* The next server for r: an untried live one in order, else an untried
 * dead one (perhaps it is back), else none. */
static struct rad_server *
pick_server(struct rad_req *r, size_t *idx)
{
	struct rad_client	*c = r->c;
	size_t			 i;

	for (i = 0; i < c->nsrv; i++)
		if ((r->tried & (1u << i)) == 0 && !server_dead(c->srv[i])) {
			*idx = i;
			return c->srv[i];
		}
	for (i = 0; i < c->nsrv; i++)
		if ((r->tried & (1u << i)) == 0) {
			*idx = i;
			return c->srv[i];
		}
	return NULL;
}

/* Build r's packet for ch's server with identifier id and send it. */
static int
req_send_on(struct rad_req *r, struct rad_chan *ch, uint8_t id)
{
	struct rad_server	*s = ch->srv;
	struct sockaddr_storage	 local;
	socklen_t		 sl = sizeof(local);

	r->ch = ch;
	r->id = id;
	if (r->code == RAD_ACCESS_REQUEST &&
	    RAND_bytes(r->req_auth, sizeof(r->req_auth)) != 1)
		return -1;
	rad_pkt_init(&r->pkt, r->code, id, r->req_auth);
	if (r->attrs.len > 0 && r->pkt.len + r->attrs.len <= RAD_MAX_LEN) {
		memcpy(r->pkt.buf + r->pkt.len, r->attrs.buf, r->attrs.len);
		r->pkt.len += r->attrs.len;
	}
	/* NAS-IP-Address: the address this socket speaks from. */
	if (getsockname(ch->io.fd, (struct sockaddr *)&local, &sl) == 0 &&
	    local.ss_family == AF_INET)
		rad_add(&r->pkt, RAD_NAS_IP_ADDRESS,
		    &((struct sockaddr_in *)&local)->sin_addr, 4);
	if (r->has_password)
		rad_add_password(&r->pkt, r->password, s->conf.secret,
		    s->conf.secret_len);
	if (rad_pkt_finish(&r->pkt, s->conf.secret, s->conf.secret_len) < 0)
		return -1;
	if (r->code == RAD_ACCT_REQUEST)
		memcpy(r->req_auth, r->pkt.buf + 4, RAD_AUTH_LEN);
	ch->ids[id] = r;
	ch->in_use++;
	r->state = RQ_SENT;
	r->sends = 1;
	s->st.requests++;
	if (send(ch->io.fd, r->pkt.buf, r->pkt.len, 0) < 0)
		rg_debug(RADIUS, "RADIUS server %s: send: %s", s->conf.name,
		    strerror(errno));
	rg_timer_start(r->c->loop, &r->timer, s->conf.timeout_ms);
	return 0;
}

/* A free identifier of ch, or -1. */
static int
chan_id(struct rad_chan *ch)
{
	unsigned int	 i;
	uint8_t		 id;

	if (ch->in_use >= 256)
		return -1;
	for (i = 0; i < 256; i++) {
		id = (uint8_t)(ch->next_id + i);
		if (ch->ids[id] == NULL) {
			ch->next_id = (uint8_t)(id + 1);
			return id;
		}
	}
	return -1;
}

static void
req_start(struct rad_req *r)
{
	struct rad_server	*s;
	struct rad_chan		*ch;
	size_t			 idx;
	int			 id;

	while ((s = pick_server(r, &idx)) != NULL) {
		r->tried |= 1u << idx;
		ch = r->code == RAD_ACCT_REQUEST ? &s->acct : &s->auth;
		if (chan_open(ch) < 0) {
			server_mark_dead(s, strerror(errno));
			continue;
		}
		if ((id = chan_id(ch)) < 0) {
			if (r->c->nwaiting >= RAD_QUEUE_MAX)
				break;
			r->state = RQ_WAITING;
			r->ch = ch;
			TAILQ_INSERT_TAIL(&ch->waiting, r, wq);
			r->c->nwaiting++;
			return;
		}
		if (req_send_on(r, ch, (uint8_t)id) == 0)
			return;
		if (r->state == RQ_SENT) {
			ch->ids[r->id] = NULL;
			ch->in_use--;
		}
		req_fail_later(r, RAD_FAILED);
		return;
	}
	req_fail_later(r, RAD_TIMEOUT);
}

/* An identifier came free on ch: the first waiting request takes it. */
static void
chan_unqueue(struct rad_chan *ch)
{
	struct rad_req	*r;
	int		 id;

	while ((r = TAILQ_FIRST(&ch->waiting)) != NULL &&
	    (id = chan_id(ch)) >= 0) {
		TAILQ_REMOVE(&ch->waiting, r, wq);
		r->c->nwaiting--;
		if (req_send_on(r, ch, (uint8_t)id) < 0) {
			if (r->state == RQ_SENT) {
				ch->ids[r->id] = NULL;
				ch->in_use--;
			}
			req_fail_later(r, RAD_FAILED);
		}
	}
}

/* r's server did not answer: the next one, or the end. */
static void
req_next_server(struct rad_req *r, const char *why)
{
	struct rad_chan	*ch = r->ch;

	rg_timer_stop(r->c->loop, &r->timer);
	if (r->state == RQ_SENT && ch->ids[r->id] == r) {
		ch->ids[r->id] = NULL;
		ch->in_use--;
	}
	r->state = RQ_NEW;
	r->ch = NULL;
	ch->srv->st.timeouts++;
	server_mark_dead(ch->srv, why);
	req_start(r);
	chan_unqueue(ch);
}

static void
req_timer(struct rg_timer *t)
{
	struct rad_req		*r = t->arg;
	struct rad_server	*s;
	struct rad_answer	 a;
	unsigned int		 mult;

	if (r->state == RQ_FAILED) {
		memset(&a, 0, sizeof(a));
		a.status = r->final;
		req_finish(r, &a);
		return;
	}
	s = r->ch->srv;
	if (r->sends <= s->conf.retries) {
		/* RFC 5080 2.2.1: back off, the server may be busy. */
		mult = r->sends >= 4 ? RAD_BACKOFF_MAX : 1u << r->sends;
		if (mult > RAD_BACKOFF_MAX)
			mult = RAD_BACKOFF_MAX;
		r->sends++;
		s->st.retransmits++;
		(void)send(r->ch->io.fd, r->pkt.buf, r->pkt.len, 0);
		rg_timer_start(r->c->loop, &r->timer,
		    (uint64_t)s->conf.timeout_ms * mult);
		return;
	}
	rg_info(RADIUS, "RADIUS server %s: no answer to %s id %u after %u "
	    "sends", s->conf.name, rad_code_name(r->code), r->id, r->sends);
	req_next_server(r, "no answer");
}

struct rad_req *
rad_send(struct rad_client *c, uint8_t code, const struct rad_attrs *attrs,
    const char *password, rad_done_fn done, void *arg)
{
	struct rad_req	*r;

	if (c->nsrv == 0 || attrs->err || (password != NULL &&
	    strlen(password) > RAD_MAX_PASSWORD))
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->c = c;
	r->code = code;
	r->attrs = *attrs;
	if (password != NULL && *password != '\0') {
		snprintf(r->password, sizeof(r->password), "%s", password);
		r->has_password = true;
	}
	r->done = done;
	r->arg = arg;
	rg_timer_init(&r->timer, req_timer, r);
	LIST_INSERT_HEAD(&c->reqs, r, all);
	req_start(r);
	return r;
}

void
rad_cancel(struct rad_req *r)
{
	struct rad_chan	*ch;

	if (r == NULL)
		return;
	ch = r->state == RQ_SENT ? r->ch : NULL;
	req_free(r);
	if (ch != NULL)
		chan_unqueue(ch);
}

/* --- replies ------------------------------------------------------------ */

static void
chan_reply(struct rad_chan *ch, const uint8_t *buf, size_t n)
{
	struct rad_server	*s = ch->srv;
	struct rad_msg		 m;
	struct rad_req		*r;
	struct rad_answer	 a;
	const char		*why;
	uint8_t			 ra[RAD_AUTH_LEN];

	if (rad_parse(buf, n, &m, &why) < 0) {
		s->st.bad_replies++;
		rg_warn(RADIUS, "RADIUS server %s: malformed reply dropped "
		    "(%s)", s->conf.name, why);
		return;
	}
	if ((r = ch->ids[m.id]) == NULL || r->state != RQ_SENT) {
		s->st.bad_replies++;
		rg_info(RADIUS, "RADIUS server %s: %s for no request (id %u) "
		    "dropped", s->conf.name, rad_code_name(m.code), m.id);
		return;
	}
	if ((r->code == RAD_ACCESS_REQUEST && m.code != RAD_ACCESS_ACCEPT &&
	    m.code != RAD_ACCESS_REJECT && m.code != RAD_ACCESS_CHALLENGE) ||
	    (r->code == RAD_ACCT_REQUEST && m.code != RAD_ACCT_RESPONSE)) {
		s->st.bad_replies++;
		rg_warn(RADIUS, "RADIUS server %s: %s does not answer %s; "
		    "dropped", s->conf.name, rad_code_name(m.code),
		    rad_code_name(r->code));
		return;
	}
	if (rad_verify_reply(&m, r->req_auth, s->conf.secret,
	    s->conf.secret_len, s->conf.require_ma, &why) < 0) {
		/* Never acted on: a forger, or a wrong secret. */
		s->st.bad_replies++;
		rg_warn(RADIUS, "RADIUS server %s: %s id %u dropped: %s "
		    "(a forged reply, or the secret differs)", s->conf.name,
		    rad_code_name(m.code), m.id, why);
		return;
	}
	s->st.replies++;
	if (m.code == RAD_ACCESS_ACCEPT)
		s->accepts++;
	else if (m.code == RAD_ACCESS_REJECT)
		s->rejects++;
	if (s->dead_until != 0)
		rg_notice(RADIUS, "RADIUS server %s answers again",
		    s->conf.name);
	s->dead_until = 0;
	memset(&a, 0, sizeof(a));
	a.status = RAD_OK;
	a.reply = &m;
	a.req_auth = r->req_auth;
	a.secret = s->conf.secret;
	a.secret_len = s->conf.secret_len;
	a.server = s->conf.name;
	/* req_finish frees r; what the answer points at must outlive it. */
	memcpy(ra, r->req_auth, sizeof(ra));
	a.req_auth = ra;
	req_finish(r, &a);
	chan_unqueue(ch);
}

static void
chan_readable(struct rg_io *io, uint32_t events)
{
	struct rad_chan	*ch = io->arg;
	uint8_t		 buf[RAD_MAX_LEN];
	struct rad_req	*r;
	ssize_t		 n;
	size_t		 id, k;

	(void)events;
	for (k = 0; k < 64; k++) {
		n = recv(io->fd, buf, sizeof(buf), 0);
		if (n >= 0) {
			chan_reply(ch, buf, (size_t)n);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno != ECONNREFUSED)
			return;
		/* Nothing listens there: its requests fail over now. */
		for (id = 0; id < 256; id++)
			if ((r = ch->ids[id]) != NULL)
				req_next_server(r, "port unreachable");
		server_mark_dead(ch->srv, "port unreachable");
	}
}

/* --- status ------------------------------------------------------------- */

json_t *
rad_client_status(const struct rad_client *c)
{
	json_t			*a = json_array();
	struct rad_server	*s;
	char			 addr[80];
	size_t			 i;

	for (i = 0; i < c->nsrv; i++) {
		s = c->srv[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,"
		    "s:I,s:I,s:I,s:i}", "name", s->conf.name,
		    "address", addr_str(&s->conf.auth, addr, sizeof(addr)),
		    "state", server_dead(s) ? "dead" : "alive",
		    "requests", (json_int_t)s->st.requests,
		    "retransmits", (json_int_t)s->st.retransmits,
		    "timeouts", (json_int_t)s->st.timeouts,
		    "accepts", (json_int_t)s->accepts,
		    "rejects", (json_int_t)s->rejects,
		    "bad_replies", (json_int_t)s->st.bad_replies,
		    "in_flight", (int)(s->auth.in_use + s->acct.in_use)));
	}
	return a;
}

int
rad_client_stats(const struct rad_client *c, const char *name,
    struct rad_server_stats *out)
{
	size_t	 i;

	for (i = 0; i < c->nsrv; i++)
		if (strcmp(c->srv[i]->conf.name, name) == 0) {
			*out = c->srv[i]->st;
			out->dead = server_dead(c->srv[i]);
			return 0;
		}
	return -1;
}
