/**
 * The warm-up of an answering worker (lib/dns/responder.ts `warmUp`): it asks a freshly compiled zone
 * set every group's question once before the worker listens. What it caches is kept by the engine's
 * choice, so answers given afterwards still follow every verdict, including a verdict that was already
 * in force before the warm-up (workers warm up before they are given the verdicts).
 */
import { addresses, query } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { decodeMessage, DnsMetrics, Responder, RRType, Serving, Transport, warmUp, ZoneSet } from '../../lib/dns';

const check = (ip: string) => ({ type: 'HTTP' as const, ipAddress: ip, port: 80, resourcePath: '/' });
const config: BundleConfig = {
  version: 1,
  zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
  healthChecks: [{ id: 'a', config: check('192.0.2.1') }, { id: 'b', config: check('192.0.2.2') }, { id: 'p', config: check('192.0.2.10') }],
  recordSets: [
    { name: 'www.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.1'], setIdentifier: 'a', weight: 50, healthCheckId: 'a' },
    { name: 'www.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.2'], setIdentifier: 'b', weight: 50, healthCheckId: 'b' },
    { name: 'app.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.10'], setIdentifier: 'p', failover: 'PRIMARY', healthCheckId: 'p' },
    { name: 'app.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.20'], setIdentifier: 's', failover: 'SECONDARY' },
  ],
  checkers: [],
  dnsNodes: [],
} as unknown as BundleConfig;

/** A worker's serving: a set of unhealthy ids, and a generation that moves with it. */
function workerServing(): { serving: Serving; unhealthy: Set<string>; changed(): void } {
  const unhealthy = new Set<string>();
  const health = { generation: 0 };
  const serving: Serving = { zones: new ZoneSet(config), isHealthy: (id) => id === undefined || !unhealthy.has(id), health };
  return { serving, unhealthy, changed: () => void health.generation++ };
}

function answersOf(responder: Responder, name: string, times = 60): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < times; i++) {
    const q = query(name, RRType.A);
    seen.add(addresses(decodeMessage(responder.answer(q, q.length, Transport.UDP)!)).join(','));
  }
  return [...seen].sort();
}

test('asks every group\'s question (at least 2,000 questions in all) and counts none of them', () => {
  const { serving } = workerServing();
  const metrics = new DnsMetrics();
  const responder = new Responder(() => serving, metrics);
  expect(warmUp(serving)).toBe(2000);
  expect(metrics.answerCounters().queries.reduce((a, b) => a + b, 0)).toBe(0);
  expect(answersOf(responder, 'www.example.com')).toEqual(['192.0.2.1', '192.0.2.2']);
  expect(answersOf(responder, 'app.example.com')).toEqual(['192.0.2.10']);
});

test('answers after a warm-up follow the verdicts given afterwards, and those in force before it', () => {
  const w = workerServing();
  // Unhealthy before the warm-up: the warm-up (as a worker's) ran under other verdicts than these.
  w.unhealthy.add('p');
  w.changed();
  warmUp(w.serving);
  const responder = new Responder(() => w.serving, new DnsMetrics());
  expect(answersOf(responder, 'app.example.com')).toEqual(['192.0.2.20']);
  expect(answersOf(responder, 'www.example.com')).toEqual(['192.0.2.1', '192.0.2.2']);

  w.unhealthy.add('a');
  w.unhealthy.delete('p');
  w.changed();
  expect(answersOf(responder, 'www.example.com')).toEqual(['192.0.2.2']);
  expect(answersOf(responder, 'app.example.com')).toEqual(['192.0.2.10']);

  w.unhealthy.add('b');
  w.changed();
  // Both weighted members unhealthy: Route 53 answers with all of them (none healthy).
  expect(answersOf(responder, 'www.example.com')).toEqual(['192.0.2.1', '192.0.2.2']);
});
