/**
 * Response rate limiting for UDP (RRL, as in BIND, NSD and Knot): a spoofed-source flood turns an
 * authoritative server into an amplifier aimed at the victim whose address is forged. RRL counts
 * the responses that go to one client netblock (IPv4 /24, IPv6 /56 by default) with the same
 * content class: the same name and type for answers, the same zone for NXDOMAIN (random names are
 * one class), and one class for errors. Each class gets `responsesPerSecond` responses a second
 * (a token bucket that holds one second's worth); past that, responses are dropped, except every
 * `slip`-th one, which is sent truncated (TC=1, no records) so that a real client behind that
 * netblock retries over TCP, where no limit applies.
 *
 * Off unless `responsesPerSecond` is set (our choice, see SECURITY.md): behind a Kubernetes Service
 * with the default externalTrafficPolicy the source address of every query is rewritten to a node's
 * address, so a per-netblock limit would throttle every client at once.
 */
import { isIP } from 'net';

export interface RrlOptions {
  /** Responses a second per netblock and class; 0 turns RRL off. */
  readonly responsesPerSecond: number;
  /** Every slip-th limited response is sent truncated, the others dropped; 0 drops all, 1 truncates all. @default 2 */
  readonly slip?: number;
  /** @default 24 */
  readonly ipv4PrefixLength?: number;
  /** @default 56 */
  readonly ipv6PrefixLength?: number;
  /** Buckets kept at most (the oldest go first). @default 100000 */
  readonly maxEntries?: number;
}

export const DEFAULT_RRL_SLIP = 2;

/** What to do with one response. */
export const RrlAction = { Send: 0, Drop: 1, Slip: 2 } as const;
export type RrlAction = (typeof RrlAction)[keyof typeof RrlAction];

interface Bucket {
  tokens: number;
  at: number;
  limited: number;
}

/** The first `bits` bits of an IPv6 address, as text (the netblock key). */
function ipv6Prefix(address: string, bits: number): string {
  let groups: string[];
  const dbl = address.indexOf('::');
  if (dbl >= 0) {
    const head = address.slice(0, dbl).split(':').filter((g) => g !== '');
    const tail = address.slice(dbl + 2).split(':').filter((g) => g !== '');
    groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  } else {
    groups = address.split(':');
  }
  const words = groups.map((g) => parseInt(g, 16) || 0);
  const out: string[] = [];
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const keep = Math.min(16, bits);
    out.push(((words[i] >> (16 - keep)) << (16 - keep)).toString(16));
  }
  return out.join(':');
}

export class ResponseRateLimiter {
  readonly responsesPerSecond: number;
  readonly slip: number;
  private readonly v4Bits: number;
  private readonly v6Bits: number;
  private readonly maxEntries: number;
  private readonly buckets = new Map<string, Bucket>();
  /** Responses dropped and slipped, since start. */
  dropped = 0;
  slipped = 0;

  constructor(options: RrlOptions) {
    this.responsesPerSecond = options.responsesPerSecond;
    this.slip = options.slip ?? DEFAULT_RRL_SLIP;
    this.v4Bits = options.ipv4PrefixLength ?? 24;
    this.v6Bits = options.ipv6PrefixLength ?? 56;
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!(Number.isFinite(this.responsesPerSecond) && this.responsesPerSecond > 0)) {
      throw new RangeError(`RRL responses per second ${this.responsesPerSecond} is not usable; give a positive number (or leave RRL off)`);
    }
    if (!(Number.isInteger(this.slip) && this.slip >= 0 && this.slip <= 10)) throw new RangeError(`RRL slip ${this.slip} is not usable; give 0 to 10 (default ${DEFAULT_RRL_SLIP})`);
    if (!(Number.isInteger(this.v4Bits) && this.v4Bits >= 8 && this.v4Bits <= 32)) throw new RangeError(`RRL IPv4 prefix length ${this.v4Bits} is not 8 to 32`);
    if (!(Number.isInteger(this.v6Bits) && this.v6Bits >= 16 && this.v6Bits <= 128)) throw new RangeError(`RRL IPv6 prefix length ${this.v6Bits} is not 16 to 128`);
  }

  /** The netblock an address counts in. */
  netblock(address: string): string {
    let a = address;
    if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
    if (isIP(a) === 4) {
      const n = a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const mask = this.v4Bits === 32 ? n : Math.floor(n / 2 ** (32 - this.v4Bits)) * 2 ** (32 - this.v4Bits);
      return `${mask}/${this.v4Bits}`;
    }
    return `${ipv6Prefix(a, this.v6Bits)}/${this.v6Bits}`;
  }

  /** Whether a response of `responseClass` to `address` is sent, dropped or slipped (sent truncated). */
  decide(address: string, responseClass: string, now: number): RrlAction {
    const key = `${this.netblock(address)}|${responseClass}`;
    const rate = this.responsesPerSecond;
    let b = this.buckets.get(key);
    if (b) {
      // Most recently used last, so that the oldest are dropped first when the table is full.
      this.buckets.delete(key);
      b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
    } else {
      b = { tokens: rate, at: now, limited: 0 };
      if (this.buckets.size >= this.maxEntries) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return RrlAction.Send;
    }
    b.limited++;
    if (this.slip > 0 && b.limited % this.slip === 0) {
      this.slipped++;
      return RrlAction.Slip;
    }
    this.dropped++;
    return RrlAction.Drop;
  }
}

/** A truncated copy of a response: its header and question only, TC set (the client retries over TCP). */
export function truncatedResponse(response: Buffer, questionEnd: number): Buffer {
  const end = Math.min(questionEnd, response.length);
  const out = Buffer.from(response.subarray(0, end));
  out[2] |= 0x02; // TC
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}
