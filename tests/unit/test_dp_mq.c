/*
 * test_dp_mq.c: the userspace data plane with worker threads
 * (server/dp_user_mq.c, dp_steer.c) in a private network namespace
 * (unshare(CLONE_NEWNET); needs root).
 *
 * Two workers, four road warriors whose inbound SPIs and vips alternate
 * between them.  The test's own UDP socket on 127.0.0.1:4500 plays the
 * IKE socket (SO_REUSEPORT, as ike_sock.c binds it); the peers send from
 * 127.0.0.2:4500 through the real kernel, so what is checked is the
 * steering itself: every ESP-in-UDP packet reaches the worker owning its
 * SPI, every packet routed into the TUN device the worker owning its
 * vip, with nothing handed between threads; IKE messages and NAT
 * keepalives reach the IKE socket only; the paths that must copy (ESP
 * the loop thread read, raw ESP, which one worker reads) hand packets to
 * the owner's ring; DHCPINFORM comes back to the loop thread; SAs added,
 * moved and deleted by message while traffic flows (ASan/UBSan watch
 * the threads; leaks fail).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp.h"
#include "dp_int.h"
#include "dp_pkt.h"
#include "dp_user.h"
#include "esp.h"
#include "rg_buf.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "rg_test.h"
#include "dp_test_lib.h"

#define NCLI	4

static struct rg_loop	*loop;
static struct dp	*dp;
static struct dp_backend *be;
static struct esp_sa	 peer_out[NCLI + 4], peer_in[NCLI + 4];
static int		 ike_fd = -1, peer_fd = -1, lan_fd = -1;
static bool		 have_ns;	/* setup made our network namespace */
#define NO_NS	"needs root and unshare(CLONE_NEWNET)"
static int		 ndhcp;
static uint32_t		 dhcp_reqid;

static void
on_dhcp(void *arg, uint16_t port, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	(void)arg;
	(void)port;
	(void)pkt;
	if (len >= 28) {
		ndhcp++;
		dhcp_reqid = reqid;
	}
}

static void
pump(int ms)
{
	int	 i;

	for (i = 0; i < ms / 10; i++)
		rg_loop_once(loop, 10);
}

static ssize_t
recv_wait(int fd, uint8_t *buf, size_t cap, int ms)
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < ms / 10; i++) {
		if ((n = recv(fd, buf, cap, MSG_DONTWAIT)) >= 0)
			return n;
		rg_loop_once(loop, 10);
	}
	return -1;
}

static const char *
vip(int i)
{
	static const char *v[] = { "198.18.0.1", "198.18.0.2", "198.18.0.3",
	    "198.18.0.4", "198.18.0.5", "198.18.0.6" };

	return v[i];
}

/* Client i: inbound SPI 0x1000 + i (worker i % 2), outbound 0x2000 + i
 * to vip 198.18.0.(i + 1) (worker (i + 1) % 2), reqid i + 1. */
static void
add_client(int i, bool encap, uint32_t spi_in, uint32_t spi_out)
{
	struct dp_sa	 in, out;

	mksa(&in, spi_in, true, (uint32_t)i + 1, (uint8_t)(0x10 + i));
	mksa(&out, spi_out, false, (uint32_t)i + 1, (uint8_t)(0x20 + i));
	ts4(&in.ts_remote[0], vip(i), vip(i));
	ts4(&out.ts_remote[0], vip(i), vip(i));
	if (!encap) {
		in.encap = out.encap = false;
		sin4(&in.peer, "127.0.0.2", 0);
		sin4(&out.peer, "127.0.0.2", 0);
	}
	CHECK_EQ(dp_sa_add(dp, &in), 0);
	CHECK_EQ(dp_sa_add(dp, &out), 0);
	esp_sa_clear(&peer_out[i]);
	esp_sa_clear(&peer_in[i]);
	in.inbound = false;
	CHECK_EQ(esp_sa_init(&peer_out[i], &in), 0);
	out.inbound = true;
	CHECK_EQ(esp_sa_init(&peer_in[i], &out), 0);
}

