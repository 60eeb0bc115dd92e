/*
 * dp_user_io.c: the userspace data plane's I/O: raw ESP sockets (IP
 * protocol 50), the workers' members of the 4500 SO_REUSEPORT group,
 * socket buffers, send batches (sendmmsg, and UDP GSO via UDP_SEGMENT for
 * runs of equal-sized ESP-in-UDP datagrams), and writes to the worker's
 * TUN queue, with TCP segments coalesced into GSO packets when the
 * device carries a virtio_net_hdr (dp_gro.c).  Everything but the socket
 * setup runs on one worker and touches only its buffers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dp_steer.h"
#include "dp_user.h"
#include "rg_log.h"

/* ---- sockets ---- */

/* Bigger buffers; SO_*BUFFORCE (CAP_NET_ADMIN) passes net.core.*mem_max. */
void
dpu_sockbufs(int fd)
{
	int	 v = DPU_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/*
 * Raw ESP sockets (IP protocol 50), one per worker, opened when the first
 * SA without UDP encapsulation comes.  The kernel gives every raw socket
 * a copy of every ESP packet, so each worker's carries a BPF filter for
 * its SPIs (dp_steer_raw) and reads it; if a filter cannot be attached,
 * worker 0 alone reads and hands the others their packets.  Each worker
 * sends from its own.
 */
int
dpu_raw_open(struct dp_backend *b, int af)
{
	struct dpu_worker	*w;
	struct rg_io		*io;
	bool			*open = af == AF_INET ? &b->raw4 : &b->raw6;
	bool			*steered = af == AF_INET ? &b->raw_steered4 :
				    &b->raw_steered6;
	unsigned		 i;
	int			 off = IP_PMTUDISC_DONT, fd;

	if (*open)
		return 0;
	for (i = 0; i < b->nw; i++) {
		if ((fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ESP)) == -1) {
			rg_err(ESP, "raw ESP socket: %s", strerror(errno));
			goto fail;
		}
		if (af == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &off,
			    sizeof(off));
		dpu_sockbufs(fd);
		w = b->w[i];
		if (af == AF_INET) {
			w->raw4 = fd;
			w->raw4_io = (struct rg_io){ fd, dpu_raw_read, w };
		} else {
			w->raw6 = fd;
			w->raw6_io = (struct rg_io){ fd, dpu_raw_read, w };
		}
	}
	*steered = b->nw > 1;
	for (i = 0; *steered && i < b->nw; i++)
		if (dp_steer_raw(af == AF_INET ? b->w[i]->raw4 :
		    b->w[i]->raw6, af, i, b->nw) == -1) {
			rg_warn(ESP, "raw ESP: no BPF filter (%s): worker 0 "
			    "reads every packet and hands them over",
			    strerror(errno));
			*steered = false;
		}
	if (!*steered && b->nw > 1)	/* worker 0 must see them all */
		setsockopt(af == AF_INET ? b->w[0]->raw4 : b->w[0]->raw6,
		    SOL_SOCKET, SO_DETACH_FILTER, NULL, 0);
	for (i = 0; i < (*steered ? b->nw : 1); i++) {
		w = b->w[i];
		io = af == AF_INET ? &w->raw4_io : &w->raw6_io;
		if (rg_io_add(w->loop, io, EPOLLIN) == -1)
			goto fail;
	}
	*open = true;
	return 0;
fail:
	for (i = 0; i < b->nw; i++) {
		w = b->w[i];
		io = af == AF_INET ? &w->raw4_io : &w->raw6_io;
		if (io->fd == -1)
			continue;
		rg_io_del(w->loop, io);
		close(io->fd);
		io->fd = -1;
		if (af == AF_INET)
			w->raw4 = -1;
		else
			w->raw6 = -1;
	}
	return -1;
}

/*
 * Join the workers to IKE's 4500 socket (bound with SO_REUSEPORT by
 * ike_sock.c): the steering program goes on the group first, while IKE's
 * socket is its only member (an index past the members falls back to
 * IKE's), then worker i's socket joins as member 1 + i.  On failure the
 * workers' sockets go and everything reaches IKE's socket as before.
 */
