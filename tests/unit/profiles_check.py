#!/usr/bin/env python3
"""profiles_check.py DIR: checks the client profiles test_profiles wrote.

Files: <os>-<method> (ios, macos, windows, android, linux-nm, swanctl; eap,
cert), <os>-cert.password, <os>-<method>.<companion file>.  Each format is
checked against what its client reads (../shared/CLIENTS.md section 4):
  .mobileconfig  plistlib; payload keys; IKEv2 keys and value sets; unique
                 PayloadUUIDs; the PKCS#12 payload opens with its Password
  PowerShell     only cmdlets, parameters and values the cmdlets accept
                 (Microsoft's VpnClient/PKI reference), the six IPsec
                 parameters together, nothing weak
  .sswan         JSON; required fields and types; the p12 opens
  NM keyfile     the [vpn] keys charon-nm reads, nothing else
  swanctl        companion PKCS#12 opens; CA is a certificate
Prints one line per failure; exit status 1 if any.
"""
import base64
import configparser
import json
import os
import plistlib
import re
import subprocess
import sys
import tempfile
import uuid

D = sys.argv[1]
errors = []


def fail(what, why):
    errors.append(f"{what}: {why}")


def read(name, mode="r"):
    with open(os.path.join(D, name), mode) as f:
        return f.read()


def p12_opens(what, der, password):
    with tempfile.NamedTemporaryFile(suffix=".p12") as t:
        t.write(der)
        t.flush()
        for extra in ([], ["-legacy"]):
            r = subprocess.run(["openssl", "pkcs12", "-in", t.name, "-nodes",
                                "-passin", "pass:" + password] + extra,
                               capture_output=True, text=True)
            if r.returncode == 0 and "PRIVATE KEY" in r.stdout and \
                    "CERTIFICATE" in r.stdout:
                return
        fail(what, "the PKCS#12 does not open with its password")


def der_cert(what, der):
    r = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout"],
                       input=der, capture_output=True)
    if r.returncode != 0:
        fail(what, "the CA payload is not a DER certificate")


# ---- Apple ----------------------------------------------------------------
APPLE_ENC = {"AES-128", "AES-256", "AES-128-GCM", "AES-256-GCM",
             "ChaCha20Poly1305"}             # DES and 3DES refused
APPLE_INTEG = {"SHA2-256", "SHA2-384", "SHA2-512"}  # SHA1 refused
APPLE_DH = {14, 15, 16, 17, 18, 19, 20, 21, 31, 32}
PAYLOAD_KEYS = ["PayloadType", "PayloadUUID", "PayloadIdentifier",
                "PayloadVersion"]


