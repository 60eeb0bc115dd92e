/*
 * web_auth.c: admin password hashing, API tokens, browser sessions and
 * the login throttle of the HTTPS listener (see web_auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "web_auth.h"

#define PW_SALT		16
#define PW_OUT		32
#define PW_R		8
#define PW_P		3

/* 2^15 * 128 * 8 = 32 MiB per verification; p = 3 makes it one of the
 * OWASP-recommended scrypt settings (N=2^15, r=8, p=3). */
static unsigned int	pw_log2n = 15;

void
web_pw_cost(unsigned int log2n)
{
	pw_log2n = log2n;
}

static int
scrypt(const char *pw, const uint8_t *salt, size_t saltlen,
    unsigned int log2n, unsigned int r, unsigned int p, uint8_t *out,
    size_t outlen)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[6], *q = params;
	uint64_t	 n = (uint64_t)1 << log2n;
	uint32_t	 r32 = r, p32 = p;
	int		 rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return -1;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pw, strlen(pw));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, outlen, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(kctx);
	return rc;
}

int
web_pw_hash(const char *pw, char out[WEB_PW_HASH_MAX])
{
	uint8_t		 salt[PW_SALT], dk[PW_OUT];
	char		 s64[64], d64[64];
	int		 rc = -1;

	if (RAND_bytes(salt, sizeof(salt)) == 1 &&
	    scrypt(pw, salt, sizeof(salt), pw_log2n, PW_R, PW_P, dk,
	    sizeof(dk)) == 0) {
		EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
		EVP_EncodeBlock((unsigned char *)d64, dk, sizeof(dk));
		snprintf(out, WEB_PW_HASH_MAX, "scrypt$%u$%u$%u$%s$%s",
		    pw_log2n, PW_R, PW_P, s64, d64);
		rc = 0;
	}
	OPENSSL_cleanse(dk, sizeof(dk));
	return rc;
}

