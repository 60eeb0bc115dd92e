/*
 * test_dp_xfrm.c: the XFRM backend's netlink messages (server/dp_xfrm.c),
 * built for an SA or policy, serialised by libnl and parsed back with
 * libnl's own XFRM parsers (the kernel's wire format, linux/xfrm.h), so a
 * field we set wrongly or not at all shows up as a mismatch.  And the
 * DHCPINFORM capture and answer path (dp_xfrm_dhcp.c) on loopback in a
 * private network namespace (root); end to end with kernel ESP it runs in
 * the VM bed (tests/integration/dp_xfrm_vm.sh).
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include "dp_xfrm.h"
#include "rg_buf.h"
#include "rg_test.h"

/* libnl 3.7's xfrmnl_sp_parse() keeps an extra reference on the two
 * selector addresses it builds; only this test parses policies. */
const char	*__lsan_default_suppressions(void);
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";	/* libnl has no frame pointers */
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:xfrmnl_sp_parse\n";
}

static void
v4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static void
ts4(struct dp_ts *t, const char *lo, const char *hi, uint8_t proto,
    uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	inet_pton(AF_INET, lo, t->addr_lo);
	inet_pton(AF_INET, hi, t->addr_hi);
	t->proto = proto;
	t->port_lo = proto ? port : 0;
	t->port_hi = proto ? port : 0xffff;
}

static uint32_t	 last_wire_spi;

static struct xfrmnl_sa *
roundtrip_sa(struct xfrmnl_sa *sa)
{
	struct nl_msg		*msg = NULL;
	struct xfrmnl_sa	*back = NULL;

	CHECK_EQ(xfrmnl_sa_build_add_request(sa, 0, &msg), 0);
	if (msg == NULL)
		return NULL;
	CHECK_EQ(nlmsg_hdr(msg)->nlmsg_type, XFRM_MSG_NEWSA);
	/* the wire: struct xfrm_usersa_info's id.spi is big-endian */
	{
		struct xfrm_usersa_info	 ui;

		memcpy(&ui, nlmsg_data(nlmsg_hdr(msg)), sizeof(ui));
		CHECK_EQ(ntohl(ui.id.spi), (uint32_t)xfrmnl_sa_get_spi(sa));
		last_wire_spi = ntohl(ui.id.spi);
	}
	CHECK_EQ(xfrmnl_sa_parse(nlmsg_hdr(msg), &back), 0);
	nlmsg_free(msg);
	return back;
}

static void
addr_is(struct nl_addr *a, const char *ip)
{
	uint8_t	 want[4];

	inet_pton(AF_INET, ip, want);
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK_EQ(nl_addr_get_family(a), AF_INET);
		CHECK_MEM(nl_addr_get_binary_addr(a), want, 4);
	}
}

