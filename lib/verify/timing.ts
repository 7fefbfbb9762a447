/**
 * The timing model of ROUTE53.md §4, per health check and per gateway member:
 *
 * - Per checker, a failure is seen after about `FailureThreshold × interval` when the endpoint refuses
 *   connections, and up to `FailureThreshold × (interval + timeout)` when it hangs (timeout: 4 s to
 *   connect plus 2 s for the status for HTTP and HTTPS, plus 2 s for the body for string matching,
 *   10 s for TCP; a self-hosted bundle's own timeouts when it sets them).
 * - The verdict flips once 82 % or more of the checkers have crossed the threshold; they are not
 *   synchronised, so allow one more interval (one more probe cycle) of skew: the worst case.
 * - Clients keep the old answer for up to the TTL: the time until clients move adds the TTL.
 * - Recovery is symmetric (the threshold applies in both directions).
 *
 * The interval runs from a response to the next request (ROUTE53.md §1), so a probe cycle lasts
 * `interval` against a refusing endpoint and `interval + timeout` against a hanging one.
 */
import { HealthState } from '../engine';
import {
  DEFAULT_HEALTHY_FRACTION,
  failureThresholdOf,
  hangingProbeSeconds,
  HealthCheckModel,
  healthCheckKindOf,
  probeDeadlinesOf,
  ProbeDeadlines,
  requestIntervalOf,
} from '../model';
import { Gateway, memberChecks } from './gateways';
import { ArtifactSource } from './source';

/** Seconds: about how long it takes, and how long it can take at worst. */
export interface TimeRange {
  readonly typical: number;
  readonly worst: number;
}

/** The deadlines of one check, in seconds (the model's `ProbeDeadlines`). */
export type ProbeTimeouts = ProbeDeadlines;

export interface CheckTiming {
  readonly healthCheckId: string;
  readonly type: string;
  /** How the check's status is decided: probes, children, or something the verifier cannot time. */
  readonly kind: 'endpoint' | 'calculated' | 'alarm' | 'routing-control' | 'unknown';
  readonly requestInterval?: number;
  readonly failureThreshold?: number;
  readonly timeouts?: ProbeTimeouts;
  /** How long one probe of a hanging endpoint takes to fail: the sum of the timeouts. */
  readonly hangTimeout?: number;
  /** Self-hosted: the checkers that probe this check, and how many must see a failure (the engine's fraction rule). */
  readonly checkers?: { readonly count: number; readonly toFail: number; readonly toRecover: number };
  readonly detectRefusing?: TimeRange;
  readonly detectHanging?: TimeRange;
  readonly recover?: TimeRange;
  readonly note?: string;
}

export interface MemberTiming {
  readonly setIdentifier: string;
  readonly healthCheckId?: string;
  readonly detectRefusing?: TimeRange;
  readonly detectHanging?: TimeRange;
  readonly recover?: TimeRange;
  /** Detection plus the TTL. */
  readonly clientsMoveRefusing?: TimeRange;
  readonly clientsMoveHanging?: TimeRange;
  readonly clientsReturn?: TimeRange;
  readonly note?: string;
}

export interface GatewayTiming {
  readonly ttl?: number;
  readonly members: readonly MemberTiming[];
  /** The slowest member, per column (undefined when no member can be taken out). */
  readonly slowest?: {
    readonly detectRefusing: TimeRange;
    readonly detectHanging: TimeRange;
    readonly recover: TimeRange;
    readonly clientsMoveRefusing: TimeRange;
    readonly clientsMoveHanging: TimeRange;
    readonly clientsReturn: TimeRange;
  };
}

