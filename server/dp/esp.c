/*
 * esp.c: ESP encode/decode (RFC 4303 2, 3.3, 3.4) over OpenSSL EVP.
 *
 * AEAD (RFC 4106 AES-GCM-16, RFC 7634 ChaCha20-Poly1305): nonce = salt
 * (the last 4 key bytes) || 8-byte IV, where our IV is the 64-bit sequence
 * number (unique per key, RFC 4106 3.1); AAD = SPI || seq, or SPI || seq_hi
 * || seq_lo with ESN (RFC 4106 5).  CBC + HMAC: random IV, ICV = truncated
 * HMAC over SPI..ciphertext, with seq_hi appended for the computation only
 * when ESN is on (RFC 4303 3.3.2.1).  Padding is 1, 2, 3, ... up to the
 * cipher block or 4 bytes (RFC 4303 2.4) and is checked on receive.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "esp.h"
#include "rg_buf.h"

struct esp_xform {
	enum dp_encr	 id;
	size_t		 keylen;	/* as negotiated, salt included */
	const char	*evp;		/* NULL: no cipher (ENCR_NULL) */
	size_t		 iv_len;
	size_t		 block;		/* padding alignment */
	bool		 aead;
};

static const struct esp_xform esp_xforms[] = {
	{ DP_ENCR_AES_GCM_16, 20, "AES-128-GCM", 8, 4, true },
	{ DP_ENCR_AES_GCM_16, 28, "AES-192-GCM", 8, 4, true },
	{ DP_ENCR_AES_GCM_16, 36, "AES-256-GCM", 8, 4, true },
	{ DP_ENCR_CHACHA20_POLY1305, 36, "ChaCha20-Poly1305", 8, 4, true },
	{ DP_ENCR_AES_CBC, 16, "AES-128-CBC", 16, 16, false },
	{ DP_ENCR_AES_CBC, 24, "AES-192-CBC", 16, 16, false },
	{ DP_ENCR_AES_CBC, 32, "AES-256-CBC", 16, 16, false },
	{ DP_ENCR_3DES, 24, "DES-EDE3-CBC", 8, 8, false },
	{ DP_ENCR_NULL, 0, NULL, 0, 4, false },
};

struct esp_integ {
	enum dp_integ	 id;
	const char	*digest;
	size_t		 icv_len;
};

static const struct esp_integ esp_integs[] = {
	{ DP_INTEG_HMAC_SHA1_96, "SHA1", 12 },
	{ DP_INTEG_HMAC_SHA2_256_128, "SHA256", 16 },
	{ DP_INTEG_HMAC_SHA2_384_192, "SHA384", 24 },
	{ DP_INTEG_HMAC_SHA2_512_256, "SHA512", 32 },
};

#define AEAD_ICV	16
/* CBC IVs must be unpredictable (RFC 3602 2.4): drawn from the DRBG in
 * blocks of this many bytes rather than one call per packet. */
#define IVPOOL		4096
/* One pool per thread, shared by its SAs (IVs are public, only their
 * unpredictability matters): not 4 KiB in every CBC SA. */
static __thread uint8_t	 ivpool[IVPOOL];
static __thread size_t	 ivpool_off = IVPOOL;	/* empty: filled on use */

const char *
esp_err_str(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
#define X(id, v, s)	case v: return s;
	ESP_ERR_LIST(X)
#undef X
	}
	return "ok";
}

static const struct esp_xform *
esp_xform_find(enum dp_encr id, size_t keylen)
{
	size_t	 i;

	for (i = 0; i < sizeof(esp_xforms) / sizeof(esp_xforms[0]); i++)
		if (esp_xforms[i].id == id && esp_xforms[i].keylen == keylen)
			return &esp_xforms[i];
	return NULL;
}

static const struct esp_integ *
esp_integ_find(enum dp_integ id)
{
	size_t	 i;

	for (i = 0; i < sizeof(esp_integs) / sizeof(esp_integs[0]); i++)
		if (esp_integs[i].id == id)
			return &esp_integs[i];
	return NULL;
}

bool
esp_transform_supported(enum dp_encr encr, size_t keylen, enum dp_integ integ)
{
	const struct esp_xform	*xf = esp_xform_find(encr, keylen);

	if (xf == NULL)
		return false;
	if (xf->aead)
		return integ == DP_INTEG_NONE;
	/* CBC (and NULL) without a MAC: packets can be forged, bits flipped
	 * in the inner headers and padding oracles probed.  Negotiation never
	 * picks it; the data plane refuses it too, so no future caller can. */
	return esp_integ_find(integ) != NULL;
}

