/*
 * test_radius.c: the RADIUS codec with the RFC 2865 section 7.1 example
 * (User-Password hiding, Response Authenticator), Message-Authenticator
 * (RFC 3579 3.2) first in every Access-Request and required in replies,
 * the Accounting Request Authenticator (RFC 2866 3), MPPE key
 * encryption both ways (RFC 2548 2.4.2), bounded parsing; the client
 * against fake in-process servers on loopback (accept, forged replies
 * with the right identifier: wrong authenticator or no
 * Message-Authenticator -> refused and counted, retransmission,
 * failover to a second server); the auth backend with MS-CHAPv2 whose
 * server answer carries the RFC 2759 9.2 authenticator and the RFC 3079
 * 3.5.3 send key, PAP, CHAP-MD5, reject, the granted attributes, the
 * local and radius,local settings; accounting through the session
 * registry (Accounting-On, Start, Interim-Update, Stop).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "radius.h"
#include "radius_int.h"
#include "radius_dae.h"
#include "radius_client.h"
#include "radius_pkt.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_mschap.h"
#include "rg_test.h"
#include "pool/pool.h"
#include "sess.h"
#include "store.h"

static const uint8_t	 secret[] = "s3cret-for-tests";
#define SLEN		(sizeof(secret) - 1)

static void
unhex(const char *h, uint8_t *out, size_t *n)
{
	unsigned int	 v;

	for (*n = 0; h[0] && h[1]; h += 2) {
		if (*h == ' ') {
			h--;
			continue;
		}
		sscanf(h, "%2x", &v);
		out[(*n)++] = (uint8_t)v;
	}
}

static void
md5(uint8_t out[16], const void *a, size_t al, const void *b, size_t bl)
{
	EVP_MD_CTX	*x = EVP_MD_CTX_new();

	EVP_DigestInit_ex(x, EVP_md5(), NULL);
	EVP_DigestUpdate(x, a, al);
	if (bl)
		EVP_DigestUpdate(x, b, bl);
	EVP_DigestFinal_ex(x, out, NULL);
	EVP_MD_CTX_free(x);
}

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

/* --- a fake server ------------------------------------------------------ */

enum fake_mode {
	FAKE_ACCEPT,		/* Access-Accept with MA */
	FAKE_FORGE_THEN_ACCEPT,	/* a wrong authenticator first */
	FAKE_NO_MA,		/* Access-Accept without MA */
	FAKE_SILENT,		/* never answers */
	FAKE_THIRD,		/* answers the third copy */
	FAKE_BACKEND,		/* MS-CHAPv2 / PAP checks, see below */
};

struct fake {
	int			 fd;
	struct rg_io		 io;
	uint16_t		 port;
	enum fake_mode		 mode;
	int			 got;
	char			 last_pw[130];
	uint8_t			 last_code;
	uint8_t			 acct[8][RAD_MAX_LEN];	/* requests seen */
	size_t			 acct_len[8];
	int			 nacct;
	bool			 acct_down;	/* accounting unanswered */
};

static struct rg_loop	*loop;

