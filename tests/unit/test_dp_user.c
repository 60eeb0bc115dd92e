/*
 * test_dp_user.c: the userspace data plane (server/dp_user.c) in a
 * private network namespace (unshare(CLONE_NEWNET); needs root).
 *
 * The test plays the peer with its own esp_sa pair and a UDP socket on
 * 127.0.0.2:4500; dp_new("userspace") owns TUN "rgt0" and the 4500 socket
 * on 127.0.0.1.  A UDP listener on 10.1.0.1 (the "LAN") receives what
 * the data plane decrypts and answers through the tunnel.  Checked:
 * delivery both ways, replayed / tampered / truncated / wrong-SPI /
 * outside-the-selectors packets dropped and counted (RFC 4303 3.4,
 * RFC 4301 5.2), DHCPINFORM diverted to dp_events, soft and hard
 * lifetimes reported (hard: the SA is gone), dp_send_to_client.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
/* libasan's allocator statistics (sanitizer/allocator_interface.h) */
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

#include "dp.h"
#include "dp_pkt.h"
#include "esp.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_test.h"
#include "dp_test_lib.h"

static struct rg_loop	*loop;
static struct dp	*dp;
static struct esp_sa	 peer_out, peer_in;	/* the peer's view */
static int		 encap_fd = -1, peer_fd = -1, lan_fd = -1;
static bool		 have_ns;	/* setup made our network namespace */
#define NO_NS	"needs root and unshare(CLONE_NEWNET)"
static int		 nexp_soft, nexp_hard, ndhcp;
static uint32_t		 last_exp_spi;

static void
on_expire(void *arg, uint32_t reqid, uint32_t spi, bool inbound, bool hard)
{
	(void)arg;
	(void)reqid;
	(void)inbound;
	last_exp_spi = spi;
	if (hard)
		nexp_hard++;
	else
		nexp_soft++;
}

static void
on_dhcp(void *arg, uint16_t port, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	(void)arg;
	(void)port;
	(void)pkt;
	if (reqid == 1 && len >= 28)
		ndhcp++;
}

static void
feed(const uint8_t *esp, size_t len)
{
	struct sockaddr_storage	 from, to;

	sin4(&from, "127.0.0.2", 4500);
	sin4(&to, "127.0.0.1", 4500);
	dp_udp_input(dp, esp, len, (struct sockaddr *)&from,
	    (struct sockaddr *)&to);
}

/* Receive on fd within ms, running the loop meanwhile. */
static ssize_t
recv_wait(int fd, uint8_t *buf, size_t cap, int ms)
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < ms / 10; i++) {
		if ((n = recv(fd, buf, cap, 0)) >= 0)
			return n;
		rg_loop_once(loop, 10);
	}
	return -1;
}

static void
setup(void)
{
	struct dp_events	 ev = { .expire = on_expire, .udp_input = on_dhcp,
				       .udp = { { 67, 68 } }, .nudp = 1 };
	struct dp_sa		 in, out, cbc;
	struct rg_prefix	 vip;
	int			 rc;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1)
		return;
	rc = system("ip link set lo up && ip addr add 10.1.0.1/32 dev lo");
	CHECK_EQ(rc, 0);
	if (rc != 0)
		return;
	rg_log_open(true, false, RG_L_WARN);
	loop = rg_loop_new(0);
	dp = dp_new(loop, "userspace", "rgt0", DP_THREADS_INLINE, &ev);
	CHECK(dp != NULL);
	if (dp == NULL)
		return;
	CHECK_STR(dp_kind(dp), "userspace");
	encap_fd = udp_sock("127.0.0.1", 4500);
	peer_fd = udp_sock("127.0.0.2", 4500);
	lan_fd = udp_sock("10.1.0.1", 7777);
	CHECK(encap_fd != -1 && peer_fd != -1 && lan_fd != -1);
	dp_set_encap_socket(dp, AF_INET, encap_fd);
	mksa(&in, 0x100, true, 1, 0x11);
	mksa(&out, 0x200, false, 1, 0x22);
	CHECK_EQ(dp_sa_add(dp, &in), 0);
	CHECK_EQ(dp_sa_add(dp, &out), 0);
	CHECK_EQ(dp_sa_add(dp, &in), -1);		/* duplicate SPI */
	/* AES-CBC without a MAC: refused by the data plane itself. */
	cbc = in;
	cbc.spi = 0x180;
	cbc.encr = DP_ENCR_AES_CBC;
	cbc.encr_key_len = 16;
	cbc.integ = DP_INTEG_NONE;
	CHECK_EQ(dp_sa_add(dp, &cbc), -1);
	/* the peer encrypts with our inbound SA's keys, and back */
	in.inbound = false;
	CHECK_EQ(esp_sa_init(&peer_out, &in), 0);
	out.inbound = true;
	CHECK_EQ(esp_sa_init(&peer_in, &out), 0);
	CHECK_EQ(rg_prefix_parse("198.18.0.1/32", &vip), 0);
	CHECK_EQ(dp_route_add(dp, &vip), 0);
	have_ns = true;
}

