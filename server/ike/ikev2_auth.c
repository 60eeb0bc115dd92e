/*
 * ikev2_auth.c: the IKE_AUTH exchange as responder (RFC 7296 1.2, 2.15,
 * 2.16): PSK AUTH, certificate AUTH (checked in ikev2_cert.c), EAP (the
 * client sends no AUTH: EAP rounds through eap.h, then AUTH from the MSK),
 * and the final answer with IDr, CERT, AUTH, CP, SA, TSi, TSr.  An EAP
 * answer may come later (auth.h): the request is then busy
 * (ikev2_engine.c drops its retransmits) and the completion sends the
 * response.  A failure is answered with AUTHENTICATION_FAILED and a log
 * line naming identity, method and reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "cred.h"
#include "eap.h"
#include "ikev2_int.h"

static const char keypad[] = "Key Pad for IKEv2";

struct auth_req {
	const struct ikev2_pl	*idi, *auth, *eap, *cp, *sa, *tsi, *tsr;
	bool			 initial_contact, mobike;
};

static void
parse(const struct ikev2_msg *m, struct auth_req *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev2_pl *p = &m->pl[i];
		struct rg_rd	 rd;
		struct ikev2_notify n;

		switch (p->type) {
		case IKEV2_PL_IDI: r->idi = p; break;
		case IKEV2_PL_AUTH: r->auth = p; break;
		case IKEV2_PL_EAP: r->eap = p; break;
		case IKEV2_PL_CP: r->cp = p; break;
		case IKEV2_PL_SA: r->sa = p; break;
		case IKEV2_PL_TSI: r->tsi = p; break;
		case IKEV2_PL_TSR: r->tsr = p; break;
		case IKEV2_PL_N:
			rg_rd_init(&rd, p->body, p->len);
			if (ikev2_notify_decode(&rd, &n) < 0)
				break;
			if (n.type == IKEV2_N_INITIAL_CONTACT)
				r->initial_contact = true;
			else if (n.type == IKEV2_N_MOBIKE_SUPPORTED)
				r->mobike = true;
			break;
		default:
			break;
		}
	}
}

/* Printable form of an ID for logs and user names (cred.h): -1 when it
 * does not fit, never cut. */
static int
id_text(const struct ikev2_id *id, char *out, size_t len)
{
	struct cred_id	 cid = { id->type, id->data, id->len };

	return cred_id_text(&cid, out, len);
}

/* msg | nonce | prf(SK_p, ID body) (RFC 7296 2.15).  Caller frees. */
static struct rg_buf *
signed_octets(struct ikev2_sa *sa, bool initiator)
{
	const struct rg_buf	*msg = initiator ? sa->hs->init_req : sa->hs->init_resp;
	const uint8_t		*nonce = initiator ? sa->hs->nr : sa->hs->ni;
	size_t			 nlen = initiator ? sa->hs->nrlen : sa->hs->nilen;
	const uint8_t		*key = initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
	const uint8_t		*id = initiator ? sa->hs->idi_body : sa->hs->idr_body;
	size_t			 idlen = initiator ? sa->hs->idi_body_len :
	    sa->hs->idr_body_len;
	struct rg_buf		*o;

	if ((o = rg_buf_new(msg->len + nlen + sa->alg.prf->out)) == NULL)
		return NULL;
	memcpy(o->data, msg->data, msg->len);
	memcpy(o->data + msg->len, nonce, nlen);
	if (ike_prf(sa->alg.prf, key, sa->alg.prf->out, id, idlen, NULL, 0,
	    NULL, 0, o->data + msg->len + nlen) < 0) {
		rg_buf_free(o);
		return NULL;
	}
	return o;
}

/* prf(prf(secret, "Key Pad for IKEv2"), octets) (RFC 7296 2.15). */
static int
shared_key_auth(const struct ikev2_xform *prf, const uint8_t *secret,
    size_t slen, const struct rg_buf *octets, uint8_t *out)
{
	uint8_t	 k[64];
	int	 rc;

	rc = ike_prf(prf, secret, slen, (const uint8_t *)keypad,
	    sizeof(keypad) - 1, NULL, 0, NULL, 0, k);
	if (rc == 0)
		rc = ike_prf(prf, k, prf->out, octets->data, octets->len,
		    NULL, 0, NULL, 0, out);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

static void
auth_failed(struct ikev2_sa *sa, uint32_t msgid, const char *method,
    const char *why)
{
	struct ikev2_enc enc;
	uint8_t		 buf[64];

	sa->eng->ctr.auth_fail++;
	ikev2_log(sa, WARN, "authentication of '%s' (%s) failed: %s",
	    sa->idi[0] ? sa->idi : "?", method, why);
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_AUTHENTICATION_FAILED,
	    NULL, 0);
	ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, msgid, &enc);
	ikev2_sa_destroy(sa, "authentication failed");
}

