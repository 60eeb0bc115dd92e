/*
 * cert_mgr_client.c: client certificates over the store: issue (one valid
 * certificate per existing user), list, show, renew, revoke (RFC 5280
 * 5.3.1 reasons, then a new CRL) and export (PKCS#12 legacy or modern,
 * RFC 7292; or PEM), see cert_mgr.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "certs/cert_mgr.h"
#include "store.h"

/* The user's newest certificate (valid only, when valid_only). */
struct ucert {
	const char	*user;
	bool		 valid_only;
	char		*pem;
	char		*serial;
	char		*reason;
	int64_t		 revoked_at;
};

static int
ucert_cb(const struct store_cert *c, void *arg)
{
	struct ucert	*u = arg;

	if (strcmp(c->name, u->user) != 0 || (u->valid_only && c->revoked_at))
		return 0;
	free(u->pem);
	free(u->serial);
	free(u->reason);
	u->pem = strdup(c->cert_pem);
	u->serial = strdup(c->serial);
	u->reason = c->revoke_reason ? strdup(c->revoke_reason) : NULL;
	u->revoked_at = c->revoked_at;
	return u->pem && u->serial ? 0 : STORE_EIO;
}

static void
ucert_clear(struct ucert *u)
{
	free(u->pem);
	free(u->serial);
	free(u->reason);
	u->pem = u->serial = u->reason = NULL;
}

static int
ucert_find(struct store *st, const char *user, bool valid_only,
    struct ucert *u, struct cert_err *e)
{
	int	 rc;

	memset(u, 0, sizeof(*u));
	u->user = user;
	u->valid_only = valid_only;
	if ((rc = store_cert_list(st, "client", ucert_cb, u)) < 0) {
		ucert_clear(u);
		return cert_err_set(e, "store", "cannot list certificates"),
		    rc;
	}
	if (u->pem == NULL)
		return cert_err_set(e, "user", "user %s has no %scertificate",
		    user, valid_only ? "valid " : ""), STORE_ENOENT;
	return 0;
}

static int
user_exists(struct store *st, const char *user, struct cert_err *e)
{
	struct store_err	 se;
	json_t			*u;

	memset(&se, 0, sizeof(se));
	if (user == NULL || *user == '\0')
		return cert_err_set(e, "user", "a user name is required"),
		    STORE_EINVAL;
	if ((u = store_obj_get(st, "users", user, &se)) == NULL) {
		if (se.code == STORE_ENOENT || se.code == 0)
			return cert_err_set(e, "user", "no such user: %s",
			    user), STORE_ENOENT;
		return certmgr_store_rc(se.code ? se.code : STORE_EIO, &se, e);
	}
	json_decref(u);
	return 0;
}

static int
issue(struct store *st, const char *user, json_t *req, const char *email,
    const char *dns, json_t **out, struct cert_err *e)
{
	struct cert_client_params p;
	struct cert_pair	 pair;
	struct cert_ca		 ca;
	char			*url;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.user = user;
	p.san_email = email;
	p.san_dns = dns;
	if ((rc = certmgr_issue_begin(st, req, &p.key, &p.days, &p.crl_url,
	    &ca, &url, e)) < 0)
		return rc;
	rc = cert_client_issue(&ca, &p, &pair, e);
	cert_ca_clear(&ca);
	free(url);
	if (rc == -1)
		return STORE_EINVAL;
	if ((rc = certmgr_put(st, "client", user, &pair, NULL, e)) == 0 && out)
		*out = certmgr_info("client", user, pair.cert_pem, 0, NULL);
	cert_pair_clear(&pair);
	return rc;
}

int
certmgr_client_issue(struct store *st, const char *user, json_t *req,
    json_t **out, struct cert_err *e)
{
	struct ucert	 u;
	int		 rc;

	if ((rc = user_exists(st, user, e)) < 0)
		return rc;
	if (ucert_find(st, user, true, &u, NULL) == 0) {
		ucert_clear(&u);
		return cert_err_set(e, "user", "user %s already has a valid "
		    "certificate (renew or revoke it)", user), STORE_EEXIST;
	}
	return issue(st, user, req, certmgr_jstr(req, "san_email"),
	    certmgr_jstr(req, "san_dns"), out, e);
}

