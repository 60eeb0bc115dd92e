/*
 * eap_mschapv2.c: EAP-MSCHAPv2 server (draft-kamath-pppext-eap-mschapv2-02),
 * RFC 2759 inside EAP.  The check itself (NT-Response, authenticator
 * response, keys) is the auth service's (auth.h: local users now, RADIUS
 * later), asked with auth_check(); the answer comes back on the loop.
 *
 *   Request  Challenge  (OpCode 1, Value-Size 16, challenge, Name "roadgate")
 *   Response Response   (OpCode 2, Value-Size 49, PeerChallenge, 8 zero,
 *                        NT-Response, Flags, Name)
 *   Request  Success    "S=<authenticator> M=<message>"   or
 *   Request  Failure    "E=691 R=0 C=<challenge> V=3 M=<message>"
 *   Response Success / Failure (OpCode only), then EAP-Success / -Failure.
 *
 * The MSK is MasterReceiveKey || MasterSendKey || 32 zero bytes (RFC 3079
 * keys, rg_mschap_msk()).  That is what strongSwan's eap-mschapv2 plugin
 * derives on both ends (its GenerateMSK concatenates the Magic2 key, the
 * Magic3 key and 32 zero bytes), and what Windows and iOS use for IKEv2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "eap_int.h"
#include "rg_log.h"
#include "rg_mschap.h"

#define MSCHAPV2_OP_CHALLENGE	1
#define MSCHAPV2_OP_RESPONSE	2
#define MSCHAPV2_OP_SUCCESS	3
#define MSCHAPV2_OP_FAILURE	4

#define MSCHAPV2_RESP_LEN	49
#define MSCHAPV2_SERVER_NAME	"roadgate"

/* RFC 2759 / MS error codes in the Failure packet's E= field. */
#define ERR_ACCT_DISABLED	647
#define ERR_AUTH_FAILURE	691

enum mschapv2_state {
	MS_CHALLENGE_SENT,
	MS_SUCCESS_SENT,
	MS_FAILURE_SENT,
};

struct mschapv2 {
	enum mschapv2_state	 state;
	uint8_t			 ms_id;		/* MS-CHAPv2-ID */
	uint8_t			 auth_chal[16];
	uint8_t			 msk[RG_MSCHAP_MSK_LEN];	/* wiped */
	struct eap_session	*s;		/* borrowed: the owner */
	struct auth_call	*call;		/* pending question, or NULL */
	struct auth_result	*res;		/* its answer, until resume */
};

/* OpCode, MS-CHAPv2-ID, MS-Length, then body (the type data). */
static struct rg_buf *
mschapv2_packet(uint8_t op, uint8_t ms_id, const void *body, size_t blen)
{
	struct rg_buf	*b;
	struct rg_wr	 w;

	if ((b = rg_buf_new(4 + blen)) == NULL)
		return NULL;
	rg_wr_init(&w, b->data, b->len);
	rg_wr_u8(&w, op);
	rg_wr_u8(&w, ms_id);
	/* MS-Length: from OpCode to the end (EAP Length - 5). */
	rg_wr_u16(&w, (uint16_t)(4 + blen));
	rg_wr_bytes(&w, body, blen);
	if (w.err) {
		rg_buf_free(b);
		return NULL;
	}
	return b;
}

static void *
mschapv2_start(struct eap_session *s, struct rg_buf **req)
{
	struct mschapv2	*m;
	uint8_t		 body[1 + 16 + sizeof(MSCHAPV2_SERVER_NAME) - 1];

	(void)s;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (RAND_bytes(m->auth_chal, sizeof(m->auth_chal)) != 1 ||
	    RAND_bytes(&m->ms_id, 1) != 1) {
		free(m);
		return NULL;
	}
	body[0] = 16;
	memcpy(body + 1, m->auth_chal, 16);
	memcpy(body + 17, MSCHAPV2_SERVER_NAME,
	    sizeof(MSCHAPV2_SERVER_NAME) - 1);
	if ((*req = mschapv2_packet(MSCHAPV2_OP_CHALLENGE, m->ms_id, body,
	    sizeof(body))) == NULL) {
		free(m);
		return NULL;
	}
	m->state = MS_CHALLENGE_SENT;
	return m;
}

