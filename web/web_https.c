/*
 * web_https.c: the network listeners of the admin API.
 *
 * HTTPS (setting https_listen ADDR[:PORT], default port 443): the same
 * REST API as the unix socket under /v1, behind admin logins and API
 * tokens (web_auth.h), and the CRL.  TLS is libmicrohttpd's own (GnuTLS,
 * MHD_USE_TLS): Debian's libmicrohttpd is built with it, and MHD keeps
 * the record layer, timeouts and HTTP parsing in one place; the priority
 * string allows TLS 1.2 and 1.3 only.  The certificate and key are the
 * snapshot's server certificate (cfg->pki, the store's newest valid one),
 * handed to MHD as PEM in memory.  The listener starts only once an admin
 * account exists and a server certificate is there; until then the log
 * says why it does not listen.
 *
 * HTTP (setting http_listen): the CRL (clients fetch CRL distribution
 * points over plain HTTP) and a 301 to the HTTPS listener for the rest.
 *
 * The CRL is served at the path of the crl_url setting (the URL issued
 * certificates carry), else /crl.pem: a path ending ".pem" gets PEM, any
 * other DER (application/pkix-crl, RFC 5280 4.2.1.13).
 *
 * Both run like the unix socket's MHD: no threads, MHD's epoll fd on
 * rg_loop.  web_configure() only records the wanted state; a zero timer
 * applies it from the loop, so a request that changes a listener's
 * setting never stops the daemon that is answering it.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netdb.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "rg_config.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "web_auth.h"
#include "web_https.h"
#include "web_int.h"

#define HTTPS_MAX_BODY	(1 << 20)
#define COOKIE_NAME	"rg_session"
/* Logins being verified at once, per account and per source address. */
#define LOGIN_PENDING_NAME	1
#define LOGIN_PENDING_ADDR	4
/* TLS 1.2 minimum (no SSL 3.0, TLS 1.0 or 1.1 whatever the system's
 * GnuTLS defaults say). */
#define TLS_PRIORITIES	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

struct listener {
	struct web_https	*h;
	bool			 tls;
	struct MHD_Daemon	*mhd;
	struct rg_io		 io;
	struct rg_timer		 timer;
	char			*listen;	/* what it listens on (owned) */
	/* TLS: the PEM it was started with (owned; key wiped). */
	char			*cert, *key;
};

/*
 * A login's KDF runs on a loop worker (32 MiB of scrypt would stall IKE
 * on the loop thread): the connection is suspended meanwhile, and the
 * answer is prepared on the loop and sent when MHD calls back after
 * MHD_resume_connection().
 */
struct login_job {
	struct rg_job		 job;
	struct web_https	*h;	/* NULL: orphaned (listener stopped) */
	struct MHD_Connection	*c;
	struct https_conn	*hc;
	char			 name[65], addr[64], role[16];
	char			*pw;		/* owned, wiped */
	char			*stored;	/* owned; NULL: no such admin */
	bool			 ok;		/* worker's verdict */
	struct login_job	*next;		/* web_https.pending */
};

struct web_https {
	struct rg_loop		*loop;
	struct web_ctx		*ctx;
	struct listener		 l[2];		/* [0] HTTPS, [1] HTTP */
	struct rg_timer		 apply;
	/* Wanted (owned; key wiped). */
	char			*https_listen, *http_listen;
	char			*cert, *key;
	char			*crl_pem;
	uint8_t			*crl_der;
	size_t			 crl_der_len;
	char			 crl_path[256];
	struct web_sessions	 sess;
	struct web_throttle	 thr;
	struct login_job	*pending;	/* logins being verified */
};

enum login_state {
	LOGIN_NONE,
	LOGIN_PENDING,	/* suspended: a worker runs the KDF */
	LOGIN_READY,	/* resumed: status, resp and cookie are set */
};

