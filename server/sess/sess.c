/*
 * sess.c: the session registry (sess.h): ids, the session objects and
 * their life cycle (OPEN -> UP -> ENDING, then freed), the accounting
 * listeners, lookups by id and by CHILD reqid, the session list, kicks,
 * and the termination causes.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool/dhcp_inform.h"
#include "rg_log.h"
#include "sess_int.h"

static const struct {
	int		 radius;
	const char	*name;
} causes[] = {
#define X(id, radius, name)	{ radius, name },
	SESS_CAUSE_LIST(X)
#undef X
};

int
sess_cause_radius(enum sess_cause c)
{
	return (size_t)c < sizeof(causes) / sizeof(causes[0]) ?
	    causes[c].radius : 0;
}

const char *
sess_cause_name(enum sess_cause c)
{
	return (size_t)c < sizeof(causes) / sizeof(causes[0]) ?
	    causes[c].name : "?";
}

static void	limit_fire(struct rg_timer *);

static size_t
hidx(uint64_t id)
{
	return (size_t)(id % SESS_HASH);
}

/* --- the registry ------------------------------------------------------- */

struct sess_reg *
sess_reg_new(struct rg_loop *loop, struct rg_config *cfg,
    const struct sess_opts *o)
{
	struct sess_reg	*reg;

	if ((reg = calloc(1, sizeof(*reg))) == NULL)
		return NULL;
	reg->loop = loop;
	reg->cfg = rg_config_ref(cfg);
	reg->pools = o->pools;
	reg->store = o->store;
	reg->next_id = 1;
	reg->send = o->send;
	reg->send_arg = o->send_arg;
	if (o->lease_ops != NULL)
		reg->lease = *o->lease_ops;
	if (reg->store != NULL)
		(void)sess_listen(reg, sess_hist_listener, reg->store);
	(void)sess_udp_register(reg, DHCP_SERVER_PORT, DHCP_CLIENT_PORT,
	    sess_dhcp_input, reg);
	sess_lease_start(reg);
	return reg;
}

void
sess_reg_free(struct sess_reg *reg)
{
	if (reg == NULL)
		return;
	/* Providers end their sessions before the registry goes; what is
	 * left has no provider to ask any more. */
	while (reg->all != NULL) {
		reg->all->prov.ops = NULL;
		sess_end(reg->all, SESS_CAUSE_NAS_ERROR, "registry freed");
	}
	sess_lease_stop(reg);
	rg_config_unref(reg->cfg);
	free(reg);
}

void
sess_reg_set_dp(struct sess_reg *reg, struct dp *dp)
{
	reg->dp = dp;
}

int
sess_listen(struct sess_reg *reg, sess_listener_fn fn, void *arg)
{
	if (reg->nlisteners == SESS_LISTENERS_MAX)
		return -1;
	reg->listeners[reg->nlisteners++] = (struct sess_listener){ fn, arg };
	return 0;
}

size_t
sess_count(const struct sess_reg *reg)
{
	return reg->nup;
}

/* --- one session --------------------------------------------------------- */

static void
sa_copy(union sess_sa *to, const struct sockaddr *from)
{
	memset(to, 0, sizeof(*to));
	if (from != NULL && from->sa_family == AF_INET)
		memcpy(&to->sin, from, sizeof(to->sin));
	else if (from != NULL && from->sa_family == AF_INET6)
		memcpy(&to->sin6, from, sizeof(to->sin6));
}

unsigned int
sess_count_user(const struct sess_reg *reg, const char *user)
{
	unsigned int	 n = 0;

	for (const struct sess *s = reg->all; s != NULL; s = s->next)
		if (s->state != SESS_S_ENDING && strcmp(s->user, user) == 0)
			n++;
	return n;
}

struct sess *
sess_open(struct sess_reg *reg, const struct sess_provider *prov, void *ctx,
    const struct sess_info *in)
{
	const char	*u = in->user ? in->user : "";
	const char	*m = in->method ? in->method : "";
	const char	*p = in->profile ? in->profile : "";
	size_t		 lu = strlen(u) + 1, lm = strlen(m) + 1;
	size_t		 lp = strlen(p) + 1;
	struct sess	*s;
	char		*n;

	if (reg->cfg->settings.max_sessions_per_user != 0 &&
	    sess_count_user(reg, u) >= reg->cfg->settings.max_sessions_per_user) {
		errno = EUSERS;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s) + lu + lm + lp)) == NULL)
		return NULL;
	n = s->names;
	s->user = memcpy(n, u, lu);
	s->method = memcpy(n + lu, m, lm);
	s->profile = memcpy(n + lu + lm, p, lp);
	sa_copy(&s->peer, in->peer);
	sa_copy(&s->local, in->local);
	s->reg = reg;
	s->state = SESS_S_OPEN;
	s->id = reg->next_id++;
	s->key = reg->base + s->id;
	s->prov = *prov;
	s->ctx = ctx;
	s->next = reg->all;
	if (reg->all != NULL)
		reg->all->prev = s;
	reg->all = s;
	s->hnext = reg->by_id[hidx(s->id)];
	reg->by_id[hidx(s->id)] = s;
	reg->n++;
	return s;
}

