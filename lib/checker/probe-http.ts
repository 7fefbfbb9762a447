/**
 * The HTTP and HTTPS probe (HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH), ROUTE53.md §1:
 * - a TCP connection within `connectMs` (Route 53: 4 s);
 * - then a status line 200..399 within `statusMs` of connecting (2 s), the TLS handshake included;
 *   redirects are not followed (a 3xx is a success);
 * - with a search string, the string entirely inside the first 5,120 bytes of the body, case-sensitive,
 *   within `bodyMs` after the status (2 s). Only those bytes are read; then the connection is closed;
 * - certificates are not validated; TLS 1.0 and later; SNI only when the target has a servername;
 * - a malformed response (RFC 7230 §3.2 header syntax, bad framing, oversized headers) fails.
 *
 * One connection per probe (`net` or `tls`), never reused (a probe measures that the endpoint accepts
 * connections), one request written as prepared bytes (`Connection: close`), the response read with
 * our own reader (http-response.ts), the connection destroyed as soon as the outcome is known,
 * whatever the endpoint does next. Every deadline is ours, kept with one timer per probe: it is set
 * for the first deadline that can come and, when it fires early for the phase the probe is in by
 * then, set again for what is left.
 *
 * Until issue 14 the request went through an undici Client per probe; a probe then cost about 2.5
 * times the CPU of the bare connection (bench/README.md "Checker").
 */
import * as net from 'net';
import { performance } from 'perf_hooks';
import * as tls from 'tls';
import { Cancellable, unwatch, watch } from './cancel';
import { HEADERS_COMPLETE, HttpResponseReader, MALFORMED } from './http-response';
import { connectFailure, Outcome, socketFailure, tlsFailure } from './reasons';
import { ProbeTarget, SEARCH_WINDOW_BYTES } from './target';

export { MAX_HEADER_BYTES } from './http-response';

export const PROBE_USER_AGENT = 'dns-failover-checker/1';

export interface HttpProbeOptions {
  readonly userAgent?: string;
  readonly signal?: AbortSignal;
}

/**
 * The client side of TLS for every probe: certificates are not validated (DG-health), TLS 1.0 and
 * later ("HTTPS needs TLS 1.0 or later"), old endpoints may negotiate what TLS 1.0 offers. One
 * context for all probes (creating one per connection costs as much as a handshake); a session is
 * never resumed (Node resumes only when given a session), so every probe makes a full handshake.
 */
