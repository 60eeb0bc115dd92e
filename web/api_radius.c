/*
 * api_radius.c: /v1/radius.  RADIUS servers (radius/), tried in name
 * order; the shared secret is write-only and stored sealed like a PSK.
 * Fields, types and validation live in server/store/store_schema.c; the
 * generic store-backed handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_radius = {
	.name = "radius",
	.store_res = "radius",
};
