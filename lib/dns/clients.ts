/**
 * Who asks, for the DNS node: the engine's `Client` of a query, from the EDNS Client Subnet option when
 * the query has one, else the source address (ROUTE53.md §2 "The client's address"), decided on at most
 * /24 (IPv4) and /48 (IPv6) as Route 53 does.
 *
 * - location: the GeoIP database's country (and subdivision); the continent comes from Route 53's own
 *   country table (`clientLocation`), never from the database.
 * - regionOrder (latency): the operator's latency map when a block of it holds the subnet (longest
 *   match), else the regions by great-circle distance from the database's coordinates for the address,
 *   or from where the country's people live for a country-level database (`COUNTRY_POINTS`), as gdnsd's
 *   `auto_dc_coords` does. This approximates Route 53's measured latency: it is not a measurement.
 *
 * Clients are cached per subnet (a bounded map, cleared when full), so a resolver's repeated subnets
 * cost one map lookup; a new subnet costs one GeoIP lookup and, for latency, one sort of the regions
 * (itself cached per point).
 */
import { BundleConfig } from '../bundle';
import { clientNeedsOf, GeoIpDatabase } from '../bundle/geoip';
import {
  Client,
  ClientLocation,
  clientLocation,
  ClientSubnet,
  locatedPoint,
  PrefixTable,
  regionOrderByDistance,
} from '../engine';
import { addressKey, CIDR_PREFIX_LIMITS, maskBits, REGION_COORDINATES } from '../model';

/** The client of one subnet, and what the node needs to set the response's SCOPE PREFIX-LENGTH. */
export interface ResolvedClient {
  readonly client: Client;
  /** The length of the GeoIP network that holds the subnet (every address in it has the same location). */
  readonly geoPrefix: number;
  /** The region order came from the operator's latency map (a block match, not the database). */
  readonly mapped: boolean;
}

/** One entry of an operator's latency map: clients in these blocks reach the regions in this order. */
export interface LatencyMapEntry {
  readonly cidr: string;
  readonly regions: readonly string[];
}

export interface ClientResolverOptions {
  /** The GeoIP database, when the served trees need a location or a position. */
  readonly geoip?: GeoIpDatabase;
  /** The latency regions in play (every region of a latency record of the config). */
  readonly regions?: readonly string[];
  /** Coordinates of regions of one's own; AWS regions keep their published ones. */
  readonly coordinates?: Readonly<Record<string, readonly [number, number]>>;
  readonly latencyMap?: readonly LatencyMapEntry[];
  /** Subnets kept in the cache before it is cleared. @default 65536 */
  readonly cacheSize?: number;
}

const V4_LIMIT = CIDR_PREFIX_LIMITS.ipv4.max;
const V6_LIMIT = CIDR_PREFIX_LIMITS.ipv6.max;

function formatV4(bits: number): string {
  return `${Math.floor(bits / 16777216) % 256}.${Math.floor(bits / 65536) % 256}.${Math.floor(bits / 256) % 256}.${bits % 256}`;
}

function formatV6(bits: number): string {
  const g0 = Math.floor(bits / 4294967296) % 65536;
  const g1 = Math.floor(bits / 65536) % 65536;
  const g2 = bits % 65536;
  return `${g0.toString(16)}:${g1.toString(16)}:${g2.toString(16)}::`;
}

export class ClientResolver {
  private readonly geoip?: GeoIpDatabase;
  private readonly regions: readonly string[];
  private readonly coordinates: Readonly<Record<string, readonly [number, number]>>;
  private readonly map?: PrefixTable<readonly string[]>;
  private readonly cacheSize: number;
  /** Per family, per prefix length: clients by subnet bits. */
  private readonly cache: Record<4 | 6, Map<number, ResolvedClient>[]> = { 4: [], 6: [] };
  private cached = 0;
  private readonly orderByPoint = new Map<string, readonly string[]>();
  /** Locations by country and subdivision: every client of a place shares one object. */
  private readonly locations = new Map<string, ClientLocation>();
  /** Source addresses (no ECS) seen, by their text. */
  private readonly bySource = new Map<string, ResolvedClient>();

  constructor(options: ClientResolverOptions = {}) {
    this.geoip = options.geoip;
    this.regions = options.regions ?? [];
    this.coordinates = { ...REGION_COORDINATES, ...options.coordinates };
    this.cacheSize = options.cacheSize ?? 65536;
    if (options.latencyMap && options.latencyMap.length > 0) {
      this.map = new PrefixTable();
      for (const e of options.latencyMap) this.map.add(e.cidr, e.regions);
    }
  }

