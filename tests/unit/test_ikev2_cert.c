/*
 * test_ikev2_cert.c: certificate AUTH (RFC 7296 2.15, 3.6-3.8) through
 * the whole in-memory exchange, for the rules of the credential module
 * (server/auth/cred.h): the initiator sends its subject DN as IDi
 * (ID_DER_ASN1_DN, as clients do with a CN-only certificate) and a CERT
 * payload.
 *   HDR, SAi1, KEi, Ni -->  <-- HDR, SAr1, KEr, Nr, CERTREQ
 *   HDR, SK {IDi, CERT, AUTH, SAi2, TSi, TSr} -->
 *   <-- HDR, SK {IDr, CERT, AUTH, SAr2, TSi, TSr}  or  N(AUTHENTICATION_FAILED)
 * Cases: each DN maps to its own user by CN; disabled and deleted users
 * refused; a serverAuth-only certificate refused as a client; a CRL that
 * does not parse refuses every certificate (fail closed); each refusal
 * logged with its reason; an over-long IDi refused, not cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cred_pki.h"
#include "ikev2.h"
#include "ikev2_fixture.h"
#include "ikev2_msg.h"
#include "rg_log.h"
#include "rg_test.h"

static EVP_PKEY	*cak;
static X509	*ca;
static char	 logged[8192];

static void
log_hook(enum rg_topic t, enum rg_level l, const char *msg, void *arg)
{
	size_t	 n = strlen(logged);

	(void)t; (void)l; (void)arg;
	if (n < sizeof(logged) - 2)
		snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static void
setup(void)
{
	cak = cp_key("P-256");
	ca = cp_cert("ikev2 cert test CA", NULL, NULL, 1, cak, NULL, NULL);
	CHECK(ca != NULL);
	rg_log_set_hook(log_hook, NULL);
}

/* The fixture's snapshot with our CA and a server certificate; users
 * client-1, client-2 (enabled) and dave (disabled); crl may be NULL. */
static struct ikev2_engine *
engine(char *crl)
{
	struct rg_config	*c = fx_config("modern");
	EVP_PKEY		*sk = cp_key("P-256");
	X509			*sc = cp_cert("vpn.test", "DNS:vpn.test",
				    "serverAuth", 2, sk, ca, cak);

	c->pki.ca_pem = cp_pem(ca, NULL);
	c->pki.server_cert_pem = cp_pem(sc, NULL);
	c->pki.server_key_pem = cp_pem(NULL, sk);
	c->pki.crl_pem = crl;
	cp_user(c, "client-1", true);
	cp_user(c, "client-2", true);
	cp_user(c, "dave", false);
	X509_free(sc);
	EVP_PKEY_free(sk);
	return fx_engine(c);
}

/* A client with a fresh P-256 key and a certificate CN cn, EKU eku,
 * driven as far as it gets. */
static struct ikev2_ini *
connect_cert(struct ikev2_engine *e, const char *cn, const char *eku,
    long serial)
{
	EVP_PKEY	*k = cp_key("P-256");
	X509		*x = cp_cert(cn, NULL, eku, serial, k, ca, cak);
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 n;
	int		 rounds = 0;

	ikev2_ini_set_signer(i, k, x, IKEV2_AUTH_ECDSA_256);
	n = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (n = fx_rt(e, i, a, n, b, sizeof(b))) > 0)
		memcpy(a, b, (size_t)n);
	X509_free(x);
	EVP_PKEY_free(k);
	return i;
}

/* The user of each established session, in order, comma-separated. */
static void
session_users(struct ikev2_engine *e, char *out, size_t len)
{
	json_t	*st = ikev2_engine_status_json(e);
	json_t	*ss = json_object_get(st, "sessions");
	size_t	 n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(ss); i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? "," : "",
		    json_string_value(json_object_get(json_array_get(ss, i),
		    "user")));
	json_decref(st);
}

