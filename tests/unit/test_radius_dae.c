/*
 * test_radius_dae.c: Dynamic Authorization (RFC 5176): Disconnect-Request
 * and CoA-Request against sessions in the registry.
 */
#include "radius_test_lib.h"

/* --- Disconnect / CoA (RFC 5176) ------------------------------------------ */

static const uint8_t	 dsecret[] = "dae-secret";

struct dae_ans {
	uint8_t		 code;		/* 0: no answer */
	uint32_t	 cause;
};

/* One request to the DAE listener at port; opts: with_ma, a wrong
 * secret, Event-Timestamp offset.  The same bytes again when replay. */
static struct dae_ans
dae_ask(uint16_t port, uint8_t code, uint8_t id, const char *user,
    const uint8_t *framed, int64_t ts_off, uint32_t timeout, bool with_ma,
    const char *key, struct rad_pkt *sent, bool replay)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET };
	struct rad_pkt		 p;
	struct dae_ans		 a = { 0, 0 };
	struct rad_msg		 m;
	uint8_t			 buf[RAD_MAX_LEN];
	const char		*why;
	ssize_t			 n = -1;
	int			 fd;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(port);
	if (replay) {
		p = *sent;
	} else {
		rad_pkt_init(&p, code, id, NULL);
		if (with_ma)
			rad_add_ma(&p);
		if (user != NULL)
			rad_add_str(&p, RAD_USER_NAME, user);
		if (framed != NULL)
			rad_add(&p, RAD_FRAMED_IP_ADDRESS, framed, 4);
		if (timeout)
			rad_add_u32(&p, RAD_SESSION_TIMEOUT, timeout);
		rad_add_u32(&p, RAD_EVENT_TIMESTAMP,
		    (uint32_t)((int64_t)time(NULL) + ts_off));
		rad_pkt_finish(&p, (const uint8_t *)key, strlen(key));
		if (sent != NULL)
			*sent = p;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, p.buf, p.len, 0, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < 40 && n < 0; i++) {
		rg_loop_once(loop, 10);
		n = recv(fd, buf, sizeof(buf), 0);
	}
	close(fd);
	if (n > 0 && rad_parse(buf, (size_t)n, &m, &why) == 0 &&
	    rad_verify_reply(&m, p.buf + 4, dsecret, sizeof(dsecret) - 1,
	    true, &why) == 0) {
		a.code = m.code;
		(void)rad_get_u32(&m, RAD_ERROR_CAUSE, &a.cause);
	}
	return a;
}

static uint16_t
free_udp_port(void)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 sl = sizeof(sin);
	int			 fd = socket(AF_INET, SOCK_DGRAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	close(fd);
	return ntohs(sin.sin_port);
}

struct dprov {
	struct sess	*s;
	int		 kills;
	enum sess_cause	 cause;
};

static int
dprov_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	struct dprov	*p = ctx;

	(void)arg;
	p->kills++;
	p->cause = cause;
	sess_end(p->s, cause, why);
	p->s = NULL;
	return 0;
}

static const struct sess_provider_ops dprov_ops = {
	.name = "ikev2", .kill = dprov_kill,
};

static void
dae_open(struct sess_reg *reg, struct dprov *p, const char *user)
{
	struct sess_provider	 prov = { &dprov_ops, NULL };
	struct sess_info	 in = { .user = user, .method = "ikev2-eap",
				       .profile = "default" };
	struct rg_addr		 vip;
	char			 why[64];

	memset(p, 0, sizeof(*p));
	p->s = sess_open(reg, &prov, p, &in);
	(void)sess_lease(p->s, AF_INET, NULL, &vip, why, sizeof(why));
	sess_up(p->s);
}

/* Disconnect ends the matching session through the registry; CoA sets
 * a Session-Timeout; unknown sessions NAK 503; a replay, a wrong
 * secret, a missing Message-Authenticator and a stale Event-Timestamp
 * are dropped unanswered. */
static void
dae_disconnect_coa(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct dprov		 p1, p2;
	struct dae_ans		 a;
	struct rad_pkt		 sent;
	struct radius_dae_stats	 st;
	char			 addr[40];
	uint16_t		 port = free_udp_port();
	const uint8_t		 vip[4] = { 10, 9, 0, 5 }, other[4] = { 10, 9,
				    0, 6 };
	const char		*k = (const char *)dsecret;
	uint64_t		 t0;

	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	cfg->settings.dae_listen = strdup(addr);
	cfg->dae_clients = calloc(1, sizeof(*cfg->dae_clients));
	cfg->ndae_clients = 1;
	cfg->dae_clients[0].name = strdup("ctl");
	cfg->dae_clients[0].address = strdup("127.0.0.1");
	cfg->dae_clients[0].secret = (uint8_t *)strdup(k);
	cfg->dae_clients[0].secret_len = strlen(k);
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	dae_open(reg, &p1, "dora");

	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 1, "nobody", NULL, 0, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_NAK);
	CHECK_EQ(a.cause, RAD_EC_SESSION_NOT_FOUND);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 2, "dora", other, 0, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_NAK);	/* every id must match */
	CHECK_EQ(p1.kills, 0);

	/* CoA: Session-Timeout 1 s from now. */
	t0 = rg_now_ms();
	a = dae_ask(port, RAD_COA_REQUEST, 3, "dora", NULL, 0, 1, true, k,
	    NULL, false);
	CHECK_EQ(a.code, RAD_COA_ACK);
	for (int i = 0; i < 200 && p1.kills == 0; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(p1.kills, 1);
	CHECK_EQ(p1.cause, SESS_CAUSE_SESSION_TIMEOUT);
	CHECK(rg_now_ms() - t0 >= 1000);
	/* A CoA that changes nothing: NAK, Missing Attribute. */
	dae_open(reg, &p2, "dora");
	a = dae_ask(port, RAD_COA_REQUEST, 4, "dora", NULL, 0, 0, true, k,
	    NULL, false);
	CHECK_EQ(a.code, RAD_COA_NAK);
	CHECK_EQ(a.cause, RAD_EC_MISSING_ATTRIBUTE);

	/* Dropped: wrong secret, no Message-Authenticator, stale. */
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 5, "dora", NULL, 0, 0,
	    true, "not-the-secret", NULL, false);
	CHECK_EQ(a.code, 0);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 6, "dora", NULL, 0, 0,
	    false, k, NULL, false);
	CHECK_EQ(a.code, 0);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 7, "dora", NULL, -3600, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, 0);
	CHECK_EQ(p2.kills, 0);

	/* Disconnect by Framed-IP-Address: Admin-Reset through sess. */
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 8, NULL, vip, 0, 0, true, k,
	    &sent, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_ACK);
	CHECK_EQ(p2.kills, 1);
	CHECK_EQ(p2.cause, SESS_CAUSE_ADMIN_RESET);
	/* The same bytes again: a replay, dropped (a new session of dora
	 * would match). */
	dae_open(reg, &p1, "dora");
	a = dae_ask(port, 0, 0, NULL, NULL, 0, 0, true, k, &sent, true);
	CHECK_EQ(a.code, 0);
	CHECK_EQ(p1.kills, 0);
	radius_dae_stats(r->dae, &st);
	CHECK_EQ(st.dropped, 4);
	CHECK_EQ(st.acks, 2);
	CHECK_EQ(st.naks, 3);

	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}


RG_TEST_MAIN("radius", T(dae_disconnect_coa))