  /** The client of an ECS subnet: FAMILY (1, 2), SOURCE PREFIX-LENGTH and the ADDRESS octets in `buf`. */
  fromClientSubnet(family: number, source: number, buf: Buffer, offset: number, octets: number): ResolvedClient {
    if (family === 1) {
      let bits = 0;
      for (let i = 0; i < 4; i++) bits = bits * 256 + (i < octets ? buf[offset + i] : 0);
      return this.forSubnet(4, bits, Math.min(source, V4_LIMIT));
    }
    let bits = 0;
    for (let i = 0; i < 6; i++) bits = bits * 256 + (i < octets ? buf[offset + i] : 0);
    return this.forSubnet(6, bits, Math.min(source, V6_LIMIT));
  }

  /** The client of a source address (`203.0.113.7`, `::ffff:203.0.113.7`, `2001:db8::1`). */
  fromAddress(address: string): ResolvedClient {
    let c = this.bySource.get(address);
    if (c) return c;
    const v4 = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
    if (v4.includes('.')) {
      const o = v4.split('.').map(Number);
      c = this.forSubnet(4, ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3], V4_LIMIT);
    } else {
      c = this.forSubnet(6, addressKey(address.split('%')[0], 6), V6_LIMIT);
    }
    if (this.bySource.size >= 4096) this.bySource.clear();
    this.bySource.set(address, c);
    return c;
  }

  /** The client of a subnet given as its leading bits (32 for IPv4, 48 for IPv6) and its length. */
  forSubnet(family: 4 | 6, bits: number, prefix: number): ResolvedClient {
    const masked = maskBits(bits, prefix, family);
    const byPrefix = this.cache[family];
    let map = byPrefix[prefix];
    if (!map) map = byPrefix[prefix] = new Map();
    let c = map.get(masked);
    if (!c) {
      if (this.cached >= this.cacheSize) {
        this.cache[4] = [];
        this.cache[6] = [];
        this.cached = 0;
        map = this.cache[family][prefix] = new Map();
      }
      c = this.resolve(family, masked, prefix);
      map.set(masked, c);
      this.cached++;
    }
    return c;
  }

  private resolve(family: 4 | 6, bits: number, prefix: number): ResolvedClient {
    const text = family === 4 ? formatV4(bits) : formatV6(bits);
    const subnet: ClientSubnet = { family, bits, prefix, text: `${text}/${prefix}` };
    let location: ClientLocation | undefined;
    let point: readonly [number, number] | undefined;
    let geoPrefix = prefix;
    if (this.geoip) {
      const found = this.geoip.lookup(text);
      // An IPv4 address's network in an IPv6 database is counted in IPv4 bits by the reader.
      geoPrefix = Math.min(prefix, found.prefixLength);
      const l = found.location;
      if (l?.country !== undefined) {
        const key = `${l.country}|${l.subdivision ?? ''}`;
        location = this.locations.get(key);
        if (!location) {
          location = clientLocation({ country: l.country, ...(l.subdivision !== undefined ? { subdivision: l.subdivision } : {}) });
          this.locations.set(key, location);
        }
      }
      point = locatedPoint(l);
    }
    let regionOrder: readonly string[] | undefined;
    let mapped = false;
    if (this.regions.length > 0) {
      const hit = this.map?.longest(subnet);
      if (hit) {
        mapped = true;
        regionOrder = hit.value;
      } else if (point) {
        const key = `${point[0]},${point[1]}`;
        regionOrder = this.orderByPoint.get(key);
        if (!regionOrder) {
          regionOrder = regionOrderByDistance(point, this.regions, this.coordinates);
          this.orderByPoint.set(key, regionOrder);
        }
      }
    }
    const client: Client = {
      subnet,
      ...(location ? { location } : {}),
      ...(regionOrder ? { regionOrder } : {}),
    };
    return { client, geoPrefix, mapped };
  }
}

/** What the trees of a config need to know of a client, and the database they read it from. */
export interface ClientSetup {
  readonly resolver?: ClientResolver;
  readonly geoip?: GeoIpDatabase;
}

/**
 * The client resolver of a config: none when no group depends on the client; a GeoIP database when a
 * geolocation or latency record needs a country or a position (the config's file, or the embedded one).
 * A database already open (`previous`) is kept when the config names the same file and the file did not
 * change. Throws a `GeoIpError` for a database that cannot be used.
 */
export function clientSetupOf(config: BundleConfig, previous?: GeoIpDatabase): ClientSetup {
  const { geolocation, regions, ipBased } = clientNeedsOf(config);
  if (!geolocation && regions.length === 0 && !ipBased) return {};
  let geoip: GeoIpDatabase | undefined;
  if (geolocation || regions.length > 0) {
    const file = config.geoip?.database;
    if (file === undefined) {
      geoip = previous && previous.embedded ? previous : GeoIpDatabase.embedded();
    } else {
      geoip = previous && previous.file === file && previous.sameFile() ? previous : GeoIpDatabase.open(file);
    }
  }
  const coordinates = Object.fromEntries((config.regions ?? []).map((r) => [r.name, [r.latitude, r.longitude] as const]));
  const resolver = new ClientResolver({ geoip, regions, coordinates, latencyMap: config.latencyMap });
  return { resolver, geoip };
}
