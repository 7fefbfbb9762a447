/**
 * The incremental evaluation of HealthState (issue 14): work that follows what a report changes,
 * freshness expiry from a heap of report ages, and the same verdicts, reasons and changes as the full
 * recomputation (`incremental: false`) over random histories.
 */
import * as fc from 'fast-check';
import { calculated, healthCheck, report } from './fixtures';
import { HealthState } from '../../lib/engine';
import { HealthCheckModel } from '../../lib/model/types';

const T0 = 1_700_000_000_000;
const F = 90_000;

/** 1,000 endpoint checks and 10 calculated ones over them, each with reports of 16 checkers at T0. */
function fleet(checks = 1000, checkers = 16) {
  const models: HealthCheckModel[] = [];
  for (let i = 0; i < checks; i++) models.push(healthCheck(`ep-${i}`));
  for (let i = 0; i < 10; i++) models.push(calculated(`calc-${i}`, [`ep-${i}`, `ep-${i + 10}`], 1));
  const state = new HealthState(models);
  for (let c = 0; c < checkers; c++) for (let i = 0; i < checks; i++) state.report(`ep-${i}`, report(`c${c}`, true, T0));
  state.evaluate(T0);
  return state;
}

describe('work follows what changes', () => {
  it('the first evaluate() is a full one; a checker repeating its view recomputes nothing', () => {
    const state = fleet();
    expect(state.lastEvaluation).toEqual({ full: true, recomputed: 1010, expired: 0 });
    for (let i = 0; i < 1000; i++) state.report(`ep-${i}`, report('c3', true, T0 + 1000));
    expect(state.evaluate(T0 + 1000)).toEqual([]);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 0, expired: 0 });
  });

  it('a changed observation recomputes its check, and calculated parents only when its verdict changes', () => {
    const state = fleet(1000, 1);
    state.report('ep-500', report('c0', false, T0 + 1000));
    expect(state.evaluate(T0 + 1000).map((c) => c.healthCheckId)).toEqual(['ep-500']);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 1, expired: 0 });
    // ep-0 has a parent (calc-0, threshold 1 of ep-0 and ep-10): its verdict changes, calc-0 is recomputed and stays healthy.
    state.report('ep-0', report('c0', false, T0 + 2000));
    expect(state.evaluate(T0 + 2000).map((c) => c.healthCheckId)).toEqual(['ep-0']);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 2, expired: 0 });
    state.report('ep-10', report('c0', false, T0 + 3000));
    expect(state.evaluate(T0 + 3000).map((c) => c.healthCheckId)).toEqual(['ep-10', 'calc-0']);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 2, expired: 0 });
    expect(state.snapshot(T0 + 3000).find((s) => s.healthCheckId === 'calc-0')!.reason).toBe('0 of 2 child checks healthy, healthThreshold 1');
  });

  it('reports go stale by time, from the heap: exactly freshnessMs old still counts, one ms more does not', () => {
    const state = new HealthState([healthCheck('a'), healthCheck('b')]);
    state.report('a', report('x', false, T0));
    state.report('a', report('y', true, T0 + 10));
    state.report('b', report('x', true, T0 + 20));
    state.evaluate(T0 + 20);
    expect(state.isHealthy('a')).toBe(true); // 1 of 2
    expect(state.nextExpiryAt).toBe(T0 + F);
    state.evaluate(T0 + F);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 0, expired: 0 });
    state.evaluate(T0 + F + 1); // x on a is stale: 1 of 1 healthy
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 1, expired: 1 });
    expect(state.snapshot(T0 + F + 1)[0]).toMatchObject({ freshCount: 1, healthyCount: 1, healthy: true });
    expect(state.nextExpiryAt).toBe(T0 + 10 + F);
    const changes = state.evaluate(T0 + F + 30); // all stale: the last verdicts are kept
    expect(changes).toEqual([]);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 2, expired: 2 });
    expect(state.snapshot(T0 + F + 30).map((s) => s.reason)).toEqual([
      'no fresh checker report (2 stale); keeping the last verdict, healthy',
      'no fresh checker report (1 stale); keeping the last verdict, healthy',
    ]);
    expect(state.nextExpiryAt).toBeUndefined();
  });

  it('a report replaced by a newer one is not expired with the old one\'s age', () => {
    const state = new HealthState([healthCheck('a')]);
    state.report('a', report('x', false, T0));
    state.evaluate(T0);
    expect(state.isHealthy('a')).toBe(false);
    state.report('a', report('x', false, T0 + 60_000)); // same view, newer
    state.evaluate(T0 + 60_000);
    expect(state.lastEvaluation.recomputed).toBe(0);
    state.evaluate(T0 + F + 1); // the old age has passed, the new report is fresh
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 0, expired: 0 });
    expect(state.nextExpiryAt).toBe(T0 + 60_000 + F);
    state.evaluate(T0 + 60_000 + F + 1);
    expect(state.lastEvaluation).toEqual({ full: false, recomputed: 1, expired: 1 });
    expect(state.isHealthy('a')).toBe(false); // kept
  });

  it('a clock that goes back recomputes everything (stale reports may be fresh again)', () => {
    const state = new HealthState([healthCheck('a')]);
    state.report('a', report('x', false, T0));
    state.evaluate(T0 + F + 1);
    expect(state.isHealthy('a')).toBe(true); // stale before its first evaluate: a new check starts healthy
    state.evaluate(T0);
    expect(state.lastEvaluation.full).toBe(true);
    expect(state.isHealthy('a')).toBe(false);
  });

  it('a model whose calculated checks form a cycle is always evaluated fully', () => {
    const state = new HealthState([calculated('p', ['q'], 1), calculated('q', ['p'], 1), healthCheck('a')]);
    state.evaluate(T0);
    state.report('a', report('x', false, T0 + 1));
    state.evaluate(T0 + 1);
    expect(state.lastEvaluation).toEqual({ full: true, recomputed: 3, expired: 0 });
  });
});

