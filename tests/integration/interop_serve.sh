#!/usr/bin/env bash
# The IKEv2 interop contract: the real strongSwan client of ../shared/testbed
# against roadgated started and configured by tests/interop/serve (roadgatectl
# alone), profiles PSK, certificate, EAP-MSCHAPv2 and EAP-TLS, each with a
# virtual IP, DNS and ping through roadgated's userspace ESP to the LAN.
# roadgated's log (both runs that serve makes) must hold no sanitizer
# report.  Needs root and network namespaces.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tb=${TB_HOME:-$top/../shared/testbed}
. "$top/tests/integration/sanitizer_lib.bash"
if [ "$(id -u)" != 0 ] || [ ! -x "$tb/run-interop.sh" ] || ! command -v charon-systemd >/dev/null 2>&1 &&
    [ ! -x /usr/sbin/charon-systemd ]; then
	echo "FAIL interop.setup: needs root, ../shared/testbed and strongSwan (../shared/install-deps)"
	exit 1
fi
export RG_BUILD=${RG_BUILD:-$top/build-test}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 600 "$tb/run-interop.sh" -p ikev2-psk -p ikev2-cert -p ikev2-eap-mschapv2 \
	-p ikev2-eap-tls -- "$top/tests/interop/serve" >"$out" 2>&1
rc=$?
cat "$out"
for p in ikev2-psk ikev2-cert ikev2-eap-mschapv2 ikev2-eap-tls; do
	line=$(grep "^RESULT $p " "$out")
	case $line in
	"RESULT $p PASS"*) echo "PASS interop.$p" ;;
	"") echo "FAIL interop.$p: no result (run-interop exit $rc)" ;;
	*) echo "FAIL interop.$p: ${line#RESULT $p }" ;;
	esac
done
log=${TB_STATE:-/tmp/vpn-testbed}/server-under-test.log
if ! sanitizer_check interop.sanitizers roadgated "$log"; then
	rc=1
elif grep -q 'roadgated stopped' "$log" 2>/dev/null; then
	echo "PASS interop.clean_shutdown"
else
	echo "FAIL interop.clean_shutdown: no 'roadgated stopped' in $log"
fi
exit $rc
