/*
 * ike_ts.c: traffic-selector policy shared by IKEv1 and IKEv2 (see
 * ike_ts.h): ranges from prefixes, intersection, what a client's policy
 * allows, narrowing (RFC 7296 2.9) and the L2TP/IPsec transport
 * selectors (UDP/1701).
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ike_ts.h"

static size_t
alen(const struct ike_ts *t)
{
	return t->af == AF_INET6 ? 16 : 4;
}

void
ike_ts_from_prefix(const struct rg_prefix *p, struct ike_ts *t)
{
	size_t	 n = p->af == AF_INET6 ? 16 : 4;

	memset(t, 0, sizeof(*t));
	t->af = p->af == AF_INET6 ? AF_INET6 : AF_INET;
	t->port_hi = 0xffff;
	for (size_t i = 0; i < n; i++) {
		int	 bits = (int)p->plen - (int)(8 * i);
		uint8_t	 mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - bits));

		t->lo[i] = p->addr[i] & mask;
		t->hi[i] = (uint8_t)(p->addr[i] | (uint8_t)~mask);
	}
}

bool
ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
    struct ike_ts *out)
{
	size_t	 n = alen(a);

	if (a->af != b->af)
		return false;
	if (a->proto != 0 && b->proto != 0 && a->proto != b->proto)
		return false;
	*out = *a;
	out->proto = a->proto ? a->proto : b->proto;
	out->port_lo = a->port_lo > b->port_lo ? a->port_lo : b->port_lo;
	out->port_hi = a->port_hi < b->port_hi ? a->port_hi : b->port_hi;
	if (out->port_lo > out->port_hi)
		return false;
	memcpy(out->lo, memcmp(a->lo, b->lo, n) > 0 ? a->lo : b->lo, n);
	memcpy(out->hi, memcmp(a->hi, b->hi, n) < 0 ? a->hi : b->hi, n);
	return memcmp(out->lo, out->hi, n) <= 0;
}

static void
add(struct ike_ts_set *s, const struct rg_prefix *p)
{
	if (s->n < IKE_MAX_TS)
		ike_ts_from_prefix(p, &s->ts[s->n++]);
}

/* p lies wholly inside one of the policy's networks (or there are none). */
static bool
prefix_in(const struct rg_prefix *p, const struct rg_policy *pol)
{
	struct ike_ts	 a, b, x;

	if (pol == NULL || pol->nnetworks == 0)
		return true;
	ike_ts_from_prefix(p, &a);
	for (size_t i = 0; i < pol->nnetworks; i++) {
		ike_ts_from_prefix(&pol->networks[i], &b);
		if (ike_ts_intersect(&a, &b, &x) &&
		    memcmp(x.lo, a.lo, alen(&a)) == 0 &&
		    memcmp(x.hi, a.hi, alen(&a)) == 0)
			return true;
	}
	return false;
}

/* The address of s as a host prefix. */
static void
host_prefix(const struct sockaddr_storage *s, struct rg_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (s->ss_family == AF_INET6) {
		p->af = AF_INET6;
		memcpy(p->addr, &((const struct sockaddr_in6 *)s)->sin6_addr,
		    16);
		p->plen = 128;
	} else {
		p->af = AF_INET;
		memcpy(p->addr, &((const struct sockaddr_in *)s)->sin_addr, 4);
		p->plen = 32;
	}
}

void
ike_ts_allowed(const struct rg_config *cfg, const char *user,
    const struct rg_addr *vip, const struct rg_addr *vip6,
    const struct sockaddr_storage *peer, struct ike_ts_set *client,
    struct ike_ts_set *ours)
{
	const struct rg_profile	*prof = rg_config_user_profile(cfg, user);
	const struct rg_policy	*pol = rg_config_user_policy(cfg, user);
	struct rg_prefix	 p;

	memset(client, 0, sizeof(*client));
	memset(ours, 0, sizeof(*ours));
	/* The client's side: its virtual IPs, else its outer address. */
	if (vip->af == AF_INET || vip6->af == AF_INET6) {
		if (vip->af == AF_INET) {
			memset(&p, 0, sizeof(p));
			p.af = AF_INET;
			memcpy(p.addr, vip->addr, 4);
			p.plen = 32;
			add(client, &p);
		}
		if (vip6->af == AF_INET6) {
			memset(&p, 0, sizeof(p));
			p.af = AF_INET6;
			memcpy(p.addr, vip6->addr, 16);
			p.plen = 128;
			add(client, &p);
		}
	} else {
		host_prefix(peer, &p);
		add(client, &p);
	}
	/* Ours: split networks within the policy, else the policy. */
	if (prof != NULL && prof->nsplit > 0) {
		for (size_t i = 0; i < prof->nsplit; i++)
			if (prefix_in(&prof->split[i], pol))
				add(ours, &prof->split[i]);
	} else if (pol != NULL && pol->nnetworks > 0) {
		for (size_t i = 0; i < pol->nnetworks; i++)
			add(ours, &pol->networks[i]);
	} else {
		memset(&p, 0, sizeof(p));
		p.af = AF_INET;
		add(ours, &p);
		p.af = AF_INET6;
		add(ours, &p);
	}
}

void
ike_ts_narrow(const struct ike_ts_set *asked, const struct ike_ts_set *allowed,
    struct ike_ts_set *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < asked->n; i++)
		for (size_t j = 0; j < allowed->n && out->n < IKE_MAX_TS; j++)
			if (ike_ts_intersect(&asked->ts[i], &allowed->ts[j],
			    &out->ts[out->n]))
				out->n++;
}

void
ike_ts_l2tp(const struct sockaddr_storage *s, struct ike_ts *t)
{
	struct rg_prefix p;

	host_prefix(s, &p);
	ike_ts_from_prefix(&p, t);
	t->proto = IPPROTO_UDP;
	t->port_lo = t->port_hi = 1701;
}

bool
ike_ts_l2tp_pick(const struct ike_ts_set *asked, const struct ike_ts *want,
    struct ike_ts_set *out)
{
	for (size_t i = 0; i < asked->n; i++) {
		const struct ike_ts *a = &asked->ts[i];

		if (a->af == want->af && (a->proto == 0 ||
		    a->proto == IPPROTO_UDP) && a->port_lo <= 1701 &&
		    a->port_hi >= 1701) {
			out->ts[0] = *want;
			out->n = 1;
			return true;
		}
	}
	return false;
}

void
ike_ts_str(const struct ike_ts_set *s, char *out, size_t len)
{
	size_t	 off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->n && off < len; i++) {
		const struct ike_ts *t = &s->ts[i];
		char	 lo[64], hi[64];
		int	 n;

		inet_ntop(t->af, t->lo, lo, sizeof(lo));
		inet_ntop(t->af, t->hi, hi, sizeof(hi));
		n = snprintf(out + off, len - off, "%s%s-%s", i ? ", " : "",
		    lo, hi);
		if (n > 0)
			off += (size_t)n;
		if (t->proto != 0 && off < len) {
			n = snprintf(out + off, len - off, "[%u/%u-%u]",
			    t->proto, t->port_lo, t->port_hi);
			if (n > 0)
				off += (size_t)n;
		}
	}
}
