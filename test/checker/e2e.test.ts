/**
 * Checkers and DNS nodes together on loopback, observed through real DNS queries (Node's own
 * resolver, c-ares) against the real server of lib/dns:
 * - kill an endpoint: each node's answer moves to the secondary after the configured detection
 *   time; bring it back: the answer returns;
 * - a partition: five checkers, three of them cut off from one node: that node decides with the
 *   fraction of the checkers it can hear, the other with all five; then every endpoint down: the
 *   last resort answers anyway.
 */
import { promises as dnsPromises } from 'dns';
import * as http from 'http';
import * as net from 'net';
import { performance } from 'perf_hooks';
import { Cleanup, closeServer, listen, sleep, waitFor } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { Checker, CheckerEvent } from '../../lib/checker';
import { DnsNode } from '../../lib/dns';
import { HealthCheckModel } from '../../lib/model/types';
import { HmacReportAuthenticator } from '../../lib/protocol/auth';

const SECRET = Buffer.from('e2e-secret-0123456789abcdef');
const INTERVAL_S = 0.2;
const THRESHOLD = 2;
const FRESHNESS_MS = 1500;
const PRIMARY = '192.0.2.1';
const SECONDARY = '192.0.2.2';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** An HTTP endpoint that can die (connection refused) and come back on the same port. */
class Endpoint {
  port = 0;
  private server?: http.Server;
  private sockets = new Set<net.Socket>();

  /** `healthyFor`: the checker ids that get 200; everyone else gets 503. Undefined: everyone gets 200. */
  constructor(private readonly healthyFor?: readonly string[]) {}

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const checker = /\(([^)]+)\)/.exec(req.headers['user-agent'] ?? '')?.[1] ?? '';
      res.writeHead(this.healthyFor === undefined || this.healthyFor.includes(checker) ? 200 : 503);
      res.end();
    });
    server.keepAliveTimeout = 100;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    cleanup.add(() => this.stop());
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await closeServer(s, this.sockets);
  }
}

function healthCheck(id: string, port: number): HealthCheckModel {
  return { id, config: { type: 'HTTP', ipAddress: '127.0.0.1', port, resourcePath: '/health', requestInterval: INTERVAL_S, failureThreshold: THRESHOLD, connectTimeout: 0.3, statusTimeout: 0.3 } };
}

function config(healthChecks: HealthCheckModel[], checkers: string[]): BundleConfig {
  const failover = (name: string, primary: string, secondary: string) => [
    { name, recordType: 'A' as const, ttl: 0, values: [PRIMARY], setIdentifier: 'primary', failover: 'PRIMARY' as const, healthCheckId: primary },
    { name, recordType: 'A' as const, ttl: 0, values: [SECONDARY], setIdentifier: 'secondary', failover: 'SECONDARY' as const, healthCheckId: secondary },
  ];
  return {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 0 }, nameServers: ['ns1.example.com'] }],
    healthChecks,
    recordSets: [
      ...failover('app.example.com', 'hc-p', 'hc-s'),
      ...(healthChecks.some((h) => h.id === 'hc-q') ? failover('q.example.com', 'hc-q', 'hc-s') : []),
      { name: 'w.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.11'], setIdentifier: 'w1', weight: 50, healthCheckId: 'hc-p' },
      { name: 'w.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.12'], setIdentifier: 'w2', weight: 50, healthCheckId: 'hc-s' },
    ],
    verdict: { healthyFraction: 0.18, freshnessMs: FRESHNESS_MS },
    checkers: checkers.map((id) => ({ id, region: `region-${id}` })),
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }, { id: 'n2', dns: '127.0.0.1:5354', admin: '127.0.0.1:8054' }],
  };
}

async function startNode(c: BundleConfig): Promise<DnsNode> {
  const node = await DnsNode.start({
    config: c,
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    reportAuthenticator: new HmacReportAuthenticator({ secret: SECRET }),
    evaluateIntervalMs: 50,
  });
  cleanup.add(() => node.stop());
  return node;
}

const reportsUrl = (node: DnsNode) => `http://127.0.0.1:${node.adminAddress!.port}/reports`;

function startChecker(c: BundleConfig, id: string, urls: string[], events: CheckerEvent[] = []): Checker {
  const checker = new Checker({
    checkerId: id,
    region: `region-${id}`,
    healthChecks: c.healthChecks,
    push: { urls, secret: SECRET, initialBackoffMs: 50, maxBackoffMs: 400, requestTimeoutMs: 1000 },
    log: (e) => events.push(e),
  });
  checker.start();
  cleanup.add(() => checker.stop());
  return checker;
}

