/*
 * web_http.c: libmicrohttpd glue.  The daemon's listening AF_UNIX socket
 * (mode 0600: root only) is handed to MHD with MHD_OPTION_LISTEN_SOCKET;
 * MHD runs without threads in its epoll mode, so its one epoll fd is
 * registered with rg_loop and MHD_run() is called when it is readable or
 * when the rg_timer armed from MHD_get_timeout() fires.  Request bodies
 * are collected up to WEB_MAX_BODY and handed to web_dispatch().
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rg_log.h"
#include "rg_loop.h"
#include "web_https.h"
#include "web_int.h"

#define WEB_MAX_BODY	(1 << 20)

struct web {
	struct rg_loop		*loop;
	struct web_ctx		*ctx;
	struct MHD_Daemon	*mhd;
	int			 lfd;
	char			*path;		/* owned */
	struct rg_io		 io;		/* MHD's epoll fd */
	struct rg_timer		 timer;
	struct web_https	*https;		/* owned */
};

struct web_conn {
	char			*body;		/* owned */
	size_t			 len;
	bool			 too_big;
};

static void
web_rearm(struct web *w)
{
	MHD_UNSIGNED_LONG_LONG	 ms;

	if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
		rg_timer_start(w->loop, &w->timer, ms);
	else
		rg_timer_stop(w->loop, &w->timer);
}

static void
web_io(struct rg_io *io, uint32_t events)
{
	struct web	*w = io->arg;

	(void)MHD_run(w->mhd);
	web_rearm(w);
}

static void
web_timer(struct rg_timer *t)
{
	struct web	*w = t->arg;

	(void)MHD_run(w->mhd);
	web_rearm(w);
}

static enum MHD_Result
respond(struct MHD_Connection *c, int status, json_t *body)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			*s;

	s = body ? json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER) :
	    NULL;
	if (s == NULL)
		s = strdup("{}");
	if (s == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A non-JSON answer (a client profile) as an attachment. */
static enum MHD_Result
respond_raw(struct MHD_Connection *c, int status, struct web_raw *raw)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			 disp[460];

	r = MHD_create_response_from_buffer(raw->len, raw->data,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    raw->filename);
	MHD_add_response_header(r, "Content-Type", raw->content_type);
	MHD_add_response_header(r, "Content-Disposition", disp);
	if (raw->secret)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The GET arguments back into "?k=v&k=v" for web_dispatch_raw(). */
struct web_q {
	char	 buf[512];
	size_t	 len;
};

static enum MHD_Result
web_q_add(void *arg, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct web_q	*q = arg;
	int		 n;

	(void)kind;
	n = snprintf(q->buf + q->len, sizeof(q->buf) - q->len, "%c%s=%s",
	    q->len ? '&' : '?', k, v ? v : "");
	if (n > 0 && (size_t)n < sizeof(q->buf) - q->len)
		q->len += (size_t)n;
	return MHD_YES;
}

static enum MHD_Result
web_handler_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct web	*w = cls;
	struct web_conn	*wc = *con_cls;
	json_t		*out = NULL;
	enum MHD_Result	 ret;
	int		 status;

	if (wc == NULL) {
		if ((wc = calloc(1, sizeof(*wc))) == NULL)
			return MHD_NO;
		*con_cls = wc;
		return MHD_YES;
	}
	if (*upload_size) {
		if (wc->len + *upload_size > WEB_MAX_BODY) {
			wc->too_big = true;
		} else {
			char	*nb = realloc(wc->body, wc->len + *upload_size +
			    1);

			if (nb == NULL)
				return MHD_NO;
			wc->body = nb;
			memcpy(wc->body + wc->len, upload, *upload_size);
			wc->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (wc->too_big)
		status = web_error(&out, 413, NULL, "request body over %d bytes",
		    WEB_MAX_BODY);
	else {
		struct web_q	 q = { "", 0 };
		struct web_raw	 raw;
		char		 full[2048];

		memset(&raw, 0, sizeof(raw));
		(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
		    web_q_add, &q);
		snprintf(full, sizeof(full), "%s%s", url, q.buf);
		status = web_dispatch_raw(w->ctx, method, full, wc->body,
		    wc->len, &out, &raw);
		if (raw.set) {
			ret = respond_raw(c, status, &raw);
			web_raw_clear(&raw);
			json_decref(out);
			return ret;
		}
	}
	ret = respond(c, status, out);
	json_decref(out);
	return ret;
}

static void
web_done_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web_conn	*wc = *con_cls;

	if (wc == NULL)
		return;
	free(wc->body);
	free(wc);
	*con_cls = NULL;
}

static int
listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Replace a stale socket, never a regular file. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket",
			    path);
			return -1;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Bind with a umask-proof mode: chmod right after, before listen. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 32) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct web *
web_start(struct rg_loop *loop, const char *path, struct web_ctx *ctx,
    char *err, size_t errlen)
{
	const union MHD_DaemonInfo	*info;
	struct web			*w;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->path = strdup(path)) == NULL) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->ctx = ctx;
	w->io.fd = -1;
	if ((w->https = web_https_new(loop, ctx)) == NULL) {
		free(w->path);
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rg_timer_init(&w->timer, web_timer, w);
	if ((w->lfd = listen_unix(path, err, errlen)) < 0) {
		web_https_free(w->https);
		free(w->path);
		free(w);
		return NULL;
	}
	w->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL,
	    web_handler_cb, w,
	    MHD_OPTION_LISTEN_SOCKET, w->lfd,
	    MHD_OPTION_NOTIFY_COMPLETED, web_done_cb, w,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
	    MHD_OPTION_END);
	if (w->mhd == NULL ||
	    (info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD)) ==
	    NULL) {
		snprintf(err, errlen, "%s: libmicrohttpd would not start",
		    path);
		web_stop(w);
		return NULL;
	}
	w->io = (struct rg_io){ info->epoll_fd, web_io, w };
	if (rg_io_add(loop, &w->io, EPOLLIN) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		w->io.fd = -1;
		web_stop(w);
		return NULL;
	}
	web_rearm(w);
	rg_info(WEB, "API listening on %s", path);
	return w;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	web_https_free(w->https);
	if (w->io.fd >= 0)
		rg_io_del(w->loop, &w->io);
	rg_timer_stop(w->loop, &w->timer);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);	/* closes the listening fd */
	else if (w->lfd >= 0)
		close(w->lfd);
	if (w->lfd >= 0)
		(void)unlink(w->path);
	free(w->path);
	free(w);
}

void
web_configure(struct web *w, const struct rg_config *cfg)
{
	web_https_configure(w->https, cfg);
}
