/*
 * fuzz_eap.c: random EAP responses into an eap_session (server/eap.c) at
 * each state.  Input: byte 0 picks the state to reach with a real test
 * peer first (fresh, after Identity, MS-CHAPv2 after our Success request,
 * EAP-TLS Start, EAP-TLS n rounds into the handshake) and whether to fix
 * up the Identifier; byte 1 is n; then responses as [u16 length][bytes].
 * Nothing may crash, leak, or yield EAP_SUCCESS without an MSK and user.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eap.h"
#include "eap_peer.h"
#include "rg_log.h"

static struct rg_config	*cfg;
static struct test_pki	 pki;
static SSL_CTX		*tls_ctx;

static void
init(void)
{
	struct rg_user	*u;
	EVP_PKEY	*key;
	X509		*cert;

	rg_log_open(false, false, RG_L_ERROR);
	cfg = rg_config_new();
	cfg->users = calloc(1, sizeof(*cfg->users));
	cfg->nusers = 1;
	u = &cfg->users[0];
	u->name = strdup("alice");
	u->password = strdup("alice-pass");
	u->enabled = true;
	test_pki_init(&pki, "fuzz CA");
	cfg->pki.ca_pem = test_pem_x509(pki.ca);
	cfg->pki.server_cert_pem = test_pem_x509(pki.srv);
	cfg->pki.server_key_pem = test_pem_key(pki.srv_key);
	cert = test_pki_client(&pki, "client", "client@fuzz.test", 9, &key);
	tls_ctx = test_tls_client_ctx(pki.ca, cert, key);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* Run peer p against s for at most n responses; the last request stays. */
static enum eap_result
drive(struct eap_session *s, struct eap_peer *p, unsigned int n,
    struct rg_buf **req)
{
	struct rg_buf	*rsp = NULL;
	enum eap_result	 res = EAP_CONTINUE;

	while (n-- > 0 && *req) {
		if (eap_peer_process(p, (*req)->data, (*req)->len, &rsp) !=
		    PEER_RESPONSE)
			break;
		rg_buf_free(*req);
		*req = NULL;
		res = eap_test_process(s, rsp->data, rsp->len, req);
		rg_buf_free(rsp);
		rsp = NULL;
		if (res != EAP_CONTINUE)
			break;
	}
	rg_buf_free(rsp);
	return res;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eap_session	*s;
	struct eap_peer		*p = NULL;
	struct rg_buf		*req = NULL, *out = NULL;
	enum eap_result		 res = EAP_CONTINUE;
	uint8_t			 msg[4096];
	unsigned int		 scen, n;
	size_t			 off = 2, len;
	bool			 fixid;

	if (cfg == NULL)
		init();
	if (size < 2)
		return 0;
	scen = data[0] % 5;
	fixid = data[0] & 0x80;
	n = data[1] % 12;
	s = eap_session_new(cfg, scen >= 3 ? "any" : "mschapv2,tls", "fuzz");
	if (s == NULL || eap_session_start(s, &req) < 0)
		goto out;
	switch (scen) {
	case 1:		/* after Identity: MS-CHAPv2 Challenge outstanding */
		p = eap_peer_mschapv2("alice", "alice", "alice-pass");
		res = drive(s, p, 1, &req);
		break;
	case 2:		/* our Success request outstanding */
		p = eap_peer_mschapv2("", "alice", "alice-pass");
		res = drive(s, p, 2, &req);
		break;
	case 3:		/* EAP-TLS Start outstanding */
		p = eap_peer_tls("client@fuzz.test", tls_ctx);
		res = drive(s, p, 2, &req);
		break;
	case 4:		/* n rounds into the TLS handshake */
		p = eap_peer_tls("client@fuzz.test", tls_ctx);
		res = drive(s, p, 2 + n, &req);
		break;
	default:
		break;
	}
	while (res == EAP_CONTINUE && req && size - off >= 2) {
		len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		if (len > sizeof(msg))
			len = sizeof(msg);
		memcpy(msg, data + off, len);
		off += len;
		if (fixid && len >= 2 && req->len >= 2)
			msg[1] = req->data[1];
		res = eap_test_process(s, msg, len, &out);
		rg_buf_free(req);
		req = out;
		out = NULL;
	}
	if (res == EAP_SUCCESS && (eap_session_msk(s) == NULL ||
	    eap_session_user(s) == NULL))
		abort();
	if (res == EAP_FAILURE && eap_session_error(s) == NULL)
		abort();
out:
	rg_buf_free(req);
	eap_peer_free(p);
	eap_session_free(s);
	return 0;
}
