#!/usr/bin/env bash
# eap_strongswan.sh: the EAP refusals against a real strongSwan client in
# the test bed's namespaces (../shared/testbed, own namespace names and
# state dir), through tests/tools/ike-test-responder: a wrong password and
# an unknown user (EAP-MSCHAPv2), a revoked client certificate (EAP-TLS,
# CRL in the PKI).  Each must be refused, the client must see why (MS-CHAPv2
# E=691 / TLS alert "certificate revoked"), and the server must log why.
# The successful EAP profiles are run by ikev2_interop.sh.  The
# responder's log must hold no sanitizer report.
# Needs root; skips (a SKIP line, exit 0) without the bed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
resp=$build/tests/tools/ike-test-responder

if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP eap_strongswan: needs root and $bed"
	exit 0
fi
if [ ! -x "$resp" ]; then
	echo "FAIL eap_strongswan: $resp not built"
	exit 1
fi
command -v pki >/dev/null || { echo "FAIL eap_strongswan: pki (strongswan-pki) missing"; exit 1; }
. "$top/tests/integration/sanitizer_lib.bash"

work=$(mktemp -d /tmp/rg-eapsw.XXXXXX)
trap 'rm -rf "$work"' EXIT
export TB_STATE=$work/state TB_NS_SRV=rgeap-srv TB_NS_CLI=rgeap-cli \
    TB_NS_LAN=rgeap-lan TB_CLIENT_PROFILES=$work/profiles
mkdir -p "$TB_CLIENT_PROFILES"
src=$bed/profiles/client
sed -e 's/ikev2-eap-mschapv2/ikev2-eap-badpass/g' -e 's/"alice-pass"/"wrong-pass"/' \
    "$src/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-badpass.conf"
sed -e 's/ikev2-eap-mschapv2/ikev2-eap-unknown/g' -e 's/alice/bob/g' \
    "$src/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-unknown.conf"
sed -e 's/ikev2-eap-tls/ikev2-eap-revoked/g' \
    "$src/ikev2-eap-tls.conf" >"$TB_CLIENT_PROFILES/ikev2-eap-revoked.conf"

# The bed's PKI, then a CRL revoking the EAP-TLS client (client2).
"$bed/mkpki" >"$work/mkpki.log" 2>&1 &&
	pki --signcrl --cacert "$TB_STATE/pki/ca.pem" --cakey "$TB_STATE/pki/ca.key" \
	    --cert "$TB_STATE/pki/client2.pem" --outform pem >"$TB_STATE/pki/crl.pem" \
	    2>>"$work/mkpki.log" ||
	{ echo "FAIL eap_strongswan: PKI/CRL: $(tail -3 "$work/mkpki.log")"; exit 1; }

out=$work/interop.out
timeout 300 "$bed/run-interop.sh" --no-ping -p ikev2-eap-badpass \
    -p ikev2-eap-unknown -p ikev2-eap-revoked -- "$resp" >"$out" 2>&1
rc=$?
srvlog=$TB_STATE/server-under-test.log
clilog=$TB_STATE/client/charon.log
fail=0
# check PROFILE CLIENT-SAYS SERVER-SAYS
check() {
	local p=$1 cli=$2 srv=$3 line
	line=$(grep "^RESULT $p " "$out")
	case $line in
	"RESULT $p FAIL"*) ;;
	*) echo "FAIL eap_strongswan.$p: not refused: ${line:-no result (rc $rc)}"; fail=1; return ;;
	esac
	if ! grep -qF "$cli" "$clilog" 2>/dev/null; then
		echo "FAIL eap_strongswan.$p: client log lacks '$cli'"
		fail=1
	elif ! grep -qF "$srv" "$srvlog" 2>/dev/null; then
		echo "FAIL eap_strongswan.$p: server log lacks '$srv'"
		fail=1
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
sanitizer_check eap_strongswan.sanitizers ike-test-responder "$srvlog" || fail=1
if [ $fail -ne 0 ]; then
	cat "$out"
	tail -20 "$srvlog" 2>/dev/null
fi
exit $fail
