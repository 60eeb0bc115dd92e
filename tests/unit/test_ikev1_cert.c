/*
 * test_ikev1_cert.c: the IKEv1 responder with certificates: main mode with
 * RSA and ECDSA signatures, XAuth after RSA, revoked and foreign client
 * certificates, hybrid XAuth (our signature, the client's password) and
 * IKE fragmentation both ways.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "auth_test_backend.h"
#include "cred_pki.h"
#include "ikev1.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "ikev1_test_lib.h"
#include "pool/pool.h"
#include "rg_loop.h"
#include "rg_test.h"
#include "sess.h"
#include "store.h"

/* A CA, our certificate with a key of kind ("rsa", "P-256"), and a
 * client certificate for alice (serial 3) with a key of the same kind. */
struct pki {
	EVP_PKEY	*cak, *ck;
	X509		*ca, *client;
};

static struct rg_config *
config_pki_kind(const char *kind, struct pki *k, long revoked)
{
	struct rg_config	*c = config();
	EVP_PKEY		*cak = cp_key("rsa"), *sk = cp_key(kind);
	X509			*ca, *sc;

	ca = cp_cert("roadgate test CA", NULL, NULL, 1, cak, NULL, NULL);
	sc = cp_cert("vpn.example.com", "DNS:vpn.example.com", "serverAuth",
	    2, sk, ca, cak);
	c->pki.ca_pem = cp_pem(ca, NULL);
	c->pki.server_cert_pem = cp_pem(sc, NULL);
	c->pki.server_key_pem = cp_pem(NULL, sk);
	if (revoked > 0)
		c->pki.crl_pem = cp_crl(ca, cak, revoked);
	if (k != NULL) {
		k->ck = cp_key(kind);
		k->client = cp_cert("alice", "email:alice@example.com",
		    "clientAuth", 3, k->ck, ca, cak);
		k->ca = ca;
		k->cak = cak;
	} else {
		X509_free(ca);
		EVP_PKEY_free(cak);
	}
	X509_free(sc);
	EVP_PKEY_free(sk);
	return c;
}

static struct rg_config *
config_pki(void)
{
	return config_pki_kind("rsa", NULL, 0);
}

static void
pki_free(struct pki *k)
{
	X509_free(k->ca);
	X509_free(k->client);
	EVP_PKEY_free(k->cak);
	EVP_PKEY_free(k->ck);
}

/*
 * Main mode with certificates both ways: we ask for the client's
 * (CERTREQ), verify it against the CA and its IDii (the subject DN,
 * CN alice), the user record alice names the session; our chain and
 * SIG_R go back.  kind: the keys; auth: the method.
 */
static void
sig_up(const char *kind, uint16_t auth, const char *method)
{
	struct pki		 k = { 0 };
	struct ikev1_engine	*e = engine(config_pki_kind(kind, &k, 0));
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	json_t			*s;

	c.auth = auth;
	c.cert = k.client;
	c.key = k.ck;
	c.psk = "not-the-psk";
	if (auth != IKEV1_AUTH_XAUTH_INIT_RSA)
		c.user = NULL;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK(ikev1_ini_seen(ini)->certreq);
	CHECK_EQ(ikev1_ini_seen(ini)->certreq_ca_len,
	    (size_t)i2d_X509_NAME(X509_get_subject_name(k.ca), NULL));
	CHECK(ikev1_ini_seen(ini)->sig_ok);
	CHECK_EQ(ikev1_ini_seen(ini)->idr_type, IKEV1_ID_DER_ASN1_DN);
	s = first_session();
	CHECK_STR(json_string_value(json_object_get(s, "user")), "alice");
	CHECK_STR(json_string_value(json_object_get(s, "method")), method);
	json_decref(s);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	pki_free(&k);
	q_clear();
}

static void
test_rsa_sig_up(void)
{
	sig_up("rsa", IKEV1_AUTH_RSA_SIG, "ikev1-rsa");
}

static void
test_xauth_rsa_up(void)
{
	sig_up("rsa", IKEV1_AUTH_XAUTH_INIT_RSA, "ikev1-xauth-rsa");
}

static void
test_ecdsa256_up(void)
{
	sig_up("P-256", IKEV1_AUTH_ECDSA_256, "ikev1-ecdsa");
}

/*
 * IKEv1 fragmentation (the FRAGMENTATION vendor ID): the client's
 * message 5 with its certificate comes in two pieces, our message 6
 * with ours goes out in pieces of at most 1024 bytes.
 */
