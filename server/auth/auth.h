/*
 * auth.h: the one authentication question every protocol that carries a
 * user asks (IKEv2 EAP-MSCHAPv2 now; IKEv1 XAuth, PPP PAP/CHAP/MS-CHAPv2
 * and the web console later): "are these credentials good, and what does
 * this user get?".  The answer may come later (RADIUS), so it is always an
 * event: auth_check() returns at once and done() runs from the loop, even
 * for the local backend.  auth_cancel() when the asker dies first; done()
 * never runs after it.
 *
 * Backends (struct auth_backend_ops) plug in behind the question: local
 * users from the rg_config snapshot (auth_local.c), a timer-driven one in
 * the tests, RADIUS later.  A failed-login throttle sits in front of every
 * backend, per user and per source address.
 */
#ifndef RG_AUTH_H
#define RG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rg_buf.h"
#include "rg_config.h"
#include "rg_loop.h"
#include "rg_mschap.h"

enum auth_kind {
	AUTH_PAP,		/* user, cleartext password (PAP, XAuth, web) */
	AUTH_CHAP_MD5,		/* RFC 1994: id, challenge, 16-byte response */
	AUTH_MSCHAPV2,		/* RFC 2759: challenges and the NT-Response */
	AUTH_EAP,		/* one EAP message, for passthrough backends */
};

/*
 * A question.  Everything is copied by auth_check(): the caller's buffers
 * may go away as soon as it returns.
 */
struct auth_req {
	enum auth_kind		 kind;
	/*
	 * The user name as the peer gave it (MS-CHAPv2: the Name field,
	 * "DOMAIN\user" allowed; the backend knows which part counts).
	 */
	const char		*user;
	const struct sockaddr	*src;		/* the peer, for the throttle
						 * and logs; may be NULL */
	const char		*service;	/* "eap-mschapv2", "ppp", ...:
						 * for logs */
	union {
		struct {
			const char	*password;
		} pap;
		struct {
			uint8_t		 id;
			const uint8_t	*challenge;
			size_t		 challenge_len;	/* 1..255 */
			uint8_t		 response[16];
		} chap;
		struct {
			uint8_t		 auth_chal[RG_MSCHAP_CHAL_LEN];
			uint8_t		 peer_chal[RG_MSCHAP_CHAL_LEN];
			uint8_t		 nt_resp[RG_MSCHAP_NTRESP_LEN];
		} mschapv2;
		struct {
			const uint8_t	*msg;
			size_t		 len;
		} eap;
	} u;
};

enum auth_outcome {
	AUTH_OK,		/* authenticated: user, keys, attributes set */
	AUTH_REJECT,		/* wrong password, unknown user, or a disabled
				 * user with a wrong password: the peer must
				 * see one and the same failure */
	AUTH_DISABLED,		/* the password was right but the account is
				 * disabled (never said before the password
				 * is proven, so it enumerates nothing) */
	AUTH_THROTTLED,		/* too many failures for this user or source
				 * address lately; refused unchecked */
	AUTH_UNSUPPORTED,	/* the backend cannot check this kind */
	AUTH_ERROR,		/* our fault: memory, crypto, backend down */
	AUTH_CONTINUE,		/* AUTH_EAP only: eap holds the next message
				 * for the peer; ask again with its answer */
};

/*
 * An answer.  Owned by the done() callback's receiver: release with
 * auth_result_free(), which wipes the keys.
 */
struct auth_result {
	enum auth_outcome	 outcome;
	char			 user[256];	/* canonical name (AUTH_OK,
						 * AUTH_DISABLED) */
	char			 reason[200];	/* for the admin's log; names
						 * no secret */
	/* MS-CHAPv2 (AUTH_OK): "S=<40 hex>" and the RFC 3079 keys. */
	char			 authenticator[RG_MSCHAP_AUTHRESP_LEN + 1];
	uint8_t			 msk[RG_MSCHAP_MSK_LEN];
	size_t			 msk_len;	/* 0 when none */
	uint8_t			 mppe_send[16], mppe_recv[16];	/* server's */
	bool			 has_mppe;
	struct rg_buf		*eap;		/* AUTH_CONTINUE / EAP: owned */
	/* Granted attributes: empty from the local backend (the config
	 * decides there); RADIUS fills them. */
	struct rg_addr		 address;	/* af 0: none */
	char			 profile[64];
	char			 policy[64];
	char			 pool[64];	/* RADIUS Framed-Pool */
	uint32_t		 session_timeout_s;	/* 0: none */
	uint32_t		 idle_timeout_s;	/* 0: none */
	struct rg_addr		 dns4[2];	/* MS-Primary/Secondary-DNS-
						 * Server; af 0: none */
	uint32_t		 interim_s;	/* Acct-Interim-Interval */
	uint8_t			 class_attr[253];	/* RADIUS Class */
	size_t			 class_len;
};

