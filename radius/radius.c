/*
 * radius.c: the RADIUS module for the daemon (radius.h): servers from the
 * configuration snapshot, the attributes every request carries, the auth
 * backend and its mapping of Access-Accept attributes.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "radius.h"
#include "radius_client.h"
#include "radius_dae.h"
#include "radius_int.h"
#include "rg_buf.h"
#include "rg_config.h"
#include "rg_log.h"

/* A question on its way to a RADIUS server. */
struct rauth {
	struct radius		*r;
	struct auth_call	*call;
	struct rad_req		*req;
	LIST_ENTRY(rauth)	 link;
};

static const char *
backend_mode(const struct rg_config *cfg)
{
	const char	*m = cfg->settings.auth_backend;

	return m != NULL && *m != '\0' ? m : "local";
}

/* --- servers from the configuration ------------------------------------ */

/* Was server s already relaxed in the snapshot before (warned then)? */
static bool
was_relaxed(const struct rg_config *old, const struct rg_radius *s)
{
	size_t	 i;

	for (i = 0; old != NULL && i < old->nradius; i++)
		if (strcmp(old->radius[i].name, s->name) == 0)
			return !old->radius[i].require_ma;
	return false;
}

static void
apply_servers(struct radius *r, const struct rg_config *old)
{
	const struct rg_config	*cfg = r->cfg;
	struct rad_server_conf	*conf;
	const struct rg_radius	*s;
	size_t			 i, n = 0;
	uint16_t		 port;

	if ((conf = calloc(cfg->nradius + 1, sizeof(*conf))) == NULL) {
		rg_err(RADIUS, "RADIUS servers: out of memory");
		return;
	}
	for (i = 0; i < cfg->nradius; i++) {
		s = &cfg->radius[i];
		if (rg_hostport_parse(s->address, 1812, &conf[n].auth) < 0 ||
		    s->secret_len == 0 || s->secret_len > RAD_MAX_SECRET) {
			rg_err(RADIUS, "RADIUS server %s: unusable address %s "
			    "or secret; skipped", s->name, s->address);
			continue;
		}
		snprintf(conf[n].name, sizeof(conf[n].name), "%s", s->name);
		conf[n].acct = conf[n].auth;
		port = conf[n].auth.ss_family == AF_INET6 ?
		    ntohs(((struct sockaddr_in6 *)&conf[n].auth)->sin6_port) :
		    ntohs(((struct sockaddr_in *)&conf[n].auth)->sin_port);
		port = s->acct_port ? (uint16_t)s->acct_port :
		    (uint16_t)(port + 1);
		if (conf[n].acct.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&conf[n].acct)->sin6_port =
			    htons(port);
		else
			((struct sockaddr_in *)&conf[n].acct)->sin_port =
			    htons(port);
		memcpy(conf[n].secret, s->secret, s->secret_len);
		conf[n].secret_len = s->secret_len;
		conf[n].timeout_ms = s->timeout_ms >= 10 ? s->timeout_ms : 3000;
		conf[n].retries = s->retries;
		conf[n].require_ma = s->require_ma;
		if (!s->require_ma && !was_relaxed(old, s))
			rg_warn(RADIUS, "RADIUS server %s: replies without "
			    "Message-Authenticator are accepted "
			    "(require_ma false): forged replies are easier "
			    "(BlastRADIUS, CVE-2024-3596)", s->name);
		n++;
	}
	if (rad_client_set_servers(r->client, conf, n) < 0)
		rg_err(RADIUS, "RADIUS servers: out of memory");
	OPENSSL_cleanse(conf, (cfg->nradius + 1) * sizeof(*conf));
	free(conf);
}

