import { calculated, healthCheck, report } from './fixtures';
import {
  DEFAULT_FRESHNESS_MS,
  DEFAULT_VERDICT_SETTINGS,
  HealthState,
  freshnessMsFor,
  verdictKindOf,
} from '../../lib/engine';
import { HealthCheckConfigModel } from '../../lib/model/types';

const T0 = 1_700_000_000_000;

/** A state with one endpoint check `ep` that got `healthy` of `checkers` reports at T0. */
function withReports(checkers: number, healthy: number, settings?: { healthyFraction?: number; freshnessMs?: number }) {
  const state = new HealthState([healthCheck('ep')], settings);
  for (let i = 0; i < checkers; i++) state.report('ep', report(`checker-${i}`, i < healthy, T0));
  return state;
}

describe('defaults', () => {
  it('uses 18 % and a 90 s freshness window', () => {
    expect(DEFAULT_VERDICT_SETTINGS).toEqual({ healthyFraction: 0.18, freshnessMs: 90_000 });
    expect(DEFAULT_FRESHNESS_MS).toBe(90_000);
    expect(new HealthState([]).settings).toEqual(DEFAULT_VERDICT_SETTINGS);
    expect(new HealthState([], { freshnessMs: 5_000 }).settings).toEqual({ healthyFraction: 0.18, freshnessMs: 5_000 });
  });

  it.each([
    ['no endpoint check', [], 90_000],
    ['default interval', [healthCheck('a')], 90_000],
    ['10 s interval (at least 30 s)', [healthCheck('a', { requestInterval: 10 })], 30_000],
    ['self-hosted 1 s interval (at least 30 s)', [healthCheck('a', { requestInterval: 1 })], 30_000],
    ['longest interval wins', [healthCheck('a', { requestInterval: 10 }), healthCheck('b', { requestInterval: 60 })], 180_000],
    ['calculated checks have no interval', [calculated('c', ['a'], 1), healthCheck('a', { requestInterval: 10 })], 30_000],
  ])('freshnessMsFor: %s', (_, checks, expected) => {
    expect(freshnessMsFor(checks)).toBe(expected);
  });

  it.each([
    ['HTTP', 'endpoint'], ['HTTPS', 'endpoint'], ['HTTP_STR_MATCH', 'endpoint'], ['HTTPS_STR_MATCH', 'endpoint'], ['TCP', 'endpoint'],
    ['CALCULATED', 'calculated'], ['CLOUDWATCH_METRIC', 'unobserved'], ['RECOVERY_CONTROL', 'unobserved'],
  ])('classifies %s as %s', (type, kind) => {
    expect(verdictKindOf(type)).toBe(kind);
  });

  it.each([
    [{ healthyFraction: 1 }, /healthyFraction 1 is out of range/],
    [{ healthyFraction: -0.1 }, /healthyFraction -0.1 is out of range/],
    [{ healthyFraction: NaN }, /healthyFraction NaN is out of range/],
    [{ freshnessMs: 0 }, /freshnessMs 0 is out of range/],
    [{ freshnessMs: NaN }, /freshnessMs NaN is out of range/],
  ])('fails on invalid settings %j', (settings, message) => {
    expect(() => new HealthState([], settings)).toThrow(message);
  });

  it('fails on two checks with the same id', () => {
    expect(() => new HealthState([healthCheck('a'), healthCheck('a')])).toThrow(/two health checks share the id 'a'/);
  });
});

