/*
 * ike_dh.c: Diffie-Hellman for IKEv1 and IKEv2 through OpenSSL 3 EVP:
 * MODP (RFC 2409 6.2 group 2, RFC 3526 groups 5 and 14-18), ECP (RFC 5903
 * groups 19-21, public value x || y without the point-format octet) and
 * Curve25519 (RFC 8031).  Both versions number these groups alike (IKEv1
 * Group Description = IKEv2 Transform Type 4 id), so one group argument
 * serves both.  The shared secret comes back in an rg_buf, wiped on free.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ike_alg.h"
#include "ike_dh.h"

#define GROUP_MODP1024		2	/* RFC 2409 6.2 */
#define GROUP_CURVE25519	31	/* RFC 8031 */

struct ike_dh {
	uint16_t			 group;
	const struct ike_alg	*xf;
	EVP_PKEY			*key;
};

/* RFC 2409 6.2, the second Oakley group (MODP 1024); not named in OpenSSL. */
static const char modp1024_p[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

static bool
is_modp(uint16_t g)
{
	return g == 2 || g == 5 || (g >= 14 && g <= 18);
}

static bool
is_ecp(uint16_t g)
{
	return g >= 19 && g <= 21;
}

/* Parameters (group only, or group + public key) for fromdata. */
static OSSL_PARAM *
dh_params(const struct ike_dh *dh, const uint8_t *pub, size_t len,
    BIGNUM **bn_tmp)
{
	OSSL_PARAM_BLD	*b = OSSL_PARAM_BLD_new();
	OSSL_PARAM	*p = NULL;
	BIGNUM		*bp = NULL, *bg = NULL;

	if (b == NULL)
		return NULL;
	if (dh->group == GROUP_MODP1024) {
		if (BN_hex2bn(&bp, modp1024_p) == 0 ||
		    (bg = BN_new()) == NULL || !BN_set_word(bg, 2) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_FFC_P, bp) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_FFC_G, bg))
			goto out;
	} else if (!OSSL_PARAM_BLD_push_utf8_string(b,
	    OSSL_PKEY_PARAM_GROUP_NAME, dh->xf->evp, 0))
		goto out;
	if (pub != NULL) {
		if (is_modp(dh->group)) {
			if ((*bn_tmp = BN_bin2bn(pub, (int)len, NULL)) == NULL ||
			    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PUB_KEY,
			    *bn_tmp))
				goto out;
		} else if (!OSSL_PARAM_BLD_push_octet_string(b,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, len))
			goto out;
	}
	p = OSSL_PARAM_BLD_to_param(b);
out:
	BN_free(bp);
	BN_free(bg);
	OSSL_PARAM_BLD_free(b);
	return p;
}

static const char *
dh_alg(uint16_t g)
{
	return is_modp(g) ? "DH" : is_ecp(g) ? "EC" : "X25519";
}

/* Domain parameters per group, built once (the provider fetches behind
 * EVP_PKEY_fromdata cost more than the scalar multiplication). */
static pthread_mutex_t	 params_mtx = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY		*params_cache[32];

static EVP_PKEY *
group_params(struct ike_dh *dh)
{
	EVP_PKEY	*pk;
	EVP_PKEY_CTX	*pc = NULL;
	OSSL_PARAM	*p = NULL;

	if (dh->group >= 32)
		return NULL;
	pthread_mutex_lock(&params_mtx);
	if ((pk = params_cache[dh->group]) == NULL &&
	    (p = dh_params(dh, NULL, 0, NULL)) != NULL &&
	    (pc = EVP_PKEY_CTX_new_from_name(NULL, dh_alg(dh->group),
	    NULL)) != NULL && EVP_PKEY_fromdata_init(pc) > 0 &&
	    EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_KEY_PARAMETERS, p) > 0)
		params_cache[dh->group] = pk;
	pthread_mutex_unlock(&params_mtx);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(p);
	return params_cache[dh->group];
}

struct ike_dh *
ike_dh_new(uint16_t group)
{
	struct ike_dh	*dh;
	EVP_PKEY_CTX	*kc = NULL;
	EVP_PKEY	*params;

	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	if ((dh->xf = ike_alg_find(IKE_ALG_DH, group, 0)) == NULL)
		goto fail;
	if (group == GROUP_CURVE25519) {
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		if (dh->key == NULL)
			goto fail;
		return dh;
	}
	if ((params = group_params(dh)) == NULL)
		goto fail;
	if ((kc = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) <= 0 || EVP_PKEY_generate(kc, &dh->key) <= 0)
		goto fail;
	EVP_PKEY_CTX_free(kc);
	return dh;
fail:
	EVP_PKEY_CTX_free(kc);
	ike_dh_free(dh);
	return NULL;
}

