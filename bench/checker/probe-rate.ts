/**
 * How many HTTP probes per second one checker process sustains while holding its schedule, and its
 * memory with 10,000 health checks configured.
 *
 *   bench/checker/run.sh                  (compiled with tsc, as recorded in bench/README.md), or
 *   TS_NODE_PREFER_TS_EXTS=true node --expose-gc -r ts-node/register/transpile-only bench/checker/probe-rate.ts \
 *     [--checks 10000] [--rates 333,1000,2000,3000,4000,5000] [--duration 20] [--endpoints 20] [--concurrency 256] [--cpu 0]
 * (through ts-node the numbers are lower: its source-map support makes every Error expensive).
 *
 * For each target rate R, the checker's scheduler (the real one, with the real undici probe) gets
 * `--checks` HTTP health checks against local endpoints with requestInterval = checks / R seconds
 * (R = 333/s is Route 53's default of 30 s with 10,000 checks). After one interval of warm-up
 * (every check has had its first, randomly offset probe), it measures for `--duration` seconds:
 * - the achieved probe rate and the failures (a probe that fails counts as done, with its reason);
 * - lateness: when a probe started minus when it was planned (one interval after the previous
 *   response), p50 / p99 / max; it grows when the event loop or the concurrency cap cannot keep up;
 * - the process's CPU use (user + system, % of one core), peak RSS and heap.
 * A rate is "held" when the achieved rate is within 2 % of the target, p99 lateness is under 50 ms
 * and no probe failed. The CPU time per probe says what the checker itself can do on one core
 * (1e6 / µs per probe), also when a shared machine's other load slows the endpoints down (then the
 * probes take longer, the 256 slots fill up and the rate is not held, at low checker CPU). The endpoints run in another process (pinned to the other CPU when `taskset` exists), the
 * checker process itself is pinned to `--cpu`.
 *
 * Idle memory: the same 10,000 checks configured with Route 53's 30 s interval, after the first
 * interval (every check probed once), after a forced GC.
 */
import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { HostResolver, ProbeScheduler, probeTargetOf, ProbeTarget } from '../../lib/checker';

const ROOT = path.resolve(__dirname, '..', '..');
// (run.sh compiles this file and passes --compiled; nothing else changes)

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const CHECKS = Number(arg('checks', '10000'));
const RATES = arg('rates', '333,1000,2000,3000,4000,5000').split(',').map(Number);
const DURATION_S = Number(arg('duration', '20'));
const ENDPOINTS = Number(arg('endpoints', '20'));
const CONCURRENCY = Number(arg('concurrency', '256'));
const CPU = arg('cpu', '0');

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startEndpoints(): Promise<{ ports: number[]; stop: () => void }> {
  const otherCpu = String((Number(CPU) + 1) % os.cpus().length);
  // Compiled (run.sh): endpoints.js next to this file; from the sources: through ts-node.
  const compiled = __filename.endsWith('.js');
  const nodeArgs = compiled
    ? [path.join(__dirname, 'endpoints.js'), String(ENDPOINTS)]
    : ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench', 'checker', 'endpoints.ts'), String(ENDPOINTS)];
  const child = hasTaskset
    ? spawn('taskset', ['-c', otherCpu, process.execPath, ...nodeArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' } })
    : spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' } });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the endpoint process exited with ${code}`)));
  });
  const { ports } = JSON.parse(line) as { ports: number[] };
  return { ports, stop: () => child.kill('SIGTERM') };
}

function targets(ports: number[], intervalS: number): ProbeTarget[] {
  return Array.from({ length: CHECKS }, (_, i) => probeTargetOf({
    id: `hc-${i}`,
    config: { type: 'HTTP', ipAddress: '127.0.0.1', port: ports[i % ports.length], resourcePath: '/health', requestInterval: intervalS, failureThreshold: 3 },
  }));
}

interface PhaseResult {
  readonly targetRate: number;
  readonly intervalS: number;
  readonly achievedRate: number;
  readonly failures: number;
  readonly failureReasons: Record<string, number>;
  readonly latenessMs: { p50: number; p99: number; max: number };
  /** Probe duration (connect to status), p50 / p99. */
  readonly probeMs: { p50: number; p99: number };
  readonly cpuPercent: number;
  /** CPU time of the checker process per probe (µs): what one probe costs, whatever the rate. */
  readonly cpuPerProbeUs: number;
  /** The machine's 1-minute load average at the end of the phase (other processes included). */
  readonly loadAverage: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly held: boolean;
}

