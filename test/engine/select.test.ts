import {
  Health,
  failoverRecord,
  lookup,
  multivalueRecord,
  simpleRecord,
  weightedRecord,
  weightedTable,
} from './fixtures';
import {
  DEFAULT_MAX_OUTCOMES,
  MAX_CACHED_MULTIVALUE_ANSWERS,

  answerDistribution,
  binomial,
  compileGroup,
  selectAnswer,
  seededRandom,
} from '../../lib/engine';
import { MAX_MULTIVALUE_ANSWERS, RecordSetModel } from '../../lib/model';

const ids = (records: readonly RecordSetModel[]) => records.map((r) => r.setIdentifier ?? '');
/** answerDistribution as `{ 'a': p, 'a,b': p }`. */
const distribution = (records: readonly RecordSetModel[], down: string[]) =>
  Object.fromEntries(answerDistribution(records, lookup(down)).map((o) => [o.setIdentifiers.join(','), o.probability]));

describe('weighted (ROUTE53.md §2 "Weighted")', () => {
  it.each<[string, Record<string, [number, Health]>, Record<string, number>]>([
    ['50/50, both healthy', { a: [50, 'up'], b: [50, 'up'] }, { a: 0.5, b: 0.5 }],
    ['weight / sum of weights', { a: [1, 'up'], b: [3, 'up'] }, { a: 0.25, b: 0.75 }],
    ['an unhealthy member leaves', { a: [50, 'down'], b: [50, 'up'] }, { b: 1 }],
    ['the rest share by weight', { a: [1, 'up'], b: [2, 'down'], c: [3, 'up'] }, { a: 0.25, c: 0.75 }],
    ['no health check counts as healthy', { a: [1, 'down'], b: [1, 'none'] }, { b: 1 }],
    ['zero weight stays out while a non-zero one is healthy', { a: [1, 'up'], b: [1, 'up'], z: [0, 'up'] }, { a: 0.5, b: 0.5 }],
    ['zero weight stays out: healthy non-zero beside unhealthy non-zero', { a: [1, 'down'], b: [5, 'up'], z: [0, 'up'] }, { b: 1 }],
    ['zero-weight tier when every non-zero one is unhealthy', { a: [1, 'down'], b: [9, 'down'], z: [0, 'up'] }, { z: 1 }],
    ['zero-weight tier is uniform', { a: [1, 'down'], y: [0, 'up'], z: [0, 'none'] }, { y: 0.5, z: 0.5 }],
    ['zero-weight tier keeps out unhealthy zero-weight ones', { a: [1, 'down'], x: [0, 'down'], y: [0, 'up'], z: [0, 'up'] }, { y: 0.5, z: 0.5 }],
    ['all weights 0: equal probability', { a: [0, 'up'], b: [0, 'up'], c: [0, 'none'], d: [0, 'up'] }, { a: 0.25, b: 0.25, c: 0.25, d: 0.25 }],
    ['all weights 0, one unhealthy: equal among the healthy', { a: [0, 'up'], b: [0, 'down'], c: [0, 'up'] }, { a: 0.5, c: 0.5 }],
    ['last resort: all unhealthy, chosen by weight', { a: [1, 'down'], b: [3, 'down'] }, { a: 0.25, b: 0.75 }],
    ['last resort keeps zero-weight out when non-zero ones exist', { a: [1, 'down'], b: [3, 'down'], z: [0, 'down'] }, { a: 0.25, b: 0.75 }],
    ['last resort with all weights 0: equal over all', { a: [0, 'down'], b: [0, 'down'], c: [0, 'down'] }, { a: 1 / 3, b: 1 / 3, c: 1 / 3 }],
    ['a single member', { a: [10, 'down'] }, { a: 1 }],
    ['the EMDR setup: one of two gateways down', { 'emdr-a': [50, 'down'], 'emdr-b': [50, 'up'] }, { 'emdr-b': 1 }],
  ])('%s', (_, spec, expected) => {
    const { records, isHealthy } = weightedTable(spec);
    const got = Object.fromEntries(answerDistribution(records, isHealthy).map((o) => [o.setIdentifiers.join(','), o.probability]));
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const [k, p] of Object.entries(expected)) expect(got[k]).toBeCloseTo(p, 12);
    // every answer selectAnswer gives is in that distribution
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const answer = selectAnswer(records, isHealthy, random);
      expect(answer).toHaveLength(1);
      expect(expected[answer[0].setIdentifier!]).toBeGreaterThan(0);
    }
  });

  it.each([
    // weights a=1, b=3: a owns [0, 0.25), b owns [0.25, 1)
    [0, 'a'],
    [0.2499999, 'a'],
    [0.25, 'b'],
    [0.9999999, 'b'],
  ])('maps random() = %d to %s', (r, expected) => {
    const { records, isHealthy } = weightedTable({ a: [1, 'up'], z: [0, 'up'], b: [3, 'up'] });
    expect(ids(selectAnswer(records, isHealthy, () => r))).toEqual([expected]);
  });

  it.each([
    [0, 'x'], [0.33, 'x'], [0.34, 'y'], [0.67, 'z'], [0.9999, 'z'],
  ])('maps random() = %d to %s in the all-zero tier', (r, expected) => {
    const { records, isHealthy } = weightedTable({ a: [5, 'down'], x: [0, 'up'], y: [0, 'up'], z: [0, 'up'] });
    expect(ids(selectAnswer(records, isHealthy, () => r))).toEqual([expected]);
  });

  it('draws random() exactly once per query', () => {
    const { records, isHealthy } = weightedTable({ a: [1, 'up'], b: [1, 'up'] });
    let calls = 0;
    selectAnswer(records, isHealthy, () => (calls++, 0.5));
    expect(calls).toBe(1);
  });

  it('still answers when the random source breaks its contract and returns 1', () => {
    const { records, isHealthy } = weightedTable({ a: [1, 'up'], b: [1, 'up'], z: [0, 'down'] });
    expect(ids(selectAnswer(records, isHealthy, () => 1))).toEqual(['b']);
    const zeros = weightedTable({ a: [0, 'up'], b: [0, 'up'] });
    expect(ids(selectAnswer(zeros.records, zeros.isHealthy, () => 1))).toEqual(['b']);
  });

  it('treats a missing, negative or non-finite weight as 0', () => {
    const records = [weightedRecord('a', 2), weightedRecord('neg', -5), weightedRecord('nan', NaN), weightedRecord('inf', Infinity)];
    expect(distribution(records, [])).toEqual({ a: 1 });
  });
});

