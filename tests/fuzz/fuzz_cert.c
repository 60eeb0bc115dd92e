/*
 * fuzz_cert.c: the certs/ loaders on arbitrary PEM text: certificates
 * (every one of a chain, then the JSON summary walking SAN/EKU), private
 * keys (no password: encrypted ones are refused before any KDF) and CRLs
 * (number, nextUpdate).  Seeds: a CA, a server certificate with SANs, an
 * EC key and a CRL with one revoked entry (tests/fuzz/seeds/cert/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "certs/cert.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	STACK_OF(X509)	*sk;
	EVP_PKEY	*k;
	json_t		*j;
	uint64_t	 num;
	time_t		 next;
	char		*s, serial[48];

	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	if ((sk = cert_x509_load_all(s, "cert", NULL)) != NULL)
		sk_X509_pop_free(sk, X509_free);
	if ((j = cert_info_json(s, NULL)) != NULL)
		json_decref(j);
	cert_serial_hex(s, serial, sizeof(serial));
	cert_not_after(s, &next);
	if ((k = cert_key_load(s, NULL, "key", NULL)) != NULL) {
		cert_key_check_strength(k, "key", NULL);
		EVP_PKEY_free(k);
	}
	cert_crl_info(s, &num, &next);
	free(s);
	return 0;
}
