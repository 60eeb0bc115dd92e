/*
 * ctl_sessions.c: roadgatectl's run-time views, as readable tables:
 *	session list			live sessions (id, user, peer, vip,
 *					uptime, bytes in/out)
 *	session kick ID			end one (DELETE /v1/sessions/ID)
 *	status				daemon, sessions, pools with utilisation
 *	pool show NAME			the pool, its utilisation and leases
 * --json prints the API's JSON instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

static json_t *
fmt_uptime(json_int_t s)
{
	char	 b[32];

	if (s >= 86400)
		snprintf(b, sizeof(b), "%lldd%02lldh%02lldm", (long long)s / 86400,
		    (long long)s % 86400 / 3600, (long long)s % 3600 / 60);
	else if (s >= 3600)
		snprintf(b, sizeof(b), "%lldh%02lldm%02llds", (long long)s / 3600,
		    (long long)s % 3600 / 60, (long long)s % 60);
	else
		snprintf(b, sizeof(b), "%lldm%02llds", (long long)s / 60,
		    (long long)s % 60);
	return json_string(b);
}

static json_t *
fmt_time(json_int_t t)
{
	char		 b[32];
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
		return json_string("-");
	return json_string(b);
}

static void
print_sessions(json_t *arr, const char *unused)
{
	json_t	*rows = json_array(), *s, *v;
	size_t	 i;

	json_array_foreach(arr, i, s) {
		v = json_object_get(s, "vip");
		json_array_append_new(rows, json_pack("{s:O,s:O,s:O,s:O,s:o,"
		    "s:O,s:O}",
		    "id", json_object_get(s, "session_id"),
		    "user", json_object_get(s, "user"),
		    "peer", json_object_get(s, "peer"),
		    "vip", v ? v : json_null(),
		    "uptime", fmt_uptime(json_integer_value(json_object_get(s,
		    "uptime_s"))),
		    "bytes_in", json_object_get(s, "bytes_in"),
		    "bytes_out", json_object_get(s, "bytes_out")));
	}
	if (json_array_size(rows) == 0)
		printf("no live sessions\n");
	else
		ctl_print_table(rows, "id,user,peer,vip,uptime,bytes_in,"
		    "bytes_out");
	json_decref(rows);
}

int
ctl_session(struct ctl *c, const struct ctl_resource *r, int argc,
    char **argv)
{
	const char	*verb = argc > 0 ? argv[0] : "list";
	char		*path;
	int		 rc;

	c->verb = verb;
	if (strcmp(verb, "list") == 0 && argc == 1) {
		path = ctl_path("sessions", NULL);
		rc = ctl_call(c, "GET", path, NULL, print_sessions, NULL);
	} else if (strcmp(verb, "kick") == 0 && argc == 2) {
		path = ctl_path("sessions", argv[1]);
		rc = ctl_call(c, "DELETE", path, NULL, ctl_print_obj, NULL);
	} else {
		return ctl_usage_error("session list | kick ID");
	}
	free(path);
	return rc;
}

static void
print_pools(json_t *pools)
{
	json_t	*rows = json_array(), *p;
	size_t	 i;
	char	 u[32];

	json_array_foreach(pools, i, p) {
		snprintf(u, sizeof(u), "%.1f%%", json_number_value(
		    json_object_get(p, "utilisation")));
		json_array_append_new(rows, json_pack("{s:O,s:O,s:O,s:O,s:O,"
		    "s:O,s:O,s:s,s:O}",
		    "name", json_object_get(p, "name"),
		    "family", json_object_get(p, "family"),
		    "size", json_object_get(p, "size"),
		    "active", json_object_get(p, "active"),
		    "reserved", json_object_get(p, "reserved"),
		    "used", json_object_get(p, "used"),
		    "free", json_object_get(p, "free"),
		    "utilisation", u,
		    "exhausted", json_object_get(p, "exhausted")));
	}
	if (json_array_size(rows) == 0)
		printf("no pools\n");
	else
		ctl_print_table(rows, "name,family,size,active,reserved,used,"
		    "free,utilisation,exhausted");
	json_decref(rows);
}

/* " (N workers, ...)" and a line of drop counters, when there are any. */
static void
print_dp_stats(json_t *d)
{
	long long	 w = json_integer_value(json_object_get(d, "workers"));

#define N(k)	((long long)json_integer_value(json_object_get(d, k)))
	if (w > 0)
		printf(" (%lld worker thread%s%s)", w, w == 1 ? "" : "s",
		    w == 1 ? "" : json_is_true(json_object_get(d, "steered")) ?
		    ", BPF steering" : ", no BPF steering: packets copied "
		    "between threads");
	printf("\n");
	if (!json_is_object(d) || w == 0)
		return;
	printf("  ESP packets %lld; dropped: unknown SPI %lld, no SA for the "
	    "destination %lld, malformed %lld, outside the selectors %lld, "
	    "send errors %lld, worker busy %lld\n", N("packets"),
	    N("no_sa_in"), N("no_sa_out"), N("bad_inner"), N("policy"),
	    N("tx_err"), N("ring_full"));
#undef N
}

