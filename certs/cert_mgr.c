/*
 * cert_mgr.c: CA, server certificate and CRL operations over the store,
 * and the daemon's first-start PKI (see cert_mgr.h).  Client certificates
 * are in cert_mgr_client.c.
 *
 * Keys reach the store as plain PKCS#8 PEM and are sealed there
 * (AES-256-GCM under the store's root-only secret key); local copies are
 * wiped.  CRLs follow RFC 5280 5.2.3: each rebuild takes the stored
 * number + 1.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certs/cert_mgr.h"
#include "store.h"

#define CRL_REFRESH_S	86400	/* rebuild when nextUpdate is closer */

const char *
certmgr_jstr(json_t *req, const char *key)
{
	json_t	*v = req ? json_object_get(req, key) : NULL;

	return json_is_string(v) && *json_string_value(v) ?
	    json_string_value(v) : NULL;
}

int
certmgr_jint(json_t *req, const char *key, int dflt, int *v,
    struct cert_err *e)
{
	json_t	*j = req ? json_object_get(req, key) : NULL;

	*v = dflt;
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_integer(j) || json_integer_value(j) < 1 ||
	    json_integer_value(j) > 36500)
		return cert_err_set(e, key, "%s must be a positive integer",
		    key) == -1 ? STORE_EINVAL : 0;
	*v = (int)json_integer_value(j);
	return 0;
}

int
certmgr_store_rc(int rc, const struct store_err *se, struct cert_err *e)
{
	if (rc >= 0)
		return rc;
	cert_err_set(e, se && se->field[0] ? se->field : "store", "%s",
	    se && se->msg[0] ? se->msg : "store failure");
	return rc;
}

json_t *
certmgr_info(const char *kind, const char *name, const char *pem,
    int64_t revoked_at, const char *reason)
{
	json_t	*j;
	time_t	 na = 0;

	if ((j = cert_info_json(pem, NULL)) == NULL)
		j = json_object();
	cert_not_after(pem, &na);
	json_object_set_new(j, "kind", json_string(kind));
	json_object_set_new(j, "name", json_string(name));
	json_object_set_new(j, "status", json_string(revoked_at ? "revoked" :
	    na < time(NULL) ? "expired" : "valid"));
	if (revoked_at) {
		json_object_set_new(j, "revoked_at", json_integer(revoked_at));
		json_object_set_new(j, "revoke_reason",
		    json_string(reason ? reason : "unspecified"));
	}
	return j;
}

/* ---- newest certificate of a kind, copied out of the store ---- */

struct row {
	char	*pem;
	char	*name;
	char	*serial;
	int64_t	 revoked_at;
};

static int
row_cb(const struct store_cert *c, void *arg)
{
	struct row	*r = arg;

	r->pem = strdup(c->cert_pem);
	r->name = strdup(c->name);
	r->serial = strdup(c->serial);
	r->revoked_at = c->revoked_at;
	return r->pem && r->name && r->serial ? 0 : STORE_EIO;
}

static void
row_clear(struct row *r)
{
	free(r->pem);
	free(r->name);
	free(r->serial);
	memset(r, 0, sizeof(*r));
}

static int
newest(struct store *st, const char *kind, struct row *r, char **key,
    struct cert_err *e)
{
	int	 rc;

	memset(r, 0, sizeof(*r));
	rc = store_cert_find(st, kind, NULL, row_cb, r, key);
	if (rc == STORE_ENOENT) {
		cert_err_set(e, kind, "no %s certificate yet", kind);
		return rc;
	}
	if (rc < 0) {
		row_clear(r);
		cert_err_set(e, "store", "cannot read the %s certificate",
		    kind);
	}
	return rc;
}

