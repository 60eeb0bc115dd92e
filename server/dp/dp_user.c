/*
 * dp_user.c: the userspace ESP data plane (dp_user_ops).
 *
 * Packets the kernel routes into our TUN device are matched to an
 * outbound SA by destination (a hash for single-address selectors, the
 * usual road-warrior vip, then a list of range selectors), encrypted
 * (esp.c) and sent in batches with sendmmsg(): ESP-in-UDP (RFC 3948) from
 * the 4500 socket the IKE layer hands us, or raw ESP (IP protocol 50).
 * Inbound ESP arrives through dp_udp_input() or our raw socket (batched
 * with recvmmsg()), is found by SPI, decrypted, checked against the SA's
 * selectors (RFC 4301 5.2) and written to TUN.
 *
 * Inner packets: TCP MSS clamping on SYNs both ways, ICMP "fragmentation
 * needed" / "packet too big" for DF packets too big for the tunnel, outer
 * DSCP copied from the inner header (RFC 2983 uniform model on encap,
 * inner DSCP kept on decap, RFC 4301 5.1.2.1).  TTL: the kernel forwards
 * into and out of TUN and decrements the TTL on both hops.
 *
 * Per-SA counters; soft/hard byte and time lifetimes are checked on a
 * 1 s timer and reported through dp_events.expire (hard: SA removed).
 * No allocation per packet: buffers live in the backend.
 *
 * Threads (dp_user_mq.c): one worker per core, each with its own TUN
 * queue, 4500 socket, batch buffers and the SAs it owns, steered there by
 * BPF (dp_steer.c); the loop thread keeps the registry of all SAs (this
 * file's dpu_sa_* calls, lifetimes, counters) and tells workers what
 * changed by message.  Packet paths here run on the owning worker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "dp_nl.h"
#include "dp_pkt.h"
#include "dp_user.h"
#include "rg_buf.h"
#include "rg_log.h"

static unsigned
dpu_spi_hash(uint32_t spi)
{
	return (spi * 2654435761u) >> 22;	/* 10 bits: DPU_HASH */
}

static unsigned
dpu_addr_hash(const uint8_t *a, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	return h & (DPU_HASH - 1);
}

