/*
 * api_groups.c: /v1/groups.  Groups: the access profile and policy template their users get.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_groups = {
	.name = "groups",
	.store_res = "groups",
};
