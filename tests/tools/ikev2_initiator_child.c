/*
 * ikev2_initiator_child.c: the test initiator's CREATE_CHILD_SA
 * exchanges: new CHILD_SAs, CHILD and IKE SA rekeys (RFC 7296 1.3.1,
 * 1.3.2, 1.3.3, 2.18) and their responses.  Test-only.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ikev2_crypto.h"
#include "ikev2_initiator.h"
#include "ikev2_msg.h"
#include "ikev2_xform.h"

#include "ikev2_initiator_int.h"

static long	child_request(struct ikev2_ini *, uint8_t *, size_t, bool);

long
ikev2_ini_rekey_child(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return child_request(i, out, cap, true);
}

long
ikev2_ini_new_child(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	return child_request(i, out, cap, false);
}

/* HDR, SK {[N(REKEY_SA),] SA, Ni, TSi, TSr} -->; the answer's SA becomes
 * the one we track either way. */
static long
child_request(struct ikev2_ini *i, uint8_t *out, size_t cap, bool rekey)
{
	uint8_t			 buf[2048], spi[4], pub[1100];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	struct ikev2_ts_pl	 ts;
	long			 n, pl = 0;

	if (sa == NULL || i->state != INI_ESTABLISHED) {
		free(sa);
		return -1;
	}
	/* HDR, SK {[N(REKEY_SA),] SA, Ni, [KEi], TSi, TSr} --> */
	if (i->child_pfs != 0) {
		ike_dh_free(i->rk_dh);
		if ((i->rk_dh = ike_dh_new(i->child_pfs)) == NULL ||
		    (pl = ike_dh_public(i->rk_dh, pub, sizeof(pub))) < 0) {
			free(sa);
			return -1;
		}
	}
	ike_random(&i->rk_spi_in, sizeof(i->rk_spi_in));
	i->rk_spi_in |= 0x1000;
	if (i->nonce_fill >= 0)
		memset(i->rk_n, i->nonce_fill, sizeof(i->rk_n));
	else
		ike_random(i->rk_n, sizeof(i->rk_n));
	rg_put_u32(spi, i->spi_in);
	ikev2_enc_inner(&e, buf, sizeof(buf));
	if (rekey)
		ikev2_put_notify(&e, IKEV2_PROTO_ESP, spi, 4, IKEV2_N_REKEY_SA,
		    NULL, 0);
	ini_esp_sa(i, sa, i->rk_spi_in);
	if (i->child_pfs != 0)
		ini_add_xf(&sa->prop[0], IKEV2_XF_DH, i->child_pfs, 0);
	ikev2_put_sa(&e, sa);
	free(sa);
	ikev2_put_nonce(&e, i->rk_n, sizeof(i->rk_n));
	if (i->child_pfs != 0)
		ikev2_put_ke(&e, i->child_pfs, pub, (size_t)pl);
	ini_any_ts(&ts);
	ikev2_put_ts(&e, IKEV2_PL_TSI, &ts);
	ikev2_put_ts(&e, IKEV2_PL_TSR, &ts);
	if ((n = ini_seal_req(i, IKEV2_EXCH_CREATE_CHILD_SA, &e, out, cap)) > 0) {
		i->op = OP_REKEY_CHILD;
		i->state = INI_REQ_SENT;
	}
	return n;
}

long
ikev2_ini_rekey_ike(struct ikev2_ini *i, uint8_t *out, size_t cap)
{
	uint8_t			 buf[2048], spi[8], pub[1100];
	struct ikev2_enc	 e;
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	long			 n, pl;

	if (sa == NULL || i->state != INI_ESTABLISHED) {
		free(sa);
		return -1;
	}
	/* HDR, SK {SA, Ni, KEi} --> */
	ike_random(&i->rk_spi, sizeof(i->rk_spi));
	for (int k = 0; k < 8; k++)
		spi[k] = (uint8_t)(i->rk_spi >> (56 - 8 * k));
	if (i->nonce_fill >= 0)
		memset(i->rk_n, i->nonce_fill, sizeof(i->rk_n));
	else
		ike_random(i->rk_n, sizeof(i->rk_n));
	ike_dh_free(i->rk_dh);
	if ((i->rk_dh = ike_dh_new(i->group)) == NULL ||
	    (pl = ike_dh_public(i->rk_dh, pub, sizeof(pub))) < 0) {
		free(sa);
		return -1;
	}
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ini_ike_sa(i, sa, spi, false);
	ikev2_put_sa(&e, sa);
	free(sa);
	ikev2_put_nonce(&e, i->rk_n, sizeof(i->rk_n));
	ikev2_put_ke(&e, i->group, pub, (size_t)pl);
	if ((n = ini_seal_req(i, IKEV2_EXCH_CREATE_CHILD_SA, &e, out, cap)) > 0) {
		i->op = OP_REKEY_IKE;
		i->state = INI_REQ_SENT;
	}
	return n;
}

