/**
 * The drill's clients of routing trees: one client subnet per client area of a gateway's tree (the
 * verifier's `representativeClients`), sent in the EDNS Client Subnet option of the drill's queries.
 *
 * - An IP-based area (a CIDR location, or everyone else) is already a subnet: its block.
 * - A geolocation area (continent, country, subdivision, everyone else) or a latency area (near a
 *   region) gets a real subnet that the GeoIP database of the drill's DNS node maps to that area. The
 *   subnets are found by looking addresses up in that same database: first the first /24 of every /16
 *   of IPv4 space, then, only for an area still without one, every network of IPv4 space at /24
 *   granularity (`scanGeoIp`). Among the matches, a country without a record of its own in the tree
 *   is preferred for a continent (so the continent's record answers), the region's own country for a
 *   latency area, then the country with the most address space, then the lowest address: the choice
 *   is deterministic for a database.
 *
 * The engine's client for a subnet is derived as the DNS node derives it (lib/dns/clients.ts), from the
 * database lookup, never from the area's label: the country (and subdivision) of the database, the
 * continent from Route 53's own table, the latency regions by great-circle distance from the
 * database's coordinates, else from where the country's people live (`COUNTRY_POINTS`), unless a block
 * of the operator's latency map holds the subnet. So what the engine predicts is what the node answers.
 */
import { performance } from 'perf_hooks';
import { BundleConfig } from '../../bundle';
import { clientNeedsOf, GeoIpDatabase, GeoIpLocation } from '../../bundle/geoip';
import { Client, ClientLocation, ClientSpec, ClientSubnet, engineClient, locatedPoint, parseClientSubnet, PrefixTable } from '../../engine';
import { DEFAULT_GEO_LOCATION, RecordSetModel, REGION_COORDINATES, REGION_COUNTRIES } from '../../model';

/** A client of a tree gateway in the drill: the area it stands for, its subnet, and what the node makes of it. */
export interface DrillClient {
  /** The client area, as the what-if tables name it: `continent EU`, `near eu-west-1`, `hq (192.0.2.0/24)`, `elsewhere`. */
  readonly label: string;
  /** The subnet its queries carry in the EDNS Client Subnet option (`2.16.0.0/24`). */
  readonly subnet: string;
  /** The location the GeoIP database gives the subnet, the continent from Route 53's table. */
  readonly location?: ClientLocation;
  /** The latency regions of the drill, lowest latency first, as the node orders them for the subnet. */
  readonly regionOrder?: readonly string[];
  /** The engine's client for the subnet. */
  readonly client: Client;
}

/** Where a located client is, as routing reads it: its location and its order of latency regions. */
export type ClientPlace = Pick<DrillClient, 'location' | 'regionOrder'>;

/** One /24 of IPv4 space the database locates. */
export interface GeoIpSample {
  /** The /24's first address, as a number. */
  readonly address: number;
  /** `a.b.c.0/24` */
  readonly subnet: string;
  readonly location: GeoIpLocation & { readonly country: string };
}

/** How the drill's DNS node sees clients, for one drill config and database. */
export interface ClientDeriver {
  /** The engine's client of a subnet (`2.16.0.0/24`), from a lookup in the database as the node does it. */
  derive(subnet: string, label?: string): DrillClient;
  /**
   * The distinct places of a scan, each with its first /24 (lowest address first): a country database
   * has a few hundred places where the scans hold tens or hundreds of thousands of networks.
   */
  places(scan: GeoIpScan): ReadonlyArray<{ readonly place: ClientPlace; readonly sample: GeoIpSample }>;
}

