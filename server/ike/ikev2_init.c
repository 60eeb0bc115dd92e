/*
 * ikev2_init.c: the IKE_SA_INIT exchange as responder (RFC 7296 1.2):
 * proposal choice (2.7), INVALID_KE_PAYLOAD (1.2), cookies (2.6) once the
 * half-open SAs pass settings.cookie_threshold, a per-source half-open
 * limit, NAT detection (2.23), IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383),
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427) and CERTREQ (3.7).
 */
#include <string.h>

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cred.h"
#include "ikev2_int.h"

struct init_req {
	struct ikev2_sa_pl	 sa;
	struct ikev2_ke		 ke;
	const uint8_t		*ni;
	size_t			 nilen;
	const uint8_t		*cookie;
	size_t			 cookielen;
	const uint8_t		*nat_src, *nat_dst;
	bool			 frag, sighash;
	uint16_t		 hashes;
};

static void
addr_bytes(const struct sockaddr *s, const uint8_t **a, size_t *alen,
    uint16_t *port)
{
	if (s->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)s;

		*a = s6->sin6_addr.s6_addr;
		*alen = 16;
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)s;

		*a = (const uint8_t *)&s4->sin_addr;
		*alen = 4;
		*port = ntohs(s4->sin_port);
	}
}

/* SHA1(SPIi | SPIr | IP | Port) (RFC 7296 2.23). */
void
ikev2_natd_hash(uint64_t spi_i, uint64_t spi_r, const struct sockaddr *s,
    uint8_t out[20])
{
	uint8_t		 buf[16 + 16 + 2];
	const uint8_t	*a;
	size_t		 alen;
	uint16_t	 port;
	unsigned int	 olen;

	for (int i = 0; i < 8; i++) {
		buf[i] = (uint8_t)(spi_i >> (56 - 8 * i));
		buf[8 + i] = (uint8_t)(spi_r >> (56 - 8 * i));
	}
	addr_bytes(s, &a, &alen, &port);
	memcpy(buf + 16, a, alen);
	rg_put_u16(buf + 16 + alen, port);
	EVP_Digest(buf, 18 + alen, out, &olen, EVP_sha1(), NULL);
}

static void
cookie_make(struct ikev2_engine *e, const struct init_req *r, uint64_t spi_i,
    const struct sockaddr *from, uint8_t out[32])
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	const uint8_t	*a;
	size_t		 alen;
	uint16_t	 port;
	uint8_t		 spi[8];
	unsigned int	 olen;

	addr_bytes(from, &a, &alen, &port);
	rg_put_u32(spi, (uint32_t)(spi_i >> 32));
	rg_put_u32(spi + 4, (uint32_t)spi_i);
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) <= 0 ||
	    EVP_DigestUpdate(c, r->ni, r->nilen) <= 0 ||
	    EVP_DigestUpdate(c, a, alen) <= 0 ||
	    EVP_DigestUpdate(c, spi, 8) <= 0 ||
	    EVP_DigestUpdate(c, e->cookie_secret, 32) <= 0 ||
	    EVP_DigestFinal_ex(c, out, &olen) <= 0)
		memset(out, 0, 32);
	EVP_MD_CTX_free(c);
}

