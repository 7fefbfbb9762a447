/**
 * More cores: a DNS node that answers in N worker processes (`dns-failover serve --workers N`).
 *
 * Node.js 20 has no SO_REUSEPORT, so the workers are `node:cluster` workers: the primary holds the UDP
 * socket and the TCP listener and every worker reads from the same ones (the kernel hands each
 * datagram and connection to one of them; TCP is accepted by the workers themselves, not passed on by
 * the primary, so a busy primary never holds up an answer).
 *
 * One view of verdicts: reports arrive once, at the primary's admin API; the primary decides the
 * verdicts with the engine and sends the workers the changes (a worker holds the set of unhealthy ids,
 * and answers every question from it and its compiled zones). A worker answers nothing before it has
 * the full set; changes arrive in order after it, and each is applied at once (between two answers).
 *
 * Reloads never stall the answers: the primary validates the new config, then starts a new generation
 * of workers that compile it while the old generation keeps answering; when every new worker has
 * compiled, the primary swaps its own state (verdicts carried over), gives the new workers the
 * verdicts, they listen, and the old generation closes its sockets and exits. A generation that fails
 * to compile is stopped and the old one keeps answering (the reload is refused).
 *
 * A worker that dies (kill -9, a crash) is replaced with the config and verdicts in force; restarts
 * back off while workers keep dying young. Each worker sends its answering counters every second; the
 * primary's /metrics adds them up (counters of exited workers are kept).
 */
import cluster, { Worker } from 'cluster';
import * as path from 'path';
import { ClientSetup, clientSetupOf } from './clients';
import { AnswerCounters, DnsMetrics, sumAnswerCounters } from './metrics';
import { BACKGROUND_NICE, canReturnTo, niceOf, Priorities, prioritiesOf, setNice, setNiceOf } from './priority';
import { Responder, Serving, warmUp } from './responder';
import { BoundAddress, DnsListenOptions, DnsServer } from './server';
import { ZoneSet } from './zones';
import { BundleConfig } from '../bundle';

/** What every answering worker is given with its config. */
export interface AnsweringOptions {
  readonly listen: DnsListenOptions;
  /** @default 1232 */
  readonly maxUdpPayload?: number;
  readonly ignoreClientSubnet?: boolean;
  /** How often a worker sends its counters. @default 1000 */
  readonly metricsIntervalMs?: number;
}

/** Primary to worker. */
type ToWorker =
  /** Compile this config (JSON text of a config the primary has validated). */
  | {
    readonly kind: 'load';
    readonly options: AnsweringOptions;
    readonly config: string;
    /** Compile at `background`, answer at `answering` (see priority.ts); absent: at the priority the worker started with. */
    readonly priorities?: Priorities;
  }
  /** Every unhealthy id (anything else is healthy): replaces what the worker holds. */
  | { readonly kind: 'verdicts'; readonly unhealthy: readonly string[] }
  /** Verdict changes, in order. */
  | { readonly kind: 'changes'; readonly changes: readonly (readonly [string, boolean])[] }
  /** Listen on the DNS address (with this port: 0 or the bound one, see AnsweringWorkers.listenPort). */
  | { readonly kind: 'listen'; readonly port: number }
  /** Close the sockets, send the last counters, exit. */
  | { readonly kind: 'retire' };

/** What a worker compiled: for the primary's log lines and liveness check (the primary keeps no compiled zones). */
export interface CompiledSummary {
  /** The zones' names, in the order of the compiled zone set. */
  readonly zones: readonly string[];
  /** Record set groups. */
  readonly groups: number;
}

/** What a compiled zone set holds, for the log lines and the liveness check. */
export function summaryOf(zones: ZoneSet): CompiledSummary {
  return { zones: zones.zones.map((z) => z.name), groups: zones.groups.length };
}

/** Worker to primary. */
type FromWorker =
  /** `compiledAtNice`: the nice value its compile ran at (see priority.ts). */
  | { readonly kind: 'loaded'; readonly summary: CompiledSummary; readonly compiledAtNice: number }
  /** `load`: the config did not compile (a GeoIP database that cannot be used): the error is the compiler's own. */
  | { readonly kind: 'failed'; readonly error: string; readonly stage?: 'load' }
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'counters'; readonly counters: AnswerCounters }
  | { readonly kind: 'log'; readonly event: Record<string, unknown> };

