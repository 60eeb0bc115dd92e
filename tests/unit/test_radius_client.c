/*
 * test_radius_client.c: the RADIUS client against fake in-process servers
 * on loopback (accept, forged replies with the right identifier: wrong
 * authenticator or no Message-Authenticator -> refused and counted,
 * retransmission, failover to a second server, cancel); the auth backend
 * with MS-CHAPv2 whose server answer carries the RFC 2759 9.2
 * authenticator and the RFC 3079 3.5.3 send key, PAP, CHAP-MD5, reject,
 * the granted attributes, the local and radius,local settings; 500
 * logins in flight against a slow server.
 */
#include "radius_test_lib.h"

/* --- the client -------------------------------------------------------- */

struct ans {
	int			 n;
	enum rad_status		 st;
	uint8_t			 code;
	char			 server[65];
};

static void
ans_done(void *arg, const struct rad_answer *a)
{
	struct ans	*x = arg;

	x->n++;
	x->st = a->status;
	x->code = a->reply ? a->reply->code : 0;
	snprintf(x->server, sizeof(x->server), "%s", a->server ? a->server :
	    "");
}

/* One Access-Request to a fake in mode; the answer and the stats. */
static void
one_request(enum fake_mode mode, bool require_ma, struct ans *x,
    struct rad_server_stats *st, int *fake_got)
{
	struct fake		 f;
	struct rad_client	*c;
	struct rad_server_conf	 conf;
	struct rad_attrs	 a;

	fake_start(&f, mode);
	c = rad_client_new(loop);
	conf_for(&conf, "fake", f.port);
	conf.require_ma = require_ma;
	rad_client_set_servers(c, &conf, 1);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	memset(x, 0, sizeof(*x));
	CHECK(rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, x) != NULL);
	CHECK_EQ(x->n, 0);		/* never inside rad_send() */
	spin(&x->n, 2000);
	CHECK(rad_client_stats(c, "fake", st) == 0);
	*fake_got = f.got;
	rad_client_free(c);
	fake_stop(&f);
}

static void
client_accept(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_ACCEPT, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(x.code, RAD_ACCESS_ACCEPT);
	CHECK_EQ(st.requests, 1);
	CHECK_EQ(st.bad_replies, 0);
}

static void
client_forged_reply_refused(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	/* The forgery comes first with the right identifier: dropped,
	 * counted; the real answer still completes the request. */
	one_request(FAKE_FORGE_THEN_ACCEPT, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(st.bad_replies, 1);
}

static void
client_no_ma_refused(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_NO_MA, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_TIMEOUT);	/* never acted on */
	CHECK_EQ(got, 3);		/* first send + 2 retries */
	CHECK_EQ(st.bad_replies, 3);
	CHECK_EQ(st.timeouts, 1);
	/* Relaxed per server (old servers): accepted. */
	one_request(FAKE_NO_MA, false, &x, &st, &got);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(st.bad_replies, 0);
}

static void
client_retransmits(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_THIRD, true, &x, &st, &got);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(got, 3);
	CHECK_EQ(st.retransmits, 2);
	CHECK_EQ(st.timeouts, 0);
}

static void
client_failover(void)
{
	struct fake		 dead, good;
	struct rad_client	*c;
	struct rad_server_conf	 conf[2];
	struct rad_server_stats	 st;
	struct rad_attrs	 a;
	struct ans		 x;

	fake_start(&dead, FAKE_SILENT);
	fake_start(&good, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf[0], "a-primary", dead.port);
	conf_for(&conf[1], "b-second", good.port);
	rad_client_set_servers(c, conf, 2);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 3000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_STR(x.server, "b-second");
	CHECK(rad_client_stats(c, "a-primary", &st) == 0);
	CHECK_EQ(st.timeouts, 1);
	CHECK(st.dead);
	/* The dead one is skipped now: straight to the second. */
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 3000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK(rad_client_stats(c, "a-primary", &st) == 0);
	CHECK_EQ(st.requests, 1);
	rad_client_free(c);
	fake_stop(&dead);
	fake_stop(&good);
	/* A closed port fails over at once (ICMP through the connected
	 * socket), long before the timeouts. */
	fake_start(&good, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf[0], "a-closed", 9);	/* discard: nobody there */
	conf[0].timeout_ms = 5000;
	conf_for(&conf[1], "b-second", good.port);
	rad_client_set_servers(c, conf, 2);
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 1000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_STR(x.server, "b-second");
	rad_client_free(c);
	fake_stop(&good);
}

