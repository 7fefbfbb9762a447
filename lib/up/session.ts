/**
 * `dns-failover up`, the embedded default: one process runs a DNS node serving a bundle and one
 * checker per region of the bundle, each pushing its signed reports to the node over HTTP, exactly
 * as a fleet does (same report endpoint, same HMAC authentication, with a key per checker made up for the
 * run). Nothing here decides health or answers: the node and its engine do.
 */
import { randomBytes } from 'crypto';
import { isIPv6 } from 'net';
import { BundleChecker, BundleConfig } from '../bundle';
import { Checker, CheckerEvent } from '../checker';
import { DnsNode, NodeEvent } from '../dns';
import { formatHostPort } from '../dns/server';
import { VerdictChange } from '../engine';
import { HealthCheckModel, portOf, resourcePathOf } from '../model';
import { HmacReportAuthenticator } from '../protocol/auth';
import { readSelfHostedBundle } from '../targets/self-hosted/read';

export interface HostPortAddress {
  readonly host: string;
  readonly port: number;
}

/** Something that happened in the node or in a checker. */
export interface UpEvent {
  /** `node`, or the id of the checker. */
  readonly source: string;
  readonly event: NodeEvent | CheckerEvent;
}

export interface UpOptions {
  /** A bundle directory, or its config file. */
  readonly bundle: string;
  /** Where the node answers DNS (UDP and TCP). Port 0 picks a free port. */
  readonly dns: HostPortAddress;
  /** Where the admin API (status page, /status, /metrics, /reports) listens. Port 0 picks a free port. */
  readonly admin: HostPortAddress;
  /** @default - events are dropped */
  readonly onEvent?: (e: UpEvent) => void;
  /** How often the node re-evaluates verdicts without reports. @default 1000 */
  readonly evaluateIntervalMs?: number;
}

/** One checker's current view of one health check. */
export interface CheckerView {
  readonly checkerId: string;
  /** False when this checker does not probe the check (disabled, not an endpoint check, other regions). */
  readonly probed: boolean;
  /** Undefined until the first probe result. */
  readonly healthy?: boolean;
  /**
   * True while the check has fewer than `failureThreshold` results since the checker started: the
   * checker does not report it yet (its view is not an opinion until then).
   */
  readonly pending?: boolean;
  readonly reason?: string;
  readonly latencyMs?: number;
  readonly observedAt?: number;
}

export interface HealthCheckView {
  readonly id: string;
  readonly name?: string;
  /** What is probed, for example `HTTP 127.0.0.11:8080/status`. */
  readonly target: string;
  /** The node's verdict, and why. */
  readonly healthy: boolean;
  readonly reason: string;
  readonly views: readonly CheckerView[];
}

export interface MemberView {
  readonly setIdentifier: string;
  readonly value: string;
  readonly routing: string;
  readonly healthCheckId?: string;
  readonly healthy: boolean;
  /** The probability that a query's answer holds this member, from the engine. */
  readonly share: number;
}

/** The final answers of a routing tree for one client area, with their shares. */
export interface ClientAreaView {
  /** `continent EU`, `DE`, `near eu-west-1`, `hq (192.0.2.0/24)`, `elsewhere`. */
  readonly client: string;
  readonly answers: ReadonlyArray<{ readonly setIdentifiers: readonly string[]; readonly values: readonly string[]; readonly share: number }>;
}

export interface GroupView {
  readonly name: string;
  readonly recordType: string;
  readonly policy: string;
  readonly ttl?: number;
  readonly members: readonly MemberView[];
  /** The groups below it in a routing tree (`name type`), when it is the top of one. */
  readonly tree?: readonly string[];
  /** For the top of a routing tree: the final answers per client area (one client per place the tree tells apart). */
  readonly clients?: readonly ClientAreaView[];
}

export interface UpSnapshot {
  readonly configFile: string;
  readonly dns: string;
  readonly admin: string;
  readonly zones: readonly string[];
  readonly checkers: ReadonlyArray<BundleChecker & { readonly running: boolean }>;
  readonly healthChecks: readonly HealthCheckView[];
  readonly groups: readonly GroupView[];
  readonly recentChanges: readonly VerdictChange[];
}

/** The address to reach a listener on from this machine (an unspecified address means loopback). */
function reachable(a: HostPortAddress): string {
  const host = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '::1' : a.host;
  return formatHostPort({ host, port: a.port });
}