int
dpu_udp_join(struct dp_backend *b, int af, int ikefd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct dpu_worker	*w;
	unsigned		 i;
	int			 fd, on = 1;

	if (getsockname(ikefd, (struct sockaddr *)&ss, &sl) == -1 ||
	    ss.ss_family != af || dp_steer_reuseport(ikefd, b->nw) == -1)
		goto fail;
	for (i = 0; i < b->nw; i++) {
		w = b->w[i];
		if ((fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0)) == -1)
			goto fail;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
		    sizeof(on)) == -1 || (af == AF_INET6 && setsockopt(fd,
		    IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
		    bind(fd, (struct sockaddr *)&ss, sl) == -1) {
			close(fd);
			goto fail;
		}
		dpu_sockbufs(fd);
		if (af == AF_INET) {
			w->udp4 = fd;
			w->udp4_io = (struct rg_io){ fd, dpu_udp_read, w };
			rg_io_add(w->loop, &w->udp4_io, EPOLLIN);
		} else {
			w->udp6 = fd;
			w->udp6_io = (struct rg_io){ fd, dpu_udp_read, w };
			rg_io_add(w->loop, &w->udp6_io, EPOLLIN);
		}
	}
	return 0;
fail:
	rg_warn(ESP, "workers cannot share UDP 4500 (%s): ESP-in-UDP reaches "
	    "them through the IKE socket", strerror(errno));
	for (i = 0; i < b->nw; i++) {
		w = b->w[i];
		if (af == AF_INET && w->udp4 != -1) {
			rg_io_del(w->loop, &w->udp4_io);
			close(w->udp4);
			w->udp4 = w->udp4_io.fd = -1;
		} else if (af == AF_INET6 && w->udp6 != -1) {
			rg_io_del(w->loop, &w->udp6_io);
			close(w->udp6);
			w->udp6 = w->udp6_io.fd = -1;
		}
	}
	return -1;
}

/* The socket w sends ESP-in-UDP from: its own 4500 one, else IKE's. */
static int
dpu_encap_fd(const struct dpu_worker *w, int af)
{
	if (af == AF_INET)
		return w->udp4 != -1 ? w->udp4 : w->b->encap4;
	return w->udp6 != -1 ? w->udp6 : w->b->encap6;
}

/* Queue w->txbuf[w->txn] (len bytes of ESP) to the SA's peer. */
void
dpu_tx_queue(struct dpu_worker *w, const struct dpu_sa *sa, size_t len,
    uint8_t tos)
{
	struct msghdr	*m = &w->txm[w->txn].msg_hdr;
	struct cmsghdr	*c;
	int		 af = sa->peer.sa.sa_family, fd, v = tos;

	if (sa->encap)
		fd = dpu_encap_fd(w, af);
	else
		fd = af == AF_INET ? w->raw4 : w->raw6;
	if (fd == -1) {
		dpu_ctr_add(&w->st.tx_err, 1);
		return;
	}
	w->txfd[w->txn] = fd;
	w->txtos[w->txn] = tos;
	memcpy(&w->txaddr[w->txn], &sa->peer, sizeof(sa->peer));
	if (!sa->encap) {	/* raw sockets take no port */
		struct sockaddr_storage	*ta = &w->txaddr[w->txn];

		if (af == AF_INET)
			((struct sockaddr_in *)ta)->sin_port = 0;
		else
			((struct sockaddr_in6 *)ta)->sin6_port = 0;
	}
	w->txiov[w->txn].iov_base = w->txbuf[w->txn];
	w->txiov[w->txn].iov_len = len;
	memset(m, 0, sizeof(*m));
	m->msg_name = &w->txaddr[w->txn];
	m->msg_namelen = af == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	m->msg_iov = &w->txiov[w->txn];
	m->msg_iovlen = 1;
	if (tos != 0) {
		m->msg_control = w->txcm[w->txn].b;
		m->msg_controllen = CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = af == AF_INET ? IP_TOS : IPV6_TCLASS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &v, sizeof(v));
	}
	if (++w->txn == DPU_BATCH)
		dpu_flush(w);
}

/*
 * End of a run from i that can leave as one UDP GSO send (UDP_SEGMENT,
 * Linux 4.18): same socket, peer and TOS, equal sizes (the last may be
 * shorter), under 64 KiB in all.
 */