int
certmgr_ca_load(struct store *st, struct cert_ca *ca, struct cert_err *e)
{
	struct row	 r;
	char		*key = NULL;
	int		 rc;

	memset(ca, 0, sizeof(*ca));
	if ((rc = newest(st, "ca", &r, &key, e)) < 0)
		return rc;
	if (key == NULL) {
		rc = STORE_EINVAL;
		cert_err_set(e, "ca", "the CA has no private key");
	} else if (cert_ca_load(ca, r.pem, key, NULL, NULL, e) == -1) {
		rc = STORE_EIO;
	}
	cert_str_free(key);
	row_clear(&r);
	return rc;
}

/* Adds a certificate row; the key is sealed by the store. */
int
certmgr_put(struct store *st, const char *kind, const char *name,
    const struct cert_pair *p, const char *pem, struct cert_err *e)
{
	struct store_cert	 c;
	struct store_err	 se;
	time_t			 na = 0;
	int64_t			 id;

	memset(&c, 0, sizeof(c));
	memset(&se, 0, sizeof(se));
	cert_not_after(p->cert_pem, &na);
	c.kind = kind;
	c.name = name;
	c.serial = p->serial;
	c.cert_pem = pem ? pem : p->cert_pem;
	c.not_after = na;
	return certmgr_store_rc(store_cert_add(st, &c, p->key_pem, &id, &se),
	    &se, e);
}

/* ---- CA ---- */

bool
certmgr_json_has(json_t *a, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/*
 * A new CA: a server certificate that no longer chains to it is issued
 * again for the same names and key type, so that clients trusting the
 * new CA keep connecting.  One imported later replaces it.  1 when
 * re-issued, 0 when not needed.
 */
static int
server_follow_ca(struct store *st, const char *ca_pem, struct cert_err *e)
{
	json_t		*info, *req;
	const char	*kt;
	char		*pem = NULL, *name = NULL;
	int		 rc;

	if (certmgr_server_current(st, &pem, &name, NULL) < 0)
		return 0;
	if (cert_verify_pem(pem, ca_pem, NULL, NULL, NULL) == 0) {
		free(pem);
		free(name);
		return 0;
	}
	info = cert_info_json(pem, NULL);
	kt = json_string_value(json_object_get(info, "key_type"));
	req = json_pack("{s:o, s:s}", "names",
	    certmgr_server_names_of(pem, name), "key_type",
	    kt && strncmp(kt, "rsa", 3) == 0 ? kt : "ecdsa-p256");
	rc = certmgr_server_issue(st, req, NULL, e);
	json_decref(req);
	json_decref(info);
	free(pem);
	free(name);
	return rc < 0 ? rc : 1;
}

/* The CA and the first CRL of a new CA. */
static int
ca_store(struct store *st, const struct cert_pair *p, json_t **out,
    struct cert_err *e)
{
	char	*pem = NULL;
	X509	*x;
	char	 cn[128] = "CA";
	int	 rc;

	if ((x = cert_x509_load(p->cert_pem, "cert", e)) == NULL)
		return STORE_EINVAL;
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
	    sizeof(cn));
	X509_free(x);
	if (p->chain_pem && (pem = cert_pem_export(p->cert_pem, NULL,
	    p->chain_pem)) == NULL)
		return cert_err_set(e, "cert", "out of memory"), STORE_EIO;
	rc = certmgr_put(st, "ca", cn, p, pem, e);
	free(pem);
	if (rc < 0)
		return rc;
	/* A new CA starts a CRL of its own (still numbered upwards). */
	if ((rc = certmgr_crl_rebuild(st, e)) < 0)
		return rc;
	if ((rc = server_follow_ca(st, p->cert_pem, e)) < 0)
		return rc;
	if (out) {
		*out = certmgr_info("ca", cn, p->cert_pem, 0, NULL);
		json_object_set_new(*out, "server_cert_reissued",
		    json_boolean(rc == 1));
	}
	return 0;
}

int
certmgr_ca_create(struct store *st, json_t *req, json_t **out,
    struct cert_err *e)
{
	struct cert_ca_params	 p;
	struct cert_pair	 pair;
	int			 rc;

