/*
 * api_sessions.c: GET /v1/sessions: the session history from the store
 * (newest 200 first: user, protocol, peer, virtual IP, start, end, bytes).
 * Live sessions are in GET /v1/status (the engine's view).
 */
#include "web_int.h"

static int
sessions_list(struct web_req *r, json_t **out)
{
	if ((*out = store_session_list(r->ctx->store, 200)) == NULL)
		return web_error(out, 500, NULL, "cannot read sessions");
	return 200;
}

const struct web_resource web_res_sessions = {
	.name = "sessions",
	.list = sessions_list,
};
