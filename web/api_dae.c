/*
 * api_dae.c: /v1/dae_clients.  The clients allowed to send RFC 5176
 * Disconnect and CoA requests to the DAE listener (radius/radius_dae.c),
 * known by their address; the secret is write-only and stored sealed.
 * Fields live in server/store/store_schema.c; the generic store-backed
 * handlers of web_api.c serve every route.
 */
#include "web_int.h"

const struct web_resource web_res_dae_clients = {
	.name = "dae_clients",
	.store_res = "dae_clients",
};
