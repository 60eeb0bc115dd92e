/*
 * ikev2_ts.c: traffic selector narrowing (RFC 7296 2.9).  TSi becomes the
 * client's virtual IP (or its outer address); TSr the user's profile split
 * networks within its policy template networks, else the policy networks,
 * else everything, intersected with what the client asked.  Nothing left
 * -> TS_UNACCEPTABLE with a log line of asked vs allowed.
 * L2TP/IPsec transport mode (RFC 7296 1.3.1, 2.23.1): TSi the peer's
 * outer address as seen (NAT'd or not), TSr ours, both UDP/1701.
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ikev2_int.h"

static size_t
alen(const struct ikev2_ts *t)
{
	return t->type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;
}

static void
prefix_range(const struct rg_prefix *p, struct ikev2_ts *t)
{
	size_t	 n = p->af == AF_INET6 ? 16 : 4;

	memset(t, 0, sizeof(*t));
	t->type = p->af == AF_INET6 ? IKEV2_TS_IPV6_ADDR_RANGE :
	    IKEV2_TS_IPV4_ADDR_RANGE;
	t->port_hi = 0xffff;
	for (size_t i = 0; i < n; i++) {
		int	 bits = (int)p->plen - (int)(8 * i);
		uint8_t	 mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - bits));

		t->lo[i] = p->addr[i] & mask;
		t->hi[i] = (uint8_t)(p->addr[i] | (uint8_t)~mask);
	}
}

/* a ∩ b into out; false when empty. */
static bool
intersect(const struct ikev2_ts *a, const struct ikev2_ts *b,
    struct ikev2_ts *out)
{
	size_t	 n = alen(a);

	if (a->type != b->type)
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
add_allowed(struct ikev2_ts_pl *al, const struct rg_prefix *p)
{
	if (al->nts < IKEV2_MAX_TS)
		prefix_range(p, &al->ts[al->nts++]);
}

static bool
prefix_in(const struct rg_prefix *p, const struct rg_policy *pol)
{
	struct ikev2_ts	 a, b, x;

	if (pol == NULL || pol->nnetworks == 0)
		return true;
	prefix_range(p, &a);
	for (size_t i = 0; i < pol->nnetworks; i++) {
		prefix_range(&pol->networks[i], &b);
		if (intersect(&a, &b, &x) && memcmp(x.lo, a.lo, alen(&a)) == 0 &&
		    memcmp(x.hi, a.hi, alen(&a)) == 0)
			return true;
	}
	return false;
}

void
ikev2_ts_str(const struct ikev2_ts_pl *tp, char *out, size_t len)
{
	size_t	 off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < tp->nts && off < len; i++) {
		const struct ikev2_ts *t = &tp->ts[i];
		char	 lo[64], hi[64];
		int	 af = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 :
		    AF_INET;
		int	 n;

		inet_ntop(af, t->lo, lo, sizeof(lo));
		inet_ntop(af, t->hi, hi, sizeof(hi));
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

int
ikev2_ts_narrow(struct ikev2_sa *sa, const struct ikev2_ts_pl *tsi,
    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *oi,
    struct ikev2_ts_pl *orr)
{
	const struct rg_profile	*prof = rg_config_user_profile(sa->cfg, sa->user);
	const struct rg_policy	*pol = rg_config_user_policy(sa->cfg, sa->user);
	struct ikev2_ts_pl	 allowed, mine;
	struct rg_prefix	 any4, any6;
	char			 a[512], b[512];

	memset(oi, 0, sizeof(*oi));
	memset(orr, 0, sizeof(*orr));
	memset(&allowed, 0, sizeof(allowed));
	memset(&mine, 0, sizeof(mine));

	/* TSi: the virtual IPs, else the client's outer address. */
	if (sa->vip.af == AF_INET || sa->vip6.af == AF_INET6) {
		struct rg_prefix p;

		if (sa->vip.af == AF_INET) {
			memset(&p, 0, sizeof(p));
			p.af = AF_INET;
			memcpy(p.addr, sa->vip.addr, 4);
			p.plen = 32;
			add_allowed(&mine, &p);
		}
		if (sa->vip6.af == AF_INET6) {
			memset(&p, 0, sizeof(p));
			p.af = AF_INET6;
			memcpy(p.addr, sa->vip6.addr, 16);
			p.plen = 128;
			add_allowed(&mine, &p);
		}
	} else {
		struct rg_prefix p;

		memset(&p, 0, sizeof(p));
		if (sa->peer.ss_family == AF_INET6) {
			p.af = AF_INET6;
			memcpy(p.addr, &((struct sockaddr_in6 *)&sa->peer)->
			    sin6_addr, 16);
			p.plen = 128;
		} else {
			p.af = AF_INET;
			memcpy(p.addr, &((struct sockaddr_in *)&sa->peer)->
			    sin_addr, 4);
			p.plen = 32;
		}
		add_allowed(&mine, &p);
	}
	for (size_t i = 0; i < tsi->nts; i++)
		for (size_t j = 0; j < mine.nts && oi->nts < IKEV2_MAX_TS; j++)
			if (intersect(&tsi->ts[i], &mine.ts[j],
			    &oi->ts[oi->nts]))
				oi->nts++;

	/* TSr: split networks within the policy, else the policy. */
	if (prof != NULL && prof->nsplit > 0) {
		for (size_t i = 0; i < prof->nsplit; i++)
			if (prefix_in(&prof->split[i], pol))
				add_allowed(&allowed, &prof->split[i]);
	} else if (pol != NULL && pol->nnetworks > 0) {
		for (size_t i = 0; i < pol->nnetworks; i++)
			add_allowed(&allowed, &pol->networks[i]);
	} else {
		memset(&any4, 0, sizeof(any4));
		any4.af = AF_INET;
		memset(&any6, 0, sizeof(any6));
		any6.af = AF_INET6;
		add_allowed(&allowed, &any4);
		add_allowed(&allowed, &any6);
	}
	for (size_t i = 0; i < tsr->nts; i++)
		for (size_t j = 0; j < allowed.nts && orr->nts < IKEV2_MAX_TS;
		    j++)
			if (intersect(&tsr->ts[i], &allowed.ts[j],
			    &orr->ts[orr->nts]))
				orr->nts++;
	if (oi->nts > 0 && orr->nts > 0)
		return 0;
	sa->eng->ctr.ts_unacceptable++;
	if (oi->nts == 0) {
		ikev2_ts_str(tsi, a, sizeof(a));
		ikev2_ts_str(&mine, b, sizeof(b));
		ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s': TSi asked %s, "
		    "allowed %s", sa->user, a, b);
	} else {
		ikev2_ts_str(tsr, a, sizeof(a));
		ikev2_ts_str(&allowed, b, sizeof(b));
		ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s': TSr asked %s, "
		    "allowed %s", sa->user, a, b);
	}
	return -1;
}

