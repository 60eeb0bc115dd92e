/*
 * pool_bitmap.c: the slot bitmap of one address range.  One bit per
 * address (1 = not available) plus one summary bit per 64-bit word (1 =
 * word full), so finding a free slot costs a word test, at worst a scan of
 * nslots/4096 summary words; a rotating hint spreads allocations so a
 * just-released address is not handed straight to someone else.
 */
#include <stdlib.h>
#include <string.h>

#include "pool_int.h"

int
pool_range_init(struct pool_range *r, pool_u128 first, uint32_t n)
{
	uint32_t	 nfull, i;

	memset(r, 0, sizeof(*r));
	if (n == 0 || n > POOL_RANGE_MAX_SLOTS)
		return -1;
	r->first = first;
	r->nslots = n;
	r->nfree = n;
	r->nwords = (n + 63) / 64;
	nfull = (r->nwords + 63) / 64;
	r->nchunk = (n + POOL_CHUNK_SLOTS - 1) / POOL_CHUNK_SLOTS;
	r->bits = calloc(r->nwords, sizeof(uint64_t));
	r->full = calloc(nfull, sizeof(uint64_t));
	r->chunk = calloc(r->nchunk, sizeof(*r->chunk));
	if (r->bits == NULL || r->full == NULL || r->chunk == NULL) {
		pool_range_clear(r);
		return -1;
	}
	/* Bits past the last slot are taken, so a scan never returns them. */
	if (n % 64)
		r->bits[r->nwords - 1] = ~0ULL << (n % 64);
	/* Summary bits past the last word, likewise. */
	if (r->nwords % 64)
		r->full[nfull - 1] = ~0ULL << (r->nwords % 64);
	for (i = 0; i < r->nwords; i++)
		if (r->bits[i] == ~0ULL)
			r->full[i / 64] |= 1ULL << (i % 64);
	return 0;
}

void
pool_range_clear(struct pool_range *r)
{
	uint32_t	 i;

	for (i = 0; r->chunk && i < r->nchunk; i++)
		free(r->chunk[i]);
	free(r->chunk);
	free(r->bits);
	free(r->full);
	r->bits = r->full = NULL;
	r->chunk = NULL;
}

struct pool_lease *
pool_range_lease(const struct pool_range *r, uint32_t slot)
{
	struct pool_lease **c = r->chunk[slot / POOL_CHUNK_SLOTS];

	return c ? c[slot % POOL_CHUNK_SLOTS] : NULL;
}

/* l NULL clears the entry. */
int
pool_range_index(struct pool_range *r, uint32_t slot, struct pool_lease *l)
{
	struct pool_lease ***c = &r->chunk[slot / POOL_CHUNK_SLOTS];

	if (*c == NULL) {
		if (l == NULL)
			return 0;
		if ((*c = calloc(POOL_CHUNK_SLOTS, sizeof(**c))) == NULL)
			return -1;
	}
	(*c)[slot % POOL_CHUNK_SLOTS] = l;
	return 0;
}

bool
pool_range_test(const struct pool_range *r, uint32_t slot)
{
	return (r->bits[slot / 64] >> (slot % 64)) & 1;
}

void
pool_range_set(struct pool_range *r, uint32_t slot)
{
	uint32_t	 w = slot / 64;

	if (pool_range_test(r, slot))
		return;
	r->bits[w] |= 1ULL << (slot % 64);
	r->nfree--;
	if (r->bits[w] == ~0ULL)
		r->full[w / 64] |= 1ULL << (w % 64);
	r->hint = slot + 1 == r->nslots ? 0 : slot + 1;
}

void
pool_range_unset(struct pool_range *r, uint32_t slot)
{
	uint32_t	 w = slot / 64;

	if (!pool_range_test(r, slot))
		return;
	r->bits[w] &= ~(1ULL << (slot % 64));
	r->full[w / 64] &= ~(1ULL << (w % 64));
	r->nfree++;
}

/* First word at or after w (wrapping) that is not full. */
static uint32_t
nonfull_word(const struct pool_range *r, uint32_t w)
{
	uint32_t	 nfull = (r->nwords + 63) / 64, s = w / 64, i;
	uint64_t	 x;

	x = ~r->full[s] & (~0ULL << (w % 64));
	for (i = 0; x == 0 && i < nfull; i++) {
		s = s + 1 == nfull ? 0 : s + 1;
		x = ~r->full[s];
	}
	return s * 64 + (uint32_t)__builtin_ctzll(x);
}

int64_t
pool_range_find(const struct pool_range *r)
{
	uint32_t	 w = r->hint / 64;
	uint64_t	 x;

	if (r->nfree == 0)
		return -1;
	x = ~r->bits[w] & (~0ULL << (r->hint % 64));
	if (x == 0) {
		w = w + 1 == r->nwords ? 0 : w + 1;
		w = nonfull_word(r, w);
		x = ~r->bits[w];
	}
	return (int64_t)w * 64 + __builtin_ctzll(x);
}

pool_u128
pool_addr_u128(const struct rg_addr *a)
{
	pool_u128	 v = 0;
	int		 i, n = a->af == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		v = v << 8 | a->addr[i];
	return v;
}

pool_u128
pool_prefix_u128(const struct rg_prefix *p)
{
	struct rg_addr	 a;

	a.af = p->af;
	memcpy(a.addr, p->addr, 16);
	return pool_addr_u128(&a);
}

pool_u128
pool_host_mask(int af, uint8_t plen)
{
	int	 bits = af == AF_INET ? 32 : 128;

	if (plen >= bits)
		return 0;
	if (bits - plen == 128)
		return ~(pool_u128)0;
	return ((pool_u128)1 << (bits - plen)) - 1;
}

void
pool_u128_addr(int af, pool_u128 v, struct rg_addr *a)
{
	int	 i, n = af == AF_INET ? 4 : 16;

	memset(a, 0, sizeof(*a));
	a->af = af;
	for (i = n - 1; i >= 0; i--) {
		a->addr[i] = (uint8_t)v;
		v >>= 8;
	}
}

bool
pool_addr_eq(const struct rg_addr *a, const struct rg_addr *b)
{
	return a->af == b->af &&
	    memcmp(a->addr, b->addr, a->af == AF_INET ? 4 : 16) == 0;
}
