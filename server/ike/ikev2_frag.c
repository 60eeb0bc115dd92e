/*
 * ikev2_frag.c: IKE fragmentation (RFC 7383): SKF fragments of a message
 * are decrypted one by one and reassembled (2.6); a protected message
 * larger than IKEV2_FRAG_MTU is sent as SKF fragments (2.5) when the peer
 * announced IKEV2_FRAGMENTATION_SUPPORTED.  Reassembly is bounded: a
 * fragment is authenticated before it touches any state, the bytes held
 * per SA and in all have budgets, and a partial message expires
 * (IKEV2_FRAG_* in ikev2_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_int.h"

static void
expire_cb(struct rg_timer *t)
{
	struct ikev2_sa	*sa = t->arg;

	sa->eng->ctr.frag_expired++;
	ikev2_log(sa, DEBUG, "fragmented message %u incomplete after %u s: "
	    "dropped", sa->frx->msgid, IKEV2_FRAG_TIMEOUT_MS / 1000);
	ikev2_frag_clear(sa);
}

void
ikev2_frag_clear(struct ikev2_sa *sa)
{
	struct ikev2_frag_rx	*x = sa->frx;

	if (x == NULL)
		return;
	rg_timer_stop(sa->eng->loop, &x->t_expire);
	for (size_t i = 0; i < IKEV2_MAX_FRAGS; i++)
		rg_buf_free(x->frag[i]);
	sa->eng->frag_bytes -= x->bytes;
	free(x);
	sa->frx = NULL;
}

/* Room for n more decrypted bytes on sa: the SA's and the engine's
 * budgets (a peer that has only done IKE_SA_INIT can send fragments). */
static bool
budget_ok(struct ikev2_sa *sa, size_t n)
{
	struct ikev2_engine	*e = sa->eng;
	size_t			 held = 0;

	if (sa->frx != NULL)
		held = sa->frx->bytes;
	if (held + n > IKEV2_FRAG_BUDGET_SA) {
		ikev2_log(sa, DEBUG, "fragments over %u bytes: message dropped",
		    (unsigned int)IKEV2_FRAG_BUDGET_SA);
		ikev2_frag_clear(sa);
		return false;
	}
	if (e->frag_bytes + n > e->frag_budget) {
		ikev2_log(sa, DEBUG, "all reassemblies hold %zu bytes: "
		    "fragment dropped", e->frag_bytes);
		return false;
	}
	return true;
}

int
ikev2_frag_input(struct ikev2_sa *sa, const struct ikev2_msg *m,
    uint8_t *plain, size_t cap, size_t *plen, uint8_t *np)
{
	const struct ikev2_pl	*p = &m->pl[m->sk_idx];
	const struct ikev2_sk_dir *d = sa->initiator ? &sa->keys.r2i :
	    &sa->keys.i2r;
	struct ikev2_frag_rx	*x = sa->frx;
	struct ikev2_skf	 f;
	struct rg_rd		 rd;
	size_t			 off, total = 0;
	long			 n;
	uint8_t			*tmp;
	int			 rc = -1;

	rg_rd_init(&rd, p->body, p->len);
	if (ikev2_skf_decode(&rd, &f) < 0 || f.total > IKEV2_MAX_FRAGS)
		return -1;
	if (x != NULL && x->msgid == m->hdr.msgid && x->total == f.total &&
	    x->frag[f.num - 1] != NULL)
		return 0;	/* duplicate */
	/* RFC 7383 2.6: each fragment is authenticated on its own; nothing
	 * of the reassembly changes before its ICV is verified. */
	if ((tmp = malloc(IKEV2_MAX_MSG)) == NULL)
		return -1;
	off = (size_t)(f.data - m->raw);
	n = ikev2_sk_open(d, m->raw, m->rawlen, off, tmp, IKEV2_MAX_MSG);
	if (n < 0)
		goto out;
	/* An authenticated fragment of another message replaces it. */
	if (x != NULL && (x->msgid != m->hdr.msgid || x->total != f.total))
		ikev2_frag_clear(sa);
	if (!budget_ok(sa, (size_t)n)) {
		sa->eng->ctr.frag_drop++;
		rc = 0;
		goto out;
	}
	if ((x = sa->frx) == NULL) {
		if ((x = calloc(1, sizeof(*x))) == NULL)
			goto out;
		x->sa = sa;
		x->total = f.total;
		x->msgid = m->hdr.msgid;
		rg_timer_init(&x->t_expire, expire_cb, sa);
		rg_timer_start(sa->eng->loop, &x->t_expire,
		    IKEV2_FRAG_TIMEOUT_MS);
		sa->frx = x;
	}
	if ((x->frag[f.num - 1] = rg_buf_dup(tmp, (size_t)n)) == NULL)
		goto out;
	x->bytes += (size_t)n;
	sa->eng->frag_bytes += (size_t)n;
	if (f.num == 1)
		x->np = m->sk_np;
	rc = 0;
	for (size_t i = 0; i < f.total; i++) {
		if (x->frag[i] == NULL)
			goto out;
		total += x->frag[i]->len;
	}
	if (total > cap) {
		ikev2_frag_clear(sa);
		rc = -1;
		goto out;
	}
	off = 0;
	for (size_t i = 0; i < f.total; i++) {
		memcpy(plain + off, x->frag[i]->data, x->frag[i]->len);
		off += x->frag[i]->len;
	}
	*plen = off;
	*np = x->np;
	ikev2_frag_clear(sa);
	rc = 1;
out:
	free(tmp);
	return rc;
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
