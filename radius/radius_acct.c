/*
 * radius_acct.c: RADIUS accounting (RFC 2866) as a listener of the
 * session registry: Start when a session is up, Interim-Update on a
 * timer, Stop with its Acct-Terminate-Cause (sess_cause_radius()),
 * counters with Gigawords (RFC 2869 5.1, 5.2), Class echoed from the
 * user's Access-Accept; Accounting-On when servers first appear.
 *
 * A record no server takes is logged and counted, not kept (the
 * store-and-forward queue is not in this slice).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radius_client.h"
#include "radius_int.h"
#include "rg_config.h"
#include "rg_log.h"
#include "sess.h"

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

static void
acct_done(void *arg, const struct rad_answer *a)
{
	struct radius	*r = arg;

	if (a->status == RAD_OK)
		return;
	r->acct_failed++;
	rg_warn(RADIUS, "an accounting record was lost: no RADIUS server "
	    "answered (%llu so far)", (unsigned long long)r->acct_failed);
}

static void
acct_send(struct radius *r, struct rad_attrs *a)
{
	if (rad_client_nservers(r->client) == 0)
		return;
	if (rad_send(r->client, RAD_ACCT_REQUEST, a, NULL, acct_done, r) ==
	    NULL) {
		r->acct_failed++;
		rg_warn(RADIUS, "an accounting record could not be sent");
	}
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

	if (r->sess == NULL)
		return;
	while ((as = LIST_FIRST(&r->acct)) != NULL) {
		LIST_REMOVE(as, link);
		rg_timer_stop(r->loop, &as->timer);
		free(as);
	}
}
