/**
 * The TCP probe (ROUTE53.md §1): a success is a TCP connection established within `connectMs`
 * (Route 53: 10 s). Nothing is sent; the connection is closed at once.
 */
import * as net from 'net';
import { Cancellable, unwatch, watch } from './cancel';
import type { OutcomeCallback } from './probe-http';
import { connectFailure, Outcome } from './reasons';
import { ProbeTarget } from './target';

function onTimer(p: TcpProbe): void {
  p.finish(false, `connection timed out (no TCP connection within ${p.ms} ms)`);
}

class TcpProbe implements Cancellable {
  readonly ms: number;
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly socket: net.Socket;

  constructor(
    target: ProbeTarget,
    address: string,
    private readonly signal: AbortSignal | undefined,
    private readonly done: OutcomeCallback,
  ) {
    this.ms = target.timeouts.connectMs;
    this.timer = setTimeout(onTimer, this.ms, this);
    this.socket = net.connect({ host: address, port: target.port });
    this.socket.on('error', (err) => this.finish(false, connectFailure(err)));
    this.socket.on('connect', () => this.finish(true, 'TCP connection established'));
    if (signal !== undefined) watch(signal, this);
  }

  cancel(): void {
    this.finish(false, 'probe cancelled (checker stopping)');
  }

  finish(healthy: boolean, reason: string): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.signal !== undefined) unwatch(this.signal, this);
    this.socket.destroy();
    this.done(healthy, reason);
  }
}

/** Probes `target` at `address` and calls `done` once with the outcome (possibly before returning). */
export function startTcpProbe(target: ProbeTarget, address: string, options: { readonly signal?: AbortSignal }, done: OutcomeCallback): void {
  if (options.signal?.aborted) return done(false, 'probe cancelled (checker stopping)');
  new TcpProbe(target, address, options.signal, done);
}

export function probeTcp(target: ProbeTarget, address: string, options: { readonly signal?: AbortSignal } = {}): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => startTcpProbe(target, address, options, (healthy, reason) => resolve({ healthy, reason })));
}
