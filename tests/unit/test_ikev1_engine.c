/*
 * test_ikev1_engine.c: the IKEv1 responder in memory against the test
 * initiator (tests/tools/ikev1_initiator.c): main mode with a PSK, XAuth
 * through the auth service (answers arrive later on the loop), mode-config
 * with Unity split-include, quick mode in tunnel mode; retransmissions,
 * refusals (proposals, PSK, password, IKEv1 off, aggressive mode),
 * malformed input, DPD, DELETE both ways and the session registry's kick.
 * Transport mode and L2TP: test_ikev1_transport.c; certificates, hybrid
 * and fragmentation: test_ikev1_cert.c.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "auth_test_backend.h"
#include "cred_pki.h"
#include "ikev1.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "ikev1_test_lib.h"
#include "pool/pool.h"
#include "rg_loop.h"
#include "rg_test.h"
#include "sess.h"
#include "store.h"

static void
test_xauth_psk_up(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = connect_with(e, &base);
	const struct ikev1_ini_seen *s = ikev1_ini_seen(ini);
	json_t			*sess;

	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(s->xauth_requests, 1);
	CHECK_EQ(s->xauth_status, 1);
	CHECK(s->has_vip);
	CHECK_EQ(s->vip[0], 10);
	CHECK_EQ(s->ndns, 1);
	/* Unity VID sent: the profile's split network as split-include. */
	CHECK_EQ(s->nsplit, 1);
	CHECK_EQ(s->split[0], 198);
	CHECK(s->esp_spi >= 256);
	CHECK_EQ(counter(e, "established"), 1);
	CHECK_EQ(counter(e, "children"), 1);
	CHECK_EQ(sess_count(reg), 1);
	sess = first_session();
	/* The session's user is the XAuth user, not the PSK identity. */
	CHECK_STR(json_string_value(json_object_get(sess, "user")), "alice");
	CHECK_STR(json_string_value(json_object_get(sess, "method")),
	    "ikev1-xauth-psk");
	json_decref(sess);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	CHECK_EQ(sess_count(reg), 0);
	q_clear();
}

static void
test_pfs_quick_mode(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.pfs = true;
	c.group = 2;		/* MODP1024: the compatible preset has it */
	c.encr = 5;		/* 3DES */
	c.keylen = 0;
	c.hash = 2;		/* SHA1 */
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(counter(e, "children"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* PSK alone with the %any key: the session runs as "%any:<ID>", never
 * as a user the client names (docs/SECURITY.md). */
static void
test_psk_alone_any(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	json_t			*s;

	c.auth = IKEV1_AUTH_PSK;
	c.user = NULL;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_requests, 0);
	s = first_session();
	CHECK_STR(json_string_value(json_object_get(s, "user")),
	    "%any:192.0.2.2");
	CHECK_STR(json_string_value(json_object_get(s, "method")),
	    "ikev1-psk");
	json_decref(s);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/*
 * Phase-1 re-login (Windows, Apple): a fresh main mode of the same user
 * from the same address and port, without INITIAL-CONTACT, carries the
 * session (its id) and the lease (the address) over: still one session.
 */
static void
test_relogin_keeps_session(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*a, *b;
	json_t			*l;
	json_int_t		 id;

	a = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(a), INI_UP);
	l = sess_list_json(reg);
	CHECK_EQ(json_array_size(l), 1);
	id = json_integer_value(json_object_get(json_array_get(l, 0),
	    "session_id"));
	json_decref(l);
	b = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(b), INI_UP);
	CHECK_MEM(ikev1_ini_seen(b)->vip, ikev1_ini_seen(a)->vip, 4);
	l = sess_list_json(reg);
	CHECK_EQ(json_array_size(l), 1);
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(l, 0),
	    "session_id")), id);
	json_decref(l);
	ikev1_ini_free(a);
	ikev1_ini_free(b);
	ikev1_engine_free(e);
	q_clear();
}