static const uint8_t	 v_auth_chal[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t	 v_peer_chal[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t	 v_nt_resp[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char	 v_auth_resp[] =
    "S=407A5589115FD0D6209F510FE9C04566932CDA56";
static const uint8_t	 v_send_start128[16] = {
	0x8B, 0x7C, 0xDC, 0x14, 0x9B, 0x99, 0x3A, 0x1B,
	0xA1, 0x18, 0xCB, 0x15, 0x3F, 0x56, 0xDC, 0xCB };

/* User-Password, the server's side of RFC 2865 5.2. */
static void
unhide(const struct rad_attr *a, const uint8_t ra[16], char *out)
{
	uint8_t		 b[16];
	const uint8_t	*prev = ra;
	size_t		 i, j;

	for (i = 0; i + 16 <= a->len && i < 128; i += 16) {
		md5(b, secret, SLEN, prev, 16);
		for (j = 0; j < 16; j++)
			out[i + j] = (char)(a->val[i + j] ^ b[j]);
		prev = a->val + i;
	}
	out[i] = '\0';
}

static void
fake_backend_reply(struct fake *f, const struct rad_msg *m,
    struct rad_pkt *p)
{
	const struct rad_attr	*ch, *rs, *pw, *un, *cp, *cc;
	uint8_t			 b[64];
	size_t			 n;
	char			 user[64];

	un = rad_find(m, RAD_USER_NAME);
	snprintf(user, sizeof(user), "%.*s", un ? un->len : 0,
	    un ? (const char *)un->val : "");
	ch = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP_CHALLENGE);
	rs = rad_find_vsa(m, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_RESPONSE);
	pw = rad_find(m, RAD_USER_PASSWORD);
	if (ch != NULL && rs != NULL && ch->len == 16 && rs->len == 50 &&
	    memcmp(ch->val, v_auth_chal, 16) == 0 &&
	    memcmp(rs->val + 2, v_peer_chal, 16) == 0 &&
	    memcmp(rs->val + 26, v_nt_resp, 24) == 0 &&
	    strcmp(user, "User") == 0) {
		rad_pkt_init(p, RAD_ACCESS_ACCEPT, m->id, m->auth);
		rad_add_ma(p);
		b[0] = rs->val[0];
		memcpy(b + 1, v_auth_resp, 42);
		rad_add_vsa(p, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_SUCCESS, b,
		    43);
		rad_mppe_encrypt(v_send_start128, 16, 0x0102, secret, SLEN,
		    m->auth, b, sizeof(b), &n);
		rad_add_vsa(p, RAD_VENDOR_MICROSOFT, RAD_MS_MPPE_SEND_KEY, b,
		    n);
		rad_mppe_encrypt((const uint8_t *)"0123456789abcdef", 16,
		    0x0304, secret, SLEN, m->auth, b, sizeof(b), &n);
		rad_add_vsa(p, RAD_VENDOR_MICROSOFT, RAD_MS_MPPE_RECV_KEY, b,
		    n);
		return;
	}
	if ((cp = rad_find(m, RAD_CHAP_PASSWORD)) != NULL && cp->len == 17 &&
	    (cc = rad_find(m, RAD_CHAP_CHALLENGE)) != NULL) {
		/* RFC 1994: MD5(id | secret | challenge), "carol-pass". */
		uint8_t		 in[1 + 10 + 255];

		in[0] = cp->val[0];
		memcpy(in + 1, "carol-pass", 10);
		memcpy(in + 11, cc->val, cc->len);
		md5(b, in, 11 + cc->len, NULL, 0);
		rad_pkt_init(p, memcmp(b, cp->val + 1, 16) == 0 ?
		    RAD_ACCESS_ACCEPT : RAD_ACCESS_REJECT, m->id, m->auth);
		rad_add_ma(p);
		return;
	}
	if (pw != NULL) {
		unhide(pw, m->auth, f->last_pw);
		if (strcmp(f->last_pw, "bob-pass") == 0) {
			rad_pkt_init(p, RAD_ACCESS_ACCEPT, m->id, m->auth);
			rad_add_ma(p);
			rad_add(p, RAD_FRAMED_IP_ADDRESS,
			    (uint8_t[4]){ 10, 99, 0, 2 }, 4);
			rad_add_u32(p, RAD_SESSION_TIMEOUT, 3600);
			rad_add_str(p, RAD_CLASS, "bob-class");
			rad_add_str(p, RAD_FRAMED_POOL, "pool-b");
			rad_add_u32(p, RAD_IDLE_TIMEOUT, 600);
			rad_add_vsa(p, RAD_VENDOR_MICROSOFT,
			    RAD_MS_PRIMARY_DNS,
			    (uint8_t[4]){ 10, 0, 0, 53 }, 4);
			return;
		}
	}
	rad_pkt_init(p, RAD_ACCESS_REJECT, m->id, m->auth);
	rad_add_ma(p);
	rad_add_str(p, RAD_REPLY_MESSAGE, "no");
}

static void
fake_readable(struct rg_io *io, uint32_t ev)
{
	struct fake		*f = io->arg;
	uint8_t			 buf[RAD_MAX_LEN];
	struct sockaddr_storage	 from;
	socklen_t		 fl = sizeof(from);
	struct rad_msg		 m;
	struct rad_pkt		 p;
	const char		*why;
	ssize_t			 n;

	(void)ev;
	n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fl);
	if (n < 0 || rad_parse(buf, (size_t)n, &m, &why) < 0)
		return;
	f->got++;
	f->last_code = m.code;
	if (m.code == RAD_ACCT_REQUEST) {
		if (f->acct_down)
			return;
		if (f->nacct < 8) {
			memcpy(f->acct[f->nacct], buf, (size_t)n);
			f->acct_len[f->nacct++] = (size_t)n;
		}
		rad_pkt_init(&p, RAD_ACCT_RESPONSE, m.id, m.auth);
		rad_pkt_finish_reply(&p, secret, SLEN);
		sendto(f->fd, p.buf, p.len, 0, (struct sockaddr *)&from, fl);
		return;
	}
	switch (f->mode) {
	case FAKE_SILENT:
		return;
	case FAKE_THIRD:
		if (f->got < 3)
			return;
		/* FALLTHROUGH */
	case FAKE_ACCEPT:
	case FAKE_FORGE_THEN_ACCEPT:
		if (f->mode == FAKE_FORGE_THEN_ACCEPT) {
			/* Right identifier, authenticator from a guess. */
			rad_pkt_init(&p, RAD_ACCESS_ACCEPT, m.id, m.auth);
			rad_add_ma(&p);
			rad_pkt_finish_reply(&p, (const uint8_t *)"guess", 5);
			sendto(f->fd, p.buf, p.len, 0,
			    (struct sockaddr *)&from, fl);
		}
		rad_pkt_init(&p, RAD_ACCESS_ACCEPT, m.id, m.auth);
		rad_add_ma(&p);
		break;
	case FAKE_NO_MA:
		rad_pkt_init(&p, RAD_ACCESS_ACCEPT, m.id, m.auth);
		break;
	case FAKE_BACKEND:
		fake_backend_reply(f, &m, &p);
		break;
	}
	rad_pkt_finish_reply(&p, secret, SLEN);
	sendto(f->fd, p.buf, p.len, 0, (struct sockaddr *)&from, fl);
}

static void
fake_start(struct fake *f, enum fake_mode mode)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 sl = sizeof(sin);

	if (loop == NULL)
		loop = rg_loop_new(0);
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	bind(f->fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(f->fd, (struct sockaddr *)&sin, &sl);
	f->port = ntohs(sin.sin_port);
	f->io.fd = f->fd;
	f->io.cb = fake_readable;
	f->io.arg = f;
	rg_io_add(loop, &f->io, 1);
}

static void
fake_stop(struct fake *f)
{
	rg_io_del(loop, &f->io);
	close(f->fd);
}

static void
conf_for(struct rad_server_conf *c, const char *name, uint16_t port)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)&c->auth;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->sin_port = htons(port);
	c->acct = c->auth;
	memcpy(c->secret, secret, SLEN);
	c->secret_len = SLEN;
	c->timeout_ms = 50;
	c->retries = 2;
	c->require_ma = true;
}

struct ans {
	int			 n;
	enum rad_status		 st;
	uint8_t			 code;
	char			 server[65];
};

static void
ans_done(void *arg, const struct rad_answer *a)
{
	struct ans	*x = arg;

	x->n++;
	x->st = a->status;
	x->code = a->reply ? a->reply->code : 0;
	snprintf(x->server, sizeof(x->server), "%s", a->server ? a->server :
	    "");
}

