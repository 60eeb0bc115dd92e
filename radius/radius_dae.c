/*
 * radius_dae.c: the RFC 5176 listener (radius_dae.h).  Every check that
 * can fail before we know the sender is a configured client with the
 * right secret drops the request silently (RFC 5176 3.5: unknown
 * clients, bad authenticators, stale Event-Timestamps); what a verified
 * client asks wrongly is NAKed with an Error-Cause.  Sessions are ended
 * only through the registry (sess_kick), never by calling a protocol.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "radius_dae.h"
#include "radius_int.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"

struct dae_seen {
	struct sockaddr_storage	 from;
	uint8_t			 id;
	uint8_t			 auth[16];
	uint64_t		 when_ms;	/* 0: free */
};

struct radius_dae {
	struct radius		*r;		/* borrowed: cfg, sess */
	int			 fd;		/* -1: off */
	struct rg_io		 io;
	char			 listen[80];	/* what fd is bound to */
	struct dae_seen		 seen[RAD_DAE_SEEN];
	size_t			 seen_next;
	struct radius_dae_stats	 st;
};

/* --- the decoder ---------------------------------------------------------- */

static void
text(const struct rad_attr *a, char *out)
{
	memcpy(out, a->val, a->len);
	out[a->len] = '\0';
}

int
rad_dae_decode(const struct rad_msg *m, struct rad_dae_req *q,
    uint32_t *ec, const char **why)
{
	size_t	 i;

	memset(q, 0, sizeof(*q));
	q->code = m->code;
	if (m->code != RAD_DISCONNECT_REQUEST && m->code != RAD_COA_REQUEST) {
		*ec = RAD_EC_INVALID_REQUEST;
		*why = "neither Disconnect-Request nor CoA-Request";
		return -1;
	}
	for (i = 0; i < m->nattrs; i++) {
		const struct rad_attr *a = &m->attrs[i];

		switch (a->vendor != 0 ? 0 : a->type) {
		case RAD_USER_NAME:
			text(a, q->user);
			q->has_user = true;
			break;
		case RAD_ACCT_SESSION_ID:
			text(a, q->asid);
			q->has_asid = true;
			break;
		case RAD_CALLING_STATION_ID:
			text(a, q->calling);
			q->has_calling = true;
			break;
		case RAD_FRAMED_IP_ADDRESS:
			if (a->len != 4)
				goto bad_value;
			q->framed.af = AF_INET;
			memcpy(q->framed.addr, a->val, 4);
			break;
		case RAD_EVENT_TIMESTAMP:
			if (a->len != 4)
				goto bad_value;
			q->event_ts = rg_get_u32(a->val);
			q->has_event = true;
			break;
		case RAD_SESSION_TIMEOUT:
			if (m->code != RAD_COA_REQUEST)
				goto unsupported;
			if (a->len != 4)
				goto bad_value;
			q->session_timeout = rg_get_u32(a->val);
			q->has_timeout = true;
			break;
		case RAD_MESSAGE_AUTHENTICATOR:
		case RAD_NAS_IDENTIFIER:
		case RAD_NAS_IP_ADDRESS:
		case RAD_STATE:
			break;		/* checked elsewhere, or ours anyway */
		default:
			goto unsupported;
		}
	}
	if (!q->has_event) {
		*ec = RAD_EC_MISSING_ATTRIBUTE;
		*why = "no Event-Timestamp";
		return -1;
	}
	if (!q->has_user && !q->has_asid && !q->has_calling &&
	    q->framed.af == 0) {
		*ec = RAD_EC_MISSING_ATTRIBUTE;
		*why = "no session identification (User-Name, Acct-Session-Id, "
		    "Framed-IP-Address, Calling-Station-Id)";
		return -1;
	}
	if (m->code == RAD_COA_REQUEST && !q->has_timeout) {
		*ec = RAD_EC_MISSING_ATTRIBUTE;
		*why = "a CoA-Request without Session-Timeout changes nothing";
		return -1;
	}
	return 0;
bad_value:
	*ec = RAD_EC_INVALID_ATTRIBUTE_VALUE;
	*why = "an attribute of the wrong length";
	return -1;
unsupported:
	*ec = RAD_EC_UNSUPPORTED_ATTRIBUTE;
	*why = "an attribute roadgate does not act on (only Session-Timeout "
	    "changes)";
	return -1;
}

