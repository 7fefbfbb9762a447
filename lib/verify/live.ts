/**
 * `verify --live`: probe every endpoint once, now, from this machine, with the checker's own probes
 * (Route 53's rules: deadlines, redirects not followed, certificates not validated, the first 5,120
 * bytes searched), feed the results to the engine as one checker's reports, and show the verdicts and
 * the answers the engine gives with them.
 *
 * One probe is not Route 53's verdict: Route 53 needs `FailureThreshold` results in a row from 82 % of
 * its checkers in several regions, and this machine is not where they are. The live view says what
 * this machine sees right now.
 */
import { HostResolver, isProbed, probe, probeTargetOf, ProbeResult } from '../checker';
import { HealthState } from '../engine';
import { Gateway, gatewaysOf } from './gateways';
import { ArtifactSource } from './source';
import { scenario, Scenario } from './whatif';

export interface LiveCheck {
  readonly healthCheckId: string;
  /** Probed by this machine, or why not. */
  readonly probed: boolean;
  /** The probe's result (endpoint checks), or the engine's verdict for calculated and other checks. */
  readonly healthy: boolean;
  readonly reason: string;
  readonly latencyMs?: number;
  readonly address?: string;
}

export interface LiveGateway {
  readonly gateway: string;
  /** The engine's answers with this machine's verdicts. */
  readonly answers: Scenario;
}

export interface LiveReport {
  /** ISO 8601. */
  readonly probedAt: string;
  readonly checks: readonly LiveCheck[];
  readonly gateways: readonly LiveGateway[];
}

export interface LiveOptions {
  /** @default the checker's resolver (system resolver, IPv4, 2 s) */
  readonly resolver?: HostResolver;
  /** @default Date.now */
  readonly clock?: () => number;
}

const LIVE_CHECKER = 'this-machine';

export async function liveProbe(source: ArtifactSource, options: LiveOptions = {}): Promise<LiveReport> {
  const clock = options.clock ?? Date.now;
  const resolver = options.resolver ?? new HostResolver();
  const model = source.model;
  const startedAt = clock();
  const results = new Map<string, ProbeResult | { error: string }>();
  await Promise.all(model.healthChecks.filter(isProbed).map(async (hc) => {
    try {
      results.set(hc.id, await probe(probeTargetOf(hc), { resolver, clock, userAgent: 'dns-failover-verify/1 (live)' }));
    } catch (e) {
      // probeTargetOf refuses a check it cannot probe (no address, ...): say why.
      results.set(hc.id, { error: (e as Error).message });
    }
  }));

  const state = new HealthState(model.healthChecks);
  const now = clock();
  for (const [id, r] of results) {
    if ('error' in r) continue;
    state.report(id, { checkerId: LIVE_CHECKER, region: 'local', healthy: r.healthy, observedAt: now, reason: r.reason, ...(r.latencyMs !== undefined ? { latencyMs: r.latencyMs } : {}) });
  }
  state.evaluate(now);
  const snapshot = new Map(state.snapshot(now).map((s) => [s.healthCheckId, s]));

  const checks: LiveCheck[] = model.healthChecks.map((hc) => {
    const r = results.get(hc.id);
    const verdict = snapshot.get(hc.id)!;
    if (r && !('error' in r)) {
      return {
        healthCheckId: hc.id,
        probed: true,
        healthy: r.healthy,
        reason: r.reason,
        ...(r.latencyMs !== undefined ? { latencyMs: r.latencyMs } : {}),
        ...(r.address !== undefined ? { address: r.address } : {}),
      };
    }
    const why = r && 'error' in r ? `not probed: ${r.error}` : isProbed(hc) ? 'not probed' : `not probed (${hc.config.disabled ? 'disabled' : hc.config.type}); the engine says: ${verdict.reason}`;
    return { healthCheckId: hc.id, probed: false, healthy: verdict.healthy, reason: why };
  });

  const gateways = gatewaysOf(model).map((g: Gateway): LiveGateway => ({
    gateway: g.key,
    answers: scenario(source.model, g, state, 'live', g.members.filter((m) => m.record.healthCheckId !== undefined && !state.isHealthy(m.record.healthCheckId)).map((m) => m.setIdentifier), []),
  }));
  return { probedAt: new Date(startedAt).toISOString(), checks, gateways };
}
