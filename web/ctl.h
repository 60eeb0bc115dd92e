/*
 * ctl.h: roadgatectl, the admin CLI: a thin client of the REST API over
 * the unix socket.  Every resource is one row of ctl_resources[] (web/
 * ctl_res.c); most use the generic verbs list/show/add/set/del, others
 * (settings, status, log, certificates) bring their own run function.
 *
 * Adding a resource: a row in ctl_resources[] (name, API path, help,
 * list columns, run function or NULL for the generic verbs); a custom run
 * function lives in its own web/ctl_<name>.c, declared here.
 */
#ifndef CTL_H
#define CTL_H

#include <jansson.h>
#include <stdbool.h>

/* Exit codes. */
#define CTL_OK		0
#define CTL_EAPI	1	/* the API refused, or no daemon */
#define CTL_EUSAGE	2

struct ctl {
	const char	*socket;
	bool		 json;		/* --json: print the API's JSON */
	const char	*resource;	/* as typed, for messages */
	const char	*verb;
};

struct ctl_resource {
	const char	*name;		/* "user" */
	const char	*api;		/* "users" (GET /v1/users) */
	const char	*key;		/* key field: "name" (NULL) or "id" */
	const char	*columns;	/* list table columns, NULL: all */
	const char	*help;		/* lines for --help */
	/* argv[0] is the verb (may be absent); NULL: generic verbs. */
	int		(*run)(struct ctl *, const struct ctl_resource *,
			    int argc, char **argv);
};

extern const struct ctl_resource ctl_resources[];

/*
 * One request; body may be NULL.  *status receives the HTTP status and
 * *out the parsed JSON body (new reference, may be NULL).  -1 when the
 * daemon cannot be reached (message printed).
 */
int	ctl_http(struct ctl *, const char *method, const char *path,
	    json_t *body, int *status, json_t **out);
/*
 * One HTTP/1.1 response (RFC 9112) in buf[0..len), eof when the stream
 * has ended: status line, header fields, a body framed by Content-Length,
 * chunked transfer coding or the end of the stream, then the body as
 * JSON.  1: complete (*status, *out: new reference or NULL when the body
 * is empty); 0: incomplete, read more (never when eof); -1: malformed,
 * or bigger than CTL_MAX_RESP.  Pure: reads nothing past len.
 */
#define CTL_MAX_RESP	(16 << 20)
int	ctl_http_parse(const char *buf, size_t len, bool eof, int *status,
	    json_t **out);
/* "/v1/<api>/<name>" with name percent-encoded; malloc'd. */
char	*ctl_path(const char *api, const char *name);
/*
 * Request and print: on 2xx the body (JSON with --json, else show) and
 * CTL_OK; on an error the API's message naming the field, CTL_EAPI.
 */
int	ctl_call(struct ctl *, const char *method, const char *path,
	    json_t *body, void (*print)(json_t *, const char *),
	    const char *columns);
int	ctl_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * Turn "--field value" pairs into a JSON object: "--static-ip4 x" ->
 * "static_ip4": "x", repeated options -> arrays, "--flag" without value
 * -> "true", "--no-field" -> null.  NULL (message printed) on misuse.
 */
json_t	*ctl_fields(int argc, char **argv);

/* Output (web/ctl_out.c). */
void	ctl_print_table(json_t *, const char *columns);
void	ctl_print_obj(json_t *, const char *unused);
void	ctl_print_json(json_t *, const char *unused);

/* Generic verbs and the custom resources. */
int	ctl_generic(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_dae(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_settings(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_admin(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_status(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_session(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_pool(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_log(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_certs(struct ctl *, const struct ctl_resource *, int, char **);
int	ctl_profile_export(struct ctl *, const struct ctl_resource *, int,
	    char **);	/* ctl_profiles.c */

#endif
