/**
 * The DNS listeners: one UDP socket and one TCP server on the same address and port.
 *
 * TCP (RFC 1035 §4.2.2, RFC 7766): two-octet length-prefixed messages, several per connection,
 * answered in order as they arrive (pipelined). Limits that keep one host (or many) from denying TCP
 * to everyone else, as NSD and Knot have them:
 * - at most `maxTcpConnections` connections, and `maxTcpConnectionsPerClient` from one address; a
 *   connection over the per-client limit is closed at once; when all slots are taken, the
 *   connection idle the longest (between messages, nothing to send) makes room for the new one;
 * - `tcpIoTimeoutMs` (Knot's tcp-io-timeout): a message whose first octet has arrived must be
 *   complete within it, and an answer the client does not read must leave within it: a byte now and
 *   then does not keep a connection open;
 * - `tcpIdleTimeoutMs`: a connection with no message for that long is closed;
 * - output backpressure: while more than `maxTcpOutputBytes` of answers wait for the client to read
 *   them, no further message is read or answered (so memory per connection stays bounded however many
 *   queries the client pipelines without reading);
 * - a frame too short to hold a header closes the connection.
 * UDP answers can be rate limited per client netblock (`rrl.ts`, off by default).
 */
import * as dgram from 'dgram';
import { lookup as dnsLookup } from 'dns';
import * as net from 'net';
import { performance } from 'perf_hooks';
import { DnsMetrics, Transport } from './metrics';
import { Responder } from './responder';
import { ResponseRateLimiter, RrlAction, RrlOptions, truncatedResponse } from './rrl';
import { encodeMessage, Rcode, RCODE_NAMES, RRType } from './wire';

export interface DnsListenOptions {
  /** An IPv4 or IPv6 address. */
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  /** A connection without a message for this long is closed. @default 10000 */
  readonly tcpIdleTimeoutMs?: number;
  /** A started message must be complete, and waiting output read, within this. @default 2000 */
  readonly tcpIoTimeoutMs?: number;
  /** @default 1024 */
  readonly maxTcpConnections?: number;
  /** Connections from one address at most. @default 64 */
  readonly maxTcpConnectionsPerClient?: number;
  /** Answers waiting for the client to read them, in octets, before reading stops. @default 65536 */
  readonly maxTcpOutputBytes?: number;
  /** Response rate limiting for UDP. @default - off */
  readonly rrl?: RrlOptions;
  /**
   * SO_RCVBUF of the UDP socket, so that a burst of queries waits in the kernel rather than being
   * dropped while the event loop is busy (the kernel caps it at net.core.rmem_max).
   * @default 1 MiB
   */
  readonly udpReceiveBufferSize?: number;
}

export const DEFAULT_TCP_IO_TIMEOUT_MS = 2000;
export const DEFAULT_MAX_TCP_CONNECTIONS = 1024;
export const DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT = 64;
export const DEFAULT_MAX_TCP_OUTPUT_BYTES = 64 * 1024;

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

