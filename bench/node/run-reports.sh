#!/usr/bin/env bash
# Report ingestion on one core (issue 14): reports/s of the DNS node's report path for BEFORE
# (default 6037de6, the commit before issue 14's node work) and the work tree, against the bare floor
# (HMAC + SHA-256 + JSON.parse + a Map store of the same signed reports), all in the same run, pinned
# to one CPU, in alternating rounds; medians. See bench/README.md for the recorded results.
#
#   bench/node/run-reports.sh [BEFORE]       settings: GATEWAYS (500: 1,000 checks) CHECKERS (16)
#                                            ROUNDS (5) PUSHES (40 push intervals per run) CPU (0)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${1:-6037de6}
GATEWAYS=${GATEWAYS:-500}
CHECKERS=${CHECKERS:-16}
ROUNDS=${ROUNDS:-5}
PUSHES=${PUSHES:-40}
CPU=${CPU:-0}
WORK=$(mktemp -d /tmp/node-reports-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$ROOT/bench/node/build.sh" "$BEFORE" "$WORK/before" >/dev/null
"$ROOT/bench/node/build.sh" WORKTREE "$WORK/after" >/dev/null
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "$ROOT/bench/node/reports.ts" "$ROOT/bench/node/fleet.ts" --outDir "$WORK/driver" \
  --target ES2022 --module node16 --moduleResolution node16 --skipLibCheck --types node --strict

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), node $(node --version); load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "settings: $((2 * GATEWAYS)) health checks, $CHECKERS checkers, $PUSHES push intervals per run ($((PUSHES * CHECKERS)) reports), $ROUNDS rounds, pinned to CPU $CPU; before = $(git -C "$ROOT" rev-parse --short "$BEFORE"), after = work tree at $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- lib || echo ' (modified)')"
echo
echo "| round | what | reports/s | CPU µs per report | mean body (octets) | verdict changes |"
echo "|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for what in bare after before; do
    case $what in
      bare) line=$(taskset -c "$CPU" node "$WORK/driver/reports.js" bare - "$GATEWAYS" "$CHECKERS" "$PUSHES") ;;
      *) line=$(taskset -c "$CPU" node "$WORK/driver/reports.js" node "$WORK/$what/out" "$GATEWAYS" "$CHECKERS" "$PUSHES") ;;
    esac
    echo "$what $line" >> "$WORK/results"
    echo "$line" | node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(`| ${process.argv[1]} | ${process.argv[2]} | ${r.reportsPerSecond} | ${r.cpuMicrosPerReport} | ${r.meanBodyBytes} | ${r.verdictChanges ?? "-"} |`);' "$round" "$what"
  done
done
echo
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const by = {};
  for (const l of lines) { const i = l.indexOf(" "); (by[l.slice(0, i)] ??= []).push(JSON.parse(l.slice(i + 1))); }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  const m = (k, f) => median(by[k].map((r) => r[f]));
  console.log("| median of rounds | reports/s | CPU µs per report | of the bare floor (by CPU per report) |");
  console.log("|---|---|---|---|");
  for (const k of ["bare", "before", "after"]) {
    if (!by[k]) continue;
    console.log(`| ${k} | ${m(k, "reportsPerSecond")} | ${m(k, "cpuMicrosPerReport")} | ${(m("bare", "cpuMicrosPerReport") / m(k, "cpuMicrosPerReport")).toFixed(2)} |`);
  }' "$WORK/results"
