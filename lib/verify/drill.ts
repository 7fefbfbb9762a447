/**
 * `verify --drill`: a time-compressed failover drill on loopback.
 *
 * The artifact's gateways are served by the project's reference DNS server, fed by in-process
 * checkers (the real ones: probes, schedule, signed pushes), and every member's health check probes a
 * local stand-in endpoint (an HTTP server on 127.0.0.x) instead of the real one. Intervals and probe
 * timeouts are divided by the speed factor (not below the checkers' 100 ms). Then members fail one by
 * one (their stand-in stops: connections are refused) and come back, then all fail one after the
 * other (the last one brings the last resort) and come back together. After each event, real DNS
 * queries (Node's resolver, against the server) measure when the answers change to what the engine
 * predicts, and the time is compared with the timing model's window for the scaled settings.
 *
 * What the drill changes for loopback, and says so: HTTPS checks probe plain HTTP (the stand-ins have
 * no certificate), checks keep their path, search string and threshold; CloudWatch alarm and routing
 * control checks cannot run and their members are left out of the drill; records keep their values,
 * so the answers are the real ones.
 */
import { randomBytes } from 'crypto';
import { promises as dnsPromises } from 'dns';
import * as http from 'http';
import { isIPv6, Socket } from 'net';
import { performance } from 'perf_hooks';
import { Checker } from '../checker';
import { DnsNode } from '../dns';
import { checkClosure, Gateway, gatewaysOf } from './gateways';
import { ArtifactSource } from './source';
import { checkTiming } from './timing';
import { scenario, Scenario, verdicts } from './whatif';
import { HmacReportAuthenticator } from '../dns/report-auth';
import {
  FailoverModel,
  HealthCheckConfigModel,
  HealthCheckModel,
  MIN_SELF_HOSTED_INTERVAL_SECONDS,
  normalizeName,
  RecordSetModel,
} from '../model';
import { BundleConfig, checkBundleConfig, formatProblem } from '../targets/self-hosted/bundle';

export const DEFAULT_DRILL_SPEED = 30;
export const DEFAULT_DRILL_CHECKERS = 3;

export interface DrillOptions {
  /** Intervals and timeouts are divided by this. @default 30 */
  readonly speed?: number;
  /** How many checkers probe each stand-in. @default the bundle's checkers, else 3 */
  readonly checkers?: number;
  /** Progress, one line per event. */
  readonly log?: (line: string) => void;
  /** DNS queries sent per observation tick. @default 16 */
  readonly queriesPerTick?: number;
  /** Consecutive ticks that must show the expected answers. @default 8 */
  readonly settleTicks?: number;
}

export interface PredictedWindow {
  /** The failure (or recovery) happens just before a probe: (threshold - 1) x interval. */
  readonly minMs: number;
  /** ROUTE53.md §4's "about threshold x interval". */
  readonly typicalMs: number;
  /** One more interval of skew between checkers: (threshold + 1) x interval. */
  readonly worstMs: number;
}

export interface DrillStep {
  readonly gateway: string;
  /** What was done: `gw-isp-a down`, `gw-isp-a up`, `all down: gw-isp-b down`, `all up`. */
  readonly action: string;
  /** The answers the engine predicts after the event (member shares). */
  readonly expected: Scenario;
  readonly predicted: PredictedWindow;
  /** From the event to the first DNS answer of the new kind (undefined: no visible change, or timed out). */
  readonly measuredMs?: number;
  /** Measured within the predicted window (give or take the tolerance), or a predicted non-change held. */
  readonly within: boolean;
  readonly note?: string;
}

export interface DrillReport {
  readonly speed: number;
  readonly checkers: number;
  /** Where the drill's DNS server answered. */
  readonly dns: string;
  /** Measurement tolerance (ms): observation ticks, pushes and evaluation. */
  readonly toleranceMs: number;
  readonly standIns: ReadonlyArray<{ readonly gateway: string; readonly member: string; readonly address: string }>;
  readonly steps: readonly DrillStep[];
  /** Every step within its window. */
  readonly passed: boolean;
  readonly notes: readonly string[];
}

const ENDPOINT_TYPES = new Set(['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP']);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** A local HTTP server that can be stopped (connections refused) and started again on the same address. */
class StandIn {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(readonly address: string, private readonly body: string) {}

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'connection': 'close' });
      res.end(this.body);
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.address, port: this.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get running(): boolean {
    return this.server !== undefined;
  }
}

