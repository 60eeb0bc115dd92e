/*
 * ikev2_cert.c: certificates in IKEv2 (RFC 7296 3.6-3.8, 2.15; RFC 7427)
 * on top of the credential module (cred.h): the peer's CERT payloads
 * handed to cred_verify_peer (chain, CRL, EKU, IDi, user record); AUTH
 * signatures checked here and made through cred_sign (RFC 7427 digital
 * signatures, method 14, and the classic RSA / ECDSA methods 1, 9, 10,
 * 11); our CERT payloads and IDr from cred's certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "cred.h"
#include "ikev2_int.h"

/* DER AlgorithmIdentifiers for RFC 7427 (with the 1-octet length). */
static const uint8_t algid_rsa_sha256[] = { 15, 0x30, 0x0d, 0x06, 0x09,
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
static const uint8_t algid_ecdsa_sha256[] = { 12, 0x30, 0x0a, 0x06, 0x08,
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };

/* The credentials of cfg, parsed now so that a bad key or CA is logged at
 * (re)load rather than at the first client. */
int
ikev2_cert_load(const struct rg_config *cfg)
{
	struct cred	*c = cred_of(cfg);

	if (c == NULL)
		return -1;
	if ((cfg->pki.server_key_pem != NULL ||
	    cfg->pki.server_cert_pem != NULL) && !cred_has_key(c))
		return -1;
	return 0;
}

void
ikev2_cert_our_id(const struct rg_config *cfg,
    uint8_t *type, uint8_t *data, size_t *len)
{
	const char	*sid = cfg->settings.server_id;
	X509		*cert = cred_cert(cred_of(cfg), 0);
	GENERAL_NAMES	*gens;

	*len = 0;
	if (sid != NULL && sid[0] != '\0') {
		size_t	 n = strlen(sid);

		if (inet_pton(AF_INET, sid, data) == 1) {
			*type = IKEV2_ID_IPV4_ADDR;
			*len = 4;
		} else if (inet_pton(AF_INET6, sid, data) == 1) {
			*type = IKEV2_ID_IPV6_ADDR;
			*len = 16;
		} else if (n < 250) {
			*type = strchr(sid, '@') ? IKEV2_ID_RFC822_ADDR :
			    IKEV2_ID_FQDN;
			memcpy(data, sid, n);
			*len = n;
		}
		return;
	}
	if (cert == NULL)
		return;
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	/* IP SANs first (what the clients dial), then DNS names. */
	for (int pass = 0; pass < 2 && *len == 0 && gens != NULL; pass++)
		for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
			GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
			int		 n;

			if (pass == 0 && g->type == GEN_IPADD) {
				n = ASN1_STRING_length(g->d.ip);
				if (n != 4 && n != 16)
					continue;
				*type = n == 4 ? IKEV2_ID_IPV4_ADDR :
				    IKEV2_ID_IPV6_ADDR;
				memcpy(data, ASN1_STRING_get0_data(g->d.ip),
				    (size_t)n);
				*len = (size_t)n;
				break;
			}
			if (pass == 1 && g->type == GEN_DNS) {
				n = ASN1_STRING_length(g->d.dNSName);
				if (n <= 0 || n > 250)
					continue;
				*type = IKEV2_ID_FQDN;
				memcpy(data, ASN1_STRING_get0_data(
				    g->d.dNSName), (size_t)n);
				*len = (size_t)n;
				break;
			}
		}
	GENERAL_NAMES_free(gens);
	if (*len == 0) {
		uint8_t	*der = NULL;
		int	 n = i2d_X509_NAME(X509_get_subject_name(cert), &der);

		if (n > 0 && n <= 250) {
			*type = IKEV2_ID_DER_ASN1_DN;
			memcpy(data, der, (size_t)n);
			*len = (size_t)n;
		}
		OPENSSL_free(der);
	}
}

void
ikev2_cert_put_chain(struct ikev2_sa *sa, struct ikev2_enc *enc)
{
	struct cred	*c = cred_of(sa->cfg);
	X509		*x;

	for (size_t i = 0; (x = cred_cert(c, i)) != NULL; i++) {
		uint8_t	*der = NULL;
		int	 n = i2d_X509(x, &der);

		if (n > 0)
			ikev2_put_cert(enc, IKEV2_PL_CERT, IKEV2_CERT_X509_SIG,
			    der, (size_t)n);
		OPENSSL_free(der);
	}
}

/* Raw r || s (methods 9-11) to a DER ECDSA-Sig-Value. */
static uint8_t *
ecdsa_raw_to_der(const uint8_t *sig, size_t len, size_t *outlen)
{
	ECDSA_SIG	*s = ECDSA_SIG_new();
	BIGNUM		*r, *sv;
	uint8_t		*der = NULL;
	int		 n;

	if (s == NULL || len == 0 || len % 2 != 0)
		goto fail;
	r = BN_bin2bn(sig, (int)(len / 2), NULL);
	sv = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
	if (r == NULL || sv == NULL || !ECDSA_SIG_set0(s, r, sv)) {
		BN_free(r);
		BN_free(sv);
		goto fail;
	}
	if ((n = i2d_ECDSA_SIG(s, &der)) <= 0)
		goto fail;
	*outlen = (size_t)n;
	ECDSA_SIG_free(s);
	return der;
fail:
	ECDSA_SIG_free(s);
	return NULL;
}