static void
refused(struct ikev2_ini *i, const char *why)
{
	CHECK_EQ(ikev2_ini_state(i), INI_FAILED);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_AUTHENTICATION_FAILED);
	if (strstr(logged, why) == NULL)
		printf("  log lacks \"%s\":\n%s", why, logged);
	CHECK(strstr(logged, why) != NULL);
}

/* Two CN-only certificates: two users, not one "<ID type 9 ...>". */
static void
dn_identity_users(void)
{
	struct ikev2_engine	*e = engine(NULL);
	struct ikev2_ini	*i1, *i2;
	char			 users[256];

	i1 = connect_cert(e, "client-1", "clientAuth", 10);
	i2 = connect_cert(e, "client-2", NULL, 11);
	CHECK_EQ(ikev2_ini_state(i1), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_state(i2), INI_ESTABLISHED);
	session_users(e, users, sizeof(users));
	CHECK(strstr(users, "client-1") != NULL);
	CHECK(strstr(users, "client-2") != NULL);
	CHECK(strstr(users, "ID type") == NULL);
	ikev2_ini_free(i1);
	ikev2_ini_free(i2);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
disabled_and_deleted_users(void)
{
	struct ikev2_engine	*e = engine(NULL);
	struct ikev2_ini	*i;

	logged[0] = '\0';
	i = connect_cert(e, "dave", "clientAuth", 20);
	refused(i, "user dave: account disabled");
	ikev2_ini_free(i);
	logged[0] = '\0';
	i = connect_cert(e, "erin", "clientAuth", 21);
	refused(i, "no user erin");
	CHECK_EQ(fx_leases_out, 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
server_auth_only_refused(void)
{
	struct ikev2_engine	*e = engine(NULL);
	struct ikev2_ini	*i;

	logged[0] = '\0';
	i = connect_cert(e, "client-1", "serverAuth", 30);
	refused(i, "does not allow client authentication");
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
revoked_and_bad_crl(void)
{
	struct ikev2_engine	*e = engine(cp_crl(ca, cak, 40));
	struct ikev2_ini	*i;

	logged[0] = '\0';
	i = connect_cert(e, "client-1", "clientAuth", 40);
	refused(i, "certificate revoked");
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
	/* A CRL that does not parse: refused, not "no revocation". */
	logged[0] = '\0';
	e = engine(strdup("-----BEGIN X509 CRL-----\nAAAA\n"
	    "-----END X509 CRL-----\n"));
	CHECK(strstr(logged, "CRL does not parse") != NULL);
	i = connect_cert(e, "client-1", "clientAuth", 41);
	refused(i, "CRL does not parse");
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* An IDi longer than our 127-byte identity text: refused and logged, not
 * cut (a cut IDi could name another PSK identity or user). */
static void
long_idi_refused(void)
{
	struct ikev2_engine	*e = engine(NULL);
	struct ikev2_ini_conf	 conf = fx_gcm;
	struct ikev2_ini	*i;
	char			 id[181];

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memcpy(id + sizeof(id) - 13, "@example.com", 12);
	conf.id = id;
	logged[0] = '\0';
	i = fx_connect(e, &conf);
	refused(i, "IDi too long");
	CHECK_EQ(fx_leases_out, 0);
	ikev2_ini_free(i);
	/* One byte shorter than the buffer: accepted as before. */
	memmove(id, id + sizeof(id) - 128, 128);
	CHECK_EQ(strlen(id), 127);
	conf.id = id;
	i = fx_connect(e, &conf);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
cleanup(void)
{
	rg_log_set_hook(NULL, NULL);
	X509_free(ca);
	EVP_PKEY_free(cak);
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_cert", FIXTURE(setup), T(dn_identity_users),
    T(disabled_and_deleted_users), T(server_auth_only_refused),
    T(revoked_and_bad_crl), T(long_idi_refused), FIXTURE(cleanup))
