/*
 * Unit tests for the state store (server/store*.c): creation, refusal of
 * corrupt / newer / foreign stores and unsafe key files, forward migration,
 * secrets sealed on disk, NT hash (RFC 2759 9.2 vector), validation and
 * rollback of whole transactions, the configuration snapshot.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rg_log.h"
#include "store.h"
#include "store_int.h"
#include "rg_test.h"

static char	 dir[256];

static void
fresh_dir(void)
{
	char	 cmd[300];

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	snprintf(dir, sizeof(dir), "/tmp/rg-test-store.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
}

static struct store *
open_ok(void)
{
	char		 err[512] = "";
	struct store	*st = store_open(dir, err, sizeof(err));

	if (st == NULL)
		printf("  store_open: %s\n", err);
	return st;
}

static int
add(struct store *st, const char *res, const char *json,
    struct store_err *e)
{
	json_t	*o = json_loads(json, 0, NULL);
	int	 rc;

	memset(e, 0, sizeof(*e));
	rc = store_obj_add(st, res, o, e);
	json_decref(o);
	return rc;
}

static void
create_and_reopen(void)
{
	struct store	*st;
	struct stat	 sb;
	char		 path[300];

	fresh_dir();
	st = open_ok();
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_created(st));
	store_close(st);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(sb.st_size == 32);
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0);
	st = open_ok();
	CHECK(st != NULL && !store_created(st));
	store_close(st);
}

static void
refuse_bad_key(void)
{
	char		 path[300], err[512];
	struct store	*st;

	fresh_dir();
	store_close(open_ok());
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	chmod(path, 0640);
	st = store_open(dir, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "readable by group") != NULL);
	store_close(st);
	unlink(path);
	st = store_open(dir, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "missing") != NULL);
	store_close(st);
	CHECK(access(path, F_OK) < 0);	/* no new key beside the old store */
}

static void
refuse_newer_schema(void)
{
	char		 path[300], err[512];
	struct store	*st;
	sqlite3		*db;

	fresh_dir();
	store_close(open_ok());
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE schema_version SET version = 99",
	    NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	st = store_open(dir, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "newer") != NULL);
	store_close(st);
	/* Still 99: never overwritten. */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	{
		sqlite3_stmt	*s;

		sqlite3_prepare_v2(db, "SELECT version FROM schema_version",
		    -1, &s, NULL);
		CHECK(sqlite3_step(s) == SQLITE_ROW);
		CHECK_EQ(sqlite3_column_int(s, 0), 99);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
}

static void
refuse_corrupt(void)
{
	char		 path[300], err[512], junk[8192];
	struct store	*st;
	struct stat	 a, b;
	int		 fd;

	fresh_dir();
	store_close(open_ok());
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
	close(fd);
	stat(path, &a);
	st = store_open(dir, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "refusing") != NULL);
	store_close(st);
	stat(path, &b);
	CHECK_EQ(a.st_size, b.st_size);

	/* A foreign SQLite database is refused too. */
	fresh_dir();
	store_close(open_ok());
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	unlink(path);
	{
		sqlite3	*db;

		sqlite3_open(path, &db);
		sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	st = store_open(dir, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "not a roadgate store") != NULL);
	store_close(st);
}

static void
migrate_from_v1(void)
{
	char			 path[300], sql[128];
	struct store		*st;
	sqlite3			*db;
	struct store_lease	 l = { 0 };
	struct store_err	 e;
	json_t			*g;

	fresh_dir();
	store_close(open_ok());		/* makes the key */
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	unlink(path);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, store_migrations[0], NULL, NULL, NULL) ==
	    SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = 1; "
	    "PRAGMA application_id = %d", 0x52474154);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "INSERT INTO groups (name) VALUES ('old')",
	    NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "INSERT INTO pools (name, af, ranges) VALUES "
	    "('p', 'ipv4', '10.1.0.0/24')", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	st = open_ok();
	CHECK(st != NULL);
	if (st == NULL)
		return;
	g = store_obj_get(st, "groups", "old", &e);
	CHECK(g != NULL);
	json_decref(g);
	l.pool = "p";
	rg_addr_parse("10.1.0.9", &l.addr);
	l.user = "alice";
	CHECK_EQ(store_lease_put(st, &l), 0);	/* a version-2 table */
	store_close(st);
}