static int
verify_sig(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *sig, size_t slen,
    const uint8_t *data, size_t dlen)
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	int		 ok;

	ok = c != NULL && EVP_DigestVerifyInit(c, NULL, md, NULL, pk) > 0 &&
	    EVP_DigestVerify(c, sig, slen, data, dlen) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* RSASSA-PSS with the AlgorithmIdentifier's parameters (RFC 7427 3,
 * RFC 4055 3.1); the MGF1 hash is taken equal to the message hash. */
static int
verify_pss(EVP_PKEY *pk, const X509_ALGOR *alg, const uint8_t *sig,
    size_t slen, const uint8_t *data, size_t dlen)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	const ASN1_STRING	*seq;
	const unsigned char	*p;
	RSA_PSS_PARAMS		*pp = NULL;
	const EVP_MD		*md = EVP_sha1();
	EVP_MD_CTX		*c = NULL;
	EVP_PKEY_CTX		*pc = NULL;
	long			 salt = 20;
	int			 ptype, ok = 0;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE || (seq = pval) == NULL)
		goto out;
	p = ASN1_STRING_get0_data(seq);
	if ((pp = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq))) ==
	    NULL)
		goto out;
	if (pp->hashAlgorithm != NULL &&
	    (md = EVP_get_digestbyobj(pp->hashAlgorithm->algorithm)) == NULL)
		goto out;
	if (pp->saltLength != NULL)
		salt = ASN1_INTEGER_get(pp->saltLength);
	ok = (c = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(c, &pc, md, NULL, pk) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, (int)salt) > 0 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) > 0 &&
	    EVP_DigestVerify(c, sig, slen, data, dlen) == 1;
out:
	RSA_PSS_PARAMS_free(pp);
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok ? 0 : -1;
}

static int
check_auth(EVP_PKEY *pk, const struct ikev2_auth *a, const uint8_t *octets,
    size_t olen, char *why, size_t whylen)
{
	const EVP_MD	*md = NULL;
	uint8_t		*der = NULL;
	size_t		 dlen = 0;
	int		 rc = -1;

	switch (a->method) {
	case IKEV2_AUTH_RSA_SIG:
		if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
			break;
		rc = verify_sig(pk, EVP_sha1(), a->data, a->len, octets, olen);
		break;
	case IKEV2_AUTH_ECDSA_256:
	case IKEV2_AUTH_ECDSA_384:
	case IKEV2_AUTH_ECDSA_521:
		md = a->method == IKEV2_AUTH_ECDSA_256 ? EVP_sha256() :
		    a->method == IKEV2_AUTH_ECDSA_384 ? EVP_sha384() :
		    EVP_sha512();
		/* RFC 4754 3: each method names its curve too. */
		if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC ||
		    EVP_PKEY_get_bits(pk) != (a->method ==
		    IKEV2_AUTH_ECDSA_256 ? 256 : a->method ==
		    IKEV2_AUTH_ECDSA_384 ? 384 : 521)) {
			snprintf(why, whylen, "AUTH method %u (ECDSA) does not "
			    "match the certificate's %s key of %d bits",
			    a->method, OBJ_nid2sn(EVP_PKEY_get_base_id(pk)),
			    EVP_PKEY_get_bits(pk));
			return -1;
		}
		if ((der = ecdsa_raw_to_der(a->data, a->len, &dlen)) != NULL)
			rc = verify_sig(pk, md, der, dlen, octets, olen);
		OPENSSL_free(der);
		break;
	case IKEV2_AUTH_DIGITAL_SIG: {
		const uint8_t	*p;
		X509_ALGOR	*alg;
		int		 nid, mdnid = 0, pknid = 0;
		size_t		 alen;

		if (a->len < 1 || (alen = a->data[0]) + 1 > a->len)
			break;
		p = a->data + 1;
		if ((alg = d2i_X509_ALGOR(NULL, &p, (long)alen)) == NULL)
			break;
		nid = OBJ_obj2nid(alg->algorithm);
		if (nid == NID_rsassaPss) {
			rc = verify_pss(pk, alg, a->data + 1 + alen,
			    a->len - 1 - alen, octets, olen);
			X509_ALGOR_free(alg);
			break;
		}
		X509_ALGOR_free(alg);
		if (!OBJ_find_sigid_algs(nid, &mdnid, &pknid) || mdnid == 0) {
			snprintf(why, whylen, "unsupported signature scheme %s",
			    OBJ_nid2sn(nid));
			ERR_clear_error();
			return -1;
		}
		md = EVP_get_digestbynid(mdnid);
		if (md != NULL)
			rc = verify_sig(pk, md, a->data + 1 + alen,
			    a->len - 1 - alen, octets, olen);
		break;
	}
	default:
		snprintf(why, whylen, "unsupported AUTH method %u", a->method);
		return -1;
	}
	if (rc < 0)
		snprintf(why, whylen, "signature (AUTH method %u) does not "
		    "verify", a->method);
	return rc;
}