static int
parse(const struct ikev2_msg *m, struct init_req *r)
{
	bool	 have_sa = false, have_ke = false;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < m->npl; i++) {
		const struct ikev2_pl *p = &m->pl[i];
		struct rg_rd	 rd;
		struct ikev2_notify n;

		rg_rd_init(&rd, p->body, p->len);
		switch (p->type) {
		case IKEV2_PL_SA:
			if (have_sa || ikev2_sa_decode(&rd, &r->sa) < 0)
				return -1;
			have_sa = true;
			break;
		case IKEV2_PL_KE:
			if (have_ke || ikev2_ke_decode(&rd, &r->ke) < 0)
				return -1;
			have_ke = true;
			break;
		case IKEV2_PL_NONCE:
			if (p->len < IKEV2_NONCE_MIN || p->len > IKEV2_NONCE_MAX)
				return -1;
			r->ni = p->body;
			r->nilen = p->len;
			break;
		case IKEV2_PL_N:
			if (ikev2_notify_decode(&rd, &n) < 0)
				return -1;
			switch (n.type) {
			case IKEV2_N_COOKIE:
				r->cookie = n.data;
				r->cookielen = n.len;
				break;
			case IKEV2_N_NAT_DETECTION_SOURCE_IP:
				if (n.len == 20)
					r->nat_src = n.data;
				break;
			case IKEV2_N_NAT_DETECTION_DESTINATION_IP:
				if (n.len == 20)
					r->nat_dst = n.data;
				break;
			case IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED:
				r->frag = true;
				break;
			case IKEV2_N_SIGNATURE_HASH_ALGORITHMS:
				r->sighash = true;
				for (size_t k = 0; k + 1 < n.len; k += 2) {
					uint16_t h = rg_get_u16(n.data + k);

					if (h < 16)
						r->hashes |= (uint16_t)(1u << h);
				}
				break;
			}
			break;
		default:
			break;
		}
	}
	return (have_sa && have_ke && r->ni != NULL) ? 0 : -1;
}

/* Half-open SAs from from's host: its IPv4 address, or its IPv6 /64 (a
 * host is given a /64 and can source from any address in it, RFC 7421). */
static unsigned int
halfopen_from(struct ikev2_engine *e, const struct sockaddr *from)
{
	unsigned int	 n = 0;
	const uint8_t	*a, *b;
	size_t		 al, bl;
	uint16_t	 p;

	addr_bytes(from, &a, &al, &p);
	if (al == 16)
		al = 8;
	for (struct ikev2_sa *sa = e->all; sa != NULL; sa = sa->next) {
		if (sa->state != IKEV2_S_INIT_DONE &&
		    sa->state != IKEV2_S_EAP)
			continue;
		if (sa->peer.ss_family != from->sa_family)
			continue;
		addr_bytes((struct sockaddr *)&sa->peer, &b, &bl, &p);
		n += memcmp(a, b, al) == 0;
	}
	return n;
}

