/*
 * rg_loop.c: epoll loop, timer heap, signalfd and the job queue.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "rg_log.h"
#include "rg_loop.h"

#define RG_MAX_SIGNALS	8

struct rg_sig {
	int		 sig;
	void		(*cb)(int, void *);
	void		*arg;
};

struct rg_loop {
	int		 epfd;
	bool		 stop;		/* loop thread only */
	bool		 quit;		/* workers; under mtx */

	struct rg_io	 tio;		/* timerfd */
	struct rg_timer	**heap;		/* owned array; timers borrowed */
	size_t		 nheap, capheap;
	uint64_t	 armed_at;	/* what the timerfd is set to, 0 none */

	struct rg_io	 sio;		/* signalfd */
	sigset_t	 sigmask;
	struct rg_sig	 sigs[RG_MAX_SIGNALS];
	int		 nsigs;

	struct rg_io	 jio;		/* eventfd: jobs done */
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	struct rg_job	*todo, **todo_tail;
	struct rg_job	*done, **done_tail;
	pthread_t	*workers;
	int		 nworkers;
};

uint64_t
rg_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Timer heap: min-heap on when; t->idx is the 1-based slot. */
static void
heap_swap(struct rg_loop *l, size_t a, size_t b)
{
	struct rg_timer	*t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->idx = a + 1;
	l->heap[b]->idx = b + 1;
}

static void
heap_up(struct rg_loop *l, size_t i)
{
	while (i > 0 && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct rg_loop *l, size_t i)
{
	size_t	 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (l->heap[i]->when <= l->heap[c]->when)
			break;
		heap_swap(l, i, c);
		i = c;
	}
}

static void
timer_rearm(struct rg_loop *l)
{
	struct itimerspec	 its;
	uint64_t		 when;

	memset(&its, 0, sizeof(its));
	when = l->nheap ? l->heap[0]->when : 0;
	if (when == l->armed_at)
		return;
	if (when) {
		/* Absolute monotonic time; 0 would disarm, so use >= 1 ns. */
		its.it_value.tv_sec = (time_t)(when / 1000);
		its.it_value.tv_nsec = (long)(when % 1000) * 1000000 + 1;
	}
	timerfd_settime(l->tio.fd, TFD_TIMER_ABSTIME, &its, NULL);
	l->armed_at = when;
}

