#!/usr/bin/env bash
# The IKEv1 interop contract: the real strongSwan IKEv1 client of
# ../shared/testbed against roadgated started and configured by
# tests/interop/serve (roadgatectl alone): main mode with the bed's PSK
# and aggressive mode with the group testbed-group, XAuth as alice, mode-config (virtual IP, DNS, Unity split-include) and a
# quick-mode tunnel, with ping through roadgated's userspace ESP to the LAN;
# and the L2TP/IPsec profile (main mode PSK, quick mode in transport mode,
# UDP/1701), which this bed can only negotiate: NEGOTIATED is its pass.
# Needs root and network namespaces.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tb=$top/../shared/testbed
profiles="ikev1-xauth-psk ikev1-xauth-psk-aggr ikev1-l2tp-psk"
if [ "$(id -u)" != 0 ] || [ ! -x "$tb/run-interop.sh" ] || ! command -v charon-systemd >/dev/null 2>&1 &&
    [ ! -x /usr/sbin/charon-systemd ]; then
	echo "FAIL ikev1_interop.setup: needs root, ../shared/testbed and strongSwan (../shared/install-deps)"
	exit 1
fi
export RG_BUILD=${RG_BUILD:-$top/build-test}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
args=()
for p in $profiles; do
	args+=(-p "$p")
done
timeout 600 "$tb/run-interop.sh" "${args[@]}" -- "$top/tests/interop/serve" \
	>"$out" 2>&1
rc=$?
cat "$out"
for p in $profiles; do
	line=$(grep "^RESULT $p " "$out")
	case $line in
	"RESULT $p PASS"*) echo "PASS ikev1_interop.$p" ;;
	"RESULT ikev1-l2tp-psk NEGOTIATED"*) echo "PASS ikev1_interop.$p" ;;
	"") echo "FAIL ikev1_interop.$p: no result (run-interop exit $rc)" ;;
	*) echo "FAIL ikev1_interop.$p: ${line#RESULT $p }" ;;
	esac
done
log=${TB_STATE:-/tmp/vpn-testbed}/server-under-test.log
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" 2>/dev/null; then
	echo "FAIL ikev1_interop.sanitizers: roadgated reported errors (see $log)"
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -5
elif grep -q 'roadgated stopped' "$log" 2>/dev/null; then
	echo "PASS ikev1_interop.clean_shutdown"
else
	echo "FAIL ikev1_interop.clean_shutdown: no 'roadgated stopped' in $log"
fi
if grep -q "XAuth: user 'alice' authenticated" "$log" 2>/dev/null; then
	echo "PASS ikev1_interop.xauth_user_logged"
else
	echo "FAIL ikev1_interop.xauth_user_logged: no XAuth line for alice in $log"
fi
exit $rc
