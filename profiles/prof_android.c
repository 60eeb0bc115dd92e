/*
 * prof_android.c: the strongSwan app's .sswan profile (JSON; CLIENTS.md
 * 4c, the app's VpnProfileImportActivity): type ikev2-eap (user and
 * password; the app asks for the password) or ikev2-cert (PKCS#12 in
 * local.p12; the app asks for its password at import), the CA in
 * remote.cert, the proposals (the app validates them), split networks,
 * DNS and MTU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof.h"

static const char *const sw_enc[] = {
	"aes256gcm16", "chacha20poly1305", "aes128gcm16", "aes256", "aes128",
	NULL
};
static const char *const sw_integ[] = { "sha512", "sha384", "sha256", NULL };
static const char *const sw_prf[] = {
	"prfsha512", "prfsha384", "prfsha256", NULL
};
static const char *const sw_dh[] = {
	"ecp521", "ecp384", "x25519", "curve25519", "ecp256", "modp4096",
	"modp3072", "modp2048", NULL
};
/* strongSwan clients (the Android app, charon-nm, swanctl). */
const struct prof_caps prof_strongswan_caps = {
	sw_enc, sw_integ, sw_prf, sw_dh
};

static void
json_list(struct prof_buf *b, const char *const *v, size_t n)
{
	size_t	 i;

	pb_puts(b, "[");
	for (i = 0; i < n; i++) {
		pb_puts(b, i ? ", " : "");
		pb_json(b, v[i]);
	}
	pb_puts(b, "]");
}

int
prof_android(const struct prof_server *s, struct prof_out *out,
    const char **why)
{
	struct prof_buf	 b = { 0 };
	struct prof_alg	 ike, esp;
	char		 uuid[37], ikes[128], esps[128];
	unsigned char	*ca;
	size_t		 calen, i;

	if (prof_pick(s->ike, s->nike, false, &prof_strongswan_caps, &ike) <
	    0 || prof_pick(s->esp, s->nesp, true, &prof_strongswan_caps,
	    &esp) < 0) {
		*why = "the server's proposal set has nothing the strongSwan "
		    "app accepts (AES or ChaCha20 with SHA-2 and "
		    "ECP/MODP2048+)";
		return -1;
	}
	if ((ca = prof_pem_der(s->ca_pem, &calen)) == NULL) {
		*why = "the CA certificate cannot be read";
		return -1;
	}
	prof_alg_str(&ike, false, ikes, sizeof(ikes));
	prof_alg_str(&esp, true, esps, sizeof(esps));
	prof_uuid(uuid);
	for (i = 0; uuid[i]; i++)	/* Java's UUID.toString() */
		if (uuid[i] >= 'A' && uuid[i] <= 'F')
			uuid[i] = (char)(uuid[i] - 'A' + 'a');
	pb_printf(&b, "{\n  \"uuid\": \"%s\",\n  \"name\": ", uuid);
	pb_json(&b, s->name);
	pb_printf(&b, ",\n  \"type\": \"%s\",\n  \"remote\": {\n"
	    "    \"addr\": ", s->method == PROF_CERT ? "ikev2-cert" :
	    "ikev2-eap");
	pb_json(&b, s->address);
	pb_puts(&b, ",\n    \"id\": ");
	pb_json(&b, s->server_id);
	pb_puts(&b, ",\n    \"cert\": \"");
	pb_base64(&b, ca, calen, 0, "");
	pb_puts(&b, "\"\n  },\n  \"local\": {\n");
	if (s->method == PROF_CERT) {
		pb_puts(&b, "    \"id\": ");
		pb_json(&b, s->user_id);
		pb_puts(&b, ",\n    \"p12\": \"");
		pb_base64(&b, s->p12, s->p12_len, 0, "");
		pb_puts(&b, "\"\n");
		out->secret = true;
	} else {
		pb_puts(&b, "    \"eap_id\": ");
		pb_json(&b, s->user);
		pb_puts(&b, "\n");
	}
	pb_printf(&b, "  },\n  \"ike-proposal\": \"%s\",\n"
	    "  \"esp-proposal\": \"%s\",\n  \"mtu\": %u", ikes, esps,
	    s->mtu < 1280 ? 1280 : s->mtu > 1500 ? 1500 : s->mtu);
	if (s->ndns > 0) {
		pb_puts(&b, ",\n  \"dns-servers\": ");
		json_list(&b, s->dns, s->ndns);
	}
	if (s->nsplit > 0) {
		pb_puts(&b, ",\n  \"split-tunneling\": {\n    \"subnets\": ");
		json_list(&b, s->split, s->nsplit);
		pb_puts(&b, "\n  }");
	}
	pb_puts(&b, "\n}\n");
	free(ca);
	out->content_type = "application/vnd.strongswan.profile";
	out->ext = "sswan";
	return prof_take(&b, out);
}
