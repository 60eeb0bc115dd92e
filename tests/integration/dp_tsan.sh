#!/usr/bin/env bash
# dp_tsan.sh: the threaded data plane under ThreadSanitizer.  The suite is
# built with ASan + UBSan, which cannot see data races; this script builds
# tests/unit/test_dp_mq (worker threads, BPF steering, rings, messages
# between the loop thread and the workers, rekeys under traffic) a second
# time with -fsanitize=thread and fails on any race TSan reports, and
# unless every case ran (a SKIP there would hide the threads).  The build
# itself is no case: it fails the script when it fails, prints nothing
# when it works.
set -u
top=${RG_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RG_BUILD:-$top/build-test}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP dp_tsan: needs root (network namespaces)"
	exit 0
fi
[ -f "$build/config.h" ] || { echo "FAIL dp_tsan.build: no $build/config.h"; exit 1; }
work=$(mktemp -d /tmp/rgtsan.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$top" || exit 1
srcs="server/dp/dp.c server/dp/dp_user.c server/dp/dp_user_io.c server/dp/dp_user_mq.c
server/dp/dp_steer.c server/dp/dp_pkt.c server/dp/dp_nl.c server/dp/dp_xfrm.c server/dp/dp_xfrm_msg.c server/dp/dp_xfrm_dhcp.c
server/dp/dp_gro.c server/dp/dp_fwd.c server/dp/esp.c server/dp/esp_replay.c
server/core/rg_buf.c server/core/rg_config.c server/core/rg_log.c server/core/rg_loop.c"
# shellcheck disable=SC2046,SC2086
if ! gcc -std=gnu11 -g -O1 -fsanitize=thread -D_GNU_SOURCE -DHAVE_CONFIG_H \
    -I"$build" -I"$top" -I"$top/server" -I"$top/server/core" -I"$top/server/dp" -I"$top/tests/unit" \
    $(pkg-config --cflags libnl-3.0 libnl-route-3.0 libnl-xfrm-3.0) \
    -o "$work/test_dp_mq" tests/unit/test_dp_mq.c $srcs \
    $(pkg-config --libs libnl-3.0 libnl-route-3.0 libnl-xfrm-3.0) \
    -lssl -lcrypto -ljansson -lpthread >"$work/cc.log" 2>&1; then
	echo "FAIL dp_tsan.build: $(grep -m3 error "$work/cc.log" | tr '\n' ' ')"
	exit 1
fi
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1" \
    timeout 300 "$work/test_dp_mq" >"$work/out.txt" 2>&1
rc=$?
races=$(grep -c "WARNING: ThreadSanitizer" "$work/out.txt")
if [ $rc -eq 0 ] && [ "$races" -eq 0 ] &&
    grep -q "^# dp_mq: [1-9][0-9]* passed, 0 failed, 0 skipped" "$work/out.txt"; then
	echo "PASS dp_tsan.test_dp_mq ($(grep '^# dp_mq' "$work/out.txt" | sed 's/^# //'), no race)"
else
	echo "FAIL dp_tsan.test_dp_mq: exit $rc, $races TSan reports, $(grep '^# dp_mq' "$work/out.txt")"
	grep -A12 -m2 "WARNING: ThreadSanitizer\|^FAIL\|^SKIP\|check failed" "$work/out.txt" | head -40
	exit 1
fi
