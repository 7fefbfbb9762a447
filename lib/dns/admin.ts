/**
 * The admin API of a DNS node, on its own address:
 * - `GET /`: the status page, `/status` drawn for a person (`status-page.ts`);
 * - `GET /healthz`: liveness: 200 when the node answers a real DNS query over UDP and over TCP on its
 *   own DNS address (so a node whose listeners broke is restarted), 503 with the reason otherwise;
 * - `GET /readyz`: readiness: alive, and every checker has reported since the start (or the
 *   freshness window has passed), so a restarted node takes queries only once it has verdicts;
 * - `GET /status`: zones, groups with each member's verdict and answer share, health checks with
 *   every checker's latest report and the verdict, checkers, recent verdict changes, last reload (JSON);
 * - `GET /metrics`: Prometheus text format;
 * - `POST /reload`: re-read the config file (422 with the reasons when it is refused);
 * - `POST /reports`: checker reports (the report protocol, `lib/protocol`).
 *
 * Who may do what:
 * - `/healthz`, `/readyz` and `/metrics` answer everyone (counters and verdicts, no addresses, no credentials);
 * - `/`, `/status` and `/reload` answer loopback clients (the machine itself, `kubectl port-forward`)
 *   and clients with the admin token (`authorization: Bearer <token>`, `--admin-token-file`); others
 *   get 403: the status names every endpoint and the state of every checker's credentials;
 * - `/reports` takes reports from checkers: the credential headers are checked before any of the
 *   body is read (a refused request's body is never buffered), at most `maxConcurrentReports` bodies
 *   are read at once (503 beyond), each at most `maxReportBytes`.
 */
import { timingSafeEqual, createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo, isIP } from 'net';
import { BoundAddress } from './server';
import { BundleProblem } from '../bundle';
import { DEFAULT_MAX_REPORT_BYTES } from '../protocol';
import { statusPage } from './status-page';

/** Reports larger than this are refused with 413. */
export const MAX_REPORT_BYTES = DEFAULT_MAX_REPORT_BYTES;
/** Report bodies read at once, at most, unless told otherwise. */
export const DEFAULT_MAX_CONCURRENT_REPORTS = 8;
/** Admin connections at most, unless told otherwise. */
export const DEFAULT_MAX_ADMIN_CONNECTIONS = 256;
/** How long a refused request's body may keep arriving (and be dropped) after the answer before its connection is closed. */
const LINGER_MS = 1000;

/** Whether an address is the machine itself (127.0.0.0/8, ::1, IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(a) === 4 ? a.startsWith('127.') : a === '::1';
}

function send(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body, null, 2) + '\n' : String(body);
  res.writeHead(status, { 'content-type': contentType === 'application/json' ? 'application/json; charset=utf-8' : contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const ROUTES: Record<string, readonly string[]> = {
  '/': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
  '/status': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/reload': ['POST'],
  '/reports': ['POST'],
};

/** What a reload did. */
export interface ReloadResult {
  readonly ok: boolean;
  readonly at: number;
  /** One message naming every problem, when the reload was refused. */
  readonly error?: string;
  readonly problems?: readonly BundleProblem[];
  readonly warnings?: readonly BundleProblem[];
}

/** The answer to one `POST /reports`. */
export interface ReportResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A report whose credentials passed: the admin API reads its body, then calls `accept` (or `release`). */
export interface ReportIntake {
  /** The exact length of the body, when the credentials fix it. */
  readonly length?: number;
  accept(body: Buffer): ReportResult;
  /** The body will not arrive (the client went away, it was too long). */
  release(): void;
}

/** A request for `GET /healthz`: the answer of a real DNS query to the node's own listeners. */
export interface LivenessResult {
  readonly ok: boolean;
  readonly detail: Record<string, unknown>;
}

/**
 * What the admin API needs of a DNS node, and all it reaches the node through (the node implements
 * it; the admin API never imports the node).
 */
export interface AdminBackend {
  /** The Prometheus text of `GET /metrics`. */
  readonly metrics: { render(): string };
  /** Everything `GET /status` shows. */
  status(): Record<string, unknown>;
  /** `POST /reload`: re-read the config; a bad one is refused and the old one keeps serving. */
  reload(): ReloadResult | Promise<ReloadResult>;
  /** `POST /reports`, before the body: check the credentials; a refusal is answered without reading the body. */
  admitReport(request: { readonly headers: http.IncomingHttpHeaders; readonly remoteAddress?: string }): ReportResult | ReportIntake;
  /** `GET /healthz`. @default - 200 while the process serves HTTP */
  liveness?(): Promise<LivenessResult>;
  /** `GET /readyz`. @default - as /healthz */
  readiness?(): Promise<LivenessResult>;
}