function describeTarget(h: HealthCheckModel): string {
  const c = h.config;
  const host = c.ipAddress ?? c.fullyQualifiedDomainName;
  if (host === undefined) return c.type === 'CALCULATED' ? `CALCULATED over ${(c.childHealthChecks ?? []).length} checks` : c.type;
  const hostPort = `${host !== undefined && isIPv6(host) ? `[${host}]` : host}:${portOf(c) ?? '?'}`;
  return c.type === 'TCP' ? `TCP ${hostPort}` : `${c.type} ${hostPort}${resourcePathOf(c)}`;
}

/** A member's routing as the node's status gives it. */
interface StatusMember {
  readonly setIdentifier?: string;
  readonly values: readonly string[];
  readonly weight?: number;
  readonly failover?: string;
  readonly geoLocation?: { readonly continentCode?: string; readonly countryCode?: string; readonly subdivisionCode?: string };
  readonly region?: string;
  readonly cidrLocation?: string;
  readonly aliasTarget?: string;
  readonly healthCheckId?: string;
  readonly healthy: boolean;
  readonly share: number;
}

function routingOf(m: StatusMember, policy: string): string {
  if (m.weight !== undefined) return `weight ${m.weight}`;
  if (m.failover !== undefined) return m.failover.toLowerCase();
  const g = m.geoLocation;
  if (g) {
    if (g.continentCode !== undefined) return `continent ${g.continentCode}`;
    if (g.countryCode === '*') return 'default location';
    return g.subdivisionCode !== undefined ? `${g.countryCode}-${g.subdivisionCode}` : `country ${g.countryCode}`;
  }
  if (m.region !== undefined) return `region ${m.region}`;
  if (m.cidrLocation !== undefined) return m.cidrLocation === '*' ? 'other networks' : `CIDR ${m.cidrLocation}`;
  return policy === 'multivalue' ? 'multivalue' : 'simple';
}

/** The checker `up` runs for each region: the first one the bundle lists there. */
export function checkersPerRegion(config: BundleConfig): { run: BundleChecker[]; notRun: BundleChecker[] } {
  const run: BundleChecker[] = [];
  const notRun: BundleChecker[] = [];
  const seen = new Set<string>();
  for (const c of config.checkers) {
    if (seen.has(c.region)) {notRun.push(c);} else {
      seen.add(c.region);
      run.push(c);
    }
  }
  return { run, notRun };
}

export class UpSession {
  /** Reads and validates the bundle, starts the node, then the checkers. Throws naming the problem. */
  static async start(options: UpOptions): Promise<UpSession> {
    const bundle = readSelfHostedBundle(options.bundle);
    const onEvent = options.onEvent ?? (() => undefined);
    // A key per checker made up for this run: each checker signs with its own, the node verifies, as in a fleet.
    const keys = new Map(bundle.config.checkers.map((c) => [c.id, Buffer.from(randomBytes(32).toString('hex'), 'utf8')]));
    const node = await DnsNode.start({
      configFile: bundle.configFile,
      dns: options.dns,
      admin: options.admin,
      log: (event) => onEvent({ source: 'node', event }),
      reportAuthenticator: new HmacReportAuthenticator({ keys: { keyFor: (id) => keys.get(id) } }),
      evaluateIntervalMs: options.evaluateIntervalMs,
    });
    const session = new UpSession(node, bundle.configFile, keys, onEvent);
    try {
      session.startCheckers(node.config);
    } catch (e) {
      await session.stop();
      throw e;
    }
    return session;
  }

  private checkers: Array<{ readonly id: string; readonly region: string; readonly checker: Checker }> = [];
  private stopped = false;

  private constructor(
    readonly node: DnsNode,
    readonly configFile: string,
    /** The key of each checker, made up for this run (a checker added by a reload gets one then). */
    private readonly keys: Map<string, Buffer>,
    private readonly onEvent: (e: UpEvent) => void,
  ) {}

  /** Where checkers push their reports. */
  get reportUrl(): string {
    return `http://${reachable(this.node.adminAddress!)}/reports`;
  }

  get dnsAddress(): string {
    return formatHostPort(this.node.dnsAddress);
  }

  get adminAddress(): string {
    return formatHostPort(this.node.adminAddress!);
  }

  /** The config being served. */
  get config(): BundleConfig {
    return this.node.config;
  }

  /** The checkers of the bundle that this process does not run (a second checker in a region). */
  get notRun(): BundleChecker[] {
    return checkersPerRegion(this.config).notRun;
  }

  private keyOf(checkerId: string): Buffer {
    let key = this.keys.get(checkerId);
    if (!key) {
      key = Buffer.from(randomBytes(32).toString('hex'), 'utf8');
      this.keys.set(checkerId, key);
    }
    return key;
  }

