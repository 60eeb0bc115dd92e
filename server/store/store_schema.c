/*
 * store_schema.c: the SQLite schema as forward migrations, and the
 * descriptor tables that map each API resource's JSON fields onto typed
 * columns.  Adding a field: a migration (ALTER TABLE) + a row here.
 * Adding a resource: a migration (CREATE TABLE) + a store_tables[] entry.
 * See docs/STORE.md.
 */
#include <string.h>

#include "store_int.h"

/* store_migrations[v - 1] takes the store from version v - 1 to v. */
const char *const store_migrations[] = {
	/* 1: configuration objects, secrets, PKI. */
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES (0);"
	"CREATE TABLE proposal_sets ("
	" name TEXT PRIMARY KEY, ike TEXT NOT NULL, esp TEXT NOT NULL);"
	"CREATE TABLE pools ("
	" name TEXT PRIMARY KEY,"
	" af TEXT NOT NULL CHECK (af IN ('ipv4', 'ipv6')),"
	" ranges TEXT NOT NULL,"
	" excludes TEXT NOT NULL DEFAULT '',"
	" next TEXT REFERENCES pools(name) ON DELETE RESTRICT);"
	"CREATE TABLE profiles ("
	" name TEXT PRIMARY KEY,"
	" pools TEXT NOT NULL DEFAULT '',"
	" dns TEXT NOT NULL DEFAULT '',"
	" wins TEXT NOT NULL DEFAULT '',"
	" split TEXT NOT NULL DEFAULT '',"
	" domains TEXT NOT NULL DEFAULT '',"
	" banner TEXT,"
	" one_session INTEGER NOT NULL DEFAULT 0 CHECK (one_session IN (0,1)),"
	" generation INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE policies ("
	" name TEXT PRIMARY KEY,"
	" networks TEXT NOT NULL DEFAULT '',"
	" l2tp_transport INTEGER NOT NULL DEFAULT 0"
	"  CHECK (l2tp_transport IN (0,1)));"
	"CREATE TABLE groups ("
	" name TEXT PRIMARY KEY,"
	" profile TEXT REFERENCES profiles(name) ON DELETE RESTRICT,"
	" policy TEXT REFERENCES policies(name) ON DELETE RESTRICT);"
	"CREATE TABLE users ("
	" name TEXT PRIMARY KEY,"
	" password_enc BLOB NOT NULL,"
	" nt_hash_enc BLOB NOT NULL,"
	" \"group\" TEXT REFERENCES groups(name) ON DELETE RESTRICT,"
	" profile TEXT REFERENCES profiles(name) ON DELETE RESTRICT,"
	" static_ip4 TEXT UNIQUE,"
	" enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0,1)),"
	" created INTEGER NOT NULL DEFAULT (strftime('%s', 'now')));"
	"CREATE TABLE psks (id TEXT PRIMARY KEY, secret_enc BLOB NOT NULL);"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE certs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL CHECK (kind IN ('ca', 'server', 'client')),"
	" name TEXT NOT NULL,"
	" serial TEXT NOT NULL UNIQUE,"
	" cert_pem TEXT NOT NULL,"
	" key_enc BLOB,"
	" not_after INTEGER NOT NULL,"
	" revoked_at INTEGER,"
	" revoke_reason TEXT,"
	" created INTEGER NOT NULL DEFAULT (strftime('%s', 'now')));"
	"CREATE INDEX certs_kind ON certs(kind, id);"
	"CREATE TABLE crls ("
	" number INTEGER PRIMARY KEY, pem TEXT NOT NULL,"
	" created INTEGER NOT NULL DEFAULT (strftime('%s', 'now')));",

	/* 2: run-time state: leases and session history. */
	"CREATE TABLE leases ("
	" pool TEXT NOT NULL REFERENCES pools(name) ON DELETE CASCADE,"
	" addr TEXT NOT NULL,"
	" user TEXT,"
	" session_id INTEGER,"
	" state TEXT NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY (pool, addr));"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" user TEXT,"
	" proto TEXT NOT NULL,"
	" peer TEXT,"
	" vip TEXT,"
	" started INTEGER NOT NULL,"
	" ended INTEGER,"
	" bytes_in INTEGER NOT NULL DEFAULT 0,"
	" bytes_out INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_user ON sessions(user);",

	/* 3: DNS servers handed out with a pool's addresses. */
	"ALTER TABLE pools ADD COLUMN dns TEXT NOT NULL DEFAULT '';",

	/* 4: the history's authentication method and why a session ended. */
	"ALTER TABLE sessions ADD COLUMN method TEXT;"
	"ALTER TABLE sessions ADD COLUMN cause TEXT;",
	/* 5: RADIUS servers (radius/). */
	"CREATE TABLE radius ("
	" name TEXT PRIMARY KEY,"
	" address TEXT NOT NULL,"
	" secret_enc BLOB NOT NULL,"
	" acct_port INTEGER NOT NULL DEFAULT 0,"
	" timeout_ms INTEGER NOT NULL DEFAULT 3000,"
	" retries INTEGER NOT NULL DEFAULT 2,"
	" require_ma INTEGER NOT NULL DEFAULT 1"
	"  CHECK (require_ma IN (0,1)));",
	/* 6: web admins, their API tokens, and the audit log (web/). */
	"CREATE TABLE admins ("
	" name TEXT PRIMARY KEY,"
	" pw_hash TEXT NOT NULL,"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'read-only')),"
	" created INTEGER NOT NULL DEFAULT (strftime('%s', 'now')));"
	"CREATE TABLE api_tokens ("
	" name TEXT PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'read-only')),"
	" created INTEGER NOT NULL DEFAULT (strftime('%s', 'now')));"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL,"
	" who TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" verb TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" status INTEGER NOT NULL);",
	/* 7: RADIUS accounting records waiting for a server (radius_acct.c),
	 * oldest first by id. */
	"CREATE TABLE radius_acct_queue ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" created_ms INTEGER NOT NULL,"
	" record BLOB NOT NULL);"
	/* and the Dynamic Authorization clients (RFC 5176). */
	"CREATE TABLE dae_clients ("
	" name TEXT PRIMARY KEY,"
	" address TEXT NOT NULL,"
	" secret_enc BLOB NOT NULL);",
	NULL
};

