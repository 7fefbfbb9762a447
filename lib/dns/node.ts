/**
 * One DNS node: the served config, the verdict store (the engine's `HealthState`), the DNS listeners,
 * the admin API, verdict re-evaluation on every report and on a timer, and reloads that never
 * replace a working config with a broken one.
 */
import { answerShares, clientAreas, engineClient, HealthState, RandomSource, VerdictChange, VerdictSettings } from '../engine';
import { AdminBackend, AdminServer, LivenessResult, ReloadResult, ReportIntake, ReportResult } from './admin';
import { AnsweringWorkers, CompiledSummary, summaryOf } from './cluster';
import { DnsMetrics } from './metrics';
import { Responder, Serving } from './responder';
import { RrlOptions } from './rrl';
import { BoundAddress, DnsListenOptions, DnsServer, dnsSelfTest, formatHostPort } from './server';
import { GroupInfo, reachableGroups, ZoneSet } from './zones';
import { BundleConfig, BundleProblem, checkBundleConfig, checkerKeyName, formatProblem, readBundleConfigFile } from '../bundle';
import { REGION_COORDINATES } from '../model';
import { clientSetupOf } from './clients';
import { GeoIpDatabase } from '../bundle/geoip';
import {
  CheckerKeyFile, DEFAULT_MAX_CLOCK_SKEW_MS, IgnoredObservation, parseReport, ReportAuthenticator, ReportError, ReportHeaders, ReportRequest,
  UNAUTHENTICATED_REPORTS,
} from '../protocol';

/** One log event; the CLI prints each as a JSON line. */
export interface NodeEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

export interface DnsNodeOptions {
  /** The bundle config file (re-read on reload). */
  readonly configFile?: string;
  /** A config given directly (no reload from a file then). */
  readonly config?: BundleConfig;
  readonly dns: { readonly host: string; readonly port: number };
  /** Where the admin API listens. @default - no admin API */
  readonly admin?: {
    readonly host: string;
    readonly port: number;
    /** Lets holders of this token (`authorization: Bearer`) see /status and /reload from any address. @default - loopback only */
    readonly token?: Buffer;
    /** Report bodies read at once. @default 8 */
    readonly maxConcurrentReports?: number;
    /** Admin connections at most. @default 256 */
    readonly maxConnections?: number;
    /** Whether loopback clients see /status and /reload without the token. @default true */
    readonly trustLoopback?: boolean;
  };
  /** @default - events are dropped */
  readonly log?: (event: NodeEvent) => void;
  /** @default Date.now */
  readonly clock?: () => number;
  /** How often verdicts are re-evaluated without reports (reports going stale). @default 1000 */
  readonly evaluateIntervalMs?: number;
  /** TCP limits (see `DnsListenOptions`). */
  readonly tcpIdleTimeoutMs?: number;
  readonly tcpIoTimeoutMs?: number;
  readonly maxTcpConnections?: number;
  readonly maxTcpConnectionsPerClient?: number;
  readonly maxTcpOutputBytes?: number;
  /** Response rate limiting for UDP. @default - off */
  readonly rrl?: RrlOptions;
  /** @default 1232 */
  readonly maxUdpPayload?: number;
  /**
   * How reports are authenticated. `dns-failover serve` and `up` always pass the HMAC authenticator of
   * lib/protocol/auth.ts; the default accepts every report and is for in-process use and tests only.
   * @default UNAUTHENTICATED_REPORTS
   */
  readonly reportAuthenticator?: ReportAuthenticator;
  /** @default 30000 */
  readonly maxClockSkewMs?: number;
  /**
   * The checkers' report keys, (re)read for the config's checkers when the node starts and after
   * every successful reload (a new checker, a rotated key); problems (a missing key file) are logged
   * as `key-warning` and that checker's reports are refused.
   * @default - nothing to load (the authenticator holds its keys)
   */
  readonly reportKeys?: { load(checkers: readonly CheckerKeyFile[]): { readonly problems: readonly string[] } };
  /** @default Math.random */
  readonly random?: RandomSource;
  /**
   * Ignore the EDNS Client Subnet option: answer by the source address, echo no option (for operators
   * who must not use it).
   * @default false
   */
  readonly ignoreClientSubnet?: boolean;
  /**
   * Answer DNS in this many worker processes (`node:cluster`: they share the UDP socket and the TCP
   * listener), one per core; this process keeps the admin API, takes the reports, decides the
   * verdicts and sends them to the workers, and reloads by starting a new generation of workers that
   * compiles the new config while the old one answers (see `cluster.ts`; the workers run `worker.ts`).
   * This process keeps no compiled zones then: the workers compile each config (and refuse one that
   * does not compile), and /status compiles it here when first asked after a start or reload.
   * @default - answer in this process
   */
  readonly workers?: number;
}