/** One TCP connection's state. */
interface TcpConnection {
  readonly socket: net.Socket;
  readonly client: string;
  /** Octets of a message not yet complete. */
  pending?: Buffer;
  /** When the first octet of the incomplete message arrived. */
  partialSince: number;
  /** When answers started waiting for the client to read them (reading paused), or 0. */
  blockedSince: number;
  /** When the last complete message arrived (or the connection opened). */
  lastMessageAt: number;
  timer?: NodeJS.Timeout;
  timerAt: number;
}

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  /** Open connections, least recently active first. */
  private readonly connections = new Map<net.Socket, TcpConnection>();
  private readonly perClient = new Map<string, number>();
  private bound?: BoundAddress;
  private readonly ioTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxPerClient: number;
  private readonly maxOutput: number;
  private readonly rrl?: ResponseRateLimiter;

  constructor(
    private readonly responder: Responder,
    private readonly metrics: DnsMetrics,
    private readonly options: DnsListenOptions,
    /** Called with an unexpected socket error (the server keeps running). */
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.ioTimeoutMs = options.tcpIoTimeoutMs ?? DEFAULT_TCP_IO_TIMEOUT_MS;
    this.idleTimeoutMs = options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS;
    this.maxConnections = options.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS;
    this.maxPerClient = options.maxTcpConnectionsPerClient ?? DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT;
    this.maxOutput = options.maxTcpOutputBytes ?? DEFAULT_MAX_TCP_OUTPUT_BYTES;
    const whole = (v: number, what: string, min: number) => {
      if (!(Number.isInteger(v) && v >= min)) throw new RangeError(`${what} ${v} is not usable; give a whole number, ${min} or more`);
    };
    whole(this.ioTimeoutMs, 'tcpIoTimeoutMs', 1);
    whole(this.idleTimeoutMs, 'tcpIdleTimeoutMs', 1);
    whole(this.maxConnections, 'maxTcpConnections', 1);
    whole(this.maxPerClient, 'maxTcpConnectionsPerClient', 1);
    whole(this.maxOutput, 'maxTcpOutputBytes', 512);
    if (options.rrl && options.rrl.responsesPerSecond > 0) this.rrl = new ResponseRateLimiter(options.rrl);
    metrics.tcpOpen = () => this.connections.size;
  }

  /** TCP connections open now. */
  get tcpConnectionsOpen(): number {
    return this.connections.size;
  }

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
    const rrl = this.rrl;
    socket.on('message', (msg, rinfo) => {
      const t0 = performance.now();
      let out = responder.answer(msg, msg.length, Transport.UDP, rinfo.address);
      if (out === undefined) return;
      if (rrl) {
        const kind = responder.lastKind;
        const what = kind === 0 ? `a|${responder.lastName}|${responder.lastType}` : kind === 1 ? `nx|${responder.lastName}` : 'err';
        const action = rrl.decide(rinfo.address, what, Date.now());
        if (action === RrlAction.Drop) {
          metrics.rrl('dropped');
          return;
        }
        if (action === RrlAction.Slip) {
          metrics.rrl('slipped');
          out = truncatedResponse(out, responder.lastQuestionEnd);
        }
      }
      socket.send(out, rinfo.port, rinfo.address);
      metrics.observe((performance.now() - t0) / 1000);
    });
  }

  private listenTcp(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onConnection(socket));
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
    socket.on('error', () => undefined); // resets and timeouts end the connection; nothing to report
    const client = socket.remoteAddress ?? '';
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.maxPerClient) {
      this.metrics.tcpRefused('per-client-limit');
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections && !this.evictIdlest()) {
      this.metrics.tcpRefused('full');
      socket.destroy();
      return;
    }
    this.metrics.tcpConnections++;
    this.perClient.set(client, mine + 1);
    const now = performance.now();
    const c: TcpConnection = { socket, client, partialSince: 0, blockedSince: 0, lastMessageAt: now, timerAt: 0 };
    this.connections.set(socket, c);
    socket.setNoDelay(true);
    socket.on('close', () => {
      if (c.timer) clearTimeout(c.timer);
      if (this.connections.delete(socket)) {
        const n = (this.perClient.get(client) ?? 1) - 1;
        if (n > 0) this.perClient.set(client, n);
        else this.perClient.delete(client);
      }
    });
    socket.on('drain', () => {
      if (c.blockedSince === 0) return;
      c.blockedSince = 0;
      socket.resume();
      this.process(c, undefined);
    });
    socket.on('data', (chunk: Buffer) => this.process(c, chunk));
    this.arm(c);
  }

  /** Closes the connection idle the longest (no partial message, nothing to send); false when none is. */
  private evictIdlest(): boolean {
    for (const c of this.connections.values()) {
      if (c.pending === undefined && c.blockedSince === 0 && c.socket.writableLength === 0) {
        this.metrics.tcpClosed('evicted');
        this.connections.delete(c.socket); // its slot is free now; 'close' comes later
        const n = (this.perClient.get(c.client) ?? 1) - 1;
        if (n > 0) this.perClient.set(c.client, n);
        else this.perClient.delete(c.client);
        c.socket.destroy();
        return true;
      }
    }
    return false;
  }

  /** Answers every complete message, until the client has too much unread output. */
  private process(c: TcpConnection, chunk: Buffer | undefined): void {
    const socket = c.socket;
    let buf: Buffer;
    if (chunk === undefined) {
      if (c.pending === undefined) {
        this.arm(c);
        return;
      }
      buf = c.pending;
    } else {
      buf = c.pending ? Buffer.concat([c.pending, chunk]) : chunk;
    }
    const hadPartial = c.pending !== undefined;
    let p = 0;
    let answered = false;
    while (buf.length - p >= 2) {
      const len = (buf[p] << 8) | buf[p + 1];
      if (buf.length - p - 2 < len) break;
      const t0 = performance.now();
      const out = this.responder.answer(buf.subarray(p + 2, p + 2 + len), len, Transport.TCP, c.client);
      p += 2 + len;
      answered = true;
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
      socket.write(frame);
      this.metrics.observe((performance.now() - t0) / 1000);
      if (socket.writableLength > this.maxOutput) {
        // The client does not read its answers: stop reading until it does (or the I/O timeout ends it).
        c.blockedSince = performance.now();
        socket.pause();
        break;
      }
    }
    const now = performance.now();
    if (answered) c.lastMessageAt = now;
    if (p < buf.length) {
      // Keep only the rest (at most one frame plus one chunk while reading is paused).
      c.pending = p === 0 && chunk === undefined ? buf : Buffer.from(buf.subarray(p));
      if (!hadPartial || answered) c.partialSince = now;
    } else {
      c.pending = undefined;
      c.partialSince = 0;
    }
    // Most recently active last: the idle ones are found first when room is needed.
    this.connections.delete(socket);
    this.connections.set(socket, c);
    this.arm(c);
  }

  /** (Re)arms the connection's one timer for its nearest deadline. */
  private arm(c: TcpConnection): void {
    let deadline: number;
    let why: 'io-timeout' | 'idle-timeout';
    if (c.blockedSince !== 0) {
      deadline = c.blockedSince + this.ioTimeoutMs;
      why = 'io-timeout';
    } else if (c.pending !== undefined) {
      deadline = c.partialSince + this.ioTimeoutMs;
      why = 'io-timeout';
    } else {
      deadline = c.lastMessageAt + this.idleTimeoutMs;
      why = 'idle-timeout';
    }
    if (c.timer && c.timerAt === deadline) return;
    if (c.timer) clearTimeout(c.timer);
    c.timerAt = deadline;
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (c.socket.destroyed) return;
      // The deadline may have moved since (a message completed): check again.
      const stillDue = why === 'io-timeout' ? c.blockedSince !== 0 || c.pending !== undefined : c.pending === undefined && c.blockedSince === 0;
      if (stillDue && performance.now() >= deadline - 1) {
        this.metrics.tcpClosed(why);
        c.socket.destroy();
      } else {
        this.arm(c);
      }
    }, Math.max(0, deadline - performance.now()));
    c.timer.unref?.();
  }

  /**
   * A real query to this server's own listeners, over UDP and over TCP (the SOA of `zone`): what a
   * liveness probe asks. Resolves with the round trips, or with the reason it failed; never rejects.
   */
  async selfTest(zone: string, timeoutMs = 1000): Promise<{ readonly ok: boolean; readonly detail: Record<string, unknown> }> {
    if (!this.bound) return { ok: false, detail: { error: 'the DNS server is not listening' } };
    return dnsSelfTest(this.bound, zone, timeoutMs);
  }

  /** Stops listening and closes every open TCP connection. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.connections.keys()) c.destroy();
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }
}

/**
 * A real query to the DNS listeners at `bound`, over UDP and over TCP (the SOA of `zone`): what a
 * liveness probe asks. Resolves with the round trips, or with the reason it failed; never rejects.
 */
