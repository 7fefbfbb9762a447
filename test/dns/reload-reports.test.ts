/**
 * A reload that removes a health check does not freeze the verdicts (issue 13, item 6). Real
 * processes: a DNS node and a checker, both from config A (checks x and y); the node is reloaded
 * (SIGHUP) with config B, without y, while the checker still runs A and reports x and y. The node
 * leaves y out of each report, counts it, and keeps deciding x from the checker's reports: when x's
 * endpoint fails, the answer moves to the secondary. Before the fix every report was refused whole
 * (400) and x's verdict froze until the checker restarted.
 */
import { promises as dnsPromises } from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { request } from 'undici';
import { killSpawned, Spawned, spawnCli } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { Cleanup, httpServer, waitFor } from '../checker/helpers';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

test('after a reload that removes a check, reports from a checker on the old config still move the other verdicts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reload-reports-'));
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keysDir = path.join(dir, 'keys');
  fs.mkdirSync(keysDir);
  fs.writeFileSync(path.join(keysDir, 'c1'), 'reload-test-key-of-c1-0123456789\n');
  let xHealthy = true;
  const x = await httpServer((_req, res) => {
    res.writeHead(xHealthy ? 200 : 503);
    res.end();
  }, cleanup);
  const y = await httpServer((_req, res) => {
    res.writeHead(200);
    res.end();
  }, cleanup);
  const check = (port: number) => ({ type: 'HTTP' as const, ipAddress: '127.0.0.1', port, resourcePath: '/', requestInterval: 0.2, failureThreshold: 2, connectTimeout: 0.3, statusTimeout: 0.3 });
  const configA: BundleConfig = {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 0 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [{ id: 'x', config: check(x.port) }, { id: 'y', config: check(y.port) }],
    recordSets: [
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'primary', failover: 'PRIMARY', healthCheckId: 'x' },
      { name: 'app.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'secondary', failover: 'SECONDARY' },
      { name: 'other.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.3'], setIdentifier: 'primary', failover: 'PRIMARY', healthCheckId: 'y' },
      { name: 'other.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.4'], setIdentifier: 'secondary', failover: 'SECONDARY' },
    ],
    verdict: { freshnessMs: 2000 },
    checkers: [{ id: 'c1', region: 'local' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const configB: BundleConfig = {
    ...configA,
    healthChecks: configA.healthChecks.filter((h) => h.id !== 'y'),
    recordSets: configA.recordSets.filter((r) => r.name !== 'other.example.com'),
  };
  const nodeFile = path.join(dir, 'node.json');
  const checkerFile = path.join(dir, 'checker.json');
  fs.writeFileSync(nodeFile, JSON.stringify(configA));
  fs.writeFileSync(checkerFile, JSON.stringify(configA));
  const spawned: Spawned[] = [];
  cleanup.add(async () => {
    for (const s of spawned) await killSpawned(s);
  });

  const node = spawnCli(['serve', '--config', nodeFile, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--keys-dir', keysDir, '--evaluate-interval', '50']);
  spawned.push(node);
  const started = await node.waitFor((e) => e.event === 'started');
  const checker = spawnCli(['check', '--config', checkerFile, '--checker-id', 'c1', '--region', 'local', '--push', `http://${started.admin}/reports`, '--key-file', path.join(keysDir, 'c1')]);
  spawned.push(checker);
  const status = async () => (await (await request(`http://${started.admin}/status`)).body.json()) as any;
  await waitFor('reports on x and y', async () => {
    const s = await status();
    return s.healthChecks.every((h: any) => h.reports.length === 1) ? true : undefined;
  }, 15_000);

  fs.writeFileSync(nodeFile, JSON.stringify(configB));
  node.child.kill('SIGHUP');
  await node.waitFor((e) => e.event === 'reload' && e.ok === true);

  const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 2 });
  resolver.setServers([String(started.dns)]);
  expect(await resolver.resolve4('app.example.com')).toEqual(['192.0.2.1']);
  xHealthy = false;
  await node.waitFor((e) => e.event === 'verdict' && e.healthCheckId === 'x' && e.healthy === false, 10_000);
  expect(await resolver.resolve4('app.example.com')).toEqual(['192.0.2.2']);
  const ignored = await node.waitFor((e) => e.event === 'report-observations-ignored' && e.count === 1, 5000);
  expect(ignored.healthChecks).toEqual([{ healthCheckId: 'y', reason: 'unknown-health-check' }]);
  expect(checker.events.filter((e) => e.event === 'push-failed')).toEqual([]);
  const metrics = await (await request(`http://${started.admin}/metrics`)).body.text();
  expect(metrics).toMatch(/dns_failover_report_observations_ignored_total\{checker="c1",reason="unknown-health-check"\} [1-9]/);

  for (const s of [checker, node]) s.child.kill('SIGTERM');
  for (const s of [checker, node]) expect(await s.exited).toBe(0);
});
