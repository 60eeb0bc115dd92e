/*
 * api_users.c: /v1/users.  Local users: name, password (write-only; stored sealed with its NT hash), group, per-user profile, static IPv4, enabled.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_users = {
	.name = "users",
	.store_res = "users",
};