static void
client_cancel(void)
{
	struct fake		 f;
	struct rad_client	*c;
	struct rad_server_conf	 conf;
	struct rad_attrs	 a;
	struct ans		 x = { 0 };
	struct rad_req		*r;

	fake_start(&f, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf, "fake", f.port);
	rad_client_set_servers(c, &conf, 1);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	r = rad_send(c, RAD_ACCESS_REQUEST, &a, NULL, ans_done, &x);
	rad_cancel(r);
	for (int i = 0; i < 20; i++)
		rg_loop_once(loop, 5);
	CHECK_EQ(x.n, 0);
	rad_client_free(c);
	fake_stop(&f);
}

/* --- the auth backend --------------------------------------------------- */

static void
backend_mschapv2_pap(void)
{
	struct fake		 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;
	struct sockaddr_in	 src = { .sin_family = AF_INET };

	rg_log_open(false, false, RG_L_ERROR);
	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	src.sin_addr.s_addr = htonl(0xc0000207);
	src.sin_port = htons(4500);

	memset(&q, 0, sizeof(q));
	q.kind = AUTH_MSCHAPV2;
	q.user = "User";
	q.src = (struct sockaddr *)&src;
	memcpy(q.u.mschapv2.auth_chal, v_auth_chal, 16);
	memcpy(q.u.mschapv2.peer_chal, v_peer_chal, 16);
	memcpy(q.u.mschapv2.nt_resp, v_nt_resp, 24);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	if (res != NULL && res->outcome == AUTH_OK) {
		CHECK_STR(res->authenticator, v_auth_resp);
		CHECK_STR(res->user, "User");
		CHECK_EQ(res->msk_len, RG_MSCHAP_MSK_LEN);
		/* MSK = Recv-Key | Send-Key | zeros. */
		CHECK_MEM(res->msk, "0123456789abcdef", 16);
		CHECK_MEM(res->msk + 16, v_send_start128, 16);
		CHECK_MEM(res->mppe_send, v_send_start128, 16);
	}
	auth_result_free(res);

	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "bob";
	q.u.pap.password = "bob-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	CHECK_STR(f.last_pw, "bob-pass");
	if (res != NULL && res->outcome == AUTH_OK) {
		CHECK_EQ(res->address.af, AF_INET);
		CHECK_MEM(res->address.addr, "\x0a\x63\x00\x02", 4);
		CHECK_EQ(res->session_timeout_s, 3600);
		CHECK_EQ(res->class_len, 9);
		CHECK_MEM(res->class_attr, "bob-class", 9);
		CHECK_STR(res->pool, "pool-b");
		CHECK_EQ(res->idle_timeout_s, 600);
		CHECK_EQ(res->dns4[0].af, AF_INET);
		CHECK_MEM(res->dns4[0].addr, "\x0a\x00\x00\x35", 4);
		CHECK_EQ(res->dns4[1].af, 0);
	}
	auth_result_free(res);

	q.u.pap.password = "wrong";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_REJECT);
	auth_result_free(res);

	/* CHAP-MD5: CHAP-Password (id, response) and CHAP-Challenge. */
	{
		static const uint8_t	 chal[20] = { 1, 2, 3, 4, 5, 6, 7, 8,
		    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
		uint8_t			 in[1 + 10 + 20];

		memset(&q, 0, sizeof(q));
		q.kind = AUTH_CHAP_MD5;
		q.user = "carol";
		q.u.chap.id = 77;
		q.u.chap.challenge = chal;
		q.u.chap.challenge_len = sizeof(chal);
		in[0] = 77;
		memcpy(in + 1, "carol-pass", 10);
		memcpy(in + 11, chal, 20);
		md5(q.u.chap.response, in, sizeof(in), NULL, 0);
		res = ask(au, &q);
		CHECK(res != NULL && res->outcome == AUTH_OK);
		auth_result_free(res);
		q.u.chap.response[0] ^= 1;
		res = ask(au, &q);
		CHECK(res != NULL && res->outcome == AUTH_REJECT);
		auth_result_free(res);
	}
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	/* A local-only user is unknown to RADIUS. */
	q.user = "local-only";
	q.u.pap.password = "local-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_REJECT);
	auth_result_free(res);

	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}

static void
backend_local_and_fallback(void)
{
	struct fake		 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;

	/* auth_backend local: RADIUS is never asked. */
	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "local");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "local-only";
	q.u.pap.password = "local-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	for (int i = 0; i < 20; i++)
		rg_loop_once(loop, 5);
	CHECK_EQ(f.got, 1);		/* the Accounting-On only */
	CHECK_EQ(f.last_code, RAD_ACCT_REQUEST);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);

	/* radius,local with a silent server: local answers; radius alone:
	 * an error, not a reject. */
	fake_start(&f, FAKE_SILENT);
	cfg = backend_cfg(f.port, "radius,local");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	cfg = backend_cfg(f.port, "radius");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_ERROR);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
	rg_loop_free(loop);
	loop = NULL;
}

/* --- accounting --------------------------------------------------------- */
/* --- 500 logins in flight against a slow server ------------------------ */

