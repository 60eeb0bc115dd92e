/*
 * prof_build.h: fills the one plain struct of prof.h from what the server
 * runs: a fresh configuration snapshot (store_config_load, the same one
 * the daemon builds after every change) and, for certificate auth, the
 * user's certificate exported from the store (certs/cert_mgr.h).
 */
#ifndef RG_PROF_BUILD_H
#define RG_PROF_BUILD_H

#include "prof.h"

struct store;
struct rg_config;

/* The struct and everything it points to. */
struct prof_ctx {
	struct prof_server	 srv;
	struct rg_config	*cfg;
	char			**strs;		/* split, dns */
	size_t			 nstrs;
	const char		**split, **dns, **domains;
	char			*address, *ca_cn, *user_id;
	unsigned char		*p12;
	size_t			 p12_len;
	char			*p12_password;
	char			*user_pem;
};

/*
 * 0, or -1 with *status (404 unknown user, 400 bad request, 409 missing
 * server state, 500), *field and why set.
 */
int	prof_load(struct store *, const char *user, enum prof_method,
	    struct prof_ctx *, int *status, const char **field, char *why,
	    size_t whylen);
void	prof_ctx_clear(struct prof_ctx *);

/* Whether prefix p lies inside prefix net (same family). */
struct rg_prefix;
int	prof_prefix_within(const struct rg_prefix *p,
	    const struct rg_prefix *net);

#endif
