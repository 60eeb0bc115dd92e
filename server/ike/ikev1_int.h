/*
 * ikev1_int.h: what the ikev1_*.c engine files share: the ISAKMP SA and
 * its quick-mode SAs, the engine, and the functions one exchange file
 * calls in another.  Nothing outside server/ike/ikev1_*.c includes it
 * (tests excepted).
 *
 * One ISAKMP SA goes through main mode (ikev1_main.c), XAuth and
 * mode-config (ikev1_xauth.c), then carries quick modes (ikev1_quick.c)
 * and informational exchanges (ikev1_info.c) until it ends.  Its state
 * moves only through ikev1_sa_set_state().
 */
#ifndef IKEV1_INT_H
#define IKEV1_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike_alg.h"
#include "ike_dh.h"
#include "ike_proposal.h"
#include "ike_spi.h"
#include "ike_ts.h"
#include "ikev1.h"
#include "ikev1_crypto.h"
#include "ikev1_msg.h"
#include "rg_buf.h"
#include "rg_config.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"

struct auth_call;

#define IKEV1_SA_STATE_LIST(X)					\
	X(MM_SA,	"MM_SA")	/* main mode: msg 2 sent */	\
	X(MM_KE,	"MM_KE")	/* msg 4 sent, waiting for 5 */	\
	X(AM_SENT,	"AM_SENT")	/* aggressive: msg 2 sent */	\
	X(XAUTH_REQ,	"XAUTH_REQ")	/* our XAuth REQUEST out */	\
	X(XAUTH_CHECK,	"XAUTH_CHECK")	/* password being checked */	\
	X(XAUTH_STATUS,	"XAUTH_STATUS")	/* STATUS SET out */		\
	X(MODECFG,	"MODECFG")	/* waiting for CFG REQUEST */	\
	X(ESTABLISHED,	"ESTABLISHED")					\
	X(DEAD,		"DEAD")

enum ikev1_sa_state {
#define X(id, n)	IKEV1_S_##id,
	IKEV1_SA_STATE_LIST(X)
#undef X
};

/* Limits and timers (the same orders of magnitude as IKEv2's). */
#define IKEV1_HALFOPEN_MS	30000	/* main mode + XAuth must finish */
#define IKEV1_RETX_MS		2000	/* our requests, doubled per try */
#define IKEV1_RETX_TRIES	5
#define IKEV1_XAUTH_TRIES	3
#define IKEV1_HASH		1024
#define IKEV1_MAX_HALFOPEN	10000
#define IKEV1_MAX_CHILD		16
#define IKEV1_CFG_PUSH_MS	1000	/* no REQUEST after XAuth: push */

/* One quick-mode SA pair (RFC 2409 5.5). */
struct ikev1_child {
	struct ikev1_child	*next;
	uint32_t		 spi_in, spi_out;	/* host order */
	uint32_t		 reqid;
	bool			 installed;
	bool			 transport;
	uint64_t		 expires_ms;	/* hard lifetime */
	char			 alg[64];	/* for the session list */
};

/* A quick mode between its first message and HASH(3). */
struct ikev1_qm {
	uint32_t		 msgid;
	struct ikev1_iv		 iv;
	uint8_t			 ni[IKEV1_NONCE_MAX], nr[32];
	size_t			 nilen, nrlen;
	struct rg_buf		*gqm;		/* PFS g^xy, owned */
	const struct ike_alg	*encr, *integ;
	uint32_t		 spi_in, spi_out;
	bool			 encap, transport;
	struct ike_ts_set	 ts_client, ts_ours;	/* for dp */
	uint32_t		 life_s;	/* agreed: min(asked, ours) */
	char			 alg[64];
};

/* What only main mode needs; freed once phase 1 is done. */
struct ikev1_hs {
	struct rg_buf		*sai_b;		/* the client's SA body */
	struct rg_buf		*idi_b;		/* aggressive: IDii body */
	struct ike_dh		*dh;
	uint8_t			 gxi[1024], gxr[1024];
	size_t			 gxilen, gxrlen;
	uint8_t			 ni[IKEV1_NONCE_MAX], nr[32];
	size_t			 nilen, nrlen;
	bool			 natd_rx;	/* the client sent NAT-D */
};

