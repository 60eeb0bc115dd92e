/*
 * store_obj.c: generic create/read/update/delete of the configuration
 * objects described in store_schema.c, and the settings key/value table.
 * Each write is one BEGIN IMMEDIATE ... COMMIT: validation, reference
 * checks, the write and the cross-row checks (pool overlap) all run inside
 * it, and any failure rolls everything back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rg_log.h"
#include "store_int.h"

static const char *
out_name(const struct store_field *f)
{
	return f->type == SF_PASSWORD ? "has_password" : f->name;
}

static json_t *
row_json(const struct store_table *t, sqlite3_stmt *s)
{
	const struct store_field	*f;
	json_t				*o = json_object(), *v;
	int				 i;

	for (i = 0, f = t->fields; o && f->name; f++, i++) {
		if ((v = store_val_to_json(f, s, i)) != NULL)
			json_object_set_new(o, out_name(f), v);
	}
	if (o && t->builtin)
		json_object_set_new(o, "builtin", json_false());
	return o;
}

/* "SELECT "a", "b", ... FROM table" */
static char *
select_sql(const struct store_table *t, const char *where)
{
	const struct store_field	*f;
	char				*sql, *p;
	size_t				 len = 64 + strlen(t->table) +
					     (where ? strlen(where) : 0);

	for (f = t->fields; f->name; f++)
		len += strlen(f->col) + 4;
	if ((sql = p = malloc(len)) == NULL)
		return NULL;
	p += sprintf(p, "SELECT ");
	for (f = t->fields; f->name; f++)
		p += sprintf(p, "%s\"%s\"", f == t->fields ? "" : ", ",
		    f->col);
	sprintf(p, " FROM %s%s", t->table, where ? where : "");
	return sql;
}

static const struct store_table *
table_or_err(const char *res, struct store_err *e)
{
	const struct store_table	*t = store_table_get(res);

	if (t == NULL)
		store_seterr(e, STORE_ENOENT, NULL, "no such resource: %s",
		    res ? res : "");
	return t;
}

static json_t *
builtin_get(const struct store_table *t, const char *key)
{
	json_t	*b, *x, *r = NULL;
	size_t	 i;

	if (t->builtin == NULL || (b = t->builtin()) == NULL)
		return NULL;
	json_array_foreach(b, i, x)
		if (strcmp(json_string_value(json_object_get(x, "name")), key)
		    == 0)
			r = json_incref(x);
	json_decref(b);
	return r;
}

/* SELECT of t's fields followed by where: the statement, or NULL with e. */
static sqlite3_stmt *
select_prep(struct store *st, const struct store_table *t, const char *where,
    const char *res, struct store_err *e)
{
	sqlite3_stmt	*s = NULL;
	char		*sql;

	if ((sql = select_sql(t, where)) == NULL ||
	    sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, e, res);
		sqlite3_finalize(s);
		s = NULL;
	}
	free(sql);
	return s;
}