/* --- matching sessions ---------------------------------------------------- */

#define DAE_MATCH_MAX	256

struct match {
	const struct rad_dae_req *q;
	const char		*boot_id;
	uint64_t		 ids[DAE_MATCH_MAX];
	size_t			 n;
};

static void
calling_of(const struct sockaddr *sa, char *out, size_t len)
{
	char	 host[INET6_ADDRSTRLEN] = "";

	out[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;

		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s[%u]", host, ntohs(s->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		snprintf(out, len, "%s[%u]", host, ntohs(s->sin6_port));
	}
}

static int
match_one(void *arg, struct sess *s, const struct sess_view *v)
{
	struct match		*mt = arg;
	const struct rad_dae_req *q = mt->q;
	char			 buf[RAD_MAX_ATTR + 1];

	(void)s;
	if (q->has_user && strcmp(q->user, v->user) != 0)
		return 0;
	if (q->has_asid) {
		snprintf(buf, sizeof(buf), "%s-%llx", mt->boot_id,
		    (unsigned long long)v->id);
		if (strcmp(q->asid, buf) != 0)
			return 0;
	}
	if (q->framed.af == AF_INET && (v->vip4 == NULL ||
	    v->vip4->af != AF_INET ||
	    memcmp(v->vip4->addr, q->framed.addr, 4) != 0))
		return 0;
	if (q->has_calling) {
		calling_of(v->peer, buf, sizeof(buf));
		/* "IP[port]" as we send it, or the bare IP. */
		if (strcmp(q->calling, buf) != 0 &&
		    (strchr(buf, '[') == NULL || strncmp(q->calling, buf,
		    (size_t)(strchr(buf, '[') - buf)) != 0 ||
		    strlen(q->calling) != (size_t)(strchr(buf, '[') - buf)))
			return 0;
	}
	if (mt->n == DAE_MATCH_MAX)
		return 1;
	mt->ids[mt->n++] = v->id;
	return 0;
}

/* --- the listener --------------------------------------------------------- */

static const struct rg_dae_client *
client_of(const struct rg_config *cfg, const struct sockaddr_storage *from)
{
	struct sockaddr_storage	 ss;
	size_t			 i;

	for (i = 0; i < cfg->ndae_clients; i++) {
		const struct rg_dae_client *c = &cfg->dae_clients[i];

		if (rg_hostport_parse(c->address, 1, &ss) < 0 ||
		    ss.ss_family != from->ss_family)
			continue;
		if (ss.ss_family == AF_INET && memcmp(
		    &((struct sockaddr_in *)&ss)->sin_addr,
		    &((const struct sockaddr_in *)from)->sin_addr, 4) == 0)
			return c;
		if (ss.ss_family == AF_INET6 && memcmp(
		    &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    &((const struct sockaddr_in6 *)from)->sin6_addr, 16) == 0)
			return c;
	}
	return NULL;
}

/* The sender's address without its port (a replay may come from any). */
static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* A replay: the same sender, identifier and authenticator within the
 * window.  Remembered otherwise. */
static bool
replayed(struct radius_dae *d, const struct sockaddr_storage *from,
    const struct rad_msg *m)
{
	uint64_t	 now = rg_now_ms();
	size_t		 i;

	for (i = 0; i < RAD_DAE_SEEN; i++) {
		struct dae_seen *s = &d->seen[i];

		if (s->when_ms == 0 ||
		    now - s->when_ms > (uint64_t)RAD_DAE_WINDOW_S * 1000)
			continue;
		if (s->id == m->id && memcmp(s->auth, m->auth, 16) == 0 &&
		    same_host(&s->from, from))
			return true;
	}
	d->seen[d->seen_next] = (struct dae_seen){ .id = m->id,
	    .when_ms = now };
	memcpy(&d->seen[d->seen_next].from, from, sizeof(*from));
	memcpy(d->seen[d->seen_next].auth, m->auth, 16);
	d->seen_next = (d->seen_next + 1) % RAD_DAE_SEEN;
	return false;
}

