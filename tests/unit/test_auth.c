/*
 * test_auth.c: the authentication question (auth.h) with the local
 * backend: PAP right/wrong, unknown user, a disabled user that reads as a
 * plain reject until the password is right, CHAP-MD5 (RFC 1994),
 * MS-CHAPv2 with the RFC 2759 9.2 / RFC 3079 3.5.3 vectors through
 * auth_check(); answers only from the loop; auth_cancel() keeps done()
 * from running (also with the delayed test backend); the failed-login
 * throttle per user and per source address.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth.h"
#include "auth_test_backend.h"
#include "rg_test.h"

/* RFC 2759 9.2 */
static const uint8_t	 v_auth_chal[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t	 v_peer_chal[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t	 v_nt_resp[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char	 v_auth_resp[] =
    "S=407A5589115FD0D6209F510FE9C04566932CDA56";
/* RFC 3079 3.5.3: SendStartKey128, the server's send key. */
static const uint8_t	 v_send_start128[16] = {
	0x8B, 0x7C, 0xDC, 0x14, 0x9B, 0x99, 0x3A, 0x1B,
	0xA1, 0x18, 0xCB, 0x15, 0x3F, 0x56, 0xDC, 0xCB };

static struct rg_loop	*loop;

struct got {
	int			 n;
	struct auth_result	*r;
};

static void
done(void *arg, struct auth_result *r)
{
	struct got	*g = arg;

	g->n++;
	auth_result_free(g->r);
	g->r = r;
}

static void
add_user(struct rg_config *c, const char *name, const char *pass,
    bool enabled)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->password = strdup(pass);
	u->enabled = enabled;
}

static struct auth *
new_auth(void)
{
	struct rg_config	*c = rg_config_new();
	struct auth		*a;

	if (loop == NULL)
		loop = rg_loop_new(0);
	add_user(c, "alice", "alice-pass", true);
	add_user(c, "dave", "dave-pass", false);
	add_user(c, "User", "clientPass", true);
	a = auth_new(loop, c, NULL, NULL);
	rg_config_unref(c);
	return a;
}

/* Run the loop until g has an answer (or ~2 s pass). */
static void
wait_for(struct got *g)
{
	for (int i = 0; i < 200 && g->n == 0; i++)
		rg_loop_once(loop, 10);
}

static enum auth_outcome
pap(struct auth *a, const char *user, const char *pass,
    const struct sockaddr *src)
{
	struct auth_req	 q = { .kind = AUTH_PAP, .user = user, .src = src,
			       .service = "test" };
	struct got	 g = { 0, NULL };
	enum auth_outcome o;

	q.u.pap.password = pass;
	CHECK(auth_check(a, &q, done, &g) != NULL);
	CHECK_EQ(g.n, 0);
	wait_for(&g);
	CHECK_EQ(g.n, 1);
	o = g.r ? g.r->outcome : AUTH_ERROR;
	auth_result_free(g.r);
	return o;
}

static void
pap_right_wrong_unknown(void)
{
	struct auth	*a = new_auth();

	CHECK_EQ(pap(a, "alice", "alice-pass", NULL), AUTH_OK);
	CHECK_EQ(pap(a, "alice", "alice-pas", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "alice-pass2", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "bob", "x", NULL), AUTH_REJECT);
	auth_free(a);
}

static void
pap_result_fields(void)
{
	struct auth	*a = new_auth();
	struct auth_req	 q = { .kind = AUTH_PAP, .user = "bob" };
	struct got	 g = { 0, NULL };

	q.u.pap.password = "x";
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL);
	if (g.r != NULL) {
		CHECK_STR(g.r->reason, "unknown user bob");
		CHECK_STR(g.r->user, "");
	}
	auth_result_free(g.r);
	g.r = NULL;
	g.n = 0;
	q.user = "alice";
	q.u.pap.password = "alice-pass";
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_OK);
	if (g.r != NULL) {
		CHECK_STR(g.r->user, "alice");
		/* The reason never carries the password. */
		CHECK(strstr(g.r->reason, "alice-pass") == NULL);
	}
	auth_result_free(g.r);
	auth_free(a);
}

/* Defect 11: a disabled account must not be told apart by a guesser. */
static void
disabled_no_enumeration(void)
{
	struct auth	*a = new_auth();

	/* Wrong password: the same answer as an unknown user's. */
	CHECK_EQ(pap(a, "dave", "guess", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "nobody", "guess", NULL), AUTH_REJECT);
	/* Only the right password learns that the account is disabled. */
	CHECK_EQ(pap(a, "dave", "dave-pass", NULL), AUTH_DISABLED);
	auth_free(a);
}

