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
 * Threads: one, the loop thread.  Multi-queue TUN with a worker per core
 * is designed but not built, because on the machines we test on it
 * cannot pay (measured below).  The design, for when it can:
 *  - N workers (one per core), each with its own epoll, its own TUN queue
 *    (IFF_MULTI_QUEUE, one fd per queue), its own batch buffers (the
 *    tx/rx arrays now in struct dp_backend) and raw send sockets.
 *  - Every SA has exactly one owning worker, so its sequence counter,
 *    replay window, counters and EVP contexts have one writer and need no
 *    lock or atomic per packet (copies per worker would multiply the
 *    ~1.1 KB of OpenSSL state per SA by N).  Outbound: a
 *    TUNSETSTEERINGEBPF program picks the queue by a hash of the inner
 *    destination (the client's vip), and the outbound SA lives on that
 *    worker.  Inbound: by a hash of the SPI.
 *  - ESP-in-UDP arrives on IKE's 4500 socket (ike_sock.c owns it; a
 *    second SO_REUSEPORT socket on 4500 is not possible without it).
 *    Either the loop thread's dp_udp_input copies each packet into the
 *    SPI owner's single-producer ring and kicks its eventfd (costs a
 *    copy on the loop thread), or, better, ike_sock.c sets SO_REUSEPORT
 *    and joins N worker sockets in one group with a classic BPF selector
 *    (SO_ATTACH_REUSEPORT_CBPF): non-ESP marker or keepalive -> IKE's
 *    socket, else 1 + SPI mod N.  Raw ESP cannot be sharded (every raw
 *    socket sees every packet): one raw reader dispatches by SPI.
 *  - SA add/delete/update_addrs and send_to_client are messages from the
 *    loop thread to the owner's queue (mutex + eventfd per message, never
 *    per packet); the worker links/unlinks in its private tables and
 *    hands freed SAs back.  The loop thread reads counters with relaxed
 *    64-bit loads for dp_sa_counters() and lifetimes; expire and
 *    dhcp_inform go back to the loop thread through an eventfd queue.
 *  - GRO and ICMP "too big" per worker, on its own TUN queue.
 * Why not now: on the 2-core test machine an iperf3 TCP stream through
 * two dp-static ends (AES-128-GCM, ESP-in-UDP; both ends, iperf3 and the
 * kernel on the same 2 cores) ran at 837-860 Mbit/s with the machine at
 * 100% busy while the server end used 37-39% and the client end 49-52%
 * of one core: the single thread is not the bottleneck, the kernel's
 * veth/TUN/forwarding work is, and more threads would only add handoff
 * cost.  The same day tests/bench/esp.sh gave esp_tunnel_mbit_s 1378
 * (strongSwan kernel-libipsec 226, ratio 6.1; CBC/SHA-256 1044 vs 189)
 * and esp_loop_vs_evp 1.13 (GCM; CBC/SHA-256 0.93): one thread already
 * runs the codec at raw EVP speed.  Worth building on a many-core host
 * whose NIC, not veth on the same cores, carries the traffic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
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

/* Rate-limited debug line for drops: the first 20, then every 10000th. */
static void
dpu_drop(struct dp_backend *b, const char *what, uint32_t spi, const char *why)
{
	b->ndrop_logs++;
	if (b->ndrop_logs <= 20 || b->ndrop_logs % 10000 == 0)
		rg_debug(ESP, "drop %s SPI %08x: %s (%u drops logged)", what,
		    spi, why, b->ndrop_logs);
}

static struct dpu_sa *
dpu_find(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpu_sa	*s;

	if (inbound) {
		for (s = b->spi_tab[dpu_spi_hash(spi)]; s; s = s->hnext)
			if (s->spi == spi)
				return s;
		return NULL;
	}
	TAILQ_FOREACH(s, &b->sas, entry)
		if (!s->inbound && s->spi == spi)
			return s;
	return NULL;
}

/* ---- outbound: TUN -> ESP ---- */