struct radius *
radius_new(struct rg_loop *loop, struct rg_config *cfg, struct sess_reg *sr)
{
	struct radius	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->loop = loop;
	r->cfg = rg_config_ref(cfg);
	LIST_INIT(&r->pending);
	radius_acct_init(r);
	snprintf(r->boot_id, sizeof(r->boot_id), "%08llx",
	    (unsigned long long)time(NULL));
	if ((r->client = rad_client_new(loop)) == NULL ||
	    (r->local = auth_local_new(cfg)) == NULL) {
		radius_free(r);
		return NULL;
	}
	apply_servers(r, NULL);
	if (sr != NULL && (radius_acct_attach(r, sr) < 0 ||
	    (r->dae = radius_dae_new(r)) == NULL)) {
		radius_free(r);
		return NULL;
	}
	if (r->dae != NULL)
		radius_dae_apply(r->dae);
	radius_acct_on(r);
	return r;
}

void
radius_free(struct radius *r)
{
	struct rauth	*p;

	if (r == NULL)
		return;
	while ((p = LIST_FIRST(&r->pending)) != NULL) {
		LIST_REMOVE(p, link);
		rad_cancel(p->req);
		free(p);
	}
	radius_dae_free(r->dae);
	radius_acct_free(r);
	rad_client_free(r->client);
	if (r->local != NULL)
		auth_local_ops.free(r->local);
	OPENSSL_cleanse(r->grants, sizeof(r->grants));
	rg_config_unref(r->cfg);
	free(r);
}

void
radius_reconfigure(struct radius *r, struct rg_config *cfg)
{
	struct rg_config	*old = r->cfg;
	bool			 had = rad_client_nservers(r->client) > 0;

	r->cfg = rg_config_ref(cfg);
	if (r->local != NULL)
		auth_local_ops.reconfigure(r->local, cfg);
	apply_servers(r, old);
	rg_config_unref(old);
	if (!had)
		radius_acct_on(r);
	radius_acct_kick(r);
	if (r->dae != NULL)
		radius_dae_apply(r->dae);
}

json_t *
radius_status(const struct radius *r)
{
	return rad_client_status(r->client);
}

struct rad_client *
radius_client(struct radius *r)
{
	return r->client;
}

const struct rg_config *
radius_config(const struct radius *r)
{
	return r->cfg;
}

const char *
radius_boot_id(const struct radius *r)
{
	return r->boot_id;
}

/* --- attributes every request carries ---------------------------------- */

void
radius_nas_attrs(const struct radius *r, struct rad_attrs *a,
    const char *user, const struct sockaddr *peer,
    const struct sockaddr *local, const char *asid)
{
	const struct rg_config	*cfg = r->cfg;
	char			 nasid[256], host[INET6_ADDRSTRLEN];
	char			 st[INET6_ADDRSTRLEN + 16];

	if (cfg->settings.server_id != NULL && *cfg->settings.server_id)
		snprintf(nasid, sizeof(nasid), "%s", cfg->settings.server_id);
	else if (gethostname(nasid, sizeof(nasid)) != 0 || *nasid == '\0')
		snprintf(nasid, sizeof(nasid), "roadgate");
	nasid[sizeof(nasid) - 1] = '\0';
	if (user != NULL && *user != '\0')
		rad_attrs_str(a, RAD_USER_NAME, user);
	rad_attrs_str(a, RAD_NAS_IDENTIFIER, nasid);
	rad_attrs_u32(a, RAD_NAS_PORT_TYPE, RAD_NAS_PORT_VIRTUAL);
	rad_attrs_u32(a, RAD_SERVICE_TYPE, RAD_SERVICE_FRAMED);
	/* IP[port], as strongSwan's eap-radius writes them. */
	if (peer != NULL && (peer->sa_family == AF_INET ||
	    peer->sa_family == AF_INET6)) {
		if (peer->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)peer)->sin_addr, host, sizeof(host));
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)peer)->sin6_addr, host, sizeof(host));
		snprintf(st, sizeof(st), "%s[%u]", host, ntohs(
		    peer->sa_family == AF_INET ? ((const struct sockaddr_in *)
		    (const void *)peer)->sin_port :
		    ((const struct sockaddr_in6 *)(const void *)peer)->
		    sin6_port));
		rad_attrs_str(a, RAD_CALLING_STATION_ID, st);
	}
	if (local != NULL && (local->sa_family == AF_INET ||
	    local->sa_family == AF_INET6)) {
		if (local->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)local)->sin_addr, host, sizeof(host));
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)local)->sin6_addr, host,
			    sizeof(host));
		rad_attrs_str(a, RAD_CALLED_STATION_ID, host);
	} else
		rad_attrs_str(a, RAD_CALLED_STATION_ID, nasid);
	if (asid != NULL)
		rad_attrs_str(a, RAD_ACCT_SESSION_ID, asid);
}

