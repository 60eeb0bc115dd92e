/*
 * dp_xfrm.c: the kernel XFRM data-plane backend (dp_xfrm_ops) through
 * libnl-xfrm-3.
 *
 * dp_sa_add() installs the ESP state (tunnel or transport mode, UDP
 * encapsulation RFC 3948, replay window / ESN RFC 4304, soft and hard byte
 * and time lifetimes RFC 4301 4.4.2.1) and then the SA's policies: for an
 * outbound SA one OUT policy per (local TS, remote TS) pair, for an
 * inbound SA the IN and FWD policies, each with a template naming the
 * outer addresses and reqid.  Expire messages (XFRMNLGRP_EXPIRE) become
 * dp_events.expire; counters are read back from the state; dp_free()
 * removes every state and policy it installed.  The netlink objects are
 * built by dp_xfrm_msg.c; DHCPINFORMs from clients are captured and
 * answered by dp_xfrm_dhcp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include <openssl/crypto.h>

#include "dp_int.h"
#include "dp_xfrm.h"
#include "rg_log.h"
#include "rg_loop.h"


struct dpx_sa {
	uint32_t		 spi, reqid;
	bool			 inbound;
	struct sockaddr_storage	 local, peer;	/* outer */
	struct xfrmnl_sp	*sp[3 * DP_MAX_TS * DP_MAX_TS];	/* owned refs */
	size_t			 nsp;
	struct dp_sa		 cfg;	/* owned copy with keys, for re-adds;
					 * wiped in dpx_forget() */
	TAILQ_ENTRY(dpx_sa)	 entry;
};

struct dp_backend {
	struct rg_loop		*loop;
	struct dp_events	 ev;
	struct nl_sock		*sk;		/* requests; owned */
	struct nl_sock		*evsk;		/* expire events; owned */
	struct rg_io		 ev_io;
	TAILQ_HEAD(, dpx_sa)	 sas;
	int			 dhcp_fd;	/* capture; owned */
	struct rg_io		 dhcp_io;
	int			 raw_fd;	/* answers; owned */
};

static void
dpx_policies_del(struct dp_backend *b, struct dpx_sa *s)
{
	size_t	 i;
	int	 err;

	for (i = 0; i < s->nsp; i++) {
		if ((err = xfrmnl_sp_delete(b->sk, s->sp[i], 0)) < 0)
			rg_debug(ESP, "policy delete (reqid %u): %s", s->reqid,
			    nl_geterror(err));
		xfrmnl_sp_put(s->sp[i]);
	}
	s->nsp = 0;
}

static bool
dpx_ts_eq(const struct dp_ts *a, const struct dp_ts *c)
{
	return a->af == c->af && a->proto == c->proto &&
	    a->port_lo == c->port_lo && a->port_hi == c->port_hi &&
	    memcmp(a->addr_lo, c->addr_lo, sizeof(a->addr_lo)) == 0 &&
	    memcmp(a->addr_hi, c->addr_hi, sizeof(a->addr_hi)) == 0;
}

static bool
dpx_ts_set_eq(const struct dp_ts *a, size_t na, const struct dp_ts *c,
    size_t nc)
{
	size_t	 i;

	if (na != nc)
		return false;
	for (i = 0; i < na; i++)
		if (!dpx_ts_eq(&a[i], &c[i]))
			return false;
	return true;
}

/*
 * A CHILD_SA rekey (RFC 7296 2.8) installs a new SA pair for the same
 * selectors while the old pair still lives.  The kernel holds one policy
 * per (selector, direction), so the new SA's policies replaced the old
 * one's; the old SA must not delete them when it goes.  It forgets its
 * references instead: from now on they are the new SA's.
 */