const char *
esp_sa_refusal(const struct dp_sa *d)
{
	const struct esp_xform	*xf;

	if ((xf = esp_xform_find(d->encr, d->encr_key_len)) == NULL)
		return "unsupported cipher or key length";
	if (d->encr_key_len > DP_MAX_KEY || d->integ_key_len > DP_MAX_KEY)
		return "key too long";
	if (xf->aead)
		return d->integ == DP_INTEG_NONE ? NULL :
		    "AEAD cipher with a separate integrity algorithm";
	if (d->integ == DP_INTEG_NONE)
		return xf->evp == NULL ? "no encryption and no integrity" :
		    xf->id == DP_ENCR_3DES ?
		    "3DES without integrity protection" :
		    "AES-CBC without integrity protection";
	if (esp_integ_find(d->integ) == NULL)
		return "unsupported integrity algorithm";
	if (d->integ_key_len == 0)
		return "integrity algorithm without a key";
	return NULL;
}

int
esp_sa_init(struct esp_sa *sa, const struct dp_sa *d)
{
	const struct esp_integ	*in = NULL;
	EVP_CIPHER		*ciph = NULL;
	EVP_CIPHER_CTX		*c = NULL;
	EVP_MAC			*mac = NULL;
	EVP_MAC_CTX		*m = NULL;
	OSSL_PARAM		 params[2];
	size_t			 klen;

	memset(sa, 0, sizeof(*sa));
	if (esp_sa_refusal(d) != NULL)
		return -1;
	sa->xf = esp_xform_find(d->encr, d->encr_key_len);
	sa->spi = d->spi;
	sa->inbound = d->inbound;
	sa->esn = d->esn;
	sa->mode = d->mode;
	sa->iv_len = (uint8_t)sa->xf->iv_len;
	sa->block = (uint8_t)sa->xf->block;
	klen = d->encr_key_len;
	if (sa->xf->aead) {
		klen -= 4;
		memcpy(sa->salt, d->encr_key + klen, 4);
		sa->icv_len = AEAD_ICV;
	}
	if (sa->xf->evp != NULL) {
		if ((ciph = EVP_CIPHER_fetch(NULL, sa->xf->evp, NULL)) == NULL ||
		    (c = EVP_CIPHER_CTX_new()) == NULL ||
		    !EVP_CipherInit_ex(c, ciph, NULL, d->encr_key, NULL,
		    sa->inbound ? 0 : 1))
			goto fail;
		if (!sa->xf->aead)
			EVP_CIPHER_CTX_set_padding(c, 0);
		EVP_CIPHER_free(ciph);
		ciph = NULL;
	}
	if (!sa->xf->aead) {
		in = esp_integ_find(d->integ);
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)in->digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
		    (m = EVP_MAC_CTX_new(mac)) == NULL ||
		    !EVP_MAC_init(m, d->integ_key, d->integ_key_len, params))
			goto fail;
		EVP_MAC_free(mac);
		sa->icv_len = (uint8_t)in->icv_len;
	}
	if (sa->inbound && esp_replay_init(&sa->rp, d->replay_window,
	    d->esn) == -1)
		goto fail;
	sa->cctx = c;
	sa->mctx = m;
	return 0;
fail:
	EVP_CIPHER_free(ciph);
	EVP_CIPHER_CTX_free(c);
	EVP_MAC_free(mac);
	EVP_MAC_CTX_free(m);
	memset(sa, 0, sizeof(*sa));
	return -1;
}

void
esp_sa_clear(struct esp_sa *sa)
{
	/* EVP_*_free cleanse the key schedules they hold. */
	EVP_CIPHER_CTX_free(sa->cctx);
	EVP_MAC_CTX_free(sa->mctx);
	esp_replay_free(&sa->rp);
	OPENSSL_cleanse(sa, sizeof(*sa));
}

static size_t
esp_padlen(const struct esp_sa *sa, size_t len)
{
	return (sa->block - (len + 2) % sa->block) % sa->block;
}

size_t
esp_overhead(const struct esp_sa *sa, size_t len)
{
	return ESP_HDR_LEN + sa->iv_len + esp_padlen(sa, len) + 2 +
	    sa->icv_len;
}

