#!/usr/bin/env bash
# ikev1_scan.sh: roadgated's IKEv1 answers as a scanner sees them
# (ike-scan, a Debian package): main mode with common transforms gets a
# proposal back; aggressive mode with the setting ikev1_aggressive off
# gets nothing (no HASH_R to crack) and the log says how to allow it;
# with it on (psk) the group's PSK answers; `settings set ikev1 off`
# silences IKEv1 altogether.  roadgated on loopback, high ports.
. "$(dirname "$0")/foundation_lib.bash"

if ! command -v ike-scan >/dev/null 2>&1; then
	fail ikev1_scan.setup "needs ike-scan (packaging/install-build-deps)"
	exit 1
fi
if start_daemon --log-level info; then pass ikev1_scan.start; else
	fail ikev1_scan.start "not ready"; exit 1; fi
ctl psk add %any --secret scan-psk-0123 >/dev/null
ctl psk add scangroup --secret scan-group-psk >/dev/null
ctl settings set proposals compatible >/dev/null

scan() { timeout 20 ike-scan --sport=0 --dport="$IKE_PORT" --retry=2 \
	--timeout=300 "$@" 127.0.0.1 2>&1; }

# Main mode, ike-scan's default transforms (3DES/DES x SHA1/MD5, MODP1024).
out=$(scan)
if grep -q "Main Mode Handshake returned" <<<"$out" &&
    grep -q "Enc=3DES Hash=SHA1 Auth=PSK Group=2:modp1024" <<<"$out"; then
	pass ikev1_scan.main_mode_proposal
else
	fail ikev1_scan.main_mode_proposal "$(tr '\n' ' ' <<<"$out")"
fi

# Aggressive mode, setting off (the default): no answer, a log line.
out=$(scan -A --id=scangroup)
if grep -q "0 returned handshake" <<<"$out" &&
    ! grep -q "Aggressive Mode Handshake returned" <<<"$out" &&
    grep -q "aggressive mode refused (setting ikev1_aggressive is off)" "$LOG"; then
	pass ikev1_scan.aggressive_off_no_hash
else
	fail ikev1_scan.aggressive_off_no_hash "$(tr '\n' ' ' <<<"$out")"
fi

# Allowed: the group name picks its PSK and the answer carries HASH_R.
ctl settings set ikev1_aggressive psk >/dev/null
out=$(scan -A --id=scangroup)
if grep -q "Aggressive Mode Handshake returned" <<<"$out"; then
	pass ikev1_scan.aggressive_psk_answers
else
	fail ikev1_scan.aggressive_psk_answers "$(tr '\n' ' ' <<<"$out")"
fi
ctl settings set ikev1_aggressive off >/dev/null

# IKEv1 off: main mode gets nothing either.
ctl settings set ikev1 off >/dev/null
out=$(scan)
if grep -q "0 returned handshake" <<<"$out" &&
    grep -q "IKEv1 is off (setting ikev1)" "$LOG"; then
	pass ikev1_scan.ikev1_off
else
	fail ikev1_scan.ikev1_off "$(tr '\n' ' ' <<<"$out")"
fi

stop_daemon
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$LOG"; then
	fail ikev1_scan.sanitizers "$(grep -m3 -E 'Sanitizer|runtime error' "$LOG")"
else
	pass ikev1_scan.sanitizers
fi
exit $FAILED
