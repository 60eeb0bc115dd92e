/*
 * test_ikev2_security: the responder against a misbehaving peer, in
 * memory (the fixture of test_ikev2_exchange): each case is a defect of
 * the IKEv2 security review (issue 12) and fails without its fix.
 *   1  a response of another exchange type to our IKE rekey; the new SA
 *      of our rekey timing out first (links between SAs, both sides)
 *   6  fragments parked on a half-open SA (per-SA and global budgets,
 *      expiry on established SAs), half-open SAs per IPv6 /64
 *   10 a forged fragment must not touch the reassembly
 *   13 the peer address moves only on MOBIKE UPDATE_SA_ADDRESSES after a
 *      return-routability check, or on a NAT mapping change (RFC 7296
 *      2.23), never on any authenticated request
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SANITIZE_ADDRESS__)
/* libasan's allocator statistics (sanitizer/allocator_interface.h). */
size_t	__sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

#include "ikev2.h"
#include "ikev2_int.h"
#include "ikev2_fixture.h"
#include "ikev2_msg.h"
#include "rg_loop.h"
#include "rg_test.h"

#define BIG	(IKEV2_MAX_MSG + 512)

static struct ikev2_engine *
engine(void)
{
	return fx_engine(fx_config("modern"));
}

static size_t
heap_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/* Our IKE rekey's request (RFC 7296 1.3.2), as sent: its length. */
static long
start_ike_rekey(struct ikev2_sa *sa, uint8_t *req)
{
	fx_q_clear();
	if (ikev2_ike_rekey_start(sa) < 0 || fx_q.n != 1)
		return -1;
	memcpy(req, fx_q.pkt[0], fx_q.len[0]);
	return (long)fx_q.len[0];
}

/* Defect 1: the client answers our CREATE_CHILD_SA (IKE rekey) with an
 * INFORMATIONAL response of the same message ID.  It must be dropped and
 * counted: our request stays outstanding and the real answer completes
 * the rekey. */
