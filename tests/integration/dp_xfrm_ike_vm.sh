#!/usr/bin/env bash
# dp_xfrm_ike_vm.sh: roadgated's kernel XFRM data plane under real IKE,
# against a foreign peer: roadgated (this build, `settings set dataplane
# kernel`, configured with roadgatectl alone) and a strongSwan IKEv2
# client (charon, kernel XFRM ESP) run inside one VM of the full-kernel
# bed (../shared/vm: stock Debian kernel with esp4, TCG), each in a
# network namespace of its own, joined by a veth.  One VM, not two: the
# bed runs two TCG VMs at most on this machine's two cores, a VM costs
# about 10 s to boot, and XFRM state is per namespace, so the server's
# `ip -n s xfrm` shows roadgated's SAs alone and the client's are
# strongSwan's alone.  Opt-in: RG_VM_TESTS=1 (root; one core busy for
# about a minute and a half).  Uses no host namespace (the VM has no NIC).
#
# Server namespace "s": veth 192.0.2.1/24, LAN address 198.51.100.1/32 on
# lo, a route to the pool through the veth (XFRM policies catch the
# pool's traffic on its normal route), roadgated with PSK, pool
# 198.18.0.0/24, profile with split 198.51.100.0/24, policy lan,
# dataplane kernel.  Client namespace "c": veth 192.0.2.2/24, charon
# with vips = 0.0.0.0, tunnel mode, remote_ts = 198.51.100.0/24,
# esp_proposals aes128gcm16, and rekey_time 20 s on the CHILD_SA (the
# server's child_lifetime_s has a 120 s minimum; the client's rekey is
# shorter and is as real a rekey for the server, which answers it).
# Checked:
#   dataplane_kernel  roadgatectl status: data plane kernel
#   up                IKE SA ESTABLISHED, CHILD_SA INSTALLED (client)
#   server_states     ip -n s xfrm state: 2 ESP SAs, mode tunnel, reqid
#                     set, rfc4106(gcm(aes)), SPIs those of the client
#   server_policies   out/in/fwd policies with a tunnel template of that
#                     reqid, for 198.51.100.0/24 <-> the vip
#   ping              client vip -> 198.51.100.1 through the tunnel
#   server_counters   the kernel SA byte counters on the server moved
#   session_bytes     roadgatectl session list: the session, bytes in/out
#   rekey_*           the client's CHILD_SA rekeyed (new SPIs; not a
#                     refused rekey and a new CHILD_SA after the hard
#                     expiry), the server's kernel holds the new SAs and
#                     policies with the new reqid, ping still works
#   session_after_rekey  still one session, its byte counts grew
#   removed_on_exit   after roadgated's exit no SA and no policy with a
#                     template is left in "s"
#   sanitizers        roadgated's log (ASan/UBSan build) has no report
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
vm=${RG_VM_DIR:-$top/../shared/vm}
suite=dp_xfrm_ike_vm
if [ "${RG_VM_TESTS:-0}" != 1 ] || [ "$(id -u)" != 0 ] || [ ! -x "$vm/vm-run" ]; then
	echo "SKIP $suite: set RG_VM_TESTS=1 (needs root and $vm)"
	exit 0
fi
for t in roadgated roadgatectl; do
	[ -x "$build/$t" ] || { echo "FAIL $suite: $t not built"; exit 1; }
