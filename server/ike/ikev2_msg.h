/*
 * ikev2_msg.h: the IKEv2 wire codec (RFC 7296 section 3, RFC 7383 SKF,
 * RFC 4306/7296 CP).  Decoders take a reader and an output struct only and
 * return views into the message; encoders append to a struct ikev2_enc
 * (a bounded writer that chains "next payload" fields).  Nothing here knows
 * about SAs, sockets or configuration.
 */
#ifndef IKEV2_MSG_H
#define IKEV2_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rg_buf.h"

#define IKEV2_HDR_LEN		28
#define IKEV2_MAX_MSG		65535
/* RFC 7296 2.10: a nonce is 16 to 256 octets. */
#define IKEV2_NONCE_MIN		16
#define IKEV2_NONCE_MAX		256

enum ikev2_exch {
	IKEV2_EXCH_IKE_SA_INIT = 34,
	IKEV2_EXCH_IKE_AUTH = 35,
	IKEV2_EXCH_CREATE_CHILD_SA = 36,
	IKEV2_EXCH_INFORMATIONAL = 37,
};

#define IKEV2_FLAG_I	0x08
#define IKEV2_FLAG_V	0x10
#define IKEV2_FLAG_R	0x20

#define IKEV2_PAYLOAD_LIST(X)	\
	X(NONE,	0)	X(SA, 33)	X(KE, 34)	X(IDI, 35)	\
	X(IDR, 36)	X(CERT, 37)	X(CERTREQ, 38)	X(AUTH, 39)	\
	X(NONCE, 40)	X(N, 41)	X(D, 42)	X(V, 43)	\
	X(TSI, 44)	X(TSR, 45)	X(SK, 46)	X(CP, 47)	\
	X(EAP, 48)	X(SKF, 53)

enum ikev2_payload {
#define X(n, v)	IKEV2_PL_##n = v,
	IKEV2_PAYLOAD_LIST(X)
#undef X
};

#define IKEV2_NOTIFY_LIST(X)				\
	X(UNSUPPORTED_CRITICAL_PAYLOAD,	1)		\
	X(INVALID_IKE_SPI,		4)		\
	X(INVALID_MAJOR_VERSION,	5)		\
	X(INVALID_SYNTAX,		7)		\
	X(INVALID_MESSAGE_ID,		9)		\
	X(INVALID_SPI,			11)		\
	X(NO_PROPOSAL_CHOSEN,		14)		\
	X(INVALID_KE_PAYLOAD,		17)		\
	X(AUTHENTICATION_FAILED,	24)		\
	X(SINGLE_PAIR_REQUIRED,		34)		\
	X(NO_ADDITIONAL_SAS,		35)		\
	X(INTERNAL_ADDRESS_FAILURE,	36)		\
	X(FAILED_CP_REQUIRED,		37)		\
	X(TS_UNACCEPTABLE,		38)		\
	X(INVALID_SELECTORS,		39)		\
	X(TEMPORARY_FAILURE,		43)		\
	X(CHILD_SA_NOT_FOUND,		44)		\
	X(INITIAL_CONTACT,		16384)		\
	X(SET_WINDOW_SIZE,		16385)		\
	X(ADDITIONAL_TS_POSSIBLE,	16386)		\
	X(IPCOMP_SUPPORTED,		16387)		\
	X(NAT_DETECTION_SOURCE_IP,	16388)		\
	X(NAT_DETECTION_DESTINATION_IP,	16389)		\
	X(COOKIE,			16390)		\
	X(USE_TRANSPORT_MODE,		16391)		\
	X(REKEY_SA,			16393)		\
	X(ESP_TFC_PADDING_NOT_SUPPORTED, 16394)		\
	X(NON_FIRST_FRAGMENTS_ALSO,	16395)		\
	X(MOBIKE_SUPPORTED,		16396)		\
	X(ADDITIONAL_IP4_ADDRESS,	16397)		\
	X(ADDITIONAL_IP6_ADDRESS,	16398)		\
	X(NO_ADDITIONAL_ADDRESSES,	16399)		\
	X(UPDATE_SA_ADDRESSES,		16400)		\
	X(COOKIE2,			16401)		\
	X(NO_NATS_ALLOWED,		16402)		\
	X(MULTIPLE_AUTH_SUPPORTED,	16404)		\
	X(ANOTHER_AUTH_FOLLOWS,		16405)		\
	X(REDIRECT_SUPPORTED,		16406)		\
	X(EAP_ONLY_AUTHENTICATION,	16417)		\
	X(IKEV2_FRAGMENTATION_SUPPORTED, 16430)		\
	X(SIGNATURE_HASH_ALGORITHMS,	16431)

enum ikev2_notify_type {
#define X(n, v)	IKEV2_N_##n = v,
	IKEV2_NOTIFY_LIST(X)
#undef X
};

enum ikev2_xf_type {
	IKEV2_XF_ENCR = 1,
	IKEV2_XF_PRF = 2,
	IKEV2_XF_INTEG = 3,
	IKEV2_XF_DH = 4,
	IKEV2_XF_ESN = 5,
	/* RFC 9370 Additional Key Exchange 1..7: ids from the DH registry. */
	IKEV2_XF_ADDKE1 = 6,
	IKEV2_XF_ADDKE7 = 12,
};

