#!/usr/bin/env bash
# The privacy cache's targets on a 1,000,000-event export:
#   1. building the cache: < 5 s on 2 cores (wall time, CPU and peak memory of `telex stats
#      EXPORT has:secret`, which builds it), and its size; a second run reuses it;
#   2. `benches/cache.rs`: build, reuse, privacy-term counts and pages, and the explorer's page
#      queries while a build runs on another thread (target: keys answered within 50 ms);
#   3. the explorer bench on an export without indexes, without and with the cache attached.
# Usage: scripts/bench-cache.sh [EXPORT] [NOINDEX_EXPORT]
#   defaults: bench-data/telemetry-1000000.db (generated, seed 7, if missing) and
#   bench-data/noindex.db (a copy of it with every index dropped, made if missing).
# The cache goes to a fresh TELEX_CACHE_DIR under /tmp (removed at the end), never to ~/.cache.
# Timings are wall-clock and noisy on a shared machine: run it twice, compare CPU time too.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-data
db=${1:-bench-data/telemetry-1000000.db}
noindex=${2:-bench-data/noindex.db}
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }

cargo build --release --quiet --bin telex --bench cache --bench explorer
bin=target/release/telex
[ -f "$db" ] || "$bin" generate "$db" --events 1000000 --seed 7
if [ ! -f "$noindex" ]; then
  cp "$db" "$noindex"
  sqlite3 "$noindex" "$(sqlite3 "$noindex" "SELECT 'DROP INDEX \"' || name || '\";' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")"
fi

TELEX_CACHE_DIR=$(mktemp -d /tmp/cache-bench-XXXXXX)
export TELEX_CACHE_DIR
trap 'rm -rf "$TELEX_CACHE_DIR"' EXIT
echo "cache dir: $TELEX_CACHE_DIR, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # label, command…
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M %P" -o "$log" "$@" > /dev/null
  read -r secs user sys kb cpu < "$log"
  rm -f "$log"
  printf '%-44s %6.2f s wall  %6.2f s cpu (%s)  peak %6.1f MB\n' "$label" "$secs" \
    "$(echo "$user + $sys" | bc)" "$cpu" "$(echo "$kb / 1024" | bc -l)"
}

for export in "$db" "$noindex"; do
  echo "== $export"
  measure "build (telex stats EXPORT has:secret)" "$bin" stats "$export" has:secret --format json
  ls -l "$TELEX_CACHE_DIR" | awk 'NR > 1 { printf "cache file: %s, %.1f MB\n", $9, $5 / 1e6 }'
  measure "reuse (the same command again)" "$bin" stats "$export" has:secret --format json
  measure "count has:pii (stats -has:pii)" "$bin" stats "$export" -has:pii --format json
  rm -f "$TELEX_CACHE_DIR"/*
done

echo "== benches/cache.rs on $db"
cargo bench --quiet --bench cache -- "$db"
rm -f "$TELEX_CACHE_DIR"/*

echo "== explorer on $noindex without the cache"
cargo bench --quiet --bench explorer -- "$noindex"
echo "== explorer on $noindex with the cache"
cargo bench --quiet --bench explorer -- "$noindex" --cache
