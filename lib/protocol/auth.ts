/**
 * Authentication of checker reports (`POST /reports`), both sides: checkers sign with
 * {@link signReport}, a DNS node verifies with {@link HmacReportAuthenticator}, which plugs into the
 * node's {@link ReportAuthenticator} seam and runs before the body is parsed.
 *
 * Part of the report protocol (`report.ts` defines the body, this file the credentials), below both
 * the DNS node and the checker. Pure: node:crypto only.
 *
 * ## Wire format, version 1
 * The body is the report JSON of `report.ts`, sent as is. Four headers carry the credentials:
 * ```
 * x-dns-failover-checker:   <checker id>              same id as the body's checkerId
 * x-dns-failover-timestamp: <ms since epoch>          when the checker sent it, decimal
 * x-dns-failover-sequence:  <integer>                 per checker, strictly increasing, decimal, < 2^53
 * x-dns-failover-signature: v1=<64 lowercase hex>     HMAC-SHA256(secret, signing input)
 * ```
 * signing input = `"dns-failover-report-v1\n" + checker + "\n" + timestamp + "\n" + sequence + "\n"`
 * followed by the exact body octets. The secret is the content of the secret file (a trailing
 * newline dropped), at least 16 octets; `openssl rand -hex 32 > report.secret` makes a good one.
 *
 * A node refuses, before it looks at the body:
 * - 401 a missing or malformed credential header, or a signature that does not match (compared in
 *   constant time): unauthenticated;
 * - 401 a timestamp more than `maxClockSkewMs` (default 30 s) away from the node's clock: too old,
 *   or from the future;
 * - 409 a sequence equal to the last one accepted from that checker (replayed) or lower
 *   (out of order);
 * - 403 a new checker id once {@link MAX_TRACKED_CHECKERS} are tracked.
 * Then `report.ts` refuses a malformed body with 400, and the node a body whose checkerId differs
 * from the authenticated one with 403.
 *
 * The reference checker numbers its reports `max(previous + 1, now_ms × 1000)`: strictly increasing,
 * and a restarted checker continues above what it sent before without keeping state on disk. A node
 * keeps the last sequence per checker in memory: after a node restart, a captured report could be
 * replayed to it once, and only within the clock-skew window.
 */
import { createHmac, timingSafeEqual } from 'crypto';
import { readFileSync } from 'fs';
import { IncomingHttpHeaders } from 'http';

/** What an authenticator sees of one request. */
export interface ReportRequest {
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  readonly body: Buffer;
  readonly remoteAddress?: string;
  /** The node's clock, ms since epoch. */
  readonly now: number;
}

export type ReportAuthResult =
  /** `checkerId`, when the credentials identify a checker, must match the body's. */
  | { readonly ok: true; readonly checkerId?: string }
  /** 401 unauthenticated (also too old or from the future), 403 refused, 409 replayed or out of order. */
  | { readonly ok: false; readonly status: 401 | 403 | 409; readonly reason: string };

/** The seam where report authentication plugs in (signature, timestamp, sequence, replay). */
export interface ReportAuthenticator {
  readonly name: string;
  authenticate(request: ReportRequest): ReportAuthResult;
  /** What the status shows about a checker's credentials (last sequence, refusals), if anything. */
  checkerStatus?(checkerId: string, now: number): object | undefined;
}

/** Accepts every report. Only for in-process use and tests (admin addresses nobody else can reach). */
export const UNAUTHENTICATED_REPORTS: ReportAuthenticator = {
  name: 'none',
  authenticate: () => ({ ok: true }),
};


export const REPORT_AUTH_VERSION = 'dns-failover-report-v1';
export const CHECKER_HEADER = 'x-dns-failover-checker';
export const TIMESTAMP_HEADER = 'x-dns-failover-timestamp';
export const SEQUENCE_HEADER = 'x-dns-failover-sequence';
export const SIGNATURE_HEADER = 'x-dns-failover-signature';

export const MIN_SECRET_BYTES = 16;
export const DEFAULT_REPORT_CLOCK_SKEW_MS = 30_000;
/** Checkers whose last sequence a node remembers; a new id beyond this is refused. */
export const MAX_TRACKED_CHECKERS = 1024;

/** The bundle config's identifier rule for checker ids. */
const CHECKER_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const SIGNATURE = /^v1=([0-9a-f]{64})$/;

/** Why a report was refused; counted per code. */
export type ReportRejection = 'unauthenticated' | 'bad-signature' | 'stale' | 'future' | 'replayed' | 'out-of-order' | 'too-many-checkers';

function mac(secret: Buffer, checkerId: string, timestamp: number | string, sequence: number | string, body: Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(`${REPORT_AUTH_VERSION}\n${checkerId}\n${timestamp}\n${sequence}\n`, 'utf8')
    .update(body)
    .digest();
}

