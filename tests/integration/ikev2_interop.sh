#!/usr/bin/env bash
# ikev2_interop.sh: the IKEv2 responder against a real strongSwan client
# in the test bed's network namespaces (../shared/testbed): profiles
# ikev2-psk, ikev2-cert, ikev2-eap-mschapv2, ikev2-eap-tls, with the
# userspace data plane (ping through the tunnel); IKEV2_INTEROP_NOPING=1
# for the control plane only.
# Needs root; skips (PASS-less, exit 0) without the bed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
resp=$build/tests/tools/ike-test-responder
profiles=(-p ikev2-psk -p ikev2-cert)
[ "${IKEV2_INTEROP_EAP:-1}" = 1 ] && profiles+=(-p ikev2-eap-mschapv2 -p ikev2-eap-tls)

if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_interop: needs root and $bed"
	exit 0
fi
if [ ! -x "$resp" ]; then
	echo "FAIL ikev2_interop: $resp not built"
	exit 1
fi
out=$(mktemp)
if [ "${IKEV2_INTEROP_NOPING:-0}" = 1 ]; then
	timeout 300 "$bed/run-interop.sh" --no-ping "${profiles[@]}" -- "$resp" >"$out" 2>&1
else
	timeout 300 "$bed/run-interop.sh" "${profiles[@]}" -- "$resp" --dp userspace >"$out" 2>&1
fi
rc=$?
cat "$out"
fail=0
for p in "${profiles[@]}"; do
	[ "$p" = -p ] && continue
	line=$(grep "^RESULT $p " "$out")
	case $line in
	"RESULT $p PASS"*) echo "PASS ikev2_interop.$p" ;;
	*) echo "FAIL ikev2_interop.$p: ${line:-no result (rc $rc)}"; fail=1 ;;
	esac
done
rm -f "$out"
slog=${TB_STATE:-/tmp/vpn-testbed}/server-under-test.log
if [ -s "$slog" ] && grep -Eq "ERROR: [A-Za-z]+Sanitizer|runtime error:" "$slog"; then
	echo "FAIL ikev2_interop.sanitizer: $(grep -Em1 'Sanitizer|runtime error' "$slog")"
	fail=1
fi
exit $fail
