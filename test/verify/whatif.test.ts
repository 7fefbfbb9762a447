/**
 * What-if tables checked against ROUTE53.md §2 ("Choosing an answer"): weighted (zero-weight tier,
 * all-zero equal, last resort without the standbys), failover (the truth table), multivalue (up to 8,
 * all answered as the last resort), members without a health check, shared and inverted checks.
 */
import { FailoverModel, HealthCheckModel, RecordSetModel } from '../../lib/model';
import { gatewaysOf, whatIf, WhatIf } from '../../lib/verify';

const check = (id: string, extra: Partial<HealthCheckModel['config']> = {}): HealthCheckModel => ({
  id,
  config: { type: 'TCP', ipAddress: '203.0.113.1', port: 443, ...extra },
});

/** A member guarded by check `hc-<name>`, by `healthCheckId`, or by none (null). */
const member = (setIdentifier: string, routing: Partial<RecordSetModel>, healthCheckId: string | null = `hc-${setIdentifier}`): RecordSetModel => ({
  hostedZoneName: 'example.com',
  name: 'www.example.com',
  recordType: 'A',
  ttl: 60,
  values: [`203.0.113.${setIdentifier.charCodeAt(0) - 96}`],
  setIdentifier,
  ...(healthCheckId !== null ? { healthCheckId } : {}),
  ...routing,
});

function table(model: FailoverModel): Record<string, number[]> {
  const [g] = gatewaysOf(model);
  const w: WhatIf = whatIf(model, g, gatewaysOf(model));
  return Object.fromEntries(w.scenarios.map((s) => [s.label + (s.lastResort ? ' (last resort)' : ''), s.shares.map((x) => Number(x.probability.toFixed(6)))]));
}

const checksFor = (records: RecordSetModel[]) => records.filter((r) => r.healthCheckId).map((r) => check(r.healthCheckId!));

describe('weighted (ROUTE53.md §2 "Weighted")', () => {
  test('probability is weight / sum of the healthy candidates\' weights', () => {
    const records = [member('a', { weight: 10 }), member('b', { weight: 30 }), member('c', { weight: 60 })];
    expect(table({ healthChecks: checksFor(records), recordSets: records })).toEqual({
      'all healthy': [0.1, 0.3, 0.6],
      'a down': [0, 0.333333, 0.666667],
      'b down': [0.142857, 0, 0.857143],
      'c down': [0.25, 0.75, 0],
      'all down (last resort)': [0.1, 0.3, 0.6],
    });
  });

  test('weight 0 is considered only when every non-zero member is unhealthy, and stays out of the last resort', () => {
    const records = [member('a', { weight: 50 }), member('b', { weight: 50 }), member('s', { weight: 0 })];
    const model = { healthChecks: checksFor(records), recordSets: records };
    expect(table(model)).toEqual({
      'all healthy': [0.5, 0.5, 0],
      'a down': [0, 1, 0],
      'b down': [1, 0, 0],
      's down': [0.5, 0.5, 0],
      'all down (last resort)': [0.5, 0.5, 0],
    });
  });

  test('every weight 0: equal probability', () => {
    const records = [member('a', { weight: 0 }), member('b', { weight: 0 })];
    expect(table({ healthChecks: checksFor(records), recordSets: records })).toEqual({
      'all healthy': [0.5, 0.5],
      'a down': [0, 1],
      'b down': [1, 0],
      'all down (last resort)': [0.5, 0.5],
    });
  });

  test('a member without a health check always counts as healthy, so "all down" is no last resort', () => {
    const records = [member('a', { weight: 50 }), member('b', { weight: 50 }, null)];
    expect(table({ healthChecks: checksFor(records), recordSets: records })).toEqual({
      'all healthy': [0.5, 0.5],
      'a down': [0, 1],
      'b down': [0.5, 0.5],
      'all down': [0, 1],
    });
  });
});

describe('failover (ROUTE53.md §2 truth table)', () => {
  test('primary while healthy; secondary when the primary is not; primary when both are unhealthy', () => {
    const records = [member('p', { failover: 'PRIMARY' }), member('s', { failover: 'SECONDARY' })];
    const model = { healthChecks: checksFor(records), recordSets: records };
    expect(table(model)).toEqual({
      'all healthy': [1, 0],
      'p down': [0, 1],
      's down': [1, 0],
      'all down (last resort)': [1, 0],
    });
    const [g] = gatewaysOf(model);
    const allDown = whatIf(model, g, gatewaysOf(model)).scenarios[3];
    expect(allDown.answers).toEqual([{ setIdentifiers: ['p'], values: ['203.0.113.16'], probability: 1 }]);
  });

  test('a secondary without a health check takes over and stays', () => {
    const records = [member('p', { failover: 'PRIMARY' }), member('s', { failover: 'SECONDARY' }, null)];
    expect(table({ healthChecks: checksFor(records), recordSets: records })).toEqual({
      'all healthy': [1, 0],
      'p down': [0, 1],
      's down': [1, 0],
      'all down': [0, 1],
    });
  });
});

