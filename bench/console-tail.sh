#!/usr/bin/env bash
# The web console's cost under load: 32-connection wrk runs against a function that logs one line per call,
# with no browser, with a curl reading the live log, and with headless Chromium on /_console/logs. For each
# run: calls/s, and CPU per call of the server and of the browser (utime+stime from /proc), since on a shared
# machine the CPU per call is steadier than calls/s. Pinned as ../shared/bench/compare pins: the server on CPU 0
# (GOMAXPROCS=1), wrk and the reader on CPU 1, so calls/s measure what a reader costs the server, not the
# browser's own share of a 2-core machine. Loopback only, bounded. Usage: bench/console-tail.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 1; }
go build -o bin/bmobemu ./cmd/bmobemu
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/fn"
printf 'function onRequest(request, response) {\n  console.log("ping " + request.query.n);\n  response.send("pong");\n}\n' >"$work/fn/ping.js"
port=18097; tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{print ($14+$15)/t}' "/proc/$1/stat"; }
browsercpu() { local s=0 p; for p in $(pgrep -f "user-data-dir=$work/chromium" || true); do s=$(awk -v s="$s" -v t="$tck" '{print s+($14+$15)/t}' "/proc/$p/stat" 2>/dev/null || echo "$s"); done; echo "$s"; }
run() { # none | curl | chromium
  rm -rf "$work/db"
  GOMAXPROCS=1 taskset -c 0 bin/bmobemu serve --functions "$work/fn" --db "$work/db/d.db" --addr 127.0.0.1:$port --secret benchsecret --sandbox=off --watch=false >"$work/log" 2>&1 &
  local emu=$! reader=""
  for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$port/_console/ && break; sleep 0.1; done
  case $1 in
    curl) taskset -c 1 curl -sN http://127.0.0.1:$port/_console/events >/dev/null & reader=$! ;;
    chromium) taskset -c 1 chromium --headless --remote-debugging-port=0 --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
        http://127.0.0.1:$port/_console/logs >/dev/null 2>&1 & reader=$!; sleep 5 ;;
  esac
  taskset -c 1 wrk -t1 -c32 -d1s "http://127.0.0.1:$port/benchsecret/ping?n=1" >/dev/null
  local c0 b0 out c1 b1 calls rps
  c0=$(cpu $emu); b0=$(browsercpu)
  out=$(taskset -c 1 wrk -t1 -c32 -d5s "http://127.0.0.1:$port/benchsecret/ping?n=1")
  c1=$(cpu $emu); b1=$(browsercpu)
  calls=$(echo "$out" | awk '/requests in/{print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  awk -v m="$1" -v r="$rps" -v n="$calls" -v c0="$c0" -v c1="$c1" -v b0="$b0" -v b1="$b1" \
    'BEGIN{printf "%-9s %9.0f calls/s  server %6.1f us/call  browser %6.1f us/call\n", m, r, (c1-c0)*1e6/n, (b1-b0)*1e6/n}'
  if [ -n "$reader" ]; then kill "$reader" 2>/dev/null || true; wait "$reader" 2>/dev/null || true; fi
  pkill -f "user-data-dir=$work/chromium" 2>/dev/null || true
  kill $emu; wait $emu 2>/dev/null || true
}
for r in $(seq "$rounds"); do run none; run curl; run chromium; done
