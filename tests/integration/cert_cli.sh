#!/usr/bin/env bash
# cert_cli.sh: the CA through roadgated + roadgatectl, judged by the openssl
# command line: first-start PKI, ca create, server and client certificates
# (the fields each client OS checks), PKCS#12 exports in both forms and
# PEM, revoke + CRL, renew, the CRL distribution point (setting crl_url),
# new server names (new certificate, old one kept superseded, roll back),
# importing the testbed's PKI (strongSwan pki), and bad input (unknown
# user, duplicate, weak key, wrong password, mismatched key) refused with
# the field named and the store unchanged.
# Needs no root: the daemon runs on high IKE ports in a temporary state dir.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
daemon=$build/roadgated
ctlbin=$build/roadgatectl
for b in "$daemon" "$ctlbin"; do
	[ -x "$b" ] || { echo "FAIL cert_cli: $b not built"; exit 1; }
done
tmp=$(mktemp -d)
state=$tmp/state
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
ok() { echo "PASS cert_cli.$1"; }
ko() { echo "FAIL cert_cli.$1: $2"; fails=$((fails + 1)); }
ctl() { "$ctlbin" --socket "$state/api.sock" "$@"; }
has() { grep -q -- "$2" "$1"; }

. "$(dirname "$0")/cert_lib.bash"	# start, stop
# expect_err NAME FIELD CMD...: the command fails and the error names FIELD
# ("field F:" from the API answer's "field")
expect_err() {
	local n=$1 f=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		ko "$n" "succeeded: $out"
	elif [[ $out == *"field $f:"* || $out == *"(field: $f)"* ]]; then
		ok "$n"
	else
		ko "$n" "no field $f in: $out"
	fi
}
fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" 2>/dev/null; }

mkdir -p "$state"
start || { echo "FAIL cert_cli.start: roadgated did not come up"; exit 1; }

# --- first start: a CA and a server certificate exist, verify, CRL too ---
if ctl ca show --pem >"$tmp/ca0.pem" 2>"$tmp/err" && ctl server-cert show --pem >"$tmp/srv0.pem" &&
    openssl verify -CAfile "$tmp/ca0.pem" "$tmp/srv0.pem" >/dev/null 2>&1 &&
    ctl crl show --pem >"$tmp/crl0.pem" && openssl crl -in "$tmp/crl0.pem" -CAfile "$tmp/ca0.pem" -noout 2>/dev/null; then
	ok first_start_pki
else
	ko first_start_pki "no CA/server certificate/CRL after first start (is cert_first_start() wired into rg_first_start?): $(cat "$tmp/err")"
fi

# --- ca create ---
if ctl ca create --key-type rsa2048 --years 2 --cn "CLI Test CA" >/dev/null &&
    ctl ca show --pem >"$tmp/ca.pem" && openssl x509 -in "$tmp/ca.pem" -noout -text >"$tmp/ca.txt" &&
    has "$tmp/ca.txt" "CN = CLI Test CA" && has "$tmp/ca.txt" "Public-Key: (2048 bit)" &&
    has "$tmp/ca.txt" "CA:TRUE"; then
	ok ca_create
else
	ko ca_create "$(head -5 "$tmp/ca.txt" 2>/dev/null)"
fi
# the server certificate follows a new CA (re-issued for the same names)
if ctl server-cert show --pem >"$tmp/srv1.pem" 2>/dev/null; then
	if openssl verify -CAfile "$tmp/ca.pem" "$tmp/srv1.pem" >/dev/null 2>&1 &&
	    [ "$(openssl x509 -in "$tmp/srv1.pem" -noout -subject)" = "$(openssl x509 -in "$tmp/srv0.pem" -noout -subject)" ]; then
		ok server_follows_new_ca
	else
		ko server_follows_new_ca "server certificate not re-issued under the new CA"
	fi
