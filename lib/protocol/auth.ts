/**
 * Authentication of checker reports (`POST /reports`), both sides: checkers sign with
 * {@link signReport}, a DNS node verifies with {@link HmacReportAuthenticator}, which plugs into the
 * node's {@link ReportAuthenticator} seam. The node checks the credentials **before it reads the
 * body**, and the body against them once read.
 *
 * Part of the report protocol (`report.ts` defines the body, this file the credentials), below both
 * the DNS node and the checker. node:crypto and node:fs only.
 *
 * ## Keys
 * Every checker has a key of its own (at least 16 octets; `openssl rand -hex 32 > <key name>` makes a
 * good one). A DNS node holds the key of every checker of its config and verifies a report with the
 * key of the checker it claims to come from, so a checker can sign only as itself: one checker's key
 * neither speaks for another checker nor outvotes it.
 *
 * ## Wire format, version 2
 * The body is the report JSON of `report.ts`, sent as is, with a `content-length`. Five headers
 * carry the credentials:
 * ```
 * x-dns-failover-checker:     <checker id>            same id as the body's checkerId
 * x-dns-failover-timestamp:   <ms since epoch>        when the checker sent it, decimal
 * x-dns-failover-sequence:    <integer>               per checker, strictly increasing, decimal, < 2^53
 * x-dns-failover-body-sha256: <64 lowercase hex>      SHA-256 of the exact body octets
 * x-dns-failover-signature:   v2=<64 lowercase hex>   HMAC-SHA256(the checker's key, signing input)
 * ```
 * signing input = `"dns-failover-report-v2\n" + checker + "\n" + timestamp + "\n" + sequence + "\n" +
 * content-length + "\n" + body-sha256 + "\n"`. The signature covers the body through its digest and
 * length, so a node verifies it from the headers alone and reads a body only from a checker it has
 * authenticated; then it checks the body's length and digest.
 *
 * A node refuses, before it reads the body:
 * - 401 a missing or malformed credential header, a checker it holds no key for, a version 1
 *   signature (`v1=`: the checker needs upgrading), or a signature that does not match (compared in
 *   constant time): unauthenticated;
 * - 401 a timestamp more than `maxClockSkewMs` (default 30 s) away from the node's clock, or earlier
 *   than the node's start (a report from before a restart could be a replay);
 * - 409 a sequence equal to the last one accepted from that checker (replayed) or lower (out of
 *   order), a sequence more than `maxClockSkewMs × 1000` above `timestamp × 1000` (a jump that
 *   would lock the checker's later reports out), or a second report of the same checker while one is
 *   being received;
 * - 411 no `content-length`, 413 a body larger than the node takes.
 * Then 401 a body whose length or digest differs from the signed ones; `report.ts` refuses a
 * malformed body with 400, and the node a body whose checkerId differs from the authenticated one
 * with 403.
 *
 * The reference checker numbers its reports `max(previous + 1, now_ms × 1000)`: strictly increasing,
 * within the bound above, and a restarted checker continues above what it sent before without
 * keeping state on disk. A node keeps the last sequence per checker in memory, and refuses every
 * report timestamped before it started: a report captured before a node restart cannot be replayed
 * to it after. (A checker whose clock lags the node's by d has its first reports after a node
 * restart refused for d, and retries.)
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';
import { readFileSync } from 'fs';
import { IncomingHttpHeaders } from 'http';
import * as path from 'path';

/** What an authenticator sees of a request before its body. */
export interface ReportHeaders {
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress?: string;
  /** The node's clock, ms since epoch. */
  readonly now: number;
}

/** What an authenticator sees of one whole request. */
export interface ReportRequest extends ReportHeaders {
  /** The body exactly as received. */
  readonly body: Buffer;
}

/** 401 unauthenticated (also too old, from the future or from before the node started), 403 refused, 409 replayed, out of order or concurrent, 411/413 body length. */
export type ReportRefusalStatus = 401 | 403 | 409 | 411 | 413;

export interface ReportRefusal {
  readonly ok: false;
  readonly status: ReportRefusalStatus;
  readonly reason: string;
}

