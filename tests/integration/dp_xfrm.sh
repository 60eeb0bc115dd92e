#!/usr/bin/env bash
# dp_xfrm.sh: the kernel XFRM backend against this kernel, inside a
# network namespace of our own (rgdp-x*).  `auto` must pick the backend
# the kernel supports (this one has XFRM netlink but no ESP: userspace);
# the backend's ESP SAs are tried (refused here, installed on an ESP
# kernel); the CHILD_SA's policies (out, in, fwd: vip/32 <-> LAN/24,
# template = the outer addresses, reqid) must appear in `ip xfrm policy`,
# and dp_free() must remove every policy and state it installed.
# dp-xfrm-check is an ASan/UBSan build: a sanitizer report fails.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
tool=$build/tests/tools/dp-xfrm-check
[ "$(id -u)" = 0 ] || { echo "SKIP dp_xfrm: needs root"; exit 0; }
[ -x "$tool" ] || { echo "FAIL dp_xfrm: $tool not built"; exit 1; }
. "$top/tests/integration/sanitizer_lib.bash"
NS=rgdp-x$$
out=$(mktemp /tmp/rgdp-x.XXXXXX)
pid=
fails=0
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

ip netns add "$NS" || { echo "FAIL dp_xfrm.setup: netns"; exit 1; }
ip -n "$NS" link set lo up
esp_ok=no
ip -n "$NS" xfrm state add src 192.0.2.9 dst 192.0.2.8 proto esp spi 0x99 \
    mode tunnel aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 \
    >/dev/null 2>&1 && esp_ok=yes
ip -n "$NS" xfrm state flush

kind=$(ip netns exec "$NS" "$tool" auto 2>"$out.log" | awk '/^KIND/ {print $2}')
want=userspace
[ $esp_ok = yes ] && want=kernel
if [ "$kind" = "$want" ] && grep -q 'dataplane auto' "$out.log"; then
	pass "dp_xfrm.auto_picks_$want ($(grep -o 'dataplane auto.*' "$out.log" | head -1))"
else
	fail dp_xfrm.auto "got '$kind', want $want: $(cat "$out.log")"
fi
sanitizer_check dp_xfrm.auto.sanitizers "dp-xfrm-check auto" "$out.log" || fails=$((fails + 1))
rm -f "$out.log"

ip netns exec "$NS" "$tool" install >"$out" 2>&1 &
pid=$!
for i in $(seq 50); do grep -q READY "$out" && break; sleep 0.1; done
if ! grep -q READY "$out"; then
	fail dp_xfrm.install "$(cat "$out")"
	exit 1
fi
if [ $esp_ok = yes ]; then
	grep -q 'SA ok' "$out" && pass dp_xfrm.sa_installed || fail dp_xfrm.sa_installed "$(cat "$out")"
	n=$(ip -n "$NS" xfrm state | grep -c '^src')
	[ "$n" = 2 ] && pass dp_xfrm.states_present || fail dp_xfrm.states_present "$n states"
else
	grep -q 'SA refused' "$out" && pass dp_xfrm.sa_refused_without_esp ||
	    fail dp_xfrm.sa_refused_without_esp "$(cat "$out")"
fi
pol=$(ip -n "$NS" xfrm policy)
n=$(echo "$pol" | grep -c '^src')
if [ "$n" = 3 ] &&
    echo "$pol" | grep -q 'src 198.51.100.0/24 dst 198.18.0.1/32' &&
    echo "$pol" | grep -q 'dir out' && echo "$pol" | grep -q 'dir in' &&
    echo "$pol" | grep -q 'dir fwd' &&
    echo "$pol" | grep -q 'tmpl src 192.0.2.1 dst 192.0.2.2' &&
    echo "$pol" | grep -q 'reqid 4242 mode tunnel'; then
	pass dp_xfrm.policies_installed
else
	fail dp_xfrm.policies_installed "$(echo "$pol" | tr '\n' ' ')"
fi
kill -TERM "$pid"
wait "$pid"
pid=
n=$(ip -n "$NS" xfrm policy | grep -c '^src')
s=$(ip -n "$NS" xfrm state | grep -c '^src')
if grep -q DONE "$out" && [ "$n" = 0 ] && [ "$s" = 0 ]; then
	pass dp_xfrm.all_removed_on_free
else
	fail dp_xfrm.all_removed_on_free "$n policies, $s states left: $(tail -3 "$out")"
fi
sanitizer_check dp_xfrm.install.sanitizers "dp-xfrm-check install" "$out" || fails=$((fails + 1))
[ $fails -eq 0 ]
