/*
 * api_users.c: /v1/users.  Local users: name, password (write-only; stored sealed with its NT hash), group, per-user profile, static IPv4, enabled.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include <string.h>

#include <openssl/x509v3.h>

#include "certs/cert_mgr.h"
#include "web_int.h"

/*
 * DELETE /v1/users/<name>: the user's certificates are revoked first (their
 * own store transactions and a new CRL), then the user is deleted.  Not
 * one transaction (the CRL is signed outside SQLite); a failure between
 * the two leaves a user with a revoked certificate, never a deleted user
 * with a valid one (docs/CERTS.md).
 */
static int
users_del(struct web_req *r, json_t **out)
{
	struct cert_err	 e;

	memset(&e, 0, sizeof(e));
	if (certmgr_client_revoke_all(r->ctx->store, r->name,
	    CRL_REASON_CESSATION_OF_OPERATION, &e) < 0)
		return web_error(out, 500, e.field, "user %s not deleted: its "
		    "certificate could not be revoked: %s", r->name, e.why);
	return web_obj_del(r, out);
}

/* GET /v1/users/<name>/profiles/<os>: api_profile_export.c */
static int
users_get(struct web_req *r, json_t **out)
{
	if (strchr(r->name, '/') != NULL)
		return web_profile_get(r, out);
	return web_obj_get(r, out);
}

const struct web_resource web_res_users = {
	.name = "users",
	.store_res = "users",
	.get = users_get,
	.del = users_del,
};
