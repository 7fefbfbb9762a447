/**
 * `verify --drill`: the reference DNS server, real checkers and stand-in endpoints on loopback, time
 * compressed; the measured times (real DNS queries through Node's resolver) must fall within the
 * windows the timing model predicts for the scaled settings, and the answers after each event must be
 * the engine's. Both drills run in this one file, one after the other (they measure time).
 */
import * as fs from 'fs';
import * as path from 'path';
import { sourceOf, synthCdkEmdr, tmpDir } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { runCli } from '../../lib/cli/run';
import { FailoverModel } from '../../lib/model';
import { bundleSource, DrillReport, drillPlan, readArtifacts, runDrill, verdicts, withinWindow } from '../../lib/verify';

let dir: string;

beforeAll(() => {
  dir = tmpDir('drill');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Every measured step lies in [low, high] (worked out by hand for the drill's settings in each test),
 * every predicted non-change held, and the drill judged each step inside its window.
 */
function expectMeasuredWithin(drill: DrillReport, low: number, high: number) {
  for (const s of drill.steps) {
    if (s.measuredMs === undefined) {
      expect(s.note).toBe('the engine predicts no change of answers; they held');
    } else {
      expect(s.measuredMs).toBeGreaterThanOrEqual(low);
      expect(s.measuredMs).toBeLessThanOrEqual(high);
    }
    expect(s.within).toBe(true);
  }
  expect(drill.passed).toBe(true);
}

describe('a step lies in its window give or take the tolerance', () => {
  const window = { minMs: 1000, typicalMs: 1500, worstMs: 2000 };
  test.each([
    [1000, true],
    [750, true], // the tolerance below the earliest time
    [749, false],
    [2250, true], // the tolerance above the worst time
    [2251, false],
    [undefined, false], // no change seen
  ])('measured %s ms in 1000-2000 ms, tolerance 250 ms: %s', (measured, expected) => {
    expect(withinWindow(measured, window, 250)).toBe(expected);
  });
});

test('EMDR from the CDK app, through the CLI at speed 60: every step within its window', async () => {
  const cdkOut = synthCdkEmdr(path.join(dir, 'cdk.out'));
  const out: string[] = [];
  const progress: string[] = [];
  const code = await runCli(['verify', cdkOut, '--drill', '--speed', '60', '--json'], { out: (l) => out.push(l), err: (l) => progress.push(l) });
  const report = JSON.parse(out.join('\n'));
  const drill: DrillReport = report.artifacts[0].drill;
  expect(code).toBe(0);
  expect(drill.speed).toBe(60);
  expect(drill.checkers).toBe(3);
  expect(drill.standIns.map((s) => s.address)).toEqual([expect.stringMatching(/^127\.0\.0\.10:\d+$/), expect.stringMatching(/^127\.0\.0\.11:\d+$/)]);
  // 30 s / 60 = 0.5 s, threshold 3: between 2 and 4 intervals; observation ticks of 50 ms give 2 x 50 + 150 ms of tolerance.
  for (const s of drill.steps) expect(s.predicted).toEqual({ minMs: 1000, typicalMs: 1500, worstMs: 2000 });
  expect(drill.toleranceMs).toBe(250);
  expect(drill.steps.map((s) => [s.action, s.expected.shares.map((x) => x.probability), s.expected.lastResort])).toEqual([
    ['gw-isp-a down', [0, 1], false],
    ['gw-isp-a up', [0.5, 0.5], false],
    ['gw-isp-b down', [1, 0], false],
    ['gw-isp-b up', [0.5, 0.5], false],
    ['all down: gw-isp-a down', [0, 1], false],
    ['all down: gw-isp-b down (last one)', [0.5, 0.5], true],
    ['all up', [0.5, 0.5], false],
  ]);
  expectMeasuredWithin(drill, 750, 2250);
  // The six changes were measured; 'all up' after the last resort changes no answer (50/50 either way).
  expect(drill.steps.filter((s) => s.measuredMs !== undefined)).toHaveLength(6);
  expect(progress.filter((l) => l.startsWith('drill: emdr.example.com A:'))).toHaveLength(7);
}, 60_000);

test('an active-passive bundle at speed 20 (10 s, threshold 2): failover, the truth table, and non-changes that hold', async () => {
  const config: BundleConfig = {
    version: 1,
    zones: [{ name: 'example.org', soa: { mname: 'ns1.example.org', rname: 'hostmaster.example.org', serial: 1 }, nameServers: ['ns1.example.org'] }],
    healthChecks: [
      { id: 'main', config: { type: 'HTTPS_STR_MATCH', ipAddress: '203.0.113.40', port: 443, resourcePath: '/healthz', searchString: 'ready', requestInterval: 10, failureThreshold: 2, enableSni: true, fullyQualifiedDomainName: 'www.example.org' } },
      { id: 'sorry', config: { type: 'TCP', ipAddress: '203.0.113.41', port: 443, requestInterval: 10, failureThreshold: 2 } },
    ],
    recordSets: [
      { name: 'www.example.org', recordType: 'A', ttl: 30, values: ['203.0.113.40'], setIdentifier: 'main', failover: 'PRIMARY', healthCheckId: 'main' },
      { name: 'www.example.org', recordType: 'A', ttl: 30, values: ['203.0.113.41'], setIdentifier: 'sorry', failover: 'SECONDARY', healthCheckId: 'sorry' },
    ],
    checkers: [{ id: 'a', region: 'a' }, { id: 'b', region: 'b' }, { id: 'c', region: 'c' }, { id: 'd', region: 'd' }, { id: 'e', region: 'e' }],
    dnsNodes: [{ id: 'n', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const source = bundleSource(config, 'config.json');
  // The drill probes stand-ins, never the real addresses.
  const plan = drillPlan(source, 20, 5);
  expect(plan.config.healthChecks.map((h) => [h.id, h.config.type, h.config.ipAddress, h.config.requestInterval, h.config.connectTimeout])).toEqual([
    ['main', 'HTTP_STR_MATCH', '127.0.0.10', 0.5, 0.2],
    ['sorry', 'TCP', '127.0.0.11', 0.5, 0.5],
  ]);
  expect(plan.notes).toContain('HTTPS checks probe the stand-ins over plain HTTP (the stand-ins have no certificate)');

  const drill = await runDrill(source, { speed: 20 });
  expect(drill.checkers).toBe(5);
  // 10 s / 20 = 0.5 s, threshold 2: between 1 and 3 intervals, 250 ms of tolerance as above.
  for (const s of drill.steps) expect(s.predicted).toEqual({ minMs: 500, typicalMs: 1000, worstMs: 1500 });
  expect(drill.toleranceMs).toBe(250);
  expect(drill.steps.map((s) => [s.action, s.expected.shares.map((x) => x.probability), s.measuredMs !== undefined])).toEqual([
    ['main down', [0, 1], true],
    ['main up', [1, 0], true],
    // The secondary failing changes nothing while the primary is healthy: the engine says so, and the answers hold.
    ['sorry down', [1, 0], false],
    ['sorry up', [1, 0], false],
    ['all down: main down', [0, 1], true],
    // Both unhealthy: the primary again (ROUTE53.md §2).
    ['all down: sorry down (last one)', [1, 0], true],
    ['all up', [1, 0], false],
  ]);
  expectMeasuredWithin(drill, 250, 1750);
}, 60_000);

test('the drill of a Terraform or CloudFormation artifact needs no bundle: it plans one from the model', () => {
  const [source] = readArtifacts(synthCdkEmdr(path.join(dir, 'plan.out')));
  const plan = drillPlan(source, 30, 3);
  expect(plan.config.zones.map((z) => z.name)).toEqual(['example.com']);
  expect(plan.config.recordSets.map((r) => [r.setIdentifier, r.values, r.hostedZoneName, r.hostedZoneId])).toEqual([
    ['gw-isp-a', ['203.0.113.10'], 'example.com', undefined],
    ['gw-isp-b', ['198.51.100.20'], 'example.com', undefined],
  ]);
  const scaled = plan.config.healthChecks.map((h) => {
    const c = h.config;
    return [c.requestInterval, c.connectTimeout, c.statusTimeout, c.failureThreshold];
  });
  expect(scaled).toEqual([
    [1, 0.133, 0.1, 3],
    [1, 0.133, 0.1, 3],
  ]);
});

/**
 * A calculated check over an endpoint and a CloudWatch alarm (which the drill cannot run): the drill
 * leaves the alarm out and must keep the engine's verdicts, so its threshold drops by the alarm's
 * constant healthy verdict. Before, the drill kept the threshold and showed the member down while
 * the engine (and Route 53) kept answering it.
 */
test('a calculated check keeps the engine\'s verdicts in the drill when a child cannot run (regression)', () => {
  const model: FailoverModel = {
    healthChecks: [
      { id: 'a', config: { type: 'HTTP', ipAddress: '203.0.113.10', port: 80, resourcePath: '/', requestInterval: 30, failureThreshold: 3 } },
      { id: 'alarm', config: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'errors', region: 'us-east-1' }, insufficientDataHealthStatus: 'LastKnownStatus' } },
      { id: 'calc', config: { type: 'CALCULATED', childHealthChecks: ['a', 'alarm'], healthThreshold: 2 } },
      { id: 'b', config: { type: 'HTTP', ipAddress: '198.51.100.20', port: 80, resourcePath: '/', requestInterval: 30, failureThreshold: 3 } },
    ],
    recordSets: [
      { hostedZoneId: 'Z1', name: 'www.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.10'], setIdentifier: 'main', failover: 'PRIMARY', healthCheckId: 'calc' },
      { hostedZoneId: 'Z1', name: 'www.example.com', recordType: 'A', ttl: 60, values: ['198.51.100.20'], setIdentifier: 'backup', failover: 'SECONDARY', healthCheckId: 'b' },
    ],
  };
  const plan = drillPlan(sourceOf(model), 30, 3);
  const calc = plan.config.healthChecks.find((h) => h.id === 'calc')!;
  expect(calc.config).toEqual({ type: 'CALCULATED', childHealthChecks: ['a'], healthThreshold: 1 });
  expect(plan.config.healthChecks.map((h) => h.id)).toEqual(['a', 'calc', 'b']);
  expect(plan.notes).toContain("calculated health check 'calc' runs with 1 of its 2 children and threshold 1 (was 2): the others cannot run in the drill and keep their verdicts");
  // The primary answers while 'a' is up, and leaves when it fails: in the artifact and in the drill.
  for (const [down, healthy] of [[[], true], [['a'], false]] as const) {
    expect(verdicts(model, down).isHealthy('calc')).toBe(healthy);
    expect(verdicts(plan.model, down).isHealthy('calc')).toBe(healthy);
  }
});

test('the drill keeps what decides a calculated check\'s verdict: disabled, and a missing threshold written as every child', () => {
  const model: FailoverModel = {
    healthChecks: [
      { id: 'a', config: { type: 'TCP', ipAddress: '203.0.113.10', port: 443 } },
      { id: 'b', config: { type: 'TCP', ipAddress: '203.0.113.11', port: 443 } },
      { id: 'off', config: { type: 'CALCULATED', childHealthChecks: ['a', 'b'], healthThreshold: 2, disabled: true } },
      { id: 'all', config: { type: 'CALCULATED', childHealthChecks: ['a', 'b'] } },
    ],
    recordSets: [
      { hostedZoneName: 'example.com', name: 'x.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.10'], setIdentifier: 'one', weight: 1, healthCheckId: 'off' },
      { hostedZoneName: 'example.com', name: 'x.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.11'], setIdentifier: 'two', weight: 1, healthCheckId: 'all' },
    ],
  };
  const plan = drillPlan(sourceOf(model), 30, 3);
  const byId = new Map(plan.config.healthChecks.map((h) => [h.id, h.config]));
  expect(byId.get('off')).toEqual({ type: 'CALCULATED', childHealthChecks: ['a', 'b'], healthThreshold: 2, disabled: true });
  expect(byId.get('all')).toEqual({ type: 'CALCULATED', childHealthChecks: ['a', 'b'], healthThreshold: 2 });
  // Disabled: healthy whatever its children do; no threshold: every child must be healthy.
  expect(verdicts(plan.model, ['a', 'b']).isHealthy('off')).toBe(true);
  expect(verdicts(plan.model, ['b']).isHealthy('all')).toBe(false);
});
