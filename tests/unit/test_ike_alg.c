/*
 * test_ike_alg.c: the shared algorithm table (server/ike/ike_alg.c).  Each
 * row's IKEv2 and IKEv1 numbers against the registries that assign them:
 * RFC 7296 3.3.2 (IKEv2 transform ids), RFC 2409 Appendix A (IKEv1
 * phase-1 Encryption Algorithm, Hash Algorithm, Group Description), RFC
 * 2407 4.4.4 and 4.5 (IPsec DOI ESP transform ids, Authentication
 * Algorithm), RFC 3602 5 (AES-CBC), RFC 4106 9 (AES-GCM ESP), RFC 4868
 * (HMAC-SHA-256/384/512), RFC 3526 (MODP), RFC 5903 (ECP), RFC 8031
 * (Curve25519, IKEv2 only).
 */
#include <string.h>

#include "ike_alg.h"
#include "ikev2_xform.h"
#include "rg_test.h"

struct want {
	const char	*kw;
	uint8_t		 type;
	uint16_t	 v2, keylen, v1_p1, v1_esp;
};

/* Typed from the RFCs above, not from the table. */
static const struct want wants[] = {
	/* RFC 3602 5.1/5.2; IKEv2 ENCR_AES_CBC 12 (RFC 7296 3.3.2) */
	{ "aes128", IKE_ALG_ENCR, 12, 128, 7, 12 },
	{ "aes192", IKE_ALG_ENCR, 12, 192, 7, 12 },
	{ "aes256", IKE_ALG_ENCR, 12, 256, 7, 12 },
	/* RFC 2409 App. A 3DES-CBC 5; RFC 2407 4.4.4 ESP_3DES 3 */
	{ "3des", IKE_ALG_ENCR, 3, 0, 5, 3 },
	/* RFC 4106 9: ESP transform 20 for IKEv1 and IKEv2 (16-octet ICV) */
	{ "aes128gcm16", IKE_ALG_ENCR, 20, 128, 0, 20 },
	{ "aes256gcm16", IKE_ALG_ENCR, 20, 256, 0, 20 },
	/* RFC 7634: IKEv2 only */
	{ "chacha20poly1305", IKE_ALG_ENCR, 28, 0, 0, 0 },
	/* PRF: IKEv2 2/5/6/7 (RFC 7296, RFC 4868 4); IKEv1 Hash Algorithm
	 * SHA 2 (RFC 2409), SHA2-256/384/512 4/5/6 */
	{ "prfsha1", IKE_ALG_PRF, 2, 0, 2, 0 },
	{ "prfsha256", IKE_ALG_PRF, 5, 0, 4, 0 },
	{ "prfsha384", IKE_ALG_PRF, 6, 0, 5, 0 },
	{ "prfsha512", IKE_ALG_PRF, 7, 0, 6, 0 },
	/* INTEG: IKEv2 2/12/13/14 (RFC 4868 4); IPsec DOI Authentication
	 * Algorithm HMAC-SHA 2 (RFC 2407 4.5), HMAC-SHA2-* 5/6/7 (RFC 4868) */
	{ "sha1", IKE_ALG_INTEG, 2, 0, 0, 2 },
	{ "sha256", IKE_ALG_INTEG, 12, 0, 0, 5 },
	{ "sha384", IKE_ALG_INTEG, 13, 0, 0, 6 },
	{ "sha512", IKE_ALG_INTEG, 14, 0, 0, 7 },
	/* Groups: RFC 2409 6.2 (2), RFC 3526 (14-18), RFC 5903 (19-21) share
	 * numbers across versions; RFC 8031 (31) is IKEv2 only */
	{ "modp1024", IKE_ALG_DH, 2, 0, 2, 0 },
	{ "modp2048", IKE_ALG_DH, 14, 0, 14, 0 },
	{ "modp3072", IKE_ALG_DH, 15, 0, 15, 0 },
	{ "modp4096", IKE_ALG_DH, 16, 0, 16, 0 },
	{ "modp6144", IKE_ALG_DH, 17, 0, 17, 0 },
	{ "modp8192", IKE_ALG_DH, 18, 0, 18, 0 },
	{ "ecp256", IKE_ALG_DH, 19, 0, 19, 0 },
	{ "ecp384", IKE_ALG_DH, 20, 0, 20, 0 },
	{ "ecp521", IKE_ALG_DH, 21, 0, 21, 0 },
	{ "x25519", IKE_ALG_DH, 31, 0, 0, 0 },
};

