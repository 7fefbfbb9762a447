/**
 * One checker: an id and a region, the probe schedule of every endpoint check it is responsible for,
 * and the pushes of its observations to every DNS node (DESIGN.md "Self-hosted topology").
 *
 * Which checks it probes: endpoint checks (HTTP*, HTTPS*, TCP) that are not disabled, and, when a check
 * lists `regions`, only if this checker's region is in the list (Route 53 probes from the listed
 * regions only). Every skipped check is logged with the reason.
 */
import { ReportPusher, ReportPusherOptions } from './reporter';
import { DEFAULT_LOOKUP_TIMEOUT_MS, dnsLookupIPv4, HostResolver, LookupIPv4 } from './resolve';
import { CheckObservation, ProbeScheduler, SchedulerOptions } from './scheduler';
import { isProbed, probeTargetOf, ProbeTarget, ProbeTimeoutDefaultsMs, ROUTE53_PROBE_TIMEOUTS_MS } from './target';
import { DEFAULT_REQUEST_INTERVAL_SECONDS, HealthCheckModel } from '../model';

export interface CheckerEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

export interface CheckerOptions {
  readonly checkerId: string;
  readonly region: string;
  readonly healthChecks: readonly HealthCheckModel[];
  /** Where and how to push reports. @default - no pushes (observations are only kept) */
  readonly push?: Omit<ReportPusherOptions, 'checkerId' | 'region' | 'observations' | 'version' | 'heartbeatMs' | 'log' | 'clock'> & {
    /** @default the shortest interval of the probed checks */
    readonly heartbeatMs?: number;
  };
  /** Deadlines for checks that do not set their own. @default ROUTE53_PROBE_TIMEOUTS_MS */
  readonly timeoutDefaults?: ProbeTimeoutDefaultsMs;
  /** @default c-ares (`dnsLookupIPv4`) with `dnsServers`, IPv4 */
  readonly lookup?: LookupIPv4;
  /** DNS servers for host names, `ip` or `ip:port`. @default - those of /etc/resolv.conf */
  readonly dnsServers?: readonly string[];
  /** @default 2000 */
  readonly lookupTimeoutMs?: number;
  readonly maxConcurrency?: number;
  readonly random?: () => number;
  readonly clock?: () => number;
  readonly probe?: SchedulerOptions['probe'];
  readonly onResult?: SchedulerOptions['onResult'];
  readonly log?: (event: CheckerEvent) => void;
}

export interface SkippedCheck {
  readonly healthCheckId: string;
  readonly reason: string;
}

/** The checks a checker in `region` probes, and those it skips with the reason. */
export function selectChecks(
  healthChecks: readonly HealthCheckModel[],
  region: string,
  defaults: ProbeTimeoutDefaultsMs = ROUTE53_PROBE_TIMEOUTS_MS,
): { targets: ProbeTarget[]; skipped: SkippedCheck[] } {
  const targets: ProbeTarget[] = [];
  const skipped: SkippedCheck[] = [];
  for (const hc of healthChecks) {
    if (!isProbed(hc)) {
      const why = hc.config.disabled === true ? 'disabled (always healthy, not probed)' : `type ${hc.config.type} is not probed by checkers`;
      skipped.push({ healthCheckId: hc.id, reason: why });
      continue;
    }
    const regions = hc.config.regions;
    if (regions !== undefined && regions.length > 0 && !regions.includes(region)) {
      skipped.push({ healthCheckId: hc.id, reason: `its regions (${regions.join(', ')}) do not include this checker's region '${region}'` });
      continue;
    }
    targets.push(probeTargetOf(hc, defaults));
  }
  return { targets, skipped };
}

export class Checker {
  /** The probe schedule (replaced by `reconfigure`). */
  scheduler: ProbeScheduler;
  readonly pusher?: ReportPusher;
  skipped: readonly SkippedCheck[];
  private readonly schedulerOptions: SchedulerOptions;
  /** Counts the schedulers this checker has had: part of the pusher's cache key. */
  private generation = 0;
  private readonly resolver: HostResolver;
  private readonly log: (event: CheckerEvent) => void;
  private running = false;

