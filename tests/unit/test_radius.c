/*
 * test_radius.c: the RADIUS codec with the RFC 2865 section 7.1 example
 * (User-Password hiding, Response Authenticator), Message-Authenticator
 * (RFC 3579 3.2) first in every Access-Request and required in replies,
 * the Accounting Request Authenticator (RFC 2866 3), MPPE key
 * encryption both ways (RFC 2548 2.4.2), bounded parsing.
 */
#include "radius_test_lib.h"

/* --- codec ------------------------------------------------------------- */

/* RFC 2865 7.1: "nemo" / "arctangent", secret "xyzzy5461". */
static const char	*rfc_req_auth = "0f403f9473978057bd83d5cb98f4227a";
static const char	*rfc_hidden = "0dbe708d93d413ce3196e43f782a0aee";
static const char	*rfc_accept =
    "02000026 86fe220e7624ba2a1005f6bf9b55e0b2 0606000000010f06000000000e06"
    "c0a80103";

static void
rfc2865_user_password(void)
{
	struct rad_pkt		 p;
	struct rad_msg		 m;
	const struct rad_attr	*a;
	uint8_t			 ra[16], hid[16];
	size_t			 n;
	const char		*why;

	unhex(rfc_req_auth, ra, &n);
	unhex(rfc_hidden, hid, &n);
	rad_pkt_init(&p, RAD_ACCESS_REQUEST, 0, ra);
	CHECK(rad_add_str(&p, RAD_USER_NAME, "nemo") == 0);
	CHECK(rad_add_password(&p, "arctangent", (const uint8_t *)"xyzzy5461",
	    9) == 0);
	CHECK(rad_pkt_finish(&p, (const uint8_t *)"xyzzy5461", 9) == 0);
	CHECK(rad_parse(p.buf, p.len, &m, &why) == 0);
	CHECK((a = rad_find(&m, RAD_USER_PASSWORD)) != NULL);
	if (a != NULL) {
		CHECK_EQ(a->len, 16);
		CHECK_MEM(a->val, hid, 16);
	}
	/* Too long, empty: refused. */
	rad_pkt_init(&p, RAD_ACCESS_REQUEST, 0, ra);
	CHECK(rad_add_password(&p, "", (const uint8_t *)"x", 1) < 0);
}

static void
rfc2865_response_authenticator(void)
{
	uint8_t		 pkt[64], ra[16];
	size_t		 n, rn;
	struct rad_msg	 m;
	const char	*why;
	uint32_t	 v;

	unhex(rfc_req_auth, ra, &rn);
	unhex(rfc_accept, pkt, &n);
	CHECK_EQ(n, 38);
	CHECK(rad_parse(pkt, n, &m, &why) == 0);
	CHECK_EQ(m.code, RAD_ACCESS_ACCEPT);
	CHECK(rad_get_u32(&m, RAD_SERVICE_TYPE, &v) == 0 && v == 1);
	/* Old-style reply: good without the BlastRADIUS rule only. */
	CHECK(rad_verify_reply(&m, ra, (const uint8_t *)"xyzzy5461", 9,
	    false, &why) == 0);
	CHECK(rad_verify_reply(&m, ra, (const uint8_t *)"xyzzy5461", 9,
	    true, &why) < 0);
	CHECK(rad_verify_reply(&m, ra, (const uint8_t *)"xyzzy5462", 9,
	    false, &why) < 0);
	pkt[37] ^= 1;
	CHECK(rad_parse(pkt, n, &m, &why) == 0);
	CHECK(rad_verify_reply(&m, ra, (const uint8_t *)"xyzzy5461", 9,
	    false, &why) < 0);
}

static void
message_authenticator_first(void)
{
	struct rad_pkt	 p;
	uint8_t		 ra[16] = { 1, 2, 3 }, copy[RAD_MAX_LEN], mac[16];
	unsigned int	 ml = 16;

	rad_pkt_init(&p, RAD_ACCESS_REQUEST, 42, ra);
	rad_add_str(&p, RAD_USER_NAME, "alice");
	CHECK(rad_pkt_finish(&p, secret, SLEN) == 0);
	CHECK_EQ(p.buf[20], RAD_MESSAGE_AUTHENTICATOR);
	CHECK_EQ(p.buf[21], 18);
	CHECK_EQ((p.buf[2] << 8) | p.buf[3], p.len);
	memcpy(copy, p.buf, p.len);
	memset(copy + 22, 0, 16);
	HMAC(EVP_md5(), secret, (int)SLEN, copy, p.len, mac, &ml);
	CHECK_MEM(p.buf + 22, mac, 16);
}

