/*
 * ikev1_main.c: main mode as responder (RFC 2409 5, 5.4) with pre-shared
 * keys, alone or followed by XAuth (XAUTHInitPreShared, 65001), or
 * hybrid (draft-ietf-ipsec-isakmp-hybrid-auth-05, HybridInitRSA 64221:
 * what iOS "[hybrid]" and Android "IPSec Hybrid RSA" send): SKEYID as
 * for signatures, the client proves nothing in phase 1 but sends HASH_I,
 * we answer with our certificate chain and SIG_R, XAuth decides; NAT-T
 * (RFC 3947 and the draft vendor IDs: NAT-D in messages 3/4, the client
 * moves to port 4500 from message 5 on) and the DPD vendor ID (RFC 3706).
 *
 *   1  HDR, SA, VID*          ->   2  HDR, SA, VID*
 *   3  HDR, KE, Ni, NAT-D*    ->   4  HDR, KE, Nr, NAT-D*
 *   5  HDR*, IDii, HASH_I     ->   6  HDR*, IDir, HASH_R
 *
 * The PSK is chosen before the client's identity is known (it is
 * encrypted in message 5): the one configured for its address, else the
 * "%any" one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cred.h"
#include "ike_prf.h"
#include "ikev1_int.h"

/* The NAT-T flavour we answer with: RFC 3947 over any draft. */
static int
natt_rank(enum ikev1_vid v)
{
	switch (v) {
	case IKEV1_VID_NATT_RFC3947:	return 10;
	case IKEV1_VID_NATT_DRAFT_08:	return 8;
	case IKEV1_VID_NATT_DRAFT_07:	return 7;
	case IKEV1_VID_NATT_DRAFT_06:	return 6;
	case IKEV1_VID_NATT_DRAFT_05:	return 5;
	case IKEV1_VID_NATT_DRAFT_04:	return 4;
	case IKEV1_VID_NATT_DRAFT_03:	return 3;
	case IKEV1_VID_NATT_DRAFT_02N:	return 2;
	case IKEV1_VID_NATT_DRAFT_02:	return 2;
	default:			return 0;
	}
}

void
ikev1_p1_read_vids(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	for (size_t i = 0; i < m->npl; i++) {
		enum ikev1_vid v;

		if (m->pl[i].type != IKEV1_PL_VID)
			continue;
		v = ikev1_vid_lookup(m->pl[i].body, m->pl[i].len);
		if (natt_rank(v) > natt_rank(sa->natt))
			sa->natt = v;
		else if (v == IKEV1_VID_XAUTH)
			sa->vid_xauth = true;
		else if (v == IKEV1_VID_CISCO_UNITY)
			sa->vid_unity = true;
		else if (v == IKEV1_VID_DPD)
			sa->vid_dpd = true;
		else if (v == IKEV1_VID_FRAGMENTATION)
			sa->vid_frag = true;
	}
}

bool
ikev1_auth_xauth(uint16_t a)
{
	return a == IKEV1_AUTH_XAUTH_INIT_PSK ||
	    a == IKEV1_AUTH_XAUTH_INIT_RSA ||
	    a == IKEV1_AUTH_HYBRID_INIT_RSA;
}

bool
ikev1_auth_sig(uint16_t a)
{
	return a == IKEV1_AUTH_RSA_SIG || a == IKEV1_AUTH_XAUTH_INIT_RSA ||
	    a == IKEV1_AUTH_ECDSA_256 || a == IKEV1_AUTH_ECDSA_384 ||
	    a == IKEV1_AUTH_ECDSA_521;
}

const char *
ikev1_auth_method_name(uint16_t a)
{
	switch (a) {
	case IKEV1_AUTH_XAUTH_INIT_PSK:
		return "ikev1-xauth-psk";
	case IKEV1_AUTH_HYBRID_INIT_RSA:
		return "ikev1-hybrid-rsa";
	case IKEV1_AUTH_RSA_SIG:
		return "ikev1-rsa";
	case IKEV1_AUTH_XAUTH_INIT_RSA:
		return "ikev1-xauth-rsa";
	case IKEV1_AUTH_ECDSA_256:
	case IKEV1_AUTH_ECDSA_384:
	case IKEV1_AUTH_ECDSA_521:
		return "ikev1-ecdsa";
	}
	return "ikev1-psk";
}

/*
 * Can we answer method a: PSK ones always; the others need our key and
 * certificate of the method's kind (RSA; ECDSA on the curve of its
 * number, RFC 4754 7); those where the client signs too need a CA to
 * verify it against.
 */