static void
chap_md5(void)
{
	struct auth	*a = new_auth();
	struct auth_req	 q = { .kind = AUTH_CHAP_MD5, .user = "alice" };
	struct got	 g = { 0, NULL };
	uint8_t		 chal[16], id = 7;
	unsigned int	 l = 0;
	EVP_MD_CTX	*x = EVP_MD_CTX_new();

	memset(chal, 0x5a, sizeof(chal));
	EVP_DigestInit_ex(x, EVP_md5(), NULL);
	EVP_DigestUpdate(x, &id, 1);
	EVP_DigestUpdate(x, "alice-pass", 10);
	EVP_DigestUpdate(x, chal, sizeof(chal));
	EVP_DigestFinal_ex(x, q.u.chap.response, &l);
	EVP_MD_CTX_free(x);
	q.u.chap.id = id;
	q.u.chap.challenge = chal;
	q.u.chap.challenge_len = sizeof(chal);
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_OK);
	auth_result_free(g.r);
	g.r = NULL;
	g.n = 0;
	q.u.chap.id = 8;	/* the response no longer matches */
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_REJECT);
	auth_result_free(g.r);
	auth_free(a);
}

static struct auth_req
mschapv2_req(const char *user)
{
	struct auth_req	 q = { .kind = AUTH_MSCHAPV2, .user = user };

	memcpy(q.u.mschapv2.auth_chal, v_auth_chal, 16);
	memcpy(q.u.mschapv2.peer_chal, v_peer_chal, 16);
	memcpy(q.u.mschapv2.nt_resp, v_nt_resp, 24);
	return q;
}

static void
mschapv2_vectors(void)
{
	struct auth	*a = new_auth();
	struct auth_req	 q = mschapv2_req("User");
	struct got	 g = { 0, NULL };

	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_OK);
	if (g.r != NULL && g.r->outcome == AUTH_OK) {
		CHECK_STR(g.r->authenticator, v_auth_resp);
		CHECK_STR(g.r->user, "User");
		CHECK_EQ(g.r->msk_len, 64);
		CHECK(g.r->has_mppe);
		CHECK_MEM(g.r->mppe_send, v_send_start128, 16);
		/* MSK: MasterReceiveKey || MasterSendKey || 0^32 */
		CHECK_MEM(g.r->msk + 16, v_send_start128, 16);
	}
	auth_result_free(g.r);
	g.r = NULL;
	g.n = 0;
	/* "DOMAIN\User": the same user, the same ChallengeHash. */
	q = mschapv2_req("CORP\\User");
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_OK);
	auth_result_free(g.r);
	g.r = NULL;
	g.n = 0;
	q = mschapv2_req("User");
	q.u.mschapv2.nt_resp[0] ^= 1;
	auth_check(a, &q, done, &g);
	wait_for(&g);
	CHECK(g.r != NULL && g.r->outcome == AUTH_REJECT);
	if (g.r != NULL)
		CHECK_STR(g.r->reason, "user User: wrong password");
	auth_result_free(g.r);
	auth_free(a);
}

/* Even the local backend answers from the loop, never inside the call. */
static void
answer_only_from_loop(void)
{
	struct auth	*a = new_auth();
	struct auth_req	 q = mschapv2_req("User");
	struct got	 g = { 0, NULL };

	CHECK(auth_check(a, &q, done, &g) != NULL);
	CHECK_EQ(g.n, 0);
	CHECK(g.r == NULL);
	rg_loop_once(loop, 1000);
	CHECK_EQ(g.n, 1);
	auth_result_free(g.r);
	auth_free(a);
}

static void
cancel_prevents_callback(void)
{
	struct auth			*a = new_auth();
	struct auth_req			 q = mschapv2_req("User");
	struct got			 g = { 0, NULL };
	struct auth_call		*c;
	struct rg_config		*cfg = rg_config_new();
	struct auth_test_backend	*b;

	/* Local: answered but not yet delivered. */
	c = auth_check(a, &q, done, &g);
	auth_cancel(c);
	for (int i = 0; i < 5; i++)
		rg_loop_once(loop, 20);
	CHECK_EQ(g.n, 0);
	auth_free(a);

	/* Delayed backend: cancelled while the backend still works. */
	add_user(cfg, "User", "clientPass", true);
	b = auth_test_backend_new(loop, cfg, 50);
	a = auth_new(loop, cfg, &auth_test_ops, b);
	rg_config_unref(cfg);
	c = auth_check(a, &q, done, &g);
	CHECK_EQ(b->pending, 1);
	auth_cancel(c);
	CHECK_EQ(b->cancels, 1);
	CHECK_EQ(b->pending, 0);
	for (int i = 0; i < 10; i++)
		rg_loop_once(loop, 20);
	CHECK_EQ(g.n, 0);
	/* Not cancelled: arrives after the delay, only then. */
	c = auth_check(a, &q, done, &g);
	rg_loop_once(loop, 0);
	CHECK_EQ(g.n, 0);
	wait_for(&g);
	CHECK_EQ(g.n, 1);
	CHECK(g.r != NULL && g.r->outcome == AUTH_OK);
	auth_result_free(g.r);
	g.r = NULL;
	/* auth_free() with a question pending cancels it too. */
	g.n = 0;
	auth_check(a, &q, done, &g);
	auth_free(a);
	for (int i = 0; i < 5; i++)
		rg_loop_once(loop, 20);
	CHECK_EQ(g.n, 0);
}

