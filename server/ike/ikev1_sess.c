/*
 * ikev1_sess.c: IKEv1 as a session provider (server/sess/sess.h).  The
 * session opens once XAuth names the user (or, PSK alone, once main
 * mode named the peer), mode-config asks it for the address, quick-mode
 * SAs join it by reqid, the first one reports it up.  The registry
 * reaches back through kill (DELETE to the client), the ESP counters and
 * the IKEv1 fields of the session list.
 */
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "ikev1_int.h"

static int
prov_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	(void)arg;
	return ikev1_sa_kill(ctx, cause, why);
}

static void
prov_counters(void *arg, void *ctx, struct sess_counters *c)
{
	struct ikev1_engine	*e = arg;
	struct ikev1_isakmp	*sa = ctx;
	struct dp_counters	 k;

	for (struct ikev1_child *ch = sa->children; ch; ch = ch->next) {
		if (e->dp == NULL || !ch->installed)
			continue;
		if (dp_sa_counters(e->dp, ch->spi_in, true, &k) == 0) {
			c->bytes_in += k.bytes;
			c->packets_in += k.packets;
		}
		if (dp_sa_counters(e->dp, ch->spi_out, false, &k) == 0) {
			c->bytes_out += k.bytes;
			c->packets_out += k.packets;
		}
	}
}

static void
prov_status(void *arg, void *ctx, json_t *s)
{
	struct ikev1_isakmp	*sa = ctx;
	char			 buf[128];

	(void)arg;
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)sa->cki);
	json_object_set_new(s, "spi_i", json_string(buf));
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)sa->ckr);
	json_object_set_new(s, "spi_r", json_string(buf));
	snprintf(buf, sizeof(buf), "%s-%s-%s", sa->encr->kw, sa->prf->kw + 3,
	    sa->dh_alg->kw);
	json_object_set_new(s, "ike", json_string(buf));
	json_object_set_new(s, "group", json_string(sa->idi));
	if (sa->children != NULL)
		json_object_set_new(s, "esp",
		    json_string(sa->children->alg));
}

static const struct sess_provider_ops ikev1_prov_ops = {
	.name = "ikev1",
	.kill = prov_kill,
	.counters = prov_counters,
	.status = prov_status,
};

/* Same outer address and port. */
static bool
same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a;
	const struct sockaddr_in	*b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a;
	const struct sockaddr_in6	*b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/*
 * RFC 2407 4.6.3.3: the client has no SA with us any more; what we hold
 * for the same user is stale (a device that rebooted or lost its
 * state).  A "%any:<ID>" user is no one proven: the ID is whatever the
 * client claims, and L2TP/IPsec clients behind one NAT often claim the
 * same private address (PRODUCT.md fact 4), so for it only an SA from
 * the same outer address and port is stale.
 */
static void
initial_contact(struct ikev1_isakmp *sa)
{
	struct ikev1_isakmp	*o, *n;
	bool			 any = strncmp(sa->user, "%any:", 5) == 0;

	for (o = sa->eng->all; o != NULL; o = n) {
		n = o->next;
		if (o == sa || o->state != IKEV1_S_ESTABLISHED ||
		    strcmp(o->user, sa->user) != 0 ||
		    (any && !same_peer(&o->peer, &sa->peer)))
			continue;
		ikev1_log(o, NOTICE, "INITIAL-CONTACT from '%s' on a new SA: "
		    "this older one ends", sa->user);
		ikev1_sa_end(o, SESS_CAUSE_USER_REQUEST, "INITIAL-CONTACT");
	}
}

/*
 * Phase-1 re-login: Windows and Apple start a fresh main mode (Apple a
 * fresh XAuth too) before the old ISAKMP SA expires, without
 * INITIAL-CONTACT.  The same user from the same outer address and port
 * takes the older SA's session over: its id, lease and ESP SAs carry on;
 * the older SA stays until the client deletes it or it expires, holding
 * nothing.  True when taken over.
 */
static bool
takeover(struct ikev1_isakmp *sa)
{
	struct ikev1_isakmp	*o;
	struct ikev1_child	**tail;

	for (o = sa->eng->all; o != NULL; o = o->next) {
		if (o == sa || o->sess == NULL ||
		    o->state != IKEV1_S_ESTABLISHED ||
		    strcmp(o->user, sa->user) != 0 ||
		    !same_peer(&o->peer, &sa->peer))
			continue;
		sa->sess = o->sess;
		sa->session_id = o->session_id;
		sa->vip = o->vip;
		o->sess = NULL;
		memset(&o->vip, 0, sizeof(o->vip));
		sess_set_ctx(sa->sess, sa);
		for (tail = &sa->children; *tail != NULL; tail = &(*tail)->next)
			;
		*tail = o->children;
		o->children = NULL;
		ikev1_child_arm(o);
		ikev1_child_arm(sa);
		ikev1_log(sa, INFO, "session %llu of '%s' carried over from "
		    "the older ISAKMP SA %016llx (phase-1 re-login)",
		    (unsigned long long)sa->session_id, sa->user,
		    (unsigned long long)o->cki);
		return true;
	}
	return false;
}

int
ikev1_sess_open(struct ikev1_isakmp *sa)
{
	struct ikev1_engine	*e = sa->eng;
	struct sess_provider	 prov = { &ikev1_prov_ops, e };
	struct sess_info	 in;

	in = (struct sess_info){
		.user = sa->user,
		.method = ikev1_auth_method_name(sa->auth_method),
		.profile = sa->profile,
		.peer = (const struct sockaddr *)&sa->peer,
		.local = (const struct sockaddr *)&sa->local,
	};
	if (sa->initial_contact)
		initial_contact(sa);
	else if (takeover(sa))
		return 0;
	if (e->sess == NULL)
		return 0;
	if ((sa->sess = sess_open(e->sess, &prov, sa, &in)) == NULL)
		return -1;
	sa->session_id = sess_id(sa->sess);
	return 0;
}

int
ikev1_sa_kill(struct ikev1_isakmp *sa, enum sess_cause cause, const char *why)
{
	if (sa == NULL || sa->state == IKEV1_S_DEAD)
		return -1;
	ikev1_log(sa, NOTICE, "session %llu of '%s' ended by us: %s",
	    (unsigned long long)sa->session_id, sa->user, why);
	ikev1_send_delete_isakmp(sa);
	ikev1_sa_end(sa, cause, why);
	return 0;
}
