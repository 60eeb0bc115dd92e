#!/usr/bin/env bash
# ikev2_authfail.sh: refused clients against the test responder, each
# with a log line naming identity, method and reason:
#   wrong-psk        PSK client with another secret -> AUTHENTICATION_FAILED
#   wrong-eap-pass   EAP-MSCHAPv2 alice with a wrong password
#   revoked-cert     client1's certificate revoked by a CRL on our side
#   no-proposal      a client offering only what we refuse (modern preset
#                    vs MODP1024/3DES) -> NO_PROPOSAL_CHOSEN, both sides logged
# Needs root and ../shared/testbed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_authfail: needs root and $bed"
	exit 0
fi
suite=ikev2_authfail
. "$top/tests/tools/ikev2_bed.sh"

p=$TB_CLIENT_PROFILES
sed -e 's/ikev2-psk/wrong-psk/g' -e 's/testbed-psk-0123456789/not-the-psk-0123456789/' \
    "$bed/profiles/client/ikev2-psk.conf" >"$p/wrong-psk.conf"
sed -e 's/ikev2-eap-mschapv2/wrong-eap/g' -e 's/"alice-pass"/"not-alice-pass"/' \
    "$bed/profiles/client/ikev2-eap-mschapv2.conf" >"$p/wrong-eap.conf"
sed -e 's/ikev2-cert/revoked/g' "$bed/profiles/client/ikev2-cert.conf" >"$p/revoked.conf"
sed -e 's/ikev2-psk/old-algs/g' -e 's/proposals = default/proposals = 3des-sha1-modp1024/' \
    "$bed/profiles/client/ikev2-psk.conf" >"$p/old-algs.conf"

bed_up
"$bed/sw-client" start >/dev/null

start_server
"$bed/sw-client" up wrong-psk >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "authentication of 'psk-client@testbed.test' (psk) failed: AUTH does not match" 3 && ok=0
result wrong-psk $ok "client up=$st or no log line"

"$bed/sw-client" up wrong-eap >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "authentication of 'alice' (EAP-MSCHAPv2) failed" 3 && ok=0
result wrong-eap-pass $ok "client up=$st or no log line"

# A copy of the bed's PKI with a CRL revoking client1.
SRV_PKI=$ikdir/pki
mkdir -p "$SRV_PKI"
cp "$TB_PKI"/ca.pem "$TB_PKI"/server.pem "$TB_PKI"/server.key "$SRV_PKI"/
pki --signcrl --cacert "$TB_PKI/ca.pem" --cakey "$TB_PKI/ca.key" \
    --cert "$TB_PKI/client1.pem" --reason key-compromise --outform pem \
    >"$SRV_PKI/crl.pem" 2>/dev/null
export SRV_PKI
start_server
"$bed/sw-client" up revoked >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && [ -s "$SRV_PKI/crl.pem" ] &&
    wait_log "authentication of 'client1@testbed.test' (pubkey) failed: certificate .*client1@testbed.test not trusted: certificate revoked" 3 && ok=0
result revoked-cert $ok "client up=$st or no log line"
unset SRV_PKI

start_server --proposals modern
"$bed/sw-client" up old-algs >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "NO_PROPOSAL_CHOSEN" 3 &&
    grep -q "received 3DES/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" "$srvlog" &&
    grep -q "configured (modern)" "$srvlog" && ok=0
result no-proposal $ok "client up=$st or no log lines"
exit $fail
