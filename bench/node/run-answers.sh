#!/usr/bin/env bash
# DNS answer times while reports arrive and while a 10,000-gateway config reloads (issue 14), for
# `dns-failover serve` of BEFORE (default 6037de6, one process) and of the work tree (--workers 1 and
# 2), and gdnsd (reload-zones), in the same run: bench/node/answers.ts drives each server in turn,
# bench/node/latency.ts records every query's answer time. Servers pinned to CPU $SERVER_CPU (a
# node's primary and workers included), the driver, the prober and the reports on CPU $CLIENT_CPU.
#
#   bench/node/run-answers.sh [BEFORE]      settings: ROUNDS (1) RATE (4000 queries/s) QUIET_S (10)
#                                           REPORTS_S (20) RELOADS (3) SERVERS ("before after-1 after-2 gdnsd")
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${1:-6037de6}
ROUNDS=${ROUNDS:-1}
SERVERS=${SERVERS:-before after-1 after-2 gdnsd}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
export SERVER_CPU RATE QUIET_S REPORTS_S RELOADS
for c in gdnsd gdnsdctl dig taskset; do command -v $c >/dev/null || { echo "run-answers.sh: $c is missing (apt-get install -y gdnsd bind9-dnsutils)" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/node-answers-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$ROOT/bench/node/build.sh" "$BEFORE" "$WORK/before" >/dev/null
"$ROOT/bench/node/build.sh" WORKTREE "$WORK/after" >/dev/null
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "$ROOT"/bench/node/{answers,latency,fleet}.ts --outDir "$WORK/driver" \
  --target ES2022 --module node16 --moduleResolution node16 --skipLibCheck --types node --strict
mkdir -p "$WORK/files"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), node $(node --version), gdnsd $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "settings: RATE=${RATE:-4000} QUIET_S=${QUIET_S:-10} REPORTS_S=${REPORTS_S:-20} RELOADS=${RELOADS:-3}; before = $(git -C "$ROOT" rev-parse --short "$BEFORE"), after = work tree at $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- lib || echo ' (modified)')"
for round in $(seq 1 "$ROUNDS"); do
  for s in $SERVERS; do
    case $s in
      before) taskset -c "$CLIENT_CPU" node "$WORK/driver/answers.js" ours "$WORK/before/out/lib/cli/main.js" "before, serve's default (r$round)" "$WORK/files" ;;
      after-*) taskset -c "$CLIENT_CPU" node "$WORK/driver/answers.js" ours "$WORK/after/out/lib/cli/main.js" "after, --workers ${s#after-} (r$round)" "$WORK/files" --workers "${s#after-}" ;;
      gdnsd) taskset -c "$CLIENT_CPU" node "$WORK/driver/answers.js" gdnsd - "gdnsd 3 (r$round)" "$WORK/files" ;;
    esac
  done
done
