/*
 * ikev1_aggr.c: aggressive mode as responder (RFC 2409 5.4) with a
 * pre-shared key, what iOS/macOS "Cisco IPSec" and Android send when a
 * group name is set:
 *
 *   1  HDR, SA, KE, Ni, IDii, VID*       ->
 *                      2  HDR, SA, KE, Nr, IDir, HASH_R, VID*, NAT-D*
 *   3  HDR[*], HASH_I [, NAT-D*]         ->  (XAuth next)
 *
 * Message 2 carries HASH_R in clear before the client proved anything:
 * whoever captures it (or simply asks) can try PSKs offline.  So it
 * leaves only when the setting ikev1_aggressive is "psk"; otherwise the
 * engine answers nothing (ikev1_engine.c) and logs how to allow it.  The
 * PSK is the group's: the one configured for the client's ID (ID_KEY_ID
 * "group name", FQDN, ...), else "%any".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_prf.h"
#include "ikev1_int.h"

void
ikev1_aggr_r1(struct ikev1_engine *e, const struct ikev1_msg *m,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	const struct ikev1_pl	*pl = ikev1_msg_find(m, IKEV1_PL_SA);
	const struct ikev1_pl	*ke = ikev1_msg_find(m, IKEV1_PL_KE);
	const struct ikev1_pl	*no = ikev1_msg_find(m, IKEV1_PL_NONCE);
	const struct ikev1_pl	*ip = ikev1_msg_find(m, IKEV1_PL_ID);
	const struct ike_alg	*encr = NULL, *prf = NULL, *dh = NULL;
	const struct ikev1_xf	*x = NULL;
	const struct rg_psk	*psk;
	struct ikev1_sa		*sap = NULL;
	struct ikev1_isakmp	*sa = NULL;
	struct ikev1_hs		*hs;
	struct ikev1_auth_in	 in;
	struct ikev1_id		 id;
	struct ikev1_hdr	 h;
	struct ikev1_enc	 enc;
	struct rg_buf		*gxy = NULL;
	struct rg_rd		 r;
	const char		*why = NULL;
	uint8_t			 skeyid[IKEV1_PRF_MAX], hash[IKEV1_PRF_MAX];
	uint8_t			 idr[24], buf[2048];
	size_t			 idrlen;
	char			 idtext[128];
	long			 n;

	if (pl == NULL || ke == NULL || no == NULL || ip == NULL ||
	    no->len < IKEV1_NONCE_MIN || no->len > IKEV1_NONCE_MAX ||
	    (sap = calloc(1, sizeof(*sap))) == NULL) {
		e->ctr.malformed++;
		return;
	}
	rg_rd_init(&r, ip->body, ip->len);
	if (ikev1_id_decode(&r, &id, &why) < 0) {
		e->ctr.malformed++;
		free(sap);
		return;
	}
	ikev1_p1_id_text(&id, idtext, sizeof(idtext));
	rg_rd_init(&r, pl->body, pl->len);
	if (ikev1_sa_decode(&r, sap, &why) < 0 ||
	    sap->doi != IKEV1_DOI_IPSEC ||
	    sap->sit != IKEV1_SIT_IDENTITY_ONLY) {
		e->ctr.malformed++;
		free(sap);
		return;
	}
	/* One KE goes with message 1: only transforms of its group. */
	if (sap->nprop > 0 && sap->prop[0].nxf > 0)
		x = ikev1_p1_choose(e, sap, sap->prop[0].xf[0].group, NULL,
		    &encr, &prf, &dh);
	if (x == NULL || ke->len != dh->out || ke->len > 1024) {
		e->ctr.no_proposal++;
		ikev1_p1_log_no_proposal(e, "aggressive", from, sap);
		ikev1_p1_notify_plain(e, &m->hdr, IKEV1_N_NO_PROPOSAL_CHOSEN,
		    from, to, fd);
		free(sap);
		return;
	}
	if ((psk = rg_config_psk(e->cfg, idtext)) == NULL) {
		e->ctr.auth_fail++;
		rg_log_peer(RG_T_IKE, RG_L_WARN, from, 0, 0, "IKEv1 aggressive "
		    "mode: no pre-shared key for group '%s' and no '%%any' "
		    "one: refused", idtext);
		free(sap);
		return;
	}
	if ((sa = ikev1_sa_new(e, m->hdr.ck_i, from, to, fd)) == NULL) {
		e->ctr.halfopen_drop++;
		free(sap);
		return;
	}
	hs = sa->hs;
	ikev1_p1_read_vids(sa, m);
	snprintf(sa->idi, sizeof(sa->idi), "%s", idtext);
	snprintf(sa->psk_id, sizeof(sa->psk_id), "%s", psk->id);
	sa->encr = encr;
	sa->prf = prf;
	sa->dh_alg = dh;
	sa->auth_method = x->auth;
	sa->life_s = x->life_s;
	if ((hs->sai_b = rg_buf_dup(pl->body, pl->len)) == NULL ||
	    (hs->idi_b = rg_buf_dup(id.body, id.body_len)) == NULL)
		goto fail;
	memcpy(hs->gxi, ke->body, ke->len);
	hs->gxilen = ke->len;
	memcpy(hs->ni, no->body, no->len);
	hs->nilen = no->len;
	hs->nrlen = sizeof(hs->nr);
	if ((hs->dh = ike_dh_new(dh->v1_p1)) == NULL ||
	    (n = ike_dh_public(hs->dh, hs->gxr, sizeof(hs->gxr))) < 0 ||
	    ike_random(hs->nr, hs->nrlen) < 0)
		goto fail;
	hs->gxrlen = (size_t)n;
	if ((gxy = ike_dh_derive(hs->dh, hs->gxi, hs->gxilen)) == NULL)
		goto fail;
	if (ikev1_skeyid_psk(prf, psk->secret, psk->secret_len, hs->ni,
	    hs->nilen, hs->nr, hs->nrlen, skeyid) < 0 ||
	    ikev1_derive(&sa->keys, prf, encr, skeyid, gxy->data, gxy->len,
	    sa->ck_i, sa->ck_r) < 0 ||
	    ikev1_iv_phase1(&sa->keys, hs->gxi, hs->gxilen, hs->gxr,
	    hs->gxrlen, &sa->iv) < 0) {
		OPENSSL_cleanse(skeyid, sizeof(skeyid));
		goto fail;
	}
	OPENSSL_cleanse(skeyid, sizeof(skeyid));
	rg_buf_free(gxy);
	gxy = NULL;

	idrlen = ikev1_p1_our_id(sa, idr, sizeof(idr));
	in = (struct ikev1_auth_in){ .gxi = hs->gxi, .gxilen = hs->gxilen,
	    .gxr = hs->gxr, .gxrlen = hs->gxrlen, .sai_b = hs->sai_b->data,
	    .sailen = hs->sai_b->len, .id_b = idr, .idlen = idrlen };
	if (ikev1_hash_auth(&sa->keys, false, &in, hash) < 0)
		goto fail;
	h = (struct ikev1_hdr){ .version = IKEV1_VERSION,
	    .exch = IKEV1_EXCH_AGGRESSIVE };
	memcpy(h.ck_i, sa->ck_i, 8);
	memcpy(h.ck_r, sa->ck_r, 8);
	ikev1_enc_init(&enc, buf, sizeof(buf), &h);
	ikev1_put_sa(&enc, IKEV1_SIT_IDENTITY_ONLY, sap->prop[0].num,
	    IKEV1_PROTO_ISAKMP, NULL, 0, x);
	ikev1_put_ke(&enc, hs->gxr, hs->gxrlen);
	ikev1_put_nonce(&enc, hs->nr, hs->nrlen);
	ikev1_put_id(&enc, idr[0], idr[1], 0, idr + 4, idrlen - 4);
	ikev1_put_hash(&enc, hash, prf->out);
	if (sa->natt != IKEV1_VID_UNKNOWN)
		ikev1_put_vid(&enc, sa->natt);
	if (sa->vid_xauth)
		ikev1_put_vid(&enc, IKEV1_VID_XAUTH);
	if (sa->vid_dpd)
		ikev1_put_vid(&enc, IKEV1_VID_DPD);
	if (sa->vid_unity)
		ikev1_put_vid(&enc, IKEV1_VID_CISCO_UNITY);
	if (sa->natt != IKEV1_VID_UNKNOWN)
		ikev1_p1_put_natd(sa, &enc);
	if ((n = ikev1_enc_finish(&enc)) < 0)
		goto fail;
	free(sap);
	ikev1_sa_set_state(sa, IKEV1_S_AM_SENT, "aggressive message 2 sent");
	ikev1_log(sa, INFO, "aggressive mode: group '%s' (%s), %s-%s-%s, %s%s",
	    sa->idi, ikev1_id_name(id.type), encr->kw, prf->kw + 3, dh->kw,
	    ikev1_auth_name(sa->auth_method),
	    sa->natt != IKEV1_VID_UNKNOWN ? ", NAT-T" : "");
	sa->last_rx = rg_buf_dup(m->raw, m->rawlen);
	sa->last_tx = rg_buf_dup(buf, (size_t)n);
	ikev1_send_plain(sa, buf, (size_t)n);
	return;
