/*
 * radius_pkt.c: the RADIUS codec (radius_pkt.h).  Every read is bounded
 * by the header's length and each attribute's own; MD5 and HMAC-MD5
 * come from OpenSSL's EVP interface.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "radius_pkt.h"
#include "rg_buf.h"

/* MD5 over up to four pieces. */
static int
md5(uint8_t out[16], const void *a, size_t al, const void *b, size_t bl,
    const void *c, size_t cl, const void *d, size_t dl)
{
	EVP_MD_CTX	*x;
	int		 ok;

	if ((x = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(x, EVP_md5(), NULL) == 1 &&
	    (al == 0 || EVP_DigestUpdate(x, a, al) == 1) &&
	    (bl == 0 || EVP_DigestUpdate(x, b, bl) == 1) &&
	    (cl == 0 || EVP_DigestUpdate(x, c, cl) == 1) &&
	    (dl == 0 || EVP_DigestUpdate(x, d, dl) == 1) &&
	    EVP_DigestFinal_ex(x, out, NULL) == 1;
	EVP_MD_CTX_free(x);
	return ok ? 0 : -1;
}

void
rad_pkt_init(struct rad_pkt *p, uint8_t code, uint8_t id,
    const uint8_t auth[RAD_AUTH_LEN])
{
	memset(p, 0, sizeof(*p));
	p->buf[0] = code;
	p->buf[1] = id;
	if (auth != NULL && code != RAD_ACCT_REQUEST)
		memcpy(p->buf + 4, auth, RAD_AUTH_LEN);
	p->len = RAD_HDR_LEN;
	/* BlastRADIUS: the Message-Authenticator first in the request. */
	if (code == RAD_ACCESS_REQUEST)
		(void)rad_add_ma(p);
}

int
rad_add(struct rad_pkt *p, uint8_t type, const void *val, size_t len)
{
	if (p->err || len > RAD_MAX_ATTR || p->len + 2 + len > RAD_MAX_LEN) {
		p->err = true;
		return -1;
	}
	p->buf[p->len] = type;
	p->buf[p->len + 1] = (uint8_t)(2 + len);
	if (len > 0)
		memcpy(p->buf + p->len + 2, val, len);
	p->len += 2 + len;
	return 0;
}

int
rad_add_ma(struct rad_pkt *p)
{
	static const uint8_t	 zero[16];

	if (p->ma_off != 0 || rad_add(p, RAD_MESSAGE_AUTHENTICATOR, zero,
	    sizeof(zero)) < 0) {
		p->err = true;
		return -1;
	}
	p->ma_off = p->len - 16;
	return 0;
}

int
rad_add_str(struct rad_pkt *p, uint8_t type, const char *s)
{
	return rad_add(p, type, s, strlen(s));
}

int
rad_add_u32(struct rad_pkt *p, uint8_t type, uint32_t v)
{
	uint8_t	 b[4];

	rg_put_u32(b, v);
	return rad_add(p, type, b, 4);
}

int
rad_add_vsa(struct rad_pkt *p, uint32_t vendor, uint8_t vtype,
    const void *val, size_t len)
{
	uint8_t	 b[RAD_MAX_ATTR];

	if (len > RAD_MAX_ATTR - 6) {
		p->err = true;
		return -1;
	}
	rg_put_u32(b, vendor);
	b[4] = vtype;
	b[5] = (uint8_t)(2 + len);
	memcpy(b + 6, val, len);
	return rad_add(p, RAD_VENDOR_SPECIFIC, b, 6 + len);
}

int
rad_add_password(struct rad_pkt *p, const char *password,
    const uint8_t *secret, size_t slen)
{
	uint8_t		 pw[RAD_MAX_PASSWORD], b[16];
	const uint8_t	*prev = p->buf + 4;
	size_t		 n = strlen(password), padded, i, j;
	int		 rc = -1;

	if (n == 0 || n > RAD_MAX_PASSWORD) {
		p->err = true;
		return -1;
	}
	padded = (n + 15) & ~(size_t)15;
	memset(pw, 0, sizeof(pw));
	memcpy(pw, password, n);
	/* c(1) = p1 ^ MD5(S + RA); c(i) = p(i) ^ MD5(S + c(i-1)). */
	for (i = 0; i < padded; i += 16) {
		if (md5(b, secret, slen, prev, 16, NULL, 0, NULL, 0) < 0)
			goto out;
		for (j = 0; j < 16; j++)
			pw[i + j] ^= b[j];
		prev = pw + i;
	}
	rc = rad_add(p, RAD_USER_PASSWORD, pw, padded);
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(b, sizeof(b));
	if (rc < 0)
		p->err = true;
	return rc;
}

/* HMAC-MD5 of the packet as it stands (the MA field zeroed first). */
static int
fill_ma(struct rad_pkt *p, const uint8_t *secret, size_t slen)
{
	unsigned int	 mlen = 16;

	memset(p->buf + p->ma_off, 0, 16);
	if (HMAC(EVP_md5(), secret, (int)slen, p->buf, p->len,
	    p->buf + p->ma_off, &mlen) == NULL)
		return -1;
	return 0;
}

int
rad_pkt_finish(struct rad_pkt *p, const uint8_t *secret, size_t slen)
{
	uint8_t	 a[16];

	if (p->err)
		return -1;
	rg_put_u16(p->buf + 2, (uint16_t)p->len);
	if (p->buf[0] == RAD_ACCT_REQUEST ||
	    p->buf[0] == RAD_DISCONNECT_REQUEST ||
	    p->buf[0] == RAD_COA_REQUEST) {
		/* RFC 2866 3, RFC 5176 3.5:
		 * MD5(Code+Id+Length+16 zeros+Attributes+S). */
		memset(p->buf + 4, 0, 16);
		if (p->ma_off != 0 && fill_ma(p, secret, slen) < 0)
			return -1;
		if (md5(a, p->buf, p->len, secret, slen, NULL, 0, NULL, 0) < 0)
			return -1;
		memcpy(p->buf + 4, a, 16);
		return 0;
	}
	if (p->ma_off != 0 && fill_ma(p, secret, slen) < 0)
		return -1;
	return 0;
}

int
rad_pkt_finish_reply(struct rad_pkt *p, const uint8_t *secret, size_t slen)
{
	uint8_t	 a[16];

	if (p->err)
		return -1;
	rg_put_u16(p->buf + 2, (uint16_t)p->len);
	/* RFC 3579 3.2: the MA covers the Request Authenticator, which the
	 * buffer holds until the Response Authenticator replaces it. */
	if (p->ma_off != 0 && fill_ma(p, secret, slen) < 0)
		return -1;
	if (md5(a, p->buf, p->len, secret, slen, NULL, 0, NULL, 0) < 0)
		return -1;
	memcpy(p->buf + 4, a, 16);
	return 0;
}

static int
parse_vsa(struct rad_msg *m, const uint8_t *v, size_t len)
{
	uint32_t	 vendor;
	size_t		 off;

	/* Vendor-Id, then (for the RFC 2865 5.26 format every vendor we
	 * read uses) sub-attributes type, length >= 2, value. */
	if (len < 4)
		return -1;
	vendor = rg_get_u32(v);
	off = 4;
	if (off == len)
		return -1;
	while (off < len) {
		if (len - off < 2 || v[off + 1] < 2 || v[off + 1] > len - off)
			return -1;
		if (m->nattrs == RAD_MAX_ATTRS)
			return -1;
		m->attrs[m->nattrs++] = (struct rad_attr){ RAD_VENDOR_SPECIFIC,
		    vendor, v[off], v + off + 2, (uint8_t)(v[off + 1] - 2) };
		off += v[off + 1];
	}
	return 0;
}

int
rad_parse(const uint8_t *p, size_t n, struct rad_msg *m, const char **why)
{
	size_t		 len, off;
	uint8_t		 alen;

	m->nattrs = 0;
	if (n < RAD_HDR_LEN) {
		*why = "shorter than a header";
		return -1;
	}
	len = rg_get_u16(p + 2);
	if (len < RAD_HDR_LEN || len > RAD_MAX_LEN || len > n) {
		*why = "bad length";
		return -1;
	}
	m->code = p[0];
	m->id = p[1];
	m->len = (uint16_t)len;
	m->auth = p + 4;
	m->raw = p;
	for (off = RAD_HDR_LEN; off < len; off += alen) {
		if (len - off < 2 || (alen = p[off + 1]) < 2 ||
		    alen > len - off) {
			*why = "bad attribute length";
			return -1;
		}
		if (p[off] == RAD_VENDOR_SPECIFIC) {
			if (parse_vsa(m, p + off + 2, alen - 2u) < 0) {
				*why = "bad Vendor-Specific attribute";
				return -1;
			}
			continue;
		}
		if (m->nattrs == RAD_MAX_ATTRS) {
			*why = "too many attributes";
			return -1;
		}
		m->attrs[m->nattrs++] = (struct rad_attr){ p[off], 0, 0,
		    p + off + 2, (uint8_t)(alen - 2) };
	}
	return 0;
}

const struct rad_attr *
rad_find(const struct rad_msg *m, uint8_t type)
{
	size_t	 i;

	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].vendor == 0 && m->attrs[i].type == type)
			return &m->attrs[i];
	return NULL;
}

