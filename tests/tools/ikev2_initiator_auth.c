/*
 * ikev2_initiator_auth.c: the test initiator's AUTH payloads: PSK
 * (RFC 7296 2.15), signatures with the classic methods and RFC 7427
 * digital signatures, and verification of the responder's AUTH; what the
 * IKE_AUTH answer says of transport mode (RFC 7296 1.3.1); EAP (2.16).
 * Test-only.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ikev2_initiator_int.h"

int
ini_psk_auth(struct ikev2_ini *i, const struct rg_buf *msg, const uint8_t *nonce,
    size_t nlen, const uint8_t *skp, const uint8_t *idbody, size_t idlen,
    uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t	 mac[64], k[64], *oct;
	size_t	 olen = msg->len + nlen + i->prf->out;
	int	 rc = -1;

	if ((oct = malloc(olen)) == NULL)
		return -1;
	memcpy(oct, msg->data, msg->len);
	memcpy(oct + msg->len, nonce, nlen);
	if (ike_prf(i->prf, skp, i->prf->out, idbody, idlen, NULL, 0, NULL,
	    0, mac) == 0 && (memcpy(oct + msg->len + nlen, mac, i->prf->out),
	    ike_prf(i->prf, i->psk, i->c.psklen, (const uint8_t *)pad,
	    sizeof(pad) - 1, NULL, 0, NULL, 0, k) == 0) &&
	    ike_prf(i->prf, k, i->prf->out, oct, olen, NULL, 0, NULL, 0,
	    out) == 0)
		rc = 0;
	free(oct);
	return rc;
}

/* AUTH = Sig(RealMessage1 | Nr | prf(SK_pi, IDi')), RFC 7296 2.15, with
 * the classic methods: RSASSA-PKCS1-v1_5/SHA-1 (1) or ECDSA r||s
 * (RFC 4754: 9/10/11 with SHA-256/384/512). */
long
ini_sig_auth(struct ikev2_ini *i, const uint8_t *idbody, size_t idlen,
    uint8_t *out, size_t cap)
{
	const EVP_MD	*md = i->sig_method == 1 ? EVP_sha1() :
	    i->sig_method == 9 ? EVP_sha256() : i->sig_method == 10 ?
	    EVP_sha384() : EVP_sha512();
	/* r and s as long as the curve's order (a mismatching method and
	 * curve stays expressible, for the negative test). */
	size_t		 half = ((size_t)EVP_PKEY_get_bits(i->sig_key) + 7) / 8,
			 olen = i->msg1->len + i->nrlen + i->prf->out, slen;
	uint8_t		*oct = malloc(olen), sig[1024];
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	long		 rc = -1;

	if (oct == NULL || c == NULL)
		goto out;
	memcpy(oct, i->msg1->data, i->msg1->len);
	memcpy(oct + i->msg1->len, i->nr, i->nrlen);
	slen = sizeof(sig);
	if (ike_prf(i->prf, i->keys.sk_pi, i->prf->out, idbody, idlen, NULL,
	    0, NULL, 0, oct + i->msg1->len + i->nrlen) < 0 ||
	    EVP_DigestSignInit(c, NULL, md, NULL, i->sig_key) != 1 ||
	    EVP_DigestSign(c, sig, &slen, oct, olen) != 1)
		goto out;
	if (i->sig_method == 1) {
		if (slen <= cap) {
			memcpy(out, sig, slen);
			rc = (long)slen;
		}
	} else {
		const uint8_t	*p = sig;
		ECDSA_SIG	*es = d2i_ECDSA_SIG(NULL, &p, (long)slen);

		if (es != NULL && 2 * half <= cap &&
		    BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)half) > 0 &&
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), out + half,
		    (int)half) > 0)
			rc = (long)(2 * half);
		ECDSA_SIG_free(es);
	}
out:
	EVP_MD_CTX_free(c);
	free(oct);
	return rc;
}

/* The responder's AUTH over RealMessage2 | Ni | prf(SK_pr, IDr') with the
 * key of its first CERT payload; a classic method (we sent no
 * SIGNATURE_HASH_ALGORITHMS). */
