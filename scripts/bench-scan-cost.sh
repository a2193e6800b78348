#!/usr/bin/env bash
# What `telex scan` costs, counted rather than timed: instructions, and data-cache misses with
# this machine's L1d and L2 sizes, on a generated export (default 50,000 events, seed 7), one
# worker thread. Wall-clock times on a shared machine drift by tens of percent from one
# minute to the next; these counts are the same run after run, so two builds can be compared.
# Instructions alone can mislead: a cache bigger than the core's L2 can save instructions and
# still lose time (its misses cost more than the work it saves), so look at both, and confirm
# with scripts/bench-scan.sh on a quiet machine.
# Usage: scripts/bench-scan-cost.sh [EVENTS] [SEED] [TELEX_BINARY]
# Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-50000}
seed=${2:-7}
bin=${3:-target/release/telex}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
if [ "$bin" = target/release/telex ]; then
    cargo build --release --quiet --bin telex
fi
db=bench-data/telemetry-$events-$seed.db
if [ ! -f "$db" ]; then
    mkdir -p bench-data
    "$bin" generate "$db" --events "$events" --seed "$seed" >/dev/null
fi
l1=$(getconf LEVEL1_DCACHE_SIZE 2>/dev/null || echo 32768)
l2=$(getconf LEVEL2_CACHE_SIZE 2>/dev/null || echo 1048576)
echo "export: $db; caches: L1d $((l1 / 1024)) KiB, L2 $((l2 / 1024)) KiB (as cachegrind's last level)"
for args in "--format jsonl" "--summary"; do
    log=$(mktemp)
    TELEX_THREADS=1 valgrind --tool=cachegrind --cache-sim=yes --D1="$l1,8,64" --LL="$l2,16,64" \
        --cachegrind-out-file=/dev/null "$bin" scan "$db" $args >/dev/null 2>"$log"
    ir=$(grep -E 'I +refs:' "$log" | awk '{print $4}')
    d1=$(grep -E 'D1 +misses:' "$log" | awk '{print $4}')
    ll=$(grep -E 'LLd misses:' "$log" | awk '{print $4}')
    printf '  scan %-14s instructions %15s   L1d misses %12s   L2 misses %12s\n' "$args" "$ir" "$d1" "$ll"
    rm -f "$log"
done
