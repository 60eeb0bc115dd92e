/*
 * ikev1_initiator.c: the test-only IKEv1 initiator (ikev1_initiator.h).
 * The client at 192.0.2.2:500 talks to 192.0.2.1:500; its ID is its
 * address (ID_IPV4_ADDR), as strongSwan's and racoon's main mode sends.
 * Phase 1 (main and aggressive mode) is here; quick mode, mode-config
 * and informational exchanges are in ikev1_initiator_qm.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike_alg.h"
#include "ike_dh.h"
#include "ike_prf.h"
#include "ikev1_crypto.h"
#include "ikev1_initiator.h"
#include "ikev1_msg.h"
#include "rg_buf.h"

#include "ikev1_initiator_int.h"

static bool	sig_mode(const struct ikev1_ini *);
static long	ini_sign(EVP_PKEY *, const uint8_t *, size_t, uint8_t *,
		    size_t);

static const uint8_t my_id[8] = { IKEV1_ID_IPV4_ADDR, 0, 0, 0,
				  192, 0, 2, 2 };

static void
addr(struct sockaddr_in *s, const char *ip)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons(500);
	inet_pton(AF_INET, ip, &s->sin_addr);
}

struct ikev1_ini *
ikev1_ini_new(const struct ikev1_ini_conf *c)
{
	struct ikev1_ini *i = calloc(1, sizeof(*i));

	if (i == NULL)
		return NULL;
	i->c = *c;
	i->seen.xauth_status = -1;
	ike_random(i->ck_i, 8);
	ike_random(i->ni, sizeof(i->ni));
	ike_random(i->qni, sizeof(i->qni));
	i->qm_spi = 0x0c0c0c00u | (i->ni[0] & 0xff);
	return i;
}

void
ikev1_ini_free(struct ikev1_ini *i)
{
	if (i == NULL)
		return;
	ike_dh_free(i->dh);
	ikev1_keys_wipe(&i->keys);
	free(i);
}

enum ikev1_ini_state
ikev1_ini_state(const struct ikev1_ini *i)
{
	return i->st;
}

const struct ikev1_ini_seen *
ikev1_ini_seen(const struct ikev1_ini *i)
{
	return &i->seen;
}

uint32_t
ikev1_ini_esp_spi(const struct ikev1_ini *i)
{
	return i->qm_spi;
}

void
ini_hdr(const struct ikev1_ini *i, struct ikev1_hdr *h, uint8_t exch,
    uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->ck_i, i->ck_i, 8);
	memcpy(h->ck_r, i->ck_r, 8);
	h->version = IKEV1_VERSION;
	h->exch = exch;
	h->msgid = msgid;
}

static void
out_add(struct ikev1_ini_out *o, const uint8_t *p, size_t len)
{
	if (o->n >= INI_MAX_OUT || len > sizeof(o->pkt[0]))
		return;
	memcpy(o->pkt[o->n], p, len);
	o->len[o->n++] = len;
}

/* The one message in o as two fragments (payload 132, id 1). */
static void
out_halves(struct ikev1_ini *i, struct ikev1_ini_out *o)
{
	uint8_t	 whole[4096], pkt[4096];
	size_t	 len = o->len[0], half = len / 2;

	(void)i;
	memcpy(whole, o->pkt[0], len);
	o->n = 0;
	for (int k = 0; k < 2; k++) {
		size_t	 off = k == 0 ? 0 : half;
		size_t	 n = k == 0 ? half : len - half;

		memcpy(pkt, whole, 28);
		pkt[16] = IKEV1_PL_FRAG;
		pkt[19] = 0;
		rg_put_u32(pkt + 24, (uint32_t)(28 + 8 + n));
		pkt[28] = 0;
		pkt[29] = 0;
		rg_put_u16(pkt + 30, (uint16_t)(8 + n));
		rg_put_u16(pkt + 32, 1);
		pkt[34] = (uint8_t)(k + 1);
		pkt[35] = k == 1 ? IKEV1_FRAG_LAST : 0;
		memcpy(pkt + 36, whole + off, n);
		out_add(o, pkt, 36 + n);
	}
}

/* Header + encrypted body into out. */
void
ini_seal(struct ikev1_ini *i, uint8_t exch, uint32_t msgid,
    struct ikev1_iv *iv, uint8_t first, const uint8_t *body, size_t len,
    struct ikev1_ini_out *o)
{
	uint8_t	 pkt[4096];
	long	 n;

