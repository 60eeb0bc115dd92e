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

/* What an Access-Accept granted, kept until the session starts. */
struct radius_grant {
	char		 user[256];
	uint8_t		 class_attr[253];
	size_t		 class_len;
	uint32_t	 interim_s;
	uint64_t	 when;		/* monotonic ms; 0: free */
};

struct rauth;

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
	uint64_t		 acct_failed;	/* records no server took */
};

#endif
