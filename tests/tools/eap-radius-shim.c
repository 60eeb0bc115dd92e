/*
 * eap-radius-shim.c: test-only RADIUS front (RFC 2865, RFC 3579 EAP over
 * RADIUS) for server/eap.c, so wpa_supplicant's eapol_test can run its own
 * EAP-MSCHAPv2 and EAP-TLS peers against our EAP server on loopback.  The
 * shim plays the authenticator: it keeps one eap_session per State, checks
 * and adds Message-Authenticator (RFC 3579 3.2), and puts the MSK in
 * MS-MPPE-Recv-Key = MSK[0..31] / MS-MPPE-Send-Key = MSK[32..63]
 * (RFC 2548 2.4, salt-encrypted), which eapol_test compares with the MSK
 * its peer derived ("MPPE keys OK").
 *
 *   eap-radius-shim -p PORT -s SECRET [-m METHODS] [-u user:pass[:disabled]]...
 *       [-C ca.pem -c server.pem -k server.key [-r crl.pem]] [-t SECONDS]
 *
 * Prints one line per finished conversation on stdout:
 *   RESULT accept user=<u> method=<m>  |  RESULT reject error=<why>
 * Not a RADIUS server: no proxying, no duplicates cache, loopback only.
 * Ends after SECONDS or on SIGTERM, freeing everything (so that a leak
 * shows in its ASan build's report).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth.h"
#include "eap.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_mschap.h"

#define RAD_ACCESS_REQUEST	1
#define RAD_ACCESS_ACCEPT	2
#define RAD_ACCESS_REJECT	3
#define RAD_ACCESS_CHALLENGE	11
#define RAD_ATTR_STATE		24
#define RAD_ATTR_VSA		26
#define RAD_ATTR_EAP		79
#define RAD_ATTR_MA		80
#define MS_VENDOR		311
#define MS_MPPE_SEND_KEY	16
#define MS_MPPE_RECV_KEY	17
#define MAX_SESS		16

struct sess {
	uint8_t			 state[8];
	struct eap_session	*eap;
};

static struct rg_config	*cfg;
static const char	*secret;
static const char	*methods = "any";
static struct sess	 sessions[MAX_SESS];
static struct rg_loop	*loop;
static struct auth	*auth;	/* local users; no throttle in a test tool */

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*b;
	size_t	 n;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	b = calloc(1, 1 << 17);
	n = fread(b, 1, (1 << 17) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void
add_user(const char *spec)
{
	const char	*colon = strchr(spec, ':');
	struct rg_user	*u;

	if (colon == NULL)
		exit(2);
	cfg->users = realloc(cfg->users, (cfg->nusers + 1) *
	    sizeof(*cfg->users));
	u = &cfg->users[cfg->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strndup(spec, (size_t)(colon - spec));
	u->password = strdup(colon + 1);
	u->enabled = true;
	/* "user:pass:disabled" */
	if ((colon = strchr(u->password, ':')) != NULL) {
		u->enabled = strcmp(colon + 1, "disabled") != 0;
		*strchr(u->password, ':') = '\0';
	}
}

static void
md5(uint8_t out[16], const void *a, size_t alen, const void *b, size_t blen,
    const void *c, size_t clen)
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	EVP_DigestUpdate(ctx, a, alen);
	if (blen)
		EVP_DigestUpdate(ctx, b, blen);
	if (clen)
		EVP_DigestUpdate(ctx, c, clen);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* RFC 2548 2.4.2: salt, then the key encrypted with the request auth. */
static size_t
mppe_encrypt(uint8_t *out, const uint8_t *key, size_t klen,
    const uint8_t reqauth[16])
{
	uint8_t	 plain[48], b[16], *c;
	size_t	 plen = ((1 + klen + 15) / 16) * 16, i, k;

	memset(plain, 0, sizeof(plain));
	plain[0] = (uint8_t)klen;
	memcpy(plain + 1, key, klen);
	RAND_bytes(out, 2);
	out[0] |= 0x80;
	c = out + 2;
	for (i = 0; i < plen; i += 16) {
		if (i == 0)
			md5(b, secret, strlen(secret), reqauth, 16, out, 2);
		else
			md5(b, secret, strlen(secret), c + i - 16, 16, NULL, 0);
		for (k = 0; k < 16; k++)
			c[i + k] = plain[i + k] ^ b[k];
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return 2 + plen;
}

static size_t
put_attr(uint8_t *p, size_t off, uint8_t type, const void *v, size_t len)
{
	p[off] = type;
	p[off + 1] = (uint8_t)(2 + len);
	memcpy(p + off + 2, v, len);
	return off + 2 + len;
}

static void
reply(int fd, const struct sockaddr_in *to, const uint8_t *req, uint8_t code,
    const struct rg_buf *eap, const uint8_t *state, const struct rg_buf *msk)
{
	uint8_t		 p[4096], ma[16], vsa[64], enc[56];
	size_t		 off = 20, i, n, ma_off;
	unsigned int	 mlen = 16;

	p[0] = code;
	p[1] = req[1];
	for (i = 0; eap && i < eap->len; i += n) {	/* RFC 3579 3.1 */
		n = eap->len - i > 253 ? 253 : eap->len - i;
		off = put_attr(p, off, RAD_ATTR_EAP, eap->data + i, n);
	}
	if (state)
		off = put_attr(p, off, RAD_ATTR_STATE, state, 8);
	if (msk) {
		static const uint8_t	 types[2] = { MS_MPPE_RECV_KEY,
					    MS_MPPE_SEND_KEY };
		int			 k;

		for (k = 0; k < 2; k++) {
			rg_put_u32(vsa, MS_VENDOR);
			vsa[4] = types[k];
			n = mppe_encrypt(enc, msk->data + 32 * k, 32, req + 4);
			vsa[5] = (uint8_t)(2 + n);
			memcpy(vsa + 6, enc, n);
			off = put_attr(p, off, RAD_ATTR_VSA, vsa, 6 + n);
		}
	}
	ma_off = off + 2;
	memset(ma, 0, sizeof(ma));
	off = put_attr(p, off, RAD_ATTR_MA, ma, 16);
	rg_put_u16(p + 2, (uint16_t)off);
	/* RFC 3579 3.2: MA over the reply with the Request Authenticator. */
	memcpy(p + 4, req + 4, 16);
	HMAC(EVP_md5(), secret, (int)strlen(secret), p, off, p + ma_off, &mlen);
	md5(p + 4, p, off, secret, strlen(secret), NULL, 0);
	sendto(fd, p, off, 0, (const struct sockaddr *)to, sizeof(*to));
}

static struct sess *
find_sess(const uint8_t *state)
{
	int	 i;

	for (i = 0; i < MAX_SESS; i++)
		if (sessions[i].eap && state &&
		    memcmp(sessions[i].state, state, 8) == 0)
			return &sessions[i];
	return NULL;
}

static void
end_sess(struct sess *s)
{
	eap_session_free(s->eap);
	memset(s, 0, sizeof(*s));
}

static void
handle(int fd, const struct sockaddr_in *from, uint8_t *p, size_t len)
{
	uint8_t		 eapbuf[4096], ma[16], calc[16];
	const uint8_t	*state = NULL;
	size_t		 off = 20, elen = 0, ma_off = 0;
	unsigned int	 mlen = 16;
	struct sess	*s;
	struct rg_buf	*out = NULL, *first = NULL;
	enum eap_result	 res;
	int		 i;

	if (len < 20 || rg_get_u16(p + 2) != len || p[0] != RAD_ACCESS_REQUEST)
		return;
	while (off + 2 <= len && p[off + 1] >= 2 && off + p[off + 1] <= len) {
		uint8_t	 t = p[off], l = p[off + 1];

		if (t == RAD_ATTR_EAP && elen + l - 2 <= sizeof(eapbuf)) {
			memcpy(eapbuf + elen, p + off + 2, l - 2u);
			elen += l - 2u;
		} else if (t == RAD_ATTR_STATE && l == 10) {
			state = p + off + 2;
		} else if (t == RAD_ATTR_MA && l == 18) {
			ma_off = off + 2;
		}
		off += l;
	}
	if (ma_off == 0 || elen == 0) {
		fprintf(stderr, "shim: request without EAP or MA dropped\n");
		return;
	}
	memcpy(ma, p + ma_off, 16);
	memset(p + ma_off, 0, 16);
	HMAC(EVP_md5(), secret, (int)strlen(secret), p, len, calc, &mlen);
	if (CRYPTO_memcmp(ma, calc, 16) != 0) {
		fprintf(stderr, "shim: bad Message-Authenticator\n");
		return;
	}
	if ((s = find_sess(state)) == NULL) {
		/* New conversation: we "sent" Request/Identity already. */
		for (i = 0; i < MAX_SESS && sessions[i].eap; i++)
			;
		if (i == MAX_SESS)
			end_sess(&sessions[i = 0]);
		s = &sessions[i];
		s->eap = eap_session_new(cfg, methods, "eapol_test");
		RAND_bytes(s->state, 8);
		if (s->eap == NULL || eap_session_start(s->eap, &first) < 0)
			exit(3);
		if (elen >= 2)
			eapbuf[1] = first->data[1];
		rg_buf_free(first);
	}
	eap_session_set_auth(s->eap, auth, NULL);
	res = eap_session_process(s->eap, eapbuf, elen, &out);
	/* The answer comes on the loop; this tool just waits for it. */
	for (i = 0; res == EAP_PENDING && i < 1000; i++) {
		rg_loop_once(loop, 10);
		res = eap_session_resume(s->eap, &out);
	}
	switch (res) {
	case EAP_CONTINUE:
		reply(fd, from, p, RAD_ACCESS_CHALLENGE, out, s->state, NULL);
		break;
	case EAP_SUCCESS:
		printf("RESULT accept user=%s method=%s\n",
		    eap_session_user(s->eap), eap_session_method(s->eap));
		reply(fd, from, p, RAD_ACCESS_ACCEPT, out, NULL,
		    eap_session_msk(s->eap));
		end_sess(s);
		break;
	default:
		printf("RESULT reject error=%s\n",
		    eap_session_error(s->eap) ? eap_session_error(s->eap) :
		    "?");
		reply(fd, from, p, RAD_ACCESS_REJECT, out, NULL, NULL);
		end_sess(s);
		break;
	}
	fflush(stdout);
	rg_buf_free(out);
}

static volatile sig_atomic_t	 stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin, from;
	struct pollfd		 pfd;
	socklen_t		 fl;
	uint8_t			 buf[4096];
	ssize_t			 n;
	int			 fd, c, port = 0, limit = 30, i;
	time_t			 end;

	rg_log_open(true, false, RG_L_INFO);
	cfg = rg_config_new();
	while ((c = getopt(argc, argv, "p:s:m:u:C:c:k:r:t:")) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 's': secret = optarg; break;
		case 'm': methods = optarg; break;
		case 'u': add_user(optarg); break;
		case 'C': cfg->pki.ca_pem = slurp(optarg); break;
		case 'c': cfg->pki.server_cert_pem = slurp(optarg); break;
		case 'k': cfg->pki.server_key_pem = slurp(optarg); break;
		case 'r': cfg->pki.crl_pem = slurp(optarg); break;
		case 't': limit = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: see the file's head comment\n");
			return 2;
		}
	}
	if (port == 0 || secret == NULL)
		return 2;
	{
		static const struct auth_throttle_conf off = { 0, 0, 0, 0 };

		if ((loop = rg_loop_new(0)) == NULL ||
		    (auth = auth_new(loop, cfg, NULL, NULL)) == NULL)
			return 3;
		auth_set_throttle(auth, &off);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("bind");
		return 2;
	}
	printf("READY\n");
	fflush(stdout);
	end = time(NULL) + limit;
	pfd.fd = fd;
	pfd.events = POLLIN;
	signal(SIGTERM, on_term);
	while (!stop && time(NULL) < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl);
		if (n > 0)
			handle(fd, &from, buf, (size_t)n);
	}
	for (i = 0; i < MAX_SESS; i++)
		end_sess(&sessions[i]);
	auth_free(auth);
	rg_loop_free(loop);
	rg_config_unref(cfg);
	close(fd);
	return 0;
}
