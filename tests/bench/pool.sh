#!/usr/bin/env bash
# tests/bench/pool.sh: the pool allocator on a /12 (tests/tools/pool-bench):
# ns per allocate/release (target: under 1000 ns), bytes per address slot
# (target: under 16), plus live-lease memory, sticky reconnects and the
# cost of persisting each lease to a file (the SQLite figure comes from
# the store's own benchmark).  Run through tests/bench/run pool.
set -u
b=${RG_BENCH_BUILD:-${RG_TOP:-.}/build-bench}/tests/tools/pool-bench
if [ ! -x "$b" ]; then
	echo "pool: $b not built"
	exit 1
fi
out=$("$b" "${TMPDIR:-/tmp}") || { echo "pool: pool-bench failed"; exit 1; }
echo "$out" | sed 's/^/  /'
val() { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
ns=$(val pool_ns_per_op)
bytes=$(val pool_bytes_per_slot)
awk -v ns="$ns" -v by="$bytes" 'BEGIN {
	printf "METRIC pool_ns_per_op roadgate=%.1f reference=1000 ratio=%.2f ns\n", ns, 1000 / ns
	printf "METRIC pool_bytes_per_slot roadgate=%.4f reference=16 ratio=%.1f bytes\n", by, 16 / by
}'
echo "pool: persistence per lease (file, write+fflush): $(val persist_file_ns_per_lease) ns;" \
    "with fdatasync: $(val persist_fdatasync_ns_per_lease) ns"
s=${RG_BENCH_BUILD:-${RG_TOP:-.}/build-bench}/tests/tools/store-lease-bench
if [ -x "$s" ] && sout=$("$s" "${TMPDIR:-/tmp}" 2000 2>/dev/null); then
	echo "pool: persistence per lease in the store (SQLite, one transaction):" \
	    "$(echo "$sout" | awk '$1 == "store_lease_put_ns" { print $2 }') ns to bind," \
	    "$(echo "$sout" | awk '$1 == "store_lease_del_ns" { print $2 }') ns to release"
else
	echo "pool: store-lease-bench not built or failed"
fi
