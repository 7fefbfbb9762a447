/**
 * Health verdicts: from checker reports to one verdict per health check, as every DNS node computes
 * them on its own (ROUTE53.md §1 "Many checkers, one verdict", "Calculated, inverted, disabled,
 * CloudWatch").
 *
 * Pure and deterministic: time comes in as `now` / `observedAt` (ms since epoch), nothing here reads
 * a clock or does I/O. The DNS server feeds reports in with {@link HealthState.report}, calls
 * {@link HealthState.evaluate} on its own schedule (and after reports arrive), and answers queries
 * from {@link HealthState.isHealthy}, which only reads the verdicts of the last evaluation
 * (ROUTE53.md §2: "Health comes from the last computed verdict, never from a probe at query time").
 *
 * A report is one checker's view of an endpoint: the checker has already applied `FailureThreshold`
 * ("Consecutive results needed to change a checker's view, in both directions", ROUTE53.md §1
 * "Timing") before it reports, so the engine never counts consecutive results itself.
 */
import {
  DEFAULT_HEALTHY_FRACTION,
  DEFAULT_REQUEST_INTERVAL_SECONDS,
  HealthCheckModel,
  healthCheckKindOf,
  HealthCheckType,
  healthThresholdOf,
  healthyFractionProblem,
  requestIntervalOf,
} from '../model';

export interface CheckerReport {
  readonly checkerId: string;
  readonly region: string;
  readonly healthy: boolean;
  /** When the checker observed this, ms since epoch. */
  readonly observedAt: number;
  readonly reason?: string;
  readonly latencyMs?: number;
}

/** What a checker says about one check: a {@link CheckerReport} without the checker. */
export type CheckerObservation = Pick<CheckerReport, 'healthy' | 'observedAt' | 'reason' | 'latencyMs'>;

export interface VerdictSettings {
  /**
   * Healthy when MORE than this fraction of the checkers with a fresh report say healthy.
   * ROUTE53.md §1: "An endpoint is healthy when **more than 18 %** of the checkers report it
   * healthy; 18 % or fewer means unhealthy." Default `DEFAULT_HEALTHY_FRACTION` (facts.ts); from 0 (one healthy checker suffices)
   * up to, not including, 1.
   */
  readonly healthyFraction: number;
  /**
   * A report observed longer ago than this (ms) is not fresh; a report exactly this old still is.
   * Default {@link DEFAULT_FRESHNESS_MS} (90 s: three of Route 53's default 30 s intervals); see
   * {@link freshnessMsFor} for a value derived from the model's own intervals.
   */
  readonly freshnessMs: number;
}

/**
 * 90 s = 3 x the default 30 s interval (our choice). A checker pushes one report per interval
 * (the interval runs from a response to the next request, so reports arrive every interval plus
 * up to the probe timeout); three intervals let one or two lost pushes pass without dropping the
 * checker, yet a checker that died or was partitioned away stops counting within 90 s.
 */
export const DEFAULT_FRESHNESS_MS = 3 * DEFAULT_REQUEST_INTERVAL_SECONDS * 1000;
/** The shortest freshness window {@link freshnessMsFor} proposes (our choice). */
export const MIN_FRESHNESS_MS = 30_000;

export const DEFAULT_VERDICT_SETTINGS: VerdictSettings = Object.freeze({
  healthyFraction: DEFAULT_HEALTHY_FRACTION,
  freshnessMs: DEFAULT_FRESHNESS_MS,
});

export interface VerdictChange {
  readonly healthCheckId: string;
  readonly healthy: boolean;
  readonly at: number;
  readonly reason: string;
}

/**
 * How a check gets its status:
 * - `endpoint`: HTTP*, HTTPS*, TCP: from checker reports;
 * - `calculated`: from its children;
 * - `unobserved`: CLOUDWATCH_METRIC and RECOVERY_CONTROL (and an unknown type in an unvalidated
 *   model): no checker reports on them, so they count as healthy unless overridden.
 */
export type VerdictKind = 'endpoint' | 'calculated' | 'unobserved';

export function verdictKindOf(type: string): VerdictKind {
  const kind = healthCheckKindOf(type);
  return kind === 'endpoint' || kind === 'calculated' ? kind : 'unobserved';
}

/**
 * A freshness window for a model (our choice): 3 x the longest request interval of its endpoint
 * checks (30 s when unset), at least {@link MIN_FRESHNESS_MS}. For a model that only uses the
 * default interval this equals {@link DEFAULT_FRESHNESS_MS}.
 */
