/*
 * store_secret.c: secrets at rest.  The 32-byte key in DIR/secret.key
 * (created 0600 with O_CREAT|O_EXCL, then renamed into place; refused when
 * group or others may read it) seals passwords, NT hashes, PSKs and private
 * keys with AES-256-GCM.  Sealed form: version byte 1 | 12-byte random
 * nonce | ciphertext | 16-byte tag; the AAD names the table, column and
 * row ("users.password_enc:alice") so a sealed value cannot be moved to
 * another row.  Also the NT hash (MD4 of UTF-16LE, RFC 1320 / RFC 2759
 * 8.3) stored for MS-CHAPv2: OpenSSL 3 keeps MD4 in its legacy provider,
 * so the 48-step compression function is written out here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "store_int.h"

#define SEAL_VERSION	1
#define SEAL_NONCE	12
#define SEAL_TAG	16
#define SEAL_OVERHEAD	(1 + SEAL_NONCE + SEAL_TAG)

static int
key_create(const char *dir, const char *path, char *err, size_t errlen)
{
	char	 tmp[4096];
	uint8_t	 key[32];
	int	 fd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld", dir, STORE_KEY_NAME,
	    (long)getpid());
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (RAND_bytes(key, sizeof(key)) != 1) {
		snprintf(err, errlen, "no random bytes for %s", path);
		goto out;
	}
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	close(fd);
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

int
store_key_load(struct store *st, bool create, char *err, size_t errlen)
{
	char		 path[4096];
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", st->dir, STORE_KEY_NAME);
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		if (!create) {
			snprintf(err, errlen, "%s is missing but the store "
			    "exists: its secrets cannot be decrypted; restore "
			    "the key file", path);
			return -1;
		}
		if (key_create(st->dir, path, err, errlen) < 0)
			return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & 077) {
		snprintf(err, errlen, "%s: readable by group or others (mode "
		    "%03o); refusing it: chmod 600 it", path,
		    (unsigned int)(sb.st_mode & 0777));
		close(fd);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by us (%u)",
		    path, (unsigned int)sb.st_uid, (unsigned int)geteuid());
		close(fd);
		return -1;
	}
	n = read(fd, st->key, sizeof(st->key));
	close(fd);
	if (n != (ssize_t)sizeof(st->key) || sb.st_size != 32) {
		OPENSSL_cleanse(st->key, sizeof(st->key));
		snprintf(err, errlen, "%s: not a 32-byte key", path);
		return -1;
	}
	return 0;
}

int
store_seal(struct store *st, const char *aad, const uint8_t *pt, size_t len,
    uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*c = NULL;
	uint8_t		*buf;
	int		 n, rc = -1;

	*out = NULL;
	if (len > 1 << 20 || (buf = malloc(len + SEAL_OVERHEAD)) == NULL)
		return -1;
	buf[0] = SEAL_VERSION;
	if (RAND_bytes(buf + 1, SEAL_NONCE) != 1 ||
	    (c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, st->key,
	    buf + 1) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const uint8_t *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(c, buf + 1 + SEAL_NONCE, &n, pt,
	    (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, buf + 1 + SEAL_NONCE + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    buf + 1 + SEAL_NONCE + len) != 1)
		goto out;
	*out = buf;
	*outlen = len + SEAL_OVERHEAD;
	buf = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	if (buf) {
		OPENSSL_cleanse(buf, len + SEAL_OVERHEAD);
		free(buf);
	}
	return rc;
}

int
store_unseal(struct store *st, const char *aad, const uint8_t *ct,
    size_t len, uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX	*c = NULL;
	uint8_t		*buf = NULL, tag[SEAL_TAG];
	size_t		 plen;
	int		 n, rc = -1;

	*out = NULL;
	if (ct == NULL || len < SEAL_OVERHEAD || ct[0] != SEAL_VERSION)
		return -1;
	plen = len - SEAL_OVERHEAD;
	if ((buf = malloc(plen + 1)) == NULL)
		return -1;
	memcpy(tag, ct + len - SEAL_TAG, SEAL_TAG);
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, st->key,
	    ct + 1) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const uint8_t *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(c, buf, &n, ct + 1 + SEAL_NONCE,
	    (int)plen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, tag) != 1 ||
	    EVP_DecryptFinal_ex(c, buf + n, &n) != 1)
		goto out;
	buf[plen] = '\0';
	*out = buf;
	*outlen = plen;
	buf = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	if (buf) {
		OPENSSL_cleanse(buf, plen + 1);
		free(buf);
	}
	return rc;
}

/* RFC 1320 MD4, enough for NT hashes. */
#define MD4_F(x, y, z)	(((x) & (y)) | (~(x) & (z)))
#define MD4_G(x, y, z)	(((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define MD4_H(x, y, z)	((x) ^ (y) ^ (z))
#define ROTL(x, s)	(((x) << (s)) | ((x) >> (32 - (s))))