/* Road warrior, inbound: AES-GCM-16 (RFC 4106), UDP-encapsulated, ESN. */
static void
sa_gcm_encap_esn(void)
{
	struct dp_sa		 d;
	struct xfrmnl_sa	*sa, *b;
	struct xfrmnl_ltime_cfg	*lt;
	struct nl_addr		*oa = NULL;
	unsigned		 klen = 0, icv = 0, type = 0, sp = 0, dpt = 0;
	unsigned		 os, s, oh, sh, win = 0, bl = 0, bmp[64];
	char			 name[64] = "", key[64];
	size_t			 i;

	memset(&d, 0, sizeof(d));
	d.spi = 0xc1a0b0c0;
	d.inbound = true;
	d.reqid = 77;
	d.mode = DP_MODE_TUNNEL;
	v4(&d.local, "192.0.2.1", 4500);
	v4(&d.peer, "203.0.113.7", 31337);
	d.encap = true;
	d.encr = DP_ENCR_AES_GCM_16;
	d.encr_key_len = 36;
	for (i = 0; i < 36; i++)
		d.encr_key[i] = (uint8_t)i;
	d.esn = true;
	d.replay_window = 2048;
	d.soft_bytes = 1000000;
	d.hard_bytes = 2000000;
	d.soft_time_s = 3000;
	d.hard_time_s = 3600;
	sa = dp_xfrm_sa_build(&d);
	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	b = roundtrip_sa(sa);
	xfrmnl_sa_put(sa);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_EQ(last_wire_spi, 0xc1a0b0c0);	/* as ESP will carry it */
	CHECK_EQ((uint32_t)xfrmnl_sa_get_spi(b), 0xc1a0b0c0);
	CHECK_EQ(xfrmnl_sa_get_proto(b), IPPROTO_ESP);
	CHECK_EQ(xfrmnl_sa_get_mode(b), XFRM_MODE_TUNNEL);
	CHECK_EQ(xfrmnl_sa_get_reqid(b), 77);
	CHECK_EQ(xfrmnl_sa_get_family(b), AF_INET);
	addr_is(xfrmnl_sa_get_saddr(b), "203.0.113.7");	/* peer -> us */
	addr_is(xfrmnl_sa_get_daddr(b), "192.0.2.1");
	CHECK(xfrmnl_sa_get_flags(b) & XFRM_STATE_ESN);
	CHECK_EQ(xfrmnl_sa_get_aead_params(b, name, &klen, &icv, key), 0);
	CHECK_STR(name, "rfc4106(gcm(aes))");
	CHECK_EQ(klen, 36 * 8);			/* key + 4-byte salt */
	CHECK_EQ(icv, 128);
	CHECK_MEM(key, d.encr_key, 36);
	CHECK_EQ(xfrmnl_sa_get_encap_tmpl(b, &type, &sp, &dpt, &oa), 0);
	CHECK_EQ(type, 2);			/* UDP_ENCAP_ESPINUDP */
	CHECK_EQ(sp, 31337);
	CHECK_EQ(dpt, 4500);
	nl_addr_put(oa);
	CHECK_EQ(xfrmnl_sa_get_replay_state_esn(b, &os, &s, &oh, &sh, &win,
	    &bl, bmp), 0);
	CHECK_EQ(win, 2048);
	CHECK_EQ(bl, 64);
	lt = xfrmnl_sa_get_lifetime_cfg(b);
	CHECK(lt != NULL);
	if (lt != NULL) {
		CHECK_EQ(xfrmnl_ltime_cfg_get_soft_bytelimit(lt), 1000000);
		CHECK_EQ(xfrmnl_ltime_cfg_get_hard_bytelimit(lt), 2000000);
		CHECK_EQ(xfrmnl_ltime_cfg_get_soft_addexpires(lt), 3000);
		CHECK_EQ(xfrmnl_ltime_cfg_get_hard_addexpires(lt), 3600);
		CHECK(xfrmnl_ltime_cfg_get_soft_packetlimit(lt) == XFRM_INF);
	}
	xfrmnl_sa_put(b);
}

/* L2TP/IPsec, outbound: AES-CBC + HMAC-SHA2-256-128 transport mode,
 * selector = the UDP/1701 traffic selectors, no lifetimes = infinite. */
