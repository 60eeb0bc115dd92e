/*
 * store: roadgate's embedded state store (SQLite, WAL, foreign keys,
 * versioned schema with forward migrations).  SQLite is used only in
 * server/store*.c; everyone else goes through these functions.
 *
 * Configuration objects (users, groups, pools, profiles, policies, proposal
 * sets, PSKs) are handled generically as JSON objects described by a table
 * of field descriptors (server/store_schema.c); settings are a key/value
 * table of known keys; leases, sessions, certificates and CRLs have typed
 * functions.  Every write is one transaction; nothing is cached in memory,
 * so memory (the engines' snapshot) changes only after COMMIT, when the
 * daemon rebuilds it with store_config_load().
 *
 * Secrets (passwords, NT hashes, PSKs, private keys) are sealed with
 * AES-256-GCM under DIR/secret.key (see docs/STORE.md).
 *
 * Errors: functions return 0 or a negative STORE_E* code and, where they
 * take a struct store_err, fill it with a message and the offending field.
 */
#ifndef STORE_H
#define STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_config.h"

#define STORE_SCHEMA_VERSION	7
#define STORE_DB_NAME		"roadgate.db"
#define STORE_KEY_NAME		"secret.key"

enum store_code {
	STORE_OK	=  0,
	STORE_EINVAL	= -1,	/* bad field value (HTTP 400) */
	STORE_ENOENT	= -2,	/* no such object (404) */
	STORE_EEXIST	= -3,	/* duplicate name (409) */
	STORE_EBUSY	= -4,	/* still referenced (409) */
	STORE_EROFS	= -5,	/* built-in, read-only (409) */
	STORE_EIO	= -6,	/* SQLite or crypto failure (500) */
};

struct store_err {
	int	 code;		/* enum store_code */
	char	 field[64];	/* offending field, "" when none */
	char	 msg[256];
};

struct store;

/*
 * Open (creating when absent) DIR/roadgate.db and DIR/secret.key.  A
 * corrupt database, one from a newer roadgate, one that is not a roadgate
 * store, a missing key beside an existing database, or a key file that
 * group/other can read is refused: NULL and a message in err.
 */
struct store	*store_open(const char *dir, char *err, size_t errlen);
void		 store_close(struct store *);
/* True when this open created the database (first start). */
bool		 store_created(const struct store *);
const char	*store_path(const struct store *);	/* DIR/roadgate.db */

/*
 * A fresh configuration snapshot (refs 1) built from one read
 * transaction, validated; NULL and a message naming the bad object on
 * failure.  Includes the built-in proposal sets and settings defaults.
 */
struct rg_config *store_config_load(struct store *, char *err, size_t errlen);

/* --- Configuration objects -------------------------------------------- */

/*
 * res: the API name of a resource ("users", "groups", "pools", "profiles",
 * "policies", "proposals", "psks").  Objects are JSON objects whose keys
 * are the field names of docs/STORE.md; secrets are accepted on input and
 * never returned (users show "has_password", psks nothing).
 * List/get return a new reference or NULL with *e filled.
 */
bool	 store_res_known(const char *res);
json_t	*store_obj_list(struct store *, const char *res, struct store_err *);
json_t	*store_obj_get(struct store *, const char *res, const char *key,
	    struct store_err *);
/* obj holds the key field ("name", or "id" for psks). */
int	 store_obj_add(struct store *, const char *res, json_t *obj,
	    struct store_err *);
/* replace: PUT (absent fields reset; secrets kept), else PATCH (merge). */
int	 store_obj_update(struct store *, const char *res, const char *key,
	    json_t *obj, bool replace, struct store_err *);
int	 store_obj_del(struct store *, const char *res, const char *key,
	    struct store_err *);

/* --- Settings (known keys only; absent keys read as their default) ---- */

json_t	*store_settings_get(struct store *, struct store_err *);
/* Set several keys in one transaction; value JSON null resets a key. */
int	 store_settings_set(struct store *, json_t *obj, struct store_err *);

/* --- Leases and sessions (called by the engines) ---------------------- */

struct store_lease {
	const char	*pool;
	struct rg_addr	 addr;
	const char	*user;		/* may be NULL */
	uint64_t	 session_id;	/* 0: none */
	const char	*state;		/* "bound", "released", ... */
	int64_t		 updated;	/* unix seconds; set by the store */
};

/* Insert or replace the lease for (pool, addr). */
int	store_lease_put(struct store *, const struct store_lease *);
int	store_lease_del(struct store *, const char *pool,
	    const struct rg_addr *addr);
/* cb per lease of pool (NULL: all pools); the strings live during cb. */
int	store_lease_list(struct store *, const char *pool,
	    int (*cb)(const struct store_lease *, void *), void *arg);

/* RADIUS accounting records not yet taken by a server (radius_acct.c):
 * the attributes as sent, and when the event was (unix ms).  put: the
 * row's id (> 0) or -1; list: oldest first. */
int64_t	store_acct_put(struct store *, uint64_t created_ms,
	    const uint8_t *rec, size_t len);
