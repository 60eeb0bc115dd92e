#!/usr/bin/env bash
# radius_attrs.sh: what the REAL FreeRADIUS of ../shared/testbed/radius
# grants in its Access-Accept is applied to an IKEv2 session by the
# session registry.  A user "grace" is added to the fixture's users file
# (RADIUS_EXTRA_USERS) with reply attributes:
#   vip_framed_ip   Framed-IP-Address 198.18.7.7: the strongSwan client's
#                   virtual IP is that address (inside the pool)
#   dns_granted     MS-Primary-DNS-Server 198.51.100.99 reaches the client
#   filter_profile  Filter-Id "alt": the session runs on profile alt
#   session_timeout Session-Timeout 8: roadgated ends the session about
#                   8 s after it came up, cause Session-Timeout in the
#                   Accounting Stop FreeRADIUS writes
#   framed_ip_taken a second user "henry" granted the same address while
#                   grace holds it is refused, with a log line
#   acct_queued     henry connects, FreeRADIUS is stopped, henry leaves:
#                   his Stop finds no server and waits in the store
#   acct_forwarded  roadgated restarts, FreeRADIUS comes back: the Stop of
#                   the earlier run reaches FreeRADIUS's detail file
#   dae_coa         radclient CoA-Request Session-Timeout 3 for henry's live
#                   session: CoA-ACK, the session ends about 3 s later
#   dae_disconnect  radclient Disconnect-Request (User-Name henry):
#                   Disconnect-ACK, the session is gone
#   dae_bad_secret  the same signed with a wrong secret: no answer, logged
#   dae_stale       an Event-Timestamp an hour old (a replay): no answer
# Needs root, ../shared/testbed and FreeRADIUS (freeradius, radclient).
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/run-interop.sh" ] ||
    [ ! -x "$bed/radius/radius-up" ] || ! command -v freeradius >/dev/null; then
	echo "SKIP radius_attrs: needs root, $bed and FreeRADIUS"
	exit 0
fi
suite=radius_attrs
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

cat >"$ikdir/users" <<'USERS'
grace	Cleartext-Password := "grace-pass"
	Framed-IP-Address = 198.18.7.7,
	Session-Timeout = 8,
	Filter-Id = "alt",
	MS-Primary-DNS-Server = 198.51.100.99

henry	Cleartext-Password := "henry-pass"
	Framed-IP-Address = 198.18.7.7
USERS
export RADIUS_EXTRA_USERS=$ikdir/users

p=$TB_CLIENT_PROFILES
for u in grace henry; do
	sed -e "s/ikev2-eap-mschapv2/eap-$u/g" -e "s/alice-pass/$u-pass/" \
	    -e "s/alice/$u/g" "$bed/profiles/client/ikev2-eap-mschapv2.conf" \
	    >"$p/eap-$u.conf"
done

bed_up
if ! "$bed/radius/radius-up" "$TB_NS_SRV" >"$ikdir/radius-up.log" 2>&1; then
	echo "FAIL $suite.setup: radius-up"
	cat "$ikdir/radius-up.log"
	exit 1
fi
. "$RADIUS_FIXTURE_DIR/env"
acct() { "$bed/radius/radius-acct" "$@"; }

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
cfg profile add alt --pool testbed --dns "$TB_DNS" --split "$TB_LAN_NET"
cfg policy add lan --network "$TB_LAN_NET"
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set eap_method mschapv2
cfg radius add fixture --address "127.0.0.1:$RADIUS_AUTH_PORT" \
    --secret "$RADIUS_SECRET" --acct-port "$RADIUS_ACCT_PORT" \
    --timeout-ms 1000 --retries 2
# FreeRADIUS 3.2.1 signs no Access-Accept (see radius_ikev2.sh).
cfg radius set fixture --require-ma false
cfg settings set auth_backend radius
stop_server
run_roadgated

"$bed/sw-client" start >/dev/null
acct clear >/dev/null 2>&1

"$bed/sw-client" up eap-grace >"$ikdir/up.log" 2>&1
st=$?
t_up=$(date +%s)
vip=$("$bed/sw-client" vip eap-grace 2>/dev/null)
ok=1
[ $st = 0 ] && [ "$vip" = 198.18.7.7 ] && ok=0
result vip_framed_ip $ok "client up=$st, vip '$vip' ($(tail -3 "$ikdir/up.log"))"

"$bed/sw-client" updown 2>/dev/null | grep -q 198.51.100.99 ||
    grep -q 198.51.100.99 "$ikdir/up.log" ||
    "$bed/sw-client" log 200 2>/dev/null | grep -q "198.51.100.99"
result dns_granted $? "198.51.100.99 not seen by the client"

ctl --json session list 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
s = s.get("sessions", s) if isinstance(s, dict) else s
sys.exit(0 if any(x["user"] == "grace" and x["profile"] == "alt"
    for x in s) else 1)'
result filter_profile $? "grace not on profile alt: $(ctl session list 2>&1 | tail -3)"

# henry is granted the address grace holds: refused, logged.
"$bed/sw-client" up eap-henry >/dev/null 2>&1
st=$?
ok=1
[ $st != 0 ] && wait_log "Framed-IP-Address 198.18.7.7 is held by session" 3 &&
    ok=0
