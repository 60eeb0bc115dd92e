#!/usr/bin/env bash
# dp_xfrm_vm.sh: the kernel XFRM backend end to end, in the full-kernel VM
# bed (../shared/vm: stock Debian kernel with esp4/esp6, TCG).  Opt-in:
# RG_VM_TESTS=1 (it keeps one core busy for about a minute).
#
# Inside the VM, two namespaces joined by a veth: "a" (client, vip
# 198.18.0.1) and "b" (server, LAN address 198.51.100.1).  In each, one
# tests/tools/dp-static --dp kernel holds the CHILD_SA in kernel XFRM.
# Checked: dataplane auto picks kernel XFRM; for ESP-in-UDP and raw ESP:
# states and out/in/fwd policies installed, ping through the SAs, the
# SA counters read back from the kernel, everything removed at exit;
# lifetimes: the kernel's soft and hard expire messages reach
# dp_events.expire and the hard-expired state is gone; a DHCPINFORM from
# the client's vip is captured after the kernel decrypted it and answered
# through the tunnel (dp_xfrm_dhcp.c).  dp-static and dp-xfrm-check are
# ASan/UBSan builds; inside the VM they run with leak detection on, and a
# sanitizer report in any run's output fails the script.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
vm=${RG_VM_DIR:-$top/../shared/vm}
if [ "${RG_VM_TESTS:-0}" != 1 ] || [ "$(id -u)" != 0 ] || [ ! -x "$vm/vm-run" ]; then
	echo "SKIP dp_xfrm_vm: set RG_VM_TESTS=1 (needs root and $vm)"
	exit 0
fi
for t in dp-static dp-xfrm-check dhcp-inform-client; do
	[ -x "$build/tests/tools/$t" ] || { echo "FAIL dp_xfrm_vm: $t not built"; exit 1; }