	memset(&p, 0, sizeof(p));
	if (cert_keyspec_parse(certmgr_jstr(req, "key_type"), &p.key, e) == -1)
		return STORE_EINVAL;
	if ((rc = certmgr_jint(req, "years", 10, &p.years, e)) < 0)
		return rc;
	p.cn = certmgr_jstr(req, "cn");
	if (p.cn == NULL)
		p.cn = "roadgate CA";
	if (cert_ca_create(&p, &pair, e) == -1)
		return STORE_EINVAL;
	rc = ca_store(st, &pair, out, e);
	cert_pair_clear(&pair);
	return rc;
}

/* An import names both "cert" and "key" (PEM). */
static int
need_cert_key(json_t *req, struct cert_err *e)
{
	if (certmgr_jstr(req, "cert") == NULL)
		return cert_err_set(e, "cert", "a PEM certificate is required");
	if (certmgr_jstr(req, "key") == NULL)
		return cert_err_set(e, "key", "a PEM private key is required");
	return 0;
}

int
certmgr_ca_import(struct store *st, json_t *req, json_t **out,
    struct cert_err *e)
{
	struct cert_pair	 pair;
	int			 rc;

	if (need_cert_key(req, e) < 0)
		return STORE_EINVAL;
	if (cert_ca_import(certmgr_jstr(req, "cert"), certmgr_jstr(req, "key"),
	    certmgr_jstr(req, "key_password"), certmgr_jstr(req, "chain"),
	    &pair, e) == -1)
		return STORE_EINVAL;
	rc = ca_store(st, &pair, out, e);
	cert_pair_clear(&pair);
	return rc;
}

static int
show(struct store *st, const char *kind, json_t **out, struct cert_err *e)
{
	struct row	 r;
	int		 rc;

	if ((rc = newest(st, kind, &r, NULL, e)) < 0)
		return rc;
	*out = certmgr_info(kind, r.name, r.pem, r.revoked_at, NULL);
	json_object_set_new(*out, "pem", json_string(r.pem));
	row_clear(&r);
	return 0;
}

int
certmgr_ca_show(struct store *st, json_t **out, struct cert_err *e)
{
	return show(st, "ca", out, e);
}

/* ---- leaves ---- */

int
certmgr_issue_begin(struct store *st, json_t *req, struct cert_keyspec *key,
    int *days, const char **crl_url, struct cert_ca *ca, char **url,
    struct cert_err *e)
{
	int	 rc;

	if (cert_keyspec_parse(certmgr_jstr(req, "key_type"), key, e) == -1)
		return STORE_EINVAL;
	if ((rc = certmgr_jint(req, "days", 0, days, e)) < 0)
		return rc;
	if ((rc = certmgr_ca_load(st, ca, e)) < 0)
		return rc;
	/* the crl_url setting unless the request names one */
	*url = certmgr_crl_url(st);
	*crl_url = certmgr_jstr(req, "crl_url") ? certmgr_jstr(req,
	    "crl_url") : *url;
	return 0;
}

/* ---- server certificate ---- */

int
certmgr_server_issue(struct store *st, json_t *req, json_t **out,
    struct cert_err *e)
{
	struct cert_server_params p;
	struct cert_pair	 pair;
	struct cert_ca		 ca;
	const char		*names[32];
	char			*url;
	json_t			*jn = json_object_get(req, "names"), *v;
	size_t			 i;
	int			 rc;

