/**
 * `dns-failover serve --workers N` (issue 14): real processes. A primary and two answering workers
 * that share the DNS sockets; signed reports reach the primary once and change the answers of both
 * workers; a reload reaches both (a new generation of workers, the old one retires); a worker killed
 * with SIGKILL is replaced, with the verdicts in force; SIGTERM stops every process. With one worker,
 * a replacement keeps the port the node was given (0 here) and the verdicts. The primary keeps no
 * compiled zones (the workers compile them): a GeoIP database that cannot be used is still refused at
 * start and at reload with the compiler's own error, and /status still shows the groups and answers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addresses, clientSubnet, httpRequest, killSpawned, query, REPO, Spawned, spawnCli, udpQuery } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { RRType } from '../../lib/dns';
import { signReport } from '../../lib/protocol/auth';

const KEY = Buffer.from('cluster-test-key-of-c1-0123456789');
const spawned: Spawned[] = [];
afterAll(async () => {
  for (const s of spawned) await killSpawned(s);
});

function setup(name: string): { dir: string; file: string; keysDir: string; config: BundleConfig } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), name));
  const keysDir = path.join(dir, 'keys');
  fs.mkdirSync(keysDir);
  fs.writeFileSync(path.join(keysDir, 'c1'), KEY);
  const check = { type: 'HTTP' as const, ipAddress: '192.0.2.1', port: 80, resourcePath: '/' };
  const config: BundleConfig = {
    version: 1,
    zones: [{
      name: 'example.com',
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 0 },
      nameServers: ['ns1.example.com'],
      records: [{ name: 'ns1.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.53'] }],
    }],
    healthChecks: [{ id: 'a', config: check }, { id: 'b', config: { ...check, ipAddress: '192.0.2.2' } }],
    recordSets: [
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'a', weight: 50, healthCheckId: 'a' },
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'b', weight: 50, healthCheckId: 'b' },
    ],
    checkers: [{ id: 'c1', region: 'local' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return { dir, file, keysDir, config };
}

let sequence = 0;
async function report(admin: number, healthy: Record<string, boolean>): Promise<void> {
  const now = Date.now();
  sequence = Math.max(sequence + 1, now * 1000);
  const body = Buffer.from(JSON.stringify({
    checkerId: 'c1', region: 'local', observations: Object.entries(healthy).map(([healthCheckId, h]) => ({ healthCheckId, healthy: h, observedAt: now })),
  }));
  const res = await httpRequest(admin, 'POST', '/reports', body, { 'content-type': 'application/json', 'content-length': body.length, ...signReport(KEY, 'c1', body, now, sequence) });
  expect(res.status).toBe(200);
}

interface WorkerStatus {
  readonly pid: number;
  readonly generation: number;
  readonly state: string;
  readonly queries: number;
  readonly compiledAtNice?: number;
}
async function workers(admin: number): Promise<WorkerStatus[]> {
  const status = (await httpRequest(admin, 'GET', '/status')).json;
  return status.node.answering.workers;
}

/** `count` queries for `name`, 25 at a time (each from its own socket): the sorted set of answers seen. */
async function burst(dns: number, name: string, count = 300): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i += 25) {
    const answers = await Promise.all(Array.from({ length: 25 }, () => udpQuery(dns, query(name, RRType.A))));
    for (const m of answers) seen.add(addresses(m).join(',') || `rcode ${m.flags & 0xf}`);
  }
  return [...seen].sort();
}