const MESSAGE = 'dns-failover-answering';
interface Envelope<T> { readonly [MESSAGE]: T }
const wrap = <T>(m: T): Envelope<T> => ({ [MESSAGE]: m });
const unwrap = <T>(m: unknown): T | undefined => (m !== null && typeof m === 'object' && MESSAGE in m ? (m as Envelope<T>)[MESSAGE] : undefined);

/** The workers' program, next to this module (worker.ts, or worker.js once compiled). */
const WORKER_PROGRAM = path.join(__dirname, `worker${path.extname(__filename)}`);

/** A worker's compiled config, and the priorities it answers at. */
interface LoadedConfig {
  readonly serving: Serving;
  readonly summary: CompiledSummary;
  readonly priorities?: Priorities;
  readonly compiledAtNice: number;
}

/** Compiles the config of a `load` message (at the background priority, when the worker can come back up to answer). */
function loadConfig(m: Extract<ToWorker, { kind: 'load' }>, isHealthy: (id: string | undefined) => boolean, verdicts: { readonly generation: number }): LoadedConfig {
  const priorities = m.priorities && canReturnTo(m.priorities.answering) ? m.priorities : undefined;
  if (priorities) setNice(priorities.background);
  const compiledAtNice = niceOf();
  // Validated by the primary, which sent exactly this text.
  const config = JSON.parse(m.config) as BundleConfig;
  const clients: ClientSetup = clientSetupOf(config, undefined);
  const zones = new ZoneSet(config);
  const serving: Serving = {
    zones,
    isHealthy,
    health: verdicts,
    ...(clients.resolver ? { clients: clients.resolver } : {}),
    ignoreClientSubnet: m.options.ignoreClientSubnet === true,
  };
  return { serving, summary: summaryOf(zones), compiledAtNice, ...(priorities ? { priorities } : {}) };
}

/**
 * The worker side: waits for its config and verdicts from the primary, then answers DNS until it is
 * told to retire (resolves with the exit code) or the primary goes away (cluster then exits the
 * worker). What worker.ts runs.
 */
export function runAnsweringWorker(): Promise<number> {
  if (!cluster.isWorker || !process.send) return Promise.reject(new Error('runAnsweringWorker runs in a cluster worker'));
  const send = (m: FromWorker, then?: () => void) => process.send!(wrap(m), undefined, {}, then);
  // The primary handles the signals (a terminal's Ctrl-C and systemd's stop reach every process of the
  // group) and retires its workers; a worker whose primary is gone exits (node:cluster sees to that).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  return new Promise<number>((resolve) => {
    const metrics = new DnsMetrics();
    const unhealthy = new Set<string>();
    const isHealthy = (id: string | undefined) => id === undefined || !unhealthy.has(id);
    // Moves whenever `unhealthy` does: groups are prepared once per generation, and a query reads no verdict.
    const verdicts = { generation: 0 };
    let serving: Serving | undefined;
    let server: DnsServer | undefined;
    let options: AnsweringOptions | undefined;
    let timer: NodeJS.Timeout | undefined;
    /** The primary adjusts priorities (see priority.ts). */
    let adjusted = false;
    const log = (event: Record<string, unknown>) => send({ kind: 'log', event: { ...event, worker: process.pid } });
    process.on('message', (raw) => {
      const m = unwrap<ToWorker>(raw);
      if (m === undefined) return;
      switch (m.kind) {
        case 'load': {
          options = m.options;
          adjusted = m.priorities !== undefined;
          let loaded: LoadedConfig;
          try {
            loaded = loadConfig(m, isHealthy, verdicts);
          } catch (e) {
            send({ kind: 'failed', error: (e as Error).message, stage: 'load' });
            return;
          }
          // Once this handler has returned, the message and the config's text are garbage: then the
          // answering code is compiled by V8 and the answer caches filled (its first answers are not the
          // ones that pay for it), and the compile's garbage collected now, not between two answers.
          setImmediate(() => {
            serving = loaded.serving;
            try {
              warmUp(serving);
            } catch (e) {
              // The answers do not depend on it: its first clients pay for what it would have done.
              log({ event: 'warm-up-failed', message: (e as Error).message });
            }
            (globalThis as { gc?: () => void }).gc?.();
            if (loaded.priorities) {
              const refused = setNice(loaded.priorities.answering);
              if (refused) log({ event: 'priority-refused', nice: loaded.priorities.answering, message: refused });
            }
            send({ kind: 'loaded', summary: loaded.summary, compiledAtNice: loaded.compiledAtNice });
          });
          return;
        }
        case 'verdicts':
          unhealthy.clear();
          for (const id of m.unhealthy) unhealthy.add(id);
          verdicts.generation++;
          return;
        case 'changes':
          for (const [id, healthy] of m.changes) {
            if (healthy) unhealthy.delete(id);
            else unhealthy.add(id);
          }
          verdicts.generation++;
          return;
        case 'listen': {
          if (!serving || !options || server) return;
          const current = serving;
          const responder = new Responder(() => current, metrics, { maxUdpPayload: options.maxUdpPayload });
          server = new DnsServer(responder, metrics, { ...options.listen, port: m.port }, (e) => log({ event: 'socket-error', message: e.message }));
          server.listen().then(
            (bound) => {
              send({ kind: 'listening', port: bound.port });
              timer = setInterval(() => send({ kind: 'counters', counters: metrics.answerCounters() }), options!.metricsIntervalMs ?? 1000);
              timer.unref();
            },
            (e) => send({ kind: 'failed', error: (e as Error).message }),
          );
          return;
        }
        case 'retire': {
          if (timer) clearInterval(timer);
          const last = () => {
            // Its sockets are closed: its exit (the freeing of its memory) waits for the answers of the workers that stay.
            if (adjusted) setNice(BACKGROUND_NICE);
            send({ kind: 'counters', counters: metrics.answerCounters() }, () => resolve(0));
          };
          if (server) void server.close().then(last, last);
          else last();
          return;
        }
      }
    });
  });
}

