/*
 * test_ikev2_session: what the daemon asks of the IKEv2 engine about a
 * live session: the session behind a CHILD_SA's reqid (DHCPINFORM
 * answers) and ending a session from our side (one session per user, an
 * admin's kick): INFORMATIONAL request with DELETE(IKE) (RFC 7296 1.4.1),
 * lease released, SA freed.  Driven in memory by the test initiator.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2.h"
#include "ikev2_initiator.h"
#include "rg_loop.h"
#include "rg_test.h"

#define QMAX	32

static struct {
	uint8_t		*pkt[QMAX];
	size_t		 len[QMAX];
	size_t		 n;
} q;

static unsigned int	 leases_out;
static struct sockaddr_in	 cli, srv;
static struct rg_loop		*loop;

static int
fake_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *local, const struct sockaddr *peer)
{
	(void)arg; (void)fd; (void)local; (void)peer;
	if (q.n >= QMAX)
		return -1;
	q.pkt[q.n] = malloc(len);
	memcpy(q.pkt[q.n], p, len);
	q.len[q.n++] = len;
	return 0;
}

static void
q_clear(void)
{
	for (size_t i = 0; i < q.n; i++)
		free(q.pkt[i]);
	q.n = 0;
}

static int
lease(void *arg, const char *user, const char *profile, uint64_t sid, int af,
    const struct rg_addr *req, struct rg_addr *out, char *why, size_t wl)
{
	(void)arg; (void)user; (void)profile; (void)req; (void)why; (void)wl;
	if (af != AF_INET)
		return -1;
	memset(out, 0, sizeof(*out));
	out->af = AF_INET;
	out->addr[0] = 10;
	out->addr[3] = (uint8_t)sid;
	leases_out++;
	return 0;
}

static void
unlease(void *arg, uint64_t sid)
{
	(void)arg; (void)sid;
	leases_out--;
}

static struct ikev2_engine *
engine(void)
{
	struct rg_config	*c = rg_config_new();
	struct ikev2_hooks	 h = { lease, unlease, NULL, NULL, NULL };
	struct ikev2_engine	*e;
	struct rg_profile	*p;

	c->settings.proposals = strdup("modern");
	c->settings.default_profile = strdup("default");
	c->settings.dpd_interval_s = 30;
	c->settings.dpd_timeout_s = 150;
	c->psks = calloc(1, sizeof(*c->psks));
	c->psks[0].id = strdup("%any");
	c->psks[0].secret = (uint8_t *)strdup("test-psk-secret");
	c->psks[0].secret_len = 15;
	c->npsks = 1;
	c->profiles = calloc(1, sizeof(*c->profiles));
	p = &c->profiles[0];
	p->name = strdup("default");
	c->nprofiles = 1;
	if (loop == NULL)
		loop = rg_loop_new(0);
	cli.sin_family = srv.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.2", &cli.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &srv.sin_addr);
	cli.sin_port = srv.sin_port = htons(500);
	e = ikev2_engine_new(loop, c, NULL, &h);
	rg_config_unref(c);
	if (e != NULL)
		ikev2_engine_set_send(e, fake_send, NULL);
	return e;
}

static long
rt(struct ikev2_engine *e, struct ikev2_ini *i, const uint8_t *req, long n,
    uint8_t *next, size_t cap)
{
	q_clear();
	if (n <= 0)
		return -1;
	ikev2_engine_input(e, req, (size_t)n, (struct sockaddr *)&cli,
	    (struct sockaddr *)&srv, -1);
	if (q.n == 0)
		return -1;
	return ikev2_ini_input(i, q.pkt[0], q.len[0], next, cap);
}

static const struct ikev2_ini_conf gcm = {
	.id = "alice@example.com", .psk = (const uint8_t *)"test-psk-secret",
	.psklen = 15, .encr = 20, .encr_keylen = 256, .prf = 5, .integ = 0,
	.groups = { 19, 0, 0, 0 }, .esp_encr = 20, .esp_keylen = 128,
	.esp_integ = 0, .want_vip = true };

static struct ikev2_ini *
connect_ini(struct ikev2_engine *e, const struct ikev2_ini_conf *c)
{
	struct ikev2_ini *i = ikev2_ini_new(c);
	uint8_t		 a[4096], b[4096];
	long		 n;
	int		 rounds = 0;

	n = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (n = rt(e, i, a, n, b, sizeof(b))) > 0) {
		memcpy(a, b, (size_t)n);
		if (ikev2_ini_state(i) == INI_AUTH_SENT) {
			n = rt(e, i, a, n, b, sizeof(b));
			break;
		}
	}
	return i;
}

/* The daemon ends a session (one session per user, an admin's kick):
 * one INFORMATIONAL request with DELETE(IKE) goes out, the lease comes
 * back, the SA is freed; the CHILD_SA's reqid maps to the session. */
static void
kill_session(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = connect_ini(e, &gcm);
	struct ikev2_session_ref ref;
	json_t		*st;
	uint64_t	 sid;

	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	st = ikev2_engine_status_json(e);
	sid = (uint64_t)json_integer_value(json_object_get(json_array_get(
	    json_object_get(st, "sessions"), 0), "session_id"));
	json_decref(st);
	CHECK(sid != 0);
	/* reqids count from 1 per engine: the first CHILD_SA has 1. */
	CHECK_EQ(ikev2_engine_reqid_info(e, 1, &ref), 0);
	CHECK_EQ(ref.session_id, sid);
	CHECK_STR(ref.user, "alice@example.com");
	CHECK_STR(ref.profile, "default");
	CHECK_EQ(ref.vip.af, AF_INET);
	CHECK_MEM(ref.vip.addr, ikev2_ini_vip(i)->addr, 4);
	CHECK_EQ(ref.local.ss_family, AF_INET);
	CHECK_EQ(ikev2_engine_reqid_info(e, 999, &ref), -1);
	CHECK_EQ(ikev2_engine_kill_session(e, sid + 1, "test"), -1);
	q_clear();
	CHECK_EQ(ikev2_engine_kill_session(e, sid, "kicked by test"), 0);
	/* HDR(INFORMATIONAL, request from the responder), SK {D(IKE)} */
	CHECK_EQ(q.n, 1);
	CHECK(q.len[0] > 28);
	CHECK_EQ(q.pkt[0][18], 37);
	CHECK_EQ(q.pkt[0][19] & 0x20, 0);
	CHECK_EQ(leases_out, 0);
	CHECK_EQ(ikev2_engine_reqid_info(e, 1, &ref), -1);
	rg_loop_once(loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	CHECK_EQ(ikev2_engine_kill_session(e, sid, "again"), -1);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	q_clear();
}

static void
cleanup(void)
{
	q_clear();
	rg_loop_free(loop);
	loop = NULL;
}

RG_TEST_MAIN("ikev2_session", T(kill_session), T(cleanup))