  constructor(readonly options: CheckerOptions) {
    if (typeof options.checkerId !== 'string' || options.checkerId === '') throw new Error('a checker needs an id; give --checker-id');
    if (typeof options.region !== 'string' || options.region === '') throw new Error(`checker '${options.checkerId}' needs a region; give --region`);
    this.log = options.log ?? (() => undefined);
    const { targets, skipped } = selectChecks(options.healthChecks, options.region, options.timeoutDefaults);
    this.skipped = skipped;
    const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    const resolver = new HostResolver(options.lookup ?? dnsLookupIPv4({ servers: options.dnsServers, timeoutMs: lookupTimeoutMs }), lookupTimeoutMs);
    this.resolver = resolver;
    this.schedulerOptions = {
      resolver,
      maxConcurrency: options.maxConcurrency,
      random: options.random,
      clock: options.clock,
      probe: options.probe,
      userAgent: `dns-failover-checker/1 (${options.checkerId})`,
      onResult: options.onResult,
      onChange: (o, previous) => {
        this.log({ event: 'verdict', healthCheckId: o.healthCheckId, healthy: o.healthy, previous, reason: o.reason, latencyMs: o.latencyMs ?? null, observedAt: new Date(o.observedAt).toISOString() });
        this.pusher?.changed();
      },
      onEstablished: (o) => {
        this.log({ event: 'check-established', healthCheckId: o.healthCheckId, healthy: o.healthy, reason: o.reason, observedAt: new Date(o.observedAt).toISOString() });
        this.pusher?.changed();
      },
    };
    this.scheduler = new ProbeScheduler(targets, this.schedulerOptions);
    if (options.push) {
      const heartbeatMs = options.push.heartbeatMs ?? this.scheduler.shortestIntervalMs ?? DEFAULT_REQUEST_INTERVAL_SECONDS * 1000;
      this.pusher = new ReportPusher({
        ...options.push,
        heartbeatMs,
        checkerId: options.checkerId,
        region: options.region,
        observations: () => this.scheduler.observations(),
        version: () => this.generation * 1e9 + this.scheduler.version,
        clock: options.clock,
        log: (e) => this.log(e),
      });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const s of this.skipped) this.log({ event: 'check-skipped', healthCheckId: s.healthCheckId, reason: s.reason });
    this.scheduler.start();
    this.pusher?.start();
    this.log({
      event: 'checker-started',
      checkerId: this.options.checkerId,
      region: this.options.region,
      checks: this.scheduler.size,
      skipped: this.skipped.length,
      push: this.pusher ? this.pusher.status().map((s) => s.url) : [],
    });
  }

  /**
   * Takes a new config's health checks without a restart: a check whose probe target is unchanged
   * keeps its view, its results and its observation (it stays reported); a new or changed one starts
   * over (reported once it has `FailureThreshold` results); a removed one is no longer probed.
   */
  async reconfigure(healthChecks: readonly HealthCheckModel[]): Promise<{ kept: string[]; added: string[]; removed: string[] }> {
    const { targets, skipped } = selectChecks(healthChecks, this.options.region, this.options.timeoutDefaults);
    const carry = this.scheduler.carriedState();
    const next = new ProbeScheduler(targets, { ...this.schedulerOptions, carry });
    const old = this.scheduler;
    // Kept: a check whose state carried over (it had a result, and its target is the same).
    const kept = targets.map((t) => t.healthCheckId).filter((id) => next.progress(id) !== undefined);
    const ids = new Set(targets.map((t) => t.healthCheckId));
    const result = {
      kept,
      added: targets.map((t) => t.healthCheckId).filter((id) => !kept.includes(id)),
      removed: [...carry.keys()].filter((id) => !ids.has(id)),
    };
    this.generation++;
    this.scheduler = next;
    this.skipped = skipped;
    await old.stop();
    if (this.running) {
      for (const s of skipped) this.log({ event: 'check-skipped', healthCheckId: s.healthCheckId, reason: s.reason });
      next.start();
    }
    this.log({ event: 'checker-reconfigured', checkerId: this.options.checkerId, checks: next.size, ...result });
    this.pusher?.changed();
    return result;
  }

  observations(): CheckObservation[] {
    return this.scheduler.observations();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.scheduler.stop();
    this.resolver.close();
    await this.pusher?.stop();
    this.log({ event: 'checker-stopped', checkerId: this.options.checkerId, probes: this.scheduler.stats.probes });
  }
}