static size_t
dpu_gso_run(struct dpu_worker *w, size_t i, size_t end)
{
	size_t	 j, seg = w->txiov[i].iov_len, total = seg;

	for (j = i + 1; j < end; j++) {
		if (w->txfd[j] != w->txfd[i] || w->txtos[j] != w->txtos[i] ||
		    w->txm[j].msg_hdr.msg_namelen !=
		    w->txm[i].msg_hdr.msg_namelen ||
		    memcmp(&w->txaddr[j], &w->txaddr[i],
		    w->txm[i].msg_hdr.msg_namelen) != 0 ||
		    w->txiov[j].iov_len > seg ||
		    total + w->txiov[j].iov_len > 65000)
			break;
		total += w->txiov[j].iov_len;
		if (w->txiov[j].iov_len < seg)
			return j + 1;
	}
	return j;
}

/* One sendmsg() for txm[i..j) with UDP_SEGMENT; false if refused. */
static bool
dpu_send_gso(struct dpu_worker *w, size_t i, size_t j)
{
	union {
		struct cmsghdr	 c;
		uint8_t		 buf[CMSG_SPACE(sizeof(uint16_t)) +
				    CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct msghdr	 m = w->txm[i].msg_hdr;
	struct cmsghdr	*c;
	uint16_t	 seg = (uint16_t)w->txiov[i].iov_len;
	int		 tos = w->txtos[i], af = w->txaddr[i].ss_family;

	memset(&cm, 0, sizeof(cm));
	m.msg_iov = &w->txiov[i];
	m.msg_iovlen = j - i;
	m.msg_control = cm.buf;
	m.msg_controllen = CMSG_SPACE(sizeof(uint16_t)) +
	    (tos ? CMSG_SPACE(sizeof(int)) : 0);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	if (tos) {
		c = CMSG_NXTHDR(&m, c);
		c->cmsg_level = af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = af == AF_INET ? IP_TOS : IPV6_TCLASS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	}
	if (sendmsg(w->txfd[i], &m, 0) >= 0)
		return true;
	if (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT ||
	    errno == EOPNOTSUPP) {
		rg_info(ESP, "UDP GSO refused (%s): sending one by one",
		    strerror(errno));
		w->no_gso = true;
	}
	return false;
}

/* Send the batch: UDP GSO runs where possible, sendmmsg() otherwise. */
void
dpu_flush(struct dpu_worker *w)
{
	size_t	 i = 0, j, k;
	bool	 udp;
	int	 n;

	while (i < w->txn) {
		for (j = i + 1; j < w->txn && w->txfd[j] == w->txfd[i]; j++)
			;
		udp = w->txfd[i] == dpu_encap_fd(w, AF_INET) ||
		    w->txfd[i] == dpu_encap_fd(w, AF_INET6);
		while (i < j) {
			if (udp && !w->no_gso &&
			    (k = dpu_gso_run(w, i, j)) - i >= 2 &&
			    dpu_send_gso(w, i, k)) {
				i = k;
				continue;
			}
			n = sendmmsg(w->txfd[i], &w->txm[i], (unsigned)(j - i),
			    0);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				/* drop this one, go on */
				dpu_ctr_add(&w->st.tx_err, 1);
				i++;
				continue;
			}
			i += (size_t)n;
		}
	}
	w->txn = 0;
}

/* Write one IP packet to TUN; p has DP_VNET_HDR bytes of headroom. */
void
dpu_tun_write(struct dpu_worker *w, uint8_t *p, size_t len)
{
	if (w->b->vnet) {
		memset(p - DP_VNET_HDR, 0, DP_VNET_HDR);
		p -= DP_VNET_HDR;
		len += DP_VNET_HDR;
	}
	if (write(w->tunfd, p, len) < 0)
		dpu_ctr_add(&w->st.tx_err, 1);
}

static void
dpu_gro_flush(struct dpu_worker *w)
{
	const uint8_t	*out;
	size_t		 n;

	if (w->gro.len == 0)
		return;
	n = dp_gro_finish(&w->gro, &out);
	if (write(w->tunfd, out, n) < 0)
		dpu_ctr_add(&w->st.tx_err, 1);
}

void
dpu_gro_timer(struct rg_timer *t)
{
	dpu_gro_flush(t->arg);
}

/* Towards TUN: coalesce TCP segments (vnet), else write as is. */
void
dpu_to_tun(struct dpu_worker *w, uint8_t *p, size_t len)
{
	if (w->b->vnet) {
		if (dp_gro_add(&w->gro, p, len))
			return;
		dpu_gro_flush(w);
		if (dp_gro_start(&w->gro, p, len)) {
			if (!rg_timer_armed(&w->gro_t))
				rg_timer_start(w->loop, &w->gro_t, 0);
			return;
		}
	}
	dpu_tun_write(w, p, len);
}
