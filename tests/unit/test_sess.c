/*
 * test_sess.c: the session registry (server/sess/): 64-bit ids never
 * reused, keys above every restored lease, one session per user ended
 * through a fake provider, leases released at the end, history rows in a
 * real store, termination causes as RADIUS Acct-Terminate-Cause values
 * (RFC 2866 5.10), the reqid lookup and a DHCPINFORM (RFC 2131 4.3.5)
 * answered through a session.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp.h"
#include "pool/pool.h"
#include "rg_loop.h"
#include "rg_test.h"
#include "sess.h"
#include "sess_int.h"
#include "store.h"

static struct rg_loop	*loop;
static char		 dir[256];

/* --- a fake provider ------------------------------------------------------ */

struct fake {
	struct sess	*s;
	int		 kills;
	enum sess_cause	 cause;
	uint64_t	 bytes_in;
};

static int
fake_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	struct fake	*f = ctx;

	(void)arg;
	(void)why;
	f->kills++;
	f->cause = cause;
	sess_end(f->s, cause, why);
	f->s = NULL;
	return 0;
}

static void
fake_counters(void *arg, void *ctx, struct sess_counters *c)
{
	struct fake	*f = ctx;

	(void)arg;
	c->bytes_in = f->bytes_in;
	c->bytes_out = 7;
}

static void
fake_status(void *arg, void *ctx, json_t *o)
{
	(void)arg;
	(void)ctx;
	json_object_set_new(o, "spi_i", json_string("0011223344556677"));
}

static const struct sess_provider_ops fake_ops = {
	.name = "ikev2",
	.kill = fake_kill,
	.counters = fake_counters,
	.status = fake_status,
};

static struct sess *
open_fake(struct sess_reg *reg, struct fake *f, const char *user)
{
	struct sess_provider	 prov = { &fake_ops, NULL };
	struct sockaddr_in	 peer, local;
	struct sess_info	 in = {
		.user = user, .method = "ikev2-eap-mschapv2",
		.profile = "default",
		.peer = (struct sockaddr *)&peer,
		.local = (struct sockaddr *)&local,
	};

	memset(&peer, 0, sizeof(peer));
	memset(&local, 0, sizeof(local));
	peer.sin_family = local.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.2", &peer.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &local.sin_addr);
	memset(f, 0, sizeof(*f));
	f->s = sess_open(reg, &prov, f, &in);
	return f->s;
}

/* --- fake leases (what the pool saw) ------------------------------------- */

static uint64_t	 last_key;
static int	 released;

static int
fake_acquire(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t whylen)
{
	(void)arg;
	(void)c;
	(void)why;
	(void)whylen;
	last_key = r->session_id;
	memset(g, 0, sizeof(*g));
	g->addr.af = AF_INET;
	g->addr.addr[0] = 10;
	g->addr.addr[3] = 9;
	return 0;
}

static void
fake_release(void *arg, uint64_t key)
{
	(void)arg;
	(void)key;
	released++;
}

static const struct sess_lease_ops fake_leases = { fake_acquire,
    fake_release, NULL };

/* --- configuration, store ------------------------------------------------- */

static struct rg_config *
config(bool one_session)
{
	struct rg_config	*c = rg_config_new();
	struct rg_pool_conf	*pc;
	struct rg_profile	*p;

	c->settings.default_profile = strdup("default");
	c->settings.sticky_s = 1800;
	c->pools = calloc(2, sizeof(*c->pools));
	pc = &c->pools[0];
	pc->name = strdup("p");
	rg_prefix_parse("10.9.0.0/24", &pc->network);
	pc->af = AF_INET;
	/* No profile names q: only a RADIUS Framed-Pool reaches it. */
	pc = &c->pools[1];
	pc->name = strdup("q");
	rg_prefix_parse("10.8.0.0/24", &pc->network);
	pc->af = AF_INET;
	c->npools = 2;
	c->profiles = calloc(1, sizeof(*c->profiles));
	p = &c->profiles[0];
	p->name = strdup("default");
	p->one_session = one_session;
	p->pools = calloc(1, sizeof(*p->pools));
	p->pools[0] = strdup("p");
	p->npools = 1;
	p->split = calloc(1, sizeof(*p->split));
	rg_prefix_parse("198.51.100.0/24", &p->split[0]);
	p->nsplit = 1;
	c->nprofiles = 1;
	return c;
}

