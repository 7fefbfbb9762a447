/**
 * Golden reports of the EMDR example from each of the three targets: the CDK app (cdk.out), the cdktf
 * app (cdktf.out), and the self-hosted example (examples/emdr-self-hosted, a SelfHostedStack
 * synthesized into a bundle directory), plus a bundle config written by hand in the version 1 format.
 *
 * The targets must agree: same members and what-if everywhere; same timing for the CloudFormation,
 * Terraform and hand-written bundle artifacts (30 s, threshold 3, Route 53's timeouts, TTL 60 s). The
 * self-hosted example, built with the same interval, threshold and TTL, agrees on the refusing and
 * recovery times; its own 0.5 s probe timeouts (which the self-hosted target honours) make a hanging
 * endpoint leave sooner. Cost only for the two Route 53 ones: $1.50 a month for the two checks.
 *
 * The golden files live in test/verify/golden/; after an intended change of the report, regenerate
 * them with `UPDATE_GOLDEN=1 npx jest test/verify/emdr.test.ts` and review the diff.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { emdrBundle, synthCdkEmdr, synthCdktfEmdr, tmpDir, writeBundleDir } from './helpers';
import { emdrSelfHostedApp } from '../../examples/emdr-self-hosted/emdr';
import { formatReport, verifyReport, VerifyReport } from '../../lib/verify';

const GOLDEN = path.join(__dirname, 'golden');
const TARGETS = ['cloudformation', 'terraform', 'self-hosted', 'self-hosted-demo', 'bundle-v1'] as const;
type Target = (typeof TARGETS)[number];

let dir: string;
const reports = {} as Record<Target, VerifyReport>;

beforeAll(() => {
  dir = tmpDir('emdr');
  const locations: Record<Target, string> = {
    'cloudformation': synthCdkEmdr(path.join(dir, 'cdk.out')),
    'terraform': synthCdktfEmdr(path.join(dir, 'cdktf.out')),
    'self-hosted': path.join(dir, 'self-hosted'),
    'self-hosted-demo': path.join(dir, 'self-hosted-demo'),
    'bundle-v1': writeBundleDir(path.join(dir, 'bundle'), emdrBundle()),
  };
  // The self-hosted example with EMDR's Route 53 addresses and settings ...
  emdrSelfHostedApp({
    gatewayA: '203.0.113.10',
    gatewayB: '198.51.100.20',
    port: 80,
    requestInterval: Duration.seconds(30),
    failureThreshold: 3,
    ttl: Duration.seconds(60),
  }).stack.synth(locations['self-hosted']);
  // ... and as the demo runs it: local gateways, 0.5 s interval and timeouts, TTL 1 s.
  emdrSelfHostedApp({ gatewayA: '127.0.0.11', gatewayB: '127.0.0.12', port: 8080 }).stack.synth(locations['self-hosted-demo']);
  for (const target of TARGETS) reports[target] = verifyReport(locations[target]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The report with the temporary directory replaced, so that it reads the same on every machine. */
const portable = (text: string) => text.split(dir).join('<tmp>');

describe.each(TARGETS)('EMDR through %s', (target) => {
  test('the text report matches the golden report', () => {
    const text = portable(formatReport(reports[target])) + '\n';
    const file = path.join(GOLDEN, `emdr-${target}.txt`);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
    expect(text).toBe(fs.readFileSync(file, 'utf8'));
  });

  test('reads one artifact of the right target, with one gateway and no finding', () => {
    const r = reports[target];
    expect(r.artifacts).toHaveLength(1);
    expect(r.artifacts[0].target).toBe(target.startsWith('self-hosted') || target === 'bundle-v1' ? 'self-hosted' : target);
    expect(r.artifacts[0].gateways.map((g) => g.gateway)).toEqual(['emdr.example.com A']);
    expect(r.errors).toBe(0);
    expect(r.warnings).toBe(0);
    expect(r.exitCode).toBe(0);
  });
});

