/*
 * ikev1_xauth.c: the transaction exchanges after main mode
 * (draft-dukes-ike-mode-cfg-02 3.2; every message starts with HASH =
 * prf(SKEYID_a, M-ID | ATTR)):
 *
 * XAuth (draft-beaulieu-ike-xauth-02 4): we REQUEST XAUTH_USER_NAME and
 * XAUTH_USER_PASSWORD, the client REPLYs, the password goes through
 * auth_check() (PAP: the same question PPP and the web console ask) and
 * its answer arrives later on the loop; meanwhile the state is
 * XAUTH_CHECK and retransmits of the REPLY are dropped.  Then we SET
 * XAUTH_STATUS (1 OK, 0 FAIL), the client ACKs.  Up to three tries.
 *
 * Mode-config pull: the client REQUESTs, we REPLY with what it asked
 * (or, when it has not asked IKEV1_CFG_PUSH_MS after XAuth, we SET what
 * it needs and it ACKs):
 * INTERNAL_IP4_ADDRESS (the session's lease; the profile's DNS servers
 * go with it), NETMASK, DNS, NBNS and,
 * when it sent the Cisco Unity vendor ID, UNITY_SPLIT_INCLUDE (the
 * profile's split networks inside the user's policy) and
 * UNITY_DEF_DOMAIN / UNITY_BANNER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "ike_prf.h"
#include "ikev1_int.h"

static uint32_t
new_msgid(void)
{
	uint32_t v = 0;

	while (v == 0)
		if (ike_random(&v, sizeof(v)) < 0)
			return 0x5a5a5a5a;
	return v;
}

/* Our transaction: HASH, ATTR in a fresh exchange (new M-ID and IV) when
 * request; else the answer in the client's exchange. */
static int
send_cfg(struct ikev1_isakmp *sa, const struct ikev1_cfg *c, bool request)
{
	struct ikev1_enc enc;
	uint8_t		 body[2048], zero[IKEV1_PRF_MAX] = { 0 };
	long		 n;

	if (request) {
		sa->cfg_msgid = new_msgid();
		if (ikev1_iv_exchange(&sa->keys, &sa->iv, sa->cfg_msgid,
		    &sa->cfg_iv) < 0)
			return -1;
	}
	ikev1_enc_body(&enc, body, sizeof(body));
	ikev1_put_hash(&enc, zero, sa->prf->out);
	ikev1_put_cfg(&enc, c);
	if ((n = ikev1_enc_finish(&enc)) < 0 ||
	    ikev1_hash_fill(sa, sa->cfg_msgid, NULL, 0, body, (size_t)n) < 0)
		return -1;
	return ikev1_send_enc(sa, IKEV1_EXCH_TRANSACTION, sa->cfg_msgid,
	    &sa->cfg_iv, enc.first, body, (size_t)n,
	    request ? IKEV1_TX_REQUEST : IKEV1_TX_RESPONSE);
}

static int
send_xauth_request(struct ikev1_isakmp *sa)
{
	struct ikev1_cfg c = { .type = IKEV1_CFG_REQUEST, .nattr = 2 };

	c.attr[0] = (struct ikev1_attr){ .type = IKEV1_CFG_XAUTH_USER_NAME };
	c.attr[1] = (struct ikev1_attr){
	    .type = IKEV1_CFG_XAUTH_USER_PASSWORD };
	return send_cfg(sa, &c, true);
}

static int
send_xauth_status(struct ikev1_isakmp *sa, bool ok)
{
	struct ikev1_cfg c = { .type = IKEV1_CFG_SET, .nattr = 1 };

	c.attr[0] = (struct ikev1_attr){ .type = IKEV1_CFG_XAUTH_STATUS,
	    .tv = true, .val = ok ? 1 : 0 };
	return send_cfg(sa, &c, true);
}

void
ikev1_xauth_start(struct ikev1_isakmp *sa)
{
	ikev1_sa_set_state(sa, IKEV1_S_XAUTH_REQ, "main mode done");
	if (send_xauth_request(sa) < 0)
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "cannot send XAuth");
}

static void
xauth_failed(struct ikev1_isakmp *sa, const char *why)
{
	sa->eng->ctr.xauth_fail++;
	if (++sa->xauth_tries < IKEV1_XAUTH_TRIES) {
		ikev1_log(sa, NOTICE, "XAuth of '%s' (group '%s') failed, try "
		    "%u of %u: %s", sa->user, sa->idi, sa->xauth_tries,
		    IKEV1_XAUTH_TRIES, why);
		ikev1_sa_set_state(sa, IKEV1_S_XAUTH_REQ, "XAuth retry");
		if (send_xauth_request(sa) < 0)
			ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "send failed");
		return;
	}
	ikev1_log(sa, WARN, "XAuth of '%s' (group '%s') refused after %u "
	    "tries: %s", sa->user, sa->idi, sa->xauth_tries, why);
	sa->user[0] = '\0';
	ikev1_sa_set_state(sa, IKEV1_S_XAUTH_STATUS, "XAuth failed");
	if (send_xauth_status(sa, false) < 0)
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, "XAuth failed");
}