static struct store *
fresh_store(void)
{
	char		 cmd[300], err[256] = "";
	struct store	*st;
	struct store_err e;
	json_t		*o;

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	snprintf(dir, sizeof(dir), "/tmp/rg-test-sess.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		printf("  store_open: %s\n", err);
		return NULL;
	}
	/* The pool the leases name (config() has the same). */
	o = json_pack("{s:s,s:[s]}", "name", "p", "ranges", "10.9.0.0/24");
	memset(&e, 0, sizeof(e));
	if (store_obj_add(st, "pools", o, &e) < 0)
		printf("  store pool: %s\n", e.msg);
	json_decref(o);
	return st;
}

/* A registry over real pools (persisted in st when not NULL). */
struct bed {
	struct rg_config	*cfg;
	struct pool_mgr		*pools;
	struct sess_reg		*reg;
	struct pool_persist	 persist;
};

static void
bed_up(struct bed *b, struct store *st, bool one_session)
{
	struct sess_opts	 so;

	if (loop == NULL)
		loop = rg_loop_new(0);
	b->cfg = config(one_session);
	sess_lease_persist(st, &b->persist);
	b->pools = pool_mgr_new(st != NULL ? &b->persist : NULL);
	so = (struct sess_opts){ .pools = b->pools, .store = st };
	b->reg = sess_reg_new(loop, b->cfg, &so);
}

static void
bed_down(struct bed *b)
{
	sess_reg_free(b->reg);
	pool_mgr_free(b->pools);
	rg_config_unref(b->cfg);
}

static json_t *
lease0(struct bed *b)
{
	json_t	*st = pool_mgr_status_json(b->pools, "p");
	json_t	*l = json_incref(json_array_get(json_object_get(st, "leases"),
		    0));

	json_decref(st);
	return l;
}

/* --- cases ---------------------------------------------------------------- */

/* Ids from just below 2^24 on: 64-bit, increasing, never reused, the
 * pool's key follows them (the old engine kept 24 bits and wrapped). */
static void
ids_64bit(void)
{
	struct rg_config	*c = config(false);
	struct sess_opts	 so = { .lease_ops = &fake_leases };
	struct sess_reg		*reg;
	struct fake		 f[4];
	struct rg_addr		 a;
	uint64_t		 prev = 0;
	char			 why[64];

	if (loop == NULL)
		loop = rg_loop_new(0);
	reg = sess_reg_new(loop, c, &so);
	reg->next_id = (1ull << 24) - 2;
	for (int i = 0; i < 4; i++) {
		CHECK(open_fake(reg, &f[i], "u") != NULL);
		CHECK(sess_id(f[i].s) > prev);
		prev = sess_id(f[i].s);
		CHECK_EQ(sess_lease(f[i].s, AF_INET, NULL, &a, why,
		    sizeof(why)), 0);
		CHECK_EQ(last_key, sess_id(f[i].s));	/* no restored lease */
		sess_up(f[i].s);
	}
	CHECK_EQ(sess_id(f[3].s), (1ull << 24) + 1);
	/* The one above 2^24 is found and kicked by its full id. */
	CHECK(sess_by_id(reg, (1ull << 24) + 1) == f[3].s);
	CHECK(sess_by_id(reg, 1) == NULL);
	CHECK_EQ(sess_kick(reg, (1ull << 24) + 1, "test"), 0);
	CHECK_EQ(f[3].kills, 1);
	CHECK_EQ(f[3].cause, SESS_CAUSE_ADMIN_RESET);
	CHECK(sess_by_id(reg, (1ull << 24) + 1) == NULL);
	CHECK_EQ(sess_kick(reg, (1ull << 24) + 1, "again"), -1);
	/* Ended ids are not handed out again. */
	CHECK(open_fake(reg, &f[3], "u") != NULL);
	CHECK_EQ(sess_id(f[3].s), (1ull << 24) + 2);
	for (int i = 0; i < 4; i++)
		sess_end(f[i].s, SESS_CAUSE_USER_REQUEST, "test");
	CHECK_EQ(sess_count(reg), 0);
	sess_reg_free(reg);
	rg_config_unref(c);
}

