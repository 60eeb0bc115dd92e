#!/usr/bin/env bash
# dp_interop.sh: our userspace ESP against a real strongSwan 5.9 client
# (kernel-libipsec: ESP-in-UDP, tunnel mode, no ESN) in the test bed
# (../shared/testbed), with its own namespace names (rgdp-i*) and state
# dir, so it does not disturb other users of the bed.
#
# The IKE side is roadgated itself, configured with roadgatectl alone
# (PSK, pool, split network, dataplane userspace with 2 worker threads);
# it hands the CHILD_SAs to its userspace data plane.  For each ESP
# proposal the client asks for (AES-128-GCM-16, AES-256-CBC/HMAC-SHA-256,
# ChaCha20-Poly1305): tunnel up, ping client -> LAN and LAN -> client,
# iperf3 TCP both ways.  Then two_workers_steered: roadgatectl status
# shows 2 workers, BPF steering, the ESP packets counted and none handed
# from one worker to another (each packet reached its SA's owner).
# roadgated's log must hold no sanitizer report.
# Needs root and the bed; skips without them.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-client" ] || ! command -v charon-systemd >/dev/null; then
	echo "SKIP dp_interop: needs root, strongSwan and $bed"
	exit 0
fi
for b in roadgated roadgatectl; do
	[ -x "$build/$b" ] || { echo "FAIL dp_interop: $build/$b not built"; exit 1; }
done
. "$top/tests/integration/sanitizer_lib.bash"

export TB_NS_CLI=rgdp-ic$$ TB_NS_SRV=rgdp-is$$ TB_NS_LAN=rgdp-il$$
export TB_STATE=/tmp/rgdp-tb$$
export TB_CLIENT_PROFILES=$TB_STATE/profiles
srv_pid=
fails=0
state=$TB_STATE/roadgated
log=$TB_STATE/roadgated.log
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }
stop_daemon() {
	[ -n "$srv_pid" ] || return 0
	kill -TERM "$srv_pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$srv_pid" 2>/dev/null && kill -KILL "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	srv_pid=
}
start_daemon() {	# ip netns exec execs roadgated: $! is its pid
	ip netns exec "$TB_NS_SRV" "$build/roadgated" --state-dir "$state" \
	    --foreground --log-level info </dev/null >>"$log" 2>&1 &
	srv_pid=$!
	for _ in $(seq 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL dp_interop.setup: roadgated not ready: $(tail -3 "$log" | tr '\n' ' ')"
	exit 1
}
cleanup() {
	local rc=$?
	"$bed/sw-client" stop >/dev/null 2>&1
	stop_daemon
	"$bed/netns-down" --force >/dev/null 2>&1
	rm -rf "$TB_STATE"
	exit $rc
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

mkdir -p "$state"
start_daemon
cfg() { ctl "$@" >/dev/null || { echo "FAIL dp_interop.setup: roadgatectl $*"; exit 1; }; }
cfg psk add %any --secret testbed-psk-0123456789
cfg pool add testbed --range 198.18.0.0/16
cfg profile add default --pool testbed --dns 198.51.100.53 --split 198.51.100.0/24
cfg policy add lan --network 198.51.100.0/24
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane userspace
cfg settings set dp_threads 2
stop_daemon
start_daemon	# the data plane is made at start
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
# The two workers carried the traffic, each packet read by the worker
# that owns its SA (BPF steering): none handed from one to the other.
ds=$(ctl --json status | jq -c .engine.dataplane_stats)
if [ "$(jq .workers <<<"$ds")" = 2 ] && [ "$(jq .steered <<<"$ds")" = true ] &&
    [ "$(jq .packets <<<"$ds")" -gt 1000 ] && [ "$(jq .handed <<<"$ds")" = 0 ]; then
	pass "dp_interop.two_workers_steered ($ds)"
else
	fail dp_interop.two_workers_steered "$ds"
fi
stop_daemon
sanitizer_check dp_interop.sanitizers roadgated "$log" || fails=$((fails + 1))
[ $fails -eq 0 ]
