/*
 * test_ikev2_exchange: in-memory exchanges.  The test-only initiator
 * (tests/tools/ikev2_initiator.c) drives the real responder engine
 * through a fake socket (a datagram queue), each step in RFC 7296
 * notation: PSK + CP, retransmissions answered from the cache, CHILD and
 * IKE rekeys, DELETE, cookies, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN,
 * AUTHENTICATION_FAILED, and transport mode for L2TP/IPsec when the
 * policy allows it.  IKE fragmentation (RFC 7383) through a whole
 * exchange is test_ikev2_frag's.
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ikev2.h"
#include "ikev2_int.h"
#include "ikev2_fixture.h"
#include "ikev2_msg.h"
#include "rg_loop.h"
#include "rg_test.h"

/* The fixture's configuration, the profile with DNS and a split. */
static struct rg_config *
config(const char *proposals, uint32_t cookie_threshold)
{
	struct rg_config *c = fx_config(proposals);
	struct rg_profile *p = &c->profiles[0];

	c->settings.cookie_threshold = cookie_threshold;
	p->dns = calloc(1, sizeof(*p->dns));
	rg_addr_parse("10.1.1.53", &p->dns[0]);
	p->ndns = 1;
	p->split = calloc(1, sizeof(*p->split));
	rg_prefix_parse("10.2.0.0/16", &p->split[0]);
	p->nsplit = 1;
	return c;
}

static struct ikev2_engine *
engine(const char *proposals, uint32_t cookies)
{
	return fx_engine(config(proposals, cookies));
}

static void
psk_cp(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	uint8_t		 lo[4], hi[4], dns[4];
	json_t		*st;

	/* <-- HDR, SK {IDr, AUTH, CP(REPLY), SAr2, TSi, TSr} */
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_vip(i)->af, AF_INET);
	CHECK_EQ(ikev2_ini_vip(i)->addr[0], 10);
	CHECK_EQ(ikev2_ini_dns(i, dns), 1);
	CHECK_MEM(dns, "\x0a\x01\x01\x35", 4);
	/* TSr 0.0.0.0/0 narrowed to the profile's split 10.2.0.0/16. */
	CHECK_EQ(ikev2_ini_tsr(i, lo, hi), 1);
	CHECK_MEM(lo, "\x0a\x02\x00\x00", 4);
	CHECK_MEM(hi, "\x0a\x02\xff\xff", 4);
	CHECK_EQ(fx_leases_out, 1);
	st = ikev2_engine_status_json(e);
	CHECK_EQ(json_array_size(json_object_get(st, "sessions")), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(st, "sessions"), 0), "user")), "alice@example.com");
	json_decref(st);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

static void
retransmit_cache(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096], first[4096];
	long		 n, m;
	size_t		 flen;

	n = ikev2_ini_start(i, a, sizeof(a));
	fx_input(e, a, (size_t)n);
	CHECK_EQ(fx_q.n, 1);
	memcpy(first, fx_q.pkt[0], fx_q.len[0]);
	flen = fx_q.len[0];
	/* The same IKE_SA_INIT again: the same answer, no second SA. */
	fx_q_clear();
	fx_input(e, a, (size_t)n);
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q.len[0] == flen && memcmp(fx_q.pkt[0], first, flen) == 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 1);
	m = ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], b, sizeof(b));
	CHECK(m > 0);
	/* IKE_AUTH, then the same IKE_AUTH: answered from the cache. */
	fx_q_clear();
	fx_input(e, b, (size_t)m);
	CHECK_EQ(fx_q.n, 1);
	memcpy(first, fx_q.pkt[0], fx_q.len[0]);
	flen = fx_q.len[0];
	CHECK_EQ(ikev2_ini_input(i, fx_q.pkt[0], fx_q.len[0], a, sizeof(a)), 0);
	fx_q_clear();
	fx_input(e, b, (size_t)m);
	CHECK_EQ(fx_q.n, 1);
	CHECK(fx_q.len[0] == flen && memcmp(fx_q.pkt[0], first, flen) == 0);
	CHECK_EQ(fx_leases_out, 1);	/* processed once */
	CHECK_EQ(fx_counter(e, "retransmits_answered"), 2);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
