/**
 * Pushes a checker's observations to every DNS node (`POST <node>/reports`, body of
 * `lib/protocol/report.ts`, credentials of `lib/protocol/auth.ts`):
 * - on change (a view flipped) and at least once per heartbeat (the shortest check interval), so that
 *   a node always holds fresh reports while the checker runs;
 * - each node on its own link: one request in flight per node, so a slow or dead node never delays
 *   the others; a change that arrives while a request is in flight is sent right after it;
 * - while a node is unreachable or refuses, retries with exponential backoff (doubling from
 *   `initialBackoffMs`, capped at `maxBackoffMs`, with jitter); every retry carries the latest
 *   observations with a new timestamp and sequence (an old request is never re-sent: that would be a
 *   replay);
 * - every request has its own deadline (`requestTimeoutMs`).
 *
 * The body is built once per set of observations and shared by all nodes; only the credential
 * headers differ per request. Many observations are split over several reports (at most 5,000
 * observations or 1 MiB each), sent one after the other.
 */
import { Agent, request } from 'undici';
import { signReport } from '../protocol/auth';
import type { ReportBody, ReportObservation } from '../protocol/report';

export interface PushEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

export interface ReportPusherOptions {
  readonly checkerId: string;
  readonly region: string;
  /** This checker's own report key (the DNS nodes hold it under the checker's key name). */
  readonly secret: Buffer;
  /** Report endpoints, for example `http://127.0.0.1:8053/reports`. */
  readonly urls: readonly string[];
  /** The current observations; an empty list is not sent. */
  readonly observations: () => readonly ReportObservation[];
  /** A cache key: the body is rebuilt when it changes. @default - rebuilt for every push */
  readonly version?: () => number;
  /** Push at least this often (ms). */
  readonly heartbeatMs: number;
  /** @default 5000 */
  readonly requestTimeoutMs?: number;
  /** @default 100 */
  readonly initialBackoffMs?: number;
  /** @default 10000 */
  readonly maxBackoffMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
  readonly log?: (event: PushEvent) => void;
}

export interface NodeLinkStatus {
  readonly url: string;
  /** Consecutive failed pushes (0: the last push was accepted). */
  readonly failures: number;
  readonly lastSuccessAt?: number;
  readonly lastError?: string;
  readonly pushes: number;
}

function noop(): void {}

/** Observations per report at most (a DNS node accepts up to `MAX_OBSERVATIONS`, 10,000). */
export const MAX_OBSERVATIONS_PER_REPORT = 5000;
/** Bytes per report body at most, about (a DNS node accepts up to 4 MiB). */
export const MAX_REPORT_BODY_BYTES = 1024 * 1024;

/** Validates a report endpoint; only http(s) URLs. */
export function parseReportUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`report endpoint '${value}' is not a URL; give one such as http://127.0.0.1:8053/reports`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`report endpoint '${value}' uses ${url.protocol}; use http:// or https:// (for example http://127.0.0.1:8053/reports)`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/reports';
  return url;
}

class NodeLink {
  failures = 0;
  pushes = 0;
  lastSuccessAt?: number;
  lastError?: string;
  private inFlight = false;
  private pending = false;
  private retryTimer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private abort?: AbortController;

  constructor(readonly url: URL, private readonly owner: ReportPusher) {}

  /** Push now, or as soon as the request in flight (or the backoff) allows. */
  kick(): void {
    if (this.owner.stopped) return;
    if (this.inFlight || this.retryTimer) {
      this.pending = true;
      return;
    }
    this.current = this.send();
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.abort?.abort();
    await this.current;
  }

