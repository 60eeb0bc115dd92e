/*
 * api_settings.c: /v1/settings.  Known keys only (server/store_schema.c).
 *	GET    /v1/settings		all keys, defaults filled in
 *	GET    /v1/settings/<key>	{"key": k, "value": v}
 *	PUT    /v1/settings/<key>	{"value": v}   (PATCH alike)
 *	DELETE /v1/settings/<key>	back to the default
 */
#include "web_int.h"

static int
settings_list(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_settings_get(r->ctx->store, &e)) == NULL)
		return web_store_error(out, &e);
	return 200;
}

static int
settings_get(struct web_req *r, json_t **out)
{
	struct store_err	 e;
	json_t			*all, *v;

	if ((all = store_settings_get(r->ctx->store, &e)) == NULL)
		return web_store_error(out, &e);
	if ((v = json_object_get(all, r->name)) == NULL) {
		json_decref(all);
		return web_error(out, 404, "key", "no such setting: %s",
		    r->name);
	}
	*out = json_pack("{s:s,s:O}", "key", r->name, "value", v);
	json_decref(all);
	return 200;
}

static int
set(struct web_req *r, json_t *value, json_t **out)
{
	struct store_err	 e;
	json_t			*o;
	int			 rc;

	o = json_object();
	json_object_set(o, r->name, value);
	rc = store_settings_set(r->ctx->store, o, &e);
	json_decref(o);
	if (rc < 0)
		return web_store_error(out, &e);
	return settings_get(r, out);
}

static int
settings_put(struct web_req *r, json_t **out)
{
	json_t	*v;

	if (!json_is_object(r->body) ||
	    (v = json_object_get(r->body, "value")) == NULL)
		return web_error(out, 400, "value", "expected {\"value\": ...}");
	return set(r, v, out);
}

static int
settings_del(struct web_req *r, json_t **out)
{
	return set(r, json_null(), out);
}

const struct web_resource web_res_settings = {
	.name = "settings",
	.list = settings_list,
	.get = settings_get,
	.replace = settings_put,
	.patch = settings_put,
	.del = settings_del,
};