/** A config compiled for answering (and for the status). */
interface Compiled extends Serving {
  /** The GeoIP database the trees read, when they need one. */
  readonly geoip?: GeoIpDatabase;
}

interface Loaded {
  readonly config: BundleConfig;
  /**
   * The compiled config. Answering in this process: always. With answering workers (which compile it
   * themselves) the primary keeps none: it is compiled when the status asks and kept until the next reload.
   */
  compiled?: Compiled;
  /** What the compiled config holds, for the log lines and the liveness check. */
  readonly summary: CompiledSummary;
  readonly health: HealthState;
  readonly checkers: ReadonlyMap<string, string>;
  readonly loadedAt: number;
  readonly warnings: readonly BundleProblem[];
}

const RECENT_CHANGES = 100;
/** Ignored observations named in a response, a log line and the status, at most. */
const MAX_IGNORED_SHOWN = 20;

function verdictSettingsOf(config: BundleConfig): Partial<VerdictSettings> {
  const v = config.verdict ?? {};
  return {
    ...(v.healthyFraction !== undefined ? { healthyFraction: v.healthyFraction } : {}),
    ...(v.freshnessMs !== undefined ? { freshnessMs: v.freshnessMs } : {}),
  };
}

/**
 * The verdicts a reload changed. The engine carries reports over a reload and recomputes the
 * verdicts with the new config (`HealthState.reloaded`) before the first evaluate(), so a change the
 * new config itself causes (a new threshold, inversion, disabled) is not in evaluate()'s list: compare
 * each check's verdict before and after instead. Checks new in this config count as changed when
 * evaluate() says so.
 */
function reloadChanges(
  before: HealthState,
  after: HealthState,
  config: BundleConfig,
  evaluated: readonly VerdictChange[],
  now: number,
): VerdictChange[] {
  const existed = new Set(before.snapshot(now).map((s) => s.healthCheckId));
  const reasons = new Map(after.snapshot(now).map((s) => [s.healthCheckId, s.reason]));
  const out: VerdictChange[] = [];
  for (const h of config.healthChecks) {
    if (existed.has(h.id)) {
      const healthy = after.isHealthy(h.id);
      if (healthy !== before.isHealthy(h.id)) out.push({ healthCheckId: h.id, healthy, at: now, reason: `after the reload: ${reasons.get(h.id)}` });
    } else {
      const change = evaluated.find((c) => c.healthCheckId === h.id);
      if (change) out.push(change);
    }
  }
  return out;
}

/** Answers listed per client area of a tree group in the status, at most. */
const MAX_STATUS_ANSWERS = 20;

/**
 * A group in the status: its members with their verdicts and shares; for the top of a routing tree,
 * also its members' routing (location, region, CIDR location, alias) and, per client area (one client
 * per place the tree tells apart), the final answers and their shares.
 */
