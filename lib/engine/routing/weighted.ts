/**
 * Weighted routing, exactly the model of ROUTE53.md §2 "Weighted":
 *
 * ```
 * H = records that are healthy (no health check counts as healthy)
 * if H is empty: H = all records                       # last resort
 * P = records in H with weight > 0
 * if P is empty: choose uniformly among H               # only zero-weight ones left
 * else: choose r in P with probability weight(r) / sum(weights in P)
 * ```
 *
 * - "Records with weight 0 are considered only when every record with a non-zero weight is
 *   unhealthy." and "If every weight is 0, all records have equal probability."
 * - "In the last resort the zero-weight records stay out when non-zero ones exist (our choice)":
 *   this falls out of the model, since P is taken from H = all records.
 *
 * A weight that is missing, negative or not a finite number (only possible in an unvalidated model)
 * counts as 0 (our choice).
 *
 * One query reads each record's health once, draws `random()` exactly once, and allocates nothing:
 * the answer is a frozen one-record array built when the group was compiled.
 */
import { RecordSetModel } from '../../model';
import { RandomSource, uniformIndex } from '../random';
import { IndexOutcome, MemberHealth, NO_ANSWER, PreparedAnswer, PreparedSelect, Router, healthFlags, singleAnswers } from './router';

export function effectiveWeight(weight: number | undefined): number {
  return weight !== undefined && Number.isFinite(weight) && weight > 0 ? weight : 0;
}

/** Which records are candidates and how likely each one is, for given health flags. */
interface Candidates {
  /** Sum of the candidates' weights, or 0 when they are chosen uniformly. */
  readonly sum: number;
  /** Number of candidates. */
  readonly count: number;
}

/**
 * Scratch health flags of the query being answered, shared by every weighted router (queries are
 * answered synchronously, and a router reads health, which never selects in another router): one
 * buffer rather than one per group. Grown to the largest group.
 */
let scratch = new Uint8Array(16);
/** Flags of a group whose records are all healthy (last resort), shared likewise; never written. */
let allHealthy = new Uint8Array(16).fill(1);

class WeightedRouter implements Router {
  private readonly n: number;
  private readonly weights: readonly number[];
  private readonly singles: ReadonlyArray<readonly RecordSetModel[]>;

  constructor(records: readonly RecordSetModel[]) {
    this.n = records.length;
    this.weights = records.map((r) => effectiveWeight(r.weight));
    this.singles = singleAnswers(records);
    if (this.n > scratch.length) {
      scratch = new Uint8Array(this.n);
      allHealthy = new Uint8Array(this.n).fill(1);
    }
  }

  select(health: MemberHealth, random: RandomSource): readonly RecordSetModel[] {
    if (this.n === 0) return NO_ANSWER;
    const i = this.pick(this.flagsFor(health, scratch), random);
    return this.singles[i];
  }

  /**
   * The candidates of P (or H, uniformly) and their cumulative weights, summed in the order `pick` sums
   * them, so that one `random()` gives the same record as `select` under the same health.
   */
  prepare(health: MemberHealth): PreparedSelect {
    if (this.n === 0) return new PreparedAnswer(NO_ANSWER, false);
    const flags = this.flagsFor(health, new Uint8Array(this.n));
    const n = this.n;
    const weights = this.weights;
    const sum = this.weightOf(flags);
    const singles = this.singles;
    if (sum > 0) {
      const cumulative: number[] = [];
      const answers: Array<readonly RecordSetModel[]> = [];
      let acc = 0;
      for (let i = 0; i < n; i++) {
        if (flags[i] === 0 || weights[i] === 0) continue;
        acc += weights[i];
        cumulative.push(acc);
        answers.push(singles[i]);
      }
      if (answers.length === 1) return new PreparedAnswer(answers[0], true);
      if (answers.length === 2) return new PreparedPair(sum, cumulative[0], answers[0], answers[1]);
      return new PreparedCumulative(sum, cumulative, answers);
    }
    const uniform: Array<readonly RecordSetModel[]> = [];
    for (let i = 0; i < n; i++) if (flags[i] === 1) uniform.push(singles[i]);
    return new PreparedUniform(uniform);
  }

