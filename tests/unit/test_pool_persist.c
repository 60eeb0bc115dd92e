/*
 * test_pool_persist.c: lease persistence through struct pool_persist.
 * A put failure refuses the grant; the store mirrors memory; a restart
 * restores leases (live sessions keep theirs, gone ones become sticky
 * reservations or are freed); a crash (the manager dropped without any
 * release, then restored from a file-backed log) never leads to an
 * address handed out twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rg_test.h"
#include "rg_log.h"
#include "test_pool_util.h"

static uint64_t	 fake_now = 1700000000;

static uint64_t
clock_fake(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct rg_config *
config(const char *net)
{
	struct rg_config *c = rg_config_new();

	cfg_pool(c, "a", net, NULL);
	cfg_profile(c, "prof", "a", false);
	return c;
}

static struct pool_mgr *
mgr(struct rg_config *c, struct tp_store *s)
{
	struct pool_persist pp = { tp_put, tp_del, s };
	struct pool_mgr	*m = pool_mgr_new(&pp);
	char		 why[128];

	pool_mgr_set_clock(m, clock_fake, NULL);
	if (pool_mgr_configure(m, c, why, sizeof(why)) < 0)
		abort();
	return m;
}

static int
acq(struct pool_mgr *m, struct rg_config *c, const char *user, uint64_t s,
    struct rg_addr *out)
{
	struct pool_req	 req;
	struct pool_grant g;
	char		 why[128];
	int		 rc;

	memset(&req, 0, sizeof(req));
	req.user = user;
	req.session_id = s;
	req.af = AF_INET;
	rc = pool_acquire(m, c, &req, &g, why, sizeof(why));
	if (out)
		*out = g.addr;
	return rc;
}

static int
restore_from(struct pool_mgr *m, struct tp_store *s, const uint64_t *live,
    size_t nlive)
{
	struct pool_lease_rec *v = tp_recs(s);
	int		 rc;

	rc = pool_mgr_restore(m, v, s->n, live, nlive);
	free(v);
	return rc;
}

static void
put_failure_refuses(void)
{
	struct rg_config *c = config("10.1.0.0/29");
	struct tp_store	 s = { 0 };
	struct pool_mgr	*m = mgr(c, &s);
	struct pool_req	 req = { .user = "u", .session_id = 1, .af = AF_INET };
	struct pool_grant g;
	struct rg_addr	 a;
	char		 why[128];
	json_t		*st;

	s.fail_put = 1;
	CHECK_EQ(pool_acquire(m, c, &req, &g, why, sizeof(why)), -EIO);
	CHECK(strstr(why, "could not be stored") != NULL);
	CHECK_EQ(g.addr.af, 0);
	st = pool_mgr_status_json(m, NULL);
	CHECK_EQ(json_integer_value(json_object_get(st, "leases")), 0);
	CHECK_EQ(json_integer_value(json_object_get(st, "persist_failures")),
	    1);
	json_decref(st);
	CHECK_EQ(s.n, 0);
	/* Nothing was consumed: the next grant gets the same address. */
	CHECK_EQ(acq(m, c, "u", 1, &a), 0);
	CHECK_EQ(a.addr[3], 1);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.recs[0].session, 1);
	CHECK_EQ(s.recs[0].state, POOL_LEASE_ACTIVE);
	/* A failed put on a sticky take-over leaves the old holder. */
	CHECK_EQ(pool_release(m, 1), 1);
	CHECK_EQ(s.recs[0].state, POOL_LEASE_RESERVED);
	s.fail_put = 1;
	CHECK_EQ(acq(m, c, "u", 2, NULL), -EIO);
	CHECK_EQ(s.recs[0].state, POOL_LEASE_RESERVED);
	CHECK_EQ(acq(m, c, "u", 2, &a), 0);
	CHECK_EQ(a.addr[3], 1);
	pool_mgr_free(m);
	tp_free(&s);
	rg_config_unref(c);
}