int
esp_icv(struct esp_sa *sa, const uint8_t *data, size_t len,
    const uint8_t *hi, uint8_t *icv)
{
	EVP_MAC_CTX	*m = sa->mctx;
	uint8_t		 full[EVP_MAX_MD_SIZE];
	size_t		 n = 0;

	if (m == NULL || !EVP_MAC_init(m, NULL, 0, NULL) ||
	    !EVP_MAC_update(m, data, len) ||
	    (hi != NULL && !EVP_MAC_update(m, hi, 4)) ||
	    !EVP_MAC_final(m, full, &n, sizeof(full)) || n < sa->icv_len)
		return -ESP_E_CRYPTO;
	memcpy(icv, full, sa->icv_len);
	return 0;
}

/* AAD per RFC 4106 5 / RFC 7634 2.1; returns its length. */
static size_t
esp_aad(const struct esp_sa *sa, uint64_t seq, uint8_t *aad)
{
	rg_put_u32(aad, sa->spi);
	if (sa->esn) {
		rg_put_u32(aad + 4, (uint32_t)(seq >> 32));
		rg_put_u32(aad + 8, (uint32_t)seq);
		return 12;
	}
	rg_put_u32(aad + 4, (uint32_t)seq);
	return 8;
}

int
esp_encrypt(struct esp_sa *sa, uint8_t nh, const uint8_t *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	EVP_CIPHER_CTX	*c = sa->cctx;
	uint8_t		 trailer[ESP_MAX_BLOCK + 2], nonce[12], aad[12], hi[4];
	uint8_t		*iv = out + ESP_HDR_LEN, *ct;
	size_t		 padlen = esp_padlen(sa, len), ctlen, i, aadlen;
	uint64_t	 seq;
	int		 n = 0, m = 0, f = 0;

	ctlen = len + padlen + 2;
	if (cap < ESP_HDR_LEN + (size_t)sa->iv_len + sa->icv_len ||
	    cap - (ESP_HDR_LEN + (size_t)sa->iv_len + sa->icv_len) < ctlen ||
	    len > INT32_MAX)
		return -ESP_E_SPACE;
	if (sa->seq >= (sa->esn ? UINT64_MAX : UINT32_MAX))
		return -ESP_E_SEQ;	/* RFC 4303 3.3.3: never cycle */
	seq = ++sa->seq;
	rg_put_u32(out, sa->spi);
	rg_put_u32(out + 4, (uint32_t)seq);
	if (sa->fixed_iv != NULL)
		memcpy(iv, sa->fixed_iv, sa->iv_len);
	else if (sa->xf->aead) {
		rg_put_u32(iv, (uint32_t)(seq >> 32));
		rg_put_u32(iv + 4, (uint32_t)seq);
	} else if (sa->iv_len) {
		if (ivpool_off + sa->iv_len > IVPOOL) {
			if (RAND_bytes(ivpool, IVPOOL) != 1)
				return -ESP_E_CRYPTO;
			ivpool_off = 0;
		}
		memcpy(iv, ivpool + ivpool_off, sa->iv_len);
		ivpool_off += sa->iv_len;
	}
	for (i = 0; i < padlen; i++)
		trailer[i] = (uint8_t)(i + 1);
	trailer[padlen] = (uint8_t)padlen;
	trailer[padlen + 1] = nh;
	ct = iv + sa->iv_len;

	if (sa->xf->aead) {
		memcpy(nonce, sa->salt, 4);
		memcpy(nonce + 4, iv, 8);
		aadlen = esp_aad(sa, seq, aad);
		if (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) ||
		    !EVP_EncryptUpdate(c, NULL, &n, aad, (int)aadlen) ||
		    !EVP_EncryptUpdate(c, ct, &n, in, (int)len) ||
		    !EVP_EncryptUpdate(c, ct + n, &m, trailer,
		    (int)(padlen + 2)) ||
		    !EVP_EncryptFinal_ex(c, ct + n + m, &f) ||
		    (size_t)(n + m + f) != ctlen ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, AEAD_ICV,
		    ct + ctlen))
			return -ESP_E_CRYPTO;
	} else {
		if (c == NULL) {
			memcpy(ct, in, len);
			memcpy(ct + len, trailer, padlen + 2);
		} else if (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) ||
		    !EVP_EncryptUpdate(c, ct, &n, in, (int)len) ||
		    !EVP_EncryptUpdate(c, ct + n, &m, trailer,
		    (int)(padlen + 2)) ||
		    !EVP_EncryptFinal_ex(c, ct + n + m, &f) ||
		    (size_t)(n + m + f) != ctlen)
			return -ESP_E_CRYPTO;
		if (sa->mctx != NULL) {
			rg_put_u32(hi, (uint32_t)(seq >> 32));
			if (esp_icv(sa, out, ESP_HDR_LEN + sa->iv_len + ctlen,
			    sa->esn ? hi : NULL, ct + ctlen) != 0)
				return -ESP_E_CRYPTO;
		}
	}
	*outlen = ESP_HDR_LEN + sa->iv_len + ctlen + sa->icv_len;
	return 0;
}