  private startCheckers(config: BundleConfig, running: ReadonlySet<string> = new Set()): void {
    for (const c of checkersPerRegion(config).run) {
      if (running.has(c.id)) continue;
      const checker = new Checker({
        checkerId: c.id,
        region: c.region,
        healthChecks: config.healthChecks,
        push: { urls: [this.reportUrl], secret: this.keyOf(c.id) },
        log: (event) => this.onEvent({ source: c.id, event }),
      });
      this.checkers.push({ id: c.id, region: c.region, checker });
      checker.start();
    }
  }

  /**
   * Re-reads the bundle config: the node validates it first and keeps serving the old one when it is
   * bad; when it is good, each checker that stays takes the new health checks without a restart
   * (unchanged checks keep their results), checkers no longer in the config stop, new ones start.
   */
  async reload(): Promise<{ ok: boolean; error?: string }> {
    const result = await this.node.reload();
    if (!result.ok) return { ok: false, error: result.error };
    const config = this.node.config;
    const wanted = checkersPerRegion(config).run;
    const stays = (c: { id: string; region: string }) => wanted.some((w) => w.id === c.id && w.region === c.region);
    const old = this.checkers;
    this.checkers = old.filter(stays);
    await Promise.all(old.filter((c) => !stays(c)).map((c) => c.checker.stop()));
    if (this.stopped) return { ok: true };
    await Promise.all(this.checkers.map((c) => c.checker.reconfigure(config.healthChecks)));
    this.startCheckers(config, new Set(this.checkers.map((c) => c.id)));
    return { ok: true };
  }

  /** Everything the terminal view shows, at this moment. */
  snapshot(): UpSnapshot {
    const node = this.node;
    const config = node.config;
    const status = node.status() as {
      healthChecks: Array<{ healthCheckId: string; healthy: boolean; reason: string }>;
      recentVerdictChanges: Array<VerdictChange & { at: string }>;
      groups: Array<{
        name: string; recordType: string; policy: string; ttl: number; members: StatusMember[]; tree?: string[]; clients?: ClientAreaView[];
      }>;
    };
    const verdicts = new Map(status.healthChecks.map((h) => [h.healthCheckId, h]));
    const skipped = new Map(this.checkers.map((c) => [c.id, new Set(c.checker.skipped.map((s) => s.healthCheckId))]));
    const healthChecks: HealthCheckView[] = config.healthChecks.map((h) => ({
      id: h.id,
      ...(h.name !== undefined ? { name: h.name } : {}),
      target: describeTarget(h),
      healthy: verdicts.get(h.id)?.healthy ?? node.isHealthy(h.id),
      reason: verdicts.get(h.id)?.reason ?? '',
      views: this.checkers.map((c): CheckerView => {
        if (skipped.get(c.id)!.has(h.id)) return { checkerId: c.id, probed: false };
        const progress = c.checker.scheduler.progress(h.id);
        const o = progress?.latest;
        return o === undefined
          ? { checkerId: c.id, probed: true }
          : {
            checkerId: c.id,
            probed: true,
            healthy: o.healthy,
            ...(progress!.established ? {} : { pending: true }),
            reason: o.reason,
            ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
            observedAt: o.observedAt,
          };
      }),
    }));
    // The node's own status (its engine's shares, per client area for trees): nothing is recomputed here.
    const groups: GroupView[] = status.groups.map((g) => ({
      name: g.name,
      recordType: g.recordType,
      policy: g.policy,
      ...(g.ttl ? { ttl: g.ttl } : {}),
      members: g.members.map((m) => ({
        setIdentifier: m.setIdentifier ?? '',
        value: m.aliasTarget !== undefined ? `-> ${m.aliasTarget}` : m.values.join(','),
        routing: routingOf(m, g.policy),
        ...(m.healthCheckId !== undefined ? { healthCheckId: m.healthCheckId } : {}),
        healthy: m.healthy,
        share: m.share,
      })),
      ...(g.tree && g.tree.length > 0 ? { tree: g.tree } : {}),
      ...(g.clients ? { clients: g.clients } : {}),
    }));
    const running = new Set(this.checkers.map((c) => c.id));
    return {
      configFile: this.configFile,
      dns: this.dnsAddress,
      admin: this.adminAddress,
      zones: config.zones.map((z) => z.name),
      checkers: config.checkers.map((c) => ({ ...c, running: running.has(c.id) })),
      healthChecks,
      groups,
      recentChanges: status.recentVerdictChanges.map((c) => ({ ...c, at: Date.parse(c.at) })),
    };
  }

  /** Stops the checkers, then the node. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const checkers = this.checkers;
    this.checkers = [];
    await Promise.all(checkers.map((c) => c.checker.stop()));
    await this.node.stop();
  }
}