#define END	{ NULL, NULL, 0, NULL, 0, 0, 0, NULL }

static const struct store_field user_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "password", "password_enc", SF_PASSWORD, NULL, SF_REQ, 1, 256,
	    NULL },
	{ "group", "group", SF_REF, "groups", 0, 0, 0, NULL },
	{ "profile", "profile", SF_REF, "profiles", 0, 0, 0, NULL },
	{ "static_ip4", "static_ip4", SF_ADDR4, NULL, 0, 0, 0, NULL },
	{ "enabled", "enabled", SF_BOOL, NULL, 0, 0, 1, "1" },
	{ "created", "created", SF_TIME, NULL, 0, 0, 0, NULL },
	END
};

static const struct store_field group_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "profile", "profile", SF_REF, "profiles", 0, 0, 0, NULL },
	{ "policy", "policy", SF_REF, "policies", 0, 0, 0, NULL },
	END
};

static const struct store_field pool_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "ranges", "ranges", SF_RANGELIST, NULL, SF_REQ, 0, 0, NULL },
	{ "excludes", "excludes", SF_PREFIXLIST, NULL, 0, 0, 0, "" },
	{ "next", "next", SF_REF, "pools", 0, 0, 0, NULL },
	{ "dns", "dns", SF_ADDRLIST, NULL, 0, 0, 0, "" },
	{ "af", "af", SF_AF, NULL, 0, 0, 0, NULL },
	END
};

static const struct store_field profile_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "pools", "pools", SF_REFLIST, "pools", 0, 0, 0, "" },
	{ "dns", "dns", SF_ADDRLIST, NULL, 0, 0, 0, "" },
	{ "wins", "wins", SF_ADDRLIST, NULL, 0, 0, 0, "" },
	{ "split", "split", SF_PREFIXLIST, NULL, 0, 0, 0, "" },
	{ "domains", "domains", SF_DOMAINLIST, NULL, 0, 0, 0, "" },
	{ "banner", "banner", SF_TEXT, NULL, 0, 0, 1024, NULL },
	{ "one_session", "one_session", SF_BOOL, NULL, 0, 0, 1, "0" },
	{ "generation", "generation", SF_GEN, NULL, 0, 0, 0, NULL },
	END
};

