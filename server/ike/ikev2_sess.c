/*
 * ikev2_sess.c: IKEv2 as a session provider (server/sess/sess.h).  An
 * authenticated IKE SA opens a session in the registry; CP asks it for
 * addresses (ikev2_cp.c), the first CHILD_SA's reqid and the next ones
 * join it (ikev2_child.c), it is reported up once established and ended
 * with a cause when the IKE SA goes (ikev2_sa.c).  The registry reaches
 * back through the callbacks here: kill (DELETE to the peer, RFC 7296
 * 1.4.1), the traffic counters of the CHILD_SAs, the IKE fields of the
 * session list.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "ikev2_int.h"

static int
prov_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	(void)arg;
	return ikev2_sa_kill(ctx, cause, why);
}

static void
prov_counters(void *arg, void *ctx, struct sess_counters *c)
{
	struct ikev2_engine	*e = arg;
	struct ikev2_sa		*sa = ctx;
	struct dp_counters	 k;

	for (struct ikev2_child *ch = sa->children; ch; ch = ch->next) {
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
	struct ikev2_sa	*sa = ctx;
	char		 buf[128], spi[20];

	(void)arg;
	snprintf(spi, sizeof(spi), "%016llx", (unsigned long long)sa->spi_i);
	json_object_set_new(s, "spi_i", json_string(spi));
	snprintf(spi, sizeof(spi), "%016llx", (unsigned long long)sa->spi_r);
	json_object_set_new(s, "spi_r", json_string(spi));
	ikev2_chosen_str(&sa->alg, buf, sizeof(buf));
	json_object_set_new(s, "ike", json_string(buf));
	if (sa->children != NULL) {
		ikev2_chosen_str(&sa->children->alg, buf, sizeof(buf));
		json_object_set_new(s, "esp", json_string(buf));
	}
}

static const struct sess_provider_ops ikev2_prov_ops = {
	.name = "ikev2",
	.kill = prov_kill,
	.counters = prov_counters,
	.status = prov_status,
};

/* The authentication's granted attributes, kept until the session opens. */
void
ikev2_sess_granted(struct ikev2_sa *sa, const struct auth_result *r)
{
	struct ikev2_hs	*hs = sa->hs;

	if (hs == NULL)
		return;
	memset(&hs->grant, 0, sizeof(hs->grant));
	hs->grant_profile[0] = '\0';
	if (r == NULL)
		return;
	hs->grant.address = r->address;
	snprintf(hs->grant.pool, sizeof(hs->grant.pool), "%s", r->pool);
	hs->grant.session_timeout_s = r->session_timeout_s;
	hs->grant.idle_timeout_s = r->idle_timeout_s;
	hs->grant.dns4[0] = r->dns4[0];
	hs->grant.dns4[1] = r->dns4[1];
	snprintf(hs->grant_profile, sizeof(hs->grant_profile), "%s",
	    r->profile);
}

int
ikev2_sess_open(struct ikev2_sa *sa)
{
	struct ikev2_engine	*e = sa->eng;
	struct sess_provider	 prov = { &ikev2_prov_ops, e };
	struct sess_info	 in;
	char			 method[40];

	snprintf(method, sizeof(method), "ikev2-%s", sa->auth_method);
	in = (struct sess_info){
		.user = sa->user,
		.method = method,
		.profile = sa->profile,
		.peer = (const struct sockaddr *)&sa->peer,
		.local = (const struct sockaddr *)&sa->local,
	};
	sa->sess = e->sess != NULL ? sess_open(e->sess, &prov, sa, &in) :
	    NULL;
	sa->session_id = sa->sess != NULL ? sess_id(sa->sess) : 0;
	if (sa->sess != NULL && sa->hs != NULL)
		sess_set_grant(sa->sess, &sa->hs->grant);
	return e->sess != NULL && sa->sess == NULL ? -1 : 0;
}

int
ikev2_sa_kill(struct ikev2_sa *sa, enum sess_cause cause, const char *why)
{
	if (sa == NULL || sa->state != IKEV2_S_ESTABLISHED)
		return -1;
	ikev2_log(sa, NOTICE, "session %llu of '%s' ended by us: %s",
	    (unsigned long long)sa->session_id,
	    sa->user[0] ? sa->user : sa->idi, why);
	ikev2_send_delete_ike(sa);
	ikev2_sa_end(sa, cause, why);
	return 0;
}
