/*
 * ikev2_crypto.c: key exchange (RFC 7296 2.14 + RFC 3526/2409, RFC 5903,
 * RFC 8031), prf/prf+ (2.13), SKEYSEED/SK_* (2.14, 2.18), KEYMAT (2.17)
 * and SK payload protection (3.14, RFC 5282, RFC 7634), all through
 * OpenSSL 3 EVP.  Key material is wiped before it is freed.
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
#include <openssl/rand.h>

#include "ikev2_crypto.h"
#include "ikev2_msg.h"

struct ikev2_dh {
	uint16_t			 group;
	const struct ikev2_xform	*xf;
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
	return g == 2 || (g >= 14 && g <= 18);
}

static bool
is_ecp(uint16_t g)
{
	return g >= 19 && g <= 21;
}

/* Parameters (group only, or group + public key) for fromdata. */
static OSSL_PARAM *
dh_params(const struct ikev2_dh *dh, const uint8_t *pub, size_t len,
    BIGNUM **bn_tmp)
{
	OSSL_PARAM_BLD	*b = OSSL_PARAM_BLD_new();
	OSSL_PARAM	*p = NULL;
	BIGNUM		*bp = NULL, *bg = NULL;

	if (b == NULL)
		return NULL;
	if (dh->group == IKEV2_DH_MODP1024) {
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
group_params(struct ikev2_dh *dh)
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

struct ikev2_dh *
ikev2_dh_new(uint16_t group)
{
	struct ikev2_dh	*dh;
	EVP_PKEY_CTX	*kc = NULL;
	EVP_PKEY	*params;

	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	if ((dh->xf = ikev2_xform_find(IKEV2_XF_DH, group, 0)) == NULL)
		goto fail;
	if (group == IKEV2_DH_CURVE25519) {
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
	ikev2_dh_free(dh);
	return NULL;
}

struct ikev2_dh *
ikev2_dh_new_priv(uint16_t group, const uint8_t *priv, size_t len)
{
	struct ikev2_dh	*dh;

	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->group = group;
	if ((dh->xf = ikev2_xform_find(IKEV2_XF_DH, group, 0)) == NULL)
		goto fail;
	if (group == IKEV2_DH_CURVE25519) {
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
	ikev2_dh_free(dh);
	return NULL;
}

void
ikev2_dh_free(struct ikev2_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}

uint16_t
ikev2_dh_group(const struct ikev2_dh *dh)
{
	return dh->group;
}

long
ikev2_dh_public(struct ikev2_dh *dh, uint8_t *out, size_t cap)
{
	uint8_t		 tmp[1100];
	size_t		 len = 0;

	if (dh->group == IKEV2_DH_CURVE25519) {
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
ikev2_dh_derive(struct ikev2_dh *dh, const uint8_t *peer, size_t len)
{
	EVP_PKEY	*pk = NULL;
	EVP_PKEY_CTX	*dc = NULL;
	struct rg_buf	*out = NULL;
	uint8_t		 pt[200];
	size_t		 slen = 0;

	if (len != dh->xf->out)
		return NULL;
	if (dh->group == IKEV2_DH_CURVE25519) {
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

int
ikev2_random(void *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

/*
 * HMAC contexts: one unkeyed template per digest, built once (the digest
 * fetch and the parameter parsing behind EVP_MAC_init with a digest name
 * cost more than hashing a short message); each use dups a template and
 * keys the copy.  Templates live for the process.
 */
static pthread_mutex_t	 hmac_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char	*md;
	EVP_MAC_CTX	*tmpl;
} hmac_cache[8];

static EVP_MAC_CTX *
hmac_new(const char *md, const uint8_t *key, size_t klen)
{
	static EVP_MAC	*mac;
	EVP_MAC_CTX	*t = NULL, *c;
	OSSL_PARAM	 prm[2];
	size_t		 i;

	pthread_mutex_lock(&hmac_mtx);
	if (mac == NULL)
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	for (i = 0; mac != NULL && i < sizeof(hmac_cache) /
	    sizeof(hmac_cache[0]); i++) {
		if (hmac_cache[i].md == md) {
			t = hmac_cache[i].tmpl;
			break;
		}
		if (hmac_cache[i].md != NULL)
			continue;
		prm[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
		prm[1] = OSSL_PARAM_construct_end();
		if ((t = EVP_MAC_CTX_new(mac)) != NULL &&
		    EVP_MAC_CTX_set_params(t, prm) <= 0) {
			EVP_MAC_CTX_free(t);
			t = NULL;
		}
		if (t != NULL) {
			hmac_cache[i].md = md;
			hmac_cache[i].tmpl = t;
		}
		break;
	}
	pthread_mutex_unlock(&hmac_mtx);
	if (t == NULL || (c = EVP_MAC_CTX_dup(t)) == NULL)
		return NULL;
	if (EVP_MAC_init(c, key, klen, NULL) <= 0) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

/* One MAC over d1 | d2 | d3 with a keyed context, left reusable: the
 * next call restarts from the same key (EVP_MAC_init with no key). */
static int
hmac_run(EVP_MAC_CTX *c, bool again, const uint8_t *d1, size_t l1,
    const uint8_t *d2, size_t l2, const uint8_t *d3, size_t l3,
    uint8_t *out, size_t outcap)
{
	size_t		 olen = 0;

	if ((again && EVP_MAC_init(c, NULL, 0, NULL) <= 0) ||
	    (l1 != 0 && EVP_MAC_update(c, d1, l1) <= 0) ||
	    (l2 != 0 && EVP_MAC_update(c, d2, l2) <= 0) ||
	    (l3 != 0 && EVP_MAC_update(c, d3, l3) <= 0) ||
	    EVP_MAC_final(c, out, &olen, outcap) <= 0)
		return -1;
	return (int)olen;
}

static int
hmac3(const char *md, const uint8_t *key, size_t klen, const uint8_t *d1,
    size_t l1, const uint8_t *d2, size_t l2, const uint8_t *d3, size_t l3,
    uint8_t *out, size_t outcap)
{
	EVP_MAC_CTX	*c = hmac_new(md, key, klen);
	int		 r;

	if (c == NULL)
		return -1;
	r = hmac_run(c, false, d1, l1, d2, l2, d3, l3, out, outcap);
	EVP_MAC_CTX_free(c);
	return r;
}

int
ikev2_prf(const struct ikev2_xform *prf, const uint8_t *key, size_t klen,
    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
    const uint8_t *d3, size_t l3, uint8_t *out)
{
	return hmac3(prf->evp, key, klen, d1, l1, d2, l2, d3, l3, out,
	    prf->out) == (int)prf->out ? 0 : -1;
}

int
ikev2_prfplus(const struct ikev2_xform *prf, const uint8_t *key, size_t klen,
    const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen)
{
	uint8_t		 t[64];
	size_t		 tlen = 0, off = 0;
	uint8_t		 ctr = 1;
	EVP_MAC_CTX	*c;

	if (outlen > 255 * prf->out)
		return -1;
	/* The key is the same for every block: key one context once. */
	if ((c = hmac_new(prf->evp, key, klen)) == NULL)
		return -1;
	while (off < outlen) {
		size_t	 n;

		/* T(n) = prf(K, T(n-1) | S | n) */
		if (hmac_run(c, ctr > 1, t, tlen, seed, slen, &ctr, 1, t,
		    sizeof(t)) != (int)prf->out) {
			EVP_MAC_CTX_free(c);
			OPENSSL_cleanse(t, sizeof(t));
			return -1;
		}
		tlen = prf->out;
		n = outlen - off < tlen ? outlen - off : tlen;
		memcpy(out + off, t, n);
		off += n;
		ctr++;
	}
	EVP_MAC_CTX_free(c);
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int
ikev2_derive_ike(struct ikev2_keys *k, const struct ikev2_xform *prf,
    const struct ikev2_xform *encr, const struct ikev2_xform *integ,
    const struct rg_buf *gir, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, uint64_t spi_i, uint64_t spi_r,
    const struct ikev2_xform *old_prf, const uint8_t *old_skd)
{
	uint8_t		 skeyseed[64], nn[512], seed[600], km[600];
	size_t		 need, alen, elen, off = 0, slen;
	int		 rc = -1;

	if (nilen + nrlen > sizeof(nn))
		return -1;
	memset(k, 0, sizeof(*k));
	k->prf = prf;
	k->encr = encr;
	k->integ = encr->aead ? NULL : integ;
	memcpy(nn, ni, nilen);
	memcpy(nn + nilen, nr, nrlen);
	if (old_skd != NULL) {
		/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
		if (ikev2_prf(old_prf, old_skd, old_prf->out, gir->data,
		    gir->len, nn, nilen + nrlen, NULL, 0, skeyseed) < 0)
			goto out;
	} else if (ikev2_prf(prf, nn, nilen + nrlen, gir->data, gir->len,
	    NULL, 0, NULL, 0, skeyseed) < 0)
		goto out;
	memcpy(seed, nn, nilen + nrlen);
	slen = nilen + nrlen;
	for (int i = 7; i >= 0; i--)
		seed[slen++] = (uint8_t)(spi_i >> (8 * i));
	for (int i = 7; i >= 0; i--)
		seed[slen++] = (uint8_t)(spi_r >> (8 * i));
	alen = k->integ ? k->integ->key : 0;
	elen = encr->key;
	need = prf->out * 3 + 2 * alen + 2 * elen;
	if (need > sizeof(km))
		goto out;
	if (ikev2_prfplus(prf, skeyseed, prf->out, seed, slen, km, need) < 0)
		goto out;
	memcpy(k->sk_d, km + off, prf->out);
	off += prf->out;
	k->i2r.encr = k->r2i.encr = encr;
	k->i2r.integ = k->r2i.integ = k->integ;
	memcpy(k->i2r.ak, km + off, alen);
	off += alen;
	memcpy(k->r2i.ak, km + off, alen);
	off += alen;
	memcpy(k->i2r.ek, km + off, elen);
	off += elen;
	memcpy(k->r2i.ek, km + off, elen);
	off += elen;
	memcpy(k->sk_pi, km + off, prf->out);
	off += prf->out;
	memcpy(k->sk_pr, km + off, prf->out);
	rc = 0;
out:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

void
ikev2_keys_wipe(struct ikev2_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
ikev2_keymat(const struct ikev2_xform *prf, const uint8_t *sk_d,
    const struct rg_buf *gir, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen)
{
	uint8_t		 seed[1100];
	size_t		 off = 0;
	int		 rc;

	if ((gir ? gir->len : 0) + nilen + nrlen > sizeof(seed))
		return -1;
	if (gir != NULL) {
		memcpy(seed, gir->data, gir->len);
		off = gir->len;
	}
	memcpy(seed + off, ni, nilen);
	off += nilen;
	memcpy(seed + off, nr, nrlen);
	off += nrlen;
	rc = ikev2_prfplus(prf, sk_d, prf->out, seed, off, out, outlen);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

static const EVP_CIPHER *
cipher(const char *name)
{
	static struct {
		const char	*name;
		EVP_CIPHER	*c;
	} cache[12];

	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		if (cache[i].name == name)
			return cache[i].c;
		if (cache[i].name == NULL) {
			cache[i].c = EVP_CIPHER_fetch(NULL, name, NULL);
			if (cache[i].c == NULL)
				return NULL;
			cache[i].name = name;
			return cache[i].c;
		}
	}
	return NULL;
}

size_t
ikev2_sk_overhead(const struct ikev2_sk_dir *d, size_t ilen)
{
	size_t	 bs = d->encr->block, pad = bs - (ilen + 1) % bs;
	size_t	 icv = d->encr->aead ? d->encr->icv : d->integ->out;

	if (pad == bs)
		pad = 0;
	return d->encr->iv + pad + 1 + icv;
}

static int
crypt_aead(const struct ikev2_sk_dir *d, int enc, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
    uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX	*c = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ci = cipher(d->encr->evp);
	size_t		 klen = d->encr->key - d->encr->salt;
	uint8_t		 nonce[12];
	int		 n, ok = 0;

	if (c == NULL || ci == NULL)
		goto out;
	memcpy(nonce, d->ek + klen, 4);
	memcpy(nonce + 4, iv, 8);
	if (EVP_CipherInit_ex2(c, ci, NULL, NULL, enc, NULL) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) <= 0 ||
	    EVP_CipherInit_ex2(c, NULL, d->ek, nonce, enc, NULL) <= 0)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
	    (int)d->encr->icv, tag) <= 0)
		goto out;
	if (EVP_CipherUpdate(c, NULL, &n, aad, (int)aadlen) <= 0)
		goto out;
	if (len > 0 && EVP_CipherUpdate(c, out, &n, in, (int)len) <= 0)
		goto out;
	if (EVP_CipherFinal_ex(c, out + len, &n) <= 0)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
	    (int)d->encr->icv, tag) <= 0)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int
crypt_cbc(const struct ikev2_sk_dir *d, int enc, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX	*c = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ci = cipher(d->encr->evp);
	int		 n, m, ok = 0;

	if (c == NULL || ci == NULL)
		goto out;
	if (EVP_CipherInit_ex2(c, ci, d->ek, iv, enc, NULL) <= 0 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) <= 0 ||
	    EVP_CipherUpdate(c, out, &n, in, (int)len) <= 0 ||
	    EVP_CipherFinal_ex(c, out + n, &m) <= 0)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

long
ikev2_sk_seal(const struct ikev2_sk_dir *d, uint8_t *msg, size_t cap,
    size_t hdr_len, size_t sk_pl_off, const uint8_t *inner, size_t ilen)
{
	const struct ikev2_xform *e = d->encr;
	size_t		 bs = e->block, pad, ptlen, icv, total;
	uint8_t		*iv, *ct;

	pad = bs - (ilen + 1) % bs;
	if (pad == bs)
		pad = 0;
	ptlen = ilen + pad + 1;
	icv = e->aead ? e->icv : d->integ->out;
	total = hdr_len + e->iv + ptlen + icv;
	if (total > cap || total > IKEV2_MAX_MSG ||
	    total - sk_pl_off > 0xffff)
		return -1;
	rg_put_u32(msg + 24, (uint32_t)total);
	rg_put_u16(msg + sk_pl_off + 2, (uint16_t)(total - sk_pl_off));
	iv = msg + hdr_len;
	ct = iv + e->iv;
	if (ikev2_random(iv, e->iv) < 0)
		return -1;
	memmove(ct, inner, ilen);
	memset(ct + ilen, 0, pad);
	ct[ilen + pad] = (uint8_t)pad;
	if (e->aead) {
		if (crypt_aead(d, 1, iv, msg, hdr_len, ct, ptlen, ct,
		    ct + ptlen) < 0)
			return -1;
	} else {
		uint8_t	 mac[64];

		if (crypt_cbc(d, 1, iv, ct, ptlen, ct) < 0)
			return -1;
		if (hmac3(d->integ->evp, d->ak, d->integ->key, msg,
		    total - icv, NULL, 0, NULL, 0, mac, sizeof(mac)) < 0)
			return -1;
		memcpy(ct + ptlen, mac, icv);
	}
	return (long)total;
}

long
ikev2_sk_open(const struct ikev2_sk_dir *d, const uint8_t *msg, size_t len,
    size_t body_off, uint8_t *out, size_t cap)
{
	const struct ikev2_xform *e = d->encr;
	size_t		 icv, ctlen;
	const uint8_t	*iv, *ct;
	uint8_t		 padlen;

	if (e == NULL || body_off > len)
		return -1;
	icv = e->aead ? e->icv : d->integ->out;
	if (len - body_off < e->iv + icv + 1)
		return -1;
	iv = msg + body_off;
	ct = iv + e->iv;
	ctlen = len - body_off - e->iv - icv;
	if (ctlen > cap || ctlen % e->block != 0)
		return -1;
	if (e->aead) {
		uint8_t	 tag[16];

		memcpy(tag, ct + ctlen, e->icv);
		if (crypt_aead(d, 0, iv, msg, body_off, ct, ctlen, out,
		    tag) < 0)
			return -1;
	} else {
		uint8_t	 mac[64];

		if (hmac3(d->integ->evp, d->ak, d->integ->key, msg, len - icv,
		    NULL, 0, NULL, 0, mac, sizeof(mac)) < 0 ||
		    CRYPTO_memcmp(mac, ct + ctlen, icv) != 0)
			return -1;
		if (crypt_cbc(d, 0, iv, ct, ctlen, out) < 0)
			return -1;
	}
	padlen = out[ctlen - 1];
	if ((size_t)padlen + 1 > ctlen)
		return -1;
	return (long)(ctlen - padlen - 1);
}
