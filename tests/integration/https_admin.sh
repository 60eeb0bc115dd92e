#!/usr/bin/env bash
# https_admin.sh: the HTTPS listener and admin access against the real
# roadgated, on loopback inside a private network namespace (unshare -n:
# no fixed names or ports shared with other tests): off until an admin
# exists; TLS 1.2+ only; no session -> 401 on every API route (the route
# table walked from web/api_*.c); login, cookie flags, CSRF (403 without
# the header); read-only role (403 on change, 200 on read); API tokens
# (work, revocable, role); logout; a password change ends sessions; the
# audit log (who, from where, what); markup in a name comes back as
# escaped JSON; plain HTTP redirects and serves the CRL at crl_url;
# login throttling per account and per source address.
set -u
if [ -z "${RG_IN_NETNS:-}" ]; then
	export RG_IN_NETNS=1
	exec unshare -n "$0" "$@"
fi
ip link set lo up
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
daemon=$build/roadgated
ctlbin=$build/roadgatectl
for b in "$daemon" "$ctlbin"; do
	[ -x "$b" ] || { echo "FAIL https_admin: $b not built"; exit 1; }
done
tmp=$(mktemp -d)
state=$tmp/state
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
ok() { echo "PASS https_admin.$1"; }
ko() { echo "FAIL https_admin.$1: $2"; fails=$((fails + 1)); }
check() { local n=$1; shift; if "$@"; then ok "$n"; else ko "$n" "$*"; fi; }
ctl() { "$ctlbin" --socket "$state/api.sock" "$@"; }
. "$(dirname "$0")/cert_lib.bash"	# start, stop, daemon_sanitizers

H=https://127.0.0.1:18443
P=http://127.0.0.1:18080
# req METHOD URL [curl args...]: prints the status; body in $tmp/body,
# headers in $tmp/hdr
req() {
	local m=$1 u=$2
	shift 2
	curl -sk -m 10 -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -X "$m" \
	    -H 'Content-Type: application/json' "$@" "$u"
}
# login NAME PW JAR: prints the status (the csrf token: csrf_of)
login() {
	req POST "$H/v1/login" -c "$3" -d "{\"name\":\"$1\",\"password\":\"$2\"}"
}
csrf_of() { jq -r '.csrf_token // empty' "$tmp/body" 2>/dev/null; }
wait_https() {
	local i
	for i in $(seq 1 50); do
		curl -sk -o /dev/null "$H/v1/status" && return 0
		sleep 0.1
	done
	return 1
}

mkdir -p "$state"
start || { echo "FAIL https_admin.start: roadgated did not come up"; exit 1; }

ctl settings set crl_url http://127.0.0.1:18080/roadgate.crl >/dev/null
ctl settings set https_listen 127.0.0.1:18443 >/dev/null
ctl settings set http_listen 127.0.0.1:18080 >/dev/null
ctl ca show --pem >"$tmp/ca.pem"
sleep 0.3

# --- off until an admin account exists ---------------------------------
if curl -sk -o /dev/null "$H/v1/status"; then
	ko off_without_admin "HTTPS answered before any admin account existed"
else
	ok off_without_admin
fi
ctl admin add boss --password boss-pass-1 >/dev/null || ko admin_add "admin add failed"
ctl admin add viewer --password view-pass-1 --role read-only >/dev/null ||
	ko admin_add "admin add --role read-only failed"
if ctl --json admin list | jq -e 'length == 2 and (.[0] | has("pw_hash") | not)' >/dev/null; then
	ok admin_list
else
	ko admin_list "$(ctl --json admin list)"
fi
wait_https && ok on_with_admin || ko on_with_admin "HTTPS not listening after admin add: $(grep -i web "$tmp/daemon.log" | tail -3)"