fi
expect_err ca_create_weak bits ctl ca create --key-type rsa1024
expect_err ca_create_badtype key_type ctl ca create --key-type dsa
ctl ca show --pem >"$tmp/ca.after" 2>/dev/null
cmp -s "$tmp/ca.pem" "$tmp/ca.after" && ok ca_unchanged_after_errors || ko ca_unchanged_after_errors "CA changed"

# --- CRL distribution point (setting crl_url) ---
expect_err crl_url_bad_scheme crl_url ctl settings set crl_url ftp://vpn.example.com/crl.pem
expect_err crl_url_bad_space crl_url ctl settings set crl_url "http://vpn.example.com/a b"
crlurl=http://vpn.example.com/crl.pem
ctl settings set crl_url "$crlurl" >/dev/null 2>&1 || ko crl_url_set "settings set crl_url refused"

# --- server certificate ---
if ctl server-cert issue --name vpn.example.com --name 192.0.2.1 >/dev/null &&
    ctl server-cert show --pem >"$tmp/srv.pem" &&
    openssl verify -CAfile "$tmp/ca.pem" -purpose sslserver "$tmp/srv.pem" >/dev/null 2>&1; then
	ok server_issue_verify
else
	ko server_issue_verify "server certificate does not verify"
fi
openssl x509 -in "$tmp/srv.pem" -noout -text >"$tmp/srv.txt" 2>/dev/null
if has "$tmp/srv.txt" "TLS Web Server Authentication" &&
    { has "$tmp/srv.txt" "1.3.6.1.5.5.8.2.2" || has "$tmp/srv.txt" "ipsec Internet Key Exchange"; } &&
    has "$tmp/srv.txt" "DNS:vpn.example.com" && has "$tmp/srv.txt" "IP Address:192.0.2.1" &&
    has "$tmp/srv.txt" "DNS:192.0.2.1" && has "$tmp/srv.txt" "CN = vpn.example.com"; then
	ok server_fields
else
	ko server_fields "EKU/SAN missing"
fi
expect_err server_bad_name names ctl server-cert issue --name "bad,name"
if has "$tmp/srv.txt" "X509v3 CRL Distribution Points" && has "$tmp/srv.txt" "URI:$crlurl"; then
	ok server_crl_dp
else
	ko server_crl_dp "no CRL distribution point $crlurl in the server certificate"
fi

# --- server names: a new certificate, the old one kept (superseded), roll back ---
srvser=$(openssl x509 -in "$tmp/srv.pem" -noout -serial | cut -d= -f2)
ctl server-cert names >"$tmp/names0"
nsrv0=$(ctl server-cert list --json | jq length)
if has "$tmp/names0" "vpn.example.com" && has "$tmp/names0" "192.0.2.1" &&
    ctl server-cert names --name vpn.example.com --name 192.0.2.1 >"$tmp/names1" && has "$tmp/names1" unchanged &&
    [ "$(ctl server-cert list --json | jq length)" = "$nsrv0" ]; then
	ok server_names_same
else
	ko server_names_same "$(cat "$tmp/names0" "$tmp/names1" 2>/dev/null | tr '\n' ' ')"
fi
nsrv0=$(ctl server-cert list --json | jq length)
expect_err server_names_bad names ctl server-cert names --name vpn.example.com --name "bad name"
[ "$(ctl server-cert list --json | jq length)" = "$nsrv0" ] && ok server_names_bad_unchanged ||
	ko server_names_bad_unchanged "a certificate was added"
