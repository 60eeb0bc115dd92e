/*
 * ikev2-hsbench: IKEv2 handshake cost of the responder engine alone, in
 * memory (no sockets, no data plane).  N full IKE_SA_INIT + IKE_AUTH
 * exchanges (RFC 7296 1.2: PSK, ECP256, AES-GCM-16, CP, NAT-D forcing
 * UDP encapsulation) between the test initiator and the real engine;
 * prints handshakes/s overall and the responder's own CPU per handshake
 * (thread CPU time spent inside ikev2_engine_input).  For profiling:
 *   ikev2-hsbench [-n N] [-g group] [-v]   (-v: info logging, as roadgated)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ikev2.h"
#include "ikev2_initiator.h"
#include "pool/pool.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"

static uint8_t	 rbuf[8192];
static size_t	 rlen;
static double	 resp_cpu;

static double
cpu_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *local, const struct sockaddr *peer)
{
	(void)arg; (void)fd; (void)local; (void)peer;
	if (len > sizeof(rbuf))
		return -1;
	memcpy(rbuf, p, len);
	rlen = len;
	return 0;
}

static int
bench_lease(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t wl)
{
	struct rg_addr	*out = &g->addr;
	uint64_t	 sid = r->session_id;

	(void)arg; (void)c;
	if (r->af != AF_INET) {
		snprintf(why, wl, "no IPv6 pool");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->af = AF_INET;
	out->addr[0] = 10;
	out->addr[1] = (uint8_t)(sid >> 16);
	out->addr[2] = (uint8_t)(sid >> 8);
	out->addr[3] = (uint8_t)sid;
	return 0;
}

static void
bench_unlease(void *arg, uint64_t sid)
{
	(void)arg; (void)sid;
}

static struct rg_config *
bench_config(void)
{
	struct rg_config *c = rg_config_new();
	struct rg_profile *p;

	c->settings.proposals = strdup("modern");
	c->settings.default_profile = strdup("default");
	c->settings.cookie_threshold = 0;
	c->settings.dpd_interval_s = 30;
	c->settings.dpd_timeout_s = 150;
	c->psks = calloc(1, sizeof(*c->psks));
	c->psks[0].id = strdup("%any");
	c->psks[0].secret = (uint8_t *)strdup("bench-psk-secret");
	c->psks[0].secret_len = 16;
	c->npsks = 1;
	c->profiles = calloc(1, sizeof(*c->profiles));
	p = &c->profiles[0];
	p->name = strdup("default");
	p->dns = calloc(1, sizeof(*p->dns));
	rg_addr_parse("10.1.1.53", &p->dns[0]);
	p->ndns = 1;
	c->nprofiles = 1;
	return c;
}

int
main(int argc, char **argv)
{
	struct ikev2_ini_conf	 ic = { "bench@example.com",
	    (const uint8_t *)"bench-psk-secret", 16, 20, 256, 5, 0,
	    { 19, 0, 0, 0 }, 20, 128, 0, true, true, false };
	static const struct sess_lease_ops leases = { bench_lease,
	    bench_unlease, NULL };
	struct sess_opts	 so = { .lease_ops = &leases };
	struct sess_reg		*reg;
	struct sockaddr_in	 cli, srv;
	struct rg_loop		*loop;
	struct rg_config	*c;
	struct ikev2_engine	*e;
	uint8_t			 a[8192];
	unsigned long		 n = 2000, ok = 0;
	double			 w0, w1;
	int			 o;
	bool			 verbose = false;

	while ((o = getopt(argc, argv, "n:g:v")) != -1) {
		switch (o) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'g':
			ic.groups[0] = (uint16_t)atoi(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: ikev2-hsbench [-n N] [-g group] [-v]\n");
			return 2;
		}
	}
	rg_log_open(true, false, verbose ? RG_L_INFO : RG_L_WARN);
	loop = rg_loop_new(0);
	c = bench_config();
	reg = sess_reg_new(loop, c, &so);
	e = ikev2_engine_new(loop, c, NULL, reg);
	rg_config_unref(c);
	if (e == NULL)
		return 1;
	ikev2_engine_set_send(e, bench_send, NULL);
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	cli.sin_family = srv.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &srv.sin_addr);
	srv.sin_port = htons(500);
	w0 = wall_now();
	for (unsigned long k = 0; k < n; k++) {
		struct ikev2_ini *i = ikev2_ini_new(&ic);
		long		 len;
		double		 t;

		/* a distinct client address and port per handshake */
		cli.sin_addr.s_addr = htonl(0xc6120000u + (uint32_t)(k >> 8));
		cli.sin_port = htons((uint16_t)(1024 + (k & 0xff)));
		len = ikev2_ini_start(i, a, sizeof(a));
		for (int r = 0; r < 4 && len > 0; r++) {
			rlen = 0;
			t = cpu_now();
			ikev2_engine_input(e, a, (size_t)len,
			    (struct sockaddr *)&cli, (struct sockaddr *)&srv,
			    -1);
			resp_cpu += cpu_now() - t;
			if (rlen == 0)
				break;
			len = ikev2_ini_input(i, rbuf, rlen, a, sizeof(a));
		}
		if (ikev2_ini_state(i) == INI_ESTABLISHED)
			ok++;
		ikev2_ini_free(i);
	}
	w1 = wall_now();
	printf("hsbench: %lu/%lu established, %.0f hs/s (both sides, one "
	    "thread), responder %.1f us CPU/hs = %.0f hs/s per core\n", ok, n,
	    (double)ok / (w1 - w0), resp_cpu * 1e6 / (double)(ok ? ok : 1),
	    resp_cpu > 0 ? (double)ok / resp_cpu : 0.0);
	ikev2_engine_free(e);
	sess_reg_free(reg);
	rg_loop_free(loop);
	return ok == n ? 0 : 1;
}