static void
xauth_done(void *arg, struct auth_result *r)
{
	struct ikev1_isakmp	*sa = arg;
	const struct rg_profile	*prof;

	sa->acall = NULL;
	if (sa->state != IKEV1_S_XAUTH_CHECK) {
		auth_result_free(r);
		return;
	}
	if (r->outcome != AUTH_OK) {
		char	 why[256];

		snprintf(why, sizeof(why), "%s%s%s",
		    auth_outcome_name(r->outcome), r->reason[0] ? ": " : "",
		    r->reason);
		auth_result_free(r);
		xauth_failed(sa, why);
		return;
	}
	snprintf(sa->user, sizeof(sa->user), "%.135s", r->user);
	auth_result_free(r);
	prof = rg_config_user_profile(sa->cfg, sa->user);
	snprintf(sa->profile, sizeof(sa->profile), "%s",
	    prof != NULL ? prof->name : "");
	if (ikev1_sess_open(sa) < 0) {
		ikev1_log(sa, WARN, "XAuth user '%s': no session (limit of "
		    "sessions per user or memory)", sa->user);
		sa->user[0] = '\0';
		ikev1_sa_set_state(sa, IKEV1_S_XAUTH_STATUS, "no session");
		if (send_xauth_status(sa, false) < 0)
			ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "no session");
		return;
	}
	ikev1_log(sa, INFO, "XAuth: user '%s' authenticated (group '%s')",
	    sa->user, sa->idi);
	ikev1_sa_set_state(sa, IKEV1_S_XAUTH_STATUS, "XAuth OK");
	if (send_xauth_status(sa, true) < 0)
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "send failed");
}

static void
copy_str(char *out, size_t cap, const struct ikev1_attr *a)
{
	size_t	 n = a->len < cap - 1 ? a->len : cap - 1;

	memcpy(out, a->data, n);
	out[n] = '\0';
}

static void
xauth_reply(struct ikev1_isakmp *sa, const struct ikev1_cfg *c)
{
	const struct ikev1_attr	*u = ikev1_cfg_find(c,
	    IKEV1_CFG_XAUTH_USER_NAME);
	const struct ikev1_attr	*p = ikev1_cfg_find(c,
	    IKEV1_CFG_XAUTH_USER_PASSWORD);
	const struct ikev1_attr	*st = ikev1_cfg_find(c, IKEV1_CFG_XAUTH_STATUS);
	struct auth_req		 rq;
	char			 pw[256];

	ikev1_req_clear(sa);
	if (st != NULL && st->val == 0) {
		ikev1_log(sa, NOTICE, "XAuth: the client cancelled");
		ikev1_sa_end(sa, SESS_CAUSE_USER_REQUEST, "XAuth cancelled");
		return;
	}
	if (u == NULL || p == NULL || u->tv || p->tv || u->len == 0 ||
	    u->len >= 128 || memchr(u->data, '\0', u->len) != NULL) {
		snprintf(sa->user, sizeof(sa->user), "?");
		xauth_failed(sa, "no user name or password in the reply");
		return;
	}
	copy_str(sa->user, sizeof(sa->user), u);
	copy_str(pw, sizeof(pw), p);
	rq = (struct auth_req){ .kind = AUTH_PAP, .user = sa->user,
	    .src = (const struct sockaddr *)&sa->peer, .service = "xauth" };
	rq.u.pap.password = pw;
	ikev1_sa_set_state(sa, IKEV1_S_XAUTH_CHECK, "password received");
	sa->acall = auth_check(sa->eng->auth, &rq, xauth_done, sa);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (sa->acall == NULL)
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "auth unavailable");
}

/* --- mode-config --------------------------------------------------------- */

struct cfg_out {
	struct ikev1_cfg	*c;
	uint8_t			*store;
	size_t			 cap, used;
};

static void
add(struct cfg_out *o, uint16_t type, const void *data, size_t len)
{
	struct ikev1_attr *a;

	if (o->c->nattr >= IKEV1_MAX_CFG_ATTR || o->cap - o->used < len)
		return;
	a = &o->c->attr[o->c->nattr++];
	*a = (struct ikev1_attr){ .type = type, .len = len,
	    .data = o->store + o->used };
	if (len)
		memcpy(o->store + o->used, data, len);
	o->used += len;
}

