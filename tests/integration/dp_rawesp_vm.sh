#!/usr/bin/env bash
# dp_rawesp_vm.sh: roadgated's userspace data plane with RAW ESP (IP
# protocol 50, RFC 4303, no RFC 3948 UDP encapsulation) against a real
# strongSwan IKEv2 client whose ESP lives in kernel XFRM: the client runs
# in the full-kernel VM bed (../shared/vm, stock Debian kernel, TCG),
# roadgated runs on the host in a namespace of its own (layout A of the
# bed's README).  The host's strongSwan (kernel-libipsec) cannot send raw
# ESP, and the host kernel has no ESP, so only this layout shows it.
# Opt-in: RG_VM_TESTS=1 (root; one core busy for about a minute).
#
# Host namespace rgraw<pid>: bridge br0 192.0.2.1/24 (tap to the VM
# 192.0.2.2), the "LAN" address 198.51.100.1/32 on lo, roadgated from
# $RG_BUILD configured with roadgatectl alone (PSK, pool 198.18.0.0/24,
# split 198.51.100.0/24, dataplane userspace), an iperf3 server on the
# LAN address, nft counters for ESP and UDP/4500 in and out.
# The VM: charon + swanctl, one IKEv2 connection per ESP proposal
# (aes128gcm16, aes256-sha256, aes256-sha256 with ESN only,
# chacha20poly1305; the built-in proposal set takes them all),
# vips = 0.0.0.0, tunnel mode, remote_ts = 198.51.100.0/24, encap = no (no NAT between:
# raw ESP).  strongSwan still moves IKE to UDP 4500 (RFC 7296 2.23 allows
# it without a NAT), so this also checks that the server chooses ESP-in-
# UDP from NAT detection alone, not from the port IKE arrived on.
# Checked, per proposal:
#   <c>.up            IKE SA ESTABLISHED and CHILD_SA INSTALLED (client)
#   <c>.raw_esp_sa    the client's kernel SAs: proto esp, mode tunnel, no
#                     encap, the negotiated algorithm (and ESN flag)
#   <c>.ping          client vip -> 198.51.100.1 through the tunnel
#   <c>.iperf3_up/down  TCP both ways through the tunnel
#   <c>.client_counters  the client's kernel SA byte counters moved
#   <c>.server_sa     roadgated logged "SA in/out ... tunnel added"
#                     without " udp-encap" for this connection's SPIs
#   <c>.session_bytes roadgatectl session list: bytes in and out > 0
# and once: workers_steered (roadgatectl status: one data-plane worker per
# CPU, ESP packets counted, none handed between workers: each reads its
# SPIs off its own raw socket), host_nft (IP protocol 50 packets in and out of the host
# namespace, no ESP-in-UDP/4500), sanitizers (roadgated's log clean).
# Every wait bounded; kills only its own pids; removes its namespace.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
vm=${RG_VM_DIR:-$top/../shared/vm}
if [ "${RG_VM_TESTS:-0}" != 1 ] || [ "$(id -u)" != 0 ] || [ ! -x "$vm/vm-run" ]; then
	echo "SKIP dp_rawesp_vm: set RG_VM_TESTS=1 (needs root and $vm)"
	exit 0
fi
for t in roadgated roadgatectl; do
	[ -x "$build/$t" ] || { echo "FAIL dp_rawesp_vm: $t not built"; exit 1; }
done
suite=dp_rawesp_vm
. "$top/tests/integration/sanitizer_lib.bash"
conns="gcm:aes128gcm16 cbc:aes256-sha256 esn:aes256-sha256-esn chacha:chacha20poly1305"
psk=rawesp-psk-0123456789abcdef
lan=198.51.100.1
ns=rgraw$$
export VM_CACHE=${RG_VM_CACHE:-/var/tmp/rgraw-vm}
work=$(mktemp -d /tmp/rgraw-vm.XXXXXX)
state=$work/state
log=$work/roadgated.log
pid="" ipf="" vmpid="" nsup=0 fails=0
pass() { echo "PASS $suite.$1"; }
fail() { echo "FAIL $suite.$1: $2"; fails=1; }
ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }
inns() { ip netns exec "$ns" "$@"; }

