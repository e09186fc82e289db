#!/usr/bin/env bash
# The speed table of issue 12 in one command (make bench): runs ../shared/bench/compare for the min, insert
# and work handlers (bmobemu vs the Node reference vs a bare fiber server, each pinned to CPU 0, wrk on
# CPU 1, medians of five rounds), then measures memory: bmobemu's RSS idle and under the work load, next
# to the Node reference's under the same load. Prints a markdown table last.
# Needs a quiet machine (the ratios move by 10-20% under other load), wrk, taskset, node, python3.
# Usage, from the project root: bench/table.sh [handler ...]   (default: min insert work)
set -u
cd "$(dirname "$0")/.."
compare=${COMPARE:-../shared/bench/compare}
kit=$(dirname "$compare")
[ -x "$compare" ] || { echo "bench/table.sh: $compare not found (the side-by-side kit beside the repo)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 1; }
handlers=${*:-min insert work}
out=$(mktemp -d)
trap 'kill $(cat "$out"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$out"' EXIT

goal() { case $1 in min) echo 1.5 ;; *) echo 1.0 ;; esac; }
for fn in $handlers; do
  echo "== compare $fn" >&2
  "$compare" "$fn" | tee "$out/$fn.txt" >&2
done

# Memory: idle RSS right after start, then RSS after 10 s of the work load, for bmobemu and the Node
# reference, one at a time on CPU 0 (the same pinning as compare).
rss() { awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$1/status"; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
go build -o "$out/bmobemu" ./cmd/bmobemu || exit 1
pe=$(port); pn=$(port)
GOMAXPROCS=1 taskset -c 0 "$out/bmobemu" serve --functions "$kit/functions" --db "$out/e.db" --addr 127.0.0.1:$pe --secret perf000000000000 >"$out/e.log" 2>&1 &
echo $! >"$out/e.pid"
taskset -c 0 node "$kit/node-reference.js" --functions "$kit/functions" --addr 127.0.0.1:$pn --secret perf000000000000 >"$out/n.log" 2>&1 &
echo $! >"$out/n.pid"
for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$pe/perf000000000000/min" && curl -s -o /dev/null "http://127.0.0.1:$pn/perf000000000000/min" && break; sleep 0.2; done
sleep 1
idle_e=$(rss "$(cat "$out/e.pid")"); idle_n=$(rss "$(cat "$out/n.pid")")
taskset -c 1 wrk -t1 -c32 -d10s "http://127.0.0.1:$pe/perf000000000000/work" >/dev/null 2>&1
load_e=$(rss "$(cat "$out/e.pid")")
taskset -c 1 wrk -t1 -c32 -d10s "http://127.0.0.1:$pn/perf000000000000/work" >/dev/null 2>&1
load_n=$(rss "$(cat "$out/n.pid")")

echo
echo "| handler | bmobemu calls/s | Node reference calls/s | bmobemu / Node | goal | bmobemu / bare fiber |"
echo "|---|---|---|---|---|---|"
for fn in $handlers; do
  line=$(grep "^$fn: bmobemu [0-9]" "$out/$fn.txt")
  ratios=$(grep "^$fn: bmobemu/node" "$out/$fn.txt")
  e=$(sed -E 's/.*bmobemu ([0-9.]+) calls.*/\1/' <<<"$line")
  n=$(sed -E 's/.*node reference ([0-9.]+) .*/\1/' <<<"$line")
  rn=$(sed -E 's/.*bmobemu\/node ([0-9.]+).*/\1/' <<<"$ratios")
  rf=$(sed -E 's/.*bmobemu\/fiber ([0-9.]+).*/\1/' <<<"$ratios")
  echo "| $fn | $e | $n | $rn | ≥ $(goal "$fn") | $rf |"
done
echo
echo "| memory (RSS) | bmobemu | Node reference |"
echo "|---|---|---|"
echo "| idle, after start | ${idle_e} MB (goal < 40) | ${idle_n} MB |"
echo "| after 10 s of work at 32 connections | ${load_e} MB | ${load_n} MB |"
