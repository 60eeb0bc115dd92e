/*
 * ctl_http.c: roadgatectl's HTTP/1.1 client over the API's unix socket
 * (RFC 9112): one request per connection ("Connection: close"), the
 * response read until ctl_http_parse() finds it complete (Content-Length,
 * chunked transfer coding, or the end of the stream), bounded to
 * CTL_MAX_RESP.  ctl_http_parse() is pure (a buffer in, status and JSON
 * out), so the unit test and the fuzzer call it without a socket.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_MAX_HDR	(64 << 10)	/* status line + header fields */

char *
ctl_path(const char *api, const char *name)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*p, *o;
	size_t			 n = strlen(api) + 8 + (name ? strlen(name) * 3 : 0);

	if ((p = o = malloc(n)) == NULL)
		return NULL;
	o += sprintf(o, "/v1/%s", api);
	if (name) {
		*o++ = '/';
		for (; *name; name++) {
			unsigned char	 c = (unsigned char)*name;

			if (isalnum(c) || strchr("._~@-", c)) {
				*o++ = (char)c;
			} else {
				*o++ = '%';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
		}
	}
	*o = '\0';
	return p;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
connect_api(const char *path)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 60, 0 };
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int	 e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Case-insensitive: does the field line [p, e) have name n? */
static bool
field_is(const char *p, const char *e, const char *n)
{
	size_t	 nl = strlen(n);

	return (size_t)(e - p) > nl && p[nl] == ':' &&
	    strncasecmp(p, n, nl) == 0;
}

/* The field value of [p, e): after the colon, without OWS (RFC 9110
 * 5.5); *vl its length. */
static const char *
field_value(const char *p, const char *e, size_t *vl)
{
	const char	*v = (const char *)memchr(p, ':', (size_t)(e - p)) + 1;

	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*vl = (size_t)(e - v);
	return v;
}

/* 1*DIGIT (RFC 9112 6.3 Content-Length) up to max; -1 otherwise. */
static long
dec_len(const char *v, size_t vl, long max)
{
	long	 n = 0;

	if (vl == 0)
		return -1;
	for (size_t i = 0; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
		if (n > max)
			return -1;
	}
	return n;
}

/* The end of the line starting at p (at its CR LF), NULL if none in
 * [p, e). */
static const char *
line_end(const char *p, const char *e)
{
	const char	*q = p;

	while ((q = memchr(q, '\r', (size_t)(e - q))) != NULL) {
		if (e - q >= 2 && q[1] == '\n')
			return q;
		q++;
	}
	return NULL;
}

/*
 * The chunked body at [p, e) (RFC 9112 7.1) decoded into *out (malloc'd,
 * *olen bytes): 1 complete, 0 more bytes needed, -1 malformed or larger
 * than CTL_MAX_RESP.  Sizes are 1..15 hex digits, checked against what
 * is left before anything is copied; extensions and trailers skipped.
 */