/** One step of a random history. */
type Step =
  | { readonly op: 'report'; readonly check: number; readonly checker: number; readonly healthy: boolean; readonly age: number }
  | { readonly op: 'override'; readonly id: number; readonly value: boolean | undefined }
  | { readonly op: 'evaluate'; readonly dt: number }
  | { readonly op: 'reload'; readonly flip: number };

const ENDPOINTS = 5;

/** A model of endpoint checks, calculated checks (nested, with an external child) and a CloudWatch check; flags vary. */
function modelOf(flags: readonly number[], thresholds: readonly number[]): HealthCheckModel[] {
  const flag = (i: number) => ({ inverted: (flags[i % flags.length] & 1) === 1, disabled: (flags[i % flags.length] & 6) === 6 });
  const models: HealthCheckModel[] = [];
  for (let i = 0; i < ENDPOINTS; i++) models.push(healthCheck(`ep-${i}`, flag(i)));
  models.push(calculated('calc-a', ['ep-0', 'ep-1', 'ep-2'], thresholds[0], flag(5)));
  models.push(calculated('calc-b', ['calc-a', 'ep-3', 'external-1'], thresholds[1], flag(6)));
  models.push(calculated('calc-c', ['calc-b', 'ep-4', 'ep-0'], thresholds[2], flag(7)));
  models.push(calculated('calc-d', [], thresholds[3])); // a threshold above 0 children: always unhealthy
  models.push({ id: 'alarm', config: { type: 'CLOUDWATCH_METRIC', ...flag(8) } });
  return models;
}
const IDS = [...Array.from({ length: ENDPOINTS }, (_, i) => `ep-${i}`), 'calc-a', 'calc-b', 'calc-c', 'calc-d', 'alarm', 'external-1', 'external-2'];

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('report' as const),
      check: fc.integer({ min: 0, max: ENDPOINTS + 1 }),
      checker: fc.integer({ min: 0, max: 5 }),
      healthy: fc.boolean(),
      // Mostly recent (a checker pushing), sometimes old (stale on arrival) or a little ahead.
      age: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: -5_000, max: 150_000 }) },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('override' as const), id: fc.integer({ min: 0, max: IDS.length - 1 }), value: fc.constantFrom(true, false, undefined) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('evaluate' as const),
      // Mostly forward; now and then exactly to a freshness edge, or back.
      dt: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 30_000 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, F, F + 1, -1, -30_000) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reload' as const), flip: fc.integer({ min: 0, max: 15 }) }) },
);