int
ikev2_cert_verify_auth(struct ikev2_sa *sa, const struct ikev2_msg *m,
    const struct ikev2_id *id, const struct ikev2_auth *a,
    const uint8_t *octets, size_t olen, char *why, size_t whylen)
{
	struct cred_id	 cid = { id->type, id->data, id->len };
	char		 user[CRED_USER_MAX];
	X509		*leaf = NULL;
	STACK_OF(X509)	*untrusted = sk_X509_new_null();
	int		 rc = -1;

	snprintf(why, whylen, "no certificate");
	for (size_t i = 0; i < m->npl; i++) {
		struct ikev2_cert c;
		struct rg_rd	 rd;
		const uint8_t	*p;
		X509		*x;

		if (m->pl[i].type != IKEV2_PL_CERT)
			continue;
		rg_rd_init(&rd, m->pl[i].body, m->pl[i].len);
		if (ikev2_cert_decode(&rd, &c) < 0 ||
		    c.encoding != IKEV2_CERT_X509_SIG)
			continue;
		p = c.data;
		if ((x = d2i_X509(NULL, &p, (long)c.len)) == NULL)
			continue;
		if (leaf == NULL)
			leaf = x;
		else if (untrusted == NULL || !sk_X509_push(untrusted, x))
			X509_free(x);
	}
	ERR_clear_error();
	if (leaf == NULL)
		goto out;
	/* Chain, CRL, client EKU, IDi in the certificate, the user record
	 * (present and enabled): all in cred.c, shared with EAP-TLS. */
	if (cred_verify_peer(cred_of(sa->cfg), leaf, untrusted, CRED_USE_IKE,
	    &cid, user, why, whylen) < 0)
		goto out;
	if ((rc = check_auth(X509_get0_pubkey(leaf), a, octets, olen, why,
	    whylen)) == 0)
		snprintf(sa->user, sizeof(sa->user), "%s", user);
out:
	ERR_clear_error();
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	return rc;
}

int
ikev2_cert_sign(struct ikev2_sa *sa, const uint8_t *octets, size_t olen,
    uint8_t *method, uint8_t *out, size_t *outlen)
{
	struct cred	*c = cred_of(sa->cfg);
	enum cred_hash	 h;
	bool		 rsa, rfc7427;
	size_t		 pre = 0, slen;
	uint8_t		 sig[1100];
	int		 bits = cred_key_bits(c);

	if (cred_key_type(c) == CRED_KEY_NONE)
		return -1;
	rsa = cred_key_type(c) == CRED_KEY_RSA;
	rfc7427 = sa->sig_hash_ok && (sa->sig_hashes & (1u << 2));
	if (rfc7427) {
		const uint8_t *id = rsa ? algid_rsa_sha256 : algid_ecdsa_sha256;

		pre = (size_t)id[0] + 1;
		if (pre > *outlen)
			return -1;
		memcpy(out, id, pre);
		h = CRED_SHA256;
		*method = IKEV2_AUTH_DIGITAL_SIG;
	} else if (rsa) {
		h = CRED_SHA1;
		*method = IKEV2_AUTH_RSA_SIG;
	} else {
		h = bits <= 256 ? CRED_SHA256 : bits <= 384 ? CRED_SHA384 :
		    CRED_SHA512;
		*method = bits <= 256 ? IKEV2_AUTH_ECDSA_256 : bits <= 384 ?
		    IKEV2_AUTH_ECDSA_384 : IKEV2_AUTH_ECDSA_521;
	}
	slen = sizeof(sig);
	if (cred_sign(c, h, octets, olen, sig, &slen) < 0)
		return -1;
	if (!rfc7427 && !rsa) {
		/* DER -> raw r || s of the curve's size (RFC 4754 3). */
		const uint8_t	*p = sig;
		ECDSA_SIG	*es = d2i_ECDSA_SIG(NULL, &p, (long)slen);
		int		 half = (bits + 7) / 8;

		if (es == NULL || (size_t)(2 * half) > *outlen) {
			ECDSA_SIG_free(es);
			ERR_clear_error();
			return -1;
		}
		BN_bn2binpad(ECDSA_SIG_get0_r(es), out, half);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), out + half, half);
		ECDSA_SIG_free(es);
		*outlen = (size_t)(2 * half);
		return 0;
	}
	if (pre + slen > *outlen)
		return -1;
	memcpy(out + pre, sig, slen);
	*outlen = pre + slen;
	return 0;
}
