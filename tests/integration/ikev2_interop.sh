#!/usr/bin/env bash
# ikev2_interop.sh: roadgated (started and configured with roadgatectl
# alone by tests/interop/serve) against a real strongSwan client in the
# test bed's namespaces (../shared/testbed): profiles ikev2-psk,
# ikev2-cert, ikev2-eap-mschapv2, ikev2-eap-tls, with the userspace data
# plane (ping through the tunnel); IKEV2_INTEROP_NOPING=1 for the control
# plane only.  Then the client signing with RSASSA-PSS, and a bed whose
# certificates are all ECDSA.  roadgated's log of each run (the harness
# writes it anew every time) must hold no sanitizer report.
# Needs root; skips (a SKIP line, exit 0) without the bed.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
serve=$top/tests/interop/serve
export RG_BUILD=$build
profiles=(-p ikev2-psk -p ikev2-cert)
[ "${IKEV2_INTEROP_EAP:-1}" = 1 ] && profiles+=(-p ikev2-eap-mschapv2 -p ikev2-eap-tls)

if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_interop: needs root and $bed"
	exit 0
fi
if [ ! -x "$build/roadgated" ]; then
	echo "FAIL ikev2_interop: $build/roadgated not built"
	exit 1
fi
. "$top/tests/integration/sanitizer_lib.bash"
slog=${TB_STATE:-/tmp/vpn-testbed}/server-under-test.log
fail=0
out=$(mktemp)
if [ "${IKEV2_INTEROP_NOPING:-0}" = 1 ]; then
	timeout 300 "$bed/run-interop.sh" --no-ping "${profiles[@]}" -- "$serve" >"$out" 2>&1
else
	timeout 300 "$bed/run-interop.sh" "${profiles[@]}" -- "$serve" --set dataplane=userspace >"$out" 2>&1
fi
rc=$?
cat "$out"
sanitizer_check ikev2_interop.sanitizers roadgated "$slog" || fail=1
for p in "${profiles[@]}"; do
	[ "$p" = -p ] && continue
	line=$(grep "^RESULT $p " "$out")
	case $line in
	"RESULT $p PASS"*) echo "PASS ikev2_interop.$p" ;;
	*) echo "FAIL ikev2_interop.$p: ${line:-no result (rc $rc)}"; fail=1 ;;
	esac
done
# Signature variants: the client signs with RSASSA-PSS (RFC 7427), and a
# bed whose certificates are all ECDSA P-256 (its own state directory).
echo "rsa_pss = yes" >"$out.pss"
line=$(SW_CHARON_EXTRA=$out.pss timeout 200 "$bed/run-interop.sh" --no-ping \
    -p ikev2-cert -- "$serve" 2>&1 | grep "^RESULT ikev2-cert ")
case $line in
*" PASS "*) echo "PASS ikev2_interop.rsa-pss" ;;
*) echo "FAIL ikev2_interop.rsa-pss: ${line:-no result}"; fail=1 ;;
esac
sanitizer_check ikev2_interop.rsa-pss.sanitizers roadgated "$slog" || fail=1
ecstate=/tmp/vpn-testbed-ikev2-ecdsa
line=$(TB_STATE=$ecstate TB_KEY_TYPE=ecdsa timeout 200 "$bed/run-interop.sh" \
    --no-ping -p ikev2-cert -p ikev2-eap-tls -- "$serve" 2>&1 | grep "^RESULT ")
if [ "$(grep -c " PASS " <<<"$line")" = 2 ]; then
	echo "PASS ikev2_interop.ecdsa"
else
	echo "FAIL ikev2_interop.ecdsa: ${line:-no result}"
	fail=1
fi
sanitizer_check ikev2_interop.ecdsa.sanitizers roadgated \
    "$ecstate/server-under-test.log" || fail=1
rm -rf "$ecstate" "$out.pss"
rm -f "$out"
exit $fail