static void
sa_cbc_transport(void)
{
	struct dp_sa		 d;
	struct xfrmnl_sa	*sa, *b;
	struct xfrmnl_sel	*sel;
	struct xfrmnl_ltime_cfg	*lt;
	unsigned		 klen = 0, tr = 0;
	char			 name[64] = "", key[64];

	memset(&d, 0, sizeof(d));
	d.spi = 0x1234;
	d.reqid = 9;
	d.mode = DP_MODE_TRANSPORT;
	v4(&d.local, "192.0.2.1", 500);
	v4(&d.peer, "192.0.2.2", 500);
	d.encr = DP_ENCR_AES_CBC;
	d.encr_key_len = 16;
	d.integ = DP_INTEG_HMAC_SHA2_256_128;
	d.integ_key_len = 32;
	memset(d.integ_key, 0xab, 32);
	ts4(&d.ts_local[0], "192.0.2.1", "192.0.2.1", 17, 1701);
	ts4(&d.ts_remote[0], "192.0.2.2", "192.0.2.2", 17, 1701);
	d.nts_local = d.nts_remote = 1;
	sa = dp_xfrm_sa_build(&d);
	CHECK(sa != NULL);
	if (sa == NULL)
		return;
	b = roundtrip_sa(sa);
	xfrmnl_sa_put(sa);
	if (b == NULL)
		return;
	CHECK_EQ(xfrmnl_sa_get_mode(b), XFRM_MODE_TRANSPORT);
	addr_is(xfrmnl_sa_get_saddr(b), "192.0.2.1");	/* us -> peer */
	addr_is(xfrmnl_sa_get_daddr(b), "192.0.2.2");
	CHECK_EQ(xfrmnl_sa_get_crypto_params(b, name, &klen, key), 0);
	CHECK_STR(name, "cbc(aes)");
	CHECK_EQ(klen, 128);
	CHECK_EQ(xfrmnl_sa_get_auth_params(b, name, &klen, &tr, key), 0);
	CHECK_STR(name, "hmac(sha256)");
	CHECK_EQ(klen, 256);
	CHECK_EQ(tr, 128);			/* RFC 4868 truncation */
	CHECK_MEM(key, d.integ_key, 32);
	CHECK(!(xfrmnl_sa_get_flags(b) & XFRM_STATE_ESN));
	sel = xfrmnl_sa_get_sel(b);
	CHECK(sel != NULL);
	if (sel != NULL) {
		CHECK_EQ(xfrmnl_sel_get_proto(sel), 17);
		CHECK_EQ(xfrmnl_sel_get_sport(sel), 1701);
		CHECK_EQ(xfrmnl_sel_get_dport(sel), 1701);
		CHECK_EQ(xfrmnl_sel_get_prefixlen_s(sel), 32);
		addr_is(xfrmnl_sel_get_daddr(sel), "192.0.2.2");
	}
	lt = xfrmnl_sa_get_lifetime_cfg(b);
	if (lt != NULL)
		CHECK(xfrmnl_ltime_cfg_get_hard_bytelimit(lt) == XFRM_INF);
	xfrmnl_sa_put(b);
}

static void
sa_refuses(void)
{
	struct dp_sa	 d;

	memset(&d, 0, sizeof(d));
	v4(&d.local, "192.0.2.1", 0);
	v4(&d.peer, "192.0.2.2", 0);
	d.encr = DP_ENCR_AES_GCM_16;
	d.encr_key_len = 20;
	d.integ = DP_INTEG_HMAC_SHA1_96;	/* AEAD + HMAC */
	CHECK(dp_xfrm_sa_build(&d) == NULL);
	d.encr = DP_ENCR_AES_CBC;
	d.integ = DP_INTEG_NONE;		/* CBC without integrity */
	CHECK(dp_xfrm_sa_build(&d) == NULL);
}