enum ikev2_proto {
	IKEV2_PROTO_IKE = 1,
	IKEV2_PROTO_AH = 2,
	IKEV2_PROTO_ESP = 3,
};

enum ikev2_id_type {
	IKEV2_ID_IPV4_ADDR = 1,
	IKEV2_ID_FQDN = 2,
	IKEV2_ID_RFC822_ADDR = 3,
	IKEV2_ID_IPV6_ADDR = 5,
	IKEV2_ID_DER_ASN1_DN = 9,
	IKEV2_ID_DER_ASN1_GN = 10,
	IKEV2_ID_KEY_ID = 11,
};

enum ikev2_auth_method {
	IKEV2_AUTH_RSA_SIG = 1,
	IKEV2_AUTH_PSK = 2,
	IKEV2_AUTH_ECDSA_256 = 9,
	IKEV2_AUTH_ECDSA_384 = 10,
	IKEV2_AUTH_ECDSA_521 = 11,
	IKEV2_AUTH_DIGITAL_SIG = 14,
};

#define IKEV2_CERT_X509_SIG	4

enum ikev2_cfg_type {
	IKEV2_CFG_REQUEST = 1,
	IKEV2_CFG_REPLY = 2,
	IKEV2_CFG_SET = 3,
	IKEV2_CFG_ACK = 4,
};

#define IKEV2_CFG_ATTR_LIST(X)			\
	X(INTERNAL_IP4_ADDRESS,	1)		\
	X(INTERNAL_IP4_NETMASK,	2)		\
	X(INTERNAL_IP4_DNS,	3)		\
	X(INTERNAL_IP4_NBNS,	4)		\
	X(INTERNAL_IP4_DHCP,	6)		\
	X(APPLICATION_VERSION,	7)		\
	X(INTERNAL_IP6_ADDRESS,	8)		\
	X(INTERNAL_IP6_DNS,	10)		\
	X(INTERNAL_IP6_DHCP,	12)		\
	X(INTERNAL_IP4_SUBNET,	13)		\
	X(SUPPORTED_ATTRIBUTES,	14)		\
	X(INTERNAL_IP6_SUBNET,	15)		\
	X(INTERNAL_DNS_DOMAIN,	25)

enum ikev2_cfg_attr {
#define X(n, v)	IKEV2_CFG_##n = v,
	IKEV2_CFG_ATTR_LIST(X)
#undef X
};

#define IKEV2_TS_IPV4_ADDR_RANGE	7
#define IKEV2_TS_IPV6_ADDR_RANGE	8

const char	*ikev2_notify_name(unsigned int);
const char	*ikev2_payload_name(unsigned int);
const char	*ikev2_exch_name(unsigned int);

/* Fixed IKE header (RFC 7296 3.1). */
struct ikev2_hdr {
	uint64_t	 spi_i, spi_r;
	uint8_t		 np;
	uint8_t		 version;
	uint8_t		 exch;
	uint8_t		 flags;
	uint32_t	 msgid;
	uint32_t	 length;
};

/* A payload as a view into the message (generic header stripped). */
struct ikev2_pl {
	uint8_t		 type;
	bool		 critical;
	const uint8_t	*body;
	size_t		 len;
};

#define IKEV2_MAX_PL	48

/* A parsed message: header + payload chain views.  When the chain holds
 * an SK/SKF payload, it is the last entry and sk_np is its inner type. */
struct ikev2_msg {
	struct ikev2_hdr	 hdr;
	const uint8_t		*raw;		/* the whole datagram */
	size_t			 rawlen;
	struct ikev2_pl		 pl[IKEV2_MAX_PL];
	size_t			 npl;
	uint8_t			 sk_np;		/* first inner payload type */
	int			 sk_idx;	/* index of SK/SKF or -1 */
};

int	ikev2_hdr_decode(struct rg_rd *, struct ikev2_hdr *);
/* Header + payload chain.  0 ok, -1 malformed. */
int	ikev2_msg_decode(const uint8_t *, size_t, struct ikev2_msg *);
/* Decode an (already decrypted) inner chain, appending to m->pl. */
int	ikev2_chain_decode(struct ikev2_msg *, uint8_t first, const uint8_t *,
	    size_t);
const struct ikev2_pl *ikev2_msg_find(const struct ikev2_msg *, uint8_t type);

/* SA payload (RFC 7296 3.3). */
struct ikev2_xf {
	uint8_t		 type;
	uint16_t	 id;
	uint16_t	 keylen;	/* bits; 0 = attribute absent */
};

#define IKEV2_MAX_XF	64
#define IKEV2_MAX_PROP	24

struct ikev2_prop {
	uint8_t		 num;
	uint8_t		 proto;
	uint8_t		 spi_len;
	uint8_t		 spi[8];
	struct ikev2_xf	 xf[IKEV2_MAX_XF];
	size_t		 nxf;
};

