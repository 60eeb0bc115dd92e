/*
 * cert_info.c: a JSON summary of a certificate for the API and the CLI.
 *
 * Reads RFC 5280 4.1.2 (subject, issuer, serial, validity) and the
 * subjectAltName (4.2.1.6) and extendedKeyUsage (4.2.1.12) extensions.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "certs/cert.h"

static json_t *
name_json(const X509_NAME *n)
{
	BIO	*b;
	char	*data;
	long	 len;
	json_t	*j;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return json_null();
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &data);
	j = json_stringn(data, (size_t)len);
	BIO_free(b);
	return j ? j : json_null();
}

static json_t *
time_json(const ASN1_TIME *t)
{
	struct tm	 tm;
	char		 buf[32];

	if (!ASN1_TIME_to_tm(t, &tm))
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
san_json(X509 *x)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*g;
	const ASN1_STRING	*s;
	json_t			*a = json_array();
	char			 buf[300], ip[INET6_ADDRSTRLEN];
	int			 i;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		buf[0] = '\0';
		switch (g->type) {
		case GEN_DNS:
		case GEN_EMAIL:
		case GEN_URI:
			s = g->d.ia5;
			snprintf(buf, sizeof(buf), "%s:%.*s",
			    g->type == GEN_DNS ? "DNS" : g->type == GEN_EMAIL ?
			    "email" : "URI", ASN1_STRING_length(s),
			    (const char *)ASN1_STRING_get0_data(s));
			break;
		case GEN_IPADD:
			s = g->d.ip;
			if (ASN1_STRING_length(s) == 4 || ASN1_STRING_length(s) == 16) {
				inet_ntop(ASN1_STRING_length(s) == 4 ? AF_INET :
				    AF_INET6, ASN1_STRING_get0_data(s), ip,
				    sizeof(ip));
				snprintf(buf, sizeof(buf), "IP:%s", ip);
			}
			break;
		}
		if (buf[0] != '\0')
			json_array_append_new(a, json_string(buf));
	}
	GENERAL_NAMES_free(gens);
	return a;
}

static json_t *
eku_json(X509 *x)
{
	EXTENDED_KEY_USAGE	*eku;
	const ASN1_OBJECT	*o;
	json_t			*a = json_array();
	char			 buf[80];
	int			 i, nid;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		o = sk_ASN1_OBJECT_value(eku, i);
		nid = OBJ_obj2nid(o);
		if (nid == NID_server_auth)
			snprintf(buf, sizeof(buf), "serverAuth");
		else if (nid == NID_client_auth)
			snprintf(buf, sizeof(buf), "clientAuth");
		else
			OBJ_obj2txt(buf, sizeof(buf), o, 1);
		json_array_append_new(a, json_string(buf));
	}
	EXTENDED_KEY_USAGE_free(eku);
	return a;
}

static const char *
key_type(X509 *x, char *buf, size_t size)
{
	EVP_PKEY	*k = X509_get0_pubkey(x);

	if (k == NULL)
		return "unknown";
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC)
		snprintf(buf, size, "ecdsa-p%d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
		snprintf(buf, size, "rsa%d", EVP_PKEY_get_bits(k));
	else
		snprintf(buf, size, "%s", EVP_PKEY_get0_type_name(k));
	return buf;
}

json_t *
cert_info_json(const char *cert_pem, struct cert_err *e)
{
	X509		*x;
	json_t		*j;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	char		 serial[48], fp[3 * EVP_MAX_MD_SIZE + 1], kt[32];

	if ((x = cert_x509_load(cert_pem, "cert", e)) == NULL)
		return NULL;
	if (cert_x509_serial_hex(x, serial, sizeof(serial)) == -1 ||
	    !X509_digest(x, EVP_sha256(), md, &mdlen)) {
		X509_free(x);
		cert_err_set(e, "cert", "cannot read the certificate");
		return NULL;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(fp + 3 * i, 4, "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	j = json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:s, s:s}",
	    "subject", name_json(X509_get_subject_name(x)),
	    "issuer", name_json(X509_get_issuer_name(x)),
	    "serial", serial,
	    "not_before", time_json(X509_get0_notBefore(x)),
	    "not_after", time_json(X509_get0_notAfter(x)),
	    "san", san_json(x),
	    "eku", eku_json(x),
	    "is_ca", X509_check_ca(x) == 1,
	    "key_type", key_type(x, kt, sizeof(kt)),
	    "fingerprint_sha256", fp);
	X509_free(x);
	ERR_clear_error();
	if (j == NULL)
		cert_err_set(e, "cert", "out of memory");
	return j;
}

int
cert_serial_hex(const char *cert_pem, char *buf, size_t size)
{
	X509	*x;
	int	 rc;

	if ((x = cert_x509_load(cert_pem, "cert", NULL)) == NULL)
		return -1;
	rc = cert_x509_serial_hex(x, buf, size);
	X509_free(x);
	return rc;
}

int
cert_not_after(const char *cert_pem, time_t *t)
{
	X509		*x;
	struct tm	 tm;
	int		 rc = -1;

	if ((x = cert_x509_load(cert_pem, "cert", NULL)) == NULL)
		return -1;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm)) {
		*t = timegm(&tm);
		rc = 0;
	}
	X509_free(x);
	return rc;
}