static bool
file_has(const char *path, const char *needle)
{
	FILE	*f = fopen(path, "rb");
	char	*buf;
	long	 n;
	bool	 found = false;

	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
		found = memmem(buf, (size_t)n, needle, strlen(needle)) != NULL;
	free(buf);
	fclose(f);
	return found;
}

static bool
file_has_dir(const char *needle)
{
	char	 path[300];

	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	return file_has(path, needle);
}

static void
secrets_sealed(void)
{
	/* RFC 2759 9.2: NtPasswordHash("clientPass"). */
	static const uint8_t	 nt[16] = { 0x44, 0xEB, 0xBA, 0x8D, 0x53,
	    0x12, 0xB8, 0xD6, 0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89,
	    0xAE };
	struct store		*st;
	struct store_err	 e;
	struct rg_config	*c;
	const struct rg_user	*u;
	const struct rg_psk	*p;
	char			 err[256], path[300];

	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	CHECK_EQ(add(st, "users", "{\"name\":\"bob\",\"password\":"
	    "\"clientPass\"}", &e), 0);
	CHECK_EQ(add(st, "psks", "{\"id\":\"%any\",\"secret\":"
	    "\"psk-ZyXw-0987654321\"}", &e), 0);
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c) {
		u = rg_config_user(c, "bob");
		CHECK(u != NULL && u->has_nt_hash);
		if (u) {
			CHECK_STR(u->password, "clientPass");
			CHECK_MEM(u->nt_hash, nt, 16);
			CHECK(u->enabled);
		}
		p = rg_config_psk(c, "anyone");
		CHECK(p != NULL && p->secret_len == 19);
		if (p)
			CHECK_MEM(p->secret, "psk-ZyXw-0987654321", 19);
		rg_config_unref(c);
	}
	store_close(st);
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	CHECK(file_has(path, "bob"));		/* the file is readable... */
	CHECK(!file_has(path, "clientPass"));	/* ...the secrets are not */
	CHECK(!file_has(path, "psk-ZyXw"));
	snprintf(path, sizeof(path), "%s/roadgate.db-wal", dir);
	CHECK(!file_has(path, "clientPass"));
}

/* RADIUS servers: IP literal with an optional port, the secret sealed and
 * never shown, defaults, auth_backend choices; the snapshot in name
 * order. */