static bool
in_policy(const struct rg_policy *pol, const struct rg_prefix *p)
{
	if (pol == NULL || pol->nnetworks == 0)
		return true;
	for (size_t i = 0; i < pol->nnetworks; i++) {
		const struct rg_prefix *n = &pol->networks[i];
		size_t	 bits = n->plen, full = bits / 8;

		if (n->af != p->af || n->plen > p->plen)
			continue;
		if (memcmp(n->addr, p->addr, full) != 0)
			continue;
		if (bits % 8 != 0 && ((n->addr[full] ^ p->addr[full]) &
		    (0xff << (8 - bits % 8)) & 0xff) != 0)
			continue;
		return true;
	}
	return false;
}

/* Did the client ask for type?  A push (req NULL) sends everything. */
static bool
asked(const struct ikev1_cfg *req, uint16_t type)
{
	return req == NULL || ikev1_cfg_find(req, type) != NULL;
}

/*
 * The attributes for req (a REPLY), or for a push (req NULL: a SET with
 * what a client needs).  -1 when no address could be had (the SA ends).
 */
static int
modecfg_fill(struct ikev1_isakmp *sa, const struct ikev1_cfg *req,
    struct ikev1_cfg *rep, uint8_t *store, size_t cap)
{
	const struct rg_profile	*prof = rg_config_user_profile(sa->cfg,
	    sa->user);
	const struct rg_policy	*pol = rg_config_user_policy(sa->cfg, sa->user);
	const struct ikev1_attr	*r = NULL;
	struct cfg_out		 o = { rep, store, cap, 0 };
	uint8_t			 split[14 * 32];
	struct rg_addr		 want, got;
	char			 why[160] = "no session", a[64];
	size_t			 nsplit = 0;

	memset(&want, 0, sizeof(want));
	if (asked(req, IKEV1_CFG_INTERNAL_IP4_ADDRESS)) {
		if (req != NULL)
			r = ikev1_cfg_find(req, IKEV1_CFG_INTERNAL_IP4_ADDRESS);
		if (r != NULL && !r->tv && r->len == 4 &&
		    rg_get_u32(r->data) != 0) {
			want.af = AF_INET;
			memcpy(want.addr, r->data, 4);
		}
		if (sa->vip.af == AF_INET) {
			got = sa->vip;
		} else if (sa->sess == NULL || sess_lease(sa->sess, AF_INET,
		    &want, &got, why, sizeof(why)) < 0) {
			ikev1_log(sa, WARN, "no IPv4 address for '%s' (profile "
			    "'%s'): %s", sa->user, sa->profile, why);
			return -1;
		}
		sa->vip = got;
		add(&o, IKEV1_CFG_INTERNAL_IP4_ADDRESS, got.addr, 4);
		ikev1_log(sa, INFO, "virtual IP %s for '%s'%s",
		    rg_addr_str(&got, a, sizeof(a)), sa->user,
		    req == NULL ? " (pushed)" : "");
	}
	if (asked(req, IKEV1_CFG_INTERNAL_IP4_NETMASK) &&
	    sa->vip.af == AF_INET) {
		static const uint8_t m32[4] = { 255, 255, 255, 255 };

		add(&o, IKEV1_CFG_INTERNAL_IP4_NETMASK, m32, 4);
	}
	/* DNS goes with the address even unasked (strongSwan asks for
	 * none and uses what comes, as with IKEv2's CP). */
	for (size_t i = 0; prof != NULL && i < prof->ndns; i++)
		if (prof->dns[i].af == AF_INET && (sa->vip.af == AF_INET ||
		    asked(req, IKEV1_CFG_INTERNAL_IP4_DNS)))
			add(&o, IKEV1_CFG_INTERNAL_IP4_DNS,
			    prof->dns[i].addr, 4);
	for (size_t i = 0; prof != NULL && i < prof->nwins; i++)
		if (prof->wins[i].af == AF_INET &&
		    asked(req, IKEV1_CFG_INTERNAL_IP4_NBNS))
			add(&o, IKEV1_CFG_INTERNAL_IP4_NBNS, prof->wins[i].addr,
			    4);
	if (!sa->vid_unity || prof == NULL)
		return 0;
	/* Entries of 14 bytes: address, mask, 6 zero bytes (protocol and
	 * ports, unused). */
	for (size_t i = 0; i < prof->nsplit && nsplit < sizeof(split) / 14;
	    i++) {
		const struct rg_prefix *p = &prof->split[i];
		uint8_t	*v = split + 14 * nsplit;
		uint32_t m;

		if (p->af != AF_INET || !in_policy(pol, p))
			continue;
		m = p->plen ? 0xffffffffu << (32 - p->plen) : 0;
		memset(v, 0, 14);
		memcpy(v, p->addr, 4);
		rg_put_u32(v + 4, m);
		nsplit++;
	}
	if (nsplit != 0 && asked(req, IKEV1_CFG_UNITY_SPLIT_INCLUDE))
		add(&o, IKEV1_CFG_UNITY_SPLIT_INCLUDE, split, 14 * nsplit);
	if (prof->ndomains != 0 && asked(req, IKEV1_CFG_UNITY_DEF_DOMAIN))
		add(&o, IKEV1_CFG_UNITY_DEF_DOMAIN, prof->domains[0],
		    strlen(prof->domains[0]));
	if (prof->banner != NULL && prof->banner[0] != '\0' &&
	    asked(req, IKEV1_CFG_UNITY_BANNER))
		add(&o, IKEV1_CFG_UNITY_BANNER, prof->banner,
		    strlen(prof->banner));
	return 0;
}

