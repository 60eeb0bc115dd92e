/*
 * test_ike_ts.c: the traffic-selector policy IKEv1 and IKEv2 share
 * (server/ike/ike_ts.c).  Table-driven narrowing (RFC 7296 2.9: the
 * responder narrows to a subset of what was asked), what a user's profile
 * and policy allow (split networks inside the policy networks, else the
 * policy networks, else everything; the client side is its virtual IP,
 * else its outer address), and L2TP/IPsec transport selectors (UDP/1701,
 * RFC 3193 4).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ike_ts.h"
#include "rg_config.h"
#include "rg_test.h"

/* "lo-hi" or "lo-hi proto lo hi" */
static struct ike_ts
ts(const char *lo, const char *hi, uint8_t proto, uint16_t plo, uint16_t phi)
{
	struct ike_ts	 t;

	memset(&t, 0, sizeof(t));
	t.af = strchr(lo, ':') != NULL ? AF_INET6 : AF_INET;
	inet_pton(t.af, lo, t.lo);
	inet_pton(t.af, hi, t.hi);
	t.proto = proto;
	t.port_lo = plo;
	t.port_hi = phi;
	return t;
}

static const char *
str(const struct ike_ts_set *s)
{
	static char	 buf[512];

	ike_ts_str(s, buf, sizeof(buf));
	return buf;
}

struct ncase {
	const char	*name;
	struct ike_ts	 asked[3];
	size_t		 nasked;
	struct ike_ts	 allowed[3];
	size_t		 nallowed;
	const char	*want;		/* ike_ts_str() of the result */
};