/* --- grants remembered for accounting ---------------------------------- */

#define GRANT_TTL_MS	(5 * 60 * 1000)

static void
grant_put(struct radius *r, const char *user, const struct auth_result *res)
{
	struct radius_grant	*g = &r->grants[r->ngrant++ % RADIUS_GRANTS];

	snprintf(g->user, sizeof(g->user), "%s", user);
	memcpy(g->class_attr, res->class_attr, res->class_len);
	g->class_len = res->class_len;
	g->interim_s = res->interim_s;
	g->when = rg_now_ms();
}

int
radius_grant_take(struct radius *r, const char *user, uint8_t class_attr[253],
    size_t *class_len, uint32_t *interim_s)
{
	struct radius_grant	*g, *best = NULL;
	size_t			 i;
	uint64_t		 now = rg_now_ms();

	for (i = 0; i < RADIUS_GRANTS; i++) {
		g = &r->grants[i];
		if (g->when == 0 || now - g->when > GRANT_TTL_MS ||
		    strcmp(g->user, user) != 0)
			continue;
		if (best == NULL || g->when > best->when)
			best = g;
	}
	if (best == NULL)
		return 0;
	memcpy(class_attr, best->class_attr, best->class_len);
	*class_len = best->class_len;
	*interim_s = best->interim_s;
	memset(best, 0, sizeof(*best));
	return 1;
}

/* --- the auth backend --------------------------------------------------- */

/* Filter-Id names a group (its profile and policy), a profile or a
 * policy of the configuration. */
static void
apply_filter_id(const struct rg_config *cfg, struct auth_result *res,
    const char *name)
{
	const struct rg_group	*g = rg_config_group(cfg, name);

	if (g != NULL) {
		if (g->profile)
			snprintf(res->profile, sizeof(res->profile), "%s",
			    g->profile);
		if (g->policy)
			snprintf(res->policy, sizeof(res->policy), "%s",
			    g->policy);
		return;
	}
	/* Object names are at most 64 bytes (store_name_ok). */
	if (rg_config_profile(cfg, name) != NULL)
		snprintf(res->profile, sizeof(res->profile), "%.63s", name);
	if (rg_config_policy(cfg, name) != NULL)
		snprintf(res->policy, sizeof(res->policy), "%.63s", name);
	if (res->profile[0] == '\0' && res->policy[0] == '\0')
		rg_warn(RADIUS, "Filter-Id \"%s\" names no group, profile or "
		    "policy; ignored", name);
}

/* Printable text of an attribute (Reply-Message, Filter-Id). */
static void
attr_text(const struct rad_attr *a, char *out, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; a != NULL && i < a->len && n + 1 < len; i++)
		out[n++] = a->val[i] >= 0x20 && a->val[i] < 0x7f ?
		    (char)a->val[i] : '?';
	out[n] = '\0';
}

/* MS-Primary/Secondary-DNS-Server (RFC 2548 2.6.7, 2.6.8): an IPv4
 * address; 0.0.0.0 and broadcast are no server. */
