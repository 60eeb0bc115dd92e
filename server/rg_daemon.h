/*
 * rg_daemon.h: hooks of roadgated's start-up (server/rg_main.c) that other
 * modules fill in.
 */
#ifndef RG_DAEMON_H
#define RG_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/*
 * Called at every start, after the store is open and before the first
 * snapshot is loaded; created is true when this start created the store.
 * certs/ fills it: generate the CA and the server certificate when the
 * store holds none.  Must be idempotent.  -1 with a message in err stops
 * the daemon.  Both are defined in server/rg_daemon_hooks.c.
 */
int	rg_first_start(struct store *, const char *state_dir, bool created,
	    char *err, size_t errlen);

/*
 * Called hourly (and once at start) on the loop: upkeep such as the CRL
 * refresh.  *changed: the store changed, rebuild the snapshot.
 */
int	rg_periodic(struct store *, bool *changed);

#endif
