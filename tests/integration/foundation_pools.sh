#!/usr/bin/env bash
# foundation_pools.sh: bad pool input through roadgatectl and the REST API
# is refused with a message naming the field (exit 1, HTTP 4xx) and
# changes nothing, stored or running: overlapping pools (add and set),
# a range that is not a network, prefixes too long, a range too large for
# a pool, the pool name in use (duplicate; delete while a profile or
# another pool's "next" names it), next-pool cycles and families.
# Also: every refusal leaves the daemon's live pool set as it was.
. "$(dirname "$0")/foundation_lib.bash"

start_daemon || { fail pools.start "roadgated not ready"; exit 1; }
ctl pool add p1 --range 10.9.0.0/24 >/dev/null &&
ctl pool add p2 --range 10.9.1.0/24 --next p1 >/dev/null &&
ctl pool add v6 --range 2001:db8:5::/64 >/dev/null &&
ctl profile add prof --pool p2 >/dev/null ||
	fail pools.setup "could not create the pools"

snap() { for r in pool profile; do ctl --json $r list; done; ctl --json status | jq -c '.engine.pools.pools'; }
before=$(snap)
bad() { expect_refused "pools.bad.$1" "${@:2}"; }	# name, expected text, command...
bad overlap_add "field ranges" pool add p3 --range 10.9.0.128/25
bad overlap_range "field ranges" pool add p3 --range 10.9.0.200-10.9.1.5
bad overlap_set "field ranges" pool set p2 --range 10.9.0.0/23
bad overlap_self "field ranges" pool add p3 --range 10.8.0.0/24 --range 10.8.0.0/25
bad not_a_network "field ranges" pool add p3 --range 10.8.0.1/24
bad not_a_network6 "field ranges" pool add p3 --range 2001:db8:6::1/64
bad prefix_too_long "field ranges" pool add p3 --range 10.8.0.0/31
bad prefix_over_32 "field ranges" pool add p3 --range 10.8.0.0/33
bad prefix_over_128 "field ranges" pool add p3 --range 2001:db8:6::/129
bad too_large "field ranges" pool add p3 --range 12.0.0.0/7
bad first_above_last "field ranges" pool add p3 --range 10.8.0.9-10.8.0.1
bad duplicate_name "already exists" pool add p1 --range 10.8.0.0/24
bad in_use_profile "is in use by profile prof" pool del p2
bad in_use_next "is in use by pool p2 (next)" pool del p1
bad next_unknown "field next" pool set p1 --next nope
bad next_cycle "field next" pool set p1 --next p2
bad next_family "field next" pool set v6 --next p1
bad next_self "field next" pool set p1 --next p1
bad profile_unknown_pool "field pools" profile add x --pool nope
after=$(snap)
[ "$before" = "$after" ] && pass pools.bad_input_changes_nothing ||
	fail pools.bad_input_changes_nothing "$(diff <(echo "$before") <(echo "$after") | head -5)"

# The API answers with the field, HTTP 4xx.
api() { curl -s --unix-socket "$STATE/api.sock" -X "$1" "http://x/v1/$2" ${3:+-d "$3"}; }
out=$(api POST pools '{"name":"p4","ranges":["10.9.0.5-10.9.0.9"]}')
[ "$(jq -r .field <<<"$out")" = ranges ] && pass pools.api_field ||
	fail pools.api_field "$out"
grep -q "ranges overlap\|overlaps" <<<"$out" && pass pools.api_message ||
	fail pools.api_message "$out"

stop_daemon
sanitizer_clean pools.sanitizers
