/*
 * rg_buf: owned byte buffers (wiped on free) and bounded readers/writers
 * for every wire format.  A short read stores zero and sets a sticky error,
 * so a decoder reads a run of fields and checks r->err once.  Writers have
 * a hard maximum and a sticky error the same way.
 */
#ifndef RG_BUF_H
#define RG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rg_buf {
	uint8_t	*data;		/* owned; wiped on free */
	size_t	 len;
};

struct rg_buf	*rg_buf_new(size_t len);
struct rg_buf	*rg_buf_dup(const void *data, size_t len);
struct rg_buf	*rg_buf_concat(const struct rg_buf *a, const struct rg_buf *b);
void		 rg_buf_free(struct rg_buf *);	/* wipes; NULL is a no-op */

/* A bounded view into bytes owned elsewhere. */
struct rg_rd {
	const uint8_t	*cur;
	const uint8_t	*end;
	bool		 err;
};

static inline void
rg_rd_init(struct rg_rd *r, const void *p, size_t len)
{
	r->cur = p;
	r->end = r->cur + len;
	r->err = false;
}

static inline size_t
rg_rd_left(const struct rg_rd *r)
{
	return r->err ? 0 : (size_t)(r->end - r->cur);
}

int	rg_rd_u8(struct rg_rd *, uint8_t *);
int	rg_rd_u16(struct rg_rd *, uint16_t *);
int	rg_rd_u32(struct rg_rd *, uint32_t *);
int	rg_rd_u64(struct rg_rd *, uint64_t *);
int	rg_rd_bytes(struct rg_rd *, void *, size_t);	/* copy out */
int	rg_rd_skip(struct rg_rd *, size_t);
/* Sub-reader over the next len bytes; the parent advances past them. */
int	rg_rd_sub(struct rg_rd *, size_t len, struct rg_rd *sub);
/* Pointer to the next len bytes (a view), or NULL with err set. */
const uint8_t	*rg_rd_ptr(struct rg_rd *, size_t len);
/* Remaining bytes as a sub-reader; the parent is left empty. */
struct rg_rd	 rg_rd_rest(struct rg_rd *);

struct rg_wr {
	uint8_t	*base;
	size_t	 cap;
	size_t	 len;
	bool	 err;
};

static inline void
rg_wr_init(struct rg_wr *w, void *p, size_t cap)
{
	w->base = p;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

int	rg_wr_u8(struct rg_wr *, uint8_t);
int	rg_wr_u16(struct rg_wr *, uint16_t);
int	rg_wr_u32(struct rg_wr *, uint32_t);
int	rg_wr_u64(struct rg_wr *, uint64_t);
int	rg_wr_bytes(struct rg_wr *, const void *, size_t);
int	rg_wr_zero(struct rg_wr *, size_t);
/* Reserve n bytes to fill later (e.g. a length); returns offset or -1. */
long	rg_wr_reserve(struct rg_wr *, size_t n);
void	rg_wr_put_u16_at(struct rg_wr *, size_t off, uint16_t);
void	rg_wr_put_u32_at(struct rg_wr *, size_t off, uint32_t);

/* Big-endian helpers for code that works on raw packet bytes. */
static inline uint16_t
rg_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rg_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
rg_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
rg_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Hex for public data only (never keys). out must hold 2*len+1. */
void	rg_hex(char *out, const void *data, size_t len);

#endif