	memcpy(pkt, i->ck_i, 8);
	memcpy(pkt + 8, i->ck_r, 8);
	pkt[16] = first;
	pkt[17] = IKEV1_VERSION;
	pkt[18] = exch;
	pkt[19] = IKEV1_FLAG_E;
	rg_put_u32(pkt + 20, msgid);
	n = ikev1_encrypt(&i->keys, iv, body, len, pkt + 28, sizeof(pkt) - 28);
	if (n < 0)
		return;
	rg_put_u32(pkt + 24, (uint32_t)(n + 28));
	out_add(o, pkt, (size_t)n + 28);
}

/* A body that starts with HASH: fill it with prf(SKEYID_a, M-ID [| ni] |
 * rest) and seal. */
void
ini_seal_hashed(struct ikev1_ini *i, uint8_t exch, uint32_t msgid,
    struct ikev1_iv *iv, struct ikev1_enc *e, uint8_t *body,
    const uint8_t *ni, size_t nilen, struct ikev1_ini_out *o)
{
	long	 n = ikev1_enc_finish(e);
	size_t	 hl = i->prf->out;

	if (n < 0)
		return;
	ikev1_hash_msg(&i->keys, msgid, ni, nilen, body + 4 + hl,
	    (size_t)n - 4 - hl, body + 4);
	ini_seal(i, exch, msgid, iv, e->first, body, (size_t)n, o);
}

static void aggr_start(struct ikev1_ini *, struct ikev1_ini_out *);

void
ikev1_ini_start(struct ikev1_ini *i, struct ikev1_ini_out *o)
{
	struct ikev1_hdr h;
	struct ikev1_enc e;
	struct ikev1_msg m;
	struct ikev1_xf	 x = { .num = 1, .id = IKEV1_KEY_IKE,
	    .encr = i->c.encr, .keylen = i->c.keylen, .hash = i->c.hash,
	    .auth = i->c.auth, .group = i->c.group, .life_s = 28800 };
	const struct ikev1_pl *sa;
	const char	*why;
	uint8_t		 buf[1024];
	long		 n;

	if (i->c.group_id != NULL) {
		aggr_start(i, o);
		return;
	}
	ini_hdr(i, &h, IKEV1_EXCH_MAIN, 0);
	ikev1_enc_init(&e, buf, sizeof(buf), &h);
	ikev1_put_sa(&e, IKEV1_SIT_IDENTITY_ONLY, 1, IKEV1_PROTO_ISAKMP, NULL,
	    0, &x);
	if (i->c.natt)
		ikev1_put_vid(&e, i->c.natt_draft ? IKEV1_VID_NATT_DRAFT_02N :
		    IKEV1_VID_NATT_RFC3947);
	ikev1_put_vid(&e, IKEV1_VID_XAUTH);
	if (i->c.dpd)
		ikev1_put_vid(&e, IKEV1_VID_DPD);
	if (i->c.unity)
		ikev1_put_vid(&e, IKEV1_VID_CISCO_UNITY);
	if (i->c.frag)
		ikev1_put_vid(&e, IKEV1_VID_FRAGMENTATION);
	if ((n = ikev1_enc_finish(&e)) < 0 ||
	    ikev1_msg_decode(buf, (size_t)n, &m, &why) < 0 ||
	    (sa = ikev1_msg_find(&m, IKEV1_PL_SA)) == NULL)
		return;
	memcpy(i->sai_b, sa->body, sa->len);
	i->sailen = sa->len;
	i->st = INI_MM1;
	out_add(o, buf, (size_t)n);
}