describe('failover (ROUTE53.md §2 truth table)', () => {
  it.each<[Health, Health, string]>([
    ['up', 'up', 'primary'],
    ['up', 'down', 'primary'],
    ['up', 'none', 'primary'],
    ['none', 'down', 'primary'], // a primary without a check is always healthy
    ['down', 'up', 'secondary'],
    ['down', 'none', 'secondary'],
    ['down', 'down', 'primary'], // last resort
  ])('primary %s, secondary %s: %s', (primary, secondary, expected) => {
    const records = [failoverRecord('secondary', 'SECONDARY', secondary), failoverRecord('primary', 'PRIMARY', primary)];
    const down = [primary === 'down' && 'primary', secondary === 'down' && 'secondary'].filter((x): x is string => !!x);
    expect(ids(selectAnswer(records, lookup(down), () => { throw new Error('failover needs no randomness'); }))).toEqual([expected]);
    expect(distribution(records, down)).toEqual({ [expected]: 1 });
  });

  it('answers the lone member of an incomplete group', () => {
    expect(ids(selectAnswer([failoverRecord('s', 'SECONDARY', 'down')], lookup(['s']), Math.random))).toEqual(['s']);
    expect(ids(selectAnswer([failoverRecord('p', 'PRIMARY', 'down')], lookup(['p']), Math.random))).toEqual(['p']);
  });
});

