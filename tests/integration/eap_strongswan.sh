#!/usr/bin/env bash
# eap_strongswan.sh: the EAP refusals of roadgated (configured with
# roadgatectl by tests/tools/ikev2_bed.sh) against a real strongSwan client
# in the test bed's namespaces (../shared/testbed, own namespace names and
# state dir): a wrong password and an unknown user (EAP-MSCHAPv2), a
# revoked client certificate (EAP-TLS: client2's certificate issued by
# roadgated with `cert issue` and revoked with `cert revoke`).  Each must
# be refused, the client must see why (MS-CHAPv2 E=691 / TLS alert
# "certificate revoked"), and roadgated must log why.  The successful EAP
# profiles are run by ikev2_interop.sh and interop_serve.sh.  roadgated's
# log must hold no sanitizer report.
# Needs root; skips (a SKIP line, exit 0) without the bed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}

if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP eap_strongswan: needs root and $bed"
	exit 0
fi
suite=eap_strongswan
export TB_STATE=/tmp/rg-eapsw-$$ TB_NS_SRV=rgeap-srv TB_NS_CLI=rgeap-cli \
    TB_NS_LAN=rgeap-lan
. "$top/tests/tools/ikev2_bed.sh"
trap '( bed_cleanup ); rc=$?; rm -rf "$TB_STATE"; exit $rc' EXIT

src=$bed/profiles/client
sed -e 's/ikev2-eap-mschapv2/ikev2-eap-badpass/g' -e 's/"alice-pass"/"wrong-pass"/' \
    "$src/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-badpass.conf"
sed -e 's/ikev2-eap-mschapv2/ikev2-eap-unknown/g' -e 's/alice/bob/g' \
    "$src/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-unknown.conf"
sed -e 's/ikev2-eap-tls/ikev2-eap-revoked/g' \
    "$src/ikev2-eap-tls.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-revoked.conf"

bed_up
start_server
# client2's certificate issued by roadgated (the bed's CA, imported with
# its key) replaces the bed's in this private PKI, then is revoked there.
c2=client2@testbed.test
if ! { ctl cert issue $c2 --san-email $c2 >/dev/null &&
    ctl cert export $c2 --format pem --out "$ikdir/c2.pem" >/dev/null &&
    openssl x509 -in "$ikdir/c2.pem" -out "$TB_PKI/client2.pem" &&
    openssl pkey -in "$ikdir/c2.pem" -out "$TB_PKI/client2.key" &&
    ctl cert revoke $c2 --reason keyCompromise >/dev/null; }; then
	echo "FAIL eap_strongswan: cert issue/export/revoke of $c2"
	exit 1
fi
"$bed/sw-client" start >/dev/null ||
    { echo "FAIL eap_strongswan: client did not start"; exit 1; }
clilog=$TB_STATE/client/charon.log

# check PROFILE CLIENT-SAYS SERVER-SAYS
check() {
	local p=$1 cli=$2 srv=$3 st
	"$bed/sw-client" up "$p" >/dev/null 2>&1
	st=$?
	if [ $st = 0 ]; then
		echo "FAIL eap_strongswan.$p: not refused"
		fail=1
		"$bed/sw-client" down "$p" >/dev/null 2>&1
	elif ! grep -qF "$cli" "$clilog" 2>/dev/null; then
		echo "FAIL eap_strongswan.$p: client log lacks '$cli'"
		fail=1
	elif ! grep -qF "$srv" "$srvlog" 2>/dev/null; then
		echo "FAIL eap_strongswan.$p: server log lacks '$srv'"
		fail=1
		tail -20 "$srvlog"
	else
		echo "PASS eap_strongswan.$p"
	fi
}
check ikev2-eap-badpass "EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE" \
    "user alice: wrong password (EAP-MSCHAPv2)"
check ikev2-eap-unknown "EAP-MS-CHAPv2 failed with error ERROR_AUTHENTICATION_FAILURE" \
    "unknown user bob (EAP-MSCHAPv2)"
check ikev2-eap-revoked "received fatal TLS alert 'certificate revoked'" \
    "CN=client2@testbed.test: certificate revoked (EAP-TLS)"
exit $fail