function groupStatus(loaded: Loaded, g: GroupInfo, isHealthy: (id: string | undefined) => boolean): Record<string, unknown> {
  const shares = answerShares(g.source.group, isHealthy);
  const members = g.source.group.records.map((r, i) => ({
    setIdentifier: r.setIdentifier,
    values: r.values,
    ...(r.weight !== undefined ? { weight: r.weight } : {}),
    ...(r.failover !== undefined ? { failover: r.failover } : {}),
    ...(r.geoLocation !== undefined ? { geoLocation: r.geoLocation } : {}),
    ...(r.region !== undefined ? { region: r.region } : {}),
    ...(r.cidrRoutingConfig !== undefined ? { cidrLocation: r.cidrRoutingConfig.locationName } : {}),
    ...(r.aliasTarget !== undefined ? { aliasTarget: r.aliasTarget.dnsName, evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth } : {}),
    ...(r.healthCheckId !== undefined ? { healthCheckId: r.healthCheckId } : {}),
    healthy: isHealthy(r.healthCheckId),
    share: shares[i],
  }));
  const base = { zone: g.zone, name: g.name, recordType: g.recordType, policy: g.source.group.policy, ttl: g.ttl, members };
  const src = g.source;
  if (src.kind !== 'tree') return base;
  const reached = reachableGroups(src.tree, src.treeGroup);
  const own = Object.fromEntries((loaded.config.regions ?? []).map((r) => [r.name, [r.latitude, r.longitude] as const]));
  const regions = [...new Set(reached.flatMap((x) => x.group.records.map((r) => r.region)).filter((r): r is string => r !== undefined))];
  const areas = src.clientPolicies.size > 0 ? clientAreas(reached.flatMap((x) => x.group.records), loaded.config.cidrCollections, own) : [{ label: 'any client' }];
  const coordinates = { ...REGION_COORDINATES, ...own };
  return {
    ...base,
    tree: reached.slice(1).map((x) => `${x.name} ${x.recordType}`),
    clients: areas.map((a) => {
      try {
        const outcomes = src.tree.outcomes(src.treeGroup, isHealthy, engineClient(a, regions, coordinates), { maxOutcomes: MAX_STATUS_ANSWERS });
        return {
          client: a.label,
          answers: outcomes.map((o) => ({ setIdentifiers: o.setIdentifiers, values: o.records.flatMap((r) => [...r.values]), share: o.probability })),
        };
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        return { client: a.label, answers: [], note: `more than ${MAX_STATUS_ANSWERS} possible answers` };
      }
    }),
  };
}

export class DnsNode implements AdminBackend {
  /** Starts a node: loads and validates the config (throws when it is invalid), then listens. */
  static async start(options: DnsNodeOptions): Promise<DnsNode> {
    const node = new DnsNode(options);
    await node.listen();
    return node;
  }

  readonly metrics = new DnsMetrics();
  private loaded: Loaded;
  private lastReload?: ReloadResult;
  private readonly recent: VerdictChange[] = [];
  private readonly lastReportAt = new Map<string, number>();
  /** Configured checkers whose reports are no longer fresh here (logged once per episode). */
  private readonly staleCheckers = new Set<string>();
  /** Per checker: the observations its last accepted report had that this node left out (a key of them). */
  private readonly ignoredByChecker = new Map<string, { readonly key: string; readonly list: readonly IgnoredObservation[] }>();
  private readonly clock: () => number;
  private readonly log: (event: NodeEvent) => void;
  /** The DNS listeners, when this process answers... */
  private readonly dns?: DnsServer;
  /** ...or the workers that answer. */
  private readonly workers?: AnsweringWorkers;
  /** Reloads run one after the other. */
  private reloads: Promise<unknown> = Promise.resolve();
  private admin?: AdminServer;
  private timer?: NodeJS.Timeout;
  private readonly startedAt: number;
  private readonly authenticator: ReportAuthenticator;

  private constructor(private readonly options: DnsNodeOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.authenticator = options.reportAuthenticator ?? UNAUTHENTICATED_REPORTS;
    this.startedAt = this.clock();
    const check = this.readConfig();
    if (!check.config) throw new Error(check.error);
    // With answering workers, the workers compile the config (and refuse one that does not compile, at start and at reload).
    this.loaded = this.prepare(check.config, check.warnings, this.healthFor(check.config, undefined), options.workers === undefined);
    this.refreshVerdictGauges();
    const listen: DnsListenOptions = {
      host: options.dns.host,
      port: options.dns.port,
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
      tcpIoTimeoutMs: options.tcpIoTimeoutMs,
      maxTcpConnections: options.maxTcpConnections,
      maxTcpConnectionsPerClient: options.maxTcpConnectionsPerClient,
      maxTcpOutputBytes: options.maxTcpOutputBytes,
      rrl: options.rrl,
    };
    if (options.workers !== undefined) {
      const workers = new AnsweringWorkers({
        count: options.workers,
        listen,
        maxUdpPayload: options.maxUdpPayload,
        ignoreClientSubnet: options.ignoreClientSubnet,
        log: this.log,
        unhealthy: () => this.loaded.health.unhealthyIds(),
        configText: () => JSON.stringify(this.loaded.config),
      });
      this.workers = workers;
      this.metrics.answeredElsewhere = () => workers.counters();
    } else {
      const responder = new Responder(() => this.loaded.compiled!, this.metrics, { maxUdpPayload: options.maxUdpPayload, random: options.random });
      this.dns = new DnsServer(responder, this.metrics, listen, (e) => this.log({ event: 'socket-error', message: e.message }));
    }
  }

