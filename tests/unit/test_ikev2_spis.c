/*
 * test_ikev2_spis: the IKEv2 engine takes its local SPIs from the table
 * it shares with IKEv1 (server/ike/ike_spi.c): our IKE SPI (SPIr, RFC
 * 7296 3.1) and our inbound ESP SPI are taken while the SAs live, so an
 * IKEv1 engine on the same table cannot draw them, and given back when
 * the SAs go.  Driven in memory by the test initiator.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_spi.h"
#include "ikev2.h"
#include "ikev2_fixture.h"
#include "rg_test.h"

static void
engine_uses_shared_table(void)
{
	struct ike_spis	*t = ike_spis_new();
	struct ike_spis	*other = ike_spis_new();
	struct ikev2_engine *e = fx_engine(fx_config("modern"));
	struct ikev2_ini *i;
	json_t		*st;
	const char	*s;
	uint64_t	 spi_r = 0, sid;

	CHECK_EQ(ikev2_engine_set_spis(e, t), 0);
	i = fx_connect(e, &fx_gcm);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	/* One IKE SA, one CHILD SA: one of each taken in the shared table. */
	CHECK_EQ(ike_spi_ike_count(t), 1);
	CHECK_EQ(ike_spi_esp_count(t), 1);
	st = ikev2_engine_status_json(e);
	s = json_string_value(json_object_get(json_array_get(
	    json_object_get(st, "sessions"), 0), "spi_r"));
	if (s != NULL)
		spi_r = strtoull(s, NULL, 16);
	sid = (uint64_t)json_integer_value(json_object_get(json_array_get(
	    json_object_get(st, "sessions"), 0), "session_id"));
	json_decref(st);
	CHECK(spi_r != 0 && ike_spi_ike_taken(t, spi_r));
	/* Too late to move an engine with SAs to another table. */
	CHECK_EQ(ikev2_engine_set_spis(e, other), -1);
	CHECK_EQ(ike_spi_ike_count(other), 0);
	/* The SA goes: both SPIs come back. */
	CHECK_EQ(ikev2_engine_kill_session(e, sid, "test"), 0);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	CHECK(!ike_spi_ike_taken(t, spi_r));
	CHECK_EQ(ike_spi_ike_count(t), 0);
	CHECK_EQ(ike_spi_esp_count(t), 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	/* Our reference outlives the engine's. */
	CHECK_EQ(ike_spi_ike_count(t), 0);
	ike_spis_unref(t);
	ike_spis_unref(other);
	fx_q_clear();
}

/* Engine freed with SAs up: nothing stays taken. */
static void
engine_free_releases(void)
{
	struct ike_spis	*t = ike_spis_new();
	struct ikev2_engine *e = fx_engine(fx_config("modern"));
	struct ikev2_ini *a, *b;

	CHECK_EQ(ikev2_engine_set_spis(e, t), 0);
	a = fx_connect(e, &fx_gcm);
	b = fx_connect(e, &fx_gcm);
	CHECK_EQ(ikev2_ini_state(b), INI_ESTABLISHED);
	CHECK_EQ(ike_spi_ike_count(t), 2);
	CHECK_EQ(ike_spi_esp_count(t), 2);
	ikev2_engine_free(e);
	CHECK_EQ(ike_spi_ike_count(t), 0);
	CHECK_EQ(ike_spi_esp_count(t), 0);
	ikev2_ini_free(a);
	ikev2_ini_free(b);
	ike_spis_unref(t);
	fx_q_clear();
}

static void
cleanup(void)
{
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_spis", T(engine_uses_shared_table),
    T(engine_free_releases), FIXTURE(cleanup))
