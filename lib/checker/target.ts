/**
 * What one health check asks a checker to do, worked out once from the model
 * (`HealthCheckConfigModel`, Route 53's field names): where to connect, what to send, what counts as
 * a success and how long each step may take (ROUTE53.md §1 "What one checker counts as a success",
 * "Addressing", "Timing").
 */
import { isIP } from 'net';
import {
  DEFAULT_ENABLE_SNI,
  DEFAULT_PORTS,
  ENDPOINT_CHECK_TYPES,
  FAILURE_THRESHOLD_RANGE,
  failureThresholdOf,
  HealthCheckModel,
  isEndpointCheckType,
  matchesString,
  MAX_SEARCH_STRING,
  MIN_SELF_HOSTED_INTERVAL_SECONDS,
  PORT_RANGE,
  portOf,
  probeDeadlinesOf,
  probeProtocolOf,
  ProbeProtocol,
  requestIntervalOf,
  resourcePathOf,
  ROUTE53_PROBE_TIMEOUTS,
  SEARCH_WINDOW_BYTES,
} from '../model';

export { SEARCH_WINDOW_BYTES };

export type { ProbeProtocol };

/** The self-hosted target's shortest interval and timeout, in ms (the model's `MIN_SELF_HOSTED_INTERVAL_SECONDS`). */
export const MIN_PROBE_MS = Math.round(MIN_SELF_HOSTED_INTERVAL_SECONDS * 1000);

/**
 * Probe deadlines in milliseconds. Route 53's are fixed ({@link ROUTE53_PROBE_TIMEOUTS_MS}); the
 * self-hosted target lets a health check shorten (or lengthen) them with `connectTimeout`,
 * `statusTimeout` and `bodyTimeout` (seconds, in the model).
 */
export interface ProbeTimeouts {
  /** TCP connection established (HTTP*: 4 s, TCP: 10 s in Route 53). */
  readonly connectMs: number;
  /** From the TCP connection to the HTTP status line, TLS handshake included (2 s). HTTP* only. */
  readonly statusMs: number;
  /** From the status line to the search string, within the first 5,120 bytes (2 s). *_STR_MATCH only. */
  readonly bodyMs: number;
}

/** The deadlines a check gets when its config does not set its own, in ms. */
export interface ProbeTimeoutDefaultsMs {
  readonly httpConnectMs: number;
  readonly tcpConnectMs: number;
  readonly statusMs: number;
  readonly bodyMs: number;
}

/** Route 53's deadlines (the model's `ROUTE53_PROBE_TIMEOUTS`), in ms. */
export const ROUTE53_PROBE_TIMEOUTS_MS: ProbeTimeoutDefaultsMs = Object.freeze({
  httpConnectMs: ROUTE53_PROBE_TIMEOUTS.httpConnect * 1000,
  tcpConnectMs: ROUTE53_PROBE_TIMEOUTS.tcpConnect * 1000,
  statusMs: ROUTE53_PROBE_TIMEOUTS.status * 1000,
  bodyMs: ROUTE53_PROBE_TIMEOUTS.body * 1000,
});


export interface ProbeTarget {
  readonly healthCheckId: string;
  readonly protocol: ProbeProtocol;
  /** Connect to this address (IPv4 or IPv6) when set ... */
  readonly ipAddress?: string;
  /** ... otherwise resolve this name again before every probe (IPv4 only). Without a trailing dot. */
  readonly hostname?: string;
  readonly port: number;
  /** Request path with its leading `/` (and query string, if any). HTTP* only. */
  readonly path: string;
  /** The Host header. HTTP* only. */
  readonly hostHeader: string;
  /** The TLS SNI name (HTTPS* with EnableSNI). */
  readonly servername?: string;
  /** UTF-8 bytes of the search string (*_STR_MATCH), matched case-sensitively. */
  readonly searchString?: Buffer;
  readonly timeouts: ProbeTimeouts;
  /** From a response to the next request. */
  readonly intervalMs: number;
  /** Consecutive results needed to change this checker's view, in both directions. */
  readonly failureThreshold: number;
}