struct https_conn {
	char			*body;		/* owned */
	size_t			 len;
	bool			 too_big;
	enum login_state	 login;
	int			 status;
	json_t			*resp;		/* owned */
	char			 cookie[160];	/* Set-Cookie, "" when none */
};

static void
sfree(char **p)
{
	if (*p) {
		OPENSSL_cleanse(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static uint64_t
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* --- responses --------------------------------------------------------- */

static enum MHD_Result
send_buf(struct MHD_Connection *c, unsigned int status, const char *type,
    void *buf, size_t len, const char *const *hdrs)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; frame-ancestors 'none'");
	for (; hdrs && hdrs[0]; hdrs += 2)
		MHD_add_response_header(r, hdrs[0], hdrs[1]);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
send_json(struct MHD_Connection *c, bool tls, int status, json_t *body,
    const char *const *extra)
{
	const char	*hdrs[8] = { NULL };
	size_t		 n = 0;
	char		*s;

	s = body ? json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER) :
	    NULL;
	if (s == NULL && (s = strdup("{}")) == NULL)
		return MHD_NO;
	if (tls) {
		hdrs[n++] = "Strict-Transport-Security";
		hdrs[n++] = "max-age=31536000";
	}
	for (; extra && extra[0] && n + 2 < 8; extra += 2) {
		hdrs[n++] = extra[0];
		hdrs[n++] = extra[1];
	}
	return send_buf(c, (unsigned int)status, "application/json", s,
	    strlen(s), hdrs);
}

static enum MHD_Result
send_err(struct MHD_Connection *c, bool tls, int status,
    const char *const *extra, const char *msg)
{
	json_t		*o = NULL;
	enum MHD_Result	 ret;

	(void)web_error(&o, status, NULL, "%s", msg);
	ret = send_json(c, tls, status, o, extra);
	json_decref(o);
	return ret;
}

static enum MHD_Result
send_crl(struct web_https *h, struct MHD_Connection *c)
{
	size_t	 plen = strlen(h->crl_path);
	bool	 pem = plen > 4 && strcmp(h->crl_path + plen - 4, ".pem") == 0;
	void	*buf;
	size_t	 len;

	if (h->crl_pem == NULL || (!pem && h->crl_der == NULL))
		return send_buf(c, 404, "text/plain", strdup("no CRL yet\n"),
		    11, NULL);
	len = pem ? strlen(h->crl_pem) : h->crl_der_len;
	if ((buf = malloc(len)) == NULL)
		return MHD_NO;
	memcpy(buf, pem ? (void *)h->crl_pem : (void *)h->crl_der, len);
	return send_buf(c, 200, pem ? "application/x-pem-file" :
	    "application/pkix-crl", buf, len, NULL);
}

/* --- authentication ---------------------------------------------------- */

static void
client_addr(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo	*ci;
	socklen_t			 sl;

	snprintf(out, len, "?");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sl = ci->client_addr->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, sl, out, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(out, len, "?");
}

static void
login_work(struct rg_job *j)
{
	struct login_job	*lj = j->arg;

	if (lj->stored)
		lj->ok = web_pw_verify(lj->pw, lj->stored);
	else
		web_pw_dummy(lj->pw);	/* same time for unknown names */
}

static void
login_free(struct login_job *lj)
{
	if (lj->pw) {
		OPENSSL_cleanse(lj->pw, strlen(lj->pw));
		free(lj->pw);
	}
	free(lj->stored);
	free(lj);
}

/* On the loop: the verdict becomes the answer, the connection resumes. */
static void
login_done(struct rg_job *j)
{
	struct login_job	*lj = j->arg, **pp;
	struct web_https	*h = lj->h;
	struct https_conn	*hc = lj->hc;
	struct web_sess		*s;
	uint64_t		 now = now_s();

	if (h == NULL) {
		login_free(lj);
		return;
	}
	for (pp = &h->pending; *pp; pp = &(*pp)->next)
		if (*pp == lj) {
			*pp = lj->next;
			break;
		}
	(void)store_audit_add(h->ctx->store, lj->name, lj->addr, "LOGIN",
	    "/v1/login", lj->ok ? 200 : 401);
	hc->login = LOGIN_READY;
	hc->cookie[0] = '\0';
	if (!lj->ok) {
		web_thr_fail(&h->thr, lj->name, lj->addr, now);
		rg_notice(WEB, "login as %s from %s: wrong name or password",
		    lj->name, lj->addr);
		hc->status = web_error(&hc->resp, 401, NULL, "wrong name or "
		    "password");
	} else if ((s = web_sess_new(&h->sess, lj->name, lj->stored, now)) ==
	    NULL) {
		hc->status = web_error(&hc->resp, 500, NULL, "no session");
	} else {
		web_thr_ok(&h->thr, lj->name, now);
		rg_info(WEB, "admin %s (%s) logged in from %s", s->name,
		    lj->role, lj->addr);
		snprintf(hc->cookie, sizeof(hc->cookie), COOKIE_NAME "=%s; "
		    "Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=%llu",
		    s->id, (unsigned long long)h->sess.abs_s);
		hc->resp = json_pack("{s:s,s:s,s:s,s:I,s:I}", "name", s->name,
		    "role", lj->role, "csrf_token", s->csrf, "idle_timeout_s",
		    (json_int_t)h->sess.idle_s, "absolute_timeout_s",
		    (json_int_t)h->sess.abs_s);
		hc->status = 200;
	}
	MHD_resume_connection(lj->c);
	/* MHD picks a resumed connection up in its next run: now. */
	if (h->l[0].mhd)
		rg_timer_start(h->loop, &h->l[0].timer, 0);
	login_free(lj);
}

static enum MHD_Result
login(struct web_https *h, struct MHD_Connection *c, const char *addr,
    struct https_conn *hc)
{
	struct login_job	*lj;
	json_t			*body;
	json_error_t		 jerr;
	const char		*name = NULL, *pw = NULL, *ctype;
	const char		*hdrs[3];
	char			 retry[32];
	uint64_t		 wait;
	enum MHD_Result		 ret;
	unsigned int		 n_name, n_addr;

	if (hc->login == LOGIN_READY) {
		hdrs[0] = "Set-Cookie";
		hdrs[1] = hc->cookie;
		hdrs[2] = NULL;
		ret = send_json(c, true, hc->status, hc->resp,
		    hc->cookie[0] ? hdrs : NULL);
		OPENSSL_cleanse(hc->cookie, sizeof(hc->cookie));
		return ret;
	}
	if (hc->login == LOGIN_PENDING)
		return MHD_YES;
	/*
	 * JSON only: a cross-site HTML form cannot send this type without a
	 * CORS preflight, so no other site can log a browser in (login
	 * CSRF).  The session cookie's SameSite=Strict covers the rest.
	 */
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Content-Type");
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return send_err(c, true, 415, NULL, "expected Content-Type: "
		    "application/json");
	body = hc->body ? json_loadb(hc->body, hc->len, 0, &jerr) : NULL;
	if (body) {
		name = json_string_value(json_object_get(body, "name"));
		pw = json_string_value(json_object_get(body, "password"));
	}
	if (name == NULL || pw == NULL || strlen(name) > 64 ||
	    strlen(pw) > WEB_PW_MAX) {
		json_decref(body);
		return send_err(c, true, 400, NULL, "expected {\"name\": ..., "
		    "\"password\": ...}");
	}
	if ((wait = web_thr_blocked(&h->thr, name, addr, now_s())) > 0) {
		rg_notice(WEB, "login as %s from %s refused: too many failed "
		    "logins (%llu s left)", name, addr,
		    (unsigned long long)wait);
		snprintf(retry, sizeof(retry), "%llu", (unsigned long long)wait);
		hdrs[0] = "Retry-After";
		hdrs[1] = retry;
		hdrs[2] = NULL;
		json_decref(body);
		return send_err(c, true, 429, hdrs, "too many failed logins; "
		    "try again later");
	}
	/* Failures count when their KDF is done: bound what is in flight
	 * so parallel guesses cannot outrun the throttle. */
	n_name = n_addr = 0;
	for (lj = h->pending; lj; lj = lj->next) {
		n_name += strcmp(lj->name, name) == 0;
		n_addr += strcmp(lj->addr, addr) == 0;
	}
	if (n_name >= LOGIN_PENDING_NAME || n_addr >= LOGIN_PENDING_ADDR) {
		json_decref(body);
		return send_err(c, true, 429, NULL, "a login for this account "
		    "or from this address is still being checked");
	}
	if ((lj = calloc(1, sizeof(*lj))) == NULL ||
	    (lj->pw = strdup(pw)) == NULL) {
		free(lj);
		json_decref(body);
		return MHD_NO;
	}
	snprintf(lj->name, sizeof(lj->name), "%s", name);
	snprintf(lj->addr, sizeof(lj->addr), "%s", addr);
	json_decref(body);
	if (store_admin_get(h->ctx->store, lj->name, &lj->stored, lj->role) <
	    0)
		lj->stored = NULL;
	lj->h = h;
	lj->c = c;
	lj->hc = hc;
	lj->job = (struct rg_job){ login_work, login_done, lj, NULL };
	lj->next = h->pending;
	h->pending = lj;
	hc->login = LOGIN_PENDING;
	MHD_suspend_connection(c);
	rg_loop_submit(h->loop, &lj->job);
	return MHD_YES;
}

/*
 * Who is calling: a Bearer token or a session cookie.  0 with who filled
 * (name in namebuf), or the HTTP status to refuse with and *why.
 */
static int
authenticate(struct web_https *h, struct MHD_Connection *c,
    const char *method, struct web_who *who, char namebuf[80],
    struct web_sess **sp, const char **why)
{
	const char	*auth, *cookie, *csrf;
	char		 hash[WEB_HEX_ID], name[65], role[16], *stored = NULL;
	struct web_sess	*s;
	bool		 change = strcmp(method, "GET") != 0 &&
			    strcmp(method, "HEAD") != 0;

	*sp = NULL;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (web_token_hash(auth + 7, hash) < 0 ||
		    store_token_find(h->ctx->store, hash, name, role) < 0) {
			*why = "unknown or revoked API token";
			return 401;
		}
		snprintf(namebuf, 80, "token:%s", name);
		who->name = namebuf;
		who->read_only = strcmp(role, "admin") != 0;
		return 0;	/* no cookie, no CSRF: a script's header */
	}
	cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
	if ((s = web_sess_find(&h->sess, cookie, now_s())) == NULL) {
		*why = "log in first (POST /v1/login) or send an API token";
		return 401;
	}
	/* The account as it is now: deleted, demoted, new password. */
	if (store_admin_get(h->ctx->store, s->name, &stored, role) < 0 ||
	    !web_sess_pw_current(s, stored)) {
		free(stored);
		web_sess_del(s);
		*why = "session ended: the account changed; log in again";
		return 401;
	}
	free(stored);
	if (change) {
		csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "X-CSRF-Token");
		if (!web_csrf_ok(s, csrf)) {
			*why = "missing or wrong X-CSRF-Token header (the "
			    "login answer's csrf_token)";
			return 403;
		}
	}
	snprintf(namebuf, 80, "%s", s->name);
	who->name = namebuf;
	who->read_only = strcmp(role, "admin") != 0;
	*sp = s;
	return 0;
}