/* Leases restored from an earlier run keep their key; new sessions get
 * keys above them, shown by the API as the session id. */
static void
keys_above_restored(void)
{
	struct store		*st = fresh_store();
	struct store_lease	 l = { .pool = "p", .user = "old",
				       .session_id = (1764000000ull << 24) | 7,
				       .state = "bound" };
	struct bed		 b;
	struct fake		 f;
	struct rg_addr		 a;
	json_t			*j;
	char			 why[64];

	rg_addr_parse("10.9.0.200", &l.addr);
	CHECK_EQ(store_lease_put(st, &l), 0);
	bed_up(&b, st, false);
	j = lease0(&b);
	CHECK_EQ((uint64_t)json_integer_value(json_object_get(j, "session")),
	    l.session_id);
	CHECK_EQ(sess_key_to_id(b.reg, l.session_id), l.session_id);
	json_decref(j);
	CHECK(open_fake(b.reg, &f, "alice") != NULL);
	CHECK_EQ(sess_id(f.s), 1);
	CHECK_EQ(sess_lease(f.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	CHECK_EQ(f.s->key, l.session_id + 1);
	CHECK_EQ(sess_key_to_id(b.reg, f.s->key), 1);
	sess_end(f.s, SESS_CAUSE_USER_REQUEST, "test");
	bed_down(&b);
	store_close(st);
}

/* One session per user: the pool names the older session, its provider
 * is asked to end it (Port-Preempted), the newer one keeps running. */
static void
one_session_kill(void)
{
	struct bed	 b;
	struct fake	 f1, f2;
	struct rg_addr	 a1, a2;
	char		 why[64];

	bed_up(&b, NULL, true);
	CHECK(open_fake(b.reg, &f1, "alice") != NULL);
	CHECK_EQ(sess_lease(f1.s, AF_INET, NULL, &a1, why, sizeof(why)), 0);
	sess_up(f1.s);
	CHECK(open_fake(b.reg, &f2, "alice") != NULL);
	CHECK_EQ(sess_lease(f2.s, AF_INET, NULL, &a2, why, sizeof(why)), 0);
	sess_up(f2.s);
	CHECK_EQ(f1.kills, 1);
	CHECK_EQ(f1.cause, SESS_CAUSE_PORT_PREEMPTED);
	CHECK(f1.s == NULL);
	CHECK_EQ(f2.kills, 0);
	CHECK_EQ(sess_count(b.reg), 1);
	CHECK(sess_by_id(b.reg, 1) == NULL);
	CHECK(sess_by_id(b.reg, 2) == f2.s);
	sess_end(f2.s, SESS_CAUSE_USER_REQUEST, "test");
	bed_down(&b);
}

/* The end gives the lease back to the pool (reserved for the user with
 * the default sticky time). */
static void
lease_released_on_end(void)
{
	struct bed	 b;
	struct fake	 f;
	struct rg_addr	 a;
	json_t		*l;
	char		 why[64];

	bed_up(&b, NULL, false);
	CHECK(open_fake(b.reg, &f, "bob") != NULL);
	CHECK_EQ(sess_lease(f.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	sess_up(f.s);
	l = lease0(&b);
	CHECK_STR(json_string_value(json_object_get(l, "state")), "active");
	json_decref(l);
	sess_end(f.s, SESS_CAUSE_LOST_CARRIER, "test");
	l = lease0(&b);
	CHECK_STR(json_string_value(json_object_get(l, "state")), "reserved");
	json_decref(l);
	/* Ended before it came up: the lease goes back too. */
	CHECK(open_fake(b.reg, &f, "carol") != NULL);
	CHECK_EQ(sess_lease(f.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	sess_end(f.s, SESS_CAUSE_NAS_ERROR, "auth failed late");
	CHECK_EQ(sess_count(b.reg), 0);
	bed_down(&b);
}

/* History: a row when up (with the auth method), closed with the
 * provider's counters and the cause at the end; a session that never came
 * up leaves none. */
static void
history_rows(void)
{
	struct store	*st = fresh_store();
	struct bed	 b;
	struct fake	 f;
	struct rg_addr	 a;
	json_t		*h, *r;
	char		 why[64];

	bed_up(&b, st, false);
	CHECK(open_fake(b.reg, &f, "dave") != NULL);
	CHECK_EQ(sess_lease(f.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	h = store_session_list(st, 0);
	CHECK_EQ(json_array_size(h), 0);
	json_decref(h);
	sess_up(f.s);
	h = store_session_list(st, 0);
	CHECK_EQ(json_array_size(h), 1);
	r = json_array_get(h, 0);
	CHECK_STR(json_string_value(json_object_get(r, "user")), "dave");
	CHECK_STR(json_string_value(json_object_get(r, "proto")), "ikev2");
	CHECK_STR(json_string_value(json_object_get(r, "method")),
	    "ikev2-eap-mschapv2");
	CHECK_STR(json_string_value(json_object_get(r, "vip")), "10.9.0.1");
	CHECK(json_is_null(json_object_get(r, "ended")));
	CHECK(json_is_null(json_object_get(r, "cause")));
	json_decref(h);
	f.bytes_in = 1234;
	sess_end(f.s, SESS_CAUSE_USER_REQUEST, "test");
	h = store_session_list(st, 0);
	r = json_array_get(h, 0);
	CHECK(json_integer_value(json_object_get(r, "ended")) > 0);
	CHECK_EQ(json_integer_value(json_object_get(r, "bytes_in")), 1234);
	CHECK_EQ(json_integer_value(json_object_get(r, "bytes_out")), 7);
	CHECK_STR(json_string_value(json_object_get(r, "cause")),
	    "user request");
	json_decref(h);
	CHECK(open_fake(b.reg, &f, "erin") != NULL);
	sess_end(f.s, SESS_CAUSE_NAS_ERROR, "never up");
	h = store_session_list(st, 0);
	CHECK_EQ(json_array_size(h), 1);
	json_decref(h);
	bed_down(&b);
	store_close(st);
}

/* RFC 2866 5.10 Acct-Terminate-Cause, one value per cause. */
static void
cause_radius(void)
{
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_USER_REQUEST), 1);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_LOST_CARRIER), 2);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_LOST_SERVICE), 3);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_IDLE_TIMEOUT), 4);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_SESSION_TIMEOUT), 5);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_ADMIN_RESET), 6);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_ADMIN_REBOOT), 7);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_PORT_ERROR), 8);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_NAS_ERROR), 9);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_NAS_REQUEST), 10);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_NAS_REBOOT), 11);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_PORT_UNNEEDED), 12);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_PORT_PREEMPTED), 13);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_PORT_SUSPENDED), 14);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_SERVICE_UNAVAILABLE), 15);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_CALLBACK), 16);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_USER_ERROR), 17);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_HOST_REQUEST), 18);
	CHECK_EQ(sess_cause_radius(SESS_CAUSE_COUNT), 0);
	/* one-to-one */
	for (int i = 0; i < SESS_CAUSE_COUNT; i++)
		for (int j = i + 1; j < SESS_CAUSE_COUNT; j++)
			CHECK(sess_cause_radius(i) != sess_cause_radius(j));
	CHECK_STR(sess_cause_name(SESS_CAUSE_ADMIN_RESET), "admin reset");
}

