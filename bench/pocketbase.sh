#!/usr/bin/env bash
# The REST data path side by side with PocketBase v0.36.8 (SQLite in WAL mode), pinned as
# ../shared/bench/compare pins: each server on CPU 0 (Go with GOMAXPROCS=1), wrk and the loader on CPU 1,
# 32 connections, 5 s rounds alternating bmobemu and PocketBase five times, medians.
#
# It measures: records created per second (one POST per record), get by id, a filtered list over
# 100,000 rows (an unindexed text field and a number, 20 rows back with the total count: PocketBase's
# list counts by default, so bmobemu is asked count=1), the first such query after a restart, RSS after
# querying the 100k rows, and loading the 100k rows in batches of 50 (bmobemu: /1/batch, Bmob's limit;
# PocketBase: its batch API /api/batch, enabled with maxRequests 50, one transaction per batch).
# bmobemu is asked with the REST key (no master key, so its ACL clause applies); PocketBase's collection
# has public rules (the same: no superuser token).
#
# PocketBase is built from the Go module proxy into a cache folder outside the repo
# (${BENCH_CACHE:-~/.cache/bmobemu-bench}); nothing of it enters the repo.
# Run from the repo root: bench/pocketbase.sh ; BMOBEMU_SRC=DIR builds bmobemu from another checkout
# (for a before/after). Needs wrk, taskset, curl, python3. On a shared machine compare the ratios of one run.
set -u
root=$(pwd)
src=${BMOBEMU_SRC:-$root}
cache=${BENCH_CACHE:-$HOME/.cache/bmobemu-bench}/pocketbase-v0.36.8
work=$(mktemp -d)
trap 'kill $(cat $work/*.pid 2>/dev/null) 2>/dev/null; sleep 0.5; rm -rf $work' EXIT
for t in wrk taskset curl python3; do command -v $t >/dev/null || { echo "$t is needed (apt-get install -y wrk util-linux curl python3)"; exit 1; }; done

(cd "$src" && go build -o "$work/bmobemu" ./cmd/bmobemu) || { echo "bmobemu build failed"; exit 1; }
if [ ! -x "$cache/pocketbase" ]; then
  mkdir -p "$cache"
  cat >"$cache/main.go" <<'EOF'
// Command pocketbase is PocketBase as its docs show it, for bench/pocketbase.sh.
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	if err := pocketbase.New().Start(); err != nil {
		log.Fatal(err)
	}
}
EOF
  printf 'module pbbench\n\ngo 1.26\n' >"$cache/go.mod"
  (cd "$cache" && go get github.com/pocketbase/pocketbase@v0.36.8 && go build -o pocketbase .) || { echo "PocketBase build failed"; exit 1; }
fi

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pe=$(port); pp=$(port)
E=http://127.0.0.1:$pe; P=http://127.0.0.1:$pp
APP=benchapp00000000; REST=benchrest0000000; MASTER=benchmaster00000
mkdir -p "$work/fn" "$work/pb"
echo 'function onRequest(request, response, modules) { response.send({code: 200}) }' >"$work/fn/min.js"

