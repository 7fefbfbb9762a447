/**
 * How the drill watches the answers: real DNS queries (Node's resolver) against its DNS node, the
 * window the timing model predicts for a step, and whether a measured time lies inside it.
 */
import { promises as dnsPromises } from 'dns';
import { isIPv6 } from 'net';
import { HealthCheckModel, normalizeName } from '../../model';
import { Gateway } from '../gateways';
import { checkTiming } from '../timing';

export interface PredictedWindow {
  /** The failure (or recovery) happens just before a probe: (threshold - 1) x interval. */
  readonly minMs: number;
  /** ROUTE53.md §4's "about threshold x interval". */
  readonly typicalMs: number;
  /** One more interval of skew between checkers: (threshold + 1) x interval. */
  readonly worstMs: number;
}

/**
 * The window of a step that changes these checks, from the timing model (ROUTE53.md §4): the widest
 * over the checks, for an endpoint that refuses connections.
 */
export function predictedWindow(ids: readonly string[], checks: ReadonlyMap<string, HealthCheckModel>): PredictedWindow {
  let w = { minMs: 0, typicalMs: 0, worstMs: 0 };
  for (const id of ids) {
    const hc = checks.get(id);
    if (!hc) continue;
    const t = checkTiming(hc, checks);
    if (!t.detectRefusing || t.failureThreshold === undefined || t.requestInterval === undefined) continue;
    w = {
      minMs: Math.max(w.minMs, (t.failureThreshold - 1) * t.requestInterval * 1000),
      typicalMs: Math.max(w.typicalMs, t.detectRefusing.typical * 1000),
      worstMs: Math.max(w.worstMs, t.detectRefusing.worst * 1000),
    };
  }
  return { minMs: Math.round(w.minMs), typicalMs: Math.round(w.typicalMs), worstMs: Math.round(w.worstMs) };
}

/** Whether a measured change lies in its predicted window, give or take the measurement tolerance. */
export function withinWindow(measuredMs: number | undefined, predicted: PredictedWindow, toleranceMs: number): boolean {
  return measuredMs !== undefined && measuredMs >= predicted.minMs - toleranceMs && measuredMs <= predicted.worstMs + toleranceMs;
}

function normalizeIpv6(v: string): string {
  return isIPv6(v) ? new URL(`http://[${v}]/`).hostname.slice(1, -1) : v;
}

/** A value as the drill compares answers: IPv6 compressed, names lower case without the root dot. */
export function normalizedValue(recordType: string, v: string): string {
  return recordType === 'AAAA' ? normalizeIpv6(v) : recordType === 'A' ? v : normalizeName(v);
}

/** Reads the answers of one gateway from the drill's DNS node: the values, normalised (undefined: no answer). */
export function querier(resolver: dnsPromises.Resolver, g: Gateway): () => Promise<string[] | undefined> {
  const name = g.name;
  return async () => {
    try {
      switch (g.recordType) {
        case 'A': return await resolver.resolve4(name);
        case 'AAAA': return (await resolver.resolve6(name)).map(normalizeIpv6);
        default: return (await resolver.resolveCname(name)).map((v) => normalizeName(v));
      }
    } catch {
      return undefined;
    }
  };
}
