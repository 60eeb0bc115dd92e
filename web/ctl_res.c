/*
 * ctl_res.c: roadgatectl's resource table and the generic verbs
 *	list | show NAME | add NAME [--field value ...] | set NAME ... | del NAME
 * mapped onto GET/POST/PATCH/DELETE /v1/<api>[/NAME], plus the custom
 * commands settings and log (status, session, pool show: ctl_sessions.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctl.h"

const struct ctl_resource ctl_resources[] = {
	{ "user", "users", NULL, "name,group,profile,static_ip4,enabled",
	    "user list | show NAME | del NAME\n"
	    "user add NAME --password [PW] [--group G] [--profile P]\n"
	    "         (--password alone: prompt, or one line from stdin)\n"
	    "         [--static-ip4 A] [--enabled true|false]\n"
	    "user set NAME [same options; --no-group clears]\n", NULL },
	{ "group", "groups", NULL, NULL,
	    "group add|set NAME [--profile P] [--policy T]\n", NULL },
	{ "pool", "pools", NULL, "name,af,ranges,excludes,next,dns",
	    "pool add|set NAME --range A-B|CIDR ... [--exclude CIDR ...]\n"
	    "         [--next POOL] [--dns A ...]  (DNS for profiles that\n"
	    "         name none)\n"
	    "pool show NAME   (utilisation and leases)\n", ctl_pool },
	{ "profile", "profiles", NULL,
	    "name,pools,dns,split,domains,generation",
	    "profile add|set NAME [--pool P ...] [--dns A ...] [--wins A ...]\n"
	    "         [--split CIDR ...] [--domain D ...] [--banner TEXT]\n"
	    "         [--one-session true|false]\n", NULL },
	{ "policy", "policies", NULL, NULL,
	    "policy add|set NAME [--network CIDR ...]\n"
	    "         [--l2tp-transport true|false]\n", NULL },
	{ "proposal", "proposals", NULL, "name,builtin",
	    "proposal add|set NAME --ike PROPOSAL ... --esp PROPOSAL ...\n"
	    "         (e.g. --ike aes256gcm16-prfsha256-ecp256 --esp aes256gcm16;\n"
	    "          presets modern and compatible are read-only)\n", NULL },
	{ "psk", "psks", "id", NULL,
	    "psk add|set ID --secret S   (ID: peer identity or %any)\n", NULL },
	{ "radius", "radius", NULL,
	    "name,address,acct_port,timeout_ms,retries,require_ma",
	    "radius list | show NAME | del NAME   (servers, tried in name "
	    "order)\n"
	    "radius add|set NAME --address IP[:PORT] --secret S\n"
	    "         [--acct-port N] (default PORT + 1) [--timeout-ms N]\n"
	    "         [--retries N] [--require-ma true|false] (default true:\n"
	    "         replies without Message-Authenticator are dropped)\n",
	    NULL },
	{ "history", "history", NULL,
	    "id,user,proto,method,peer,vip,started,ended,bytes_in,bytes_out,"
	    "cause",
	    "history list   (past and current sessions, newest first)\n", NULL },
	{ "settings", "settings", NULL, NULL,
	    "settings show | set KEY VALUE | reset KEY\n"
	    "         keys: server_id proposals default_profile default_policy\n"
	    "         eap_method ike_lifetime_s child_lifetime_s dpd_interval_s\n"
	    "         dpd_timeout_s cookie_threshold halfopen_per_ip mss_clamp\n"
	    "         max_child_sas (CHILD_SAs per IKE SA, default 16)\n"
	    "         ikev1 on|off (answer IKEv1 clients, default on)\n"
	    "         ikev1_aggressive off|psk (IKEv1 aggressive mode with a\n"
	    "         PSK leaks a crackable hash; default off: main mode)\n"
	    "         max_sessions_per_user (default 8; 0: no limit)\n"
	    "         dataplane dp_threads (userspace ESP worker threads,\n"
	    "         0 = one per CPU, 16 at most; read when roadgated starts)\n"
	    "         sticky_s (seconds a released address stays\n"
	    "         reserved for its user; 0: not kept)\n"
	    "         forwarding true|false (IP forwarding sysctls)\n"
	    "         masquerade off|auto|IFNAME (nft table inet roadgate)\n"
	    "         proxy_arp off|IFNAME (answer ARP/NDP for clients there)\n"
	    "         (all three off by default; README: Forwarding)\n"
	    "         auth_backend local|radius|radius,local (radius,local:\n"
	    "         local users when no RADIUS server answers)\n"
	    "         radius_interim_s (Interim-Update period, 0: none)\n"
	    "         https_listen ADDR[:PORT] (API over HTTPS once an admin\n"
	    "         exists), http_listen ADDR[:PORT] (CRL + redirect);\n"
	    "         both off by default (reset KEY turns one off)\n"
	    "         dae_listen IP:PORT (RFC 5176 Disconnect/CoA listener,\n"
	    "         \"\" off, the default; port 3799 is the standard's)\n",
	    ctl_settings },
	{ "dae", "dae", NULL, NULL,
	    "dae client list | show NAME | del NAME   (who may send\n"
	    "         Disconnect/CoA requests)\n"
	    "dae client add|set NAME --address IP --secret S\n", ctl_dae },
	{ "status", "status", NULL, NULL,
	    "status   (sessions and pools; succeeds once roadgated is ready)\n",
	    ctl_status },
	{ "session", "sessions", "id", NULL,
	    "session list | kick ID   (live sessions; past ones: history)\n",
	    ctl_session },
	{ "log", "log", NULL, NULL,
	    "log show | level TOPIC LEVEL\n"
	    "         topics: core ike esp l2tp ppp radius web pool cert store "
	    "all\n"
	    "         levels: error warn notice info debug\n", ctl_log },
	{ "ca", "ca", NULL, NULL,
	    "ca create [--key-type ecdsa-p256|rsa2048|rsa3072|rsa4096]\n"
	    "         [--years N] [--cn NAME]\n"
	    "ca show [--pem] | import --cert FILE --key FILE\n"
	    "         [--key-password PW]\n", ctl_certs },
	{ "server-cert", "server-cert", NULL, NULL,
	    "server-cert issue --name NAME [--name NAME ...] [--days N]\n"
	    "server-cert import --cert FILE --key FILE | show [--pem]\n",
	    ctl_certs },
	{ "cert", "certs", NULL, NULL,
	    "cert issue USER [--san-email E | --san-dns D] [--days N]\n"
	    "cert list | show USER [--pem] | renew USER\n"
	    "cert revoke USER [--reason keyCompromise|superseded|...]\n"
	    "cert export USER --format p12 [--legacy|--modern]\n"
	    "         [--password PW] --out FILE   (default legacy; a\n"
	    "         generated password is printed once)\n"
	    "cert export USER --format pem --out FILE\n", ctl_certs },
	{ "crl", "crl", NULL, NULL, "crl show [--pem]\n", ctl_certs },
	{ "admin", "admins", NULL, "name,role,created",
	    "admin list | show NAME | del NAME   (web console / HTTPS API)\n"
	    "admin add NAME --password [PW] [--role admin|read-only]\n"
	    "admin passwd NAME --password [PW] | set NAME --role ROLE\n",
	    ctl_admin },
	{ "token", "tokens", NULL, "name,role,created",
	    "token list | del NAME   (API tokens: Authorization: Bearer)\n"
	    "token add NAME [--role read-only|admin]   (default read-only;\n"
	    "         the token is printed once)\n", NULL },
	{ "audit", "audit", "id", "id,time,who,source,verb,path,status",
	    "audit list   (every change: who, from where, what, when)\n",
	    NULL },
	{ "profile-export", "users", NULL, NULL,
	    "profile-export USER --os ios|macos|windows|android|linux-nm|\n"
	    "         swanctl [--method eap|cert] --out FILE   (the CA and\n"
	    "         key files a Linux profile names are written beside\n"
	    "         FILE; files with a key or password are 0600)\n",
	    ctl_profile_export },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

int
ctl_usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "roadgatectl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (roadgatectl --help)\n");
	return CTL_EUSAGE;
}

int
ctl_call(struct ctl *c, const char *method, const char *path, json_t *body,
    void (*print)(json_t *, const char *), const char *columns)
{
	json_t	*out = NULL, *f;
	int	 status;

	if (ctl_http(c, method, path, body, &status, &out) < 0)
		return CTL_EAPI;
	if (status >= 200 && status < 300) {
		if (c->json)
			ctl_print_json(out, NULL);
		else if (print && out)
			print(out, columns);
		json_decref(out);
		return CTL_OK;
	}
	f = json_object_get(out, "field");
	fprintf(stderr, "roadgatectl: %s %s: %s%s%s%s (HTTP %d)\n",
	    c->resource, c->verb ? c->verb : "",
	    json_is_string(f) ? "field " : "",
	    json_is_string(f) ? json_string_value(f) : "",
	    json_is_string(f) ? ": " : "",
	    json_string_value(json_object_get(out, "error")) ?
	    json_string_value(json_object_get(out, "error")) : "error", status);
	json_decref(out);
	return CTL_EAPI;
}

/* CLI option names to API fields where they differ (plural lists). */
static const char *const aliases[][2] = {
	{ "range", "ranges" }, { "exclude", "excludes" },
	{ "domain", "domains" }, { "pool", "pools" },
	{ "network", "networks" },
};

