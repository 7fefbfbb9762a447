/**
 * Multivalue answer routing (ROUTE53.md §2 "Multivalue answer"):
 * - "Up to **8 healthy** records are returned; with more than 8 healthy, different queries get
 *   different random combinations of 8."
 * - "When none is healthy: up to 8 records are returned anyway (last resort)."
 *
 * With more than 8 candidates the answer is a uniformly random combination of 8 (every
 * combination equally likely), drawn with a partial Fisher-Yates shuffle: exactly 8 draws of
 * `random()`. With 8 or fewer candidates no randomness is used.
 *
 * The answer lists its records in the group's record order (our choice): which of them a client
 * tries first is the DNS server's business (it may rotate them), and a fixed order keeps answers
 * comparable. The same choice returns the same frozen array (see {@link MAX_CACHED_MULTIVALUE_ANSWERS}),
 * so a query allocates nothing once its answer has been seen.
 */
import { MAX_MULTIVALUE_ANSWERS, RecordSetModel } from '../../model';
import { RandomSource, uniformIndex } from '../random';
import { IndexOutcome, MemberHealth, Router } from './router';

/**
 * How many distinct answers a multivalue group keeps as ready-made frozen arrays, so that the same
 * choice returns the same array (the DNS server caches encodings by answer identity). When full
 * the cache starts over: a group of m > 8 candidates has C(m, 8) possible answers.
 */
export const MAX_CACHED_MULTIVALUE_ANSWERS = 4096;

/** Record indices up to this bound make an exact bit-set key in a double (2^52 < 2^53). */
const MAX_BITSET_INDEX = 52;

/** n choose k, exact while it stays below 2^53. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

class MultivalueRouter implements Router {
  private readonly n: number;
  private readonly all: readonly RecordSetModel[];
  /** Scratch candidate indices of the query being answered (queries are answered synchronously). */
  private readonly scratch: Int32Array;
  /** Ready-made answers by the set of their record indices. */
  private readonly answers = new Map<number | string, readonly RecordSetModel[]>();
  private readonly bit: Float64Array;

  constructor(private readonly records: readonly RecordSetModel[]) {
    this.n = records.length;
    this.all = Object.freeze([...records]);
    this.scratch = new Int32Array(this.n);
    this.bit = Float64Array.from(records, (_, i) => (i < MAX_BITSET_INDEX ? 2 ** i : 0));
  }

  select(health: MemberHealth, random: RandomSource): readonly RecordSetModel[] {
    const n = this.n;
    const idx = this.scratch;
    const m = this.candidates(health, idx);
    if (m === n && n <= MAX_MULTIVALUE_ANSWERS) return this.all;
    if (m > MAX_MULTIVALUE_ANSWERS) {
      // Partial Fisher-Yates: after step k, idx[0..k] is a uniform random k+1-subset, in random order.
      for (let k = 0; k < MAX_MULTIVALUE_ANSWERS; k++) {
        const j = k + uniformIndex(random, m - k);
        const t = idx[k];
        idx[k] = idx[j];
        idx[j] = t;
      }
      // Back to record order (insertion sort of 8 numbers).
      for (let k = 1; k < MAX_MULTIVALUE_ANSWERS; k++) {
        const v = idx[k];
        let j = k - 1;
        while (j >= 0 && idx[j] > v) {
          idx[j + 1] = idx[j];
          j--;
        }
        idx[j + 1] = v;
      }
    }
    const size = m < MAX_MULTIVALUE_ANSWERS ? m : MAX_MULTIVALUE_ANSWERS;
    return this.answerFor(idx, size);
  }

  /** The frozen answer made of records idx[0..size), from the cache when it was given before. */
  private answerFor(idx: Int32Array, size: number): readonly RecordSetModel[] {
    let key: number | string;
    if (this.n <= MAX_BITSET_INDEX) {
      key = 0;
      for (let k = 0; k < size; k++) key += this.bit[idx[k]];
    } else {
      key = '';
      for (let k = 0; k < size; k++) key += `${idx[k]},`;
    }
    const cached = this.answers.get(key);
    if (cached) return cached;
    const out = new Array<RecordSetModel>(size);
    for (let k = 0; k < size; k++) out[k] = this.records[idx[k]];
    Object.freeze(out);
    if (this.answers.size >= MAX_CACHED_MULTIVALUE_ANSWERS) this.answers.clear();
    this.answers.set(key, out);
    return out;
  }

  outcomes(health: MemberHealth, maxOutcomes: number): IndexOutcome[] {
    if (this.n === 0) return [];
    const idx = new Int32Array(this.n);
    const m = this.candidates(health, idx);
    const pool = Array.from(idx.subarray(0, m));
    if (m <= MAX_MULTIVALUE_ANSWERS) return [{ indices: pool, probability: 1 }];
    const total = binomial(m, MAX_MULTIVALUE_ANSWERS);
    if (total > maxOutcomes) {
      throw new RangeError(
        `a multivalue group with ${m} candidate records has ${total} possible answers, more than the limit of ${maxOutcomes}; ` +
        `use inclusion probabilities instead (each candidate answers with probability ${MAX_MULTIVALUE_ANSWERS}/${m}), or raise maxOutcomes`,
      );
    }
    const out: IndexOutcome[] = [];
    const probability = 1 / total;
    const pick = new Array<number>(MAX_MULTIVALUE_ANSWERS);
    const walk = (start: number, depth: number) => {
      if (depth === MAX_MULTIVALUE_ANSWERS) {
        out.push({ indices: pick.slice(), probability });
        return;
      }
      for (let p = start; p <= m - (MAX_MULTIVALUE_ANSWERS - depth); p++) {
        pick[depth] = pool[p];
        walk(p + 1, depth + 1);
      }
    };
    walk(0, 0);
    return out;
  }

  inclusion(health: MemberHealth): number[] {
    const idx = new Int32Array(this.n);
    const m = this.candidates(health, idx);
    const out: number[] = new Array(this.n).fill(0);
    const p = m <= MAX_MULTIVALUE_ANSWERS ? 1 : MAX_MULTIVALUE_ANSWERS / m;
    for (let k = 0; k < m; k++) out[idx[k]] = p;
    return out;
  }

  /** Writes the candidate indices (healthy ones, or all in the last resort) in order; returns how many. */
  private candidates(health: MemberHealth, idx: Int32Array): number {
    const n = this.n;
    let m = 0;
    for (let i = 0; i < n; i++) if (health(i)) idx[m++] = i;
    if (m === 0) {
      for (let i = 0; i < n; i++) idx[i] = i;
      m = n;
    }
    return m;
  }
}

export function compileMultivalue(records: readonly RecordSetModel[]): Router {
  return new MultivalueRouter(records);
}