static void
both_ways(void)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET,
				    .sin_port = htons(5555) };
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048], buf[2048], nh;
	size_t			 n, olen;
	ssize_t			 r;
	uint64_t		 seq;

	if (!have_ns)
		SKIP(NO_NS);
	n = mk_udp(inner, "198.18.0.1", 5555, "10.1.0.1", 7777, "hello");
	feed(esp, seal(&peer_out, inner, n, esp));
	r = recv_wait(lan_fd, buf, sizeof(buf), 1000);
	CHECK_EQ(r, 5);
	CHECK_MEM(buf, "hello", 5);
	CHECK_EQ(dp_sa_counters(dp, 0x100, true, &c), 0);
	CHECK_EQ(c.packets, 1);
	CHECK_EQ(c.bytes, n);
	CHECK(c.last_used_ms != 0);

	/* the LAN answers; the kernel routes it into rgt0 */
	inet_pton(AF_INET, "198.18.0.1", &to.sin_addr);
	CHECK_EQ(sendto(lan_fd, "world", 5, 0, (struct sockaddr *)&to,
	    sizeof(to)), 5);
	r = recv_wait(peer_fd, esp, sizeof(esp), 1000);
	CHECK(r > 0);
	if (r > 0) {
		CHECK_EQ(rg_get_u32(esp), 0x200);
		CHECK_EQ(esp_decrypt(&peer_in, esp, (size_t)r, buf,
		    sizeof(buf), &olen, &nh, &seq), 0);
		CHECK_EQ(nh, 4);
		CHECK_EQ(olen, 33);
		CHECK_MEM(buf + 28, "world", 5);
		CHECK_MEM(buf + 16, "\xc6\x12\x00\x01", 4);	/* to vip */
	}
	CHECK_EQ(dp_sa_counters(dp, 0x200, false, &c), 0);
	CHECK_EQ(c.packets, 1);
}

static void
drops_counted(void)
{
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048], buf[2048];
	size_t			 n, e;

	if (!have_ns)
		SKIP(NO_NS);
	n = mk_udp(inner, "198.18.0.1", 5555, "10.1.0.1", 7777, "again");
	e = seal(&peer_out, inner, n, esp);
	feed(esp, e);
	CHECK_EQ(recv_wait(lan_fd, buf, sizeof(buf), 500), 5);
	feed(esp, e);					/* replay */
	esp[e - 1] ^= 1;
	feed(esp, e);					/* same seq: replay */
	e = seal(&peer_out, inner, n, esp);
	esp[e - 1] ^= 1;
	feed(esp, e);					/* bad ICV */
	feed(esp, 12);					/* truncated */
	rg_put_u32(esp, 0x999);
	feed(esp, e);					/* unknown SPI */
	n = mk_udp(inner, "198.18.0.2", 5555, "10.1.0.1", 7777, "spoof");
	feed(esp, seal(&peer_out, inner, n, esp));	/* outside the TS */
	CHECK_EQ(recv_wait(lan_fd, buf, sizeof(buf), 300), -1);
	CHECK_EQ(dp_sa_counters(dp, 0x100, true, &c), 0);
	CHECK_EQ(c.replay_drops, 2);
	CHECK_EQ(c.auth_drops, 1);
	CHECK_EQ(c.other_drops, 2);	/* truncated + outside the TS */
	CHECK_EQ(c.packets, 3);		/* hello, again, spoof (decrypted) */
}