static bool
auth_ok(uint16_t a, const struct rg_config *sigcfg)
{
	const struct cred	*cr;
	int			 bits;

	if (a == IKEV1_AUTH_PSK || a == IKEV1_AUTH_XAUTH_INIT_PSK)
		return true;
	if (sigcfg == NULL || (cr = cred_of(sigcfg)) == NULL ||
	    !cred_has_key(cr) || cred_cert(cr, 0) == NULL)
		return false;
	if (ikev1_auth_sig(a) && !cred_has_ca(cr))
		return false;
	bits = cred_key_bits(cr);
	switch (a) {
	case IKEV1_AUTH_HYBRID_INIT_RSA:
	case IKEV1_AUTH_RSA_SIG:
	case IKEV1_AUTH_XAUTH_INIT_RSA:
		return cred_key_type(cr) == CRED_KEY_RSA;
	case IKEV1_AUTH_ECDSA_256:
		return cred_key_type(cr) == CRED_KEY_EC && bits == 256;
	case IKEV1_AUTH_ECDSA_384:
		return cred_key_type(cr) == CRED_KEY_EC && bits == 384;
	case IKEV1_AUTH_ECDSA_521:
		return cred_key_type(cr) == CRED_KEY_EC && bits == 521;
	}
	return false;
}

/* The first transform the active set allows, or NULL. */
const struct ikev1_xf *
ikev1_p1_choose(struct ikev1_engine *e, const struct ikev1_sa *sap,
    uint16_t group, const struct rg_config *sigcfg,
    const struct ike_alg **encr, const struct ike_alg **prf,
    const struct ike_alg **dh)
{
	const struct ikev1_prop *p;

	if (sap->nprop == 0)
		return NULL;
	p = &sap->prop[0];
	if (p->proto != IKEV1_PROTO_ISAKMP)
		return NULL;
	for (size_t i = 0; i < p->nxf; i++) {
		const struct ikev1_xf *x = &p->xf[i];

		if (x->id != IKEV1_KEY_IKE || x->unknown_attr != 0 ||
		    !auth_ok(x->auth, sigcfg) || x->life_kb != 0 ||
		    (group != 0 && x->group != group))
			continue;
		*encr = ike_alg_find_v1p1(IKE_ALG_ENCR, x->encr, x->keylen);
		*prf = ike_alg_find_v1p1(IKE_ALG_PRF, x->hash, 0);
		*dh = ike_alg_find_v1p1(IKE_ALG_DH, x->group, 0);
		if (*encr == NULL || *prf == NULL || *dh == NULL ||
		    (*encr)->aead)
			continue;
		for (size_t k = 0; k < e->ike_set.n; k++) {
			const struct ike_pconf *c = &e->ike_set.p[k];

			if (ike_pconf_has(c, *encr) && ike_pconf_has(c, *prf) &&
			    ike_pconf_has(c, *dh))
				return x;
		}
	}
	return NULL;
}

void
ikev1_p1_log_no_proposal(struct ikev1_engine *e, const char *mode,
    const struct sockaddr *from, const struct ikev1_sa *sap)
{
	char	 rx[1024], conf[1024];
	size_t	 off = 0;

	ikev1_sa_str(sap, rx, sizeof(rx));
	conf[0] = '\0';
	for (size_t k = 0; k < e->ike_set.n && off < sizeof(conf); k++)
		off += (size_t)snprintf(conf + off, sizeof(conf) - off, "%s%s",
		    k ? ", " : "", e->ike_set.p[k].text);
	rg_log_peer(RG_T_IKE, RG_L_WARN, from, 0, 0, "IKEv1 %s mode: "
	    "NO_PROPOSAL_CHOSEN: received [%s], configured (%s) [%s]; "
	    "authentication must be PSK or XAuth PSK", mode, rx,
	    e->ike_set.name, conf);
}

/* An unprotected informational with one notification (RFC 2408 5.5). */
void
ikev1_p1_notify_plain(struct ikev1_engine *e, const struct ikev1_hdr *rq,
    uint16_t type, const struct sockaddr *from, const struct sockaddr *to,
    int fd)
{
	struct ikev1_hdr h = { .version = IKEV1_VERSION,
	    .exch = IKEV1_EXCH_INFORMATIONAL };
	struct ikev1_enc enc;
	uint8_t		 buf[256];
	long		 n;

	memcpy(h.ck_i, rq->ck_i, 8);
	memcpy(h.ck_r, rq->ck_r, 8);
	ikev1_enc_init(&enc, buf, sizeof(buf), &h);
	ikev1_put_notify(&enc, IKEV1_PROTO_ISAKMP, NULL, 0, type, NULL, 0);
	if ((n = ikev1_enc_finish(&enc)) < 0)
		return;
	e->ctr.tx++;
	e->send(e->send_arg, fd, buf, (size_t)n, to, from);
}

