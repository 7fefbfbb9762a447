#!/usr/bin/env bash
# Compiles lib/ at a git ref (or the work tree, ref "WORKTREE") with this checkout's bench/zones
# drivers and the DNS node entry of bench/dns (server.ts) into <dir>/out, with tsc, without touching the repository:
#
#   bench/zones/build.sh <ref> <dir>
#
# Used by bench/zones/run.sh and bench/zones/synth.sh to measure several builds in one run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REF=$1
DIR=$2
mkdir -p "$DIR/src/bench/zones" "$DIR/src/bench/dns"
if [ "$REF" = WORKTREE ]; then
  cp -r "$ROOT/lib" "$DIR/src/lib"
  find "$DIR/src/lib" \( -name '*.js' -o -name '*.d.ts' \) -delete
else
  git -C "$ROOT" archive "$REF" lib | tar -x -C "$DIR/src"
fi
cp "$ROOT"/bench/zones/*.ts "$DIR/src/bench/zones/"
cp "$ROOT/bench/dns/server.ts" "$DIR/src/bench/dns/"
ln -sfn "$ROOT/node_modules" "$DIR/node_modules"
ln -sfn "$ROOT/node_modules" "$DIR/src/node_modules"
cd "$DIR"
# `dns-failover serve` too (run.sh measures its answering worker), where the ref has the answering workers' program.
ENTRIES=("$DIR"/src/bench/zones/*.ts "$DIR/src/bench/dns/server.ts" "$DIR/src/lib/cli/main.ts")
if [ -f "$DIR/src/lib/dns/worker.ts" ]; then ENTRIES+=("$DIR/src/lib/dns/worker.ts"); fi
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "${ENTRIES[@]}" --outDir "$DIR/out" --rootDir "$DIR/src" \
  --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --strict --skipLibCheck --types node --resolveJsonModule
cp "$DIR/src/lib/bundle/schema.json" "$DIR/out/lib/bundle/"
if [ -d "$DIR/src/lib/geoip" ]; then mkdir -p "$DIR/out/lib/geoip" && cp -r "$DIR/src/lib/geoip/." "$DIR/out/lib/geoip/"; fi