static int
list_cb(const struct store_cert *c, void *arg)
{
	json_t	*j = certmgr_info("client", c->name, c->cert_pem,
		    c->revoked_at, c->revoke_reason);

	json_object_set_new(j, "user", json_string(c->name));
	json_array_insert_new(arg, 0, j);	/* newest first */
	return 0;
}

int
certmgr_client_list(struct store *st, json_t **out, struct cert_err *e)
{
	int	 rc;

	*out = json_array();
	if ((rc = store_cert_list(st, "client", list_cb, *out)) < 0) {
		json_decref(*out);
		*out = NULL;
		return cert_err_set(e, "store", "cannot list certificates"),
		    rc;
	}
	return 0;
}

int
certmgr_client_show(struct store *st, const char *user, json_t **out,
    struct cert_err *e)
{
	struct ucert	 u;
	int		 rc;

	/* the valid one if any, else the newest (revoked or expired) */
	if (ucert_find(st, user, true, &u, NULL) < 0 &&
	    (rc = ucert_find(st, user, false, &u, e)) < 0)
		return rc;
	*out = certmgr_info("client", user, u.pem, u.revoked_at, u.reason);
	json_object_set_new(*out, "user", json_string(user));
	json_object_set_new(*out, "pem", json_string(u.pem));
	ucert_clear(&u);
	return 0;
}

static int
revoke(struct store *st, const char *serial, int reason, struct cert_err *e)
{
	struct store_err	 se;
	int			 rc;

	memset(&se, 0, sizeof(se));
	if ((rc = store_cert_revoke(st, serial, cert_reason_name(reason),
	    &se)) < 0)
		return certmgr_store_rc(rc, &se, e);
	return certmgr_crl_rebuild(st, e);
}

int
certmgr_client_renew(struct store *st, const char *user, json_t *req,
    json_t **out, struct cert_err *e)
{
	struct ucert	 u;
	json_t		*info, *san, *v;
	const char	*email = NULL, *dns = NULL, *s;
	size_t		 i;
	int		 rc;

	if ((rc = ucert_find(st, user, true, &u, e)) < 0)
		return rc;
	/* same subjectAltName as the certificate it replaces */
	info = cert_info_json(u.pem, NULL);
	san = json_object_get(info, "san");
	json_array_foreach(san, i, v) {
		s = json_string_value(v);
		if (s && strncmp(s, "email:", 6) == 0 && email == NULL)
			email = s + 6;
		else if (s && strncmp(s, "DNS:", 4) == 0 && dns == NULL)
			dns = s + 4;
	}
	if (email)
		dns = NULL;
	if (certmgr_jstr(req, "san_email") || certmgr_jstr(req, "san_dns")) {
		email = certmgr_jstr(req, "san_email");
		dns = certmgr_jstr(req, "san_dns");
	}
	if ((rc = issue(st, user, req, email, dns, out, e)) == 0)
		rc = revoke(st, u.serial, CRL_REASON_SUPERSEDED, e);
	json_decref(info);
	ucert_clear(&u);
	return rc;
}

int
certmgr_client_revoke(struct store *st, const char *user, json_t *req,
    json_t **out, struct cert_err *e)
{
	struct ucert	 u;
	int		 rc, reason;

	if (cert_reason_parse(certmgr_jstr(req, "reason"), &reason, e) == -1)
		return STORE_EINVAL;
	if ((rc = ucert_find(st, user, true, &u, e)) < 0)
		return rc;
	if ((rc = revoke(st, u.serial, reason, e)) == 0 && out) {
		*out = certmgr_info("client", user, u.pem, time(NULL),
		    cert_reason_name(reason));
		json_object_set_new(*out, "user", json_string(user));
	}
	ucert_clear(&u);
	return rc;
}

int
certmgr_client_revoke_all(struct store *st, const char *user, int reason,
    struct cert_err *e)
{
	struct ucert	 u;
	int		 rc, n;

	/* One valid certificate per user, but imports and old stores may
	 * hold more: revoke until none is left (bounded). */
	for (n = 0; n < 64; n++) {
		if ((rc = ucert_find(st, user, true, &u, e)) == STORE_ENOENT)
			return 0;
		if (rc < 0)
			return rc;
		rc = revoke(st, u.serial, reason, e);
		ucert_clear(&u);
		if (rc < 0)
			return rc;
	}
	return cert_err_set(e, "user", "user %s: too many valid "
	    "certificates", user), STORE_EIO;
}