static void
setup(void)
{
	struct dp_events	 ev = { .udp_input = on_dhcp,
				       .udp = { { 67, 68 } }, .nudp = 1 };
	struct sockaddr_storage	 ss;
	struct rg_prefix	 pool;
	int			 i, on = 1, rc;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1)
		return;
	rc = system("ip link set lo up && ip addr add 10.1.0.1/32 dev lo");
	CHECK_EQ(rc, 0);
	if (rc != 0)
		return;
	rg_log_open(true, false, RG_L_WARN);
	loop = rg_loop_new(0);
	dp = dp_new(loop, "userspace", "rgq0", 2, &ev);
	CHECK(dp != NULL);
	if (dp == NULL)
		return;
	be = dp_backend_of(dp);
	CHECK_EQ(dp_user_nworkers(be), 2);
	CHECK(dp_encap_shared(dp));
	/* the IKE socket, bound as ike_sock.c binds it */
	ike_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	setsockopt(ike_fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
	sin4(&ss, "127.0.0.1", 4500);
	CHECK_EQ(bind(ike_fd, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), 0);
	peer_fd = udp_sock("127.0.0.2", 4500);
	lan_fd = udp_sock("10.1.0.1", 7777);
	CHECK(ike_fd != -1 && peer_fd != -1 && lan_fd != -1);
	dp_set_encap_socket(dp, AF_INET, ike_fd);
	for (i = 0; i < NCLI; i++)
		add_client(i, true, 0x1000 + (uint32_t)i, 0x2000 + (uint32_t)i);
	CHECK_EQ(rg_prefix_parse("198.18.0.0/24", &pool), 0);
	CHECK_EQ(dp_route_add(dp, &pool), 0);
	have_ns = true;
}

static void
to_4500(const uint8_t *p, size_t len)
{
	struct sockaddr_storage	 ss;

	sin4(&ss, "127.0.0.1", 4500);
	CHECK_EQ(sendto(peer_fd, p, len, 0, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), (ssize_t)len);
}

/* Count what reaches the LAN socket within ms, up to want. */
static int
lan_count(int want, int ms)
{
	uint8_t	 buf[2048];
	int	 got = 0, i;

	for (i = 0; i < ms / 10 && got < want; i++) {
		while (got < want && recv(lan_fd, buf, sizeof(buf),
		    MSG_DONTWAIT) >= 0)
			got++;
		if (got < want)
			rg_loop_once(loop, 10);
	}
	return got;
}