export function freshnessMsFor(healthChecks: readonly HealthCheckModel[]): number {
  let longest = 0;
  for (const hc of healthChecks) {
    if (verdictKindOf(hc.config.type) !== 'endpoint') continue;
    const iv = requestIntervalOf(hc.config);
    if (Number.isFinite(iv) && iv > longest) longest = iv;
  }
  if (longest === 0) longest = DEFAULT_REQUEST_INTERVAL_SECONDS;
  return Math.max(MIN_FRESHNESS_MS, Math.round(3 * longest * 1000));
}

export interface ReportSnapshot extends CheckerReport {
  /** `now - observedAt` (negative for a report dated after `now`). */
  readonly ageMs: number;
  readonly fresh: boolean;
}

export interface ChildSnapshot {
  readonly healthCheckId: string;
  /** False for an id that is not a health check of this state (an external Route 53 id). */
  readonly inModel: boolean;
  /** The child's verdict after the last evaluate(). */
  readonly healthy: boolean;
}

export interface HealthCheckSnapshot {
  readonly healthCheckId: string;
  readonly name?: string;
  /** The config type (`HTTP`, `CALCULATED`, ...). */
  readonly type: HealthCheckType;
  readonly kind: VerdictKind;
  readonly inverted: boolean;
  readonly disabled: boolean;
  /** Endpoint checks: each checker's latest report, by checker id, with its age and freshness at `now`. */
  readonly reports: ReportSnapshot[];
  /** Reports fresh at `now`. */
  readonly freshCount: number;
  /** Fresh reports at `now` that say healthy. */
  readonly healthyCount: number;
  /**
   * Endpoint checks: the status measured at the last evaluate() (or kept from before, when no report
   * was fresh), before override, disabled and inversion. True for other kinds.
   */
  readonly measured: boolean;
  /** The forced status set with override(), if any. */
  readonly override?: boolean;
  /** Calculated checks: the distinct children. */
  readonly children?: ChildSnapshot[];
  /** Calculated checks: the threshold applied (`healthThresholdOf`: every child when the model leaves it unset). */
  readonly healthThreshold?: number;
  /** The verdict after the last evaluate(): what isHealthy() answers. */
  readonly healthy: boolean;
  /** When the verdict last changed (the `now` of that evaluate()); undefined: held since the state was created. */
  readonly since?: number;
  /** Why the verdict is what it is, as of the last evaluate(). */
  readonly reason: string;
}

/**
 * One checker's latest report on one endpoint check (its fields, updated in place by every newer report:
 * the node's report path allocates nothing per observation here), and whether it is counted as fresh.
 */
interface Slot {
  readonly entry: Entry;
  readonly checkerId: string;
  region: string;
  healthy: boolean;
  observedAt: number;
  reason: string | undefined;
  latencyMs: number | undefined;
  /** Counted in the entry's fresh and healthy counts, and in the expiry heap (incremental evaluation). */
  counted: boolean;
  /** The heap's key: an `observedAt` this slot's report had, at most the current one. */
  key: number;
}

interface Entry {
  readonly model: HealthCheckModel;
  readonly kind: VerdictKind;
  readonly children: readonly string[];
  /** Position in model order. */
  readonly index: number;
  /** Calculated checks: 1 + the deepest child's rank; others 0 (children are evaluated first). */
  rank: number;
  /** The calculated checks that name this one as a child. */
  readonly parents: Entry[];
  /** Latest report per checker id. */
  readonly reports: Map<string, Slot>;
  /** Counted (fresh, as of the last evaluate()) reports, and the healthy ones among them. */
  freshCount: number;
  healthyCount: number;
  /** The evaluation round this entry was last marked for recomputation in. */
  dirtyRound: number;
  /** Last measured status (endpoint checks); a new check starts healthy. */
  measured: boolean;
  /** When `measured` was last computed from fresh reports. */
  measuredAt: number | undefined;
  healthy: boolean;
  since: number | undefined;
  reason: string;
}

/** What one evaluate() did. */
export interface EvaluationWork {
  /** Every check was recomputed over every report (the first evaluate(), after a reload, a clock that went back, or not incremental). */
  readonly full: boolean;
  /** Checks whose verdict was recomputed. */
  readonly recomputed: number;
  /** Reports that went stale at this evaluate() (incremental evaluations). */
  readonly expired: number;
}

