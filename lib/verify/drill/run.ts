/**
 * `verify --drill`: a time-compressed failover drill on loopback.
 *
 * The artifact's gateways are served by the project's reference DNS node, fed by in-process checkers
 * (the real ones: probes, schedule, signed pushes), and every member's health check probes a local
 * stand-in endpoint instead of the real one (`plan.ts` says what else changes for loopback). Then
 * members fail one by one (their stand-in stops: connections are refused) and come back, then all
 * fail one after the other (the last one brings the last resort) and come back together. After each
 * event, real DNS queries measure when the answers change to what the engine predicts, and the time
 * is compared with the timing model's window for the scaled settings (`observe.ts`).
 *
 * Routing trees too: a member that is an alias (EvaluateTargetHealth) fails when every stand-in below
 * it is stopped, and a gateway whose answers depend on the client is watched from one client subnet
 * per client area (`clients.ts`), its queries carrying that subnet in the EDNS Client Subnet option:
 * each step is predicted by the engine and measured for every client on its own.
 */
import { randomBytes } from 'crypto';
import { promises as dnsPromises } from 'dns';
import { performance } from 'perf_hooks';
import { DrillClient } from './clients';
import { answerValues, predictedWindow, PredictedWindow, querier, sameAnswers, SubnetQuerier, subnetQuerier, withinWindow } from './observe';
import { DrillPlan, drillPlan, NothingToDrill } from './plan';
import { StandInEndpoint } from './stand-in';
import { Checker } from '../../checker';
import { DnsNode } from '../../dns';
import { Client, ClientLocation, UNKNOWN_CLIENT } from '../../engine';
import { HmacReportAuthenticator } from '../../protocol';
import { Gateway, gatewaysOf } from '../gateways';
import { ArtifactSource } from '../source';
import { scenario, Scenario, verdicts } from '../whatif';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

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

/** A client of a tree gateway, as the report names it. */
export interface DrillClientReport {
  /** The client area: `continent EU`, `near eu-west-1`, `hq (192.0.2.0/24)`, `elsewhere`. */
  readonly label: string;
  /** The subnet in the queries' EDNS Client Subnet option. */
  readonly subnet: string;
  /** What the drill's GeoIP database says of the subnet, the continent from Route 53's table. */
  readonly location?: ClientLocation;
  /** The latency regions, lowest latency first, as the DNS node orders them for the subnet. */
  readonly regionOrder?: readonly string[];
}

export interface DrillStep {
  readonly gateway: string;
  /** For a gateway whose answers depend on the client: the client this step was predicted and measured for. */
  readonly client?: DrillClientReport;
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
  /** The clients of the gateways whose answers depend on the client (none: no such gateway). */
  readonly clients?: ReadonlyArray<DrillClientReport & { readonly gateway: string }>;
  /** The GeoIP database that located them, the lookups choosing their subnets took, and how long (ms). */
  readonly geoip?: { readonly description: string; readonly lookups: number; readonly ms: number };
  readonly steps: readonly DrillStep[];
  /** Every step within its window. */
  readonly passed: boolean;
  readonly notes: readonly string[];
}

/** Who watches a gateway's answers during the drill: a client (or nobody in particular) and its queries. */
interface Watcher {
  readonly gateway: Gateway;
  readonly client: Client;
  /** A client of a tree gateway (undefined: Node's resolver, no client subnet). */
  readonly drillClient?: DrillClient;
  readonly query: () => Promise<string[] | undefined>;
  /** Queries sent per observation tick. */
  readonly perTick: number;
}

function clientReport(c: DrillClient): DrillClientReport {
  return {
    label: c.label,
    subnet: c.subnet,
    ...(c.location ? { location: c.location } : {}),
    ...(c.regionOrder ? { regionOrder: c.regionOrder } : {}),
  };
}

