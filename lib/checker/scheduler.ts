/**
 * The probe schedule of one checker (ROUTE53.md §1 "Timing"):
 * - every check runs on its own loop; the interval is measured "from the moment a checker gets a
 *   response to the moment it sends the next request", so a slow endpoint is probed less often,
 *   never twice at once;
 * - checks are spread over time: each one's first probe waits a random offset in [0, interval);
 * - `FailureThreshold` consecutive results are needed to change this checker's view, in both
 *   directions; a new check starts healthy;
 * - a check is not reported (no observation) until it has produced `FailureThreshold` results since
 *   this scheduler started. A checker that restarts (kill -9, `up` reload, a Kubernetes rollout)
 *   knows nothing of its previous view, so its "starts healthy" is not an opinion about the
 *   endpoint: reporting it would count as a healthy report at every DNS node and could put a dead
 *   endpoint back into the answers. Until then the node keeps this checker's last report (or, for a
 *   check no checker has reported yet, the node's own "a new health check is healthy");
 * - at most `maxConcurrency` probes run at once (sockets and memory stay bounded however many checks
 *   are configured); a probe that has to wait for a slot starts late, and that lateness is reported.
 *
 * The observation of a check (what the checker reports): its view, the reason of the last result,
 * the last latency and when that result was observed.
 */
import { setMaxListeners } from 'events';
import { performance } from 'perf_hooks';
import { probe as realProbe, ProbeFunction, ProbeResult } from './probe';
import { HostResolver } from './resolve';
import { ProbeTarget } from './target';

/** One health check as this checker sees it; the shape of an observation in a report. */
export interface CheckObservation {
  readonly healthCheckId: string;
  /** This checker's view, after `FailureThreshold`. */
  readonly healthy: boolean;
  /** Why: the last result, and how far a change of view has got. */
  readonly reason: string;
  readonly latencyMs?: number;
  /** When the last result was observed, ms since epoch. */
  readonly observedAt: number;
}

/** How far a check has got: its last result, and whether it has the `failureThreshold` results it needs to be reported. */
export interface CheckProgress {
  readonly latest: CheckObservation;
  readonly results: number;
  readonly needed: number;
  readonly established: boolean;
}