/* reqid -> session: only up sessions, only the reqids they hold. */
static void
reqid_lookup(void)
{
	struct bed	 b;
	struct fake	 f;

	bed_up(&b, NULL, false);
	CHECK(open_fake(b.reg, &f, "frank") != NULL);
	CHECK_EQ(sess_reqid_add(f.s, 5), 0);
	CHECK_EQ(sess_reqid_add(f.s, 9), 0);
	CHECK_EQ(sess_reqid_add(f.s, 11), 0);
	CHECK(sess_by_reqid(b.reg, 5) == NULL);		/* not up yet */
	sess_up(f.s);
	CHECK(sess_by_reqid(b.reg, 5) == f.s);
	CHECK(sess_by_reqid(b.reg, 11) == f.s);
	CHECK(sess_by_reqid(b.reg, 6) == NULL);
	sess_reqid_del(f.s, 5);
	CHECK(sess_by_reqid(b.reg, 5) == NULL);
	CHECK(sess_by_reqid(b.reg, 9) == f.s);
	sess_end(f.s, SESS_CAUSE_USER_REQUEST, "test");
	CHECK(sess_by_reqid(b.reg, 9) == NULL);
	bed_down(&b);
}

/* --- DHCPINFORM through a session ---------------------------------------- */

static uint8_t	 sent[1600];
static size_t	 sentlen;
static uint32_t	 sent_reqid;

