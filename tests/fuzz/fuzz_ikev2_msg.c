/*
 * fuzz_ikev2_msg: the IKEv2 message parser (ikev2_msg.c): header, payload
 * chain, and every payload decoder on whatever the chain yields, plus an
 * SK open attempt.  Malformed input must be refused, never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikev2_crypto.h"
#include "ikev2_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ikev2_msg		 m;
	static struct ikev2_sa_pl	 sa;
	static uint8_t			 out[65536];
	struct ikev2_sk_dir		 d;

	if (ikev2_msg_decode(data, len, &m) < 0) {
		/* Still exercise the chain decoder on raw bytes. */
		memset(&m, 0, sizeof(m));
		m.sk_idx = -1;
		if (len > 1)
			ikev2_chain_decode(&m, data[0], data + 1, len - 1);
	}
	for (size_t i = 0; i < m.npl; i++) {
		struct rg_rd	 r;
		const struct ikev2_pl *p = &m.pl[i];

		rg_rd_init(&r, p->body, p->len);
		switch (p->type) {
		case IKEV2_PL_SA: ikev2_sa_decode(&r, &sa); break;
		case IKEV2_PL_KE: { struct ikev2_ke k; ikev2_ke_decode(&r, &k); break; }
		case IKEV2_PL_IDI:
		case IKEV2_PL_IDR: { struct ikev2_id x; ikev2_id_decode(&r, &x); break; }
		case IKEV2_PL_AUTH: { struct ikev2_auth x; ikev2_auth_decode(&r, &x); break; }
		case IKEV2_PL_CERT:
		case IKEV2_PL_CERTREQ: { struct ikev2_cert x; ikev2_cert_decode(&r, &x); break; }
		case IKEV2_PL_N: { struct ikev2_notify x; ikev2_notify_decode(&r, &x); break; }
		case IKEV2_PL_D: { struct ikev2_delete x; ikev2_delete_decode(&r, &x); break; }
		case IKEV2_PL_TSI:
		case IKEV2_PL_TSR: { struct ikev2_ts_pl x; ikev2_ts_decode(&r, &x); break; }
		case IKEV2_PL_CP: { static struct ikev2_cp x; ikev2_cp_decode(&r, &x); break; }
		case IKEV2_PL_SKF: { struct ikev2_skf x; ikev2_skf_decode(&r, &x); break; }
		case IKEV2_PL_SK:
			memset(&d, 0, sizeof(d));
			d.encr = ikev2_xform_find(IKEV2_XF_ENCR, 20, 128);
			ikev2_sk_open(&d, data, len, (size_t)(p->body - data),
			    out, sizeof(out));
			d.encr = ikev2_xform_find(IKEV2_XF_ENCR, 12, 128);
			d.integ = ikev2_xform_find(IKEV2_XF_INTEG, 12, 0);
			ikev2_sk_open(&d, data, len, (size_t)(p->body - data),
			    out, sizeof(out));
			break;
		}
	}
	return 0;
}
