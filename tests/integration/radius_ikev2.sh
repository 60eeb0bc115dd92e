#!/usr/bin/env bash
# radius_ikev2.sh: IKEv2 EAP-MSCHAPv2 checked by the REAL FreeRADIUS of
# ../shared/testbed/radius (no EAP passthrough: roadgated runs
# EAP-MSCHAPv2 itself and asks RADIUS with MS-CHAP-Challenge +
# MS-CHAP2-Response; the MSK comes from the MS-MPPE keys of the
# Access-Accept, so the client's AUTH check proves their decryption).
# roadgated (in vpn-srv) is configured with roadgatectl alone:
# radius add, settings set auth_backend radius; roadgated has NO local
# user alice, so an accepted login can only come from RADIUS.
#   blastradius_refused   FreeRADIUS 3.2.1 sends no Message-Authenticator:
#                its Access-Accept is dropped and counted, the login fails
#   relaxed_warned  radius set --require-ma false: a warning in the log
#   accepted     ikev2-eap-mschapv2 (alice / alice-pass, the fixture's user)
#   acct_start   FreeRADIUS's detail file: Start for alice, NAS-Port-Type
#                Virtual, Framed-IP-Address
#   acct_stop    after the client's down: Stop for alice, User-Request
#   rejected     the same profile with a wrong password: refused, FreeRADIUS
#                logs "Login incorrect" for alice
#   status       roadgatectl status: the server alive, accepts and rejects
#                counted, no bad replies
# Needs root, ../shared/testbed and FreeRADIUS (freeradius, radclient).
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ] ||
    [ ! -x "$bed/radius/radius-up" ] || ! command -v freeradius >/dev/null; then
	echo "SKIP radius_ikev2: needs root, $bed and FreeRADIUS"
	exit 0
fi
suite=radius_ikev2
. "$top/tests/tools/ikev2_bed.sh"

export RADIUS_FIXTURE_DIR=$ikdir/radius
state=$ikdir/roadgate
mkdir -p "$state"
ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }

radius_cleanup() {
	"$bed/radius/radius-down" "$TB_NS_SRV" >/dev/null 2>&1
	bed_cleanup
}
trap radius_cleanup EXIT

p=$TB_CLIENT_PROFILES
cp "$bed/profiles/client/ikev2-eap-mschapv2.conf" "$p/"

bed_up
if ! "$bed/radius/radius-up" "$TB_NS_SRV" >"$ikdir/radius-up.log" 2>&1; then
	echo "FAIL $suite.setup: radius-up"
	cat "$ikdir/radius-up.log"
	exit 1
fi
. "$RADIUS_FIXTURE_DIR/env"
acct() { "$bed/radius/radius-acct" "$@"; }