void		 auth_result_free(struct auth_result *);
const char	*auth_outcome_name(enum auth_outcome);
const char	*auth_kind_name(enum auth_kind);

struct auth;
struct auth_call;

/* r: the answer, now the callee's.  Runs on the loop thread, at most once. */
typedef void	(*auth_done_fn)(void *arg, struct auth_result *r);

/*
 * A backend.  check() starts work on c (read its question with
 * auth_call_req()) and answers with auth_call_done(), now or later from
 * the loop, exactly once unless cancel() came first.  cancel(): the asker
 * went away; drop c, never answer it.  reconfigure() (may be NULL): a new
 * configuration snapshot.
 */
struct auth_backend_ops {
	const char	*name;
	int		(*check)(void *state, struct auth_call *c);
	void		(*cancel)(void *state, struct auth_call *c);
	void		(*reconfigure)(void *state, struct rg_config *);
	void		(*free)(void *state);
};

const struct auth_req	*auth_call_req(const struct auth_call *);
/* Ownership of r passes; delivery to the asker goes through the loop. */
void			 auth_call_done(struct auth_call *,
			    struct auth_result *r);
/* A zeroed result with outcome and a printf reason. */
struct auth_result	*auth_result_new(enum auth_outcome,
			    const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));

/*
 * The failed-login throttle.  A key (user name, source address) with
 * fails failures within window_ms is refused (AUTH_THROTTLED) for
 * block_ms; a success clears the user's and the address's count.  The
 * address limit is higher: many users may share one NAT.  At most
 * AUTH_THROTTLE_MAX keys are tracked; past that the oldest is forgotten.
 */
#define AUTH_THROTTLE_USER_FAILS	5
#define AUTH_THROTTLE_ADDR_FAILS	20
#define AUTH_THROTTLE_WINDOW_MS		(5 * 60 * 1000)
#define AUTH_THROTTLE_BLOCK_MS		(5 * 60 * 1000)
#define AUTH_THROTTLE_MAX		4096

struct auth_throttle_conf {
	unsigned int	 user_fails;	/* 0: no per-user limit */
	unsigned int	 addr_fails;	/* 0: no per-address limit */
	uint64_t	 window_ms;
	uint64_t	 block_ms;
};

/*
 * cfg: counted reference taken (the local backend's users).  With
 * backend NULL the local backend is used; otherwise ops and state are
 * the backend's (state freed with ops->free in auth_free()).
 */
struct auth	*auth_new(struct rg_loop *, struct rg_config *cfg,
		    const struct auth_backend_ops *ops, void *state);
/* Pending questions are cancelled (their done() never runs). */
void		 auth_free(struct auth *);
void		 auth_reconfigure(struct auth *, struct rg_config *);
void		 auth_set_throttle(struct auth *,
		    const struct auth_throttle_conf *);
struct rg_loop	*auth_loop(const struct auth *);

/*
 * The question.  Returns a handle for auth_cancel(), or NULL when it could
 * not even be asked (out of memory; done() will not run).  done() always
 * runs later, from the loop, never inside auth_check().
 */
struct auth_call *auth_check(struct auth *, const struct auth_req *,
		    auth_done_fn done, void *arg);
/* The asker goes away: done() never runs for c; c is freed. */
void		 auth_cancel(struct auth_call *c);

/* The local backend (auth_local.c): users of the current rg_config. */
extern const struct auth_backend_ops	auth_local_ops;
void		*auth_local_new(struct rg_config *);
/* The local check itself, synchronous (for backends that wrap it). */
struct auth_result *auth_local_answer(void *state, const struct auth_req *);

#endif
