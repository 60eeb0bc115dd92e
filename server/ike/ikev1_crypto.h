/*
 * ikev1_crypto.h: IKEv1 key derivation and phase-1 encryption (RFC 2409):
 * SKEYID for pre-shared keys and signatures, SKEYID_d/_a/_e (5), the
 * cipher key from SKEYID_e (Appendix B), HASH_I/HASH_R (5), CBC with the
 * IKEv1 IV rules (Appendix B), the quick-mode, informational and
 * transaction hashes (5.5, 5.7, draft-dukes-ike-mode-cfg), quick-mode
 * KEYMAT (5.5) and NAT-D (RFC 3947 3.2).  The phase-1 prf is the HMAC of
 * the negotiated Hash Algorithm: a PRF row of ike_alg.c (its evp names the
 * digest, used bare for the IV and NAT-D hashes).  Signing and verifying
 * live with the credentials: they come in as callbacks.
 */
#ifndef IKEV1_CRYPTO_H
#define IKEV1_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

struct ike_alg;

#define IKEV1_PRF_MAX	64	/* SHA-512 */
#define IKEV1_KEY_MAX	32	/* AES-256 */
#define IKEV1_BLOCK_MAX	16	/* AES */

/* Phase-1 (ISAKMP SA) keys. */
struct ikev1_keys {
	const struct ike_alg *prf;	/* Hash Algorithm row (PRF type) */
	const struct ike_alg *encr;	/* Encryption Algorithm row (CBC) */
	uint8_t		 cky_i[8], cky_r[8];
	uint8_t		 skeyid[IKEV1_PRF_MAX];
	uint8_t		 skeyid_d[IKEV1_PRF_MAX];
	uint8_t		 skeyid_a[IKEV1_PRF_MAX];
	uint8_t		 skeyid_e[IKEV1_PRF_MAX];
	uint8_t		 ek[IKEV1_KEY_MAX];	/* encr->key bytes */
};

/* A CBC chaining value: the IV of the next message in one exchange. */
struct ikev1_iv {
	uint8_t		 b[IKEV1_BLOCK_MAX];
	size_t		 len;		/* the cipher's block size */
};

/*
 * SKEYID (RFC 2409 5): pre-shared key: prf(psk, Ni_b | Nr_b);
 * signatures: prf(Ni_b | Nr_b, g^xy).  out gets prf->out bytes.
 */
int	ikev1_skeyid_psk(const struct ike_alg *prf, const uint8_t *psk,
	    size_t psklen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
	    size_t nrlen, uint8_t *out);
int	ikev1_skeyid_sig(const struct ike_alg *prf, const uint8_t *ni,
	    size_t nilen, const uint8_t *nr, size_t nrlen, const uint8_t *gxy,
	    size_t gxylen, uint8_t *out);

/*
 * SKEYID_d/_a/_e from SKEYID and g^xy, and the cipher key (SKEYID_e cut
 * or expanded, Appendix B).  cky_i/cky_r are the 8-byte cookies as on the
 * wire.  On failure *k is wiped.
 */
int	ikev1_derive(struct ikev1_keys *k, const struct ike_alg *prf,
	    const struct ike_alg *encr, const uint8_t *skeyid,
	    const uint8_t *gxy, size_t gxylen, const uint8_t *cky_i,
	    const uint8_t *cky_r);
void	ikev1_keys_wipe(struct ikev1_keys *);

/*
 * What HASH_I and HASH_R cover besides SKEYID and the cookies: both
 * public values, the body of the initiator's SA payload (SAi_b: no
 * generic header) and the body of the ID payload of the side whose hash
 * it is (IDii_b for HASH_I, IDir_b for HASH_R).
 */
struct ikev1_auth_in {
	const uint8_t	*gxi, *gxr;
	size_t		 gxilen, gxrlen;
	const uint8_t	*sai_b;
	size_t		 sailen;
	const uint8_t	*id_b;
	size_t		 idlen;
};

/* HASH_I (initiator true) or HASH_R into out (prf->out bytes). */
int	ikev1_hash_auth(const struct ikev1_keys *, bool initiator,
	    const struct ikev1_auth_in *, uint8_t *out);
/* PSK mode: does the peer's HASH_I match?  Constant-time. */
bool	ikev1_hash_auth_ok(const struct ikev1_keys *,
	    const struct ikev1_auth_in *, const uint8_t *hash, size_t len);

/*
 * Signature mode.  sign: the credential module signs hash (our HASH_R)
 * with the server key, writing at most cap bytes; returns the signature
 * length or -1.  verify: does sig verify as the peer's signature over
 * hash (its HASH_I)?  Returns 1 yes, 0 no, -1 error.
 */
typedef long	(*ikev1_sign_fn)(void *arg, const uint8_t *hash, size_t hlen,
		    uint8_t *sig, size_t cap);
