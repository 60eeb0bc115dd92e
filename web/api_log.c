/*
 * api_log.c: /v1/log: log levels per topic, changeable at run time.
 *	GET /v1/log			{"ike": "info", ...}
 *	GET /v1/log/<topic>		{"topic": t, "level": l}
 *	PUT /v1/log/<topic>		{"level": "debug"}  (topic "all": every
 *					topic; PATCH alike)
 */
#include "rg_log.h"
#include "web_int.h"

static int
log_list(struct web_req *r, json_t **out)
{
	int	 t;

	*out = json_object();
	for (t = 0; *out && t < RG_T__COUNT; t++)
		json_object_set_new(*out, rg_topic_name((enum rg_topic)t),
		    json_string(rg_level_name(rg_log_get_level(
		    (enum rg_topic)t))));
	return 200;
}

static int
log_get(struct web_req *r, json_t **out)
{
	enum rg_topic	 t;

	if (rg_topic_parse(r->name, &t) < 0)
		return web_error(out, 404, "topic", "no such log topic: %s",
		    r->name);
	if (t == RG_T__COUNT)
		return log_list(r, out);
	*out = json_pack("{s:s,s:s}", "topic", rg_topic_name(t), "level",
	    rg_level_name(rg_log_get_level(t)));
	return 200;
}

static int
log_put(struct web_req *r, json_t **out)
{
	enum rg_topic	 t;
	enum rg_level	 l;
	json_t		*v;

	if (rg_topic_parse(r->name, &t) < 0)
		return web_error(out, 404, "topic", "no such log topic: %s",
		    r->name);
	v = json_is_object(r->body) ? json_object_get(r->body, "level") : NULL;
	if (!json_is_string(v) || rg_level_parse(json_string_value(v), &l) < 0)
		return web_error(out, 400, "level", "expected a level: error, "
		    "warn, notice, info or debug");
	rg_log_set_level(t, l);
	rg_notice(CORE, "log level of %s set to %s", t == RG_T__COUNT ? "all" :
	    rg_topic_name(t), rg_level_name(l));
	return log_get(r, out);
}

const struct web_resource web_res_log = {
	.name = "log",
	.list = log_list,
	.get = log_get,
	.replace = log_put,
	.patch = log_put,
	.runtime = true,
};
