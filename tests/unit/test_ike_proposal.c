/*
 * test_ike_proposal.c: configured proposals in their version-neutral form
 * (server/ike/ike_proposal.c): strongSwan-style strings into rows of the
 * shared algorithm table, so the same "aes256-sha256-modp2048" yields
 * IKEv2 transforms (RFC 7296 3.3.2) and IKEv1 phase-1 attributes (RFC
 * 2409 App. A: Encryption Algorithm 7 + Key Length 256, Hash Algorithm 4,
 * Group Description 14) alike; an ESP one the IPsec DOI values (RFC 2407
 * 4.4.4, 4.5).
 */
#include <string.h>

#include "ike_proposal.h"
#include "rg_test.h"

static const struct ike_alg *
row(const struct ike_pconf *p, uint8_t type, size_t nth)
{
	for (size_t i = 0; i < p->nxf; i++)
		if (p->xf[i]->type == type && nth-- == 0)
			return p->xf[i];
	return NULL;
}

static void
ike_sa_string(void)
{
	struct ike_pconf	 p;
	char			 err[160];
	const struct ike_alg	*e, *h, *d;

	CHECK_EQ(ike_proposal_parse("aes256-sha256-modp2048", IKE_P_IKE, &p,
	    err, sizeof(err)), 0);
	CHECK_STR(p.text, "aes256-sha256-modp2048");
	/* sha256 named integrity; its PRF came with it */
	CHECK_EQ(ike_pconf_count(&p, IKE_ALG_PRF), 1);
	CHECK_EQ(ike_pconf_count(&p, IKE_ALG_ESN), 0);
	e = row(&p, IKE_ALG_ENCR, 0);
	h = row(&p, IKE_ALG_PRF, 0);
	d = row(&p, IKE_ALG_DH, 0);
	CHECK(e != NULL && h != NULL && d != NULL);
	if (e == NULL || h == NULL || d == NULL)
		return;
	/* IKEv2: ENCR_AES_CBC/256, PRF_HMAC_SHA2_256, group 14 */
	CHECK_EQ(e->id, 12);
	CHECK_EQ(e->keylen, 256);
	CHECK_EQ(h->id, 5);
	CHECK_EQ(d->id, 14);
	/* IKEv1 phase 1: AES-CBC 7, SHA2-256 4, MODP 2048 14 */
	CHECK_EQ(e->v1_p1, 7);
	CHECK_EQ(h->v1_p1, 4);
	CHECK_EQ(d->v1_p1, 14);
	CHECK(ike_pconf_has(&p, ike_alg_by_kw("modp2048")));
	CHECK(!ike_pconf_has(&p, ike_alg_by_kw("modp1024")));
}

static void
esp_string(void)
{
	struct ike_pconf	 p;
	char			 err[160];

	CHECK_EQ(ike_proposal_parse("aes128-3des-sha1-sha256", IKE_P_ESP, &p,
	    err, sizeof(err)), 0);
	CHECK_EQ(ike_pconf_count(&p, IKE_ALG_ENCR), 2);
	CHECK_EQ(ike_pconf_count(&p, IKE_ALG_PRF), 0);
	/* no ESN named: "noesn" */
	CHECK_EQ(ike_pconf_count(&p, IKE_ALG_ESN), 1);
	CHECK_EQ(row(&p, IKE_ALG_ESN, 0)->id, 0);
	/* IPsec DOI: ESP_AES 12, ESP_3DES 3; HMAC-SHA 2, HMAC-SHA2-256 5 */
	CHECK_EQ(row(&p, IKE_ALG_ENCR, 0)->v1_esp, 12);
	CHECK_EQ(row(&p, IKE_ALG_ENCR, 1)->v1_esp, 3);
	CHECK_EQ(row(&p, IKE_ALG_INTEG, 0)->v1_esp, 2);
	CHECK_EQ(row(&p, IKE_ALG_INTEG, 1)->v1_esp, 5);
}

struct bad {
	const char	*s;
	enum ike_pkind	 kind;
	const char	*err;
};

static void
refusals(void)
{
	static const struct bad b[] = {
	    { "aes128-sha1", IKE_P_IKE, "no DH group in 'aes128-sha1'" },
	    { "foo-sha1-modp2048", IKE_P_IKE, "unknown algorithm 'foo' in "
	      "'foo-sha1-modp2048'" },
	    { "aes128gcm16-aes128-prfsha256-ecp256", IKE_P_IKE,
	      "'aes128gcm16-aes128-prfsha256-ecp256' mixes AEAD and "
	      "non-AEAD ciphers" },
	    { "aes128gcm16-sha1", IKE_P_ESP, "AEAD with integrity algorithm "
	      "in 'aes128gcm16-sha1'" },
	    { "aes128-sha1-prfsha1", IKE_P_ESP, "PRF in an ESP proposal "
	      "'aes128-sha1-prfsha1'" },
	    { "aes128--sha1", IKE_P_ESP, "bad token in 'aes128--sha1'" },
	};

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		struct ike_pconf p;
		char		 err[160] = "";

		CHECK_EQ(ike_proposal_parse(b[i].s, b[i].kind, &p, err,
		    sizeof(err)), -1);
		CHECK_STR(err, b[i].err);
	}
}

static void
presets(void)
{
	struct ike_pset	 set;
	char		*v[2] = { "aes256gcm16-prfsha256-ecp256", "nonsense" };

	CHECK(ike_preset("modern", IKE_P_IKE) != NULL);
	CHECK(ike_preset("compatible", IKE_P_ESP) != NULL);
	CHECK(ike_preset("none such", IKE_P_IKE) == NULL);
	CHECK_EQ(ike_pset_load(NULL, IKE_P_IKE, &set), 0);
	CHECK_STR(set.name, "modern");
	CHECK_EQ(set.n, 2);
	CHECK(ike_pset_has_dh(&set, 19));
	CHECK(!ike_pset_has_dh(&set, 2));	/* MODP1024: compatible only */
	/* A bad string is skipped, the rest kept. */
	CHECK_EQ(ike_pset_from_strings("t", v, 2, IKE_P_IKE, &set), 0);
	CHECK_EQ(set.n, 1);
	CHECK(ike_pset_has_dh(&set, 19));
	CHECK_EQ(ike_pset_from_strings("t", v + 1, 1, IKE_P_IKE, &set), -1);
}

RG_TEST_MAIN("ike_proposal", T(ike_sa_string), T(esp_string), T(refusals),
    T(presets))