/** The zone a gateway's records are served in: their zone name, else the name's parent. */
function zoneFor(records: readonly RecordSetModel[]): string {
  const named = records.find((r) => r.hostedZoneName !== undefined && !r.hostedZoneName.startsWith('${'))?.hostedZoneName;
  if (named) return normalizeName(named);
  const labels = normalizeName(records[0].name).split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : labels.join('.');
}

const scaled = (seconds: number, speed: number) => Math.max(MIN_SELF_HOSTED_INTERVAL_SECONDS, Math.round((seconds / speed) * 1000) / 1000);

interface Plan {
  readonly config: BundleConfig;
  readonly model: FailoverModel;
  /** Stand-in index per drill health check id. */
  readonly standInOf: Map<string, number>;
  readonly standIns: Array<{ gateway: string; member: string; address: string; body: string; checks: string[] }>;
  readonly notes: string[];
}

/** The drill's bundle config: the artifact's gateways, every endpoint check pointed at a stand-in, scaled. */
export function drillPlan(source: ArtifactSource, speed: number, checkers: number): Plan {
  const model = source.model;
  const notes: string[] = [];
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const gateways = gatewaysOf(model).filter((g) => {
    if (!['A', 'AAAA', 'CNAME'].includes(g.recordType)) {
      notes.push(`${g.key}: ${g.recordType} gateways are not drilled (answers are observed for A, AAAA and CNAME)`);
      return false;
    }
    return true;
  });
  const standInOf = new Map<string, number>();
  const standIns: Plan['standIns'] = [];
  const unusable = new Set<string>();
  for (const g of gateways) {
    for (const m of g.members) {
      if (m.record.healthCheckId === undefined) continue;
      const closure = checkClosure(m.record.healthCheckId, checks).filter((id) => checks.has(id));
      const endpoints = closure.filter((id) => ENDPOINT_TYPES.has(checks.get(id)!.config.type) && !standInOf.has(id));
      for (const id of closure) {
        const t = checks.get(id)!.config.type;
        if (t === 'CLOUDWATCH_METRIC' || t === 'RECOVERY_CONTROL') unusable.add(id);
      }
      if (endpoints.length === 0) continue;
      const index = standIns.length;
      if (index >= 240) throw new Error('the drill has stand-ins for at most 240 members (127.0.0.10 to 127.0.0.249)');
      const search = endpoints.map((id) => checks.get(id)!.config.searchString).filter((s): s is string => s !== undefined);
      standIns.push({ gateway: g.key, member: m.setIdentifier, address: `127.0.0.${10 + index}`, body: search.length > 0 ? search.join('\n') : 'OK', checks: endpoints });
      for (const id of endpoints) standInOf.set(id, index);
    }
  }
  if ([...checks.values()].some((h) => h.config.type.startsWith('HTTPS') && standInOf.has(h.id))) {
    notes.push('HTTPS checks probe the stand-ins over plain HTTP (the stand-ins have no certificate)');
  }
  for (const id of unusable) notes.push(`health check '${id}' (${checks.get(id)!.config.type}) cannot run in the drill; it is left out (its members count as healthy)`);

  const used = new Set<string>();
  for (const g of gateways) {
    for (const m of g.members) {
      if (m.record.healthCheckId) for (const id of checkClosure(m.record.healthCheckId, checks)) used.add(id);
    }
  }
  const clamped = new Set<string>();
  const healthChecks: HealthCheckModel[] = [];
  for (const hc of model.healthChecks) {
    if (!used.has(hc.id) || unusable.has(hc.id)) continue;
    const c = hc.config;
    if (ENDPOINT_TYPES.has(c.type)) {
      const index = standInOf.get(hc.id);
      if (index === undefined) continue;
      const interval = c.requestInterval ?? 30;
      const tcp = c.type === 'TCP';
      const type = tcp ? 'TCP' : c.type.endsWith('_STR_MATCH') ? 'HTTP_STR_MATCH' : 'HTTP';
      const config: HealthCheckConfigModel = {
        type,
        ipAddress: standIns[index].address,
        port: 1, // set once the stand-in listens
        ...(tcp ? {} : { resourcePath: c.resourcePath ?? '/' }),
        ...(type === 'HTTP_STR_MATCH' ? { searchString: c.searchString } : {}),
        ...(c.fullyQualifiedDomainName !== undefined && !tcp ? { fullyQualifiedDomainName: c.fullyQualifiedDomainName } : {}),
        requestInterval: scaled(interval, speed),
        failureThreshold: c.failureThreshold ?? 3,
        connectTimeout: scaled(c.connectTimeout ?? (tcp ? 10 : 4), speed),
        ...(tcp ? {} : { statusTimeout: scaled(c.statusTimeout ?? 2, speed) }),
        ...(type === 'HTTP_STR_MATCH' ? { bodyTimeout: scaled(c.bodyTimeout ?? 2, speed) } : {}),
        ...(c.inverted !== undefined ? { inverted: c.inverted } : {}),
        ...(c.disabled !== undefined ? { disabled: c.disabled } : {}),
      };
      if (interval / speed < MIN_SELF_HOSTED_INTERVAL_SECONDS) clamped.add(hc.id);
      healthChecks.push({ id: hc.id, ...(hc.name !== undefined ? { name: hc.name } : {}), config });
    } else if (c.type === 'CALCULATED') {
      const children = (c.childHealthChecks ?? []).filter((id) => checks.has(id) && !unusable.has(id));
      healthChecks.push({ id: hc.id, config: { type: 'CALCULATED', childHealthChecks: children, healthThreshold: c.healthThreshold ?? 0, ...(c.inverted ? { inverted: true } : {}) } });
    }
  }
  if (clamped.size > 0) notes.push(`${clamped.size} check interval(s) scaled below 100 ms were set to 100 ms, the checkers' shortest`);
  const kept = new Set(healthChecks.map((h) => h.id));
  const zones = new Set<string>();
  const recordSets: RecordSetModel[] = [];
  for (const g of gateways) {
    const zone = zoneFor(g.group.records);
    zones.add(zone);
    for (const r of g.group.records) {
      const { hostedZoneId: _id, healthCheckId, ...rest } = r;
      recordSets.push({ ...rest, hostedZoneName: zone, ...(healthCheckId !== undefined && kept.has(healthCheckId) ? { healthCheckId } : {}) });
    }
  }
  const config: BundleConfig = {
    version: 1,
    zones: [...zones].map((z) => ({ name: z, soa: { mname: `ns1.${z}`, rname: `hostmaster.${z}`, serial: 1 }, nameServers: [`ns1.${z}`] })),
    healthChecks,
    recordSets,
    ...(source.bundle?.verdict ? { verdict: source.bundle.verdict } : {}),
    checkers: Array.from({ length: checkers }, (_, i) => ({ id: `drill-checker-${i + 1}`, region: `drill-${i + 1}` })),
    dnsNodes: [{ id: 'drill', dns: '127.0.0.1:53', admin: '127.0.0.1:8053' }],
  };
  return { config, model: { healthChecks, recordSets }, standInOf, standIns, notes };
}