static void
udp_steered_by_spi(void)
{
	struct dpu_stats	 w0, w1, a0, a1, all;
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048], buf[64];
	size_t			 n;
	int			 i, k;

	if (!have_ns)
		SKIP(NO_NS);
	dp_user_stats(be, 0, &w0);
	dp_user_stats(be, 1, &w1);
	for (k = 0; k < 20; k++)
		for (i = 0; i < NCLI; i++) {
			n = mk_udp(inner, vip(i), 5555, "10.1.0.1", 7777, "up");
			to_4500(esp, seal(&peer_out[i], inner, n, esp));
		}
	CHECK_EQ(lan_count(20 * NCLI, 3000), 20 * NCLI);
	for (i = 0; i < NCLI; i++) {
		CHECK_EQ(dp_sa_counters(dp, 0x1000 + (uint32_t)i, true, &c), 0);
		CHECK_EQ(c.packets, 20);
	}
	dp_user_stats(be, 0, &a0);
	dp_user_stats(be, 1, &a1);
	dp_user_stats(be, -1, &all);
	/* SPIs 0x1000, 0x1002 on worker 0; 0x1001, 0x1003 on worker 1 */
	CHECK_EQ(a0.packets - w0.packets, 40);
	CHECK_EQ(a1.packets - w1.packets, 40);
	CHECK_EQ(all.handed, 0);
	CHECK_EQ(all.no_sa_in, 0);
	CHECK_EQ(recv(ike_fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
}

static void
ike_and_keepalive_reach_ike(void)
{
	struct dpu_stats	 before, after;
	uint8_t			 ike[40], buf[64];
	ssize_t			 r;
	int			 got = 0, i;

	if (!have_ns)
		SKIP(NO_NS);
	dp_user_stats(be, -1, &before);
	memset(ike, 0, sizeof(ike));
	memcpy(ike + 4, "IKE_SA_INIT-ish", 15);
	for (i = 0; i < 8; i++) {
		to_4500(ike, sizeof(ike));	/* zero non-ESP marker */
		to_4500((const uint8_t *)"\xff", 1);	/* NAT keepalive */
	}
	for (i = 0; i < 100 && got < 16; i++) {
		while ((r = recv(ike_fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0)
			if ((r == 40 && rg_get_u32(buf) == 0) ||
			    (r == 1 && buf[0] == 0xff))
				got++;
		pump(10);
	}
	CHECK_EQ(got, 16);
	dp_user_stats(be, -1, &after);
	CHECK_EQ(after.no_sa_in, before.no_sa_in);
	CHECK_EQ(after.packets, before.packets);
}

static void
tun_steered_by_vip(void)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET,
				    .sin_port = htons(5555) };
	struct dpu_stats	 w0, w1, a0, a1, all;
	uint8_t			 esp[2048], buf[2048], nh;
	size_t			 olen;
	uint64_t		 seq;
	uint32_t		 spi;
	ssize_t			 r;
	int			 got[NCLI] = { 0 }, total = 0, i, k;

	if (!have_ns)
		SKIP(NO_NS);
	dp_user_stats(be, 0, &w0);
	dp_user_stats(be, 1, &w1);
	for (k = 0; k < 10; k++)
		for (i = 0; i < NCLI; i++) {
			inet_pton(AF_INET, vip(i), &to.sin_addr);
			CHECK_EQ(sendto(lan_fd, "down", 4, 0,
			    (struct sockaddr *)&to, sizeof(to)), 4);
		}
	for (k = 0; k < 300 && total < 10 * NCLI; k++) {
		while ((r = recv(peer_fd, esp, sizeof(esp), MSG_DONTWAIT)) > 0) {
			spi = rg_get_u32(esp);
			if (spi < 0x2000 || spi >= 0x2000 + NCLI)
				continue;
			i = (int)(spi - 0x2000);
			if (esp_decrypt(&peer_in[i], esp, (size_t)r, buf,
			    sizeof(buf), &olen, &nh, &seq) == 0 && olen == 32 &&
			    memcmp(buf + 28, "down", 4) == 0) {
				got[i]++;
				total++;
			}
		}
		pump(10);
	}
	for (i = 0; i < NCLI; i++)
		CHECK_EQ(got[i], 10);
	dp_user_stats(be, 0, &a0);
	dp_user_stats(be, 1, &a1);
	dp_user_stats(be, -1, &all);
	/* vips .2 and .4 on worker 0, .1 and .3 on worker 1 */
	CHECK_EQ(a0.packets - w0.packets, 20);
	CHECK_EQ(a1.packets - w1.packets, 20);
	CHECK_EQ(all.handed, 0);	/* BPF steering agrees with owners */
}

/* ESP the loop thread read (the IKE socket before the workers joined,
 * or no SO_REUSEPORT): copied into the owner's ring. */
static void
loop_thread_esp_handed(void)
{
	struct sockaddr_storage	 from, to;
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048];
	size_t			 n;
	int			 i;

	if (!have_ns)
		SKIP(NO_NS);
	sin4(&from, "127.0.0.2", 4500);
	sin4(&to, "127.0.0.1", 4500);
	for (i = 0; i < NCLI; i++) {
		n = mk_udp(inner, vip(i), 5555, "10.1.0.1", 7777, "via loop");
		dp_udp_input(dp, esp, seal(&peer_out[i], inner, n, esp),
		    (struct sockaddr *)&from, (struct sockaddr *)&to);
	}
	CHECK_EQ(lan_count(NCLI, 2000), NCLI);
	for (i = 0; i < NCLI; i++) {
		CHECK_EQ(dp_sa_counters(dp, 0x1000 + (uint32_t)i, true, &c), 0);
		CHECK_EQ(c.packets, 21);
	}
}