	memset(&p, 0, sizeof(p));
	if (!json_is_array(jn) || json_array_size(jn) == 0 ||
	    json_array_size(jn) > 32)
		return cert_err_set(e, "names", "1 to 32 names (host names or "
		    "IP addresses the clients dial) are required"),
		    STORE_EINVAL;
	json_array_foreach(jn, i, v) {
		if (!json_is_string(v))
			return cert_err_set(e, "names", "names are strings"),
			    STORE_EINVAL;
		names[i] = json_string_value(v);
	}
	p.names = names;
	p.nnames = json_array_size(jn);
	if ((rc = certmgr_issue_begin(st, req, &p.key, &p.days, &p.crl_url,
	    &ca, &url, e)) < 0)
		return rc;
	if (cert_server_issue(&ca, &p, &pair, e) == -1) {
		cert_ca_clear(&ca);
		free(url);
		return STORE_EINVAL;
	}
	cert_ca_clear(&ca);
	free(url);
	/* the new one is in use; the old ones are kept, superseded */
	if ((rc = certmgr_put(st, "server", names[0], &pair, NULL, e)) == 0)
		rc = certmgr_server_supersede(st, pair.serial, e);
	if (rc == 0 && out)
		*out = certmgr_info("server", names[0], pair.cert_pem, 0, NULL);
	cert_pair_clear(&pair);
	return rc;
}

/* What client OSes will refuse (PRODUCT.md facts 2 and 7), as warnings. */
static void
import_warnings(json_t *info)
{
	json_t	*w = json_array();

	if (!certmgr_json_has(json_object_get(info, "eku"), "serverAuth"))
		json_array_append_new(w, json_string("no serverAuth EKU: "
		    "Windows refuses it (error 13801)"));
	if (!certmgr_json_has(json_object_get(info, "eku"),
	    CERT_OID_IKE_INTERMEDIATE))
		json_array_append_new(w, json_string("no IKE intermediate EKU "
		    "(1.3.6.1.5.5.8.2.2): older macOS refuses it"));
	if (json_array_size(json_object_get(info, "san")) == 0)
		json_array_append_new(w, json_string("no subjectAltName: iOS "
		    "13+/macOS 10.15+ refuse it"));
	if (json_array_size(w))
		json_object_set_new(info, "warnings", w);
	else
		json_decref(w);
}

int
certmgr_server_import(struct store *st, json_t *req, json_t **out,
    struct cert_err *e)
{
	struct cert_pair	 pair;
	char			*pem = NULL, cn[256] = "server";
	X509			*x;
	int			 rc;

	if (need_cert_key(req, e) < 0)
		return STORE_EINVAL;
	if (cert_leaf_import(certmgr_jstr(req, "cert"),
	    certmgr_jstr(req, "key"), certmgr_jstr(req, "key_password"), &pair,
	    e) == -1)
		return STORE_EINVAL;
	if ((x = cert_x509_load(pair.cert_pem, "cert", e)) != NULL) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(x),
		    NID_commonName, cn, sizeof(cn));
		X509_free(x);
	}
	/* rg_pki.server_cert_pem is "leaf + chain" */
	if (pair.chain_pem &&
	    (pem = cert_pem_export(pair.cert_pem, NULL, pair.chain_pem)) ==
	    NULL) {
		cert_pair_clear(&pair);
		return cert_err_set(e, "cert", "out of memory"), STORE_EIO;
	}
	if ((rc = certmgr_put(st, "server", cn, &pair, pem, e)) == 0)
		rc = certmgr_server_supersede(st, pair.serial, e);
	if (rc == 0 && out) {
		*out = certmgr_info("server", cn, pair.cert_pem, 0, NULL);
		import_warnings(*out);
	}
	free(pem);
	cert_pair_clear(&pair);
	return rc;
}

/* ---- CRL ---- */

struct revlist {
	X509			*ca;
	struct cert_revoked	*r;
	size_t			 n, cap;
	bool			 oom;
};

