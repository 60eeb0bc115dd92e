/*
 * ikev2_int.h: what the ikev2_*.c files share inside the engine: the IKE
 * SA and CHILD SA objects, the engine, and the functions one exchange file
 * calls in another.  Nothing outside server/ikev2_*.c includes it (tests
 * excepted).
 */
#ifndef IKEV2_INT_H
#define IKEV2_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dp.h"
#include "ike_spi.h"
#include "ikev2.h"
#include "ikev2_crypto.h"
#include "ikev2_msg.h"
#include "ikev2_proposal.h"
#include "rg_buf.h"
#include "rg_config.h"
#include "rg_log.h"
#include "rg_loop.h"
#include "sess.h"

struct eap_session;

#define IKEV2_SA_STATE_LIST(X)		\
	X(INIT_DONE,	"INIT_DONE")	\
	X(EAP,		"EAP")		\
	X(ESTABLISHED,	"ESTABLISHED")	\
	X(REKEYED,	"REKEYED")	\
	X(DELETING,	"DELETING")	\
	X(DEAD,		"DEAD")

enum ikev2_sa_state {
#define X(id, n)	IKEV2_S_##id,
	IKEV2_SA_STATE_LIST(X)
#undef X
};

struct ikev2_child {
	struct ikev2_child	*next;
	uint32_t		 spi_in;	/* ours (host order) */
	uint32_t		 spi_out;	/* the peer's */
	uint32_t		 reqid;
	struct ikev2_chosen	 alg;
	uint64_t		 created_ms;
	bool			 installed;	/* handed to dp */
	bool			 rekeyed;	/* replaced, waiting for DELETE */
	uint64_t		 superseded_ms;	/* the peer's rekey replaced it;
						 * 0: not (ikev2_child.c) */
	bool			 transport;	/* transport mode (L2TP/IPsec) */
	uint8_t			 ntsi, ntsr;
	struct ikev2_ts		*ts;		/* owned: narrowed TSi, then TSr */
};

/* What we wait for after sending a request. */
enum ikev2_req_kind {
	IKEV2_REQ_NONE,
	IKEV2_REQ_DPD,
	IKEV2_REQ_DELETE,
	IKEV2_REQ_CHILD_REKEY,
	IKEV2_REQ_DELETE_CHILD,
	IKEV2_REQ_IKE_REKEY,
	IKEV2_REQ_RR,		/* MOBIKE return-routability check */
};

/* Where a message came from: the peer's address, ours, our socket. */
struct ikev2_path {
	struct sockaddr_storage	 peer, local;
	int			 fd;
};

/* MOBIKE (RFC 4555 3.5, 3.6): the peer asked to move to `to' with an
 * authenticated UPDATE_SA_ADDRESSES; our requests go there, and the SA
 * moves once our INFORMATIONAL {N(COOKIE2)} is answered from there. */
struct ikev2_rr {
	struct ikev2_path	 to;
	bool			 nat_peer, nat_local; /* for `to' */
	bool			 sent;	/* our COOKIE2 request is out */
	uint8_t			 cookie2[16];
};

#define IKEV2_MAX_FRAGS		16
/* CHILD_SAs per IKE SA when the setting max_child_sas is 0. */
#define IKEV2_MAX_CHILD_SAS	16
/* How long the peer has to delete a CHILD_SA it rekeyed before we do. */
#define IKEV2_SUPERSEDED_GRACE_MS	(60 * 1000)
/* Fragment reassembly limits (RFC 7383 2.6, docs/SECURITY.md): bytes of
 * decrypted fragments one SA may hold (no message we accept is larger),
 * bytes all SAs together may hold, and how long a partial message waits
 * for its other fragments.  Fragments over a budget are dropped and
 * counted (frag_drop). */
#define IKEV2_FRAG_BUDGET_SA	IKEV2_MAX_MSG
#define IKEV2_FRAG_BUDGET_ALL	(8u << 20)
#define IKEV2_FRAG_TIMEOUT_MS	30000

