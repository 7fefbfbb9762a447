#!/usr/bin/env bash
# CPU per probe and probes per second of one checker process, HTTP and HTTPS, against a bare probe
# loop at the same rates (alternating rounds, medians), and its memory with 10,000 health checks
# configured. See bench/checker/probe-rate.ts for what is measured and bench/README.md ("Checker")
# for the recorded results.
#
# The checker is measured as compiled JavaScript: bench/checker/*.ts and the modules they import are
# compiled with tsc into a temporary directory (the repository is not touched). The probing process
# is pinned to CPU $CPU, the endpoints to another one (taskset). Only 127.0.0.1 is used.
#
# Settings (environment): CHECKS (10000), RATES (HTTP probes/s, 1000,2000,4000,6000,8000,10000),
# TLS_RATES (HTTPS probes/s, 500,1000; empty: no HTTPS), ROUNDS (per rate and loop, 3), DURATION (s per phase, 20),
# MODES (checker,bare), ENDPOINTS (servers per protocol, 20), CONCURRENCY (probes in flight, 256),
# CPU (0), IDLE (1: measure idle memory first), PROFILE (a directory: run under node --cpu-prof and
# write the profile there), BASELINE (a commit: its lib/checker is built too and measured in the same
# rounds as the loop "baseline", for before/after figures from one run; for example BASELINE=6037de6).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
node node_modules/typescript/bin/tsc --ignoreConfig bench/checker/probe-rate.ts bench/checker/endpoints.ts --outDir "$WORK/out" --rootDir "$ROOT" \
  --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
ln -s "$ROOT/node_modules" "$WORK/node_modules"
MODES=${MODES:-checker,bare}
BASE_ARG=()
if [ -n "${BASELINE:-}" ]; then
  mkdir -p "$WORK/base"
  git archive "$BASELINE" lib | tar -x -C "$WORK/base"
  ln -s "$ROOT/node_modules" "$WORK/base/node_modules"
  node node_modules/typescript/bin/tsc --ignoreConfig "$WORK/base/lib/checker/index.ts" --outDir "$WORK/base-out" --rootDir "$WORK/base" \
    --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
  BASE_ARG=(--baseline-dir "$WORK/base-out")
  case ",$MODES," in *,baseline,*) ;; *) MODES="baseline,$MODES" ;; esac
fi

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- lib bench || echo '+changes')${BASELINE:+, baseline $BASELINE}"
PROF=()
if [ -n "${PROFILE:-}" ]; then
  mkdir -p "$PROFILE"
  PROF=(--cpu-prof --cpu-prof-dir "$(cd "$PROFILE" && pwd)")
fi
IDLE_ARG=()
[ "${IDLE:-1}" = "0" ] && IDLE_ARG=(--no-idle)
cd "$WORK/out"
node --expose-gc "${PROF[@]}" bench/checker/probe-rate.js --compiled \
  --checks "${CHECKS:-10000}" --rates "${RATES-1000,2000,4000,6000,8000,10000}" --tls-rates "${TLS_RATES-500,1000}" --rounds "${ROUNDS:-3}" \
  --duration "${DURATION:-20}" --modes "$MODES" --endpoints "${ENDPOINTS:-20}" --concurrency "${CONCURRENCY:-256}" \
  --cpu "${CPU:-0}" "${IDLE_ARG[@]}" "${BASE_ARG[@]}"
