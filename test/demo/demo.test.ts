/**
 * The demo story end to end, with real DNS queries against a real DNS node and real checkers:
 * the 50/50 split, the failover within the configured detection time (plus a tolerance), the
 * recovery, and the last resort. Then `npm run demo` itself, as the README tells a newcomer to run it.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { DemoResult, runDemo, Split } from '../../examples/emdr-self-hosted/demo';

const REPO = path.resolve(__dirname, '..', '..');
/** Reports travel over HTTP, verdicts are evaluated on arrival, answers are sampled in batches. */
const TOLERANCE_MS = 1000;

function share(s: Split, address: string): number {
  return (s.counts[address] ?? 0) / s.total;
}

describe('the demo story', () => {
  let result: DemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    result = await runDemo({ print: (l) => lines.push(l) });
  });

  test('both gateways up: the answers split about 50/50', () => {
    const { a, b } = result.gateways;
    expect(result.bothUp.failed).toBe(0);
    // 200 queries at p = 0.5: outside 30..70 % has odds below 1 in 10^8.
    expect(share(result.bothUp, a)).toBeGreaterThan(0.3);
    expect(share(result.bothUp, b)).toBeGreaterThan(0.3);
    expect((result.bothUp.counts[a] ?? 0) + (result.bothUp.counts[b] ?? 0)).toBe(result.bothUp.total);
  });

  test('one gateway dies: the answers move to the other within the configured detection time', () => {
    const { failover, intervalMs, failureThreshold, maxDetectionMs } = result;
    // Not before the threshold could be reached: the first failing probe, then threshold - 1 intervals.
    const earliest = (failureThreshold - 1) * intervalMs - 100;
    for (const ms of [failover.verdictMs, failover.answersMs]) {
      expect(ms).toBeGreaterThanOrEqual(earliest);
      expect(ms).toBeLessThanOrEqual(maxDetectionMs + TOLERANCE_MS);
    }
    expect(failover.checkersMs).toBeDefined();
    expect(failover.checkersMs!).toBeLessThanOrEqual(failover.verdictMs + 50);
    const after = result.afterFailover;
    expect(after).toEqual({ total: after.total, counts: { [result.gateways.b]: after.total }, failed: 0 });
  });

  test('it comes back: the split returns', () => {
    const { recovery, intervalMs, failureThreshold, maxDetectionMs } = result;
    expect(recovery.verdictMs).toBeGreaterThanOrEqual((failureThreshold - 1) * intervalMs - 100);
    expect(recovery.verdictMs).toBeLessThanOrEqual(maxDetectionMs + TOLERANCE_MS);
    expect(result.afterRecovery.failed).toBe(0);
    expect(share(result.afterRecovery, result.gateways.a)).toBeGreaterThan(0.3);
    expect(share(result.afterRecovery, result.gateways.b)).toBeGreaterThan(0.3);
  });

  test('both die: DNS still answers, with both (last resort)', () => {
    expect(result.bothDownMs).toBeLessThanOrEqual(result.maxDetectionMs + TOLERANCE_MS);
    expect(result.lastResort.failed).toBe(0);
    expect(share(result.lastResort, result.gateways.a)).toBeGreaterThan(0.3);
    expect(share(result.lastResort, result.gateways.b)).toBeGreaterThan(0.3);
  });

  test('act two: European and US clients get their own region from both trees, with the scope of their network', () => {
    const t = result.twoPlaces;
    const europe = [...t.europe].sort();
    // DB-IP Lite: 193.0.0.0/20 is the Netherlands, 8.8.0.0/17 the United States.
    expect(t.before).toEqual({
      www: { europe: { answers: europe, scope: 20 }, us: { answers: [t.us], scope: 17 } },
      api: { europe: { answers: europe, scope: 20 }, us: { answers: [t.us], scope: 17 } },
    });
  });

  test('act two: both European gateways die, European clients move to the US gateway within the detection time', () => {
    const { intervalMs, failureThreshold, maxDetectionMs } = result;
    const t = result.twoPlaces;
    const earliest = (failureThreshold - 1) * intervalMs - 100;
    for (const ms of [t.failover.verdictMs, t.failover.wwwMs, t.failover.apiMs]) {
      expect(ms).toBeGreaterThanOrEqual(earliest);
      expect(ms).toBeLessThanOrEqual(maxDetectionMs + TOLERANCE_MS);
    }
    expect(t.after).toEqual({
      www: { europe: { answers: [t.us], scope: 20 }, us: { answers: [t.us], scope: 17 } },
      api: { europe: { answers: [t.us], scope: 20 }, us: { answers: [t.us], scope: 17 } },
    });
    expect(t.recoveryMs).toBeLessThanOrEqual(maxDetectionMs + TOLERANCE_MS);
  });

  test('prints the story with the measured and the configured times, and finishes in well under a minute', () => {
    const text = lines.join('\n');
    expect(text).toMatch(/^4\. Both gateways up: 200 queries for emdr\.example\.com A/m);
    expect(text).toMatch(/the DNS answers moved to gw-isp-b after \d+\.\d s \(measured with queries\)/);
    expect(text).toMatch(/configured: 3 failures x 0\.5 s = 1\.5 s when connections are refused; at most 5\.0 s when a gateway hangs/);
    expect(text).toMatch(/^7\. Both gateways die\n {3}both unhealthy after \d+\.\d s; DNS still answers, with both/m);
    expect(text).toMatch(/^9\. Both European gateways die\n {3}the DNS node marked both unhealthy after \d+\.\d s; the European clients moved to the US gateway/m);
    expect(result.totalMs).toBeLessThan(40_000);
  });
});

test('npm run demo: exits 0 by itself in under a minute', async () => {
  const started = Date.now();
  const child = spawn('npm', ['run', '--silent', 'demo'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(out).toContain('EMDR failover demo');
  expect(out).toMatch(/Done in \d+\.\d s\./);
}, 70_000);
