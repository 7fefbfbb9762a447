/**
 * From one query message to one response message: the protocol rules of an authoritative server.
 *
 * - AA on every answer from our zones; RA clear and RD copied (no recursion is offered).
 * - REFUSED for names outside our zones and for classes other than IN (and ANY); zone transfers
 *   (AXFR, IXFR) are not offered and get REFUSED too.
 * - FORMERR for malformed queries, NOTIMP for opcodes other than QUERY; responses (QR set) and
 *   messages shorter than a header are dropped.
 * - EDNS (RFC 6891): our OPT in the response when the query had one; the payload size honoured
 *   (at least 512, at most `maxUdpPayload`); the DO bit echoed; unknown options and flags ignored
 *   (and not echoed); version above 0 answered BADVERS.
 * - TC when the answer does not fit the UDP payload size: the question alone, so the client retries
 *   over TCP, where the full answer goes.
 * - EDNS Client Subnet (RFC 7871): a routing tree answers the client of the option (else of the source
 *   address; SOURCE PREFIX-LENGTH 0 means the client's address is not to be used, so the source
 *   address answers); the option is echoed with FAMILY, SOURCE and ADDRESS as sent and a SCOPE
 *   PREFIX-LENGTH of the network the decision depended on, never longer than SOURCE: 0 for answers
 *   that depend on no client, the GeoIP network for geolocation and GeoIP-based latency, the whole
 *   subnet (at most /24, /48) for IP-based routing and the latency map. A malformed option is FORMERR.
 */
import { Client, HealthLookup, RandomSource, UNKNOWN_CLIENT } from '../engine';
import { RecordSetModel } from '../model';
import { ClientResolver, ResolvedClient } from './clients';
import { DnsMetrics, Transport } from './metrics';
import { EDNS_CLIENT_SUBNET, parseQuery, ParsedQuery, QueryVerdict } from './query';
import { EDNS_DO, Flag, nameToWire, Rcode, ResourceRecord, RRClass, RRType, typeCode } from './wire';
import { ChoiceCache, ClientPolicy, EncodedTail, GroupRRset, NameNode, Plan, Resolution, rrsetOf, TreeRRset, ZoneSet } from './zones';

/** The answer data in force: swapped as a whole on reload. */
export interface Serving {
  readonly zones: ZoneSet;
  readonly isHealthy: HealthLookup;
  /**
   * The health state behind `isHealthy`, when it has one (`HealthState`): its `generation` changes
   * whenever a verdict does, so groups are prepared once per generation and a query reads no verdict.
   * @default - every query asks `isHealthy`
   */
  readonly health?: { readonly generation: number };
  /** Who asks (GeoIP, regions, latency map), when the zones hold client-dependent trees. */
  readonly clients?: ClientResolver;
  /** Answer by the source address and echo no Client Subnet option. */
  readonly ignoreClientSubnet?: boolean;
}

export interface ResponderOptions {
  /**
   * The largest UDP response sent, whatever the client offers (and the size we advertise).
   * @default 1232 (the DNS Flag Day 2020 value: no IP fragmentation on common paths)
   */
  readonly maxUdpPayload?: number;
  /** @default Math.random */
  readonly random?: RandomSource;
}

export const DEFAULT_MAX_UDP_PAYLOAD = 1232;
const OPT_LENGTH = 11;

export class Responder {
  /**
   * What the last response was, for response rate limiting: 0 an answer (positive or NODATA) for
   * `lastName` (the question's key) and `lastType`; 1 NXDOMAIN in the zone `lastName`; 2 an error
   * (REFUSED, FORMERR, NOTIMP, SERVFAIL, BADVERS). `lastQuestionEnd`: where the question ends.
   */
  lastKind = 0;
  lastType = 0;
  private lastZone = '';

  private readonly q = new ParsedQuery();
  /** The query being answered, and its source address. */
  private buffer: Buffer = Buffer.alloc(0);
  private source = '';
  /** Its client, resolved once when a tree needs it. */
  private resolved?: ResolvedClient;
  /** The SCOPE PREFIX-LENGTH of the response being built. */
  private scope = 0;
  /** The Client Subnet option is echoed in the response being built. */
  private echoEcs = false;
  private readonly maxUdpPayload: number;
  private readonly random: RandomSource;

