/**
 * Pushing reports: at least once per heartbeat and at once on change, signed with increasing
 * sequences; a dead node does not delay the others; capped exponential backoff while a node is
 * unreachable, and recovery when it comes back.
 */
import * as http from 'http';
import * as net from 'net';
import { performance } from 'perf_hooks';
import { Cleanup, closedPort, httpServer, listen, rawServer, sleep, waitFor } from './helpers';
import { PushEvent, ReportPusher, ReportPusherOptions } from '../../lib/checker';
import { authenticateReport, HmacReportAuthenticator, SEQUENCE_HEADER, StaticCheckerKeys } from '../../lib/protocol/auth';
import { ReportObservation } from '../../lib/protocol/report';

const SECRET = Buffer.from('reporter-secret-0123456789');
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const observations: ReportObservation[] = [{ healthCheckId: 'hc', healthy: true, observedAt: Date.now(), reason: 'HTTP status 200', latencyMs: 1.5 }];

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A report endpoint that verifies every request like a DNS node would. */
async function nodeServer(): Promise<{ url: string; received: Received[]; verdicts: string[]; port: number }> {
  const auth = new HmacReportAuthenticator({ keys: new StaticCheckerKeys({ c1: SECRET }), notBefore: 0 });
  const received: Received[] = [];
  const verdicts: string[] = [];
  const { port } = await httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ at: performance.now(), headers: req.headers, body });
      const r = authenticateReport(auth, { headers: req.headers, body, now: Date.now() });
      verdicts.push(r.ok ? 'ok' : r.reason);
      res.writeHead(r.ok ? 200 : r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.ok ? { accepted: 1 } : { error: r.reason }));
    });
  }, cleanup);
  return { url: `http://127.0.0.1:${port}/reports`, received, verdicts, port };
}

function pusher(options: Partial<ReportPusherOptions> & Pick<ReportPusherOptions, 'urls'>, events: PushEvent[] = []): ReportPusher {
  const p = new ReportPusher({
    checkerId: 'c1',
    region: 'r1',
    secret: SECRET,
    observations: () => observations,
    heartbeatMs: 100,
    requestTimeoutMs: 2000,
    log: (e) => events.push(e),
    ...options,
  });
  cleanup.add(() => p.stop());
  return p;
}

test('pushes at least once per heartbeat, each signed with a new, higher sequence; the node accepts them all', async () => {
  const node = await nodeServer();
  const p = pusher({ urls: [node.url], heartbeatMs: 100 });
  p.start();
  await sleep(550);
  expect(node.received.length).toBeGreaterThanOrEqual(5);
  expect(node.received.length).toBeLessThanOrEqual(8);
  expect(node.verdicts.every((v) => v === 'ok')).toBe(true);
  const seqs = node.received.map((r) => Number(r.headers[SEQUENCE_HEADER]));
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
  expect(JSON.parse(node.received[0].body.toString())).toEqual({ checkerId: 'c1', region: 'r1', observations });
  expect(node.received[0].headers['content-type']).toBe('application/json');
});

