/*
 * rg_engine.c: wires the protocol engines to the daemon core: the IKE
 * sockets and the IKEv2 engine, the data plane, the pool manager (its
 * leases persisted in the store) and session history in the store.
 *
 * Session ids: the IKEv2 engine numbers sessions from 1 at each start;
 * the pool and the store see (boot second << 24 | id) so that leases
 * restored from a previous run never collide with a new session.  The
 * API and roadgatectl use the engine's id (status "session_id").
 *
 * One session per user: when the pool hands an address to a newer
 * session of a one_session profile it names the older one, which is
 * torn down (DELETE sent) right there, before the new CHILD_SA is set up.
 *
 * DHCPINFORM (RFC 2131 4.3.5; Windows asks for split routes after
 * connecting, PRODUCT.md fact 3): the data plane hands us a packet to UDP
 * 67 that came through a CHILD_SA; the reqid gives the session, its
 * profile gives routes (options 121/249), DNS, domain and WINS, and the
 * answer goes back into the same CHILD_SA.  Our address in the answer
 * (source, server identifier, router of the routes) is the gateway's
 * LAN-side address: the first host of the profile's first IPv4 split
 * network (198.51.100.1 for 198.51.100.0/24), which lies inside the
 * CHILD_SA's traffic selectors; a full-tunnel profile uses the IKE
 * address the session came to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp.h"
#include "pool/dhcp_inform.h"
#include "ike_sock.h"
#include "ikev2.h"
#include "pool/pool.h"
#include "rg_engine.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "store.h"

struct rg_engine {
	struct rg_loop		*loop;		/* borrowed */
	struct rg_config	*cfg;		/* counted reference */
	struct rg_engine_opts	 opts;
	uint64_t		 boot;		/* unix seconds at start */

	struct pool_mgr		*pools;		/* owned */
	struct dp		*dp;		/* owned; NULL: control plane only */
	struct ikev2_engine	*ike;		/* owned */
	struct ike_sock		*sock;		/* owned */
	struct rg_timer		 t_tick;	/* pool reservations expiry */
	uint64_t		 dhcp_answered, dhcp_dropped;

	/* session id (as the pool sees it) -> store history row */
	struct sess_map {
		uint64_t	 sid, hist;
	}			*hist;
	size_t			 nhist, caphist;
};

static uint64_t
global_sid(const struct rg_engine *e, uint64_t sid)
{
	return e->boot << 24 | (sid & 0xffffff);
}

/* --- pool persistence in the store ------------------------------------ */

static int
persist_put(void *arg, const struct pool_lease_rec *r)
{
	struct rg_engine	*e = arg;
	struct store_lease	 l = {
		.pool = r->pool,
		.addr = r->addr,
		.user = r->user,
		.session_id = r->session,
		.state = r->state == POOL_LEASE_ACTIVE ? "bound" : "reserved",
	};

	return store_lease_put(e->opts.store, &l);
}

static int
persist_del(void *arg, const struct pool_lease_rec *r)
{
	struct rg_engine	*e = arg;

	return store_lease_del(e->opts.store, r->pool, &r->addr);
}

struct restore_ctx {
	struct pool_lease_rec	*recs;
	char			**strs;
	size_t			 n, cap;
};

static int
restore_collect(const struct store_lease *l, void *arg)
{
	struct restore_ctx	*c = arg;
	struct pool_lease_rec	*nr;
	char			**ns;
	size_t			 ncap;

	if (c->n == c->cap) {
		ncap = c->cap ? c->cap * 2 : 64;
		if ((nr = realloc(c->recs, ncap * sizeof(*nr))) == NULL)
			return -1;
		c->recs = nr;
		if ((ns = realloc(c->strs, ncap * 2 * sizeof(*ns))) == NULL)
			return -1;
		c->strs = ns;
		c->cap = ncap;
	}
	c->strs[2 * c->n] = strdup(l->pool ? l->pool : "");
	c->strs[2 * c->n + 1] = strdup(l->user ? l->user : "");
	c->recs[c->n] = (struct pool_lease_rec){
		.addr = l->addr,
		.pool = c->strs[2 * c->n],
		.user = c->strs[2 * c->n + 1],
		.session = l->session_id,
		.state = l->state && strcmp(l->state, "bound") == 0 ?
		    POOL_LEASE_ACTIVE : POOL_LEASE_RESERVED,
		.since = l->updated > 0 ? (uint64_t)l->updated : 0,
	};
	c->n++;
	return 0;
}