  constructor(private readonly serving: () => Serving, private readonly metrics: DnsMetrics, options: ResponderOptions = {}) {
    this.maxUdpPayload = Math.max(512, Math.min(65535, options.maxUdpPayload ?? DEFAULT_MAX_UDP_PAYLOAD));
    this.random = options.random ?? Math.random;
  }

  /** See {@link lastKind}: made when asked for (rate limiting), so that an answer makes no string. */
  get lastName(): string {
    return this.lastKind === 1 ? this.lastZone : this.lastKind === 0 ? this.q.key : '';
  }

  /** The last query's problem, when it was malformed (for tests and debugging). */
  get lastProblem(): string {
    return this.q.problem;
  }

  /** Where the last query's question ended (the header and question of a truncated copy). */
  get lastQuestionEnd(): number {
    return this.q.hasQuestion ? this.q.questionEnd : 12;
  }

  /** The response to a query, or undefined when the message must be dropped. Never throws. */
  answer(buf: Buffer, length: number, transport: Transport, source = ''): Buffer | undefined {
    const q = this.q;
    this.buffer = buf;
    this.source = source;
    this.resolved = undefined;
    this.scope = 0;
    let verdict: QueryVerdict;
    try {
      verdict = parseQuery(buf, length, q);
    } catch (e) {
      // parseQuery checks every bound; this is a safety net, not a path.
      q.error = Rcode.FORMERR;
      q.problem = `unexpected: ${(e as Error).message}`;
      verdict = QueryVerdict.Answer;
    }
    if (verdict === QueryVerdict.Drop) {
      this.metrics.dropped++;
      return undefined;
    }
    const limit = transport === Transport.TCP ? 65535 : q.edns ? Math.max(512, Math.min(q.udpSize, this.maxUdpPayload)) : 512;
    this.echoEcs = false;
    if (q.error !== 0) return this.bare(buf, q.error, q.hasQuestion, limit, transport);
    let serving: Serving;
    try {
      serving = this.serving();
    } catch (e) {
      q.problem = `internal error: ${(e as Error).message}`;
      return this.bare(buf, Rcode.SERVFAIL, true, limit, transport);
    }
    this.echoEcs = q.ecsFamily !== 0 && serving.ignoreClientSubnet !== true;
    if (this.echoEcs) this.metrics.clientSubnetQueries++;
    if ((q.qclass !== RRClass.IN && q.qclass !== RRClass.ANY) || q.qtype === RRType.AXFR || q.qtype === RRType.IXFR) {
      return this.bare(buf, Rcode.REFUSED, true, limit, transport);
    }
    if (q.qtype === RRType.OPT) {
      q.problem = 'OPT is not a query type';
      return this.bare(buf, Rcode.FORMERR, true, limit, transport);
    }
    let enc: EncodedTail;
    let aa = true;
    try {
      const node = serving.zones.lookupWire(buf, 12, q.qnameEnd);
      if (node) {
        enc = this.forNode(serving, node, q.qtype);
        this.lastKind = 0;
        this.lastType = q.qtype;
      } else {
        const zone = serving.zones.zoneForKey(q.key);
        if (!zone) return this.bare(buf, Rcode.REFUSED, true, limit, transport);
        enc = serving.zones.nxdomainTail(zone, q.qnameEnd - 12);
        this.lastKind = 1;
        this.lastZone = zone.key;
      }
    } catch (e) {
      q.problem = `internal error: ${(e as Error).message}`;
      aa = false;
      return this.bare(buf, Rcode.SERVFAIL, true, limit, transport);
    }
    return this.build(buf, enc, limit, aa, transport);
  }

  /** The client of the query being answered (its Client Subnet, else its source address), resolved once. */
  private clientFor(serving: Serving): ResolvedClient | undefined {
    if (this.resolved || !serving.clients) return this.resolved;
    const q = this.q;
    if (q.ecsFamily !== 0 && q.ecsSource > 0 && serving.ignoreClientSubnet !== true) {
      this.resolved = serving.clients.fromClientSubnet(q.ecsFamily, q.ecsSource, this.buffer, q.ecsAddress, q.ecsAddressLength);
    } else if (this.source !== '') {
      this.resolved = serving.clients.fromAddress(this.source);
    }
    return this.resolved;
  }

