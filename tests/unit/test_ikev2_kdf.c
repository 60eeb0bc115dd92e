/*
 * test_ikev2_kdf: the responder's key derivation checked against an
 * independent implementation, not against our own prf.  The test
 * initiator (tests/tools/ikev2_initiator.c) drives the real responder in
 * memory (ikev2_fixture.c) through IKE_SA_INIT, IKE_AUTH, CHILD_SA rekeys
 * without and with PFS, an IKE SA rekey and a CHILD_SA rekey on the new
 * IKE SA.  After each step the inputs (the IKE_SA_INIT messages as sent,
 * Ni, Nr and g^ir of the step) and what the responder derived (SK_d,
 * SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr of its IKE SA; the ESP keys
 * the data plane was handed) go into a JSON file, and
 * tests/tools/ikev2_kdf_check.py recomputes every key from RFC 7296
 * 2.13, 2.14, 2.17 and 2.18 with Python's hashlib/hmac and compares.
 * One case per proposal.  The data plane is a stand-in: the link wraps
 * the dp_* calls of the engine (-Wl,--wrap) and records the SAs added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "dp.h"
#include "ikev2.h"
#include "ikev2_int.h"
#include "ikev2_fixture.h"
#include "rg_loop.h"
#include "rg_test.h"

#ifndef RG_SRCDIR
#define RG_SRCDIR	"."
#endif

/* The data plane stand-in: every SA the engine installs, as given. */
#define REC_MAX	32
static struct dp_sa	 rec[REC_MAX];
static size_t		 nrec;
static char		 fake_dp;	/* a non-NULL struct dp * */

int	__wrap_dp_sa_add(struct dp *, const struct dp_sa *);
int	__wrap_dp_sa_del(struct dp *, uint32_t, bool);
int	__wrap_dp_sa_update_addrs(struct dp *, uint32_t,
	    const struct sockaddr *, const struct sockaddr *, bool);
int	__wrap_dp_sa_counters(struct dp *, uint32_t, bool,
	    struct dp_counters *);
int	__wrap_dp_route_add(struct dp *, const struct rg_prefix *);
int	__wrap_dp_route_del(struct dp *, const struct rg_prefix *);

int
__wrap_dp_sa_add(struct dp *dp, const struct dp_sa *s)
{
	(void)dp;
	if (nrec >= REC_MAX)
		return -1;
	rec[nrec++] = *s;
	return 0;
}

int
__wrap_dp_sa_del(struct dp *dp, uint32_t spi, bool inbound)
{
	(void)dp; (void)spi; (void)inbound;
	return 0;
}

int
__wrap_dp_sa_update_addrs(struct dp *dp, uint32_t reqid,
    const struct sockaddr *l, const struct sockaddr *p, bool encap)
{
	(void)dp; (void)reqid; (void)l; (void)p; (void)encap;
	return 0;
}

int
__wrap_dp_sa_counters(struct dp *dp, uint32_t spi, bool inbound,
    struct dp_counters *c)
{
	(void)dp; (void)spi; (void)inbound;
	memset(c, 0, sizeof(*c));
	return 0;
}

int
__wrap_dp_route_add(struct dp *dp, const struct rg_prefix *p)
{
	(void)dp; (void)p;
	return 0;
}

int
__wrap_dp_route_del(struct dp *dp, const struct rg_prefix *p)
{
	(void)dp; (void)p;
	return 0;
}

static void
hex_set(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char	*s = malloc(2 * n + 1);

	for (size_t x = 0; x < n; x++)
		snprintf(s + 2 * x, 3, "%02x", p[x]);
	s[2 * n] = '\0';
	json_object_set_new(o, k, json_string(s));
	free(s);
}

/* Key values exported so far: the checker must compare exactly these. */
static size_t	 nkeys;

/* The responder's SK_* of the IKE SA with our SPI spi_r; SK_pi and
 * SK_pr (auth) only before IKE_AUTH: the engine wipes them once the SA is
 * established, and a rekeyed SA never uses them (RFC 7296 2.18). */