/* Raw ESP: every worker has a raw socket whose BPF filter keeps its own
 * SPIs; client 4's inbound SPI 0x1005 is worker 1's, read there, nothing
 * handed over.  Then IPv6 outer addresses (the IPv6 raw socket's filter
 * sees no IP header): SPI 0x1007, worker 1 again. */
static void
raw_esp_steered(void)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET };
	struct sockaddr_storage	 dst;
	struct dpu_stats	 before, after, w1, a1;
	struct dp_counters	 c;
	struct sockaddr_in6	 d6 = { .sin6_family = AF_INET6 };
	struct dp_sa		 in6;
	struct esp_sa		 p6;
	uint8_t			 inner[256], esp[2048], buf[2048], nh;
	size_t			 n, olen;
	uint64_t		 seq;
	ssize_t			 r;
	int			 raw, raw6, i, ok = 0;

	if (!have_ns)
		SKIP(NO_NS);
	raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP);
	CHECK(raw != -1);
	if (raw == -1)
		return;
	add_client(4, false, 0x1005, 0x2005);
	dp_user_stats(be, -1, &before);
	dp_user_stats(be, 1, &w1);
	sin4(&dst, "127.0.0.1", 0);
	for (i = 0; i < 5; i++) {
		n = mk_udp(inner, vip(4), 5555, "10.1.0.1", 7777, "raw up");
		n = seal(&peer_out[4], inner, n, esp);
		CHECK_EQ(sendto(raw, esp, n, 0, (struct sockaddr *)&dst,
		    sizeof(struct sockaddr_in)), (ssize_t)n);
	}
	CHECK_EQ(lan_count(5, 2000), 5);
	CHECK_EQ(dp_sa_counters(dp, 0x1005, true, &c), 0);
	CHECK_EQ(c.packets, 5);
	dp_user_stats(be, -1, &after);
	dp_user_stats(be, 1, &a1);
	CHECK_EQ(after.handed - before.handed, 0);
	CHECK_EQ(a1.packets - w1.packets, 5);	/* read and decrypted there */
	/* and back, as raw ESP (the vip .5 is worker 1's) */
	to.sin_port = htons(5555);
	inet_pton(AF_INET, vip(4), &to.sin_addr);
	CHECK_EQ(sendto(lan_fd, "raw dn", 6, 0, (struct sockaddr *)&to,
	    sizeof(to)), 6);
	for (i = 0; i < 200 && !ok; i++) {
		while ((r = recv(raw, buf, sizeof(buf), MSG_DONTWAIT)) > 20)
			if (rg_get_u32(buf + 20) == 0x2005 &&
			    esp_decrypt(&peer_in[4], buf + 20, (size_t)r - 20,
			    esp, sizeof(esp), &olen, &nh, &seq) == 0 &&
			    olen == 34 && memcmp(esp + 28, "raw dn", 6) == 0)
				ok = 1;
		pump(10);
	}
	CHECK(ok);
	CHECK_EQ(dp_sa_del(dp, 0x1005, true), 0);
	CHECK_EQ(dp_sa_del(dp, 0x2005, false), 0);
	close(raw);

	raw6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ESP);
	CHECK(raw6 != -1);
	if (raw6 == -1)
		return;
	mksa(&in6, 0x1007, true, 7, 0x77);
	ts4(&in6.ts_remote[0], vip(5), vip(5));
	in6.encap = false;
	memset(&in6.local, 0, sizeof(in6.local));
	memset(&in6.peer, 0, sizeof(in6.peer));
	in6.local.ss_family = in6.peer.ss_family = AF_INET6;
	inet_pton(AF_INET6, "::1",
	    &((struct sockaddr_in6 *)&in6.local)->sin6_addr);
	inet_pton(AF_INET6, "::1",
	    &((struct sockaddr_in6 *)&in6.peer)->sin6_addr);
	CHECK_EQ(dp_sa_add(dp, &in6), 0);
	in6.inbound = false;
	CHECK_EQ(esp_sa_init(&p6, &in6), 0);
	dp_user_stats(be, -1, &before);
	dp_user_stats(be, 1, &w1);
	inet_pton(AF_INET6, "::1", &d6.sin6_addr);
	for (i = 0; i < 4; i++) {
		n = mk_udp(inner, vip(5), 5555, "10.1.0.1", 7777, "raw6");
		n = seal(&p6, inner, n, esp);
		CHECK_EQ(sendto(raw6, esp, n, 0, (struct sockaddr *)&d6,
		    sizeof(d6)), (ssize_t)n);
	}
	CHECK_EQ(lan_count(4, 2000), 4);
	dp_user_stats(be, -1, &after);
	dp_user_stats(be, 1, &a1);
	CHECK_EQ(after.handed - before.handed, 0);
	CHECK_EQ(a1.packets - w1.packets, 4);
	CHECK_EQ(dp_sa_del(dp, 0x1007, true), 0);
	esp_sa_clear(&p6);
	close(raw6);
}

