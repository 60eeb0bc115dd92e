/*
 * test_cert_mgr.c: certs/cert_mgr*.c over a real store in a temporary
 * directory: first start, the snapshot's PKI (store_config_load), client
 * certificates (issue, duplicate, unknown user, export, revoke + CRL,
 * renew), imports with bad input leaving the store unchanged, the CRL
 * refreshed near its nextUpdate (clock given), server names (new
 * certificate, old one superseded and kept) and roll back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include "certs/cert_mgr.h"
#include "rg_config.h"
#include "rg_test.h"
#include "store.h"

static char		 dir[] = "/tmp/test_cert_mgr.XXXXXX";
static struct store	*st;

static void
open_store(void)
{
	char	 err[256];

	CHECK(mkdtemp(dir) != NULL);
	st = store_open(dir, err, sizeof(err));
	if (st == NULL)
		printf("  store_open: %s\n", err);
	CHECK(st != NULL);
}

static const char *
jget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
first_start(void)
{
	const char *const	 names[] = { "vpn.example.com", "192.0.2.1" };
	struct rg_config	*c;
	struct cert_err		 e;
	char			 err[256];
	bool			 changed = false;
	json_t			*ca = NULL, *ca2 = NULL;

	if (st == NULL)
		return;
	CHECK_EQ(cert_first_start(st, names, 2, &changed, &e), 0);
	CHECK(changed);
	CHECK_EQ(certmgr_ca_show(st, &ca, &e), 0);
	CHECK_EQ(cert_first_start(st, NULL, 0, &changed, &e), 0);
	CHECK(!changed);
	CHECK_EQ(certmgr_ca_show(st, &ca2, &e), 0);
	CHECK_STR(jget(ca, "serial"), jget(ca2, "serial"));
	json_decref(ca);
	json_decref(ca2);
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c == NULL) {
		printf("  config: %s\n", err);
		return;
	}
	CHECK(c->pki.ca_pem && c->pki.server_cert_pem &&
	    c->pki.server_key_pem && c->pki.crl_pem);
	CHECK_EQ(cert_key_match_pem(c->pki.server_cert_pem,
	    c->pki.server_key_pem, NULL, &e), 0);
	CHECK_EQ(cert_verify_pem(c->pki.server_cert_pem, c->pki.ca_pem, NULL,
	    c->pki.crl_pem, &e), 0);
	rg_config_unref(c);
}

static void
client_lifecycle(void)
{
	struct cert_err	 e;
	json_t		*req, *out = NULL, *u, *crl = NULL;
	char		 err[256];
	char		 serial[64];
	struct rg_config *c;
	struct store_err se;

	if (st == NULL)
		return;
	req = json_pack("{s:s}", "san_email", "alice@example.com");
	CHECK_EQ(certmgr_client_issue(st, "alice", req, &out, &e),
	    STORE_ENOENT);
	CHECK_STR(e.field, "user");
	u = json_pack("{s:s, s:s}", "name", "alice", "password", "pw");
	CHECK_EQ(store_obj_add(st, "users", u, &se), 0);
	json_decref(u);
	CHECK_EQ(certmgr_client_issue(st, "alice", req, &out, &e), 0);
	CHECK_STR(jget(out, "subject"), "CN=alice");
	snprintf(serial, sizeof(serial), "%s", jget(out, "serial"));
	json_decref(out);
	CHECK_EQ(certmgr_client_issue(st, "alice", req, &out, &e),
	    STORE_EEXIST);
	CHECK_STR(e.field, "user");
	json_decref(req);
	CHECK_EQ(certmgr_client_list(st, &out, &e), 0);
	CHECK_EQ(json_array_size(out), 1);
	json_decref(out);
	CHECK_EQ(certmgr_client_show(st, "alice", &out, &e), 0);
	CHECK_STR(jget(out, "status"), "valid");
	json_decref(out);

	/* revoke: serial on the CRL, snapshot's CRL refuses the cert */
	req = json_pack("{s:s}", "reason", "nonsense");
	CHECK_EQ(certmgr_client_revoke(st, "alice", req, &out, &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "reason");
	json_decref(req);
	req = json_pack("{s:s}", "reason", "keyCompromise");
	CHECK_EQ(certmgr_crl_show(st, &crl, &e), 0);
	CHECK_EQ(certmgr_client_revoke(st, "alice", req, &out, &e), 0);
	json_decref(out);
	json_decref(req);
	CHECK_EQ(certmgr_crl_show(st, &out, &e), 0);
	CHECK(json_integer_value(json_object_get(out, "number")) >
	    json_integer_value(json_object_get(crl, "number")));
	CHECK_STR(jget(json_array_get(json_object_get(out, "revoked"), 0),
	    "serial"), serial);
	CHECK_STR(jget(json_array_get(json_object_get(out, "revoked"), 0),
	    "reason"), "keyCompromise");
	json_decref(out);
	json_decref(crl);
	CHECK_EQ(certmgr_client_show(st, "alice", &out, &e), 0);
	CHECK_STR(jget(out, "status"), "revoked");
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_EQ(cert_verify_pem(jget(out, "pem"), c->pki.ca_pem, NULL,
		    c->pki.crl_pem, &e), -1);
		CHECK(strstr(e.why, "revoked") != NULL);
		rg_config_unref(c);
	}
	json_decref(out);
	CHECK_EQ(certmgr_client_renew(st, "alice", NULL, &out, &e),
	    STORE_ENOENT);

	/* a new one, then renew: new serial, same SAN, old superseded */
	req = json_pack("{s:s}", "san_email", "alice@example.com");
	CHECK_EQ(certmgr_client_issue(st, "alice", req, &out, &e), 0);
	snprintf(serial, sizeof(serial), "%s", jget(out, "serial"));
	json_decref(out);
	json_decref(req);
	CHECK_EQ(certmgr_client_renew(st, "alice", NULL, &out, &e), 0);
	CHECK(strcmp(jget(out, "serial"), serial) != 0);
	CHECK_STR(jget(out, "name"), "alice");
	CHECK(json_array_size(json_object_get(out, "san")) == 1 &&
	    strcmp(json_string_value(json_array_get(json_object_get(out,
	    "san"), 0)), "email:alice@example.com") == 0);
	json_decref(out);
	CHECK_EQ(certmgr_crl_show(st, &out, &e), 0);
	CHECK_EQ(json_array_size(json_object_get(out, "revoked")), 2);
	json_decref(out);
}

