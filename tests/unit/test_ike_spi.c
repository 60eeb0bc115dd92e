/*
 * test_ike_spi.c: the SPI table IKEv1 and IKEv2 share (server/ike/
 * ike_spi.c).  A scripted random source makes draws collide on purpose:
 * a taken SPI is never handed out twice, whichever engine holds it; 0
 * is never an IKE SPI (RFC 7296 3.1: the responder's SPI in a request
 * is 0 only before it is chosen) and ESP SPIs 0-255 are reserved (RFC
 * 4303 2.1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_spi.h"
#include "rg_test.h"

/* The scripted random source: values in order, then failure. */
static uint64_t	 script[16];
static size_t	 nscript, pos;

static int
scripted(void *p, size_t n)
{
	if (pos >= nscript)
		return -1;
	if (n == 8)
		memcpy(p, &script[pos], 8);
	else {
		uint32_t v = (uint32_t)script[pos];

		memcpy(p, &v, 4);
	}
	pos++;
	return 0;
}

static void
play(const uint64_t *v, size_t n)
{
	memcpy(script, v, n * sizeof(*v));
	nscript = n;
	pos = 0;
}

#define PLAY(...) do {							\
	static const uint64_t v_[] = { __VA_ARGS__ };			\
	play(v_, sizeof(v_) / sizeof(v_[0]));				\
} while (0)

static void
ike_spis_unique(void)
{
	struct ike_spis	*t = ike_spis_new();
	uint64_t	 a, b;

	ike_spis_set_random(t, scripted);
	PLAY(0, 0x1111, 0x1111, 0x2222);
	CHECK_EQ(ike_spi_ike_new(t, &a), 0);
	CHECK_EQ(a, 0x1111);		/* 0 was skipped */
	CHECK_EQ(ike_spi_ike_new(t, &b), 0);
	CHECK_EQ(b, 0x2222);		/* 0x1111 was taken */
	CHECK(ike_spi_ike_taken(t, a) && ike_spi_ike_taken(t, b));
	CHECK(!ike_spi_ike_taken(t, 0));
	CHECK_EQ(ike_spi_ike_count(t), 2);
	/* Released, the value can be drawn again. */
	ike_spi_ike_release(t, a);
	CHECK(!ike_spi_ike_taken(t, a));
	PLAY(0x2222, 0x1111);
	CHECK_EQ(ike_spi_ike_new(t, &a), 0);
	CHECK_EQ(a, 0x1111);
	/* Nothing but taken values: give up, do not spin. */
	PLAY(0x1111, 0x2222, 0x1111);
	CHECK_EQ(ike_spi_ike_new(t, &a), -1);
	CHECK_EQ(a, 0);
	CHECK_EQ(ike_spi_ike_count(t), 2);
	ike_spis_unref(t);
}

static void
esp_spis_unique(void)
{
	struct ike_spis	*t = ike_spis_new();

	ike_spis_set_random(t, scripted);
	PLAY(0, 1, 255, 0xc0ffee, 0xc0ffee, 256);
	CHECK_EQ(ike_spi_esp_new(t), 0xc0ffee);	/* 0-255 reserved */
	CHECK_EQ(ike_spi_esp_new(t), 256);
	CHECK(ike_spi_esp_taken(t, 0xc0ffee));
	CHECK_EQ(ike_spi_esp_count(t), 2);
	/* ESP and IKE values live apart: 256 as an IKE SPI is free. */
	CHECK(!ike_spi_ike_taken(t, 256));
	ike_spi_esp_release(t, 256);
	CHECK_EQ(ike_spi_esp_count(t), 1);
	PLAY(0xc0ffee);
	CHECK_EQ(ike_spi_esp_new(t), 0);	/* none left in the script */
	ike_spis_unref(t);
}

/* Two engines (IKEv2 and, later, IKEv1) hold one table. */
static void
shared_between_versions(void)
{
	struct ike_spis	*v2 = ike_spis_new();
	struct ike_spis	*v1 = ike_spis_ref(v2);
	uint64_t	 a, b;

	ike_spis_set_random(v2, scripted);
	PLAY(0xabcdef0123456789ULL, 0xabcdef0123456789ULL, 42, 0x5000,
	    0x5000, 0x5001);
	CHECK_EQ(ike_spi_ike_new(v2, &a), 0);	/* an IKEv2 SA's SPIr */
	CHECK_EQ(ike_spi_ike_new(v1, &b), 0);	/* an IKEv1 responder cookie */
	CHECK(a != b);
	CHECK_EQ(b, 42);
	CHECK_EQ(ike_spi_esp_new(v2), 0x5000);
	CHECK_EQ(ike_spi_esp_new(v1), 0x5001);
	ike_spis_unref(v2);			/* the IKEv2 engine goes */
	CHECK(ike_spi_ike_taken(v1, a));
	CHECK_EQ(ike_spi_esp_count(v1), 2);
	ike_spis_unref(v1);
}

/* Many values in and out: deletion keeps every other value findable. */
static void
churn(void)
{
	struct ike_spis	*t = ike_spis_new();
	enum { N = 3000 };
	uint64_t	*ike = calloc(N, sizeof(*ike));
	uint32_t	*esp = calloc(N, sizeof(*esp));
	size_t		 taken = 0;

	CHECK(ike != NULL && esp != NULL);
	if (ike == NULL || esp == NULL)
		goto out;
	for (size_t i = 0; i < N; i++) {
		CHECK_EQ(ike_spi_ike_new(t, &ike[i]), 0);
		CHECK((esp[i] = ike_spi_esp_new(t)) >= 256);
	}
	CHECK_EQ(ike_spi_ike_count(t), N);
	CHECK_EQ(ike_spi_esp_count(t), N);
	for (size_t i = 0; i < N; i += 3) {
		ike_spi_ike_release(t, ike[i]);
		ike_spi_esp_release(t, esp[i]);
	}
	for (size_t i = 0; i < N; i++) {
		bool	 want = i % 3 != 0;

		if (ike_spi_ike_taken(t, ike[i]) != want ||
		    ike_spi_esp_taken(t, esp[i]) != want)
			printf("  value %zu wrong after release\n", i);
		else
			taken++;
	}
	CHECK_EQ(taken, N);
	CHECK_EQ(ike_spi_ike_count(t), N - (N + 2) / 3);
	/* Releasing what is not taken changes nothing. */
	ike_spi_ike_release(t, ike[0]);
	ike_spi_esp_release(t, 0);
	CHECK_EQ(ike_spi_ike_count(t), N - (N + 2) / 3);
out:
	free(ike);
	free(esp);
	ike_spis_unref(t);
}

RG_TEST_MAIN("ike_spi", T(ike_spis_unique), T(esp_spis_unique),
    T(shared_between_versions), T(churn))