struct ikev1_counters {
	uint64_t	 rx, tx, malformed, decrypt_fail, bad_cookie;
	uint64_t	 retransmits_answered, retransmits_busy, no_proposal;
	uint64_t	 auth_fail, xauth_fail, established, halfopen_drop;
	uint64_t	 bad_exch, bad_hash, children, deletes, dpd_answered;
	uint64_t	 dpd_dead, refused_off, aggressive_refused;
};

struct ikev1_engine;

struct ikev1_isakmp {
	struct ikev1_engine	*eng;		/* borrowed */
	struct ikev1_isakmp	*hnext;		/* by our cookie */
	struct ikev1_isakmp	*inext;		/* by the client's cookie */
	struct ikev1_isakmp	*next, *prev;	/* all SAs */
	enum ikev1_sa_state	 state;		/* only ikev1_sa_set_state() */
	uint8_t			 ck_i[8], ck_r[8];
	uint64_t		 cki, ckr;	/* the same, as numbers */
	struct rg_config	*cfg;		/* counted reference */

	struct sockaddr_storage	 peer, local;
	int			 fd;
	bool			 nat_peer, nat_local;	/* NAT-D said so */
	enum ikev1_vid		 natt;		/* NAT-T VID agreed;
						 * UNKNOWN: none */
	bool			 vid_xauth, vid_unity, vid_dpd;
	bool			 vid_frag;	/* fragments both ways */
	struct ikev1_reasm	*reasm;		/* owned: pieces received */
	uint16_t		 frag_id;	/* of our last fragmented */

	/* Phase 1. */
	const struct ike_alg	*encr, *prf, *dh_alg;
	uint16_t		 auth_method;
	uint32_t		 life_s;
	struct ikev1_keys	 keys;		/* wiped on free */
	struct ikev1_iv		 iv;		/* phase-1 CBC chain */
	struct ikev1_hs		*hs;		/* owned until phase 1 ends */
	char			 idi[128];	/* the client's phase-1 ID */
	char			 psk_id[128];	/* whose PSK authenticated it */
	bool			 initial_contact;	/* the client sent it */
	bool			 psk_warned;	/* message 5 undecryptable,
						 * logged once */

	/* The transaction exchange in progress (XAuth, mode-config). */
	uint32_t		 cfg_msgid;
	struct ikev1_iv		 cfg_iv;
	uint16_t		 cfg_ident;

	/* Retransmissions (RFC 2408 5.1 leaves them to us): the last
	 * message the client sent and our answer to it. */
	struct rg_buf		*last_rx;	/* owned */
	struct rg_buf		*last_tx;	/* owned, NULL: no answer yet */
	/* Our own request (XAuth, STATUS, DPD), retransmitted. */
	struct rg_buf		*req;		/* owned */
	uint32_t		 req_msgid;
	unsigned int		 req_tries;
	struct rg_timer		 t_retx;

	/* XAuth. */
	unsigned int		 xauth_tries;
	struct auth_call	*acall;		/* pending auth_check() */
	char			 user[136];

	/* Session. */
	struct sess		*sess;
	uint64_t		 session_id;
	struct rg_addr		 vip;
	char			 profile[64];
	struct ikev1_child	*children;	/* owned */
	struct ikev1_qm		*qm;		/* owned, one at a time */

	uint64_t		 created_ms, established_ms, last_rx_ms;
	uint32_t		 dpd_seq_tx;
	unsigned int		 dpd_missed;
	struct rg_timer		 t_life;	/* half-open, lifetime */
	struct rg_timer		 t_dpd;
	struct rg_timer		 t_push;	/* mode-config push */
	struct rg_timer		 t_child;	/* ESP SA lifetimes */
};

struct ikev1_engine {
	struct rg_loop		*loop;		/* borrowed */
	struct rg_config	*cfg;		/* counted reference */
	struct dp		*dp;		/* borrowed, may be NULL */
	struct sess_reg		*sess;		/* borrowed, may be NULL */
	ikev1_send_fn		 send;
	void			*send_arg;
	struct ike_spis		*spis;		/* counted reference */
	struct ikev1_isakmp		*by_ckr[IKEV1_HASH];
	struct ikev1_isakmp		*by_cki[IKEV1_HASH];
	struct ikev1_isakmp		*all;
	size_t			 nsa, halfopen;
	uint32_t		 next_reqid;
	struct ike_pset		 ike_set, esp_set;
	struct ikev1_counters	 ctr;
	struct auth		*auth;		/* borrowed */
	struct auth		*own_auth;	/* owned: local users */
	/* Where the message being handled came from (valid during
	 * ikev1_engine_input()). */
	const struct sockaddr	*rx_from, *rx_to;
	int			 rx_fd;
};

