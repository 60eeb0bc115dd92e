# ikev2_bed.sh: shared helpers for the IKEv2/EAP integration scripts that
# drive ../shared/testbed by hand (sourced, not run).  The caller sets top,
# build, bed and suite; this defines
#   start_server [KEY=VALUE...]  roadgated (build-test/roadgated, private
#                state dir, --foreground) in the bed's server namespace,
#                configured with roadgatectl alone: the bed's CA and server
#                certificate, PSK %any, users alice and the bed's
#                certificate users client1/client2@testbed.test, pool,
#                profile, policy, userspace data plane; then each
#                KEY=VALUE as `roadgatectl settings set KEY VALUE`
#                (proposals, ike_lifetime_s, dpd_interval_s...).  Every
#                start begins from that base configuration.
#   stop_server  stops it by its pid and checks its log for sanitizer
#                reports (the configuring run's log too)
#   ctl ARGS     roadgatectl against the running server
#   wait_log, ping_ok, result, bed_up and the cleanup trap.
# $srvlog is roadgated's log: what the admin sees.
. "$bed/lib/common.sh"
. "$top/tests/integration/sanitizer_lib.bash"
TB_PSK=${TB_PSK:-testbed-psk-0123456789}
rgd=$build/roadgated
rgctl=$build/roadgatectl
for b in "$rgd" "$rgctl"; do
	[ -x "$b" ] || { echo "FAIL $suite: $b not built"; exit 1; }
done
ikdir=$(mktemp -d)
srvlog=$ikdir/server.log
cfglog=$ikdir/configure.log
base=$ikdir/base	# the configured state every start copies
state=$ikdir/state
srvpid=""
srvlog_seen=0	# bytes of $srvlog already checked for sanitizer reports
export TB_CLIENT_PROFILES=$ikdir/profiles
mkdir -p "$TB_CLIENT_PROFILES"
fail=0

ctl() { "$rgctl" --state-dir "$state" "$@"; }

# rgd_run LOG [roadgated args]: starts roadgated on $state; ready when
# roadgatectl gets an answer.  "ip netns exec" execs: $! is its pid.
rgd_run() {
	local log=$1
	shift
	ip netns exec "$TB_NS_SRV" "$rgd" --state-dir "$state" --foreground \
	    --log-level "${RG_LOG_LEVEL:-info}" "$@" </dev/null >>"$log" 2>&1 &
	srvpid=$!
	for _ in $(seq 150); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$srvpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL $suite: roadgated did not start"
	tail -20 "$log"
	exit 1
}

rgd_stop() {
	[ -n "$srvpid" ] || return 0
	if kill -TERM "$srvpid" 2>/dev/null; then
		# From a subshell (a trap's "( bed_cleanup )") wait cannot
		# reap it: poll, bounded, so netns-down finds the namespace
		# empty and deletes it.
		for _ in $(seq 100); do
			kill -0 "$srvpid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$srvpid" 2>/dev/null && kill -KILL "$srvpid" 2>/dev/null
	fi
	wait "$srvpid" 2>/dev/null
	srvpid=""
}

stop_server() {
	local part=$ikdir/server.log.run
	[ -n "$srvpid" ] || return 0
	rgd_stop
	# roadgated is built with ASan/UBSan in the test build: any report
	# (leak at exit included) fails the suite.  Only this run's lines
	# are checked (a report counts once), and the log stays whole for
	# a script that reads what the daemon said at its stop.
	tail -c +$((srvlog_seen + 1)) "$srvlog" >"$part" 2>/dev/null
	srvlog_seen=$(stat -c %s "$srvlog" 2>/dev/null || echo 0)
	sanitizer_check "$suite.sanitizer" roadgated "$part" || fail=1
}

bed_cleanup() {
	local rc=$?
	"$bed/sw-client" stop >/dev/null 2>&1
	stop_server
	[ $fail = 0 ] || rc=1
	"$bed/netns-down" >/dev/null 2>&1
	rm -rf "$ikdir"
	exit $rc
}
trap bed_cleanup EXIT

# The base configuration, once, on ports no client dials.
configure_base() {
	local c
	state=$base
	mkdir -p "$state"
	rgd_run "$cfglog" --ike-port 10500 --natt-port 14500
	while read -r c; do
		[ -n "$c" ] || continue
		eval "ctl $c" >>"$cfglog" 2>&1 || {
			echo "FAIL $suite: roadgatectl $c"
			tail -5 "$cfglog"
			exit 1
		}
	done <<CFG
ca import --cert "$TB_PKI/ca.pem" --key "$TB_PKI/ca.key"
server-cert import --cert "$TB_PKI/server.pem" --key "$TB_PKI/server.key"
psk add %any --secret "$TB_PSK"
user add alice --password alice-pass
user add client1@testbed.test --password "cert-user-$RANDOM$RANDOM"
user add client2@testbed.test --password "cert-user-$RANDOM$RANDOM"
pool add testbed --range "${TB_POOL:-198.18.0.0/16}"
profile add default --pool testbed --dns "${TB_DNS:-198.51.100.53}" --split "${TB_LAN_NET:-198.51.100.0/24}"
policy add lan --network "${TB_LAN_NET:-198.51.100.0/24}"
settings set default_profile default
settings set default_policy lan
settings set dataplane userspace
CFG
	rgd_stop
	sanitizer_check "$suite.sanitizer" "roadgated (configuring)" "$cfglog" ||
	    { fail=1; exit 1; }
	state=$ikdir/state
}

# start_server [KEY=VALUE...]: see the head of this file.
start_server() {
	local kv
	stop_server
	[ -d "$base" ] || configure_base
	rm -rf "$state"
	cp -a "$base" "$state"
	# A fresh log per start: wait_log must not find the last run's lines.
	: >"$srvlog"
	srvlog_seen=0
	rgd_run "$srvlog"
	for kv in "$@"; do
		ctl settings set "${kv%%=*}" "${kv#*=}" >/dev/null || {
			echo "FAIL $suite: roadgatectl settings set ${kv%%=*} ${kv#*=}"
			exit 1
		}
	done
}

wait_log() {	# pattern timeout_s
	for _ in $(seq $(($2 * 10))); do
		grep -q "$1" "$srvlog" && return 0
		sleep 0.1
	done
	return 1
}

ping_ok() {	# profile count min_replies
	local vip n
	vip=$("$bed/sw-client" vip "$1" 2>/dev/null)
	[ -n "$vip" ] || return 1
	n=$(ip netns exec "$TB_NS_CLI" ping -n -q -c "$2" -i 1 -W 2 -I "$vip" \
	    "$TB_LAN_HOST" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${n:-0}" -ge "$3" ]
}

result() {	# name status why
	if [ "$2" = 0 ]; then
		echo "PASS $suite.$1"
	else
		echo "FAIL $suite.$1: $3"
		fail=1
		echo "--- server log"
		tail -"${LOGLINES:-25}" "$srvlog"
	fi
}

bed_up() {
	"$bed/netns-up" >/dev/null || { echo "FAIL $suite: netns-up"; exit 1; }
	"$bed/mkpki" >/dev/null || { echo "FAIL $suite: mkpki"; exit 1; }
}