void
ikev1_main_r1(struct ikev1_engine *e, const struct ikev1_msg *m,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	const struct ikev1_pl	*pl = ikev1_msg_find(m, IKEV1_PL_SA);
	const struct ike_alg	*encr = NULL, *prf = NULL, *dh = NULL;
	const struct ikev1_xf	*x;
	struct ikev1_sa		*sap;
	struct ikev1_isakmp	*sa;
	struct ikev1_hdr	 h;
	struct ikev1_enc	 enc;
	struct rg_rd		 r;
	const char		*why = NULL;
	uint8_t			 buf[1024];
	long			 n;

	if (pl == NULL || ikev1_msg_count(m, IKEV1_PL_SA) != 1) {
		e->ctr.malformed++;
		return;
	}
	if ((sap = calloc(1, sizeof(*sap))) == NULL)
		return;
	rg_rd_init(&r, pl->body, pl->len);
	if (ikev1_sa_decode(&r, sap, &why) < 0 ||
	    sap->doi != IKEV1_DOI_IPSEC ||
	    sap->sit != IKEV1_SIT_IDENTITY_ONLY) {
		e->ctr.malformed++;
		rg_log_peer(RG_T_IKE, RG_L_INFO, from, 0, 0, "IKEv1 main mode "
		    "SA refused: %s", why ? why : "DOI or situation");
		free(sap);
		return;
	}
	if ((x = ikev1_p1_choose(e, sap, 0, e->cfg, &encr, &prf, &dh)) ==
	    NULL) {
		e->ctr.no_proposal++;
		ikev1_p1_log_no_proposal(e, "main", from, sap);
		ikev1_p1_notify_plain(e, &m->hdr, IKEV1_N_NO_PROPOSAL_CHOSEN,
		    from, to, fd);
		free(sap);
		return;
	}
	if ((sa = ikev1_sa_new(e, m->hdr.ck_i, from, to, fd)) == NULL) {
		e->ctr.halfopen_drop++;
		free(sap);
		return;
	}
	ikev1_p1_read_vids(sa, m);
	sa->encr = encr;
	sa->prf = prf;
	sa->dh_alg = dh;
	sa->auth_method = x->auth;
	sa->life_s = x->life_s;
	sa->hs->sai_b = rg_buf_dup(pl->body, pl->len);

	h = (struct ikev1_hdr){ .version = IKEV1_VERSION,
	    .exch = IKEV1_EXCH_MAIN };
	memcpy(h.ck_i, sa->ck_i, 8);
	memcpy(h.ck_r, sa->ck_r, 8);
	ikev1_enc_init(&enc, buf, sizeof(buf), &h);
	ikev1_put_sa(&enc, IKEV1_SIT_IDENTITY_ONLY, sap->prop[0].num,
	    IKEV1_PROTO_ISAKMP, NULL, 0, x);
	if (sa->natt != IKEV1_VID_UNKNOWN)
		ikev1_put_vid(&enc, sa->natt);
	if (sa->vid_xauth)
		ikev1_put_vid(&enc, IKEV1_VID_XAUTH);
	if (sa->vid_dpd)
		ikev1_put_vid(&enc, IKEV1_VID_DPD);
	if (sa->vid_unity)
		ikev1_put_vid(&enc, IKEV1_VID_CISCO_UNITY);
	if (sa->vid_frag)
		ikev1_put_vid(&enc, IKEV1_VID_FRAGMENTATION);
	n = ikev1_enc_finish(&enc);
	free(sap);
	if (n < 0 || sa->hs->sai_b == NULL) {
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "no memory");
		return;
	}
	ikev1_log(sa, INFO, "main mode: %s-%s-%s, %s%s%s%s", encr->kw,
	    prf->kw + 3, dh->kw, ikev1_auth_name(sa->auth_method),
	    sa->natt != IKEV1_VID_UNKNOWN ? ", NAT-T" : "",
	    sa->vid_dpd ? ", DPD" : "", sa->vid_unity ? ", Unity" : "");
	sa->last_rx = rg_buf_dup(m->raw, m->rawlen);
	sa->last_tx = rg_buf_dup(buf, (size_t)n);
	ikev1_send_plain(sa, buf, (size_t)n);
}

uint8_t
ikev1_p1_natd_type(const struct ikev1_isakmp *sa)
{
	return sa->natt == IKEV1_VID_NATT_RFC3947 ? IKEV1_PL_NATD :
	    IKEV1_PL_NATD_DRAFT;
}

/* NAT-D (RFC 3947 3.2): the client's first one hashes our address as it
 * sent to it, the others its own. */
void
ikev1_p1_natd_check(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	uint8_t	 ours[IKEV1_PRF_MAX], theirs[IKEV1_PRF_MAX];
	int	 lo, lp;
	size_t	 k = 0;
	bool	 peer_seen = false;

	lo = ikev1_natd(sa->prf, sa->ck_i, sa->ck_r,
	    (const struct sockaddr *)&sa->local, ours, sizeof(ours));
	lp = ikev1_natd(sa->prf, sa->ck_i, sa->ck_r,
	    (const struct sockaddr *)&sa->peer, theirs, sizeof(theirs));
	if (lo < 0 || lp < 0)
		return;
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev1_pl *p = &m->pl[i];

		if (p->type != IKEV1_PL_NATD && p->type != IKEV1_PL_NATD_DRAFT)
			continue;
		sa->hs->natd_rx = true;
		if (k++ == 0) {
			sa->nat_local = p->len != (size_t)lo ||
			    memcmp(p->body, ours, (size_t)lo) != 0;
		} else if (p->len == (size_t)lp &&
		    memcmp(p->body, theirs, (size_t)lp) == 0) {
			peer_seen = true;
		}
	}
	if (sa->hs->natd_rx)
		sa->nat_peer = !peer_seen;
}