const struct rad_attr *
rad_find_vsa(const struct rad_msg *m, uint32_t vendor, uint8_t vtype)
{
	size_t	 i;

	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].type == RAD_VENDOR_SPECIFIC &&
		    m->attrs[i].vendor == vendor && m->attrs[i].vtype == vtype)
			return &m->attrs[i];
	return NULL;
}

int
rad_get_u32(const struct rad_msg *m, uint8_t type, uint32_t *v)
{
	const struct rad_attr	*a = rad_find(m, type);

	if (a == NULL || a->len != 4)
		return -1;
	*v = rg_get_u32(a->val);
	return 0;
}

int
rad_verify_reply(const struct rad_msg *m, const uint8_t req_auth[16],
    const uint8_t *secret, size_t slen, bool require_ma, const char **why)
{
	uint8_t		 copy[RAD_MAX_LEN], a[16], mac[16];
	unsigned int	 mlen = sizeof(mac);
	const uint8_t	*ma = NULL;
	size_t		 i, nma = 0;
	bool		 access;

	access = m->code == RAD_ACCESS_ACCEPT || m->code == RAD_ACCESS_REJECT ||
	    m->code == RAD_ACCESS_CHALLENGE;
	for (i = 0; i < m->nattrs; i++)
		if (m->attrs[i].vendor == 0 &&
		    m->attrs[i].type == RAD_MESSAGE_AUTHENTICATOR) {
			ma = m->attrs[i].val;
			nma++;
			if (m->attrs[i].len != 16) {
				*why = "Message-Authenticator of a wrong size";
				return -1;
			}
		}
	if (nma > 1) {
		*why = "more than one Message-Authenticator";
		return -1;
	}
	/* RFC 2865 3: MD5(Code+ID+Length+RequestAuth+Attributes+Secret). */
	memcpy(copy, m->raw, m->len);
	memcpy(copy + 4, req_auth, 16);
	if (md5(a, copy, m->len, secret, slen, NULL, 0, NULL, 0) < 0 ||
	    CRYPTO_memcmp(a, m->auth, 16) != 0) {
		*why = "wrong Response Authenticator";
		return -1;
	}
	if (ma == NULL) {
		if (access && require_ma) {
			*why = "no Message-Authenticator";
			return -1;
		}
		return 0;
	}
	/* RFC 3579 3.2: HMAC-MD5 with the Request Authenticator in place
	 * and the attribute's value zeroed. */
	memset(copy + (ma - m->raw), 0, 16);
	if (HMAC(EVP_md5(), secret, (int)slen, copy, m->len, mac,
	    &mlen) == NULL || CRYPTO_memcmp(mac, ma, 16) != 0) {
		*why = "wrong Message-Authenticator";
		return -1;
	}
	return 0;
}

