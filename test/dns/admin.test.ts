/**
 * The admin API under attack (issue 13, item 5), on real sockets:
 * - a report's credentials are checked before its body is read: a request with bad credentials gets
 *   its 401 while the client has not sent a single octet of the 4 MiB it announced;
 * - 100 connections posting 4 MiB each with bad credentials to a DNS node process leave its memory
 *   where it was (the issue measured 80 -> 470 MB before);
 * - at most `maxConcurrentReports` bodies are read at once (503 with retry-after beyond);
 * - /status, / and /reload answer loopback clients or the admin token only; /healthz and /metrics
 *   answer everyone.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { httpRequest, killSpawned, sampleConfig, Spawned, spawnCli } from './helpers';
import { AdminServer, DnsNode, isLoopbackAddress } from '../../lib/dns';
import { CHECKER_HEADER, HmacReportAuthenticator, signReport, StaticCheckerKeys } from '../../lib/protocol/auth';
import { Cleanup, sleep } from '../checker/helpers';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const KEY = Buffer.from('admin-test-key-0123456789abcdef');
const TOKEN = Buffer.from('admin-token-0123456789abcdef');

async function keyedNode(admin: Partial<NonNullable<Parameters<typeof DnsNode.start>[0]['admin']>> = {}): Promise<DnsNode> {
  const node = await DnsNode.start({
    config: sampleConfig(),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, ...admin },
    reportAuthenticator: new HmacReportAuthenticator({ keys: new StaticCheckerKeys({ c1: KEY }) }),
    evaluateIntervalMs: 60_000,
  });
  cleanup.add(() => node.stop());
  return node;
}

/** Sends raw request head (and optionally part of a body) on a new connection; resolves with everything the server sent until it closed or `waitMs` passed. */
function raw(port: number, head: string, body?: Buffer, waitMs = 3000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const done = () => resolve({ text, closed, ms: performance.now() - started });
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    socket.write(head);
    // The body in 64 KiB pieces as fast as the server takes them, until it answers (an answer that
    // arrives while a write fails would otherwise be lost with the reset).
    let at = 0;
    const pump = () => {
      while (body && at < body.length && text === '' && !socket.destroyed) {
        const piece = body.subarray(at, at + 65536);
        at += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

const head = (port: number, headers: Record<string, string>) =>
  `POST /reports HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

test('bad credentials are refused before any of the body is read', async () => {
  const node = await keyedNode();
  const port = node.adminAddress!.port;
  const size = 4 * 1024 * 1024;
  // Signed with the wrong key, announcing 4 MiB, and no body sent at all.
  const forged = signReport(Buffer.from('not-the-key-of-c1-at-all-0123'), 'c1', Buffer.alloc(size), Date.now(), Date.now() * 1000);
  const r = await raw(port, head(port, { ...forged, 'content-length': String(size) }));
  expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
  expect(r.text).toContain('the signature does not match');
  expect(r.closed).toBe(true);
  expect(r.ms).toBeLessThan(2000);
  // No credentials at all: the same.
  const bare = await raw(port, head(port, { 'content-length': String(size) }));
  expect(bare.text).toMatch(/^HTTP\/1\.1 401 /);
  expect(bare.closed).toBe(true);
  // A declared length above the cap: 413 at once.
  const huge = await raw(port, head(port, { ...forged, 'content-length': String(64 * 1024 * 1024) }));
  expect(huge.text).toMatch(/^HTTP\/1\.1 413 /);
});

test('at most maxConcurrentReports bodies are read at once; 503 with retry-after beyond', async () => {
  const node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0, maxConcurrentReports: 2 }, evaluateIntervalMs: 60_000 });
  cleanup.add(() => node.stop());
  const port = node.adminAddress!.port;
  const body = Buffer.from(JSON.stringify({ checkerId: 'c1', region: 'eu-west-1', observations: [{ healthCheckId: 'gw-a', healthy: true, observedAt: Date.now() }] }));
  // Two clients send half of their bodies and wait.
  const slow = [0, 1].map(() => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    cleanup.add(() => void s.destroy());
    s.write(head(port, { 'content-length': String(body.length) }));
    s.write(body.subarray(0, 10));
    let text = '';
    s.on('data', (c) => (text += c.toString()));
    return { s, text: () => text };
  });
  await sleep(200);
  const third = await httpRequest(port, 'POST', '/reports', body);
  expect(third.status).toBe(503);
  expect(third.headers['retry-after']).toBe('1');
  expect(third.json.error).toMatch(/^this node is reading 2 reports already \(at most 2 at once\)/);
  for (const x of slow) x.s.write(body.subarray(10));
  await sleep(200);
  for (const x of slow) expect(x.text()).toMatch(/^HTTP\/1\.1 200 /);
  expect((await httpRequest(port, 'POST', '/reports', body)).status).toBe(200);
});

test('/status, / and /reload: loopback clients or the admin token; /healthz and /metrics: everyone', async () => {
  // trustLoopback off makes this loopback client a stranger (as behind a proxy on the machine).
  const node = await keyedNode({ token: TOKEN, trustLoopback: false });
  const port = node.adminAddress!.port;
  for (const [method, p] of [['GET', '/status'], ['GET', '/'], ['POST', '/reload']] as const) {
    const r = await httpRequest(port, method, p);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/answers loopback clients and holders of the admin token only/);
    const bad = await httpRequest(port, method, p, undefined, { authorization: 'Bearer not-the-token-at-all-0000' });
    expect(bad.status).toBe(403);
    const ok = await httpRequest(port, method, p, undefined, { authorization: `Bearer ${TOKEN.toString()}` });
    expect(ok.status).not.toBe(403);
  }
  expect((await httpRequest(port, 'GET', '/healthz')).status).toBe(200);
  expect((await httpRequest(port, 'GET', '/metrics')).status).toBe(200);
  // Trusted loopback (the default): the machine itself sees the status.
  const local = await keyedNode();
  expect((await httpRequest(local.adminAddress!.port, 'GET', '/status')).status).toBe(200);
  expect(isLoopbackAddress('127.0.0.9')).toBe(true);
  expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
  expect(isLoopbackAddress('::1')).toBe(true);
  expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
  expect(() => new AdminServer(local, { token: Buffer.from('short') })).toThrow('the admin token has 5 octets; use at least 16');
});

/** Resident memory of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

test('100 connections posting 4 MiB each with bad credentials leave a node process\'s memory flat', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-flood-'));
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'keys'));
  fs.writeFileSync(path.join(dir, 'keys', 'c1'), `${KEY.toString()}\n`);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(sampleConfig()));
  const node: Spawned = spawnCli(['serve', '--config', path.join(dir, 'config.json'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', path.join(dir, 'keys')]);
  cleanup.add(() => killSpawned(node));
  const started = await node.waitFor((e) => e.event === 'started');
  const port = Number(String(started.admin).split(':')[1]);
  await sleep(500);
  const before = rssMiB(node.child.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(node.child.pid!))), 20);
  const size = 4 * 1024 * 1024;
  const chunk = Buffer.alloc(size, 0x20);
  const forged = { [CHECKER_HEADER]: 'c1', ...signReport(Buffer.from('not-the-key-of-c1-at-all-0123'), 'c1', chunk, Date.now(), Date.now() * 1000) };
  const statuses = await Promise.all(Array.from({ length: 100 }, () => raw(port, head(port, { ...forged, 'content-length': String(size) }), chunk, 10_000)));
  clearInterval(sampler);
  expect(statuses.every((s) => /^HTTP\/1\.1 401 /.test(s.text))).toBe(true);
  // The node did not buffer the bodies: 100 x 4 MiB = 400 MiB offered; allow 40 MiB of noise.
  expect(peak - before).toBeLessThan(40);
  expect((await httpRequest(port, 'GET', '/healthz')).status).toBe(200);
  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
});