describe('multivalue (ROUTE53.md §2 "Multivalue answer")', () => {
  const group = (n: number, down: number[], noCheck: number[] = []) => {
    const records = Array.from({ length: n }, (_, i) => multivalueRecord(`m${i}`, noCheck.includes(i) ? 'none' : down.includes(i) ? 'down' : 'up', `192.0.2.${i + 1}`));
    return { records, isHealthy: lookup(down.map((i) => `m${i}`)) };
  };
  const names = (is: number[]) => is.map((i) => `m${i}`);

  it.each<[string, number, number[], number[], string[]]>([
    ['all 3 healthy', 3, [], [], names([0, 1, 2])],
    ['the 3 healthy of 5', 5, [1, 3], [], names([0, 2, 4])],
    ['exactly 8 healthy of 10', 10, [0, 9], [], names([1, 2, 3, 4, 5, 6, 7, 8])],
    ['a record without a check is healthy', 4, [0, 1, 2, 3], [2], names([2])],
    ['none of 5 healthy: all 5 (last resort)', 5, [0, 1, 2, 3, 4], [], names([0, 1, 2, 3, 4])],
    ['one healthy of 12: only that one', 12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11], [], names([10])],
  ])('%s', (_, n, down, noCheck, expected) => {
    const { records, isHealthy } = group(n, down, noCheck);
    expect(ids(selectAnswer(records, isHealthy, () => { throw new Error('no randomness needed with 8 or fewer candidates'); }))).toEqual(expected);
    expect(answerDistribution(records, isHealthy)).toEqual([{ setIdentifiers: expected, records: expect.any(Array), probability: 1 }]);
  });

  it.each<[string, number, number[], number]>([
    ['10 healthy: 8 of them', 10, [], 10],
    ['12 of 14 healthy: 8 of the healthy', 14, [3, 7], 12],
    ['none of 12 healthy: 8 of all (last resort)', 12, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 12],
  ])('%s', (_, n, down, candidates) => {
    const { records, isHealthy } = group(n, down);
    const random = seededRandom(42);
    const seen = new Set<string>();
    for (let q = 0; q < 500; q++) {
      const answer = ids(selectAnswer(records, isHealthy, random));
      expect(answer).toHaveLength(MAX_MULTIVALUE_ANSWERS);
      expect(new Set(answer).size).toBe(MAX_MULTIVALUE_ANSWERS);
      if (candidates < n) expect(answer.filter((id) => down.includes(Number(id.slice(1))))).toEqual([]);
      expect(answer).toEqual([...answer].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))); // record order
      seen.add(answer.join(','));
    }
    expect(seen.size).toBeGreaterThan(1); // different queries get different combinations
    const dist = answerDistribution(records, isHealthy);
    expect(dist).toHaveLength(binomial(candidates, MAX_MULTIVALUE_ANSWERS));
    for (const o of dist) expect(o.probability).toBeCloseTo(1 / dist.length, 15);
    expect(new Set(dist.map((o) => o.setIdentifiers.join(','))).size).toBe(dist.length);
  });

  it('draws random() exactly 8 times with more than 8 candidates', () => {
    const { records, isHealthy } = group(20, []);
    let calls = 0;
    selectAnswer(records, isHealthy, () => (calls++, 0.3));
    expect(calls).toBe(8);
  });

  it('uses the random source for the combination (partial Fisher-Yates)', () => {
    const { records, isHealthy } = group(12, []);
    // always j = k: nothing moves, the first 8 stay
    expect(ids(selectAnswer(records, isHealthy, () => 0))).toEqual(names([0, 1, 2, 3, 4, 5, 6, 7]));
    // always j = last: step k swaps slot k with slot 11, which holds 11, then 0, 1, ...
    expect(ids(selectAnswer(records, isHealthy, () => 0.9999999))).toEqual(names([0, 1, 2, 3, 4, 5, 6, 11]));
  });

  it('gives each of m candidates an inclusion probability of 8/m', () => {
    const { records, isHealthy } = group(40, [0, 1, 2, 3, 4, 5, 6, 7]);
    const p = compileGroup(records).inclusionProbabilities(isHealthy);
    expect(p.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const x of p.slice(8)) expect(x).toBeCloseTo(8 / 32, 15);
  });

  it('fails to list more answers than maxOutcomes', () => {
    const { records, isHealthy } = group(40, []);
    expect(() => answerDistribution(records, isHealthy)).toThrow(/40 candidate records has 76904685 possible answers, more than the limit of 100000/);
    expect(DEFAULT_MAX_OUTCOMES).toBe(100_000);
    const small = group(10, []);
    expect(() => answerDistribution(small.records, small.isHealthy, { maxOutcomes: 44 })).toThrow(/45 possible answers/);
    expect(answerDistribution(small.records, small.isHealthy, { maxOutcomes: 45 })).toHaveLength(45);
  });
});