done
command -v jq >/dev/null || { echo "FAIL $suite: jq not installed"; exit 1; }
. "$top/tests/integration/sanitizer_lib.bash"
export VM_CACHE=${RG_VM_CACHE:-/var/tmp/rgike-vm}
work=$(mktemp -d /tmp/rgike-vm.XXXXXX)
vmpid=""
stop_vm() {	# vm-run kills its own qemu on TERM
	[ -n "$vmpid" ] || return 0
	kill -TERM "$vmpid" 2>/dev/null
	wait "$vmpid" 2>/dev/null
	vmpid=""
}
cleanup() {
	stop_vm
	if [ -n "${RG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# FORCE: the cache key is the file list, not the binaries' contents.  The
# sanitized build runs in the VM as it is: the libraries (libasan,
# libubsan, libnl-xfrm, libmicrohttpd, ...) come along through ldd.
if ! FORCE=1 VM_EXTRA_PATHS="$build/roadgated:/usr/local/bin/roadgated $build/roadgatectl:/usr/local/bin/roadgatectl $(command -v jq)" \
    "$vm/build-image" >"$work/build.log" 2>&1; then
	echo "FAIL $suite.image: $(tail -3 "$work/build.log" | tr '\n' ' ')"
	exit 1
fi

cat >"$work/role.sh" <<'ROLE'
#!/bin/sh
# runs inside the VM: roadgated in "s", charon in "c"
set -u
. /share/vmlib.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=24
S=dp_xfrm_ike_vm
fails=0
p() { echo "PASS $S.$1"; }
f() { echo "FAIL $S.$1: $2"; fails=1; }
PSK=xfrm-ike-psk-0123456789abcdef
LAN=198.51.100.1
ST=/tmp/rgstate
ctl() { roadgatectl --state-dir "$ST" "$@"; }
RGPID="" CHARON_PID=""
finish() {
	stop_pid "$CHARON_PID"
	stop_pid "$RGPID"
	dump_state "$VM_OUT/state.txt" >/dev/null 2>&1
	exit $fails
}
modprobe -a esp4 xfrm_user xfrm4_tunnel >/dev/null 2>&1

ip netns add s; ip netns add c
ip link add vs netns s type veth peer name vc netns c
ip -n s addr add 192.0.2.1/24 dev vs; ip -n c addr add 192.0.2.2/24 dev vc
for n in s c; do ip -n $n link set lo up; done
ip -n s link set vs up; ip -n c link set vc up
ip -n s addr add $LAN/32 dev lo
ip -n s route add 198.18.0.0/24 via 192.0.2.2

# --- roadgated, configured with roadgatectl ------------------------------
mkdir -p $ST
start_rg() {
	# ip netns exec execs the program: $! is roadgated's pid
	ip netns exec s roadgated --state-dir $ST --foreground --log-level debug \
	    >>"$VM_OUT/roadgated.log" 2>&1 &
	RGPID=$!
	wait_until 60 ctl status --json || { f start "roadgated not ready: $(tail -3 "$VM_OUT/roadgated.log" | tr '\n' ' ')"; finish; }
}
T0=$(now)
start_rg
say "roadgated up in $(elapsed "$T0") s"
cfg() { ctl "$@" >/dev/null 2>>"$VM_OUT/ctl.err" || { f setup "roadgatectl $*: $(tail -1 "$VM_OUT/ctl.err")"; finish; }; }
cfg psk add %any --secret "$PSK"
cfg pool add vmpool --range 198.18.0.0/24
cfg profile add default --pool vmpool --split 198.51.100.0/24
cfg policy add lan --network 198.51.100.0/24
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane kernel
stop_pid "$RGPID"	# the data plane kind is chosen at start
start_rg
if ctl status | grep -q '^data plane: kernel'; then
	p dataplane_kernel
else
	f dataplane_kernel "$(ctl status | grep 'data plane')"
fi

# --- the strongSwan client in "c" ----------------------------------------
cat >/etc/swanctl/swanctl.conf <<EOF
connections {
  rg {
    version = 2
    remote_addrs = 192.0.2.1
    vips = 0.0.0.0
    local { auth = psk
            id = alice@xfrm-ike.test }
    remote { auth = psk }
    children { rg { mode = tunnel
                    remote_ts = 198.51.100.0/24
                    esp_proposals = aes128gcm16
                    rekey_time = 20s
                    life_time = 90s
                    rand_time = 0 } }
  }
}
secrets { ike-any { secret = "$PSK" } }
EOF
# start_charon, in namespace c (the vici socket is a file: swanctl
# reaches it from anywhere)
CHARON_BIN=$(cat /etc/charon-binary)
_n=$(basename "$CHARON_BIN")
{
	echo "$_n { filelog { vm { path = $VM_OUT/charon.log"
	echo "  time_format = %H:%M:%S"; echo "  flush_line = yes"
	echo "  default = 1"; echo "  ike = 2"; echo "  knl = 2"; echo "} }"
	[ "$_n" = charon-systemd ] && echo "  journal { default = -1 }"
	echo "}"
} >/etc/strongswan.d/zz-vm-log.conf
rm -f /var/run/charon.vici
ip netns exec c "$CHARON_BIN" >"$VM_OUT/charon.stdout" 2>&1 &
CHARON_PID=$!
wait_until 30 test -S /var/run/charon.vici || { f charon "did not start"; finish; }
swanctl --load-all >"$VM_OUT/swanctl-load.log" 2>&1 || { f charon "swanctl --load-all"; finish; }

T1=$(now)
if ! swanctl --initiate --child rg --timeout 60 >"$VM_OUT/initiate.log" 2>&1; then
	f up "$(tail -3 "$VM_OUT/initiate.log" | tr '\n' ' ')"
	finish
fi
swanctl --list-sas >"$VM_OUT/sas.txt" 2>&1
if grep -q ESTABLISHED "$VM_OUT/sas.txt" && grep -q "INSTALLED, TUNNEL" "$VM_OUT/sas.txt"; then
	p "up (IKE SA + CHILD_SA in $(elapsed "$T1") s)"
else
	f up "$(tr '\n' ' ' <"$VM_OUT/sas.txt")"
fi
vip=$(ip -n c -4 -o addr show | awk '$4 ~ /^198\.18\./ { sub("/.*", "", $4); print $4; exit }')

# the client's SPIs (its kernel's states) and the server's
cspis() { ip -n c xfrm state | awk '/^src/ { getline; print $4 }' | sort | tr '\n' ' '; }
sspis() { ip -n s xfrm state | awk '/^src/ { getline; print $4 }' | sort | tr '\n' ' '; }
check_states() {	# check_states NAME
	ip -n s xfrm state >"$VM_OUT/s-state-$1.txt"
	ns=$(grep -c '^src' "$VM_OUT/s-state-$1.txt")
	nt=$(grep -c 'proto esp spi 0x[0-9a-f]* reqid [1-9][0-9]* mode tunnel' "$VM_OUT/s-state-$1.txt")
	na=$(grep -c 'aead rfc4106(gcm(aes))' "$VM_OUT/s-state-$1.txt")
	if [ "$ns" = 2 ] && [ "$nt" = 2 ] && [ "$na" = 2 ] && [ "$(sspis)" = "$(cspis)" ]; then
		p "$1 (2 ESP SAs, mode tunnel, reqid $(grep -o 'reqid [0-9]*' "$VM_OUT/s-state-$1.txt" | head -1 | cut -d' ' -f2), rfc4106(gcm(aes)), SPIs $(sspis)= the client's)"
	else
		f "$1" "$ns states, $nt tunnel, $na gcm; server $(sspis) client $(cspis): $(tr '\n' ' ' <"$VM_OUT/s-state-$1.txt")"
	fi
}
check_policies() {	# check_policies NAME STATE-NAME
	reqid=$(grep -o 'reqid [0-9]*' "$VM_OUT/s-state-$2.txt" | head -1 | cut -d' ' -f2)
	ip -n s xfrm policy >"$VM_OUT/s-policy-$1.txt"
	ok=1
	for d in out in fwd; do
		case $d in
		out) sel="src 198.51.100.0/24 dst $vip/32" ;;
		*) sel="src $vip/32 dst 198.51.100.0/24" ;;
		esac
		awk -v sel="$sel" -v d="dir $d" -v r="reqid ${reqid:-x} mode tunnel" '
		    /^src/ { hit = (index($0, sel) == 1); dir = 0 }
		    hit && index($0, d) { dir = 1 }
		    hit && dir && index($0, r) { found = 1 }
		    END { exit !found }' "$VM_OUT/s-policy-$1.txt" || ok=0
	done
	np=$(grep -c 'tmpl ' "$VM_OUT/s-policy-$1.txt")
	if [ -n "$vip" ] && [ $ok = 1 ] && [ "$np" = 3 ]; then
		p "$1 (out/in/fwd for 198.51.100.0/24 <-> $vip, tmpl reqid $reqid mode tunnel)"
	else
		f "$1" "vip '$vip' reqid '$reqid', $np with a template: $(tr '\n' ' ' <"$VM_OUT/s-policy-$1.txt")"
	fi
}

