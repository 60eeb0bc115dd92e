#!/usr/bin/env bash
# cert_openssl.sh: the openssl command line judges what the certs/ library
# makes (through tests/tools/cert-tool): every issued certificate verifies
# against the CA (and the CRL), PKCS#12 exports open with the algorithms
# each client OS needs (PRODUCT.md fact 10), the fields Windows/macOS check
# are present (fact 2), and bad input names its field.  Needs no root.
set -u
tool=${RG_BUILD:-build-test}/tests/tools/cert-tool
[ -x "$tool" ] || { echo "FAIL cert_openssl: $tool not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "PASS cert_openssl.$1"; }
ko() { echo "FAIL cert_openssl.$1: $2"; fails=$((fails + 1)); }
check() {	# check NAME COMMAND...: PASS when the command succeeds
	local n=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$n"; else ko "$n" "$(tail -3 "$tmp/out" | tr '\n' ' ')"; fi
}
has() { grep -q -- "$2" "$1"; }

for kt in ecdsa-p256 rsa2048; do
	d=$tmp/$kt
	mkdir -p "$d"
	"$tool" ca-create "$d" "$kt" 3 >/dev/null || { ko "$kt.ca" "ca-create failed"; continue; }
	"$tool" server "$d" "$kt" http://vpn.example.com/crl.pem vpn.example.com 192.0.2.1 >/dev/null &&
	"$tool" client "$d" alice alice@example.com "$kt" >/dev/null &&
	"$tool" client "$d" bob bob@example.com "$kt" >/dev/null ||
		{ ko "$kt.issue" "issue failed"; continue; }
	check "$kt.verify_ca" openssl verify -CAfile "$d/ca.pem" "$d/ca.pem"
	check "$kt.verify_server" openssl verify -CAfile "$d/ca.pem" -purpose sslserver "$d/server.pem"
	check "$kt.verify_client" openssl verify -CAfile "$d/ca.pem" -purpose sslclient "$d/alice.pem"

	openssl x509 -in "$d/ca.pem" -noout -text >"$d/ca.txt"
	if has "$d/ca.txt" "Basic Constraints: critical" && has "$d/ca.txt" "CA:TRUE" &&
	    has "$d/ca.txt" "Key Usage: critical" && has "$d/ca.txt" "Certificate Sign, CRL Sign" &&
	    has "$d/ca.txt" "Subject Key Identifier"; then
		ok "$kt.ca_fields"
	else
		ko "$kt.ca_fields" "CA extensions missing"
	fi

	# server: serverAuth + IKE intermediate, SAN DNS + IP + IP-as-DNS
	openssl x509 -in "$d/server.pem" -noout -text >"$d/server.txt"
	if has "$d/server.txt" "TLS Web Server Authentication" &&
	    { has "$d/server.txt" "1.3.6.1.5.5.8.2.2" || has "$d/server.txt" "ipsec Internet Key Exchange"; } &&
	    has "$d/server.txt" "DNS:vpn.example.com" && has "$d/server.txt" "IP Address:192.0.2.1" &&
	    has "$d/server.txt" "DNS:192.0.2.1" && has "$d/server.txt" "URI:http://vpn.example.com/crl.pem" &&
	    has "$d/server.txt" "Subject: CN = vpn.example.com" &&
	    has "$d/server.txt" "Authority Key Identifier"; then
		ok "$kt.server_fields"
	else
		ko "$kt.server_fields" "server fields missing"
	fi
	if [ "$kt" = rsa2048 ]; then
		has "$d/server.txt" "Digital Signature, Key Encipherment" && ok "$kt.server_ku" ||
			ko "$kt.server_ku" "RSA server key usage"
	else
		grep -A1 "X509v3 Key Usage" "$d/server.txt" | tail -1 | grep -qx " *Digital Signature" &&
			ok "$kt.server_ku" || ko "$kt.server_ku" "EC server key usage"
	fi
	openssl x509 -in "$d/alice.pem" -noout -text >"$d/alice.txt"
	if has "$d/alice.txt" "TLS Web Client Authentication" && ! has "$d/alice.txt" "Server Authentication" &&
	    has "$d/alice.txt" "email:alice@example.com" && has "$d/alice.txt" "Subject: CN = alice"; then
		ok "$kt.client_fields"
	else
		ko "$kt.client_fields" "client fields missing"
	fi

	# CRL: bob revoked (keyCompromise), alice not; number increases
	bob=$(openssl x509 -in "$d/bob.pem" -noout -serial | cut -d= -f2)
	"$tool" crl "$d" 1 >/dev/null && cp "$d/crl.pem" "$d/crl1.pem"
	"$tool" crl "$d" 2 "$bob:keyCompromise" >/dev/null
	check "$kt.crl_alice_ok" openssl verify -crl_check -CAfile "$d/ca.pem" -CRLfile "$d/crl.pem" "$d/alice.pem"
	if openssl verify -crl_check -CAfile "$d/ca.pem" -CRLfile "$d/crl.pem" "$d/bob.pem" >"$d/v" 2>&1; then
		ko "$kt.crl_bob_revoked" "revoked certificate verified"
	else
		has "$d/v" "certificate revoked" && ok "$kt.crl_bob_revoked" || ko "$kt.crl_bob_revoked" "$(cat "$d/v")"
	fi
	check "$kt.crl_bob_ok_before" openssl verify -crl_check -CAfile "$d/ca.pem" -CRLfile "$d/crl1.pem" "$d/bob.pem"
	openssl crl -in "$d/crl.pem" -noout -text >"$d/crl.txt"
	n1=$(openssl crl -in "$d/crl1.pem" -noout -crlnumber | cut -d= -f2)
	n2=$(openssl crl -in "$d/crl.pem" -noout -crlnumber | cut -d= -f2)
	if has "$d/crl.txt" "Serial Number: $bob" && has "$d/crl.txt" "Key Compromise" &&
	    [ $((n2)) -gt $((n1)) ] && [ $((n1)) -ge 1 ] && has "$d/crl.txt" "Next Update"; then
		ok "$kt.crl_fields"
	else
		ko "$kt.crl_fields" "serial $bob / numbers $n1 $n2"
	fi
	check "$kt.crl_sig" openssl crl -in "$d/crl.pem" -CAfile "$d/ca.pem" -noout

	# PKCS#12: legacy needs -legacy and shows 3DES + SHA1 MAC
	"$tool" p12 "$d" alice legacy 'Pa ss' >/dev/null
	if openssl pkcs12 -legacy -info -noout -passin 'pass:Pa ss' -in "$d/alice.p12" >"$d/p12l" 2>&1 &&
	    has "$d/p12l" "MAC: sha1" && has "$d/p12l" "pbeWithSHA1And3-KeyTripleDES-CBC" &&
	    ! has "$d/p12l" "AES-256"; then
		ok "$kt.p12_legacy"
	else
		ko "$kt.p12_legacy" "$(tr '\n' ' ' <"$d/p12l")"
	fi
	openssl pkcs12 -legacy -in "$d/alice.p12" -passin 'pass:Pa ss' -nokeys -clcerts 2>/dev/null |
		openssl x509 -noout -fingerprint >"$d/fp1"
	openssl x509 -in "$d/alice.pem" -noout -fingerprint >"$d/fp2"
	check "$kt.p12_legacy_cert" cmp "$d/fp1" "$d/fp2"
	"$tool" p12 "$d" alice modern 'Pa ss' >/dev/null
	if openssl pkcs12 -info -noout -passin 'pass:Pa ss' -in "$d/alice.p12" >"$d/p12m" 2>&1 &&
	    has "$d/p12m" "MAC: sha256" && has "$d/p12m" "AES-256-CBC" && ! has "$d/p12m" "TripleDES"; then
		ok "$kt.p12_modern"
	else
		ko "$kt.p12_modern" "$(tr '\n' ' ' <"$d/p12m")"
	fi
	if openssl pkcs12 -info -noout -passin pass:wrong -in "$d/alice.p12" >/dev/null 2>&1; then
		ko "$kt.p12_wrong_pass" "opened with a wrong password"
	else
		ok "$kt.p12_wrong_pass"
	fi
	out=$("$tool" p12 "$d" alice legacy '')
	[[ $out == "error password:"* ]] && ok "$kt.p12_empty_pass" || ko "$kt.p12_empty_pass" "$out"

	# PEM bundle: cert + key + CA
	"$tool" pem "$d" alice >/dev/null
	if [ "$(grep -c 'BEGIN CERTIFICATE' "$d/alice.bundle.pem")" = 2 ] &&
	    openssl pkey -in "$d/alice.bundle.pem" -noout 2>/dev/null; then
		ok "$kt.pem_bundle"
	else
		ko "$kt.pem_bundle" "bundle incomplete"
	fi
done

d=$tmp/ecdsa-p256
# key at rest: AES-256-CBC PKCS#8, openssl reads it with the passphrase
"$tool" encrypt-key "$d/ca.key" 'at rest' >"$d/ca.enc"
if openssl pkey -in "$d/ca.enc" -passin 'pass:at rest' -noout 2>/dev/null &&
    openssl asn1parse -in "$d/ca.enc" | grep -q aes-256-cbc &&
    ! openssl pkey -in "$d/ca.enc" -passin pass:nope -noout 2>/dev/null; then
	ok key_at_rest
else
	ko key_at_rest "encrypted key not readable as AES-256-CBC PKCS#8"
fi

# bad input names the field
expect_err() {	# expect_err NAME FIELD COMMAND...
	local n=$1 f=$2 out
	shift 2
	out=$("$@" 2>&1)
	[[ $out == "error $f:"* ]] && ok "$n" || ko "$n" "wanted field $f, got: $out"
}
expect_err bad_weak_rsa bits "$tool" ca-create "$tmp" rsa1024 1
expect_err bad_key_type key_type "$tool" ca-create "$tmp" dsa2048 1
expect_err bad_key_mismatch key "$tool" ca-import "$d/ca.pem" "$tmp/rsa2048/ca.key"
expect_err bad_not_ca cert "$tool" ca-import "$d/server.pem" "$d/server.key"
expect_err bad_wrong_password password "$tool" ca-import "$d/ca.pem" "$d/ca.enc" wrong
expect_err bad_no_password password "$tool" ca-import "$d/ca.pem" "$d/ca.enc"
out=$("$tool" ca-import "$d/ca.pem" "$d/ca.enc" 'at rest')
[[ $out == "ok "* ]] && ok ca_import_encrypted || ko ca_import_encrypted "$out"
(cd "$tmp" && "$tool" expire "$d/ca.pem" "$d/ca.key" old.pem)
if openssl x509 -in "$tmp/old.pem" -noout -checkend 0 >/dev/null; then
	ko bad_expired_ca "the backdated CA is not expired"
else
	expect_err bad_expired_ca cert "$tool" ca-import "$tmp/old.pem" "$d/ca.key"
fi
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$tmp/weak.key" -out "$tmp/weak.pem" \
	-subj /CN=weak -days 30 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 &&
	expect_err bad_weak_ca_key key "$tool" ca-import "$tmp/weak.pem" "$tmp/weak.key"

# an existing PKI made by strongSwan's pki (the testbed's), when available
if [ -x /work/shared/testbed/mkpki ] && command -v pki >/dev/null; then
	export TB_PKI=$tmp/tbpki TB_STATE=$tmp/tbstate
	if /work/shared/testbed/mkpki >/dev/null 2>&1 && [ -s "$TB_PKI/ca.pem" ]; then
		out=$("$tool" ca-import "$TB_PKI/ca.pem" "$TB_PKI/ca.key")
		[[ $out == "ok "* ]] && ok testbed_ca_import || ko testbed_ca_import "$out"
		out=$("$tool" leaf-import "$TB_PKI/server.pem" "$TB_PKI/server.key")
		[[ $out == "ok "* ]] && ok testbed_server_import || ko testbed_server_import "$out"
		expect_err testbed_mismatch key "$tool" leaf-import "$TB_PKI/server.pem" "$TB_PKI/client1.key"
	fi
fi

[ $fails -eq 0 ]
