/*
 * prof_apple.c: the .mobileconfig for iOS and macOS (com.apple.vpn.managed,
 * VPNType IKEv2; CLIENTS.md 4a, Apple's device-management schema).
 *	EAP:  AuthenticationMethod None + ExtendedAuthEnabled 1 (EAP only;
 *	      None without EAP would mean a shared secret), AuthName.
 *	cert: AuthenticationMethod Certificate, PayloadCertificateUUID
 *	      naming the com.apple.security.pkcs12 payload.
 * Both carry the CA as a com.apple.security.root payload, so the server
 * certificate validates against RemoteIdentifier, and explicit
 * IKESecurityAssociationParameters / ChildSecurityAssociationParameters:
 * without them iOS proposes AES-256/SHA2-256/MODP2048 at best and older
 * releases 3DES/SHA1/MODP1024.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof.h"

static const char *const apple_enc[] = {
	"aes256gcm16", "aes128gcm16", "chacha20poly1305", "aes256", "aes128",
	NULL
};
static const char *const apple_integ[] = {
	"sha512", "sha384", "sha256", NULL
};
static const char *const apple_dh[] = {
	"ecp521", "ecp384", "x25519", "curve25519", "ecp256", "modp4096",
	"modp3072", "modp2048", NULL
};
static const struct prof_caps apple_caps = {
	apple_enc, apple_integ, NULL, apple_dh
};

static const char *
apple_enc_name(const char *e)
{
	if (strcmp(e, "aes256gcm16") == 0)
		return "AES-256-GCM";
	if (strcmp(e, "aes128gcm16") == 0)
		return "AES-128-GCM";
	if (strcmp(e, "chacha20poly1305") == 0)
		return "ChaCha20Poly1305";
	if (strcmp(e, "aes256") == 0)
		return "AES-256";
	return "AES-128";
}

static const char *
apple_integ_name(const char *i)
{
	if (i == NULL || strcmp(i, "sha256") == 0)
		return "SHA2-256";
	if (strcmp(i, "sha384") == 0)
		return "SHA2-384";
	return "SHA2-512";
}

static int
apple_dh_group(const char *d)
{
	static const struct { const char *n; int g; } t[] = {
		{ "ecp521", 21 }, { "ecp384", 20 }, { "x25519", 31 },
		{ "curve25519", 31 }, { "ecp256", 19 }, { "modp4096", 16 },
		{ "modp3072", 15 }, { "modp2048", 14 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].n, d) == 0)
			return t[i].g;
	return 14;
}

static const char *
cert_type(enum prof_key k)
{
	switch (k) {
	case PROF_KEY_P256:
		return "ECDSA256";
	case PROF_KEY_P384:
		return "ECDSA384";
	case PROF_KEY_P521:
		return "ECDSA521";
	default:
		return "RSA";
	}
}

static void
sa_params(struct prof_buf *b, const char *key, const struct prof_alg *a,
    const char *dh, uint32_t life_s)
{
	uint32_t	 min = life_s / 60;

	/* Apple accepts 10..1440 minutes; stay below the server's. */
	if (min > 1440)
		min = 1440;
	if (min < 10)
		min = 10;
	pb_printf(b, "\t\t\t\t<key>%s</key>\n\t\t\t\t<dict>\n", key);
	pb_printf(b, "\t\t\t\t\t<key>EncryptionAlgorithm</key>\n"
	    "\t\t\t\t\t<string>%s</string>\n", apple_enc_name(a->enc));
	pb_printf(b, "\t\t\t\t\t<key>IntegrityAlgorithm</key>\n"
	    "\t\t\t\t\t<string>%s</string>\n", apple_integ_name(a->integ));
	pb_printf(b, "\t\t\t\t\t<key>DiffieHellmanGroup</key>\n"
	    "\t\t\t\t\t<integer>%d</integer>\n", apple_dh_group(dh));
	pb_printf(b, "\t\t\t\t\t<key>LifeTimeInMinutes</key>\n"
	    "\t\t\t\t\t<integer>%u</integer>\n", min);
	pb_puts(b, "\t\t\t\t</dict>\n");
}

static void
kv_str(struct prof_buf *b, const char *tabs, const char *k, const char *v)
{
	pb_printf(b, "%s<key>%s</key>\n%s<string>", tabs, k, tabs);
	pb_xml(b, v);
	pb_puts(b, "</string>\n");
}

