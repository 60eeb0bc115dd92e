/* Unit tests for the bounded reader/writer (server/rg_buf.c). */
#include <stdint.h>

#include "rg_buf.h"
#include "rg_test.h"

static void
rd_fields(void)
{
	static const uint8_t	 b[] = { 1, 0x02, 0x03, 0, 0, 0, 4, 9 };
	struct rg_rd		 r;
	uint8_t			 v8;
	uint16_t		 v16;
	uint32_t		 v32;

	rg_rd_init(&r, b, sizeof(b));
	rg_rd_u8(&r, &v8);
	rg_rd_u16(&r, &v16);
	rg_rd_u32(&r, &v32);
	CHECK(!r.err);
	CHECK_EQ(v8, 1);
	CHECK_EQ(v16, 0x0203);
	CHECK_EQ(v32, 4);
	CHECK_EQ(rg_rd_left(&r), 1);
}

static void
rd_short_is_sticky(void)
{
	static const uint8_t	 b[] = { 1, 2, 3 };
	struct rg_rd		 r;
	uint32_t		 v32 = 7;
	uint8_t			 v8 = 7;

	rg_rd_init(&r, b, sizeof(b));
	CHECK(rg_rd_u32(&r, &v32) < 0);
	CHECK_EQ(v32, 0);
	/* Bytes remain, but the error is sticky. */
	CHECK(rg_rd_u8(&r, &v8) < 0);
	CHECK_EQ(v8, 0);
	CHECK(r.err);
	CHECK_EQ(rg_rd_left(&r), 0);
}

static void
rd_sub_bounds_inner_length(void)
{
	static const uint8_t	 b[] = { 0, 2, 0xaa, 0xbb, 0xcc };
	struct rg_rd		 r, sub;
	uint16_t		 len;
	uint32_t		 v;

	rg_rd_init(&r, b, sizeof(b));
	rg_rd_u16(&r, &len);
	rg_rd_sub(&r, len, &sub);
	CHECK(!r.err);
	/* Reading 4 bytes from a 2-byte sub-reader fails even though the
	 * parent has more: an inner length cannot overrun its payload. */
	CHECK(rg_rd_u32(&sub, &v) < 0);
	CHECK_EQ(rg_rd_left(&r), 1);
}

static void
rd_huge_length(void)
{
	static const uint8_t	 b[] = { 1, 2 };
	struct rg_rd		 r, sub;

	rg_rd_init(&r, b, sizeof(b));
	CHECK(rg_rd_sub(&r, SIZE_MAX, &sub) < 0);
	CHECK(rg_rd_ptr(&r, SIZE_MAX - 1) == NULL);
}

static void
wr_bounded(void)
{
	uint8_t		 b[6];
	struct rg_wr	 w;
	long		 off;

	rg_wr_init(&w, b, sizeof(b));
	off = rg_wr_reserve(&w, 2);
	rg_wr_u32(&w, 0x01020304);
	CHECK(!w.err);
	rg_wr_put_u16_at(&w, (size_t)off, 6);
	CHECK_EQ(b[1], 6);
	CHECK_EQ(b[5], 4);
	CHECK(rg_wr_u8(&w, 1) < 0);
	CHECK(w.err);
	CHECK_EQ(w.len, 6);
}

static void
buf_dup_concat(void)
{
	struct rg_buf	*a = rg_buf_dup("ab", 2), *b = rg_buf_dup("cd", 2);
	struct rg_buf	*c = rg_buf_concat(a, b);

	CHECK(c != NULL && c->len == 4);
	CHECK_MEM(c->data, "abcd", 4);
	rg_buf_free(a);
	rg_buf_free(b);
	rg_buf_free(c);
	rg_buf_free(NULL);
}

RG_TEST_MAIN("rg_buf", T(rd_fields), T(rd_short_is_sticky),
    T(rd_sub_bounds_inner_length), T(rd_huge_length), T(wr_bounded),
    T(buf_dup_concat))
