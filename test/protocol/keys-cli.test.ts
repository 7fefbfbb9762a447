/**
 * Per-checker keys with real processes (issue 13, item 2): a DNS node (`dns-failover serve
 * --keys-dir`) holds one key per checker.
 * - A checker process that has checker c2's key cannot report as c1 (with one shared secret, any
 *   checker could sign as any other and outvote the real ones).
 * - A signed report captured while the node ran is refused after the node is killed (SIGKILL) and
 *   started again (before, the node's memory of sequences was gone and the replay was accepted).
 * - A sequence far ahead of its timestamp (2^53 - 1, 29 s in the future) is refused and does not lock
 *   the real checker out.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { request } from 'undici';
import { BundleConfig } from '../../lib/bundle';
import { signReport } from '../../lib/protocol/auth';
import { Cleanup, waitFor } from '../checker/helpers';
import { killSpawned, Spawned, spawnCli } from '../dns/helpers';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-cli-'));
cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
const keysDir = path.join(dir, 'keys');
fs.mkdirSync(keysDir);
const KEYS: Record<string, Buffer> = { c1: Buffer.from('key-of-c1-0123456789abcdef'), c2: Buffer.from('key-of-c2-0123456789abcdef') };
for (const [id, key] of Object.entries(KEYS)) fs.writeFileSync(path.join(keysDir, id), `${key.toString()}\n`);
const config: BundleConfig = {
  version: 1,
  zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
  healthChecks: [{ id: 'gw-a', config: { type: 'TCP', ipAddress: '127.0.0.1', port: 9, requestInterval: 0.2, failureThreshold: 1, connectTimeout: 0.2 } }],
  recordSets: [
    { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'a', failover: 'PRIMARY', healthCheckId: 'gw-a' },
    { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'b', failover: 'SECONDARY' },
  ],
  checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }],
  dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
};
const configFile = path.join(dir, 'config.json');
fs.writeFileSync(configFile, JSON.stringify(config));
const spawned: Spawned[] = [];
cleanup.add(async () => {
  for (const s of spawned) await killSpawned(s);
});

async function startNode(): Promise<{ node: Spawned; admin: string }> {
  const node = spawnCli(['serve', '--config', configFile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir]);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started');
  return { node, admin: `http://${started.admin}` };
}

const status = async (admin: string) => (await (await request(`${admin}/status`)).body.json()) as { checkers: Array<{ id: string; lastReportAt: string | null; credentials: { key: string; accepted: number } }> };

test('a checker with another checker\'s key cannot report as that checker', async () => {
  const { node, admin } = await startNode();
  const impostor = spawnCli(['check', '--config', configFile, '--checker-id', 'c1', '--region', 'r1', '--push', `${admin}/reports`, '--key-file', path.join(keysDir, 'c2')]);
  spawned.push(impostor);
  const failed = await impostor.waitFor((e) => e.event === 'push-failed');
  expect(failed.error).toMatch(/^HTTP 401: unauthenticated: the signature does not match \(checker 'c1'\); the checker must sign with its own key/);
  expect((await status(admin)).checkers.find((c) => c.id === 'c1')).toMatchObject({ lastReportAt: null, credentials: { key: 'loaded', accepted: 0 } });
  // The real c1, with its own key, is accepted.
  const real = spawnCli(['check', '--config', configFile, '--checker-id', 'c1', '--region', 'r1', '--push', `${admin}/reports`, '--key-file', path.join(keysDir, 'c1')]);
  spawned.push(real);
  await waitFor('a report from the real c1', async () => ((await status(admin)).checkers.find((c) => c.id === 'c1')!.lastReportAt !== null ? true : undefined), 10_000);
  for (const s of [impostor, real, node]) s.child.kill('SIGTERM');
  for (const s of [impostor, real, node]) expect(await s.exited).toBe(0);
});

test('a report captured before a node restart (kill -9) is refused after it; a jumping sequence is refused', async () => {
  const first = await startNode();
  const body = Buffer.from(JSON.stringify({ checkerId: 'c1', region: 'r1', observations: [{ healthCheckId: 'gw-a', healthy: true, observedAt: Date.now() }] }));
  const sent = Date.now();
  const headers = { 'content-type': 'application/json', ...signReport(KEYS.c1, 'c1', body, sent, sent * 1000) };
  const post = async (admin: string, h: Record<string, string>) => {
    const res = await request(`${admin}/reports`, { method: 'POST', body, headers: h });
    return { status: res.statusCode, ...((await res.body.json()) as { error?: string }) };
  };
  expect((await post(first.admin, headers)).status).toBe(200);
  expect((await post(first.admin, headers)).status).toBe(409); // replayed, while the node runs

  first.node.child.kill('SIGKILL');
  await first.node.exited;
  const second = await startNode();
  const replay = await post(second.admin, headers);
  expect(replay.status).toBe(401);
  expect(replay.error).toMatch(/before this node started .* a report from before a restart could be a replay/);

  // 2^53 - 1, 29 s ahead: refused, and the checker's next report still counts.
  const ahead = Date.now() + 29_000;
  const jump = await post(second.admin, { 'content-type': 'application/json', ...signReport(KEYS.c1, 'c1', body, ahead, 2 ** 53 - 1) });
  expect(jump.status).toBe(409);
  const now = Date.now();
  expect((await post(second.admin, { 'content-type': 'application/json', ...signReport(KEYS.c1, 'c1', body, now, now * 1000) })).status).toBe(200);
  second.node.child.kill('SIGTERM');
  expect(await second.node.exited).toBe(0);
});
