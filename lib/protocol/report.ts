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
/** Whether an observation may have this field (a switch: faster than a Set for every field of every observation). */
function isObservationField(k: string): boolean {
  switch (k) {
    case 'healthCheckId': case 'healthy': case 'observedAt': case 'reason': case 'latencyMs': return true;
    default: return false;
  }
}

/** A report that passed {@link parseReport}. */
export interface ParsedReport {
  readonly body: ReportBody;
  /**
   * The observations the node takes (of health checks it has as endpoint checks), as parsed: each
   * holds only the fields of an observation, of the right types. For the engine's
   * `reportObservation(id, body.checkerId, body.region, observation)`.
   */
  readonly accepted: ReportObservation[];
  readonly ignored: IgnoredObservation[];
}

/**
 * Parses and checks a report body; throws {@link ReportError} naming the field, the value and the fix.
 * Nothing is copied: the observations accepted are the parsed objects themselves.
 */
export function parseReport(text: string, ctx: ReportContext): ParsedReport {
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
  const accepted: ReportObservation[] = [];
  const ignored: IgnoredObservation[] = [];
  const seen = new Set<string>();
  const observations = b.observations as unknown[];
  // One pass, no copies: this runs for every observation of every report (1,000s per report).
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i];
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ReportError(`observations[${i}] must be an object, got ${show(o)}`);
    const ob = o as Record<string, unknown>;
    for (const k in ob) {
      if (!isObservationField(k)) throw new ReportError(`observations[${i}] has the unknown field '${k}'; an observation has healthCheckId, healthy, observedAt, reason and latencyMs`);
    }
    const healthCheckId = ob.healthCheckId;
    if (typeof healthCheckId !== 'string' || healthCheckId === '') throw new ReportError(`observations[${i}].healthCheckId must be a non-empty string, got ${show(healthCheckId)}`);
    if (seen.has(healthCheckId)) throw new ReportError(`observations[${i}].healthCheckId '${healthCheckId}' appears twice; send one observation per health check`);
    seen.add(healthCheckId);
    const healthy = ob.healthy;
    if (typeof healthy !== 'boolean') throw new ReportError(`observations[${i}].healthy must be true or false, got ${show(healthy)}`);
    const observedAt = ob.observedAt;
    if (typeof observedAt !== 'number' || !Number.isFinite(observedAt) || observedAt < 0) {
      throw new ReportError(`observations[${i}].observedAt must be ms since epoch, got ${show(observedAt)}`);
    }
    if (observedAt > ctx.now + ctx.maxClockSkewMs) {
      throw new ReportError(`observations[${i}].observedAt ${observedAt} is ${observedAt - ctx.now} ms in the future (more than ${ctx.maxClockSkewMs} ms of clock skew); synchronise the checker's clock`);
    }
    const reason = ob.reason;
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
      throw new ReportError(`observations[${i}].reason must be a string of at most ${MAX_REASON_LENGTH} characters, got ${show(reason)}`);
    }
    const latencyMs = ob.latencyMs;
    if (latencyMs !== undefined && (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0)) {
      throw new ReportError(`observations[${i}].latencyMs must be a number of milliseconds (0 or more), got ${show(latencyMs)}`);
    }
    // The observation is well-formed: now whether this node's config takes it.
    const accepts = ctx.acceptsReports(healthCheckId);
    if (accepts !== true) {
      ignored.push({ healthCheckId, reason: accepts === 'not-endpoint' ? 'not-endpoint-check' : 'unknown-health-check' });
      continue;
    }
    accepted.push(ob as unknown as ReportObservation);
  }
  return { body: b as unknown as ReportBody, accepted, ignored };
}