/** Queries answered by each listening worker since `before` (counters arrive every second). */
async function answeredBy(admin: number, before: readonly WorkerStatus[]): Promise<Map<number, number>> {
  await new Promise((r) => setTimeout(r, 1500));
  const now = await workers(admin);
  return new Map(now.filter((w) => w.state === 'listening').map((w) => [w.pid, w.queries - (before.find((b) => b.pid === w.pid)?.queries ?? 0)]));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('two workers answer from one view of verdicts; a reload reaches both; a killed worker is replaced', async () => {
  const { file, keysDir, config } = setup('cluster-two-');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir, '--workers', '2']);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started).toEqual(expect.objectContaining({ event: 'started', workers: 2 }));
  const dns = Number(String(started.dns).split(':').pop());
  const admin = Number(String(started.admin).split(':').pop());
  const first = await workers(admin);
  expect(first).toHaveLength(2);
  expect(first.every((w) => w.state === 'listening' && w.generation === 1)).toBe(true);
  expect(first.map((w) => w.pid)).not.toContain(node.child.pid);

  // Both members answer, from both workers.
  expect(await burst(dns, 'www.example.com')).toEqual(['192.0.2.1', '192.0.2.2']);
  let counts = await answeredBy(admin, first);
  expect([...counts.values()].every((n) => n > 0)).toBe(true);

  // One report to the primary: every answer of every worker follows it.
  let before = await workers(admin);
  await report(admin, { a: false, b: true });
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'a' && e.healthy === false);
  expect(await burst(dns, 'www.example.com')).toEqual(['192.0.2.2']);
  // ...taken once (one accepted report, one verdict change for the node, not one per worker).
  const afterReport = (await httpRequest(admin, 'GET', '/metrics')).text;
  expect([...afterReport.matchAll(/^dns_failover_reports_total\{([^}]*)\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])])).toEqual([['result="accepted"', 1]]);
  expect(afterReport).toMatch(/^dns_failover_verdict_changes_total\{[^}]*health_check="a"[^}]*\} 1$/m);
  expect(node.events.filter((e) => e.event === 'verdict' && e.healthCheckId === 'a')).toHaveLength(1);
  counts = await answeredBy(admin, before);
  expect(counts.size).toBe(2);
  expect([...counts.values()].every((n) => n > 0)).toBe(true);

  // A reload: a new name in both (new) workers, the verdict carried over; the old workers are gone.
  fs.writeFileSync(file, JSON.stringify({ ...config, zones: [{ ...config.zones[0], records: [...config.zones[0].records!, { name: 'new.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.99'] }] }] }));
  const reload = await httpRequest(admin, 'POST', '/reload');
  expect(reload.status).toBe(200);
  const second = (await workers(admin)).filter((w) => w.state === 'listening'); // the old ones may still be closing
  expect(second.map((w) => w.generation)).toEqual([2, 2]);
  before = second;
  expect(await burst(dns, 'new.example.com')).toEqual(['192.0.2.99']);
  expect(await burst(dns, 'www.example.com')).toEqual(['192.0.2.2']);
  counts = await answeredBy(admin, before);
  expect(counts.size).toBe(2);
  expect([...counts.values()].every((n) => n > 0)).toBe(true);
  for (const w of first) expect(alive(w.pid)).toBe(false);

  // kill -9 of a worker: the other keeps answering, the primary starts another with the verdicts in force.
  const victim = second[0].pid;
  process.kill(victim, 'SIGKILL');
  expect(await burst(dns, 'www.example.com', 100)).toEqual(['192.0.2.2']);
  const exited = await node.waitFor((e) => e.event === 'worker-exited' && e.pid === victim);
  expect(exited.signal).toBe('SIGKILL');
  const restarted = await node.waitFor((e) => e.event === 'worker-restarted', 120_000);
  const third = await workers(admin);
  expect(third.map((w) => w.pid).sort()).toEqual([second[1].pid, restarted.pid].sort());
  expect(third.every((w) => w.state === 'listening' && w.generation === 2)).toBe(true);
  before = third;
  expect(await burst(dns, 'www.example.com')).toEqual(['192.0.2.2']);
  expect(await burst(dns, 'new.example.com', 50)).toEqual(['192.0.2.99']);
  counts = await answeredBy(admin, before);
  expect(counts.get(restarted.pid)).toBeGreaterThan(0);

  // Back to healthy: both workers (the restarted one too) answer with both members again.
  before = await workers(admin);
  await report(admin, { a: true, b: true });
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'a' && e.healthy === true);
  expect(await burst(dns, 'www.example.com')).toEqual(['192.0.2.1', '192.0.2.2']);
  counts = await answeredBy(admin, before);
  expect([...counts.values()].every((n) => n > 0)).toBe(true);

  // The primary adds up every worker's counters, the exited ones' included.
  const metrics = (await httpRequest(admin, 'GET', '/metrics')).text;
  const total = [...metrics.matchAll(/^dns_failover_queries_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  expect(total).toBeGreaterThan(1500);

  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
  expect(node.events.map((e) => e.event).slice(-2)).toEqual(['stopping', 'stopped']);
  for (const w of third) expect(alive(w.pid)).toBe(false);
  expect(node.stderr).toBe('');
}, 300_000);

