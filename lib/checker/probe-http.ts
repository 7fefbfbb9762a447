/**
 * The HTTP and HTTPS probe (HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH), ROUTE53.md §1:
 * - a TCP connection within `connectMs` (Route 53: 4 s);
 * - then a status line 200..399 within `statusMs` of connecting (2 s), the TLS handshake included;
 *   redirects are not followed (a 3xx is a success);
 * - with a search string, the string entirely inside the first 5,120 bytes of the body, case-sensitive,
 *   within `bodyMs` after the status (2 s). Only those bytes are read; then the connection is closed;
 * - certificates are not validated; TLS 1.0 and later; SNI only when the target has a servername;
 * - a malformed response (RFC 7230 §3.2 header syntax, length mismatch, oversized headers) fails.
 *
 * Every deadline is one of our own timers: the connection is made by our connector (net/tls, so we
 * know the moment of connecting), undici only writes the request and parses the response, and its
 * own coarse header/body timeouts are switched off. One connection per probe, never reused (a probe
 * measures that the endpoint accepts connections); the connection and the undici client are
 * destroyed as soon as the outcome is known, whatever the endpoint does next.
 */
import * as net from 'net';
import * as tls from 'tls';
import { Client } from 'undici';
import { connectFailure, Outcome, requestFailure, tlsFailure } from './reasons';
import { ProbeTarget, SEARCH_WINDOW_BYTES } from './target';

export const PROBE_USER_AGENT = 'dns-failover-checker/1';
/** undici's default; a response whose headers exceed it is malformed for us. */
const MAX_HEADER_BYTES = 16 * 1024;

type ConnectCallback = (...args: [null, net.Socket | tls.TLSSocket] | [Error, null]) => void;

function noop(): void {}

/**
 * What the probe's leftovers (the undici client, the response body) are destroyed with once the
 * outcome is known. One shared object: only our own no-op handlers ever see it, and not creating
 * (and capturing the stack of) an error per probe keeps probing cheap.
 */
const PROBE_DONE = new Error('probe finished');

export interface HttpProbeOptions {
  readonly userAgent?: string;
  readonly signal?: AbortSignal;
}

/** Probes `target` at `address` (already resolved). Resolves with the outcome; never rejects. */
export function probeHttp(target: ProbeTarget, address: string, options: HttpProbeOptions = {}): Promise<Outcome> {
  const t = target.timeouts;
  const https = target.protocol === 'HTTPS';
  const search = target.searchString;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let phase: 'connect' | 'tls' | 'status' | 'body' = 'connect';
    let raw: net.Socket | undefined;
    let secure: tls.TLSSocket | undefined;
    let body: NodeJS.ReadableStream & { destroy(error?: Error): void } | undefined;
    let client: Client | undefined;

    const finish = (healthy: boolean, reason: string) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      body?.destroy(PROBE_DONE);
      // undici first, so that it closes the socket it holds with PROBE_DONE (a socket closed under
      // it would make it create an error of its own); then whatever it never got.
      client?.destroy(PROBE_DONE).catch(noop);
      secure?.destroy();
      raw?.destroy();
      resolve({ healthy, reason });
    };
    const arm = (ms: number, reason: () => string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(false, reason()), ms);
    };
    const onAbort = () => finish(false, 'probe cancelled (checker stopping)');
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    arm(t.connectMs, () => `connection timed out (no TCP connection within ${t.connectMs} ms)`);

    // undici calls this when it needs a connection: we make exactly one, with our own deadlines.
    const connector = (_opts: unknown, callback: ConnectCallback) => {
      if (raw || settled) {
        callback(new Error('the probe connection is closed'), null);
        return;
      }
      const socket = net.connect({ host: address, port: target.port });
      raw = socket;
      socket.on('error', (err) => {
        if (phase === 'connect') finish(false, connectFailure(err));
        // later errors reach undici, which fails the request: see requestFailure
      });
      socket.once('connect', () => {
        if (settled) return;
        socket.setNoDelay(true);
        // "a status code ... within two seconds after connecting": one timer from here, the TLS
        // handshake included; its reason depends on how far we got.
        phase = https ? 'tls' : 'status';
        arm(t.statusMs, () => (phase === 'tls'
          ? `TLS handshake timed out (not completed within ${t.statusMs} ms of connecting)`
          : `response timed out (no HTTP status within ${t.statusMs} ms of connecting)`));
        if (!https) {
          callback(null, socket);
          return;
        }
        const s = tls.connect({
          socket,
          ...(target.servername !== undefined ? { servername: target.servername } : {}),
          rejectUnauthorized: false, // certificates are not validated (DG-health)
          minVersion: 'TLSv1', // "HTTPS needs TLS 1.0 or later"
          ciphers: 'DEFAULT:@SECLEVEL=0', // let old endpoints negotiate what TLS 1.0 offers
          ALPNProtocols: ['http/1.1'],
        });
        secure = s;
        s.on('error', (err) => {
          if (phase === 'tls') finish(false, tlsFailure(err));
        });
        s.once('secureConnect', () => {
          if (settled) return;
          phase = 'status';
          callback(null, s);
        });
      });
    };

    const origin = `${https ? 'https' : 'http'}://${net.isIPv6(address) ? `[${address}]` : address}:${target.port}`;
    try {
      client = new Client(origin, {
        connect: connector as never,
        headersTimeout: 0, // our timers enforce the deadlines
        bodyTimeout: 0,
        keepAliveTimeout: 1000,
        maxHeaderSize: MAX_HEADER_BYTES,
        pipelining: 1,
      });
    } catch (e) {
      finish(false, `request failed: ${(e as Error).message}`);
      return;
    }

    client.request({
      path: target.path,
      method: 'GET',
      headers: { 'host': target.hostHeader, 'user-agent': options.userAgent ?? PROBE_USER_AGENT, 'accept': '*/*', 'connection': 'close' },
    }).then(
      (res) => {
        const stream = res.body;
        body = stream;
        stream.on('error', noop);
        if (settled) {
          stream.destroy(PROBE_DONE);
          return;
        }
        phase = 'body';
        const status = res.statusCode;
        if (status < 200 || status > 399) {
          finish(false, `HTTP status ${status}`);
          return;
        }
        if (!search) {
          finish(true, `HTTP status ${status}`);
          return;
        }
        const window = Buffer.allocUnsafe(SEARCH_WINDOW_BYTES);
        let have = 0;
        arm(t.bodyMs, () => `response timed out (search string not found within ${t.bodyMs} ms of the status; ${have} bytes received)`);
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          const take = Math.min(chunk.length, SEARCH_WINDOW_BYTES - have);
          chunk.copy(window, have, 0, take);
          const from = Math.max(0, have - search.length + 1);
          have += take;
          if (window.subarray(0, have).indexOf(search, from) >= 0) {
            finish(true, `HTTP status ${status}, search string found`);
          } else if (have >= SEARCH_WINDOW_BYTES) {
            finish(false, `search string not found in the first ${SEARCH_WINDOW_BYTES} bytes`);
          }
        });
        stream.on('end', () => finish(false, `search string not found in the first ${SEARCH_WINDOW_BYTES} bytes (the body has ${have} bytes)`));
        stream.on('error', (err: unknown) => finish(false, requestFailure(err, 'while reading the body')));
      },
      (err: unknown) => {
        // Refused before any connection (a request undici will not send): say so at once.
        if (!raw) finish(false, requestFailure(err, 'before connecting'));
        else if (phase === 'connect' || phase === 'tls') return; // our socket handlers report those
        else finish(false, requestFailure(err, 'before the status'));
      },
    );
  });
}
