/*
 * dp_xfrm_dhcp.c: DHCPINFORM through a kernel-XFRM tunnel (PRODUCT.md fact
 * 3: Windows asks for its split routes with a DHCPINFORM once connected).
 *
 * With XFRM the kernel decrypts, so the userspace engine's interception
 * (dp_user.c) has no equivalent.  A raw IPv4 socket of protocol UDP gets
 * a copy of every UDP packet delivered to this host, and only after the
 * kernel's inbound IPsec policy check (raw_rcv() drops what fails
 * xfrm4_policy_check()): a packet from a client's vip matches our inbound
 * policy for that vip, whose template requires ESP, so only a packet that
 * arrived decrypted by that SA reaches us; a cleartext one with the vip
 * as a spoofed source is dropped by the kernel first.  (A packet socket,
 * used before, sees packets before that check: it answered spoofed
 * requests, security review issue 12 defect 9.)  A classic BPF filter
 * keeps IPv4/UDP 68 -> 67, first fragments only.  A packet counts when
 * its source is a single-address remote selector of one of our inbound
 * tunnel SAs (the client's vip), its destination lies inside that SA's
 * local selectors, and it is a well-formed IPv4/UDP packet; it goes to
 * dp_events.udp_input (port 67) with that SA's reqid, which answers only
 * the vip (sess_udp.c).  The INFORM must be addressed to this host (the
 * server identifier, our LAN address, or broadcast), as Windows does.
 * The kernel still delivers the original to UDP 67, where nothing of
 * ours listens, so a local DHCP server is left alone.
 *
 * The answer, a whole IPv4 packet from the server address to the vip,
 * leaves through a raw IPPROTO_RAW socket: the kernel routes it to the
 * vip and the SA's outbound policy encrypts it.  The policy lookup uses
 * the flow's source, which for a raw socket is not the one in the header
 * we wrote but the one routing picks (the outer interface's address,
 * outside the selectors: the answer would leave in clear), so it is
 * given with IP_PKTINFO.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp_pkt.h"
#include "dp_xfrm.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "rg_loop.h"

int
dp_xfrm_dhcp_open(void)
{
	/* a raw socket's packets start at the IPv4 header */
	struct sock_filter	 prog[] = {
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 0 },
		{ BPF_ALU | BPF_RSH | BPF_K, 0, 0, 4 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 4 },		/* IPv4 */
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 9 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 6, IPPROTO_UDP },
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 6 },
		{ BPF_JMP | BPF_JSET | BPF_K, 4, 0, 0x1fff },	/* not first */
		{ BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0 },		/* X = IHL*4 */
		{ BPF_LD | BPF_W | BPF_IND, 0, 0, 0 },		/* ports */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (68u << 16) | 67u },
		{ BPF_RET | BPF_K, 0, 0, 0xffff },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_fprog	 fp = { sizeof(prog) / sizeof(prog[0]), prog };
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
	    sizeof(fp)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One captured packet: 0 and *af/src filled when it is a DHCPINFORM-shaped
 * IPv4/UDP 68 -> 67 packet that came in; -1 otherwise. */
int
dp_xfrm_dhcp_check(const uint8_t *pkt, size_t len, int pkttype,
    const uint8_t **src)
{
	struct dp_pkt	 k;

	if (pkttype == PACKET_OUTGOING || dp_pkt_parse(pkt, len, &k) == -1 ||
	    k.af != AF_INET || k.proto != IPPROTO_UDP || k.sport != 68 ||
	    k.dport != 67 || !k.first_frag)
		return -1;
	*src = k.src;
	return 0;
}

int
dp_xfrm_dhcp_send(int *rawfd, const uint8_t *pkt, size_t len)
{
	union {
		struct cmsghdr	 c;
		uint8_t		 b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	}			 cm;
	struct in_pktinfo	 pi;
	struct sockaddr_in	 to;
	struct msghdr		 m;
	struct iovec		 iov;
	struct cmsghdr		*c;
	struct dp_pkt		 k;

	if (dp_pkt_parse(pkt, len, &k) == -1 || k.af != AF_INET ||
	    k.len != len)
		return -1;
	if (*rawfd == -1 && (*rawfd = socket(AF_INET, SOCK_RAW |
	    SOCK_CLOEXEC, IPPROTO_RAW)) == -1) {
		rg_warn(ESP, "raw socket for DHCP answers: %s", strerror(errno));
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	memcpy(&to.sin_addr, k.dst, 4);
	memset(&pi, 0, sizeof(pi));
	memcpy(&pi.ipi_spec_dst, k.src, 4);
	memset(&cm, 0, sizeof(cm));
	memset(&m, 0, sizeof(m));
	iov.iov_base = (void *)(uintptr_t)pkt;
	iov.iov_len = len;
	m.msg_name = &to;
	m.msg_namelen = sizeof(to);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cm.b;
	m.msg_controllen = sizeof(cm.b);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(*rawfd, &m, 0) != (ssize_t)len) {
		rg_debug(ESP, "DHCP answer to %s: %s", inet_ntoa(to.sin_addr),
		    strerror(errno));
		return -1;
	}
	return 0;
}