/* The store holds exactly the leases in memory, in the same state. */
static void
store_mirrors_memory(void)
{
	struct rg_config *c = config("10.1.0.0/28");
	struct tp_store	 s = { 0 };
	struct pool_mgr	*m = mgr(c, &s);
	json_t		*p, *l;
	size_t		 i, j;
	char		 as[64];

	pool_mgr_set_sticky(m, 100);
	for (i = 1; i <= 10; i++)
		CHECK_EQ(acq(m, c, i % 2 ? "odd" : "even", i, NULL), 0);
	for (i = 1; i <= 10; i += 3)
		CHECK_EQ(pool_release(m, i), 1);
	fake_now += 50;
	CHECK_EQ(acq(m, c, "odd", 11, NULL), 0);	/* takes one back */
	fake_now += 60;
	pool_mgr_tick(m);		/* the first reservations expire */
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_array_size(json_object_get(p, "leases")), s.n);
	json_array_foreach(json_object_get(p, "leases"), i, l) {
		bool found = false;

		for (j = 0; j < s.n; j++) {
			rg_addr_str(&s.recs[j].addr, as, sizeof(as));
			if (strcmp(as, json_string_value(json_object_get(l,
			    "address"))) == 0) {
				found = true;
				CHECK_STR(s.recs[j].user, json_string_value(
				    json_object_get(l, "user")));
				CHECK_EQ(s.recs[j].state, strcmp(
				    json_string_value(json_object_get(l,
				    "state")), "active") == 0 ?
				    POOL_LEASE_ACTIVE : POOL_LEASE_RESERVED);
			}
		}
		CHECK(found);
	}
	json_decref(p);
	pool_mgr_free(m);
	tp_free(&s);
	rg_config_unref(c);
}

static void
restart_keeps_and_reclaims(void)
{
	struct rg_config *c = config("10.1.0.0/29");	/* .1 - .6 */
	struct tp_store	 s = { 0 };
	struct pool_mgr	*m = mgr(c, &s);
	struct rg_addr	 a;
	uint64_t	 live[] = { 1, 99 };
	json_t		*p;

	CHECK_EQ(acq(m, c, "a", 1, NULL), 0);	/* .1 live after restart */
	CHECK_EQ(acq(m, c, "b", 2, NULL), 0);	/* .2 session gone */
	CHECK_EQ(acq(m, c, "c", 3, NULL), 0);	/* .3 released */
	CHECK_EQ(pool_release(m, 3), 1);
	pool_mgr_free(m);			/* clean stop */

	fake_now += 10;
	m = mgr(c, &s);
	CHECK_EQ(restore_from(m, &s, live, 2), 3);
	p = pool_mgr_status_json(m, "a");
	CHECK_EQ(json_integer_value(json_object_get(p, "active")), 1);
	CHECK_EQ(json_integer_value(json_object_get(p, "reserved")), 2);
	json_decref(p);
	/* The gone session's lease is now recorded as reserved. */
	CHECK_EQ(s.n, 3);
	/* Session 1 asking again keeps .1; nobody new gets .1-.3. */
	CHECK_EQ(acq(m, c, "a", 1, &a), 0);
	CHECK_EQ(a.addr[3], 1);
	CHECK_EQ(acq(m, c, "d", 4, &a), 0);
	CHECK_EQ(a.addr[3], 4);
	CHECK_EQ(acq(m, c, "b", 5, &a), 0);	/* b gets .2 back */
	CHECK_EQ(a.addr[3], 2);
	CHECK_EQ(acq(m, c, "c", 6, &a), 0);	/* c gets .3 back */
	CHECK_EQ(a.addr[3], 3);
	pool_mgr_free(m);

	/* Restart with sticky off: gone sessions' leases are freed. */
	m = mgr(c, &s);
	pool_mgr_set_sticky(m, 0);
	CHECK_EQ(restore_from(m, &s, live, 1), 1);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(acq(m, c, "e", 7, &a), 0);
	CHECK(a.addr[3] != 1);
	pool_mgr_free(m);
	tp_free(&s);
	rg_config_unref(c);
}

/* Records restore drops or frees: expired, outside pools, duplicate. */
static void
restore_drops(void)
{
	struct rg_config *c = config("10.1.0.0/29");
	struct tp_store	 s = { 0 };
	struct pool_mgr	*m = mgr(c, &s);
	struct pool_lease_rec r[5];
	uint64_t	 live[] = { 10, 11 };
	struct rg_addr	 a;

	memset(r, 0, sizeof(r));
	r[0] = (struct pool_lease_rec){ A("10.1.0.1"), "a", "x", 10,
	    POOL_LEASE_ACTIVE, fake_now };
	r[1] = (struct pool_lease_rec){ A("10.1.0.1"), "a", "y", 11,
	    POOL_LEASE_ACTIVE, fake_now };		/* duplicate */
	r[2] = (struct pool_lease_rec){ A("10.1.0.2"), "a", "z", 12,
	    POOL_LEASE_RESERVED, fake_now - 100000 };	/* expired */
	r[3] = (struct pool_lease_rec){ A("10.9.0.2"), "", "w", 13,
	    POOL_LEASE_RESERVED, fake_now };		/* outside pools */
	r[4] = (struct pool_lease_rec){ A("10.1.0.7"), "a", "v", 14,
	    POOL_LEASE_RESERVED, fake_now };		/* broadcast now */
	CHECK_EQ(pool_mgr_restore(m, r, 5, live, 2), 1);
	CHECK_EQ(s.dels, 3);
	CHECK_EQ(acq(m, c, "n", 20, &a), 0);
	CHECK_EQ(a.addr[3], 2);
	pool_mgr_free(m);
	tp_free(&s);
	rg_config_unref(c);
}