/** Options of a {@link HealthState} that do not change its verdicts. */
export interface HealthStateOptions {
  /**
   * Evaluate incrementally: a report marks only its check for recomputation (when it changes the
   * check's counts), verdict changes propagate to calculated parents, and reports leave the fresh
   * counts through a heap ordered by their age. False recomputes every check over every report at
   * every evaluate(): the same verdicts, reasons and changes (the reference the tests compare with).
   * @default true
   */
  readonly incremental?: boolean;
}

/**
 * A binary min-heap of slots by `key` (an `observedAt`). A slot whose report is replaced by a newer one
 * keeps its old key (a lower bound); when it reaches the top, it is either stale, or put back with its
 * current key. So a report costs no heap work, and each slot moves at most once per freshness window.
 */
class ExpiryHeap {
  private items: Slot[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Slot | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items = [];
  }

  push(slot: Slot): void {
    const a = this.items;
    let i = a.length;
    a.push(slot);
    const key = slot.key;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].key <= key) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = slot;
  }

  pop(): Slot | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const n = a.length;
    const key = last.key;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1].key < a[c].key) c++;
      if (a[c].key >= key) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = last;
    return top;
  }
}

interface Result {
  readonly healthy: boolean;
  readonly reason: string;
}

const word = (healthy: boolean) => (healthy ? 'healthy' : 'unhealthy');
const percent = (x: number) => `${Number((x * 100).toFixed(2))} %`;

function resolveSettings(settings: Partial<VerdictSettings> | undefined): VerdictSettings {
  const healthyFraction = settings?.healthyFraction ?? DEFAULT_VERDICT_SETTINGS.healthyFraction;
  const freshnessMs = settings?.freshnessMs ?? DEFAULT_VERDICT_SETTINGS.freshnessMs;
  const problem = healthyFractionProblem(healthyFraction);
  if (problem !== undefined) throw new RangeError(problem);
  if (!(freshnessMs > 0)) {
    throw new RangeError(`freshnessMs ${freshnessMs} is out of range; use a positive number of milliseconds, for example ${DEFAULT_FRESHNESS_MS}`);
  }
  return Object.freeze({ healthyFraction, freshnessMs });
}

/**
 * The verdicts of one DNS node (or of one simulated node in the verifier).
 *
 * Rules (ROUTE53.md §1):
 * - Endpoint checks: "An endpoint is healthy when **more than 18 %** of the checkers report it
 *   healthy" over "the reports that are **fresh** at that node. When no report is fresh, the node
 *   keeps its last verdict (a brand-new check starts healthy)". The fraction is
 *   `healthy fresh reports / fresh reports`, compared with `>`.
 * - Every report counts, whatever its `region` (our choice): the checker fleet decides which checks
 *   a checker probes, and self-hosted checkers may carry region names of their own; dropping reports
 *   whose region is not in the check's `regions` list would silently shrink the quorum. The region is
 *   kept for status pages.
 * - `CALCULATED`: "healthy when the number of healthy children is at least `HealthThreshold`
 *   (0..256). 0 means always healthy; more than the number of children means always unhealthy."
 *   A child is counted with its own final verdict (after its inversion); children are evaluated
 *   first. A child id that is not a check of this state (an external Route 53 id) counts as healthy
 *   unless overridden. Each distinct child counts once. A missing HealthThreshold means every child
 *   (`healthThresholdOf` in the model's facts, the one meaning everywhere). Should an unvalidated
 *   model nest calculated checks in a cycle, the member of the cycle reached again uses its previous verdict.
 * - "`Inverted` flips the verdict (endpoint, calculated and CloudWatch checks)."
 * - "`Disabled` ...: the check is always healthy. Disabled plus Inverted therefore forces
 *   'unhealthy'": disabled applies before inversion.
 * - `CLOUDWATCH_METRIC` (and `RECOVERY_CONTROL`): no checker reports on them, so they count as
 *   healthy (alarm OK, routing control on) unless overridden (our choice); inversion and disabled
 *   still apply.
 *
 * So: verdict = inverted XOR (disabled ? healthy : (override ?? measured status)).
 */
