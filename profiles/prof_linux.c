/*
 * prof_linux.c: the two Linux forms, both strongSwan:
 *	a NetworkManager keyfile for the strongswan plugin (CLIENTS.md 4d,
 *	charon-nm's nm_service.c: the [vpn] keys it reads), and
 *	a swanctl.conf road-warrior connection (CLIENTS.md 4e, swanctl.opt).
 * Both name the CA (and for certificate auth the user's credential) as
 * files beside the profile: the API returns them with it ("files") and
 * roadgatectl profile-export writes them next to --out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof.h"

#define CA_FILE		"roadgate-ca.pem"

static int
pick(const struct prof_server *s, char *ikes, char *esps, size_t len,
    const char **why)
{
	struct prof_alg	 ike, esp;

	if (prof_pick(s->ike, s->nike, false, &prof_strongswan_caps, &ike) <
	    0 || prof_pick(s->esp, s->nesp, true, &prof_strongswan_caps,
	    &esp) < 0) {
		*why = "the server's proposal set has nothing strongSwan "
		    "clients are offered by roadgate (AES or ChaCha20 with "
		    "SHA-2 and ECP/MODP2048+)";
		return -1;
	}
	prof_alg_str(&ike, false, ikes, len);
	prof_alg_str(&esp, true, esps, len);
	return 0;
}

/* "roadgate-alice.p12": the user's name is a store name (no '/'). */
static void
user_file(const struct prof_server *s, const char *ext, char *buf,
    size_t len)
{
	snprintf(buf, len, "roadgate-%s.%s", s->user, ext);
}

static void
list(struct prof_buf *b, const char *const *v, size_t n, const char *sep)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		pb_printf(b, "%s%s", i ? sep : "", v[i]);
}

int
prof_linux_nm(const struct prof_server *s, struct prof_out *out,
    const char **why)
{
	struct prof_buf	 b = { 0 };
	char		 ikes[128], esps[128], uuid[37], pem[300];
	size_t		 i;

	if (pick(s, ikes, esps, sizeof(ikes), why) < 0)
		return -1;
	prof_uuid(uuid);
	for (i = 0; uuid[i]; i++)
		if (uuid[i] >= 'A' && uuid[i] <= 'F')
			uuid[i] = (char)(uuid[i] - 'A' + 'a');
	user_file(s, "pem", pem, sizeof(pem));
	pb_puts(&b, "# NetworkManager keyfile (strongswan plugin).  Install "
	    "as root:\n#   install -m 600 THIS /etc/NetworkManager/"
	    "system-connections/roadgate.nmconnection\n"
	    "# with " CA_FILE);
	if (s->method == PROF_CERT)
		pb_printf(&b, " and %s", pem);
	pb_puts(&b, " (written beside this file) in\n"
	    "# /etc/ipsec.d/roadgate/, then: nmcli connection reload\n");
	pb_printf(&b, "[connection]\nid=%s\nuuid=%s\ntype=vpn\n"
	    "autoconnect=false\n\n[vpn]\n"
	    "service-type=org.freedesktop.NetworkManager.strongswan\n",
	    s->name, uuid);
	pb_printf(&b, "address=%s\ncertificate=/etc/ipsec.d/roadgate/"
	    CA_FILE "\nremote-identity=%s\n", s->address, s->server_id);
	if (s->method == PROF_CERT) {
		pb_printf(&b, "method=cert\ncert-source=file\n"
		    "usercert=/etc/ipsec.d/roadgate/%s\n"
		    "userkey=/etc/ipsec.d/roadgate/%s\nlocal-identity=%s\n",
		    pem, pem, s->user_id);
		out->secret = true;
	} else {
		pb_printf(&b, "method=eap\nuser=%s\npassword-flags=2\n",
		    s->user);
	}
	pb_printf(&b, "virtual=yes\nencap=no\nipcomp=no\nproposal=yes\n"
	    "ike=%s\nesp=%s\n", ikes, esps);
	if (s->nsplit > 0) {
		pb_puts(&b, "remote-ts=");
		list(&b, s->split, s->nsplit, ";");
		pb_puts(&b, "\n");
	}
	pb_puts(&b, "\n[ipv4]\nmethod=auto\n");
	if (s->nsplit > 0)
		pb_puts(&b, "never-default=true\n");
	if (s->ndns > 0) {
		pb_puts(&b, "dns=");
		list(&b, s->dns, s->ndns, ";");
		pb_puts(&b, ";\n");
	}
	if (s->ndomains > 0) {
		pb_puts(&b, "dns-search=");
		list(&b, s->domains, s->ndomains, ";");
		pb_puts(&b, ";\n");
	}
	pb_puts(&b, "\n[ipv6]\nmethod=ignore\n");
	if (prof_add_file(out, CA_FILE, s->ca_pem, strlen(s->ca_pem),
	    false) < 0 || (s->method == PROF_CERT && prof_add_file(out, pem,
	    s->user_pem, strlen(s->user_pem), true) < 0)) {
		prof_take(&b, out);
		return -1;
	}
	out->content_type = "text/plain; charset=utf-8";
	out->ext = "nmconnection";
	return prof_take(&b, out);
}

