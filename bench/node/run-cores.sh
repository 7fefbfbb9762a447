#!/usr/bin/env bash
# More cores (issue 14): queries per second and CPU time per answered query of `dns-failover serve`
# with 1 and with 2 answering workers (--workers; the primary and its workers share the sockets), of
# the same node answering in one process (bench/dns/server.ts, the DnsNode in-process), and of gdnsd
# with 1 and 2 UDP threads, all serving bench/dns/zone.json (gdnsd: bench/dns/gdnsd-zone) and loaded
# by dnsperf with bench/dns/queries.txt, in the same run, alternating rounds. See bench/README.md.
#
#   One core:  servers pinned to CPU $SERVER_CPU (a node's primary and workers included), dnsperf to $CLIENT_CPU.
#   Two cores: servers and dnsperf all on CPUs 0 and 1 (the load generator competes with the servers).
#
#   bench/node/run-cores.sh        settings: DURATION (15) ROUNDS (3) CLIENTS (1) OUTSTANDING (64) WARMUP (3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DNS=$ROOT/bench/dns
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-1}
OUTSTANDING=${OUTSTANDING:-64}
WARMUP=${WARMUP:-3}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ADDR=127.0.0.1
for c in gdnsd dnsperf dig taskset; do command -v $c >/dev/null || { echo "run-cores.sh: $c is missing (apt-get install -y gdnsd dnsperf bind9-dnsutils)" >&2; exit 1; }; done

WORK=$(mktemp -d /tmp/node-cores-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/bench/node/build.sh" WORKTREE "$WORK/after" >/dev/null
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "$DNS/server.ts" --outDir "$WORK/inproc" --rootDir "$ROOT" --target ES2022 --module node16 \
  --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
cp "$ROOT/lib/bundle/schema.json" "$WORK/inproc/lib/bundle/"
ln -s "$ROOT/node_modules" "$WORK/node_modules"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), node $(node --version), gdnsd $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1), dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING; work tree at $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- lib || echo ' (modified)')"
echo

gdnsd_dir() { # $1 name, $2 port, $3 threads
  mkdir -p "$WORK/$1/zones" "$WORK/$1/run" "$WORK/$1/state"
  sed -e "s#@LISTEN@#$ADDR:$2#" -e "s#@RUNDIR@#$WORK/$1/run#" -e "s#@STATEDIR@#$WORK/$1/state#" -e "s#udp_threads => 1#udp_threads => $3#" \
    "$DNS/gdnsd-config" > "$WORK/$1/config"
  cp "$DNS/gdnsd-zone" "$WORK/$1/zones/example.com"
}
gdnsd_dir gdnsd1 26001 1
gdnsd_dir gdnsd2 26002 2
ALL=0,1
declare -A PORT PID CPUS
start() { # $1 name, $2 cpus, $3 port, command...
  local name=$1 cpus=$2 port=$3; shift 3
  taskset -c "$cpus" "$@" > "$WORK/$name.log" 2>&1 &
  PID[$name]=$!
  PIDS+=("$!")
  PORT[$name]=$port
  CPUS[$name]=$cpus
}
serve() { # $1 admin port, $2 dns port, $3 workers
  echo node "$WORK/after/out/lib/cli/main.js" serve --config "$DNS/zone.json" --listen "$ADDR:$2" --admin "$ADDR:$1" --workers "$3"
}
# One core.
start inproc-1core "$SERVER_CPU" 26011 node "$WORK/inproc/bench/dns/server.js" "$DNS/zone.json" "$ADDR:26011"
start workers1-1core "$SERVER_CPU" 26012 $(serve 26112 26012 1)
start gdnsd1-1core "$SERVER_CPU" 26001 gdnsd -c "$WORK/gdnsd1" start
# Two cores.
start workers1-2cores "$ALL" 26013 $(serve 26113 26013 1)
start workers2-2cores "$ALL" 26014 $(serve 26114 26014 2)
start gdnsd2-2cores "$ALL" 26002 gdnsd -c "$WORK/gdnsd2" start

