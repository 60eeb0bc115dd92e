/*
 * Unit tests for the REST API (web/web_api.c and the api_*.c resources):
 * routing, status codes and the JSON error body naming the field, through
 * web_dispatch() on a real store; and one request over a real unix socket
 * served by libmicrohttpd from the rg_loop (web_http.c).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rg_log.h"
#include "rg_loop.h"
#include "store.h"
#include "web/web.h"
#include "web/web_int.h"
#include "rg_test.h"

static char		 dir[64];
static struct store	*st;
static struct web_ctx	 ctx;
static int		 nchanged;

static int
changed(void *arg)
{
	nchanged++;
	return 0;
}

static void
setup(void)
{
	char	 err[256];

	snprintf(dir, sizeof(dir), "/tmp/rg-test-web.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	st = store_open(dir, err, sizeof(err));
	if (st == NULL) {
		printf("  %s\n", err);
		abort();
	}
	ctx = (struct web_ctx){ .store = st, .changed = changed };
}

/* Dispatch; returns the status, *field the error's field ("" if none). */
static int
req(const char *method, const char *url, const char *body, json_t **out)
{
	json_t	*o = NULL;
	int	 status;

	status = web_dispatch(&ctx, method, url, body, body ? strlen(body) : 0,
	    &o);
	if (out)
		*out = o;
	else
		json_decref(o);
	return status;
}

static const char *
field(json_t *o)
{
	json_t	*f = json_object_get(o, "field");

	return json_is_string(f) ? json_string_value(f) : "";
}

static void
routes_and_codes(void)
{
	json_t	*o;

	setup();
	CHECK_EQ(req("GET", "/v1/users", NULL, &o), 200);
	CHECK(json_is_array(o) && json_array_size(o) == 0);
	json_decref(o);
	CHECK_EQ(req("GET", "/v2/users", NULL, NULL), 404);
	CHECK_EQ(req("GET", "/v1/nothing", NULL, NULL), 404);
	CHECK_EQ(req("DELETE", "/v1/users", NULL, NULL), 405);
	CHECK_EQ(req("POST", "/v1/users", "{bad json", &o), 400);
	json_decref(o);
	nchanged = 0;
	CHECK_EQ(req("POST", "/v1/groups", "{\"name\":\"staff\"}", NULL), 201);
	CHECK_EQ(req("POST", "/v1/users", "{\"name\":\"alice\",\"password\":"
	    "\"alice-pass\",\"group\":\"staff\"}", &o), 201);
	CHECK_STR(json_string_value(json_object_get(o, "name")), "alice");
	CHECK(json_object_get(o, "password") == NULL);
	json_decref(o);
	CHECK_EQ(nchanged, 2);
	CHECK_EQ(req("POST", "/v1/users", "{\"name\":\"alice\",\"password\":"
	    "\"x\"}", &o), 409);
	json_decref(o);
	CHECK_EQ(req("POST", "/v1/users", "{\"name\":\"bob\",\"password\":"
	    "\"x\",\"group\":\"nope\"}", &o), 400);
	CHECK_STR(field(o), "group");
	json_decref(o);
	CHECK_EQ(nchanged, 2);		/* failures trigger no reload */
	CHECK_EQ(req("GET", "/v1/users/bob", NULL, NULL), 404);
	CHECK_EQ(req("PATCH", "/v1/users/alice", "{\"enabled\":false}", &o),
	    200);
	CHECK(json_is_false(json_object_get(o, "enabled")));
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/groups/staff", NULL, &o), 409);
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/users/alice", NULL, NULL), 200);
	CHECK_EQ(req("DELETE", "/v1/groups/staff", NULL, NULL), 200);
}