/** When a probe was planned, started and finished (`performance.now()` milliseconds). */
export interface ProbeTiming {
  readonly plannedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface SchedulerOptions {
  /** @default the real probe (HTTP/HTTPS/TCP) */
  readonly probe?: ProbeFunction;
  /** @default a HostResolver with the system resolver and a 2 s lookup timeout */
  readonly resolver?: HostResolver;
  /** Probes in flight at most. @default 256 */
  readonly maxConcurrency?: number;
  /** In [0, 1), for the initial offsets. @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: () => number;
  readonly userAgent?: string;
  /** After every probe. */
  readonly onResult?: (observation: CheckObservation, result: ProbeResult, timing: ProbeTiming) => void;
  /**
   * The state of checks carried over from a scheduler this one replaces (`carriedState()`): a check
   * whose target is unchanged keeps its view, its results and its observation, so a new config does
   * not make an established check start over.
   */
  readonly carry?: ReadonlyMap<string, CarriedCheck>;
  /** When this checker's view of a check changes (after `FailureThreshold` results). */
  readonly onChange?: (observation: CheckObservation, previous: boolean) => void;
  /**
   * When a check has produced `FailureThreshold` results and is reported from now on, unless its
   * view changed with that very result (then `onChange` is called instead).
   */
  readonly onEstablished?: (observation: CheckObservation) => void;
}

/** What a check's state is when it moves to a new scheduler (same id, same target). */
export interface CarriedCheck {
  /** The target, as JSON: the state carries over only to an identical target. */
  readonly target: string;
  readonly view: boolean;
  readonly streak: number;
  readonly results: number;
  readonly latest?: CheckObservation;
  readonly observation?: CheckObservation;
}

export const DEFAULT_MAX_CONCURRENCY = 256;
/** Reasons are cut to this length (a DNS node refuses reports with longer ones). */
export const MAX_REASON_CHARS = 500;

interface CheckState {
  readonly target: ProbeTarget;
  view: boolean;
  /** Consecutive results that disagree with `view`. */
  streak: number;
  /** Results since the scheduler started. */
  results: number;
  /** The last result's observation, also before the check is established (for views, never reported). */
  latest?: CheckObservation;
  /** What is reported: set once the check has `failureThreshold` results. */
  observation?: CheckObservation;
  timer?: NodeJS.Timeout;
  plannedAt: number;
}

/** A counting semaphore with a FIFO queue that never shifts a large array. */
class Limiter {
  private active = 0;
  private queue: Array<() => void> = [];
  private head = 0;

  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  acquire(): Promise<void> | undefined {
    if (this.active < this.max) {
      this.active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  release(): void {
    if (this.head < this.queue.length) {
      const next = this.queue[this.head];
      this.queue[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      next(); // the slot passes on: active stays the same
    } else {
      this.active--;
    }
  }

  /** Lets every waiter go (they see that the scheduler stopped). */
  drain(): void {
    const waiting = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    this.active += waiting.length;
    for (const w of waiting) w();
  }
}

export class ProbeScheduler {
  private readonly checks: CheckState[];
  private readonly byId = new Map<string, CheckState>();
  private readonly limiter: Limiter;
  private readonly probeFn: ProbeFunction;
  private readonly resolver: HostResolver;
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly abort = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private stopped = false;
  private versionCounter = 0;
  private probeCount = 0;

  constructor(targets: readonly ProbeTarget[], private readonly options: SchedulerOptions = {}) {
    const max = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxConcurrency ${String(max)} is not usable; give a whole number of probes, 1 or more (default ${DEFAULT_MAX_CONCURRENCY})`);
    }
    this.limiter = new Limiter(max);
    this.probeFn = options.probe ?? realProbe;
    this.resolver = options.resolver ?? new HostResolver();
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
    // Every probe in flight listens on the one stop signal (and removes its listener when done).
    setMaxListeners(0, this.abort.signal);
    this.checks = targets.map((target) => {
      if (this.byId.has(target.healthCheckId)) {
        throw new Error(`two targets share the health check id '${target.healthCheckId}'; give each check its own id`);
      }
      const state: CheckState = { target, view: true, streak: 0, results: 0, plannedAt: 0 };
      const carried = options.carry?.get(target.healthCheckId);
      if (carried && carried.target === targetKey(target)) {
        state.view = carried.view;
        state.streak = carried.streak;
        state.results = carried.results;
        state.latest = carried.latest;
        state.observation = carried.observation;
        if (state.observation) this.versionCounter++;
      }
      this.byId.set(target.healthCheckId, state);
      return state;
    });
  }

  /** Checks scheduled. */
  get size(): number {
    return this.checks.length;
  }

  /** Increases after every probe result: a cache key for anything built from {@link observations}. */
  get version(): number {
    return this.versionCounter;
  }

  get stats(): { readonly probes: number; readonly inFlight: number; readonly waiting: number; readonly lookupsInFlight: number } {
    return { probes: this.probeCount, inFlight: this.limiter.inFlight, waiting: this.limiter.waiting, lookupsInFlight: this.resolver.inFlight };
  }

  /** The shortest interval of the checks (ms), or undefined without checks. */
  get shortestIntervalMs(): number | undefined {
    let min: number | undefined;
    for (const c of this.checks) if (min === undefined || c.target.intervalMs < min) min = c.target.intervalMs;
    return min;
  }

  /** Starts every check after a random offset in [0, interval). */
  start(): void {
    if (this.started) throw new Error('the scheduler was already started; create a new one to start again');
    this.started = true;
    for (const c of this.checks) this.schedule(c, Math.floor(this.random() * c.target.intervalMs));
  }

  /** Stops scheduling, cancels the probes in flight (their sockets are destroyed) and waits for them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.checks) {
      if (c.timer) clearTimeout(c.timer);
      c.timer = undefined;
    }
    this.abort.abort();
    this.limiter.drain();
    await Promise.all([...this.running]);
  }

  /**
   * The observation of every established check (one with `failureThreshold` results since the
   * scheduler started), in config order: what the checker reports.
   */
  observations(): CheckObservation[] {
    const out: CheckObservation[] = [];
    for (const c of this.checks) if (c.observation) out.push(c.observation);
    return out;
  }

  observation(healthCheckId: string): CheckObservation | undefined {
    return this.byId.get(healthCheckId)?.observation;
  }

  /** Every check's state, for a scheduler that replaces this one (`SchedulerOptions.carry`). */
  carriedState(): Map<string, CarriedCheck> {
    const out = new Map<string, CarriedCheck>();
    for (const c of this.checks) {
      out.set(c.target.healthCheckId, {
        target: targetKey(c.target),
        view: c.view,
        streak: c.streak,
        results: c.results,
        ...(c.latest ? { latest: c.latest } : {}),
        ...(c.observation ? { observation: c.observation } : {}),
      });
    }
    return out;
  }

  /**
   * The last result of a check, established or not, with how many results it has of the
   * `failureThreshold` it needs before it is reported. Undefined before its first result.
   */
  progress(healthCheckId: string): CheckProgress | undefined {
    const c = this.byId.get(healthCheckId);
    if (!c?.latest) return undefined;
    return { latest: c.latest, results: c.results, needed: c.target.failureThreshold, established: c.observation !== undefined };
  }

  private schedule(c: CheckState, delayMs: number): void {
    c.plannedAt = performance.now() + delayMs;
    c.timer = setTimeout(() => {
      c.timer = undefined;
      const run = this.run(c);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, delayMs);
  }

  private async run(c: CheckState): Promise<void> {
    if (this.stopped) return;
    const plannedAt = c.plannedAt;
    const wait = this.limiter.acquire();
    if (wait) await wait;
    if (this.stopped) {
      this.limiter.release();
      return;
    }
    const startedAt = performance.now();
    let result: ProbeResult;
    try {
      const context = { resolver: this.resolver, signal: this.abort.signal, clock: this.clock, userAgent: this.options.userAgent };
      result = await this.probeFn(c.target, context);
    } catch (e) {
      result = { healthy: false, reason: `checker error: ${(e as Error).message}`, observedAt: this.clock() };
    } finally {
      this.limiter.release();
    }
    const finishedAt = performance.now();
    if (this.stopped) return;
    this.probeCount++;
    const previous = c.view;
    const wasEstablished = c.observation !== undefined;
    const observation = this.record(c, result);
    // The next request goes out one interval after this response.
    this.schedule(c, c.target.intervalMs);
    this.options.onResult?.(observation, result, { plannedAt, startedAt, finishedAt });
    if (observation.healthy !== previous) this.options.onChange?.(observation, previous);
    else if (!wasEstablished && c.observation !== undefined) this.options.onEstablished?.(observation);
  }

  private record(c: CheckState, result: ProbeResult): CheckObservation {
    const threshold = c.target.failureThreshold;
    c.results++;
    const text = result.reason.length > MAX_REASON_CHARS ? `${result.reason.slice(0, MAX_REASON_CHARS - 3)}...` : result.reason;
    let reason = text;
    if (result.healthy === c.view) {
      c.streak = 0;
    } else {
      c.streak++;
      if (c.streak >= threshold) {
        c.view = result.healthy;
        c.streak = 0;
      } else {
        const what = result.healthy ? 'successes' : 'failures';
        reason = `${text} (${c.streak} of ${threshold} consecutive ${what} needed to mark ${result.healthy ? 'healthy' : 'unhealthy'})`;
      }
    }
    const observation: CheckObservation = {
      healthCheckId: c.target.healthCheckId,
      healthy: c.view,
      reason,
      ...(result.latencyMs !== undefined ? { latencyMs: result.latencyMs } : {}),
      observedAt: result.observedAt,
    };
    c.latest = observation;
    // A view changes only after `threshold` results, so a changed view is always established.
    if (c.results >= threshold) {
      c.observation = observation;
      this.versionCounter++;
    }
    return observation;
  }
}

/** A target as JSON (its search string as text): equal keys probe the same way. */
function targetKey(t: ProbeTarget): string {
  return JSON.stringify({ ...t, searchString: t.searchString?.toString('utf8') });
}
