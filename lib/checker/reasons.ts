/**
 * Failure reasons, worded like Route 53's console ("connection timed out", "HTTP status 503", ...):
 * short, lower case, the cause first, details after a colon or in parentheses.
 */

export interface Outcome {
  readonly healthy: boolean;
  readonly reason: string;
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown };
  return typeof e?.code === 'string' ? e.code : undefined;
}

function messageOf(err: unknown): string {
  const m = (err as { message?: unknown })?.message;
  return typeof m === 'string' ? m : String(err);
}

/** A TCP connect that failed before it was established. */
export function connectFailure(err: unknown): string {
  const code = codeOf(err);
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': return 'connection reset';
    case 'ETIMEDOUT': return 'connection timed out';
    case 'EHOSTUNREACH': return 'host unreachable';
    case 'ENETUNREACH': return 'network unreachable';
    case 'EADDRNOTAVAIL': return 'address not available';
    default: return `connection failed: ${code ?? messageOf(err)}`;
  }
}

/** OpenSSL's messages are long; keep the readable part ("sslv3 alert handshake failure"). */
export function tlsFailure(err: unknown): string {
  const message = messageOf(err);
  const code = codeOf(err);
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(message);
  if (ssl) return `TLS handshake failed: ${ssl[1].trim()}${code ? ` (${code})` : ''}`;
  if (code === 'ECONNRESET' || /socket disconnected/i.test(message)) return 'TLS handshake failed: connection closed by the endpoint during the handshake';
  return `TLS handshake failed: ${message.split('\n')[0]}${code && !message.includes(code) ? ` (${code})` : ''}`;
}

/**
 * A socket error once the connection is up (for HTTPS: after the handshake); `when` is "before the
 * status" or "while reading the body".
 */
export function socketFailure(err: unknown, when: string): string {
  const code = codeOf(err);
  if (code === 'ECONNRESET') return `connection reset ${when}`;
  if (code === 'EPIPE') return `connection closed by the endpoint ${when}`;
  return `request failed ${when}: ${code ? `${code}: ` : ''}${messageOf(err)}`;
}
