#!/usr/bin/env bash
# dp_fwd.sh: the forwarding helpers (dp_forwarding_apply, dp_fwd.c) on a
# real kernel, in namespaces of our own (rgfw-*): a client with two
# virtual IPs on its TUN (198.18.0.1 outside every subnet, 198.51.100.200
# inside the LAN's), a server between the client's network (192.0.2.0/24),
# a LAN (198.51.100.0/24, host .10 with no route off its subnet) and an
# "outside" (203.0.113.0/24, host .10 with no route to the pool).  Two
# tests/tools/dp-static processes hold the static SAs (userspace ESP).
#  - off (the default): ip_forward stays 0, no nft table, no proxy
#    entries, and nothing passes beyond the server (while the server's
#    own outside address answers through the same tunnel).
#  - on (forwarding, masquerade wan0, proxy_arp lan0): ip_forward 1, the
#    client reaches the outside host, which sees the server's address
#    (iperf3's "Accepted connection from"); the LAN host reaches the
#    in-subnet vip on-link (proxy ARP); after shutdown everything is back.
# dp-static and roadgated are ASan/UBSan builds: a sanitizer report from
# one of them fails the script.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
tool=$build/tests/tools/dp-static
[ "$(id -u)" = 0 ] || { echo "SKIP dp_fwd: needs root"; exit 0; }
[ -x "$tool" ] || { echo "FAIL dp_fwd: $tool not built"; exit 1; }
command -v nft >/dev/null || { echo "SKIP dp_fwd: no nft"; exit 0; }
. "$top/tests/integration/sanitizer_lib.bash"

