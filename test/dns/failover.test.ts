/**
 * Failover groups answered through the engine, driven by checker reports posted to the admin API;
 * the admin endpoints; reloads through the API.
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { addresses, httpRequest, postReport, query, sampleConfig, udpQuery } from './helpers';
import { DnsNode, RRType } from '../../lib/dns';
import { ReportAuthenticator } from '../../lib/protocol';

let node: DnsNode;
let dnsPort: number;
let adminPort: number;

const CHECKERS: Array<[string, string]> = [['c1', 'eu-west-1'], ['c2', 'us-east-1'], ['c3', 'ap-southeast-1']];

/** All three checkers report the same verdict for the given checks. */
async function allReport(verdicts: Record<string, boolean>) {
  for (const [id, region] of CHECKERS) {
    const res = await postReport(adminPort, id, region, Object.entries(verdicts).map(([healthCheckId, healthy]) => ({ healthCheckId, healthy, reason: healthy ? 'HTTP status 200' : 'HTTP status 503' })));
    expect(res.status).toBe(200);
  }
}

/** The answers of `n` queries, counted by address set. */
async function sample(name: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = addresses(await udpQuery(dnsPort, query(name, RRType.A))).sort().join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, evaluateIntervalMs: 100 });
  dnsPort = node.dnsAddress.port;
  adminPort = node.adminAddress!.port;
});

afterAll(async () => {
  await node?.stop();
});

describe('weighted group', () => {
  test('both members answer while healthy (50/50)', async () => {
    const counts = await sample('emdr.example.com', 200);
    expect([...counts.keys()].sort()).toEqual(['192.0.2.10', '192.0.2.20']);
    // Binomial(200, 0.5): below 60 has probability < 1e-8.
    expect(counts.get('192.0.2.10')!).toBeGreaterThan(60);
    expect(counts.get('192.0.2.20')!).toBeGreaterThan(60);
    // Through a CNAME to the group as well (its answers are kept per engine choice).
    const viaCname = new Set<string>();
    for (let i = 0; i < 60; i++) viaCname.add(addresses(await udpQuery(dnsPort, query('to-emdr.example.com', RRType.A))).join(','));
    expect([...viaCname].sort()).toEqual(['192.0.2.10', '192.0.2.20']);
  });

  test('a member reported unhealthy by every checker leaves the answers; the verdict change is returned', async () => {
    const first = await postReport(adminPort, 'c1', 'eu-west-1', [{ healthCheckId: 'gw-a', healthy: false }]);
    // The only fresh report says unhealthy (0 % <= 18 %). The calculated check over gw-a and gw-b (threshold 2) follows.
    expect(first.json).toEqual({
      accepted: 1,
      verdictChanges: [expect.objectContaining({ healthCheckId: 'gw-a', healthy: false }), expect.objectContaining({ healthCheckId: 'both', healthy: false })],
    });
    await allReport({ 'gw-a': false });
    expect(node.isHealthy('gw-a')).toBe(false);
    const counts = await sample('emdr.example.com', 60);
    expect([...counts.keys()]).toEqual(['192.0.2.20']);
    // A CNAME to the group follows the engine's choice too.
    for (let i = 0; i < 20; i++) {
      expect(addresses(await udpQuery(dnsPort, query('to-emdr.example.com', RRType.A)))).toEqual(['192.0.2.20']);
    }
  });

  test('one healthy checker of three (33 % > 18 %) brings it back', async () => {
    const res = await postReport(adminPort, 'c2', 'us-east-1', [{ healthCheckId: 'gw-a', healthy: true }]);
    expect(res.json.verdictChanges).toEqual([expect.objectContaining({ healthCheckId: 'gw-a', healthy: true }), expect.objectContaining({ healthCheckId: 'both', healthy: true })]);
    const counts = await sample('emdr.example.com', 100);
    expect([...counts.keys()].sort()).toEqual(['192.0.2.10', '192.0.2.20']);
  });

  test('last resort: with every member unhealthy, all answer again', async () => {
    await allReport({ 'gw-a': false, 'gw-b': false });
    expect(node.isHealthy('gw-a') || node.isHealthy('gw-b')).toBe(false);
    const counts = await sample('emdr.example.com', 100);
    expect([...counts.keys()].sort()).toEqual(['192.0.2.10', '192.0.2.20']);
    await allReport({ 'gw-a': true, 'gw-b': true });
  });
});

