/*
 * ikev2_cp.c: the configuration payload (RFC 7296 2.19, 3.15; RFC 8598
 * INTERNAL_DNS_DOMAIN): CFG_REQUEST in, CFG_REPLY out with the address
 * the session got (server/sess/ leases and routes it) and the values of
 * the user's access profile.  Only RFC attribute types are sent (Libreswan refuses others).
 */
#include <string.h>

#include "ikev2_int.h"

struct cp_out {
	struct ikev2_cp	*rep;
	uint8_t		*store;
	size_t		 cap, used;
};

static void
add(struct cp_out *o, uint16_t type, const void *data, size_t len)
{
	struct ikev2_cfg_attr_v *a;

	if (o->rep->nattr >= IKEV2_MAX_CFG_ATTR || o->cap - o->used < len)
		return;
	a = &o->rep->attr[o->rep->nattr++];
	a->type = type;
	a->len = len;
	a->data = o->store + o->used;
	if (len)
		memcpy(o->store + o->used, data, len);
	o->used += len;
}

static bool
asked(const struct ikev2_cp *req, uint16_t type)
{
	for (size_t i = 0; i < req->nattr; i++)
		if (req->attr[i].type == type)
			return true;
	return false;
}

static bool
in_policy(const struct rg_policy *pol, const struct rg_prefix *p)
{
	if (pol == NULL || pol->nnetworks == 0)
		return true;
	for (size_t i = 0; i < pol->nnetworks; i++) {
		const struct rg_prefix *n = &pol->networks[i];
		size_t	 bits = n->plen, full = bits / 8;

		if (n->af != p->af || n->plen > p->plen)
			continue;
		if (memcmp(n->addr, p->addr, full) != 0)
			continue;
		if (bits % 8 != 0 && ((n->addr[full] ^ p->addr[full]) &
		    (0xff << (8 - bits % 8)) & 0xff) != 0)
			continue;
		return true;
	}
	return false;
}

int
ikev2_cp_process(struct ikev2_sa *sa, const struct ikev2_cp *req,
    struct ikev2_cp *rep, uint8_t *store, size_t cap)
{
	const struct rg_profile	*prof = sa->profile[0] != '\0' ?
				    rg_config_profile(sa->cfg, sa->profile) :
				    rg_config_user_profile(sa->cfg, sa->user);
	const struct rg_policy	*pol = rg_config_user_policy(sa->cfg, sa->user);
	struct cp_out		 o = { rep, store, cap, 0 };
	struct rg_addr		 want4, want6, got;
	char			 why[160] = "no session", a[64];
	bool			 v4 = false, v6 = false;

	memset(rep, 0, sizeof(*rep));
	rep->cfg_type = IKEV2_CFG_REPLY;
	memset(&want4, 0, sizeof(want4));
	memset(&want6, 0, sizeof(want6));
	for (size_t i = 0; i < req->nattr; i++) {
		const struct ikev2_cfg_attr_v *at = &req->attr[i];

		if (at->type == IKEV2_CFG_INTERNAL_IP4_ADDRESS) {
			v4 = true;
			if (at->len == 4 && rg_get_u32(at->data) != 0) {
				want4.af = AF_INET;
				memcpy(want4.addr, at->data, 4);
			}
		} else if (at->type == IKEV2_CFG_INTERNAL_IP6_ADDRESS) {
			v6 = true;
		}
	}
	if (v4) {
		if (sa->sess == NULL || sess_lease(sa->sess, AF_INET, &want4,
		    &got, why, sizeof(why)) < 0) {
			ikev2_log(sa, WARN, "no IPv4 address for '%s' "
			    "(profile '%s'): %s", sa->user, sa->profile, why);
			return -1;
		}
		sa->vip = got;
		sa->has_lease = true;
		add(&o, IKEV2_CFG_INTERNAL_IP4_ADDRESS, got.addr, 4);
		if (asked(req, IKEV2_CFG_INTERNAL_IP4_NETMASK)) {
			static const uint8_t m32[4] = { 255, 255, 255, 255 };

			add(&o, IKEV2_CFG_INTERNAL_IP4_NETMASK, m32, 4);
		}
		ikev2_log(sa, INFO, "virtual IP %s for '%s'",
		    rg_addr_str(&got, a, sizeof(a)), sa->user);
	}
	if (v6 && sa->sess != NULL && sess_lease(sa->sess, AF_INET6, &want6,
	    &got, why, sizeof(why)) == 0) {
		uint8_t	 v[17];

		memcpy(v, got.addr, 16);
		v[16] = 128;
		sa->vip6 = got;
		sa->has_lease = true;
		add(&o, IKEV2_CFG_INTERNAL_IP6_ADDRESS, v, 17);
		ikev2_log(sa, INFO, "virtual IPv6 %s for '%s'",
		    rg_addr_str(&got, a, sizeof(a)), sa->user);
	} else if (v6) {
		ikev2_log(sa, INFO, "no IPv6 address for '%s' (profile '%s'): "
		    "%s", sa->user, sa->profile, why);
	}
	/* DNS servers the authentication granted (RADIUS MS-Primary/
	 * Secondary-DNS-Server) come before the profile's. */
	for (size_t i = 0; sa->sess != NULL && i < 2; i++) {
		const struct rg_addr *d = &sess_get_grant(sa->sess)->dns4[i];

		if (d->af == AF_INET)
			add(&o, IKEV2_CFG_INTERNAL_IP4_DNS, d->addr, 4);
	}
	if (prof == NULL)
		return 0;
	for (size_t i = 0; i < prof->ndns; i++) {
		if (prof->dns[i].af == AF_INET)
			add(&o, IKEV2_CFG_INTERNAL_IP4_DNS, prof->dns[i].addr, 4);
		else if (prof->dns[i].af == AF_INET6 &&
		    asked(req, IKEV2_CFG_INTERNAL_IP6_DNS))
			add(&o, IKEV2_CFG_INTERNAL_IP6_DNS, prof->dns[i].addr,
			    16);
	}
	if (asked(req, IKEV2_CFG_INTERNAL_IP4_NBNS))
		for (size_t i = 0; i < prof->nwins; i++)
			if (prof->wins[i].af == AF_INET)
				add(&o, IKEV2_CFG_INTERNAL_IP4_NBNS,
				    prof->wins[i].addr, 4);
	for (size_t i = 0; i < prof->nsplit; i++) {
		const struct rg_prefix *p = &prof->split[i];
		uint8_t	 v[17];

		if (!in_policy(pol, p))
			continue;
		if (p->af == AF_INET) {
			uint32_t m = p->plen ? 0xffffffffu << (32 - p->plen) : 0;

			memcpy(v, p->addr, 4);
			rg_put_u32(v + 4, m);
			add(&o, IKEV2_CFG_INTERNAL_IP4_SUBNET, v, 8);
		} else if (v6) {
			memcpy(v, p->addr, 16);
			v[16] = p->plen;
			add(&o, IKEV2_CFG_INTERNAL_IP6_SUBNET, v, 17);
		}
	}
	if (asked(req, IKEV2_CFG_INTERNAL_DNS_DOMAIN))
		for (size_t i = 0; i < prof->ndomains; i++)
			add(&o, IKEV2_CFG_INTERNAL_DNS_DOMAIN, prof->domains[i],
			    strlen(prof->domains[i]));
	return 0;
}