def check_apple(name, method):
    try:
        pl = plistlib.loads(read(name, "rb"))
    except Exception as e:
        return fail(name, f"not a property list: {e}")
    for k in PAYLOAD_KEYS + ["PayloadDisplayName", "PayloadContent"]:
        if k not in pl:
            fail(name, f"top level lacks {k}")
    if pl.get("PayloadType") != "Configuration":
        fail(name, "top PayloadType is not Configuration")
    uuids = [pl.get("PayloadUUID")]
    by_type = {}
    for p in pl.get("PayloadContent", []):
        for k in PAYLOAD_KEYS:
            if k not in p:
                fail(name, f"payload lacks {k}")
        uuids.append(p.get("PayloadUUID"))
        by_type[p.get("PayloadType")] = p
    for u in uuids:
        try:
            uuid.UUID(u)
        except Exception:
            fail(name, f"PayloadUUID {u!r} is not a UUID")
    if len(set(uuids)) != len(uuids):
        fail(name, "PayloadUUIDs are not unique")
    vpn = by_type.get("com.apple.vpn.managed")
    if vpn is None:
        return fail(name, "no com.apple.vpn.managed payload")
    if vpn.get("VPNType") != "IKEv2" or "UserDefinedName" not in vpn:
        fail(name, "VPNType IKEv2 / UserDefinedName")
    ike = vpn.get("IKEv2", {})
    for k in ["RemoteAddress", "RemoteIdentifier", "LocalIdentifier",
              "AuthenticationMethod", "DeadPeerDetectionRate",
              "IKESecurityAssociationParameters",
              "ChildSecurityAssociationParameters"]:
        if k not in ike:
            fail(name, f"IKEv2 lacks {k}")
    if method == "eap":
        if ike.get("AuthenticationMethod") != "None" or \
                ike.get("ExtendedAuthEnabled") != 1:
            fail(name, "EAP needs AuthenticationMethod None + "
                 "ExtendedAuthEnabled 1")
    else:
        if ike.get("AuthenticationMethod") != "Certificate":
            fail(name, "AuthenticationMethod is not Certificate")
        # the CA issues ECDSA P-256 keys: RSA (the default) would fail
        if ike.get("CertificateType") != "ECDSA256":
            fail(name, f"CertificateType {ike.get('CertificateType')}")
        p12 = by_type.get("com.apple.security.pkcs12")
        if p12 is None:
            fail(name, "no com.apple.security.pkcs12 payload")
        else:
            if ike.get("PayloadCertificateUUID") != p12.get("PayloadUUID"):
                fail(name, "PayloadCertificateUUID does not name the "
                     "PKCS#12 payload")
            if not isinstance(p12.get("PayloadContent"), bytes):
                fail(name, "PKCS#12 PayloadContent is not data")
            else:
                p12_opens(name, p12["PayloadContent"], p12.get("Password", ""))
                if p12.get("Password") != read(name + ".password"):
                    fail(name, "Password differs from the API's")
    if "CertificateType" in ike and \
            not ike.get("ServerCertificateIssuerCommonName"):
        fail(name, "CertificateType without "
             "ServerCertificateIssuerCommonName")
    if ike.get("DeadPeerDetectionRate") not in ("None", "Low", "Medium",
                                                "High"):
        fail(name, "DeadPeerDetectionRate value")
    if "MTU" in ike and not 1280 <= ike["MTU"] <= 1400:
        fail(name, "MTU outside 1280..1400")
    for k in ["IKESecurityAssociationParameters",
              "ChildSecurityAssociationParameters"]:
        sa = ike.get(k, {})
        if sa.get("EncryptionAlgorithm") not in APPLE_ENC:
            fail(name, f"{k}.EncryptionAlgorithm {sa.get('EncryptionAlgorithm')}")
        if sa.get("IntegrityAlgorithm") not in APPLE_INTEG:
            fail(name, f"{k}.IntegrityAlgorithm")
        if sa.get("DiffieHellmanGroup") not in APPLE_DH:
            fail(name, f"{k}.DiffieHellmanGroup")
        if not 10 <= sa.get("LifeTimeInMinutes", 0) <= 1440:
            fail(name, f"{k}.LifeTimeInMinutes")
    root = by_type.get("com.apple.security.root")
    if root is None or not isinstance(root.get("PayloadContent"), bytes):
        fail(name, "no com.apple.security.root payload with DER data")
    else:
        der_cert(name, root["PayloadContent"])


# ---- Windows --------------------------------------------------------------
ANY = None
CMDLETS = {
    "Add-VpnConnection": {
        "Name": ANY, "ServerAddress": ANY,
        "TunnelType": {"Pptp", "L2tp", "Sstp", "Ikev2", "Automatic"},
        "AuthenticationMethod": {"Pap", "Chap", "MSChapv2", "Eap",
                                 "MachineCertificate"},
        "EncryptionLevel": {"NoEncryption", "Optional", "Required",
                            "Maximum", "Custom"},
        "L2tpPsk": ANY, "Force": False, "SplitTunneling": False,
        "AllUserConnection": False, "RememberCredential": False,
        "UseWinlogonCredential": False, "EapConfigXmlStream": ANY,
        "DnsSuffix": ANY, "IdleDisconnectSeconds": ANY, "ServerList": ANY,
        "MachineCertificateIssuerFilter": ANY,
        "MachineCertificateEKUFilter": ANY, "PassThru": False,
    },
    "Set-VpnConnectionIPsecConfiguration": {
        "ConnectionName": ANY,
        "AuthenticationTransformConstants": {"MD596", "SHA196", "SHA256128",
                                             "GCMAES128", "GCMAES192",
                                             "GCMAES256", "None"},
        "CipherTransformConstants": {"DES", "DES3", "AES128", "AES192",
                                     "AES256", "GCMAES128", "GCMAES192",
                                     "GCMAES256", "None"},
        "EncryptionMethod": {"DES", "DES3", "AES128", "AES192", "AES256",
                             "GCMAES128", "GCMAES256"},
        "IntegrityCheckMethod": {"MD5", "SHA1", "SHA256", "SHA384"},
        "DHGroup": {"None", "Group1", "Group2", "Group14", "ECP256",
                    "ECP384", "Group24"},
        "PfsGroup": {"None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384",
                     "PFSMM", "PFS24"},
        "Force": False, "PassThru": False, "AllUserConnection": False,
        "RevertToDefault": False,
    },
    "Add-VpnConnectionRoute": {"ConnectionName": ANY,
                               "DestinationPrefix": ANY, "RouteMetric": ANY,
                               "AllUserConnection": False,
                               "PassThru": False},
    "Import-Certificate": {"FilePath": ANY, "CertStoreLocation": ANY},
    "Import-PfxCertificate": {"FilePath": ANY, "CertStoreLocation": ANY,
                              "Password": ANY, "Exportable": False},
    "ConvertTo-SecureString": {"String": ANY, "AsPlainText": False,
                               "Force": False},
    "Set-Content": {"Path": ANY, "Value": ANY, "Encoding": ANY},
    "Remove-Item": {"Path": ANY},
    "Join-Path": {}, "Write-Host": {}, "Out-Null": {},
}
IPSEC_SIX = {"AuthenticationTransformConstants", "CipherTransformConstants",
             "EncryptionMethod", "IntegrityCheckMethod", "PfsGroup",
             "DHGroup"}
