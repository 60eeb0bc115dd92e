/*
 * ikev2_initiator.h: a test-only IKEv2 initiator (RFC 7296) built on the
 * responder's own codec and crypto.  It drives the real responder through
 * any datagram path (the in-memory queue of test_ikev2_exchange, a UDP
 * socket in ikev2-loadgen): PSK authentication, a CP request, the first
 * CHILD_SA, CREATE_CHILD_SA rekeys (CHILD and IKE), DELETE, liveness.
 * Pure: no sockets, no timers; callers move the bytes.
 */
#ifndef IKEV2_INITIATOR_H
#define IKEV2_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rg_config.h"

struct evp_pkey_st;	/* EVP_PKEY */
struct ike_dh;
struct x509_st;		/* X509 */

struct ikev2_ini_conf {
	const char	*id;		/* IDi (ID_RFC822_ADDR or FQDN) */
	const uint8_t	*psk;
	size_t		 psklen;
	uint16_t	 encr, encr_keylen, prf, integ;	/* IKE (integ 0: AEAD) */
	uint16_t	 groups[4];	/* offered, groups[0] in the KE */
	uint16_t	 esp_encr, esp_keylen, esp_integ;
	bool		 want_vip;
	bool		 fake_nat;	/* random NAT-D: force UDP encapsulation */
	bool		 initial_contact;	/* N(INITIAL_CONTACT) in IKE_AUTH */
};

enum ikev2_ini_state {
	INI_START, INI_INIT_SENT, INI_AUTH_SENT, INI_ESTABLISHED,
	INI_REQ_SENT, INI_FAILED, INI_DELETED,
	INI_EAP,	/* an EAP message came: ikev2_ini_eap_msg() */
};

struct ikev2_ini;

struct ikev2_ini	*ikev2_ini_new(const struct ikev2_ini_conf *);
void			 ikev2_ini_free(struct ikev2_ini *);
enum ikev2_ini_state	 ikev2_ini_state(const struct ikev2_ini *);
uint64_t		 ikev2_ini_spi_i(const struct ikev2_ini *);
uint64_t		 ikev2_ini_spi_r(const struct ikev2_ini *);
/* The notify that failed us (e.g. 14, 17, 24), 0 if none. */
uint16_t		 ikev2_ini_error(const struct ikev2_ini *);
const struct rg_addr	*ikev2_ini_vip(const struct ikev2_ini *);
uint32_t		 ikev2_ini_child_spi(const struct ikev2_ini *, bool ours);
/* Number of TSr entries the responder narrowed to, and the first one. */
size_t			 ikev2_ini_tsr(const struct ikev2_ini *, uint8_t lo[4],
			    uint8_t hi[4]);
/* RFC 9370: offer these ADDKE1 transforms in IKE_SA_INIT (e.g. 36
 * ML-KEM-768), plus NONE when optional.  Before ikev2_ini_start. */
void			 ikev2_ini_set_addke1(struct ikev2_ini *,
			    const uint16_t *ids, size_t n, bool optional);
/* Authenticate with a certificate instead of the PSK: IDi is the
 * certificate's subject DN, a CERT payload carries it, and AUTH uses the
 * classic method given (1 RSA/SHA-1, 9/10/11 ECDSA) without
 * SIGNATURE_HASH_ALGORITHMS.  References are taken. */
void			 ikev2_ini_set_signer(struct ikev2_ini *,
			    struct evp_pkey_st *key, struct x509_st *cert,
			    uint8_t method);
/* Use this key pair (made ahead, e.g. before a timed run) for the first
 * KEi instead of generating one; ownership passes.  Before
 * ikev2_ini_start; a key of another group is replaced as usual. */
void			 ikev2_ini_set_dh(struct ikev2_ini *, struct ike_dh *);
/* CP: also ask INTERNAL_IP6_ADDRESS and INTERNAL_IP6_DNS. */
void			 ikev2_ini_set_want_v6(struct ikev2_ini *, bool);
/* The IPv6 address + prefix length received (zeros if none), the first
 * IPv6 DNS server; returns the number of IPv6 DNS servers. */
