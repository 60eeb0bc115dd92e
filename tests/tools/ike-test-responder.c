/*
 * ike-test-responder: a small IKEv2 responder without the store, for the
 * benchmark (tests/bench/ikev2.sh) and engine work by hand; the integration
 * scenarios run roadgated itself (tests/tools/ikev2_bed.sh,
 * tests/interop/serve).  It builds an rg_config
 * in code from the bed's environment (TB_PSK, TB_PKI, TB_POOL, TB_DNS,
 * TB_LAN_NET; user alice/alice-pass, and client1@ / client2@testbed.test
 * for the bed's certificates), leases addresses from TB_POOL with a
 * trivial in-process hook, and runs rg_loop + ike_sock + the IKEv2 engine.
 *
 *   ike-test-responder [--dp auto|userspace|kernel] [--proposals NAME]
 *                      [--port N --natt-port N] [--debug]
 *                      [--ike-lifetime S] [--child-lifetime S]
 *                      [--dpd INTERVAL:TIMEOUT] [--cookies N] [--quiet]
 *                      [--dp-threads N]  (0: one per CPU; default none)
 *
 * Without --dp it is control plane only (dp = NULL).  Exits on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "ike_sock.h"
#include "ikev2.h"
#include "pool/pool.h"
#include "rg_config.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_mschap.h"
#include "sess.h"

#define MAX_LEASE	1024

static struct {
	struct rg_prefix pool;
	uint64_t	 owner[MAX_LEASE];	/* session id, 0 = free */
} leases;