/** Whether a checker probes this check at all: endpoint types (HTTP*, HTTPS*, TCP) that are not disabled. */
export function isProbed(hc: HealthCheckModel): boolean {
  // A disabled check is healthy whatever its endpoint does (ROUTE53.md §1), and Route 53 stops
  // probing it; the DNS node applies `disabled` itself, so there is nothing to report.
  return isEndpointCheckType(hc.config.type) && hc.config.disabled !== true;
}

/** Checks a deadline a health check sets itself (seconds): the checker needs 100 ms or more. */
function checkOwn(field: string, id: string, seconds: number | undefined): void {
  if (seconds === undefined) return;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.round(seconds * 1000) < MIN_PROBE_MS) {
    throw new RangeError(`health check '${id}': ${field} ${String(seconds)} s is not a duration the checker can use; give ${MIN_PROBE_MS / 1000} s (${MIN_PROBE_MS} ms) or more`);
  }
}

function checkDefaults(d: ProbeTimeoutDefaultsMs): void {
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) {
      throw new RangeError(`probe timeout default ${k} ${String(v)} is not a number of milliseconds; give 1 or more (Route 53: ${JSON.stringify(ROUTE53_PROBE_TIMEOUTS_MS)})`);
    }
  }
}

/**
 * The deadlines of one check in ms: its own `connectTimeout`/`statusTimeout`/`bodyTimeout` (seconds),
 * else the defaults, as the model's `probeDeadlinesOf` combines them per type. A deadline the type
 * does not use (the status of a TCP check, the body of a check without string matching) is the
 * default, never waited for.
 */
export function probeTimeoutsFor(hc: HealthCheckModel, defaults: ProbeTimeoutDefaultsMs = ROUTE53_PROBE_TIMEOUTS_MS): ProbeTimeouts {
  checkDefaults(defaults);
  const c = hc.config;
  checkOwn('connectTimeout', hc.id, c.connectTimeout);
  checkOwn('statusTimeout', hc.id, c.statusTimeout);
  checkOwn('bodyTimeout', hc.id, c.bodyTimeout);
  const d = probeDeadlinesOf(c, {
    httpConnect: defaults.httpConnectMs / 1000,
    tcpConnect: defaults.tcpConnectMs / 1000,
    status: defaults.statusMs / 1000,
    body: defaults.bodyMs / 1000,
  });
  const toMs = (seconds: number) => Math.round(seconds * 1000);
  return {
    connectMs: toMs(d.connect),
    statusMs: d.status !== undefined ? toMs(d.status) : defaults.statusMs,
    bodyMs: d.body !== undefined ? toMs(d.body) : defaults.bodyMs,
  };
}

function bracket(ip: string): string {
  return isIP(ip) === 6 ? `[${ip}]` : ip;
}

/**
 * The Host header (CFN-HC `FullyQualifiedDomainName`, DG-values): the FQDN on the type's default port
 * (80 for HTTP*, 443 for HTTPS*), `FQDN:port` on any other port. Without an FQDN, AWS "substitutes the
 * value of IPAddress in the Host header in each of the preceding cases": the IP on the default port,
 * `IP:port` otherwise (IPv6 in brackets).
 */
export function hostHeaderFor(protocol: 'HTTP' | 'HTTPS', port: number, fqdn: string | undefined, ipAddress: string | undefined): string {
  const host = fqdn !== undefined ? fqdn : bracket(ipAddress ?? '');
  return port === DEFAULT_PORTS[protocol] ? host : `${host}:${port}`;
}

/**
 * Turns a health check of the model into a probe target. Throws, naming the field, the value and the
 * fix, for a check the checker cannot probe (wrong type, no address, bad port, bad interval ...).
 */