size_t			 ikev2_ini_v6(const struct ikev2_ini *, uint8_t vip[17],
			    uint8_t dns[16]);
/* The AUTH method of the responder's IKE_AUTH answer. */
uint8_t			 ikev2_ini_resp_auth(const struct ikev2_ini *);
/* Nonces of our CHILD rekey requests and answers: all octets = fill
 * (to decide RFC 7296 2.8.1 collisions), or random when fill < 0. */
void			 ikev2_ini_force_nonce(struct ikev2_ini *, int fill);
/*
 * A request from the responder in (CREATE_CHILD_SA rekeying a CHILD_SA,
 * INFORMATIONAL with DELETEs or empty): the length of our answer written
 * to out, -1 if not understood.  Does not change our own state except
 * recording the ESP SPIs the responder deleted.
 */
long			 ikev2_ini_answer(struct ikev2_ini *, const uint8_t *pkt,
			    size_t len, uint8_t *out, size_t cap);
/* An empty answer to the responder's request pkt, of exchange type exch
 * whatever the request's (a misbehaving peer). */
long			 ikev2_ini_answer_as(struct ikev2_ini *,
			    const uint8_t *pkt, size_t len, uint8_t exch,
			    uint8_t *out, size_t cap);
/* Echo COOKIE2 (RFC 4555 3.6) with its first octet altered. */
void			 ikev2_ini_set_cookie2_bad(struct ikev2_ini *, bool);
/* ESP SPIs (the responder's inbound) deleted by its requests so far. */
size_t			 ikev2_ini_peer_deleted(const struct ikev2_ini *,
			    uint32_t *spis, size_t max);
/* The ADDKE1 transform the responder chose in IKE_SA_INIT, -1 if none. */
int			 ikev2_ini_addke1(const struct ikev2_ini *);
size_t			 ikev2_ini_dns(const struct ikev2_ini *, uint8_t first[4]);
/* L2TP/IPsec: the first CHILD_SA asks N(USE_TRANSPORT_MODE) with TSi =
 * TSr = any IPv4 address, UDP port 1701.  Before ikev2_ini_start. */
void			 ikev2_ini_set_transport(struct ikev2_ini *, bool);
/* The first TSi / TSr the responder answered in IKE_AUTH. */
struct ikev2_ini_ts {
	uint8_t		 proto;
	uint16_t	 port_lo, port_hi;
	uint8_t		 lo[4], hi[4];
};
/* Whether the IKE_AUTH answer carried N(USE_TRANSPORT_MODE); tsi/tsr get
 * its first selectors. */
bool			 ikev2_ini_transport(const struct ikev2_ini *,
			    struct ikev2_ini_ts *tsi, struct ikev2_ini_ts *tsr);

/*
 * EAP instead of our AUTH (RFC 7296 2.16): the first IKE_AUTH carries no
 * AUTH; the responder's answers carry EAP (the first also IDr, CERT and
 * its signature AUTH, checked here).  Each one leaves us in INI_EAP
 * (ikev2_ini_input() returns 0) with the message for the caller's EAP
 * peer; ikev2_ini_eap_send() carries the peer's response, and after
 * EAP-Success ikev2_ini_eap_auth() sends AUTH keyed with the MSK, with
 * which the final answer's AUTH is checked too.  Before ikev2_ini_start.
 */
void			 ikev2_ini_set_eap(struct ikev2_ini *, bool);
const uint8_t		*ikev2_ini_eap_msg(const struct ikev2_ini *,
			    size_t *len);
long			 ikev2_ini_eap_send(struct ikev2_ini *,
			    const uint8_t *eap, size_t len, uint8_t *out,
			    size_t cap);
long			 ikev2_ini_eap_auth(struct ikev2_ini *,
			    const uint8_t *msk, size_t msklen, uint8_t *out,
			    size_t cap);
/* CHILD rekeys offer PFS: a DH transform of group and a KE payload
 * (RFC 7296 1.3.1); 0 (the default) offers none. */
void			 ikev2_ini_set_child_pfs(struct ikev2_ini *,
			    uint16_t group);
