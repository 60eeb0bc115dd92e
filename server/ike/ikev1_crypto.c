/*
 * ikev1_crypto.c: IKEv1 keys (RFC 2409 5, Appendix B), the phase-1 and
 * quick-mode hashes, CBC with the IKEv1 IV chaining, KEYMAT and NAT-D
 * (RFC 3947), through OpenSSL 3 EVP.  IKEv1 hashes run over several
 * separate pieces (g^xi, g^xr, cookies, SA, ID), so the prf here takes a
 * list of parts instead of the shared three-part ike_prf().  Every
 * intermediate holding key material is wiped before return.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_alg.h"
#include "ikev1_crypto.h"

struct part {
	const uint8_t	*p;
	size_t		 len;
};

#define NPARTS(a)	(sizeof(a) / sizeof((a)[0]))

static EVP_MAC		*hmac;
static pthread_once_t	 hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_fetch(void)
{
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* prf(key, parts...) = HMAC-hash(key, concatenation); out gets
 * prf->out bytes. */
static int
prfv(const struct ike_alg *prf, const uint8_t *key, size_t klen,
    const struct part *v, size_t n, uint8_t *out)
{
	EVP_MAC_CTX	*c;
	OSSL_PARAM	 prm[2];
	size_t		 olen = 0;
	int		 ok = 0;

	if (prf == NULL || prf->out > IKEV1_PRF_MAX)
		return -1;
	pthread_once(&hmac_once, hmac_fetch);
	if (hmac == NULL || (c = EVP_MAC_CTX_new(hmac)) == NULL)
		return -1;
	prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)prf->evp, 0);
	prm[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(c, key, klen, prm) <= 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (v[i].len != 0 && EVP_MAC_update(c, v[i].p, v[i].len) <= 0)
			goto out;
	if (EVP_MAC_final(c, out, &olen, prf->out) <= 0 || olen != prf->out)
		goto out;
	ok = 1;
out:
	EVP_MAC_CTX_free(c);
	return ok ? 0 : -1;
}