WEAK = {"DES", "DES3", "MD5", "SHA1", "MD596", "SHA196", "Group1", "Group2",
        "PFS1", "PFS2"}


def ps_tokens(s):
    return re.findall(r"'(?:[^']|'')*'|\S+", s)


def check_windows(name, method):
    text = read(name)
    seen = set()
    in_here = False
    for ln, line in enumerate(text.splitlines(), 1):
        if in_here:
            in_here = not line.startswith("'@")
            continue
        if line.endswith("@'"):
            in_here = True
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for seg in line.split(" | "):
            m = re.search(r"\b([A-Z][a-z]+-[A-Za-z]+)\b", seg)
            toks = ps_tokens(seg)
            # the cmdlet is the first Verb-Noun token outside quotes
            cmd = next((t for t in toks
                        if re.fullmatch(r"[A-Z][a-z]+-[A-Za-z]+", t)), None)
            cmd = cmd or (m.group(1) if m and "(" in seg and
                          m.group(1) in CMDLETS else None)
            if cmd is None:
                continue
            if cmd not in CMDLETS:
                fail(name, f"line {ln}: unknown cmdlet {cmd}")
                continue
            seen.add(cmd)
            params = {}
            i = toks.index(cmd) + 1 if cmd in toks else len(toks)
            while i < len(toks):
                t = toks[i]
                if re.fullmatch(r"-[A-Za-z]+", t):
                    p = t[1:]
                    spec = CMDLETS[cmd].get(p, "missing")
                    if spec == "missing":
                        fail(name, f"line {ln}: {cmd} has no -{p}")
                        i += 1
                        continue
                    if spec is False:           # a switch
                        params[p] = True
                        i += 1
                        continue
                    v = toks[i + 1] if i + 1 < len(toks) else ""
                    params[p] = v
                    if isinstance(spec, set) and v not in spec:
                        fail(name, f"line {ln}: {cmd} -{p} {v} not in "
                             f"{sorted(spec)}")
                    if v in WEAK:
                        fail(name, f"line {ln}: weak -{p} {v}")
                    i += 2
                else:
                    i += 1
            if cmd == "Set-VpnConnectionIPsecConfiguration" and \
                    not IPSEC_SIX <= set(params):
                fail(name, "Set-VpnConnectionIPsecConfiguration needs all "
                     "six: missing " + ", ".join(IPSEC_SIX - set(params)))
            if cmd == "Add-VpnConnection":
                want = "MachineCertificate" if method == "cert" else "Eap"
                if params.get("AuthenticationMethod") != want or \
                        params.get("TunnelType") != "Ikev2":
                    fail(name, f"Add-VpnConnection wants Ikev2 / {want}")
    for c in ["Add-VpnConnection", "Set-VpnConnectionIPsecConfiguration",
              "Import-Certificate", "Add-VpnConnectionRoute"]:
        if c not in seen:
            fail(name, f"no {c}")
    if "Cert:\\LocalMachine\\Root" not in text:
        fail(name, "the CA is not imported to Cert:\\LocalMachine\\Root")
    if "AssumeUDPEncapsulationContextOnSendRule" not in text:
        fail(name, "no NAT registry hint")
    if method == "cert":
        m = re.search(r"FromBase64String\('([^']+)'\)", text)
        pw = re.search(r"ConvertTo-SecureString -String '([^']*)'", text)
        if not m or not pw or "Import-PfxCertificate" not in seen:
            fail(name, "no PKCS#12 import")
        else:
            p12_opens(name, base64.b64decode(m.group(1)), pw.group(1))