static void
set_our_id(struct ikev2_sa *sa)
{
	uint8_t	 type = 0, data[256];
	size_t	 len = 0;

	ikev2_cert_our_id(sa->cfg, &type, data, &len);
	if (len == 0) {
		if (sa->local.ss_family == AF_INET6) {
			type = IKEV2_ID_IPV6_ADDR;
			memcpy(data, &((struct sockaddr_in6 *)&sa->local)->
			    sin6_addr, 16);
			len = 16;
		} else {
			type = IKEV2_ID_IPV4_ADDR;
			memcpy(data, &((struct sockaddr_in *)&sa->local)->
			    sin_addr, 4);
			len = 4;
		}
	}
	sa->hs->idr_body[0] = type;
	memset(sa->hs->idr_body + 1, 0, 3);
	memcpy(sa->hs->idr_body + 4, data, len);
	sa->hs->idr_body_len = 4 + len;
}

static void
put_our_id(struct ikev2_sa *sa, struct ikev2_enc *enc)
{
	ikev2_put_id(enc, IKEV2_PL_IDR, sa->hs->idr_body[0], sa->hs->idr_body + 4,
	    sa->hs->idr_body_len - 4);
}

/* Our AUTH with the certificate key. */
static int
put_sig_auth(struct ikev2_sa *sa, struct ikev2_enc *enc)
{
	struct rg_buf	*o = signed_octets(sa, false);
	uint8_t		 sig[1200], method;
	size_t		 slen = sizeof(sig);
	int		 rc = -1;

	if (o != NULL && ikev2_cert_sign(sa, o->data, o->len, &method, sig,
	    &slen) == 0) {
		ikev2_put_auth(enc, method, sig, slen);
		rc = 0;
	}
	rg_buf_free(o);
	return rc;
}

static int
put_shared_auth(struct ikev2_sa *sa, struct ikev2_enc *enc,
    const uint8_t *secret, size_t slen, uint8_t method)
{
	struct rg_buf	*o = signed_octets(sa, false);
	uint8_t		 a[64];
	int		 rc = -1;

	if (o != NULL && shared_key_auth(sa->alg.prf, secret, slen, o, a) == 0) {
		ikev2_put_auth(enc, method, a, sa->alg.prf->out);
		rc = 0;
	}
	rg_buf_free(o);
	return rc;
}

/* Save SA/TSi/TSr/CP of the first IKE_AUTH for the end of EAP. */
static struct rg_buf *
save_child_req(const struct auth_req *r)
{
	const struct ikev2_pl *v[] = { r->cp, r->sa, r->tsi, r->tsr };
	uint8_t		*tmp = malloc(IKEV2_MAX_MSG);
	struct ikev2_enc enc;
	struct rg_buf	*b = NULL;

	if (tmp == NULL)
		return NULL;
	ikev2_enc_inner(&enc, tmp + 1, IKEV2_MAX_MSG - 1);
	for (size_t i = 0; i < 4; i++)
		if (v[i] != NULL)
			ikev2_put_raw(&enc, v[i]->type, v[i]->body, v[i]->len);
	if (!enc.w.err) {
		tmp[0] = enc.first;
		b = rg_buf_dup(tmp, enc.w.len + 1);
	}
	free(tmp);
	return b;
}

/* Authenticated: CP, CHILD_SA, answer, established. */
static void
finish(struct ikev2_sa *sa, const struct ikev2_msg *m, const struct auth_req *r,
    struct ikev2_enc *enc)
{
	const struct rg_profile	*prof;
	uint8_t			*cpstore = NULL;
	struct ikev2_cp		*req = NULL, *rep = NULL;
	int			 nt;
	bool			 cp_ok = true;

