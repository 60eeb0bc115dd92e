/*
 * radius_acct.c: RADIUS accounting (RFC 2866) as a listener of the
 * session registry: Start when a session is up, Interim-Update on a
 * timer, Stop with its Acct-Terminate-Cause (sess_cause_radius()),
 * counters with Gigawords (RFC 2869 5.1, 5.2), Class echoed from the
 * user's Access-Accept; Accounting-On when servers first appear.
 *
 * Store-and-forward: every record joins a queue, oldest first, and the
 * store (when the daemon gave one) before it is sent; it leaves both once
 * a server acknowledged it.  At most RADIUS_ACCT_WINDOW records are in
 * flight.  A record no server answered stays at its place and the queue
 * waits RADIUS_ACCT_RETRY_MS before it tries again, so records go out in
 * order once a server is back.  Past acct_qmax records the oldest
 * waiting one is dropped and counted.  A new run sends what an earlier
 * run left in the store first (radius_set_store()).  Acct-Delay-Time
 * (RFC 2866 5.2) says how long each record waited.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "radius_client.h"
#include "radius_int.h"
#include "rg_buf.h"
#include "rg_config.h"
#include "rg_log.h"
#include "sess.h"
#include "store.h"

struct radius_acct_rec {
	TAILQ_ENTRY(radius_acct_rec) link;
	struct radius		*r;
	int64_t			 row;		/* the store's id; 0: none */
	uint64_t		 created_ms;	/* unix ms of the event */
	struct rad_req		*req;		/* in flight; NULL: waiting */
	size_t			 len;
	uint8_t			 attrs[];	/* as rad_attrs.buf */
};

struct radius_acct_sess {
	struct radius		*r;
	uint64_t		 id;		/* the session's */
	char			 user[256];
	char			 asid[48];	/* Acct-Session-Id */
	uint8_t			 class_attr[253];
	size_t			 class_len;
	uint32_t		 interim_s;	/* 0: none */
	struct rg_timer		 timer;
	LIST_ENTRY(radius_acct_sess) link;
};

static uint64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
rec_free(struct radius *r, struct radius_acct_rec *rec, bool unstore)
{
	if (rec->req != NULL) {
		rad_cancel(rec->req);
		r->acct_inflight--;
	}
	if (unstore && rec->row > 0 && r->store != NULL)
		(void)store_acct_del(r->store, rec->row);
	TAILQ_REMOVE(&r->acct_q, rec, link);
	r->acct_qlen--;
	free(rec);
}

/* Acct-Delay-Time, in place: how long the record has waited. */
static void
set_delay(struct radius_acct_rec *rec, struct rad_attrs *a)
{
	uint64_t	 now = wall_ms();
	uint32_t	 d = now > rec->created_ms ?
			    (uint32_t)((now - rec->created_ms) / 1000) : 0;
	size_t		 off = 0;

	memcpy(a->buf, rec->attrs, rec->len);
	a->len = rec->len;
	a->err = false;
	while (off + 2 <= a->len && a->buf[off + 1] >= 2 &&
	    off + a->buf[off + 1] <= a->len) {
		if (a->buf[off] == RAD_ACCT_DELAY_TIME &&
		    a->buf[off + 1] == 6) {
			rg_put_u32(a->buf + off + 2, d);
			return;
		}
		off += a->buf[off + 1];
	}
}

static void	acct_done(void *, const struct rad_answer *);

/* Send waiting records from the oldest, within the window. */
static void
acct_pump(struct radius *r)
{
	struct radius_acct_rec	*rec;
	struct rad_attrs	 a;

	if (rg_timer_armed(&r->acct_retry) ||
	    rad_client_nservers(r->client) == 0)
		return;
	TAILQ_FOREACH(rec, &r->acct_q, link) {
		if (r->acct_inflight >= RADIUS_ACCT_WINDOW)
			break;
		if (rec->req != NULL)
			continue;
		set_delay(rec, &a);
		if ((rec->req = rad_send(r->client, RAD_ACCT_REQUEST, &a, NULL,
		    acct_done, rec)) == NULL) {
			rg_timer_start(r->loop, &r->acct_retry,
			    r->acct_retry_ms);
			break;
		}
		r->acct_inflight++;
	}
}

