/*
 * web_int.h: what the API resource files share: the request, the resource
 * table entry, error helpers and the generic store-backed handlers.
 *
 * Adding a resource: write web/api_<name>.c defining
 *	const struct web_resource web_res_<name> = { "<name>", ... };
 * declare it below, add one line to the table in web/web_api.c and the
 * file to web/Makefile.inc.
 */
#ifndef WEB_INT_H
#define WEB_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "store.h"
#include "web.h"

/* Who makes a request: for the audit log and the role check. */
struct web_who {
	const char		*name;	/* admin or token name; "root" */
	const char		*source;	/* "unix socket", client address */
	bool			 read_only;
};

struct web_req {
	struct web_ctx		*ctx;
	const char		*method;
	const char		*res;	/* "users" */
	const char		*name;	/* "/v1/users/<name>"; NULL: collection */
	json_t			*body;	/* parsed request body; NULL if none */
	const char		*query;	/* "method=cert&..." after '?'; NULL */
	struct web_raw		*raw;	/* NULL: the caller takes JSON only */
	const struct web_who	*who;
};

/*
 * A response that is not JSON (a client profile): a handler that fills
 * it (set) has the HTTP layer send data with this content type as an
 * attachment named filename.  data is malloc'd; secret: no-store.
 */
struct web_raw {
	bool			 set;
	bool			 secret;
	char			*data;
	size_t			 len;
	char			 content_type[64];
	char			 filename[400];
};
void	web_raw_clear(struct web_raw *);

/* A handler returns the HTTP status and sets *out (new reference). */
typedef int	(*web_handler)(struct web_req *, json_t **out);

struct web_resource {
	const char	*name;		/* path segment after /v1/ */
	const char	*store_res;	/* generic store object, or NULL */
	web_handler	 list;		/* GET /v1/<name> */
	web_handler	 get;		/* GET /v1/<name>/<id> */
	web_handler	 create;	/* POST /v1/<name> */
	web_handler	 replace;	/* PUT /v1/<name>/<id> */
	web_handler	 patch;		/* PATCH /v1/<name>/<id> */
	web_handler	 del;		/* DELETE /v1/<name>/<id> */
	bool		 runtime;	/* writes change no stored object */
};

extern const struct web_resource web_res_users, web_res_groups,
	web_res_pools, web_res_profiles, web_res_policies, web_res_proposals,
	web_res_psks, web_res_settings, web_res_status, web_res_log,
	web_res_history, web_res_sessions;
extern const struct web_resource web_res_radius;	/* api_radius.c */
extern const struct web_resource web_res_admins, web_res_tokens,
	web_res_audit;	/* api_admins.c */
/* GET /v1/users/<name>/profiles/<os>[?method=..] (api_profile_export.c) */
int	web_profile_get(struct web_req *, json_t **out);
extern const struct web_resource web_res_dae_clients;	/* api_dae.c */
extern const struct web_resource web_res_ca, web_res_server_cert,
	web_res_certs, web_res_cert_export, web_res_crl;	/* api_certs.c */

/*
 * Route one request: method, url ("/v1/users/alice", already unescaped),
 * body (may be NULL/0).  Returns the status; *out is the response body.
 * Calls ctx->changed after a successful write.
 */
int	web_dispatch(struct web_ctx *, const char *method, const char *url,
	    const char *body, size_t len, json_t **out);
/* The same where the caller can send a raw answer (url may carry a
 * "?query"); raw->set tells which one the handler gave. */
int	web_dispatch_raw(struct web_ctx *, const char *method,
	    const char *url, const char *body, size_t len, json_t **out,
	    struct web_raw *raw);

/*
 * The same for an authenticated caller (who: NULL is root on the unix
 * socket): a read-only caller gets 403 on every change, and every
 * change that reaches a handler is written to the audit log.
 */
int	web_dispatch_as(struct web_ctx *, const struct web_who *,
	    const char *method, const char *url, const char *body, size_t len,
	    json_t **out, struct web_raw *raw);

/* {"error": msg, "field": field}; returns status. */
int	web_error(json_t **out, int status, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The HTTP status and body for a store error. */
int	web_store_error(json_t **out, const struct store_err *);

/* Generic handlers over store_obj_* for resources with store_res set. */
int	web_obj_list(struct web_req *, json_t **);
int	web_obj_get(struct web_req *, json_t **);
int	web_obj_create(struct web_req *, json_t **);
int	web_obj_replace(struct web_req *, json_t **);
int	web_obj_patch(struct web_req *, json_t **);
int	web_obj_del(struct web_req *, json_t **);

#endif