#define ikev1_log(sa, lvl, ...)	rg_log_peer(RG_T_IKE, RG_L_##lvl,	\
	(const struct sockaddr *)&(sa)->peer, (sa)->cki, (sa)->ckr,	\
	__VA_ARGS__)

/* Reqids of IKEv1 children start here, apart from IKEv2's (from 1). */
#define IKEV1_REQID_BASE	0x40000000u

/* ikev1_engine.c */
/* How a message of ours is kept: the answer to last_rx (resent when
 * the client repeats it), our request (retransmitted until
 * ikev1_req_clear()), or sent once (informational). */
enum ikev1_tx {
	IKEV1_TX_RESPONSE,
	IKEV1_TX_REQUEST,
	IKEV1_TX_ONCE,
};
/* Encrypt body (payload chain, first type first) and send it with
 * exch/msgid; iv chains. */
int	ikev1_send_enc(struct ikev1_isakmp *, uint8_t exch, uint32_t msgid,
	    struct ikev1_iv *iv, uint8_t first, const uint8_t *body,
	    size_t len, enum ikev1_tx);
int	ikev1_send_plain(struct ikev1_isakmp *, const uint8_t *, size_t);

/* ikev1_frag.c: a fragment received (whole messages go on to
 * ikev1_engine_input); a message sent in pieces of IKEV1_FRAG_SIZE. */
#define IKEV1_FRAG_SIZE		1024	/* bytes of UDP payload a piece */
#define IKEV1_FRAG_MAX		16
void	ikev1_frag_input(struct ikev1_engine *, const struct ikev1_msg *,
	    const struct sockaddr *from, const struct sockaddr *to, int fd);
int	ikev1_frag_send(struct ikev1_isakmp *, const uint8_t *, size_t);
void	ikev1_reasm_free(struct ikev1_isakmp *);
void	ikev1_req_clear(struct ikev1_isakmp *);
/* The client's phase-1 message proved itself: the SA follows it to the
 * address and port it came from (NAT-T's move to 4500). */
void	ikev1_sa_follow(struct ikev1_isakmp *);
void	ikev1_retx_cb(struct rg_timer *);
/* Fill the HASH payload that leads body (4 + prf->out bytes) with
 * prf(SKEYID_a, M-ID [| ni] | rest). */
int	ikev1_hash_fill(struct ikev1_isakmp *, uint32_t msgid,
	    const uint8_t *ni, size_t nilen, uint8_t *body, size_t len);
/* Does the message's leading HASH match prf(SKEYID_a, M-ID | rest)? */
bool	ikev1_hash_check(struct ikev1_isakmp *, uint32_t msgid,
	    const uint8_t *ni, size_t nilen, const struct ikev1_msg *);

/* ikev1_sa.c */
struct ikev1_isakmp *ikev1_sa_new(struct ikev1_engine *, const uint8_t *ck_i,
		    const struct sockaddr *peer, const struct sockaddr *local,
		    int fd);
void		 ikev1_sa_free(struct ikev1_isakmp *);
struct ikev1_isakmp *ikev1_sa_lookup(struct ikev1_engine *,
		    const uint8_t *ck_i, const uint8_t *ck_r);
struct ikev1_isakmp	*ikev1_sa_lookup_init(struct ikev1_engine *,
		    const uint8_t *ck_i, const struct sockaddr *peer);
void		 ikev1_sa_set_state(struct ikev1_isakmp *, enum ikev1_sa_state,
		    const char *why);
const char	*ikev1_sa_state_name(enum ikev1_sa_state);
/* The session ends with cause, children out of dp, SA freed from the
 * loop shortly after (safe inside handlers). */
void		 ikev1_sa_end(struct ikev1_isakmp *, enum sess_cause,
		    const char *why);
void		 ikev1_hs_free(struct ikev1_isakmp *);
void		 ikev1_child_free_all(struct ikev1_isakmp *);
void		 ikev1_qm_free(struct ikev1_isakmp *);

/* ikev1_main.c, and what aggressive mode shares with it */
void	ikev1_p1_read_vids(struct ikev1_isakmp *, const struct ikev1_msg *);
/* The first transform of the client's phase-1 SA the active set allows;
 * group: 0 any, else only transforms of this group (aggressive mode). */
