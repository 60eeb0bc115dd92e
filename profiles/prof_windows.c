/*
 * prof_windows.c: a PowerShell script for Windows 10/11 (VpnClient and PKI
 * modules; CLIENTS.md 4b, Microsoft's cmdlet reference), run elevated:
 *	the CA into Cert:\LocalMachine\Root (the server certificate checks
 *	against it), for certificate auth the PKCS#12 into LocalMachine\My,
 *	Add-VpnConnection -TunnelType Ikev2 -AuthenticationMethod Eap |
 *	MachineCertificate, Set-VpnConnectionIPsecConfiguration with the
 *	strongest transforms of the server's set (all six are required
 *	together; without them Windows proposes 3DES/SHA1/MODP1024), and
 *	Add-VpnConnectionRoute per split network.
 * Windows' names: EncryptionMethod (IKE cipher), IntegrityCheckMethod
 * (IKE integrity and PRF), DHGroup; CipherTransformConstants and
 * AuthenticationTransformConstants (ESP; GCM is named in both).
 */
#include <stdlib.h>
#include <string.h>

#include "prof.h"

/* IKE: CBC first; GCM in IKE needs Windows 11 (strongSwan's notes). */
static const char *const win_ike_enc[] = {
	"aes256", "aes128", "aes256gcm16", "aes128gcm16", NULL
};
static const char *const win_esp_enc[] = {
	"aes256gcm16", "aes128gcm16", "aes256", "aes128", NULL
};
static const char *const win_ike_integ[] = { "sha384", "sha256", NULL };
static const char *const win_esp_integ[] = { "sha256", NULL };
static const char *const win_dh[] = { "ecp384", "ecp256", "modp2048", NULL };
static const struct prof_caps win_ike = {
	win_ike_enc, win_ike_integ, NULL, win_dh
};
static const struct prof_caps win_esp = {
	win_esp_enc, win_esp_integ, NULL, NULL
};

static const char *
ike_cipher(const char *e)
{
	if (strcmp(e, "aes256") == 0)
		return "AES256";
	if (strcmp(e, "aes128") == 0)
		return "AES128";
	if (strcmp(e, "aes256gcm16") == 0)
		return "GCMAES256";
	return "GCMAES128";
}

static const char *
esp_cipher(const char *e)
{
	return ike_cipher(e);
}

static const char *
esp_auth(const struct prof_alg *a)
{
	if (strcmp(a->enc, "aes256gcm16") == 0)
		return "GCMAES256";
	if (strcmp(a->enc, "aes128gcm16") == 0)
		return "GCMAES128";
	return "SHA256128";
}

static const char *
dh_group(const char *d)
{
	if (strcmp(d, "ecp384") == 0)
		return "ECP384";
	if (strcmp(d, "ecp256") == 0)
		return "ECP256";
	return "Group14";
}

