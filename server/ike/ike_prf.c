/*
 * ike_prf.c: the keyed primitives IKEv1 and IKEv2 share, through OpenSSL 3
 * EVP: HMAC with cached per-digest contexts, prf (RFC 2104 HMAC as the
 * IKE prf, RFC 2409 4, RFC 7296 2.13), prf+ (RFC 7296 2.13) and random
 * bytes.  Key material on the stack is wiped before return.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_alg.h"
#include "ike_prf.h"

int
ike_random(void *p, size_t n)
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

int
ike_hmac(const char *md, const uint8_t *key, size_t klen, const uint8_t *d1,
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
ike_prf(const struct ike_alg *prf, const uint8_t *key, size_t klen,
    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
    const uint8_t *d3, size_t l3, uint8_t *out)
{
	return ike_hmac(prf->evp, key, klen, d1, l1, d2, l2, d3, l3, out,
	    prf->out) == (int)prf->out ? 0 : -1;
}

int
ike_prfplus(const struct ike_alg *prf, const uint8_t *key, size_t klen,
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