static json_t *
ike_keys(struct ikev2_engine *e, uint64_t spi_r, bool auth)
{
	struct ikev2_sa		*sa = ikev2_sa_lookup(e, spi_r);
	const struct ikev2_keys	*k;
	json_t			*o = json_object();
	size_t			 pl, al, el;

	CHECK(sa != NULL);
	if (sa == NULL)
		return o;
	k = &sa->keys;
	pl = k->prf->out;
	al = k->integ != NULL ? k->integ->key : 0;
	el = k->encr->key;
	hex_set(o, "sk_d", k->sk_d, pl);
	hex_set(o, "sk_ai", k->i2r.ak, al);
	hex_set(o, "sk_ar", k->r2i.ak, al);
	hex_set(o, "sk_ei", k->i2r.ek, el);
	hex_set(o, "sk_er", k->r2i.ek, el);
	nkeys += 5;
	if (auth) {
		hex_set(o, "sk_pi", k->sk_pi, pl);
		hex_set(o, "sk_pr", k->sk_pr, pl);
		nkeys += 2;
	}
	return o;
}

/* The ESP SA the data plane got for spi (our inbound or outbound). */
static json_t *
esp_keys(uint32_t spi, bool inbound)
{
	json_t	*o = json_object();

	for (size_t x = nrec; x-- > 0; ) {
		if (rec[x].spi != spi || rec[x].inbound != inbound)
			continue;
		json_object_set_new(o, "spi", json_integer(spi));
		json_object_set_new(o, "encr", json_integer(rec[x].encr));
		hex_set(o, "encr_key", rec[x].encr_key, rec[x].encr_key_len);
		json_object_set_new(o, "integ", json_integer(rec[x].integ));
		hex_set(o, "integ_key", rec[x].integ_key,
		    rec[x].integ_key_len);
		nkeys += 2;
		return o;
	}
	printf("  no %s ESP SA %08x in the data plane\n",
	    inbound ? "inbound" : "outbound", spi);
	rg_test_failed_now = 1;
	return o;
}

/* One step: its kind, the initiator's view of its inputs, and what the
 * responder derived. */
static json_t *
step(const char *kind, struct ikev2_ini *i, bool inputs)
{
	struct ikev2_ini_kdf	 k;
	json_t			*o = json_object();

	ikev2_ini_kdf(i, &k);
	json_object_set_new(o, "kind", json_string(kind));
	if (inputs) {
		hex_set(o, "ni", k.ni, k.nilen);
		hex_set(o, "nr", k.nr, k.nrlen);
		hex_set(o, "gir", k.gir, k.girlen);
	}
	return o;
}

static json_t *
child_step(const char *kind, struct ikev2_ini *i, bool inputs)
{
	json_t	*o = step(kind, i, inputs);

	/* Our inbound SPI is the one the initiator sends to. */
	json_object_set_new(o, "in", esp_keys(ikev2_ini_child_spi(i, false),
	    true));
	json_object_set_new(o, "out", esp_keys(ikev2_ini_child_spi(i, true),
	    false));
	return o;
}

/* Run the checker over doc; its exit status (0: every key matches). */
static int
check_py(json_t *doc)
{
	char		 path[] = "/tmp/rg-kdf-XXXXXX", cmd[1024], n[32];
	const char	*top = getenv("RG_TOP");
	int		 fd, st;

	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	if (json_dump_file(doc, path, JSON_INDENT(1)) < 0) {
		unlink(path);
		return -1;
	}
	snprintf(n, sizeof(n), "%zu", nkeys);
	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/tools/ikev2_kdf_check.py'"
	    " --expect %s '%s'", top != NULL ? top : RG_SRCDIR, n, path);
	st = system(cmd);
	if (getenv("RG_KDF_KEEP") != NULL)
		printf("  inputs and keys kept in %s\n", path);
	else
		unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * HDR, SAi1, KEi, Ni -->  <-- HDR, SAr1, KEr, Nr
 * HDR, SK {IDi, AUTH, CP, SAi2, TSi, TSr} -->
 * <-- HDR, SK {IDr, AUTH, CP, SAr2, TSi, TSr}
 * then CHILD rekeys (2.17: KEYMAT from SK_d, with PFS from the new g^ir)
 * and an IKE rekey (2.18: SKEYSEED from the old SK_d).
 */