static void
copy_sockaddr(struct sockaddr_storage *d, const struct sockaddr *s)
{
	memset(d, 0, sizeof(*d));
	memcpy(d, s, s->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
}

void
ikev2_init_request(struct ikev2_engine *e, const struct ikev2_msg *m,
    const struct sockaddr *from, const struct sockaddr *to, int fd)
{
	struct init_req		*r;
	struct ikev2_sa		*sa;
	struct ikev2_chosen	 ch;
	struct ike_dh		*dh = NULL;
	struct rg_buf		*gir = NULL;
	struct ikev2_enc	 enc;
	struct ikev2_sa_pl	*sapl = NULL;
	struct ikev2_hdr	 h;
	uint8_t			*buf = NULL, pub[1100], hash[20];
	long			 publen, n;
	char			 peer[64];
	const struct rg_settings *st = &e->cfg->settings;

	if (m->hdr.spi_r != 0 || m->hdr.spi_i == 0)
		return;
	/* A retransmitted IKE_SA_INIT: the same answer again. */
	if ((sa = ikev2_sa_lookup_init(e, m->hdr.spi_i, from)) != NULL) {
		if (sa->hs != NULL && sa->hs->init_resp != NULL &&
		    sa->state == IKEV2_S_INIT_DONE &&
		    sa->hs->init_req->len == m->rawlen &&
		    memcmp(sa->hs->init_req->data, m->raw, m->rawlen) == 0) {
			e->ctr.retransmits_answered++;
			ikev2_send_raw(sa, sa->hs->init_resp->data,
			    sa->hs->init_resp->len);
		}
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return;
	rg_sa_str(from, peer, sizeof(peer));
	if (parse(m, r) < 0) {
		e->ctr.malformed++;
		rg_debug(IKE, "%s: malformed IKE_SA_INIT dropped", peer);
		goto out;
	}
	if (st->halfopen_per_ip != 0 &&
	    halfopen_from(e, from) >= st->halfopen_per_ip) {
		e->ctr.halfopen_drop++;
		rg_debug(IKE, "%s: too many half-open IKE SAs from this "
		    "address (IPv6: its /64), IKE_SA_INIT dropped", peer);
		goto out;
	}
	if (st->cookie_threshold != 0 && e->halfopen >= st->cookie_threshold) {
		uint8_t	 ck[32];

		cookie_make(e, r, m->hdr.spi_i, from, ck);
		if (r->cookie == NULL || r->cookielen != 32 ||
		    CRYPTO_memcmp(ck, r->cookie, 32) != 0) {
			e->ctr.cookies_sent++;
			rg_debug(IKE, "%s: %zu half-open SAs, asking for a "
			    "cookie", peer, e->halfopen);
			ikev2_send_notify_plain(e, &m->hdr, IKEV2_N_COOKIE, ck,
			    32, from, to, fd);
			goto out;
		}
	}
	if (ikev2_proposal_select(&r->sa, &e->ike_set, IKEV2_PROTO_IKE,
	    IKEV2_DHM_REQUIRED, r->ke.group, &ch) < 0) {
		char	*rx = malloc(2048), *cf = malloc(2048);
		char	 ak[128];

		e->ctr.no_proposal++;
		if (ikev2_sa_addke_required(&r->sa, IKEV2_PROTO_IKE, ak,
		    sizeof(ak)))
			rg_log_peer(RG_T_IKE, RG_L_WARN, from, m->hdr.spi_i, 0,
			    "IKE_SA_INIT: peer requires additional key "
			    "exchange %s (RFC 9370), not supported", ak);
		if (rx != NULL && cf != NULL) {
			ikev2_sa_str(&r->sa, rx, 2048);
			ikev2_pset_str(&e->ike_set, cf, 2048);
			rg_log_peer(RG_T_IKE, RG_L_WARN, from, m->hdr.spi_i, 0,
			    "IKE_SA_INIT: NO_PROPOSAL_CHOSEN\n  received %s\n"
			    "  configured %s", rx, cf);
		}
		free(rx);
		free(cf);
		ikev2_send_notify_plain(e, &m->hdr, IKEV2_N_NO_PROPOSAL_CHOSEN,
		    NULL, 0, from, to, fd);
		goto out;
	}
	if (ch.dh->id != r->ke.group) {
		uint8_t	 g[2];

		e->ctr.invalid_ke++;
		rg_put_u16(g, ch.dh->id);
		rg_log_peer(RG_T_IKE, RG_L_INFO, from, m->hdr.spi_i, 0,
		    "IKE_SA_INIT: KE of group %u, asking for %s "
		    "(INVALID_KE_PAYLOAD)", r->ke.group, ch.dh->name);
		ikev2_send_notify_plain(e, &m->hdr, IKEV2_N_INVALID_KE_PAYLOAD,
		    g, 2, from, to, fd);
		goto out;
	}
	if (r->ke.len != ch.dh->out || (dh = ike_dh_new(ch.dh->id)) == NULL ||
	    (gir = ike_dh_derive(dh, r->ke.data, r->ke.len)) == NULL ||
	    (publen = ike_dh_public(dh, pub, sizeof(pub))) < 0) {
		e->ctr.malformed++;
		rg_log_peer(RG_T_IKE, RG_L_INFO, from, m->hdr.spi_i, 0,
		    "IKE_SA_INIT: bad %s public value", ch.dh->name);
		ikev2_send_notify_plain(e, &m->hdr, IKEV2_N_INVALID_SYNTAX,
		    NULL, 0, from, to, fd);
		goto out;
	}
	if ((sa = ikev2_sa_new(e, m->hdr.spi_i)) == NULL)
		goto out;
	copy_sockaddr(&sa->peer, from);
	copy_sockaddr(&sa->local, to);
	sa->fd = fd;
	sa->alg = ch;
	sa->frag_ok = r->frag;
	sa->sig_hash_ok = r->sighash;
	sa->sig_hashes = r->hashes;
	sa->rx_msgid = 1;
	memcpy(sa->hs->ni, r->ni, r->nilen);
	sa->hs->nilen = r->nilen;
	sa->hs->nrlen = 32;
	if (ike_random(sa->hs->nr, sa->hs->nrlen) < 0 ||
	    ikev2_derive_ike(&sa->keys, ch.prf, ch.encr, ch.integ, gir,
	    sa->hs->ni, sa->hs->nilen, sa->hs->nr, sa->hs->nrlen, sa->spi_i, sa->spi_r, NULL,
	    NULL) < 0) {
		ikev2_sa_destroy(sa, "key derivation failed");
		goto out;
	}
	if (r->nat_src != NULL) {
		ikev2_natd_hash(sa->spi_i, 0, from, hash);
		sa->nat_peer = CRYPTO_memcmp(hash, r->nat_src, 20) != 0;
	}
	if (r->nat_dst != NULL) {
		ikev2_natd_hash(sa->spi_i, 0, to, hash);
		sa->nat_local = CRYPTO_memcmp(hash, r->nat_dst, 20) != 0;
	}

	/* HDR, SAr1, KEr, Nr, N(NAT_D)x2, [CERTREQ], [N(FRAG)], [N(SHA)] */
	memset(&h, 0, sizeof(h));
	h.spi_i = sa->spi_i;
	h.spi_r = sa->spi_r;
	h.exch = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_R;
	if ((buf = malloc(2048)) == NULL ||
	    (sapl = malloc(sizeof(*sapl))) == NULL) {
		ikev2_sa_destroy(sa, "out of memory");
		goto out;
	}
	ikev2_enc_init(&enc, buf, 2048, &h);
	ikev2_chosen_sa(&ch, NULL, 0, sapl);
	ikev2_put_sa(&enc, sapl);
	ikev2_put_ke(&enc, ch.dh->id, pub, (size_t)publen);
	ikev2_put_nonce(&enc, sa->hs->nr, sa->hs->nrlen);
	ikev2_natd_hash(sa->spi_i, sa->spi_r, to, hash);
	ikev2_put_notify(&enc, 0, NULL, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
	    hash, 20);
	ikev2_natd_hash(sa->spi_i, sa->spi_r, from, hash);
	ikev2_put_notify(&enc, 0, NULL, 0,
	    IKEV2_N_NAT_DETECTION_DESTINATION_IP, hash, 20);
	if (cred_has_ca(cred_of(sa->cfg))) {
		uint8_t	 cr[21];

		cr[0] = IKEV2_CERT_X509_SIG;
		memcpy(cr + 1, cred_ca_keyid(cred_of(sa->cfg)), 20);
		ikev2_put_raw(&enc, IKEV2_PL_CERTREQ, cr, sizeof(cr));
	}
	if (r->frag)
		ikev2_put_notify(&enc, 0, NULL, 0,
		    IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (cred_has_key(cred_of(sa->cfg))) {
		static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4 };

		ikev2_put_notify(&enc, 0, NULL, 0,
		    IKEV2_N_SIGNATURE_HASH_ALGORITHMS, hashes, sizeof(hashes));
	}
	if ((n = ikev2_enc_finish(&enc)) < 0 ||
	    (sa->hs->init_req = rg_buf_dup(m->raw, m->rawlen)) == NULL ||
	    (sa->hs->init_resp = rg_buf_dup(buf, (size_t)n)) == NULL) {
		ikev2_sa_destroy(sa, "cannot build IKE_SA_INIT response");
		goto out;
	}
	ikev2_send_raw(sa, buf, (size_t)n);
	{
		char	 alg[160];

		ikev2_chosen_str(&ch, alg, sizeof(alg));
		ikev2_log(sa, INFO, "IKE_SA_INIT: %s%s%s", alg,
		    sa->nat_peer ? ", peer behind NAT" : "",
		    sa->nat_local ? ", we are behind NAT" : "");
	}
out:
	free(buf);
	free(sapl);
	rg_buf_free(gir);
	ike_dh_free(dh);
	free(r);
}
