/*
 * store-lease-bench.c: what persisting one address lease costs in the real
 * store (store_lease_put: one SQLite transaction in WAL mode), and
 * releasing it again (store_lease_del).  Prints "key value" lines for
 * tests/bench/pool.sh.  Usage: store-lease-bench DIR [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "store.h"

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct store		*st;
	struct store_lease	 l;
	char			 dir[4096], err[256], cmd[4200];
	long			 n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
	uint64_t		 t0, t1, t2;
	long			 i;
	json_t			*pool;
	struct store_err	 serr;
	int			 rc;

	if (argc < 2 || n <= 0 || n > 65000) {
		fprintf(stderr, "usage: store-lease-bench DIR [N <= 65000]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/rg-store-lease-bench.XXXXXX", argv[1]);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}
	/* Leases reference their pool (foreign key). */
	pool = json_pack("{s:s, s:[s]}", "name", "bench", "ranges",
	    "10.0.0.0/16");
	rc = store_obj_add(st, "pools", pool, &serr);
	json_decref(pool);
	if (rc < 0) {
		fprintf(stderr, "pool: %s\n", serr.msg);
		goto fail;
	}
	memset(&l, 0, sizeof(l));
	l.pool = "bench";
	l.user = "bench-user";
	l.state = "bound";
	l.addr.af = AF_INET;
	l.addr.addr[0] = 10;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		l.addr.addr[2] = (uint8_t)(i >> 8);
		l.addr.addr[3] = (uint8_t)i;
		l.session_id = (uint64_t)i + 1;
		if (store_lease_put(st, &l) < 0) {
			fprintf(stderr, "store_lease_put failed at %ld\n", i);
			goto fail;
		}
	}
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		l.addr.addr[2] = (uint8_t)(i >> 8);
		l.addr.addr[3] = (uint8_t)i;
		if (store_lease_del(st, l.pool, &l.addr) < 0) {
			fprintf(stderr, "store_lease_del failed at %ld\n", i);
			goto fail;
		}
	}
	t2 = now_ns();
	store_close(st);
	printf("store_lease_put_ns %.0f\n", (double)(t1 - t0) / (double)n);
	printf("store_lease_del_ns %.0f\n", (double)(t2 - t1) / (double)n);
	printf("leases %ld\n", n);
	/* The directory holds only this run's files. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
fail:
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 1;
}
