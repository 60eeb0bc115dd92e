/*
 * api_admins.c: who may use the HTTPS listener, and what they did.
 *	GET/POST /v1/admins, GET/PATCH/DELETE /v1/admins/<name>
 *		{name, password (write-only, scrypt-hashed), role}
 *	GET/POST /v1/tokens, DELETE /v1/tokens/<name>
 *		{name, role}; POST answers the token once, it is stored
 *		hashed and cannot be shown again
 *	GET /v1/audit	the audit log, newest first (last 1000)
 * Roles: "admin" (everything) and "read-only" (GET only).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "web_auth.h"
#include "web_int.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
check_pw(json_t *body, const char **pw, bool required, json_t **out)
{
	json_t	*v = json_object_get(body, "password");

	*pw = NULL;
	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) < WEB_PW_MIN ||
	    strlen(json_string_value(v)) > WEB_PW_MAX)
		return web_error(out, 400, "password", "expected a password "
		    "of %d to %d bytes", WEB_PW_MIN, WEB_PW_MAX);
	*pw = json_string_value(v);
	return 0;
}

static int
admins_list(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_admin_list(r->ctx->store, &e)) == NULL)
		return web_store_error(out, &e);
	return 200;
}

/* The listed form of admin name. */
static int
admin_show(struct web_req *r, const char *name, json_t **out)
{
	json_t	*all, *v;
	size_t	 i;
	int	 status;

	if ((status = admins_list(r, &all)) != 200) {
		*out = all;
		return status;
	}
	json_array_foreach(all, i, v)
		if (strcmp(str(v, "name"), name) == 0) {
			*out = json_incref(v);
			json_decref(all);
			return 200;
		}
	json_decref(all);
	return web_error(out, 404, "name", "no such admin: %s", name);
}

static int
admins_get(struct web_req *r, json_t **out)
{
	return admin_show(r, r->name, out);
}

static int
admins_create(struct web_req *r, json_t **out)
{
	struct store_err	 e;
	char			 hash[WEB_PW_HASH_MAX];
	const char		*pw, *role;
	int			 rc;

	if (!json_is_object(r->body))
		return web_error(out, 400, NULL, "expected a JSON object");
	if (check_pw(r->body, &pw, true, out))
		return 400;
	role = json_object_get(r->body, "role") ? str(r->body, "role") :
	    "admin";
	if (web_pw_hash(pw, hash) < 0)
		return web_error(out, 500, NULL, "password hashing failed");
	rc = store_admin_add(r->ctx->store, str(r->body, "name"), hash,
	    role ? role : "", &e);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc < 0)
		return web_store_error(out, &e);
	return admin_show(r, str(r->body, "name"), out) == 200 ? 201 : 500;
}

static int
admins_patch(struct web_req *r, json_t **out)
{
	struct store_err	 e;
	char			 hash[WEB_PW_HASH_MAX];
	const char		*pw, *role = NULL;
	int			 rc;

	if (!json_is_object(r->body))
		return web_error(out, 400, NULL, "expected a JSON object");
	if (check_pw(r->body, &pw, false, out))
		return 400;
	if (json_object_get(r->body, "role") &&
	    (role = str(r->body, "role")) == NULL)
		return web_error(out, 400, "role", "expected admin or "
		    "read-only");
	if (pw && web_pw_hash(pw, hash) < 0)
		return web_error(out, 500, NULL, "password hashing failed");
	rc = store_admin_set(r->ctx->store, r->name, pw ? hash : NULL, role,
	    &e);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc < 0)
		return web_store_error(out, &e);
	return admins_get(r, out);
}

static int
admins_del(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if (store_admin_del(r->ctx->store, r->name, &e) < 0)
		return web_store_error(out, &e);
	*out = json_pack("{s:s}", "deleted", r->name);
	return 200;
}

/* Admin changes decide whether the HTTPS listener serves (an admin must
 * exist), so they reach the daemon's change hook: not runtime. */
const struct web_resource web_res_admins = {
	.name = "admins",
	.list = admins_list,
	.get = admins_get,
	.create = admins_create,
	.patch = admins_patch,
	.del = admins_del,
};

static int
tokens_list(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_token_list(r->ctx->store, &e)) == NULL)
		return web_store_error(out, &e);
	return 200;
}

static int
tokens_create(struct web_req *r, json_t **out)
{
	struct store_err	 e;
	char			 tok[WEB_TOKEN_LEN + 1], hash[WEB_HEX_ID];
	const char		*role;

	if (!json_is_object(r->body))
		return web_error(out, 400, NULL, "expected a JSON object");
	role = json_object_get(r->body, "role") ? str(r->body, "role") :
	    "read-only";
	if (web_token_new(tok, hash) < 0)
		return web_error(out, 500, NULL, "no random token");
	if (store_token_add(r->ctx->store, str(r->body, "name"), hash,
	    role ? role : "", &e) < 0) {
		OPENSSL_cleanse(tok, sizeof(tok));
		return web_store_error(out, &e);
	}
	*out = json_pack("{s:s,s:s,s:s,s:s}", "name", str(r->body, "name"),
	    "role", role, "token", tok, "note", "shown once: it is stored "
	    "hashed and cannot be shown again");
	OPENSSL_cleanse(tok, sizeof(tok));
	return 201;
}

static int
tokens_del(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if (store_token_del(r->ctx->store, r->name, &e) < 0)
		return web_store_error(out, &e);
	*out = json_pack("{s:s}", "deleted", r->name);
	return 200;
}

const struct web_resource web_res_tokens = {
	.name = "tokens",
	.list = tokens_list,
	.create = tokens_create,
	.del = tokens_del,
	.runtime = true,
};

static int
audit_list(struct web_req *r, json_t **out)
{
	struct store_err	 e;

	if ((*out = store_audit_list(r->ctx->store, 1000, &e)) == NULL)
		return web_store_error(out, &e);
	return 200;
}

const struct web_resource web_res_audit = {
	.name = "audit",
	.list = audit_list,
};