describe('failover group', () => {
  const answer = async () => addresses(await udpQuery(dnsPort, query('app.example.com', RRType.A)));

  test('the primary while healthy, the secondary when it fails, the primary when both fail', async () => {
    expect(await answer()).toEqual(['192.0.2.30']);
    await allReport({ primary: false });
    expect(await answer()).toEqual(['192.0.2.31']);
    await allReport({ secondary: false });
    expect(await answer()).toEqual(['192.0.2.30']);
    await allReport({ primary: true, secondary: true });
    expect(await answer()).toEqual(['192.0.2.30']);
  });

  test('the group\'s TTL', async () => {
    const m = await udpQuery(dnsPort, query('app.example.com', RRType.A));
    expect(m.answers[0].ttl).toBe(30);
  });
});

describe('multivalue group', () => {
  test('up to 8 of the healthy records, in different combinations', async () => {
    const counts = await sample('mv.example.com', 40);
    for (const key of counts.keys()) expect(key.split(',')).toHaveLength(8);
    expect(counts.size).toBeGreaterThan(3); // C(10, 8) = 45 combinations
  });

  test('only healthy records while there are some; 8 anyway when none is', async () => {
    await allReport({ 'mv-0': false, 'mv-1': false, 'mv-2': false });
    const healthy = await sample('mv.example.com', 20);
    expect([...healthy.keys()]).toEqual([Array.from({ length: 7 }, (_, i) => `192.0.2.${103 + i}`).join(',')]);
    await allReport(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`mv-${i}`, false])));
    const none = await sample('mv.example.com', 20);
    for (const key of none.keys()) expect(key.split(',')).toHaveLength(8);
    await allReport(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`mv-${i}`, true])));
  });
});

describe('verdicts on a timer', () => {
  test('a verdict changes when reports go stale, without a new report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dns-timer-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(sampleConfig({ verdict: { healthyFraction: 0.18, freshnessMs: 600 } })));
    const n = await DnsNode.start({ configFile: file, dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, evaluateIntervalMs: 25 });
    try {
      const admin = n.adminAddress!.port;
      const now = Date.now();
      // c1 healthy (stale 200 ms from now), c2 and c3 unhealthy (fresh for 600 ms): 1 of 3 healthy.
      await postReport(admin, 'c1', 'eu-west-1', [{ healthCheckId: 'gw-a', healthy: true, observedAt: now - 400 }]);
      await postReport(admin, 'c2', 'us-east-1', [{ healthCheckId: 'gw-a', healthy: false, observedAt: now }]);
      await postReport(admin, 'c3', 'ap-southeast-1', [{ healthCheckId: 'gw-a', healthy: false, observedAt: now }]);
      expect(n.isHealthy('gw-a')).toBe(true);
      const deadline = Date.now() + 3000;
      while (n.isHealthy('gw-a') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(n.isHealthy('gw-a')).toBe(false); // c1 went stale: 0 of 2 fresh reports healthy
      const status = (await httpRequest(admin, 'GET', '/status')).json;
      expect(status.recentVerdictChanges).toContainEqual(expect.objectContaining({ healthCheckId: 'gw-a', healthy: false }));
    } finally {
      await n.stop();
    }
  });
});