static struct rg_buf *
failure_request(struct mschapv2 *m, int err, const char *msg)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 text[160], c[33];
	uint8_t			 chal[16];
	int			 i, n;

	/* A fresh challenge, as for a retry (we send R=0: no retry). */
	if (RAND_bytes(chal, sizeof(chal)) != 1)
		memset(chal, 0, sizeof(chal));
	for (i = 0; i < 16; i++) {
		c[2 * i] = hex[chal[i] >> 4];
		c[2 * i + 1] = hex[chal[i] & 15];
	}
	c[32] = '\0';
	n = snprintf(text, sizeof(text), "E=%d R=0 C=%s V=3 M=%s", err, c,
	    msg);
	m->state = MS_FAILURE_SENT;
	return mschapv2_packet(MSCHAPV2_OP_FAILURE, m->ms_id, text,
	    (size_t)n);
}

/* The answer of auth_check(): back into the EAP session, on the loop. */
static void
mschapv2_answer(void *arg, struct auth_result *r)
{
	struct mschapv2	*m = arg;

	m->call = NULL;
	auth_result_free(m->res);
	m->res = r;
	eap_session_method_answered(m->s);
}

static enum eap_mstatus
mschapv2_response(struct eap_session *s, struct mschapv2 *m,
    struct rg_rd *r, struct rg_buf **req)
{
	struct auth_req		 q;
	const uint8_t		*resp;
	struct rg_rd		 name;
	uint8_t			 vsize;
	char			 user[256];
	const char		*uname;
	size_t			 nlen, clen;

	rg_rd_u8(r, &vsize);
	resp = rg_rd_ptr(r, MSCHAPV2_RESP_LEN);
	name = rg_rd_rest(r);
	if (r->err || vsize != MSCHAPV2_RESP_LEN) {
		eap_session_fail(s, "malformed EAP-MSCHAPv2 response");
		return EAP_M_FAIL;
	}
	/*
	 * The Name field names the user; Android's EAP-Identity is empty,
	 * so only this one has it.  "DOMAIN\user" from Windows: the user
	 * part is what ChallengeHash covers and what the backend looks up.
	 */
	nlen = rg_rd_left(&name);
	if (nlen == 0 || nlen > 255) {
		uname = eap_session_identity(s);
		nlen = strlen(uname);
	} else {
		uname = (const char *)name.cur;
	}
	(void)rg_mschap_user_part(uname, nlen, &clen);
	eap_sanitize(user, sizeof(user), (const uint8_t *)uname, nlen);
	if (clen == 0 || strlen(user) != nlen) {
		eap_session_fail(s, "no usable user name in EAP-MSCHAPv2 "
		    "response");
		*req = failure_request(m, ERR_AUTH_FAILURE,
		    "Authentication failed");
		return *req ? EAP_M_REQUEST : EAP_M_FAIL;
	}
	if (eap_session_auth(s) == NULL) {
		eap_session_fail(s, "no authentication service for "
		    "EAP-MSCHAPv2");
		return EAP_M_FAIL;
	}
	/* resp: PeerChallenge(16) Reserved(8) NT-Response(24) Flags(1) */
	memset(&q, 0, sizeof(q));
	q.kind = AUTH_MSCHAPV2;
	q.user = user;
	q.src = eap_session_peer_addr(s);
	q.service = "eap-mschapv2";
	memcpy(q.u.mschapv2.auth_chal, m->auth_chal, 16);
	memcpy(q.u.mschapv2.peer_chal, resp, 16);
	memcpy(q.u.mschapv2.nt_resp, resp + 24, 24);
	m->s = s;
	m->call = auth_check(eap_session_auth(s), &q, mschapv2_answer, m);
	OPENSSL_cleanse(&q, sizeof(q));
	if (m->call == NULL) {
		eap_session_fail(s, "user %s: out of memory (EAP-MSCHAPv2)",
		    user);
		return EAP_M_FAIL;
	}
	return EAP_M_PENDING;
}

