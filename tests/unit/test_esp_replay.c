/*
 * test_esp_replay.c: the anti-replay window (server/esp_replay.c), table
 * driven: RFC 4303 3.4.3 (slide, duplicate, too old) and Appendix A2.2
 * (ESN high-half inference across the 2^32 boundary).
 */
#include "esp.h"
#include "rg_test.h"

/* op 'a': accept-and-record seq (expect rc); op 'c': check only. */
struct step {
	char		 op;
	uint64_t	 seq;
	int		 rc;
};

struct rcase {
	const char	*name;
	uint32_t	 window;
	bool		 esn;
	uint64_t	 start;		/* top before the steps */
	struct step	 steps[12];
};

#define R	(-ESP_E_REPLAY)
#define B32	0x100000000ULL

static const struct rcase rcases[] = {
	{ "fresh", 1024, false, 0, {
	    { 'a', 1, 0 }, { 'a', 1, R }, { 'a', 3, 0 }, { 'a', 2, 0 },
	    { 'a', 2, R }, { 'c', 0, R } } },
	{ "slide", 1024, false, 0, {
	    { 'a', 5000, 0 }, { 'a', 5000 - 1023, 0 }, { 'a', 5000 - 1024, R },
	    { 'a', 4000, 0 }, { 'a', 4000, R }, { 'a', 6024, 0 },
	    { 'a', 5001, 0 }, { 'a', 5000, R }, { 'a', 5000 - 1023, R } } },
	{ "jump beyond window clears it", 1024, false, 0, {
	    { 'a', 10, 0 }, { 'a', 100000, 0 }, { 'c', 100000 - 1023, 0 },
	    { 'c', 10, R }, { 'a', 99999, 0 }, { 'a', 99999, R } } },
	{ "small window rounds up to 64", 10, false, 0, {
	    { 'a', 100, 0 }, { 'c', 37, 0 }, { 'c', 36, R } } },
	{ "word boundaries", 128, false, 0, {
	    { 'a', 63, 0 }, { 'a', 64, 0 }, { 'a', 127, 0 }, { 'a', 128, 0 },
	    { 'a', 63, R }, { 'a', 64, R }, { 'a', 191, 0 }, { 'a', 64, R },
	    { 'a', 65, 0 }, { 'a', 256, 0 }, { 'a', 191, R },
	    { 'a', 200, 0 } } },
	{ "esn across 2^32", 1024, true, B32 - 3, {
	    { 'a', B32 - 2, 0 }, { 'a', B32 + 5, 0 }, { 'a', B32 - 1, 0 },
	    { 'a', B32 - 2, R }, { 'a', B32 + 5, R }, { 'a', B32, 0 } } },
};

static void
table(void)
{
	size_t	 c, s;

	for (c = 0; c < sizeof(rcases) / sizeof(rcases[0]); c++) {
		const struct rcase	*rc = &rcases[c];
		struct esp_replay	 rp;

		CHECK_EQ(esp_replay_init(&rp, rc->window, rc->esn), 0);
		if (rc->start)
			esp_replay_update(&rp, rc->start);
		for (s = 0; s < 12 && rc->steps[s].op; s++) {
			const struct step	*st = &rc->steps[s];
			int			 got;

			got = esp_replay_check(&rp, st->seq);
			if (got == 0 && st->op == 'a')
				esp_replay_update(&rp, st->seq);
			if (got != st->rc)
				printf("  %s step %zu seq %llu\n", rc->name, s,
				    (unsigned long long)st->seq);
			CHECK_EQ(got, st->rc);
		}
		esp_replay_free(&rp);
	}
}

/* RFC 4303 A2.2: the high half guessed from the window's bottom. */
struct icase {
	uint64_t	 top;
	uint32_t	 lo;
	uint64_t	 want;
};

static const struct icase icases[] = {
	{ 0, 1, 1 },
	{ 0, 0xffffffff, 0 },			/* below block 0: invalid */
	{ 5000, 4000, 4000 },			/* case A, in window */
	{ 5000, 3000, B32 + 3000 },		/* case A, below: next block */
	{ B32 - 1, 5, B32 + 5 },		/* wrap forward */
	{ B32 + 10, 0xfffffff0, 0xfffffff0 },	/* case B, previous block */
	{ B32 + 10, 20, B32 + 20 },		/* case B, same block */
	{ 7 * B32 + 100, 0xfffffd00, 6 * B32 + 0xfffffd00 },
	{ 7 * B32 + 100, 0xfffffb00, 7 * B32 + 0xfffffb00 },
};

static void
esn_inference(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(icases) / sizeof(icases[0]); i++) {
		struct esp_replay	 rp;

		CHECK_EQ(esp_replay_init(&rp, 1024, true), 0);
		rp.top = icases[i].top;
		CHECK_EQ(esp_replay_infer(&rp, icases[i].lo), icases[i].want);
		esp_replay_free(&rp);
	}
}

static void
no_esn_keeps_low_half(void)
{
	struct esp_replay	 rp;

	CHECK_EQ(esp_replay_init(&rp, 0, false), 0);
	CHECK_EQ(rp.window, ESP_REPLAY_DEF);
	rp.top = 0xfffffff0;
	CHECK_EQ(esp_replay_infer(&rp, 5), 5);	/* too old, not next block */
	CHECK_EQ(esp_replay_check(&rp, 5), -ESP_E_REPLAY);
	esp_replay_free(&rp);
}

RG_TEST_MAIN("esp_replay", T(table), T(esn_inference), T(no_esn_keeps_low_half))