/* Base64 of exactly want bytes (EVP_DecodeBlock counts the padding). */
static int
b64_exact(const char *s, size_t slen, uint8_t *out, size_t want)
{
	uint8_t	 buf[96];
	int	 n;

	if (slen == 0 || slen % 4 || slen / 4 * 3 > sizeof(buf))
		return -1;
	if ((n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)slen)) <
	    0)
		return -1;
	n -= (s[slen - 1] == '=') + (s[slen - 2] == '=');
	if ((size_t)n != want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

bool
web_pw_verify(const char *pw, const char *stored)
{
	unsigned int	 log2n, r, p;
	uint8_t		 salt[PW_SALT], want[PW_OUT], dk[PW_OUT];
	const char	*s, *d;
	int		 off = 0;
	bool		 ok;

	if (stored == NULL || sscanf(stored, "scrypt$%u$%u$%u$%n", &log2n,
	    &r, &p, &off) != 3 || off == 0)
		return false;
	/* Bounds keep a tampered row from asking for gigabytes. */
	if (log2n < 4 || log2n > 20 || r < 1 || r > 16 || p < 1 || p > 4)
		return false;
	s = stored + off;
	if ((d = strchr(s, '$')) == NULL ||
	    b64_exact(s, (size_t)(d - s), salt, sizeof(salt)) < 0 ||
	    b64_exact(d + 1, strlen(d + 1), want, sizeof(want)) < 0)
		return false;
	if (scrypt(pw, salt, sizeof(salt), log2n, r, p, dk, sizeof(dk)) < 0)
		return false;
	ok = CRYPTO_memcmp(dk, want, sizeof(dk)) == 0;
	OPENSSL_cleanse(dk, sizeof(dk));
	return ok;
}

void
web_pw_dummy(const char *pw)
{
	static const uint8_t	 salt[PW_SALT];
	uint8_t			 dk[PW_OUT];

	(void)scrypt(pw, salt, sizeof(salt), pw_log2n, PW_R, PW_P, dk,
	    sizeof(dk));
	OPENSSL_cleanse(dk, sizeof(dk));
}

static void
hex(const uint8_t *b, size_t n, char *out)
{
	static const char	 x[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[b[i] >> 4];
		out[2 * i + 1] = x[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
random_hex(char out[WEB_HEX_ID])
{
	uint8_t	 b[32];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	hex(b, sizeof(b), out);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

int
web_token_hash(const char *tok, char hash[WEB_HEX_ID])
{
	uint8_t	 md[SHA256_DIGEST_LENGTH];
	size_t	 i;

	if (strlen(tok) != WEB_TOKEN_LEN || strncmp(tok, "rgt_", 4) != 0)
		return -1;
	for (i = 4; i < WEB_TOKEN_LEN; i++)
		if (!((tok[i] >= '0' && tok[i] <= '9') ||
		    (tok[i] >= 'a' && tok[i] <= 'f')))
			return -1;
	SHA256((const unsigned char *)tok, WEB_TOKEN_LEN, md);
	hex(md, sizeof(md), hash);
	return 0;
}

int
web_token_new(char tok[WEB_TOKEN_LEN + 1], char hash[WEB_HEX_ID])
{
	memcpy(tok, "rgt_", 4);
	if (random_hex(tok + 4) < 0)
		return -1;
	return web_token_hash(tok, hash);
}

/* --- sessions ---------------------------------------------------------- */

void
web_sess_init(struct web_sessions *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->idle_s = WEB_SESS_IDLE_S;
	ss->abs_s = WEB_SESS_ABS_S;
}

void
web_sess_del(struct web_sess *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

static void
pw_tag(const char *pw_hash, uint8_t tag[32])
{
	SHA256((const unsigned char *)pw_hash, strlen(pw_hash), tag);
}

struct web_sess *
web_sess_new(struct web_sessions *ss, const char *name, const char *pw_hash,
    uint64_t now)
{
	struct web_sess	*s = NULL;
	size_t		 i;

	for (i = 0; i < WEB_SESS_MAX; i++) {
		if (ss->s[i].used && (now - ss->s[i].last >= ss->idle_s ||
		    now - ss->s[i].created >= ss->abs_s))
			web_sess_del(&ss->s[i]);
		if (!ss->s[i].used) {
			if (s == NULL || s->used)
				s = &ss->s[i];
		} else if (s == NULL || (s->used &&
		    ss->s[i].last < s->last)) {
			s = &ss->s[i];
		}
	}
	web_sess_del(s);	/* the least recently used one when full */
	if (strlen(name) >= sizeof(s->name) || random_hex(s->id) < 0 ||
	    random_hex(s->csrf) < 0) {
		web_sess_del(s);
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	pw_tag(pw_hash, s->pw_tag);
	s->created = s->last = now;
	s->used = true;
	return s;
}

struct web_sess *
web_sess_find(struct web_sessions *ss, const char *id, uint64_t now)
{
	struct web_sess	*s;
	size_t		 i;

	if (id == NULL || strlen(id) != WEB_HEX_ID - 1)
		return NULL;
	for (i = 0; i < WEB_SESS_MAX; i++) {
		s = &ss->s[i];
		if (!s->used || CRYPTO_memcmp(s->id, id, WEB_HEX_ID - 1) != 0)
			continue;
		if (now - s->last >= ss->idle_s ||
		    now - s->created >= ss->abs_s) {
			web_sess_del(s);
			return NULL;
		}
		s->last = now;
		return s;
	}
	return NULL;
}

void
web_sess_drop_name(struct web_sessions *ss, const char *name)
{
	size_t	 i;

	for (i = 0; i < WEB_SESS_MAX; i++)
		if (ss->s[i].used && strcmp(ss->s[i].name, name) == 0)
			web_sess_del(&ss->s[i]);
}

bool
web_sess_pw_current(const struct web_sess *s, const char *pw_hash)
{
	uint8_t	 tag[32];

	pw_tag(pw_hash, tag);
	return CRYPTO_memcmp(tag, s->pw_tag, sizeof(tag)) == 0;
}

bool
web_csrf_ok(const struct web_sess *s, const char *hdr)
{
	return hdr && strlen(hdr) == WEB_HEX_ID - 1 &&
	    CRYPTO_memcmp(hdr, s->csrf, WEB_HEX_ID - 1) == 0;
}

/* --- throttle ---------------------------------------------------------- */

void
web_thr_init(struct web_throttle *t)
{
	memset(t, 0, sizeof(*t));
	t->user_fails = WEB_THR_USER_FAILS;
	t->addr_fails = WEB_THR_ADDR_FAILS;
	t->window_s = WEB_THR_WINDOW_S;
	t->block_s = WEB_THR_BLOCK_S;
}

/* The entry for key; create: take a free, stale or else the oldest. */
static struct web_thr_ent *
thr_find(struct web_throttle *t, const char *key, bool create, uint64_t now)
{
	struct web_thr_ent	*e, *spare = NULL;
	size_t			 i;

	for (i = 0; i < WEB_THR_MAX; i++) {
		e = &t->e[i];
		if (e->key[0] && strcmp(e->key, key) == 0)
			return e;
		if (e->key[0] && e->until <= now &&
		    now - e->first >= t->window_s)
			e->key[0] = '\0';	/* stale */
		if (spare == NULL || (spare->key[0] && (!e->key[0] ||
		    (e->until <= now && e->first < spare->first))))
			spare = e;
	}
	if (!create)
		return NULL;
	memset(spare, 0, sizeof(*spare));
	snprintf(spare->key, sizeof(spare->key), "%s", key);
	spare->first = now;
	return spare;
}

static uint64_t
thr_left(struct web_throttle *t, const char *key, uint64_t now)
{
	struct web_thr_ent	*e = thr_find(t, key, false, now);

	return e && e->until > now ? e->until - now : 0;
}

uint64_t
web_thr_blocked(struct web_throttle *t, const char *user, const char *addr,
    uint64_t now)
{
	char		 k[96];
	uint64_t	 a, b;

	snprintf(k, sizeof(k), "u:%s", user);
	a = thr_left(t, k, now);
	snprintf(k, sizeof(k), "a:%s", addr);
	b = thr_left(t, k, now);
	return a > b ? a : b;
}

static void
thr_fail1(struct web_throttle *t, const char *key, unsigned int limit,
    uint64_t now)
{
	struct web_thr_ent	*e = thr_find(t, key, true, now);

	if (now - e->first >= t->window_s) {
		e->first = now;
		e->fails = 0;
	}
	if (++e->fails >= limit) {
		e->until = now + t->block_s;
		e->fails = 0;
		e->first = now;
	}
}

void
web_thr_fail(struct web_throttle *t, const char *user, const char *addr,
    uint64_t now)
{
	char	 k[96];

	snprintf(k, sizeof(k), "u:%s", user);
	thr_fail1(t, k, t->user_fails, now);
	snprintf(k, sizeof(k), "a:%s", addr);
	thr_fail1(t, k, t->addr_fails, now);
}

void
web_thr_ok(struct web_throttle *t, const char *user, uint64_t now)
{
	struct web_thr_ent	*e;
	char			 k[96];

	snprintf(k, sizeof(k), "u:%s", user);
	if ((e = thr_find(t, k, false, now)) != NULL && e->until <= now)
		e->fails = 0;
}
