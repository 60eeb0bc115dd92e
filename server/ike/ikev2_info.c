/*
 * ikev2_info.c: the INFORMATIONAL exchange (RFC 7296 1.4, 2.4): DELETE of
 * CHILD SAs and of the IKE SA, liveness checks in both directions (we
 * answer empty requests; after settings.dpd_interval_s of silence we ask,
 * and retransmission gives up after settings.dpd_timeout_s: the peer is
 * dead and its SAs and lease go), MOBIKE UPDATE_SA_ADDRESSES (RFC 4555
 * 3.5: NAT detection is redone for the addresses the request came from
 * and answered with ours, COOKIE2 is echoed (3.8); the SA and its CHILD
 * SAs move there only once our return-routability check, an
 * INFORMATIONAL {N(COOKIE2)} sent to the new address, is answered from
 * it (3.6)).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ikev2_int.h"

struct mobike_req {
	bool		 update;
	const uint8_t	*nat_src, *nat_dst, *cookie2;
	size_t		 cookie2_len;
};

/* The SA and its CHILD SAs are at rx now (RFC 4555 3.5). */
static void
mobike_moved(struct ikev2_sa *sa, const struct ikev2_path *rx)
{
	unsigned int	 n;
	char		 a[64], b[64];

	n = ikev2_sa_move(sa, rx, sa->nat_peer || sa->nat_local);
	rg_sa_str((const struct sockaddr *)&sa->peer, a, sizeof(a));
	rg_sa_str((const struct sockaddr *)&sa->local, b, sizeof(b));
	ikev2_log(sa, INFO, "MOBIKE address update: peer %s, local %s, %s, "
	    "%u CHILD SA(s) moved", a, b, sa->nat_peer ? "peer behind NAT" :
	    sa->nat_local ? "we are behind NAT" : "no NAT", n);
}

void
ikev2_mobike_rr_next(struct ikev2_sa *sa)
{
	struct ikev2_enc	 enc;
	uint8_t			 buf[64];

	if (sa->rr == NULL || sa->rr->sent || sa->nreq != 0 ||
	    sa->state != IKEV2_S_ESTABLISHED)
		return;
	/* <-- HDR, SK {N(COOKIE2)} to the new address (RFC 4555 3.6) */
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_COOKIE2, sa->rr->cookie2,
	    sizeof(sa->rr->cookie2));
	if (ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
	    IKEV2_REQ_RR, 0) == 0)
		sa->rr->sent = true;
}

/* Our COOKIE2 request was answered (on rx): the move is confirmed when
 * the answer came from the new address with our COOKIE2. */
static void
mobike_rr_answered(struct ikev2_sa *sa, const struct ikev2_msg *m,
    const struct ikev2_path *rx)
{
	struct ikev2_rr	*rr = sa->rr;
	bool		 echoed = false;
	char		 a[64];

	if (rr == NULL)
		return;
	sa->rr = NULL;
	for (size_t i = 0; i < m->npl; i++) {
		struct ikev2_notify n;
		struct rg_rd	 rd;

		if (m->pl[i].type != IKEV2_PL_N)
			continue;
		rg_rd_init(&rd, m->pl[i].body, m->pl[i].len);
		if (ikev2_notify_decode(&rd, &n) == 0 &&
		    n.type == IKEV2_N_COOKIE2 && n.len == sizeof(rr->cookie2) &&
		    CRYPTO_memcmp(n.data, rr->cookie2, n.len) == 0)
			echoed = true;
	}
	if (!echoed || memcmp(&rx->peer, &rr->to.peer, sizeof(rx->peer)) != 0 ||
	    memcmp(&rx->local, &rr->to.local, sizeof(rx->local)) != 0) {
		ikev2_log(sa, NOTICE, "MOBIKE: no answer from %s with our "
		    "COOKIE2 (%s); the SA stays", rg_sa_str(
		    (const struct sockaddr *)&rr->to.peer, a, sizeof(a)),
		    echoed ? "answered from elsewhere" : "COOKIE2 missing or "
		    "altered");
		free(rr);
		return;
	}
	sa->nat_peer = rr->nat_peer;
	sa->nat_local = rr->nat_local;
	mobike_moved(sa, &rr->to);
	free(rr);
}

/* RFC 4555 3.5: the peer asks to use the addresses of this request (rx).
 * Redo NAT detection for them, append our NAT_DETECTION notifies and
 * COOKIE2 to the answer; the move itself waits for the return-routability
 * check (3.6) unless rx is where the SA already is. */
