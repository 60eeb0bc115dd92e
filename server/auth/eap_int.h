/*
 * eap_int.h: what EAP methods see of the session (server/eap.c) and the
 * method-ops table every method implements.  Internal to server/eap*.c and
 * their tests; the IKE side uses eap.h only.
 */
#ifndef RG_EAP_INT_H
#define RG_EAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eap.h"
#include "rg_buf.h"
#include "rg_config.h"

/* RFC 3748 4 codes and 5 types, with names for logs. */
#define EAP_CODE_REQUEST	1
#define EAP_CODE_RESPONSE	2
#define EAP_CODE_SUCCESS	3
#define EAP_CODE_FAILURE	4

#define EAP_TYPE_LIST(X)		\
	X(IDENTITY,	1,  "Identity")	\
	X(NOTIFICATION,	2,  "Notification") \
	X(NAK,		3,  "Nak")	\
	X(MD5,		4,  "MD5-Challenge") \
	X(TLS,		13, "EAP-TLS")	\
	X(TTLS,		21, "EAP-TTLS")	\
	X(PEAP,		25, "PEAP")	\
	X(MSCHAPV2,	26, "EAP-MSCHAPv2") \
	X(EXPANDED,	254, "Expanded")

enum eap_type {
#define X(id, val, name)	EAP_TYPE_##id = val,
	EAP_TYPE_LIST(X)
#undef X
};
const char	*eap_type_name(unsigned int);

#define EAP_HDR_LEN	4	/* Code, Identifier, Length */
#define EAP_MAX_LEN	4096	/* what we accept from a peer (IKE-sized) */

/* One decoded EAP packet (a view into the caller's bytes). */
struct eap_pkt {
	uint8_t		 code;
	uint8_t		 id;
	uint16_t	 len;
	uint8_t		 type;		/* 0 for Success/Failure */
	const uint8_t	*data;		/* type data (after the Type byte) */
	size_t		 dlen;
};

/* RFC 3748 4: pure decode; Length must equal len exactly. 0 or -1. */
int	eap_pkt_decode(const uint8_t *in, size_t len, struct eap_pkt *);
/* Code, Identifier, Length, Type, data: a new buffer (NULL on ENOMEM). */
struct rg_buf	*eap_pkt_encode(uint8_t code, uint8_t id, uint8_t type,
		    const uint8_t *data, size_t dlen);

/* What a method's start/process returns. */
enum eap_mstatus {
	EAP_M_REQUEST,	/* *req holds the next request's type data */
	EAP_M_DONE,	/* authenticated: MSK and user set; send Success */
	EAP_M_FAIL,	/* send EAP-Failure; eap_session_fail() said why */
	EAP_M_PENDING,	/* asked auth_check(); the method calls
			 * eap_session_method_answered() from its done
			 * callback, and eap.c then asks resume() */
};

/*
 * A method implementation.  Several exist (local MS-CHAPv2, local TLS,
 * later a RADIUS passthrough), hence the table.  state is the method's
 * own, allocated by start and released by free.
 */
struct eap_method {
	uint8_t		 type;
	const char	*name;
	/* The first request's type data in *req; NULL state on error. */
	void		*(*start)(struct eap_session *, struct rg_buf **req);
	enum eap_mstatus (*process)(struct eap_session *, void *state,
			    const uint8_t *data, size_t dlen,
			    struct rg_buf **req);
	/* After EAP_M_PENDING and the answer: what process() would have
	 * returned.  NULL for methods that never pend. */
	enum eap_mstatus (*resume)(struct eap_session *, void *state,
			    struct rg_buf **req);
	/* After EAP_M_DONE: a new buffer with the MSK, or NULL. */
	struct rg_buf	*(*msk)(void *state);
	void		 (*free)(void *state);
};

extern const struct eap_method	eap_method_mschapv2;
extern const struct eap_method	eap_method_tls;

/* Session services for methods. */
struct rg_config	*eap_session_cfg(const struct eap_session *);
const char		*eap_session_peer(const struct eap_session *);
int			 eap_session_set_user(struct eap_session *,
			    const char *name, size_t len);
/* The auth service (NULL when none was set) and the peer's address. */
struct auth		*eap_session_auth(const struct eap_session *);
const struct sockaddr	*eap_session_peer_addr(const struct eap_session *);
/* The auth service's answer for this session (ownership passes). */
void			 eap_session_set_result(struct eap_session *,
			    struct auth_result *);
/* A pending method got its answer: resume it and tell the caller. */
void			 eap_session_method_answered(struct eap_session *);
/* Sets eap_session_error() (first call wins) and logs it. */
void			 eap_session_fail(struct eap_session *, const char *fmt,
			    ...) __attribute__((format(printf, 2, 3)));

/* Copy name into out (cap bytes, NUL-terminated), '?' for non-printables. */
void	eap_sanitize(char *out, size_t cap, const uint8_t *name, size_t len);

#endif