static void
dhcp_back_to_loop(void)
{
	uint8_t		 inner[256], esp[2048];
	size_t		 n;
	int		 i, before = ndhcp;

	if (!have_ns)
		SKIP(NO_NS);
	/* client 1: its inbound SA is worker 1's thread */
	n = mk_udp(inner, vip(1), 68, "255.255.255.255", 67,
	    "DHCPINFORM.....");
	to_4500(esp, seal(&peer_out[1], inner, n, esp));
	for (i = 0; i < 200 && ndhcp == before; i++)
		pump(10);
	CHECK_EQ(ndhcp, before + 1);
	CHECK_EQ(dhcp_reqid, 2);
}

static void
inject_and_move(void)
{
	struct sockaddr_storage	 l, p;
	uint8_t			 ip[128], esp[2048], buf[2048], nh;
	size_t			 n, olen;
	uint64_t		 seq;
	ssize_t			 r;
	int			 moved;

	if (!have_ns)
		SKIP(NO_NS);
	n = mk_udp(ip, "10.1.0.1", 67, vip(2), 68, "DHCPACK");
	CHECK_EQ(dp_send_to_client(dp, 3, ip, n), 0);
	CHECK_EQ(dp_send_to_client(dp, 99, ip, n), -1);
	r = recv_wait(peer_fd, esp, sizeof(esp), 2000);
	CHECK(r > 0);
	if (r > 0) {
		CHECK_EQ(rg_get_u32(esp), 0x2002);
		CHECK_EQ(esp_decrypt(&peer_in[2], esp, (size_t)r, buf,
		    sizeof(buf), &olen, &nh, &seq), 0);
		CHECK_MEM(buf, ip, n);
	}
	/* MOBIKE: client 2 now at 127.0.0.3:4500 */
	moved = udp_sock("127.0.0.3", 4500);
	CHECK(moved != -1);
	sin4(&l, "127.0.0.1", 4500);
	sin4(&p, "127.0.0.3", 4500);
	CHECK_EQ(dp_sa_update_addrs(dp, 3, (struct sockaddr *)&l,
	    (struct sockaddr *)&p, true), 0);
	CHECK_EQ(dp_send_to_client(dp, 3, ip, n), 0);	/* after the move */
	r = recv_wait(moved, esp, sizeof(esp), 2000);
	CHECK(r > 0 && rg_get_u32(esp) == 0x2002);
	close(moved);
}

