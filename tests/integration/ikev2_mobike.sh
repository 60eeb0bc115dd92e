#!/usr/bin/env bash
# ikev2_mobike.sh: MOBIKE (RFC 4555) between roadgated (configured with
# roadgatectl by tests/tools/ikev2_bed.sh) and the real strongSwan client
# (mobike = yes by default): once the tunnel is up, the client's outside
# address moves (192.0.2.3 added on cli0, 192.0.2.2 removed); charon sends
# INFORMATIONAL {N(UPDATE_SA_ADDRESSES), N(NAT_DETECTION_*), N(COOKIE2)}
# from the new address, we move the IKE SA and the CHILD SAs there, and a
# ping through the tunnel still passes.  Own namespaces and state dir, so
# it never collides with another bed run.  Needs root and ../shared/testbed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_mobike: needs root and $bed"
	exit 0
fi
suite=ikev2_mobike
export TB_NS_CLI=rgmob$$-cli TB_NS_SRV=rgmob$$-srv TB_NS_LAN=rgmob$$-lan
export TB_STATE=/tmp/rg-mobike-$$
. "$top/tests/tools/ikev2_bed.sh"
trap '( bed_cleanup ); rc=$?; rm -rf "$TB_STATE"; exit $rc' EXIT

cp "$bed/profiles/client/ikev2-psk.conf" "$TB_CLIENT_PROFILES/"
bed_up
start_server
"$bed/sw-client" start >/dev/null
"$bed/sw-client" up ikev2-psk >/dev/null 2>&1
st=$?
ok=1
[ $st = 0 ] && ping_ok ikev2-psk 3 3 && ok=0
result up $ok "up=$st or no traffic before the move"
[ $ok = 0 ] || exit 1

# Move: the new address first (charon needs one to roam to), then the old
# one goes (promote_secondaries, or the kernel drops 192.0.2.3 with it).
ip netns exec "$TB_NS_CLI" sysctl -qw net.ipv4.conf.cli0.promote_secondaries=1
ip -n "$TB_NS_CLI" addr add 192.0.2.3/24 dev cli0
sleep 0.5
ip -n "$TB_NS_CLI" addr del "${TB_CLI_ADDR:-192.0.2.2}/24" dev cli0
ok=1
if wait_log "MOBIKE address update: peer 192\.0\.2\.3:" 20; then
	ok=0
fi
result update $ok "no UPDATE_SA_ADDRESSES from 192.0.2.3 within 20 s"
# The client checks its COOKIE2 (RFC 4555 3.8) in our answer and closes
# the IKE SA on a mismatch; NAT detection is redone (its encap = yes fakes
# the source hash, so the peer stays "behind NAT" and ESP stays in UDP).
ok=1
if grep -q "INFORMATIONAL response .*N(NATD_S_IP) N(NATD_D_IP) N(COOKIE2)" \
    "$TB_STATE"/*/charon.log 2>/dev/null &&
    grep -q "MOBIKE address update: .*peer behind NAT" "$srvlog"; then
	ok=0
fi
result cookie2-natd $ok "answer without NAT-D/COOKIE2 or NAT not redetected"
if [ $ok != 0 ]; then
	echo "--- client log"
	tail -25 "$TB_STATE"/*/charon.log 2>/dev/null
fi
ok=1
for _ in 1 2 3 4 5; do
	if ping_ok ikev2-psk 3 2; then
		ok=0
		break
	fi
	sleep 1
done
result ping-after-move $ok "no traffic through the tunnel after the move"
exit $fail
