/*
 * dp-static: the userspace data plane with static SAs, no IKE.  One
 * process is one end of one CHILD_SA: it creates the TUN device (dp_new
 * "userspace"), binds its own UDP socket (port 4500 by default) and hands
 * it to the data plane the way the IKE socket layer does (non-ESP marker
 * and NAT keepalives filtered, RFC 3948 2.2), installs an inbound and an
 * outbound SA from the command line, adds routes, and runs rg_loop until
 * SIGTERM/SIGINT.  Then it prints the SA counters:
 *   COUNTERS in|out spi=<hex> packets=N bytes=N replay=N auth=N other=N
 * SIGUSR1 prints them without stopping.  "READY" once set up.
 *
 *   dp-static --tun rgc0 --local 192.0.2.2 --peer 192.0.2.1 [--raw]
 *     --spi-in 1001 --spi-out 2002 --encr aes128gcm|aes256gcm|chacha|
 *       aes128|aes256|3des|null [--integ sha1|sha256|sha384|sha512]
 *     --key-in HEX --key-out HEX [--ikey-in HEX --ikey-out HEX] [--esn]
 *     --ts-local PFX... --ts-remote PFX... [--route PFX]... [--mss N]
 *     [--port 4500] [--peer-port 4500] [--debug] [--dp userspace|kernel|auto]
 *     [--soft-time S] [--hard-time S] [--soft-bytes N] [--hard-bytes N]
 *     [--threads N]  (data-plane workers; default none: the main loop)
 *     [--dhcp-split PFX]  answer DHCPINFORMs (pool/dhcp_inform.c) with PFX
 *                          as the split route, from its first host; prints
 *                          "DHCP reqid=R answered rc" for each
 * Lifetime events print "EXPIRE reqid=R spi=<hex> in|out soft|hard".
 * --move-local IP --move-peer IP: on SIGUSR2, dp_sa_update_addrs() to these
 * outer addresses (MOBIKE-style), then "MOVED rc".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp_inform.h"
#include "dp.h"
#include "rg_config.h"
#include "rg_log.h"
#include "rg_loop.h"

#define BATCH	64

static struct dp	*dp;
static struct rg_loop	*loop;
static uint32_t		 spi_in, spi_out;
static struct sockaddr_storage	 move_local, move_peer;
static bool		 move_encap;

static void
usage(void)
{
	fprintf(stderr, "usage: dp-static --tun NAME --local IP --peer IP "
	    "--spi-in HEX --spi-out HEX --encr ALG --key-in HEX --key-out HEX "
	    "[--integ ALG --ikey-in HEX --ikey-out HEX] [--raw] [--esn] "
	    "--ts-local PFX --ts-remote PFX [--route PFX] [--mss N]\n"
	    "  [--forwarding] [--masquerade IF|auto] [--proxy-arp IF] "
	    "[--threads N] [--dhcp-split PFX]\n");
	exit(2);
}

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t	 n = 0;

	if (strlen(h) % 2 != 0 || strlen(h) / 2 > cap)
		usage();
	while (h[0] && h[1]) {
		if (sscanf(h, "%2hhx", &out[n++]) != 1)
			usage();
		h += 2;
	}
	return n;
}

static void
ts_from_prefix(const char *s, struct dp_ts *t)
{
	struct rg_prefix	 p;
	size_t			 alen, i;
	unsigned		 bits;

	if (rg_prefix_parse(s, &p) == -1) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(2);
	}
	memset(t, 0, sizeof(*t));
	t->af = p.af;
	t->port_hi = 0xffff;
	alen = p.af == AF_INET ? 4 : 16;
	for (i = 0; i < alen; i++) {
		bits = p.plen > i * 8 ? p.plen - (unsigned)i * 8 : 0;
		if (bits > 8)
			bits = 8;
		t->addr_lo[i] = p.addr[i] & (uint8_t)(0xff00 >> bits);
		t->addr_hi[i] = t->addr_lo[i] | (uint8_t)(0xff >> bits);
	}
}

static void
mkaddr(const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	} else {
		fprintf(stderr, "bad address %s\n", ip);
		exit(2);
	}
}

static void
print_counters(void)
{
	struct dp_counters	 c;
	int			 dir;

	for (dir = 0; dir < 2; dir++) {
		memset(&c, 0, sizeof(c));
		if (dp_sa_counters(dp, dir ? spi_out : spi_in, !dir, &c) != 0)
			continue;
		printf("COUNTERS %s spi=%08x packets=%llu bytes=%llu replay=%llu "
		    "auth=%llu other=%llu\n", dir ? "out" : "in",
		    dir ? spi_out : spi_in, (unsigned long long)c.packets,
		    (unsigned long long)c.bytes,
		    (unsigned long long)c.replay_drops,
		    (unsigned long long)c.auth_drops,
		    (unsigned long long)c.other_drops);
	}
	fflush(stdout);
}

static struct rg_prefix	 dhcp_split;
static bool		 dhcp_on;

/* What roadgated does for a Windows client: a DHCPACK with the split
 * route (options 121/249) from the first host of the split network. */