static void
map_dns(const struct rad_msg *m, uint8_t type, struct rg_addr *out)
{
	const struct rad_attr	*a;
	uint32_t		 v;

	a = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, type);
	if (a == NULL || a->len != 4 || (v = rg_get_u32(a->val)) == 0 ||
	    v == 0xffffffff)
		return;
	memset(out, 0, sizeof(*out));
	out->af = AF_INET;
	memcpy(out->addr, a->val, 4);
}

static void
map_granted(struct radius *r, const struct rad_msg *m, struct auth_result *res)
{
	const struct rad_attr	*a;
	char			 text[RAD_MAX_ATTR + 1];
	uint32_t		 v;

	if ((a = rad_find(m, RAD_FRAMED_IP_ADDRESS)) != NULL && a->len == 4 &&
	    (v = rg_get_u32(a->val)) != 0xffffffff && v != 0xfffffffe) {
		/* 255.255.255.254/255: "the NAS picks" (RFC 2865 5.8). */
		res->address.af = AF_INET;
		memcpy(res->address.addr, a->val, 4);
	}
	if (rad_get_u32(m, RAD_SESSION_TIMEOUT, &v) == 0)
		res->session_timeout_s = v;
	if (rad_get_u32(m, RAD_IDLE_TIMEOUT, &v) == 0)
		res->idle_timeout_s = v;
	map_dns(m, RAD_MS_PRIMARY_DNS, &res->dns4[0]);
	map_dns(m, RAD_MS_SECONDARY_DNS, &res->dns4[1]);
	if (rad_get_u32(m, RAD_ACCT_INTERIM_INTERVAL, &v) == 0)
		res->interim_s = v < 60 ? 60 : v;	/* RFC 2869 5.16 */
	if ((a = rad_find(m, RAD_CLASS)) != NULL) {
		memcpy(res->class_attr, a->val, a->len);
		res->class_len = a->len;
	}
	if ((a = rad_find(m, RAD_FILTER_ID)) != NULL) {
		attr_text(a, text, sizeof(text));
		apply_filter_id(r->cfg, res, text);
	}
	if ((a = rad_find(m, RAD_FRAMED_POOL)) != NULL) {
		attr_text(a, text, sizeof(text));
		snprintf(res->pool, sizeof(res->pool), "%.63s", text);
	}
}

/* MS-CHAP2-Success and the MPPE keys: the authenticator and the MSK
 * (Recv-Key | Send-Key, zero padded, as RFC 3079 keys make it). */
static int
map_mschapv2(const struct rad_answer *ans, struct auth_result *res,
    const char **why)
{
	const struct rad_msg	*m = ans->reply;
	const struct rad_attr	*succ, *sk, *rk;
	size_t			 sl = 0, rl = 0, i;

	succ = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_SUCCESS);
	sk = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, RAD_MS_MPPE_SEND_KEY);
	rk = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, RAD_MS_MPPE_RECV_KEY);
	/* Ident, then "S=" and 40 hex digits. */
	if (succ == NULL || succ->len < 1 + RG_MSCHAP_AUTHRESP_LEN ||
	    memcmp(succ->val + 1, "S=", 2) != 0) {
		*why = "no MS-CHAP2-Success in the Access-Accept";
		return -1;
	}
	for (i = 0; i < RG_MSCHAP_AUTHRESP_LEN; i++) {
		res->authenticator[i] = (char)succ->val[1 + i];
		if (i >= 2 && strchr("0123456789ABCDEFabcdef",
		    res->authenticator[i]) == NULL) {
			*why = "a malformed MS-CHAP2-Success";
			return -1;
		}
	}
	res->authenticator[RG_MSCHAP_AUTHRESP_LEN] = '\0';
	if (sk == NULL || rk == NULL ||
	    rad_mppe_decrypt(sk->val, sk->len, ans->secret, ans->secret_len,
	    ans->req_auth, res->mppe_send, sizeof(res->mppe_send), &sl) < 0 ||
	    rad_mppe_decrypt(rk->val, rk->len, ans->secret, ans->secret_len,
	    ans->req_auth, res->mppe_recv, sizeof(res->mppe_recv), &rl) < 0 ||
	    sl != 16 || rl != 16) {
		*why = "no usable MS-MPPE-Send-Key/Recv-Key in the "
		    "Access-Accept";
		return -1;
	}
	memset(res->msk, 0, sizeof(res->msk));
	memcpy(res->msk, res->mppe_recv, 16);
	memcpy(res->msk + 16, res->mppe_send, 16);
	res->msk_len = RG_MSCHAP_MSK_LEN;
	res->has_mppe = true;
	return 0;
}

