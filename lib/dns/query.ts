/**
 * The query side of the hot path: reads what an authoritative server needs from a query (header,
 * the one question, the OPT record) in one pass, without building objects, and says precisely
 * what is wrong with a malformed one.
 */
import { EDNS_DO, Flag, Opcode, Rcode, RRType } from './wire';

const EMPTY = Buffer.alloc(0);

/** What was read from one query. One instance is reused for every query (answers are synchronous). */
export class ParsedQuery {
  id = 0;
  flags = 0;
  opcode = 0;
  /** Offset just after the question name. */
  qnameEnd = 12;
  /** Offset just after the question (name, type, class). */
  questionEnd = 12;
  /** Whether the question could be read (it is echoed in error responses then). */
  hasQuestion = false;
  qtype = 0;
  qclass = 0;
  /** Whether the question name has upper-case letters. */
  upper = false;
  /** The message read last (the question name's octets are in it). */
  message: Buffer = EMPTY;
  private keyText: string | undefined = undefined;
  edns = false;
  ednsVersion = 0;
  /** The requestor's UDP payload size, as sent. */
  udpSize = 512;
  dnssecOk = false;
  /**
   * The EDNS Client Subnet option (RFC 7871), when the query has a valid one: its FAMILY (1 IPv4, 2
   * IPv6; 0 when absent), SOURCE PREFIX-LENGTH, and where its ADDRESS octets are in the message.
   */
  ecsFamily = 0;
  ecsSource = 0;
  ecsAddress = 0;
  ecsAddressLength = 0;
  /** Set when the query cannot be answered normally: FORMERR, NOTIMP, BADVERS; 0 otherwise. */
  error = 0;
  /** Why `error` is set, for logs and tests. */
  problem = '';

  /**
   * Lower-case wire form of the question name (latin1): the key of names that are not in the name
   * table (NXDOMAIN, refusals) and of rate limiting. Made when first asked for, so that a query for a
   * served name makes no string.
   */
  get key(): string {
    if (this.keyText === undefined) {
      if (!this.hasQuestion) return '';
      const raw = latin1(this.message, 12, this.qnameEnd);
      this.keyText = this.upper ? raw.toLowerCase() : raw;
    }
    return this.keyText;
  }

  reset(): void {
    this.id = 0;
    this.flags = 0;
    this.opcode = 0;
    this.qnameEnd = 12;
    this.questionEnd = 12;
    this.hasQuestion = false;
    this.qtype = 0;
    this.qclass = 0;
    this.upper = false;
    this.message = EMPTY;
    this.keyText = undefined;
    this.edns = false;
    this.ednsVersion = 0;
    this.udpSize = 512;
    this.dnssecOk = false;
    this.ecsFamily = 0;
    this.ecsSource = 0;
    this.ecsAddress = 0;
    this.ecsAddressLength = 0;
    this.error = 0;
    this.problem = '';
  }
}

/** Result of {@link parseQuery}. */
export const QueryVerdict = {
  /** Answer it (possibly with an error rcode in `error`). */
  Answer: 0,
  /** Do not answer: too short for a header, or a response (QR set) rather than a query. */
  Drop: 1,
} as const;
export type QueryVerdict = (typeof QueryVerdict)[keyof typeof QueryVerdict];

function formerr(q: ParsedQuery, problem: string): QueryVerdict {
  q.error = Rcode.FORMERR;
  q.problem = problem;
  return QueryVerdict.Answer;
}

/**
 * Skips a (possibly compressed) name; returns the offset after it, or -1 when malformed.
 * Compression pointers are not followed (only their two octets are skipped), so no loop is possible.
 */
function skipName(buf: Buffer, offset: number, end: number): number {
  let p = offset;
  let octets = 1;
  for (;;) {
    if (p >= end) return -1;
    const len = buf[p];
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if ((len & 0xc0) !== 0) return -1;
    octets += len + 1;
    if (octets > 255) return -1;
    p += len + 1;
  }
}