/*
 * CERTREQ (RFC 2408 3.10) naming our CA by its subject DN, so that a
 * client holding several certificates (Windows' machine store) picks
 * the one we trust; an empty authority (any CA) when it cannot be read.
 */
static void
put_certreq(struct ikev1_isakmp *sa, struct ikev1_enc *enc)
{
	static const uint8_t	 none[1];
	const char		*pem = sa->cfg->pki.ca_pem;
	BIO			*b;
	X509			*ca = NULL;
	uint8_t			*dn = NULL;
	int			 len = 0;

	if (pem != NULL && (b = BIO_new_mem_buf(pem, -1)) != NULL) {
		ca = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	if (ca != NULL)
		len = i2d_X509_NAME(X509_get_subject_name(ca), &dn);
	if (len > 0)
		ikev1_put_cert(enc, IKEV1_PL_CR, IKEV1_CERT_X509_SIG, dn,
		    (size_t)len);
	else
		ikev1_put_cert(enc, IKEV1_PL_CR, IKEV1_CERT_X509_SIG, none,
		    0);
	OPENSSL_free(dn);
	X509_free(ca);
}

static void
main_r3(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_engine	*e = sa->eng;
	const struct ikev1_pl	*ke = ikev1_msg_find(m, IKEV1_PL_KE);
	const struct ikev1_pl	*no = ikev1_msg_find(m, IKEV1_PL_NONCE);
	struct ikev1_hs		*hs = sa->hs;
	const struct rg_psk	*psk = NULL;
	bool			 sig = sa->auth_method != IKEV1_AUTH_PSK &&
	    sa->auth_method != IKEV1_AUTH_XAUTH_INIT_PSK;
	struct rg_buf		*gxy = NULL;
	struct ikev1_hdr	 h;
	struct ikev1_enc	 enc;
	uint8_t			 skeyid[IKEV1_PRF_MAX];
	uint8_t			 buf[2048];
	char			 ip[64];
	const void		*a;
	long			 n;

	if (ke == NULL || no == NULL || ke->len != sa->dh_alg->out ||
	    no->len < IKEV1_NONCE_MIN || no->len > IKEV1_NONCE_MAX ||
	    ke->len > sizeof(hs->gxi)) {
		e->ctr.malformed++;
		return;
	}
	a = sa->peer.ss_family == AF_INET6 ?
	    (const void *)&((struct sockaddr_in6 *)&sa->peer)->sin6_addr :
	    (const void *)&((struct sockaddr_in *)&sa->peer)->sin_addr;
	inet_ntop(sa->peer.ss_family, a, ip, sizeof(ip));
	if (!sig && (psk = rg_config_psk(sa->cfg, ip)) == NULL) {
		e->ctr.auth_fail++;
		ikev1_log(sa, WARN, "main mode: no pre-shared key for %s and "
		    "no '%%any' one: refused", ip);
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, "no PSK");
		return;
	}
	if (psk != NULL)
		snprintf(sa->psk_id, sizeof(sa->psk_id), "%s", psk->id);
	memcpy(hs->gxi, ke->body, ke->len);
	hs->gxilen = ke->len;
	memcpy(hs->ni, no->body, no->len);
	hs->nilen = no->len;
	hs->nrlen = sizeof(hs->nr);
	if ((hs->dh = ike_dh_new(sa->dh_alg->v1_p1)) == NULL ||
	    (n = ike_dh_public(hs->dh, hs->gxr, sizeof(hs->gxr))) < 0 ||
	    ike_random(hs->nr, hs->nrlen) < 0)
		goto fail;
	hs->gxrlen = (size_t)n;
	if ((gxy = ike_dh_derive(hs->dh, hs->gxi, hs->gxilen)) == NULL) {
		e->ctr.malformed++;
		ikev1_log(sa, INFO, "main mode: bad KE value");
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "bad KE");
		return;
	}
	/* RFC 2409 5: SKEYID for signatures (hybrid too, draft 3.2). */
	if ((sig ? ikev1_skeyid_sig(sa->prf, hs->ni, hs->nilen, hs->nr,
	    hs->nrlen, gxy->data, gxy->len, skeyid) : ikev1_skeyid_psk(sa->prf,
	    psk->secret, psk->secret_len, hs->ni, hs->nilen, hs->nr,
	    hs->nrlen, skeyid)) < 0 ||
	    ikev1_derive(&sa->keys, sa->prf, sa->encr, skeyid, gxy->data,
	    gxy->len, sa->ck_i, sa->ck_r) < 0 ||
	    ikev1_iv_phase1(&sa->keys, hs->gxi, hs->gxilen, hs->gxr,
	    hs->gxrlen, &sa->iv) < 0) {
		OPENSSL_cleanse(skeyid, sizeof(skeyid));
		goto fail;
	}
	OPENSSL_cleanse(skeyid, sizeof(skeyid));
	rg_buf_free(gxy);
	gxy = NULL;
	if (sa->natt != IKEV1_VID_UNKNOWN)
		ikev1_p1_natd_check(sa, m);

	h = (struct ikev1_hdr){ .version = IKEV1_VERSION,
	    .exch = IKEV1_EXCH_MAIN };
	memcpy(h.ck_i, sa->ck_i, 8);
	memcpy(h.ck_r, sa->ck_r, 8);
	ikev1_enc_init(&enc, buf, sizeof(buf), &h);
	ikev1_put_ke(&enc, hs->gxr, hs->gxrlen);
	ikev1_put_nonce(&enc, hs->nr, hs->nrlen);
	/* The client signs: ask for its certificate. */
	if (ikev1_auth_sig(sa->auth_method))
		put_certreq(sa, &enc);
	if (hs->natd_rx)
		ikev1_p1_put_natd(sa, &enc);
	if ((n = ikev1_enc_finish(&enc)) < 0)
		goto fail;
	ikev1_sa_set_state(sa, IKEV1_S_MM_KE, "KE sent");
	sa->last_tx = rg_buf_dup(buf, (size_t)n);
	ikev1_send_plain(sa, buf, (size_t)n);
	if (sa->nat_peer || sa->nat_local)
		ikev1_log(sa, INFO, "NAT detected (%s%s%s)",
		    sa->nat_peer ? "client" : "",
		    sa->nat_peer && sa->nat_local ? ", " : "",
		    sa->nat_local ? "us" : "");
	return;