/* What iOS offers after DH14, AES-256/SHA1 with MODP1536 (group 5):
 * not in the presets (an Apple bug, PRODUCT.md fact 6), but a custom set
 * may allow it. */
static void
test_modp1536_custom_set(void)
{
	struct rg_config	*cf = config();
	struct ikev1_engine	*e;
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	struct rg_proposal_set	*ps;

	free(cf->settings.proposals);
	cf->settings.proposals = strdup("apple");
	ps = cf->proposal_sets = calloc(1, sizeof(*ps));
	cf->nproposal_sets = 1;
	ps->name = strdup("apple");
	ps->ike = calloc(1, sizeof(char *));
	ps->ike[0] = strdup("aes256-sha1-modp1536");
	ps->nike = 1;
	ps->esp = calloc(1, sizeof(char *));
	ps->esp[0] = strdup("aes256-sha256");
	ps->nesp = 1;
	e = engine(cf);

	c.group = 5;
	c.hash = 2;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_no_unity_no_split(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.unity = false;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->nsplit, 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* A client that does not ask gets its configuration pushed (SET/ACK). */
static void
test_modecfg_push(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	struct ikev1_ini_out	 o = { .n = 0 }, n;

	c.cfg_pull = false;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 1);
	CHECK_EQ(ikev1_ini_state(ini), INI_XAUTH_DONE);
	q_clear();
	for (int k = 0; k < 30 && q_n == 0; k++)
		rg_loop_once(loop, 100);
	CHECK_EQ(q_n, 1);
	for (size_t k = 0; k < q_n; k++) {
		n.n = 0;
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[k], q_len[k], &n), 0);
		for (size_t j = 0; j < n.n && o.n < INI_MAX_OUT; j++) {
			memcpy(o.pkt[o.n], n.pkt[j], n.len[j]);
			o.len[o.n++] = n.len[j];
		}
	}
	CHECK(ikev1_ini_seen(ini)->pushed);
	CHECK(ikev1_ini_seen(ini)->has_vip);
	drive(e, ini, &o);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(counter(e, "children"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* The client asks 3600 s for its ESP SA: with child_lifetime_s 1200 the
 * answer says 1200 (RESPONDER-LIFETIME); with the default, nothing. */
static void
test_responder_lifetime(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini	*ini;

	c->settings.child_lifetime_s = 1200;
	e = engine(c);
	ini = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->responder_life, 1200);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	e = engine(config());
	ini = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->responder_life, 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* An ESP SA the client does not rekey is deleted at our lifetime. */
static void
test_child_expires(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini	*ini;
	struct ikev1_ini_out	 n;

	c->settings.child_lifetime_s = 1;
	e = engine(c);
	ini = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	q_clear();
	for (int k = 0; k < 30 && q_n == 0; k++)
		rg_loop_once(loop, 100);
	CHECK_EQ(q_n, 1);
	if (q_n == 1)
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[0], q_len[0], &n), 0);
	CHECK_EQ(ikev1_ini_seen(ini)->deleted_esp, 1);
	CHECK_EQ(sess_count(reg), 1);	/* the ISAKMP SA stays */
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* A client that stops answering: R-U-THERE after dpd_interval_s, the
 * session ends after dpd_timeout_s (its lease with it). */
static void
test_dpd_dead(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini	*ini;
	struct ikev1_ini_out	 n;
	uint64_t		 t0;

	c->settings.dpd_interval_s = 1;
	c->settings.dpd_timeout_s = 2;
	e = engine(c);
	ini = connect_with(e, &base);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(sess_count(reg), 1);
	q_clear();
	t0 = rg_now_ms();
	while (sess_count(reg) != 0 && rg_now_ms() - t0 < 4000)
		rg_loop_once(loop, 50);
	CHECK(q_n >= 1);
	if (q_n >= 1)
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[0], q_len[0], &n), 0);
	CHECK(ikev1_ini_seen(ini)->nnotify >= 1 &&
	    ikev1_ini_seen(ini)->notify[0] == IKEV1_N_R_U_THERE);
	CHECK_EQ(sess_count(reg), 0);
	CHECK_EQ(counter(e, "dpd_dead"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_retransmit_answered(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = ikev1_ini_new(&base);
	struct ikev1_ini_out	 o = { .n = 0 }, o3 = { .n = 0 };
	uint8_t			 r1[2048], r3[2048];
	size_t			 l1, l3;

	ikev1_ini_start(ini, &o);
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(q_n, 1);
	l1 = q_len[0];
	memcpy(r1, q_pkt[0], l1);
	q_clear();
	input(e, o.pkt[0], o.len[0]);	/* message 1 again */
	CHECK_EQ(q_n, 1);
	CHECK(q_n == 1 && q_len[0] == l1 && memcmp(q_pkt[0], r1, l1) == 0);
	CHECK_EQ(counter(e, "retransmits_answered"), 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 1);
	CHECK_EQ(ikev1_ini_input(ini, r1, l1, &o3), 0);
	q_clear();
	input(e, o3.pkt[0], o3.len[0]);
	CHECK_EQ(q_n, 1);
	l3 = q_len[0];
	memcpy(r3, q_pkt[0], l3);
	q_clear();
	input(e, o3.pkt[0], o3.len[0]);	/* message 3 again: same 4 */
	CHECK(q_n == 1 && q_len[0] == l3 && memcmp(q_pkt[0], r3, l3) == 0);
	CHECK_EQ(counter(e, "retransmits_answered"), 2);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_wrong_password_three_tries(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.pass = "wrong";
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_requests, 3);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 0);
	CHECK(ikev1_ini_state(ini) != INI_UP);
	CHECK_EQ(counter(e, "xauth_fail"), 3);
	CHECK_EQ(counter(e, "established"), 0);
	CHECK_EQ(sess_count(reg), 0);
	/* After the client's ACK of the FAIL status: DELETE, SA gone. */
	CHECK(ikev1_ini_seen(ini)->deleted_isakmp);
	for (int k = 0; k < 5; k++)
		rg_loop_once(loop, 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* The password check answers later: the client's REPLY repeated
 * meanwhile is dropped (and counted), the answer then goes out once. */
static void
test_xauth_pending_drops_retransmit(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct auth_test_backend *tb;
	struct auth		*a;
	struct ikev1_ini	*ini = ikev1_ini_new(&base);
	struct ikev1_ini_out	 o = { .n = 0 }, n;
	uint8_t			 reply[4096];
	size_t			 rl = 0;

	if (loop == NULL)
		loop = rg_loop_new(0);
	tb = auth_test_backend_new(loop, c, 50);
	a = auth_new(loop, c, &auth_test_ops, tb);
	e = engine(c);
	ikev1_engine_set_auth(e, a);
	ikev1_ini_start(ini, &o);
	/* Up to the XAuth REQUEST: 1, 3, 5 in; 2, 4, 6 and REQUEST out. */
	for (int step = 0; step < 3; step++) {
		q_clear();
		input(e, o.pkt[0], o.len[0]);
		o.n = 0;
		for (size_t k = 0; k < q_n; k++) {
			n.n = 0;
			ikev1_ini_input(ini, q_pkt[k], q_len[k], &n);
			if (n.n > 0)
				o = n;
		}
	}
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_requests, 1);
	CHECK_EQ(o.n, 1);
	if (o.n == 1) {
		rl = o.len[0];
		memcpy(reply, o.pkt[0], rl);
	}
	q_clear();
	input(e, reply, rl);
	CHECK_EQ(q_n, 0);
	input(e, reply, rl);		/* repeated while the check runs */
	CHECK_EQ(q_n, 0);
	CHECK_EQ(counter(e, "retransmits_busy"), 1);
	CHECK_EQ(tb->checks, 1);
	for (int k = 0; k < 40 && q_n == 0; k++)
		rg_loop_once(loop, 10);
	CHECK_EQ(q_n, 1);		/* STATUS SET, once */
	n.n = 0;
	if (q_n == 1)
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[0], q_len[0], &n), 0);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	auth_free(a);
	q_clear();
}