static void
spin(int *n, int ms)
{
	for (int i = 0; i < ms / 5 && *n == 0; i++)
		rg_loop_once(loop, 5);
}

/* One Access-Request to a fake in mode; the answer and the stats. */
static void
one_request(enum fake_mode mode, bool require_ma, struct ans *x,
    struct rad_server_stats *st, int *fake_got)
{
	struct fake		 f;
	struct rad_client	*c;
	struct rad_server_conf	 conf;
	struct rad_attrs	 a;

	fake_start(&f, mode);
	c = rad_client_new(loop);
	conf_for(&conf, "fake", f.port);
	conf.require_ma = require_ma;
	rad_client_set_servers(c, &conf, 1);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	memset(x, 0, sizeof(*x));
	CHECK(rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, x) != NULL);
	CHECK_EQ(x->n, 0);		/* never inside rad_send() */
	spin(&x->n, 2000);
	CHECK(rad_client_stats(c, "fake", st) == 0);
	*fake_got = f.got;
	rad_client_free(c);
	fake_stop(&f);
}

static void
client_accept(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_ACCEPT, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(x.code, RAD_ACCESS_ACCEPT);
	CHECK_EQ(st.requests, 1);
	CHECK_EQ(st.bad_replies, 0);
}

static void
client_forged_reply_refused(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	/* The forgery comes first with the right identifier: dropped,
	 * counted; the real answer still completes the request. */
	one_request(FAKE_FORGE_THEN_ACCEPT, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(st.bad_replies, 1);
}

static void
client_no_ma_refused(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_NO_MA, true, &x, &st, &got);
	CHECK_EQ(x.n, 1);
	CHECK_EQ(x.st, RAD_TIMEOUT);	/* never acted on */
	CHECK_EQ(got, 3);		/* first send + 2 retries */
	CHECK_EQ(st.bad_replies, 3);
	CHECK_EQ(st.timeouts, 1);
	/* Relaxed per server (old servers): accepted. */
	one_request(FAKE_NO_MA, false, &x, &st, &got);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(st.bad_replies, 0);
}

static void
client_retransmits(void)
{
	struct ans		 x;
	struct rad_server_stats	 st;
	int			 got;

	one_request(FAKE_THIRD, true, &x, &st, &got);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_EQ(got, 3);
	CHECK_EQ(st.retransmits, 2);
	CHECK_EQ(st.timeouts, 0);
}

static void
client_failover(void)
{
	struct fake		 dead, good;
	struct rad_client	*c;
	struct rad_server_conf	 conf[2];
	struct rad_server_stats	 st;
	struct rad_attrs	 a;
	struct ans		 x;

	fake_start(&dead, FAKE_SILENT);
	fake_start(&good, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf[0], "a-primary", dead.port);
	conf_for(&conf[1], "b-second", good.port);
	rad_client_set_servers(c, conf, 2);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 3000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_STR(x.server, "b-second");
	CHECK(rad_client_stats(c, "a-primary", &st) == 0);
	CHECK_EQ(st.timeouts, 1);
	CHECK(st.dead);
	/* The dead one is skipped now: straight to the second. */
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 3000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK(rad_client_stats(c, "a-primary", &st) == 0);
	CHECK_EQ(st.requests, 1);
	rad_client_free(c);
	fake_stop(&dead);
	fake_stop(&good);
	/* A closed port fails over at once (ICMP through the connected
	 * socket), long before the timeouts. */
	fake_start(&good, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf[0], "a-closed", 9);	/* discard: nobody there */
	conf[0].timeout_ms = 5000;
	conf_for(&conf[1], "b-second", good.port);
	rad_client_set_servers(c, conf, 2);
	memset(&x, 0, sizeof(x));
	rad_send(c, RAD_ACCESS_REQUEST, &a, "pw", ans_done, &x);
	spin(&x.n, 1000);
	CHECK_EQ(x.st, RAD_OK);
	CHECK_STR(x.server, "b-second");
	rad_client_free(c);
	fake_stop(&good);
}

static void
client_cancel(void)
{
	struct fake		 f;
	struct rad_client	*c;
	struct rad_server_conf	 conf;
	struct rad_attrs	 a;
	struct ans		 x = { 0 };
	struct rad_req		*r;

	fake_start(&f, FAKE_ACCEPT);
	c = rad_client_new(loop);
	conf_for(&conf, "fake", f.port);
	rad_client_set_servers(c, &conf, 1);
	memset(&a, 0, sizeof(a));
	rad_attrs_str(&a, RAD_USER_NAME, "alice");
	r = rad_send(c, RAD_ACCESS_REQUEST, &a, NULL, ans_done, &x);
	rad_cancel(r);
	for (int i = 0; i < 20; i++)
		rg_loop_once(loop, 5);
	CHECK_EQ(x.n, 0);
	rad_client_free(c);
	fake_stop(&f);
}

/* --- the auth backend --------------------------------------------------- */

struct got {
	int			 n;
	struct auth_result	*r;
};

static void
got_done(void *arg, struct auth_result *r)
{
	struct got	*g = arg;

	g->n++;
	auth_result_free(g->r);
	g->r = r;
}

static struct rg_config *
backend_cfg(uint16_t port, const char *mode)
{
	struct rg_config	*c = rg_config_new();
	char			 addr[32];

	c->settings.auth_backend = strdup(mode);
	c->radius = calloc(1, sizeof(*c->radius));
	c->nradius = 1;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	c->radius[0].name = strdup("fake");
	c->radius[0].address = strdup(addr);
	c->radius[0].secret = (uint8_t *)strdup((const char *)secret);
	c->radius[0].secret_len = SLEN;
	c->radius[0].acct_port = port;	/* one fake for both */
	c->radius[0].timeout_ms = 50;
	c->radius[0].retries = 1;
	c->radius[0].require_ma = true;
	c->users = calloc(1, sizeof(*c->users));
	c->nusers = 1;
	c->users[0].name = strdup("local-only");
	c->users[0].password = strdup("local-pass");
	c->users[0].enabled = true;
	return c;
}