ctl server-cert names --name vpn2.example.com --name 192.0.2.9 >"$tmp/names2" 2>&1
ctl server-cert show --pem >"$tmp/srv2.pem"
openssl x509 -in "$tmp/srv2.pem" -noout -text >"$tmp/srv2.txt" 2>/dev/null
srvser2=$(openssl x509 -in "$tmp/srv2.pem" -noout -serial | cut -d= -f2)
if [ -n "$srvser2" ] && [ "$srvser2" != "$srvser" ] && has "$tmp/srv2.txt" "DNS:vpn2.example.com" &&
    has "$tmp/srv2.txt" "IP Address:192.0.2.9" && ! has "$tmp/srv2.txt" "DNS:vpn.example.com" &&
    has "$tmp/srv2.txt" "URI:$crlurl" &&
    openssl verify -CAfile "$tmp/ca.pem" -purpose sslserver "$tmp/srv2.pem" >/dev/null 2>&1; then
	ok server_names_new_cert
else
	ko server_names_new_cert "$(cat "$tmp/names2")"
fi
ctl server-cert list --json >"$tmp/srvlist.json"
if [ "$(jq length "$tmp/srvlist.json")" = $((nsrv0 + 1)) ] &&
    [ "$(jq -r --arg s "$srvser" '.[] | select(.serial == $s) | .status' "$tmp/srvlist.json")" = superseded ] &&
    [ "$(jq -r --arg s "$srvser2" '.[] | select(.serial == $s) | .status' "$tmp/srvlist.json")" = "in use" ] &&
    ctl server-cert list | grep "$srvser" | grep -q superseded; then
	ok server_names_old_kept
else
	ko server_names_old_kept "$(ctl server-cert list 2>&1 | tr '\n' ' ')"
fi
# a superseded server certificate stays off the CRL (it may come back)
ctl crl show --pem >"$tmp/crl-s.pem"
if openssl verify -crl_check -CAfile "$tmp/ca.pem" -CRLfile "$tmp/crl-s.pem" "$tmp/srv.pem" >/dev/null 2>&1; then
	ok superseded_not_on_crl
else
	ko superseded_not_on_crl "the superseded server certificate is on the CRL"
fi
expect_err server_use_unknown serial ctl server-cert use 00DEADBEEF
if ctl server-cert use "$srvser" >/dev/null && ctl server-cert show --pem >"$tmp/srv3.pem" &&
    [ "$(fp "$tmp/srv3.pem")" = "$(fp "$tmp/srv.pem")" ] &&
    [ "$(ctl server-cert list --json | jq -r --arg s "$srvser2" '.[] | select(.serial == $s) | .status')" = superseded ]; then
	ok server_use_rollback
else
	ko server_use_rollback "$(ctl server-cert list 2>&1 | tr '\n' ' ')"
fi

# --- client certificates ---
expect_err cert_unknown_user user ctl cert issue nobody --san-email nobody@example.com
ctl user add alice --password alicepw >/dev/null 2>&1
ctl user add bob --password bobpw >/dev/null 2>&1
if ctl cert issue alice --san-email alice@example.com >/dev/null && ctl cert show alice >"$tmp/alice.show" &&
    has "$tmp/alice.show" "valid"; then
	ok cert_issue
else
	ko cert_issue "$(cat "$tmp/alice.show" 2>/dev/null)"
fi
expect_err cert_duplicate user ctl cert issue alice
expect_err cert_bad_email san_email ctl cert issue bob --san-email not-an-email
expect_err cert_weak_key bits ctl cert issue bob --key-type rsa1024
ctl cert show bob >/dev/null 2>&1 && ko cert_errors_unchanged "bob got a certificate" ||
	ok cert_errors_unchanged
ctl cert show alice --pem >"$tmp/alice.pem"
openssl x509 -in "$tmp/alice.pem" -noout -text >"$tmp/alice.txt" 2>/dev/null
if openssl verify -CAfile "$tmp/ca.pem" -purpose sslclient "$tmp/alice.pem" >/dev/null 2>&1 &&
    has "$tmp/alice.txt" "TLS Web Client Authentication" && has "$tmp/alice.txt" "email:alice@example.com" &&
    has "$tmp/alice.txt" "CN = alice"; then
	ok cert_fields_verify
else
	ko cert_fields_verify "client certificate fields / verify"