struct ikev2_sa;

/* Reassembly state (ikev2_frag.c), allocated by the first authenticated
 * fragment and freed with the message or on expiry: an SA that is not
 * receiving a fragmented message keeps only a NULL pointer. */
struct ikev2_frag_rx {
	struct ikev2_sa	*sa;		/* borrowed: the owner */
	struct rg_buf	*frag[IKEV2_MAX_FRAGS]; /* owned, decrypted */
	size_t		 bytes;		/* in frag[]; in eng->frag_bytes */
	uint16_t	 total;
	uint32_t	 msgid;
	uint8_t		 np;
	struct rg_timer	 t_expire;	/* owned; ikev2_frag_clear() stops */
};

/* What only the handshake needs (IKE_SA_INIT .. the last IKE_AUTH);
 * freed when the SA is established, so an idle SA stays small. */
struct ikev2_hs {
	uint8_t			 ni[256], nr[64];
	/* What the authentication (RADIUS) granted: the registry applies
	 * it (sess_set_grant); Filter-Id's profile is chosen in finish(). */
	struct sess_grant	 grant;
	char			 grant_profile[64];
	size_t			 nilen, nrlen;
	struct rg_buf		*init_req;	/* owned: RealMessage1 */
	struct rg_buf		*init_resp;	/* owned: RealMessage2 */
	struct rg_buf		*auth_req;	/* owned: 1st IKE_AUTH SA/TS/CP */
	uint8_t			 idi_body[256];	/* type|rsv|data for AUTH */
	size_t			 idi_body_len;
	uint8_t			 idr_body[256];
	size_t			 idr_body_len;
	uint8_t			 eap_msk[128];	/* wiped after use */
	size_t			 eap_msk_len;
};

struct ikev2_sa {
	struct ikev2_engine	*eng;		/* borrowed */
	struct ikev2_sa		*hnext;		/* by local SPI */
	struct ikev2_sa		*inext;		/* by spi_i (half-open) */
	struct ikev2_sa		*next, *prev;	/* all SAs */
	enum ikev2_sa_state	 state;		/* only ikev2_sa_set_state() */
	uint64_t		 spi_i, spi_r;
	bool			 initiator;	/* we were the original initiator */
	struct rg_config	*cfg;		/* counted reference */

	/* Where the peer is; moved only by ikev2_sa_move(): a NAT mapping
	 * change (RFC 7296 2.23) or MOBIKE after its return-routability check
	 * (RFC 4555 3.5), never by any authenticated request. */
	struct sockaddr_storage	 peer, local;
	int			 fd;
	struct ikev2_path	*rsp;		/* owned: where the request we
						 * answer came from, when not
						 * peer/local/fd (RFC 7296
						 * 2.11) */
	struct ikev2_rr		*rr;		/* owned: MOBIKE move pending */
	bool			 nat_peer, nat_local;
	bool			 frag_ok;	/* peer sent FRAGMENTATION_SUPPORTED */
	bool			 sig_hash_ok;	/* peer sent SIGNATURE_HASH_ALGORITHMS */
	bool			 mobike;
	uint16_t		 sig_hashes;	/* bit n: hash algorithm n */

	struct ikev2_chosen	 alg;
	struct ikev2_keys	 keys;		/* wiped on free */
	struct ikev2_hs		*hs;		/* owned until ESTABLISHED */

	/* Message IDs (RFC 7296 2.3), window 1. */
	uint32_t		 rx_msgid;	/* next request we expect */
	uint32_t		 tx_msgid;	/* next request we send */
	struct rg_buf		*resp[IKEV2_MAX_FRAGS];	/* cached last response */
	size_t			 nresp;
	uint32_t		 resp_msgid;
	bool			 resp_valid;
	struct rg_buf		*req[IKEV2_MAX_FRAGS];	/* our outstanding request */
	size_t			 nreq;
	enum ikev2_req_kind	 req_kind;
	uint8_t			 req_exch;	/* its exchange type */
	uint32_t		 req_arg;	/* e.g. the CHILD SPI rekeyed */
	unsigned int		 req_tries;
	uint64_t		 req_first_ms;
	struct rg_timer		 t_retx;	/* owned */