/** One A query through Node's resolver (c-ares), a new resolver each time so nothing is cached. */
async function answer(node: DnsNode, name: string): Promise<string[]> {
  const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 2 });
  resolver.setServers([`127.0.0.1:${node.dnsAddress.port}`]);
  return (await resolver.resolve4(name)).sort();
}

/** Polls the node's answer until it is `expected`; returns the time it took (ms). */
async function answerBecomes(node: DnsNode, name: string, expected: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await waitFor(`${name} to answer ${expected} at port ${node.dnsAddress.port}`, async () => ((await answer(node, name)).join(',') === expected ? true : undefined), timeoutMs, 20);
  return performance.now() - started;
}

function reportsAt(node: DnsNode, healthCheckId: string): { freshCount: number; healthyCount: number } {
  const checks = node.status().healthChecks as Array<{ healthCheckId: string; freshCount: number; healthyCount: number }>;
  const snap = checks.find((h) => h.healthCheckId === healthCheckId)!;
  return { freshCount: snap.freshCount, healthyCount: snap.healthyCount };
}

/** A TCP relay to a node's admin port that can be cut (the relay stops listening: connection refused). */
async function relayTo(port: number): Promise<{ url: string; cut: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  const relayPort = await listen(server, cleanup);
  return { url: `http://127.0.0.1:${relayPort}/reports`, cut: () => closeServer(server, sockets) };
}

/*
 * Configured detection time (ROUTE53.md §4): a checker sees a refusing endpoint after FailureThreshold
 * consecutive failures, each one interval after the previous response: (THRESHOLD - 1) intervals
 * after its first failure, which comes within one interval of the kill. The checkers are not
 * synchronised: allow one more interval of skew. The push and the node's evaluation add a little.
 */
const DETECT_MIN_MS = (THRESHOLD - 1) * INTERVAL_S * 1000; // 200 ms: can't be faster
const DETECT_CONFIGURED_MS = THRESHOLD * INTERVAL_S * 1000 + INTERVAL_S * 1000; // 600 ms
const DETECT_TOLERANCE_MS = 500;

test('kill an endpoint: both nodes answer the secondary after the detection time; bring it back: the primary returns', async () => {
  const p = await new Endpoint().start();
  const s = await new Endpoint().start();
  const c = config([healthCheck('hc-p', p.port), healthCheck('hc-s', s.port)], ['c1', 'c2', 'c3']);
  const nodes = [await startNode(c), await startNode(c)];
  const events: CheckerEvent[] = [];
  for (const id of ['c1', 'c2', 'c3']) startChecker(c, id, nodes.map(reportsUrl), events);

  // Everyone reports, the primary answers.
  for (const node of nodes) {
    await waitFor('three fresh reports', () => (reportsAt(node, 'hc-p').freshCount === 3 ? true : undefined), 3000);
    expect(await answer(node, 'app.example.com')).toEqual([PRIMARY]);
  }

  await p.stop();
  const killedAt = performance.now();
  const detected = await Promise.all(nodes.map((node) => answerBecomes(node, 'app.example.com', SECONDARY, 3000).then(() => performance.now() - killedAt)));
  for (const ms of detected) {
    expect(ms).toBeGreaterThanOrEqual(DETECT_MIN_MS);
    expect(ms).toBeLessThanOrEqual(DETECT_CONFIGURED_MS + DETECT_TOLERANCE_MS);
  }
  for (const node of nodes) {
    expect(node.isHealthy('hc-p')).toBe(false);
    expect(reportsAt(node, 'hc-p')).toEqual({ freshCount: 3, healthyCount: 0 });
  }
  // the checkers logged their own view changing, with Route 53's reason
  expect(events.filter((e) => e.event === 'verdict' && e.healthCheckId === 'hc-p' && e.healthy === false).map((e) => e.reason)).toEqual(['connection refused', 'connection refused', 'connection refused']);

  await p.start(); // same port
  const backAt = performance.now();
  const recovered = await Promise.all(nodes.map((node) => answerBecomes(node, 'app.example.com', PRIMARY, 3000).then(() => performance.now() - backAt)));
  for (const ms of recovered) {
    expect(ms).toBeGreaterThanOrEqual(DETECT_MIN_MS);
    expect(ms).toBeLessThanOrEqual(DETECT_CONFIGURED_MS + DETECT_TOLERANCE_MS);
  }
});

