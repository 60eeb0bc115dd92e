# tests/integration/sanitizer_lib.bash: one check shared by every
# integration script and helper that starts a program built with ASan and
# UBSan (roadgated, dp-static, the test responder, the RADIUS shim...).
# Sourced, not run.
#
# sanitizer_check NAME WHAT FILE...: call it after WHAT has stopped (a
# leak is reported only at exit), with the files its stderr went to.  On a
# sanitizer report in any of them it prints
#   FAIL NAME: WHAT: <the report's first line>
# and the report's next lines (indented, so tests/run counts one FAIL), and
# returns 1; it returns 0 when the files are clean or absent.  A leak
# check that could not run ("LeakSanitizer has encountered a fatal
# error", e.g. no ptrace) counts as a report: it would hide leaks.
#
# tests/run exports ASAN_OPTIONS with exitcode=23 and UBSAN_OPTIONS with
# halt_on_error=1: a report also makes the program exit non-zero, but most
# scripts stop their daemons with a signal and never see that status.

RG_SANITIZER_RE='ERROR: (Address|Leak|Memory|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error:|LeakSanitizer has encountered a fatal error'

sanitizer_check() {
	local name=$1 what=$2 f first
	shift 2
	for f in "$@"; do
		[ -f "$f" ] || continue
		first=$(grep -m1 -aE "$RG_SANITIZER_RE" "$f") || continue
		echo "FAIL $name: $what: $first"
		grep -aE -m1 -A14 "$RG_SANITIZER_RE" "$f" | tail -n +2 | sed 's/^/    /'
		return 1
	done
	return 0
}
