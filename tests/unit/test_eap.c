/*
 * test_eap.c: whole in-memory EAP conversations between server/eap.c and
 * the test peers of eap_peer.c: EAP-MSCHAPv2 (draft-kamath) success,
 * wrong password, unknown user, disabled user, Android's empty identity,
 * DOMAIN\user; EAP-TLS (RFC 5216) after a Nak, directly, with a revoked
 * certificate (CRL), a certificate of another CA; MSKs equal on both
 * sides; the RFC 3748 codec and Identifier rules; a pending answer
 * (EAP_PENDING, the done callback, resume, freed while pending).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "eap.h"
#include "eap_int.h"
#include "eap_peer.h"
#include "rg_mschap.h"
#include "rg_test.h"

static struct test_pki	 pki, other;

static void
add_user(struct rg_config *c, const char *name, const char *pass,
    bool enabled, bool store_hash)
{
	struct rg_user	*u;

	c->users = realloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->name = strdup(name);
	u->enabled = enabled;
	if (store_hash) {
		rg_mschap_nt_hash(pass, u->nt_hash);
		u->has_nt_hash = true;
	} else {
		u->password = strdup(pass);
	}
}

static struct rg_config *
cfg_new(const char *crl_serial_revoked)
{
	struct rg_config	*c = rg_config_new();

	add_user(c, "alice", "alice-pass", true, true);
	add_user(c, "carol", "carol-pass", true, false);
	add_user(c, "dave", "dave-pass", false, true);
	/* Certificate logins need a user record too (cred.h). */
	add_user(c, "client2@testbed.test", "unused-pass", true, true);
	add_user(c, "laptop-42", "unused-pass", true, true);
	c->pki.ca_pem = test_pem_x509(pki.ca);
	c->pki.server_cert_pem = test_pem_x509(pki.srv);
	c->pki.server_key_pem = test_pem_key(pki.srv_key);
	if (crl_serial_revoked)
		c->pki.crl_pem = test_pki_crl_pem(&pki,
		    strtol(crl_serial_revoked, NULL, 10));
	return c;
}

struct run {
	enum eap_result		 res;
	enum eap_peer_rc	 prc;
	unsigned int		 rounds;
};

/* Drive server and peer to the end. */
static struct run
converse(struct eap_session *s, struct eap_peer *p)
{
	struct rg_buf	*req = NULL, *rsp = NULL;
	struct run	 r = { EAP_CONTINUE, PEER_RESPONSE, 0 };

	CHECK_EQ(eap_session_start(s, &req), 0);
	while (req && r.rounds < 100) {
		r.prc = eap_peer_process(p, req->data, req->len, &rsp);
		rg_buf_free(req);
		req = NULL;
		if (r.prc != PEER_RESPONSE)
			break;
		r.rounds++;
		r.res = eap_test_process(s, rsp->data, rsp->len, &req);
		rg_buf_free(rsp);
		rsp = NULL;
		if (r.res != EAP_CONTINUE) {
			r.prc = eap_peer_process(p, req->data, req->len, &rsp);
			rg_buf_free(req);
			req = NULL;
			break;
		}
	}
	rg_buf_free(req);
	rg_buf_free(rsp);
	return r;
}