/** The client deriver of a drill config: the database is read only when a record needs a location or a position. */
export function clientDeriver(config: BundleConfig, database: GeoIpDatabase | undefined): ClientDeriver {
  const { geolocation, regions } = clientNeedsOf(config);
  const located = geolocation || regions.length > 0;
  // AWS regions keep their published positions; a bundle's own regions add theirs (as the node merges them).
  const coordinates: Record<string, readonly [number, number]> = { ...REGION_COORDINATES };
  for (const r of config.regions ?? []) coordinates[r.name] = [r.latitude, r.longitude];
  const blocks = config.latencyMap ?? [];
  let map: PrefixTable<number> | undefined;
  if (blocks.length > 0) {
    map = new PrefixTable();
    blocks.forEach((e, i) => map!.add(e.cidr, i));
  }
  const db = located ? database : undefined;

  const places = new Map<string, ClientPlace & { readonly client: Client }>();
  const listed = new WeakMap<GeoIpScan, ReturnType<ClientDeriver['places']>>();
  /** The place of a subnet the database located at `l` (undefined: not located). */
  const placeOf = (subnet: ClientSubnet, l: GeoIpLocation | undefined) => {
    const country = l?.country;
    const point = locatedPoint(l);
    const mapped = regions.length > 0 ? map?.longest(subnet)?.value : undefined;
    const key = `${country}|${l?.subdivision}|${point?.[0]},${point?.[1]}|${mapped}`;
    let p = places.get(key);
    if (!p) {
      const spec: ClientSpec = {
        label: '',
        ...(country !== undefined ? { location: { country, ...(l?.subdivision !== undefined ? { subdivision: l.subdivision } : {}) } } : {}),
        ...(point ? { point } : {}),
        ...(mapped !== undefined ? { regionOrder: blocks[mapped].regions } : {}),
      };
      const client = engineClient(spec, regions, coordinates);
      p = {
        ...(client.location ? { location: client.location } : {}),
        ...(client.regionOrder ? { regionOrder: client.regionOrder } : {}),
        client,
      };
      places.set(key, p);
    }
    return p;
  };
  return {
    derive(text, label) {
      const subnet = parseClientSubnet(text);
      const p = placeOf(subnet, db?.lookup(subnet.text.split('/')[0]).location);
      return {
        label: label ?? subnet.text,
        subnet: subnet.text,
        ...(p.location ? { location: p.location } : {}),
        ...(p.regionOrder ? { regionOrder: p.regionOrder } : {}),
        client: { ...p.client, subnet },
      };
    },
    places(scan) {
      let list = listed.get(scan);
      if (!list) {
        const first = new Map<ClientPlace, GeoIpSample>();
        for (const sample of scan.samples) {
          const p = placeOf({ family: 4, bits: sample.address, prefix: 24, text: sample.subnet }, db ? sample.location : undefined);
          if (!first.has(p)) first.set(p, sample);
        }
        list = [...first].map(([place, sample]) => ({ place, sample }));
        listed.set(scan, list);
      }
      return list;
    },
  };
}

export interface GeoIpScan {
  /** Located /24 networks, lowest address first. */
  readonly samples: readonly GeoIpSample[];
  /** Per country: how much of the scanned space it holds (in samples for the /16 scan, /24s for the walk). */
  readonly weight: ReadonlyMap<string, number>;
  /** Lookups made, and how long they took (ms). */
  readonly lookups: number;
  readonly ms: number;
}

/** Scans by database (its file, size and build time): a drill opens the database anew. */
const SCANS = new Map<string, { sixteens?: GeoIpScan; networks?: GeoIpScan }>();

