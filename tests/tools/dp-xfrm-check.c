/*
 * dp-xfrm-check: exercises the kernel XFRM backend on whatever kernel it
 * runs on (meant for a network namespace the caller made).
 *
 *   dp-xfrm-check auto      prints "KIND <kernel|userspace>" as dp_new
 *                           ("auto") chose, and logs why
 *   dp-xfrm-check install   dp_new("kernel"); tries a real ESP SA pair
 *                           (prints "SA ok" or "SA refused"); installs the
 *                           CHILD_SA's policies (out, in, fwd) and prints
 *                           "POLICIES n"; "READY"; on SIGTERM dp_free()
 *                           (which must remove all of it) and "DONE".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dp.h"
#include "dp_xfrm.h"
#include "rg_log.h"
#include "rg_loop.h"

static struct rg_loop	*loop;

static void
on_term(int sig, void *arg)
{
	(void)sig;
	(void)arg;
	rg_loop_stop(loop);
}

static void
sin4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

static void
ts4(struct dp_ts *t, const char *lo, const char *hi)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	inet_pton(AF_INET, lo, t->addr_lo);
	inet_pton(AF_INET, hi, t->addr_hi);
	t->port_hi = 0xffff;
}

static void
mksa(struct dp_sa *d, uint32_t spi, bool inbound)
{
	memset(d, 0, sizeof(*d));
	d->spi = spi;
	d->inbound = inbound;
	d->reqid = 4242;
	d->mode = DP_MODE_TUNNEL;
	sin4(&d->local, "192.0.2.1", 4500);
	sin4(&d->peer, "192.0.2.2", 4500);
	d->encap = true;
	d->encr = DP_ENCR_AES_GCM_16;
	d->encr_key_len = 20;
	memset(d->encr_key, 0x5a, 20);
	d->hard_time_s = 3600;
	ts4(&d->ts_local[0], "198.51.100.0", "198.51.100.255");
	ts4(&d->ts_remote[0], "198.18.0.1", "198.18.0.1");
	d->nts_local = d->nts_remote = 1;
}

int
main(int argc, char **argv)
{
	struct dp		*dp;
	struct dp_sa		 in, out;
	struct dpx_sa		*ti, *to;
	int			 n = 0;

	if (argc != 2)
		return 2;
	rg_log_open(true, false, RG_L_INFO);
	loop = rg_loop_new(0);
	if (strcmp(argv[1], "auto") == 0) {
		dp = dp_new(loop, "auto", "rgx0", DP_THREADS_INLINE, NULL);
		printf("KIND %s\n", dp ? dp_kind(dp) : "none");
		dp_free(dp);
		rg_loop_free(loop);
		return dp ? 0 : 1;
	}
	if ((dp = dp_new(loop, "kernel", NULL, DP_THREADS_INLINE, NULL)) == NULL)
		return 1;
	mksa(&in, 0xc0de0001, true);
	mksa(&out, 0xc0de0002, false);
	if (dp_sa_add(dp, &in) == 0 && dp_sa_add(dp, &out) == 0)
		printf("SA ok\n");
	else {
		/* no ESP here: install what the kernel takes, the policies */
		printf("SA refused\n");
		ti = dp_xfrm_track(dp_backend_of(dp), &in);
		to = dp_xfrm_track(dp_backend_of(dp), &out);
		if (ti && dp_xfrm_policies_add(dp_backend_of(dp), &in, ti) == 0)
			n += 2;
		if (to && dp_xfrm_policies_add(dp_backend_of(dp), &out, to) == 0)
			n += 1;
		printf("POLICIES %d\n", n);
	}
	printf("READY\n");
	fflush(stdout);
	rg_loop_signal(loop, SIGTERM, on_term, NULL);
	rg_loop_run(loop);
	dp_free(dp);
	rg_loop_free(loop);
	printf("DONE\n");
	return 0;
}
