/*
 * ike_sock.c: the IKE UDP sockets.  Ports 500 and 4500 on IPv4 and (when
 * the host has it) IPv6, read with recvmsg + IP_PKTINFO so answers leave
 * from the address the request came to.  On the NAT-T port, RFC 3948 2.2
 * demultiplexing: four zero octets = IKE (marker stripped), one 0xff
 * octet = NAT keepalive (dropped), anything else = ESP for dp_udp_input().
 * IKE datagrams then go by major version to the IKEv1 or IKEv2 engine
 * (struct ike_demux), so this file knows neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/uio.h>

#include "dp.h"
#include "ike_sock.h"
#include "rg_log.h"
#include "rg_loop.h"

#define IKE_SOCK_MAX	4

struct ike_sock_one {
	struct rg_io	 io;
	struct ike_sock	*owner;
	int		 af;
	uint16_t	 port;
	bool		 natt;
};

struct ike_sock {
	struct rg_loop		*loop;
	struct ike_demux	 demux;
	struct dp		*dp;
	struct ike_sock_one	 s[IKE_SOCK_MAX];
	size_t			 n;
	uint8_t			 buf[65536 + 64];
	uint64_t		 keepalives, esp_no_dp;
};

/* Byte 17 of the IKE header: major version in the high nibble (RFC 7296
 * 3.1, RFC 2408 3.1). */
#define IKE_HDR_VERSION_OFF	17

void
ike_demux_set(struct ike_demux *d, enum ike_version v, ike_input_fn fn,
    void *arg)
{
	d->h[v].fn = fn;
	d->h[v].arg = arg;
}

const char *
ike_version_name(enum ike_version v)
{
	return v == IKE_V1 ? "IKEv1" : v == IKE_V2 ? "IKEv2" : "?";
}

enum ike_version
ike_demux_version(const uint8_t *pkt, size_t len)
{
	if (len > IKE_HDR_VERSION_OFF && (pkt[IKE_HDR_VERSION_OFF] >> 4) == 1)
		return IKE_V1;
	return IKE_V2;
}

void
ike_demux_input(struct ike_demux *d, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	enum ike_version v = ike_demux_version(pkt, len);

	if (d->h[v].fn == NULL) {
		d->no_handler[v]++;
		rg_debug(IKE, "%s message (%zu bytes, version 0x%02x) dropped: "
		    "no %s responder", ike_version_name(v), len,
		    len > IKE_HDR_VERSION_OFF ? pkt[IKE_HDR_VERSION_OFF] : 0,
		    ike_version_name(v));
		return;
	}
	d->rx[v]++;
	d->h[v].fn(d->h[v].arg, pkt, len, from, to, fd);
}

static void
on_read(struct rg_io *io, uint32_t events)
{
	struct ike_sock_one	*o = io->arg;
	struct ike_sock		*s = o->owner;

	(void)events;
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_storage	 from, to;
		union {
			struct cmsghdr	 c;
			uint8_t		 b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			    CMSG_SPACE(sizeof(struct in_pktinfo))];
		} cbuf;
		struct iovec	 iov = { s->buf, sizeof(s->buf) };
		struct msghdr	 mh;
		ssize_t		 n;
		const uint8_t	*p = s->buf;

		memset(&mh, 0, sizeof(mh));
		memset(&to, 0, sizeof(to));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = &cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(io->fd, &mh, MSG_DONTWAIT)) < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
		    c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				struct sockaddr_in *t = (void *)&to;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				t->sin_family = AF_INET;
				t->sin_addr = pi.ipi_addr;
				t->sin_port = htons(o->port);
			} else if (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				struct sockaddr_in6 *t = (void *)&to;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				t->sin6_family = AF_INET6;
				t->sin6_addr = pi.ipi6_addr;
				t->sin6_port = htons(o->port);
			}
		}
		if (to.ss_family == 0)
			continue;
		if (o->natt) {
			if (n == 1 && p[0] == 0xff) {
				s->keepalives++;
				continue;
			}
			if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 &&
			    p[3] == 0) {
				p += 4;
				n -= 4;
			} else {
				if (s->dp != NULL)
					dp_udp_input(s->dp, p, (size_t)n,
					    (struct sockaddr *)&from,
					    (struct sockaddr *)&to);
				else
					s->esp_no_dp++;
				continue;
			}
		}
		ike_demux_input(&s->demux, p, (size_t)n,
		    (struct sockaddr *)&from, (struct sockaddr *)&to, io->fd);
	}
}