  private readConfig(): { config?: BundleConfig; error: string; problems: readonly BundleProblem[]; warnings: readonly BundleProblem[] } {
    const source = this.options.configFile;
    const check = source !== undefined ? readBundleConfigFile(source) : checkBundleConfig(this.options.config);
    const where = source ?? 'the bundle config';
    const error = check.errors.length > 0 ? `${where} is invalid:\n${check.errors.map(formatProblem).join('\n')}` : '';
    return { config: check.config, error, problems: check.errors, warnings: check.warnings };
  }

  /** The verdict store of a config: new, or carried over from the previous one (its reports and measured statuses). */
  private healthFor(config: BundleConfig, previous: HealthState | undefined): HealthState {
    const settings = verdictSettingsOf(config);
    return previous ? HealthState.reloaded(previous, config.healthChecks, settings) : new HealthState(config.healthChecks, settings);
  }

  /** A config to load: compiled now (answering in this process), or not (answering workers compile it; `summary` is theirs then). */
  private prepare(config: BundleConfig, warnings: readonly BundleProblem[], health: HealthState, compile: boolean): Loaded {
    const compiled = compile ? this.compile(config, health) : undefined;
    return {
      config,
      ...(compiled ? { compiled } : {}),
      summary: compiled ? summaryOf(compiled.zones) : { zones: [], groups: 0 },
      health,
      checkers: new Map(config.checkers.map((c) => [c.id, c.region])),
      loadedAt: this.clock(),
      warnings,
    };
  }

  private compile(config: BundleConfig, health: HealthState): Compiled {
    const zones = new ZoneSet(config);
    // Throws for a GeoIP database that cannot be used: at start the node does not start, at reload the old config keeps serving.
    const clients = clientSetupOf(config, this.loaded?.compiled?.geoip);
    return {
      zones,
      isHealthy: health.isHealthy,
      ...(clients.resolver ? { clients: clients.resolver } : {}),
      ...(clients.geoip ? { geoip: clients.geoip } : {}),
      ignoreClientSubnet: this.options.ignoreClientSubnet === true,
    };
  }

  /**
   * The compiled config, for the status. With answering workers the primary compiles it on the first
   * request after a start or reload and keeps it until the next reload (a status page polled every few
   * seconds must not compile a fleet's zones each time); the workers compiled the same config already.
   */
  private compiledForStatus(): Compiled | { readonly error: string } {
    const loaded = this.loaded;
    try {
      loaded.compiled ??= this.compile(loaded.config, loaded.health);
    } catch (e) {
      // The workers compiled it when it was loaded; since then, say, its GeoIP database was removed.
      return { error: `the served config could not be compiled for the status: ${(e as Error).message}` };
    }
    return loaded.compiled;
  }

  /** Loads the checkers' keys for a config; logs what is missing. */
  private loadKeys(config: BundleConfig): void {
    if (!this.options.reportKeys) return;
    const { problems } = this.options.reportKeys.load(config.checkers.map((c) => ({ checkerId: c.id, keyName: checkerKeyName(c) })));
    for (const p of problems) this.log({ event: 'key-warning', message: p });
  }

