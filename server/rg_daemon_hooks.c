/*
 * rg_daemon_hooks.c: roadgated's start-up and periodic hooks into other
 * modules (see rg_daemon.h): the PKI made on first start and the CRL kept
 * fresh, both by certs/ (certs/cert_mgr.h).
 */
#include <stdio.h>

#include "certs/cert_mgr.h"
#include "rg_daemon.h"
#include "rg_log.h"

int
rg_first_start(struct store *st, const char *state_dir, bool created,
    char *err, size_t errlen)
{
	struct cert_err	 e = { "", "" };
	bool		 changed = false;

	if (created)
		rg_notice(CORE, "new store in %s", state_dir);
	/* A CA, a server certificate and a CRL when the store has none. */
	if (cert_first_start(st, NULL, 0, &changed, &e) < 0) {
		snprintf(err, errlen, "first start: certificates: %s%s%s",
		    e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.why);
		return -1;
	}
	if (changed)
		rg_notice(CERT, "created the CA and the server certificate "
		    "(roadgatectl ca show --pem prints the CA for clients)");
	return 0;
}

int
rg_periodic(struct store *st, bool *changed)
{
	struct cert_err	 e = { "", "" };

	*changed = false;
	if (certmgr_crl_refresh(st, changed, &e) < 0) {
		rg_err(CERT, "CRL refresh failed: %s%s%s", e.field,
		    e.field[0] ? ": " : "", e.why);
		return -1;
	}
	return 0;
}