/* The outer address of s as a single-address selector, UDP/1701. */
static void
l2tp_ts(const struct sockaddr_storage *s, struct ikev2_ts *t)
{
	struct rg_prefix p;

	memset(&p, 0, sizeof(p));
	if (s->ss_family == AF_INET6) {
		p.af = AF_INET6;
		memcpy(p.addr, &((const struct sockaddr_in6 *)s)->sin6_addr, 16);
		p.plen = 128;
	} else {
		p.af = AF_INET;
		memcpy(p.addr, &((const struct sockaddr_in *)s)->sin_addr, 4);
		p.plen = 32;
	}
	prefix_range(&p, t);
	t->proto = IPPROTO_UDP;
	t->port_lo = t->port_hi = 1701;
}

/* Port-strict: a requested selector qualifies when its protocol is UDP
 * (or any) and its port range holds 1701; its address is replaced by
 * the actual outer one (the client's may be its private address). */
static size_t
l2tp_pick(const struct ikev2_ts_pl *asked, const struct ikev2_ts *want,
    struct ikev2_ts_pl *out)
{
	for (size_t i = 0; i < asked->nts; i++) {
		const struct ikev2_ts *a = &asked->ts[i];

		if (a->type == want->type && (a->proto == 0 ||
		    a->proto == IPPROTO_UDP) && a->port_lo <= 1701 &&
		    a->port_hi >= 1701) {
			out->ts[0] = *want;
			out->nts = 1;
			return 1;
		}
	}
	return 0;
}

int
ikev2_ts_narrow_l2tp(struct ikev2_sa *sa, const struct ikev2_ts_pl *tsi,
    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *oi,
    struct ikev2_ts_pl *orr)
{
	struct ikev2_ts_pl	 mine, ours;
	char			 a[512], b[512];

	memset(oi, 0, sizeof(*oi));
	memset(orr, 0, sizeof(*orr));
	memset(&mine, 0, sizeof(mine));
	memset(&ours, 0, sizeof(ours));
	l2tp_ts(&sa->peer, &mine.ts[0]);
	mine.nts = 1;
	l2tp_ts(&sa->local, &ours.ts[0]);
	ours.nts = 1;
	if (l2tp_pick(tsi, &mine.ts[0], oi) && l2tp_pick(tsr, &ours.ts[0], orr))
		return 0;
	sa->eng->ctr.ts_unacceptable++;
	ikev2_ts_str(oi->nts == 0 ? tsi : tsr, a, sizeof(a));
	ikev2_ts_str(oi->nts == 0 ? &mine : &ours, b, sizeof(b));
	ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s' (L2TP transport): %s "
	    "asked %s, allowed %s", sa->user, oi->nts == 0 ? "TSi" : "TSr", a,
	    b);
	return -1;
}