let clientContext: tls.SecureContext | undefined;
function tlsContext(): tls.SecureContext {
  // No trusted certificates at all (`ca: []`): verification always fails, which a probe ignores, and
  // Node skips the host name check (and the copy of the peer's chain it needs) for a failed one.
  clientContext ??= tls.createSecureContext({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', ca: [] });
  return clientContext;
}
const ALPN = ['http/1.1'];

/** The request bytes of a target (per user agent), built once: a probe writes them as they are. */
const requests = new WeakMap<ProbeTarget, { readonly userAgent: string; readonly bytes: Buffer | string }>();

/** Bytes a request line or Host may hold: visible ASCII (the path also obs-text, as undici allowed). */
const BAD_PATH = /[^\u0021-\u00ff]/;
const BAD_HOST = /[^\u0021-\u007e]/;
const BAD_AGENT = /[^\u0020-\u007e]/;

/** The request, or why it cannot be sent (a string starting with "request failed"). */
function requestOf(target: ProbeTarget, userAgent: string): { readonly bytes: Buffer } | string {
  const cached = requests.get(target);
  if (cached !== undefined && cached.userAgent === userAgent) {
    return typeof cached.bytes === 'string' ? cached.bytes : cached as { bytes: Buffer };
  }
  let bytes: Buffer | string;
  if (BAD_PATH.test(target.path)) {
    bytes = `request failed before connecting: invalid request path ${JSON.stringify(target.path)} (percent-encode spaces, controls and characters above U+00FF)`;
  } else if (BAD_HOST.test(target.hostHeader)) {
    bytes = `request failed before connecting: invalid Host header ${JSON.stringify(target.hostHeader)}`;
  } else if (BAD_AGENT.test(userAgent)) {
    bytes = `request failed before connecting: invalid User-Agent ${JSON.stringify(userAgent)}`;
  } else {
    bytes = Buffer.from(
      `GET ${target.path} HTTP/1.1\r\nHost: ${target.hostHeader}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      'latin1',
    );
  }
  const entry = { userAgent, bytes };
  requests.set(target, entry);
  return typeof bytes === 'string' ? bytes : entry as { bytes: Buffer };
}

// The phases of a probe (the deadline and the words of a failure depend on them).
const CONNECT = 0;
const HANDSHAKE = 1;
const STATUS = 2;
const BODY = 3;

function onTimer(p: HttpProbe): void {
  p.timer = undefined;
  p.onTimer();
}

// The socket's listeners are shared by every probe (no closures per probe): the socket knows its probe.
const PROBE = Symbol('probe');
type ProbeSocket = net.Socket & { [PROBE]: HttpProbe };
function onSocketConnect(this: ProbeSocket): void {
  this[PROBE].onConnect();
}
function onSocketSecure(this: ProbeSocket): void {
  this[PROBE].onSecure();
}
function onSocketData(this: ProbeSocket, data: Buffer): void {
  this[PROBE].onData(data);
}
function onSocketError(this: ProbeSocket, err: Error): void {
  this[PROBE].onError(err);
}
function onSocketClose(this: ProbeSocket): void {
  this[PROBE].onClose();
}

/** `HTTP status N` (and with the search string found), made once per status code. */
const statusReasons: string[] = [];
const foundReasons: string[] = [];
function statusReason(status: number): string {
  return (statusReasons[status] ??= `HTTP status ${status}`);
}
function foundReason(status: number): string {
  return (foundReasons[status] ??= `HTTP status ${status}, search string found`);
}

class HttpProbe implements Cancellable {
  timer: NodeJS.Timeout | undefined;
  private phase = CONNECT;
  private settled = false;
  /** When the current phase's deadline is (performance.now() ms). */
  private deadline: number;
  /** When the timer fires. */
  private timerAt: number;
  private readonly socket: net.Socket;
  private readonly reader: HttpResponseReader;

  constructor(
    private readonly target: ProbeTarget,
    address: string,
    private readonly request: Buffer,
    private readonly signal: AbortSignal | undefined,
    private readonly done: OutcomeCallback,
  ) {
    const t = target.timeouts;
    const now = performance.now();
    this.deadline = now + t.connectMs;
    // The status deadline (from connecting) comes no earlier than min(connect, status) from now.
    const first = Math.min(t.connectMs, t.statusMs);
    this.timerAt = now + first;
    this.timer = setTimeout(onTimer, first, this);
    this.reader = new HttpResponseReader(target.searchString !== undefined ? SEARCH_WINDOW_BYTES : 0);
    const https = target.protocol === 'HTTPS';
    const socket = https
      ? tls.connect({
        host: address,
        port: target.port,
        secureContext: tlsContext(),
        rejectUnauthorized: false, // certificates are not validated (DG-health)
        ALPNProtocols: ALPN,
        ...(target.servername !== undefined ? { servername: target.servername } : {}),
      })
      : net.connect({ host: address, port: target.port });
    this.socket = socket;
    (socket as ProbeSocket)[PROBE] = this;
    socket.on('connect', onSocketConnect);
    if (https) socket.on('secureConnect', onSocketSecure);
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    if (signal !== undefined) watch(signal, this);
  }

  cancel(): void {
    this.finish(false, 'probe cancelled (checker stopping)');
  }

  onTimer(): void {
    if (this.settled) return;
    const now = performance.now();
    const left = this.deadline - now;
    if (left > 1) {
      // The deadline moved on with the phase: wait for what is left of it.
      this.arm(Math.ceil(left), now);
      return;
    }
    const t = this.target.timeouts;
    switch (this.phase) {
      case CONNECT: return this.finish(false, `connection timed out (no TCP connection within ${t.connectMs} ms)`);
      case HANDSHAKE: return this.finish(false, `TLS handshake timed out (not completed within ${t.statusMs} ms of connecting)`);
      case STATUS: return this.finish(false, `response timed out (no HTTP status within ${t.statusMs} ms of connecting)`);
      default: return this.finish(false, `response timed out (search string not found within ${t.bodyMs} ms of the status; ${this.reader.bodyBytes} bytes received)`);
    }
  }

  private arm(ms: number, now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = now + ms;
    this.timer = setTimeout(onTimer, ms, this);
  }

  /** A new deadline `ms` from now; the timer is moved only when it would fire too late. */
  private deadlineIn(ms: number): void {
    const now = performance.now();
    this.deadline = now + ms;
    if (this.deadline < this.timerAt) this.arm(ms, now);
  }

  onConnect(): void {
    if (this.settled) return;
    // "a status code ... within two seconds after connecting": one deadline from here, the TLS
    // handshake included.
    this.deadlineIn(this.target.timeouts.statusMs);
    if (this.target.protocol === 'HTTPS') {
      this.phase = HANDSHAKE;
      this.socket.setNoDelay(true); // the request follows the handshake's last flight: do not wait for its ACK
    } else {
      this.phase = STATUS;
      this.socket.write(this.request);
    }
  }

  onSecure(): void {
    if (this.settled) return;
    this.phase = STATUS;
    this.socket.write(this.request);
  }

  onData(data: Buffer): void {
    if (this.settled) return;
    const reader = this.reader;
    if (this.phase === STATUS) {
      const r = reader.read(data);
      if (r === MALFORMED) return this.finish(false, `malformed HTTP response: ${reader.error}`);
      if (r !== HEADERS_COMPLETE) return;
      const status = reader.status;
      if (status < 200 || status > 399) return this.finish(false, statusReason(status));
      if (this.target.searchString === undefined) return this.finish(true, statusReason(status));
      if (reader.error !== '') return this.finish(false, `malformed HTTP response: ${reader.error}`);
      this.phase = BODY;
      this.deadlineIn(this.target.timeouts.bodyMs);
      this.search(0);
      return;
    }
    const before = reader.bodyBytes;
    if (reader.read(data) === MALFORMED) return this.finish(false, `malformed HTTP response: ${reader.error}`);
    this.search(before);
  }

  /** Looks for the search string in the body window, from where a match could start that `before` bytes did not hold. */
  private search(before: number): void {
    const reader = this.reader;
    const search = this.target.searchString!;
    const have = reader.bodyBytes;
    if (have > before && have >= search.length) {
      const from = Math.max(0, before - search.length + 1);
      if (reader.body!.subarray(0, have).indexOf(search, from) >= 0) return this.finish(true, foundReason(reader.status));
    }
    if (have >= SEARCH_WINDOW_BYTES) return this.finish(false, `search string not found in the first ${SEARCH_WINDOW_BYTES} bytes`);
    if (reader.bodyDone) this.finish(false, `search string not found in the first ${SEARCH_WINDOW_BYTES} bytes (the body has ${have} bytes)`);
  }

  onError(err: Error): void {
    if (this.settled) return;
    switch (this.phase) {
      case CONNECT: return this.finish(false, connectFailure(err));
      case HANDSHAKE: return this.finish(false, tlsFailure(err));
      case STATUS: return this.finish(false, socketFailure(err, 'before the status'));
      default: return this.finish(false, socketFailure(err, 'while reading the body'));
    }
  }

  /** The connection closed without an error (the endpoint's FIN, all data read). */
  onClose(): void {
    if (this.settled) return;
    switch (this.phase) {
      case CONNECT: return this.finish(false, 'connection failed: closed before it was established');
      case HANDSHAKE: return this.finish(false, 'TLS handshake failed: connection closed by the endpoint during the handshake');
      case STATUS: return this.finish(false, 'connection closed by the endpoint before the status');
      default:
        if (this.reader.end()) {
          this.search(this.reader.bodyBytes);
          return;
        }
        return this.finish(false, 'connection closed by the endpoint while reading the body');
    }
  }

  private finish(healthy: boolean, reason: string): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.signal !== undefined) unwatch(this.signal, this);
    this.socket.destroy();
    this.done(healthy, reason);
  }
}

/** How a probe reports its outcome (once). */
export type OutcomeCallback = (healthy: boolean, reason: string) => void;

/**
 * Probes `target` at `address` (already resolved) and calls `done` once with the outcome, possibly
 * before returning (a request that cannot be sent, a cancelled probe). Never throws for the
 * endpoint's doing.
 */
export function startHttpProbe(target: ProbeTarget, address: string, options: HttpProbeOptions, done: OutcomeCallback): void {
  if (options.signal?.aborted) return done(false, 'probe cancelled (checker stopping)');
  const request = requestOf(target, options.userAgent ?? PROBE_USER_AGENT);
  if (typeof request === 'string') return done(false, request);
  new HttpProbe(target, address, request.bytes, options.signal, done);
}

/** Probes `target` at `address` (already resolved). Resolves with the outcome; never rejects. */
export function probeHttp(target: ProbeTarget, address: string, options: HttpProbeOptions = {}): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => startHttpProbe(target, address, options, (healthy, reason) => resolve({ healthy, reason })));
}
