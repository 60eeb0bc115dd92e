/*
 * api_sessions.c: /v1/sessions: the engine's live sessions.
 *	GET /v1/sessions		[{session_id, user, profile, peer, vip,
 *					  bytes_in, bytes_out, uptime_s, ...}]
 *	GET /v1/sessions/<id>		one of them
 *	DELETE /v1/sessions/<id>	end it: DELETE sent to the client, its
 *					lease released (kept reserved for the
 *					user for sticky_s)
 * Past sessions are in /v1/history.
 */
#include <errno.h>
#include <stdlib.h>

#include "web_int.h"

static int
parse_id(const char *s, uint64_t *id)
{
	char	*end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return errno || *end || *id == 0 ? -1 : 0;
}

static int
sessions_list(struct web_req *r, json_t **out)
{
	struct web_engine	*en = &r->ctx->engine;

	*out = en->sessions ? en->sessions(en->arg) : json_array();
	return *out ? 200 : 500;
}

static json_t *
find(struct web_req *r, uint64_t id)
{
	struct web_engine	*en = &r->ctx->engine;
	json_t			*all, *s, *found = NULL;
	size_t			 i;

	if (en->sessions == NULL || (all = en->sessions(en->arg)) == NULL)
		return NULL;
	json_array_foreach(all, i, s)
		if ((uint64_t)json_integer_value(json_object_get(s,
		    "session_id")) == id) {
			found = json_incref(s);
			break;
		}
	json_decref(all);
	return found;
}

static int
sessions_get(struct web_req *r, json_t **out)
{
	uint64_t	 id;

	if (parse_id(r->name, &id) < 0)
		return web_error(out, 400, "id", "expected a session id (a "
		    "positive number), got \"%s\"", r->name);
	if ((*out = find(r, id)) == NULL)
		return web_error(out, 404, "id", "no live session %s",
		    r->name);
	return 200;
}

static int
sessions_del(struct web_req *r, json_t **out)
{
	struct web_engine	*en = &r->ctx->engine;
	json_t			*s;
	uint64_t		 id;

	if (parse_id(r->name, &id) < 0)
		return web_error(out, 400, "id", "expected a session id (a "
		    "positive number), got \"%s\"", r->name);
	if ((s = find(r, id)) == NULL || en->kill_session == NULL ||
	    en->kill_session(en->arg, id, "ended by the administrator") < 0) {
		json_decref(s);
		return web_error(out, 404, "id", "no live session %s",
		    r->name);
	}
	*out = json_pack("{s:I,s:O,s:b}", "session_id", (json_int_t)id,
	    "user", json_object_get(s, "user") ? json_object_get(s, "user") :
	    json_null(), "ended", 1);
	json_decref(s);
	return 200;
}

const struct web_resource web_res_sessions = {
	.name = "sessions",
	.list = sessions_list,
	.get = sessions_get,
	.del = sessions_del,
	.runtime = true,
};