  status(): NodeLinkStatus {
    return {
      url: this.url.href,
      failures: this.failures,
      pushes: this.pushes,
      ...(this.lastSuccessAt !== undefined ? { lastSuccessAt: this.lastSuccessAt } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private async send(): Promise<void> {
    this.pending = false;
    const bodies = this.owner.bodies();
    if (bodies.length === 0) return;
    this.inFlight = true;
    let error: string | undefined;
    // One report after the other (each with its own credentials); the first failure stops the round.
    for (const body of bodies) {
      error = await this.post(body);
      if (error !== undefined || this.owner.stopped) break;
    }
    this.inFlight = false;
    this.pushes++;
    if (this.owner.stopped) return;
    if (error === undefined) {
      if (this.failures > 0) this.owner.log({ event: 'push-recovered', url: this.url.href, after: this.failures });
      this.failures = 0;
      this.lastError = undefined;
      this.lastSuccessAt = this.owner.clock();
      if (this.pending) this.current = this.send();
      return;
    }
    this.failures++;
    this.lastError = error;
    const delay = this.owner.backoff(this.failures);
    this.owner.log({ event: 'push-failed', url: this.url.href, error, failures: this.failures, retryInMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.current = this.send();
    }, delay);
  }

  /** One POST; resolves with the error, or undefined when the node accepted the report. */
  private async post(body: Buffer): Promise<string | undefined> {
    const headers = this.owner.credentials(body);
    const abort = new AbortController();
    this.abort = abort;
    const timeoutMs = this.owner.requestTimeoutMs;
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let error: string | undefined;
    try {
      const res = await request(this.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        dispatcher: this.owner.agent,
        signal: abort.signal,
      });
      const text = await res.body.text().catch(() => '');
      if (res.statusCode < 200 || res.statusCode > 299) {
        let detail = text.slice(0, 500);
        try {
          const parsed = JSON.parse(text) as { error?: unknown };
          if (typeof parsed.error === 'string') detail = parsed.error;
        } catch {
          // not JSON: keep the text
        }
        error = `HTTP ${res.statusCode}: ${detail}`;
      }
    } catch (e) {
      const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
      error = abort.signal.aborted
        ? (this.owner.stopped ? 'checker stopping' : `timed out: ${(abort.signal.reason as Error)?.message ?? ''}`)
        : `${err.code ?? err.cause?.code ?? err.name}: ${err.message}`;
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
    }
    return error;
  }
}

export class ReportPusher {
  readonly agent: Agent;
  readonly requestTimeoutMs: number;
  readonly clock: () => number;
  stopped = false;
  private readonly links: NodeLink[];
  private readonly random: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private heartbeat?: NodeJS.Timeout;
  private sequence = 0;
  private cached?: { version: number; bodies: Buffer[] };

  constructor(private readonly options: ReportPusherOptions) {
    if (options.urls.length === 0) throw new Error('no report endpoint; give at least one DNS node URL such as http://127.0.0.1:8053/reports');
    if (!(options.heartbeatMs >= 10)) throw new RangeError(`heartbeatMs ${options.heartbeatMs} is too short; give 10 ms or more`);
    this.links = options.urls.map((u) => new NodeLink(parseReportUrl(u), this));
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.initialBackoffMs = options.initialBackoffMs ?? 100;
    this.maxBackoffMs = Math.max(this.initialBackoffMs, options.maxBackoffMs ?? 10_000);
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    // Keep-alive connections to the nodes, at most 2 per node: one request in flight per link.
    this.agent = new Agent({ connections: 2, keepAliveTimeout: 10_000, connectTimeout: this.requestTimeoutMs });
  }

  /** Starts the heartbeat (a first push goes out at once, when there is something to say). */
  start(): void {
    if (this.heartbeat || this.stopped) return;
    this.heartbeat = setInterval(() => this.pushAll(), this.options.heartbeatMs);
    this.pushAll();
  }

  /** Something changed: push to every node now (or right after its request in flight). */
  changed(): void {
    this.pushAll();
  }

  status(): NodeLinkStatus[] {
    return this.links.map((l) => l.status());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await Promise.all(this.links.map((l) => l.stop()));
    await this.agent.destroy().catch(noop);
  }

  /** @internal */
  log(event: PushEvent): void {
    this.options.log?.({ ...event, checkerId: this.options.checkerId });
  }

  /**
   * @internal The report bodies for the current observations (none before the first observation):
   * one, or several when there are more than {@link MAX_OBSERVATIONS_PER_REPORT} observations or
   * {@link MAX_REPORT_BODY_BYTES} of them (a DNS node refuses larger reports).
   */
  bodies(): Buffer[] {
    const version = this.options.version?.();
    if (version !== undefined && this.cached?.version === version) return this.cached.bodies;
    const observations = this.options.observations();
    const head: Omit<ReportBody, 'observations'> = { checkerId: this.options.checkerId, region: this.options.region };
    const prefix = JSON.stringify(head).slice(0, -1) + ',"observations":[';
    const bodies: Buffer[] = [];
    let parts: string[] = [];
    let size = prefix.length + 2;
    const flush = () => {
      if (parts.length > 0) bodies.push(Buffer.from(`${prefix}${parts.join(',')}]}`, 'utf8'));
      parts = [];
      size = prefix.length + 2;
    };
    for (const o of observations) {
      const json = JSON.stringify(o);
      if (parts.length >= MAX_OBSERVATIONS_PER_REPORT || (parts.length > 0 && size + json.length + 1 > MAX_REPORT_BODY_BYTES)) flush();
      parts.push(json);
      size += json.length + 1;
    }
    flush();
    if (version !== undefined) this.cached = { version, bodies };
    return bodies;
  }

  /** @internal Fresh credentials: a new timestamp and the next sequence. */
  credentials(body: Buffer): Record<string, string> {
    const now = this.clock();
    this.sequence = Math.max(this.sequence + 1, now * 1000);
    return signReport(this.options.secret, this.options.checkerId, body, now, this.sequence);
  }

  /** @internal Delay before retry number `failures` (1, 2, ...): doubling, capped, 50..100 % jitter. */
  backoff(failures: number): number {
    const base = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(failures - 1, 30));
    return Math.round(base * (0.5 + this.random() * 0.5));
  }

  private pushAll(): void {
    for (const l of this.links) l.kick();
  }
}