  /** The engine's client for a tree with these client-dependent policies; notes the response's scope. */
  private treeClient(serving: Serving, policies: ReadonlySet<ClientPolicy>): Client {
    if (policies.size === 0) return UNKNOWN_CLIENT;
    const resolved = this.clientFor(serving);
    if (!resolved) return UNKNOWN_CLIENT;
    const q = this.q;
    if (this.echoEcs && q.ecsSource > 0) {
      const subnet = resolved.client.subnet!.prefix;
      const wide = policies.has('ip-based') || (policies.has('latency') && resolved.mapped);
      const scope = wide ? subnet : Math.min(subnet, resolved.geoPrefix);
      if (scope > this.scope) this.scope = scope;
    }
    return resolved.client;
  }

  private forNode(serving: Serving, node: NameNode, qtype: number): EncodedTail {
    const plan = node.hotType === qtype ? node.hotPlan : qtype < 256 ? node.plans?.get(qtype) : null;
    if (plan) {
      if (!('kind' in plan)) return plan; // depends on no verdict and no chance
      return plan.kind === 'group' ? this.groupAnswer(serving, node, qtype, plan) : this.treeAnswer(serving, node, qtype, plan);
    }
    if (plan === undefined) {
      // The first query of this type: a group or tree of the name answers directly; anything else
      // goes through the zones once to find out whether its answer depends on verdicts or chance.
      const src = qtype === RRType.CNAME ? node.cname : qtype === RRType.ANY ? undefined : rrsetOf(node, qtype);
      if (src && src.kind !== 'static') {
        setPlan(node, qtype, src);
        return src.kind === 'group' ? this.groupAnswer(serving, node, qtype, src) : this.treeAnswer(serving, node, qtype, src);
      }
    }
    // A CNAME chain (or ANY): resolved through the zones, with the client when a tree on the way needs it.
    const needsClient = serving.clients !== undefined && serving.zones.clientDependent;
    const client = needsClient ? this.clientFor(serving)?.client : undefined;
    const res = serving.zones.resolve(node, qtype, serving.isHealthy, this.random, client);
    if (res.clientPolicies.size > 0) this.treeClient(serving, res.clientPolicies);
    const cacheable = qtype < 256;
    if (res.selections.length === 1 && cacheable) {
      // The answer depends on one choice of the engine only (a CNAME chain to a group): keep it per choice.
      const chosen = (node.chosen ??= new Map());
      let byChoice = chosen.get(qtype);
      if (!byChoice) chosen.set(qtype, (byChoice = new ChoiceCache()));
      let enc = byChoice.get(res.selections[0]);
      if (!enc) byChoice.set(res.selections[0], (enc = serving.zones.encode(node, qtype, res)));
      if (plan === undefined) setPlan(node, qtype, null);
      return enc;
    }
    const enc = serving.zones.encode(node, qtype, res);
    if (plan === undefined && cacheable) setPlan(node, qtype, res.selections.length === 0 ? enc : null);
    return enc;
  }

  /** A failover group answers directly: the engine chooses, the encoding is kept per choice. */
  private groupAnswer(serving: Serving, node: NameNode, qtype: number, src: GroupRRset): EncodedTail {
    let chosen: readonly RecordSetModel[];
    const health = serving.health;
    if (health === undefined) {
      chosen = src.group.select(serving.isHealthy, this.random);
    } else {
      const generation = health.generation;
      let prepared = src.prepared;
      if (prepared === undefined || src.preparedFor !== health || src.preparedGeneration !== generation) {
        prepared = src.prepared = src.group.prepare(serving.isHealthy);
        src.preparedFor = health;
        src.preparedGeneration = generation;
      }
      chosen = prepared.select(this.random);
    }
    let enc = src.get(chosen);
    if (!enc) {
      const answers = [];
      for (const r of chosen) answers.push(...src.recordsOf(r));
      enc = serving.zones.encode(node, qtype, resolution(answers, [], chosen));
      src.set(chosen, enc);
    }
    return enc;
  }

