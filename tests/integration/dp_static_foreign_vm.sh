#!/usr/bin/env bash
# dp_static_foreign_vm.sh: roadgate's userspace ESP data plane (tests/
# tools/dp-static, TUN) against a foreign ESP peer: the Linux kernel's
# own ESP (esp4, XFRM states and policies written with iproute2, no
# roadgate code), in the full-kernel VM bed (../shared/vm, stock Debian
# kernel, TCG).  dp_static and dp_fwd put dp-static on both ends of the
# tunnel, so a mistake made the same way on both sides passes there;
# here the other end is an independent implementation.  Opt-in:
# RG_VM_TESTS=1 (root; one core busy for about half a minute).
#
# Inside the VM, namespaces "a" (kernel ESP, vip 198.18.0.1) and "b"
# (dp-static, LAN address 198.51.100.1), joined by a veth.  Raw ESP (IP
# protocol 50): kernel ESP-in-UDP would need a socket with
# UDP_ENCAP_ESPINUDP, i.e. an IKE daemon.  Per transform (AES-128-GCM;
# AES-256-CBC with HMAC-SHA-256-128):
#   <alg>.ping            198.18.0.1 -> 198.51.100.1 through both stacks
#   <alg>.counters        dp-static's SA counters: packets in and out,
#                         no auth or replay drops; the kernel's SAs moved
#   <alg>.stopped_drops   after dp-static stops nothing passes (while it
#                         passed just before)
#   sanitizers            dp-static (ASan/UBSan, leaks on) printed no report
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
vm=${RG_VM_DIR:-$top/../shared/vm}
suite=dp_static_foreign_vm
if [ "${RG_VM_TESTS:-0}" != 1 ] || [ "$(id -u)" != 0 ] || [ ! -x "$vm/vm-run" ]; then
	echo "SKIP $suite: set RG_VM_TESTS=1 (needs root and $vm)"
	exit 0
