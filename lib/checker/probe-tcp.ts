/**
 * The TCP probe (ROUTE53.md §1): a success is a TCP connection established within `connectMs`
 * (Route 53: 10 s). Nothing is sent; the connection is closed at once.
 */
import * as net from 'net';
import { connectFailure, Outcome } from './reasons';
import { ProbeTarget } from './target';

export function probeTcp(target: ProbeTarget, address: string, options: { readonly signal?: AbortSignal } = {}): Promise<Outcome> {
  const ms = target.timeouts.connectMs;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let socket: net.Socket | undefined;
    const finish = (healthy: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      resolve({ healthy, reason });
    };
    const onAbort = () => finish(false, 'probe cancelled (checker stopping)');
    const timer = setTimeout(() => finish(false, `connection timed out (no TCP connection within ${ms} ms)`), ms);
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket = net.connect({ host: address, port: target.port });
    socket.on('error', (err) => finish(false, connectFailure(err)));
    socket.once('connect', () => finish(true, 'TCP connection established'));
  });
}
