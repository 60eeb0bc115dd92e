#!/usr/bin/env bash
# dp_static.sh: the userspace ESP data plane end to end, without IKE.
#
# Three namespaces of our own (rgdp-*): a client with the virtual IP
# 198.18.0.1 on its TUN, a server routing between the outside
# (192.0.2.0/24) and a LAN (198.51.100.0/24), and a LAN host
# 198.51.100.10.  Two tests/tools/dp-static processes (one per end) hold
# static SAs.  The client has no route to the LAN except its TUN device,
# so every ping and iperf3 byte crosses our ESP.  Checked for ESP-in-UDP
# (RFC 3948) and raw ESP (IP proto 50), AES-128-GCM and AES-256-CBC with
# HMAC-SHA-256, over IPv4 and IPv6 outer addresses, IPv4 and IPv6 inside:
# ping both ways, iperf3 TCP both ways, SA counters moved with no
# auth/replay drops, the tunnel MTU reaches a sender of a too-big DF
# packet (the kernel's answer above the TUN's MTU; the data plane's own
# when the TUN's MTU is raised past what fits the outer path), and after
# the server stops, nothing passes (while it passed just before).  Every
# negative check has a positive one in the same state, so a data plane
# that drops everything fails.  dp-static is an ASan/UBSan build: a
# sanitizer report from either end fails the case.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
tool=$build/tests/tools/dp-static
[ "$(id -u)" = 0 ] || { echo "SKIP dp_static: needs root"; exit 0; }
[ -x "$tool" ] || { echo "FAIL dp_static: $tool not built"; exit 1; }
. "$top/tests/integration/sanitizer_lib.bash"

NC=rgdp-c$$ NS=rgdp-s$$ NL=rgdp-l$$
work=$(mktemp -d /tmp/rgdp.XXXXXX)
pids=()
fails=0

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NC" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NL" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