static void
acct_done(void *arg, const struct rad_answer *ans)
{
	struct radius_acct_rec	*rec = arg;
	struct radius		*r = rec->r;

	rec->req = NULL;
	r->acct_inflight--;
	if (ans->status == RAD_OK) {
		r->acct_sent++;
		rec_free(r, rec, true);
		acct_pump(r);
		return;
	}
	/* It keeps its place; the queue waits for a server. */
	r->acct_failed++;
	if (!rg_timer_armed(&r->acct_retry)) {
		rg_warn(RADIUS, "no RADIUS server took an accounting record; "
		    "%zu record(s) wait%s, tried again in %u ms", r->acct_qlen,
		    r->store != NULL ? " in the store" : "",
		    r->acct_retry_ms);
		rg_timer_start(r->loop, &r->acct_retry, r->acct_retry_ms);
	}
}

static void
acct_retry(struct rg_timer *t)
{
	acct_pump(t->arg);
}

/* A record joins the queue's tail (and the store); the oldest waiting
 * one goes past the bound. */
static struct radius_acct_rec *
acct_enqueue(struct radius *r, const uint8_t *attrs, size_t len,
    uint64_t created_ms, int64_t row)
{
	struct radius_acct_rec	*rec, *old;

	if ((rec = calloc(1, sizeof(*rec) + len)) == NULL)
		return NULL;
	rec->r = r;
	rec->created_ms = created_ms;
	rec->len = len;
	memcpy(rec->attrs, attrs, len);
	rec->row = row;
	if (row == 0 && r->store != NULL &&
	    (rec->row = store_acct_put(r->store, created_ms, attrs, len)) < 0)
		rec->row = 0;	/* kept in memory all the same */
	TAILQ_INSERT_TAIL(&r->acct_q, rec, link);
	r->acct_qlen++;
	while (r->acct_qlen > r->acct_qmax) {
		TAILQ_FOREACH(old, &r->acct_q, link)
			if (old->req == NULL && old != rec)
				break;
		if (old == NULL)
			break;
		r->acct_dropped++;
		if ((r->acct_dropped & (r->acct_dropped - 1)) == 0)
			rg_warn(RADIUS, "accounting queue full (%zu records): "
			    "the oldest dropped, %llu so far", r->acct_qmax,
			    (unsigned long long)r->acct_dropped);
		rec_free(r, old, true);
	}
	return rec;
}

static void
acct_send(struct radius *r, struct rad_attrs *a)
{
	if (rad_client_nservers(r->client) == 0)
		return;
	if (a->err || acct_enqueue(r, a->buf, a->len, wall_ms(), 0) == NULL) {
		r->acct_dropped++;
		rg_warn(RADIUS, "an accounting record could not be queued");
		return;
	}
	/* Sent from the loop: whoever queued it (radius_new()'s
	 * Accounting-On) may still hand us the store and its older
	 * records, which go first. */
	if (!rg_timer_armed(&r->acct_retry))
		rg_timer_start(r->loop, &r->acct_retry, 0);
}

void
radius_acct_init(struct radius *r)
{
	TAILQ_INIT(&r->acct_q);
	r->acct_qmax = RADIUS_ACCT_QUEUE_MAX;
	r->acct_retry_ms = RADIUS_ACCT_RETRY_MS;
	rg_timer_init(&r->acct_retry, acct_retry, r);
}

