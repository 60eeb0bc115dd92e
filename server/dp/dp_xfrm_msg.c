/*
 * dp_xfrm_msg.c: the XFRM backend's netlink objects (libnl-xfrm-3), built
 * from a dp_sa: the ESP state (SPI, outer addresses, mode, AEAD or
 * cipher + HMAC keys by the kernel's algorithm names, UDP encapsulation
 * RFC 3948, replay window and ESN RFC 4304, soft and hard lifetimes RFC
 * 4301 4.4.2.1) and one policy for a (source, destination) selector pair
 * with its template (outer addresses, reqid; priority by prefix length,
 * more specific first).  dp_xfrm.c sends them; test_dp_xfrm parses them
 * back with libnl.
 */
#include <arpa/inet.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include "dp_xfrm.h"

#define DPX_PRIO_BASE		2000

struct dpx_alg {
	enum dp_encr	 encr;
	const char	*name;
	bool		 aead;
};

static const struct dpx_alg dpx_encrs[] = {
	{ DP_ENCR_AES_GCM_16, "rfc4106(gcm(aes))", true },
	{ DP_ENCR_CHACHA20_POLY1305, "rfc7539esp(chacha20,poly1305)", true },
	{ DP_ENCR_AES_CBC, "cbc(aes)", false },
	{ DP_ENCR_3DES, "cbc(des3_ede)", false },
	{ DP_ENCR_NULL, "ecb(cipher_null)", false },
};

static const struct {
	enum dp_integ	 integ;
	const char	*name;
	unsigned	 trunc_bits;
} dpx_integs[] = {
	{ DP_INTEG_HMAC_SHA1_96, "hmac(sha1)", 96 },
	{ DP_INTEG_HMAC_SHA2_256_128, "hmac(sha256)", 128 },
	{ DP_INTEG_HMAC_SHA2_384_192, "hmac(sha384)", 192 },
	{ DP_INTEG_HMAC_SHA2_512_256, "hmac(sha512)", 256 },
};

struct nl_addr *
dp_xfrm_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return nl_addr_build(AF_INET,
		    &((const struct sockaddr_in *)ss)->sin_addr, 4);
	if (ss->ss_family == AF_INET6)
		return nl_addr_build(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	return NULL;
}

static uint16_t
dpx_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* The prefix covering a TS address range (exact when it is a prefix). */
static struct nl_addr *
dpx_ts_prefix(const struct dp_ts *t)
{
	size_t		 alen = t->af == AF_INET ? 4 : 16, i;
	unsigned	 plen = 0;
	uint8_t		 x;
	struct nl_addr	*a;

	for (i = 0; i < alen; i++) {
		x = t->addr_lo[i] ^ t->addr_hi[i];
		if (x == 0) {
			plen += 8;
			continue;
		}
		while (!(x & 0x80)) {
			plen++;
			x <<= 1;
		}
		break;
	}
	if ((a = nl_addr_build(t->af, t->addr_lo, alen)) != NULL)
		nl_addr_set_prefixlen(a, plen);
	return a;
}

static struct xfrmnl_sel *
dpx_sel(const struct dp_ts *src, const struct dp_ts *dst)
{
	struct xfrmnl_sel	*sel;
	struct nl_addr		*s, *d;

	if ((sel = xfrmnl_sel_alloc()) == NULL)
		return NULL;
	s = dpx_ts_prefix(src);
	d = dpx_ts_prefix(dst);
	if (s == NULL || d == NULL) {
		nl_addr_put(s);
		nl_addr_put(d);
		xfrmnl_sel_put(sel);
		return NULL;
	}
	xfrmnl_sel_set_family(sel, (unsigned)src->af);
	xfrmnl_sel_set_saddr(sel, s);
	xfrmnl_sel_set_daddr(sel, d);
	xfrmnl_sel_set_prefixlen_s(sel, nl_addr_get_prefixlen(s));
	xfrmnl_sel_set_prefixlen_d(sel, nl_addr_get_prefixlen(d));
	nl_addr_put(s);
	nl_addr_put(d);
	xfrmnl_sel_set_proto(sel, src->proto ? src->proto : dst->proto);
	/* a single port is selected exactly; a range becomes "any" */
	if (src->proto && src->port_lo == src->port_hi) {
		xfrmnl_sel_set_sport(sel, src->port_lo);
		xfrmnl_sel_set_sportmask(sel, 0xffff);
	}
	if (dst->proto && dst->port_lo == dst->port_hi) {
		xfrmnl_sel_set_dport(sel, dst->port_lo);
		xfrmnl_sel_set_dportmask(sel, 0xffff);
	}
	return sel;
}

