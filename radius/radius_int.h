/*
 * radius_int.h: the RADIUS module's state, shared by radius.c (servers,
 * auth backend) and radius_acct.c (accounting).  Not for outside radius/.
 */
#ifndef RADIUS_INT_H
#define RADIUS_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include "radius.h"
#include "rg_loop.h"

#define RADIUS_GRANTS	64
/* Accounting records kept while no server takes them (the oldest goes
 * past it, counted), sent at most so many at a time, tried again so
 * long after a record found no server. */
#define RADIUS_ACCT_QUEUE_MAX	10000
#define RADIUS_ACCT_WINDOW	32
#define RADIUS_ACCT_RETRY_MS	5000

/* What an Access-Accept granted, kept until the session starts. */
struct radius_grant {
	char		 user[256];
	uint8_t		 class_attr[253];
	size_t		 class_len;
	uint32_t	 interim_s;
	uint64_t	 when;		/* monotonic ms; 0: free */
};

struct rauth;
struct store;
struct radius_acct_rec;
struct radius_dae;

struct radius {
	struct rg_loop		*loop;
	struct rg_config	*cfg;		/* counted reference */
	struct rad_client	*client;	/* owned */
	void			*local;		/* auth_local_new() */
	char			 boot_id[20];	/* Acct-Session-Id prefix */
	uint64_t		 nlogins;
	LIST_HEAD(, rauth)	 pending;
	struct radius_grant	 grants[RADIUS_GRANTS];
	size_t			 ngrant;
	/* radius_acct.c */
	struct sess_reg		*sess;		/* borrowed; NULL: none */
	LIST_HEAD(, radius_acct_sess) acct;	/* live sessions */
	bool			 acct_on_sent;
	uint64_t		 acct_failed;	/* sends no server answered */
	/* Store-and-forward: every record waits here (and in the store,
	 * when there is one) until a server acknowledged it. */
	struct store		*store;		/* borrowed; NULL: memory */
	TAILQ_HEAD(, radius_acct_rec) acct_q;	/* oldest first */
	size_t			 acct_qlen, acct_inflight;
	size_t			 acct_qmax;	/* RADIUS_ACCT_QUEUE_MAX */
	uint64_t		 acct_dropped;	/* oldest dropped past qmax */
	uint64_t		 acct_sent;	/* acknowledged */
	uint32_t		 acct_retry_ms;	/* RADIUS_ACCT_RETRY_MS */
	struct rg_timer		 acct_retry;
	struct radius_dae	*dae;		/* owned; radius_dae.c */
};

/* radius_acct.c: the queue (tests look at acct_qlen, acct_dropped). */
void	radius_acct_init(struct radius *);
/* Servers changed: try the waiting records now. */
void	radius_acct_kick(struct radius *);

#endif