NC=rgfw-c$$ NS=rgfw-s$$ NL=rgfw-l$$ NO=rgfw-o$$
work=$(mktemp -d /tmp/rgfw.XXXXXX)
pids=()
fails=0

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	for p in "$NC" "$NS" "$NL" "$NO"; do ip netns del "$p" 2>/dev/null; done
	[ -n "${RG_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

setup() {
	local n
	for n in "$NC" "$NS" "$NL" "$NO"; do ip netns add "$n" || return 1; done
	ip link add cli0 netns "$NC" type veth peer name srv0 netns "$NS" || return 1
	ip link add lan0 netns "$NS" type veth peer name host0 netns "$NL" || return 1
	ip link add wan0 netns "$NS" type veth peer name out0 netns "$NO" || return 1
	ip -n "$NC" addr add 192.0.2.2/24 dev cli0
	ip -n "$NS" addr add 192.0.2.1/24 dev srv0
	ip -n "$NS" addr add 198.51.100.1/24 dev lan0
	ip -n "$NS" addr add 203.0.113.1/24 dev wan0
	ip -n "$NL" addr add 198.51.100.10/24 dev host0
	ip -n "$NO" addr add 203.0.113.10/24 dev out0
	# IPv6 twins: LAN 2001:db8:2::/64, outside 2001:db8:3::/64
	ip -n "$NS" addr add 2001:db8:2::1/64 dev lan0 nodad
	ip -n "$NS" addr add 2001:db8:3::1/64 dev wan0 nodad
	ip -n "$NL" addr add 2001:db8:2::10/64 dev host0 nodad
	ip -n "$NO" addr add 2001:db8:3::10/64 dev out0 nodad
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=0
	for n in "$NC" "$NS" "$NL" "$NO"; do ip -n "$n" link set lo up; done
	ip -n "$NC" link set cli0 up
	ip -n "$NS" link set srv0 up
	ip -n "$NS" link set lan0 up
	ip -n "$NS" link set wan0 up
	ip -n "$NL" link set host0 up
	ip -n "$NO" link set out0 up
	# a fresh namespace forwards nothing; make sure of it
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=0
}

wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

K1=000102030405060708090a0b0c0d0e0f10111213
K2=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00112233
sp= cp=

# start_pair [server options...]
start_pair() {
	: >"$work/srv.out"; : >"$work/cli.out"
	ip netns exec "$NS" "$tool" --tun rgs0 --local 192.0.2.1 --peer 192.0.2.2 \
	    --encr aes128gcm --spi-in c0000002 --spi-out c0000001 \
	    --key-in "$K1" --key-out "$K2" --ts-local 0.0.0.0/0 \
	    --ts-remote 198.18.0.1/32 --ts-remote 198.51.100.200/32 \
	    --route 198.18.0.1/32 --route 198.51.100.200/32 \
	    --ts-local ::/0 --ts-remote 2001:db8:f::1/128 \
	    --ts-remote 2001:db8:2::200/128 \
	    --route 2001:db8:f::1/128 --route 2001:db8:2::200/128 "$@" \
	    >"$work/srv.out" 2>"$work/srv.err" &
	sp=$!
	pids+=("$sp")
	ip netns exec "$NC" "$tool" --tun rgc0 --local 192.0.2.2 --peer 192.0.2.1 \
	    --encr aes128gcm --spi-in c0000001 --spi-out c0000002 \
	    --key-in "$K2" --key-out "$K1" --ts-remote 0.0.0.0/0 \
	    --ts-local 198.18.0.1/32 --ts-local 198.51.100.200/32 \
	    --ts-remote ::/0 --ts-local 2001:db8:f::1/128 \
	    --ts-local 2001:db8:2::200/128 \
	    >"$work/cli.out" 2>"$work/cli.err" &
	cp=$!
	pids+=("$cp")
	wait_for "$work/srv.out" READY 5 && wait_for "$work/cli.out" READY 5 || return 1
	ip -n "$NC" addr add 198.18.0.1/32 dev rgc0
	ip -n "$NC" addr add 198.51.100.200/32 dev rgc0
	ip -n "$NC" route add 203.0.113.0/24 dev rgc0 src 198.18.0.1
	ip -n "$NC" route add 198.51.100.0/24 dev rgc0 src 198.51.100.200
	ip -n "$NC" addr add 2001:db8:f::1/128 dev rgc0 nodad
	ip -n "$NC" addr add 2001:db8:2::200/128 dev rgc0 nodad
	ip -n "$NC" -6 route add 2001:db8:3::/64 dev rgc0 src 2001:db8:f::1
	ip -n "$NC" -6 route add 2001:db8:2::/64 dev rgc0 src 2001:db8:2::200
}

stop_pair() {	# stop_pair NAME: both ends, then their sanitizer reports
	kill "$sp" "$cp" 2>/dev/null
	wait "$sp" "$cp" 2>/dev/null
	sanitizer_check "dp_fwd.$1.sanitizers" "dp-static (server)" "$work/srv.err" ||
	    fails=$((fails + 1))
	sanitizer_check "dp_fwd.$1.sanitizers" "dp-static (client)" "$work/cli.err" ||
	    fails=$((fails + 1))
}

state() {	# ip_forward, our table present?, proxy entries
	local t=no
	ip netns exec "$NS" nft list table inet roadgate >/dev/null 2>&1 && t=yes
	echo "fwd=$(ip netns exec "$NS" cat /proc/sys/net/ipv4/ip_forward)" \
	    "fwd6=$(ip netns exec "$NS" cat /proc/sys/net/ipv6/conf/all/forwarding)" \
	    "ndp=$(ip netns exec "$NS" cat /proc/sys/net/ipv6/conf/lan0/proxy_ndp)" \
	    "table=$t proxy=[$(ip -n "$NS" neigh show proxy | tr '\n' ' ')]"
}

if ! setup; then
	echo "FAIL dp_fwd.setup: cannot create namespaces"
	exit 1
fi

# --- off by default -----------------------------------------------------
if ! start_pair; then
	fail dp_fwd.off.start "$(cat "$work/srv.err" "$work/cli.err" | head -5)"
else
	s=$(state)
	if [ "$s" = "fwd=0 fwd6=0 ndp=0 table=no proxy=[]" ]; then
		pass dp_fwd.off.untouched
	else
		fail dp_fwd.off.untouched "$s"
	fi
	# the tunnel carries the same route to the server's own address on
	# the outside network; only the host beyond stays out of reach
	if ! ip netns exec "$NC" ping -c 1 -W 2 -I 198.18.0.1 203.0.113.1 >/dev/null 2>&1; then
		fail dp_fwd.off.no_path "the server's outside address does not answer through the tunnel"
	elif ip netns exec "$NC" ping -c 1 -W 1 -I 198.18.0.1 203.0.113.10 >/dev/null 2>&1; then
		fail dp_fwd.off.no_path "client reached the outside with helpers off"
	else
		pass dp_fwd.off.no_path
	fi
fi
stop_pair off

# --- on -----------------------------------------------------------------
if ! start_pair --forwarding --masquerade wan0 --proxy-arp lan0; then
	fail dp_fwd.on.start "$(cat "$work/srv.err" "$work/cli.err" | head -5)"
else
	s=$(state)
	if [[ $s == "fwd=1 fwd6=1 ndp=1 table=yes proxy=["* ]] &&
	    ip -n "$NS" neigh show proxy dev lan0 | grep -q "^198.51.100.200 " &&
	    ip -n "$NS" neigh show proxy dev lan0 | grep -q "^2001:db8:2::200 "; then
		pass dp_fwd.on.state
	else
		fail dp_fwd.on.state "$s"
	fi
	if ip netns exec "$NS" nft list set inet roadgate pool4 2>&1 | grep -q 198.18.0.1; then
		pass dp_fwd.on.pool_set
	else
		fail dp_fwd.on.pool_set "$(ip netns exec "$NS" nft list table inet roadgate 2>&1 | head -20)"
	fi
	# masquerade: the outside host has no route back to the pool
	if ip netns exec "$NC" ping -c 2 -i 0.2 -W 2 -I 198.18.0.1 203.0.113.10 >"$work/ping1" 2>&1; then
		pass dp_fwd.masq.ping_outside
	else
		fail dp_fwd.masq.ping_outside "$(tail -2 "$work/ping1")"
	fi
	ip netns exec "$NO" timeout 15 iperf3 -s -1 -B 203.0.113.10 >"$work/iperf.s" 2>&1 &
	ip_pid=$!
	sleep 0.5
	ip netns exec "$NC" timeout 10 iperf3 -c 203.0.113.10 -B 198.18.0.1 -t 1 >"$work/iperf.c" 2>&1
	wait "$ip_pid" 2>/dev/null
	if grep -q "Accepted connection from 203.0.113.1," "$work/iperf.s"; then
		pass dp_fwd.masq.outside_sees_server
	else
		fail dp_fwd.masq.outside_sees_server "$(grep -h -i 'accepted\|error' "$work/iperf.s" "$work/iperf.c" | head -3)"
	fi
	if ip netns exec "$NC" ping -6 -c 2 -i 0.2 -W 2 -I 2001:db8:f::1 2001:db8:3::10 >"$work/ping6a" 2>&1; then
		pass dp_fwd.masq.ping6_outside
	else
		fail dp_fwd.masq.ping6_outside "$(tail -2 "$work/ping6a")"
	fi
	if ip netns exec "$NL" ping -6 -c 2 -i 0.2 -W 3 2001:db8:2::200 >"$work/ping6b" 2>&1; then
		pass dp_fwd.proxy_ndp.lan_to_vip6
	else
		fail dp_fwd.proxy_ndp.lan_to_vip6 "$(tail -2 "$work/ping6b")"
	fi
	# proxy ARP: the LAN host reaches the in-subnet vip on-link
	if ip netns exec "$NL" ping -c 2 -i 0.2 -W 3 198.51.100.200 >"$work/ping2" 2>&1; then
		pass dp_fwd.proxy_arp.lan_to_vip
	else
		fail dp_fwd.proxy_arp.lan_to_vip "$(tail -2 "$work/ping2") $(ip -n "$NL" neigh | tr '\n' ' ')"
	fi
fi
stop_pair on
s=$(state)
if [ "$s" = "fwd=0 fwd6=0 ndp=0 table=no proxy=[]" ]; then
	pass dp_fwd.on.restored_on_shutdown
else
	fail dp_fwd.on.restored_on_shutdown "$s"
fi

# --- roadgated applies the settings: on start and on every change -------
rgd() {
	ip netns exec "$NS" "$build/roadgated" --state-dir "$work/state" --foreground \
	    --ike-port 40500 --natt-port 44500 >>"$work/rgd.log" 2>&1 &
	dpid=$!
	pids+=("$dpid")
	for i in $(seq 100); do
		ctl status >/dev/null 2>&1 && return 0
		kill -0 "$dpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
rgd_stop() {
	kill -TERM "$dpid" 2>/dev/null
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	wait "$dpid" 2>/dev/null
}
ctl() { "$build/roadgatectl" --state-dir "$work/state" "$@"; }
fwd() { ip netns exec "$NS" cat /proc/sys/net/ipv4/ip_forward; }
tbl() { ip netns exec "$NS" nft list table inet roadgate >/dev/null 2>&1 && echo yes || echo no; }
mkdir -p "$work/state"
if ! [ -x "$build/roadgated" ] || ! rgd; then
	fail dp_fwd.daemon.start "$(tail -3 "$work/rgd.log" 2>/dev/null)"
else
	r1="$(fwd) $(tbl)"
	ctl settings set forwarding true >/dev/null
	r2=$(fwd)
	ctl settings set masquerade wan0 >/dev/null
	r3=$(tbl)
	ctl settings set forwarding false >/dev/null
	r4="$(fwd) $(tbl)"
	if [ "$r1/$r2/$r3/$r4" = "0 no/1/yes/0 yes" ]; then
		pass dp_fwd.daemon.reconfigure
	else
		fail dp_fwd.daemon.reconfigure "default/forwarding/masquerade/off: $r1/$r2/$r3/$r4"
	fi
	ctl settings set forwarding true >/dev/null
	rgd_stop
	r1="$(fwd) $(tbl)"
	r2=bad
	rgd && r2="$(fwd) $(tbl)"
	rgd_stop
	r3="$(fwd) $(tbl)"
	if [ "$r1/$r2/$r3" = "0 no/1 yes/0 no" ]; then
		pass dp_fwd.daemon.start_and_shutdown
	else
		fail dp_fwd.daemon.start_and_shutdown "stopped/started/stopped: $r1/$r2/$r3"
	fi
fi
sanitizer_check dp_fwd.daemon.sanitizers roadgated "$work/rgd.log" || fails=$((fails + 1))
[ $fails -eq 0 ]