interface WorkerRecord {
  readonly worker: Worker;
  readonly pid: number;
  /** The config generation it loads or answers. */
  readonly generation: number;
  state: 'loading' | 'loaded' | 'listening' | 'retiring';
  /** Stopped because it failed (not retired on purpose). */
  failed: boolean;
  /** Started by start() or replace(), whose caller reports a config that does not compile (no worker-failed line then). */
  readonly callerReports: boolean;
  /** What it compiled, once loaded. */
  summary?: CompiledSummary;
  /** The nice value its compile ran at. */
  compiledAtNice?: number;
  readonly startedAt: number;
  /** The port it asked to listen on (0, or the bound port): workers share a socket only when they ask for the same one. */
  listenPort?: number;
  counters?: AnswerCounters;
  /** Settled when it has loaded (or failed), and when it listens (or failed). */
  loaded: Deferred<void>;
  listening: Deferred<void>;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // rejections are read by whoever awaits; none is unhandled
  return { promise, resolve, reject };
}

export interface AnsweringWorkersOptions extends AnsweringOptions {
  /** How many workers answer. */
  readonly count: number;
  readonly log: (event: { readonly event: string; readonly [key: string]: unknown }) => void;
  /** The unhealthy ids of the verdicts in force (sent to every worker before it listens). */
  readonly unhealthy: () => readonly string[];
  /** The JSON text of the config in force (since the last start() or replace() swap): a worker that dies is replaced with it. */
  readonly configText: () => string;
  /** A worker that has not loaded its config and listened within this is stopped. @default 120000 */
  readonly startTimeoutMs?: number;
  /**
   * Run the primary below the answering workers and a reload's work at the lowest priority (see
   * priority.ts), where the system lets the workers come back to the starting priority. @default true
   */
  readonly adjustPriorities?: boolean;
}

/**
 * The Node.js flags of an answering worker: those of the primary, and
 * - `--expose-gc`: a worker collects its compile's garbage before it answers (see runAnsweringWorker);
 * - `--max-semi-space-size=2` (MB), unless the primary's flags or NODE_OPTIONS set it: an answer's garbage dies young, so
 *   a small young generation costs no CPU per answer and keeps scavenges short and the worker's memory
 *   small (V8's default grows it to 16 MB per semi-space under load, and keeps it). Measured in
 *   bench/README.md ("Fleet scale: reports, reloads, workers").
 */
export function workerFlags(primary: readonly string[], nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const flags = [...primary, '--expose-gc'];
  const semi = /(^|\s)--max[-_]semi[-_]space[-_]size\b/;
  if (!primary.some((f) => semi.test(f)) && !semi.test(nodeOptions)) flags.push('--max-semi-space-size=2');
  return flags;
}

