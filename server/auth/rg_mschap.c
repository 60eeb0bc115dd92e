/*
 * rg_mschap.c: MS-CHAPv2 primitives (RFC 2759 section 8) and the MPPE
 * master/start keys (RFC 3079 section 3.4), on OpenSSL 3 EVP.  MD4 and
 * single DES live in the legacy provider: we load it with the default
 * provider into a private OSSL_LIB_CTX once, so nothing else in the
 * process sees legacy algorithms.  Secrets on the stack are wiped at out:.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "rg_log.h"
#include "rg_mschap.h"

static pthread_once_t	 legacy_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX	*legacy_ctx;
static EVP_MD		*md_md4;
static EVP_MD		*md_sha1;
static EVP_CIPHER	*ciph_des;

static void
legacy_init(void)
{
	if ((legacy_ctx = OSSL_LIB_CTX_new()) == NULL)
		return;
	/* Both: legacy for MD4/DES, default for SHA-1. Kept for the process. */
	if (OSSL_PROVIDER_load(legacy_ctx, "legacy") == NULL ||
	    OSSL_PROVIDER_load(legacy_ctx, "default") == NULL) {
		rg_err(CORE, "mschap: OpenSSL legacy provider not available "
		    "(MD4/DES for MS-CHAPv2); install the OpenSSL legacy module");
		return;
	}
	md_md4 = EVP_MD_fetch(legacy_ctx, "MD4", NULL);
	md_sha1 = EVP_MD_fetch(legacy_ctx, "SHA1", NULL);
	ciph_des = EVP_CIPHER_fetch(legacy_ctx, "DES-ECB", NULL);
	if (md_md4 == NULL || md_sha1 == NULL || ciph_des == NULL)
		rg_err(CORE, "mschap: cannot fetch MD4/SHA1/DES-ECB");
}

static int
algs_ready(void)
{
	pthread_once(&legacy_once, legacy_init);
	return md_md4 && md_sha1 && ciph_des ? 0 : -1;
}

/* One-shot digest over up to four parts. */
static int
digest(const EVP_MD *md, uint8_t *out, const void *a, size_t alen,
    const void *b, size_t blen, const void *c, size_t clen,
    const void *d, size_t dlen)
{
	EVP_MD_CTX	*ctx;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 ||
	    (blen && EVP_DigestUpdate(ctx, b, blen) != 1) ||
	    (clen && EVP_DigestUpdate(ctx, c, clen) != 1) ||
	    (dlen && EVP_DigestUpdate(ctx, d, dlen) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* UTF-8 to UTF-16LE; invalid sequences are taken byte by byte (Latin-1). */
static size_t
utf8_to_utf16le(const char *s, uint8_t *out, size_t cap)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 n = 0;
	uint32_t	 cp;
	int		 more;

	while (*p) {
		more = 0;
		if (p[0] < 0x80) {
			cp = p[0];
		} else if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			more = 1;
		} else if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 |
			    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			more = 2;
		} else if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
			cp = (uint32_t)(p[0] & 0x07) << 18 |
			    (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			more = 3;
		} else {
			cp = p[0];
		}
		p += 1 + more;
		if (cp >= 0x10000) {
			uint32_t	 v = cp - 0x10000;
			uint16_t	 hi = 0xd800 | (v >> 10);
			uint16_t	 lo = 0xdc00 | (v & 0x3ff);

			if (n + 4 > cap)
				return (size_t)-1;
			out[n++] = hi & 0xff;
			out[n++] = hi >> 8;
			out[n++] = lo & 0xff;
			out[n++] = lo >> 8;
		} else {
			if (n + 2 > cap)
				return (size_t)-1;
			out[n++] = cp & 0xff;
			out[n++] = cp >> 8;
		}
	}
	return n;
}

int
rg_mschap_nt_hash(const char *password, uint8_t out[16])
{
	uint8_t	 u16[512];	/* RFC 2759: passwords up to 256 characters */
	size_t	 n;
	int	 rc = -1;

	if (algs_ready() < 0)
		return -1;
	n = utf8_to_utf16le(password, u16, sizeof(u16));
	if (n == (size_t)-1)
		goto out;
	rc = digest(md_md4, out, u16, n, NULL, 0, NULL, 0, NULL, 0);
out:
	OPENSSL_cleanse(u16, sizeof(u16));
	return rc;
}

int
rg_mschap_nt_hash_hash(const uint8_t nt_hash[16], uint8_t out[16])
{
	if (algs_ready() < 0)
		return -1;
	return digest(md_md4, out, nt_hash, 16, NULL, 0, NULL, 0, NULL, 0);
}

const char *
rg_mschap_user_part(const char *name, size_t len, size_t *out_len)
{
	const char	*bs = memchr(name, '\\', len);

	if (bs == NULL) {
		*out_len = len;
		return name;
	}
	*out_len = len - (size_t)(bs + 1 - name);
	return bs + 1;
}

