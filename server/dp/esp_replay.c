/*
 * esp_replay.c: the ESP anti-replay window (RFC 4303 3.4.3) with extended
 * sequence numbers (RFC 4304, RFC 4303 Appendix A).
 *
 * The window is a ring of 64-bit words, one more than the window needs, so
 * sliding forward only clears the words the new top passes (as in RFC 6479)
 * and a check is one shift and one mask.  Sequence numbers are kept as full
 * 64-bit values; without ESN the high half is always zero.
 */
#include <stdlib.h>

#include "esp.h"

int
esp_replay_init(struct esp_replay *rp, uint32_t window, bool esn)
{
	if (window == 0)
		window = ESP_REPLAY_DEF;
	if (window > ESP_REPLAY_MAX)
		window = ESP_REPLAY_MAX;
	window = (window + 63) & ~63u;
	rp->window = window;
	rp->nwords = window / 64 + 1;
	rp->top = 0;
	rp->esn = esn;
	rp->bm = calloc(rp->nwords, sizeof(*rp->bm));
	return rp->bm ? 0 : -1;
}

void
esp_replay_free(struct esp_replay *rp)
{
	free(rp->bm);
	rp->bm = NULL;
}

/*
 * RFC 4303 A2.2: which 2^32 block a received low half belongs to, judged
 * against the window's bottom edge.  A guess below block 0 yields 0, which
 * no check accepts.
 */
uint64_t
esp_replay_infer(const struct esp_replay *rp, uint32_t seq_lo)
{
	uint32_t	 tl = (uint32_t)rp->top, th = (uint32_t)(rp->top >> 32);
	uint32_t	 w = rp->window, bottom = tl - w + 1;	/* mod 2^32 */

	if (!rp->esn)
		return seq_lo;
	if (tl >= w - 1) {			/* case A: window in one block */
		if (seq_lo >= bottom)
			return (uint64_t)th << 32 | seq_lo;
		if (th == UINT32_MAX)
			return 0;
		return (uint64_t)(th + 1) << 32 | seq_lo;
	}
	/* case B: the window spans the block boundary */
	if (seq_lo >= bottom) {
		if (th == 0)
			return 0;
		return (uint64_t)(th - 1) << 32 | seq_lo;
	}
	return (uint64_t)th << 32 | seq_lo;
}

int
esp_replay_check(const struct esp_replay *rp, uint64_t seq)
{
	uint64_t	 w;

	if (seq == 0)
		return -ESP_E_REPLAY;	/* never sent (RFC 4303 3.3.3) */
	if (seq > rp->top)
		return 0;
	if (rp->top - seq >= rp->window)
		return -ESP_E_REPLAY;
	w = rp->bm[(seq >> 6) % rp->nwords];
	return (w >> (seq & 63)) & 1 ? -ESP_E_REPLAY : 0;
}

void
esp_replay_update(struct esp_replay *rp, uint64_t seq)
{
	uint64_t	 i, from, to;

	if (seq > rp->top) {
		from = rp->top >> 6;
		to = seq >> 6;
		if (to - from >= rp->nwords) {
			for (i = 0; i < rp->nwords; i++)
				rp->bm[i] = 0;
		} else {
			for (i = from + 1; i <= to; i++)
				rp->bm[i % rp->nwords] = 0;
		}
		rp->top = seq;
	}
	rp->bm[(seq >> 6) % rp->nwords] |= (uint64_t)1 << (seq & 63);
}
