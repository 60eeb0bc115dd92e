#!/usr/bin/env bash
# ikev2_lifecycle.sh: IKE SA life cycle of roadgated (configured with
# roadgatectl by tests/tools/ikev2_bed.sh) against a real strongSwan client
# (../shared/testbed), traffic through roadgated's userspace data plane:
#   rekey-by-client  client rekeys CHILD (4 s) and IKE (7 s) while pinging
#   rekey-by-us      our CHILD lifetime (child_lifetime_s 120, the least
#                    the settings accept) runs out first: we rekey, traffic
#                    keeps flowing
#   ike-rekey-by-us  our IKE lifetime (ike_lifetime_s 300, the least
#                    accepted; same run) runs out first: we rekey it
#   dpd              client killed: our liveness checks (dpd_interval_s 2,
#                    dpd_timeout_s 8) find it dead, the session ends and
#                    its lease is no longer active
#   initial-contact  client restarted: its new IKE SA replaces the old one
# About 6 minutes (the lifetimes).  Needs root; everything bounded; kills
# only the pids it started.
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

# 2. Our CHILD lifetime (120 s) and IKE lifetime (300 s) expire first
# (the client never rekeys): we rekey both, traffic keeps flowing.
start_server child_lifetime_s=120 ike_lifetime_s=300
"$bed/sw-client" up rk-none >/dev/null 2>&1
ok=1
ping_ok rk-none 3 3 && wait_log "CHILD SA rekeyed by us" 130 &&
    ping_ok rk-none 5 4 && ok=0
result rekey-by-us $ok "$(grep -c 'CHILD SA rekeyed by us' "$srvlog") CHILD rekeys by us; see pings"
ok=1
wait_log "IKE SA rekeyed by us" 185 && ping_ok rk-none 5 4 && ok=0
result ike-rekey-by-us $ok "$(grep -c 'IKE SA rekeyed by us' "$srvlog") IKE rekeys by us; see pings"
"$bed/sw-client" down rk-none >/dev/null 2>&1

# 3. Client killed: liveness checks (2 s, give up after 8 s) end its
# session; its lease is no longer active (kept for a reconnect, sticky_s).
active() {	# active leases of the bed's pool
	ctl --json pool show testbed |
	    jq '[.status.leases[]? | select(.state == "active")] | length'
}
nsess() { ctl --json session list | jq length; }
start_server dpd_interval_s=2 dpd_timeout_s=8
"$bed/sw-client" up rk-none >/dev/null 2>&1
pid=$(cat "$TB_STATE/client/charon.pid" 2>/dev/null)
ok=1
why="no live session and lease before the kill"
if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f /usr/sbin/charon-systemd)" ] &&
    [ "$(active)" = 1 ] && [ "$(nsess)" = 1 ]; then
	kill -9 "$pid"
	why="dead peer not detected within 25 s"
	if wait_log "peer did not answer" 25; then
		why="session or active lease left: $(nsess) session(s), $(active) active lease(s)"
		for _ in $(seq 50); do
			[ "$(nsess)" = 0 ] && [ "$(active)" = 0 ] && { ok=0; break; }
			sleep 0.1
		done
	fi
fi
result dpd $ok "$why"

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
