/*
 * fuzz_web_api.c: the REST API's request path with hostile bodies: the
 * first byte picks a route and method, the rest is the request body,
 * handed to web_dispatch() over a real store (validation of every field
 * type, JSON coercion, reference checks, rollback).  Besides not
 * crashing, every answer must be a JSON object and a 4xx must carry an
 * "error".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rg_log.h"
#include "store.h"
#include "web/web_int.h"

static struct store	*st;
static struct web_ctx	 ctx;
static char		 dir[64];

static void
done(void)
{
	char	 cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
init(void)
{
	char	 err[256];

	rg_log_open(false, false, RG_L_ERROR);
	snprintf(dir, sizeof(dir), "/tmp/rg-fuzz-web.XXXXXX");
	if (mkdtemp(dir) == NULL || (st = store_open(dir, err,
	    sizeof(err))) == NULL)
		abort();
	ctx.store = st;
	atexit(done);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct {
		const char	*method, *url;
	} routes[] = {
		{ "POST", "/v1/users" }, { "POST", "/v1/groups" },
		{ "POST", "/v1/pools" }, { "POST", "/v1/profiles" },
		{ "POST", "/v1/policies" }, { "POST", "/v1/proposals" },
		{ "POST", "/v1/psks" }, { "PATCH", "/v1/users/u" },
		{ "PUT", "/v1/pools/p" }, { "PATCH", "/v1/profiles/p" },
		{ "PUT", "/v1/settings/proposals" },
		{ "PUT", "/v1/settings/mss_clamp" },
		{ "PUT", "/v1/log/ike" }, { "DELETE", "/v1/pools/p" },
	};
	json_t	*out = NULL;
	int	 status;

	if (st == NULL)
		init();
	if (len < 1)
		return 0;
	status = web_dispatch(&ctx, routes[data[0] % (sizeof(routes) /
	    sizeof(routes[0]))].method, routes[data[0] % (sizeof(routes) /
	    sizeof(routes[0]))].url, (const char *)data + 1, len - 1, &out);
	if (!json_is_object(out) || status < 200 || status > 599 ||
	    (status >= 400 && !json_is_string(json_object_get(out, "error"))))
		abort();
	json_decref(out);
	rg_log_set_level(RG_T__COUNT, RG_L_ERROR);
	return 0;
}