static void
mschapv2_ok(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", "alice");
	struct eap_peer		*p = eap_peer_mschapv2("alice", "alice",
				    "alice-pass");
	struct run		 r = converse(s, p);
	const struct rg_buf	*msk;

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_EQ(r.prc, PEER_SUCCESS);
	CHECK_STR(eap_session_user(s), "alice");
	CHECK_STR(eap_session_method(s), "EAP-MSCHAPv2");
	CHECK(strncmp(eap_peer_note(p), "S=", 2) == 0);
	msk = eap_session_msk(s);
	CHECK(msk != NULL && msk->len == 64);
	CHECK(eap_peer_msk(p) != NULL);
	if (msk && eap_peer_msk(p))
		CHECK_MEM(msk->data, eap_peer_msk(p), 64);
	CHECK(eap_session_error(s) == NULL);
	CHECK(!eap_session_failed(s));
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_cleartext_password(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "any", NULL);
	struct eap_peer		*p = eap_peer_mschapv2("carol", "carol",
				    "carol-pass");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_STR(eap_session_user(s), "carol");
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_wrong_password(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", "alice");
	struct eap_peer		*p = eap_peer_mschapv2("alice", "alice",
				    "wrong");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK_EQ(r.prc, PEER_FAILURE);
	CHECK_STR(eap_session_error(s),
	    "user alice: wrong password (EAP-MSCHAPv2)");
	CHECK(strncmp(eap_peer_note(p), "E=691 R=0 C=", 12) == 0);
	CHECK(eap_session_failed(s));
	CHECK(strstr(eap_peer_note(p), " V=3 M=") != NULL);
	CHECK(eap_session_msk(s) == NULL);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_unknown_user(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", "bob");
	struct eap_peer		*p = eap_peer_mschapv2("bob", "bob", "x");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK_STR(eap_session_error(s), "unknown user bob (EAP-MSCHAPv2)");
	CHECK(eap_session_user(s) == NULL);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_disabled_user(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", NULL);
	struct eap_peer		*p = eap_peer_mschapv2("dave", "dave",
				    "dave-pass");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK_STR(eap_session_error(s),
	    "user dave: account disabled (EAP-MSCHAPv2)");
	CHECK(strncmp(eap_peer_note(p), "E=647", 5) == 0);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

/* Defect 11: a guesser learns nothing of a disabled account: the same
 * E=691 as any wrong password; the log still says it is disabled. */
static void
mschapv2_disabled_wrong_password(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", NULL);
	struct eap_peer		*p = eap_peer_mschapv2("dave", "dave", "guess");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK(strncmp(eap_peer_note(p), "E=691 R=0 C=", 12) == 0);
	CHECK_STR(eap_session_error(s), "user dave: wrong password "
	    "(account disabled too) (EAP-MSCHAPv2)");
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_android_empty_identity(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "any", "10.0.0.2");
	struct eap_peer		*p = eap_peer_mschapv2("", "alice",
				    "alice-pass");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_STR(eap_session_user(s), "alice");
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
mschapv2_domain_user(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", NULL);
	struct eap_peer		*p = eap_peer_mschapv2("CORP\\alice",
				    "CORP\\alice", "alice-pass");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_STR(eap_session_user(s), "alice");
	if (eap_session_msk(s) && eap_peer_msk(p))
		CHECK_MEM(eap_session_msk(s)->data, eap_peer_msk(p), 64);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static struct eap_peer *
tls_peer(struct test_pki *issuer, const char *cn, const char *san,
    long serial)
{
	EVP_PKEY	*key;
	X509		*cert = test_pki_client(issuer, cn, san, serial, &key);
	SSL_CTX		*ctx = test_tls_client_ctx(pki.ca, cert, key);
	struct eap_peer	*p = eap_peer_tls(san ? san : cn, ctx);

	SSL_CTX_free(ctx);
	X509_free(cert);
	EVP_PKEY_free(key);
	return p;
}

static void
tls_after_nak(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "any", "client2");
	struct eap_peer		*p = tls_peer(&pki, "client2",
				    "client2@testbed.test", 100);
	struct run		 r = converse(s, p);
	const struct rg_buf	*msk;

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_EQ(r.prc, PEER_SUCCESS);
	CHECK_STR(eap_session_method(s), "EAP-TLS");
	CHECK_STR(eap_session_user(s), "client2@testbed.test");
	CHECK_STR(eap_peer_note(p), "TLSv1.2");
	msk = eap_session_msk(s);
	CHECK(msk != NULL && msk->len == 64);
	CHECK(eap_peer_msk(p) != NULL);
	if (msk && eap_peer_msk(p))
		CHECK_MEM(msk->data, eap_peer_msk(p), 64);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
tls_direct_cn_only(void)
{
	struct rg_config	*c = cfg_new("7");	/* a CRL, not ours */
	struct eap_session	*s = eap_session_new(c, "tls", NULL);
	struct eap_peer		*p = tls_peer(&pki, "laptop-42", NULL, 101);
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_STR(eap_session_user(s), "laptop-42");
	/* Server flight > 2000 bytes: >= 3 fragments in, >= 1 out. */
	CHECK(eap_peer_frags(p) >= 5);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
tls_revoked(void)
{
	struct rg_config	*c = cfg_new("102");
	struct eap_session	*s = eap_session_new(c, "tls", NULL);
	struct eap_peer		*p = tls_peer(&pki, "client3",
				    "client3@testbed.test", 102);
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK_EQ(r.prc, PEER_FAILURE);
	CHECK(eap_session_error(s) &&
	    strstr(eap_session_error(s), "certificate revoked") != NULL);
	CHECK(eap_session_error(s) &&
	    strstr(eap_session_error(s), "CN=client3") != NULL);
	CHECK(eap_session_msk(s) == NULL);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
tls_other_ca(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "any", NULL);
	struct eap_peer		*p = tls_peer(&other, "mallory",
				    "mallory@evil.test", 5);
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK(eap_session_error(s) &&
	    strstr(eap_session_error(s), "issuer") != NULL);
	CHECK(eap_session_user(s) == NULL);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
nak_not_allowed(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", NULL);
	struct eap_peer		*p = tls_peer(&pki, "client2",
				    "client2@testbed.test", 100);
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_FAILURE);
	CHECK(eap_session_error(s) &&
	    strstr(eap_session_error(s), "refused EAP-MSCHAPv2") != NULL);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
tls_first_nak_to_mschapv2(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "tls,mschapv2", NULL);
	struct eap_peer		*p = eap_peer_mschapv2("alice", "alice",
				    "alice-pass");
	struct run		 r = converse(s, p);

	CHECK_EQ(r.res, EAP_SUCCESS);
	CHECK_STR(eap_session_method(s), "EAP-MSCHAPv2");
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
	/* "tls" alone does not fall back to passwords. */
	c = cfg_new(NULL);
	s = eap_session_new(c, "tls", NULL);
	p = eap_peer_mschapv2("alice", "alice", "alice-pass");
	r = converse(s, p);
	CHECK_EQ(r.res, EAP_FAILURE);
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
codec(void)
{
	static const uint8_t	 ok[] = { 2, 7, 0, 10, 1, 'a', 'l', 'i', 'c',
				    'e' };
	static const uint8_t	 succ[] = { 3, 9, 0, 4 };
	uint8_t			 bad[sizeof(ok)];
	struct eap_pkt		 p;
	struct rg_buf		*b;

	CHECK_EQ(eap_pkt_decode(ok, sizeof(ok), &p), 0);
	CHECK_EQ(p.code, 2);
	CHECK_EQ(p.id, 7);
	CHECK_EQ(p.type, 1);
	CHECK_EQ(p.dlen, 5);
	b = eap_pkt_encode(2, 7, 1, p.data, p.dlen);	/* round trip */
	CHECK(b && b->len == sizeof(ok));
	if (b)
		CHECK_MEM(b->data, ok, sizeof(ok));
	rg_buf_free(b);
	CHECK_EQ(eap_pkt_decode(succ, sizeof(succ), &p), 0);
	/* Length must match exactly, both ways. */
	CHECK_EQ(eap_pkt_decode(ok, sizeof(ok) - 1, &p), -1);
	memcpy(bad, ok, sizeof(ok));
	bad[3] = 9;
	CHECK_EQ(eap_pkt_decode(bad, sizeof(bad), &p), -1);
	bad[3] = 10;
	bad[0] = 5;
	CHECK_EQ(eap_pkt_decode(bad, sizeof(bad), &p), -1);
	CHECK_EQ(eap_pkt_decode(ok, 3, &p), -1);
	CHECK_EQ(eap_pkt_decode(ok, 4, &p), -1);	/* Response w/o type */
}

static void
identifier_and_garbage(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_session	*s = eap_session_new(c, "mschapv2", NULL);
	struct rg_buf		*req, *out;
	uint8_t			 rsp[10] = { 2, 0, 0, 10, 1, 'a', 'l', 'i',
				    'c', 'e' };
	int			 i;

	CHECK_EQ(eap_session_start(s, &req), 0);
	/* Wrong Identifier: dropped, the same request comes back. */
	rsp[1] = (uint8_t)(req->data[1] + 1);
	CHECK_EQ(eap_test_process(s, rsp, sizeof(rsp), &out), EAP_CONTINUE);
	CHECK(out && out->len == req->len);
	if (out)
		CHECK_MEM(out->data, req->data, req->len);
	rg_buf_free(out);
	/* The right one moves on to the MS-CHAPv2 Challenge. */
	rsp[1] = req->data[1];
	CHECK_EQ(eap_test_process(s, rsp, sizeof(rsp), &out), EAP_CONTINUE);
	CHECK(out && out->len > 5 && out->data[4] == 26 && out->data[5] == 1);
	CHECK_STR(eap_session_identity(s), "alice");
	rg_buf_free(out);
	/* Garbage, again and again: then Failure. */
	for (i = 0; i < 10; i++) {
		enum eap_result	 res = eap_test_process(s, rsp, 3, &out);

		rg_buf_free(out);
		if (res == EAP_FAILURE)
			break;
	}
	CHECK(i < 10);
	CHECK(eap_session_error(s) != NULL);
	rg_buf_free(req);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
count_done(struct eap_session *s, void *arg)
{
	(void)s;
	(*(int *)arg)++;
}

/* Up to the MS-CHAPv2 Response, sent: EAP_PENDING, nothing to send. */
static struct eap_session *
to_pending(struct rg_config *c, struct eap_peer *p, int *calls)
{
	struct eap_session	*s = eap_session_new(c, "mschapv2", "alice");
	struct rg_buf		*req = NULL, *rsp = NULL;

	eap_session_set_auth(s, eap_test_auth(c), NULL);
	eap_session_set_done(s, count_done, calls);
	CHECK_EQ(eap_session_start(s, &req), 0);
	CHECK_EQ(eap_peer_process(p, req->data, req->len, &rsp),
	    PEER_RESPONSE);
	rg_buf_free(req);
	CHECK_EQ(eap_session_process(s, rsp->data, rsp->len, &req),
	    EAP_CONTINUE);
	rg_buf_free(rsp);
	CHECK_EQ(eap_peer_process(p, req->data, req->len, &rsp),
	    PEER_RESPONSE);
	rg_buf_free(req);
	CHECK_EQ(eap_session_process(s, rsp->data, rsp->len, &req),
	    EAP_PENDING);
	CHECK(req == NULL);
	/* A second copy while pending: told to wait again. */
	CHECK_EQ(eap_session_process(s, rsp->data, rsp->len, &req),
	    EAP_PENDING);
	CHECK(req == NULL);
	rg_buf_free(rsp);
	CHECK(eap_session_pending(s));
	CHECK_EQ(*calls, 0);
	return s;
}

static void
mschapv2_pending(void)
{
	struct rg_config	*c = cfg_new(NULL);
	struct eap_peer		*p = eap_peer_mschapv2("alice", "alice",
				    "alice-pass");
	struct rg_loop		*loop = auth_loop(eap_test_auth(c));
	struct eap_session	*s;
	struct rg_buf		*out = NULL;
	int			 calls = 0;

	s = to_pending(c, p, &calls);
	CHECK_EQ(eap_session_resume(s, &out), EAP_PENDING);
	CHECK(out == NULL);
	for (int i = 0; i < 100 && calls == 0; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(calls, 1);
	CHECK_EQ(eap_session_resume(s, &out), EAP_CONTINUE);
	CHECK(out != NULL);
	if (out != NULL) {
		struct rg_buf	*rsp = NULL;

		CHECK_EQ(eap_peer_process(p, out->data, out->len, &rsp),
		    PEER_RESPONSE);
		CHECK(strncmp(eap_peer_note(p), "S=", 2) == 0);
		rg_buf_free(rsp);
	}
	rg_buf_free(out);
	CHECK(!eap_session_pending(s));
	eap_session_free(s);
	eap_peer_free(p);

	/* Freed while pending: the answer never reaches it. */
	calls = 0;
	p = eap_peer_mschapv2("alice", "alice", "alice-pass");
	s = to_pending(c, p, &calls);
	eap_session_free(s);
	for (int i = 0; i < 10; i++)
		rg_loop_once(loop, 10);
	CHECK_EQ(calls, 0);
	eap_peer_free(p);
	rg_config_unref(c);
}

/* Every method ends in auth.h's result shape. */
static void
result_shape(void)
{
	struct rg_config		*c = cfg_new(NULL);
	struct eap_session		*s;
	struct eap_peer			*p;
	const struct auth_result	*ar;
	struct run			 r;

	s = eap_session_new(c, "mschapv2", NULL);
	p = eap_peer_mschapv2("alice", "alice", "alice-pass");
	CHECK(eap_session_result(s) == NULL);
	r = converse(s, p);
	CHECK_EQ(r.res, EAP_SUCCESS);
	ar = eap_session_result(s);
	CHECK(ar != NULL && ar->outcome == AUTH_OK);
	if (ar != NULL && eap_session_msk(s) != NULL) {
		CHECK_STR(ar->user, "alice");
		CHECK_EQ(ar->msk_len, 64);
		CHECK_MEM(ar->msk, eap_session_msk(s)->data, 64);
		CHECK(strncmp(ar->authenticator, "S=", 2) == 0);
	}
	eap_peer_free(p);
	eap_session_free(s);

	s = eap_session_new(c, "mschapv2", NULL);
	p = eap_peer_mschapv2("dave", "dave", "dave-pass");
	r = converse(s, p);
	CHECK_EQ(r.res, EAP_FAILURE);
	ar = eap_session_result(s);
	CHECK(ar != NULL && ar->outcome == AUTH_DISABLED);
	eap_peer_free(p);
	eap_session_free(s);

	s = eap_session_new(c, "tls", NULL);
	p = tls_peer(&pki, "laptop-42", NULL, 101);
	r = converse(s, p);
	CHECK_EQ(r.res, EAP_SUCCESS);
	ar = eap_session_result(s);
	CHECK(ar != NULL && ar->outcome == AUTH_OK);
	if (ar != NULL && eap_session_msk(s) != NULL) {
		CHECK_STR(ar->user, "laptop-42");
		CHECK_EQ(ar->msk_len, eap_session_msk(s)->len);
		CHECK_MEM(ar->msk, eap_session_msk(s)->data, ar->msk_len);
	}
	eap_peer_free(p);
	eap_session_free(s);

	s = eap_session_new(c, "mschapv2", NULL);
	p = eap_peer_mschapv2("alice", "alice", "wrong");
	r = converse(s, p);
	ar = eap_session_result(s);
	CHECK(ar != NULL && ar->outcome == AUTH_REJECT);
	if (ar != NULL)
		CHECK_STR(ar->reason, "user alice: wrong password");
	eap_peer_free(p);
	eap_session_free(s);
	rg_config_unref(c);
}

static void
bad_method_list(void)
{
	struct rg_config	*c = cfg_new(NULL);

	CHECK(eap_session_new(c, "md5", NULL) == NULL);
	CHECK(eap_session_new(NULL, "any", NULL) == NULL);
	rg_config_unref(c);
}

static void
setup(void)
{
	CHECK_EQ(test_pki_init(&pki, "roadgate test CA"), 0);
	CHECK_EQ(test_pki_init(&other, "another CA"), 0);
}

static void
teardown(void)
{
	test_pki_free(&pki);
	test_pki_free(&other);
}

RG_TEST_MAIN("eap", FIXTURE(setup), T(codec), T(mschapv2_ok),
    T(mschapv2_cleartext_password), T(mschapv2_wrong_password),
    T(mschapv2_unknown_user), T(mschapv2_disabled_user),
    T(mschapv2_disabled_wrong_password),
    T(mschapv2_android_empty_identity), T(mschapv2_domain_user),
    T(tls_after_nak), T(tls_direct_cn_only), T(tls_revoked), T(tls_other_ca),
    T(nak_not_allowed), T(tls_first_nak_to_mschapv2),
    T(identifier_and_garbage), T(mschapv2_pending), T(result_shape),
    T(bad_method_list), FIXTURE(teardown))