static int
load_one(int64_t id, uint64_t created_ms, const uint8_t *rec, size_t len,
    void *arg)
{
	struct radius	*r = arg;

	if (len == 0 || len > sizeof(((struct rad_attrs *)0)->buf)) {
		(void)store_acct_del(r->store, id);
		return 0;
	}
	return acct_enqueue(r, rec, len, created_ms, id) != NULL ? 0 : -1;
}

void
radius_set_store(struct radius *r, struct store *st)
{
	struct radius_acct_rec	*rec;
	size_t			 before = r->acct_qlen, i;

	r->store = st;
	if (st == NULL)
		return;
	/* What this run queued so far goes behind what the earlier run
	 * left, and into the store too. */
	if (store_acct_list(st, load_one, r) < 0)
		rg_err(RADIUS, "could not read the waiting accounting records");
	if (r->acct_qlen > before)
		rg_notice(RADIUS, "%zu accounting record(s) of an earlier run "
		    "wait for a RADIUS server", r->acct_qlen - before);
	for (i = 0; i < before; i++) {
		rec = TAILQ_FIRST(&r->acct_q);
		TAILQ_REMOVE(&r->acct_q, rec, link);
		TAILQ_INSERT_TAIL(&r->acct_q, rec, link);
		if (rec->req != NULL) {		/* sent again, in order */
			rad_cancel(rec->req);
			rec->req = NULL;
			r->acct_inflight--;
		}
		if ((rec->row = store_acct_put(st, rec->created_ms, rec->attrs,
		    rec->len)) < 0)
			rec->row = 0;
	}
	acct_pump(r);
}

void
radius_acct_kick(struct radius *r)
{
	rg_timer_stop(r->loop, &r->acct_retry);
	acct_pump(r);
}

void
radius_acct_on(struct radius *r)
{
	struct rad_attrs	 a;

	if (r->acct_on_sent || rad_client_nservers(r->client) == 0)
		return;
	memset(&a, 0, sizeof(a));
	radius_nas_attrs(r, &a, NULL, NULL, NULL, r->boot_id);
	rad_attrs_u32(&a, RAD_ACCT_STATUS_TYPE, RAD_STATUS_ACCT_ON);
	acct_send(r, &a);
	r->acct_on_sent = true;
}

static void
acct_record(struct radius_acct_sess *as, uint32_t status,
    const struct sess_view *v)
{
	struct radius		*r = as->r;
	struct rad_attrs	 a;
	const struct sess_counters *c = v->ctr;
	int			 cause;

	memset(&a, 0, sizeof(a));
	radius_nas_attrs(r, &a, as->user, v->peer, v->local, as->asid);
	rad_attrs_u32(&a, RAD_ACCT_STATUS_TYPE, status);
	rad_attrs_u32(&a, RAD_ACCT_AUTHENTIC, RAD_AUTHENTIC_RADIUS);
	rad_attrs_u32(&a, RAD_ACCT_DELAY_TIME, 0);
	if (v->vip4 != NULL && v->vip4->af == AF_INET)
		rad_attrs_add(&a, RAD_FRAMED_IP_ADDRESS, v->vip4->addr, 4);
	if (as->class_len > 0)
		rad_attrs_add(&a, RAD_CLASS, as->class_attr, as->class_len);
	if (status != RAD_STATUS_START) {
		rad_attrs_u32(&a, RAD_ACCT_SESSION_TIME, (uint32_t)v->uptime_s);
		if (c != NULL) {
			/* Input: from the user (RFC 2866 5.3). */
			rad_attrs_u32(&a, RAD_ACCT_INPUT_OCTETS,
			    (uint32_t)c->bytes_in);
			rad_attrs_u32(&a, RAD_ACCT_INPUT_GIGAWORDS,
			    (uint32_t)(c->bytes_in >> 32));
			rad_attrs_u32(&a, RAD_ACCT_OUTPUT_OCTETS,
			    (uint32_t)c->bytes_out);
			rad_attrs_u32(&a, RAD_ACCT_OUTPUT_GIGAWORDS,
			    (uint32_t)(c->bytes_out >> 32));
			rad_attrs_u32(&a, RAD_ACCT_INPUT_PACKETS,
			    (uint32_t)c->packets_in);
			rad_attrs_u32(&a, RAD_ACCT_OUTPUT_PACKETS,
			    (uint32_t)c->packets_out);
		}
	}
	if (status == RAD_STATUS_STOP && (cause = sess_cause_radius(v->cause))
	    > 0)
		rad_attrs_u32(&a, RAD_ACCT_TERMINATE_CAUSE, (uint32_t)cause);
	acct_send(r, &a);
}

