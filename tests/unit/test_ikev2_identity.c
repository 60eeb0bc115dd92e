/*
 * test_ikev2_identity: who a peer is, in memory against the real engine
 * (the fixture of test_ikev2_exchange).  Defects of the IKEv2 security
 * review (issue 12), each case failing without its fix:
 *   2  the %any PSK must not make the IDi a user: a peer that knows the
 *      group secret and sends IDi "ceo" gets no part of the user ceo
 *      (profile, static address, sticky lease), and a user's own PSK
 *      does not let a disabled user in
 *   4  INITIAL_CONTACT replaces the SAs of the same authenticated
 *      identity (for %any peers: the same address too), not of the same
 *      IDi text
 *   7  CHILD_SAs per IKE SA and sessions per user are bounded; a CHILD_SA
 *      the peer rekeyed but never deleted is removed by us
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2.h"
#include "ikev2_int.h"
#include "ikev2_fixture.h"
#include "ikev2_initiator.h"
#include "ikev2_msg.h"
#include "rg_loop.h"
#include "rg_test.h"

/* A user of c (enabled or not), with a profile of its own. */
static void
add_user(struct rg_config *c, const char *name, bool enabled,
    const char *profile)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->password = strdup("unused-password");
	u->enabled = enabled;
	u->profile = profile ? strdup(profile) : NULL;
}

static void
add_profile(struct rg_config *c, const char *name)
{
	c->profiles = realloc(c->profiles,
	    (c->nprofiles + 1) * sizeof(*c->profiles));
	memset(&c->profiles[c->nprofiles], 0, sizeof(c->profiles[0]));
	c->profiles[c->nprofiles++].name = strdup(name);
}

static void
add_psk(struct rg_config *c, const char *id)
{
	c->psks = realloc(c->psks, (c->npsks + 1) * sizeof(*c->psks));
	c->psks[c->npsks].id = strdup(id);
	c->psks[c->npsks].secret = (uint8_t *)strdup("test-psk-secret");
	c->psks[c->npsks].secret_len = 15;
	c->npsks++;
}

/* Field f of the session whose user is user ("" when none). */
static const char *
session_field(struct ikev2_engine *e, const char *user, const char *f,
    char *buf, size_t len)
{
	json_t		*st = ikev2_engine_status_json(e), *s;
	size_t		 k;
	const char	*v;

	buf[0] = '\0';
	json_array_foreach(json_object_get(st, "sessions"), k, s) {
		v = json_string_value(json_object_get(s, "user"));
		if (v == NULL || strcmp(v, user) != 0)
			continue;
		v = json_string_value(json_object_get(s, f));
		snprintf(buf, len, "%s", v ? v : "");
	}
	json_decref(st);
	return buf;
}

static size_t
sessions(struct ikev2_engine *e)
{
	json_t	*st = ikev2_engine_status_json(e);
	size_t	 n = json_array_size(json_object_get(st, "sessions"));

	json_decref(st);
	return n;
}

/* A connection as id from address ip (the fixture's client otherwise). */
static struct ikev2_ini *
connect_as(struct ikev2_engine *e, const char *id, const char *ip, bool ic)
{
	struct ikev2_ini_conf	 c = fx_gcm;
	struct in_addr		 keep = fx_cli.sin_addr;
	struct ikev2_ini	*i;

	c.id = id;
	c.initial_contact = ic;
	inet_pton(AF_INET, ip, &fx_cli.sin_addr);
	i = fx_connect(e, &c);
	fx_cli.sin_addr = keep;
	rg_loop_once(fx_loop, 0);	/* replaced SAs are freed from the loop */
	return i;
}