static void
on_dhcp(void *arg, uint16_t port, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	struct rg_profile	 prof;
	struct rg_addr		 server;
	uint8_t			 ans[DHCP_ANSWER_MAX];
	size_t			 alen;
	int			 rc;

	(void)arg;
	memset(&prof, 0, sizeof(prof));
	prof.name = "dp-static";
	prof.split = &dhcp_split;
	prof.nsplit = 1;
	memset(&server, 0, sizeof(server));
	server.af = AF_INET;
	memcpy(server.addr, dhcp_split.addr, 4);
	server.addr[3] |= 1;
	rc = dhcp_inform_answer(pkt, len, &prof, &server, ans, sizeof(ans),
	    &alen);
	if (rc == 0)
		rc = dp_send_to_client(dp, reqid, ans, alen);
	printf("DHCP reqid=%u answered %d\n", reqid, rc);
	fflush(stdout);
}

static void
on_expire(void *arg, uint32_t reqid, uint32_t spi, bool inbound, bool hard)
{
	(void)arg;
	printf("EXPIRE reqid=%u spi=%08x %s %s\n", reqid, spi,
	    inbound ? "in" : "out", hard ? "hard" : "soft");
	fflush(stdout);
}

static void
on_signal(int sig, void *arg)
{
	(void)arg;
	if (sig == SIGUSR1) {
		print_counters();
		return;
	}
	if (sig == SIGUSR2) {
		printf("MOVED %d\n", dp_sa_update_addrs(dp, 1,
		    (struct sockaddr *)&move_local,
		    (struct sockaddr *)&move_peer, move_encap));
		fflush(stdout);
		return;
	}
	rg_loop_stop(loop);
}

