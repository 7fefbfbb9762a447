/**
 * `dns-failover check` and the checker keys of `dns-failover serve`, as separate processes:
 * a checker pushes reports signed with its own key to a node that holds it (accepted, answers follow the endpoint)
 * and to a node without one (refused with 403, after a startup warning); both exit 0 on SIGTERM.
 * Usage errors are checked in-process.
 */
import { promises as dnsPromises } from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { request } from 'undici';
import { Cleanup, httpServer, waitFor } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { runCli } from '../../lib/cli/run';
import { killSpawned, Spawned, spawnCli } from '../dns/helpers';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-cli-'));
cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
// The DNS nodes' keys directory: one key per checker, named by its key name (its id here).
const keysDir = path.join(dir, 'keys');
fs.mkdirSync(keysDir);
const keyFile = path.join(keysDir, 'c1');
fs.writeFileSync(keyFile, 'cli-test-key-of-c1-0123456789abcdef\n');

function writeConfig(port: number): string {
  const config: BundleConfig = {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 0 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [
      { id: 'gw-a', config: { type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: '/health', requestInterval: 0.2, failureThreshold: 2, connectTimeout: 0.3, statusTimeout: 0.3 } },
    ],
    recordSets: [
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'primary', failover: 'PRIMARY', healthCheckId: 'gw-a' },
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'secondary', failover: 'SECONDARY' },
    ],
    verdict: { freshnessMs: 2000 },
    checkers: [{ id: 'c1', region: 'local' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const file = path.join(dir, 'bundle.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('usage errors name the flag, the value and the fix', () => {
  const configFile = writeConfig(9);
  const base = ['check', '--config', configFile, '--checker-id', 'c1', '--region', 'local', '--push', 'http://127.0.0.1:9/reports', '--key-file', keyFile];

  test('missing flags: exit 2', async () => {
    const c = capture();
    expect(await runCli(['check', '--config', configFile], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("flag '--checker-id <id>' is required for 'check'");
  });

  test('a push endpoint that is not http(s): exit 2', async () => {
    const c = capture();
    const args = [...base];
    args[args.indexOf('--push') + 1] = 'ftp://127.0.0.1/reports';
    expect(await runCli(args, c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("--push: report endpoint 'ftp://127.0.0.1/reports' uses ftp:; use http:// or https://");
  });

  test('a timeout below 100 ms: exit 2', async () => {
    const c = capture();
    expect(await runCli([...base, '--status-timeout', '50'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain("--status-timeout '50' is not a whole number from 100 to 3600000");
  });

  test('a checker the config does not know, or in another region: exit 1', async () => {
    const c = capture();
    const args = [...base];
    args[args.indexOf('--checker-id') + 1] = 'c9';
    expect(await runCli(args, c.io)).toBe(1);
    expect(c.err.join('\n')).toContain("checker 'c9' is not in");
    expect(c.err.join('\n')).toContain('(its checkers: c1); the DNS nodes only accept configured checkers');
    const d = capture();
    const args2 = [...base];
    args2[args2.indexOf('--region') + 1] = 'elsewhere';
    expect(await runCli(args2, d.io)).toBe(1);
    expect(d.err.join('\n')).toContain("checker 'c1' is in region 'local' in");
    expect(d.err.join('\n')).toContain("not 'elsewhere'; give --region local");
  });

  test('a short key: exit 1', async () => {
    const short = path.join(dir, 'short.key');
    fs.writeFileSync(short, 'abc\n');
    const c = capture();
    const args = [...base];
    args[args.indexOf('--key-file') + 1] = short;
    expect(await runCli(args, c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('has 3 octets; use at least 16 (for example: openssl rand -hex 32 > <key file>)');
  });

  test('the removed --secret-file says what replaced it: exit 2', async () => {
    const c = capture();
    const args = [...base];
    args[args.indexOf('--key-file')] = '--secret-file';
    expect(await runCli(args, c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--secret-file was removed: one shared secret let any checker sign as any other. Give this checker its own key with --key-file <file>');
    const d = capture();
    expect(await runCli(['serve', '--config', configFile, '--secret-file', keyFile], d.io)).toBe(2);
    expect(d.err.join('\n')).toContain('--secret-file was removed: one secret let any checker sign as any other. Every checker has its own key now: give --keys-dir <dir>');
  });
});

test('check pushes signed reports; serve with the keys accepts them, serve without refuses; SIGTERM exits 0', async () => {
  let healthy = true;
  const { server, port } = await httpServer((_req, res) => {
    res.writeHead(healthy ? 200 : 503);
    res.end();
  }, cleanup);
  void server;
  const configFile = writeConfig(port);
  const spawned: Spawned[] = [];
  cleanup.add(async () => {
    for (const s of spawned) await killSpawned(s);
  });

  const withSecret = spawnCli(['serve', '--config', configFile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir, '--evaluate-interval', '50']);
  const noSecret = spawnCli(['serve', '--config', configFile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  spawned.push(withSecret, noSecret);
  const [started1, started2] = await Promise.all([withSecret.waitFor((e) => e.event === 'started'), noSecret.waitFor((e) => e.event === 'started')]);
  expect(started1.reportAuthentication).toBe('hmac-sha256 per-checker keys (v2)');
  expect(started2.reportAuthentication).toBe('refused (no keys)');
  const warning = await noSecret.waitFor((e) => e.event === 'warning');
  expect(warning.message).toMatch(/^no --keys-dir: this node refuses every checker report \(403\)/);

  const admin1 = `http://${started1.admin}`;
  const admin2 = `http://${started2.admin}`;
  const checker = spawnCli(['check', '--config', configFile, '--checker-id', 'c1', '--region', 'local', '--push', `${admin1}/reports,${admin2}/reports`, '--key-file', keyFile]);
  spawned.push(checker);
  const cs = await checker.waitFor((e) => e.event === 'checker-started');
  expect(cs).toMatchObject({ checkerId: 'c1', region: 'local', checks: 1, skipped: 0, push: [`${admin1}/reports`, `${admin2}/reports`] });

  // The node with the keys has the checker's report, with its age and credentials.
  const status = async () => (await (await request(`${admin1}/status`)).body.json()) as { checkers: Array<{ id: string; ageMs: number | null; credentials?: { lastSequence: number } }> };
  const c1 = await waitFor('a report from c1', async () => (await status()).checkers.find((c) => c.id === 'c1' && c.ageMs !== null), 10_000);
  expect(c1.ageMs).toBeLessThan(2000);
  expect(c1.credentials!.lastSequence).toBeGreaterThan(Date.now() * 1000 - 60_000_000);
  // The node without refuses, and the checker says so (and keeps retrying).
  const failed = await checker.waitFor((e) => e.event === 'push-failed' && e.url === `${admin2}/reports`);
  expect(failed.error).toMatch(/^HTTP 403: this DNS node has no checker keys/);

  // The endpoint fails: the checker's view changes, the node answers the secondary.
  const dnsPort = Number(String(started1.dns).split(':')[1]);
  const answer = async () => {
    const r = new dnsPromises.Resolver({ timeout: 500, tries: 2 });
    r.setServers([`127.0.0.1:${dnsPort}`]);
    return (await r.resolve4('app.example.com')).join(',');
  };
  expect(await answer()).toBe('192.0.2.1');
  healthy = false;
  const verdict = await checker.waitFor((e) => e.event === 'verdict' && e.healthy === false);
  expect(verdict).toMatchObject({ healthCheckId: 'gw-a', reason: 'HTTP status 503', previous: true });
  await waitFor('the secondary', async () => ((await answer()) === '192.0.2.2' ? true : undefined), 5000);

  for (const s of [checker, withSecret, noSecret]) s.child.kill('SIGTERM');
  expect(await checker.exited).toBe(0);
  expect(await withSecret.exited).toBe(0);
  expect(await noSecret.exited).toBe(0);
  expect(checker.events.find((e) => e.event === 'checker-stopped')).toMatchObject({ checkerId: 'c1' });
  for (const s of [checker, withSecret, noSecret]) {
    expect(s.events.filter((e) => e.event === 'non-json')).toEqual([]);
    expect(s.events.every((e) => typeof e.time === 'string' && typeof e.event === 'string')).toBe(true);
  }
});