	/* Fragments being reassembled (RFC 7383 2.6), ikev2_frag.c. */
	struct ikev2_frag_rx	*frx;		/* owned, NULL when none */

	/* Authentication. */
	char			 idi[128];	/* text, for logs and users */
	char			 user[136];	/* "%any:" + idi for a group PSK */
	char			 profile[64];
	char			 auth_method[24];	/* "psk", "pubkey", "eap-..." */
	struct eap_session	*eap;		/* owned */
	/* Busy while pending (as OpenBSD iked): the IKE_AUTH request
	 * whose EAP answer is being worked on; its retransmits are
	 * dropped until the completion sends (and caches) the answer. */
	bool			 busy;
	uint32_t		 busy_msgid;
	bool			 eap_fail_logged;
	bool			 initial_contact;

	/* Session (its registry's copy of id and addresses). */
	struct sess		*sess;		/* NULL until authenticated */
	uint64_t		 session_id;
	struct rg_addr		 vip;
	struct rg_addr		 vip6;
	bool			 has_lease;
	struct ikev2_child	*children;	/* owned */
	uint64_t		 created_ms, established_ms, last_rx_ms;
	struct rg_timer		 t_life;	/* half-open timeout, IKE lifetime */
	struct rg_timer		 t_dpd;		/* liveness */
	struct rg_timer		 t_child;	/* CHILD lifetimes */
	uint8_t			 rk_nonce[32];	/* our CHILD rekey: Ni */
	uint32_t		 rekey_spi_in;	/* our CHILD rekey: new SPI */
	bool			 rekey_spi_held; /* rekey_spi_in is ours to release */
	/* Links between SAs during an IKE rekey (ikev2_rekey.c): borrowed
	 * pointers, each with its partner pointing back; both sides are
	 * cleared together by ikev2_rekey_unlink() when either SA goes. */
	struct ikev2_sa		*rekey_new;	/* our IKE rekey: the new SA */
	struct ikev2_sa		*rekey_of;	/* the SA whose rekey_new or
						 * coll->peer_sa we are */
	struct ike_dh		*rekey_dh;	/* owned: our IKE rekey KE */
	struct ikev2_coll	*coll;		/* owned: rekey collision */
};

/* Both sides rekeyed the same SA at once (RFC 7296 2.8.1, 2.8.2): the
 * peer's exchange, answered while ours was in flight; decided by the
 * lowest nonce once ours completes.  Allocated only on a collision. */
struct ikev2_coll {
	uint32_t		 old_spi_in;	/* CHILD: the SA both rekeyed */
	uint32_t		 peer_spi_in;	/* CHILD: ours in the peer's SA */
	struct ikev2_sa		*peer_sa;	/* IKE: the peer's new SA; its
						 * rekey_of points back */
	uint8_t			 low[256];	/* lowest nonce of its exchange */
	size_t			 lowlen;
};

struct ikev2_counters {
	uint64_t	 rx, tx, malformed, decrypt_fail, bad_spi, bad_msgid;
	uint64_t	 retransmits_answered, no_proposal, auth_fail;
	uint64_t	 established, cookies_sent, invalid_ke, halfopen_drop;
	uint64_t	 ts_unacceptable, dpd_dead;
	uint64_t	 bad_exch;	/* response of another exchange type */
	uint64_t	 frag_drop, frag_expired;
	uint64_t	 addr_kept;	/* request from elsewhere, not moved */
	uint64_t	 child_limit;	/* CREATE_CHILD_SA over max_child_sas */
	uint64_t	 child_superseded;	/* rekeyed, deleted by us */
	uint64_t	 session_limit;	/* IKE_AUTH over max_sessions_per_user */
	uint64_t	 retransmits_busy;	/* dropped: answer pending */
};

