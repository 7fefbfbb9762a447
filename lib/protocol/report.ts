/**
 * The checker -> DNS node report protocol, version 1: the body a checker posts to `POST /reports`
 * and how a node parses and checks it. Its authentication (the credential headers) is `auth.ts`.
 *
 * Body (JSON):
 * ```json
 * { "checkerId": "eu-1", "region": "eu-west-1",
 *   "observations": [ { "healthCheckId": "Emdr/gw-a/HealthCheck", "healthy": false,
 *                       "observedAt": 1767225600000, "reason": "HTTP status 503", "latencyMs": 12.5 } ] }
 * ```
 * One report carries a checker's current observations. A malformed report (not JSON, an unknown
 * field, a bad value, an unknown checker, a health check id twice) is refused as a whole. An
 * observation for a health check the node's config does not have (any more), or that is not an
 * endpoint check there, is left out and counted, and the rest is accepted: a checker still on the
 * config before a reload that removed a check keeps feeding the verdicts of the checks that remain.
 *
 * This folder sits below both the DNS node (which receives reports) and the checker (which sends
 * them): neither imports the other.
 */
import { CheckerReport } from '../engine';

export interface ReportObservation {
  readonly healthCheckId: string;
  readonly healthy: boolean;
  /** When the checker observed it, ms since epoch. */
  readonly observedAt: number;
  readonly reason?: string;
  readonly latencyMs?: number;
}

export interface ReportBody {
  readonly checkerId: string;
  readonly region: string;
  readonly observations: readonly ReportObservation[];
}

/** What the node knows to check a report against. */
export interface ReportContext {
  /** Configured checkers: id → region. */
  readonly checkers: ReadonlyMap<string, string>;
  /** Whether a health check id takes reports (an endpoint check of the config). */
  readonly acceptsReports: (healthCheckId: string) => boolean | 'not-endpoint';
  readonly now: number;
  /** Reports dated later than now + this are refused (a future report would stay fresh too long). */
  readonly maxClockSkewMs: number;
}

export const MAX_OBSERVATIONS = 10_000;
export const MAX_REASON_LENGTH = 1024;
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000;

/** One observation as the engine takes it. */
export interface ParsedObservation {
  readonly healthCheckId: string;
  readonly report: CheckerReport;
}

/** Why an observation was left out of a report that was otherwise accepted. */
export type IgnoredReason = 'unknown-health-check' | 'not-endpoint-check';

/** An observation left out of an accepted report. */
export interface IgnoredObservation {
  readonly healthCheckId: string;
  readonly reason: IgnoredReason;
}

export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const BODY_FIELDS = new Set(['checkerId', 'region', 'observations']);
const OBSERVATION_FIELDS = new Set(['healthCheckId', 'healthy', 'observedAt', 'reason', 'latencyMs']);

/**
 * Parses and checks a report body; throws {@link ReportError} naming the field, the value and the fix.
 * Returns the reports to feed into the engine, one per observation.
 */
export function parseReport(text: string, ctx: ReportContext): { body: ReportBody; reports: ParsedObservation[]; ignored: IgnoredObservation[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`the body is not JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ReportError(`the body must be a JSON object, got ${show(json)}`);
  const b = json as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BODY_FIELDS.has(k)) throw new ReportError(`unknown field '${k}'; a report has checkerId, region and observations`);
  if (typeof b.checkerId !== 'string' || b.checkerId === '') throw new ReportError(`checkerId must be a non-empty string, got ${show(b.checkerId)}`);
  if (typeof b.region !== 'string' || b.region === '') throw new ReportError(`region must be a non-empty string, got ${show(b.region)}`);
  const configured = ctx.checkers.get(b.checkerId);
  if (configured === undefined) {
    throw new ReportError(`checker '${b.checkerId}' is not in the node's config (known: ${[...ctx.checkers.keys()].join(', ') || 'none'}); add it to the bundle's checkers and reload`);
  }
  if (configured !== b.region) throw new ReportError(`checker '${b.checkerId}' is configured in region '${configured}', but the report says '${b.region}'`);
  if (!Array.isArray(b.observations)) throw new ReportError(`observations must be an array, got ${show(b.observations)}`);
  if (b.observations.length === 0) throw new ReportError('observations is empty; send at least one');
  if (b.observations.length > MAX_OBSERVATIONS) throw new ReportError(`${b.observations.length} observations; send at most ${MAX_OBSERVATIONS} per report`);
  const reports: ParsedObservation[] = [];
  const ignored: IgnoredObservation[] = [];
  const seen = new Set<string>();
  b.observations.forEach((o: unknown, i: number) => {
    const at = `observations[${i}]`;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ReportError(`${at} must be an object, got ${show(o)}`);
    const ob = o as Record<string, unknown>;
    for (const k of Object.keys(ob)) if (!OBSERVATION_FIELDS.has(k)) throw new ReportError(`${at} has the unknown field '${k}'; an observation has healthCheckId, healthy, observedAt, reason and latencyMs`);
    if (typeof ob.healthCheckId !== 'string' || ob.healthCheckId === '') throw new ReportError(`${at}.healthCheckId must be a non-empty string, got ${show(ob.healthCheckId)}`);
    if (seen.has(ob.healthCheckId)) throw new ReportError(`${at}.healthCheckId '${ob.healthCheckId}' appears twice; send one observation per health check`);
    seen.add(ob.healthCheckId);
    if (typeof ob.healthy !== 'boolean') throw new ReportError(`${at}.healthy must be true or false, got ${show(ob.healthy)}`);
    if (typeof ob.observedAt !== 'number' || !Number.isFinite(ob.observedAt) || ob.observedAt < 0) {
      throw new ReportError(`${at}.observedAt must be ms since epoch, got ${show(ob.observedAt)}`);
    }
    if (ob.observedAt > ctx.now + ctx.maxClockSkewMs) {
      throw new ReportError(`${at}.observedAt ${ob.observedAt} is ${ob.observedAt - ctx.now} ms in the future (more than ${ctx.maxClockSkewMs} ms of clock skew); synchronise the checker's clock`);
    }
    if (ob.reason !== undefined && (typeof ob.reason !== 'string' || ob.reason.length > MAX_REASON_LENGTH)) {
      throw new ReportError(`${at}.reason must be a string of at most ${MAX_REASON_LENGTH} characters, got ${show(ob.reason)}`);
    }
    if (ob.latencyMs !== undefined && (typeof ob.latencyMs !== 'number' || !Number.isFinite(ob.latencyMs) || ob.latencyMs < 0)) {
      throw new ReportError(`${at}.latencyMs must be a number of milliseconds (0 or more), got ${show(ob.latencyMs)}`);
    }
    // The observation is well-formed: now whether this node's config takes it.
    const accepts = ctx.acceptsReports(ob.healthCheckId);
    if (accepts !== true) {
      ignored.push({ healthCheckId: ob.healthCheckId, reason: accepts === 'not-endpoint' ? 'not-endpoint-check' : 'unknown-health-check' });
      return;
    }
    reports.push({
      healthCheckId: ob.healthCheckId,
      report: {
        checkerId: b.checkerId as string,
        region: b.region as string,
        healthy: ob.healthy,
        observedAt: ob.observedAt,
        ...(ob.reason !== undefined ? { reason: ob.reason as string } : {}),
        ...(ob.latencyMs !== undefined ? { latencyMs: ob.latencyMs as number } : {}),
      },
    });
  });
  return { body: b as unknown as ReportBody, reports, ignored };
}
