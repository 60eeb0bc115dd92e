/*
 * store_admin.c: the web console's own tables (migration 6): admin
 * accounts, API tokens and the audit log.  They are not configuration:
 * nothing here reaches the engines' snapshot, so they have typed
 * functions instead of store_tables[] entries (the generic ones would
 * hand a password hash back on GET).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

static bool
role_ok(const char *role)
{
	return role && (strcmp(role, "admin") == 0 ||
	    strcmp(role, "read-only") == 0);
}

/* One write statement with up to three text binds, in its transaction. */
static int
write1(struct store *st, const char *sql, const char *a, const char *b,
    const char *c, const char *noun, const char *name, struct store_err *e)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (store_begin(st, e) < 0)
		return STORE_EIO;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, e, noun);
		store_rollback(st);
		return rc;
	}
	sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	if (c)
		sqlite3_bind_text(s, 3, c, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		store_rollback(st);
		return store_seterr(e, STORE_EEXIST, "name", "%s %s already "
		    "exists", noun, name);
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(st, e, noun);
		store_rollback(st);
		return rc;
	}
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		return store_seterr(e, STORE_ENOENT, "name", "no such %s: %s",
		    noun, name);
	}
	return store_commit(st, e);
}

static json_t *
list3(struct store *st, const char *sql, const char *noun,
    struct store_err *e)
{
	sqlite3_stmt	*s;
	json_t		*a = json_array();
	int		 rc;

	if (a == NULL || sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		json_decref(a);
		store_sqlerr(st, e, noun);
		return NULL;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I}",
		    "name", (const char *)sqlite3_column_text(s, 0),
		    "role", (const char *)sqlite3_column_text(s, 1),
		    "created", (json_int_t)sqlite3_column_int64(s, 2)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		store_sqlerr(st, e, noun);
		return NULL;
	}
	return a;
}

static int
check_new(const char *name, const char *role, struct store_err *e)
{
	if (name == NULL || !store_name_ok(name))
		return store_seterr(e, STORE_EINVAL, "name", "expected a name "
		    "of 1 to 64 letters, digits, '.', '_', '@' or '-'");
	if (!role_ok(role))
		return store_seterr(e, STORE_EINVAL, "role", "expected admin "
		    "or read-only");
	return 0;
}

int
store_admin_add(struct store *st, const char *name, const char *pw_hash,
    const char *role, struct store_err *e)
{
	if (check_new(name, role, e) < 0)
		return STORE_EINVAL;
	return write1(st, "INSERT INTO admins (name, pw_hash, role) "
	    "VALUES (?1, ?2, ?3)", name, pw_hash, role, "admin", name, e);
}

int
store_admin_set(struct store *st, const char *name, const char *pw_hash,
    const char *role, struct store_err *e)
{
	if (role && !role_ok(role))
		return store_seterr(e, STORE_EINVAL, "role", "expected admin "
		    "or read-only");
	/* ?2/?3 NULL keep the column. */
	return write1(st, "UPDATE admins SET pw_hash = coalesce(?2, pw_hash), "
	    "role = coalesce(?3, role) WHERE name = ?1", name,
	    pw_hash ? pw_hash : NULL, role, "admin", name, e);
}

int
store_admin_del(struct store *st, const char *name, struct store_err *e)
{
	return write1(st, "DELETE FROM admins WHERE name = ?1", name, NULL,
	    NULL, "admin", name, e);
}

int
store_admin_get(struct store *st, const char *name, char **pw_hash,
    char role[16])
{
	sqlite3_stmt	*s;
	int		 rc = STORE_ENOENT;

	*pw_hash = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT pw_hash, role FROM admins "
	    "WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "admins");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*pw_hash = strdup((const char *)sqlite3_column_text(s, 0));
		snprintf(role, 16, "%s", sqlite3_column_text(s, 1));
		rc = *pw_hash ? 0 : STORE_EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

json_t *
store_admin_list(struct store *st, struct store_err *e)
{
	return list3(st, "SELECT name, role, created FROM admins ORDER BY "
	    "name", "admins", e);
}

int
store_admin_count(struct store *st)
{
	sqlite3_stmt	*s;
	int		 n = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM admins", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
store_token_add(struct store *st, const char *name, const char *hash,
    const char *role, struct store_err *e)
{
	if (check_new(name, role, e) < 0)
		return STORE_EINVAL;
	return write1(st, "INSERT INTO api_tokens (name, hash, role) "
	    "VALUES (?1, ?2, ?3)", name, hash, role, "token", name, e);
}

int
store_token_del(struct store *st, const char *name, struct store_err *e)
{
	return write1(st, "DELETE FROM api_tokens WHERE name = ?1", name, NULL,
	    NULL, "token", name, e);
}

json_t *
store_token_list(struct store *st, struct store_err *e)
{
	return list3(st, "SELECT name, role, created FROM api_tokens ORDER BY "
	    "name", "api_tokens", e);
}

int
store_token_find(struct store *st, const char *hash, char name[65],
    char role[16])
{
	sqlite3_stmt	*s;
	int		 rc = STORE_ENOENT;

	if (sqlite3_prepare_v2(st->db, "SELECT name, role FROM api_tokens "
	    "WHERE hash = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "api_tokens");
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(name, 65, "%s", sqlite3_column_text(s, 0));
		snprintf(role, 16, "%s", sqlite3_column_text(s, 1));
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_audit_add(struct store *st, const char *who, const char *source,
    const char *verb, const char *path, int status)
{
	sqlite3_stmt	*s;
	char		 sql[96];
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO audit (time, who, source, "
	    "verb, path, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &s,
	    NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "audit");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 2, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, verb, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 6, status);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlerr(st, NULL, "audit");
	/* Bounded: the newest STORE_AUDIT_KEEP rows stay (ids only grow). */
	snprintf(sql, sizeof(sql), "DELETE FROM audit WHERE id <= %lld",
	    (long long)sqlite3_last_insert_rowid(st->db) - STORE_AUDIT_KEEP);
	(void)store_exec(st, sql);
	return 0;
}

json_t *
store_audit_list(struct store *st, unsigned int limit, struct store_err *e)
{
	sqlite3_stmt	*s;
	json_t		*a = json_array();
	int		 rc;

	if (a == NULL || sqlite3_prepare_v2(st->db, "SELECT id, time, who, "
	    "source, verb, path, status FROM audit ORDER BY id DESC LIMIT ?1",
	    -1, &s, NULL) != SQLITE_OK) {
		json_decref(a);
		store_sqlerr(st, e, "audit");
		return NULL;
	}
	sqlite3_bind_int64(s, 1, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,"
		    "s:i}", "id", (json_int_t)sqlite3_column_int64(s, 0),
		    "time", (json_int_t)sqlite3_column_int64(s, 1),
		    "who", (const char *)sqlite3_column_text(s, 2),
		    "source", (const char *)sqlite3_column_text(s, 3),
		    "verb", (const char *)sqlite3_column_text(s, 4),
		    "path", (const char *)sqlite3_column_text(s, 5),
		    "status", sqlite3_column_int(s, 6)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		store_sqlerr(st, e, "audit");
		return NULL;
	}
	return a;
}