export interface TimingContext {
  /** Self-hosted: the bundle's checkers (id and region). */
  readonly checkers?: ReadonlyArray<{ readonly id: string; readonly region: string }>;
  /** Self-hosted: the bundle's healthy fraction. @default - `DEFAULT_HEALTHY_FRACTION` (facts.ts) */
  readonly healthyFraction?: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const range = (typical: number, worst: number): TimeRange => ({ typical: round(typical), worst: round(worst) });
const plus = (r: TimeRange | undefined, s: number): TimeRange | undefined => (r ? range(r.typical + s, r.worst + s) : undefined);
const maxRange = (rs: Array<TimeRange | undefined>): TimeRange | undefined => {
  const present = rs.filter((r): r is TimeRange => r !== undefined);
  if (present.length === 0) return undefined;
  return range(Math.max(...present.map((r) => r.typical)), Math.max(...present.map((r) => r.worst)));
};

/** The probe deadlines a check uses: the bundle's own (self-hosted), else Route 53's fixed ones. */
export function probeTimeouts(hc: HealthCheckModel): ProbeTimeouts {
  return probeDeadlinesOf(hc.config);
}

/** What the timing of an artifact depends on beyond its model: a bundle's checkers and fraction. */
export function timingContextOf(source: ArtifactSource): TimingContext {
  return source.bundle ? { checkers: source.bundle.checkers, healthyFraction: source.bundle.verdict?.healthyFraction } : {};
}

/**
 * How many of `count` checkers must report a failure before the engine's verdict is unhealthy, and how
 * many must report success again before it is healthy: asked of the engine itself (HealthState), so
 * the fraction rule exists once.
 */
export function checkersToFlip(count: number, healthyFraction = DEFAULT_HEALTHY_FRACTION): { toFail: number; toRecover: number } {
  const verdict = (healthyReports: number) => {
    const state = new HealthState([{ id: 'x', config: { type: 'TCP', port: 1, ipAddress: '192.0.2.1' } }], { healthyFraction, freshnessMs: 1000 });
    for (let i = 0; i < count; i++) state.report('x', { checkerId: `c${i}`, region: 'r', healthy: i < healthyReports, observedAt: 0 });
    state.evaluate(0);
    return state.isHealthy('x');
  };
  let toFail = count;
  for (let failed = 1; failed <= count; failed++) {
    if (!verdict(count - failed)) {
      toFail = failed;
      break;
    }
  }
  let toRecover = count;
  for (let ok = 1; ok <= count; ok++) {
    if (verdict(ok)) {
      toRecover = ok;
      break;
    }
  }
  return { toFail, toRecover };
}

/** The timing of one health check (children first for a calculated check). */
export function checkTiming(hc: HealthCheckModel, checks: ReadonlyMap<string, HealthCheckModel>, ctx: TimingContext = {}, depth = 0): CheckTiming {
  const c = hc.config;
  const kind = healthCheckKindOf(c.type);
  if (kind === 'endpoint') {
    const interval = requestIntervalOf(c);
    const threshold = failureThresholdOf(c);
    const timeouts = probeTimeouts(hc);
    const hang = hangingProbeSeconds(timeouts);
    let checkers: CheckTiming['checkers'];
    if (ctx.checkers) {
      const probing = ctx.checkers.filter((k) => !c.regions || c.regions.includes(k.region));
      checkers = { count: probing.length, ...checkersToFlip(probing.length, ctx.healthyFraction) };
    }
    return {
      healthCheckId: hc.id,
      type: c.type,
      kind: 'endpoint',
      requestInterval: interval,
      failureThreshold: threshold,
      timeouts,
      hangTimeout: round(hang),
      ...(checkers ? { checkers } : {}),
      detectRefusing: range(threshold * interval, (threshold + 1) * interval),
      detectHanging: range(threshold * (interval + hang), (threshold + 1) * (interval + hang)),
      recover: range(threshold * interval, (threshold + 1) * interval),
      ...(c.disabled ? { note: 'disabled: the verdict never changes' } : {}),
    };
  }
  if (kind === 'calculated') {
    const children = (c.childHealthChecks ?? []).map((id) => checks.get(id)).filter((x): x is HealthCheckModel => x !== undefined);
    const timed = depth < 2 ? children.map((child) => checkTiming(child, checks, ctx, depth + 1)) : [];
    const external = (c.childHealthChecks ?? []).length - children.length;
    return {
      healthCheckId: hc.id,
      type: c.type,
      kind: 'calculated',
      detectRefusing: maxRange(timed.map((t) => t.detectRefusing)),
      detectHanging: maxRange(timed.map((t) => t.detectHanging)),
      recover: maxRange(timed.map((t) => t.recover)),
      note: `follows its ${children.length} child check${children.length === 1 ? '' : 's'} (the slowest shown)${external > 0 ? `; ${external} external child check(s) not in the artifact` : ''}; Route 53 recomputes it as soon as they change`,
    };
  }
  if (kind === 'cloudwatch-alarm') {
    return { healthCheckId: hc.id, type: c.type, kind: 'alarm', note: 'follows the CloudWatch alarm: its period times its evaluation periods, which the artifact does not say' };
  }
  if (kind === 'routing-control') {
    return { healthCheckId: hc.id, type: c.type, kind: 'routing-control', note: 'follows the routing control: it changes when an operator or automation flips it' };
  }
  return { healthCheckId: hc.id, type: c.type, kind: 'unknown', note: `type ${c.type} is not timed` };
}

export function gatewayTiming(
  g: Gateway,
  checks: ReadonlyMap<string, HealthCheckModel>,
  ctx: TimingContext = {},
  gateways: readonly Gateway[] = [g],
): GatewayTiming {
  const ttl = g.ttl ?? 0;
  const members = g.members.map((m): MemberTiming => {
    const alias = m.record.aliasTarget;
    if (alias && m.target !== undefined && alias.evaluateTargetHealth) {
      // A branch leaves once every checked endpoint below it has failed: the slowest of them decides.
      const ids = memberChecks(m, gateways).filter((id) => checks.has(id));
      if (ids.length === 0) return { setIdentifier: m.setIdentifier, note: `nothing below it has a health check: ${m.target} is never taken out` };
      const timed = ids.map((id) => checkTiming(checks.get(id)!, checks, ctx));
      const detectRefusing = maxRange(timed.map((t) => t.detectRefusing));
      const detectHanging = maxRange(timed.map((t) => t.detectHanging));
      const recover = timed.map((t) => t.recover).filter((r): r is TimeRange => r !== undefined).sort((a, b) => a.typical - b.typical)[0];
      return {
        setIdentifier: m.setIdentifier,
        ...(detectRefusing ? { detectRefusing, clientsMoveRefusing: plus(detectRefusing, ttl) } : {}),
        ...(detectHanging ? { detectHanging, clientsMoveHanging: plus(detectHanging, ttl) } : {}),
        ...(recover ? { recover, clientsReturn: plus(recover, ttl) } : {}),
        note: `the branch ${m.target} leaves when all ${ids.length} of its health checks fail (the slowest shown), and returns with the first that recovers`,
      };
    }
    if (alias && !alias.evaluateTargetHealth && m.record.healthCheckId === undefined) {
      return { setIdentifier: m.setIdentifier, note: 'EvaluateTargetHealth is off and no health check: never taken out' };
    }
    if (alias && m.target === undefined && alias.evaluateTargetHealth && m.record.healthCheckId === undefined) {
      return { setIdentifier: m.setIdentifier, note: `follows the health of ${alias.dnsName} (an AWS resource): not timed here` };
    }
    if (m.record.healthCheckId === undefined) {
      return { setIdentifier: m.setIdentifier, note: 'no health check: never taken out' };
    }
    if (!m.healthCheck) {
      return { setIdentifier: m.setIdentifier, healthCheckId: m.record.healthCheckId, note: 'health check not in this artifact (external id): not timed' };
    }
    const t = checkTiming(m.healthCheck, checks, ctx);
    return {
      setIdentifier: m.setIdentifier,
      healthCheckId: m.healthCheck.id,
      ...(t.detectRefusing ? { detectRefusing: t.detectRefusing } : {}),
      ...(t.detectHanging ? { detectHanging: t.detectHanging } : {}),
      ...(t.recover ? { recover: t.recover } : {}),
      ...(t.detectRefusing ? { clientsMoveRefusing: plus(t.detectRefusing, ttl) } : {}),
      ...(t.detectHanging ? { clientsMoveHanging: plus(t.detectHanging, ttl) } : {}),
      ...(t.recover ? { clientsReturn: plus(t.recover, ttl) } : {}),
      ...(t.note ? { note: t.note } : {}),
    };
  });
  const col = (k: keyof MemberTiming) => maxRange(members.map((m) => m[k] as TimeRange | undefined));
  const detectRefusing = col('detectRefusing');
  const slowest = detectRefusing
    ? {
      detectRefusing,
      detectHanging: col('detectHanging')!,
      recover: col('recover')!,
      clientsMoveRefusing: col('clientsMoveRefusing')!,
      clientsMoveHanging: col('clientsMoveHanging')!,
      clientsReturn: col('clientsReturn')!,
    }
    : undefined;
  return { ...(g.ttl !== undefined ? { ttl: g.ttl } : {}), members, ...(slowest ? { slowest } : {}) };
}
