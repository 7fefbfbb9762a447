#!/usr/bin/env bash
# The attacks of issue 13 against two builds of `dns-failover serve`: BEFORE (default d2e9b54, the
# commit before the fixes) and AFTER (default HEAD), each compiled with tsc into a temporary
# directory from `git archive` (the work tree is not touched). Prints Markdown table rows: the node's
# resident memory under each attack (baseline and peak, sampled every 20 ms) and what a real client
# (dig +tcp) or the attacker saw. Loopback only; every process started is stopped by its PID.
#
#   bench/security/run.sh [BEFORE [AFTER]]        ATTACKS=admin,pipeline,slow,udp (default all)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${1:-d2e9b54}
AFTER=${2:-HEAD}
WORK=$(mktemp -d /tmp/security-bench.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
command -v dig >/dev/null || { echo "dig is needed: apt-get install -y bind9-dnsutils" >&2; exit 1; }

build() { # $1 ref, $2 dir
  mkdir -p "$2/src"
  ln -s "$ROOT/node_modules" "$2/node_modules"
  git -C "$ROOT" archive "$1" lib | tar -x -C "$2/src"
  node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "$2/src/lib/cli/main.ts" --outDir "$2/out" --rootDir "$2/src" \
    --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --skipLibCheck --resolveJsonModule >/dev/null
  cp "$2/src/lib/bundle/schema.json" "$2/out/lib/bundle/"
}
build "$BEFORE" "$WORK/before"
build "$AFTER" "$WORK/after"
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "$ROOT/bench/security/attacks.ts" --outDir "$WORK/driver" --target ES2022 --module node16 --moduleResolution node16 --skipLibCheck --types node
mkdir -p "$WORK/keys"
echo "bench-key-of-c1-0123456789abcdef" > "$WORK/keys/c1"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), node $(node --version); load before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| build | attack | what | node RSS | result |"
echo "|---|---|---|---|---|"
for side in before after; do
  ref=$BEFORE; [ "$side" = after ] && ref=$AFTER
  node "$WORK/driver/attacks.js" "$WORK/$side/out/lib/cli/main.js" "$ROOT/bench/security/config.json" "$WORK/keys" "$side ($(git -C "$ROOT" rev-parse --short "$ref"))"
done