static void
narrowing(void)
{
	const struct ncase c[] = {
	    { "any asked, LAN allowed",
	      { ts("0.0.0.0", "255.255.255.255", 0, 0, 65535) }, 1,
	      { ts("10.1.0.0", "10.1.0.255", 0, 0, 65535) }, 1,
	      "10.1.0.0-10.1.0.255" },
	    { "partial overlap",
	      { ts("10.1.0.128", "10.2.0.0", 0, 0, 65535) }, 1,
	      { ts("10.1.0.0", "10.1.0.255", 0, 0, 65535) }, 1,
	      "10.1.0.128-10.1.0.255" },
	    { "disjoint", { ts("192.168.0.0", "192.168.0.255", 0, 0, 65535) },
	      1, { ts("10.1.0.0", "10.1.0.255", 0, 0, 65535) }, 1, "" },
	    { "families never mix", { ts("::", "ffff:ffff:ffff:ffff:ffff:ffff:"
	      "ffff:ffff", 0, 0, 65535) }, 1,
	      { ts("10.1.0.0", "10.1.0.255", 0, 0, 65535) }, 1, "" },
	    { "protocol and ports narrow",
	      { ts("10.1.0.5", "10.1.0.5", 6, 0, 65535) }, 1,
	      { ts("10.1.0.0", "10.1.0.255", 0, 80, 443) }, 1,
	      "10.1.0.5-10.1.0.5[6/80-443]" },
	    { "protocols differ", { ts("10.1.0.5", "10.1.0.5", 6, 0, 65535) },
	      1, { ts("10.1.0.0", "10.1.0.255", 17, 0, 65535) }, 1, "" },
	    { "each asked with each allowed",
	      { ts("0.0.0.0", "255.255.255.255", 0, 0, 65535),
		ts("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 0,
		65535) }, 2,
	      { ts("10.1.0.0", "10.1.0.255", 0, 0, 65535),
		ts("2001:db8::", "2001:db8::ffff", 0, 0, 65535),
		ts("10.9.0.0", "10.9.0.255", 0, 0, 65535) }, 3,
	      "10.1.0.0-10.1.0.255, 10.9.0.0-10.9.0.255, "
	      "2001:db8::-2001:db8::ffff" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ike_ts_set a, al, out;

		memset(&a, 0, sizeof(a));
		memset(&al, 0, sizeof(al));
		memcpy(a.ts, c[i].asked, sizeof(c[i].asked));
		a.n = c[i].nasked;
		memcpy(al.ts, c[i].allowed, sizeof(c[i].allowed));
		al.n = c[i].nallowed;
		ike_ts_narrow(&a, &al, &out);
		if (strcmp(str(&out), c[i].want) != 0)
			printf("  case \"%s\": got \"%s\"\n", c[i].name,
			    str(&out));
		CHECK_STR(str(&out), c[i].want);
	}
}

static void
prefixes(void)
{
	struct rg_prefix p;
	struct ike_ts_set s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ(rg_prefix_parse("10.1.2.0/23", &p), 0);
	ike_ts_from_prefix(&p, &s.ts[s.n++]);
	CHECK_EQ(rg_prefix_parse("2001:db8::/126", &p), 0);
	ike_ts_from_prefix(&p, &s.ts[s.n++]);
	CHECK_STR(str(&s), "10.1.2.0-10.1.3.255, 2001:db8::-2001:db8::3");
	CHECK_EQ(s.ts[0].port_lo, 0);
	CHECK_EQ(s.ts[0].port_hi, 65535);
	CHECK_EQ(s.ts[0].proto, 0);
}

static struct rg_config *
config(const char *split, const char *networks)
{
	struct rg_config *c = rg_config_new();

	c->settings.default_profile = strdup("default");
	c->profiles = calloc(1, sizeof(*c->profiles));
	c->profiles[0].name = strdup("default");
	c->nprofiles = 1;
	if (split != NULL) {
		c->profiles[0].split = calloc(2, sizeof(struct rg_prefix));
		rg_prefix_parse(split, &c->profiles[0].split[0]);
		rg_prefix_parse("172.16.0.0/12", &c->profiles[0].split[1]);
		c->profiles[0].nsplit = 2;
	}
	if (networks != NULL) {
		c->settings.default_policy = strdup("lan");
		c->policies = calloc(1, sizeof(*c->policies));
		c->policies[0].name = strdup("lan");
		c->policies[0].networks = calloc(1, sizeof(struct rg_prefix));
		rg_prefix_parse(networks, &c->policies[0].networks[0]);
		c->policies[0].nnetworks = 1;
		c->npolicies = 1;
	}
	return c;
}

static void
policy(void)
{
	struct sockaddr_storage	 peer;
	struct sockaddr_in	*pin = (struct sockaddr_in *)&peer;
	struct rg_addr		 vip, vip6, none;
	struct ike_ts_set	 cl, ours;
	struct rg_config	*c;

	memset(&peer, 0, sizeof(peer));
	pin->sin_family = AF_INET;
	inet_pton(AF_INET, "203.0.113.7", &pin->sin_addr);
	memset(&none, 0, sizeof(none));
	CHECK_EQ(rg_addr_parse("10.0.0.9", &vip), 0);
	CHECK_EQ(rg_addr_parse("2001:db8:ff::9", &vip6), 0);

	/* No split, no policy: everything on our side. */
	c = config(NULL, NULL);
	ike_ts_allowed(c, "alice", &vip, &none, &peer, &cl, &ours);
	CHECK_STR(str(&cl), "10.0.0.9-10.0.0.9");
	CHECK_EQ(ours.n, 2);
	CHECK_EQ(ours.ts[0].af, AF_INET);
	CHECK_EQ(ours.ts[1].af, AF_INET6);
	/* No virtual IP: the client's outer address. */
	ike_ts_allowed(c, "alice", &none, &none, &peer, &cl, &ours);
	CHECK_STR(str(&cl), "203.0.113.7-203.0.113.7");
	/* Both virtual IPs. */
	ike_ts_allowed(c, "alice", &vip, &vip6, &peer, &cl, &ours);
	CHECK_STR(str(&cl), "10.0.0.9-10.0.0.9, "
	    "2001:db8:ff::9-2001:db8:ff::9");
	rg_config_unref(c);

	/* The policy's networks. */
	c = config(NULL, "10.1.0.0/16");
	ike_ts_allowed(c, "alice", &vip, &none, &peer, &cl, &ours);
	CHECK_STR(str(&ours), "10.1.0.0-10.1.255.255");
	rg_config_unref(c);

	/* Split networks, only those inside the policy. */
	c = config("10.1.2.0/24", "10.1.0.0/16");
	ike_ts_allowed(c, "alice", &vip, &none, &peer, &cl, &ours);
	CHECK_STR(str(&ours), "10.1.2.0-10.1.2.255");
	rg_config_unref(c);
	/* Split networks with no policy: all of them. */
	c = config("10.1.2.0/24", NULL);
	ike_ts_allowed(c, "alice", &vip, &none, &peer, &cl, &ours);
	CHECK_STR(str(&ours), "10.1.2.0-10.1.2.255, 172.16.0.0-172.31.255.255");
	rg_config_unref(c);
}

static void
l2tp(void)
{
	struct sockaddr_storage	 s;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&s;
	struct ike_ts_set	 asked, out, want;

	memset(&s, 0, sizeof(s));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.4", &sin->sin_addr);
	memset(&want, 0, sizeof(want));
	ike_ts_l2tp(&s, &want.ts[0]);
	want.n = 1;
	CHECK_STR(str(&want), "198.51.100.4-198.51.100.4[17/1701-1701]");
	/* The client asks with its private address, UDP/1701. */
	memset(&asked, 0, sizeof(asked));
	asked.ts[0] = ts("192.168.1.20", "192.168.1.20", 17, 1701, 1701);
	asked.n = 1;
	memset(&out, 0, sizeof(out));
	CHECK(ike_ts_l2tp_pick(&asked, &want.ts[0], &out));
	CHECK_STR(str(&out), "198.51.100.4-198.51.100.4[17/1701-1701]");
	/* Any protocol, any port holds 1701 too. */
	asked.ts[0] = ts("0.0.0.0", "255.255.255.255", 0, 0, 65535);
	CHECK(ike_ts_l2tp_pick(&asked, &want.ts[0], &out));
	/* TCP, a port range without 1701, the other family: no. */
	memset(&out, 0, sizeof(out));
	asked.ts[0] = ts("192.168.1.20", "192.168.1.20", 6, 1701, 1701);
	CHECK(!ike_ts_l2tp_pick(&asked, &want.ts[0], &out));
	asked.ts[0] = ts("192.168.1.20", "192.168.1.20", 17, 1702, 2000);
	CHECK(!ike_ts_l2tp_pick(&asked, &want.ts[0], &out));
	asked.ts[0] = ts("::", "::1", 17, 1701, 1701);
	CHECK(!ike_ts_l2tp_pick(&asked, &want.ts[0], &out));
	CHECK_EQ(out.n, 0);
}

RG_TEST_MAIN("ike_ts", T(narrowing), T(prefixes), T(policy), T(l2tp))
