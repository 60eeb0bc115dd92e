/*
 * api_history.c: GET /v1/history: the session history from the store
 * (newest 200 first: user, protocol, auth method, peer, virtual IP,
 * start, end, bytes, and why it ended).
 * Live sessions are in GET /v1/status (the engine's view); /v1/sessions
 * is left for them (and for kicking one).
 */
#include "web_int.h"

static int
history_list(struct web_req *r, json_t **out)
{
	if ((*out = store_session_list(r->ctx->store, 200)) == NULL)
		return web_error(out, 500, NULL, "cannot read sessions");
	return 200;
}

const struct web_resource web_res_history = {
	.name = "history",
	.list = history_list,
};