int
rg_mschap_challenge_hash(const uint8_t peer_chal[16],
    const uint8_t auth_chal[16], const char *user, size_t user_len,
    uint8_t out[8])
{
	uint8_t	 md[20];
	int	 rc;

	if (algs_ready() < 0)
		return -1;
	rc = digest(md_sha1, md, peer_chal, 16, auth_chal, 16, user,
	    user_len, NULL, 0);
	memcpy(out, md, 8);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/* DES with a 7-byte key spread over 8 bytes (RFC 2759 8.6). */
static int
des_encrypt(const uint8_t clear[8], const uint8_t key7[7], uint8_t out[8])
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 key[8];
	int		 outl = 0, rc = -1, i;

	key[0] = key7[0];
	for (i = 1; i < 7; i++)
		key[i] = (uint8_t)(key7[i - 1] << (8 - i) | key7[i] >> i);
	key[7] = (uint8_t)(key7[6] << 1);
	for (i = 0; i < 8; i++)	/* odd parity in the low bit */
		key[i] = (key[i] & 0xfe) |
		    ((__builtin_popcount(key[i] >> 1) & 1) ? 0 : 1);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (EVP_EncryptInit_ex(ctx, ciph_des, NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &outl, clear, 8) != 1 || outl != 8)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
rg_mschap_challenge_response(const uint8_t challenge[8],
    const uint8_t nt_hash[16], uint8_t out[24])
{
	uint8_t	 z[21];
	int	 rc = -1;

	if (algs_ready() < 0)
		return -1;
	memset(z, 0, sizeof(z));
	memcpy(z, nt_hash, 16);
	if (des_encrypt(challenge, z, out) < 0 ||
	    des_encrypt(challenge, z + 7, out + 8) < 0 ||
	    des_encrypt(challenge, z + 14, out + 16) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	return rc;
}

int
rg_mschap_nt_response(const uint8_t auth_chal[16], const uint8_t peer_chal[16],
    const char *user, size_t user_len, const uint8_t nt_hash[16],
    uint8_t out[24])
{
	uint8_t	 ch[8];
	int	 rc = -1;

	if (rg_mschap_challenge_hash(peer_chal, auth_chal, user, user_len,
	    ch) < 0)
		goto out;
	rc = rg_mschap_challenge_response(ch, nt_hash, out);
out:
	OPENSSL_cleanse(ch, sizeof(ch));
	return rc;
}

/* RFC 2759 8.7 */
static const char auth_magic1[] = "Magic server to client signing constant";
static const char auth_magic2[] =
    "Pad to make it do more than one iteration";

int
rg_mschap_auth_response(const uint8_t nt_hash[16], const uint8_t nt_resp[24],
    const uint8_t peer_chal[16], const uint8_t auth_chal[16],
    const char *user, size_t user_len, char out[RG_MSCHAP_AUTHRESP_LEN + 1])
{
	static const char	 hex[] = "0123456789ABCDEF";
	uint8_t			 hh[16], md[20], ch[8];
	int			 rc = -1, i;

	if (rg_mschap_nt_hash_hash(nt_hash, hh) < 0 ||
	    digest(md_sha1, md, hh, 16, nt_resp, 24, auth_magic1,
	    sizeof(auth_magic1) - 1, NULL, 0) < 0 ||
	    rg_mschap_challenge_hash(peer_chal, auth_chal, user, user_len,
	    ch) < 0 ||
	    digest(md_sha1, md, md, 20, ch, 8, auth_magic2,
	    sizeof(auth_magic2) - 1, NULL, 0) < 0)
		goto out;
	out[0] = 'S';
	out[1] = '=';
	for (i = 0; i < 20; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[RG_MSCHAP_AUTHRESP_LEN] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(hh, sizeof(hh));
	OPENSSL_cleanse(md, sizeof(md));
	OPENSSL_cleanse(ch, sizeof(ch));
	return rc;
}

/* RFC 3079 3.4 */
static const char mppe_magic1[] = "This is the MPPE Master Key";
static const char mppe_magic2[] =
    "On the client side, this is the send key; "
    "on the server side, it is the receive key.";
static const char mppe_magic3[] =
    "On the client side, this is the receive key; "
    "on the server side, it is the send key.";

int
rg_mschap_master_key(const uint8_t nt_hash_hash[16], const uint8_t nt_resp[24],
    uint8_t out[16])
{
	uint8_t	 md[20];
	int	 rc;

	if (algs_ready() < 0)
		return -1;
	rc = digest(md_sha1, md, nt_hash_hash, 16, nt_resp, 24, mppe_magic1,
	    sizeof(mppe_magic1) - 1, NULL, 0);
	memcpy(out, md, 16);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int
rg_mschap_asym_start_key(const uint8_t master_key[16], uint8_t *out,
    size_t key_len, int is_send, int is_server)
{
	uint8_t		 pad1[40], pad2[40], md[20];
	const char	*s;
	int		 rc;

	if (algs_ready() < 0 || key_len > 16)
		return -1;
	/* Send on the server, receive on the client: Magic3. */
	s = (is_send != 0) == (is_server != 0) ? mppe_magic3 : mppe_magic2;
	memset(pad1, 0x00, sizeof(pad1));
	memset(pad2, 0xf2, sizeof(pad2));
	rc = digest(md_sha1, md, master_key, 16, pad1, 40, s, strlen(s),
	    pad2, 40);
	memcpy(out, md, key_len);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int
rg_mschap_msk(const uint8_t nt_hash[16], const uint8_t nt_resp[24],
    uint8_t out[RG_MSCHAP_MSK_LEN])
{
	uint8_t	 hh[16], mk[16];
	int	 rc = -1;

	memset(out, 0, RG_MSCHAP_MSK_LEN);
	if (rg_mschap_nt_hash_hash(nt_hash, hh) < 0 ||
	    rg_mschap_master_key(hh, nt_resp, mk) < 0 ||
	    rg_mschap_asym_start_key(mk, out, 16, 0, 1) < 0 ||
	    rg_mschap_asym_start_key(mk, out + 16, 16, 1, 1) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		OPENSSL_cleanse(out, RG_MSCHAP_MSK_LEN);
	OPENSSL_cleanse(hh, sizeof(hh));
	OPENSSL_cleanse(mk, sizeof(mk));
	return rc;
}
