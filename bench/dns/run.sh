#!/usr/bin/env bash
# QPS and latency of the project's DNS server and of gdnsd serving the same weighted zone, on the
# same machine in the same run, loaded by dnsperf. See bench/README.md for the recorded results.
#
# One-core comparison: each server is pinned to CPU $SERVER_CPU, dnsperf to CPU $CLIENT_CPU, so the
# server gets one core and the load generator the other (the machine has 2). The servers run one at
# a time while loaded (both are started up front; the idle one does nothing).
#
# Two-core experiment (TWO_CORE=1, the default): our server as one process and as a `cluster` of
# $WORKERS workers, and gdnsd with $WORKERS UDP threads, each on both CPUs, loaded by the same dnsperf, also on both CPUs
# (so the load generator competes with the server: read those numbers as a comparison, not a capacity).
#
# Our server is measured as compiled JavaScript: bench/dns/server.ts and the modules it imports are
# compiled with tsc into a temporary directory (the repository is not touched).
#
# Besides QPS and latency, each run reports the server's CPU use and its CPU time per answered query:
# on a shared or noisy machine the rate depends on scheduling, the CPU cost per query much less, and
# (1 / cost) is what one saturated core could answer.
#
# Settings (environment): DURATION (s per run, 20), ROUNDS (runs per server, alternating, 3),
# CLIENTS (dnsperf -c, 1), OUTSTANDING (dnsperf -q, 64), WARMUP (s, 5), SERVER_CPU (0), CLIENT_CPU (1),
# OUR_PORT (15353), GDNSD_PORT (25353), TWO_CORE (1), WORKERS (2), CLUSTER_PORT (15354),
# SINGLE_PORT (15355), GDNSD2_PORT (25354). Only loopback addresses are used.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-1}
OUTSTANDING=${OUTSTANDING:-64}
WARMUP=${WARMUP:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUR_PORT=${OUR_PORT:-15353}
GDNSD_PORT=${GDNSD_PORT:-25353}
TWO_CORE=${TWO_CORE:-1}
WORKERS=${WORKERS:-2}
CLUSTER_PORT=${CLUSTER_PORT:-15354}
SINGLE_PORT=${SINGLE_PORT:-15355}
GDNSD2_PORT=${GDNSD2_PORT:-25354}
ADDR=127.0.0.1

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is missing; install it with: apt-get install -y $2" >&2; exit 1; }; }
need gdnsd gdnsd
need dnsperf dnsperf
need dig bind9-dnsutils
need taskset util-linux

WORK=$(mktemp -d /tmp/dns-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "## machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "kernel:  $(uname -r)"
echo "node:    $(node --version)"
echo "gdnsd:   $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1)"
echo "dnsperf: $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU"
echo

# 1. Our server, compiled.
cd "$ROOT"
node node_modules/typescript/bin/tsc --ignoreConfig bench/dns/server.ts bench/dns/cluster.ts --outDir "$WORK/out" --rootDir "$ROOT" --target ES2022 --module node16 \
  --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
cp lib/bundle/schema.json "$WORK/out/lib/bundle/"
ln -s "$ROOT/node_modules" "$WORK/node_modules"

# 2. gdnsd, with the same zone and a weighted resource of the same two addresses.
mkdir -p "$WORK/gdnsd/zones" "$WORK/gdnsd-run" "$WORK/gdnsd-state"
sed -e "s#@LISTEN@#$ADDR:$GDNSD_PORT#" -e "s#@RUNDIR@#$WORK/gdnsd-run#" -e "s#@STATEDIR@#$WORK/gdnsd-state#" \
  "$HERE/gdnsd-config" > "$WORK/gdnsd/config"
cp "$HERE/gdnsd-zone" "$WORK/gdnsd/zones/example.com"
mkdir -p "$WORK/gdnsd2/zones" "$WORK/gdnsd2-run" "$WORK/gdnsd2-state"
sed -e "s#@LISTEN@#$ADDR:$GDNSD2_PORT#" -e "s#@RUNDIR@#$WORK/gdnsd2-run#" -e "s#@STATEDIR@#$WORK/gdnsd2-state#" \
  -e "s#udp_threads => 1#udp_threads => $WORKERS#" "$HERE/gdnsd-config" > "$WORK/gdnsd2/config"
cp "$HERE/gdnsd-zone" "$WORK/gdnsd2/zones/example.com"

taskset -c "$SERVER_CPU" node "$WORK/out/bench/dns/server.js" "$HERE/zone.json" "$ADDR:$OUR_PORT" > "$WORK/ours.log" 2>&1 &
OURS=$!
PIDS+=("$OURS")
taskset -c "$SERVER_CPU" gdnsd -c "$WORK/gdnsd" start > "$WORK/gdnsd.log" 2>&1 &
GDNSD=$!
PIDS+=("$GDNSD")
PORTS=("$OUR_PORT" "$GDNSD_PORT")
if [ "$TWO_CORE" = 1 ]; then
  ALL_CPUS=$(seq -s, 0 $(($(nproc) - 1)))
  taskset -c "$ALL_CPUS" node "$WORK/out/bench/dns/cluster.js" "$HERE/zone.json" "$ADDR:$CLUSTER_PORT" "$WORKERS" > "$WORK/cluster.log" 2>&1 &
  CLUSTER=$!
  PIDS+=("$CLUSTER")
  taskset -c "$ALL_CPUS" node "$WORK/out/bench/dns/server.js" "$HERE/zone.json" "$ADDR:$SINGLE_PORT" > "$WORK/single.log" 2>&1 &
  SINGLE=$!
  PIDS+=("$SINGLE")
  taskset -c "$ALL_CPUS" gdnsd -c "$WORK/gdnsd2" start > "$WORK/gdnsd2.log" 2>&1 &
  GDNSD2=$!
  PIDS+=("$GDNSD2")
  PORTS+=("$CLUSTER_PORT" "$SINGLE_PORT" "$GDNSD2_PORT")
fi

answer() { dig @"$ADDR" -p "$1" +short +time=1 +tries=1 emdr.example.com A 2>/dev/null || true; }
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 50); do
    a=$(answer "$port")
    if [ "$a" = 192.0.2.10 ] || [ "$a" = 192.0.2.20 ]; then break; fi
    sleep 0.2
  done
  if [ "$a" != 192.0.2.10 ] && [ "$a" != 192.0.2.20 ]; then
    echo "run.sh: the server on port $port does not answer emdr.example.com A (got '$a')" >&2
    cat "$WORK"/*.log >&2
    exit 1
  fi
done
# Both really answer with both members (a weighted group, not a fixed answer).
for port in "${PORTS[@]}"; do
  seen=$(for _ in $(seq 1 40); do answer "$port"; done | sort -u | tr '\n' ' ')
  echo "port $port answers: $seen"
  [ "$seen" = "192.0.2.10 192.0.2.20 " ] || { echo "run.sh: port $port does not answer from both members" >&2; exit 1; }
done
echo

CLK_TCK=$(getconf CLK_TCK)
# CPU time of a process and its children (the cluster's workers), in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# One dnsperf run: prints "qps avg_latency_ms stddev_ms max_ms lost server_cpu% client_cpu% server_cpu_us_per_query".
measure() {
  local name=$1 port=$2 pid=$3 seconds=$4 cpus=${5:-$CLIENT_CPU} out="$WORK/$1-$RANDOM.txt"
  local before after
  before=$(cpu_ticks "$pid")
  local t0 t1
  t0=$(date +%s.%N)
  TIMEFORMAT='%U %S %R'
  { time taskset -c "$cpus" dnsperf -s "$ADDR" -p "$port" -d "$HERE/queries.txt" -l "$seconds" -c "$CLIENTS" -q "$OUTSTANDING" > "$out" 2>&1 ; } 2> "$out.time"
  t1=$(date +%s.%N)
  after=$(cpu_ticks "$pid")
  local qps lat sd max lost client
  qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$out")
  lat=$(sed -n 's/.*Average Latency (s): *\([0-9.]*\).*/\1/p' "$out")
  max=$(sed -n 's/.*Average Latency (s):.*max \([0-9.]*\)).*/\1/p' "$out")
  sd=$(sed -n 's/.*Latency StdDev (s): *\([0-9.]*\).*/\1/p' "$out")
  lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$out")
  client=$(awk '{ printf "%.0f", ($1 + $2) / $3 * 100 }' "$out.time")
  awk -v q="$qps" -v l="$lat" -v s="$sd" -v m="$max" -v lo="$lost" -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" -v c="$client" \
    'BEGIN { cpu = (a - b) / hz; printf "%.0f %.3f %.3f %.1f %d %.0f %s %.2f\n", q, l * 1000, s * 1000, m * 1000, lo, cpu / (t1 - t0) * 100, c, cpu / (q * (t1 - t0)) * 1e6 }'
}

