/*
 * test_cred.c: the credential module (server/auth/cred.c): the server key
 * parsed once per snapshot and shared by IKE signing and EAP-TLS;
 * cred_sign with RSA and ECDSA keys checked against the certificate's
 * public key; peer certificates: chain, CRL (revoked refused, a CRL that
 * does not parse refused: fail closed), the client EKU rule (RFC 5280
 * 4.2.1.12, RFC 4945 5.1.3.12), identity in the certificate, the user
 * record (DN identity -> CN, case-insensitive; disabled and deleted users
 * refused; over-long names refused, not cut); the same rules in a whole
 * EAP-TLS conversation (RFC 5216).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "cred.h"
#include "cred_pki.h"
#include "eap.h"
#include "eap_peer.h"
#include "rg_test.h"

static EVP_PKEY	*cak, *otherk;
static X509	*ca, *other;

/* A snapshot with our CA, a server certificate of key kind skind, users
 * alice (enabled) and dave (disabled), and crl (NULL: none). */
static struct rg_config *
cfg_new(const char *skind, char *crl)
{
	struct rg_config	*c = rg_config_new();
	EVP_PKEY		*sk = cp_key(skind);
	X509			*sc = cp_cert("vpn.test", "DNS:vpn.test",
				    "serverAuth", 2, sk, ca, cak);

	c->pki.ca_pem = cp_pem(ca, NULL);
	c->pki.server_cert_pem = cp_pem(sc, NULL);
	c->pki.server_key_pem = cp_pem(NULL, sk);
	c->pki.crl_pem = crl;
	cp_user(c, "alice", true);
	cp_user(c, "dave", false);
	X509_free(sc);
	EVP_PKEY_free(sk);
	return c;
}

static void
setup(void)
{
	cak = cp_key("P-256");
	ca = cp_cert("cred test CA", NULL, NULL, 1, cak, NULL, NULL);
	otherk = cp_key("P-256");
	other = cp_cert("other CA", NULL, NULL, 1, otherk, NULL, NULL);
	CHECK(ca != NULL && other != NULL);
}

static void
teardown(void)
{
	X509_free(ca);
	X509_free(other);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(otherk);
}

/* One snapshot, one parse of the key, whoever asks (IKE signing, the
 * EAP-TLS context, an EAP-TLS session); a new snapshot parses again. */
static void
load_once(void)
{
	struct rg_config	*c = cfg_new("P-256", NULL), *c2;
	unsigned long		 before = cred_key_parses();
	struct cred		*cr = cred_of(c);
	struct eap_session	*s;
	struct rg_buf		*req = NULL;
	uint8_t			 sig[200];
	size_t			 slen = sizeof(sig);

	CHECK(cr != NULL);
	CHECK(cred_of(c) == cr);
	CHECK(cred_has_key(cr));
	CHECK(cred_has_ca(cr));
	CHECK_EQ(cred_sign(cr, CRED_SHA256, (const uint8_t *)"x", 1, sig,
	    &slen), 0);
	CHECK(cred_tls_ctx(cr) != NULL);
	CHECK(cred_tls_ctx(cr) == cred_tls_ctx(cr));
	s = eap_session_new(c, "tls", NULL);
	CHECK(s != NULL);
	CHECK_EQ(eap_session_start(s, &req), 0);
	rg_buf_free(req);
	eap_session_free(s);
	CHECK_EQ(cred_key_parses() - before, 1);
	c2 = cfg_new("P-256", NULL);
	CHECK(cred_of(c2) != cr);
	CHECK_EQ(cred_key_parses() - before, 2);
	rg_config_unref(c2);
	rg_config_unref(c);
}

