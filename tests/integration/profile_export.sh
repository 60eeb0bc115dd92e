#!/usr/bin/env bash
# profile_export.sh: the swanctl.conf that roadgatectl profile-export writes,
# loaded unchanged (but for the EAP password the user fills in) into the
# strongSwan client of ../shared/testbed, connects to the real roadgated and
# pings the LAN host, for --method eap (EAP-MSCHAPv2) and --method cert
# (the user's certificate from the PKCS#12 written beside the profile).
# The files beside it (the CA, the PKCS#12) go where the profile's comment
# says: x509ca/ and pkcs12/ of the client's swanctl directory.  Also: the
# PKCS#12 file is 0600, an unknown user and an IKEv1 method are refused
# naming the field.  Own namespaces rg-pexp-*, own TB_STATE.
# Needs root; every wait bounded; kills only the pids it started.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
bed=${TB_HOME:-$top/../shared/testbed}
if [ "$(id -u)" != 0 ] || [ ! -x "$bed/sw-client" ]; then
	echo "SKIP profile_export: needs root and $bed"
	exit 0
fi
suite=profile_export
. "$top/tests/integration/sanitizer_lib.bash"
export TB_NS_CLI=rg-pexp-cli TB_NS_SRV=rg-pexp-srv TB_NS_LAN=rg-pexp-lan
export TB_STATE=/tmp/rg-pexp-bed
. "$bed/lib/common.sh"
tmp=$(mktemp -d /tmp/rg-pexp.XXXXXX)
state=$tmp/state
log=$tmp/roadgated.log
pid=""
fail=0
# The client starts with no profile of the bed: only the exported ones.
export TB_CLIENT_PROFILES=$tmp/none
mkdir -p "$TB_CLIENT_PROFILES"
swdir=$TB_STATE/client/swanctl

ctl() { "$build/roadgatectl" --state-dir "$state" "$@"; }
pass() { echo "PASS $suite.$1"; }
failed() {
	echo "FAIL $suite.$1: $2"
	fail=1
}
check() {	# name detail command...: PASS when the command succeeds
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else failed "$name" "$detail"; fi
}

stop_daemon() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

cleanup() {
	local rc=$?
	"$bed/sw-client" stop >/dev/null 2>&1
	stop_daemon
	sanitizer_check "$suite.sanitizers" roadgated "$log" || fail=1
	if [ $fail != 0 ]; then
		echo "--- roadgated log"
		tail -40 "$log"
		echo "--- client log"
		"$bed/sw-client" log 30 2>/dev/null
		rc=1
	fi
	"$bed/netns-down" >/dev/null 2>&1
	rm -rf "$tmp" "$TB_STATE"
	exit $rc
}
trap cleanup EXIT

start_daemon() {
	ip netns exec "$TB_NS_SRV" "$build/roadgated" --state-dir "$state" \
	    --foreground --log-level info >>"$log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		ctl status --json >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL $suite.setup: roadgated not ready"
	exit 1
}

"$bed/netns-up" >/dev/null || { echo "FAIL $suite.setup: netns-up"; exit 1; }
"$bed/mkpki" >/dev/null || { echo "FAIL $suite.setup: mkpki"; exit 1; }

mkdir -p "$state"
start_daemon
cfg() { ctl "$@" >/dev/null || { echo "FAIL $suite.setup: roadgatectl $*"; exit 1; }; }
cfg ca import --cert "$TB_PKI/ca.pem" --key "$TB_PKI/ca.key"
cfg server-cert import --cert "$TB_PKI/server.pem" --key "$TB_PKI/server.key"
cfg pool add testbed --range "$TB_POOL"
cfg profile add default --pool testbed --dns "$TB_DNS" --split "$TB_LAN_NET"
cfg policy add lan --network "$TB_LAN_NET"
cfg settings set default_profile default
cfg settings set default_policy lan
cfg settings set dataplane userspace
cfg user add alice --password alice-pass
cfg cert issue alice --san-email alice@testbed.test
stop_daemon
start_daemon	# the data plane kind is chosen at start

# --- export -------------------------------------------------------------------
mkdir -p "$tmp/eap" "$tmp/cert"
check export_eap "roadgatectl profile-export --method eap failed" \
    ctl profile-export alice --os swanctl --method eap --out "$tmp/eap/roadgate.conf"
check export_cert "roadgatectl profile-export --method cert failed" \
    ctl profile-export alice --os swanctl --method cert --out "$tmp/cert/roadgate.conf"
