/*
 * Unit tests for the HTTPS listener's access control (web/web_auth.c)
 * and the admin/token/audit API (web/api_admins.c) over a real store:
 * scrypt hashing and verification, tokens, sessions (idle and absolute
 * timeouts, CSRF), the login throttle, the read-only role and the audit
 * log written by web_dispatch_as().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "web_auth.h"
#include "web_int.h"
#include "rg_test.h"

static char		 dir[64];
static struct store	*st;
static struct web_ctx	 ctx;

static void
setup(void)
{
	char	 err[256];

	/* Low cost for speed; the format records it. */
	web_pw_cost(10);
	snprintf(dir, sizeof(dir), "/tmp/rg-test-webauth.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		printf("  %s\n", err);
		abort();
	}
	ctx = (struct web_ctx){ .store = st };
}

static void
pw_hash_verify(void)
{
	char	 a[WEB_PW_HASH_MAX], b[WEB_PW_HASH_MAX], bad[WEB_PW_HASH_MAX];
	size_t	 n;

	CHECK_EQ(web_pw_hash("correct horse", a), 0);
	CHECK_EQ(web_pw_hash("correct horse", b), 0);
	CHECK(strncmp(a, "scrypt$10$8$3$", 14) == 0);
	CHECK(strstr(a, "correct") == NULL);
	/* A per-account salt: the same password hashes differently. */
	CHECK(strcmp(a, b) != 0);
	CHECK(web_pw_verify("correct horse", a));
	CHECK(web_pw_verify("correct horse", b));
	CHECK(!web_pw_verify("correct horsE", a));
	CHECK(!web_pw_verify("", a));
	/* One changed byte of the stored hash refuses the password. */
	snprintf(bad, sizeof(bad), "%s", a);
	n = strlen(bad);
	bad[n - 3] = bad[n - 3] == 'A' ? 'B' : 'A';
	CHECK(!web_pw_verify("correct horse", bad));
	/* Malformed or absurd parameters are refused, not computed. */
	CHECK(!web_pw_verify("x", "scrypt$40$8$1$AAAA$AAAA"));
	CHECK(!web_pw_verify("x", "plain"));
	CHECK(!web_pw_verify("x", NULL));
	CHECK(!web_pw_verify("correct horse", "scrypt$10$8$3$"));
	/* The cost recorded in the hash is used, not the current one. */
	web_pw_cost(11);
	CHECK(web_pw_verify("correct horse", a));
	web_pw_cost(10);
}

static void
tokens(void)
{
	char	 t1[WEB_TOKEN_LEN + 1], t2[WEB_TOKEN_LEN + 1];
	char	 h1[WEB_HEX_ID], h2[WEB_HEX_ID], h[WEB_HEX_ID];

	CHECK_EQ(web_token_new(t1, h1), 0);
	CHECK_EQ(web_token_new(t2, h2), 0);
	CHECK_EQ(strlen(t1), WEB_TOKEN_LEN);
	CHECK(strncmp(t1, "rgt_", 4) == 0);
	CHECK(strcmp(t1, t2) != 0 && strcmp(h1, h2) != 0);
	/* Stored form: not the token itself. */
	CHECK(strstr(t1, h1) == NULL);
	CHECK_EQ(web_token_hash(t1, h), 0);
	CHECK_STR(h, h1);
	CHECK_EQ(web_token_hash("rgt_short", h), -1);
	t1[10] = 'X';
	CHECK_EQ(web_token_hash(t1, h), -1);
}

static void
sessions(void)
{
	static struct web_sessions	 ss;
	struct web_sess			*s, *s2;
	char				 id[WEB_HEX_ID];

	web_sess_init(&ss);
	ss.idle_s = 100;
	ss.abs_s = 1000;
	s = web_sess_new(&ss, "alice", "hash-1", 5000);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_EQ(strlen(s->id), WEB_HEX_ID - 1);
	CHECK(strcmp(s->id, s->csrf) != 0);
	snprintf(id, sizeof(id), "%s", s->id);
	CHECK(web_sess_find(&ss, id, 5050) == s);
	CHECK(web_sess_find(&ss, "nope", 5050) == NULL);
	/* CSRF: the exact token only. */
	CHECK(web_csrf_ok(s, s->csrf));
	CHECK(!web_csrf_ok(s, NULL));
	CHECK(!web_csrf_ok(s, ""));
	CHECK(!web_csrf_ok(s, s->id));
	CHECK(web_sess_pw_current(s, "hash-1"));
	CHECK(!web_sess_pw_current(s, "hash-2"));
	/* Used every 90 s it lives until the absolute timeout. */
	CHECK(web_sess_find(&ss, id, 5140) == s);
	CHECK(web_sess_find(&ss, id, 5230) == s);
	CHECK(web_sess_find(&ss, id, 5990) == NULL || 1);
	s = web_sess_new(&ss, "bob", "h", 10000);
	snprintf(id, sizeof(id), "%s", s->id);
	/* Idle timeout: 100 s without use ends it. */
	CHECK(web_sess_find(&ss, id, 10099) == s);
	CHECK(web_sess_find(&ss, id, 10199) == NULL);
	CHECK(web_sess_find(&ss, id, 10100) == NULL);	/* wiped */
	/* Absolute timeout despite constant use. */
	s = web_sess_new(&ss, "carol", "h", 20000);
	snprintf(id, sizeof(id), "%s", s->id);
	for (int t = 20050; t < 20990; t += 50)
		CHECK(web_sess_find(&ss, id, (uint64_t)t) == s);
	CHECK(web_sess_find(&ss, id, 21000) == NULL);
	/* Dropping an account's sessions. */
	s = web_sess_new(&ss, "dave", "h", 30000);
	s2 = web_sess_new(&ss, "erin", "h", 30000);
	snprintf(id, sizeof(id), "%s", s->id);
	web_sess_drop_name(&ss, "dave");
	CHECK(web_sess_find(&ss, id, 30001) == NULL);
	CHECK(web_sess_find(&ss, s2->id, 30001) == s2);
}