/* RADIUS servers (radius/): state and what they answered. */
static void
print_radius(json_t *a)
{
	json_t	*o;
	size_t	 i;

	if (json_array_size(a) == 0)
		return;
	printf("\nRADIUS servers: %zu\n", json_array_size(a));
	json_array_foreach(a, i, o) {
#define N(k)	(long long)json_integer_value(json_object_get(o, k))
		printf("  %s %s %s: requests %lld, retransmits %lld, timeouts "
		    "%lld, accepts %lld, rejects %lld, bad replies %lld\n",
		    json_string_value(json_object_get(o, "name")),
		    json_string_value(json_object_get(o, "address")),
		    json_string_value(json_object_get(o, "state")),
		    N("requests"), N("retransmits"), N("timeouts"),
		    N("accepts"), N("rejects"), N("bad_replies"));
#undef N
	}
}

static void
print_status(json_t *st, const char *unused)
{
	json_t	*en = json_object_get(st, "engine"), *s;

	printf("roadgated %s: %s\n", json_string_value(json_object_get(st,
	    "version")) ? json_string_value(json_object_get(st, "version")) :
	    "?", json_is_true(json_object_get(st, "ready")) ? "ready" :
	    "not ready");
	printf("store: %s\n", json_string_value(json_object_get(st,
	    "store")) ? json_string_value(json_object_get(st, "store")) : "-");
	if (!json_is_object(en))
		return;
	printf("data plane: %s", json_string_value(json_object_get(en,
	    "dataplane")) ? json_string_value(json_object_get(en,
	    "dataplane")) : "-");
	print_dp_stats(json_object_get(en, "dataplane_stats"));
	s = json_object_get(en, "sessions");
	printf("\nsessions: %zu\n", json_array_size(s));
	if (json_array_size(s) > 0)
		print_sessions(s, NULL);
	s = json_object_get(en, "pools");
	printf("\npools: %zu", json_array_size(json_object_get(s, "pools")));
	if (json_integer_value(json_object_get(s, "exhausted")) > 0)
		printf(" (refusals for exhaustion: %lld)", (long long)
		    json_integer_value(json_object_get(s, "exhausted")));
	printf("\n");
	if (json_array_size(json_object_get(s, "pools")) > 0)
		print_pools(json_object_get(s, "pools"));
	print_radius(json_object_get(en, "radius"));
}

int
ctl_status(struct ctl *c, const struct ctl_resource *r, int argc,
    char **argv)
{
	char	*path;
	int	 rc;

	c->verb = "";
	if (argc > 1 || (argc == 1 && strcmp(argv[0], "show") != 0))
		return ctl_usage_error("status takes no arguments");
	path = ctl_path("status", NULL);
	rc = ctl_call(c, "GET", path, NULL, print_status, NULL);
	free(path);
	return rc;
}

static void
print_pool(json_t *o, const char *unused)
{
	json_t	*st = json_incref(json_object_get(o, "status")), *rows, *l;
	size_t	 i;

	json_object_del(o, "status");
	ctl_print_obj(o, NULL);
	if (!json_is_object(st)) {
		json_decref(st);
		return;
	}
	printf("\nutilisation: %.1f%% (%lld of %lld addresses used: %lld "
	    "active, %lld reserved, %lld static; %lld free)\n",
	    json_number_value(json_object_get(st, "utilisation")),
	    (long long)json_integer_value(json_object_get(st, "used")),
	    (long long)json_integer_value(json_object_get(st, "size")),
	    (long long)json_integer_value(json_object_get(st, "active")),
	    (long long)json_integer_value(json_object_get(st, "reserved")),
	    (long long)json_integer_value(json_object_get(st, "static")),
	    (long long)json_integer_value(json_object_get(st, "free")));
	rows = json_array();
	json_array_foreach(json_object_get(st, "leases"), i, l)
		json_array_append_new(rows, json_pack("{s:O,s:O,s:O,s:O,s:o}",
		    "address", json_object_get(l, "address"),
		    "user", json_object_get(l, "user"),
		    "session", json_object_get(l, "session"),
		    "state", json_object_get(l, "state"),
		    "since", fmt_time(json_integer_value(json_object_get(l,
		    "since")))));
	printf("\n");
	if (json_array_size(rows) == 0)
		printf("no leases\n");
	else
		ctl_print_table(rows, "address,user,session,state,since");
	json_decref(rows);
	json_decref(st);
}

int
ctl_pool(struct ctl *c, const struct ctl_resource *r, int argc, char **argv)
{
	char	*path;
	int	 rc;

	if (argc != 2 || strcmp(argv[0], "show") != 0 ||
	    strncmp(argv[1], "--", 2) == 0)
		return ctl_generic(c, r, argc, argv);
	c->verb = "show";
	path = ctl_path(r->api, argv[1]);
	rc = ctl_call(c, "GET", path, NULL, print_pool, NULL);
	free(path);
	return rc;
}