static int
capture_send(void *arg, uint32_t reqid, const uint8_t *p, size_t len)
{
	(void)arg;
	sent_reqid = reqid;
	sentlen = len < sizeof(sent) ? len : sizeof(sent);
	memcpy(sent, p, sentlen);
	return 0;
}

/* IPv4/UDP 68 -> 67 from src, BOOTREQUEST DHCPINFORM for ciaddr (no UDP
 * checksum, RFC 768). */
static size_t
build_inform(uint8_t *p, const struct rg_addr *src, const struct rg_addr *ci)
{
	uint32_t sum = 0;
	size_t	 n, i;

	memset(p, 0, 300);
	p[0] = 0x45;
	p[8] = 128;
	p[9] = 17;
	memcpy(p + 12, src->addr, 4);
	memset(p + 16, 0xff, 4);
	p[21] = 68;
	p[23] = 67;
	p[28] = 1;
	p[29] = 1;
	p[30] = 6;
	memcpy(p + 32, "\x5a\x3c\x11\x07", 4);
	memcpy(p + 40, ci->addr, 4);
	memcpy(p + 264, "\x63\x82\x53\x63", 4);
	n = 268;
	p[n++] = 53;
	p[n++] = 1;
	p[n++] = 8;
	p[n++] = 255;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[24] = (uint8_t)((n - 20) >> 8);
	p[25] = (uint8_t)(n - 20);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	return n;
}