/** Restarts of workers that died young back off up to this. */
const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that lived longer than this is not counted as dying young. */
const YOUNG_MS = 10_000;

/** The primary side: the answering workers of one DNS node. */
export class AnsweringWorkers {
  private readonly workers = new Map<number, WorkerRecord>();
  private generation = 0;
  private bound?: BoundAddress;
  private stopping = false;
  private retired: AnswerCounters | undefined;
  /** Started: a worker that dies is replaced. */
  private running = false;
  private youngDeaths = 0;
  private restarts = 0;
  private pendingRestart?: NodeJS.Timeout;
  /** The nice values in use (undefined: every process at the one it was started with, see `prioritiesNote`). */
  readonly priorities: Priorities | undefined;
  /** Why the priorities are not adjusted, when they are not. */
  readonly prioritiesNote: string | undefined;

  constructor(private readonly options: AnsweringWorkersOptions) {
    if (!cluster.isPrimary) throw new Error('answering workers are started by the primary process');
    if (!(Number.isInteger(options.count) && options.count >= 1)) {
      throw new RangeError(`workers ${options.count} is not usable; give a whole number, 1 or more (one per core)`);
    }
    // Workers accept TCP connections themselves (the primary's event loop is not on the answer path),
    // and messages carry large strings (configs) and typed data.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: WORKER_PROGRAM, args: [], serialization: 'advanced', execArgv: workerFlags(process.execArgv) });
    const plan = options.adjustPriorities === false ? 'unchanged: not asked for' : prioritiesOf();
    this.priorities = typeof plan === 'string' ? undefined : plan;
    this.prioritiesNote = typeof plan === 'string' ? plan : undefined;
    if (this.priorities) setNice(this.priorities.primary);
  }

  /**
   * Runs a reload's work of the primary (reading and validating a config) at the lowest priority, then
   * returns to the primary's: on a shared core, the answers of the workers in force go first.
   */
  inBackground<T>(work: () => T): T {
    const p = this.priorities;
    if (!p) return work();
    setNice(p.background);
    try {
      return work();
    } finally {
      setNice(p.primary);
    }
  }

  /** Where the workers answer (after start()). */
  get address(): BoundAddress {
    if (!this.bound) throw new Error('the answering workers are not listening');
    return this.bound;
  }

  /**
   * Starts the workers with a config (JSON text of a validated config); resolves when all of them
   * answer, with what they compiled. Rejects with the compiler's error when the config does not compile.
   */
  async start(config: string): Promise<{ readonly address: BoundAddress; readonly summary: CompiledSummary }> {
    const generation = ++this.generation;
    const started = Array.from({ length: this.options.count }, () => this.fork(generation, config, true));
    try {
      await Promise.all(started.map((r) => r.loaded.promise));
      // One at a time: the first one's bound port is the one the others share.
      for (const r of started) {
        this.listen(r);
        await r.listening.promise;
      }
    } catch (e) {
      for (const r of started) this.kill(r);
      throw e;
    }
    this.running = true;
    return { address: this.address, summary: started[0].summary! };
  }

  /**
   * A reload: a new generation of workers compiles `config` while the old one answers. When all have
   * compiled, `swap` runs (the primary takes the new config as its own; from then on the verdicts it
   * publishes are those of the new config), the new workers get the verdicts and listen, and the old
   * ones retire. Rejects, with the old generation still answering, when a new worker fails before
   * `swap` (with the compiler's error when the config does not compile).
   */
  async replace(config: string, swap: (summary: CompiledSummary) => void): Promise<void> {
    const generation = this.generation + 1;
    const fresh = Array.from({ length: this.options.count }, () => this.fork(generation, config, true));
    try {
      await Promise.all(fresh.map((r) => r.loaded.promise));
    } catch (e) {
      for (const r of fresh) this.kill(r);
      throw e;
    }
    this.generation = generation;
    swap(fresh[0].summary!);
    for (const r of fresh) if (this.workers.has(r.pid)) this.listen(r);
    // A new worker that dies now is replaced like any other; the old ones go once the new ones answer.
    await Promise.all(fresh.map((r) => r.listening.promise.catch(() => undefined)));
    for (const r of this.workers.values()) if (r.generation < generation) this.retire(r);
  }

