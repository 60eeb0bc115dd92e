/*
 * test_ikev1_transport.c: the IKEv1 responder for L2TP/IPsec: PSK alone,
 * quick mode in transport mode, behind a NAT (RFC 3947 and the draft
 * without NAT-OA IDs), without one, refused where the policy has no
 * l2tp_transport, and phase-1 re-login of such a client.
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

/* Windows' L2TP/IPsec: PSK alone, then quick mode in transport mode. */
static const struct ikev1_ini_conf l2tp_conf = {
	.psk = "test-psk", .encr = 7, .keylen = 256, .hash = 4, .group = 14,
	.auth = IKEV1_AUTH_PSK, .natt = true, .dpd = true, .l2tp = true,
	.initial_contact = true,
};

/* A policy template "l2tp" with l2tp_transport, the default one. */
static struct rg_config *
config_l2tp(void)
{
	struct rg_config	*c = config();

	c->policies = calloc(1, sizeof(*c->policies));
	c->policies[0].name = strdup("l2tp");
	c->policies[0].l2tp_transport = true;
	c->npolicies = 1;
	c->settings.default_policy = strdup("l2tp");
	return c;
}

/* The session whose peer is at port. */
static json_t *
session_at(uint16_t port)
{
	json_t		*l = sess_list_json(reg), *s, *found = NULL;
	size_t		 k;
	char		 want[32];

	snprintf(want, sizeof(want), ":%u", port);
	json_array_foreach(l, k, s) {
		const char *p = json_string_value(json_object_get(s, "peer"));

		if (p != NULL && strstr(p, want) != NULL)
			found = json_incref(s);
	}
	json_decref(l);
	return found;
}

/*
 * PRODUCT.md fact 4: two L2TP/IPsec clients behind one NAT (one public
 * address, two source ports, the same private address and ID inside,
 * both with INITIAL-CONTACT) each get their own transport-mode SAs in
 * UDP, and the second does not knock the first off.
 */
static void
test_l2tp_two_behind_one_nat(void)
{
	struct ikev1_engine	*e = engine(config_l2tp());
	struct ikev1_ini	*a, *b;
	json_t			*sa, *sb;

	cli.sin_port = htons(40001);
	a = connect_with(e, &l2tp_conf);
	cli.sin_port = htons(40002);
	b = connect_with(e, &l2tp_conf);
	CHECK_EQ(ikev1_ini_state(a), INI_UP);
	CHECK_EQ(ikev1_ini_state(b), INI_UP);
	CHECK_EQ(ikev1_ini_seen(a)->natoa, 2);
	CHECK_EQ(ikev1_ini_seen(a)->natoa_type, IKEV1_PL_NATOA);
	CHECK(ikev1_ini_seen(a)->esp_spi != ikev1_ini_seen(b)->esp_spi);
	CHECK_EQ(counter(e, "children"), 2);
	sa = session_at(40001);
	sb = session_at(40002);
	CHECK(sa != NULL && sb != NULL);
	if (sa != NULL && sb != NULL) {
		CHECK(strstr(json_string_value(json_object_get(sa, "esp")),
		    "(UDP, transport)") != NULL);
		CHECK(strstr(json_string_value(json_object_get(sb, "esp")),
		    "(UDP, transport)") != NULL);
		CHECK_STR(json_string_value(json_object_get(sa, "user")),
		    "%any:192.0.2.2");
		CHECK_STR(json_string_value(json_object_get(sb, "user")),
		    "%any:192.0.2.2");
	}
	json_decref(sa);
	json_decref(sb);
	ikev1_ini_free(a);
	ikev1_ini_free(b);
	ikev1_engine_free(e);
	cli.sin_port = htons(500);
	q_clear();
}

/* The same for L2TP/IPsec (PSK alone); a client at another port of the
 * same address is someone else and gets its own session. */
static void
test_relogin_l2tp(void)
{
	struct ikev1_engine	*e = engine(config_l2tp());
	struct ikev1_ini_conf	 c = l2tp_conf;
	struct ikev1_ini	*a, *b, *other;
	json_t			*l;

	c.initial_contact = false;
	cli.sin_port = htons(40001);
	a = connect_with(e, &c);
	b = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(b), INI_UP);
	l = sess_list_json(reg);
	CHECK_EQ(json_array_size(l), 1);
	json_decref(l);
	cli.sin_port = htons(40002);
	other = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(other), INI_UP);
	l = sess_list_json(reg);
	CHECK_EQ(json_array_size(l), 2);
	json_decref(l);
	ikev1_ini_free(a);
	ikev1_ini_free(b);
	ikev1_ini_free(other);
	ikev1_engine_free(e);
	cli.sin_port = htons(500);
	q_clear();
}

/* Apple's draft NAT-T: NAT-OA comes back as the draft's payload 131;
 * a client without IDs gets the phase-1 addresses, UDP/1701. */
static void
test_l2tp_draft_natt_no_ids(void)
{
	struct ikev1_engine	*e = engine(config_l2tp());
	struct ikev1_ini_conf	 c = l2tp_conf;
	struct ikev1_ini	*ini;

	c.natt_draft = true;
	c.no_ids = true;
	cli.sin_port = htons(40003);
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->natoa, 2);
	CHECK_EQ(ikev1_ini_seen(ini)->natoa_type, IKEV1_PL_NATOA_DRAFT);
	CHECK_EQ(counter(e, "children"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	cli.sin_port = htons(500);
	q_clear();
}

/* Transport mode without NAT: plain ESP, no NAT-OA. */
static void
test_l2tp_no_nat(void)
{
	struct ikev1_engine	*e = engine(config_l2tp());
	struct ikev1_ini_conf	 c = l2tp_conf;
	struct ikev1_ini	*ini;
	json_t			*s;

	c.natt = false;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->natoa, 0);
	s = first_session();
	CHECK(strstr(json_string_value(json_object_get(s, "esp")),
	    " (transport)") != NULL);
	json_decref(s);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* Without l2tp_transport in the user's policy, transport mode is no
 * proposal: no ESP SA. */
static void
test_l2tp_not_allowed(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini	*ini;

	ini = connect_with(e, &l2tp_conf);
	CHECK_EQ(ikev1_ini_state(ini), INI_QM_SENT);
	CHECK_EQ(counter(e, "no_proposal"), 1);
	CHECK_EQ(counter(e, "children"), 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

RG_TEST_MAIN("ikev1_transport",
	T(test_l2tp_two_behind_one_nat),
	T(test_l2tp_draft_natt_no_ids),
	T(test_l2tp_no_nat),
	T(test_l2tp_not_allowed),
	T(test_relogin_l2tp),
	FIXTURE(ikev1_test_done))
