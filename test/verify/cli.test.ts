/**
 * `dns-failover verify` as a user runs it: the report, `--json`, and the exit codes: 0 without error
 * findings, 1 with one, 2 for usage errors. The main cases run as a spawned process; the others go
 * through the same dispatch in-process (`runCli` of lib/cli/run.ts), which is faster.
 */
import * as fs from 'fs';
import * as path from 'path';
import { emdrBundle, runCli, CliResult, synthCdkEmdr, synthCdktfEmdr, tmpDir, writeBundleDir } from './helpers';
import { runCli as dispatch } from '../../lib/cli/run';

/** Runs the CLI in this process, collecting its output like a spawned one. */
async function inProcess(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await dispatch(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}

let dir: string;
let cdkOut: string;
let cdktfOut: string;
let bad: string;
/** The spawned runs, started together in beforeAll (each process takes a second or two to start). */
let spawned: { ok: CliResult; error: CliResult; missing: CliResult };

beforeAll(async () => {
  dir = tmpDir('cli');
  cdkOut = synthCdkEmdr(path.join(dir, 'cdk.out'));
  cdktfOut = synthCdktfEmdr(path.join(dir, 'cdktf.out'));
  // EMDR with a private address checked by Route 53 (an error) and failure threshold 1 (a warning).
  const template = JSON.parse(fs.readFileSync(path.join(cdkOut, 'EmdrStack.template.json'), 'utf8'));
  const check = template.Resources.EmdrgwispaHealthCheck71A53BF8.Properties.HealthCheckConfig;
  check.IPAddress = '10.0.0.10';
  check.FailureThreshold = 1;
  bad = path.join(dir, 'Bad.template.json');
  fs.writeFileSync(bad, JSON.stringify(template));
  const [ok, error, missing] = await Promise.all([runCli(['verify', cdkOut]), runCli(['verify', bad]), runCli(['verify', '/nonexistent/cdk.out'])]);
  spawned = { ok, error, missing };
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('exit code 0 and a readable report for EMDR', () => {
  const r = spawned.ok;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Gateway emdr.example.com A: weighted, TTL 60 s');
  expect(r.stdout).toContain('gw-isp-a down  0.0 %     100.0 %');
  expect(r.stdout).toContain('health checks $1.50');
  expect(r.stdout.trimEnd().endsWith('0 errors, 0 warnings: exit code 0')).toBe(true);
});

test('exit code 1 when an error-level rule fires, naming the rule, the resource and the fix', async () => {
  const text = spawned.error;
  const json = await inProcess(['verify', '--json', bad]);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(/ERROR +health-check\/private-address {2}health check 'Emdr\/gw-isp-a\/HealthCheck': ipAddress 10.0.0.10 is a private/);
  expect(text.stdout).toMatch(/warning verify\/failure-threshold-one/);
  expect(text.stdout.trimEnd().endsWith('1 error, 1 warning: exit code 1')).toBe(true);
  expect(json.code).toBe(1);
  const report = JSON.parse(json.stdout);
  expect(report.exitCode).toBe(1);
  expect(report.artifacts[0].gateways[0].findings.map((f: any) => [f.severity, f.rule, f.origin])).toEqual([
    ['error', 'health-check/private-address', 'model'],
    ['warning', 'verify/failure-threshold-one', 'verify'],
  ]);
  expect(report.artifacts[0].gateways[0].findings[0].fix).toMatch(/give the endpoint's public address/);
});

test('--json: the report for machines', async () => {
  const r = await runCli(['verify', cdktfOut, '--json']);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(Object.keys(report)).toEqual(['path', 'artifacts', 'errors', 'warnings', 'exitCode']);
  const [artifact] = report.artifacts;
  expect(Object.keys(artifact)).toEqual(['target', 'file', 'name', 'findings', 'gateways', 'healthChecks', 'cost', 'errors', 'warnings']);
  expect(artifact.target).toBe('terraform');
  const [gateway] = artifact.gateways;
  expect(Object.keys(gateway)).toEqual(['gateway', 'root', 'name', 'recordType', 'zone', 'policy', 'ttl', 'members', 'findings', 'timing', 'whatIf']);
  expect(gateway.timing.members[0].detectRefusing).toEqual({ typical: 90, worst: 120 });
  expect(gateway.whatIf.scenarios.map((s: any) => s.label)).toEqual(['all healthy', 'gw-isp-a down', 'gw-isp-b down', 'all down']);
  expect(gateway.whatIf.scenarios[1].answers).toEqual([{ setIdentifiers: ['gw-isp-b'], values: ['198.51.100.20'], probability: 1 }]);
  expect(artifact.cost.healthChecksMonthly).toBe(1.5);
  expect(artifact.cost.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

test('a bundle directory: no cost, the checkers and verdict rule', async () => {
  const bundle = writeBundleDir(path.join(dir, 'bundle'), emdrBundle());
  const r = await inProcess(['verify', bundle]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Self-hosted bundle config.json');
  expect(r.stdout).toContain('a member leaves once 3 of 3 see it fail');
  expect(r.stdout).toContain('Cost: none from Route 53');
});

test('exit code 2 for usage errors, with a message naming the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['verify'], /'verify' needs <path>/],
    [['verify', '/nonexistent/cdk.out'], /'\/nonexistent\/cdk.out' does not exist/],
    [['verify', '--yaml', 'x'], /unknown flag '--yaml' for 'verify'/],
    [['verify', 'a', 'b'], /unexpected argument 'b'/],
  ];
  const results = await Promise.all(cases.map(([args], i) => (i === 1 ? spawned.missing : inProcess(args))));
  results.forEach((r, i) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(cases[i][1]);
  });
});

test('exit code 2 for a file that holds no artifact', async () => {
  const f = path.join(dir, 'package.json');
  fs.writeFileSync(f, JSON.stringify({ name: 'app' }));
  const r = await inProcess(['verify', f]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/is neither a CloudFormation template/);
});