static uint64_t	 rng = 88172645463325252ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/*
 * Crash recovery: a random workload against a file-backed store, the
 * manager dropped without releasing anything, the file replayed into a
 * fresh store and restored with some sessions still alive; then the pool
 * is drained: no address may be granted that a live session holds, and no
 * address twice.
 */
static void
crash_no_duplicates(void)
{
	struct rg_config *c = config("10.1.0.0/24");	/* 254 addresses */
	struct tp_store	 s = { 0 }, s2 = { 0 };
	struct pool_mgr	*m;
	char		 path[] = "/tmp/rg-pool-crash-XXXXXX";
	uint8_t		 held[256], owner_live[256];
	uint64_t	 live[256], sess = 1, active[512];
	size_t		 nlive = 0, nactive = 0, i, round;
	struct rg_addr	 a;
	char		 user[16];
	int		 fd, rc;

	for (round = 0; round < 3; round++) {
		if ((fd = mkstemp(path)) < 0) {
			CHECK(0);
			return;
		}
		s.f = fdopen(fd, "w");
		m = mgr(c, &s);
		pool_mgr_set_sticky(m, 300);
		nactive = 0;
		for (i = 0; i < 400; i++) {
			snprintf(user, sizeof(user), "u%u", rnd() % 40);
			if (nactive > 0 && rnd() % 3 == 0) {
				size_t k = rnd() % nactive;

				pool_release(m, active[k]);
				active[k] = active[--nactive];
			} else if (acq(m, c, user, sess, NULL) == 0) {
				active[nactive++] = sess;
			}
			sess++;
			if (rnd() % 50 == 0)
				fake_now += 20;
		}
		/* Crash: no release, no clean shutdown of the store. */
		pool_mgr_free(m);
		fclose(s.f);
		s.f = NULL;

		CHECK_EQ(tp_load(&s2, path), 0);
		CHECK_EQ(s2.n, s.n);
		memset(held, 0, sizeof(held));
		memset(owner_live, 0, sizeof(owner_live));
		nlive = 0;
		for (i = 0; i < nactive; i++)
			if (rnd() % 2)
				live[nlive++] = active[i];
		for (i = 0; i < s2.n; i++) {
			size_t k;

			for (k = 0; k < nlive; k++)
				if (s2.recs[i].session == live[k] &&
				    s2.recs[i].state == POOL_LEASE_ACTIVE)
					owner_live[s2.recs[i].addr.addr[3]] = 1;
		}
		m = mgr(c, &s2);
		pool_mgr_set_sticky(m, 300);
		rc = restore_from(m, &s2, live, nlive);
		CHECK(rc >= (int)nlive);
		/* Live sessions keep their addresses. */
		for (i = 0; i < nlive; i++) {
			CHECK_EQ(acq(m, c, "ignored", live[i], &a), 0);
			CHECK(owner_live[a.addr[3]]);
			CHECK(!held[a.addr[3]]);
			held[a.addr[3]] = 1;
		}
		/* Drain: every new grant is a fresh, unique address. */
		for (i = 0; i < 300; i++) {
			if (acq(m, c, "drain", 100000 + round * 1000 + i,
			    &a) < 0)
				break;
			CHECK(!held[a.addr[3]]);
			held[a.addr[3]] = 1;
		}
		CHECK_EQ(i, 254 - nlive);
		pool_mgr_free(m);
		tp_free(&s2);
		tp_free(&s);
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/rg-pool-crash-XXXXXX");
		fake_now += 1000;
	}
	rg_config_unref(c);
}

static void
init(void)
{
	rg_log_set_level(RG_T_POOL, RG_L_WARN);
}

RG_TEST_MAIN("pool_persist", FIXTURE(init), T(put_failure_refuses),
    T(store_mirrors_memory), T(restart_keeps_and_reclaims),
    T(restore_drops), T(crash_no_duplicates))