static void
answer(struct radius_dae *d, const struct rad_msg *m,
    const struct rg_dae_client *c, const struct sockaddr_storage *from,
    socklen_t fl, bool ack, uint32_t ec)
{
	struct rad_pkt	 p;
	uint8_t		 code;

	if (m->code == RAD_DISCONNECT_REQUEST)
		code = ack ? RAD_DISCONNECT_ACK : RAD_DISCONNECT_NAK;
	else
		code = ack ? RAD_COA_ACK : RAD_COA_NAK;
	rad_pkt_init(&p, code, m->id, m->auth);
	rad_add_ma(&p);
	if (!ack && ec != 0)
		rad_add_u32(&p, RAD_ERROR_CAUSE, ec);
	if (rad_pkt_finish_reply(&p, c->secret, c->secret_len) < 0 ||
	    sendto(d->fd, p.buf, p.len, 0, (const struct sockaddr *)from,
	    fl) < 0)
		rg_warn(RADIUS, "DAE client %s: the answer was not sent",
		    c->name);
	if (ack)
		d->st.acks++;
	else
		d->st.naks++;
}

static void
handle(struct radius_dae *d, const uint8_t *buf, size_t n,
    const struct sockaddr_storage *from, socklen_t fl)
{
	const struct rg_config	*cfg = radius_config(d->r);
	const struct rg_dae_client *c;
	struct rad_msg		 m;
	struct rad_dae_req	 q;
	struct match		 mt;
	const char		*why;
	char			 src[INET6_ADDRSTRLEN + 8];
	uint32_t		 ec = 0;
	int64_t			 skew;
	size_t			 i, done = 0;

	d->st.requests++;
	rg_sa_str((const struct sockaddr *)from, src, sizeof(src));
	if ((c = client_of(cfg, from)) == NULL) {
		d->st.dropped++;
		rg_warn(RADIUS, "DAE request from %s dropped: not a configured "
		    "DAE client", src);
		return;
	}
	if (rad_parse(buf, n, &m, &why) < 0 ||
	    (m.code != RAD_DISCONNECT_REQUEST && m.code != RAD_COA_REQUEST) ||
	    rad_verify_request(&m, c->secret, c->secret_len, true, &why) < 0) {
		d->st.dropped++;
		rg_warn(RADIUS, "DAE request from client %s (%s) dropped: %s",
		    c->name, src, why != NULL ? why : "not a Disconnect or "
		    "CoA request");
		return;
	}
	if (replayed(d, from, &m)) {
		d->st.dropped++;
		rg_warn(RADIUS, "DAE %s id %u from client %s dropped: a replay",
		    rad_code_name(m.code), m.id, c->name);
		return;
	}
	if (rad_dae_decode(&m, &q, &ec, &why) < 0) {
		rg_warn(RADIUS, "DAE %s from client %s refused: %s",
		    rad_code_name(m.code), c->name, why);
		answer(d, &m, c, from, fl, false, ec);
		return;
	}
	skew = (int64_t)time(NULL) - (int64_t)q.event_ts;
	if (skew > RAD_DAE_WINDOW_S || skew < -RAD_DAE_WINDOW_S) {
		d->st.dropped++;
		rg_warn(RADIUS, "DAE %s from client %s dropped: its "
		    "Event-Timestamp is %lld s off our clock (a replay, or "
		    "clocks apart)", rad_code_name(m.code), c->name,
		    (long long)skew);
		return;
	}
	memset(&mt, 0, sizeof(mt));
	mt.q = &q;
	mt.boot_id = radius_boot_id(d->r);
	if (d->r->sess != NULL)
		(void)sess_foreach(d->r->sess, match_one, &mt);
	if (mt.n == 0) {
		rg_notice(RADIUS, "DAE %s from client %s: no session matches",
		    rad_code_name(m.code), c->name);
		answer(d, &m, c, from, fl, false, RAD_EC_SESSION_NOT_FOUND);
		return;
	}
	for (i = 0; i < mt.n; i++) {
		struct sess *s = sess_by_id(d->r->sess, mt.ids[i]);
		char why2[128];

		if (s == NULL)
			continue;
		if (q.code == RAD_DISCONNECT_REQUEST) {
			snprintf(why2, sizeof(why2), "RADIUS Disconnect-Request"
			    " from DAE client %s", c->name);
			rg_notice(RADIUS, "session %llu ends: %s",
			    (unsigned long long)mt.ids[i], why2);
			if (sess_kick(d->r->sess, mt.ids[i], why2) == 0)
				done++;
		} else {
			rg_notice(RADIUS, "session %llu: CoA-Request from DAE "
			    "client %s sets Session-Timeout %u s",
			    (unsigned long long)mt.ids[i], c->name,
			    q.session_timeout);
			sess_set_session_timeout(s, q.session_timeout);
			done++;
		}
	}
	answer(d, &m, c, from, fl, done > 0, done > 0 ? 0 :
	    RAD_EC_SESSION_NOT_FOUND);
}