	/* RADIUS Filter-Id may name the profile (radius.c checked it). */
	prof = sa->hs != NULL && sa->hs->grant_profile[0] != '\0' ?
	    rg_config_profile(sa->cfg, sa->hs->grant_profile) : NULL;
	if (prof == NULL)
		prof = rg_config_user_profile(sa->cfg, sa->user);
	snprintf(sa->profile, sizeof(sa->profile), "%s",
	    prof != NULL ? prof->name : "");
	sa->initial_contact = r->initial_contact;
	sa->mobike = r->mobike;
	/* Older SAs the client told us it no longer has go first, so they
	 * count against no limit of the new session. */
	if (sa->initial_contact)
		ikev2_sa_initial_contact(sa);
	if (ikev2_sess_open(sa) < 0) {
		char	 why[256];

		if (errno == EUSERS) {
			sa->eng->ctr.session_limit++;
			snprintf(why, sizeof(why), "'%s' already has %u "
			    "sessions (setting max_sessions_per_user)",
			    sa->user, sa->cfg->settings.max_sessions_per_user);
		} else
			snprintf(why, sizeof(why), "no session (out of memory)");
		auth_failed(sa, m->hdr.msgid, sa->auth_method, why);
		goto out;
	}
	if (r->cp != NULL) {
		struct rg_rd rd;

		req = calloc(1, sizeof(*req));
		rep = calloc(1, sizeof(*rep));
		cpstore = malloc(1024);
		if (req == NULL || rep == NULL || cpstore == NULL)
			goto out;
		rg_rd_init(&rd, r->cp->body, r->cp->len);
		if (ikev2_cp_decode(&rd, req) == 0 &&
		    req->cfg_type == IKEV2_CFG_REQUEST) {
			if (ikev2_cp_process(sa, req, rep, cpstore, 1024) < 0)
				cp_ok = false;
			else
				ikev2_put_cp(enc, rep);
		}
	}
	if (!cp_ok) {
		ikev2_put_notify(enc, 0, NULL, 0,
		    IKEV2_N_INTERNAL_ADDRESS_FAILURE, NULL, 0);
	} else if (r->sa != NULL && r->tsi != NULL && r->tsr != NULL) {
		if ((nt = ikev2_child_from_auth(sa, m, enc)) != 0)
			ikev2_put_notify(enc, 0, NULL, 0, (uint16_t)nt,
			    NULL, 0);
	}
	if (sa->mobike)
		ikev2_put_notify(enc, 0, NULL, 0, IKEV2_N_MOBIKE_SUPPORTED,
		    NULL, 0);
	if (ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, m->hdr.msgid,
	    enc) < 0) {
		ikev2_sa_destroy(sa, "cannot send IKE_AUTH response");
		goto out;
	}
	ikev2_sa_established(sa);
out:
	free(req);
	free(rep);
	free(cpstore);
}

static void	eap_answered(struct eap_session *, void *);

/*
 * Who a PSK-authenticated peer is (docs/SECURITY.md, "Identities").  A
 * key configured for exactly this IDi makes the peer that identity; when
 * a user of that name exists the key is the user's own, and the user
 * record decides (a disabled user is refused).  The %any key proves only
 * that the peer knows a shared secret: the session runs as "%any:<IDi>",
 * which no user name can be (store_name_ok), so no user's profile,
 * policy, static address or sticky lease is reachable with it.
 */
static int
psk_peer(struct ikev2_sa *sa, const struct rg_psk *psk, char *why,
    size_t whylen)
{
	const struct rg_user	*u;
	int			 n;

	if (strcmp(psk->id, "%any") == 0) {
		n = snprintf(sa->user, sizeof(sa->user), "%%any:%s", sa->idi);
		if (n < 0 || (size_t)n >= sizeof(sa->user)) {
			snprintf(why, whylen, "identity too long");
			return -1;
		}
		return 0;
	}
	u = rg_config_user(sa->cfg, sa->idi);
	if (u != NULL && !u->enabled) {
		snprintf(why, whylen, "user '%s' is disabled", sa->idi);
		return -1;
	}
	snprintf(sa->user, sizeof(sa->user), "%s", sa->idi);
	return 0;
}