/* Aggressive message 1: SA, KE, Ni, IDii (ID_KEY_ID group), VIDs. */
static void
aggr_start(struct ikev1_ini *i, struct ikev1_ini_out *o)
{
	struct ikev1_hdr h;
	struct ikev1_enc e;
	struct ikev1_msg m;
	struct ikev1_xf	 x = { .num = 1, .id = IKEV1_KEY_IKE,
	    .encr = i->c.encr, .keylen = i->c.keylen, .hash = i->c.hash,
	    .auth = i->c.auth, .group = i->c.group, .life_s = 28800 };
	const struct ikev1_pl *sa, *id;
	const char	*why;
	uint8_t		 buf[2048];
	long		 n;

	i->prf = ike_alg_find_v1p1(IKE_ALG_PRF, i->c.hash, 0);
	i->encr = ike_alg_find_v1p1(IKE_ALG_ENCR, i->c.encr, i->c.keylen);
	if (i->prf == NULL || i->encr == NULL ||
	    (i->dh = ike_dh_new(i->c.group)) == NULL ||
	    (n = ike_dh_public(i->dh, i->gxi, sizeof(i->gxi))) < 0)
		return;
	i->gxilen = (size_t)n;
	ini_hdr(i, &h, IKEV1_EXCH_AGGRESSIVE, 0);
	ikev1_enc_init(&e, buf, sizeof(buf), &h);
	ikev1_put_sa(&e, IKEV1_SIT_IDENTITY_ONLY, 1, IKEV1_PROTO_ISAKMP, NULL,
	    0, &x);
	ikev1_put_ke(&e, i->gxi, i->gxilen);
	ikev1_put_nonce(&e, i->ni, sizeof(i->ni));
	ikev1_put_id(&e, IKEV1_ID_KEY_ID, 0, 0, (const uint8_t *)i->c.group_id,
	    strlen(i->c.group_id));
	if (i->c.natt)
		ikev1_put_vid(&e, i->c.natt_draft ? IKEV1_VID_NATT_DRAFT_02N :
		    IKEV1_VID_NATT_RFC3947);
	ikev1_put_vid(&e, IKEV1_VID_XAUTH);
	if (i->c.unity)
		ikev1_put_vid(&e, IKEV1_VID_CISCO_UNITY);
	if ((n = ikev1_enc_finish(&e)) < 0 ||
	    ikev1_msg_decode(buf, (size_t)n, &m, &why) < 0 ||
	    (sa = ikev1_msg_find(&m, IKEV1_PL_SA)) == NULL ||
	    (id = ikev1_msg_find(&m, IKEV1_PL_ID)) == NULL ||
	    id->len > sizeof(i->idi_b))
		return;
	memcpy(i->sai_b, sa->body, sa->len);
	i->sailen = sa->len;
	memcpy(i->idi_b, id->body, id->len);
	i->idilen = id->len;
	i->st = INI_MM1;
	out_add(o, buf, (size_t)n);
}

/* Aggressive message 2: keys, HASH_R checked; message 3 (HASH_I). */
static int
aggr2(struct ikev1_ini *i, const struct ikev1_msg *m, struct ikev1_ini_out *o)
{
	const struct ikev1_pl *ke = ikev1_msg_find(m, IKEV1_PL_KE);
	const struct ikev1_pl *no = ikev1_msg_find(m, IKEV1_PL_NONCE);
	const struct ikev1_pl *id = ikev1_msg_find(m, IKEV1_PL_ID);
	const struct ikev1_pl *hp = ikev1_msg_find(m, IKEV1_PL_HASH);
	struct ikev1_auth_in in;
	struct ikev1_enc e;
	struct rg_buf	*gxy;
	uint8_t		 skeyid[IKEV1_PRF_MAX], hash[IKEV1_PRF_MAX];
	uint8_t		 body[512];
	long		 n;

	if (ke == NULL || no == NULL || id == NULL || hp == NULL ||
	    ke->len > sizeof(i->gxr) || no->len > sizeof(i->nr))
		return -1;
	memcpy(i->ck_r, m->hdr.ck_r, 8);
	memcpy(i->gxr, ke->body, ke->len);
	i->gxrlen = ke->len;
	memcpy(i->nr, no->body, no->len);
	i->nrlen = no->len;
	if ((gxy = ike_dh_derive(i->dh, i->gxr, i->gxrlen)) == NULL)
		return -1;
	if (ikev1_skeyid_psk(i->prf, (const uint8_t *)i->c.psk,
	    strlen(i->c.psk), i->ni, sizeof(i->ni), i->nr, i->nrlen,
	    skeyid) < 0 || ikev1_derive(&i->keys, i->prf, i->encr, skeyid,
	    gxy->data, gxy->len, i->ck_i, i->ck_r) < 0 ||
	    ikev1_iv_phase1(&i->keys, i->gxi, i->gxilen, i->gxr, i->gxrlen,
	    &i->iv) < 0) {
		rg_buf_free(gxy);
		return -1;
	}
	rg_buf_free(gxy);
	in = (struct ikev1_auth_in){ .gxi = i->gxi, .gxilen = i->gxilen,
	    .gxr = i->gxr, .gxrlen = i->gxrlen, .sai_b = i->sai_b,
	    .sailen = i->sailen, .id_b = id->body, .idlen = id->len };
	ikev1_hash_auth(&i->keys, false, &in, hash);
	if (hp->len != i->prf->out || memcmp(hash, hp->body, hp->len) != 0)
		return -1;
	i->seen.hash_r_ok = true;
	in.id_b = i->idi_b;
	in.idlen = i->idilen;
	ikev1_hash_auth(&i->keys, true, &in, hash);
	ikev1_enc_body(&e, body, sizeof(body));
	ikev1_put_hash(&e, hash, i->prf->out);
	if ((n = ikev1_enc_finish(&e)) < 0)
		return -1;
	i->st = INI_P1_DONE;
	ini_seal(i, IKEV1_EXCH_AGGRESSIVE, 0, &i->iv, e.first, body, (size_t)n, o);
	return 0;
}