static void
modecfg_request(struct ikev1_isakmp *sa, const struct ikev1_cfg *req)
{
	struct ikev1_cfg	*rep;
	uint8_t			 store[2048];

	rg_timer_stop(sa->eng->loop, &sa->t_push);
	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return;
	rep->type = IKEV1_CFG_REPLY;
	rep->ident = req->ident;
	if (modecfg_fill(sa, req, rep, store, sizeof(store)) < 0) {
		free(rep);
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "no address");
		return;
	}
	if (send_cfg(sa, rep, false) < 0)
		ikev1_log(sa, WARN, "mode-config reply not sent");
	free(rep);
	sa->cfg_msgid = 0;
	if (sa->state == IKEV1_S_MODECFG)
		ikev1_sa_set_state(sa, IKEV1_S_ESTABLISHED, "mode-config done");
}

/*
 * The client did not ask for its configuration soon after XAuth: it
 * waits for a push (draft-dukes-ike-mode-cfg-02 3.3, "set" mode).  SET
 * with what it needs; its ACK establishes the SA.
 */
void
ikev1_cfg_push_cb(struct rg_timer *t)
{
	struct ikev1_isakmp	*sa = t->arg;
	struct ikev1_cfg	*set;
	uint8_t			 store[2048];

	if (sa->state != IKEV1_S_MODECFG || sa->req != NULL)
		return;
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return;
	set->type = IKEV1_CFG_SET;
	if (modecfg_fill(sa, NULL, set, store, sizeof(store)) < 0) {
		free(set);
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "no address");
		return;
	}
	if (send_cfg(sa, set, true) < 0)
		ikev1_log(sa, WARN, "mode-config push not sent");
	free(set);
}

void
ikev1_transaction_input(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_engine	*e = sa->eng;
	const struct ikev1_pl	*ap = ikev1_msg_find(m, IKEV1_PL_ATTR);
	struct ikev1_cfg	*c;
	struct rg_rd		 r;
	const char		*why = NULL;

	if (!ikev1_hash_check(sa, m->hdr.msgid, NULL, 0, m)) {
		e->ctr.bad_hash++;
		ikev1_log(sa, INFO, "transaction message with a bad HASH "
		    "dropped");
		return;
	}
	if (ap == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
		e->ctr.malformed++;
		return;
	}
	rg_rd_init(&r, ap->body, ap->len);
	if (ikev1_cfg_decode(&r, c, &why) < 0) {
		e->ctr.malformed++;
		free(c);
		return;
	}
	if (sa->state == IKEV1_S_XAUTH_REQ && c->type == IKEV1_CFG_REPLY &&
	    m->hdr.msgid == sa->req_msgid) {
		xauth_reply(sa, c);
	} else if (sa->state == IKEV1_S_XAUTH_STATUS &&
	    c->type == IKEV1_CFG_ACK && m->hdr.msgid == sa->req_msgid) {
		ikev1_req_clear(sa);
		sa->cfg_msgid = 0;
		if (sa->user[0] == '\0') {
			ikev1_send_delete_isakmp(sa);
			ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, "XAuth failed");
		} else {
			ikev1_sa_set_state(sa, IKEV1_S_MODECFG, "XAuth ACK");
			rg_timer_start(e->loop, &sa->t_push,
			    IKEV1_CFG_PUSH_MS);
		}
	} else if (sa->state == IKEV1_S_MODECFG &&
	    c->type == IKEV1_CFG_ACK && sa->req != NULL &&
	    m->hdr.msgid == sa->req_msgid) {
		ikev1_req_clear(sa);
		sa->cfg_msgid = 0;
		ikev1_sa_set_state(sa, IKEV1_S_ESTABLISHED,
		    "mode-config push acknowledged");
	} else if ((sa->state == IKEV1_S_MODECFG ||
	    sa->state == IKEV1_S_ESTABLISHED) &&
	    c->type == IKEV1_CFG_REQUEST) {
		modecfg_request(sa, c);
	} else {
		e->ctr.bad_exch++;
		ikev1_log(sa, DEBUG, "transaction type %u unexpected in state "
		    "%s", c->type, ikev1_sa_state_name(sa->state));
	}
	free(c);
}