int
prof_windows(const struct prof_server *s, struct prof_out *out,
    const char **why)
{
	struct prof_buf	 b = { 0 };
	struct prof_alg	 ike, esp;
	size_t		 i;

	if (prof_pick(s->ike, s->nike, false, &win_ike, &ike) < 0) {
		*why = "the server's proposal set has no IKE proposal that "
		    "Windows supports with a custom policy (AES with "
		    "SHA-256/384, ECP256/384 or MODP2048)";
		return -1;
	}
	if (prof_pick(s->esp, s->nesp, true, &win_esp, &esp) < 0) {
		*why = "the server's proposal set has no ESP proposal that "
		    "Windows supports (AES-GCM, or AES-CBC with SHA-256)";
		return -1;
	}
	pb_puts(&b, "# roadgate IKEv2 VPN for Windows 10/11.  Run in an "
	    "elevated PowerShell:\n#   powershell -ExecutionPolicy Bypass "
	    "-File roadgate.ps1\n"
	    "# NAT: when this PC or the server is behind NAT, Windows needs "
	    "once (then a reboot):\n"
	    "#   reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
	    "PolicyAgent /v AssumeUDPEncapsulationContextOnSendRule "
	    "/t REG_DWORD /d 2 /f\n"
	    "$ErrorActionPreference = 'Stop'\n");
	pb_puts(&b, "$Name = ");
	pb_ps(&b, s->name);
	pb_puts(&b, "\n$Server = ");
	pb_ps(&b, s->address);
	pb_puts(&b, "\n\n# The CA that signed the server certificate.\n"
	    "$CaPem = @'\n");
	pb_puts(&b, s->ca_pem);
	if (s->ca_pem[0] && s->ca_pem[strlen(s->ca_pem) - 1] != '\n')
		pb_puts(&b, "\n");
	pb_puts(&b, "'@\n$CaFile = Join-Path $env:TEMP 'roadgate-ca.cer'\n"
	    "Set-Content -Path $CaFile -Value $CaPem -Encoding Ascii\n"
	    "Import-Certificate -FilePath $CaFile -CertStoreLocation "
	    "Cert:\\LocalMachine\\Root | Out-Null\n"
	    "Remove-Item -Path $CaFile\n");
	if (s->method == PROF_CERT) {
		pb_puts(&b, "\n# The user's certificate and key (PKCS#12).\n"
		    "$P12 = [Convert]::FromBase64String('");
		pb_base64(&b, s->p12, s->p12_len, 0, "");
		pb_puts(&b, "')\n$P12File = Join-Path $env:TEMP "
		    "'roadgate-user.p12'\n"
		    "[IO.File]::WriteAllBytes($P12File, $P12)\n"
		    "$P12Password = ConvertTo-SecureString -String ");
		pb_ps(&b, s->p12_password);
		pb_puts(&b, " -AsPlainText -Force\n"
		    "Import-PfxCertificate -FilePath $P12File "
		    "-CertStoreLocation Cert:\\LocalMachine\\My "
		    "-Password $P12Password | Out-Null\n"
		    "Remove-Item -Path $P12File\n");
		out->secret = true;
	}
	pb_printf(&b, "\nAdd-VpnConnection -Name $Name -ServerAddress $Server "
	    "-TunnelType Ikev2 -AuthenticationMethod %s -EncryptionLevel "
	    "Required -AllUserConnection%s",
	    s->method == PROF_CERT ? "MachineCertificate" : "Eap",
	    s->nsplit ? " -SplitTunneling" : "");
	if (s->method == PROF_EAP)
		pb_puts(&b, " -RememberCredential");
	if (s->ndomains > 0) {
		pb_puts(&b, " -DnsSuffix ");
		pb_ps(&b, s->domains[0]);
	}
	pb_puts(&b, " -Force\n");
	pb_printf(&b, "Set-VpnConnectionIPsecConfiguration -ConnectionName "
	    "$Name -AuthenticationTransformConstants %s "
	    "-CipherTransformConstants %s -EncryptionMethod %s "
	    "-IntegrityCheckMethod %s -DHGroup %s -PfsGroup None "
	    "-AllUserConnection -Force\n", esp_auth(&esp),
	    esp_cipher(esp.enc), ike_cipher(ike.enc),
	    strcmp(ike.integ, "sha384") == 0 ? "SHA384" : "SHA256",
	    dh_group(ike.dh));
	for (i = 0; i < s->nsplit; i++) {
		pb_puts(&b, "Add-VpnConnectionRoute -ConnectionName $Name "
		    "-DestinationPrefix ");
		pb_ps(&b, s->split[i]);
		pb_puts(&b, " -AllUserConnection\n");
	}
	if (s->method == PROF_EAP) {
		pb_puts(&b, "Write-Host ('Connect with user name ' + ");
		pb_ps(&b, s->user);
		pb_puts(&b, " + ' and your password.')\n");
	}
	out->content_type = "text/plain; charset=utf-8";
	out->ext = "ps1";
	return prof_take(&b, out);
}