static bool
verifies(X509 *cert, const EVP_MD *md, const uint8_t *sig, size_t slen,
    const uint8_t *data, size_t len)
{
	EVP_MD_CTX	*m = EVP_MD_CTX_new();
	bool		 ok;

	ok = EVP_DigestVerifyInit(m, NULL, md, NULL, X509_get0_pubkey(cert)) >
	    0 && EVP_DigestVerify(m, sig, slen, data, len) == 1;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

static void
sign_case(const char *kind, enum cred_key type, int bits, enum cred_hash h,
    const EVP_MD *md)
{
	struct rg_config	*c = cfg_new(kind, NULL);
	struct cred		*cr = cred_of(c);
	static const uint8_t	 data[] = "signed octets (RFC 7296 2.15)";
	uint8_t			 sig[600];
	size_t			 slen = sizeof(sig), small = 8;

	CHECK_EQ(cred_key_type(cr), type);
	CHECK_EQ(cred_key_bits(cr), bits);
	CHECK_EQ(cred_sign(cr, h, data, sizeof(data), sig, &slen), 0);
	CHECK(verifies(cred_cert(cr, 0), md, sig, slen, data, sizeof(data)));
	/* Another message does not verify under that signature. */
	CHECK(!verifies(cred_cert(cr, 0), md, sig, slen, data,
	    sizeof(data) - 1));
	/* Too small an output buffer: refused, nothing written past it. */
	CHECK_EQ(cred_sign(cr, h, data, sizeof(data), sig, &small), -1);
	rg_config_unref(c);
}

static void
sign_rsa_ecdsa(void)
{
	sign_case("rsa", CRED_KEY_RSA, 2048, CRED_SHA1, EVP_sha1());
	sign_case("rsa", CRED_KEY_RSA, 2048, CRED_SHA256, EVP_sha256());
	sign_case("P-256", CRED_KEY_EC, 256, CRED_SHA256, EVP_sha256());
	sign_case("P-384", CRED_KEY_EC, 384, CRED_SHA384, EVP_sha384());
}

/* IKEv1 shape (RFC 2409 5.1): the bare hash, PKCS#1 v1.5 type 1 padded
 * for RSA (no DigestInfo: verify-recover gives the hash back). */
static void
sign_hash(void)
{
	static const char	*kinds[] = { "rsa", "P-256" };
	uint8_t			 h[20], sig[600], back[600];
	size_t			 slen, blen;

	memset(h, 0x5a, sizeof(h));
	for (size_t k = 0; k < 2; k++) {
		struct rg_config	*c = cfg_new(kinds[k], NULL);
		struct cred		*cr = cred_of(c);
		EVP_PKEY_CTX		*pc = EVP_PKEY_CTX_new(X509_get0_pubkey(
					    cred_cert(cr, 0)), NULL);

		slen = sizeof(sig);
		CHECK_EQ(cred_sign_hash(cr, h, sizeof(h), sig, &slen), 0);
		if (k == 0) {
			blen = sizeof(back);
			CHECK(EVP_PKEY_verify_recover_init(pc) > 0 &&
			    EVP_PKEY_verify_recover(pc, back, &blen, sig,
			    slen) > 0);
			CHECK_EQ(blen, sizeof(h));
			CHECK_MEM(back, h, sizeof(h));
		} else {
			CHECK(EVP_PKEY_verify_init(pc) > 0 &&
			    EVP_PKEY_verify(pc, sig, slen, h, sizeof(h)) == 1);
		}
		slen = 4;
		CHECK_EQ(cred_sign_hash(cr, h, sizeof(h), sig, &slen), -1);
		EVP_PKEY_CTX_free(pc);
		rg_config_unref(c);
	}
}

static void
no_key(void)
{
	struct rg_config	*c = rg_config_new();
	struct cred		*cr = cred_of(c);
	uint8_t			 sig[64];
	size_t			 slen = sizeof(sig);

	CHECK(cr != NULL);
	CHECK(!cred_has_key(cr));
	CHECK(!cred_has_ca(cr));
	CHECK(cred_ca_keyid(cr) == NULL);
	CHECK(cred_cert(cr, 0) == NULL);
	CHECK(cred_tls_ctx(cr) == NULL);
	CHECK_EQ(cred_sign(cr, CRED_SHA256, sig, 1, sig, &slen), -1);
	rg_config_unref(c);
}

/* cred_verify_peer on a fresh leaf; returns its result, user and why. */
static int
check_peer(struct rg_config *c, const char *cn, const char *san,
    const char *eku, long serial, X509 *issuer, EVP_PKEY *ikey,
    enum cred_use use, const struct cred_id *id, char *user, char *why)
{
	EVP_PKEY	*k = cp_key("P-256");
	X509		*x = cp_cert(cn, san, eku, serial, k, issuer, ikey);
	int		 rc;

	rc = cred_verify_peer(cred_of(c), x, NULL, use, id, user, why, 300);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static struct cred_id
rfc822(const char *s)
{
	struct cred_id	 id = { CRED_ID_RFC822, (const uint8_t *)s,
			    strlen(s) };

	return id;
}

static void
chain_and_crl(void)
{
	struct rg_config	*c = cfg_new("P-256", cp_crl(ca, cak, 66));
	struct cred_id		 id = rfc822("alice@example.com");
	char			 user[CRED_USER_MAX], why[300];

	/* Chains to our CA, not revoked, clientAuth, alice. */
	CHECK_EQ(check_peer(c, "alice", "email:alice@example.com",
	    "clientAuth", 65, ca, cak, CRED_USE_IKE, &id, user, why), 0);
	CHECK_STR(user, "alice");
	/* Serial 66 is on the CRL. */
	CHECK_EQ(check_peer(c, "alice", "email:alice@example.com",
	    "clientAuth", 66, ca, cak, CRED_USE_IKE, &id, user, why), -1);
	CHECK(strstr(why, "certificate revoked") != NULL);
	CHECK_STR(user, "");
	/* Another CA. */
	CHECK_EQ(check_peer(c, "alice", "email:alice@example.com",
	    "clientAuth", 65, other, otherk, CRED_USE_TLS, NULL, user, why),
	    -1);
	CHECK(strstr(why, "not trusted") != NULL);
	/* The identity is not in the certificate. */
	id = rfc822("bob@example.com");
	CHECK_EQ(check_peer(c, "alice", "email:alice@example.com",
	    "clientAuth", 65, ca, cak, CRED_USE_IKE, &id, user, why), -1);
	CHECK(strstr(why, "'bob@example.com' not in the certificate") != NULL);
	rg_config_unref(c);
}

/* RFC 5280 6.3: a CRL that cannot be read cannot say "not revoked". */
static void
crl_unparsable(void)
{
	static const char *bad[] = {
		"not a CRL at all\n",
		"-----BEGIN X509 CRL-----\nAAAAAAAA\n-----END X509 CRL-----\n",
	};
	char	 user[CRED_USER_MAX], why[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rg_config *c = cfg_new("P-256", strdup(bad[i]));

		CHECK_EQ(check_peer(c, "alice", NULL, "clientAuth", 65, ca,
		    cak, CRED_USE_TLS, NULL, user, why), -1);
		CHECK(strstr(why, "CRL does not parse") != NULL);
		rg_config_unref(c);
	}
}

static void
eku_rule(void)
{
	static const struct {
		const char	*eku;
		enum cred_use	 use;
		int		 want;
	} t[] = {
		{ NULL,				CRED_USE_IKE, 0 },
		{ NULL,				CRED_USE_TLS, 0 },
		{ "clientAuth",			CRED_USE_IKE, 0 },
		{ "clientAuth",			CRED_USE_TLS, 0 },
		{ "serverAuth,clientAuth",	CRED_USE_TLS, 0 },
		{ "anyExtendedKeyUsage",	CRED_USE_TLS, 0 },
		{ "ipsecIKE",			CRED_USE_IKE, 0 },
		{ "ipsecIKE",			CRED_USE_TLS, -1 },
		{ "serverAuth",			CRED_USE_IKE, -1 },
		{ "serverAuth",			CRED_USE_TLS, -1 },
		{ "emailProtection",		CRED_USE_IKE, -1 },
	};
	struct rg_config	*c = cfg_new("P-256", NULL);
	char			 user[CRED_USER_MAX], why[300];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int	 rc;

		rc = check_peer(c, "alice", NULL, t[i].eku, 70, ca, cak,
		    t[i].use, NULL, user, why);

		if (rc != t[i].want)
			printf("  EKU %s use %d: %d (%s)\n", t[i].eku ?
			    t[i].eku : "(none)", t[i].use, rc, why);
		CHECK_EQ(rc, t[i].want);
		if (rc < 0)
			CHECK(strstr(why, "extendedKeyUsage") != NULL);
	}
	rg_config_unref(c);
}

/* A DN of CN x, DER. */
static int
dn_of(const char *cn, uint8_t **der)
{
	X509_NAME	*n = X509_NAME_new();
	int		 len;

	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"roadgate test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_UTF8STRING,
	    (const unsigned char *)cn, -1, -1, 0);
	*der = NULL;
	len = i2d_X509_NAME(n, der);
	X509_NAME_free(n);
	return len;
}