/** Reads a query into `q`. */
export function parseQuery(buf: Buffer, length: number, q: ParsedQuery): QueryVerdict {
  q.reset();
  if (length < 12) return QueryVerdict.Drop;
  q.id = (buf[0] << 8) | buf[1];
  const flags = (buf[2] << 8) | buf[3];
  q.flags = flags;
  if (flags & Flag.QR) return QueryVerdict.Drop;
  q.opcode = (flags >> 11) & 0xf;
  const qdcount = (buf[4] << 8) | buf[5];
  const ancount = (buf[6] << 8) | buf[7];
  const nscount = (buf[8] << 8) | buf[9];
  const arcount = (buf[10] << 8) | buf[11];

  if (qdcount !== 1) {
    if (q.opcode !== Opcode.QUERY) return notimp(q);
    return formerr(q, `${qdcount} questions; a query has exactly one`);
  }

  // The question name: uncompressed (nothing precedes it that a pointer could usefully target).
  let p = 12;
  let octets = 1;
  let upper = false;
  for (;;) {
    if (p >= length) return formerr(q, 'the question name runs past the end of the message');
    const len = buf[p];
    if (len === 0) break;
    if (len > 63) return formerr(q, (len & 0xc0) === 0xc0 ? 'the question name is compressed' : `label length octet 0x${len.toString(16)} is not a label length`);
    octets += len + 1;
    if (octets > 255) return formerr(q, 'the question name is longer than 255 octets');
    if (p + 1 + len > length) return formerr(q, 'a question label runs past the end of the message');
    if (!upper) {
      for (let i = p + 1; i <= p + len; i++) {
        const c = buf[i];
        if (c >= 0x41 && c <= 0x5a) {
          upper = true;
          break;
        }
      }
    }
    p += len + 1;
  }
  q.qnameEnd = p + 1;
  if (q.qnameEnd + 4 > length) return formerr(q, 'the question has no type and class');
  q.qtype = (buf[q.qnameEnd] << 8) | buf[q.qnameEnd + 1];
  q.qclass = (buf[q.qnameEnd + 2] << 8) | buf[q.qnameEnd + 3];
  q.questionEnd = q.qnameEnd + 4;
  q.hasQuestion = true;
  q.message = buf;
  q.upper = upper;

  // Answer and authority records are unusual in a query; skip them. Then look for OPT.
  p = q.questionEnd;
  const records = ancount + nscount + arcount;
  if (records * 11 > length - p) return finishOpcode(q, formerr(q, `section counts (${ancount}, ${nscount}, ${arcount}) do not fit in ${length} octets`));
  for (let i = 0; i < records; i++) {
    const nameStart = p;
    p = skipName(buf, p, length);
    if (p < 0 || p + 10 > length) return finishOpcode(q, formerr(q, `record ${i + 1} after the question is cut short`));
    const type = (buf[p] << 8) | buf[p + 1];
    const rdlength = (buf[p + 8] << 8) | buf[p + 9];
    const rdata = p + 10;
    if (rdata + rdlength > length) return finishOpcode(q, formerr(q, `record ${i + 1} after the question has data past the end of the message`));
    if (type === RRType.OPT && i >= ancount + nscount) {
      if (q.edns) return finishOpcode(q, formerr(q, 'more than one OPT record'));
      if (buf[nameStart] !== 0) return finishOpcode(q, formerr(q, 'the OPT record\'s owner is not the root'));
      // Options: each code(2) length(2) data; their framing is checked, Client Subnet is read, unknown ones are ignored.
      let o = rdata;
      while (o < rdata + rdlength) {
        if (o + 4 > rdata + rdlength) return finishOpcode(q, formerr(q, 'an EDNS option header runs past the OPT record'));
        const code = (buf[o] << 8) | buf[o + 1];
        const olen = (buf[o + 2] << 8) | buf[o + 3];
        if (o + 4 + olen > rdata + rdlength) return finishOpcode(q, formerr(q, 'an EDNS option runs past the OPT record'));
        if (code === EDNS_CLIENT_SUBNET) {
          const problem = readClientSubnet(buf, o + 4, olen, q);
          if (problem) return finishOpcode(q, formerr(q, `EDNS Client Subnet: ${problem}`));
        }
        o += 4 + olen;
      }
      q.edns = true;
      q.udpSize = (buf[p + 2] << 8) | buf[p + 3];
      q.ednsVersion = buf[p + 5];
      q.dnssecOk = (((buf[p + 6] << 8) | buf[p + 7]) & EDNS_DO) !== 0;
    }
    p = rdata + rdlength;
  }
  if (p !== length) return finishOpcode(q, formerr(q, `${length - p} octets after the last record`));
  if (q.opcode !== Opcode.QUERY) return notimp(q);
  if (q.edns && q.ednsVersion > 0) {
    q.error = Rcode.BADVERS;
    q.problem = `EDNS version ${q.ednsVersion}; this server speaks version 0`;
  }
  return QueryVerdict.Answer;
}

