/*
 * ikev1_test_lib.h: helpers shared by the IKEv1 engine tests
 * (test_ikev1_engine.c, test_ikev1_transport.c, test_ikev1_cert.c).
 */
#ifndef IKEV1_TEST_LIB_H
#define IKEV1_TEST_LIB_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ikev1.h"
#include "ikev1_initiator.h"
#include "rg_config.h"

#define QMAX	16
extern uint8_t			*q_pkt[QMAX];
extern size_t			 q_len[QMAX], q_n;
extern struct rg_loop		*loop;
extern struct sess_reg		*reg;
extern struct sockaddr_in	 cli, srv;
extern const struct ikev1_ini_conf base;

void			 q_clear(void);
struct rg_config	*config(void);
struct ikev1_engine	*engine(struct rg_config *);
void			 input(struct ikev1_engine *, const uint8_t *, size_t);
long long		 counter(struct ikev1_engine *, const char *);
long long		 sas(struct ikev1_engine *);
void			 pump(void);
void			 drive(struct ikev1_engine *, struct ikev1_ini *,
			    struct ikev1_ini_out *);
struct ikev1_ini	*connect_with(struct ikev1_engine *,
			    const struct ikev1_ini_conf *);
json_t			*first_session(void);
void			 ikev1_test_done(void);

#endif
