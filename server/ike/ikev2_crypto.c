/*
 * ikev2_crypto.c: SKEYSEED/SK_* (RFC 7296 2.14, 2.18), KEYMAT (2.17) and
 * SK payload protection (3.14, RFC 5282, RFC 7634) through OpenSSL 3 EVP,
 * on the shared prf/prf+ (ike_prf.c).  Key material is wiped before it
 * is freed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikev2_crypto.h"
#include "ikev2_msg.h"

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
		if (ike_prf(old_prf, old_skd, old_prf->out, gir->data,
		    gir->len, nn, nilen + nrlen, NULL, 0, skeyseed) < 0)
			goto out;
	} else if (ike_prf(prf, nn, nilen + nrlen, gir->data, gir->len,
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
	if (ike_prfplus(prf, skeyseed, prf->out, seed, slen, km, need) < 0)
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
	rc = ike_prfplus(prf, sk_d, prf->out, seed, off, out, outlen);
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
	if (ike_random(iv, e->iv) < 0)
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
		if (ike_hmac(d->integ->evp, d->ak, d->integ->key, msg,
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

		if (ike_hmac(d->integ->evp, d->ak, d->integ->key, msg, len - icv,
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
