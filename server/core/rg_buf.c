/*
 * rg_buf.c: owned buffers and the bounded reader/writer every codec uses.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "rg_buf.h"

struct rg_buf *
rg_buf_new(size_t len)
{
	struct rg_buf	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	/* Always allocate at least one byte so data is never NULL. */
	if ((b->data = calloc(1, len ? len : 1)) == NULL) {
		free(b);
		return NULL;
	}
	b->len = len;
	return b;
}

struct rg_buf *
rg_buf_dup(const void *data, size_t len)
{
	struct rg_buf	*b;

	if ((b = rg_buf_new(len)) == NULL)
		return NULL;
	if (len)
		memcpy(b->data, data, len);
	return b;
}

struct rg_buf *
rg_buf_concat(const struct rg_buf *a, const struct rg_buf *b)
{
	struct rg_buf	*c;

	if ((c = rg_buf_new(a->len + b->len)) == NULL)
		return NULL;
	memcpy(c->data, a->data, a->len);
	memcpy(c->data + a->len, b->data, b->len);
	return c;
}

void
rg_buf_free(struct rg_buf *b)
{
	if (b == NULL)
		return;
	OPENSSL_cleanse(b->data, b->len);
	free(b->data);
	free(b);
}

static const uint8_t *
rd_take(struct rg_rd *r, size_t n)
{
	const uint8_t	*p;

	if (r->err || (size_t)(r->end - r->cur) < n) {
		r->err = true;
		return NULL;
	}
	p = r->cur;
	r->cur += n;
	return p;
}

int
rg_rd_u8(struct rg_rd *r, uint8_t *v)
{
	const uint8_t	*p = rd_take(r, 1);

	*v = p ? p[0] : 0;
	return p ? 0 : -1;
}

int
rg_rd_u16(struct rg_rd *r, uint16_t *v)
{
	const uint8_t	*p = rd_take(r, 2);

	*v = p ? rg_get_u16(p) : 0;
	return p ? 0 : -1;
}

int
rg_rd_u32(struct rg_rd *r, uint32_t *v)
{
	const uint8_t	*p = rd_take(r, 4);

	*v = p ? rg_get_u32(p) : 0;
	return p ? 0 : -1;
}

int
rg_rd_u64(struct rg_rd *r, uint64_t *v)
{
	const uint8_t	*p = rd_take(r, 8);

	*v = p ? (uint64_t)rg_get_u32(p) << 32 | rg_get_u32(p + 4) : 0;
	return p ? 0 : -1;
}

int
rg_rd_bytes(struct rg_rd *r, void *out, size_t n)
{
	const uint8_t	*p = rd_take(r, n);

	if (p == NULL) {
		memset(out, 0, n);
		return -1;
	}
	memcpy(out, p, n);
	return 0;
}

int
rg_rd_skip(struct rg_rd *r, size_t n)
{
	return rd_take(r, n) ? 0 : -1;
}

const uint8_t *
rg_rd_ptr(struct rg_rd *r, size_t n)
{
	return rd_take(r, n);
}

int
rg_rd_sub(struct rg_rd *r, size_t n, struct rg_rd *sub)
{
	const uint8_t	*p = rd_take(r, n);

	if (p == NULL) {
		sub->cur = sub->end = NULL;
		sub->err = true;
		return -1;
	}
	rg_rd_init(sub, p, n);
	return 0;
}

struct rg_rd
rg_rd_rest(struct rg_rd *r)
{
	struct rg_rd	 s;

	if (r->err) {
		s.cur = s.end = NULL;
		s.err = true;
		return s;
	}
	rg_rd_init(&s, r->cur, (size_t)(r->end - r->cur));
	r->cur = r->end;
	return s;
}

static uint8_t *
wr_take(struct rg_wr *w, size_t n)
{
	uint8_t	*p;

	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	p = w->base + w->len;
	w->len += n;
	return p;
}

int
rg_wr_u8(struct rg_wr *w, uint8_t v)
{
	uint8_t	*p = wr_take(w, 1);

	if (p == NULL)
		return -1;
	p[0] = v;
	return 0;
}

int
rg_wr_u16(struct rg_wr *w, uint16_t v)
{
	uint8_t	*p = wr_take(w, 2);

	if (p == NULL)
		return -1;
	rg_put_u16(p, v);
	return 0;
}

int
rg_wr_u32(struct rg_wr *w, uint32_t v)
{
	uint8_t	*p = wr_take(w, 4);

	if (p == NULL)
		return -1;
	rg_put_u32(p, v);
	return 0;
}

int
rg_wr_u64(struct rg_wr *w, uint64_t v)
{
	uint8_t	*p = wr_take(w, 8);

	if (p == NULL)
		return -1;
	rg_put_u32(p, (uint32_t)(v >> 32));
	rg_put_u32(p + 4, (uint32_t)v);
	return 0;
}

int
rg_wr_bytes(struct rg_wr *w, const void *data, size_t n)
{
	uint8_t	*p = wr_take(w, n);

	if (p == NULL)
		return -1;
	if (n)
		memcpy(p, data, n);
	return 0;
}

int
rg_wr_zero(struct rg_wr *w, size_t n)
{
	uint8_t	*p = wr_take(w, n);

	if (p == NULL)
		return -1;
	memset(p, 0, n);
	return 0;
}

long
rg_wr_reserve(struct rg_wr *w, size_t n)
{
	size_t	 off = w->len;

	if (wr_take(w, n) == NULL)
		return -1;
	memset(w->base + off, 0, n);
	return (long)off;
}

void
rg_wr_put_u16_at(struct rg_wr *w, size_t off, uint16_t v)
{
	if (!w->err && off + 2 <= w->len)
		rg_put_u16(w->base + off, v);
}

void
rg_wr_put_u32_at(struct rg_wr *w, size_t off, uint32_t v)
{
	if (!w->err && off + 4 <= w->len)
		rg_put_u32(w->base + off, v);
}

void
rg_hex(char *out, const void *data, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	const uint8_t		*p = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}
