#!/usr/bin/env bash
# Probes per second one checker process sustains while holding its schedule, and its memory with
# 10,000 health checks configured. See bench/checker/probe-rate.ts for what is measured and
# bench/README.md ("Checker") for the recorded results.
#
# The checker is measured as compiled JavaScript: bench/checker/*.ts and the modules they import are
# compiled with tsc into a temporary directory (the repository is not touched). The checker process
# is pinned to CPU $CPU, the endpoints to another one (taskset). Only 127.0.0.1 is used.
#
# Settings (environment): CHECKS (10000), RATES (333,1000,2000,3000,4000,5000), DURATION (s per rate, 20),
# ENDPOINTS (HTTP servers, 20), CONCURRENCY (probes in flight, 256), CPU (0).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
node node_modules/typescript/bin/tsc --ignoreConfig bench/checker/probe-rate.ts bench/checker/endpoints.ts --outDir "$WORK/out" --rootDir "$ROOT" \
  --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
ln -s "$ROOT/node_modules" "$WORK/node_modules"

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version)"
cd "$WORK/out"
node --expose-gc bench/checker/probe-rate.js --compiled \
  --checks "${CHECKS:-10000}" --rates "${RATES:-333,1000,2000,3000,4000,5000}" --duration "${DURATION:-20}" \
  --endpoints "${ENDPOINTS:-20}" --concurrency "${CONCURRENCY:-256}" --cpu "${CPU:-0}"