echo "## warm-up (${WARMUP}s each, not counted)"
measure ours "$OUR_PORT" "$OURS" "$WARMUP" > /dev/null
measure gdnsd "$GDNSD_PORT" "$GDNSD" "$WARMUP" > /dev/null
echo

echo "## runs: dnsperf -d queries.txt -l $DURATION -c $CLIENTS -q $OUTSTANDING (pinned to CPU $CLIENT_CPU), server pinned to CPU $SERVER_CPU"
echo "| round | server | QPS | avg latency (ms) | stddev (ms) | max (ms) | lost | server CPU % | dnsperf CPU % | server CPU µs/query |"
echo "|---|---|---|---|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for server in ours gdnsd; do
    if [ "$server" = ours ]; then port=$OUR_PORT; pid=$OURS; else port=$GDNSD_PORT; pid=$GDNSD; fi
    r=$(measure "$server" "$port" "$pid" "$DURATION")
    echo "$server $r" >> "$WORK/results"
    echo "$r" | awk -v n="$round" -v s="$server" '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, s, $1, $2, $3, $4, $5, $6, $7, $8 }'
  done
done
echo
if [ "$TWO_CORE" = 1 ]; then
  echo
  echo "## two cores: ours as one process and as a cluster of $WORKERS workers, gdnsd with $WORKERS UDP threads; servers and dnsperf all on CPUs $ALL_CPUS"
  echo "| round | server | QPS | avg latency (ms) | stddev (ms) | max (ms) | lost | server CPU % | dnsperf CPU % | server CPU µs/query |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  measure ours-cluster "$CLUSTER_PORT" "$CLUSTER" "$WARMUP" "$ALL_CPUS" > /dev/null
  measure ours-single "$SINGLE_PORT" "$SINGLE" "$WARMUP" "$ALL_CPUS" > /dev/null
  measure gdnsd-2 "$GDNSD2_PORT" "$GDNSD2" "$WARMUP" "$ALL_CPUS" > /dev/null
  for round in $(seq 1 "$ROUNDS"); do
    for server in ours-single ours-cluster gdnsd-2; do
      case $server in
        ours-single) port=$SINGLE_PORT; pid=$SINGLE ;;
        ours-cluster) port=$CLUSTER_PORT; pid=$CLUSTER ;;
        *) port=$GDNSD2_PORT; pid=$GDNSD2 ;;
      esac
      r=$(measure "$server" "$port" "$pid" "$DURATION" "$ALL_CPUS")
      echo "$server $r" >> "$WORK/results"
      echo "$r" | awk -v n="$round" -v s="$server" '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, s, $1, $2, $3, $4, $5, $6, $7, $8 }'
    done
  done
