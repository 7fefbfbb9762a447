/**
 * IP addresses and CIDR blocks as the IP-based routing rules and the engine read them: the leading
 * bits of an address as a number key (all 32 bits of IPv4, the first 48 of IPv6, the longest prefix
 * Route 53 decides on), and blocks checked against their prefix.
 */
import { isIPv4, isIPv6 } from 'net';

/** The width in bits of the part of an address a key holds. */
export const KEY_BITS: Readonly<Record<4 | 6, number>> = { 4: 32, 6: 48 };

export function ipv4Bits(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 part converted). */
export function ipv6Groups(address: string): number[] {
  let s = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const v = ipv4Bits(v4[1]);
    s = `${s.slice(0, v4.index)}${Math.floor(v / 65536).toString(16)}:${(v % 65536).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  if (tail === undefined) return h.map((g) => parseInt(g, 16));
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
}

/** The key of an address: all 32 bits of IPv4, the first 48 bits (three groups) of IPv6. */
export function addressKey(address: string, family: 4 | 6): number {
  return family === 4 ? ipv4Bits(address) : ipv6Groups(address).slice(0, 3).reduce((acc, g) => acc * 65536 + g, 0);
}

/** The leading `prefix` bits of a key, the rest zero. */
export function maskBits(bits: number, prefix: number, family: 4 | 6): number {
  const width = KEY_BITS[family];
  if (prefix <= 0) return 0;
  if (prefix >= width) return bits;
  const keep = 2 ** (width - prefix);
  return Math.floor(bits / keep) * keep;
}

export interface CidrPrefix {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** The key of the block's network (`maskBits` of its address), for prefixes up to the key width. */
  readonly bits: number;
  /** No bit is set beyond the prefix (it is the network address). */
  readonly network: boolean;
  /** The block written with its network address. */
  readonly canonical: string;
}

function formatKey(bits: number, family: 4 | 6): string {
  if (family === 4) return [0, 1, 2, 3].map((i) => Math.floor(bits / 2 ** (24 - 8 * i)) % 256).join('.');
  return `${[0, 1, 2].map((i) => (Math.floor(bits / 2 ** (32 - 16 * i)) % 65536).toString(16)).join(':')}::`;
}

/** A block as `address/length`, or undefined when it is not one. */
export function parseCidrPrefix(cidr: string): CidrPrefix | undefined {
  const [address, length, extra] = cidr.trim().split('/');
  if (length === undefined || extra !== undefined || !/^\d{1,3}$/.test(length)) return undefined;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined) return undefined;
  const prefix = Number(length);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  const key = addressKey(address, family);
  const bits = maskBits(key, Math.min(prefix, KEY_BITS[family]), family);
  let network = bits === key;
  if (family === 6) {
    const groups = ipv6Groups(address);
    for (let bit = Math.max(prefix, KEY_BITS[6]); bit < 128 && network; bit++) {
      if ((groups[Math.floor(bit / 16)] >> (15 - (bit % 16))) & 1) network = false;
    }
  }
  return { family, prefix, bits, network, canonical: `${formatKey(bits, family)}/${prefix}` };
}