static int
mm2(struct ikev1_ini *i, const struct ikev1_msg *m, struct ikev1_ini_out *o)
{
	struct ikev1_hdr h;
	struct ikev1_enc e;
	struct sockaddr_in srv, cli;
	uint8_t		 buf[2048], nd[64];
	long		 n;
	int		 nl;

	if (ikev1_msg_find(m, IKEV1_PL_SA) == NULL)
		return -1;
	memcpy(i->ck_r, m->hdr.ck_r, 8);
	i->prf = ike_alg_find_v1p1(IKE_ALG_PRF, i->c.hash, 0);
	i->encr = ike_alg_find_v1p1(IKE_ALG_ENCR, i->c.encr, i->c.keylen);
	if (i->prf == NULL || i->encr == NULL ||
	    (i->dh = ike_dh_new(i->c.group)) == NULL ||
	    (n = ike_dh_public(i->dh, i->gxi, sizeof(i->gxi))) < 0)
		return -1;
	i->gxilen = (size_t)n;
	ini_hdr(i, &h, IKEV1_EXCH_MAIN, 0);
	ikev1_enc_init(&e, buf, sizeof(buf), &h);
	ikev1_put_ke(&e, i->gxi, i->gxilen);
	ikev1_put_nonce(&e, i->ni, sizeof(i->ni));
	if (i->c.natt) {
		uint8_t	 natd = i->c.natt_draft ? IKEV1_PL_NATD_DRAFT :
		    IKEV1_PL_NATD;

		addr(&srv, "192.0.2.1");
		addr(&cli, "192.0.2.2");
		nl = ikev1_natd(i->prf, i->ck_i, i->ck_r,
		    (struct sockaddr *)&srv, nd, sizeof(nd));
		ikev1_put_natd(&e, natd, nd, (size_t)nl);
		nl = ikev1_natd(i->prf, i->ck_i, i->ck_r,
		    (struct sockaddr *)&cli, nd, sizeof(nd));
		ikev1_put_natd(&e, natd, nd, (size_t)nl);
	}
	if ((n = ikev1_enc_finish(&e)) < 0)
		return -1;
	i->st = INI_MM3;
	out_add(o, buf, (size_t)n);
	return 0;
}

