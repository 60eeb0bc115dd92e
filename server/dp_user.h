/*
 * dp_user.h: internals of the userspace data plane shared by dp_user.c
 * (SA tables, packet paths, lifetimes) and dp_user_io.c (sockets, send
 * batches, TUN writes).  Not an interface: nothing outside dp_user*.c
 * includes it.
 */
#ifndef RG_DP_USER_H
#define RG_DP_USER_H

#include <net/if.h>
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
 * the selectors it has, in ts[] (local ones first). */
struct dpu_sa {
	struct esp_sa		 esp;
	uint32_t		 spi, reqid;
	enum dp_mode		 mode;
	int			 host_af;
	uint32_t		 soft_time_s, hard_time_s;
	uint16_t		 mss_clamp;
	bool			 inbound, encap;
	bool			 soft_done;
	bool			 hosted;	/* in the outbound host hash */
	uint8_t			 nts_local, nts_remote;
	union dpu_sockaddr	 local, peer;
	uint8_t			 host[16];
	uint64_t		 soft_bytes, hard_bytes;
	uint64_t		 added_ms;
	struct dp_counters	 ctr;
	struct dpu_sa		*hnext;		/* SPI or host hash chain */
	TAILQ_ENTRY(dpu_sa)	 entry;		/* all SAs, newest first */
	struct dp_ts		 ts[];		/* local ones, then remote */
};
#define DPU_TS_LOCAL(s)		((s)->ts)
#define DPU_TS_REMOTE(s)	((s)->ts + (s)->nts_local)

struct dpu_stats {
	uint64_t	 no_sa_in, no_sa_out, bad_inner, policy, tx_err;
};

struct dp_backend {
	struct rg_loop		*loop;
	struct dp_events	 ev;
	int			 tunfd;
	int			 ifindex;
	char			 ifname[IFNAMSIZ];
	struct rg_io		 tun_io;
	int			 encap4, encap6;	/* borrowed from IKE */
	int			 raw4, raw6;		/* owned */
	struct rg_io		 raw4_io, raw6_io;
	struct nl_sock		*nl;			/* owned */
	struct dpu_sa		*spi_tab[DPU_HASH];	/* inbound by SPI */
	struct dpu_sa		*host_tab[DPU_HASH];	/* outbound by dst */
	TAILQ_HEAD(, dpu_sa)	 sas;
	struct rg_prefix	*routes;		/* owned */
	size_t			 nroutes;
	struct rg_timer		 life;
	bool			 vnet;		/* TUN has IFF_VNET_HDR */
	struct dp_gro		 gro;		/* TCP segments held for TUN */
	struct rg_timer		 gro_t;		/* flushes gro after the batch */
	struct dpu_stats	 st;
	unsigned		 ndrop_logs;

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
	uint8_t			 inject[DPU_BUF];
};

/* dp_user_io.c */
int	dpu_raw_open(struct dp_backend *, int af);
void	dpu_sockbufs(int fd);
void	dpu_tx_queue(struct dp_backend *, const struct dpu_sa *, size_t len,
	    uint8_t tos);
void	dpu_flush(struct dp_backend *);
void	dpu_tun_write(struct dp_backend *, uint8_t *p, size_t len);
void	dpu_to_tun(struct dp_backend *, uint8_t *p, size_t len);
void	dpu_gro_timer(struct rg_timer *);
/* dp_user.c */
void	dpu_raw_read(struct rg_io *, uint32_t);

#endif