export type ReportAuthResult =
  /** `checkerId`, when the credentials identify a checker, must match the body's. */
  | { readonly ok: true; readonly checkerId?: string }
  | ReportRefusal;

/** The credentials of a report passed: read its body, then {@link finish}; or {@link release} it. */
export interface ReportAdmission {
  readonly ok: true;
  /** The checker the credentials identify, if any (the body's checkerId must match). */
  readonly checkerId?: string;
  /** The exact number of octets the body has, when the credentials say so. */
  readonly length?: number;
  /** Checks the body against the credentials; on success the report counts as received (its sequence is taken). */
  finish(body: Buffer, now: number): ReportAuthResult;
  /** The body will not be read (the client went away, the node refused it for another reason). */
  release(): void;
}

/** The seam where report authentication plugs in (keys, signature, timestamp, sequence, replay). */
export interface ReportAuthenticator {
  readonly name: string;
  /** Checks the credentials, before the body is read. */
  admit(request: ReportHeaders): ReportAdmission | ReportRefusal;
  /** What the status shows about a checker's credentials (key, last sequence, refusals), if anything. */
  checkerStatus?(checkerId: string, now: number): object | undefined;
}

/** Admission, body and finish in one call (for tests and in-process callers that have the body already). */
export function authenticateReport(authenticator: ReportAuthenticator, request: ReportRequest): ReportAuthResult {
  const admission = authenticator.admit(request);
  if (!admission.ok) return admission;
  return admission.finish(request.body, request.now);
}

const ADMIT_ALL: ReportAdmission = { ok: true, finish: () => ({ ok: true }), release: () => undefined };

/** Accepts every report. Only for in-process use and tests (admin addresses nobody else can reach). */
export const UNAUTHENTICATED_REPORTS: ReportAuthenticator = {
  name: 'none',
  admit: () => ADMIT_ALL,
};

export const REPORT_AUTH_VERSION = 'dns-failover-report-v2';
export const CHECKER_HEADER = 'x-dns-failover-checker';
export const TIMESTAMP_HEADER = 'x-dns-failover-timestamp';
export const SEQUENCE_HEADER = 'x-dns-failover-sequence';
export const BODY_DIGEST_HEADER = 'x-dns-failover-body-sha256';
export const SIGNATURE_HEADER = 'x-dns-failover-signature';

export const MIN_KEY_BYTES = 16;
/** @deprecated use {@link MIN_KEY_BYTES} */
export const MIN_SECRET_BYTES = MIN_KEY_BYTES;
export const DEFAULT_REPORT_CLOCK_SKEW_MS = 30_000;
/** Checkers whose last sequence a node remembers; a new id beyond this is refused. */
export const MAX_TRACKED_CHECKERS = 1024;
/** The largest report body a node reads, unless told otherwise. */
export const DEFAULT_MAX_REPORT_BYTES = 4 * 1024 * 1024;

/** The bundle config's identifier rule for checker ids. */
const CHECKER_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const HEX64 = /^[0-9a-f]{64}$/;
const SIGNATURE = /^v2=([0-9a-f]{64})$/;

/** Why a report was refused; counted per code. */
export type ReportRejection =
  | 'unauthenticated' | 'unknown-checker' | 'old-version' | 'bad-signature' | 'bad-body' | 'stale' | 'future' | 'before-start'
  | 'replayed' | 'out-of-order' | 'sequence-ahead' | 'concurrent' | 'length' | 'too-many-checkers';

function signingInput(checkerId: string, timestamp: number | string, sequence: number | string, length: number | string, digestHex: string): string {
  return `${REPORT_AUTH_VERSION}\n${checkerId}\n${timestamp}\n${sequence}\n${length}\n${digestHex}\n`;
}

function mac(key: Buffer, input: string): Buffer {
  return createHmac('sha256', key).update(input, 'utf8').digest();
}

function checkKey(key: Buffer, where: string): void {
  if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) {
    throw new Error(`${where} has ${Buffer.isBuffer(key) ? key.length : 0} octets; use at least ${MIN_KEY_BYTES} (for example: openssl rand -hex 32 > <key file>)`);
  }
}