fail:
	rg_buf_free(gxy);
	ikev1_log(sa, WARN, "main mode: key exchange failed");
	ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "crypto failure");
}

void
ikev1_p1_put_natd(struct ikev1_isakmp *sa, struct ikev1_enc *enc)
{
	uint8_t	 nd[IKEV1_PRF_MAX];
	int	 nl;

	/* The client's address as we see it first, then ours (RFC 3947
	 * 3.2). */
	nl = ikev1_natd(sa->prf, sa->ck_i, sa->ck_r,
	    (const struct sockaddr *)&sa->peer, nd, sizeof(nd));
	if (nl > 0)
		ikev1_put_natd(enc, ikev1_p1_natd_type(sa), nd, (size_t)nl);
	nl = ikev1_natd(sa->prf, sa->ck_i, sa->ck_r,
	    (const struct sockaddr *)&sa->local, nd, sizeof(nd));
	if (nl > 0)
		ikev1_put_natd(enc, ikev1_p1_natd_type(sa), nd, (size_t)nl);
}

/* Our ID: the address the client sent to (ID_IPV4_ADDR/ID_IPV6_ADDR). */
size_t
ikev1_p1_our_id(const struct ikev1_isakmp *sa, uint8_t *body, size_t cap)
{
	if (cap < 20)
		return 0;
	body[1] = 0;
	body[2] = body[3] = 0;
	if (sa->local.ss_family == AF_INET6) {
		body[0] = IKEV1_ID_IPV6_ADDR;
		memcpy(body + 4,
		    &((const struct sockaddr_in6 *)&sa->local)->sin6_addr, 16);
		return 20;
	}
	body[0] = IKEV1_ID_IPV4_ADDR;
	memcpy(body + 4, &((const struct sockaddr_in *)&sa->local)->sin_addr,
	    4);
	return 8;
}

void
ikev1_p1_id_text(const struct ikev1_id *id, char *out, size_t cap)
{
	struct cred_id	 cid = { id->type, id->data, id->len };

	if (id->type == IKEV1_ID_IPV4_ADDR && id->len == 4)
		inet_ntop(AF_INET, id->data, out, (socklen_t)cap);
	else if (id->type == IKEV1_ID_DER_ASN1_DN &&
	    cred_id_text(&cid, out, cap) == 0)
		return;		/* RFC 2253 text */
	else if (id->type == IKEV1_ID_IPV6_ADDR && id->len == 16)
		inet_ntop(AF_INET6, id->data, out, (socklen_t)cap);
	else if (id->type == IKEV1_ID_FQDN || id->type == IKEV1_ID_USER_FQDN ||
	    id->type == IKEV1_ID_KEY_ID) {
		size_t	 k = 0;

		for (size_t i = 0; i < id->len && k + 1 < cap; i++)
			out[k++] = id->data[i] >= 0x20 && id->data[i] < 0x7f ?
			    (char)id->data[i] : '?';
		out[k] = '\0';
	} else
		snprintf(out, cap, "(%s, %zu bytes)", ikev1_id_name(id->type),
		    id->len);
}

/* RFC 4754 7: IKEv1 carries ECDSA signatures as r | s, each as long as
 * the curve's order; the credential module speaks DER. */
static size_t
ec_half(int bits)
{
	return ((size_t)bits + 7) / 8;
}