/* A non-JSON answer (a client profile) as an attachment. */
static enum MHD_Result
send_raw(struct MHD_Connection *c, int status, struct web_raw *raw)
{
	const char	*hdrs[5];
	char		 disp[460];
	void		*buf;

	if ((buf = malloc(raw->len ? raw->len : 1)) == NULL)
		return MHD_NO;
	memcpy(buf, raw->data, raw->len);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    raw->filename);
	hdrs[0] = "Content-Disposition";
	hdrs[1] = disp;
	hdrs[2] = "Strict-Transport-Security";
	hdrs[3] = "max-age=31536000";
	hdrs[4] = NULL;
	/* send_buf always says no-store: right for keys and passwords. */
	return send_buf(c, (unsigned int)status, raw->content_type, buf,
	    raw->len, hdrs);
}

/* The GET arguments back into "?k=v&k=v" for web_dispatch_as(). */
struct query {
	char	 buf[512];
	size_t	 len;
};

static enum MHD_Result
query_add(void *arg, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct query	*q = arg;
	int		 n;

	n = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%c%s=%s",
	    q->len ? '&' : '?', k, v ? v : "");
	if (n > 0 && (size_t)n < sizeof(q->buf) - q->len)
		q->len += (size_t)n;
	return MHD_YES;
}

