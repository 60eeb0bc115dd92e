/*
 * ikev1_msg.h: the IKEv1 (ISAKMP) wire codec: RFC 2408 section 3 (header,
 * generic payload header, SA/Proposal/Transform, KE, ID, CERT, CERTREQ,
 * HASH, SIG, NONCE, Notification, Delete, Vendor ID), RFC 2407 4.5-4.6
 * (IPsec DOI attributes, phase-2 ID), RFC 2409 Appendix A (phase-1
 * attributes), RFC 3947 (NAT-D, NAT-OA and their draft numbers),
 * draft-dukes-ike-mode-cfg-02 / draft-beaulieu-ike-xauth-02 (Attribute
 * payload) and the vendor-ID-negotiated fragment payload (type 132).
 *
 * Decoders take a reader (or bytes) and an output struct only and return
 * views into the message; a refusal sets *why to a fixed string for the
 * debug log.  The encrypted body (after the header, flag E) is opaque
 * here: ikev1_msg_decode() stops at the header, the engine decrypts
 * (ikev1_crypto.c) and hands the plaintext to ikev1_body_decode().
 * Encoders (ikev1_enc.c) append to a struct ikev1_enc, a bounded writer
 * that chains the "next payload" fields.  Nothing here knows about SAs,
 * sockets or config.
 */
#ifndef IKEV1_MSG_H
#define IKEV1_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rg_buf.h"

#define IKEV1_HDR_LEN		28
#define IKEV1_VERSION		0x10	/* major 1, minor 0 */
#define IKEV1_MAX_MSG		65535
/* RFC 2409 5: a nonce is 8 to 256 octets. */
#define IKEV1_NONCE_MIN		8
#define IKEV1_NONCE_MAX		256

/* RFC 2408 3.1 header flags. */
#define IKEV1_FLAG_E		0x01	/* encrypted after the header */
#define IKEV1_FLAG_C		0x02	/* commit */
#define IKEV1_FLAG_A		0x04	/* authentication only */

#define IKEV1_EXCH_LIST(X)			\
	X(BASE,			1)		\
	X(MAIN,			2)		\
	X(AUTH_ONLY,		3)		\
	X(AGGRESSIVE,		4)		\
	X(INFORMATIONAL,	5)		\
	X(TRANSACTION,		6)		\
	X(QUICK,		32)		\
	X(NEW_GROUP,		33)

enum ikev1_exch {
#define X(n, v)	IKEV1_EXCH_##n = v,
	IKEV1_EXCH_LIST(X)
#undef X
};

#define IKEV1_PAYLOAD_LIST(X)				\
	X(NONE,		0)	X(SA,		1)	\
	X(P,		2)	X(T,		3)	\
	X(KE,		4)	X(ID,		5)	\
	X(CERT,		6)	X(CR,		7)	\
	X(HASH,		8)	X(SIG,		9)	\
	X(NONCE,	10)	X(N,		11)	\
	X(D,		12)	X(VID,		13)	\
	X(ATTR,		14)	X(NATD,		20)	\
	X(NATOA,	21)	X(NATD_DRAFT,	130)	\
	X(NATOA_DRAFT,	131)	X(FRAG,		132)

enum ikev1_payload {
#define X(n, v)	IKEV1_PL_##n = v,
	IKEV1_PAYLOAD_LIST(X)
#undef X
};