static void
pools_restore(struct rg_engine *e)
{
	struct restore_ctx	 c = { 0 };
	size_t			 i;
	int			 kept;

	if (e->opts.store == NULL)
		return;
	if (store_lease_list(e->opts.store, NULL, restore_collect, &c) < 0)
		rg_warn(POOL, "could not read the persisted leases");
	/* No session survives a restart: every lease becomes reserved. */
	kept = pool_mgr_restore(e->pools, c.recs, c.n, NULL, 0);
	if (c.n)
		rg_notice(POOL, "restored %zu persisted lease(s), %d kept "
		    "reserved for their users", c.n, kept < 0 ? 0 : kept);
	for (i = 0; i < 2 * c.n; i++)
		free(c.strs[i]);
	free(c.strs);
	free(c.recs);
}

static void
tick(struct rg_timer *t)
{
	struct rg_engine	*e = t->arg;

	pool_mgr_tick(e->pools);
	rg_timer_start(e->loop, &e->t_tick, 60 * 1000);
}

/* --- hooks from the IKEv2 engine --------------------------------------- */

static int
hook_lease_acquire(void *arg, const char *user, const char *profile,
    uint64_t session_id, int af, const struct rg_addr *requested,
    struct rg_addr *out, char *why, size_t whylen)
{
	struct rg_engine	*e = arg;
	struct pool_req		 req = {
		.user = user,
		.profile = rg_config_profile(e->cfg, profile),
		.session_id = global_sid(e, session_id),
		.af = af,
	};
	struct pool_grant	 g;
	int			 rc;

	(void)requested;	/* a client's wish is advice only */
	rc = pool_acquire(e->pools, e->cfg, &req, &g, why, whylen);
	if (rc < 0)
		return -1;
	*out = g.addr;
	if (g.replaced_session != 0 && (g.replaced_session >> 24) == e->boot &&
	    e->ike != NULL) {
		rg_notice(POOL, "'%s': one session per user, the new session "
		    "%llu replaces session %llu", user,
		    (unsigned long long)session_id,
		    (unsigned long long)(g.replaced_session & 0xffffff));
		(void)ikev2_engine_kill_session(e->ike,
		    g.replaced_session & 0xffffff,
		    "replaced by a newer session of the same user");
	}
	return 0;
}

static void
hook_lease_release(void *arg, uint64_t session_id)
{
	struct rg_engine	*e = arg;

	pool_release(e->pools, global_sid(e, session_id));
}

static void
hook_session_up(void *arg, const struct ikev2_session_info *si)
{
	struct rg_engine	*e = arg;
	struct sess_map		*n;
	uint64_t		 hist;
	size_t			 ncap;

	if (e->opts.store == NULL || store_session_begin(e->opts.store,
	    si->user, "ikev2", si->method, si->peer, si->vip, &hist) < 0)
		return;
	if (e->nhist == e->caphist) {
		ncap = e->caphist ? e->caphist * 2 : 16;
		if ((n = realloc(e->hist, ncap * sizeof(*n))) == NULL)
			return;
		e->hist = n;
		e->caphist = ncap;
	}
	e->hist[e->nhist++] = (struct sess_map){
	    global_sid(e, si->session_id), hist };
}

static void
hook_session_down(void *arg, const struct ikev2_session_info *si)
{
	struct rg_engine	*e = arg;
	uint64_t		 sid = global_sid(e, si->session_id);
	size_t			 i;

	for (i = 0; i < e->nhist; i++) {
		if (e->hist[i].sid != sid)
			continue;
		store_session_end(e->opts.store, e->hist[i].hist,
		    si->bytes_in, si->bytes_out, si->cause);
		e->hist[i] = e->hist[--e->nhist];
		return;
	}
}

/* --- DHCPINFORM through the tunnel ------------------------------------- */