describe('endpoint checks: more than 18 % of the fresh reports (ROUTE53.md §1)', () => {
  it.each([
    // checkers, healthy reports, verdict
    [5, 1, true], // 20 % > 18 %
    [5, 0, false],
    [5, 5, true],
    [100, 18, false], // exactly 18 % is not more than 18 %
    [100, 19, true],
    [50, 9, false], // 18 %
    [50, 10, true],
    [11, 2, true], // 18.18 %
    [6, 1, false], // 16.7 %
    [3, 1, true],
    [1, 1, true],
    [1, 0, false],
  ])('%i checkers, %i healthy: healthy=%s', (checkers, healthy, expected) => {
    const state = withReports(checkers, healthy);
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(expected);
    const [snap] = state.snapshot(T0);
    expect(snap.freshCount).toBe(checkers);
    expect(snap.healthyCount).toBe(healthy);
    expect(snap.healthy).toBe(expected);
  });

  it.each([
    [0.5, 4, 2, false],
    [0.5, 4, 3, true],
    [0, 10, 1, true],
    [0, 10, 0, false],
  ])('healthyFraction %d: %i checkers, %i healthy: healthy=%s', (healthyFraction, checkers, healthy, expected) => {
    const state = withReports(checkers, healthy, { healthyFraction });
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(expected);
  });

  it('counts every report whatever its region, also outside the check\'s regions', () => {
    const state = new HealthState([healthCheck('ep', { regions: ['us-east-1', 'eu-west-1', 'sa-east-1'] })]);
    state.report('ep', report('a', false, T0, 'us-east-1'));
    state.report('ep', report('b', false, T0, 'eu-west-1'));
    state.report('ep', report('c', true, T0, 'my-own-rack'));
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(true); // 1 of 3
    expect(state.snapshot(T0)[0].reports.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1', 'my-own-rack']);
  });

  it('counts only the latest report of each checker', () => {
    const state = new HealthState([healthCheck('ep')]);
    for (let i = 0; i < 10; i++) state.report('ep', report('flappy', true, T0 + i));
    for (let i = 0; i < 4; i++) state.report('ep', report(`down-${i}`, false, T0));
    state.report('ep', report('flappy', false, T0 + 10));
    state.evaluate(T0 + 10);
    expect(state.isHealthy('ep')).toBe(false);
    expect(state.snapshot(T0 + 10)[0].freshCount).toBe(5);
  });
});

describe('freshness', () => {
  const F = DEFAULT_FRESHNESS_MS;

  it('a new check is healthy before any report and before the first evaluate', () => {
    const state = new HealthState([healthCheck('ep')]);
    expect(state.isHealthy('ep')).toBe(true);
    expect(state.evaluate(T0)).toEqual([]);
    expect(state.isHealthy('ep')).toBe(true);
    expect(state.snapshot(T0)[0].reason).toMatch(/a new health check starts healthy/);
  });

  it('ignores stale reports: 4 stale unhealthy and 1 fresh healthy is healthy', () => {
    const state = new HealthState([healthCheck('ep')]);
    for (let i = 0; i < 4; i++) state.report('ep', report(`old-${i}`, false, T0));
    state.report('ep', report('new', true, T0 + 60_000));
    state.evaluate(T0 + F + 1);
    expect(state.isHealthy('ep')).toBe(true);
    const [snap] = state.snapshot(T0 + F + 1);
    expect([snap.freshCount, snap.healthyCount]).toEqual([1, 1]);
  });

  it('ignores stale reports: 4 stale healthy and 1 fresh unhealthy is unhealthy', () => {
    const state = new HealthState([healthCheck('ep')]);
    for (let i = 0; i < 4; i++) state.report('ep', report(`old-${i}`, true, T0));
    state.report('ep', report('new', false, T0 + 60_000));
    state.evaluate(T0 + F + 1);
    expect(state.isHealthy('ep')).toBe(false);
  });

  it.each([
    [F, true],
    [F + 1, false],
    [-5_000, true], // dated after now: trusted (the server rejects future reports)
  ])('a report %i ms old is fresh=%s', (age, fresh) => {
    const state = new HealthState([healthCheck('ep')]);
    state.report('ep', report('a', false, T0));
    state.evaluate(T0 + age);
    expect(state.snapshot(T0 + age)[0].reports[0]).toMatchObject({ ageMs: age, fresh });
    expect(state.isHealthy('ep')).toBe(!fresh); // a stale-only check keeps its starting verdict
  });

  it('honours a configured freshness window', () => {
    const state = new HealthState([healthCheck('ep')], { freshnessMs: 1_000 });
    state.report('ep', report('a', false, T0));
    state.evaluate(T0 + 1_001);
    expect(state.isHealthy('ep')).toBe(true);
  });

  it.each([true, false])('keeps the last verdict (%s) when no report is fresh', (healthy) => {
    const state = new HealthState([healthCheck('ep')]);
    state.report('ep', report('a', healthy, T0));
    state.report('ep', report('b', healthy, T0));
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(healthy);
    expect(state.evaluate(T0 + 10 * F)).toEqual([]);
    expect(state.isHealthy('ep')).toBe(healthy);
    const [snap] = state.snapshot(T0 + 10 * F);
    expect(snap.freshCount).toBe(0);
    expect(snap.reason).toMatch(/keeping the last verdict/);
    expect(snap.reports.every((r) => !r.fresh)).toBe(true);
  });

  it('recovers when fresh healthy reports come back after a silent period', () => {
    const state = new HealthState([healthCheck('ep')]);
    state.report('ep', report('a', false, T0));
    state.evaluate(T0);
    state.evaluate(T0 + 5 * F);
    expect(state.isHealthy('ep')).toBe(false);
    state.report('ep', report('a', true, T0 + 5 * F));
    expect(state.evaluate(T0 + 5 * F)).toEqual([expect.objectContaining({ healthCheckId: 'ep', healthy: true, at: T0 + 5 * F })]);
  });
});

describe('reports out of order', () => {
  it('ignores a report older than the stored one', () => {
    const state = new HealthState([healthCheck('ep')]);
    state.report('ep', report('a', false, T0 + 2_000));
    state.report('ep', report('a', true, T0 + 1_000));
    state.evaluate(T0 + 2_000);
    expect(state.isHealthy('ep')).toBe(false);
    expect(state.snapshot(T0 + 2_000)[0].reports).toEqual([expect.objectContaining({ checkerId: 'a', healthy: false, observedAt: T0 + 2_000 })]);
  });

  it('replaces a report dated exactly like the stored one', () => {
    const state = new HealthState([healthCheck('ep')]);
    state.report('ep', report('a', false, T0));
    state.report('ep', report('a', true, T0));
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(true);
  });

  it('gives the same verdicts whatever order the reports of many checkers arrive in', () => {
    const reports = [
      report('a', true, T0 + 1), report('a', false, T0 + 5), report('b', false, T0 + 2), report('b', false, T0 + 9),
      report('c', true, T0 + 3), report('c', false, T0 + 4), report('d', false, T0 + 7), report('e', false, T0 + 8),
    ];
    const mixed = [3, 0, 5, 1, 7, 2, 6, 4].map((i) => reports[i]);
    const verdicts = [reports, [...reports].reverse(), mixed].map((order) => {
      const state = new HealthState([healthCheck('ep')]);
      for (const r of order) state.report('ep', r);
      state.evaluate(T0 + 10);
      return state.snapshot(T0 + 10)[0];
    });
    expect(verdicts.map((s) => [s.healthy, s.freshCount, s.healthyCount])).toEqual([[false, 5, 0], [false, 5, 0], [false, 5, 0]]);
  });

  it('stores a copy, so changing the caller\'s object changes nothing', () => {
    const state = new HealthState([healthCheck('ep')]);
    const r = { checkerId: 'a', region: 'x', healthy: false, observedAt: T0 };
    state.report('ep', r);
    r.healthy = true;
    state.evaluate(T0);
    expect(state.isHealthy('ep')).toBe(false);
  });
});

describe('which reports are accepted', () => {
  const checks = [healthCheck('ep'), healthCheck('tcp', { type: 'TCP', port: 22 }), calculated('calc', ['ep'], 1), healthCheck('cw', { type: 'CLOUDWATCH_METRIC', ipAddress: undefined })];

  it.each([['ep', true], ['tcp', true], ['calc', false], ['cw', false], ['unknown', false]])('acceptsReports(%s) is %s', (id, accepted) => {
    const state = new HealthState(checks);
    expect(state.acceptsReports(id)).toBe(accepted);
  });

  it('ignores reports for checks that take none', () => {
    const state = new HealthState(checks);
    for (const id of ['calc', 'cw', 'unknown']) state.report(id, report('a', false, T0));
    state.evaluate(T0);
    expect(['calc', 'cw', 'unknown'].map((id) => state.isHealthy(id))).toEqual([true, true, true]);
    expect(state.snapshot(T0).find((s) => s.healthCheckId === 'cw')!.reports).toEqual([]);
  });

  it.each([
    [{ checkerId: '', region: 'r', healthy: true, observedAt: T0 }, /has no checkerId/],
    [{ checkerId: 'a', region: 'r', healthy: true, observedAt: NaN }, /observedAt NaN/],
    [{ checkerId: 'a', region: 'r', healthy: true, observedAt: '2024' as unknown as number }, /observedAt 2024/],
  ])('fails on a malformed report %#', (r, message) => {
    const state = new HealthState(checks);
    expect(() => state.report('ep', r)).toThrow(message);
  });

  it('fails on evaluate without a finite time', () => {
    expect(() => new HealthState(checks).evaluate(NaN)).toThrow(/evaluate\(now\) needs ms since epoch/);
  });
});

describe('calculated checks (ROUTE53.md §1)', () => {
  /** Children a, b, c; `down` of them unhealthy. */
  function calc(threshold: number | undefined, down: string[], extra: Partial<HealthCheckConfigModel> = {}) {
    const state = new HealthState([calculated('calc', ['a', 'b', 'c'], threshold, extra), healthCheck('a'), healthCheck('b'), healthCheck('c')]);
    for (const id of down) state.override(id, false);
    state.evaluate(T0);
    return state;
  }

  it.each([
    // threshold, unhealthy children, verdict
    [0, ['a', 'b', 'c'], true], // 0 means always healthy
    [0, [], true],
    [1, ['a', 'b'], true],
    [1, ['a', 'b', 'c'], false],
    [2, ['a'], true],
    [2, ['a', 'b'], false],
    [3, [], true], // n of n
    [3, ['c'], false],
    [4, [], false], // more than the children: always unhealthy
    [256, [], false],
    // A missing threshold means every child (facts.ts healthThresholdOf, the one meaning everywhere).
    [undefined, [], true, 3],
    [undefined, ['c'], false, 3],
    [undefined, ['a', 'b', 'c'], false, 3],
  ])('healthThreshold %s with %j down: healthy=%s', (threshold, down, expected, applied = threshold) => {
    const state = calc(threshold, down);
    expect(state.isHealthy('calc')).toBe(expected);
    const snap = state.snapshot(T0).find((s) => s.healthCheckId === 'calc')!;
    expect(snap.healthThreshold).toBe(applied);
    expect(snap.children!.filter((ch) => ch.healthy).length).toBe(3 - down.length);
  });

  it('counts external children (not in the model) as healthy', () => {
    const state = new HealthState([calculated('calc', ['a', 'ext-123'], 2), healthCheck('a')]);
    state.evaluate(T0);
    expect(state.isHealthy('calc')).toBe(true);
    expect(state.snapshot(T0)[0].children).toEqual([
      { healthCheckId: 'a', inModel: true, healthy: true },
      { healthCheckId: 'ext-123', inModel: false, healthy: true },
    ]);
    state.override('ext-123', false);
    state.evaluate(T0);
    expect(state.isHealthy('calc')).toBe(false);
  });

  it('evaluates children first, even when the parent is listed before them', () => {
    const state = new HealthState([calculated('calc', ['a', 'b'], 2), healthCheck('a'), healthCheck('b')]);
    state.report('a', report('x', false, T0));
    const changes = state.evaluate(T0);
    expect(changes.map((c) => [c.healthCheckId, c.healthy])).toEqual([['calc', false], ['a', false]]);
    expect(state.isHealthy('calc')).toBe(false);
  });

  it('counts a child with its final (inverted) verdict', () => {
    const state = new HealthState([healthCheck('a', { inverted: true }), healthCheck('b'), calculated('calc', ['a', 'b'], 2)]);
    state.evaluate(T0);
    expect(state.isHealthy('a')).toBe(false);
    expect(state.isHealthy('calc')).toBe(false);
  });

  it('counts a child listed twice once', () => {
    const state = new HealthState([healthCheck('a'), calculated('calc', ['a', 'a'], 2)]);
    state.evaluate(T0);
    expect(state.isHealthy('calc')).toBe(false);
  });

  it('survives a cycle of calculated checks in an unvalidated model', () => {
    const state = new HealthState([calculated('x', ['y'], 1), calculated('y', ['x'], 1)]);
    expect(state.evaluate(T0)).toEqual([]);
    expect([state.isHealthy('x'), state.isHealthy('y')]).toEqual([true, true]);
  });
});

describe('inverted and disabled (ROUTE53.md §1)', () => {
  const endpoint = (extra: Partial<HealthCheckConfigModel>) => healthCheck('hc', extra);
  const cloudwatch = (extra: Partial<HealthCheckConfigModel>) =>
    healthCheck('hc', { type: 'CLOUDWATCH_METRIC', ipAddress: undefined, alarmIdentifier: { name: 'x', region: 'us-east-1' }, insufficientDataHealthStatus: 'Healthy', ...extra });
  const calc = (extra: Partial<HealthCheckConfigModel>) => calculated('hc', ['child'], 1, extra);

  it.each([
    // kind, measured, disabled, inverted, verdict
    ['endpoint', true, false, false, true],
    ['endpoint', false, false, false, false],
    ['endpoint', true, false, true, false],
    ['endpoint', false, false, true, true],
    ['endpoint', true, true, false, true],
    ['endpoint', false, true, false, true], // disabled: always healthy
    ['endpoint', true, true, true, false], // disabled + inverted: always unhealthy
    ['endpoint', false, true, true, false],
    ['calculated', true, false, true, false],
    ['calculated', false, false, true, true],
    ['calculated', false, true, false, true],
    ['calculated', true, true, true, false],
    ['cloudwatch', true, false, false, true],
    ['cloudwatch', true, false, true, false],
    ['cloudwatch', false, false, false, false], // overridden to unhealthy (alarm)
    ['cloudwatch', true, true, true, false],
  ])('%s measured %s, disabled %s, inverted %s: healthy=%s', (kind, measured, disabled, inverted, expected) => {
    const extra = { disabled, inverted };
    const checks = kind === 'endpoint' ? [endpoint(extra)] : kind === 'cloudwatch' ? [cloudwatch(extra)] : [calc(extra), healthCheck('child')];
    const state = new HealthState(checks);
    if (kind === 'endpoint') state.report('hc', report('a', measured, T0));
    if (kind === 'cloudwatch' && !measured) state.override('hc', false);
    if (kind === 'calculated' && !measured) state.report('child', report('a', false, T0));
    state.evaluate(T0);
    expect(state.isHealthy('hc')).toBe(expected);
  });

  it('applies inversion from the start: a new inverted check starts unhealthy', () => {
    const state = new HealthState([healthCheck('hc', { inverted: true })]);
    expect(state.isHealthy('hc')).toBe(false);
  });

  it('treats a CloudWatch or routing-control check as healthy while nothing overrides it', () => {
    const state = new HealthState([
      healthCheck('cw', { type: 'CLOUDWATCH_METRIC', ipAddress: undefined, insufficientDataHealthStatus: 'Unhealthy' }),
      healthCheck('arc', { type: 'RECOVERY_CONTROL', ipAddress: undefined, routingControlArn: 'arn:x' }),
    ]);
    state.evaluate(T0);
    expect([state.isHealthy('cw'), state.isHealthy('arc')]).toEqual([true, true]);
    expect(state.snapshot(T0)[0].reason).toMatch(/CLOUDWATCH_METRIC: no checker observes this check here/);
  });

  it('explains disabled + inverted in the reason', () => {
    const state = new HealthState([healthCheck('hc', { disabled: true, inverted: true })]);
    state.evaluate(T0);
    expect(state.snapshot(T0)[0].reason).toMatch(/^inverted to unhealthy: disabled, so healthy before inversion/);
  });
});

describe('override', () => {
  function healthyEndpoint(extra: Partial<HealthCheckConfigModel> = {}) {
    const state = new HealthState([healthCheck('ep', extra)]);
    state.report('ep', report('a', true, T0));
    state.evaluate(T0);
    return state;
  }

  it('takes effect at the next evaluate and reports the change', () => {
    const state = healthyEndpoint();
    state.override('ep', false);
    expect(state.isHealthy('ep')).toBe(true);
    const changes = state.evaluate(T0 + 1);
    expect(changes).toEqual([{ healthCheckId: 'ep', healthy: false, at: T0 + 1, reason: expect.stringMatching(/^overridden to unhealthy \(measured: 1 of 1 fresh checker reports healthy/) }]);
    expect(state.isHealthy('ep')).toBe(false);
    expect(state.snapshot(T0 + 1)[0]).toMatchObject({ override: false, measured: true, healthy: false, since: T0 + 1 });
  });

  it('is cleared with undefined, returning to the measured verdict', () => {
    const state = healthyEndpoint();
    state.override('ep', false);
    state.evaluate(T0 + 1);
    state.override('ep', undefined);
    expect(state.evaluate(T0 + 2)).toEqual([expect.objectContaining({ healthCheckId: 'ep', healthy: true })]);
    expect(state.snapshot(T0 + 2)[0].override).toBeUndefined();
  });

  it('replaces the measurement, so inversion still applies', () => {
    const state = healthyEndpoint({ inverted: true });
    expect(state.isHealthy('ep')).toBe(false);
    state.override('ep', false);
    state.evaluate(T0 + 1);
    expect(state.isHealthy('ep')).toBe(true);
  });

  it('does not beat disabled', () => {
    const state = healthyEndpoint({ disabled: true });
    state.override('ep', false);
    state.evaluate(T0 + 1);
    expect(state.isHealthy('ep')).toBe(true);
  });

  it('can force an external id down and back up', () => {
    const state = new HealthState([]);
    state.override('ext-1', false);
    expect(state.evaluate(T0)).toEqual([{ healthCheckId: 'ext-1', healthy: false, at: T0, reason: expect.stringMatching(/external health check/) }]);
    expect(state.isHealthy('ext-1')).toBe(false);
    state.override('ext-1', undefined);
    expect(state.evaluate(T0 + 1)).toEqual([expect.objectContaining({ healthCheckId: 'ext-1', healthy: true })]);
    expect(state.isHealthy('ext-1')).toBe(true);
    expect(state.evaluate(T0 + 2)).toEqual([]);
  });
});

describe('evaluate, isHealthy, snapshot', () => {
  it('returns only the checks whose verdict changed, and bumps the generation then', () => {
    const state = new HealthState([healthCheck('a'), healthCheck('b')]);
    expect(state.generation).toBe(0);
    state.report('b', report('x', false, T0));
    expect(state.evaluate(T0).map((c) => c.healthCheckId)).toEqual(['b']);
    expect(state.generation).toBe(1);
    expect(state.evaluate(T0 + 1)).toEqual([]);
    expect(state.generation).toBe(1);
    expect(state.evaluatedAt).toBe(T0 + 1);
  });

  it('counts undefined and unknown ids as healthy', () => {
    const state = new HealthState([healthCheck('a', { inverted: true })]);
    expect(state.isHealthy(undefined)).toBe(true);
    expect(state.isHealthy('not-here')).toBe(true);
    expect(state.isHealthy('a')).toBe(false);
  });

  it('works unbound', () => {
    const state = new HealthState([healthCheck('a', { inverted: true })]);
    const { isHealthy } = state;
    expect(['a', 'b', undefined].map(isHealthy)).toEqual([false, true, true]);
  });

  it('snapshots each check with its reports, counts, verdict and since', () => {
    const state = new HealthState([{ ...healthCheck('ep'), name: 'emdr-a' }, calculated('calc', ['ep'], 1)]);
    state.report('ep', report('z-checker', false, T0, 'eu-west-1'));
    state.report('ep', report('a-checker', false, T0 + 30_000, 'us-east-1'));
    state.evaluate(T0 + 30_000);
    const snaps = state.snapshot(T0 + 100_000);
    expect(snaps).toEqual([
      {
        healthCheckId: 'ep',
        name: 'emdr-a',
        type: 'HTTP',
        kind: 'endpoint',
        inverted: false,
        disabled: false,
        reports: [
          { checkerId: 'a-checker', region: 'us-east-1', healthy: false, observedAt: T0 + 30_000, ageMs: 70_000, fresh: true },
          { checkerId: 'z-checker', region: 'eu-west-1', healthy: false, observedAt: T0, ageMs: 100_000, fresh: false },
        ],
        freshCount: 1,
        healthyCount: 0,
        measured: false,
        healthy: false,
        since: T0 + 30_000,
        reason: '0 of 2 fresh checker reports healthy (0 % <= 18 %)',
      },
      {
        healthCheckId: 'calc',
        type: 'CALCULATED',
        kind: 'calculated',
        inverted: false,
        disabled: false,
        reports: [],
        freshCount: 0,
        healthyCount: 0,
        measured: true,
        children: [{ healthCheckId: 'ep', inModel: true, healthy: false }],
        healthThreshold: 1,
        healthy: false,
        since: T0 + 30_000,
        reason: '0 of 1 child checks healthy, healthThreshold 1',
      },
    ]);
  });
});

describe('HealthState.reloaded', () => {
  it('keeps reports, measured verdicts, overrides and since for checks that stay', () => {
    const old = new HealthState([healthCheck('a'), healthCheck('b'), healthCheck('gone')]);
    old.report('a', report('x', false, T0));
    old.override('ext', false);
    old.evaluate(T0);
    const next = HealthState.reloaded(old, [healthCheck('a'), healthCheck('b', { inverted: true }), healthCheck('new')]);
    expect(['a', 'b', 'new', 'ext', 'gone'].map((id) => next.isHealthy(id))).toEqual([false, false, true, false, true]);
    const [a, b] = next.snapshot(T0 + 1);
    expect(a).toMatchObject({ healthy: false, since: T0, freshCount: 1, reports: [expect.objectContaining({ checkerId: 'x' })] });
    expect(b.since).toBeUndefined();
    expect(next.evaluate(T0 + 1)).toEqual([]);
  });

  it('starts fresh for a check whose type changed', () => {
    const old = new HealthState([healthCheck('a')]);
    old.report('a', report('x', false, T0));
    old.evaluate(T0);
    const next = HealthState.reloaded(old, [healthCheck('a', { type: 'TCP', port: 443 })]);
    expect(next.isHealthy('a')).toBe(true);
    expect(next.snapshot(T0)[0].reports).toEqual([]);
  });
});
