/**
 * Golden reports of the EMDR example from each of the three targets: the CDK app (cdk.out), the
 * cdktf app (cdktf.out) and the EMDR bundle config. The three must agree on the gateway, its
 * members, what-if and timing; the two Route 53 ones on the cost ($1.50 a month for the two checks).
 *
 * The golden files live in test/verify/golden/; after an intended change of the report, regenerate
 * them with `UPDATE_GOLDEN=1 npx jest test/verify/emdr.test.ts` and review the diff.
 */
import * as fs from 'fs';
import * as path from 'path';
import { emdrBundle, synthCdkEmdr, synthCdktfEmdr, tmpDir, writeBundleDir } from './helpers';
import { formatReport, verifyReport, VerifyReport } from '../../lib/verify';

const GOLDEN = path.join(__dirname, 'golden');

let dir: string;
const locations: Record<string, string> = {};
const reports: Record<string, VerifyReport> = {};

beforeAll(() => {
  dir = tmpDir('emdr');
  locations.cloudformation = synthCdkEmdr(path.join(dir, 'cdk.out'));
  locations.terraform = synthCdktfEmdr(path.join(dir, 'cdktf.out'));
  locations['self-hosted'] = writeBundleDir(path.join(dir, 'bundle'), emdrBundle());
  for (const [target, location] of Object.entries(locations)) reports[target] = verifyReport(location);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The report with the temporary directory replaced, so that it reads the same on every machine. */
const portable = (text: string) => text.split(dir).join('<tmp>');

describe.each(['cloudformation', 'terraform', 'self-hosted'])('EMDR through %s', (target) => {
  test('the text report matches the golden report', () => {
    const text = portable(formatReport(reports[target])) + '\n';
    const file = path.join(GOLDEN, `emdr-${target}.txt`);
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
    expect(text).toBe(fs.readFileSync(file, 'utf8'));
  });

  test('reads one artifact of the right target, with one gateway and no finding', () => {
    const r = reports[target];
    expect(r.artifacts).toHaveLength(1);
    expect(r.artifacts[0].target).toBe(target);
    expect(r.artifacts[0].gateways.map((g) => g.gateway)).toEqual(['emdr.example.com A']);
    expect(r.errors).toBe(0);
    expect(r.warnings).toBe(0);
    expect(r.exitCode).toBe(0);
  });
});

describe('the three targets agree', () => {
  const gateway = (target: string) => reports[target].artifacts[0].gateways[0];

  test('same members, what-if and timing', () => {
    const cfn = gateway('cloudformation');
    for (const target of ['terraform', 'self-hosted']) {
      const other = gateway(target);
      expect(other.members).toEqual(cfn.members);
      expect(other.whatIf).toEqual(cfn.whatIf);
      expect(other.timing).toEqual(cfn.timing);
      expect(other.policy).toBe('weighted');
      expect(other.ttl).toBe(60);
    }
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
    const rows = gateway('self-hosted').whatIf.scenarios.map((s) => [s.label, s.shares.map((x) => x.probability), s.lastResort]);
    expect(rows).toEqual([
      ['all healthy', [0.5, 0.5], false],
      ['gw-isp-a down', [0, 1], false],
      ['gw-isp-b down', [1, 0], false],
      ['all down', [0.5, 0.5], true],
    ]);
  });

  test('the cost of the two basic HTTP checks on non-AWS endpoints is $1.50 a month, for both Route 53 targets', () => {
    for (const target of ['cloudformation', 'terraform']) {
      const cost = reports[target].artifacts[0].cost!;
      expect(cost.healthChecksMonthly).toBe(1.5);
      expect(cost.healthChecks.map((h) => [h.monthly, h.endpoint, h.features])).toEqual([[0.75, 'non-aws', []], [0.75, 'non-aws', []]]);
      expect(cost.hostedZonesMonthly).toBe(0.5);
      expect(cost.totalMonthly).toBe(2);
    }
    expect(reports['self-hosted'].artifacts[0].cost).toBeUndefined();
  });
});
