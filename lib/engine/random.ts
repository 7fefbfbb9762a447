/**
 * Randomness for the engine. The engine never calls `Math.random()` itself: every choice takes a
 * {@link RandomSource}, so the DNS server can pass `Math.random` and the verifier and the tests a
 * seeded generator that replays the same answers.
 */

/** Uniform in [0, 1). */
export type RandomSource = () => number;

/**
 * A small, fast, seeded generator (mulberry32, 32-bit state). Deterministic for a given seed:
 * the verifier's simulations and the tests use it so that a run can be replayed.
 * Not for anything security-related.
 */
export function seededRandom(seed: number): RandomSource {
  /* eslint-disable no-bitwise -- mulberry32 is 32-bit integer arithmetic */
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /* eslint-enable no-bitwise */
}

/**
 * A whole number uniform in [0, n) from one draw of `random` (n >= 1).
 * Clamped so that a source that breaks its contract by returning 1 cannot index past the end.
 */
export function uniformIndex(random: RandomSource, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? (i >= 0 ? i : 0) : n - 1;
}