static void
dpx_policies_disown(struct dp_backend *b, const struct dpx_sa *s)
{
	struct dpx_sa	*o;
	size_t		 i;

	TAILQ_FOREACH(o, &b->sas, entry) {
		if (o == s || o->inbound != s->inbound || o->nsp == 0 ||
		    !dpx_ts_set_eq(o->cfg.ts_local, o->cfg.nts_local,
		    s->cfg.ts_local, s->cfg.nts_local) ||
		    !dpx_ts_set_eq(o->cfg.ts_remote, o->cfg.nts_remote,
		    s->cfg.ts_remote, s->cfg.nts_remote))
			continue;
		rg_debug(ESP, "XFRM SA %08x reqid %u: policies now SA %08x "
		    "reqid %u's", o->spi, o->reqid, s->spi, s->reqid);
		for (i = 0; i < o->nsp; i++)
			xfrmnl_sp_put(o->sp[i]);
		o->nsp = 0;
	}
}

int
dp_xfrm_policies_add(struct dp_backend *b, const struct dp_sa *d,
    struct dpx_sa *s)
{
	static const int in_dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_FWD };
	static const int out_dirs[] = { XFRM_POLICY_OUT };
	const int	*dirs = d->inbound ? in_dirs : out_dirs;
	size_t		 ndirs = d->inbound ? 2 : 1, i, j, k;
	struct xfrmnl_sp *sp;
	int		 err;

	for (i = 0; i < d->nts_local; i++)
	for (j = 0; j < d->nts_remote; j++)
	for (k = 0; k < ndirs; k++) {
		if (d->ts_local[i].af != d->ts_remote[j].af)
			continue;
		sp = d->inbound ? dp_xfrm_sp_build(d, dirs[k],
		    &d->ts_remote[j], &d->ts_local[i]) :
		    dp_xfrm_sp_build(d, dirs[k], &d->ts_local[i],
		    &d->ts_remote[j]);
		if (sp == NULL)
			return -1;
		/* UPDPOLICY, not NEWPOLICY: the kernel ignores
		 * NLM_F_REPLACE on NEWPOLICY and answers EEXIST when a
		 * rekeyed CHILD_SA's policy holds the selector. */
		if ((err = xfrmnl_sp_update(b->sk, sp, NLM_F_CREATE)) < 0) {
			rg_warn(ESP, "policy add (reqid %u dir %d): %s",
			    d->reqid, dirs[k], nl_geterror(err));
			xfrmnl_sp_put(sp);
			return -1;
		}
		if (s->nsp < sizeof(s->sp) / sizeof(s->sp[0]))
			s->sp[s->nsp++] = sp;
		else
			xfrmnl_sp_put(sp);
	}
	dpx_policies_disown(b, s);
	return 0;
}

static struct dpx_sa *
dpx_find(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpx_sa	*s;

	TAILQ_FOREACH(s, &b->sas, entry)
		if (s->spi == spi && s->inbound == inbound)
			return s;
	return NULL;
}

static int
dpx_state_del(struct dp_backend *b, struct dpx_sa *s)
{
	struct xfrmnl_sa	*sa;
	struct nl_addr		*dst;
	int			 err;

	if ((sa = xfrmnl_sa_alloc()) == NULL)
		return -1;
	dst = dp_xfrm_addr(s->inbound ? &s->local : &s->peer);
	xfrmnl_sa_set_daddr(sa, dst);
	xfrmnl_sa_set_spi(sa, s->spi);
	xfrmnl_sa_set_proto(sa, IPPROTO_ESP);
	xfrmnl_sa_set_family(sa, s->peer.ss_family);
	err = xfrmnl_sa_delete(b->sk, sa, 0);
	nl_addr_put(dst);
	xfrmnl_sa_put(sa);
	return err < 0 ? -1 : 0;
}

struct dpx_sa *
dp_xfrm_track(struct dp_backend *b, const struct dp_sa *d)
{
	struct dpx_sa	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->spi = d->spi;
	s->reqid = d->reqid;
	s->inbound = d->inbound;
	s->local = d->local;
	s->peer = d->peer;
	s->cfg = *d;
	TAILQ_INSERT_TAIL(&b->sas, s, entry);
	return s;
}

