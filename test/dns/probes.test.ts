/**
 * The probes Kubernetes runs against a DNS node (issue 13, item 8), over real sockets:
 * - /healthz asks the node's own DNS listeners a real question over UDP and TCP: 503 once they no
 *   longer answer (before, /healthz said 200 as long as the HTTP server ran);
 * - /readyz also waits for a first report of every checker (or the freshness window), so a node that
 *   just started, which would answer every check as new and healthy, takes no queries behind a
 *   Service until it holds verdicts.
 */
import { httpRequest, postReport, sampleConfig } from './helpers';
import { DnsNode, DnsServer } from '../../lib/dns';

test('/healthz is a real DNS query over UDP and TCP; it fails when the DNS listeners do', async () => {
  const node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
  try {
    const admin = node.adminAddress!.port;
    const ok = await httpRequest(admin, 'GET', '/healthz');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'ok', dns: `example.com SOA at 127.0.0.1:${node.dnsAddress.port}`, udp: expect.stringMatching(/^answered in [\d.]+ ms$/), tcp: expect.stringMatching(/^answered in [\d.]+ ms$/) });
    // The DNS listeners stop (as when a socket breaks); the HTTP server still runs.
    await (node as unknown as { dns: DnsServer }).dns.close();
    const failing = await httpRequest(admin, 'GET', '/healthz');
    expect(failing.status).toBe(503);
    expect(failing.json.status).toBe('failing');
    expect(failing.json.udp).toMatch(/^no UDP answer within 1000 ms$|^UDP: /);
    expect(failing.json.tcp).toMatch(/^TCP: connect ECONNREFUSED/);
  } finally {
    await node.stop();
  }
});

test('/readyz waits for a first report of every checker, or the freshness window', async () => {
  const node = await DnsNode.start({
    config: sampleConfig({ verdict: { freshnessMs: 1500 }, checkers: [{ id: 'c1', region: 'eu-west-1' }, { id: 'c2', region: 'us-east-1' }] }),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
  });
  try {
    const admin = node.adminAddress!.port;
    const waiting = await httpRequest(admin, 'GET', '/readyz');
    expect(waiting.status).toBe(503);
    expect(waiting.json.reports).toMatch(/^waiting for a first report from c1, c2 \(at most [12] s more\)$/);
    await postReport(admin, 'c1', 'eu-west-1', [{ healthCheckId: 'gw-a', healthy: false }]);
    expect((await httpRequest(admin, 'GET', '/readyz')).json.reports).toMatch(/^waiting for a first report from c2 /);
    await postReport(admin, 'c2', 'us-east-1', [{ healthCheckId: 'gw-a', healthy: false }]);
    const ready = await httpRequest(admin, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.reports).toBe('every checker has reported since the start');
  } finally {
    await node.stop();
  }
  // A checker that never reports keeps a node out of service for the freshness window only.
  const lonely = await DnsNode.start({
    config: sampleConfig({ verdict: { freshnessMs: 300 } }),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
  });
  try {
    await new Promise((r) => setTimeout(r, 400));
    const r = await httpRequest(lonely.adminAddress!.port, 'GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.json.reports).toBe('no report yet from c1, c2, c3, but the freshness window since the start has passed');
  } finally {
    await lonely.stop();
  }
});