static void
acct_timer(struct rg_timer *t)
{
	struct radius_acct_sess	*as = t->arg;
	struct sess		*s;

	/* The registry calls us back with INTERIM (and its counters). */
	if (as->r->sess != NULL && (s = sess_by_id(as->r->sess, as->id)) !=
	    NULL)
		sess_interim(s);
}

static void
acct_event(void *arg, enum sess_event ev, const struct sess_view *v)
{
	struct radius		*r = arg;
	struct radius_acct_sess	*as;
	uint32_t		 interim = 0;

	if (v->slot == NULL)
		return;
	as = (struct radius_acct_sess *)(uintptr_t)*v->slot;
	switch (ev) {
	case SESS_EV_START:
		if (as != NULL || rad_client_nservers(r->client) == 0)
			return;
		if ((as = calloc(1, sizeof(*as))) == NULL) {
			rg_err(RADIUS, "session %llu: no accounting (out of "
			    "memory)", (unsigned long long)v->id);
			return;
		}
		as->r = r;
		as->id = v->id;
		snprintf(as->user, sizeof(as->user), "%s", v->user ? v->user :
		    "");
		snprintf(as->asid, sizeof(as->asid), "%s-%llx", r->boot_id,
		    (unsigned long long)v->id);
		(void)radius_grant_take(r, as->user, as->class_attr,
		    &as->class_len, &interim);
		as->interim_s = interim ? interim :
		    r->cfg->settings.radius_interim_s;
		rg_timer_init(&as->timer, acct_timer, as);
		LIST_INSERT_HEAD(&r->acct, as, link);
		*v->slot = (uint64_t)(uintptr_t)as;
		acct_record(as, RAD_STATUS_START, v);
		break;
	case SESS_EV_INTERIM:
		if (as == NULL)
			return;
		acct_record(as, RAD_STATUS_INTERIM, v);
		break;
	case SESS_EV_STOP:
		if (as == NULL)
			return;
		rg_timer_stop(r->loop, &as->timer);
		acct_record(as, RAD_STATUS_STOP, v);
		LIST_REMOVE(as, link);
		free(as);
		*v->slot = 0;
		return;
	}
	if (as->interim_s > 0)
		rg_timer_start(r->loop, &as->timer,
		    (uint64_t)as->interim_s * 1000);
}

int
radius_acct_attach(struct radius *r, struct sess_reg *sr)
{
	LIST_INIT(&r->acct);
	r->sess = sr;
	return sess_listen(sr, acct_event, r);
}

void
radius_acct_free(struct radius *r)
{
	struct radius_acct_sess	*as;
	size_t			 n = r->acct_qlen;

	/* Waiting records stay in the store for the next run. */
	rg_timer_stop(r->loop, &r->acct_retry);
	while (!TAILQ_EMPTY(&r->acct_q))
		rec_free(r, TAILQ_FIRST(&r->acct_q), false);
	if (n > 0)
		rg_notice(RADIUS, "%zu accounting record(s) not yet taken by "
		    "a server %s", n, r->store != NULL ? "stay in the store" :
		    "are lost (no store)");
	if (r->sess == NULL)
		return;
	while ((as = LIST_FIRST(&r->acct)) != NULL) {
		LIST_REMOVE(as, link);
		rg_timer_stop(r->loop, &as->timer);
		free(as);
	}
}