static struct auth_result *
ask(struct auth *au, const struct auth_req *q)
{
	struct got	 g = { 0, NULL };

	CHECK(auth_check(au, q, got_done, &g) != NULL);
	spin(&g.n, 2000);
	CHECK_EQ(g.n, 1);
	return g.r;
}

static void
backend_mschapv2_pap(void)
{
	struct fake		 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;
	struct sockaddr_in	 src = { .sin_family = AF_INET };

	rg_log_open(false, false, RG_L_ERROR);
	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	src.sin_addr.s_addr = htonl(0xc0000207);
	src.sin_port = htons(4500);

	memset(&q, 0, sizeof(q));
	q.kind = AUTH_MSCHAPV2;
	q.user = "User";
	q.src = (struct sockaddr *)&src;
	memcpy(q.u.mschapv2.auth_chal, v_auth_chal, 16);
	memcpy(q.u.mschapv2.peer_chal, v_peer_chal, 16);
	memcpy(q.u.mschapv2.nt_resp, v_nt_resp, 24);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	if (res != NULL && res->outcome == AUTH_OK) {
		CHECK_STR(res->authenticator, v_auth_resp);
		CHECK_STR(res->user, "User");
		CHECK_EQ(res->msk_len, RG_MSCHAP_MSK_LEN);
		/* MSK = Recv-Key | Send-Key | zeros. */
		CHECK_MEM(res->msk, "0123456789abcdef", 16);
		CHECK_MEM(res->msk + 16, v_send_start128, 16);
		CHECK_MEM(res->mppe_send, v_send_start128, 16);
	}
	auth_result_free(res);

	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "bob";
	q.u.pap.password = "bob-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	CHECK_STR(f.last_pw, "bob-pass");
	if (res != NULL && res->outcome == AUTH_OK) {
		CHECK_EQ(res->address.af, AF_INET);
		CHECK_MEM(res->address.addr, "\x0a\x63\x00\x02", 4);
		CHECK_EQ(res->session_timeout_s, 3600);
		CHECK_EQ(res->class_len, 9);
		CHECK_MEM(res->class_attr, "bob-class", 9);
		CHECK_STR(res->pool, "pool-b");
		CHECK_EQ(res->idle_timeout_s, 600);
		CHECK_EQ(res->dns4[0].af, AF_INET);
		CHECK_MEM(res->dns4[0].addr, "\x0a\x00\x00\x35", 4);
		CHECK_EQ(res->dns4[1].af, 0);
	}
	auth_result_free(res);

	q.u.pap.password = "wrong";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_REJECT);
	auth_result_free(res);

	/* CHAP-MD5: CHAP-Password (id, response) and CHAP-Challenge. */
	{
		static const uint8_t	 chal[20] = { 1, 2, 3, 4, 5, 6, 7, 8,
		    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
		uint8_t			 in[1 + 10 + 20];

		memset(&q, 0, sizeof(q));
		q.kind = AUTH_CHAP_MD5;
		q.user = "carol";
		q.u.chap.id = 77;
		q.u.chap.challenge = chal;
		q.u.chap.challenge_len = sizeof(chal);
		in[0] = 77;
		memcpy(in + 1, "carol-pass", 10);
		memcpy(in + 11, chal, 20);
		md5(q.u.chap.response, in, sizeof(in), NULL, 0);
		res = ask(au, &q);
		CHECK(res != NULL && res->outcome == AUTH_OK);
		auth_result_free(res);
		q.u.chap.response[0] ^= 1;
		res = ask(au, &q);
		CHECK(res != NULL && res->outcome == AUTH_REJECT);
		auth_result_free(res);
	}
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	/* A local-only user is unknown to RADIUS. */
	q.user = "local-only";
	q.u.pap.password = "local-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_REJECT);
	auth_result_free(res);

	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}

static void
backend_local_and_fallback(void)
{
	struct fake		 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;

	/* auth_backend local: RADIUS is never asked. */
	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "local");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "local-only";
	q.u.pap.password = "local-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	for (int i = 0; i < 20; i++)
		rg_loop_once(loop, 5);
	CHECK_EQ(f.got, 1);		/* the Accounting-On only */
	CHECK_EQ(f.last_code, RAD_ACCT_REQUEST);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);

	/* radius,local with a silent server: local answers; radius alone:
	 * an error, not a reject. */
	fake_start(&f, FAKE_SILENT);
	cfg = backend_cfg(f.port, "radius,local");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	cfg = backend_cfg(f.port, "radius");
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_ERROR);
	auth_result_free(res);
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
	rg_loop_free(loop);
	loop = NULL;
}

/* --- accounting --------------------------------------------------------- */

struct prov {
	struct sess	*s;
	uint64_t	 bytes_in;
};

static int
prov_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	struct prov	*p = ctx;

	(void)arg;
	sess_end(p->s, cause, why);
	p->s = NULL;
	return 0;
}

static void
prov_counters(void *arg, void *ctx, struct sess_counters *c)
{
	struct prov	*p = ctx;

	(void)arg;
	c->bytes_in = p->bytes_in;
	c->bytes_out = 1000;
	c->packets_in = 3;
	c->packets_out = 4;
}

static const struct sess_provider_ops prov_ops = {
	.name = "ikev2", .kill = prov_kill, .counters = prov_counters,
};

