/*
 * cert_mgr_server.c: the server certificates kept in the store (see
 * cert_mgr.h): which one is in use, the names the clients dial, and a
 * roll back to an older one.
 *
 * Every server certificate ever issued or imported stays in the store.
 * The one in use is the newest one not revoked (store_config_load puts
 * it into rg_config.pki); the others are marked revoked with reason
 * "superseded" (RFC 5280 5.3.1) but are kept off the CRL, so that an
 * admin can go back to one with certmgr_server_use().  A new set of
 * names issues a new certificate (same key type) and supersedes the old
 * one in the same API call, so the snapshot switches once.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certs/cert_mgr.h"
#include "store.h"

char *
certmgr_crl_url(struct store *st)
{
	struct store_err	 se;
	json_t			*g;
	const char		*u;
	char			*r = NULL;

	memset(&se, 0, sizeof(se));
	if ((g = store_settings_get(st, &se)) == NULL)
		return NULL;
	u = json_string_value(json_object_get(g, "crl_url"));
	if (u != NULL && *u != '\0')
		r = strdup(u);
	json_decref(g);
	return r;
}

json_t *
certmgr_server_names_of(const char *pem, const char *cn)
{
	json_t		*info, *names, *v;
	const char	*s;
	size_t		 i;

	if ((info = cert_info_json(pem, NULL)) == NULL)
		return NULL;
	names = json_array();
	if (cn != NULL)
		json_array_append_new(names, json_string(cn));
	/* IPs first as iPAddress; their dNSName twins are then skipped */
	json_array_foreach(json_object_get(info, "san"), i, v) {
		s = json_string_value(v);
		if (s && strncmp(s, "IP:", 3) == 0 && !certmgr_json_has(names, s + 3))
			json_array_append_new(names, json_string(s + 3));
	}
	json_array_foreach(json_object_get(info, "san"), i, v) {
		s = json_string_value(v);
		if (s && strncmp(s, "DNS:", 4) == 0 && !certmgr_json_has(names, s + 4))
			json_array_append_new(names, json_string(s + 4));
	}
	json_decref(info);
	return names;
}

/* ---- the rows, oldest first ---- */

struct srow {
	char	*pem, *name, *serial, *reason;
	int64_t	 revoked_at, created;
};

struct slist {
	struct srow	*r;
	size_t		 n, cap;
	bool		 oom;
};

static int
srow_cb(const struct store_cert *c, void *arg)
{
	struct slist	*l = arg;
	struct srow	*nr, *r;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		if ((nr = reallocarray(l->r, l->cap, sizeof(*nr))) == NULL) {
			l->oom = true;
			return STORE_EIO;
		}
		l->r = nr;
	}
	r = &l->r[l->n++];
	memset(r, 0, sizeof(*r));
	r->pem = strdup(c->cert_pem);
	r->name = strdup(c->name);
	r->serial = strdup(c->serial);
	r->reason = c->revoke_reason ? strdup(c->revoke_reason) : NULL;
	r->revoked_at = c->revoked_at;
	r->created = c->created;
	if (r->pem == NULL || r->name == NULL || r->serial == NULL) {
		l->oom = true;
		return STORE_EIO;
	}
	return 0;
}

static void
slist_clear(struct slist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->r[i].pem);
		free(l->r[i].name);
		free(l->r[i].serial);
		free(l->r[i].reason);
	}
	free(l->r);
	memset(l, 0, sizeof(*l));
}

static int
slist_load(struct store *st, struct slist *l, struct cert_err *e)
{
	memset(l, 0, sizeof(*l));
	if (store_cert_list(st, "server", srow_cb, l) < 0 || l->oom) {
		slist_clear(l);
		return cert_err_set(e, "store", "cannot list the server "
		    "certificates"), STORE_EIO;
	}
	return 0;
}

/* Index of the one in use (what the snapshot takes), or -1. */
static ssize_t
in_use(const struct slist *l)
{
	ssize_t	 i;

	for (i = (ssize_t)l->n - 1; i >= 0; i--)
		if (l->r[i].revoked_at == 0)
			return i;
	return -1;
}

static bool
superseded(const struct srow *r)
{
	return r->revoked_at && r->reason &&
	    strcmp(r->reason, "superseded") == 0;
}

static json_t *
srow_json(const struct srow *r, bool used)
{
	json_t	*j;

	j = certmgr_info("server", r->name, r->pem, r->revoked_at, r->reason);
	if (used)
		json_object_set_new(j, "status", json_string("in use"));
	else if (superseded(r))
		json_object_set_new(j, "status", json_string("superseded"));
	json_object_set_new(j, "in_use", json_boolean(used));
	json_object_set_new(j, "names", certmgr_server_names_of(r->pem,
	    r->name));
	return j;
}

/*
 * The server certificates and *i, the one in use: 0, or a STORE_E* code
 * with nothing held.
 */
static int
slist_current(struct store *st, struct slist *l, ssize_t *i,
    struct cert_err *e)
{
	int	 rc;

	if ((rc = slist_load(st, l, e)) < 0)
		return rc;
	if ((*i = in_use(l)) < 0) {
		slist_clear(l);
		return cert_err_set(e, "server", "no server certificate in "
		    "use"), STORE_ENOENT;
	}
	return 0;
}

int
certmgr_server_current(struct store *st, char **pem, char **name,
    struct cert_err *e)
{
	struct slist	 l;
	ssize_t		 i;
	int		 rc;