/* Tunnel-mode policies: vip/32 <-> LAN/24, template = outer addresses. */
static void
policy_roundtrip(void)
{
	struct dp_sa		 d;
	struct xfrmnl_sp	*sp, *b = NULL;
	struct xfrmnl_sel	*sel;
	struct xfrmnl_user_tmpl	*t;
	struct nl_msg		*msg = NULL;

	memset(&d, 0, sizeof(d));
	d.spi = 0x5555;
	d.reqid = 42;
	d.mode = DP_MODE_TUNNEL;
	v4(&d.local, "192.0.2.1", 4500);
	v4(&d.peer, "203.0.113.7", 4500);
	ts4(&d.ts_local[0], "198.51.100.0", "198.51.100.255", 0, 0);
	ts4(&d.ts_remote[0], "198.18.0.9", "198.18.0.9", 0, 0);
	d.nts_local = d.nts_remote = 1;
	sp = dp_xfrm_sp_build(&d, XFRM_POLICY_OUT, &d.ts_local[0],
	    &d.ts_remote[0]);
	CHECK(sp != NULL);
	if (sp == NULL)
		return;
	CHECK_EQ(xfrmnl_sp_build_add_request(sp, 0, &msg), 0);
	xfrmnl_sp_put(sp);
	if (msg == NULL)
		return;
	CHECK_EQ(nlmsg_hdr(msg)->nlmsg_type, XFRM_MSG_NEWPOLICY);
	CHECK_EQ(xfrmnl_sp_parse(nlmsg_hdr(msg), &b), 0);
	nlmsg_free(msg);
	if (b == NULL)
		return;
	CHECK_EQ(xfrmnl_sp_get_dir(b), XFRM_POLICY_OUT);
	CHECK_EQ(xfrmnl_sp_get_action(b), XFRM_POLICY_ALLOW);
	sel = xfrmnl_sp_get_sel(b);
	CHECK(sel != NULL);
	if (sel != NULL) {
		CHECK_EQ(xfrmnl_sel_get_prefixlen_s(sel), 24);
		CHECK_EQ(xfrmnl_sel_get_prefixlen_d(sel), 32);
		addr_is(xfrmnl_sel_get_saddr(sel), "198.51.100.0");
		addr_is(xfrmnl_sel_get_daddr(sel), "198.18.0.9");
	}
	CHECK_EQ(xfrmnl_sp_get_nusertemplates(b), 1);
	t = xfrmnl_sp_usertemplate_n(b, 0);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_EQ(xfrmnl_user_tmpl_get_reqid(t), 42);
		CHECK_EQ(xfrmnl_user_tmpl_get_proto(t), IPPROTO_ESP);
		CHECK_EQ(xfrmnl_user_tmpl_get_mode(t), XFRM_MODE_TUNNEL);
		addr_is(xfrmnl_user_tmpl_get_saddr(t), "192.0.2.1");
		addr_is(xfrmnl_user_tmpl_get_daddr(t), "203.0.113.7");
	}
	xfrmnl_sp_put(b);
}

