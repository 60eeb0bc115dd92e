#!/usr/bin/env bash
# ikev2_nat.sh: a real NAT between the strongSwan client and us: nftables
# masquerade with port randomisation on the client's way out (vpn-cli), so
# roadgated (configured with roadgatectl by tests/tools/ikev2_bed.sh) sees
# 192.0.2.2 from a random port, detects the NAT from
# NAT_DETECTION_SOURCE_IP (RFC 7296 2.23), floats to UDP 4500 and carries
# ESP in UDP through the mapping; ping through the tunnel proves it.
# Needs root, nft and ../shared/testbed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ] || ! command -v nft >/dev/null; then
	echo "SKIP ikev2_nat: needs root, nft and $bed"
	exit 0
fi
suite=ikev2_nat
. "$top/tests/tools/ikev2_bed.sh"

cp "$bed/profiles/client/ikev2-psk.conf" "$TB_CLIENT_PROFILES/"
bed_up
ip netns exec "$TB_NS_CLI" nft -f - <<'NFT' || { echo "FAIL $suite: nft"; exit 1; }
table ip rgnat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "cli0" udp sport { 500, 4500 } masquerade to :40000-49999 random
	}
}
NFT
start_server
"$bed/sw-client" start >/dev/null
"$bed/sw-client" up ikev2-psk >/dev/null 2>&1
st=$?
ok=1
if [ $st = 0 ] && grep -q "peer behind NAT" "$srvlog" &&
    grep -Eq "192\.0\.2\.2:4[0-9]{4} .*IKE SA established" "$srvlog" &&
    ping_ok ikev2-psk 3 3; then
	ok=0
fi
result masquerade $ok "up=$st; NAT not detected, no float or no traffic"
exit $fail
