/*
 * test_ikev2_session: what the daemon asks of the IKEv2 engine about a
 * live session: the session behind a CHILD_SA's reqid (DHCPINFORM
 * answers) and ending a session from our side (one session per user, an
 * admin's kick): INFORMATIONAL request with DELETE(IKE) (RFC 7296 1.4.1),
 * lease released, SA freed.  Driven in memory by the test initiator.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2.h"
#include "ikev2_fixture.h"
#include "rg_test.h"

static struct ikev2_engine *
engine(void)
{
	return fx_engine(fx_config("modern"));
}

/* The daemon ends a session (one session per user, an admin's kick):
 * one INFORMATIONAL request with DELETE(IKE) goes out, the lease comes
 * back, the SA is freed; the CHILD_SA's reqid maps to the session. */
static void
kill_session(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_session_ref ref;
	json_t		*st;
	uint64_t	 sid;

	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	st = ikev2_engine_status_json(e);
	sid = (uint64_t)json_integer_value(json_object_get(json_array_get(
	    json_object_get(st, "sessions"), 0), "session_id"));
	json_decref(st);
	CHECK(sid != 0);
	/* reqids count from 1 per engine: the first CHILD_SA has 1. */
	CHECK_EQ(ikev2_engine_reqid_info(e, 1, &ref), 0);
	CHECK_EQ(ref.session_id, sid);
	CHECK_STR(ref.user, "alice@example.com");
	CHECK_STR(ref.profile, "default");
	CHECK_EQ(ref.vip.af, AF_INET);
	CHECK_MEM(ref.vip.addr, ikev2_ini_vip(i)->addr, 4);
	CHECK_EQ(ref.local.ss_family, AF_INET);
	CHECK_EQ(ikev2_engine_reqid_info(e, 999, &ref), -1);
	CHECK_EQ(ikev2_engine_kill_session(e, sid + 1, "test"), -1);
	fx_q_clear();
	CHECK_EQ(ikev2_engine_kill_session(e, sid, "kicked by test"), 0);
	/* HDR(INFORMATIONAL, request from the responder), SK {D(IKE)} */
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q.len[0] > 28);
	CHECK_EQ(fx_q.pkt[0][18], 37);
	CHECK_EQ(fx_q.pkt[0][19] & 0x20, 0);
	CHECK_EQ(fx_leases_out, 0);
	CHECK_EQ(ikev2_engine_reqid_info(e, 1, &ref), -1);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	CHECK_EQ(ikev2_engine_kill_session(e, sid, "again"), -1);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
cleanup(void)
{
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_session", T(kill_session), FIXTURE(cleanup))