static void
dhcp_inform_diverted(void)
{
	uint8_t		 inner[256], esp[2048];
	size_t		 n;
	int		 before = ndhcp;

	if (!have_ns)
		SKIP(NO_NS);
	n = mk_udp(inner, "198.18.0.1", 68, "10.1.0.1", 67, "DHCPINFORM.....");
	feed(esp, seal(&peer_out, inner, n, esp));
	CHECK_EQ(ndhcp, before + 1);
	/* Windows may broadcast it: outside the local TS, still ours. */
	n = mk_udp(inner, "198.18.0.1", 68, "255.255.255.255", 67,
	    "DHCPINFORM.....");
	feed(esp, seal(&peer_out, inner, n, esp));
	CHECK_EQ(ndhcp, before + 2);
	/* From another source than the client's TS: dropped, not answered. */
	n = mk_udp(inner, "198.18.0.9", 68, "255.255.255.255", 67,
	    "DHCPINFORM.....");
	feed(esp, seal(&peer_out, inner, n, esp));
	CHECK_EQ(ndhcp, before + 2);
}

static void
send_to_client(void)
{
	uint8_t		 inner[256], esp[2048], buf[2048], nh;
	size_t		 n, olen;
	ssize_t		 r;
	uint64_t	 seq;

	if (!have_ns)
		SKIP(NO_NS);
	n = mk_udp(inner, "10.1.0.1", 67, "198.18.0.1", 68, "DHCPACK");
	CHECK_EQ(dp_send_to_client(dp, 1, inner, n), 0);
	CHECK_EQ(dp_send_to_client(dp, 99, inner, n), -1);
	r = recv_wait(peer_fd, esp, sizeof(esp), 1000);
	CHECK(r > 0);
	if (r > 0) {
		CHECK_EQ(esp_decrypt(&peer_in, esp, (size_t)r, buf,
		    sizeof(buf), &olen, &nh, &seq), 0);
		CHECK_EQ(olen, n);
		CHECK_MEM(buf, inner, n);
	}
}

static void
lifetimes(void)
{
	struct dp_sa		 s1, s2;
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048];
	struct esp_sa		 p3;
	int			 i;

	if (!have_ns)
		SKIP(NO_NS);
	/* a second CHILD_SA: soft after 1 s; inbound hard after 100 bytes */
	mksa(&s1, 0x300, true, 2, 0x33);
	s1.hard_bytes = 100;
	mksa(&s2, 0x400, false, 2, 0x44);
	s2.soft_time_s = 1;
	CHECK_EQ(dp_sa_add(dp, &s1), 0);
	CHECK_EQ(dp_sa_add(dp, &s2), 0);
	s1.inbound = false;
	CHECK_EQ(esp_sa_init(&p3, &s1), 0);
	for (i = 0; i < 3; i++) {
		size_t	 n = mk_udp(inner, "198.18.0.1", 5555, "10.1.0.1",
		    7777, "0123456789012345678901234567890123456789");

		feed(esp, seal(&p3, inner, n, esp));
	}
	esp_sa_clear(&p3);
	for (i = 0; i < 250 && (nexp_soft == 0 || nexp_hard == 0); i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(nexp_hard, 1);
	CHECK(nexp_soft >= 1);
	CHECK_EQ(dp_sa_counters(dp, 0x300, true, &c), -1);	/* removed */
	CHECK_EQ(dp_sa_counters(dp, 0x400, false, &c), 0);	/* soft only */
	CHECK_EQ(dp_sa_del(dp, 0x400, false), 0);
	CHECK_EQ(dp_sa_del(dp, 0x400, false), -1);
}

