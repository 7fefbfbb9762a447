/**
 * `verify --live` against local endpoints (loopback only): the checker's probes run once, their
 * results go to the engine as one checker's reports, and the engine's answers follow.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { tmpDir, writeBundleDir } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { runCli } from '../../lib/cli/run';
import { HealthCheckConfigModel, RecordSetModel } from '../../lib/model';
import { bundleSource, liveProbe, LiveReport } from '../../lib/verify';

let server: http.Server;
let port: number;
let closedPort: number;
let dir: string;
let config: BundleConfig;
let live: LiveReport;

const FAST = { connectTimeout: 0.5, statusTimeout: 0.5 };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/big') {
      // The marker lies after the 5,120 bytes a string-match check reads.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${'x'.repeat(6000)}MARKER`);
      return;
    }
    res.writeHead(req.url === '/status' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end('OK');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));

  const hc = (id: string, extra: Partial<HealthCheckConfigModel>) => ({ id, config: { type: 'HTTP' as const, ipAddress: '127.0.0.1', port, resourcePath: '/status', ...FAST, ...extra } });
  const rec = (name: string, setIdentifier: string, value: string, routing: Partial<RecordSetModel>, healthCheckId: string): RecordSetModel => ({
    name, recordType: 'A', ttl: 60, values: [value], setIdentifier, healthCheckId, ...routing,
  });
  config = {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [
      hc('up', {}),
      hc('refused', { port: closedPort }),
      hc('beyond-5120', { type: 'HTTP_STR_MATCH', resourcePath: '/big', searchString: 'MARKER', bodyTimeout: 0.5 }),
      hc('tcp', { type: 'TCP', resourcePath: undefined, statusTimeout: undefined }),
      hc('status-503', { resourcePath: '/other' }),
    ],
    recordSets: [
      rec('www.example.com', 'a', '192.0.2.1', { weight: 10 }, 'up'),
      rec('www.example.com', 'b', '192.0.2.2', { weight: 10 }, 'refused'),
      rec('www.example.com', 'c', '192.0.2.3', { weight: 10 }, 'beyond-5120'),
      rec('api.example.com', 'main', '192.0.2.10', { failover: 'PRIMARY' }, 'status-503'),
      rec('api.example.com', 'standby', '192.0.2.11', { failover: 'SECONDARY' }, 'tcp'),
    ],
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  dir = tmpDir('live');
  writeBundleDir(path.join(dir, 'bundle'), config);
  live = await liveProbe(bundleSource(config, 'config.json'));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('each endpoint is probed with the checker\'s rules, and the reason is shown', () => {
  const byId = Object.fromEntries(live.checks.map((c) => [c.healthCheckId, c]));
  expect(byId.up).toMatchObject({ probed: true, healthy: true, address: '127.0.0.1' });
  expect(byId.up.latencyMs).toBeGreaterThanOrEqual(0);
  expect(byId.refused).toMatchObject({ probed: true, healthy: false });
  expect(byId.refused.reason).toMatch(/refused/);
  expect(byId['beyond-5120']).toMatchObject({ probed: true, healthy: false });
  expect(byId['beyond-5120'].reason).toMatch(/search string not found in the first 5120 bytes/);
  expect(byId.tcp).toMatchObject({ probed: true, healthy: true });
  expect(byId['status-503']).toMatchObject({ probed: true, healthy: false });
  expect(byId['status-503'].reason).toMatch(/503/);
});

test('the engine answers with this machine\'s verdicts', () => {
  const shares = Object.fromEntries(live.gateways.map((g) => [g.gateway, g.answers.shares.map((s) => s.probability)]));
  expect(shares).toEqual({
    'www.example.com A': [1, 0, 0],
    'api.example.com A': [0, 1],
  });
});

test('dns-failover verify --live prints the probes and the answers; the exit code stays the lint\'s', async () => {
  const out: string[] = [];
  const code = await runCli(['verify', path.join(dir, 'bundle'), '--live'], { out: (l) => out.push(l), err: (l) => out.push(l) });
  const text = out.join('\n');
  expect(code).toBe(0);
  expect(text).toContain('Live probe from this machine');
  expect(text).toMatch(/health check refused +UNHEALTHY +connection refused/);
  expect(text).toContain('www.example.com A would answer: a 100.0 %, b 0.0 %, c 0.0 %');
  expect(text).toContain('api.example.com A would answer: main 0.0 %, standby 100.0 %');
});