/**
 * The credential headers for one report body, signed with the checker's own key. The request must
 * carry the body unchanged and its `content-length` (undici and node:http set it for a Buffer body).
 */
export function signReport(key: Buffer, checkerId: string, body: Buffer, timestamp: number, sequence: number): Record<string, string> {
  checkKey(key, 'the report key');
  if (!CHECKER_ID.test(checkerId)) {
    throw new Error(`checker id '${checkerId}' cannot sign reports; use letters, digits, '.', '_', '/', '-' (at most 128, starting with a letter or digit)`);
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp ${timestamp} is not ms since epoch`);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence ${sequence} is not a whole number below 2^53`);
  const digest = createHash('sha256').update(body).digest('hex');
  return {
    [CHECKER_HEADER]: checkerId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SEQUENCE_HEADER]: String(sequence),
    [BODY_DIGEST_HEADER]: digest,
    [SIGNATURE_HEADER]: `v2=${mac(key, signingInput(checkerId, timestamp, sequence, body.length, digest)).toString('hex')}`,
  };
}

/**
 * Reads a key file: its content, one trailing newline (`\n` or `\r\n`) dropped. Throws naming the
 * file and the fix when it is missing or too short.
 */
export function readKeyFile(file: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read the key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; create it, for example with: openssl rand -hex 32 > ${file}`);
  }
  let end = content.length;
  if (end > 0 && content[end - 1] === 0x0a) end--;
  if (end > 0 && content[end - 1] === 0x0d) end--;
  const key = content.subarray(0, end);
  checkKey(key, `the key file ${file}`);
  return Buffer.from(key);
}

/** @deprecated use {@link readKeyFile} */
export const readSecretFile = readKeyFile;

/** Where a node finds the key of each checker. */
export interface CheckerKeys {
  /** The key of a checker, or undefined when this node has none for it. */
  keyFor(checkerId: string): Buffer | undefined;
}

/** A checker and the file name of its key (the bundle config's `keyName`, or its default). */
export interface CheckerKeyFile {
  readonly checkerId: string;
  readonly keyName: string;
}

/**
 * The keys of a node's checkers in a directory, one file per checker named by its key name
 * (`dns-failover serve --keys-dir`, a systemd credentials directory, a Kubernetes projected volume).
 * {@link load} reads them for a config's checkers and replaces what was held (a reload picks up a new
 * checker or a rotated key); a checker whose file is missing or too short has no key, so its reports
 * are refused, and the problem is returned for the log.
 */
export class CheckerKeyDirectory implements CheckerKeys {
  private keys = new Map<string, Buffer>();

  constructor(readonly directory: string) {}

  load(checkers: readonly CheckerKeyFile[]): { readonly loaded: readonly string[]; readonly problems: readonly string[] } {
    const keys = new Map<string, Buffer>();
    const problems: string[] = [];
    for (const c of checkers) {
      try {
        keys.set(c.checkerId, readKeyFile(path.join(this.directory, c.keyName)));
      } catch (e) {
        problems.push(`checker '${c.checkerId}': ${(e as Error).message}; its reports are refused until the key is there and the node reloads`);
      }
    }
    this.keys = keys;
    return { loaded: [...keys.keys()], problems };
  }

  keyFor(checkerId: string): Buffer | undefined {
    return this.keys.get(checkerId);
  }
}

/** Keys held in memory, by checker id (`dns-failover up`, tests). */
export class StaticCheckerKeys implements CheckerKeys {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: ReadonlyMap<string, Buffer> | Record<string, Buffer>) {
    const map = keys instanceof Map ? keys : new Map(Object.entries(keys));
    for (const [id, key] of map) checkKey(key, `the key of checker '${id}'`);
    this.keys = map;
  }

  keyFor(checkerId: string): Buffer | undefined {
    return this.keys.get(checkerId);
  }
}

export interface CheckerAuthStatus {
  /** Whether this node holds a key for the checker. */
  readonly key: 'loaded' | 'missing';
  /** The last sequence accepted from this checker. */
  readonly lastSequence?: number;
  /** The checker's timestamp on that report (ISO 8601) and its age at the node. */
  readonly lastSentAt?: string;
  readonly lastSentAgeMs?: number;
  readonly accepted: number;
  /** Refusals of reports under this checker's id, by reason. */
  readonly rejected: Readonly<Partial<Record<ReportRejection, number>>>;
  readonly lastRejection?: { readonly reason: string; readonly at: string };
}

interface Tracked {
  sequence?: number;
  timestamp?: number;
  accepted: number;
  /** A report of this checker is being received. */
  receiving: boolean;
  readonly rejected: Partial<Record<ReportRejection, number>>;
  lastRejection?: { readonly reason: string; readonly at: number };
}

export interface HmacReportAuthenticatorOptions {
  /** The key of each checker. Give this or `secret`. */
  readonly keys?: CheckerKeys;
  /**
   * One key for every checker id. Only where every checker runs in the node's own process and nothing
   * else can reach the admin address (the verifier's drill): with it, any holder signs as any checker.
   */
  readonly secret?: Buffer;
  /** A timestamp further than this from the node's clock is refused. @default 30000 */
  readonly maxClockSkewMs?: number;
  /** Reports timestamped before this (ms since epoch) are refused. @default - when the authenticator is created */
  readonly notBefore?: number;
  /** The largest body admitted, in octets. @default 4 MiB */
  readonly maxBodyBytes?: number;
}

/** Verifies the credentials of version 2 (see the file comment); one instance per node. */
export class HmacReportAuthenticator implements ReportAuthenticator {
  readonly name = 'hmac-sha256 per-checker keys (v2)';
  readonly maxClockSkewMs: number;
  readonly notBefore: number;
  readonly maxBodyBytes: number;
  private readonly keys: CheckerKeys;
  private readonly checkers = new Map<string, Tracked>();
  private readonly refusals: Partial<Record<ReportRejection, number>> = {};

  constructor(options: HmacReportAuthenticatorOptions) {
    if ((options.keys === undefined) === (options.secret === undefined)) {
      throw new Error('give the report authenticator either the checkers\' keys (keys) or, for an in-process drill, one secret (secret)');
    }
    if (options.secret !== undefined) {
      checkKey(options.secret, 'the report secret');
      const secret = Buffer.from(options.secret);
      this.keys = { keyFor: () => secret };
    } else {
      this.keys = options.keys!;
    }
    this.maxClockSkewMs = options.maxClockSkewMs ?? DEFAULT_REPORT_CLOCK_SKEW_MS;
    if (!(Number.isFinite(this.maxClockSkewMs) && this.maxClockSkewMs > 0)) {
      throw new RangeError(`maxClockSkewMs ${this.maxClockSkewMs} is not usable; give a positive number of milliseconds (default ${DEFAULT_REPORT_CLOCK_SKEW_MS})`);
    }
    this.notBefore = options.notBefore ?? Date.now();
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_REPORT_BYTES;
  }

  /** Refusals by reason, since the node started (unsigned ones included). */
  get rejections(): Readonly<Partial<Record<ReportRejection, number>>> {
    return { ...this.refusals };
  }

  admit(request: ReportHeaders): ReportAdmission | ReportRefusal {
    const h = request.headers;
    const header = (name: string): string | undefined => {
      const v = h[name];
      return typeof v === 'string' ? v : undefined;
    };
    const checkerId = header(CHECKER_HEADER);
    const timestamp = header(TIMESTAMP_HEADER);
    const sequence = header(SEQUENCE_HEADER);
    const digest = header(BODY_DIGEST_HEADER);
    const signature = header(SIGNATURE_HEADER);
    if (signature !== undefined && signature.startsWith('v1=')) {
      return this.refuse('old-version', 401, 'unauthenticated: the checker signs with report authentication version 1 (one shared secret); upgrade it: version 2 signs with the checker\'s own key and covers the body digest, so that the node authenticates before it reads the body');
    }
    const given = [
      [CHECKER_HEADER, checkerId], [TIMESTAMP_HEADER, timestamp], [SEQUENCE_HEADER, sequence],
      [BODY_DIGEST_HEADER, digest], [SIGNATURE_HEADER, signature],
    ];
    const missing = given
      .filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) {
      return this.refuse('unauthenticated', 401, `unauthenticated: missing ${missing.join(', ')}; checkers sign every report with their own key (HMAC-SHA256, ${REPORT_AUTH_VERSION})`);
    }
    if (!CHECKER_ID.test(checkerId!)) return this.refuse('unauthenticated', 401, `unauthenticated: ${CHECKER_HEADER} '${checkerId!.slice(0, 40)}' is not a checker id`);
    if (!DECIMAL.test(timestamp!)) return this.refuse('unauthenticated', 401, `unauthenticated: ${TIMESTAMP_HEADER} '${timestamp!.slice(0, 40)}' is not ms since epoch (decimal digits)`);
    if (!DECIMAL.test(sequence!) || !Number.isSafeInteger(Number(sequence))) {
      return this.refuse('unauthenticated', 401, `unauthenticated: ${SEQUENCE_HEADER} '${sequence!.slice(0, 40)}' is not a whole number below 2^53`);
    }
    if (!HEX64.test(digest!)) return this.refuse('unauthenticated', 401, `unauthenticated: ${BODY_DIGEST_HEADER} must be 64 lowercase hex digits (the SHA-256 of the body)`);
    const sig = SIGNATURE.exec(signature!);
    if (!sig) return this.refuse('unauthenticated', 401, `unauthenticated: ${SIGNATURE_HEADER} must be 'v2=' and 64 lowercase hex digits`);
    const lengthHeader = header('content-length');
    if (lengthHeader === undefined || !DECIMAL.test(lengthHeader)) {
      return this.refuse('length', 411, 'a signed report needs a content-length (its length is part of the signature); send the body in one piece');
    }
    const length = Number(lengthHeader);
    if (length > this.maxBodyBytes) {
      return this.refuse('length', 413, `a report of ${length} octets is larger than ${this.maxBodyBytes}; send fewer observations per report`);
    }
    const id = checkerId!;
    const key = this.keys.keyFor(id);
    if (key === undefined) {
      return this.refuse('unknown-checker', 401, `unauthenticated: this node has no key for checker '${id}'; give the node the checker's key (the file named by its keyName in --keys-dir) and reload it`);
    }
    const expected = mac(key, signingInput(id, timestamp!, sequence!, length, digest!));
    let tracked = this.checkers.get(id);
    if (!timingSafeEqual(expected, Buffer.from(sig[1], 'hex'))) {
      return this.refuse('bad-signature', 401, `unauthenticated: the signature does not match (checker '${id}'); the checker must sign with its own key, the one this node holds for it, and the request must reach the node unchanged`);
    }

    // From here the checker is authenticated: refusals are counted against it.
    if (!tracked) {
      if (this.checkers.size >= MAX_TRACKED_CHECKERS) {
        return this.refuse('too-many-checkers', 403, `this node already tracks ${MAX_TRACKED_CHECKERS} checker ids; '${id}' is refused (use fewer checker ids)`);
      }
      tracked = { accepted: 0, receiving: false, rejected: {} };
      this.checkers.set(id, tracked);
    }
    const now = request.now;
    const ts = Number(timestamp);
    const seq = Number(sequence);
    if (ts < now - this.maxClockSkewMs) {
      return this.refuse('stale', 401, `report too old: sent at ${new Date(ts).toISOString()}, ${now - ts} ms ago, more than the ${this.maxClockSkewMs} ms allowed; check the checker's clock (NTP) and its path to this node`, tracked, now);
    }
    if (ts > now + this.maxClockSkewMs) {
      return this.refuse('future', 401, `report from the future: sent at ${new Date(ts).toISOString()}, ${ts - now} ms ahead of this node's clock, more than the ${this.maxClockSkewMs} ms allowed; synchronise the clocks (NTP)`, tracked, now);
    }
    if (ts < this.notBefore) {
      return this.refuse('before-start', 401, `report sent at ${new Date(ts).toISOString()}, before this node started (${new Date(this.notBefore).toISOString()}); a report from before a restart could be a replay, so only newer ones count (the checker sends a new one; if this repeats, its clock lags this node's)`, tracked, now);
    }
    if (tracked.sequence !== undefined && seq === tracked.sequence) {
      return this.refuse('replayed', 409, `replayed report: checker '${id}' already sent sequence ${seq}`, tracked, now);
    }
    if (tracked.sequence !== undefined && seq < tracked.sequence) {
      return this.refuse('out-of-order', 409, `out-of-order report: sequence ${seq} from checker '${id}' is below the last accepted ${tracked.sequence}; every report needs a higher sequence than the one before`, tracked, now);
    }
    const lead = this.maxClockSkewMs * 1000;
    if (seq > ts * 1000 + lead) {
      return this.refuse('sequence-ahead', 409, `sequence ${seq} from checker '${id}' runs more than ${lead} ahead of its timestamp × 1000 (${ts * 1000}); a jump like that would lock the checker's later reports out, so it is refused (number reports max(previous + 1, now_ms × 1000))`, tracked, now);
    }
    if (tracked.receiving) {
      return this.refuse('concurrent', 409, `checker '${id}' has another report being received by this node; send one report at a time`, tracked, now);
    }
    tracked.receiving = true;
    const t = tracked;
    let open = true;
    const close = () => {
      if (open) {
        open = false;
        t.receiving = false;
      }
    };
    return {
      ok: true,
      checkerId: id,
      length,
      release: close,
      finish: (body: Buffer, at: number): ReportAuthResult => {
        if (!open) throw new Error('this report admission was already finished or released');
        close();
        if (body.length !== length || !timingSafeEqual(createHash('sha256').update(body).digest(), Buffer.from(digest!, 'hex'))) {
          return this.refuse('bad-body', 401, `unauthenticated: the body (${body.length} octets) is not the one checker '${id}' signed (${length} octets, ${BODY_DIGEST_HEADER}); the request must reach the node unchanged`, t, at);
        }
        // Taken only now: a body that did not arrive, or not intact, does not use up its sequence.
        if (t.sequence !== undefined && seq <= t.sequence) {
          return this.refuse('replayed', 409, `replayed report: checker '${id}' already sent sequence ${t.sequence}`, t, at);
        }
        t.sequence = seq;
        t.timestamp = ts;
        t.accepted++;
        return { ok: true, checkerId: id };
      },
    };
  }

  /** What the node's status shows for a checker: whether it has a key, its last accepted sequence and timestamp, refusals. */
  checkerStatus(checkerId: string, now: number): CheckerAuthStatus {
    const t = this.checkers.get(checkerId);
    const key = this.keys.keyFor(checkerId) !== undefined ? 'loaded' : 'missing';
    if (!t) return { key, accepted: 0, rejected: {} };
    return {
      key,
      ...(t.sequence !== undefined ? { lastSequence: t.sequence } : {}),
      ...(t.timestamp !== undefined ? { lastSentAt: new Date(t.timestamp).toISOString(), lastSentAgeMs: now - t.timestamp } : {}),
      accepted: t.accepted,
      rejected: { ...t.rejected },
      ...(t.lastRejection ? { lastRejection: { reason: t.lastRejection.reason, at: new Date(t.lastRejection.at).toISOString() } } : {}),
    };
  }

  private refuse(code: ReportRejection, status: ReportRefusalStatus, reason: string, tracked?: Tracked, now?: number): ReportRefusal {
    this.refusals[code] = (this.refusals[code] ?? 0) + 1;
    if (tracked) {
      tracked.rejected[code] = (tracked.rejected[code] ?? 0) + 1;
      tracked.lastRejection = { reason, at: now ?? Date.now() };
    }
    return { ok: false, status, reason };
  }
}

/** What a node without keys does: refuse every report, saying how to give it keys. */
export const REFUSE_REPORTS: ReportAuthenticator = {
  name: 'refused (no keys)',
  admit: () => ({
    ok: false,
    status: 403,
    reason: 'this DNS node has no checker keys and refuses every checker report; start it with --keys-dir <dir> holding each checker\'s key (a file named by the checker\'s keyName)',
  }),
};