static size_t
dpu_alen(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* The worker that owns an inbound SA: what dp_steer_reuseport() picks. */
unsigned
dpu_spi_owner(const struct dp_backend *b, uint32_t spi)
{
	return spi % b->nw;
}

/* The worker that owns outbound traffic to dst: what dp_steer_tun() picks. */
unsigned
dpu_dst_owner(const struct dp_backend *b, int af, const uint8_t *dst)
{
	return rg_get_u32(af == AF_INET ? dst : dst + 12) % b->nw;
}

/* Rate-limited debug line for drops: the first 20, then every 10000th. */
static void
dpu_drop(struct dpu_worker *w, const char *what, uint32_t spi, const char *why)
{
	w->ndrop_logs++;
	if (w->ndrop_logs <= 20 || w->ndrop_logs % 10000 == 0)
		rg_debug(ESP, "drop %s SPI %08x: %s (%u drops logged on "
		    "worker %u)", what, spi, why, w->ndrop_logs, w->idx);
}

/* Loop thread: the registry of every SA. */
static struct dpu_sa *
dpu_find(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpu_sa	*s;

	for (s = b->reg_tab[dpu_spi_hash(spi)]; s; s = s->rnext)
		if (s->spi == spi && s->inbound == inbound)
			return s;
	return NULL;
}

/* ---- outbound: TUN -> ESP (worker) ---- */

static struct dpu_sa *
dpu_lookup_out(struct dpu_worker *w, const struct dp_pkt *k, bool range)
{
	size_t		 alen = dpu_alen(k->af);
	struct dpu_sa	*s;

	for (s = w->host_tab[dpu_addr_hash(k->dst, alen)]; s; s = s->hnext)
		if (s->host_af == k->af && memcmp(s->host, k->dst, alen) == 0 &&
		    dp_ts_match(DPU_TS_LOCAL(s), s->nts_local, k->af, k->src,
		    k->proto, k->sport))
			return s;
	if (!range)
		return NULL;
	for (s = w->range; s; s = s->hnext)
		if (s->mode == DP_MODE_TUNNEL &&
		    dp_ts_match(DPU_TS_REMOTE(s), s->nts_remote, k->af, k->dst,
		    k->proto, k->dport) &&
		    dp_ts_match(DPU_TS_LOCAL(s), s->nts_local, k->af, k->src,
		    k->proto, k->sport))
			return s;
	return NULL;
}

static void
dpu_count(struct dpu_worker *w, struct dpu_sa *s, size_t len)
{
	dpu_ctr_add(&s->ctr.bytes, len);
	dpu_ctr_add(&s->ctr.packets, 1);
	__atomic_store_n(&s->ctr.last_used_ms, w->now_ms, __ATOMIC_RELAXED);
	dpu_ctr_add(&w->st.packets, 1);
}

/* Encrypt one inner packet for sa and queue it. */
static void
dpu_send(struct dpu_worker *w, struct dpu_sa *sa, uint8_t *pkt,
    const struct dp_pkt *k)
{
	const struct sockaddr_in6 *l6;
	const struct sockaddr_in *l4;
	size_t		 outer, olen, n;
	uint16_t	 mtu;
	int		 rc;

	if (sa->mss_clamp)
		dp_mss_clamp(pkt, k, sa->mss_clamp);
	outer = (sa->peer.sa.sa_family == AF_INET ? 20 : 40) +
	    (sa->encap ? 8 : 0) + k->len + esp_overhead(&sa->esp, k->len);
	if (outer > DPU_PATH_MTU && k->df) {
		/* RFC 1191 / RFC 4443 3.2: tell the sender our tunnel MTU */
		mtu = (uint16_t)(DPU_PATH_MTU - (outer - k->len) - 4);
		if (k->af == AF_INET) {
			l4 = (const struct sockaddr_in *)&sa->local;
			n = dp_icmp_too_big(pkt, k, mtu,
			    sa->local.sa.sa_family == AF_INET ?
			    (const uint8_t *)&l4->sin_addr : k->dst,
			    w->icmp + DP_VNET_HDR, DPU_BUF);
		} else {
			l6 = (const struct sockaddr_in6 *)&sa->local;
			n = dp_icmp_too_big(pkt, k, mtu < 1280 ? 1280 : mtu,
			    sa->local.sa.sa_family == AF_INET6 ?
			    (const uint8_t *)&l6->sin6_addr : k->dst,
			    w->icmp + DP_VNET_HDR, DPU_BUF);
		}
		if (n > 0)
			dpu_tun_write(w, w->icmp + DP_VNET_HDR, n);
		dpu_ctr_add(&sa->ctr.other_drops, 1);
		return;
	}
	if (w->txn == DPU_BATCH)
		dpu_flush(w);
	/* RFC 4303 3.1.1: in transport mode, the payload only */
	if (sa->mode == DP_MODE_TRANSPORT)
		rc = esp_encrypt(&sa->esp, k->proto, pkt + k->l4off,
		    k->len - k->l4off, w->txbuf[w->txn], DPU_BUF, &olen);
	else
		rc = esp_encrypt(&sa->esp, k->af == AF_INET ? ESP_NH_IPV4 :
		    ESP_NH_IPV6, pkt, k->len, w->txbuf[w->txn], DPU_BUF, &olen);
	if (rc != 0) {
		dpu_ctr_add(&sa->ctr.other_drops, 1);
		dpu_drop(w, "out", sa->spi, esp_err_str(rc));
		return;
	}
	dpu_count(w, sa, k->len);
	dpu_tx_queue(w, sa, olen, k->tos & 0xfc);
}

/*
 * One packet from TUN (handed: from another worker's ring).  Steering
 * puts it on the worker owning dst; if it landed elsewhere (no BPF), it
 * is handed to that owner.  Selectors other than one address belong to
 * worker 0: a miss elsewhere goes there, once.
 */
void
dpu_outbound(struct dpu_worker *w, uint8_t *pkt, size_t len, bool handed)
{
	struct dp_backend	*b = w->b;
	struct dp_pkt		 k;
	struct dpu_sa		*sa;
	unsigned		 o;

	if (dp_pkt_parse(pkt, len, &k) == -1) {
		dpu_ctr_add(&w->st.bad_inner, 1);
		return;
	}
	/* the kernel's own link-scope IPv6 multicast on the device (router
	 * solicitations, MLD reports) is nobody's traffic: not counted */
	if (k.af == AF_INET6 && k.dst[0] == 0xff && (k.dst[1] & 0x0f) <= 2)
		return;
	if (!handed && b->nw > 1 &&
	    (o = dpu_dst_owner(b, k.af, k.dst)) != w->idx) {
		dpu_hand(w, o, DPU_P_IP, pkt, len);
		return;
	}
	if ((sa = dpu_lookup_out(w, &k, w->idx == 0)) == NULL) {
		if (w->idx != 0)
			dpu_hand(w, 0, DPU_P_IP, pkt, len);
		else
			dpu_ctr_add(&w->st.no_sa_out, 1);
		return;
	}
	dpu_send(w, sa, pkt, &k);
}

void
dpu_tun_read(struct rg_io *io, uint32_t events)
{
	struct dpu_worker	*w = io->arg;
	ssize_t			 n;
	int			 i;

	(void)events;
	w->now_ms = rg_now_ms();
	/* one read per packet (TUN has no batch read); one flush per wakeup */
	for (i = 0; i < DPU_BATCH * 2; i++) {
		n = read(w->tunfd, w->plain, sizeof(w->plain));
		if (n <= 0)
			break;
		if (w->b->vnet) {	/* no offloads asked: never GSO */
			if (n < DP_VNET_HDR || w->plain[1] != 0) {
				dpu_ctr_add(&w->st.bad_inner, 1);
				continue;
			}
			dpu_outbound(w, w->plain + DP_VNET_HDR,
			    (size_t)n - DP_VNET_HDR, false);
		} else
			dpu_outbound(w, w->plain, (size_t)n, false);
	}
	dpu_flush(w);
	dpu_kick(w);
}

/* An injected packet (dp_send_to_client) on sa's worker. */
void
dpu_send_inject(struct dpu_worker *w, struct dpu_sa *sa, uint8_t *pkt,
    size_t len)
{
	struct dp_pkt	 k;

	if (dp_pkt_parse(pkt, len, &k) == -1) {
		dpu_ctr_add(&w->st.bad_inner, 1);
		return;
	}
	dpu_send(w, sa, pkt, &k);
}

/* ---- inbound: ESP -> TUN (worker) ---- */

static void
dpu_deliver(struct dpu_worker *w, struct dpu_sa *sa, uint8_t *p, size_t len,
    uint8_t nh)
{
	const struct sockaddr_in *pl, *ll;
	struct dp_pkt	 k;
	uint8_t		*h;
	uint16_t	 svc;

	if (sa->mode == DP_MODE_TRANSPORT) {
		/* RFC 4303 3.1.1: rebuild the IPv4 header from the outer
		 * addresses; NAT-T transport: UDP checksum zeroed (RFC 3948
		 * 3.1.2, the outer addresses it covered were translated). */
		if (sa->peer.sa.sa_family != AF_INET || len + 20 > DPU_BUF ||
		    len + 20 > 0xffff) {
			dpu_ctr_add(&sa->ctr.other_drops, 1);
			return;
		}
		pl = (const struct sockaddr_in *)&sa->peer;
		ll = (const struct sockaddr_in *)&sa->local;
		p -= 20;		/* the caller left DPU_HEAD in front */
		h = p;
		memset(h, 0, 20);
		h[0] = 0x45;
		rg_put_u16(h + 2, (uint16_t)(len + 20));
		h[8] = 64;
		h[9] = nh;
		memcpy(h + 12, &pl->sin_addr, 4);
		memcpy(h + 16, &ll->sin_addr, 4);
		rg_put_u16(h + 10, dp_csum(h, 20, 0));
		if (nh == IPPROTO_UDP && len >= 8)
			rg_put_u16(h + 20 + 6, 0);
		len += 20;
	}
	if (dp_pkt_parse(p, len, &k) == -1 ||
	    (k.af == AF_INET) != (nh == ESP_NH_IPV4 ||
	    sa->mode == DP_MODE_TRANSPORT)) {
		dpu_ctr_add(&w->st.bad_inner, 1);
		dpu_ctr_add(&sa->ctr.other_drops, 1);
		return;
	}
	/* A packet to one of our local UDP services (a DHCPINFORM, UDP
	 * 68 -> 67) is answered by us and never reaches the TUN, whatever
	 * its destination: Windows may send it to the broadcast address,
	 * outside a split profile's TS (PRODUCT.md 3). */
	svc = dp_udp_service_match(&w->b->ev, k.af, k.proto, k.sport,
	    k.dport);
	/* RFC 4301 5.2 step 4: the packet must match the SA's TS (in
	 * transport mode the rebuilt header carries the outer addresses);
	 * the source always, the destination unless it is for us. */
	if ((sa->nts_remote > 0 || sa->mode == DP_MODE_TUNNEL) &&
	    (!dp_ts_match(DPU_TS_REMOTE(sa), sa->nts_remote, k.af, k.src,
	    k.proto, k.sport) || (svc == 0 && !dp_ts_match(DPU_TS_LOCAL(sa),
	    sa->nts_local, k.af, k.dst, k.proto, k.dport)))) {
		dpu_ctr_add(&w->st.policy, 1);
		dpu_ctr_add(&sa->ctr.other_drops, 1);
		dpu_drop(w, "in", sa->spi, "inner packet outside the TS");
		return;
	}
	if (svc != 0) {
		dpu_post_udp(w, svc, sa->reqid, p, k.len);
		return;
	}
	if (sa->mss_clamp)
		dp_mss_clamp(p, &k, sa->mss_clamp);
	dpu_to_tun(w, p, k.len);
}

void
dpu_inbound(struct dpu_worker *w, const uint8_t *esp, size_t len)
{
	struct dpu_sa	*sa;
	uint64_t	 seq;
	size_t		 olen;
	uint32_t	 spi;
	uint8_t		 nh;
	int		 rc;

	if (len < ESP_HDR_LEN) {
		dpu_ctr_add(&w->st.no_sa_in, 1);
		return;
	}
	spi = rg_get_u32(esp);
	for (sa = w->spi_tab[dpu_spi_hash(spi)]; sa; sa = sa->hnext)
		if (sa->spi == spi)
			break;
	if (sa == NULL) {
		dpu_ctr_add(&w->st.no_sa_in, 1);
		dpu_drop(w, "in", spi, "unknown SPI");
		return;
	}
	/* keep 20 bytes in front for a transport-mode header */
	rc = esp_decrypt(&sa->esp, esp, len, w->plain + DPU_HEAD, DPU_BUF,
	    &olen, &nh, &seq);
	if (rc != 0) {
		dpu_ctr_add(rc == -ESP_E_REPLAY ? &sa->ctr.replay_drops :
		    rc == -ESP_E_AUTH ? &sa->ctr.auth_drops :
		    &sa->ctr.other_drops, 1);
		dpu_drop(w, "in", spi, esp_err_str(rc));
		return;
	}
	dpu_count(w, sa, olen);
	if (nh == ESP_NH_DUMMY)
		return;			/* RFC 4303 2.6: TFC dummy */
	dpu_deliver(w, sa, w->plain + DPU_HEAD, olen, nh);
}

/* An ESP packet read by w: its own, or the owner's by SPI. */
static void
dpu_esp_rx(struct dpu_worker *w, const uint8_t *esp, size_t len)
{
	unsigned	 o;

	if (len >= ESP_HDR_LEN && w->b->nw > 1 &&
	    (o = dpu_spi_owner(w->b, rg_get_u32(esp))) != w->idx)
		dpu_hand(w, o, DPU_P_ESP, esp, len);
	else
		dpu_inbound(w, esp, len);
}

/* ESP-in-UDP read on the IKE socket by the loop thread (ike_sock.c). */
static void
dpu_udp_input(struct dp_backend *b, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to)
{
	struct dpu_worker	*w = b->w[0];

	(void)from;
	(void)to;
	if (!w->threaded) {
		w->now_ms = rg_now_ms();
		dpu_inbound(w, pkt, len);
		dpu_flush(w);	/* ICMP replies or nothing */
		return;
	}
	if (len >= ESP_HDR_LEN)
		dpu_hand_ext(b, dpu_spi_owner(b, rg_get_u32(pkt)), DPU_P_ESP,
		    pkt, len);
}

/* Batch-read a datagram socket of w: raw ESP (IPv4 shows its header)
 * or w's member of the 4500 group (only ESP is steered to it). */
static void
dpu_rx_batch(struct dpu_worker *w, int fd, bool ip4hdr, bool udp)
{
	size_t		 hl, len;
	int		 n, i, round;

	w->now_ms = rg_now_ms();
	for (round = 0; round < 4; round++) {
		for (i = 0; i < DPU_BATCH; i++) {
			w->rxiov[i].iov_base = w->rxbuf[i];
			w->rxiov[i].iov_len = DPU_BUF;
			memset(&w->rxm[i].msg_hdr, 0, sizeof(struct msghdr));
			w->rxm[i].msg_hdr.msg_iov = &w->rxiov[i];
			w->rxm[i].msg_hdr.msg_iovlen = 1;
			w->rxm[i].msg_hdr.msg_name = &w->rxaddr[i];
			w->rxm[i].msg_hdr.msg_namelen = sizeof(w->rxaddr[i]);
		}
		n = recvmmsg(fd, w->rxm, DPU_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			len = w->rxm[i].msg_len;
			if (w->rxm[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			hl = 0;
			if (ip4hdr) {
				if (len < 20)
					continue;
				hl = (size_t)(w->rxbuf[i][0] & 0x0f) * 4;
				if (hl < 20 || hl > len)
					continue;
			}
			/* a keepalive or IKE message here (the instant
			 * before the steering program was in place) */
			if (udp && (len < ESP_HDR_LEN ||
			    rg_get_u32(w->rxbuf[i]) == 0)) {
				dpu_ctr_add(&w->st.no_sa_in, 1);
				continue;
			}
			dpu_esp_rx(w, w->rxbuf[i] + hl, len - hl);
		}
		if (n < DPU_BATCH)
			break;
	}
	dpu_flush(w);
	dpu_kick(w);
}

void
dpu_raw_read(struct rg_io *io, uint32_t events)
{
	struct dpu_worker	*w = io->arg;

	(void)events;
	dpu_rx_batch(w, io->fd, io == &w->raw4_io, false);
}

void
dpu_udp_read(struct rg_io *io, uint32_t events)
{
	struct dpu_worker	*w = io->arg;

	(void)events;
	dpu_rx_batch(w, io->fd, false, true);
}

/* ---- SA tables: the worker's (packets), the registry (loop thread) ---- */

void
dpu_w_link(struct dpu_worker *w, struct dpu_sa *s)
{
	struct dpu_sa	**pp;

	if (s->inbound)
		pp = &w->spi_tab[dpu_spi_hash(s->spi)];
	else if (s->hosted)	/* newest first: rekeys win */
		pp = &w->host_tab[dpu_addr_hash(s->host, dpu_alen(s->host_af))];
	else
		pp = &w->range;
	s->hnext = *pp;
	*pp = s;
}

void
dpu_w_unlink(struct dpu_worker *w, struct dpu_sa *s)
{
	struct dpu_sa	**pp;

	if (s->inbound)
		pp = &w->spi_tab[dpu_spi_hash(s->spi)];
	else if (s->hosted)
		pp = &w->host_tab[dpu_addr_hash(s->host, dpu_alen(s->host_af))];
	else
		pp = &w->range;
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
}

static void
dpu_reg_link(struct dp_backend *b, struct dpu_sa *s)
{
	unsigned	 h = dpu_spi_hash(s->spi);

	s->rnext = b->reg_tab[h];
	b->reg_tab[h] = s;
	TAILQ_INSERT_HEAD(&b->sas, s, entry);
}

static void
dpu_reg_unlink(struct dp_backend *b, struct dpu_sa *s)
{
	struct dpu_sa	**pp;

	for (pp = &b->reg_tab[dpu_spi_hash(s->spi)]; *pp; pp = &(*pp)->rnext)
		if (*pp == s) {
			*pp = s->rnext;
			break;
		}
	TAILQ_REMOVE(&b->sas, s, entry);
}

void
dpu_sa_free(struct dpu_sa *s)
{
	esp_sa_clear(&s->esp);
	OPENSSL_cleanse(s, sizeof(*s) + (s->nts_local + s->nts_remote) *
	    sizeof(struct dp_ts));
	free(s);
}

/* A single-address remote selector with any protocol: the hash key. */
static bool
dpu_host_key(const struct dp_sa *d, int *af, uint8_t *addr)
{
	const struct dp_ts	*t = &d->ts_remote[0];

	if (d->inbound || d->mode != DP_MODE_TUNNEL || d->nts_remote != 1 ||
	    t->proto != 0 || memcmp(t->addr_lo, t->addr_hi,
	    dpu_alen(t->af)) != 0)
		return false;
	*af = t->af;
	memcpy(addr, t->addr_lo, 16);
	return true;
}

static int
dpu_sa_add(struct dp_backend *b, const struct dp_sa *d)
{
	struct dpu_sa	*s;

	if (d->nts_local > DP_MAX_TS || d->nts_remote > DP_MAX_TS ||
	    (d->peer.ss_family != AF_INET && d->peer.ss_family != AF_INET6)) {
		rg_warn(ESP, "SA %08x: bad addresses or selectors", d->spi);
		return -1;
	}
	if (dpu_find(b, d->spi, d->inbound) != NULL) {
		rg_warn(ESP, "SA %08x %s exists", d->spi,
		    d->inbound ? "in" : "out");
		return -1;
	}
	if (!d->encap && dpu_raw_open(b, d->peer.ss_family) == -1)
		return -1;
	if ((s = calloc(1, sizeof(*s) + (d->nts_local + d->nts_remote) *
	    sizeof(struct dp_ts))) == NULL)
		return -1;
	if (esp_sa_init(&s->esp, d) == -1) {
		const char *why = esp_sa_refusal(d);

		rg_warn(ESP, "SA %08x refused: %s (transform %d/%d, key %zu)",
		    d->spi, why != NULL ? why : "crypto library failure",
		    d->encr, d->integ, d->encr_key_len);
		free(s);
		return -1;
	}
	s->spi = d->spi;
	s->reqid = d->reqid;
	s->inbound = d->inbound;
	s->encap = d->encap;
	s->mode = d->mode;
	memcpy(&s->local, &d->local, d->local.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	memcpy(&s->peer, &d->peer, d->peer.ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	s->nts_local = (uint8_t)d->nts_local;
	s->nts_remote = (uint8_t)d->nts_remote;
	memcpy(DPU_TS_LOCAL(s), d->ts_local, s->nts_local *
	    sizeof(struct dp_ts));
	memcpy(DPU_TS_REMOTE(s), d->ts_remote, s->nts_remote *
	    sizeof(struct dp_ts));
	s->soft_bytes = d->soft_bytes;
	s->hard_bytes = d->hard_bytes;
	s->soft_time_s = d->soft_time_s;
	s->hard_time_s = d->hard_time_s;
	s->mss_clamp = d->mss_clamp;
	s->added_ms = rg_now_ms();
	if (s->inbound)
		s->owner = (uint16_t)dpu_spi_owner(b, s->spi);
	else if (dpu_host_key(d, &s->host_af, s->host)) {
		s->hosted = true;
		s->owner = (uint16_t)dpu_dst_owner(b, s->host_af, s->host);
	}
	if (dpu_post_add(b, s) == -1) {
		esp_sa_clear(&s->esp);
		free(s);
		return -1;
	}
	dpu_reg_link(b, s);
	rg_log_peer(RG_T_ESP, RG_L_INFO, (const struct sockaddr *)&d->peer,
	    d->spi, 0, "SA %s %08x reqid %u %s%s added (worker %u)",
	    s->inbound ? "in" : "out", s->spi, s->reqid,
	    s->mode == DP_MODE_TUNNEL ? "tunnel" : "transport",
	    s->encap ? " udp-encap" : "", s->owner);
	return 0;
}

/* Out of the registry; the worker unlinks and frees it.  -1: no memory
 * for the message, the SA stays as it was (a retry may succeed). */
static int
dpu_remove(struct dp_backend *b, struct dpu_sa *s)
{
	dpu_reg_unlink(b, s);	/* first: inline, the post frees it */
	if (dpu_post_del(b, s) == -1) {
		dpu_reg_link(b, s);
		return -1;
	}
	return 0;
}

static int
dpu_sa_del(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpu_sa	*s;

	if ((s = dpu_find(b, spi, inbound)) == NULL)
		return -1;
	rg_info(ESP, "SA %s %08x deleted (%llu packets, %llu bytes)",
	    inbound ? "in" : "out", spi,
	    (unsigned long long)dpu_ctr_get(&s->ctr.packets),
	    (unsigned long long)dpu_ctr_get(&s->ctr.bytes));
	return dpu_remove(b, s);
}

static int
dpu_sa_update_addrs(struct dp_backend *b, uint32_t reqid,
    const struct sockaddr *l, const struct sockaddr *p, bool encap)
{
	struct dpu_sa	*s;
	int		 n = 0;

	if (!encap && dpu_raw_open(b, p->sa_family) == -1)
		return -1;
	TAILQ_FOREACH(s, &b->sas, entry) {
		if (s->reqid != reqid)
			continue;
		if (dpu_post_addrs(b, s, l, p, encap) == -1)
			return -1;
		n++;
	}
	return n ? 0 : -1;
}

static void
dpu_ctr_read(const struct dpu_sa *s, struct dp_counters *c)
{
	c->bytes = dpu_ctr_get(&s->ctr.bytes);
	c->packets = dpu_ctr_get(&s->ctr.packets);
	c->replay_drops = dpu_ctr_get(&s->ctr.replay_drops);
	c->auth_drops = dpu_ctr_get(&s->ctr.auth_drops);
	c->other_drops = dpu_ctr_get(&s->ctr.other_drops);
	c->last_used_ms = dpu_ctr_get(&s->ctr.last_used_ms);
}

static int
dpu_sa_counters(struct dp_backend *b, uint32_t spi, bool inbound,
    struct dp_counters *c)
{
	struct dpu_sa	*s;

	if ((s = dpu_find(b, spi, inbound)) == NULL)
		return -1;
	dpu_ctr_read(s, c);
	return 0;
}

/* ---- lifetimes (RFC 4301 4.4.2.1): soft -> rekey, hard -> gone ---- */

struct dpu_exp {
	uint32_t	 spi, reqid;
	bool		 inbound, hard;
};

static void
dpu_life(struct rg_timer *t)
{
	struct dp_backend	*b = t->arg;
	struct dpu_exp		*ex = NULL, *nx;
	struct dpu_sa		*s, *tmp;
	struct dp_counters	 c;
	uint64_t		 now = rg_now_ms(), age;
	size_t			 n = 0, cap = 0, i;
	bool			 hard, soft;

	for (s = TAILQ_FIRST(&b->sas); s != NULL; s = tmp) {
		tmp = TAILQ_NEXT(s, entry);
		age = (now - s->added_ms) / 1000;
		dpu_ctr_read(s, &c);
		/* outbound: one sequence number per packet sent; rekey
		 * well before it would wrap (RFC 4303 3.3.3) */
		hard = (s->hard_bytes && c.bytes >= s->hard_bytes) ||
		    (s->hard_time_s && age >= s->hard_time_s) ||
		    (!s->inbound && c.packets >= (s->esp.esn ?
		    UINT64_MAX - 1 : UINT32_MAX - 1));
		soft = !s->soft_done && ((s->soft_bytes &&
		    c.bytes >= s->soft_bytes) ||
		    (s->soft_time_s && age >= s->soft_time_s));
		if (!hard && !soft)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nx = realloc(ex, cap * sizeof(*ex))) == NULL)
				break;
			ex = nx;
		}
		ex[n].spi = s->spi;
		ex[n].reqid = s->reqid;
		ex[n].inbound = s->inbound;
		ex[n].hard = hard;
		if (!hard)
			rg_info(ESP, "SA %s %08x reqid %u: soft lifetime",
			    s->inbound ? "in" : "out", s->spi, s->reqid);
		else if (dpu_remove(b, s) == -1)
			continue;	/* no memory: again in a second */
		else
			rg_notice(ESP, "SA %s %08x reqid %u: hard lifetime, "
			    "removed", ex[n].inbound ? "in" : "out", ex[n].spi,
			    ex[n].reqid);
		n++;
		if (!hard)
			s->soft_done = true;	/* s is gone when hard */
	}
	/* callbacks last: they may add or delete SAs */
	for (i = 0; i < n; i++)
		if (b->ev.expire != NULL)
			b->ev.expire(b->ev.arg, ex[i].reqid, ex[i].spi,
			    ex[i].inbound, ex[i].hard);
	free(ex);
	rg_timer_start(b->loop, &b->life, 1000);
}

/* ---- routes, sockets, injection ---- */

static int
dpu_route_add(struct dp_backend *b, const struct rg_prefix *p)
{
	struct rg_prefix	*n;

	if (b->nroutes >= DPU_MAX_ROUTES ||
	    dp_nl_route(b->nl, b->ifindex, p, true) == -1)
		return -1;
	if ((n = realloc(b->routes, (b->nroutes + 1) * sizeof(*n))) == NULL)
		return -1;
	b->routes = n;
	b->routes[b->nroutes++] = *p;
	return 0;
}

static int
dpu_route_del(struct dp_backend *b, const struct rg_prefix *p)
{
	size_t	 i;

	for (i = 0; i < b->nroutes; i++)
		if (b->routes[i].af == p->af && b->routes[i].plen == p->plen &&
		    memcmp(b->routes[i].addr, p->addr, 16) == 0) {
			b->routes[i] = b->routes[--b->nroutes];
			return dp_nl_route(b->nl, b->ifindex, p, false);
		}
	return -1;
}

static void
dpu_set_encap_socket(struct dp_backend *b, int af, int fd)
{
	dpu_sockbufs(fd);	/* ESP shares it with IKE: size it for ESP */
	if (af == AF_INET)
		b->encap4 = fd;
	else
		b->encap6 = fd;
	if (b->w[0]->threaded && dpu_udp_join(b, af, fd) == 0)
		rg_info(ESP, "UDP 4500 (IPv%d): ESP steered by SPI to %u "
		    "worker sockets", af == AF_INET ? 4 : 6, b->nw);
}

static void
dpu_stats(struct dp_backend *b, struct dp_stats *st)
{
	struct dpu_stats	 s;

	dp_user_stats(b, -1, &s);
	st->workers = b->nw;
	st->steered = b->steered || b->nw == 1;
	st->packets = s.packets;
	st->handed = s.handed;
	st->no_sa_in = s.no_sa_in;
	st->no_sa_out = s.no_sa_out;
	st->bad_inner = s.bad_inner;
	st->policy = s.policy;
	st->tx_err = s.tx_err;
	st->ring_full = s.ring_full;
}

static bool
dpu_encap_shared(struct dp_backend *b)
{
	return b->w[0]->threaded;
}

static int
dpu_send_to_client(struct dp_backend *b, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	struct dpu_sa	*s;

	TAILQ_FOREACH(s, &b->sas, entry)
		if (!s->inbound && s->reqid == reqid)
			break;
	if (s == NULL)
		return -1;
	return dpu_post_inject(b, s, pkt, len);
}

static void
dpu_free(struct dp_backend *b)
{
	struct dpu_sa	*s;
	size_t		 i;

	if (b == NULL)
		return;
	rg_timer_stop(b->loop, &b->life);
	for (i = 0; i < b->nroutes; i++)	/* while the device is up */
		dp_nl_route(b->nl, b->ifindex, &b->routes[i], false);
	free(b->routes);
	dpu_workers_stop(b);	/* threads joined: the SAs are ours */
	while ((s = TAILQ_FIRST(&b->sas)) != NULL) {
		dpu_reg_unlink(b, s);
		dpu_sa_free(s);
	}
	dp_nl_close(b->nl);
	free(b);
}

/*
 * The ICMP "fragmentation needed" a worker writes into the TUN (dpu_send)
 * has the SA's local outer address as its source, an address of this
 * host: the kernel drops such a packet as a martian unless the device
 * has accept_local, and the sender never learns the tunnel MTU (RFC
 * 1191).  The device is ours and goes with us: nothing to put back.
 */
static void
dpu_tun_accept_local(const char *ifname)
{
	char	 path[96];
	int	 fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/accept_local",
	    ifname);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, "1", 1) != 1)
		rg_warn(ESP, "%s: %s; senders will not learn the tunnel MTU",
		    path, strerror(errno));
	if (fd != -1)
		close(fd);
}