static enum MHD_Result
serve_https(struct web_https *h, struct MHD_Connection *c, const char *url,
    const char *method, struct https_conn *hc)
{
	static const char *const expire[] = { "Set-Cookie", COOKIE_NAME
	    "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0", NULL };
	struct web_who	 who;
	struct web_sess	*s;
	struct web_raw	 raw;
	struct query	 q = { "", 0 };
	const char	*why = "";
	char		 addr[64], namebuf[80], full[2048];
	json_t		*out = NULL;
	enum MHD_Result	 ret;
	int		 status;

	if (strcmp(method, "GET") == 0 && strcmp(url, h->crl_path) == 0)
		return send_crl(h, c);
	if (strncmp(url, "/v1/", 4) != 0)
		return send_err(c, true, 404, NULL, "no such path (the API "
		    "lives under /v1/)");
	client_addr(c, addr, sizeof(addr));
	if (hc->too_big)
		return send_err(c, true, 413, NULL, "request body too large");
	if (strcmp(url, "/v1/login") == 0) {
		if (strcmp(method, "POST") != 0)
			return send_err(c, true, 405, NULL, "POST /v1/login");
		return login(h, c, addr, hc);
	}
	who = (struct web_who){ NULL, addr, true };
	if ((status = authenticate(h, c, method, &who, namebuf, &s, &why)) !=
	    0) {
		rg_info(WEB, "%s %s from %s: %d: %s", method, url, addr, status,
		    why);
		return send_err(c, true, status, status == 401 ? expire : NULL,
		    why);
	}
	if (strcmp(url, "/v1/logout") == 0) {
		if (strcmp(method, "POST") != 0)
			return send_err(c, true, 405, NULL, "POST /v1/logout");
		if (s)
			web_sess_del(s);
		rg_info(WEB, "%s logged out from %s", who.name, addr);
		out = json_pack("{s:s}", "logged_out", who.name);
		ret = send_json(c, true, 200, out, expire);
		json_decref(out);
		return ret;
	}
	memset(&raw, 0, sizeof(raw));
	(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_add,
	    &q);
	snprintf(full, sizeof(full), "%s%s", url, q.buf);
	status = web_dispatch_as(h->ctx, &who, method, full, hc->body, hc->len,
	    &out, &raw);
	if (raw.set)
		ret = send_raw(c, status, &raw);
	else
		ret = send_json(c, true, status, out, NULL);
	web_raw_clear(&raw);
	json_decref(out);
	return ret;
}

