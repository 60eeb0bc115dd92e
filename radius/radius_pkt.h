/*
 * radius_pkt.h: a bounded RADIUS codec of our own (RFC 2865 packets and
 * attributes, RFC 2866 accounting, RFC 2869/3579 Message-Authenticator,
 * RFC 2548 Microsoft attributes and MPPE key encryption, RFC 5176 codes).
 *
 * Building: rad_pkt_init() with code, identifier and the Request
 * Authenticator, then rad_add*(); an Access-Request gets its
 * Message-Authenticator FIRST (rad_pkt_init() reserves it, BlastRADIUS,
 * draft-ietf-radext-deprecating-radius), rad_pkt_finish() fills it (and
 * the Accounting-Request's Request Authenticator).
 *
 * Reading: rad_parse() checks every length and splits the attributes
 * (Vendor-Specific ones into their sub-attributes); rad_verify_reply()
 * checks a reply against the request it answers: Response Authenticator
 * always, Message-Authenticator when present, and its presence in every
 * Access-Accept/Reject/Challenge unless the caller relaxes it.  Nothing
 * here trusts a reply before rad_verify_reply() said yes.
 */
#ifndef RADIUS_PKT_H
#define RADIUS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Codes (RFC 2865 3, RFC 2866 3, RFC 5176 2.3). */
#define RAD_ACCESS_REQUEST	1
#define RAD_ACCESS_ACCEPT	2
#define RAD_ACCESS_REJECT	3
#define RAD_ACCT_REQUEST	4
#define RAD_ACCT_RESPONSE	5
#define RAD_ACCESS_CHALLENGE	11
/* RFC 5176 Dynamic Authorization. */
#define RAD_DISCONNECT_REQUEST	40
#define RAD_DISCONNECT_ACK	41
#define RAD_DISCONNECT_NAK	42
#define RAD_COA_REQUEST		43
#define RAD_COA_ACK		44
#define RAD_COA_NAK		45

/* Attributes (RFC 2865 5, RFC 2866 5, RFC 2869 5). */
#define RAD_USER_NAME		1
#define RAD_USER_PASSWORD	2
#define RAD_CHAP_PASSWORD	3
#define RAD_NAS_IP_ADDRESS	4
#define RAD_NAS_PORT		5
#define RAD_SERVICE_TYPE	6
#define RAD_FRAMED_PROTOCOL	7
#define RAD_FRAMED_IP_ADDRESS	8
#define RAD_FILTER_ID		11
#define RAD_REPLY_MESSAGE	18
#define RAD_STATE		24
#define RAD_CLASS		25
#define RAD_VENDOR_SPECIFIC	26
#define RAD_SESSION_TIMEOUT	27
#define RAD_IDLE_TIMEOUT	28
#define RAD_CALLED_STATION_ID	30
#define RAD_CALLING_STATION_ID	31
#define RAD_NAS_IDENTIFIER	32
#define RAD_ACCT_STATUS_TYPE	40
#define RAD_ACCT_DELAY_TIME	41
#define RAD_ACCT_INPUT_OCTETS	42
#define RAD_ACCT_OUTPUT_OCTETS	43
#define RAD_ACCT_SESSION_ID	44
#define RAD_ACCT_AUTHENTIC	45
#define RAD_ACCT_SESSION_TIME	46
#define RAD_ACCT_INPUT_PACKETS	47
#define RAD_ACCT_OUTPUT_PACKETS	48
#define RAD_ACCT_TERMINATE_CAUSE 49
#define RAD_EVENT_TIMESTAMP	55
#define RAD_ACCT_INPUT_GIGAWORDS 52
#define RAD_ACCT_OUTPUT_GIGAWORDS 53
#define RAD_CHAP_CHALLENGE	60
#define RAD_NAS_PORT_TYPE	61
#define RAD_EAP_MESSAGE		79
#define RAD_MESSAGE_AUTHENTICATOR 80
#define RAD_ACCT_INTERIM_INTERVAL 85
#define RAD_FRAMED_POOL		88
#define RAD_ERROR_CAUSE		101	/* RFC 5176 3.5 */

/* Values. */
#define RAD_SERVICE_FRAMED	2
#define RAD_NAS_PORT_VIRTUAL	5
#define RAD_STATUS_START	1
#define RAD_STATUS_STOP		2
#define RAD_STATUS_INTERIM	3
#define RAD_STATUS_ACCT_ON	7
#define RAD_STATUS_ACCT_OFF	8
#define RAD_AUTHENTIC_RADIUS	1

/* Microsoft vendor attributes (RFC 2548 2). */
#define RAD_VENDOR_MICROSOFT	311
#define RAD_MS_CHAP_ERROR	2
#define RAD_MS_CHAP_CHALLENGE	11
#define RAD_MS_MPPE_SEND_KEY	16
#define RAD_MS_MPPE_RECV_KEY	17
#define RAD_MS_CHAP2_RESPONSE	25
#define RAD_MS_CHAP2_SUCCESS	26
#define RAD_MS_PRIMARY_DNS	28
#define RAD_MS_SECONDARY_DNS	29