#define IKEV2_HASH	1024

struct ikev2_engine {
	struct rg_loop		*loop;		/* borrowed */
	struct rg_config	*cfg;		/* counted reference */
	struct dp		*dp;		/* borrowed, may be NULL */
	struct sess_reg		*sess;		/* borrowed, may be NULL */
	ikev2_send_fn		 send;
	void			*send_arg;

	/* Which local IKE and ESP SPIs are taken, shared with IKEv1; our
	 * own lookups by SPI follow. */
	struct ike_spis		*spis;		/* counted reference */
	struct ikev2_sa		*by_spi[IKEV2_HASH];
	struct ikev2_sa		*by_spi_i[IKEV2_HASH];
	struct ikev2_sa		*all;
	size_t			 nsa, halfopen;
	uint32_t		 next_reqid;
	uint8_t			 cookie_secret[32];
	size_t			 frag_bytes;	/* held by all reassemblies */
	size_t			 frag_budget;	/* IKEV2_FRAG_BUDGET_ALL */

	struct ikev2_pset	 ike_set, esp_set;
	/* Our credentials and the trust anchors: cred_of(sa->cfg) (cred.h). */

	struct ikev2_counters	 ctr;
	struct auth		*auth;		/* what EAP asks (borrowed) */
	struct auth		*own_auth;	/* owned: local users */
};

/* ikev2_engine.c */
int	ikev2_send_raw(struct ikev2_sa *, const uint8_t *, size_t);
/* Encrypt inner (chain built with ikev2_enc_inner) into a response or a
 * request of exchange exch and send it; responses are cached. */
int	ikev2_send_sk(struct ikev2_sa *, uint8_t exch, bool response,
	    uint32_t msgid, const struct ikev2_enc *inner);
/* Our requests go to sa->peer, or while a MOBIKE move is checked to its
 * new address (sa->rr); responses go where their request came from. */
/* Send our request (next tx_msgid) and arm retransmission. */
int	ikev2_send_request(struct ikev2_sa *, uint8_t exch,
	    const struct ikev2_enc *inner, enum ikev2_req_kind, uint32_t arg);
/* Move the SA (and its CHILD SAs in the data plane) to path; encap: ESP
 * in UDP.  Returns the number of CHILD SAs moved. */
unsigned int ikev2_sa_move(struct ikev2_sa *, const struct ikev2_path *,
	    bool encap);
void	ikev2_send_notify_plain(struct ikev2_engine *, const struct ikev2_hdr *,
	    uint16_t type, const uint8_t *data, size_t len,
	    const struct sockaddr *from, const struct sockaddr *to, int fd);

/* ikev2_sa.c */
struct ikev2_sa	*ikev2_sa_new(struct ikev2_engine *, uint64_t spi_i);
void		 ikev2_sa_free(struct ikev2_sa *);
struct ikev2_sa	*ikev2_sa_lookup(struct ikev2_engine *, uint64_t local_spi);
struct ikev2_sa	*ikev2_sa_lookup_init(struct ikev2_engine *, uint64_t spi_i,
		    const struct sockaddr *peer);
void		 ikev2_sa_rehash(struct ikev2_sa *, uint64_t new_local_spi);
void		 ikev2_sa_make_initiator(struct ikev2_sa *);
void		 ikev2_sa_set_state(struct ikev2_sa *, enum ikev2_sa_state,
		    const char *why);
const char	*ikev2_sa_state_name(enum ikev2_sa_state);
/* Tear down: the session ended with cause (its leases released), CHILD
 * SAs out of dp, freed from the loop shortly after (safe inside
 * handlers).  ikev2_sa_destroy: cause NAS_ERROR. */
void		 ikev2_sa_end(struct ikev2_sa *, enum sess_cause,
		    const char *why);
void		 ikev2_sa_destroy(struct ikev2_sa *, const char *why);
void		 ikev2_sa_established(struct ikev2_sa *);
/* The client's INITIAL_CONTACT: established SAs of the same
 * authenticated identity end (before the new session opens). */
