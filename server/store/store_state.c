/*
 * store_state.c: run-time state the engines write (address leases,
 * session history) and the PKI rows certs/ keeps (certificates with their
 * sealed private keys, CRLs).  Each call is one statement, hence one
 * implicit transaction; nothing is cached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rg_log.h"
#include "store_int.h"

static int
step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int	 rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		rg_err(STORE, "%s: %s", what, sqlite3_errmsg(st->db));
		return STORE_EIO;
	}
	return 0;
}

int
store_lease_put(struct store *st, const struct store_lease *l)
{
	sqlite3_stmt	*s;
	char		 a[64];

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO leases (pool, "
	    "addr, user, session_id, state, updated) VALUES (?, ?, ?, ?, ?, "
	    "strftime('%s', 'now'))", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "lease");
	sqlite3_bind_text(s, 1, l->pool, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rg_addr_str(&l->addr, a, sizeof(a)), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, l->user, -1, SQLITE_STATIC);
	if (l->session_id)
		sqlite3_bind_int64(s, 4, (sqlite3_int64)l->session_id);
	sqlite3_bind_text(s, 5, l->state ? l->state : "bound", -1,
	    SQLITE_STATIC);
	return step_done(st, s, "lease");
}

int
store_lease_del(struct store *st, const char *pool, const struct rg_addr *addr)
{
	sqlite3_stmt	*s;
	char		 a[64];

	if (sqlite3_prepare_v2(st->db, "DELETE FROM leases WHERE pool = ? AND "
	    "addr = ?", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "lease");
	sqlite3_bind_text(s, 1, pool, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rg_addr_str(addr, a, sizeof(a)), -1,
	    SQLITE_STATIC);
	return step_done(st, s, "lease");
}

int
store_lease_list(struct store *st, const char *pool,
    int (*cb)(const struct store_lease *, void *), void *arg)
{
	struct store_lease	 l;
	sqlite3_stmt		*s;
	int			 rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT pool, addr, user, session_id, "
	    "state, updated FROM leases WHERE ?1 IS NULL OR pool = ?1 "
	    "ORDER BY pool, addr", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "lease");
	sqlite3_bind_text(s, 1, pool, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		memset(&l, 0, sizeof(l));
		l.pool = (const char *)sqlite3_column_text(s, 0);
		if (rg_addr_parse((const char *)sqlite3_column_text(s, 1),
		    &l.addr) < 0)
			continue;
		l.user = (const char *)sqlite3_column_text(s, 2);
		l.session_id = (uint64_t)sqlite3_column_int64(s, 3);
		l.state = (const char *)sqlite3_column_text(s, 4);
		l.updated = sqlite3_column_int64(s, 5);
		rc = cb(&l, arg);
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_session_begin(struct store *st, const char *user, const char *proto,
    const char *method, const struct sockaddr *peer, const struct rg_addr *vip,
    uint64_t *id)
{
	sqlite3_stmt	*s;
	char		 p[64], v[64];
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO sessions (user, proto, "
	    "peer, vip, method, started) VALUES (?, ?, ?, ?, ?, "
	    "strftime('%s', 'now'))", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "session");
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, proto, -1, SQLITE_STATIC);
	if (peer)
		sqlite3_bind_text(s, 3, rg_sa_str(peer, p, sizeof(p)), -1,
		    SQLITE_STATIC);
	if (vip && vip->af)
		sqlite3_bind_text(s, 4, rg_addr_str(vip, v, sizeof(v)), -1,
		    SQLITE_STATIC);
	if (method != NULL && method[0] != '\0')
		sqlite3_bind_text(s, 5, method, -1, SQLITE_STATIC);
	if ((rc = step_done(st, s, "session")) == 0)
		*id = (uint64_t)sqlite3_last_insert_rowid(st->db);
	return rc;
}

int
store_session_end(struct store *st, uint64_t id, uint64_t bytes_in,
    uint64_t bytes_out, const char *cause)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(st->db, "UPDATE sessions SET ended = "
	    "strftime('%s', 'now'), bytes_in = ?, bytes_out = ?, cause = ? "
	    "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "session");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)bytes_in);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)bytes_out);
	if (cause != NULL)
		sqlite3_bind_text(s, 3, cause, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)id);
	return step_done(st, s, "session");
}

json_t *
store_session_list(struct store *st, unsigned int limit)
{
	sqlite3_stmt	*s;
	json_t		*a;

	if (sqlite3_prepare_v2(st->db, "SELECT id, user, proto, peer, vip, "
	    "started, ended, bytes_in, bytes_out, method, cause FROM sessions "
	    "ORDER BY id DESC LIMIT ?", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, limit ? (sqlite3_int64)limit : -1);
	a = json_array();
	while (a && sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I,s:s?,s:s,s:s?,s:s?,"
		    "s:I,s:o,s:I,s:I,s:s?,s:s?}",
		    "id", (json_int_t)sqlite3_column_int64(s, 0),
		    "user", (const char *)sqlite3_column_text(s, 1),
		    "proto", (const char *)sqlite3_column_text(s, 2),
		    "peer", (const char *)sqlite3_column_text(s, 3),
		    "vip", (const char *)sqlite3_column_text(s, 4),
		    "started", (json_int_t)sqlite3_column_int64(s, 5),
		    "ended", sqlite3_column_type(s, 6) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(s, 6)),
		    "bytes_in", (json_int_t)sqlite3_column_int64(s, 7),
		    "bytes_out", (json_int_t)sqlite3_column_int64(s, 8),
		    "method", (const char *)sqlite3_column_text(s, 9),
		    "cause", (const char *)sqlite3_column_text(s, 10)));
	sqlite3_finalize(s);
	return a;
}

/* --- certificates ------------------------------------------------------ */

