/**
 * A restarted checker does not put a dead endpoint back (issue 13, item 1). Real processes: a DNS node
 * (`dns-failover serve`) and three checkers (`dns-failover check`) on loopback, a dead endpoint
 * (connection refused). Once the node answers the secondary, one checker is killed with SIGKILL and
 * started again: its checks start from nothing, and until each has `failureThreshold` results it
 * reports nothing, so the node keeps deciding from what it has (that checker's last report, the other
 * checkers' fresh ones) and the dead primary never returns to the answers. Before the fix the
 * restarted checker reported every check healthy at its first probe (one of three = 33 % > 18 %).
 */
import { promises as dnsPromises } from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Cleanup, closedPort, sleep, waitFor } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { killSpawned, Spawned, spawnCli } from '../dns/helpers';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const INTERVAL_S = 0.5;
const THRESHOLD = 3;
const PRIMARY = '192.0.2.1';
const SECONDARY = '192.0.2.2';

test('kill -9 and restart of one checker of three: the dead primary stays out of the answers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-restart-'));
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keysDir = path.join(dir, 'keys');
  fs.mkdirSync(keysDir);
  for (const id of ['c1', 'c2', 'c3']) fs.writeFileSync(path.join(keysDir, id), `restart-test-key-of-${id}-0123456789\n`);
  const dead = await closedPort();
  const config: BundleConfig = {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 0 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [
      { id: 'gw-a', config: { type: 'HTTP', ipAddress: '127.0.0.1', port: dead, resourcePath: '/health', requestInterval: INTERVAL_S, failureThreshold: THRESHOLD, connectTimeout: 0.3, statusTimeout: 0.3 } },
    ],
    recordSets: [
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: [PRIMARY], setIdentifier: 'primary', failover: 'PRIMARY', healthCheckId: 'gw-a' },
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: [SECONDARY], setIdentifier: 'secondary', failover: 'SECONDARY' },
    ],
    verdict: { healthyFraction: 0.18, freshnessMs: 6000 },
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const spawned: Spawned[] = [];
  cleanup.add(async () => {
    for (const s of spawned) await killSpawned(s);
  });

  const node = spawnCli(['serve', '--config', configFile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir, '--evaluate-interval', '50']);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started');
  const push = `http://${started.admin}/reports`;
  const checker = (id: string) => {
    const s = spawnCli(['check', '--config', configFile, '--checker-id', id, '--region', `r${id.slice(1)}`, '--push', push, '--key-file', path.join(keysDir, id)]);
    spawned.push(s);
    return s;
  };
  const checkers = ['c1', 'c2', 'c3'].map(checker);
  await Promise.all(checkers.map((c) => c.waitFor((e) => e.event === 'checker-started')));

  const dnsPort = Number(String(started.dns).split(':')[1]);
  const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 2 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  const answer = async () => (await resolver.resolve4('app.example.com')).join(',');

  // Every checker has seen the endpoint dead for FailureThreshold probes: the node answers the secondary.
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'gw-a' && e.healthy === false, 15_000);
  await waitFor('the secondary', async () => ((await answer()) === SECONDARY ? true : undefined), 5000);
  await Promise.all(checkers.map((c) => c.waitFor((e) => (e.event === 'verdict' || e.event === 'check-established') && e.healthy === false, 10_000)));

  // kill -9 one checker and start it again at once.
  checkers[0].child.kill('SIGKILL');
  await checkers[0].exited;
  const restarted = checker('c1');
  // Watch the answers from the kill until the restarted checker has reported its own view, and a bit after.
  const seen = new Map<string, number>();
  let established = false;
  void restarted.waitFor((e) => e.event === 'verdict' || e.event === 'check-established', 30_000).then((e) => {
    established = e.healthy === false;
  }, () => undefined);
  const until = performance.now() + 30_000;
  let after = Infinity;
  while (performance.now() < until && performance.now() < after) {
    const a = await answer();
    seen.set(a, (seen.get(a) ?? 0) + 1);
    if (established && after === Infinity) after = performance.now() + 2 * INTERVAL_S * 1000;
    await sleep(20);
  }
  expect(established).toBe(true);
  expect([...seen.keys()]).toEqual([SECONDARY]);
  // The node's verdict never changed back.
  expect(node.events.filter((e) => e.event === 'verdict' && e.healthCheckId === 'gw-a').map((e) => e.healthy)).toEqual([false]);

  for (const s of [restarted, checkers[1], checkers[2], node]) s.child.kill('SIGTERM');
  for (const s of [restarted, checkers[1], checkers[2], node]) expect(await s.exited).toBe(0);
});

test('a changed config is taken without a restart: unchanged checks stay reported, a new one starts over', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-reconfigure-'));
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keysDir = path.join(dir, 'keys');
  fs.mkdirSync(keysDir);
  fs.writeFileSync(path.join(keysDir, 'c1'), 'reconfigure-test-key-of-c1-0123\n');
  const dead = await closedPort();
  const check = (id: string) => ({ id, config: { type: 'TCP' as const, ipAddress: '127.0.0.1', port: dead, requestInterval: 0.2, failureThreshold: 3, connectTimeout: 0.2 } });
  const config = (ids: string[]): BundleConfig => ({
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: ids.map(check),
    recordSets: ids.map((id) => ({ name: `${id}.example.com`, recordType: 'A' as const, ttl: 0, values: ['192.0.2.1'], setIdentifier: 'a', multiValueAnswer: true, healthCheckId: id })),
    checkers: [{ id: 'c1', region: 'r1' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config(['x'])));
  const checker = spawnCli(['check', '--config', file, '--checker-id', 'c1', '--region', 'r1', '--push', 'http://127.0.0.1:9/reports', '--key-file', path.join(keysDir, 'c1'), '--config-poll', '1']);
  cleanup.add(() => killSpawned(checker));
  await checker.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'x' && e.healthy === false, 10_000);
  fs.writeFileSync(file, JSON.stringify(config(['x', 'y'])));
  const reconfigured = await checker.waitFor((e) => e.event === 'checker-reconfigured', 10_000);
  expect(reconfigured).toMatchObject({ kept: ['x'], added: ['y'], removed: [], checks: 2 });
  await checker.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'y' && e.healthy === false, 10_000);
  // x kept its results: it never started over (no second verdict or establishment for it).
  expect(checker.events.filter((e) => (e.event === 'verdict' || e.event === 'check-established') && e.healthCheckId === 'x')).toHaveLength(1);
  // A broken config is refused and the running one kept.
  fs.writeFileSync(file, '{ not json');
  const refused = await checker.waitFor((e) => e.event === 'config-refused', 10_000);
  expect(refused.keeping).toBe('the previous config');
  checker.child.kill('SIGTERM');
  expect(await checker.exited).toBe(0);
});
