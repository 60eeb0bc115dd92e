#!/usr/bin/env bash
# foundation_store.sh: the store through the real daemon and CLI: a user
# survives a restart; kill -9 during a burst of writes loses no change the
# CLI reported committed and leaves an intact database; secrets are not on
# disk in clear; bad input exits non-zero naming the field and changes
# nothing.
. "$(dirname "$0")/foundation_lib.bash"

start_daemon || { fail store.start "not ready"; exit 1; }

# --- restart keeps data ---------------------------------------------------
ctl group add staff >/dev/null &&
ctl user add alice --password alice-pass-7Q --group staff >/dev/null ||
	fail store.user_add "roadgatectl user add failed"
stop_daemon || fail store.sigterm "exit $?"
if start_daemon && ctl --json user show alice | grep -q '"group": "staff"'; then
	pass store.restart_keeps_user
else
	fail store.restart_keeps_user "alice missing after restart"
fi

# --password without a value reads the secret from stdin (not argv).
echo 'stdin-Pass-5150' | ctl user add carol --password >/dev/null &&
ctl user add dave --password </dev/null >/dev/null 2>&1
rc=$?
ctl --json user show carol | grep -q '"has_password": true' && [ $rc -eq 2 ] &&
	pass store.password_from_stdin || fail store.password_from_stdin "rc $rc"
ctl user del carol >/dev/null

# --- secrets sealed at rest -----------------------------------------------
ctl psk add %any --secret psk-Clear-1234567 >/dev/null
if cat "$STATE"/roadgate.db* | grep -aq -e alice-pass-7Q -e psk-Clear-1234567 -e stdin-Pass-5150; then
	fail store.secrets_sealed "a password or PSK is readable in the DB"
else
	pass store.secrets_sealed
fi
mode=$(stat -c %a "$STATE/secret.key")
[ "$mode" = 600 ] && pass store.key_mode || fail store.key_mode "mode $mode"

# --- bad input: non-zero, field named, nothing changed ---------------------
before=$(for r in user group pool profile; do ctl --json $r list; done)
bad() { expect_refused "store.bad_input.$1" "${@:2}"; }	# name, expected text, command...
bad prefix_host_bits "field ranges" pool add p1 --range 10.9.0.1/24
bad prefix_too_long "field ranges" pool add p1 --range 10.9.0.0/32
bad split_prefix "field split" profile add x --split 10.1.1.1/8
bad unknown_group "field group" user add bob --password x --group nope
bad duplicate_user "already exists" user add alice --password x
bad bad_name "field name" user add "b o b" --password x
bad unknown_field "field colour" user add bob --password x --colour red
bad empty_password "field password" user add bob --password ""
bad bad_dns "field dns" profile add x --dns 1.2.3
bad setting_range "field dpd_interval_s" settings set dpd_interval_s 99999
ctl pool add p1 --range 10.9.0.0/24 >/dev/null
bad overlap "field ranges" pool add p2 --range 10.9.0.128-10.9.1.10
ctl pool del p1 >/dev/null
after=$(for r in user group pool profile; do ctl --json $r list; done)
[ "$before" = "$after" ] && pass store.bad_input_changes_nothing ||
	fail store.bad_input_changes_nothing "lists differ"
ctl user frobnicate >/dev/null 2>&1
[ $? -eq 2 ] && pass store.usage_exit_2 || fail store.usage_exit_2 "not 2"

# --- kill -9 during a burst of writes --------------------------------------
committed=$TMP/committed
: >"$committed"
(
	for i in $(seq 1 200); do
		if ctl user add burst$i --password pw$i >/dev/null 2>&1; then
			echo "burst$i" >>"$committed"
		fi
	done
) &
burst=$!
for i in $(seq 600); do	# wait until some writes are in (60 s at most)
	[ "$(wc -l <"$committed")" -ge 20 ] && break
	sleep 0.1
done
kill9_daemon
wait "$burst"
n=$(wc -l <"$committed")
if [ "$n" -ge 20 ] && [ "$n" -lt 200 ]; then
	pass store.kill9_mid_burst
else
	fail store.kill9_mid_burst "$n of 200 committed: the kill was not mid-burst"
fi
ic=$(sqlite3 "$STATE/roadgate.db" 'PRAGMA integrity_check' 2>&1)
[ "$ic" = ok ] && pass store.kill9_integrity || fail store.kill9_integrity "$ic"
if start_daemon; then
	have=$(ctl --json user list | grep -o '"name": "burst[0-9]*"' | sed 's/.*"\(burst[0-9]*\)"/\1/' | sort)
	missing=$(sort "$committed" | comm -23 - <(echo "$have"))
	if [ -z "$missing" ]; then
		pass store.kill9_no_lost_commit
	else
		fail store.kill9_no_lost_commit "lost: $(echo $missing | head -c 200)"
	fi
else
	fail store.kill9_restart "daemon did not restart after kill -9"
fi

stop_daemon
rc=$?
if [ $rc -eq 0 ]; then
	sanitizer_clean store.clean_exit
else
	fail store.clean_exit "exit $rc"
fi