static void
radius_servers(void)
{
	struct store		*st;
	struct store_err	 e;
	struct rg_config	*c;
	json_t			*o;
	char			 err[256], path[300];

	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	CHECK_EQ(add(st, "radius", "{\"name\":\"x\",\"address\":"
	    "\"radius.example\",\"secret\":\"s\"}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "address");
	CHECK_EQ(add(st, "radius", "{\"name\":\"x\",\"address\":"
	    "\"192.0.2.9:0\",\"secret\":\"s\"}", &e), STORE_EINVAL);
	CHECK_EQ(add(st, "radius", "{\"name\":\"x\",\"address\":"
	    "\"192.0.2.9\"}", &e), STORE_EINVAL);
	CHECK_EQ(add(st, "radius", "{\"name\":\"b\",\"address\":"
	    "\"[2001:db8::1]:1812\",\"secret\":\"radius-Secret-42\","
	    "\"require_ma\":false,\"retries\":\"5\"}", &e), 0);
	CHECK_EQ(add(st, "radius", "{\"name\":\"a\",\"address\":"
	    "\"192.0.2.9\",\"secret\":\"other-secret\","
	    "\"acct_port\":\"1646\"}", &e), 0);
	o = store_obj_get(st, "radius", "b", &e);
	CHECK(o != NULL && json_object_get(o, "secret") == NULL);
	json_decref(o);
	o = json_pack("{s:s}", "auth_backend", "ldap");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	json_decref(o);
	o = json_pack("{s:s}", "auth_backend", "radius,local");
	CHECK_EQ(store_settings_set(st, o, &e), 0);
	json_decref(o);
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c) {
		CHECK_EQ(c->nradius, 2);
		CHECK_STR(c->settings.auth_backend, "radius,local");
		CHECK_EQ(c->settings.radius_interim_s, 600);
		if (c->nradius == 2) {
			CHECK_STR(c->radius[0].name, "a");
			CHECK_EQ(c->radius[0].acct_port, 1646);
			CHECK_EQ(c->radius[0].timeout_ms, 3000);
			CHECK_EQ(c->radius[0].retries, 2);
			CHECK(c->radius[0].require_ma);
			CHECK_STR(c->radius[1].address, "[2001:db8::1]:1812");
			CHECK_EQ(c->radius[1].secret_len, 16);
			CHECK_MEM(c->radius[1].secret, "radius-Secret-42", 16);
			CHECK(!c->radius[1].require_ma);
			CHECK_EQ(c->radius[1].retries, 5);
		}
		rg_config_unref(c);
	}
	store_close(st);
	snprintf(path, sizeof(path), "%s/roadgate.db", dir);
	CHECK(!file_has(path, "radius-Secret-42"));
}

static void
users_validation(void)
{
	struct store		*st;
	struct store_err	 e;
	json_t			*o, *l;

	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	CHECK_EQ(add(st, "users", "{\"name\":\"a\",\"password\":\"x\","
	    "\"group\":\"nope\"}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "group");
	CHECK_EQ(add(st, "users", "{\"name\":\"a b\",\"password\":\"x\"}",
	    &e), STORE_EINVAL);
	CHECK_STR(e.field, "name");
	CHECK_EQ(add(st, "users", "{\"name\":\"a\"}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "password");
	CHECK_EQ(add(st, "users", "{\"name\":\"a\",\"password\":\"\"}", &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "password");
	CHECK_EQ(add(st, "users", "{\"name\":\"a\",\"password\":\"x\","
	    "\"colour\":1}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "colour");
	CHECK_EQ(add(st, "users", "{\"name\":\"a\",\"password\":\"x\","
	    "\"static_ip4\":\"10.0.0.300\"}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "static_ip4");
	l = store_obj_list(st, "users", &e);
	CHECK(l != NULL && json_array_size(l) == 0);	/* nothing written */
	json_decref(l);

	CHECK_EQ(add(st, "groups", "{\"name\":\"staff\"}", &e), 0);
	CHECK_EQ(add(st, "users", "{\"name\":\"alice\",\"password\":\"p\","
	    "\"group\":\"staff\"}", &e), 0);
	CHECK_EQ(add(st, "users", "{\"name\":\"alice\",\"password\":\"p\"}",
	    &e), STORE_EEXIST);
	CHECK_EQ(store_obj_del(st, "groups", "staff", &e), STORE_EBUSY);
	CHECK_EQ(add(st, "users", "{\"name\":\"u1\",\"password\":\"p\","
	    "\"static_ip4\":\"10.0.0.5\"}", &e), 0);
	CHECK_EQ(add(st, "users", "{\"name\":\"u2\",\"password\":\"p\","
	    "\"static_ip4\":\"10.0.0.5\"}", &e), STORE_EEXIST);
	CHECK_STR(e.field, "static_ip4");
	CHECK_EQ(store_obj_del(st, "users", "u1", &e), 0);
	o = json_pack("{s:b}", "enabled", 0);
	CHECK_EQ(store_obj_update(st, "users", "alice", o, false, &e), 0);
	json_decref(o);
	o = store_obj_get(st, "users", "alice", &e);
	CHECK(o != NULL);
	CHECK(json_is_false(json_object_get(o, "enabled")));
	CHECK_STR(json_string_value(json_object_get(o, "group")), "staff");
	CHECK(json_is_true(json_object_get(o, "has_password")));
	CHECK(json_object_get(o, "password") == NULL);
	json_decref(o);
	o = json_object();
	CHECK_EQ(store_obj_update(st, "users", "zed", o, false, &e),
	    STORE_ENOENT);
	json_decref(o);
	CHECK_EQ(store_obj_del(st, "users", "alice", &e), 0);
	CHECK_EQ(store_obj_del(st, "users", "alice", &e), STORE_ENOENT);
	CHECK_EQ(store_obj_del(st, "groups", "staff", &e), 0);
	store_close(st);
}

/* Is kw one of the '-'-separated keywords of s? */
static bool
has_kw(const char *s, const char *kw)
{
	size_t	 n = strlen(kw);

	for (const char *p = s; (p = strstr(p, kw)) != NULL; p++)
		if ((p == s || p[-1] == '-') && (p[n] == '\0' || p[n] == '-'))
			return true;
	return false;
}

/* Does one of the strings hold every keyword of want ("prfsha1-modp2048")? */
static bool
offers(char *const *v, size_t n, const char *want)
{
	char	 w[128], *k, *save;
	bool	 all;

	for (size_t i = 0; i < n; i++) {
		snprintf(w, sizeof(w), "%s", want);
		all = true;
		for (k = strtok_r(w, "-", &save); k && all;
		    k = strtok_r(NULL, "-", &save))
			all = has_kw(v[i], k);
		if (all)
			return true;
	}
	return false;
}

/*
 * The presets a snapshot carries are the engines' (rg_proposal_preset()):
 * a second copy in the store once dropped PRF HMAC-SHA1 from "modern" and
 * refused Android 11 (PRODUCT.md fact 11: SHA-2 integrity, PRF SHA1 only,
 * MODP2048+), which the engine's own copy accepted.
 */
static void
presets_as_engine(const struct rg_config *c)
{
	static const char *const names[] = { "modern", "compatible" };

	for (size_t i = 0; i < 2; i++) {
		const struct rg_proposal_set *ps = rg_config_proposals(c,
		    names[i]);
		const char *const *ike = rg_proposal_preset(names[i], false);
		const char *const *esp = rg_proposal_preset(names[i], true);
		size_t	 n;

		CHECK(ps != NULL && ike != NULL && esp != NULL);
		if (ps == NULL || ike == NULL || esp == NULL)
			continue;
		for (n = 0; ike[n] != NULL; n++)
			CHECK(n < ps->nike && strcmp(ps->ike[n], ike[n]) == 0);
		CHECK_EQ(ps->nike, n);
		for (n = 0; esp[n] != NULL; n++)
			CHECK(n < ps->nesp && strcmp(ps->esp[n], esp[n]) == 0);
		CHECK_EQ(ps->nesp, n);
	}
	/* Android 11 under "modern"; MODP1024 only under "compatible". */
	const struct rg_proposal_set *m = rg_config_proposals(c, "modern");
	const struct rg_proposal_set *k = rg_config_proposals(c, "compatible");

	if (m == NULL || k == NULL)
		return;
	CHECK(offers(m->ike, m->nike, "aes256-sha256-prfsha1-modp2048"));
	CHECK(!offers(m->ike, m->nike, "modp1024"));
	CHECK(offers(k->ike, k->nike, "3des-sha1-prfsha1-modp1024"));
}

static void
pools_profiles(void)
{
	struct store		*st;
	struct store_err	 e;
	struct rg_config	*c;
	const struct rg_pool_conf *p;
	const struct rg_profile	*pr;
	char			 err[256], a[64];
	json_t			*o, *l;

	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	CHECK_EQ(add(st, "pools", "{\"name\":\"main\",\"ranges\":"
	    "[\"198.18.0.0/16\"],\"excludes\":[\"198.18.0.0/30\"]}", &e), 0);
	CHECK_EQ(add(st, "pools", "{\"name\":\"b\",\"ranges\":"
	    "\"198.18.7.1-198.18.7.9\"}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "ranges");
	CHECK_EQ(add(st, "pools", "{\"name\":\"b\",\"ranges\":"
	    "[\"10.0.0.1/24\"]}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "ranges");
	CHECK_EQ(add(st, "pools", "{\"name\":\"b\",\"ranges\":"
	    "[\"10.0.0.0/32\"]}", &e), STORE_EINVAL);
	CHECK(strstr(e.msg, "too long") != NULL);
	CHECK_EQ(add(st, "pools", "{\"name\":\"b\",\"ranges\":[\"10.0.0.0/24\""
	    "],\"excludes\":[\"10.0.0.1/30\"]}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "excludes");
	CHECK_EQ(add(st, "pools", "{\"name\":\"v6\",\"ranges\":"
	    "[\"2001:db8::/64\"],\"dns\":[\"2001:db8::53\"]}", &e), 0);
	CHECK_EQ(add(st, "profiles", "{\"name\":\"six\",\"pools\":"
	    "[\"v6\"]}", &e), 0);
	l = store_obj_list(st, "pools", &e);
	CHECK_EQ(json_array_size(l), 2);
	json_decref(l);
	CHECK_EQ(add(st, "profiles", "{\"name\":\"default\",\"pools\":"
	    "[\"main\"],\"dns\":[\"198.51.100.53\"],\"split\":"
	    "[\"198.51.100.0/24\"],\"domains\":[\"corp.example\"]}", &e), 0);
	CHECK_EQ(add(st, "profiles", "{\"name\":\"x\",\"pools\":[\"nope\"]}",
	    &e), STORE_EINVAL);
	CHECK_STR(e.field, "pools");
	CHECK_EQ(add(st, "profiles", "{\"name\":\"x\",\"split\":"
	    "[\"10.1.1.1/8\"]}", &e), STORE_EINVAL);
	CHECK_STR(e.field, "split");
	CHECK_EQ(store_obj_del(st, "pools", "main", &e), STORE_EBUSY);
	o = json_pack("{s:s}", "next", "main");
	CHECK_EQ(store_obj_update(st, "pools", "main", o, false, &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "next");
	json_decref(o);
	o = json_pack("{s:s}", "banner", "hello");
	CHECK_EQ(store_obj_update(st, "profiles", "default", o, false, &e), 0);
	json_decref(o);
	o = store_obj_get(st, "profiles", "default", &e);
	CHECK_EQ(json_integer_value(json_object_get(o, "generation")), 2);
	json_decref(o);

	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c == NULL)
		goto out;
	p = rg_config_pool(c, "main");
	CHECK(p != NULL && p->nranges == 1 && p->nexcludes == 1);
	if (p) {
		CHECK_STR(rg_addr_str(&p->ranges[0].first, a, sizeof(a)),
		    "198.18.0.1");
		CHECK_STR(rg_addr_str(&p->ranges[0].last, a, sizeof(a)),
		    "198.18.255.254");
		CHECK_STR(rg_prefix_str(&p->network, a, sizeof(a)),
		    "198.18.0.0/16");
	}
	pr = rg_config_profile(c, "default");
	CHECK(pr != NULL && pr->ndns == 1 && pr->nsplit == 1 &&
	    pr->ndomains == 1 && pr->npools == 1 && pr->generation == 2);
	if (pr)
		CHECK_STR(pr->banner, "hello");
	pr = rg_config_profile(c, "six");	/* DNS from its pool */
	CHECK(pr != NULL && pr->ndns == 1);
	if (pr && pr->ndns == 1)
		CHECK_STR(rg_addr_str(&pr->dns[0], a, sizeof(a)),
		    "2001:db8::53");
	CHECK_STR(c->settings.proposals, "compatible");
	CHECK_EQ(c->settings.ike_lifetime_s, 86400);
	CHECK_EQ(c->settings.child_lifetime_s, 10800);
	CHECK_EQ(c->settings.dpd_interval_s, 30);
	CHECK_EQ(c->settings.dpd_timeout_s, 150);
	CHECK_EQ(c->settings.mss_clamp, 1360);
	CHECK_EQ(c->settings.sticky_s, 1800);	/* POOL_STICKY_DEFAULT_S */
	CHECK(rg_config_proposals(c, "modern") != NULL);
	CHECK(rg_config_proposals(c, "compatible") != NULL);
	presets_as_engine(c);
	rg_config_unref(c);
out:
	store_close(st);
}

static void
proposals_settings(void)
{
	struct store		*st;
	struct store_err	 e;
	const char		*why;
	json_t			*o, *l;

	CHECK_EQ(store_proposal_check("aes256gcm16-prfsha256-ecp256", false,
	    &why), 0);
	CHECK_EQ(store_proposal_check("aes256-sha1-modp1024", false, &why),
	    0);
	CHECK(store_proposal_check("aes256-modp1024", false, &why) < 0);
	CHECK(store_proposal_check("aes256gcm16-ecp256", false, &why) < 0);
	CHECK(store_proposal_check("aes256-sha1-rot13", false, &why) < 0);
	CHECK(store_proposal_check("aes256gcm16-sha256", true, &why) < 0);
	CHECK_EQ(store_proposal_check("aes256-sha256-modp2048", true, &why),
	    0);
	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	l = store_obj_list(st, "proposals", &e);
	CHECK_EQ(json_array_size(l), 2);
	json_decref(l);
	CHECK_EQ(add(st, "proposals", "{\"name\":\"modern\",\"ike\":"
	    "[\"aes256-sha256-modp2048\"],\"esp\":[\"aes256-sha256\"]}", &e),
	    STORE_EROFS);
	CHECK_EQ(store_obj_del(st, "proposals", "modern", &e), STORE_EROFS);
	CHECK_EQ(add(st, "proposals", "{\"name\":\"mine\",\"ike\":"
	    "[\"aes256-sha256-modp9\"],\"esp\":[\"aes256-sha256\"]}", &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "ike");
	CHECK_EQ(add(st, "proposals", "{\"name\":\"mine\",\"ike\":"
	    "[\"aes256-sha256-modp2048\"],\"esp\":[\"aes256gcm16\"]}", &e), 0);
	o = json_pack("{s:s}", "proposals", "nope");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	CHECK_STR(e.field, "proposals");
	json_decref(o);
	o = json_pack("{s:s,s:i}", "proposals", "mine", "dpd_interval_s",
	    99999);
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	CHECK_STR(e.field, "dpd_interval_s");
	json_decref(o);
	o = store_settings_get(st, &e);		/* rolled back: both */
	CHECK_STR(json_string_value(json_object_get(o, "proposals")),
	    "compatible");
	json_decref(o);
	o = json_pack("{s:s,s:s}", "proposals", "mine", "mss_clamp", "1300");
	CHECK_EQ(store_settings_set(st, o, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "colour", "red");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	json_decref(o);
	o = store_settings_get(st, &e);
	CHECK_STR(json_string_value(json_object_get(o, "proposals")), "mine");
	CHECK_EQ(json_integer_value(json_object_get(o, "mss_clamp")), 1300);
	json_decref(o);
	/* sticky_s: 0 (not kept) .. 30 days. */
	o = json_pack("{s:s}", "sticky_s", "0");
	CHECK_EQ(store_settings_set(st, o, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "sticky_s", "2592001");
	CHECK_EQ(store_settings_set(st, o, &e), STORE_EINVAL);
	CHECK_STR(e.field, "sticky_s");
	json_decref(o);
	o = store_settings_get(st, &e);
	CHECK_EQ(json_integer_value(json_object_get(o, "sticky_s")), 0);
	json_decref(o);
	CHECK_EQ(store_obj_del(st, "proposals", "mine", &e), STORE_EBUSY);
	store_close(st);
}

static int
count_lease(const struct store_lease *l, void *arg)
{
	(*(int *)arg)++;
	return strcmp(l->state, "bound") == 0 ? 0 : -1;
}

static int
cert_seen(const struct store_cert *c, void *arg)
{
	snprintf(arg, 64, "%s/%s/%lld", c->kind, c->serial,
	    (long long)c->revoked_at);
	return 0;
}

static void
state_tables(void)
{
	struct store		*st;
	struct store_err	 e;
	struct store_lease	 l = { 0 };
	struct store_cert	 c = { 0 };
	struct rg_config	*cfg;
	struct sockaddr_in	 peer = { .sin_family = AF_INET,
				     .sin_port = htons(4500) };
	struct rg_addr		 vip;
	char			 err[256], seen[64] = "", *key = NULL, *pem;
	uint64_t		 sid = 0;
	int64_t			 id = 0, num = 0;
	int			 n = 0;
	json_t			*a;

	fresh_dir();
	if ((st = open_ok()) == NULL)
		return;
	CHECK_EQ(add(st, "pools", "{\"name\":\"p\",\"ranges\":"
	    "\"10.7.0.0/24\"}", &e), 0);
	l.pool = "p";
	l.user = "alice";
	l.state = "bound";
	rg_addr_parse("10.7.0.5", &l.addr);
	CHECK_EQ(store_lease_put(st, &l), 0);
	l.session_id = 9;
	CHECK_EQ(store_lease_put(st, &l), 0);	/* replaces */
	rg_addr_parse("10.7.0.6", &l.addr);
	CHECK_EQ(store_lease_put(st, &l), 0);
	CHECK_EQ(store_lease_list(st, "p", count_lease, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(store_lease_del(st, "p", &l.addr), 0);
	n = 0;
	CHECK_EQ(store_lease_list(st, NULL, count_lease, &n), 0);
	CHECK_EQ(n, 1);

	inet_pton(AF_INET, "203.0.113.7", &peer.sin_addr);
	rg_addr_parse("10.7.0.5", &vip);
	CHECK_EQ(store_session_begin(st, "alice", "ikev2", "eap-mschapv2",
	    (struct sockaddr *)&peer, &vip, &sid), 0);
	CHECK(sid > 0);
	a = store_session_list(st, 10);
	CHECK(json_is_null(json_object_get(json_array_get(a, 0), "ended")));
	CHECK(json_is_null(json_object_get(json_array_get(a, 0), "cause")));
	json_decref(a);
	CHECK_EQ(store_session_end(st, sid, 100, 200, "deleted by the peer"), 0);
	a = store_session_list(st, 10);
	CHECK_EQ(json_array_size(a), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0),
	    "method")), "eap-mschapv2");
	CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0),
	    "cause")), "deleted by the peer");
	CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0),
	    "peer")), "203.0.113.7:4500");
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(a, 0),
	    "bytes_out")), 200);
	json_decref(a);

	c.kind = "ca";
	c.name = "roadgate CA";
	c.serial = "01";
	c.cert_pem = "-----CA-----";
	c.not_after = 2000000000;
	CHECK_EQ(store_cert_add(st, &c, "ca-key-SECRET", &id, &e), 0);
	c.kind = "server";
	c.serial = "02";
	c.cert_pem = "-----SRV-----";
	CHECK_EQ(store_cert_add(st, &c, "srv-key-SECRET", &id, &e), 0);
	CHECK_EQ(store_cert_add(st, &c, NULL, &id, &e), STORE_EEXIST);
	CHECK_EQ(store_cert_find(st, "ca", NULL, cert_seen, seen, &key), 0);
	CHECK_STR(seen, "ca/01/0");
	CHECK_STR(key, "ca-key-SECRET");
	free(key);
	CHECK_EQ(store_crl_add(st, 1, "-----CRL1-----"), 0);
	CHECK_EQ(store_crl_add(st, 2, "-----CRL2-----"), 0);
	CHECK_EQ(store_crl_latest(st, &pem, &num), 0);
	CHECK_EQ(num, 2);
	CHECK_STR(pem, "-----CRL2-----");
	free(pem);
	cfg = store_config_load(st, err, sizeof(err));
	CHECK(cfg != NULL);
	if (cfg) {
		CHECK_STR(cfg->pki.ca_pem, "-----CA-----");
		CHECK_STR(cfg->pki.server_cert_pem, "-----SRV-----");
		CHECK_STR(cfg->pki.server_key_pem, "srv-key-SECRET");
		CHECK_STR(cfg->pki.crl_pem, "-----CRL2-----");
		rg_config_unref(cfg);
	}
	CHECK_EQ(store_cert_revoke(st, "02", "keyCompromise", &e), 0);
	CHECK_EQ(store_cert_revoke(st, "02", "keyCompromise", &e),
	    STORE_ENOENT);
	CHECK_EQ(store_cert_find(st, NULL, "02", cert_seen, seen, NULL), 0);
	CHECK(strncmp(seen, "server/02/", 10) == 0 && strcmp(seen,
	    "server/02/0") != 0);
	CHECK_EQ(store_cert_find(st, "client", NULL, NULL, NULL, NULL),
	    STORE_ENOENT);
	store_close(st);
	CHECK(!file_has_dir("ca-key-SECRET"));
}

static void
cleanup(void)
{
	fresh_dir();
	rmdir(dir);
}

RG_TEST_MAIN("store",
    T(create_and_reopen), T(refuse_bad_key), T(refuse_newer_schema),
    T(refuse_corrupt), T(migrate_from_v1), T(secrets_sealed),
    T(radius_servers), T(users_validation), T(pools_profiles),
    T(proposals_settings), T(state_tables), FIXTURE(cleanup))
