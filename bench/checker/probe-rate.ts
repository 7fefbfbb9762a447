/**
 * CPU per probe and probes per second of one checker process against local endpoints, HTTP and
 * HTTPS, side by side with a bare probe loop at the same rates; and its memory with 10,000 health
 * checks configured.
 *
 *   bench/checker/run.sh                  (compiled with tsc, as recorded in bench/README.md), or
 *   TS_NODE_PREFER_TS_EXTS=true node --expose-gc -r ts-node/register/transpile-only bench/checker/probe-rate.ts \
 *     [--checks 10000] [--rates 1000,2000,4000,6000,8000,10000] [--tls-rates 500,1000] [--rounds 3] [--duration 20]
 *     [--endpoints 20] [--concurrency 256] [--cpu 0] [--modes checker,bare] [--no-idle] [--baseline-dir DIR]
 * (through ts-node the numbers are lower: its source-map support makes every Error expensive).
 *
 * Two probe loops, measured in alternating rounds (checker, bare, bare, checker, ...) so that the
 * machine's other load falls on both alike:
 * - **checker**: the checker's scheduler (the real one, with the real probe of lib/checker), `--checks`
 *   HTTP (or HTTPS) health checks against local endpoints with requestInterval = checks / R seconds
 *   (R = 333/s is Route 53's default of 30 s with 10,000 checks);
 * - **bare**: bench/checker/bare.ts, the same schedule and the same request bytes in plain Node
 *   (`net.connect` or `tls.connect`, write, first read, destroy): the floor.
 * After one interval of warm-up (every check has had its first, randomly offset probe), each phase
 * measures for `--duration` seconds:
 * - the achieved probe rate and the failures (a probe that fails counts as done, with its reason);
 * - lateness: when a probe started minus when it was planned (one interval after the previous
 *   response), p50 / p99 / max; it grows when the event loop or the concurrency cap cannot keep up;
 * - the process's CPU use (user + system, % of one core), CPU time per probe, peak RSS and heap.
 * A rate is "held" when the achieved rate is within 2 % of the target, p99 lateness is under 50 ms
 * and no probe failed. The CPU time per probe says what a loop itself can do on one core
 * (1e6 / µs per probe), also when a shared machine's other load slows the endpoints down. The
 * endpoints run in another process (pinned to the other CPU when `taskset` exists), the probing
 * process itself is pinned to `--cpu`. Per rate and loop, the tables give the median over rounds.
 *
 * Idle memory: the same 10,000 checks configured, after the first interval (every check probed
 * once), after a forced GC.
 */
import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { BareProbeLoop, BareTarget } from './bare';
import * as current from '../../lib/checker';
import { PROBE_USER_AGENT, ProbeTarget } from '../../lib/checker';

const ROOT = path.resolve(__dirname, '..', '..');
// (run.sh compiles this file and passes --compiled; nothing else changes)

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const list = (v: string) => v.split(',').map((x) => x.trim()).filter((x) => x !== '');

const CHECKS = Number(arg('checks', '10000'));
const RATES = list(arg('rates', '1000,2000,4000,6000,8000,10000')).map(Number);
const TLS_RATES = list(arg('tls-rates', '500,1000')).map(Number);
const ROUNDS = Number(arg('rounds', '3'));
const DURATION_S = Number(arg('duration', '20'));
const ENDPOINTS = Number(arg('endpoints', '20'));
const CONCURRENCY = Number(arg('concurrency', '256'));
const CPU = arg('cpu', '0');
const MODES = list(arg('modes', 'checker,bare')) as Mode[];
const IDLE = !process.argv.includes('--no-idle');
/** Another build of lib/checker (run.sh BASELINE=<commit>), measured as the loop "baseline". */
const BASELINE_DIR = arg('baseline-dir', '');

type Checker = Pick<typeof current, 'HostResolver' | 'ProbeScheduler' | 'probeTargetOf'>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const baseline: Checker | undefined = BASELINE_DIR !== '' ? require(path.join(BASELINE_DIR, 'lib', 'checker')) as Checker : undefined;

type Mode = 'checker' | 'baseline' | 'bare';
type Protocol = 'HTTP' | 'HTTPS';

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Endpoints {
  readonly ports: number[];
  readonly tlsPorts: number[];
  stop(): void;
}