export function probeTargetOf(hc: HealthCheckModel, defaults: ProbeTimeoutDefaultsMs = ROUTE53_PROBE_TIMEOUTS_MS): ProbeTarget {
  const c = hc.config;
  const id = hc.id;
  if (!isEndpointCheckType(c.type)) {
    throw new Error(`health check '${id}' has type ${c.type}, which no checker probes; checkers probe ${ENDPOINT_CHECK_TYPES.join(', ')} checks`);
  }
  const protocol = probeProtocolOf(c.type);
  const strMatch = matchesString(c.type);

  const ipAddress = c.ipAddress !== undefined && c.ipAddress !== '' ? c.ipAddress : undefined;
  if (ipAddress !== undefined && isIP(ipAddress) === 0) {
    throw new Error(`health check '${id}': ipAddress '${ipAddress}' is not an IPv4 or IPv6 address; give an address, or leave ipAddress out and set fullyQualifiedDomainName`);
  }
  let fqdn = c.fullyQualifiedDomainName !== undefined && c.fullyQualifiedDomainName !== '' ? c.fullyQualifiedDomainName : undefined;
  if (fqdn !== undefined && fqdn.endsWith('.')) fqdn = fqdn.slice(0, -1); // our choice: the root dot is not sent in Host or SNI
  if (ipAddress === undefined && fqdn === undefined) {
    throw new Error(`health check '${id}' has neither ipAddress nor fullyQualifiedDomainName; set one of them so the checker knows where to connect`);
  }

  const port = portOf(c);
  const ports = `${PORT_RANGE.min}..${PORT_RANGE.max}`;
  if (port === undefined) throw new Error(`health check '${id}' is a TCP check without a port; set port (${ports})`);
  if (!Number.isInteger(port) || port < PORT_RANGE.min || port > PORT_RANGE.max) {
    throw new Error(`health check '${id}': port ${String(port)} is out of range; use a port from ${PORT_RANGE.min} to ${PORT_RANGE.max}`);
  }

  const intervalSeconds = requestIntervalOf(c);
  const intervalMs = Math.round(intervalSeconds * 1000);
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalMs < MIN_PROBE_MS) {
    throw new RangeError(`health check '${id}': requestInterval ${String(intervalSeconds)} s is too short for a checker; give ${MIN_PROBE_MS / 1000} s (100 ms) or more`);
  }
  const failureThreshold = failureThresholdOf(c);
  const { min, max } = FAILURE_THRESHOLD_RANGE;
  if (!Number.isInteger(failureThreshold) || failureThreshold < min || failureThreshold > max) {
    throw new RangeError(`health check '${id}': failureThreshold ${String(failureThreshold)} is out of range; use a whole number from ${min} to ${max}`);
  }

  let searchString: Buffer | undefined;
  if (strMatch) {
    if (c.searchString === undefined || c.searchString === '') {
      throw new Error(`health check '${id}' is ${c.type} without a searchString; set one, or use type ${c.type.replace('_STR_MATCH', '')}`);
    }
    searchString = Buffer.from(c.searchString, 'utf8');
    if (searchString.length > SEARCH_WINDOW_BYTES) {
      throw new Error(`health check '${id}': searchString has ${searchString.length} bytes, more than the ${SEARCH_WINDOW_BYTES} bytes searched; shorten it (Route 53 allows ${MAX_SEARCH_STRING} characters)`);
    }
  }

  const path = resourcePathOf(c); // ROUTE53.md: "a missing leading / is added"

  // EnableSNI: Route 53 (and Terraform) default it to true for HTTPS checks.
  const sni = protocol === 'HTTPS' && (c.enableSni ?? DEFAULT_ENABLE_SNI) && fqdn !== undefined && isIP(fqdn) === 0;

  return {
    healthCheckId: id,
    protocol,
    ...(ipAddress !== undefined ? { ipAddress } : {}),
    ...(fqdn !== undefined ? { hostname: fqdn } : {}),
    port,
    path,
    hostHeader: protocol === 'TCP' ? '' : hostHeaderFor(protocol, port, fqdn, ipAddress),
    ...(sni ? { servername: fqdn } : {}),
    ...(searchString ? { searchString } : {}),
    timeouts: probeTimeoutsFor(hc, defaults),
    intervalMs,
    failureThreshold,
  };
}