export class HealthState {
  /**
   * Carry a node's state over a configuration reload, so that a reload never resets verdicts to
   * "healthy" (which could send traffic back to a failed endpoint): for every check id present in
   * both with the same type, the latest reports and the last measured status are kept; every
   * override is kept. Verdicts are recomputed with the new configuration (no report is considered
   * fresh until the next evaluate()); a verdict that did not change keeps its `since`.
   */
  static reloaded(
    previous: HealthState,
    healthChecks: readonly HealthCheckModel[],
    settings?: Partial<VerdictSettings>,
    options: HealthStateOptions = previous.options,
  ): HealthState {
    const next = new HealthState(healthChecks, settings, options);
    for (const entry of next.order) {
      const old = previous.entries.get(entry.model.id);
      if (!old || old.model.config.type !== entry.model.config.type) continue;
      if (entry.kind === 'endpoint') for (const slot of old.reports.values()) next.store(entry, slot.checkerId, slot.region, slot.healthy, slot.observedAt, slot.reason, slot.latencyMs);
      entry.measured = old.measured;
      entry.measuredAt = old.measuredAt;
    }
    for (const [id, healthy] of previous.overrides) next.overrides.set(id, healthy);
    next.commitInitial();
    for (const entry of next.order) {
      const old = previous.entries.get(entry.model.id);
      if (old && old.healthy === entry.healthy) entry.since = old.since;
    }
    return next;
  }

  /** The settings in force, defaults filled in. */
  readonly settings: VerdictSettings;
  private readonly options: HealthStateOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly order: Entry[] = [];
  private readonly overrides = new Map<string, boolean>();
  /** Verdicts after the last evaluate(): every check of the state, plus overridden external ids. */
  private readonly verdicts = new Map<string, boolean>();
  /** The external ids held in `verdicts`, in the order they are there (after every check of the state). */
  private readonly externalVerdicts = new Set<string>();
  /** Calculated checks by the id of a child that is not a check of this state (an external id). */
  private readonly externalParents = new Map<string, Entry[]>();
  private generationCounter = 0;
  private lastEvaluatedAt: number | undefined;

  // Incremental evaluation (see HealthStateOptions.incremental).
  /** False: every evaluate() recomputes everything (by option, or for a model whose calculated checks form a cycle). */
  private readonly incremental: boolean;
  /** Counted reports by age: the next to go stale on top. */
  private readonly expiry = new ExpiryHeap();
  /** The next evaluate() recomputes every check (after creation, a reload, or a clock that went back). */
  private allDirty = true;
  /** Checks to recompute at the next evaluate(), by rank (children before parents). */
  private readonly dirty: Entry[][] = [];
  private round = 1;
  /** An override of an external id changed since the last evaluate(). */
  private externalsChanged = false;
  /** The `now` the fresh counts are taken at. */
  private countedAt = -Infinity;
  private lastWork: EvaluationWork = { full: true, recomputed: 0, expired: 0 };

  constructor(healthChecks: readonly HealthCheckModel[], settings?: Partial<VerdictSettings>, options: HealthStateOptions = {}) {
    this.settings = resolveSettings(settings);
    this.options = options;
    for (const model of healthChecks) {
      if (this.entries.has(model.id)) {
        throw new Error(`two health checks share the id '${model.id}'; give each its own id (validate the model first)`);
      }
      const entry: Entry = {
        model,
        kind: verdictKindOf(model.config.type),
        children: [...new Set(model.config.childHealthChecks ?? [])],
        index: this.order.length,
        rank: 0,
        parents: [],
        reports: new Map(),
        freshCount: 0,
        healthyCount: 0,
        dirtyRound: 0,
        measured: true,
        measuredAt: undefined,
        healthy: true,
        since: undefined,
        reason: '',
      };
      this.entries.set(model.id, entry);
      this.order.push(entry);
    }
    this.incremental = options.incremental !== false && this.link();
    this.commitInitial();
    // isHealthy may be handed around unbound, e.g. `group.select(state.isHealthy, Math.random)`.
    this.isHealthy = this.isHealthy.bind(this);
  }

  /**
   * Links calculated checks to their children (parents, external parents) and ranks them, children
   * first. Returns false when calculated checks form a cycle (an unvalidated model): the full
   * evaluation then decides, with its rule for cycles.
   */
  private link(): boolean {
    for (const entry of this.order) {
      if (entry.kind !== 'calculated') continue;
      for (const id of entry.children) {
        const child = this.entries.get(id);
        if (child) {
          child.parents.push(entry);
        } else {
          const list = this.externalParents.get(id);
          if (list) list.push(entry);
          else this.externalParents.set(id, [entry]);
        }
      }
    }
    const state = new Map<Entry, 1 | 2>(); // 1 visiting, 2 done
    const rank = (entry: Entry): number => {
      const s = state.get(entry);
      if (s === 2) return entry.rank;
      if (s === 1) throw cycle;
      state.set(entry, 1);
      let r = 0;
      if (entry.kind === 'calculated') {
        for (const id of entry.children) {
          const child = this.entries.get(id);
          if (child) r = Math.max(r, rank(child) + 1);
        }
      }
      entry.rank = r;
      state.set(entry, 2);
      return r;
    };
    const cycle = new Error('cycle');
    try {
      for (const entry of this.order) rank(entry);
    } catch (e) {
      if (e !== cycle) throw e;
      return false;
    }
    return true;
  }