if [ -n "$vip" ] && ip netns exec c ping -c 4 -i 0.3 -W 3 -I "$vip" $LAN >"$VM_OUT/ping.txt" 2>&1; then
	p "ping (vip $vip -> $LAN through kernel ESP on both ends)"
else
	f ping "vip '$vip': $(tail -2 "$VM_OUT/ping.txt" | tr '\n' ' ')"
fi
check_states server_states
check_policies server_policies server_states

# bytes of the server's SA towards $1
sa_bytes() {
	ip -s -n s xfrm state | awk -v d="$1" '
	    /^src/ { hit = ($4 == d) }
	    hit && /lifetime current:/ { getline; sub(/\(.*/, "", $1); print $1; exit }'
}
bout=$(sa_bytes 192.0.2.2); bin=$(sa_bytes 192.0.2.1)
if [ "${bout:-0}" -gt 0 ] && [ "${bin:-0}" -gt 0 ]; then
	p "server_counters (kernel SAs: out $bout B, in $bin B)"
else
	f server_counters "out '$bout' in '$bin'"
fi
# roadgated reads the kernel's counters for its sessions
wait_until 15 sh -c "roadgatectl --state-dir $ST --json session list | jq -e '.[0].bytes_in > 0 and .[0].bytes_out > 0'"
ctl --json session list >"$VM_OUT/sessions.json" 2>&1
row=$(jq -c --arg v "$vip" '[.[] | select((.vip // "" | tostring) | contains($v))][0]' "$VM_OUT/sessions.json" 2>/dev/null)
bi=$(echo "$row" | jq -r '.bytes_in // 0' 2>/dev/null)
bo=$(echo "$row" | jq -r '.bytes_out // 0' 2>/dev/null)
if [ -n "$vip" ] && [ "${bi:-0}" -gt 0 ] 2>/dev/null && [ "${bo:-0}" -gt 0 ] 2>/dev/null; then
	p "session_bytes (vip $vip: in $bi B, out $bo B)"
else
	f session_bytes "$(tr '\n' ' ' <"$VM_OUT/sessions.json")"
fi

# the client rekeys its CHILD_SA at 20 s: new SPIs on both ends
old=$(cspis)
say "waiting for the rekey (SPIs $old)"
ip netns exec c ping -c 200 -i 0.2 -W 1 -I "$vip" $LAN >"$VM_OUT/ping-rekey.txt" 2>&1 &
pp=$!
rekeyed() { c=$(cspis); for s in $c; do case " $old" in *" $s "*) return 1 ;; esac; done; [ -n "$c" ]; }
wait_until 45 rekeyed
sleep 3	# the old SAs' delete
ip netns exec c ping -c 3 -i 0.3 -W 3 -I "$vip" $LAN >"$VM_OUT/ping2.txt" 2>&1
prc=$?
kill -INT "$pp" 2>/dev/null	# ping prints its summary on INT
wait_until 5 sh -c "! kill -0 $pp"
stop_pid "$pp"
# a rekey, not a new CHILD_SA after the old one hard-expired (life_time
# 90 s) or a refused CREATE_CHILD_SA
if rekeyed && [ $prc = 0 ] && grep -q "rekeyed\|CHILD_SA rg{2} established" "$VM_OUT/charon.log" &&
    ! grep -qE "rekeying failed|closing expired CHILD_SA|TEMPORARY_FAILURE" "$VM_OUT/charon.log"; then
	check_states rekey_server_states
	check_policies rekey_server_policies rekey_server_states
	loss=$(grep -o '[0-9.]*% packet loss' "$VM_OUT/ping-rekey.txt")
	p "rekey_traffic (ping after the rekey; 5 pings/s during it: ${loss:-?})"
