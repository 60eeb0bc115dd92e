/*
 * test_ikev2_proposal: proposal strings and the matching table (RFC 7296
 * 2.7).  Each client's default IKE and ESP proposals (PRODUCT.md client
 * facts 1, 6, 11) against the "modern" and "compatible" presets: one line
 * per case with the expected outcome and chosen transforms.
 */
#include <stdlib.h>
#include <string.h>

#include "ikev2_proposal.h"
#include "rg_test.h"

/* Build a received SA payload from "encr[/kl]:integ:prf:dh" lists. */
static void
prop(struct ikev2_sa_pl *sa, uint8_t proto, const uint16_t *x, size_t n)
{
	struct ikev2_prop *p = &sa->prop[sa->nprop++];

	memset(p, 0, sizeof(*p));
	p->num = (uint8_t)sa->nprop;
	p->proto = proto;
	if (proto == IKEV2_PROTO_ESP) {
		p->spi_len = 4;
		memcpy(p->spi, "\x11\x22\x33\x44", 4);
	}
	for (size_t i = 0; i + 2 < n + 1; i += 3) {
		p->xf[p->nxf].type = (uint8_t)x[i];
		p->xf[p->nxf].id = x[i + 1];
		p->xf[p->nxf].keylen = x[i + 2];
		p->nxf++;
	}
}

#define XF(t, id, kl)	t, id, kl
#define E	1
#define P	2
#define I	3
#define D	4
#define N	5

static void
parse_strings(void)
{
	struct ikev2_pconf p;
	char	 err[128];

	CHECK_EQ(ikev2_proposal_parse("aes256gcm16-prfsha256-ecp256",
	    IKEV2_PROTO_IKE, &p, err, sizeof(err)), 0);
	CHECK_EQ(p.nxf, 3);
	CHECK_EQ(ikev2_proposal_parse("aes128-sha256-modp2048", IKEV2_PROTO_IKE,
	    &p, err, sizeof(err)), 0);
	CHECK_EQ(p.nxf, 4);	/* prfsha256 implied */
	CHECK_EQ(ikev2_proposal_parse("aes128gcm16-sha256-prfsha256-x25519",
	    IKEV2_PROTO_IKE, &p, err, sizeof(err)), -1);
	CHECK_EQ(ikev2_proposal_parse("aes128-prfsha256-x25519",
	    IKEV2_PROTO_IKE, &p, err, sizeof(err)), -1);
	CHECK_EQ(ikev2_proposal_parse("aes128-sha1", IKEV2_PROTO_IKE, &p, err,
	    sizeof(err)), -1);	/* no DH */
	CHECK_EQ(ikev2_proposal_parse("foo-sha1-modp2048", IKEV2_PROTO_IKE, &p,
	    err, sizeof(err)), -1);
	CHECK(strstr(err, "foo") != NULL);
	CHECK_EQ(ikev2_proposal_parse("aes256-sha1", IKEV2_PROTO_ESP, &p, err,
	    sizeof(err)), 0);
	CHECK_EQ(p.nxf, 3);	/* + noesn */
	CHECK_EQ(ikev2_proposal_parse("aes128gcm16-modp2048-esn",
	    IKEV2_PROTO_ESP, &p, err, sizeof(err)), 0);
}

struct row {
	const char	*client;
	uint8_t		 proto;
	uint16_t	 x[3 * 12];
	size_t		 n;
	uint16_t	 pref_dh;
	int		 modern, compat;	/* 0 accepted, -1 refused */
	const char	*want;			/* chosen (compatible) */
};