rekeys_and_delete(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	uint8_t		 a[4096], b[4096];
	uint32_t	 old_in, old_out;
	uint64_t	 old_spi;
	long		 n;

	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	/* HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} --> */
	old_in = ikev2_ini_child_spi(i, true);
	old_out = ikev2_ini_child_spi(i, false);
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK(ikev2_ini_child_spi(i, false) != old_out);
	/* HDR, SK {D(ESP, old)} --> <-- HDR, SK {D(ESP, responder's old)} */
	n = ikev2_ini_delete_child(i, old_in, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	/* IKE SA rekey: HDR, SK {SA, Ni, KEi} --> then DELETE the old. */
	old_spi = ikev2_ini_spi_r(i);
	n = ikev2_ini_rekey_ike(i, a, sizeof(a));
	n = fx_rt(e, i, a, n, b, sizeof(b));
	CHECK(n > 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 2);
	CHECK_EQ(fx_rt(e, i, b, n, a, sizeof(a)), 0);
	CHECK(ikev2_ini_spi_r(i) != old_spi);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 1);
	CHECK_EQ(fx_leases_out, 1);	/* the lease moved to the new SA */
	/* Liveness on the new SA (message ID 0 there). */
	n = ikev2_ini_info(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	/* HDR, SK {D(IKE)} --> */
	n = ikev2_ini_delete(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	CHECK_EQ(ikev2_ini_state(i), INI_DELETED);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	CHECK_EQ(fx_leases_out, 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
cookies(void)
{
	struct ikev2_engine *e = engine("modern", 1);
	struct ikev2_ini *i1 = ikev2_ini_new(&fx_gcm), *i2;
	uint8_t		 a[4096], b[4096];
	long		 n;

	/* One half-open SA reaches the threshold of 1. */
	n = ikev2_ini_start(i1, a, sizeof(a));
	CHECK(fx_rt(e, i1, a, n, b, sizeof(b)) > 0);
	/* The next one: <-- HDR, N(COOKIE); then HDR, N(COOKIE), SAi1... */
	i2 = fx_connect(e, &fx_gcm);
	CHECK_EQ(ikev2_ini_state(i2), INI_ESTABLISHED);
	CHECK_EQ(fx_counter(e, "cookies_sent"), 1);
	ikev2_ini_free(i1);
	ikev2_ini_free(i2);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
halfopen_limit(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i1 = ikev2_ini_new(&fx_gcm);
	struct ikev2_ini *i2 = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 n;

	e->cfg->settings.halfopen_per_ip = 1;
	n = ikev2_ini_start(i1, a, sizeof(a));
	CHECK(fx_rt(e, i1, a, n, b, sizeof(b)) > 0);
	/* A second half-open SA from the same address: dropped, no answer. */
	n = ikev2_ini_start(i2, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i2, a, n, b, sizeof(b)), -1);
	CHECK_EQ(fx_q.n, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 1);
	CHECK_EQ(fx_counter(e, "halfopen_drop"), 1);
	ikev2_ini_free(i1);
	ikev2_ini_free(i2);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
invalid_ke(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini_conf c = fx_gcm;
	struct ikev2_ini *i;

	/* KE of MODP 3072 while we prefer X25519 among those offered? No:
	 * the KE group is preferred when acceptable, so offer MODP 1024
	 * (refused by modern) first and X25519 second. */
	c.groups[0] = 2;
	c.groups[1] = 31;
	i = fx_connect(e, &c);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_INVALID_KE_PAYLOAD);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void
refusals(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini_conf c = fx_gcm;
	struct ikev2_ini *i;

	/* 3DES/SHA1/MODP1024 against modern: NO_PROPOSAL_CHOSEN. */
	c.encr = 3;
	c.encr_keylen = 0;
	c.prf = 2;
	c.integ = 2;
	c.groups[0] = 2;
	i = fx_connect(e, &c);
	CHECK_EQ(ikev2_ini_state(i), INI_FAILED);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_NO_PROPOSAL_CHOSEN);
	ikev2_ini_free(i);
	/* Wrong PSK: AUTHENTICATION_FAILED, no lease, SA gone. */
	c = fx_gcm;
	c.psk = (const uint8_t *)"wrong-psk-secret";
	c.psklen = 16;
	i = fx_connect(e, &c);
	CHECK_EQ(ikev2_ini_state(i), INI_FAILED);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_AUTHENTICATION_FAILED);
	CHECK_EQ(fx_leases_out, 0);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	ikev2_ini_free(i);
	/* CBC + HMAC + MODP2048 works too. */
	c = fx_gcm;
	c.encr = 12;
	c.encr_keylen = 128;
	c.integ = 12;
	c.groups[0] = 14;
	c.esp_encr = 12;
	c.esp_integ = 12;
	i = fx_connect(e, &c);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static char	 logged[4096];

static void
log_hook(enum rg_topic t, enum rg_level l, const char *msg, void *arg)
{
	size_t	 n = strlen(logged);

	(void)t; (void)l; (void)arg;
	if (n < sizeof(logged) - 2)
		snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

/* RFC 9370: ML-KEM-768 as ADDKE1 with NONE -> NONE chosen, connected;
 * ML-KEM-768/1024 without NONE -> NO_PROPOSAL_CHOSEN and a log line. */
static struct ikev2_ini *
connect_addke(struct ikev2_engine *e, const uint16_t *ids, size_t n,
    bool optional)
{
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 len;
	int		 rounds = 0;

	ikev2_ini_set_addke1(i, ids, n, optional);
	len = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (len = fx_rt(e, i, a, len, b, sizeof(b))) > 0)
		memcpy(a, b, (size_t)len);
	return i;
}

static void
addke(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	static const uint16_t mlkem[] = { 36, 37 };
	struct ikev2_ini *i;

	rg_log_set_hook(log_hook, NULL);
	i = connect_addke(e, mlkem, 1, true);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_addke1(i), 0);
	ikev2_ini_free(i);
	/* Without any ADDKE the answer carries none either. */
	i = connect_addke(e, mlkem, 0, false);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_addke1(i), -1);
	ikev2_ini_free(i);
	logged[0] = '\0';
	i = connect_addke(e, mlkem, 1, false);
	CHECK_EQ(ikev2_ini_state(i), INI_FAILED);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_NO_PROPOSAL_CHOSEN);
	CHECK(strstr(logged, "peer requires additional key exchange "
	    "ML-KEM-768 (RFC 9370), not supported") != NULL);
	ikev2_ini_free(i);
	logged[0] = '\0';
	i = connect_addke(e, mlkem, 2, false);
	CHECK_EQ(ikev2_ini_error(i), IKEV2_N_NO_PROPOSAL_CHOSEN);
	CHECK(strstr(logged, "ML-KEM-768 or ML-KEM-1024 (RFC 9370)") != NULL);
	ikev2_ini_free(i);
	rg_log_set_hook(NULL, NULL);
	ikev2_engine_free(e);
	fx_q_clear();
}

static size_t
nchildren(struct ikev2_sa *sa)
{
	size_t	 n = 0;

	for (struct ikev2_child *c = sa->children; c; c = c->next)
		n++;
	return n;
}

/* RFC 7296 2.8.1: our CHILD lifetime runs out while the initiator's
 * CREATE_CHILD_SA for the same CHILD_SA is in flight.  The nonces are
 * forced so that either exchange holds the lowest of the four. */
static void
child_collision(bool we_win)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	uint8_t		 a[4096], b[4096], ours[4096];
	uint32_t	 del[8], eng_old_in, ini_old_in, ini_new_in;
	long		 n, olen;

	CHECK(sa != NULL && sa->children != NULL);
	if (sa == NULL || sa->children == NULL)
		return;
	eng_old_in = sa->children->spi_in;
	ini_old_in = ikev2_ini_child_spi(i, true);
	sa->cfg->settings.child_lifetime_s = 1;
	sa->children->created_ms = 0;
	/* <-- HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} (ours, in flight) */
	fx_q_clear();
	ikev2_child_lifetime_cb(&sa->t_child);
	CHECK_EQ(fx_q.n, 1);
	olen = (long)fx_q.len[0];
	memcpy(ours, fx_q.pkt[0], fx_q.len[0]);
	/* HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} --> (theirs), answered */
	ikev2_ini_force_nonce(i, we_win ? 0x00 : 0xff);
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	ini_new_in = ikev2_ini_child_spi(i, true);
	CHECK(sa->coll != NULL);
	CHECK_EQ(nchildren(sa), 2);
	/* Our exchange completes: SA, Nr, TSi, TSr --> */
	ikev2_ini_force_nonce(i, we_win ? 0xff : 0x00);
	n = ikev2_ini_answer(i, ours, (size_t)olen, a, sizeof(a));
	CHECK(n > 0);
	fx_q_clear();
	fx_input(e, a, (size_t)n);
	CHECK(sa->coll == NULL);
	/* <-- HDR, SK {D(ESP)}: the old SA if we won, our new one if not. */
	CHECK_EQ(fx_q.n, 1);
	if (fx_q.n == 1) {
		memcpy(ours, fx_q.pkt[0], fx_q.len[0]);
		n = ikev2_ini_answer(i, ours, fx_q.len[0], a, sizeof(a));
		CHECK(n > 0);
		fx_q_clear();
		fx_input(e, a, (size_t)n);
	}
	CHECK_EQ(ikev2_ini_peer_deleted(i, del, 8), 1);
	CHECK_EQ(nchildren(sa), 2);
	if (we_win) {
		CHECK_EQ(del[0], eng_old_in);
		/* The initiator closes its redundant SA. */
		n = ikev2_ini_delete_child(i, ini_new_in, a, sizeof(a));
		CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
		CHECK_EQ(nchildren(sa), 1);
		CHECK(sa->children != NULL && sa->children->spi_in ==
		    sa->rekey_spi_in);
	} else {
		CHECK_EQ(del[0], sa->rekey_spi_in);
		CHECK(del[0] != eng_old_in);
		/* The initiator, the winner, closes the old SA. */
		n = ikev2_ini_delete_child(i, ini_old_in, a, sizeof(a));
		CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
		CHECK_EQ(nchildren(sa), 1);
		CHECK(sa->children != NULL && sa->children->spi_out ==
		    ini_new_in);
	}
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* RFC 7296 2.8.2: our IKE lifetime runs out while the initiator's IKE
 * rekey is in flight; the session ends on the winner's new SA. */
static void
ike_collision(bool we_win)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	struct ikev2_sa	*ours, *theirs;
	struct ikev2_msg *m = malloc(sizeof(*m));
	uint8_t		 a[4096], b[4096], req[4096];
	long		 n, rlen;

	CHECK(sa != NULL && m != NULL);
	if (sa == NULL || m == NULL)
		return;
	/* <-- HDR, SK {SA, Ni, KEi} (ours, in flight) */
	fx_q_clear();
	CHECK_EQ(ikev2_ike_rekey_start(sa), 0);
	CHECK_EQ(fx_q.n, 1);
	rlen = (long)fx_q.len[0];
	memcpy(req, fx_q.pkt[0], fx_q.len[0]);
	ours = sa->rekey_new;
	/* HDR, SK {SA, Ni, KEi} --> (theirs), answered */
	ikev2_ini_force_nonce(i, we_win ? 0x00 : 0xff);
	n = ikev2_ini_rekey_ike(i, a, sizeof(a));
	CHECK(fx_rt(e, i, a, n, b, sizeof(b)) > 0);
	CHECK(sa->coll != NULL);
	theirs = sa->coll != NULL ? sa->coll->peer_sa : NULL;
	CHECK(theirs != NULL && theirs != ours);
	CHECK(sa->children != NULL);	/* nothing moved yet */
	/* Our exchange completes: SA, Nr, KEr --> */
	ikev2_ini_force_nonce(i, we_win ? 0xff : 0x00);
	n = ikev2_ini_answer(i, req, (size_t)rlen, a, sizeof(a));
	CHECK(n > 0);
	fx_q_clear();
	fx_input(e, a, (size_t)n);
	CHECK(sa->coll == NULL);
	CHECK(sa->children == NULL);
	CHECK_EQ(fx_leases_out, 1);
	/* <-- HDR, SK {D(IKE)}: on the old SA if we won, on ours if not. */
	CHECK_EQ(fx_q.n, 1);
	if (fx_q.n == 1 && ikev2_msg_decode(fx_q.pkt[0], fx_q.len[0], m) == 0) {
		CHECK_EQ(m->hdr.exch, IKEV2_EXCH_INFORMATIONAL);
		CHECK(m->hdr.spi_i == (we_win ? sa->spi_i : ours->spi_i));
	}
	if (theirs != NULL && ours != NULL) {
		struct ikev2_sa *w = we_win ? ours : theirs;
		struct ikev2_sa *l = we_win ? theirs : ours;

		CHECK_EQ(w->state, IKEV2_S_ESTABLISHED);
		CHECK(w->children != NULL && w->has_lease);
		CHECK_EQ(l->state, IKEV2_S_REKEYED);
		CHECK(l->children == NULL && !l->has_lease);
	}
	free(m);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

static void ike_collision_won(void) { ike_collision(true); }
static void ike_collision_lost(void) { ike_collision(false); }

/* The SA made by the peer's IKE rekey was hashed as half-open under
 * SPIi 0, then given the peer's SPI without leaving that bucket: freed,
 * it stayed in the index, and the next walk of that bucket read freed
 * memory (found by fuzz_ikev2_sk; ASan). */
static void
peer_ike_rekey_hash(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	uint8_t		 a[4096], b[4096];
	size_t		 left = 0;
	long		 n;

	/* HDR, SK {SA, Ni, KEi} --> then HDR, SK {D(IKE)} on the old SA */
	n = ikev2_ini_rekey_ike(i, a, sizeof(a));
	n = fx_rt(e, i, a, n, b, sizeof(b));
	CHECK(n > 0);
	CHECK_EQ(fx_rt(e, i, b, n, a, sizeof(a)), 0);
	/* HDR, SK {D(IKE)} --> on the new SA, which is then freed */
	n = ikev2_ini_delete(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	rg_loop_once(fx_loop, 0);
	CHECK_EQ(ikev2_engine_sa_count(e), 0);
	/* No SA left, so nothing left in either index. */
	for (size_t k = 0; k < IKEV2_HASH; k++) {
		for (struct ikev2_sa *x = e->by_spi[k]; x; x = x->hnext)
			left++;
		for (struct ikev2_sa *x = e->by_spi_i[k]; x; x = x->inext)
			left++;
	}
	CHECK_EQ(left, 0);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}

/* The engine freed while our IKE rekey is in flight: the new SA (first
 * in the list) went before the old one, whose destruction then followed
 * rekey_new into freed memory (found by fuzz_ikev2_sk; ASan). */
static void
free_during_ike_rekey(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i = fx_connect(e, &fx_gcm);
	struct ikev2_sa	*sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));

	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	/* <-- HDR, SK {SA, Ni, KEi}, never answered */
	fx_q_clear();
	CHECK_EQ(ikev2_ike_rekey_start(sa), 0);
	CHECK(sa->rekey_new != NULL && e->all == sa->rekey_new);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	CHECK_EQ(fx_leases_out, 0);
	fx_q_clear();
}
static void child_collision_won(void) { child_collision(true); }
static void child_collision_lost(void) { child_collision(false); }

