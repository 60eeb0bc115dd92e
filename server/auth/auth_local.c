/*
 * auth_local.c: the local backend of auth.h: users of the current
 * rg_config snapshot.  PAP against the cleartext password (or its NT
 * hash), CHAP-MD5 (RFC 1994, needs the cleartext), MS-CHAPv2 (RFC 2759:
 * NT-Response check, authenticator response; RFC 3079 MPPE keys and the
 * EAP-MSCHAPv2 MSK).  It answers at once; auth.c still delivers the answer
 * from the loop.
 *
 * No user-name oracle: an unknown user costs the same work as a known
 * one, and a disabled account is only reported once the password was
 * proven right; before that it is a plain reject like any wrong password.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "rg_log.h"

struct auth_local {
	struct rg_config	*cfg;		/* counted reference */
};

void *
auth_local_new(struct rg_config *cfg)
{
	struct auth_local	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->cfg = rg_config_ref(cfg);
	return l;
}

static void
local_free(void *state)
{
	struct auth_local	*l = state;

	if (l == NULL)
		return;
	rg_config_unref(l->cfg);
	free(l);
}

static void
local_reconfigure(void *state, struct rg_config *cfg)
{
	struct auth_local	*l = state;

	rg_config_unref(l->cfg);
	l->cfg = rg_config_ref(cfg);
}

static void
local_cancel(void *state, struct auth_call *c)
{
	/* Never pending here: check() answers before it returns. */
	(void)state;
	(void)c;
}

/* The user's NT hash, from the store or computed from the password. */
static int
user_nt_hash(const struct rg_user *u, uint8_t out[16])
{
	if (u->has_nt_hash) {
		memcpy(out, u->nt_hash, 16);
		return 0;
	}
	if (u->password)
		return rg_mschap_nt_hash(u->password, out);
	return -1;
}

/* Wrong password, or right password on a disabled account. */
static struct auth_result *
verdict(const struct rg_user *u, bool match, const char *name)
{
	if (!match)
		return auth_result_new(AUTH_REJECT, "user %s: wrong password%s",
		    name, u->enabled ? "" : " (account disabled too)");
	if (!u->enabled)
		return auth_result_new(AUTH_DISABLED,
		    "user %s: account disabled", name);
	return auth_result_new(AUTH_OK, NULL);
}

static struct auth_result *
check_pap(const struct rg_user *u, const struct auth_req *rq,
    const char *name)
{
	const char	*pw = rq->u.pap.password;
	uint8_t		 a[16], b[16];
	bool		 match = false;
	size_t		 n = strlen(pw);

	if (u == NULL) {
		/* The same work as for a stored hash. */
		(void)rg_mschap_nt_hash(pw, a);
		OPENSSL_cleanse(a, sizeof(a));
		return auth_result_new(AUTH_REJECT, "unknown user %s", name);
	}
	if (u->password != NULL)
		match = strlen(u->password) == n &&
		    CRYPTO_memcmp(u->password, pw, n) == 0;
	else if (u->has_nt_hash && rg_mschap_nt_hash(pw, a) == 0) {
		memcpy(b, u->nt_hash, 16);
		match = CRYPTO_memcmp(a, b, 16) == 0;
	} else
		return auth_result_new(AUTH_REJECT, "user %s: no password or "
		    "NT hash stored", name);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return verdict(u, match, name);
}

