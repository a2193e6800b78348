#!/usr/bin/env bash
# Throughput of `telex scan` on a generated export (default 1,000,000 events, seed 7).
# Targets: >= 200 MB/s of payload using both cores, peak memory < 200 MB.
# Each case runs RUNS times (default 5); every run is printed, then the best and the median.
# Timings on a shared machine are noisy: the load average before and after is printed too.
# Usage: scripts/bench-scan.sh [EVENTS] [SEED]
#        DB=/path/to/export.db RUNS=7 scripts/bench-scan.sh   (an existing export, read-only)
# Needs sqlite3 (apt-get install sqlite3) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
seed=${2:-7}
runs=${RUNS:-5}
db=${DB:-bench-data/telemetry-$events.db}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }

cargo build --release --quiet --bin telex
bin=target/release/telex
if [ ! -f "$db" ]; then
    mkdir -p "$(dirname "$db")"
    "$bin" generate "$db" --events "$events" --seed "$seed"
fi

rows=$(sqlite3 -readonly "$db" "select count(*) from events")
bytes=$(sqlite3 -readonly "$db" "select sum(length(payload)) from events")
mb=$(echo "scale=1; $bytes / 1000000" | bc)
echo "export: $db, $rows events, $mb MB of payload, $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # label, command…
    local label=$1; shift
    local log secs kb cpu all=()
    log=$(mktemp)
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M %P" -o "$log" "$@" > /dev/null
        read -r secs kb cpu < "$log"
        all+=("$secs")
        printf '  %-28s %6.2f s  %7.1f MB/s  %9.0f events/s  peak %6.1f MB  cpu %s\n' "$label" \
            "$secs" "$(echo "$mb / $secs" | bc -l)" "$(echo "$rows / $secs" | bc -l)" \
            "$(echo "$kb / 1024" | bc -l)" "$cpu"
    done
    rm -f "$log"
    local sorted best median
    sorted=$(printf '%s\n' "${all[@]}" | sort -n)
    best=$(echo "$sorted" | head -1)
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    printf '%-30s best %.2f s = %.1f MB/s, %.0f events/s; median %.2f s = %.1f MB/s\n' "$label" \
        "$best" "$(echo "$mb / $best" | bc -l)" "$(echo "$rows / $best" | bc -l)" \
        "$median" "$(echo "$mb / $median" | bc -l)"
}

measure "scan (table, the default)" "$bin" scan "$db"
measure "scan --format jsonl" "$bin" scan "$db" --format jsonl
measure "scan --format csv" "$bin" scan "$db" --format csv
measure "scan --summary" "$bin" scan "$db" --summary
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