struct ikev2_sa_pl {
	struct ikev2_prop	 prop[IKEV2_MAX_PROP];
	size_t			 nprop;
};

int	ikev2_sa_decode(struct rg_rd *, struct ikev2_sa_pl *);

struct ikev2_ke {
	uint16_t	 group;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev2_ke_decode(struct rg_rd *, struct ikev2_ke *);

struct ikev2_id {
	uint8_t		 type;
	const uint8_t	*data;
	size_t		 len;
	const uint8_t	*body;		/* type + reserved + data (for AUTH) */
	size_t		 body_len;
};
int	ikev2_id_decode(struct rg_rd *, struct ikev2_id *);

struct ikev2_auth {
	uint8_t		 method;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev2_auth_decode(struct rg_rd *, struct ikev2_auth *);

struct ikev2_cert {
	uint8_t		 encoding;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev2_cert_decode(struct rg_rd *, struct ikev2_cert *);

struct ikev2_notify {
	uint8_t		 proto;
	uint8_t		 spi_len;
	uint16_t	 type;
	const uint8_t	*spi;
	const uint8_t	*data;
	size_t		 len;
};
int	ikev2_notify_decode(struct rg_rd *, struct ikev2_notify *);

#define IKEV2_MAX_DEL_SPI	64
struct ikev2_delete {
	uint8_t		 proto;
	uint8_t		 spi_len;
	uint16_t	 nspi;
	uint32_t	 spi[IKEV2_MAX_DEL_SPI];	/* ESP/AH SPIs */
};
int	ikev2_delete_decode(struct rg_rd *, struct ikev2_delete *);

struct ikev2_ts {
	uint8_t		 type;
	uint8_t		 proto;
	uint16_t	 port_lo, port_hi;
	uint8_t		 lo[16], hi[16];	/* 4 or 16 bytes used */
};

#define IKEV2_MAX_TS	8
struct ikev2_ts_pl {
	struct ikev2_ts	 ts[IKEV2_MAX_TS];
	size_t		 nts;
};
int	ikev2_ts_decode(struct rg_rd *, struct ikev2_ts_pl *);

struct ikev2_cfg_attr_v {
	uint16_t	 type;
	const uint8_t	*data;
	size_t		 len;
};

#define IKEV2_MAX_CFG_ATTR	32
struct ikev2_cp {
	uint8_t			 cfg_type;
	struct ikev2_cfg_attr_v	 attr[IKEV2_MAX_CFG_ATTR];
	size_t			 nattr;
};
int	ikev2_cp_decode(struct rg_rd *, struct ikev2_cp *);

struct ikev2_skf {
	uint16_t	 num, total;
	const uint8_t	*data;		/* IV + ciphertext + ICV */
	size_t		 len;
};
int	ikev2_skf_decode(struct rg_rd *, struct ikev2_skf *);

/*
 * Encoder.  ikev2_enc_init writes the header (length and next payload
 * patched by later calls); ikev2_pl_begin/end frame one payload.
 */
struct ikev2_enc {
	struct rg_wr	 w;
	long		 np_off;	/* where the next "next payload" goes */
	long		 pl_off;	/* start of the open payload, -1 none */
	uint8_t		 first;		/* first payload type of the chain */
};

void	ikev2_enc_init(struct ikev2_enc *, uint8_t *buf, size_t cap,
	    const struct ikev2_hdr *);
/* An inner chain (SK plaintext), no header; e->first is its first type. */
void	ikev2_enc_inner(struct ikev2_enc *, uint8_t *buf, size_t cap);
void	ikev2_pl_begin(struct ikev2_enc *, uint8_t type);
void	ikev2_pl_end(struct ikev2_enc *);
/* Patch the header length; returns total bytes or -1 on overflow. */
long	ikev2_enc_finish(struct ikev2_enc *);

void	ikev2_put_sa(struct ikev2_enc *, const struct ikev2_sa_pl *);
void	ikev2_put_ke(struct ikev2_enc *, uint16_t group, const uint8_t *,
	    size_t);
void	ikev2_put_nonce(struct ikev2_enc *, const uint8_t *, size_t);
void	ikev2_put_notify(struct ikev2_enc *, uint8_t proto, const uint8_t *spi,
	    uint8_t spi_len, uint16_t type, const uint8_t *data, size_t len);
void	ikev2_put_id(struct ikev2_enc *, uint8_t pltype, uint8_t idtype,
	    const uint8_t *, size_t);
void	ikev2_put_auth(struct ikev2_enc *, uint8_t method, const uint8_t *,
	    size_t);
void	ikev2_put_cert(struct ikev2_enc *, uint8_t pltype, uint8_t encoding,
	    const uint8_t *, size_t);
void	ikev2_put_ts(struct ikev2_enc *, uint8_t pltype,
	    const struct ikev2_ts_pl *);
void	ikev2_put_cp(struct ikev2_enc *, const struct ikev2_cp *);
void	ikev2_put_delete(struct ikev2_enc *, const struct ikev2_delete *);
void	ikev2_put_raw(struct ikev2_enc *, uint8_t type, const uint8_t *, size_t);

#endif
