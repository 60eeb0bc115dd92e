/*
 * web: the admin REST API (JSON over HTTP/1.1).  libmicrohttpd is used only
 * in web/; the same handlers serve the root-only unix socket now and an
 * HTTPS listener later.  The daemon gives it a context (store, engine, a
 * callback run after every committed change) and the loop it runs on.
 */
#ifndef WEB_H
#define WEB_H

#include <stddef.h>

struct rg_loop;
struct store;
struct web;

#include <jansson.h>
#include <stdint.h>

/*
 * The engine's run-time view reaches the API through these (the daemon
 * points them at rg_engine_status(), rg_engine_pool_status(),
 * rg_engine_sessions_on_old_profile(), rg_engine_sessions() and
 * rg_engine_kill_session()); NULL ones report nothing.
 */
struct web_engine {
	json_t		*(*status)(void *arg);		/* new reference */
	json_t		*(*pool_status)(void *arg, const char *pool);
	unsigned int	 (*sessions_on_old_profile)(void *arg,
			    const char *profile, uint32_t generation);
	void		*arg;
	/* rg_engine_sessions() and rg_engine_kill_session() (0, or -1: no
	 * live session with that id). */
	json_t		*(*sessions)(void *arg);
	int		 (*kill_session)(void *arg, uint64_t id,
			    const char *why);
};

struct web_ctx {
	struct store		*store;		/* borrowed */
	struct web_engine	 engine;
	/*
	 * Run after every committed write, before the response is sent:
	 * the daemon rebuilds the snapshot and reconfigures the engine.
	 * -1: the change is stored but not active (the response says so).
	 */
	int			(*changed)(void *arg);
	void			*changed_arg;
};

/*
 * Listen on the unix socket path (an old socket file there is replaced;
 * the new one is chmod 0600) and serve from loop.  NULL and a message in
 * err on failure.
 */
struct web	*web_start(struct rg_loop *, const char *path,
		    struct web_ctx *, char *err, size_t errlen);
/* Stop serving, close the socket and unlink its path. */
void		 web_stop(struct web *);
/*
 * The network listeners (web_https.c): read https_listen, http_listen and
 * crl_url from the store and the server certificate, key and CRL from
 * the snapshot cfg; listeners start, move or stop from the loop right
 * after.  The daemon calls it at start and after every new snapshot.
 */
struct rg_config;
void		 web_configure(struct web *, const struct rg_config *cfg);

#endif
