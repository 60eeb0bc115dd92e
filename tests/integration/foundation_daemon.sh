#!/usr/bin/env bash
# foundation_daemon.sh: roadgated's life cycle: ready line and status,
# SIGHUP reload (a bad store change is refused and changes nothing, a good
# one is applied), log level changed at run time, one daemon per state
# directory, detaching with a pid file, SIGTERM clean exit with no
# sanitizer (leak) report from any daemon started here (the detached one
# included).  The proposal set a reload brings is the one the IKE engine
# then uses: the test initiator's MODP1024-only offer is answered under
# "compatible" (the default) and refused under "modern".
. "$(dirname "$0")/foundation_lib.bash"

start_daemon --log-level info || { fail daemon.start "not ready"; exit 1; }
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
# offer_modp1024: one IKE_SA_INIT from the test initiator offering only
# AES-GCM-128/PRF-SHA256/MODP1024 (its IKE_AUTH then fails: no PSK here).
# no_proposal: the engine's NO_PROPOSAL_CHOSEN counter.
offer_modp1024() {
	"$RG_BUILD/tests/tools/ikev2-loadgen" -s 127.0.0.1 -p "$IKE_PORT" -n 1 \
	    -c 1 -g 2 -t 3 -k not-a-psk >>"$TMP/initiator.out" 2>&1
}
no_proposal() { ctl --json status | jq .engine.counters.no_proposal; }
ctl profile add p >/dev/null
sqlite3 "$STATE/roadgate.db" "INSERT OR REPLACE INTO settings VALUES ('proposals', 'nope')"
kill -HUP "$PID"
for i in $(seq 50); do grep -q "SIGHUP: configuration not reloaded" "$LOG" && break; sleep 0.1; done
# the refused reload left the engine on "compatible": MODP1024 is chosen
offer_modp1024
if grep -q "SIGHUP: configuration not reloaded: settings.proposals" "$LOG" &&
    ctl status >/dev/null && [ "$(no_proposal)" = 0 ] &&
    grep -q "IKE_SA_INIT: AES_GCM_16_128/PRF_HMAC_SHA2_256/MODP_1024$" "$LOG"; then
	pass daemon.sighup_bad_reload_refused
else
	fail daemon.sighup_bad_reload_refused "no refusal logged, daemon gone or MODP1024 not chosen (no_proposal $(no_proposal))"
fi
sqlite3 "$STATE/roadgate.db" "UPDATE settings SET value = 'modern' WHERE key = 'proposals'"
n0=$(grep -c "SIGHUP: configuration snapshot" "$LOG")
kill -HUP "$PID"
for i in $(seq 50); do
	[ "$(grep -c "SIGHUP: configuration snapshot" "$LOG")" -gt "$n0" ] && break
	sleep 0.1
done
# the same offer is now refused, and the log names the set in force
offer_modp1024
if [ "$(grep -c "SIGHUP: configuration snapshot" "$LOG")" -gt "$n0" ] &&
    ctl --json settings show | grep -q '"proposals": "modern"' &&
    [ "$(no_proposal)" = 1 ] &&
    grep -A2 "IKE_SA_INIT: NO_PROPOSAL_CHOSEN" "$LOG" | grep -q "received AES_GCM_16_128/PRF_HMAC_SHA2_256/MODP_1024$" &&
    grep -A2 "IKE_SA_INIT: NO_PROPOSAL_CHOSEN" "$LOG" | grep -q "configured (modern) "; then
	pass daemon.sighup_reload
else
	fail daemon.sighup_reload "no new snapshot, or the engine did not refuse MODP1024 under modern (no_proposal $(no_proposal))"
fi
sanitizer_check daemon.initiator_sanitizers ikev2-loadgen "$TMP/initiator.out" || FAILED=1

# --- SIGTERM ------------------------------------------------------------------
stop_daemon
rc=$?
[ $rc -eq 0 ] && pass daemon.sigterm_exit_0 || fail daemon.sigterm_exit_0 "exit $rc"
sanitizer_clean daemon.no_sanitizer_report
[ ! -e "$STATE/api.sock" ] && [ ! -e "$STATE/roadgated.pid" ] &&
	pass daemon.cleanup_files || fail daemon.cleanup_files "socket or pid file left"

# --- detached mode --------------------------------------------------------------
# (a relative --state-dir: the detached daemon runs from /).  Its stderr
# is /dev/null once detached: sanitizer reports go to $TMP/detached.*.
if (cd "$TMP" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TMP/detached.asan" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TMP/detached.ubsan" \
    "$RG_BUILD/roadgated" --state-dir "$(basename "$STATE")" \
    --ike-port "$IKE_PORT" --natt-port "$NATT_PORT" 2>>"$LOG") &&
    ctl status >/dev/null; then
	dpid=$(cat "$STATE/roadgated.pid")
	pass daemon.detached_ready
	kill -TERM "$dpid"
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$dpid" 2>/dev/null; then
		fail daemon.detached_stop "still running"
		kill -KILL "$dpid"
	elif sanitizer_check daemon.detached_stop "roadgated (detached)" "$TMP"/detached.*; then
		pass daemon.detached_stop
	else
		FAILED=1
	fi
else
	fail daemon.detached_ready "did not start detached"
fi
# A start that fails reports it: exit 1 when the store is refused.
sqlite3 "$STATE/roadgate.db" "UPDATE schema_version SET version = 99"
out=$("$RG_BUILD/roadgated" --state-dir "$STATE" --ike-port "$IKE_PORT" --natt-port "$NATT_PORT" 2>&1)
rc=$?
echo "$out" >>"$LOG"
if [ $rc -eq 1 ] && grep -q "newer" <<<"$out"; then
	sanitizer_clean daemon.newer_schema_refused
else
	fail daemon.newer_schema_refused "exit $rc: $out"
fi