int
store_cert_add(struct store *st, const struct store_cert *c,
    const char *key_pem, int64_t *id, struct store_err *e)
{
	sqlite3_stmt	*s = NULL;
	uint8_t		*blob = NULL;
	size_t		 len = 0;
	char		 aad[96];
	int		 rc;

	if ((rc = store_begin(st, e)) < 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO certs (kind, name, "
	    "serial, cert_pem, not_after) VALUES (?, ?, ?, ?, ?)", -1, &s,
	    NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, e, "certs");
		goto out;
	}
	sqlite3_bind_text(s, 1, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->cert_pem, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, c->not_after);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		rc = store_seterr(e, STORE_EEXIST, "serial", "serial %s "
		    "exists", c->serial);
		goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(st, e, "certs");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
	if (key_pem) {
		snprintf(aad, sizeof(aad), "certs.key_enc:%lld",
		    (long long)*id);
		if (store_seal(st, aad, (const uint8_t *)key_pem,
		    strlen(key_pem), &blob, &len) < 0) {
			rc = store_seterr(e, STORE_EIO, NULL, "sealing failed");
			goto out;
		}
		if (sqlite3_prepare_v2(st->db, "UPDATE certs SET key_enc = ? "
		    "WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
			rc = store_sqlerr(st, e, "certs");
			goto out;
		}
		sqlite3_bind_blob(s, 1, blob, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, *id);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = store_sqlerr(st, e, "certs");
			goto out;
		}
	}
	rc = store_commit(st, e);
out:
	sqlite3_finalize(s);
	if (blob) {
		OPENSSL_cleanse(blob, len);
		free(blob);
	}
	if (rc < 0)
		store_rollback(st);
	return rc;
}

static void
cert_row(sqlite3_stmt *s, struct store_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	c->kind = (const char *)sqlite3_column_text(s, 1);
	c->name = (const char *)sqlite3_column_text(s, 2);
	c->serial = (const char *)sqlite3_column_text(s, 3);
	c->cert_pem = (const char *)sqlite3_column_text(s, 4);
	c->not_after = sqlite3_column_int64(s, 5);
	c->revoked_at = sqlite3_column_int64(s, 6);
	c->revoke_reason = (const char *)sqlite3_column_text(s, 7);
	c->created = sqlite3_column_int64(s, 8);
}

#define CERT_COLS "id, kind, name, serial, cert_pem, not_after, " \
	"revoked_at, revoke_reason, created, key_enc"

