/*
 * dp_user_mq.c: the userspace data plane's workers: one thread per core,
 * each with its own loop, its own queue of a multi-queue TUN device, its
 * own member of the 4500 SO_REUSEPORT group (dp_user_io.c), its own batch
 * buffers, and the SAs it owns.
 *
 * Ownership, so the hot path takes no lock and no atomic read-modify-
 * write: an inbound SA belongs to worker SPI mod N, an outbound SA with a
 * single-address remote selector (the road warrior's vip) to worker
 * dst mod N, any other outbound SA to worker 0.  BPF steering
 * (dp_steer.c) delivers each packet to that worker; when it cannot (no
 * BPF, a raw ESP socket every packet reaches, ESP the IKE socket read
 * first) the packet is copied into the owner's ring: a bounded
 * multi-producer single-consumer array of slots, each with a sequence
 * number that orders producers and consumer, and the owner is woken by
 * its eventfd once per batch.
 *
 * The loop thread (IKE) owns the SA registry and changes what a worker
 * holds only through messages: add, delete, new addresses, a packet to
 * inject.  A message is a mutex and an eventfd write, never per packet;
 * a worker applies its messages in order, so a delete always follows
 * the add and updates of the same SA.  Workers send packets for our local
 * UDP services (DHCPINFORMs) back the same way.  With DP_THREADS_INLINE there is one worker, run by the
 * loop thread itself, and every message is applied at once.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dp_nl.h"
#include "dp_steer.h"
#include "dp_user.h"
#include "rg_log.h"

enum dpu_msg_kind {
	DPU_M_ADD,
	DPU_M_DEL,
	DPU_M_ADDRS,
	DPU_M_INJECT,
	DPU_M_UDP,
};

struct dpu_msg {
	struct dpu_msg		*next;
	enum dpu_msg_kind	 kind;
	struct dpu_sa		*sa;
	union dpu_sockaddr	 l, p;
	bool			 encap;
	uint32_t		 reqid;
	uint16_t		 port;		/* DPU_M_UDP: the service */
	size_t			 len;
	uint8_t			 pkt[];
};

static void
dpu_wake(int fd)
{
	uint64_t	 one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		rg_debug(ESP, "eventfd write: %s", strerror(errno));
}

/* ---- rings: many producers, one consumer ---- */

static struct dpu_ring *
dpu_ring_new(void)
{
	struct dpu_ring	*r;
	unsigned long	 i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	for (i = 0; i < DPU_RING; i++)
		r->slot[i].seq = i;
	return r;
}

static bool
dpu_ring_put(struct dpu_ring *r, enum dpu_pkt_kind kind, const uint8_t *pkt,
    size_t len)
{
	struct dpu_slot	*sl;
	unsigned long	 pos, seq;
	long		 dif;

	if (len > DPU_BUF)
		return false;
	pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	for (;;) {
		sl = &r->slot[pos & (DPU_RING - 1)];
		seq = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
		dif = (long)(seq - pos);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1,
			    true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (dif < 0)
			return false;		/* full */
		else
			pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	}
	memcpy(sl->data, pkt, len);
	sl->len = (uint16_t)len;
	sl->kind = (uint8_t)kind;
	__atomic_store_n(&sl->seq, pos + 1, __ATOMIC_RELEASE);
	return true;
}

/* Process what others handed us; true if the ring may hold more. */
static bool
dpu_ring_drain(struct dpu_worker *w)
{
	struct dpu_ring	*r = w->ring;
	struct dpu_slot	*sl;
	unsigned	 n;

	if (r == NULL)
		return false;
	for (n = 0; n < DPU_RING; n++) {
		sl = &r->slot[r->tail & (DPU_RING - 1)];
		if (__atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE) != r->tail + 1)
			return false;
		if (sl->kind == DPU_P_ESP)
			dpu_inbound(w, sl->data, sl->len);
		else
			dpu_outbound(w, sl->data, sl->len, true);
		__atomic_store_n(&sl->seq, r->tail + DPU_RING,
		    __ATOMIC_RELEASE);
		r->tail++;
	}
	return true;
}

void
dpu_hand(struct dpu_worker *from, unsigned to, enum dpu_pkt_kind kind,
    const uint8_t *pkt, size_t len)
{
	struct dpu_worker	*w = from->b->w[to];

	if (!dpu_ring_put(w->ring, kind, pkt, len)) {
		dpu_ctr_add(&from->st.ring_full, 1);
		return;
	}
	dpu_ctr_add(&from->st.handed, 1);
	from->kick |= 1ull << to;
}