  /** Increases every time an evaluate() changes a verdict: a cache key for answers derived from verdicts. */
  get generation(): number {
    return this.generationCounter;
  }

  /** What the last evaluate() did (for tests and metrics: the work follows what changed). */
  get lastEvaluation(): EvaluationWork {
    return this.lastWork;
  }

  /** The `now` of the last evaluate(), if any. */
  get evaluatedAt(): number | undefined {
    return this.lastEvaluatedAt;
  }

  /**
   * The earliest time after which a report counted as fresh at the last evaluate() may have gone stale
   * (a report dated `t` is stale after `t + freshnessMs`), or undefined when none is counted: an
   * evaluate() before then changes no verdict unless reports or overrides arrived. For a timer.
   */
  get nextExpiryAt(): number | undefined {
    const top = this.expiry.peek();
    return top === undefined ? undefined : top.key + this.settings.freshnessMs;
  }

  /** The ids whose verdict after the last evaluate() is unhealthy (checks of this state, and overridden external ids); every other id is healthy. */
  unhealthyIds(): string[] {
    const out: string[] = [];
    for (const [id, healthy] of this.verdicts) if (!healthy) out.push(id);
    return out;
  }

  /** Whether {@link report} stores reports for this id: true for endpoint checks (HTTP*, HTTPS*, TCP) of this state. */
  acceptsReports(healthCheckId: string): boolean {
    return this.entries.get(healthCheckId)?.kind === 'endpoint';
  }

  /**
   * Keep the latest report of a checker for an endpoint check (older-than-stored reports are ignored).
   *
   * A report dated exactly like the stored one replaces it. Reports for ids this state does not hold,
   * or for checks that are not endpoint checks, are ignored: see {@link acceptsReports}. The report
   * takes effect at the next evaluate().
   *
   * The engine trusts `observedAt`: the caller authenticates reports and rejects those dated in the
   * future (beyond clock skew), since a far-future report would stay fresh and shadow later ones.
   *
   * Throws a TypeError for a report without a checker id or with an `observedAt` that is not a finite
   * number: a caller's bug, not a checker's opinion.
   *
   * Only the report's field values are kept, not the object.
   */
  report(healthCheckId: string, report: CheckerReport): void {
    this.reportObservation(healthCheckId, report.checkerId, report.region, report);
  }

  /**
   * {@link report} with the checker given apart from its observation (the report protocol's body: one
   * checker, many observations). Nothing is kept of `observation` but its field values.
   */
  reportObservation(healthCheckId: string, checkerId: string, region: string, observation: CheckerObservation): void {
    if (typeof checkerId !== 'string' || checkerId === '') {
      throw new TypeError(`report for health check '${healthCheckId}' has no checkerId; give the reporting checker's id`);
    }
    const observedAt = observation.observedAt;
    if (typeof observedAt !== 'number' || !Number.isFinite(observedAt)) {
      throw new TypeError(`report of checker '${checkerId}' for health check '${healthCheckId}' has observedAt ${String(observedAt)}; give ms since epoch`);
    }
    const entry = this.entries.get(healthCheckId);
    if (entry === undefined || entry.kind !== 'endpoint') return;
    this.store(entry, checkerId, region, observation.healthy === true, observedAt, observation.reason, observation.latencyMs);
  }

  /**
   * Stores a report (the latest of its checker; an older one is ignored) and keeps the fresh counts: a
   * report counts until the next evaluate() finds it stale. The check is recomputed only when its
   * counts, or its number of reports, change: a report that repeats what its checker said before
   * changes nothing but its age.
   */
  private store(
    entry: Entry, checkerId: string, region: string, healthy: boolean, observedAt: number, reason: string | undefined, latencyMs: number | undefined,
  ): void {
    let slot = entry.reports.get(checkerId);
    if (slot === undefined) {
      slot = { entry, checkerId, region, healthy, observedAt, reason, latencyMs, counted: false, key: observedAt };
      entry.reports.set(checkerId, slot);
      this.count(slot);
      this.markDirty(entry);
      return;
    }
    if (observedAt < slot.observedAt) return;
    const was = slot.healthy;
    slot.region = region;
    slot.healthy = healthy;
    slot.observedAt = observedAt;
    slot.reason = reason;
    slot.latencyMs = latencyMs;
    if (!slot.counted) {
      this.count(slot);
      this.markDirty(entry);
    } else if (was !== healthy) {
      entry.healthyCount += healthy ? 1 : -1;
      this.markDirty(entry);
    }
  }

