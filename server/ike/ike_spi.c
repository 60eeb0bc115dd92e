/*
 * ike_spi.c: which local IKE and ESP SPIs are taken, for both IKE versions
 * (see ike_spi.h).  Two open-addressing sets of 64-bit keys (0 = empty
 * slot, a value no SPI we hand out can take), linear probing, deletion by
 * backward shift so no tombstones pile up; a set grows at half full.
 * About 16-32 bytes per SPI.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_prf.h"
#include "ike_spi.h"

#define SET_MIN		64
#define DRAW_TRIES	64	/* a full 2^32 ESP space is not our problem */

struct spi_set {
	uint64_t	*slot;		/* owned; cap entries */
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
};

struct ike_spis {
	int		 refs;
	int		 (*rnd)(void *, size_t);
	struct spi_set	 ike, esp;
};

static size_t
home(uint64_t k, size_t cap)
{
	/* Fibonacci hashing: SPIs are random, but a test's are not. */
	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static bool
set_has(const struct spi_set *s, uint64_t k)
{
	if (s->cap == 0)
		return false;
	for (size_t i = home(k, s->cap); s->slot[i] != 0;
	    i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return true;
	return false;
}

static void
set_put(uint64_t *slot, size_t cap, uint64_t k)
{
	size_t	 i = home(k, cap);

	while (slot[i] != 0)
		i = (i + 1) & (cap - 1);
	slot[i] = k;
}

static int
set_add(struct spi_set *s, uint64_t k)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t		 cap = s->cap ? s->cap * 2 : SET_MIN;
		uint64_t	*slot = calloc(cap, sizeof(*slot));

		if (slot == NULL)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i] != 0)
				set_put(slot, cap, s->slot[i]);
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	set_put(s->slot, s->cap, k);
	s->n++;
	return 0;
}

static void
set_del(struct spi_set *s, uint64_t k)
{
	size_t	 mask = s->cap - 1, i, j;

	if (s->cap == 0)
		return;
	for (i = home(k, s->cap); s->slot[i] != k; i = (i + 1) & mask)
		if (s->slot[i] == 0)
			return;
	s->slot[i] = 0;
	s->n--;
	/* Pull later members of the probe run back over the hole, unless
	 * their home lies cyclically in (i, j]. */
	for (j = (i + 1) & mask; s->slot[j] != 0; j = (j + 1) & mask) {
		size_t	 h = home(s->slot[j], s->cap);

		if (((j - h) & mask) >= ((j - i) & mask)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

struct ike_spis *
ike_spis_new(void)
{
	struct ike_spis	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->refs = 1;
	t->rnd = ike_random;
	return t;
}

struct ike_spis *
ike_spis_ref(struct ike_spis *t)
{
	t->refs++;
	return t;
}

void
ike_spis_unref(struct ike_spis *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	free(t->ike.slot);
	free(t->esp.slot);
	free(t);
}

void
ike_spis_set_random(struct ike_spis *t, int (*rnd)(void *, size_t))
{
	t->rnd = rnd;
}

int
ike_spi_ike_new(struct ike_spis *t, uint64_t *spi)
{
	uint64_t	 k;

	for (int i = 0; i < DRAW_TRIES; i++) {
		if (t->rnd(&k, sizeof(k)) < 0)
			break;
		if (k == 0 || set_has(&t->ike, k))
			continue;
		if (set_add(&t->ike, k) < 0)
			break;
		*spi = k;
		return 0;
	}
	*spi = 0;
	return -1;
}

void
ike_spi_ike_release(struct ike_spis *t, uint64_t spi)
{
	if (spi != 0)
		set_del(&t->ike, spi);
}

bool
ike_spi_ike_taken(const struct ike_spis *t, uint64_t spi)
{
	return spi != 0 && set_has(&t->ike, spi);
}

uint32_t
ike_spi_esp_new(struct ike_spis *t)
{
	uint32_t	 k;

	for (int i = 0; i < DRAW_TRIES; i++) {
		if (t->rnd(&k, sizeof(k)) < 0)
			break;
		if (k < 256 || set_has(&t->esp, k))
			continue;
		if (set_add(&t->esp, k) < 0)
			break;
		return k;
	}
	return 0;
}

void
ike_spi_esp_release(struct ike_spis *t, uint32_t spi)
{
	if (spi != 0)
		set_del(&t->esp, spi);
}

bool
ike_spi_esp_taken(const struct ike_spis *t, uint32_t spi)
{
	return spi != 0 && set_has(&t->esp, spi);
}

size_t
ike_spi_ike_count(const struct ike_spis *t)
{
	return t->ike.n;
}

size_t
ike_spi_esp_count(const struct ike_spis *t)
{
	return t->esp.n;
}
