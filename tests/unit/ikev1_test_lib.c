/*
 * ikev1_test_lib.c: what the IKEv1 engine tests share: a send queue, the
 * registry and loop, a PSK/XAuth configuration, the engine, and the test
 * initiator driven against it until both fall silent.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev1.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "ikev1_test_lib.h"
#include "pool/pool.h"
#include "rg_loop.h"
#include "sess.h"
#include "store.h"

uint8_t		*q_pkt[QMAX];
size_t		 q_len[QMAX], q_n;
struct rg_loop	*loop;
struct sess_reg	*reg;
struct sockaddr_in cli, srv;

static int
q_send(void *arg, int fd, const uint8_t *p, size_t len,
    const struct sockaddr *local, const struct sockaddr *peer)
{
	(void)arg; (void)fd; (void)local; (void)peer;
	if (q_n >= QMAX)
		return -1;
	q_pkt[q_n] = malloc(len);
	memcpy(q_pkt[q_n], p, len);
	q_len[q_n++] = len;
	return 0;
}

void
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
	(void)arg; (void)c;
	if (r->af != AF_INET) {
		snprintf(why, wl, "no IPv6 pool");
		return -1;
	}
	memset(&g->addr, 0, sizeof(g->addr));
	g->addr.af = AF_INET;
	g->addr.addr[0] = 10;
	g->addr.addr[3] = (uint8_t)r->session_id;
	return 0;
}

static void
unlease(void *arg, uint64_t key)
{
	(void)arg; (void)key;
}

struct rg_config *
config(void)
{
	struct rg_config	*c = rg_config_new();
	struct rg_profile	*p;

	c->settings.proposals = strdup("compatible");
	c->settings.default_profile = strdup("default");
	c->settings.dpd_interval_s = 30;
	c->settings.dpd_timeout_s = 150;
	c->settings.ike_lifetime_s = 86400;
	c->psks = calloc(1, sizeof(*c->psks));
	c->psks[0].id = strdup("%any");
	c->psks[0].secret = (uint8_t *)strdup("test-psk");
	c->psks[0].secret_len = 8;
	c->npsks = 1;
	c->users = calloc(1, sizeof(*c->users));
	c->users[0].name = strdup("alice");
	c->users[0].password = strdup("alice-pass");
	c->users[0].enabled = true;
	c->nusers = 1;
	c->profiles = calloc(1, sizeof(*c->profiles));
	p = &c->profiles[0];
	p->name = strdup("default");
	p->dns = calloc(1, sizeof(*p->dns));
	rg_addr_parse("198.51.100.53", &p->dns[0]);
	p->ndns = 1;
	p->split = calloc(1, sizeof(*p->split));
	rg_prefix_parse("198.51.100.0/24", &p->split[0]);
	p->nsplit = 1;
	c->nprofiles = 1;
	return c;
}

struct ikev1_engine *
engine(struct rg_config *c)
{
	static const struct sess_lease_ops leases = { lease, unlease, NULL };
	struct sess_opts	 so = { .lease_ops = &leases };
	struct ikev1_engine	*e;

	if (loop == NULL)
		loop = rg_loop_new(0);
	if (reg == NULL)
		reg = sess_reg_new(loop, c, &so);
	else
		(void)sess_reg_reconfigure(reg, c);
	cli.sin_family = srv.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.2", &cli.sin_addr);
	inet_pton(AF_INET, "192.0.2.1", &srv.sin_addr);
	cli.sin_port = srv.sin_port = htons(500);
	e = ikev1_engine_new(loop, c, NULL, reg);
	rg_config_unref(c);
	if (e != NULL)
		ikev1_engine_set_send(e, q_send, NULL);
	q_clear();
	return e;
}

void
input(struct ikev1_engine *e, const uint8_t *p, size_t len)
{
	ikev1_engine_input(e, p, len, (struct sockaddr *)&cli,
	    (struct sockaddr *)&srv, -1);
}

long long
counter(struct ikev1_engine *e, const char *name)
{
	json_t		*st = ikev1_engine_status_json(e);
	long long	 v = json_integer_value(json_object_get(
	    json_object_get(st, "counters"), name));

	json_decref(st);
	return v;
}

/* ISAKMP SAs the engine holds. */
long long
sas(struct ikev1_engine *e)
{
	json_t		*st = ikev1_engine_status_json(e);
	long long	 v = json_integer_value(json_object_get(st, "sas"));

	json_decref(st);
	return v;
}

/* Let the loop deliver what is pending (auth answers). */
void
pump(void)
{
	for (int k = 0; k < 20 && q_n == 0; k++)
		rg_loop_once(loop, 5);
}

/*
 * Client messages in, the responder's out into the client, until nobody
 * has anything to say (bounded).
 */
void
drive(struct ikev1_engine *e, struct ikev1_ini *ini,
    struct ikev1_ini_out *first)
{
	struct ikev1_ini_out	 out = *first, next;

	for (int round = 0; round < 20; round++) {
		size_t	 n;

		q_clear();
		for (size_t k = 0; k < out.n; k++)
			input(e, out.pkt[k], out.len[k]);
		pump();
		if (q_n == 0)
			return;
		memset(&out, 0, sizeof(out));
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
		if (out.n == 0)
			return;
	}
}

const struct ikev1_ini_conf base = {
	.psk = "test-psk", .user = "alice", .pass = "alice-pass",
	.encr = 7, .keylen = 256, .hash = 4, .group = 14,
	.auth = IKEV1_AUTH_XAUTH_INIT_PSK, .natt = true, .unity = true,
	.dpd = true, .cfg_pull = true, .quick = true,
};

struct ikev1_ini *
connect_with(struct ikev1_engine *e, const struct ikev1_ini_conf *c)
{
	struct ikev1_ini	*ini = ikev1_ini_new(c);
	struct ikev1_ini_out	 o = { .n = 0 };

	ikev1_ini_start(ini, &o);
	drive(e, ini, &o);
	return ini;
}

json_t *
first_session(void)
{
	json_t	*l = sess_list_json(reg);
	json_t	*s = json_incref(json_array_get(l, 0));

	json_decref(l);
	return s;
}

/* A fixture for the last place: the registry and the loop go. */
void
ikev1_test_done(void)
{
	sess_reg_free(reg);
	reg = NULL;
	rg_loop_free(loop);
	loop = NULL;
	q_clear();
}