start_emu() {
  GOMAXPROCS=1 taskset -c 0 "$work/bmobemu" serve --functions "$work/fn" --db "$work/e.db" --addr 127.0.0.1:$pe \
    --app-id $APP --rest-key $REST --master-key $MASTER --sandbox=off --watch=false >>"$work/e.log" 2>&1 &
  echo $! >"$work/e.pid"
  for i in $(seq 100); do curl -s -o /dev/null "$E/1/classes/Ping" -H "X-Bmob-Application-Id: $APP" -H "X-Bmob-REST-API-Key: $REST" && return; sleep 0.1; done
}
start_pb() {
  GOMAXPROCS=1 taskset -c 0 "$cache/pocketbase" serve --http 127.0.0.1:$pp --dir "$work/pb" >>"$work/p.log" 2>&1 &
  echo $! >"$work/p.pid"
  for i in $(seq 100); do curl -sf -o /dev/null "$P/api/health" && return; sleep 0.1; done
}
stop() { kill "$(cat "$work/$1.pid")"; while kill -0 "$(cat "$work/$1.pid")" 2>/dev/null; do sleep 0.1; done; rm "$work/$1.pid"; }
rss() { awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$(cat "$work/$1.pid")/status"; }

"$cache/pocketbase" superuser upsert bench@example.com benchpassword123 --dir "$work/pb" >/dev/null
start_emu; start_pb
TOKEN=$(curl -s -X POST "$P/api/collections/_superusers/auth-with-password" -H 'Content-Type: application/json' \
  -d '{"identity":"bench@example.com","password":"benchpassword123"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
curl -sf -o /dev/null -X PATCH "$P/api/settings" -H "Authorization: $TOKEN" -H 'Content-Type: application/json' \
  -d '{"batch":{"enabled":true,"maxRequests":50,"timeout":30}}' || { echo "PocketBase settings failed"; exit 1; }
for c in Big Bench; do
  curl -sf -o /dev/null -X POST "$P/api/collections" -H "Authorization: $TOKEN" -H 'Content-Type: application/json' -d '{"name":"'$c'","type":"base",
    "listRule":"","viewRule":"","createRule":"","fields":[{"name":"n","type":"number"},{"name":"city","type":"text"},{"name":"name","type":"text"},
    {"name":"created","type":"autodate","onCreate":true},{"name":"updated","type":"autodate","onCreate":true,"onUpdate":true}]}' \
    || { echo "PocketBase collection $c failed"; exit 1; }
done

# Load 100,000 rows, 50 per batch request, one connection each.
load() { # emu|pb
  taskset -c 1 python3 - "$1" "$pe" "$pp" "$APP" "$REST" <<'EOF'
import http.client, json, sys, time
which, pe, pp, app, rest = sys.argv[1:]
conn = http.client.HTTPConnection("127.0.0.1", int(pe if which == "emu" else pp))
t0, row = time.time(), 0
for b in range(2000):
    reqs = []
    for _ in range(50):
        body = {"n": row, "city": "c%d" % (row % 50), "name": "row %d" % row}
        row += 1
        if which == "emu":
            reqs.append({"method": "POST", "path": "/1/classes/Big", "body": body})
        else:
            reqs.append({"method": "POST", "url": "/api/collections/Big/records", "body": body})
    if which == "emu":
        payload, path = {"requests": reqs}, "/1/batch"
        headers = {"X-Bmob-Application-Id": app, "X-Bmob-REST-API-Key": rest, "Content-Type": "application/json"}
    else:
        payload, path, headers = {"requests": reqs}, "/api/batch", {"Content-Type": "application/json"}
    conn.request("POST", path, json.dumps(payload), headers)
    r = conn.getresponse(); data = r.read()
    if r.status != 200:
        sys.exit("batch %d: HTTP %d %s" % (b, r.status, data[:300]))
print("%.1f" % (time.time() - t0))
EOF
}
LE=$(load emu) || exit 1; LP=$(load pb) || exit 1

H="-H X-Bmob-Application-Id:$APP -H X-Bmob-REST-API-Key:$REST"
EQ="$E/1/classes/Big?where=%7B%22city%22%3A%22c7%22%2C%22n%22%3A%7B%22%24gte%22%3A1000%7D%7D&limit=20&count=1"
PQ="$P/api/collections/Big/records?filter=(city%3D'c7'%20%26%26%20n%3E%3D1000)&perPage=20"
ncheck() { python3 -c 'import json,sys;d=json.load(sys.stdin);print(d.get("count",d.get("totalItems")), len(d.get("results",d.get("items",[]))))'; }
echo "check: bmobemu $(curl -s $H "$EQ" | ncheck), PocketBase $(curl -s "$PQ" | ncheck) (count, rows; want 1980 20)"
EID=$(curl -s $H "$E/1/classes/Big?limit=1&skip=500" | python3 -c 'import json,sys;print(json.load(sys.stdin)["results"][0]["objectId"])')
PID=$(curl -s "$P/api/collections/Big/records?perPage=1&page=500&skipTotal=1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["items"][0]["id"])')

cat >"$work/post-emu.lua" <<EOF
wrk.method = "POST"; wrk.body = '{"n":1,"city":"c1","name":"created"}'
wrk.headers["Content-Type"] = "application/json"; wrk.headers["X-Bmob-Application-Id"] = "$APP"; wrk.headers["X-Bmob-REST-API-Key"] = "$REST"
EOF
cat >"$work/post-pb.lua" <<EOF
wrk.method = "POST"; wrk.body = '{"n":1,"city":"c1","name":"created"}'; wrk.headers["Content-Type"] = "application/json"
EOF
cat >"$work/get-emu.lua" <<EOF
wrk.headers["X-Bmob-Application-Id"] = "$APP"; wrk.headers["X-Bmob-REST-API-Key"] = "$REST"
EOF
rate() { taskset -c 1 wrk -t1 -c32 -d${3:-5s} --timeout 30s -s "$2" "$1" 2>/dev/null | awk '/Requests\/sec/{print $2} /Non-2xx/{print "ERRORS:" $0 > "/dev/stderr"}'; }
: >"$work/empty.lua"
tests="create get list"
url() { case $1-$2 in create-emu) echo "$E/1/classes/Bench";; create-pb) echo "$P/api/collections/Bench/records";;
  get-emu) echo "$E/1/classes/Big/$EID";; get-pb) echo "$P/api/collections/Big/records/$PID";; list-emu) echo "$EQ";; list-pb) echo "$PQ";; esac; }
