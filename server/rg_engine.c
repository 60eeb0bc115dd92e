/*
 * rg_engine.c: wires the protocol engines to the daemon core.
 * (The engines land module by module; until then the engine only keeps the
 * configuration snapshot and reports an empty status.)
 */
#include <stdlib.h>

#include "rg_engine.h"
#include "rg_log.h"

struct rg_engine {
	struct rg_loop		*loop;
	struct rg_config	*cfg;	/* counted reference */
	struct rg_engine_opts	 opts;
};

struct rg_engine *
rg_engine_new(struct rg_loop *loop, const struct rg_engine_opts *opts,
    struct rg_config *cfg)
{
	struct rg_engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->loop = loop;
	e->opts = *opts;
	e->cfg = rg_config_ref(cfg);
	return e;
}

int
rg_engine_reconfigure(struct rg_engine *e, struct rg_config *cfg)
{
	rg_config_unref(e->cfg);
	e->cfg = rg_config_ref(cfg);
	return 0;
}

void
rg_engine_shutdown(struct rg_engine *e)
{
}

void
rg_engine_free(struct rg_engine *e)
{
	if (e == NULL)
		return;
	rg_config_unref(e->cfg);
	free(e);
}

json_t *
rg_engine_status(struct rg_engine *e)
{
	return json_pack("{s:[]}", "sessions");
}

json_t *
rg_engine_pool_status(struct rg_engine *e, const char *pool)
{
	return json_pack("{s:[]}", "leases");
}

unsigned int
rg_engine_sessions_on_old_profile(struct rg_engine *e, const char *profile,
    uint32_t generation)
{
	return 0;
}
