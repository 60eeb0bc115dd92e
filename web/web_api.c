/*
 * web_api.c: the API's one routing table and dispatcher.  Routes:
 *	GET    /v1/<res>		list
 *	POST   /v1/<res>		create (name in the body)
 *	GET    /v1/<res>/<name>		show
 *	PUT    /v1/<res>/<name>		replace
 *	PATCH  /v1/<res>/<name>		change the given fields
 *	DELETE /v1/<res>/<name>		delete
 * Errors are JSON {"error": "...", "field": "..."}: 400 invalid, 404
 * unknown, 405 method, 409 duplicate / in use / read-only, 500 store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rg_log.h"
#include "web_int.h"

/* The table: one line per resource. */
static const struct web_resource *const resources[] = {
	&web_res_users,
	&web_res_groups,
	&web_res_pools,
	&web_res_profiles,
	&web_res_policies,
	&web_res_proposals,
	&web_res_psks,
	&web_res_radius,
	&web_res_dae_clients,
	&web_res_settings,
	&web_res_status,
	&web_res_log,
	&web_res_history,
	&web_res_sessions,
	&web_res_ca,
	&web_res_server_cert,
	&web_res_certs,
	&web_res_cert_export,
	&web_res_crl,
	&web_res_admins,
	&web_res_tokens,
	&web_res_audit,
	NULL
};

int
web_error(json_t **out, int status, const char *field, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*out = json_pack("{s:s}", "error", msg);
	if (*out && field && *field)
		json_object_set_new(*out, "field", json_string(field));
	return status;
}

int
web_store_error(json_t **out, const struct store_err *e)
{
	int	 status;

	switch (e->code) {
	case STORE_EINVAL:
		status = 400;
		break;
	case STORE_ENOENT:
		status = 404;
		break;
	case STORE_EEXIST:
	case STORE_EBUSY:
	case STORE_EROFS:
		status = 409;
		break;
	default:
		status = 500;
		break;
	}
	return web_error(out, status, e->field, "%s", e->msg);
}

static web_handler
pick(const struct web_resource *r, const char *method, bool named)
{
	if (strcmp(method, "GET") == 0)
		return named ? (r->get ? r->get : r->store_res ? web_obj_get :
		    NULL) : (r->list ? r->list : r->store_res ? web_obj_list :
		    NULL);
	if (strcmp(method, "POST") == 0 && !named)
		return r->create ? r->create : r->store_res ? web_obj_create :
		    NULL;
	if (strcmp(method, "PUT") == 0 && named)
		return r->replace ? r->replace : r->store_res ?
		    web_obj_replace : NULL;
	if (strcmp(method, "PATCH") == 0 && named)
		return r->patch ? r->patch : r->store_res ? web_obj_patch :
		    NULL;
	if (strcmp(method, "DELETE") == 0 && named)
		return r->del ? r->del : r->store_res ? web_obj_del : NULL;
	return NULL;
}

int
web_dispatch(struct web_ctx *ctx, const char *method, const char *url,
    const char *body, size_t len, json_t **out)
{
	return web_dispatch_as(ctx, NULL, method, url, body, len, out, NULL);
}

int
web_dispatch_raw(struct web_ctx *ctx, const char *method, const char *url,
    const char *body, size_t len, json_t **out, struct web_raw *raw)
{
	return web_dispatch_as(ctx, NULL, method, url, body, len, out, raw);
}

static const struct web_who	 web_root = { "root", "unix socket", false };

