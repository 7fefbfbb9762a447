#!/usr/bin/env bash
# Big zones: CPU per query and memory of our DNS node against gdnsd as the number of names grows, on
# the same machine in the same run. See bench/README.md ("Fleet scale: big zones and synth (issue 14)") for the recorded results.
#
#   bench/zones/run.sh [REF ...]      # default: HEAD; e.g. `bench/zones/run.sh 6037de6 HEAD` for before/after
#                                     # (WORKTREE measures the uncommitted work tree)
#
# For each size in $SIZES (gateways; each gateway is one name), a fleet of that many EMDR gateways
# (bench/zones/fleet.ts: a weighted group of two addresses at 50/50, each with its own health check) is
# synthesized to a bundle with the last REF's library, and gdnsd is given the same zone with one
# `weighted` resource per name (bench/zones/peer.ts). Each server in turn, one at a time:
# - is started on CPU $SERVER_CPU (`taskset`; gdnsd with one UDP and one TCP thread, both with a 1 MiB
#   receive buffer), and asked until it answers;
# - after $SETTLE s its resident memory is read from /proc (VmRSS): **RSS after start**;
# - dnsperf on CPU $CLIENT_CPU asks every name of the fleet, type A, in a fixed shuffled order, over
#   and over (`-c $CLIENTS -q $OUTSTANDING`), $WARMUP s not counted, then $DURATION s counted: QPS,
#   and the server's CPU time (user + system from /proc/PID/stat) per answered query;
# - is stopped by its PID.
# $ROUNDS rounds alternate the servers and sizes; the summary gives medians.
#
# With SERVE=1 (the default), the last REF is also measured as `dns-failover serve --workers 1` (the
# default of the CLI: a primary and one answering worker, both on $SERVER_CPU): its RSS is the answering
# worker's (the primary's in a column of its own), its CPU that of both processes.
#
# Settings (environment): SIZES ("10 1000 10000"), ROUNDS (3), DURATION (20), WARMUP (5), SETTLE (2),
# CLIENTS (1), OUTSTANDING (64), SERVER_CPU (0), CLIENT_CPU (1), PORT (15360; serve's admin API PORT+1),
# SERVE (1). Loopback only.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZES=${SIZES:-10 1000 10000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
SETTLE=${SETTLE:-2}
CLIENTS=${CLIENTS:-1}
OUTSTANDING=${OUTSTANDING:-64}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
PORT=${PORT:-15360}
SERVE=${SERVE:-1}
ADDR=127.0.0.1
REFS=("$@")
[ ${#REFS[@]} -gt 0 ] || REFS=(HEAD)

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is missing; install it with: apt-get install -y $2" >&2; exit 1; }; }
need gdnsd gdnsd
need dnsperf dnsperf
need dig bind9-dnsutils
need taskset util-linux

WORK=$(mktemp -d /tmp/zones-bench.XXXXXX)
SERVER=
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "## machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -r)"
echo "node:    $(node --version)"
echo "gdnsd:   $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1)"
echo "dnsperf: $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "settings: SIZES='$SIZES' ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP SETTLE=$SETTLE CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU SERVE=$SERVE"
echo

# 1. Our builds, and the fleets (synthesized with the last build).
NAMES=()
for i in "${!REFS[@]}"; do
  ref=${REFS[$i]}
  "$HERE/build.sh" "$ref" "$WORK/build-$i"
  if [ "$ref" = WORKTREE ]; then NAMES+=("ours@worktree"); else NAMES+=("ours@$(git -C "$ROOT" rev-parse --short "$ref")"); fi
done
LAST=$(( ${#REFS[@]} - 1 ))
for n in $SIZES; do
  node "$WORK/build-$LAST/out/bench/zones/fleet.js" "$n" "$WORK/fleet-$n" > "$WORK/fleet-$n.json"
  node "$WORK/build-$LAST/out/bench/zones/peer.js" "$WORK/fleet-$n/fleet/config.json" "$WORK/gdnsd-$n" "$ADDR:$PORT" \
    "$WORK/gdnsd-$n/run" "$WORK/gdnsd-$n/state" "$WORK/queries-$n.txt"
  mkdir -p "$WORK/gdnsd-$n/run" "$WORK/gdnsd-$n/state"
  echo "fleet of $n gateways: $(wc -l < "$WORK/queries-$n.txt") names, config.json $(du -k "$WORK/fleet-$n/fleet/config.json" | cut -f1) KiB"
done
echo

CLK_TCK=$(getconf CLK_TCK)
# A server's CPU ticks (user + system), its child processes' included (`serve`'s answering worker).
ticks() { local t=0 p; for p in "$1" $( [ "$SERVER_KIND" = serve ] && pgrep -P "$1" ); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
# The resident memory of the process that answers: for `serve`, its answering worker (the primary's is answers_rss's second figure).
answering_pid() { if [ "$SERVER_KIND" = serve ]; then pgrep -P "$1" | head -1; else echo "$1"; fi; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$(answering_pid "$1")/status"; }
primary_rss_kib() { if [ "$(answering_pid "$1")" != "$1" ]; then awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; else echo 0; fi; }

start() { # $1 server index (0.. for ours, "serve", "gdnsd"), $2 size; sets SERVER and SERVER_KIND
  SERVER_KIND=$1
  if [ "$1" = gdnsd ]; then
    taskset -c "$SERVER_CPU" gdnsd -c "$WORK/gdnsd-$2" start > "$WORK/server.log" 2>&1 &
  elif [ "$1" = serve ]; then
    taskset -c "$SERVER_CPU" node "$WORK/build-$LAST/out/lib/cli/main.js" serve --config "$WORK/fleet-$2/fleet/config.json" \
      --listen "$ADDR:$PORT" --admin "$ADDR:$((PORT + 1))" --workers 1 > "$WORK/server.log" 2>&1 &
  else
    taskset -c "$SERVER_CPU" node "$WORK/build-$1/out/bench/dns/server.js" "$WORK/fleet-$2/fleet/config.json" "$ADDR:$PORT" > "$WORK/server.log" 2>&1 &
  fi
  SERVER=$!
  local a=
  for _ in $(seq 1 600); do
    a=$(dig @"$ADDR" -p "$PORT" +short +time=1 +tries=1 gw-0.example.com A 2>/dev/null || true)
    if [ "$a" = 10.0.0.1 ] || [ "$a" = 10.0.0.2 ]; then return 0; fi
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: server $1 with $2 names does not answer gw-0.example.com A (got '$a')" >&2
  cat "$WORK/server.log" >&2
  exit 1
}

stop() {
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=
}

# One dnsperf run against the running server: "qps lost cpu_us_per_query".
measure() { # $1 size, $2 seconds
  local out="$WORK/dnsperf.txt" before after t0 t1
  before=$(ticks "$SERVER")
  t0=$(date +%s.%N)
  taskset -c "$CLIENT_CPU" dnsperf -s "$ADDR" -p "$PORT" -d "$WORK/queries-$1.txt" -l "$2" -c "$CLIENTS" -q "$OUTSTANDING" > "$out" 2>&1
  t1=$(date +%s.%N)
  after=$(ticks "$SERVER")
  local qps lost
  qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$out")
  lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$out")
  awk -v q="$qps" -v lo="$lost" -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" \
    'BEGIN { cpu = (a - b) / hz; printf "%.0f %d %.0f %.2f\n", q, lo, cpu / (t1 - t0) * 100, cpu / (q * (t1 - t0)) * 1e6 }'
}

SERVERS=()
for i in "${!REFS[@]}"; do SERVERS+=("$i"); done
if [ "$SERVE" = 1 ] && [ -f "$WORK/build-$LAST/out/lib/dns/worker.js" ]; then SERVERS+=(serve); fi
SERVERS+=(gdnsd)
label() { case $1 in gdnsd) echo gdnsd ;; serve) echo "${NAMES[$LAST]}-serve" ;; *) echo "${NAMES[$1]}" ;; esac; }

echo "## runs"
echo "| round | server | names | RSS after start (MB) | QPS | lost | server CPU % | server CPU µs/query | RSS after load (MB) | serve's primary RSS after start (MB) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for n in $SIZES; do
    for s in "${SERVERS[@]}"; do
      start "$s" "$n"
      sleep "$SETTLE"
      rss=$(rss_kib "$SERVER")
      prss=$(primary_rss_kib "$SERVER")
      measure "$n" "$WARMUP" > /dev/null
      r=$(measure "$n" "$DURATION")
      rss2=$(rss_kib "$SERVER")
      stop
      name=$(label "$s")
      echo "$name $n $rss $rss2 $r" >> "$WORK/results"
      echo "$r" | awk -v round="$round" -v s="$name" -v n="$n" -v m="$rss" -v m2="$rss2" -v p="$prss" \
        '{ printf "| %s | %s | %s | %.1f | %s | %s | %s | %s | %.1f | %s |\n", round, s, n, m / 1024, $1, $2, $3, $4, m2 / 1024, (p > 0 ? sprintf("%.1f", p / 1024) : "-") }'
    done
  done
done

echo
echo "## summary (medians over $ROUNDS rounds)"
echo "| server | names | RSS after start (MB) | QPS | server CPU µs/query | CPU/query vs. the fewest names |"
echo "|---|---|---|---|---|---|"
# results: name size rss_kib rss_after_kib qps lost cpu% us_per_query
awk -v sizes="$SIZES" '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
  }
  { k = $1 SUBSEP $2; rss[k] = rss[k] " " $3; qps[k] = qps[k] " " $5; us[k] = us[k] " " $8; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
  END {
    ns = split(sizes, sz, " ");
    for (i = 1; i <= m; i++) {
      s = order[i]; base = median(us[s SUBSEP sz[1]]);
      for (j = 1; j <= ns; j++) {
        k = s SUBSEP sz[j]; u = median(us[k]);
        printf "| %s | %s | %.1f | %.0f | %.2f | %.2f |\n", s, sz[j], median(rss[k]) / 1024, median(qps[k]), u, u / base;
      }
    }
  }' "$WORK/results"
