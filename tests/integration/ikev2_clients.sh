#!/usr/bin/env bash
# ikev2_clients.sh: a real strongSwan client configured with exactly the
# default IKE/ESP proposals of each client OS (PRODUCT.md facts 1, 6, 11)
# against roadgated (started and configured with roadgatectl alone by
# tests/interop/serve, whose --preset sets the "proposals" setting): all
# connect with the "compatible" preset; with "modern" all but Windows
# connect, and each Windows client is refused for its own offer: its
# connection's result names NO_PROPOSAL_CHOSEN (the client received it)
# and roadgated's NO_PROPOSAL_CHOSEN log line lists a proposal only that
# client offers.  roadgated's log must hold no sanitizer report.
# Needs root and ../shared/testbed; control plane only.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
serve=$top/tests/interop/serve
export RG_BUILD=$build
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_clients: needs root and $bed"
	exit 0
fi
. "$top/tests/integration/sanitizer_lib.bash"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# A proposal of each Windows client that the other does not offer, as the
# server's log writes the received proposals.
declare -A own=(
	[win10]="AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/MODP_1024"
	[win11]="AES_GCM_16_256/PRF_HMAC_SHA2_384/MODP_1024"
)
# name | IKE proposals | ESP proposals (swanctl syntax)
while IFS='|' read -r name ike esp; do
	[ -n "$name" ] || continue
	sed -e "s/ikev2-psk/$name/g" \
	    -e "s/^\( *\)proposals = default/\1proposals = $ike/" \
	    -e "s/^\( *\)esp_proposals = default/\1esp_proposals = $esp/" \
	    "$bed/profiles/client/ikev2-psk.conf" >"$dir/$name.conf"
done <<'LIST'
win10|aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024,aes256-sha256-modp1024,aes256-sha384-modp1024|aes256-sha1,aes128-sha1,3des-sha1
win11|aes256gcm16-prfsha384-modp1024,aes128gcm16-prfsha256-modp1024,aes256-sha1-modp1024,3des-sha1-modp1024|aes256-sha1,aes128-sha1
ios|aes256-sha256-modp2048,aes256-sha256-ecp256,aes128-sha1-modp1024,3des-sha1-modp1024|aes256-sha256,aes128-sha1,3des-sha1
macos|aes256-sha256-modp2048,aes128-sha1-modp1024,3des-sha1-modp1024|aes256-sha256,aes128-sha1,3des-sha1
android11|aes256-aes128-sha256-sha512-prfsha1-modp2048-modp3072-modp4096|aes256-aes128-sha256-sha512
android12|aes256gcm16-chacha20poly1305-prfsha256-prfsha1-curve25519-modp2048,aes256-sha256-prfsha256-curve25519-modp2048|aes256gcm16-chacha20poly1305,aes256-sha256
sswan-app|default|aes128gcm16-aes256gcm16-curve25519,aes128gcm16-aes256gcm16
LIST
all=(win10 win11 ios macos android11 android12 sswan-app)
fail=0
for preset in compatible modern; do
	args=()
	for p in "${all[@]}"; do args+=(-p "$p"); done
	out=$(TB_CLIENT_PROFILES=$dir timeout 400 "$bed/run-interop.sh" \
	    --no-ping "${args[@]}" -- "$serve" --preset $preset 2>&1)
	slog=${TB_STATE:-/tmp/vpn-testbed}/server-under-test.log
	log=$(cat "$slog" 2>/dev/null)
	for p in "${all[@]}"; do
		line=$(grep "^RESULT $p " <<<"$out")
		want=PASS
		[ $preset = modern ] && [ "${p#win}" != "$p" ] && want=FAIL
		case $line in
		"RESULT $p $want"*)
			if [ $want = FAIL ] && ! grep -q "NO_PROPOSAL_CHOSEN" <<<"$line"; then
				echo "FAIL ikev2_clients.$preset.$p: refused, but not with NO_PROPOSAL_CHOSEN: $line"
				fail=1
			elif [ $want = FAIL ] && ! grep -A1 "IKE_SA_INIT: NO_PROPOSAL_CHOSEN" <<<"$log" |
			    grep "^ *received " | grep -qF "${own[$p]}"; then
				echo "FAIL ikev2_clients.$preset.$p: no NO_PROPOSAL_CHOSEN log line with its offer (${own[$p]})"
				fail=1
			else
				echo "PASS ikev2_clients.$preset.$p (expected $want)"
			fi ;;
		*) echo "FAIL ikev2_clients.$preset.$p: want $want, got: ${line:-nothing}"
		   fail=1 ;;
		esac
	done
	sanitizer_check "ikev2_clients.$preset.sanitizers" roadgated "$slog" || fail=1
done
exit $fail
