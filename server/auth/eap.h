/*
 * eap.h: the one EAP server layer (RFC 3748) that IKEv2 uses now and a
 * RADIUS backend (EAP passthrough) and PPP will use later.  A session runs
 * EAP-Identity, then the method (EAP-MSCHAPv2, EAP-TLS) against local
 * users and our CA, and yields the authenticated user name and the MSK.
 *
 * Contract between server/ikev2_* (caller) and server/eap_* (callee).
 */
#ifndef RG_EAP_H
#define RG_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rg_buf.h"
#include "rg_config.h"

enum eap_result {
	EAP_CONTINUE,	/* *out holds the next EAP request to send */
	EAP_SUCCESS,	/* *out holds EAP-Success; MSK and user are set */
	EAP_FAILURE,	/* *out holds EAP-Failure; eap_session_error() says why */
	EAP_PENDING,	/* *out is NULL: nothing to send now; the answer is
			 * being worked on (auth_check()), and the done
			 * callback runs from the loop when it is there;
			 * eap_session_resume() then gives the real result */
};

struct auth;
struct auth_result;
struct eap_session;
struct sockaddr;

/*
 * cfg: counted reference taken; methods: "mschapv2", "tls" or "any"
 * (offer MS-CHAPv2, accept a NAK to TLS), or a comma list in order of
 * preference ("tls,mschapv2": offer TLS, accept a NAK to MS-CHAPv2); NULL
 * takes cfg->settings.eap_method.  peer_id: the IKE IDi as text,
 * for logs (may be NULL).  The session always starts with EAP-Identity:
 * Windows needs the round, Android answers it empty (the name then comes
 * inside MS-CHAPv2).
 */
struct eap_session	*eap_session_new(struct rg_config *cfg, const char *methods,
			    const char *peer_id);
void			 eap_session_free(struct eap_session *);
/* The first request (EAP-Request/Identity). */
int			 eap_session_start(struct eap_session *, struct rg_buf **out);
/* One EAP response from the peer in, the next request/result out.  While
 * an answer is pending, a further response gets EAP_PENDING again. */
enum eap_result		 eap_session_process(struct eap_session *,
			    const uint8_t *in, size_t len, struct rg_buf **out);
/*
 * The authentication service the methods ask (auth.h; borrowed, must
 * outlive the session) and the peer's address for its failed-login
 * throttle (copied; may be NULL).  Without it, password methods fail.
 */
void			 eap_session_set_auth(struct eap_session *,
			    struct auth *, const struct sockaddr *peer);
/*
 * After EAP_PENDING: done runs once, from the loop, when the answer is
 * there; it should call eap_session_resume() and may free the session.
 * Freeing the session while pending cancels the question: done never runs.
 */
typedef void		(*eap_done_fn)(struct eap_session *, void *arg);
void			 eap_session_set_done(struct eap_session *,
			    eap_done_fn, void *arg);
/* The result eap_session_process() said was EAP_PENDING, with its *out;
 * EAP_PENDING (and *out NULL) while it is still being worked on. */
enum eap_result		 eap_session_resume(struct eap_session *,
			    struct rg_buf **out);
bool			 eap_session_pending(const struct eap_session *);
/*
 * After EAP_SUCCESS or EAP_FAILURE: the outcome in auth.h's shape (user,
 * MSK, granted attributes, the reason for the log), the same for every
 * method: the auth service's answer for MS-CHAPv2, made here for EAP-TLS
 * (certificate-based, checked synchronously).  NULL before the end.
 */
const struct auth_result *eap_session_result(const struct eap_session *);
/* After EAP_SUCCESS: the MSK (64 bytes for MS-CHAPv2 and TLS) and the user. */
const struct rg_buf	*eap_session_msk(const struct eap_session *);
const char		*eap_session_user(const struct eap_session *);
const char		*eap_session_method(const struct eap_session *);
const char		*eap_session_error(const struct eap_session *);
/*
 * True once the outcome is known to be a failure, even while EAP_CONTINUE
 * still carries a method's failure notice (the MS-CHAPv2 Failure request
 * "E=691 ...", which Windows shows as "wrong password"; strongSwan and
 * Windows clients give up without answering it).  eap_session_error()
 * says why.
 */
bool			 eap_session_failed(const struct eap_session *);
/* The EAP-Identity the peer gave, sanitised ("" until then; may stay ""). */
const char		*eap_session_identity(const struct eap_session *);

#endif
