#!/usr/bin/env bash
# tests/bench/esp.sh: the userspace ESP data plane's speed, same run, same
# machine as its references.
#
#  1. ESP encrypt + decrypt of a 1400-byte packet (tests/tools/dp-espbench):
#     our codec vs the bare OpenSSL EVP calls the transform needs.
#       METRIC esp_loop_vs_evp             (AES-128-GCM)
#       METRIC esp_loop_vs_evp_cbc_sha256  (AES-256-CBC + HMAC-SHA-256)
#  2. iperf3 TCP client -> LAN host through the tunnel, ESP-in-UDP:
#     two dp-static ends (client and server namespaces, rgdp-b*) vs
#     strongSwan 5.9 kernel-libipsec on both ends (the test bed's `bench`,
#     run in its own namespaces rgdp-sw*, same topology, same MTU 1400);
#     ours is measured before and after strongSwan and averaged.
#       METRIC esp_tunnel_mbit_s             (AES-128-GCM)
#       METRIC esp_tunnel_mbit_s_cbc_sha256  (AES-256-CBC/HMAC-SHA-256)
# ESP_BENCH_SECS (default 10) sets the iperf3 time.  Needs root.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BENCH_BUILD:-$top/build-bench}
secs=${ESP_BENCH_SECS:-10}
# the server end runs as roadgated does by default: one worker per CPU
# (dp_threads 0); -1 = everything on the main loop
srv_threads=${ESP_BENCH_THREADS:-0}
tb=${TB_HOME_DIR:-$top/../shared/testbed}
static=$build/tests/tools/dp-static
work=$(mktemp -d /tmp/rgdp-bench.XXXXXX)
NC=rgdp-bc$$ NS=rgdp-bs$$ NL=rgdp-bl$$
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NC" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NL" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ---- 1. codec vs EVP ---------------------------------------------------
"$build/tests/tools/dp-espbench" 1 >"$work/micro" || echo "bench esp: dp-espbench failed"
while read -r name ours ref; do
	o=${ours#roadgate=} r=${ref#reference=}
	echo "  $name: roadgate $o pkt/s, raw EVP $r pkt/s"
	case $name in
	aes128gcm) m=esp_loop_vs_evp ;;
	*) m=esp_loop_vs_evp_cbc_sha256 ;;
	esac
	echo "METRIC $m roadgate=$o reference=$r ratio=$(ratio "$o" "$r") pkt/s"
done <"$work/micro"

[ "$(id -u)" = 0 ] || { echo "bench esp: tunnel part needs root"; exit 0; }

# ---- 2a. our tunnel ----------------------------------------------------
ip netns add "$NC"; ip netns add "$NS"; ip netns add "$NL"
ip link add cli0 netns "$NC" type veth peer name srv0 netns "$NS"
ip link add lan0 netns "$NS" type veth peer name host0 netns "$NL"
ip -n "$NC" addr add 192.0.2.2/24 dev cli0
ip -n "$NS" addr add 192.0.2.1/24 dev srv0
ip -n "$NS" addr add 198.51.100.1/24 dev lan0
ip -n "$NL" addr add 198.51.100.10/24 dev host0
for n in "$NC" "$NS" "$NL"; do ip -n "$n" link set lo up; done
ip -n "$NC" link set cli0 up; ip -n "$NS" link set srv0 up
ip -n "$NS" link set lan0 up; ip -n "$NL" link set host0 up
ip -n "$NL" route add default via 198.51.100.1
ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NL" iperf3 -s -B 198.51.100.10 >/dev/null 2>&1 &
pids+=($!)

K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00112233445566778899aabbccddeeff
H1=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
H2=c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf

ours_tput() {	# ours_tput aes128gcm|aes256cbc-sha256 -> Mbit/s
	local enc kl s c sa=() ca=() mbps
	case $1 in
	aes128gcm) enc=(--encr aes128gcm); kl=40 ;;
	*) enc=(--encr aes256 --integ sha256); kl=64
	   sa=(--ikey-in "$H1" --ikey-out "$H2"); ca=(--ikey-in "$H2" --ikey-out "$H1") ;;
	esac
	ip netns exec "$NS" "$static" --threads "$srv_threads" --tun rgs0 --local 192.0.2.1 --peer 192.0.2.2 \
	    "${enc[@]}" --spi-in c0000002 --spi-out c0000001 --key-in "${K1:0:$kl}" \
	    --key-out "${K2:0:$kl}" "${sa[@]}" --ts-local 198.51.100.0/24 \
	    --ts-remote 198.18.0.1/32 --route 198.18.0.1/32 >"$work/s.out" 2>&1 &
	s=$!
	ip netns exec "$NC" "$static" --tun rgc0 --local 192.0.2.2 --peer 192.0.2.1 \
	    "${enc[@]}" --spi-in c0000001 --spi-out c0000002 --key-in "${K2:0:$kl}" \
	    --key-out "${K1:0:$kl}" "${ca[@]}" --ts-local 198.18.0.1/32 \
	    --ts-remote 198.51.100.0/24 >"$work/c.out" 2>&1 &
	c=$!
	for i in $(seq 50); do
		grep -q READY "$work/s.out" && grep -q READY "$work/c.out" && break
		sleep 0.1
	done
	ip -n "$NC" addr add 198.18.0.1/32 dev rgc0
	ip -n "$NC" route add 198.51.100.0/24 dev rgc0 src 198.18.0.1
	timeout $((secs + 20)) ip netns exec "$NC" iperf3 -c 198.51.100.10 -B 198.18.0.1 \
	    -t "$secs" -J >"$work/ours-$1.json" 2>&1
	mbps=$(jq -r '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10' \
	    "$work/ours-$1.json" 2>/dev/null)
	kill "$s" "$c"; wait "$s" "$c" 2>/dev/null
	echo "${mbps:-0}"
}
# measured before and after strongSwan, averaged: this machine is shared
# and its load drifts over the minutes a run takes
OG1=$(ours_tput aes128gcm)
OC1=$(ours_tput aes256cbc-sha256)

# ---- 2b. strongSwan kernel-libipsec, both ends, its own namespaces ---------
SG=0 SC=0
if [ -x "$tb/bench" ]; then
	TB_NS_CLI=rgdp-swc$$ TB_NS_SRV=rgdp-sws$$ TB_NS_LAN=rgdp-swl$$ \
	    TB_STATE=$work/tb timeout $((secs * 3 + 240)) "$tb/bench" -n 1 -r 1 \
	    -t "$secs" >"$work/sw.out" 2>&1
	line=$(grep '(iv)' "$work/sw.out" | tail -1)
	SG=$(echo "$line" | sed -n 's/.*AES-128-GCM \([0-9.]*\) Mbit.*/\1/p')
	SC=$(echo "$line" | sed -n 's/.*AES-256-CBC\/SHA256 \([0-9.]*\) Mbit.*/\1/p')
	echo "  strongSwan kernel-libipsec: ${line:-no result ($(tail -2 "$work/sw.out" | tr '\n' ' '))}"
fi
OG2=$(ours_tput aes128gcm)
OC2=$(ours_tput aes256cbc-sha256)
OG=$(awk -v a="$OG1" -v b="$OG2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
OC=$(awk -v a="$OC1" -v b="$OC2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
echo "  roadgate dp-static pair: AES-128-GCM $OG1 / $OG2 Mbit/s, AES-256-CBC/SHA-256 $OC1 / $OC2 Mbit/s (before / after strongSwan)"
echo "METRIC esp_tunnel_mbit_s roadgate=$OG reference=${SG:-0} ratio=$(ratio "$OG" "${SG:-0}") Mbit/s"
echo "METRIC esp_tunnel_mbit_s_cbc_sha256 roadgate=$OC reference=${SC:-0} ratio=$(ratio "$OC" "${SC:-0}") Mbit/s"