/* ikev1_sign_fn over our key: the bare hash (RFC 2409 5.1). */
static long
sign_cb(void *arg, const uint8_t *hash, size_t hlen, uint8_t *sig,
    size_t cap)
{
	const struct cred	*cr = arg;
	uint8_t			 der[256];
	const uint8_t		*p = der;
	size_t			 len = cap, half;
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;

	if (cred_key_type(cr) != CRED_KEY_EC)
		return cred_sign_hash(cr, hash, hlen, sig, &len) < 0 ? -1 :
		    (long)len;
	len = sizeof(der);
	half = ec_half(cred_key_bits(cr));
	if (cred_sign_hash(cr, hash, hlen, der, &len) < 0 || 2 * half > cap ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)half) < 0 ||
	    BN_bn2binpad(s, sig + half, (int)half) < 0) {
		ECDSA_SIG_free(es);
		return -1;
	}
	ECDSA_SIG_free(es);
	return (long)(2 * half);
}

/* ikev1_verify_fn with the client's certificate key (arg). */
static int
verify_cb(void *arg, const uint8_t *hash, size_t hlen, const uint8_t *sig,
    size_t slen)
{
	EVP_PKEY	*k = arg;
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t		 got[1024], *der = NULL;
	size_t		 glen = sizeof(got), half;
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r, *s;
	int		 ok = 0, dl;

	if (ctx == NULL)
		return -1;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		if (EVP_PKEY_verify_recover_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) ==
		    1 && EVP_PKEY_verify_recover(ctx, got, &glen, sig,
		    slen) == 1 && glen == hlen &&
		    CRYPTO_memcmp(got, hash, hlen) == 0)
			ok = 1;
	} else if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
		half = ec_half(EVP_PKEY_get_bits(k));
		if (slen == 2 * half && (es = ECDSA_SIG_new()) != NULL &&
		    (r = BN_bin2bn(sig, (int)half, NULL)) != NULL) {
			if ((s = BN_bin2bn(sig + half, (int)half, NULL)) ==
			    NULL || ECDSA_SIG_set0(es, r, s) != 1) {
				BN_free(r);
				BN_free(s);
			} else if ((dl = i2d_ECDSA_SIG(es, &der)) > 0 &&
			    EVP_PKEY_verify_init(ctx) == 1 &&
			    EVP_PKEY_verify(ctx, der, (size_t)dl, hash,
			    hlen) == 1)
				ok = 1;
		}
		ECDSA_SIG_free(es);
		OPENSSL_free(der);
	}
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/*
 * Message 6 signed (hybrid): IDir is our certificate's subject DN (what
 * the client matches against the certificate), then the certificate and
 * its chain (X.509 signature, RFC 2408 3.9), then SIG_R over HASH_R.
 */
