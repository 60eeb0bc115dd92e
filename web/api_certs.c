/*
 * api_certs.c: the CA's resources; the work is in certs/cert_mgr*.c.
 *	GET  /v1/ca			the CA (info + "pem")
 *	POST /v1/ca			create {"key_type", "years", "cn"}, or
 *					import {"cert", "key", "key_password"}
 *	GET  /v1/server-cert		the server certificate in use
 *	POST /v1/server-cert		issue {"names": [...], "key_type",
 *					"days"}, or import {"cert", "key"}
 *	GET  /v1/server-cert/all	every one kept, with "status"
 *	GET  /v1/server-cert/names	{"names"} of the one in use
 *	PUT  /v1/server-cert/names	{"names"}: new names, new certificate
 *					(the old one superseded, kept)
 *	PUT  /v1/server-cert/use	{"serial"}: roll back to a kept one
 *	GET  /v1/certs			client certificates, newest first
 *	GET  /v1/certs/<user>		one user's certificate (+ "pem")
 *	POST /v1/certs			issue {"user", "san_email" |
 *					"san_dns", "days", "key_type"}
 *	PUT  /v1/certs/<user>/renew	new key + certificate, old superseded
 *	PUT  /v1/certs/<user>/revoke	{"reason"}; a new CRL
 *	PUT  /v1/cert-export/<user>	{"format": "p12"|"pem", "legacy",
 *					"password"} -> {"data": base64, ...}
 *	GET  /v1/crl			the current CRL (+ "pem")
 * Errors name the field: {"error": ..., "field": ...}.
 */
#include <stdio.h>
#include <string.h>

#include "certs/cert_mgr.h"
#include "web_int.h"

static int
status_of(int rc)
{
	switch (rc) {
	case 0:
		return 200;
	case STORE_EINVAL:
		return 400;
	case STORE_ENOENT:
		return 404;
	case STORE_EEXIST:
	case STORE_EBUSY:
	case STORE_EROFS:
		return 409;
	}
	return 500;
}

/* The answer of a cert_mgr call: out, or the error body. */
static int
answer(int rc, int ok_status, const struct cert_err *e, json_t **out)
{
	if (rc == 0)
		return ok_status;
	json_decref(*out);
	*out = NULL;
	return web_error(out, status_of(rc), e->field, "%s", e->why);
}

static bool
body_ok(struct web_req *r, json_t **out, int *status)
{
	if (r->body == NULL || json_is_object(r->body))
		return true;
	*status = web_error(out, 400, NULL, "expected a JSON object");
	return false;
}

static int
ca_show(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	return answer(certmgr_ca_show(r->ctx->store, out, &e), 200, &e, out);
}

static int
ca_post(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	if (certmgr_jstr(r->body, "cert") || certmgr_jstr(r->body, "key"))
		return answer(certmgr_ca_import(r->ctx->store, r->body, out,
		    &e), 201, &e, out);
	return answer(certmgr_ca_create(r->ctx->store, r->body, out, &e), 201,
	    &e, out);
}

static int
ca_named(struct web_req *r, json_t **out)
{
	return web_error(out, 404, NULL, "no such path: /v1/ca/%s", r->name);
}

const struct web_resource web_res_ca = {
	.name = "ca",
	.list = ca_show,
	.get = ca_named,
	.create = ca_post,
};

static int
server_show(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	return answer(certmgr_server_show(r->ctx->store, out, &e), 200, &e,
	    out);
}

static int
server_post(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	if (certmgr_jstr(r->body, "cert") || certmgr_jstr(r->body, "key"))
		return answer(certmgr_server_import(r->ctx->store, r->body,
		    out, &e), 201, &e, out);
	return answer(certmgr_server_issue(r->ctx->store, r->body, out, &e),
	    201, &e, out);
}

/* GET /v1/server-cert/all (every one kept), /v1/server-cert/names */
static int
server_get(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	if (strcmp(r->name, "all") == 0)
		return answer(certmgr_server_list(r->ctx->store, out, &e), 200,
		    &e, out);
	if (strcmp(r->name, "names") == 0)
		return answer(certmgr_server_names(r->ctx->store, NULL, out,
		    &e), 200, &e, out);
	return web_error(out, 404, NULL, "no such path: /v1/server-cert/%s "
	    "(all, names)", r->name);
}

/* PUT /v1/server-cert/names {"names"}, /v1/server-cert/use {"serial"} */
static int
server_put(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	if (strcmp(r->name, "names") == 0) {
		if (json_object_get(r->body, "names") == NULL)
			return web_error(out, 400, "names", "names is "
			    "required: the host names and IP addresses the "
			    "clients dial");
		return answer(certmgr_server_names(r->ctx->store, r->body,
		    out, &e), 200, &e, out);
	}
	if (strcmp(r->name, "use") == 0)
		return answer(certmgr_server_use(r->ctx->store,
		    certmgr_jstr(r->body, "serial"), out, &e), 200, &e, out);
	return web_error(out, 404, NULL, "no such path: /v1/server-cert/%s "
	    "(names, use)", r->name);
}

const struct web_resource web_res_server_cert = {
	.name = "server-cert",
	.list = server_show,
	.get = server_get,
	.create = server_post,
	.replace = server_put,
};

static int
certs_list(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	return answer(certmgr_client_list(r->ctx->store, out, &e), 200, &e,
	    out);
}

static int
certs_get(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	if (strchr(r->name, '/') != NULL)
		return web_error(out, 404, NULL, "no such path");
	return answer(certmgr_client_show(r->ctx->store, r->name, out, &e),
	    200, &e, out);
}

static int
certs_issue(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	const char	*user;
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	if ((user = certmgr_jstr(r->body, "user")) == NULL)
		return web_error(out, 400, "user", "a user name is required");
	return answer(certmgr_client_issue(r->ctx->store, user, r->body, out,
	    &e), 201, &e, out);
}

/* PUT /v1/certs/<user>/<action> */
static int
certs_action(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	const char	*slash = strrchr(r->name, '/');
	char		 user[256];
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	if (slash == NULL || (size_t)(slash - r->name) >= sizeof(user))
		return web_error(out, 404, NULL, "use PUT /v1/certs/<user>/"
		    "renew or /revoke");
	snprintf(user, sizeof(user), "%.*s", (int)(slash - r->name), r->name);
	if (strcmp(slash + 1, "renew") == 0)
		return answer(certmgr_client_renew(r->ctx->store, user,
		    r->body, out, &e), 200, &e, out);
	if (strcmp(slash + 1, "revoke") == 0)
		return answer(certmgr_client_revoke(r->ctx->store, user,
		    r->body, out, &e), 200, &e, out);
	return web_error(out, 404, NULL, "no such action: %s", slash + 1);
}

const struct web_resource web_res_certs = {
	.name = "certs",
	.list = certs_list,
	.get = certs_get,
	.create = certs_issue,
	.replace = certs_action,
};

static int
export(struct web_req *r, json_t **out)
{
	struct cert_err	 e;
	int		 st;

	if (!body_ok(r, out, &st))
		return st;
	return answer(certmgr_client_export(r->ctx->store, r->name, r->body,
	    out, &e), 200, &e, out);
}

/* An export changes nothing stored: no snapshot rebuild. */
const struct web_resource web_res_cert_export = {
	.name = "cert-export",
	.replace = export,
	.runtime = true,
};

static int
crl_show(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	return answer(certmgr_crl_show(r->ctx->store, out, &e), 200, &e, out);
}

const struct web_resource web_res_crl = {
	.name = "crl",
	.list = crl_show,
	.get = ca_named,
};