  outcomes(health: MemberHealth): IndexOutcome[] {
    if (this.n === 0) return [];
    const flags = this.flagsFor(health, new Uint8Array(this.n));
    const probabilities = this.probabilities(flags);
    const out: IndexOutcome[] = [];
    for (let i = 0; i < this.n; i++) {
      if (probabilities[i] > 0) out.push({ indices: [i], probability: probabilities[i] });
    }
    return out;
  }

  inclusion(health: MemberHealth): number[] {
    if (this.n === 0) return [];
    return this.probabilities(this.flagsFor(health, new Uint8Array(this.n)));
  }

  /** H: the healthy records, or all of them when none is (last resort). */
  private flagsFor(health: MemberHealth, into: Uint8Array): Uint8Array {
    const flags = healthFlags(this.n, health, into);
    for (let i = 0; i < this.n; i++) if (flags[i] === 1) return flags;
    return allHealthy;
  }

  /** The summed weight of H's records (0: P is empty). */
  private weightOf(flags: Uint8Array): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) if (flags[i] !== 0) sum += this.weights[i];
    return sum;
  }

  /** P (the weighted records of H) when it is not empty, else H chosen uniformly. */
  private candidates(flags: Uint8Array): Candidates {
    let sum = 0;
    let count = 0;
    let healthy = 0;
    for (let i = 0; i < this.n; i++) {
      if (flags[i] === 0) continue;
      healthy++;
      const w = this.weights[i];
      if (w > 0) {
        sum += w;
        count++;
      }
    }
    return sum > 0 ? { sum, count } : { sum: 0, count: healthy };
  }

  private probabilities(flags: Uint8Array): number[] {
    const { sum, count } = this.candidates(flags);
    const out: number[] = new Array(this.n).fill(0);
    for (let i = 0; i < this.n; i++) {
      if (flags[i] === 0) continue;
      if (sum > 0) out[i] = this.weights[i] / sum;
      else out[i] = 1 / count;
    }
    return out;
  }

  private pick(flags: Uint8Array, random: RandomSource): number {
    const n = this.n;
    const weights = this.weights;
    const sum = this.weightOf(flags);
    if (sum > 0) {
      // Inverse transform sampling over the cumulative weights of P: record i owns [c(i-1), c(i)).
      const r = random() * sum;
      let acc = 0;
      let last = -1;
      for (let i = 0; i < n; i++) {
        if (flags[i] === 0 || weights[i] === 0) continue;
        acc += weights[i];
        last = i;
        if (r < acc) return i;
      }
      return last; // only reachable through rounding with non-integer weights
    }
    // P is empty: every record of H has weight 0; choose uniformly among H.
    let healthy = 0;
    for (let i = 0; i < n; i++) healthy += flags[i];
    let k = uniformIndex(random, healthy);
    for (let i = 0; i < n; i++) {
      if (flags[i] === 0) continue;
      if (k === 0) return i;
      k--;
    }
    return -1; // unreachable: H is never empty here
  }
}

/** Two candidates (the EMDR gateway): `pick`'s loop over two cumulative weights, unrolled. */
class PreparedPair implements PreparedSelect {
  constructor(
    private readonly sum: number,
    private readonly first: number,
    private readonly a: readonly RecordSetModel[],
    private readonly b: readonly RecordSetModel[],
  ) {}

  select(random: RandomSource): readonly RecordSetModel[] {
    // pick: r < c(0) is the first; otherwise the second (also when rounding lifts r past c(1)).
    return random() * this.sum < this.first ? this.a : this.b;
  }
}

class PreparedCumulative implements PreparedSelect {
  constructor(
    private readonly sum: number,
    private readonly cumulative: readonly number[],
    private readonly answers: ReadonlyArray<readonly RecordSetModel[]>,
  ) {}

  select(random: RandomSource): readonly RecordSetModel[] {
    const r = random() * this.sum;
    const c = this.cumulative;
    for (let k = 0; k < c.length; k++) if (r < c[k]) return this.answers[k];
    return this.answers[c.length - 1]; // only reachable through rounding with non-integer weights
  }
}

/** P is empty: the records of H, chosen uniformly. */
class PreparedUniform implements PreparedSelect {
  constructor(private readonly answers: ReadonlyArray<readonly RecordSetModel[]>) {}

  select(random: RandomSource): readonly RecordSetModel[] {
    return this.answers[uniformIndex(random, this.answers.length)];
  }
}

export function compileWeighted(records: readonly RecordSetModel[]): Router {
  return new WeightedRouter(records);
}