describe('the incremental evaluation gives what the full one gives', () => {
  it('over random histories: changes, verdicts, snapshots, generation', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 9, maxLength: 9 }),
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }),
      fc.constantFrom(0.18, 0, 0.5),
      fc.array(stepArb, { maxLength: 200, size: 'max' }),
      (flags, thresholds, healthyFraction, steps) => {
        const settings = { healthyFraction, freshnessMs: F };
        let models = modelOf(flags, thresholds);
        let inc = new HealthState(models, settings);
        let full = new HealthState(models, settings, { incremental: false });
        let now = T0;
        const compare = () => {
          expect(inc.snapshot(now)).toEqual(full.snapshot(now));
          for (const id of IDS) expect(inc.isHealthy(id)).toBe(full.isHealthy(id));
          expect(inc.generation).toBe(full.generation);
        };
        for (const step of steps) {
          switch (step.op) {
            case 'report': {
              // Checks past the endpoints: a calculated check and an unknown id (both ignored).
              const id = step.check < ENDPOINTS ? `ep-${step.check}` : step.check === ENDPOINTS ? 'calc-a' : 'nope';
              const r = report(`c${step.checker}`, step.healthy, now - step.age);
              inc.report(id, r);
              full.report(id, r);
              break;
            }
            case 'override':
              inc.override(IDS[step.id], step.value);
              full.override(IDS[step.id], step.value);
              break;
            case 'evaluate':
              now += step.dt;
              expect(inc.evaluate(now)).toEqual(full.evaluate(now));
              compare();
              break;
            case 'reload': {
              models = modelOf(flags.map((f, i) => (i === step.flip % flags.length ? f ^ 1 : f)), thresholds);
              // A check dropped, one changed type: their reports go.
              if (step.flip >= 8) models = models.filter((m) => m.id !== 'ep-4').concat(healthCheck('ep-5'));
              if (step.flip >= 12) models = models.map((m) => (m.id === 'ep-1' ? healthCheck('ep-1', { type: 'TCP', port: 443 }) : m));
              inc = HealthState.reloaded(inc, models, settings);
              full = HealthState.reloaded(full, models, settings);
              compare();
              break;
            }
          }
        }
        now += 1;
        expect(inc.evaluate(now)).toEqual(full.evaluate(now));
        compare();
      },
    ), { numRuns: 150 });
  });

  it('at fleet scale: 100 checks x 16 checkers, flapping checkers, expiry and a clock step back', () => {
    const models: HealthCheckModel[] = [];
    for (let i = 0; i < 100; i++) models.push(healthCheck(`ep-${i}`));
    for (let i = 0; i < 20; i++) models.push(calculated(`calc-${i}`, [`ep-${i}`, `ep-${i + 20}`, `ep-${i + 40}`], 2, { inverted: i % 3 === 0 }));
    const inc = new HealthState(models);
    const full = new HealthState(models, undefined, { incremental: false });
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let now = T0;
    for (let round = 0; round < 160; round++) {
      now += round === 130 ? -40_000 : 1000;
      for (let c = 0; c < 16; c++) {
        if (c >= 12 && round > 10 && round < 140) continue; // four checkers go quiet: their reports expire
        for (let i = 0; i < 100; i++) {
          const r = report(`c${c}`, random() > (i < 40 ? 0.5 : 0.02), now - Math.floor(random() * 3000));
          inc.report(`ep-${i}`, r);
          full.report(`ep-${i}`, r);
        }
        expect(inc.evaluate(now)).toEqual(full.evaluate(now));
      }
    }
    expect(inc.snapshot(now)).toEqual(full.snapshot(now));
    expect(inc.generation).toBe(full.generation);
    expect(inc.generation).toBeGreaterThan(50);
  });
});
