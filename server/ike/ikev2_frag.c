/*
 * ikev2_frag.c: IKE fragmentation (RFC 7383): SKF fragments of a message
 * are decrypted one by one and reassembled (2.6); a protected message
 * larger than IKEV2_FRAG_MTU is sent as SKF fragments (2.5) when the peer
 * announced IKEV2_FRAGMENTATION_SUPPORTED.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_int.h"

/* Reassembly state, allocated by the first fragment and freed with the
 * message: an SA that is not receiving a fragmented message keeps only a
 * NULL pointer. */
struct ikev2_frag_rx {
	struct rg_buf	*frag[IKEV2_MAX_FRAGS];
	uint16_t	 total;
	uint32_t	 msgid;
	uint8_t		 np;
};

void
ikev2_frag_clear(struct ikev2_sa *sa)
{
	if (sa->frx == NULL)
		return;
	for (size_t i = 0; i < IKEV2_MAX_FRAGS; i++)
		rg_buf_free(sa->frx->frag[i]);
	free(sa->frx);
	sa->frx = NULL;
}

int
ikev2_frag_input(struct ikev2_sa *sa, const struct ikev2_msg *m,
    uint8_t *plain, size_t cap, size_t *plen, uint8_t *np)
{
	const struct ikev2_pl	*p = &m->pl[m->sk_idx];
	const struct ikev2_sk_dir *d = sa->initiator ? &sa->keys.r2i :
	    &sa->keys.i2r;
	struct ikev2_skf	 f;
	struct rg_rd		 rd;
	size_t			 off, total = 0;
	long			 n;
	uint8_t			*tmp;

	rg_rd_init(&rd, p->body, p->len);
	if (ikev2_skf_decode(&rd, &f) < 0 || f.total > IKEV2_MAX_FRAGS)
		return -1;
	if (sa->frx != NULL && (sa->frx->msgid != m->hdr.msgid ||
	    sa->frx->total != f.total))
		ikev2_frag_clear(sa);
	if (sa->frx == NULL &&
	    (sa->frx = calloc(1, sizeof(*sa->frx))) == NULL)
		return -1;
	if (sa->frx->frag[f.num - 1] != NULL)
		return 0;	/* duplicate */
	if ((tmp = malloc(IKEV2_MAX_MSG)) == NULL)
		return -1;
	off = (size_t)(f.data - m->raw);
	n = ikev2_sk_open(d, m->raw, m->rawlen, off, tmp, IKEV2_MAX_MSG);
	if (n < 0) {
		free(tmp);
		return -1;
	}
	sa->frx->frag[f.num - 1] = rg_buf_dup(tmp, (size_t)n);
	free(tmp);
	if (sa->frx->frag[f.num - 1] == NULL)
		return -1;
	sa->frx->total = f.total;
	sa->frx->msgid = m->hdr.msgid;
	if (f.num == 1)
		sa->frx->np = m->sk_np;
	for (size_t i = 0; i < f.total; i++) {
		if (sa->frx->frag[i] == NULL)
			return 0;
		total += sa->frx->frag[i]->len;
	}
	if (total > cap) {
		ikev2_frag_clear(sa);
		return -1;
	}
	off = 0;
	for (size_t i = 0; i < f.total; i++) {
		memcpy(plain + off, sa->frx->frag[i]->data, sa->frx->frag[i]->len);
		off += sa->frx->frag[i]->len;
	}
	*plen = off;
	*np = sa->frx->np;
	ikev2_frag_clear(sa);
	return 1;
}

int
ikev2_frag_seal(struct ikev2_sa *sa, const struct ikev2_sk_dir *d,
    const struct ikev2_hdr *h0, uint8_t np, const uint8_t *inner, size_t ilen,
    struct rg_buf **out, size_t *nout)
{
	size_t	 ipudp = sa->peer.ss_family == AF_INET6 ? 48 : 28;
	size_t	 over = ikev2_sk_overhead(d, 0) + d->encr->block;
	size_t	 chunk = IKEV2_FRAG_MTU - ipudp - 4 - IKEV2_HDR_LEN - 8 - over;
	size_t	 total = (ilen + chunk - 1) / chunk;
	struct ikev2_hdr h = *h0;

	*nout = 0;
	if (total == 0 || total > IKEV2_MAX_FRAGS)
		return -1;
	for (size_t i = 0; i < total; i++) {
		size_t		 len = i + 1 < total ? chunk : ilen - i * chunk;
		struct rg_buf	*b = rg_buf_new(IKEV2_FRAG_MTU);
		struct ikev2_enc enc;
		long		 n;

		if (b == NULL)
			goto fail;
		out[(*nout)++] = b;
		ikev2_enc_init(&enc, b->data, b->len, &h);
		ikev2_pl_begin(&enc, IKEV2_PL_SKF);
		rg_wr_u16(&enc.w, (uint16_t)(i + 1));
		rg_wr_u16(&enc.w, (uint16_t)total);
		if (enc.w.err)
			goto fail;
		b->data[IKEV2_HDR_LEN] = i == 0 ? np : 0;
		n = ikev2_sk_seal(d, b->data, b->len, enc.w.len, IKEV2_HDR_LEN,
		    inner + i * chunk, len);
		if (n < 0)
			goto fail;
		b->len = (size_t)n;
	}
	return 0;
fail:
	for (size_t i = 0; i < *nout; i++)
		rg_buf_free(out[i]);
	*nout = 0;
	return -1;
}
