/**
 * The probe schedule: a new check starts healthy, FailureThreshold in both directions, the interval
 * measured from the response, the initial spread, the concurrency cap, and a stop that cancels.
 */
import { performance } from 'perf_hooks';
import { Cleanup, httpServer, rawServer, sleep, target, waitFor } from './helpers';
import { CheckObservation, HostResolver, MAX_REASON_CHARS, ProbeScheduler, ProbeTiming } from '../../lib/checker';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function schedulerFor(targets: Parameters<typeof target>[0][], options: ConstructorParameters<typeof ProbeScheduler>[1] = {}) {
  const s = new ProbeScheduler(targets.map((c, i) => target(c, `hc-${i}`)), { resolver: new HostResolver(), ...options });
  cleanup.add(() => s.stop());
  return s;
}

test('a new check starts healthy and needs FailureThreshold consecutive results to change, in both directions', async () => {
  let status = 503;
  const { port } = await httpServer((_req, res) => {
    res.writeHead(status);
    res.end();
  }, cleanup);
  const history: CheckObservation[] = [];
  const changes: boolean[] = [];
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 0.1, failureThreshold: 3 }], {
    random: () => 0,
    onResult: (o) => history.push(o),
    onChange: (o) => changes.push(o.healthy),
  });
  expect(s.observations()).toEqual([]); // nothing observed yet: nothing to report
  s.start();
  await waitFor('three results', () => (history.length >= 3 ? true : undefined), 3000, 10);
  expect(history.slice(0, 3).map((o) => [o.healthy, o.reason])).toEqual([
    [true, 'HTTP status 503 (1 of 3 consecutive failures needed to mark unhealthy)'],
    [true, 'HTTP status 503 (2 of 3 consecutive failures needed to mark unhealthy)'],
    [false, 'HTTP status 503'],
  ]);
  expect(changes).toEqual([false]);

  status = 200;
  const from = history.length;
  await waitFor('three successes', () => (history.length >= from + 3 && history.slice(from).filter((o) => o.reason.startsWith('HTTP status 200')).length >= 3 ? true : undefined), 3000, 10);
  const after = history.slice(from);
  const firstOk = after.findIndex((o) => o.reason.startsWith('HTTP status 200'));
  expect(after.slice(firstOk, firstOk + 3).map((o) => [o.healthy, o.reason])).toEqual([
    [false, 'HTTP status 200 (1 of 3 consecutive successes needed to mark healthy)'],
    [false, 'HTTP status 200 (2 of 3 consecutive successes needed to mark healthy)'],
    [true, 'HTTP status 200'],
  ]);
  expect(changes).toEqual([false, true]);
  expect(s.observations()).toHaveLength(1);
  expect(s.observations()[0]).toMatchObject({ healthCheckId: 'hc-0', healthy: true });
  expect(typeof s.observations()[0].latencyMs).toBe('number');
});

test('a single failure between successes does not change the view (the streak restarts)', async () => {
  const statuses = [200, 503, 200, 503, 503, 200];
  const { port } = await httpServer((_req, res) => {
    res.writeHead(statuses.shift() ?? 200);
    res.end();
  }, cleanup);
  const views: boolean[] = [];
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 0.1, failureThreshold: 3 }], { random: () => 0, onResult: (o) => views.push(o.healthy) });
  s.start();
  await waitFor('six results', () => (views.length >= 6 ? true : undefined), 3000, 10);
  expect(views.slice(0, 6)).toEqual([true, true, true, true, true, true]);
});

test('the interval runs from the response to the next request', async () => {
  const arrivals: number[] = [];
  const { port } = await httpServer((_req, res) => {
    arrivals.push(performance.now());
    setTimeout(() => res.end(), 200); // slow response
  }, cleanup);
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 0.2, statusTimeout: 1 }], { random: () => 0 });
  s.start();
  await waitFor('four requests', () => (arrivals.length >= 4 ? true : undefined), 5000, 10);
  const gaps = arrivals.slice(1, 4).map((t, i) => t - arrivals[i]);
  for (const gap of gaps) {
    expect(gap).toBeGreaterThanOrEqual(400 - 5); // 200 ms response + 200 ms interval, not 200 ms
    expect(gap).toBeLessThan(400 + 150);
  }
});

test('first probes are spread by a random offset in [0, interval)', async () => {
  const { port } = await httpServer((_req, res) => res.end(), cleanup);
  const offsets = [0, 0.25, 0.5, 0.75];
  const firsts = new Map<string, number>();
  let t0 = 0;
  const s = schedulerFor(offsets.map(() => ({ type: 'HTTP' as const, ipAddress: '127.0.0.1', port, requestInterval: 0.8 })), {
    random: () => offsets.shift()!,
    onResult: (o, _r, timing: ProbeTiming) => {
      if (!firsts.has(o.healthCheckId)) firsts.set(o.healthCheckId, timing.startedAt - t0);
    },
  });
  t0 = performance.now();
  s.start();
  await waitFor('every first probe', () => (firsts.size === 4 ? true : undefined), 3000, 10);
  const starts = ['hc-0', 'hc-1', 'hc-2', 'hc-3'].map((id) => firsts.get(id)!);
  [0, 200, 400, 600].forEach((planned, i) => {
    expect(starts[i]).toBeGreaterThanOrEqual(planned - 2);
    expect(starts[i]).toBeLessThan(planned + 100);
  });
});