static unsigned char *
unb64(const char *s, size_t *len)
{
	size_t		 n = strlen(s);
	unsigned char	*b = malloc(n);
	int		 r;

	r = EVP_DecodeBlock(b, (const unsigned char *)s, (int)n);
	*len = (size_t)r - (n > 1 && s[n - 1] == '=') - (n > 2 &&
	    s[n - 2] == '=');
	return b;
}

static void
export(void)
{
	struct cert_err		 e;
	json_t			*req, *out = NULL;
	unsigned char		*der;
	const unsigned char	*q;
	size_t			 len;
	PKCS12			*p12;
	const char		*pw;

	if (st == NULL)
		return;
	CHECK_EQ(certmgr_client_export(st, "alice", NULL, &out, &e), 0);
	pw = jget(out, "password");
	CHECK(pw != NULL && strlen(pw) == CERT_PASSWORD_LEN);
	der = unb64(jget(out, "data"), &len);
	q = der;
	p12 = d2i_PKCS12(NULL, &q, (long)len);
	CHECK(p12 != NULL);
	if (p12) {
		CHECK_EQ(PKCS12_verify_mac(p12, pw, -1), 1);
		PKCS12_free(p12);
	}
	free(der);
	json_decref(out);
	req = json_pack("{s:s, s:b, s:s}", "format", "p12", "legacy", 0,
	    "password", "given");
	CHECK_EQ(certmgr_client_export(st, "alice", req, &out, &e), 0);
	CHECK(json_object_get(out, "password") == NULL);
	json_decref(out);
	json_decref(req);
	req = json_pack("{s:s, s:s}", "format", "p12", "password", "");
	CHECK_EQ(certmgr_client_export(st, "alice", req, &out, &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "password");
	json_decref(req);
	req = json_pack("{s:s}", "format", "pem");
	CHECK_EQ(certmgr_client_export(st, "alice", req, &out, &e), 0);
	der = unb64(jget(out, "data"), &len);
	der[len - 1] = '\0';
	CHECK(strstr((char *)der, "BEGIN PRIVATE KEY") != NULL);
	free(der);
	json_decref(out);
	json_decref(req);
	req = json_pack("{s:s}", "format", "der");
	CHECK_EQ(certmgr_client_export(st, "alice", req, &out, &e),
	    STORE_EINVAL);
	CHECK_STR(e.field, "format");
	json_decref(req);
	CHECK_EQ(certmgr_client_export(st, "nobody", NULL, &out, &e),
	    STORE_ENOENT);
}

static void
imports(void)
{
	struct cert_ca_params	 p = { .key = CERT_KEYSPEC_DEFAULT,
				       .cn = "Outside CA" };
	struct cert_pair	 other, mine;
	struct cert_err		 e;
	json_t			*before, *after, *req, *out = NULL;

	if (st == NULL)
		return;
	CHECK_EQ(cert_ca_create(&p, &other, &e), 0);
	CHECK_EQ(cert_ca_create(&p, &mine, &e), 0);
	CHECK_EQ(certmgr_ca_show(st, &before, &e), 0);
	req = json_pack("{s:s, s:s}", "cert", other.cert_pem, "key",
	    mine.key_pem);
	CHECK_EQ(certmgr_ca_import(st, req, &out, &e), STORE_EINVAL);
	CHECK_STR(e.field, "key");
	json_decref(req);
	req = json_pack("{s:s, s:s}", "cert", other.cert_pem, "key",
	    other.key_pem);
	CHECK_EQ(certmgr_server_import(st, req, &out, &e), STORE_EINVAL);
	CHECK_STR(e.field, "cert");
	json_decref(req);
	CHECK_EQ(certmgr_ca_show(st, &after, &e), 0);
	CHECK_STR(jget(before, "serial"), jget(after, "serial"));
	json_decref(after);
	req = json_pack("{s:s, s:s}", "cert", other.cert_pem, "key",
	    other.key_pem);
	CHECK_EQ(certmgr_ca_import(st, req, &out, &e), 0);
	/* the first-start server certificate follows the new CA */
	CHECK(json_is_true(json_object_get(out, "server_cert_reissued")));
	json_decref(out);
	json_decref(req);
	CHECK_EQ(certmgr_ca_show(st, &after, &e), 0);
	CHECK_STR(jget(after, "serial"), other.serial);
	json_decref(after);
	json_decref(before);
	CHECK_EQ(certmgr_server_show(st, &out, &e), 0);
	CHECK_STR(jget(out, "issuer"), "CN=Outside CA");
	CHECK_STR(jget(out, "subject"), "CN=vpn.example.com");
	{
		json_t	*san = json_object_get(out, "san");
		size_t	 i;
		int	 ip = 0, ipdns = 0;

		for (i = 0; i < json_array_size(san); i++) {
			ip += strcmp(json_string_value(json_array_get(san, i)),
			    "IP:192.0.2.1") == 0;
			ipdns += strcmp(json_string_value(json_array_get(san,
			    i)), "DNS:192.0.2.1") == 0;
		}
		CHECK_EQ(ip, 1);
		CHECK_EQ(ipdns, 1);
		CHECK_EQ(json_array_size(san), 3);
	}
	CHECK_EQ(cert_verify_pem(jget(out, "pem"), other.cert_pem, NULL, NULL,
	    &e), 0);
	json_decref(out);
	/* a leaf without serverAuth/SAN imports with warnings */
	{
		struct cert_client_params cp = { .user = "leaf",
					.key = CERT_KEYSPEC_DEFAULT };
		struct cert_pair	 leaf;
		struct cert_ca		 ca;

		CHECK_EQ(cert_ca_load(&ca, other.cert_pem, other.key_pem, NULL,
		    NULL, &e), 0);
		CHECK_EQ(cert_client_issue(&ca, &cp, &leaf, &e), 0);
		req = json_pack("{s:s, s:s}", "cert", leaf.cert_pem, "key",
		    leaf.key_pem);
		CHECK_EQ(certmgr_server_import(st, req, &out, &e), 0);
		CHECK_EQ(json_array_size(json_object_get(out, "warnings")), 3);
		json_decref(out);
		json_decref(req);
		cert_pair_clear(&leaf);
		cert_ca_clear(&ca);
	}
	req = json_pack("{s:[s], s:s}", "names", "vpn.example.org",
	    "key_type", "rsa1024");
	CHECK_EQ(certmgr_server_issue(st, req, &out, &e), STORE_EINVAL);
	CHECK_STR(e.field, "bits");
	json_decref(req);
	req = json_pack("{s:[s]}", "names", "vpn.example.org");
	CHECK_EQ(certmgr_server_issue(st, req, &out, &e), 0);
	CHECK_STR(jget(out, "issuer"), "CN=Outside CA");
	json_decref(out);
	json_decref(req);
	req = json_pack("{s:s, s:s}", "key_type", "rsa2048", "cn", "New CA");
	CHECK_EQ(certmgr_ca_create(st, req, &out, &e), 0);
	CHECK_STR(jget(out, "key_type"), "rsa2048");
	json_decref(out);
	json_decref(req);
	cert_pair_clear(&other);
	cert_pair_clear(&mine);
}

/* A CRL close to its nextUpdate is rebuilt with a higher number. */
static void
crl_refresh(void)
{
	struct cert_err	 e;
	char		*pem = NULL, *pem2 = NULL;
	int64_t		 n0 = 0, n1 = 0;
	uint64_t	 num = 0;
	time_t		 next0 = 0, next1 = 0, now = time(NULL);
	bool		 changed = true;

	if (st == NULL)
		return;
	CHECK_EQ(store_crl_latest(st, &pem, &n0), 0);
	CHECK_EQ(cert_crl_info(pem, &num, &next0), 0);
	CHECK_EQ((int64_t)num, n0);
	/* days from nextUpdate: nothing to do */
	CHECK_EQ(certmgr_crl_refresh_at(st, now, &changed, &e), 0);
	CHECK(!changed);
	CHECK_EQ(certmgr_crl_refresh_at(st, next0 - 2 * 86400, &changed, &e),
	    0);
	CHECK(!changed);
	/* two hours before nextUpdate: a new CRL, number + 1 */
	CHECK_EQ(certmgr_crl_refresh_at(st, next0 - 7200, &changed, &e), 0);
	CHECK(changed);
	CHECK_EQ(store_crl_latest(st, &pem2, &n1), 0);
	CHECK_EQ(n1, n0 + 1);
	CHECK_EQ(cert_crl_info(pem2, &num, &next1), 0);
	CHECK_EQ((int64_t)num, n1);
	CHECK(next1 >= next0);
	CHECK(strcmp(pem, pem2) != 0);
	free(pem);
	free(pem2);
	/* past nextUpdate too (a daemon that was stopped) */
	CHECK_EQ(certmgr_crl_refresh_at(st, next1 + 3600, &changed, &e), 0);
	CHECK(changed);
	CHECK_EQ(store_crl_latest(st, &pem, &n0), 0);
	CHECK_EQ(n0, n1 + 1);
	free(pem);
}

static int
count_cb(const struct store_cert *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

/* New names: a new certificate in use, the old one kept; roll back. */
static void
server_names(void)
{
	struct cert_err		 e;
	struct store_err	 se;
	struct rg_config	*c;
	json_t			*old = NULL, *req, *out = NULL, *list = NULL,
				*v, *ca = NULL;
	char			 err[256], *crl = NULL, oldser[64];
	int64_t			 n;
	int			 before = 0, after = 0;
	size_t			 i;

	if (st == NULL)
		return;
	memset(&se, 0, sizeof(se));
	CHECK_EQ(certmgr_server_show(st, &old, &e), 0);
	snprintf(oldser, sizeof(oldser), "%s", jget(old, "serial"));
	store_cert_list(st, "server", count_cb, &before);
	/* the crl_url setting is validated, then used */
	req = json_pack("{s:s}", "crl_url", "ftp://vpn.example.com/crl");
	CHECK(store_settings_set(st, req, &se) < 0);
	CHECK_STR(se.field, "crl_url");
	json_decref(req);
	req = json_pack("{s:s}", "crl_url", "http://vpn.example.com/crl.pem");
	CHECK_EQ(store_settings_set(st, req, &se), 0);
	json_decref(req);
	/* the same names: nothing issued */
	req = json_pack("{s:O}", "names", json_object_get(old, "names"));
	CHECK_EQ(certmgr_server_names(st, req, &out, &e), 0);
	CHECK(json_is_false(json_object_get(out, "changed")));
	json_decref(out);
	json_decref(req);
	req = json_pack("{s:[s,s]}", "names", "vpn2.example.com",
	    "198.51.100.7");
	CHECK_EQ(certmgr_server_names(st, req, &out, &e), 0);
	json_decref(req);
	CHECK(json_is_true(json_object_get(out, "changed")));
	CHECK(strcmp(jget(out, "serial"), oldser) != 0);
	store_cert_list(st, "server", count_cb, &after);
	CHECK_EQ(after, before + 1);
	/* the snapshot takes the new one; the old one is superseded */
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL && c->pki.server_cert_pem);
	if (c && c->pki.server_cert_pem) {
		char	 ser[64] = "";

		cert_serial_hex(c->pki.server_cert_pem, ser, sizeof(ser));
		CHECK_STR(ser, jget(out, "serial"));
		CHECK(strstr(c->pki.server_cert_pem, "BEGIN") != NULL);
		rg_config_unref(c);
	}
	json_decref(out);
	CHECK_EQ(certmgr_server_list(st, &list, &e), 0);
	CHECK_EQ(json_array_size(list), (size_t)after);
	json_array_foreach(list, i, v) {
		if (strcmp(jget(v, "serial"), oldser) == 0)
			CHECK_STR(jget(v, "status"), "superseded");
		if (i == 0)
			CHECK_STR(jget(v, "status"), "in use");
	}
	json_decref(list);
	/* a superseded server certificate is not on the CRL */
	CHECK_EQ(certmgr_crl_rebuild(st, &e), 0);
	CHECK_EQ(store_crl_latest(st, &crl, &n), 0);
	CHECK_EQ(certmgr_ca_show(st, &ca, &e), 0);
	CHECK_EQ(cert_verify_pem(jget(old, "pem"), jget(ca, "pem"), NULL, crl,
	    &e), 0);
	json_decref(ca);
	free(crl);
	/* roll back */
	CHECK_EQ(certmgr_server_use(st, "00BAD", &out, &e), STORE_ENOENT);
	CHECK_STR(e.field, "serial");
	CHECK_EQ(certmgr_server_use(st, oldser, &out, &e), 0);
	json_decref(out);
	c = store_config_load(st, err, sizeof(err));
	CHECK(c != NULL);
	if (c) {
		char	 ser[64] = "";

		cert_serial_hex(c->pki.server_cert_pem, ser, sizeof(ser));
		CHECK_STR(ser, oldser);
		CHECK_EQ(cert_verify_pem(c->pki.server_cert_pem,
		    c->pki.ca_pem, NULL, c->pki.crl_pem, &e), 0);
		rg_config_unref(c);
	}
	json_decref(old);
}

static void
cleanup(void)
{
	char	 cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

RG_TEST_MAIN("cert_mgr", FIXTURE(open_store), T(first_start), T(client_lifecycle),
    T(export), T(imports), T(crl_refresh), T(server_names), FIXTURE(cleanup))
