#!/usr/bin/env bash
# cert_strongswan.sh: a real strongSwan client uses what roadgated's CA made.
#
# roadgated makes the whole PKI (ca create, server-cert issue for 192.0.2.1,
# client certificates for client1@/client2@testbed.test); the client's
# certificate and key come out of the legacy PKCS#12 export (opened with
# `openssl pkcs12 -legacy`) and the PEM export; the bed's strongSwan client
# (../shared/testbed, in private network namespaces) then connects with
# certificate auth (ikev2-cert) and EAP-TLS (ikev2-eap-tls).  After
# `roadgatectl cert revoke` the same client is refused.  Control plane only
# (--no-ping): the data plane has its own tests.  Needs root, network
# namespaces and strongSwan (swanctl, charon-systemd, pki).
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
tb=${TB_HOME:-$top/../shared/testbed}
daemon=$build/roadgated
ctlbin=$build/roadgatectl
for b in "$daemon" "$ctlbin"; do
	[ -x "$b" ] || { echo "FAIL cert_strongswan: $b not built"; exit 1; }
done
if [ "$(id -u)" != 0 ] || ! command -v swanctl >/dev/null || [ ! -x "$tb/run-interop.sh" ]; then
	echo "SKIP cert_strongswan: needs root, strongSwan and $tb"
	exit 0
fi
daemon=$(cd "$(dirname "$daemon")" && pwd)/roadgated
ctlbin=$(cd "$(dirname "$ctlbin")" && pwd)/roadgatectl
tmp=$(mktemp -d /tmp/cert_sw.XXXXXX)
state=$tmp/state
pid=
# private namespaces and state, so other tests using the bed do not collide
sfx=$$
export TB_STATE=$tmp/tb TB_PKI=$tmp/pki TB_NS_CLI=rgc-cli$sfx TB_NS_SRV=rgc-srv$sfx \
	TB_NS_LAN=rgc-lan$sfx
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
ok() { echo "PASS cert_strongswan.$1"; }
ko() { echo "FAIL cert_strongswan.$1: $2"; fails=$((fails + 1)); }
ctl() { "$ctlbin" --socket "$state/api.sock" "$@"; }

# roadgated outside the namespaces on high ports, only to configure the store
. "$(dirname "$0")/cert_lib.bash"	# start, stop
# interop NAME PROFILE...: the bed's harness with roadgated (this state)
# in the server namespace; prints its RESULT lines into $tmp/interop.out;
# then roadgated's log (the harness stopped it) must hold no sanitizer
# report (FAIL cert_strongswan.NAME.sanitizers).
interop() {
	local args=() p name=$1
	shift
	for p in "$@"; do args+=(-p "$p"); done
	timeout 240 "$tb/run-interop.sh" "${args[@]}" --no-ping -- \
		"$daemon" --state-dir "$state" --foreground >"$tmp/interop.out" 2>&1
	sanitizer_check "cert_strongswan.$name.sanitizers" roadgated \
	    "$TB_STATE/server-under-test.log" || fails=$((fails + 1))
}
result() { grep "^RESULT $1 " "$tmp/interop.out" | tail -1; }

mkdir -p "$state" "$TB_PKI"
start || { echo "FAIL cert_strongswan.start: roadgated did not start"; exit 1; }
set -e
ctl ca create --cn "roadgate interop CA" >/dev/null
ctl server-cert issue --name 192.0.2.1 --name vpn.testbed.test >/dev/null
ctl pool add testbed --range 198.18.0.0/16 >/dev/null
ctl profile add default --pool testbed --dns 198.51.100.53 --split 198.51.100.0/24 >/dev/null
ctl policy add lan --network 198.51.100.0/24 >/dev/null
ctl settings set default_profile default >/dev/null
ctl settings set default_policy lan >/dev/null
for u in client1 client2; do
	ctl user add "$u@testbed.test" --password "$u-unused-pw" >/dev/null
	ctl cert issue "$u@testbed.test" --san-email "$u@testbed.test" >/dev/null
done
ctl ca show --pem >"$TB_PKI/ca.pem"
# (server.pem too, so that the bed's mkpki sees a complete PKI and keeps it)
ctl server-cert show --pem >"$TB_PKI/server.pem"
ctl cert export client1@testbed.test --format p12 --legacy --password p12-pw --out "$tmp/client1.p12" >/dev/null
ctl cert export client2@testbed.test --format pem --out "$tmp/client2.bundle" >/dev/null
set +e
stop
# the client's files come out of our exports
openssl pkcs12 -legacy -in "$tmp/client1.p12" -passin pass:p12-pw -nokeys -clcerts 2>/dev/null |
	openssl x509 -out "$TB_PKI/client1.pem" 2>/dev/null
openssl pkcs12 -legacy -in "$tmp/client1.p12" -passin pass:p12-pw -nocerts -nodes 2>/dev/null |
	openssl pkey -out "$TB_PKI/client1.key" 2>/dev/null
openssl x509 -in "$tmp/client2.bundle" -out "$TB_PKI/client2.pem" 2>/dev/null
openssl pkey -in "$tmp/client2.bundle" -out "$TB_PKI/client2.key" 2>/dev/null
if [ -s "$TB_PKI/client1.key" ] && [ -s "$TB_PKI/client2.key" ]; then
	ok client_files_from_exports
else
	ko client_files_from_exports "cannot extract the client certificates/keys"
fi

interop connect ikev2-cert ikev2-eap-tls
r=$(result ikev2-cert)
[[ $r == "RESULT ikev2-cert PASS"* ]] && ok cert_auth_connects || ko cert_auth_connects "${r:-no result: $(tail -5 "$tmp/interop.out" | tr '\n' ' ')}"
r=$(result ikev2-eap-tls)
[[ $r == "RESULT ikev2-eap-tls PASS"* ]] && ok eap_tls_connects || ko eap_tls_connects "${r:-no result}"

# revoke both; the same clients are refused
start || { echo "FAIL cert_strongswan.restart"; exit 1; }
ctl cert revoke client1@testbed.test --reason keyCompromise >/dev/null &&
	ctl cert revoke client2@testbed.test --reason cessationOfOperation >/dev/null ||
	ko revoke "roadgatectl cert revoke failed"
stop
interop revoked ikev2-cert ikev2-eap-tls
# refused, and for the right reason (roadgated's log says why)
slog=$TB_STATE/server-under-test.log
r=$(result ikev2-cert)
if [[ $r == "RESULT ikev2-cert FAIL"* ]] && grep -q "client1@testbed.test.*certificate revoked" "$slog"; then
	ok revoked_cert_refused
else
	ko revoked_cert_refused "${r:-no result}"
fi
r=$(result ikev2-eap-tls)
if [[ $r == "RESULT ikev2-eap-tls FAIL"* ]] && grep -q "client2@testbed.test.*certificate revoked" "$slog"; then
	ok revoked_eap_tls_refused
else
	ko revoked_eap_tls_refused "${r:-no result}"
fi

# the daemon that configured the store (started twice, ASan/UBSan build)
sanitizer_check cert_strongswan.config_daemon.sanitizers roadgated "$tmp/daemon.log" ||
	fails=$((fails + 1))
[ $fails -eq 0 ]