/* The IKE socket layer's job: demux 4500 (RFC 3948 2.2). */
static void
udp_read(struct rg_io *io, uint32_t events)
{
	static struct mmsghdr		 m[BATCH];
	static struct iovec		 iov[BATCH];
	static struct sockaddr_storage	 from[BATCH];
	static uint8_t			 buf[BATCH][4096];
	int				 n, i;

	(void)events;
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(io->fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			size_t	 len = m[i].msg_len;

			if (len == 1 && buf[i][0] == 0xff)
				continue;		/* NAT keepalive */
			if (len < 4 || (buf[i][0] | buf[i][1] | buf[i][2] |
			    buf[i][3]) == 0)
				continue;		/* IKE: not ours */
			dp_udp_input(dp, buf[i], len,
			    (struct sockaddr *)&from[i], NULL);
		}
		if (n < BATCH)
			return;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tun", 1, NULL, 't' }, { "local", 1, NULL, 'l' },
		{ "peer", 1, NULL, 'p' }, { "raw", 0, NULL, 'r' },
		{ "spi-in", 1, NULL, 'I' }, { "spi-out", 1, NULL, 'O' },
		{ "encr", 1, NULL, 'e' }, { "integ", 1, NULL, 'a' },
		{ "key-in", 1, NULL, 'k' }, { "key-out", 1, NULL, 'K' },
		{ "ikey-in", 1, NULL, 'j' }, { "ikey-out", 1, NULL, 'J' },
		{ "esn", 0, NULL, 'E' }, { "ts-local", 1, NULL, 'L' },
		{ "ts-remote", 1, NULL, 'R' }, { "route", 1, NULL, 'x' },
		{ "mss", 1, NULL, 'm' }, { "port", 1, NULL, 'P' },
		{ "peer-port", 1, NULL, 'Q' }, { "debug", 0, NULL, 'd' },
		{ "dp", 1, NULL, 'D' }, { "soft-time", 1, NULL, 's' },
		{ "hard-time", 1, NULL, 'h' }, { "soft-bytes", 1, NULL, 'b' },
		{ "hard-bytes", 1, NULL, 'B' }, { "move-local", 1, NULL, 'M' },
		{ "move-peer", 1, NULL, 'N' }, { "forwarding", 0, NULL, 'F' },
		{ "masquerade", 1, NULL, 'S' }, { "proxy-arp", 1, NULL, 'A' },
		{ "threads", 1, NULL, 'T' }, { "dhcp-split", 1, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct dp_sa		 in, out;
	struct rg_prefix	 routes[8];
	struct sockaddr_storage	 local, peer;
	struct rg_io		 uio;
	const char		*tun = "rg0", *lip = NULL, *pip = NULL;
	const char		*encr = "aes128gcm", *integ = NULL;
	const char		*kind = "userspace";
	const char		*mlip = NULL, *mpip = NULL;
	struct dp_events	 ev = { .expire = on_expire };
	struct rg_settings	 fwd;
	size_t			 nroutes = 0, i;
	uint16_t		 port = 4500, pport = 4500, mss = 0;
	bool			 raw = false, esn = false, debug = false;
	int			 c, fd, one = 1, threads = DP_THREADS_INLINE;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	memset(&fwd, 0, sizeof(fwd));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tun = optarg; break;
		case 'l': lip = optarg; break;
		case 'p': pip = optarg; break;
		case 'r': raw = true; break;
		case 'I': spi_in = (uint32_t)strtoul(optarg, NULL, 16); break;
		case 'O': spi_out = (uint32_t)strtoul(optarg, NULL, 16); break;
		case 'e': encr = optarg; break;
		case 'a': integ = optarg; break;
		case 'k': in.encr_key_len = unhex(optarg, in.encr_key,
		    DP_MAX_KEY); break;
		case 'K': out.encr_key_len = unhex(optarg, out.encr_key,
		    DP_MAX_KEY); break;
		case 'j': in.integ_key_len = unhex(optarg, in.integ_key,
		    DP_MAX_KEY); break;
		case 'J': out.integ_key_len = unhex(optarg, out.integ_key,
		    DP_MAX_KEY); break;
		case 'E': esn = true; break;
		case 'L':
			if (in.nts_local == DP_MAX_TS)
				usage();
			ts_from_prefix(optarg, &in.ts_local[in.nts_local++]);
			break;
		case 'R':
			if (in.nts_remote == DP_MAX_TS)
				usage();
			ts_from_prefix(optarg, &in.ts_remote[in.nts_remote++]);
			break;
		case 'x':
			if (nroutes == 8 ||
			    rg_prefix_parse(optarg, &routes[nroutes++]) == -1)
				usage();
			break;
		case 'm': mss = (uint16_t)atoi(optarg); break;
		case 'P': port = (uint16_t)atoi(optarg); break;
		case 'Q': pport = (uint16_t)atoi(optarg); break;
		case 'd': debug = true; break;
		case 'D': kind = optarg; break;
		case 'M': mlip = optarg; break;
		case 'N': mpip = optarg; break;
		case 'F': fwd.forwarding = true; break;
		case 'S': fwd.masquerade = optarg; break;
		case 'A': fwd.proxy_arp = optarg; break;
		case 'T': threads = atoi(optarg); break;
		case 'H':
			if (rg_prefix_parse(optarg, &dhcp_split) == -1 ||
			    dhcp_split.af != AF_INET)
				usage();
			dhcp_on = true;
			break;
		case 's': in.soft_time_s = (uint32_t)atoi(optarg); break;
		case 'h': in.hard_time_s = (uint32_t)atoi(optarg); break;
		case 'b': in.soft_bytes = strtoull(optarg, NULL, 10); break;
		case 'B': in.hard_bytes = strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (lip == NULL || pip == NULL || !spi_in || !spi_out)
		usage();
	rg_log_open(true, false, debug ? RG_L_DEBUG : RG_L_NOTICE);
	mkaddr(lip, raw ? 0 : port, &local);
	mkaddr(pip, raw ? 0 : pport, &peer);
	mkaddr(mlip ? mlip : lip, raw ? 0 : port, &move_local);
	mkaddr(mpip ? mpip : pip, raw ? 0 : pport, &move_peer);
	move_encap = !raw;

	/* shared fields, then per direction */
	in.reqid = 1;
	in.mode = DP_MODE_TUNNEL;
	in.local = local;
	in.peer = peer;
	in.encap = !raw;
	in.esn = esn;
	in.mss_clamp = mss;
	if (strcmp(encr, "aes128gcm") == 0 || strcmp(encr, "aes256gcm") == 0)
		in.encr = DP_ENCR_AES_GCM_16;
	else if (strcmp(encr, "chacha") == 0)
		in.encr = DP_ENCR_CHACHA20_POLY1305;
	else if (strcmp(encr, "aes128") == 0 || strcmp(encr, "aes256") == 0)
		in.encr = DP_ENCR_AES_CBC;
	else if (strcmp(encr, "3des") == 0)
		in.encr = DP_ENCR_3DES;
	else if (strcmp(encr, "null") == 0)
		in.encr = DP_ENCR_NULL;
	else
		usage();
	in.integ = DP_INTEG_NONE;
	if (integ && strcmp(integ, "sha1") == 0)
		in.integ = DP_INTEG_HMAC_SHA1_96;
	else if (integ && strcmp(integ, "sha256") == 0)
		in.integ = DP_INTEG_HMAC_SHA2_256_128;
	else if (integ && strcmp(integ, "sha384") == 0)
		in.integ = DP_INTEG_HMAC_SHA2_384_192;
	else if (integ && strcmp(integ, "sha512") == 0)
		in.integ = DP_INTEG_HMAC_SHA2_512_256;
	else if (integ)
		usage();
	out.reqid = in.reqid;
	out.mode = in.mode;
	out.local = in.local;
	out.peer = in.peer;
	out.encap = in.encap;
	out.esn = in.esn;
	out.mss_clamp = in.mss_clamp;
	out.encr = in.encr;
	out.integ = in.integ;
	out.soft_time_s = in.soft_time_s;
	out.hard_time_s = in.hard_time_s;
	out.soft_bytes = in.soft_bytes;
	out.hard_bytes = in.hard_bytes;
	memcpy(out.ts_local, in.ts_local, sizeof(in.ts_local));
	memcpy(out.ts_remote, in.ts_remote, sizeof(in.ts_remote));
	out.nts_local = in.nts_local;
	out.nts_remote = in.nts_remote;
	in.spi = spi_in;
	in.inbound = true;
	out.spi = spi_out;

	if (dhcp_on) {
		ev.udp_input = on_dhcp;
		ev.udp[0] = (struct dp_udp_service){ DHCP_SERVER_PORT,
		    DHCP_CLIENT_PORT };
		ev.nudp = 1;
	}
	if ((loop = rg_loop_new(0)) == NULL)
		return 1;
	if ((dp = dp_new(loop, kind, tun, threads, &ev)) == NULL) {
		fprintf(stderr, "dp_new failed\n");
		return 1;
	}
	fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (dp_encap_shared(dp))	/* as ike_sock.c does */
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	mkaddr(lip, port, &local);
	if (fd == -1 || bind(fd, (struct sockaddr *)&local,
	    local.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)) == -1) {
		fprintf(stderr, "bind %s:%u: %s\n", lip, port, strerror(errno));
		return 1;
	}
	dp_set_encap_socket(dp, local.ss_family, fd);
	uio.fd = fd;
	uio.cb = udp_read;
	uio.arg = NULL;
	rg_io_add(loop, &uio, EPOLLIN);
	if (dp_sa_add(dp, &in) != 0 || dp_sa_add(dp, &out) != 0) {
		fprintf(stderr, "dp_sa_add failed\n");
		return 1;
	}
	/* before the routes: they reach nft and proxy ARP one by one */
	if (dp_forwarding_apply(dp, &fwd) != 0) {
		fprintf(stderr, "dp_forwarding_apply failed\n");
		return 1;
	}
	for (i = 0; i < nroutes; i++)
		if (dp_route_add(dp, &routes[i]) != 0) {
			fprintf(stderr, "dp_route_add failed\n");
			return 1;
		}
	rg_loop_signal(loop, SIGTERM, on_signal, NULL);
	rg_loop_signal(loop, SIGINT, on_signal, NULL);
	rg_loop_signal(loop, SIGUSR1, on_signal, NULL);
	rg_loop_signal(loop, SIGUSR2, on_signal, NULL);
	printf("READY\n");
	fflush(stdout);
	rg_loop_run(loop);
	print_counters();
	rg_io_del(loop, &uio);
	close(fd);
	dp_free(dp);
	rg_loop_free(loop);
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	return 0;
}
