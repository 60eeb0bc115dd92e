/*
 * test_dp_fwd.c: the forwarding helpers' settings (store validation and
 * defaults, loaded into struct rg_settings), the interface-name check
 * and the nft script for table inet roadgate (dp_fwd.c).  The effects on
 * a real kernel are tested in tests/integration/dp_fwd.sh.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_fwd.h"
#include "rg_test.h"
#include "store.h"

static char	 dir[] = "/tmp/rgfwdtest.XXXXXX";

static int
set1(struct store *st, const char *k, json_t *v)
{
	struct store_err	 e;
	json_t			*o = json_object();
	int			 rc;

	json_object_set_new(o, k, v);
	rc = store_settings_set(st, o, &e);
	json_decref(o);
	return rc;
}

static void
settings(void)
{
	struct store		*st;
	struct store_err	 e;
	struct rg_config	*c;
	json_t			*o;
	char			 err[256];

	CHECK(mkdtemp(dir) != NULL);
	CHECK((st = store_open(dir, err, sizeof(err))) != NULL);
	if (st == NULL)
		return;
	/* defaults: everything off */
	CHECK((o = store_settings_get(st, &e)) != NULL);
	CHECK(json_is_false(json_object_get(o, "forwarding")));
	CHECK_STR(json_string_value(json_object_get(o, "masquerade")), "off");
	CHECK_STR(json_string_value(json_object_get(o, "proxy_arp")), "off");
	json_decref(o);
	CHECK((c = store_config_load(st, err, sizeof(err))) != NULL);
	if (c) {
		CHECK(!c->settings.forwarding);
		CHECK_STR(c->settings.masquerade, "off");
		CHECK_STR(c->settings.proxy_arp, "off");
		rg_config_unref(c);
	}
	/* names that would need quoting in nft are refused */
	CHECK(set1(st, "masquerade", json_string("eth0\"; flush")) < 0);
	CHECK(set1(st, "masquerade", json_string("a b")) < 0);
	CHECK(set1(st, "masquerade", json_string("0123456789abcdef")) < 0);
	CHECK(set1(st, "masquerade", json_string("")) < 0);
	CHECK(set1(st, "proxy_arp", json_string("auto")) < 0);
	CHECK(set1(st, "forwarding", json_string("maybe")) < 0);
	CHECK(set1(st, "masquerade", json_string("auto")) == 0);
	CHECK(set1(st, "proxy_arp", json_string("lan0.100")) == 0);
	CHECK(set1(st, "forwarding", json_string("true")) == 0);
	CHECK((o = store_settings_get(st, &e)) != NULL);
	CHECK(json_is_true(json_object_get(o, "forwarding")));
	json_decref(o);
	CHECK((c = store_config_load(st, err, sizeof(err))) != NULL);
	if (c) {
		CHECK(c->settings.forwarding);
		CHECK_STR(c->settings.masquerade, "auto");
		CHECK_STR(c->settings.proxy_arp, "lan0.100");
		rg_config_unref(c);
	}
	store_close(st);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	CHECK(system(err) == 0);
}

static void
ifnames(void)
{
	CHECK(dp_fwd_ifname_ok("eth0"));
	CHECK(dp_fwd_ifname_ok("br-lan.10_x"));
	CHECK(!dp_fwd_ifname_ok(""));
	CHECK(!dp_fwd_ifname_ok(NULL));
	CHECK(!dp_fwd_ifname_ok(".."));
	CHECK(!dp_fwd_ifname_ok("a\"b"));
	CHECK(!dp_fwd_ifname_ok("0123456789abcdef"));	/* 16 > IFNAMSIZ-1 */
}

static void
nft_script(void)
{
	struct rg_prefix	 p[3];
	char			 buf[1024];
	int			 n;

	memset(p, 0, sizeof(p));
	p[0].af = AF_INET;
	inet_pton(AF_INET, "198.18.0.1", p[0].addr);
	p[0].plen = 32;
	p[1].af = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:f::1", p[1].addr);
	p[1].plen = 128;
	p[2].af = AF_INET;
	inet_pton(AF_INET, "198.18.1.0", p[2].addr);
	p[2].plen = 24;
	n = dp_fwd_nft_script(buf, sizeof(buf), "wan0", p, 3);
	CHECK(n > 0);
	CHECK_EQ((size_t)n, strlen(buf));
	CHECK(strstr(buf, "table inet roadgate\ndelete table inet roadgate\n")
	    == buf);
	CHECK(strstr(buf, "elements = { 198.18.0.1/32, 198.18.1.0/24 }")
	    != NULL);
	CHECK(strstr(buf, "elements = { 2001:db8:f::1/128 }") != NULL);
	CHECK(strstr(buf, "oifname \"wan0\" ip saddr @pool4 masquerade")
	    != NULL);
	CHECK(strstr(buf, "oifname \"wan0\" ip6 saddr @pool6 masquerade")
	    != NULL);
	/* no elements: valid empty sets */
	n = dp_fwd_nft_script(buf, sizeof(buf), "wan0", p, 0);
	CHECK(n > 0 && strstr(buf, "elements") == NULL);
	/* refuses a name it would have to quote, and a short buffer */
	CHECK(dp_fwd_nft_script(buf, sizeof(buf), "a\"b", p, 3) == -1);
	CHECK(dp_fwd_nft_script(buf, 100, "wan0", p, 3) == -1);
}

RG_TEST_MAIN("dp_fwd", T(settings), T(ifnames), T(nft_script))
