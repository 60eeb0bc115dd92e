#!/usr/bin/env bash
# eap_eapol.sh: our EAP server (server/auth/eap*.c) against wpa_supplicant's
# EAP peers (eapol_test, package eapoltest) over a test-only RADIUS front
# (tests/tools/eap-radius-shim) on loopback.  Proves EAP-MSCHAPv2 and
# EAP-TLS with an independent implementation: success with equal MSKs
# ("MPPE keys OK": eapol_test compares its MSK with the MS-MPPE keys we
# derive), wrong password, unknown and disabled users, Nak to TLS, a
# certificate of another CA and a revoked certificate (CRL).  The shim
# (an ASan/UBSan build) must stop with no sanitizer report.
# Needs no root.  Prints PASS/FAIL lines; exits non-zero on a failure.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
. "$top/tests/integration/sanitizer_lib.bash"
shim=$build/tests/tools/eap-radius-shim
fails=0
pass() { echo "PASS eap_eapol.$1"; }
fail() { echo "FAIL eap_eapol.$1: $2"; fails=$((fails + 1)); }

if ! command -v eapol_test >/dev/null; then
	fail setup "eapol_test not installed (apt-get install eapoltest)"
	exit 1
fi
if [ ! -x "$shim" ]; then
	fail setup "$shim not built (make check)"
	exit 1
fi
tmp=$(mktemp -d /tmp/rg-eapol.XXXXXX)
shim_pid=
cleanup() {
	[ -n "$shim_pid" ] && kill "$shim_pid" 2>/dev/null && wait "$shim_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- a throw-away PKI (EC P-256), a CRL revoking one client ---------------
(
	set -e
	cd "$tmp"
	ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
	ec ca.key
	openssl req -x509 -new -key ca.key -subj "/O=rg test/CN=rg test CA" -days 2 \
	    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
	    -out ca.pem
	ec other.key
	openssl req -x509 -new -key other.key -subj "/CN=other CA" -days 2 \
	    -addext basicConstraints=critical,CA:TRUE -out other.pem
	leaf() {	# name subject san eku issuer serial
		ec "$1.key"
		openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
		printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$3" "$4" >"$1.ext"
		openssl x509 -req -in "$1.csr" -CA "$5.pem" -CAkey "$5.key" -set_serial "$6" \
		    -days 1 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	}
	leaf server "/CN=vpn.test" DNS:vpn.test serverAuth ca 2
	leaf client "/CN=client2" email:client2@testbed.test clientAuth ca 3
	leaf revoked "/CN=client3" email:client3@testbed.test clientAuth ca 4
	leaf rogue "/CN=mallory" email:mallory@evil.test clientAuth other 5
	touch index.txt
	echo 01 >crlnumber
	cat >ca.cnf <<-EOF
	[ca]
	default_ca = d
	[d]
	database = index.txt
	crlnumber = crlnumber
	certificate = ca.pem
	private_key = ca.key
	default_md = sha256
	default_crl_days = 1
	EOF
	openssl ca -config ca.cnf -revoke revoked.pem 2>/dev/null
	openssl ca -config ca.cnf -gencrl -out crl.pem 2>/dev/null
) >"$tmp/pki.log" 2>&1 || { fail setup "PKI: $(tail -3 "$tmp/pki.log")"; exit 1; }

port=$((20000 + RANDOM % 20000))
secret=shim-secret
"$shim" -p $port -s $secret -m any -t 120 \
    -u alice:alice-pass -u dave:dave-pass:disabled \
    -u client2@testbed.test:unused-pass \
    -C "$tmp/ca.pem" -c "$tmp/server.pem" -k "$tmp/server.key" -r "$tmp/crl.pem" \
    >"$tmp/shim.out" 2>"$tmp/shim.err" &
shim_pid=$!
for _ in $(seq 50); do grep -q READY "$tmp/shim.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$tmp/shim.out" || { fail setup "shim did not start: $(cat "$tmp/shim.err")"; exit 1; }

net() {	# name, then network lines
	local n=$1
	shift
	{ printf 'network={\n\tkey_mgmt=IEEE8021X\n\teapol_flags=0\n'; printf '\t%s\n' "$@"; printf '}\n'; } >"$tmp/$n.conf"
}
net mschapv2 'eap=MSCHAPV2' 'identity="alice"' 'password="alice-pass"'
net badpass 'eap=MSCHAPV2' 'identity="alice"' 'password="wrong-pass"'
net unknown 'eap=MSCHAPV2' 'identity="bob"' 'password="bob-pass"'
net disabled 'eap=MSCHAPV2' 'identity="dave"' 'password="dave-pass"'
net tls 'eap=TLS' 'identity="client2@testbed.test"' "ca_cert=\"$tmp/ca.pem\"" \
    "client_cert=\"$tmp/client.pem\"" "private_key=\"$tmp/client.key\""
net rogue 'eap=TLS' 'identity="mallory"' "ca_cert=\"$tmp/ca.pem\"" \
    "client_cert=\"$tmp/rogue.pem\"" "private_key=\"$tmp/rogue.key\""
net revoked 'eap=TLS' 'identity="client3"' "ca_cert=\"$tmp/ca.pem\"" \
    "client_cert=\"$tmp/revoked.pem\"" "private_key=\"$tmp/revoked.key\""

# run NAME EXPECT(SUCCESS|FAILURE) SHIM-LINE-SUBSTRING
run() {
	local n=$1 want=$2 line=$3 out last before
	before=$(grep -c RESULT "$tmp/shim.out")
	out=$(timeout 30 eapol_test -c "$tmp/$n.conf" -a 127.0.0.1 -p $port -s $secret -t 10 -r 0 2>&1)
	last=$(printf '%s\n' "$out" | tail -1)
	for _ in $(seq 20); do [ "$(grep -c RESULT "$tmp/shim.out")" -gt "$before" ] && break; sleep 0.1; done
	got=$(grep RESULT "$tmp/shim.out" | tail -1)
	if [ "$last" != "$want" ]; then
		fail "$n" "eapol_test said '$last', want $want; server: $got"
		printf '%s\n' "$out" >"$tmp/$n.eapol.log"
		return
	fi
	if [ "$want" = SUCCESS ] && ! printf '%s\n' "$out" | grep -q 'MPPE keys OK: 1  mismatch: 0'; then
		fail "$n" "MSK differs: $(printf '%s\n' "$out" | grep -i 'mppe' | head -2)"
		return
	fi
	case $got in
	*"$line"*) pass "$n" ;;
	*) fail "$n" "server said '$got', want '$line'" ;;
	esac
}

run mschapv2 SUCCESS "RESULT accept user=alice method=EAP-MSCHAPv2"
run badpass FAILURE "error=user alice: wrong password (EAP-MSCHAPv2)"
run unknown FAILURE "error=unknown user bob (EAP-MSCHAPv2)"
run disabled FAILURE "error=user dave: account disabled (EAP-MSCHAPv2)"
run tls SUCCESS "RESULT accept user=client2@testbed.test method=EAP-TLS"
run rogue FAILURE "unable to get local issuer certificate (EAP-TLS)"
run revoked FAILURE "certificate revoked (EAP-TLS)"

# SIGTERM: the shim frees everything and exits; then its report, if any
kill "$shim_pid" 2>/dev/null
wait "$shim_pid" 2>/dev/null
shim_pid=
sanitizer_check eap_eapol.sanitizers eap-radius-shim "$tmp/shim.err" || fails=$((fails + 1))
[ $fails -eq 0 ] || { echo "shim log:"; tail -20 "$tmp/shim.err"; }
exit $((fails > 0))
