/*
 * fuzz_ikev1_engine: input into the IKEv1 responder (ikev1_engine_input).
 * Byte 0 chooses how the rest goes in:
 *   even: as a whole datagram from the client (header checks, cookie
 *         lookup, main and aggressive mode message 1 and 3 parsing);
 *   odd:  behind decryption: byte 1 the exchange type, byte 2 the first
 *         payload, bytes 3-6 the message ID, the rest a payload chain,
 *         sealed by the test initiator with the keys of an ISAKMP SA
 *         established in memory (main mode, XAuth, mode-config, quick
 *         mode); with bit 1 of byte 0 a leading HASH is made valid, so
 *         the transaction, quick-mode and informational handlers see it.
 * Malformed input is dropped and counted, never crashes.  The engine is
 * rebuilt every 256 inputs and whenever its SA is gone.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikev1.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "pool/pool.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define QMAX	8
static uint8_t			*q_pkt[QMAX];
static size_t			 q_len[QMAX], q_n;
static struct rg_loop		*loop;
static struct sess_reg		*reg;
static struct ikev1_engine	*eng;
static struct ikev1_ini		*ini;
static unsigned int		 runs;
static struct sockaddr_in	 cli, srv;

static int
q_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *l, const struct sockaddr *r)
{
	(void)arg; (void)fd; (void)l; (void)r;
	if (q_n >= QMAX)
		return 0;
	q_pkt[q_n] = malloc(len);
	memcpy(q_pkt[q_n], p, len);
	q_len[q_n++] = len;
	return 0;
}

static void
q_clear(void)
{
	for (size_t i = 0; i < q_n; i++)
		free(q_pkt[i]);
	q_n = 0;
}

static int
lease(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t wl)
{
	(void)arg; (void)c; (void)why; (void)wl;
	memset(&g->addr, 0, sizeof(g->addr));
	g->addr.af = AF_INET;
	g->addr.addr[0] = 10;
	g->addr.addr[3] = (uint8_t)r->session_id;
	return r->af == AF_INET ? 0 : -1;
}

static void
unlease(void *arg, uint64_t key)
{
	(void)arg; (void)key;
}

static void
input(const uint8_t *p, size_t len)
{
	ikev1_engine_input(eng, p, len, (struct sockaddr *)&cli,
	    (struct sockaddr *)&srv, -1);
}

/* The client's messages in, the engine's into the client, bounded. */
static void
handshake(void)
{
	static const struct ikev1_ini_conf conf = {
		.psk = "fuzz", .user = "alice", .pass = "alice-pass",
		.encr = 7, .keylen = 128, .hash = 2, .group = 2,
		.auth = IKEV1_AUTH_XAUTH_INIT_PSK, .natt = true, .unity = true,
		.dpd = true, .cfg_pull = true, .quick = true };
	struct ikev1_ini_out	 out = { .n = 0 }, next;

	ini = ikev1_ini_new(&conf);
	ikev1_ini_start(ini, &out);
	for (int round = 0; round < 12 && out.n > 0; round++) {
		size_t	 n;

		q_clear();
		for (size_t k = 0; k < out.n; k++)
			input(out.pkt[k], out.len[k]);
		for (int k = 0; k < 10 && q_n == 0; k++)
			rg_loop_once(loop, 1);
		out.n = 0;
		n = q_n;
		for (size_t k = 0; k < n; k++) {
			next.n = 0;
			if (ikev1_ini_input(ini, q_pkt[k], q_len[k], &next) < 0)
				continue;
			for (size_t j = 0; j < next.n && out.n < INI_MAX_OUT;
			    j++) {
				memcpy(out.pkt[out.n], next.pkt[j],
				    next.len[j]);
				out.len[out.n++] = next.len[j];
			}
		}
	}
	q_clear();
}

static void
teardown(void)
{
	ikev1_engine_free(eng);
	ikev1_ini_free(ini);
	sess_reg_free(reg);
	rg_loop_free(loop);
	eng = NULL;
	ini = NULL;
	reg = NULL;
	loop = NULL;
	q_clear();
}

static void
setup(void)
{
	static const struct sess_lease_ops leases = { lease, unlease, NULL };
	struct sess_opts	 so = { .lease_ops = &leases };
	struct rg_config	*c = rg_config_new();

	c->settings.proposals = strdup("compatible");
	c->settings.ikev1_aggressive = strdup("psk");
	c->settings.dpd_interval_s = 30;
	c->psks = calloc(1, sizeof(*c->psks));
	c->psks[0].id = strdup("%any");
	c->psks[0].secret = (uint8_t *)strdup("fuzz");
	c->psks[0].secret_len = 4;
	c->npsks = 1;
	c->users = calloc(1, sizeof(*c->users));
	c->users[0].name = strdup("alice");
	c->users[0].password = strdup("alice-pass");
	c->users[0].enabled = true;
	c->nusers = 1;
	rg_log_set_level(RG_T__COUNT, getenv("RG_FUZZ_LOG") ? RG_L_DEBUG :
	    RG_L_ERROR);
	cli.sin_family = srv.sin_family = AF_INET;
	cli.sin_port = srv.sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.2", &cli.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &srv.sin_addr);
	loop = rg_loop_new(0);
	reg = sess_reg_new(loop, c, &so);
	eng = ikev1_engine_new(loop, c, NULL, reg);
	ikev1_engine_set_send(eng, q_send, NULL);
	rg_config_unref(c);
	handshake();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static bool		 registered;
	struct ikev1_ini_out	*o;
	uint8_t			*body;

	if (!registered) {
		atexit(teardown);
		registered = true;
	}
	if (eng == NULL || ++runs % 256 == 0 ||
	    ikev1_engine_sa_count(eng) == 0) {
		teardown();
		setup();
	}
	if (len < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		input(data + 1, len - 1);
		q_clear();
		return 0;
	}
	if (len < 7 || len - 7 > 3000)
		return 0;
	o = malloc(sizeof(*o));
	body = malloc(len - 7 + 1);
	memcpy(body, data + 7, len - 7);
	ikev1_ini_seal_raw(ini, data[1], (uint32_t)data[3] << 24 |
	    (uint32_t)data[4] << 16 | (uint32_t)data[5] << 8 | data[6], data[2],
	    body, len - 7, (data[0] & 2) != 0, o);
	for (size_t k = 0; k < o->n; k++)
		input(o->pkt[k], o->len[k]);
	rg_loop_once(loop, 0);
	q_clear();
	free(body);
	free(o);
	return 0;
}

void	rg_fuzz_report(char *, size_t);
long	rg_fuzz_iters(void);

void
rg_fuzz_report(char *buf, size_t len)
{
	snprintf(buf, len, "%u inputs, engine rebuilt for each 256 or a lost "
	    "SA", runs);
}

long
rg_fuzz_iters(void)
{
	return 5000;
}
