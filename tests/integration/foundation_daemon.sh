#!/usr/bin/env bash
# foundation_daemon.sh: roadgated's life cycle: ready line and status,
# SIGHUP reload (a bad store change is refused and changes nothing, a good
# one is applied), log level changed at run time, one daemon per state
# directory, detaching with a pid file, SIGTERM clean exit with no
# sanitizer (leak) report.
. "$(dirname "$0")/foundation_lib.bash"

if start_daemon --log-level info; then pass daemon.start; else fail daemon.start "not ready"; exit 1; fi
grep -q "roadgated ready: store $STATE/roadgate.db, API $STATE/api.sock, IKE udp/$IKE_PORT,$NATT_PORT" "$LOG" &&
	pass daemon.ready_line || fail daemon.ready_line "missing"
ctl status --json | grep -q '"ready": true' && pass daemon.status_json ||
	fail daemon.status_json "no ready:true"
mode=$(stat -c %a "$STATE/api.sock")
[ "$mode" = 600 ] && pass daemon.socket_mode || fail daemon.socket_mode "mode $mode"
dmode=$(stat -c %a "$STATE")
[ "$dmode" = 700 ] && pass daemon.state_dir_mode || fail daemon.state_dir_mode "mode $dmode"

# A second daemon on the same state refuses to start.
out=$("$RG_BUILD/roadgated" --state-dir "$STATE" --foreground \
    --ike-port $((IKE_PORT + 2)) --natt-port $((IKE_PORT + 3)) 2>&1)
[ $? -eq 1 ] && grep -q "another roadgated" <<<"$out" &&
	pass daemon.one_per_state_dir || fail daemon.one_per_state_dir "$out"

# --- log level at run time ---------------------------------------------------
ctl log level ike debug >/dev/null &&
ctl --json log show | grep -q '"ike": "debug"' &&
grep -q "log level of ike set to debug" "$LOG" &&
	pass daemon.log_level || fail daemon.log_level "ike not at debug"
ctl log level ike loud >/dev/null 2>&1
[ $? -eq 1 ] && pass daemon.log_level_bad || fail daemon.log_level_bad "accepted"

# --- the engine's view through the API -----------------------------------------
ctl pool add main --range 198.18.0.0/16 --exclude 198.18.0.0/30 >/dev/null
ctl --json pool show main | grep -q '"status"' && pass daemon.pool_status ||
	fail daemon.pool_status "no engine status in pool show"
ctl profile add gen --pool main >/dev/null
ctl --json profile set gen --banner hello | grep -q '"sessions_on_old_generation": 0' &&
	ctl --json profile show gen | grep -q '"generation": 2' &&
	pass daemon.profile_generation || fail daemon.profile_generation "no bump"

# --- SIGHUP ------------------------------------------------------------------
ctl profile add p >/dev/null
sqlite3 "$STATE/roadgate.db" "INSERT OR REPLACE INTO settings VALUES ('proposals', 'nope')"
kill -HUP "$PID"
for i in $(seq 50); do grep -q "SIGHUP: configuration not reloaded" "$LOG" && break; sleep 0.1; done
if grep -q "SIGHUP: configuration not reloaded: settings.proposals" "$LOG" &&
    ctl status >/dev/null; then
	pass daemon.sighup_bad_reload_refused
else
	fail daemon.sighup_bad_reload_refused "no refusal logged or daemon gone"
fi
sqlite3 "$STATE/roadgate.db" "UPDATE settings SET value = 'modern' WHERE key = 'proposals'"
n0=$(grep -c "SIGHUP: configuration snapshot" "$LOG")
kill -HUP "$PID"
for i in $(seq 50); do
	[ "$(grep -c "SIGHUP: configuration snapshot" "$LOG")" -gt "$n0" ] && break
	sleep 0.1
done
[ "$(grep -c "SIGHUP: configuration snapshot" "$LOG")" -gt "$n0" ] &&
ctl --json settings show | grep -q '"proposals": "modern"' &&
	pass daemon.sighup_reload || fail daemon.sighup_reload "no new snapshot"

# --- SIGTERM ------------------------------------------------------------------
stop_daemon
rc=$?
[ $rc -eq 0 ] && pass daemon.sigterm_exit_0 || fail daemon.sigterm_exit_0 "exit $rc"
sanitizer_clean && pass daemon.no_sanitizer_report ||
	fail daemon.no_sanitizer_report "$(grep -m3 -E 'Sanitizer|runtime error' "$LOG")"
[ ! -e "$STATE/api.sock" ] && [ ! -e "$STATE/roadgated.pid" ] &&
	pass daemon.cleanup_files || fail daemon.cleanup_files "socket or pid file left"

# --- detached mode --------------------------------------------------------------
# (a relative --state-dir: the detached daemon runs from /)
if (cd "$TMP" && "$RG_BUILD/roadgated" --state-dir "$(basename "$STATE")" \
    --ike-port "$IKE_PORT" --natt-port "$NATT_PORT" 2>>"$LOG") &&
    ctl status >/dev/null; then
	dpid=$(cat "$STATE/roadgated.pid")
	pass daemon.detached_ready
	kill -TERM "$dpid"
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$dpid" 2>/dev/null && { fail daemon.detached_stop "still running"; kill -KILL "$dpid"; } ||
		pass daemon.detached_stop
else
	fail daemon.detached_ready "did not start detached"
fi
# A start that fails reports it: exit 1 when the store is refused.
sqlite3 "$STATE/roadgate.db" "UPDATE schema_version SET version = 99"
out=$("$RG_BUILD/roadgated" --state-dir "$STATE" --ike-port "$IKE_PORT" --natt-port "$NATT_PORT" 2>&1)
[ $? -eq 1 ] && grep -q "newer" <<<"$out" && pass daemon.newer_schema_refused ||
	fail daemon.newer_schema_refused "$out"
