/**
 * Routing trees through the verifier: FailoverSimulation of the multi-region example from both Route 53
 * targets' artifacts (the documented walkthrough: the nearest region's weighted records all fail and
 * the answer moves to the next region), clients by country, continent, address and region order, and
 * `dns-failover verify --from` as a user runs it.
 *
 * The example (examples/multi-region/gateways.ts): api.example.com fails over from a latency tree
 * (eu-west-1 -> weighted eu-isp-a/eu-isp-b 50/50, us-east-1 -> weighted us-isp-a/us-isp-b 50/50) to a
 * maintenance address without a health check; www.example.com sends Europe to eu-west-1, North America
 * to us-east-1 and everyone else to the latency tree.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runCli, sourceOf, tmpDir } from './helpers';
import { multiRegionApp } from '../../examples/multi-region-cdk/app';
import { multiRegionApp as cdktfMultiRegionApp } from '../../examples/multi-region-cdktf/app';
import { FailoverSimulation, SimulatedClient, WeightedFailoverGateway } from '../../lib';
import { runCli as dispatch } from '../../lib/cli/run';
import { FailoverModel } from '../../lib/model';
import { cloudFormationSource, drillPlan, NothingToDrill, runDrill } from '../../lib/verify';
import { GATEWAY_KINDS } from '../targets/gateway-kinds';

const LIVE = 'live.api.example.com';
const EU = [{ setIdentifiers: ['eu-isp-a'], values: ['203.0.113.10'], probability: 0.5 }, { setIdentifiers: ['eu-isp-b'], values: ['203.0.113.20'], probability: 0.5 }];
const US = [{ setIdentifiers: ['us-isp-a'], values: ['198.51.100.10'], probability: 0.5 }, { setIdentifiers: ['us-isp-b'], values: ['198.51.100.20'], probability: 0.5 }];
const MAINTENANCE = [{ setIdentifiers: ['maintenance'], values: ['192.0.2.80'], probability: 1 }];
/** Drops the path (checked once below) to compare answers only. */
const answers = (xs: Array<{ setIdentifiers: string[]; values: string[]; probability: number }>) =>
  xs.map(({ setIdentifiers, values, probability }) => ({ setIdentifiers, values, probability }));