setup() {
	ip netns add "$NC" && ip netns add "$NS" && ip netns add "$NL" || return 1
	ip link add cli0 netns "$NC" type veth peer name srv0 netns "$NS" || return 1
	ip link add lan0 netns "$NS" type veth peer name host0 netns "$NL" || return 1
	ip -n "$NC" addr add 192.0.2.2/24 dev cli0
	ip -n "$NS" addr add 192.0.2.1/24 dev srv0
	ip -n "$NS" addr add 198.51.100.1/24 dev lan0
	ip -n "$NL" addr add 198.51.100.10/24 dev host0
	for n in "$NC" "$NS" "$NL"; do ip -n "$n" link set lo up; done
	ip -n "$NC" link set cli0 up
	ip -n "$NS" link set srv0 up
	ip -n "$NS" link set lan0 up
	ip -n "$NL" link set host0 up
	ip -n "$NL" route add default via 198.51.100.1
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
	# IPv6 twins: outside 2001:db8:1::/64, LAN 2001:db8:2::/64, vip6
	ip -n "$NC" addr add 2001:db8:1::2/64 dev cli0 nodad
	ip -n "$NS" addr add 2001:db8:1::1/64 dev srv0 nodad
	ip -n "$NS" addr add 2001:db8:2::1/64 dev lan0 nodad
	ip -n "$NL" addr add 2001:db8:2::10/64 dev host0 nodad
	ip -n "$NL" -6 route add default via 2001:db8:2::1
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# wait_for FILE PATTERN SECONDS
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00112233445566778899aabbccddeeff
H1=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
H2=c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf

# run_case NAME MODE(udp|raw) ALG [OUTER(4|6)]
run_case() {
	local name=$1 mode=$2 alg=$3 outer=${4:-4} enc ekeylen args=() sp cp n ok
	local so=192.0.2.1 co=192.0.2.2
	[ "$outer" = 6 ] && so=2001:db8:1::1 co=2001:db8:1::2
	case $alg in
	aes128gcm) enc=(--encr aes128gcm); ekeylen=40 ;;
	aes256cbc-sha256) enc=(--encr aes256 --integ sha256); ekeylen=64 ;;
	esac
	local ka=${K1:0:$ekeylen} kb=${K2:0:$ekeylen}
	[ "$mode" = raw ] && args+=(--raw)
	if [ "$alg" = aes256cbc-sha256 ]; then
		sargs=(--ikey-in "$H1" --ikey-out "$H2")
		cargs=(--ikey-in "$H2" --ikey-out "$H1")
	else
		sargs=() cargs=()
	fi
	ip netns exec "$NS" "$tool" --tun rgs0 --local $so --peer $co \
	    "${args[@]}" "${enc[@]}" --spi-in c0000002 --spi-out c0000001 \
	    --key-in "$ka" --key-out "$kb" "${sargs[@]}" --mss 1360 \
	    --ts-local 198.51.100.0/24 --ts-remote 198.18.0.1/32 \
	    --ts-local 2001:db8:2::/64 --ts-remote 2001:db8:f::1/128 \
	    --route 198.18.0.1/32 --route 2001:db8:f::1/128 --move-peer 192.0.2.4 \
	    >"$work/srv.out" 2>"$work/srv.err" &
	sp=$!
	pids+=("$sp")
	ip netns exec "$NC" "$tool" --tun rgc0 --local $co --peer $so \
	    "${args[@]}" "${enc[@]}" --spi-in c0000001 --spi-out c0000002 \
	    --key-in "$kb" --key-out "$ka" "${cargs[@]}" --mss 1360 \
	    --ts-local 198.18.0.1/32 --ts-remote 198.51.100.0/24 \
	    --ts-local 2001:db8:f::1/128 --ts-remote 2001:db8:2::/64 \
	    >"$work/cli.out" 2>"$work/cli.err" &
	cp=$!
	pids+=("$cp")
	if ! wait_for "$work/srv.out" READY 5 || ! wait_for "$work/cli.out" READY 5; then
		fail "dp_static.$name.start" "$(cat "$work/srv.err" "$work/cli.err" | head -5)"
		kill "$sp" "$cp" 2>/dev/null; wait "$sp" "$cp" 2>/dev/null
		return
	fi
	# the client's virtual IP sits on its TUN, as kernel-libipsec does it
	ip -n "$NC" addr add 198.18.0.1/32 dev rgc0
	ip -n "$NC" route add 198.51.100.0/24 dev rgc0 src 198.18.0.1
	ip -n "$NC" addr add 2001:db8:f::1/128 dev rgc0 nodad
	ip -n "$NC" -6 route add 2001:db8:2::/64 dev rgc0 src 2001:db8:f::1

	if ip netns exec "$NC" ping -c 3 -i 0.2 -W 2 -I 198.18.0.1 198.51.100.10 >"$work/ping1" 2>&1; then
		pass "dp_static.$name.ping_client_to_lan"
	else
		fail "dp_static.$name.ping_client_to_lan" "$(tail -2 "$work/ping1")"
	fi
	if ip netns exec "$NL" ping -c 3 -i 0.2 -W 2 198.18.0.1 >"$work/ping2" 2>&1; then
		pass "dp_static.$name.ping_lan_to_client"
	else
		fail "dp_static.$name.ping_lan_to_client" "$(tail -2 "$work/ping2")"
	fi
	# The tunnel MTU: a DF packet of exactly the TUN's MTU (1400) passes;
	# one byte more gets "frag needed" (mtu 1400) back from the server.
	ip -n "$NL" route flush cache
	if ip netns exec "$NL" ping -c 1 -W 2 -M do -s 1372 198.18.0.1 >"$work/ping3" 2>&1 &&
	    ! ip netns exec "$NL" ping -c 1 -W 2 -M do -s 1373 198.18.0.1 >>"$work/ping3" 2>&1 &&
	    grep -q "Frag needed and DF set (mtu = 1400)" "$work/ping3"; then
		pass "dp_static.$name.frag_needed_tun_mtu"
	else
		fail "dp_static.$name.frag_needed_tun_mtu" "$(grep -v '^$' "$work/ping3" | tail -4 | tr '\n' ' ')"
	fi
	# The data plane's own answer (dpu_send): the server's TUN takes 1600
	# bytes, so a 1500-byte DF packet reaches the data plane, whose ESP
	# of it would not fit the 1500-byte outer path; the sender must hear
	# "frag needed" with the MTU that fits, from the server's outer
	# address, not lose the packet silently.  Then a packet that fits
	# still passes.
	# (over an IPv6 outer path the source is the inner destination)
	local from=$so
	[ "$outer" = 6 ] && from=198.18.0.1
	ip -n "$NS" link set rgs0 mtu 1600
	ip -n "$NL" route flush cache
	if ! ip netns exec "$NL" ping -c 1 -W 2 -M do -s 1472 198.18.0.1 >"$work/ping3" 2>&1 &&
	    grep -Eq "^From $from icmp_seq=1 Frag needed and DF set \(mtu = 1[34][0-9][0-9]\)" "$work/ping3" &&
	    ip netns exec "$NL" ping -c 1 -W 2 -M do -s 1300 198.18.0.1 >>"$work/ping3" 2>&1; then
		pass "dp_static.$name.frag_needed_dp"
	else
		fail "dp_static.$name.frag_needed_dp" "$(grep -v '^$' "$work/ping3" | tail -4 | tr '\n' ' ')"
	fi
	ip -n "$NS" link set rgs0 mtu 1400
	ip -n "$NL" route flush cache
	if ip netns exec "$NC" ping -6 -c 2 -i 0.2 -W 2 -I 2001:db8:f::1 2001:db8:2::10 >"$work/ping4" 2>&1 &&
	    ip netns exec "$NL" ping -6 -c 2 -i 0.2 -W 2 2001:db8:f::1 >>"$work/ping4" 2>&1 &&
	    ip netns exec "$NC" ping -6 -c 1 -W 2 -M do -s 1352 -I 2001:db8:f::1 2001:db8:2::10 >>"$work/ping4" 2>&1; then
		pass "dp_static.$name.ping6_both_ways"
	else
		fail "dp_static.$name.ping6_both_ways" "$(tail -2 "$work/ping4")"
	fi
	for dir in up down; do
		local flag=""
		[ $dir = down ] && flag=-R
		ip netns exec "$NL" timeout 20 iperf3 -s -1 -B 198.51.100.10 -p 5201 >"$work/iperf-s" 2>&1 &
		local ips=$!
		sleep 0.5
		if ip netns exec "$NC" timeout 20 iperf3 -c 198.51.100.10 -B 198.18.0.1 -p 5201 \
		    -t 2 $flag -f m >"$work/iperf-c" 2>&1; then
			local rate
			rate=$(awk '/receiver/ {print $(NF-2), $(NF-1)}' "$work/iperf-c" | tail -1)
			pass "dp_static.$name.iperf3_tcp_$dir ($rate)"
		else
			fail "dp_static.$name.iperf3_tcp_$dir" "$(tail -3 "$work/iperf-c")"
		fi
		wait "$ips" 2>/dev/null
	done

	if [ "$name" = raw-gcm ]; then
		# the client roams to 192.0.2.4 (its old address gone); the
		# server learns it through dp_sa_update_addrs (MOBIKE's job)
		ip netns exec "$NC" sysctl -qw net.ipv4.conf.cli0.promote_secondaries=1
		ip -n "$NC" addr add 192.0.2.4/24 dev cli0
		ip -n "$NC" addr del 192.0.2.2/24 dev cli0
		kill -USR2 "$sp"
		wait_for "$work/srv.out" MOVED 3
		if grep -q 'MOVED 0' "$work/srv.out" &&
		    ip netns exec "$NC" ping -c 3 -i 0.2 -W 2 -I 198.18.0.1 198.51.100.10 >"$work/ping5" 2>&1; then
			pass "dp_static.$name.update_addrs"
		else
			fail "dp_static.$name.update_addrs" "$(grep MOVED "$work/srv.out") $(tail -2 "$work/ping5")"
		fi
	fi
	# with the server's data plane gone, the client has no way through;
	# the same ping passed through it just before
	local before=fail
	ip netns exec "$NC" ping -c 1 -W 2 -I 198.18.0.1 198.51.100.10 >/dev/null 2>&1 && before=pass
	kill -TERM "$sp"
	wait "$sp" 2>/dev/null
	if [ $before != pass ]; then
		fail "dp_static.$name.no_bypass" "the ping failed with the server data plane up"
	elif ip netns exec "$NC" ping -c 1 -W 1 -I 198.18.0.1 198.51.100.10 >/dev/null 2>&1; then
		fail "dp_static.$name.no_bypass" "ping passed without the server data plane"
	else
		pass "dp_static.$name.no_bypass"
	fi
	kill -TERM "$cp"
	wait "$cp" 2>/dev/null
	if [ "$name" = raw-gcm ]; then	# back from the move, for the next case
		ip -n "$NC" addr add 192.0.2.2/24 dev cli0
		ip -n "$NC" addr del 192.0.2.4/24 dev cli0
	fi
	sanitizer_check "dp_static.$name.sanitizers" "dp-static (server)" "$work/srv.err" ||
	    fails=$((fails + 1))
	sanitizer_check "dp_static.$name.sanitizers" "dp-static (client)" "$work/cli.err" ||
	    fails=$((fails + 1))
	ok=1
	for f in srv cli; do
		for d in in out; do
			n=$(awk -v d="$d" '$1 == "COUNTERS" && $2 == d {
			    split($4, a, "="); print a[2] }' "$work/$f.out")
			[ -n "$n" ] && [ "$n" -gt 100 ] || ok=0
		done
		grep '^COUNTERS' "$work/$f.out" | grep -qv 'replay=0 auth=0' && ok=0
	done
	if [ $ok = 1 ]; then
		pass "dp_static.$name.counters ($(grep '^COUNTERS in' "$work/srv.out" | cut -d' ' -f3-5))"
	else
		fail "dp_static.$name.counters" "$(cat "$work/srv.out" "$work/cli.out" | grep COUNTERS | tr '\n' ' ')"
	fi
}

if ! setup; then
	echo "FAIL dp_static.setup: cannot create namespaces"
	exit 1
fi
# before anything: the LAN is unreachable from the client, while the
# client reaches the server and the server the LAN host
if ! ip netns exec "$NC" ping -c 1 -W 2 192.0.2.1 >/dev/null 2>&1 ||
    ! ip netns exec "$NS" ping -c 1 -W 2 198.51.100.10 >/dev/null 2>&1; then
	fail dp_static.isolated "the bed's links do not work"
elif ip netns exec "$NC" ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1; then
	fail dp_static.isolated "client reaches the LAN without a tunnel"
else
	pass dp_static.isolated
fi
run_case udp-gcm udp aes128gcm
run_case raw-gcm raw aes128gcm
run_case udp-cbc udp aes256cbc-sha256
run_case raw-cbc raw aes256cbc-sha256
run_case udp6-gcm udp aes128gcm 6
run_case raw6-cbc raw aes256cbc-sha256 6
[ $fails -eq 0 ]