result framed_ip_taken $ok "client up=$st or no refusal logged"

wait_log "Session-Timeout of 8 s reached" 15
st=$?
dt=$(( $(date +%s) - t_up ))
ok=1
[ $st = 0 ] && [ $dt -ge 7 ] && [ $dt -le 12 ] && ok=0
result session_timeout $ok "ended after ${dt}s (log: $st)"
acct wait -t 10 'Acct-Status-Type = Stop' 'User-Name = "grace"' \
    'Acct-Terminate-Cause = Session-Timeout' >/dev/null
result session_timeout_acct $? "no Stop with Session-Timeout ($(acct dump 2>&1 | tail -2))"

# Store-and-forward: henry's Stop while every server is down.
"$bed/sw-client" up eap-henry >/dev/null 2>&1
result henry_up $? "henry's client did not come up"
acct wait -t 10 'Acct-Status-Type = Start' 'User-Name = "henry"' >/dev/null
result henry_start $? "no Start for henry"
"$bed/radius/radius-down" "$TB_NS_SRV" >/dev/null 2>&1
"$bed/sw-client" down eap-henry >/dev/null 2>&1
wait_log "no RADIUS server took an accounting record" 15
result acct_queued $? "no record waiting logged"
stop_server
grep -q "not yet taken by a server stay in the store" "$srvlog"
result acct_kept $? "roadgated did not keep the record at its stop"
run_roadgated
wait_log "accounting record(s) of an earlier run wait" 5
result acct_restored $? "the new run found no waiting record"
if ! "$bed/radius/radius-up" "$TB_NS_SRV" >"$ikdir/radius-up2.log" 2>&1; then
	echo "FAIL $suite.setup: radius-up again"
	cat "$ikdir/radius-up2.log"
	exit 1
fi
acct wait -t 40 'Acct-Status-Type = Stop' 'User-Name = "henry"' \
    'Acct-Delay-Time = ' >/dev/null
result acct_forwarded $? "henry's Stop never reached FreeRADIUS ($(acct dump 2>&1 | tail -3))"

# Disconnect / CoA (RFC 5176) with FreeRADIUS's radclient.
cfg settings set dae_listen 127.0.0.1:13800
cfg dae client add ctl --address 127.0.0.1 --secret dae-secret
wait_log "DAE listener (RFC 5176 Disconnect/CoA) on 127.0.0.1:13800" 5
result dae_listening $? "no DAE listener"
dae() {	# code secret ts attrs...
	local code=$1 sec=$2 ts=$3
	shift 3
	{ printf '%s\n' "$@"; echo "Event-Timestamp = $ts"
	  echo "Message-Authenticator = 0x00"; } |
	    ip netns exec "$TB_NS_SRV" radclient -x -t 2 -r 1 \
	    127.0.0.1:13800 "$code" "$sec" 2>&1
}
"$bed/sw-client" up eap-henry >/dev/null 2>&1
out=$(dae coa dae-secret "$(date +%s)" 'User-Name = "henry"' \
    'Session-Timeout = 3')
t0=$(date +%s)
ok=1
echo "$out" | grep -q "Received CoA-ACK" &&
    wait_log "Session-Timeout of 3 s reached" 8 && ok=0
dt=$(( $(date +%s) - t0 ))
[ $dt -le 6 ] || ok=1
result dae_coa $ok "CoA: $(echo "$out" | grep -E 'Received|Error|No reply' | head -2), ended after ${dt}s"

"$bed/sw-client" up eap-henry >/dev/null 2>&1
out=$(dae disconnect not-the-secret "$(date +%s)" 'User-Name = "henry"')
ok=1
echo "$out" | grep -q "Received" || { wait_log "DAE request from client ctl .* dropped: wrong" 3 && ok=0; }
result dae_bad_secret $ok "a badly signed request was answered or not logged: $(echo "$out" | grep Received)"
out=$(dae disconnect dae-secret "$(( $(date +%s) - 3600 ))" 'User-Name = "henry"')
ok=1
echo "$out" | grep -q "Received" || { wait_log "Event-Timestamp is 3[0-9]* s off" 3 && ok=0; }
result dae_stale $ok "a stale request was answered: $(echo "$out" | grep Received)"
ctl --json session list 2>/dev/null | grep -q '"henry"'
result dae_still_up $? "henry's session did not survive the bad requests"
out=$(dae disconnect dae-secret "$(date +%s)" 'User-Name = "henry"')
ok=1
echo "$out" | grep -q "Received Disconnect-ACK" &&
    wait_log "ends: RADIUS Disconnect-Request from DAE client ctl" 3 &&
    ! ctl --json session list 2>/dev/null | grep -q '"henry"' && ok=0
result dae_disconnect $ok "Disconnect: $(echo "$out" | grep -E 'Received|No reply' | head -2)"
acct wait -t 10 'Acct-Status-Type = Stop' 'User-Name = "henry"' \
    'Acct-Terminate-Cause = Admin-Reset' >/dev/null
result dae_disconnect_acct $? "no Stop with Admin-Reset for henry"

"$bed/sw-client" stop >/dev/null 2>&1
stop_server
grep -q 'roadgated stopped' "$srvlog"
result clean_shutdown $? "no 'roadgated stopped' in the log"
exit $fail
