/**
 * How the drill watches the answers: real DNS queries against its DNS node (Node's resolver, or for a
 * gateway whose answers depend on the client, queries of our own carrying the EDNS Client Subnet
 * option, RFC 7871), the window the timing model predicts for a step, and whether a measured time lies
 * inside it.
 */
import * as dgram from 'dgram';
import { promises as dnsPromises } from 'dns';
import { isIPv6 } from 'net';
import { decodeMessage, EdnsOption, encodeMessage, optRecord, RRType } from '../../dns/wire';
import { parseClientSubnet } from '../../engine';
import { HealthCheckModel, normalizeName } from '../../model';
import { Gateway } from '../gateways';
import { checkTiming } from '../timing';
import { Scenario } from '../whatif';

export interface PredictedWindow {
  /** The failure (or recovery) happens just before a probe: (threshold - 1) x interval. */
  readonly minMs: number;
  /** ROUTE53.md §4's "about threshold x interval". */
  readonly typicalMs: number;
  /** One more interval of skew between checkers: (threshold + 1) x interval. */
  readonly worstMs: number;
}

/**
 * The window of a step that changes these checks, from the timing model (ROUTE53.md §4): the widest
 * over the checks, for an endpoint that refuses connections.
 */
export function predictedWindow(ids: readonly string[], checks: ReadonlyMap<string, HealthCheckModel>): PredictedWindow {
  let w = { minMs: 0, typicalMs: 0, worstMs: 0 };
  for (const id of ids) {
    const hc = checks.get(id);
    if (!hc) continue;
    const t = checkTiming(hc, checks);
    if (!t.detectRefusing || t.failureThreshold === undefined || t.requestInterval === undefined) continue;
    w = {
      minMs: Math.max(w.minMs, (t.failureThreshold - 1) * t.requestInterval * 1000),
      typicalMs: Math.max(w.typicalMs, t.detectRefusing.typical * 1000),
      worstMs: Math.max(w.worstMs, t.detectRefusing.worst * 1000),
    };
  }
  return { minMs: Math.round(w.minMs), typicalMs: Math.round(w.typicalMs), worstMs: Math.round(w.worstMs) };
}

/** Whether a measured change lies in its predicted window, give or take the measurement tolerance. */
export function withinWindow(measuredMs: number | undefined, predicted: PredictedWindow, toleranceMs: number): boolean {
  return measuredMs !== undefined && measuredMs >= predicted.minMs - toleranceMs && measuredMs <= predicted.worstMs + toleranceMs;
}

function normalizeIpv6(v: string): string {
  return isIPv6(v) ? new URL(`http://[${v}]/`).hostname.slice(1, -1) : v;
}

/** A value as the drill compares answers: IPv6 compressed, names lower case without the root dot. */
export function normalizedValue(recordType: string, v: string): string {
  return recordType === 'AAAA' ? normalizeIpv6(v) : recordType === 'A' ? v : normalizeName(v);
}

/** Reads the answers of one gateway from the drill's DNS node: the values, normalised (undefined: no answer). */
export function querier(resolver: dnsPromises.Resolver, g: Gateway): () => Promise<string[] | undefined> {
  const name = g.name;
  return async () => {
    try {
      switch (g.recordType) {
        case 'A': return await resolver.resolve4(name);
        case 'AAAA': return (await resolver.resolve6(name)).map(normalizeIpv6);
        default: return (await resolver.resolveCname(name)).map((v) => normalizeName(v));
      }
    } catch {
      return undefined;
    }
  };
}

/**
 * The values a scenario answers, each with the probability that it is part of the answer: from the
 * engine's list of answers (in a tree, the records at the end of the path), else from the members'
 * shares (a gateway with too many possible answers to list has no aliases: multivalue).
 */
export function answerValues(g: Gateway, s: Scenario): Map<string, number> {
  const out = new Map<string, number>();
  if (s.answers) {
    for (const a of s.answers) {
      for (const v of new Set(a.values.map((x) => normalizedValue(g.recordType, x)))) out.set(v, (out.get(v) ?? 0) + a.probability);
    }
    return out;
  }
  g.members.forEach((m, i) => {
    for (const v of m.record.values) {
      const key = normalizedValue(g.recordType, v);
      out.set(key, Math.max(out.get(key) ?? 0, s.shares[i]?.probability ?? 0));
    }
  });
  return out;
}