void		 ikev2_sa_initial_contact(struct ikev2_sa *);
void		 ikev2_sa_touch(struct ikev2_sa *);
uint64_t	 ikev2_sa_local_spi(const struct ikev2_sa *);
void		 ikev2_sa_cache_clear(struct ikev2_sa *);
void		 ikev2_hs_free(struct ikev2_sa *);
void		 ikev2_sa_take_session(struct ikev2_sa *n, struct ikev2_sa *old);
void		 ikev2_req_clear(struct ikev2_sa *);
#define ikev2_log(sa, lvl, ...)	rg_log_peer(RG_T_IKE, RG_L_##lvl,	\
	(const struct sockaddr *)&(sa)->peer, (sa)->spi_i, (sa)->spi_r,	\
	__VA_ARGS__)

/* ikev2_sess.c: the session provider (server/sess/sess.h) */
/* Authenticated: a session in the registry, sa->session_id set. */
/* The session of an authenticated SA: 0, or -1 with errno EUSERS (the
 * user's limit of sessions reached) or ENOMEM. */
int	ikev2_sess_open(struct ikev2_sa *);
struct auth_result;
void	ikev2_sess_granted(struct ikev2_sa *, const struct auth_result *);
/* Our end of an established session: DELETE(IKE) to the peer, the SA
 * ended with cause.  0, or -1 when sa is not established. */
int	ikev2_sa_kill(struct ikev2_sa *, enum sess_cause, const char *why);

/* ikev2_init.c */
/* NAT_DETECTION_*_IP data: SHA1(SPIi | SPIr | IP | Port) (RFC 7296 2.23). */
void	ikev2_natd_hash(uint64_t spi_i, uint64_t spi_r,
	    const struct sockaddr *, uint8_t out[20]);
void	ikev2_init_request(struct ikev2_engine *, const struct ikev2_msg *,
	    const struct sockaddr *from, const struct sockaddr *to, int fd);

/* ikev2_auth.c */
void	ikev2_auth_request(struct ikev2_sa *, const struct ikev2_msg *);

/* ikev2_cert.c */
/* Parse cfg's credentials now (cred_of); -1 when key or cert unusable. */
int	ikev2_cert_load(const struct rg_config *);
/* The peer's CERT payloads through cred_verify_peer (chain, CRL, EKU,
 * IDi, user record), then AUTH over octets; on 0 sa->user is set; -1
 * with why filled. */
int	ikev2_cert_verify_auth(struct ikev2_sa *, const struct ikev2_msg *,
	    const struct ikev2_id *, const struct ikev2_auth *,
	    const uint8_t *octets, size_t olen, char *why, size_t whylen);
/* Sign octets with our key: method and AUTH data.  0 ok. */
int	ikev2_cert_sign(struct ikev2_sa *, const uint8_t *octets, size_t olen,
	    uint8_t *method, uint8_t *out, size_t *outlen);
/* Our IDr (ID type + data) from settings.server_id or the cert SAN. */
void	ikev2_cert_our_id(const struct rg_config *,
	    uint8_t *type, uint8_t *data, size_t *len);
/* Our certificate chain as CERT payloads. */
void	ikev2_cert_put_chain(struct ikev2_sa *, struct ikev2_enc *);

/* ikev2_cp.c */
/* Fill reply from the request; acquires the lease.  0 ok, -1 failed
 * (the caller answers INTERNAL_ADDRESS_FAILURE). */
int	ikev2_cp_process(struct ikev2_sa *, const struct ikev2_cp *req,
	    struct ikev2_cp *reply, uint8_t *store, size_t storelen);

/* ikev2_ts.c */
int	ikev2_ts_narrow(struct ikev2_sa *, const struct ikev2_ts_pl *tsi,
	    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *out_i,
	    struct ikev2_ts_pl *out_r);
