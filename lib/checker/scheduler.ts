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
import { ProbeContext, ProbeFunction, ProbeResult, runProbe as runRealProbe } from './probe';
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
  /**
   * The check's timer. After the first (random) offset it always runs `intervalMs`, so one timer
   * serves every probe of the check: `refresh()` re-arms it (no timer object per probe).
   */
  timer?: NodeJS.Timeout;
  /** The duration `timer` was made with. */
  timerMs: number;
  plannedAt: number;
  startedAt: number;
}

function onCheckTimer(scheduler: ProbeScheduler, c: CheckState): void {
  scheduler.due(c);
}

export class ProbeScheduler {
  private readonly checks: CheckState[];
  private readonly byId = new Map<string, CheckState>();
  private readonly max: number;
  /** Probes holding a slot (at most `max`). */
  private active = 0;
  /** Checks due, waiting for a slot (FIFO; `head` is the next one). */
  private queue: CheckState[] = [];
  private head = 0;
  /** Launching queued checks (a probe that completes at once must not recurse into the next). */
  private pumping = false;
  private readonly runProbe: (target: ProbeTarget, context: ProbeContext, done: (result: ProbeResult) => void) => void;
  private readonly context: ProbeContext;
  private readonly resolver: HostResolver;
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly abort = new AbortController();
  private idle?: () => void;
  private started = false;
  private stopped = false;
  private versionCounter = 0;
  private probeCount = 0;

  constructor(targets: readonly ProbeTarget[], private readonly options: SchedulerOptions = {}) {
    const max = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxConcurrency ${String(max)} is not usable; give a whole number of probes, 1 or more (default ${DEFAULT_MAX_CONCURRENCY})`);
    }
    this.max = max;
    const injected = options.probe;
    this.runProbe = injected === undefined ? runRealProbe : (target, context, done) => {
      injected(target, context).then(done, (e: unknown) => done(checkerError(e, this.clock)));
    };
    this.resolver = options.resolver ?? new HostResolver();
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
    this.context = { resolver: this.resolver, signal: this.abort.signal, clock: this.clock, userAgent: options.userAgent };
    // Probes share one listener on the stop signal (cancel.ts); an injected probe may listen itself.
    setMaxListeners(0, this.abort.signal);
    this.checks = targets.map((target) => {
      if (this.byId.has(target.healthCheckId)) {
        throw new Error(`two targets share the health check id '${target.healthCheckId}'; give each check its own id`);
      }
      const state: CheckState = { target, view: true, streak: 0, results: 0, timerMs: -1, plannedAt: 0, startedAt: 0 };
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
    return { probes: this.probeCount, inFlight: this.active, waiting: this.queue.length - this.head, lookupsInFlight: this.resolver.inFlight };
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
    // Checks waiting for a slot never started: nothing to wait for.
    this.queue = [];
    this.head = 0;
    this.abort.abort(); // every probe in flight ends now (a name lookup in flight: at its next turn)
    if (this.active > 0) await new Promise<void>((resolve) => (this.idle = resolve));
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

  /** @internal A check's timer fired: probe it now, or as soon as a slot is free. */
  due(c: CheckState): void {
    if (this.stopped) return;
    if (this.active < this.max) {
      this.active++;
      this.begin(c);
    } else {
      this.queue.push(c);
    }
  }

  private schedule(c: CheckState, delayMs: number): void {
    c.plannedAt = performance.now() + delayMs;
    if (c.timer !== undefined && c.timerMs === delayMs) {
      c.timer.refresh();
    } else {
      if (c.timer !== undefined) clearTimeout(c.timer);
      c.timerMs = delayMs;
      c.timer = setTimeout(onCheckTimer, delayMs, this, c);
    }
  }

  private begin(c: CheckState): void {
    c.startedAt = performance.now();
    let called = false;
    const finished = (result: ProbeResult) => {
      if (called) return;
      called = true;
      this.done(c, result);
    };
    try {
      this.runProbe(c.target, this.context, finished);
    } catch (e) {
      if (called) throw e; // from the result's own callbacks (onResult ...), not from the probe
      finished(checkerError(e, this.clock));
    }
  }

  private done(c: CheckState, result: ProbeResult): void {
    try {
      if (this.stopped) return;
      const finishedAt = performance.now();
      const plannedAt = c.plannedAt;
      this.probeCount++;
      const previous = c.view;
      const wasEstablished = c.observation !== undefined;
      const observation = this.record(c, result);
      // The next request goes out one interval after this response.
      this.schedule(c, c.target.intervalMs);
      this.options.onResult?.(observation, result, { plannedAt, startedAt: c.startedAt, finishedAt });
      if (observation.healthy !== previous) this.options.onChange?.(observation, previous);
      else if (!wasEstablished && c.observation !== undefined) this.options.onEstablished?.(observation);
    } finally {
      this.release();
    }
  }

  /** A probe gave its slot back: the checks waiting for one go, in order. */
  private release(): void {
    this.active--;
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.active < this.max && this.head < this.queue.length) {
        const next = this.queue[this.head];
        this.queue[this.head++] = undefined as never;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.active++;
        this.begin(next);
      }
    } finally {
      this.pumping = false;
    }
    if (this.active === 0 && this.idle !== undefined) {
      const idle = this.idle;
      this.idle = undefined;
      idle();
    }
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
    const id = c.target.healthCheckId;
    const observation: CheckObservation = result.latencyMs !== undefined
      ? { healthCheckId: id, healthy: c.view, reason, latencyMs: result.latencyMs, observedAt: result.observedAt }
      : { healthCheckId: id, healthy: c.view, reason, observedAt: result.observedAt };
    c.latest = observation;
    // A view changes only after `threshold` results, so a changed view is always established.
    if (c.results >= threshold) {
      c.observation = observation;
      this.versionCounter++;
    }
    return observation;
  }
}

function checkerError(e: unknown, clock: () => number): ProbeResult {
  return { healthy: false, reason: `checker error: ${(e as Error)?.message ?? String(e)}`, observedAt: clock() };
}

/** A target as JSON (its search string as text): equal keys probe the same way. */
function targetKey(t: ProbeTarget): string {
  return JSON.stringify({ ...t, searchString: t.searchString?.toString('utf8') });
}