static int
rev_cb(const struct store_cert *c, void *arg)
{
	struct revlist	*l = arg;
	struct cert_revoked *nr;
	X509		*x;
	int		 reason;

	if (c->revoked_at == 0 || strcmp(c->kind, "ca") == 0)
		return 0;
	/* a superseded server certificate is kept for a roll back */
	if (strcmp(c->kind, "server") == 0 && c->revoke_reason &&
	    strcmp(c->revoke_reason, "superseded") == 0)
		return 0;
	/* only what this CA issued belongs on its CRL (RFC 5280 5.1.2.3) */
	if ((x = cert_x509_load(c->cert_pem, "cert", NULL)) == NULL)
		return 0;
	if (X509_check_issued(l->ca, x) != X509_V_OK) {
		X509_free(x);
		return 0;
	}
	X509_free(x);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if ((nr = reallocarray(l->r, l->cap, sizeof(*nr))) == NULL) {
			l->oom = true;
			return STORE_EIO;
		}
		l->r = nr;
	}
	if (cert_reason_parse(c->revoke_reason, &reason, NULL) == -1)
		reason = CRL_REASON_UNSPECIFIED;
	if ((l->r[l->n].serial = strdup(c->serial)) == NULL) {
		l->oom = true;
		return STORE_EIO;
	}
	l->r[l->n].when = (time_t)c->revoked_at;
	l->r[l->n].reason = reason;
	l->n++;
	return 0;
}

int
certmgr_crl_rebuild(struct store *st, struct cert_err *e)
{
	struct revlist	 l;
	struct cert_ca	 ca;
	char		*pem = NULL, *old = NULL;
	int64_t		 number = 0;
	size_t		 i;
	int		 rc;

	if ((rc = certmgr_ca_load(st, &ca, e)) < 0)
		return rc;
	memset(&l, 0, sizeof(l));
	l.ca = ca.cert;
	if (store_cert_list(st, NULL, rev_cb, &l) < 0 || l.oom) {
		rc = STORE_EIO;
		cert_err_set(e, "store", "cannot list revoked certificates");
		goto out;
	}
	if ((rc = store_crl_latest(st, &old, &number)) < 0 &&
	    rc != STORE_ENOENT) {
		cert_err_set(e, "store", "cannot read the CRL");
		goto out;
	}
	if (cert_crl_build(&ca, l.r, l.n, (uint64_t)number + 1, 0, &pem, e) ==
	    -1) {
		rc = STORE_EIO;
		goto out;
	}
	if ((rc = store_crl_add(st, number + 1, pem)) < 0)
		cert_err_set(e, "store", "cannot store the CRL");
out:
	for (i = 0; i < l.n; i++)
		free((char *)l.r[i].serial);
	free(l.r);
	free(pem);
	free(old);
	cert_ca_clear(&ca);
	return rc < 0 ? rc : 0;
}

int
certmgr_crl_refresh(struct store *st, bool *changed, struct cert_err *e)
{
	return certmgr_crl_refresh_at(st, time(NULL), changed, e);
}

int
certmgr_crl_refresh_at(struct store *st, time_t now, bool *changed,
    struct cert_err *e)
{
	char	*pem = NULL;
	int64_t	 number;
	time_t	 next = 0;
	int	 rc;

	*changed = false;
	rc = store_crl_latest(st, &pem, &number);
	if (rc == 0 && cert_crl_info(pem, NULL, &next) == 0 &&
	    next - now > CRL_REFRESH_S) {
		free(pem);
		return 0;
	}
	free(pem);
	if ((rc = certmgr_crl_rebuild(st, e)) == 0)
		*changed = true;
	return rc;
}

static void
rev_json(json_t *a, X509_CRL *crl)
{
	STACK_OF(X509_REVOKED)	*revs = X509_CRL_get_REVOKED(crl);
	X509_REVOKED		*rv;
	BIGNUM			*bn;
	ASN1_ENUMERATED		*code;
	char			*hex;
	int			 i;

	for (i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		rv = sk_X509_REVOKED_value(revs, i);
		bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(rv),
		    NULL);
		hex = bn ? BN_bn2hex(bn) : NULL;
		code = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, NULL, NULL);
		json_array_append_new(a, json_pack("{s:s, s:s}",
		    "serial", hex ? hex : "?", "reason",
		    cert_reason_name(code ? (int)ASN1_ENUMERATED_get(code) :
		    0)));
		ASN1_ENUMERATED_free(code);
		OPENSSL_free(hex);
		BN_free(bn);
	}
}

