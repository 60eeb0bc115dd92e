/*
 * Unit tests for the per-OS client profiles (profiles/): the algorithm
 * choice from a proposal set, each generator's output, and the API
 * (GET /v1/users/NAME/profiles/OS) over a real store with a CA, a server
 * certificate, an access profile, a policy and a user with a certificate.
 * The generated files are written to a folder and checked by
 * tests/unit/profiles_check.py: the .mobileconfig parses as a property
 * list with every required key and a PKCS#12 that opens with its
 * password (openssl pkcs12), the .sswan parses with the fields the app
 * requires, the NetworkManager keyfile has the keys the plugin reads, and
 * the PowerShell script uses only parameters and values the cmdlets
 * accept.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "certs/cert_mgr.h"
#include "profiles/prof.h"
#include "profiles/prof_build.h"
#include "store.h"
#include "web/web.h"
#include "web/web_int.h"
#include "rg_test.h"

static const char *const modern_ike[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-"
	    "prfsha512-ecp256-ecp384-x25519-modp2048-modp3072-modp4096",
	"aes256-aes128-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-"
	    "ecp256-ecp384-x25519-modp2048-modp3072-modp4096",
};
static const char *const modern_esp[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn",
	"aes256-aes128-sha256-sha384-sha512-noesn-esn",
};

static void
pick_strongest(void)
{
	static const char *const weak[] = { "aes128-sha1-prfsha1-modp1024" };
	static const char *const cbc_only[] = {
		"aes128-aes256-sha256-prfsha256-modp2048-ecp256"
	};
	struct prof_alg	 a;
	char		 s[128];

	/* strongSwan clients: AES-256-GCM, the strongest PRF and group. */
	CHECK_EQ(prof_pick(modern_ike, 2, false, &prof_strongswan_caps, &a),
	    0);
	prof_alg_str(&a, false, s, sizeof(s));
	CHECK_STR(s, "aes256gcm16-prfsha512-ecp384");
	CHECK_EQ(prof_pick(modern_esp, 2, true, &prof_strongswan_caps, &a),
	    0);
	prof_alg_str(&a, true, s, sizeof(s));
	CHECK_STR(s, "aes256gcm16");
	/* Only CBC: the integrity and PRF come from that one proposal. */
	CHECK_EQ(prof_pick(cbc_only, 1, false, &prof_strongswan_caps, &a), 0);
	prof_alg_str(&a, false, s, sizeof(s));
	CHECK_STR(s, "aes256-sha256-prfsha256-ecp256");
	/* Nothing strong: no profile rather than a weak one. */
	CHECK_EQ(prof_pick(weak, 1, false, &prof_strongswan_caps, &a), -1);
}

static void
generators_refuse(void)
{
	struct prof_server	 s;
	struct prof_out		 o;
	const char		*field, *why;
	static const char *const weak[] = { "3des-sha1-prfsha1-modp1024" };

	memset(&s, 0, sizeof(s));
	s.method = PROF_IKEV1;
	CHECK_EQ(prof_generate(PROF_IOS, &s, &o, &field, &why), -1);
	CHECK_STR(field, "method");
	CHECK_STR(why, "method ikev1: the IKEv1 responder is not available "
	    "yet");
	s.method = PROF_L2TP;
	CHECK_EQ(prof_generate(PROF_WINDOWS, &s, &o, &field, &why), -1);
	CHECK_STR(field, "method");
	s.method = PROF_CERT;	/* no certificate */
	CHECK_EQ(prof_generate(PROF_ANDROID, &s, &o, &field, &why), -1);
	CHECK_STR(field, "method");
	s.method = PROF_EAP;
	s.ike = weak;
	s.nike = 1;
	s.esp = modern_esp;
	s.nesp = 2;
	CHECK_EQ(prof_generate(PROF_MACOS, &s, &o, &field, &why), -1);
	CHECK_STR(field, "proposals");
	CHECK_EQ(prof_generate(PROF_WINDOWS, &s, &o, &field, &why), -1);
	CHECK_STR(field, "proposals");
}

/* ---- through the API ------------------------------------------------- */

static char		 dir[64], outdir[96];
static struct store	*st;
static struct web_ctx	 ctx;

static int
req(const char *url, json_t **out)
{
	json_t	*o = NULL;
	int	 status;

	status = web_dispatch(&ctx, "GET", url, NULL, 0, &o);
	if (out)
		*out = o;
	else
		json_decref(o);
	return status;
}

