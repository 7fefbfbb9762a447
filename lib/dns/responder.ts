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
 */
import { HealthLookup, RandomSource } from '../engine';
import { DnsMetrics, Transport } from './metrics';
import { parseQuery, ParsedQuery, QueryVerdict } from './query';
import { EDNS_DO, Flag, Rcode, RRClass, RRType } from './wire';
import { EncodedTail, NameNode, ZoneSet } from './zones';

/** The answer data in force: swapped as a whole on reload. */
export interface Serving {
  readonly zones: ZoneSet;
  readonly isHealthy: HealthLookup;
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
  lastName = '';
  lastType = 0;

  private readonly q = new ParsedQuery();
  private readonly maxUdpPayload: number;
  private readonly random: RandomSource;

  constructor(private readonly serving: () => Serving, private readonly metrics: DnsMetrics, options: ResponderOptions = {}) {
    this.maxUdpPayload = Math.max(512, Math.min(65535, options.maxUdpPayload ?? DEFAULT_MAX_UDP_PAYLOAD));
    this.random = options.random ?? Math.random;
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
  answer(buf: Buffer, length: number, transport: Transport): Buffer | undefined {
    const q = this.q;
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
    if (q.error !== 0) return this.bare(buf, q.error, q.hasQuestion, limit, transport);
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
      const serving = this.serving();
      const node = serving.zones.lookup(q.key);
      if (node) {
        enc = this.forNode(serving, node, q.qtype);
        this.lastKind = 0;
        this.lastName = q.key;
        this.lastType = q.qtype;
      } else {
        const zone = serving.zones.zoneForKey(q.key);
        if (!zone) return this.bare(buf, Rcode.REFUSED, true, limit, transport);
        enc = serving.zones.nxdomainTail(zone, q.qnameEnd - 12);
        this.lastKind = 1;
        this.lastName = zone.key;
      }
    } catch (e) {
      q.problem = `internal error: ${(e as Error).message}`;
      aa = false;
      return this.bare(buf, Rcode.SERVFAIL, true, limit, transport);
    }
    return this.build(buf, enc, limit, aa, transport);
  }

  private forNode(serving: Serving, node: NameNode, qtype: number): EncodedTail {
    const cacheable = qtype < 256;
    const plan = cacheable ? node.plans.get(qtype) : null;
    if (plan) return plan; // does not depend on health or chance
    if (plan === null) {
      // A failover group answers directly: the engine chooses, the encoding is kept per choice.
      const src = qtype === RRType.CNAME ? node.cname : qtype === RRType.ANY ? undefined : node.rrsets.get(qtype);
      if (src && src.kind === 'group') {
        const chosen = src.group.select(serving.isHealthy, this.random);
        let enc = src.cache.get(chosen);
        if (!enc) {
          const answers = [];
          for (const r of chosen) answers.push(...src.rrs.get(r)!);
          enc = serving.zones.encode(node, qtype, { rcode: Rcode.NOERROR, answers, authority: [], additional: [], selections: [chosen] });
          src.cache.set(chosen, enc);
        }
        return enc;
      }
    }
    const res = serving.zones.resolve(node, qtype, serving.isHealthy, this.random);
    if (res.selections.length === 1 && cacheable) {
      // The answer depends on one choice of the engine only (a CNAME chain to a group): keep it per choice.
      let byChoice = node.chosen.get(qtype);
      if (!byChoice) node.chosen.set(qtype, (byChoice = new WeakMap()));
      let enc = byChoice.get(res.selections[0]);
      if (!enc) byChoice.set(res.selections[0], (enc = serving.zones.encode(node, qtype, res)));
      if (plan === undefined) node.plans.set(qtype, null);
      return enc;
    }
    const enc = serving.zones.encode(node, qtype, res);
    if (plan === undefined && cacheable) node.plans.set(qtype, res.selections.length === 0 ? enc : null);
    return enc;
  }

  private build(query: Buffer, enc: EncodedTail, limit: number, aa: boolean, transport: Transport): Buffer {
    const q = this.q;
    const qlen = q.questionEnd - 12;
    const opt = q.edns ? OPT_LENGTH : 0;
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
    if (opt) writeOpt(out, p, this.maxUdpPayload, enc.rcode >> 4, q.dnssecOk);
    this.metrics.count(transport, enc.rcode, q.qtype);
    return out;
  }

  /** A response without data: an error, REFUSED, or NOTIMP. Echoes the question when it was read. */
  private bare(query: Buffer, rcode: number, withQuestion: boolean, limit: number, transport: Transport): Buffer {
    this.lastKind = 2;
    const q = this.q;
    const echo = withQuestion && q.hasQuestion;
    const qlen = echo ? q.questionEnd - 12 : 0;
    const opt = q.edns ? OPT_LENGTH : 0;
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
        writeOpt(out, 12 + qlen, this.maxUdpPayload, rcode >> 4, q.dnssecOk);
      }
    }
    this.metrics.count(transport, rcode, q.hasQuestion ? q.qtype : -1);
    return out;
  }
}

/** Our OPT record: root owner, our payload size, extended rcode, version 0, DO as asked, no options. */
function writeOpt(out: Buffer, p: number, payload: number, extendedRcode: number, dnssecOk: boolean): void {
  out[p] = 0;
  out[p + 1] = 0;
  out[p + 2] = RRType.OPT;
  out[p + 3] = payload >> 8;
  out[p + 4] = payload & 0xff;
  out[p + 5] = extendedRcode & 0xff;
  out[p + 6] = 0;
  out[p + 7] = dnssecOk ? EDNS_DO >> 8 : 0;
  out[p + 8] = 0;
  out[p + 9] = 0;
  out[p + 10] = 0;
}