/* Unlink and free a tracked SA, wiping its key copy. */
static void
dpx_forget(struct dp_backend *b, struct dpx_sa *s)
{
	TAILQ_REMOVE(&b->sas, s, entry);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static int
dpx_sa_add(struct dp_backend *b, const struct dp_sa *d)
{
	struct xfrmnl_sa	*sa;
	struct dpx_sa		*s;
	int			 err;

	if ((sa = dp_xfrm_sa_build(d)) == NULL) {
		rg_warn(ESP, "SA %08x: cannot express transform %d/%d for "
		    "XFRM", d->spi, d->encr, d->integ);
		return -1;
	}
	err = xfrmnl_sa_add(b->sk, sa, NLM_F_CREATE | NLM_F_EXCL);
	xfrmnl_sa_put(sa);
	if (err < 0) {
		rg_warn(ESP, "SA %08x: kernel refused it: %s", d->spi,
		    nl_geterror(err));
		return -1;
	}
	if ((s = dp_xfrm_track(b, d)) == NULL ||
	    dp_xfrm_policies_add(b, d, s) == -1) {
		if (s == NULL) {
			struct dpx_sa	 tmp = { .spi = d->spi,
			    .inbound = d->inbound, .local = d->local,
			    .peer = d->peer };

			dpx_state_del(b, &tmp);
			return -1;
		}
		dpx_policies_del(b, s);
		dpx_state_del(b, s);
		dpx_forget(b, s);
		return -1;
	}
	rg_info(ESP, "XFRM SA %s %08x reqid %u installed (%zu policies)",
	    d->inbound ? "in" : "out", d->spi, d->reqid, s->nsp);
	return 0;
}

static int
dpx_sa_del(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpx_sa	*s;
	int		 rc;

	if ((s = dpx_find(b, spi, inbound)) == NULL)
		return -1;
	dpx_policies_del(b, s);
	rc = dpx_state_del(b, s);
	dpx_forget(b, s);
	return rc;
}

static void
dpx_ss_copy(struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, sa, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
}

/* Sequence numbers and window of a live state, carried over a re-add so
 * the peer's replay window keeps accepting what we send. */
struct dpx_replay {
	unsigned	 oseq, seq, oseq_hi, seq_hi, win, bmp_len;
	unsigned	 bmp[8192 / 32];
	bool		 esn;
};

static bool
dpx_replay_get(struct dp_backend *b, struct dpx_sa *s, struct dpx_replay *r)
{
	struct xfrmnl_sa	*sa = NULL;
	struct nl_addr		*dst;
	unsigned		 bm = 0;
	bool			 ok = false;

	memset(r, 0, sizeof(*r));
	dst = dp_xfrm_addr(s->inbound ? &s->local : &s->peer);
	if (dst == NULL || xfrmnl_sa_get_kernel(b->sk, dst, s->spi,
	    IPPROTO_ESP, 0, 0, &sa) < 0 || sa == NULL)
		goto out;
	/* our windows are at most 8192 packets: r->bmp holds any bitmap
	 * libnl copies out of one of our states */
	if (xfrmnl_sa_get_replay_state_esn(sa, &r->oseq, &r->seq, &r->oseq_hi,
	    &r->seq_hi, &r->win, &r->bmp_len, r->bmp) == 0) {
		r->esn = true;
		ok = true;
	} else if (xfrmnl_sa_get_replay_state(sa, &r->oseq, &r->seq,
	    &bm) == 0) {
		r->bmp[0] = bm;
		ok = true;
	}
out:
	nl_addr_put(dst);
	if (sa != NULL)
		xfrmnl_sa_put(sa);
	return ok;
}

static void
dpx_replay_set(struct xfrmnl_sa *sa, const struct dpx_replay *r)
{
	if (r->esn)
		xfrmnl_sa_set_replay_state_esn(sa, r->oseq, r->seq, r->oseq_hi,
		    r->seq_hi, r->win, r->bmp_len, (unsigned *)r->bmp);
	else
		xfrmnl_sa_set_replay_state(sa, r->oseq, r->seq, r->bmp[0]);
}

/*
 * MOBIKE / NAT mapping change (RFC 4555, RFC 3948): XFRM keys a state by
 * its destination, so each SA of reqid is deleted and added again with
 * the new outer addresses, its keys and its replay state (sequence
 * numbers continue), and its policies' templates with it.
 */
static int
dpx_sa_update_addrs(struct dp_backend *b, uint32_t reqid,
    const struct sockaddr *l, const struct sockaddr *p, bool encap)
{
	struct dpx_sa		*s, *next;
	struct xfrmnl_sa	*sa;
	struct dpx_replay	 rs;
	bool			 have;
	int			 n = 0, rc = 0, err;

	for (s = TAILQ_FIRST(&b->sas); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->reqid != reqid)
			continue;
		have = dpx_replay_get(b, s, &rs);
		dpx_policies_del(b, s);
		dpx_state_del(b, s);
		dpx_ss_copy(&s->cfg.local, l);
		dpx_ss_copy(&s->cfg.peer, p);
		s->cfg.encap = encap;
		s->local = s->cfg.local;
		s->peer = s->cfg.peer;
		n++;
		if ((sa = dp_xfrm_sa_build(&s->cfg)) != NULL && have)
			dpx_replay_set(sa, &rs);
		if (sa == NULL || (err = xfrmnl_sa_add(b->sk, sa, NLM_F_CREATE |
		    NLM_F_EXCL)) < 0 ||
		    dp_xfrm_policies_add(b, &s->cfg, s) == -1) {
			rg_warn(ESP, "XFRM SA %08x: re-adding with new "
			    "addresses failed", s->spi);
			if (sa != NULL)
				xfrmnl_sa_put(sa);
			dpx_policies_del(b, s);
			dpx_state_del(b, s);
			dpx_forget(b, s);
			rc = -1;
			continue;
		}
		xfrmnl_sa_put(sa);
	}
	return n ? rc : -1;
}