static void
rfc_values(void)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		const struct ike_alg *a = ike_alg_by_kw(w->kw);

		CHECK(a != NULL);
		if (a == NULL) {
			printf("  no row for %s\n", w->kw);
			continue;
		}
		CHECK_EQ(a->type, w->type);
		CHECK_EQ(a->id, w->v2);
		CHECK_EQ(a->keylen, w->keylen);
		CHECK_EQ(a->v1_p1, w->v1_p1);
		CHECK_EQ(a->v1_esp, w->v1_esp);
		/* Each number finds this row again. */
		CHECK(ike_alg_find(w->type, w->v2, w->keylen) == a);
		if (w->v1_p1 != 0)
			CHECK(ike_alg_find_v1p1(w->type, w->v1_p1,
			    w->keylen) == a);
		if (w->v1_esp != 0)
			CHECK(ike_alg_find_v1esp(w->type, w->v1_esp,
			    w->keylen) == a);
	}
}

/* Numbers from one version never find a row through the other's lookup
 * where the registries differ. */
static void
versions_apart(void)
{
	/* IKEv1 phase-1 AES is 7, IKEv2's 7 is not an ENCR we have */
	CHECK(ike_alg_find(IKE_ALG_ENCR, 7, 128) == NULL);
	CHECK(ike_alg_find_v1p1(IKE_ALG_ENCR, 12, 128) == NULL);
	/* IKEv1 Hash 4 is SHA2-256; IKEv2 PRF 4 is AES128_XCBC (not ours) */
	CHECK(ike_alg_find(IKE_ALG_PRF, 4, 0) == NULL);
	CHECK_STR(ike_alg_find_v1p1(IKE_ALG_PRF, 4, 0)->name,
	    "PRF_HMAC_SHA2_256");
	/* ESP auth 5 is HMAC-SHA2-256, not IKEv2 INTEG 5 */
	CHECK_STR(ike_alg_find_v1esp(IKE_ALG_INTEG, 5, 0)->name,
	    "HMAC_SHA2_256_128");
	CHECK(ike_alg_find(IKE_ALG_INTEG, 5, 0) == NULL);
	/* AES needs its Key Length in IKEv1 too (RFC 3602 5.1) */
	CHECK(ike_alg_find_v1p1(IKE_ALG_ENCR, 7, 0) == NULL);
	CHECK(ike_alg_find_v1esp(IKE_ALG_ENCR, 12, 0) == NULL);
	/* 0 means "not in IKEv1", never a match */
	CHECK(ike_alg_find_v1p1(IKE_ALG_DH, 0, 0) == NULL);
	CHECK(ike_alg_find_v1esp(IKE_ALG_ENCR, 0, 0) == NULL);
	/* Curve25519 has no IKEv1 Group Description */
	CHECK(ike_alg_find_v1p1(IKE_ALG_DH, 31, 0) == NULL);
}

/* The IKEv2 view is the same table. */
static void
ikev2_view(void)
{
	size_t			 n;
	const struct ike_alg	*t = ike_alg_table(&n);

	CHECK(n > 20);
	for (size_t i = 0; i < n; i++) {
		CHECK(ikev2_xform_find(t[i].type, t[i].id, t[i].keylen) ==
		    &t[i]);
		CHECK(ikev2_xform_by_kw(t[i].kw) == &t[i]);
	}
	CHECK(ikev2_xform_by_kw("aes") == ike_alg_by_kw("aes128"));
	CHECK(ikev2_xform_by_kw("nosuch") == NULL);
}

RG_TEST_MAIN("ike_alg", T(rfc_values), T(versions_apart), T(ikev2_view))
