/*
 * web_auth.h: the HTTPS listener's access control, pure (no I/O, the
 * clock passed in) so the unit test drives it:
 *  - admin passwords: scrypt (OpenSSL EVP_KDF "SCRYPT") with a random
 *    per-account salt, stored as "scrypt$LOG2N$R$P$SALT$HASH" (base64),
 *    compared in constant time;
 *  - API tokens: 32 random bytes shown once as "rgt_<64 hex>", stored as
 *    their SHA-256 (a token has full entropy: a slow KDF adds nothing);
 *  - browser sessions: a random id in a cookie, a separate CSRF token,
 *    idle and absolute timeouts;
 *  - the failed-login throttle per account and per source address (the
 *    idea of server/auth's VPN throttle, with its own table).
 */
#ifndef WEB_AUTH_H
#define WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_PW_HASH_MAX		192
#define WEB_PW_MIN		8
#define WEB_PW_MAX		256
#define WEB_TOKEN_LEN		68	/* "rgt_" + 64 hex */
#define WEB_HEX_ID		65	/* 32 bytes in hex + NUL */

/* New hash of pw into out (salt from the CSPRNG).  0, or -1. */
int	web_pw_hash(const char *pw, char out[WEB_PW_HASH_MAX]);
/* log2 N of the KDF; tests lower it (the format records it). */
void	web_pw_cost(unsigned int log2n);
/* pw against a stored hash; false for a malformed one. */
bool	web_pw_verify(const char *pw, const char *stored);
/* Burn the time of one verification (unknown accounts). */
void	web_pw_dummy(const char *pw);

/* A new token (shown once) and the hash to store.  0, or -1. */
int	web_token_new(char tok[WEB_TOKEN_LEN + 1], char hash[WEB_HEX_ID]);
/* The stored form of a presented token; -1 when it is not one. */
int	web_token_hash(const char *tok, char hash[WEB_HEX_ID]);

#define WEB_SESS_MAX		64
#define WEB_SESS_IDLE_S		(15 * 60)
#define WEB_SESS_ABS_S		(8 * 3600)

struct web_sess {
	bool		 used;
	char		 id[WEB_HEX_ID];	/* the cookie */
	char		 csrf[WEB_HEX_ID];
	char		 name[65];
	uint8_t		 pw_tag[32];	/* SHA-256 of the hash at login */
	uint64_t	 created, last;	/* seconds */
};

struct web_sessions {
	struct web_sess	 s[WEB_SESS_MAX];
	uint64_t	 idle_s, abs_s;
};

void	web_sess_init(struct web_sessions *);
/* A new session for name (the oldest one goes when full); NULL: -1. */
struct web_sess	*web_sess_new(struct web_sessions *, const char *name,
		    const char *pw_hash, uint64_t now);
/* The live session with this cookie value (last use bumped), or NULL;
 * an expired one is wiped. */
struct web_sess	*web_sess_find(struct web_sessions *, const char *id,
		    uint64_t now);
void	web_sess_del(struct web_sess *);
/* Drop every session of name (password changed, account deleted). */
void	web_sess_drop_name(struct web_sessions *, const char *name);
/* The password the session logged in with is still the account's. */
bool	web_sess_pw_current(const struct web_sess *, const char *pw_hash);
/* The X-CSRF-Token header matches (constant time). */
bool	web_csrf_ok(const struct web_sess *, const char *hdr);

#define WEB_THR_MAX		256
#define WEB_THR_USER_FAILS	5
#define WEB_THR_ADDR_FAILS	20
#define WEB_THR_WINDOW_S	900
#define WEB_THR_BLOCK_S		300

struct web_thr_ent {
	char		 key[96];	/* "u:<name>" | "a:<address>" */
	unsigned int	 fails;
	uint64_t	 first, until;
};

struct web_throttle {
	struct web_thr_ent	 e[WEB_THR_MAX];
	unsigned int		 user_fails, addr_fails;
	uint64_t		 window_s, block_s;
};

void	web_thr_init(struct web_throttle *);
/* Seconds until a login by user from addr may be tried (0: now). */
uint64_t web_thr_blocked(struct web_throttle *, const char *user,
	    const char *addr, uint64_t now);
void	web_thr_fail(struct web_throttle *, const char *user,
	    const char *addr, uint64_t now);
/* A success forgets the account's failures (not a running block). */
void	web_thr_ok(struct web_throttle *, const char *user, uint64_t now);

#endif
