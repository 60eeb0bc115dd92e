/*
 * rg_engine.c: wires the protocol engines to the daemon core: the pool
 * manager (its leases persisted in the store), the data plane, the
 * session registry (server/sess/: leases, vip routes, history, the
 * session list, DHCPINFORM), the auth service every protocol asks
 * (server/auth/), the IKEv2 engine as a session provider and
 * the IKE sockets; and composes the run-time status.
 */
#include <stdlib.h>

#include "auth.h"
#include "dp.h"
#include "ike_sock.h"
#include "ike_spi.h"
#include "ikev1.h"
#include "ikev2.h"
#include "pool/pool.h"
#include "radius.h"
#include "rg_engine.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"
#include "store.h"

struct rg_engine {
	struct rg_loop		*loop;		/* borrowed */
	struct rg_config	*cfg;		/* counted reference */
	struct rg_engine_opts	 opts;

	struct pool_mgr		*pools;		/* owned */
	struct sess_reg		*sess;		/* owned */
	struct auth		*auth;		/* owned: one for every protocol
						 * (one login throttle) */
	struct radius		*radius;	/* owned: auth backend (local
						 * or RADIUS), accounting */
	struct dp		*dp;		/* owned; NULL: control plane only */
	struct ikev2_engine	*ike;		/* owned */
	struct ikev1_engine	*ike1;		/* owned */
	struct ike_sock		*sock;		/* owned */
};

struct rg_engine *
rg_engine_new(struct rg_loop *loop, const struct rg_engine_opts *opts,
    struct rg_config *cfg)
{
	struct rg_engine	*e;
	struct pool_persist	 persist;
	struct sess_opts	 so;
	struct dp_events	 dev = { 0 };
	struct rg_addr		*local = NULL;
	size_t			 nlocal = 0;
	const char		*kind;
	struct ike_spis		*spis;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->loop = loop;
	e->opts = *opts;
	e->cfg = rg_config_ref(cfg);

	sess_lease_persist(opts->store, &persist);
	if ((e->pools = pool_mgr_new(opts->store ? &persist : NULL)) == NULL)
		goto fail;
	if (pool_local_addrs(&local, &nlocal) == 0) {
		pool_mgr_set_local(e->pools, local, nlocal);
		free(local);
	}
	/* Configures the pools and restores the persisted leases. */
	so = (struct sess_opts){ .pools = e->pools, .store = opts->store };
	if ((e->sess = sess_reg_new(loop, cfg, &so)) == NULL)
		goto fail;

	kind = opts->dataplane ? opts->dataplane :
	    cfg->settings.dataplane ? cfg->settings.dataplane : "auto";
	sess_dp_events(e->sess, &dev);
	if ((e->dp = dp_new(loop, kind, NULL, (int)cfg->settings.dp_threads,
	    &dev)) == NULL)
		rg_err(ESP, "no data plane (%s): tunnels will negotiate but "
		    "carry no traffic", kind);
	else
		dp_forwarding_apply(e->dp, &cfg->settings);	/* dp_fwd.c */
	sess_reg_set_dp(e->sess, e->dp);

	/* The backend follows the setting auth_backend (radius.h). */
	if ((e->radius = radius_new(loop, cfg, e->sess)) == NULL ||
	    (e->auth = auth_new(loop, cfg, &radius_auth_ops, e->radius)) ==
	    NULL)
		goto fail;
	radius_set_store(e->radius, opts->store);	/* accounting queue */
	if ((e->ike = ikev2_engine_new(loop, cfg, e->dp, e->sess)) == NULL)
		goto fail;
	ikev2_engine_set_auth(e->ike, e->auth);
	if ((e->sock = ike_sock_new(loop, opts->ike_port, opts->natt_port,
	    e->dp)) == NULL) {
		rg_err(IKE, "cannot listen on UDP %u/%u", opts->ike_port,
		    opts->natt_port);
		goto fail;
	}
	/* The IKEv1 engine (a session provider too) beside IKEv2, with one
	 * table of local SPIs (IKE SPIs, cookies, ESP SPIs) for both
	 * versions, so they never hand out the same value. */
	if ((e->ike1 = ikev1_engine_new(loop, cfg, e->dp, e->sess)) == NULL)
		goto fail;
	ikev1_engine_set_auth(e->ike1, e->auth);	/* XAuth: one throttle */
	if ((spis = ike_spis_new()) == NULL ||
	    ikev2_engine_set_spis(e->ike, spis) < 0 ||
	    ikev1_engine_set_spis(e->ike1, spis) < 0) {
		ike_spis_unref(spis);
		goto fail;
	}
	ike_spis_unref(spis);
	ikev2_engine_attach(e->ike, e->sock);
	ikev1_engine_attach(e->ike1, e->sock);
	return e;
fail:
	rg_engine_free(e);
	return NULL;
}