test('one worker: a replacement keeps the port and the verdicts; a refused reload keeps the workers', async () => {
  const { file, keysDir, config } = setup('cluster-one-');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir]);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started).toEqual(expect.objectContaining({ event: 'started', workers: 1 }));
  const dns = Number(String(started.dns).split(':').pop());
  const admin = Number(String(started.admin).split(':').pop());
  await report(admin, { a: true, b: false });
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'b' && e.healthy === false);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.1']);

  const [worker] = await workers(admin);
  process.kill(worker.pid, 'SIGKILL');
  const restarted = await node.waitFor((e) => e.event === 'worker-restarted', 120_000);
  expect(restarted.pid).not.toBe(worker.pid);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.1']);
  expect((await httpRequest(admin, 'GET', '/healthz')).status).toBe(200);

  // A config that does not validate never reaches a worker.
  fs.writeFileSync(file, JSON.stringify({ ...config, recordSets: [{ ...config.recordSets[0], weight: 300 }, config.recordSets[1]] }));
  const refused = await httpRequest(admin, 'POST', '/reload');
  expect(refused.status).toBe(422);
  expect(await workers(admin)).toEqual([expect.objectContaining({ pid: restarted.pid, generation: 1, state: 'listening' })]);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.1']);

  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
  expect(alive(restarted.pid)).toBe(false);
}, 300_000);

/** A process's nice value, as the kernel has it (/proc/<pid>/stat, field 19). */
function niceOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

// Both cases run as root (CI does): the first with root's CAP_SYS_NICE, the second with it dropped from
// the bounding set and RLIMIT_NICE at 0, so that nothing lets a process lower its nice value.
const NO_CAP_SYS_NICE = ['setpriv', '--bounding-set', '-sys_nice', '--inh-caps', '-sys_nice', '--'];

test('priorities: answering workers at the starting nice value, the primary 10 below, a reload\'s compile at 19 (CAP_SYS_NICE lets them back)', async () => {
  const { file, keysDir, config } = setup('cluster-nice-');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir]);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started).toEqual(expect.objectContaining({ event: 'started', workers: 1, priorities: { answering: 0, primary: 10, background: 19 } }));
  const dns = Number(String(started.dns).split(':').pop());
  const admin = Number(String(started.admin).split(':').pop());
  expect((await httpRequest(admin, 'GET', '/status')).json.node.answering.priorities).toEqual(started.priorities);
  // At the start nothing else answers: the worker compiled at the answering priority.
  const [first] = await workers(admin);
  expect(first).toEqual(expect.objectContaining({ state: 'listening', compiledAtNice: 0 }));
  expect(niceOf(node.child.pid!)).toBe(10);
  expect(niceOf(first.pid)).toBe(0);
  await report(admin, { a: false, b: true });
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'a' && e.healthy === false);

  // A reload: the new worker compiled at 19 and answers at 0 (with the verdicts in force); the primary is back at 10.
  fs.writeFileSync(file, JSON.stringify({ ...config, zones: [{ ...config.zones[0], soa: { ...config.zones[0].soa, serial: 2 } }] }));
  expect((await httpRequest(admin, 'POST', '/reload')).status).toBe(200);
  const second = (await workers(admin)).filter((w) => w.state === 'listening');
  expect(second).toEqual([expect.objectContaining({ generation: 2, compiledAtNice: 19 })]);
  expect(niceOf(second[0].pid)).toBe(0);
  expect(niceOf(node.child.pid!)).toBe(10);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.2']);

  // The only worker killed: nothing answers until its replacement does, which compiles at the answering priority.
  process.kill(second[0].pid, 'SIGKILL');
  const restarted = await node.waitFor((e) => e.event === 'worker-restarted', 120_000);
  expect((await workers(admin)).filter((w) => w.state === 'listening')).toEqual([expect.objectContaining({ pid: restarted.pid, compiledAtNice: 0 })]);
  expect(niceOf(restarted.pid)).toBe(0);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.2']);

  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
  expect(node.stderr).toBe('');
}, 300_000);

