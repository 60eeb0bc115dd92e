/*
 * test_ikev2_frag: IKE fragmentation (RFC 7383) through a whole exchange
 * in memory.  Both sides announce IKEV2_FRAGMENTATION_SUPPORTED; the
 * IKE_AUTH request (a client certificate with its intermediate) and our
 * answer (the server certificate with its intermediate, a CP with many
 * split routes and their narrowed TSr) are longer than the fragmentation
 * MTU, so both go as SKF fragments; one request fragment and one
 * response fragment are lost, and retransmitting the request (all its
 * fragments, 2.6.1) recovers both.  The budget and forgery cases of
 * reassembly are in test_ikev2_security.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ikev2.h"
#include "ikev2_int.h"
#include "ikev2_fixture.h"
#include "ikev2_msg.h"
#include "rg_loop.h"
#include "rg_test.h"

#define NSPLIT		8	/* split routes: CP and TSr entries (the most
				 * TSr holds, IKEV2_MAX_TS) */
/* Our IKE messages, from the IKE header on, within IKEV2_FRAG_MTU over
 * IPv4 + UDP; the test initiator fragments at the same size. */
#define MSG_MTU		(IKEV2_FRAG_MTU - 28)

static X509 *
mk_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey, bool ca, const char *san)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (san != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
		    san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, ikey ? ikey : key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

/* PEM of the certificates (NULL-terminated) or of the key. */
static char *
pem_of(X509 **xs, EVP_PKEY *k)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*d, *s;
	long	 n;

	for (size_t x = 0; xs != NULL && xs[x] != NULL; x++)
		PEM_write_bio_X509(b, xs[x]);
	if (k != NULL)
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &d);
	s = strndup(d, (size_t)n);
	BIO_free(b);
	return s;
}

/* Whether each of the n datagrams of fx_q is an SKF fragment within the
 * MTU (RFC 7383 2.5: the first payload of the message is SKF). */