static void
rekey_answer_of_other_exchange(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	struct ikev2_sa	*n;
	uint8_t		 req[4096], a[4096];
	long		 rlen, len;

	CHECK(sa != NULL && sa->state == IKEV2_S_ESTABLISHED);
	if (sa == NULL)
		return;
	/* <-- HDR, SK {SA, Ni, KEi} */
	rlen = start_ike_rekey(sa, req);
	CHECK(rlen > 0);
	n = sa->rekey_new;
	CHECK(n != NULL);
	/* HDR(INFORMATIONAL, same message ID), SK {} --> : dropped */
	len = ikev2_ini_answer_as(i, req, (size_t)rlen,
	    IKEV2_EXCH_INFORMATIONAL, a, sizeof(a));
	CHECK(len > 0);
	fx_q_clear();
	fx_input(e, a, (size_t)len);
	CHECK_EQ(fx_counter(e, "bad_exch"), 1);
	CHECK(sa->nreq != 0);
	CHECK(sa->rekey_new == n);
	/* HDR, SK {SA, Nr, KEr} --> : the rekey completes on n */
	len = ikev2_ini_answer(i, req, (size_t)rlen, a, sizeof(a));
	CHECK(len > 0);
	fx_q_clear();
	fx_input(e, a, (size_t)len);
	CHECK(sa->rekey_new == NULL);
	CHECK_EQ(sa->state, IKEV2_S_REKEYED);
	CHECK_EQ(n->state, IKEV2_S_ESTABLISHED);
	CHECK(n->rekey_of == NULL);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

/* Defect 1, the silent peer: with dpd_timeout_s > 300 the new SA of our
 * rekey times out (its half-open timer) while the old SA still waits;
 * the old SA must forget it, so that a kick, a DELETE or a late answer
 * touches no freed memory (ASan: heap-use-after-free before the fix). */
static void
rekey_new_sa_times_out_first(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	struct ikev2_sa	*n;
	uint8_t		 req[4096], a[4096];
	long		 rlen, len;

	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	sa->cfg->settings.dpd_timeout_s = 600;
	rlen = start_ike_rekey(sa, req);
	CHECK(rlen > 0);
	n = sa->rekey_new;
	CHECK(n != NULL);
	if (n == NULL)
		return;
	/* 300 s later: the new SA's timer destroys it, then frees it. */
	n->t_life.cb(&n->t_life);
	n->t_life.cb(&n->t_life);
	CHECK(sa->rekey_new == NULL);
	/* The peer's late answer: our rekey failed, the SA stays. */
	len = ikev2_ini_answer(i, req, (size_t)rlen, a, sizeof(a));
	CHECK(len > 0);
	fx_q_clear();
	fx_input(e, a, (size_t)len);
	CHECK_EQ(sa->state, IKEV2_S_ESTABLISHED);
	CHECK_EQ(sa->nreq, 0);
	/* session kick */
	CHECK_EQ(ikev2_engine_kill_session(e, sa->session_id, "kicked"), 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

/* Defect 1, a collision (RFC 7296 2.8.2): the peer's new SA, held while
 * our rekey is in flight, goes first; the old SA's link to it is
 * cleared and our rekey completes alone. */
static void
rekey_collision_peer_sa_gone(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	struct ikev2_sa	*ours, *theirs;
	uint8_t		 req[4096], a[4096], b[4096];
	long		 rlen, n;

	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	rlen = start_ike_rekey(sa, req);
	ours = sa->rekey_new;
	/* HDR, SK {SA, Ni, KEi} --> (theirs), answered */
	n = ikev2_ini_rekey_ike(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) > 0);
	CHECK(sa->coll != NULL);
	theirs = sa->coll != NULL ? sa->coll->peer_sa : NULL;
	CHECK(theirs != NULL && theirs->rekey_of == sa);
	if (theirs == NULL)
		return;
	/* Its half-open timer: destroyed, then freed. */
	theirs->t_life.cb(&theirs->t_life);
	theirs->t_life.cb(&theirs->t_life);
	CHECK(sa->coll != NULL && sa->coll->peer_sa == NULL);
	/* Our exchange completes: SA, Nr, KEr --> */
	n = ikev2_ini_answer(i, req, (size_t)rlen, a, sizeof(a));
	fx_q_clear();
	fx_input(e, a, (size_t)n);
	CHECK(sa->coll == NULL);
	CHECK_EQ(ours->state, IKEV2_S_ESTABLISHED);
	CHECK(ours->has_lease);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

/* An initiator past IKE_SA_INIT only (its keys known, IKE_AUTH not sent):
 * the half-open SA the engine holds for it. */
static struct ikev2_ini *
half_open(struct ikev2_engine *e, struct ikev2_sa **sa)
{
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 n;

	/* HDR, SAi1, KEi, Ni --> <-- HDR, SAr1, KEr, Nr */
	n = ikev2_ini_start(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) > 0);
	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	CHECK(*sa != NULL && (*sa)->state == IKEV2_S_INIT_DONE);
	/* Our IKE_AUTH (message 1) is still to be sent. */
	ikev2_ini_set_msgid(i, 1);
	return i;
}

/* Defect 6: after IKE_SA_INIT alone, 15 fragments of ~60 KB (of 16) are
 * parked on the half-open SA.  The SA holds at most its budget. */
static void
frag_budget_per_sa(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_sa	*sa;
	struct ikev2_ini *i = half_open(e, &sa);
	uint8_t		*a = malloc(BIG);
	size_t		 before = heap_bytes();
	long		 n;

	/* HDR, SKF {k/16, 60000 octets} --> */
	for (unsigned int k = 1; k <= 15 && a != NULL; k++) {
		n = ikev2_ini_frag(i, IKEV2_EXCH_IKE_AUTH, 60000, k, 16, false,
		    a, BIG);
		CHECK(n > 60000);
		fx_input(e, a, (size_t)n);
		if (k == 1)
			CHECK(sa->frx != NULL);
	}
	CHECK(heap_bytes() < before + IKEV2_MAX_MSG + 16384);
	CHECK(fx_counter(e, "frag_drop") >= 1);
	free(a);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 6: all reassemblies together stay within the engine's budget
 * (lowered here to 100000 octets): the second SA's fragment is dropped. */
static void
frag_budget_global(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_sa	*s1, *s2;
	struct ikev2_ini *i1 = half_open(e, &s1), *i2 = half_open(e, &s2);
	uint8_t		*a = malloc(BIG);
	long		 n;

	if (a == NULL)
		return;
	e->frag_budget = 100000;
	n = ikev2_ini_frag(i1, IKEV2_EXCH_IKE_AUTH, 60000, 1, 2, false, a, BIG);
	fx_input(e, a, (size_t)n);
	CHECK(s1->frx != NULL);
	n = ikev2_ini_frag(i2, IKEV2_EXCH_IKE_AUTH, 60000, 1, 2, false, a, BIG);
	fx_input(e, a, (size_t)n);
	CHECK(s2->frx == NULL);
	CHECK_EQ(fx_counter(e, "frag_drop"), 1);
	CHECK(e->frag_bytes <= 100000);
	/* Freed with the SA: the engine's count goes back to zero. */
	ikev2_sa_destroy(s1, "test");
	ikev2_sa_free(s1);
	CHECK_EQ(e->frag_bytes, 0);
	free(a);
	ikev2_ini_free(i1);
	ikev2_ini_free(i2);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 6: a partial message on an established SA expires (it used to
 * stay for the SA's life). */
static void
frag_expires_on_established_sa(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	uint8_t		 a[4096];
	long		 n;

	CHECK(sa != NULL && sa->state == IKEV2_S_ESTABLISHED);
	if (sa == NULL)
		return;
	/* HDR, SKF {1/2} --> */
	n = ikev2_ini_frag(i, IKEV2_EXCH_INFORMATIONAL, 600, 1, 2, false, a,
	    sizeof(a));
	fx_input(e, a, (size_t)n);
	CHECK(sa->frx != NULL && e->frag_bytes > 0);
	if (sa->frx == NULL)
		return;
	CHECK(rg_timer_armed(&sa->frx->t_expire));
	/* IKEV2_FRAG_TIMEOUT_MS later */
	sa->frx->t_expire.cb(&sa->frx->t_expire);
	CHECK(sa->frx == NULL);
	CHECK_EQ(e->frag_bytes, 0);
	CHECK_EQ(fx_counter(e, "frag_expired"), 1);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 6: halfopen_per_ip counts an IPv6 peer's /64, not its address. */
static void
halfopen_per_ipv6_prefix(void)
{
	struct rg_config *c = fx_config("modern");
	struct ikev2_engine *e;
	static const char *const from[] = { "2001:db8:1:2::1",
	    "2001:db8:1:2::2", "2001:db8:1:2:ffff::3", "2001:db8:1:3::1" };
	uint8_t		 a[4096];
	long		 n;

	c->settings.halfopen_per_ip = 2;
	e = fx_engine(c);
	for (size_t k = 0; k < 4; k++) {
		struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);

		/* HDR, SAi1, KEi, Ni --> */
		n = ikev2_ini_start(i, a, sizeof(a));
		fx_input_at(e, a, (size_t)n, from[k], 500, "2001:db8::1", 500);
		ikev2_ini_free(i);
	}
	/* The third of one /64 is dropped; another /64 is not. */
	CHECK_EQ(fx_counter(e, "halfopen_drop"), 1);
	CHECK_EQ(ikev2_engine_sa_count(e), 3);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 10: a fragment with a bad ICV (of another total) arrives while
 * a message is being reassembled; the reassembly must not change, and
 * the genuine last fragment completes the message. */
static void
frag_forged_keeps_reassembly(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	uint8_t		 a[4096];
	uint32_t	 rx;
	long		 n;

	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	rx = sa->rx_msgid;
	/* HDR, SKF {1/2} --> */
	n = ikev2_ini_frag(i, IKEV2_EXCH_INFORMATIONAL, 600, 1, 2, false, a,
	    sizeof(a));
	fx_q_clear();
	fx_input(e, a, (size_t)n);
	CHECK_EQ(fx_q.n, 0);
	/* HDR, SKF {1/3}, bad ICV --> (an off-path attacker) */
	n = ikev2_ini_frag(i, IKEV2_EXCH_INFORMATIONAL, 400, 1, 3, true, a,
	    sizeof(a));
	fx_input(e, a, (size_t)n);
	CHECK_EQ(fx_counter(e, "decrypt_fail"), 1);
	/* HDR, SKF {2/2} --> <-- HDR, SK {} */
	n = ikev2_ini_frag(i, IKEV2_EXCH_INFORMATIONAL, 600, 2, 2, false, a,
	    sizeof(a));
	fx_input(e, a, (size_t)n);
	CHECK_EQ(fx_q.n, 1);
	CHECK_EQ(sa->rx_msgid, rx + 1);
	CHECK(sa->frx == NULL);
	ikev2_ini_set_msgid(i, rx + 1);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static bool
sa_at(const struct ikev2_sa *sa, const char *ip, uint16_t port)
{
	struct sockaddr_in	 want;

	memset(&want, 0, sizeof(want));
	want.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &want.sin_addr);
	want.sin_port = htons(port);
	return memcmp(&sa->peer, &want, sizeof(want)) == 0;
}

/* Defect 13: no NAT detected, no MOBIKE: an authenticated request from
 * another address is answered there (RFC 7296 2.11), and the SA stays. */
static void
addr_kept_without_nat(void)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	uint8_t		 a[4096], b[4096];
	long		 n;

	CHECK(sa != NULL && !sa->nat_peer && !sa->mobike);
	if (sa == NULL)
		return;
	/* HDR, SK {} --> from 198.51.100.9:500 */
	n = ikev2_ini_info(i, a, sizeof(a));
	fx_q_clear();
	fx_input_at(e, a, (size_t)n, "198.51.100.9", 500, "192.0.2.1", 500);
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q_went_to(0, "198.51.100.9", 500));
	if (fx_q.n == 1)
		CHECK_EQ(ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], b,
		    sizeof(b)), 0);
	CHECK(sa_at(sa, "192.0.2.2", 500));
	CHECK_EQ(fx_counter(e, "addr_kept"), 1);
	/* Our own requests still go to the SA's address. */
	fx_q_clear();
	CHECK_EQ(ikev2_ike_rekey_start(sa), 0);
	CHECK(fx_q_went_to(0, "192.0.2.2", 500));
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* Defect 13: a peer behind a NAT (RFC 7296 2.23): a new request from a
 * new mapping moves the SA; a retransmission from yet another port is
 * answered where its first copy came from and moves nothing. */
static void
nat_mapping_followed(void)
{
	struct ikev2_ini_conf c = fx_gcm;
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i;
	struct ikev2_sa	*sa;
	uint8_t		 a[4096], b[4096];
	long		 n;

	c.fake_nat = true;
	i = fx_connect(e, &c);
	sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	CHECK(sa != NULL && sa->nat_peer);
	if (sa == NULL)
		return;
	/* HDR, SK {} --> from 192.0.2.2:31000 (the NAT's new mapping) */
	n = ikev2_ini_info(i, a, sizeof(a));
	fx_q_clear();
	fx_input_at(e, a, (size_t)n, "192.0.2.2", 31000, "192.0.2.1", 4500);
	CHECK(fx_q_went_to(0, "192.0.2.2", 31000));
	CHECK(sa_at(sa, "192.0.2.2", 31000));
	/* the same request again, from 192.0.2.2:32000 */
	fx_q_clear();
	fx_input_at(e, a, (size_t)n, "192.0.2.2", 32000, "192.0.2.1", 4500);
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q_went_to(0, "192.0.2.2", 31000));
	CHECK(sa_at(sa, "192.0.2.2", 31000));
	if (fx_q.n == 1)
		CHECK_EQ(ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], b,
		    sizeof(b)), 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

enum rr_answer { RR_OK, RR_BAD_COOKIE2, RR_ELSEWHERE };

/* Defect 13: MOBIKE (RFC 4555 3.5, 3.6).  A plain request from a new
 * address moves nothing; UPDATE_SA_ADDRESSES from 192.0.2.3:4500 is
 * answered there and starts a return-routability check there; the SA
 * moves only when the check is answered from there with our COOKIE2. */
static void
mobike_case(enum rr_answer how)
{
	struct ikev2_engine *e = engine();
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	uint8_t		 a[4096], b[4096], rr[4096];
	long		 n, rlen;

	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	sa->mobike = true;	/* as if negotiated (MOBIKE_SUPPORTED) */
	/* HDR, SK {} --> from 192.0.2.3:4500: answered, nothing moves */
	n = ikev2_ini_info(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) == 0);
	fx_q_clear();
	n = ikev2_ini_info(i, a, sizeof(a));
	fx_input_at(e, a, (size_t)n, "192.0.2.3", 4500, "192.0.2.1", 4500);
	CHECK(fx_q_went_to(0, "192.0.2.3", 4500));
	CHECK(fx_q.n == 1 && ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], b,
	    sizeof(b)) == 0);
	CHECK(sa_at(sa, "192.0.2.2", 500));
	/* HDR, SK {N(UPDATE_SA_ADDRESSES), N(COOKIE2)} --> from the new one */
	n = ikev2_ini_update_addrs(i, a, sizeof(a));
	fx_q_clear();
	fx_input_at(e, a, (size_t)n, "192.0.2.3", 4500, "192.0.2.1", 4500);
	/* <-- HDR, SK {N(COOKIE2)} (the answer), then <-- HDR, SK
	 * {N(COOKIE2)} (our check), both to 192.0.2.3:4500 */
	CHECK_EQ(fx_q.n, 2);
	CHECK(fx_q_went_to(0, "192.0.2.3", 4500));
	CHECK(fx_q_went_to(1, "192.0.2.3", 4500));
	CHECK(sa_at(sa, "192.0.2.2", 500));
	if (fx_q.n != 2)
		goto out;
	CHECK_EQ(ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], b, sizeof(b)),
	    0);
	rlen = (long)fx_q.len[1];
	memcpy(rr, fx_q.pkt[1], fx_q.len[1]);
	/* HDR, SK {N(COOKIE2)} --> */
	ikev2_ini_set_cookie2_bad(i, how == RR_BAD_COOKIE2);
	n = ikev2_ini_answer(i, rr, (size_t)rlen, a, sizeof(a));
	CHECK(n > 0);
	fx_q_clear();
	fx_input_at(e, a, (size_t)n, how == RR_ELSEWHERE ? "192.0.2.4" :
	    "192.0.2.3", 4500, "192.0.2.1", 4500);
	CHECK(sa->rr == NULL && sa->nreq == 0);
	if (how == RR_OK)
		CHECK(sa_at(sa, "192.0.2.3", 4500));
	else
		CHECK(sa_at(sa, "192.0.2.2", 500));
out:
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void mobike_moves_after_check(void) { mobike_case(RR_OK); }
static void mobike_bad_cookie2(void) { mobike_case(RR_BAD_COOKIE2); }
static void mobike_answer_elsewhere(void) { mobike_case(RR_ELSEWHERE); }

static void
cleanup(void)
{
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_security", T(rekey_answer_of_other_exchange),
    T(rekey_new_sa_times_out_first), T(rekey_collision_peer_sa_gone),
    T(frag_budget_per_sa), T(frag_budget_global),
    T(frag_expires_on_established_sa), T(halfopen_per_ipv6_prefix),
    T(frag_forged_keeps_reassembly), T(addr_kept_without_nat),
    T(nat_mapping_followed), T(mobike_moves_after_check),
    T(mobike_bad_cookie2), T(mobike_answer_elsewhere), FIXTURE(cleanup))