int	store_acct_del(struct store *, int64_t id);
int	store_acct_list(struct store *, int (*cb)(int64_t id,
	    uint64_t created_ms, const uint8_t *rec, size_t len, void *arg),
	    void *arg);

/* A session history row; *id receives its id (> 0).  method: how the
 * user authenticated ("psk", "eap-mschapv2"), may be NULL. */
int	store_session_begin(struct store *, const char *user,
	    const char *proto, const char *method, const struct sockaddr *peer,
	    const struct rg_addr *vip, uint64_t *id);
/* cause: why the session ended, for the admin (may be NULL). */
int	store_session_end(struct store *, uint64_t id, uint64_t bytes_in,
	    uint64_t bytes_out, const char *cause);
/* Most recent first; limit 0: all.  New reference. */
json_t	*store_session_list(struct store *, unsigned int limit);

/* --- Certificates and CRLs (for certs/) -------------------------------- */

struct store_cert {
	int64_t		 id;
	const char	*kind;		/* "ca" | "server" | "client" */
	const char	*name;		/* subject name or user */
	const char	*serial;	/* hex, unique */
	const char	*cert_pem;
	int64_t		 not_after;	/* unix seconds */
	int64_t		 revoked_at;	/* 0: valid */
	const char	*revoke_reason;	/* may be NULL */
	int64_t		 created;
};

/* key_pem (may be NULL) is sealed before it is written; *id set. */
int	store_cert_add(struct store *, const struct store_cert *,
	    const char *key_pem, int64_t *id, struct store_err *);
/* cb per certificate of kind (NULL: all), oldest first. */
int	store_cert_list(struct store *, const char *kind,
	    int (*cb)(const struct store_cert *, void *), void *arg);
/*
 * The newest certificate of kind (or the one with this serial when serial
 * is non-NULL): cb called once; *key_pem (when key_pem is non-NULL)
 * receives the decrypted key, malloc'd: wipe and free it.  STORE_ENOENT
 * when none.
 */
int	store_cert_find(struct store *, const char *kind, const char *serial,
	    int (*cb)(const struct store_cert *, void *), void *arg,
	    char **key_pem);
int	store_cert_revoke(struct store *, const char *serial,
	    const char *reason, struct store_err *);
/*
 * One transaction: the certificate of kind with this serial becomes valid
 * (its revocation cleared) and every other valid one of kind is marked
 * revoked with reason (e.g. "superseded").  The snapshot takes the newest
 * valid server certificate, so this selects the one in use.
 */
int	store_cert_use(struct store *, const char *kind, const char *serial,
	    const char *reason, struct store_err *);
int	store_crl_add(struct store *, int64_t number, const char *pem);
/* Newest CRL (malloc'd) and its number; STORE_ENOENT when none. */
int	store_crl_latest(struct store *, char **pem, int64_t *number);

/* --- Web admins, API tokens, audit log (web/; store_admin.c) --------- */

/*
 * Admin accounts: pw_hash is the web/ KDF string (never a password),
 * role "admin" or "read-only".  List: [{name, role, created}], never the
 * hash.  get: *pw_hash malloc'd (free it), role copied.
 */
int	 store_admin_add(struct store *, const char *name, const char *pw_hash,
	    const char *role, struct store_err *);
/* pw_hash and/or role (NULL: unchanged). */
int	 store_admin_set(struct store *, const char *name, const char *pw_hash,
	    const char *role, struct store_err *);
int	 store_admin_del(struct store *, const char *name, struct store_err *);
int	 store_admin_get(struct store *, const char *name, char **pw_hash,
	    char role[16]);
json_t	*store_admin_list(struct store *, struct store_err *);
/* Number of admin accounts (-1 on error). */
int	 store_admin_count(struct store *);

/* API tokens, stored as a hash of the token (hex). */
int	 store_token_add(struct store *, const char *name, const char *hash,
	    const char *role, struct store_err *);
int	 store_token_del(struct store *, const char *name, struct store_err *);
json_t	*store_token_list(struct store *, struct store_err *);
/* By hash: name (at least 65 bytes) and role; STORE_ENOENT when none. */
int	 store_token_find(struct store *, const char *hash, char name[65],
	    char role[16]);

/* One audit row (time set here); newest first in the list, limit 0: all.
 * The oldest rows beyond STORE_AUDIT_KEEP are dropped. */
#define STORE_AUDIT_KEEP	100000
int	 store_audit_add(struct store *, const char *who, const char *source,
	    const char *verb, const char *path, int status);
json_t	*store_audit_list(struct store *, unsigned int limit,
	    struct store_err *);

/* --- Shared helpers ---------------------------------------------------- */

/* Valid object name: [A-Za-z0-9._@-]{1,64}. */
bool	store_name_ok(const char *);
/*
 * Parse a strongSwan-style proposal ("aes256gcm16-prfsha256-ecp256");
 * esp selects the ESP grammar.  On error *bad points to the bad token
 * text in a static message.
 */
int	store_proposal_check(const char *, bool esp, const char **why);

#endif