json_t *
store_obj_list(struct store *st, const char *res, struct store_err *e)
{
	const struct store_table	*t;
	sqlite3_stmt			*s;
	char				 where[80];
	json_t				*a;
	int				 rc;

	if ((t = table_or_err(res, e)) == NULL)
		return NULL;
	snprintf(where, sizeof(where), " ORDER BY \"%s\"", t->fields[0].col);
	if ((s = select_prep(st, t, where, res, e)) == NULL)
		return NULL;
	a = t->builtin ? t->builtin() : json_array();
	while (a && (rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, row_json(t, s));
	if (a && rc != SQLITE_DONE) {
		store_sqlerr(st, e, res);
		json_decref(a);
		a = NULL;
	}
	sqlite3_finalize(s);
	return a;
}

json_t *
store_obj_get(struct store *st, const char *res, const char *key,
    struct store_err *e)
{
	const struct store_table	*t;
	sqlite3_stmt			*s;
	char				 where[80];
	json_t				*o = NULL;
	int				 rc;

	if ((t = table_or_err(res, e)) == NULL)
		return NULL;
	if ((o = builtin_get(t, key)) != NULL)
		return o;
	snprintf(where, sizeof(where), " WHERE \"%s\" = ?", t->fields[0].col);
	if ((s = select_prep(st, t, where, res, e)) == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		o = row_json(t, s);
	else if (rc == SQLITE_DONE)
		store_seterr(e, STORE_ENOENT, t->fields[0].name,
		    "no such %s: %s", t->noun, key);
	else
		store_sqlerr(st, e, res);
	sqlite3_finalize(s);
	return o;
}

static int
bind_val(sqlite3_stmt *s, int i, const struct store_val *v)
{
	switch (v->kind) {
	case SV_TEXT:
		return sqlite3_bind_text(s, i, v->text, -1, SQLITE_STATIC);
	case SV_INT:
		return sqlite3_bind_int64(s, i, v->i);
	case SV_BLOB:
		return sqlite3_bind_blob(s, i, v->blob, (int)v->len,
		    SQLITE_STATIC);
	default:
		return sqlite3_bind_null(s, i);
	}
}

/* Columns to write and their values, at most two per field. */
struct wset {
	const char	*col[64];
	struct store_val val[64];
	size_t		 n;
};

static void
wset_clear(struct wset *w)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		store_val_clear(&w->val[i]);
	w->n = 0;
}

/*
 * Validate obj into w.  add/replace: absent fields take their defaults
 * (secrets are kept on replace); required ones must be there.
 */
static int
collect(struct store *st, const struct store_table *t, const char *key,
    json_t *obj, bool add, bool replace, struct wset *w,
    struct store_err *e)
{
	const struct store_field	*f;
	struct store_val		 v[2];
	const char			*k;
	json_t				*j;
	int				 rc;

	if (!json_is_object(obj))
		return store_seterr(e, STORE_EINVAL, NULL, "expected a JSON "
		    "object");
	json_object_foreach(obj, k, j) {
		for (f = t->fields; f->name; f++)
			if (strcmp(f->name, k) == 0)
				break;
		if (f->name == NULL)
			return store_seterr(e, STORE_EINVAL, k, "unknown field "
			    "%s", k);
	}
	for (f = t->fields; f->name; f++) {
		j = json_object_get(obj, f->name);
		if (f == t->fields) {
			if (j && !add && (!json_is_string(j) ||
			    strcmp(json_string_value(j), key) != 0))
				return store_seterr(e, STORE_EINVAL, f->name,
				    "cannot rename (%s)", key);
			if (!add)
				continue;
		}
		if (j == NULL) {
			if (f->type == SF_GEN || f->type == SF_TIME ||
			    f->type == SF_AF || (!add && !replace))
				continue;
			if (f->flags & SF_REQ) {
				if (!add && (f->type == SF_PASSWORD ||
				    f->type == SF_SECRET))
					continue;
				return store_seterr(e, STORE_EINVAL, f->name,
				    "%s is required", f->name);
			}
			if (add && f->def == NULL)
				continue;
			j = json_null();
		}
		rc = store_val_from_json(st, t, f, key, j, v, e);
		if (rc < 0)
			return rc;
		if (w->n + 2 > sizeof(w->col) / sizeof(w->col[0])) {
			store_val_clear(&v[0]);
			store_val_clear(&v[1]);
			return store_seterr(e, STORE_EIO, NULL, "too many "
			    "fields");
		}
		w->col[w->n] = f->col;
		w->val[w->n++] = v[0];
		if (f->type == SF_PASSWORD) {
			w->col[w->n] = "nt_hash_enc";
			w->val[w->n++] = v[1];
		} else if (f->type == SF_RANGELIST) {
			w->col[w->n] = "af";
			w->val[w->n++] = v[1];
		}
	}
	return 0;
}

static int
exists(struct store *st, const struct store_table *t, const char *key)
{
	sqlite3_stmt	*s;
	char		 sql[160];
	int		 rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE \"%s\" = ?",
	    t->table, t->fields[0].col);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return rc;
}