stop_pid() {	# stop_pid PID: TERM, 10 s, KILL, reap
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	local rc=$?
	stop_pid "$vmpid"	# vm-run kills its own qemu and tap on TERM
	stop_pid "$ipf"
	stop_pid "$pid"
	sanitizer_check "$suite.sanitizers" roadgated "$log" || rc=1
	if [ $rc != 0 ] || [ $fails != 0 ]; then
		echo "--- roadgated log (tail)"
		tail -25 "$log" 2>/dev/null
		echo "--- VM role log (tail)"
		tail -25 "$work/run/out/role.log" 2>/dev/null
		echo "--- charon log (tail)"
		tail -15 "$work/run/out/charon.log" 2>/dev/null
		rc=1
	fi
	[ $nsup = 1 ] && "$vm/vm-net" down "$ns" >/dev/null 2>&1
	if [ -n "${RG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$(date +%s)
if ! VM_EXTRA_PATHS="$(command -v iperf3 || true)" "$vm/build-image" >"$work/build.log" 2>&1; then
	echo "FAIL $suite.image: $(tail -3 "$work/build.log" | tr '\n' ' ')"
	exit 1
fi

# --- the host side: namespace, LAN address, counters, roadgated -----------
"$vm/vm-net" up "$ns" --addr 192.0.2.1/24 >"$work/net.log" 2>&1 ||
	{ echo "FAIL $suite.setup: vm-net up: $(tail -2 "$work/net.log")"; exit 1; }
nsup=1
inns ip link set lo up
inns ip addr add "$lan/32" dev lo
# ESP and ESP-in-UDP/4500 as the host namespace's stack sees them (raw
# ESP is read by roadgated's IPPROTO_ESP socket after the input hook).
# On 4500 only datagrams with a non-zero SPI after the UDP header count:
# IKE there starts with the zero non-ESP marker (RFC 3948 2.2), and
# strongSwan moves IKE to 4500 even without a NAT (RFC 7296 2.23).
inns nft -f - <<'EOF' || { echo "FAIL $suite.setup: nft"; exit 1; }
table inet rgraw {
	counter esp_in { }
	counter esp_out { }
	counter natt_in { }
	counter natt_out { }
	chain in {
		type filter hook input priority 0;
		meta l4proto esp counter name esp_in
		udp dport 4500 @th,64,32 != 0 counter name natt_in
	}
	chain out {
		type filter hook output priority 0;
		meta l4proto esp counter name esp_out
		udp sport 4500 @th,64,32 != 0 counter name natt_out
	}
}
EOF

mkdir -p "$state"
start_daemon() {
	# ip netns exec execs the program: $! is roadgated's pid
	ip netns exec "$ns" "$build/roadgated" --state-dir "$state" --foreground \
	    --log-level info >>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL $suite.setup: roadgated not ready: $(tail -3 "$log" | tr '\n' ' ')"
	exit 1
}
start_daemon
cfg() { ctl "$@" >/dev/null || { echo "FAIL $suite.setup: roadgatectl $*"; exit 1; }; }
cfg psk add %any --secret "$psk"
cfg pool add vmpool --range 198.18.0.0/24
cfg profile add default --pool vmpool --split 198.51.100.0/24
cfg policy add lan --network 198.51.100.0/24
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane userspace
# the built-in "compatible" set (the default) must take every proposal
stop_pid "$pid"
pid=""
start_daemon	# the data plane kind is chosen at start
if ctl status | grep -q '^data plane: userspace'; then
	pass dataplane_userspace
else
	fail dataplane_userspace "$(ctl status | grep 'data plane')"
fi
ip netns exec "$ns" iperf3 -s -B "$lan" </dev/null >"$work/iperf3-server.log" 2>&1 &
ipf=$!

# --- the client VM ----------------------------------------------------------
cat >"$work/role.sh" <<'ROLE'
#!/bin/sh
# runs inside the VM: strongSwan IKEv2 initiator, kernel XFRM ESP
set -u
. /share/vmlib.sh
p() { echo "PASS dp_rawesp_vm.$1"; }
f() { echo "FAIL dp_rawesp_vm.$1: $2"; fails=1; }
fails=0
{
	echo "connections {"
	for c in $CONNS; do
		name=${c%%:*}; esp=${c#*:}
		cat <<EOF
  $name {
    version = 2
    remote_addrs = $SERVER
    vips = 0.0.0.0
    encap = no
    local { auth = psk
            id = $name@rawesp.test }
    remote { auth = psk }
    children { $name { mode = tunnel
                       remote_ts = $LAN_NET
                       esp_proposals = $esp } }
  }
EOF
	done
	echo "}"
	echo "secrets { ike-any { secret = \"$PSK\" } }"
} >/etc/swanctl/swanctl.conf
start_charon || { f charon "did not start"; exit 1; }
swanctl --load-all >"$VM_OUT/swanctl-load.log" 2>&1 || { f charon "swanctl --load-all"; exit 1; }
# counters of the SA with destination $1 (bytes)
sa_bytes() {
	ip -s xfrm state | awk -v d="$1" '
	    /^src/ { hit = ($4 == d) }
	    hit && /lifetime current:/ { getline; sub(/\(.*/, "", $1); print $1; exit }'
}
for c in $CONNS; do
	name=${c%%:*}; esp=${c#*:}
	T1=$(now)
	if ! swanctl --initiate --child "$name" --timeout 40 >"$VM_OUT/initiate-$name.log" 2>&1; then
		f "$name.up" "$(tail -3 "$VM_OUT/initiate-$name.log" | tr '\n' ' ')"
		swanctl --terminate --ike "$name" --timeout 15 >/dev/null 2>&1
		touch "$VM_OUT/skip-$name"	# nothing for the host to check
		continue
	fi
	swanctl --list-sas --ike "$name" >"$VM_OUT/sas-$name.txt" 2>&1
	if grep -q "ESTABLISHED" "$VM_OUT/sas-$name.txt" &&
	    grep -q "INSTALLED, TUNNEL" "$VM_OUT/sas-$name.txt"; then
		p "$name.up (IKE+CHILD_SA in $(elapsed "$T1") s)"
	else
		f "$name.up" "$(tr '\n' ' ' <"$VM_OUT/sas-$name.txt")"
	fi
	ip xfrm state >"$VM_OUT/xfrm-$name.txt"
	nsa=$(grep -c "^src .* dst " "$VM_OUT/xfrm-$name.txt")
	case $esp in
	aes128gcm16*) alg="rfc4106(gcm(aes))" ;;
	chacha20poly1305*) alg="rfc7539esp(chacha20,poly1305)" ;;
	*) alg="cbc(aes)" ;;
	esac
	nesn=0
	case $esp in *-esn) nesn=2 ;; esac
	if [ "$nsa" = 2 ] && [ "$(grep -c 'proto esp .* mode tunnel' "$VM_OUT/xfrm-$name.txt")" = 2 ] &&
	    ! grep -q encap "$VM_OUT/xfrm-$name.txt" && grep -qF "$alg" "$VM_OUT/xfrm-$name.txt" &&
	    [ "$(grep -c 'flag .*esn' "$VM_OUT/xfrm-$name.txt")" = $nesn ]; then
		p "$name.raw_esp_sa (2 tunnel-mode ESP SAs, no encap, $alg$([ $nesn = 2 ] && echo ', ESN'))"
	else
		f "$name.raw_esp_sa" "$(tr '\n' ' ' <"$VM_OUT/xfrm-$name.txt")"
	fi
	# the SPIs for the host's checks: ours (in) and the server's (out)
	grep -o "spi 0x[0-9a-f]*" "$VM_OUT/xfrm-$name.txt" | cut -c7- >"$VM_OUT/spis-$name"
	vip=$(ip -4 -o addr show | awk '$4 ~ /^198\.18\./ { sub("/.*", "", $4); print $4; exit }')
	if [ -n "$vip" ] && ping -c 3 -i 0.3 -W 3 -I "$vip" "$LAN_IP" >"$VM_OUT/ping-$name.txt" 2>&1; then
		p "$name.ping (vip $vip -> $LAN_IP)"
	else
		f "$name.ping" "vip '$vip': $(tail -2 "$VM_OUT/ping-$name.txt" | tr '\n' ' ')"
	fi
	if [ -n "$vip" ] && grep -q ' 0% packet loss' "$VM_OUT/ping-$name.txt"; then
		for dir in up down; do
			flag=""
			[ $dir = down ] && flag=-R
			if timeout 30 iperf3 -c "$LAN_IP" -B "$vip" -t 2 $flag -f m \
			    >"$VM_OUT/iperf-$name-$dir.txt" 2>&1; then
				rate=$(awk '/receiver/ {print $(NF-2), $(NF-1)}' "$VM_OUT/iperf-$name-$dir.txt" | tail -1)
				p "$name.iperf3_$dir ($rate)"
			else
				f "$name.iperf3_$dir" "$(tail -2 "$VM_OUT/iperf-$name-$dir.txt" | tr '\n' ' ')"
			fi
		done
	fi
	bout=$(sa_bytes "$SERVER"); bin=$(sa_bytes "${VM_IP%%/*}")
	if [ "${bout:-0}" -gt 0 ] && [ "${bin:-0}" -gt 0 ]; then
		p "$name.client_counters (out ${bout} B, in ${bin} B)"
	else
		f "$name.client_counters" "out '$bout' in '$bin'"
	fi
	# the host checks roadgated while the SAs are up, then lets us go on
	echo "$vip" >"$VM_OUT/up-$name"
	wait_until 30 test -e "/share/go-$name" || f "$name.host_sync" "no go from the host"
	swanctl --terminate --ike "$name" --timeout 15 >/dev/null 2>&1 ||
		f "$name.terminate" "swanctl --terminate"
	wait_until 10 sh -c '! ip xfrm state | grep -q ^src' || f "$name.terminate" "SAs left"
done
dump_state "$VM_OUT/state.txt"
stop_pid "$CHARON_PID"
exit $fails
ROLE

"$vm/vm-run" --name rgraw-cli --netns "$ns" --tap tap-rgraw --bridge br0 \
    --ip 192.0.2.2/24 --role "$work/role.sh" --dir "$work/run" --timeout 300 \
    --quiet --env SERVER=192.0.2.1 --env "PSK=$psk" --env "LAN_IP=$lan" \
    --env LAN_NET=198.51.100.0/24 --env "CONNS=$conns" >"$work/vm.log" 2>&1 &
vmpid=$!

# While each connection is up: roadgated's view of it.
for c in $conns; do
	name=${c%%:*}
	up=$work/run/out/up-$name
	for _ in $(seq 2400); do	# 240 s at most, or until the VM is gone
		[ -e "$up" ] || [ -e "$work/run/out/skip-$name" ] && break
		kill -0 "$vmpid" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$work/run/out/skip-$name" ] && continue
	[ -e "$up" ] || break
	vip=$(cat "$up")
	spis=$(tr '\n' ' ' <"$work/run/out/spis-$name" 2>/dev/null)
	nraw=0 nenc=0 lines=""
	for s in $spis; do
		lines="$lines$(grep -E "SA (in|out) $s " "$log" | sed 's/.*: SA/SA/' | tr '\n' ';')"
		nraw=$((nraw + $(grep -Ec "SA (in|out) $s reqid [0-9]+ tunnel added" "$log")))
		nenc=$((nenc + $(grep -Ec "SA (in|out) $s .*udp-encap" "$log")))
	done
	if [ "$nraw" = 2 ] && [ "$nenc" = 0 ]; then
		pass "$name.server_sa (SAs $spis: tunnel, no udp-encap)"
	else
		fail "$name.server_sa" "$nraw raw, $nenc udp-encap: $lines"
	fi
	ctl --json session list >"$work/sessions-$name.json" 2>&1
	row=$(jq -c --arg v "$vip" '[.[] | select((.vip // "" | tostring) | contains($v))][0]' \
	    "$work/sessions-$name.json" 2>/dev/null)
	bi=$(jq -r '.bytes_in // 0' <<<"$row" 2>/dev/null)
	bo=$(jq -r '.bytes_out // 0' <<<"$row" 2>/dev/null)
	if [ "${bi:-0}" -gt 0 ] 2>/dev/null && [ "${bo:-0}" -gt 0 ] 2>/dev/null; then
		pass "$name.session_bytes (in $bi B, out $bo B)"
	else
		fail "$name.session_bytes" "$(jq -c '{peer, vip, esp, bytes_in, bytes_out}' <<<"$row" 2>/dev/null ||
		    tr '\n' ' ' <"$work/sessions-$name.json")"
	fi
	touch "$work/run/go-$name"
