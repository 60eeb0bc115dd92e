/*
 * test_mschap.c: rg_mschap against the printed vectors of RFC 2759
 * section 9.2 (MS-CHAPv2) and RFC 3079 section 3.5.3 (128-bit MPPE keys).
 */
#include <stdint.h>
#include <string.h>

#include "rg_mschap.h"
#include "rg_test.h"

/* RFC 2759 9.2 */
static const char	 v_user[] = "User";
static const char	 v_pass[] = "clientPass";
static const uint8_t	 v_auth_chal[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t	 v_peer_chal[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t	 v_challenge[8] = {
	0xD0, 0x2E, 0x43, 0x86, 0xBC, 0xE9, 0x12, 0x26 };
static const uint8_t	 v_nt_hash[16] = {
	0x44, 0xEB, 0xBA, 0x8D, 0x53, 0x12, 0xB8, 0xD6,
	0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89, 0xAE };
static const uint8_t	 v_nt_resp[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const uint8_t	 v_hash_hash[16] = {
	0x41, 0xC0, 0x0C, 0x58, 0x4B, 0xD2, 0xD9, 0x1C,
	0x40, 0x17, 0xA2, 0xA1, 0x2F, 0xA5, 0x9F, 0x3F };
static const char	 v_auth_resp[] =
    "S=407A5589115FD0D6209F510FE9C04566932CDA56";
/* RFC 3079 3.5.3 */
static const uint8_t	 v_master[16] = {
	0xFD, 0xEC, 0xE3, 0x71, 0x7A, 0x8C, 0x83, 0x8C,
	0xB3, 0x88, 0xE5, 0x27, 0xAE, 0x3C, 0xDD, 0x31 };
static const uint8_t	 v_send_start128[16] = {
	0x8B, 0x7C, 0xDC, 0x14, 0x9B, 0x99, 0x3A, 0x1B,
	0xA1, 0x18, 0xCB, 0x15, 0x3F, 0x56, 0xDC, 0xCB };

static void
nt_hash(void)
{
	uint8_t	 h[16], hh[16];

	CHECK_EQ(rg_mschap_nt_hash(v_pass, h), 0);
	CHECK_MEM(h, v_nt_hash, 16);
	CHECK_EQ(rg_mschap_nt_hash_hash(h, hh), 0);
	CHECK_MEM(hh, v_hash_hash, 16);
}

static void
nt_hash_unicode(void)
{
	uint8_t	 a[16], b[16];

	/* "é" as UTF-8 must hash as U+00E9, the same as Latin-1 0xE9. */
	CHECK_EQ(rg_mschap_nt_hash("caf\xc3\xa9", a), 0);
	CHECK_EQ(rg_mschap_nt_hash("caf\xe9", b), 0);
	CHECK_MEM(a, b, 16);
	CHECK_EQ(rg_mschap_nt_hash("cafe", b), 0);
	CHECK(memcmp(a, b, 16) != 0);
}

static void
challenge_hash(void)
{
	uint8_t	 c[8];

	CHECK_EQ(rg_mschap_challenge_hash(v_peer_chal, v_auth_chal, v_user,
	    strlen(v_user), c), 0);
	CHECK_MEM(c, v_challenge, 8);
}

static void
nt_response(void)
{
	uint8_t	 r[24];

	CHECK_EQ(rg_mschap_challenge_response(v_challenge, v_nt_hash, r), 0);
	CHECK_MEM(r, v_nt_resp, 24);
	memset(r, 0, sizeof(r));
	CHECK_EQ(rg_mschap_nt_response(v_auth_chal, v_peer_chal, v_user,
	    strlen(v_user), v_nt_hash, r), 0);
	CHECK_MEM(r, v_nt_resp, 24);
}

static void
auth_response(void)
{
	char	 s[RG_MSCHAP_AUTHRESP_LEN + 1];

	CHECK_EQ(rg_mschap_auth_response(v_nt_hash, v_nt_resp, v_peer_chal,
	    v_auth_chal, v_user, strlen(v_user), s), 0);
	CHECK_STR(s, v_auth_resp);
	/* A different user name gives a different authenticator. */
	CHECK_EQ(rg_mschap_auth_response(v_nt_hash, v_nt_resp, v_peer_chal,
	    v_auth_chal, "user", 4, s), 0);
	CHECK(strcmp(s, v_auth_resp) != 0);
}

static void
mppe_keys(void)
{
	uint8_t	 mk[16], k[16];

	CHECK_EQ(rg_mschap_master_key(v_hash_hash, v_nt_resp, mk), 0);
	CHECK_MEM(mk, v_master, 16);
	/* The printed SendStartKey128 is the server's send key (Magic3). */
	CHECK_EQ(rg_mschap_asym_start_key(v_master, k, 16, 1, 1), 0);
	CHECK_MEM(k, v_send_start128, 16);
	/* ... which is the client's receive key. */
	CHECK_EQ(rg_mschap_asym_start_key(v_master, k, 16, 0, 0), 0);
	CHECK_MEM(k, v_send_start128, 16);
	CHECK_EQ(rg_mschap_asym_start_key(v_master, k, 16, 0, 1), 0);
	CHECK(memcmp(k, v_send_start128, 16) != 0);
}

static void
msk(void)
{
	uint8_t	 m[64], rk[16], zero[32];

	memset(zero, 0, sizeof(zero));
	CHECK_EQ(rg_mschap_msk(v_nt_hash, v_nt_resp, m), 0);
	/* MasterReceiveKey (Magic2) || MasterSendKey (Magic3) || 0^32 */
	CHECK_EQ(rg_mschap_asym_start_key(v_master, rk, 16, 0, 1), 0);
	CHECK_MEM(m, rk, 16);
	CHECK_MEM(m + 16, v_send_start128, 16);
	CHECK_MEM(m + 32, zero, 32);
}

static void
user_part(void)
{
	size_t		 n;
	const char	*p = rg_mschap_user_part("CORP\\alice", 10, &n);

	CHECK_EQ(n, 5);
	CHECK(memcmp(p, "alice", 5) == 0);
	p = rg_mschap_user_part("alice", 5, &n);
	CHECK_EQ(n, 5);
}

RG_TEST_MAIN("mschap", T(nt_hash), T(nt_hash_unicode), T(challenge_hash),
    T(nt_response), T(auth_response), T(mppe_keys), T(msk), T(user_part))