int
prof_swanctl(const struct prof_server *s, struct prof_out *out,
    const char **why)
{
	struct prof_buf	 b = { 0 };
	char		 ikes[128], esps[128], p12[300];
	uint32_t	 dpd = s->dpd_interval_s;

	if (pick(s, ikes, esps, sizeof(ikes), why) < 0)
		return -1;
	user_file(s, "p12", p12, sizeof(p12));
	pb_printf(&b, "# swanctl.conf for roadgate (IKEv2, %s).  Files beside "
	    "this one:\n#   " CA_FILE "  -> /etc/swanctl/x509ca/\n",
	    s->method == PROF_CERT ? "certificate" : "EAP-MSCHAPv2");
	if (s->method == PROF_CERT)
		pb_printf(&b, "#   %s  -> /etc/swanctl/pkcs12/ (mode 600)\n",
		    p12);
	pb_puts(&b, "# then: swanctl --load-all && swanctl --initiate "
	    "--child roadgate\n");
	pb_printf(&b, "connections {\n    roadgate {\n        version = 2\n"
	    "        remote_addrs = %s\n        vips = 0.0.0.0\n"
	    "        proposals = %s\n", s->address, ikes);
	if (dpd)
		pb_printf(&b, "        dpd_delay = %us\n", dpd);
	pb_puts(&b, "        local {\n");
	if (s->method == PROF_CERT)
		pb_printf(&b, "            auth = pubkey\n"
		    "            id = \"%s\"\n", s->user_id);
	else
		pb_printf(&b, "            auth = eap-mschapv2\n"
		    "            id = \"%s\"\n            eap_id = \"%s\"\n",
		    s->user, s->user);
	pb_printf(&b, "        }\n        remote {\n            auth = pubkey\n"
	    "            id = \"%s\"\n            cacerts = " CA_FILE "\n"
	    "        }\n        children {\n            roadgate {\n"
	    "                remote_ts = ", s->server_id);
	if (s->nsplit > 0)
		list(&b, s->split, s->nsplit, ",");
	else
		pb_puts(&b, "0.0.0.0/0");
	pb_printf(&b, "\n                esp_proposals = %s\n"
	    "                dpd_action = restart\n"
	    "            }\n        }\n    }\n}\n", esps);
	pb_puts(&b, "secrets {\n");
	if (s->method == PROF_CERT) {
		pb_printf(&b, "    pkcs12-roadgate {\n        file = %s\n"
		    "        secret = \"", p12);
		pb_puts(&b, s->p12_password);	/* generated: no quotes */
		pb_puts(&b, "\"\n    }\n");
		out->secret = true;
	} else {
		pb_printf(&b, "    # eap-roadgate {\n    #     id = \"%s\"\n"
		    "    #     secret = \"YOUR PASSWORD\"\n    # }\n", s->user);
	}
	pb_puts(&b, "}\n");
	if (prof_add_file(out, CA_FILE, s->ca_pem, strlen(s->ca_pem),
	    false) < 0 || (s->method == PROF_CERT && prof_add_file(out, p12,
	    s->p12, s->p12_len, true) < 0)) {
		prof_take(&b, out);
		return -1;
	}
	out->content_type = "text/plain; charset=utf-8";
	out->ext = "conf";
	return prof_take(&b, out);
}
