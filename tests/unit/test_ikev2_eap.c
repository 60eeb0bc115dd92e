/*
 * test_ikev2_eap.c: IKE_AUTH with EAP-MSCHAPv2 (RFC 7296 2.16) in memory,
 * the test initiator with the test EAP peer against the engine, whose
 * auth service answers later (auth_test_backend: a loop timer, as RADIUS
 * will).  The IKE_AUTH request carrying the MS-CHAPv2 Response is busy
 * while its answer is pending: retransmits are dropped and counted,
 * exactly one response goes out, from the completion, and later
 * retransmits are answered from the cache.  An SA that dies while
 * pending cancels the question.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "auth_test_backend.h"
#include "eap_peer.h"
#include "ikev2_fixture.h"
#include "rg_mschap.h"
#include "rg_test.h"

#define DELAY_MS	80

static struct test_pki	 pki;

static void
add_user(struct rg_config *c, const char *name, const char *pass)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->password = strdup(pass);
	u->enabled = true;
}

struct bed {
	struct ikev2_engine		*e;
	struct auth			*auth;
	struct auth_test_backend	*b;
	struct ikev2_ini		*i;
	struct eap_peer			*p;
};

/* Engine with a server certificate and user alice, EAP-MSCHAPv2, and the
 * delayed backend; an EAP initiator for alice with password pass. */
static void
bed_new(struct bed *t, const char *pass)
{
	struct rg_config	*c = fx_config("modern");

	add_user(c, "alice", "alice-pass");
	c->settings.eap_method = strdup("mschapv2");
	c->pki.ca_pem = test_pem_x509(pki.ca);
	c->pki.server_cert_pem = test_pem_x509(pki.srv);
	c->pki.server_key_pem = test_pem_key(pki.srv_key);
	if (fx_loop == NULL)
		fx_loop = rg_loop_new(0);
	t->b = auth_test_backend_new(fx_loop, c, DELAY_MS);
	t->auth = auth_new(fx_loop, c, &auth_test_ops, t->b);
	t->e = fx_engine(c);
	CHECK(t->e != NULL && t->auth != NULL);
	ikev2_engine_set_auth(t->e, t->auth);
	t->i = ikev2_ini_new(&fx_gcm);
	ikev2_ini_set_eap(t->i, true);
	t->p = eap_peer_mschapv2("alice", "alice", pass);
}

static void
bed_free(struct bed *t)
{
	eap_peer_free(t->p);
	ikev2_ini_free(t->i);
	ikev2_engine_free(t->e);
	auth_free(t->auth);
	fx_q_clear();
}

/* The EAP message the initiator holds through the peer: its response
 * in an IKE_AUTH request (into req); the peer's verdict. */
static enum eap_peer_rc
peer_step(struct bed *t, uint8_t *req, long *n, size_t cap)
{
	const uint8_t	*m;
	size_t		 ml;
	struct rg_buf	*rsp = NULL;
	enum eap_peer_rc rc;

	m = ikev2_ini_eap_msg(t->i, &ml);
	if (m == NULL)
		return PEER_ERROR;
	rc = eap_peer_process(t->p, m, ml, &rsp);
	if (rc == PEER_RESPONSE)
		*n = ikev2_ini_eap_send(t->i, rsp->data, rsp->len, req, cap);
	rg_buf_free(rsp);
	return rc;
}

/*
 * Up to the IKE_AUTH request that carries the MS-CHAPv2 Response:
 *   HDR, SAi1, KEi, Ni -->
 *                          <-- HDR, SAr1, KEr, Nr
 *   HDR, SK {IDi, CP, SAi2, TSi, TSr} -->
 *                          <-- HDR, SK {IDr, CERT, AUTH, EAP(Identity)}
 *   HDR, SK {EAP(Identity)} -->
 *                          <-- HDR, SK {EAP(MS-CHAPv2 Challenge)}
 * req: HDR, SK {EAP(MS-CHAPv2 Response)}, not yet sent.
 */
static long
to_mschapv2_response(struct bed *t, uint8_t *req, size_t cap)
{
	uint8_t		 a[4096];
	long		 n;

	n = ikev2_ini_start(t->i, a, sizeof(a));
	n = fx_rt(t->e, t->i, a, n, req, cap);	/* IKE_SA_INIT */
	CHECK(n > 0);
	CHECK_EQ(fx_rt(t->e, t->i, req, n, a, sizeof(a)), 0);
	CHECK_EQ(ikev2_ini_state(t->i), INI_EAP);
	CHECK(ikev2_ini_resp_auth(t->i) != 0);	/* signature checked */
	CHECK_EQ(peer_step(t, req, &n, cap), PEER_RESPONSE);	/* Identity */
	CHECK_EQ(fx_rt(t->e, t->i, req, n, a, sizeof(a)), 0);
	CHECK_EQ(ikev2_ini_state(t->i), INI_EAP);
	CHECK_EQ(peer_step(t, req, &n, cap), PEER_RESPONSE);	/* Response */
	CHECK(n > 0);
	return n;
}

/* Run the loop until the engine sent something (or ~2 s). */
static void
wait_sent(void)
{
	for (int k = 0; k < 200 && fx_q.n == 0; k++)
		rg_loop_once(fx_loop, 10);
}