/* Transport mode (L2TP/IPsec): inbound UDP/1701 gets an IPv4 header
 * from the outer addresses and reaches a local socket; dp_send_to_client
 * on a transport SA sends only the payload after the IP header. */
static void
transport_mode(void)
{
	struct dp_sa	 in, out;
	struct esp_sa	 pin, pout;
	uint8_t		 seg[64], esp[2048], buf[2048], ip[128], nh;
	size_t		 olen, n;
	ssize_t		 r;
	uint64_t	 seq;
	int		 l2tp;

	if (!have_ns)
		SKIP(NO_NS);
	CHECK_EQ(system("sysctl -qw net.ipv4.conf.all.rp_filter=0 "
	    "net.ipv4.conf.rgt0.rp_filter=0"), 0);
	l2tp = udp_sock("10.1.0.1", 1701);
	CHECK(l2tp != -1);
	mksa(&in, 0x500, true, 3, 0x55);
	mksa(&out, 0x600, false, 3, 0x66);
	in.mode = out.mode = DP_MODE_TRANSPORT;
	sin4(&in.local, "10.1.0.1", 4500);
	sin4(&in.peer, "203.0.113.9", 4500);	/* not local: no martian */
	sin4(&out.local, "10.1.0.1", 4500);
	/* selectors as an L2TP client's: its address and ours, UDP/1701 */
	ts4(&in.ts_remote[0], "203.0.113.9", "203.0.113.9");
	ts4(&in.ts_local[0], "10.1.0.1", "10.1.0.1");
	in.ts_remote[0].proto = in.ts_local[0].proto = 17;
	in.ts_remote[0].port_lo = in.ts_remote[0].port_hi = 1701;
	in.ts_local[0].port_lo = in.ts_local[0].port_hi = 1701;
	out.ts_local[0] = in.ts_local[0];
	out.ts_remote[0] = in.ts_remote[0];
	CHECK_EQ(dp_sa_add(dp, &in), 0);
	CHECK_EQ(dp_sa_add(dp, &out), 0);
	in.inbound = false;
	out.inbound = true;
	CHECK_EQ(esp_sa_init(&pout, &in), 0);
	CHECK_EQ(esp_sa_init(&pin, &out), 0);

	/* UDP 1701 -> 1701 "l2tp", checksum 0 */
	memset(seg, 0, 8);
	rg_put_u16(seg, 1701);
	rg_put_u16(seg + 2, 1701);
	rg_put_u16(seg + 4, 12);
	memcpy(seg + 8, "l2tp", 4);
	CHECK_EQ(esp_encrypt(&pout, 17, seg, 12, esp, sizeof(esp), &n), 0);
	feed(esp, n);
	r = recv_wait(l2tp, buf, sizeof(buf), 1000);
	CHECK_EQ(r, 4);
	CHECK_MEM(buf, "l2tp", 4);
	/* another port is outside the selectors: dropped */
	rg_put_u16(seg, 1702);
	CHECK_EQ(esp_encrypt(&pout, 17, seg, 12, esp, sizeof(esp), &n), 0);
	feed(esp, n);
	CHECK_EQ(recv_wait(l2tp, buf, sizeof(buf), 200), -1);

	n = mk_udp(ip, "10.1.0.1", 1701, "127.0.0.2", 1701, "back");
	CHECK_EQ(dp_send_to_client(dp, 3, ip, n), 0);
	r = recv_wait(peer_fd, esp, sizeof(esp), 1000);
	CHECK(r > 0);
	if (r > 0) {
		CHECK_EQ(rg_get_u32(esp), 0x600);
		CHECK_EQ(esp_decrypt(&pin, esp, (size_t)r, buf, sizeof(buf),
		    &olen, &nh, &seq), 0);
		CHECK_EQ(nh, 17);
		CHECK_EQ(olen, n - 20);		/* no IP header inside */
		CHECK_MEM(buf, ip + 20, olen);
	}
	CHECK_EQ(dp_sa_del(dp, 0x500, true), 0);
	CHECK_EQ(dp_sa_del(dp, 0x600, false), 0);
	esp_sa_clear(&pin);
	esp_sa_clear(&pout);
	close(l2tp);
}