void
dpu_hand_ext(struct dp_backend *b, unsigned to, enum dpu_pkt_kind kind,
    const uint8_t *pkt, size_t len)
{
	struct dpu_worker	*w = b->w[to];

	if (dpu_ring_put(w->ring, kind, pkt, len))
		dpu_wake(w->evfd);
}

void
dpu_kick(struct dpu_worker *w)
{
	unsigned	 i;

	for (i = 0; w->kick != 0 && i < w->b->nw; i++)
		if (w->kick & (1ull << i)) {
			w->kick &= ~(1ull << i);
			dpu_wake(w->b->w[i]->evfd);
		}
}

/* ---- messages: loop thread -> worker ---- */

static void
dpu_apply(struct dpu_worker *w, struct dpu_msg *m)
{
	switch (m->kind) {
	case DPU_M_ADD:
		dpu_w_link(w, m->sa);
		break;
	case DPU_M_DEL:
		dpu_w_unlink(w, m->sa);
		dpu_sa_free(m->sa);
		break;
	case DPU_M_ADDRS:
		m->sa->local = m->l;
		m->sa->peer = m->p;
		m->sa->encap = m->encap;
		break;
	case DPU_M_INJECT:
		dpu_send_inject(w, m->sa, m->pkt, m->len);
		break;
	case DPU_M_UDP:
		break;
	}
}

static void
dpu_post(struct dpu_worker *w, struct dpu_msg *m)
{
	if (!w->threaded) {
		w->now_ms = rg_now_ms();
		dpu_apply(w, m);
		dpu_flush(w);
		free(m);
		return;
	}
	m->next = NULL;
	pthread_mutex_lock(&w->mtx);
	*w->msgs_tail = m;
	w->msgs_tail = &m->next;
	pthread_mutex_unlock(&w->mtx);
	dpu_wake(w->evfd);
}

static struct dpu_msg *
dpu_msg_new(enum dpu_msg_kind kind, struct dpu_sa *sa, size_t len)
{
	struct dpu_msg	*m;

	if ((m = calloc(1, sizeof(*m) + len)) == NULL) {
		rg_err(ESP, "out of memory for a data-plane message");
		return NULL;
	}
	m->kind = kind;
	m->sa = sa;
	m->len = len;
	return m;
}

/* An SA to link (ADD) or unlink and free (DEL) to its owner. */
static int
dpu_post_sa(struct dp_backend *b, struct dpu_sa *sa, enum dpu_msg_kind kind)
{
	struct dpu_msg	*m;

	if ((m = dpu_msg_new(kind, sa, 0)) == NULL)
		return -1;
	dpu_post(b->w[sa->owner], m);
	return 0;
}

int
dpu_post_add(struct dp_backend *b, struct dpu_sa *sa)
{
	return dpu_post_sa(b, sa, DPU_M_ADD);
}

int
dpu_post_del(struct dp_backend *b, struct dpu_sa *sa)
{
	return dpu_post_sa(b, sa, DPU_M_DEL);
}