struct xfrmnl_sa *
dp_xfrm_sa_build(const struct dp_sa *d)
{
	struct xfrmnl_sa	*sa = NULL;
	struct xfrmnl_ltime_cfg	*lt = NULL;
	struct xfrmnl_sel	*sel = NULL;
	struct nl_addr		*src = NULL, *dst = NULL, *oa = NULL;
	const struct dpx_alg	*alg = NULL;
	uint8_t			 zero[16] = { 0 };
	size_t			 i;
	unsigned		 trunc = 0, flags = 0;
	const char		*iname = NULL;

	for (i = 0; i < sizeof(dpx_encrs) / sizeof(dpx_encrs[0]); i++)
		if (dpx_encrs[i].encr == d->encr)
			alg = &dpx_encrs[i];
	for (i = 0; i < sizeof(dpx_integs) / sizeof(dpx_integs[0]); i++)
		if (dpx_integs[i].integ == d->integ) {
			iname = dpx_integs[i].name;
			trunc = dpx_integs[i].trunc_bits;
		}
	if (alg == NULL || (!alg->aead && iname == NULL) ||
	    (alg->aead && d->integ != DP_INTEG_NONE))
		return NULL;
	if ((sa = xfrmnl_sa_alloc()) == NULL)
		return NULL;
	/* inbound: peer -> us; outbound: us -> peer */
	src = dp_xfrm_addr(d->inbound ? &d->peer : &d->local);
	dst = dp_xfrm_addr(d->inbound ? &d->local : &d->peer);
	if (src == NULL || dst == NULL)
		goto fail;
	xfrmnl_sa_set_saddr(sa, src);
	xfrmnl_sa_set_daddr(sa, dst);
	xfrmnl_sa_set_family(sa, d->peer.ss_family);
	xfrmnl_sa_set_proto(sa, IPPROTO_ESP);
	xfrmnl_sa_set_spi(sa, d->spi);	/* host order: libnl swaps */
	xfrmnl_sa_set_reqid(sa, d->reqid);
	xfrmnl_sa_set_mode(sa, d->mode == DP_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
	    XFRM_MODE_TRANSPORT);
	if (alg->aead) {
		if (xfrmnl_sa_set_aead_params(sa, alg->name,
		    (unsigned)d->encr_key_len * 8, 128,
		    (const char *)d->encr_key) < 0)
			goto fail;
	} else {
		if (xfrmnl_sa_set_crypto_params(sa, alg->name,
		    (unsigned)d->encr_key_len * 8,
		    (const char *)d->encr_key) < 0 ||
		    xfrmnl_sa_set_auth_params(sa, iname,
		    (unsigned)d->integ_key_len * 8, trunc,
		    (const char *)d->integ_key) < 0)
			goto fail;
	}
	/* replay: ESN or windows over 32 need the ESN replay state */
	if (d->inbound || d->esn) {
		static unsigned	 bmp[8192 / 32];	/* zeros */
		uint32_t	 win = d->replay_window ? d->replay_window :
				    1024;

		if (win > 8192)
			win = 8192;
		if (d->esn || win > 32) {
			if (d->esn)
				flags |= XFRM_STATE_ESN;
			xfrmnl_sa_set_replay_state_esn(sa, 0, 0, 0, 0, win,
			    (win + 31) / 32, bmp);
		} else
			xfrmnl_sa_set_replay_window(sa, win);
	}
	if (d->encap) {
		oa = nl_addr_build(d->peer.ss_family, zero,
		    d->peer.ss_family == AF_INET ? 4 : 16);
		if (oa == NULL)
			goto fail;
		xfrmnl_sa_set_encap_tmpl(sa, UDP_ENCAP_ESPINUDP,
		    d->inbound ? dpx_port(&d->peer) : dpx_port(&d->local),
		    d->inbound ? dpx_port(&d->local) : dpx_port(&d->peer), oa);
	}
	if ((lt = xfrmnl_ltime_cfg_alloc()) == NULL)
		goto fail;
	xfrmnl_ltime_cfg_set_soft_bytelimit(lt, d->soft_bytes ?
	    d->soft_bytes : XFRM_INF);
	xfrmnl_ltime_cfg_set_hard_bytelimit(lt, d->hard_bytes ?
	    d->hard_bytes : XFRM_INF);
	xfrmnl_ltime_cfg_set_soft_packetlimit(lt, XFRM_INF);
	xfrmnl_ltime_cfg_set_hard_packetlimit(lt, XFRM_INF);
	xfrmnl_ltime_cfg_set_soft_addexpires(lt, d->soft_time_s);
	xfrmnl_ltime_cfg_set_hard_addexpires(lt, d->hard_time_s);
	xfrmnl_ltime_cfg_set_soft_useexpires(lt, 0);
	xfrmnl_ltime_cfg_set_hard_useexpires(lt, 0);
	xfrmnl_sa_set_lifetime_cfg(sa, lt);
	/* transport mode: the selector is the one TS pair; tunnel: any */
	if (d->mode == DP_MODE_TRANSPORT && d->nts_local && d->nts_remote)
		sel = d->inbound ? dpx_sel(&d->ts_remote[0], &d->ts_local[0]) :
		    dpx_sel(&d->ts_local[0], &d->ts_remote[0]);
	else {
		struct dp_ts	 any = { .af = d->peer.ss_family };

		memset(any.addr_hi, 0xff, sizeof(any.addr_hi));
		sel = dpx_sel(&any, &any);
	}
	if (sel == NULL)
		goto fail;
	xfrmnl_sa_set_sel(sa, sel);
	xfrmnl_sa_set_flags(sa, flags);
	xfrmnl_sel_put(sel);
	xfrmnl_ltime_cfg_put(lt);
	nl_addr_put(oa);
	nl_addr_put(src);
	nl_addr_put(dst);
	return sa;
fail:
	if (lt)
		xfrmnl_ltime_cfg_put(lt);
	nl_addr_put(oa);
	nl_addr_put(src);
	nl_addr_put(dst);
	xfrmnl_sa_put(sa);
	return NULL;
}