static int
lease_acquire(void *arg, const struct rg_config *c, const struct pool_req *r,
    struct pool_grant *g, char *why, size_t whylen)
{
	(void)arg;
	(void)c;
	(void)r;
	(void)why;
	(void)whylen;
	memset(g, 0, sizeof(*g));
	g->addr.af = AF_INET;
	memcpy(g->addr.addr, "\x0a\x09\x00\x05", 4);
	return 0;
}

static void
lease_release(void *arg, uint64_t key)
{
	(void)arg;
	(void)key;
}

static const struct sess_lease_ops leases = { lease_acquire, lease_release,
	NULL };

/* The n-th accounting request the fake saw, parsed. */
static int
acct_get(struct fake *f, int n, struct rad_msg *m)
{
	const char	*why;

	if (n >= f->nacct)
		return -1;
	return rad_parse(f->acct[n], f->acct_len[n], m, &why);
}

static void
accounting_start_interim_stop(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_result	*res;
	struct auth_req		 q;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct sess_provider	 prov = { &prov_ops, NULL };
	struct sockaddr_in	 peer = { .sin_family = AF_INET };
	struct sess_info	 in = { .user = "bob", .method = "ikev2-eap",
				       .profile = "default",
				       .peer = (struct sockaddr *)&peer };
	struct prov		 pv = { NULL, (5ull << 32) + 7 };
	struct rad_msg		 m;
	const struct rad_attr	*a;
	struct rg_addr		 vip;
	char			 why[64];
	uint32_t		 v;

	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	/* bob's Access-Accept carries a Class to echo. */
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_PAP;
	q.user = "bob";
	q.u.pap.password = "bob-pass";
	res = ask(au, &q);
	CHECK(res != NULL && res->outcome == AUTH_OK);
	auth_result_free(res);

	inet_pton(AF_INET, "192.0.2.2", &peer.sin_addr);
	peer.sin_port = htons(4500);
	pv.s = sess_open(reg, &prov, &pv, &in);
	CHECK(pv.s != NULL);
	CHECK_EQ(sess_lease(pv.s, AF_INET, NULL, &vip, why, sizeof(why)), 0);
	sess_up(pv.s);
	sess_interim(pv.s);
	sess_end(pv.s, SESS_CAUSE_IDLE_TIMEOUT, "test");
	for (int i = 0; i < 40 && f.nacct < 4; i++)
		rg_loop_once(loop, 5);
	/* Accounting-On, Start, Interim-Update, Stop. */
	CHECK_EQ(f.nacct, 4);
	CHECK(acct_get(&f, 0, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_ACCT_ON);
	CHECK(acct_get(&f, 1, &m) == 0);
	CHECK(rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) == 0 &&
	    v == RAD_STATUS_START);
	CHECK((a = rad_find(&m, RAD_CLASS)) != NULL && a->len == 9 &&
	    memcmp(a->val, "bob-class", 9) == 0);
	CHECK((a = rad_find(&m, RAD_FRAMED_IP_ADDRESS)) != NULL &&
	    memcmp(a->val, "\x0a\x09\x00\x05", 4) == 0);
	CHECK((a = rad_find(&m, RAD_CALLING_STATION_ID)) != NULL &&
	    a->len == 15 && memcmp(a->val, "192.0.2.2[4500]", 15) == 0);
	CHECK(rad_get_u32(&m, RAD_NAS_PORT_TYPE, &v) == 0 && v == 5);
	CHECK(rad_find(&m, RAD_ACCT_INPUT_OCTETS) == NULL);
	CHECK(acct_get(&f, 2, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_INTERIM);
	CHECK(acct_get(&f, 3, &m) == 0);
	CHECK(rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) == 0 &&
	    v == RAD_STATUS_STOP);
	CHECK(rad_get_u32(&m, RAD_ACCT_TERMINATE_CAUSE, &v) == 0 && v == 4);
	CHECK(rad_get_u32(&m, RAD_ACCT_INPUT_OCTETS, &v) == 0 && v == 7);
	CHECK(rad_get_u32(&m, RAD_ACCT_INPUT_GIGAWORDS, &v) == 0 && v == 5);
	CHECK(rad_get_u32(&m, RAD_ACCT_OUTPUT_OCTETS, &v) == 0 && v == 1000);
	CHECK(rad_get_u32(&m, RAD_ACCT_OUTPUT_PACKETS, &v) == 0 && v == 4);
	CHECK(rad_get_u32(&m, RAD_ACCT_SESSION_TIME, &v) == 0);
	CHECK((a = rad_find(&m, RAD_ACCT_SESSION_ID)) != NULL);

	/* Interim-Update on the setting's period (1 s here). */
	cfg->settings.radius_interim_s = 1;
	f.nacct = 0;
	pv.s = sess_open(reg, &prov, &pv, &in);
	CHECK(pv.s != NULL);
	sess_up(pv.s);
	for (int i = 0; i < 300 && f.nacct < 2; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(f.nacct, 2);
	CHECK(acct_get(&f, 1, &m) == 0 && rad_get_u32(&m,
	    RAD_ACCT_STATUS_TYPE, &v) == 0 && v == RAD_STATUS_INTERIM);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	auth_free(au);
	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}

static int
count_row(int64_t id, uint64_t created_ms, const uint8_t *rec, size_t len,
    void *arg)
{
	(void)id;
	(void)created_ms;
	(void)rec;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static int
stored(struct store *st)
{
	int	 n = 0;

	(void)store_acct_list(st, count_row, &n);
	return n;
}

static bool
acct_is(struct fake *f, int n, uint32_t status, const char *user)
{
	struct rad_msg		 m;
	const struct rad_attr	*a;
	uint32_t		 v;

	if (acct_get(f, n, &m) != 0 ||
	    rad_get_u32(&m, RAD_ACCT_STATUS_TYPE, &v) != 0 || v != status)
		return false;
	if (user == NULL)
		return true;
	a = rad_find(&m, RAD_USER_NAME);
	return a != NULL && a->len == strlen(user) &&
	    memcmp(a->val, user, a->len) == 0;
}

static void
spin_acct(struct fake *f, int n, int ms)
{
	for (int i = 0; i < ms / 10 && f->nacct < n; i++)
		rg_loop_once(loop, 10);
}

/* Every server down: records wait in the store, across a restart of the
 * RADIUS module, and go out in order once the server answers; past the
 * bound the oldest waiting one is dropped and counted. */
static void
accounting_store_and_forward(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct sess_provider	 prov = { &prov_ops, NULL };
	struct sess_info	 in = { .user = "carl", .method = "ikev2-eap",
				       .profile = "default" };
	struct prov		 pv = { NULL, 100 };
	struct store		*st;
	struct rad_msg		 m;
	char			 dir[] = "/tmp/rg-test-radacct.XXXXXX";
	char			 err[256], cmd[300];
	uint32_t		 v;

	if (mkdtemp(dir) == NULL || (st = store_open(dir, err,
	    sizeof(err))) == NULL) {
		CHECK(0 && "store");
		return;
	}
	fake_start(&f, FAKE_BACKEND);
	f.acct_down = true;
	cfg = backend_cfg(f.port, "radius");
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	r->acct_retry_ms = 200;
	radius_set_store(r, st);
	pv.s = sess_open(reg, &prov, &pv, &in);
	sess_up(pv.s);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	spin_acct(&f, 1, 700);
	/* Accounting-On, Start, Stop: all unanswered, all kept. */
	CHECK_EQ(f.nacct, 0);
	CHECK(r->acct_failed >= 3);
	CHECK_EQ(r->acct_qlen, 3);
	CHECK_EQ(stored(st), 3);

	/* roadgated restarts; the server is back. */
	sess_reg_free(reg);
	radius_free(r);
	CHECK_EQ(stored(st), 3);
	f.acct_down = false;
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	radius_set_store(r, st);
	spin_acct(&f, 4, 2000);
	for (int i = 0; i < 20 && r->acct_qlen > 0; i++)
		rg_loop_once(loop, 10);
	/* The earlier run's first, in order, then this run's On. */
	CHECK_EQ(f.nacct, 4);
	CHECK(acct_is(&f, 0, RAD_STATUS_ACCT_ON, NULL));
	CHECK(acct_is(&f, 1, RAD_STATUS_START, "carl"));
	CHECK(acct_is(&f, 2, RAD_STATUS_STOP, "carl"));
	CHECK(acct_is(&f, 3, RAD_STATUS_ACCT_ON, NULL));
	/* It waited (Acct-Delay-Time, RFC 2866 5.2) at least 0.7 s. */
	CHECK(acct_get(&f, 2, &m) == 0 &&
	    rad_get_u32(&m, RAD_ACCT_DELAY_TIME, &v) == 0);
	CHECK_EQ(r->acct_qlen, 0);
	CHECK_EQ(stored(st), 0);
	CHECK_EQ(r->acct_dropped, 0);

	/* Bound 2: Start waits, Interim and Stop come, Start goes. */
	f.acct_down = true;
	f.nacct = 0;
	r->acct_qmax = 2;
	r->acct_retry_ms = 100000;
	pv.s = sess_open(reg, &prov, &pv, &in);
	sess_up(pv.s);
	for (int i = 0; i < 50 && r->acct_inflight > 0; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(r->acct_inflight, 0);
	sess_interim(pv.s);
	sess_end(pv.s, SESS_CAUSE_USER_REQUEST, "test");
	CHECK_EQ(r->acct_dropped, 1);
	CHECK_EQ(r->acct_qlen, 2);
	CHECK_EQ(stored(st), 2);
	f.acct_down = false;
	radius_acct_kick(r);
	spin_acct(&f, 2, 1000);
	CHECK_EQ(f.nacct, 2);
	CHECK(acct_is(&f, 0, RAD_STATUS_INTERIM, "carl"));
	CHECK(acct_is(&f, 1, RAD_STATUS_STOP, "carl"));

	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

/* --- Disconnect / CoA (RFC 5176) ------------------------------------------ */

static const uint8_t	 dsecret[] = "dae-secret";

struct dae_ans {
	uint8_t		 code;		/* 0: no answer */
	uint32_t	 cause;
};

/* One request to the DAE listener at port; opts: with_ma, a wrong
 * secret, Event-Timestamp offset.  The same bytes again when replay. */
static struct dae_ans
dae_ask(uint16_t port, uint8_t code, uint8_t id, const char *user,
    const uint8_t *framed, int64_t ts_off, uint32_t timeout, bool with_ma,
    const char *key, struct rad_pkt *sent, bool replay)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET };
	struct rad_pkt		 p;
	struct dae_ans		 a = { 0, 0 };
	struct rad_msg		 m;
	uint8_t			 buf[RAD_MAX_LEN];
	const char		*why;
	ssize_t			 n = -1;
	int			 fd;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(port);
	if (replay) {
		p = *sent;
	} else {
		rad_pkt_init(&p, code, id, NULL);
		if (with_ma)
			rad_add_ma(&p);
		if (user != NULL)
			rad_add_str(&p, RAD_USER_NAME, user);
		if (framed != NULL)
			rad_add(&p, RAD_FRAMED_IP_ADDRESS, framed, 4);
		if (timeout)
			rad_add_u32(&p, RAD_SESSION_TIMEOUT, timeout);
		rad_add_u32(&p, RAD_EVENT_TIMESTAMP,
		    (uint32_t)((int64_t)time(NULL) + ts_off));
		rad_pkt_finish(&p, (const uint8_t *)key, strlen(key));
		if (sent != NULL)
			*sent = p;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, p.buf, p.len, 0, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < 40 && n < 0; i++) {
		rg_loop_once(loop, 10);
		n = recv(fd, buf, sizeof(buf), 0);
	}
	close(fd);
	if (n > 0 && rad_parse(buf, (size_t)n, &m, &why) == 0 &&
	    rad_verify_reply(&m, p.buf + 4, dsecret, sizeof(dsecret) - 1,
	    true, &why) == 0) {
		a.code = m.code;
		(void)rad_get_u32(&m, RAD_ERROR_CAUSE, &a.cause);
	}
	return a;
}

static uint16_t
free_udp_port(void)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 sl = sizeof(sin);
	int			 fd = socket(AF_INET, SOCK_DGRAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &sl);
	close(fd);
	return ntohs(sin.sin_port);
}

struct dprov {
	struct sess	*s;
	int		 kills;
	enum sess_cause	 cause;
};

static int
dprov_kill(void *arg, void *ctx, enum sess_cause cause, const char *why)
{
	struct dprov	*p = ctx;

	(void)arg;
	p->kills++;
	p->cause = cause;
	sess_end(p->s, cause, why);
	p->s = NULL;
	return 0;
}

static const struct sess_provider_ops dprov_ops = {
	.name = "ikev2", .kill = dprov_kill,
};

static void
dae_open(struct sess_reg *reg, struct dprov *p, const char *user)
{
	struct sess_provider	 prov = { &dprov_ops, NULL };
	struct sess_info	 in = { .user = user, .method = "ikev2-eap",
				       .profile = "default" };
	struct rg_addr		 vip;
	char			 why[64];

	memset(p, 0, sizeof(*p));
	p->s = sess_open(reg, &prov, p, &in);
	(void)sess_lease(p->s, AF_INET, NULL, &vip, why, sizeof(why));
	sess_up(p->s);
}

/* Disconnect ends the matching session through the registry; CoA sets
 * a Session-Timeout; unknown sessions NAK 503; a replay, a wrong
 * secret, a missing Message-Authenticator and a stale Event-Timestamp
 * are dropped unanswered. */
static void
dae_disconnect_coa(void)
{
	static struct fake	 f;
	struct rg_config	*cfg;
	struct radius		*r;
	struct sess_reg		*reg;
	struct sess_opts	 so = { .lease_ops = &leases };
	struct dprov		 p1, p2;
	struct dae_ans		 a;
	struct rad_pkt		 sent;
	struct radius_dae_stats	 st;
	char			 addr[40];
	uint16_t		 port = free_udp_port();
	const uint8_t		 vip[4] = { 10, 9, 0, 5 }, other[4] = { 10, 9,
				    0, 6 };
	const char		*k = (const char *)dsecret;
	uint64_t		 t0;

	fake_start(&f, FAKE_BACKEND);
	cfg = backend_cfg(f.port, "radius");
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	cfg->settings.dae_listen = strdup(addr);
	cfg->dae_clients = calloc(1, sizeof(*cfg->dae_clients));
	cfg->ndae_clients = 1;
	cfg->dae_clients[0].name = strdup("ctl");
	cfg->dae_clients[0].address = strdup("127.0.0.1");
	cfg->dae_clients[0].secret = (uint8_t *)strdup(k);
	cfg->dae_clients[0].secret_len = strlen(k);
	reg = sess_reg_new(loop, cfg, &so);
	r = radius_new(loop, cfg, reg);
	dae_open(reg, &p1, "dora");

	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 1, "nobody", NULL, 0, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_NAK);
	CHECK_EQ(a.cause, RAD_EC_SESSION_NOT_FOUND);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 2, "dora", other, 0, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_NAK);	/* every id must match */
	CHECK_EQ(p1.kills, 0);

	/* CoA: Session-Timeout 1 s from now. */
	t0 = rg_now_ms();
	a = dae_ask(port, RAD_COA_REQUEST, 3, "dora", NULL, 0, 1, true, k,
	    NULL, false);
	CHECK_EQ(a.code, RAD_COA_ACK);
	for (int i = 0; i < 200 && p1.kills == 0; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(p1.kills, 1);
	CHECK_EQ(p1.cause, SESS_CAUSE_SESSION_TIMEOUT);
	CHECK(rg_now_ms() - t0 >= 1000);
	/* A CoA that changes nothing: NAK, Missing Attribute. */
	dae_open(reg, &p2, "dora");
	a = dae_ask(port, RAD_COA_REQUEST, 4, "dora", NULL, 0, 0, true, k,
	    NULL, false);
	CHECK_EQ(a.code, RAD_COA_NAK);
	CHECK_EQ(a.cause, RAD_EC_MISSING_ATTRIBUTE);

	/* Dropped: wrong secret, no Message-Authenticator, stale. */
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 5, "dora", NULL, 0, 0,
	    true, "not-the-secret", NULL, false);
	CHECK_EQ(a.code, 0);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 6, "dora", NULL, 0, 0,
	    false, k, NULL, false);
	CHECK_EQ(a.code, 0);
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 7, "dora", NULL, -3600, 0,
	    true, k, NULL, false);
	CHECK_EQ(a.code, 0);
	CHECK_EQ(p2.kills, 0);

	/* Disconnect by Framed-IP-Address: Admin-Reset through sess. */
	a = dae_ask(port, RAD_DISCONNECT_REQUEST, 8, NULL, vip, 0, 0, true, k,
	    &sent, false);
	CHECK_EQ(a.code, RAD_DISCONNECT_ACK);
	CHECK_EQ(p2.kills, 1);
	CHECK_EQ(p2.cause, SESS_CAUSE_ADMIN_RESET);
	/* The same bytes again: a replay, dropped (a new session of dora
	 * would match). */
	dae_open(reg, &p1, "dora");
	a = dae_ask(port, 0, 0, NULL, NULL, 0, 0, true, k, &sent, true);
	CHECK_EQ(a.code, 0);
	CHECK_EQ(p1.kills, 0);
	radius_dae_stats(r->dae, &st);
	CHECK_EQ(st.dropped, 4);
	CHECK_EQ(st.acks, 2);
	CHECK_EQ(st.naks, 3);

	sess_reg_free(reg);
	radius_free(r);
	rg_config_unref(cfg);
	fake_stop(&f);
}