static void
field_validation(void)
{
	static const struct {
		const char	*url, *body, *field;
	} bad[] = {
		{ "/v1/pools", "{\"name\":\"p\",\"ranges\":[\"10.0.0.1/24\"]}",
		    "ranges" },
		{ "/v1/pools", "{\"name\":\"p\",\"ranges\":[\"10.0.0.0/31\"]}",
		    "ranges" },
		{ "/v1/pools", "{\"name\":\"p\",\"ranges\":[\"10.0.0.9-10.0.0.1"
		    "\"]}", "ranges" },
		{ "/v1/pools", "{\"name\":\"p!\",\"ranges\":[\"10.0.0.0/24\"]}",
		    "name" },
		{ "/v1/profiles", "{\"name\":\"x\",\"dns\":[\"1.2.3\"]}", "dns" },
		{ "/v1/profiles", "{\"name\":\"x\",\"split\":[\"10.0.0.0/33\"]}",
		    "split" },
		{ "/v1/profiles", "{\"name\":\"x\",\"domains\":[\"a..b\"]}",
		    "domains" },
		{ "/v1/profiles", "{\"name\":\"x\",\"one_session\":\"maybe\"}",
		    "one_session" },
		{ "/v1/policies", "{\"name\":\"x\",\"networks\":[\"::1/64\"]}",
		    "networks" },
		{ "/v1/groups", "{\"name\":\"g\",\"policy\":\"none\"}",
		    "policy" },
		{ "/v1/users", "{\"name\":\"u\",\"password\":\"\"}",
		    "password" },
		{ "/v1/users", "{\"name\":\"u\",\"password\":\"p\","
		    "\"static_ip4\":\"2001:db8::1\"}", "static_ip4" },
		{ "/v1/psks", "{\"id\":\"%any\",\"secret\":\"short\"}",
		    "secret" },
		{ "/v1/proposals", "{\"name\":\"c\",\"ike\":[\"aes256-sha1\"],"
		    "\"esp\":[\"aes256-sha1\"]}", "ike" },
	};
	json_t	*o, *l;
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int	 status = req("POST", bad[i].url, bad[i].body, &o);

		if (status != 400 || strcmp(field(o), bad[i].field) != 0)
			printf("  case %zu: %d field \"%s\"\n", i, status,
			    field(o));
		CHECK_EQ(status, 400);
		CHECK_STR(field(o), bad[i].field);
		json_decref(o);
	}
	CHECK_EQ(req("GET", "/v1/pools", NULL, &l), 200);
	CHECK_EQ(json_array_size(l), 0);	/* nothing was written */
	json_decref(l);
	CHECK_EQ(req("POST", "/v1/pools", "{\"name\":\"a\",\"ranges\":"
	    "\"10.0.0.0/24\"}", NULL), 201);
	CHECK_EQ(req("POST", "/v1/pools", "{\"name\":\"b\",\"ranges\":"
	    "[\"10.0.0.200-10.0.1.5\"]}", &o), 400);
	CHECK_STR(field(o), "ranges");
	json_decref(o);
	CHECK_EQ(req("GET", "/v1/pools/a", NULL, &o), 200);
	json_decref(o);
	CHECK_EQ(req("POST", "/v1/psks", "{\"id\":\"%any\",\"secret\":"
	    "\"0123456789\"}", NULL), 201);
	CHECK_EQ(req("GET", "/v1/psks/%any", NULL, &o), 200);
	CHECK(json_object_get(o, "secret") == NULL);
	json_decref(o);
}