/*
 * "--password" without a value: prompt without echo on a terminal, else
 * read one line from stdin, so the secret stays out of argv and history.
 */
static json_t *
read_secret(const char *what)
{
	struct termios	 old, noecho;
	char		 buf[1024];
	bool		 tty = isatty(STDIN_FILENO);
	json_t		*v = NULL;

	if (tty) {
		fprintf(stderr, "%s: ", what);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			noecho = old;
			noecho.c_lflag &= ~(tcflag_t)ECHO;
			(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
		}
	}
	if (fgets(buf, sizeof(buf), stdin) != NULL) {
		buf[strcspn(buf, "\r\n")] = '\0';
		v = json_string(buf);
	}
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (v == NULL)
		ctl_usage_error("no %s given on stdin", what);
	return v;
}

json_t *
ctl_fields(int argc, char **argv)
{
	json_t	*o = json_object(), *old, *v;
	char	 key[64];
	size_t	 i;
	int	 a;

	for (a = 0; o && a < argc; a++) {
		const char	*opt = argv[a];
		bool		 null = false;

		if (strncmp(opt, "--", 2) != 0 || strlen(opt) < 3 ||
		    strlen(opt) >= sizeof(key)) {
			ctl_usage_error("expected --field value, got \"%s\"",
			    opt);
			json_decref(o);
			return NULL;
		}
		opt += 2;
		if (strncmp(opt, "no-", 3) == 0) {
			opt += 3;
			null = true;
		}
		snprintf(key, sizeof(key), "%s", opt);
		for (i = 0; key[i]; i++)
			if (key[i] == '-')
				key[i] = '_';
		for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
			if (strcmp(key, aliases[i][0]) == 0)
				snprintf(key, sizeof(key), "%s", aliases[i][1]);
		if (null)
			v = json_null();
		else if (a + 1 < argc && strncmp(argv[a + 1], "--", 2) != 0)
			v = json_string(argv[++a]);
		else if (strcmp(key, "password") == 0 ||
		    strcmp(key, "secret") == 0)
			v = read_secret(key);	/* keep it off the command line */
		else
			v = json_string("true");
		if (v == NULL) {
			json_decref(o);
			return NULL;
		}
		if ((old = json_object_get(o, key)) == NULL) {
			json_object_set_new(o, key, v);
		} else if (json_is_array(old)) {
			json_array_append_new(old, v);
		} else {
			json_t	*arr = json_array();

			json_array_append(arr, old);
			json_array_append_new(arr, v);
			json_object_set_new(o, key, arr);
		}
	}
	return o;
}