int
ini_sig_verify(struct ikev2_ini *i, const struct ikev2_msg *m,
    const struct ikev2_auth *a, const struct ikev2_pl *idr)
{
	const struct ikev2_pl *cp = ikev2_msg_find(m, IKEV2_PL_CERT);
	const EVP_MD	*md = a->method == 1 ? EVP_sha1() : a->method == 9 ?
	    EVP_sha256() : a->method == 10 ? EVP_sha384() : a->method == 11 ?
	    EVP_sha512() : NULL;
	size_t		 olen = i->msg2->len + sizeof(i->ni) + i->prf->out;
	uint8_t		*oct = malloc(olen);
	unsigned char	*der = NULL;
	int		 dl = 0, rc = -1;
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	X509		*x = NULL;
	struct ikev2_cert cert;
	struct rg_rd	 r;

	if (cp == NULL || md == NULL || oct == NULL || c == NULL)
		goto out;
	rg_rd_init(&r, cp->body, cp->len);
	if (ikev2_cert_decode(&r, &cert) < 0)
		goto out;
	{
		const unsigned char *p = cert.data;

		if ((x = d2i_X509(NULL, &p, (long)cert.len)) == NULL)
			goto out;
	}
	if (a->method == 1) {
		der = OPENSSL_memdup(a->data, a->len);
		dl = (int)a->len;
	} else {
		ECDSA_SIG *es = ECDSA_SIG_new();
		size_t	 h = a->len / 2;

		if (es != NULL && ECDSA_SIG_set0(es, BN_bin2bn(a->data, (int)h,
		    NULL), BN_bin2bn(a->data + h, (int)h, NULL)))
			dl = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
	}
	memcpy(oct, i->msg2->data, i->msg2->len);
	memcpy(oct + i->msg2->len, i->ni, sizeof(i->ni));
	if (dl > 0 && ike_prf(i->prf, i->keys.sk_pr, i->prf->out, idr->body,
	    idr->len, NULL, 0, NULL, 0, oct + i->msg2->len + sizeof(i->ni)) ==
	    0 && EVP_DigestVerifyInit(c, NULL, md, NULL,
	    X509_get0_pubkey(x)) == 1 &&
	    EVP_DigestVerify(c, der, (size_t)dl, oct, olen) == 1)
		rc = 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	EVP_MD_CTX_free(c);
	free(oct);
	return rc;
}

void
ikev2_ini_set_signer(struct ikev2_ini *i, EVP_PKEY *key, X509 *cert,
    uint8_t method)
{
	EVP_PKEY_up_ref(key);
	X509_up_ref(cert);
	EVP_PKEY_free(i->sig_key);
	X509_free(i->sig_cert);
	i->sig_key = key;
	i->sig_cert = cert;
	i->sig_method = method;
}

static void
seen_ts(const struct ikev2_msg *m, uint8_t type, struct ikev2_ini_ts *o)
{
	const struct ikev2_pl	*p = ikev2_msg_find(m, type);
	struct ikev2_ts_pl	 t;
	struct rg_rd		 r;

	memset(o, 0, sizeof(*o));
	if (p == NULL)
		return;
	rg_rd_init(&r, p->body, p->len);
	if (ikev2_ts_decode(&r, &t) < 0 || t.nts == 0)
		return;
	o->proto = t.ts[0].proto;
	o->port_lo = t.ts[0].port_lo;
	o->port_hi = t.ts[0].port_hi;
	memcpy(o->lo, t.ts[0].lo, 4);
	memcpy(o->hi, t.ts[0].hi, 4);
}

void
ini_seen(struct ikev2_ini *i, const struct ikev2_msg *m)
{
	i->tm_answered = false;
	for (size_t k = 0; k < m->npl; k++) {
		struct ikev2_notify n;
		struct rg_rd	 r;

		if (m->pl[k].type != IKEV2_PL_N)
			continue;
		rg_rd_init(&r, m->pl[k].body, m->pl[k].len);
		if (ikev2_notify_decode(&r, &n) == 0 &&
		    n.type == IKEV2_N_USE_TRANSPORT_MODE)
			i->tm_answered = true;
	}
	seen_ts(m, IKEV2_PL_TSI, &i->tsi_seen);
	seen_ts(m, IKEV2_PL_TSR, &i->tsr_seen);
}