static void
test_frag_both_ways(void)
{
	struct pki		 k = { 0 };
	struct ikev1_engine	*e = engine(config_pki_kind("rsa", &k, 0));
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.auth = IKEV1_AUTH_RSA_SIG;
	c.user = NULL;
	c.cert = k.client;
	c.key = k.ck;
	c.frag = true;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK(ikev1_ini_seen(ini)->sig_ok);
	CHECK(ikev1_ini_seen(ini)->frags_rx >= 2);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	pki_free(&k);
	q_clear();
}

/* A revoked client certificate (the CRL) and one of another CA fail in
 * main mode: no session. */
static void
test_sig_revoked_and_foreign(void)
{
	struct pki		 k = { 0 }, other = { 0 };
	struct ikev1_engine	*e = engine(config_pki_kind("rsa", &k, 3));
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	json_t			*l;

	c.auth = IKEV1_AUTH_RSA_SIG;
	c.user = NULL;
	c.cert = k.client;
	c.key = k.ck;
	ini = connect_with(e, &c);
	CHECK(ikev1_ini_state(ini) != INI_UP);
	CHECK_EQ(counter(e, "auth_fail"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	rg_config_unref(config_pki_kind("rsa", &other, 0));
	e = engine(config_pki_kind("rsa", NULL, 0));
	c.cert = other.client;
	c.key = other.ck;
	ini = connect_with(e, &c);
	CHECK(ikev1_ini_state(ini) != INI_UP);
	CHECK_EQ(counter(e, "auth_fail"), 1);
	l = sess_list_json(reg);
	CHECK_EQ(json_array_size(l), 0);
	json_decref(l);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	pki_free(&k);
	pki_free(&other);
	q_clear();
}

/*
 * Hybrid (iOS "[hybrid]", Android "IPSec Hybrid RSA"): no PSK, our
 * certificate and SIG_R in message 6 (IDir our DN), then XAuth names
 * the user.
 */
static void
test_hybrid_xauth_up(void)
{
	struct ikev1_engine	*e = engine(config_pki());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;
	json_t			*s;

	c.auth = IKEV1_AUTH_HYBRID_INIT_RSA;
	c.psk = "not-the-psk";
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_UP);
	CHECK(ikev1_ini_seen(ini)->sig_ok);
	CHECK(ikev1_ini_seen(ini)->ncert >= 1);
	CHECK_EQ(ikev1_ini_seen(ini)->idr_type, IKEV1_ID_DER_ASN1_DN);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 1);
	s = first_session();
	CHECK_STR(json_string_value(json_object_get(s, "user")), "alice");
	CHECK_STR(json_string_value(json_object_get(s, "method")),
	    "ikev1-hybrid-rsa");
	json_decref(s);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* Hybrid with a wrong password ends in XAuth like any other. */
static void
test_hybrid_wrong_password(void)
{
	struct ikev1_engine	*e = engine(config_pki());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.auth = IKEV1_AUTH_HYBRID_INIT_RSA;
	c.pass = "wrong";
	ini = connect_with(e, &c);
	CHECK(ikev1_ini_seen(ini)->sig_ok);
	CHECK(ikev1_ini_state(ini) != INI_UP);
	CHECK_EQ(ikev1_ini_seen(ini)->xauth_status, 0);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

/* Without a server key and certificate, hybrid is no proposal. */
static void
test_hybrid_needs_key(void)
{
	struct ikev1_engine	*e = engine(config());
	struct ikev1_ini_conf	 c = base;
	struct ikev1_ini	*ini;

	c.auth = IKEV1_AUTH_HYBRID_INIT_RSA;
	ini = connect_with(e, &c);
	CHECK_EQ(ikev1_ini_state(ini), INI_MM1);
	CHECK_EQ(counter(e, "no_proposal"), 1);
	ikev1_ini_free(ini);
	ikev1_engine_free(e);
	q_clear();
}

RG_TEST_MAIN("ikev1_cert",
	T(test_hybrid_xauth_up),
	T(test_hybrid_wrong_password),
	T(test_hybrid_needs_key),
	T(test_rsa_sig_up),
	T(test_xauth_rsa_up),
	T(test_ecdsa256_up),
	T(test_sig_revoked_and_foreign),
	T(test_frag_both_ways),
	FIXTURE(ikev1_test_done))
