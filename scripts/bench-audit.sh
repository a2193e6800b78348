#!/usr/bin/env bash
# `telex audit` on a generated export with its truth file (default 1,000,000 events, seed 7):
# wall time and peak memory next to `telex scan` on the same export (with every finding written,
# and with only the field inventory), then recall and precision
# of the audit against the leaks the generator planted (examples/audit_truth.rs).
# The machine is shared: timings are noisy; run it twice and take the better.
# Usage: scripts/bench-audit.sh [EVENTS] [SEED]. Writes under bench-data/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
seed=${2:-7}
dir=bench-data
db=$dir/truth-$events-$seed.db
truth=$dir/truth-$events-$seed.jsonl
mkdir -p "$dir"

cargo build --release --quiet --bin telex --example audit_truth
bin=target/release/telex
if [ ! -f "$db" ] || [ ! -f "$truth" ]; then
    "$bin" generate "$db" --events "$events" --seed "$seed" --truth "$truth" --force
fi
echo "export: $db, $events events, $(du -h "$db" | cut -f1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# label, output file, command… — exit 1 (violations found) is success here.
measure() {
    local label=$1 out=$2; shift 2
    local log rc=0; log=$(mktemp)
    /usr/bin/time -f "%e %M %P" -o "$log" "$@" > "$out" || rc=$?
    [ "$rc" -le 1 ] || { echo "$label: exit $rc" >&2; exit "$rc"; }
    read -r secs kb cpu < <(tail -1 "$log")
    rm -f "$log"
    printf '%-28s %7.2f s  %9.0f events/s  peak %7.1f MB  cpu %5s  exit %d\n' "$label" "$secs" \
        "$(echo "$events / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)" "$cpu" "$rc"
}

before=$(sha256sum "$db")
measure "scan --format jsonl" /dev/null "$bin" scan "$db" --format jsonl
measure "scan --summary" /dev/null "$bin" scan "$db" --summary
measure "audit --format jsonl" "$dir/audit.jsonl" "$bin" audit "$db" --format jsonl
measure "audit --format markdown" "$dir/audit.md" "$bin" audit "$db" --format markdown
[ "$(sha256sum "$db")" = "$before" ] || { echo "the export changed!" >&2; exit 1; }
echo "export bytes unchanged; report: $dir/audit.md"
echo
target/release/examples/audit_truth "$truth" "$dir/audit.jsonl"