void
rg_timer_init(struct rg_timer *t, void (*cb)(struct rg_timer *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

static void
heap_remove(struct rg_loop *l, struct rg_timer *t)
{
	size_t	 i = t->idx - 1;

	l->nheap--;
	if (i != l->nheap) {
		heap_swap(l, i, l->nheap);
		heap_down(l, i);
		heap_up(l, i);
	}
	t->idx = 0;
}

void
rg_timer_stop(struct rg_loop *l, struct rg_timer *t)
{
	if (t->idx == 0)
		return;
	heap_remove(l, t);
	timer_rearm(l);
}

void
rg_timer_start(struct rg_loop *l, struct rg_timer *t, uint64_t ms)
{
	struct rg_timer	**nh;
	size_t		 ncap;

	if (t->idx)
		heap_remove(l, t);
	if (l->nheap == l->capheap) {
		ncap = l->capheap ? l->capheap * 2 : 64;
		if ((nh = realloc(l->heap, ncap * sizeof(*nh))) == NULL) {
			rg_err(CORE, "timer heap: out of memory");
			return;
		}
		l->heap = nh;
		l->capheap = ncap;
	}
	t->when = rg_now_ms() + ms;
	l->heap[l->nheap++] = t;
	t->idx = l->nheap;
	heap_up(l, l->nheap - 1);
	timer_rearm(l);
}

static void
timers_fire(struct rg_io *io, uint32_t ev)
{
	struct rg_loop	*l = io->arg;
	struct rg_timer	*t;
	uint64_t	 now, n;

	if (read(io->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		rg_warn(CORE, "timerfd read: %s", strerror(errno));
	l->armed_at = 0;
	now = rg_now_ms();
	while (l->nheap && l->heap[0]->when <= now) {
		t = l->heap[0];
		heap_remove(l, t);
		t->cb(t);	/* may re-arm or free t */
	}
	timer_rearm(l);
}

static void
signals_fire(struct rg_io *io, uint32_t ev)
{
	struct rg_loop			*l = io->arg;
	struct signalfd_siginfo		 si;
	int				 i;

	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (i = 0; i < l->nsigs; i++)
			if (l->sigs[i].sig == (int)si.ssi_signo)
				l->sigs[i].cb((int)si.ssi_signo, l->sigs[i].arg);
	}
}

static void
jobs_done(struct rg_io *io, uint32_t ev)
{
	struct rg_loop	*l = io->arg;
	struct rg_job	*j, *next;
	uint64_t	 n;

	if (read(io->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		rg_warn(CORE, "eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&l->mtx);
	j = l->done;
	l->done = NULL;
	l->done_tail = &l->done;
	pthread_mutex_unlock(&l->mtx);
	for (; j; j = next) {
		next = j->next;
		j->done(j);	/* may free j */
	}
}

static void
job_finish(struct rg_loop *l, struct rg_job *j)
{
	uint64_t	 one = 1;

	j->next = NULL;
	pthread_mutex_lock(&l->mtx);
	*l->done_tail = j;
	l->done_tail = &j->next;
	pthread_mutex_unlock(&l->mtx);
	if (write(l->jio.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		rg_warn(CORE, "eventfd write: %s", strerror(errno));
}

static void *
worker_main(void *arg)
{
	struct rg_loop	*l = arg;
	struct rg_job	*j;

	for (;;) {
		pthread_mutex_lock(&l->mtx);
		while (l->todo == NULL && !l->quit)
			pthread_cond_wait(&l->cond, &l->mtx);
		if (l->todo == NULL) {
			pthread_mutex_unlock(&l->mtx);
			return NULL;
		}
		j = l->todo;
		l->todo = j->next;
		if (l->todo == NULL)
			l->todo_tail = &l->todo;
		pthread_mutex_unlock(&l->mtx);
		j->work(j);
		job_finish(l, j);
	}
}

void
rg_loop_submit(struct rg_loop *l, struct rg_job *j)
{
	if (l->nworkers == 0) {
		if (j->work)
			j->work(j);
		job_finish(l, j);
		return;
	}
	j->next = NULL;
	pthread_mutex_lock(&l->mtx);
	*l->todo_tail = j;
	l->todo_tail = &j->next;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->mtx);
}

int
rg_io_add(struct rg_loop *l, struct rg_io *io, uint32_t events)
{
	struct epoll_event	 ev = { .events = events, .data.ptr = io };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev);
}

int
rg_io_mod(struct rg_loop *l, struct rg_io *io, uint32_t events)
{
	struct epoll_event	 ev = { .events = events, .data.ptr = io };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev);
}

void
rg_io_del(struct rg_loop *l, struct rg_io *io)
{
	if (io->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

int
rg_loop_signal(struct rg_loop *l, int sig, void (*cb)(int, void *), void *arg)
{
	if (l->nsigs == RG_MAX_SIGNALS)
		return -1;
	l->sigs[l->nsigs++] = (struct rg_sig){ sig, cb, arg };
	sigaddset(&l->sigmask, sig);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -1;
	return signalfd(l->sio.fd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC) < 0 ?
	    -1 : 0;
}

struct rg_loop *
rg_loop_new(int nworkers)
{
	struct rg_loop	*l;
	int		 i;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tio = (struct rg_io){
	    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
	    timers_fire, l };
	sigemptyset(&l->sigmask);
	l->sio = (struct rg_io){ signalfd(-1, &l->sigmask,
	    SFD_NONBLOCK | SFD_CLOEXEC), signals_fire, l };
	l->jio = (struct rg_io){ eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
	    jobs_done, l };
	pthread_mutex_init(&l->mtx, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->todo_tail = &l->todo;
	l->done_tail = &l->done;
	if (l->epfd < 0 || l->tio.fd < 0 || l->sio.fd < 0 || l->jio.fd < 0 ||
	    rg_io_add(l, &l->tio, EPOLLIN) < 0 ||
	    rg_io_add(l, &l->sio, EPOLLIN) < 0 ||
	    rg_io_add(l, &l->jio, EPOLLIN) < 0)
		goto fail;
	if (nworkers > 0) {
		sigset_t	 all, old;

		if ((l->workers = calloc((size_t)nworkers,
		    sizeof(*l->workers))) == NULL)
			goto fail;
		/* Workers never take signals: they all go to the loop's
		 * signalfd, whenever the daemon registers them. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		for (i = 0; i < nworkers; i++) {
			if (pthread_create(&l->workers[i], NULL, worker_main,
			    l) != 0)
				break;
			l->nworkers++;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return l;
fail:
	rg_loop_free(l);
	return NULL;
}

void
rg_loop_free(struct rg_loop *l)
{
	int	 i;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mtx);
	l->quit = true;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->mtx);
	for (i = 0; i < l->nworkers; i++)
		pthread_join(l->workers[i], NULL);
	free(l->workers);
	/* Timers are owned by their objects; just forget them. */
	for (size_t k = 0; k < l->nheap; k++)
		l->heap[k]->idx = 0;
	free(l->heap);
	if (l->tio.fd >= 0)
		close(l->tio.fd);
	if (l->sio.fd >= 0)
		close(l->sio.fd);
	if (l->jio.fd >= 0)
		close(l->jio.fd);
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->nsigs)
		sigprocmask(SIG_UNBLOCK, &l->sigmask, NULL);
	pthread_mutex_destroy(&l->mtx);
	pthread_cond_destroy(&l->cond);
	free(l);
}

int
rg_loop_once(struct rg_loop *l, int timeout_ms)
{
	struct epoll_event	 evs[64];
	struct rg_io		*io;
	int			 n, i;

	n = epoll_wait(l->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		io = evs[i].data.ptr;
		io->cb(io, evs[i].events);
	}
	return n;
}

int
rg_loop_run(struct rg_loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (rg_loop_once(l, -1) < 0) {
			rg_err(CORE, "epoll_wait: %s", strerror(errno));
			return -1;
		}
	return 0;
}

void
rg_loop_stop(struct rg_loop *l)
{
	l->stop = true;
}