# roadgated: configure on ports nobody dials, then run on 500/4500.
run_roadgated() {	# extra args
	ip netns exec "$TB_NS_SRV" "$build/roadgated" --state-dir "$state" \
	    --foreground --log-level info "$@" >>"$srvlog" 2>&1 &
	srvpid=$!
	for _ in $(seq 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "FAIL $suite.setup: roadgated not ready"
	tail -20 "$srvlog"
	exit 1
}
cfg() {
	ctl "$@" >/dev/null || { echo "FAIL $suite.setup: roadgatectl $*"; exit 1; }
}
: >"$srvlog"
run_roadgated --ike-port 10500 --natt-port 14500
cfg ca import --cert "$TB_PKI/ca.pem" --key "$TB_PKI/ca.key"
cfg server-cert import --cert "$TB_PKI/server.pem" --key "$TB_PKI/server.key"
cfg pool add testbed --range "$TB_POOL"
cfg profile add default --pool testbed --dns "$TB_DNS" --split "$TB_LAN_NET"
cfg policy add lan --network "$TB_LAN_NET"
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set eap_method mschapv2
cfg radius add fixture --address "127.0.0.1:$RADIUS_AUTH_PORT" \
    --secret "$RADIUS_SECRET" --acct-port "$RADIUS_ACCT_PORT" \
    --timeout-ms 1000 --retries 2
cfg settings set auth_backend radius
ctl radius list | grep -q fixture || echo "FAIL $suite.setup: radius list"
ctl --json radius show fixture | grep -q secret &&
    { echo "FAIL $suite.secret_hidden: the API shows the secret"; fail=1; }
stop_server
run_roadgated

"$bed/sw-client" start >/dev/null
acct clear >/dev/null 2>&1

# FreeRADIUS 3.2.1 (this bed's) predates the BlastRADIUS fix: its
# Access-Accept carries no Message-Authenticator.  By default roadgated
# drops it (counted as a bad reply) and the login fails.
"$bed/sw-client" up ikev2-eap-mschapv2 >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "Access-Accept id [0-9]* dropped: no Message-Authenticator" 3 &&
    ctl --json status | grep -Eq '"bad_replies": ?[1-9]' && ok=0
result blastradius_refused $ok "client up=$st, or no dropped Access-Accept logged and counted"
grep -q "Login OK: \[alice" "$RADIUS_LOG"
result blastradius_server_said_ok $? "FreeRADIUS did not accept alice"

# The per-server setting for such old servers (warned in the log).
cfg radius set fixture --require-ma false
wait_log "replies without Message-Authenticator are accepted" 3
result relaxed_warned $? "no warning for require_ma false"
"$bed/sw-client" up ikev2-eap-mschapv2 >"$ikdir/up.log" 2>&1
st=$?
ok=1
[ $st = 0 ] && grep -q "RADIUS server fixture accepted user alice" "$srvlog" && ok=0
result accepted $ok "client up=$st or no accept logged ($(tail -3 "$ikdir/up.log"))"
[ $ok = 0 ] || grep -E 'Login|mschap|rror' "$RADIUS_LOG" | tail -30

acct wait -t 10 'Acct-Status-Type = Start' 'User-Name = "alice"' \
    'NAS-Port-Type = Virtual' 'Framed-IP-Address = ' >/dev/null
result acct_start $? "no Accounting Start for alice in $RADIUS_DETAIL ($(acct dump 2>&1 | tail -2))"

"$bed/sw-client" down ikev2-eap-mschapv2 >/dev/null 2>&1
acct wait -t 10 'Acct-Status-Type = Stop' 'User-Name = "alice"' \
    'Acct-Terminate-Cause = User-Request' 'Acct-Session-Time = ' >/dev/null
result acct_stop $? "no Accounting Stop for alice ($(acct dump 2>&1 | tail -2))"

# Its secret has the same id (alice): the client loads it alone.
rm -f "$p/ikev2-eap-mschapv2.conf"
sed -e 's/ikev2-eap-mschapv2/wrong-eap/g' -e 's/"alice-pass"/"not-alice-pass"/' \
    "$bed/profiles/client/ikev2-eap-mschapv2.conf" >"$p/wrong-eap.conf"
"$bed/sw-client" start >/dev/null
"$bed/sw-client" up wrong-eap >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "RADIUS server fixture rejected user alice" 5 &&
    grep -q "Login incorrect.*alice" "$RADIUS_LOG" && ok=0
result rejected $ok "client up=$st, or no reject logged by roadgated/FreeRADIUS"

js=$(ctl status --json 2>/dev/null)
ok=1
echo "$js" | python3 -c '
import json, sys
r = json.load(sys.stdin)["engine"]["radius"][0]
ok = r["state"] == "alive" and r["accepts"] >= 1 and r["rejects"] >= 1 \
    and r["bad_replies"] == 0
sys.exit(0 if ok else 1)' && ctl status | grep -q "RADIUS servers: 1" && ok=0
result status $ok "roadgatectl status: $(ctl status 2>&1 | grep -A2 RADIUS)"

"$bed/sw-client" stop >/dev/null 2>&1
stop_server
grep -q 'roadgated stopped' "$srvlog"
result clean_shutdown $? "no 'roadgated stopped' in the log"
exit $fail