static void
readable(struct rg_io *io, uint32_t ev)
{
	struct radius_dae	*d = io->arg;
	uint8_t			 buf[RAD_MAX_LEN];
	struct sockaddr_storage	 from;
	socklen_t		 fl;
	ssize_t			 n;
	int			 i;

	(void)ev;
	for (i = 0; i < 64; i++) {	/* a bounded batch per wakeup */
		fl = sizeof(from);
		n = recvfrom(d->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		handle(d, buf, (size_t)n, &from, fl);
	}
}

static void
close_sock(struct radius_dae *d)
{
	if (d->fd < 0)
		return;
	rg_io_del(d->r->loop, &d->io);
	close(d->fd);
	d->fd = -1;
	d->listen[0] = '\0';
}

void
radius_dae_apply(struct radius_dae *d)
{
	const char		*want;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 one = 1;

	want = radius_config(d->r)->settings.dae_listen;
	if (want == NULL)
		want = "";
	if (strcmp(want, d->listen) == 0)
		return;
	close_sock(d);
	if (*want == '\0') {
		rg_notice(RADIUS, "DAE listener off");
		return;
	}
	if (rg_hostport_parse(want, 3799, &ss) < 0) {
		rg_err(RADIUS, "dae_listen \"%s\": not an address", want);
		return;
	}
	sl = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	if ((d->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) < 0 ||
	    bind(d->fd, (struct sockaddr *)&ss, sl) < 0) {
		rg_err(RADIUS, "DAE listener on %s: %s", want,
		    strerror(errno));
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		return;
	}
	d->io = (struct rg_io){ .fd = d->fd, .cb = readable, .arg = d };
	if (rg_io_add(d->r->loop, &d->io, EPOLLIN) < 0) {
		close(d->fd);
		d->fd = -1;
		return;
	}
	snprintf(d->listen, sizeof(d->listen), "%s", want);
	rg_notice(RADIUS, "DAE listener (RFC 5176 Disconnect/CoA) on %s",
	    want);
}

struct radius_dae *
radius_dae_new(struct radius *r)
{
	struct radius_dae	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->r = r;
	d->fd = -1;
	return d;
}

void
radius_dae_free(struct radius_dae *d)
{
	if (d == NULL)
		return;
	close_sock(d);
	free(d);
}

void
radius_dae_stats(const struct radius_dae *d, struct radius_dae_stats *st)
{
	*st = d->st;
}
