/*
 * store_int.h: what the store*.c files share and nobody else sees: the
 * struct store, the resource descriptor tables, value conversion and the
 * secret sealing helpers.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "store.h"

struct store {
	sqlite3		*db;
	char		*dir;		/* owned */
	char		*path;		/* owned: DIR/roadgate.db */
	uint8_t		 key[32];	/* secret.key; wiped in store_close() */
	bool		 created;
	uint64_t	 serial;	/* last snapshot serial */
};

enum store_ftype {
	SF_KEY,		/* object name [A-Za-z0-9._@-]{1,64} */
	SF_PSKID,	/* PSK identity or "%any" */
	SF_TEXT,	/* free text up to max bytes */
	SF_ENUM,	/* one of ref ("a|b|c") */
	SF_BOOL,
	SF_UINT,	/* min..max */
	SF_REF,		/* name of an object of resource ref */
	SF_REFLIST,	/* list of such names, in order */
	SF_ADDR4,	/* one IPv4 address */
	SF_ADDRLIST,	/* IPv4/IPv6 addresses */
	SF_PREFIXLIST,	/* prefixes, host bits clear */
	SF_RANGELIST,	/* "a-b" or CIDR pool ranges; also writes "af" */
	SF_DOMAINLIST,	/* DNS names */
	SF_PROPLIST_IKE,
	SF_PROPLIST_ESP,
	SF_PASSWORD,	/* sealed into col; NT hash sealed into nt_hash_enc */
	SF_SECRET,	/* sealed into col */
	SF_GEN,		/* read-only: bumped on every update */
	SF_TIME,	/* read-only: creation time */
	SF_AF,		/* read-only: derived from the ranges */
	SF_IFNAME,	/* "off", "auto" if ref says so, or an interface name */
	SF_URL,		/* "" or an http(s) URL of at most max bytes */
	SF_HOSTPORT,	/* an IP literal with an optional port */
};

#define SF_REQ		0x01	/* required on add and replace */

struct store_field {
	const char		*name;	/* JSON key */
	const char		*col;	/* SQL column */
	enum store_ftype	 type;
	const char		*ref;	/* SF_REF*: resource; SF_ENUM: choices */
	unsigned int		 flags;
	long long		 min, max;	/* SF_UINT range; SF_TEXT max */
	const char		*def;	/* default (SQL text form), NULL: NULL */
};

struct store_table {
	const char		*res;	/* API name: "users" */
	const char		*noun;	/* one of them, for messages: "user" */
	const char		*table;	/* SQL table */
	const struct store_field *fields;	/* [0] is the key; NULL name ends */
	/* Cross-row check run inside the write transaction; may be NULL. */
	int			(*check)(struct store *, struct store_err *);
	/* Built-in read-only objects listed first; may be NULL. */
	json_t			*(*builtin)(void);
};

extern const struct store_table	 store_tables[];
extern const struct store_field	 store_settings_fields[];
extern const char *const	 store_migrations[];	/* [v-1]: to version v */

const struct store_table *store_table_get(const char *res);
const struct store_field *store_setting_field(const char *key);

/* A value ready to bind: text, integer, blob (sealed) or NULL. */
struct store_val {
	enum { SV_NULL, SV_TEXT, SV_INT, SV_BLOB } kind;
	char		*text;		/* owned */
	long long	 i;
	uint8_t		*blob;		/* owned */
	size_t		 len;
};

void	store_val_clear(struct store_val *);

/*
 * Convert and validate one JSON input value for field f of object key
 * (used in the secret's AAD).  Fills out[0] (the field's column) and, for
 * SF_PASSWORD and SF_RANGELIST, out[1] (nt_hash_enc / af).  References
 * are checked against the database.
 */
int	store_val_from_json(struct store *, const struct store_table *,
	    const struct store_field *, const char *key, json_t *,
	    struct store_val out[2], struct store_err *);
/* The JSON output form of column text for field f (new reference). */
json_t	*store_val_to_json(const struct store_field *, sqlite3_stmt *, int col);

/* Pool overlap check (store_tables "pools".check). */
int	store_pools_check(struct store *, struct store_err *);
/* Parse a pool range item into first/last; -1 with *why on error. */
int	store_range_parse(const char *, struct rg_pool_range *, int *af,
	    const char **why);
json_t	*store_proposal_presets(void);

/* Errors. */
int	store_seterr(struct store_err *, int code, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int	store_sqlerr(struct store *, struct store_err *, const char *what);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int	store_begin(struct store *, struct store_err *);
int	store_commit(struct store *, struct store_err *);
void	store_rollback(struct store *);
int	store_exec(struct store *, const char *sql);

/* Secrets: AES-256-GCM, aad binds the ciphertext to its row and column. */
int	store_seal(struct store *, const char *aad, const uint8_t *pt,
	    size_t len, uint8_t **out, size_t *outlen);
/* *out has len + 1 bytes, NUL-terminated; caller wipes and frees. */
int	store_unseal(struct store *, const char *aad, const uint8_t *ct,
	    size_t len, uint8_t **out, size_t *outlen);
int	store_key_load(struct store *, bool create, char *err, size_t errlen);
void	store_nt_hash(const char *password, uint8_t out[16]);

/* Split a stored comma list; frees with store_strv_free. */
char	**store_strv(const char *, size_t *n);
void	 store_strv_free(char **, size_t);

#endif
