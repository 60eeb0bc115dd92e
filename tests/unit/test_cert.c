/*
 * test_cert.c: certs/ library: CA create/import, server and client
 * certificates (the fields each client OS checks, PRODUCT.md facts 2, 7,
 * 10), CRLs (RFC 5280 5), keys at rest, PKCS#12 exports, JSON info.
 * Verification uses OpenSSL's X509_verify_cert (tests/integration/
 * cert_openssl.sh checks the same with the openssl command line).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"
#include "rg_test.h"

static struct cert_pair	 ca_ec;		/* made once, used by most cases */

static void
need_ca(void)
{
	struct cert_ca_params	 p = { .key = CERT_KEYSPEC_DEFAULT,
				       .years = 5, .cn = "Test CA",
				       .org = "roadgate" };
	struct cert_err		 e;

	if (ca_ec.cert_pem == NULL && cert_ca_create(&p, &ca_ec, &e) == -1)
		printf("  ca create: %s: %s\n", e.field, e.why);
}

static bool
json_has(json_t *arr, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static X509 *
load(const char *pem)
{
	return cert_x509_load(pem, "cert", NULL);
}

/* Critical flag of extension nid, or -1 when absent. */
static int
ext_critical(X509 *x, int nid)
{
	int	 i = X509_get_ext_by_NID(x, nid, -1);

	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static void
ca_create_ec(void)
{
	struct cert_err	 e;
	X509		*x;
	json_t		*j;

	need_ca();
	CHECK(ca_ec.cert_pem != NULL && ca_ec.key_pem != NULL);
	CHECK_EQ(strlen(ca_ec.serial), 32);	/* 128-bit serial */
	x = load(ca_ec.cert_pem);
	CHECK(x != NULL);
	if (x == NULL)
		return;
	/* RFC 5280 4.2.1.9 / 4.2.1.3: CA:TRUE and keyUsage, both critical. */
	CHECK_EQ(X509_check_ca(x), 1);
	CHECK_EQ(ext_critical(x, NID_basic_constraints), 1);
	CHECK_EQ(ext_critical(x, NID_key_usage), 1);
	CHECK_EQ(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	CHECK(X509_get0_subject_key_id(x) != NULL);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x),
		    NULL);

		CHECK(bn != NULL && !BN_is_negative(bn));
		CHECK_EQ(BN_num_bits(bn), 127);	/* 128-bit, top bit 0 */
		BN_free(bn);
	}
	X509_free(x);
	CHECK_EQ(cert_verify_pem(ca_ec.cert_pem, ca_ec.cert_pem, NULL, NULL,
	    &e), 0);
	j = cert_info_json(ca_ec.cert_pem, &e);
	CHECK(j != NULL);
	CHECK(json_is_true(json_object_get(j, "is_ca")));
	CHECK_STR(json_string_value(json_object_get(j, "key_type")),
	    "ecdsa-p256");
	CHECK_STR(json_string_value(json_object_get(j, "subject")),
	    "CN=Test CA,O=roadgate");
	json_decref(j);
}

static void
ca_create_rsa(void)
{
	struct cert_ca_params	 p = { .years = 1, .cn = "RSA CA" };
	struct cert_pair	 ca;
	struct cert_err		 e;
	json_t			*j;

	CHECK_EQ(cert_keyspec_parse("rsa2048", &p.key, &e), 0);
	CHECK_EQ(cert_ca_create(&p, &ca, &e), 0);
	j = cert_info_json(ca.cert_pem, &e);
	CHECK_STR(json_string_value(json_object_get(j, "key_type")),
	    "rsa2048");
	json_decref(j);
	cert_pair_clear(&ca);
	p.years = 99;
	CHECK_EQ(cert_ca_create(&p, &ca, &e), -1);
	CHECK_STR(e.field, "years");
}

static void
keyspec_errors(void)
{
	struct cert_keyspec	 ks;
	struct cert_err		 e;

	CHECK_EQ(cert_keyspec_parse(NULL, &ks, &e), 0);
	CHECK_EQ(ks.alg, CERT_KEY_EC);
	CHECK_EQ(cert_keyspec_parse("rsa4096", &ks, &e), 0);
	CHECK_EQ(ks.bits, 4096);
	CHECK_EQ(cert_keyspec_parse("rsa1024", &ks, &e), -1);
	CHECK_STR(e.field, "bits");
	CHECK_EQ(cert_keyspec_parse("dsa", &ks, &e), -1);
	CHECK_STR(e.field, "key_type");
	ks.alg = CERT_KEY_RSA;
	ks.bits = 1024;
	CHECK(cert_key_generate(&ks, &e) == NULL);
	CHECK_STR(e.field, "bits");
}