/* RFC 2548 2.4.2 both ways: b(1) = MD5(S + R + A), b(i) = MD5(S + c(i-1)),
 * where c is always the cipher text. */
static int
mppe_crypt(uint8_t *buf, size_t len, const uint8_t salt[2], bool decrypt,
    const uint8_t *secret, size_t slen, const uint8_t req_auth[16])
{
	uint8_t		 b[16], c[16];
	size_t		 i, j;
	int		 rc = 0;

	for (i = 0; i < len; i += 16) {
		if ((i == 0 ? md5(b, secret, slen, req_auth, 16, salt, 2,
		    NULL, 0) : md5(b, secret, slen, c, 16, NULL, 0, NULL,
		    0)) < 0) {
			rc = -1;
			break;
		}
		if (decrypt)
			memcpy(c, buf + i, 16);
		for (j = 0; j < 16; j++)
			buf[i + j] ^= b[j];
		if (!decrypt)
			memcpy(c, buf + i, 16);
	}
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int
rad_mppe_decrypt(const uint8_t *val, size_t len, const uint8_t *secret,
    size_t slen, const uint8_t req_auth[16], uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint8_t	 buf[RAD_MAX_ATTR];
	size_t	 n;
	int	 rc = -1;

	/* Salt (high bit set), then a multiple of 16. */
	if (len < 2 + 16 || (len - 2) % 16 != 0 || (val[0] & 0x80) == 0)
		return -1;
	n = len - 2;
	memcpy(buf, val + 2, n);
	if (mppe_crypt(buf, n, val, true, secret, slen, req_auth) < 0)
		goto out;
	if (buf[0] == 0 || buf[0] > n - 1 || buf[0] > cap)
		goto out;
	memcpy(out, buf + 1, buf[0]);
	*outlen = buf[0];
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
rad_mppe_encrypt(const uint8_t *key, size_t klen, uint16_t salt,
    const uint8_t *secret, size_t slen, const uint8_t req_auth[16],
    uint8_t *out, size_t cap, size_t *outlen)
{
	size_t	 n = (1 + klen + 15) & ~(size_t)15;

	if (klen == 0 || klen > 200 || cap < 2 + n)
		return -1;
	rg_put_u16(out, salt | 0x8000);
	memset(out + 2, 0, n);
	out[2] = (uint8_t)klen;
	memcpy(out + 3, key, klen);
	if (mppe_crypt(out + 2, n, out, false, secret, slen, req_auth) < 0)
		return -1;
	*outlen = 2 + n;
	return 0;
}

const char *
rad_code_name(uint8_t code)
{
	switch (code) {
	case RAD_ACCESS_REQUEST:	return "Access-Request";
	case RAD_ACCESS_ACCEPT:		return "Access-Accept";
	case RAD_ACCESS_REJECT:		return "Access-Reject";
	case RAD_ACCT_REQUEST:		return "Accounting-Request";
	case RAD_ACCT_RESPONSE:		return "Accounting-Response";
	case RAD_ACCESS_CHALLENGE:	return "Access-Challenge";
	default:			return "unknown code";
	}
}

int
rad_verify_request(const struct rad_msg *m, const uint8_t *secret,
    size_t slen, bool require_ma, const char **why)
{
	uint8_t			 buf[RAD_MAX_LEN], a[16], mac[16];
	unsigned int		 mlen = sizeof(mac);
	const struct rad_attr	*ma = rad_find(m, RAD_MESSAGE_AUTHENTICATOR);
	size_t			 off = 0;

	if (m->len > sizeof(buf) || m->len < RAD_HDR_LEN) {
		*why = "bad length";
		return -1;
	}
	if (ma == NULL && require_ma) {
		*why = "no Message-Authenticator";
		return -1;
	}
	memcpy(buf, m->raw, m->len);
	memset(buf + 4, 0, 16);
	if (ma != NULL) {
		if (ma->len != 16) {
			*why = "bad Message-Authenticator length";
			return -1;
		}
		off = (size_t)(ma->val - m->raw);
		memset(buf + off, 0, 16);
		if (HMAC(EVP_md5(), secret, (int)slen, buf, m->len, mac,
		    &mlen) == NULL || CRYPTO_memcmp(mac, ma->val, 16) != 0) {
			*why = "wrong Message-Authenticator";
			return -1;
		}
		memcpy(buf + off, ma->val, 16);
	}
	if (md5(a, buf, m->len, secret, slen, NULL, 0, NULL, 0) < 0 ||
	    CRYPTO_memcmp(a, m->auth, 16) != 0) {
		*why = "wrong Request Authenticator";
		return -1;
	}
	return 0;
}