# --- TLS 1.2 minimum ------------------------------------------------------
# The client is allowed old versions (OpenSSL 3 needs SECLEVEL 0 for them)
# so that a refusal is the server's.
tlsv() {
	echo | OPENSSL_CONF=/dev/null timeout 5 openssl s_client -connect 127.0.0.1:18443 \
	    "$@" 2>&1 | grep -q 'New, TLSv1\.[0-9]'
}
check tls12_accepted tlsv -tls1_2
check tls13_accepted tlsv -tls1_3
if tlsv -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'; then ko tls11_refused "TLS 1.1 handshake completed"; else ok tls11_refused; fi
if tlsv -tls1 -cipher 'DEFAULT:@SECLEVEL=0'; then ko tls10_refused "TLS 1.0 handshake completed"; else ok tls10_refused; fi
# the certificate is the server certificate from the store
ctl server-cert show --pem >"$tmp/srv.pem"
echo | openssl s_client -connect 127.0.0.1:18443 2>/dev/null | openssl x509 >"$tmp/served.pem" 2>/dev/null
if [ -s "$tmp/served.pem" ] && [ "$(openssl x509 -in "$tmp/served.pem" -noout -fingerprint -sha256)" = \
    "$(openssl x509 -in "$tmp/srv.pem" -noout -fingerprint -sha256)" ]; then
	ok server_cert_served
else
	ko server_cert_served "served certificate differs from server-cert show"
fi

# --- no session: 401 on every route of the table ------------------------
routes=$(perl -0ne 'while(/web_resource\s+web_res_\w+\s*=\s*\{\s*(?:\.name\s*=\s*)?"([^"]+)"/g){print "$1\n"}' \
    "$top"/web/api_*.c)
bad=""
n=0
for r in $routes; do
	for mu in "GET /v1/$r" "POST /v1/$r" "GET /v1/$r/x" "PUT /v1/$r/x" "PATCH /v1/$r/x" "DELETE /v1/$r/x"; do
		s=$(req ${mu% *} "$H${mu#* }" -d '{}')
		n=$((n + 1))
		[ "$s" = 401 ] || bad="$bad $mu=$s"
	done
done
s=$(req POST "$H/v1/logout")
[ "$s" = 401 ] || bad="$bad logout=$s"
s=$(req GET "$H/v1/users" -H 'Cookie: rg_session=0000000000000000000000000000000000000000000000000000000000000000')
[ "$s" = 401 ] || bad="$bad forged-cookie=$s"
s=$(req GET "$H/v1/users" -H "Authorization: Bearer rgt_$(printf '%064d' 0)")
[ "$s" = 401 ] || bad="$bad forged-token=$s"
if [ -z "$bad" ] && [ "$n" -ge 100 ]; then ok no_session_401 "($n requests)"; else ko no_session_401 "not 401:$bad ($n)"; fi