int
web_dispatch_as(struct web_ctx *ctx, const struct web_who *who,
    const char *method, const char *url, const char *body, size_t len,
    json_t **out, struct web_raw *raw)
{
	const struct web_resource *const *rp;
	struct web_req		 req = { ctx, method, NULL, NULL, NULL, NULL,
				    raw, NULL };
	const char		*full = url;
	bool			 change = strcmp(method, "GET") != 0 &&
				    strcmp(method, "HEAD") != 0;
	char			 res[64], name[300], path[400];
	const char		*slash, *q;
	json_error_t		 jerr;
	web_handler		 h;
	int			 status;

	*out = NULL;
	/* "?query" apart; the path is matched without it. */
	if ((q = strchr(url, '?')) != NULL) {
		if ((size_t)(q - url) >= sizeof(path))
			return web_error(out, 404, NULL, "no such path");
		snprintf(path, sizeof(path), "%.*s", (int)(q - url), url);
		req.query = q + 1;
		url = path;
	}
	if (strncmp(url, "/v1/", 4) != 0)
		return web_error(out, 404, NULL, "no such path: %s (the API "
		    "lives under /v1/)", url);
	url += 4;
	slash = strchr(url, '/');
	if ((slash ? (size_t)(slash - url) : strlen(url)) >= sizeof(res) ||
	    (slash && strlen(slash + 1) >= sizeof(name)))
		return web_error(out, 404, NULL, "no such path");
	snprintf(res, sizeof(res), "%.*s", slash ? (int)(slash - url) :
	    (int)strlen(url), url);
	snprintf(name, sizeof(name), "%s", slash ? slash + 1 : "");
	for (rp = resources; *rp; rp++)
		if (strcmp((*rp)->name, res) == 0)
			break;
	if (*rp == NULL)
		return web_error(out, 404, NULL, "no such resource: %s", res);
	req.res = res;
	req.name = name[0] ? name : NULL;
	if ((h = pick(*rp, method, req.name != NULL)) == NULL)
		return web_error(out, 405, NULL, "%s not allowed on %s%s",
		    method, res, req.name ? "/<name>" : "");
	req.who = who ? who : &web_root;
	if (change && req.who->read_only) {
		/* A refused attempt is worth an audit row too. */
		(void)store_audit_add(ctx->store, req.who->name,
		    req.who->source, method, full, 403);
		return web_error(out, 403, NULL, "%s is read-only: %s %s "
		    "refused", req.who->name, method, full);
	}
	if (body && len) {
		if ((req.body = json_loadb(body, len, 0, &jerr)) == NULL)
			return web_error(out, 400, NULL, "invalid JSON at "
			    "line %d: %s", jerr.line, jerr.text);
	}
	if ((*rp)->store_res)
		req.res = (*rp)->store_res;
	status = h(&req, out);
	json_decref(req.body);
	if (status >= 200 && status < 300 && strcmp(method, "GET") != 0 &&
	    !(*rp)->runtime && ctx->changed &&
	    ctx->changed(ctx->changed_arg) < 0 && json_is_object(*out))
		json_object_set_new(*out, "warning", json_string("stored, but "
		    "the engines refused the new configuration (see the "
		    "log); the previous one stays active"));
	if (change && ctx->store && store_audit_add(ctx->store,
	    req.who->name, req.who->source, method, full, status) < 0)
		rg_err(WEB, "audit: %s %s by %s not recorded", method, full,
		    req.who->name);
	rg_debug(WEB, "%s /v1/%s%s%s -> %d", method, res, req.name ? "/" : "",
	    req.name ? req.name : "", status);
	return status;
}

/* --- generic handlers over the store ----------------------------------- */

int
web_obj_list(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_obj_list(r->ctx->store, r->res, &e)) == NULL)
		return web_store_error(out, &e);
	return 200;
}

int
web_obj_get(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_obj_get(r->ctx->store, r->res, r->name, &e)) ==
	    NULL)
		return web_store_error(out, &e);
	return 200;
}

/* The object as stored now, for the response. */
static int
respond_obj(struct web_req *r, const char *key, int status, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_obj_get(r->ctx->store, r->res, key, &e)) == NULL)
		return web_store_error(out, &e);
	return status;
}

int
web_obj_create(struct web_req *r, json_t **out)
{
	struct store_err	 e;
	json_t			*k;
	char			 key[300];

	if (!json_is_object(r->body))
		return web_error(out, 400, NULL, "expected a JSON object");
	if (store_obj_add(r->ctx->store, r->res, r->body, &e) < 0)
		return web_store_error(out, &e);
	/* The key is "name", or "id" for PSKs. */
	k = json_object_get(r->body, "name");
	if (k == NULL)
		k = json_object_get(r->body, "id");
	snprintf(key, sizeof(key), "%s", json_string_value(k));
	return respond_obj(r, key, 201, out);
}

static int
update(struct web_req *r, bool replace, json_t **out)
{
	struct store_err	 e;

	if (!json_is_object(r->body))
		return web_error(out, 400, NULL, "expected a JSON object");
	if (store_obj_update(r->ctx->store, r->res, r->name, r->body, replace,
	    &e) < 0)
		return web_store_error(out, &e);
	return respond_obj(r, r->name, 200, out);
}

int
web_obj_replace(struct web_req *r, json_t **out)
{
	return update(r, true, out);
}

int
web_obj_patch(struct web_req *r, json_t **out)
{
	return update(r, false, out);
}

int
web_obj_del(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if (store_obj_del(r->ctx->store, r->res, r->name, &e) < 0)
		return web_store_error(out, &e);
	*out = json_pack("{s:s}", "deleted", r->name);
	return 200;
}