int
store_cert_list(struct store *st, const char *kind,
    int (*cb)(const struct store_cert *, void *), void *arg)
{
	struct store_cert	 c;
	sqlite3_stmt		*s;
	int			 rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT " CERT_COLS " FROM certs "
	    "WHERE ?1 IS NULL OR kind = ?1 ORDER BY id", -1, &s, NULL) !=
	    SQLITE_OK)
		return store_sqlerr(st, NULL, "certs");
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		cert_row(s, &c);
		rc = cb(&c, arg);
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_cert_find(struct store *st, const char *kind, const char *serial,
    int (*cb)(const struct store_cert *, void *), void *arg, char **key_pem)
{
	struct store_cert	 c;
	sqlite3_stmt		*s;
	char			 aad[96];
	uint8_t			*k;
	size_t			 len;
	int			 rc = 0;

	if (key_pem)
		*key_pem = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT " CERT_COLS " FROM certs "
	    "WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR serial = ?2) "
	    "ORDER BY id DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "certs");
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return STORE_ENOENT;
	}
	cert_row(s, &c);
	if (key_pem && sqlite3_column_type(s, 9) != SQLITE_NULL) {
		snprintf(aad, sizeof(aad), "certs.key_enc:%lld",
		    (long long)c.id);
		if (store_unseal(st, aad, sqlite3_column_blob(s, 9),
		    (size_t)sqlite3_column_bytes(s, 9), &k, &len) < 0)
			rc = STORE_EIO;
		else
			*key_pem = (char *)k;
	}
	if (rc == 0 && cb)
		rc = cb(&c, arg);
	sqlite3_finalize(s);
	return rc;
}

int
store_cert_revoke(struct store *st, const char *serial, const char *reason,
    struct store_err *e)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE certs SET revoked_at = "
	    "strftime('%s', 'now'), revoke_reason = ? WHERE serial = ? AND "
	    "revoked_at IS NULL", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, e, "certs");
	sqlite3_bind_text(s, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
	if ((rc = step_done(st, s, "certs")) < 0)
		return store_seterr(e, rc, NULL, "revoke failed");
	if (sqlite3_changes(st->db) == 0)
		return store_seterr(e, STORE_ENOENT, "serial", "no valid "
		    "certificate with serial %s", serial);
	return 0;
}

int
store_cert_use(struct store *st, const char *kind, const char *serial,
    const char *reason, struct store_err *e)
{
	sqlite3_stmt	*s = NULL;
	int		 rc;

	if ((rc = store_begin(st, e)) < 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "UPDATE certs SET revoked_at = NULL, "
	    "revoke_reason = NULL WHERE kind = ? AND serial = ?", -1, &s,
	    NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, e, "certs");
		goto out;
	}
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC);
	rc = step_done(st, s, "certs");
	s = NULL;
	if (rc < 0)
		goto out;
	if (sqlite3_changes(st->db) == 0) {
		rc = store_seterr(e, STORE_ENOENT, "serial", "no %s "
		    "certificate with serial %s", kind, serial);
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, "UPDATE certs SET revoked_at = "
	    "strftime('%s', 'now'), revoke_reason = ? WHERE kind = ? AND "
	    "serial != ? AND revoked_at IS NULL", -1, &s, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, e, "certs");
		goto out;
	}
	sqlite3_bind_text(s, 1, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, serial, -1, SQLITE_STATIC);
	rc = step_done(st, s, "certs");
	s = NULL;
	if (rc == 0)
		rc = store_commit(st, e);
out:
	if (s)
		sqlite3_finalize(s);
	if (rc < 0)
		store_rollback(st);
	return rc;
}

int
store_crl_add(struct store *st, int64_t number, const char *pem)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO crls (number, pem) "
	    "VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "crls");
	sqlite3_bind_int64(s, 1, number);
	sqlite3_bind_text(s, 2, pem, -1, SQLITE_STATIC);
	return step_done(st, s, "crls");
}

int
store_crl_latest(struct store *st, char **pem, int64_t *number)
{
	sqlite3_stmt	*s;
	int		 rc = STORE_ENOENT;

	*pem = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT number, pem FROM crls ORDER BY "
	    "number DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, NULL, "crls");
	if (sqlite3_step(s) == SQLITE_ROW) {
		*number = sqlite3_column_int64(s, 0);
		*pem = strdup((const char *)sqlite3_column_text(s, 1));
		rc = *pem ? 0 : STORE_EIO;
	}
	sqlite3_finalize(s);
	return rc;
}