void	ikev2_ts_str(const struct ikev2_ts_pl *, char *, size_t);
/* Transport mode for L2TP/IPsec (policy l2tp_transport): UDP/1701 between
 * the outer addresses, port-strict.  0 ok, -1 TS_UNACCEPTABLE (logged). */
int	ikev2_ts_narrow_l2tp(struct ikev2_sa *, const struct ikev2_ts_pl *tsi,
	    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *out_i,
	    struct ikev2_ts_pl *out_r);

/* ikev2_child.c */
/* Negotiate a CHILD_SA from SA/TSi/TSr in inner; on success appends SA,
 * TSi, TSr to out and installs it.  Returns 0, or the notify type to
 * send instead. */
int	ikev2_child_from_auth(struct ikev2_sa *, const struct ikev2_msg *,
	    struct ikev2_enc *out);
void	ikev2_create_child_request(struct ikev2_sa *, const struct ikev2_msg *);
void	ikev2_child_free_all(struct ikev2_sa *, bool dp_del);
struct ikev2_child *ikev2_child_by_out(struct ikev2_sa *, uint32_t spi_out);
void	ikev2_child_remove(struct ikev2_sa *, struct ikev2_child *, bool dp_del);
void	ikev2_child_rekey_response(struct ikev2_sa *, const struct ikev2_msg *);
void	ikev2_child_lifetime_cb(struct rg_timer *);
void	ikev2_child_arm(struct ikev2_sa *);
/* RFC 7296 2.8.1: the lowest of two nonces (octet strings) into out. */
void	ikev2_nonce_low(const uint8_t *a, size_t al, const uint8_t *b,
	    size_t bl, uint8_t *out, size_t *outlen);
int	ikev2_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b,
	    size_t bl);

/* ikev2_rekey.c: our own IKE SA rekey (RFC 7296 1.3.2, 2.18). */
int	ikev2_ike_rekey_start(struct ikev2_sa *);
/* The peer's IKE rekey n of sa was answered: moves the session to n, or,
 * while our own rekey of sa is in flight, records the collision (2.8.2). */
void	ikev2_ike_rekey_answered(struct ikev2_sa *sa, struct ikev2_sa *n);
void	ikev2_ike_rekey_response(struct ikev2_sa *, const struct ikev2_msg *);
/* Clears every link between sa and other SAs (rekey_new, rekey_of,
 * coll->peer_sa), on both sides; called when sa is destroyed or freed. */
void	ikev2_rekey_unlink(struct ikev2_sa *);
/* Frees sa->coll (CHILD or IKE collision), unlinking its peer_sa. */
void	ikev2_coll_free(struct ikev2_sa *);

/* ikev2_info.c */
/* rx: where the message came from (an UPDATE_SA_ADDRESSES' new path). */
void	ikev2_info_request(struct ikev2_sa *, const struct ikev2_msg *,
	    const struct ikev2_path *rx);
void	ikev2_info_response(struct ikev2_sa *, const struct ikev2_msg *,
	    const struct ikev2_path *rx);
/* Sends the pending MOBIKE return-routability check when no request of
 * ours is outstanding. */
void	ikev2_mobike_rr_next(struct ikev2_sa *);
void	ikev2_dpd_cb(struct rg_timer *);
void	ikev2_send_delete_ike(struct ikev2_sa *);

/* ikev2_frag.c */
/* An SKF fragment: 1 when the message is complete (plain holds the
 * inner chain, np its first type), 0 when more are needed, -1 bad. */
int	ikev2_frag_input(struct ikev2_sa *, const struct ikev2_msg *,
	    uint8_t *plain, size_t cap, size_t *plen, uint8_t *np);
void	ikev2_frag_clear(struct ikev2_sa *);
/* Split a protected message into SKF fragments when it exceeds mtu. */
int	ikev2_frag_seal(struct ikev2_sa *, const struct ikev2_sk_dir *,
	    const struct ikev2_hdr *, uint8_t np, const uint8_t *inner,
	    size_t ilen, struct rg_buf **out, size_t *nout);

#define IKEV2_FRAG_MTU	1280

#endif