static bool
all_skf(size_t n)
{
	if (fx_q.n != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (fx_q.len[k] > MSG_MTU ||
		    fx_q.pkt[k][16] != IKEV2_PL_SKF)
			return false;
	return true;
}

static void
cert_chain_big_cp(void)
{
	struct rg_config *c = fx_config("modern");
	struct rg_profile *p = &c->profiles[0];
	EVP_PKEY	*rootk = EVP_EC_gen("P-256");
	EVP_PKEY	*imk = EVP_EC_gen("P-256");
	EVP_PKEY	*sk = EVP_RSA_gen(2048), *ck = EVP_RSA_gen(2048);
	X509		*root = mk_cert("rg test root", 1, rootk, NULL, NULL,
			    true, NULL);
	X509		*im = mk_cert("rg test intermediate", 2, imk, root,
			    rootk, true, NULL);
	X509		*sc = mk_cert("vpn.test", 3, sk, im, imk, false,
			    "DNS:vpn.test");
	X509		*cc = mk_cert("client-1", 4, ck, im, imk, false,
			    "email:client-1@test");
	X509		*roots[] = { root, NULL }, *srv[] = { sc, im, NULL };
	struct ikev2_engine *e;
	struct ikev2_ini *i = ikev2_ini_new(&fx_gcm);
	uint8_t		 a[4096], b[4096], lo[4], hi[4], dns[4];
	size_t		 nf, nr;
	long		 n, r;

	/* Only the root is trusted: the client's intermediate comes with
	 * its IKE_AUTH request, ours with our answer. */
	c->pki.ca_pem = pem_of(roots, NULL);
	c->pki.server_cert_pem = pem_of(srv, NULL);
	c->pki.server_key_pem = pem_of(NULL, sk);
	/* A certificate login needs an enabled user of its CN. */
	c->users = calloc(1, sizeof(*c->users));
	c->users[0].name = strdup("client-1");
	c->users[0].enabled = true;
	c->nusers = 1;
	p->dns = calloc(1, sizeof(*p->dns));
	rg_addr_parse("10.1.1.53", &p->dns[0]);
	p->ndns = 1;
	p->split = calloc(NSPLIT, sizeof(*p->split));
	for (int k = 0; k < NSPLIT; k++) {
		char	 s[32];

		snprintf(s, sizeof(s), "10.%d.0.0/16", 100 + k);
		rg_prefix_parse(s, &p->split[k]);
	}
	p->nsplit = NSPLIT;
	e = fx_engine(c);
	CHECK(e != NULL);
	if (e == NULL)
		goto out;
	ikev2_ini_set_signer(i, ck, cc, IKEV2_AUTH_RSA_SIG);
	ikev2_ini_add_chain(i, im);
	ikev2_ini_set_frag(i, MSG_MTU);

	/* HDR, SAi1, KEi, Ni, N(IKEV2_FRAGMENTATION_SUPPORTED) -->
	 * <-- HDR, SAr1, KEr, Nr, N(IKEV2_FRAGMENTATION_SUPPORTED) */
	n = ikev2_ini_start(i, a, sizeof(a));
	n = fx_rt(e, i, a, n, b, sizeof(b));
	CHECK(n > 0);
	/* HDR, SKF {IDi, CERT, CERT, AUTH, CP, SAi2, TSi, TSr} -->, in
	 * nf fragments; the last one is lost: no answer yet. */
	nf = ikev2_ini_req_nfrags(i);
	printf("  IKE_AUTH request in %zu fragments\n", nf);
	CHECK(nf >= 2);
	if (nf < 2)
		goto out_e;
	fx_q_clear();
	for (unsigned int k = 1; k < nf; k++) {
		r = ikev2_ini_req_frag(i, k, a, sizeof(a));
		CHECK(r > 0 && r <= MSG_MTU);
		fx_input(e, a, (size_t)r);
	}
	CHECK_EQ(fx_q.n, 0);
	CHECK(e->frag_bytes > 0);
	/* The initiator retransmits every fragment (RFC 7383 2.6.1): the
	 * missing one completes the message, the others are duplicates.
	 * <-- HDR, SKF {IDr, CERT, CERT, AUTH, CP(REPLY), SAr2, TSi, TSr} */
	for (unsigned int k = 1; k <= nf; k++) {
		r = ikev2_ini_req_frag(i, k, a, sizeof(a));
		fx_input(e, a, (size_t)r);
	}
	nr = fx_q.n;
	printf("  IKE_AUTH response in %zu fragments\n", nr);
	CHECK(nr >= 2);
	CHECK(all_skf(nr));
	CHECK_EQ(e->frag_bytes, 0);
	CHECK_EQ(fx_leases_out, 1);
	if (nr < 2)
		goto out_e;
	/* Our fragment 2 is lost; the initiator holds the others. */
	for (size_t k = 0; k < nr; k++) {
		if (k == 1)
			continue;
		CHECK_EQ(ikev2_ini_input(i, fx_q.pkt[k], fx_q.len[k], b,
		    sizeof(b)), IKEV2_INI_MORE);
	}
	CHECK_EQ(ikev2_ini_state(i), INI_AUTH_SENT);
	/* Its retransmission: answered from the cache, every fragment
	 * again, once (on the request's fragment 1), processed once. */
	fx_q_clear();
	for (unsigned int k = 1; k <= nf; k++) {
		r = ikev2_ini_req_frag(i, k, a, sizeof(a));
		fx_input(e, a, (size_t)r);
	}
	CHECK(all_skf(nr));
	CHECK(fx_counter(e, "retransmits_answered") >= 1);
	CHECK_EQ(fx_leases_out, 1);
	for (size_t k = 0; k < fx_q.n; k++) {
		r = ikev2_ini_input(i, fx_q.pkt[k], fx_q.len[k], b, sizeof(b));
		if (r != IKEV2_INI_MORE)
			break;
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(ikev2_ini_state(i), INI_ESTABLISHED);
	/* The reassembled answer is whole: RSA AUTH over our chain, the
	 * address, the DNS server and every split as a TSr. */
	CHECK_EQ(ikev2_ini_resp_auth(i), IKEV2_AUTH_RSA_SIG);
	CHECK_EQ(ikev2_ini_vip(i)->addr[0], 10);
	CHECK_EQ(ikev2_ini_dns(i, dns), 1);
	CHECK_MEM(dns, "\x0a\x01\x01\x35", 4);
	CHECK_EQ(ikev2_ini_tsr(i, lo, hi), NSPLIT);
	CHECK_MEM(lo, "\x0a\x64\x00\x00", 4);
	CHECK_MEM(hi, "\x0a\x64\xff\xff", 4);
	CHECK_EQ(ikev2_engine_sa_count(e), 1);
	/* The established SA answers a small request whole (SK). */
	fx_q_clear();
	n = ikev2_ini_info(i, a, sizeof(a));
	CHECK_EQ(ikev2_ini_req_nfrags(i), 0);
	CHECK_EQ(fx_rt(e, i, a, n, b, sizeof(b)), 0);
	CHECK(fx_q.n == 1 && fx_q.pkt[0][16] == IKEV2_PL_SK);
out_e:
	ikev2_engine_free(e);
out:
	ikev2_ini_free(i);
	fx_cleanup();
	X509_free(root);
	X509_free(im);
	X509_free(sc);
	X509_free(cc);
	EVP_PKEY_free(rootk);
	EVP_PKEY_free(imk);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
}

RG_TEST_MAIN("ikev2_frag", T(cert_chain_big_cp))