const v4 = (n: number) => `${Math.floor(n / 16777216)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;

/**
 * Located subnets of a database: `sixteens` looks up the first /24 of every /16 of 1.0.0.0 to
 * 223.255.255.255 (57,088 lookups); `networks` walks every network of that space, stepping by the
 * network each lookup reports but never by less than a /24 (what Route 53 decides on). Cached per database.
 */
export function scanGeoIp(db: GeoIpDatabase, depth: 'sixteens' | 'networks'): GeoIpScan {
  const key = `${db.file}|${db.size}|${db.builtAt}`;
  const cached = SCANS.get(key) ?? {};
  SCANS.set(key, cached);
  const hit = cached[depth];
  if (hit) return hit;
  const start = performance.now();
  const samples: GeoIpSample[] = [];
  const weight = new Map<string, number>();
  let lookups = 0;
  const END = 224 * 16777216;
  let address = 16777216;
  while (address < END) {
    const text = v4(address);
    let step = depth === 'sixteens' ? 65536 : 256;
    try {
      const found = db.lookup(text);
      lookups++;
      if (depth === 'networks') step = Math.max(256, 2 ** (32 - Math.min(32, found.prefixLength)));
      const country = found.location?.country;
      if (country !== undefined) {
        samples.push({ address, subnet: `${text}/24`, location: { ...found.location, country } });
        weight.set(country, (weight.get(country) ?? 0) + (depth === 'sixteens' ? 1 : step / 256));
      }
    } catch {
      // An IPv6-only database: no IPv4 address is located.
      break;
    }
    address += step - (address % step);
  }
  const scan = { samples, weight, lookups, ms: Math.round(performance.now() - start) };
  cached[depth] = scan;
  return scan;
}

/** What a tree's geolocation records cover, to tell which clients match a record of their own. */
interface GeoRecords {
  readonly continents: ReadonlySet<string>;
  readonly countries: ReadonlySet<string>;
  /** `US-CA` */
  readonly subdivisions: ReadonlySet<string>;
}

function geoRecordsOf(records: readonly RecordSetModel[]): GeoRecords {
  const continents = new Set<string>();
  const countries = new Set<string>();
  const subdivisions = new Set<string>();
  for (const r of records) {
    const g = r.geoLocation;
    if (!g || g.countryCode === DEFAULT_GEO_LOCATION) continue;
    if (g.continentCode) continents.add(g.continentCode.toUpperCase());
    else if (g.countryCode && g.subdivisionCode) subdivisions.add(`${g.countryCode}-${g.subdivisionCode}`.toUpperCase());
    else if (g.countryCode) countries.add(g.countryCode.toUpperCase());
  }
  return { continents, countries, subdivisions };
}

/** A test of a located client for an area, and which matches to prefer. */
interface AreaTest {
  readonly matches: (c: ClientPlace) => boolean;
  readonly preferred: (c: ClientPlace) => boolean;
}

function areaTest(spec: ClientSpec, tree: GeoRecords, treeRegions: readonly string[]): AreaTest {
  const never = () => false;
  if (spec.near !== undefined) {
    const own = spec.location?.country ?? REGION_COUNTRIES[spec.near];
    return {
      matches: (c) => c.regionOrder?.find((r) => treeRegions.includes(r)) === spec.near,
      preferred: (c) => c.location?.country === own,
    };
  }
  const l = spec.location;
  if (l?.country !== undefined) {
    const country = l.country.toUpperCase();
    const subdivision = l.subdivision?.toUpperCase();
    if (subdivision !== undefined) {
      return { matches: (c) => c.location?.country === country && c.location.subdivision === subdivision, preferred: never };
    }
    return {
      matches: (c) => c.location?.country === country,
      preferred: (c) => c.location?.subdivision === undefined || !tree.subdivisions.has(`${country}-${c.location.subdivision}`),
    };
  }
  if (l?.continent !== undefined) {
    const continent = l.continent.toUpperCase();
    return {
      matches: (c) => c.location?.continent === continent,
      preferred: (c) => c.location?.country !== undefined && !tree.countries.has(c.location.country),
    };
  }
  // Everyone else: a located client no geolocation record of the tree holds.
  return {
    matches: (c) => {
      const loc = c.location;
      if (!loc?.country) return false;
      return !tree.countries.has(loc.country)
        && !(loc.continent !== undefined && tree.continents.has(loc.continent))
        && !(loc.subdivision !== undefined && tree.subdivisions.has(`${loc.country}-${loc.subdivision}`));
    },
    preferred: never,
  };
}

/** The subnets chosen for a gateway's clients, and the areas left out. */
export interface ClientChoice {
  readonly clients: readonly DrillClient[];
  /** The labels of the areas no subnet was found for. */
  readonly missing: readonly string[];
  /** The scans it took (lookups and ms), empty when every area was a subnet already. */
  readonly scans: ReadonlyArray<{ readonly depth: 'sixteens' | 'networks'; readonly lookups: number; readonly ms: number }>;
}

/**
 * One client per area: the area's own subnet (IP-based), else the best located subnet of the database
 * (see the module comment). `records` are the records the gateway's tree reaches; `treeRegions` its
 * latency regions.
 */
export function chooseClients(
  areas: readonly ClientSpec[],
  records: readonly RecordSetModel[],
  treeRegions: readonly string[],
  db: GeoIpDatabase | undefined,
  derive: ClientDeriver,
): ClientChoice {
  const tree = geoRecordsOf(records);
  const clients: Array<DrillClient | undefined> = areas.map((a) => (a.subnet !== undefined ? derive.derive(a.subnet, a.label) : undefined));
  const scans: Array<ClientChoice['scans'][number]> = [];
  for (const depth of ['sixteens', 'networks'] as const) {
    if (!db || clients.every((c) => c !== undefined)) break;
    const scan = scanGeoIp(db, depth);
    scans.push({ depth, lookups: scan.lookups, ms: scan.ms });
    const weight = (c: ClientPlace) => scan.weight.get(c.location?.country ?? '') ?? 0;
    areas.forEach((area, i) => {
      if (clients[i] !== undefined) return;
      const test = areaTest(area, tree, treeRegions);
      // Preferred first, then the most address space, then the country code; the lowest address of those.
      const before = (a: [number, number, string], b: [number, number, string]) =>
        a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
      let best: { sample: GeoIpSample; rank: [number, number, string] } | undefined;
      for (const { place, sample } of derive.places(scan)) {
        if (!test.matches(place)) continue;
        const rank: [number, number, string] = [test.preferred(place) ? 0 : 1, -weight(place), place.location?.country ?? ''];
        if (!best || before(rank, best.rank)) best = { sample, rank };
      }
      if (best) clients[i] = derive.derive(best.sample.subnet, area.label);
    });
  }
  return {
    clients: clients.filter((c): c is DrillClient => c !== undefined),
    missing: areas.filter((_, i) => clients[i] === undefined).map((a) => a.label),
    scans,
  };
}

/** How reports name a client's location: `DE, continent EU, regions eu-west-1 > us-east-1`. */
export function describeClient(c: ClientPlace): string {
  const l = c.location;
  const parts = [
    ...(l?.country !== undefined ? [`${l.country}${l.subdivision !== undefined ? `-${l.subdivision}` : ''}`] : []),
    ...(l?.continent !== undefined ? [`continent ${l.continent}`] : []),
    ...(c.regionOrder && c.regionOrder.length > 0 ? [`regions ${c.regionOrder.join(' > ')}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'not located';
}
