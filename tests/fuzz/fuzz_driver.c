/*
 * fuzz_driver.c: runs a libFuzzer target (LLVMFuzzerTestOneInput) without
 * libFuzzer, so every fuzz target also runs in `tests/run` under gcc's
 * ASan+UBSan: each seed file given on the command line as is, then
 * RG_FUZZ_ITERS (default 20000, or the target's rg_fuzz_iters())
 * deterministic mutations of the seeds (bit flips, truncations, byte
 * insertions, length-field smashing).  Prints "PASS fuzz.<name>" when
 * nothing crashed, with what the target adds through rg_fuzz_report()
 * (e.g. how many inputs got past decryption).  RG_FUZZ_RNG=n picks
 * another sequence of mutations; RG_FUZZ_SAVE=file keeps each mutation
 * there before it runs, so a crash leaves its input.  For
 * coverage-guided fuzzing build the same target with clang
 * -fsanitize=fuzzer (tests/fuzz/run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
/* Optional, in the target: a few words for the PASS line, and its own
 * default number of mutations (a target that sets up an IKE SA per input
 * costs a hundred times more than a decoder). */
void	rg_fuzz_report(char *, size_t) __attribute__((weak));
long	rg_fuzz_iters(void) __attribute__((weak));

#define MAXSEEDS	256
#define MAXLEN		65536

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

int
main(int argc, char **argv)
{
	static uint8_t	 buf[MAXLEN];
	uint8_t		*seeds[MAXSEEDS];
	size_t		 lens[MAXSEEDS], nseeds = 0, len, i, k;
	const char	*name = getenv("RG_FUZZ_NAME");
	const char	*save = getenv("RG_FUZZ_SAVE");
	char		 extra[128] = "";
	long		 iters = 20000;
	FILE		*f;
	int		 a;

	if (getenv("RG_FUZZ_RNG"))	/* another deterministic sequence */
		rng ^= strtoull(getenv("RG_FUZZ_RNG"), NULL, 10) * 2 + 1;
	if (rg_fuzz_iters != NULL)
		iters = rg_fuzz_iters();
	if (getenv("RG_FUZZ_ITERS"))
		iters = strtol(getenv("RG_FUZZ_ITERS"), NULL, 10);
	for (a = 1; a < argc && nseeds < MAXSEEDS; a++) {
		if ((f = fopen(argv[a], "rb")) == NULL)
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		seeds[nseeds] = malloc(len ? len : 1);
		memcpy(seeds[nseeds], buf, len);
		lens[nseeds++] = len;
		LLVMFuzzerTestOneInput(buf, len);
	}
	if (nseeds == 0) {
		seeds[0] = calloc(1, 64);
		lens[0] = 64;
		nseeds = 1;
	}
	for (i = 0; i < (size_t)iters; i++) {
		k = rnd() % nseeds;
		len = lens[k];
		memcpy(buf, seeds[k], len);
		switch (rnd() % 5) {
		case 0:	/* flip bits */
			for (a = 0; a < 1 + (int)(rnd() % 4) && len; a++)
				buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:	/* truncate */
			len = len ? rnd() % len : 0;
			break;
		case 2:	/* random byte runs */
			for (a = 0; a < 1 + (int)(rnd() % 8) && len; a++)
				buf[rnd() % len] = (uint8_t)rnd();
			break;
		case 3:	/* smash a 16-bit field with an extreme value */
			if (len >= 2) {
				size_t	 o = rnd() % (len - 1);
				uint16_t v = (rnd() & 1) ? 0xffff : (uint16_t)(rnd() % 8);

				buf[o] = v >> 8;
				buf[o + 1] = v & 0xff;
			}
			break;
		default:	/* insert bytes */
			if (len + 16 < sizeof(buf)) {
				size_t	 o = len ? rnd() % len : 0, n = 1 + rnd() % 16;

				memmove(buf + o + n, buf + o, len - o);
				for (a = 0; a < (int)n; a++)
					buf[o + (size_t)a] = (uint8_t)rnd();
				len += n;
			}
			break;
		}
		if (save != NULL && (f = fopen(save, "wb")) != NULL) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	if (rg_fuzz_report != NULL) {
		extra[0] = ',';
		extra[1] = ' ';
		rg_fuzz_report(extra + 2, sizeof(extra) - 2);
	}
	printf("PASS fuzz.%s (%zu seeds, %ld mutations%s)\n",
	    name ? name : argv[0], nseeds, iters, extra);
	return 0;
}
