/*
 * api_pools.c: /v1/pools.  Address pools: ranges ("a-b" or CIDR; no
 * overlap between pools), excluded prefixes, the next pool when exhausted.
 * GET /v1/pools/<name> adds the engine's live view ("status": leases in
 * use, free addresses) from the engine (rg_engine_pool_status()).
 */
#include "web_int.h"

static int
pool_get(struct web_req *r, json_t **out)
{
	struct web_engine	*en = &r->ctx->engine;
	int			 status = web_obj_get(r, out);

	if (status == 200 && en->pool_status)
		json_object_set_new(*out, "status",
		    en->pool_status(en->arg, r->name));
	return status;
}

const struct web_resource web_res_pools = {
	.name = "pools",
	.store_res = "pools",
	.get = pool_get,
};