/* RFC 2408 3.14.1 errors, RFC 2407 4.6.3 status, RFC 3706 DPD. */
#define IKEV1_NOTIFY_LIST(X)				\
	X(INVALID_PAYLOAD_TYPE,		1)		\
	X(DOI_NOT_SUPPORTED,		2)		\
	X(SITUATION_NOT_SUPPORTED,	3)		\
	X(INVALID_COOKIE,		4)		\
	X(INVALID_MAJOR_VERSION,	5)		\
	X(INVALID_MINOR_VERSION,	6)		\
	X(INVALID_EXCHANGE_TYPE,	7)		\
	X(INVALID_FLAGS,		8)		\
	X(INVALID_MESSAGE_ID,		9)		\
	X(INVALID_PROTOCOL_ID,		10)		\
	X(INVALID_SPI,			11)		\
	X(INVALID_TRANSFORM_ID,		12)		\
	X(ATTRIBUTES_NOT_SUPPORTED,	13)		\
	X(NO_PROPOSAL_CHOSEN,		14)		\
	X(BAD_PROPOSAL_SYNTAX,		15)		\
	X(PAYLOAD_MALFORMED,		16)		\
	X(INVALID_KEY_INFORMATION,	17)		\
	X(INVALID_ID_INFORMATION,	18)		\
	X(INVALID_CERT_ENCODING,	19)		\
	X(INVALID_CERTIFICATE,		20)		\
	X(CERT_TYPE_UNSUPPORTED,	21)		\
	X(INVALID_CERT_AUTHORITY,	22)		\
	X(INVALID_HASH_INFORMATION,	23)		\
	X(AUTHENTICATION_FAILED,	24)		\
	X(INVALID_SIGNATURE,		25)		\
	X(ADDRESS_NOTIFICATION,		26)		\
	X(NOTIFY_SA_LIFETIME,		27)		\
	X(CERTIFICATE_UNAVAILABLE,	28)		\
	X(UNSUPPORTED_EXCHANGE_TYPE,	29)		\
	X(UNEQUAL_PAYLOAD_LENGTHS,	30)		\
	X(CONNECTED,			16384)		\
	X(RESPONDER_LIFETIME,		24576)		\
	X(REPLAY_STATUS,		24577)		\
	X(INITIAL_CONTACT,		24578)		\
	X(R_U_THERE,			36136)		\
	X(R_U_THERE_ACK,		36137)

enum ikev1_notify_type {
#define X(n, v)	IKEV1_N_##n = v,
	IKEV1_NOTIFY_LIST(X)
#undef X
};

#define IKEV1_DOI_IPSEC		1
#define IKEV1_SIT_IDENTITY_ONLY	1

enum ikev1_proto {
	IKEV1_PROTO_ISAKMP = 1,
	IKEV1_PROTO_AH = 2,
	IKEV1_PROTO_ESP = 3,
	IKEV1_PROTO_IPCOMP = 4,
};

#define IKEV1_KEY_IKE		1	/* the one ISAKMP transform id */

/* RFC 2409 Appendix A phase-1 attribute classes. */
#define IKEV1_P1_ATTR_LIST(X)			\
	X(ENCR,			1)		\
	X(HASH,			2)		\
	X(AUTH_METHOD,		3)		\
	X(GROUP_DESC,		4)		\
	X(GROUP_TYPE,		5)		\
	X(GROUP_PRIME,		6)		\
	X(GROUP_GEN1,		7)		\
	X(GROUP_GEN2,		8)		\
	X(GROUP_CURVE_A,	9)		\
	X(GROUP_CURVE_B,	10)		\
	X(LIFE_TYPE,		11)		\
	X(LIFE_DURATION,	12)		\
	X(PRF,			13)		\
	X(KEY_LENGTH,		14)		\
	X(FIELD_SIZE,		15)		\
	X(GROUP_ORDER,		16)

enum ikev1_p1_attr {
#define X(n, v)	IKEV1_P1_##n = v,
	IKEV1_P1_ATTR_LIST(X)
#undef X
};

/* RFC 2407 4.5 phase-2 (IPsec DOI) attribute classes. */
#define IKEV1_P2_ATTR_LIST(X)			\
	X(SA_LIFE_TYPE,		1)		\
	X(SA_LIFE_DURATION,	2)		\
	X(GROUP_DESC,		3)		\
	X(ENCAP_MODE,		4)		\
	X(AUTH_ALG,		5)		\
	X(KEY_LENGTH,		6)		\
	X(KEY_ROUNDS,		7)		\
	X(COMP_DICT_SIZE,	8)		\
	X(COMP_PRIV_ALG,	9)		\
	X(ECN_TUNNEL,		10)

enum ikev1_p2_attr {
#define X(n, v)	IKEV1_P2_##n = v,
	IKEV1_P2_ATTR_LIST(X)
#undef X
};