async function phase(ports: number[], rate: number): Promise<PhaseResult> {
  const intervalS = Math.round((CHECKS / rate) * 1000) / 1000;
  let measuring = false;
  let probes = 0;
  let failures = 0;
  const reasons: Record<string, number> = {};
  const maxSamples = Math.ceil(rate * DURATION_S * 1.5) + 1000;
  const lateness = new Float64Array(maxSamples);
  const latency = new Float64Array(maxSamples);
  let samples = 0;
  const scheduler = new ProbeScheduler(targets(ports, intervalS), {
    resolver: new HostResolver(),
    maxConcurrency: CONCURRENCY,
    onResult: (_o, result, timing) => {
      if (!measuring) return;
      probes++;
      if (!result.healthy) {
        failures++;
        const key = result.reason.replace(/\d+/g, 'N');
        reasons[key] = (reasons[key] ?? 0) + 1;
      }
      if (samples < maxSamples) {
        latency[samples] = timing.finishedAt - timing.startedAt;
        lateness[samples++] = timing.startedAt - timing.plannedAt;
      }
    },
  });
  scheduler.start();
  await sleep(intervalS * 1000 + 500); // warm-up: every check probed once
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 250);
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(DURATION_S * 1000);
  measuring = false;
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await scheduler.stop();
  const sorted = lateness.slice(0, samples).sort();
  const durations = latency.slice(0, samples).sort();
  const achievedRate = probes / (elapsedMs / 1000);
  const latenessMs = { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) };
  return {
    targetRate: rate,
    intervalS,
    achievedRate: Math.round(achievedRate),
    failures,
    failureReasons: reasons,
    latenessMs,
    probeMs: { p50: round(percentile(durations, 50)), p99: round(percentile(durations, 99)) },
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
    cpuPerProbeUs: probes > 0 ? Math.round((cpu.user + cpu.system) / probes) : NaN,
    loadAverage: Math.round(os.loadavg()[0] * 10) / 10,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    held: Math.abs(achievedRate - rate) / rate <= 0.02 && latenessMs.p99 < 50 && failures === 0,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

async function idleMemory(ports: number[]): Promise<{ rssMb: number; heapMb: number; baselineRssMb: number; baselineHeapMb: number }> {
  const gc = (global as { gc?: () => void }).gc;
  gc?.();
  await sleep(200);
  const base = process.memoryUsage();
  // 30 s would make the benchmark long: the first probe of each check happens within one interval,
  // so use 3 s for "every check probed once and waiting", which is the state that holds memory.
  const scheduler = new ProbeScheduler(targets(ports, 3), { resolver: new HostResolver(), maxConcurrency: CONCURRENCY });
  scheduler.start();
  await sleep(3500);
  gc?.();
  await sleep(200);
  const m = process.memoryUsage();
  await scheduler.stop();
  return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed), baselineRssMb: mb(base.rss), baselineHeapMb: mb(base.heapUsed) };
}

async function main(): Promise<void> {
  if (hasTaskset) spawnSync('taskset', ['-p', '-c', CPU, String(process.pid)], { stdio: 'ignore' });
  const machine = {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    pinned: hasTaskset ? `checker on CPU ${CPU}, endpoints on the other` : 'no taskset: not pinned',
  };
  process.stdout.write(JSON.stringify({ event: 'machine', ...machine }) + '\n');
  const endpoints = await startEndpoints();
  try {
    const idle = await idleMemory(endpoints.ports);
    process.stdout.write(JSON.stringify({ event: 'idle-memory', checks: CHECKS, ...idle }) + '\n');
    const results: PhaseResult[] = [];
    for (const rate of RATES) {
      const r = await phase(endpoints.ports, rate);
      results.push(r);
      process.stdout.write(JSON.stringify({ event: 'phase', checks: CHECKS, concurrency: CONCURRENCY, ...r }) + '\n');
      await sleep(1000);
    }
    process.stdout.write('\n| target probes/s | interval | achieved probes/s | failures | lateness p50 / p99 / max (ms) | probe p50 / p99 (ms) | CPU (% of a core) | CPU per probe (µs) | peak RSS / heap (MB) | load avg | held |\n');
    process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|\n');
    for (const r of results) {
      process.stdout.write(`| ${r.targetRate} | ${r.intervalS} s | ${r.achievedRate} | ${r.failures} | ${r.latenessMs.p50} / ${r.latenessMs.p99} / ${r.latenessMs.max} | ${r.probeMs.p50} / ${r.probeMs.p99} | ${r.cpuPercent} | ${r.cpuPerProbeUs} | ${r.peakRssMb} / ${r.peakHeapMb} | ${r.loadAverage} | ${r.held ? 'yes' : 'no'} |\n`);
    }
  } finally {
    endpoints.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