/* Defect: every DN identity used to be the same "<ID type 9, N bytes>". */
static void
dn_to_user(void)
{
	struct rg_config	*c = cfg_new("P-256", NULL);
	char			 user[CRED_USER_MAX], why[300], text[200];
	char			 longcn[200];
	uint8_t			*der;
	struct cred_id		 id = { CRED_ID_DN, NULL, 0 };

	cp_user(c, "client-1", true);
	cp_user(c, "client-2", true);
	id.len = (size_t)dn_of("client-1", &der);
	id.data = der;
	CHECK_EQ(check_peer(c, "client-1", NULL, NULL, 80, ca, cak,
	    CRED_USE_IKE, &id, user, why), 0);
	CHECK_STR(user, "client-1");
	CHECK_EQ(cred_id_text(&id, text, sizeof(text)), 0);
	CHECK_STR(text, "CN=client-1,O=roadgate test");
	OPENSSL_free(der);
	id.len = (size_t)dn_of("client-2", &der);
	id.data = der;
	CHECK_EQ(check_peer(c, "client-2", NULL, NULL, 81, ca, cak,
	    CRED_USE_IKE, &id, user, why), 0);
	CHECK_STR(user, "client-2");
	/* The DN must be the certificate's. */
	CHECK_EQ(check_peer(c, "client-1", NULL, NULL, 82, ca, cak,
	    CRED_USE_IKE, &id, user, why), -1);
	OPENSSL_free(der);
	/* CN "ALICE": the user alice (case-insensitive). */
	id.len = (size_t)dn_of("ALICE", &der);
	id.data = der;
	CHECK_EQ(check_peer(c, "ALICE", NULL, NULL, 83, ca, cak,
	    CRED_USE_IKE, &id, user, why), 0);
	CHECK_STR(user, "alice");
	OPENSSL_free(der);
	/* A CN too long for a user name: refused, not cut to a prefix
	 * that happens to be a user. */
	memset(longcn, 'a', sizeof(longcn) - 1);
	longcn[sizeof(longcn) - 1] = '\0';
	memcpy(longcn, "alice", 5);
	longcn[CRED_USER_MAX - 1] = '\0';	/* a user: the first 127 */
	cp_user(c, longcn, true);
	longcn[CRED_USER_MAX - 1] = 'a';
	id.len = (size_t)dn_of(longcn, &der);
	id.data = der;
	CHECK_EQ(check_peer(c, longcn, NULL, NULL, 84, ca, cak, CRED_USE_IKE,
	    &id, user, why), -1);
	CHECK_STR(user, "");
	CHECK(strstr(why, "CN") != NULL);
	/* Its text does not fit 128 bytes either: -1, not cut. */
	CHECK_EQ(cred_id_text(&id, text, 128), -1);
	CHECK_STR(text, "");
	OPENSSL_free(der);
	rg_config_unref(c);
}

