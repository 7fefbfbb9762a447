/**
 * `verify --drill`: the reference DNS server, real checkers and stand-in endpoints on loopback, time
 * compressed; the measured times (real DNS queries through Node's resolver, or for routing trees our
 * own queries carrying the EDNS Client Subnet option) must fall within the windows the timing model
 * predicts for the scaled settings, and the answers after each event must be the engine's. The drills
 * run in this one file, one after the other (they measure time).
 */
import * as fs from 'fs';
import * as path from 'path';
import { sourceOf, synthCdkEmdr, tmpDir, writeBundleDir } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { GeoIpDatabase } from '../../lib/bundle/geoip';
import { runCli } from '../../lib/cli/run';
import { COUNTRY_CONTINENT, FailoverModel } from '../../lib/model';
import { bundleSource, DrillReport, DrillStep, drillPlan, formatDrill, readArtifacts, runDrill, verdicts, withinWindow } from '../../lib/verify';

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

/**
 * Routing trees, as a bundle: a latency gateway over eu-west-1 (an alias to a weighted pair) and
 * us-east-1 (one endpoint), a geolocation gateway sending Europe to the pair and everyone else to a
 * static address, and an IP-based gateway for an office's block. Each tree gateway is watched from one
 * client subnet per client area, its queries carrying the subnet in EDNS Client Subnet.
 */
