/**
 * One probe of one health check: resolve the name when the check has no IP address (again at every
 * probe, IPv4 only), then the HTTP(S) or TCP probe. Never rejects: every failure is an outcome
 * with its reason.
 */
import { performance } from 'perf_hooks';
import { startHttpProbe } from './probe-http';
import { startTcpProbe } from './probe-tcp';
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

function connectTo(target: ProbeTarget, address: string, context: ProbeContext, done: (result: ProbeResult) => void): void {
  const clock = context.clock ?? Date.now;
  const started = performance.now();
  const finished = (healthy: boolean, reason: string) => {
    done({ healthy, reason, latencyMs: round(performance.now() - started), observedAt: clock(), address });
  };
  if (target.protocol === 'TCP') startTcpProbe(target, address, context, finished);
  else startHttpProbe(target, address, context, finished);
}

/**
 * The probe, callback style (what the scheduler uses: no promise per probe): calls `done` once with
 * the result, possibly before returning (a request that cannot be sent, a cancelled probe).
 */
export function runProbe(target: ProbeTarget, context: ProbeContext, done: (result: ProbeResult) => void): void {
  const address = target.ipAddress;
  if (address !== undefined) return connectTo(target, address, context, done);
  context.resolver.resolve(target.hostname!, context.signal).then((resolved) => {
    if (!resolved.ok) return done({ healthy: false, reason: resolved.reason, observedAt: (context.clock ?? Date.now)() });
    connectTo(target, resolved.address, context, done);
  }, (e: unknown) => done({ healthy: false, reason: `checker error: ${(e as Error).message}`, observedAt: (context.clock ?? Date.now)() }));
}

export const probe: ProbeFunction = (target, context) => new Promise<ProbeResult>((resolve) => runProbe(target, context, resolve));