static void
accounting_request_authenticator(void)
{
	struct rad_pkt	 p;
	uint8_t		 copy[RAD_MAX_LEN], a[16];

	rad_pkt_init(&p, RAD_ACCT_REQUEST, 3, NULL);
	rad_add_u32(&p, RAD_ACCT_STATUS_TYPE, RAD_STATUS_START);
	rad_add_str(&p, RAD_ACCT_SESSION_ID, "x-1");
	CHECK(rad_pkt_finish(&p, secret, SLEN) == 0);
	CHECK(p.ma_off == 0);
	memcpy(copy, p.buf, p.len);
	memset(copy + 4, 0, 16);
	md5(a, copy, p.len, secret, SLEN);
	CHECK_MEM(p.buf + 4, a, 16);
}

static void
reply_message_authenticator(void)
{
	struct rad_pkt	 p;
	struct rad_msg	 m;
	uint8_t		 ra[16] = { 9, 8, 7 }, a[16];
	const char	*why;

	rad_pkt_init(&p, RAD_ACCESS_ACCEPT, 5, ra);
	rad_add_ma(&p);
	rad_add_u32(&p, RAD_SESSION_TIMEOUT, 60);
	CHECK(rad_pkt_finish_reply(&p, secret, SLEN) == 0);
	CHECK(rad_parse(p.buf, p.len, &m, &why) == 0);
	CHECK(rad_verify_reply(&m, ra, secret, SLEN, true, &why) == 0);
	/* A wrong MA with a right Response Authenticator (a forger who
	 * knows neither cannot do even this much). */
	p.buf[22] ^= 0x80;
	memcpy(p.buf + 4, ra, 16);
	md5(a, p.buf, p.len, secret, SLEN);
	memcpy(p.buf + 4, a, 16);
	CHECK(rad_parse(p.buf, p.len, &m, &why) == 0);
	CHECK(rad_verify_reply(&m, ra, secret, SLEN, true, &why) < 0);
	CHECK_STR(why, "wrong Message-Authenticator");
}

static void
mppe_keys(void)
{
	uint8_t		 key[16], out[64], enc[64], ra[16] = { 4, 4, 4 };
	size_t		 n, elen;
	int		 i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)(0xa0 + i);
	CHECK(rad_mppe_encrypt(key, 16, 0x1234, secret, SLEN, ra, enc,
	    sizeof(enc), &elen) == 0);
	CHECK_EQ(elen, 2 + 32);		/* length byte + 16, padded */
	CHECK((enc[0] & 0x80) != 0);
	CHECK(memcmp(enc + 3, key, 16) != 0);
	CHECK(rad_mppe_decrypt(enc, elen, secret, SLEN, ra, out, sizeof(out),
	    &n) == 0);
	CHECK_EQ(n, 16);
	CHECK_MEM(out, key, 16);
	/* Another Request Authenticator: the length byte is garbage or the
	 * key differs. */
	ra[0] ^= 1;
	if (rad_mppe_decrypt(enc, elen, secret, SLEN, ra, out, sizeof(out),
	    &n) == 0)
		CHECK(n != 16 || memcmp(out, key, 16) != 0);
	/* Bad shapes. */
	CHECK(rad_mppe_decrypt(enc, 17, secret, SLEN, ra, out, sizeof(out),
	    &n) < 0);
	enc[0] &= 0x7f;
	CHECK(rad_mppe_decrypt(enc, elen, secret, SLEN, ra, out, sizeof(out),
	    &n) < 0);
}

static void
parse_bounds(void)
{
	uint8_t		 p[64];
	struct rad_msg	 m;
	const char	*why;

	memset(p, 0, sizeof(p));
	p[0] = 2;
	p[3] = 20;
	CHECK(rad_parse(p, 19, &m, &why) < 0);
	CHECK(rad_parse(p, 20, &m, &why) == 0);
	p[3] = 24;			/* longer than the buffer */
	CHECK(rad_parse(p, 23, &m, &why) < 0);
	p[20] = 1;
	p[21] = 5;			/* attribute past the end */
	CHECK(rad_parse(p, 24, &m, &why) < 0);
	p[21] = 1;			/* length below 2 */
	CHECK(rad_parse(p, 24, &m, &why) < 0);
	/* VSA: sub-attribute longer than the VSA. */
	p[3] = 30;
	p[20] = 26;
	p[21] = 10;
	p[22] = 0; p[23] = 0; p[24] = 1; p[25] = 55;
	p[26] = 16; p[27] = 5;
	CHECK(rad_parse(p, 30, &m, &why) < 0);
	p[27] = 4;
	CHECK(rad_parse(p, 30, &m, &why) == 0);
	CHECK(rad_find_vsa(&m, 311, 16) != NULL);
}

RG_TEST_MAIN("radius", T(rfc2865_user_password),
    T(rfc2865_response_authenticator), T(message_authenticator_first),
    T(accounting_request_authenticator), T(reply_message_authenticator),
    T(mppe_keys), T(parse_bounds))