/* Rekeys while both directions carry traffic: new SAs are added, the
 * peer switches, the old ones are deleted, on both workers. */
static void
rekey_under_load(void)
{
	struct sockaddr_in	 to = { .sin_family = AF_INET,
				    .sin_port = htons(5555) };
	struct dp_counters	 c;
	uint8_t			 inner[256], esp[2048];
	uint32_t		 old_in[NCLI], old_out[NCLI];
	size_t			 n;
	int			 round, i, k, sent = 0;

	if (!have_ns)
		SKIP(NO_NS);
	for (i = 0; i < NCLI; i++) {
		old_in[i] = 0x1000 + (uint32_t)i;
		old_out[i] = 0x2000 + (uint32_t)i;
	}
	for (round = 1; round <= 5; round++) {
		for (i = 0; i < NCLI; i++) {
			uint32_t	 ni = 0x1000 + (uint32_t)(round * 16 + i);
			uint32_t	 no = 0x2000 + (uint32_t)(round * 16 + i);

			for (k = 0; k < 10; k++) {	/* traffic first */
				n = mk_udp(inner, vip(i), 5555, "10.1.0.1",
				    7777, "load");
				to_4500(esp, seal(&peer_out[i], inner, n, esp));
				inet_pton(AF_INET, vip(i), &to.sin_addr);
				sendto(lan_fd, "load", 4, 0,
				    (struct sockaddr *)&to, sizeof(to));
				sent++;
			}
			add_client(i, true, ni, no);
			CHECK_EQ(dp_sa_del(dp, old_in[i], true), 0);
			CHECK_EQ(dp_sa_del(dp, old_out[i], false), 0);
			old_in[i] = ni;
			old_out[i] = no;
		}
		pump(20);
		while (recv(peer_fd, esp, sizeof(esp), MSG_DONTWAIT) > 0)
			;
	}
	/* some of the old SAs' packets may be lost mid-rekey; the new
	 * ones carry everything */
	lan_count(sent, 1000);
	for (i = 0; i < NCLI; i++) {
		n = mk_udp(inner, vip(i), 5555, "10.1.0.1", 7777, "after");
		to_4500(esp, seal(&peer_out[i], inner, n, esp));
	}
	CHECK_EQ(lan_count(NCLI, 2000), NCLI);
	for (i = 0; i < NCLI; i++) {
		CHECK_EQ(dp_sa_counters(dp, old_in[i], true, &c), 0);
		CHECK_EQ(c.packets, 1);
		CHECK_EQ(dp_sa_counters(dp, 0x1000 + (uint32_t)i, true, &c),
		    -1);
	}
}

/* IPv6 vips: the TUN steering program takes the last 32 bits of the
 * IPv6 destination, as dpu_dst_owner() does. */