static void
server_cert_fields(void)
{
	const char *const	 names[] = { "vpn.example.com", "192.0.2.1",
				    "2001:db8::1" };
	struct cert_server_params p = { .names = names, .nnames = 3,
				    .key = CERT_KEYSPEC_DEFAULT,
				    .crl_url = "http://vpn.example.com/crl" };
	struct cert_pair	 s;
	struct cert_ca		 ca;
	struct cert_err		 e;
	json_t			*j, *san, *eku;
	X509			*x;

	need_ca();
	CHECK_EQ(cert_ca_load(&ca, ca_ec.cert_pem, ca_ec.key_pem, NULL, NULL,
	    &e), 0);
	CHECK_EQ(cert_server_issue(&ca, &p, &s, &e), 0);
	CHECK_EQ(cert_verify_pem(s.cert_pem, ca_ec.cert_pem, NULL, NULL, &e),
	    0);
	CHECK_EQ(cert_key_match_pem(s.cert_pem, s.key_pem, NULL, &e), 0);
	j = cert_info_json(s.cert_pem, &e);
	CHECK_STR(json_string_value(json_object_get(j, "subject")),
	    "CN=vpn.example.com");
	san = json_object_get(j, "san");
	eku = json_object_get(j, "eku");
	/* PRODUCT.md fact 2: serverAuth, IKE intermediate, IP as DNS too. */
	CHECK(json_has(eku, "serverAuth"));
	CHECK(json_has(eku, CERT_OID_IKE_INTERMEDIATE));
	CHECK(json_has(san, "DNS:vpn.example.com"));
	CHECK(json_has(san, "IP:192.0.2.1"));
	CHECK(json_has(san, "DNS:192.0.2.1"));
	CHECK(json_has(san, "IP:2001:db8::1"));
	CHECK(json_has(san, "DNS:2001:db8::1"));
	CHECK(!json_is_true(json_object_get(j, "is_ca")));
	json_decref(j);
	x = load(s.cert_pem);
	CHECK_EQ(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	CHECK(X509_get0_authority_key_id(x) != NULL);
	CHECK(X509_get0_subject_key_id(x) != NULL);
	CHECK(ext_critical(x, NID_crl_distribution_points) == 0);
	CHECK_EQ(X509_check_host(x, "vpn.example.com", 0, 0, NULL), 1);
	CHECK_EQ(X509_check_ip_asc(x, "192.0.2.1", 0), 1);
	X509_free(x);
	cert_pair_clear(&s);

	/* RSA: keyEncipherment too. */
	CHECK_EQ(cert_keyspec_parse("rsa2048", &p.key, &e), 0);
	p.crl_url = NULL;
	CHECK_EQ(cert_server_issue(&ca, &p, &s, &e), 0);
	x = load(s.cert_pem);
	CHECK_EQ(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	CHECK_EQ(ext_critical(x, NID_crl_distribution_points), -1);
	X509_free(x);
	cert_pair_clear(&s);

	/* bad input names its field */
	{
		const char *const bad[] = { "vpn,example.com" };

		p.names = bad;
		p.nnames = 1;
		CHECK_EQ(cert_server_issue(&ca, &p, &s, &e), -1);
		CHECK_STR(e.field, "names");
		p.nnames = 0;
		CHECK_EQ(cert_server_issue(&ca, &p, &s, &e), -1);
		CHECK_STR(e.field, "names");
	}
	p.names = names;
	p.nnames = 1;
	p.key.bits = 1024;
	CHECK_EQ(cert_server_issue(&ca, &p, &s, &e), -1);
	CHECK_STR(e.field, "bits");
	cert_ca_clear(&ca);
}

static void
client_cert_fields(void)
{
	struct cert_client_params p = { .user = "alice",
				    .san_email = "alice@example.com",
				    .key = CERT_KEYSPEC_DEFAULT, .days = 30 };
	struct cert_pair	 c;
	struct cert_ca		 ca;
	struct cert_err		 e;
	json_t			*j;
	X509			*x;

	need_ca();
	CHECK_EQ(cert_ca_load(&ca, ca_ec.cert_pem, ca_ec.key_pem, NULL, NULL,
	    &e), 0);
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), 0);
	CHECK_EQ(cert_verify_pem(c.cert_pem, ca_ec.cert_pem, NULL, NULL, &e),
	    0);
	j = cert_info_json(c.cert_pem, &e);
	CHECK_STR(json_string_value(json_object_get(j, "subject")),
	    "CN=alice");
	CHECK(json_has(json_object_get(j, "eku"), "clientAuth"));
	CHECK(!json_has(json_object_get(j, "eku"), "serverAuth"));
	CHECK(json_has(json_object_get(j, "san"), "email:alice@example.com"));
	json_decref(j);
	x = load(c.cert_pem);
	CHECK_EQ(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	CHECK_EQ(X509_check_email(x, "alice@example.com", 0, 0), 1);
	CHECK_EQ(X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 0), 1);
	X509_free(x);
	cert_pair_clear(&c);

	p.san_email = NULL;
	p.san_dns = "alice.example.com";
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), 0);
	j = cert_info_json(c.cert_pem, &e);
	CHECK(json_has(json_object_get(j, "san"), "DNS:alice.example.com"));
	json_decref(j);
	cert_pair_clear(&c);

	p.san_dns = NULL;
	p.san_email = "not-an-address";
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), -1);
	CHECK_STR(e.field, "san_email");
	p.san_email = NULL;
	p.user = "";
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), -1);
	CHECK_STR(e.field, "user");
	p.user = "bob";
	p.days = 99999;
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), -1);
	CHECK_STR(e.field, "days");
	cert_ca_clear(&ca);
}

