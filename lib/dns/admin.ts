/**
 * The admin HTTP API of a DNS node, on its own address:
 * - `GET /`: the status page, `/status` drawn for a person (`status-page.ts`);
 * - `GET /healthz`: liveness (200 while the process serves);
 * - `GET /status`: zones, groups with each member's verdict and answer share, health checks with
 *   every checker's latest report and the verdict, checkers, recent verdict changes, last reload (JSON);
 * - `GET /metrics`: Prometheus text format;
 * - `POST /reload`: re-read the config file (422 with the reasons when it is refused);
 * - `POST /reports`: checker reports (the report protocol, `lib/protocol`).
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { BoundAddress } from './server';
import { BundleProblem } from '../bundle';
import { ReportRequest } from '../protocol';
import { statusPage } from './status-page';

/** Reports larger than this are refused with 413. */
export const MAX_REPORT_BYTES = 4 * 1024 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body, null, 2) + '\n' : String(body);
  res.writeHead(status, { 'content-type': contentType === 'application/json' ? 'application/json; charset=utf-8' : contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const ROUTES: Record<string, readonly string[]> = {
  '/': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
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
  reload(): ReloadResult;
  /** `POST /reports`: authenticate, parse and store one checker report. */
  acceptReport(request: Omit<ReportRequest, 'now'>): ReportResult;
}

export class AdminServer {
  private readonly server: http.Server;
  private bound?: BoundAddress;

  constructor(private readonly node: AdminBackend) {
    this.server = http.createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (e) {
        if (!res.headersSent) send(res, 500, { error: `internal error: ${(e as Error).message}` });
        else res.destroy();
      }
    });
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 10000;
    this.server.requestTimeout = 30000;
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
    switch (path) {
      case '/':
        send(res, 200, statusPage(), 'text/html; charset=utf-8');
        return;
      case '/healthz':
        send(res, 200, { status: 'ok' });
        return;
      case '/status':
        send(res, 200, this.node.status());
        return;
      case '/metrics':
        send(res, 200, this.node.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
        return;
      case '/reload': {
        req.resume();
        const result = this.node.reload();
        send(res, result.ok ? 200 : 422, result.ok
          ? { ok: true, at: new Date(result.at).toISOString(), warnings: result.warnings ?? [] }
          : { ok: false, at: new Date(result.at).toISOString(), error: result.error, problems: result.problems ?? [], serving: 'the previous config' });
        return;
      }
      case '/reports':
        this.reports(req, res);
        return;
    }
  }

  private reports(req: http.IncomingMessage, res: http.ServerResponse): void {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) {
      req.resume();
      send(res, 415, { error: `content-type '${type}' is not accepted; send the report as application/json` });
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_REPORT_BYTES) {
      send(res, 413, { error: `a report of ${declared} octets is larger than ${MAX_REPORT_BYTES}; send fewer observations per report` });
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REPORT_BYTES && !refused) {
        refused = true;
        send(res, 413, { error: `the report is larger than ${MAX_REPORT_BYTES} octets; send fewer observations per report` });
        req.destroy();
        return;
      }
      if (!refused) chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      try {
        const result = this.node.acceptReport({ headers: req.headers, body: Buffer.concat(chunks), remoteAddress: req.socket.remoteAddress });
        send(res, result.status, result.body);
      } catch (e) {
        send(res, 500, { error: `internal error: ${(e as Error).message}` });
      }
    });
    req.on('error', () => undefined);
  }
}