/* RFC 2983 uniform model on encapsulation: the outer header carries the
 * inner DSCP (ECN bits not copied, RFC 6040 compatibility mode). */
static void
dscp_copied(void)
{
	union {
		struct cmsghdr	 c;
		uint8_t		 b[64];
	}		 cm;
	struct sockaddr_in to = { .sin_family = AF_INET,
			    .sin_port = htons(5555) };
	struct msghdr	 m;
	struct iovec	 iov;
	struct cmsghdr	*c;
	uint8_t		 esp[2048];
	int		 one = 1, tos = 0xb8 | 0x01, got = -1, i;

	if (!have_ns)
		SKIP(NO_NS);
	CHECK_EQ(setsockopt(peer_fd, IPPROTO_IP, IP_RECVTOS, &one,
	    sizeof(one)), 0);
	CHECK_EQ(setsockopt(lan_fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
	inet_pton(AF_INET, "198.18.0.1", &to.sin_addr);
	CHECK_EQ(sendto(lan_fd, "ef", 2, 0, (struct sockaddr *)&to,
	    sizeof(to)), 2);
	for (i = 0; i < 100 && got == -1; i++) {
		rg_loop_once(loop, 10);
		memset(&m, 0, sizeof(m));
		iov.iov_base = esp;
		iov.iov_len = sizeof(esp);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cm.b;
		m.msg_controllen = sizeof(cm.b);
		if (recvmsg(peer_fd, &m, 0) < 0)
			continue;
		got = 0;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_TOS)
				got = *(uint8_t *)CMSG_DATA(c);
	}
	CHECK_EQ(got, 0xb8);		/* EF kept, ECN bits not copied */
	tos = 0;
	setsockopt(lan_fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

/* Live heap bytes (ASan's allocator when present, else glibc's). */
static size_t
heap_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * Memory per CHILD_SA (an inbound and an outbound SA, AES-GCM-128, one
 * selector each way, as a road warrior has): everything the data plane
 * allocates for it, our structs and OpenSSL's contexts.  The IKEv2
 * bench counts it in ikev2_bytes_per_sa (target ~6 KB with the IKE_SA).
 */
#define MEM_N		256
#define MEM_MAX_B	3300
static void
memory_per_child_sa(void)
{
	struct dp_sa	 d;
	size_t		 before, after, per;
	uint32_t	 i;
	int		 ok = 1;

	if (!have_ns)
		SKIP(NO_NS);
	before = heap_bytes();
	for (i = 0; i < MEM_N && ok; i++) {
		mksa(&d, 0x10000 + i, true, 100 + i, 0x33);
		ok = dp_sa_add(dp, &d) == 0;
		mksa(&d, 0x20000 + i, false, 100 + i, 0x44);
		ok = ok && dp_sa_add(dp, &d) == 0;
	}
	CHECK(ok);
	after = heap_bytes();
	per = after > before ? (after - before) / MEM_N : 0;
	printf("  memory per CHILD_SA: %zu bytes (2 SAs)\n", per);
	CHECK(per > 0 && per <= MEM_MAX_B);
	for (i = 0; i < MEM_N; i++) {
		dp_sa_del(dp, 0x10000 + i, true);
		dp_sa_del(dp, 0x20000 + i, false);
	}
}

static void
teardown(void)
{
	if (dp != NULL)
		dp_free(dp);
	if (loop != NULL)
		rg_loop_free(loop);
	esp_sa_clear(&peer_out);
	esp_sa_clear(&peer_in);
	if (encap_fd != -1)
		close(encap_fd);
	if (peer_fd != -1)
		close(peer_fd);
	if (lan_fd != -1)
		close(lan_fd);
}

RG_TEST_MAIN("dp_user", FIXTURE(setup), T(both_ways), T(drops_counted),
    T(dhcp_inform_diverted), T(send_to_client), T(lifetimes), T(transport_mode),
    T(dscp_copied), T(memory_per_child_sa), FIXTURE(teardown))
