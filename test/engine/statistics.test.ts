/**
 * Statistical tests: weighted choice follows the weights, multivalue combinations are uniform, and
 * selectAnswer's frequencies match answerDistribution. Seeded, so every run draws the same numbers;
 * the bound is the chi-square critical value at significance 0.001, and the tests below show that
 * this bound catches realistic biases at the sample sizes used.
 */
import { Health, chiSquare, chiSquareCritical001, lookup, multivalueRecord, weightedRecord, weightedTable } from './fixtures';
import { HealthLookup, RandomSource, answerDistribution, compileGroup, seededRandom } from '../../lib/engine';
import { RecordSetModel } from '../../lib/model/types';

type WeightedSpec = Record<string, [number, Health]>;

const key = (records: readonly RecordSetModel[]) => records.map((r) => r.setIdentifier ?? '').join(',');

/** Draw `n` answers and count them per distribution outcome; returns observed counts and expected probabilities. */
function sample(records: RecordSetModel[], isHealthy: HealthLookup, random: RandomSource, n: number) {
  const dist = answerDistribution(records, isHealthy);
  const index = new Map(dist.map((o, i) => [o.setIdentifiers.join(','), i]));
  const observed = new Array<number>(dist.length).fill(0);
  const group = compileGroup(records);
  for (let q = 0; q < n; q++) {
    const i = index.get(key(group.select(isHealthy, random)));
    if (i === undefined) throw new Error(`answer ${key(group.select(isHealthy, random))} is not in the distribution`);
    observed[i]++;
  }
  return { observed, probabilities: dist.map((o) => o.probability), dist };
}

/** A weighted sampler with the weights given explicitly (for the power checks). */
function naiveWeightedSampler(weights: number[], random: RandomSource): () => number {
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = random() * total;
    for (let i = 0; i < weights.length; i++) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.length - 1;
  };
}

describe('chi-square helpers', () => {
  it.each([[1, 10.83], [4, 18.47], [10, 29.59], [11, 31.26], [20, 45.31], [44, 78.75], [100, 149.45]])('critical value for df %i is close to the table (%d)', (df, table) => {
    expect(Math.abs(chiSquareCritical001(df) - table) / table).toBeLessThan(0.01);
  });

  it('seededRandom is uniform over 20 bins', () => {
    const random = seededRandom(2024);
    const bins = new Array<number>(20).fill(0);
    for (let i = 0; i < 200_000; i++) bins[Math.floor(random() * 20)]++;
    expect(chiSquare(bins, bins.map(() => 1 / 20))).toBeLessThan(chiSquareCritical001(19));
  });
});

