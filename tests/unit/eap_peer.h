/*
 * eap_peer.h: test-only EAP peers (EAP-MSCHAPv2 and EAP-TLS) that drive
 * server/eap.c through whole in-memory conversations, and a small test PKI
 * made at run time with the OpenSSL X509 API.
 */
#ifndef RG_EAP_PEER_H
#define RG_EAP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "eap.h"
#include "rg_buf.h"
#include "rg_config.h"

enum eap_peer_rc {
	PEER_RESPONSE,		/* *out holds our response */
	PEER_SUCCESS,		/* got EAP-Success */
	PEER_FAILURE,		/* got EAP-Failure */
	PEER_ERROR,		/* the server said something wrong */
};

struct eap_peer;

/* identity: the EAP-Identity ("" for Android); name: MS-CHAPv2 Name. */
struct eap_peer	*eap_peer_mschapv2(const char *identity, const char *name,
		    const char *password);
/* ctx: a TLS client context with our certificate (reference taken). */
struct eap_peer	*eap_peer_tls(const char *identity, SSL_CTX *ctx);
void		 eap_peer_free(struct eap_peer *);
enum eap_peer_rc eap_peer_process(struct eap_peer *, const uint8_t *in,
		    size_t len, struct rg_buf **out);
/* MSK (64 bytes) once the method completed, else NULL. */
const uint8_t	*eap_peer_msk(const struct eap_peer *);
/* Text of what the peer saw: "S=... M=..." / "E=691 ..." etc. */
const char	*eap_peer_note(const struct eap_peer *);
/* Fragments received and sent by the TLS peer (to prove fragmenting). */
unsigned int	 eap_peer_frags(const struct eap_peer *);

/*
 * The server side's auth service in tests: the local backend over cfg on
 * a private loop, throttle off (one per cfg; the last one is kept).
 * eap_test_process(): eap_session_process() that gives the session this
 * service when it has none and, on EAP_PENDING, runs the loop until the
 * answer is there (EAP_PENDING again only if it never comes).
 */
struct auth	*eap_test_auth(struct rg_config *);
enum eap_result	 eap_test_process(struct eap_session *, const uint8_t *in,
		    size_t len, struct rg_buf **out);

/* Test PKI (EC P-256). */
struct test_pki {
	EVP_PKEY	*ca_key;
	X509		*ca;
	EVP_PKEY	*srv_key;
	X509		*srv;
};
int		 test_pki_init(struct test_pki *, const char *ca_cn);
void		 test_pki_free(struct test_pki *);
/* A client certificate signed by pki's CA; san may be NULL. */
X509		*test_pki_client(struct test_pki *, const char *cn,
		    const char *san_email, long serial, EVP_PKEY **key);
/* A CRL by pki's CA revoking serial (<0: none). PEM, malloc'd. */
char		*test_pki_crl_pem(struct test_pki *, long serial);
char		*test_pem_x509(X509 *);
char		*test_pem_key(EVP_PKEY *);
/* A TLS client context trusting ca and presenting cert/key. */
SSL_CTX		*test_tls_client_ctx(X509 *ca, X509 *cert, EVP_PKEY *key);

#endif