test('priorities: without CAP_SYS_NICE or an RLIMIT_NICE that lets a worker back, every process stays at the starting nice value', async () => {
  const { file, keysDir } = setup('cluster-nice-none-');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir],
    ['prlimit', '--nice=0:0', '--', ...NO_CAP_SYS_NICE]);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started).toEqual(expect.objectContaining({ event: 'started', workers: 1 }));
  expect(started.priorities).toBe('unchanged: no CAP_SYS_NICE, and RLIMIT_NICE does not let a worker back to nice 0 (systemd: LimitNICE=+0)');
  const dns = Number(String(started.dns).split(':').pop());
  const admin = Number(String(started.admin).split(':').pop());
  const [worker] = await workers(admin);
  expect(worker.compiledAtNice).toBe(0);
  expect(niceOf(worker.pid)).toBe(0);
  expect(niceOf(node.child.pid!)).toBe(0);
  expect(await burst(dns, 'www.example.com', 50)).toEqual(['192.0.2.1', '192.0.2.2']);
  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
}, 300_000);

test('priorities: a node started at nice 19 leaves them alone and says why', async () => {
  const { file, keysDir } = setup('cluster-nice-19-');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir], ['nice', '-n', '19']);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started.priorities).toBe('unchanged: the node was started at nice 19, nothing is lower');
  const admin = Number(String(started.admin).split(':').pop());
  const status = (await httpRequest(admin, 'GET', '/status')).json;
  expect(status.node.answering.priorities).toBe(started.priorities);
  const [worker] = await workers(admin);
  expect([niceOf(node.child.pid!), niceOf(worker.pid), worker.compiledAtNice]).toEqual([19, 19, 19]);
  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
}, 300_000);

const CITY = path.join(REPO, 'test', 'fixtures', 'geoip', 'GeoIP2-City-Test.mmdb');
const COUNTRY = path.join(REPO, 'test', 'fixtures', 'geoip', 'GeoLite2-Country-Test.mmdb');
const US_CA = '214.78.120.0/24';

/** A geolocation tree (Europe -> a weighted pair, the US -> one address, the rest -> a default) that reads `database`. */
function geoSetup(name: string, database: string): { dir: string; file: string; config: BundleConfig } {
  const { dir, file, config } = setup(name);
  const check = (id: string, ip: string) => ({ id, config: { type: 'HTTP' as const, ipAddress: ip, port: 80, resourcePath: '/' } });
  const a = (n: string, setIdentifier: string, value: string, extra: object) => ({ name: n, recordType: 'A' as const, ttl: 60, values: [value], setIdentifier, ...extra });
  const geo = {
    ...config,
    healthChecks: [check('eu-a', '203.0.113.1'), check('eu-b', '203.0.113.2'), check('us', '198.51.100.1')],
    recordSets: [
      a('eu.geo.example.com', 'eu-a', '203.0.113.1', { weight: 1, healthCheckId: 'eu-a' }),
      a('eu.geo.example.com', 'eu-b', '203.0.113.2', { weight: 1, healthCheckId: 'eu-b' }),
      {
        name: 'geo.example.com',
        recordType: 'A' as const,
        values: [],
        setIdentifier: 'europe',
        geoLocation: { continentCode: 'EU' },
        aliasTarget: { dnsName: 'eu.geo.example.com', hostedZoneName: 'example.com', evaluateTargetHealth: true },
      },
      a('geo.example.com', 'us', '198.51.100.1', { geoLocation: { countryCode: 'US' }, healthCheckId: 'us' }),
      a('geo.example.com', 'rest', '192.0.2.1', { geoLocation: { countryCode: '*' } }),
    ],
    geoip: { database },
  } as unknown as BundleConfig;
  fs.writeFileSync(file, JSON.stringify(geo));
  return { dir, file, config: geo };
}

async function askGeo(dns: number, subnet: string): Promise<string[]> {
  return addresses(await udpQuery(dns, query('geo.example.com', RRType.A, { ednsOptions: [clientSubnet(subnet)] })));
}