function walkthrough(sim: FailoverSimulation) {
  // (Sorted: Terraform JSON lists resources by name, CloudFormation in construct order.)
  expect(sim.gateways.map((g) => [g.recordName, g.routingPolicy, g.insideTree]).sort()).toEqual([
    ['api.example.com', 'failover', false],
    ['eu-west-1.live.api.example.com', 'weighted', true],
    [LIVE, 'latency', true],
    ['us-east-1.live.api.example.com', 'weighted', true],
    ['www.example.com', 'geolocation', false],
  ]);
  const nearEu = SimulatedClient.nearRegion('eu-west-1');
  const euFirst = SimulatedClient.withRegionOrder(['eu-west-1', 'us-east-1']);
  // All healthy: each client gets its nearest region's weighted pair.
  expect(answers(sim.answerDistribution(LIVE, 'A', nearEu))).toEqual(EU);
  expect(answers(sim.answerDistribution(LIVE, 'A', SimulatedClient.nearRegion('us-east-1')))).toEqual(US);
  expect(sim.shareOf(LIVE, 'A', 'eu-west-1', euFirst)).toBe(1);
  // One gateway of the nearest region down: the other one takes its share; the region stays.
  sim.markDown('eu-west-1.live.api.example.com', 'A', 'eu-isp-a');
  expect(answers(sim.answerDistribution(LIVE, 'A', euFirst))).toEqual([{ ...EU[1], probability: 1 }]);
  // The walkthrough: all weighted records of the nearest region fail, the answer moves to the next region.
  sim.markDown('eu-west-1.live.api.example.com', 'A', 'eu-isp-b');
  expect(answers(sim.answerDistribution(LIVE, 'A', euFirst))).toEqual(US);
  expect(sim.shareOf(LIVE, 'A', 'eu-west-1', euFirst)).toBe(0);
  expect(sim.shareOf(LIVE, 'A', 'us-east-1', euFirst)).toBe(1);
  // Through the failover root and the geolocation gateway, the same move.
  expect(answers(sim.answerDistribution('api.example.com', 'A', euFirst))).toEqual(US);
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.inCountry('DE')))).toEqual(US);
  // Every region down: the latency group answers its best region anyway (last resort), and the
  // failover root sends everyone to the maintenance address (no health check: always healthy).
  sim.markDown('us-east-1.live.api.example.com', 'A', 'us-isp-a');
  sim.markDown('us-east-1.live.api.example.com', 'A', 'us-isp-b');
  expect(answers(sim.answerDistribution(LIVE, 'A', euFirst))).toEqual(EU);
  expect(answers(sim.answerDistribution(LIVE, 'A', SimulatedClient.withRegionOrder(['us-east-1'])))).toEqual(US);
  expect(sim.answerDistribution('api.example.com', 'A', euFirst)).toEqual([{ ...MAINTENANCE[0], path: ['maintenance'] }]);
  sim.reset();

  // Marking an alias member down takes its whole branch out.
  sim.markDown('api.example.com', 'A', 'live');
  expect(answers(sim.answerDistribution('api.example.com', 'A', euFirst))).toEqual(MAINTENANCE);
  sim.markUp('api.example.com', 'A', 'live');
  const paths = sim.answerDistribution('api.example.com', 'A', euFirst).map((a) => a.path);
  expect(paths).toEqual([['live', 'eu-west-1', 'eu-isp-a'], ['live', 'eu-west-1', 'eu-isp-b']]);

  // Geolocation: by continent, by country (US-CA is in North America), and everyone else by latency.
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.inContinent('EU')))).toEqual(EU);
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.inCountry('US', 'CA')))).toEqual(US);
  // Australia: no member for Oceania, so the default location, whose latency tree orders the regions by
  // distance from Australia's people: us-east-1 (about 15,700 km from Sydney) before eu-west-1 (17,200 km).
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.inCountry('AU')))).toEqual(US);
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.withRegionOrder(['us-east-1', 'eu-west-1'])))).toEqual(US);
  // Without a client, geolocation answers its default location, and latency its first record.
  expect(answers(sim.answerDistribution('www.example.com', 'A'))).toEqual(EU);
  sim.markAllDown('www.example.com', 'A');
  // Every branch down: last resort in the geolocation group (the client's smallest area) and below.
  expect(answers(sim.answerDistribution('www.example.com', 'A', SimulatedClient.inCountry('US')))).toEqual(US);
  sim.reset();
  expect(sim.lint().map((f) => `${f.rule} ${f.resource}`)).toEqual(['group/member-without-check record set group api.example.com A']);
}

describe('FailoverSimulation of the multi-region example', () => {
  test('from the CloudFormation template', () => {
    const sim = FailoverSimulation.fromCdkStack(multiRegionApp().stack);
    expect(sim.target).toBe('cloudformation');
    walkthrough(sim);
    expect(sim.cost()!.healthChecksMonthly).toBe(3);
  });

  test('from the Terraform JSON', () => {
    const sim = FailoverSimulation.fromTerraformStack(cdktfMultiRegionApp().stack);
    expect(sim.target).toBe('terraform');
    walkthrough(sim);
  });

  test('the branch timing: a region leaves when its last check fails', () => {
    const sim = FailoverSimulation.fromCdkStack(multiRegionApp().stack);
    const live = sim.timing().filter((t) => t.recordName === LIVE);
    expect(live.map((t) => [t.endpointName, t.detectRefusing, t.clientsMoveRefusing])).toEqual([
      ['eu-west-1', { typicalSeconds: 90, worstSeconds: 120 }, { typicalSeconds: 150, worstSeconds: 180 }],
      ['us-east-1', { typicalSeconds: 90, worstSeconds: 120 }, { typicalSeconds: 150, worstSeconds: 180 }],
    ]);
    expect(live[0].note).toMatch(/leaves when all 2 of its health checks fail/);
  });
});