static void
ipv6_steered(void)
{
	struct sockaddr_in6	 to = { .sin6_family = AF_INET6,
				    .sin6_port = htons(5555) };
	struct dp_sa		 out;
	struct rg_prefix	 p6;
	struct dpu_stats	 w0, w1, a0, a1, all;
	uint8_t			 esp[2048], buf[2048], nh;
	size_t			 olen;
	uint64_t		 seq;
	ssize_t			 r;
	int			 fd6, i, k, got[2] = { 0, 0 };
	static const char	*v6[] = { "fd00:18::1", "fd00:18::2" };

	if (!have_ns)
		SKIP(NO_NS);
	CHECK_EQ(system("ip -6 addr add fd00:1::1/128 dev lo nodad"), 0);
	fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK(fd6 != -1);
	inet_pton(AF_INET6, "fd00:1::1", &to.sin6_addr);
	CHECK_EQ(bind(fd6, (struct sockaddr *)&to, sizeof(to)), 0);
	for (i = 0; i < 2; i++) {	/* outbound SAs 0x4001, 0x4002 */
		mksa(&out, 0x4001 + (uint32_t)i, false, 10 + (uint32_t)i,
		    (uint8_t)(0x60 + i));
		memset(&out.ts_local[0], 0, sizeof(out.ts_local[0]));
		memset(&out.ts_remote[0], 0, sizeof(out.ts_remote[0]));
		out.ts_local[0].af = out.ts_remote[0].af = AF_INET6;
		out.ts_local[0].port_hi = out.ts_remote[0].port_hi = 0xffff;
		inet_pton(AF_INET6, "fd00:1::", out.ts_local[0].addr_lo);
		inet_pton(AF_INET6, "fd00:1::ffff", out.ts_local[0].addr_hi);
		inet_pton(AF_INET6, v6[i], out.ts_remote[0].addr_lo);
		inet_pton(AF_INET6, v6[i], out.ts_remote[0].addr_hi);
		CHECK_EQ(dp_sa_add(dp, &out), 0);
		out.inbound = true;
		CHECK_EQ(esp_sa_init(&peer_in[NCLI + 2 + i], &out), 0);
	}
	CHECK_EQ(rg_prefix_parse("fd00:18::/64", &p6), 0);
	CHECK_EQ(dp_route_add(dp, &p6), 0);
	dp_user_stats(be, 0, &w0);
	dp_user_stats(be, 1, &w1);
	for (k = 0; k < 10; k++)
		for (i = 0; i < 2; i++) {
			inet_pton(AF_INET6, v6[i], &to.sin6_addr);
			CHECK_EQ(sendto(fd6, "six", 3, 0,
			    (struct sockaddr *)&to, sizeof(to)), 3);
		}
	for (k = 0; k < 300 && got[0] + got[1] < 20; k++) {
		while ((r = recv(peer_fd, esp, sizeof(esp), MSG_DONTWAIT)) > 0) {
			i = (int)rg_get_u32(esp) - 0x4001;
			if (i < 0 || i > 1)
				continue;
			if (esp_decrypt(&peer_in[NCLI + 2 + i], esp, (size_t)r,
			    buf, sizeof(buf), &olen, &nh, &seq) == 0 &&
			    nh == 41 && olen == 51)
				got[i]++;
		}
		pump(10);
	}
	CHECK_EQ(got[0], 10);
	CHECK_EQ(got[1], 10);
	dp_user_stats(be, 0, &a0);
	dp_user_stats(be, 1, &a1);
	dp_user_stats(be, -1, &all);
	CHECK_EQ(a1.packets - w1.packets, 10);	/* ::1 */
	CHECK_EQ(a0.packets - w0.packets, 10);	/* ::2 */
	CHECK_EQ(all.handed, 0);
	CHECK_EQ(dp_route_del(dp, &p6), 0);
	CHECK_EQ(dp_sa_del(dp, 0x4001, false), 0);
	CHECK_EQ(dp_sa_del(dp, 0x4002, false), 0);
	close(fd6);
}

static void
teardown(void)
{
	int	 i;

	if (dp != NULL)
		dp_free(dp);	/* joins the workers, frees their SAs */
	for (i = 0; i < NCLI + 4; i++) {
		esp_sa_clear(&peer_out[i]);
		esp_sa_clear(&peer_in[i]);
	}
	if (ike_fd != -1)
		close(ike_fd);
	if (peer_fd != -1)
		close(peer_fd);
	if (lan_fd != -1)
		close(lan_fd);
	if (loop != NULL)
		rg_loop_free(loop);
}

RG_TEST_MAIN("dp_mq",
    FIXTURE(setup), T(udp_steered_by_spi), T(ike_and_keepalive_reach_ike),
    T(tun_steered_by_vip), T(ipv6_steered), T(loop_thread_esp_handed),
    T(raw_esp_steered),
    T(dhcp_back_to_loop), T(inject_and_move), T(rekey_under_load),
    FIXTURE(teardown))