static void
crl_revokes(void)
{
	struct cert_client_params p = { .user = "carol",
				    .key = CERT_KEYSPEC_DEFAULT };
	struct cert_pair	 c1, c2;
	struct cert_revoked	 r;
	struct cert_ca		 ca;
	struct cert_err		 e;
	char			*crl1 = NULL, *crl2 = NULL;
	uint64_t		 n1 = 0, n2 = 0;
	time_t			 next = 0;
	X509_CRL		*crl;
	X509_REVOKED		*rv = NULL;
	ASN1_INTEGER		*serial;
	BIO			*b;
	int			 reason;

	need_ca();
	CHECK_EQ(cert_ca_load(&ca, ca_ec.cert_pem, ca_ec.key_pem, NULL, NULL,
	    &e), 0);
	CHECK_EQ(cert_client_issue(&ca, &p, &c1, &e), 0);
	p.user = "dave";
	CHECK_EQ(cert_client_issue(&ca, &p, &c2, &e), 0);
	CHECK_EQ(cert_reason_parse("keyCompromise", &reason, &e), 0);
	CHECK_EQ(cert_reason_parse("bogus", &reason, &e), -1);
	CHECK_STR(e.field, "reason");
	CHECK_EQ(cert_reason_parse("superseded", &reason, &e), 0);
	r.serial = c1.serial;
	r.when = time(NULL);
	r.reason = reason;
	/* an empty CRL first, then one with carol: numbers increase */
	CHECK_EQ(cert_crl_build(&ca, NULL, 0, 1, 0, &crl1, &e), 0);
	CHECK_EQ(cert_crl_build(&ca, &r, 1, 2, 0, &crl2, &e), 0);
	CHECK_EQ(cert_crl_info(crl1, &n1, NULL), 0);
	CHECK_EQ(cert_crl_info(crl2, &n2, &next), 0);
	CHECK_EQ(n1, 1);
	CHECK_EQ(n2, 2);
	/* default nextUpdate: 7 days */
	CHECK(next > time(NULL) + 7 * 86400 - 60 &&
	    next < time(NULL) + 7 * 86400 + 60);
	CHECK_EQ(cert_verify_pem(c1.cert_pem, ca_ec.cert_pem, NULL, crl1, &e),
	    0);
	CHECK_EQ(cert_verify_pem(c1.cert_pem, ca_ec.cert_pem, NULL, crl2, &e),
	    -1);
	CHECK(strstr(e.why, "revoked") != NULL);
	CHECK_EQ(cert_verify_pem(c2.cert_pem, ca_ec.cert_pem, NULL, crl2, &e),
	    0);
	b = BIO_new_mem_buf(crl2, -1);
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	BIO_free(b);
	CHECK(crl != NULL);
	if (crl != NULL) {
		X509 *x = load(c1.cert_pem);

		serial = (ASN1_INTEGER *)X509_get0_serialNumber(x);
		CHECK_EQ(X509_CRL_get0_by_serial(crl, &rv, serial), 1);
		CHECK(X509_CRL_get0_extensions(crl) != NULL);
		CHECK(X509_CRL_get_ext_by_NID(crl,
		    NID_authority_key_identifier, -1) >= 0);
		if (rv != NULL) {
			ASN1_ENUMERATED *code = X509_REVOKED_get_ext_d2i(rv,
			    NID_crl_reason, NULL, NULL);

			CHECK(code != NULL);
			CHECK_EQ(ASN1_ENUMERATED_get(code),
			    CRL_REASON_SUPERSEDED);
			ASN1_ENUMERATED_free(code);
		}
		CHECK_EQ(X509_CRL_verify(crl, ca.key), 1);
		X509_free(x);
		X509_CRL_free(crl);
	}
	r.serial = "XYZ";
	free(crl1);
	CHECK_EQ(cert_crl_build(&ca, &r, 1, 3, 0, &crl1, &e), -1);
	CHECK_STR(e.field, "serial");
	free(crl1);
	free(crl2);
	cert_pair_clear(&c1);
	cert_pair_clear(&c2);
	cert_ca_clear(&ca);
}