# ---- Android --------------------------------------------------------------
def check_android(name, method):
    try:
        j = json.loads(read(name))
    except Exception as e:
        return fail(name, f"not JSON: {e}")
    for k in ["uuid", "name", "type", "remote"]:
        if k not in j:
            fail(name, f"lacks {k}")
    try:
        uuid.UUID(j.get("uuid", ""))
    except Exception:
        fail(name, "uuid is not a UUID")
    want = "ikev2-cert" if method == "cert" else "ikev2-eap"
    if j.get("type") != want:
        fail(name, f"type {j.get('type')} (want {want})")
    r = j.get("remote", {})
    if not r.get("addr"):
        fail(name, "remote.addr is required")
    try:
        der_cert(name, base64.b64decode(r.get("cert", "")))
    except Exception:
        fail(name, "remote.cert is not base64")
    loc = j.get("local", {})
    if method == "cert":
        if "p12" not in loc:
            fail(name, "local.p12 is required for ikev2-cert")
        else:
            p12_opens(name, base64.b64decode(loc["p12"]),
                      read(name + ".password"))
    elif not loc.get("eap_id"):
        fail(name, "local.eap_id for ikev2-eap")
    for k in ["ike-proposal", "esp-proposal"]:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", j.get(k, "")):
            fail(name, f"{k} is not a proposal string")
    if "mtu" in j and not 1280 <= j["mtu"] <= 1500:
        fail(name, "mtu outside 1280..1500")
    st = j.get("split-tunneling", {})
    if not isinstance(st.get("subnets", []), list):
        fail(name, "split-tunneling.subnets is not a list")


# ---- Linux ----------------------------------------------------------------
NM_VPN_KEYS = {"service-type", "address", "server-port", "certificate",
               "remote-identity", "local-identity", "method", "cert-source",
               "user", "usercert", "userkey", "virtual", "encap", "ipcomp",
               "proposal", "ike", "esp", "local-ts", "remote-ts",
               "password-flags"}


def check_nm(name, method):
    cp = configparser.ConfigParser(interpolation=None, comment_prefixes="#")
    cp.optionxform = str
    try:
        cp.read_string(read(name))
    except Exception as e:
        return fail(name, f"not a keyfile: {e}")
    c = cp["connection"] if "connection" in cp else {}
    if c.get("type") != "vpn" or not c.get("id") or not c.get("uuid"):
        fail(name, "[connection] id, uuid, type=vpn")
    v = cp["vpn"] if "vpn" in cp else {}
    if v.get("service-type") != "org.freedesktop.NetworkManager.strongswan":
        fail(name, "service-type")
    for k in v:
        if k not in NM_VPN_KEYS:
            fail(name, f"[vpn] {k} is not read by the plugin")
    for k in ["address", "certificate", "method"]:
        if not v.get(k):
            fail(name, f"[vpn] lacks {k}")
    if v.get("method") != method:
        fail(name, f"method {v.get('method')}")
    if method == "eap" and not v.get("user"):
        fail(name, "eap needs user")
    if method == "cert" and not (v.get("usercert") and v.get("userkey")):
        fail(name, "cert needs usercert and userkey")
    if v.get("proposal") == "yes" and not (v.get("ike") and v.get("esp")):
        fail(name, "proposal=yes without ike and esp")
    ca = os.path.join(D, name + ".roadgate-ca.pem")
    if subprocess.run(["openssl", "x509", "-in", ca, "-noout"],
                      capture_output=True).returncode != 0:
        fail(name, "no CA file beside it")


def check_swanctl(name, method):
    text = read(name)
    for k in ["connections {", "proposals = ", "esp_proposals = ",
              "remote_ts = ", "cacerts = roadgate-ca.pem"]:
        if k not in text:
            fail(name, f"lacks {k!r}")
    if method == "cert":
        p12 = [f for f in os.listdir(D) if f.startswith(name + ".") and
               f.endswith(".p12")]
        if len(p12) != 1:
            fail(name, "no PKCS#12 beside it")
        else:
            m = re.search(r'secret = "([^"]+)"', text)
            p12_opens(name, read(p12[0], "rb"), m.group(1) if m else "")


for os_, fn in [("ios", check_apple), ("macos", check_apple),
                ("windows", check_windows), ("android", check_android),
                ("linux-nm", check_nm), ("swanctl", check_swanctl)]:
    for method in ["eap", "cert"]:
        name = f"{os_}-{method}"
        if not os.path.exists(os.path.join(D, name)):
            fail(name, "missing")
            continue
        fn(name, method)

for e in errors:
    print("  " + e)
sys.exit(1 if errors else 0)