else
	f rekey "old $old now $(cspis) server $(sspis) ping rc $prc: $(grep -iE "rekey|expired|TEMP" "$VM_OUT/charon.log" | tail -4 | tr '\n' ' ') roadgated: $(grep -E "warn|error" "$VM_OUT/roadgated.log" | tail -3 | tr '\n' ' ')"
fi

# the rekey kept the session: still one, its byte counts did not go back
wait_until 10 sh -c "roadgatectl --state-dir $ST --json session list | jq -e '.[0].bytes_in > $bi'"
ctl --json session list >"$VM_OUT/sessions-rekey.json" 2>&1
n=$(jq length "$VM_OUT/sessions-rekey.json" 2>/dev/null)
bi2=$(jq -r '.[0].bytes_in // 0' "$VM_OUT/sessions-rekey.json" 2>/dev/null)
bo2=$(jq -r '.[0].bytes_out // 0' "$VM_OUT/sessions-rekey.json" 2>/dev/null)
if [ "$n" = 1 ] && [ "${bi2:-0}" -gt "${bi:-0}" ] 2>/dev/null && [ "${bo2:-0}" -gt "${bo:-0}" ] 2>/dev/null; then
	p "session_after_rekey (one session: in $bi -> $bi2 B, out $bo -> $bo2 B)"