static void
kdf_case(const char *name, const struct ikev2_ini_conf *conf,
    uint16_t pfs)
{
	static bool	 freed_at_exit;
	struct ikev2_engine *e = fx_engine_dp(fx_config("compatible"),
	    (struct dp *)&fake_dp);
	struct ikev2_ini *i = ikev2_ini_new(conf);
	json_t		*doc = json_object(), *steps = json_array();
	json_t		*offer = json_object(), *keys;
	uint8_t		 a[4096], b[4096];
	long		 n;

	/* The loop outlives the cases; freed before the leak check. */
	if (!freed_at_exit)
		freed_at_exit = atexit(fx_cleanup) == 0;
	nrec = nkeys = 0;
	json_object_set_new(doc, "name", json_string(name));
	json_object_set_new(offer, "encr", json_integer(conf->encr));
	json_object_set_new(offer, "encr_keylen",
	    json_integer(conf->encr_keylen));
	json_object_set_new(offer, "prf", json_integer(conf->prf));
	json_object_set_new(offer, "integ", json_integer(conf->integ));
	json_object_set_new(offer, "dh", json_integer(conf->groups[0]));
	json_object_set_new(offer, "esp_encr", json_integer(conf->esp_encr));
	json_object_set_new(offer, "esp_keylen",
	    json_integer(conf->esp_keylen));
	json_object_set_new(offer, "esp_integ", json_integer(conf->esp_integ));
	json_object_set_new(offer, "pfs", json_integer(pfs));
	json_object_set_new(doc, "offer", offer);
	json_object_set_new(doc, "steps", steps);

	/* HDR, SAi1, KEi, Ni -->  <-- HDR, SAr1, KEr, Nr */
	n = ikev2_ini_start(i, a, sizeof(a));
	n = fx_rt(e, i, a, n, b, sizeof(b));
	CHECK(n > 0);
	keys = ike_keys(e, ikev2_ini_spi_r(i), true);
	/* HDR, SK {IDi, AUTH, CP, SAi2, TSi, TSr} -->
	 * <-- HDR, SK {IDr, AUTH, CP, SAr2, TSi, TSr} */
	CHECK_EQ(fx_rt(e, i, b, n, a, sizeof(a)), 0);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	if (ikev2_ini_state(i) != INI_ESTABLISHED) {
		json_decref(keys);
		goto out;
	}

	/* SKEYSEED = prf(Ni | Nr, g^ir); the messages give Ni, Nr, SPIs. */
	{
		struct ikev2_ini_kdf	 k;
		json_t			*s = step("init", i, false);

		ikev2_ini_kdf(i, &k);
		hex_set(s, "msg1", k.msg1, k.msg1len);
		hex_set(s, "msg2", k.msg2, k.msg2len);
		hex_set(s, "gir", k.gir, k.girlen);
		json_object_set_new(s, "keys", keys);
		json_array_append_new(steps, s);
	}
	/* The first CHILD_SA: KEYMAT = prf+(SK_d, Ni | Nr) of IKE_SA_INIT. */
	json_array_append_new(steps, child_step("child_auth", i, false));

	/* HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} --> */
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	json_array_append_new(steps, child_step("child_rekey", i, true));

	/* HDR, SK {N(REKEY_SA), SA, Ni, KEi, TSi, TSr} --> (PFS) */
	ikev2_ini_set_child_pfs(i, pfs);
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	json_array_append_new(steps, child_step("child_rekey", i, true));

	/* HDR, SK {SA, Ni, KEi} --> <-- HDR, SK {SA, Nr, KEr}; then the
	 * old IKE SA is deleted and the new one carries on. */
	n = ikev2_ini_rekey_ike(i, a, sizeof(a));
	n = fx_rt(e, i, a, n, b, sizeof(b));
	CHECK(n > 0);
	{
		json_t	*s = step("ike_rekey", i, true);
		char	 spi[24];

		CHECK_EQ(fx_rt(e, i, b, n, a, sizeof(a)), 0);
		rg_loop_once(fx_loop, 0);
		snprintf(spi, sizeof(spi), "%016llx",
		    (unsigned long long)ikev2_ini_spi_i(i));
		json_object_set_new(s, "spi_i", json_string(spi));
		snprintf(spi, sizeof(spi), "%016llx",
		    (unsigned long long)ikev2_ini_spi_r(i));
		json_object_set_new(s, "spi_r", json_string(spi));
		json_object_set_new(s, "keys", ike_keys(e, ikev2_ini_spi_r(i),
		    false));
		json_array_append_new(steps, s);
	}
	/* A CHILD rekey on the new IKE SA: KEYMAT from its SK_d. */
	n = ikev2_ini_rekey_child(i, a, sizeof(a));
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	json_array_append_new(steps, child_step("child_rekey", i, true));

	/* init 7 + 4 CHILD_SAs x 2 SAs x 2 keys + rekey 5 */
	CHECK_EQ(nkeys, 7 + 16 + 5);
	CHECK_EQ(check_py(doc), 0);
out:
	json_decref(doc);
	ikev2_ini_free(i);
	ikev2_engine_free(e);
	fx_q_clear();
}

