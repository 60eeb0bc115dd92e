/*
 * fuzz_ikev1_msg: the IKEv1 codec (ikev1_msg.c, ikev1_enc.c): header and
 * payload chain, the same bytes as a decrypted body, every payload
 * decoder on what the chain yields, and the encoders and proposal text
 * on what decoded.  Malformed input must be refused, never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikev1_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
payloads(const struct ikev1_msg *m)
{
	static struct ikev1_sa	 sa;
	static struct ikev1_cfg	 cfg;
	static uint8_t		 out[65536];
	static char		 text[4096];
	const char		*why;

	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev1_pl	*p = &m->pl[i];
		struct ikev1_enc	 e;
		struct ikev1_id		 id;
		struct ikev1_id_net	 net;
		struct ikev1_notify	 n;
		struct ikev1_delete	 d;
		struct ikev1_cert	 c;
		struct ikev1_natoa	 oa;
		struct ikev1_frag	 f;
		const uint8_t		*q;
		size_t			 len;
		struct rg_rd		 r;

		rg_rd_init(&r, p->body, p->len);
		ikev1_enc_body(&e, out, sizeof(out));
		switch (p->type) {
		case IKEV1_PL_SA:
			if (ikev1_sa_decode(&r, &sa, &why) < 0)
				break;
			ikev1_sa_str(&sa, text, sizeof(text));
			for (size_t k = 0; k < sa.nprop; k++) {
				struct ikev1_xf	 x = sa.prop[k].xf[0];

				ikev1_put_sa(&e, 1, sa.prop[k].num,
				    sa.prop[k].proto, sa.prop[k].spi,
				    sa.prop[k].spi_len, &x);
				x.raw = NULL;
				ikev1_put_sa(&e, 1, sa.prop[k].num,
				    sa.prop[k].proto, sa.prop[k].spi,
				    sa.prop[k].spi_len, &x);
			}
			break;
		case IKEV1_PL_ID:
			if (ikev1_id_decode(&r, &id, &why) == 0)
				ikev1_id_net(&id, &net, &why);
			break;
		case IKEV1_PL_NONCE:
			ikev1_nonce_decode(&r, &q, &len, &why);
			break;
		case IKEV1_PL_N:
			ikev1_notify_decode(&r, &n, &why);
			break;
		case IKEV1_PL_D:
			ikev1_delete_decode(&r, &d, &why);
			break;
		case IKEV1_PL_CERT:
		case IKEV1_PL_CR:
			ikev1_cert_decode(&r, &c, &why);
			break;
		case IKEV1_PL_NATOA:
		case IKEV1_PL_NATOA_DRAFT:
			ikev1_natoa_decode(&r, &oa, &why);
			break;
		case IKEV1_PL_ATTR:
			if (ikev1_cfg_decode(&r, &cfg, &why) == 0)
				ikev1_put_cfg(&e, &cfg);
			break;
		case IKEV1_PL_FRAG:
			ikev1_frag_decode(&r, &f, &why);
			break;
		case IKEV1_PL_VID:
			ikev1_vid_lookup(p->body, p->len);
			break;
		}
		ikev1_enc_finish(&e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ikev1_msg	 m;
	const char		*why;

	if (ikev1_msg_decode(data, len, &m, &why) == 0)
		payloads(&m);
	/* The same bytes as a decrypted body, first type from byte 0. */
	if (len > 1) {
		memset(&m, 0, sizeof(m));
		if (ikev1_body_decode(&m, data[0], data + 1, len - 1,
		    &why) == 0)
			payloads(&m);
	}
	return 0;
}
