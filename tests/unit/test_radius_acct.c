/*
 * test_radius_acct.c: RADIUS accounting through the session registry
 * (Accounting-On, Start, Interim-Update, Stop) and store-and-forward
 * while the accounting server does not answer.
 */
#include "radius_test_lib.h"

/* --- accounting --------------------------------------------------------- */

/* The n-th accounting request the fake saw, parsed. */
static int
acct_get(struct fake *f, int n, struct rad_msg *m)
{
	const char	*why;

	if (n >= f->nacct)
		return -1;
	return rad_parse(f->acct[n], f->acct_len[n], m, &why);
}

static void
accounting_start_interim_stop(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct sess_provider	 prov = { &prov_ops, NULL };
	struct sockaddr_in	 peer = { .sin_family = AF_INET };
	struct sess_info	 in = { .user = "bob", .method = "ikev2-eap",
				       .profile = "default",
				       .peer = (struct sockaddr *)&peer };
	struct prov		 pv = { NULL, (5ull << 32) + 7 };
	struct rad_msg		 m;
	const struct rad_attr	*a;
	struct rg_addr		 vip;
	char			 why[64];
	uint32_t		 v;

	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	/* bob's Access-Accept carries a Class to echo. */
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "bob";
	q.u.pap.password = "bob-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	auth_result_free(res);

	inet_pton(AF_INET, "192.0.2.2", &peer.sin_addr);
	peer.sin_port = htons(4500);
	pv.s = sess_open(reg, &prov, &pv, &in);
	CHECK(pv.s != NULL);
	CHECK_EQ(sess_lease(pv.s, AF_INET, NULL, &vip, why, sizeof(why)), 0);
	sess_up(pv.s);
	sess_interim(pv.s);
	sess_end(pv.s, SESS_CAUSE_IDLE_TIMEOUT, "test");
	for (int i = 0; i < 40 && f.nacct < 4; i++)
		rg_loop_once(loop, 5);
	/* Accounting-On, Start, Interim-Update, Stop. */
	CHECK_EQ(f.nacct, 4);
	CHECK(acct_get(&f, 0, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_ACCT_ON);
	CHECK(acct_get(&f, 1, &m) == 0);
	CHECK(rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) == 0 &&
	    v == RAD_STATUS_START);
	CHECK((a = rad_find(&m, RAD_CLASS)) != NULL && a->len == 9 &&
	    memcmp(a->val, "bob-class", 9) == 0);
	CHECK((a = rad_find(&m, RAD_FRAMED_IP_ADDRESS)) != NULL &&
	    memcmp(a->val, "\x0a\x09\x00\x05", 4) == 0);
	CHECK((a = rad_find(&m, RAD_CALLING_STATION_ID)) != NULL &&
	    a->len == 15 && memcmp(a->val, "192.0.2.2[4500]", 15) == 0);
	CHECK(rad_get_u32(&m, RAD_NAS_PORT_TYPE, &v) == 0 && v == 5);
	CHECK(rad_find(&m, RAD_ACCT_INPUT_OCTETS) == NULL);
	CHECK(acct_get(&f, 2, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_INTERIM);
	CHECK(acct_get(&f, 3, &m) == 0);
	CHECK(rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) == 0 &&
	    v == RAD_STATUS_STOP);
	CHECK(rad_get_u32(&m, RAD_ACCT_TERMINATE_CAUSE, &v) == 0 && v == 4);
	CHECK(rad_get_u32(&m, RAD_ACCT_INPUT_OCTETS, &v) == 0 && v == 7);
	CHECK(rad_get_u32(&m, RAD_ACCT_INPUT_GIGAWORDS, &v) == 0 && v == 5);
	CHECK(rad_get_u32(&m, RAD_ACCT_OUTPUT_OCTETS, &v) == 0 && v == 1000);
	CHECK(rad_get_u32(&m, RAD_ACCT_OUTPUT_PACKETS, &v) == 0 && v == 4);
	CHECK(rad_get_u32(&m, RAD_ACCT_SESSION_TIME, &v) == 0);
	CHECK((a = rad_find(&m, RAD_ACCT_SESSION_ID)) != NULL);

	/* Interim-Update on the setting's period (1 s here). */
	cfg->settings.radius_interim_s = 1;
	f.nacct = 0;
	pv.s = sess_open(reg, &prov, &pv, &in);
	CHECK(pv.s != NULL);
	sess_up(pv.s);
	for (int i = 0; i < 300 && f.nacct < 2; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(f.nacct, 2);
	CHECK(acct_get(&f, 1, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_INTERIM);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	auth_free(au);
	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}

static int
count_row(int64_t id, uint64_t created_ms, const uint8_t *rec, size_t len,
    void *arg)
{
	(void)id;
	(void)created_ms;
	(void)rec;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static int
stored(struct store *st)
{
	int	 n = 0;

	(void)store_acct_list(st, count_row, &n);
	return n;
}

static bool
acct_is(struct fake *f, int n, uint32_t status, const char *user)
{
	struct rad_msg		 m;
	const struct rad_attr	*a;
	uint32_t		 v;

	if (acct_get(f, n, &m) != 0 ||
	    rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) != 0 || v != status)
		return false;
	if (user == NULL)
		return true;
	a = rad_find(&m, RAD_USER_NAME);
	return a != NULL && a->len == strlen(user) &&
	    memcmp(a->val, user, a->len) == 0;
}

static void
spin_acct(struct fake *f, int n, int ms)
{
	for (int i = 0; i < ms / 10 && f->nacct < n; i++)
		rg_loop_once(loop, 10);
}

/* Every server down: records wait in the store, across a restart of the
 * RADIUS module, and go out in order once the server answers; past the
 * bound the oldest waiting one is dropped and counted. */
static void
accounting_store_and_forward(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct sess_provider	 prov = { &prov_ops, NULL };
	struct sess_info	 in = { .user = "carl", .method = "ikev2-eap",
				       .profile = "default" };
	struct prov		 pv = { NULL, 100 };
	struct store		*st;
	struct rad_msg		 m;
	char			 dir[] = "/tmp/rg-test-radacct.XXXXXX";
	char			 err[256], cmd[300];
	uint32_t		 v;

	if (mkdtemp(dir) == NULL || (st = store_open(dir, err,
	    sizeof(err))) == NULL) {
		CHECK(0 && "store");
		return;
	}
	fake_start(&f, FAKE_BACKEND);
	f.acct_down = true;
	cfg = backend_cfg(f.port, "radius");
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	r->acct_retry_ms = 200;
	radius_set_store(r, st);
	pv.s = sess_open(reg, &prov, &pv, &in);
	sess_up(pv.s);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	spin_acct(&f, 1, 700);
	/* Accounting-On, Start, Stop: all unanswered, all kept. */
	CHECK_EQ(f.nacct, 0);
	CHECK(r->acct_failed >= 3);
	CHECK_EQ(r->acct_qlen, 3);
	CHECK_EQ(stored(st), 3);

	/* roadgated restarts; the server is back. */
	sess_reg_free(reg);
	radius_free(r);
	CHECK_EQ(stored(st), 3);
	f.acct_down = false;
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	radius_set_store(r, st);
	spin_acct(&f, 4, 2000);
	for (int i = 0; i < 20 && r->acct_qlen > 0; i++)
		rg_loop_once(loop, 10);
	/* The earlier run's first, in order, then this run's On. */
	CHECK_EQ(f.nacct, 4);
	CHECK(acct_is(&f, 0, RAD_STATUS_ACCT_ON, NULL));
	CHECK(acct_is(&f, 1, RAD_STATUS_START, "carl"));
	CHECK(acct_is(&f, 2, RAD_STATUS_STOP, "carl"));
	CHECK(acct_is(&f, 3, RAD_STATUS_ACCT_ON, NULL));
	/* It waited (Acct-Delay-Time, RFC 2866 5.2) at least 0.7 s. */
	CHECK(acct_get(&f, 2, &m) == 0 &&
	    rad_get_u32(&m, RAD_ACCT_DELAY_TIME, &v) == 0);
	CHECK_EQ(r->acct_qlen, 0);
	CHECK_EQ(stored(st), 0);
	CHECK_EQ(r->acct_dropped, 0);

	/* Bound 2: Start waits, Interim and Stop come, Start goes. */
	f.acct_down = true;
	f.nacct = 0;
	r->acct_qmax = 2;
	r->acct_retry_ms = 100000;
	pv.s = sess_open(reg, &prov, &pv, &in);
	sess_up(pv.s);
	for (int i = 0; i < 50 && r->acct_inflight > 0; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(r->acct_inflight, 0);
	sess_interim(pv.s);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	CHECK_EQ(r->acct_dropped, 1);
	CHECK_EQ(r->acct_qlen, 2);
	CHECK_EQ(stored(st), 2);
	f.acct_down = false;
	radius_acct_kick(r);
	spin_acct(&f, 2, 1000);
	CHECK_EQ(f.nacct, 2);
	CHECK(acct_is(&f, 0, RAD_STATUS_INTERIM, "carl"));
	CHECK(acct_is(&f, 1, RAD_STATUS_STOP, "carl"));

	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}


RG_TEST_MAIN("radius", T(accounting_start_interim_stop),
    T(accounting_store_and_forward))