  private count(slot: Slot): void {
    slot.counted = true;
    slot.key = slot.observedAt;
    slot.entry.freshCount++;
    if (slot.healthy) slot.entry.healthyCount++;
    if (this.incremental) this.expiry.push(slot);
  }

  private markDirty(entry: Entry): void {
    if (!this.incremental || entry.dirtyRound === this.round) return;
    entry.dirtyRound = this.round;
    (this.dirty[entry.rank] ??= []).push(entry);
  }

  /**
   * Force a status (the verifier's "mark member down"); cleared with undefined. Takes effect at the
   * next evaluate().
   *
   * The override replaces what the check measures (its reports, its children, or the unobserved
   * alarm state), so disabled and inverted still apply on top of it (our choice): marking an
   * endpoint down simulates the endpoint failing, and an inverted check of a failed endpoint is
   * healthy. Any id may be overridden, also one that is not a check of this state (an external
   * Route 53 id, otherwise always healthy): isHealthy() and calculated parents then use the override.
   */
  override(healthCheckId: string, healthy: boolean | undefined): void {
    if (healthy === undefined) this.overrides.delete(healthCheckId);
    else this.overrides.set(healthCheckId, healthy);
    const entry = this.entries.get(healthCheckId);
    if (entry) {
      this.markDirty(entry);
    } else {
      this.externalsChanged = true;
      for (const parent of this.externalParents.get(healthCheckId) ?? []) this.markDirty(parent);
    }
  }