static void
mobike_update(struct ikev2_sa *sa, const struct mobike_req *mr,
    const struct ikev2_path *rx, struct ikev2_enc *enc)
{
	const struct sockaddr *peer = (const struct sockaddr *)&rx->peer;
	const struct sockaddr *local = (const struct sockaddr *)&rx->local;
	bool		 nat_peer = sa->nat_peer, nat_local = sa->nat_local;
	uint8_t		 h[20];
	char		 a[64];

	if (mr->nat_src != NULL && mr->nat_dst != NULL) {
		ikev2_natd_hash(sa->spi_i, sa->spi_r, peer, h);
		nat_peer = CRYPTO_memcmp(h, mr->nat_src, 20) != 0;
		ikev2_natd_hash(sa->spi_i, sa->spi_r, local, h);
		nat_local = CRYPTO_memcmp(h, mr->nat_dst, 20) != 0;
		/* Ours: the source is us, the destination the peer. */
		ikev2_natd_hash(sa->spi_i, sa->spi_r, local, h);
		ikev2_put_notify(enc, 0, NULL, 0,
		    IKEV2_N_NAT_DETECTION_SOURCE_IP, h, 20);
		ikev2_natd_hash(sa->spi_i, sa->spi_r, peer, h);
		ikev2_put_notify(enc, 0, NULL, 0,
		    IKEV2_N_NAT_DETECTION_DESTINATION_IP, h, 20);
	}
	if (mr->cookie2 != NULL)
		ikev2_put_notify(enc, 0, NULL, 0, IKEV2_N_COOKIE2, mr->cookie2,
		    mr->cookie2_len);
	if (sa->rsp == NULL) {
		/* Same addresses (back where it was, if a move was being
		 * checked): only the NAT state may have changed. */
		free(sa->rr);
		sa->rr = NULL;
		sa->nat_peer = nat_peer;
		sa->nat_local = nat_local;
		mobike_moved(sa, rx);
		return;
	}
	if (sa->rr == NULL && (sa->rr = calloc(1, sizeof(*sa->rr))) == NULL)
		return;
	if (!sa->rr->sent)
		ike_random(sa->rr->cookie2, sizeof(sa->rr->cookie2));
	sa->rr->to = *rx;
	sa->rr->nat_peer = nat_peer;
	sa->rr->nat_local = nat_local;
	ikev2_log(sa, INFO, "MOBIKE: peer asks to move to %s; checking that "
	    "it answers there", rg_sa_str(peer, a, sizeof(a)));
}

void
ikev2_info_request(struct ikev2_sa *sa, const struct ikev2_msg *m,
    const struct ikev2_path *rx)
{
	struct ikev2_enc	 enc;
	struct ikev2_delete	*out = calloc(1, sizeof(*out));
	uint8_t			 buf[512];
	bool			 delete_ike = false;
	struct mobike_req	 mr;

	if (out == NULL)
		return;
	memset(&mr, 0, sizeof(mr));
	out->proto = IKEV2_PROTO_ESP;
	out->spi_len = 4;
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev2_pl *p = &m->pl[i];
		struct ikev2_delete d;
		struct ikev2_notify n;
		struct rg_rd	 rd;

		rg_rd_init(&rd, p->body, p->len);
		if (p->type == IKEV2_PL_D) {
			if (ikev2_delete_decode(&rd, &d) < 0) {
				sa->eng->ctr.malformed++;
				continue;
			}
			if (d.proto == IKEV2_PROTO_IKE) {
				delete_ike = true;
				continue;
			}
			if (d.proto != IKEV2_PROTO_ESP)
				continue;
			for (unsigned int k = 0; k < d.nspi; k++) {
				struct ikev2_child *c = ikev2_child_by_out(sa,
				    d.spi[k]);

				if (c == NULL)
					continue;
				ikev2_log(sa, INFO, "CHILD SA %08x/%08x deleted "
				    "by the peer", c->spi_in, c->spi_out);
				if (out->nspi < IKEV2_MAX_DEL_SPI)
					out->spi[out->nspi++] = c->spi_in;
				ikev2_child_remove(sa, c, true);
			}
		} else if (p->type == IKEV2_PL_N &&
		    ikev2_notify_decode(&rd, &n) == 0) {
			switch (n.type) {
			case IKEV2_N_UPDATE_SA_ADDRESSES:
				mr.update = true;
				break;
			case IKEV2_N_NAT_DETECTION_SOURCE_IP:
				if (n.len == 20)
					mr.nat_src = n.data;
				break;
			case IKEV2_N_NAT_DETECTION_DESTINATION_IP:
				if (n.len == 20)
					mr.nat_dst = n.data;
				break;
			case IKEV2_N_COOKIE2:
				/* 8..64 octets (RFC 4555 4.5). */
				if (n.len >= 8 && n.len <= 64) {
					mr.cookie2 = n.data;
					mr.cookie2_len = n.len;
				}
				break;
			default:
				break;
			}
		}
	}
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	if (!delete_ike && out->nspi > 0)
		ikev2_put_delete(&enc, out);
	if (mr.update && !delete_ike && sa->mobike &&
	    sa->state == IKEV2_S_ESTABLISHED)
		mobike_update(sa, &mr, rx, &enc);
	else if (mr.cookie2 != NULL)
		ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_COOKIE2, mr.cookie2,
		    mr.cookie2_len);
	ikev2_send_sk(sa, IKEV2_EXCH_INFORMATIONAL, true, m->hdr.msgid, &enc);
	free(out);
	ikev2_mobike_rr_next(sa);
	if (delete_ike) {
		if (sa->state == IKEV2_S_REKEYED)
			ikev2_log(sa, DEBUG, "rekeyed IKE SA deleted");
		ikev2_sa_end(sa, SESS_CAUSE_USER_REQUEST,
		    "deleted by the peer");
	}
}