static void
id_text_bounds(void)
{
	char			 fqdn[300], out[128];
	struct cred_id		 id = { CRED_ID_FQDN, NULL, 0 };
	static const uint8_t	 v4[4] = { 192, 0, 2, 7 };

	memset(fqdn, 'h', sizeof(fqdn));
	id.data = (const uint8_t *)fqdn;
	id.len = sizeof(out) - 1;
	CHECK_EQ(cred_id_text(&id, out, sizeof(out)), 0);
	CHECK_EQ(strlen(out), sizeof(out) - 1);
	id.len = sizeof(out);
	CHECK_EQ(cred_id_text(&id, out, sizeof(out)), -1);
	CHECK_STR(out, "");
	id.type = CRED_ID_IPV4;
	id.data = v4;
	id.len = 4;
	CHECK_EQ(cred_id_text(&id, out, sizeof(out)), 0);
	CHECK_STR(out, "192.0.2.7");
	id.len = 5;
	CHECK_EQ(cred_id_text(&id, out, sizeof(out)), -1);
}

/* Defect: certificate logins never looked at the user record. */
static void
disabled_and_deleted(void)
{
	struct rg_config	*c = cfg_new("P-256", NULL);
	struct cred_id		 id = rfc822("dave@example.com");
	char			 user[CRED_USER_MAX], why[300];

	/* CN dave (disabled) behind an e-mail identity with no record. */
	CHECK_EQ(check_peer(c, "dave", "email:dave@example.com", "clientAuth",
	    90, ca, cak, CRED_USE_IKE, &id, user, why), -1);
	CHECK(strstr(why, "user dave: account disabled") != NULL);
	CHECK_EQ(check_peer(c, "dave", "email:dave@example.com", "clientAuth",
	    90, ca, cak, CRED_USE_TLS, NULL, user, why), -1);
	CHECK(strstr(why, "account disabled") != NULL);
	/* No record at all (a deleted user). */
	id = rfc822("erin@example.com");
	CHECK_EQ(check_peer(c, "erin", "email:erin@example.com", "clientAuth",
	    91, ca, cak, CRED_USE_IKE, &id, user, why), -1);
	CHECK(strstr(why, "no user erin@example.com or erin") != NULL);
	/* Our CA's shape: CN = user, e-mail SAN as identity. */
	id = rfc822("alice@example.com");
	CHECK_EQ(check_peer(c, "alice", "email:alice@example.com",
	    "clientAuth", 92, ca, cak, CRED_USE_IKE, &id, user, why), 0);
	CHECK_STR(user, "alice");
	rg_config_unref(c);
}

