#!/usr/bin/env bash
# Benchmarks of the explorer issue's targets on a generated export (default 1,000,000 events):
#   1. `telex generate` time                        (target: < 30 s)
#   2. explorer: first screen, filter changes, paging, jump to last, peak memory
#                                                   (targets: < 150 ms, < 50 ms each, < 150 MB)
#   3. `telex stats` against the same GROUP BY queries in the sqlite3 shell (target: within 2x)
# Usage: scripts/bench.sh [EVENTS] [SEED]. Needs sqlite3 (apt-get install sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
seed=${2:-7}
dir=bench-data
db=$dir/telemetry-$events.db
mkdir -p "$dir"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }

cargo build --release --quiet --bin telex --bench explorer 2>/dev/null || cargo build --release --quiet --bin telex
bin=target/release/telex

echo "== generate $events events (seed $seed)"
rm -f "$db"
start=$(date +%s.%N)
/usr/bin/env time -f "peak %M KB" "$bin" generate "$db" --events "$events" --seed "$seed"
end=$(date +%s.%N)
printf 'generate: %.2f s, %s\n' "$(echo "$end - $start" | bc)" "$(du -h "$db" | cut -f1)"

echo "== explorer (first screen, filters, paging, last, memory)"
cargo bench --quiet --bench explorer -- "$db"

echo "== stats vs sqlite3 (best of 5)"
best() {
  local best=999999
  for _ in 1 2 3 4 5; do
    local s e ms
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}
group_bys() {  # the four GROUP BY queries of `telex stats`, optionally under a WHERE clause
  local where=${1:-}
  printf '%s\n' \
    "SELECT category, count(*) FROM events $where GROUP BY 1 ORDER BY 2 DESC, 1;" \
    "SELECT tenant_id, count(*) FROM events $where GROUP BY 1 ORDER BY 2 DESC, 1;" \
    "SELECT name, count(*) FROM events $where GROUP BY 1 ORDER BY 2 DESC, 1;" \
    "SELECT substr(ts, 1, 10), count(*) FROM events $where GROUP BY 1 ORDER BY 1;"
}
t_telex=$(best "$bin" stats "$db" --format json)
t_sqlite=$(best sqlite3 -readonly "$db" "$(group_bys)")
echo "telex stats: ${t_telex} ms; sqlite3 GROUP BYs: ${t_sqlite} ms; ratio $(echo "scale=2; $t_telex / $t_sqlite" | bc)"
t_telex_f=$(best "$bin" stats "$db" --format json category:error)
t_sqlite_f=$(best sqlite3 -readonly "$db" "$(group_bys "WHERE category = 'error'")")
echo "filtered (category:error): telex ${t_telex_f} ms; sqlite3 ${t_sqlite_f} ms; ratio $(echo "scale=2; $t_telex_f / $t_sqlite_f" | bc)"
