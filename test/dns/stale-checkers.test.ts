/**
 * Checkers whose reports went stale are named (issue 13, item 8): a `checker-stale` log line once per
 * episode (and `checker-fresh` when reports count again), and per-checker metrics, over real HTTP.
 */
import { httpRequest, postReport, sampleConfig } from './helpers';
import { DnsNode, NodeEvent } from '../../lib/dns';
import { sleep, waitFor } from '../checker/helpers';

test('a checker that stops reporting, and one that never did, are logged and counted as stale', async () => {
  const events: NodeEvent[] = [];
  const node = await DnsNode.start({
    config: sampleConfig({ verdict: { freshnessMs: 600 }, checkers: [{ id: 'c1', region: 'eu-west-1' }, { id: 'c2', region: 'us-east-1' }] }),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    evaluateIntervalMs: 50,
    log: (e) => events.push(e),
  });
  try {
    const admin = node.adminAddress!.port;
    expect((await postReport(admin, 'c1', 'eu-west-1', [{ healthCheckId: 'gw-a', healthy: true }])).status).toBe(200);
    // c2 never reports: stale once the freshness window has passed since the start.
    const never = await waitFor('c2 stale', () => events.find((e) => e.event === 'checker-stale' && e.checkerId === 'c2'), 3000);
    expect(never.message).toMatch(/^no report from checker 'c2' since this node started \d+ s ago: check that it runs, pushes to this node and holds the key/);
    // c1 stops reporting: stale 600 ms after its report, logged once.
    const stopped = await waitFor('c1 stale', () => events.find((e) => e.event === 'checker-stale' && e.checkerId === 'c1'), 3000);
    expect(stopped.message).toMatch(/^no report from checker 'c1' for \d+ s, longer than the 0.6 s freshness window: its reports no longer count/);
    await sleep(200);
    expect(events.filter((e) => e.event === 'checker-stale' && e.checkerId === 'c1')).toHaveLength(1);
    let metrics = (await httpRequest(admin, 'GET', '/metrics')).text;
    expect(metrics).toContain('dns_failover_checker_stale{checker="c1"} 1');
    expect(metrics).toContain('dns_failover_checker_stale{checker="c2"} 1');
    expect(metrics).toContain('dns_failover_checker_report_age_seconds{checker="c2"} -1');
    expect(metrics).toMatch(/dns_failover_checker_report_age_seconds\{checker="c1"\} 0\.[6-9]|dns_failover_checker_report_age_seconds\{checker="c1"\} [1-9]/);
    expect(metrics).toContain('dns_failover_checker_stale_total{checker="c1"} 1');
    // c1 reports again: fresh.
    expect((await postReport(admin, 'c1', 'eu-west-1', [{ healthCheckId: 'gw-a', healthy: true }])).status).toBe(200);
    await waitFor('c1 fresh', () => events.find((e) => e.event === 'checker-fresh' && e.checkerId === 'c1'), 3000);
    metrics = (await httpRequest(admin, 'GET', '/metrics')).text;
    expect(metrics).toContain('dns_failover_checker_stale{checker="c1"} 0');
    const status = (await httpRequest(admin, 'GET', '/status')).json;
    expect(status.checkers.map((c: { id: string; stale: boolean }) => [c.id, c.stale])).toEqual([['c1', false], ['c2', true]]);
  } finally {
    await node.stop();
  }
});