/* Our address as the client's DHCP server (see the top of the file). */
static int
dhcp_server_addr(const struct rg_profile *p, const struct sockaddr_storage *l,
    struct rg_addr *out)
{
	size_t	 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; p != NULL && i < p->nsplit; i++) {
		if (p->split[i].af != AF_INET || p->split[i].plen > 30)
			continue;
		out->af = AF_INET;
		memcpy(out->addr, p->split[i].addr, 4);
		out->addr[3] |= 1;	/* a /30 or wider: .1 is a host */
		return 0;
	}
	if (l->ss_family != AF_INET)
		return -1;
	out->af = AF_INET;
	memcpy(out->addr, &((const struct sockaddr_in *)l)->sin_addr, 4);
	return 0;
}

static void
dp_dhcp_inform(void *arg, uint32_t reqid, const uint8_t *pkt, size_t len)
{
	struct rg_engine		*e = arg;
	struct ikev2_session_ref	 ref;
	const struct rg_profile		*p;
	struct rg_addr			 server;
	uint8_t				 ans[DHCP_ANSWER_MAX];
	size_t				 alen;
	int				 rc;

	if (e->ike == NULL || e->dp == NULL ||
	    ikev2_engine_reqid_info(e->ike, reqid, &ref) < 0) {
		e->dhcp_dropped++;
		rg_debug(POOL, "dhcp: packet on CHILD_SA reqid %u of no "
		    "session, dropped", reqid);
		return;
	}
	p = rg_config_profile(e->cfg, ref.profile);
	if (dhcp_server_addr(p, &ref.local, &server) < 0) {
		e->dhcp_dropped++;
		rg_debug(POOL, "dhcp: no IPv4 address to answer '%s' from",
		    ref.user);
		return;
	}
	rc = dhcp_inform_answer(pkt, len, p, &server, ans, sizeof(ans), &alen);
	if (rc < 0) {
		e->dhcp_dropped++;
		rg_debug(POOL, "dhcp: request of '%s' (session %llu) not "
		    "answered: %s", ref.user,
		    (unsigned long long)ref.session_id, strerror(-rc));
		return;
	}
	if (dp_send_to_client(e->dp, reqid, ans, alen) < 0) {
		e->dhcp_dropped++;
		rg_debug(POOL, "dhcp: answer to '%s' not sent", ref.user);
		return;
	}
	e->dhcp_answered++;
	rg_info(POOL, "dhcp: answered the DHCPINFORM of '%s' (session %llu, "
	    "profile %s)", ref.user, (unsigned long long)ref.session_id,
	    ref.profile);
}

/* --- life cycle --------------------------------------------------------- */

struct rg_engine *
rg_engine_new(struct rg_loop *loop, const struct rg_engine_opts *opts,
    struct rg_config *cfg)
{
	struct rg_engine	*e;
	struct pool_persist	 persist;
	struct ikev2_hooks	 hooks;
	struct dp_events	 dev = { .dhcp_inform = dp_dhcp_inform };
	struct rg_addr		*local = NULL;
	size_t			 nlocal = 0;
	char			 why[256];
	const char		*kind;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->loop = loop;
	e->opts = *opts;
	e->cfg = rg_config_ref(cfg);
	e->boot = (uint64_t)time(NULL);
	dev.arg = e;

	persist = (struct pool_persist){ persist_put, persist_del, e };
	if ((e->pools = pool_mgr_new(opts->store ? &persist : NULL)) == NULL)
		goto fail;
	pool_mgr_set_sticky(e->pools, cfg->settings.sticky_s);
	if (pool_local_addrs(&local, &nlocal) == 0) {
		pool_mgr_set_local(e->pools, local, nlocal);
		free(local);
	}
	if (pool_mgr_configure(e->pools, cfg, why, sizeof(why)) < 0)
		rg_err(POOL, "pools not usable: %s", why);
	pools_restore(e);
	rg_timer_init(&e->t_tick, tick, e);
	rg_timer_start(loop, &e->t_tick, 60 * 1000);

	kind = opts->dataplane ? opts->dataplane :
	    cfg->settings.dataplane ? cfg->settings.dataplane : "auto";
	if ((e->dp = dp_new(loop, kind, NULL, (int)cfg->settings.dp_threads,
	    &dev)) == NULL)
		rg_err(ESP, "no data plane (%s): tunnels will negotiate but "
		    "carry no traffic", kind);
	else
		dp_forwarding_apply(e->dp, &cfg->settings);	/* dp_fwd.c */