static int
dpx_sa_counters(struct dp_backend *b, uint32_t spi, bool inbound,
    struct dp_counters *c)
{
	struct xfrmnl_sa	*sa = NULL;
	struct dpx_sa		*s;
	struct nl_addr		*dst;
	unsigned long long	 bytes = 0, pkts = 0, at = 0, ut = 0;
	unsigned long long	 rw = 0, rp = 0, integ = 0;
	int			 err;

	if ((s = dpx_find(b, spi, inbound)) == NULL)
		return -1;
	dst = dp_xfrm_addr(inbound ? &s->local : &s->peer);
	err = xfrmnl_sa_get_kernel(b->sk, dst, spi, IPPROTO_ESP, 0, 0,
	    &sa);
	nl_addr_put(dst);
	if (err < 0 || sa == NULL)
		return -1;
	xfrmnl_sa_get_curlifetime(sa, &bytes, &pkts, &at, &ut);
	xfrmnl_sa_get_stats(sa, &rw, &rp, &integ);
	memset(c, 0, sizeof(*c));
	c->bytes = bytes;
	c->packets = pkts;
	c->replay_drops = rw + rp;
	c->auth_drops = integ;
	/* the kernel keeps wall-clock seconds; the contract wants rg_now_ms() */
	if (ut != 0) {
		time_t	 now = time(NULL);
		uint64_t ago = (uint64_t)now > ut ? ((uint64_t)now - ut) * 1000 : 0;

		c->last_used_ms = rg_now_ms() > ago ? rg_now_ms() - ago : 1;
	}
	xfrmnl_sa_put(sa);
	return 0;
}

static int
dpx_route(struct dp_backend *b, const struct rg_prefix *p)
{
	/* With XFRM the policies catch the vip's traffic on its normal
	 * route; no route into a device is needed. */
	(void)b;
	(void)p;
	return 0;
}

static void
dpx_set_encap_socket(struct dp_backend *b, int af, int fd)
{
	/* The kernel decapsulates on the IKE socket once it is marked
	 * UDP_ENCAP_ESPINUDP (RFC 3948); the IKE layer still sees IKE. */
	int	 type = UDP_ENCAP_ESPINUDP;

	(void)b;
	(void)af;
	if (setsockopt(fd, IPPROTO_UDP, 100 /* UDP_ENCAP */, &type,
	    sizeof(type)) == -1)
		rg_warn(ESP, "UDP_ENCAP on fd %d: %s", fd, strerror(errno));
}

