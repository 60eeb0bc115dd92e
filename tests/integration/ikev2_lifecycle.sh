#!/usr/bin/env bash
# ikev2_lifecycle.sh: IKE SA life cycle against a real strongSwan client
# (../shared/testbed), traffic through the userspace data plane:
#   rekey-by-client  client rekeys CHILD (4 s) and IKE (7 s) while pinging
#   rekey-by-us      our CHILD lifetime (5 s) runs out first: we rekey
#   ike-rekey-by-us  our IKE lifetime (6 s) runs out first: we rekey it
#   dpd              client killed: our liveness checks find it dead and
#                    the lease returns
#   initial-contact  client restarted: its new IKE SA replaces the old one
# Needs root; everything bounded; kills only the pids it started.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ]; then
	echo "SKIP ikev2_lifecycle: needs root and $bed"
	exit 0
fi
suite=ikev2_lifecycle
. "$top/tests/tools/ikev2_bed.sh"

mk_profile() {	# name ike_rekey child_rekey
	sed -e "s/ikev2-psk/$1/g" \
	    -e "s/^\( *\)encap = yes/\1encap = yes\n\1rekey_time = $2\n\1over_time = 60s\n\1rand_time = 0s\n\1dpd_delay = 0/" \
	    -e "s/^\( *\)esp_proposals = default/\1esp_proposals = default\n\1rekey_time = $3\n\1life_time = 3600s\n\1rand_time = 0s/" \
	    "$bed/profiles/client/ikev2-psk.conf" >"$TB_CLIENT_PROFILES/$1.conf"
}
mk_profile rk-client 7s 4s
mk_profile rk-none 0s 0s
# INITIAL_CONTACT needs a named peer identity (strongSwan sends none to %any).
sed -e "s/ikev2-cert/ic-cert/g" "$bed/profiles/client/ikev2-cert.conf" \
    >"$TB_CLIENT_PROFILES/ic-cert.conf"

bed_up

# 1. The client rekeys CHILD and IKE SAs while traffic flows.
start_server
"$bed/sw-client" start >/dev/null
"$bed/sw-client" up rk-client >/dev/null 2>&1
ok=1
ping_ok rk-client 16 14 && grep -q "CHILD SA rekeyed" "$srvlog" &&
    grep -q "IKE SA rekeyed" "$srvlog" && ok=0
result rekey-by-client $ok "$(grep -c rekeyed "$srvlog") rekey lines; see pings"
"$bed/sw-client" down rk-client >/dev/null 2>&1

# 2. Our CHILD lifetime expires first: we rekey, traffic keeps flowing.
start_server --child-lifetime 5
"$bed/sw-client" up rk-none >/dev/null 2>&1
ok=1
ping_ok rk-none 12 10 && grep -q "rekeyed by us" "$srvlog" && ok=0
result rekey-by-us $ok "$(grep -c 'rekeyed by us' "$srvlog") rekeys by us"
"$bed/sw-client" down rk-none >/dev/null 2>&1

# 2b. Our IKE lifetime (6 s) expires first: we rekey the IKE SA.
start_server --ike-lifetime 6
"$bed/sw-client" up rk-none >/dev/null 2>&1
ok=1
ping_ok rk-none 12 10 && grep -q "IKE SA rekeyed by us" "$srvlog" && ok=0
result ike-rekey-by-us $ok "$(grep -c 'IKE SA rekeyed by us' "$srvlog") IKE rekeys by us"
"$bed/sw-client" down rk-none >/dev/null 2>&1

# 3. Client killed: liveness checks (2 s, give up after 8 s) free it.
start_server --dpd 2:8
"$bed/sw-client" up rk-none >/dev/null 2>&1
pid=$(cat "$TB_STATE/client/charon.pid" 2>/dev/null)
ok=1
if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f /usr/sbin/charon-systemd)" ]; then
	kill -9 "$pid"
	wait_log "peer did not answer" 25 && wait_log "lease of session" 5 && ok=0
fi
result dpd $ok "dead peer not detected within 30 s"

# 4. INITIAL_CONTACT: a restarted client replaces its old IKE SA.
start_server
"$bed/sw-client" start >/dev/null 2>&1
"$bed/sw-client" up ic-cert >/dev/null 2>&1
pid=$(cat "$TB_STATE/client/charon.pid" 2>/dev/null)
ok=1
if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f /usr/sbin/charon-systemd)" ]; then
	kill -9 "$pid"
	sleep 1
	"$bed/sw-client" start >/dev/null 2>&1
	"$bed/sw-client" up ic-cert >/dev/null 2>&1
	wait_log "INITIAL_CONTACT" 5 && ping_ok ic-cert 3 2 && ok=0
fi
result initial-contact $ok "old SA not replaced or no traffic"
exit $fail