static void
dhcp_through_session(void)
{
	struct rg_config	*c = config(false);
	struct sess_opts	 so = { .lease_ops = &fake_leases,
				       .send = capture_send };
	struct sess_reg		*reg;
	struct dp_events	 ev;
	struct fake		 f;
	struct rg_addr		 vip, other;
	uint64_t		 answered, dropped;
	uint8_t			 pkt[400];
	size_t			 n;
	char			 why[64];

	if (loop == NULL)
		loop = rg_loop_new(0);
	reg = sess_reg_new(loop, c, &so);
	memset(&ev, 0, sizeof(ev));
	sess_dp_events(reg, &ev);
	/* The data plane is told: UDP 67 from 68, to us. */
	CHECK_EQ(ev.nudp, 1);
	CHECK_EQ(ev.udp[0].port, 67);
	CHECK_EQ(ev.udp[0].sport, 68);
	CHECK(ev.udp_input != NULL);
	CHECK_EQ(dp_udp_service_match(&ev, AF_INET, 17, 68, 67), 67);
	CHECK_EQ(dp_udp_service_match(&ev, AF_INET, 17, 5000, 67), 0);
	CHECK_EQ(dp_udp_service_match(&ev, AF_INET, 17, 68, 53), 0);
	CHECK(open_fake(reg, &f, "gina") != NULL);
	CHECK_EQ(sess_lease(f.s, AF_INET, NULL, &vip, why, sizeof(why)), 0);
	CHECK_EQ(sess_reqid_add(f.s, 3), 0);
	sess_up(f.s);
	n = build_inform(pkt, &vip, &vip);
	/* No session behind reqid 4: dropped, nothing sent. */
	sentlen = 0;
	ev.udp_input(ev.arg, 67, 4, pkt, n);
	CHECK_EQ(sentlen, 0);
	/* Through reqid 3: answered back into it, from 198.51.100.1 (the
	 * first host of the profile's split network) to the vip. */
	ev.udp_input(ev.arg, 67, 3, pkt, n);
	CHECK(sentlen > 28);
	CHECK_EQ(sent_reqid, 3);
	CHECK_MEM(sent + 12, "\xc6\x33\x64\x01", 4);
	CHECK_EQ(sent[23], 68);
	sess_dhcp_stats(reg, &answered, &dropped);
	CHECK_EQ(answered, 1);
	CHECK_EQ(dropped, 1);
	/* Security review defect 9: only the vip is answered.  From another
	 * source (a spoofed or foreign packet on the SA), or naming another
	 * client in ciaddr (the answer would go there: reflection), the
	 * request is dropped. */
	other.af = AF_INET;
	memcpy(other.addr, "\xc6\x33\x64\x0a", 4);	/* 198.51.100.10 */
	sentlen = 0;
	n = build_inform(pkt, &other, &vip);
	ev.udp_input(ev.arg, 67, 3, pkt, n);
	n = build_inform(pkt, &vip, &other);
	ev.udp_input(ev.arg, 67, 3, pkt, n);
	CHECK_EQ(sentlen, 0);
	sess_dhcp_stats(reg, &answered, &dropped);
	CHECK_EQ(answered, 1);
	CHECK_EQ(dropped, 3);
	n = build_inform(pkt, &vip, &vip);
	sess_end(f.s, SESS_CAUSE_USER_REQUEST, "test");
	/* The session gone, its reqid no longer answers. */
	sentlen = 0;
	ev.udp_input(ev.arg, 67, 3, pkt, n);
	CHECK_EQ(sentlen, 0);
	sess_reg_free(reg);
	rg_config_unref(c);
}

