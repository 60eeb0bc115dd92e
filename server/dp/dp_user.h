/*
 * dp_user.h: internals of the userspace data plane shared by dp_user.c
 * (SA tables, packet paths, lifetimes) and dp_user_io.c (sockets, send
 * batches, TUN writes).  Not an interface: nothing outside dp_user*.c
 * includes it.
 */
#ifndef RG_DP_USER_H
#define RG_DP_USER_H

#include <net/if.h>
#include <pthread.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "dp_gro.h"
#include "dp_int.h"
#include "esp.h"
#include "rg_loop.h"

#define DPU_BATCH	64
#define DPU_BUF		4096
#define DPU_HASH	1024		/* buckets; power of two */
#define DPU_TUN_MTU	1400
#define DPU_PATH_MTU	1500		/* assumed outer path MTU */
#define DPU_MAX_ROUTES	4096
/* Room in front of a decrypted packet: a vnet header and, in transport
 * mode, the IPv4 header we rebuild. */
#define DPU_HEAD	32
/* Socket buffers: at line rate a few ms of scheduling delay overflow the
 * default 208 KiB and every drop costs the inner TCP a retransmit. */
#define DPU_SOCKBUF	(8 << 20)

/* An outer address: IPv4 or IPv6 with port, not a sockaddr_storage. */
union dpu_sockaddr {
	struct sockaddr		 sa;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
};

/* One SA.  Sized for the road warrior (memory per CHILD_SA counts at
 * scale, test_dp_user memory_per_child_sa): compact addresses, and only
 * the selectors it has, in ts[] (local ones first).
 *
 * Two owners, two sets of fields.  The loop thread owns the registry
 * (rnext, entry, soft_done, the lifetime limits); the SA's worker owns
 * the packet state (esp, peer/local/encap, hnext) and is the only writer
 * of ctr, which the loop thread reads with relaxed atomic loads. */
struct dpu_sa {
	struct esp_sa		 esp;
	uint32_t		 spi, reqid;
	enum dp_mode		 mode;
	int			 host_af;
	uint32_t		 soft_time_s, hard_time_s;
	uint16_t		 mss_clamp;
	uint16_t		 owner;		/* worker index */
	bool			 inbound, encap;
	bool			 soft_done;
	bool			 hosted;	/* in the outbound host hash */
	uint8_t			 nts_local, nts_remote;
	union dpu_sockaddr	 local, peer;
	uint8_t			 host[16];
	uint64_t		 soft_bytes, hard_bytes;
	uint64_t		 added_ms;
	struct dp_counters	 ctr;
	struct dpu_sa		*hnext;	/* worker: SPI, host or range chain */
	struct dpu_sa		*rnext;	/* loop thread: registry chain */
	TAILQ_ENTRY(dpu_sa)	 entry;	/* loop thread: all, newest first */
	struct dp_ts		 ts[];		/* local ones, then remote */
};
#define DPU_TS_LOCAL(s)		((s)->ts)
#define DPU_TS_REMOTE(s)	((s)->ts + (s)->nts_local)

struct dpu_stats {
	uint64_t	 no_sa_in, no_sa_out, bad_inner, policy, tx_err;
	uint64_t	 packets;	/* ESP packets en/decrypted here */
	uint64_t	 handed;	/* packets passed to another worker */
	uint64_t	 ring_full;	/* ... dropped, the ring was full */
};

/* A packet passed between workers (dp_user_mq.c): one slot of a bounded
 * multi-producer, single-consumer ring; seq orders producers and the
 * consumer (a sequence per slot, no lock). */
#define DPU_RING	256		/* slots; power of two */
enum dpu_pkt_kind { DPU_P_ESP, DPU_P_IP };
struct dpu_slot {
	unsigned long		 seq;	/* atomic */
	uint16_t		 len;
	uint8_t			 kind;	/* enum dpu_pkt_kind */
	uint8_t			 data[DPU_BUF];
};
struct dpu_ring {
	unsigned long		 head;	/* atomic: next slot to fill */
	unsigned long		 tail;	/* consumer only */
	struct dpu_slot		 slot[DPU_RING];
};

struct dpu_msg;

/*
 * One worker: a thread with its own loop, TUN queue, ESP-in-UDP socket
 * (a member of the 4500 SO_REUSEPORT group), batch buffers and the SAs it
 * owns.  With DP_THREADS_INLINE there is one, run by the caller's loop.
 */
struct dpu_worker {
	struct dp_backend	*b;
	unsigned		 idx;
	struct rg_loop		*loop;
	bool			 threaded;
	pthread_t		 thread;
	bool			 stop;		/* atomic: leave the loop */
	int			 tunfd;
	struct rg_io		 tun_io;
	int			 udp4, udp6;	/* own 4500 sockets, or -1 */
	struct rg_io		 udp4_io, udp6_io;
	int			 raw4, raw6;	/* own raw ESP sockets, or -1 */
	struct rg_io		 raw4_io, raw6_io;
	int			 evfd;		/* messages and ring */
	struct rg_io		 ev_io;
	pthread_mutex_t		 mtx;
	struct dpu_msg		*msgs, **msgs_tail;
	struct dpu_ring		*ring;		/* packets for our SAs */
	uint64_t		 kick;		/* wake these after a batch */
	struct dpu_sa		*spi_tab[DPU_HASH];	/* inbound by SPI */
	struct dpu_sa		*host_tab[DPU_HASH];	/* outbound by dst */
	struct dpu_sa		*range;		/* outbound, other selectors */
	struct dp_gro		 gro;		/* TCP segments held for TUN */
	struct rg_timer		 gro_t;		/* flushes gro after a batch */
	struct dpu_stats	 st;
	unsigned		 ndrop_logs;
	uint64_t		 now_ms;	/* read once per batch */

