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
 */
import { randomBytes } from 'crypto';
import { promises as dnsPromises } from 'dns';
import { performance } from 'perf_hooks';
import { predictedWindow, PredictedWindow, normalizedValue, querier, withinWindow } from './observe';
import { DrillPlan, drillPlan, NothingToDrill } from './plan';
import { StandInEndpoint } from './stand-in';
import { Checker } from '../../checker';
import { DnsNode } from '../../dns';
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
      const expected = scenario(model, g, verdicts(model, down), action, [], [...down]);
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
        within = withinWindow(measuredMs, predicted, toleranceMs);
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
      let current = scenario(model, g, verdicts(model, down), 'all healthy', [], []);
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
      standIns: plan.standIns.map((s, i) => ({ gateway: s.gateway, member: s.member, address: standIns[i].address })),
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