/* Defect 2: with only the %any key, IDi "ceo" is not the user ceo. */
static void
group_psk_is_not_a_user(void)
{
	struct rg_config	*c = fx_config("modern");
	struct ikev2_engine	*e;
	struct ikev2_ini	*i;
	char			 b[64];

	add_profile(c, "exec");
	add_user(c, "ceo", false, "exec");
	e = fx_engine(c);
	/* HDR, SK {IDi("ceo"), AUTH(%any key), ...} --> <-- established */
	i = connect_as(e, "ceo", "192.0.2.2", false);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	/* The session is the key's, named after the IDi, on the default
	 * profile: not ceo's (disabled, profile exec). */
	CHECK_EQ(sessions(e), 1);
	CHECK_STR(session_field(e, "%any:ceo", "profile", b, sizeof(b)),
	    "default");
	CHECK_STR(session_field(e, "ceo", "profile", b, sizeof(b)), "");
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 2: a user's own key makes the peer that user, and the user
 * record decides: profile from the user, a disabled user refused. */
static void
own_psk_is_the_user(void)
{
	struct rg_config	*c = fx_config("modern");
	struct ikev2_engine	*e;
	struct ikev2_ini	*i;
	char			 b[64];

	add_profile(c, "exec");
	add_user(c, "bob", true, "exec");
	add_user(c, "carol", false, "exec");
	add_psk(c, "bob");
	add_psk(c, "carol");
	e = fx_engine(c);
	i = connect_as(e, "bob", "192.0.2.2", false);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK_STR(session_field(e, "bob", "profile", b, sizeof(b)), "exec");
	ikev2_ini_free(i);
	/* <-- HDR, SK {N(AUTHENTICATION_FAILED)} */
	i = connect_as(e, "carol", "192.0.2.3", false);
	CHECK(ikev2_ini_state(i) != INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_AUTHENTICATION_FAILED);
	CHECK_EQ(sessions(e), 1);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 4: two homes behind 192.168.1.x send the same IDi through the
 * %any key; INITIAL_CONTACT of one must not end the other.  From the
 * same address it replaces the older SA. */
static void
initial_contact_group_psk(void)
{
	struct ikev2_engine	*e = fx_engine(fx_config("modern"));
	struct ikev2_ini	*a, *b, *c;

	a = connect_as(e, "192.168.1.10", "192.0.2.2", false);
	b = connect_as(e, "192.168.1.10", "192.0.2.3", true);
	CHECK_EQ(ikev2_ini_state(a), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_state(b), INI_ESTABLISHED);
	CHECK_EQ(sessions(e), 2);
	CHECK_EQ(ikev2_engine_sa_count(e), 2);
	/* The same home again (a restarted client): its old SA goes. */
	c = connect_as(e, "192.168.1.10", "192.0.2.2", true);
	CHECK_EQ(ikev2_ini_state(c), INI_ESTABLISHED);
	CHECK_EQ(sessions(e), 2);
	CHECK_EQ(ikev2_engine_sa_count(e), 2);
	ikev2_ini_free(a);
	ikev2_ini_free(b);
	ikev2_ini_free(c);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 4: a user's INITIAL_CONTACT replaces that user's SA wherever it
 * came from, and never another user's SA with the same IDi text. */
static void
initial_contact_by_user(void)
{
	struct rg_config	*c = fx_config("modern");
	struct ikev2_engine	*e;
	struct ikev2_ini	*a, *b, *x;

	add_user(c, "bob", true, NULL);
	add_psk(c, "bob");
	e = fx_engine(c);
	a = connect_as(e, "bob", "192.0.2.2", false);
	/* Another user's INITIAL_CONTACT leaves bob alone. */
	x = connect_as(e, "alice@example.com", "192.0.2.4", true);
	CHECK_EQ(sessions(e), 2);
	b = connect_as(e, "bob", "192.0.2.3", true);
	CHECK_EQ(ikev2_ini_state(b), INI_ESTABLISHED);
	CHECK_EQ(sessions(e), 2);	/* bob's first SA replaced */
	CHECK_EQ(ikev2_engine_sa_count(e), 2);
	ikev2_ini_free(a);
	ikev2_ini_free(b);
	ikev2_ini_free(x);
	ikev2_engine_free(e);
	fx_q_clear();
}

static unsigned int
children(struct ikev2_engine *e)
{
	unsigned int	 n = 0;

	for (struct ikev2_child *c = e->all->children; c; c = c->next)
		n++;
	return n;
}

/* Defect 7: one IKE SA cannot pile up CHILD_SAs; rekeys still work at
 * the limit. */
static void
child_sa_limit(void)
{
	struct rg_config	*c = fx_config("modern");
	struct ikev2_engine	*e;
	struct ikev2_ini	*i;
	uint8_t			 a[4096], b[4096];
	long			 n;

	c->settings.max_child_sas = 2;
	e = fx_engine(c);
	i = fx_connect(e, &fx_gcm);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	/* HDR, SK {SA, Ni, TSi, TSr} --> <-- HDR, SK {SA, Nr, TSi, TSr} */
	n = ikev2_ini_new_child(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) >= 0);
	CHECK_EQ(children(e), 2);
	CHECK_EQ(fx_counter(e, "child_limit"), 0);
	/* The third: <-- HDR, SK {N(NO_ADDITIONAL_SAS)} */
	n = ikev2_ini_new_child(i, a, sizeof(a));
	fx_rt(e, i, a, n, b, sizeof(b));
	CHECK_EQ(children(e), 2);
	CHECK_EQ(fx_counter(e, "child_limit"), 1);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_NO_ADDITIONAL_SAS);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 7: a CHILD_SA the peer rekeyed and never deleted is deleted by
 * us after the grace: HDR, SK {D(ESP, old SPI)} -->, gone from dp. */
static void
superseded_child_deleted(void)
{
	struct ikev2_engine	*e = fx_engine(fx_config("modern"));
	struct ikev2_ini	*i = fx_connect(e, &fx_gcm);
	struct ikev2_child	*old;
	uint32_t		 old_spi, del[4];
	uint8_t			 a[4096], b[4096];
	long			 n;

	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	old_spi = e->all->children->spi_in;
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) >= 0);
	CHECK_EQ(children(e), 2);
	/* No DELETE from the peer; the grace runs out. */
	for (old = e->all->children; old && old->spi_in != old_spi;
	    old = old->next)
		;
	CHECK(old != NULL && old->superseded_ms != 0);
	if (old == NULL)
		goto out;
	fx_q_clear();
	ikev2_child_lifetime_cb(&e->all->t_child);
	CHECK_EQ(fx_q.n, 0);		/* still within the grace */
	old->superseded_ms -= IKEV2_SUPERSEDED_GRACE_MS + 1000;
	ikev2_child_lifetime_cb(&e->all->t_child);
	CHECK_EQ(fx_q.n, 1);
	CHECK_EQ(children(e), 1);
	CHECK(e->all->children->spi_in != old_spi);
	CHECK_EQ(fx_counter(e, "child_superseded"), 1);
	/* The peer sees DELETE for the old inbound SPI of ours. */
	n = ikev2_ini_answer(i, fx_q.pkt[0], fx_q.len[0], a, sizeof(a));
	CHECK(n > 0);
	CHECK_EQ(ikev2_ini_peer_deleted(i, del, 4), 1);
	CHECK_EQ(del[0], old_spi);
out:
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 7: a user cannot drain the pool with many IKE SAs; a client's
 * INITIAL_CONTACT clears its old SAs before the limit is counted. */
static void
sessions_per_user_limit(void)
{
	struct rg_config	*c = fx_config("modern");
	struct ikev2_engine	*e;
	struct ikev2_ini	*i[4];

	c->settings.max_sessions_per_user = 2;
	add_user(c, "bob", true, NULL);
	add_psk(c, "bob");
	e = fx_engine(c);
	i[0] = connect_as(e, "bob", "192.0.2.2", false);
	i[1] = connect_as(e, "bob", "192.0.2.3", false);
	CHECK_EQ(sessions(e), 2);
	/* <-- HDR, SK {N(AUTHENTICATION_FAILED)} */
	i[2] = connect_as(e, "bob", "192.0.2.4", false);
	CHECK_EQ(ikev2_ini_error(i[2]), IKEV2_N_AUTHENTICATION_FAILED);
	CHECK_EQ(fx_counter(e, "session_limit"), 1);
	CHECK_EQ(sessions(e), 2);
	/* A restarted client with INITIAL_CONTACT gets in. */
	i[3] = connect_as(e, "bob", "192.0.2.5", true);
	CHECK_EQ(ikev2_ini_state(i[3]), INI_ESTABLISHED);
	CHECK_EQ(sessions(e), 1);
	for (size_t k = 0; k < 4; k++)
		ikev2_ini_free(i[k]);
	ikev2_engine_free(e);
	fx_q_clear();
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_identity", T(group_psk_is_not_a_user),
    T(own_psk_is_the_user), T(initial_contact_group_psk),
    T(initial_contact_by_user), T(child_sa_limit),
    T(superseded_child_deleted), T(sessions_per_user_limit))
