/*
 * radius_test_lib.c: the fake RADIUS server and helpers the RADIUS unit
 * tests share (radius_test_lib.h).
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
#include "radius_test_lib.h"

void
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

void
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

/* --- a fake server ------------------------------------------------------ */

struct rg_loop	*loop;

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

void
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

void
fake_stop(struct fake *f)
{
	rg_io_del(loop, &f->io);
	close(f->fd);
}

void
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

void
spin(int *n, int ms)
{
	for (int i = 0; i < ms / 5 && *n == 0; i++)
		rg_loop_once(loop, 5);
}

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

struct rg_config *
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

struct auth_result *
ask(struct auth *au, const struct auth_req *q)
{
	struct got	 g = { 0, NULL };

	CHECK(auth_check(au, q, got_done, &g) != NULL);
	spin(&g.n, 2000);
	CHECK_EQ(g.n, 1);
	return g.r;
}

/* --- accounting --------------------------------------------------------- */

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

const struct sess_provider_ops prov_ops = {
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

const struct sess_lease_ops leases = { lease_acquire, lease_release,
	NULL };

