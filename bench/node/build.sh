#!/usr/bin/env bash
# Compiles lib/ at a git ref (or the work tree: ref WORKTREE) into <dir>/out with tsc, without
# touching the repository, so that one bench driver can measure several builds in one run:
#
#   bench/node/build.sh <ref> <dir>
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REF=$1
DIR=$2
mkdir -p "$DIR/src"
if [ "$REF" = WORKTREE ]; then
  cp -r "$ROOT/lib" "$DIR/src/lib"
  find "$DIR/src/lib" \( -name '*.js' -o -name '*.d.ts' \) -delete
else
  git -C "$ROOT" archive "$REF" lib | tar -x -C "$DIR/src"
fi
ln -sfn "$ROOT/node_modules" "$DIR/node_modules"
# lib/dns/worker.ts (the answering workers' program, where it exists) is loaded by path, not imported.
ENTRIES=("$DIR/src/lib/cli/main.ts" "$DIR/src/lib/dns/index.ts" "$DIR/src/lib/protocol/index.ts")
if [ -f "$DIR/src/lib/dns/worker.ts" ]; then ENTRIES+=("$DIR/src/lib/dns/worker.ts"); fi
node "$ROOT/node_modules/typescript/bin/tsc" --ignoreConfig "${ENTRIES[@]}" \
  --outDir "$DIR/out" --rootDir "$DIR/src" --target ES2022 --module node16 --moduleResolution node16 --esModuleInterop --skipLibCheck \
  --types node --resolveJsonModule
cp "$DIR/src/lib/bundle/schema.json" "$DIR/out/lib/bundle/"
if [ -d "$DIR/src/lib/geoip" ]; then mkdir -p "$DIR/out/lib/geoip" && cp -r "$DIR/src/lib/geoip/." "$DIR/out/lib/geoip/"; fi
ln -sfn "$ROOT/node_modules" "$DIR/out/node_modules"
