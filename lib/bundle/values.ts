/**
 * Record values in Route 53's spelling, as the bundle config carries them, turned into typed data.
 * One parser for the bundle validator and the DNS server, so both read a value the same way.
 */
import { isIPv4, isIPv6 } from 'net';
import { dnsNameProblem, normalizeName } from '../model';

/** A DNS character-string holds at most 255 octets (RFC 1035 §3.3); TXT values are split into them. */
export const MAX_CHARACTER_STRING_OCTETS = 255;

export type RecordValue =
  | { readonly kind: 'A'; readonly address: string }
  | { readonly kind: 'AAAA'; readonly address: string }
  | { readonly kind: 'CNAME'; readonly target: string }
  | { readonly kind: 'MX'; readonly preference: number; readonly exchange: string }
  /** TXT: the character-strings, each at most 255 octets. */
  | { readonly kind: 'TXT'; readonly strings: readonly Buffer[] };

/** What is wrong with a value, and what to write instead. */
export interface ValueProblem {
  readonly problem: string;
  readonly fix: string;
}

export type ValueResult = { readonly ok: true; readonly value: RecordValue } | ({ readonly ok: false } & ValueProblem);

const fail = (problem: string, fix: string): ValueResult => ({ ok: false, problem, fix });

/** A value problem as one sentence. */
export function valueProblemText(p: ValueProblem): string {
  return `${p.problem}; ${p.fix}`;
}

function hostProblem(host: string): string | undefined {
  if (host.includes('*')) return 'a wildcard is not a host name';
  return dnsNameProblem(host);
}

const HOST_FIX = 'give a host name such as mail.example.com';

/**
 * TXT in Route 53's form: one or more double-quoted strings separated by spaces, with `\"`, `\\`
 * and `\ooo` (octal) escapes inside quotes; an unquoted value is one text, split every 255 octets.
 */
export function parseTxtValue(value: string): { strings: Buffer[] } | ValueProblem {
  const trimmed = value.trim();
  if (!trimmed.startsWith('"')) {
    const all = Buffer.from(value, 'utf8');
    const strings: Buffer[] = [];
    const n = MAX_CHARACTER_STRING_OCTETS;
    for (let i = 0; i < all.length; i += n) strings.push(all.subarray(i, Math.min(i + n, all.length)));
    if (strings.length === 0) strings.push(Buffer.alloc(0));
    return { strings };
  }
  const strings: Buffer[] = [];
  let i = 0;
  while (i < trimmed.length) {
    if (trimmed[i] === ' ' || trimmed[i] === '\t') {
      i++;
      continue;
    }
    if (trimmed[i] !== '"') return { problem: `TXT value ${JSON.stringify(value)} has text outside double quotes at character ${i + 1}`, fix: 'quote every string, or give the value without any quotes' };
    i++;
    const bytes: number[] = [];
    let closed = false;
    while (i < trimmed.length) {
      const ch = trimmed[i];
      if (ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (ch === '\\') {
        const oct = /^[0-7]{3}/.exec(trimmed.slice(i + 1, i + 4));
        if (oct) {
          const v = parseInt(oct[0], 8);
          if (v > 255) return { problem: `TXT value ${JSON.stringify(value)} has the escape \\${oct[0]}, above \\377`, fix: 'write octets as \\000 to \\377' };
          bytes.push(v);
          i += 4;
          continue;
        }
        if (i + 1 >= trimmed.length) return { problem: `TXT value ${JSON.stringify(value)} ends with a lone backslash`, fix: 'escape it as \\\\, or remove it' };
        bytes.push(...Buffer.from(trimmed[i + 1], 'utf8'));
        i += 2;
        continue;
      }
      bytes.push(...Buffer.from(ch, 'utf8'));
      i++;
    }
    if (!closed) return { problem: `TXT value ${JSON.stringify(value)} has an unterminated quoted string`, fix: 'close it with "' };
    if (bytes.length > MAX_CHARACTER_STRING_OCTETS) {
      return { problem: `TXT value ${JSON.stringify(value)} has a quoted string of ${bytes.length} octets`, fix: `split it into strings of at most ${MAX_CHARACTER_STRING_OCTETS} ("part one" "part two")` };
    }
    strings.push(Buffer.from(bytes));
  }
  if (strings.length === 0) return { problem: `TXT value ${JSON.stringify(value)} holds no string`, fix: 'give at least one quoted string, for example "v=spf1 -all"' };
  return { strings };
}

/** Parses one value of a record of `recordType`. */
export function parseRecordValue(recordType: string, value: string): ValueResult {
  switch (recordType) {
    case 'A':
      return isIPv4(value) ? { ok: true, value: { kind: 'A', address: value } } : fail(`'${value}' is not an IPv4 address`, 'an A record needs dotted-quad addresses such as 192.0.2.10');
    case 'AAAA':
      return isIPv6(value) ? { ok: true, value: { kind: 'AAAA', address: value } } : fail(`'${value}' is not an IPv6 address`, 'an AAAA record needs addresses such as 2001:db8::10');
    case 'CNAME': {
      const p = hostProblem(value);
      return p ? fail(`'${value}' is not a host name: ${p}`, HOST_FIX) : { ok: true, value: { kind: 'CNAME', target: normalizeName(value) } };
    }
    case 'MX': {
      const m = /^\s*(\d{1,5})\s+(\S+)\s*$/.exec(value);
      if (!m) return fail(`MX value '${value}' is not 'preference host'`, 'write it as, for example, \'10 mail.example.com\'');
      const preference = Number(m[1]);
      if (preference > 65535) return fail(`MX preference ${preference} in '${value}' is above 65535`, 'use a preference from 0 to 65535');
      const p = hostProblem(m[2]);
      if (p) return fail(`MX exchange '${m[2]}' in '${value}' is not a host name: ${p}`, HOST_FIX);
      return { ok: true, value: { kind: 'MX', preference, exchange: normalizeName(m[2]) } };
    }
    case 'TXT': {
      const t = parseTxtValue(value);
      return 'problem' in t ? fail(t.problem, t.fix) : { ok: true, value: { kind: 'TXT', strings: t.strings } };
    }
    default:
      return fail(`record type '${recordType}' is not served by the self-hosted DNS server`, 'use A, AAAA, CNAME, TXT or MX');
  }
}
