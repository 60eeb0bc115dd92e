/*
 * test_ikev2_crypto: key exchange and key derivation of IKEv2.
 * RFC 7296 prints no vectors, so: the prf is HMAC (RFC 4231 test case 2
 * for SHA-256/384/512, RFC 2202 for SHA-1); prf+ checked against its
 * definition (RFC 7296 2.13) built from single HMACs; ECP-256 shared
 * secret from RFC 5903 8.1; Curve25519 from RFC 7748 6.1; MODP groups by
 * agreement of two key pairs; SK payloads (RFC 7296 3.14, RFC 5282)
 * round-trip for every cipher and fail on any flipped bit.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_crypto.h"
#include "ikev2_msg.h"
#include "rg_test.h"

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t	 n = 0;

	while (s[0] && s[1]) {
		unsigned int v;

		if (s[0] == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static const struct ikev2_xform *
prf(uint16_t id)
{
	return ikev2_xform_find(IKEV2_XF_PRF, id, 0);
}

static void
hmac_vectors(void)
{
	uint8_t	 out[64], want[64];
	const char *d = "what do ya want for nothing?";
	static const uint8_t k1[20] = { 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	    0x0b, 0x0b, 0x0b };

	/* RFC 4231 4.3 (test case 2): key "Jefe". */
	CHECK_EQ(ike_prf(prf(5), (const uint8_t *)"Jefe", 4,
	    (const uint8_t *)d, 10, (const uint8_t *)d + 10, strlen(d) - 10,
	    NULL, 0, out), 0);
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    want);
	CHECK_MEM(out, want, 32);
	CHECK_EQ(ike_prf(prf(6), (const uint8_t *)"Jefe", 4,
	    (const uint8_t *)d, strlen(d), NULL, 0, NULL, 0, out), 0);
	unhex("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649", want);
	CHECK_MEM(out, want, 48);
	CHECK_EQ(ike_prf(prf(7), (const uint8_t *)"Jefe", 4,
	    (const uint8_t *)d, strlen(d), NULL, 0, NULL, 0, out), 0);
	unhex("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
	    want);
	CHECK_MEM(out, want, 64);
	/* RFC 2202 test case 1, HMAC-SHA-1: key 0x0b x 20, "Hi There". */
	CHECK_EQ(ike_prf(prf(2), k1, 20, (const uint8_t *)"Hi There", 8,
	    NULL, 0, NULL, 0, out), 0);
	unhex("b617318655057264e28bc0b6fb378c8ef146be00", want);
	CHECK_MEM(out, want, 20);
}

static void
prfplus_structure(void)
{
	const struct ikev2_xform *p = prf(5);
	uint8_t	 key[32], seed[40], out[100], t[3][32], buf[80];
	uint8_t	 c;

	memset(key, 0x5a, sizeof(key));
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	CHECK_EQ(ike_prfplus(p, key, 32, seed, 40, out, 90), 0);
	/* T1 = prf(K, S | 0x01); Tn = prf(K, Tn-1 | S | n) */
	c = 1;
	memcpy(buf, seed, 40);
	buf[40] = c;
	ike_prf(p, key, 32, buf, 41, NULL, 0, NULL, 0, t[0]);
	for (int n = 1; n < 3; n++) {
		memcpy(buf, t[n - 1], 32);
		memcpy(buf + 32, seed, 40);
		buf[72] = (uint8_t)(n + 1);
		ike_prf(p, key, 32, buf, 73, NULL, 0, NULL, 0, t[n]);
	}
	CHECK_MEM(out, t[0], 32);
	CHECK_MEM(out + 32, t[1], 32);
	CHECK_MEM(out + 64, t[2], 26);
	CHECK_EQ(ike_prfplus(p, key, 32, seed, 40, out, 255 * 32 + 1), -1);
}