static bool
has_gen(const struct store_table *t)
{
	const struct store_field	*f;

	for (f = t->fields; f->name; f++)
		if (f->type == SF_GEN)
			return true;
	return false;
}

static int
write_row(struct store *st, const struct store_table *t, const char *key,
    bool add, struct wset *w, struct store_err *e)
{
	sqlite3_stmt	*s = NULL;
	char		 sql[2048];
	size_t		 i, off;
	int		 rc;

	if (add) {
		off = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s (",
		    t->table);
		for (i = 0; i < w->n; i++)
			off += (size_t)snprintf(sql + off, sizeof(sql) - off,
			    "%s\"%s\"", i ? ", " : "", w->col[i]);
		off += (size_t)snprintf(sql + off, sizeof(sql) - off,
		    ") VALUES (");
		for (i = 0; i < w->n; i++)
			off += (size_t)snprintf(sql + off, sizeof(sql) - off,
			    "%s?", i ? ", " : "");
		snprintf(sql + off, sizeof(sql) - off, ")");
	} else {
		off = (size_t)snprintf(sql, sizeof(sql), "UPDATE %s SET ",
		    t->table);
		for (i = 0; i < w->n; i++)
			off += (size_t)snprintf(sql + off, sizeof(sql) - off,
			    "%s\"%s\" = ?", i ? ", " : "", w->col[i]);
		if (has_gen(t))
			off += (size_t)snprintf(sql + off, sizeof(sql) - off,
			    "%sgeneration = generation + 1", w->n ? ", " : "");
		else if (w->n == 0)
			return 0;
		snprintf(sql + off, sizeof(sql) - off, " WHERE \"%s\" = ?",
		    t->fields[0].col);
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, e, t->res);
	for (i = 0; i < w->n; i++)
		bind_val(s, (int)i + 1, &w->val[i]);
	if (!add)
		sqlite3_bind_text(s, (int)w->n + 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		/* "UNIQUE constraint failed: users.static_ip4" -> the field */
		const char			*m = sqlite3_errmsg(st->db),
						*dot = strrchr(m, '.');
		const struct store_field	*f;

		for (f = t->fields; dot && f->name; f++)
			if (strcmp(f->col, dot + 1) == 0)
				return store_seterr(e, STORE_EEXIST, f->name,
				    "another %s has the same %s", t->noun,
				    f->name);
		return store_seterr(e, STORE_EEXIST, NULL, "%s", m);
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return store_seterr(e, STORE_EINVAL, NULL, "%s",
		    sqlite3_errmsg(st->db));
	return store_sqlerr(st, e, t->res);
}

static int
obj_write(struct store *st, const char *res, const char *key, json_t *obj,
    bool add, bool replace, struct store_err *e)
{
	const struct store_table	*t;
	struct wset			 w;
	json_t				*b;
	int				 rc;

	memset(&w, 0, sizeof(w));
	if ((t = table_or_err(res, e)) == NULL)
		return STORE_ENOENT;
	if (add) {
		json_t	*k = json_is_object(obj) ?
		    json_object_get(obj, t->fields[0].name) : NULL;

		if (!json_is_string(k))
			return store_seterr(e, STORE_EINVAL, t->fields[0].name,
			    "%s is required", t->fields[0].name);
		key = json_string_value(k);
	}
	if ((b = builtin_get(t, key)) != NULL) {
		json_decref(b);
		return store_seterr(e, STORE_EROFS, t->fields[0].name,
		    "%s is built in and read-only", key);
	}
	if ((rc = store_begin(st, e)) < 0)
		return rc;
	if ((rc = exists(st, t, key)) < 0) {
		rc = store_sqlerr(st, e, res);
		goto out;
	}
	if (add && rc) {
		rc = store_seterr(e, STORE_EEXIST, t->fields[0].name,
		    "%s %s already exists", t->noun, key);
		goto out;
	}
	if (!add && !rc) {
		rc = store_seterr(e, STORE_ENOENT, t->fields[0].name,
		    "no such %s: %s", t->noun, key);
		goto out;
	}
	if ((rc = collect(st, t, key, obj, add, replace, &w, e)) < 0 ||
	    (rc = write_row(st, t, key, add, &w, e)) < 0 ||
	    (t->check && (rc = t->check(st, e)) < 0))
		goto out;
	rc = store_commit(st, e);
	if (rc == 0)
		rg_info(STORE, "%s %s %s", add ? "added" : "changed", res, key);
out:
	if (rc < 0)
		store_rollback(st);
	wset_clear(&w);
	return rc;
}

int
store_obj_add(struct store *st, const char *res, json_t *obj,
    struct store_err *e)
{
	return obj_write(st, res, NULL, obj, true, false, e);
}

int
store_obj_update(struct store *st, const char *res, const char *key,
    json_t *obj, bool replace, struct store_err *e)
{
	return obj_write(st, res, key, obj, false, replace, e);
}

/* Who still refers to res/key: a message, or 0 when nobody does. */
static int
in_use(struct store *st, const char *res, const char *key,
    struct store_err *e)
{
	const struct store_table	*tt = store_table_get(res), *t;
	const struct store_field	*f;
	sqlite3_stmt			*s;
	char				 sql[256];
	int				 rc = 0;

	for (t = store_tables; t->res && rc == 0; t++)
		for (f = t->fields; f->name && rc == 0; f++) {
			if ((f->type != SF_REF && f->type != SF_REFLIST) ||
			    strcmp(f->ref, res) != 0)
				continue;
			if (f->type == SF_REF)
				snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM "
				    "%s WHERE \"%s\" = ?1", t->fields[0].col,
				    t->table, f->col);
			else
				snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM "
				    "%s WHERE instr(',' || \"%s\" || ',', "
				    "',' || ?1 || ',') > 0", t->fields[0].col,
				    t->table, f->col);
			if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) !=
			    SQLITE_OK)
				return store_sqlerr(st, e, t->res);
			sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				rc = store_seterr(e, STORE_EBUSY,
				    t->fields[0].name, "%s %s is in use by "
				    "%s %s (%s)", tt->noun, key, t->noun,
				    sqlite3_column_text(s, 0), f->name);
			sqlite3_finalize(s);
		}
	for (f = store_settings_fields; f->name && rc == 0; f++) {
		if (f->type != SF_REF || strcmp(f->ref, res) != 0)
			continue;
		if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM settings WHERE "
		    "key = ?1 AND value = ?2", -1, &s, NULL) != SQLITE_OK)
			return store_sqlerr(st, e, "settings");
		sqlite3_bind_text(s, 1, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			rc = store_seterr(e, STORE_EBUSY, "name", "%s %s is in "
			    "use by setting %s", tt->noun, key, f->name);
		sqlite3_finalize(s);
	}
	return rc;
}

