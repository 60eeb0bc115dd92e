/*
 * ikev1_info.c: informational exchanges (RFC 2408 4.8, RFC 2409 5.7:
 * HASH(1) = prf(SKEYID_a, M-ID | N/D)), in both directions: DELETE of
 * ESP SAs and of the ISAKMP SA, DPD (RFC 3706: R-U-THERE answered with
 * R-U-THERE-ACK, ours sent when the client has been quiet for
 * dpd_interval_s and it announced DPD), INITIAL-CONTACT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_prf.h"
#include "ikev1_int.h"

/* HASH(1) and one payload, in a fresh exchange, sent once. */
static int
send_info(struct ikev1_isakmp *sa, void (*put)(struct ikev1_enc *,
    const void *), const void *arg)
{
	struct ikev1_enc enc;
	struct ikev1_iv	 iv;
	uint8_t		 body[512], zero[IKEV1_PRF_MAX] = { 0 };
	uint32_t	 msgid = 0;
	long		 n;

	if (sa->prf == NULL || sa->hs != NULL)
		return -1;	/* no keys yet */
	while (msgid == 0)
		if (ike_random(&msgid, sizeof(msgid)) < 0)
			return -1;
	if (ikev1_iv_exchange(&sa->keys, &sa->iv, msgid, &iv) < 0)
		return -1;
	ikev1_enc_body(&enc, body, sizeof(body));
	ikev1_put_hash(&enc, zero, sa->prf->out);
	put(&enc, arg);
	if ((n = ikev1_enc_finish(&enc)) < 0 ||
	    ikev1_hash_fill(sa, msgid, NULL, 0, body, (size_t)n) < 0)
		return -1;
	return ikev1_send_enc(sa, IKEV1_EXCH_INFORMATIONAL, msgid, &iv,
	    enc.first, body, (size_t)n, IKEV1_TX_ONCE);
}

struct notify_arg {
	const struct ikev1_isakmp	*sa;
	uint16_t			 type;
	const uint8_t			*data;
	size_t				 len;
};

static void
put_notify(struct ikev1_enc *e, const void *p)
{
	const struct notify_arg	*a = p;
	uint8_t			 spi[16];

	memcpy(spi, a->sa->ck_i, 8);
	memcpy(spi + 8, a->sa->ck_r, 8);
	ikev1_put_notify(e, IKEV1_PROTO_ISAKMP, spi, 16, a->type, a->data,
	    a->len);
}

int
ikev1_info_notify(struct ikev1_isakmp *sa, uint16_t type, const uint8_t *data,
    size_t len)
{
	struct notify_arg a = { sa, type, data, len };

	return send_info(sa, put_notify, &a);
}

static void
put_delete_isakmp(struct ikev1_enc *e, const void *p)
{
	const struct ikev1_isakmp *sa = p;
	uint8_t		 spi[16];

	memcpy(spi, sa->ck_i, 8);
	memcpy(spi + 8, sa->ck_r, 8);
	ikev1_put_delete(e, IKEV1_PROTO_ISAKMP, 16, spi, 1);
}

void
ikev1_send_delete_isakmp(struct ikev1_isakmp *sa)
{
	/* The ESP SAs first: some clients keep them otherwise. */
	for (struct ikev1_child *c = sa->children; c; c = c->next)
		ikev1_send_delete_esp(sa, c->spi_in);
	(void)send_info(sa, put_delete_isakmp, sa);
}

static void
put_delete_esp(struct ikev1_enc *e, const void *p)
{
	uint8_t	 spi[4];

	rg_put_u32(spi, *(const uint32_t *)p);
	ikev1_put_delete(e, IKEV1_PROTO_ESP, 4, spi, 1);
}

void
ikev1_send_delete_esp(struct ikev1_isakmp *sa, uint32_t spi_in)
{
	(void)send_info(sa, put_delete_esp, &spi_in);
}

