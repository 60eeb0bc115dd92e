/*
 * esp.h: the ESP packet codec (RFC 4303) and anti-replay window.
 *
 * An esp_sa is one direction of a CHILD_SA: its cipher and MAC contexts
 * are made once by esp_sa_init() (key schedule done there, never per
 * packet); esp_encrypt()/esp_decrypt() then only set the IV and run.
 * No allocation per packet; callers hand in their own buffers.
 *
 * Transforms: AES-GCM-16 (RFC 4106), ChaCha20-Poly1305 (RFC 7634),
 * AES-CBC (RFC 3602) and 3DES-CBC (RFC 2451) with HMAC-SHA1-96 (RFC 2404)
 * or HMAC-SHA2-256/384/512 (RFC 4868), NULL encryption (RFC 2410).
 * ESN (RFC 4304): the high 32 bits go into the AAD / ICV, never the wire.
 */
#ifndef RG_ESP_H
#define RG_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"

#define ESP_HDR_LEN	8		/* SPI + sequence number */
#define ESP_MAX_IV	16
#define ESP_MAX_ICV	32
#define ESP_MAX_BLOCK	16
/* Worst-case growth of a payload: header, IV, padding, trailer, ICV. */
#define ESP_MAX_OVERHEAD (ESP_HDR_LEN + ESP_MAX_IV + ESP_MAX_BLOCK + 2 + \
	    ESP_MAX_ICV)
#define ESP_REPLAY_MAX	8192		/* largest window we keep (packets) */
#define ESP_REPLAY_DEF	1024

#define ESP_NH_IPV4	4
#define ESP_NH_IPV6	41
#define ESP_NH_DUMMY	59		/* RFC 4303 2.6: discard silently */

/* Why a packet was refused; esp_decrypt() returns the negative value. */
#define ESP_ERR_LIST(X)			\
	X(TRUNC,	1, "truncated")	\
	X(SPI,		2, "wrong SPI")	\
	X(REPLAY,	3, "replayed or too old")	\
	X(AUTH,		4, "ICV mismatch")	\
	X(PAD,		5, "bad padding")	\
	X(NH,		6, "bad next header")	\
	X(SEQ,		7, "sequence number exhausted")	\
	X(SPACE,	8, "buffer too small")	\
	X(CRYPTO,	9, "crypto library failure")

enum esp_err {
#define X(id, v, s)	ESP_E_##id = v,
	ESP_ERR_LIST(X)
#undef X
};
const char	*esp_err_str(int err);	/* takes the negative or positive value */

/* Anti-replay window (RFC 4303 3.4.3, Appendix A). */
struct esp_replay {
	uint64_t	*bm;		/* owned; nwords words of bits */
	uint32_t	 nwords;
	uint32_t	 window;	/* packets, multiple of 64 */
	uint64_t	 top;		/* highest authenticated sequence number */
	bool		 esn;
};

int	 esp_replay_init(struct esp_replay *, uint32_t window, bool esn);
void	 esp_replay_free(struct esp_replay *);
/* Full sequence number for a received low half (RFC 4303 A2.2). */
uint64_t esp_replay_infer(const struct esp_replay *, uint32_t seq_lo);
/* 0 if seq may be accepted, -ESP_E_REPLAY if duplicate or too old. */
int	 esp_replay_check(const struct esp_replay *, uint64_t seq);
/* Record seq as seen; call only after the ICV verified. */
void	 esp_replay_update(struct esp_replay *, uint64_t seq);

struct esp_xform;

struct esp_sa {		/* packed small: one per SA, thousands of SAs */
	uint32_t		 spi;
	bool			 inbound;
	bool			 esn;
	uint8_t			 iv_len, icv_len, block;
	uint8_t			 salt[4];	/* AEAD nonce prefix */
	enum dp_mode		 mode;
	const struct esp_xform	*xf;		/* static table row */
	void			*cctx;		/* owned EVP_CIPHER_CTX */
	void			*mctx;		/* owned EVP_MAC_CTX (HMAC) or NULL */
	uint64_t		 seq;		/* outbound: last sequence number sent */
	struct esp_replay	 rp;		/* inbound */
	const uint8_t		*fixed_iv;	/* tests only: IV to use, iv_len bytes */
};

/* From a dp_sa (keys copied into the contexts, not kept). 0 or -1;
 * esp_sa_refusal() says why a dp_sa is refused. */
int	esp_sa_init(struct esp_sa *, const struct dp_sa *);
/* Why esp_sa_init() refuses d (e.g. "AES-CBC without integrity
 * protection"), NULL when its transform and keys are acceptable.  Static
 * text. */
const char *esp_sa_refusal(const struct dp_sa *);
void	esp_sa_clear(struct esp_sa *);		/* frees contexts, wipes */
/* Bytes esp_encrypt() adds to a payload of len bytes. */
size_t	esp_overhead(const struct esp_sa *, size_t len);
bool	esp_transform_supported(enum dp_encr, size_t keylen, enum dp_integ);

/*
 * Encrypt one payload (tunnel: the inner IP packet, nh 4/41; transport:
 * the upper-layer payload, nh its protocol).  Writes SPI..ICV to out.
 * in and out may not overlap.  0 or -ESP_E_*.
 */
int	esp_encrypt(struct esp_sa *, uint8_t nh, const uint8_t *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen);

/*
 * Verify and decrypt one ESP packet (pkt starts at the SPI).  Writes the
 * payload without trailer to out and its next header to *nh.  Checks SPI,
 * replay (before and after the ICV), ICV, padding (RFC 4303 2.4: 1, 2, 3,
 * ...) and, in tunnel mode, that the next header is IPv4, IPv6 or dummy.
 * *seq gets the full sequence number.  0 or -ESP_E_*.
 */
int	esp_decrypt(struct esp_sa *, const uint8_t *pkt, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen, uint8_t *nh, uint64_t *seq);

/* The truncated HMAC ICV over data (+ the ESN high half when hi != NULL);
 * exposed for the RFC 4231 / 2202 known-answer tests. */
int	esp_icv(struct esp_sa *, const uint8_t *data, size_t len,
	    const uint8_t *hi, uint8_t *icv);

#endif
