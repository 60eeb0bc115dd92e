#!/usr/bin/env bash
# access_profiles.sh: per-user and per-group profile and policy selection
# with non-default values, and the session history API, against the real
# roadgated configured with roadgatectl alone and the strongSwan client of
# ../shared/testbed (its own namespaces rg-prof-*, its own TB_STATE).
# Three EAP-MSCHAPv2 users connect at once:
#   alice  on the defaults: profile "default" (pool testbed, DNS TB_DNS,
#          split TB_LAN_NET), policy "lan" (TB_LAN_NET)
#   bob    in group "eng": its profile "eng" (pool eng, DNS 10.9.9.53,
#          split 198.51.100.128/25) and its policy "engnet"
#          (198.51.100.128/25)
#   carol  in group "eng" with a per-user profile "carolp" (pool carol,
#          DNS 10.9.9.54, splits 198.51.100.160/27 and 198.51.100.16/28):
#          the user's profile wins, the group's policy still applies, so
#          the split outside engnet is not offered as a selector
# Each client gets its own pool's address, DNS and narrowed TSr (the
# client's CHILD_SA, its updown event), and roadgatectl session list names
# each one's profile.  Then alice's client disconnects and bob is kicked:
# roadgatectl history list shows the three sessions with user, protocol,
# auth method, peer, vip, start and end, bytes and the cause (carol's still
# open).
# Needs root; every wait bounded; kills only the pids it started.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-client" ]; then
	echo "SKIP access_profiles: needs root and $bed"
	exit 0
fi
suite=profiles
. "$top/tests/integration/sanitizer_lib.bash"
export TB_NS_CLI=rg-prof-cli TB_NS_SRV=rg-prof-srv TB_NS_LAN=rg-prof-lan
export TB_STATE=/tmp/rg-profiles-bed
. "$bed/lib/common.sh"
tmp=$(mktemp -d /tmp/rg-profiles.XXXXXX)
state=$tmp/state
log=$tmp/roadgated.log
pid=""
fail=0
export TB_CLIENT_PROFILES=$tmp/clients
mkdir -p "$TB_CLIENT_PROFILES"
# One connection per user, the bed's EAP-MSCHAPv2 profile with its
# identity, EAP identity and password changed.
for u in alice bob carol; do
	sed -e "s/ikev2-eap-mschapv2/prof-$u/g" -e "s/= alice$/= $u/" \
	    -e "s/eap-alice/eap-$u/" -e "s/\"alice-pass\"/\"$u-pass\"/" \
	    "$bed/profiles/client/ikev2-eap-mschapv2.conf" \
	    >"$TB_CLIENT_PROFILES/prof-$u.conf"