static struct dpu_sa *
dpu_lookup_out(struct dp_backend *b, const struct dp_pkt *k)
{
	size_t		 alen = dpu_alen(k->af);
	struct dpu_sa	*s;

	for (s = b->host_tab[dpu_addr_hash(k->dst, alen)]; s; s = s->hnext)
		if (s->host_af == k->af && memcmp(s->host, k->dst, alen) == 0 &&
		    dp_ts_match(DPU_TS_LOCAL(s), s->nts_local, k->af, k->src,
		    k->proto, k->sport))
			return s;
	TAILQ_FOREACH(s, &b->sas, entry)
		if (!s->inbound && !s->hosted && s->mode == DP_MODE_TUNNEL &&
		    dp_ts_match(DPU_TS_REMOTE(s), s->nts_remote, k->af, k->dst,
		    k->proto, k->dport) &&
		    dp_ts_match(DPU_TS_LOCAL(s), s->nts_local, k->af, k->src,
		    k->proto, k->sport))
			return s;
	return NULL;
}

static void
dpu_count(struct dpu_sa *s, size_t len)
{
	s->ctr.bytes += len;
	s->ctr.packets++;
	s->ctr.last_used_ms = rg_now_ms();
}

/* Encrypt one inner packet for sa and queue it. */
static void
dpu_send(struct dp_backend *b, struct dpu_sa *sa, uint8_t *pkt,
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
			    b->icmp + DP_VNET_HDR, DPU_BUF);
		} else {
			l6 = (const struct sockaddr_in6 *)&sa->local;
			n = dp_icmp_too_big(pkt, k, mtu < 1280 ? 1280 : mtu,
			    sa->local.sa.sa_family == AF_INET6 ?
			    (const uint8_t *)&l6->sin6_addr : k->dst,
			    b->icmp + DP_VNET_HDR, DPU_BUF);
		}
		if (n > 0)
			dpu_tun_write(b, b->icmp + DP_VNET_HDR, n);
		sa->ctr.other_drops++;
		return;
	}
	if (b->txn == DPU_BATCH)
		dpu_flush(b);
	if (sa->mode == DP_MODE_TRANSPORT)	/* RFC 4303 3.1.1: the payload */
		rc = esp_encrypt(&sa->esp, k->proto, pkt + k->l4off,
		    k->len - k->l4off, b->txbuf[b->txn], DPU_BUF, &olen);
	else
		rc = esp_encrypt(&sa->esp, k->af == AF_INET ? ESP_NH_IPV4 :
		    ESP_NH_IPV6, pkt, k->len, b->txbuf[b->txn], DPU_BUF, &olen);
	if (rc != 0) {
		sa->ctr.other_drops++;
		dpu_drop(b, "out", sa->spi, esp_err_str(rc));
		return;
	}
	dpu_count(sa, k->len);
	dpu_tx_queue(b, sa, olen, k->tos & 0xfc);
}

static void
dpu_outbound(struct dp_backend *b, uint8_t *pkt, size_t len)
{
	struct dp_pkt	 k;
	struct dpu_sa	*sa;

	if (dp_pkt_parse(pkt, len, &k) == -1) {
		b->st.bad_inner++;
		return;
	}
	if ((sa = dpu_lookup_out(b, &k)) == NULL) {
		b->st.no_sa_out++;
		return;
	}
	dpu_send(b, sa, pkt, &k);
}

static void
dpu_tun_read(struct rg_io *io, uint32_t events)
{
	struct dp_backend	*b = io->arg;
	ssize_t			 n;
	int			 i;

	(void)events;
	/* one read per packet (TUN has no batch read); one flush per wakeup */
	for (i = 0; i < DPU_BATCH * 2; i++) {
		n = read(b->tunfd, b->plain, sizeof(b->plain));
		if (n <= 0)
			break;
		if (b->vnet) {	/* no offloads asked: never GSO, csum done */
			if (n < DP_VNET_HDR || b->plain[1] != 0) {
				b->st.bad_inner++;
				continue;
			}
			dpu_outbound(b, b->plain + DP_VNET_HDR,
			    (size_t)n - DP_VNET_HDR);
		} else
			dpu_outbound(b, b->plain, (size_t)n);
	}
	dpu_flush(b);
}

/* ---- inbound: ESP -> TUN ---- */