test('at most maxConcurrency probes run at once; late starts are reported as lateness', async () => {
  let active = 0;
  let peak = 0;
  const { port } = await httpServer((_req, res) => {
    active++;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active--;
      res.end();
    }, 100);
  }, cleanup);
  const timings: ProbeTiming[] = [];
  const s = schedulerFor(Array.from({ length: 6 }, () => ({ type: 'HTTP' as const, ipAddress: '127.0.0.1', port, requestInterval: 10 })), {
    random: () => 0,
    maxConcurrency: 2,
    onResult: (_o, _r, t) => timings.push(t),
  });
  s.start();
  await waitFor('six results', () => (timings.length >= 6 ? true : undefined), 3000, 10);
  expect(peak).toBe(2);
  const lateness = timings.map((t) => t.startedAt - t.plannedAt).sort((a, b) => a - b);
  expect(lateness[5]).toBeGreaterThanOrEqual(190); // the last pair waited for two rounds of 100 ms
});

test('stop() cancels probes in flight at once and closes their sockets', async () => {
  const open = new Set<unknown>();
  const { port } = await rawServer((sock) => {
    open.add(sock);
    sock.resume();
    sock.on('close', () => open.delete(sock));
  }, cleanup);
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 0.1, statusTimeout: 5 }], { random: () => 0 });
  s.start();
  await waitFor('a connection', () => (open.size > 0 ? true : undefined), 2000, 5);
  const started = performance.now();
  await s.stop();
  expect(performance.now() - started).toBeLessThan(100);
  await sleep(50);
  expect(open.size).toBe(0);
  expect(s.observations()).toEqual([]); // a cancelled probe is not a result
});

test('a very long failure reason is cut, so that a DNS node still accepts the report', async () => {
  const results: string[] = [];
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', requestInterval: 10, failureThreshold: 1 }], {
    random: () => 0,
    probe: async () => ({ healthy: false, reason: `TLS handshake failed: ${'x'.repeat(5000)}`, observedAt: Date.now() }),
    onResult: (o) => results.push(o.reason),
  });
  s.start();
  await waitFor('a result', () => (results.length > 0 ? true : undefined), 1000, 5);
  expect(results[0]).toHaveLength(MAX_REASON_CHARS);
  expect(results[0].endsWith('...')).toBe(true);
});

test('refuses bad settings with the value and the fix', () => {
  expect(() => new ProbeScheduler([], { maxConcurrency: 0 })).toThrow('maxConcurrency 0 is not usable; give a whole number of probes, 1 or more');
  const t = target({ type: 'HTTP', ipAddress: '127.0.0.1' }, 'same');
  expect(() => new ProbeScheduler([t, t])).toThrow("two targets share the health check id 'same'");
});


test('a check is reported only once it has failureThreshold results (a restarted checker has no opinion before)', async () => {
  const { port } = await httpServer((_req, res) => {
    res.writeHead(200);
    res.end();
  }, cleanup);
  const results: CheckObservation[] = [];
  const established: CheckObservation[] = [];
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 0.1, failureThreshold: 3 }], {
    random: () => 0,
    onResult: (o) => {
      results.push(o);
      // What would be reported right after this result.
      if (results.length < 3) expect(s.observations()).toEqual([]);
      else expect(s.observations()).toEqual([o]);
    },
    onEstablished: (o) => established.push(o),
  });
  s.start();
  await waitFor('four results', () => (results.length >= 4 ? true : undefined), 3000, 10);
  expect(established).toHaveLength(1);
  expect(established[0]).toBe(results[2]);
  expect(s.progress('hc-0')).toMatchObject({ needed: 3, established: true });
  expect(s.version).toBeGreaterThanOrEqual(2);
});

test('probes that end at once (a path that cannot be sent) run one after the other without recursing', async () => {
  // One slot, held 200 ms by a slow endpoint's probe while 20,000 checks come due behind it. Each of
  // those fails before connecting, inside the call that starts it: when the slot frees up, the next
  // waiting check must start from a loop, not from inside the previous one (20,000 nested calls).
  const { port } = await httpServer((_req, res) => {
    setTimeout(() => res.end(), 200);
  }, cleanup);
  const results: string[] = [];
  const waiting = Array.from({ length: 20_000 }, () => ({ type: 'HTTP' as const, ipAddress: '127.0.0.1', port: 9, resourcePath: '/a b', requestInterval: 10 }));
  const offsets = [0, ...waiting.map(() => 0.002)]; // the slow one at once, the others 20 ms later
  const s = schedulerFor([{ type: 'HTTP', ipAddress: '127.0.0.1', port, requestInterval: 10 }, ...waiting], {
    random: () => offsets.shift()!,
    maxConcurrency: 1,
    onResult: (o) => results.push(o.reason),
  });
  s.start();
  await waitFor('20,000 waiting', () => (s.stats.waiting >= 20_000 ? true : undefined), 2000, 5);
  await waitFor('20,001 results', () => (results.length >= 20_001 ? true : undefined), 5000, 10);
  expect(results[0]).toBe('HTTP status 200');
  expect(new Set(results.slice(1).map((r) => r.replace(/ \(\d of 3 .*$/, '')))).toEqual(new Set(['request failed before connecting: invalid request path "/a b" (percent-encode spaces, controls and characters above U+00FF)']));
  expect(s.stats).toMatchObject({ probes: 20_001, inFlight: 0, waiting: 0 });
});

test('stop() ends a probe waiting for its name lookup at once', async () => {
  const s = schedulerFor([{ type: 'HTTP', fullyQualifiedDomainName: 'hang.example.test', requestInterval: 0.1 }], {
    random: () => 0,
    resolver: new HostResolver(async () => new Promise<string>(() => undefined), 5000),
  });
  s.start();
  await waitFor('a lookup in flight', () => (s.stats.lookupsInFlight > 0 ? true : undefined), 2000, 5);
  expect(s.stats.inFlight).toBe(1);
  const started = performance.now();
  await s.stop();
  expect(performance.now() - started).toBeLessThan(100);
  expect(s.stats.inFlight).toBe(0);
  expect(s.observations()).toEqual([]);
});