/* "dae client VERB ...": the generic verbs on /v1/dae_clients. */
static const struct ctl_resource dae_client_res = {
	"dae client", "dae_clients", NULL, "name,address", NULL, NULL
};

int
ctl_dae(struct ctl *c, const struct ctl_resource *r, int argc, char **argv)
{
	(void)r;
	if (argc < 1 || strcmp(argv[0], "client") != 0)
		return ctl_usage_error("dae: expected \"dae client ...\"");
	return ctl_generic(c, &dae_client_res, argc - 1, argv + 1);
}

int
ctl_generic(struct ctl *c, const struct ctl_resource *r, int argc,
    char **argv)
{
	const char	*verb = argc > 0 ? argv[0] : "list";
	const char	*name = argc > 1 ? argv[1] : NULL;
	json_t		*body = NULL;
	char		*path = NULL;
	int		 rc;

	c->verb = verb;
	if (strcmp(verb, "list") == 0) {
		if (argc > 1)
			return ctl_usage_error("%s list takes no arguments",
			    r->name);
		path = ctl_path(r->api, NULL);
		rc = ctl_call(c, "GET", path, NULL, ctl_print_table,
		    r->columns);
		free(path);
		return rc;
	}
	if (strcmp(verb, "show") != 0 && strcmp(verb, "add") != 0 &&
	    strcmp(verb, "set") != 0 && strcmp(verb, "del") != 0)
		return ctl_usage_error("%s: unknown verb \"%s\" (list, show, "
		    "add, set, del)", r->name, verb);
	if (name == NULL || strncmp(name, "--", 2) == 0)
		return ctl_usage_error("%s %s needs a %s", r->name, verb,
		    r->key ? r->key : "name");
	if ((strcmp(verb, "show") == 0 || strcmp(verb, "del") == 0) &&
	    argc > 2)
		return ctl_usage_error("%s %s takes only a name", r->name, verb);
	if (strcmp(verb, "add") == 0 || strcmp(verb, "set") == 0) {
		if ((body = ctl_fields(argc - 2, argv + 2)) == NULL)
			return CTL_EUSAGE;
	}
	if (strcmp(verb, "add") == 0) {
		json_object_set_new(body, r->key ? r->key : "name",
		    json_string(name));
		path = ctl_path(r->api, NULL);
		rc = ctl_call(c, "POST", path, body, ctl_print_obj, NULL);
	} else {
		path = ctl_path(r->api, name);
		rc = ctl_call(c, strcmp(verb, "show") == 0 ? "GET" :
		    strcmp(verb, "set") == 0 ? "PATCH" : "DELETE", path, body,
		    ctl_print_obj, NULL);
	}
	json_decref(body);
	free(path);
	return rc;
}

