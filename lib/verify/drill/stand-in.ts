/**
 * A stand-in endpoint: a plain HTTP server on a loopback address (Linux routes all of 127.0.0.0/8 to
 * the loopback interface) that answers health checks like a working endpoint and can be stopped
 * (connections refused, as when a machine or its ISP goes away) and started again on the same
 * address and port. The drill runs one per member; the demo runs its two gateways with it.
 */
import * as http from 'http';
import { Socket } from 'net';

export interface StandInOptions {
  /** The loopback address, for example 127.0.0.11. */
  readonly host: string;
  /** The port; 0 picks a free one on the first start. @default 0 */
  readonly port?: number;
  /** A name for messages (the member or gateway it stands in for). @default the address */
  readonly name?: string;
  /** The body of a healthy answer (a check's search strings must be in it). @default `<name> OK` */
  readonly body?: string;
  /** Only this path answers 200, others 404. @default - every path answers 200 */
  readonly path?: string;
}

export class StandInEndpoint {
  readonly host: string;
  readonly name: string;
  /** The port it listens on (picked on the first start when 0). */
  port: number;
  /** Requests answered since it was created. */
  requests = 0;
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly body: string;
  private readonly path?: string;

  constructor(options: StandInOptions) {
    this.host = options.host;
    this.port = options.port ?? 0;
    this.name = options.name ?? options.host;
    this.body = options.body ?? `${this.name} OK\n`;
    this.path = options.path;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** `host:port`, for messages. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Starts answering on host:port (port 0 picks a free one, then `port` holds it). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.requests++;
      const ok = this.path === undefined || (req.url ?? '/').split('?')[0] === this.path;
      res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain', 'connection': 'close' });
      res.end(ok ? this.body : 'not found\n');
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops at once: the listener closes and open connections are cut, so probes are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