static int
post(const char *res, const char *body)
{
	json_t	*o = NULL;
	char	 url[64];
	int	 status;

	snprintf(url, sizeof(url), "/v1/%s", res);
	status = web_dispatch(&ctx, "POST", url, body, strlen(body), &o);
	if (status != 201)
		printf("  POST %s: %s\n", url, json_string_value(
		    json_object_get(o, "error")));
	json_decref(o);
	return status;
}

static int
put(const char *url, const char *body)
{
	json_t	*o = NULL;
	int	 status;

	status = web_dispatch(&ctx, "PUT", url, body, strlen(body), &o);
	json_decref(o);
	return status;
}

static void
setup(void)
{
	const char	*names[] = { "192.0.2.1" };
	struct cert_err	 e;
	json_t		*o = NULL, *r;
	char		 err[256];
	bool		 changed;

	snprintf(dir, sizeof(dir), "/tmp/rg-test-prof.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	mkdir(outdir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		printf("  %s\n", err);
		abort();
	}
	ctx = (struct web_ctx){ .store = st };
	memset(&e, 0, sizeof(e));
	if (cert_first_start(st, names, 1, &changed, &e) < 0) {
		printf("  %s\n", e.why);
		abort();
	}
	CHECK_EQ(post("pools", "{\"name\":\"p\",\"ranges\":\"10.1.0.0/24\"}"),
	    201);
	CHECK_EQ(post("profiles", "{\"name\":\"lan\",\"pools\":[\"p\"],"
	    "\"dns\":[\"10.1.0.53\"],\"split\":[\"198.51.100.0/24\","
	    "\"203.0.113.0/24\"],\"domains\":[\"corp.example\"]}"), 201);
	CHECK_EQ(post("policies", "{\"name\":\"lan\",\"networks\":"
	    "[\"198.51.100.0/24\"]}"), 201);
	CHECK_EQ(put("/v1/settings/default_profile", "{\"value\":\"lan\"}"),
	    200);
	CHECK_EQ(put("/v1/settings/default_policy", "{\"value\":\"lan\"}"),
	    200);
	CHECK_EQ(put("/v1/settings/proposals", "{\"value\":\"modern\"}"),
	    200);
	CHECK_EQ(post("users", "{\"name\":\"alice\",\"password\":"
	    "\"alice-pass\"}"), 201);
	r = json_pack("{s:s}", "san_email", "alice@example.test");
	CHECK_EQ(certmgr_client_issue(st, "alice", r, &o, &e), 0);
	json_decref(r);
	json_decref(o);
	CHECK_EQ(post("users", "{\"name\":\"bob\",\"password\":\"bob-pass\"}"),
	    201);
}

static unsigned char *
unb64(const char *s, size_t *len)
{
	size_t		 n = strlen(s);
	unsigned char	*b = malloc(n / 4 * 3 + 1);
	int		 r = EVP_DecodeBlock(b, (const unsigned char *)s,
			    (int)n);

	*len = (size_t)r - (n && s[n - 1] == '=') - (n > 1 && s[n - 2] == '=');
	return b;
}

static void
save(const char *name, const char *b64)
{
	char		 path[300];
	unsigned char	*d;
	size_t		 len;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	d = unb64(b64, &len);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(d, 1, len, f);
		fclose(f);
	}
	free(d);
}

/* Each OS and method through the API; the files for the checker. */
static void
api_profiles(void)
{
	static const char *const oses[] = {
		"ios", "macos", "windows", "android", "linux-nm", "swanctl"
	};
	json_t		*o, *f;
	char		 url[512], name[64], *text;
	size_t		 i, j, m, len;
	const char	*pw;

	setup();
	for (i = 0; i < sizeof(oses) / sizeof(oses[0]); i++)
		for (m = 0; m < 2; m++) {
			snprintf(url, sizeof(url), "/v1/users/alice/profiles/"
			    "%s?method=%s", oses[i], m ? "cert" : "eap");
			CHECK_EQ(req(url, &o), 200);
			CHECK_STR(json_string_value(json_object_get(o, "os")),
			    oses[i]);
			pw = json_string_value(json_object_get(o, "password"));
			CHECK(m ? pw != NULL : pw == NULL);
			CHECK(json_is_true(json_object_get(o, "secret")) ==
			    (m == 1));
			snprintf(name, sizeof(name), "%s-%s", oses[i],
			    m ? "cert" : "eap");
			save(name, json_string_value(json_object_get(o,
			    "data")));
			if (pw) {
				FILE	*pf;

				snprintf(url, sizeof(url), "%s/%s.password",
				    outdir, name);
				if ((pf = fopen(url, "w")) != NULL) {
					fputs(pw, pf);
					fclose(pf);
				}
			}
			json_array_foreach(json_object_get(o, "files"), j, f) {
				snprintf(url, sizeof(url), "%s.%s", name,
				    json_string_value(json_object_get(f,
				    "name")));
				save(url, json_string_value(json_object_get(f,
				    "data")));
			}
			/* What the server runs: address, identity, split
			 * narrowed to the policy, the strongest proposals. */
			text = (char *)unb64(json_string_value(
			    json_object_get(o, "data")), &len);
			text[len] = '\0';
			CHECK(strstr(text, "192.0.2.1") != NULL);
			/* Apple takes the routes from the server's TSr. */
			if (strcmp(oses[i], "ios") != 0 &&
			    strcmp(oses[i], "macos") != 0)
				CHECK(strstr(text, "198.51.100.0/24") != NULL);
			CHECK(strstr(text, "203.0.113.0/24") == NULL);
			if (strcmp(oses[i], "swanctl") == 0) {
				CHECK(strstr(text, "proposals = "
				    "aes256gcm16-prfsha512-ecp521\n") != NULL);
				CHECK(strstr(text, "esp_proposals = "
				    "aes256gcm16\n") != NULL);
				CHECK(strstr(text, m ? "auth = pubkey" :
				    "auth = eap-mschapv2") != NULL);
			}
			free(text);
			json_decref(o);
		}
}