static int
udp4(const char *ip, uint16_t port)
{
	struct sockaddr_storage	 ss;
	int			 fd;

	v4(&ss, ip, port);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The capture keeps incoming IPv4/UDP 68 -> 67 only; an answer written as
 * a whole IPv4 packet reaches its destination. */
static void
dhcp_capture(void)
{
	struct sockaddr_storage	 to;
	struct sockaddr_in	 from;
	socklen_t		 sl;
	const uint8_t		*src;
	uint8_t			 buf[2048], ip[64];
	ssize_t			 n;
	int			 cap, c68, c69, s67, raw = -1, i, seen = 0, kept = 0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1)
		SKIP("needs root and unshare(CLONE_NEWNET)");
	CHECK_EQ(system("ip link set lo up"), 0);
	cap = dp_xfrm_dhcp_open();
	CHECK(cap != -1);
	c68 = udp4("127.0.0.1", 68);
	c69 = udp4("127.0.0.1", 69);
	s67 = udp4("127.0.0.1", 67);
	CHECK(c68 != -1 && c69 != -1 && s67 != -1);
	if (cap == -1 || c68 == -1 || c69 == -1 || s67 == -1)
		return;
	v4(&to, "127.0.0.1", 67);
	CHECK_EQ(sendto(c69, "not dhcp", 8, 0, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 8);		/* 69 -> 67 */
	v4(&to, "127.0.0.1", 68);
	CHECK_EQ(sendto(c69, "not dhcp", 8, 0, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 8);		/* 69 -> 68 */
	v4(&to, "127.0.0.1", 67);
	CHECK_EQ(sendto(c68, "DHCPINFORM", 10, 0, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 10);		/* 68 -> 67 */
	for (i = 0; i < 50; i++) {
		sl = sizeof(from);
		if ((n = recvfrom(cap, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &sl)) < 0) {
			usleep(10000);
			continue;
		}
		seen++;	/* the filter keeps 68 -> 67 only */
		if (dp_xfrm_dhcp_check(buf, (size_t)n, PACKET_HOST,
		    &src) == 0) {
			kept++;
			CHECK_MEM(src, "\x7f\x00\x00\x01", 4);
			CHECK_MEM(buf + 28, "DHCPINFORM", 10);
		}
	}
	CHECK_EQ(seen, 1);
	CHECK_EQ(kept, 1);
	CHECK_EQ(recv(c68, buf, sizeof(buf), 0), 8);	/* the 69 -> 68 one */
	CHECK_EQ(dp_xfrm_dhcp_check(buf, 27, PACKET_HOST, &src), -1);

	/* the answer: IPv4/UDP 67 -> 68 (UDP checksum 0), header ours */
	memset(ip, 0, 28);
	ip[0] = 0x45;
	rg_put_u16(ip + 2, 28 + 7);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "127.0.0.1", ip + 12);
	inet_pton(AF_INET, "127.0.0.1", ip + 16);
	rg_put_u16(ip + 20, 67);
	rg_put_u16(ip + 22, 68);
	rg_put_u16(ip + 24, 8 + 7);
	memcpy(ip + 28, "DHCPACK", 7);
	CHECK_EQ(dp_xfrm_dhcp_send(&raw, ip, 35), 0);
	CHECK_EQ(dp_xfrm_dhcp_send(&raw, ip, 30), -1);	/* length lies */
	for (i = 0, n = -1; i < 100 && n < 0; i++)
		if ((n = recv(c68, buf, sizeof(buf), 0)) < 0)
			usleep(10000);
	CHECK_EQ(n, 7);
	CHECK_MEM(buf, "DHCPACK", 7);
	close(raw);
	close(cap);
	close(c68);
	close(c69);
	close(s67);
}

/*
 * Security review defect 9: the capture sees only what passed the
 * kernel's inbound IPsec policy check.  An inbound policy for
 * 127.0.0.2 -> any, UDP 68 -> 67, requires ESP (as ours do for a vip): a
 * cleartext request with that source must never be captured (a packet
 * socket saw it, and it was answered); one from 127.0.0.1 (no policy)
 * is.
 */
static void
dhcp_capture_policy(void)
{
	struct sockaddr_storage	 to;
	uint8_t			 buf[2048];
	const uint8_t		*src;
	ssize_t			 n;
	int			 cap, c1, c2, i, kept = 0, spoofed = 0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1 ||
	    system("ip link set lo up") != 0) {
		printf("SKIP dp_xfrm.dhcp_capture_policy: needs root\n");
		return;
	}
	/* Loopback skips IPsec policy by default (disable_policy=1); this
	 * private namespace turns that off so lo behaves like the outer
	 * interface a client's packets come in on. */
	CHECK_EQ(system("sysctl -qw net.ipv4.conf.lo.disable_policy=0 "
	    "net.ipv4.conf.lo.disable_xfrm=0"), 0);
	CHECK_EQ(system("ip xfrm policy add src 127.0.0.2/32 dst 0.0.0.0/0 "
	    "proto udp sport 68 dport 67 dir in tmpl src 192.0.2.9 "
	    "dst 127.0.0.1 proto esp mode tunnel"), 0);
	cap = dp_xfrm_dhcp_open();
	c1 = udp4("127.0.0.1", 68);
	c2 = udp4("127.0.0.2", 68);
	CHECK(cap != -1 && c1 != -1 && c2 != -1);
	if (cap == -1 || c1 == -1 || c2 == -1)
		return;
	v4(&to, "127.0.0.1", 67);
	CHECK_EQ(sendto(c2, "SPOOFED", 7, 0, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 7);
	CHECK_EQ(sendto(c1, "DHCPINFORM", 10, 0, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 10);
	for (i = 0; i < 50; i++) {
		if ((n = recv(cap, buf, sizeof(buf), 0)) < 0) {
			usleep(10000);
			continue;
		}
		if (dp_xfrm_dhcp_check(buf, (size_t)n, PACKET_HOST,
		    &src) != 0)
			continue;
		if (memcmp(src, "\x7f\x00\x00\x02", 4) == 0)
			spoofed++;
		else
			kept++;
	}
	CHECK_EQ(kept, 1);
	CHECK_EQ(spoofed, 0);
	close(cap);
	close(c1);
	close(c2);
}

RG_TEST_MAIN("dp_xfrm", T(sa_gcm_encap_esn), T(sa_cbc_transport),
    T(sa_refuses), T(policy_roundtrip), T(dhcp_capture),
    T(dhcp_capture_policy))