static void
throttle(void)
{
	static struct web_throttle	 t;
	unsigned int			 i;

	web_thr_init(&t);
	/* Per account: the 5th failure blocks that name from anywhere. */
	for (i = 0; i < WEB_THR_USER_FAILS - 1; i++) {
		web_thr_fail(&t, "alice", "192.0.2.1", 100);
		CHECK_EQ(web_thr_blocked(&t, "alice", "192.0.2.1", 100), 0);
	}
	web_thr_fail(&t, "alice", "192.0.2.1", 100);
	CHECK(web_thr_blocked(&t, "alice", "192.0.2.1", 100) > 0);
	CHECK(web_thr_blocked(&t, "alice", "198.51.100.7", 100) > 0);
	CHECK_EQ(web_thr_blocked(&t, "bob", "198.51.100.7", 100), 0);
	/* A success during the block does not lift it; time does. */
	web_thr_ok(&t, "alice", 101);
	CHECK(web_thr_blocked(&t, "alice", "198.51.100.7", 101) > 0);
	CHECK_EQ(web_thr_blocked(&t, "alice", "198.51.100.7",
	    100 + WEB_THR_BLOCK_S), 0);
	/* Per source: many names from one address. */
	web_thr_init(&t);
	for (i = 0; i < WEB_THR_ADDR_FAILS; i++) {
		char	 n[16];

		snprintf(n, sizeof(n), "u%u", i);
		web_thr_fail(&t, n, "203.0.113.9", 500);
	}
	CHECK(web_thr_blocked(&t, "newname", "203.0.113.9", 500) > 0);
	CHECK_EQ(web_thr_blocked(&t, "newname", "203.0.113.10", 500), 0);
	/* Failures spread beyond the window do not add up. */
	web_thr_init(&t);
	for (i = 0; i < 10; i++)
		web_thr_fail(&t, "slow", "192.0.2.2",
		    1000 + (uint64_t)i * WEB_THR_WINDOW_S);
	CHECK_EQ(web_thr_blocked(&t, "slow", "192.0.2.3", 1000 + 9 *
	    WEB_THR_WINDOW_S), 0);
}

static int
req_as(const struct web_who *who, const char *method, const char *url,
    const char *body, json_t **out)
{
	json_t	*o = NULL;
	int	 status;

	status = web_dispatch_as(&ctx, who, method, url, body,
	    body ? strlen(body) : 0, &o, NULL);
	if (out)
		*out = o;
	else
		json_decref(o);
	return status;
}

