#!/usr/bin/env bash
# Throughput of `telex scan` on a generated export (default 1,000,000 events, seed 7).
# Targets: >= 200 MB/s of payload using both cores, peak memory < 200 MB.
# Prints: the full scan (jsonl to /dev/null), and for where the time goes, the read alone
# (`telex list --format csv --reveal`, which does not scan) and the scan without per-finding
# output (`--summary`, one small inventory at the end).
# Usage: scripts/bench-scan.sh [EVENTS] [SEED]. Needs sqlite3 (apt-get install sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
seed=${2:-7}
dir=bench-data
db=$dir/telemetry-$events.db
mkdir -p "$dir"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }

cargo build --release --quiet --bin telex
bin=target/release/telex
[ -f "$db" ] || "$bin" generate "$db" --events "$events" --seed "$seed"

rows=$(sqlite3 -readonly "$db" "select count(*) from events")
bytes=$(sqlite3 -readonly "$db" "select sum(length(payload)) from events")
mb=$(echo "scale=1; $bytes / 1000000" | bc)
echo "export: $db, $rows events, $mb MB of payload, $(nproc) cores"

measure() { # label, command…
    local label=$1; shift
    local log; log=$(mktemp)
    /usr/bin/time -f "%e %M %P" -o "$log" "$@" > /dev/null
    read -r secs kb cpu < "$log"
    rm -f "$log"
    printf '%-34s %6.2f s  %7.1f MB/s  %9.0f events/s  peak %6.1f MB  cpu %s\n' "$label" "$secs" \
        "$(echo "$mb / $secs" | bc -l)" "$(echo "$rows / $secs" | bc -l)" \
        "$(echo "$kb / 1024" | bc -l)" "$cpu"
}

measure "scan --format jsonl" "$bin" scan "$db" --format jsonl
measure "scan --summary (no per-line output)" "$bin" scan "$db" --summary
measure "read alone (list csv --reveal)" "$bin" list "$db" --format csv --reveal
