/**
 * The floor the checker is compared with: a bare probe loop in plain Node, with the checker's
 * schedule (one timer per check; the next probe one interval after the previous response; the first
 * after a random offset) and nothing else:
 * - HTTP: `net.connect`, write the same request bytes the checker sends, on the first `data` look at
 *   the status code's first digit, destroy the socket;
 * - HTTPS: the same over `tls.connect` (certificates not validated, one SecureContext shared by every
 *   connection, a full handshake per probe: no session reuse), the request written on `secureConnect`.
 * No deadlines, no parsing of headers or body, no result objects, no concurrency cap: what a probe
 * costs at the least in Node (a TCP connection, its close, one request and one read; for HTTPS the
 * handshake), at the same rate as the checker.
 */
import * as net from 'net';
import { performance } from 'perf_hooks';
import * as tls from 'tls';

export interface BareTarget {
  readonly host: string;
  readonly port: number;
  readonly https: boolean;
  /** The request bytes (what the checker sends for this target). */
  readonly request: Buffer;
}

export type BareResult = (ok: boolean, plannedAt: number, startedAt: number, finishedAt: number) => void;

/** Certificates are not validated (as in the checker); one context for every connection. */
const CONTEXT = tls.createSecureContext({});

export class BareProbeLoop {
  private readonly timers: Array<NodeJS.Timeout | undefined>;
  private readonly planned: Float64Array;
  private stopped = false;

  constructor(
    private readonly targets: readonly BareTarget[],
    private readonly intervalMs: number,
    private readonly onResult: BareResult,
    private readonly random: () => number = Math.random,
  ) {
    this.timers = new Array(targets.length).fill(undefined);
    this.planned = new Float64Array(targets.length);
  }

  start(): void {
    for (let i = 0; i < this.targets.length; i++) this.schedule(i, Math.floor(this.random() * this.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) if (t) clearTimeout(t);
  }

  private schedule(i: number, delayMs: number): void {
    this.planned[i] = performance.now() + delayMs;
    this.timers[i] = setTimeout(() => this.probe(i), delayMs);
  }

  private probe(i: number): void {
    this.timers[i] = undefined;
    if (this.stopped) return;
    const t = this.targets[i];
    const plannedAt = this.planned[i];
    const startedAt = performance.now();
    let done = false;
    const socket: net.Socket = t.https
      ? tls.connect({ host: t.host, port: t.port, secureContext: CONTEXT, rejectUnauthorized: false })
      : net.connect(t.port, t.host);
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      this.onResult(ok, plannedAt, startedAt, performance.now());
      if (!this.stopped) this.schedule(i, this.intervalMs);
    };
    socket.once(t.https ? 'secureConnect' : 'connect', () => socket.write(t.request));
    // "HTTP/1.1 2": the status's first digit is byte 9.
    socket.once('data', (d: Buffer) => finish(d.length > 9 && (d[9] === 0x32 || d[9] === 0x33)));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  }
}
