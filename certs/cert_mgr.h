/*
 * cert_mgr.h: the CA's operations over the store (certs/cert_mgr*.c):
 * what the API handlers (web/api_certs.c) and the daemon's first start
 * call.  Requests and answers are JSON objects (the API's bodies); the
 * certs/ library (cert.h) does the cryptography, server/store.h keeps
 * certificates, keys (sealed by the store, AES-256-GCM under its secret
 * key) and CRLs.
 *
 * Every function returns 0 or a negative STORE_E* code (STORE_EINVAL 400,
 * STORE_ENOENT 404, STORE_EEXIST 409, STORE_EIO 500) and fills e with the
 * offending field and a sentence.  A failed call leaves the store as it
 * was.  After a successful call that changes the CA, the server
 * certificate or the CRL, the daemon rebuilds its snapshot
 * (store_config_load reads them into rg_config.pki).
 */
#ifndef RG_CERT_MGR_H
#define RG_CERT_MGR_H

#include <jansson.h>

#include "certs/cert.h"

struct store;
struct store_err;

/* ---- CA: {"key_type", "years", "cn"} ---- */
int	certmgr_ca_create(struct store *st, json_t *req, json_t **out,
	    struct cert_err *e);
/* {"cert": PEM (CA, then intermediates), "key": PEM, "key_password"} */
int	certmgr_ca_import(struct store *st, json_t *req, json_t **out,
	    struct cert_err *e);
/* info + "pem" (CA certificate and intermediates) */
int	certmgr_ca_show(struct store *st, json_t **out, struct cert_err *e);

/* ---- server certificate ---- */
/* {"names": ["vpn.example.com", "192.0.2.1"], "key_type", "days"} */
int	certmgr_server_issue(struct store *st, json_t *req, json_t **out,
	    struct cert_err *e);
/* {"cert": PEM (leaf, then chain), "key": PEM, "key_password"} */
int	certmgr_server_import(struct store *st, json_t *req, json_t **out,
	    struct cert_err *e);
/* The one in use (info + "pem", "names", "in_use"). */
int	certmgr_server_show(struct store *st, json_t **out, struct cert_err *e);
/*
 * Every server certificate kept, newest first, each with "status" ("in
 * use", "superseded", "revoked", "expired", "valid") and "names"
 * (cert_mgr_server.c).
 */
int	certmgr_server_list(struct store *st, json_t **out, struct cert_err *e);
/*
 * The names the clients dial.  {"names": [...]}: when they differ from
 * those of the certificate in use, a new server certificate (same key
 * type, crl_url setting) is issued and the old one superseded (kept,
 * listed, off the CRL) -> its info + "changed": true; the same names ->
 * {"names", "changed": false}.  No "names": {"names": current}.
 */
int	certmgr_server_names(struct store *st, json_t *req, json_t **out,
	    struct cert_err *e);
/*
 * Roll back (or forward): the server certificate with this serial is put
 * in use again, the one in use superseded.  Refused (field "serial") when
 * unknown, revoked for another reason, expired or not issued by the
 * current CA.
 */
int	certmgr_server_use(struct store *st, const char *serial, json_t **out,
	    struct cert_err *e);

/* ---- client certificates (one valid certificate per user) ---- */
/* {"san_email" | "san_dns", "days", "key_type"}; the user must exist. */
int	certmgr_client_issue(struct store *st, const char *user, json_t *req,
	    json_t **out, struct cert_err *e);
/* [{"user", "serial", "not_after", "status", ...}] newest first */
int	certmgr_client_list(struct store *st, json_t **out, struct cert_err *e);
int	certmgr_client_show(struct store *st, const char *user, json_t **out,
	    struct cert_err *e);
/* New key and certificate, same SAN; the old one revoked (superseded). */
int	certmgr_client_renew(struct store *st, const char *user, json_t *req,
	    json_t **out, struct cert_err *e);
/* {"reason": "keyCompromise" | ...}; regenerates the CRL. */
int	certmgr_client_revoke(struct store *st, const char *user, json_t *req,
	    json_t **out, struct cert_err *e);