/** The EDNS Client Subnet option code (RFC 7871 §6). */
export const EDNS_CLIENT_SUBNET = 8;

/**
 * Reads and checks an ECS option (RFC 7871 §6, §7.1.1): FAMILY 1 or 2, SOURCE PREFIX-LENGTH within the
 * family's address, SCOPE PREFIX-LENGTH 0 in a query, exactly the ADDRESS octets SOURCE needs, no bit
 * set beyond SOURCE, and one option per query. Returns the problem, or '' when it is valid.
 */
function readClientSubnet(buf: Buffer, p: number, length: number, q: ParsedQuery): string {
  if (q.ecsFamily !== 0) return 'more than one option; a query carries at most one';
  if (length < 4) return `option data of ${length} octets; it needs at least 4 (FAMILY, SOURCE and SCOPE PREFIX-LENGTH)`;
  const family = (buf[p] << 8) | buf[p + 1];
  const source = buf[p + 2];
  const scope = buf[p + 3];
  if (family !== 1 && family !== 2) return `FAMILY ${family} is not IPv4 (1) or IPv6 (2)`;
  const width = family === 1 ? 32 : 128;
  if (source > width) return `SOURCE PREFIX-LENGTH ${source} is longer than an IPv${family === 1 ? 4 : 6} address`;
  if (scope !== 0) return `SCOPE PREFIX-LENGTH ${scope} in a query; it must be 0`;
  const octets = (source + 7) >> 3;
  if (length - 4 !== octets) return `${length - 4} ADDRESS octets for SOURCE PREFIX-LENGTH ${source}; it takes exactly ${octets}`;
  if (source % 8 !== 0 && (buf[p + 4 + octets - 1] & (0xff >> (source % 8))) !== 0) {
    return `ADDRESS has bits set beyond SOURCE PREFIX-LENGTH ${source}`;
  }
  q.ecsFamily = family;
  q.ecsSource = source;
  q.ecsAddress = p + 4;
  q.ecsAddressLength = octets;
  return '';
}

/** Buffer#latin1Slice where Node has it (it skips toString's argument handling), else toString. */
const latin1: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (buf, start, end) => (buf as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end)
    : (buf, start, end) => buf.toString('latin1', start, end);

function notimp(q: ParsedQuery): QueryVerdict {
  q.error = Rcode.NOTIMP;
  q.problem = `opcode ${q.opcode} is not implemented; only QUERY (0) is`;
  return QueryVerdict.Answer;
}

/** A malformed message with an opcode other than QUERY gets NOTIMP rather than FORMERR. */
function finishOpcode(q: ParsedQuery, verdict: QueryVerdict): QueryVerdict {
  if (q.opcode !== Opcode.QUERY) notimp(q);
  return verdict;
}