static void
first_auth(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	struct auth_req	 r;
	struct ikev2_id	 id;
	struct ikev2_auth a;
	struct rg_rd	 rd;
	struct rg_buf	*o = NULL;
	uint8_t		*buf = NULL;
	struct ikev2_enc enc;
	char		 why[200];

	parse(m, &r);
	if (r.idi == NULL) {
		auth_failed(sa, m->hdr.msgid, "?", "no IDi payload");
		return;
	}
	rg_rd_init(&rd, r.idi->body, r.idi->len);
	if (ikev2_id_decode(&rd, &id) < 0 ||
	    id.body_len > sizeof(sa->hs->idi_body)) {
		auth_failed(sa, m->hdr.msgid, "?", "malformed IDi");
		return;
	}
	memcpy(sa->hs->idi_body, id.body, id.body_len);
	sa->hs->idi_body_len = id.body_len;
	if (id_text(&id, sa->idi, sizeof(sa->idi)) < 0) {
		auth_failed(sa, m->hdr.msgid, "?", "IDi too long or malformed "
		    "(refused, not cut)");
		return;
	}
	set_our_id(sa);
	if ((buf = malloc(IKEV2_MAX_MSG)) == NULL)
		return;
	ikev2_enc_inner(&enc, buf, IKEV2_MAX_MSG);

	if (r.auth == NULL) {
		/* EAP (RFC 7296 2.16): we authenticate with our certificate
		 * now, the client with EAP, then with the MSK. */
		const char *meth = sa->cfg->settings.eap_method ?
		    sa->cfg->settings.eap_method : "any";
		struct rg_buf *out = NULL;

		snprintf(sa->auth_method, sizeof(sa->auth_method), "eap");
		if (!cred_has_key(cred_of(sa->cfg))) {
			auth_failed(sa, m->hdr.msgid, "eap",
			    "EAP needs a server certificate; none configured");
			goto out;
		}
		if ((sa->eap = eap_session_new(sa->cfg, meth, sa->idi)) ==
		    NULL || eap_session_start(sa->eap, &out) < 0) {
			rg_buf_free(out);
			auth_failed(sa, m->hdr.msgid, "eap",
			    "cannot start an EAP session");
			goto out;
		}
		eap_session_set_auth(sa->eap, sa->eng->auth,
		    (const struct sockaddr *)&sa->peer);
		eap_session_set_done(sa->eap, eap_answered, sa);
		if ((sa->hs->auth_req = save_child_req(&r)) == NULL) {
			rg_buf_free(out);
			auth_failed(sa, m->hdr.msgid, "eap", "out of memory");
			goto out;
		}
		sa->initial_contact = r.initial_contact;
		sa->mobike = r.mobike;
		put_our_id(sa, &enc);
		ikev2_cert_put_chain(sa, &enc);
		if (put_sig_auth(sa, &enc) < 0) {
			rg_buf_free(out);
			auth_failed(sa, m->hdr.msgid, "eap",
			    "cannot sign our AUTH");
			goto out;
		}
		ikev2_put_raw(&enc, IKEV2_PL_EAP, out->data, out->len);
		rg_buf_free(out);
		ikev2_sa_set_state(sa, IKEV2_S_EAP, "EAP started");
		ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, m->hdr.msgid, &enc);
		goto out;
	}

	rg_rd_init(&rd, r.auth->body, r.auth->len);
	if (ikev2_auth_decode(&rd, &a) < 0) {
		auth_failed(sa, m->hdr.msgid, "?", "malformed AUTH");
		goto out;
	}
	if ((o = signed_octets(sa, true)) == NULL)
		goto out;
	if (a.method == IKEV2_AUTH_PSK) {
		const struct rg_psk *psk = rg_config_psk(sa->cfg, sa->idi);
		uint8_t	 want[64];

		snprintf(sa->auth_method, sizeof(sa->auth_method), "psk");
		if (psk == NULL) {
			auth_failed(sa, m->hdr.msgid, "psk",
			    "no pre-shared key for this identity");
			goto out;
		}
		if (shared_key_auth(sa->alg.prf, psk->secret, psk->secret_len,
		    o, want) < 0 || a.len != sa->alg.prf->out ||
		    CRYPTO_memcmp(want, a.data, a.len) != 0) {
			OPENSSL_cleanse(want, sizeof(want));
			auth_failed(sa, m->hdr.msgid, "psk",
			    "AUTH does not match the pre-shared key");
			goto out;
		}
		OPENSSL_cleanse(want, sizeof(want));
		if (psk_peer(sa, psk, why, sizeof(why)) < 0) {
			auth_failed(sa, m->hdr.msgid, "psk", why);
			goto out;
		}
		put_our_id(sa, &enc);
		if (put_shared_auth(sa, &enc, psk->secret, psk->secret_len,
		    IKEV2_AUTH_PSK) < 0)
			goto out;
	} else {
		snprintf(sa->auth_method, sizeof(sa->auth_method), "pubkey");
		if (ikev2_cert_verify_auth(sa, m, &id, &a, o->data, o->len, why,
		    sizeof(why)) < 0) {
			auth_failed(sa, m->hdr.msgid, "pubkey", why);
			goto out;
		}
		put_our_id(sa, &enc);
		ikev2_cert_put_chain(sa, &enc);
		if (put_sig_auth(sa, &enc) < 0) {
			auth_failed(sa, m->hdr.msgid, "pubkey",
			    "cannot sign our AUTH");
			goto out;
		}
	}
	finish(sa, m, &r, &enc);
