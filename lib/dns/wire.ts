/**
 * The DNS wire format (RFC 1035 §4, RFC 6891 for OPT): a complete, allocation-conscious codec.
 *
 * `decodeMessage` parses any message defensively: every read is bounds-checked, compression pointers
 * must point strictly backwards (which rules out loops) and names are limited to 255 octets, so a
 * hostile packet yields a {@link WireError}, never an exception of another kind or a hang.
 * `encodeMessage` writes a message with name compression (RFC 1035 §4.1.4).
 *
 * The server's hot path does not go through these generic functions for every query (see
 * `query.ts` and `zones.ts`); it uses them to build its precomputed answers.
 */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  DNSKEY: 48,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Response codes; values above 15 need the extended bits of an OPT record (RFC 6891 §6.1.3). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  16: 'BADVERS',
};

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(RRType).map(([k, v]) => [v, k]));

/** `A`, `AAAA`, ..., or `TYPE123` (RFC 3597) for a type without a name here. */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** The type code for a name known here (`A`, `TYPE65`), or undefined. */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  if (upper in RRType) return (RRType as Record<string, number>)[upper];
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}

/** Header flag bits (the second 16-bit word of the header, opcode and rcode excluded). */
export const Flag = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;

/** The DO bit in the OPT record's flags (RFC 3225). */
export const EDNS_DO = 0x8000;

export const MAX_NAME_OCTETS = 255;
export const MAX_LABEL_OCTETS = 63;
export const MAX_MESSAGE_OCTETS = 65535;

