/*
 * cert_issue.c: server and client (end-entity) certificates, leaf import
 * and chain verification.
 *
 * RFC 5280 4.2.1.6 (subjectAltName), 4.2.1.12 (extendedKeyUsage), 4.2.1.13
 * (cRLDistributionPoints); RFC 4945 5.1.3.12 and the IKE-intermediate EKU
 * 1.3.6.1.5.5.8.2.2.  Client facts (PRODUCT.md): Windows wants serverAuth
 * (error 13801) and the dialled IP also as a DNS-type SAN (fact 2), older
 * macOS the IKE-intermediate EKU, iOS 13+ a SAN at all (fact 7).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"

#define CERT_SERVER_DAYS	825	/* Apple's limit for TLS server certs */
#define CERT_CLIENT_DAYS	730
#define CERT_MAX_NAMES		32

/* A host name (optionally "*." first), RFC 1123 labels. */
static bool
dns_name_ok(const char *s)
{
	size_t	 n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return false;
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static bool
email_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		 i;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    !dns_name_ok(at + 1) || strlen(s) > 254)
		return false;
	for (i = 0; s + i < at; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == ',')
			return false;
	return true;
}

static int
gens_push(GENERAL_NAMES *gens, int type, const void *data, size_t len)
{
	GENERAL_NAME		*g;
	ASN1_OCTET_STRING	*o;

	if ((g = GENERAL_NAME_new()) == NULL)
		return -1;
	if (type == GEN_IPADD)
		o = ASN1_OCTET_STRING_new();
	else
		o = ASN1_IA5STRING_new();
	if (o == NULL || !ASN1_STRING_set(o, data, (int)len)) {
		ASN1_STRING_free(o);
		GENERAL_NAME_free(g);
		return -1;
	}
	GENERAL_NAME_set0_value(g, type, o);
	if (!sk_GENERAL_NAME_push(gens, g)) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

static int
add_san(X509 *x, GENERAL_NAMES *gens)
{
	return X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
}

static int
add_crl_dp(X509 *x, X509 *issuer, const char *url, struct cert_err *e)
{
	char	 buf[600];

	if (url == NULL || *url == '\0')
		return 0;
	if ((strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || strpbrk(url, ", \t\n") ||
	    strlen(url) > 512)
		return cert_err_set(e, "crl_url", "the CRL URL must be an "
		    "http(s) URL without spaces or commas");
	snprintf(buf, sizeof(buf), "URI:%s", url);
	if (cert_add_ext(x, issuer, NID_crl_distribution_points, buf) == -1)
		return cert_err_set(e, "crl_url", "invalid CRL URL");
	return 0;
}

/*
 * The rest of a leaf after its SAN: keyUsage ku and extendedKeyUsage eku,
 * the CRL distribution point (when crl_url), basicConstraints, SKI and
 * AKI; then signs with the CA's key into *out.
 */
static int
finish(X509 *x, const struct cert_ca *ca, EVP_PKEY *k, const char *ku,
    const char *eku, const char *crl_url, struct cert_pair *out,
    struct cert_err *e)
{
	if (cert_add_ext(x, ca->cert, NID_key_usage, ku) ||
	    cert_add_ext(x, ca->cert, NID_ext_key_usage, eku))
		return cert_err_set(e, "cert", "cannot add extensions");
	if (add_crl_dp(x, ca->cert, crl_url, e) == -1)
		return -1;
	if (cert_add_ext(x, ca->cert, NID_basic_constraints, "CA:FALSE") ||
	    cert_add_ext(x, ca->cert, NID_subject_key_identifier, "hash") ||
	    cert_add_ext(x, ca->cert, NID_authority_key_identifier,
	    "keyid,issuer"))
		return cert_err_set(e, "cert", "cannot add extensions");
	if (cert_x509_sign(x, ca->key, e) == -1)
		return -1;
	return cert_pair_fill(out, x, k, NULL, e);
}

static int
check_days(int days, int max, struct cert_err *e)
{
	if (days < 1 || days > max)
		return cert_err_set(e, "days", "validity must be 1 to %d days, "
		    "not %d", max, days);
	return 0;
}

int
cert_server_issue(const struct cert_ca *ca, const struct cert_server_params *p,
    struct cert_pair *out, struct cert_err *e)
{
	GENERAL_NAMES	*gens = NULL;
	EVP_PKEY	*k = NULL;
	X509		*x = NULL;
	unsigned char	 ip[16];
	char		 canon[INET6_ADDRSTRLEN];
	const char	*ku, *n;
	size_t		 i;
	int		 days = p->days ? p->days : CERT_SERVER_DAYS, af, rc = -1;

	memset(out, 0, sizeof(*out));
	if (p->nnames == 0 || p->nnames > CERT_MAX_NAMES)
		return cert_err_set(e, "names", "1 to %d names are required",
		    CERT_MAX_NAMES);
	if (check_days(days, 3650, e) == -1)
		return -1;
	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		return cert_err_set(e, "cert", "out of memory");
	for (i = 0; i < p->nnames; i++) {
		n = p->names[i];
		af = strchr(n, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, n, ip) == 1) {
			inet_ntop(af, ip, canon, sizeof(canon));
			/* PRODUCT.md fact 2: IPs also as dNSName (Windows). */
			if (gens_push(gens, GEN_IPADD, ip,
			    af == AF_INET ? 4 : 16) == -1 ||
			    gens_push(gens, GEN_DNS, canon, strlen(canon)) == -1)
				goto oom;
		} else if (dns_name_ok(n)) {
			if (gens_push(gens, GEN_DNS, n, strlen(n)) == -1)
				goto oom;
		} else {
			cert_err_set(e, "names", "\"%s\" is neither a host name "
			    "nor an IP address", n);
			goto out;
		}
	}
	if ((k = cert_key_generate(&p->key, e)) == NULL)
		goto out;
	if ((x = cert_x509_new(k, ca->cert, p->names[0], NULL, NULL, days,
	    e)) == NULL)
		goto out;
	ku = p->key.alg == CERT_KEY_RSA ?
	    "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature";
	if (add_san(x, gens) == -1) {
		cert_err_set(e, "cert", "cannot add extensions");
		goto out;
	}
	if (finish(x, ca, k, ku, "serverAuth," CERT_OID_IKE_INTERMEDIATE,
	    p->crl_url, out, e) == -1)
		goto out;
	rc = 0;
	goto out;
oom:
	cert_err_set(e, "cert", "out of memory");
out:
	GENERAL_NAMES_free(gens);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int
cert_client_issue(const struct cert_ca *ca, const struct cert_client_params *p,
    struct cert_pair *out, struct cert_err *e)
{
	GENERAL_NAMES	*gens = NULL;
	EVP_PKEY	*k = NULL;
	X509		*x = NULL;
	size_t		 i;
	int		 days = p->days ? p->days : CERT_CLIENT_DAYS, rc = -1;

	memset(out, 0, sizeof(*out));
	if (p->user == NULL || *p->user == '\0' || strlen(p->user) > 64)
		return cert_err_set(e, "user", "a user name of 1 to 64 "
		    "characters is required");
	for (i = 0; p->user[i] != '\0'; i++)
		if ((unsigned char)p->user[i] < 0x20 || p->user[i] == 0x7f)
			return cert_err_set(e, "user", "control characters in "
			    "the user name");
	if (p->san_email && p->san_dns)
		return cert_err_set(e, "san_dns", "give either an e-mail or a "
		    "DNS SAN, not both");
	if (p->san_email && !email_ok(p->san_email))
		return cert_err_set(e, "san_email", "\"%s\" is not an e-mail "
		    "address", p->san_email);
	if (p->san_dns && !dns_name_ok(p->san_dns))
		return cert_err_set(e, "san_dns", "\"%s\" is not a host name",
		    p->san_dns);
	if (check_days(days, 3650, e) == -1)
		return -1;
	if ((k = cert_key_generate(&p->key, e)) == NULL)
		goto out;
	if ((x = cert_x509_new(k, ca->cert, p->user, NULL, NULL, days, e)) ==
	    NULL)
		goto out;
	if (p->san_email || p->san_dns) {
		if ((gens = sk_GENERAL_NAME_new_null()) == NULL ||
		    (p->san_email && gens_push(gens, GEN_EMAIL, p->san_email,
		    strlen(p->san_email)) == -1) ||
		    (p->san_dns && gens_push(gens, GEN_DNS, p->san_dns,
		    strlen(p->san_dns)) == -1) || add_san(x, gens) == -1) {
			cert_err_set(e, "cert", "cannot add the SAN");
			goto out;
		}
	}
	if (finish(x, ca, k, "critical,digitalSignature", "clientAuth",
	    p->crl_url, out, e) == -1)
		goto out;
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int
cert_leaf_import(const char *cert_pem, const char *key_pem,
    const char *key_pass, struct cert_pair *out, struct cert_err *e)
{
	STACK_OF(X509)	*sk;
	EVP_PKEY	*k = NULL;
	X509		*x = NULL;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if ((sk = cert_x509_load_all(cert_pem, "cert", e)) == NULL)
		return -1;
	x = sk_X509_shift(sk);
	if ((k = cert_key_load(key_pem, key_pass, "key", e)) == NULL)
		goto out;
	if (!cert_key_matches(x, k)) {
		cert_err_set(e, "key", "the key does not match the "
		    "certificate");
		goto out;
	}
	if (X509_check_ca(x) == 1) {
		cert_err_set(e, "cert", "a CA certificate is not a server "
		    "certificate");
		goto out;
	}
	if (cert_check_validity(x, "cert", e) == -1 ||
	    cert_key_check_strength(k, "key", e) == -1)
		goto out;
	rc = cert_pair_fill(out, x, k, sk, e);
out:
	sk_X509_pop_free(sk, X509_free);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int
cert_verify_pem(const char *cert_pem, const char *ca_pem,
    const char *chain_pem, const char *crl_pem, struct cert_err *e)
{
	STACK_OF(X509)	*cas = NULL, *chain = NULL;
	X509_STORE	*st = NULL;
	X509_STORE_CTX	*ctx = NULL;
	X509_CRL	*crl = NULL;
	X509		*x = NULL;
	BIO		*b;
	int		 i, rc = -1;

	if ((x = cert_x509_load(cert_pem, "cert", e)) == NULL ||
	    (cas = cert_x509_load_all(ca_pem, "ca", e)) == NULL)
		goto out;
	if (chain_pem && (chain = cert_x509_load_all(chain_pem, "chain", e)) ==
	    NULL)
		goto out;
	if ((st = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		goto oom;
	for (i = 0; i < sk_X509_num(cas); i++)
		if (!X509_STORE_add_cert(st, sk_X509_value(cas, i)))
			goto oom;
	if (crl_pem != NULL) {
		if ((b = BIO_new_mem_buf(crl_pem, -1)) == NULL)
			goto oom;
		crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
		BIO_free(b);
		if (crl == NULL) {
			cert_err_set(e, "crl", "cannot parse the PEM CRL");
			goto out;
		}
		if (!X509_STORE_add_crl(st, crl))
			goto oom;
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	if (!X509_STORE_CTX_init(ctx, st, x, chain))
		goto oom;
	if (X509_verify_cert(ctx) != 1) {
		cert_err_set(e, "cert", "verification failed: %s",
		    X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	rc = 0;
	goto out;
oom:
	cert_err_set(e, "cert", "out of memory");
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_CRL_free(crl);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(cas, X509_free);
	X509_free(x);
	return rc;
}