fi

echo
echo "## summary (mean over rounds)"
awk '{ q[$1] += $2; l[$1] += $3; u[$1] += $9; n[$1]++ } END {
  printf "one core:  ours %.0f QPS (%.3f ms), gdnsd %.0f QPS (%.3f ms), ratio ours/gdnsd %.2f\n",
    q["ours"] / n["ours"], l["ours"] / n["ours"], q["gdnsd"] / n["gdnsd"], l["gdnsd"] / n["gdnsd"], (q["ours"] / n["ours"]) / (q["gdnsd"] / n["gdnsd"]);
  printf "one core:  server CPU per query: ours %.2f us, gdnsd %.2f us; one saturated core: ours ~%.0f QPS, gdnsd ~%.0f QPS, ratio %.2f\n",
    u["ours"] / n["ours"], u["gdnsd"] / n["gdnsd"], 1e6 / (u["ours"] / n["ours"]), 1e6 / (u["gdnsd"] / n["gdnsd"]), (u["gdnsd"] / n["gdnsd"]) / (u["ours"] / n["ours"]);
  if (n["ours-cluster"] > 0) {
    printf "two cores: ours (one process) %.0f QPS (%.3f ms), ours (cluster) %.0f QPS (%.3f ms), gdnsd %.0f QPS (%.3f ms)\n",
      q["ours-single"] / n["ours-single"], l["ours-single"] / n["ours-single"],
      q["ours-cluster"] / n["ours-cluster"], l["ours-cluster"] / n["ours-cluster"], q["gdnsd-2"] / n["gdnsd-2"], l["gdnsd-2"] / n["gdnsd-2"];
    printf "two cores: ratio ours/gdnsd %.2f (one process), %.2f (cluster)\n",
      (q["ours-single"] / n["ours-single"]) / (q["gdnsd-2"] / n["gdnsd-2"]), (q["ours-cluster"] / n["ours-cluster"]) / (q["gdnsd-2"] / n["gdnsd-2"]);
  }
}' "$WORK/results"