/* Plain HTTP: the CRL, else a redirect to the HTTPS listener. */
static enum MHD_Result
serve_http(struct web_https *h, struct MHD_Connection *c, const char *url,
    const char *method)
{
	const char	*host, *hdrs[3];
	char		 hbuf[300], loc[1400], port[16] = "";
	struct sockaddr_storage ss;
	size_t		 i;

	if (strcmp(method, "GET") == 0 && strcmp(url, h->crl_path) == 0)
		return send_crl(h, c);
	if (h->https_listen == NULL)
		return send_err(c, false, 404, NULL, "HTTPS is off; only the "
		    "CRL is served here");
	if (rg_hostport_parse(h->https_listen, 443, &ss) == 0) {
		uint16_t p = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);

		if (p != 443)
			snprintf(port, sizeof(port), ":%u", p);
	}
	/* The name the client used, without its port; only name bytes. */
	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	snprintf(hbuf, sizeof(hbuf), "%s", host ? host : "");
	if (hbuf[0] == '[')
		hbuf[strcspn(hbuf, "]") + 1] = '\0';
	else
		hbuf[strcspn(hbuf, ":")] = '\0';
	for (i = 0; hbuf[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZ0123456789.-[]:", hbuf[i]))
			break;
	if (hbuf[0] == '\0' || hbuf[i] != '\0')
		return send_err(c, false, 400, NULL, "a Host header is needed "
		    "for the redirect to HTTPS");
	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >=
		    0x7f)
			url = "/";
	snprintf(loc, sizeof(loc), "https://%s%s%s", hbuf, port, url);
	hdrs[0] = "Location";
	hdrs[1] = loc;
	hdrs[2] = NULL;
	return send_buf(c, 301, "text/plain", strdup("moved to HTTPS\n"), 15,
	    hdrs);
}