test('partition: a node that hears 2 of 5 checkers decides by those 2; the other by all 5; then the last resort', async () => {
  const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
  const p = await new Endpoint(['c3', 'c4', 'c5']).start(); // healthy only for the three that get cut off
  const q = await new Endpoint(['c1']).start(); // healthy for one checker of five
  const s = await new Endpoint().start();
  const c = config([healthCheck('hc-p', p.port), healthCheck('hc-q', q.port), healthCheck('hc-s', s.port)], ids);
  const [n1, n2] = [await startNode(c), await startNode(c)];
  const relay = await relayTo(n1.adminAddress!.port);
  const events: CheckerEvent[] = [];
  for (const id of ids) {
    const cutOff = ['c3', 'c4', 'c5'].includes(id);
    startChecker(c, id, [cutOff ? relay.url : reportsUrl(n1), reportsUrl(n2)], events);
  }

  // Connected: both nodes hear five checkers. P: 3 of 5 healthy; Q: 1 of 5 = 20 % > 18 %: healthy.
  for (const node of [n1, n2]) {
    await waitFor('five fresh reports on P with three healthy', () => {
      const r = reportsAt(node, 'hc-p');
      return r.freshCount === 5 && r.healthyCount === 3 ? true : undefined;
    }, 4000);
    // (a new check starts healthy: wait until every checker has crossed its threshold)
    await waitFor('Q seen by five, one healthy', () => {
      const r = reportsAt(node, 'hc-q');
      return r.freshCount === 5 && r.healthyCount === 1 ? true : undefined;
    }, 2000);
    expect(await answer(node, 'app.example.com')).toEqual([PRIMARY]);
    expect(await answer(node, 'q.example.com')).toEqual([PRIMARY]);
  }

  // Cut c3, c4 and c5 off from n1. Their last reports there go stale after FRESHNESS_MS.
  await relay.cut();
  const cutAt = performance.now();
  await answerBecomes(n1, 'app.example.com', SECONDARY, FRESHNESS_MS + 1500);
  expect(performance.now() - cutAt).toBeGreaterThanOrEqual(FRESHNESS_MS - 2 * INTERVAL_S * 1000);
  // n1 decides with what it hears: P 0 of 2 healthy -> unhealthy; Q 1 of 2 -> healthy.
  expect(reportsAt(n1, 'hc-p')).toEqual({ freshCount: 2, healthyCount: 0 });
  // (each check's observations carry their own observedAt: Q's go stale within an interval of P's)
  await waitFor('Q heard from two at n1', () => (reportsAt(n1, 'hc-q').freshCount === 2 ? true : undefined), 2 * INTERVAL_S * 1000 + 300);
  expect(reportsAt(n1, 'hc-q')).toEqual({ freshCount: 2, healthyCount: 1 });
  expect(await answer(n1, 'q.example.com')).toEqual([PRIMARY]);
  // n2 still hears everyone: P 3 of 5 -> primary.
  expect(reportsAt(n2, 'hc-p')).toEqual({ freshCount: 5, healthyCount: 3 });
  expect(await answer(n2, 'app.example.com')).toEqual([PRIMARY]);
  // The weighted group at n1 only answers the healthy member.
  for (let i = 0; i < 10; i++) expect(await answer(n1, 'w.example.com')).toEqual(['192.0.2.12']);
  // The cut-off checkers keep retrying n1 with backoff.
  const failed = events.filter((e) => e.event === 'push-failed' && e.url === relay.url);
  expect(failed.length).toBeGreaterThan(0);
  // A push in flight when the relay cut its connections ends in a reset (at most one per cut-off
  // checker); every push after that is refused.
  const errors = failed.map((e) => String(e.error));
  const refused = errors.filter((e) => e.startsWith('ECONNREFUSED'));
  const reset = errors.filter((e) => /^(ECONNRESET|EPIPE|UND_ERR_SOCKET)\b/.test(e));
  expect(refused.length + reset.length).toBe(errors.length);
  expect(reset.length).toBeLessThanOrEqual(3);
  expect(errors[errors.length - 1]).toMatch(/^ECONNREFUSED/);

  // Every endpoint down: once every checker has seen it, both nodes answer anyway (last resort):
  // failover answers the primary when both are unhealthy; the weighted group answers both members.
  await Promise.all([p.stop(), q.stop(), s.stop()]);
  for (const node of [n1, n2]) {
    await waitFor('P and S unhealthy', () => (!node.isHealthy('hc-p') && !node.isHealthy('hc-s') ? true : undefined), 3000);
    expect(await answer(node, 'app.example.com')).toEqual([PRIMARY]);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) for (const a of await answer(node, 'w.example.com')) seen.add(a);
    expect([...seen].sort()).toEqual(['192.0.2.11', '192.0.2.12']);
  }
  await sleep(0);
});
