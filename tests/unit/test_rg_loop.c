/* Unit tests for the event loop (server/rg_loop.c): timers, jobs, fds. */
#include <signal.h>
#include <unistd.h>

#include "rg_loop.h"
#include "rg_test.h"

static int	 order[8], norder;
static struct rg_loop	*L;

static void
tcb(struct rg_timer *t)
{
	order[norder++] = (int)(long)t->arg;
}

static void
timers_fire_in_order(void)
{
	struct rg_timer	 t[4];
	uint64_t	 start = rg_now_ms();
	int		 i;

	L = rg_loop_new(0);
	norder = 0;
	for (i = 0; i < 4; i++)
		rg_timer_init(&t[i], tcb, (void *)(long)i);
	rg_timer_start(L, &t[0], 40);
	rg_timer_start(L, &t[1], 10);
	rg_timer_start(L, &t[2], 20);
	rg_timer_start(L, &t[3], 30);
	rg_timer_stop(L, &t[3]);
	CHECK(!rg_timer_armed(&t[3]));
	while (norder < 3 && rg_now_ms() - start < 2000)
		rg_loop_once(L, 100);
	CHECK_EQ(norder, 3);
	CHECK_EQ(order[0], 1);
	CHECK_EQ(order[1], 2);
	CHECK_EQ(order[2], 0);
	CHECK(rg_now_ms() - start >= 40);
	rg_loop_free(L);
}

static int	 jobs_done;

static void
jwork(struct rg_job *j)
{
	*(int *)j->arg *= 2;
}

static void
jdone(struct rg_job *j)
{
	jobs_done += *(int *)j->arg;
}

static void
jobs_complete_on_loop(void)
{
	int		 vals[3] = { 1, 2, 3 }, w, i;
	struct rg_job	 j[3];

	for (w = 0; w <= 2; w += 2) {
		L = rg_loop_new(w);
		jobs_done = 0;
		vals[0] = 1, vals[1] = 2, vals[2] = 3;
		for (i = 0; i < 3; i++) {
			j[i] = (struct rg_job){ jwork, jdone, &vals[i], NULL };
			rg_loop_submit(L, &j[i]);
		}
		/* done() never runs inside submit: only from the loop. */
		if (w == 0)
			CHECK_EQ(jobs_done, 0);
		for (i = 0; i < 50 && jobs_done != 12; i++)
			rg_loop_once(L, 20);
		CHECK_EQ(jobs_done, 12);
		rg_loop_free(L);
	}
}

static int	 got_sig;

static void
scb(int sig, void *arg)
{
	got_sig = sig;
	rg_loop_stop(arg);
}

static void
signal_through_signalfd(void)
{
	L = rg_loop_new(0);
	CHECK(rg_loop_signal(L, SIGUSR1, scb, L) == 0);
	kill(getpid(), SIGUSR1);
	rg_loop_once(L, 1000);
	CHECK_EQ(got_sig, SIGUSR1);
	rg_loop_free(L);
}

static int	 io_hits;

static void
iocb(struct rg_io *io, uint32_t ev)
{
	char	 c;

	if (read(io->fd, &c, 1) == 1)
		io_hits++;
}

static void
fd_readable(void)
{
	int		 p[2];
	struct rg_io	 io;

	CHECK(pipe(p) == 0);
	L = rg_loop_new(0);
	io = (struct rg_io){ p[0], iocb, NULL };
	CHECK(rg_io_add(L, &io, 1 /* EPOLLIN */) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	rg_loop_once(L, 1000);
	CHECK_EQ(io_hits, 1);
	rg_io_del(L, &io);
	close(p[0]);
	close(p[1]);
	rg_loop_free(L);
}

RG_TEST_MAIN("rg_loop", T(timers_fire_in_order), T(jobs_complete_on_loop),
    T(signal_through_signalfd), T(fd_readable))