static int
main_r6_sig(struct ikev1_isakmp *sa, struct ikev1_auth_in *in)
{
	const struct cred	*cr = cred_of(sa->cfg);
	struct ikev1_enc	 enc;
	X509			*x;
	uint8_t			*body = NULL, *idb = NULL, *dn = NULL;
	uint8_t			 sig[1024];
	size_t			 cap = 16384;
	int			 dnlen, rc = -1;
	long			 n, slen;

	if (cr == NULL || (x = cred_cert(cr, 0)) == NULL ||
	    (dnlen = i2d_X509_NAME(X509_get_subject_name(x), &dn)) <= 0 ||
	    (idb = calloc(1, (size_t)dnlen + 4)) == NULL ||
	    (body = malloc(cap)) == NULL)
		goto out;
	idb[0] = IKEV1_ID_DER_ASN1_DN;
	memcpy(idb + 4, dn, (size_t)dnlen);
	in->id_b = idb;
	in->idlen = (size_t)dnlen + 4;
	if ((slen = ikev1_sign_r(&sa->keys, in, sign_cb, (void *)cr, sig,
	    sizeof(sig))) < 0) {
		ikev1_log(sa, WARN, "main mode: our key did not sign HASH_R");
		goto out;
	}
	ikev1_enc_body(&enc, body, cap);
	ikev1_put_id(&enc, idb[0], 0, 0, idb + 4, (size_t)dnlen);
	for (size_t i = 0; (x = cred_cert(cr, i)) != NULL; i++) {
		uint8_t	*der = NULL;
		int	 dl = i2d_X509(x, &der);

		if (dl > 0)
			ikev1_put_cert(&enc, IKEV1_PL_CERT, IKEV1_CERT_X509_SIG,
			    der, (size_t)dl);
		OPENSSL_free(der);
	}
	ikev1_put_sig(&enc, sig, (size_t)slen);
	if ((n = ikev1_enc_finish(&enc)) < 0 ||
	    ikev1_send_enc(sa, IKEV1_EXCH_MAIN, 0, &sa->iv, enc.first, body,
	    (size_t)n, IKEV1_TX_RESPONSE) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_free(dn);
	free(idb);
	free(body);
	return rc;
}

/*
 * Message 5 signed (RSA, XAUTHInitRSA, ECDSA): the client's certificate
 * and the intermediates it sent, verified through cred against our CA
 * with the CRL and matched to its IDii; the user it maps to (its record
 * decides, as for IKEv2); then SIG_I over HASH_I with its key.  With
 * XAUTHInitRSA XAuth names the user afterwards.
 */
static void
main_r5_sig(struct ikev1_isakmp *sa, const struct ikev1_msg *m,
    const struct ikev1_id *id, struct ikev1_auth_in *in)
{
	struct ikev1_engine	*e = sa->eng;
	const struct ikev1_pl	*sp = ikev1_msg_find(m, IKEV1_PL_SIG);
	struct cred		*cr = cred_of(sa->cfg);
	STACK_OF(X509)		*chain = sk_X509_new_null();
	X509			*leaf = NULL;
	struct cred_id		 cid = { id->type, id->data, id->len };
	char			 user[CRED_USER_MAX], why[256];
	const char		*fail = NULL;

	for (size_t i = 0; i < m->npl && chain != NULL; i++) {
		const struct ikev1_pl	*p = &m->pl[i];
		const uint8_t		*d = p->body + 1;
		X509			*x;

		if (p->type != IKEV1_PL_CERT || p->len < 2 ||
		    p->body[0] != IKEV1_CERT_X509_SIG ||
		    (x = d2i_X509(NULL, &d, (long)p->len - 1)) == NULL)
			continue;
		if (leaf == NULL)
			leaf = x;
		else if (sk_X509_push(chain, x) <= 0)
			X509_free(x);
	}
	if (cr == NULL || chain == NULL) {
		fail = "internal error";
		snprintf(why, sizeof(why), "out of memory");
	} else if (leaf == NULL || sp == NULL) {
		fail = "no certificate";
		snprintf(why, sizeof(why), "message 5 without %s",
		    leaf == NULL ? "an X.509 certificate" : "SIG_I");
	} else if (cred_verify_peer(cr, leaf, chain, CRED_USE_IKE, &cid, user,
	    why, sizeof(why)) < 0) {
		fail = "certificate refused";
	} else if (!ikev1_verify_i(&sa->keys, in, verify_cb,
	    X509_get0_pubkey(leaf), sp->body, sp->len)) {
		fail = "bad signature";
		snprintf(why, sizeof(why), "SIG_I does not verify with the "
		    "certificate's key");
	}
	X509_free(leaf);
	sk_X509_pop_free(chain, X509_free);
	if (fail != NULL) {
		e->ctr.auth_fail++;
		ikev1_log(sa, WARN, "main mode: certificate authentication of "
		    "'%s' (%s) failed: %s", sa->idi, ikev1_id_name(id->type),
		    why);
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, fail);
		return;
	}
	if (sa->auth_method != IKEV1_AUTH_XAUTH_INIT_RSA)
		snprintf(sa->user, sizeof(sa->user), "%s", user);
	ikev1_sa_follow(sa);
	if (main_r6_sig(sa, in) < 0) {
		ikev1_log(sa, WARN, "main mode: cannot build message 6");
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "crypto failure");
		return;
	}
	ikev1_log(sa, INFO, "main mode done: '%s' authenticated by "
	    "certificate (%s, user '%s')%s", sa->idi,
	    ikev1_auth_name(sa->auth_method), user,
	    ikev1_auth_xauth(sa->auth_method) ? ", XAuth next" : "");
	ikev1_p1_done(sa);
}