export class WireError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at octet ${offset})`);
    this.name = 'WireError';
  }
}

// --------------------------------------------------------------------------------------------
// Records

export interface SoaData {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export interface MxData {
  readonly preference: number;
  readonly exchange: string;
}

export interface HinfoData {
  readonly cpu: string;
  readonly os: string;
}

export interface EdnsOption {
  readonly code: number;
  readonly data: Buffer;
}

/**
 * Record data by type. Names are presentation strings without the trailing dot, `''` for the root.
 * A: dotted quad; AAAA: any textual IPv6 form; TXT: the character-strings as Buffers;
 * OPT: its options; any other type: the raw octets.
 */
export type RData =
  | { readonly kind: 'A'; readonly address: string }
  | { readonly kind: 'AAAA'; readonly address: string }
  | { readonly kind: 'NAME'; readonly name: string } // NS, CNAME, PTR
  | { readonly kind: 'SOA'; readonly soa: SoaData }
  | { readonly kind: 'MX'; readonly mx: MxData }
  | { readonly kind: 'TXT'; readonly strings: readonly Buffer[] }
  | { readonly kind: 'HINFO'; readonly hinfo: HinfoData }
  | { readonly kind: 'OPT'; readonly options: readonly EdnsOption[] }
  | { readonly kind: 'RAW'; readonly data: Buffer };

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  /** For OPT: the requestor's UDP payload size. */
  readonly klass: number;
  /** For OPT: extended rcode (8 bits), version (8 bits), flags (16 bits). */
  readonly ttl: number;
  readonly data: RData;
}

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly klass: number;
}

export interface Message {
  readonly id: number;
  /** The whole second header word: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode. */
  readonly flags: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

/** The OPT record of a message's additional section, if any. */
export function optOf(message: Message): ResourceRecord | undefined {
  return message.additionals.find((r) => r.type === RRType.OPT);
}

/** The full rcode, including the OPT record's extended bits. */
export function fullRcodeOf(message: Message): number {
  const opt = optOf(message);
  return rcodeOf(message.flags) | (opt ? ((opt.ttl >>> 24) & 0xff) << 4 : 0);
}

/** Builds the OPT pseudo-record (RFC 6891 §6.1.2). */
export function optRecord(options: {
  udpPayloadSize: number;
  extendedRcode?: number;
  version?: number;
  flags?: number;
  ednsOptions?: readonly EdnsOption[];
}): ResourceRecord {
  const ttl = (((options.extendedRcode ?? 0) & 0xff) << 24) | (((options.version ?? 0) & 0xff) << 16) | ((options.flags ?? 0) & 0xffff);
  return { name: '', type: RRType.OPT, klass: options.udpPayloadSize, ttl: ttl >>> 0, data: { kind: 'OPT', options: options.ednsOptions ?? [] } };
}

// --------------------------------------------------------------------------------------------
// Names

/** Presentation escaping of one label (RFC 1035 §5.1): `.`, `\`, and non-printable octets. */
function labelToText(buf: Buffer, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x2e || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out;
}

/** Splits a presentation name into label octets, honouring `\.` and `\DDD` escapes. */
export function nameToLabels(name: string): Buffer[] {
  if (name === '' || name === '.') return [];
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  const labels: Buffer[] = [];
  let current: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c) {
      const next = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(next)) {
        const v = Number(next);
        if (v > 255) throw new Error(`name '${name}' has the escape \\${next}, above 255`);
        current.push(v);
        i += 3;
      } else if (i + 1 < text.length) {
        current.push(text.charCodeAt(i + 1) & 0xff);
        i += 1;
      } else {
        throw new Error(`name '${name}' ends with a lone backslash`);
      }
    } else if (ch === 0x2e) {
      if (current.length === 0) throw new Error(`name '${name}' has an empty label`);
      labels.push(Buffer.from(current));
      current = [];
    } else {
      if (ch > 0xff) throw new Error(`name '${name}' has the character '${text[i]}' that is not an octet; use punycode (xn--) for international names`);
      current.push(ch);
    }
  }
  if (current.length === 0) throw new Error(`name '${name}' has an empty label`);
  labels.push(Buffer.from(current));
  let total = 1;
  for (const l of labels) {
    if (l.length > MAX_LABEL_OCTETS) throw new Error(`name '${name}' has a label of ${l.length} octets; the limit is ${MAX_LABEL_OCTETS}`);
    total += l.length + 1;
  }
  if (total > MAX_NAME_OCTETS) throw new Error(`name '${name}' is ${total} octets in wire form; the limit is ${MAX_NAME_OCTETS}`);
  return labels;
}

/** A name in uncompressed wire form. */
export function nameToWire(name: string): Buffer {
  const labels = nameToLabels(name);
  const out = Buffer.allocUnsafe(labels.reduce((n, l) => n + l.length + 1, 1));
  let o = 0;
  for (const l of labels) {
    out[o++] = l.length;
    l.copy(out, o);
    o += l.length;
  }
  out[o] = 0;
  return out;
}

/** ASCII lower case of wire octets (DNS names compare case-insensitively in ASCII only, RFC 4343). */
export function lowerAscii(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (c >= 0x41 && c <= 0x5a) out[i] = c | 0x20;
  }
  return out;
}

// --------------------------------------------------------------------------------------------
// Decoding

/** Hard cap on how many compression pointers one name may follow. Backward-only already bounds it. */
const MAX_POINTERS = 64;

interface NameRead {
  readonly name: string;
  /** Offset just after the name at its original position. */
  readonly end: number;
}

/** Reads a possibly compressed name at `offset`. Pointers must point strictly backwards. */
export function readName(buf: Buffer, offset: number): NameRead {
  let pos = offset;
  let end = -1;
  let octets = 1;
  let pointers = 0;
  let limit = offset; // a pointer must target an octet before this one
  const parts: string[] = [];
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the message', pos);
    const len = buf[pos];
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('compression pointer cut short', pos);
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      if (target >= limit) throw new WireError(`compression pointer to ${target} does not point backwards`, pos);
      if (++pointers > MAX_POINTERS) throw new WireError('too many compression pointers', pos);
      if (end < 0) end = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError(`label type 0x${kind.toString(16)} is not supported`, pos);
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new WireError(`name longer than ${MAX_NAME_OCTETS} octets`, pos);
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the message', pos);
    parts.push(labelToText(buf, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: parts.join('.'), end };
}

function need(buf: Buffer, offset: number, n: number, what: string): void {
  if (offset + n > buf.length) throw new WireError(`${what} runs past the end of the message`, offset);
}

function readCharacterStrings(buf: Buffer, start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  let p = start;
  while (p < end) {
    const len = buf[p];
    if (p + 1 + len > end) throw new WireError('character-string runs past its record', p);
    out.push(Buffer.from(buf.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  return out;
}

function ipv6ToText(buf: Buffer, o: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(buf.readUInt16BE(o + i * 2));
  // RFC 5952: the longest run (two or more) of zero words becomes '::'.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function readRData(buf: Buffer, type: number, start: number, length: number): RData {
  const end = start + length;
  switch (type) {
    case RRType.A:
      if (length !== 4) throw new WireError(`A record data of ${length} octets`, start);
      return { kind: 'A', address: `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}` };
    case RRType.AAAA:
      if (length !== 16) throw new WireError(`AAAA record data of ${length} octets`, start);
      return { kind: 'AAAA', address: ipv6ToText(buf, start) };
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR: {
      const n = readName(buf, start);
      if (n.end !== end) throw new WireError('name does not fill its record data', start);
      return { kind: 'NAME', name: n.name };
    }
    case RRType.SOA: {
      const m = readName(buf, start);
      const r = readName(buf, m.end);
      if (r.end + 20 !== end) throw new WireError('SOA record data has the wrong length', start);
      return {
        kind: 'SOA',
        soa: {
          mname: m.name,
          rname: r.name,
          serial: buf.readUInt32BE(r.end),
          refresh: buf.readUInt32BE(r.end + 4),
          retry: buf.readUInt32BE(r.end + 8),
          expire: buf.readUInt32BE(r.end + 12),
          minimum: buf.readUInt32BE(r.end + 16),
        },
      };
    }
    case RRType.MX: {
      if (length < 3) throw new WireError('MX record data too short', start);
      const n = readName(buf, start + 2);
      if (n.end !== end) throw new WireError('MX exchange does not fill its record data', start);
      return { kind: 'MX', mx: { preference: buf.readUInt16BE(start), exchange: n.name } };
    }
    case RRType.TXT:
      if (length < 1) throw new WireError('TXT record data is empty', start);
      return { kind: 'TXT', strings: readCharacterStrings(buf, start, end) };
    case RRType.HINFO: {
      const strings = readCharacterStrings(buf, start, end);
      if (strings.length !== 2) throw new WireError(`HINFO record data holds ${strings.length} character-strings, not 2`, start);
      return { kind: 'HINFO', hinfo: { cpu: strings[0].toString('latin1'), os: strings[1].toString('latin1') } };
    }
    case RRType.OPT: {
      const options: EdnsOption[] = [];
      let p = start;
      while (p < end) {
        if (p + 4 > end) throw new WireError('EDNS option header runs past the OPT record', p);
        const code = buf.readUInt16BE(p);
        const len = buf.readUInt16BE(p + 2);
        if (p + 4 + len > end) throw new WireError(`EDNS option ${code} runs past the OPT record`, p);
        options.push({ code, data: Buffer.from(buf.subarray(p + 4, p + 4 + len)) });
        p += 4 + len;
      }
      return { kind: 'OPT', options };
    }
    default:
      return { kind: 'RAW', data: Buffer.from(buf.subarray(start, end)) };
  }
}

function readRecord(buf: Buffer, offset: number): { record: ResourceRecord; end: number } {
  const n = readName(buf, offset);
  let p = n.end;
  need(buf, p, 10, 'record header');
  const type = buf.readUInt16BE(p);
  const klass = buf.readUInt16BE(p + 2);
  const ttl = buf.readUInt32BE(p + 4);
  const rdlength = buf.readUInt16BE(p + 8);
  p += 10;
  need(buf, p, rdlength, 'record data');
  const data = readRData(buf, type, p, rdlength);
  return { record: { name: n.name, type, klass, ttl, data }, end: p + rdlength };
}

/** Parses a whole message. Throws {@link WireError} on any malformation, including trailing octets. */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new WireError(`message of ${buf.length} octets is shorter than the 12-octet header`, 0);
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  // Each question needs 5 octets and each record 11: reject impossible counts before allocating.
  const minimum = 12 + counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11;
  if (minimum > buf.length) throw new WireError(`section counts (${counts.join(', ')}) need at least ${minimum} octets, the message has ${buf.length}`, 4);
  let p = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(buf, p);
    need(buf, n.end, 4, 'question');
    questions.push({ name: n.name, type: buf.readUInt16BE(n.end), klass: buf.readUInt16BE(n.end + 2) });
    p = n.end + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const r = readRecord(buf, p);
      sections[s].push(r.record);
      p = r.end;
    }
  }
  if (p !== buf.length) throw new WireError(`${buf.length - p} octets after the last record`, p);
  return { id, flags, questions, answers: sections[0], authorities: sections[1], additionals: sections[2] };
}

// --------------------------------------------------------------------------------------------
// Encoding

function ipv4ToBytes(address: string, out: Buffer, o: number): void {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`'${address}' is not an IPv4 address`);
  for (let i = 0; i < 4; i++) {
    const v = Number(parts[i]);
    if (!/^\d{1,3}$/.test(parts[i]) || v > 255) throw new Error(`'${address}' is not an IPv4 address`);
    out[o + i] = v;
  }
}

/** The 16 octets of an IPv6 address (any RFC 4291 text form, including an embedded IPv4 tail). */
export function ipv6ToBytes(address: string): Buffer {
  let text = address;
  const words: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    const b = Buffer.alloc(4);
    ipv4ToBytes(v4[2], b, 0);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    text = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`'${address}' is not an IPv6 address`);
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(h)) throw new Error(`'${address}' is not an IPv6 address`);
    return parseInt(h, 16);
  }));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (explicit > 7) throw new Error(`'${address}' is not an IPv6 address`);
    words.push(...head, ...new Array(8 - explicit).fill(0), ...rest, ...tail);
  } else {
    if (explicit !== 8) throw new Error(`'${address}' is not an IPv6 address`);
    words.push(...head, ...tail);
  }
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/**
 * Writes a message into a growing buffer, compressing names against every name already written
 * (owner names and the names inside NS, CNAME, PTR, SOA and MX data, as RFC 1035 and RFC 3597 allow).
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Lower-cased suffix in wire form (latin1) → offset where it was written. */
  private readonly suffixes = new Map<string, number>();

  constructor(initialSize = 512) {
    this.buf = Buffer.alloc(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  setU16(offset: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, offset);
  }

  /** Registers the suffixes of a name already present at `offset` (for example a copied question). */
  registerName(labels: readonly Buffer[], offset: number): void {
    let o = offset;
    for (let i = 0; i < labels.length; i++) {
      if (o > 0x3fff) break;
      const key = suffixKey(labels, i);
      if (!this.suffixes.has(key)) this.suffixes.set(key, o);
      o += labels[i].length + 1;
    }
  }

  /** Writes a name, compressed against earlier names unless `compress` is false. */
  name(name: string | readonly Buffer[], compress = true): void {
    const labels = typeof name === 'string' ? nameToLabels(name) : name;
    for (let i = 0; i < labels.length; i++) {
      const key = suffixKey(labels, i);
      const at = compress ? this.suffixes.get(key) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.pos <= 0x3fff && !this.suffixes.has(key)) this.suffixes.set(key, this.pos);
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }

  question(q: Question): void {
    this.name(q.name);
    this.u16(q.type);
    this.u16(q.klass);
  }

  record(r: ResourceRecord): void {
    this.name(r.name);
    this.u16(r.type);
    this.u16(r.klass);
    this.u32(r.ttl);
    const lengthAt = this.pos;
    this.u16(0);
    this.rdata(r);
    this.setU16(lengthAt, this.pos - lengthAt - 2);
  }

  private characterString(b: Buffer): void {
    if (b.length > 255) throw new Error(`a character-string of ${b.length} octets is longer than 255`);
    this.u8(b.length);
    this.bytes(b);
  }

  private rdata(r: ResourceRecord): void {
    const d = r.data;
    switch (d.kind) {
      case 'A': {
        this.ensure(4);
        ipv4ToBytes(d.address, this.buf, this.pos);
        this.pos += 4;
        return;
      }
      case 'AAAA':
        this.bytes(ipv6ToBytes(d.address));
        return;
      case 'NAME':
        this.name(d.name);
        return;
      case 'SOA':
        this.name(d.soa.mname);
        this.name(d.soa.rname);
        this.u32(d.soa.serial);
        this.u32(d.soa.refresh);
        this.u32(d.soa.retry);
        this.u32(d.soa.expire);
        this.u32(d.soa.minimum);
        return;
      case 'MX':
        this.u16(d.mx.preference);
        this.name(d.mx.exchange);
        return;
      case 'TXT':
        for (const s of d.strings) this.characterString(s);
        return;
      case 'HINFO':
        this.characterString(Buffer.from(d.hinfo.cpu, 'latin1'));
        this.characterString(Buffer.from(d.hinfo.os, 'latin1'));
        return;
      case 'OPT':
        for (const o of d.options) {
          this.u16(o.code);
          this.u16(o.data.length);
          this.bytes(o.data);
        }
        return;
      case 'RAW':
        this.bytes(d.data);
        return;
    }
  }

  /** A copy of what has been written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function suffixKey(labels: readonly Buffer[], from: number): string {
  let key = '';
  for (let i = from; i < labels.length; i++) key += String.fromCharCode(labels[i].length) + asciiLower(labels[i].toString('latin1'));
  return key;
}

/** Lower case of A-Z only: DNS compares names case-insensitively in ASCII alone (RFC 4343). */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

/** Serializes a message with name compression. */
export function encodeMessage(message: Message): Buffer {
  const w = new Writer();
  w.u16(message.id);
  w.u16(message.flags);
  w.u16(message.questions.length);
  w.u16(message.answers.length);
  w.u16(message.authorities.length);
  w.u16(message.additionals.length);
  for (const q of message.questions) w.question(q);
  for (const r of message.answers) w.record(r);
  for (const r of message.authorities) w.record(r);
  for (const r of message.additionals) w.record(r);
  return w.toBuffer();
}

/** Splits text into character-strings of at most 255 octets (UTF-8). */
export function textToCharacterStrings(text: string): Buffer[] {
  const all = Buffer.from(text, 'utf8');
  if (all.length === 0) return [Buffer.alloc(0)];
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += 255) out.push(all.subarray(i, Math.min(i + 255, all.length)));
  return out;
}