describe('weighted choice follows the weights', () => {
  const N = 200_000;
  const spec: WeightedSpec = { a: [1, 'up'], b: [2, 'up'], c: [3, 'none'], d: [4, 'up'], e: [10, 'up'], z: [0, 'up'], x: [50, 'down'] };
  const weights = [1, 2, 3, 4, 10];

  it('matches weight / sum over 200,000 draws, and never draws the zero-weight or unhealthy member', () => {
    const { records, isHealthy } = weightedTable(spec);
    const { observed, probabilities, dist } = sample(records, isHealthy, seededRandom(1), N);
    expect(dist.map((o) => o.setIdentifiers[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(probabilities).toEqual(weights.map((w) => w / 20));
    expect(chiSquare(observed, probabilities)).toBeLessThan(chiSquareCritical001(4));
  });

  it('the bound catches a real bias: off-by-one weights, a uniform pick, a reversed pick', () => {
    const expected = weights.map((w) => w / 20);
    const biased: Array<[string, () => number]> = [
      ['one more for the heaviest', naiveWeightedSampler([1, 2, 3, 4, 11], seededRandom(1))],
      ['one more for the lightest', naiveWeightedSampler([2, 2, 3, 4, 10], seededRandom(1))],
      ['uniform', naiveWeightedSampler([1, 1, 1, 1, 1], seededRandom(1))],
      ['reversed', naiveWeightedSampler([...weights].reverse(), seededRandom(1))],
    ];
    for (const [, draw] of biased) {
      const observed = new Array<number>(5).fill(0);
      for (let q = 0; q < N; q++) observed[draw()]++;
      expect(chiSquare(observed, expected)).toBeGreaterThan(chiSquareCritical001(4));
    }
    // and the same sampler with the right weights passes
    const fair = naiveWeightedSampler(weights, seededRandom(1));
    const observed = new Array<number>(5).fill(0);
    for (let q = 0; q < N; q++) observed[fair()]++;
    expect(chiSquare(observed, expected)).toBeLessThan(chiSquareCritical001(4));
  });

  it.each<[string, WeightedSpec]>([
    ['50/50 (EMDR)', { a: [50, 'up'], b: [50, 'up'] }],
    ['255 against 1', { a: [255, 'up'], b: [1, 'up'] }],
    ['zero-weight tier, uniform', { a: [10, 'down'], x: [0, 'up'], y: [0, 'up'], z: [0, 'none'] }],
    ['all zero, uniform', { a: [0, 'up'], b: [0, 'up'], c: [0, 'up'], d: [0, 'up'], e: [0, 'up'] }],
    ['last resort by weight', { a: [1, 'down'], b: [2, 'down'], c: [7, 'down'], z: [0, 'down'] }],
  ])('selectAnswer frequencies match answerDistribution: %s', (_, table) => {
    const { records, isHealthy } = weightedTable(table);
    const { observed, probabilities } = sample(records, isHealthy, seededRandom(99), 100_000);
    expect(chiSquare(observed, probabilities)).toBeLessThan(chiSquareCritical001(probabilities.length - 1));
  });

  it('a 100-member group over 500,000 draws', () => {
    const records = Array.from({ length: 100 }, (_, i) => weightedRecord(`w${i}`, (i * 37) % 256, i % 7 === 0 ? 'down' : 'up'));
    const isHealthy = lookup(records.filter((_, i) => i % 7 === 0).map((r) => r.setIdentifier!));
    const { observed, probabilities } = sample(records, isHealthy, seededRandom(5), 500_000);
    expect(chiSquare(observed, probabilities)).toBeLessThan(chiSquareCritical001(probabilities.length - 1));
  });
});

describe('multivalue combinations are uniform', () => {
  it.each([
    ['10 healthy of 12: C(10, 8) = 45 answers', 12, [3, 9]],
    ['none of 9 healthy: C(9, 8) = 9 answers', 9, [0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ['13 healthy: C(13, 8) = 1287 answers', 13, []],
  ])('%s', (_, n, down) => {
    const records = Array.from({ length: n }, (__, i) => multivalueRecord(`m${i}`, down.includes(i) ? 'down' : 'up', `192.0.2.${i + 1}`));
    const isHealthy = lookup(down.map((i) => `m${i}`));
    const { observed, probabilities } = sample(records, isHealthy, seededRandom(11), 200_000);
    expect(probabilities.every((p) => p === probabilities[0])).toBe(true);
    expect(chiSquare(observed, probabilities)).toBeLessThan(chiSquareCritical001(probabilities.length - 1));
  });

  it('the bound catches a biased shuffle (the classic "swap with any slot" mistake)', () => {
    // Shuffling with j drawn from the whole range, not from [k, m), is a well-known biased shuffle.
    const m = 10;
    const random = seededRandom(11);
    const index = new Map<string, number>();
    const combos: number[][] = [];
    const walk = (start: number, pick: number[]) => {
      if (pick.length === 8) {
        index.set(pick.join(','), combos.length);
        combos.push([...pick]);
        return;
      }
      for (let p = start; p < m; p++) walk(p + 1, [...pick, p]);
    };
    walk(0, []);
    const observed = new Array<number>(combos.length).fill(0);
    for (let q = 0; q < 300_000; q++) {
      const idx = Array.from({ length: m }, (_, i) => i);
      for (let k = 0; k < 8; k++) {
        const j = Math.floor(random() * m);
        [idx[k], idx[j]] = [idx[j], idx[k]];
      }
      observed[index.get(idx.slice(0, 8).sort((a, b) => a - b).join(','))!]++;
    }
    expect(chiSquare(observed, combos.map(() => 1 / combos.length))).toBeGreaterThan(chiSquareCritical001(combos.length - 1));
  });
});