fi
ctl cert list >"$tmp/list" && has "$tmp/list" alice && ok cert_list || ko cert_list "$(cat "$tmp/list")"
has "$tmp/alice.txt" "URI:$crlurl" && ok cert_crl_dp || ko cert_crl_dp "no CRL distribution point in the client certificate"

# --- exports ---
if ctl cert export alice --format p12 --legacy --password 'pw one' --out "$tmp/alice-legacy.p12" >/dev/null &&
    [ "$(stat -c %a "$tmp/alice-legacy.p12")" = 600 ] &&
    openssl pkcs12 -legacy -info -noout -passin 'pass:pw one' -in "$tmp/alice-legacy.p12" >"$tmp/p12l" 2>&1 &&
    has "$tmp/p12l" "pbeWithSHA1And3-KeyTripleDES-CBC" && has "$tmp/p12l" "MAC: sha1"; then
	ok export_p12_legacy
else
	ko export_p12_legacy "$(tr '\n' ' ' <"$tmp/p12l" 2>/dev/null)"
fi
if ctl cert export alice --format p12 --modern --password 'pw two' --out "$tmp/alice-modern.p12" >/dev/null &&
    openssl pkcs12 -info -noout -passin 'pass:pw two' -in "$tmp/alice-modern.p12" >"$tmp/p12m" 2>&1 &&
    has "$tmp/p12m" "AES-256-CBC" && has "$tmp/p12m" "MAC: sha256"; then
	ok export_p12_modern
else
	ko export_p12_modern "$(tr '\n' ' ' <"$tmp/p12m" 2>/dev/null)"