  /** Recompute every verdict at `now`; returns the checks whose verdict changed, in model order (then overridden external ids). */
  evaluate(now: number): VerdictChange[] {
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new TypeError(`evaluate(now) needs ms since epoch, got ${String(now)}`);
    }
    // After creation and reloads, and should the clock go back (stale reports may be fresh again): everything.
    const changes = this.incremental && !this.allDirty && now >= this.countedAt ? this.evaluateDirty(now) : this.evaluateAll(now);
    this.externals(now, changes);
    this.lastEvaluatedAt = now;
    if (changes.length > 0) this.generationCounter++;
    return changes;
  }

  /** The full evaluation: every check over every report. */
  private evaluateAll(now: number): VerdictChange[] {
    const results = this.computeAll(now);
    this.lastWork = { full: true, recomputed: this.order.length, expired: 0 };
    const changes: VerdictChange[] = [];
    for (const entry of this.order) {
      const result = results.get(entry)!;
      if (result.healthy !== entry.healthy) {
        entry.since = now;
        changes.push({ healthCheckId: entry.model.id, healthy: result.healthy, at: now, reason: result.reason });
      }
      entry.healthy = result.healthy;
      entry.reason = result.reason;
      this.verdicts.set(entry.model.id, result.healthy);
    }
    if (this.incremental) this.recount(now);
    return changes;
  }

  /** Fresh counts and the expiry heap as of `now`, from every stored report. */
  private recount(now: number): void {
    this.expiry.clear();
    for (const entry of this.order) {
      entry.freshCount = 0;
      entry.healthyCount = 0;
      for (const slot of entry.reports.values()) {
        slot.counted = false;
        if (this.isFresh(slot, now)) this.count(slot);
      }
    }
    this.dirty.length = 0;
    this.round++;
    this.allDirty = false;
    this.countedAt = now;
  }

  /**
   * The incremental evaluation: reports that went stale since the last evaluate() leave the counts
   * (from the top of the expiry heap), then the checks marked for recomputation are recomputed,
   * children before parents; a verdict that changes marks the calculated checks above it.
   */
  private evaluateDirty(now: number): VerdictChange[] {
    const f = this.settings.freshnessMs;
    const heap = this.expiry;
    let expired = 0;
    let recomputed = 0;
    for (let top = heap.peek(); top !== undefined && now - top.key > f; top = heap.peek()) {
      heap.pop();
      if (now - top.observedAt > f) {
        top.counted = false;
        expired++;
        top.entry.freshCount--;
        if (top.healthy) top.entry.healthyCount--;
        this.markDirty(top.entry);
      } else {
        top.key = top.observedAt; // replaced by a newer report since it was counted: back in, by its age
        heap.push(top);
      }
    }
    this.countedAt = now;
    const changed: Entry[] = [];
    const reasons = new Map<Entry, string>();
    const childVerdict = (child: Entry) => child.healthy; // children are final: lower ranks come first
    for (let rank = 0; rank < this.dirty.length; rank++) {
      const list = this.dirty[rank];
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i];
        recomputed++;
        const result = this.compute(entry, now, entry.freshCount, entry.healthyCount, childVerdict);
        entry.reason = result.reason;
        if (result.healthy !== entry.healthy) {
          entry.since = now;
          entry.healthy = result.healthy;
          this.verdicts.set(entry.model.id, result.healthy);
          changed.push(entry);
          reasons.set(entry, result.reason);
          for (const parent of entry.parents) this.markDirty(parent);
        }
      }
    }
    this.dirty.length = 0;
    this.round++;
    this.lastWork = { full: false, recomputed, expired };
    changed.sort((a, b) => a.index - b.index);
    return changed.map((entry) => ({ healthCheckId: entry.model.id, healthy: entry.healthy, at: now, reason: reasons.get(entry)! }));
  }

  /** External ids (not checks of this state): healthy unless overridden. */
  private externals(now: number, changes: VerdictChange[]): void {
    if (!this.externalsChanged) return; // each external verdict already follows its override
    this.externalsChanged = false;
    const externals = new Set<string>(this.externalVerdicts);
    for (const id of this.overrides.keys()) if (!this.entries.has(id)) externals.add(id);
    for (const id of externals) {
      const forced = this.overrides.get(id);
      const healthy = forced ?? true;
      if (healthy !== (this.verdicts.get(id) ?? true)) {
        const reason = forced === undefined
          ? 'external health check (not in this model): override cleared, counts as healthy'
          : `external health check (not in this model): overridden to ${word(forced)}`;
        changes.push({ healthCheckId: id, healthy, at: now, reason });
      }
      if (forced === undefined) {
        this.verdicts.delete(id);
        this.externalVerdicts.delete(id);
      } else {
        this.verdicts.set(id, forced);
        this.externalVerdicts.add(id);
      }
    }
  }

  /**
   * Verdict after the last evaluate(); calculated/inverted/disabled applied. An id with no check here
   * (external, or undefined) counts as healthy, unless an override for it has been evaluated.
   * Before the first evaluate(): the starting verdicts (every measured status healthy). Bound to the
   * instance, so it can be passed on as a function.
   */
  isHealthy(healthCheckId: string | undefined): boolean {
    if (healthCheckId === undefined) return true;
    const v = this.verdicts.get(healthCheckId);
    return v === undefined ? true : v;
  }

  /**
   * For status pages and the verifier: per check (model order), its config type, each checker's
   * latest report with age and freshness, fresh count, healthy count, verdict, since when.
   * Ages, freshness and counts are taken at `now`; the verdict, its reason and `since` are those of
   * the last evaluate().
   */
  snapshot(now: number): HealthCheckSnapshot[] {
    return this.order.map((entry) => {
      const c = entry.model.config;
      const reports = [...entry.reports.values()]
        .sort((a, b) => (a.checkerId < b.checkerId ? -1 : a.checkerId > b.checkerId ? 1 : 0))
        .map((r): ReportSnapshot => ({
          checkerId: r.checkerId,
          region: r.region,
          healthy: r.healthy,
          observedAt: r.observedAt,
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
          ...(r.latencyMs !== undefined ? { latencyMs: r.latencyMs } : {}),
          ageMs: now - r.observedAt,
          fresh: this.isFresh(r, now),
        }));
      const fresh = reports.filter((r) => r.fresh);
      const override = this.overrides.get(entry.model.id);
      return {
        healthCheckId: entry.model.id,
        ...(entry.model.name !== undefined ? { name: entry.model.name } : {}),
        type: c.type,
        kind: entry.kind,
        inverted: c.inverted === true,
        disabled: c.disabled === true,
        reports,
        freshCount: fresh.length,
        healthyCount: fresh.filter((r) => r.healthy).length,
        measured: entry.measured,
        ...(override !== undefined ? { override } : {}),
        ...(entry.kind === 'calculated'
          ? {
            children: entry.children.map((id) => ({ healthCheckId: id, inModel: this.entries.has(id), healthy: this.isHealthy(id) })),
            healthThreshold: healthThresholdOf(c),
          }
          : {}),
        healthy: entry.healthy,
        ...(entry.since !== undefined ? { since: entry.since } : {}),
        reason: entry.reason,
      };
    });
  }

  private isFresh(report: { readonly observedAt: number }, now: number): boolean {
    return now - report.observedAt <= this.settings.freshnessMs;
  }

  /** Starting verdicts: no report is fresh yet, so every measured status is kept (healthy for a new check). */
  private commitInitial(): void {
    const results = this.computeAll(undefined);
    for (const entry of this.order) {
      const result = results.get(entry)!;
      entry.healthy = result.healthy;
      entry.reason = result.reason;
      entry.since = undefined;
      this.verdicts.set(entry.model.id, result.healthy);
    }
    for (const [id, healthy] of this.overrides) {
      if (!this.entries.has(id)) {
        this.verdicts.set(id, healthy);
        this.externalVerdicts.add(id);
      }
    }
    this.allDirty = true;
  }

  /** Every check's verdict at `now` (undefined: no report is fresh), children before parents. */
  private computeAll(now: number | undefined): Map<Entry, Result> {
    const results = new Map<Entry, Result>();
    const visiting = new Set<Entry>();
    const verdictOf = (entry: Entry): boolean => {
      const done = results.get(entry);
      if (done) return done.healthy;
      if (visiting.has(entry)) return entry.healthy; // a cycle in an unvalidated model: previous verdict
      visiting.add(entry);
      let fresh = 0;
      let healthy = 0;
      if (entry.kind === 'endpoint' && now !== undefined) {
        for (const slot of entry.reports.values()) {
          if (!this.isFresh(slot, now)) continue;
          fresh++;
          if (slot.healthy) healthy++;
        }
      }
      const result = this.compute(entry, now, fresh, healthy, verdictOf);
      visiting.delete(entry);
      results.set(entry, result);
      return result.healthy;
    };
    for (const entry of this.order) verdictOf(entry);
    return results;
  }

  /**
   * One check's verdict at `now` (undefined: no report is fresh): `fresh` and `healthy` are its fresh
   * reports and the healthy ones among them (endpoint checks), `verdictOf` gives a child's verdict.
   */
  private compute(entry: Entry, now: number | undefined, fresh: number, healthy: number, verdictOf: (entry: Entry) => boolean): Result {
    const c = entry.model.config;
    let status: boolean;
    let reason: string;
    switch (entry.kind) {
      case 'endpoint': {
        const fraction = this.settings.healthyFraction;
        if (fresh > 0) {
          // Division, not `fraction * fresh`: k / n rounds to the same double as the literal fraction
          // when they are equal (k of 100 with k = 100 x DEFAULT_HEALTHY_FRACTION is that fraction
          // exactly, hence not more than it).
          entry.measured = healthy / fresh > fraction;
          entry.measuredAt = now;
          reason = `${healthy} of ${fresh} fresh checker reports healthy (${percent(healthy / fresh)} ${entry.measured ? '>' : '<='} ${percent(fraction)})`;
        } else if (entry.measuredAt === undefined) {
          reason = `no fresh checker report yet (${entry.reports.size} stale); a new health check starts healthy`;
        } else {
          reason = `no fresh checker report (${entry.reports.size} stale); keeping the last verdict, ${word(entry.measured)}`;
        }
        status = entry.measured;
        break;
      }
      case 'calculated': {
        let up = 0;
        for (const id of entry.children) {
          const child = this.entries.get(id);
          const ok = child ? verdictOf(child) : (this.overrides.get(id) ?? true);
          if (ok) up++;
        }
        const threshold = healthThresholdOf(c);
        status = up >= threshold;
        const note = threshold <= 0 ? ' (0: always healthy)' : threshold > entry.children.length ? ' (more than the children: always unhealthy)' : '';
        reason = `${up} of ${entry.children.length} child checks healthy, healthThreshold ${threshold}${note}`;
        break;
      }
      case 'unobserved':
        status = true;
        reason = `${c.type}: no checker observes this check here, so it counts as healthy`;
        break;
    }
    const forced = this.overrides.get(entry.model.id);
    if (forced !== undefined) {
      status = forced;
      reason = `overridden to ${word(forced)} (measured: ${reason})`;
    }
    if (c.disabled === true) {
      status = true;
      reason = `disabled, so healthy before inversion (${reason})`;
    }
    if (c.inverted === true) {
      status = !status;
      reason = `inverted to ${word(status)}: ${reason}`;
    }
    return { healthy: status, reason };
  }
}