static void
ecp256_rfc5903(void)
{
	uint8_t	 i[32], r[32], gr[64], gi[64], gir[32], pub[64];
	struct ike_dh	*a;
	struct rg_buf	*s;

	unhex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", i);
	unhex("DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	    "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3", gi);
	unhex("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53", r);
	unhex("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	    "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB", gr);
	unhex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
	    gir);
	(void)r;
	a = ike_dh_new_priv(19, i, 32);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_EQ(ike_dh_public(a, pub, sizeof(pub)), 64);
	CHECK_MEM(pub, gi, 64);
	s = ike_dh_derive(a, gr, 64);
	CHECK(s != NULL && s->len == 32);
	if (s != NULL)
		CHECK_MEM(s->data, gir, 32);
	rg_buf_free(s);
	/* A point not on the curve is refused. */
	gr[63] ^= 1;
	s = ike_dh_derive(a, gr, 64);
	CHECK(s == NULL);
	rg_buf_free(s);
	/* Nor a coordinate >= p, nor the all-zero "point". */
	memset(gr, 0xff, 32);
	s = ike_dh_derive(a, gr, 64);
	CHECK(s == NULL);
	rg_buf_free(s);
	memset(gr, 0, 64);
	s = ike_dh_derive(a, gr, 64);
	CHECK(s == NULL);
	rg_buf_free(s);
	ike_dh_free(a);
}

static void
x25519_rfc7748(void)
{
	uint8_t	 a[32], apub[32], bpub[32], k[32], pub[32];
	struct ike_dh	*d;
	struct rg_buf	*s;

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", apub);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bpub);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k);
	d = ike_dh_new_priv(31, a, 32);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_EQ(ike_dh_public(d, pub, sizeof(pub)), 32);
	CHECK_MEM(pub, apub, 32);
	s = ike_dh_derive(d, bpub, 32);
	CHECK(s != NULL && s->len == 32);
	if (s != NULL)
		CHECK_MEM(s->data, k, 32);
	rg_buf_free(s);
	ike_dh_free(d);
}

static void
groups_agree(void)
{
	static const uint16_t g[] = { 2, 14, 19, 20, 21, 31 };

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct ike_dh	*a = ike_dh_new(g[i]), *b = ike_dh_new(g[i]);
		uint8_t		 pa[1100], pb[1100];
		long		 la, lb;
		struct rg_buf	*sa, *sb;

		CHECK(a != NULL && b != NULL);
		if (a == NULL || b == NULL) {
			ike_dh_free(a);
			ike_dh_free(b);
			continue;
		}
		la = ike_dh_public(a, pa, sizeof(pa));
		lb = ike_dh_public(b, pb, sizeof(pb));
		CHECK_EQ(la, (long)ikev2_xform_find(IKEV2_XF_DH, g[i], 0)->out);
		sa = ike_dh_derive(a, pb, (size_t)lb);
		sb = ike_dh_derive(b, pa, (size_t)la);
		CHECK(sa != NULL && sb != NULL && sa->len == sb->len);
		if (sa != NULL && sb != NULL) {
			CHECK_MEM(sa->data, sb->data, sa->len);
			if (g[i] == 2 || g[i] == 14)	/* padded to the prime */
				CHECK_EQ(sa->len, (size_t)la);
		}
		rg_buf_free(sa);
		rg_buf_free(sb);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

static void
sk_roundtrip(void)
{
	static const struct { uint16_t id, kl, integ; } c[] = {
		{ 12, 128, 12 }, { 12, 256, 2 }, { 12, 192, 13 }, { 3, 0, 14 },
		{ 20, 128, 0 }, { 20, 256, 0 }, { 28, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ikev2_sk_dir d;
		uint8_t		 msg[600], inner[300], out[600];
		long		 n, m;
		size_t		 hdr = IKEV2_HDR_LEN + 4;

		memset(&d, 0, sizeof(d));
		d.encr = ikev2_xform_find(IKEV2_XF_ENCR, c[i].id, c[i].kl);
		d.integ = c[i].integ ? ikev2_xform_find(IKEV2_XF_INTEG,
		    c[i].integ, 0) : NULL;
		CHECK(d.encr != NULL);
		if (d.encr == NULL)
			continue;
		memset(d.ek, 0x42, sizeof(d.ek));
		memset(d.ak, 0x24, sizeof(d.ak));
		for (size_t k = 0; k < sizeof(inner); k++)
			inner[k] = (uint8_t)(k * 7);
		memset(msg, 0xaa, hdr);
		n = ikev2_sk_seal(&d, msg, sizeof(msg), hdr, IKEV2_HDR_LEN,
		    inner, 201);
		CHECK(n > (long)(hdr + 201));
		CHECK_EQ(rg_get_u32(msg + 24), (uint32_t)n);
		m = ikev2_sk_open(&d, msg, (size_t)n, hdr, out, sizeof(out));
		CHECK_EQ(m, 201);
		CHECK_MEM(out, inner, 201);
		/* Any flipped bit (header = AAD, IV, data, ICV) fails. */
		for (long b = 0; b < n; b += 13) {
			msg[b] ^= 0x01;
			CHECK_EQ(ikev2_sk_open(&d, msg, (size_t)n, hdr, out,
			    sizeof(out)), -1);
			msg[b] ^= 0x01;
		}
	}
}

static void
derive_lengths(void)
{
	struct ikev2_keys k;
	struct rg_buf	*g = rg_buf_new(32);
	uint8_t		 ni[32] = { 1 }, nr[32] = { 2 };
	const struct ikev2_xform *gcm = ikev2_xform_find(1, 20, 256);
	const struct ikev2_xform *cbc = ikev2_xform_find(1, 12, 128);
	const struct ikev2_xform *sha = ikev2_xform_find(3, 12, 0);
	struct ikev2_keys k2;

	memset(g->data, 3, 32);
	CHECK_EQ(ikev2_derive_ike(&k, prf(5), gcm, NULL, g, ni, 32, nr, 32, 1,
	    2, NULL, NULL), 0);
	CHECK(k.integ == NULL);
	CHECK(memcmp(k.i2r.ek, k.r2i.ek, 36) != 0);
	CHECK_EQ(ikev2_derive_ike(&k2, prf(5), cbc, sha, g, ni, 32, nr, 32, 1,
	    2, NULL, NULL), 0);
	/* Same prf+ stream: SK_d identical, the rest shifted by SK_a. */
	CHECK_MEM(k.sk_d, k2.sk_d, 32);
	CHECK(memcmp(k2.i2r.ak, k2.r2i.ak, 32) != 0);
	ikev2_keys_wipe(&k);
	ikev2_keys_wipe(&k2);
	rg_buf_free(g);
}

RG_TEST_MAIN("ikev2_crypto", T(hmac_vectors), T(prfplus_structure),
    T(ecp256_rfc5903), T(x25519_rfc7748), T(groups_agree), T(sk_roundtrip),
    T(derive_lengths))