int
store_obj_del(struct store *st, const char *res, const char *key,
    struct store_err *e)
{
	const struct store_table	*t;
	sqlite3_stmt			*s = NULL;
	json_t				*b;
	char				 sql[160];
	int				 rc;

	if ((t = table_or_err(res, e)) == NULL)
		return STORE_ENOENT;
	if ((b = builtin_get(t, key)) != NULL) {
		json_decref(b);
		return store_seterr(e, STORE_EROFS, t->fields[0].name,
		    "%s is built in and read-only", key);
	}
	if ((rc = store_begin(st, e)) < 0)
		return rc;
	if ((rc = in_use(st, res, key, e)) < 0)
		goto out;
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE \"%s\" = ?",
	    t->table, t->fields[0].col);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, e, res);
		goto out;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		rc = store_seterr(e, STORE_EBUSY, t->fields[0].name, "%s %s is "
		    "in use", t->noun, key);
		goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(st, e, res);
		goto out;
	}
	if (sqlite3_changes(st->db) == 0) {
		rc = store_seterr(e, STORE_ENOENT, t->fields[0].name,
		    "no such %s: %s", t->noun, key);
		goto out;
	}
	rc = store_commit(st, e);
	if (rc == 0)
		rg_info(STORE, "deleted %s %s", res, key);