  private async listen(): Promise<void> {
    let dns: BoundAddress;
    if (this.workers) {
      const started = await this.workers.start(JSON.stringify(this.loaded.config));
      dns = started.address;
      this.loaded = { ...this.loaded, summary: started.summary };
    } else {
      dns = await this.dns!.listen();
    }
    this.loadKeys(this.loaded.config);
    try {
      if (this.options.admin) {
        const a = this.options.admin;
        this.admin = new AdminServer(this, {
          token: a.token, maxConcurrentReports: a.maxConcurrentReports, maxConnections: a.maxConnections, trustLoopback: a.trustLoopback,
        });
        await this.admin.listen(this.options.admin.host, this.options.admin.port);
      }
    } catch (e) {
      await (this.workers ? this.workers.stop() : this.dns!.close());
      throw e;
    }
    const every = this.options.evaluateIntervalMs ?? 1000;
    this.timer = setInterval(() => this.evaluate(), every);
    this.timer.unref();
    this.evaluate();
    for (const w of this.loaded.warnings) this.log({ event: 'config-warning', path: w.path, message: w.message });
    this.log({
      event: 'started',
      dns: formatHostPort(dns),
      admin: this.admin ? formatHostPort(this.admin.address) : null,
      config: this.options.configFile ?? null,
      zones: this.loaded.summary.zones,
      groups: this.loaded.summary.groups,
      healthChecks: this.loaded.config.healthChecks.length,
      reportAuthentication: this.authenticator.name,
      ...(this.workers ? { workers: this.options.workers, priorities: this.workers.priorities ?? this.workers.prioritiesNote } : {}),
    });
  }

  get dnsAddress(): BoundAddress {
    return this.workers ? this.workers.address : this.dns!.address;
  }

  get adminAddress(): BoundAddress | undefined {
    return this.admin?.address;
  }

  /** The config being served. */
  get config(): BundleConfig {
    return this.loaded.config;
  }

  /** The verdict of a health check, as the DNS answers use it. */
  isHealthy(healthCheckId: string): boolean {
    return this.loaded.health.isHealthy(healthCheckId);
  }

  /** Re-evaluates every verdict now; logs and counts the changes. */
  evaluate(): VerdictChange[] {
    const now = this.clock();
    const changes = this.loaded.health.evaluate(now);
    this.noteChanges(changes);
    this.noteStaleCheckers(now);
    return changes;
  }

  /**
   * Logs `checker-stale` when a configured checker's last report (or, for one that never reported,
   * the node's start) becomes older than the freshness window, and `checker-fresh` when its reports
   * count again; the metrics say the same per checker.
   */
  private noteStaleCheckers(now: number): void {
    const freshnessMs = this.loaded.health.settings.freshnessMs;
    for (const c of this.loaded.config.checkers) {
      const last = this.lastReportAt.get(c.id);
      const since = last ?? this.startedAt;
      const stale = now - since > freshnessMs;
      this.metrics.checkerReportAge.set(c.id, last === undefined ? -1 : (now - last) / 1000);
      this.metrics.checkerStale.set(c.id, stale ? 1 : 0);
      const was = this.staleCheckers.has(c.id);
      if (stale && !was) {
        this.staleCheckers.add(c.id);
        this.metrics.checkerWentStale(c.id);
        this.log({
          event: 'checker-stale',
          checkerId: c.id,
          region: c.region,
          lastReportAt: last !== undefined ? new Date(last).toISOString() : null,
          message: last !== undefined
            ? `no report from checker '${c.id}' for ${Math.round((now - last) / 1000)} s, longer than the ${freshnessMs / 1000} s freshness window: its reports no longer count; check that it runs and reaches this node (push-failed in its log)`
            : `no report from checker '${c.id}' since this node started ${Math.round((now - this.startedAt) / 1000)} s ago: check that it runs, pushes to this node and holds the key this node has for it`,
        });
      } else if (!stale && was) {
        this.staleCheckers.delete(c.id);
        this.log({ event: 'checker-fresh', checkerId: c.id, region: c.region, message: `checker '${c.id}' reports again` });
      }
    }
    // Checkers no longer configured (after a reload) are forgotten.
    const configured = new Set(this.loaded.config.checkers.map((c) => c.id));
    for (const id of [...this.staleCheckers]) if (!configured.has(id)) this.staleCheckers.delete(id);
    for (const id of [...this.metrics.checkerStale.keys()]) {
      if (!configured.has(id)) {
        this.metrics.checkerStale.delete(id);
        this.metrics.checkerReportAge.delete(id);
      }
    }
  }