	/* batch buffers (made once) */
	size_t			 txn;
	struct mmsghdr		 txm[DPU_BATCH];
	struct iovec		 txiov[DPU_BATCH];
	struct sockaddr_storage	 txaddr[DPU_BATCH];
	int			 txfd[DPU_BATCH];
	uint8_t			 txtos[DPU_BATCH];
	bool			 no_gso;	/* UDP_SEGMENT refused once */
	union {
		struct cmsghdr	 c;	/* aligns the buffer */
		uint8_t		 b[CMSG_SPACE(sizeof(int))];
	}			 txcm[DPU_BATCH];
	uint8_t			 txbuf[DPU_BATCH][DPU_BUF];
	struct mmsghdr		 rxm[DPU_BATCH];
	struct iovec		 rxiov[DPU_BATCH];
	struct sockaddr_storage	 rxaddr[DPU_BATCH];
	uint8_t			 rxbuf[DPU_BATCH][DPU_BUF];
	uint8_t			 plain[DPU_HEAD + DPU_BUF];
	uint8_t			 icmp[DP_VNET_HDR + DPU_BUF];
};

#define DPU_MAX_WORKERS	64	/* a kick mask bit each */
#define DPU_AUTO_WORKERS	16	/* dp_threads 0: one per CPU, this many
					 * at most */

struct dp_backend {
	struct rg_loop		*loop;		/* the daemon's (IKE) loop */
	struct dp_events	 ev;
	int			 ifindex;
	char			 ifname[IFNAMSIZ];
	bool			 vnet;		/* TUN has IFF_VNET_HDR */
	bool			 steered;	/* TUN queue = f(inner dst) */
	int			 encap4, encap6;	/* IKE's, borrowed */
	bool			 raw4, raw6;	/* workers' raw sockets open */
	bool			 raw_steered4, raw_steered6;
	struct nl_sock		*nl;			/* owned */
	struct dpu_sa		*reg_tab[DPU_HASH];	/* all SAs by SPI */
	TAILQ_HEAD(, dpu_sa)	 sas;
	struct rg_prefix	*routes;		/* owned */
	size_t			 nroutes;
	struct rg_timer		 life;
	unsigned		 ndrop_logs;
	/* workers -> loop thread (local UDP services: DHCPINFORM) */
	pthread_mutex_t		 up_mtx;
	struct dpu_msg		*up, **up_tail;
	int			 up_fd;
	struct rg_io		 up_io;
	unsigned		 nw;
	struct dpu_worker	*w[DPU_MAX_WORKERS];
};

/* dp_user.c: packet paths */
void	dpu_outbound(struct dpu_worker *, uint8_t *pkt, size_t len,
	    bool handed);
void	dpu_inbound(struct dpu_worker *, const uint8_t *esp, size_t len);
void	dpu_send_inject(struct dpu_worker *, struct dpu_sa *, uint8_t *pkt,
	    size_t len);
void	dpu_tun_read(struct rg_io *, uint32_t);
void	dpu_udp_read(struct rg_io *, uint32_t);
void	dpu_raw_read(struct rg_io *, uint32_t);
void	dpu_w_link(struct dpu_worker *, struct dpu_sa *);
void	dpu_w_unlink(struct dpu_worker *, struct dpu_sa *);
void	dpu_sa_free(struct dpu_sa *);
unsigned dpu_spi_owner(const struct dp_backend *, uint32_t spi);
unsigned dpu_dst_owner(const struct dp_backend *, int af, const uint8_t *dst);

/* dp_user_io.c: sockets, send batches, TUN writes */
int	dpu_raw_open(struct dp_backend *, int af);
void	dpu_sockbufs(int fd);
void	dpu_tx_queue(struct dpu_worker *, const struct dpu_sa *, size_t len,
	    uint8_t tos);
void	dpu_flush(struct dpu_worker *);
void	dpu_tun_write(struct dpu_worker *, uint8_t *p, size_t len);
void	dpu_to_tun(struct dpu_worker *, uint8_t *p, size_t len);
void	dpu_gro_timer(struct rg_timer *);
int	dpu_udp_join(struct dp_backend *, int af, int ikefd);

/* dp_user_mq.c: workers, their messages and rings */
int	dpu_workers_start(struct dp_backend *, int threads, const char *tun);
void	dpu_workers_stop(struct dp_backend *);
/* 0, or -1 (out of memory: nothing was posted, nothing changed). */
int	dpu_post_add(struct dp_backend *, struct dpu_sa *);
int	dpu_post_del(struct dp_backend *, struct dpu_sa *);
int	dpu_post_addrs(struct dp_backend *, struct dpu_sa *,
	    const struct sockaddr *l, const struct sockaddr *p, bool encap);
int	dpu_post_inject(struct dp_backend *, struct dpu_sa *,
	    const uint8_t *pkt, size_t len);
void	dpu_post_udp(struct dpu_worker *, uint16_t port, uint32_t reqid,
	    const uint8_t *pkt, size_t len);
/* Hand a packet to worker `to`'s ring; woken after the batch (dpu_kick). */
void	dpu_hand(struct dpu_worker *from, unsigned to, enum dpu_pkt_kind,
	    const uint8_t *pkt, size_t len);
void	dpu_hand_ext(struct dp_backend *, unsigned to, enum dpu_pkt_kind,
	    const uint8_t *pkt, size_t len);
void	dpu_kick(struct dpu_worker *);

/* Counters written by one worker, read by the loop thread. */
static inline void
dpu_ctr_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

static inline uint64_t
dpu_ctr_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Tests: one worker's counters (summed over all when i == -1). */
void	dp_user_stats(struct dp_backend *, int i, struct dpu_stats *);
unsigned dp_user_nworkers(const struct dp_backend *);

#endif