#define RAD_HDR_LEN		20
#define RAD_AUTH_LEN		16
#define RAD_MAX_LEN		4096	/* RFC 2865 3 */
#define RAD_MAX_ATTR		253	/* value bytes in one attribute */
#define RAD_MAX_ATTRS		256	/* attributes one parse keeps */
#define RAD_MAX_PASSWORD	128	/* RFC 2865 5.2 */
#define RAD_MAX_SECRET		128

/* A packet being built. */
struct rad_pkt {
	uint8_t		 buf[RAD_MAX_LEN];
	size_t		 len;
	size_t		 ma_off;	/* Message-Authenticator value; 0 none */
	bool		 err;		/* an add did not fit */
};

/*
 * code, id, and auth: the Request Authenticator of an Access-Request
 * (random, the caller's), ignored for an Accounting-Request (computed by
 * rad_pkt_finish()).  An Access-Request starts with a zeroed
 * Message-Authenticator.
 */
void	rad_pkt_init(struct rad_pkt *, uint8_t code, uint8_t id,
	    const uint8_t auth[RAD_AUTH_LEN]);
int	rad_add(struct rad_pkt *, uint8_t type, const void *val, size_t len);
/* A zeroed Message-Authenticator here (rad_pkt_init() does it for an
 * Access-Request; a test's fake server for its replies). */
int	rad_add_ma(struct rad_pkt *);
int	rad_add_str(struct rad_pkt *, uint8_t type, const char *s);
int	rad_add_u32(struct rad_pkt *, uint8_t type, uint32_t v);
int	rad_add_vsa(struct rad_pkt *, uint32_t vendor, uint8_t vtype,
	    const void *val, size_t len);
/* User-Password hidden with the secret and the packet's Request
 * Authenticator (RFC 2865 5.2); 1..128 bytes. */
int	rad_add_password(struct rad_pkt *, const char *password,
	    const uint8_t *secret, size_t slen);
/* Length, Message-Authenticator, Accounting Request Authenticator.
 * 0, or -1 when an add failed. */
int	rad_pkt_finish(struct rad_pkt *, const uint8_t *secret, size_t slen);

/* A parsed packet: pointers into the caller's buffer. */
struct rad_attr {
	uint8_t		 type;		/* 26 for vendor ones */
	uint32_t	 vendor;	/* 0: standard */
	uint8_t		 vtype;
	const uint8_t	*val;
	uint8_t		 len;
};

struct rad_msg {
	uint8_t		 code, id;
	uint16_t	 len;		/* from the header (<= buffer) */
	const uint8_t	*auth;		/* the authenticator field */
	struct rad_attr	 attrs[RAD_MAX_ATTRS];
	size_t		 nattrs;
	const uint8_t	*raw;		/* the packet, len bytes */
};

/* 0, or -1 with *why when malformed (bytes after len are ignored,
 * RFC 2865 3). */
int	rad_parse(const uint8_t *p, size_t n, struct rad_msg *,
	    const char **why);
/* The first standard attribute type / vendor attribute; NULL if none. */
const struct rad_attr *rad_find(const struct rad_msg *, uint8_t type);
const struct rad_attr *rad_find_vsa(const struct rad_msg *, uint32_t vendor,
	    uint8_t vtype);
/*
 * A request whose authenticator is computed like an Accounting-Request's
 * (RFC 2866 3; Disconnect/CoA-Request, RFC 5176 3.5), and its
 * Message-Authenticator (computed with that field zeroed): 0, or -1 with
 * *why.  require_ma: a request without one fails.
 */
int	rad_verify_request(const struct rad_msg *m, const uint8_t *secret,
	    size_t slen, bool require_ma, const char **why);
/* A 4-byte integer attribute: 0, or -1 when absent or not 4 bytes. */
int	rad_get_u32(const struct rad_msg *, uint8_t type, uint32_t *);

/*
 * m is a parsed reply to the request whose Request Authenticator was
 * req_auth.  Response Authenticator (RFC 2865 3), and the
 * Message-Authenticator (RFC 3579 3.2): checked when present; required
 * in Access-Accept/Reject/Challenge when require_ma.  0 or -1 with why.
 */
int	rad_verify_reply(const struct rad_msg *m,
	    const uint8_t req_auth[RAD_AUTH_LEN], const uint8_t *secret,
	    size_t slen, bool require_ma, const char **why);

/*
 * RFC 2548 2.4.2: a MS-MPPE-Send/Recv-Key value (salt, then the
 * encrypted length-prefixed key) into out (at most cap bytes).  0 with
 * *outlen, or -1.  rad_mppe_encrypt() is the server's side (tests).
 */
int	rad_mppe_decrypt(const uint8_t *val, size_t len,
	    const uint8_t *secret, size_t slen,
	    const uint8_t req_auth[RAD_AUTH_LEN], uint8_t *out, size_t cap,
	    size_t *outlen);
int	rad_mppe_encrypt(const uint8_t *key, size_t klen, uint16_t salt,
	    const uint8_t *secret, size_t slen,
	    const uint8_t req_auth[RAD_AUTH_LEN], uint8_t *out, size_t cap,
	    size_t *outlen);
/* The server's side of a reply built with rad_pkt_init(code, id,
 * req_auth) (tests, fakes): Message-Authenticator if reserved, then the
 * Response Authenticator. */
int	rad_pkt_finish_reply(struct rad_pkt *, const uint8_t *secret,
	    size_t slen);

const char *rad_code_name(uint8_t code);

#endif
