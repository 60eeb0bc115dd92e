/*
 * dhcp-inform-client: a test-only DHCPINFORM sender (RFC 2131 4.4.3),
 * doing what Windows does after an IKEv2 connection: from the virtual IP
 * (UDP port 68) to the server (UDP 67) through the tunnel, asking for
 * options 1, 3, 6, 15, 121 (RFC 3442), 249 (Microsoft); waits (bounded)
 * for the DHCPACK with the same xid and prints its options decoded, one
 * per line:
 *	msgtype 5 | server_id A | mask A | router A | dns A,B | domain D
 *	wins A | route121 NET/LEN via A | route249 NET/LEN via A
 *
 *	dhcp-inform-client --vip A --server A [--timeout-ms N]
 * Exit: 0 DHCPACK printed, 1 nothing (or garbage) within the timeout,
 * 2 usage / socket error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rg_buf.h"

static void
print_addrs(const char *name, const uint8_t *v, size_t len)
{
	char	 a[INET_ADDRSTRLEN];
	size_t	 i;

	printf("%s ", name);
	for (i = 0; i + 4 <= len; i += 4)
		printf("%s%s", i ? "," : "", inet_ntop(AF_INET, v + i, a,
		    sizeof(a)));
	printf("\n");
}

/* RFC 3442: width, significant octets, router; repeated. */
static int
print_routes(const char *name, const uint8_t *v, size_t len)
{
	char		 a[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
	uint8_t		 net[4];
	size_t		 i = 0, sig;

	while (i < len) {
		if (v[i] > 32)
			return -1;
		sig = (v[i] + 7u) / 8;
		if (i + 1 + sig + 4 > len)
			return -1;
		memset(net, 0, 4);
		memcpy(net, v + i + 1, sig);
		printf("%s %s/%u via %s\n", name, inet_ntop(AF_INET, net, a,
		    sizeof(a)), v[i], inet_ntop(AF_INET, v + i + 1 + sig, r,
		    sizeof(r)));
		i += 1 + sig + 4;
	}
	return 0;
}

static int
decode(const uint8_t *p, size_t len, uint32_t xid)
{
	struct rg_rd	 r;
	const uint8_t	*v;
	uint8_t		 code, olen, op = 0;
	uint32_t	 x = 0, cookie = 0;

	rg_rd_init(&r, p, len);
	rg_rd_u8(&r, &op);
	rg_rd_skip(&r, 3);
	rg_rd_u32(&r, &x);
	rg_rd_skip(&r, 228);			/* secs .. file: to the cookie */
	rg_rd_u32(&r, &cookie);
	if (r.err || op != 2 || x != xid || cookie != 0x63825363)
		return -1;
	for (;;) {
		if (rg_rd_u8(&r, &code) < 0 || code == 255)
			break;
		if (code == 0)
			continue;
		if (rg_rd_u8(&r, &olen) < 0)
			return -1;
		v = rg_rd_ptr(&r, olen);
		if (r.err || (v == NULL && olen > 0))
			return -1;
		if (olen == 0)
			continue;
		switch (code) {
		case 53:
			printf("msgtype %u\n", olen ? v[0] : 0);
			break;
		case 54:
			print_addrs("server_id", v, olen);
			break;
		case 1:
			print_addrs("mask", v, olen);
			break;
		case 3:
			print_addrs("router", v, olen);
			break;
		case 6:
			print_addrs("dns", v, olen);
			break;
		case 44:
			print_addrs("wins", v, olen);
			break;
		case 15:
			printf("domain %.*s\n", (int)olen, (const char *)v);
			break;
		case 121:
			if (print_routes("route121", v, olen) < 0)
				return -1;
			break;
		case 249:
			if (print_routes("route249", v, olen) < 0)
				return -1;
			break;
		default:
			printf("option %u len %u\n", code, olen);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t prl[] = { 1, 3, 6, 15, 121, 249 };
	struct sockaddr_in	 me, srv;
	struct pollfd		 pfd;
	struct timespec		 t0, t1;
	uint8_t			 pkt[548], buf[1500];
	struct rg_wr		 w;
	const char		*vip = NULL, *server = NULL;
	long			 timeout = 5000, left;
	uint32_t		 xid;
	ssize_t			 n;
	int			 i, s, one = 1;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--vip") == 0)
			vip = argv[i + 1];
		else if (strcmp(argv[i], "--server") == 0)
			server = argv[i + 1];
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			timeout = strtol(argv[i + 1], NULL, 10);
		else
			break;
	}
	memset(&me, 0, sizeof(me));
	memset(&srv, 0, sizeof(srv));
	me.sin_family = srv.sin_family = AF_INET;
	me.sin_port = htons(68);
	srv.sin_port = htons(67);
	if (i != argc || vip == NULL || server == NULL || timeout <= 0 ||
	    inet_pton(AF_INET, vip, &me.sin_addr) != 1 ||
	    inet_pton(AF_INET, server, &srv.sin_addr) != 1) {
		fprintf(stderr, "usage: dhcp-inform-client --vip A --server A "
		    "[--timeout-ms N]\n");
		return 2;
	}
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("dhcp-inform-client: socket");
		return 2;
	}
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	xid = (uint32_t)random();

	/* RFC 2131 figure 1; INFORM: ciaddr set, yiaddr 0 (table 5). */
	rg_wr_init(&w, pkt, sizeof(pkt));
	rg_wr_u8(&w, 1);			/* BOOTREQUEST */
	rg_wr_u8(&w, 1);			/* Ethernet */
	rg_wr_u8(&w, 6);
	rg_wr_u8(&w, 0);
	rg_wr_u32(&w, xid);
	rg_wr_u16(&w, 0);
	rg_wr_u16(&w, 0);
	rg_wr_bytes(&w, &me.sin_addr, 4);	/* ciaddr */
	rg_wr_zero(&w, 12);			/* yiaddr siaddr giaddr */
	rg_wr_bytes(&w, "\x02\x00\x5e\x10\x00\x01", 6);
	rg_wr_zero(&w, 10 + 64 + 128);
	rg_wr_u32(&w, 0x63825363);
	rg_wr_bytes(&w, "\x35\x01\x08", 3);	/* DHCPINFORM */
	rg_wr_u8(&w, 55);
	rg_wr_u8(&w, sizeof(prl));
	rg_wr_bytes(&w, prl, sizeof(prl));
	rg_wr_u8(&w, 255);
	rg_wr_zero(&w, sizeof(pkt) - w.len);
	if (w.err || sendto(s, pkt, w.len, 0, (struct sockaddr *)&srv,
	    sizeof(srv)) < 0) {
		perror("dhcp-inform-client: sendto");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = timeout - ((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		pfd.fd = s;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((n = recv(s, buf, sizeof(buf), 0)) < 0)
			continue;
		if (decode(buf, (size_t)n, xid) == 0) {
			close(s);
			return 0;
		}
	}
	fprintf(stderr, "dhcp-inform-client: no DHCPACK within %ld ms\n",
	    timeout);
	close(s);
	return 1;
}