int
certmgr_crl_show(struct store *st, json_t **out, struct cert_err *e)
{
	X509_CRL	*crl;
	BIO		*b;
	char		*pem = NULL;
	int64_t		 number = 0;
	time_t		 next = 0;
	json_t		*revs;

	if (store_crl_latest(st, &pem, &number) < 0)
		return cert_err_set(e, "crl", "no CRL yet"), STORE_ENOENT;
	cert_crl_info(pem, NULL, &next);
	revs = json_array();
	if ((b = BIO_new_mem_buf(pem, -1)) != NULL) {
		if ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) != NULL) {
			rev_json(revs, crl);
			X509_CRL_free(crl);
		}
		BIO_free(b);
	}
	{
		struct tm	 tm;
		char		 nu[32] = "";

		if (next && gmtime_r(&next, &tm))
			strftime(nu, sizeof(nu), "%Y-%m-%dT%H:%M:%SZ", &tm);
		*out = json_pack("{s:I, s:s, s:o, s:s}", "number",
		    (json_int_t)number, "next_update", nu, "revoked", revs,
		    "pem", pem);
	}
	free(pem);
	return *out ? 0 : STORE_EIO;
}

/* ---- first start ---- */

/* Host name plus global IPv4/IPv6 addresses of the host's interfaces. */
static size_t
host_names(char (*buf)[INET6_ADDRSTRLEN + 200], size_t max)
{
	struct ifaddrs	*ifa, *i;
	const void	*a;
	size_t		 n = 0;

	if (gethostname(buf[0], sizeof(buf[0])) == 0 && buf[0][0] &&
	    strcmp(buf[0], "localhost") != 0)
		n++;
	if (getifaddrs(&ifa) != 0)
		return n;
	for (i = ifa; i != NULL && n < max; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
				continue;
		} else {
			continue;
		}
		inet_ntop(i->ifa_addr->sa_family, a, buf[n], sizeof(buf[n]));
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

int
cert_first_start(struct store *st, const char *const *names, size_t nnames,
    bool *changed, struct cert_err *e)
{
	char		 hn[16][INET6_ADDRSTRLEN + 200];
	struct row	 r;
	json_t		*req, *arr;
	size_t		 i;
	int		 rc;

	*changed = false;
	rc = newest(st, "ca", &r, NULL, NULL);
	row_clear(&r);
	if (rc == STORE_ENOENT) {
		if ((rc = certmgr_ca_create(st, NULL, NULL, e)) < 0)
			return rc;
		*changed = true;
	} else if (rc < 0) {
		return cert_err_set(e, "store", "cannot read the CA"), rc;
	}
	rc = newest(st, "server", &r, NULL, NULL);
	row_clear(&r);
	if (rc == 0)
		goto crl;
	if (rc != STORE_ENOENT)
		return cert_err_set(e, "store", "cannot read the server "
		    "certificate"), rc;
	arr = json_array();
	if (names == NULL || nnames == 0) {
		nnames = host_names(hn, sizeof(hn) / sizeof(hn[0]));
		for (i = 0; i < nnames; i++)
			json_array_append_new(arr, json_string(hn[i]));
		if (nnames == 0)
			json_array_append_new(arr, json_string("localhost"));
	} else {
		for (i = 0; i < nnames; i++)
			json_array_append_new(arr, json_string(names[i]));
	}
	req = json_pack("{s:o}", "names", arr);
	rc = certmgr_server_issue(st, req, NULL, e);
	json_decref(req);
	if (rc < 0)
		return rc;
	*changed = true;
crl:
	{
		bool	 c2;

		rc = certmgr_crl_refresh(st, &c2, e);
		*changed = *changed || c2;
	}
	return rc;
}
