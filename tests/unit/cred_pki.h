/*
 * cred_pki.h: certificates for the credential tests (test_cred,
 * test_ikev2_cert; test-only): keys of a kind, leaves with a chosen
 * subjectAltName and extendedKeyUsage, CRLs, PEM strings, user records.
 */
#ifndef CRED_PKI_H
#define CRED_PKI_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "rg_config.h"

/* "rsa" (2048 bits) or a curve name ("P-256", "P-384"). */
EVP_PKEY	*cp_key(const char *kind);
/*
 * A certificate: CN cn, san (X509v3 config text, e.g. "email:a@b") and
 * eku ("clientAuth", "serverAuth", ...) each NULL for none; issuer NULL:
 * a self-signed CA.
 */
X509		*cp_cert(const char *cn, const char *san, const char *eku,
		    long serial, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey);
/* PEM of a certificate or (x NULL) of a key; malloc'd. */
char		*cp_pem(X509 *x, EVP_PKEY *k);
/* A CRL of ca revoking serial (< 0: none); malloc'd PEM. */
char		*cp_crl(X509 *ca, EVP_PKEY *cakey, long serial);
/* Appends a user record to c. */
void		 cp_user(struct rg_config *c, const char *name, bool enabled);

#endif