export async function runDrill(source: ArtifactSource, options: DrillOptions = {}): Promise<DrillReport> {
  const speed = options.speed ?? DEFAULT_DRILL_SPEED;
  if (!(speed > 0)) throw new RangeError(`speed ${speed} is not usable; give a positive factor, for example ${DEFAULT_DRILL_SPEED}`);
  const bundleCheckers = source.bundle?.checkers.length ?? 0;
  const checkerCount = options.checkers ?? (bundleCheckers > 0 ? bundleCheckers : DEFAULT_DRILL_CHECKERS);
  const log = options.log ?? (() => undefined);
  let plan: DrillPlan;
  try {
    plan = drillPlan(source, speed, checkerCount);
  } catch (e) {
    if (!(e instanceof NothingToDrill)) throw e;
    log(`drill: ${e.message}`);
    return { speed, checkers: checkerCount, dns: '-', toleranceMs: 0, standIns: [], steps: [], passed: true, notes: [...e.notes, 'nothing to drill'] };
  }
  const k = options.queriesPerTick ?? 16;
  const settleTicks = options.settleTicks ?? 8;

  const standIns = plan.standIns.map((s) => new StandInEndpoint({ host: s.address, name: `${s.gateway} ${s.member}`, body: s.body }));
  let node: DnsNode | undefined;
  let subnets: SubnetQuerier | undefined;
  const checkers: Checker[] = [];
  try {
    for (const s of standIns) await s.start();
    // Point every check at its stand-in's port.
    const { config, model } = plan.configWithPorts(standIns.map((s) => s.port));
    const healthChecks = config.healthChecks;

    const intervals = healthChecks.filter((h) => plan.standInOf.has(h.id)).map((h) => h.config.requestInterval!);
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
    subnets = await SubnetQuerier.open('127.0.0.1', node.dnsAddress.port);
    const ecs = subnets;

    const checksById = new Map(healthChecks.map((h) => [h.id, h]));
    const window = (ids: readonly string[]): PredictedWindow => predictedWindow(ids, checksById);

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
     * Measures when a watcher's answers become `expected`: the later of the start of a run of ticks
     * that show only the expected values, and the first appearance of each value that was not answered
     * before; the run must last `settleTicks` ticks and show every value with a share of 5 % or more.
     */
    const observe = async (
      w: Watcher,
      expected: Scenario,
      previous: Scenario | undefined,
      since: number,
      timeoutMs: number,
    ): Promise<number | undefined> => {
      const valuesOf = (s: Scenario, keep: (p: number) => boolean) =>
        new Set([...answerValues(w.gateway, s)].filter(([, p]) => keep(p)).map(([v]) => v));
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
        const answers = await Promise.all(Array.from({ length: w.perTick }, w.query));
        for (const a of answers) for (const v of a ?? []) if (!firstSeen.has(v)) firstSeen.set(v, tickStart);
        // No value expected (a tree that answers NODATA for this client): an empty answer is right.
        const ok = answers.every((a) => a !== undefined && (allowed.size === 0 ? a.length === 0 : a.length > 0 && a.every((v) => allowed.has(v))));
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
    /** Who watches a gateway: Node's resolver, or for a gateway whose answers depend on the client, each of its clients. */
    const watchersOf = (g: Gateway): Watcher[] => {
      const clients = plan.clients.get(g.key);
      if (clients === undefined) return [{ gateway: g, client: UNKNOWN_CLIENT, query: querier(resolver, g), perTick: k }];
      const perTick = Math.max(4, Math.ceil(k / Math.max(1, clients.length)));
      return clients.map((c) => ({ gateway: g, client: c.client, drillClient: c, query: subnetQuerier(ecs, g, c.subnet), perTick }));
    };
    const expectedFor = (g: Gateway, w: Watcher, action: string) =>
      scenario(model, g, verdicts(model, down), action, [], [...down], undefined, w.client);
    const name = (w: Watcher) => {
      const c = w.drillClient;
      if (!c) return w.gateway.key;
      return `${w.gateway.key}: ${c.label.includes(c.subnet) ? c.label : `${c.label} (${c.subnet})`}`;
    };

    const step = async (g: Gateway, watchers: readonly Watcher[], action: string, indices: number[], up: boolean, previous: readonly Scenario[]) => {
      const ids = indices.flatMap(standInChecks);
      for (const id of ids) (up ? down.delete(id) : down.add(id));
      const expected = watchers.map((w) => expectedFor(g, w, action));
      const predicted = window(ids);
      const t0 = performance.now();
      await Promise.all(indices.map((i) => (up ? standIns[i].start() : standIns[i].stop())));
      const unchanged = watchers.map((_, j) => sameAnswers(g, expected[j], previous[j]));
      const timeout = predicted.worstMs * 2 + toleranceMs + 3000;
      // The watchers whose answers change: when they do.
      const measured = await Promise.all(watchers.map((w, j) => (unchanged[j] ? undefined : observe(w, expected[j], previous[j], t0, timeout))));
      // Then (or, when nothing changes, while the checkers change their view) every checker agrees, so the
      // next step starts from a settled state; the watchers whose answers do not change must still have them.
      const settled = await settleCheckers(ids, up, predicted.worstMs + toleranceMs + 2000);
      const hold = (w: Watcher, j: number) => observe(w, expected[j], undefined, performance.now(), Math.max(2000, predicted.worstMs));
      const held = await Promise.all(watchers.map((w, j) => (unchanged[j] ? hold(w, j) : undefined)));
      watchers.forEach((w, j) => {
        const measuredMs = measured[j];
        let within: boolean;
        let note: string | undefined;
        if (unchanged[j]) {
          within = settled && held[j] !== undefined;
          note = held[j] !== undefined ? 'the engine predicts no change of answers; they held' : 'the engine predicts no change of answers; they did not hold';
        } else {
          within = withinWindow(measuredMs, predicted, toleranceMs);
          if (measuredMs === undefined) note = `the answers did not change within ${Math.round(timeout)} ms`;
        }
        const c = w.drillClient;
        steps.push({
          gateway: g.key,
          ...(c ? { client: clientReport(c) } : {}),
          action,
          expected: expected[j],
          predicted,
          ...(measuredMs !== undefined ? { measuredMs: Math.round(measuredMs) } : {}),
          within,
          ...(note ? { note } : {}),
        });
        log(`drill: ${name(w)}: ${action}: measured ${measuredMs !== undefined ? `${Math.round(measuredMs)} ms` : '-'}, predicted ${predicted.minMs}-${predicted.worstMs} ms (about ${predicted.typicalMs} ms): ${within ? 'ok' : 'OUTSIDE'}`);
      });
      return expected;
    };

    for (const g of gateways) {
      const planned = plan.gateways.get(g.key);
      const watchers = watchersOf(g);
      if (!planned || watchers.length === 0) continue;
      let current = watchers.map((w) => expectedFor(g, w, 'all healthy'));
      const start = await Promise.all(watchers.map((w, j) => observe(w, current[j], undefined, performance.now(), 10_000)));
      const wrong = watchers.filter((_, j) => start[j] === undefined);
      if (wrong.length > 0) throw new Error(`${wrong.map(name).join(', ')}: the drill's DNS server does not answer as predicted with every member healthy`);
      for (const m of planned) {
        current = await step(g, watchers, `${m.member} down`, [...m.standIns], false, current);
        current = await step(g, watchers, `${m.member} up`, [...m.standIns], true, current);
      }
      if (planned.length > 1) {
        // All down, member after member; a member whose stand-ins are all down already (an alias over
        // branches failed before it) adds no event.
        const stopped = new Set<number>();
        const events = planned.map((m) => {
          const fresh = m.standIns.filter((i) => !stopped.has(i));
          for (const i of fresh) stopped.add(i);
          return { member: m.member, standIns: fresh };
        }).filter((e) => e.standIns.length > 0);
        for (const [n, e] of events.entries()) {
          current = await step(g, watchers, `all down: ${e.member} down${n === events.length - 1 ? ' (last one)' : ''}`, e.standIns, false, current);
        }
        current = await step(g, watchers, 'all up', [...stopped].sort((a, b) => a - b), true, current);
      }
    }
    return {
      speed,
      checkers: checkers.length,
      dns: dnsAddress,
      toleranceMs,
      standIns: plan.standIns.map((s, i) => ({ gateway: s.gateway, member: s.member, address: standIns[i].address })),
      ...(plan.clients.size > 0 ? { clients: [...plan.clients].flatMap(([gateway, cs]) => cs.map((c) => ({ gateway, ...clientReport(c) }))) } : {}),
      ...(plan.geoip ? { geoip: plan.geoip } : {}),
      steps,
      passed: steps.every((s) => s.within),
      notes: plan.notes,
    };
  } finally {
    await Promise.all(checkers.map((c) => c.stop()));
    await subnets?.close();
    await node?.stop();
    await Promise.all(standIns.map((s) => s.stop()));
  }
}