/* ---- classic signature AUTH (RFC 7296 3.8 methods 1, 9, 10) ---- */

static X509 *
mk_cert(const char *cn, const char *san, long serial, EVP_PKEY *key,
    X509 *issuer, EVP_PKEY *ikey)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	    issuer ? "CA:FALSE" : "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (san != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, ikey ? ikey : key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

static char *
pem_of(X509 *x, EVP_PKEY *k)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*d, *s;
	long	 n;

	if (x != NULL)
		PEM_write_bio_X509(b, x);
	else
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &d);
	s = strndup(d, (size_t)n);
	BIO_free(b);
	return s;
}

static EVP_PKEY *
mk_key(const char *kind)
{
	if (strcmp(kind, "rsa") == 0)
		return EVP_RSA_gen(2048);
	return EVP_EC_gen(kind);
}

/* Engine with a CA and a server certificate of key type srv; an
 * initiator with a client certificate of key type cli signing with
 * method, no SIGNATURE_HASH_ALGORITHMS: both AUTHs verify, the
 * responder answers with the classic method for its key. */
static void
sig_case(const char *skind, const char *ckind, uint8_t method, uint8_t want)
{
	struct rg_config *c = config("modern", 0);
	EVP_PKEY	*cak = mk_key("P-256"), *sk = mk_key(skind),
			*ck = mk_key(ckind);
	X509		*ca = mk_cert("rg test CA", NULL, 1, cak, NULL, NULL);
	X509		*sc = mk_cert("vpn.test", "DNS:vpn.test", 2, sk, ca, cak);
	X509		*cc = mk_cert("client-1", "email:client-1@test", 3, ck,
			    ca, cak);
	struct ikev2_engine *e;
	struct ikev2_ini *i;
	uint8_t		 a[4096], b[4096];
	long		 n;
	int		 rounds = 0;

	c->pki.ca_pem = pem_of(ca, NULL);
	c->pki.server_cert_pem = pem_of(sc, NULL);
	c->pki.server_key_pem = pem_of(NULL, sk);
	/* Certificate logins need the user record (cred.h). */
	c->users = calloc(1, sizeof(*c->users));
	c->users[0].name = strdup("client-1");
	c->users[0].enabled = true;
	c->nusers = 1;
	e = fx_engine(c);
	CHECK(e != NULL);
	if (e == NULL)
		goto out;
	i = ikev2_ini_new(&fx_gcm);
	ikev2_ini_set_signer(i, ck, cc, method);
	n = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (n = fx_rt(e, i, a, n, b, sizeof(b))) > 0)
		memcpy(a, b, (size_t)n);
	printf("  server %s, client %s method %u: state %d, error %u, "
	    "responder AUTH method %u\n", skind, ckind, method,
	    (int)ikev2_ini_state(i), ikev2_ini_error(i),
	    ikev2_ini_resp_auth(i));
	if (want == 0) {
		/* Refused: the method does not fit the client's key. */
		CHECK_EQ(ikev2_ini_state(i), INI_FAILED);
		CHECK_EQ(ikev2_ini_error(i), IKEV2_N_AUTHENTICATION_FAILED);
	} else {
		CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
		CHECK_EQ(ikev2_ini_resp_auth(i), want);
	}
	ikev2_ini_free(i);
	ikev2_engine_free(e);
