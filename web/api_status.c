/*
 * api_status.c: GET /v1/status: {"ready": true, "version": ..., "store":
 * path, "engine": rg_engine_status()}.  It answers once the daemon serves
 * the API, which is when it is ready; scripts wait on it.
 */
#include "config.h"

#include "web_int.h"

static int
status_get(struct web_req *r, json_t **out)
{
	*out = json_pack("{s:b,s:s,s:s,s:o}", "ready", 1,
	    "version", PACKAGE_VERSION,
	    "store", store_path(r->ctx->store),
	    "engine", r->ctx->engine.status ?
	    r->ctx->engine.status(r->ctx->engine.arg) : json_null());
	return *out ? 200 : 500;
}

const struct web_resource web_res_status = {
	.name = "status",
	.list = status_get,
};