static void
dpu_deliver(struct dp_backend *b, struct dpu_sa *sa, uint8_t *p, size_t len,
    uint8_t nh)
{
	const struct sockaddr_in *pl, *ll;
	struct dp_pkt	 k;
	uint8_t		*h;
	bool		 dhcp;

	if (sa->mode == DP_MODE_TRANSPORT) {
		/* RFC 4303 3.1.1: rebuild the IPv4 header from the outer
		 * addresses; NAT-T transport: UDP checksum zeroed (RFC 3948
		 * 3.1.2, the outer addresses it covered were translated). */
		if (sa->peer.sa.sa_family != AF_INET || len + 20 > DPU_BUF ||
		    len + 20 > 0xffff) {
			sa->ctr.other_drops++;
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
		b->st.bad_inner++;
		sa->ctr.other_drops++;
		return;
	}
	/* A DHCPINFORM (UDP 68 -> 67) is answered by us and never reaches
	 * the TUN, whatever its destination: Windows may send it to the
	 * broadcast address, outside a split profile's TS (PRODUCT.md 3). */
	dhcp = b->ev.dhcp_inform != NULL && k.af == AF_INET &&
	    k.proto == IPPROTO_UDP && k.dport == 67 && k.sport == 68;
	/* RFC 4301 5.2 step 4: the packet must match the SA's TS (in
	 * transport mode the rebuilt header carries the outer addresses);
	 * the source always, the destination unless it is for us (DHCP). */
	if ((sa->nts_remote > 0 || sa->mode == DP_MODE_TUNNEL) &&
	    (!dp_ts_match(DPU_TS_REMOTE(sa), sa->nts_remote, k.af, k.src, k.proto,
	    k.sport) || (!dhcp && !dp_ts_match(DPU_TS_LOCAL(sa), sa->nts_local,
	    k.af, k.dst, k.proto, k.dport)))) {
		b->st.policy++;
		sa->ctr.other_drops++;
		dpu_drop(b, "in", sa->spi, "inner packet outside the TS");
		return;
	}
	if (dhcp) {
		b->ev.dhcp_inform(b->ev.arg, sa->reqid, p, k.len);
		return;
	}
	if (sa->mss_clamp)
		dp_mss_clamp(p, &k, sa->mss_clamp);
	dpu_to_tun(b, p, k.len);
}

static void
dpu_inbound(struct dp_backend *b, const uint8_t *esp, size_t len)
{
	struct dpu_sa	*sa;
	uint64_t	 seq;
	size_t		 olen;
	uint32_t	 spi;
	uint8_t		 nh;
	int		 rc;

	if (len < ESP_HDR_LEN) {
		b->st.no_sa_in++;
		return;
	}
	spi = rg_get_u32(esp);
	if ((sa = dpu_find(b, spi, true)) == NULL) {
		b->st.no_sa_in++;
		dpu_drop(b, "in", spi, "unknown SPI");
		return;
	}
	/* keep 20 bytes in front for a transport-mode header */
	rc = esp_decrypt(&sa->esp, esp, len, b->plain + DPU_HEAD, DPU_BUF,
	    &olen, &nh, &seq);
	if (rc != 0) {
		if (rc == -ESP_E_REPLAY)
			sa->ctr.replay_drops++;
		else if (rc == -ESP_E_AUTH)
			sa->ctr.auth_drops++;
		else
			sa->ctr.other_drops++;
		dpu_drop(b, "in", spi, esp_err_str(rc));
		return;
	}
	dpu_count(sa, olen);
	if (nh == ESP_NH_DUMMY)
		return;			/* RFC 4303 2.6: TFC dummy */
	dpu_deliver(b, sa, b->plain + DPU_HEAD, olen, nh);
}

static void
dpu_udp_input(struct dp_backend *b, const uint8_t *pkt, size_t len,
    const struct sockaddr *from, const struct sockaddr *to)
{
	(void)from;
	(void)to;
	dpu_inbound(b, pkt, len);
	dpu_flush(b);	/* ICMP replies or nothing; keeps order simple */
}

void
dpu_raw_read(struct rg_io *io, uint32_t events)
{
	struct dp_backend	*b = io->arg;
	bool			 v4 = io == &b->raw4_io;
	size_t			 hl, len;
	int			 n, i, round;

	(void)events;
	for (round = 0; round < 4; round++) {
		for (i = 0; i < DPU_BATCH; i++) {
			b->rxiov[i].iov_base = b->rxbuf[i];
			b->rxiov[i].iov_len = DPU_BUF;
			memset(&b->rxm[i].msg_hdr, 0, sizeof(struct msghdr));
			b->rxm[i].msg_hdr.msg_iov = &b->rxiov[i];
			b->rxm[i].msg_hdr.msg_iovlen = 1;
			b->rxm[i].msg_hdr.msg_name = &b->rxaddr[i];
			b->rxm[i].msg_hdr.msg_namelen = sizeof(b->rxaddr[i]);
		}
		n = recvmmsg(io->fd, b->rxm, DPU_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			len = b->rxm[i].msg_len;
			if (b->rxm[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			hl = 0;
			if (v4) {	/* IPv4 raw sockets see the header */
				if (len < 20)
					continue;
				hl = (size_t)(b->rxbuf[i][0] & 0x0f) * 4;
				if (hl < 20 || hl > len)
					continue;
			}
			dpu_inbound(b, b->rxbuf[i] + hl, len - hl);
		}
		if (n < DPU_BATCH)
			break;
	}
	dpu_flush(b);
}

/* ---- SA table ---- */

static void
dpu_unlink(struct dp_backend *b, struct dpu_sa *s)
{
	struct dpu_sa	**pp;

	pp = s->inbound ? &b->spi_tab[dpu_spi_hash(s->spi)] :
	    s->hosted ? &b->host_tab[dpu_addr_hash(s->host,
	    dpu_alen(s->host_af))] : NULL;
	for (; pp && *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	TAILQ_REMOVE(&b->sas, s, entry);
}

static void
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
	unsigned	 h;

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
		rg_warn(ESP, "SA %08x: transform %d/%d key %zu unsupported",
		    d->spi, d->encr, d->integ, d->encr_key_len);
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
	if (s->inbound) {
		h = dpu_spi_hash(s->spi);
		s->hnext = b->spi_tab[h];
		b->spi_tab[h] = s;
	} else if (dpu_host_key(d, &s->host_af, s->host)) {
		s->hosted = true;
		h = dpu_addr_hash(s->host, dpu_alen(s->host_af));
		s->hnext = b->host_tab[h];	/* newest first: rekeys win */
		b->host_tab[h] = s;
	}
	TAILQ_INSERT_HEAD(&b->sas, s, entry);
	rg_log_peer(RG_T_ESP, RG_L_INFO, (const struct sockaddr *)&d->peer,
	    d->spi, 0, "SA %s %08x reqid %u %s%s added", s->inbound ? "in" :
	    "out", s->spi, s->reqid, s->mode == DP_MODE_TUNNEL ? "tunnel" :
	    "transport", s->encap ? " udp-encap" : "");
	return 0;
}

static int
dpu_sa_del(struct dp_backend *b, uint32_t spi, bool inbound)
{
	struct dpu_sa	*s;

	if ((s = dpu_find(b, spi, inbound)) == NULL)
		return -1;
	dpu_unlink(b, s);
	rg_info(ESP, "SA %s %08x deleted (%llu packets, %llu bytes)",
	    inbound ? "in" : "out", spi, (unsigned long long)s->ctr.packets,
	    (unsigned long long)s->ctr.bytes);
	dpu_sa_free(s);
	return 0;
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
		memcpy(&s->local, l, l->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		memcpy(&s->peer, p, p->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		s->encap = encap;
		n++;
	}
	return n ? 0 : -1;
}

static int
dpu_sa_counters(struct dp_backend *b, uint32_t spi, bool inbound,
    struct dp_counters *c)
{
	struct dpu_sa	*s;

	if ((s = dpu_find(b, spi, inbound)) == NULL)
		return -1;
	*c = s->ctr;
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
	uint64_t		 now = rg_now_ms(), age;
	size_t			 n = 0, cap = 0, i;
	bool			 hard, soft;

	for (s = TAILQ_FIRST(&b->sas); s != NULL; s = tmp) {
		tmp = TAILQ_NEXT(s, entry);
		age = (now - s->added_ms) / 1000;
		hard = (s->hard_bytes && s->ctr.bytes >= s->hard_bytes) ||
		    (s->hard_time_s && age >= s->hard_time_s) ||
		    s->esp.seq >= (s->esp.esn ? UINT64_MAX - 1 : UINT32_MAX - 1);
		soft = !s->soft_done && ((s->soft_bytes &&
		    s->ctr.bytes >= s->soft_bytes) ||
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
		n++;
		s->soft_done = true;
		if (hard) {
			rg_notice(ESP, "SA %s %08x reqid %u: hard lifetime, "
			    "removed", s->inbound ? "in" : "out", s->spi,
			    s->reqid);
			dpu_unlink(b, s);
			dpu_sa_free(s);
		} else
			rg_info(ESP, "SA %s %08x reqid %u: soft lifetime",
			    s->inbound ? "in" : "out", s->spi, s->reqid);
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
}

static int
dpu_send_to_client(struct dp_backend *b, uint32_t reqid, const uint8_t *pkt,
    size_t len)
{
	struct dpu_sa	*s;
	struct dp_pkt	 k;

	if (len > sizeof(b->inject))
		return -1;
	TAILQ_FOREACH(s, &b->sas, entry)
		if (!s->inbound && s->reqid == reqid)
			break;
	if (s == NULL)
		return -1;
	memcpy(b->inject, pkt, len);
	if (dp_pkt_parse(b->inject, len, &k) == -1)
		return -1;
	dpu_send(b, s, b->inject, &k);
	dpu_flush(b);
	return 0;
}

static void
dpu_free(struct dp_backend *b)
{
	struct dpu_sa	*s;
	size_t		 i;

	if (b == NULL)
		return;
	rg_timer_stop(b->loop, &b->life);
	rg_timer_stop(b->loop, &b->gro_t);
	while ((s = TAILQ_FIRST(&b->sas)) != NULL) {
		dpu_unlink(b, s);
		dpu_sa_free(s);
	}
	for (i = 0; i < b->nroutes; i++)
		dp_nl_route(b->nl, b->ifindex, &b->routes[i], false);
	free(b->routes);
	if (b->raw4 != -1) {
		rg_io_del(b->loop, &b->raw4_io);
		close(b->raw4);
	}
	if (b->raw6 != -1) {
		rg_io_del(b->loop, &b->raw6_io);
		close(b->raw6);
	}
	if (b->tunfd != -1) {
		rg_io_del(b->loop, &b->tun_io);
		close(b->tunfd);	/* the device goes with the fd */
	}
	dp_nl_close(b->nl);
	free(b);
}

static struct dp_backend *
dpu_new(struct rg_loop *loop, const char *tun_name, const struct dp_events *ev)
{
	struct dp_backend	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->loop = loop;
	if (ev != NULL)
		b->ev = *ev;
	b->encap4 = b->encap6 = b->raw4 = b->raw6 = b->tunfd = -1;
	TAILQ_INIT(&b->sas);
	rg_timer_init(&b->life, dpu_life, b);
	rg_timer_init(&b->gro_t, dpu_gro_timer, b);
	if ((b->nl = dp_nl_open()) == NULL) {
		rg_err(ESP, "rtnetlink socket failed");
		goto fail;
	}
	b->vnet = true;		/* dp_tun_open() falls back without it */
	if ((b->tunfd = dp_tun_open(tun_name ? tun_name : "rg0",
	    b->ifname, &b->vnet)) == -1)
		goto fail;
	if ((b->ifindex = dp_nl_ifindex(b->nl, b->ifname)) <= 0 ||
	    dp_nl_link_up(b->nl, b->ifindex, DPU_TUN_MTU) == -1)
		goto fail;
	b->tun_io.fd = b->tunfd;
	b->tun_io.cb = dpu_tun_read;
	b->tun_io.arg = b;
	if (rg_io_add(loop, &b->tun_io, EPOLLIN) == -1)
		goto fail;
	rg_timer_start(loop, &b->life, 1000);
	rg_notice(ESP, "userspace ESP on TUN %s (ifindex %d, MTU %d%s)",
	    b->ifname, b->ifindex, DPU_TUN_MTU,
	    b->vnet ? ", TCP coalescing" : "");
	return b;
fail:
	if (b->tunfd != -1) {
		close(b->tunfd);
		b->tunfd = -1;
	}
	dp_nl_close(b->nl);
	b->nl = NULL;
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
	.udp_input = dpu_udp_input,
	.send_to_client = dpu_send_to_client,
};
