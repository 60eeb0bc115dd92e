/*
 * api_proposals.c: /v1/proposals.  Proposal sets: the built-in presets modern and compatible (read-only, listed first) and custom sets of strongSwan-style IKE and ESP proposals, validated token by token.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_proposals = {
	.name = "proposals",
	.store_res = "proposals",
};