  private noteChanges(changes: readonly VerdictChange[]): void {
    this.workers?.publish(changes);
    for (const c of changes) {
      this.metrics.verdictChange(c.healthCheckId, c.healthy);
      this.metrics.verdicts.set(c.healthCheckId, c.healthy ? 1 : 0);
      this.recent.push(c);
      if (this.recent.length > RECENT_CHANGES) this.recent.shift();
      this.log({ event: 'verdict', healthCheckId: c.healthCheckId, healthy: c.healthy, reason: c.reason, at: new Date(c.at).toISOString() });
    }
  }

  private refreshVerdictGauges(): void {
    this.metrics.verdicts.clear();
    for (const h of this.loaded.config.healthChecks) this.metrics.verdicts.set(h.id, this.loaded.health.isHealthy(h.id) ? 1 : 0);
  }

  /**
   * Re-reads the config file. A config that does not validate is refused: the node keeps serving
   * the previous one, logs why, and the status shows the error until a reload succeeds. With answering
   * workers, resolves once the new generation of workers answers (or failed, and the old one still
   * does). Reloads run one after the other.
   */
  reload(): Promise<ReloadResult> {
    const run = this.reloads.then(() => this.reloadNow());
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ReloadResult> {
    const at = this.clock();
    let result: ReloadResult;
    if (this.options.configFile === undefined) {
      result = { ok: false, at, error: 'this node was started with a config object, not a file; there is nothing to re-read' };
    } else {
      // With answering workers, the primary's share of a reload waits for their answers (see priority.ts).
      const check = this.workers ? this.workers.inBackground(() => this.readConfig()) : this.readConfig();
      if (!check.config) {
        result = { ok: false, at, error: check.error, problems: check.problems };
      } else {
        const config = check.config;
        try {
          // Answering in this process: compiled here (a config that does not compile throws, the old one keeps serving).
          // With answering workers: the new generation compiles it, and replace() rejects with the compiler's error.
          const prepared = this.workers ? undefined : this.prepare(config, check.warnings, this.healthFor(config, this.loaded.health), true);
          // The swap: verdicts carried over from the state in force at this moment (reports that came in meanwhile included).
          const commit = (summary?: CompiledSummary) => {
            const previous = this.loaded.health;
            const next = prepared ?? { ...this.prepare(config, check.warnings, this.healthFor(config, previous), false), summary: summary! };
            const health = next.health;
            this.loaded = next;
            const now = this.clock();
            const evaluated = health.evaluate(now);
            this.refreshVerdictGauges();
            this.noteChanges(reloadChanges(previous, health, config, evaluated, now));
          };
          if (this.workers) await this.workers.replace(this.workers.inBackground(() => JSON.stringify(config)), commit);
          else commit();
          this.loadKeys(config);
          result = { ok: true, at, warnings: check.warnings };
        } catch (e) {
          result = { ok: false, at, error: `${this.options.configFile} could not be loaded: ${(e as Error).message}` };
        }
      }
    }
    this.lastReload = result;
    this.metrics.reload(result.ok);
    if (result.ok) {
      for (const w of result.warnings ?? []) this.log({ event: 'config-warning', path: w.path, message: w.message });
      this.log({ event: 'reload', ok: true, config: this.options.configFile, zones: this.loaded.summary.zones, groups: this.loaded.summary.groups });
    } else {
      this.log({ event: 'reload', ok: false, error: result.error, keeping: 'the previous config' });
    }
    return result;
  }

  /**
   * `POST /reports` before its body: the credentials. A refusal is answered at once (the admin API
   * does not read the body); otherwise the admin API reads the body and hands it to `accept`.
   */
  admitReport(request: Omit<ReportHeaders, 'now'>): ReportResult | ReportIntake {
    const admission = this.authenticator.admit({ ...request, now: this.clock() });
    if (!admission.ok) {
      this.metrics.report('rejected', 'unauthenticated');
      return { status: admission.status, body: { error: admission.reason } };
    }
    return {
      ...(admission.length !== undefined ? { length: admission.length } : {}),
      release: () => admission.release(),
      accept: (body: Buffer): ReportResult => {
        const auth = admission.finish(body, this.clock());
        if (!auth.ok) {
          this.metrics.report('rejected', 'unauthenticated');
          return { status: auth.status, body: { error: auth.reason } };
        }
        return this.storeReport(body, auth.checkerId);
      },
    };
  }

  /** One whole report (credentials and body at once): what `POST /reports` does, for in-process callers. */
  acceptReport(request: Omit<ReportRequest, 'now'>): ReportResult {
    const admitted = this.admitReport(request);
    return 'accept' in admitted ? admitted.accept(request.body) : admitted;
  }

  /** `GET /healthz`: a real DNS query (the first zone's SOA) to the node's own listeners, over UDP and TCP. */
  liveness(): Promise<LivenessResult> {
    const zone = this.loaded.summary.zones[0] ?? '';
    return this.workers ? dnsSelfTest(this.workers.address, zone) : this.dns!.selfTest(zone);
  }

  /**
   * `GET /readyz`: alive, and holding current verdicts: every configured checker has reported since
   * the node started, or the freshness window has passed since (a checker that is down must not keep
   * a node out of service for ever). A node that just started answers with "a new health check is
   * healthy" for every check until reports arrive: behind a Service it gets no queries until then.
   */
  async readiness(): Promise<LivenessResult> {
    const live = await this.liveness();
    const now = this.clock();
    const freshnessMs = this.loaded.health.settings.freshnessMs;
    const waiting = this.loaded.config.checkers.filter((c) => !this.lastReportAt.has(c.id)).map((c) => c.id);
    const graceLeft = this.startedAt + freshnessMs - now;
    const reportsOk = waiting.length === 0 || graceLeft <= 0;
    return {
      ok: live.ok && reportsOk,
      detail: {
        ...live.detail,
        reports: waiting.length === 0
          ? 'every checker has reported since the start'
          : graceLeft <= 0
            ? `no report yet from ${waiting.join(', ')}, but the freshness window since the start has passed`
            : `waiting for a first report from ${waiting.join(', ')} (at most ${Math.ceil(graceLeft / 1000)} s more)`,
      },
    };
  }

  /** A report whose credentials and body passed: validation, then the verdict store. */
  private storeReport(body: Buffer, authenticatedId: string | undefined): ReportResult {
    const now = this.clock();
    const loaded = this.loaded;
    let parsed: ReturnType<typeof parseReport>;
    try {
      parsed = parseReport(body.toString('utf8'), {
        checkers: loaded.checkers,
        acceptsReports: (id) => (loaded.health.acceptsReports(id) ? true : loaded.config.healthChecks.some((h) => h.id === id) ? 'not-endpoint' : false),
        now,
        maxClockSkewMs: this.options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
      });
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      this.metrics.report('rejected', 'malformed');
      return { status: 400, body: { error: e.message } };
    }
    if (authenticatedId !== undefined && authenticatedId !== parsed.body.checkerId) {
      this.metrics.report('rejected', 'unauthenticated');
      return { status: 403, body: { error: `the credentials are those of checker '${authenticatedId}', the report claims to be from '${parsed.body.checkerId}'` } };
    }
    const checkerId = parsed.body.checkerId;
    const region = parsed.body.region;
    for (const o of parsed.accepted) loaded.health.reportObservation(o.healthCheckId, checkerId, region, o);
    this.lastReportAt.set(checkerId, now);
    this.metrics.report('accepted');
    this.noteIgnored(checkerId, parsed.ignored);
    const changes = this.evaluate();
    return {
      status: 200,
      body: {
        accepted: parsed.accepted.length,
        ...(parsed.ignored.length > 0 ? { ignored: parsed.ignored.length, ignoredHealthChecks: parsed.ignored.slice(0, MAX_IGNORED_SHOWN) } : {}),
        verdictChanges: changes,
      },
    };
  }

  /**
   * Counts observations left out of an accepted report and logs when a checker's set of them changes
   * (a checker still on an older or newer config than this node's).
   */
  private noteIgnored(checkerId: string, ignored: readonly IgnoredObservation[]): void {
    for (const reason of ['unknown-health-check', 'not-endpoint-check'] as const) {
      const n = ignored.filter((i) => i.reason === reason).length;
      if (n > 0) this.metrics.ignoredObservation(checkerId, reason, n);
    }
    const key = ignored.map((i) => `${i.reason}:${i.healthCheckId}`).sort().join('\n');
    if ((this.ignoredByChecker.get(checkerId)?.key ?? '') === key) return;
    this.ignoredByChecker.set(checkerId, { key, list: ignored.slice(0, MAX_IGNORED_SHOWN) });
    if (ignored.length === 0) {
      this.log({ event: 'report-observations-ignored', checkerId, count: 0, message: 'the checker reports only health checks this node knows again' });
    } else {
      this.log({
        event: 'report-observations-ignored',
        checkerId,
        count: ignored.length,
        healthChecks: ignored.slice(0, MAX_IGNORED_SHOWN),
        message: 'the checker reports health checks this node\'s config does not have as endpoint checks (a checker on another config version?); they are left out, the rest of its reports count',
      });
    }
  }

  /** Everything the status endpoint shows. */
  status(): Record<string, unknown> {
    const now = this.clock();
    const loaded = this.loaded;
    const health = loaded.health;
    const view = this.compiledForStatus();
    const compiled = 'error' in view ? undefined : view;
    return {
      node: {
        startedAt: new Date(this.startedAt).toISOString(),
        uptimeSeconds: Math.round((now - this.startedAt) / 1000),
        dns: formatHostPort(this.dnsAddress),
        admin: this.admin ? formatHostPort(this.admin.address) : null,
        reportAuthentication: this.authenticator.name,
        ...(this.workers ? { answering: this.workers.status() } : {}),
      },
      config: {
        file: this.options.configFile ?? null,
        version: loaded.config.version,
        loadedAt: new Date(loaded.loadedAt).toISOString(),
        warnings: loaded.warnings,
        lastReload: this.lastReload
          ? {
            at: new Date(this.lastReload.at).toISOString(),
            ok: this.lastReload.ok,
            ...(this.lastReload.error !== undefined ? { error: this.lastReload.error } : {}),
            ...(this.lastReload.problems !== undefined ? { problems: this.lastReload.problems } : {}),
          }
          : null,
      },
      verdictSettings: health.settings,
      zones: !compiled ? loaded.summary.zones.map((name) => ({ name })) : compiled.zones.zones.map((z) => ({
        name: z.name,
        serial: z.config.soa.serial,
        nameServers: z.config.nameServers,
        staticRecords: (z.config.records ?? []).length,
        groups: compiled.zones.groups.filter((g) => g.zone === z.name).length,
      })),
      ...('error' in view ? { groupsError: view.error } : {}),
      ...(compiled?.geoip
        ? {
          geoip: {
            file: compiled.geoip.file,
            description: compiled.geoip.description,
            databaseType: compiled.geoip.databaseType,
            builtAt: compiled.geoip.builtAt,
          },
        }
        : {}),
      groups: (compiled?.zones.groups ?? []).map((g) => groupStatus(loaded, g, health.isHealthy)),
      healthChecks: health.snapshot(now),
      checkers: loaded.config.checkers.map((c) => {
        const last = this.lastReportAt.get(c.id);
        const credentials = this.authenticator.checkerStatus?.(c.id, now);
        return {
          id: c.id,
          region: c.region,
          lastReportAt: last !== undefined ? new Date(last).toISOString() : null,
          ageMs: last !== undefined ? now - last : null,
          stale: this.staleCheckers.has(c.id),
          ...(this.ignoredByChecker.get(c.id)?.list.length ? { ignoredObservations: this.ignoredByChecker.get(c.id)!.list } : {}),
          ...(credentials !== undefined ? { credentials } : {}),
        };
      }),
      recentVerdictChanges: this.recent.map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
      queries: { total: this.metrics.totalQueries(), dropped: this.metrics.totalDropped() },
    };
  }

  /** Stops the timer, the admin API and the DNS listeners. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.workers ? this.workers.stop() : this.dns!.close(), this.admin?.close()]);
  }
}