static enum MHD_Result
handler_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct listener		*l = cls;
	struct https_conn	*hc = *con_cls;

	if (hc == NULL) {
		if ((hc = calloc(1, sizeof(*hc))) == NULL)
			return MHD_NO;
		*con_cls = hc;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!l->tls || hc->len + *upload_size > HTTPS_MAX_BODY) {
			hc->too_big = true;
		} else {
			char	*nb = realloc(hc->body, hc->len +
			    *upload_size + 1);

			if (nb == NULL)
				return MHD_NO;
			hc->body = nb;
			memcpy(hc->body + hc->len, upload, *upload_size);
			hc->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return l->tls ? serve_https(l->h, c, url, method, hc) :
	    serve_http(l->h, c, url, method);
}

static void
done_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct https_conn	*hc = *con_cls;

	if (hc == NULL)
		return;
	if (hc->body) {
		OPENSSL_cleanse(hc->body, hc->len);	/* may hold a password */
		free(hc->body);
	}
	json_decref(hc->resp);
	OPENSSL_cleanse(hc->cookie, sizeof(hc->cookie));
	free(hc);
	*con_cls = NULL;
}

/* --- listeners ----------------------------------------------------------- */

static void
l_rearm(struct listener *l)
{
	MHD_UNSIGNED_LONG_LONG	 ms;

	if (MHD_get_timeout(l->mhd, &ms) == MHD_YES)
		rg_timer_start(l->h->loop, &l->timer, ms);
	else
		rg_timer_stop(l->h->loop, &l->timer);
}

static void
l_io(struct rg_io *io, uint32_t events)
{
	struct listener	*l = io->arg;

	(void)MHD_run(l->mhd);
	l_rearm(l);
}

static void
l_timer(struct rg_timer *t)
{
	struct listener	*l = t->arg;

	(void)MHD_run(l->mhd);
	l_rearm(l);
}