	hooks = (struct ikev2_hooks){
		.lease_acquire = hook_lease_acquire,
		.lease_release = hook_lease_release,
		.session_up = hook_session_up,
		.session_down = hook_session_down,
		.arg = e,
	};
	if ((e->ike = ikev2_engine_new(loop, cfg, e->dp, &hooks)) == NULL)
		goto fail;
	if ((e->sock = ike_sock_new(loop, opts->ike_port, opts->natt_port,
	    e->ike, e->dp)) == NULL) {
		rg_err(IKE, "cannot listen on UDP %u/%u", opts->ike_port,
		    opts->natt_port);
		goto fail;
	}
	return e;
fail:
	rg_engine_free(e);
	return NULL;
}

int
rg_engine_reconfigure(struct rg_engine *e, struct rg_config *cfg)
{
	char	 why[256];

	if (pool_mgr_configure(e->pools, cfg, why, sizeof(why)) < 0) {
		rg_err(POOL, "new configuration refused by the pools: %s", why);
		return -1;
	}
	pool_mgr_set_sticky(e->pools, cfg->settings.sticky_s);
	if (e->ike && ikev2_engine_reconfigure(e->ike, cfg) < 0)
		return -1;
	if (e->dp)
		dp_forwarding_apply(e->dp, &cfg->settings);
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
}

void
rg_engine_free(struct rg_engine *e)
{
	if (e == NULL)
		return;
	ike_sock_free(e->sock);
	ikev2_engine_free(e->ike);
	dp_free(e->dp);
	rg_timer_stop(e->loop, &e->t_tick);
	pool_mgr_free(e->pools);
	free(e->hist);
	rg_config_unref(e->cfg);
	free(e);
}

json_t *
rg_engine_status(struct rg_engine *e)
{
	json_t	*st, *pools;

	st = e->ike ? ikev2_engine_status_json(e->ike) : NULL;
	if (st == NULL)
		st = json_pack("{s:[]}", "sessions");
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
	json_object_set_new(st, "dhcp", json_pack("{s:I,s:I}", "answered",
	    (json_int_t)e->dhcp_answered, "dropped",
	    (json_int_t)e->dhcp_dropped));
	return st;
}

json_t *
rg_engine_sessions(struct rg_engine *e)
{
	json_t	*st, *s;

	if (e->ike == NULL || (st = ikev2_engine_status_json(e->ike)) == NULL)
		return json_array();
	s = json_incref(json_object_get(st, "sessions"));
	json_decref(st);
	return s ? s : json_array();
}

int
rg_engine_kill_session(struct rg_engine *e, uint64_t session_id,
    const char *why)
{
	if (e->ike == NULL || session_id == 0 || session_id > 0xffffff)
		return -1;
	return ikev2_engine_kill_session(e->ike, session_id, why);
}

json_t *
rg_engine_pool_status(struct rg_engine *e, const char *pool)
{
	json_t		*st = pool_mgr_status_json(e->pools, pool), *l, *v;
	uint64_t	 sid;
	size_t		 i;

	if (st == NULL)
		return json_pack("{s:[]}", "leases");
	/* Leases of this run name the session as the API does (the id
	 * DELETE /v1/sessions/ID takes); older runs' stay as stored. */
	json_array_foreach(json_object_get(st, "leases"), i, l) {
		v = json_object_get(l, "session");
		sid = (uint64_t)json_integer_value(v);
		if (json_is_integer(v) && (sid >> 24) == e->boot)
			json_object_set_new(l, "session",
			    json_integer((json_int_t)(sid & 0xffffff)));
	}
	return st;
}

unsigned int
rg_engine_sessions_on_old_profile(struct rg_engine *e, const char *profile,
    uint32_t generation)
{
	json_t		*st, *s;
	size_t		 i;
	unsigned int	 n = 0;

	/* A live session holds the snapshot it started under; any session
	 * on this profile started before the change runs the old one. */
	if (e->ike == NULL || (st = ikev2_engine_status_json(e->ike)) == NULL)
		return 0;
	json_array_foreach(json_object_get(st, "sessions"), i, s) {
		const char *p = json_string_value(json_object_get(s, "profile"));

		if (p && strcmp(p, profile) == 0)
			n++;
	}
	json_decref(st);
	return n;
}