/* --- 500 logins in flight against a slow server ------------------------ */

#define SLOW_MAX	1200

/* Answers every Access-Request with an Access-Accept one second later. */
struct slow {
	int			 fd;
	struct rg_io		 io;
	struct rg_timer		 t;
	uint16_t		 port;
	struct {
		struct sockaddr_storage	 to;
		socklen_t		 tl;
		uint64_t		 due;
		uint8_t			 id, auth[16];
	}			 q[SLOW_MAX];
	size_t			 head, n;
	int			 got;
};

static void
slow_tick(struct rg_timer *t)
{
	struct slow	*w = t->arg;
	struct rad_pkt	 p;
	uint64_t	 now = rg_now_ms();

	while (w->n > 0 && w->q[w->head].due <= now) {
		rad_pkt_init(&p, RAD_ACCESS_ACCEPT, w->q[w->head].id,
		    w->q[w->head].auth);
		rad_add_ma(&p);
		rad_pkt_finish_reply(&p, secret, SLEN);
		sendto(w->fd, p.buf, p.len, 0,
		    (struct sockaddr *)&w->q[w->head].to, w->q[w->head].tl);
		w->head = (w->head + 1) % SLOW_MAX;
		w->n--;
	}
	rg_timer_start(loop, &w->t, 20);
}

