#!/usr/bin/env bash
# Synth at fleet scale: the time to synthesize a SelfHostedStack of N gateways to its bundle
# (bench/zones/fleet.ts), for several builds of lib/ in the same run. See bench/README.md ("Fleet scale:
# big zones and synth (issue 14)") for the recorded results.
#
#   bench/zones/synth.sh [REF ...]    # default: HEAD; e.g. `bench/zones/synth.sh main HEAD` for before/after
#                                     # (WORKTREE measures the uncommitted work tree)
#
# Each build synthesizes each size in $SIZES, $ROUNDS times, builds and sizes alternating; the summary
# gives the medians of the synth's CPU time (user + system of the process, the garbage collector's
# included: steadier than elapsed time on a shared machine) and elapsed time, and the ratio of the
# largest size to the smallest (linear: the ratio of the sizes).
#
# Settings (environment): SIZES ("1000 10000"), ROUNDS (3).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZES=${SIZES:-1000 10000}
ROUNDS=${ROUNDS:-3}
REFS=("$@")
[ ${#REFS[@]} -gt 0 ] || REFS=(HEAD)

WORK=$(mktemp -d /tmp/synth-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "## machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "node:    $(node --version)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "settings: SIZES='$SIZES' ROUNDS=$ROUNDS"
echo

NAMES=()
for i in "${!REFS[@]}"; do
  ref=${REFS[$i]}
  "$HERE/build.sh" "$ref" "$WORK/build-$i"
  if [ "$ref" = WORKTREE ]; then NAMES+=("ours@worktree"); else NAMES+=("ours@$(git -C "$ROOT" rev-parse --short "$ref")"); fi
done

echo "## runs"
echo "| round | build | gateways | synth CPU (ms) | synth elapsed (ms) | build CPU (ms) |"
echo "|---|---|---|---|---|---|"
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  for n in $SIZES; do
    for i in "${!REFS[@]}"; do
      rm -rf "$WORK/out"
      line=$(node "$WORK/build-$i/out/bench/zones/fleet.js" "$n" "$WORK/out")
      r=$(node -e 'const j = JSON.parse(process.argv[1]); console.log(j.synthCpuMs, j.synthMs, j.buildCpuMs)' "$line")
      echo "${NAMES[$i]} $n $r" >> "$WORK/results"
      echo "$r" | awk -v round="$round" -v s="${NAMES[$i]}" -v n="$n" '{ printf "| %s | %s | %s | %s | %s | %s |\n", round, s, n, $1, $2, $3 }'
    done
  done
done
rm -rf "$WORK/out"

echo
echo "## summary (medians over $ROUNDS rounds)"
echo "| build | gateways | synth CPU (ms) | synth elapsed (ms) | CPU vs. the fewest gateways |"
echo "|---|---|---|---|---|"
awk -v sizes="$SIZES" '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
  }
  { k = $1 SUBSEP $2; cpu[k] = cpu[k] " " $3; ms[k] = ms[k] " " $4; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
  END {
    ns = split(sizes, sz, " ");
    for (i = 1; i <= m; i++) {
      s = order[i]; base = median(cpu[s SUBSEP sz[1]]);
      for (j = 1; j <= ns; j++) {
        k = s SUBSEP sz[j]; c = median(cpu[k]);
        printf "| %s | %s | %.0f | %.0f | %.2f |\n", s, sz[j], c, median(ms[k]), c / base;
      }
    }
  }' "$WORK/results"