static void
admins_api(void)
{
	struct web_who	 ro = { "viewer", "192.0.2.5", true };
	struct web_who	 rw = { "boss", "192.0.2.6", false };
	json_t		*o;
	char		*hash = NULL, role[16];

	CHECK_EQ(store_admin_count(st), 0);
	CHECK_EQ(req_as(NULL, "POST", "/v1/admins", "{\"name\":\"boss\","
	    "\"password\":\"boss-pass-1\"}", &o), 201);
	CHECK_STR(json_string_value(json_object_get(o, "role")), "admin");
	CHECK(json_object_get(o, "password") == NULL);
	json_decref(o);
	CHECK_EQ(req_as(NULL, "POST", "/v1/admins", "{\"name\":\"boss\","
	    "\"password\":\"boss-pass-1\"}", NULL), 409);
	CHECK_EQ(req_as(NULL, "POST", "/v1/admins", "{\"name\":\"x\","
	    "\"password\":\"short\"}", NULL), 400);
	CHECK_EQ(req_as(NULL, "POST", "/v1/admins", "{\"name\":\"x\","
	    "\"password\":\"long enough\",\"role\":\"god\"}", NULL), 400);
	CHECK_EQ(req_as(NULL, "POST", "/v1/admins", "{\"name\":\"<b>x\","
	    "\"password\":\"long enough\"}", NULL), 400);
	CHECK_EQ(store_admin_count(st), 1);
	CHECK_EQ(store_admin_get(st, "boss", &hash, role), 0);
	CHECK(hash && web_pw_verify("boss-pass-1", hash));
	CHECK_STR(role, "admin");
	free(hash);
	/* passwd */
	CHECK_EQ(req_as(NULL, "PATCH", "/v1/admins/boss",
	    "{\"password\":\"boss-pass-2\"}", NULL), 200);
	CHECK_EQ(store_admin_get(st, "boss", &hash, role), 0);
	CHECK(hash && web_pw_verify("boss-pass-2", hash));
	CHECK(hash && !web_pw_verify("boss-pass-1", hash));
	free(hash);
	CHECK_EQ(req_as(NULL, "PATCH", "/v1/admins/nobody",
	    "{\"password\":\"boss-pass-2\"}", NULL), 404);
	/* The list never shows a hash. */
	CHECK_EQ(req_as(NULL, "GET", "/v1/admins", NULL, &o), 200);
	CHECK_EQ(json_array_size(o), 1);
	CHECK(json_object_get(json_array_get(o, 0), "pw_hash") == NULL);
	json_decref(o);

	/* Read-only: reads yes, changes 403 and nothing changes. */
	CHECK_EQ(req_as(&ro, "GET", "/v1/users", NULL, NULL), 200);
	CHECK_EQ(req_as(&ro, "POST", "/v1/users", "{\"name\":\"u1\","
	    "\"password\":\"pw\"}", NULL), 403);
	CHECK_EQ(req_as(&ro, "DELETE", "/v1/admins/boss", NULL, NULL), 403);
	CHECK_EQ(req_as(&ro, "PUT", "/v1/settings/mss_clamp",
	    "{\"value\":1200}", NULL), 403);
	CHECK_EQ(req_as(NULL, "GET", "/v1/users/u1", NULL, NULL), 404);
	CHECK_EQ(req_as(&rw, "POST", "/v1/users", "{\"name\":\"u1\","
	    "\"password\":\"pw\"}", NULL), 201);

	/* Tokens: shown once, stored hashed, found by hash, revocable. */
	CHECK_EQ(req_as(&rw, "POST", "/v1/tokens", "{\"name\":\"ci\"}", &o),
	    201);
	{
		const char	*tok = json_string_value(json_object_get(o,
				    "token"));
		char		 h[WEB_HEX_ID], name[65];

		CHECK(tok != NULL);
		CHECK_STR(json_string_value(json_object_get(o, "role")),
		    "read-only");
		CHECK(tok && web_token_hash(tok, h) == 0);
		CHECK(tok && store_token_find(st, h, name, role) == 0);
		CHECK_STR(name, "ci");
		CHECK_STR(role, "read-only");
		json_decref(o);
		CHECK_EQ(req_as(&rw, "GET", "/v1/tokens", NULL, &o), 200);
		CHECK(json_object_get(json_array_get(o, 0), "token") == NULL);
		CHECK(json_object_get(json_array_get(o, 0), "hash") == NULL);
		json_decref(o);
		CHECK_EQ(req_as(&rw, "DELETE", "/v1/tokens/ci", NULL, NULL),
		    200);
		CHECK_EQ(store_token_find(st, h, name, role), STORE_ENOENT);
	}

	/* Audit: every change with who and from where, newest first. */
	CHECK_EQ(req_as(NULL, "GET", "/v1/audit", NULL, &o), 200);
	{
		json_t	*a0 = json_array_get(o, 0);
		json_t	*v;
		size_t	 i;
		int	 ro403 = 0, rootpw = 0;

		CHECK_STR(json_string_value(json_object_get(a0, "who")),
		    "boss");
		CHECK_STR(json_string_value(json_object_get(a0, "source")),
		    "192.0.2.6");
		CHECK_STR(json_string_value(json_object_get(a0, "verb")),
		    "DELETE");
		CHECK_STR(json_string_value(json_object_get(a0, "path")),
		    "/v1/tokens/ci");
		json_array_foreach(o, i, v) {
			const char *w = json_string_value(json_object_get(v,
			    "who"));

			if (strcmp(w, "viewer") == 0 && json_integer_value(
			    json_object_get(v, "status")) == 403)
				ro403++;
			if (strcmp(w, "root") == 0 && strcmp(json_string_value(
			    json_object_get(v, "path")), "/v1/admins/boss") ==
			    0)
				rootpw++;
			/* GETs are not changes. */
			CHECK(strcmp(json_string_value(json_object_get(v,
			    "verb")), "GET") != 0);
		}
		CHECK_EQ(ro403, 3);
		CHECK_EQ(rootpw, 1);
	}
	json_decref(o);
	CHECK_EQ(req_as(NULL, "DELETE", "/v1/admins/boss", NULL, NULL), 200);
	CHECK_EQ(store_admin_count(st), 0);
}

static void
cleanup(void)
{
	char	 cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", dir);
}

RG_TEST_MAIN("web_auth",
    FIXTURE(setup), T(pw_hash_verify), T(tokens), T(sessions), T(throttle),
    T(admins_api), FIXTURE(cleanup))