static struct auth_result *
local_answer(struct radius *r, const struct auth_req *q, const char *why)
{
	struct auth_result	*res;

	rg_warn(RADIUS, "user %s: %s; asking the local users (auth_backend "
	    "radius,local)", q->user, why);
	res = auth_local_answer(r->local, q);
	return res;
}

static void
rauth_done(void *arg, const struct rad_answer *ans)
{
	struct rauth		*p = arg;
	struct radius		*r = p->r;
	const struct auth_req	*q = auth_call_req(p->call);
	struct auth_result	*res = NULL;
	const struct rad_attr	*a;
	char			 text[RAD_MAX_ATTR + 1];
	const char		*why;

	LIST_REMOVE(p, link);
	if (ans->status != RAD_OK) {
		why = ans->status == RAD_TIMEOUT ? "no RADIUS server answered" :
		    "the RADIUS request could not be sent";
		if (strcmp(backend_mode(r->cfg), "radius,local") == 0)
			res = local_answer(r, q, why);
		else
			res = auth_result_new(AUTH_ERROR, "user %s: %s",
			    q->user, why);
		goto out;
	}
	switch (ans->reply->code) {
	case RAD_ACCESS_ACCEPT:
		res = auth_result_new(AUTH_OK, "RADIUS server %s accepted "
		    "user %s", ans->server, q->user);
		if (res == NULL)
			break;
		snprintf(res->user, sizeof(res->user), "%s", q->user);
		if (q->kind == AUTH_MSCHAPV2 &&
		    map_mschapv2(ans, res, &why) < 0) {
			auth_result_free(res);
			res = auth_result_new(AUTH_ERROR, "user %s: RADIUS "
			    "server %s: %s", q->user, ans->server, why);
			break;
		}
		map_granted(r, ans->reply, res);
		grant_put(r, res->user, res);
		break;
	case RAD_ACCESS_REJECT:
		attr_text(rad_find(ans->reply, RAD_REPLY_MESSAGE), text,
		    sizeof(text));
		res = auth_result_new(AUTH_REJECT, "RADIUS server %s rejected "
		    "user %s%s%s", ans->server, q->user, *text ? ": " : "",
		    text);
		break;
	default:
		/* Access-Challenge outside EAP: nothing we could answer. */
		a = rad_find(ans->reply, RAD_REPLY_MESSAGE);
		attr_text(a, text, sizeof(text));
		res = auth_result_new(AUTH_REJECT, "RADIUS server %s sent an "
		    "Access-Challenge for user %s (not supported here)%s%s",
		    ans->server, q->user, *text ? ": " : "", text);
		break;
	}
out:
	if (res == NULL)
		res = auth_result_new(AUTH_ERROR, "out of memory");
	if (res != NULL)
		rg_log(RG_T_RADIUS, res->outcome == AUTH_OK ? RG_L_NOTICE :
		    RG_L_WARN, "%s", res->reason);
	auth_call_done(p->call, res);
	free(p);
}