out:
	rg_buf_free(o);
	free(buf);
}

/* One WARN line and one auth_fail count per failed EAP authentication. */
static void
eap_failed(struct ikev2_sa *sa)
{
	if (sa->eap_fail_logged)
		return;
	sa->eap_fail_logged = true;
	sa->eng->ctr.auth_fail++;
	ikev2_log(sa, WARN, "authentication of '%s' (%s) failed: %s",
	    sa->idi, sa->auth_method, eap_session_error(sa->eap) ?
	    eap_session_error(sa->eap) : "EAP failure");
}

/* The EAP layer's answer to request msgid: out (owned) in SK {EAP}. */
static void
eap_reply(struct ikev2_sa *sa, uint32_t msgid, enum eap_result res,
    struct rg_buf *out)
{
	struct ikev2_enc enc;
	uint8_t		*buf;

	if (out == NULL) {
		auth_failed(sa, msgid, sa->auth_method,
		    "EAP layer gave no answer");
		return;
	}
	if ((buf = malloc(IKEV2_MAX_MSG)) == NULL) {
		rg_buf_free(out);
		return;
	}
	ikev2_enc_inner(&enc, buf, IKEV2_MAX_MSG);
	snprintf(sa->auth_method, sizeof(sa->auth_method), "%s",
	    eap_session_method(sa->eap) ? eap_session_method(sa->eap) : "?");
	ikev2_put_raw(&enc, IKEV2_PL_EAP, out->data, out->len);
	rg_buf_free(out);
	switch (res) {
	case EAP_CONTINUE:
		/* A method failure notice (MS-CHAPv2 E=691) is out; clients
		 * usually give up without answering it. */
		if (eap_session_failed(sa->eap))
			eap_failed(sa);
		ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, msgid, &enc);
		break;
	case EAP_SUCCESS: {
		const struct rg_buf *msk = eap_session_msk(sa->eap);

		snprintf(sa->user, sizeof(sa->user), "%s",
		    eap_session_user(sa->eap) ? eap_session_user(sa->eap) :
		    sa->idi);
		if (msk != NULL && msk->len <= sizeof(sa->hs->eap_msk)) {
			memcpy(sa->hs->eap_msk, msk->data, msk->len);
			sa->hs->eap_msk_len = msk->len;
		}
		ikev2_sess_granted(sa, eap_session_result(sa->eap));
		eap_session_free(sa->eap);
		sa->eap = NULL;
		ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, msgid, &enc);
		break;
	}
	case EAP_FAILURE:
		eap_failed(sa);
		ikev2_send_sk(sa, IKEV2_EXCH_IKE_AUTH, true, msgid, &enc);
		ikev2_sa_destroy(sa, "EAP authentication failed");
		break;
	case EAP_PENDING:
		/* Never from process() or resume() here. */
		break;
	}
	free(buf);
}