void
ikev2_ini_set_transport(struct ikev2_ini *i, bool on)
{
	i->transport = on;
}

bool
ikev2_ini_transport(const struct ikev2_ini *i, struct ikev2_ini_ts *tsi,
    struct ikev2_ini_ts *tsr)
{
	*tsi = i->tsi_seen;
	*tsr = i->tsr_seen;
	return i->tm_answered;
}

/* <-- HDR, SK {IDr, [CERT,] AUTH, EAP}, then <-- HDR, SK {EAP} */
int
ini_eap_response(struct ikev2_ini *i, const struct ikev2_msg *m)
{
	const struct ikev2_pl	*ep = ikev2_msg_find(m, IKEV2_PL_EAP);
	const struct ikev2_pl	*idr = ikev2_msg_find(m, IKEV2_PL_IDR);
	const struct ikev2_pl	*au = ikev2_msg_find(m, IKEV2_PL_AUTH);
	struct ikev2_auth	 a;
	struct rg_rd		 r;
	uint16_t		 err;

	if ((err = ini_error_notify(m, NULL, NULL)) != 0) {
		i->error = err;
		goto fail;
	}
	if (ep == NULL)
		goto fail;
	if (idr != NULL) {
		if (au == NULL || idr->len > sizeof(i->idr_body))
			goto fail;
		rg_rd_init(&r, au->body, au->len);
		if (ikev2_auth_decode(&r, &a) < 0 ||
		    ini_sig_verify(i, m, &a, idr) < 0)
			goto fail;
		i->resp_auth = a.method;
		memcpy(i->idr_body, idr->body, idr->len);
		i->idr_len = idr->len;
	}
	rg_buf_free(i->eap_in);
	if ((i->eap_in = rg_buf_dup(ep->body, ep->len)) == NULL)
		goto fail;
	i->state = INI_EAP;
	return 0;
fail:
	i->state = INI_FAILED;
	return -1;
}

void
ikev2_ini_set_eap(struct ikev2_ini *i, bool on)
{
	i->eap = on;
}

const uint8_t *
ikev2_ini_eap_msg(const struct ikev2_ini *i, size_t *len)
{
	*len = i->eap_in ? i->eap_in->len : 0;
	return i->eap_in ? i->eap_in->data : NULL;
}

/* HDR, SK {EAP} --> */
long
ikev2_ini_eap_send(struct ikev2_ini *i, const uint8_t *eap, size_t len,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[4096];
	struct ikev2_enc	 e;
	long			 n;

	if (i->state != INI_EAP)
		return -1;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_raw(&e, IKEV2_PL_EAP, eap, len);
	if ((n = ini_seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap)) > 0)
		i->state = INI_AUTH_SENT;
	return n;
}

/* HDR, SK {AUTH} --> with the MSK as the shared key (RFC 7296 2.16). */
long
ikev2_ini_eap_auth(struct ikev2_ini *i, const uint8_t *msk, size_t msklen,
    uint8_t *out, size_t cap)
{
	uint8_t			 buf[512], auth[64];
	struct ikev2_enc	 e;
	long			 n;

	if (i->state != INI_EAP || msklen == 0 || msklen > sizeof(i->psk))
		return -1;
	memcpy(i->psk, msk, msklen);
	i->c.psklen = msklen;
	if (ini_psk_auth(i, i->msg1, i->nr, i->nrlen, i->keys.sk_pi,
	    i->idi_body, i->idi_len, auth) < 0)
		return -1;
	ikev2_enc_inner(&e, buf, sizeof(buf));
	ikev2_put_auth(&e, IKEV2_AUTH_PSK, auth, i->prf->out);
	if ((n = ini_seal_req(i, IKEV2_EXCH_IKE_AUTH, &e, out, cap)) > 0) {
		i->eap_final = true;
		i->state = INI_AUTH_SENT;
	}
	return n;
}