const struct ikev1_xf *ikev1_p1_choose(struct ikev1_engine *,
	    const struct ikev1_sa *, uint16_t group,
	    const struct rg_config *sigcfg,	/* NULL: PSK methods only */
	    const struct ike_alg **encr, const struct ike_alg **prf,
	    const struct ike_alg **dh);
/* XAuth follows phase 1 (XAUTHInitPreShared, XAUTHInitRSA, hybrid). */
bool	ikev1_auth_xauth(uint16_t auth_method);
/* The client signs with its certificate (RSA, XAUTHInitRSA, ECDSA). */
bool	ikev1_auth_sig(uint16_t auth_method);
/* "ikev1-psk", "ikev1-xauth-rsa", ... for the session. */
const char *ikev1_auth_method_name(uint16_t auth_method);
void	ikev1_p1_log_no_proposal(struct ikev1_engine *, const char *mode,
	    const struct sockaddr *, const struct ikev1_sa *);
void	ikev1_p1_notify_plain(struct ikev1_engine *, const struct ikev1_hdr *,
	    uint16_t type, const struct sockaddr *from,
	    const struct sockaddr *to, int fd);
/* NAT-D payloads of m against our and the client's addresses. */
void	ikev1_p1_natd_check(struct ikev1_isakmp *, const struct ikev1_msg *);
uint8_t	ikev1_p1_natd_type(const struct ikev1_isakmp *);
/* Our NAT-D pair (the client's address first) into enc. */
void	ikev1_p1_put_natd(struct ikev1_isakmp *, struct ikev1_enc *);
/* Our ID payload body (type, proto, port, address) for HASH_R. */
size_t	ikev1_p1_our_id(const struct ikev1_isakmp *, uint8_t *, size_t);
void	ikev1_p1_id_text(const struct ikev1_id *, char *, size_t);
/* Phase 1 authenticated: XAuth next, or (PSK alone) the session. */
void	ikev1_p1_done(struct ikev1_isakmp *);
void	ikev1_main_r1(struct ikev1_engine *, const struct ikev1_msg *,
	    const struct sockaddr *from, const struct sockaddr *to, int fd);
void	ikev1_main_input(struct ikev1_isakmp *, const struct ikev1_msg *,
	    const struct ikev1_msg *plain);

/* ikev1_aggr.c: aggressive mode (setting ikev1_aggressive psk) */
void	ikev1_aggr_r1(struct ikev1_engine *, const struct ikev1_msg *,
	    const struct sockaddr *from, const struct sockaddr *to, int fd);
void	ikev1_aggr_input(struct ikev1_isakmp *, const struct ikev1_msg *);

/* ikev1_xauth.c */
void	ikev1_xauth_start(struct ikev1_isakmp *);
void	ikev1_transaction_input(struct ikev1_isakmp *,
	    const struct ikev1_msg *);
void	ikev1_cfg_push_cb(struct rg_timer *);

/* ikev1_quick.c */
void	ikev1_quick_input(struct ikev1_isakmp *, const struct ikev1_msg *);
void	ikev1_child_delete(struct ikev1_isakmp *, uint32_t spi_out);
/* An ESP SA past its lifetime (the client did not rekey it in time) is
 * deleted by us: DELETE to the client, out of the data plane. */
void	ikev1_child_life_cb(struct rg_timer *);
/* The lifetime timer for the first of sa's ESP SAs to expire. */
void	ikev1_child_arm(struct ikev1_isakmp *);

/* ikev1_info.c */
void	ikev1_info_input(struct ikev1_isakmp *, const struct ikev1_msg *);
/* Our informational exchanges (RFC 2409 5.7): HASH(1) and one N or D. */
int	ikev1_info_notify(struct ikev1_isakmp *, uint16_t type,
	    const uint8_t *data, size_t len);
void	ikev1_send_delete_esp(struct ikev1_isakmp *, uint32_t spi_in);
void	ikev1_send_delete_isakmp(struct ikev1_isakmp *);
void	ikev1_dpd_cb(struct rg_timer *);

/* ikev1_sess.c */
/* The session of the authenticated user (sa->user): with the client's
 * INITIAL-CONTACT, established SAs of the same user end first. */
int	ikev1_sess_open(struct ikev1_isakmp *);
int	ikev1_sa_kill(struct ikev1_isakmp *, enum sess_cause, const char *why);

#endif