static void
settings_log_status(void)
{
	json_t	*o;

	CHECK_EQ(req("GET", "/v1/settings", NULL, &o), 200);
	CHECK_EQ(json_integer_value(json_object_get(o, "ike_lifetime_s")),
	    86400);
	CHECK_STR(json_string_value(json_object_get(o, "dataplane")), "auto");
	json_decref(o);
	CHECK_EQ(req("PUT", "/v1/settings/eap_method", "{\"value\":\"tls\"}",
	    NULL), 200);
	CHECK_EQ(req("PUT", "/v1/settings/eap_method", "{\"value\":\"pap\"}",
	    &o), 400);
	CHECK_STR(field(o), "eap_method");
	json_decref(o);
	CHECK_EQ(req("PUT", "/v1/settings/colour", "{\"value\":\"red\"}", &o),
	    400);
	CHECK_STR(field(o), "colour");
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/settings/eap_method", NULL, &o), 200);
	CHECK_STR(json_string_value(json_object_get(o, "value")), "any");
	json_decref(o);

	CHECK_EQ(req("PUT", "/v1/log/ike", "{\"level\":\"debug\"}", NULL), 200);
	CHECK_EQ(rg_log_get_level(RG_T_IKE), RG_L_DEBUG);
	CHECK_EQ(req("PUT", "/v1/log/ike", "{\"level\":\"loud\"}", &o), 400);
	CHECK_STR(field(o), "level");
	json_decref(o);
	CHECK_EQ(req("PUT", "/v1/log/nope", "{\"level\":\"info\"}", NULL), 404);
	rg_log_set_level(RG_T_IKE, RG_L_INFO);

	CHECK_EQ(req("GET", "/v1/status", NULL, &o), 200);
	CHECK(json_is_true(json_object_get(o, "ready")));
	json_decref(o);
	CHECK_EQ(req("PATCH", "/v1/profiles/none", "{}", NULL), 404);
	CHECK_EQ(req("POST", "/v1/profiles", "{\"name\":\"p\"}", NULL), 201);
	CHECK_EQ(req("PATCH", "/v1/profiles/p", "{\"banner\":\"hi\"}", &o),
	    200);
	CHECK_EQ(json_integer_value(json_object_get(o, "generation")), 2);
	CHECK(json_is_integer(json_object_get(o,
	    "sessions_on_old_generation")));
	json_decref(o);
}

/* A raw HTTP/1.1 request over the unix socket, from a thread. */
static char	 sock_path[100], reply[4096];

static void *
client(void *arg)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	const char		*rq = "GET /v1/psks/%25any HTTP/1.1\r\n"
				    "Host: x\r\nConnection: close\r\n\r\n";
	ssize_t			 n;
	size_t			 len = 0;
	int			 fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    write(fd, rq, strlen(rq)) == (ssize_t)strlen(rq))
		while ((n = read(fd, reply + len, sizeof(reply) - len - 1)) > 0)
			len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	return NULL;
}

