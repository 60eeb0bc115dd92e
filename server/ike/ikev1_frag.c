/*
 * ikev1_frag.c: IKEv1 fragmentation as Windows, Apple, Android and
 * strongSwan negotiate it (the FRAGMENTATION vendor ID, Cisco's fragment
 * payload 132): a message too big for one datagram (main mode with a
 * certificate chain) travels as several, each an ISAKMP header and one
 * fragment payload carrying a piece of the whole message, header and
 * all.  Received: kept per ISAKMP SA until the last piece is there, then
 * the whole message goes through ikev1_engine_input() as if it came in
 * one datagram.  Sent: only to a client that announced the vendor ID.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev1_int.h"

/* Pieces of one message, numbered from 1. */
struct ikev1_reasm {
	uint16_t		 id;
	uint8_t			 last;		/* 0: not seen yet */
	size_t			 held;		/* bytes, at most one message */
	struct rg_buf		*part[IKEV1_FRAG_MAX];
};

void
ikev1_reasm_free(struct ikev1_isakmp *sa)
{
	if (sa->reasm == NULL)
		return;
	for (size_t i = 0; i < IKEV1_FRAG_MAX; i++)
		rg_buf_free(sa->reasm->part[i]);
	free(sa->reasm);
	sa->reasm = NULL;
}

void
ikev1_frag_input(struct ikev1_engine *e, const struct ikev1_msg *m,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	static const uint8_t	 zero[8];
	struct ikev1_isakmp	*sa;
	struct ikev1_reasm	*ra;
	struct ikev1_frag	 f;
	struct rg_rd		 r;
	const char		*why = NULL;
	uint8_t			*whole;
	size_t			 len = 0;

	if (m->npl != 1 || m->pl[0].type != IKEV1_PL_FRAG ||
	    memcmp(m->hdr.ck_r, zero, 8) == 0 ||
	    (sa = ikev1_sa_lookup(e, m->hdr.ck_i, m->hdr.ck_r)) == NULL ||
	    sa->state == IKEV1_S_DEAD) {
		e->ctr.malformed++;
		return;
	}
	rg_rd_init(&r, m->pl[0].body, m->pl[0].len);
	if (ikev1_frag_decode(&r, &f, &why) < 0 || f.num > IKEV1_FRAG_MAX) {
		e->ctr.malformed++;
		ikev1_log(sa, DEBUG, "fragment dropped: %s", why != NULL ? why :
		    "number too high");
		return;
	}
	/* A new message id: the old pieces are of a message given up. */
	if (sa->reasm != NULL && sa->reasm->id != f.id)
		ikev1_reasm_free(sa);
	if (sa->reasm == NULL) {
		if ((sa->reasm = calloc(1, sizeof(*sa->reasm))) == NULL)
			return;
		sa->reasm->id = f.id;
	}
	ra = sa->reasm;
	if (ra->part[f.num - 1] == NULL) {
		/* Never more than one whole message held per SA. */
		if (ra->held + f.len > IKEV1_MAX_MSG) {
			e->ctr.malformed++;
			ikev1_reasm_free(sa);
			return;
		}
		if ((ra->part[f.num - 1] = rg_buf_dup(f.data, f.len)) == NULL)
			return;
		ra->held += f.len;
	}
	if (f.flags & IKEV1_FRAG_LAST)
		ra->last = f.num;
	if (ra->last == 0)
		return;
	for (size_t i = 0; i < ra->last; i++) {
		if (ra->part[i] == NULL)
			return;
		len += ra->part[i]->len;
	}
	if (len > IKEV1_MAX_MSG || (whole = malloc(len)) == NULL) {
		ikev1_reasm_free(sa);
		return;
	}
	len = 0;
	for (size_t i = 0; i < ra->last; i++) {
		memcpy(whole + len, ra->part[i]->data, ra->part[i]->len);
		len += ra->part[i]->len;
	}
	ikev1_reasm_free(sa);
	ikev1_log(sa, DEBUG, "message of %zu bytes reassembled", len);
	/* Fragments inside fragments are not a thing. */
	if (len > 16 && whole[16] != IKEV1_PL_FRAG)
		ikev1_engine_input(e, whole, len, from, to, fd);
	free(whole);
}

int
ikev1_frag_send(struct ikev1_isakmp *sa, const uint8_t *p, size_t len)
{
	size_t	 chunk = IKEV1_FRAG_SIZE - IKEV1_HDR_LEN - 8, off = 0;
	uint16_t id = ++sa->frag_id;
	uint8_t	 num = 0, pkt[IKEV1_FRAG_SIZE];
	int	 rc = 0;

	if (len < IKEV1_HDR_LEN || (len + chunk - 1) / chunk > IKEV1_FRAG_MAX)
		return -1;
	while (off < len) {
		size_t	 n = len - off < chunk ? len - off : chunk;
		bool	 last = off + n == len;

		/* The message's own header, its next payload the fragment
		 * and no encryption flag: the piece is what is protected. */
		memcpy(pkt, p, IKEV1_HDR_LEN);
		pkt[16] = IKEV1_PL_FRAG;
		pkt[19] = 0;
		rg_put_u32(pkt + 24, (uint32_t)(IKEV1_HDR_LEN + 8 + n));
		pkt[IKEV1_HDR_LEN] = 0;		/* next payload */
		pkt[IKEV1_HDR_LEN + 1] = 0;
		rg_put_u16(pkt + IKEV1_HDR_LEN + 2, (uint16_t)(8 + n));
		rg_put_u16(pkt + IKEV1_HDR_LEN + 4, id);
		pkt[IKEV1_HDR_LEN + 6] = ++num;
		pkt[IKEV1_HDR_LEN + 7] = last ? IKEV1_FRAG_LAST : 0;
		memcpy(pkt + IKEV1_HDR_LEN + 8, p + off, n);
		sa->eng->ctr.tx++;
		if (sa->eng->send(sa->eng->send_arg, sa->fd, pkt,
		    IKEV1_HDR_LEN + 8 + n, (const struct sockaddr *)&sa->local,
		    (const struct sockaddr *)&sa->peer) < 0)
			rc = -1;
		off += n;
	}
	return rc;
}