struct ike_dh *
ike_dh_new_priv(uint16_t group, const uint8_t *priv, size_t len)
{
	struct ike_dh	*dh;

	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	if ((dh->xf = ike_alg_find(IKE_ALG_DH, group, 0)) == NULL)
		goto fail;
	if (group == GROUP_CURVE25519) {
		dh->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
		    priv, len);
	} else if (is_ecp(group)) {
		EVP_PKEY_CTX	*pc;
		OSSL_PARAM_BLD	*b = OSSL_PARAM_BLD_new();
		OSSL_PARAM	*p = NULL;
		BIGNUM		*bn = BN_bin2bn(priv, (int)len, NULL);
		EC_GROUP	*g = EC_GROUP_new_by_curve_name(
		    EC_curve_nist2nid(dh->xf->evp));
		EC_POINT	*pt = g ? EC_POINT_new(g) : NULL;
		uint8_t		 pub[200];
		size_t		 plen = 0;

		/* The provider does not derive the public point on import:
		 * compute it, then import both. */
		if (pt != NULL && bn != NULL &&
		    EC_POINT_mul(g, pt, bn, NULL, NULL, NULL))
			plen = EC_POINT_point2oct(g, pt,
			    POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
			    NULL);
		if (b != NULL && bn != NULL && plen > 0 &&
		    OSSL_PARAM_BLD_push_utf8_string(b,
		    OSSL_PKEY_PARAM_GROUP_NAME, dh->xf->evp, 0) &&
		    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn) &&
		    OSSL_PARAM_BLD_push_octet_string(b,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, plen))
			p = OSSL_PARAM_BLD_to_param(b);
		pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (p != NULL && pc != NULL && EVP_PKEY_fromdata_init(pc) > 0)
			EVP_PKEY_fromdata(pc, &dh->key, EVP_PKEY_KEYPAIR, p);
		EVP_PKEY_CTX_free(pc);
		OSSL_PARAM_free(p);
		OSSL_PARAM_BLD_free(b);
		EC_POINT_free(pt);
		EC_GROUP_free(g);
		BN_clear_free(bn);
	}
	if (dh->key == NULL)
		goto fail;
	return dh;
fail:
	ike_dh_free(dh);
	return NULL;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}

uint16_t
ike_dh_group(const struct ike_dh *dh)
{
	return dh->group;
}

long
ike_dh_public(struct ike_dh *dh, uint8_t *out, size_t cap)
{
	uint8_t		 tmp[1100];
	size_t		 len = 0;

	if (dh->group == GROUP_CURVE25519) {
		len = cap;
		if (EVP_PKEY_get_raw_public_key(dh->key, out, &len) <= 0)
			return -1;
		return (long)len;
	}
	if (is_modp(dh->group)) {
		BIGNUM	*pub = NULL;
		long	 r = -1;

		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
		    &pub) > 0 && cap >= dh->xf->out &&
		    BN_bn2binpad(pub, out, (int)dh->xf->out) > 0)
			r = (long)dh->xf->out;
		BN_free(pub);
		return r;
	}
	/* ECP: x || y without the 0x04 point-format octet (RFC 5903 7). */
	if (EVP_PKEY_get_octet_string_param(dh->key,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, tmp, sizeof(tmp), &len) <= 0 ||
	    len != dh->xf->out + 1 || tmp[0] != 0x04 || cap < len - 1)
		return -1;
	memcpy(out, tmp + 1, len - 1);
	return (long)len - 1;
}

struct rg_buf *
ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t len)
{
	EVP_PKEY	*pk = NULL;
	EVP_PKEY_CTX	*dc = NULL;
	struct rg_buf	*out = NULL;
	uint8_t		 pt[200];
	size_t		 slen = 0;

	if (len != dh->xf->out)
		return NULL;
	if (dh->group == GROUP_CURVE25519) {
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
		    len);
	} else {
		const uint8_t	*pub = peer;
		size_t		 plen = len;

		if (is_ecp(dh->group)) {
			pt[0] = 0x04;
			memcpy(pt + 1, peer, len);
			pub = pt;
			plen = len + 1;
		}
		if ((pk = EVP_PKEY_new()) == NULL ||
		    group_params(dh) == NULL ||
		    EVP_PKEY_copy_parameters(pk, group_params(dh)) <= 0 ||
		    EVP_PKEY_set1_encoded_public_key(pk, pub, plen) <= 0) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	if (pk == NULL)
		goto out;
	if ((dc = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(dc) <= 0)
		goto out;
	if (is_modp(dh->group) && EVP_PKEY_CTX_set_dh_pad(dc, 1) <= 0)
		goto out;
	/*
	 * ECP: importing the uncompressed point already refused coordinates
	 * >= p, points off the curve and (no 0x04 encoding exists for it)
	 * the point at infinity; on P-256/384/521 (cofactor 1) that is the
	 * whole validation (RFC 5903 7, SP 800-56A 5.6.2.3.3), so the full
	 * check's extra order multiplication (as costly as the derivation
	 * itself) is skipped.  MODP keeps OpenSSL's full check.
	 */
	if (EVP_PKEY_derive_set_peer_ex(dc, pk, !is_ecp(dh->group)) <= 0 ||
	    EVP_PKEY_derive(dc, NULL, &slen) <= 0)
		goto out;
	if ((out = rg_buf_new(slen)) == NULL)
		goto out;
	if (EVP_PKEY_derive(dc, out->data, &slen) <= 0) {
		rg_buf_free(out);
		out = NULL;
		goto out;
	}
	out->len = slen;
out:
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(pk);
	return out;
}
