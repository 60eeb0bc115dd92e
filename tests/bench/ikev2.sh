#!/usr/bin/env bash
# tests/bench/ikev2.sh: IKEv2 handshakes per second and responder memory
# per IKE_SA + CHILD_SA, roadgate (tests/tools/ike-test-responder, the
# same engine as roadgated, userspace data plane) against strongSwan's
# charon (the test bed's reference responder, kernel-libipsec), same
# machine, same run, same load generator (tests/tools/ikev2-loadgen: N
# initiators, C in flight, PSK, ECP256, AES-GCM, distinct identities),
# both in the bed's namespaces (load from vpn-cli, responder in vpn-srv).
# Prints
#   METRIC ikev2_handshakes_per_s roadgate=.. reference=.. ratio=.. hs/s
#   METRIC ikev2_bytes_per_sa roadgate=.. reference=.. ratio=.. B/SA
#   METRIC ikev2_responder_cpu_us_per_hs roadgate=.. reference=.. ratio=.. us
#   METRIC ikev2_hs_per_core roadgate=.. reference=.. ratio=.. hs/s
# (ratio: strongSwan bytes / ours, strongSwan CPU / ours).  The CPU figures
# are the responder process's own utime+stime over the handshake run
# divided by the handshakes (each includes its DELETE), so they do not
# depend on how much of the 2 cores the load generator takes; hs_per_core
# is 1 s of CPU / that.  Needs root; reports, never fails.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BENCH_BUILD:-$top/build-bench}
bed=${TB_HOME:-$top/../shared/testbed}
N=${IKEV2_BENCH_N:-1000}
C=${IKEV2_BENCH_C:-16}
M=${IKEV2_BENCH_KEEP:-500}
G=${IKEV2_BENCH_GROUP:-19}
lg=$build/tests/tools/ikev2-loadgen
resp=$build/tests/tools/ike-test-responder
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-server" ] || [ ! -x "$lg" ]; then
	echo "bench ikev2: needs root, $bed and $lg"
	exit 0
fi
. "$bed/lib/common.sh"
TB_PSK=${TB_PSK:-testbed-psk-0123456789}
tmp=$(mktemp -d)
srvpid=""
cleanup() {
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null && wait "$srvpid" 2>/dev/null
	"$bed/sw-server" stop >/dev/null 2>&1
	"$bed/netns-down" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
load() {	# args for the load generator -> its output line
	ip netns exec "$TB_NS_CLI" "$lg" -s "$TB_SRV_ADDR" -g "$G" -k "$TB_PSK" --natt "$@"
}
rate_of() { sed -n 's/.*rate=\([0-9.]*\).*/\1/p'; }
hs_of() { sed -n 's/.*handshakes=\([0-9]*\).*/\1/p'; }
# utime+stime of a process (all its threads) in clock ticks
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
hz=$(getconf CLK_TCK)
# ticks before, ticks after, handshakes -> microseconds of CPU per handshake
us_per_hs() {
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$hz" \
	    'BEGIN { if (n > 0 && a != "" && b != "" && b >= a)
		printf "%.0f", (b - a) * 1e6 / hz / n; else print 0 }'
}
per_core() { awk -v u="$1" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print 0 }'; }
"$bed/netns-up" >/dev/null && "$bed/mkpki" >/dev/null || exit 0

# --- roadgate
ip netns exec "$TB_NS_SRV" env TB_PKI="$TB_PKI" TB_PSK="$TB_PSK" \
    TB_POOL=198.18.0.0/16 TB_DNS="$TB_DNS" TB_LAN_NET="$TB_LAN_NET" \
    "$resp" --dp userspace --dp-threads 0 --quiet --cookies 1000000 >"$tmp/rg.log" 2>&1 &