static json_t *
b64_json(const unsigned char *data, size_t len)
{
	unsigned char	*b;
	json_t		*j;
	int		 n;

	if (len > 64 * 1024 * 1024 || (b = malloc(4 * ((len + 2) / 3) + 1)) ==
	    NULL)
		return NULL;
	n = EVP_EncodeBlock(b, data, (int)len);
	j = json_stringn((const char *)b, (size_t)n);
	OPENSSL_cleanse(b, (size_t)n);
	free(b);
	return j;
}

struct capem {
	char	*pem;
};

static int
capem_cb(const struct store_cert *c, void *arg)
{
	struct capem	*p = arg;

	free(p->pem);
	p->pem = strdup(c->cert_pem);
	return p->pem ? 0 : STORE_EIO;
}

int
certmgr_client_export(struct store *st, const char *user, json_t *req,
    json_t **out, struct cert_err *e)
{
	struct ucert	 u;
	struct capem	 ca = { NULL };
	const char	*fmt = certmgr_jstr(req, "format"), *pass;
	char		*gen = NULL, *key = NULL, *pem = NULL, fname[128];
	unsigned char	*der = NULL;
	size_t		 len = 0;
	json_t		*legacy = json_object_get(req, "legacy"), *data = NULL;
	int		 rc;

	if (fmt == NULL)
		fmt = "p12";
	if (strcmp(fmt, "p12") != 0 && strcmp(fmt, "pem") != 0)
		return cert_err_set(e, "format", "format is p12 or pem"),
		    STORE_EINVAL;
	if (legacy && !json_is_boolean(legacy))
		return cert_err_set(e, "legacy", "legacy is true or false"),
		    STORE_EINVAL;
	if ((rc = ucert_find(st, user, true, &u, e)) < 0)
		return rc;
	if ((rc = store_cert_find(st, "client", u.serial, NULL, NULL, &key)) <
	    0 || key == NULL) {
		cert_err_set(e, "user", "the private key of %s is not kept",
		    user);
		rc = rc < 0 ? rc : STORE_ENOENT;
		goto out;
	}
	if ((rc = store_cert_find(st, "ca", NULL, capem_cb, &ca, NULL)) < 0) {
		cert_err_set(e, "ca", "no CA");
		goto out;
	}
	if (strcmp(fmt, "pem") == 0) {
		if ((pem = cert_pem_export(u.pem, key, ca.pem)) == NULL ||
		    (data = b64_json((unsigned char *)pem, strlen(pem))) ==
		    NULL) {
			rc = STORE_EIO;
			cert_err_set(e, "cert", "out of memory");
			goto out;
		}
		snprintf(fname, sizeof(fname), "%s.pem", user);
		*out = json_pack("{s:s, s:o, s:s}", "format", "pem", "data",
		    data, "filename", fname);
		goto out;
	}
	pass = json_object_get(req, "password") ?
	    json_string_value(json_object_get(req, "password")) : NULL;
	if (json_object_get(req, "password") && pass == NULL) {
		rc = STORE_EINVAL;
		cert_err_set(e, "password", "password is a string");
		goto out;
	}
	if (pass == NULL &&
	    (pass = gen = cert_password_generate(CERT_PASSWORD_LEN)) == NULL) {
		rc = STORE_EIO;
		cert_err_set(e, "password", "cannot generate a password");
		goto out;
	}
	if (cert_p12_export(u.pem, key, ca.pem, user, pass,
	    json_is_false(legacy) ? CERT_P12_MODERN : CERT_P12_LEGACY, &der,
	    &len, e) == -1) {
		rc = STORE_EINVAL;
		goto out;
	}
	if ((data = b64_json(der, len)) == NULL) {
		rc = STORE_EIO;
		cert_err_set(e, "cert", "out of memory");
		goto out;
	}
	snprintf(fname, sizeof(fname), "%s.p12", user);
	*out = json_pack("{s:s, s:o, s:s, s:b}", "format", "p12", "data", data,
	    "filename", fname, "legacy", !json_is_false(legacy));
	if (gen)	/* shown once: the API answer is the only copy */
		json_object_set_new(*out, "password", json_string(gen));
	rc = 0;
out:
	if (der) {
		OPENSSL_cleanse(der, len);
		OPENSSL_free(der);
	}
	cert_str_free(pem);
	cert_str_free(key);
	cert_str_free(gen);
	free(ca.pem);
	ucert_clear(&u);
	return rc;
}