/*
 * The inputs of our last key derivation, for checking it against
 * another implementation: the IKE_SA_INIT messages, and Ni, Nr and g^ir
 * of the exchange that made the newest keys (IKE_SA_INIT, or the last
 * CREATE_CHILD_SA answered; girlen 0 without a KE).  Views into the
 * initiator, valid until its next exchange.
 */
struct ikev2_ini_kdf {
	const uint8_t	*msg1, *msg2;
	size_t		 msg1len, msg2len;
	const uint8_t	*ni, *nr, *gir;
	size_t		 nilen, nrlen, girlen;
};
void			 ikev2_ini_kdf(const struct ikev2_ini *,
			    struct ikev2_ini_kdf *);

/* Also send these intermediates as CERT payloads after the certificate
 * of ikev2_ini_set_signer (at most 4; references taken). */
void			 ikev2_ini_add_chain(struct ikev2_ini *,
			    struct x509_st *);
/*
 * RFC 7383: announce IKEV2_FRAGMENTATION_SUPPORTED; when the responder
 * does too, a protected request longer than mtu octets (from the IKE
 * header on) is split into SKF fragments, and SKF responses are
 * reassembled.  Before ikev2_ini_start.
 */
void			 ikev2_ini_set_frag(struct ikev2_ini *, size_t mtu);
/* Fragments of our last request, 0 when it went whole; the request
 * functions wrote fragment 1 to out. */
size_t			 ikev2_ini_req_nfrags(const struct ikev2_ini *);
/* Fragment num (from 1) of our last request, e.g. to send the rest or
 * to retransmit them all (RFC 7383 2.6.1): its length, -1 if none. */
long			 ikev2_ini_req_frag(const struct ikev2_ini *,
			    unsigned int num, uint8_t *out, size_t cap);
/* What ikev2_ini_input returns for a response fragment while others of
 * its message are missing. */
#define IKEV2_INI_MORE	(-2)

/* Requests: write the next datagram into out, return its length (-1). */
long	ikev2_ini_start(struct ikev2_ini *, uint8_t *out, size_t cap);
long	ikev2_ini_rekey_child(struct ikev2_ini *, uint8_t *out, size_t cap);
/* Another CHILD_SA beside the others (no REKEY_SA). */
long	ikev2_ini_new_child(struct ikev2_ini *, uint8_t *out, size_t cap);
long	ikev2_ini_rekey_ike(struct ikev2_ini *, uint8_t *out, size_t cap);
long	ikev2_ini_delete_child(struct ikev2_ini *, uint32_t our_spi,
	    uint8_t *out, size_t cap);
long	ikev2_ini_delete(struct ikev2_ini *, uint8_t *out, size_t cap);
long	ikev2_ini_info(struct ikev2_ini *, uint8_t *out, size_t cap);
/* MOBIKE (RFC 4555 3.5): INFORMATIONAL {N(UPDATE_SA_ADDRESSES),
 * N(COOKIE2)}; the caller sends it from the new address. */
long	ikev2_ini_update_addrs(struct ikev2_ini *, uint8_t *out, size_t cap);
/* Fragment num of total (RFC 7383 2.5), fraglen octets of inner data, of
 * a request of exchange exch whose inner chain is one private-use Notify
 * of total * fraglen octets (valid up to 64 KiB), under the next message
 * ID (not consumed: ikev2_ini_set_msgid() after the message); forge: the
 * ICV altered. */
long	ikev2_ini_frag(struct ikev2_ini *, uint8_t exch, size_t fraglen,
	    unsigned int num, unsigned int total, bool forge, uint8_t *out,
	    size_t cap);
/* The message ID of our next request. */
void	ikev2_ini_set_msgid(struct ikev2_ini *, uint32_t);
/*
 * A response in: returns the length of the next request written to out
 * (IKE_AUTH after IKE_SA_INIT, IKE_SA_INIT again after COOKIE or
 * INVALID_KE_PAYLOAD), 0 when the exchange is done, -1 on failure.
 */
long	ikev2_ini_input(struct ikev2_ini *, const uint8_t *pkt, size_t len,
	    uint8_t *out, size_t cap);

#endif