for name in "${!PORT[@]}"; do
  for _ in $(seq 1 100); do
    a=$(dig @"$ADDR" -p "${PORT[$name]}" +short +time=1 +tries=1 emdr.example.com A 2>/dev/null || true)
    if [ "$a" = 192.0.2.10 ] || [ "$a" = 192.0.2.20 ]; then break; fi
    sleep 0.3
  done
  [ "$a" = 192.0.2.10 ] || [ "$a" = 192.0.2.20 ] || { echo "run-cores.sh: $name does not answer (got '$a')" >&2; cat "$WORK/$name.log" >&2; exit 1; }
done

CLK_TCK=$(getconf CLK_TCK)
descendants() { # a process and its descendant processes (not their threads: /proc/<thread>/stat counts the whole process)
  echo "$1"
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$c"; done
}
cpu_ticks() { # user + system CPU of a process and its descendants, threads included
  local total=0 p
  for p in $(descendants "$1"); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
measure() { # $1 name, $2 seconds, $3 client cpus -> "qps cpu% us/query"
  local out="$WORK/$1-$RANDOM.txt" before after t0 t1
  before=$(cpu_ticks "${PID[$1]}")
  t0=$(date +%s.%N)
  taskset -c "$3" dnsperf -s "$ADDR" -p "${PORT[$1]}" -d "$DNS/queries.txt" -l "$2" -c "$CLIENTS" -q "$OUTSTANDING" > "$out" 2>&1
  t1=$(date +%s.%N)
  after=$(cpu_ticks "${PID[$1]}")
  local qps lost
  qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$out")
  lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$out")
  awk -v q="$qps" -v lo="$lost" -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" \
    'BEGIN { cpu = (a - b) / hz; printf "%.0f %d %.0f %.2f\n", q, lo, cpu / (t1 - t0) * 100, cpu / (q * (t1 - t0)) * 1e6 }'
}
ORDER_1=(inproc-1core workers1-1core gdnsd1-1core)
ORDER_2=(workers1-2cores workers2-2cores gdnsd2-2cores)
for n in "${ORDER_1[@]}"; do measure "$n" "$WARMUP" "$CLIENT_CPU" > /dev/null; done
for n in "${ORDER_2[@]}"; do measure "$n" "$WARMUP" "$ALL" > /dev/null; done
echo "| round | server | cores | QPS | lost | server CPU % | server CPU µs/query |"
echo "|---|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for n in "${ORDER_1[@]}"; do
    r=$(measure "$n" "$DURATION" "$CLIENT_CPU"); echo "$n $r" >> "$WORK/results"
    echo "$r" | awk -v k="$round" -v n="$n" '{ printf "| %s | %s | 1 | %s | %s | %s | %s |\n", k, n, $1, $2, $3, $4 }'
  done
  for n in "${ORDER_2[@]}"; do
    r=$(measure "$n" "$DURATION" "$ALL"); echo "$n $r" >> "$WORK/results"
    echo "$r" | awk -v k="$round" -v n="$n" '{ printf "| %s | %s | 2 | %s | %s | %s | %s |\n", k, n, $1, $2, $3, $4 }'
  done
done
echo
echo "| median of rounds | QPS | server CPU µs/query | queries per core-second (1e6 / µs) |"
echo "|---|---|---|---|"
node -e '
  const by = {};
  for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { const [n, q, , , us] = l.split(" "); (by[n] ??= []).push([+q, +us]); }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  for (const [n, rs] of Object.entries(by)) { const us = med(rs.map((r) => r[1])); console.log(`| ${n} | ${Math.round(med(rs.map((r) => r[0])))} | ${us.toFixed(2)} | ${Math.round(1e6 / us)} |`); }
' "$WORK/results"