long
ini_rekey_response(struct ikev2_ini *i, const struct ikev2_msg *m,
    uint8_t *out, size_t cap)
{
	struct ikev2_sa_pl	*sa = malloc(sizeof(*sa));
	const struct ikev2_prop	*p;
	const struct ikev2_pl	*no = ikev2_msg_find(m, IKEV2_PL_NONCE);
	uint16_t		 err;
	long			 rc = -1;

	if (sa == NULL)
		return -1;
	if ((err = ini_error_notify(m, NULL, NULL)) != 0) {
		i->error = err;
		goto out;
	}
	if ((p = ini_first_prop(m, sa)) == NULL || no == NULL ||
	    no->len > sizeof(i->rk_nr))
		goto out;
	memcpy(i->rk_nr, no->body, no->len);
	i->rk_nrlen = no->len;
	if (i->op == OP_REKEY_CHILD) {
		const struct ikev2_pl *ke = ikev2_msg_find(m, IKEV2_PL_KE);
		struct rg_buf	*gir = NULL;
		struct ikev2_ke	 k;
		struct rg_rd	 r;

		if (p->spi_len != 4)
			goto out;
		if (i->child_pfs != 0) {
			/* <-- HDR, SK {SA, Nr, KEr, TSi, TSr} */
			if (ke == NULL)
				goto out;
			rg_rd_init(&r, ke->body, ke->len);
			if (ikev2_ke_decode(&r, &k) < 0 || (gir =
			    ike_dh_derive(i->rk_dh, k.data, k.len)) == NULL)
				goto out;
		}
		ini_kdf_keep(i, gir, true);
		rg_buf_free(gir);
		/* New CHILD; the old one is deleted by the caller. */
		i->spi_out = rg_get_u32(p->spi);
		i->spi_in = i->rk_spi_in;
		i->state = INI_ESTABLISHED;
		rc = 0;
	} else {
		const struct ikev2_pl *ke = ikev2_msg_find(m, IKEV2_PL_KE);
		struct ikev2_ke	 k;
		struct rg_rd	 r;
		struct rg_buf	*gir;
		struct ikev2_delete d;

		if (p->spi_len != 8 || ke == NULL)
			goto out;
		i->rk_spi_r = 0;
		for (int x = 0; x < 8; x++)
			i->rk_spi_r = i->rk_spi_r << 8 | p->spi[x];
		ini_take_algs(p, &i->rk_prf, &i->rk_encr, &i->rk_integ);
		rg_rd_init(&r, ke->body, ke->len);
		if (i->rk_prf == NULL || i->rk_encr == NULL ||
		    ikev2_ke_decode(&r, &k) < 0 ||
		    (gir = ike_dh_derive(i->rk_dh, k.data, k.len)) == NULL)
			goto out;
		ini_kdf_keep(i, gir, true);
		/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
		if (ikev2_derive_ike(&i->rk_keys, i->rk_prf, i->rk_encr,
		    i->rk_integ, gir, i->rk_n, sizeof(i->rk_n), no->body,
		    no->len, i->rk_spi, i->rk_spi_r, i->prf, i->keys.sk_d) < 0) {
			rg_buf_free(gir);
			goto out;
		}
		rg_buf_free(gir);
		/* Then delete the old IKE SA on the old SA. */
		memset(&d, 0, sizeof(d));
		d.proto = IKEV2_PROTO_IKE;
		rc = ini_info_req(i, &d, OP_DEL_OLD_IKE, out, cap);
	}
out:
	free(sa);
	if (rc < 0)
		i->state = INI_FAILED;
	return rc;
}

void
ikev2_ini_set_child_pfs(struct ikev2_ini *i, uint16_t group)
{
	i->child_pfs = group;
}

uint32_t
ikev2_ini_child_spi(const struct ikev2_ini *i, bool ours)
{
	return ours ? i->spi_in : i->spi_out;
}

size_t
ikev2_ini_tsr(const struct ikev2_ini *i, uint8_t lo[4], uint8_t hi[4])
{
	memcpy(lo, i->tsr_lo, 4);
	memcpy(hi, i->tsr_hi, 4);
	return i->ntsr;
}