/* PBES2 cipher NID of an encrypted PKCS#8 PEM, or NID_undef. */
static int
pkcs8_cipher(const char *pem)
{
	BIO			*b = BIO_new_mem_buf(pem, -1);
	X509_SIG		*sig = PEM_read_bio_PKCS8(b, NULL, NULL, NULL);
	const X509_ALGOR	*alg;
	PBE2PARAM		*pbe2;
	int			 nid = NID_undef;

	BIO_free(b);
	if (sig == NULL)
		return NID_undef;
	X509_SIG_get0(sig, &alg, NULL);
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2 &&
	    (pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
	    alg->parameter)) != NULL) {
		nid = OBJ_obj2nid(pbe2->encryption->algorithm);
		PBE2PARAM_free(pbe2);
	}
	X509_SIG_free(sig);
	return nid;
}

static void
key_at_rest(void)
{
	struct cert_err	 e;
	char		*enc, *dec;

	need_ca();
	enc = cert_key_encrypt_pem(ca_ec.key_pem, "s3cret passphrase", &e);
	CHECK(enc != NULL);
	if (enc == NULL)
		return;
	CHECK(strstr(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL);
	CHECK_EQ(pkcs8_cipher(enc), NID_aes_256_cbc);
	dec = cert_key_decrypt_pem(enc, "s3cret passphrase", &e);
	CHECK(dec != NULL);
	CHECK_EQ(cert_key_match_pem(ca_ec.cert_pem, dec, NULL, &e), 0);
	cert_str_free(dec);
	CHECK(cert_key_decrypt_pem(enc, "wrong", &e) == NULL);
	CHECK_STR(e.field, "password");
	CHECK(cert_key_decrypt_pem(enc, NULL, &e) == NULL);
	CHECK_STR(e.field, "password");
	CHECK(cert_key_encrypt_pem(ca_ec.key_pem, "", &e) == NULL);
	CHECK_STR(e.field, "password");
	CHECK(cert_key_load("garbage", NULL, "key", &e) == NULL);
	CHECK_STR(e.field, "key");
	/* the CA import takes the encrypted key with its password */
	{
		struct cert_pair imp;

		CHECK_EQ(cert_ca_import(ca_ec.cert_pem, enc, "wrong", NULL,
		    &imp, &e), -1);
		CHECK_STR(e.field, "password");
		CHECK_EQ(cert_ca_import(ca_ec.cert_pem, enc,
		    "s3cret passphrase", NULL, &imp, &e), 0);
		CHECK_STR(imp.serial, ca_ec.serial);
		cert_pair_clear(&imp);
	}
	cert_str_free(enc);
}

/* A copy of the CA re-signed with notAfter in the past. */
static char *
expired_ca(void)
{
	X509		*x = load(ca_ec.cert_pem);
	EVP_PKEY	*k = cert_key_load(ca_ec.key_pem, NULL, "key", NULL);
	char		*pem;

	X509_gmtime_adj(X509_getm_notBefore(x), -3 * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), -86400);
	X509_sign(x, k, EVP_sha256());
	pem = cert_x509_to_pem(x);
	X509_free(x);
	EVP_PKEY_free(k);
	return pem;
}

