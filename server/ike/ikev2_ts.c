/*
 * ikev2_ts.c: traffic selector narrowing (RFC 7296 2.9) on the shared
 * policy (ike_ts.c): TSi becomes the client's virtual IP (or its outer
 * address); TSr the user's profile split networks within its policy
 * template networks, else the policy networks, else everything,
 * intersected with what the client asked.  Nothing left ->
 * TS_UNACCEPTABLE with a log line of asked vs allowed.
 * L2TP/IPsec transport mode (RFC 7296 1.3.1, 2.23.1): TSi the peer's
 * outer address as seen (NAT'd or not), TSr ours, both UDP/1701.
 * This file converts TS payloads (RFC 7296 3.13.1) to and from the
 * shared selectors.
 */
#include <string.h>

#include <netinet/in.h>

#include "ike_ts.h"
#include "ikev2_int.h"

static void
from_pl(const struct ikev2_ts_pl *tp, struct ike_ts_set *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < tp->nts && i < IKE_MAX_TS; i++) {
		const struct ikev2_ts *t = &tp->ts[i];
		struct ike_ts	*o = &s->ts[s->n++];

		o->af = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 :
		    AF_INET;
		o->proto = t->proto;
		o->port_lo = t->port_lo;
		o->port_hi = t->port_hi;
		memcpy(o->lo, t->lo, 16);
		memcpy(o->hi, t->hi, 16);
	}
}

static void
to_pl(const struct ike_ts_set *s, struct ikev2_ts_pl *tp)
{
	memset(tp, 0, sizeof(*tp));
	for (size_t i = 0; i < s->n && i < IKEV2_MAX_TS; i++) {
		const struct ike_ts *t = &s->ts[i];
		struct ikev2_ts	*o = &tp->ts[tp->nts++];

		o->type = t->af == AF_INET6 ? IKEV2_TS_IPV6_ADDR_RANGE :
		    IKEV2_TS_IPV4_ADDR_RANGE;
		o->proto = t->proto;
		o->port_lo = t->port_lo;
		o->port_hi = t->port_hi;
		memcpy(o->lo, t->lo, 16);
		memcpy(o->hi, t->hi, 16);
	}
}

void
ikev2_ts_str(const struct ikev2_ts_pl *tp, char *out, size_t len)
{
	struct ike_ts_set s;

	from_pl(tp, &s);
	ike_ts_str(&s, out, len);
}

int
ikev2_ts_narrow(struct ikev2_sa *sa, const struct ikev2_ts_pl *tsi,
    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *oi,
    struct ikev2_ts_pl *orr)
{
	struct ike_ts_set	 mine, allowed, asked, got_i, got_r;
	char			 a[512], b[512];

	ike_ts_allowed(sa->cfg, sa->user, &sa->vip, &sa->vip6, &sa->peer,
	    &mine, &allowed);
	from_pl(tsi, &asked);
	ike_ts_narrow(&asked, &mine, &got_i);
	from_pl(tsr, &asked);
	ike_ts_narrow(&asked, &allowed, &got_r);
	to_pl(&got_i, oi);
	to_pl(&got_r, orr);
	if (oi->nts > 0 && orr->nts > 0)
		return 0;
	sa->eng->ctr.ts_unacceptable++;
	if (oi->nts == 0) {
		ikev2_ts_str(tsi, a, sizeof(a));
		ike_ts_str(&mine, b, sizeof(b));
		ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s': TSi asked %s, "
		    "allowed %s", sa->user, a, b);
	} else {
		ikev2_ts_str(tsr, a, sizeof(a));
		ike_ts_str(&allowed, b, sizeof(b));
		ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s': TSr asked %s, "
		    "allowed %s", sa->user, a, b);
	}
	return -1;
}

int
ikev2_ts_narrow_l2tp(struct ikev2_sa *sa, const struct ikev2_ts_pl *tsi,
    const struct ikev2_ts_pl *tsr, struct ikev2_ts_pl *oi,
    struct ikev2_ts_pl *orr)
{
	struct ike_ts_set	 mine, ours, asked_i, asked_r, got_i, got_r;
	char			 a[512], b[512];
	bool			 ok;

	memset(&mine, 0, sizeof(mine));
	memset(&ours, 0, sizeof(ours));
	memset(&got_i, 0, sizeof(got_i));
	memset(&got_r, 0, sizeof(got_r));
	ike_ts_l2tp(&sa->peer, &mine.ts[0]);
	mine.n = 1;
	ike_ts_l2tp(&sa->local, &ours.ts[0]);
	ours.n = 1;
	from_pl(tsi, &asked_i);
	from_pl(tsr, &asked_r);
	ok = ike_ts_l2tp_pick(&asked_i, &mine.ts[0], &got_i) &&
	    ike_ts_l2tp_pick(&asked_r, &ours.ts[0], &got_r);
	to_pl(&got_i, oi);
	to_pl(&got_r, orr);
	if (ok)
		return 0;
	sa->eng->ctr.ts_unacceptable++;
	ikev2_ts_str(oi->nts == 0 ? tsi : tsr, a, sizeof(a));
	ike_ts_str(oi->nts == 0 ? &mine : &ours, b, sizeof(b));
	ikev2_log(sa, WARN, "TS_UNACCEPTABLE for '%s' (L2TP transport): %s "
	    "asked %s, allowed %s", sa->user, oi->nts == 0 ? "TSi" : "TSr", a,
	    b);
	return -1;
}