check export_files "$(ls -l "$tmp/eap" "$tmp/cert" 2>&1 | tr '\n' ' ')" \
    eval '[ -s "$tmp/eap/roadgate-ca.pem" ] && [ -s "$tmp/cert/roadgate-alice.p12" ] &&
    [ "$(stat -c %a "$tmp/cert/roadgate-alice.p12")" = 600 ] &&
    [ "$(stat -c %a "$tmp/cert/roadgate.conf")" = 600 ]'
check export_unknown_user "an unknown user was not refused" \
    eval '! ctl profile-export nobody --os swanctl --out "$tmp/x.conf" 2>"$tmp/err" &&
    grep -q "field: user" "$tmp/err"'
check export_ikev1_refused "$(cat "$tmp/err2" 2>/dev/null)" \
    eval '! ctl profile-export alice --os ios --method ikev1 --out "$tmp/x.conf" 2>"$tmp/err2" &&
    grep -q "method ikev1: the IKEv1 responder is not available yet (field: method)" "$tmp/err2"'

# Over HTTP the file itself, with its content type (curl on the socket).
api_get() {	# path headers-file body-file: the HTTP status
	curl -s --unix-socket "$state/api.sock" -D "$2" -o "$3" \
	    -w '%{http_code}' "http://roadgate$1"
}
check http_mobileconfig "$(cat "$tmp/h1" 2>/dev/null | tr '\r\n' '  ')" \
    eval '[ "$(api_get "/v1/users/alice/profiles/ios?method=cert" "$tmp/h1" "$tmp/b1")" = 200 ] &&
    grep -qi "^Content-Type: application/x-apple-aspen-config" "$tmp/h1" &&
    grep -qi "^Cache-Control: no-store" "$tmp/h1" &&
    python3 -c "import plistlib,sys; p = plistlib.load(open(sys.argv[1], \"rb\"));
assert [x[\"PayloadType\"] for x in p[\"PayloadContent\"]] == [\"com.apple.vpn.managed\",
    \"com.apple.security.root\", \"com.apple.security.pkcs12\"]" "$tmp/b1"'
check http_bad_os "$(cat "$tmp/b2" 2>/dev/null)" \
    eval '[ "$(api_get "/v1/users/alice/profiles/beos" "$tmp/h2" "$tmp/b2")" = 400 ] &&
    [ "$(jq -r .field "$tmp/b2")" = os ]'

"$bed/sw-client" start >/dev/null || { echo "FAIL $suite.setup: sw-client start"; exit 1; }

# One method: its profile into conf.d, its files where the profile's
# comment puts them, load, connect, ping the LAN host, disconnect.
run_method() {	# eap|cert
	local m=$1 vip
	rm -f "$swdir"/conf.d/*.conf
	if [ "$m" = eap ]; then
		# What the user does: uncomment the secret, fill in the password.
		sed -e 's/^    # /    /' -e 's/YOUR PASSWORD/alice-pass/' \
		    "$tmp/eap/roadgate.conf" >"$swdir/conf.d/roadgate.conf"
	else
		cp "$tmp/cert/roadgate.conf" "$swdir/conf.d/roadgate.conf"
		cp "$tmp/cert/roadgate-alice.p12" "$swdir/pkcs12/"
	fi
	cp "$tmp/$m/roadgate-ca.pem" "$swdir/x509ca/"
	if ! "$bed/sw-client" swanctl --load-all --noprompt >"$tmp/load-$m" 2>&1; then
		failed "${m}_load" "$(tail -5 "$tmp/load-$m" | tr '\n' ' ')"
		return
	fi
	pass "${m}_load"
	if ! "$bed/sw-client" up roadgate >/dev/null 2>&1; then
		failed "${m}_connect" "the exported profile did not come up"
		return
	fi
	pass "${m}_connect"
	vip=$("$bed/sw-client" vip roadgate 2>/dev/null | head -1)
	check "${m}_ping" "no reply from $TB_LAN_HOST via '$vip'" \
	    ip netns exec "$TB_NS_CLI" ping -c 3 -W 2 -I "$vip" "$TB_LAN_HOST"
	check "${m}_session" "roadgated shows no session of alice" \
	    eval 'ctl --json session list | jq -e "[.[] | select(.user == \"alice\")] | length == 1" >/dev/null'
	"$bed/sw-client" down roadgate >/dev/null 2>&1
	for _ in $(seq 50); do
		[ "$(ctl --json session list | jq length)" = 0 ] && break
		sleep 0.1
	done
}
run_method eap
run_method cert
exit $fail
