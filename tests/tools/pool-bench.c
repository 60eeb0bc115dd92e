/*
 * pool-bench.c: measures the pool manager on a /12 (1,048,576 slots):
 * memory per slot (malloc'ed bytes of the configured pool set, measured
 * with mallinfo2, and the manager's own count), nanoseconds per operation
 * for 1,000,000 acquires then 1,000,000 releases (no persistence, sticky
 * off: the allocator itself; first round from cold, including table
 * growth and page faults, then a warm round), the same with sticky
 * reservations and reconnects, memory per live lease (lease, session
 * table, slot index), and the cost of persisting each lease to an
 * append-only file (write+fflush per change, and with fdatasync).
 * Prints "key value" lines for tests/bench/pool.sh.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rg_log.h"
#include "pool.h"

#define NOPS	1000000
#define NUSERS	1000

/*
 * CPU time of this thread: the machine is shared (other builds run beside
 * the benchmark), and time spent waiting for a CPU is not the pool's.
 * Wall-clock figures are printed too.
 */
static double
ts_ns(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
now_ns(void)
{
	return ts_ns(CLOCK_THREAD_CPUTIME_ID);
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	/* Large blocks (the bitmaps) are mmap'ed: hblkhd counts those. */
	return mi.uordblks + mi.hblkhd;
}

static char		*users[NUSERS];
static struct rg_config	*cfg;
static struct rg_profile *prof;

static void
setup_config(void)
{
	struct rg_pool_conf *pc;

	cfg = rg_config_new();
	cfg->pools = calloc(1, sizeof(*cfg->pools));
	cfg->npools = 1;
	pc = &cfg->pools[0];
	pc->name = strdup("big");
	pc->af = AF_INET;
	rg_prefix_parse("10.16.0.0/12", &pc->network);
	cfg->profiles = calloc(1, sizeof(*cfg->profiles));
	cfg->nprofiles = 1;
	prof = &cfg->profiles[0];
	prof->name = strdup("bench");
	prof->pools = calloc(1, sizeof(char *));
	prof->pools[0] = strdup("big");
	prof->npools = 1;
}

/* Acquire sessions [base, base+n) round-robin over the users. */
static int
acquire_n(struct pool_mgr *m, uint64_t base, size_t n)
{
	struct pool_req	 req;
	struct pool_grant g;
	char		 why[128];
	size_t		 i;

	memset(&req, 0, sizeof(req));
	req.profile = prof;
	req.af = AF_INET;
	for (i = 0; i < n; i++) {
		req.user = users[i % NUSERS];
		req.session_id = base + i;
		if (pool_acquire(m, cfg, &req, &g, why, sizeof(why)) < 0) {
			fprintf(stderr, "acquire %zu: %s\n", i, why);
			return -1;
		}
	}
	return 0;
}

static void
release_n(struct pool_mgr *m, uint64_t base, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		pool_release(m, base + i);
}

/* Append-only lease log, as cheap as a file store gets. */
struct flog {
	FILE	*f;
	int	 sync;
};

static int
flog_write(struct flog *l, const struct pool_lease_rec *r, char op)
{
	char	 as[64];

	fprintf(l->f, "%c %s %s %s %llu %d %llu\n", op,
	    rg_addr_str(&r->addr, as, sizeof(as)), r->pool, r->user,
	    (unsigned long long)r->session, (int)r->state,
	    (unsigned long long)r->since);
	if (fflush(l->f) != 0)
		return -1;
	if (l->sync && fdatasync(fileno(l->f)) != 0)
		return -1;
	return 0;
}

static int
flog_put(void *arg, const struct pool_lease_rec *r)
{
	return flog_write(arg, r, 'P');
}

static int
flog_del(void *arg, const struct pool_lease_rec *r)
{
	return flog_write(arg, r, 'D');
}

/* ns per acquire+release pair with a file-backed persist. */
static double
persist_cost(const char *dir, int sync, size_t n)
{
	struct flog	 l;
	struct pool_persist pp = { flog_put, flog_del, &l };
	struct pool_mgr	*m;
	char		 path[512], why[128];
	double		 t0, t1;

	snprintf(path, sizeof(path), "%s/pool-bench-XXXXXX", dir);
	{
		int fd = mkstemp(path);

		if (fd < 0 || (l.f = fdopen(fd, "w")) == NULL)
			return -1;
	}
	l.sync = sync;
	m = pool_mgr_new(&pp);
	pool_mgr_set_sticky(m, 0);
	if (pool_mgr_configure(m, cfg, why, sizeof(why)) < 0)
		return -1;
	t0 = now_ns();
	if (acquire_n(m, 1, n) < 0)
		return -1;
	release_n(m, 1, n);
	t1 = now_ns();
	pool_mgr_free(m);
	fclose(l.f);
	unlink(path);
	return (t1 - t0) / (double)n;
}

int
main(int argc, char **argv)
{
	struct pool_mgr	*m;
	size_t		 h0, h1, h2, i;
	double		 t0, t1, t2, t3, t4, w0, w1, base_pair;
	char		 why[128], buf[32];
	const char	*dir = argc > 1 ? argv[1] : "/tmp";
	const double	 slots = 1048576.0;

	rg_log_set_level(RG_T_POOL, RG_L_WARN);
	for (i = 0; i < NUSERS; i++) {
		snprintf(buf, sizeof(buf), "user%zu", i);
		users[i] = strdup(buf);
	}
	setup_config();

	/* 1. Memory of the configured /12 and the plain allocator. */
	h0 = heap_used();
	m = pool_mgr_new(NULL);
	pool_mgr_set_sticky(m, 0);
	if (pool_mgr_configure(m, cfg, why, sizeof(why)) < 0) {
		fprintf(stderr, "configure: %s\n", why);
		return 1;
	}
	h1 = heap_used();
	printf("slots %.0f\n", slots);
	printf("pool_bytes_per_slot %.4f\n", (double)(h1 - h0) / slots);
	printf("pool_bytes_per_slot_self %.4f\n",
	    (double)pool_mgr_mem_bytes(m) / slots);
	w0 = ts_ns(CLOCK_MONOTONIC);
	t0 = now_ns();
	if (acquire_n(m, 1, NOPS) < 0)
		return 1;
	t1 = now_ns();
	h2 = heap_used();
	release_n(m, 1, NOPS);
	t2 = now_ns();
	w1 = ts_ns(CLOCK_MONOTONIC);
	printf("wall_ns_per_op %.1f\n", (w1 - w0) / (2.0 * NOPS));
	printf("acquire_ns %.1f\n", (t1 - t0) / NOPS);
	printf("release_ns %.1f\n", (t2 - t1) / NOPS);
	printf("pool_ns_per_op %.1f\n", (t2 - t0) / (2.0 * NOPS));
	printf("bytes_per_live_lease %.1f\n", (double)(h2 - h1) / NOPS);
	printf("bytes_per_slot_all_leased %.1f\n", (double)(h2 - h0) / slots);
	base_pair = (t2 - t0) / NOPS;
	/* Steady state: the same again, tables grown and slabs reused. */
	t0 = now_ns();
	if (acquire_n(m, NOPS + 1, NOPS) < 0)
		return 1;
	release_n(m, NOPS + 1, NOPS);
	t1 = now_ns();
	printf("warm_ns_per_op %.1f\n", (t1 - t0) / (2.0 * NOPS));
	pool_mgr_free(m);

	/* 2. Sticky: release keeps a reservation, reconnects take it back. */
	m = pool_mgr_new(NULL);
	pool_mgr_configure(m, cfg, why, sizeof(why));
	if (acquire_n(m, 1, NOPS) < 0)
		return 1;
	t2 = now_ns();
	release_n(m, 1, NOPS);
	t3 = now_ns();
	if (acquire_n(m, NOPS + 1, NOPS) < 0)
		return 1;
	t4 = now_ns();
	printf("sticky_release_ns %.1f\n", (t3 - t2) / NOPS);
	printf("sticky_reacquire_ns %.1f\n", (t4 - t3) / NOPS);
	pool_mgr_free(m);

	/* 3. Persistence to a file: extra cost per lease (acquire+release). */
	t0 = persist_cost(dir, 0, 200000);
	printf("persist_file_ns_per_lease %.1f\n", t0 - base_pair);
	t1 = persist_cost(dir, 1, 2000);
	printf("persist_fdatasync_ns_per_lease %.1f\n", t1 - base_pair);

	rg_config_unref(cfg);
	for (i = 0; i < NUSERS; i++)
		free(users[i]);
	return 0;
}