out:
	sqlite3_finalize(s);
	if (rc < 0)
		store_rollback(st);
	return rc;
}

/* --- settings ---------------------------------------------------------- */

json_t *
store_settings_get(struct store *st, struct store_err *e)
{
	const struct store_field	*f;
	sqlite3_stmt			*s;
	json_t				*o = json_object(), *v;

	for (f = store_settings_fields; o && f->name; f++) {
		if (f->type == SF_UINT)
			v = json_integer(f->def ? strtoll(f->def, NULL, 10) :
			    0);
		else if (f->type == SF_BOOL)
			v = json_boolean(f->def && strcmp(f->def, "1") == 0);
		else
			v = f->def ? json_string(f->def) : json_null();
		json_object_set_new(o, f->name, v);
	}
	if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM settings", -1,
	    &s, NULL) != SQLITE_OK) {
		json_decref(o);
		store_sqlerr(st, e, "settings");
		return NULL;
	}
	while (o && sqlite3_step(s) == SQLITE_ROW) {
		const char	*k = (const char *)sqlite3_column_text(s, 0);

		if ((f = store_setting_field(k)) == NULL)
			continue;	/* dropped key of an older version */
		if (f->type == SF_UINT)
			v = json_integer(sqlite3_column_int64(s, 1));
		else if (f->type == SF_BOOL)
			v = json_boolean(sqlite3_column_int64(s, 1) != 0);
		else
			v = json_string((const char *)sqlite3_column_text(s,
			    1));
		json_object_set_new(o, k, v);
	}
	sqlite3_finalize(s);
	return o;
}

static const struct store_table settings_table = {
	"settings", "setting", "settings", store_settings_fields, NULL, NULL
};

int
store_settings_set(struct store *st, json_t *obj, struct store_err *e)
{
	const struct store_field	*f;
	struct store_val		 v[2];
	sqlite3_stmt			*s = NULL;
	const char			*k;
	json_t				*j;
	int				 rc;

	if (!json_is_object(obj))
		return store_seterr(e, STORE_EINVAL, NULL, "expected a JSON "
		    "object");
	if ((rc = store_begin(st, e)) < 0)
		return rc;
	json_object_foreach(obj, k, j) {
		if ((f = store_setting_field(k)) == NULL) {
			rc = store_seterr(e, STORE_EINVAL, k, "unknown setting "
			    "%s", k);
			goto out;
		}
		if (json_is_null(j)) {
			rc = sqlite3_prepare_v2(st->db, "DELETE FROM settings "
			    "WHERE key = ?1", -1, &s, NULL);
			memset(v, 0, sizeof(v));
		} else {
			if ((rc = store_val_from_json(st, &settings_table, f,
			    k, j, v, e)) < 0)
				goto out;
			rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE "
			    "INTO settings (key, value) VALUES (?1, ?2)", -1,
			    &s, NULL);
		}
		if (rc != SQLITE_OK) {
			store_val_clear(&v[0]);
			rc = store_sqlerr(st, e, "settings");
			goto out;
		}
		sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
		if (v[0].kind == SV_INT)
			sqlite3_bind_int64(s, 2, v[0].i);
		else if (v[0].kind == SV_TEXT)
			sqlite3_bind_text(s, 2, v[0].text, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		s = NULL;
		store_val_clear(&v[0]);
		store_val_clear(&v[1]);
		if (rc != SQLITE_DONE) {
			rc = store_sqlerr(st, e, "settings");
			goto out;
		}
	}
	rc = store_commit(st, e);
	if (rc == 0)
		rg_info(STORE, "settings changed");
out:
	if (rc < 0)
		store_rollback(st);
	return rc;
}