static void
ca_import_errors(void)
{
	struct cert_ca_params	 p = { .key = CERT_KEYSPEC_DEFAULT,
				       .cn = "Other CA" };
	const char *const	 names[] = { "vpn.example.com" };
	struct cert_server_params sp = { .names = names, .nnames = 1,
				    .key = CERT_KEYSPEC_DEFAULT };
	struct cert_pair	 other, imp, srv;
	struct cert_ca		 ca;
	struct cert_err		 e;
	char			*old, *both;

	need_ca();
	CHECK_EQ(cert_ca_create(&p, &other, &e), 0);
	/* key of another CA */
	CHECK_EQ(cert_ca_import(ca_ec.cert_pem, other.key_pem, NULL, NULL,
	    &imp, &e), -1);
	CHECK_STR(e.field, "key");
	/* not a CA: a server certificate with its own key */
	CHECK_EQ(cert_ca_load(&ca, ca_ec.cert_pem, ca_ec.key_pem, NULL, NULL,
	    &e), 0);
	CHECK_EQ(cert_server_issue(&ca, &sp, &srv, &e), 0);
	CHECK_EQ(cert_ca_import(srv.cert_pem, srv.key_pem, NULL, NULL, &imp,
	    &e), -1);
	CHECK_STR(e.field, "cert");
	CHECK(strstr(e.why, "not a CA") != NULL);
	/* expired */
	old = expired_ca();
	CHECK_EQ(cert_ca_import(old, ca_ec.key_pem, NULL, NULL, &imp, &e), -1);
	CHECK_STR(e.field, "cert");
	CHECK(strstr(e.why, "expired") != NULL);
	free(old);
	/* not PEM */
	CHECK_EQ(cert_ca_import("junk", ca_ec.key_pem, NULL, NULL, &imp, &e),
	    -1);
	CHECK_STR(e.field, "cert");
	/* with an intermediate after the CA, the chain is kept */
	both = cert_pem_export(ca_ec.cert_pem, other.cert_pem, NULL);
	CHECK_EQ(cert_ca_import(both, ca_ec.key_pem, NULL, NULL, &imp, &e), 0);
	CHECK(imp.chain_pem != NULL &&
	    strcmp(imp.chain_pem, other.cert_pem) == 0);
	cert_pair_clear(&imp);
	free(both);
	/* leaf import: server cert + its key; wrong key refused */
	CHECK_EQ(cert_leaf_import(srv.cert_pem, srv.key_pem, NULL, &imp, &e),
	    0);
	cert_pair_clear(&imp);
	CHECK_EQ(cert_leaf_import(srv.cert_pem, other.key_pem, NULL, &imp,
	    &e), -1);
	CHECK_STR(e.field, "key");
	CHECK_EQ(cert_leaf_import(ca_ec.cert_pem, ca_ec.key_pem, NULL, &imp,
	    &e), -1);
	CHECK_STR(e.field, "cert");
	/* a server cert does not verify against another CA */
	CHECK_EQ(cert_verify_pem(srv.cert_pem, other.cert_pem, NULL, NULL,
	    &e), -1);
	cert_pair_clear(&srv);
	cert_pair_clear(&other);
	cert_ca_clear(&ca);
}

/* MAC digest NID and the encryption NID of the first encrypted safe. */
static void
p12_algs(const unsigned char *der, size_t len, int *mac, int *enc)
{
	const unsigned char	*q = der;
	PKCS12			*p12 = d2i_PKCS12(NULL, &q, (long)len);
	const X509_ALGOR	*malg;
	const ASN1_OBJECT	*obj;
	STACK_OF(PKCS7)		*safes;
	PKCS7			*p7;
	int			 i;

	*mac = *enc = NID_undef;
	if (p12 == NULL)
		return;
	PKCS12_get0_mac(NULL, &malg, NULL, NULL, p12);
	if (malg != NULL) {
		X509_ALGOR_get0(&obj, NULL, NULL, malg);
		*mac = OBJ_obj2nid(obj);
	}
	safes = PKCS12_unpack_authsafes(p12);
	for (i = 0; safes != NULL && i < sk_PKCS7_num(safes); i++) {
		p7 = sk_PKCS7_value(safes, i);
		if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted) {
			*enc = OBJ_obj2nid(p7->d.encrypted->enc_data->algorithm->
			    algorithm);
			if (*enc == NID_pbes2) {
				PBE2PARAM *pp = ASN1_TYPE_unpack_sequence(
				    ASN1_ITEM_rptr(PBE2PARAM),
				    p7->d.encrypted->enc_data->algorithm->
				    parameter);

				*enc = pp ? OBJ_obj2nid(pp->encryption->
				    algorithm) : NID_undef;
				PBE2PARAM_free(pp);
			}
		}
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
}