static void
dpx_udp_input(struct dp_backend *b, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to)
{
	/* The kernel takes ESP off a UDP_ENCAP socket itself. */
	(void)b;
	(void)pkt;
	(void)len;
	(void)from;
	(void)to;
}

static int
dpx_send_to_client(struct dp_backend *b, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	struct dpx_sa	*s;

	TAILQ_FOREACH(s, &b->sas, entry)
		if (!s->inbound && s->reqid == reqid)
			break;
	if (s == NULL)
		return -1;
	/* the kernel's outbound policy for reqid's selectors encrypts it */
	return dp_xfrm_dhcp_send(&b->raw_fd, pkt, len);
}

/* The inbound tunnel SA whose only remote selector is this address. */
static struct dpx_sa *
dpx_by_vip(struct dp_backend *b, const uint8_t *src)
{
	const struct dp_ts	*t;
	struct dpx_sa		*s;

	TAILQ_FOREACH(s, &b->sas, entry) {
		if (!s->inbound || s->cfg.mode != DP_MODE_TUNNEL ||
		    s->cfg.nts_remote != 1)
			continue;
		t = &s->cfg.ts_remote[0];
		if (t->af == AF_INET && memcmp(t->addr_lo, src, 4) == 0 &&
		    memcmp(t->addr_hi, src, 4) == 0)
			return s;
	}
	return NULL;
}

/* Whether IPv4 address a lies inside one of s's local selectors. */
static bool
dpx_local_ts(const struct dpx_sa *s, const uint8_t *a)
{
	const struct dp_ts	*t;
	size_t			 i;

	for (i = 0; i < s->cfg.nts_local; i++) {
		t = &s->cfg.ts_local[i];
		if (t->af == AF_INET && memcmp(t->addr_lo, a, 4) <= 0 &&
		    memcmp(a, t->addr_hi, 4) <= 0)
			return true;
	}
	return false;
}

static void
dpx_dhcp_read(struct rg_io *io, uint32_t events)
{
	struct dp_backend	*b = io->arg;
	struct sockaddr_in	 from;
	socklen_t		 sl;
	const uint8_t		*src;
	struct dpx_sa		*s;
	uint8_t			 pkt[2048];
	ssize_t			 n;
	int			 i;

	(void)events;
	for (i = 0; i < 64; i++) {
		sl = sizeof(from);
		if ((n = recvfrom(b->dhcp_fd, pkt, sizeof(pkt), MSG_TRUNC,
		    (struct sockaddr *)&from, &sl)) < 0)
			return;
		if ((size_t)n > sizeof(pkt) || dp_xfrm_dhcp_check(pkt,
		    (size_t)n, PACKET_HOST, &src) == -1)
			continue;
		if ((s = dpx_by_vip(b, src)) == NULL) {
			rg_debug(ESP, "DHCP request from %u.%u.%u.%u: no "
			    "tunnel of ours has that address", src[0], src[1],
			    src[2], src[3]);
			continue;
		}
		if (!dpx_local_ts(s, pkt + 16)) {
			rg_debug(ESP, "DHCP request from %u.%u.%u.%u to an "
			    "address outside its SA's selectors, dropped",
			    src[0], src[1], src[2], src[3]);
			continue;
		}
		b->ev.udp_input(b->ev.arg, DP_XFRM_DHCP_SERVER, s->reqid, pkt,
		    (size_t)n);
	}
}

/* XFRM_MSG_EXPIRE: struct xfrm_user_expire (linux/xfrm.h). */
static int
dpx_ev_msg(struct nl_msg *msg, void *arg)
{
	struct dp_backend	*b = arg;
	struct nlmsghdr		*h = nlmsg_hdr(msg);
	struct xfrm_user_expire	 ue;
	struct dpx_sa		*s;
	uint32_t		 spi;

	rg_debug(ESP, "XFRM event type %u len %d", h->nlmsg_type,
	    nlmsg_datalen(h));
	if (h->nlmsg_type != XFRM_MSG_EXPIRE ||
	    nlmsg_datalen(h) < (int)sizeof(ue))
		return NL_OK;
	memcpy(&ue, nlmsg_data(h), sizeof(ue));
	if (ue.state.id.proto != IPPROTO_ESP)
		return NL_OK;
	spi = ntohl(ue.state.id.spi);
	TAILQ_FOREACH(s, &b->sas, entry)
		if (s->spi == spi)
			break;
	if (s == NULL)
		return NL_OK;	/* not one of ours */
	rg_info(ESP, "XFRM SA %s %08x reqid %u: %s expire", s->inbound ? "in" :
	    "out", spi, s->reqid, ue.hard ? "hard" : "soft");
	{
		bool		 inbound = s->inbound;
		uint32_t	 reqid = s->reqid;

		if (ue.hard) {	/* the kernel deleted the state already */
			dpx_policies_del(b, s);
			dpx_forget(b, s);
		}
		if (b->ev.expire != NULL)
			b->ev.expire(b->ev.arg, reqid, spi, inbound, ue.hard);
	}
	return NL_OK;
}