static void
test_wrong_psk(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.psk = "other-psk";
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_MM5);
	CHECK_EQ(counter(e, "auth_fail"), 1);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_requests, 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_no_proposal(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini = NULL;
	struct ikev1_ini_out	 o = { .n = 0 };
	struct ikev1_msg	 m;
	const char		*why;

	c.encr = 1;		/* DES */
	c.keylen = 0;
	ini = ikev1_ini_new(&c);
	ikev1_ini_start(ini, &o);
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(counter(e, "no_proposal"), 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	/* The answer is a notification, no SA. */
	CHECK_EQ(q_n, 1);
	if (q_n == 1 && ikev1_msg_decode(q_pkt[0], q_len[0], &m, &why) == 0) {
		CHECK_EQ(m.hdr.exch, IKEV1_EXCH_INFORMATIONAL);
		CHECK(ikev1_msg_find(&m, IKEV1_PL_N) != NULL);
		CHECK(ikev1_msg_find(&m, IKEV1_PL_SA) == NULL);
	}
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_off_and_aggressive_refused(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini	*ini = ikev1_ini_new(&base);
	struct ikev1_ini_out	 o = { .n = 0 };

	c->settings.ikev1 = strdup("off");
	e = engine(c);
	ikev1_ini_start(ini, &o);
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(q_n, 0);
	CHECK_EQ(counter(e, "refused_off"), 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	ikev1_engine_free(e);

	e = engine(config());
	o.pkt[0][18] = IKEV1_EXCH_AGGRESSIVE;
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(q_n, 0);		/* no HASH_R, nothing */
	CHECK_EQ(counter(e, "aggressive_refused"), 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* Aggressive mode (setting ikev1_aggressive psk): the group PSK is the
 * one configured for the ID_KEY_ID group name. */
static void
test_aggressive_group_psk(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini_conf	 ic = base;
	struct ikev1_ini	*ini;

	c->settings.ikev1_aggressive = strdup("psk");
	c->psks = realloc(c->psks, 2 * sizeof(*c->psks));
	c->psks[1].id = strdup("roadies");
	c->psks[1].secret = (uint8_t *)strdup("group-secret");
	c->psks[1].secret_len = 12;
	c->npsks = 2;
	e = engine(c);
	ic.group_id = "roadies";
	ic.psk = "group-secret";
	ini = connect_with(e, &ic);
	CHECK(ikev1_ini_seen(ini)->hash_r_ok);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 1);
	CHECK_EQ(counter(e, "established"), 1);
	ikev1_ini_free(ini);
	/* The %any PSK is not the group's: HASH_R does not verify at the
	 * client, and nothing is established. */
	ic.psk = "test-psk";
	ini = connect_with(e, &ic);
	CHECK(!ikev1_ini_seen(ini)->hash_r_ok);
	CHECK_EQ(counter(e, "established"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* A second login of alice with INITIAL-CONTACT ends her first SA. */
static void
test_initial_contact(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*a, *b;

	a = connect_with(e, &base);
	CHECK_EQ(sess_count(reg), 1);
	/* No INITIAL-CONTACT: both ISAKMP SAs stay; from the same address
	 * and port this is a re-login that carries the session over
	 * (test_relogin_keeps_session). */
	b = connect_with(e, &base);
	CHECK_EQ(sas(e), 2);
	CHECK_EQ(sess_count(reg), 1);
	ikev1_ini_free(b);
	c.initial_contact = true;
	b = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(b), INI_UP);
	CHECK_EQ(sas(e), 1);
	CHECK_EQ(sess_count(reg), 1);
	ikev1_ini_free(a);
	ikev1_ini_free(b);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_halfopen_per_ip(void)
{
	struct rg_config	*c = config();
	struct ikev1_engine	*e;
	struct ikev1_ini_out	 o = { .n = 0 };

	c->settings.halfopen_per_ip = 2;
	e = engine(c);
	for (int k = 0; k < 3; k++) {
		struct ikev1_ini *ini = ikev1_ini_new(&base);

		o.n = 0;
		ikev1_ini_start(ini, &o);
		input(e, o.pkt[0], o.len[0]);
		ikev1_ini_free(ini);
	}
	CHECK_EQ(ikev1_engine_sa_count(e), 2);
	CHECK_EQ(q_n, 2);
	CHECK_EQ(counter(e, "halfopen_drop"), 1);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_malformed_counted(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = ikev1_ini_new(&base);
	struct ikev1_ini_out	 o = { .n = 0 };
	uint8_t			 junk[64];

	memset(junk, 0xa5, sizeof(junk));
	junk[17] = IKEV1_VERSION;
	input(e, junk, sizeof(junk));	/* length field wrong */
	input(e, junk, 10);		/* runt */
	ikev1_ini_start(ini, &o);
	input(e, o.pkt[0], o.len[0] - 3);	/* truncated */
	CHECK_EQ(counter(e, "malformed"), 3);
	CHECK_EQ(q_n, 0);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	/* Unknown cookies: dropped, counted. */
	memset(o.pkt[0] + 8, 0x11, 8);
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(counter(e, "bad_cookie"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

static void
test_dpd_and_delete(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = connect_with(e, &base);
	struct ikev1_ini_out	 o = { .n = 0 }, n;
	uint8_t			 seq[4] = { 0, 0, 0, 7 };

	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	ikev1_ini_info(ini, IKEV1_N_R_U_THERE, seq, 4, &o);
	q_clear();
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(q_n, 1);
	if (q_n == 1)
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[0], q_len[0], &n), 0);
	CHECK_EQ(ikev1_ini_seen(ini)->nnotify, 1);
	CHECK_EQ(ikev1_ini_seen(ini)->notify[0], IKEV1_N_R_U_THERE_ACK);
	CHECK_EQ(counter(e, "dpd_answered"), 1);
	/* The client deletes the ISAKMP SA: the session ends. */
	ikev1_ini_info(ini, 0, NULL, 0, &o);
	q_clear();
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(sess_count(reg), 0);
	for (int k = 0; k < 5; k++)
		rg_loop_once(loop, 1);
	CHECK_EQ(ikev1_engine_sa_count(e), 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* A message whose HASH does not verify changes nothing: a DELETE of the
 * ISAKMP SA with a zero HASH leaves the session up. */
static void
test_bad_hash_dropped(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = connect_with(e, &base);
	struct ikev1_ini_out	 o = { .n = 0 };
	struct ikev1_msg	 m;
	const char		*why;
	uint8_t			 body[256];
	size_t			 n;

	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	/* HASH (zero), D(ISAKMP, our cookie pair); the cookies from a
	 * message of the client. */
	ikev1_ini_info(ini, 0, NULL, 0, &o);
	memset(body, 0, sizeof(body));
	body[0] = IKEV1_PL_D;
	body[3] = (uint8_t)(4 + 32);		/* HASH, SHA-256 */
	n = 36;
	body[n + 3] = 12 + 16;			/* D: ISAKMP, 16, 1 */
	body[n + 7] = 1;
	body[n + 8] = IKEV1_PROTO_ISAKMP;
	body[n + 9] = 16;
	body[n + 11] = 1;
	if (ikev1_msg_decode(o.pkt[0], o.len[0], &m, &why) == 0) {
		memcpy(body + n + 12, m.hdr.ck_i, 8);
		memcpy(body + n + 20, m.hdr.ck_r, 8);
	}
	n += 28;
	ikev1_ini_seal_raw(ini, IKEV1_EXCH_INFORMATIONAL, 0x42424242,
	    IKEV1_PL_HASH, body, n, false, &o);
	q_clear();
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(counter(e, "bad_hash"), 1);
	CHECK_EQ(sess_count(reg), 1);
	/* The same body with its HASH made valid does end it. */
	ikev1_ini_seal_raw(ini, IKEV1_EXCH_INFORMATIONAL, 0x42424243,
	    IKEV1_PL_HASH, body, n, true, &o);
	input(e, o.pkt[0], o.len[0]);
	CHECK_EQ(sess_count(reg), 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* The settings as stored: ikev1 on|off (default on), ikev1_aggressive
 * off|psk (default off), in the snapshot the engine reads. */
static void
test_settings_in_store(void)
{
	char			 dir[] = "/tmp/rg-test-ikev1.XXXXXX";
	char			 err[256], cmd[300];
	struct store		*st;
	struct store_err	 e;
	struct rg_config	*c;
	json_t			*o;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		printf("  store_open: %s\n", err);
		CHECK(st != NULL);
		return;
	}
	if ((c = store_config_load(st, err, sizeof(err))) != NULL) {
		CHECK_STR(c->settings.ikev1, "on");
		CHECK_STR(c->settings.ikev1_aggressive, "off");
		rg_config_unref(c);
	}
	o = json_pack("{s:s}", "ikev1", "maybe");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	CHECK_STR(e.field, "ikev1");
	json_decref(o);
	o = json_pack("{s:s}", "ikev1_aggressive", "cert");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	CHECK_STR(e.field, "ikev1_aggressive");
	json_decref(o);
	o = json_pack("{s:s,s:s}", "ikev1", "off", "ikev1_aggressive", "psk");
	CHECK_EQ(store_settings_set(st, o, &e), 0);
	json_decref(o);
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->settings.ikev1, "off");
		CHECK_STR(c->settings.ikev1_aggressive, "psk");
		rg_config_unref(c);
	}
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

static void
test_kick_sends_delete(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini = connect_with(e, &base);
	struct ikev1_ini_out	 n;
	json_t			*s = first_session();
	uint64_t		 id = (uint64_t)json_integer_value(
	    json_object_get(s, "session_id"));

	json_decref(s);
	q_clear();
	CHECK_EQ(sess_kick(reg, id, "test"), 0);
	CHECK_EQ(sess_count(reg), 0);
	CHECK_EQ(q_n, 2);		/* DELETE(ESP), DELETE(ISAKMP) */
	for (size_t k = 0; k < q_n; k++)
		CHECK_EQ(ikev1_ini_input(ini, q_pkt[k], q_len[k], &n), 0);
	CHECK_EQ(ikev1_ini_seen(ini)->deleted_esp, 1);
	CHECK(ikev1_ini_seen(ini)->deleted_isakmp);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	/* The last case: the registry and the loop go too. */
	sess_reg_free(reg);
	reg = NULL;
	rg_loop_free(loop);
	loop = NULL;
	q_clear();
}

RG_TEST_MAIN("ikev1_engine",
	T(test_xauth_psk_up),
	T(test_pfs_quick_mode),
	T(test_psk_alone_any),
	T(test_modp1536_custom_set),
	T(test_no_unity_no_split),
	T(test_modecfg_push),
	T(test_responder_lifetime),
	T(test_relogin_keeps_session),
	T(test_child_expires),
	T(test_dpd_dead),
	T(test_retransmit_answered),
	T(test_wrong_password_three_tries),
	T(test_xauth_pending_drops_retransmit),
	T(test_wrong_psk),
	T(test_no_proposal),
	T(test_off_and_aggressive_refused),
	T(test_aggressive_group_psk),
	T(test_initial_contact),
	T(test_halfopen_per_ip),
	T(test_malformed_counted),
	T(test_dpd_and_delete),
	T(test_bad_hash_dropped),
	T(test_settings_in_store),
	T(test_kick_sends_delete))
