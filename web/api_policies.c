/*
 * api_policies.c: /v1/policies.  Policy templates: the networks a client may reach (traffic-selector narrowing), L2TP transport mode.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_policies = {
	.name = "policies",
	.store_res = "policies",
};