  /** The top of a routing tree answers directly: the engine walks the tree for the client. */
  private treeAnswer(serving: Serving, node: NameNode, qtype: number, src: TreeRRset): EncodedTail {
    const chosen = src.tree.resolve(src.treeGroup, serving.isHealthy, this.random, this.treeClient(serving, src.clientPolicies));
    let enc = src.get(chosen);
    if (!enc) {
      const answers = [];
      for (const r of chosen) answers.push(...src.recordsOf(r));
      const authority = answers.length === 0 ? [node.zone.negativeSoa] : [];
      enc = serving.zones.encode(node, qtype, resolution(answers, authority, chosen));
      src.set(chosen, enc);
    }
    return enc;
  }

  private build(query: Buffer, enc: EncodedTail, limit: number, aa: boolean, transport: Transport): Buffer {
    const q = this.q;
    const qlen = q.questionEnd - 12;
    const opt = q.edns ? this.optLength() : 0;
    let total = 12 + qlen + enc.tail.length + opt;
    const tc = total > limit;
    if (tc) total = 12 + qlen + opt;
    const out = Buffer.allocUnsafe(total);
    out[0] = q.id >> 8;
    out[1] = q.id & 0xff;
    const flags = Flag.QR | (aa ? Flag.AA : 0) | (tc ? Flag.TC : 0) | (q.flags & (Flag.RD | Flag.CD)) | (enc.rcode & 0xf);
    out[2] = flags >> 8;
    out[3] = flags & 0xff;
    out[4] = 0;
    out[5] = 1;
    const an = tc ? 0 : enc.an;
    const ns = tc ? 0 : enc.ns;
    const ar = (tc ? 0 : enc.ar) + (opt ? 1 : 0);
    out[6] = an >> 8;
    out[7] = an & 0xff;
    out[8] = ns >> 8;
    out[9] = ns & 0xff;
    out[10] = ar >> 8;
    out[11] = ar & 0xff;
    // Byte loops: for a few dozen octets they are several times faster than Buffer#copy.
    for (let i = 12; i < q.questionEnd; i++) out[i] = query[i];
    let p = 12 + qlen;
    if (!tc) {
      const tail = enc.tail;
      const n = tail.length;
      if (n > 128) out.set(tail, p);
      else for (let i = 0; i < n; i++) out[p + i] = tail[i];
      p += n;
    }
    if (opt) this.writeOpt(out, p, enc.rcode >> 4);
    this.metrics.count(transport, enc.rcode, q.qtype);
    return out;
  }

  /** Octets of our OPT record: with the echoed Client Subnet option when there is one. */
  private optLength(): number {
    return OPT_LENGTH + (this.echoEcs ? ECS_FIXED + this.q.ecsAddressLength : 0);
  }

  /**
   * Our OPT record: root owner, our payload size, extended rcode, version 0, DO as asked; the Client
   * Subnet option echoed (FAMILY, SOURCE, ADDRESS as the query sent them, our SCOPE), no other option.
   */
  private writeOpt(out: Buffer, p: number, extendedRcode: number): void {
    const q = this.q;
    const payload = this.maxUdpPayload;
    const ecs = this.echoEcs ? ECS_FIXED + q.ecsAddressLength : 0;
    out[p] = 0;
    out[p + 1] = 0;
    out[p + 2] = RRType.OPT;
    out[p + 3] = payload >> 8;
    out[p + 4] = payload & 0xff;
    out[p + 5] = extendedRcode & 0xff;
    out[p + 6] = 0;
    out[p + 7] = q.dnssecOk ? EDNS_DO >> 8 : 0;
    out[p + 8] = 0;
    out[p + 9] = ecs >> 8;
    out[p + 10] = ecs & 0xff;
    if (ecs === 0) return;
    const o = p + 11;
    out[o] = 0;
    out[o + 1] = EDNS_CLIENT_SUBNET;
    out[o + 2] = 0;
    out[o + 3] = 4 + q.ecsAddressLength;
    out[o + 4] = 0;
    out[o + 5] = q.ecsFamily;
    out[o + 6] = q.ecsSource;
    out[o + 7] = Math.min(this.scope, q.ecsSource);
    for (let i = 0; i < q.ecsAddressLength; i++) out[o + 8 + i] = this.buffer[q.ecsAddress + i];
  }