void
sess_set_ctx(struct sess *s, void *ctx)
{
	s->ctx = ctx;
}

uint64_t
sess_id(const struct sess *s)
{
	return s->id;
}

void
sess_get_view(const struct sess *s, struct sess_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = s->id;
	v->user = s->user;
	v->method = s->method;
	v->profile = s->profile;
	v->proto = s->prov.ops != NULL && s->prov.ops->name != NULL ?
	    s->prov.ops->name : "";
	v->peer = s->peer.sa.sa_family != 0 ? &s->peer.sa : NULL;
	v->local = s->local.sa.sa_family != 0 ? &s->local.sa : NULL;
	v->vip4 = &s->vip4;
	v->vip6 = &s->vip6;
	v->start = s->start;
	if (s->state != SESS_S_OPEN)
		v->uptime_s = (rg_now_ms() - s->start_ms) / 1000;
}

void
sess_emit(struct sess *s, enum sess_event ev, const struct sess_counters *c,
    enum sess_cause cause, const char *why)
{
	struct sess_reg		*reg = s->reg;
	struct sess_view	 v;
	size_t			 i;

	sess_get_view(s, &v);
	v.ctr = c;
	v.cause = cause;
	v.why = why;
	for (i = 0; i < reg->nlisteners; i++) {
		v.slot = &s->lslot[i];
		reg->listeners[i].fn(reg->listeners[i].arg, ev, &v);
	}
}

static void
counters(struct sess *s, struct sess_counters *c)
{
	memset(c, 0, sizeof(*c));
	if (s->prov.ops != NULL && s->prov.ops->counters != NULL)
		s->prov.ops->counters(s->prov.arg, s->ctx, c);
}

void
sess_up(struct sess *s)
{
	if (s == NULL || s->state != SESS_S_OPEN)
		return;
	s->state = SESS_S_UP;
	s->start = (uint64_t)time(NULL);
	s->start_ms = rg_now_ms();
	s->reg->nup++;
	if (s->gr != NULL) {
		if (s->gr->g.session_timeout_s != 0)
			s->gr->deadline_ms = s->start_ms +
			    (uint64_t)s->gr->g.session_timeout_s * 1000;
		s->gr->idle_since_ms = s->start_ms;
	}
	sess_emit(s, SESS_EV_START, NULL, SESS_CAUSE_USER_REQUEST, NULL);
	sess_limit_arm(s);
}

void
sess_interim(struct sess *s)
{
	struct sess_counters	 c;

	if (s == NULL || s->state != SESS_S_UP)
		return;
	counters(s, &c);
	sess_emit(s, SESS_EV_INTERIM, &c, SESS_CAUSE_USER_REQUEST, NULL);
}

int
sess_reqid_add(struct sess *s, uint32_t reqid)
{
	uint32_t	*n;
	size_t		 ncap;

	if (s->nreqids == s->capreqids) {
		ncap = s->capreqids ? s->capreqids * 2 : 2;
		if ((n = realloc(s->reqids, ncap * sizeof(*n))) == NULL)
			return -1;
		s->reqids = n;
		s->capreqids = ncap;
	}
	s->reqids[s->nreqids++] = reqid;
	return 0;
}

void
sess_reqid_del(struct sess *s, uint32_t reqid)
{
	size_t	 i;

	for (i = 0; i < s->nreqids; i++)
		if (s->reqids[i] == reqid) {
			s->reqids[i] = s->reqids[--s->nreqids];
			return;
		}
}