static void
eap_step(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	struct auth_req	 r;
	struct ikev2_enc enc;
	uint8_t		*buf;
	struct rg_buf	*out = NULL;
	enum eap_result	 res;

	parse(m, &r);
	if ((buf = malloc(IKEV2_MAX_MSG)) == NULL)
		return;
	ikev2_enc_inner(&enc, buf, IKEV2_MAX_MSG);
	if (r.auth != NULL && sa->eap == NULL) {
		/* After EAP-Success: AUTH from the MSK (RFC 7296 2.16). */
		struct ikev2_auth a;
		struct rg_rd	 rd;
		struct rg_buf	*o = signed_octets(sa, true);
		uint8_t		 want[64];
		struct ikev2_msg *cm = NULL;
		struct auth_req	 cr;
		const uint8_t	*key;
		size_t		 klen;

		rg_rd_init(&rd, r.auth->body, r.auth->len);
		if (ikev2_auth_decode(&rd, &a) < 0 || o == NULL) {
			rg_buf_free(o);
			auth_failed(sa, m->hdr.msgid, sa->auth_method,
			    "malformed AUTH after EAP");
			goto out;
		}
		key = sa->hs->eap_msk_len ? sa->hs->eap_msk : sa->keys.sk_pi;
		klen = sa->hs->eap_msk_len ? sa->hs->eap_msk_len : sa->alg.prf->out;
		if (shared_key_auth(sa->alg.prf, key, klen, o, want) < 0 ||
		    a.len != sa->alg.prf->out ||
		    CRYPTO_memcmp(want, a.data, a.len) != 0) {
			rg_buf_free(o);
			auth_failed(sa, m->hdr.msgid, sa->auth_method,
			    "AUTH after EAP does not match the MSK");
			goto out;
		}
		rg_buf_free(o);
		put_shared_auth(sa, &enc, sa->hs->eap_msk_len ? sa->hs->eap_msk :
		    sa->keys.sk_pr, klen, IKEV2_AUTH_PSK);
		OPENSSL_cleanse(sa->hs->eap_msk, sizeof(sa->hs->eap_msk));
		sa->hs->eap_msk_len = 0;
		if ((cm = calloc(1, sizeof(*cm))) == NULL)
			goto out;
		cm->hdr = m->hdr;
		cm->sk_idx = 0;	/* no SK inside the saved chain */
		if (sa->hs->auth_req == NULL || sa->hs->auth_req->len < 1 ||
		    ikev2_chain_decode(cm, sa->hs->auth_req->data[0],
		    sa->hs->auth_req->data + 1, sa->hs->auth_req->len - 1) < 0) {
			free(cm);
			auth_failed(sa, m->hdr.msgid, sa->auth_method,
			    "saved IKE_AUTH request lost");
			goto out;
		}
		parse(cm, &cr);
		cr.initial_contact = sa->initial_contact;
		cr.mobike = sa->mobike;
		finish(sa, cm, &cr, &enc);
		free(cm);
		goto out;
	}
	if (r.eap == NULL || sa->eap == NULL) {
		auth_failed(sa, m->hdr.msgid, sa->auth_method,
		    "expected an EAP payload");
		goto out;
	}
	res = eap_session_process(sa->eap, r.eap->body, r.eap->len, &out);
	if (res == EAP_PENDING) {
		/* The answer comes from the loop: eap_answered(). */
		sa->busy = true;
		sa->busy_msgid = m->hdr.msgid;
		goto out;
	}
	eap_reply(sa, m->hdr.msgid, res, out);
out:
	free(buf);
}

/* A pending EAP answer arrived: send the response once (it is cached
 * for retransmits from now on) and clear the busy mark. */
static void
eap_answered(struct eap_session *s, void *arg)
{
	struct ikev2_sa	*sa = arg;
	struct rg_buf	*out = NULL;
	enum eap_result	 res;

	if (sa->eap != s || sa->state != IKEV2_S_EAP || !sa->busy)
		return;
	if ((res = eap_session_resume(s, &out)) == EAP_PENDING)
		return;
	sa->busy = false;
	eap_reply(sa, sa->busy_msgid, res, out);
}

void
ikev2_auth_request(struct ikev2_sa *sa, const struct ikev2_msg *m)
{
	switch (sa->state) {
	case IKEV2_S_INIT_DONE:
		first_auth(sa, m);
		break;
	case IKEV2_S_EAP:
		eap_step(sa, m);
		break;
	default:
		sa->eng->ctr.malformed++;
		ikev2_log(sa, DEBUG, "IKE_AUTH in state %s ignored",
		    ikev2_sa_state_name(sa->state));
	}
}