describe('POST /reports validation', () => {
  const post = (body: unknown, headers = {}) => httpRequest(adminPort, 'POST', '/reports', typeof body === 'string' ? body : JSON.stringify(body), headers);
  const good = { checkerId: 'c1', region: 'eu-west-1', observations: [{ healthCheckId: 'gw-a', healthy: true, observedAt: Date.now() }] };

  test.each([
    ['not JSON', '{nope', 'the body is not JSON'],
    ['an array', '[]', 'the body must be a JSON object, got []'],
    ['an unknown field', { ...good, extra: 1 }, "unknown field 'extra'"],
    ['an unknown checker', { ...good, checkerId: 'c9' }, "checker 'c9' is not in the node's config (known: c1, c2, c3)"],
    ['the wrong region', { ...good, region: 'sa-east-1' }, "checker 'c1' is configured in region 'eu-west-1', but the report says 'sa-east-1'"],
    ['no observations', { ...good, observations: [] }, 'observations is empty'],
    ['a non-boolean verdict', { ...good, observations: [{ ...good.observations[0], healthy: 'yes' }] }, 'observations[0].healthy must be true or false, got "yes"'],
    ['a missing time', { ...good, observations: [{ healthCheckId: 'gw-a', healthy: true }] }, 'observations[0].observedAt must be ms since epoch, got undefined'],
    ['a time in the future', { ...good, observations: [{ ...good.observations[0], observedAt: Date.now() + 3_600_000 }] }, 'in the future'],
    ['a duplicated check', { ...good, observations: [good.observations[0], good.observations[0]] }, "'gw-a' appears twice"],
    ['a negative latency', { ...good, observations: [{ ...good.observations[0], latencyMs: -1 }] }, 'observations[0].latencyMs must be a number'],
  ])('400 with the reason for %s', async (_what, body, reason) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(reason);
  });

  test('observations of checks this node does not have (or not as endpoint checks) are left out and counted; the rest counts', async () => {
    const res = await post({
      ...good,
      observations: [
        { healthCheckId: 'nope', healthy: true, observedAt: Date.now() },
        { healthCheckId: 'both', healthy: true, observedAt: Date.now() },
        { healthCheckId: 'gw-b', healthy: true, observedAt: Date.now() },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      accepted: 1,
      ignored: 2,
      ignoredHealthChecks: [{ healthCheckId: 'nope', reason: 'unknown-health-check' }, { healthCheckId: 'both', reason: 'not-endpoint-check' }],
    });
    const metrics = (await httpRequest(adminPort, 'GET', '/metrics')).text;
    expect(metrics).toContain('dns_failover_report_observations_ignored_total{checker="c1",reason="unknown-health-check"} 1');
    expect(metrics).toContain('dns_failover_report_observations_ignored_total{checker="c1",reason="not-endpoint-check"} 1');
    const status = (await httpRequest(adminPort, 'GET', '/status')).json;
    expect(status.checkers.find((c: any) => c.id === 'c1').ignoredObservations).toEqual(res.json.ignoredHealthChecks);
  });

  test('a refused report changes nothing (all or nothing)', async () => {
    const before = node.isHealthy('gw-b');
    const res = await post({ ...good, observations: [{ healthCheckId: 'gw-b', healthy: !before, observedAt: Date.now() }, { healthCheckId: 'gw-a', healthy: 'no', observedAt: Date.now() }] });
    expect(res.status).toBe(400);
    const status = (await httpRequest(adminPort, 'GET', '/status')).json;
    const gwB = status.healthChecks.find((h: any) => h.healthCheckId === 'gw-b');
    expect(gwB.reports.find((r: any) => r.checkerId === 'c1').healthy).toBe(true);
  });

  test('415 for a body that is not JSON by content type, 405 for GET, 404 elsewhere, 413 when too large', async () => {
    expect((await post(good, { 'content-type': 'text/plain' })).status).toBe(415);
    const get = await httpRequest(adminPort, 'GET', '/reports');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await httpRequest(adminPort, 'GET', '/nope')).status).toBe(404);
    const huge = JSON.stringify({ ...good, pad: 'x'.repeat(5 * 1024 * 1024) });
    expect((await post(huge)).status).toBe(413);
  });
});

describe('report authentication seam', () => {
  test('an authenticator runs before the body is read and can bind the checker id', async () => {
    const seen: string[] = [];
    const authenticator: ReportAuthenticator = {
      name: 'test-token',
      admit(req) {
        const token = req.headers['x-test-token'];
        if (token === undefined) return { ok: false, status: 401, reason: 'no x-test-token header' };
        return {
          ok: true,
          checkerId: String(token),
          finish: (body) => {
            seen.push(body.toString('utf8'));
            return { ok: true, checkerId: String(token) };
          },
          release: () => undefined,
        };
      },
    };
    const n = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, reportAuthenticator: authenticator });
    try {
      const admin = n.adminAddress!.port;
      const body = JSON.stringify({ checkerId: 'c1', region: 'eu-west-1', observations: [{ healthCheckId: 'gw-a', healthy: false, observedAt: Date.now() }] });
      const unauth = await httpRequest(admin, 'POST', '/reports', '{not even json');
      expect(unauth.status).toBe(401);
      expect(unauth.json.error).toBe('no x-test-token header');
      const wrong = await httpRequest(admin, 'POST', '/reports', body, { 'x-test-token': 'c2' });
      expect(wrong.status).toBe(403);
      expect(wrong.json.error).toContain("checker 'c2'");
      const ok = await httpRequest(admin, 'POST', '/reports', body, { 'x-test-token': 'c1' });
      expect(ok.status).toBe(200);
      expect(seen[seen.length - 1]).toBe(body); // the raw octets, for an HMAC
      expect((await httpRequest(admin, 'GET', '/status')).json.node.reportAuthentication).toBe('test-token');
    } finally {
      await n.stop();
    }
  });
});

