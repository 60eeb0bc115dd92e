/*
 * test_pool.c: the pool rules, one table or scenario per rule:
 * exclusions, exhaustion and the next pool, sticky reservations, two
 * devices vs one session per user, RADIUS Framed-IP-Address (RFC 2865
 * 5.8) in and out of the allowed pools, static addresses, IPv6 pools,
 * reconfiguration keeping leases, the status JSON, the validator.
 * Persistence, restart and crash recovery are in test_pool_persist.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rg_test.h"
#include "rg_log.h"
#include "test_pool_util.h"
#include "pool_int.h"		/* pool_mgr_check() */

static uint64_t	 fake_now = 1700000000;

static uint64_t
clock_fake(void *arg)
{
	(void)arg;
	return fake_now;
}

static char	 last_log[512];
static int	 nlogs_warn;

static void
hook(enum rg_topic t, enum rg_level l, const char *msg, void *arg)
{
	(void)arg;
	if (t != RG_T_POOL || l > RG_L_WARN)
		return;
	nlogs_warn++;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static struct pool_mgr *
mgr_for(struct rg_config *c, const struct pool_persist *pp)
{
	struct pool_mgr	*m = pool_mgr_new(pp);
	char		 why[256];

	pool_mgr_set_clock(m, clock_fake, NULL);
	if (pool_mgr_configure(m, c, why, sizeof(why)) < 0) {
		printf("  configure: %s\n", why);
		pool_mgr_free(m);
		return NULL;
	}
	return m;
}

/* Acquire and return the address as text ("" on failure, rc in *rc). */
static const char *
get(struct pool_mgr *m, struct rg_config *c, const char *user, uint64_t sess,
    int af, const char *requested, int *rcp, struct pool_grant *gp)
{
	static char	 out[INET6_ADDRSTRLEN];
	struct pool_req	 req;
	struct pool_grant g;
	char		 why[256];
	int		 rc;

	memset(&req, 0, sizeof(req));
	req.user = user;
	req.session_id = sess;
	req.af = af;
	if (requested)
		req.requested = A(requested);
	rc = pool_acquire(m, c, &req, &g, why, sizeof(why));
	if (rcp)
		*rcp = rc;
	if (gp)
		*gp = g;
	if (rc < 0) {
		snprintf(last_log, sizeof(last_log), "%s", why);
		return "";
	}
	return rg_addr_str(&g.addr, out, sizeof(out));
}

/* ---- exclusions: one row per pool shape, the addresses handed out ---- */

static const struct excl_case {
	const char	*name;
	const char	*network;
	const char	*ranges[3][2];
	const char	*excludes[2];
	const char	*local[2];
	const char	*expect;	/* every address, in order of grant */
} excl_cases[] = {
	{ "cidr network only", "10.0.0.0/29", {{0}}, {0}, {0},
	  "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6" },
	{ "gateway address excluded", "10.0.0.0/29", {{0}}, {0},
	  { "10.0.0.1", "192.0.2.1" },
	  "10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6" },
	{ "cidr-shaped range in a /24", "10.0.0.0/24",
	  {{ "10.0.0.8", "10.0.0.15" }}, {0}, {0},
	  "10.0.0.9 10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.13 10.0.0.14" },
	{ "plain range keeps its ends", "10.0.0.0/24",
	  {{ "10.0.0.5", "10.0.0.9" }}, {0}, {0},
	  "10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9" },
	{ "two ranges and an exclude prefix", "10.0.0.0/24",
	  {{ "10.0.0.8", "10.0.0.15" }, { "10.0.0.20", "10.0.0.22" }},
	  { "10.0.0.12/30" }, { "10.0.0.21" },
	  "10.0.0.9 10.0.0.10 10.0.0.11 10.0.0.20 10.0.0.22" },
	{ "network address of the covering prefix", "10.0.0.0/24",
	  {{ "10.0.0.0", "10.0.0.2" }}, {0}, {0},
	  "10.0.0.1 10.0.0.2" },
	{ "broadcast of the covering prefix", "10.0.0.0/24",
	  {{ "10.0.0.253", "10.0.0.255" }}, {0}, {0},
	  "10.0.0.253 10.0.0.254" },
	{ "no network: range alone", NULL,
	  {{ "172.16.0.0", "172.16.0.2" }}, {0}, {0},
	  "172.16.0.0 172.16.0.1 172.16.0.2" },
	{ "ipv6 subnet-router anycast", "fd00::/125", {{0}}, {0},
	  { "fd00::1" },
	  "fd00::2 fd00::3 fd00::4 fd00::5 fd00::6 fd00::7" },
};

static void
exclusions(void)
{
	size_t	 i, j;

	for (i = 0; i < sizeof(excl_cases) / sizeof(excl_cases[0]); i++) {
		const struct excl_case *t = &excl_cases[i];
		struct rg_config *c = rg_config_new();
		struct rg_addr	 local[2];
		struct pool_mgr	*m;
		size_t		 pi, nl = 0;
		char		 got[512] = "", why[256];
		const char	*a;
		int		 rc, af;
		uint64_t	 s;

		pi = cfg_pool(c, "p", t->network, NULL);
		for (j = 0; j < 3 && t->ranges[j][0]; j++)
			cfg_range(c, pi, t->ranges[j][0], t->ranges[j][1]);
		for (j = 0; j < 2 && t->excludes[j]; j++)
			cfg_exclude(c, pi, t->excludes[j]);
		for (j = 0; j < 2 && t->local[j]; j++)
			local[nl++] = A(t->local[j]);
		cfg_profile(c, "prof", "p", false);
		cfg_user(c, "u", "prof", NULL);
		af = c->pools[pi].af;
		m = pool_mgr_new(NULL);
		pool_mgr_set_local(m, local, nl);
		rc = pool_mgr_configure(m, c, why, sizeof(why));
		CHECK_EQ(rc, 0);
		for (s = 1; s < 300; s++) {
			a = get(m, c, "u", s, af, NULL, &rc, NULL);
			if (rc < 0)
				break;
			if (*got)
				strcat(got, " ");
			strcat(got, a);
		}
		if (strcmp(got, t->expect) != 0)
			printf("  case %s\n", t->name);
		CHECK_STR(got, t->expect);
		CHECK_EQ(rc, -ENOSPC);
		pool_mgr_free(m);
		rg_config_unref(c);
	}
}

/* ---- exhaustion, the next pool, the counters and the log ---- */

static void
exhaustion_next(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	struct pool_grant g;
	json_t		*st, *p;
	int		 rc;

	cfg_pool(c, "a", "10.1.0.0/30", "b");
	cfg_pool(c, "b", "10.2.0.0/30", NULL);
	cfg_pool(c, "other", "10.3.0.0/30", NULL);
	cfg_profile(c, "prof", "a", false);
	cfg_user(c, "u", "prof", NULL);
	m = mgr_for(c, NULL);
	CHECK_STR(get(m, c, "u", 1, AF_INET, NULL, &rc, &g), "10.1.0.1");
	CHECK_STR(g.pool, "a");
	CHECK_EQ(g.plen, 30);
	CHECK_STR(get(m, c, "u", 2, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	CHECK_STR(get(m, c, "u", 3, AF_INET, NULL, &rc, &g), "10.2.0.1");
	CHECK_STR(g.pool, "b");
	CHECK_STR(get(m, c, "u", 4, AF_INET, NULL, &rc, NULL), "10.2.0.2");
	nlogs_warn = 0;
	CHECK_STR(get(m, c, "u", 5, AF_INET, NULL, &rc, NULL), "");
	CHECK_EQ(rc, -ENOSPC);
	CHECK(strstr(last_log, "exhausted") != NULL);
	/* No IPv6 pool at all: a different, clear reason. */
	CHECK_STR(get(m, c, "u", 6, AF_INET6, NULL, &rc, NULL), "");
	CHECK_EQ(rc, -ENOENT);
	CHECK(strstr(last_log, "no IPv6 pool") != NULL);

	st = pool_mgr_status_json(m, NULL);
	CHECK_EQ(json_integer_value(json_object_get(st, "exhausted")), 1);
	p = json_array_get(json_object_get(st, "pools"), 0);
	CHECK_STR(json_string_value(json_object_get(p, "name")), "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "exhausted")), 1);
	CHECK_EQ(json_integer_value(json_object_get(p, "size")), 2);
	CHECK_EQ(json_integer_value(json_object_get(p, "used")), 2);
	CHECK(json_real_value(json_object_get(p, "utilisation")) == 100.0);
	CHECK_STR(json_string_value(json_object_get(p, "next")), "b");
	json_decref(st);

	/* Releasing one frees a slot in a (sticky off here). */
	pool_mgr_set_sticky(m, 0);
	CHECK_EQ(pool_release(m, 2), 1);
	CHECK_EQ(pool_release(m, 2), 0);
	CHECK_STR(get(m, c, "u", 7, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- sticky reservations ---- */

static void
sticky(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	json_t		*p;
	int		 rc;

	cfg_pool(c, "a", "10.1.0.0/29", NULL);	/* .1 - .6 */
	cfg_profile(c, "prof", "a", false);
	m = mgr_for(c, NULL);
	pool_mgr_set_sticky(m, 600);
	CHECK_STR(get(m, c, "alice", 1, AF_INET, NULL, &rc, NULL), "10.1.0.1");
	CHECK_EQ(pool_release(m, 1), 1);
	CHECK_STR(get(m, c, "x", 2, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	CHECK_STR(get(m, c, "x2", 3, AF_INET, NULL, &rc, NULL), "10.1.0.3");
	fake_now += 5;
	CHECK_EQ(pool_release(m, 2), 1);
	/* Alice reconnects within the sticky time: her address, not the
	 * next free one (.4). */
	fake_now += 590;
	CHECK_STR(get(m, c, "alice", 4, AF_INET, NULL, &rc, NULL), "10.1.0.1");
	CHECK_EQ(pool_release(m, 4), 1);
	/* Free slots go first; reservations stay for their users. */
	CHECK_STR(get(m, c, "y", 5, AF_INET, NULL, &rc, NULL), "10.1.0.4");
	CHECK_STR(get(m, c, "y", 6, AF_INET, NULL, &rc, NULL), "10.1.0.5");
	CHECK_STR(get(m, c, "y", 7, AF_INET, NULL, &rc, NULL), "10.1.0.6");
	/* Full: the oldest reservation (x's) goes to someone else. */
	CHECK_STR(get(m, c, "z", 8, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "reserved")), 1);
	CHECK_EQ(json_integer_value(json_object_get(p, "active")), 5);
	json_decref(p);
	/* Past the sticky time the reservation is freed. */
	fake_now += 601;
	pool_mgr_tick(m);
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "reserved")), 0);
	CHECK_EQ(json_integer_value(json_object_get(p, "free")), 1);
	CHECK_EQ(json_array_size(json_object_get(p, "leases")), 5);
	json_decref(p);
	CHECK_STR(get(m, c, "w", 9, AF_INET, NULL, &rc, NULL), "10.1.0.1");
	CHECK_STR(get(m, c, "w", 10, AF_INET, NULL, &rc, NULL), "");
	CHECK_EQ(rc, -ENOSPC);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- two devices, or one session per user ---- */

static void
sessions_per_user(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	struct pool_grant g;
	int		 rc;

	cfg_pool(c, "a", "10.1.0.0/24", NULL);
	cfg_profile(c, "multi", "a", false);
	cfg_profile(c, "single", "a", true);
	cfg_user(c, "two", "multi", NULL);
	cfg_user(c, "one", "single", NULL);
	m = mgr_for(c, NULL);
	CHECK_STR(get(m, c, "two", 1, AF_INET, NULL, &rc, &g), "10.1.0.1");
	CHECK_EQ(g.replaced_session, 0);
	CHECK_STR(get(m, c, "two", 2, AF_INET, NULL, &rc, &g), "10.1.0.2");
	CHECK_EQ(g.replaced_session, 0);
	/* Same session asking again: same address, nothing new. */
	CHECK_STR(get(m, c, "two", 2, AF_INET, NULL, &rc, &g), "10.1.0.2");

	CHECK_STR(get(m, c, "one", 10, AF_INET, NULL, &rc, &g), "10.1.0.3");
	CHECK_EQ(g.replaced_session, 0);
	CHECK_STR(get(m, c, "one", 11, AF_INET, NULL, &rc, &g), "10.1.0.3");
	CHECK_EQ(g.replaced_session, 10);
	/* The caller tears session 10 down: nothing left to release. */
	CHECK_EQ(pool_release(m, 10), 0);
	CHECK_STR(get(m, c, "one", 11, AF_INET, NULL, &rc, &g), "10.1.0.3");
	CHECK_EQ(g.replaced_session, 0);
	CHECK_STR(get(m, c, "one", 12, AF_INET, NULL, &rc, &g), "10.1.0.3");
	CHECK_EQ(g.replaced_session, 11);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- RADIUS Framed-IP-Address ---- */

static const struct radius_case {
	const char	*requested;
	int		 rc;
	const char	*expect;	/* address or part of why */
} radius_cases[] = {
	{ "10.1.0.77", 0, "10.1.0.77" },		/* inside pool a */
	{ "10.2.0.9", 0, "10.2.0.9" },		/* next pool b: allowed */
	{ "10.9.0.5", -EACCES, "not in an allowed pool" },	/* pool c */
	{ "192.0.2.7", -EACCES, "not in an allowed pool" },	/* no pool */
	{ "10.1.0.77", -EADDRINUSE, "in use by session" },	/* taken */
	{ "10.1.0.0", -EACCES, "excluded" },	/* network address */
	{ "10.1.0.50", -EACCES, "excluded" },	/* someone's static */
	{ "fd00::1", -EINVAL, "family" },
};

static void
radius_address(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	size_t		 i;
	const char	*a;
	int		 rc, refused = 0;
	json_t		*st;

	cfg_pool(c, "a", "10.1.0.0/24", "b");
	cfg_pool(c, "b", "10.2.0.0/24", NULL);
	cfg_pool(c, "c", "10.9.0.0/24", NULL);
	cfg_profile(c, "prof", "a", false);
	cfg_user(c, "s", "prof", "10.1.0.50");
	m = mgr_for(c, NULL);
	for (i = 0; i < sizeof(radius_cases) / sizeof(radius_cases[0]); i++) {
		const struct radius_case *t = &radius_cases[i];

		nlogs_warn = 0;
		a = get(m, c, "r", 100 + i, AF_INET, t->requested, &rc, NULL);
		if (rc != t->rc)
			printf("  case %zu (%s): rc %d\n", i, t->requested, rc);
		CHECK_EQ(rc, t->rc);
		if (rc == 0)
			CHECK_STR(a, t->expect);
		else
			CHECK(strstr(last_log, t->expect) != NULL);
		if (strstr(t->expect, "allowed")) {
			refused++;
			/* The refusal is logged for the admin. */
			CHECK_EQ(nlogs_warn, 1);
		}
	}
	st = pool_mgr_status_json(m, NULL);
	CHECK_EQ(json_integer_value(json_object_get(st, "radius_refused")),
	    refused);
	json_decref(st);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- static addresses ---- */

static void
static_address(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	struct pool_grant g;
	struct pool_req	 req;
	char		 why[128];
	int		 rc;
	uint64_t	 s;

	cfg_pool(c, "a", "10.1.0.0/29", NULL);	/* .1 - .6 */
	cfg_profile(c, "prof", "a", false);
	cfg_user(c, "st", "prof", "10.1.0.3");
	cfg_user(c, "out", "prof", "192.0.2.44");
	m = mgr_for(c, NULL);
	/* Dynamic users never get .3, even when it's free. */
	for (s = 1; s <= 5; s++) {
		get(m, c, "dyn", s, AF_INET, NULL, &rc, &g);
		CHECK_EQ(rc, 0);
		CHECK(g.addr.addr[3] != 3);
	}
	get(m, c, "dyn", 6, AF_INET, NULL, &rc, NULL);
	CHECK_EQ(rc, -ENOSPC);
	CHECK_STR(get(m, c, "st", 20, AF_INET, NULL, &rc, &g), "10.1.0.3");
	CHECK_STR(g.pool, "a");
	CHECK_EQ(pool_release(m, 20), 1);
	CHECK_STR(get(m, c, "st", 21, AF_INET, NULL, &rc, &g), "10.1.0.3");
	/* A static address outside every pool is still the user's. */
	CHECK_STR(get(m, c, "out", 30, AF_INET, NULL, &rc, &g), "192.0.2.44");
	CHECK_STR(g.pool, "static");
	CHECK_EQ(g.plen, 32);
	/* The static address in the request wins over the config's. */
	memset(&req, 0, sizeof(req));
	req.user = "out";
	req.session_id = 31;
	req.af = AF_INET;
	req.static_addr = A("192.0.2.45");
	CHECK_EQ(pool_acquire(m, c, &req, &g, why, sizeof(why)), 0);
	CHECK(g.addr.addr[3] == 45);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- IPv6 pools, both families in one session ---- */

static void
ipv6_pool(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	struct pool_grant g;
	int		 rc;

	cfg_pool(c, "v4", "10.1.0.0/24", NULL);
	cfg_pool(c, "v6", "fd00:1::/64", NULL);	/* more than a bitmap */
	cfg_profile(c, "prof", "v4,v6", false);
	m = mgr_for(c, NULL);
	CHECK_STR(get(m, c, "u", 1, AF_INET6, NULL, &rc, &g), "fd00:1::1");
	CHECK_STR(g.pool, "v6");
	CHECK_EQ(g.plen, 64);
	CHECK_STR(get(m, c, "u", 1, AF_INET, NULL, &rc, &g), "10.1.0.1");
	CHECK_STR(get(m, c, "u", 2, AF_INET6, NULL, &rc, &g), "fd00:1::2");
	CHECK_STR(get(m, c, "u", 3, AF_INET6, "fd00:1::abcd", &rc, &g),
	    "fd00:1::abcd");
	CHECK_EQ(pool_release(m, 1), 2);	/* both families */
	CHECK_STR(get(m, c, "u", 4, AF_INET6, NULL, &rc, &g), "fd00:1::1");
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- reconfiguration keeps leases ---- */

static void
reconfigure_keeps(void)
{
	struct rg_config *c = rg_config_new(), *c2 = rg_config_new();
	struct pool_mgr	*m;
	char		 why[256];
	int		 rc;
	json_t		*p;

	cfg_pool(c, "a", "10.1.0.0/29", NULL);
	cfg_pool(c, "gone", "10.7.0.0/29", NULL);
	cfg_profile(c, "prof", "a,gone", false);
	m = mgr_for(c, NULL);
	pool_mgr_set_sticky(m, 600);
	CHECK_STR(get(m, c, "u", 1, AF_INET, NULL, &rc, NULL), "10.1.0.1");
	CHECK_STR(get(m, c, "u", 2, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	CHECK_EQ(pool_release(m, 2), 1);
	CHECK_STR(get(m, c, "v", 3, AF_INET, "10.7.0.3", &rc, NULL),
	    "10.7.0.3");
	CHECK_STR(get(m, c, "v", 4, AF_INET, "10.7.0.4", &rc, NULL),
	    "10.7.0.4");
	CHECK_EQ(pool_release(m, 4), 1);

	/* New snapshot: a grows, "gone" disappears. */
	cfg_pool(c2, "a", "10.1.0.0/28", NULL);
	cfg_profile(c2, "prof", "a", false);
	CHECK_EQ(pool_mgr_configure(m, c2, why, sizeof(why)), 0);
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "active")), 1);
	CHECK_EQ(json_integer_value(json_object_get(p, "reserved")), 1);
	CHECK_EQ(json_integer_value(json_object_get(p, "size")), 14);
	CHECK_EQ(json_integer_value(json_object_get(p, "used")), 2);
	json_decref(p);
	/* The active lease outside every pool stays until released. */
	p = pool_mgr_status_json(m, NULL);
	CHECK_EQ(json_integer_value(json_object_get(p, "leases")), 3);
	json_decref(p);
	CHECK_EQ(pool_release(m, 3), 1);
	/* Existing addresses are not handed out again. */
	CHECK_STR(get(m, c2, "w", 5, AF_INET, NULL, &rc, NULL), "10.1.0.3");
	CHECK_STR(get(m, c2, "u", 6, AF_INET, NULL, &rc, NULL), "10.1.0.2");
	/* A bad snapshot changes nothing. */
	rg_config_unref(c);
	c = rg_config_new();
	cfg_pool(c, "a", "10.1.0.0/28", "nope");
	CHECK_EQ(pool_mgr_configure(m, c, why, sizeof(why)), -1);
	CHECK(strstr(why, "pools[a].next") != NULL);
	CHECK(pool_mgr_status_json(m, "gone") == NULL);
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "active")), 3);
	json_decref(p);
	pool_mgr_free(m);
	rg_config_unref(c);
	rg_config_unref(c2);
}

/* ---- the status JSON for the API ---- */

static void
status_json(void)
{
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	json_t		*p, *l;
	int		 rc;

	cfg_pool(c, "a", "10.1.0.0/30", NULL);
	cfg_profile(c, "prof", "a", false);
	m = mgr_for(c, NULL);
	get(m, c, "alice", 42, AF_INET, NULL, &rc, NULL);
	get(m, c, "bob", 43, AF_INET, NULL, &rc, NULL);
	pool_release(m, 43);
	p = pool_mgr_status_json(m, "a");
	CHECK(p != NULL);
	CHECK_EQ(json_integer_value(json_object_get(p, "family")), 4);
	CHECK(json_real_value(json_object_get(p, "utilisation")) == 100.0);
	CHECK_STR(json_string_value(json_array_get(json_object_get(p,
	    "ranges"), 0)), "10.1.0.0-10.1.0.3");
	CHECK_EQ(json_array_size(json_object_get(p, "leases")), 2);
	l = json_array_get(json_object_get(p, "leases"), 0);
	if (strcmp(json_string_value(json_object_get(l, "user")), "alice"))
		l = json_array_get(json_object_get(p, "leases"), 1);
	CHECK_STR(json_string_value(json_object_get(l, "address")), "10.1.0.1");
	CHECK_STR(json_string_value(json_object_get(l, "user")), "alice");
	CHECK_EQ(json_integer_value(json_object_get(l, "session")), 42);
	CHECK_STR(json_string_value(json_object_get(l, "state")), "active");
	CHECK_EQ(json_integer_value(json_object_get(l, "since")), fake_now);
	json_decref(p);
	CHECK(pool_mgr_status_json(m, "nope") == NULL);
	CHECK(pool_mgr_mem_bytes(m) > 0);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/* ---- the validator names the field ---- */

enum vmut { V_OK, V_OVERLAP_CROSS, V_OVERLAP_SELF, V_NOT_NETWORK,
	V_TOO_LONG, V_NEXT_UNKNOWN, V_NEXT_CYCLE, V_NEXT_FAMILY, V_DUP_NAME,
	V_REVERSED, V_OUTSIDE, V_EXCL_HOST, V_PROFILE_POOL, V_EMPTY_NAME,
	V_TOO_BIG };

static const struct vcase {
	enum vmut	 mut;
	const char	*field;
	const char	*why;
} vcases[] = {
	{ V_OK, "", "" },
	{ V_OVERLAP_CROSS, "pools[b].ranges[0]", "overlaps pool a" },
	{ V_OVERLAP_SELF, "pools[a].ranges[1]", "overlaps pool a range 0" },
	{ V_NOT_NETWORK, "pools[a].network", "not a network" },
	{ V_TOO_LONG, "pools[a].network", "prefix too long" },
	{ V_NEXT_UNKNOWN, "pools[a].next", "does not exist" },
	{ V_NEXT_CYCLE, "pools[a].next", "cycle" },
	{ V_NEXT_FAMILY, "pools[a].next", "another family" },
	{ V_DUP_NAME, "pools[1].name", "in use" },
	{ V_REVERSED, "pools[a].ranges[0]", "above the last" },
	{ V_OUTSIDE, "pools[a].ranges[0]", "outside" },
	{ V_EXCL_HOST, "pools[a].excludes[0]", "not a network" },
	{ V_PROFILE_POOL, "profiles[prof].pools[1]", "does not exist" },
	{ V_EMPTY_NAME, "pools[0].name", "empty" },
	{ V_TOO_BIG, "pools[a].ranges[0]", "larger than" },
};

static void
validator(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *t = &vcases[i];
		struct rg_config *c = rg_config_new();
		char		 field[128], why[256];
		size_t		 a, b;
		int		 rc;

		a = cfg_pool(c, t->mut == V_EMPTY_NAME ? "" : "a",
		    t->mut == V_NOT_NETWORK ? "10.1.0.1/24" :
		    t->mut == V_TOO_LONG ? "10.1.0.0/31" :
		    t->mut == V_TOO_BIG ? NULL : "10.1.0.0/24",
		    t->mut == V_NEXT_UNKNOWN ? "zz" :
		    t->mut == V_NEXT_CYCLE || t->mut == V_NEXT_FAMILY ? "b" :
		    NULL);
		b = cfg_pool(c, t->mut == V_DUP_NAME ? "a" : "b",
		    t->mut == V_OVERLAP_CROSS ? "10.1.0.128/25" :
		    t->mut == V_NEXT_FAMILY ? "fd00::/64" : "10.2.0.0/24",
		    t->mut == V_NEXT_CYCLE ? "a" : NULL);
		(void)b;
		if (t->mut == V_OVERLAP_SELF) {
			cfg_range(c, a, "10.1.0.10", "10.1.0.20");
			cfg_range(c, a, "10.1.0.20", "10.1.0.30");
		}
		if (t->mut == V_REVERSED)
			cfg_range(c, a, "10.1.0.20", "10.1.0.10");
		if (t->mut == V_OUTSIDE)
			cfg_range(c, a, "10.1.0.20", "10.1.1.10");
		if (t->mut == V_TOO_BIG)
			cfg_range(c, a, "11.0.0.0", "12.0.0.0");
		if (t->mut == V_EXCL_HOST)
			cfg_exclude(c, a, "10.1.0.1/30");
		cfg_profile(c, "prof", t->mut == V_PROFILE_POOL ? "a,nope" :
		    "a", false);
		rc = pool_mgr_validate(c, field, sizeof(field), why,
		    sizeof(why));
		if (t->mut == V_OK) {
			CHECK_EQ(rc, 0);
		} else {
			CHECK_EQ(rc, -1);
			if (strcmp(field, t->field) || !strstr(why, t->why))
				printf("  case %zu: %s: %s\n", i, field, why);
			CHECK_STR(field, t->field);
			CHECK(strstr(why, t->why) != NULL);
		}
		rg_config_unref(c);
	}
}

/* A /19 (two index chunks, 128 bitmap words): every address once, then
 * random releases and re-grants across the rotating hint's wrap. */
static void
large_pool_unique(void)
{
	static uint8_t	 seen[8192];
	struct rg_config *c = rg_config_new();
	struct pool_mgr	*m;
	struct pool_grant g;
	uint32_t	 off, rnd = 12345, held[8192];
	uint64_t	 s, n = 0, i;
	int		 rc;

	cfg_pool(c, "a", "10.64.0.0/19", NULL);
	cfg_profile(c, "prof", "a", false);
	m = mgr_for(c, NULL);
	pool_mgr_set_sticky(m, 0);
	memset(seen, 0, sizeof(seen));
	for (s = 1; s < 9000; s++) {
		get(m, c, "u", s, AF_INET, NULL, &rc, &g);
		if (rc < 0)
			break;
		off = (uint32_t)(g.addr.addr[2] << 8 | g.addr.addr[3]);
		CHECK(off > 0 && off < 8191 && !seen[off]);
		seen[off] = 1;
		held[n++] = (uint32_t)s;
	}
	CHECK_EQ(n, 8190);
	CHECK_EQ(rc, -ENOSPC);
	/* Release a random third, grant as many again: all distinct. */
	for (i = 0; i < n; i++) {
		rnd = rnd * 1103515245 + 12345;
		if ((rnd >> 16) % 3 == 0) {
			CHECK_EQ(pool_release(m, held[i]), 1);
			held[i] = 0;
		}
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++)
		if (held[i]) {
			get(m, c, "u", held[i], AF_INET, NULL, &rc, &g);
			off = (uint32_t)(g.addr.addr[2] << 8 |
			    g.addr.addr[3]);
			seen[off] = 1;
		}
	for (s = 20000; ; s++) {
		get(m, c, "v", s, AF_INET, NULL, &rc, &g);
		if (rc < 0)
			break;
		off = (uint32_t)(g.addr.addr[2] << 8 | g.addr.addr[3]);
		CHECK(!seen[off]);
		seen[off] = 1;
	}
	for (i = 1, n = 0; i < 8191; i++)
		n += seen[i];
	CHECK_EQ(n, 8190);
	pool_mgr_free(m);
	rg_config_unref(c);
}

/*
 * Random operations (grants with and without a RADIUS address, one-session
 * users, releases, time passing, reconfiguration, restarts from the
 * store, failing puts) with the manager's consistency check after each,
 * and the rule that no two live sessions ever hold the same address.
 */
static struct rg_config *
random_cfg(int which)
{
	struct rg_config *c = rg_config_new();
	size_t		 a;
	char		 name[16];
	int		 i;

	a = cfg_pool(c, "a", which ? "10.1.0.0/25" : "10.1.0.0/26", "b");
	cfg_exclude(c, a, "10.1.0.16/30");
	a = cfg_pool(c, "b", which ? "10.2.0.0/28" : "10.2.0.0/27", NULL);
	cfg_range(c, a, "10.2.0.3", "10.2.0.9");
	cfg_pool(c, "v6", "fd00::/122", NULL);
	cfg_profile(c, "multi", "a,v6", false);
	cfg_profile(c, "single", "a,v6", true);
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		cfg_user(c, name, i % 4 == 0 ? "single" : "multi",
		    i == 5 ? "10.1.0.7" : i == 6 ? "10.1.0.40" : NULL);
	}
	return c;
}

struct live {
	uint64_t	 sess;
	struct rg_addr	 addr;
};

static void
random_ops(void)
{
	struct rg_config *cfg[2] = { random_cfg(0), random_cfg(1) };
	struct tp_store	 st = { 0 };
	struct pool_persist pp = { tp_put, tp_del, &st };
	struct pool_mgr	*m = pool_mgr_new(&pp);
	struct live	 live[512];
	struct pool_req	 req;
	struct pool_grant g;
	size_t		 nlive = 0, i, k;
	uint64_t	 next = 1, rnd = 0x2545f4914f6cdd1dULL, ops[8] = { 0 };
	char		 why[256], user[8];
	int		 cur = 0, rc, step, failed = 0;

	pool_mgr_set_clock(m, clock_fake, NULL);
	pool_mgr_set_sticky(m, 300);
	CHECK_EQ(pool_mgr_configure(m, cfg[0], why, sizeof(why)), 0);
	for (step = 0; step < 6000 && !failed; step++) {
		uint32_t op;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		op = (uint32_t)(rnd % 100);
		if (op < 55 && nlive < 500) {
			memset(&req, 0, sizeof(req));
			snprintf(user, sizeof(user), "u%u",
			    (unsigned)((rnd >> 8) % 12));
			req.user = user;
			req.af = (rnd >> 16) % 5 == 0 ? AF_INET6 : AF_INET;
			req.session_id = next++;
			if ((rnd >> 20) % 10 == 0 && req.af == AF_INET)
				req.requested = A((rnd >> 24) % 2 ?
				    "10.1.0.33" : "10.2.0.5");
			if ((rnd >> 28) % 50 == 0)
				st.fail_put = 1;
			rc = pool_acquire(m, cfg[cur], &req, &g, why,
			    sizeof(why));
			st.fail_put = 0;
			ops[0]++;
			if (rc < 0) {
				ops[1]++;
				continue;
			}
			if (g.replaced_session) {
				/* The caller tears the older session down. */
				pool_release(m, g.replaced_session);
				for (k = 0; k < nlive; k++)
					if (live[k].sess == g.replaced_session)
						live[k--] = live[--nlive];
			}
			for (k = 0; k < nlive; k++)
				if (pool_addr_eq(&live[k].addr, &g.addr)) {
					printf("  step %d: %s given twice\n",
					    step, rg_addr_str(&g.addr, why,
					    sizeof(why)));
					failed = 1;
				}
			live[nlive].sess = req.session_id;
			live[nlive++].addr = g.addr;
		} else if (op < 85 && nlive > 0) {
			k = (size_t)((rnd >> 8) % nlive);
			CHECK(pool_release(m, live[k].sess) >= 1);
			live[k] = live[--nlive];
			ops[2]++;
		} else if (op < 93) {
			fake_now += (rnd >> 8) % 200;
			pool_mgr_tick(m);
		} else if (op < 97) {
			cur = !cur;
			CHECK_EQ(pool_mgr_configure(m, cfg[cur], why,
			    sizeof(why)), 0);
			ops[3]++;
		} else {
			/* Restart: sessions survive or not, store replayed. */
			uint64_t		 alive[512];
			size_t			 na = 0;
			struct pool_lease_rec	*v;

			pool_mgr_free(m);
			m = pool_mgr_new(&pp);
			pool_mgr_set_clock(m, clock_fake, NULL);
			pool_mgr_set_sticky(m, 300);
			CHECK_EQ(pool_mgr_configure(m, cfg[cur], why,
			    sizeof(why)), 0);
			for (k = 0; k < nlive; k++)
				if ((rnd >> (k % 50)) & 1)
					alive[na++] = live[k].sess;
				else
					live[k--] = live[--nlive];
			/* Sessions of both families count once. */
			v = tp_recs(&st);
			pool_mgr_restore(m, v, st.n, alive, na);
			free(v);
			ops[4]++;
			/* A live session keeps its address. */
			for (k = 0; k < nlive; k++) {
				struct pool_lease *l = pool_lease_by_sess(m,
				    live[k].sess, live[k].addr.af);

				if (l == NULL ||
				    !pool_addr_eq(&l->addr, &live[k].addr)) {
					printf("  step %d: session %llu lost "
					    "its address\n", step,
					    (unsigned long long)live[k].sess);
					failed = 1;
				}
			}
		}
		if (pool_mgr_check(m, why, sizeof(why)) < 0) {
			printf("  step %d: %s\n", step, why);
			failed = 1;
		}
		if (m->nleases != st.n) {
			printf("  step %d: %zu leases, %zu stored\n", step,
			    m->nleases, st.n);
			failed = 1;
		}
	}
	CHECK(!failed);
	CHECK(ops[0] > 1000 && ops[1] > 10 && ops[3] > 50 && ops[4] > 50);
	printf("  %llu grants (%llu refused), %llu releases, %llu "
	    "reconfigures, %llu restarts\n", (unsigned long long)ops[0],
	    (unsigned long long)ops[1], (unsigned long long)ops[2],
	    (unsigned long long)ops[3], (unsigned long long)ops[4]);
	for (i = 0; i < 2; i++)
		rg_config_unref(cfg[i]);
	pool_mgr_free(m);
	tp_free(&st);
}

static void
local_addrs(void)
{
	struct rg_addr	*v;
	size_t		 n, i;
	bool		 lo = false;

	/* Every network namespace has a loopback interface. */
	CHECK_EQ(pool_local_addrs(&v, &n), 0);
	for (i = 0; i < n; i++)
		if (v[i].af == AF_INET && v[i].addr[0] == 127)
			lo = true;
	CHECK(lo || n == 0);
	free(v);
}

static void
setup(void)
{
	rg_log_set_hook(hook, NULL);
	rg_log_set_level(RG_T_POOL, RG_L_WARN);
}

static void
init(void)
{
	setup();
}

RG_TEST_MAIN("pool", FIXTURE(init), T(exclusions), T(exhaustion_next), T(sticky),
    T(sessions_per_user), T(radius_address), T(static_address),
    T(ipv6_pool), T(reconfigure_keeps), T(status_json), T(validator),
    T(large_pool_unique), T(random_ops), T(local_addrs))