out:
	fx_q_clear();
	X509_free(ca);
	X509_free(sc);
	X509_free(cc);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
}

static void
classic_sigs(void)
{
	sig_case("rsa", "rsa", IKEV2_AUTH_RSA_SIG, IKEV2_AUTH_RSA_SIG);
	sig_case("P-256", "P-256", IKEV2_AUTH_ECDSA_256, IKEV2_AUTH_ECDSA_256);
	sig_case("P-384", "P-384", IKEV2_AUTH_ECDSA_384, IKEV2_AUTH_ECDSA_384);
	sig_case("P-256", "rsa", IKEV2_AUTH_RSA_SIG, IKEV2_AUTH_ECDSA_256);
	sig_case("rsa", "P-521", IKEV2_AUTH_ECDSA_521, IKEV2_AUTH_RSA_SIG);
	/* RFC 4754: ECDSA-256 (SHA-256) with a P-384 key is not method 9. */
	sig_case("P-256", "P-384", IKEV2_AUTH_ECDSA_256, 0);
}

/* RFC 7296 3.15: INTERNAL_IP6_ADDRESS (address + prefix length) and
 * INTERNAL_IP6_DNS when asked and the profile has an IPv6 pool. */
static struct ikev2_ini *
connect_v6(struct ikev2_engine *e)
{
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 n;
	int		 rounds = 0;

	ikev2_ini_set_want_v6(i, true);
	n = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (n = fx_rt(e, i, a, n, b, sizeof(b))) > 0)
		memcpy(a, b, (size_t)n);
	return i;
}