static const struct row rows[] = {
	{ "Windows 10 IKE", IKEV2_PROTO_IKE,
	  { XF(E,12,256), XF(I,2,0), XF(P,2,0), XF(D,2,0) }, 12, 2, -1, 0,
	  "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" },
	{ "Windows 10 IKE 3DES", IKEV2_PROTO_IKE,
	  { XF(E,3,0), XF(I,12,0), XF(P,5,0), XF(D,2,0) }, 12, 2, -1, 0,
	  "3DES/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024" },
	{ "Windows 11 IKE GCM", IKEV2_PROTO_IKE,
	  { XF(E,20,256), XF(P,6,0), XF(D,2,0) }, 9, 2, -1, 0,
	  "AES_GCM_16_256/PRF_HMAC_SHA2_384/MODP_1024" },
	{ "Windows ESP", IKEV2_PROTO_ESP,
	  { XF(E,12,256), XF(I,2,0), XF(N,0,0) }, 9, 0, -1, 0,
	  "AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ" },
	{ "iOS IKE", IKEV2_PROTO_IKE,
	  { XF(E,12,256), XF(I,12,0), XF(P,5,0), XF(D,14,0) }, 12, 14, 0, 0,
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" },
	{ "iOS IKE ECP256", IKEV2_PROTO_IKE,
	  { XF(E,12,256), XF(I,12,0), XF(P,5,0), XF(D,19,0) }, 12, 19, 0, 0,
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256" },
	{ "iOS ESP", IKEV2_PROTO_ESP,
	  { XF(E,12,256), XF(I,12,0), XF(N,0,0) }, 9, 0, 0, 0,
	  "AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ" },
	{ "Android 11 IKE", IKEV2_PROTO_IKE,
	  { XF(E,12,256), XF(E,12,128), XF(I,12,0), XF(P,2,0), XF(D,14,0),
	    XF(D,15,0) }, 18, 14, 0, 0,
	  "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA1/MODP_2048" },
	{ "Android 12 IKE AEAD", IKEV2_PROTO_IKE,
	  { XF(E,20,256), XF(E,28,0), XF(P,5,0), XF(D,31,0), XF(D,14,0) },
	  15, 31, 0, 0, "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "strongSwan app IKE", IKEV2_PROTO_IKE,
	  { XF(E,20,128), XF(E,20,256), XF(E,28,0), XF(P,5,0), XF(P,6,0),
	    XF(D,31,0), XF(D,19,0), XF(D,14,0) }, 24, 31, 0, 0,
	  "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519" },
	{ "strongSwan app ESP", IKEV2_PROTO_ESP,
	  { XF(E,20,128), XF(E,20,256), XF(E,28,0), XF(N,0,0) }, 12, 0, 0, 0,
	  "AES_GCM_16_256/NO_EXT_SEQ" },
	{ "KE steers DH", IKEV2_PROTO_IKE,
	  { XF(E,12,128), XF(I,12,0), XF(P,5,0), XF(D,14,0), XF(D,19,0) }, 15,
	  19, 0, 0, "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256" },
	{ "AEAD with INTEG refused", IKEV2_PROTO_IKE,
	  { XF(E,20,128), XF(I,12,0), XF(P,5,0), XF(D,19,0) }, 12, 19, -1, -1,
	  NULL },
	{ "AES without key length", IKEV2_PROTO_IKE,
	  { XF(E,12,0), XF(I,12,0), XF(P,5,0), XF(D,19,0) }, 12, 19, -1, -1,
	  NULL },
	{ "all refused (AES-CTR, MD5, MODP768)", IKEV2_PROTO_IKE,
	  { XF(E,13,128), XF(I,1,0), XF(P,1,0), XF(D,1,0) }, 12, 1, -1, -1,
	  NULL },
};

static void
matching_table(void)
{
	struct ikev2_pset *mod = calloc(1, sizeof(*mod));
	struct ikev2_pset *cmp = calloc(1, sizeof(*cmp));
	struct ikev2_pset *mode = calloc(1, sizeof(*mode));
	struct ikev2_pset *cmpe = calloc(1, sizeof(*cmpe));
	struct ikev2_sa_pl *sa = calloc(1, sizeof(*sa));
	struct rg_config *cfg = rg_config_new();

	cfg->settings.proposals = strdup("modern");
	CHECK_EQ(ikev2_pset_load(cfg, IKEV2_PROTO_IKE, mod), 0);
	CHECK_EQ(ikev2_pset_load(cfg, IKEV2_PROTO_ESP, mode), 0);
	free(cfg->settings.proposals);
	cfg->settings.proposals = strdup("compatible");
	CHECK_EQ(ikev2_pset_load(cfg, IKEV2_PROTO_IKE, cmp), 0);
	CHECK_EQ(ikev2_pset_load(cfg, IKEV2_PROTO_ESP, cmpe), 0);
	rg_config_unref(cfg);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct ikev2_chosen c;
		enum ikev2_dh_mode dm = r->proto == IKEV2_PROTO_IKE ?
		    IKEV2_DHM_REQUIRED : IKEV2_DHM_IGNORE;
		int	 a, b;
		char	 s[256];

		sa->nprop = 0;
		prop(sa, r->proto, r->x, r->n);
		a = ikev2_proposal_select(sa, r->proto == IKEV2_PROTO_IKE ?
		    mod : mode, r->proto, dm, r->pref_dh, &c);
		b = ikev2_proposal_select(sa, r->proto == IKEV2_PROTO_IKE ?
		    cmp : cmpe, r->proto, dm, r->pref_dh, &c);
		s[0] = '\0';
		if (b == 0)
			ikev2_chosen_str(&c, s, sizeof(s));
		if (a != r->modern || b != r->compat ||
		    (r->want != NULL && strcmp(s, r->want) != 0))
			printf("  %s: modern %d compatible %d chose %s\n",
			    r->client, a, b, s);
		CHECK_EQ(a, r->modern);
		CHECK_EQ(b, r->compat);
		if (r->want != NULL)
			CHECK_STR(s, r->want);
	}
	free(mod);
	free(cmp);
	free(mode);
	free(cmpe);
	free(sa);
}

static void
log_strings(void)
{
	struct ikev2_sa_pl *sa = calloc(1, sizeof(*sa));
	static const uint16_t w[] = { XF(E,12,256), XF(I,2,0), XF(P,2,0),
	    XF(D,2,0) };
	char	 s[256];

	prop(sa, IKEV2_PROTO_IKE, w, 12);
	prop(sa, IKEV2_PROTO_IKE, w, 12);
	ikev2_sa_str(sa, s, sizeof(s));
	CHECK_STR(s, "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, "
	    "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
	free(sa);
}

static void
pfs_optional(void)
{
	struct ikev2_pset *esp = calloc(1, sizeof(*esp));
	struct ikev2_sa_pl *sa = calloc(1, sizeof(*sa));
	struct ikev2_chosen c;
	static const uint16_t with_dh[] = { XF(E,20,128), XF(D,19,0),
	    XF(N,0,0) };
	static const uint16_t dh_or_none[] = { XF(E,20,128), XF(D,19,0),
	    XF(D,0,0), XF(N,0,0) };
	char *const v[] = { (char *)"aes128gcm16" };

	CHECK_EQ(ikev2_pset_from_strings("t", v, 1, IKEV2_PROTO_ESP, esp), 0);
	prop(sa, IKEV2_PROTO_ESP, with_dh, 9);
	/* CREATE_CHILD_SA with KE of ECP256: PFS with that group. */
	CHECK_EQ(ikev2_proposal_select(sa, esp, IKEV2_PROTO_ESP,
	    IKEV2_DHM_OPTIONAL, 19, &c), 0);
	CHECK(c.dh != NULL && c.dh->id == 19);
	/* In IKE_AUTH the DH transform is ignored (no KE there). */
	CHECK_EQ(ikev2_proposal_select(sa, esp, IKEV2_PROTO_ESP,
	    IKEV2_DHM_IGNORE, 0, &c), 0);
	CHECK(c.dh == NULL);
	sa->nprop = 0;
	prop(sa, IKEV2_PROTO_ESP, dh_or_none, 12);
	CHECK_EQ(ikev2_proposal_select(sa, esp, IKEV2_PROTO_ESP,
	    IKEV2_DHM_OPTIONAL, 0, &c), 0);
	CHECK(c.dh == NULL);
	free(esp);
	free(sa);
}

RG_TEST_MAIN("ikev2_proposal", T(parse_strings), T(matching_table),
    T(log_strings), T(pfs_optional))