/* ---- the same rules in whole EAP-TLS conversations ---- */

static enum eap_result
tls_run(struct rg_config *c, const char *cn, const char *san,
    const char *eku, long serial, struct eap_session **sp)
{
	struct eap_session	*s = eap_session_new(c, "tls", NULL);
	EVP_PKEY		*k = cp_key("P-256");
	X509			*x = cp_cert(cn, san, eku, serial, k, ca,
				    cak);
	SSL_CTX			*ctx = test_tls_client_ctx(ca, x, k);
	struct eap_peer		*p = eap_peer_tls(cn, ctx);
	struct rg_buf		*req = NULL, *rsp = NULL;
	enum eap_result		 res = EAP_CONTINUE;

	CHECK_EQ(eap_session_start(s, &req), 0);
	for (int i = 0; req != NULL && i < 100; i++) {
		if (eap_peer_process(p, req->data, req->len, &rsp) !=
		    PEER_RESPONSE)
			break;
		rg_buf_free(req);
		req = NULL;
		res = eap_session_process(s, rsp->data, rsp->len, &req);
		rg_buf_free(rsp);
		rsp = NULL;
		if (res != EAP_CONTINUE)
			break;
	}
	rg_buf_free(req);
	rg_buf_free(rsp);
	eap_peer_free(p);
	SSL_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(k);
	*sp = s;
	return res;
}

static void
eap_tls_rules(void)
{
	struct rg_config	*c = cfg_new("P-256", cp_crl(ca, cak, 99));
	struct eap_session	*s;

	CHECK_EQ(tls_run(c, "alice", NULL, "clientAuth", 95, &s),
	    EAP_SUCCESS);
	CHECK_STR(eap_session_user(s), "alice");
	eap_session_free(s);
	/* serverAuth only: refused in the handshake. */
	CHECK_EQ(tls_run(c, "alice", NULL, "serverAuth", 96, &s),
	    EAP_FAILURE);
	CHECK(eap_session_error(s) && strstr(eap_session_error(s),
	    "unsuitable certificate purpose") != NULL);
	eap_session_free(s);
	/* Disabled and deleted users. */
	CHECK_EQ(tls_run(c, "dave", NULL, "clientAuth", 97, &s), EAP_FAILURE);
	CHECK(eap_session_error(s) && strstr(eap_session_error(s),
	    "user dave: account disabled") != NULL);
	CHECK(eap_session_msk(s) == NULL);
	eap_session_free(s);
	CHECK_EQ(tls_run(c, "erin", "email:erin@example.com", "clientAuth",
	    98, &s), EAP_FAILURE);
	CHECK(eap_session_error(s) && strstr(eap_session_error(s),
	    "no user erin@example.com or erin") != NULL);
	eap_session_free(s);
	/* Revoked. */
	CHECK_EQ(tls_run(c, "alice", NULL, "clientAuth", 99, &s), EAP_FAILURE);
	CHECK(eap_session_error(s) && strstr(eap_session_error(s),
	    "certificate revoked") != NULL);
	eap_session_free(s);
	rg_config_unref(c);
	/* A CRL that does not parse: refused (it already was, by another
	 * path; now by the same one as IKE). */
	c = cfg_new("P-256", strdup("-----BEGIN X509 CRL-----\nAAAA\n"
	    "-----END X509 CRL-----\n"));
	CHECK_EQ(tls_run(c, "alice", NULL, "clientAuth", 95, &s),
	    EAP_FAILURE);
	CHECK(eap_session_error(s) && strstr(eap_session_error(s), "CRL") !=
	    NULL);
	eap_session_free(s);
	rg_config_unref(c);
}

RG_TEST_MAIN("cred", FIXTURE(setup), T(load_once), T(sign_rsa_ecdsa),
    T(sign_hash), T(no_key),
    T(chain_and_crl), T(crl_unparsable), T(eku_rule), T(dn_to_user),
    T(id_text_bounds), T(disabled_and_deleted), T(eap_tls_rules),
    FIXTURE(teardown))