static void
cp_v6(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct rg_profile *p = &e->cfg->profiles[0];
	struct ikev2_ini *i;
	struct ikev2_sa	*sa;
	struct rg_addr	 want, dns6;
	uint8_t		 vip[17], dns[16], zero[17];

	p->dns = realloc(p->dns, 2 * sizeof(*p->dns));
	rg_addr_parse("2001:db8::53", &p->dns[1]);
	p->ndns = 2;
	rg_addr_parse("2001:db8::53", &dns6);
	memset(zero, 0, sizeof(zero));
	/* No IPv6 pool: IPv4 only, still up. */
	fx_lease_v6 = false;
	i = connect_v6(e);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	ikev2_ini_v6(i, vip, dns);
	CHECK_MEM(vip, zero, 17);
	CHECK_EQ(ikev2_ini_vip(i)->af, AF_INET);
	ikev2_ini_free(i);
	/* With one: 2001:db8:ff::<sid>/128 and the IPv6 DNS server. */
	fx_lease_v6 = true;
	i = connect_v6(e);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	CHECK_EQ(ikev2_ini_v6(i, vip, dns), 1);
	sa = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
	CHECK(sa != NULL && sa->vip6.af == AF_INET6);
	rg_addr_parse("2001:db8:ff::", &want);
	if (sa != NULL)
		want.addr[15] = (uint8_t)sa->session_id;
	CHECK_MEM(vip, want.addr, 16);
	CHECK_EQ(vip[16], 128);
	CHECK_MEM(dns, dns6.addr, 16);
	CHECK_EQ(ikev2_ini_vip(i)->af, AF_INET);
	ikev2_ini_free(i);
	fx_lease_v6 = false;
	ikev2_engine_free(e);
	fx_q_clear();
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

/* Heap held by the engine per established IKE SA + CHILD SA (no data
 * plane), right after IKE_AUTH and once the SA has been idle for a
 * liveness interval (the cached IKE_AUTH response dropped). */
static void
memory_per_sa(void)
{
	struct ikev2_engine *e = engine("modern", 0);
	struct ikev2_ini *i;
	struct ikev2_sa	*sa[33];
	size_t		 b0, b1, b2, n = 32;
	json_t		*st;

	i = fx_connect(e, &fx_gcm);	/* warm-up: lazy allocations */
	ikev2_ini_free(i);
	fx_q_clear();
	b0 = heap_bytes();
	for (size_t k = 0; k < n; k++) {
		i = fx_connect(e, &fx_gcm);
		CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
		sa[k] = ikev2_sa_lookup(e, ikev2_ini_spi_r(i));
		ikev2_ini_free(i);
		fx_q_clear();
	}
	b1 = heap_bytes();
	for (size_t k = 0; k < n; k++) {
		CHECK(sa[k] != NULL && sa[k]->resp_valid);
		if (sa[k] == NULL)
			continue;
		sa[k]->last_rx_ms -= 31000;
		ikev2_dpd_cb(&sa[k]->t_dpd);
		CHECK(!sa[k]->resp_valid && sa[k]->nresp == 0);
		CHECK_EQ(sa[k]->req_kind, IKEV2_REQ_DPD);
		ikev2_req_clear(sa[k]);
	}
	fx_q_clear();
	b2 = heap_bytes();
	printf("  engine heap per IKE SA + CHILD SA: %zu B established, "
	    "%zu B idle (struct ikev2_sa %zu, ikev2_child %zu)\n",
	    (b1 - b0) / n, (b2 - b0) / n, sizeof(struct ikev2_sa),
	    sizeof(struct ikev2_child));
	/* Budgets: before the compaction 3.3 KB / 3.3 KB. */
	CHECK((b1 - b0) / n <= 2900);
	CHECK((b2 - b0) / n <= 2500);
	st = ikev2_engine_status_json(e);
	json_decref(st);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* An initiator asking N(USE_TRANSPORT_MODE) with UDP/1701 selectors,
 * driven up to ESTABLISHED (fx_connect's rounds). */
static struct ikev2_ini *
connect_transport(struct ikev2_engine *e)
{
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096];
	long		 n;
	int		 rounds = 0;

	ikev2_ini_set_transport(i, true);
	n = ikev2_ini_start(i, a, sizeof(a));
	while (rounds++ < 6 && (n = fx_rt(e, i, a, n, b, sizeof(b))) > 0) {
		memcpy(a, b, (size_t)n);
		if (ikev2_ini_state(i) == INI_AUTH_SENT) {
			fx_rt(e, i, a, n, b, sizeof(b));
			break;
		}
	}
	return i;
}

/*
 * L2TP/IPsec (issue 6): with the policy template's l2tp_transport the
 * responder answers N(USE_TRANSPORT_MODE) (RFC 7296 1.3.1) and narrows
 * TSi to the client's outer address, TSr to ours, both UDP/1701; without
 * it, tunnel mode as before (the notify ignored, TSr the split network).
 */
static void
l2tp_transport_case(bool allowed)
{
	struct rg_config *c = config("modern", 0);
	struct ikev2_engine *e;
	struct ikev2_ini *i;
	struct ikev2_ini_ts ti, tr;
	bool		 tm;

	c->policies = calloc(1, sizeof(*c->policies));
	c->policies[0].name = strdup("l2tp");
	c->policies[0].l2tp_transport = allowed;
	c->npolicies = 1;
	free(c->settings.default_policy);
	c->settings.default_policy = strdup("l2tp");
	e = fx_engine(c);
	i = connect_transport(e);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	tm = ikev2_ini_transport(i, &ti, &tr);
	if (allowed) {
		/* <-- HDR, SK {IDr, AUTH, CP, N(USE_TRANSPORT_MODE), SAr2,
		 *     TSi(192.0.2.2 UDP/1701), TSr(192.0.2.1 UDP/1701)} */
		CHECK(tm);
		CHECK_EQ(ti.proto, 17);
		CHECK_EQ(ti.port_lo, 1701);
		CHECK_EQ(ti.port_hi, 1701);
		CHECK_MEM(ti.lo, &fx_cli.sin_addr, 4);
		CHECK_MEM(ti.hi, &fx_cli.sin_addr, 4);
		CHECK_EQ(tr.proto, 17);
		CHECK_EQ(tr.port_lo, 1701);
		CHECK_EQ(tr.port_hi, 1701);
		CHECK_MEM(tr.lo, &fx_srv.sin_addr, 4);
		CHECK_MEM(tr.hi, &fx_srv.sin_addr, 4);
	} else {
		/* Tunnel mode: TSi the virtual IP, TSr the split network,
		 * the requested UDP/1701 kept as asked. */
		CHECK(!tm);
		CHECK_EQ(ti.lo[0], 10);
		CHECK_MEM(tr.lo, "\x0a\x02\x00\x00", 4);
		CHECK_MEM(tr.hi, "\x0a\x02\xff\xff", 4);
	}
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

static void l2tp_transport(void) { l2tp_transport_case(true); }
static void l2tp_tunnel(void) { l2tp_transport_case(false); }

static void
cleanup(void)
{
	fx_cleanup();
}

RG_TEST_MAIN("ikev2_exchange", T(psk_cp), T(retransmit_cache),
    T(rekeys_and_delete), T(cookies), T(halfopen_limit), T(invalid_ke), T(refusals), T(addke),
    T(child_collision_won), T(child_collision_lost),
    T(ike_collision_won), T(ike_collision_lost), T(free_during_ike_rekey),
    T(peer_ike_rekey_hash),
    T(memory_per_sa), T(classic_sigs), T(cp_v6), T(l2tp_transport),
    T(l2tp_tunnel), FIXTURE(cleanup))