/* admin passwd NAME --password PW is admin set NAME --password PW. */
int
ctl_admin(struct ctl *c, const struct ctl_resource *r, int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "passwd") == 0) {
		if (argc < 3 || strcmp(argv[2], "--password") != 0)
			return ctl_usage_error("admin passwd NAME --password "
			    "[PW]");
		argv[0] = "set";
	}
	return ctl_generic(c, r, argc, argv);
}

int
ctl_settings(struct ctl *c, const struct ctl_resource *r, int argc,
    char **argv)
{
	const char	*verb = argc > 0 ? argv[0] : "show";
	json_t		*body;
	char		*path;
	int		 rc;

	c->verb = verb;
	if ((strcmp(verb, "show") == 0 || strcmp(verb, "list") == 0) &&
	    argc <= 1) {
		path = ctl_path("settings", NULL);
		rc = ctl_call(c, "GET", path, NULL, ctl_print_obj, NULL);
	} else if (strcmp(verb, "set") == 0 && argc == 3) {
		path = ctl_path("settings", argv[1]);
		body = json_pack("{s:s}", "value", argv[2]);
		rc = ctl_call(c, "PUT", path, body, ctl_print_obj, NULL);
		json_decref(body);
	} else if (strcmp(verb, "reset") == 0 && argc == 2) {
		path = ctl_path("settings", argv[1]);
		rc = ctl_call(c, "DELETE", path, NULL, ctl_print_obj, NULL);
	} else {
		return ctl_usage_error("settings show | set KEY VALUE | reset "
		    "KEY");
	}
	free(path);
	return rc;
}

int
ctl_log(struct ctl *c, const struct ctl_resource *r, int argc, char **argv)
{
	const char	*verb = argc > 0 ? argv[0] : "show";
	json_t		*body;
	char		*path;
	int		 rc;

	c->verb = verb;
	if (strcmp(verb, "show") == 0 && argc <= 2) {
		path = ctl_path("log", argc == 2 ? argv[1] : NULL);
		rc = ctl_call(c, "GET", path, NULL, ctl_print_obj, NULL);
	} else if (strcmp(verb, "level") == 0 && argc == 3) {
		path = ctl_path("log", argv[1]);
		body = json_pack("{s:s}", "level", argv[2]);
		rc = ctl_call(c, "PUT", path, body, ctl_print_obj, NULL);
		json_decref(body);
	} else {
		return ctl_usage_error("log show [TOPIC] | level TOPIC LEVEL");
	}
	free(path);
	return rc;
}