static void
throttle_per_user(void)
{
	struct auth			*a = new_auth();
	struct auth_throttle_conf	 tc = { 3, 0, 60000, 200 };

	auth_set_throttle(a, &tc);
	CHECK_EQ(pap(a, "alice", "bad1", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "bad2", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "bad3", NULL), AUTH_REJECT);
	/* Blocked now: even the right password is refused unchecked. */
	CHECK_EQ(pap(a, "alice", "alice-pass", NULL), AUTH_THROTTLED);
	/* A "DOMAIN\" prefix or other case buys no fresh tries. */
	CHECK_EQ(pap(a, "CORP\\ALICE", "alice-pass", NULL), AUTH_THROTTLED);
	/* Other users are not affected. */
	CHECK_EQ(pap(a, "User", "clientPass", NULL), AUTH_OK);
	usleep(250 * 1000);
	CHECK_EQ(pap(a, "alice", "alice-pass", NULL), AUTH_OK);
	/* The success cleared the count: two failures do not block. */
	CHECK_EQ(pap(a, "alice", "bad", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "bad", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "alice-pass", NULL), AUTH_OK);
	auth_free(a);
}

/* A spray of new names fills the table but does not lift a block. */
static void
throttle_table_full(void)
{
	struct auth			*a = new_auth();
	struct auth_throttle_conf	 tc = { 2, 0, 60000, 60000 };
	char				 name[32];

	auth_set_throttle(a, &tc);
	CHECK_EQ(pap(a, "alice", "bad", NULL), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "bad", NULL), AUTH_REJECT);
	for (int k = 0; k < AUTH_THROTTLE_MAX + 10; k++) {
		snprintf(name, sizeof(name), "spray%d", k);
		if (pap(a, name, "x", NULL) != AUTH_REJECT) {
			CHECK(0 && "spray answered other than reject");
			break;
		}
	}
	CHECK_EQ(pap(a, "alice", "alice-pass", NULL), AUTH_THROTTLED);
	auth_free(a);
}

static void
throttle_per_address(void)
{
	struct auth			*a = new_auth();
	struct auth_throttle_conf	 tc = { 0, 3, 60000, 60000 };
	struct sockaddr_in		 s1, s2;

	memset(&s1, 0, sizeof(s1));
	s1.sin_family = AF_INET;
	s1.sin_port = htons(500);
	inet_pton(AF_INET, "192.0.2.7", &s1.sin_addr);
	s2 = s1;
	inet_pton(AF_INET, "192.0.2.8", &s2.sin_addr);
	auth_set_throttle(a, &tc);
	/* A sprayer trying many names from one address. */
	CHECK_EQ(pap(a, "u1", "x", (struct sockaddr *)&s1), AUTH_REJECT);
	CHECK_EQ(pap(a, "u2", "x", (struct sockaddr *)&s1), AUTH_REJECT);
	s1.sin_port = htons(4500);	/* the port does not matter */
	CHECK_EQ(pap(a, "u3", "x", (struct sockaddr *)&s1), AUTH_REJECT);
	CHECK_EQ(pap(a, "alice", "alice-pass", (struct sockaddr *)&s1),
	    AUTH_THROTTLED);
	CHECK_EQ(pap(a, "alice", "alice-pass", (struct sockaddr *)&s2),
	    AUTH_OK);
	/* The local backend cannot pass EAP through. */
	{
		struct auth_req	 q = { .kind = AUTH_EAP, .user = "alice" };
		struct got	 g = { 0, NULL };
		uint8_t		 m[5] = { 2, 1, 0, 5, 1 };

		q.u.eap.msg = m;
		q.u.eap.len = sizeof(m);
		auth_check(a, &q, done, &g);
		wait_for(&g);
		CHECK(g.r != NULL && g.r->outcome == AUTH_UNSUPPORTED);
		auth_result_free(g.r);
	}
	auth_free(a);
	rg_loop_free(loop);
	loop = NULL;
}

RG_TEST_MAIN("auth", T(pap_right_wrong_unknown), T(pap_result_fields),
    T(disabled_no_enumeration), T(chap_md5), T(mschapv2_vectors),
    T(answer_only_from_loop), T(cancel_prevents_callback),
    T(throttle_per_user), T(throttle_table_full), T(throttle_per_address))