static int
mm4(struct ikev1_ini *i, const struct ikev1_msg *m, struct ikev1_ini_out *o)
{
	const struct ikev1_pl *ke = ikev1_msg_find(m, IKEV1_PL_KE);
	const struct ikev1_pl *no = ikev1_msg_find(m, IKEV1_PL_NONCE);
	const struct ikev1_pl *cr;
	struct ikev1_auth_in in;
	struct ikev1_enc e;
	struct rg_buf	*gxy;
	uint8_t		 skeyid[IKEV1_PRF_MAX], hash[IKEV1_PRF_MAX];
	uint8_t		 body[3072];
	long		 n;

	if (ke == NULL || no == NULL || ke->len > sizeof(i->gxr) ||
	    no->len > sizeof(i->nr))
		return -1;
	memcpy(i->gxr, ke->body, ke->len);
	i->gxrlen = ke->len;
	memcpy(i->nr, no->body, no->len);
	i->nrlen = no->len;
	if ((gxy = ike_dh_derive(i->dh, i->gxr, i->gxrlen)) == NULL)
		return -1;
	if ((i->c.auth == IKEV1_AUTH_HYBRID_INIT_RSA ||
	    sig_mode(i) ?
	    ikev1_skeyid_sig(i->prf, i->ni, sizeof(i->ni), i->nr, i->nrlen,
	    gxy->data, gxy->len, skeyid) : ikev1_skeyid_psk(i->prf,
	    (const uint8_t *)i->c.psk, strlen(i->c.psk), i->ni, sizeof(i->ni),
	    i->nr, i->nrlen, skeyid)) < 0 ||
	    ikev1_derive(&i->keys, i->prf, i->encr, skeyid,
	    gxy->data, gxy->len, i->ck_i, i->ck_r) < 0 ||
	    ikev1_iv_phase1(&i->keys, i->gxi, i->gxilen, i->gxr, i->gxrlen,
	    &i->iv) < 0) {
		rg_buf_free(gxy);
		return -1;
	}
	rg_buf_free(gxy);
	if ((cr = ikev1_msg_find(m, IKEV1_PL_CR)) != NULL) {
		i->seen.certreq = true;
		i->seen.certreq_ca_len = cr->len - 1;
	}
	in = (struct ikev1_auth_in){ .gxi = i->gxi, .gxilen = i->gxilen,
	    .gxr = i->gxr, .gxrlen = i->gxrlen, .sai_b = i->sai_b,
	    .sailen = i->sailen, .id_b = my_id, .idlen = sizeof(my_id) };
	ikev1_enc_body(&e, body, sizeof(body));
	if (sig_mode(i)) {
		uint8_t	 idb[512] = { IKEV1_ID_DER_ASN1_DN }, *q = idb + 4;
		uint8_t	 sig[1024], *der = NULL;
		int	 dl = i2d_X509_NAME(X509_get_subject_name(i->c.cert),
		    &q);
		int	 cl = i2d_X509(i->c.cert, &der);
		long	 sl;

		in.id_b = idb;
		in.idlen = (size_t)dl + 4;
		ikev1_hash_auth(&i->keys, true, &in, hash);
		sl = ini_sign(i->c.key, hash, i->prf->out, sig, sizeof(sig));
		ikev1_put_id(&e, idb[0], 0, 0, idb + 4, (size_t)dl);
		if (cl > 0)
			ikev1_put_cert(&e, IKEV1_PL_CERT, IKEV1_CERT_X509_SIG,
			    der, (size_t)cl);
		OPENSSL_free(der);
		if (sl > 0)
			ikev1_put_sig(&e, sig, (size_t)sl);
	} else {
		ikev1_hash_auth(&i->keys, true, &in, hash);
		ikev1_put_id(&e, my_id[0], 0, 0, my_id + 4, 4);
		ikev1_put_hash(&e, hash, i->prf->out);
	}
	if (i->c.initial_contact) {
		uint8_t	 spi[16];

		memcpy(spi, i->ck_i, 8);
		memcpy(spi + 8, i->ck_r, 8);
		ikev1_put_notify(&e, IKEV1_PROTO_ISAKMP, spi, 16,
		    IKEV1_N_INITIAL_CONTACT, NULL, 0);
	}
	if ((n = ikev1_enc_finish(&e)) < 0)
		return -1;
	i->st = INI_MM5;
	ini_seal(i, IKEV1_EXCH_MAIN, 0, &i->iv, e.first, body, (size_t)n, o);
	if (i->c.frag && o->n == 1)
		out_halves(i, o);
	return 0;
}

static bool
sig_mode(const struct ikev1_ini *i)
{
	return i->c.auth == IKEV1_AUTH_RSA_SIG ||
	    i->c.auth == IKEV1_AUTH_XAUTH_INIT_RSA ||
	    i->c.auth == IKEV1_AUTH_ECDSA_256 ||
	    i->c.auth == IKEV1_AUTH_ECDSA_384 ||
	    i->c.auth == IKEV1_AUTH_ECDSA_521;
}

/* RSA: PKCS#1 type 1 over the bare hash (RFC 2409 5.1); ECDSA: r | s
 * (RFC 4754 7). */