static void
busy_while_pending(void)
{
	struct bed	 t;
	uint8_t		 req[4096], a[4096], first[4096];
	long		 n, m;
	size_t		 flen;
	const uint8_t	*msk;

	bed_new(&t, "alice-pass");
	n = to_mschapv2_response(&t, req, sizeof(req));
	/* The Response goes to the backend: nothing to send yet. */
	fx_q_clear();
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(fx_q.n, 0);
	CHECK_EQ(t.b->pending, 1);
	/* The client retransmits while it waits: dropped, counted. */
	fx_input(t.e, req, (size_t)n);
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(fx_q.n, 0);
	CHECK_EQ(fx_counter(t.e, "retransmits_busy"), 2);
	CHECK_EQ(t.b->checks, 1);	/* asked once */
	/* The answer arrives on the loop: exactly one response. */
	wait_sent();
	CHECK_EQ(fx_q.n, 1);
	for (int k = 0; k < 5; k++)
		rg_loop_once(fx_loop, 20);
	CHECK_EQ(fx_q.n, 1);
	CHECK_EQ(t.b->answers, 1);
	memcpy(first, fx_q.pkt[0], fx_q.len[0]);
	flen = fx_q.len[0];
	/* <-- HDR, SK {EAP(MS-CHAPv2 Success "S=...")} */
	CHECK_EQ(ikev2_ini_input(t.i, fx_q.pkt[0], fx_q.len[0], a, sizeof(a)),
	    0);
	CHECK_EQ(ikev2_ini_state(t.i), INI_EAP);
	/* A late retransmit: the cached response, byte for byte. */
	fx_q_clear();
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q.len[0] == flen && memcmp(fx_q.pkt[0], first, flen) == 0);
	CHECK_EQ(fx_counter(t.e, "retransmits_answered"), 1);
	CHECK_EQ(fx_counter(t.e, "retransmits_busy"), 2);
	/* HDR, SK {EAP(MS-CHAPv2 Success)} --> <-- HDR, SK {EAP-Success} */
	CHECK_EQ(peer_step(&t, req, &n, sizeof(req)), PEER_RESPONSE);
	CHECK(strncmp(eap_peer_note(t.p), "S=", 2) == 0);
	CHECK_EQ(fx_rt(t.e, t.i, req, n, a, sizeof(a)), 0);
	CHECK_EQ(peer_step(&t, req, &n, sizeof(req)), PEER_SUCCESS);
	/* HDR, SK {AUTH} --> <-- HDR, SK {AUTH, CP(REPLY), SAr2, TSi, TSr} */
	msk = eap_peer_msk(t.p);
	CHECK(msk != NULL);
	if (msk != NULL) {
		m = ikev2_ini_eap_auth(t.i, msk, 64, req, sizeof(req));
		CHECK(m > 0);
		CHECK_EQ(fx_rt(t.e, t.i, req, m, a, sizeof(a)), 0);
	}
	CHECK_EQ(ikev2_ini_state(t.i), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_vip(t.i)->af, AF_INET);
	CHECK_EQ(fx_counter(t.e, "established"), 1);
	CHECK_EQ(fx_counter(t.e, "auth_fail"), 0);
	CHECK_EQ(fx_leases_out, 1);
	bed_free(&t);
	CHECK_EQ(fx_leases_out, 0);
}

/* A wrong password, answered later: one E=691 failure notice. */
static void
pending_failure(void)
{
	struct bed	 t;
	uint8_t		 req[4096], a[4096];
	long		 n;

	bed_new(&t, "wrong");
	n = to_mschapv2_response(&t, req, sizeof(req));
	fx_q_clear();
	fx_input(t.e, req, (size_t)n);
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(fx_q.n, 0);
	wait_sent();
	CHECK_EQ(fx_q.n, 1);
	CHECK_EQ(ikev2_ini_input(t.i, fx_q.pkt[0], fx_q.len[0], a, sizeof(a)),
	    0);
	CHECK_EQ(peer_step(&t, req, &n, sizeof(req)), PEER_RESPONSE);
	CHECK(strncmp(eap_peer_note(t.p), "E=691", 5) == 0);
	CHECK_EQ(fx_counter(t.e, "auth_fail"), 1);
	CHECK_EQ(fx_counter(t.e, "retransmits_busy"), 1);
	bed_free(&t);
}

/* The SA dies while the backend works: the question is cancelled, the
 * answer never comes back into a freed SA (ASan would see it). */
static void
sa_dies_while_pending(void)
{
	struct bed	 t;
	uint8_t		 req[4096];
	long		 n;

	bed_new(&t, "alice-pass");
	n = to_mschapv2_response(&t, req, sizeof(req));
	fx_q_clear();
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(t.b->pending, 1);
	/* Destroyed (DEAD, freed later from the loop): cancelled at once. */
	ikev2_engine_shutdown(t.e);
	CHECK_EQ(t.b->cancels, 1);
	CHECK_EQ(t.b->pending, 0);
	for (int k = 0; k < 10; k++)
		rg_loop_once(fx_loop, 20);
	CHECK_EQ(t.b->answers, 0);
	CHECK_EQ(fx_q.n, 0);
	bed_free(&t);

	/* Freed with the engine while pending: the same. */
	bed_new(&t, "alice-pass");
	n = to_mschapv2_response(&t, req, sizeof(req));
	fx_q_clear();
	fx_input(t.e, req, (size_t)n);
	CHECK_EQ(t.b->pending, 1);
	ikev2_engine_free(t.e);
	t.e = NULL;
	CHECK_EQ(t.b->cancels, 1);
	for (int k = 0; k < 10; k++)
		rg_loop_once(fx_loop, 20);
	CHECK_EQ(t.b->answers, 0);
	bed_free(&t);
}

static void
setup(void)
{
	CHECK_EQ(test_pki_init(&pki, "roadgate test CA"), 0);
}

static void
teardown(void)
{
	test_pki_free(&pki);
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_eap", FIXTURE(setup), T(busy_while_pending),
    T(pending_failure), T(sa_dies_while_pending), FIXTURE(teardown))