test('workers: a GeoIP database that cannot be used stops the node from starting, with the compiler\'s error', async () => {
  const { file } = geoSetup('cluster-geo-bad-', '/nonexistent/db.mmdb');
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  spawned.push(node);
  expect(await node.exited).toBe(1);
  const failed = node.events.find((e) => e.event === 'failed');
  // The same error as when the primary compiled the config itself: the database's, not a worker's.
  expect(failed.error).toMatch(/^GeoIP database \/nonexistent\/db\.mmdb does not exist; give the path of a MaxMind DB/);
  expect(node.events.map((e) => e.event)).not.toContain('started');
  expect(node.events.map((e) => e.event)).not.toContain('worker-failed');
  expect(node.stderr).toContain('dns-failover serve: GeoIP database /nonexistent/db.mmdb does not exist');
}, 120_000);

test('workers: /status shows groups and answers; a reload with an unusable GeoIP database is refused, the old one answers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-geo-db-'));
  const db = path.join(dir, 'geo.mmdb');
  fs.copyFileSync(CITY, db);
  const { file } = geoSetup('cluster-geo-', db);
  const node = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started' || e.event === 'failed', 120_000);
  expect(started).toEqual(expect.objectContaining({ event: 'started', workers: 1, zones: ['example.com'], groups: 2 }));
  const dns = Number(String(started.dns).split(':').pop());
  const admin = Number(String(started.admin).split(':').pop());
  expect(await askGeo(dns, US_CA)).toEqual(['198.51.100.1']);
  expect((await httpRequest(admin, 'GET', '/healthz')).status).toBe(200);

  // The primary compiles the config for the status: every group, and per client area its answers.
  let status = (await httpRequest(admin, 'GET', '/status')).json;
  expect(status.zones).toEqual([expect.objectContaining({ name: 'example.com', groups: 2 })]);
  expect(status.geoip).toEqual(expect.objectContaining({ file: db, databaseType: 'GeoIP2-City' }));
  expect(status.groups.map((g: any) => g.name).sort()).toEqual(['eu.geo.example.com', 'geo.example.com']);
  const tree = status.groups.find((g: any) => g.name === 'geo.example.com');
  expect(tree.clients.length).toBeGreaterThan(1);
  const us = tree.clients.find((c: any) => c.client === 'US');
  expect(us.answers).toEqual([expect.objectContaining({ values: ['198.51.100.1'], share: 1 })]);
  expect(tree.members.map((m: any) => m.setIdentifier)).toEqual(['europe', 'us', 'rest']);

  // Truncated in place: the new worker cannot compile it; the reload is refused with the database's error.
  const [worker] = await workers(admin);
  fs.writeFileSync(db, fs.readFileSync(CITY).subarray(0, 5000));
  const bad = await httpRequest(admin, 'POST', '/reload');
  expect(bad.status).toBe(422);
  expect(bad.json.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be loaded: .*is not a readable MaxMind DB file`));
  expect(bad.json.error).not.toMatch(/answering worker/);
  await node.waitFor((e) => e.event === 'reload' && e.ok === false);
  expect(node.events.map((e) => e.event)).not.toContain('worker-failed');
  // (The new worker that failed may still be on its way out.)
  expect((await workers(admin)).filter((w) => w.state !== 'retiring')).toEqual([expect.objectContaining({ pid: worker.pid, generation: 1, state: 'listening' })]);
  expect(await askGeo(dns, US_CA)).toEqual(['198.51.100.1']);
  status = (await httpRequest(admin, 'GET', '/status')).json;
  expect(status.config.lastReload).toEqual(expect.objectContaining({ ok: false }));
  expect(status.groups).toHaveLength(2);

  // Replaced by the country database (no record for US_CA: the default answers); the status shows the new one.
  fs.copyFileSync(COUNTRY, db);
  const good = await httpRequest(admin, 'POST', '/reload');
  expect(good.status).toBe(200);
  expect(await askGeo(dns, US_CA)).toEqual(['192.0.2.1']);
  status = (await httpRequest(admin, 'GET', '/status')).json;
  expect(status.geoip).toEqual(expect.objectContaining({ file: db, databaseType: 'GeoLite2-Country' }));
  expect(status.groups).toHaveLength(2);

  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
}, 300_000);