describe('admin endpoints', () => {
  test('GET /healthz', async () => {
    const res = await httpRequest(adminPort, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok', udp: expect.stringMatching(/^answered/), tcp: expect.stringMatching(/^answered/) });
  });

  test('GET /status: zones, groups with shares, health checks with per-checker reports, checkers', async () => {
    await allReport({ 'gw-a': false });
    const res = await httpRequest(adminPort, 'GET', '/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const s = res.json;
    expect(s.node).toEqual(expect.objectContaining({ dns: `127.0.0.1:${dnsPort}`, admin: `127.0.0.1:${adminPort}`, reportAuthentication: 'none' }));
    expect(s.config).toEqual(expect.objectContaining({ version: 1, lastReload: null, warnings: [] }));
    expect(s.verdictSettings).toEqual({ healthyFraction: 0.18, freshnessMs: 60000 });
    expect(s.zones).toEqual([{ name: 'example.com', serial: 2024010101, nameServers: ['ns1.example.com', 'ns2.example.com'], staticRecords: 16, groups: 3 }]);
    const emdr = s.groups.find((g: any) => g.name === 'emdr.example.com');
    expect(emdr).toEqual(expect.objectContaining({ recordType: 'A', policy: 'weighted', ttl: 60 }));
    expect(emdr.members).toEqual([
      expect.objectContaining({ setIdentifier: 'gw-a', weight: 50, healthCheckId: 'gw-a', healthy: false, share: 0 }),
      expect.objectContaining({ setIdentifier: 'gw-b', weight: 50, healthCheckId: 'gw-b', healthy: true, share: 1 }),
    ]);
    const gwA = s.healthChecks.find((h: any) => h.healthCheckId === 'gw-a');
    expect(gwA).toEqual(expect.objectContaining({ type: 'HTTP', kind: 'endpoint', healthy: false, freshCount: 3, healthyCount: 0 }));
    expect(gwA.reports.map((r: any) => [r.checkerId, r.region, r.healthy, r.reason, r.fresh])).toEqual([
      ['c1', 'eu-west-1', false, 'HTTP status 503', true],
      ['c2', 'us-east-1', false, 'HTTP status 503', true],
      ['c3', 'ap-southeast-1', false, 'HTTP status 503', true],
    ]);
    expect(s.checkers).toEqual(CHECKERS.map(([id, region]) => expect.objectContaining({
      id, region, lastReportAt: expect.any(String), ageMs: expect.any(Number),
    })));
    expect(s.recentVerdictChanges.length).toBeGreaterThan(0);
    await allReport({ 'gw-a': true });
  });

  test('GET /metrics: Prometheus text that parses, with queries by rcode and type, latency, verdict changes', async () => {
    await udpQuery(dnsPort, query('nope.example.com', RRType.MX));
    const res = await httpRequest(adminPort, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    const samples = new Map<string, number>();
    const types = new Map<string, string>();
    for (const line of res.text.trimEnd().split('\n')) {
      if (line.startsWith('# TYPE ')) {
        const [, , name, type] = line.split(' ');
        types.set(name, type);
        continue;
      }
      if (line.startsWith('# HELP ')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
      expect(m).not.toBeNull(); // every line is a valid sample
      samples.set(`${m![1]}${m![2] ?? ''}`, Number(m![3]));
    }
    expect(types.get('dns_failover_queries_total')).toBe('counter');
    expect(types.get('dns_failover_answer_duration_seconds')).toBe('histogram');
    expect(samples.get('dns_failover_queries_total{transport="udp",rcode="NOERROR",qtype="A"}')).toBeGreaterThan(100);
    expect(samples.get('dns_failover_queries_total{transport="udp",rcode="NXDOMAIN",qtype="MX"}')).toBeGreaterThanOrEqual(1);
    const buckets = [...samples.entries()].filter(([k]) => k.startsWith('dns_failover_answer_duration_seconds_bucket')).map(([, v]) => v);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]);
    expect(buckets[buckets.length - 1]).toBe(samples.get('dns_failover_answer_duration_seconds_count'));
    expect(samples.get('dns_failover_verdict_changes_total{health_check="gw-a",healthy="false"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('dns_failover_health_check_healthy{health_check="gw-a"}')).toBe(1);
    expect(samples.get('dns_failover_reports_total{result="accepted"}')).toBeGreaterThan(0);
    expect(samples.get('dns_failover_reports_total{result="rejected",reason="malformed"}')).toBeGreaterThan(0);
  });
});

describe('POST /reload', () => {
  test('a good config is served; a bad one is refused (422 with the reasons) and the old one kept', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dns-reload-'));
    const file = path.join(dir, 'config.json');
    const config = sampleConfig();
    writeFileSync(file, JSON.stringify(config));
    const n = await DnsNode.start({ configFile: file, dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
    try {
      const dns = n.dnsAddress.port;
      const admin = n.adminAddress!.port;
      // A verdict before the reload ...
      for (const [id, region] of CHECKERS) await postReport(admin, id, region, [{ healthCheckId: 'gw-a', healthy: false }]);
      expect(n.isHealthy('gw-a')).toBe(false);

      const added = { ...config, zones: [{ ...config.zones[0], records: [...config.zones[0].records!, { name: 'new.example.com', recordType: 'A' as const, ttl: 60, values: ['192.0.2.123'] }] }] };
      writeFileSync(file, JSON.stringify(added));
      const ok = await httpRequest(admin, 'POST', '/reload');
      expect(ok.status).toBe(200);
      expect(ok.json.ok).toBe(true);
      expect(addresses(await udpQuery(dns, query('new.example.com', RRType.A)))).toEqual(['192.0.2.123']);
      // ... survives it: the engine carries the reports over.
      expect(n.isHealthy('gw-a')).toBe(false);
      expect(addresses(await udpQuery(dns, query('emdr.example.com', RRType.A)))).toEqual(['192.0.2.20']);

      const broken = JSON.parse(JSON.stringify(added));
      broken.zones[0].records[0].values = ['not-an-address'];
      broken.zones[0].records.push({ name: 'newer.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.124'] });
      writeFileSync(file, JSON.stringify(broken));
      const refused = await httpRequest(admin, 'POST', '/reload');
      expect(refused.status).toBe(422);
      expect(refused.json).toEqual(expect.objectContaining({ ok: false, serving: 'the previous config' }));
      expect(refused.json.error).toContain("/zones/0/records/0/values/0: 'not-an-address' is not an IPv4 address");
      expect(refused.json.problems).toEqual([{ path: '/zones/0/records/0/values/0', problem: "'not-an-address' is not an IPv4 address", fix: expect.stringContaining('192.0.2.10'), message: expect.stringContaining('not-an-address') }]);
      // Still serving the previous config.
      expect(addresses(await udpQuery(dns, query('new.example.com', RRType.A)))).toEqual(['192.0.2.123']);
      const nx = await udpQuery(dns, query('newer.example.com', RRType.A));
      expect(nx.flags & 0xf).toBe(3);
      const status = (await httpRequest(admin, 'GET', '/status')).json;
      expect(status.config.lastReload).toEqual(expect.objectContaining({ ok: false, error: expect.stringContaining('not-an-address') }));
      const metrics = (await httpRequest(admin, 'GET', '/metrics')).text;
      expect(metrics).toContain('dns_failover_reloads_total{result="failed"} 1');
      expect(metrics).toContain('dns_failover_config_last_reload_successful 0');

      writeFileSync(file, '{ "version": 1, ');
      const notJson = await httpRequest(admin, 'POST', '/reload');
      expect(notJson.status).toBe(422);
      expect(notJson.json.error).toContain('is not valid JSON');

      writeFileSync(file, JSON.stringify(config));
      expect((await httpRequest(admin, 'POST', '/reload')).status).toBe(200);
      expect((await httpRequest(admin, 'GET', '/status')).json.config.lastReload.ok).toBe(true);
      expect((await udpQuery(dns, query('new.example.com', RRType.A))).flags & 0xf).toBe(3);
    } finally {
      await n.stop();
    }
  });

  test('a node started from a config object has nothing to re-read', async () => {
    const res = await httpRequest(adminPort, 'POST', '/reload');
    expect(res.status).toBe(422);
    expect(res.json.error).toContain('nothing to re-read');
  });
});
