/*
 * rg_mschap: MS-CHAPv2 (RFC 2759 section 8) and MPPE key (RFC 3079
 * section 3) primitives, shared by EAP-MSCHAPv2, PPP MS-CHAPv2 and RADIUS.
 * MD4 and DES come from OpenSSL 3's legacy provider, loaded into a private
 * library context so the process-wide default context is left alone.
 *
 * Every output is a secret or derived from one: callers wipe it.
 */
#ifndef RG_MSCHAP_H
#define RG_MSCHAP_H

#include <stddef.h>
#include <stdint.h>

#define RG_MSCHAP_CHAL_LEN	16	/* authenticator and peer challenge */
#define RG_MSCHAP_NTRESP_LEN	24
#define RG_MSCHAP_AUTHRESP_LEN	42	/* "S=" + 40 upper-case hex digits */
#define RG_MSCHAP_MSK_LEN	64

/* NtPasswordHash: MD4 of the UTF-16LE form of a UTF-8 password. */
int	rg_mschap_nt_hash(const char *password, uint8_t out[16]);
/* HashNtPasswordHash: MD4 of the NT hash. */
int	rg_mschap_nt_hash_hash(const uint8_t nt_hash[16], uint8_t out[16]);
/*
 * ChallengeHash (RFC 2759 8.2).  user: the user name without any domain
 * prefix ("DOMAIN\user" -> "user", see rg_mschap_user_part()).
 */
int	rg_mschap_challenge_hash(const uint8_t peer_chal[16],
	    const uint8_t auth_chal[16], const char *user, size_t user_len,
	    uint8_t out[8]);
/* ChallengeResponse (RFC 2759 8.5): three DES encryptions of challenge. */
int	rg_mschap_challenge_response(const uint8_t challenge[8],
	    const uint8_t nt_hash[16], uint8_t out[24]);
/* GenerateNTResponse (RFC 2759 8.1). */
int	rg_mschap_nt_response(const uint8_t auth_chal[16],
	    const uint8_t peer_chal[16], const char *user, size_t user_len,
	    const uint8_t nt_hash[16], uint8_t out[24]);
/*
 * GenerateAuthenticatorResponse (RFC 2759 8.7): out receives
 * "S=<40 hex>" and a NUL (RG_MSCHAP_AUTHRESP_LEN + 1 bytes).
 */
int	rg_mschap_auth_response(const uint8_t nt_hash[16],
	    const uint8_t nt_resp[24], const uint8_t peer_chal[16],
	    const uint8_t auth_chal[16], const char *user, size_t user_len,
	    char out[RG_MSCHAP_AUTHRESP_LEN + 1]);
/* GetMasterKey (RFC 3079 3.4). */
int	rg_mschap_master_key(const uint8_t nt_hash_hash[16],
	    const uint8_t nt_resp[24], uint8_t out[16]);
/* GetAsymmetricStartKey (RFC 3079 3.4); key_len 8 or 16. */
int	rg_mschap_asym_start_key(const uint8_t master_key[16], uint8_t *out,
	    size_t key_len, int is_send, int is_server);
/*
 * The EAP-MSCHAPv2 MSK as the server computes it: MasterReceiveKey ||
 * MasterSendKey || 32 zero bytes (64 bytes).  Both ends get the same
 * value: the peer's send key is the server's receive key.
 */
int	rg_mschap_msk(const uint8_t nt_hash[16], const uint8_t nt_resp[24],
	    uint8_t out[RG_MSCHAP_MSK_LEN]);
/* The part of a "DOMAIN\user" name after the last backslash. */
const char *rg_mschap_user_part(const char *name, size_t len, size_t *out_len);

#endif