describe('multivalue (ROUTE53.md §2 "Multivalue answer")', () => {
  test('all healthy members answer together; the last resort answers all of them', () => {
    const records = ['a', 'b', 'c'].map((x) => member(x, { multiValueAnswer: true }));
    const model = { healthChecks: checksFor(records), recordSets: records };
    expect(table(model)).toEqual({
      'all healthy': [1, 1, 1],
      'a down': [0, 1, 1],
      'b down': [1, 0, 1],
      'c down': [1, 1, 0],
      'all down (last resort)': [1, 1, 1],
    });
    const [g] = gatewaysOf(model);
    expect(whatIf(model, g, gatewaysOf(model)).scenarios[1].answers).toEqual([{ setIdentifiers: ['b', 'c'], values: ['203.0.113.2', '203.0.113.3'], probability: 1 }]);
  });

  test('more than 8 healthy: each one is in 8 of them of the answers', () => {
    const records = 'abcdefghij'.split('').map((x) => member(x, { multiValueAnswer: true }));
    const model = { healthChecks: checksFor(records), recordSets: records };
    const t = table(model);
    expect(t['all healthy']).toEqual(Array(10).fill(0.8));
    expect(t['a down']).toEqual([0, ...Array(9).fill(Number((8 / 9).toFixed(6)))]);
    const [g] = gatewaysOf(model);
    // C(10, 8) = 45 equally likely answers of 8 records.
    const answers = whatIf(model, g, gatewaysOf(model)).scenarios[0].answers!;
    expect(answers).toHaveLength(45);
    expect(answers.every((a) => a.setIdentifiers.length === 8 && Math.abs(a.probability - 1 / 45) < 1e-9)).toBe(true);
  });

  test('too many answers to list: the shares still come from the engine', () => {
    const records = 'abcdefghijklmnop'.split('').map((x) => member(x, { multiValueAnswer: true }));
    const model = { healthChecks: checksFor(records), recordSets: records };
    const [g] = gatewaysOf(model);
    const s = whatIf(model, g, gatewaysOf(model)).scenarios[0];
    expect(s.answers).toBeUndefined(); // C(16, 8) = 12,870 answers
    expect(s.shares.map((x) => x.probability)).toEqual(Array(16).fill(0.5));
  });
});

describe('health checks the scenarios go through', () => {
  test('members that share a health check go down together, and the scenario says so', () => {
    const records = [member('a', { weight: 1 }, 'shared'), member('b', { weight: 1 }, 'shared'), member('c', { weight: 2 })];
    const model = { healthChecks: [check('shared'), check('hc-c')], recordSets: records };
    const [g] = gatewaysOf(model);
    const s = whatIf(model, g, gatewaysOf(model)).scenarios.find((x) => x.label === 'a down')!;
    expect(s.down).toEqual(['a', 'b']);
    expect(s.note).toContain('shares its health check with b');
    expect(s.shares.map((x) => x.probability)).toEqual([0, 0, 1]);
  });

  test('an inverted check: a failed endpoint makes the member healthy', () => {
    const records = [member('a', { weight: 1 }), member('b', { weight: 1 })];
    const model = { healthChecks: [check('hc-a', { inverted: true }), check('hc-b')], recordSets: records };
    const t = table(model);
    // Inverted and nothing failing: hc-a reports unhealthy, so b answers alone.
    expect(t['all healthy']).toEqual([0, 1]);
    expect(t['a down']).toEqual([0.5, 0.5]);
  });

  test('a calculated check goes down with its member', () => {
    const records = [member('a', { weight: 1 }, 'calc'), member('b', { weight: 1 })];
    const model = {
      healthChecks: [check('child-1'), check('child-2'), { id: 'calc', config: { type: 'CALCULATED' as const, childHealthChecks: ['child-1', 'child-2'], healthThreshold: 1 } }, check('hc-b')],
      recordSets: records,
    };
    expect(table(model)['a down']).toEqual([0, 1]);
  });
});
