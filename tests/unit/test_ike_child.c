/*
 * test_ike_child.c: the ESP SA hand-off to the data plane shared by IKEv1
 * and IKEv2 (server/ike/ike_child.c).  The inbound SA carries our SPI and
 * the keys the peer sends with, the outbound one the peer's SPI and ours
 * (RFC 7296 2.17; RFC 2409 5.5 for quick mode), each key block being the
 * cipher key (+ salt, RFC 4106 8.1) then the integrity key.  Then both
 * into a userspace dp (in a network namespace of its own, as
 * test_dp_user does), and the inbound one taken back out when dp refuses
 * the outbound one.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_test_lib.h"
#include "ike_alg.h"
#include "ike_child.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_test.h"

static uint8_t	 kin[64 + 64], kout[64 + 64];
static struct sockaddr_storage loc, peer;

static void
mkcs(struct ike_child_sa *cs, const char *encr, const char *integ)
{
	memset(cs, 0, sizeof(*cs));
	for (size_t i = 0; i < sizeof(kin); i++) {
		kin[i] = (uint8_t)(0x10 + i);
		kout[i] = (uint8_t)(0x80 + i);
	}
	sin4(&loc, "127.0.0.1", 4500);
	sin4(&peer, "127.0.0.2", 4500);
	cs->spi_in = 0xc1000001;
	cs->spi_out = 0x0d000002;
	cs->reqid = 7;
	cs->local = &loc;
	cs->peer = &peer;
	cs->encap = true;
	cs->encr = ike_alg_by_kw(encr);
	cs->integ = integ != NULL ? ike_alg_by_kw(integ) : NULL;
	cs->key_in = kin;
	cs->key_out = kout;
	ts4(&cs->ts_local[0], "10.1.0.0", "10.1.0.255");
	cs->nts_local = 1;
	ts4(&cs->ts_remote[0], "198.18.0.1", "198.18.0.1");
	cs->nts_remote = 1;
	cs->mss_clamp = 1360;
}

/* AES-CBC-256 + HMAC-SHA2-256: 32 key bytes, then 32 integrity bytes. */
static void
cbc_hmac_directions(void)
{
	struct ike_child_sa cs;
	struct dp_sa	 d;

	mkcs(&cs, "aes256", "sha256");
	ike_child_dp_sa(&cs, true, &d);
	CHECK_EQ(d.spi, 0xc1000001);
	CHECK(d.inbound);
	CHECK_EQ(d.reqid, 7);
	CHECK_EQ(d.mode, DP_MODE_TUNNEL);
	CHECK(d.encap);
	CHECK_EQ(d.encr, DP_ENCR_AES_CBC);
	CHECK_EQ(d.encr_key_len, 32);
	CHECK_MEM(d.encr_key, kin, 32);
	CHECK_EQ(d.integ, DP_INTEG_HMAC_SHA2_256_128);
	CHECK_EQ(d.integ_key_len, 32);
	CHECK_MEM(d.integ_key, kin + 32, 32);
	CHECK_MEM(&d.local, &loc, sizeof(loc));
	CHECK_MEM(&d.peer, &peer, sizeof(peer));
	CHECK_EQ(d.nts_local, 1);
	CHECK_EQ(d.nts_remote, 1);
	CHECK_MEM(&d.ts_remote[0], &cs.ts_remote[0], sizeof(d.ts_remote[0]));
	CHECK_EQ(d.mss_clamp, 1360);
	CHECK(!d.esn);
	ike_child_dp_sa(&cs, false, &d);
	CHECK_EQ(d.spi, 0x0d000002);
	CHECK(!d.inbound);
	CHECK_MEM(d.encr_key, kout, 32);
	CHECK_MEM(d.integ_key, kout + 32, 32);
}

/* AES-GCM-16-128 (RFC 4106): 16 key + 4 salt bytes, no integrity. */
static void
aead_transport(void)
{
	struct ike_child_sa cs;
	struct dp_sa	 d;

	mkcs(&cs, "aes128gcm16", NULL);
	cs.transport = true;
	cs.esn = true;
	ike_child_dp_sa(&cs, false, &d);
	CHECK_EQ(d.mode, DP_MODE_TRANSPORT);
	CHECK_EQ(d.encr, DP_ENCR_AES_GCM_16);
	CHECK_EQ(d.encr_key_len, 20);
	CHECK_MEM(d.encr_key, kout, 20);
	CHECK_EQ(d.integ, DP_INTEG_NONE);
	CHECK_EQ(d.integ_key_len, 0);
	CHECK(d.esn);
}

/* Into a userspace dp and out again; a refused outbound SA takes the
 * inbound one back out. */
static void
install_rollback(void)
{
	struct rg_loop	*loop;
	struct dp	*dp;
	struct ike_child_sa cs, cs2;
	struct dp_counters c;
	uint32_t	 bad = 1;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1) {
		printf("  (skipped: needs root for a network namespace)\n");
		return;
	}
	if (system("ip link set lo up") != 0)
		return;
	rg_log_open(true, false, RG_L_WARN);
	loop = rg_loop_new(0);
	dp = dp_new(loop, "userspace", "rgic0", DP_THREADS_INLINE, NULL);
	CHECK(dp != NULL);
	if (dp == NULL)
		goto out;
	mkcs(&cs, "aes128gcm16", NULL);
	CHECK_EQ(ike_child_install(dp, &cs, &bad), 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(dp_sa_counters(dp, cs.spi_in, true, &c), 0);
	CHECK_EQ(dp_sa_counters(dp, cs.spi_out, false, &c), 0);
	/* A second pair whose outbound SPI dp already has: refused, and
	 * its inbound SA must not stay behind. */
	cs2 = cs;
	cs2.spi_in = 0xc1000003;
	cs2.reqid = 8;
	CHECK_EQ(ike_child_install(dp, &cs2, &bad), -1);
	CHECK_EQ(bad, cs.spi_out);
	CHECK_EQ(dp_sa_counters(dp, cs2.spi_in, true, &c), -1);
	ike_child_uninstall(dp, cs.spi_in, cs.spi_out);
	CHECK_EQ(dp_sa_counters(dp, cs.spi_in, true, &c), -1);
	CHECK_EQ(dp_sa_counters(dp, cs.spi_out, false, &c), -1);
	dp_free(dp);
out:
	rg_loop_free(loop);
}

RG_TEST_MAIN("ike_child", T(cbc_hmac_directions), T(aead_transport),
    T(install_rollback))