static long
ini_sign(EVP_PKEY *k, const uint8_t *h, size_t hl, uint8_t *sig, size_t cap)
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t		 der[256];
	const uint8_t	*p = der;
	size_t		 len = sizeof(der), half;
	ECDSA_SIG	*es;
	long		 rc = -1;

	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		len = cap;
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_sign(ctx, sig, &len, h, hl) == 1)
			rc = (long)len;
		goto out;
	}
	half = ((size_t)EVP_PKEY_get_bits(k) + 7) / 8;
	if (EVP_PKEY_sign(ctx, der, &len, h, hl) == 1 && 2 * half <= cap &&
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)len)) != NULL) {
		BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, (int)half);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + half, (int)half);
		ECDSA_SIG_free(es);
		rc = (long)(2 * half);
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static bool
ini_verify(EVP_PKEY *k, const uint8_t *h, size_t hl, const uint8_t *sig,
    size_t sl)
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t		 got[1024], *der = NULL;
	size_t		 gl = sizeof(got), half;
	ECDSA_SIG	*es = ECDSA_SIG_new();
	bool		 ok = false;
	int		 dl;

	if (ctx == NULL || es == NULL)
		goto out;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		ok = EVP_PKEY_verify_recover_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) ==
		    1 && EVP_PKEY_verify_recover(ctx, got, &gl, sig, sl) == 1 &&
		    gl == hl && memcmp(got, h, hl) == 0;
		goto out;
	}
	half = ((size_t)EVP_PKEY_get_bits(k) + 7) / 8;
	if (sl != 2 * half || ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)half,
	    NULL), BN_bin2bn(sig + half, (int)half, NULL)) != 1)
		goto out;
	ok = (dl = i2d_ECDSA_SIG(es, &der)) > 0 &&
	    EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_verify(ctx, der, (size_t)dl, h, hl) == 1;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* Message 6 signed (hybrid, certificates): IDir, CERT*, SIG_R, checked
 * with the first certificate's key. */
static int
mm6_sig(struct ikev1_ini *i, const struct ikev1_msg *m,
    struct ikev1_ini_out *o)
{
	const struct ikev1_pl *id = ikev1_msg_find(m, IKEV1_PL_ID);
	const struct ikev1_pl *sp = ikev1_msg_find(m, IKEV1_PL_SIG);
	const struct ikev1_pl *cp = ikev1_msg_find(m, IKEV1_PL_CERT);
	struct ikev1_auth_in in;
	uint8_t		 want[IKEV1_PRF_MAX];
	const uint8_t	*p;
	X509		*x = NULL;

	if (id == NULL || sp == NULL || id->len < 4)
		return -1;
	i->seen.idr_type = id->body[0];
	for (size_t k = 0; k < m->npl; k++)
		if (m->pl[k].type == IKEV1_PL_CERT)
			i->seen.ncert++;
	in = (struct ikev1_auth_in){ .gxi = i->gxi, .gxilen = i->gxilen,
	    .gxr = i->gxr, .gxrlen = i->gxrlen, .sai_b = i->sai_b,
	    .sailen = i->sailen, .id_b = id->body, .idlen = id->len };
	ikev1_hash_auth(&i->keys, false, &in, want);
	if (cp != NULL && cp->len > 1 && cp->body[0] == IKEV1_CERT_X509_SIG) {
		p = cp->body + 1;
		x = d2i_X509(NULL, &p, (long)cp->len - 1);
	}
	if (x != NULL && ini_verify(X509_get0_pubkey(x), want, i->prf->out,
	    sp->body, sp->len))
		i->seen.sig_ok = true;
	X509_free(x);
	if (!i->seen.sig_ok)
		return -1;
	i->st = INI_P1_DONE;
	/* A certificate alone: no XAuth comes, the client asks. */
	if (sig_mode(i) && i->c.auth != IKEV1_AUTH_XAUTH_INIT_RSA &&
	    i->c.cfg_pull)
		ini_cfg_start(i, o);
	return 0;
}

