#!/usr/bin/env bash
# Load benchmark: bmobemu against a bare fiber hello-world, measured in the same run
# with wrk (apt-get install wrk) from loopback. Usage: bench/load.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-32}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 1; }
go build -o bin/bmobemu ./cmd/bmobemu
go build -o bin/fiberhello ./bench/fiberhello
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
bin/fiberhello --addr 127.0.0.1:18090 & 
bin/bmobemu serve --functions bench/functions --db "$work/bench.db" --addr 127.0.0.1:18091 --secret benchsecret --watch=false >"$work/log" 2>&1 &
emu=$!
for i in $(seq 50); do curl -sf http://127.0.0.1:18091/benchsecret/hello >/dev/null && curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done
echo "idle RSS of bmobemu: $(( $(ps -o rss= -p $emu) / 1024 )) MB"
run() { echo "== $1"; wrk -t2 -c"$conns" -d"${secs}s" --latency "$2" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' ; }
run "bare fiber hello-world" http://127.0.0.1:18090/
run "bmobemu hello.js (response.send({code:200}))" http://127.0.0.1:18091/benchsecret/hello
run "bmobemu heavy.js (JS-heavy handler, n=200)" "http://127.0.0.1:18091/benchsecret/heavy?n=200"
conns=64 run "bmobemu insert.js (one durable insert per call, 64 connections)" http://127.0.0.1:18091/benchsecret/insert
echo "RSS of bmobemu after the runs: $(( $(ps -o rss= -p $emu) / 1024 )) MB"