  /** Sends verdict changes to every worker (in the order they were decided). */
  publish(changes: readonly { readonly healthCheckId: string; readonly healthy: boolean }[]): void {
    if (changes.length === 0) return;
    const m: ToWorker = { kind: 'changes', changes: changes.map((c) => [c.healthCheckId, c.healthy] as const) };
    for (const r of this.workers.values()) if (r.state !== 'retiring') this.send(r, m);
  }

  /** The answering counters of every worker, those that exited included. */
  counters(): AnswerCounters[] {
    const out: AnswerCounters[] = [];
    if (this.retired) out.push(this.retired);
    for (const r of this.workers.values()) if (r.counters) out.push(r.counters);
    return out;
  }

  /** For the status: each worker, and the restarts so far. */
  status(): Record<string, unknown> {
    return {
      count: this.options.count,
      restarts: this.restarts,
      priorities: this.priorities ?? this.prioritiesNote,
      workers: [...this.workers.values()].map((r) => ({
        pid: r.pid,
        generation: r.generation,
        state: r.state,
        startedAt: new Date(r.startedAt).toISOString(),
        // As of its last counters (sent every second).
        queries: r.counters ? r.counters.queries.reduce((a, b) => a + b, 0) : 0,
        ...(r.compiledAtNice !== undefined ? { compiledAtNice: r.compiledAtNice } : {}),
      })),
    };
  }

  /** Retires every worker; resolves when all have exited (those that do not within 5 s are killed). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pendingRestart) clearTimeout(this.pendingRestart);
    const exits = [...this.workers.values()].map((r) => new Promise<void>((resolve) => {
      if (r.worker.isDead()) return resolve();
      r.worker.once('exit', () => resolve());
      const t = setTimeout(() => r.worker.process.kill('SIGKILL'), 5000);
      t.unref();
      this.retire(r);
    }));
    await Promise.all(exits);
    // The process goes on (a node started from code): back to the priority it was started with.
    if (this.priorities) setNice(this.priorities.answering);
  }

  private fork(generation: number, config: string, callerReports = false): WorkerRecord {
    // In the background only while other workers answer (a reload, or one of several replaced): a node
    // that answers nothing until this worker does (its start, its only worker replaced) compiles at the answering priority.
    const p = this.priorities;
    const othersAnswer = [...this.workers.values()].some((w) => w.state === 'listening');
    const priorities = p && (othersAnswer ? p : { ...p, background: p.answering });
    const worker = cluster.fork();
    // From its first instruction (Node's start, the config's arrival), not from its first message.
    if (priorities?.background === BACKGROUND_NICE && worker.process.pid !== undefined) setNiceOf(worker.process.pid, BACKGROUND_NICE);
    const r: WorkerRecord = {
      worker,
      pid: worker.process.pid ?? -1,
      generation,
      state: 'loading',
      failed: false,
      callerReports,
      startedAt: Date.now(),
      loaded: deferred(),
      listening: deferred(),
    };
    this.workers.set(r.pid, r);
    const timeoutMs = this.options.startTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      const why = new Error(`answering worker ${r.pid} did not ${r.state === 'loading' ? 'load its config' : 'listen'} within ${timeoutMs} ms`);
      r.loaded.reject(why);
      r.listening.reject(why);
      this.options.log({ event: 'worker-failed', pid: r.pid, error: why.message });
      this.kill(r, true);
    }, timeoutMs);
    timer.unref();
    r.listening.promise.then(() => clearTimeout(timer), () => clearTimeout(timer));
    worker.on('message', (raw) => {
      const m = unwrap<FromWorker>(raw);
      if (m !== undefined) this.onMessage(r, m);
    });
    worker.on('error', () => undefined); // a send to a worker that died: its exit is handled below
    worker.on('exit', (code, signal) => this.onExit(r, code, signal));
    worker.on('online', () => {
      const { count: _c, log: _l, unhealthy: _u, startTimeoutMs: _t, adjustPriorities: _p, configText: _x, ...options } = this.options;
      this.send(r, { kind: 'load', options, config, ...(priorities ? { priorities } : {}) });
    });
    return r;
  }

  private onMessage(r: WorkerRecord, m: FromWorker): void {
    switch (m.kind) {
      case 'loaded':
        r.state = 'loaded';
        r.summary = m.summary;
        r.compiledAtNice = m.compiledAtNice;
        r.loaded.resolve();
        return;
      case 'failed': {
        // A config that does not compile: start() and replace() reject with the compiler's own error,
        // as the primary's own compile did before it left compiling to the workers; their caller reports it.
        const compile = m.stage === 'load' && r.callerReports;
        const e = new Error(compile ? m.error : `answering worker ${r.pid}: ${m.error}`);
        r.loaded.reject(e);
        r.listening.reject(e);
        if (!compile) this.options.log({ event: 'worker-failed', pid: r.pid, error: m.error });
        this.kill(r, true);
        return;
      }
      case 'listening':
        r.state = 'listening';
        if (!this.bound) this.bound = { host: this.options.listen.host, port: m.port };
        r.listening.resolve();
        return;
      case 'counters':
        r.counters = m.counters;
        return;
      case 'log':
        this.options.log(m.event as { event: string });
        return;
    }
  }

  /** The worker listens once it holds the verdicts in force. */
  private listen(r: WorkerRecord): void {
    this.send(r, { kind: 'verdicts', unhealthy: this.options.unhealthy() });
    r.listenPort = this.listenPort();
    this.send(r, { kind: 'listen', port: r.listenPort });
  }

