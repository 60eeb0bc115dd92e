/*
 * ikev1_initiator.h: a test-only IKEv1 initiator (RFC 2409 main mode, or
 * aggressive mode with a group name, with a PSK; XAuth and mode-config
 * as a Cisco-style client; one quick-mode tunnel, or transport mode for
 * L2TP/IPsec as Windows sends it) built on the roadgate
 * codec and crypto (ikev1_msg.h, ikev1_crypto.h), for the in-memory
 * engine tests.  It
 * speaks only when spoken to: ikev1_ini_start() gives message 1,
 * ikev1_ini_input() takes one message of the responder and gives the
 * client's answers (up to two: an ACK and the next request).
 */
#ifndef IKEV1_INITIATOR_H
#define IKEV1_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct ikev1_ini_conf {
	const char	*psk;
	const char	*user, *pass;	/* XAuth; NULL: none configured */
	uint16_t	 encr, keylen, hash, group, auth;	/* phase 1;
					 * auth HYBRID_INIT_RSA: hybrid */
	bool		 natt, unity, dpd;
	bool		 pfs;		/* quick mode with KE (group) */
	bool		 cfg_pull;	/* ask for an address after XAuth */
	bool		 quick;		/* start quick mode after mode-config */
	bool		 initial_contact;	/* N(INITIAL-CONTACT), msg 5 */
	const char	*group_id;	/* aggressive mode with this ID_KEY_ID;
					 * NULL: main mode */
	bool		 natt_draft;	/* NAT-T as draft-02\n (payloads 130,
					 * 131), not RFC 3947 */
	/* L2TP/IPsec: right after phase 1 (PSK alone), quick mode in
	 * transport mode (UDP-encapsulated with natt, then NAT-OA), IDs
	 * UDP/1701 from the private address 10.0.0.2; no_ids: none. */
	bool		 l2tp, no_ids;
	/* auth RSA_SIG, XAUTH_INIT_RSA, ECDSA_*: our certificate (IDii its
	 * subject DN) and key, borrowed. */
	X509		*cert;
	EVP_PKEY	*key;
	/* The FRAGMENTATION vendor ID: message 5 goes in two pieces,
	 * pieces from the responder are put together. */
	bool		 frag;
};

enum ikev1_ini_state {
	INI_MM1, INI_MM3, INI_MM5, INI_P1_DONE, INI_XAUTH_DONE,
	INI_CFG_SENT, INI_CFG_DONE, INI_QM_SENT, INI_UP, INI_FAILED,
};

#define INI_MAX_OUT	2
struct ikev1_ini_out {
	uint8_t		 pkt[INI_MAX_OUT][4096];
	size_t		 len[INI_MAX_OUT];
	size_t		 n;
};

struct ikev1_ini;

struct ikev1_ini	*ikev1_ini_new(const struct ikev1_ini_conf *);
void			 ikev1_ini_free(struct ikev1_ini *);
enum ikev1_ini_state	 ikev1_ini_state(const struct ikev1_ini *);
/* Message 1 of main mode into out. */
void			 ikev1_ini_start(struct ikev1_ini *,
			    struct ikev1_ini_out *);
/* One responder message: 0 (answers in out, maybe none), -1 refused. */
int			 ikev1_ini_input(struct ikev1_ini *, const uint8_t *,
			    size_t, struct ikev1_ini_out *);

/* What the responder said. */
struct ikev1_ini_seen {
	uint8_t		 vip[4];
	bool		 has_vip;
	size_t		 ndns, nsplit;
	uint8_t		 split[4];	/* first split-include network */
	unsigned int	 xauth_requests;
	int		 xauth_status;	/* -1 none, 0 fail, 1 ok */
	uint32_t	 esp_spi;	/* the responder's inbound SPI */
	unsigned int	 notify[8];	/* informational notify types */
	size_t		 nnotify;
	bool		 deleted_isakmp;
	size_t		 deleted_esp;
	uint32_t	 dpd_seq;	/* last R-U-THERE sequence seen */
	bool		 hash_r_ok;	/* aggressive: HASH_R verified */
	bool		 pushed;	/* mode-config came as a SET */
	uint32_t	 responder_life; /* quick mode RESPONDER-LIFETIME */
	size_t		 natoa;		/* NAT-OA payloads in quick mode */
	uint8_t		 natoa_type;	/* their payload type */
	size_t		 ncert;		/* hybrid: CERT payloads in msg 6 */
	uint8_t		 idr_type;	/* hybrid: IDir's type */
	bool		 sig_ok;	/* SIG_R verified with the first
					 * certificate's key (hybrid, sig) */
	bool		 certreq;	/* message 4 carried a CR */
	size_t		 certreq_ca_len; /* its CA name's length */
	size_t		 frags_rx;	/* fragments received */
};
const struct ikev1_ini_seen *ikev1_ini_seen(const struct ikev1_ini *);
/* The SPI of the client's inbound ESP SA (quick mode). */
uint32_t		 ikev1_ini_esp_spi(const struct ikev1_ini *);

/* An encrypted informational of the client: N(type, data) or a DELETE
 * of the ISAKMP SA (type 0). */
void			 ikev1_ini_info(struct ikev1_ini *, uint16_t type,
			    const uint8_t *data, size_t len,
			    struct ikev1_ini_out *);

/* Fuzzing behind decryption: body (a payload chain starting with type
 * first) sealed as exchange exch with msgid, in a fresh exchange's IV;
 * with fix_hash and a leading HASH payload of the right size, that HASH
 * is made valid (prf(SKEYID_a, M-ID | rest)). */
void			 ikev1_ini_seal_raw(struct ikev1_ini *, uint8_t exch,
			    uint32_t msgid, uint8_t first, uint8_t *body,
			    size_t len, bool fix_hash, struct ikev1_ini_out *);

#endif
