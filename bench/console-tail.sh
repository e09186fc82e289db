#!/usr/bin/env bash
# The web console's cost under load, measured as paired A/B runs against one warm server: a function that
# logs one line per call is loaded by wrk (32 connections) while the live log has no reader, a curl reading
# /_console/events, or headless Chromium showing /_console/logs. Each round runs the three in a random order,
# so a drift of the machine (other tenants, frequency) falls on all alike; the cost of a reader is the median
# over rounds of (its calls/s ÷ the mean of the same round's two no-reader runs). One Chromium runs throughout:
# "none" and "curl" leave it on about:blank, "chromium" opens the logs page in a tab (DevTools HTTP API) and
# closes it afterwards, so Chromium's start-up is not in any run. A second no-reader run per round ("again")
# is the control: "again" over "none" shows how far this machine's noise alone moves a ratio.
#
# Pinned as ../shared/bench/compare pins: the server on CPU 0 (GOMAXPROCS=1), wrk and the readers on CPU 1.
# Also printed per run: CPU per call of the server and of Chromium (utime+stime from /proc), steadier than
# calls/s on a shared machine. Loopback only, bounded. Usage: bench/console-tail.sh [rounds] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-24}
secs=${2:-3}
for tool in wrk curl chromium taskset; do
  command -v $tool >/dev/null || { echo "console-tail: $tool is needed"; exit 1; }
done
go build -o bin/bmobemu ./cmd/bmobemu
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/fn"
printf 'function onRequest(request, response) {\n  console.log("ping " + request.query.n);\n  response.send("pong");\n}\n' >"$work/fn/ping.js"
port=18097 devtools=18098 tck=$(getconf CLK_TCK)
base=http://127.0.0.1:$port
cpu() { awk -v t="$tck" '{print ($14+$15)/t}' "/proc/$1/stat"; }
browsercpu() {
  local s=0 p
  for p in $(pgrep -f "user-data-dir=$work/chromium" || true); do
    s=$(awk -v s="$s" -v t="$tck" '{print s+($14+$15)/t}' "/proc/$p/stat" 2>/dev/null || echo "$s")
  done
  echo "$s"
}

GOMAXPROCS=1 taskset -c 0 bin/bmobemu serve --functions "$work/fn" --db "$work/db/d.db" --addr 127.0.0.1:$port \
  --secret benchsecret --sandbox=off --watch=false >"$work/log" 2>&1 &
emu=$!
for _ in $(seq 100); do curl -sf -o /dev/null $base/_console/ && break; sleep 0.1; done
taskset -c 1 chromium --headless --remote-debugging-port=$devtools --no-sandbox --disable-gpu \
  --user-data-dir="$work/chromium" about:blank >/dev/null 2>&1 &
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$devtools/json/version && break; sleep 0.1; done
taskset -c 1 wrk -t1 -c32 -d2s "$base/benchsecret/ping?n=1" >/dev/null # warm the server

# one MODE: sets up the reader, loads the server for $secs seconds, prints "MODE calls/s server-us browser-us".
one() {
  local reader="" tab=""
  case $1 in
    none | again) ;;
    curl) taskset -c 1 curl -sN $base/_console/events >/dev/null & reader=$! ;;
    chromium) tab=$(curl -sf -X PUT "http://127.0.0.1:$devtools/json/new?$base/_console/logs" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p') ;;
  esac
  sleep 2 # the reader connects; Chromium draws the page
  local c0 b0 out c1 b1
  c0=$(cpu $emu) b0=$(browsercpu)
  out=$(taskset -c 1 wrk -t1 -c32 -d${secs}s "$base/benchsecret/ping?n=1")
  c1=$(cpu $emu) b1=$(browsercpu)
  [ -n "$reader" ] && { kill "$reader"; wait "$reader" 2>/dev/null || true; }
  [ -n "$tab" ] && curl -sf -o /dev/null "http://127.0.0.1:$devtools/json/close/$tab"
  echo "$out" | awk -v m="$1" -v c0="$c0" -v c1="$c1" -v b0="$b0" -v b1="$b1" '
    /requests in/ {n=$1} /Requests\/sec/ {r=$2}
    END {printf "%s %.0f %.1f %.1f\n", m, r, (c1-c0)*1e6/n, (b1-b0)*1e6/n}'
}

results=$work/results
for r in $(seq "$rounds"); do
  for mode in $(printf 'none\nagain\ncurl\nchromium\n' | shuf); do
    line=$(one "$mode")
    echo "round $r $line" | tee -a "$results" | awk '{printf "round %-3s %-9s %7s calls/s  server %6s us/call  browser %5s us/call\n", $2, $3, $4, $5, $6}'
  done
done

# Per round, the control's calls/s over the no-reader run's, and each reader's over the mean of the round's two
# no-reader runs; the median and quartiles over rounds.
echo
awk '
  {rps[$2" "$3]=$4; srv[$3]=srv[$3]" "$5; br[$3]=br[$3]" "$6; rounds[$2]=1}
  function sorted(s, a,   n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n
  }
  function q(s, f,   a, n) { n = sorted(s, a); return a[int(f * (n - 1)) + 1] }
  function median(s,   a, n) { n = sorted(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END {
    for (r in rounds) {
      ratio["again"] = ratio["again"] " " rps[r" again"] / rps[r" none"]
      base = (rps[r" none"] + rps[r" again"]) / 2
      ratio["curl"] = ratio["curl"] " " rps[r" curl"] / base
      ratio["chromium"] = ratio["chromium"] " " rps[r" chromium"] / base
    }
    for (r in rounds) all = all " " rps[r" none"]
    printf "%d rounds: calls/s as a ratio to the same round'"'"'s no-reader runs (median, quartiles; \"again\": the control); CPU per call (medians)\n", length(rounds)
    printf "  none      %7.0f calls/s                               server %5.1f us/call  browser %4.1f us/call\n", median(all), median(srv["none"]), median(br["none"])
    split("again curl chromium", order, " ")
    for (i = 1; i <= 3; i++) { m = order[i]
      printf "  %-9s %7.3f (%+5.1f%%), quartiles %.3f-%.3f   server %5.1f us/call  browser %4.1f us/call\n", m, median(ratio[m]), (median(ratio[m]) - 1) * 100, q(ratio[m], 0.25), q(ratio[m], 0.75), median(srv[m]), median(br[m])
    }
  }' "$results"