function checkSecret(secret: Buffer, where: string): void {
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
    throw new Error(`${where} has ${Buffer.isBuffer(secret) ? secret.length : 0} octets; use at least ${MIN_SECRET_BYTES} (for example: openssl rand -hex 32 > report.secret)`);
  }
}

/** The credential headers for one report body. */
export function signReport(secret: Buffer, checkerId: string, body: Buffer, timestamp: number, sequence: number): Record<string, string> {
  checkSecret(secret, 'the report secret');
  if (!CHECKER_ID.test(checkerId)) {
    throw new Error(`checker id '${checkerId}' cannot sign reports; use letters, digits, '.', '_', '/', '-' (at most 128, starting with a letter or digit)`);
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp ${timestamp} is not ms since epoch`);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence ${sequence} is not a whole number below 2^53`);
  return {
    [CHECKER_HEADER]: checkerId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SEQUENCE_HEADER]: String(sequence),
    [SIGNATURE_HEADER]: `v1=${mac(secret, checkerId, timestamp, sequence, body).toString('hex')}`,
  };
}

/**
 * Reads a secret file: its content, one trailing newline (`\n` or `\r\n`) dropped. Throws naming the
 * file and the fix when it is missing or too short.
 */
export function readSecretFile(file: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read the secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; create it, for example with: openssl rand -hex 32 > ${file}`);
  }
  let end = content.length;
  if (end > 0 && content[end - 1] === 0x0a) end--;
  if (end > 0 && content[end - 1] === 0x0d) end--;
  const secret = content.subarray(0, end);
  checkSecret(secret, `the secret file ${file}`);
  return Buffer.from(secret);
}

export interface CheckerAuthStatus {
  /** The last sequence accepted from this checker. */
  readonly lastSequence: number;
  /** The checker's timestamp on that report (ISO 8601) and its age at the node. */
  readonly lastSentAt: string;
  readonly lastSentAgeMs: number;
  readonly accepted: number;
  /** Refusals of signed reports from this checker, by reason (replayed, out-of-order, stale, future). */
  readonly rejected: Readonly<Partial<Record<ReportRejection, number>>>;
  readonly lastRejection?: { readonly reason: string; readonly at: string };
}

interface Tracked {
  sequence: number;
  timestamp: number;
  accepted: number;
  readonly rejected: Partial<Record<ReportRejection, number>>;
  lastRejection?: { readonly reason: string; readonly at: number };
}

type Refusal = Extract<ReportAuthResult, { ok: false }>;

export interface HmacReportAuthenticatorOptions {
  readonly secret: Buffer;
  /** A timestamp further than this from the node's clock is refused. @default 30000 */
  readonly maxClockSkewMs?: number;
}

/** Verifies the credentials of version 1 (see the file comment); one instance per node. */
export class HmacReportAuthenticator implements ReportAuthenticator {
  readonly name = 'hmac-sha256';
  readonly maxClockSkewMs: number;
  private readonly secret: Buffer;
  private readonly checkers = new Map<string, Tracked>();
  private readonly refusals: Partial<Record<ReportRejection, number>> = {};

  constructor(options: HmacReportAuthenticatorOptions) {
    checkSecret(options.secret, 'the report secret');
    this.secret = Buffer.from(options.secret);
    this.maxClockSkewMs = options.maxClockSkewMs ?? DEFAULT_REPORT_CLOCK_SKEW_MS;
    if (!(Number.isFinite(this.maxClockSkewMs) && this.maxClockSkewMs > 0)) {
      throw new RangeError(`maxClockSkewMs ${this.maxClockSkewMs} is not usable; give a positive number of milliseconds (default ${DEFAULT_REPORT_CLOCK_SKEW_MS})`);
    }
  }

  /** Refusals by reason, since the node started (unsigned ones included). */
  get rejections(): Readonly<Partial<Record<ReportRejection, number>>> {
    return { ...this.refusals };
  }

  authenticate(request: ReportRequest): ReportAuthResult {
    const h = request.headers;
    const header = (name: string): string | undefined => {
      const v = h[name];
      return typeof v === 'string' ? v : undefined;
    };
    const checkerId = header(CHECKER_HEADER);
    const timestamp = header(TIMESTAMP_HEADER);
    const sequence = header(SEQUENCE_HEADER);
    const signature = header(SIGNATURE_HEADER);
    const missing = [[CHECKER_HEADER, checkerId], [TIMESTAMP_HEADER, timestamp], [SEQUENCE_HEADER, sequence], [SIGNATURE_HEADER, signature]]
      .filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) {
      return this.refuse('unauthenticated', 401, `unauthenticated: missing ${missing.join(', ')}; checkers sign every report with the shared secret (HMAC-SHA256, ${REPORT_AUTH_VERSION})`);
    }
    if (!CHECKER_ID.test(checkerId!)) return this.refuse('unauthenticated', 401, `unauthenticated: ${CHECKER_HEADER} '${checkerId!.slice(0, 40)}' is not a checker id`);
    if (!DECIMAL.test(timestamp!)) return this.refuse('unauthenticated', 401, `unauthenticated: ${TIMESTAMP_HEADER} '${timestamp!.slice(0, 40)}' is not ms since epoch (decimal digits)`);
    if (!DECIMAL.test(sequence!) || !Number.isSafeInteger(Number(sequence))) {
      return this.refuse('unauthenticated', 401, `unauthenticated: ${SEQUENCE_HEADER} '${sequence!.slice(0, 40)}' is not a whole number below 2^53`);
    }
    const sig = SIGNATURE.exec(signature!);
    if (!sig) return this.refuse('unauthenticated', 401, `unauthenticated: ${SIGNATURE_HEADER} must be 'v1=' and 64 lowercase hex digits`);

    const expected = mac(this.secret, checkerId!, timestamp!, sequence!, request.body);
    if (!timingSafeEqual(expected, Buffer.from(sig[1], 'hex'))) {
      return this.refuse('bad-signature', 401, `unauthenticated: the signature does not match (checker '${checkerId}'); the checker and this node must use the same secret, and the body must reach the node unchanged`);
    }

    // From here the checker is authenticated: refusals are counted against it.
    const id = checkerId!;
    const ts = Number(timestamp);
    const seq = Number(sequence);
    let tracked = this.checkers.get(id);
    if (ts < request.now - this.maxClockSkewMs) {
      return this.refuse('stale', 401, `report too old: sent at ${new Date(ts).toISOString()}, ${request.now - ts} ms ago, more than the ${this.maxClockSkewMs} ms allowed; check the checker's clock (NTP) and its path to this node`, tracked, request.now);
    }
    if (ts > request.now + this.maxClockSkewMs) {
      return this.refuse('future', 401, `report from the future: sent at ${new Date(ts).toISOString()}, ${ts - request.now} ms ahead of this node's clock, more than the ${this.maxClockSkewMs} ms allowed; synchronise the clocks (NTP)`, tracked, request.now);
    }
    if (tracked && seq === tracked.sequence) {
      return this.refuse('replayed', 409, `replayed report: checker '${id}' already sent sequence ${seq}`, tracked, request.now);
    }
    if (tracked && seq < tracked.sequence) {
      return this.refuse('out-of-order', 409, `out-of-order report: sequence ${seq} from checker '${id}' is below the last accepted ${tracked.sequence}; every report needs a higher sequence than the one before`, tracked, request.now);
    }
    if (!tracked) {
      if (this.checkers.size >= MAX_TRACKED_CHECKERS) {
        return this.refuse('too-many-checkers', 403, `this node already tracks ${MAX_TRACKED_CHECKERS} checker ids; '${id}' is refused (use fewer checker ids)`);
      }
      tracked = { sequence: seq, timestamp: ts, accepted: 0, rejected: {} };
      this.checkers.set(id, tracked);
    }
    tracked.sequence = seq;
    tracked.timestamp = ts;
    tracked.accepted++;
    return { ok: true, checkerId: id };
  }

  /** What the node's status shows for a checker: its last accepted sequence and timestamp, and refusals. */
  checkerStatus(checkerId: string, now: number): CheckerAuthStatus | undefined {
    const t = this.checkers.get(checkerId);
    if (!t) return undefined;
    return {
      lastSequence: t.sequence,
      lastSentAt: new Date(t.timestamp).toISOString(),
      lastSentAgeMs: now - t.timestamp,
      accepted: t.accepted,
      rejected: { ...t.rejected },
      ...(t.lastRejection ? { lastRejection: { reason: t.lastRejection.reason, at: new Date(t.lastRejection.at).toISOString() } } : {}),
    };
  }

  private refuse(code: ReportRejection, status: Refusal['status'], reason: string, tracked?: Tracked, now?: number): Refusal {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
    if (tracked) {
      tracked.rejected[code] = (tracked.rejected[code] ?? 0) + 1;
      tracked.lastRejection = { reason, at: now ?? Date.now() };
    }
    return { ok: false, status, reason };
  }
}

/** What a node without a secret does: refuse every report, saying how to give it a secret. */
export const REFUSE_REPORTS: ReportAuthenticator = {
  name: 'refused (no secret)',
  authenticate: () => ({
    ok: false,
    status: 403,
    reason: 'this DNS node has no report secret and refuses every checker report; start it with --secret-file <file>, the same secret file as its checkers',
  }),
};
