# tests/integration/cert_lib.bash: helpers for the cert_*.sh integration
# tests (sourced, not run).  The caller sets $daemon, $state, $tmp and a
# ctl() function; start runs roadgated in $state on random high IKE ports
# (log in $tmp/daemon.log) and waits, 10 s at most, until
# `roadgatectl status --json` answers; stop ends it.  daemon_sanitizers
# NAME, after stop: PASS NAME when no daemon started so far left a
# sanitizer report in $tmp/daemon.log, else sanitizer_check's FAIL line
# (and $fails counts it).
. "$(dirname "${BASH_SOURCE[0]}")/sanitizer_lib.bash"

start() {
	local port=$((20000 + RANDOM % 20000)) i
	"$daemon" --state-dir "$state" --foreground --ike-port "$port" \
		--natt-port $((port + 1)) >>"$tmp/daemon.log" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not start:"; tail -20 "$tmp/daemon.log"
	return 1
}

stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

daemon_sanitizers() {
	if sanitizer_check "$1" roadgated "$tmp/daemon.log"; then
		echo "PASS $1"
	else
		fails=$((fails + 1))
	fi
}