/** Reads the answers of one gateway from the drill's DNS server: the values, normalised. */
function querier(resolver: dnsPromises.Resolver, g: Gateway): () => Promise<string[] | undefined> {
  const name = g.name;
  const norm = (v: string) => normalizeName(v);
  return async () => {
    try {
      switch (g.recordType) {
        case 'A': return await resolver.resolve4(name);
        case 'AAAA': return (await resolver.resolve6(name)).map(normalizeIpv6);
        default: return (await resolver.resolveCname(name)).map(norm);
      }
    } catch {
      return undefined;
    }
  };
}

function normalizeIpv6(v: string): string {
  return isIPv6(v) ? new URL(`http://[${v}]/`).hostname.slice(1, -1) : v;
}

function normalizedValue(recordType: string, v: string): string {
  return recordType === 'AAAA' ? normalizeIpv6(v) : recordType === 'A' ? v : normalizeName(v);
}

export async function runDrill(source: ArtifactSource, options: DrillOptions = {}): Promise<DrillReport> {
  const speed = options.speed ?? DEFAULT_DRILL_SPEED;
  if (!(speed > 0)) throw new RangeError(`speed ${speed} is not usable; give a positive factor, for example ${DEFAULT_DRILL_SPEED}`);
  const bundleCheckers = source.bundle?.checkers.length ?? 0;
  const checkerCount = options.checkers ?? (bundleCheckers > 0 ? bundleCheckers : DEFAULT_DRILL_CHECKERS);
  const log = options.log ?? (() => undefined);
  const plan = drillPlan(source, speed, checkerCount);
  const k = options.queriesPerTick ?? 16;
  const settleTicks = options.settleTicks ?? 8;

  const standIns = plan.standIns.map((s) => new StandIn(s.address, s.body));
  let node: DnsNode | undefined;
  const checkers: Checker[] = [];
  try {
    for (const s of standIns) await s.start();
    // Point every check at its stand-in's port.
    const healthChecks = plan.model.healthChecks.map((hc) => {
      const index = plan.standInOf.get(hc.id);
      return index === undefined ? hc : { ...hc, config: { ...hc.config, port: standIns[index].port } };
    });
    const config: BundleConfig = { ...plan.config, healthChecks };
    const model: FailoverModel = { healthChecks, recordSets: plan.model.recordSets };
    const check = checkBundleConfig(config);
    if (!check.config) throw new Error(`the drill's bundle config is invalid (a bug of the drill):\n${check.errors.map(formatProblem).join('\n')}`);

    const intervals = healthChecks.filter((h) => ENDPOINT_TYPES.has(h.config.type)).map((h) => h.config.requestInterval!);
    const shortestMs = intervals.length > 0 ? Math.min(...intervals) * 1000 : 1000;
    const tickMs = Math.min(100, Math.max(20, shortestMs / 10));
    const toleranceMs = Math.round(2 * tickMs + 150);
    const secret = randomBytes(32);
    node = await DnsNode.start({
      config,
      dns: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      reportAuthenticator: new HmacReportAuthenticator({ secret }),
      evaluateIntervalMs: Math.max(10, Math.round(tickMs / 2)),
    });
    const adminUrl = `http://127.0.0.1:${node.adminAddress!.port}/reports`;
    for (const c of config.checkers) {
      const checker = new Checker({ checkerId: c.id, region: c.region, healthChecks, push: { urls: [adminUrl], secret } });
      checker.start();
      checkers.push(checker);
    }
    const dnsAddress = `127.0.0.1:${node.dnsAddress.port}`;
    log(`drill: DNS server ${dnsAddress}, ${checkers.length} checkers, ${standIns.length} stand-ins, speed x${speed}`);
    const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dnsAddress]);

    const checksById = new Map(healthChecks.map((h) => [h.id, h]));
    const window = (ids: readonly string[]): PredictedWindow => {
      let w = { minMs: 0, typicalMs: 0, worstMs: 0 };
      for (const id of ids) {
        const hc = checksById.get(id);
        if (!hc) continue;
        const t = checkTiming(hc, checksById);
        const f = t.failureThreshold ?? 3;
        const i = (t.requestInterval ?? 30) * 1000;
        w = {
          minMs: Math.max(w.minMs, (f - 1) * i),
          typicalMs: Math.max(w.typicalMs, t.detectRefusing!.typical * 1000),
          worstMs: Math.max(w.worstMs, t.detectRefusing!.worst * 1000),
        };
      }
      return { minMs: Math.round(w.minMs), typicalMs: Math.round(w.typicalMs), worstMs: Math.round(w.worstMs) };
    };

    /** Waits until every checker's view of these checks is `healthy` (so the next step starts from a settled state). */
    const settleCheckers = async (ids: readonly string[], healthy: boolean, timeoutMs: number) => {
      const end = performance.now() + timeoutMs;
      while (performance.now() < end) {
        const ok = checkers.every((c) => c.observations().filter((o) => ids.includes(o.healthCheckId)).every((o) => o.healthy === healthy));
        if (ok) return true;
        await sleep(tickMs);
      }
      return false;
    };

    /**
     * Measures when the gateway's answers become `expected`: the later of the start of a run of ticks
     * that show only its members, and the first appearance of each member that was not answered before;
     * the run must last `settleTicks` ticks and show every member with a share of 5 % or more.
     */
    const observe = async (
      g: Gateway,
      expected: Scenario,
      previous: Scenario | undefined,
      since: number,
      timeoutMs: number,
    ): Promise<number | undefined> => {
      const query = querier(resolver, g);
      const valuesOf = (s: Scenario, keep: (p: number) => boolean) =>
        new Set(g.members.filter((_, i) => keep(s.shares[i].probability))
          .flatMap((m) => m.record.values.map((v) => normalizedValue(g.recordType, v))));
      const allowed = valuesOf(expected, (p) => p > 0);
      const required = [...valuesOf(expected, (p) => p >= 0.05)];
      const before = previous ? valuesOf(previous, (p) => p > 0) : new Set<string>();
      const arriving = required.filter((v) => !before.has(v));
      const firstSeen = new Map<string, number>();
      const end = since + timeoutMs;
      let runStart: number | undefined;
      let runTicks = 0;
      let seen = new Set<string>();
      while (performance.now() < end) {
        const tickStart = performance.now();
        const answers = await Promise.all(Array.from({ length: k }, query));
        for (const a of answers) for (const v of a ?? []) if (!firstSeen.has(v)) firstSeen.set(v, tickStart);
        const ok = answers.every((a) => a !== undefined && a.length > 0 && a.every((v) => allowed.has(v)));
        if (ok) {
          if (runStart === undefined) {
            runStart = tickStart;
            runTicks = 0;
            seen = new Set();
          }
          for (const a of answers) for (const v of a!) seen.add(v);
          runTicks++;
          if (runTicks >= settleTicks && required.every((v) => seen.has(v))) {
            return Math.max(runStart, ...arriving.map((v) => firstSeen.get(v)!)) - since;
          }
        } else {
          runStart = undefined;
        }
        await sleep(tickMs - (performance.now() - tickStart));
      }
      return undefined;
    };

    const steps: DrillStep[] = [];
    const down = new Set<string>();
    const gateways = gatewaysOf(model);
    const standInChecks = (i: number) => plan.standIns[i].checks;

    const step = async (g: Gateway, action: string, indices: number[], up: boolean, previous: Scenario) => {
      const ids = indices.flatMap(standInChecks);
      for (const id of ids) (up ? down.delete(id) : down.add(id));
      const expected = scenario(g, verdicts(model, down), action, [], [...down]);
      const predicted = window(ids);
      const t0 = performance.now();
      await Promise.all(indices.map((i) => (up ? standIns[i].start() : standIns[i].stop())));
      const unchanged = expected.shares.every((s, i) => Math.abs(s.probability - previous.shares[i].probability) < 1e-9);
      let measuredMs: number | undefined;
      let within: boolean;
      let note: string | undefined;
      if (unchanged) {
        // The engine predicts the same answers: check they stay so while the checkers change their view.
        const settled = await settleCheckers(ids, up, predicted.worstMs + toleranceMs + 2000);
        const held = await observe(g, expected, undefined, performance.now(), Math.max(2000, predicted.worstMs));
        within = settled && held !== undefined;
        note = 'the engine predicts no change of answers; they held';
      } else {
        const timeout = predicted.worstMs * 2 + toleranceMs + 3000;
        measuredMs = await observe(g, expected, previous, t0, timeout);
        within = measuredMs !== undefined && measuredMs >= predicted.minMs - toleranceMs && measuredMs <= predicted.worstMs + toleranceMs;
        if (measuredMs === undefined) note = `the answers did not change within ${Math.round(timeout)} ms`;
        // Let every checker agree before the next event, so each step starts from a settled state.
        await settleCheckers(ids, up, predicted.worstMs + toleranceMs + 2000);
      }
      const s: DrillStep = {
        gateway: g.key,
        action,
        expected,
        predicted,
        ...(measuredMs !== undefined ? { measuredMs: Math.round(measuredMs) } : {}),
        within,
        ...(note ? { note } : {}),
      };
      log(`drill: ${g.key}: ${action}: measured ${measuredMs !== undefined ? `${Math.round(measuredMs)} ms` : '-'}, predicted ${predicted.minMs}-${predicted.worstMs} ms (about ${predicted.typicalMs} ms): ${within ? 'ok' : 'OUTSIDE'}`);
      steps.push(s);
      return expected;
    };

    for (const g of gateways) {
      let current = scenario(g, verdicts(model, down), 'all healthy', [], []);
      const start = await observe(g, current, undefined, performance.now(), 10_000);
      if (start === undefined) throw new Error(`${g.key}: the drill's DNS server does not answer as predicted with every member healthy`);
      const indices = g.members.map((m) => plan.standIns.findIndex((s) => s.gateway === g.key && s.member === m.setIdentifier)).filter((i) => i >= 0);
      for (const i of indices) {
        current = await step(g, `${plan.standIns[i].member} down`, [i], false, current);
        current = await step(g, `${plan.standIns[i].member} up`, [i], true, current);
      }
      if (indices.length > 1) {
        for (const [n, i] of indices.entries()) {
          current = await step(g, `all down: ${plan.standIns[i].member} down${n === indices.length - 1 ? ' (last one)' : ''}`, [i], false, current);
        }
        current = await step(g, 'all up', indices, true, current);
      }
    }
    return {
      speed,
      checkers: checkers.length,
      dns: dnsAddress,
      toleranceMs,
      standIns: plan.standIns.map((s, i) => ({ gateway: s.gateway, member: s.member, address: `${s.address}:${standIns[i].port}` })),
      steps,
      passed: steps.every((s) => s.within),
      notes: plan.notes,
    };
  } finally {
    await Promise.all(checkers.map((c) => c.stop()));
    await node?.stop();
    await Promise.all(standIns.map((s) => s.stop()));
  }
}