typedef int	(*ikev1_verify_fn)(void *arg, const uint8_t *hash,
		    size_t hlen, const uint8_t *sig, size_t slen);
/* SIG_R over HASH_R (idb: IDir_b); returns its length or -1. */
long	ikev1_sign_r(const struct ikev1_keys *, const struct ikev1_auth_in *,
	    ikev1_sign_fn, void *arg, uint8_t *sig, size_t cap);
/* SIG_I over HASH_I (idb: IDii_b): true only if verify said yes. */
bool	ikev1_verify_i(const struct ikev1_keys *,
	    const struct ikev1_auth_in *, ikev1_verify_fn, void *arg,
	    const uint8_t *sig, size_t slen);

/*
 * IVs (Appendix B).  Phase 1: hash(g^xi | g^xr) cut to the block size.
 * A quick-mode, informational or transaction exchange: hash(last CBC
 * block of phase 1 | M-ID); p1last is the phase-1 chaining value once
 * phase 1 ended (the last block of the last phase-1 message).  msgid in
 * host order.
 */
int	ikev1_iv_phase1(const struct ikev1_keys *, const uint8_t *gxi,
	    size_t gxilen, const uint8_t *gxr, size_t gxrlen,
	    struct ikev1_iv *iv);
int	ikev1_iv_exchange(const struct ikev1_keys *,
	    const struct ikev1_iv *p1last, uint32_t msgid,
	    struct ikev1_iv *iv);

/*
 * Encrypt len bytes of payloads (the message after the ISAKMP header)
 * with iv, which then becomes the last cipher block (the next message's
 * IV).  Padding, as racoon sends it: 1 to block-size bytes, zeros, the
 * last one the number of pad bytes before it, so a receiver that trims
 * by that byte (racoon with strict_check) finds the payloads intact and
 * one that ignores the pad (strongSwan, racoon by default) is unharmed.
 * Returns the ciphertext length or -1.
 */
long	ikev1_encrypt(const struct ikev1_keys *, struct ikev1_iv *iv,
	    const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Decrypt; the padding stays: peers differ on the pad-length byte (some
 * set it, some pad with zeros or random bytes), so the payload chain
 * says where the payloads end.  iv then holds the
 * received last cipher block.  -1 if len is not whole blocks; iv is
 * untouched then.  Returns len. */
long	ikev1_decrypt(const struct ikev1_keys *, struct ikev1_iv *iv,
	    const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Ciphertext length for len bytes of payloads. */
size_t	ikev1_encrypted_len(const struct ikev1_keys *, size_t len);

/*
 * prf(SKEYID_a, M-ID | body): quick-mode HASH(1) (body: every payload
 * after HASH), the informational HASH(1) (N or D payload), the
 * transaction hash (ATTR payload).  HASH(2) of quick mode is
 * prf(SKEYID_a, M-ID | Ni_b | body): pass ni.  HASH(3) is
 * prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b).
 */
int	ikev1_hash_msg(const struct ikev1_keys *, uint32_t msgid,
	    const uint8_t *ni, size_t nilen, const uint8_t *body, size_t len,
	    uint8_t *out);
int	ikev1_hash_qm3(const struct ikev1_keys *, uint32_t msgid,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    uint8_t *out);

/*
 * Quick-mode KEYMAT (5.5) for one SA: K1 | K2 | ... with
 * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 * gqm NULL without PFS.  spi in host order: ours for the inbound SA (what
 * the peer sends us), the peer's for the outbound one.  ESP takes the
 * cipher key first, then the integrity key.
 */
int	ikev1_keymat(const struct ikev1_keys *, const uint8_t *gqm,
	    size_t gqmlen, uint8_t proto, uint32_t spi, const uint8_t *ni,
	    size_t nilen, const uint8_t *nr, size_t nrlen, uint8_t *out,
	    size_t outlen);

/*
 * Both SAs of one quick mode: key_in (len bytes) from our SPI spi_in, for
 * what the peer sends; key_out from the peer's spi_out, for what we send
 * (the layout struct ike_child_sa takes: cipher key, then integrity
 * key).  Both wiped on failure.
 */
int	ikev1_child_keymat(const struct ikev1_keys *, const uint8_t *gqm,
	    size_t gqmlen, uint8_t proto, uint32_t spi_in, uint32_t spi_out,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    uint8_t *key_in, uint8_t *key_out, size_t len);

/*
 * NAT-D (RFC 3947 3.2): hash(CKY-I | CKY-R | IP | Port) with the
 * negotiated hash.  sa: AF_INET or AF_INET6 with its port.  Returns the
 * hash length or -1.
 */
int	ikev1_natd(const struct ike_alg *prf, const uint8_t *cky_i,
	    const uint8_t *cky_r, const struct sockaddr *sa, uint8_t *out,
	    size_t cap);

#endif