static int
open_one(struct ike_sock *s, int af, uint16_t port, bool natt)
{
	struct ike_sock_one	*o;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 fd, on = 1;

	if (s->n >= IKE_SOCK_MAX)
		return -1;
	if ((fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* the data plane's workers join 4500 to read their ESP themselves
	 * (dp_steer.c sends IKE and keepalives to this socket alone) */
	if (natt && s->dp != NULL && dp_encap_shared(s->dp))
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		sl = sizeof(*a);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	} else {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		sl = sizeof(*a);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int	 e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	o = &s->s[s->n];
	o->owner = s;
	o->af = af;
	o->port = port;
	o->natt = natt;
	o->io.fd = fd;
	o->io.cb = on_read;
	o->io.arg = o;
	if (rg_io_add(s->loop, &o->io, EPOLLIN) < 0) {
		close(fd);
		return -1;
	}
	s->n++;
	if (natt && s->dp != NULL)
		dp_set_encap_socket(s->dp, af, fd);
	return 0;
}

struct ike_sock *
ike_sock_new(struct rg_loop *loop, uint16_t port, uint16_t natt_port,
    struct dp *dp)
{
	struct ike_sock	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->loop = loop;
	s->dp = dp;
	port = port ? port : 500;
	natt_port = natt_port ? natt_port : 4500;
	if (open_one(s, AF_INET, port, false) < 0 ||
	    open_one(s, AF_INET, natt_port, true) < 0) {
		rg_err(IKE, "cannot bind UDP %u/%u: %s", port, natt_port,
		    strerror(errno));
		ike_sock_free(s);
		return NULL;
	}
	if (open_one(s, AF_INET6, port, false) == 0 &&
	    open_one(s, AF_INET6, natt_port, true) < 0)
		rg_info(IKE, "IPv6 NAT-T socket unavailable");
	rg_info(IKE, "listening on UDP %u and %u", port, natt_port);
	return s;
}

void
ike_sock_set_handler(struct ike_sock *s, enum ike_version v, ike_input_fn fn,
    void *arg)
{
	ike_demux_set(&s->demux, v, fn, arg);
}

const struct ike_demux *
ike_sock_demux(const struct ike_sock *s)
{
	return &s->demux;
}

void
ike_sock_free(struct ike_sock *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		rg_io_del(s->loop, &s->s[i].io);
		close(s->s[i].io.fd);
	}
	free(s);
}

int
ike_sock_send(void *arg, int fd, const uint8_t *pkt, size_t len,
    const struct sockaddr *local, const struct sockaddr *peer)
{
	struct ike_sock	*s = arg;
	static const uint8_t marker[4];
	struct iovec	 iov[2];
	struct msghdr	 mh;
	union {
		struct cmsghdr	 c;
		uint8_t		 b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct cmsghdr	*c;
	bool		 natt = false;
	int		 niov = 0;

	if (s != NULL)
		for (size_t i = 0; i < s->n; i++)
			if (s->s[i].io.fd == fd)
				natt = s->s[i].natt;
	if (natt) {
		iov[niov].iov_base = (void *)marker;
		iov[niov++].iov_len = 4;
	}
	iov[niov].iov_base = (void *)pkt;
	iov[niov++].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_name = (void *)peer;
	mh.msg_namelen = peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)niov;
	if (local != NULL && local->sa_family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		mh.msg_control = &cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else if (local != NULL && local->sa_family == AF_INET6) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		mh.msg_control = &cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(fd, &mh, MSG_DONTWAIT) < 0) {
		rg_debug(IKE, "sendmsg: %s", strerror(errno));
		return -1;
	}
	return 0;
}