async function startEndpoints(withTls: boolean): Promise<Endpoints> {
  const otherCpu = String((Number(CPU) + 1) % os.cpus().length);
  // Compiled (run.sh): endpoints.js next to this file; from the sources: through ts-node.
  const compiled = __filename.endsWith('.js');
  const nodeArgs = compiled
    ? [path.join(__dirname, 'endpoints.js'), String(ENDPOINTS)]
    : ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench', 'checker', 'endpoints.ts'), String(ENDPOINTS)];
  if (!withTls) nodeArgs.push('--no-tls');
  const env = { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' };
  const child = hasTaskset
    ? spawn('taskset', ['-c', otherCpu, process.execPath, ...nodeArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env })
    : spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the endpoint process exited with ${code}`)));
  });
  const { ports, tlsPorts } = JSON.parse(line) as { ports: number[]; tlsPorts: number[] };
  return { ports, tlsPorts, stop: () => child.kill('SIGTERM') };
}

function targets(protocol: Protocol, ports: number[], intervalS: number, impl: Checker = current): ProbeTarget[] {
  return Array.from({ length: CHECKS }, (_, i) => impl.probeTargetOf({
    id: `hc-${i}`,
    config: { type: protocol, ipAddress: '127.0.0.1', port: ports[i % ports.length], resourcePath: '/health', requestInterval: intervalS, failureThreshold: 3 },
  }));
}

/** The request the checker sends to a target, for the bare loop. */
function requestBytes(t: ProbeTarget): Buffer {
  return Buffer.from(`GET ${t.path} HTTP/1.1\r\nhost: ${t.hostHeader}\r\nuser-agent: ${PROBE_USER_AGENT}\r\naccept: */*\r\nconnection: close\r\n\r\n`, 'latin1');
}

interface PhaseResult {
  readonly mode: Mode;
  readonly protocol: Protocol;
  readonly round: number;
  readonly targetRate: number;
  readonly intervalS: number;
  readonly achievedRate: number;
  readonly failures: number;
  readonly failureReasons: Record<string, number>;
  readonly latenessMs: { p50: number; p99: number; max: number };
  /** Probe duration (connect to outcome), p50 / p99. */
  readonly probeMs: { p50: number; p99: number };
  readonly cpuPercent: number;
  /** CPU time of the probing process per probe (µs): what one probe costs, whatever the rate. */
  readonly cpuPerProbeUs: number;
  /** The machine's 1-minute load average at the end of the phase (other processes included). */
  readonly loadAverage: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly held: boolean;
}

interface Loop {
  start(): void;
  stop(): Promise<void>;
}

type Record_ = (ok: boolean, reason: string | undefined, plannedAt: number, startedAt: number, finishedAt: number) => void;

function loopOf(mode: Mode, protocol: Protocol, ports: number[], intervalS: number, record: Record_): Loop {
  const impl = mode === 'baseline' ? baseline : current;
  if (impl === undefined) throw new Error('the baseline loop needs --baseline-dir (run.sh: BASELINE=<commit>)');
  const ts = targets(protocol, ports, intervalS, impl);
  if (mode === 'bare') {
    const bare: BareTarget[] = ts.map((t) => ({ host: t.ipAddress!, port: t.port, https: protocol === 'HTTPS', request: requestBytes(t) }));
    return new BareProbeLoop(bare, ts[0].intervalMs, (ok, plannedAt, startedAt, finishedAt) => record(ok, ok ? undefined : 'bare probe failed', plannedAt, startedAt, finishedAt));
  }
  return new impl.ProbeScheduler(ts, {
    resolver: new impl.HostResolver(),
    maxConcurrency: CONCURRENCY,
    onResult: (_o, result, timing) => record(result.healthy, result.healthy ? undefined : result.reason, timing.plannedAt, timing.startedAt, timing.finishedAt),
  });
}

async function phase(mode: Mode, protocol: Protocol, ports: number[], rate: number, roundNo: number): Promise<PhaseResult> {
  const intervalS = Math.round((CHECKS / rate) * 1000) / 1000;
  let measuring = false;
  let probes = 0;
  let failures = 0;
  const reasons: Record<string, number> = {};
  const maxSamples = Math.ceil(rate * DURATION_S * 1.5) + 1000;
  const lateness = new Float64Array(maxSamples);
  const latency = new Float64Array(maxSamples);
  let samples = 0;
  const loop = loopOf(mode, protocol, ports, intervalS, (ok, reason, plannedAt, startedAt, finishedAt) => {
    if (!measuring) return;
    probes++;
    if (!ok) {
      failures++;
      const key = (reason ?? '').replace(/\d+/g, 'N');
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    if (samples < maxSamples) {
      latency[samples] = finishedAt - startedAt;
      lateness[samples++] = startedAt - plannedAt;
    }
  });
  loop.start();
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
  await loop.stop();
  const sorted = lateness.slice(0, samples).sort();
  const durations = latency.slice(0, samples).sort();
  const achievedRate = probes / (elapsedMs / 1000);
  const latenessMs = { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) };
  return {
    mode,
    protocol,
    round: roundNo,
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
  const scheduler = new current.ProbeScheduler(targets('HTTP', ports, 3), { resolver: new current.HostResolver(), maxConcurrency: CONCURRENCY });
  scheduler.start();
  await sleep(3500);
  gc?.();
  await sleep(200);
  const m = process.memoryUsage();
  await scheduler.stop();
  return { rssMb: mb(m.rss), heapMb: mb(m.heapUsed), baselineRssMb: mb(base.rss), baselineHeapMb: mb(base.heapUsed) };
}

function summary(protocol: Protocol, rates: number[], results: PhaseResult[]): string {
  const of = (mode: Mode, rate: number) => results.filter((r) => r.protocol === protocol && r.mode === mode && r.targetRate === rate);
  const modes = MODES.filter((m) => results.some((r) => r.protocol === protocol && r.mode === m));
  const med = (mode: Mode, rate: number, f: (r: PhaseResult) => number) => median(of(mode, rate).map(f));
  let out = `\n${protocol}: medians over rounds (CPU per probe of each round in parentheses); held: rounds held of rounds run\n\n`;
  out += '| target probes/s | loop | CPU µs per probe | / bare | CPU % of a core | achieved probes/s | lateness p99 (ms) | probe p50 / p99 (ms) | held |\n';
  out += '|---|---|---|---|---|---|---|---|---|\n';
  for (const rate of rates) {
    const bare = med('bare', rate, (r) => r.cpuPerProbeUs);
    for (const m of modes) {
      const rs = of(m, rate);
      const us = med(m, rate, (r) => r.cpuPerProbeUs);
      const ratio = m !== 'bare' && Number.isFinite(bare) ? (us / bare).toFixed(2) : '';
      out += `| ${rate} | ${m} | ${Math.round(us)} (${rs.map((r) => r.cpuPerProbeUs).join(', ')}) | ${ratio} | ${Math.round(med(m, rate, (r) => r.cpuPercent))} | `
        + `${Math.round(med(m, rate, (r) => r.achievedRate))} | ${round(med(m, rate, (r) => r.latenessMs.p99))} | `
        + `${round(med(m, rate, (r) => r.probeMs.p50))} / ${round(med(m, rate, (r) => r.probeMs.p99))} | ${rs.filter((r) => r.held).length}/${rs.length} |\n`;
    }
  }
  const held = (m: Mode) => Math.max(0, ...rates.filter((rate) => of(m, rate).length > 0 && of(m, rate).filter((r) => r.held).length * 2 > of(m, rate).length));
  out += `\nhighest rate held (in most rounds): ${modes.map((m) => `${m} ${held(m) || 'none'}`).join(', ')}\n`;
  return out;
}

async function main(): Promise<void> {
  // Every thread of the process (-a): V8's GC and compiler threads, started before this line, would
  // otherwise run on the other CPU and let a loop use more than the one core it is measured on.
  if (hasTaskset) spawnSync('taskset', ['-a', '-p', '-c', CPU, String(process.pid)], { stdio: 'ignore' });
  const machine = {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    pinned: hasTaskset ? `prober (all its threads) on CPU ${CPU}, endpoints on the other` : 'no taskset: not pinned',
  };
  process.stdout.write(JSON.stringify({ event: 'machine', ...machine }) + '\n');
  const endpoints = await startEndpoints(TLS_RATES.length > 0);
  try {
    if (IDLE) {
      const idle = await idleMemory(endpoints.ports);
      process.stdout.write(JSON.stringify({ event: 'idle-memory', checks: CHECKS, ...idle }) + '\n');
    }
    const results: PhaseResult[] = [];
    const plan: Array<[Protocol, number[], number[]]> = [['HTTP', RATES, endpoints.ports], ['HTTPS', TLS_RATES, endpoints.tlsPorts]];
    for (const [protocol, rates, ports] of plan) {
      for (const rate of rates) {
        for (let r = 0; r < ROUNDS; r++) {
          // Alternate which loop goes first, so that a drift in the machine's load falls on both.
          const order = r % 2 === 0 ? MODES : [...MODES].reverse();
          for (const mode of order) {
            const res = await phase(mode, protocol, ports, rate, r);
            results.push(res);
            process.stdout.write(JSON.stringify({ event: 'phase', checks: CHECKS, concurrency: CONCURRENCY, ...res }) + '\n');
            await sleep(1000);
          }
        }
      }
    }
    for (const [protocol, rates] of plan) if (rates.length > 0) process.stdout.write(summary(protocol, rates, results));
    process.stdout.write(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
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