done
export VM_CACHE=${RG_VM_CACHE:-/var/tmp/rgdp-vm}
work=$(mktemp -d /tmp/rgdp-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
# FORCE: the cache key is the file list, not the binaries' contents
if ! FORCE=1 VM_EXTRA_PATHS="$build/tests/tools/dp-static:/usr/local/bin/dp-static $build/tests/tools/dp-xfrm-check:/usr/local/bin/dp-xfrm-check $build/tests/tools/dhcp-inform-client:/usr/local/bin/dhcp-inform-client" \
    "$vm/build-image" >"$work/build.log" 2>&1; then
	echo "FAIL dp_xfrm_vm.image: $(tail -3 "$work/build.log" | tr '\n' ' ')"
	exit 1
fi

cat >"$work/role.sh" <<'ROLE'
#!/bin/sh
# runs inside the VM
set -u
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=24
modprobe -a esp4 esp6 xfrm_user xfrm4_tunnel >/dev/null 2>&1
fails=0
p() { echo "PASS $1"; }
f() { echo "FAIL $1: $2"; fails=1; }

k=$(dp-xfrm-check auto 2>/tmp/auto-check.out | awk '/^KIND/ {print $2}')
[ "$k" = kernel ] && p dp_xfrm_vm.auto_picks_kernel || f dp_xfrm_vm.auto_picks_kernel "got '$k'"

ip netns add a; ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 192.0.2.2/24 dev va; ip -n b addr add 192.0.2.1/24 dev vb
for n in a b; do ip -n $n link set lo up; done
ip -n a link set va up; ip -n b link set vb up
ip -n a addr add 198.18.0.1/32 dev lo
ip -n b addr add 198.51.100.1/32 dev lo
ip -n a route add 198.51.100.0/24 via 192.0.2.1 src 198.18.0.1
ip -n b route add 198.18.0.1/32 via 192.0.2.2

KA=000102030405060708090a0b0c0d0e0f10111213
KB=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00112233
start() {	# start NAME EXTRA...
	name=$1; shift
	ip netns exec b dp-static --dp kernel --local 192.0.2.1 --peer 192.0.2.2 \
	    --spi-in c0000002 --spi-out c0000001 --key-in $KA --key-out $KB \
	    --ts-local 198.51.100.0/24 --ts-remote 198.18.0.1/32 "$@" ${B_EXTRA:-} \
	    >/tmp/$name-b.out 2>&1 &
	pb=$!
	ip netns exec a dp-static --dp kernel --local 192.0.2.2 --peer 192.0.2.1 \
	    --spi-in c0000001 --spi-out c0000002 --key-in $KB --key-out $KA \
	    --ts-local 198.18.0.1/32 --ts-remote 198.51.100.0/24 "$@" \
	    >/tmp/$name-a.out 2>&1 &
	pa=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q READY /tmp/$name-a.out && grep -q READY /tmp/$name-b.out && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
stop() { kill $pa $pb; wait $pa $pb 2>/dev/null; }

for mode in udp raw; do
	extra=""
	[ $mode = raw ] && extra=--raw
	if ! start $mode $extra; then
		f dp_xfrm_vm.$mode.start "$(cat /tmp/$mode-a.out /tmp/$mode-b.out | tail -4 | tr '\n' ' ')"
		stop; continue
	fi
	ns=$(ip -n a xfrm state | grep -c '^src'); np=$(ip -n a xfrm policy | grep -c '^src')
	if [ "$ns" = 2 ] && [ "$np" = 3 ] && { [ $mode = raw ] || ip -n a xfrm state | grep -q 'encap type espinudp sport 4500 dport 4500'; }; then
		p "dp_xfrm_vm.$mode.installed"
	else
		f dp_xfrm_vm.$mode.installed "$ns states, $np policies: $(ip -n a xfrm state | tr '\n' ' ')"
	fi
	if ip netns exec a ping -c 3 -i 0.3 -W 2 -I 198.18.0.1 198.51.100.1 >/tmp/ping 2>&1; then
		p "dp_xfrm_vm.$mode.ping_through_kernel_esp"
	else
		f dp_xfrm_vm.$mode.ping_through_kernel_esp "$(tail -2 /tmp/ping | tr '\n' ' ')"
	fi
	stop
	n=$(awk '$1 == "COUNTERS" && $2 == "in" { split($4, x, "="); print x[2] }' /tmp/$mode-b.out)
	[ -n "$n" ] && [ "$n" -ge 3 ] && p "dp_xfrm_vm.$mode.kernel_counters ($n packets in)" ||
	    f dp_xfrm_vm.$mode.kernel_counters "$(grep COUNTERS /tmp/$mode-b.out | tr '\n' ' ')"
	ns=$(ip -n a xfrm state | grep -c '^src'); np=$(ip -n a xfrm policy | grep -c '^src')
	ns=$((ns + $(ip -n b xfrm state | grep -c '^src'))); np=$((np + $(ip -n b xfrm policy | grep -c '^src')))
	[ "$ns" = 0 ] && [ "$np" = 0 ] && p "dp_xfrm_vm.$mode.removed_on_exit" ||
	    f dp_xfrm_vm.$mode.removed_on_exit "$ns states, $np policies left"
done

# MOBIKE-style move: b's outer address becomes 192.0.2.3 on both ends
# (dp_sa_update_addrs on SIGUSR2): states re-added with the new
# addresses and their sequence numbers, policies' templates with them.
# Raw ESP: dp-static's 4500 socket is bound to the old address.
ip -n b addr add 192.0.2.3/24 dev vb
ip netns exec b dp-static --dp kernel --local 192.0.2.1 --peer 192.0.2.2 \
    --spi-in c0000004 --spi-out c0000003 --key-in $KA --key-out $KB \
    --ts-local 198.51.100.0/24 --ts-remote 198.18.0.1/32 --move-local 192.0.2.3 --raw \
    >/tmp/mv-b.out 2>&1 &
pb=$!
ip netns exec a dp-static --dp kernel --local 192.0.2.2 --peer 192.0.2.1 \
    --spi-in c0000003 --spi-out c0000004 --key-in $KB --key-out $KA \
    --ts-local 198.18.0.1/32 --ts-remote 198.51.100.0/24 --move-peer 192.0.2.3 --raw \
    >/tmp/mv-a.out 2>&1 &
pa=$!
i=0
while [ $i -lt 100 ] && ! { grep -q READY /tmp/mv-a.out && grep -q READY /tmp/mv-b.out; }; do
	sleep 0.1; i=$((i + 1))
done
ip netns exec a ping -c 2 -i 0.3 -W 2 -I 198.18.0.1 198.51.100.1 >/dev/null 2>&1
kill -USR2 $pa $pb
sleep 1
oseq=$(ip -n a xfrm state | grep -A8 'src 192.0.2.2 dst 192.0.2.3' | grep -o ' oseq 0x[0-9a-f]*' | head -1)
if grep -q 'MOVED 0' /tmp/mv-a.out && grep -q 'MOVED 0' /tmp/mv-b.out &&
    [ -n "$oseq" ] && [ "$oseq" != " oseq 0x0" ] &&
    ip netns exec a ping -c 2 -i 0.3 -W 2 -I 198.18.0.1 198.51.100.1 >/dev/null 2>&1; then
	p "dp_xfrm_vm.update_addrs ($oseq carried over, ping after the move)"
else
	f dp_xfrm_vm.update_addrs "$(grep MOVED /tmp/mv-a.out /tmp/mv-b.out | tr '\n' ' ') [$oseq] $(ip -n a xfrm state | grep '^src' | tr '\n' ' ')"
fi
stop

# DHCPINFORM through kernel XFRM (Windows asks for its split routes so):
# the server end captures it after the kernel decrypted it and answers
# through the SA's outbound policy (dp_xfrm_dhcp.c); the client gets a
# DHCPACK with the split route (options 121 and 249).
if B_EXTRA="--dhcp-split 198.51.100.0/24" start dhcp; then
	out=$(ip netns exec a dhcp-inform-client --vip 198.18.0.1 --server 198.51.100.1 \
	    --timeout-ms 8000 2>&1)
	if echo "$out" | grep -qx "msgtype 5" &&
	    echo "$out" | grep -qx "route121 198.51.100.0/24 via 198.51.100.1" &&
	    echo "$out" | grep -qx "route249 198.51.100.0/24 via 198.51.100.1" &&
	    grep -q "DHCP reqid=.* answered 0" /tmp/dhcp-b.out; then
		p "dp_xfrm_vm.dhcp_inform_answered"
	else
		f dp_xfrm_vm.dhcp_inform_answered "client: $(echo "$out" | tr '\n' ' ') server: $(grep DHCP /tmp/dhcp-b.out | tr '\n' ' ') b: $(ip -s -n b xfrm state | grep -E '^src|packets' | tr '\n' ' ') a: $(ip -s -n a xfrm state | grep -E '^src|packets' | tr '\n' ' ') $(ip netns exec a cat /proc/net/snmp | grep -E '^(Udp|Ip):' | tr '\n' ' ') xfrm_stat: $(ip netns exec a cat /proc/net/xfrm_stat | grep -v ' 0$' | tr '\n' ' ')"
	fi
	stop
else
	f dp_xfrm_vm.dhcp_start "$(tail -3 /tmp/dhcp-b.out | tr '\n' ' ')"
	stop
fi

# lifetimes: soft at 2 s, hard at 4 s (kernel timers), reported to us
if start life --soft-time 2 --hard-time 4; then
	i=0
	while [ $i -lt 100 ]; do
		grep -q 'EXPIRE.*in hard' /tmp/life-b.out && grep -q 'EXPIRE.*out hard' /tmp/life-b.out && break
		sleep 0.1; i=$((i + 1))
	done
	if grep -q 'EXPIRE.* soft' /tmp/life-b.out && grep -q 'EXPIRE.*in hard' /tmp/life-b.out &&
	    [ "$(ip -n b xfrm state | grep -c '^src')" = 0 ]; then
		p "dp_xfrm_vm.expire_events ($(grep -c EXPIRE /tmp/life-b.out) events)"
	else
		f dp_xfrm_vm.expire_events "$(grep EXPIRE /tmp/life-b.out | tr '\n' ' ') states: $(ip -n b xfrm state | grep -c '^src')"
	fi
	stop
else
	f dp_xfrm_vm.expire_start "$(tail -3 /tmp/life-b.out | tr '\n' ' ')"
	stop
fi
# every program run here stopped: no sanitizer report in its output
for o in /tmp/*.out; do
	r=$(grep -m1 -E 'ERROR: (Address|Leak|Memory)Sanitizer|runtime error:|LeakSanitizer has encountered a fatal error' "$o") || continue
	f dp_xfrm_vm.sanitizers "$(basename "$o" .out): $r"
done
exit $fails
ROLE

"$vm/vm-run" --role "$work/role.sh" --dir "$work/run" --timeout 300 --quiet \
    --mem 512 >"$work/vm.log" 2>&1
rc=$?
log=$work/run/out/role.log
if [ ! -f "$log" ]; then
	echo "FAIL dp_xfrm_vm.boot: rc $rc, $(tail -3 "$work/vm.log" | tr '\n' ' ')"
	exit 1
fi
grep -E '^(PASS|FAIL) ' "$log"
grep -q '^FAIL ' "$log" && exit 1
[ $rc -eq 0 ] || { echo "FAIL dp_xfrm_vm.exit: role exit $rc"; exit 1; }
exit 0
