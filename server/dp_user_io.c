/*
 * dp_user_io.c: the userspace data plane's I/O: raw ESP sockets (IP
 * protocol 50), socket buffers, send batches (sendmmsg, and UDP GSO via
 * UDP_SEGMENT for runs of equal-sized ESP-in-UDP datagrams), and writes
 * to the TUN device, with TCP segments coalesced into GSO packets when
 * the device carries a virtio_net_hdr (dp_gro.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

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

int
dpu_raw_open(struct dp_backend *b, int af)
{
	int		*fd = af == AF_INET ? &b->raw4 : &b->raw6;
	struct rg_io	*io = af == AF_INET ? &b->raw4_io : &b->raw6_io;
	int		 off = IP_PMTUDISC_DONT;

	if (*fd != -1)
		return 0;
	if ((*fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ESP)) == -1) {
		rg_err(ESP, "raw ESP socket: %s", strerror(errno));
		return -1;
	}
	if (af == AF_INET)
		setsockopt(*fd, IPPROTO_IP, IP_MTU_DISCOVER, &off, sizeof(off));
	dpu_sockbufs(*fd);
	io->fd = *fd;
	io->cb = dpu_raw_read;
	io->arg = b;
	if (rg_io_add(b->loop, io, EPOLLIN) == -1) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* Queue b->txbuf[b->txn] (len bytes of ESP) to the SA's peer. */
void
dpu_tx_queue(struct dp_backend *b, const struct dpu_sa *sa, size_t len,
    uint8_t tos)
{
	struct msghdr	*m = &b->txm[b->txn].msg_hdr;
	struct cmsghdr	*c;
	int		 af = sa->peer.sa.sa_family, fd, v = tos;

	if (sa->encap)
		fd = af == AF_INET ? b->encap4 : b->encap6;
	else
		fd = af == AF_INET ? b->raw4 : b->raw6;
	if (fd == -1) {
		b->st.tx_err++;
		return;
	}
	b->txfd[b->txn] = fd;
	b->txtos[b->txn] = tos;
	memcpy(&b->txaddr[b->txn], &sa->peer, sizeof(sa->peer));
	if (!sa->encap) {	/* raw sockets take no port */
		if (af == AF_INET)
			((struct sockaddr_in *)&b->txaddr[b->txn])->sin_port = 0;
		else
			((struct sockaddr_in6 *)&b->txaddr[b->txn])->sin6_port = 0;
	}
	b->txiov[b->txn].iov_base = b->txbuf[b->txn];
	b->txiov[b->txn].iov_len = len;
	memset(m, 0, sizeof(*m));
	m->msg_name = &b->txaddr[b->txn];
	m->msg_namelen = af == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	m->msg_iov = &b->txiov[b->txn];
	m->msg_iovlen = 1;
	if (tos != 0) {
		m->msg_control = b->txcm[b->txn].b;
		m->msg_controllen = CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = af == AF_INET ? IP_TOS : IPV6_TCLASS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &v, sizeof(v));
	}
	if (++b->txn == DPU_BATCH)
		dpu_flush(b);
}

/*
 * End of a run from i that can leave as one UDP GSO send (UDP_SEGMENT,
 * Linux 4.18): same socket, peer and TOS, equal sizes (the last may be
 * shorter), under 64 KiB in all.
 */
static size_t
dpu_gso_run(struct dp_backend *b, size_t i, size_t end)
{
	size_t	 j, seg = b->txiov[i].iov_len, total = seg;

	for (j = i + 1; j < end; j++) {
		if (b->txfd[j] != b->txfd[i] || b->txtos[j] != b->txtos[i] ||
		    b->txm[j].msg_hdr.msg_namelen !=
		    b->txm[i].msg_hdr.msg_namelen ||
		    memcmp(&b->txaddr[j], &b->txaddr[i],
		    b->txm[i].msg_hdr.msg_namelen) != 0 ||
		    b->txiov[j].iov_len > seg ||
		    total + b->txiov[j].iov_len > 65000)
			break;
		total += b->txiov[j].iov_len;
		if (b->txiov[j].iov_len < seg)
			return j + 1;
	}
	return j;
}

/* One sendmsg() for txm[i..j) with UDP_SEGMENT; false if refused. */
static bool
dpu_send_gso(struct dp_backend *b, size_t i, size_t j)
{
	union {
		struct cmsghdr	 c;
		uint8_t		 buf[CMSG_SPACE(sizeof(uint16_t)) +
				    CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct msghdr	 m = b->txm[i].msg_hdr;
	struct cmsghdr	*c;
	uint16_t	 seg = (uint16_t)b->txiov[i].iov_len;
	int		 tos = b->txtos[i], af = b->txaddr[i].ss_family;

	memset(&cm, 0, sizeof(cm));
	m.msg_iov = &b->txiov[i];
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
	if (sendmsg(b->txfd[i], &m, 0) >= 0)
		return true;
	if (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT ||
	    errno == EOPNOTSUPP) {
		rg_info(ESP, "UDP GSO refused (%s): sending one by one",
		    strerror(errno));
		b->no_gso = true;
	}
	return false;
}

/* Send the batch: UDP GSO runs where possible, sendmmsg() otherwise. */
void
dpu_flush(struct dp_backend *b)
{
	size_t	 i = 0, j, k;
	bool	 udp;
	int	 n;

	while (i < b->txn) {
		for (j = i + 1; j < b->txn && b->txfd[j] == b->txfd[i]; j++)
			;
		udp = b->txfd[i] == b->encap4 || b->txfd[i] == b->encap6;
		while (i < j) {
			if (udp && !b->no_gso &&
			    (k = dpu_gso_run(b, i, j)) - i >= 2 &&
			    dpu_send_gso(b, i, k)) {
				i = k;
				continue;
			}
			n = sendmmsg(b->txfd[i], &b->txm[i], (unsigned)(j - i),
			    0);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				b->st.tx_err++;	/* drop this one, go on */
				i++;
				continue;
			}
			i += (size_t)n;
		}
	}
	b->txn = 0;
}

/* Write one IP packet to TUN; p has DP_VNET_HDR bytes of headroom. */
void
dpu_tun_write(struct dp_backend *b, uint8_t *p, size_t len)
{
	if (b->vnet) {
		memset(p - DP_VNET_HDR, 0, DP_VNET_HDR);
		p -= DP_VNET_HDR;
		len += DP_VNET_HDR;
	}
	if (write(b->tunfd, p, len) < 0)
		b->st.tx_err++;
}

static void
dpu_gro_flush(struct dp_backend *b)
{
	const uint8_t	*out;
	size_t		 n;

	if (b->gro.len == 0)
		return;
	n = dp_gro_finish(&b->gro, &out);
	if (write(b->tunfd, out, n) < 0)
		b->st.tx_err++;
}

void
dpu_gro_timer(struct rg_timer *t)
{
	dpu_gro_flush(t->arg);
}

/* Towards TUN: coalesce TCP segments (vnet), else write as is. */
void
dpu_to_tun(struct dp_backend *b, uint8_t *p, size_t len)
{
	if (b->vnet) {
		if (dp_gro_add(&b->gro, p, len))
			return;
		dpu_gro_flush(b);
		if (dp_gro_start(&b->gro, p, len)) {
			if (!rg_timer_armed(&b->gro_t))
				rg_timer_start(b->loop, &b->gro_t, 0);
			return;
		}
	}
	dpu_tun_write(b, p, len);
}