# --- login, cookie flags, CSRF ------------------------------------------
s=$(login boss wrong-pass "$tmp/jar0")
[ "$s" = 401 ] && ok login_wrong_password || ko login_wrong_password "status $s"
s=$(curl -sk -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' -d '{"name":"boss","password":"boss-pass-1"}' "$H/v1/login")
[ "$s" = 415 ] && ok login_json_only || ko login_json_only "status $s for a text/plain login"
s=$(login boss boss-pass-1 "$tmp/jar")
boss_csrf=$(csrf_of)
if [ "$s" = 200 ] && [ -n "$boss_csrf" ] &&
    grep -i '^set-cookie: rg_session=' "$tmp/hdr" | grep -q 'Secure; HttpOnly; SameSite=Strict'; then
	ok login
else
	ko login "status $s, $(grep -i set-cookie "$tmp/hdr")"
fi
s=$(req GET "$H/v1/users" -b "$tmp/jar")
[ "$s" = 200 ] && ok session_read || ko session_read "status $s"
s=$(req POST "$H/v1/users" -b "$tmp/jar" -d '{"name":"alice","password":"alice-pass"}')
[ "$s" = 403 ] && ok csrf_missing_403 || ko csrf_missing_403 "status $s"
s=$(req POST "$H/v1/users" -b "$tmp/jar" -H "X-CSRF-Token: ${boss_csrf%?}0" -d '{"name":"alice","password":"alice-pass"}')
[ "$s" = 403 ] && ok csrf_wrong_403 || ko csrf_wrong_403 "status $s"
ctl user show alice >/dev/null 2>&1 && ko csrf_nothing_changed "alice exists" || ok csrf_nothing_changed
s=$(req POST "$H/v1/users" -b "$tmp/jar" -H "X-CSRF-Token: $boss_csrf" -d '{"name":"alice","password":"alice-pass"}')
[ "$s" = 201 ] && ctl user show alice >/dev/null && ok csrf_change || ko csrf_change "status $s $(cat "$tmp/body")"

# --- read-only role ---------------------------------------------------
s=$(login viewer view-pass-1 "$tmp/jarv")
csrf=$(csrf_of)
[ "$s" = 200 ] || ko ro_login "status $s"
s=$(req GET "$H/v1/users/alice" -b "$tmp/jarv")
[ "$s" = 200 ] && ok ro_read_200 || ko ro_read_200 "status $s"
bad=""
for mu in "POST /v1/users" "PATCH /v1/users/alice" "DELETE /v1/users/alice" "PUT /v1/settings/mss_clamp" "POST /v1/admins" "POST /v1/tokens"; do
	s=$(req ${mu% *} "$H${mu#* }" -b "$tmp/jarv" -H "X-CSRF-Token: $csrf" -d '{"name":"x1","password":"long-enough","value":"1200"}')
	[ "$s" = 403 ] || bad="$bad $mu=$s"
done
[ -z "$bad" ] && ctl user show alice >/dev/null && ok ro_change_403 || ko ro_change_403 "$bad"

# --- API tokens -----------------------------------------------------
tok=$(ctl --json token add ci --role admin | jq -r .token)
rotok=$(ctl --json token add mon | jq -r .token)
s=$(req GET "$H/v1/status" -H "Authorization: Bearer $tok")
[ "$s" = 200 ] && ok token_read || ko token_read "status $s"
s=$(req POST "$H/v1/pools" -H "Authorization: Bearer $tok" -d '{"name":"tp","ranges":["198.18.5.0/24"]}')
[ "$s" = 201 ] && ok token_change || ko token_change "status $s $(cat "$tmp/body")"
s=$(req DELETE "$H/v1/pools/tp" -H "Authorization: Bearer $rotok")
[ "$s" = 403 ] && ok token_read_only_403 || ko token_read_only_403 "status $s"
if ctl --json token list | jq -e 'all(.[]; has("token") | not) and length == 2' >/dev/null; then
	ok token_list_no_secret
else
	ko token_list_no_secret "$(ctl --json token list)"
fi
# a raw (non-JSON) answer: a client profile, as an attachment, over HTTPS
s=$(req GET "$H/v1/users/alice/profiles/swanctl?method=eap" -H "Authorization: Bearer $rotok")
if [ "$s" = 200 ] && grep -qi '^content-disposition: attachment' "$tmp/hdr" &&
    grep -q 'connections' "$tmp/body"; then
	ok profile_over_https
else
	ko profile_over_https "status $s $(head -c 300 "$tmp/body")"
fi
ctl token del ci >/dev/null
s=$(req GET "$H/v1/status" -H "Authorization: Bearer $tok")
[ "$s" = 401 ] && ok token_revoked || ko token_revoked "status $s"

# --- markup in a name comes back as escaped JSON -------------------------
mark='<img src=x onerror=alert(1)>"</script>'
req POST "$H/v1/login" -d "$(jq -nc --arg n "$mark" '{name: $n, password: "whatever1"}')" >/dev/null
s=$(req GET "$H/v1/audit" -b "$tmp/jar")
if [ "$s" = 200 ] && grep -qi '^content-type: application/json' "$tmp/hdr" &&
    grep -qi '^x-content-type-options: nosniff' "$tmp/hdr" &&
    jq -e --arg n "$mark" 'any(.[]; .who == $n)' "$tmp/body" >/dev/null &&
    grep -qF '"who": "<img src=x onerror=alert(1)>\"</script>"' "$tmp/body"; then
	ok markup_escaped
else
	ko markup_escaped "$(grep -F 'img' "$tmp/body" | head -2)"
fi

# --- audit log ------------------------------------------------------
if ctl --json audit list >"$tmp/audit.json" &&
    jq -e 'any(.[]; .who == "boss" and .source == "127.0.0.1" and .verb == "POST" and .path == "/v1/users" and .status == 201)' "$tmp/audit.json" >/dev/null &&
    jq -e 'any(.[]; .who == "token:ci" and .verb == "POST" and .path == "/v1/pools")' "$tmp/audit.json" >/dev/null &&
    jq -e 'any(.[]; .who == "viewer" and .status == 403)' "$tmp/audit.json" >/dev/null &&
    jq -e 'any(.[]; .who == "root" and .source == "unix socket" and .path == "/v1/tokens/ci" and .verb == "DELETE")' "$tmp/audit.json" >/dev/null &&
    jq -e 'all(.[]; .time > 0)' "$tmp/audit.json" >/dev/null &&
    ctl audit list | grep -q boss; then
	ok audit_log
else
	ko audit_log "$(head -c 600 "$tmp/audit.json")"
fi

# --- logout; a new password ends sessions --------------------------------
s=$(req POST "$H/v1/logout" -b "$tmp/jarv" -H "X-CSRF-Token: $csrf")
s2=$(req GET "$H/v1/users" -b "$tmp/jarv")
[ "$s" = 200 ] && [ "$s2" = 401 ] && ok logout || ko logout "logout $s, after $s2"
ctl admin passwd boss --password boss-pass-2 >/dev/null
s=$(req GET "$H/v1/users" -b "$tmp/jar")
[ "$s" = 401 ] && ok passwd_ends_sessions || ko passwd_ends_sessions "status $s"
s=$(login boss boss-pass-2 "$tmp/jar")
[ "$s" = 200 ] && ok passwd_new_login || ko passwd_new_login "status $s"

# --- plain HTTP: redirect and CRL ---------------------------------------
s=$(req GET "$P/v1/status?x=1")
if [ "$s" = 301 ] && grep -qi '^location: https://127.0.0.1:18443/v1/status' "$tmp/hdr"; then
	ok http_redirect
else
	ko http_redirect "status $s $(grep -i location "$tmp/hdr")"
fi
s=$(req GET "$P/v1/users" -H 'Host: evil.example
X: y')
[ "$s" != 200 ] && ok http_no_api || ko http_no_api "API served over plain HTTP"
s=$(req GET "$P/roadgate.crl")
if [ "$s" = 200 ] && grep -qi '^content-type: application/pkix-crl' "$tmp/hdr" &&
    openssl crl -inform DER -in "$tmp/body" -CAfile "$tmp/ca.pem" -noout 2>/dev/null; then
	ok http_crl
else
	ko http_crl "status $s"
fi
s=$(req GET "$H/roadgate.crl")
[ "$s" = 200 ] && ok https_crl || ko https_crl "status $s"
# the URL issued certificates carry is the one served
ctl cert issue alice >/dev/null 2>&1
ctl cert show alice --pem >"$tmp/alice.pem" 2>/dev/null
cdp=$(openssl x509 -in "$tmp/alice.pem" -noout -ext crlDistributionPoints 2>/dev/null | grep -o 'URI:[^ ]*' | cut -c5-)
if [ -n "$cdp" ] && curl -s -o "$tmp/cdp.crl" -w '%{http_code}' "$cdp" | grep -q 200 &&
    openssl crl -inform DER -in "$tmp/cdp.crl" -CAfile "$tmp/ca.pem" -noout 2>/dev/null; then
	ok crl_at_cdp
else
	ko crl_at_cdp "CDP '$cdp' not served"
fi

# --- throttling (last: it blocks this address) ---------------------------
for i in 1 2 3 4 5; do login viewer "wrong-$i" "$tmp/j" >/dev/null; done
s=$(login viewer view-pass-1 "$tmp/j")
[ "$s" = 429 ] && grep -qi '^retry-after:' "$tmp/hdr" && ok throttle_account || ko throttle_account "status $s after 5 failures"
s=$(login boss boss-pass-2 "$tmp/j")
[ "$s" = 200 ] && ok throttle_other_account || ko throttle_other_account "status $s"
for i in $(seq 1 20); do login "nobody$i" wrong-pass "$tmp/j" >/dev/null; done
s=$(login boss boss-pass-2 "$tmp/j")
[ "$s" = 429 ] && ok throttle_source || ko throttle_source "status $s after 20 failures from one address"
grep -q 'too many failed logins' "$tmp/daemon.log" && ok throttle_logged || ko throttle_logged "no log line"
grep -q 'boss-pass\|view-pass' "$tmp/daemon.log" && ko no_secret_logged "a password is in the log" || ok no_secret_logged

stop
daemon_sanitizers https_admin.sanitizers
[ "$fails" = 0 ]
