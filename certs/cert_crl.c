/*
 * cert_crl.c: certificate revocation lists signed by the CA.
 *
 * RFC 5280 section 5: v2 CRL (5.1.2.1), thisUpdate/nextUpdate (5.1.2.4-5),
 * AKI (5.2.1), cRLNumber (5.2.3, monotonically increasing; the caller
 * keeps the counter), reasonCode entry extension (5.3.1).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"

#define CERT_CRL_DAYS	7

static const struct {
	const char	*name;
	int		 reason;
} reasons[] = {
	{ "unspecified",		CRL_REASON_UNSPECIFIED },
	{ "keyCompromise",		CRL_REASON_KEY_COMPROMISE },
	{ "cACompromise",		CRL_REASON_CA_COMPROMISE },
	{ "affiliationChanged",		CRL_REASON_AFFILIATION_CHANGED },
	{ "superseded",			CRL_REASON_SUPERSEDED },
	{ "cessationOfOperation",	CRL_REASON_CESSATION_OF_OPERATION },
	{ "certificateHold",		CRL_REASON_CERTIFICATE_HOLD },
	{ "privilegeWithdrawn",		CRL_REASON_PRIVILEGE_WITHDRAWN },
};

int
cert_reason_parse(const char *name, int *reason, struct cert_err *e)
{
	size_t	 i;

	if (name == NULL || *name == '\0') {
		*reason = CRL_REASON_UNSPECIFIED;
		return 0;
	}
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcasecmp(name, reasons[i].name) == 0) {
			*reason = reasons[i].reason;
			return 0;
		}
	}
	return cert_err_set(e, "reason", "unknown revocation reason \"%s\" "
	    "(keyCompromise, superseded, cessationOfOperation, "
	    "affiliationChanged, unspecified)", name);
}

const char *
cert_reason_name(int reason)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].reason == reason)
			return reasons[i].name;
	return "unspecified";
}

static int
add_revoked(X509_CRL *crl, const struct cert_revoked *r, struct cert_err *e)
{
	X509_REVOKED	*rv = NULL;
	ASN1_INTEGER	*serial = NULL;
	ASN1_TIME	*t = NULL;
	ASN1_ENUMERATED	*code = NULL;
	BIGNUM		*bn = NULL;
	int		 rc = -1, len;

	len = r->serial ? BN_hex2bn(&bn, r->serial) : 0;
	if (len <= 0 || (size_t)len != strlen(r->serial) || len > 40) {
		cert_err_set(e, "serial", "\"%s\" is not a hex serial",
		    r->serial ? r->serial : "");
		goto out;
	}
	if ((rv = X509_REVOKED_new()) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    (t = ASN1_TIME_set(NULL, r->when)) == NULL ||
	    !X509_REVOKED_set_serialNumber(rv, serial) ||
	    !X509_REVOKED_set_revocationDate(rv, t))
		goto oom;
	/* RFC 5280 5.3.1: omit reasonCode rather than use unspecified(0). */
	if (r->reason > 0) {
		if ((code = ASN1_ENUMERATED_new()) == NULL ||
		    !ASN1_ENUMERATED_set(code, r->reason) ||
		    !X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, code, 0, 0))
			goto oom;
	}
	if (!X509_CRL_add0_revoked(crl, rv))
		goto oom;
	rv = NULL;
	rc = 0;
	goto out;
oom:
	cert_err_set(e, "crl", "out of memory");
out:
	ASN1_ENUMERATED_free(code);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_REVOKED_free(rv);
	return rc;
}

int
cert_crl_build(const struct cert_ca *ca, const struct cert_revoked *r,
    size_t n, uint64_t number, int days, char **crl_pem, struct cert_err *e)
{
	X509_CRL	*crl;
	ASN1_TIME	*t = NULL;
	ASN1_INTEGER	*num = NULL;
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext = NULL;
	BIO		*b = NULL;
	char		*data;
	long		 len;
	size_t		 i;
	int		 rc = -1;

	*crl_pem = NULL;
	if (days == 0)
		days = CERT_CRL_DAYS;
	if (days < 1 || days > 366)
		return cert_err_set(e, "days", "CRL validity must be 1 to 366 "
		    "days");
	if ((crl = X509_CRL_new()) == NULL)
		return cert_err_set(e, "crl", "out of memory");
	if (!X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    (t = X509_gmtime_adj(NULL, 0)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    !X509_time_adj_ex(t, days, 0, NULL) ||
	    !X509_CRL_set1_nextUpdate(crl, t))
		goto oom;
	for (i = 0; i < n; i++)
		if (add_revoked(crl, &r[i], e) == -1)
			goto out;
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0))
		goto oom;
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx,
	    NID_authority_key_identifier, "keyid:always")) == NULL ||
	    !X509_CRL_add_ext(crl, ext, -1))
		goto oom;
	if (!X509_CRL_sort(crl) ||
	    X509_CRL_sign(crl, ca->key, cert_md_for(ca->key)) <= 0) {
		cert_err_set(e, "crl", "signing the CRL failed");
		goto out;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509_CRL(b, crl))
		goto oom;
	len = BIO_get_mem_data(b, &data);
	if ((*crl_pem = strndup(data, (size_t)len)) == NULL)
		goto oom;
	rc = 0;
	goto out;
oom:
	cert_err_set(e, "crl", "cannot build the CRL");
out:
	BIO_free(b);
	X509_EXTENSION_free(ext);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return rc;
}

int
cert_crl_info(const char *crl_pem, uint64_t *number, time_t *next)
{
	X509_CRL	*crl;
	ASN1_INTEGER	*num;
	const ASN1_TIME	*nu;
	struct tm	 tm;
	BIO		*b;
	int		 rc = -1;

	if (crl_pem == NULL || (b = BIO_new_mem_buf(crl_pem, -1)) == NULL)
		return -1;
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	BIO_free(b);
	if (crl == NULL) {
		ERR_clear_error();
		return -1;
	}
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (number != NULL) {
		*number = 0;
		if (num == NULL || !ASN1_INTEGER_get_uint64(number, num))
			goto out;
	}
	if (next != NULL) {
		if ((nu = X509_CRL_get0_nextUpdate(crl)) == NULL ||
		    !ASN1_TIME_to_tm(nu, &tm))
			goto out;
		*next = timegm(&tm);
	}
	rc = 0;
out:
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	ERR_clear_error();
	return rc;
}