static const struct store_field policy_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "networks", "networks", SF_PREFIXLIST, NULL, 0, 0, 0, "" },
	{ "l2tp_transport", "l2tp_transport", SF_BOOL, NULL, 0, 0, 1, "0" },
	END
};

static const struct store_field proposal_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "ike", "ike", SF_PROPLIST_IKE, NULL, SF_REQ, 0, 0, NULL },
	{ "esp", "esp", SF_PROPLIST_ESP, NULL, SF_REQ, 0, 0, NULL },
	END
};

static const struct store_field psk_fields[] = {
	{ "id", "id", SF_PSKID, NULL, SF_REQ, 0, 0, NULL },
	{ "secret", "secret_enc", SF_SECRET, NULL, SF_REQ, 8, 256, NULL },
	END
};

/* A RADIUS server; secret sealed like a PSK's.  require_ma off accepts
 * replies without Message-Authenticator (old servers; BlastRADIUS). */
static const struct store_field radius_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "address", "address", SF_HOSTPORT, NULL, SF_REQ, 0, 0, NULL },
	{ "secret", "secret_enc", SF_SECRET, NULL, SF_REQ, 1, 128, NULL },
	{ "acct_port", "acct_port", SF_UINT, NULL, 0, 0, 65535, "0" },
	{ "timeout_ms", "timeout_ms", SF_UINT, NULL, 0, 100, 60000, "3000" },
	{ "retries", "retries", SF_UINT, NULL, 0, 0, 10, "2" },
	{ "require_ma", "require_ma", SF_BOOL, NULL, 0, 0, 1, "1" },
	END
};

/* A Dynamic Authorization client (RFC 5176), known by its address; the
 * secret is sealed like a RADIUS server's. */
static const struct store_field dae_client_fields[] = {
	{ "name", "name", SF_KEY, NULL, SF_REQ, 0, 0, NULL },
	{ "address", "address", SF_HOSTPORT, NULL, SF_REQ, 0, 0, NULL },
	{ "secret", "secret_enc", SF_SECRET, NULL, SF_REQ, 1, 128, NULL },
	END
};

/*
 * The order matters for output only.  A certs/ resource keeps its own
 * typed functions (store_cert_*), it is not generic.
 */