static void
md4_block(uint32_t h[4], const uint8_t blk[64])
{
	static const uint8_t	 r2[16] = { 0, 4, 8, 12, 1, 5, 9, 13, 2, 6,
	    10, 14, 3, 7, 11, 15 };
	static const uint8_t	 r3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9,
	    5, 13, 3, 11, 7, 15 };
	static const uint8_t	 s1[4] = { 3, 7, 11, 19 }, s2[4] = { 3, 5, 9,
	    13 }, s3[4] = { 3, 9, 11, 15 };
	uint32_t		 x[16], a = h[0], b = h[1], c = h[2], d = h[3],
				 t;
	int			 i;

	for (i = 0; i < 16; i++)
		x[i] = (uint32_t)blk[i * 4] | (uint32_t)blk[i * 4 + 1] << 8 |
		    (uint32_t)blk[i * 4 + 2] << 16 |
		    (uint32_t)blk[i * 4 + 3] << 24;
	for (i = 0; i < 48; i++) {
		if (i < 16)
			t = a + MD4_F(b, c, d) + x[i];
		else if (i < 32)
			t = a + MD4_G(b, c, d) + x[r2[i - 16]] + 0x5a827999;
		else
			t = a + MD4_H(b, c, d) + x[r3[i - 32]] + 0x6ed9eba1;
		t = ROTL(t, (i < 16 ? s1 : i < 32 ? s2 : s3)[i % 4]);
		a = d;
		d = c;
		c = b;
		b = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	OPENSSL_cleanse(x, sizeof(x));
}

static void
md4(const uint8_t *m, size_t len, uint8_t out[16])
{
	uint32_t	 h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe,
	    0x10325476 };
	uint8_t		 blk[64];
	size_t		 i, rest;
	uint64_t	 bits = (uint64_t)len * 8;

	for (i = 0; i + 64 <= len; i += 64)
		md4_block(h, m + i);
	rest = len - i;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, m + i, rest);
	blk[rest] = 0x80;
	if (rest >= 56) {
		md4_block(h, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (i = 0; i < 8; i++)
		blk[56 + i] = (uint8_t)(bits >> (8 * i));
	md4_block(h, blk);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(h[i / 4] >> (8 * (i % 4)));
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(h, sizeof(h));
}

/* UTF-8 to UTF-16LE (RFC 2759 8.3 NtPasswordHash takes Unicode). */
void
store_nt_hash(const char *pw, uint8_t out[16])
{
	const uint8_t	*s = (const uint8_t *)pw;
	size_t		 len = strlen(pw), i = 0, n = 0;
	uint8_t		*u;
	uint32_t	 cp;

	if ((u = calloc(len * 4 + 4, 1)) == NULL) {
		memset(out, 0, 16);
		return;
	}
	while (i < len) {
		if (s[i] < 0x80) {
			cp = s[i++];
		} else if ((s[i] & 0xe0) == 0xc0 && i + 1 < len) {
			cp = (uint32_t)(s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f);
			i += 2;
		} else if ((s[i] & 0xf0) == 0xe0 && i + 2 < len) {
			cp = (uint32_t)(s[i] & 0x0f) << 12 |
			    (uint32_t)(s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);
			i += 3;
		} else if ((s[i] & 0xf8) == 0xf0 && i + 3 < len) {
			cp = (uint32_t)(s[i] & 0x07) << 18 |
			    (uint32_t)(s[i + 1] & 0x3f) << 12 |
			    (uint32_t)(s[i + 2] & 0x3f) << 6 |
			    (s[i + 3] & 0x3f);
			i += 4;
		} else {
			cp = s[i++];	/* stray byte: take it as Latin-1 */
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[n++] = (uint8_t)((0xd800 | cp >> 10) & 0xff);
			u[n++] = (uint8_t)((0xd800 | cp >> 10) >> 8);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		u[n++] = (uint8_t)(cp & 0xff);
		u[n++] = (uint8_t)(cp >> 8);
	}
	md4(u, n, out);
	OPENSSL_cleanse(u, len * 4 + 4);
	free(u);
}