lua() { case $1-$2 in create-emu) echo "$work/post-emu.lua";; create-pb) echo "$work/post-pb.lua";; *-emu) echo "$work/get-emu.lua";; *) echo "$work/empty.lua";; esac; }
for t in $tests; do for s in emu pb; do rate "$(url $t $s)" "$(lua $t $s)" 2s >/dev/null; done; done
for r in 1 2 3 4 5; do for t in $tests; do for s in emu pb; do echo "$t $s $(rate "$(url $t $s)" "$(lua $t $s)")" >>"$work/res"; done; done; done
RE=$(rss e); RP=$(rss p)

# The first filtered query after a restart (the OS page cache stays warm in both).
for r in 1 2 3 4 5; do
  stop e; start_emu; echo "first emu $(curl -s -o /dev/null -w '%{time_total}' $H "$EQ")" >>"$work/res"
  stop p; start_pb; echo "first pb $(curl -s -o /dev/null -w '%{time_total}' "$PQ")" >>"$work/res"
done
RE2=$(rss e); RP2=$(rss p)

med() { grep "^$1 $2 " "$work/res" | awk '{print $3}' | sort -g | sed -n 3p; }
python3 - "$(med create emu)" "$(med create pb)" "$(med get emu)" "$(med get pb)" "$(med list emu)" "$(med list pb)" \
  "$(med first emu)" "$(med first pb)" "$RE" "$RP" "$RE2" "$RP2" "$LE" "$LP" <<'EOF'
import sys
v = [float(x or 0) for x in sys.argv[1:]]
rows = [("records created per second", v[0], v[1], "/s", True), ("get by id", v[2], v[3], "/s", True),
        ("filtered list over 100k rows (20 back, count)", v[4], v[5], "/s", True),
        ("first filtered query after a restart", v[6] * 1000, v[7] * 1000, " ms", False),
        ("RSS after querying the 100k rows", v[8], v[9], " MB", False),
        ("RSS after a restart and one query", v[10], v[11], " MB", False),
        ("load 100k rows in batches of 50", v[12], v[13], " s", False)]
print("| measure | bmobemu | PocketBase v0.36.8 | bmobemu vs PocketBase |")
print("|---|---|---|---|")
for name, e, p, unit, higher in rows:
    ratio = (e / p if higher else p / e) if e and p else 0
    fmt = lambda x: f"{x:,.0f}" if x >= 100 else f"{x:.3g}"
    print(f"| {name} | {fmt(e)}{unit} | {fmt(p)}{unit} | {ratio:.2f}x |")
EOF
