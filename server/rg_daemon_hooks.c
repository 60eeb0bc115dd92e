/*
 * rg_daemon_hooks.c: start-up hooks of roadgated (see rg_daemon.h).
 * rg_first_start() is where the CA helper (certs/) generates the CA and
 * server certificate on first start; until then it does nothing.
 */
#include "rg_daemon.h"
#include "rg_log.h"

int
rg_first_start(struct store *st, const char *state_dir, bool created,
    char *err, size_t errlen)
{
	if (created)
		rg_notice(CORE, "new store in %s", state_dir);
	return 0;
}