describe('the targets agree', () => {
  const gateway = (target: Target) => reports[target].artifacts[0].gateways[0];

  test('same members, what-if and timing from CloudFormation, Terraform and the version 1 bundle', () => {
    const cfn = gateway('cloudformation');
    for (const target of ['terraform', 'bundle-v1'] as const) {
      const other = gateway(target);
      expect(other.members).toEqual(cfn.members);
      expect(other.whatIf).toEqual(cfn.whatIf);
      expect(other.timing).toEqual(cfn.timing);
      expect(other.policy).toBe('weighted');
      expect(other.ttl).toBe(60);
    }
  });

  test('the self-hosted example agrees on members, what-if and the refusing and recovery times', () => {
    const cfn = gateway('cloudformation');
    const selfHosted = gateway('self-hosted');
    expect(selfHosted.members).toEqual(cfn.members);
    expect(selfHosted.whatIf).toEqual(cfn.whatIf);
    selfHosted.timing.members.forEach((m, i) => {
      const c = cfn.timing.members[i];
      const agreeing = (t: typeof m) => [t.detectRefusing, t.clientsMoveRefusing, t.recover, t.clientsReturn];
      expect(agreeing(m)).toEqual(agreeing(c));
      // Its own probe timeouts (0.5 s to connect, 0.5 s for the status) are honoured: 3 x (30 + 1) s.
      expect(m.detectHanging).toEqual({ typical: 93, worst: 124 });
    });
    const check = reports['self-hosted'].artifacts[0].healthChecks[0];
    expect(check.timeouts).toEqual({ connect: 0.5, status: 0.5 });
  });

  test('the demo example: the same what-if, with its short intervals and timeouts honoured', () => {
    const demo = gateway('self-hosted-demo');
    const shares = (target: Target) => gateway(target).whatIf.scenarios.map((s) => s.shares.map((x) => x.probability));
    expect(shares('self-hosted-demo')).toEqual(shares('cloudformation'));
    // 0.5 s x 3, hanging 3 x (0.5 + 0.5 + 0.5) s; clients add the 1 s TTL.
    expect(demo.timing.members[0]).toMatchObject({
      detectRefusing: { typical: 1.5, worst: 2 },
      detectHanging: { typical: 4.5, worst: 6 },
      clientsMoveRefusing: { typical: 2.5, worst: 3 },
    });
  });

  test('the timing is ROUTE53.md §4 for 30 s x 3 with TTL 60: about 90 s to detect, 2.5 to 3 minutes until clients move', () => {
    for (const m of gateway('cloudformation').timing.members) {
      expect(m.detectRefusing).toEqual({ typical: 90, worst: 120 });
      expect(m.clientsMoveRefusing).toEqual({ typical: 150, worst: 180 });
      // Hanging: 3 x (30 s + 4 s to connect + 2 s for the status), plus one such cycle of skew.
      expect(m.detectHanging).toEqual({ typical: 108, worst: 144 });
      expect(m.clientsMoveHanging).toEqual({ typical: 168, worst: 204 });
      // Recovery is symmetric.
      expect(m.recover).toEqual({ typical: 90, worst: 120 });
      expect(m.clientsReturn).toEqual({ typical: 150, worst: 180 });
    }
  });

  test('the what-if table: 50/50, each one alone when the other is down, 50/50 again as the last resort', () => {
    for (const target of TARGETS) {
      const rows = gateway(target).whatIf.scenarios.map((s) => [s.label, s.shares.map((x) => x.probability), s.lastResort]);
      expect(rows).toEqual([
        ['all healthy', [0.5, 0.5], false],
        ['gw-isp-a down', [0, 1], false],
        ['gw-isp-b down', [1, 0], false],
        ['all down', [0.5, 0.5], true],
      ]);
    }
  });

  test('the cost of the two basic HTTP checks on non-AWS endpoints is $1.50 a month, for both Route 53 targets', () => {
    for (const target of ['cloudformation', 'terraform'] as const) {
      const cost = reports[target].artifacts[0].cost!;
      expect(cost.healthChecksMonthly).toBe(1.5);
      expect(cost.healthChecks.map((h) => [h.monthly, h.endpoint, h.features])).toEqual([[0.75, 'non-aws', []], [0.75, 'non-aws', []]]);
      expect(cost.hostedZonesMonthly).toBe(0.5);
      expect(cost.totalMonthly).toBe(2);
    }
    for (const target of ['self-hosted', 'self-hosted-demo', 'bundle-v1'] as const) expect(reports[target].artifacts[0].cost).toBeUndefined();
  });
});