fail:
	free(sap);
	rg_buf_free(gxy);
	if (sa != NULL) {
		ikev1_log(sa, WARN, "aggressive mode: key exchange failed");
		ikev1_sa_end(sa, SESS_CAUSE_NAS_ERROR, "crypto failure");
	}
}

/* Message 3: HASH_I (and NAT-D), encrypted or, from some clients, not. */
void
ikev1_aggr_input(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	struct ikev1_engine	*e = sa->eng;
	const struct ikev1_pl	*hp = ikev1_msg_find(m, IKEV1_PL_HASH);
	struct ikev1_hs		*hs = sa->hs;
	struct ikev1_auth_in	 in;

	if (sa->state != IKEV1_S_AM_SENT || hs == NULL || hp == NULL) {
		e->ctr.malformed++;
		return;
	}
	in = (struct ikev1_auth_in){ .gxi = hs->gxi, .gxilen = hs->gxilen,
	    .gxr = hs->gxr, .gxrlen = hs->gxrlen, .sai_b = hs->sai_b->data,
	    .sailen = hs->sai_b->len, .id_b = hs->idi_b->data,
	    .idlen = hs->idi_b->len };
	if (!ikev1_hash_auth_ok(&sa->keys, &in, hp->body, hp->len)) {
		e->ctr.auth_fail++;
		ikev1_log(sa, WARN, "aggressive mode: HASH_I of group '%s' "
		    "does not verify: the client's pre-shared key differs from "
		    "ours", sa->idi);
		ikev1_sa_end(sa, SESS_CAUSE_USER_ERROR, "PSK mismatch");
		return;
	}
	if (sa->natt != IKEV1_VID_UNKNOWN)
		ikev1_p1_natd_check(sa, m);
	ikev1_sa_follow(sa);
	ikev1_log(sa, INFO, "aggressive mode done: group '%s' authenticated "
	    "by pre-shared key%s", sa->idi,
	    sa->auth_method == IKEV1_AUTH_XAUTH_INIT_PSK ? ", XAuth next" :
	    "");
	ikev1_p1_done(sa);
}