void
ikev2_info_response(struct ikev2_sa *sa, const struct ikev2_msg *m,
    const struct ikev2_path *rx)
{
	switch (sa->req_kind) {
	case IKEV2_REQ_RR:
		mobike_rr_answered(sa, m, rx);
		break;
	case IKEV2_REQ_DPD:
		ikev2_log(sa, DEBUG, "liveness check answered");
		break;
	case IKEV2_REQ_DELETE:
		ikev2_sa_destroy(sa, "deleted");
		break;
	default:
		break;
	}
}

void
ikev2_dpd_cb(struct rg_timer *t)
{
	struct ikev2_sa	*sa = t->arg;
	uint32_t	 iv = sa->cfg->settings.dpd_interval_s;
	uint64_t	 now = rg_now_ms();
	struct ikev2_enc enc;
	uint8_t		 buf[16];

	if (sa->state != IKEV2_S_ESTABLISHED || iv == 0)
		return;
	if (now - sa->last_rx_ms < (uint64_t)iv * 1000) {
		rg_timer_start(sa->eng->loop, &sa->t_dpd,
		    (uint64_t)iv * 1000 - (now - sa->last_rx_ms));
		return;
	}
	if (sa->resp_valid) {
		/* Silent for a whole interval: no retransmission of the
		 * request we answered last is still coming (peers retransmit
		 * within seconds), so its cached response goes; resp_msgid
		 * and the window stay, and a late copy is dropped as an old
		 * message ID.  An idle SA keeps no message buffers. */
		for (size_t i = 0; i < sa->nresp; i++) {
			rg_buf_free(sa->resp[i]);
			sa->resp[i] = NULL;
		}
		sa->nresp = 0;
		sa->resp_valid = false;
	}
	if (sa->nreq == 0) {
		/* HDR, SK {} --> : an empty INFORMATIONAL request. */
		ikev2_enc_inner(&enc, buf, sizeof(buf));
		ikev2_log(sa, DEBUG, "%us silent: liveness check", iv);
		ikev2_send_request(sa, IKEV2_EXCH_INFORMATIONAL, &enc,
		    IKEV2_REQ_DPD, 0);
	}
	rg_timer_start(sa->eng->loop, &sa->t_dpd, (uint64_t)iv * 1000);
}

void
ikev2_send_delete_ike(struct ikev2_sa *sa)
{
	struct ikev2_enc	 enc;
	struct ikev2_delete	 d;
	uint8_t			 buf[32];

	memset(&d, 0, sizeof(d));
	d.proto = IKEV2_PROTO_IKE;
	ikev2_enc_inner(&enc, buf, sizeof(buf));
	ikev2_put_delete(&enc, &d);
	/* Sent once: the SA goes right after (RFC 7296 1.4.1 allows it). */
	ikev2_send_sk(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->tx_msgid++,
	    &enc);
}
