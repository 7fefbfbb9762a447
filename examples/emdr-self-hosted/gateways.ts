/**
 * Local stand-ins for the EMDR gateways: plain HTTP servers on loopback addresses (127.0.0.x: Linux
 * routes all of 127.0.0.0/8 to the loopback interface) that answer `GET /status` with 200, and can be
 * killed (connections refused, as when a machine or its ISP goes away) and brought back.
 */
import * as http from 'http';

export class LocalGateway {
  private server?: http.Server;
  /** Requests answered since start. */
  public requests = 0;

  constructor(
    /** The loopback address, for example 127.0.0.11. */
    public readonly host: string,
    public port: number,
    public readonly name: string,
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts answering on host:port (port 0 picks a free one, then `port` holds it). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.requests++;
      const ok = req.url === '/status';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(ok ? `${this.name} OK\n` : 'not found\n');
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops at once: the listener closes and open connections are cut, so probes are refused. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/**
 * Two gateways on two loopback addresses and one port (the health checks of a gateway share their
 * port): a free port is picked on the first address and taken on the second, retrying if it is busy there.
 */
export async function startGatewayPair(hostA = '127.0.0.11', hostB = '127.0.0.12'): Promise<[LocalGateway, LocalGateway]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = new LocalGateway(hostA, 0, 'gw-isp-a');
    await a.start();
    const b = new LocalGateway(hostB, a.port, 'gw-isp-b');
    try {
      await b.start();
      return [a, b];
    } catch (e) {
      await a.kill();
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`no port was free on both ${hostA} and ${hostB} after 20 attempts; free some ports and try again`);
}
