#!/usr/bin/env bash
# access_sessions.sh: live sessions and the access rules of issue 6
# against the real strongSwan client of ../shared/testbed (its own
# namespaces rg-acc-*, its own TB_STATE), roadgated configured with
# roadgatectl alone, userspace data plane:
#   session_list / status_tables / pool_show   roadgatectl views
#   dhcp_inform    a DHCPINFORM sent from the client's virtual IP through
#                  the tunnel to the gateway (198.51.100.1, first host of
#                  the split network) is answered with the profile's split
#                  routes (options 121 and 249), DNS and domain
#   two_sessions   without one_session a user's second IKE SA coexists
#   one_session    with it, a second IKE SA of the same user replaces the
#                  first (profile one_session): the first gets a DELETE
#   kick           roadgatectl session kick ends a session (client sees
#                  the DELETE); an unknown id is refused naming the field
#   sticky         sticky_s setting: the released lease stays reserved
#                  sticky_s seconds (1800, then 60); 0: alice reconnects
#                  (an active lease), is kicked, and the lease is freed
#                  at once
# roadgated's log must hold no sanitizer report.
# Needs root; every wait bounded; kills only the pids it started.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-client" ]; then
	echo "SKIP access_sessions: needs root and $bed"
	exit 0
fi
suite=access
. "$top/tests/integration/sanitizer_lib.bash"
export TB_NS_CLI=rg-acc-cli TB_NS_SRV=rg-acc-srv TB_NS_LAN=rg-acc-lan
export TB_STATE=/tmp/rg-access-bed
. "$bed/lib/common.sh"
tmp=$(mktemp -d /tmp/rg-access.XXXXXX)
state=$tmp/state
log=$tmp/roadgated.log
pid=""
fail=0
export TB_CLIENT_PROFILES=$tmp/profiles
mkdir -p "$TB_CLIENT_PROFILES"
# Two connections of user alice; acc-b's IKE settings differ (DPD delay)
# so that strongSwan opens a second IKE SA instead of reusing acc-a's.
sed -e "s/ikev2-eap-mschapv2/acc-a/g" \
    "$bed/profiles/client/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/acc-a.conf"
sed -e "s/ikev2-eap-mschapv2/acc-b/g" \
    -e "s/^\( *\)encap = yes/\1encap = yes\n\1dpd_delay = 77s/" \
    "$bed/profiles/client/ikev2-eap-mschapv2.conf" >"$TB_CLIENT_PROFILES/acc-b.conf"

ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }
pass() { echo "PASS $suite.$1"; }
failed() {
	echo "FAIL $suite.$1: $2"
	fail=1
}

stop_daemon() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

cleanup() {
	local rc=$?
	"$bed/sw-client" stop >/dev/null 2>&1
	stop_daemon
	sanitizer_check "$suite.sanitizers" roadgated "$log" || fail=1
	if [ $fail != 0 ]; then
		echo "--- roadgated log"
		tail -40 "$log"
		rc=1
	fi
	"$bed/netns-down" >/dev/null 2>&1
	rm -rf "$tmp" "$TB_STATE"
	exit $rc
}
trap cleanup EXIT

start_daemon() {
	ip netns exec "$TB_NS_SRV" "$build/roadgated" --state-dir "$state" \
	    --foreground --log-level info >>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL $suite.setup: roadgated not ready"
	exit 1
}