static void
over_unix_socket(void)
{
	struct rg_loop	*loop = rg_loop_new(0);
	struct web	*w;
	struct stat	 sb;
	pthread_t	 th;
	char		 err[256];
	uint64_t	 t0 = rg_now_ms();

	snprintf(sock_path, sizeof(sock_path), "%s/api.sock", dir);
	w = web_start(loop, sock_path, &ctx, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL) {
		printf("  %s\n", err);
		rg_loop_free(loop);
		return;
	}
	CHECK(stat(sock_path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	pthread_create(&th, NULL, client, NULL);
	while (rg_now_ms() - t0 < 3000 && strstr(reply, "}") == NULL)
		rg_loop_once(loop, 50);
	pthread_join(th, NULL);
	CHECK(strncmp(reply, "HTTP/1.1 200", 12) == 0);
	CHECK(strstr(reply, "application/json") != NULL);
	CHECK(strstr(reply, "\"%any\"") != NULL);
	web_stop(w);
	CHECK(access(sock_path, F_OK) < 0);
	rg_loop_free(loop);
}

/* A fake engine with live sessions 7 (alice) and 9 (bob). */
static uint64_t	 killed;

static json_t *
fake_sessions(void *arg)
{
	json_t	*a = json_array();
	(void)arg;
	if (killed != 7)
		json_array_append_new(a, json_pack("{s:i,s:s,s:s}",
		    "session_id", 7, "user", "alice", "vip", "10.0.0.7"));
	json_array_append_new(a, json_pack("{s:i,s:s}", "session_id", 9,
	    "user", "bob"));
	return a;
}

static int
fake_kill(void *arg, uint64_t id, const char *why)
{
	(void)arg;
	(void)why;
	if (id != 7 && id != 9)
		return -1;
	killed = id;
	return 0;
}

/* GET /v1/sessions[/ID], DELETE /v1/sessions/ID through the engine's
 * callbacks; bad or unknown ids name the field "id"; nothing stored. */
static void
sessions_api(void)
{
	json_t	*o;
	int	 before = nchanged;

	ctx.engine.sessions = fake_sessions;
	ctx.engine.kill_session = fake_kill;
	CHECK_EQ(req("GET", "/v1/sessions", NULL, &o), 200);
	CHECK_EQ(json_array_size(o), 2);
	json_decref(o);
	CHECK_EQ(req("GET", "/v1/sessions/7", NULL, &o), 200);
	CHECK_STR(json_string_value(json_object_get(o, "user")), "alice");
	json_decref(o);
	CHECK_EQ(req("GET", "/v1/sessions/8", NULL, &o), 404);
	CHECK_STR(field(o), "id");
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/sessions/x7", NULL, &o), 400);
	CHECK_STR(field(o), "id");
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/sessions/0", NULL, &o), 400);
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/sessions/8", NULL, &o), 404);
	CHECK_STR(field(o), "id");
	json_decref(o);
	CHECK_EQ(killed, 0);
	CHECK_EQ(req("DELETE", "/v1/sessions/7", NULL, &o), 200);
	CHECK_STR(json_string_value(json_object_get(o, "user")), "alice");
	json_decref(o);
	CHECK_EQ(killed, 7);
	CHECK_EQ(req("GET", "/v1/sessions", NULL, &o), 200);
	CHECK_EQ(json_array_size(o), 1);
	json_decref(o);
	CHECK_EQ(req("POST", "/v1/sessions", "{}", &o) >= 400, 1);
	json_decref(o);
	CHECK_EQ(nchanged, before);	/* run-time only: no reconfigure */
	ctx.engine.sessions = NULL;
	ctx.engine.kill_session = NULL;
	CHECK_EQ(req("GET", "/v1/sessions", NULL, &o), 200);
	CHECK_EQ(json_array_size(o), 0);
	json_decref(o);
}

static void
cleanup(void)
{
	char	 cmd[200];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

/* Deleting a user revokes its certificate: a new user of the same name
 * must not inherit it (and the old one is on the CRL for every client). */
static void
user_delete_revokes_cert(void)
{
	json_t		*o = NULL, *rev;
	char		 serial[80];

	CHECK_EQ(req("POST", "/v1/ca", "{}", NULL), 201);
	CHECK_EQ(req("POST", "/v1/users", "{\"name\":\"carl\","
	    "\"password\":\"pw\"}", NULL), 201);
	CHECK_EQ(req("POST", "/v1/certs", "{\"user\":\"carl\"}", &o), 201);
	snprintf(serial, sizeof(serial), "%s",
	    json_string_value(json_object_get(o, "serial")) ?
	    json_string_value(json_object_get(o, "serial")) : "?");
	json_decref(o);
	CHECK_EQ(req("DELETE", "/v1/users/carl", NULL, NULL), 200);
	CHECK_EQ(req("GET", "/v1/users/carl", NULL, NULL), 404);
	CHECK_EQ(req("GET", "/v1/crl", NULL, &o), 200);
	rev = json_object_get(o, "revoked");
	CHECK_EQ(json_array_size(rev), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rev, 0),
	    "serial")), serial);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rev, 0),
	    "reason")), "cessationOfOperation");
	json_decref(o);
	/* A user without a certificate is deleted as before. */
	CHECK_EQ(req("POST", "/v1/users", "{\"name\":\"dora\","
	    "\"password\":\"pw\"}", NULL), 201);
	CHECK_EQ(req("DELETE", "/v1/users/dora", NULL, NULL), 200);
	CHECK_EQ(req("DELETE", "/v1/users/dora", NULL, NULL), 404);
}

RG_TEST_MAIN("web",
    T(routes_and_codes), T(field_validation), T(settings_log_status),
    T(over_unix_socket), T(sessions_api), T(user_delete_revokes_cert),
    FIXTURE(cleanup))