/** Whether two scenarios answer the same values with the same probabilities. */
export function sameAnswers(g: Gateway, a: Scenario, b: Scenario): boolean {
  const x = answerValues(g, a);
  const y = answerValues(g, b);
  const keys = new Set([...x.keys(), ...y.keys()]);
  return [...keys].every((k) => Math.abs((x.get(k) ?? 0) - (y.get(k) ?? 0)) < 1e-9);
}

/** The EDNS Client Subnet option (RFC 7871 §6) for a subnet: FAMILY, SOURCE PREFIX-LENGTH, SCOPE 0, the address octets it covers. */
export function clientSubnetOption(text: string): EdnsOption {
  const subnet = parseClientSubnet(text);
  const octets = Math.ceil(subnet.prefix / 8);
  const address = Buffer.alloc(octets);
  // The subnet's leading bits: 32 for IPv4, 48 for IPv6 (Route 53 decides on no more).
  const width = subnet.family === 4 ? 4 : 6;
  for (let i = 0; i < octets; i++) address[i] = Math.floor(subnet.bits / 2 ** (8 * (width - 1 - i))) % 256;
  const head = Buffer.from([0, subnet.family === 4 ? 1 : 2, subnet.prefix, 0]);
  return { code: 8, data: Buffer.concat([head, address]) };
}

/**
 * Queries of our own over UDP, one socket for every client of the drill: each carries an OPT record
 * with the client's subnet in the EDNS Client Subnet option, so the DNS node answers as it would a
 * resolver asking for that client.
 */
export class SubnetQuerier {
  /** Opens a socket to the DNS server at `host:port` (IPv4 loopback in the drill). */
  static async open(host: string, port: number, timeoutMs = 1000): Promise<SubnetQuerier> {
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, isIPv6(host) ? '::1' : '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new SubnetQuerier(socket, host, port, timeoutMs);
  }

  private readonly pending = new Map<number, (answers: string[] | undefined) => void>();
  private nextId = 1;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {
    socket.on('message', (msg) => {
      if (msg.length < 2) return;
      const done = this.pending.get(msg.readUInt16BE(0));
      if (!done) return;
      try {
        const m = decodeMessage(msg);
        const rcode = m.flags & 0xf;
        if ((m.flags & 0x8000) === 0 || rcode !== 0) return done(undefined);
        const type = m.questions[0]?.type;
        done(m.answers.filter((r) => r.type === type).map((r) => {
          const d = r.data;
          return d.kind === 'A' ? d.address : d.kind === 'AAAA' ? normalizeIpv6(d.address) : d.kind === 'NAME' ? normalizeName(d.name) : '';
        }));
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => undefined);
  }

  /**
   * The values answered for `name` of `recordType` (A, AAAA, CNAME) to a client in `subnet`,
   * normalised; an empty list for NOERROR without answers; undefined for an error or no answer in time.
   */
  query(name: string, recordType: string, subnet: string): Promise<string[] | undefined> {
    const type = recordType === 'AAAA' ? RRType.AAAA : recordType === 'CNAME' ? RRType.CNAME : RRType.A;
    let id = this.nextId;
    while (this.pending.has(id)) id = (id % 65535) + 1;
    this.nextId = (id % 65535) + 1;
    const message = encodeMessage({
      id,
      flags: 0,
      questions: [{ name, type, klass: 1 }],
      answers: [],
      authorities: [],
      additionals: [optRecord({ udpPayloadSize: 1232, ednsOptions: [clientSubnetOption(subnet)] })],
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      const finish = (answers: string[] | undefined) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answers);
      };
      this.pending.set(id, finish);
      this.socket.send(message, this.port, this.host, (e) => {
        if (e) finish(undefined);
      });
    });
  }

  close(): Promise<void> {
    for (const done of [...this.pending.values()]) done(undefined);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Reads the answers of one gateway for one client subnet (see {@link querier}). */
export function subnetQuerier(q: SubnetQuerier, g: Gateway, subnet: string): () => Promise<string[] | undefined> {
  return () => q.query(g.name, g.recordType, subnet);
}