done
wait "$vmpid"
rc=$?
vmpid=""
rlog=$work/run/out/role.log
if [ ! -f "$rlog" ]; then
	fail boot "vm-run exit $rc: $(tail -3 "$work/vm.log" | tr '\n' ' ')"
	exit 1
fi
grep -E '^(PASS|FAIL) ' "$rlog"
grep -q '^FAIL ' "$rlog" && fails=1
[ $rc -eq 0 ] || fail vm_exit "role exit $rc"

cnt() { inns nft -j list counter inet rgraw "$1" | jq '.nftables[1].counter.packets'; }
ei=$(cnt esp_in) eo=$(cnt esp_out) ui=$(cnt natt_in) uo=$(cnt natt_out)
if [ "${ei:-0}" -gt 0 ] && [ "${eo:-0}" -gt 0 ] && [ "$ui" = 0 ] && [ "$uo" = 0 ]; then
	pass "host_nft (IP proto 50: $ei in, $eo out; ESP-in-UDP/4500: none)"
else
	fail host_nft "ESP in '$ei' out '$eo', ESP-in-UDP/4500 in '$ui' out '$uo'"
fi
# roadgated's workers each read their own SPIs off raw sockets with BPF
# filters: packets counted, none handed between threads
ds=$(ctl --json status | jq -c .engine.dataplane_stats)
ncpu=$(nproc)
[ "$ncpu" -gt 16 ] && ncpu=16
if [ "$(jq .workers <<<"$ds")" = "$ncpu" ] && [ "$(jq .handed <<<"$ds")" = 0 ] &&
    [ "$(jq .packets <<<"$ds")" -gt 1000 ]; then
	pass "workers_steered ($ds)"
else
	fail workers_steered "$ds"
fi
echo "  ($(($(date +%s) - t0)) s)"
exit $fails
