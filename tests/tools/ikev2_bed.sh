# ikev2_bed.sh: shared helpers for the IKEv2 integration scripts that drive
# ../shared/testbed by hand (sourced, not run).  The caller sets top,
# build, bed; this defines start_server/stop_server (the test responder in
# vpn-srv, its pid recorded and only that pid signalled), wait_log,
# ping_ok, result, and the cleanup trap.
. "$bed/lib/common.sh"
. "$top/tests/integration/sanitizer_lib.bash"
TB_PSK=${TB_PSK:-testbed-psk-0123456789}
resp=$build/tests/tools/ike-test-responder
ikdir=$(mktemp -d)
srvlog=$ikdir/server.log
srvpid=""
export TB_CLIENT_PROFILES=$ikdir/profiles
mkdir -p "$TB_CLIENT_PROFILES"
fail=0

stop_server() {
	if [ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null; then
		wait "$srvpid" 2>/dev/null
		# From a subshell (a trap's "( bed_cleanup )") wait cannot
		# reap it: poll, bounded, so netns-down finds the namespace
		# empty and deletes it.
		for _ in $(seq 100); do
			kill -0 "$srvpid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	srvpid=""
	# The responder is built with ASan/UBSan in the test build: any
	# report (leak at exit included) fails the suite.
	sanitizer_check "$suite.sanitizer" ike-test-responder "$srvlog" || fail=1
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

# start_server [responder args]; SRV_PKI overrides TB_PKI for the server.
start_server() {
	stop_server
	: >"$srvlog"
	ip netns exec "$TB_NS_SRV" env TB_PKI="${SRV_PKI:-$TB_PKI}" \
	    TB_PSK="$TB_PSK" TB_POOL="$TB_POOL" TB_DNS="$TB_DNS" \
	    TB_LAN_NET="$TB_LAN_NET" "$resp" --dp userspace "$@" \
	    >"$srvlog" 2>&1 &
	srvpid=$!
	for _ in $(seq 50); do
		grep -q "listening on UDP" "$srvlog" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "FAIL $suite: server did not start"
	cat "$srvlog"
	exit 1
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