	*pem = NULL;
	if (name)
		*name = NULL;
	if ((rc = slist_current(st, &l, &i, e)) < 0)
		return rc;
	*pem = l.r[i].pem;
	l.r[i].pem = NULL;
	if (name) {
		*name = l.r[i].name;
		l.r[i].name = NULL;
	}
	slist_clear(&l);
	return 0;
}

int
certmgr_server_show(struct store *st, json_t **out, struct cert_err *e)
{
	struct slist	 l;
	ssize_t		 i;
	int		 rc;

	if ((rc = slist_current(st, &l, &i, e)) < 0)
		return rc;
	*out = srow_json(&l.r[i], true);
	json_object_set_new(*out, "pem", json_string(l.r[i].pem));
	slist_clear(&l);
	return 0;
}

int
certmgr_server_list(struct store *st, json_t **out, struct cert_err *e)
{
	struct slist	 l;
	ssize_t		 i, u;
	int		 rc;

	if ((rc = slist_load(st, &l, e)) < 0)
		return rc;
	u = in_use(&l);
	*out = json_array();
	for (i = (ssize_t)l.n - 1; i >= 0; i--)
		json_array_append_new(*out, srow_json(&l.r[i], i == u));
	slist_clear(&l);
	return 0;
}

int
certmgr_server_supersede(struct store *st, const char *serial,
    struct cert_err *e)
{
	struct store_err	 se;

	memset(&se, 0, sizeof(se));
	return certmgr_store_rc(store_cert_use(st, "server", serial,
	    "superseded", &se), &se, e);
}

/* Same names, in any order (the first one, the CN, must match too). */
static bool
same_names(json_t *a, json_t *b)
{
	size_t	 i;
	json_t	*v;

	if (json_array_size(a) != json_array_size(b) ||
	    json_array_size(a) == 0 ||
	    !json_equal(json_array_get(a, 0), json_array_get(b, 0)))
		return false;
	json_array_foreach(a, i, v)
		if (!json_is_string(v) || !certmgr_json_has(b, json_string_value(v)))
			return false;
	return true;
}

int
certmgr_server_names(struct store *st, json_t *req, json_t **out,
    struct cert_err *e)
{
	json_t		*want = json_object_get(req, "names"), *have, *info,
			*r2;
	const char	*kt;
	char		*pem = NULL, *name = NULL;
	int		 rc;

	if ((rc = certmgr_server_current(st, &pem, &name, NULL)) < 0 &&
	    rc != STORE_ENOENT)
		return cert_err_set(e, "store", "cannot read the server "
		    "certificate"), rc;
	have = pem ? certmgr_server_names_of(pem, name) : json_array();
	if (want == NULL || json_is_null(want)) {
		*out = json_pack("{s:o}", "names", have);
		free(pem);
		free(name);
		return 0;
	}
	if (!json_is_array(want)) {
		json_decref(have);
		free(pem);
		free(name);
		return cert_err_set(e, "names", "names is a list of host "
		    "names and IP addresses"), STORE_EINVAL;
	}
	if (pem && same_names(want, have)) {
		*out = json_pack("{s:o, s:b}", "names", have, "changed", 0);
		free(pem);
		free(name);
		return 0;
	}
	json_decref(have);
	/* the new certificate keeps the key type of the one in use */
	info = pem ? cert_info_json(pem, NULL) : NULL;
	kt = json_string_value(json_object_get(info, "key_type"));
	r2 = json_pack("{s:O}", "names", want);
	if (kt && strncmp(kt, "rsa", 3) == 0)
		json_object_set_new(r2, "key_type", json_string(kt));
	rc = certmgr_server_issue(st, r2, out, e);
	if (rc == 0 && *out) {
		json_object_set_new(*out, "changed", json_true());
		json_object_set(*out, "names", want);
	}
	json_decref(r2);
	json_decref(info);
	free(pem);
	free(name);
	return rc;
}

int
certmgr_server_use(struct store *st, const char *serial, json_t **out,
    struct cert_err *e)
{
	struct slist	 l;
	struct srow	*r = NULL;
	json_t		*ca = NULL;
	size_t		 i;
	int		 rc;

	if (serial == NULL || *serial == '\0')
		return cert_err_set(e, "serial", "the serial of a server "
		    "certificate is required (roadgatectl server-cert list)"),
		    STORE_EINVAL;
	if ((rc = slist_load(st, &l, e)) < 0)
		return rc;
	for (i = 0; i < l.n; i++)
		if (strcasecmp(l.r[i].serial, serial) == 0)
			r = &l.r[i];
	if (r == NULL) {
		rc = STORE_ENOENT;
		cert_err_set(e, "serial", "no server certificate with serial "
		    "%s", serial);
	} else if (r->revoked_at && !superseded(r)) {
		rc = STORE_EINVAL;
		cert_err_set(e, "serial", "server certificate %s is revoked "
		    "(%s)", r->serial, r->reason ? r->reason : "unspecified");
	} else if ((rc = certmgr_ca_show(st, &ca, e)) == 0 &&
	    cert_verify_pem(r->pem, json_string_value(json_object_get(ca,
	    "pem")), NULL, NULL, NULL) == -1) {
		rc = STORE_EINVAL;
		cert_err_set(e, "serial", "server certificate %s does not "
		    "chain to the current CA or has expired", r->serial);
	}
	if (rc == 0 && (rc = certmgr_server_supersede(st, r->serial, e)) == 0) {
		r->revoked_at = 0;
		*out = srow_json(r, true);
	}
	json_decref(ca);
	slist_clear(&l);
	return rc;
}