const struct store_table store_tables[] = {
	{ "users", "user", "users", user_fields, NULL, NULL },
	{ "groups", "group", "groups", group_fields, NULL, NULL },
	{ "pools", "pool", "pools", pool_fields, store_pools_check, NULL },
	{ "profiles", "profile", "profiles", profile_fields, NULL, NULL },
	{ "policies", "policy", "policies", policy_fields, NULL, NULL },
	{ "proposals", "proposal set", "proposal_sets", proposal_fields, NULL,
	    store_proposal_presets },
	{ "psks", "PSK", "psks", psk_fields, NULL, NULL },
	{ "radius", "RADIUS server", "radius", radius_fields, NULL, NULL },
	{ "dae_clients", "DAE client", "dae_clients", dae_client_fields, NULL,
	    NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

/* Settings: known keys, their types and defaults (PRODUCT.md facts 1, 14). */
const struct store_field store_settings_fields[] = {
	{ "server_id", "server_id", SF_TEXT, NULL, 0, 0, 255, NULL },
	{ "proposals", "proposals", SF_REF, "proposals", 0, 0, 0,
	    "compatible" },
	{ "default_profile", "default_profile", SF_REF, "profiles", 0, 0, 0,
	    NULL },
	{ "default_policy", "default_policy", SF_REF, "policies", 0, 0, 0,
	    NULL },
	{ "eap_method", "eap_method", SF_ENUM, "any|mschapv2|tls", 0, 0, 0,
	    "any" },
	{ "ike_lifetime_s", "ike_lifetime_s", SF_UINT, NULL, 0, 300,
	    7 * 86400, "86400" },
	{ "child_lifetime_s", "child_lifetime_s", SF_UINT, NULL, 0, 120,
	    86400, "10800" },
	{ "dpd_interval_s", "dpd_interval_s", SF_UINT, NULL, 0, 0, 3600,
	    "30" },
	{ "dpd_timeout_s", "dpd_timeout_s", SF_UINT, NULL, 0, 0, 86400,
	    "150" },
	{ "cookie_threshold", "cookie_threshold", SF_UINT, NULL, 0, 0,
	    1000000, "50" },
	{ "halfopen_per_ip", "halfopen_per_ip", SF_UINT, NULL, 0, 0,
	    1000000, "10" },
	{ "max_child_sas", "max_child_sas", SF_UINT, NULL, 0, 1, 1000, "16" },
	{ "ikev1", "ikev1", SF_ENUM, "on|off", 0, 0, 0, "on" },
	{ "ikev1_aggressive", "ikev1_aggressive", SF_ENUM, "off|psk", 0, 0, 0,
	    "off" },
	{ "max_sessions_per_user", "max_sessions_per_user", SF_UINT, NULL, 0,
	    0, 100000, "8" },
	{ "mss_clamp", "mss_clamp", SF_UINT, NULL, 0, 0, 1460, "1360" },
	{ "sticky_s", "sticky_s", SF_UINT, NULL, 0, 0, 30 * 86400, "1800" },
	{ "dataplane", "dataplane", SF_ENUM, "auto|kernel|userspace", 0, 0,
	    0, "auto" },
	{ "dp_threads", "dp_threads", SF_UINT, NULL, 0, 0, 64, "0" },
	{ "forwarding", "forwarding", SF_BOOL, NULL, 0, 0, 1, "0" },
	{ "masquerade", "masquerade", SF_IFNAME, "auto", 0, 0, 0, "off" },
	{ "proxy_arp", "proxy_arp", SF_IFNAME, NULL, 0, 0, 0, "off" },
	{ "crl_url", "crl_url", SF_URL, NULL, 0, 0, 512, "" },
	{ "auth_backend", "auth_backend", SF_ENUM, "local|radius|radius,local",
	    0, 0, 0, "local" },
	{ "radius_interim_s", "radius_interim_s", SF_UINT, NULL, 0, 0, 86400,
	    "600" },
	/* web/: "" (the default, reset to get it) is off. */
	{ "https_listen", "https_listen", SF_HOSTPORT, NULL, 0, 0, 0, "" },
	{ "http_listen", "http_listen", SF_HOSTPORT, NULL, 0, 0, 0, "" },
	{ "dae_listen", "dae_listen", SF_HOSTPORT, NULL, 0, 0, 0, "" },
	END
};

const struct store_table *
store_table_get(const char *res)
{
	const struct store_table	*t;

	if (res == NULL)
		return NULL;
	for (t = store_tables; t->res; t++)
		if (strcmp(t->res, res) == 0)
			return t;
	return NULL;
}

bool
store_res_known(const char *res)
{
	return store_table_get(res) != NULL;
}

const struct store_field *
store_setting_field(const char *key)
{
	const struct store_field	*f;

	for (f = store_settings_fields; f->name; f++)
		if (strcmp(f->name, key) == 0)
			return f;
	return NULL;
}

static json_t *
strv_json(const char *const *v)
{
	json_t	*a = json_array();

	for (; a && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

json_t *
store_proposal_presets(void)
{
	/* The engines' own table (rg_presets.c), so what the API lists
	 * is what IKE negotiates. */
	return json_pack("[{s:s,s:o,s:o,s:b},{s:s,s:o,s:o,s:b}]",
	    "name", "modern", "ike", strv_json(rg_proposal_preset("modern",
	    false)), "esp", strv_json(rg_proposal_preset("modern", true)),
	    "builtin", 1,
	    "name", "compatible", "ike", strv_json(rg_proposal_preset(
	    "compatible", false)), "esp", strv_json(rg_proposal_preset(
	    "compatible", true)), "builtin", 1);
}
