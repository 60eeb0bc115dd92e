/*
 * api_psks.c: /v1/psks.  Pre-shared keys by peer identity (or %any); the secret is write-only and stored sealed.
 * Fields, types and validation live in server/store_schema.c; the generic
 * store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_psks = {
	.name = "psks",
	.store_res = "psks",
};