static void
str_array(struct prof_buf *b, const char *tabs, const char *k,
    const char *const *v, size_t n)
{
	size_t	 i;

	pb_printf(b, "%s<key>%s</key>\n%s<array>\n", tabs, k, tabs);
	for (i = 0; i < n; i++) {
		pb_printf(b, "%s\t<string>", tabs);
		pb_xml(b, v[i]);
		pb_puts(b, "</string>\n");
	}
	pb_printf(b, "%s</array>\n", tabs);
}

/* DeadPeerDetectionRate: High 1 min, Medium 10 min, Low 30 min. */
static const char *
dpd_rate(uint32_t s)
{
	if (s == 0)
		return "None";
	if (s <= 60)
		return "High";
	if (s <= 600)
		return "Medium";
	return "Low";
}

int
prof_apple(const struct prof_server *s, enum prof_os os,
    struct prof_out *out, const char **why)
{
	struct prof_buf	 b = { 0 };
	struct prof_alg	 ike, esp;
	unsigned char	*ca = NULL;
	size_t		 calen;
	char		 u_top[37], u_vpn[37], u_ca[37], u_p12[37];
	uint16_t	 mtu;
	const char	*T = "\t\t\t";

	if (prof_pick(s->ike, s->nike, false, &apple_caps, &ike) < 0) {
		*why = "the server's proposal set has no IKE proposal that "
		    "iOS/macOS support (AES-GCM or AES-CBC with SHA-2, "
		    "ECP/X25519 or MODP2048+)";
		return -1;
	}
	if (prof_pick(s->esp, s->nesp, true, &apple_caps, &esp) < 0) {
		*why = "the server's proposal set has no ESP proposal that "
		    "iOS/macOS support (AES-GCM or AES-CBC with SHA-2)";
		return -1;
	}
	if ((ca = prof_pem_der(s->ca_pem, &calen)) == NULL) {
		*why = "the CA certificate cannot be read";
		return -1;
	}
	prof_uuid(u_top);
	prof_uuid(u_vpn);
	prof_uuid(u_ca);
	prof_uuid(u_p12);
	mtu = s->mtu < 1280 ? 1280 : s->mtu > 1400 ? 1400 : s->mtu;

