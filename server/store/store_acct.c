/*
 * store_acct.c: the RADIUS accounting records that wait for a server
 * (radius_acct.c), so that none is lost while every server is down, nor
 * across a restart of roadgated.  A record is the attribute block as the
 * client sends it; it goes in before it is sent and out once a server
 * acknowledged it.
 */
#include <sqlite3.h>

#include "rg_log.h"
#include "store_int.h"

int64_t
store_acct_put(struct store *st, uint64_t created_ms, const uint8_t *rec,
    size_t len)
{
	sqlite3_stmt	*s;
	int64_t		 id = -1;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO radius_acct_queue "
	    "(created_ms, record) VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK) {
		rg_err(STORE, "accounting queue: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)created_ms);
	sqlite3_bind_blob(s, 2, rec, (int)len, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(st->db);
	else
		rg_err(STORE, "accounting queue: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return id;
}

int
store_acct_del(struct store *st, int64_t id)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM radius_acct_queue WHERE "
	    "id = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

int
store_acct_list(struct store *st, int (*cb)(int64_t, uint64_t,
    const uint8_t *, size_t, void *), void *arg)
{
	sqlite3_stmt	*s;
	int		 rc = 0, n;

	if (sqlite3_prepare_v2(st->db, "SELECT id, created_ms, record FROM "
	    "radius_acct_queue ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		n = sqlite3_column_bytes(s, 2);
		rc = cb(sqlite3_column_int64(s, 0),
		    (uint64_t)sqlite3_column_int64(s, 1),
		    sqlite3_column_blob(s, 2), n > 0 ? (size_t)n : 0, arg);
	}
	sqlite3_finalize(s);
	return rc;
}