else
	f session_after_rekey "$n sessions, in $bi -> $bi2, out $bo -> $bo2: $(tr '\n' ' ' <"$VM_OUT/sessions-rekey.json")"
fi

# roadgated's exit takes its SAs and policies with it
stop_pid "$RGPID"
RGPID=""
ns=$(ip -n s xfrm state | grep -c '^src')
np=$(ip -n s xfrm policy | grep -c 'tmpl ')
if [ "$ns" = 0 ] && [ "$np" = 0 ]; then
	p removed_on_exit
else
	f removed_on_exit "$ns states, $np policies with a template left: $(ip -n s xfrm policy | tr '\n' ' ')"
fi
finish
ROLE

t0=$(date +%s)
"$vm/vm-run" --role "$work/role.sh" --dir "$work/run" --timeout 300 --quiet \
    --mem 768 >"$work/vm.log" 2>&1 &
vmpid=$!
wait "$vmpid"
rc=$?
vmpid=""
rlog=$work/run/out/role.log
fails=0
if [ ! -f "$rlog" ]; then
	echo "FAIL $suite.boot: vm-run exit $rc: $(tail -3 "$work/vm.log" | tr '\n' ' ')"
	exit 1
fi
grep -E '^(PASS|FAIL) ' "$rlog"
grep -q '^FAIL ' "$rlog" && fails=1
if sanitizer_check "$suite.sanitizers" roadgated "$work/run/out/roadgated.log"; then
	echo "PASS $suite.sanitizers"
else
	fails=1
fi
[ $rc -eq 0 ] || { echo "FAIL $suite.vm_exit: role exit $rc"; fails=1; }
if [ $fails != 0 ]; then
	echo "--- roadgated log (tail)"
	tail -25 "$work/run/out/roadgated.log" 2>/dev/null
	echo "--- VM role log (tail)"
	tail -15 "$rlog"
	echo "--- charon log (tail)"
	tail -15 "$work/run/out/charon.log" 2>/dev/null
fi
echo "  ($(($(date +%s) - t0)) s in the VM)"
exit $fails