static void
unlink_sess(struct sess *s)
{
	struct sess_reg	*reg = s->reg;
	struct sess	**pp;

	for (pp = &reg->by_id[hidx(s->id)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		reg->all = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	reg->n--;
}

void
sess_end(struct sess *s, enum sess_cause cause, const char *why)
{
	struct sess_counters	 c;
	bool			 was_up;

	if (s == NULL || s->state == SESS_S_ENDING)
		return;
	was_up = s->state == SESS_S_UP;
	s->state = SESS_S_ENDING;
	if (s->gr != NULL)
		rg_timer_stop(s->reg->loop, &s->gr->t_limit);
	if (was_up) {
		counters(s, &c);
		sess_emit(s, SESS_EV_STOP, &c, cause, why);
		s->reg->nup--;
	}
	rg_debug(CORE, "session %llu of '%s' ended: %s (%s)",
	    (unsigned long long)s->id, s->user, why ? why : "",
	    sess_cause_name(cause));
	sess_lease_drop(s);
	unlink_sess(s);
	free(s->gr);
	free(s->reqids);
	free(s);
}

/* --- granted attributes --------------------------------------------------- */

static struct sess_granted *
granted(struct sess *s)
{
	if (s->gr == NULL && (s->gr = calloc(1, sizeof(*s->gr))) != NULL)
		rg_timer_init(&s->gr->t_limit, limit_fire, s);
	return s->gr;
}

void
sess_set_grant(struct sess *s, const struct sess_grant *g)
{
	static const struct sess_grant	 none;

	if (memcmp(g, &none, sizeof(none)) == 0 && s->gr == NULL)
		return;
	if (granted(s) == NULL) {
		rg_err(CORE, "session %llu of '%s': out of memory for its "
		    "granted attributes", (unsigned long long)s->id, s->user);
		return;
	}
	s->gr->g = *g;
	s->gr->g.pool[sizeof(s->gr->g.pool) - 1] = '\0';
}

const struct sess_grant *
sess_get_grant(const struct sess *s)
{
	static const struct sess_grant	 none;

	return s->gr != NULL ? &s->gr->g : &none;
}

void
sess_set_session_timeout(struct sess *s, uint32_t seconds)
{
	if (granted(s) == NULL)
		return;
	s->gr->g.session_timeout_s = seconds;
	s->gr->deadline_ms = seconds != 0 ? rg_now_ms() +
	    (uint64_t)seconds * 1000 : 0;
	rg_notice(CORE, "session %llu of '%s': Session-Timeout now %u s "
	    "from now", (unsigned long long)s->id, s->user, seconds);
	sess_limit_arm(s);
}

/* How often an idle limit is looked at: a quarter of it, 1 s at least,
 * so the session ends at most a quarter late. */
static uint64_t
idle_step_ms(const struct sess_granted *gr)
{
	uint64_t	 ms = (uint64_t)gr->g.idle_timeout_s * 250;

	return ms < 1000 ? 1000 : ms;
}

void
sess_limit_arm(struct sess *s)
{
	struct sess_granted	*gr = s->gr;
	uint64_t		 now = rg_now_ms(), at = 0;

	if (gr == NULL)
		return;
	rg_timer_stop(s->reg->loop, &gr->t_limit);
	if (s->state != SESS_S_UP)
		return;
	if (gr->deadline_ms != 0)
		at = gr->deadline_ms;
	if (gr->g.idle_timeout_s != 0 &&
	    (at == 0 || now + idle_step_ms(gr) < at))
		at = now + idle_step_ms(gr);
	if (at != 0)
		rg_timer_start(s->reg->loop, &gr->t_limit,
		    at > now ? at - now : 0);
}

static int	kill_with(struct sess *, enum sess_cause, const char *);

/* A limit reached: the session ends through its provider (s may be gone
 * after kill_with). */
static void
limit_end(struct sess *s, enum sess_cause cause, const char *why)
{
	rg_notice(CORE, "session %llu of '%s': %s", (unsigned long long)s->id,
	    s->user, why);
	if (kill_with(s, cause, why) < 0)
		rg_warn(CORE, "session %llu of '%s' could not be ended (%s)",
		    (unsigned long long)s->id, s->user, sess_cause_name(cause));
}

static void
limit_fire(struct rg_timer *t)
{
	struct sess		*s = t->arg;
	struct sess_granted	*gr = s->gr;
	struct sess_counters	 c;
	uint64_t		 now = rg_now_ms(), mark;
	char			 why[80];

	if (gr->deadline_ms != 0 && now >= gr->deadline_ms) {
		snprintf(why, sizeof(why), "Session-Timeout of %u s reached",
		    gr->g.session_timeout_s);
		limit_end(s, SESS_CAUSE_SESSION_TIMEOUT, why);
		return;
	}
	if (gr->g.idle_timeout_s != 0) {
		counters(s, &c);
		mark = c.bytes_in + c.packets_in;
		if (mark != gr->idle_mark) {
			gr->idle_mark = mark;
			gr->idle_since_ms = now;
		} else if (now - gr->idle_since_ms >=
		    (uint64_t)gr->g.idle_timeout_s * 1000) {
			snprintf(why, sizeof(why), "no traffic for the "
			    "Idle-Timeout of %u s", gr->g.idle_timeout_s);
			limit_end(s, SESS_CAUSE_IDLE_TIMEOUT, why);
			return;
		}
	}
	sess_limit_arm(s);
}

/* --- what the daemon asks ------------------------------------------------ */

struct sess *
sess_by_id(struct sess_reg *reg, uint64_t id)
{
	struct sess	*s;

	for (s = reg->by_id[hidx(id)]; s != NULL; s = s->hnext)
		if (s->id == id)
			return s;
	return NULL;
}

struct sess *
sess_by_reqid(struct sess_reg *reg, uint32_t reqid)
{
	struct sess	*s;
	size_t		 i;

	for (s = reg->all; s != NULL; s = s->next) {
		if (s->state != SESS_S_UP)
			continue;
		for (i = 0; i < s->nreqids; i++)
			if (s->reqids[i] == reqid)
				return s;
	}
	return NULL;
}

static json_t *
sess_json(struct sess *s, uint64_t now_ms)
{
	struct sess_counters	 c;
	json_t			*o = json_object();
	char			 buf[128];
	const char		*auth;

	json_object_set_new(o, "session_id", json_integer((json_int_t)s->id));
	json_object_set_new(o, "user", json_string(s->user));
	json_object_set_new(o, "method", json_string(s->method));
	/* "auth" without the protocol, as the list always said it. */
	auth = strchr(s->method, '-');
	json_object_set_new(o, "auth", json_string(auth ? auth + 1 :
	    s->method));
	json_object_set_new(o, "profile", json_string(s->profile));
	if (s->peer.sa.sa_family != 0)
		json_object_set_new(o, "peer", json_string(rg_sa_str(
		    &s->peer.sa, buf, sizeof(buf))));
	if (s->vip4.af != 0)
		json_object_set_new(o, "vip", json_string(rg_addr_str(
		    &s->vip4, buf, sizeof(buf))));
	if (s->vip6.af != 0)
		json_object_set_new(o, "vip6", json_string(rg_addr_str(
		    &s->vip6, buf, sizeof(buf))));
	if (s->prov.ops != NULL && s->prov.ops->status != NULL)
		s->prov.ops->status(s->prov.arg, s->ctx, o);
	counters(s, &c);
	json_object_set_new(o, "bytes_in", json_integer((json_int_t)c.bytes_in));
	json_object_set_new(o, "bytes_out",
	    json_integer((json_int_t)c.bytes_out));
	json_object_set_new(o, "uptime_s", json_integer(
	    (json_int_t)((now_ms - s->start_ms) / 1000)));
	return o;
}

json_t *
sess_list_json(struct sess_reg *reg)
{
	json_t		*a = json_array();
	uint64_t	 now = rg_now_ms();
	struct sess	*s;

	for (s = reg->all; s != NULL; s = s->next)
		if (s->state == SESS_S_UP)
			json_array_append_new(a, sess_json(s, now));
	return a;
}

int
sess_foreach(struct sess_reg *reg, int (*fn)(void *, struct sess *,
    const struct sess_view *), void *arg)
{
	struct sess_view	 v;
	struct sess		*s;
	int			 rc;

	for (s = reg->all; s != NULL; s = s->next) {
		if (s->state != SESS_S_UP)
			continue;
		sess_get_view(s, &v);
		if ((rc = fn(arg, s, &v)) != 0)
			return rc;
	}
	return 0;
}

static int
kill_with(struct sess *s, enum sess_cause cause, const char *why)
{
	if (s->prov.ops == NULL || s->prov.ops->kill == NULL)
		return -1;
	return s->prov.ops->kill(s->prov.arg, s->ctx, cause, why);
}

int
sess_kick(struct sess_reg *reg, uint64_t id, const char *why)
{
	struct sess	*s = sess_by_id(reg, id);

	if (s == NULL || s->state != SESS_S_UP)
		return -1;
	return kill_with(s, SESS_CAUSE_ADMIN_RESET, why);
}

/* One session per user (sess_lease.c): end the older session named by
 * the pool, through its provider. */
void
sess_replace(struct sess *s, uint64_t old_key)
{
	struct sess_reg	*reg = s->reg;
	struct sess	*o;

	if (old_key <= reg->base || old_key == s->key)
		return;		/* a lease of an earlier run: no session */
	if ((o = sess_by_id(reg, old_key - reg->base)) == NULL ||
	    o->state != SESS_S_UP)
		return;
	rg_notice(POOL, "'%s': one session per user, the new session "
	    "%llu replaces session %llu", s->user,
	    (unsigned long long)s->id, (unsigned long long)o->id);
	(void)kill_with(o, SESS_CAUSE_PORT_PREEMPTED,
	    "replaced by a newer session of the same user");
}

unsigned int
sess_count_on_profile(struct sess_reg *reg, const char *profile)
{
	struct sess	*s;
	unsigned int	 n = 0;

	for (s = reg->all; s != NULL; s = s->next)
		if (s->state == SESS_S_UP && strcmp(s->profile, profile) == 0)
			n++;
	return n;
}

uint64_t
sess_key_to_id(const struct sess_reg *reg, uint64_t key)
{
	return key > reg->base ? key - reg->base : key;
}