function treeBundle() {
  const check = (id: string, ip: string) => ({ id, config: { type: 'HTTP', ipAddress: ip, port: 80, resourcePath: '/status', requestInterval: 30, failureThreshold: 3 } });
  const a = (name: string, setIdentifier: string, value: string, extra: object) => ({ name, recordType: 'A', ttl: 60, values: [value], setIdentifier, ...extra });
  const alias = (name: string, setIdentifier: string, target: string, extra: object) => ({
    name, recordType: 'A', values: [], setIdentifier, aliasTarget: { dnsName: target, hostedZoneName: 'example.com', evaluateTargetHealth: true }, ...extra,
  });
  return {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [check('eu-a', '203.0.113.10'), check('eu-b', '203.0.113.20'), check('us', '198.51.100.10'), check('hq', '192.0.2.50')],
    recordSets: [
      a('eu.live.example.com', 'eu-a', '203.0.113.10', { weight: 50, healthCheckId: 'eu-a' }),
      a('eu.live.example.com', 'eu-b', '203.0.113.20', { weight: 50, healthCheckId: 'eu-b' }),
      alias('live.example.com', 'eu-west-1', 'eu.live.example.com', { region: 'eu-west-1' }),
      a('live.example.com', 'us-east-1', '198.51.100.10', { region: 'us-east-1', healthCheckId: 'us' }),
      alias('www.example.com', 'europe', 'eu.live.example.com', { geoLocation: { continentCode: 'EU' } }),
      a('www.example.com', 'everyone', '192.0.2.80', { geoLocation: { countryCode: '*' } }),
      a('office.example.com', 'hq', '192.0.2.50', { cidrRoutingConfig: { collectionId: 'offices', locationName: 'hq' }, healthCheckId: 'hq' }),
      a('office.example.com', 'rest', '192.0.2.51', { cidrRoutingConfig: { collectionId: 'offices', locationName: '*' } }),
    ],
    cidrCollections: [{ id: 'offices', name: 'offices', locations: [{ name: 'hq', cidrList: ['192.0.2.0/24'] }] }],
    verdict: { healthyFraction: 0.18, freshnessMs: 60_000 },
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
}

test('routing trees through the CLI at speed 60: every client subnet\'s answers move as the engine predicts, within the window', async () => {
  const bundle = writeBundleDir(path.join(dir, 'trees'), treeBundle());
  const out: string[] = [];
  const progress: string[] = [];
  const code = await runCli(['verify', bundle, '--drill', '--speed', '60', '--json'], { out: (l) => out.push(l), err: (l) => progress.push(l) });
  const drill: DrillReport = JSON.parse(out.join('\n')).artifacts[0].drill;
  expect(code).toBe(0);
  expect(drill.standIns.map((s) => s.member)).toEqual(['eu-a', 'eu-b', 'us-east-1', 'hq']);
  for (const s of drill.steps) expect(s.predicted).toEqual({ minMs: 1000, typicalMs: 1500, worstMs: 2000 });
  expectMeasuredWithin(drill, 750, 2250);

  // The clients: one real subnet per area, located in the embedded database as the DNS node locates it.
  const db = GeoIpDatabase.embedded();
  const countryOf = (subnet: string) => db.lookup(subnet.split('/')[0]).location?.country;
  const clients = new Map(drill.clients!.map((c) => [`${c.gateway} ${c.label}`, c]));
  expect([...clients.keys()]).toEqual([
    'live.example.com A near eu-west-1', 'live.example.com A near us-east-1',
    'www.example.com A continent EU', 'www.example.com A elsewhere',
    'office.example.com A hq (192.0.2.0/24)', 'office.example.com A elsewhere (198.51.100.0/24)',
  ]);
  expect(clients.get('live.example.com A near eu-west-1')!.regionOrder).toEqual(['eu-west-1', 'us-east-1']);
  expect(clients.get('live.example.com A near us-east-1')!.regionOrder).toEqual(['us-east-1', 'eu-west-1']);
  expect(COUNTRY_CONTINENT.get(countryOf(clients.get('www.example.com A continent EU')!.subnet)!)).toBe('EU');
  expect(COUNTRY_CONTINENT.get(countryOf(clients.get('www.example.com A elsewhere')!.subnet)!)).not.toBe('EU');
  expect(clients.get('office.example.com A hq (192.0.2.0/24)')!.subnet).toBe('192.0.2.0/24');

  /** Per step of a gateway: the client, the values the engine expects, and whether a change was measured. */
  const EU = ['203.0.113.10', '203.0.113.20'];
  const US = ['198.51.100.10'];
  const values = (s: DrillStep) => [...new Set(s.expected.answers!.flatMap((x) => x.values))].sort();
  const rows = (gateway: string) => drill.steps.filter((s) => s.gateway === gateway)
    .map((s) => [s.action, s.client?.label, values(s), s.measuredMs !== undefined]);
  // Latency: the EU client's answers move to the US region when both EU endpoints die, and back; the US
  // client's hold. Then the other way round. All down: each client's best region (last resort).
  expect(rows('live.example.com A')).toEqual([
    ['eu-west-1 down', 'near eu-west-1', US, true],
    ['eu-west-1 down', 'near us-east-1', US, false],
    ['eu-west-1 up', 'near eu-west-1', EU, true],
    ['eu-west-1 up', 'near us-east-1', US, false],
    ['us-east-1 down', 'near eu-west-1', EU, false],
    ['us-east-1 down', 'near us-east-1', EU, true],
    ['us-east-1 up', 'near eu-west-1', EU, false],
    ['us-east-1 up', 'near us-east-1', US, true],
    ['all down: eu-west-1 down', 'near eu-west-1', US, true],
    ['all down: eu-west-1 down', 'near us-east-1', US, false],
    ['all down: us-east-1 down (last one)', 'near eu-west-1', EU, true],
    ['all down: us-east-1 down (last one)', 'near us-east-1', US, false],
    ['all up', 'near eu-west-1', EU, false],
    ['all up', 'near us-east-1', US, false],
  ]);
  // Geolocation: Europe falls back to the default when its branch fails; everyone else keeps it.
  expect(rows('www.example.com A')).toEqual([
    ['europe down', 'continent EU', ['192.0.2.80'], true],
    ['europe down', 'elsewhere', ['192.0.2.80'], false],
    ['europe up', 'continent EU', EU, true],
    ['europe up', 'elsewhere', ['192.0.2.80'], false],
  ]);
  // IP-based: the office's block falls back to the default when its endpoint fails.
  expect(rows('office.example.com A')).toEqual([
    ['hq down', 'hq (192.0.2.0/24)', ['192.0.2.51'], true],
    ['hq down', 'elsewhere (198.51.100.0/24)', ['192.0.2.51'], false],
    ['hq up', 'hq (192.0.2.0/24)', ['192.0.2.50'], true],
    ['hq up', 'elsewhere (198.51.100.0/24)', ['192.0.2.51'], false],
  ]);
  // The weighted pair inside the tree is drilled as a gateway of its own, without a client.
  expect(drill.steps.filter((s) => s.gateway === 'eu.live.example.com A').map((s) => [s.action, s.client])).toHaveLength(7);
  expect(drill.steps.filter((s) => s.gateway === 'eu.live.example.com A').every((s) => s.client === undefined)).toBe(true);

  // The report names the client of each step (label and subnet) and the records the answers end at.
  const text = formatDrill(drill);
  const eu = clients.get('live.example.com A near eu-west-1')!;
  expect(text).toContainEqual(expect.stringMatching(new RegExp(`^  live\\.example\\.com A\\s+near eu-west-1 ${eu.subnet.replace(/\./g, '\\.')}\\s+eu-west-1 down\\s+us-east-1 100\\.0 %\\s+\\d\\.\\d\\d s`)));
  expect(text).toContainEqual(expect.stringMatching(/^ {4}www\.example\.com A\s+continent EU\s+\d+\.\d+\.\d+\.0\/24\s+[A-Z]{2}, continent EU, regions eu-west-1 > us-east-1$/));
  expect(progress).toContainEqual(expect.stringMatching(/^drill: live\.example\.com A: near eu-west-1 \(\d+\.\d+\.\d+\.0\/24\): eu-west-1 down: measured \d+ ms/));
  expect(progress).toContainEqual(expect.stringMatching(/^drill: office\.example\.com A: hq \(192\.0\.2\.0\/24\): hq down: measured \d+ ms/));
}, 90_000);

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
