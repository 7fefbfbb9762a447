/**
 * Counters of one DNS node, kept in flat typed arrays so that counting a query costs a few array
 * writes, rendered in the Prometheus text exposition format (version 0.0.4) on demand.
 */
import { RCODE_NAMES, RRType, typeName } from './wire';

export const Transport = { UDP: 0, TCP: 1 } as const;
export type Transport = (typeof Transport)[keyof typeof Transport];
const TRANSPORT_NAMES = ['udp', 'tcp'];

/** Query types counted by name; every other type is counted as `other`. */
const COUNTED_TYPES = [
  RRType.A, RRType.AAAA, RRType.CNAME, RRType.MX, RRType.TXT, RRType.NS, RRType.SOA, RRType.ANY,
  RRType.PTR, RRType.SRV, RRType.HINFO, RRType.DNSKEY, RRType.DS, RRType.CAA, RRType.AXFR, RRType.IXFR,
];
const TYPE_SLOT = new Int8Array(65536).fill(COUNTED_TYPES.length);
COUNTED_TYPES.forEach((t, i) => (TYPE_SLOT[t] = i));
const TYPE_LABELS = [...COUNTED_TYPES.map(typeName), 'other', 'none'];
const NO_TYPE_SLOT = COUNTED_TYPES.length + 1;
const TYPE_SLOTS = COUNTED_TYPES.length + 2;
const RCODE_SLOTS = 32;

/** Upper bounds of the answer-latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25];

export interface LabelledCounter {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * The counters of the answering side (queries, answer latency, TCP, RRL) as plain data: what a
 * `cluster` worker that answers DNS sends to the primary, which renders them with its own.
 */
export interface AnswerCounters {
  readonly queries: readonly number[];
  readonly buckets: readonly number[];
  readonly latencySum: number;
  readonly latencyCount: number;
  readonly dropped: number;
  readonly clientSubnetQueries: number;
  readonly tcpConnections: number;
  /** TCP connections open when the counters were taken. */
  readonly tcpOpen: number;
  readonly tcpRefusals: readonly LabelledCounter[];
  readonly tcpCloses: readonly LabelledCounter[];
  readonly rrlActions: readonly LabelledCounter[];
}

export class DnsMetrics {
  private readonly queries = new Float64Array(2 * RCODE_SLOTS * TYPE_SLOTS);
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  private latencySum = 0;
  private latencyCount = 0;
  /** Messages not answered: shorter than a header, or responses. */
  dropped = 0;
  /** Queries with an EDNS Client Subnet option the node used (and echoed). */
  clientSubnetQueries = 0;
  tcpConnections = 0;
  private readonly verdictChanges = new Map<string, LabelledCounter>();
  private readonly reports = new Map<string, LabelledCounter>();
  private readonly reloads = new Map<string, LabelledCounter>();
  private readonly ignoredObservations = new Map<string, LabelledCounter>();
  private readonly tcpRefusals = new Map<string, LabelledCounter>();
  private readonly tcpCloses = new Map<string, LabelledCounter>();
  private readonly rrlActions = new Map<string, LabelledCounter>();
  /** Per configured checker: seconds since its last accepted report (-1: none yet), set by the node. */
  readonly checkerReportAge = new Map<string, number>();
  /** Per configured checker: 1 when its reports are older than the freshness window (or it never reported within it). */
  readonly checkerStale = new Map<string, number>();
  private readonly staleEpisodes = new Map<string, LabelledCounter>();
  /** Current verdict per health check (1 healthy, 0 unhealthy), set by the node. */
  readonly verdicts = new Map<string, number>();
  lastReloadOk = 1;
  /** TCP connections open now; read from the server when rendered. */
  tcpOpen: () => number = () => 0;
  /**
   * Counters of answering done elsewhere (the `cluster` workers of `serve --workers`, including those
   * that have exited), added to this process's own when totals are read or rendered.
   */
  answeredElsewhere: () => readonly AnswerCounters[] = () => [];

  /** This process's answering counters, as plain data. */
  answerCounters(): AnswerCounters {
    const list = (m: Map<string, LabelledCounter>) => [...m.values()].map((c) => ({ labels: c.labels, value: c.value }));
    return {
      queries: Array.from(this.queries),
      buckets: Array.from(this.buckets),
      latencySum: this.latencySum,
      latencyCount: this.latencyCount,
      dropped: this.dropped,
      clientSubnetQueries: this.clientSubnetQueries,
      tcpConnections: this.tcpConnections,
      tcpOpen: this.tcpOpen(),
      tcpRefusals: list(this.tcpRefusals),
      tcpCloses: list(this.tcpCloses),
      rrlActions: list(this.rrlActions),
    };
  }

  /** This process's answering counters and those of {@link answeredElsewhere}, added up. */
  private answering(): AnswerCounters {
    const others = this.answeredElsewhere();
    const own = this.answerCounters();
    return others.length === 0 ? own : sumAnswerCounters([own, ...others]);
  }