static int
mm6(struct ikev1_ini *i, const struct ikev1_msg *m, struct ikev1_ini_out *o)
{
	const struct ikev1_pl *id = ikev1_msg_find(m, IKEV1_PL_ID);
	const struct ikev1_pl *hp = ikev1_msg_find(m, IKEV1_PL_HASH);
	struct ikev1_auth_in in;
	uint8_t		 want[IKEV1_PRF_MAX];

	if (i->c.auth == IKEV1_AUTH_HYBRID_INIT_RSA || sig_mode(i))
		return mm6_sig(i, m, o);
	if (id == NULL || hp == NULL || hp->len != i->prf->out)
		return -1;
	in = (struct ikev1_auth_in){ .gxi = i->gxi, .gxilen = i->gxilen,
	    .gxr = i->gxr, .gxrlen = i->gxrlen, .sai_b = i->sai_b,
	    .sailen = i->sailen, .id_b = id->body, .idlen = id->len };
	ikev1_hash_auth(&i->keys, false, &in, want);
	if (memcmp(want, hp->body, hp->len) != 0)
		return -1;
	i->st = INI_P1_DONE;
	/* PSK alone: no XAuth comes, the client asks right away; an
	 * L2TP/IPsec client goes straight to quick mode. */
	if (i->c.auth == IKEV1_AUTH_PSK && i->c.l2tp)
		ini_qm_start(i, o);
	else if (i->c.auth == IKEV1_AUTH_PSK && i->c.cfg_pull)
		ini_cfg_start(i, o);
	return 0;
}

int
ikev1_ini_input(struct ikev1_ini *i, const uint8_t *p, size_t len,
    struct ikev1_ini_out *o)
{
	struct ikev1_msg m;
	struct ikev1_iv	 iv, *chain = NULL;
	const char	*why;
	long		 n;

	o->n = 0;
	if (ikev1_msg_decode(p, len, &m, &why) < 0)
		return -1;
	if (m.hdr.np == IKEV1_PL_FRAG && m.npl == 1) {
		struct ikev1_frag f;
		struct rg_rd	 rd;
		uint8_t		 whole[8192];
		size_t		 wl;

		rg_rd_init(&rd, m.pl[0].body, m.pl[0].len);
		if (ikev1_frag_decode(&rd, &f, &why) < 0 ||
		    i->reasmlen + f.len > sizeof(i->reasm))
			return -1;
		i->seen.frags_rx++;
		memcpy(i->reasm + i->reasmlen, f.data, f.len);
		i->reasmlen += f.len;
		if (!(f.flags & IKEV1_FRAG_LAST))
			return 0;
		wl = i->reasmlen;
		memcpy(whole, i->reasm, wl);
		i->reasmlen = 0;
		return ikev1_ini_input(i, whole, wl, o);
	}
	if (!(m.hdr.flags & IKEV1_FLAG_E)) {
		if (m.hdr.exch == IKEV1_EXCH_AGGRESSIVE && i->st == INI_MM1)
			return aggr2(i, &m, o);
		if (m.hdr.exch != IKEV1_EXCH_MAIN)
			return -1;
		if (i->st == INI_MM1)
			return mm2(i, &m, o);
		if (i->st == INI_MM3)
			return mm4(i, &m, o);
		return -1;
	}
	if (i->prf == NULL)
		return -1;
	if (m.hdr.exch == IKEV1_EXCH_MAIN)
		chain = &i->iv;
	else if (m.hdr.exch == IKEV1_EXCH_TRANSACTION && i->cfg_msgid != 0 &&
	    m.hdr.msgid == i->cfg_msgid)
		chain = &i->cfg_iv;
	else if (m.hdr.exch == IKEV1_EXCH_QUICK && m.hdr.msgid == i->qm_msgid)
		chain = &i->qm_iv;
	if (chain != NULL)
		iv = *chain;
	else
		ikev1_iv_exchange(&i->keys, &i->iv, m.hdr.msgid, &iv);
	n = ikev1_decrypt(&i->keys, &iv, m.body, m.bodylen, i->plain,
	    sizeof(i->plain));
	if (n < 0 || ikev1_body_decode(&m, m.hdr.np, i->plain, (size_t)n,
	    &why) < 0)
		return -1;
	if (m.hdr.exch == IKEV1_EXCH_MAIN) {
		i->iv = iv;
		return i->st == INI_MM5 ? mm6(i, &m, o) : -1;
	}
	if (chain != NULL)
		*chain = iv;
	switch (m.hdr.exch) {
	case IKEV1_EXCH_TRANSACTION:
		return ini_transaction(i, &m, chain != NULL ? chain : &iv, o);
	case IKEV1_EXCH_QUICK:
		return ini_quick2(i, &m, o);
	case IKEV1_EXCH_INFORMATIONAL:
		return ini_info(i, &m);
	}
	return -1;
}