fi
[ -x "$build/tests/tools/dp-static" ] || { echo "FAIL $suite: dp-static not built"; exit 1; }
export VM_CACHE=${RG_VM_CACHE:-/var/tmp/rgsf-vm}
work=$(mktemp -d /tmp/rgsf-vm.XXXXXX)
vmpid=""
cleanup() {
	if [ -n "$vmpid" ]; then	# vm-run kills its own qemu on TERM
		kill -TERM "$vmpid" 2>/dev/null
		wait "$vmpid" 2>/dev/null
	fi
	if [ -n "${RG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# FORCE: the cache key is the file list, not the binary's contents
if ! FORCE=1 VM_EXTRA_PATHS="$build/tests/tools/dp-static:/usr/local/bin/dp-static" \
    "$vm/build-image" >"$work/build.log" 2>&1; then
	echo "FAIL $suite.image: $(tail -3 "$work/build.log" | tr '\n' ' ')"
	exit 1
fi

cat >"$work/role.sh" <<'ROLE'
#!/bin/sh
# runs inside the VM
set -u
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=24
S=dp_static_foreign_vm
modprobe -a esp4 xfrm_user xfrm4_tunnel tun >/dev/null 2>&1
fails=0
p() { echo "PASS $S.$1"; }
f() { echo "FAIL $S.$1: $2"; fails=1; }

ip netns add a; ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 192.0.2.2/24 dev va; ip -n b addr add 192.0.2.1/24 dev vb
for n in a b; do ip -n $n link set lo up; done
ip -n a link set va up; ip -n b link set vb up
ip -n a addr add 198.18.0.1/32 dev lo
ip -n b addr add 198.51.100.1/32 dev lo
ip -n a route add 198.51.100.0/24 via 192.0.2.1 src 198.18.0.1

# a -> b: SPI c0000002, key A; b -> a: SPI c0000001, key B
EA=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
EB=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f
IA=2021222324252627282930313233343536373839404142434445464748494a4b
IB=c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf
for alg in gcm cbc; do
	case $alg in
	gcm)	ka=$(echo $EA | cut -c1-40); kb=$(echo $EB | cut -c1-40)
		xa="aead rfc4106(gcm(aes)) 0x$ka 128"
		xb="aead rfc4106(gcm(aes)) 0x$kb 128"
		ds="--encr aes128gcm --key-in $ka --key-out $kb" ;;
	cbc)	xa="enc cbc(aes) 0x$EA auth-trunc hmac(sha256) 0x$IA 128"
		xb="enc cbc(aes) 0x$EB auth-trunc hmac(sha256) 0x$IB 128"
		ds="--encr aes256 --integ sha256 --key-in $EA --key-out $EB --ikey-in $IA --ikey-out $IB" ;;
	esac
	# the foreign end: the kernel's ESP, configured by hand
	ip -n a xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0xc0000002 \
	    reqid 1 mode tunnel $xa
	ip -n a xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc0000001 \
	    reqid 1 mode tunnel $xb
	ip -n a xfrm policy add src 198.18.0.1/32 dst 198.51.100.0/24 dir out \
	    tmpl src 192.0.2.2 dst 192.0.2.1 proto esp reqid 1 mode tunnel
	ip -n a xfrm policy add src 198.51.100.0/24 dst 198.18.0.1/32 dir in \
	    tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 1 mode tunnel
	# roadgate's end: userspace ESP over a TUN, raw ESP
	ip netns exec b dp-static --dp userspace --tun rgs0 --raw --local 192.0.2.1 \
	    --peer 192.0.2.2 --spi-in c0000002 --spi-out c0000001 $ds \
	    --ts-local 198.51.100.0/24 --ts-remote 198.18.0.1/32 --route 198.18.0.1/32 \
	    >/tmp/$alg.out 2>&1 &
	pb=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q READY /tmp/$alg.out; do sleep 0.1; i=$((i + 1)); done
	if ip netns exec a ping -c 3 -i 0.3 -W 2 -I 198.18.0.1 198.51.100.1 >/tmp/ping-$alg 2>&1; then
		p "$alg.ping (kernel ESP -> dp-static and back)"
		passed=1
	else
		f "$alg.ping" "$(tail -2 /tmp/ping-$alg | tr '\n' ' ') $(tail -3 /tmp/$alg.out | tr '\n' ' ')"
		passed=0
	fi
	kst=$(ip -s -n a xfrm state | awk '/lifetime current:/ { getline; sub(/\(.*/, "", $1); printf "%s ", $1 }')
	kill $pb; wait $pb 2>/dev/null
	cin=$(grep '^COUNTERS in' /tmp/$alg.out); cout=$(grep '^COUNTERS out' /tmp/$alg.out)
	pin=$(echo "$cin" | sed -n 's/.* packets=\([0-9]*\).*/\1/p')
	pout=$(echo "$cout" | sed -n 's/.* packets=\([0-9]*\).*/\1/p')
	if [ "${pin:-0}" -ge 3 ] && [ "${pout:-0}" -ge 3 ] &&
	    echo "$cin" | grep -q ' replay=0 auth=0 ' && ! echo "$kst" | grep -qw 0; then
		p "$alg.counters (dp-static in $pin, out $pout packets, no drops; kernel SA bytes: $kst)"
	else
		f "$alg.counters" "$cin / $cout / kernel $kst"
	fi
	if [ $passed = 1 ] && ! ip netns exec a ping -c 2 -i 0.3 -W 1 -I 198.18.0.1 198.51.100.1 >/dev/null 2>&1; then
		p "$alg.stopped_drops"
	else
		f "$alg.stopped_drops" "passed before: $passed; still passing after dp-static stopped?"
	fi
	ip -n a xfrm state flush; ip -n a xfrm policy flush
done
san=0
for o in /tmp/*.out; do
	r=$(grep -m1 -E 'ERROR: (Address|Leak|Memory)Sanitizer|runtime error:|LeakSanitizer has encountered a fatal error' "$o") || continue
	f sanitizers "$(basename "$o" .out): $r"
	san=1
done
[ $san = 0 ] && p sanitizers
exit $fails
ROLE

"$vm/vm-run" --role "$work/role.sh" --dir "$work/run" --timeout 200 --quiet \
    --mem 512 >"$work/vm.log" 2>&1 &
vmpid=$!
wait "$vmpid"
rc=$?
vmpid=""
log=$work/run/out/role.log
if [ ! -f "$log" ]; then
	echo "FAIL $suite.boot: rc $rc, $(tail -3 "$work/vm.log" | tr '\n' ' ')"
	exit 1
fi
grep -E '^(PASS|FAIL) ' "$log"
grep -q '^FAIL ' "$log" && exit 1
[ $rc -eq 0 ] || { echo "FAIL $suite.exit: role exit $rc"; exit 1; }
exit 0