struct xfrmnl_sp *
dp_xfrm_sp_build(const struct dp_sa *d, int dir, const struct dp_ts *src,
    const struct dp_ts *dst)
{
	struct xfrmnl_sp	*sp;
	struct xfrmnl_sel	*sel;
	struct xfrmnl_user_tmpl	*t;
	struct nl_addr		*ts, *td;
	const struct sockaddr_storage *os, *od;
	unsigned		 prio;

	if (src->af != dst->af || (sp = xfrmnl_sp_alloc()) == NULL)
		return NULL;
	if ((sel = dpx_sel(src, dst)) == NULL) {
		xfrmnl_sp_put(sp);
		return NULL;
	}
	/* longer prefixes first (lower value wins) */
	prio = DPX_PRIO_BASE - xfrmnl_sel_get_prefixlen_s(sel) -
	    xfrmnl_sel_get_prefixlen_d(sel) - (src->proto ? 1 : 0);
	xfrmnl_sp_set_sel(sp, sel);
	xfrmnl_sel_put(sel);
	xfrmnl_sp_set_dir(sp, (unsigned)dir);
	xfrmnl_sp_set_action(sp, XFRM_POLICY_ALLOW);
	xfrmnl_sp_set_priority(sp, prio);
	xfrmnl_sp_set_share(sp, XFRM_SHARE_ANY);
	if ((t = xfrmnl_user_tmpl_alloc()) == NULL) {
		xfrmnl_sp_put(sp);
		return NULL;
	}
	os = dir == XFRM_POLICY_OUT ? &d->local : &d->peer;
	od = dir == XFRM_POLICY_OUT ? &d->peer : &d->local;
	ts = dp_xfrm_addr(os);
	td = dp_xfrm_addr(od);
	if (d->mode == DP_MODE_TUNNEL && ts && td) {
		xfrmnl_user_tmpl_set_saddr(t, ts);
		xfrmnl_user_tmpl_set_daddr(t, td);
	} else if (td) {	/* transport: addresses come from the packet */
		struct nl_addr	*z = nl_addr_build(od->ss_family,
		    (uint8_t[16]){ 0 }, od->ss_family == AF_INET ? 4 : 16);

		if (z) {
			xfrmnl_user_tmpl_set_daddr(t, z);
			xfrmnl_user_tmpl_set_saddr(t, z);
			nl_addr_put(z);
		}
	}
	nl_addr_put(ts);
	nl_addr_put(td);
	xfrmnl_user_tmpl_set_family(t, d->peer.ss_family);
	xfrmnl_user_tmpl_set_proto(t, IPPROTO_ESP);
	xfrmnl_user_tmpl_set_reqid(t, d->reqid);
	xfrmnl_user_tmpl_set_mode(t, d->mode == DP_MODE_TUNNEL ?
	    XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT);
	xfrmnl_user_tmpl_set_share(t, XFRM_SHARE_ANY);
	xfrmnl_user_tmpl_set_aalgos(t, ~0u);
	xfrmnl_user_tmpl_set_ealgos(t, ~0u);
	xfrmnl_user_tmpl_set_calgos(t, ~0u);
	xfrmnl_sp_add_usertemplate(sp, t);
	return sp;
}
