/**
 * Invariants of the engine over generated groups, health and random sources (fast-check).
 */
import * as fc from 'fast-check';
import { Health, failoverRecord, healthCheck, lookup, multivalueRecord, report, sequence, simpleRecord, weightedRecord } from './fixtures';
import {
  HealthState,

  RandomSource,
  answerDistribution,
  compileGroup,
  selectAnswer,
  seededRandom,
} from '../../lib/engine';
import { MAX_MULTIVALUE_ANSWERS, RecordSetModel } from '../../lib/model';

const RUNS = { numRuns: 300 };

/** A random source, described so that fast-check can print a counterexample. */
interface Source { readonly label: string; make(): RandomSource }
const sourceArb: fc.Arbitrary<Source> = fc.oneof(
  fc.integer().map((seed) => ({ label: `seededRandom(${seed})`, make: () => seededRandom(seed) })),
  fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 10 })
    .map((values) => ({ label: `sequence(${values.join(', ')})`, make: () => sequence(...values) })),
  fc.constantFrom(0, 0.5, 1 - Number.EPSILON).map((v) => ({ label: `() => ${v}`, make: () => () => v })),
);
const healthArb = fc.constantFrom<Health>('up', 'down', 'none');

interface Group { readonly records: RecordSetModel[]; readonly health: Health[]; readonly down: string[] }
const toGroup = (records: RecordSetModel[], health: Health[]): Group => ({
  records,
  health,
  down: records.filter((_, i) => health[i] === 'down').map((r) => r.setIdentifier ?? 'simple'),
});

const memberArb = fc.record({ weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), health: healthArb });
const weightedArb = fc.array(memberArb, { minLength: 1, maxLength: 30 })
  .map((ms) => toGroup(ms.map((m, i) => weightedRecord(`w${i}`, m.weight, m.health)), ms.map((m) => m.health)));
const failoverArb = fc.tuple(healthArb, healthArb, fc.boolean())
  .map(([p, s, primaryFirst]) => {
    const records = [failoverRecord('primary', 'PRIMARY', p), failoverRecord('secondary', 'SECONDARY', s)];
    const health = [p, s];
    return primaryFirst ? toGroup(records, health) : toGroup([...records].reverse(), [...health].reverse());
  });
const multivalueArb = (maxLength: number) => fc.array(healthArb, { minLength: 1, maxLength })
  .map((hs) => toGroup(hs.map((h, i) => multivalueRecord(`m${i}`, h, `192.0.2.${i + 1}`)), hs));
const simpleArb = healthArb.map((h) => toGroup([simpleRecord(h)], [h]));
const anyGroupArb = fc.oneof(weightedArb, failoverArb, multivalueArb(40), simpleArb);

const isUp = (g: Group, r: RecordSetModel) => g.health[g.records.indexOf(r)] !== 'down';

describe('every group', () => {
  it('never answers empty for a non-empty group', () => {
    fc.assert(fc.property(anyGroupArb, sourceArb, (g, source) => {
      const random = source.make();
      for (let q = 0; q < 5; q++) expect(selectAnswer(g.records, lookup(g.down), random).length).toBeGreaterThan(0);
    }), RUNS);
  });

  it('never chooses an unhealthy record while a healthy one exists', () => {
    fc.assert(fc.property(anyGroupArb, sourceArb, (g, source) => {
      fc.pre(g.health.some((h) => h !== 'down'));
      fc.pre(g.records.length > 1); // a simple group answers its one record whatever its health
      const answer = selectAnswer(g.records, lookup(g.down), source.make());
      for (const r of answer) expect(isUp(g, r)).toBe(true);
    }), RUNS);
  });

  it('answers with records of the group, without duplicates, in record order', () => {
    fc.assert(fc.property(anyGroupArb, sourceArb, (g, source) => {
      const answer = selectAnswer(g.records, lookup(g.down), source.make());
      const positions = answer.map((r) => g.records.indexOf(r));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect(positions).toEqual([...new Set(positions)].sort((a, b) => a - b));
    }), RUNS);
  });

  it('answers only what answerDistribution lists, whose probabilities add up to 1', () => {
    const smallGroupArb = fc.oneof(weightedArb, failoverArb, multivalueArb(14), simpleArb);
    fc.assert(fc.property(smallGroupArb, sourceArb, (g, source) => {
      const dist = answerDistribution(g.records, lookup(g.down));
      const total = dist.reduce((s, o) => s + o.probability, 0);
      expect(total).toBeCloseTo(1, 9);
      expect(dist.every((o) => o.probability > 0)).toBe(true);
      const support = new Set(dist.map((o) => o.setIdentifiers.join(',')));
      expect(support.size).toBe(dist.length);
      const answer = selectAnswer(g.records, lookup(g.down), source.make());
      expect(support.has(answer.map((r) => r.setIdentifier ?? '').join(','))).toBe(true);
    }), RUNS);
  });

  it('gives inclusion probabilities that add up to the answer size', () => {
    fc.assert(fc.property(anyGroupArb, (g) => {
      const compiled = compileGroup(g.records);
      const p = compiled.inclusionProbabilities(lookup(g.down));
      const size = compiled.select(lookup(g.down), seededRandom(1)).length;
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(size, 9);
    }), RUNS);
  });

  it('is deterministic for a given random source', () => {
    fc.assert(fc.property(anyGroupArb, fc.integer(), (g, seed) => {
      const run = () => {
        const random = seededRandom(seed);
        return Array.from({ length: 5 }, () => selectAnswer(g.records, lookup(g.down), random).map((r) => r.setIdentifier).join(','));
      };
      expect(run()).toEqual(run());
    }), RUNS);
  });

  it('answers the same prepared as it selects: the same arrays from the same draws', () => {
    fc.assert(fc.property(anyGroupArb, sourceArb, (g, source) => {
      const compiled = compileGroup(g.records);
      const bySelect = source.make();
      const byPrepared = source.make();
      const prepared = compiled.prepare(lookup(g.down));
      let drawsSelect = 0;
      let drawsPrepared = 0;
      const counted = (random: RandomSource, count: () => void): RandomSource => () => {
        count();
        return random();
      };
      const a = counted(bySelect, () => drawsSelect++);
      const b = counted(byPrepared, () => drawsPrepared++);
      for (let q = 0; q < 8; q++) {
        // The same frozen array, not only the same records: the DNS node keeps encoded answers by identity.
        expect(prepared.select(b)).toBe(compiled.select(lookup(g.down), a));
        expect(drawsPrepared).toBe(drawsSelect);
      }
    }), RUNS);
  });
});