static void
notify_in(struct ikev1_isakmp *sa, const struct ikev1_pl *pl)
{
	struct ikev1_notify	 n;
	struct rg_rd		 r;
	const char		*why = NULL;

	rg_rd_init(&r, pl->body, pl->len);
	if (ikev1_notify_decode(&r, &n, &why) < 0) {
		sa->eng->ctr.malformed++;
		return;
	}
	switch (n.type) {
	case IKEV1_N_R_U_THERE:
		if (n.len != 4)
			return;
		sa->eng->ctr.dpd_answered++;
		(void)ikev1_info_notify(sa, IKEV1_N_R_U_THERE_ACK, n.data, 4);
		break;
	case IKEV1_N_R_U_THERE_ACK:
		sa->dpd_missed = 0;
		break;
	case IKEV1_N_INITIAL_CONTACT:
		/* Before XAuth named the user it applies when it does;
		 * strongSwan sends it in its own informational. */
		ikev1_log(sa, DEBUG, "INITIAL-CONTACT from '%s'", sa->idi);
		sa->initial_contact = true;
		break;
	default:
		ikev1_log(sa, INFO, "notification %s from the client",
		    ikev1_notify_name(n.type));
		break;
	}
}

static void
delete_in(struct ikev1_isakmp *sa, const struct ikev1_pl *pl)
{
	struct ikev1_delete	 d;
	struct rg_rd		 r;
	const char		*why = NULL;

	rg_rd_init(&r, pl->body, pl->len);
	if (ikev1_delete_decode(&r, &d, &why) < 0) {
		sa->eng->ctr.malformed++;
		return;
	}
	sa->eng->ctr.deletes++;
	if (d.proto == IKEV1_PROTO_ISAKMP && d.spi_len == 16) {
		for (uint16_t i = 0; i < d.nspi; i++)
			if (memcmp(d.spis + 16 * i, sa->ck_i, 8) == 0 &&
			    memcmp(d.spis + 16 * i + 8, sa->ck_r, 8) == 0) {
				ikev1_log(sa, INFO, "'%s' deleted the ISAKMP "
				    "SA", sa->user[0] ? sa->user : sa->idi);
				ikev1_sa_end(sa, SESS_CAUSE_USER_REQUEST,
				    "deleted by the client");
				return;
			}
		return;
	}
	if ((d.proto == IKEV1_PROTO_ESP || d.proto == IKEV1_PROTO_AH) &&
	    d.spi_len == 4)
		for (uint16_t i = 0; i < d.nspi; i++)
			ikev1_child_delete(sa, rg_get_u32(d.spis + 4 * i));
}

void
ikev1_info_input(struct ikev1_isakmp *sa, const struct ikev1_msg *m)
{
	if (sa->prf == NULL || sa->hs != NULL ||
	    !ikev1_hash_check(sa, m->hdr.msgid, NULL, 0, m)) {
		sa->eng->ctr.bad_hash++;
		ikev1_log(sa, DEBUG, "informational without a valid HASH(1) "
		    "dropped");
		return;
	}
	for (size_t i = 1; i < m->npl && sa->state != IKEV1_S_DEAD; i++) {
		if (m->pl[i].type == IKEV1_PL_N)
			notify_in(sa, &m->pl[i]);
		else if (m->pl[i].type == IKEV1_PL_D)
			delete_in(sa, &m->pl[i]);
	}
}

void
ikev1_dpd_cb(struct rg_timer *t)
{
	struct ikev1_isakmp	*sa = t->arg;
	const struct rg_settings *st = &sa->cfg->settings;
	uint64_t		 ivl = (uint64_t)st->dpd_interval_s * 1000;
	uint64_t		 now = rg_now_ms();
	uint8_t			 seq[4];

	if (sa->state != IKEV1_S_ESTABLISHED || ivl == 0)
		return;
	if (!sa->vid_dpd || now - sa->last_rx_ms < ivl) {
		rg_timer_start(sa->eng->loop, t, ivl);
		return;
	}
	if (st->dpd_timeout_s != 0 && now - sa->last_rx_ms >=
	    (uint64_t)st->dpd_timeout_s * 1000) {
		sa->eng->ctr.dpd_dead++;
		ikev1_log(sa, NOTICE, "'%s' silent for %u s (DPD): session "
		    "ended", sa->user, st->dpd_timeout_s);
		ikev1_sa_end(sa, SESS_CAUSE_LOST_CARRIER, "DPD timeout");
		return;
	}
	rg_put_u32(seq, ++sa->dpd_seq_tx);
	sa->dpd_missed++;
	(void)ikev1_info_notify(sa, IKEV1_N_R_U_THERE, seq, 4);
	rg_timer_start(sa->eng->loop, t, ivl / 3 ? ivl / 3 : 1000);
}
