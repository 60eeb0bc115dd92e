/*
 * store.c: opening the SQLite store (WAL, foreign keys; configuration
 * commits with synchronous=FULL so a change reported committed survives
 * kill -9 and power loss, see store_begin()), integrity
 * and version checks, forward migrations, transactions and errors.
 * A corrupt store, a newer schema or a foreign database is refused with a
 * clear message and never touched.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "rg_log.h"
#include "store_int.h"

/* PRAGMA application_id: "RGAT". */
#define STORE_APP_ID	0x52474154

int
store_seterr(struct store_err *e, int code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
store_sqlerr(struct store *st, struct store_err *e, const char *what)
{
	rg_err(STORE, "%s: %s", what, sqlite3_errmsg(st->db));
	return store_seterr(e, STORE_EIO, NULL, "store: %s: %s", what,
	    sqlite3_errmsg(st->db));
}

int
store_exec(struct store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rg_err(STORE, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Configuration writes (store_begin .. store_commit) commit with
 * synchronous=FULL: fsynced before the API answers, so they survive a
 * power cut too.  The connection otherwise runs at NORMAL, which in WAL
 * mode still survives kill -9 (the WAL is in the OS before COMMIT
 * returns) and never corrupts, but spares the engines' frequent lease and
 * session rows an fsync each on the event loop.
 */
int
store_begin(struct store *st, struct store_err *e)
{
	if (sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_sqlerr(st, e, "begin");
	return 0;
}

int
store_commit(struct store *st, struct store_err *e)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(st, e, "commit");
		store_rollback(st);
		return STORE_EIO;
	}
	(void)sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL);
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	(void)sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
	    NULL);
}

static int
pragma_int(struct store *st, const char *sql, long long *v)
{
	sqlite3_stmt	*s;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* PRAGMA quick_check: "ok" or the first problem. */
static int
quick_check(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	const char	*r;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s,
	    NULL)) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s (refusing a corrupt or foreign "
		    "file; restore a backup or move it away)", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	rc = sqlite3_step(s);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	if (r == NULL || strcmp(r, "ok") != 0) {
		snprintf(err, errlen, "%s: integrity check failed: %s "
		    "(refusing a corrupt store; restore a backup or move it "
		    "away)", st->path, r ? r : sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

static int
migrate(struct store *st, char *err, size_t errlen)
{
	long long	 appid = 0, version = 0, have_tables = 0;
	char		 sql[128];
	int		 v;

	if (pragma_int(st, "PRAGMA application_id", &appid) < 0 ||
	    pragma_int(st, "SELECT count(*) FROM sqlite_master", &have_tables)
	    < 0) {
		snprintf(err, errlen, "%s: %s", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (appid != 0 && appid != STORE_APP_ID) {
		snprintf(err, errlen, "%s: not a roadgate store "
		    "(application_id 0x%llx)", st->path, appid);
		return -1;
	}
	if (appid == 0 && have_tables > 0) {
		snprintf(err, errlen, "%s: not a roadgate store (holds other "
		    "tables); refusing to touch it", st->path);
		return -1;
	}
	if (appid == STORE_APP_ID &&
	    pragma_int(st, "SELECT version FROM schema_version", &version)
	    < 0) {
		snprintf(err, errlen, "%s: no schema version: %s", st->path,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %lld is newer than "
		    "this roadgated understands (%d); refusing it (run the "
		    "newer roadgated or restore a backup)", st->path,
		    version, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (v = (int)version + 1; v <= STORE_SCHEMA_VERSION; v++) {
		if (store_exec(st, "BEGIN IMMEDIATE") < 0)
			goto fail;
		if (store_exec(st, store_migrations[v - 1]) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET "
		    "version = %d; PRAGMA application_id = %d;", v,
		    STORE_APP_ID);
		if (store_exec(st, sql) < 0 || store_exec(st, "COMMIT") < 0)
			goto fail;
		rg_notice(STORE, "%s: schema migrated to version %d", st->path,
		    v);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: migration to schema version %d failed: "
	    "%s", st->path, v, sqlite3_errmsg(st->db));
	store_rollback(st);
	return -1;
}

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	struct store	*st;
	struct stat	 sb;
	bool		 exists;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->dir = strdup(dir)) == NULL ||
	    asprintf(&st->path, "%s/%s", dir, STORE_DB_NAME) < 0) {
		if (st)
			st->path = NULL;
		snprintf(err, errlen, "out of memory");
		store_close(st);
		return NULL;
	}
	exists = stat(st->path, &sb) == 0;
	if (!exists && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", st->path, strerror(errno));
		goto fail;
	}
	if (store_key_load(st, !exists, err, errlen) < 0)
		goto fail;
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	if (exists)
		(void)chmod(st->path, 0600);
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	if (quick_check(st, err, errlen) < 0)
		goto fail;
	if (store_exec(st, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(st, "PRAGMA synchronous = NORMAL") < 0 ||
	    store_exec(st, "PRAGMA foreign_keys = ON") < 0) {
		snprintf(err, errlen, "%s: %s", st->path,
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (migrate(st, err, errlen) < 0)
		goto fail;
	if (!exists)
		(void)chmod(st->path, 0600);
	st->created = !exists;
	rg_info(STORE, "opened %s (schema %d%s)", st->path,
	    STORE_SCHEMA_VERSION, st->created ? ", new" : "");
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db)
		sqlite3_close_v2(st->db);
	OPENSSL_cleanse(st->key, sizeof(st->key));
	free(st->dir);
	free(st->path);
	free(st);
}

bool
store_created(const struct store *st)
{
	return st->created;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

void
store_val_clear(struct store_val *v)
{
	free(v->text);
	if (v->blob) {
		OPENSSL_cleanse(v->blob, v->len);
		free(v->blob);
	}
	memset(v, 0, sizeof(*v));
}

char **
store_strv(const char *s, size_t *n)
{
	char	**v = NULL, *dup, *tok, *save = NULL;
	size_t	  cap = 0;

	*n = 0;
	if (s == NULL || (dup = strdup(s)) == NULL)
		return calloc(1, sizeof(char *));
	for (tok = strtok_r(dup, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*n + 1 >= cap) {
			char	**nv;

			cap = cap ? cap * 2 : 4;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if ((v[*n] = strdup(tok)) == NULL)
			break;
		(*n)++;
	}
	free(dup);
	if (v == NULL)
		v = calloc(1, sizeof(char *));
	else
		v[*n] = NULL;
	return v;
}

void
store_strv_free(char **v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