export interface AdminServerOptions {
  /** Lets a client that sends `authorization: Bearer <token>` see the status and reload, from any address. @default - loopback clients only */
  readonly token?: Buffer;
  /**
   * Whether loopback clients see the status and reload without the token. Turn it off when a proxy on
   * this machine forwards other machines' requests (they would all look like loopback).
   * @default true
   */
  readonly trustLoopback?: boolean;
  /** Report bodies read at once, at most (503 beyond). @default 8 */
  readonly maxConcurrentReports?: number;
  /** Connections at most. @default 256 */
  readonly maxConnections?: number;
  /** The largest report body, in octets (413 beyond). @default 4 MiB */
  readonly maxReportBytes?: number;
}

export class AdminServer {
  private readonly server: http.Server;
  private bound?: BoundAddress;
  private bodies = 0;
  private readonly maxConcurrentReports: number;
  private readonly maxReportBytes: number;
  private readonly tokenDigest?: Buffer;
  private readonly trustLoopback: boolean;

  constructor(private readonly node: AdminBackend, options: AdminServerOptions = {}) {
    this.maxConcurrentReports = options.maxConcurrentReports ?? DEFAULT_MAX_CONCURRENT_REPORTS;
    this.maxReportBytes = options.maxReportBytes ?? MAX_REPORT_BYTES;
    if (!(Number.isInteger(this.maxConcurrentReports) && this.maxConcurrentReports >= 1)) {
      throw new RangeError(`maxConcurrentReports ${this.maxConcurrentReports} is not usable; give a whole number, 1 or more (default ${DEFAULT_MAX_CONCURRENT_REPORTS})`);
    }
    if (options.token !== undefined && options.token.length < 16) {
      throw new Error(`the admin token has ${options.token.length} octets; use at least 16 (for example: openssl rand -hex 32 > admin.token)`);
    }
    this.tokenDigest = options.token !== undefined ? createHash('sha256').update(options.token).digest() : undefined;
    this.trustLoopback = options.trustLoopback ?? true;
    this.server = http.createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (e) {
        if (!res.headersSent) send(res, 500, { error: `internal error: ${(e as Error).message}` });
        else res.destroy();
      }
    });
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 5000;
    this.server.requestTimeout = 10000;
    this.server.maxHeadersCount = 64;
    this.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_ADMIN_CONNECTIONS;
  }

  /** Report bodies being read now. */
  get reportBodiesInFlight(): number {
    return this.bodies;
  }

  get address(): BoundAddress {
    if (!this.bound) throw new Error('the admin API is not listening');
    return this.bound;
  }

  listen(host: string, port: number): Promise<BoundAddress> {
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`cannot listen for the admin API on ${host}:${port}: ${e.message}`));
      this.server.once('error', fail);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', fail);
        const a = this.server.address() as AddressInfo;
        this.bound = { host, port: a.port };
        resolve(this.bound);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const methods = ROUTES[path];
    if (!methods) {
      send(res, 404, { error: `no such endpoint '${path}'; the admin API has ${Object.keys(ROUTES).join(', ')}` });
      return;
    }
    const method = req.method ?? 'GET';
    if (!methods.includes(method)) {
      res.setHeader('allow', methods.join(', '));
      send(res, 405, { error: `${method} is not allowed on ${path}; use ${methods.join(' or ')}` });
      return;
    }
    if ((path === '/' || path === '/status' || path === '/reload') && !this.privileged(req)) {
      req.resume();
      send(res, 403, {
        error: `${path} answers loopback clients and holders of the admin token only (it ${path === '/reload' ? 're-reads the config' : 'names every endpoint and the state of every checker\'s credentials'}); `
          + 'use it on the machine (or through kubectl port-forward), or send authorization: Bearer <token> with the node\'s --admin-token-file; /healthz and /metrics answer everyone',
      });
      return;
    }
    switch (path) {
      case '/':
        send(res, 200, statusPage(), 'text/html; charset=utf-8');
        return;
      case '/healthz':
        this.probe(res, this.node.liveness?.bind(this.node));
        return;
      case '/readyz':
        this.probe(res, (this.node.readiness ?? this.node.liveness)?.bind(this.node));
        return;
      case '/status':
        send(res, 200, this.node.status());
        return;
      case '/metrics':
        send(res, 200, this.node.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
        return;
      case '/reload': {
        req.resume();
        const answer = (result: ReloadResult) => send(res, result.ok ? 200 : 422, result.ok
          ? { ok: true, at: new Date(result.at).toISOString(), warnings: result.warnings ?? [] }
          : { ok: false, at: new Date(result.at).toISOString(), error: result.error, problems: result.problems ?? [], serving: 'the previous config' });
        Promise.resolve(this.node.reload()).then(answer, (e) => send(res, 500, { error: `internal error: ${(e as Error).message}` }));
        return;
      }
      case '/reports':
        this.reports(req, res);
        return;
    }
  }

  /** A loopback client, or one with the admin token. */
  private privileged(req: http.IncomingMessage): boolean {
    if (this.trustLoopback && isLoopbackAddress(req.socket.remoteAddress)) return true;
    if (this.tokenDigest === undefined) return false;
    const m = /^Bearer (\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m) return false;
    return timingSafeEqual(createHash('sha256').update(m[1], 'utf8').digest(), this.tokenDigest);
  }

  private probe(res: http.ServerResponse, check: (() => Promise<LivenessResult>) | undefined): void {
    if (!check) {
      send(res, 200, { status: 'ok' });
      return;
    }
    check().then(
      (r) => send(res, r.ok ? 200 : 503, { status: r.ok ? 'ok' : 'failing', ...r.detail }),
      (e) => send(res, 503, { status: 'failing', error: (e as Error).message }),
    );
  }

  /**
   * Answers a report request without keeping its body: whatever of it arrives is dropped as it comes
   * (never buffered). Closing at once would reset a connection the client is still writing to, and
   * a reset throws away the answer on the client's side; so the connection is closed only when the
   * rest of the body has not arrived {@link LINGER_MS} after the answer.
   */
  private refuse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    req.resume();
    res.once('finish', () => {
      if (req.complete) return;
      const socket = req.socket;
      const timer = setTimeout(() => socket.destroy(), LINGER_MS);
      timer.unref();
      req.once('end', () => clearTimeout(timer));
    });
    send(res, status, body);
  }

  private reports(req: http.IncomingMessage, res: http.ServerResponse): void {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) {
      this.refuse(req, res, 415, { error: `content-type '${type}' is not accepted; send the report as application/json` });
      return;
    }
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    if (declared !== undefined && declared > this.maxReportBytes) {
      this.refuse(req, res, 413, { error: `a report of ${declared} octets is larger than ${this.maxReportBytes}; send fewer observations per report` });
      return;
    }
    if (this.bodies >= this.maxConcurrentReports) {
      this.refuse(req, res, 503, { error: `this node is reading ${this.bodies} reports already (at most ${this.maxConcurrentReports} at once); retry shortly` }, { 'retry-after': '1' });
      return;
    }
    let admitted: ReportResult | ReportIntake;
    try {
      admitted = this.node.admitReport({ headers: req.headers, remoteAddress: req.socket.remoteAddress });
    } catch (e) {
      this.refuse(req, res, 500, { error: `internal error: ${(e as Error).message}` });
      return;
    }
    if (!('accept' in admitted)) {
      this.refuse(req, res, admitted.status, admitted.body);
      return;
    }
    const intake = admitted;
    const limit = Math.min(this.maxReportBytes, intake.length ?? this.maxReportBytes);
    this.bodies++;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      this.bodies--;
      return true;
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        finish();
        intake.release();
        const what = intake.length !== undefined ? `longer than the ${intake.length} octets it was signed with` : `larger than ${this.maxReportBytes} octets; send fewer observations per report`;
        this.refuse(req, res, 413, { error: `the report is ${what}` });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!finish()) return;
      try {
        const result = intake.accept(Buffer.concat(chunks, size));
        send(res, result.status, result.body);
      } catch (e) {
        send(res, 500, { error: `internal error: ${(e as Error).message}` });
      }
    });
    // The client went away (or the request timed out) before the whole body arrived.
    req.on('close', () => {
      if (finish()) intake.release();
    });
    req.on('error', () => undefined);
  }
}
