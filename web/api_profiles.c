/*
 * api_profiles.c: /v1/profiles.  Access profiles (mode-config): pools in
 * order, DNS, WINS, split networks, split-DNS domains, banner, one session
 * per user.  Every change bumps the profile's generation; the response to
 * a change says how many live sessions still run an older generation
 * ("sessions_on_old_generation", from rg_engine_sessions_on_old_profile):
 * they keep it until they reconnect.
 */
#include "web_int.h"

static int
changed(struct web_req *r, int status, json_t **out)
{
	json_int_t	 gen;
	unsigned int	 n = 0;

	if (status != 200)
		return status;
	gen = json_integer_value(json_object_get(*out, "generation"));
	if (r->ctx->engine.sessions_on_old_profile)
		n = r->ctx->engine.sessions_on_old_profile(r->ctx->engine.arg,
		    r->name, (uint32_t)gen);
	json_object_set_new(*out, "sessions_on_old_generation",
	    json_integer(n));
	return status;
}

static int
profile_replace(struct web_req *r, json_t **out)
{
	return changed(r, web_obj_replace(r, out), out);
}

static int
profile_patch(struct web_req *r, json_t **out)
{
	return changed(r, web_obj_patch(r, out), out);
}

const struct web_resource web_res_profiles = {
	.name = "profiles",
	.store_res = "profiles",
	.replace = profile_replace,
	.patch = profile_patch,
};