  /** Messages dropped unanswered, here and elsewhere (see {@link answeredElsewhere}). */
  totalDropped(): number {
    let n = this.dropped;
    for (const o of this.answeredElsewhere()) n += o.dropped;
    return n;
  }

  count(transport: Transport, rcode: number, qtype: number): void {
    const slot = qtype < 0 ? NO_TYPE_SLOT : TYPE_SLOT[qtype & 0xffff];
    this.queries[(transport * RCODE_SLOTS + (rcode & 31)) * TYPE_SLOTS + slot]++;
  }

  /** Records one answer's latency in seconds. */
  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    this.buckets[i]++;
    this.latencySum += seconds;
    this.latencyCount++;
  }

  /** Total answered queries with a given rcode (all transports and types), or all of them; here and elsewhere (see {@link answeredElsewhere}). */
  totalQueries(rcode?: number): number {
    let n = 0;
    for (const queries of [this.queries, ...this.answeredElsewhere().map((o) => o.queries)]) {
      for (let t = 0; t < 2; t++) {
        for (let r = 0; r < RCODE_SLOTS; r++) {
          if (rcode !== undefined && r !== rcode) continue;
          for (let s = 0; s < TYPE_SLOTS; s++) n += queries[(t * RCODE_SLOTS + r) * TYPE_SLOTS + s];
        }
      }
    }
    return n;
  }

  verdictChange(healthCheckId: string, healthy: boolean): void {
    bump(this.verdictChanges, { health_check: healthCheckId, healthy: String(healthy) });
  }

  report(result: 'accepted' | 'rejected', reason?: string): void {
    bump(this.reports, reason ? { result, reason } : { result });
  }

  /** A checker's reports went stale at this node. */
  checkerWentStale(checkerId: string): void {
    bump(this.staleEpisodes, { checker: checkerId });
  }

  /** A TCP connection closed at once: over the per-client limit, or every slot busy. */
  tcpRefused(reason: 'per-client-limit' | 'full'): void {
    bump(this.tcpRefusals, { reason });
  }

  /** A TCP connection closed by the server: an I/O or idle timeout, or evicted to make room. */
  tcpClosed(reason: 'io-timeout' | 'idle-timeout' | 'evicted'): void {
    bump(this.tcpCloses, { reason });
  }

  /** A UDP response dropped or sent truncated by response rate limiting. */
  rrl(action: 'dropped' | 'slipped'): void {
    bump(this.rrlActions, { action });
  }

  /** Observations left out of accepted reports (a health check the config does not have). */
  ignoredObservation(checkerId: string, reason: string, count = 1): void {
    bump(this.ignoredObservations, { checker: checkerId, reason }, count);
  }

  reload(ok: boolean): void {
    bump(this.reloads, { result: ok ? 'ok' : 'failed' });
    this.lastReloadOk = ok ? 1 : 0;
  }

  /** The Prometheus text format. */
  render(): string {
    const out: string[] = [];
    const a = this.answering();
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('dns_failover_queries_total', 'counter', 'DNS queries answered, by transport, response code and query type.');
    for (let t = 0; t < 2; t++) {
      for (let r = 0; r < RCODE_SLOTS; r++) {
        for (let s = 0; s < TYPE_SLOTS; s++) {
          const v = a.queries[(t * RCODE_SLOTS + r) * TYPE_SLOTS + s];
          if (v === 0) continue;
          out.push(`dns_failover_queries_total${labels({ transport: TRANSPORT_NAMES[t], rcode: RCODE_NAMES[r] ?? `RCODE${r}`, qtype: TYPE_LABELS[s] })} ${v}`);
        }
      }
    }
    head('dns_failover_dropped_messages_total', 'counter', 'Messages not answered: shorter than a DNS header, or responses rather than queries.');
    out.push(`dns_failover_dropped_messages_total ${a.dropped}`);
    head('dns_failover_client_subnet_queries_total', 'counter', 'Queries whose EDNS Client Subnet option was used and echoed (RFC 7871).');
    out.push(`dns_failover_client_subnet_queries_total ${a.clientSubnetQueries}`);
    head('dns_failover_tcp_connections_total', 'counter', 'TCP connections accepted.');
    out.push(`dns_failover_tcp_connections_total ${a.tcpConnections}`);
    head('dns_failover_tcp_connections_open', 'gauge', 'TCP connections open now.');
    out.push(`dns_failover_tcp_connections_open ${a.tcpOpen}`);
    head('dns_failover_tcp_connections_refused_total', 'counter', 'TCP connections closed at once, by reason (per-client-limit, full: every slot busy and none idle).');
    for (const c of a.tcpRefusals) out.push(`dns_failover_tcp_connections_refused_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_tcp_connections_closed_total', 'counter', 'TCP connections closed by the server, by reason (io-timeout, idle-timeout, evicted).');
    for (const c of a.tcpCloses) out.push(`dns_failover_tcp_connections_closed_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_rrl_responses_total', 'counter', 'UDP responses limited by response rate limiting, by action (dropped, slipped: sent truncated).');
    for (const c of a.rrlActions) out.push(`dns_failover_rrl_responses_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_answer_duration_seconds', 'histogram', 'Time from a query\'s arrival at the server to its response being handed to the socket.');
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += a.buckets[i];
      out.push(`dns_failover_answer_duration_seconds_bucket{le="${le}"} ${cumulative}`);
    });
    cumulative += a.buckets[LATENCY_BUCKETS.length];
    out.push(`dns_failover_answer_duration_seconds_bucket{le="+Inf"} ${cumulative}`);
    out.push(`dns_failover_answer_duration_seconds_sum ${a.latencySum}`);
    out.push(`dns_failover_answer_duration_seconds_count ${a.latencyCount}`);
    head('dns_failover_verdict_changes_total', 'counter', 'Health verdict changes, by health check and new verdict.');
    for (const c of this.verdictChanges.values()) out.push(`dns_failover_verdict_changes_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_health_check_healthy', 'gauge', 'The current verdict of each health check (1 healthy, 0 unhealthy).');
    for (const [id, v] of this.verdicts) out.push(`dns_failover_health_check_healthy${labels({ health_check: id })} ${v}`);
    head('dns_failover_reports_total', 'counter', 'Checker reports received, by result.');
    for (const c of this.reports.values()) out.push(`dns_failover_reports_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_report_observations_ignored_total', 'counter', 'Observations left out of accepted reports, by checker and reason (a health check this node\'s config does not have, or not as an endpoint check).');
    for (const c of this.ignoredObservations.values()) out.push(`dns_failover_report_observations_ignored_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_checker_report_age_seconds', 'gauge', 'Seconds since the last accepted report of each configured checker (-1: none since the node started).');
    for (const [id, v] of this.checkerReportAge) out.push(`dns_failover_checker_report_age_seconds${labels({ checker: id })} ${v}`);
    head('dns_failover_checker_stale', 'gauge', 'Whether a configured checker\'s reports are stale here (1: older than the freshness window, so they do not count).');
    for (const [id, v] of this.checkerStale) out.push(`dns_failover_checker_stale${labels({ checker: id })} ${v}`);
    head('dns_failover_checker_stale_total', 'counter', 'Times a checker\'s reports went stale here.');
    for (const c of this.staleEpisodes.values()) out.push(`dns_failover_checker_stale_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_reloads_total', 'counter', 'Configuration reloads, by result.');
    for (const c of this.reloads.values()) out.push(`dns_failover_reloads_total${labels(c.labels)} ${c.value}`);
    head('dns_failover_config_last_reload_successful', 'gauge', 'Whether the last configuration reload succeeded (1) or was refused (0).');
    out.push(`dns_failover_config_last_reload_successful ${this.lastReloadOk}`);
    return out.join('\n') + '\n';
  }
}

/** Answering counters added up (of several workers, or of one worker's life and the next). */
export function sumAnswerCounters(list: readonly AnswerCounters[]): AnswerCounters {
  const queries = new Array<number>(2 * RCODE_SLOTS * TYPE_SLOTS).fill(0);
  const buckets = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  const tcpRefusals = new Map<string, LabelledCounter>();
  const tcpCloses = new Map<string, LabelledCounter>();
  const rrlActions = new Map<string, LabelledCounter>();
  let latencySum = 0;
  let latencyCount = 0;
  let dropped = 0;
  let clientSubnetQueries = 0;
  let tcpConnections = 0;
  let tcpOpen = 0;
  for (const o of list) {
    for (let i = 0; i < queries.length; i++) queries[i] += o.queries[i] ?? 0;
    for (let i = 0; i < buckets.length; i++) buckets[i] += o.buckets[i] ?? 0;
    latencySum += o.latencySum;
    latencyCount += o.latencyCount;
    dropped += o.dropped;
    clientSubnetQueries += o.clientSubnetQueries;
    tcpConnections += o.tcpConnections;
    tcpOpen += o.tcpOpen;
    for (const l of o.tcpRefusals) bump(tcpRefusals, l.labels, l.value);
    for (const l of o.tcpCloses) bump(tcpCloses, l.labels, l.value);
    for (const l of o.rrlActions) bump(rrlActions, l.labels, l.value);
  }
  return {
    queries,
    buckets,
    latencySum,
    latencyCount,
    dropped,
    clientSubnetQueries,
    tcpConnections,
    tcpOpen,
    tcpRefusals: [...tcpRefusals.values()],
    tcpCloses: [...tcpCloses.values()],
    rrlActions: [...rrlActions.values()],
  };
}

function bump(map: Map<string, LabelledCounter>, l: Record<string, string>, by = 1): void {
  const key = JSON.stringify(l);
  const c = map.get(key);
  if (c) c.value += by;
  else map.set(key, { labels: l, value: by });
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Readonly<Record<string, string>>): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}