describe('weighted', () => {
  it('follows the model: healthy tier first, non-zero weights before zero, last resort by weight', () => {
    fc.assert(fc.property(weightedArb, sourceArb, (g, source) => {
      const [chosen] = selectAnswer(g.records, lookup(g.down), source.make());
      const healthy = g.records.filter((r) => isUp(g, r));
      const H = healthy.length > 0 ? healthy : g.records;
      expect(H).toContain(chosen);
      if (H.some((r) => r.weight! > 0)) expect(chosen.weight).toBeGreaterThan(0);
    }), RUNS);
  });
});

describe('failover', () => {
  it('follows the truth table', () => {
    fc.assert(fc.property(failoverArb, (g) => {
      const health = (role: string) => g.health[g.records.findIndex((r) => r.failover === role)];
      const expected = health('PRIMARY') !== 'down' ? 'primary' : health('SECONDARY') !== 'down' ? 'secondary' : 'primary';
      expect(selectAnswer(g.records, lookup(g.down), Math.random).map((r) => r.setIdentifier)).toEqual([expected]);
    }), RUNS);
  });
});

describe('multivalue', () => {
  it('answers min(8, healthy) healthy records, or min(8, all) when none is healthy, never a duplicate', () => {
    fc.assert(fc.property(multivalueArb(40), sourceArb, (g, source) => {
      const answer = selectAnswer(g.records, lookup(g.down), source.make());
      const healthy = g.records.filter((r) => isUp(g, r)).length;
      expect(answer.length).toBeLessThanOrEqual(MAX_MULTIVALUE_ANSWERS);
      expect(answer.length).toBe(Math.min(MAX_MULTIVALUE_ANSWERS, healthy > 0 ? healthy : g.records.length));
      expect(new Set(answer).size).toBe(answer.length);
      expect(new Set(answer.map((r) => r.values[0])).size).toBe(answer.length);
    }), RUNS);
  });
});

describe('health verdicts', () => {
  const FRESH = 90_000;
  const checkers = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
  const reportsArb = fc.uniqueArray(
    fc.record({ checkerId: fc.constantFrom(...checkers), healthy: fc.boolean(), at: fc.integer({ min: 0, max: 300_000 }) }),
    { selector: (r) => `${r.checkerId}@${r.at}`, maxLength: 40 },
  );

  /** The rule written out independently: latest report per checker, fresh ones, more than the fraction. */
  function reference(reports: { checkerId: string; healthy: boolean; at: number }[], now: number, fraction: number, previous: boolean): boolean {
    const latest = new Map<string, { healthy: boolean; at: number }>();
    for (const r of reports) if (!latest.has(r.checkerId) || latest.get(r.checkerId)!.at < r.at) latest.set(r.checkerId, r);
    const fresh = [...latest.values()].filter((r) => now - r.at <= FRESH);
    if (fresh.length === 0) return previous;
    return fresh.filter((r) => r.healthy).length / fresh.length > fraction;
  }

  it('match the rule, whatever order the reports arrive in, and keep the last verdict without fresh reports', () => {
    fc.assert(fc.property(
      reportsArb,
      fc.integer({ min: 0, max: 400_000 }),
      fc.integer({ min: 0, max: 400_000 }),
      fc.constantFrom(0.18, 0, 0.5, 0.9),
      fc.integer(),
      (reports, t1, dt, fraction, seed) => {
        const random = seededRandom(seed);
        const shuffled = [...reports].sort(() => random() - 0.5);
        const state = new HealthState([healthCheck('ep')], { healthyFraction: fraction, freshnessMs: FRESH });
        const early = shuffled.filter((r) => r.at <= t1);
        const late = shuffled.filter((r) => r.at > t1);
        for (const r of early) state.report('ep', report(r.checkerId, r.healthy, r.at));
        state.evaluate(t1);
        const first = reference(early, t1, fraction, true);
        expect(state.isHealthy('ep')).toBe(first);
        for (const r of late) state.report('ep', report(r.checkerId, r.healthy, r.at));
        state.evaluate(t1 + dt);
        expect(state.isHealthy('ep')).toBe(reference(reports, t1 + dt, fraction, first));
      },
    ), RUNS);
  });
});
