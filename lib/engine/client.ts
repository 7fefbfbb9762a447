/**
 * The client a query is answered for, as data: the engine never looks a client up itself. The DNS node
 * derives it from the EDNS Client Subnet option or the source address (and a GeoIP database); the
 * simulation and the verifier take it as input.
 *
 * - Geolocation routing reads `location` (continent, country, subdivision; ROUTE53.md §2 "Geolocation").
 * - IP-based routing reads `subnet` (ROUTE53.md §2 "IP-based").
 * - Latency routing reads `regionOrder`: the regions from the lowest latency to the highest. Route 53
 *   measures latency itself; a self-hosted node or a simulation approximates the order (for example by
 *   great-circle distance, `regionOrderByDistance`).
 */
import { isIPv4, isIPv6 } from 'net';
import { addressKey, CIDR_PREFIX_LIMITS, COUNTRY_CONTINENT, KEY_BITS, maskBits, parseCidrPrefix, REGION_COORDINATES } from '../model';

export { KEY_BITS, maskBits };

export interface ClientLocation {
  /** Route 53's continent code (AF, AN, AS, EU, NA, OC, SA). @default the continent Route 53 gives the country */
  readonly continent?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string;
  /** A subdivision of the country (a US state). */
  readonly subdivision?: string;
}

/** A client subnet, as Route 53 decides on it: at most /24 (IPv4) or /48 (IPv6). */
export interface ClientSubnet {
  readonly family: 4 | 6;
  /** The address's leading bits as a number: 32 bits for IPv4, the first 48 bits for IPv6. */
  readonly bits: number;
  /** How many leading bits are known (capped at 24 or 48). */
  readonly prefix: number;
  /** The subnet in CIDR notation, as decided on (for example `203.0.113.0/24`). */
  readonly text: string;
}

export interface Client {
  readonly location?: ClientLocation;
  readonly subnet?: ClientSubnet;
  /** Latency routing: regions from the lowest latency to the highest. */
  readonly regionOrder?: readonly string[];
}

/** A client nothing is known about: geolocation answers its default, IP-based its default, latency its first record. */
export const UNKNOWN_CLIENT: Client = Object.freeze({});

function formatBits(bits: number, family: 4 | 6, prefix: number): string {
  if (family === 4) {
    const o = [0, 0, 0, 0].map((_, i) => Math.floor(bits / 2 ** (24 - 8 * i)) % 256);
    return `${o.join('.')}/${prefix}`;
  }
  const g = [0, 0, 0].map((_, i) => (Math.floor(bits / 2 ** (32 - 16 * i)) % 65536).toString(16));
  return `${g.join(':')}::/${prefix}`;
}

/**
 * A client subnet from an address (`203.0.113.7`, `2001:db8::1`) or a CIDR (`203.0.113.0/24`),
 * truncated to what Route 53 decides on (/24, /48). Throws, naming the value and the fix, for anything else.
 */
export function parseClientSubnet(text: string): ClientSubnet {
  const [address, length, extra] = text.trim().split('/');
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined || extra !== undefined) {
    throw new Error(`'${text}' is not an IP address or subnet; give one such as 203.0.113.7, 203.0.113.0/24 or 2001:db8::/48`);
  }
  const full = family === 4 ? 32 : 128;
  const given = length === undefined ? full : Number(length);
  if (!/^\d+$/.test(length ?? '0') || !(given >= 0 && given <= full)) {
    throw new Error(`'${text}' has prefix length ${length}; use 0 to ${full} for an IPv${family} subnet`);
  }
  const limit = family === 4 ? CIDR_PREFIX_LIMITS.ipv4.max : CIDR_PREFIX_LIMITS.ipv6.max;
  const prefix = Math.min(given, limit);
  const bits = maskBits(addressKey(address, family), prefix, family);
  return { family, bits, prefix, text: formatBits(bits, family, prefix) };
}

/** A CIDR block of a collection as bits: the same key as a client subnet's, with the block's own length. */
export function parseCidrBlock(cidr: string): { readonly family: 4 | 6; readonly bits: number; readonly prefix: number } | undefined {
  const p = parseCidrPrefix(cidr);
  if (!p || p.prefix > KEY_BITS[p.family]) return undefined; // longer than Route 53 decides on: refused by validation
  return { family: p.family, bits: p.bits, prefix: p.prefix };
}

/** A client location, its continent filled in from Route 53's own country table when not given. */
export function clientLocation(location: ClientLocation): ClientLocation {
  const country = location.country?.toUpperCase();
  const continent = location.continent?.toUpperCase() ?? (country !== undefined ? COUNTRY_CONTINENT.get(country) : undefined);
  return {
    ...(continent !== undefined ? { continent } : {}),
    ...(country !== undefined ? { country } : {}),
    ...(location.subdivision !== undefined ? { subdivision: location.subdivision.toUpperCase() } : {}),
  };
}

const RADIANS = Math.PI / 180;

/** Great-circle distance in kilometres between two points (degrees). */
export function greatCircleKm(a: readonly [number, number], b: readonly [number, number]): number {
  const [lat1, lon1] = [a[0] * RADIANS, a[1] * RADIANS];
  const [lat2, lon2] = [b[0] * RADIANS, b[1] * RADIANS];
  const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Regions ordered by great-circle distance from a point, nearest first (our approximation of Route 53's
 * measured latency, as gdnsd's `auto_dc_coords` does). `coordinates` gives regions of one's own (a
 * self-hosted stack's); AWS regions use `REGION_COORDINATES`. Regions without coordinates go last.
 */
export function regionOrderByDistance(
  from: readonly [number, number],
  regions: readonly string[],
  coordinates: Readonly<Record<string, readonly [number, number]>> = REGION_COORDINATES,
): string[] {
  const distance = (r: string) => (coordinates[r] ? greatCircleKm(from, coordinates[r]) : Infinity);
  return [...regions].map((r, i) => ({ r, i, d: distance(r) })).sort((x, y) => x.d - y.d || x.i - y.i).map((x) => x.r);
}