/* The bare hash of the negotiated Hash Algorithm (IVs, NAT-D). */
static int
hashv(const struct ike_alg *prf, const struct part *v, size_t n,
    uint8_t *out, size_t cap)
{
	EVP_MD_CTX	*c;
	const EVP_MD	*md;
	unsigned int	 olen = 0;
	int		 ok = 0;

	if (prf == NULL || (md = EVP_get_digestbyname(prf->evp)) == NULL ||
	    (size_t)EVP_MD_get_size(md) > cap)
		return -1;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(c, md, NULL) <= 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (v[i].len != 0 && EVP_DigestUpdate(c, v[i].p, v[i].len) <= 0)
			goto out;
	if (EVP_DigestFinal_ex(c, out, &olen) <= 0)
		goto out;
	ok = 1;
out:
	EVP_MD_CTX_free(c);
	return ok ? (int)olen : -1;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
ikev1_skeyid_psk(const struct ike_alg *prf, const uint8_t *psk,
    size_t psklen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, uint8_t *out)
{
	struct part	 v[] = { { ni, nilen }, { nr, nrlen } };

	return prfv(prf, psk, psklen, v, NPARTS(v), out);
}

int
ikev1_skeyid_sig(const struct ike_alg *prf, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, const uint8_t *gxy, size_t gxylen,
    uint8_t *out)
{
	uint8_t		 nn[512];
	struct part	 v[] = { { gxy, gxylen } };
	int		 rc;

	/* The key is Ni_b | Nr_b: one buffer (nonces are 8..256 bytes). */
	if (nilen + nrlen > sizeof(nn))
		return -1;
	memcpy(nn, ni, nilen);
	memcpy(nn + nilen, nr, nrlen);
	rc = prfv(prf, nn, nilen + nrlen, v, NPARTS(v), out);
	OPENSSL_cleanse(nn, sizeof(nn));
	return rc;
}

/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
static int
skeyid_x(const struct ikev1_keys *k, const uint8_t *prev, const uint8_t *gxy,
    size_t gxylen, uint8_t n, uint8_t *out)
{
	size_t		 hl = k->prf->out;
	struct part	 v[] = { { prev, prev ? hl : 0 }, { gxy, gxylen },
			    { k->cky_i, 8 }, { k->cky_r, 8 }, { &n, 1 } };

	return prfv(k->prf, k->skeyid, hl, v, NPARTS(v), out);
}

int
ikev1_derive(struct ikev1_keys *k, const struct ike_alg *prf,
    const struct ike_alg *encr, const uint8_t *skeyid, const uint8_t *gxy,
    size_t gxylen, const uint8_t *cky_i, const uint8_t *cky_r)
{
	static const uint8_t n0 = 0;
	uint8_t		 kn[IKEV1_PRF_MAX];
	size_t		 hl, off;

	memset(k, 0, sizeof(*k));
	if (prf == NULL || encr == NULL || prf->out > IKEV1_PRF_MAX ||
	    encr->key > IKEV1_KEY_MAX || encr->aead ||
	    encr->block > IKEV1_BLOCK_MAX)
		return -1;
	hl = prf->out;
	k->prf = prf;
	k->encr = encr;
	memcpy(k->cky_i, cky_i, 8);
	memcpy(k->cky_r, cky_r, 8);
	memcpy(k->skeyid, skeyid, hl);
	if (skeyid_x(k, NULL, gxy, gxylen, 0, k->skeyid_d) < 0 ||
	    skeyid_x(k, k->skeyid_d, gxy, gxylen, 1, k->skeyid_a) < 0 ||
	    skeyid_x(k, k->skeyid_a, gxy, gxylen, 2, k->skeyid_e) < 0)
		goto fail;
	if (encr->key <= hl) {
		memcpy(k->ek, k->skeyid_e, encr->key);
		return 0;
	}
	/*
	 * Appendix B: the cipher needs more than the prf gives (AES-256 or
	 * 3DES with SHA-1, 3DES with MD5): Ka = K1 | K2 | ..., with
	 * K1 = prf(SKEYID_e, 0) (one zero octet), Kn = prf(SKEYID_e, Kn-1).
	 */
	for (off = 0; off < encr->key; off += hl) {
		struct part v0[] = { { &n0, 1 } }, vn[] = { { kn, hl } };
		size_t	 take = encr->key - off < hl ? encr->key - off : hl;

		if (prfv(prf, k->skeyid_e, hl, off == 0 ? v0 : vn, 1, kn) < 0)
			goto fail;
		memcpy(k->ek + off, kn, take);
	}
	OPENSSL_cleanse(kn, sizeof(kn));
	return 0;
fail:
	OPENSSL_cleanse(kn, sizeof(kn));
	ikev1_keys_wipe(k);
	return -1;
}

void
ikev1_keys_wipe(struct ikev1_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
ikev1_hash_auth(const struct ikev1_keys *k, bool initiator,
    const struct ikev1_auth_in *a, uint8_t *out)
{
	/*
	 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
	 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
	 */
	const uint8_t	*gx_me = initiator ? a->gxi : a->gxr;
	const uint8_t	*gx_peer = initiator ? a->gxr : a->gxi;
	size_t		 me_len = initiator ? a->gxilen : a->gxrlen;
	size_t		 peer_len = initiator ? a->gxrlen : a->gxilen;
	struct part	 v[] = { { gx_me, me_len }, { gx_peer, peer_len },
			    { initiator ? k->cky_i : k->cky_r, 8 },
			    { initiator ? k->cky_r : k->cky_i, 8 },
			    { a->sai_b, a->sailen }, { a->id_b, a->idlen } };

	return prfv(k->prf, k->skeyid, k->prf->out, v, NPARTS(v), out);
}

bool
ikev1_hash_auth_ok(const struct ikev1_keys *k, const struct ikev1_auth_in *a,
    const uint8_t *hash, size_t len)
{
	uint8_t		 want[IKEV1_PRF_MAX];
	bool		 ok;

	if (len != k->prf->out || ikev1_hash_auth(k, true, a, want) < 0)
		return false;
	ok = CRYPTO_memcmp(want, hash, len) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

long
ikev1_sign_r(const struct ikev1_keys *k, const struct ikev1_auth_in *a,
    ikev1_sign_fn sign, void *arg, uint8_t *sig, size_t cap)
{
	uint8_t		 h[IKEV1_PRF_MAX];
	long		 n = -1;

	if (ikev1_hash_auth(k, false, a, h) == 0)
		n = sign(arg, h, k->prf->out, sig, cap);
	OPENSSL_cleanse(h, sizeof(h));
	return n;
}

bool
ikev1_verify_i(const struct ikev1_keys *k, const struct ikev1_auth_in *a,
    ikev1_verify_fn verify, void *arg, const uint8_t *sig, size_t slen)
{
	uint8_t		 h[IKEV1_PRF_MAX];
	bool		 ok = false;

	if (ikev1_hash_auth(k, true, a, h) == 0)
		ok = verify(arg, h, k->prf->out, sig, slen) == 1;
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

int
ikev1_iv_phase1(const struct ikev1_keys *k, const uint8_t *gxi, size_t gxilen,
    const uint8_t *gxr, size_t gxrlen, struct ikev1_iv *iv)
{
	uint8_t		 h[EVP_MAX_MD_SIZE];
	struct part	 v[] = { { gxi, gxilen }, { gxr, gxrlen } };
	int		 n;

	n = hashv(k->prf, v, NPARTS(v), h, sizeof(h));
	if (n < 0 || (size_t)n < k->encr->block)
		return -1;
	iv->len = k->encr->block;
	memcpy(iv->b, h, iv->len);
	return 0;
}

int
ikev1_iv_exchange(const struct ikev1_keys *k, const struct ikev1_iv *p1last,
    uint32_t msgid, struct ikev1_iv *iv)
{
	uint8_t		 h[EVP_MAX_MD_SIZE], mid[4];
	struct part	 v[] = { { p1last->b, p1last->len }, { mid, 4 } };
	int		 n;

	put32(mid, msgid);
	n = hashv(k->prf, v, NPARTS(v), h, sizeof(h));
	if (n < 0 || (size_t)n < k->encr->block)
		return -1;
	iv->len = k->encr->block;
	memcpy(iv->b, h, iv->len);
	return 0;
}

size_t
ikev1_encrypted_len(const struct ikev1_keys *k, size_t len)
{
	size_t	 bs = k->encr->block;

	/* At least one pad byte: it carries the pad length. */
	return (len / bs + 1) * bs;
}

static int
cbc(const struct ikev1_keys *k, int enc, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX	*c;
	const EVP_CIPHER *ci = EVP_get_cipherbyname(k->encr->evp);
	int		 n = 0, m = 0, ok = 0;

	if (ci == NULL || len > INT32_MAX || (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex2(c, ci, k->ek, iv, enc, NULL) <= 0 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) <= 0 ||
	    EVP_CipherUpdate(c, out, &n, in, (int)len) <= 0 ||
	    EVP_CipherFinal_ex(c, out + n, &m) <= 0 || (size_t)(n + m) != len)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

long
ikev1_encrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
    const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t	 bs = k->encr->block, clen = ikev1_encrypted_len(k, len);
	size_t	 pad = clen - len;

	if (iv->len != bs || clen > cap)
		return -1;
	/* Pad in out, then encrypt in place (EVP allows out == in). */
	memmove(out, in, len);
	memset(out + len, 0, pad);
	out[clen - 1] = (uint8_t)(pad - 1);
	if (cbc(k, 1, iv->b, out, clen, out) < 0) {
		OPENSSL_cleanse(out, clen);
		return -1;
	}
	memcpy(iv->b, out + clen - bs, bs);
	return (long)clen;
}

long
ikev1_decrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
    const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t		 bs = k->encr->block;
	uint8_t		 last[IKEV1_BLOCK_MAX];

	if (iv->len != bs || len == 0 || len % bs != 0 || len > cap)
		return -1;
	/* Keep the last cipher block: out may be in. */
	memcpy(last, in + len - bs, bs);
	if (cbc(k, 0, iv->b, in, len, out) < 0) {
		OPENSSL_cleanse(out, len);
		return -1;
	}
	memcpy(iv->b, last, bs);
	return (long)len;
}

int
ikev1_hash_msg(const struct ikev1_keys *k, uint32_t msgid, const uint8_t *ni,
    size_t nilen, const uint8_t *body, size_t len, uint8_t *out)
{
	uint8_t		 mid[4];
	struct part	 v[] = { { mid, 4 }, { ni, ni ? nilen : 0 },
			    { body, len } };

	put32(mid, msgid);
	return prfv(k->prf, k->skeyid_a, k->prf->out, v, NPARTS(v), out);
}

int
ikev1_hash_qm3(const struct ikev1_keys *k, uint32_t msgid, const uint8_t *ni,
    size_t nilen, const uint8_t *nr, size_t nrlen, uint8_t *out)
{
	static const uint8_t zero = 0;
	uint8_t		 mid[4];
	struct part	 v[] = { { &zero, 1 }, { mid, 4 }, { ni, nilen },
			    { nr, nrlen } };

	put32(mid, msgid);
	return prfv(k->prf, k->skeyid_a, k->prf->out, v, NPARTS(v), out);
}

int
ikev1_keymat(const struct ikev1_keys *k, const uint8_t *gqm, size_t gqmlen,
    uint8_t proto, uint32_t spi, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, uint8_t *out, size_t outlen)
{
	uint8_t		 kn[IKEV1_PRF_MAX], sp[4];
	size_t		 hl = k->prf->out, off, prev = 0;
	int		 rc = -1;

	put32(sp, spi);
	for (off = 0; off < outlen; off += hl) {
		struct part v[] = { { kn, prev }, { gqm, gqm ? gqmlen : 0 },
		    { &proto, 1 }, { sp, 4 }, { ni, nilen }, { nr, nrlen } };
		size_t	 take = outlen - off < hl ? outlen - off : hl;

		if (prfv(k->prf, k->skeyid_d, hl, v, NPARTS(v), kn) < 0)
			goto out;
		memcpy(out + off, kn, take);
		prev = hl;
	}
	rc = 0;
out:
	OPENSSL_cleanse(kn, sizeof(kn));
	if (rc < 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

int
ikev1_child_keymat(const struct ikev1_keys *k, const uint8_t *gqm,
    size_t gqmlen, uint8_t proto, uint32_t spi_in, uint32_t spi_out,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    uint8_t *key_in, uint8_t *key_out, size_t len)
{
	if (ikev1_keymat(k, gqm, gqmlen, proto, spi_in, ni, nilen, nr, nrlen,
	    key_in, len) < 0 || ikev1_keymat(k, gqm, gqmlen, proto, spi_out,
	    ni, nilen, nr, nrlen, key_out, len) < 0) {
		OPENSSL_cleanse(key_in, len);
		OPENSSL_cleanse(key_out, len);
		return -1;
	}
	return 0;
}

int
ikev1_natd(const struct ike_alg *prf, const uint8_t *cky_i,
    const uint8_t *cky_r, const struct sockaddr *sa, uint8_t *out,
    size_t cap)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	struct part	 v[4] = { { cky_i, 8 }, { cky_r, 8 } };

	/* Address and port in network order, as on the wire. */
	if (sa->sa_family == AF_INET) {
		v[2] = (struct part){ (const uint8_t *)&s4->sin_addr, 4 };
		v[3] = (struct part){ (const uint8_t *)&s4->sin_port, 2 };
	} else if (sa->sa_family == AF_INET6) {
		v[2] = (struct part){ (const uint8_t *)&s6->sin6_addr, 16 };
		v[3] = (struct part){ (const uint8_t *)&s6->sin6_port, 2 };
	} else
		return -1;
	return hashv(prf, v, NPARTS(v), out, cap);
}