static void
dpx_ev_read(struct rg_io *io, uint32_t events)
{
	struct dp_backend	*b = io->arg;

	(void)events;
	nl_recvmsgs_default(b->evsk);
}

static void
dpx_free(struct dp_backend *b)
{
	struct dpx_sa	*s;

	if (b == NULL)
		return;
	while ((s = TAILQ_FIRST(&b->sas)) != NULL) {
		dpx_policies_del(b, s);
		dpx_state_del(b, s);
		dpx_forget(b, s);
	}
	if (b->evsk != NULL) {
		rg_io_del(b->loop, &b->ev_io);
		nl_socket_free(b->evsk);
	}
	if (b->dhcp_fd != -1) {
		rg_io_del(b->loop, &b->dhcp_io);
		close(b->dhcp_fd);
	}
	if (b->raw_fd != -1)
		close(b->raw_fd);
	if (b->sk != NULL)
		nl_socket_free(b->sk);
	free(b);
}

static struct dp_backend *
dpx_new(struct rg_loop *loop, const char *tun_name, int threads,
    const struct dp_events *ev)
{
	struct dp_backend	*b;

	(void)tun_name;
	(void)threads;		/* the kernel's ESP runs on every core */
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->loop = loop;
	if (ev != NULL)
		b->ev = *ev;
	b->dhcp_fd = b->dhcp_io.fd = b->raw_fd = -1;
	TAILQ_INIT(&b->sas);
	if ((b->sk = nl_socket_alloc()) == NULL ||
	    nl_connect(b->sk, NETLINK_XFRM) < 0)
		goto fail;
	if ((b->evsk = nl_socket_alloc()) == NULL ||
	    nl_connect(b->evsk, NETLINK_XFRM) < 0) {
		if (b->evsk)
			nl_socket_free(b->evsk);
		b->evsk = NULL;
		goto fail;
	}
	nl_socket_disable_seq_check(b->evsk);
	nl_socket_modify_cb(b->evsk, NL_CB_VALID, NL_CB_CUSTOM, dpx_ev_msg, b);
	nl_socket_set_nonblocking(b->evsk);
	if (nl_socket_add_membership(b->evsk, XFRMNLGRP_EXPIRE) < 0) {
		nl_socket_free(b->evsk);
		b->evsk = NULL;
		goto fail;
	}
	b->ev_io.fd = nl_socket_get_fd(b->evsk);
	b->ev_io.cb = dpx_ev_read;
	b->ev_io.arg = b;
	if (loop != NULL && rg_io_add(loop, &b->ev_io, EPOLLIN) == -1) {
		nl_socket_free(b->evsk);
		b->evsk = NULL;
		goto fail;
	}
	/* Of the local UDP services only DHCP's is captured here. */
	if (loop != NULL && dp_udp_service_match(&b->ev, AF_INET, IPPROTO_UDP,
	    DP_XFRM_DHCP_CLIENT, DP_XFRM_DHCP_SERVER) != 0) {
		if ((b->dhcp_fd = dp_xfrm_dhcp_open()) == -1)
			rg_warn(ESP, "DHCPINFORM capture: %s; clients asking "
			    "for their routes by DHCP get no answer",
			    strerror(errno));
		else {
			b->dhcp_io = (struct rg_io){ b->dhcp_fd, dpx_dhcp_read,
			    b };
			if (rg_io_add(loop, &b->dhcp_io, EPOLLIN) == -1) {
				close(b->dhcp_fd);
				b->dhcp_fd = b->dhcp_io.fd = -1;
			}
		}
	}
	return b;
fail:
	rg_err(ESP, "XFRM netlink sockets failed");
	dpx_free(b);
	return NULL;
}