srvpid=$!
sleep 1
c0=$(cpu_ticks "$srvpid")
out=$(load -n "$N" -c "$C" -i rg-)
c1=$(cpu_ticks "$srvpid")
rg_rate=$(rate_of <<<"$out")
rg_cpu=$(us_per_hs "$c0" "$c1" "$(hs_of <<<"$out")")
echo "roadgate: $N handshakes, $C in flight: $out; responder CPU ${rg_cpu} us/handshake ($(per_core "$rg_cpu") hs/s per core)"
rss0=$(rss_kb "$srvpid")
out=$(load -n "$M" -c "$C" -i rgkeep- --keep)
sleep 1
rss1=$(rss_kb "$srvpid")
rg_bytes=$(((rss1 - rss0) * 1024 / M))
echo "roadgate: $M SAs kept: $out; VmRSS ${rss0} -> ${rss1} kB (${rg_bytes} B/SA)"
kill "$srvpid"; wait "$srvpid" 2>/dev/null; srvpid=""

# --- roadgate, control plane only (what the IKE engine itself costs)
ip netns exec "$TB_NS_SRV" env TB_PKI="$TB_PKI" TB_PSK="$TB_PSK" \
    TB_POOL=198.18.0.0/16 TB_DNS="$TB_DNS" TB_LAN_NET="$TB_LAN_NET" \
    "$resp" --quiet --cookies 1000000 >"$tmp/rg2.log" 2>&1 &
srvpid=$!
sleep 1
c0=$(cpu_ticks "$srvpid")
out=$(load -n "$N" -c "$C" -i rgcp-)
c1=$(cpu_ticks "$srvpid")
cp_cpu=$(us_per_hs "$c0" "$c1" "$(hs_of <<<"$out")")
r0=$(rss_kb "$srvpid")
out2=$(load -n "$M" -c "$C" -i rgcpkeep- --keep)
sleep 1
r1=$(rss_kb "$srvpid")
echo "roadgate without data plane: $out; responder CPU ${cp_cpu} us/handshake ($(per_core "$cp_cpu") hs/s per core); $M kept: $((( r1 - r0) * 1024 / M)) B/SA"
kill "$srvpid"; wait "$srvpid" 2>/dev/null; srvpid=""

# --- strongSwan charon (the bed's reference responder, DoS limits raised)
printf 'cookie_threshold = 1000000\ncookie_threshold_ip = 1000000\nblock_threshold = 1000000\n' >"$tmp/nodos.conf"
SW_LOGLEVEL=-1 SW_CHARON_EXTRA=$tmp/nodos.conf "$bed/sw-server" start >/dev/null
sleep 1
cpid=$(cat "$TB_STATE/server/charon.pid" 2>/dev/null)
c0=$(cpu_ticks "$cpid")
out=$(load -n "$N" -c "$C" -i sw-)
c1=$(cpu_ticks "$cpid")
sw_rate=$(rate_of <<<"$out")
sw_cpu=$(us_per_hs "$c0" "$c1" "$(hs_of <<<"$out")")
echo "strongSwan: $N handshakes, $C in flight: $out; responder CPU ${sw_cpu} us/handshake ($(per_core "$sw_cpu") hs/s per core)"
rss0=$(rss_kb "$cpid")
out=$(load -n "$M" -c "$C" -i swkeep- --keep)
sleep 1
rss1=$(rss_kb "$cpid")
sw_bytes=$(((rss1 - rss0) * 1024 / M))
echo "strongSwan: $M SAs kept: $out; VmRSS ${rss0} -> ${rss1} kB (${sw_bytes} B/SA)"
"$bed/sw-server" stop >/dev/null 2>&1

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "METRIC ikev2_handshakes_per_s roadgate=${rg_rate:-0} reference=${sw_rate:-0} ratio=$(ratio "${rg_rate:-0}" "${sw_rate:-0}") hs/s"
echo "METRIC ikev2_bytes_per_sa roadgate=$rg_bytes reference=$sw_bytes ratio=$(ratio "$sw_bytes" "$rg_bytes") B/SA"
echo "METRIC ikev2_responder_cpu_us_per_hs roadgate=$rg_cpu reference=$sw_cpu ratio=$(ratio "$sw_cpu" "$rg_cpu") us"
echo "METRIC ikev2_hs_per_core roadgate=$(per_core "$rg_cpu") reference=$(per_core "$sw_cpu") ratio=$(ratio "$(per_core "$rg_cpu")" "$(per_core "$sw_cpu")") hs/s"