/*
 * Authentication Method values: RFC 2409 A, RFC 4754 (ECDSA), the XAuth
 * draft (65001..65010) and the hybrid draft (64221..64224).
 */
#define IKEV1_AUTH_LIST(X)			\
	X(PSK,			1)		\
	X(DSS,			2)		\
	X(RSA_SIG,		3)		\
	X(RSA_ENC,		4)		\
	X(RSA_REVENC,		5)		\
	X(ECDSA_256,		9)		\
	X(ECDSA_384,		10)		\
	X(ECDSA_521,		11)		\
	X(HYBRID_INIT_RSA,	64221)		\
	X(HYBRID_RESP_RSA,	64222)		\
	X(HYBRID_INIT_DSS,	64223)		\
	X(HYBRID_RESP_DSS,	64224)		\
	X(XAUTH_INIT_PSK,	65001)		\
	X(XAUTH_RESP_PSK,	65002)		\
	X(XAUTH_INIT_DSS,	65003)		\
	X(XAUTH_RESP_DSS,	65004)		\
	X(XAUTH_INIT_RSA,	65005)		\
	X(XAUTH_RESP_RSA,	65006)		\
	X(XAUTH_INIT_RSAENC,	65007)		\
	X(XAUTH_RESP_RSAENC,	65008)		\
	X(XAUTH_INIT_RSAREVENC,	65009)		\
	X(XAUTH_RESP_RSAREVENC,	65010)

enum ikev1_auth_method {
#define X(n, v)	IKEV1_AUTH_##n = v,
	IKEV1_AUTH_LIST(X)
#undef X
};

#define IKEV1_LIFE_SECONDS	1
#define IKEV1_LIFE_KILOBYTES	2