	pb_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	    "<plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n"
	    "\t<array>\n");

	/* The VPN payload. */
	pb_puts(&b, "\t\t<dict>\n");
	kv_str(&b, "\t\t\t", "PayloadType", "com.apple.vpn.managed");
	pb_puts(&b, "\t\t\t<key>PayloadVersion</key>\n"
	    "\t\t\t<integer>1</integer>\n");
	kv_str(&b, T, "PayloadIdentifier", "com.roadgate.vpn");
	pb_printf(&b, "%s<key>PayloadUUID</key>\n%s<string>%s</string>\n", T,
	    T, u_vpn);
	kv_str(&b, T, "PayloadDisplayName", s->name);
	kv_str(&b, T, "UserDefinedName", s->name);
	kv_str(&b, T, "VPNType", "IKEv2");
	pb_puts(&b, "\t\t\t<key>IKEv2</key>\n\t\t\t<dict>\n");
	T = "\t\t\t\t";
	kv_str(&b, T, "RemoteAddress", s->address);
	kv_str(&b, T, "RemoteIdentifier", s->server_id);
	if (s->method == PROF_EAP) {
		kv_str(&b, T, "LocalIdentifier", s->user);
		kv_str(&b, T, "AuthenticationMethod", "None");
		pb_printf(&b, "%s<key>ExtendedAuthEnabled</key>\n"
		    "%s<integer>1</integer>\n", T, T);
		kv_str(&b, T, "AuthName", s->user);
	} else {
		kv_str(&b, T, "LocalIdentifier", s->user_id);
		kv_str(&b, T, "AuthenticationMethod", "Certificate");
		/* Default RSA: an ECDSA key (our CA's default) needs it. */
		kv_str(&b, T, "CertificateType", cert_type(s->user_key));
		pb_printf(&b, "%s<key>ExtendedAuthEnabled</key>\n"
		    "%s<integer>0</integer>\n", T, T);
		pb_printf(&b, "%s<key>PayloadCertificateUUID</key>\n"
		    "%s<string>%s</string>\n", T, T, u_p12);
	}
	/* Sends CERTREQ; required with CertificateType. */
	if (s->ca_cn)
		kv_str(&b, T, "ServerCertificateIssuerCommonName", s->ca_cn);
	kv_str(&b, T, "DeadPeerDetectionRate", dpd_rate(s->dpd_interval_s));
	pb_printf(&b, "%s<key>EnablePFS</key>\n%s<integer>0</integer>\n"
	    "%s<key>DisableMOBIKE</key>\n%s<integer>0</integer>\n"
	    "%s<key>DisableRedirect</key>\n%s<integer>1</integer>\n"
	    "%s<key>EnableCertificateRevocationCheck</key>\n"
	    "%s<integer>0</integer>\n"
	    "%s<key>MTU</key>\n%s<integer>%u</integer>\n",
	    T, T, T, T, T, T, T, T, T, T, mtu);
	sa_params(&b, "IKESecurityAssociationParameters", &ike, ike.dh,
	    s->ike_lifetime_s);
	/* DH of the child: used only with EnablePFS (0); keep the IKE one. */
	sa_params(&b, "ChildSecurityAssociationParameters", &esp, ike.dh,
	    s->child_lifetime_s);
	pb_puts(&b, "\t\t\t</dict>\n");
	T = "\t\t\t";
	/* Full tunnel unless the profile names split networks. */
	pb_printf(&b, "%s<key>IPv4</key>\n%s<dict>\n%s\t<key>OverridePrimary"
	    "</key>\n%s\t<integer>%d</integer>\n%s</dict>\n", T, T, T, T,
	    s->nsplit == 0, T);
	if (s->ndns > 0) {
		pb_printf(&b, "%s<key>DNS</key>\n%s<dict>\n", T, T);
		str_array(&b, "\t\t\t\t", "ServerAddresses", s->dns, s->ndns);
		if (s->ndomains > 0) {
			str_array(&b, "\t\t\t\t", "SearchDomains", s->domains,
			    s->ndomains);
			str_array(&b, "\t\t\t\t", "SupplementalMatchDomains",
			    s->domains, s->ndomains);
		}
		pb_printf(&b, "%s</dict>\n", T);
	}
	pb_puts(&b, "\t\t</dict>\n");

	/* The CA. */
	pb_puts(&b, "\t\t<dict>\n");
	kv_str(&b, T, "PayloadType", "com.apple.security.root");
	pb_printf(&b, "%s<key>PayloadVersion</key>\n%s<integer>1</integer>\n",
	    T, T);
	kv_str(&b, T, "PayloadIdentifier", "com.roadgate.ca");
	pb_printf(&b, "%s<key>PayloadUUID</key>\n%s<string>%s</string>\n", T,
	    T, u_ca);
	kv_str(&b, T, "PayloadDisplayName", "roadgate CA");
	kv_str(&b, T, "PayloadCertificateFileName", "roadgate-ca.cer");
	pb_printf(&b, "%s<key>PayloadContent</key>\n%s<data>\n", T, T);
	pb_base64(&b, ca, calen, 52, "\t\t\t");
	pb_printf(&b, "\n%s</data>\n\t\t</dict>\n", T);

	if (s->method == PROF_CERT) {
		pb_puts(&b, "\t\t<dict>\n");
		kv_str(&b, T, "PayloadType", "com.apple.security.pkcs12");
		pb_printf(&b, "%s<key>PayloadVersion</key>\n"
		    "%s<integer>1</integer>\n", T, T);
		kv_str(&b, T, "PayloadIdentifier", "com.roadgate.p12");
		pb_printf(&b, "%s<key>PayloadUUID</key>\n"
		    "%s<string>%s</string>\n", T, T, u_p12);
		kv_str(&b, T, "PayloadDisplayName", s->user);
		pb_printf(&b, "%s<key>PayloadCertificateFileName</key>\n"
		    "%s<string>", T, T);
		pb_xml(&b, s->user);
		pb_puts(&b, ".p12</string>\n");
		kv_str(&b, T, "Password", s->p12_password);
		pb_printf(&b, "%s<key>PayloadContent</key>\n%s<data>\n", T,
		    T);
		pb_base64(&b, s->p12, s->p12_len, 52, "\t\t\t");
		pb_printf(&b, "\n%s</data>\n\t\t</dict>\n", T);
		out->secret = true;
	}
	pb_puts(&b, "\t</array>\n");
	kv_str(&b, "\t", "PayloadDisplayName", s->name);
	kv_str(&b, "\t", "PayloadIdentifier", "com.roadgate.profile");
	kv_str(&b, "\t", "PayloadType", "Configuration");
	pb_printf(&b, "\t<key>PayloadUUID</key>\n\t<string>%s</string>\n"
	    "\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n", u_top);
	kv_str(&b, "\t", "PayloadDescription", os == PROF_IOS ?
	    "IKEv2 VPN for iOS" : "IKEv2 VPN for macOS");
	pb_puts(&b, "</dict>\n</plist>\n");
	free(ca);
	out->content_type = "application/x-apple-aspen-config";
	out->ext = "mobileconfig";
	return prof_take(&b, out);
}