#define SLOW_MAX	1200

/* Answers every Access-Request with an Access-Accept one second later. */
struct slow {
	int			 fd;
	struct rg_io		 io;
	struct rg_timer		 t;
	uint16_t		 port;
	struct {
		struct sockaddr_storage	 to;
		socklen_t		 tl;
		uint64_t		 due;
		uint8_t			 id, auth[16];
	}			 q[SLOW_MAX];
	size_t			 head, n;
	int			 got;
};

static void
slow_tick(struct rg_timer *t)
{
	struct slow	*w = t->arg;
	struct rad_pkt	 p;
	uint64_t	 now = rg_now_ms();

	while (w->n > 0 && w->q[w->head].due <= now) {
		rad_pkt_init(&p, RAD_ACCESS_ACCEPT, w->q[w->head].id,
		    w->q[w->head].auth);
		rad_add_ma(&p);
		rad_pkt_finish_reply(&p, secret, SLEN);
		sendto(w->fd, p.buf, p.len, 0,
		    (struct sockaddr *)&w->q[w->head].to, w->q[w->head].tl);
		w->head = (w->head + 1) % SLOW_MAX;
		w->n--;
	}
	rg_timer_start(loop, &w->t, 20);
}

static void
slow_readable(struct rg_io *io, uint32_t ev)
{
	struct slow	*w = io->arg;
	uint8_t		 buf[RAD_MAX_LEN];
	struct rad_msg	 m;
	const char	*why;
	ssize_t		 n;
	size_t		 k;

	(void)ev;
	for (;;) {
		k = (w->head + w->n) % SLOW_MAX;
		w->q[k].tl = sizeof(w->q[k].to);
		n = recvfrom(w->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&w->q[k].to, &w->q[k].tl);
		if (n < 0)
			return;
		if (rad_parse(buf, (size_t)n, &m, &why) < 0 ||
		    m.code != RAD_ACCESS_REQUEST || w->n == SLOW_MAX)
			continue;
		w->got++;
		w->q[k].due = rg_now_ms() + 1000;
		w->q[k].id = m.id;
		memcpy(w->q[k].auth, m.auth, 16);
		w->n++;
	}
}

struct many {
	int	 done, ok;
};

static void
many_done(void *arg, struct auth_result *r)
{
	struct many	*m = arg;

	m->done++;
	if (r != NULL && r->outcome == AUTH_OK)
		m->ok++;
	auth_result_free(r);
}

/* 500 PAP logins at once while the server takes 1 s for each answer:
 * all accepted within a few seconds, not 500 (nothing blocks, the
 * identifiers of one socket are reused as answers come). */
static void
logins_500_slow_server(void)
{
	static struct slow	 w;
	static struct many	 mm;
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 sl = sizeof(sin);
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_req		 q;
	char			 user[32];
	uint64_t		 t0, dt;

	if (loop == NULL)
		loop = rg_loop_new(0);
	memset(&w, 0, sizeof(w));
	memset(&mm, 0, sizeof(mm));
	w.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(w.fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(w.fd, (struct sockaddr *)&sin, &sl);
	w.port = ntohs(sin.sin_port);
	w.io = (struct rg_io){ .fd = w.fd, .cb = slow_readable, .arg = &w };
	rg_io_add(loop, &w.io, 1);
	rg_timer_init(&w.t, slow_tick, &w);
	rg_timer_start(loop, &w.t, 20);
	cfg = backend_cfg(w.port, "radius");
	cfg->radius[0].acct_port = 9;		/* no accounting here */
	cfg->radius[0].timeout_ms = 3000;	/* no retransmits */
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	t0 = rg_now_ms();
	for (int i = 0; i < 500; i++) {
		memset(&q, 0, sizeof(q));
		snprintf(user, sizeof(user), "user%d", i);
		q.kind = AUTH_PAP;
		q.user = user;
		q.u.pap.password = "pass";
		CHECK(auth_check(au, &q, many_done, &mm) != NULL);
	}
	while (mm.done < 500 && rg_now_ms() - t0 < 10000)
		rg_loop_once(loop, 20);
	dt = rg_now_ms() - t0;
	printf("  500 logins in %llu ms\n", (unsigned long long)dt);
	CHECK_EQ(mm.done, 500);
	CHECK_EQ(mm.ok, 500);
	CHECK(dt < 5000);
	CHECK_EQ(w.got, 500);		/* one request each: no retransmits */
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	rg_timer_stop(loop, &w.t);
	rg_io_del(loop, &w.io);
	close(w.fd);
}

RG_TEST_MAIN("radius", T(client_accept),
    T(client_forged_reply_refused), T(client_no_ma_refused),
    T(client_retransmits), T(client_failover), T(client_cancel),
    T(backend_mschapv2_pap), T(backend_local_and_fallback),
    T(logins_500_slow_server))