done

ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }
pass() { echo "PASS $suite.$1"; }
failed() {
	echo "FAIL $suite.$1: $2"
	fail=1
}
check() {	# name detail command...: PASS when the command succeeds
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else failed "$name" "$detail"; fi
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
		echo "--- client updown events"
		"$bed/sw-client" updown 2>/dev/null | tail -10
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

"$bed/netns-up" >/dev/null || { echo "FAIL $suite.setup: netns-up"; exit 1; }
"$bed/mkpki" >/dev/null || { echo "FAIL $suite.setup: mkpki"; exit 1; }

mkdir -p "$state"
start_daemon
cfg() { ctl "$@" >/dev/null || { echo "FAIL $suite.setup: roadgatectl $*"; exit 1; }; }
cfg ca import --cert "$TB_PKI/ca.pem" --key "$TB_PKI/ca.key"
cfg server-cert import --cert "$TB_PKI/server.pem" --key "$TB_PKI/server.key"
cfg pool add testbed --range "$TB_POOL"
cfg pool add eng --range 10.77.0.0/24
cfg pool add carol --range 10.88.0.0/24
cfg profile add default --pool testbed --dns "$TB_DNS" --split "$TB_LAN_NET"
cfg profile add eng --pool eng --dns 10.9.9.53 --split 198.51.100.128/25
cfg profile add carolp --pool carol --dns 10.9.9.54 \
	--split 198.51.100.160/27 --split 198.51.100.16/28
cfg policy add lan --network "$TB_LAN_NET"
cfg policy add engnet --network 198.51.100.128/25
cfg group add eng --profile eng --policy engnet
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane userspace
cfg user add alice --password alice-pass
cfg user add bob --password bob-pass --group eng
cfg user add carol --password carol-pass --group eng --profile carolp
stop_daemon
start_daemon	# the data plane kind is chosen at start

"$bed/sw-client" start >/dev/null || { echo "FAIL $suite.setup: sw-client start"; exit 1; }
for u in alice bob carol; do
	if ! "$bed/sw-client" up "prof-$u" >/dev/null 2>&1; then
		echo "FAIL $suite.setup: prof-$u did not come up"
		"$bed/sw-client" log 30
		exit 1
	fi
done

# --- what each client got -------------------------------------------------
# The client's view of its CHILD_SA: "vip remote-ts..." (swanctl --raw).
client_sa() {
	local raw
	raw=$("$bed/sw-client" swanctl --list-sas --ike "prof-$1" --raw 2>/dev/null)
	echo "$(grep -o 'local-vips=\[[^]]*\]' <<<"$raw" | sed 's/.*=\[//; s/\]//')" \
	    "$(grep -o 'remote-ts=\[[^]]*\]' <<<"$raw" | sed 's/.*=\[//; s/\]//')"
}
# The DNS servers of the client's last updown "up" event of the user.
client_dns() {
	"$bed/sw-client" updown | grep " up-client conn=prof-$1 " | tail -1 |
	    sed -n 's/.* dns=\([^ ]*\) .*/\1/p'
}
in_net() {	# addr a.b.c.: whether addr starts with the prefix
	[[ $1 == "$2"* ]]
}
sessions=$(ctl --json session list)
profile_of() { jq -r --arg u "$1" '.[] | select(.user == $u) | .profile' <<<"$sessions"; }

read -r vip_a ts_a <<<"$(client_sa alice)"
read -r vip_b ts_b <<<"$(client_sa bob)"
read -r vip_c ts_c <<<"$(client_sa carol)"
check default_user "vip $vip_a ts '$ts_a' dns $(client_dns alice) profile $(profile_of alice)" \
    eval 'in_net "$vip_a" 198.18. && [ "$ts_a" = "$TB_LAN_NET" ] &&
    [ "$(client_dns alice)" = "$TB_DNS" ] && [ "$(profile_of alice)" = default ]'
check group_profile_policy "vip $vip_b ts '$ts_b' dns $(client_dns bob) profile $(profile_of bob)" \
    eval 'in_net "$vip_b" 10.77.0. && [ "$ts_b" = 198.51.100.128/25 ] &&
    [ "$(client_dns bob)" = 10.9.9.53 ] && [ "$(profile_of bob)" = eng ]'
# carol: her own pool, DNS and profile; of her splits only the one inside
# the group's policy is a selector (198.51.100.16/28 is outside engnet).
check user_profile_group_policy "vip $vip_c ts '$ts_c' dns $(client_dns carol) profile $(profile_of carol)" \
    eval 'in_net "$vip_c" 10.88.0. && [ "$ts_c" = 198.51.100.160/27 ] &&
    [ "$(client_dns carol)" = 10.9.9.54 ] && [ "$(profile_of carol)" = carolp ]'
# The server side agrees: the session list's vip is the client's.
check session_vips "$(jq -c '[.[] | {user, vip, profile}]' <<<"$sessions")" \
    eval '[ "$(jq length <<<"$sessions")" = 3 ] &&
    [ "$(jq -r ".[] | select(.user == \"alice\") | .vip" <<<"$sessions")" = "$vip_a" ] &&
    [ "$(jq -r ".[] | select(.user == \"bob\") | .vip" <<<"$sessions")" = "$vip_b" ] &&
    [ "$(jq -r ".[] | select(.user == \"carol\") | .vip" <<<"$sessions")" = "$vip_c" ]'
# Traffic inside alice's selectors reaches the LAN host (bytes for the
# history below).
check default_user_ping "no reply from $TB_LAN_HOST via $vip_a" \
    ip netns exec "$TB_NS_CLI" ping -c 3 -W 2 -I "$vip_a" "$TB_LAN_HOST"

# --- the session history -----------------------------------------------------
sid_of() { jq -r --arg u "$1" '.[] | select(.user == $u) | .session_id' <<<"$sessions"; }
sid_b=$(sid_of bob)
"$bed/sw-client" down prof-alice >/dev/null 2>&1
ctl session kick "$sid_b" >/dev/null
nsess() { [ "$(ctl --json session list | jq length)" = "$1" ]; }
wait_for 10 nsess 1 || failed history_setup "sessions left: $(ctl --json session list | jq -c '[.[].user]')"
hist=$(ctl --json history list)
row() { jq -c --arg u "$1" '[.[] | select(.user == $u)] | .[0]' <<<"$hist"; }
field() { jq -r --arg f "$2" '.[$f] // empty' <<<"$(row "$1")"; }
now=$(date +%s)
ended_ok() {	# user: started and ended within the run, in order
	local s e
	s=$(field "$1" started) e=$(field "$1" ended)
	[ -n "$s" ] && [ -n "$e" ] && [ "$s" -le "$e" ] && [ "$e" -le "$now" ] &&
	    [ "$s" -ge $((now - 600)) ]
}
check history_rows "$(jq -c '[.[].user]' <<<"$hist")" \
    eval '[ "$(jq length <<<"$hist")" = 3 ] &&
    [ "$(jq -r "[.[].user] | join(\",\")" <<<"$hist")" = carol,bob,alice ]'
check history_fields "$(row alice)" \
    eval '[ "$(field alice proto)" = ikev2 ] &&
    [[ $(field alice peer) == $TB_CLI_ADDR:* ]] &&
    [ "$(field alice vip)" = "$vip_a" ] && [ "$(field bob vip)" = "$vip_b" ] &&
    [ "$(field carol vip)" = "$vip_c" ]'
check history_times "alice $(field alice started)-$(field alice ended), bob $(field bob started)-$(field bob ended), carol $(field carol started)-$(field carol ended)" \
    eval 'ended_ok alice && ended_ok bob && [ -n "$(field carol started)" ] &&
    [ "$(jq -r ".[] | select(.user == \"carol\") | .ended" <<<"$hist")" = null ]'
# Three pings of 84 octets each way went through alice's tunnel.
check history_bytes "alice in $(field alice bytes_in) out $(field alice bytes_out)" \
    eval '[ "$(field alice bytes_in)" -ge 252 ] && [ "$(field alice bytes_out)" -ge 252 ]'
lc_is() { local v=$1; [[ ${v,,} == $2 ]]; }	# lowercased value matches glob
check history_method "$(field alice method) / $(field bob method)" \
    eval 'lc_is "$(field alice method)" "*eap-mschapv2" &&
    lc_is "$(field bob method)" "*eap-mschapv2"'
# The causes: the client's DELETE for alice, the admin's kick for bob.
check history_cause "alice '$(field alice cause)', bob '$(field bob cause)'" \
    eval '{ lc_is "$(field alice cause)" "*peer*" ||
    lc_is "$(field alice cause)" "*user request*"; } &&
    lc_is "$(field bob cause)" "*admin*" && [ -z "$(field carol cause)" ]'
# The table form names the same sessions.
out=$(ctl history list)
check history_table "$out" \
    eval 'grep -Eq "alice .*$vip_a" <<<"$out" && grep -Eq "bob .*$vip_b" <<<"$out"'

"$bed/sw-client" down prof-carol >/dev/null 2>&1
stop_daemon
grep -q "roadgated stopped" "$log" && pass clean_shutdown ||
	failed clean_shutdown "no 'roadgated stopped' in the log"
exit $fail
