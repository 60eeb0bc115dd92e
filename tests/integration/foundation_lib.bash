# tests/integration/foundation_lib.bash: helpers for the foundation_*.sh
# integration tests (sourced, not run): a private state directory, unused
# high IKE ports, starting roadgated from $RG_BUILD and waiting (bounded)
# until `roadgatectl status --json` answers, PASS/FAIL lines.  The script
# fails (non-zero exit) on a FAIL line and on an abort (`set -u`, a
# failed command under `set -e`): the EXIT trap keeps the shell's status.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/sanitizer_lib.bash"
RG_BUILD=${RG_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build-test}
TMP=$(mktemp -d /tmp/rg-foundation.XXXXXX)
STATE=$TMP/state
LOG=$TMP/roadgated.log
PID=
FAILED=0
IKE_PORT=$((20000 + RANDOM % 20000))
NATT_PORT=$((IKE_PORT + 1))

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILED=1; }

ctl() { "$RG_BUILD/roadgatectl" --state-dir "$STATE" "$@"; }

# expect_refused TEST WANT ARGS...: `ctl ARGS` exits 1 and its message
# holds WANT (the field named).
expect_refused() {
	local name=$1 want=$2 out rc
	shift 2
	out=$(ctl "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$want" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "exit $rc, message: $out"
	fi
}

# wait_ready: until status answers (10 s at most) or the daemon died.
wait_ready() {
	local i
	for i in $(seq 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		[ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null && return 1
		sleep 0.1
	done
	return 1
}

start_daemon() {
	echo "--- start $*" >>"$LOG"
	"$RG_BUILD/roadgated" --state-dir "$STATE" --foreground \
	    --ike-port "$IKE_PORT" --natt-port "$NATT_PORT" "$@" >>"$LOG" 2>&1 &
	PID=$!
	wait_ready
}

# stop_daemon: SIGTERM, wait (10 s at most); returns the exit status.
stop_daemon() {
	local i rc
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
		return 124
	fi
	wait "$PID"
	rc=$?
	PID=
	return $rc
}

kill9_daemon() {
	[ -n "$PID" ] || return 0
	kill -KILL "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
}

# sanitizer_clean NAME: after stop_daemon, PASS NAME when no roadgated
# started so far (they all write to $LOG) left a sanitizer report; else
# the FAIL line of sanitizer_check.
sanitizer_clean() {
	if sanitizer_check "$1" roadgated "$LOG"; then
		pass "$1"
	else
		FAILED=1
	fi
}

# finish: the EXIT trap.  $? is the status the script is leaving with: an
# abort (set -u) or an explicit `exit 1` stays a failure even when no FAIL
# line was printed; a clean end leaves with $FAILED.
finish() {
	local rc=$?
	[ -n "$PID" ] && kill9_daemon
	[ "$rc" -ne 0 ] || rc=$FAILED
	if [ "$rc" -ne 0 ]; then
		echo "--- roadgated log ($LOG), last lines:"
		tail -40 "$LOG"
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap finish EXIT

if [ ! -x "$RG_BUILD/roadgated" ] || [ ! -x "$RG_BUILD/roadgatectl" ]; then
	fail build "no roadgated/roadgatectl in $RG_BUILD"
	exit 1
fi