/*
 * Every valid certificate of user revoked with reason (CRL_REASON_*) and
 * the CRL rebuilt; 0 also when there is none.  Called before the user is
 * deleted (web/api_users.c): a certificate must not outlive its user,
 * since a new user of the same name would inherit it.
 */
int	certmgr_client_revoke_all(struct store *st, const char *user,
	    int reason, struct cert_err *e);
/*
 * {"format": "p12" | "pem", "legacy": true (default) | false,
 *  "password": PW (generated when absent)} ->
 * {"format", "data": base64, "password" (only when generated),
 *  "filename"}.
 */
int	certmgr_client_export(struct store *st, const char *user, json_t *req,
	    json_t **out, struct cert_err *e);

/* ---- CRL ---- */
/* {"number", "this_update", "next_update", "revoked": [...], "pem"} */
int	certmgr_crl_show(struct store *st, json_t **out, struct cert_err *e);
/* A new CRL (number + 1) from the revoked certificates of the CA. */
int	certmgr_crl_rebuild(struct store *st, struct cert_err *e);
/*
 * Daemon timer (e.g. hourly): rebuilds the CRL when none exists or when
 * its nextUpdate is less than a day away.  *changed tells whether the
 * snapshot must be rebuilt.
 */
int	certmgr_crl_refresh(struct store *st, bool *changed,
	    struct cert_err *e);
/* The same with the clock given (tests: a CRL close to its nextUpdate). */
int	certmgr_crl_refresh_at(struct store *st, time_t now, bool *changed,
	    struct cert_err *e);

/*
 * First start: creates a CA (ECDSA P-256, 10 years, CN "roadgate CA")
 * and a server certificate for names (NULL/0: the host name and the
 * host's global IP addresses) when the store has none, and a first CRL.
 * *changed tells whether anything was created.
 */
int	cert_first_start(struct store *st, const char *const *names,
	    size_t nnames, bool *changed, struct cert_err *e);

/* ---- shared by cert_mgr*.c ---- */
/* The crl_url setting (malloc'd) or NULL when unset. */
char	*certmgr_crl_url(struct store *st);
/* The in-use server certificate and its CN (both malloc'd). */
int	certmgr_server_current(struct store *st, char **pem, char **name,
	    struct cert_err *e);
/* names[0] = cn (when given), then IPs, then DNS names of pem's SAN. */
json_t	*certmgr_server_names_of(const char *pem, const char *cn);
/* serial becomes the server certificate in use, the others superseded. */
int	certmgr_server_supersede(struct store *st, const char *serial,
	    struct cert_err *e);
int	certmgr_ca_load(struct store *st, struct cert_ca *ca,
	    struct cert_err *e);
json_t	*certmgr_info(const char *kind, const char *name, const char *pem,
	    int64_t revoked_at, const char *reason);
const char *certmgr_jstr(json_t *req, const char *key);
int	certmgr_jint(json_t *req, const char *key, int dflt, int *v,
	    struct cert_err *e);
/* Whether JSON array a holds the string s. */
bool	certmgr_json_has(json_t *a, const char *s);
/*
 * Before issuing a leaf: the request's "key_type" and "days", the CA, and
 * the CRL URL (the crl_url setting, *url malloc'd, unless the request
 * names one).  0, or a STORE_E* code with nothing to free; on 0 the caller
 * clears *ca and frees *url once issued.
 */
int	certmgr_issue_begin(struct store *st, json_t *req,
	    struct cert_keyspec *key, int *days, const char **crl_url,
	    struct cert_ca *ca, char **url, struct cert_err *e);
/* Adds a row (pem: what to store instead of p->cert_pem, or NULL). */
int	certmgr_put(struct store *st, const char *kind, const char *name,
	    const struct cert_pair *p, const char *pem, struct cert_err *e);
int	certmgr_store_rc(int rc, const struct store_err *se,
	    struct cert_err *e);

#endif /* RG_CERT_MGR_H */