static struct dp_backend *
dpu_new(struct rg_loop *loop, const char *tun_name, int threads,
    const struct dp_events *ev)
{
	struct dp_backend	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->loop = loop;
	if (ev != NULL)
		b->ev = *ev;
	b->encap4 = b->encap6 = -1;
	pthread_mutex_init(&b->up_mtx, NULL);
	b->up_tail = &b->up;
	b->up_fd = b->up_io.fd = -1;
	TAILQ_INIT(&b->sas);
	rg_timer_init(&b->life, dpu_life, b);
	if ((b->nl = dp_nl_open()) == NULL) {
		rg_err(ESP, "rtnetlink socket failed");
		goto fail;
	}
	if (dpu_workers_start(b, threads, tun_name ? tun_name : "rg0") == -1)
		goto fail;
	if ((b->ifindex = dp_nl_ifindex(b->nl, b->ifname)) <= 0 ||
	    dp_nl_link_up(b->nl, b->ifindex, DPU_TUN_MTU) == -1)
		goto fail;
	dpu_tun_accept_local(b->ifname);
	rg_timer_start(loop, &b->life, 1000);
	rg_notice(ESP, "userspace ESP on TUN %s (ifindex %d, MTU %d%s), %u "
	    "%s%s", b->ifname, b->ifindex, DPU_TUN_MTU,
	    b->vnet ? ", TCP coalescing" : "", b->nw,
	    b->w[0]->threaded ? (b->nw == 1 ? "worker thread" :
	    "worker threads") : "worker on the main loop",
	    b->nw > 1 ? (b->steered ? ", queues steered by BPF" :
	    ", no BPF steering") : "");
	return b;
fail:
	dpu_workers_stop(b);
	dp_nl_close(b->nl);
	free(b);
	return NULL;
}

const struct dp_ops dp_user_ops = {
	.name = "userspace",
	.new = dpu_new,
	.free = dpu_free,
	.sa_add = dpu_sa_add,
	.sa_del = dpu_sa_del,
	.sa_update_addrs = dpu_sa_update_addrs,
	.sa_counters = dpu_sa_counters,
	.route_add = dpu_route_add,
	.route_del = dpu_route_del,
	.set_encap_socket = dpu_set_encap_socket,
	.encap_shared = dpu_encap_shared,
	.stats = dpu_stats,
	.udp_input = dpu_udp_input,
	.send_to_client = dpu_send_to_client,
};