static void
slow_readable(struct rg_io *io, uint32_t ev)
{
	struct slow	*w = io->arg;
	uint8_t		 buf[RAD_MAX_LEN];
	struct rad_msg	 m;
	const char	*why;
	ssize_t		 n;
	size_t		 k;

	(void)ev;
	for (;;) {
		k = (w->head + w->n) % SLOW_MAX;
		w->q[k].tl = sizeof(w->q[k].to);
		n = recvfrom(w->fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&w->q[k].to, &w->q[k].tl);
		if (n < 0)
			return;
		if (rad_parse(buf, (size_t)n, &m, &why) < 0 ||
		    m.code != RAD_ACCESS_REQUEST || w->n == SLOW_MAX)
			continue;
		w->got++;
		w->q[k].due = rg_now_ms() + 1000;
		w->q[k].id = m.id;
		memcpy(w->q[k].auth, m.auth, 16);
		w->n++;
	}
}

struct many {
	int	 done, ok;
};

static void
many_done(void *arg, struct auth_result *r)
{
	struct many	*m = arg;

	m->done++;
	if (r != NULL && r->outcome == AUTH_OK)
		m->ok++;
	auth_result_free(r);
}

/* 500 PAP logins at once while the server takes 1 s for each answer:
 * all accepted within a few seconds, not 500 (nothing blocks, the
 * identifiers of one socket are reused as answers come). */