static void
main_r5(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_engine	*e = sa->eng;
	const struct ikev1_pl	*ip = ikev1_msg_find(m, IKEV1_PL_ID);
	const struct ikev1_pl	*hp = ikev1_msg_find(m, IKEV1_PL_HASH);
	struct ikev1_hs		*hs = sa->hs;
	struct ikev1_auth_in	 in;
	struct ikev1_id		 id;
	struct ikev1_enc	 enc;
	struct rg_rd		 r;
	const char		*why = NULL;
	uint8_t			 idr[24], hash[IKEV1_PRF_MAX], body[256];
	size_t			 idrlen;
	long			 n;

	if (ip == NULL) {
		e->ctr.malformed++;
		return;
	}
	rg_rd_init(&r, ip->body, ip->len);
	if (ikev1_id_decode(&r, &id, &why) < 0) {
		e->ctr.malformed++;
		return;
	}
	ikev1_p1_id_text(&id, sa->idi, sizeof(sa->idi));
	/* (checked below before anything follows from it) */
	for (size_t i = 0; i < m->npl; i++) {
		struct ikev1_notify	 nt;

		rg_rd_init(&r, m->pl[i].body, m->pl[i].len);
		if (m->pl[i].type == IKEV1_PL_N &&
		    ikev1_notify_decode(&r, &nt, &why) == 0 &&
		    nt.type == IKEV1_N_INITIAL_CONTACT)
			sa->initial_contact = true;
	}
	in = (struct ikev1_auth_in){ .gxi = hs->gxi, .gxilen = hs->gxilen,
	    .gxr = hs->gxr, .gxrlen = hs->gxrlen, .sai_b = hs->sai_b->data,
	    .sailen = hs->sai_b->len, .id_b = id.body, .idlen = id.body_len };
	if (ikev1_auth_sig(sa->auth_method)) {
		main_r5_sig(sa, m, &id, &in);
		return;
	}
	if (hp == NULL) {
		e->ctr.malformed++;
		return;
	}
	if (!ikev1_hash_auth_ok(&sa->keys, &in, hp->body, hp->len)) {
		bool	 hy = sa->auth_method == IKEV1_AUTH_HYBRID_INIT_RSA;

		e->ctr.auth_fail++;
		ikev1_log(sa, WARN, "main mode: HASH_I of '%s' (%s) does not "
		    "verify: %s", sa->idi, ikev1_id_name(id.type), hy ?
		    "hybrid exchange damaged or tampered with" :
		    "the client's pre-shared key differs from ours");
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, hy ? "bad HASH_I" :
		    "PSK mismatch");
		return;
	}
	ikev1_sa_follow(sa);
	if (sa->auth_method == IKEV1_AUTH_HYBRID_INIT_RSA) {
		if (main_r6_sig(sa, &in) < 0)
			goto fail;
		ikev1_log(sa, INFO, "main mode done: '%s' (hybrid): our "
		    "certificate signed, XAuth next", sa->idi);
		ikev1_p1_done(sa);
		return;
	}
	idrlen = ikev1_p1_our_id(sa, idr, sizeof(idr));
	in.id_b = idr;
	in.idlen = idrlen;
	if (ikev1_hash_auth(&sa->keys, false, &in, hash) < 0)
		goto fail;
	ikev1_enc_body(&enc, body, sizeof(body));
	ikev1_put_id(&enc, idr[0], idr[1], 0, idr + 4, idrlen - 4);
	ikev1_put_hash(&enc, hash, sa->prf->out);
	if ((n = ikev1_enc_finish(&enc)) < 0 ||
	    ikev1_send_enc(sa, IKEV1_EXCH_MAIN, 0, &sa->iv, enc.first, body,
	    (size_t)n, IKEV1_TX_RESPONSE) < 0)
		goto fail;
	/* sa->iv now holds the last block of phase 1: every later
	 * exchange's IV starts from it. */
	ikev1_log(sa, INFO, "main mode done: '%s' authenticated by "
	    "pre-shared key%s", sa->idi,
	    sa->auth_method == IKEV1_AUTH_XAUTH_INIT_PSK ? ", XAuth next" :
	    "");
	ikev1_p1_done(sa);
	return;
fail:
	ikev1_log(sa, WARN, "main mode: cannot build message 6");
	ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "crypto failure");
}

/*
 * PSK alone (docs/SECURITY.md, "Identities"): a key configured for one
 * identity makes the peer that identity (its user record decides when
 * one exists); the %any key proves only that the peer knows a shared
 * secret, so it runs as "%any:<ID>", which no user name can be.  The ID
 * the client claims in message 5 names no one.  -1: refused.
 */
static int
psk_user(struct ikev1_isakmp *sa)
{
	const struct rg_user	*u;

	if (strcmp(sa->psk_id, "%any") == 0) {
		snprintf(sa->user, sizeof(sa->user), "%%any:%.120s", sa->idi);
		return 0;
	}
	u = rg_config_user(sa->cfg, sa->psk_id);
	if (u != NULL && !u->enabled) {
		ikev1_log(sa, WARN, "PSK of '%s': user disabled, refused",
		    sa->psk_id);
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, "disabled");
		return -1;
	}
	snprintf(sa->user, sizeof(sa->user), "%s", sa->psk_id);
	return 0;
}

void
ikev1_p1_done(struct ikev1_isakmp *sa)
{
	const struct rg_profile	*prof;
	bool			 cert = ikev1_auth_sig(sa->auth_method);

	ikev1_hs_free(sa);
	if (ikev1_auth_xauth(sa->auth_method)) {
		ikev1_xauth_start(sa);
		return;
	}
	/* A certificate named the user already (main_r5_sig). */
	if (!cert && psk_user(sa) < 0)
		return;
	prof = rg_config_user_profile(sa->cfg, sa->user);
	snprintf(sa->profile, sizeof(sa->profile), "%s",
	    prof != NULL ? prof->name : "");
	if (ikev1_sess_open(sa) < 0) {
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "no session");
		return;
	}
	ikev1_sa_set_state(sa, IKEV1_S_MODECFG, cert ?
	    "certificate authenticated" : "PSK authenticated");
	rg_timer_start(sa->eng->loop, &sa->t_push, IKEV1_CFG_PUSH_MS);
}

void
ikev1_main_input(struct ikev1_isakmp *sa, const struct ikev1_msg *m,
    const struct ikev1_msg *plain)
{
	(void)m;
	if (sa->state == IKEV1_S_MM_SA)
		main_r3(sa, plain);
	else if (sa->state == IKEV1_S_MM_KE)
		main_r5(sa, plain);
	else
		sa->eng->ctr.bad_exch++;
}