wait_for() {	# seconds command...
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

nsessions() { ctl --json session list | jq length; }
has_sa() { "$bed/sw-client" status 2>/dev/null | grep -q "^$1: "; }
sa_gone() { ! has_sa "$1"; }
nsess_is() { [ "$(nsessions)" = "$1" ]; }

"$bed/netns-up" >/dev/null || { echo "FAIL $suite.setup: netns-up"; exit 1; }
"$bed/mkpki" >/dev/null || { echo "FAIL $suite.setup: mkpki"; exit 1; }

mkdir -p "$state"
start_daemon
cfg() { ctl "$@" >/dev/null || { echo "FAIL $suite.setup: roadgatectl $*"; exit 1; }; }
cfg ca import --cert "$TB_PKI/ca.pem" --key "$TB_PKI/ca.key"
cfg server-cert import --cert "$TB_PKI/server.pem" --key "$TB_PKI/server.key"
cfg pool add testbed --range "$TB_POOL"
cfg profile add default --pool testbed --dns "$TB_DNS" --split "$TB_LAN_NET" \
	--domain corp.test --one-session true
cfg policy add lan --network "$TB_LAN_NET"
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane userspace
cfg user add alice --password alice-pass
stop_daemon
start_daemon	# the data plane kind is chosen at start

"$bed/sw-client" start >/dev/null || { echo "FAIL $suite.setup: sw-client start"; exit 1; }
if ! "$bed/sw-client" up acc-a >/dev/null 2>&1; then
	echo "FAIL $suite.setup: acc-a did not come up"
	"$bed/sw-client" log 30
	exit 1
fi
vip=$("$bed/sw-client" vip acc-a | head -1)

# --- live sessions through the API and roadgatectl ------------------------
out=$(ctl session list)
if grep -q "^ID *USER *PEER *VIP *UPTIME *BYTES_IN *BYTES_OUT" <<<"$out" &&
    grep -Eq "^1 +alice +192\.0\.2\.2:[0-9]+ +$vip " <<<"$out"; then
	pass session_list
else
	failed session_list "$out"
fi
out=$(ctl status)
if grep -q "^sessions: 1" <<<"$out" && grep -Eq "^testbed +4 +65534 +1 " <<<"$out" &&
    grep -q "data plane: userspace" <<<"$out" && ! grep -q '^{' <<<"$out"; then
	pass status_tables
else
	failed status_tables "$out"
fi

# --- DHCPINFORM through the tunnel -----------------------------------------
out=$(ip netns exec "$TB_NS_CLI" "$build/tests/tools/dhcp-inform-client" \
    --vip "$vip" --server "$TB_SRV_LAN_ADDR" --timeout-ms 5000 2>&1)
if grep -qx "msgtype 5" <<<"$out" &&
    grep -qx "route121 198.51.100.0/24 via $TB_SRV_LAN_ADDR" <<<"$out" &&
    grep -qx "route249 198.51.100.0/24 via $TB_SRV_LAN_ADDR" <<<"$out" &&
    grep -qx "domain corp.test" <<<"$out" && grep -qx "dns $TB_DNS" <<<"$out" &&
    [ "$(ctl --json status | jq .engine.dhcp.answered)" = 1 ]; then
	pass dhcp_inform
else
	failed dhcp_inform "$out"
fi

# --- the data plane's workers (dp_threads 0: one per CPU) and counters ------
ncpu=$(nproc)
[ "$ncpu" -gt 16 ] && ncpu=16
js=$(ctl --json status)
out=$(ctl status)
if [ "$(jq .engine.dataplane_stats.workers <<<"$js")" = "$ncpu" ] &&
    { [ "$ncpu" = 1 ] || [ "$(jq .engine.dataplane_stats.steered <<<"$js")" = true ]; } &&
    [ "$(jq .engine.dataplane_stats.packets <<<"$js")" -ge 2 ] &&
    [ "$(jq .engine.dataplane_stats.handed <<<"$js")" = 0 ] &&
    grep -Eq "^data plane: userspace \($ncpu worker thread" <<<"$out" &&
    grep -q "^  ESP packets [0-9]*; dropped: unknown SPI" <<<"$out"; then
	pass dataplane_workers
else
	failed dataplane_workers "$(jq -c .engine.dataplane_stats <<<"$js") / $(grep -A1 '^data plane' <<<"$out" | tr '\n' ' ')"
fi

out=$(ctl pool show testbed)
if grep -q "^utilisation: .*(1 of 65534 addresses used: 1 active" <<<"$out" &&
    grep -q "^ADDRESS *USER *SESSION *STATE *SINCE" <<<"$out" &&
    grep -Eq "^$vip +alice +1 +active +20[0-9-]+ " <<<"$out"; then
	pass pool_show
else
	failed pool_show "$out"
fi

# --- one session per user: the newer replaces the older --------------------
# Without one_session both stay (so the client sends no INITIAL_CONTACT
# that would explain the replacement below).
ctl profile set default --one-session false >/dev/null
if "$bed/sw-client" up acc-b >/dev/null 2>&1 && [ "$(nsessions)" = 2 ] &&
    has_sa acc-a && has_sa acc-b; then
	pass two_sessions
else
	failed two_sessions "sessions: $(ctl --json session list | jq -c '[.[].session_id]')"
fi
"$bed/sw-client" down acc-b >/dev/null 2>&1
wait_for 10 nsess_is 1
ctl profile set default --one-session true >/dev/null
if "$bed/sw-client" up acc-b >/dev/null 2>&1 && wait_for 10 sa_gone acc-a &&
    [ "$(nsessions)" = 1 ] && [ "$(ctl --json session list | jq -r '.[0].session_id')" = 3 ] &&
    grep -q "replaces session 1" "$log" && has_sa acc-b; then
	pass one_session
else
	failed one_session "sessions: $(ctl --json session list | jq -c '[.[].session_id]'); client: $("$bed/sw-client" status | grep -c ESTABLISHED) IKE SAs"
fi

# --- kick -------------------------------------------------------------------
sid=$(ctl --json session list | jq -r '.[0].session_id')
if ctl session kick "$sid" >/dev/null && wait_for 10 sa_gone acc-b &&
    [ "$(nsessions)" = 0 ]; then
	pass kick
else
	failed kick "session $sid: $(ctl --json session list | jq -c .)"
fi
out=$(ctl session kick 999 2>&1)
[ $? = 1 ] && grep -q "field id" <<<"$out" && pass kick_unknown || failed kick_unknown "$out"

# --- sticky_s ---------------------------------------------------------------
exp() { ctl --json pool show testbed | jq '.status.leases[0] | .expires - .since'; }
st=$(ctl --json pool show testbed | jq -r '.status.leases[0].state')
[ "$st" = reserved ] && [ "$(exp)" = 1800 ] && pass sticky_default ||
	failed sticky_default "state $st, expires-since $(exp)"
ctl settings set sticky_s 60 >/dev/null
[ "$(exp)" = 60 ] && pass sticky_setting || failed sticky_setting "expires-since $(exp)"
ctl settings set sticky_s 0 >/dev/null
nactive() { ctl --json pool show testbed | jq '[.status.leases[] | select(.state == "active")] | length'; }
nleases() { ctl --json pool show testbed | jq '.status.leases | length'; }
nleases_is() { [ "$(nleases)" = "$1" ]; }
why="acc-a did not come up again"
if "$bed/sw-client" up acc-a >/dev/null 2>&1; then
	why="no session with an active lease after the reconnect"
	if nsess_is 1 && [ "$(nactive)" = 1 ]; then
		sid=$(ctl --json session list | jq -r '.[0].session_id')
		why="kick of session $sid failed"
		if ctl session kick "$sid" >/dev/null && wait_for 10 sa_gone acc-a; then
			why="$(nleases) leases left after the kick"
			wait_for 5 nleases_is 0 && why=""
		fi
	fi
fi
[ -z "$why" ] && pass sticky_zero || failed sticky_zero "$why"

stop_daemon
grep -q "roadgated stopped" "$log" && pass clean_shutdown ||
	failed clean_shutdown "no 'roadgated stopped' in the log"
exit $fail