describe('simple', () => {
  it.each<Health>(['none', 'up', 'down'])('answers its record (health check %s)', (health) => {
    const record = simpleRecord(health);
    expect(selectAnswer([record], lookup(health === 'down' ? ['simple'] : []), Math.random)).toEqual([record]);
    expect(answerDistribution([record], lookup([]))).toEqual([{ setIdentifiers: [''], records: [record], probability: 1 }]);
  });
});

describe('groups', () => {
  it('answers nothing for an empty group', () => {
    expect(selectAnswer([], () => true, Math.random)).toEqual([]);
    expect(answerDistribution([], () => true)).toEqual([]);
  });

  it('fails on a group that mixes routing policies', () => {
    expect(() => compileGroup([weightedRecord('a', 1), failoverRecord('b', 'PRIMARY')])).toThrow(
      /records of api.example.com A use several routing policies \(weighted and failover\)/,
    );
  });

  it('copies the records: changing the caller\'s array later changes nothing', () => {
    const records = [weightedRecord('a', 1)];
    const compiled = compileGroup(records);
    records.push(weightedRecord('b', 100));
    expect(ids(compiled.select(() => true, () => 0.99))).toEqual(['a']);
    expect(compiled.policy).toBe('weighted');
  });

  it.each<[string, RecordSetModel[], string[]]>([
    ['weighted', [weightedRecord('a', 1, 'up'), weightedRecord('b', 1, 'down')], ['b']],
    ['failover', [failoverRecord('a', 'PRIMARY', 'up'), failoverRecord('b', 'SECONDARY', 'up')], ['a']],
    ['multivalue, some healthy', Array.from({ length: 6 }, (_, i) => multivalueRecord(`m${i}`, 'up')), ['m1', 'm4']],
    ['multivalue, more than 8', Array.from({ length: 12 }, (_, i) => multivalueRecord(`m${i}`, 'up')), []],
    ['multivalue, more than 52 records', Array.from({ length: 60 }, (_, i) => multivalueRecord(`m${i}`, 'up')), ['m0', 'm59']],
    ['simple', [simpleRecord('up')], []],
  ])('select returns the same frozen array for the same choice (%s)', (_, records, down) => {
    const group = compileGroup(records);
    const answers = new Map<string, readonly RecordSetModel[]>();
    const random = seededRandom(3);
    for (let q = 0; q < 3000; q++) {
      const answer = group.select(lookup(down), random);
      expect(Object.isFrozen(answer)).toBe(true);
      const k = ids(answer).join(',');
      if (answers.has(k)) expect(answer).toBe(answers.get(k));
      else answers.set(k, answer);
    }
    if (records.length > 8) expect(answers.size).toBeGreaterThan(1);
  });

  it('keeps answering correctly when the multivalue answer cache starts over', () => {
    const records = Array.from({ length: 20 }, (_, i) => multivalueRecord(`m${i}`, 'up'));
    const group = compileGroup(records);
    const random = seededRandom(8);
    const seen = new Set<string>();
    for (let q = 0; q < 3 * MAX_CACHED_MULTIVALUE_ANSWERS; q++) {
      const answer = ids(group.select(() => true, random));
      expect(new Set(answer).size).toBe(8);
      seen.add(answer.join(','));
    }
    expect(seen.size).toBeGreaterThan(MAX_CACHED_MULTIVALUE_ANSWERS); // the cache did start over
  });

  it('returns a fresh array from selectAnswer and a shared frozen one from select', () => {
    const records = [weightedRecord('a', 1)];
    const compiled = compileGroup(records);
    const first = compiled.select(() => true, Math.random);
    expect(compiled.select(() => true, Math.random)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const mine = selectAnswer(records, () => true, Math.random);
    mine.push(records[0]);
    expect(selectAnswer(records, () => true, Math.random)).toHaveLength(1);
  });

  it('asks for the health of each record with a check, never for one without', () => {
    const records = [weightedRecord('a', 1, 'up'), weightedRecord('b', 1, 'none'), weightedRecord('c', 1, 'up')];
    const asked: (string | undefined)[] = [];
    selectAnswer(records, (id) => (asked.push(id), true), () => 0.5);
    expect(asked).toEqual(['hc-a', 'hc-c']);
  });
});