fi
# default: legacy, password generated and printed once
ctl cert export alice --format p12 --out "$tmp/alice-gen.p12" >"$tmp/gen.out"
gpw=$(sed -n 's/^password: //p' "$tmp/gen.out")
if [ ${#gpw} -eq 20 ] &&
    openssl pkcs12 -legacy -info -noout -passin "pass:$gpw" -in "$tmp/alice-gen.p12" >"$tmp/p12g" 2>&1 &&
    has "$tmp/p12g" "pbeWithSHA1And3-KeyTripleDES-CBC"; then
	ok export_p12_generated_password
else
	ko export_p12_generated_password "$(cat "$tmp/gen.out")"
fi
openssl pkcs12 -legacy -in "$tmp/alice-legacy.p12" -passin 'pass:pw one' -nokeys -clcerts 2>/dev/null |
	openssl x509 >"$tmp/p12cert.pem" 2>/dev/null
[ "$(fp "$tmp/p12cert.pem")" = "$(fp "$tmp/alice.pem")" ] && ok export_p12_same_cert || ko export_p12_same_cert "p12 holds another cert"
expect_err export_empty_password password ctl cert export alice --format p12 --password '' --out "$tmp/x.p12"
if ctl cert export alice --format pem --out "$tmp/alice-bundle.pem" >/dev/null &&
    [ "$(grep -c 'BEGIN CERTIFICATE' "$tmp/alice-bundle.pem")" -ge 2 ] &&
    openssl pkey -in "$tmp/alice-bundle.pem" -pubout 2>/dev/null | cmp -s - <(openssl x509 -in "$tmp/alice.pem" -noout -pubkey); then
	ok export_pem
else
	ko export_pem "bundle lacks cert, CA or matching key"
fi

# --- revoke, CRL ---
n1=$(openssl crl -in <(ctl crl show --pem) -noout -crlnumber 2>/dev/null | cut -d= -f2)
aserial=$(openssl x509 -in "$tmp/alice.pem" -noout -serial | cut -d= -f2)
ctl cert revoke alice --reason keyCompromise >/dev/null
ctl crl show --pem >"$tmp/crl.pem"
n2=$(openssl crl -in "$tmp/crl.pem" -noout -crlnumber 2>/dev/null | cut -d= -f2)
openssl crl -in "$tmp/crl.pem" -noout -text >"$tmp/crl.txt" 2>/dev/null
if has "$tmp/crl.txt" "Serial Number: $aserial" && has "$tmp/crl.txt" "Key Compromise" &&
    [ -n "$n1" ] && [ -n "$n2" ] && [ $((n2)) -gt $((n1)) ]; then
	ok revoke_crl
else
	ko revoke_crl "serial $aserial, numbers $n1 -> $n2"
fi
openssl verify -crl_check -CAfile "$tmp/ca.pem" -CRLfile "$tmp/crl.pem" "$tmp/alice.pem" >"$tmp/v" 2>&1
has "$tmp/v" "certificate revoked" && ok revoked_refused || ko revoked_refused "$(cat "$tmp/v")"
expect_err revoke_bad_reason reason ctl cert revoke bob --reason bogus
ctl cert show alice >"$tmp/alice.show2"
has "$tmp/alice.show2" revoked && ok show_revoked || ko show_revoked "$(cat "$tmp/alice.show2")"

# --- renew ---
ctl cert issue bob --san-dns bob.example.com >/dev/null
ctl cert show bob --pem >"$tmp/bob1.pem"
if ctl cert renew bob >/dev/null && ctl cert show bob --pem >"$tmp/bob2.pem" &&
    [ "$(fp "$tmp/bob1.pem")" != "$(fp "$tmp/bob2.pem")" ] &&
    openssl x509 -in "$tmp/bob2.pem" -noout -ext subjectAltName 2>/dev/null | grep -q "DNS:bob.example.com"; then
	ctl crl show --pem >"$tmp/crl2.pem"
	b1=$(openssl x509 -in "$tmp/bob1.pem" -noout -serial | cut -d= -f2)
	if openssl crl -in "$tmp/crl2.pem" -noout -text | grep -q "Serial Number: $b1" &&
	    openssl verify -crl_check -CAfile "$tmp/ca.pem" -CRLfile "$tmp/crl2.pem" "$tmp/bob2.pem" >/dev/null 2>&1; then
		ok renew
	else
		ko renew "old not revoked or new not valid"
	fi
else
	ko renew "renew failed"
fi

# --- imports with bad input (openssl-made files): field named, store unchanged ---
mk=$tmp/mk
mkdir -p "$mk"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$mk/ca.key" -out "$mk/ca.pem" -days 30 \
	-subj "/CN=Other CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$mk/srv.key" -out "$mk/srv.pem" \
	-days 30 -subj "/CN=other.example.com" -addext basicConstraints=CA:FALSE \
	-addext subjectAltName=DNS:other.example.com -addext extendedKeyUsage=serverAuth 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$mk/srv.key" -passout pass:right -out "$mk/srv-enc.key" 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$mk/ca.key" -passout pass:right -out "$mk/ca-enc.key" 2>/dev/null
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$mk/weak.key" -out "$mk/weak.pem" -days 30 \
	-subj "/CN=weak.example.com" -addext basicConstraints=CA:FALSE 2>/dev/null
ctl ca show --pem >"$tmp/ca.b4"
ctl server-cert list --json >"$tmp/srvlist.b4"
expect_err ca_import_wrong_password password ctl ca import --cert "$mk/ca.pem" --key "$mk/ca-enc.key" --key-password wrong
expect_err ca_import_no_password password ctl ca import --cert "$mk/ca.pem" --key "$mk/ca-enc.key"
expect_err ca_import_key_mismatch key ctl ca import --cert "$mk/ca.pem" --key "$mk/srv.key"
expect_err ca_import_not_ca cert ctl ca import --cert "$mk/srv.pem" --key "$mk/srv.key"
expect_err server_import_wrong_password password ctl server-cert import --cert "$mk/srv.pem" --key "$mk/srv-enc.key" --key-password wrong
expect_err server_import_key_mismatch key ctl server-cert import --cert "$mk/srv.pem" --key "$mk/ca.key"
expect_err server_import_weak_key key ctl server-cert import --cert "$mk/weak.pem" --key "$mk/weak.key"
ctl ca show --pem >"$tmp/ca.af"
ctl server-cert list --json >"$tmp/srvlist.af"
if cmp -s "$tmp/ca.b4" "$tmp/ca.af" && cmp -s "$tmp/srvlist.b4" "$tmp/srvlist.af"; then
	ok import_errors_store_unchanged
else
	ko import_errors_store_unchanged "CA or server certificates changed"
fi

# --- import the testbed's PKI (strongSwan pki) ---
tb=${TB_HOME:-$top/../shared/testbed}
if command -v pki >/dev/null && [ -x "$tb/mkpki" ]; then
	export TB_STATE=$tmp/tb TB_PKI=$tmp/tb/pki
	if "$tb/mkpki" >/dev/null 2>&1; then
		pkid=$TB_PKI
		expect_err import_ca_mismatch key ctl ca import --cert "$pkid/ca.pem" --key "$pkid/server.key"
		expect_err import_ca_not_ca cert ctl ca import --cert "$pkid/server.pem" --key "$pkid/server.key"
		openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$pkid/ca.key" -passout pass:right -out "$tmp/ca-enc.key" 2>/dev/null
		expect_err import_ca_wrong_password password ctl ca import --cert "$pkid/ca.pem" --key "$tmp/ca-enc.key" --key-password wrong
		if ctl ca import --cert "$pkid/ca.pem" --key "$tmp/ca-enc.key" --key-password right >/dev/null &&
		    ctl ca show --pem >"$tmp/tbca.pem" && [ "$(fp "$tmp/tbca.pem")" = "$(fp "$pkid/ca.pem")" ]; then
			ok import_ca
		else
			ko import_ca "imported CA not shown"
		fi
		expect_err import_server_mismatch key ctl server-cert import --cert "$pkid/server.pem" --key "$pkid/client1.key"
		if ctl server-cert import --cert "$pkid/server.pem" --key "$pkid/server.key" >/dev/null &&
		    ctl server-cert show --pem >"$tmp/tbsrv.pem" && [ "$(fp "$tmp/tbsrv.pem")" = "$(fp "$pkid/server.pem")" ]; then
			ok import_server
		else
			ko import_server "imported server certificate not shown"
		fi
		# a client certificate from the imported CA verifies against it
		ctl user add carol --password carolpw >/dev/null 2>&1
		if ctl cert issue carol --san-email carol@testbed.test >/dev/null && ctl cert show carol --pem >"$tmp/carol.pem" &&
		    openssl verify -CAfile "$pkid/ca.pem" "$tmp/carol.pem" >/dev/null 2>&1; then
			ok issue_from_imported_ca
		else
			ko issue_from_imported_ca "client cert does not chain to the testbed CA"
		fi
	else
		ko testbed_pki "mkpki failed"
	fi
else
	echo "SKIP cert_cli.testbed_pki: needs strongSwan's pki and $tb/mkpki"
fi

# --- restart keeps the PKI ---
ctl ca show --pem >"$tmp/before.pem"
stop
if start && ctl ca show --pem >"$tmp/after.pem" && cmp -s "$tmp/before.pem" "$tmp/after.pem" &&
    ctl cert show alice >/dev/null 2>&1; then
	ok restart_keeps_pki
else
	ko restart_keeps_pki "CA or certificates lost on restart"
fi
if grep -q -E 'BEGIN (ENCRYPTED |EC |RSA )?PRIVATE KEY' "$state"/roadgate.db* 2>/dev/null; then
	ko keys_encrypted_at_rest "a plain PEM key is in the database"
else
	ok keys_encrypted_at_rest
fi

# the daemon (ASan/UBSan build) stops cleanly: no leak, no runtime error
stop
daemon_sanitizers cert_cli.sanitizers_clean

[ $fails -eq 0 ]
