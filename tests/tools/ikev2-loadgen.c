/*
 * ikev2-loadgen: N IKEv2 handshakes (IKE_SA_INIT + IKE_AUTH with PSK, CP
 * and a CHILD_SA) against a responder over UDP, C in flight, each with its
 * own identity, from the test initiator (tests/tools/ikev2_initiator.c).
 * Works against roadgate and strongSwan alike.
 *
 *   ikev2-loadgen -s ADDR [-p PORT] [-n N] [-c C] [-g 19|31] [-k PSK]
 *                 [-i PREFIX] [--keep] [-t TIMEOUT_S] [--natt]
 *
 * --natt fakes NAT detection and moves to port 4500 after IKE_SA_INIT
 * (RFC 7296 2.23, RFC 3948 non-ESP marker), as strongSwan's encap=yes.
 * --keep leaves the SAs up (for memory per SA), otherwise each is deleted
 * once up.  The initiators' key pairs are made before the clock starts, so
 * that the run measures the responder more than the generator.  Prints
 * "handshakes=N failed=F seconds=S rate=R/s".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ikev2_crypto.h"
#include "ikev2_initiator.h"
#include "rg_loop.h"

struct slot {
	struct ikev2_ini	*ini;
	uint8_t			 last[4096];
	size_t			 lastlen;
	uint64_t		 sent_ms, started_ms;
	int			 tries;
	bool			 busy, deleting;
};

static bool	 natt;
static uint16_t	 natt_port = 4500;

static int
sendit(int fd, const struct sockaddr_in *to0, struct slot *s, const uint8_t *p,
    size_t n)
{
	struct sockaddr_in to = *to0;
	uint8_t		 b[4100];

	if (p != s->last) {
		memcpy(s->last, p, n);
		s->lastlen = n;
	}
	s->sent_ms = rg_now_ms();
	if (natt && p[18] != 34 /* not IKE_SA_INIT */ && n + 4 <= sizeof(b)) {
		memset(b, 0, 4);
		memcpy(b + 4, p, n);
		to.sin_port = htons(natt_port);
		return (int)sendto(fd, b, n + 4, 0, (struct sockaddr *)&to,
		    sizeof(to));
	}
	return (int)sendto(fd, p, n, 0, (const struct sockaddr *)&to,
	    sizeof(to));
}

