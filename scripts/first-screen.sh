#!/usr/bin/env bash
# Time from the explorer's execve to its first terminal write that holds table rows, in a real
# terminal (tmux, 120x32), measured with strace timestamps (strace itself adds some overhead).
# Usage: scripts/first-screen.sh EXPORT [RUNS]. Needs tmux and strace (apt-get install strace).
set -euo pipefail
cd "$(dirname "$0")/.."
export_path=${1:?usage: scripts/first-screen.sh EXPORT [RUNS]}
runs=${2:-5}
cargo build --release --quiet --bin telex
trace=$(mktemp)
for _ in $(seq "$runs"); do
  rm -f "$trace"
  tmux new-session -d -s telex-first-screen -x 120 -y 32 \
    "strace -f -ttt -s 65536 -e trace=execve,write -o $trace target/release/telex $export_path"
  sleep 1.5
  tmux send-keys -t telex-first-screen q
  sleep 0.5
  tmux kill-session -t telex-first-screen 2>/dev/null || true
  python3 - "$trace" <<'PY'
import re, sys
start = first = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d+)\s+([\d.]+)\s+(\w+)\(", line)
    if not m:
        continue
    t = float(m.group(2))
    if m.group(3) == "execve" and start is None:
        start = t
    if m.group(3) == "write" and first is None and re.search(r"20\d\d-\d\d-\d\d \d\d:", line):
        first = t
print(f"first screen with rows: {(first - start) * 1000:.1f} ms" if start and first else "no rows drawn")
PY
done
rm -f "$trace"