int
dpu_post_addrs(struct dp_backend *b, struct dpu_sa *sa,
    const struct sockaddr *l, const struct sockaddr *p, bool encap)
{
	struct dpu_msg	*m;

	if ((m = dpu_msg_new(DPU_M_ADDRS, sa, 0)) == NULL)
		return -1;
	memcpy(&m->l, l, l->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	memcpy(&m->p, p, p->sa_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	m->encap = encap;
	dpu_post(b->w[sa->owner], m);
	return 0;
}

int
dpu_post_inject(struct dp_backend *b, struct dpu_sa *sa, const uint8_t *pkt,
    size_t len)
{
	struct dpu_msg	*m;

	if (len > DPU_BUF || (m = dpu_msg_new(DPU_M_INJECT, sa, len)) == NULL)
		return -1;
	memcpy(m->pkt, pkt, len);
	dpu_post(b->w[sa->owner], m);
	return 0;
}

/* ---- worker -> loop thread: packets for a local UDP service ---- */

void
dpu_post_udp(struct dpu_worker *w, uint16_t port, uint32_t reqid,
    const uint8_t *pkt, size_t len)
{
	struct dp_backend	*b = w->b;
	struct dpu_msg		*m;

	if (!w->threaded) {
		b->ev.udp_input(b->ev.arg, port, reqid, pkt, len);
		return;
	}
	if ((m = dpu_msg_new(DPU_M_UDP, NULL, len)) == NULL)
		return;
	m->reqid = reqid;
	m->port = port;
	memcpy(m->pkt, pkt, len);
	pthread_mutex_lock(&b->up_mtx);
	*b->up_tail = m;
	b->up_tail = &m->next;
	pthread_mutex_unlock(&b->up_mtx);
	dpu_wake(b->up_fd);
}

static void
dpu_up_read(struct rg_io *io, uint32_t events)
{
	struct dp_backend	*b = io->arg;
	struct dpu_msg		*m, *next;
	uint64_t		 v;

	(void)events;
	if (read(b->up_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&b->up_mtx);
	m = b->up;
	b->up = NULL;
	b->up_tail = &b->up;
	pthread_mutex_unlock(&b->up_mtx);
	for (; m != NULL; m = next) {
		next = m->next;
		if (b->ev.udp_input != NULL)
			b->ev.udp_input(b->ev.arg, m->port, m->reqid, m->pkt,
			    m->len);
		free(m);
	}
}

/* ---- the worker thread ---- */

static void
dpu_ev_read(struct rg_io *io, uint32_t events)
{
	struct dpu_worker	*w = io->arg;
	struct dpu_msg		*m, *next;
	uint64_t		 v;
	bool			 more;

	(void)events;
	if (read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	w->now_ms = rg_now_ms();
	pthread_mutex_lock(&w->mtx);
	m = w->msgs;
	w->msgs = NULL;
	w->msgs_tail = &w->msgs;
	pthread_mutex_unlock(&w->mtx);
	for (; m != NULL; m = next) {
		next = m->next;
		dpu_apply(w, m);
		free(m);
	}
	more = dpu_ring_drain(w);
	dpu_flush(w);
	dpu_kick(w);
	/* every message posted before the stop was taken above */
	if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
		rg_loop_stop(w->loop);
	else if (more)
		dpu_wake(w->evfd);	/* let the other fds have a turn */
}

static void *
dpu_worker_main(void *arg)
{
	struct dpu_worker	*w = arg;

	rg_loop_run(w->loop);
	return NULL;
}

static void
dpu_worker_free(struct dp_backend *b, struct dpu_worker *w)
{
	struct dpu_msg	*m, *next;

	if (w == NULL)
		return;
	if (w->loop != NULL) {
		rg_timer_stop(w->loop, &w->gro_t);
		rg_io_del(w->loop, &w->tun_io);
		rg_io_del(w->loop, &w->udp4_io);
		rg_io_del(w->loop, &w->udp6_io);
		rg_io_del(w->loop, &w->raw4_io);
		rg_io_del(w->loop, &w->raw6_io);
		rg_io_del(w->loop, &w->ev_io);
	}
	if (w->raw4 != -1)
		close(w->raw4);
	if (w->raw6 != -1)
		close(w->raw6);
	if (w->tunfd != -1)
		close(w->tunfd);
	if (w->udp4 != -1)
		close(w->udp4);
	if (w->udp6 != -1)
		close(w->udp6);
	if (w->evfd != -1)
		close(w->evfd);
	for (m = w->msgs; m != NULL; m = next) {
		next = m->next;
		free(m);	/* SAs are freed from the registry */
	}
	pthread_mutex_destroy(&w->mtx);
	if (w->loop != NULL && w->loop != b->loop)
		rg_loop_free(w->loop);
	free(w->ring);
	free(w);
}

static struct dpu_worker *
dpu_worker_new(struct dp_backend *b, unsigned idx, bool threaded, int tunfd)
{
	struct dpu_worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->b = b;
	w->idx = idx;
	w->threaded = threaded;
	w->tunfd = tunfd;
	w->udp4 = w->udp6 = w->raw4 = w->raw6 = -1;
	w->tun_io.fd = w->udp4_io.fd = w->udp6_io.fd = w->ev_io.fd = -1;
	w->raw4_io.fd = w->raw6_io.fd = -1;
	pthread_mutex_init(&w->mtx, NULL);
	w->msgs_tail = &w->msgs;
	rg_timer_init(&w->gro_t, dpu_gro_timer, w);
	w->loop = threaded ? rg_loop_new(0) : b->loop;
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->loop == NULL || w->evfd == -1 ||
	    (threaded && (w->ring = dpu_ring_new()) == NULL)) {
		w->tunfd = -1;		/* the caller closes it */
		dpu_worker_free(b, w);
		return NULL;
	}
	w->tun_io = (struct rg_io){ tunfd, dpu_tun_read, w };
	w->ev_io = (struct rg_io){ w->evfd, dpu_ev_read, w };
	if (rg_io_add(w->loop, &w->tun_io, EPOLLIN) == -1 ||
	    rg_io_add(w->loop, &w->ev_io, EPOLLIN) == -1) {
		dpu_worker_free(b, w);
		return NULL;
	}
	return w;
}

/* 0: one per CPU this process may run on (its affinity mask, so a
 * cpuset or taskset is respected), at most DPU_AUTO_WORKERS: past that a
 * host with ESP in its kernel is better served by XFRM, and each worker
 * holds about 1.7 MB of buffers. */
static unsigned
dpu_nthreads(int threads)
{
	cpu_set_t	 set;
	long		 n;

	if (threads < 0)
		return 1;
	if (threads > 0)
		n = threads;
	else {
		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			n = CPU_COUNT(&set);
		else
			n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n > DPU_AUTO_WORKERS)
			n = DPU_AUTO_WORKERS;
	}
	if (n < 1)
		n = 1;
	return n > DPU_MAX_WORKERS ? DPU_MAX_WORKERS : (unsigned)n;
}

int
dpu_workers_start(struct dp_backend *b, int threads, const char *tun)
{
	int		 fds[DPU_MAX_WORKERS];
	unsigned	 n = dpu_nthreads(threads), i;
	bool		 threaded = threads >= 0;
	sigset_t	 all, old;

	if (threaded) {
		if ((b->up_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
			return -1;
		b->up_io = (struct rg_io){ b->up_fd, dpu_up_read, b };
		if (rg_io_add(b->loop, &b->up_io, EPOLLIN) == -1)
			return -1;
	}
	b->vnet = true;		/* dp_tun_open() falls back without it */
	if (dp_tun_open(tun, b->ifname, &b->vnet, fds, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		b->w[i] = dpu_worker_new(b, i, threaded, fds[i]);
		if (b->w[i] == NULL) {
			while (++i < n)
				close(fds[i]);
			return -1;
		}
		b->nw = i + 1;
	}
	if (n > 1) {
		b->steered = dp_steer_tun(fds[0], n) == 0;
		if (!b->steered)
			rg_warn(ESP, "TUN %s: no BPF queue steering (%s): "
			    "packets reaching the wrong worker are handed "
			    "over by copy", b->ifname, strerror(errno));
	}
	if (!threaded)
		return 0;
	sigfillset(&all);	/* signals stay with the loop thread */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++)
		if (pthread_create(&b->w[i]->thread, NULL, dpu_worker_main,
		    b->w[i]) != 0) {
			b->w[i]->threaded = false;	/* not started */
			break;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (i < n) {
		rg_err(ESP, "cannot start data-plane thread %u", i);
		while (i < n)
			b->w[i++]->threaded = false;
		return -1;
	}
	return 0;
}

void
dpu_workers_stop(struct dp_backend *b)
{
	struct dpu_msg	*m, *next;
	unsigned	 i;

	for (i = 0; i < b->nw; i++)
		if (b->w[i]->threaded) {
			__atomic_store_n(&b->w[i]->stop, true,
			    __ATOMIC_RELEASE);
			dpu_wake(b->w[i]->evfd);
			pthread_join(b->w[i]->thread, NULL);
		}
	for (i = 0; i < b->nw; i++)
		dpu_worker_free(b, b->w[i]);
	b->nw = 0;
	if (b->up_fd != -1) {
		rg_io_del(b->loop, &b->up_io);
		close(b->up_fd);
	}
	for (m = b->up; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	pthread_mutex_destroy(&b->up_mtx);
}

void
dp_user_stats(struct dp_backend *b, int i, struct dpu_stats *st)
{
	const struct dpu_stats	*s;
	unsigned		 k;

	memset(st, 0, sizeof(*st));
	for (k = 0; k < b->nw; k++) {
		if (i >= 0 && (unsigned)i != k)
			continue;
		s = &b->w[k]->st;
#define S(f)	st->f += __atomic_load_n(&s->f, __ATOMIC_RELAXED)
		S(no_sa_in); S(no_sa_out); S(bad_inner); S(policy);
		S(tx_err); S(packets); S(handed); S(ring_full);
#undef S
	}
}

unsigned
dp_user_nworkers(const struct dp_backend *b)
{
	return b->nw;
}