int
rg_engine_reconfigure(struct rg_engine *e, struct rg_config *cfg)
{
	if (sess_reg_reconfigure(e->sess, cfg) < 0)
		return -1;
	if (e->ike && ikev2_engine_reconfigure(e->ike, cfg) < 0)
		return -1;
	if (e->auth)
		auth_reconfigure(e->auth, cfg);
	if (e->dp)
		dp_forwarding_apply(e->dp, &cfg->settings);
	if (e->ike1 && ikev1_engine_reconfigure(e->ike1, cfg) < 0)
		return -1;
	rg_config_unref(e->cfg);
	e->cfg = rg_config_ref(cfg);
	return 0;
}

void
rg_engine_shutdown(struct rg_engine *e)
{
	if (e == NULL)
		return;
	if (e->ike)
		ikev2_engine_shutdown(e->ike);
	if (e->ike1)
		ikev1_engine_shutdown(e->ike1);
}

void
rg_engine_free(struct rg_engine *e)
{
	if (e == NULL)
		return;
	ike_sock_free(e->sock);
	ikev1_engine_free(e->ike1);	/* its sessions end too */
	ikev2_engine_free(e->ike);	/* its sessions end: routes, leases */
	auth_free(e->auth);		/* after its askers: nothing pends */
	sess_reg_free(e->sess);
	radius_free(e->radius);		/* after the sessions' Stop */
	dp_free(e->dp);
	pool_mgr_free(e->pools);
	rg_config_unref(e->cfg);
	free(e);
}

json_t *
rg_engine_status(struct rg_engine *e)
{
	json_t		*st, *pools;
	uint64_t	 answered, dropped;

	st = e->ike ? ikev2_engine_status_json(e->ike) : NULL;
	if (st == NULL)
		st = json_object();
	json_object_set_new(st, "sessions", rg_engine_sessions(e));
	if (e->ike1 != NULL)
		json_object_set_new(st, "ikev1",
		    ikev1_engine_status_json(e->ike1));
	if ((pools = pool_mgr_status_json(e->pools, NULL)) != NULL)
		json_object_set_new(st, "pools", pools);
	json_object_set_new(st, "dataplane",
	    json_string(e->dp ? dp_kind(e->dp) : "none"));
	if (e->dp != NULL) {
		struct dp_stats	 d;

		dp_get_stats(e->dp, &d);
		json_object_set_new(st, "dataplane_stats", json_pack(
		    "{s:i,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "workers", (int)d.workers, "steered", d.steered,
		    "packets", (json_int_t)d.packets,
		    "handed", (json_int_t)d.handed,
		    "no_sa_in", (json_int_t)d.no_sa_in,
		    "no_sa_out", (json_int_t)d.no_sa_out,
		    "bad_inner", (json_int_t)d.bad_inner,
		    "policy", (json_int_t)d.policy,
		    "tx_err", (json_int_t)d.tx_err,
		    "ring_full", (json_int_t)d.ring_full));
	}
	if (e->radius != NULL)
		json_object_set_new(st, "radius", radius_status(e->radius));
	sess_dhcp_stats(e->sess, &answered, &dropped);
	json_object_set_new(st, "dhcp", json_pack("{s:I,s:I}", "answered",
	    (json_int_t)answered, "dropped", (json_int_t)dropped));
	return st;
}

json_t *
rg_engine_sessions(struct rg_engine *e)
{
	return e->sess != NULL ? sess_list_json(e->sess) : json_array();
}

int
rg_engine_kill_session(struct rg_engine *e, uint64_t session_id,
    const char *why)
{
	if (e->sess == NULL || session_id == 0)
		return -1;
	return sess_kick(e->sess, session_id, why);
}

json_t *
rg_engine_pool_status(struct rg_engine *e, const char *pool)
{
	json_t		*st = pool_mgr_status_json(e->pools, pool), *l, *v;
	size_t		 i;

	if (st == NULL)
		return json_pack("{s:[]}", "leases");
	/* Leases of this run name the session as the API does (the id
	 * DELETE /v1/sessions/ID takes); older runs' stay as stored. */
	json_array_foreach(json_object_get(st, "leases"), i, l) {
		v = json_object_get(l, "session");
		if (json_is_integer(v))
			json_object_set_new(l, "session", json_integer(
			    (json_int_t)sess_key_to_id(e->sess,
			    (uint64_t)json_integer_value(v))));
	}
	return st;
}

unsigned int
rg_engine_sessions_on_old_profile(struct rg_engine *e, const char *profile,
    uint32_t generation)
{
	/* A live session holds the snapshot it started under; any session
	 * on this profile started before the change runs the old one. */
	(void)generation;
	return e->sess != NULL ? sess_count_on_profile(e->sess, profile) : 0;
}