static int
dechunk(const char *p, const char *e, char **out, size_t *olen)
{
	const char	*le;
	char		*b = NULL;
	size_t		 bl = 0;
	int		 rc = -1;

	for (;;) {
		size_t	 n = 0, digits = 0;

		if ((le = line_end(p, e)) == NULL) {
			rc = e - p > 1024 ? -1 : 0;
			goto out;
		}
		for (; p < le && isxdigit((unsigned char)*p) && digits < 16;
		    p++, digits++)
			n = n * 16 + (size_t)(isdigit((unsigned char)*p) ?
			    *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
		if (digits == 0 || digits > 15 || (p < le && *p != ';' &&
		    *p != ' ' && *p != '\t'))
			goto out;
		p = le + 2;
		if (n == 0)
			break;
		if (n > (size_t)CTL_MAX_RESP - bl)
			goto out;
		if ((size_t)(e - p) < n + 2) {
			rc = 0;
			goto out;
		}
		if (p[n] != '\r' || p[n + 1] != '\n')
			goto out;
		{
			char	*nb = realloc(b, bl + n + 1);

			if (nb == NULL)
				goto out;
			b = nb;
		}
		memcpy(b + bl, p, n);
		bl += n;
		p += n + 2;
	}
	/* trailer-section CRLF */
	for (;;) {
		if ((le = line_end(p, e)) == NULL) {
			rc = e - p > CTL_MAX_HDR ? -1 : 0;
			goto out;
		}
		if (le == p)
			break;
		p = le + 2;
	}
	*out = b;
	*olen = bl;
	b = NULL;
	rc = 1;
out:
	free(b);
	return rc;
}

int
ctl_http_parse(const char *buf, size_t len, bool eof, int *status,
    json_t **out)
{
	const char	*e = buf + len, *p, *le, *hend, *body;
	char		*chunks = NULL;
	size_t		 blen, vl;
	long		 clen = -1, v;
	bool		 chunked = false;
	json_error_t	 jerr;
	int		 st, rc = -1;

	*status = 0;
	*out = NULL;
	if (len > CTL_MAX_RESP)
		return -1;
	/* status-line = HTTP-version SP status-code SP [reason-phrase] */
	if ((hend = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return eof || len > CTL_MAX_HDR ? -1 : 0;
	if (hend - buf > CTL_MAX_HDR)
		return -1;
	hend += 2;		/* at the empty line */
	le = line_end(buf, e);
	if (le - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    !isdigit((unsigned char)buf[7]) || buf[8] != ' ' ||
	    !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10])
	    || !isdigit((unsigned char)buf[11]) || (le - buf > 12 &&
	    buf[12] != ' '))
		return -1;
	st = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (st < 100 || st > 599)
		return -1;
	for (p = le + 2; p < hend; p = le + 2) {
		le = line_end(p, e);
		/* field-line = field-name ":" OWS field-value OWS; no
		 * obs-fold (RFC 9112 5.2), no NUL. */
		if (*p == ' ' || *p == '\t' || memchr(p, ':',
		    (size_t)(le - p)) == NULL || memchr(p, '\0',
		    (size_t)(le - p)) != NULL)
			return -1;
		if (field_is(p, le, "Content-Length")) {
			const char *val = field_value(p, le, &vl);

			/* RFC 9112 6.3: one valid value, or the same
			 * value repeated. */
			if ((v = dec_len(val, vl, CTL_MAX_RESP)) < 0 ||
			    (clen >= 0 && clen != v))
				return -1;
			clen = v;
		} else if (field_is(p, le, "Transfer-Encoding")) {
			const char *val = field_value(p, le, &vl);

			if (vl != 7 || strncasecmp(val, "chunked", 7) != 0)
				return -1;	/* no other coding asked */
			chunked = true;
		}
	}
	body = hend + 2;
	/* RFC 9112 6.3: both framings at once smell of response
	 * splitting; no body for 1xx, 204 and 304. */
	if (chunked && clen >= 0)
		return -1;
	if (st < 200 || st == 204 || st == 304)
		blen = 0;
	else if (chunked) {
		int	 r = dechunk(body, e, &chunks, &blen);

		if (r <= 0)
			return r < 0 || eof ? -1 : 0;
		body = chunks;
	} else if (clen >= 0) {
		if ((size_t)(e - body) < (size_t)clen)
			return eof ? -1 : 0;
		blen = (size_t)clen;
	} else {
		if (!eof)
			return 0;
		blen = (size_t)(e - body);
	}
	if (blen != 0 && (*out = json_loadb(body, blen, 0, &jerr)) == NULL)
		goto done;
	*status = st;
	rc = 1;
done:
	free(chunks);
	return rc;
}

int
ctl_http(struct ctl *c, const char *method, const char *path, json_t *body,
    int *status, json_t **out)
{
	char		*req = NULL, *b = NULL, *resp = NULL;
	size_t		 len = 0, cap = 0, blen;
	ssize_t		 n;
	int		 fd, rc = -1, r = 0;

	*out = NULL;
	*status = 0;
	if ((fd = connect_api(c->socket)) < 0) {
		fprintf(stderr, "roadgatectl: cannot reach roadgated at %s: "
		    "%s\n", c->socket, strerror(errno));
		return -1;
	}
	if (body && (b = json_dumps(body, JSON_COMPACT)) == NULL)
		goto out;
	blen = b ? strlen(b) : 0;
	if (asprintf(&req, "%s %s HTTP/1.1\r\nHost: roadgated\r\n"
	    "Connection: close\r\nAccept: application/json\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	    method, path, blen) < 0) {
		req = NULL;
		goto out;
	}
	if (write_all(fd, req, strlen(req)) < 0 ||
	    (b && write_all(fd, b, blen) < 0)) {
		fprintf(stderr, "roadgatectl: %s: %s\n", c->socket,
		    strerror(errno));
		goto out;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char	*nr;

			cap = cap ? cap * 2 : 8192;
			if (cap > CTL_MAX_RESP + 4096 ||
			    (nr = realloc(resp, cap)) == NULL)
				goto bad;
			resp = nr;
		}
		if ((n = read(fd, resp + len, cap - len)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "roadgatectl: %s: %s\n", c->socket,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
		if ((r = ctl_http_parse(resp, len, n == 0, status, out)) != 0)
			break;
	}
	if (r < 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "roadgatectl: malformed answer from %s\n", c->socket);
out:
	close(fd);
	free(req);
	free(b);
	free(resp);
	return rc;
}