  /**
   * The port a worker asks for. The primary shares a socket between workers that ask for the same
   * address and port: while a worker listens, ask for what it asked (0 when the node was given port 0);
   * when none does (the socket was closed with the last one), the port that was bound, so that a node
   * given port 0 keeps its port across restarts.
   */
  private listenPort(): number {
    for (const w of this.workers.values()) if (w.state === 'listening' && w.listenPort !== undefined) return w.listenPort;
    return this.bound?.port ?? this.options.listen.port;
  }

  private onExit(r: WorkerRecord, code: number | null, signal: string | null): void {
    this.workers.delete(r.pid);
    if (r.counters) this.retired = this.retired ? sumAnswerCounters([this.retired, r.counters]) : r.counters;
    const why = new Error(`answering worker ${r.pid} exited (${signal ?? `code ${code}`}) before it ${r.state === 'loading' ? 'loaded its config' : 'listened'}`);
    r.loaded.reject(why);
    r.listening.reject(why);
    if (this.stopping || (r.state === 'retiring' && !r.failed)) return;
    if (!r.failed) {
      this.options.log({ event: 'worker-exited', pid: r.pid, code, signal, message: `answering worker ${r.pid} exited (${signal ?? `code ${code}`})` });
    }
    this.youngDeaths = Date.now() - r.startedAt < YOUNG_MS ? this.youngDeaths + 1 : 0;
    this.maintain();
  }

  /** Starts workers of the generation in force until there are `count` of them (backing off while they die young). */
  private maintain(): void {
    if (!this.running || this.stopping || this.pendingRestart) return;
    let live = 0;
    for (const w of this.workers.values()) if (w.generation === this.generation && w.state !== 'retiring') live++;
    if (live >= this.options.count) return;
    const delay = this.youngDeaths === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (this.youngDeaths - 1));
    this.pendingRestart = setTimeout(() => {
      this.pendingRestart = undefined;
      this.restart();
      this.maintain();
    }, delay);
    this.pendingRestart.unref();
  }

  private restart(): void {
    if (this.stopping) return;
    this.restarts++;
    // The config in force, as text again: the primary keeps no second copy of a fleet's config for this.
    const r = this.fork(this.generation, this.options.configText());
    this.options.log({ event: 'worker-starting', pid: r.pid, message: `starting answering worker ${r.pid} in place of one that exited` });
    r.loaded.promise.then(() => {
      if (r.generation === this.generation && this.workers.has(r.pid)) this.listen(r);
      else this.kill(r);
    }, () => undefined);
    r.listening.promise.then(() => this.options.log({ event: 'worker-restarted', pid: r.pid, message: `answering worker ${r.pid} answers` }), () => undefined);
  }

  private retire(r: WorkerRecord): void {
    if (r.state === 'retiring') return;
    r.state = 'retiring';
    this.send(r, { kind: 'retire' });
    const t = setTimeout(() => this.kill(r), 5000);
    t.unref();
  }

  private kill(r: WorkerRecord, failed = false): void {
    r.state = 'retiring';
    r.failed = r.failed || failed;
    if (!r.worker.isDead()) r.worker.process.kill('SIGKILL');
  }

  private send(r: WorkerRecord, m: ToWorker): void {
    if (r.worker.isConnected()) r.worker.send(wrap(m));
  }
}