static int
rauth_check(void *state, struct auth_call *c)
{
	struct radius		*r = state;
	const struct auth_req	*q = auth_call_req(c);
	struct rad_attrs	 a;
	struct rauth		*p;
	uint8_t			 b[64];
	char			 asid[48];
	const char		*mode = backend_mode(r->cfg);
	const char		*password = NULL;

	if (strcmp(mode, "local") == 0) {
		auth_call_done(c, auth_local_answer(r->local, q));
		return 0;
	}
	if (rad_client_nservers(r->client) == 0) {
		auth_call_done(c, strcmp(mode, "radius,local") == 0 ?
		    local_answer(r, q, "no RADIUS server is configured") :
		    auth_result_new(AUTH_ERROR, "user %s: auth_backend is "
		    "radius but no RADIUS server is configured", q->user));
		return 0;
	}
	memset(&a, 0, sizeof(a));
	snprintf(asid, sizeof(asid), "%s-a%llx", r->boot_id,
	    (unsigned long long)++r->nlogins);
	radius_nas_attrs(r, &a, q->user, q->src, NULL, asid);
	switch (q->kind) {
	case AUTH_PAP:
		password = q->u.pap.password;
		if (password == NULL || *password == '\0' ||
		    strlen(password) > RAD_MAX_PASSWORD) {
			auth_call_done(c, auth_result_new(AUTH_REJECT, "user "
			    "%s: empty or overlong password", q->user));
			return 0;
		}
		break;
	case AUTH_CHAP_MD5:
		/* RFC 2865 5.3, 5.40. */
		b[0] = q->u.chap.id;
		memcpy(b + 1, q->u.chap.response, 16);
		rad_attrs_add(&a, RAD_CHAP_PASSWORD, b, 17);
		rad_attrs_add(&a, RAD_CHAP_CHALLENGE, q->u.chap.challenge,
		    q->u.chap.challenge_len);
		break;
	case AUTH_MSCHAPV2:
		/* RFC 2548 2.3.2: Ident, Flags, Peer-Challenge, Reserved,
		 * Response. */
		rad_attrs_vsa(&a, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP_CHALLENGE,
		    q->u.mschapv2.auth_chal, 16);
		memset(b, 0, sizeof(b));
		memcpy(b + 2, q->u.mschapv2.peer_chal, 16);
		memcpy(b + 26, q->u.mschapv2.nt_resp, 24);
		rad_attrs_vsa(&a, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_RESPONSE,
		    b, 50);
		break;
	default:
		auth_call_done(c, auth_result_new(AUTH_UNSUPPORTED, "user %s: "
		    "%s through RADIUS is not supported yet", q->user,
		    auth_kind_name(q->kind)));
		return 0;
	}
	OPENSSL_cleanse(b, sizeof(b));
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->r = r;
	p->call = c;
	LIST_INSERT_HEAD(&r->pending, p, link);
	if ((p->req = rad_send(r->client, RAD_ACCESS_REQUEST, &a, password,
	    rauth_done, p)) == NULL) {
		LIST_REMOVE(p, link);
		free(p);
		OPENSSL_cleanse(&a, sizeof(a));
		auth_call_done(c, auth_result_new(AUTH_ERROR, "user %s: the "
		    "RADIUS request could not be built", q->user));
		return 0;
	}
	OPENSSL_cleanse(&a, sizeof(a));
	return 0;
}

static void
rauth_cancel(void *state, struct auth_call *c)
{
	struct radius	*r = state;
	struct rauth	*p;

	LIST_FOREACH(p, &r->pending, link)
		if (p->call == c) {
			LIST_REMOVE(p, link);
			rad_cancel(p->req);
			free(p);
			return;
		}
}

static void
rauth_reconfigure(void *state, struct rg_config *cfg)
{
	radius_reconfigure(state, cfg);
}

static void
rauth_free(void *state)
{
	/* radius_free() by the owner, after the session registry. */
	(void)state;
}

const struct auth_backend_ops radius_auth_ops = {
	.name = "radius",
	.check = rauth_check,
	.cancel = rauth_cancel,
	.reconfigure = rauth_reconfigure,
	.free = rauth_free,
};
