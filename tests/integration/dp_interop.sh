#!/usr/bin/env bash
# dp_interop.sh: our userspace ESP against a real strongSwan 5.9 client
# (kernel-libipsec: ESP-in-UDP, tunnel mode, no ESN) in the test bed
# (../shared/testbed), with its own namespace names (rgdp-i*) and state
# dir, so it does not disturb other users of the bed.
#
# The IKE side is tests/tools/ike-test-responder --dp userspace (IKE is
# another module's; here it only hands us the CHILD_SAs).  For each ESP
# proposal the client asks for (AES-128-GCM-16, AES-256-CBC/HMAC-SHA-256,
# ChaCha20-Poly1305): tunnel up, ping client -> LAN and LAN -> client,
# iperf3 TCP both ways.
# Needs root and the bed; skips without them.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME_DIR:-$top/../shared/testbed}
resp=$build/tests/tools/ike-test-responder
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-client" ] || ! command -v charon-systemd >/dev/null; then
	echo "SKIP dp_interop: needs root, strongSwan and $bed"
	exit 0
fi
[ -x "$resp" ] || { echo "FAIL dp_interop: $resp not built"; exit 1; }

export TB_NS_CLI=rgdp-ic$$ TB_NS_SRV=rgdp-is$$ TB_NS_LAN=rgdp-il$$
export TB_STATE=/tmp/rgdp-tb$$
export TB_CLIENT_PROFILES=$TB_STATE/profiles
srv_pid=
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
cleanup() {
	"$bed/sw-client" stop >/dev/null 2>&1
	if [ -n "$srv_pid" ]; then
		kill -TERM "$srv_pid" 2>/dev/null
		for i in $(seq 50); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$srv_pid" 2>/dev/null
	fi
	"$bed/netns-down" --force >/dev/null 2>&1
	rm -rf "$TB_STATE"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$bed/netns-up" >/dev/null || { echo "FAIL dp_interop.setup: netns-up"; exit 1; }
"$bed/mkpki" >/dev/null || { echo "FAIL dp_interop.setup: mkpki"; exit 1; }
mkdir -p "$TB_CLIENT_PROFILES"
{
	echo "connections {"
	for c in "dpi-gcm aes128gcm16" "dpi-cbc aes256-sha256" "dpi-chacha chacha20poly1305"; do
		set -- $c
		cat <<EOF
    $1 {
        version = 2
        remote_addrs = 192.0.2.1
        vips = 0.0.0.0
        encap = yes
        local { auth = psk
                id = $1@testbed.test }
        remote { auth = psk }
        children { $1 { remote_ts = 0.0.0.0/0
                        esp_proposals = $2 } }
    }
EOF
	done
	echo "}"
	echo 'secrets { ike-dpi { secret = "testbed-psk-0123456789" } }'
} >"$TB_CLIENT_PROFILES/dpi.conf"

ip netns exec "$TB_NS_SRV" env TB_PKI="$TB_STATE/pki" TB_PSK=testbed-psk-0123456789 \
    TB_POOL=198.18.0.0/16 TB_DNS=198.51.100.53 TB_LAN_NET=198.51.100.0/24 \
    setsid "$resp" --dp userspace --dp-threads 2 </dev/null >"$TB_STATE/responder.log" 2>&1 &
srv_pid=$!
for i in $(seq 100); do
	ip netns exec "$TB_NS_SRV" ss -Hlun 'sport = :500' | grep -q . && break
	sleep 0.1
done
"$bed/sw-client" start >/dev/null 2>&1 || { fail dp_interop.client_start "$(tail -3 "$TB_STATE/client/charon.log" 2>/dev/null)"; exit 1; }
ip netns exec "$TB_NS_LAN" iperf3 -s -B 198.51.100.10 </dev/null >/dev/null 2>&1 &
ipf=$!

for c in dpi-gcm dpi-cbc dpi-chacha; do
	if ! "$bed/sw-client" up "$c" >"$TB_STATE/up.out" 2>&1; then
		fail "dp_interop.$c.up" "$(tail -2 "$TB_STATE/up.out" | tr '\n' ' ')"
		continue
	fi
	vip=$("$bed/sw-client" vip "$c")
	if ip netns exec "$TB_NS_CLI" ping -c 3 -i 0.2 -W 2 -I "$vip" 198.51.100.10 >/dev/null 2>&1 &&
	    ip netns exec "$TB_NS_LAN" ping -c 3 -i 0.2 -W 2 "$vip" >/dev/null 2>&1; then
		pass "dp_interop.$c.ping_both_ways"
	else
		fail "dp_interop.$c.ping_both_ways" "vip $vip"
	fi
	for dir in up down; do
		flag=""
		[ $dir = down ] && flag=-R
		if timeout 30 ip netns exec "$TB_NS_CLI" iperf3 -c 198.51.100.10 -B "$vip" \
		    -t 2 $flag -f m >"$TB_STATE/iperf" 2>&1; then
			rate=$(awk '/receiver/ {print $(NF-2), $(NF-1)}' "$TB_STATE/iperf" | tail -1)
			pass "dp_interop.$c.iperf3_tcp_$dir ($rate)"
		else
			fail "dp_interop.$c.iperf3_tcp_$dir" "$(tail -2 "$TB_STATE/iperf" | tr '\n' ' ')"
		fi
	done
	"$bed/sw-client" down "$c" >/dev/null 2>&1
done
kill "$ipf" 2>/dev/null
wait "$ipf" 2>/dev/null
# the two workers were in place and BPF steered their packets
if grep -q '2 worker threads, queues steered by BPF' "$TB_STATE/responder.log" &&
    grep -q 'ESP steered by SPI to 2 worker sockets' "$TB_STATE/responder.log"; then
	pass dp_interop.two_workers_steered
else
	fail dp_interop.two_workers_steered "$(grep -i 'worker\|steer' "$TB_STATE/responder.log" | head -3 | tr '\n' ' ')"
fi
if grep -q 'esp.*drop' "$TB_STATE/responder.log"; then
	echo "  responder logged drops: $(grep -c 'esp.*drop' "$TB_STATE/responder.log")"
fi
[ $fails -eq 0 ]