static int
dpx_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	*(int *)arg = -e->error;
	return NL_STOP;
}

static int
dpx_ack_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_STOP;
}

/* Add sa, keeping the kernel's own errno (libnl folds it into a few
 * generic codes) for the log line. */
static int
dpx_add_errno(struct nl_sock *sk, struct xfrmnl_sa *sa, int *kerr)
{
	struct nl_msg	*msg = NULL;
	struct nl_cb	*cb, *base;
	int		 err;

	*kerr = 0;
	if ((err = xfrmnl_sa_build_add_request(sa, NLM_F_CREATE | NLM_F_EXCL,
	    &msg)) < 0)
		return err;
	base = nl_socket_get_cb(sk);		/* a counted reference */
	cb = nl_cb_clone(base);
	nl_cb_put(base);
	if (cb == NULL) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, dpx_err_cb, kerr);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, dpx_ack_cb, NULL);
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err >= 0)
		err = nl_recvmsgs(sk, cb);	/* until the ack or error */
	nl_cb_put(cb);
	if (*kerr != 0)
		return -NLE_FAILURE;
	return err < 0 ? err : 0;
}

int
dp_xfrm_probe(char *why, size_t whylen)
{
	struct nl_sock	*sk;
	struct xfrmnl_sa *sa;
	struct dp_sa	 d;
	struct sockaddr_in *l = (struct sockaddr_in *)&d.local;
	struct sockaddr_in *p = (struct sockaddr_in *)&d.peer;
	int		 err, kerr = 0;

	memset(&d, 0, sizeof(d));
	l->sin_family = p->sin_family = AF_INET;
	l->sin_addr.s_addr = htonl(0xc0000201);		/* TEST-NET-1 */
	p->sin_addr.s_addr = htonl(0xc00002fe);
	d.spi = 0x0000ff0d;				/* below 256 is reserved */
	d.mode = DP_MODE_TUNNEL;
	d.encr = DP_ENCR_AES_GCM_16;
	d.encr_key_len = 20;
	d.reqid = 0x7fff0d0d;
	if ((sk = nl_socket_alloc()) == NULL)
		return -ENOMEM;
	if ((err = nl_connect(sk, NETLINK_XFRM)) < 0) {
		snprintf(why, whylen, "no XFRM netlink: %s", nl_geterror(err));
		nl_socket_free(sk);
		return -EPROTONOSUPPORT;
	}
	if ((sa = dp_xfrm_sa_build(&d)) == NULL) {
		nl_socket_free(sk);
		snprintf(why, whylen, "cannot build the probe SA");
		return -EINVAL;
	}
	err = dpx_add_errno(sk, sa, &kerr);
	if (err >= 0) {
		xfrmnl_sa_delete(sk, sa, 0);
		snprintf(why, whylen, "a test ESP SA installed and removed");
	} else
		snprintf(why, whylen, "adding a test ESP SA failed: %s",
		    kerr ? strerror(kerr) : nl_geterror(err));
	OPENSSL_cleanse(&d, sizeof(d));
	xfrmnl_sa_put(sa);
	nl_socket_free(sk);
	return err >= 0 ? 0 : -EPROTONOSUPPORT;
}

const struct dp_ops dp_xfrm_ops = {
	.name = "kernel",
	.new = dpx_new,
	.free = dpx_free,
	.sa_add = dpx_sa_add,
	.sa_del = dpx_sa_del,
	.sa_update_addrs = dpx_sa_update_addrs,
	.sa_counters = dpx_sa_counters,
	.route_add = dpx_route,
	.route_del = dpx_route,
	.set_encap_socket = dpx_set_encap_socket,
	.udp_input = dpx_udp_input,
	.send_to_client = dpx_send_to_client,
};
