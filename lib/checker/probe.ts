/**
 * One probe of one health check: resolve the name when the check has no IP address (again at every
 * probe, IPv4 only), then the HTTP(S) or TCP probe. Never rejects: every failure is an outcome
 * with its reason.
 */
import { performance } from 'perf_hooks';
import { probeHttp } from './probe-http';
import { probeTcp } from './probe-tcp';
import { Outcome } from './reasons';
import { HostResolver } from './resolve';
import { ProbeTarget } from './target';

export interface ProbeResult extends Outcome {
  /**
   * Milliseconds from the connection attempt to the outcome (the status for HTTP, the search string
   * for *_STR_MATCH, the connection for TCP; the deadline for a timeout). Absent when the name did not
   * resolve.
   */
  readonly latencyMs?: number;
  /** When the outcome was known, ms since epoch (the checker's clock). */
  readonly observedAt: number;
  /** The address probed. */
  readonly address?: string;
}

export interface ProbeContext {
  readonly resolver: HostResolver;
  readonly userAgent?: string;
  /** Aborting cancels the probe at once (its sockets are destroyed). */
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly clock?: () => number;
}

export type ProbeFunction = (target: ProbeTarget, context: ProbeContext) => Promise<ProbeResult>;

const round = (x: number) => Math.round(x * 10) / 10;

export const probe: ProbeFunction = async (target, context) => {
  const clock = context.clock ?? Date.now;
  let address = target.ipAddress;
  if (address === undefined) {
    const resolved = await context.resolver.resolve(target.hostname!, context.signal);
    if (!resolved.ok) return { healthy: false, reason: resolved.reason, observedAt: clock() };
    address = resolved.address;
  }
  const started = performance.now();
  const outcome = target.protocol === 'TCP'
    ? await probeTcp(target, address, { signal: context.signal })
    : await probeHttp(target, address, { signal: context.signal, userAgent: context.userAgent });
  return { ...outcome, latencyMs: round(performance.now() - started), observedAt: clock(), address };
};
