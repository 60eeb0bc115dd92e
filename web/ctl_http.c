/*
 * ctl_http.c: roadgatectl's HTTP/1.1 client over the API's unix socket
 * (RFC 9112): one request per connection ("Connection: close"), the body
 * read up to Content-Length or end of stream, bounded to CTL_MAX_RESP.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_MAX_RESP	(16 << 20)

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

int
ctl_http(struct ctl *c, const char *method, const char *path, json_t *body,
    int *status, json_t **out)
{
	char		*req = NULL, *b = NULL, *resp = NULL, *hdr_end, *p;
	size_t		 len = 0, cap = 0, blen;
	ssize_t		 n;
	long		 clen = -1;
	json_error_t	 jerr;
	int		 fd, rc = -1;

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
		if (len + 4096 + 1 > cap) {
			char	*nr;

			cap = cap ? cap * 2 : 8192;
			if (cap > CTL_MAX_RESP || (nr = realloc(resp, cap)) ==
			    NULL)
				goto bad;
			resp = nr;
		}
		if ((n = read(fd, resp + len, cap - len - 1)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "roadgatectl: %s: %s\n", c->socket,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		resp[len] = '\0';
		if ((hdr_end = strstr(resp, "\r\n\r\n")) != NULL && clen >= 0 &&
		    len >= (size_t)(hdr_end + 4 - resp) + (size_t)clen)
			break;
		if (hdr_end && clen < 0 && (p = strcasestr(resp,
		    "\r\nContent-Length:")) != NULL && p < hdr_end)
			clen = strtol(p + 17, NULL, 10);
		if (hdr_end && clen >= 0 &&
		    len >= (size_t)(hdr_end + 4 - resp) + (size_t)clen)
			break;
	}
	if (resp == NULL || sscanf(resp, "HTTP/1.%*d %d", status) != 1 ||
	    (hdr_end = strstr(resp, "\r\n\r\n")) == NULL)
		goto bad;
	hdr_end += 4;
	blen = len - (size_t)(hdr_end - resp);
	if (clen >= 0 && (size_t)clen < blen)
		blen = (size_t)clen;
	if (blen && (*out = json_loadb(hdr_end, blen, 0, &jerr)) == NULL)
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
