#!/usr/bin/env bash
# ikev2_authfail.sh: refused clients against roadgated (configured with
# roadgatectl by tests/tools/ikev2_bed.sh), each with a log line naming
# identity, method and reason:
#   wrong-psk        PSK client with another secret -> AUTHENTICATION_FAILED
#   wrong-eap-pass   EAP-MSCHAPv2 alice with a wrong password
#   revoked-cert     client1's certificate, issued by roadgated
#                    (`cert issue`) and revoked by it (`cert revoke`)
#   no-proposal      a client offering only what we refuse (modern preset
#                    vs MODP1024/3DES) -> NO_PROPOSAL_CHOSEN, both sides logged
# Own state dir (the revoked certificate replaces client1's in its PKI).
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
export TB_STATE=/tmp/rg-authfail-$$
. "$top/tests/tools/ikev2_bed.sh"
trap '( bed_cleanup ); rc=$?; rm -rf "$TB_STATE"; exit $rc' EXIT

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

# client1's certificate issued by roadgated itself (the bed's CA, imported
# with its key), then revoked there: its CRL refuses it.
start_server
c1=client1@testbed.test
st=
ok=1
if ctl cert issue $c1 --san-email $c1 >/dev/null &&
    ctl cert export $c1 --format pem --out "$ikdir/c1.pem" >/dev/null &&
    openssl x509 -in "$ikdir/c1.pem" -out "$TB_PKI/client1.pem" &&
    openssl pkey -in "$ikdir/c1.pem" -out "$TB_PKI/client1.key" &&
    ctl cert revoke $c1 --reason keyCompromise >/dev/null; then
	"$bed/sw-client" stop >/dev/null 2>&1
	"$bed/sw-client" start >/dev/null	# loads the new client1
	"$bed/sw-client" up revoked >/dev/null 2>&1
	st=$?
	[ $st != 0 ] &&
	    wait_log "authentication of '$c1' (pubkey) failed: certificate .*$c1 not trusted: certificate revoked" 3 && ok=0
fi
result revoked-cert $ok "client up=${st:-not run} or no log line"

start_server proposals=modern
"$bed/sw-client" up old-algs >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "NO_PROPOSAL_CHOSEN" 3 &&
    grep -q "received 3DES/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" "$srvlog" &&
    grep -q "configured (modern)" "$srvlog" && ok=0
result no-proposal $ok "client up=$st or no log lines"
exit $fail