/* The backend's answer: Success request "S=... M=..." or Failure. */
static enum eap_mstatus
mschapv2_resume(struct eap_session *s, void *state, struct rg_buf **req)
{
	struct mschapv2		*m = state;
	struct auth_result	*r = m->res;
	char			 text[RG_MSCHAP_AUTHRESP_LEN + 64];
	enum eap_mstatus	 rc = EAP_M_FAIL;
	int			 n;

	m->res = NULL;
	if (r == NULL)
		return EAP_M_FAIL;
	memset(text, 0, sizeof(text));
	switch (r->outcome) {
	case AUTH_OK:
		if (r->msk_len != RG_MSCHAP_MSK_LEN ||
		    strncmp(r->authenticator, "S=", 2) != 0 ||
		    eap_session_set_user(s, r->user, strlen(r->user)) < 0) {
			eap_session_fail(s, "user %s: MS-CHAPv2 key derivation "
			    "failed", r->user);
			break;
		}
		memcpy(m->msk, r->msk, sizeof(m->msk));
		n = snprintf(text, sizeof(text), "%s M=Welcome to roadgate",
		    r->authenticator);
		if ((*req = mschapv2_packet(MSCHAPV2_OP_SUCCESS, m->ms_id,
		    text, (size_t)n)) == NULL)
			break;
		m->state = MS_SUCCESS_SENT;
		rc = EAP_M_REQUEST;
		break;
	case AUTH_DISABLED:
		/* Only ever after a right password: tells a guesser nothing. */
		eap_session_fail(s, "%s (EAP-MSCHAPv2)", r->reason);
		*req = failure_request(m, ERR_ACCT_DISABLED,
		    "Account disabled");
		rc = *req ? EAP_M_REQUEST : EAP_M_FAIL;
		break;
	case AUTH_ERROR:
		eap_session_fail(s, "%s (EAP-MSCHAPv2)", r->reason);
		break;
	default:
		/* Wrong password, unknown user, throttled: all alike. */
		eap_session_fail(s, "%s (EAP-MSCHAPv2)", r->reason);
		*req = failure_request(m, ERR_AUTH_FAILURE,
		    "Authentication failed");
		rc = *req ? EAP_M_REQUEST : EAP_M_FAIL;
		break;
	}
	OPENSSL_cleanse(text, sizeof(text));
	/* The session keeps the answer: eap_session_result(). */
	eap_session_set_result(s, r);
	return rc;
}

static enum eap_mstatus
mschapv2_process(struct eap_session *s, void *state, const uint8_t *data,
    size_t dlen, struct rg_buf **req)
{
	struct mschapv2	*m = state;
	struct rg_rd	 r;
	uint8_t		 op, ms_id = 0;
	uint16_t	 ms_len = 0;

	rg_rd_init(&r, data, dlen);
	rg_rd_u8(&r, &op);
	if (r.err) {
		eap_session_fail(s, "empty EAP-MSCHAPv2 response");
		return EAP_M_FAIL;
	}
	switch (m->state) {
	case MS_CHALLENGE_SENT:
		rg_rd_u8(&r, &ms_id);
		rg_rd_u16(&r, &ms_len);
		if (op != MSCHAPV2_OP_RESPONSE || r.err) {
			eap_session_fail(s, "expected EAP-MSCHAPv2 Response, "
			    "got OpCode %u", op);
			return EAP_M_FAIL;
		}
		if (ms_len != dlen)
			rg_debug(IKE, "eap-mschapv2: MS-Length %u, packet %zu",
			    ms_len, dlen);
		return mschapv2_response(s, m, &r, req);
	case MS_SUCCESS_SENT:
		/* The peer verified our authenticator; Success response. */
		if (op != MSCHAPV2_OP_SUCCESS) {
			eap_session_fail(s, "user %s: peer rejected our "
			    "authenticator (EAP-MSCHAPv2 OpCode %u)",
			    eap_session_user(s), op);
			return EAP_M_FAIL;
		}
		return EAP_M_DONE;
	case MS_FAILURE_SENT:
	default:
		/* Failure response (or anything): EAP-Failure now. */
		return EAP_M_FAIL;
	}
}

static struct rg_buf *
mschapv2_msk(void *state)
{
	struct mschapv2	*m = state;

	if (m->state != MS_SUCCESS_SENT)
		return NULL;
	return rg_buf_dup(m->msk, sizeof(m->msk));
}

static void
mschapv2_free(void *state)
{
	struct mschapv2	*m = state;

	if (m == NULL)
		return;
	auth_cancel(m->call);
	auth_result_free(m->res);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

const struct eap_method eap_method_mschapv2 = {
	.type = EAP_TYPE_MSCHAPV2,
	.name = "EAP-MSCHAPv2",
	.start = mschapv2_start,
	.process = mschapv2_process,
	.resume = mschapv2_resume,
	.msk = mschapv2_msk,
	.free = mschapv2_free,
};