test('many observations are split over several reports, each accepted', async () => {
  const node = await nodeServer();
  const many: ReportObservation[] = Array.from({ length: 12_001 }, (_, i) => ({
    healthCheckId: `hc-${i}`, healthy: i % 2 === 0, observedAt: Date.now(), reason: 'HTTP status 200',
  }));
  const p = pusher({ urls: [node.url], observations: () => many, heartbeatMs: 60_000 });
  p.start();
  await waitFor('three reports', () => (node.received.length >= 3 ? true : undefined), 3000, 10);
  const reports = node.received.slice(0, 3).map((r) => JSON.parse(r.body.toString()) as { observations: Array<{ healthCheckId: string }> });
  expect(reports.map((r) => r.observations.length)).toEqual([5000, 5000, 2001]);
  expect(node.verdicts.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
  const ids = reports.flatMap((r) => r.observations.map((o) => o.healthCheckId));
  expect(new Set(ids).size).toBe(12_001);
});

test('a change is pushed at once, not at the next heartbeat', async () => {
  const node = await nodeServer();
  const p = pusher({ urls: [node.url], heartbeatMs: 60_000 });
  p.start();
  await waitFor('the first push', () => (node.received.length === 1 ? true : undefined), 1000, 5);
  const changedAt = performance.now();
  p.changed();
  await waitFor('the change', () => (node.received.length === 2 ? true : undefined), 1000, 5);
  expect(node.received[1].at - changedAt).toBeLessThan(100);
});

test('nothing is sent before there is an observation', async () => {
  const node = await nodeServer();
  const p = pusher({ urls: [node.url], observations: () => [] });
  p.start();
  await sleep(300);
  expect(node.received).toEqual([]);
});

test('a node that accepts and never answers does not delay the others', async () => {
  let open = 0;
  let peak = 0;
  const { port: deadPort } = await rawServer((s) => {
    peak = Math.max(peak, ++open);
    s.resume();
    s.on('close', () => open--);
  }, cleanup);
  const live = await nodeServer();
  const events: PushEvent[] = [];
  const p = pusher({ urls: [`http://127.0.0.1:${deadPort}/reports`, live.url], heartbeatMs: 100, requestTimeoutMs: 400, initialBackoffMs: 50 }, events);
  p.start();
  await sleep(650);
  expect(live.received.length).toBeGreaterThanOrEqual(5);
  // one request in flight at a time to the dead node, over at most 2 connections (the agent's limit)
  expect(peak).toBeGreaterThanOrEqual(1);
  expect(peak).toBeLessThanOrEqual(2);
  const failed = events.filter((e) => e.event === 'push-failed');
  expect(failed.length).toBeGreaterThanOrEqual(1);
  expect(failed[0]).toMatchObject({ url: `http://127.0.0.1:${deadPort}/reports`, error: 'timed out: no answer within 400 ms', failures: 1 });
});

test('an unreachable node: exponential backoff, capped; it recovers when the node comes back', async () => {
  const port = await closedPort();
  const events: PushEvent[] = [];
  const p = pusher({ urls: [`http://127.0.0.1:${port}/reports`], heartbeatMs: 50, initialBackoffMs: 40, maxBackoffMs: 200, random: () => 1 }, events);
  p.start();
  await waitFor('six failures', () => (events.filter((e) => e.event === 'push-failed').length >= 6 ? true : undefined), 3000, 10);
  const failed = events.filter((e) => e.event === 'push-failed');
  expect(failed.slice(0, 6).map((e) => e.retryInMs)).toEqual([40, 80, 160, 200, 200, 200]);
  expect(failed.slice(0, 6).map((e) => e.failures)).toEqual([1, 2, 3, 4, 5, 6]);
  expect((failed[0].error as string).startsWith('ECONNREFUSED')).toBe(true);
  expect(p.status()[0]).toMatchObject({ failures: expect.any(Number), lastError: expect.stringMatching(/^ECONNREFUSED/) });

  // the node comes back on that port
  const received: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    received.push(Date.now());
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  cleanup.add(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const recovered = await waitFor('recovery', () => events.find((e) => e.event === 'push-recovered'), 2000, 10);
  expect(recovered).toMatchObject({ url: `http://127.0.0.1:${port}/reports`, checkerId: 'c1' });
  expect(p.status()[0]).toMatchObject({ failures: 0, lastSuccessAt: expect.any(Number) });
  expect(p.status()[0].lastError).toBeUndefined();
});

test('a refusal (wrong key) is logged with the node\'s reason and retried with backoff', async () => {
  const node = await nodeServer();
  const events: PushEvent[] = [];
  const p = pusher({ urls: [node.url], secret: Buffer.from('not-the-node-secret-at-all'), initialBackoffMs: 50 }, events);
  p.start();
  const failed = await waitFor('a refusal', () => events.find((e) => e.event === 'push-failed'), 2000, 10);
  expect(failed.error).toMatch(/^HTTP 401: unauthenticated: the signature does not match \(checker 'c1'\)/);
});

test('stop() aborts a request in flight and closes its connections', async () => {
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    open.add(s);
    s.resume();
    s.on('close', () => open.delete(s));
  });
  const port = await listen(server, cleanup);
  const p = pusher({ urls: [`http://127.0.0.1:${port}/reports`], requestTimeoutMs: 10_000 });
  p.start();
  await waitFor('a connection', () => (open.size > 0 ? true : undefined), 1000, 5);
  const started = performance.now();
  await p.stop();
  expect(performance.now() - started).toBeLessThan(200);
  await sleep(50);
  expect(open.size).toBe(0);
});

test('refuses bad endpoints and settings with the fix', () => {
  expect(() => new ReportPusher({ checkerId: 'c', region: 'r', secret: SECRET, urls: [], observations: () => [], heartbeatMs: 100 })).toThrow('no report endpoint; give at least one DNS node URL');
  expect(() => new ReportPusher({ checkerId: 'c', region: 'r', secret: SECRET, urls: ['127.0.0.1:8053'], observations: () => [], heartbeatMs: 100 })).toThrow(/report endpoint '127.0.0.1:8053' (is not a URL|uses 127.0.0.1:)/);
});