/* The session list the API shows, kicks, sessions per profile. */
static void
list_and_kick(void)
{
	struct bed	 b;
	struct fake	 f1, f2;
	struct rg_addr	 a;
	json_t		*l, *s;
	char		 why[64];

	bed_up(&b, NULL, false);
	CHECK(open_fake(b.reg, &f1, "hank") != NULL);
	CHECK(open_fake(b.reg, &f2, "ines") != NULL);
	CHECK_EQ(sess_lease(f2.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	sess_up(f2.s);
	l = sess_list_json(b.reg);
	CHECK_EQ(json_array_size(l), 1);		/* f1 is not up */
	s = json_array_get(l, 0);
	CHECK_EQ(json_integer_value(json_object_get(s, "session_id")), 2);
	CHECK_STR(json_string_value(json_object_get(s, "user")), "ines");
	CHECK_STR(json_string_value(json_object_get(s, "method")),
	    "ikev2-eap-mschapv2");
	CHECK_STR(json_string_value(json_object_get(s, "auth")),
	    "eap-mschapv2");
	CHECK_STR(json_string_value(json_object_get(s, "vip")), "10.9.0.1");
	CHECK_STR(json_string_value(json_object_get(s, "peer")),
	    "192.0.2.2:0");
	CHECK_STR(json_string_value(json_object_get(s, "spi_i")),
	    "0011223344556677");
	CHECK_EQ(json_integer_value(json_object_get(s, "bytes_out")), 7);
	json_decref(l);
	CHECK_EQ(sess_count_on_profile(b.reg, "default"), 1);
	CHECK_EQ(sess_count_on_profile(b.reg, "other"), 0);
	CHECK_EQ(sess_kick(b.reg, 1, "not up"), -1);
	CHECK_EQ(sess_kick(b.reg, 2, "admin"), 0);
	CHECK_EQ(f2.cause, SESS_CAUSE_ADMIN_RESET);
	CHECK_EQ(sess_count_on_profile(b.reg, "default"), 0);
	sess_end(f1.s, SESS_CAUSE_NAS_ERROR, "test");
	bed_down(&b);
}

/* --- granted attributes (RADIUS reply) ------------------------------------ */

static void
addr4(struct rg_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	inet_pton(AF_INET, s, a->addr);
}

/* Framed-IP-Address inside the profile's pool is the session's vip;
 * outside every allowed pool, or held by another session, refused. */
static void
grant_address(void)
{
	struct bed		 b;
	struct fake		 f1, f2, f3;
	struct sess_grant	 g;
	struct rg_addr		 a;
	char			 why[160], as[64];

	bed_up(&b, NULL, false);
	memset(&g, 0, sizeof(g));
	addr4(&g.address, "10.9.0.77");
	CHECK(open_fake(b.reg, &f1, "jack") != NULL);
	sess_set_grant(f1.s, &g);
	CHECK_EQ(sess_lease(f1.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	CHECK_STR(rg_addr_str(&a, as, sizeof(as)), "10.9.0.77");
	/* Taken by jack: kate may not have it. */
	CHECK(open_fake(b.reg, &f2, "kate") != NULL);
	sess_set_grant(f2.s, &g);
	CHECK_EQ(sess_lease(f2.s, AF_INET, NULL, &a, why, sizeof(why)), -1);
	CHECK(strstr(why, "in use") != NULL);
	/* Outside the profile's pools (q is no pool of the profile). */
	addr4(&g.address, "10.8.0.5");
	CHECK(open_fake(b.reg, &f3, "liam") != NULL);
	sess_set_grant(f3.s, &g);
	CHECK_EQ(sess_lease(f3.s, AF_INET, NULL, &a, why, sizeof(why)), -1);
	CHECK(strstr(why, "not in an allowed pool") != NULL);
	sess_end(f1.s, SESS_CAUSE_USER_REQUEST, "test");
	sess_end(f2.s, SESS_CAUSE_USER_REQUEST, "test");
	sess_end(f3.s, SESS_CAUSE_USER_REQUEST, "test");
	bed_down(&b);
}

/* Framed-Pool picks the pool by name instead of the profile's; an
 * unknown name is refused. */
static void
grant_pool(void)
{
	struct bed		 b;
	struct fake		 f1, f2;
	struct sess_grant	 g;
	struct rg_addr		 a;
	char			 why[160], as[64];

	bed_up(&b, NULL, false);
	memset(&g, 0, sizeof(g));
	snprintf(g.pool, sizeof(g.pool), "q");
	CHECK(open_fake(b.reg, &f1, "mona") != NULL);
	sess_set_grant(f1.s, &g);
	CHECK_EQ(sess_lease(f1.s, AF_INET, NULL, &a, why, sizeof(why)), 0);
	CHECK_STR(rg_addr_str(&a, as, sizeof(as)), "10.8.0.1");
	snprintf(g.pool, sizeof(g.pool), "nosuch");
	CHECK(open_fake(b.reg, &f2, "nils") != NULL);
	sess_set_grant(f2.s, &g);
	CHECK_EQ(sess_lease(f2.s, AF_INET, NULL, &a, why, sizeof(why)), -1);
	CHECK(strstr(why, "nosuch") != NULL);
	sess_end(f1.s, SESS_CAUSE_USER_REQUEST, "test");
	sess_end(f2.s, SESS_CAUSE_USER_REQUEST, "test");
	bed_down(&b);
}

static void
spin_until(struct fake *f, uint64_t ms)
{
	uint64_t	 end = rg_now_ms() + ms;

	while (f->kills == 0 && rg_now_ms() < end)
		rg_loop_once(loop, 20);
}

/* Session-Timeout ends the up session on time, cause SESSION_TIMEOUT;
 * a CoA's new timeout counts from then. */
static void
grant_session_timeout(void)
{
	struct bed		 b;
	struct fake		 f, f2;
	struct sess_grant	 g;
	uint64_t		 t0, dt;

	bed_up(&b, NULL, false);
	memset(&g, 0, sizeof(g));
	g.session_timeout_s = 1;
	CHECK(open_fake(b.reg, &f, "olga") != NULL);
	sess_set_grant(f.s, &g);
	t0 = rg_now_ms();
	sess_up(f.s);
	spin_until(&f, 3000);
	dt = rg_now_ms() - t0;
	CHECK_EQ(f.kills, 1);
	CHECK_EQ(f.cause, SESS_CAUSE_SESSION_TIMEOUT);
	CHECK(dt >= 1000 && dt < 1500);
	/* Not up yet: no clock runs.  Up, then a CoA moves it to 2 s. */
	CHECK(open_fake(b.reg, &f2, "olga") != NULL);
	sess_set_grant(f2.s, &g);
	rg_loop_once(loop, 50);
	sess_up(f2.s);
	t0 = rg_now_ms();
	sess_set_session_timeout(f2.s, 2);
	spin_until(&f2, 4000);
	dt = rg_now_ms() - t0;
	CHECK_EQ(f2.cause, SESS_CAUSE_SESSION_TIMEOUT);
	CHECK(dt >= 2000 && dt < 2500);
	bed_down(&b);
}

/* Idle-Timeout: traffic from the client keeps the session; none for
 * the timeout ends it with cause IDLE_TIMEOUT. */
static void
grant_idle_timeout(void)
{
	struct bed		 b;
	struct fake		 f;
	struct sess_grant	 g;
	uint64_t		 t0;

	bed_up(&b, NULL, false);
	memset(&g, 0, sizeof(g));
	g.idle_timeout_s = 2;
	CHECK(open_fake(b.reg, &f, "pete") != NULL);
	sess_set_grant(f.s, &g);
	sess_up(f.s);
	t0 = rg_now_ms();
	/* Traffic every 0.5 s for 3 s: still up. */
	while (rg_now_ms() - t0 < 3000 && f.kills == 0) {
		f.bytes_in += 100;
		rg_loop_once(loop, 500);
	}
	CHECK_EQ(f.kills, 0);
	spin_until(&f, 4000);
	CHECK_EQ(f.kills, 1);
	CHECK_EQ(f.cause, SESS_CAUSE_IDLE_TIMEOUT);
	CHECK(rg_now_ms() - t0 >= 5000);
	bed_down(&b);
}

static void
cleanup(void)
{
	char	 cmd[300];

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	rg_loop_free(loop);
	loop = NULL;
}

RG_TEST_MAIN("sess", T(ids_64bit), T(keys_above_restored),
    T(one_session_kill), T(lease_released_on_end), T(history_rows),
    T(cause_radius), T(reqid_lookup), T(dhcp_through_session),
    T(list_and_kick), T(grant_address), T(grant_pool),
    T(grant_session_timeout), T(grant_idle_timeout), FIXTURE(cleanup))