/* PRF HMAC-SHA1, AES-CBC-128 + HMAC-SHA1-96, MODP-2048; ESP the same. */
static void
prf_sha1_cbc(void)
{
	struct ikev2_ini_conf c = fx_gcm;

	c.encr = 12; c.encr_keylen = 128; c.prf = 2; c.integ = 2;
	c.groups[0] = 14;
	c.esp_encr = 12; c.esp_keylen = 128; c.esp_integ = 2;
	kdf_case("prf_sha1_cbc", &c, 14);
}

/* PRF HMAC-SHA2-256, AES-GCM-256 (no SK_a), ECP-256; ESP AES-GCM-128. */
static void
prf_sha256_gcm(void)
{
	kdf_case("prf_sha256_gcm", &fx_gcm, 19);
}

/* PRF HMAC-SHA2-384, AES-CBC-256 + HMAC-SHA2-384-192, ECP-384; ESP
 * AES-CBC-256 + HMAC-SHA2-256-128. */
static void
prf_sha384_cbc(void)
{
	struct ikev2_ini_conf c = fx_gcm;

	c.encr = 12; c.encr_keylen = 256; c.prf = 6; c.integ = 13;
	c.groups[0] = 20;
	c.esp_encr = 12; c.esp_keylen = 256; c.esp_integ = 12;
	kdf_case("prf_sha384_cbc", &c, 20);
}

/* PRF HMAC-SHA2-512, AES-GCM-128, Curve25519; ESP AES-CBC-192 +
 * HMAC-SHA2-512-256. */
static void
prf_sha512_gcm(void)
{
	struct ikev2_ini_conf c = fx_gcm;

	c.encr = 20; c.encr_keylen = 128; c.prf = 7; c.integ = 0;
	c.groups[0] = 31;
	c.esp_encr = 12; c.esp_keylen = 192; c.esp_integ = 14;
	kdf_case("prf_sha512_gcm", &c, 31);
}

/* PRF HMAC-SHA2-256 with AES-CBC-128 + HMAC-SHA2-512-256, MODP-2048;
 * ESP AES-GCM-256 and CHILD PFS with ECP-256. */
static void
prf_sha256_cbc(void)
{
	struct ikev2_ini_conf c = fx_gcm;

	c.encr = 12; c.encr_keylen = 128; c.prf = 5; c.integ = 14;
	c.groups[0] = 14;
	c.esp_encr = 20; c.esp_keylen = 256; c.esp_integ = 0;
	kdf_case("prf_sha256_cbc", &c, 19);
}

RG_TEST_MAIN("ikev2_kdf", T(prf_sha1_cbc), T(prf_sha256_gcm),
    T(prf_sha384_cbc), T(prf_sha512_gcm), T(prf_sha256_cbc))