/* RFC 1994 4.1: MD5(Identifier || secret || Challenge). */
static struct auth_result *
check_chap(const struct rg_user *u, const struct auth_req *rq,
    const char *name)
{
	EVP_MD_CTX	*x;
	uint8_t		 want[EVP_MAX_MD_SIZE];
	unsigned int	 wl = 0;
	const char	*secret;
	bool		 ok;

	if (u != NULL && u->password == NULL)
		return auth_result_new(AUTH_REJECT, "user %s: CHAP-MD5 needs "
		    "the cleartext password, only an NT hash is stored", name);
	secret = u != NULL ? u->password : "";
	if ((x = EVP_MD_CTX_new()) == NULL)
		return auth_result_new(AUTH_ERROR, "out of memory");
	ok = EVP_DigestInit_ex(x, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(x, &rq->u.chap.id, 1) == 1 &&
	    EVP_DigestUpdate(x, secret, strlen(secret)) == 1 &&
	    EVP_DigestUpdate(x, rq->u.chap.challenge,
	    rq->u.chap.challenge_len) == 1 &&
	    EVP_DigestFinal_ex(x, want, &wl) == 1 && wl == 16;
	EVP_MD_CTX_free(x);
	if (!ok)
		return auth_result_new(AUTH_ERROR, "user %s: MD5 unavailable",
		    name);
	ok = CRYPTO_memcmp(want, rq->u.chap.response, 16) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (u == NULL)
		return auth_result_new(AUTH_REJECT, "unknown user %s", name);
	return verdict(u, ok, name);
}

/*
 * RFC 2759 8.1 NT-Response, 8.7 authenticator response; RFC 3079 3.4
 * MPPE keys; the EAP-MSCHAPv2 MSK (rg_mschap_msk()).  cpart: the name
 * without a "DOMAIN\" prefix, which is what ChallengeHash covers.
 */
static struct auth_result *
check_mschapv2(const struct rg_user *u, const struct auth_req *rq,
    const char *cpart, size_t clen, const char *name)
{
	const uint8_t		*ac = rq->u.mschapv2.auth_chal;
	const uint8_t		*pc = rq->u.mschapv2.peer_chal;
	const uint8_t		*nr = rq->u.mschapv2.nt_resp;
	struct auth_result	*r = NULL;
	uint8_t			 nt_hash[16], hh[16], mk[16], expect[24];
	bool			 match;

	if (u == NULL) {
		/* The same work as for a known user: no user-name oracle. */
		if (RAND_bytes(nt_hash, sizeof(nt_hash)) == 1)
			(void)rg_mschap_nt_response(ac, pc, cpart, clen,
			    nt_hash, expect);
		r = auth_result_new(AUTH_REJECT, "unknown user %s", name);
		goto out;
	}
	if (user_nt_hash(u, nt_hash) < 0) {
		r = auth_result_new(AUTH_REJECT, "user %s: no password or NT "
		    "hash stored", name);
		goto out;
	}
	if (rg_mschap_nt_response(ac, pc, cpart, clen, nt_hash, expect) < 0) {
		r = auth_result_new(AUTH_ERROR, "user %s: MS-CHAPv2 crypto "
		    "unavailable", name);
		goto out;
	}
	match = CRYPTO_memcmp(expect, nr, 24) == 0;
	if ((r = verdict(u, match, name)) == NULL || r->outcome != AUTH_OK)
		goto out;
	if (rg_mschap_auth_response(nt_hash, nr, pc, ac, cpart, clen,
	    r->authenticator) < 0 ||
	    rg_mschap_msk(nt_hash, nr, r->msk) < 0 ||
	    rg_mschap_nt_hash_hash(nt_hash, hh) < 0 ||
	    rg_mschap_master_key(hh, nr, mk) < 0 ||
	    rg_mschap_asym_start_key(mk, r->mppe_send, 16, 1, 1) < 0 ||
	    rg_mschap_asym_start_key(mk, r->mppe_recv, 16, 0, 1) < 0) {
		auth_result_free(r);
		r = auth_result_new(AUTH_ERROR, "user %s: MS-CHAPv2 key "
		    "derivation failed", name);
		goto out;
	}
	r->msk_len = RG_MSCHAP_MSK_LEN;
	r->has_mppe = true;
out:
	OPENSSL_cleanse(nt_hash, sizeof(nt_hash));
	OPENSSL_cleanse(hh, sizeof(hh));
	OPENSSL_cleanse(mk, sizeof(mk));
	OPENSSL_cleanse(expect, sizeof(expect));
	return r;
}

struct auth_result *
auth_local_answer(void *state, const struct auth_req *rq)
{
	struct auth_local	*l = state;
	const struct rg_user	*u = NULL;
	struct auth_result	*r;
	const char		*cpart;
	char			 name[256];
	size_t			 clen;

	cpart = rg_mschap_user_part(rq->user, strlen(rq->user), &clen);
	if (clen == 0 || clen >= sizeof(name))
		return auth_result_new(AUTH_REJECT, "no usable user name");
	/* MS-CHAPv2 names may carry "DOMAIN\"; the store has the user. */
	if (rq->kind != AUTH_MSCHAPV2) {
		cpart = rq->user;
		clen = strlen(rq->user);
		if (clen >= sizeof(name))
			clen = sizeof(name) - 1;
	}
	/* Printable for logs; a name with others matches no user. */
	for (size_t i = 0; i < clen; i++)
		name[i] = (cpart[i] >= 0x20 && cpart[i] < 0x7f) ? cpart[i] :
		    '?';
	name[clen] = '\0';
	u = rg_config_user(l->cfg, name);
	switch (rq->kind) {
	case AUTH_PAP:
		r = check_pap(u, rq, name);
		break;
	case AUTH_CHAP_MD5:
		r = check_chap(u, rq, name);
		break;
	case AUTH_MSCHAPV2:
		r = check_mschapv2(u, rq, cpart, clen, name);
		break;
	default:
		r = auth_result_new(AUTH_UNSUPPORTED, "the local backend "
		    "cannot check %s", auth_kind_name(rq->kind));
		break;
	}
	if (r != NULL && u != NULL && (r->outcome == AUTH_OK ||
	    r->outcome == AUTH_DISABLED))
		snprintf(r->user, sizeof(r->user), "%s", u->name);
	return r;
}

static int
local_check(void *state, struct auth_call *c)
{
	auth_call_done(c, auth_local_answer(state, auth_call_req(c)));
	return 0;
}

const struct auth_backend_ops auth_local_ops = {
	.name = "local",
	.check = local_check,
	.cancel = local_cancel,
	.reconfigure = local_reconfigure,
	.free = local_free,
};
