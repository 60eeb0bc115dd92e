/*
 * rg_loop: the daemon's one event loop.  epoll over file descriptors, a
 * binary heap of timers behind one timerfd, signals through signalfd, and
 * jobs: CPU-heavy work (DH, signatures) handed to rg_loop_submit() runs in
 * a worker (or inline when the pool has no threads) and its done() callback
 * is always delivered back on the loop thread, like any other event.
 */
#ifndef RG_LOOP_H
#define RG_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rg_loop;

struct rg_io {
	int		 fd;
	void		(*cb)(struct rg_io *, uint32_t events);
	void		*arg;
};

struct rg_timer {
	uint64_t	 when;		/* CLOCK_MONOTONIC ms */
	size_t		 idx;		/* heap slot + 1; 0 when not armed */
	void		(*cb)(struct rg_timer *);
	void		*arg;
};

struct rg_job {
	void		(*work)(struct rg_job *);	/* any thread */
	void		(*done)(struct rg_job *);	/* loop thread */
	void		*arg;
	struct rg_job	*next;				/* queue link */
};

uint64_t	 rg_now_ms(void);

struct rg_loop	*rg_loop_new(int nworkers);
void		 rg_loop_free(struct rg_loop *);
int		 rg_loop_run(struct rg_loop *);	/* until rg_loop_stop() */
void		 rg_loop_stop(struct rg_loop *);
/* One pass: wait at most timeout_ms (-1 forever) and dispatch. */
int		 rg_loop_once(struct rg_loop *, int timeout_ms);

int	rg_io_add(struct rg_loop *, struct rg_io *, uint32_t events);
int	rg_io_mod(struct rg_loop *, struct rg_io *, uint32_t events);
void	rg_io_del(struct rg_loop *, struct rg_io *);

void	rg_timer_init(struct rg_timer *, void (*)(struct rg_timer *), void *);
void	rg_timer_start(struct rg_loop *, struct rg_timer *, uint64_t ms);
void	rg_timer_stop(struct rg_loop *, struct rg_timer *);
static inline bool
rg_timer_armed(const struct rg_timer *t)
{
	return t->idx != 0;
}

/* Deliver sig through signalfd to cb on the loop thread. */
int	rg_loop_signal(struct rg_loop *, int sig, void (*cb)(int, void *),
	    void *arg);

void	rg_loop_submit(struct rg_loop *, struct rg_job *);

#endif