static void
logins_500_slow_server(void)
{
	static struct slow	 w;
	static struct many	 mm;
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 sl = sizeof(sin);
	struct rg_config	*cfg;
	struct radius		*r;
	struct auth		*au;
	struct auth_req		 q;
	char			 user[32];
	uint64_t		 t0, dt;

	if (loop == NULL)
		loop = rg_loop_new(0);
	memset(&w, 0, sizeof(w));
	memset(&mm, 0, sizeof(mm));
	w.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(w.fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(w.fd, (struct sockaddr *)&sin, &sl);
	w.port = ntohs(sin.sin_port);
	w.io = (struct rg_io){ .fd = w.fd, .cb = slow_readable, .arg = &w };
	rg_io_add(loop, &w.io, 1);
	rg_timer_init(&w.t, slow_tick, &w);
	rg_timer_start(loop, &w.t, 20);
	cfg = backend_cfg(w.port, "radius");
	cfg->radius[0].acct_port = 9;		/* no accounting here */
	cfg->radius[0].timeout_ms = 3000;	/* no retransmits */
	r = radius_new(loop, cfg, NULL);
	au = auth_new(loop, cfg, &radius_auth_ops, r);
	t0 = rg_now_ms();
	for (int i = 0; i < 500; i++) {
		memset(&q, 0, sizeof(q));
		snprintf(user, sizeof(user), "user%d", i);
		q.kind = AUTH_PAP;
		q.user = user;
		q.u.pap.password = "pass";
		CHECK(auth_check(au, &q, many_done, &mm) != NULL);
	}
	while (mm.done < 500 && rg_now_ms() - t0 < 10000)
		rg_loop_once(loop, 20);
	dt = rg_now_ms() - t0;
	printf("  500 logins in %llu ms\n", (unsigned long long)dt);
	CHECK_EQ(mm.done, 500);
	CHECK_EQ(mm.ok, 500);
	CHECK(dt < 5000);
	CHECK_EQ(w.got, 500);		/* one request each: no retransmits */
	auth_free(au);
	radius_free(r);
	rg_config_unref(cfg);
	rg_timer_stop(loop, &w.t);
	rg_io_del(loop, &w.io);
	close(w.fd);
}

RG_TEST_MAIN("radius", T(rfc2865_user_password),
    T(rfc2865_response_authenticator), T(message_authenticator_first),
    T(accounting_request_authenticator), T(reply_message_authenticator),
    T(mppe_keys), T(parse_bounds), T(client_accept),
    T(client_forged_reply_refused), T(client_no_ma_refused),
    T(client_retransmits), T(client_failover), T(client_cancel),
    T(backend_mschapv2_pap), T(accounting_start_interim_stop),
    T(backend_local_and_fallback), T(accounting_store_and_forward),
    T(dae_disconnect_coa), T(logins_500_slow_server))