int
main(int argc, char **argv)
{
	const char	*server = NULL, *psk = "testbed-psk-0123456789";
	const char	*prefix = "bench-";
	unsigned int	 port = 500, n = 200, conc = 4, group = 19, timeout = 120;
	bool		 keep = false;
	struct sockaddr_in to;
	struct slot	*slots;
	struct ike_dh	**keys;
	unsigned int	 started = 0, done = 0, failed = 0;
	uint64_t	 t0, t1;
	uint8_t		 buf[65536], out[4096];
	int		 fd;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--keep") == 0) { keep = true; continue; }
		if (strcmp(a, "--natt") == 0) { natt = true; continue; }
		if (v == NULL) goto usage;
		if (strcmp(a, "-s") == 0) server = v;
		else if (strcmp(a, "-p") == 0) port = (unsigned)atoi(v);
		else if (strcmp(a, "-n") == 0) n = (unsigned)atoi(v);
		else if (strcmp(a, "-c") == 0) conc = (unsigned)atoi(v);
		else if (strcmp(a, "-g") == 0) group = (unsigned)atoi(v);
		else if (strcmp(a, "-k") == 0) psk = v;
		else if (strcmp(a, "-i") == 0) prefix = v;
		else if (strcmp(a, "-t") == 0) timeout = (unsigned)atoi(v);
		else goto usage;
		i++;
	}
	if (server == NULL || conc == 0 || conc > 1024)
		goto usage;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server, &to.sin_addr) != 1)
		goto usage;
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
		perror("socket");
		return 1;
	}
	{
		int	 sz = 8 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	slots = calloc(conc, sizeof(*slots));
	/* KEi key pairs ahead of the timed phase (NULL: made on start). */
	keys = calloc(n ? n : 1, sizeof(*keys));
	for (unsigned int k = 0; keys != NULL && k < n; k++)
		keys[k] = ike_dh_new((uint16_t)group);
	t0 = rg_now_ms();
	while (done + failed < n) {
		struct pollfd	 p = { fd, POLLIN, 0 };
		uint64_t	 now = rg_now_ms();

		if (now - t0 > (uint64_t)timeout * 1000)
			break;
		/* Fill free slots. */
		for (unsigned int k = 0; k < conc && started < n; k++) {
			struct slot		*s = &slots[k];
			char			 id[96];
			struct ikev2_ini_conf	 c = { id, (const uint8_t *)psk,
			    strlen(psk), 20, 128, 5, 0, { (uint16_t)group },
			    20, 128, 0, true, natt, false };
			long			 m;

			if (s->busy)
				continue;
			snprintf(id, sizeof(id), "%s%04u@testbed.test", prefix,
			    started + 1);
			ikev2_ini_free(s->ini);
			s->ini = ikev2_ini_new(&c);
			if (s->ini != NULL && keys != NULL &&
			    keys[started] != NULL) {
				ikev2_ini_set_dh(s->ini, keys[started]);
				keys[started] = NULL;
			}
			if (s->ini == NULL || (m = ikev2_ini_start(s->ini, out,
			    sizeof(out))) < 0) {
				failed++;
				started++;
				continue;
			}
			s->busy = true;
			s->deleting = false;
			s->tries = 0;
			s->started_ms = now;
			started++;
			sendit(fd, &to, s, out, (size_t)m);
		}
		if (poll(&p, 1, 50) > 0) {
			ssize_t	 r;

			while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >
			    28) {
				uint64_t spi = 0;
				uint8_t	*pk = buf;

				if (pk[0] == 0 && pk[1] == 0 && pk[2] == 0 &&
				    pk[3] == 0) {
					pk += 4;	/* non-ESP marker */
					r -= 4;
				}
				for (int b = 0; b < 8; b++)
					spi = spi << 8 | pk[b];
				for (unsigned int k = 0; k < conc; k++) {
					struct slot *s = &slots[k];
					long	 m;

					if (!s->busy ||
					    ikev2_ini_spi_i(s->ini) != spi)
						continue;
					m = ikev2_ini_input(s->ini, pk,
					    (size_t)r, out, sizeof(out));
					if (m > 0) {
						s->tries = 0;
						sendit(fd, &to, s, out,
						    (size_t)m);
					} else if (m < 0) {
						failed++;
						s->busy = false;
					} else if (ikev2_ini_state(s->ini) ==
					    INI_ESTABLISHED && !s->deleting) {
						done++;
						if (keep) {
							s->busy = false;
							s->ini = NULL;	/* kept up */
						} else {
							s->deleting = true;
							m = ikev2_ini_delete(
							    s->ini, out,
							    sizeof(out));
							sendit(fd, &to, s, out,
							    (size_t)m);
						}
					} else
						s->busy = false;
					break;
				}
			}
		}
		/* Retransmit after 1 s, give up after 5 tries. */
		now = rg_now_ms();
		for (unsigned int k = 0; k < conc; k++) {
			struct slot *s = &slots[k];

			if (!s->busy || now - s->sent_ms < 1000)
				continue;
			if (++s->tries > 5) {
				if (!s->deleting)
					failed++;
				s->busy = false;
				continue;
			}
			sendit(fd, &to, s, s->last, s->lastlen);
		}
	}
	t1 = rg_now_ms();
	printf("handshakes=%u failed=%u seconds=%.3f rate=%.1f/s\n", done,
	    failed, (double)(t1 - t0) / 1000.0,
	    t1 > t0 ? done * 1000.0 / (double)(t1 - t0) : 0.0);
	close(fd);
	for (unsigned int k = 0; keys != NULL && k < n; k++)
		ike_dh_free(keys[k]);
	free(keys);
	for (unsigned int k = 0; slots != NULL && k < conc; k++)
		ikev2_ini_free(slots[k].ini);
	free(slots);
	return failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: ikev2-loadgen -s ADDR [-p PORT] [-n N] [-c C] "
	    "[-g GROUP] [-k PSK] [-i PREFIX] [--keep] [--natt] "
	    "[-t TIMEOUT_S]\n");
	return 2;
}