export async function dnsSelfTest(
  bound: BoundAddress,
  zone: string,
  timeoutMs = 1000,
): Promise<{ readonly ok: boolean; readonly detail: Record<string, unknown> }> {
  const host = bound.host === '0.0.0.0' ? '127.0.0.1' : bound.host === '::' ? '::1' : bound.host;
  const port = bound.port;
  const question = { name: zone, type: RRType.SOA, klass: 1 };
  const q = Buffer.from(encodeMessage({ id: 0x5e1f, flags: 0, questions: [question], answers: [], authorities: [], additionals: [] }));
  const check = (r: Buffer | undefined): string | undefined => {
    if (!r || r.length < 12) return 'no answer';
    const rcode = r[3] & 0x0f;
    return r.readUInt16BE(0) !== 0x5e1f || (r[2] & 0x80) === 0 ? 'not an answer to the query' : rcode !== Rcode.NOERROR ? `rcode ${RCODE_NAMES[rcode] ?? rcode}` : undefined;
  };
  const timed = <T>(p: Promise<T>) => {
    const t0 = performance.now();
    return p.then((v) => ({ v, ms: Math.round((performance.now() - t0) * 10) / 10 }));
  };
  const udp = await timed(udpAsk(host, port, q, timeoutMs));
  const tcp = await timed(tcpAsk(host, port, q, timeoutMs));
  const udpProblem = typeof udp.v === 'string' ? udp.v : check(udp.v);
  const tcpProblem = typeof tcp.v === 'string' ? tcp.v : check(tcp.v);
  return {
    ok: udpProblem === undefined && tcpProblem === undefined,
    detail: {
      dns: `${zone} SOA at ${formatHostPort({ host, port })}`,
      udp: udpProblem ?? `answered in ${udp.ms} ms`,
      tcp: tcpProblem ?? `answered in ${tcp.ms} ms`,
    },
  };
}

/** One UDP exchange; the response, or why there is none. */
function udpAsk(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer | string> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', lookup: literalLookup });
    const done = (r: Buffer | string) => {
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const timer = setTimeout(() => done(`no UDP answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (e) => done(`UDP: ${e.message}`));
    socket.on('message', (m) => done(m));
    socket.send(query, port, host);
  });
}

/** One TCP exchange; the response, or why there is none. */
function tcpAsk(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let got = Buffer.alloc(0);
    const done = (r: Buffer | string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(`no TCP answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (e) => done(`TCP: ${e.message}`));
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) done(got.subarray(2, 2 + got.readUInt16BE(0)));
    });
  });
}