/* RFC 2407 4.5 Encapsulation Mode, RFC 3947 5 and its draft numbers. */
enum ikev1_encap {
	IKEV1_ENCAP_TUNNEL = 1,
	IKEV1_ENCAP_TRANSPORT = 2,
	IKEV1_ENCAP_UDP_TUNNEL = 3,
	IKEV1_ENCAP_UDP_TRANSPORT = 4,
	IKEV1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	IKEV1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* RFC 2407 4.6.2.1 identification types. */
#define IKEV1_ID_LIST(X)			\
	X(IPV4_ADDR,		1)		\
	X(FQDN,			2)		\
	X(USER_FQDN,		3)		\
	X(IPV4_ADDR_SUBNET,	4)		\
	X(IPV6_ADDR,		5)		\
	X(IPV6_ADDR_SUBNET,	6)		\
	X(IPV4_ADDR_RANGE,	7)		\
	X(IPV6_ADDR_RANGE,	8)		\
	X(DER_ASN1_DN,		9)		\
	X(DER_ASN1_GN,		10)		\
	X(KEY_ID,		11)

enum ikev1_id_type {
#define X(n, v)	IKEV1_ID_##n = v,
	IKEV1_ID_LIST(X)
#undef X
};

/* RFC 2408 3.9 certificate encodings (the ones road warriors use). */
#define IKEV1_CERT_PKCS7	1
#define IKEV1_CERT_X509_SIG	4
#define IKEV1_CERT_CRL		7

/* Mode-config message types (draft-dukes-ike-mode-cfg-02 3.2). */
enum ikev1_cfg_type {
	IKEV1_CFG_REQUEST = 1,
	IKEV1_CFG_REPLY = 2,
	IKEV1_CFG_SET = 3,
	IKEV1_CFG_ACK = 4,
};

/*
 * Mode-config, XAuth (draft-beaulieu-ike-xauth-02 6.2) and Cisco Unity
 * attributes.  XAUTH_TYPE and XAUTH_STATUS are basic (TV); the rest TLV.
 */
#define IKEV1_CFG_ATTR_LIST(X)				\
	X(INTERNAL_IP4_ADDRESS,		1)		\
	X(INTERNAL_IP4_NETMASK,		2)		\
	X(INTERNAL_IP4_DNS,		3)		\
	X(INTERNAL_IP4_NBNS,		4)		\
	X(INTERNAL_ADDRESS_EXPIRY,	5)		\
	X(INTERNAL_IP4_DHCP,		6)		\
	X(APPLICATION_VERSION,		7)		\
	X(INTERNAL_IP6_ADDRESS,		8)		\
	X(INTERNAL_IP6_NETMASK,		9)		\
	X(INTERNAL_IP6_DNS,		10)		\
	X(INTERNAL_IP6_NBNS,		11)		\
	X(INTERNAL_IP6_DHCP,		12)		\
	X(INTERNAL_IP4_SUBNET,		13)		\
	X(SUPPORTED_ATTRIBUTES,		14)		\
	X(INTERNAL_IP6_SUBNET,		15)		\
	X(XAUTH_TYPE,			16520)		\
	X(XAUTH_USER_NAME,		16521)		\
	X(XAUTH_USER_PASSWORD,		16522)		\
	X(XAUTH_PASSCODE,		16523)		\
	X(XAUTH_MESSAGE,		16524)		\
	X(XAUTH_CHALLENGE,		16525)		\
	X(XAUTH_DOMAIN,			16526)		\
	X(XAUTH_STATUS,			16527)		\
	X(XAUTH_NEXT_PIN,		16528)		\
	X(XAUTH_ANSWER,			16529)		\
	X(UNITY_BANNER,			28672)		\
	X(UNITY_SAVE_PASSWD,		28673)		\
	X(UNITY_DEF_DOMAIN,		28674)		\
	X(UNITY_SPLITDNS_NAME,		28675)		\
	X(UNITY_SPLIT_INCLUDE,		28676)		\
	X(UNITY_NATT_PORT,		28677)		\
	X(UNITY_LOCAL_LAN,		28678)		\
	X(UNITY_PFS,			28679)		\
	X(UNITY_FW_TYPE,		28680)		\
	X(UNITY_BACKUP_SERVERS,		28681)		\
	X(UNITY_DDNS_HOSTNAME,		28682)

enum ikev1_cfg_attr {
#define X(n, v)	IKEV1_CFG_##n = v,
	IKEV1_CFG_ATTR_LIST(X)
#undef X
};

/* The vendor IDs road-warrior clients send that we recognise. */
#define IKEV1_VID_LIST(X)		\
	X(UNKNOWN)			\
	X(NATT_RFC3947)			\
	X(NATT_APPLE)			\
	X(NATT_DRAFT_02)		\
	X(NATT_DRAFT_02N)		\
	X(NATT_DRAFT_03)		\
	X(NATT_DRAFT_04)		\
	X(NATT_DRAFT_05)		\
	X(NATT_DRAFT_06)		\
	X(NATT_DRAFT_07)		\
	X(NATT_DRAFT_08)		\
	X(XAUTH)			\
	X(CISCO_UNITY)			\
	X(DPD)				\
	X(FRAGMENTATION)		\
	X(MS_NT5)			\
	X(MS_NEG_DISCOVERY)		\
	X(MS_IKE_CGA1)			\
	X(MS_INITIAL_CONTACT)		\
	X(MS_MAMIE_EXISTS)

enum ikev1_vid {
#define X(n)	IKEV1_VID_##n,
	IKEV1_VID_LIST(X)
#undef X
	IKEV1_VID_COUNT
};

const char	*ikev1_payload_name(unsigned int);
const char	*ikev1_exch_name(unsigned int);
const char	*ikev1_notify_name(unsigned int);
const char	*ikev1_p1_attr_name(unsigned int);
const char	*ikev1_p2_attr_name(unsigned int);
const char	*ikev1_cfg_attr_name(unsigned int);
const char	*ikev1_auth_name(unsigned int);
const char	*ikev1_id_name(unsigned int);
const char	*ikev1_vid_name(unsigned int);

/*
 * Vendor IDs.  ikev1_vid_bytes() gives the bytes we send (the exact form
 * a peer matches: Unity and DPD carry version bytes, FRAGMENTATION a
 * 4-byte capability word); ikev1_vid_lookup() recognises a received one
 * (a prefix match where clients append versions or flags).
 */
const uint8_t	*ikev1_vid_bytes(enum ikev1_vid, size_t *len);
enum ikev1_vid	 ikev1_vid_lookup(const uint8_t *, size_t);
bool		 ikev1_vid_is_natt(enum ikev1_vid);

/* Fixed ISAKMP header (RFC 2408 3.1). */
struct ikev1_hdr {
	uint8_t		 ck_i[8];
	uint8_t		 ck_r[8];
	uint8_t		 np;
	uint8_t		 version;
	uint8_t		 exch;
	uint8_t		 flags;
	uint32_t	 msgid;
	uint32_t	 length;
};

/* A payload as a view into the message (generic header stripped). */
struct ikev1_pl {
	uint8_t		 type;
	const uint8_t	*body;
	size_t		 len;
};

#define IKEV1_MAX_PL	48

/*
 * A parsed message.  With flag E the payload chain is not walked: body is
 * the ciphertext; after decryption ikev1_body_decode() fills pl[].
 */
struct ikev1_msg {
	struct ikev1_hdr	 hdr;
	const uint8_t		*raw;		/* the whole datagram */
	size_t			 rawlen;
	const uint8_t		*body;		/* after the header */
	size_t			 bodylen;
	struct ikev1_pl		 pl[IKEV1_MAX_PL];
	size_t			 npl;
};

/* Header only, from the first 28 bytes of p; length must equal len. */
int	ikev1_hdr_decode(const uint8_t *p, size_t len, struct ikev1_hdr *,
	    const char **why);
/* Header, and the payload chain unless flag E is set.  0 ok, -1 refused. */
int	ikev1_msg_decode(const uint8_t *, size_t, struct ikev1_msg *,
	    const char **why);
/*
 * A decrypted body (first payload type from the header): fills m->pl.
 * Bytes after the last payload are the cipher's padding (RFC 2409 5.3)
 * and are allowed, up to 255 of them.
 */
int	ikev1_body_decode(struct ikev1_msg *, uint8_t first, const uint8_t *,
	    size_t, const char **why);
const struct ikev1_pl *ikev1_msg_find(const struct ikev1_msg *, uint8_t type);
size_t	ikev1_msg_count(const struct ikev1_msg *, uint8_t type);

/*
 * A data attribute (RFC 2408 3.3), also the mode-config attribute
 * (identical TV/TLV form).  tv: basic form, val holds the value.  TLV:
 * data/len view; val holds it too when it is 1 to 8 bytes.
 */
struct ikev1_attr {
	uint16_t	 type;		/* without the AF bit */
	bool		 tv;
	uint64_t	 val;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev1_attr_decode(struct rg_rd *, struct ikev1_attr *);

/*
 * A transform, its attributes read by the class meaning of its proposal's
 * protocol: ISAKMP (phase 1, RFC 2409 A) or ESP/AH/IPCOMP (RFC 2407 4.5).
 * Fields an attribute did not carry stay 0.  An attribute class we do not
 * know sets unknown_attr (the engine answers ATTRIBUTES_NOT_SUPPORTED).
 */
struct ikev1_xf {
	uint8_t		 num;
	uint8_t		 id;		/* KEY_IKE or ESP transform id */
	uint16_t	 encr;		/* phase 1 Encryption Algorithm */
	uint16_t	 hash;		/* phase 1 Hash */
	uint16_t	 auth;		/* phase 1 Auth Method */
	uint16_t	 group;		/* Group Description (both phases) */
	uint16_t	 keylen;	/* Key Length, bits */
	uint16_t	 encap;		/* phase 2 Encapsulation Mode */
	uint16_t	 auth_alg;	/* phase 2 Authentication Algorithm */
	uint32_t	 life_s;	/* seconds, 0 = not given */
	uint32_t	 life_kb;	/* kilobytes, 0 = not given */
	uint16_t	 unknown_attr;	/* first class not understood, 0 none */
	const uint8_t	*raw;		/* transform body, for echoing */
	size_t		 rawlen;
};

#define IKEV1_MAX_XF	48
#define IKEV1_MAX_PROP	8
#define IKEV1_MAX_SPI	16

struct ikev1_prop {
	uint8_t		 num;
	uint8_t		 proto;
	uint8_t		 spi_len;
	uint8_t		 spi[IKEV1_MAX_SPI];
	struct ikev1_xf	 xf[IKEV1_MAX_XF];
	size_t		 nxf;
};

/*
 * SA payload (RFC 2408 3.4, RFC 2407 4.6.1).  Proposals that share a
 * number are one offer of several protocols together (RFC 2408 4.2, e.g.
 * ESP with IPCOMP); the engine groups them by num.
 */
struct ikev1_sa {
	uint32_t		 doi;
	uint32_t		 sit;
	struct ikev1_prop	 prop[IKEV1_MAX_PROP];
	size_t			 nprop;
	const uint8_t		*body;	/* SA body: main-mode HASH input */
	size_t			 len;
};
int	ikev1_sa_decode(struct rg_rd *, struct ikev1_sa *, const char **why);

/*
 * "aes256-sha256-modp2048" (phase 1) or "aes256-sha256[-modp2048]"
 * (phase 2, group with PFS); names from ike_alg.h, numbers where the
 * table lacks a value.  ikev1_sa_str() joins every transform with ", ".
 */
void	ikev1_xf_str(uint8_t proto, const struct ikev1_xf *, char *, size_t);
void	ikev1_sa_str(const struct ikev1_sa *, char *, size_t);

/*
 * ID payload (RFC 2407 4.6.2).  body/body_len is the whole payload body
 * (IDii_b of RFC 2409 5 for HASH_I/HASH_R).
 */
struct ikev1_id {
	uint8_t		 type;
	uint8_t		 proto;
	uint16_t	 port;
	const uint8_t	*data;
	size_t		 len;
	const uint8_t	*body;
	size_t		 body_len;
};
int	ikev1_id_decode(struct rg_rd *, struct ikev1_id *, const char **why);

/* A phase-2 ID as an address range (IPv4/IPv6 address, subnet, range). */
struct ikev1_id_net {
	int		 af;		/* AF_INET or AF_INET6 */
	uint8_t		 lo[16], hi[16];
};
int	ikev1_id_net(const struct ikev1_id *, struct ikev1_id_net *,
	    const char **why);

struct ikev1_cert {
	uint8_t		 encoding;
	const uint8_t	*data;
	size_t		 len;
};
/* CERT and CERTREQ share the form (RFC 2408 3.9, 3.10). */
int	ikev1_cert_decode(struct rg_rd *, struct ikev1_cert *,
	    const char **why);

/* NONCE: 8 to 256 bytes (RFC 2409 5). */
int	ikev1_nonce_decode(struct rg_rd *, const uint8_t **, size_t *,
	    const char **why);

struct ikev1_notify {
	uint32_t	 doi;
	uint8_t		 proto;
	uint8_t		 spi_len;
	uint16_t	 type;
	const uint8_t	*spi;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev1_notify_decode(struct rg_rd *, struct ikev1_notify *,
	    const char **why);

struct ikev1_delete {
	uint32_t	 doi;
	uint8_t		 proto;
	uint8_t		 spi_len;	/* 16 (cookie pair) or 4 (ESP/AH) */
	uint16_t	 nspi;
	const uint8_t	*spis;		/* nspi * spi_len bytes */
};
int	ikev1_delete_decode(struct rg_rd *, struct ikev1_delete *,
	    const char **why);

/* NAT-OA (RFC 3947 5.2): an IPv4 or IPv6 address. */
struct ikev1_natoa {
	uint8_t		 id_type;	/* IPV4_ADDR or IPV6_ADDR */
	uint8_t		 addr[16];
	size_t		 addr_len;
};
int	ikev1_natoa_decode(struct rg_rd *, struct ikev1_natoa *,
	    const char **why);

/* Attribute payload (draft-dukes-ike-mode-cfg-02 3.2). */
#define IKEV1_MAX_CFG_ATTR	48
struct ikev1_cfg {
	uint8_t			 type;		/* enum ikev1_cfg_type */
	uint16_t		 ident;
	struct ikev1_attr	 attr[IKEV1_MAX_CFG_ATTR];
	size_t			 nattr;
};
int	ikev1_cfg_decode(struct rg_rd *, struct ikev1_cfg *, const char **why);
const struct ikev1_attr *ikev1_cfg_find(const struct ikev1_cfg *,
	    uint16_t type);

/* IKE fragment payload (type 132): id, number from 1, flags bit 0 last. */
#define IKEV1_FRAG_LAST		0x01
struct ikev1_frag {
	uint16_t	 id;
	uint8_t		 num;
	uint8_t		 flags;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev1_frag_decode(struct rg_rd *, struct ikev1_frag *,
	    const char **why);

/*
 * Encoder.  ikev1_enc_init writes the header (length and next payload
 * patched by later calls); ikev1_enc_body starts a headerless body (the
 * plaintext the engine encrypts; e->first is its first type).
 */
struct ikev1_enc {
	struct rg_wr	 w;
	long		 np_off;	/* where the next "next payload" goes */
	long		 pl_off;	/* start of the open payload, -1 none */
	uint8_t		 first;
	bool		 hdr;		/* a header leads: finish patches it */
};

void	ikev1_enc_init(struct ikev1_enc *, uint8_t *buf, size_t cap,
	    const struct ikev1_hdr *);
void	ikev1_enc_body(struct ikev1_enc *, uint8_t *buf, size_t cap);
void	ikev1_pl_begin(struct ikev1_enc *, uint8_t type);
void	ikev1_pl_end(struct ikev1_enc *);
/* Patch the header length (if any); returns total bytes or -1. */
long	ikev1_enc_finish(struct ikev1_enc *);

/*
 * A data attribute: TV (val) when tv; else TLV of len bytes from data, or,
 * with data NULL, val written big-endian in len (at most 8) bytes; len 0
 * is an empty TLV (a mode-config REQUEST or ACK naming an attribute).
 */
void	ikev1_put_attr(struct rg_wr *, const struct ikev1_attr *);
/* SA with one proposal and one transform (the responder's choice). */
void	ikev1_put_sa(struct ikev1_enc *, uint32_t sit, uint8_t prop_num,
	    uint8_t proto, const uint8_t *spi, uint8_t spi_len,
	    const struct ikev1_xf *);
void	ikev1_put_raw(struct ikev1_enc *, uint8_t type, const uint8_t *,
	    size_t);
void	ikev1_put_ke(struct ikev1_enc *, const uint8_t *, size_t);
void	ikev1_put_nonce(struct ikev1_enc *, const uint8_t *, size_t);
void	ikev1_put_hash(struct ikev1_enc *, const uint8_t *, size_t);
void	ikev1_put_sig(struct ikev1_enc *, const uint8_t *, size_t);
void	ikev1_put_id(struct ikev1_enc *, uint8_t idtype, uint8_t proto,
	    uint16_t port, const uint8_t *, size_t);
void	ikev1_put_cert(struct ikev1_enc *, uint8_t pltype, uint8_t encoding,
	    const uint8_t *, size_t);
void	ikev1_put_notify(struct ikev1_enc *, uint8_t proto,
	    const uint8_t *spi, uint8_t spi_len, uint16_t type,
	    const uint8_t *data, size_t len);
void	ikev1_put_delete(struct ikev1_enc *, uint8_t proto, uint8_t spi_len,
	    const uint8_t *spis, uint16_t nspi);
void	ikev1_put_vid(struct ikev1_enc *, enum ikev1_vid);
void	ikev1_put_natd(struct ikev1_enc *, uint8_t pltype, const uint8_t *,
	    size_t);
void	ikev1_put_natoa(struct ikev1_enc *, uint8_t pltype, uint8_t id_type,
	    const uint8_t *addr, size_t addr_len);
void	ikev1_put_cfg(struct ikev1_enc *, const struct ikev1_cfg *);
void	ikev1_put_frag(struct ikev1_enc *, uint16_t id, uint8_t num,
	    bool last, const uint8_t *, size_t);

#endif