static void
api_errors(void)
{
	json_t	*o;

	CHECK_EQ(req("/v1/users/nobody/profiles/ios", &o), 404);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "user");
	json_decref(o);
	CHECK_EQ(req("/v1/users/alice/profiles/beos", &o), 400);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "os");
	json_decref(o);
	CHECK_EQ(req("/v1/users/alice/profiles/ios?method=psk", &o), 400);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "method");
	json_decref(o);
	CHECK_EQ(req("/v1/users/alice/profiles/ios?method=ikev1", &o), 400);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "method");
	CHECK_STR(json_string_value(json_object_get(o, "error")),
	    "method ikev1: the IKEv1 responder is not available yet");
	json_decref(o);
	/* bob has no certificate */
	CHECK_EQ(req("/v1/users/bob/profiles/android?method=cert", &o), 400);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "method");
	json_decref(o);
	/* EAP-MSCHAPv2 off on the server: no profile that says it. */
	CHECK_EQ(put("/v1/settings/eap_method", "{\"value\":\"tls\"}"), 200);
	CHECK_EQ(req("/v1/users/alice/profiles/ios?method=eap", &o), 409);
	CHECK_STR(json_string_value(json_object_get(o, "field")), "method");
	json_decref(o);
	CHECK_EQ(req("/v1/users/alice/profiles/ios?method=cert", NULL), 200);
	CHECK_EQ(put("/v1/settings/eap_method", "{\"value\":\"any\"}"), 200);
	/* The plain user object still answers. */
	CHECK_EQ(req("/v1/users/alice", &o), 200);
	CHECK_STR(json_string_value(json_object_get(o, "name")), "alice");
	json_decref(o);
}

/* Over HTTP the file itself, with its content type. */
static void
api_raw(void)
{
	struct web_raw	 raw;
	json_t		*o = NULL;

	memset(&raw, 0, sizeof(raw));
	CHECK_EQ(web_dispatch_raw(&ctx, "GET",
	    "/v1/users/alice/profiles/android", NULL, 0, &o, &raw), 200);
	CHECK(raw.set);
	CHECK_STR(raw.content_type, "application/vnd.strongswan.profile");
	CHECK_STR(raw.filename, "roadgate-alice-android.sswan");
	CHECK(raw.len > 0 && raw.data[0] == '{');
	web_raw_clear(&raw);
	json_decref(o);
	o = NULL;
	CHECK_EQ(web_dispatch_raw(&ctx, "GET",
	    "/v1/users/alice/profiles/ios?format=json", NULL, 0, &o, &raw),
	    200);
	CHECK(!raw.set);
	CHECK(json_is_string(json_object_get(o, "data")));
	json_decref(o);
}

static void
checker(void)
{
	char	 cmd[512];
	const char *top = getenv("RG_TOP");
	int	 rc;

	if (top == NULL)
		top = "..";
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/unit/profiles_check.py "
	    "%s", top, outdir);
	rc = system(cmd);
	CHECK_EQ(rc, 0);
	store_close(st);
	if (getenv("RG_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)system(cmd);
	}
}

RG_TEST_MAIN("profiles",
	{ "pick_strongest", pick_strongest, 0 },
	{ "generators_refuse", generators_refuse, 0 },
	{ "api_profiles", api_profiles, 0 },
	{ "api_errors", api_errors, 0 },
	{ "api_raw", api_raw, 0 },
	{ "checker", checker, 0 },
);
