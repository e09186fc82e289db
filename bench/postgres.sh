#!/usr/bin/env bash
# Issue 16's numbers: the insert and work handlers of ../shared/bench on bbolt vs PostgreSQL (durable commits),
# one process each (GOMAXPROCS=1), then two processes vs one on one PostgreSQL database. Starts its own
# PostgreSQL (scripts/install-postgresql.sh) in a temp folder on a unix socket and stops it. Needs wrk.
# The machine is shared: compare the ratios of one run. Run from the repo root: bench/postgres.sh
set -u
here=$(cd ../shared/bench && pwd)
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/$1" "${@:2}"; else "$bin/$1" "${@:2}"; fi; }
D=$(mktemp -d /tmp/pgb.XXXX); [ "$(id -u)" = 0 ] && chown postgres $D
trap 'pg pg_ctl -D $D/data -m fast stop >/dev/null 2>&1; kill $(cat $D/*.pid 2>/dev/null) 2>/dev/null; sleep 1; rm -rf $D' EXIT
pg initdb -D $D/data -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
pg pg_ctl -D $D/data -o "-k $D -c listen_addresses= -c max_connections=200" -l $D/pg.log -w start >/dev/null
go build -o $D/bmobemu ./cmd/bmobemu
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rate() { wrk -t1 -c32 -d${2:-5s} "$1" 2>/dev/null | awk '/Requests\/sec/{print $2}'; }
serve() { # name db
  p=$(port); GOMAXPROCS=1 $D/bmobemu serve --functions $here/functions --db "$2" --state $D/st-$1 --addr 127.0.0.1:$p --secret perf000000000000 --sandbox=off --pg-max-conns 16 >$D/$1.log 2>&1 & echo $! >$D/$1.pid
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$p/perf000000000000/min" && break; sleep 0.2; done
  echo $p
}
n=0
for db in bbolt pg; do
  n=$((n+1))
  pg createdb -h $D b$n
  if [ $db = bbolt ]; then url=$D/e$n.db; else url="postgres://postgres@/b$n?host=$D"; fi
  p=$(serve $db$n "$url")
  for fn in insert work; do
    rate "http://127.0.0.1:$p/perf000000000000/$fn" 2s >/dev/null
    echo "$db one process $fn: $(rate http://127.0.0.1:$p/perf000000000000/$fn) calls/s"
  done
  kill $(cat $D/$db$n.pid); rm $D/$db$n.pid
done
# two processes on one PostgreSQL database vs one
pg createdb -h $D two
url="postgres://postgres@/two?host=$D"
p1=$(serve one "$url"); p2=$(serve two "$url")
for fn in insert work; do
  rate "http://127.0.0.1:$p1/perf000000000000/$fn" 2s >/dev/null
  one=$(rate http://127.0.0.1:$p1/perf000000000000/$fn)
  a=$( (wrk -t1 -c16 -d5s http://127.0.0.1:$p1/perf000000000000/$fn | awk '/Requests\/sec/{print $2}') & (wrk -t1 -c16 -d5s http://127.0.0.1:$p2/perf000000000000/$fn | awk '/Requests\/sec/{print $2}'); wait)
  echo "pg $fn: one process $one calls/s; two processes: $(echo $a | tr ' ' '+') = $(echo $a | tr ' ' '+' | bc) calls/s"
done