describe('SimulatedClient', () => {
  test('an IP-based gateway answers by the longest matching block, /24 at most', () => {
    const stack = new Stack(new App(), 'Kinds', { env: { region: 'us-east-1' } });
    GATEWAY_KINDS.find((k) => k.kind.startsWith('IP-based: its own'))!.declare(stack);
    const sim = FailoverSimulation.fromCdkStack(stack);
    const at = (address: string) => sim.answerDistribution('office.example.com', 'A', SimulatedClient.fromAddress(address)).map((a) => a.setIdentifiers[0]);
    expect(at('192.0.2.77')).toEqual(['hq']);
    expect(at('2001:db8:1:ff::1')).toEqual(['hq']);
    expect(at('198.51.100.0/24')).toEqual(['branch']);
    expect(at('203.0.113.9')).toEqual(['everyone']);
    expect(sim.answerDistribution('office.example.com', 'A').map((a) => a.setIdentifiers[0])).toEqual(['everyone']);
    sim.markDown('office.example.com', 'A', 'hq');
    expect(at('192.0.2.77')).toEqual(['everyone']);
  });

  test('an AWS resource behind an alias with EvaluateTargetHealth can be marked down', () => {
    const stack = new Stack(new App(), 'Kinds', { env: { region: 'us-east-1' } });
    GATEWAY_KINDS.find((k) => k.kind.startsWith('geolocation'))!.declare(stack);
    const sim = FailoverSimulation.fromCdkStack(stack);
    const inBrazil = SimulatedClient.inCountry('BR');
    // The load balancer's addresses are AWS's: the answer names the member, with no values of its own.
    expect(sim.answerDistribution('geo.example.org', 'A', inBrazil)).toEqual([{ setIdentifiers: ['rest'], values: [], probability: 1 }]);
    sim.markDown('geo.example.org', 'A', 'rest');
    // The default location is the only one that holds Brazil: last resort, it answers anyway.
    expect(sim.shareOf('geo.example.org', 'A', 'rest', inBrazil)).toBe(1);
    // France widens to Europe (no member for France): europe answers; Germany has its own member.
    expect(sim.answerDistribution('geo.example.org', 'A', SimulatedClient.inCountry('FR')).map((a) => a.setIdentifiers)).toEqual([['europe']]);
    sim.markDown('geo.example.org', 'A', 'germany');
    expect(sim.answerDistribution('geo.example.org', 'A', SimulatedClient.inCountry('DE')).map((a) => a.setIdentifiers)).toEqual([['europe']]);
  });

  test.each<[string, () => SimulatedClient, RegExp]>([
    ['a country Route 53 does not list', () => SimulatedClient.inCountry('ZZ'), /'ZZ' is not a country code Route 53 knows/],
    ['a subdivision of a country without them', () => SimulatedClient.inCountry('DE', 'BY'), /'BY' is not a subdivision of DE Route 53 knows/],
    ['an unknown continent', () => SimulatedClient.inContinent('XX'), /'XX' is not a Route 53 continent code; use one of AF, AN, AS, EU, NA, OC, SA/],
    ['an unknown region', () => SimulatedClient.nearRegion('mars-north-1'), /'mars-north-1' is not a latency region/],
    ['a region named twice', () => SimulatedClient.withRegionOrder(['eu-west-1', 'eu-west-1']), /region 'eu-west-1' is named twice/],
    ['no address', () => SimulatedClient.fromAddress('example.com'), /example.com/],
  ])('%s is refused, naming the value', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('the drill and routing trees', () => {
  test('tree gateways are drilled: stand-ins for the endpoints below, and an alias fails with every stand-in below it', () => {
    const { stack } = multiRegionApp();
    new WeightedFailoverGateway(stack, 'Emdr', {
      zone: stack.gateways.api.zone,
      recordName: 'emdr',
      endpoints: [{ name: 'gw-isp-a', ipAddress: '203.0.113.10' }, { name: 'gw-isp-b', ipAddress: '198.51.100.20' }],
    });
    const plan = drillPlan(cloudFormationSource(Template.fromStack(stack).toJSON(), 't.json', 'MultiRegionStack'), 30, 3);
    expect(plan.standIns.map((s) => s.member)).toEqual(['eu-isp-a', 'eu-isp-b', 'us-isp-a', 'us-isp-b', 'gw-isp-a', 'gw-isp-b']);
    const members = (key: string) => plan.gateways.get(key)!.map((m) => [m.member, m.standIns]);
    expect(members('live.api.example.com A')).toEqual([['eu-west-1', [0, 1]], ['us-east-1', [2, 3]]]);
    // The maintenance address has no health check: nothing to fail.
    expect(members('api.example.com A')).toEqual([['live', [0, 1, 2, 3]]]);
    expect(members('www.example.com A')).toEqual([['europe', [0, 1]], ['north-america', [2, 3]], ['everyone', [0, 1, 2, 3]]]);
    expect(members('emdr.example.com A')).toEqual([['gw-isp-a', [4]], ['gw-isp-b', [5]]]);
    // Every name in the one zone the records name by id, each alias into it by name.
    expect(plan.config.zones.map((z) => z.name)).toEqual(['example.com']);
    expect(plan.config.recordSets.filter((r) => r.aliasTarget).map((r) => r.aliasTarget!.hostedZoneName)).toEqual(Array(6).fill('example.com'));
    expect(plan.notes.filter((n) => n.includes('not drilled'))).toEqual([]);
  });

  test('an alias to an AWS resource cannot be served by the drill\'s node: its gateway and those above are left out, with notes', () => {
    const check = (id: string, ip: string) => ({ id, config: { type: 'HTTP' as const, ipAddress: ip, port: 80, resourcePath: '/' } });
    const model: FailoverModel = {
      healthChecks: [check('eu', '203.0.113.10'), check('us', '198.51.100.10')],
      recordSets: [
        { hostedZoneId: 'Z1', name: 'live.example.com', recordType: 'A', values: [], setIdentifier: 'eu-west-1', region: 'eu-west-1', aliasTarget: { dnsName: 'd111111abcdef8.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2', evaluateTargetHealth: false } },
        { hostedZoneId: 'Z1', name: 'live.example.com', recordType: 'A', ttl: 60, values: ['198.51.100.10'], setIdentifier: 'us-east-1', region: 'us-east-1', healthCheckId: 'us' },
        { hostedZoneId: 'Z1', name: 'api.example.com', recordType: 'A', values: [], setIdentifier: 'live', failover: 'PRIMARY', aliasTarget: { dnsName: 'live.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
        { hostedZoneId: 'Z1', name: 'api.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.10'], setIdentifier: 'static', failover: 'SECONDARY', healthCheckId: 'eu' },
      ],
    };
    const thrown = (() => {
      try {
        drillPlan(sourceOf(model), 30, 3);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(NothingToDrill);
    expect((thrown as NothingToDrill).notes).toEqual([
      "live.example.com A: its alias to the AWS resource d111111abcdef8.cloudfront.net (eu-west-1) cannot be served by the drill's DNS node; not drilled",
      'api.example.com A: its member live is an alias to live.example.com A, which is not drilled; not drilled',
    ]);
  });

  test('an artifact with nothing the drill can fail: nothing to drill, and the drill passes without starting anything', async () => {
    // The multi-region tree without its health checks: every branch stays healthy whatever happens.
    const template = Template.fromStack(multiRegionApp().stack).toJSON();
    for (const [id, r] of Object.entries(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)) {
      if (r.Type === 'AWS::Route53::HealthCheck') delete template.Resources[id];
      else delete r.Properties.HealthCheckId;
    }
    const source = cloudFormationSource(template, 't.json', 'MultiRegionStack');
    expect(() => drillPlan(source, 30, 3)).toThrow(NothingToDrill);
    const report = await runDrill(source);
    expect(report).toEqual(expect.objectContaining({ passed: true, steps: [], standIns: [] }));
    expect(report.notes.slice(-2)).toEqual(['no member of a gateway has an endpoint health check the drill can fail', 'nothing to drill']);
  });
});

describe('dns-failover verify --from', () => {
  let cdkOut: string;
  beforeAll(() => {
    cdkOut = path.join(tmpDir('trees'), 'cdk.out');
    multiRegionApp(cdkOut).app.synth();
  });

  test('a what-if table per client, the tree drawn, and the query prices (spawned, as a user runs it)', async () => {
    const r = await runCli(['verify', cdkOut, '--from', 'DE, US-CA,order:us-east-1>eu-west-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const api = r.stdout.slice(r.stdout.indexOf('Gateway api.example.com A'), r.stdout.indexOf('Gateway www.example.com A'));
    expect(api).toContain('    |- live  -> live.api.example.com A  latency\n    |  |- eu-west-1  region eu-west-1  -> eu-west-1.live.api.example.com A  weighted\n');
    const row = (label: string) => api.split('\n').find((l) => l.trimStart().startsWith(`${label}  `))!.trim().split(/\s{2,}/);
    expect(row('scenario')).toEqual(['scenario', 'DE', 'US-CA', 'latency us-east-1 > eu-west-1']);
    expect(row('all healthy')).toEqual(['all healthy', 'eu-isp-a 50.0 %, eu-isp-b 50.0 %', 'us-isp-a 50.0 %, us-isp-b 50.0 %', 'us-isp-a 50.0 %, us-isp-b 50.0 %']);
    expect(row('live down')).toEqual(['live down', 'maintenance', 'maintenance', 'maintenance']);
    expect(row('us-isp-a down')).toEqual(['us-isp-a down', 'eu-isp-a 50.0 %, eu-isp-b 50.0 %', 'us-isp-b', 'us-isp-b']);
    expect(r.stdout).toMatch(/www\.example\.com A\s+geolocation\s+\$0\.70/);
    // The roots first, then the branches.
    expect(r.stdout.indexOf('Gateway api.example.com A')).toBeLessThan(r.stdout.indexOf('Gateway live.api.example.com A'));
  });

  test('--json: the scenarios per client', async () => {
    const out: string[] = [];
    const code = await dispatch(['verify', cdkOut, '--json', '--from', 'JP,continent:EU'], { out: (l) => out.push(l), err: () => undefined });
    expect(code).toBe(0);
    const www = JSON.parse(out.join('\n')).artifacts[0].gateways.find((g: any) => g.name === 'www.example.com');
    expect(www.root).toBe(true);
    expect(www.whatIf.clients.map((c: any) => c.client)).toEqual(['JP', 'continent EU']);
    const allHealthy = www.whatIf.clients[1].scenarios[0];
    expect(allHealthy.answers.map((a: any) => a.path)).toEqual([['europe', 'eu-isp-a'], ['europe', 'eu-isp-b']]);
  });

  test.each([
    ['ZZ', /--from: 'ZZ' is not a country code Route 53 knows/],
    ['DE,nowhere.example', /--from: 'nowhere.example' names no client; give a country \(DE\)/],
    ['order:eu-west-1>moon-1', /--from: 'moon-1' is not a latency region/],
  ])('--from %s is a usage error (exit 2) naming the value', async (from, message) => {
    const err: string[] = [];
    const code = await dispatch(['verify', cdkOut, '--from', from], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
});