static void
p12_export(void)
{
	struct cert_client_params p = { .user = "erin",
				    .san_email = "erin@example.com",
				    .key = CERT_KEYSPEC_DEFAULT };
	struct cert_pair	 c;
	struct cert_ca		 ca;
	struct cert_err		 e;
	unsigned char		*der = NULL;
	const unsigned char	*q;
	size_t			 len;
	int			 mac, enc;
	PKCS12			*p12;
	EVP_PKEY		*k = NULL;
	X509			*x = NULL;
	STACK_OF(X509)		*chain = NULL;
	char			*pem;

	need_ca();
	CHECK_EQ(cert_ca_load(&ca, ca_ec.cert_pem, ca_ec.key_pem, NULL, NULL,
	    &e), 0);
	CHECK_EQ(cert_client_issue(&ca, &p, &c, &e), 0);
	/* legacy: PBE-SHA1-3DES + SHA1 MAC (PRODUCT.md fact 10) */
	CHECK_EQ(cert_p12_export(c.cert_pem, c.key_pem, ca_ec.cert_pem, "erin",
	    "pw1", CERT_P12_LEGACY, &der, &len, &e), 0);
	p12_algs(der, len, &mac, &enc);
	CHECK_EQ(mac, NID_sha1);
	CHECK_EQ(enc, NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
	q = der;
	p12 = d2i_PKCS12(NULL, &q, (long)len);
	CHECK(p12 != NULL && PKCS12_verify_mac(p12, "pw1", -1) == 1);
	CHECK(p12 != NULL && PKCS12_verify_mac(p12, "pw2", -1) == 0);
	CHECK(PKCS12_parse(p12, "pw1", &k, &x, &chain) == 1);
	CHECK(k != NULL && x != NULL && cert_key_matches(x, k));
	CHECK_EQ(sk_X509_num(chain), 1);
	EVP_PKEY_free(k);
	X509_free(x);
	sk_X509_pop_free(chain, X509_free);
	PKCS12_free(p12);
	OPENSSL_free(der);
	/* modern: AES-256-CBC + SHA-256 MAC */
	CHECK_EQ(cert_p12_export(c.cert_pem, c.key_pem, NULL, "erin", "pw1",
	    CERT_P12_MODERN, &der, &len, &e), 0);
	p12_algs(der, len, &mac, &enc);
	CHECK_EQ(mac, NID_sha256);
	CHECK_EQ(enc, NID_aes_256_cbc);
	OPENSSL_free(der);
	/* empty password refused (Windows), mismatched key refused */
	CHECK_EQ(cert_p12_export(c.cert_pem, c.key_pem, NULL, "erin", "",
	    CERT_P12_LEGACY, &der, &len, &e), -1);
	CHECK_STR(e.field, "password");
	CHECK_EQ(cert_p12_export(c.cert_pem, ca_ec.key_pem, NULL, "erin", "x",
	    CERT_P12_LEGACY, &der, &len, &e), -1);
	CHECK_STR(e.field, "key");
	/* PEM export: cert, key, chain */
	pem = cert_pem_export(c.cert_pem, c.key_pem, ca_ec.cert_pem);
	CHECK(pem != NULL && strstr(pem, c.cert_pem) == pem);
	CHECK(strstr(pem, "BEGIN PRIVATE KEY") != NULL);
	CHECK(strstr(pem, ca_ec.cert_pem) != NULL);
	cert_str_free(pem);
	cert_pair_clear(&c);
	cert_ca_clear(&ca);
}

static void
password_gen(void)
{
	char	*a = cert_password_generate(CERT_PASSWORD_LEN);
	char	*b = cert_password_generate(CERT_PASSWORD_LEN);

	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	CHECK_EQ(strlen(a), CERT_PASSWORD_LEN);
	CHECK(strcmp(a, b) != 0);
	CHECK_EQ(strspn(a, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
	    "23456789"), CERT_PASSWORD_LEN);
	CHECK(strpbrk(a, "0O1lI") == NULL);
	cert_str_free(a);
	cert_str_free(b);
}

static void
cleanup(void)
{
	cert_pair_clear(&ca_ec);
}

RG_TEST_MAIN("cert", T(ca_create_ec), T(ca_create_rsa), T(keyspec_errors),
    T(server_cert_fields), T(client_cert_fields), T(crl_revokes),
    T(key_at_rest), T(ca_import_errors), T(p12_export), T(password_gen),
    FIXTURE(cleanup))
