/**
 * The DNS listeners: one UDP socket and one TCP server on the same address and port.
 *
 * TCP (RFC 1035 §4.2.2, RFC 7766): two-octet length-prefixed messages, several per connection,
 * answered in order as they arrive (pipelined); a connection idle for `tcpIdleTimeoutMs` is closed;
 * a frame too short to hold a header closes the connection; reading pauses while the client does not
 * read its answers.
 */
import * as dgram from 'dgram';
import { lookup as dnsLookup } from 'dns';
import * as net from 'net';
import { performance } from 'perf_hooks';
import { DnsMetrics, Transport } from './metrics';
import { Responder } from './responder';

export interface DnsListenOptions {
  /** An IPv4 or IPv6 address. */
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  /** @default 10000 */
  readonly tcpIdleTimeoutMs?: number;
  /** @default 1024 */
  readonly maxTcpConnections?: number;
  /**
   * SO_RCVBUF of the UDP socket, so that a burst of queries waits in the kernel rather than being
   * dropped while the event loop is busy (the kernel caps it at net.core.rmem_max).
   * @default 1 MiB
   */
  readonly udpReceiveBufferSize?: number;
}

export const DEFAULT_UDP_RECEIVE_BUFFER_SIZE = 1 << 20;

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000;

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(a: BoundAddress): string {
  return net.isIPv6(a.host) ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * dgram resolves the destination of every send with `lookup`; the default (dns.lookup) answers an IP
 * literal one tick later. Every destination here is the source address of a query, so answer at
 * once; anything else (a host name given to bind) goes to dns.lookup.
 */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  const kind = net.isIP(address);
  if (kind !== 0) callback(null, address, kind);
  else dnsLookup(address, family as number, callback as never);
}

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private bound?: BoundAddress;

  constructor(
    private readonly responder: Responder,
    private readonly metrics: DnsMetrics,
    private readonly options: DnsListenOptions,
    /** Called with an unexpected socket error (the server keeps running). */
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  get address(): BoundAddress {
    if (!this.bound) throw new Error('the DNS server is not listening; call listen() first');
    return this.bound;
  }

  /** Binds UDP, then TCP on the same port (retrying when a free UDP port is taken on TCP). */
  async listen(): Promise<BoundAddress> {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      const udp = await this.bindUdp(this.options.port);
      const port = udp.address().port;
      try {
        this.tcp = await this.listenTcp(port);
        this.udp = udp;
        this.bound = { host: this.options.host, port };
        return this.bound;
      } catch (e) {
        lastError = e as Error;
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        if (this.options.port !== 0) break;
      }
    }
    throw new Error(`cannot listen for DNS over TCP on ${formatHostPort({ host: this.options.host, port: this.options.port })}: ${lastError?.message}`);
  }

  private bindUdp(port: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: net.isIPv6(this.options.host) ? 'udp6' : 'udp4', lookup: literalLookup });
      const fail = (e: Error) => reject(new Error(`cannot listen for DNS over UDP on ${formatHostPort({ host: this.options.host, port })}: ${e.message}`));
      socket.once('error', fail);
      socket.bind(port, this.options.host, () => {
        socket.off('error', fail);
        socket.on('error', (e) => this.onError(e));
        try {
          socket.setRecvBufferSize(this.options.udpReceiveBufferSize ?? DEFAULT_UDP_RECEIVE_BUFFER_SIZE);
        } catch (e) {
          this.onError(new Error(`cannot set the UDP receive buffer size: ${(e as Error).message}`));
        }
        this.attachUdp(socket);
        resolve(socket);
      });
    });
  }

  private attachUdp(socket: dgram.Socket): void {
    const responder = this.responder;
    const metrics = this.metrics;
    socket.on('message', (msg, rinfo) => {
      const t0 = performance.now();
      const out = responder.answer(msg, msg.length, Transport.UDP);
      if (out !== undefined) {
        socket.send(out, rinfo.port, rinfo.address);
        metrics.observe((performance.now() - t0) / 1000);
      }
    });
  }

  private listenTcp(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onConnection(socket));
      server.maxConnections = this.options.maxTcpConnections ?? 1024;
      server.once('error', reject);
      // Not exclusive: in a `cluster` worker the listening socket is then shared with the other workers.
      server.listen({ host: this.options.host, port }, () => {
        server.off('error', reject);
        server.on('error', (e) => this.onError(e));
        resolve(server);
      });
    });
  }

  private onConnection(socket: net.Socket): void {
    this.metrics.tcpConnections++;
    this.connections.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => undefined); // resets and timeouts end the connection; nothing to report
    socket.on('close', () => this.connections.delete(socket));
    socket.on('drain', () => socket.resume());
    let pending: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let p = 0;
      while (buf.length - p >= 2) {
        const len = (buf[p] << 8) | buf[p + 1];
        if (buf.length - p - 2 < len) break;
        const t0 = performance.now();
        const out = this.responder.answer(buf.subarray(p + 2, p + 2 + len), len, Transport.TCP);
        p += 2 + len;
        if (out === undefined) {
          if (len < 12) {
            socket.destroy(); // not even a header: the stream cannot be trusted any more
            return;
          }
          continue;
        }
        const frame = Buffer.allocUnsafe(2 + out.length);
        frame[0] = out.length >> 8;
        frame[1] = out.length & 0xff;
        out.copy(frame, 2);
        if (!socket.write(frame)) socket.pause();
        this.metrics.observe((performance.now() - t0) / 1000);
      }
      pending = p < buf.length ? Buffer.from(buf.subarray(p)) : undefined;
    });
  }

  /** Stops listening and closes every open TCP connection. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.connections) c.destroy();
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }
}
