/*
 * ikev2_fixture.c: the shared fixture of the in-memory IKEv2 engine tests
 * (see ikev2_fixture.h): fake socket, a session registry with fake
 * leases, base configuration, engine and round trips with the test
 * initiator.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2_fixture.h"
#include "pool/pool.h"
#include "sess.h"

struct fx_queue		 fx_q;
struct sockaddr_storage	 fx_q_to[FX_QMAX];
unsigned int		 fx_leases_out;
bool			 fx_lease_v6;
struct sockaddr_in	 fx_cli, fx_srv;
struct rg_loop		*fx_loop;
static struct sess_reg	*fx_reg;

const struct ikev2_ini_conf fx_gcm = {
	.id = "alice@example.com", .psk = (const uint8_t *)"test-psk-secret",
	.psklen = 15, .encr = 20, .encr_keylen = 256, .prf = 5, .integ = 0,
	.groups = { 19, 0, 0, 0 }, .esp_encr = 20, .esp_keylen = 128,
	.esp_integ = 0, .want_vip = true };

static int
fx_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *local, const struct sockaddr *peer)
{
	(void)arg;
	(void)fd;
	(void)local;
	if (fx_q.n >= FX_QMAX)
		return -1;
	memset(&fx_q_to[fx_q.n], 0, sizeof(fx_q_to[0]));
	memcpy(&fx_q_to[fx_q.n], peer, peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	fx_q.pkt[fx_q.n] = malloc(len);
	memcpy(fx_q.pkt[fx_q.n], p, len);
	fx_q.len[fx_q.n++] = len;
	return 0;
}

void
fx_q_clear(void)
{
	for (size_t i = 0; i < fx_q.n; i++)
		free(fx_q.pkt[i]);
	fx_q.n = 0;
}

static int
fx_lease(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t wl)
{
	struct rg_addr	*out = &g->addr;
	uint64_t	 sid = r->session_id;
	int		 af = r->af;

	(void)arg; (void)c;
	if (af == AF_INET6 && fx_lease_v6) {
		memset(out, 0, sizeof(*out));
		rg_addr_parse("2001:db8:ff::", out);
		out->addr[15] = (uint8_t)sid;
		return 0;
	}
	if (af != AF_INET) {
		snprintf(why, wl, "no IPv6 pool");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->af = AF_INET;
	out->addr[0] = 10;
	out->addr[3] = (uint8_t)sid;
	fx_leases_out++;
	return 0;
}

static void
fx_unlease(void *arg, uint64_t sid)
{
	(void)arg;
	(void)sid;
	fx_leases_out--;
}

struct rg_config *
fx_config(const char *proposals)
{
	struct rg_config	*c = rg_config_new();

	c->settings.proposals = strdup(proposals);
	c->settings.default_profile = strdup("default");
	c->settings.dpd_interval_s = 30;
	c->settings.dpd_timeout_s = 150;
	/* alice's own key (her sessions run as alice), and the %any key
	 * (its peers run as "%any:<IDi>", docs/SECURITY.md). */
	c->psks = calloc(2, sizeof(*c->psks));
	c->psks[0].id = strdup("alice@example.com");
	c->psks[0].secret = (uint8_t *)strdup("test-psk-secret");
	c->psks[0].secret_len = 15;
	c->psks[1].id = strdup("%any");
	c->psks[1].secret = (uint8_t *)strdup("test-psk-secret");
	c->psks[1].secret_len = 15;
	c->npsks = 2;
	c->profiles = calloc(1, sizeof(*c->profiles));
	c->profiles[0].name = strdup("default");
	c->nprofiles = 1;
	return c;
}

struct ikev2_engine *
fx_engine(struct rg_config *c)
{
	return fx_engine_dp(c, NULL);
}

struct ikev2_engine *
fx_engine_dp(struct rg_config *c, struct dp *dp)
{
	static const struct sess_lease_ops leases = { fx_lease, fx_unlease,
						      NULL };
	struct sess_opts	 so = { .lease_ops = &leases };
	struct ikev2_engine	*e;

	if (fx_loop == NULL)
		fx_loop = rg_loop_new(0);
	if (fx_reg == NULL)
		fx_reg = sess_reg_new(fx_loop, c, &so);
	else
		(void)sess_reg_reconfigure(fx_reg, c);	/* the case's settings */
	fx_cli.sin_family = fx_srv.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.2", &fx_cli.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &fx_srv.sin_addr);
	fx_cli.sin_port = fx_srv.sin_port = htons(500);
	e = ikev2_engine_new(fx_loop, c, dp, fx_reg);
	rg_config_unref(c);
	if (e != NULL)
		ikev2_engine_set_send(e, fx_send, NULL);
	return e;
}

void
fx_input(struct ikev2_engine *e, const uint8_t *p, size_t len)
{
	ikev2_engine_input(e, p, len, (struct sockaddr *)&fx_cli,
	    (struct sockaddr *)&fx_srv, -1);
}

static void
fx_sockaddr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		s6->sin6_port = htons(port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &s4->sin_addr);
		s4->sin_port = htons(port);
	}
}

void
fx_input_at(struct ikev2_engine *e, const uint8_t *p, size_t len,
    const char *from, uint16_t fport, const char *to, uint16_t tport)
{
	struct sockaddr_storage	 f, t;

	fx_sockaddr(&f, from, fport);
	fx_sockaddr(&t, to, tport);
	ikev2_engine_input(e, p, len, (struct sockaddr *)&f,
	    (struct sockaddr *)&t, -1);
}

bool
fx_q_went_to(size_t k, const char *ip, uint16_t port)
{
	struct sockaddr_storage	 want;

	fx_sockaddr(&want, ip, port);
	return k < fx_q.n && memcmp(&want, &fx_q_to[k], sizeof(want)) == 0;
}

long
fx_rt(struct ikev2_engine *e, struct ikev2_ini *i, const uint8_t *req,
    long n, uint8_t *next, size_t cap)
{
	fx_q_clear();
	if (n <= 0)
		return -1;
	fx_input(e, req, (size_t)n);
	if (fx_q.n == 0)
		return -1;
	return ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], next, cap);
}

struct ikev2_ini *
fx_connect(struct ikev2_engine *e, const struct ikev2_ini_conf *c)
{
	struct ikev2_ini	*i = ikev2_ini_new(c);
	uint8_t			 a[4096], b[4096];
	long			 n;
	int			 rounds = 0;

	/* HDR, SAi1, KEi, Ni --> <-- HDR, SAr1, KEr, Nr */
	n = ikev2_ini_start(i, a, sizeof(a));
	/* HDR, SK {IDi, AUTH, CP, SAi2, TSi, TSr} --> */
	while (rounds++ < 6 && (n = fx_rt(e, i, a, n, b, sizeof(b))) > 0) {
		memcpy(a, b, (size_t)n);
		if (ikev2_ini_state(i) == INI_AUTH_SENT) {
			n = fx_rt(e, i, a, n, b, sizeof(b));
			break;
		}
	}
	return i;
}

long long
fx_counter(struct ikev2_engine *e, const char *name)
{
	json_t		*st = ikev2_engine_status_json(e);
	long long	 v;

	v = (long long)json_integer_value(json_object_get(json_object_get(st,
	    "counters"), name));
	json_decref(st);
	return v;
}

void
fx_cleanup(void)
{
	fx_q_clear();
	sess_reg_free(fx_reg);
	fx_reg = NULL;
	rg_loop_free(fx_loop);
	fx_loop = NULL;
}