static char *
slurp(const char *dir, const char *name)
{
	char	 path[512], *buf = NULL;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
tr_lease_acquire(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t whylen)
{
	struct rg_addr	*out = &g->addr;
	uint64_t	 sid = r->session_id;
	uint32_t	 base, size;

	(void)arg;
	(void)c;
	if (r->af != AF_INET || leases.pool.af != AF_INET) {
		snprintf(why, whylen, "no pool of this family");
		return -1;
	}
	base = (uint32_t)leases.pool.addr[0] << 24 |
	    (uint32_t)leases.pool.addr[1] << 16 |
	    (uint32_t)leases.pool.addr[2] << 8 | leases.pool.addr[3];
	size = leases.pool.plen >= 31 ? 1 : (1u << (32 - leases.pool.plen)) - 2;
	if (size > MAX_LEASE)
		size = MAX_LEASE;
	for (uint32_t i = 0; i < size; i++) {
		uint32_t a = base + 1 + i;

		if (leases.owner[i] != 0)
			continue;
		leases.owner[i] = sid;
		memset(out, 0, sizeof(*out));
		out->af = AF_INET;
		out->addr[0] = (uint8_t)(a >> 24);
		out->addr[1] = (uint8_t)(a >> 16);
		out->addr[2] = (uint8_t)(a >> 8);
		out->addr[3] = (uint8_t)a;
		return 0;
	}
	snprintf(why, whylen, "pool exhausted");
	return -1;
}

static void
tr_lease_release(void *arg, uint64_t sid)
{
	(void)arg;
	for (size_t i = 0; i < MAX_LEASE; i++)
		if (leases.owner[i] == sid) {
			leases.owner[i] = 0;
			rg_info(POOL, "lease of session %llu released",
			    (unsigned long long)sid);
		}
}

static uint32_t	 opt_ike_life = 86400, opt_child_life = 10800;
static uint32_t	 opt_dpd = 30, opt_dpd_timeout = 150, opt_cookies = 1000;

static struct rg_config *
build_config(const char *proposals)
{
	struct rg_config	*c = rg_config_new();
	const char		*pki = getenv("TB_PKI");
	const char		*psk = getenv("TB_PSK");
	const char		*dns = getenv("TB_DNS");
	const char		*lan = getenv("TB_LAN_NET");
	const char		*pool = getenv("TB_POOL");
	struct rg_profile	*p;

	if (c == NULL)
		return NULL;
	c->settings.proposals = strdup(proposals);
	c->settings.default_profile = strdup("default");
	c->settings.eap_method = strdup("any");
	c->settings.ike_lifetime_s = opt_ike_life;
	c->settings.child_lifetime_s = opt_child_life;
	c->settings.dpd_interval_s = opt_dpd;
	c->settings.dpd_timeout_s = opt_dpd_timeout;
	c->settings.cookie_threshold = opt_cookies;
	c->settings.halfopen_per_ip = 0;
	if (psk != NULL) {
		c->psks = calloc(1, sizeof(*c->psks));
		c->psks[0].id = strdup("%any");
		c->psks[0].secret = (uint8_t *)strdup(psk);
		c->psks[0].secret_len = strlen(psk);
		c->npsks = 1;
	}
	c->users = calloc(3, sizeof(*c->users));
	c->users[0].name = strdup("alice");
	c->users[0].password = strdup("alice-pass");
	c->users[0].has_nt_hash = rg_mschap_nt_hash("alice-pass",
	    c->users[0].nt_hash) == 0;
	c->users[0].enabled = true;
	/* The bed's certificate clients: a certificate login needs its user
	 * record (server/auth/cred.h). */
	c->users[1].name = strdup("client1@testbed.test");
	c->users[1].enabled = true;
	c->users[2].name = strdup("client2@testbed.test");
	c->users[2].enabled = true;
	c->nusers = 3;
	c->profiles = calloc(1, sizeof(*c->profiles));
	p = &c->profiles[0];
	p->name = strdup("default");
	if (dns != NULL) {
		p->dns = calloc(1, sizeof(*p->dns));
		if (rg_addr_parse(dns, &p->dns[0]) == 0)
			p->ndns = 1;
	}
	if (lan != NULL) {
		p->split = calloc(1, sizeof(*p->split));
		if (rg_prefix_parse(lan, &p->split[0]) == 0)
			p->nsplit = 1;
	}
	c->nprofiles = 1;
	if (pool == NULL || rg_prefix_parse(pool, &leases.pool) < 0)
		rg_prefix_parse("198.18.0.0/16", &leases.pool);
	if (pki != NULL) {
		c->pki.ca_pem = slurp(pki, "ca.pem");
		c->pki.crl_pem = slurp(pki, "crl.pem");
		c->pki.server_cert_pem = slurp(pki, "server.pem");
		c->pki.server_key_pem = slurp(pki, "server.key");
	}
	return c;
}

static void
on_signal(int sig, void *arg)
{
	(void)sig;
	rg_loop_stop(arg);
}

int
main(int argc, char **argv)
{
	struct rg_loop		*loop;
	struct rg_config	*cfg;
	struct ikev2_engine	*eng;
	struct ike_sock		*sock;
	struct dp		*dp = NULL;
	const char		*dpkind = NULL, *props = "compatible";
	uint16_t		 port = 0, natt = 0;
	bool			 debug = false, quiet = false;
	int			 dp_threads = DP_THREADS_INLINE;
	static const struct sess_lease_ops lops = { tr_lease_acquire,
	    tr_lease_release, NULL };
	struct sess_opts	 so = { .lease_ops = &lops };
	struct sess_reg		*reg;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dp") == 0 && i + 1 < argc)
			dpkind = argv[++i];
		else if (strcmp(argv[i], "--dp-threads") == 0 && i + 1 < argc)
			dp_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--proposals") == 0 && i + 1 < argc)
			props = argv[++i];
		else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = (uint16_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--natt-port") == 0 && i + 1 < argc)
			natt = (uint16_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--ike-lifetime") == 0 && i + 1 < argc)
			opt_ike_life = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--child-lifetime") == 0 && i + 1 < argc)
			opt_child_life = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--cookies") == 0 && i + 1 < argc)
			opt_cookies = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--dpd") == 0 && i + 1 < argc &&
		    sscanf(argv[i + 1], "%u:%u", &opt_dpd, &opt_dpd_timeout) == 2)
			i++;
		else if (strcmp(argv[i], "--debug") == 0)
			debug = true;
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else {
			fprintf(stderr, "usage: %s [--dp KIND] [--proposals SET] "
			    "[--port N] [--natt-port N] [--debug]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	rg_log_open(true, false, debug ? RG_L_DEBUG : quiet ? RG_L_WARN :
	    RG_L_INFO);
	if ((loop = rg_loop_new(0)) == NULL || (cfg = build_config(props)) ==
	    NULL)
		return 1;
	if (dpkind != NULL && (dp = dp_new(loop, dpkind, NULL, dp_threads, NULL)) == NULL) {
		fprintf(stderr, "data plane '%s' unavailable\n", dpkind);
		return 1;
	}
	if ((reg = sess_reg_new(loop, cfg, &so)) == NULL)
		return 1;
	sess_reg_set_dp(reg, dp);	/* the vip routes */
	if ((eng = ikev2_engine_new(loop, cfg, dp, reg)) == NULL)
		return 1;
	if ((sock = ike_sock_new(loop, port, natt, dp)) == NULL)
		return 1;
	ikev2_engine_attach(eng, sock);
	rg_loop_signal(loop, SIGTERM, on_signal, loop);
	rg_loop_signal(loop, SIGINT, on_signal, loop);
	rg_loop_run(loop);
	ikev2_engine_shutdown(eng);
	ike_sock_free(sock);
	ikev2_engine_free(eng);
	sess_reg_free(reg);
	dp_free(dp);
	rg_config_unref(cfg);
	rg_loop_free(loop);
	return 0;
}