  /** A response without data: an error, REFUSED, or NOTIMP. Echoes the question when it was read. */
  private bare(query: Buffer, rcode: number, withQuestion: boolean, limit: number, transport: Transport): Buffer {
    this.lastKind = 2;
    const q = this.q;
    const echo = withQuestion && q.hasQuestion;
    const qlen = echo ? q.questionEnd - 12 : 0;
    const opt = q.edns ? this.optLength() : 0;
    const total = 12 + qlen + opt;
    const tc = total > limit;
    const out = Buffer.allocUnsafe(tc ? 12 : total);
    out[0] = q.id >> 8;
    out[1] = q.id & 0xff;
    const flags = Flag.QR | ((q.opcode & 0xf) << 11) | (tc ? Flag.TC : 0) | (q.flags & (Flag.RD | Flag.CD)) | (rcode & 0xf);
    out[2] = flags >> 8;
    out[3] = flags & 0xff;
    out.fill(0, 4, 12);
    if (!tc) {
      if (echo) {
        out[5] = 1;
        query.copy(out, 12, 12, q.questionEnd);
      }
      if (opt) {
        out[11] = 1;
        this.writeOpt(out, 12 + qlen, rcode >> 4);
      }
    }
    this.metrics.count(transport, rcode, q.hasQuestion ? q.qtype : -1);
    return out;
  }
}

/** Fewest and most questions of a warm-up (see {@link warmUp}). */
const WARM_UP_MIN = 2_000;
const WARM_UP_MAX = 20_000;

/**
 * Asks a freshly compiled zone set, through a responder of its own (its counters are thrown away),
 * the question of each group it serves (every group once, up to 20,000, and at least 2,000 questions in
 * all; every other one with EDNS), so that the code which answers is compiled by V8 and the encoded answers
 * of the choices made are cached before the first client asks: an answering worker does this before it
 * listens. Verdicts play no part in what is kept (encoded answers are kept by the engine's choice).
 * Returns how many questions were asked.
 */
export function warmUp(serving: Serving): number {
  const questions: Buffer[] = [];
  const groups = serving.zones.groups;
  const names = groups.length > 0
    ? groups.slice(0, WARM_UP_MAX).map((g) => [g.name, typeCode(g.recordType) ?? RRType.A] as const)
    : serving.zones.zones.map((z) => [z.name, RRType.SOA] as const);
  names.forEach(([name, type], k) => {
    const edns = (k & 1) === 1;
    const qname = nameToWire(name);
    const q = Buffer.alloc(12 + qname.length + 4 + (edns ? 11 : 0));
    q.writeUInt16BE(1, 4); // QDCOUNT
    if (edns) q.writeUInt16BE(1, 10); // ARCOUNT
    qname.copy(q, 12);
    q.writeUInt16BE(type, 12 + qname.length);
    q.writeUInt16BE(RRClass.IN, 14 + qname.length);
    if (edns) {
      const o = 16 + qname.length + 1; // the OPT's owner is the root: the zero octet left by alloc
      q.writeUInt16BE(RRType.OPT, o);
      q.writeUInt16BE(DEFAULT_MAX_UDP_PAYLOAD, o + 2);
    }
    questions.push(q);
  });
  if (questions.length === 0) return 0;
  const responder = new Responder(() => serving, new DnsMetrics());
  const total = Math.max(WARM_UP_MIN, Math.min(WARM_UP_MAX, names.length));
  for (let i = 0; i < total; i++) {
    const q = questions[i % questions.length];
    responder.answer(q, q.length, Transport.UDP);
  }
  return total;
}

/** Keeps how `node` answers `qtype` (only types below 256 are kept: the rest are meta types). */
function setPlan(node: NameNode, qtype: number, plan: Plan): void {
  if (qtype >= 256) return;
  if (node.hotType === -1) {
    node.hotType = qtype;
    node.hotPlan = plan;
  } else {
    (node.plans ??= new Map()).set(qtype, plan);
  }
}

/** A direct answer of one group's choice, to encode. */
function resolution(answers: ResourceRecord[], authority: ResourceRecord[], chosen: readonly RecordSetModel[]): Resolution {
  return { rcode: Rcode.NOERROR, answers, authority, additional: [], selections: [chosen], clientPolicies: new Set() };
}

/** The Client Subnet option's fixed part: code, length, FAMILY, SOURCE, SCOPE. */
const ECS_FIXED = 8;