int
esp_decrypt(struct esp_sa *sa, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, uint8_t *nhp, uint64_t *seqp)
{
	EVP_CIPHER_CTX	*c = sa->cctx;
	const uint8_t	*iv = pkt + ESP_HDR_LEN, *ct;
	uint8_t		 nonce[12], aad[12], tag[ESP_MAX_ICV], hi[4];
	size_t		 hdr = ESP_HDR_LEN + sa->iv_len, ctlen, padlen, i;
	size_t		 aadlen;
	uint64_t	 seq;
	uint8_t		 nh;
	int		 n = 0, f = 0, rc;

	if (sa->rp.bm == NULL)
		return -ESP_E_SPI;	/* an outbound SA decrypts nothing */
	if (len < hdr + sa->icv_len + 2 || len > INT32_MAX)
		return -ESP_E_TRUNC;
	ctlen = len - hdr - sa->icv_len;
	if (ctlen % sa->block != 0)
		return -ESP_E_TRUNC;
	if (rg_get_u32(pkt) != sa->spi)
		return -ESP_E_SPI;
	seq = esp_replay_infer(&sa->rp, rg_get_u32(pkt + 4));
	if ((rc = esp_replay_check(&sa->rp, seq)) != 0)
		return rc;
	if (cap < ctlen)
		return -ESP_E_SPACE;
	ct = iv + sa->iv_len;

	if (sa->xf->aead) {
		memcpy(nonce, sa->salt, 4);
		memcpy(nonce + 4, iv, 8);
		memcpy(tag, ct + ctlen, AEAD_ICV);
		aadlen = esp_aad(sa, seq, aad);
		if (!EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) ||
		    !EVP_DecryptUpdate(c, NULL, &n, aad, (int)aadlen) ||
		    !EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) ||
		    !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, AEAD_ICV,
		    tag))
			return -ESP_E_CRYPTO;
		if (EVP_DecryptFinal_ex(c, out + n, &f) <= 0)
			return -ESP_E_AUTH;
	} else {
		if (sa->mctx != NULL) {
			rg_put_u32(hi, (uint32_t)(seq >> 32));
			if (esp_icv(sa, pkt, hdr + ctlen, sa->esn ? hi : NULL,
			    tag) != 0)
				return -ESP_E_CRYPTO;
			if (CRYPTO_memcmp(tag, ct + ctlen, sa->icv_len) != 0)
				return -ESP_E_AUTH;
		}
		if (c == NULL)
			memcpy(out, ct, ctlen);
		else if (!EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) ||
		    !EVP_DecryptUpdate(c, out, &n, ct, (int)ctlen) ||
		    !EVP_DecryptFinal_ex(c, out + n, &f) ||
		    (size_t)(n + f) != ctlen)
			return -ESP_E_CRYPTO;
	}
	/* Authenticated: only now may the window move (RFC 4303 3.4.3). */
	esp_replay_update(&sa->rp, seq);
	*seqp = seq;

	padlen = out[ctlen - 2];
	nh = out[ctlen - 1];
	if (padlen + 2 > ctlen)
		return -ESP_E_PAD;
	for (i = 0; i < padlen; i++)
		if (out[ctlen - 2 - padlen + i] != (uint8_t)(i + 1))
			return -ESP_E_PAD;
	if (sa->mode == DP_MODE_TUNNEL && nh != ESP_NH_IPV4 &&
	    nh != ESP_NH_IPV6 && nh != ESP_NH_DUMMY)
		return -ESP_E_NH;
	*nhp = nh;
	*outlen = ctlen - 2 - padlen;
	return 0;
}