static void
l_stop(struct listener *l)
{
	struct login_job	*lj;

	/*
	 * MHD refuses to stop with suspended connections: resume them; their
	 * jobs, still on a worker, are orphaned (login_done frees them; one
	 * still queued when the loop is freed at exit is left behind).
	 */
	while (l->tls && (lj = l->h->pending) != NULL) {
		l->h->pending = lj->next;
		lj->h = NULL;
		lj->hc->login = LOGIN_NONE;
		MHD_resume_connection(lj->c);
	}
	if (l->mhd) {
		rg_io_del(l->h->loop, &l->io);
		rg_timer_stop(l->h->loop, &l->timer);
		MHD_stop_daemon(l->mhd);	/* closes the socket */
		l->mhd = NULL;
		rg_info(WEB, "%s listener on %s stopped", l->tls ? "HTTPS" :
		    "HTTP", l->listen);
	}
	sfree(&l->listen);
	sfree(&l->cert);
	sfree(&l->key);
}

static int
listen_tcp(const char *hostport, uint16_t defport)
{
	struct sockaddr_storage	 ss;
	int			 fd, one = 1;

	if (rg_hostport_parse(hostport, defport, &ss) < 0)
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) < 0 ||
	    listen(fd, 64) < 0) {
		int	 saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
l_start(struct listener *l, const char *listen, const char *cert,
    const char *key)
{
	const union MHD_DaemonInfo	*info;
	int				 fd;
	unsigned int			 flags = MHD_USE_EPOLL;

	if ((fd = listen_tcp(listen, l->tls ? 443 : 80)) < 0) {
		rg_err(WEB, "%s listener on %s: %s", l->tls ? "HTTPS" : "HTTP",
		    listen, strerror(errno));
		return;
	}
	if (l->tls) {
		flags |= MHD_USE_TLS | MHD_ALLOW_SUSPEND_RESUME;
		l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler_cb, l,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_HTTPS_MEM_CERT, cert,
		    MHD_OPTION_HTTPS_MEM_KEY, key,
		    MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
		    MHD_OPTION_NOTIFY_COMPLETED, done_cb, l,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)128,
		    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)32,
		    MHD_OPTION_END);
	} else {
		l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler_cb, l,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_NOTIFY_COMPLETED, done_cb, l,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)128,
		    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)32,
		    MHD_OPTION_END);
	}
	if (l->mhd == NULL || (info = MHD_get_daemon_info(l->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		rg_err(WEB, "%s listener on %s: libmicrohttpd would not start%s",
		    l->tls ? "HTTPS" : "HTTP", listen, l->tls ? " (does the "
		    "server key match its certificate?)" : "");
		if (l->mhd)
			MHD_stop_daemon(l->mhd);
		else
			close(fd);
		l->mhd = NULL;
		return;
	}
	l->io = (struct rg_io){ info->epoll_fd, l_io, l };
	if (rg_io_add(l->h->loop, &l->io, EPOLLIN) < 0) {
		rg_err(WEB, "epoll: %s", strerror(errno));
		MHD_stop_daemon(l->mhd);
		l->mhd = NULL;
		return;
	}
	l->listen = strdup(listen);
	l->cert = cert ? strdup(cert) : NULL;
	l->key = key ? strdup(key) : NULL;
	l_rearm(l);
	rg_info(WEB, "%s listener on %s", l->tls ? "HTTPS (TLS 1.2+)" :
	    "HTTP (CRL and redirect)", listen);
}

/* Apply the wanted state from the loop. */
static void
apply(struct rg_timer *t)
{
	struct web_https	*h = t->arg;
	struct listener		*ls = &h->l[0], *lp = &h->l[1];
	const char		*want = h->https_listen;
	int			 admins;

	if (want) {
		admins = store_admin_count(h->ctx->store);
		if (admins <= 0) {
			rg_notice(WEB, "https_listen %s: not listening until "
			    "an admin account exists (roadgatectl admin add)",
			    want);
			want = NULL;
		} else if (h->cert == NULL || h->key == NULL) {
			rg_notice(WEB, "https_listen %s: not listening: no "
			    "server certificate (roadgatectl server-cert "
			    "issue|import)", want);
			want = NULL;
		}
	}
	if (ls->mhd && (!same(want, ls->listen) || !same(h->cert, ls->cert) ||
	    !same(h->key, ls->key)))
		l_stop(ls);
	if (want && ls->mhd == NULL)
		l_start(ls, want, h->cert, h->key);
	if (lp->mhd && !same(h->http_listen, lp->listen))
		l_stop(lp);
	if (h->http_listen && lp->mhd == NULL)
		l_start(lp, h->http_listen, NULL, NULL);
}

struct web_https *
web_https_new(struct rg_loop *loop, struct web_ctx *ctx)
{
	struct web_https	*h;
	int			 i;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	h->ctx = ctx;
	for (i = 0; i < 2; i++) {
		h->l[i].h = h;
		h->l[i].tls = i == 0;
		h->l[i].io.fd = -1;
		rg_timer_init(&h->l[i].timer, l_timer, &h->l[i]);
	}
	rg_timer_init(&h->apply, apply, h);
	snprintf(h->crl_path, sizeof(h->crl_path), "/crl.pem");
	web_sess_init(&h->sess);
	web_thr_init(&h->thr);
	return h;
}

static char *
setting(json_t *all, const char *key)
{
	const char	*v = json_string_value(json_object_get(all, key));

	return v && *v ? strdup(v) : NULL;
}

/* The path part of an http(s) URL ("/crl.pem" when none). */
static void
url_path(const char *url, char *out, size_t len)
{
	const char	*p;

	snprintf(out, len, "/crl.pem");
	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return;
	if ((p = strchr(p + 3, '/')) != NULL && p[1])
		snprintf(out, len, "%.*s", (int)strcspn(p, "?#"), p);
}

static void
crl_der(struct web_https *h)
{
	BIO		*b;
	X509_CRL	*crl = NULL;
	unsigned char	*der = NULL;
	int		 n;

	free(h->crl_der);
	h->crl_der = NULL;
	h->crl_der_len = 0;
	if (h->crl_pem == NULL ||
	    (b = BIO_new_mem_buf(h->crl_pem, -1)) == NULL)
		return;
	crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
	BIO_free(b);
	if (crl && (n = i2d_X509_CRL(crl, &der)) > 0) {
		h->crl_der = der;
		h->crl_der_len = (size_t)n;
	}
	X509_CRL_free(crl);
}

void
web_https_configure(struct web_https *h, const struct rg_config *cfg)
{
	struct store_err	 e;
	json_t			*all;
	char			*crl_url;

	if ((all = store_settings_get(h->ctx->store, &e)) == NULL) {
		rg_err(WEB, "listeners not reconfigured: %s", e.msg);
		return;
	}
	sfree(&h->https_listen);
	sfree(&h->http_listen);
	h->https_listen = setting(all, "https_listen");
	h->http_listen = setting(all, "http_listen");
	crl_url = setting(all, "crl_url");
	url_path(crl_url, h->crl_path, sizeof(h->crl_path));
	free(crl_url);
	json_decref(all);
	sfree(&h->cert);
	sfree(&h->key);
	sfree(&h->crl_pem);
	if (cfg && cfg->pki.server_cert_pem && cfg->pki.server_key_pem) {
		h->cert = strdup(cfg->pki.server_cert_pem);
		h->key = strdup(cfg->pki.server_key_pem);
	}
	if (cfg && cfg->pki.crl_pem)
		h->crl_pem = strdup(cfg->pki.crl_pem);
	crl_der(h);
	rg_timer_start(h->loop, &h->apply, 0);
}

void
web_https_free(struct web_https *h)
{
	if (h == NULL)
		return;
	rg_timer_stop(h->loop, &h->apply);
	l_stop(&h->l[0]);
	l_stop(&h->l[1]);
	sfree(&h->https_listen);
	sfree(&h->http_listen);
	sfree(&h->cert);
	sfree(&h->key);
	sfree(&h->crl_pem);
	free(h->crl_der);
	OPENSSL_cleanse(&h->sess, sizeof(h->sess));
	free(h);
}
