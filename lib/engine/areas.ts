/**
 * Clients as data, for everything that answers for a client without a query: the verifier, the
 * simulation and the DNS node's status (answer shares per client area). A `ClientSpec` names who asks
 * (a country, a subdivision, a continent, a client near a region, an order of regions, an address or
 * subnet, or nothing known); `engineClient` turns it into the engine's `Client` for the regions in play.
 * `clientAreas` picks one client per place a routing tree tells apart.
 *
 * The order of latency regions is an approximation (great-circle distance from where the client is:
 * its country's people, or a region's city); Route 53 measures latency itself.
 */
import { isIPv6 } from 'net';
import { Client, clientLocation, ClientLocation, parseClientSubnet, regionOrderByDistance } from './client';
import { COUNTRY_POINTS } from './country-points';
import {
  addressKey,
  CONTINENT_CODES,
  COUNTRY_CONTINENT,
  DEFAULT_CIDR_LOCATION,
  DEFAULT_GEO_LOCATION,
  FailoverModel,
  GEO_SUBDIVISIONS,
  LATENCY_REGIONS,
  maskBits,
  parseCidrPrefix,
  RecordSetModel,
  REGION_COORDINATES,
  REGION_COUNTRIES,
} from '../model';

/** Who asks, before the regions of a tree are known. */
export interface ClientSpec {
  /** How the report names it: `DE`, `US-CA`, `continent EU`, `near eu-west-1`, `203.0.113.0/24`, `elsewhere`. */
  readonly label: string;
  readonly location?: ClientLocation;
  readonly subnet?: string;
  /** Where the client is, for the distance order of latency regions. */
  readonly point?: readonly [number, number];
  /** An explicit order of latency regions (overrides the distance order). */
  readonly regionOrder?: readonly string[];
  /** A latency area: the region this client is nearest to. */
  readonly near?: string;
}

/** A client nothing is known about: geolocation and IP-based routing answer their default. */
export const ELSEWHERE: ClientSpec = Object.freeze({ label: 'elsewhere' });

/**
 * Where latency routing places a client a GeoIP database located: the database's own position, else
 * where the people of its country live (`COUNTRY_POINTS`, for a country-level database), as gdnsd's
 * `auto_dc_coords`. Our approximation of Route 53's measured latency.
 */
export function locatedPoint(
  l: { readonly country?: string; readonly latitude?: number; readonly longitude?: number } | undefined,
): readonly [number, number] | undefined {
  if (l?.latitude !== undefined && l.longitude !== undefined) return [l.latitude, l.longitude];
  return l?.country !== undefined ? COUNTRY_POINTS[l.country] : undefined;
}

/** The engine's client for a spec, its regions ordered among `regions` (the latency regions in play). */
export function engineClient(
  spec: ClientSpec,
  regions: readonly string[],
  coordinates: Readonly<Record<string, readonly [number, number]>> = REGION_COORDINATES,
): Client {
  const regionOrder = spec.regionOrder ?? (spec.point && regions.length > 0 ? regionOrderByDistance(spec.point, regions, coordinates) : undefined);
  return {
    ...(spec.location ? { location: clientLocation(spec.location) } : {}),
    ...(spec.subnet ? { subnet: parseClientSubnet(spec.subnet) } : {}),
    ...(regionOrder ? { regionOrder } : {}),
  };
}

export function countryClient(country: string, subdivision?: string): ClientSpec {
  const c = country.toUpperCase();
  if (!COUNTRY_CONTINENT.has(c)) throw new Error(`'${country}' is not a country code Route 53 knows; give an ISO 3166-1 alpha-2 code such as DE or US`);
  const s = subdivision?.toUpperCase();
  if (s !== undefined && !(GEO_SUBDIVISIONS[c] ?? []).includes(s)) {
    throw new Error(`'${subdivision}' is not a subdivision of ${c} Route 53 knows${GEO_SUBDIVISIONS[c] ? `; use one of ${GEO_SUBDIVISIONS[c].join(', ')}` : ''}`);
  }
  const point = COUNTRY_POINTS[c];
  return { label: s ? `${c}-${s}` : c, location: { country: c, ...(s ? { subdivision: s } : {}) }, ...(point ? { point } : {}) };
}

export function continentClient(continent: string): ClientSpec {
  const c = continent.toUpperCase();
  if (!(CONTINENT_CODES as readonly string[]).includes(c)) throw new Error(`'${continent}' is not a Route 53 continent code; use one of ${CONTINENT_CODES.join(', ')}`);
  return { label: `continent ${c}`, location: { continent: c } };
}

/** A client near a region: in its city's country, nearest to its city. */
export function regionClient(region: string): ClientSpec {
  const point = REGION_COORDINATES[region];
  if (!point) throw new Error(`'${region}' is not a latency region; use one of ${LATENCY_REGIONS.join(', ')}`);
  const country = REGION_COUNTRIES[region];
  return { label: `near ${region}`, point, near: region, ...(country ? { location: { country } } : {}) };
}

export function addressClient(address: string): ClientSpec {
  const subnet = parseClientSubnet(address);
  return { label: subnet.text, subnet: subnet.text };
}

/** A client with an explicit order of latency regions, lowest latency first (nothing else known). */
export function regionOrderClient(regions: readonly string[]): ClientSpec {
  if (regions.length === 0) throw new Error('an order of regions needs at least one region, for example order:eu-west-1>us-east-1');
  for (const r of regions) {
    if (!(LATENCY_REGIONS as readonly string[]).includes(r)) throw new Error(`'${r}' is not a latency region; use one of ${LATENCY_REGIONS.join(', ')}`);
  }
  const twice = regions.find((r, i) => regions.indexOf(r) !== i);
  if (twice) throw new Error(`region '${twice}' is named twice in the order; name each region once`);
  return { label: `latency ${regions.join(' > ')}`, regionOrder: [...regions] };
}

/**
 * A client from a `--from` value: a country (`DE`), a subdivision (`US-CA`), a continent
 * (`continent:EU`), a region (`eu-west-1`: a client near it), an explicit order of latency regions
 * (`order:eu-west-1>us-east-1`), an address or subnet (`203.0.113.7`, `2001:db8::/48`), or `elsewhere`
 * (nothing known).
 */
export function parseClientSpec(value: string): ClientSpec {
  const v = value.trim();
  if (v === 'elsewhere' || v === '*') return ELSEWHERE;
  const order = /^order:(.*)$/i.exec(v);
  if (order) return regionOrderClient(order[1].split('>').map((r) => r.trim()).filter(Boolean));
  const continent = /^continent:(\w\w)$/i.exec(v);
  if (continent) return continentClient(continent[1]);
  if ((LATENCY_REGIONS as readonly string[]).includes(v)) return regionClient(v);
  const subdivision = /^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$/.exec(v);
  if (subdivision && !v.includes('.') && !v.includes(':')) return countryClient(subdivision[1], subdivision[2]);
  if (/^[A-Za-z]{2}$/.test(v)) return countryClient(v);
  try {
    return addressClient(v);
  } catch {
    throw new Error(
      `'${value}' names no client; give a country (DE), a subdivision (US-CA), a continent (continent:EU), ` +
      'a region (eu-west-1), an order of regions (order:eu-west-1>us-east-1), an address or subnet (203.0.113.7, 2001:db8::/48), or elsewhere',
    );
  }
}

/** Addresses in documentation ranges tried for "a network in no CIDR block". */
const OTHER_NETWORKS = ['192.0.2.1', '198.51.100.1', '203.0.113.1', '100.64.0.1', '2001:db8::1'];

/**
 * One client per place a tree tells apart, from the records it reaches: each geolocation location,
 * each latency region, each CIDR location (its first block), and everyone else; a single "any client"
 * when none of them depends on the client. `ownRegions` gives positions of regions of one's own.
 */
export function clientAreas(
  records: readonly RecordSetModel[],
  collections: FailoverModel['cidrCollections'],
  ownRegions: Readonly<Record<string, readonly [number, number]>> = {},
): ClientSpec[] {
  const out: ClientSpec[] = [];
  const add = (c: ClientSpec) => {
    if (!out.some((x) => x.label === c.label)) out.push(c);
  };
  let other = false;
  const blocks: string[] = [];
  for (const r of records) {
    const geo = r.geoLocation;
    if (geo) {
      if (geo.countryCode === DEFAULT_GEO_LOCATION) {
        other = true;
      } else if (geo.continentCode) {
        add(continentClient(geo.continentCode));
      } else if (geo.countryCode && COUNTRY_CONTINENT.has(geo.countryCode)) {
        const known = geo.subdivisionCode && (GEO_SUBDIVISIONS[geo.countryCode] ?? []).includes(geo.subdivisionCode);
        add(countryClient(geo.countryCode, known ? geo.subdivisionCode : undefined));
      }
    }
    if (r.region && REGION_COORDINATES[r.region]) add(regionClient(r.region));
    else if (r.region && ownRegions[r.region]) add({ label: `near ${r.region}`, point: ownRegions[r.region], near: r.region });
    const cidr = r.cidrRoutingConfig;
    if (cidr) {
      if (cidr.locationName === DEFAULT_CIDR_LOCATION) {
        other = true;
        continue;
      }
      const collection = collections?.find((c) => c.id === cidr.collectionId);
      const location = collection?.locations.find((l) => l.name === cidr.locationName);
      blocks.push(...(collection?.locations.flatMap((l) => l.cidrList) ?? []));
      const first = location?.cidrList.map(parseCidrPrefix).find((p) => p !== undefined);
      if (first) add({ ...addressClient(first.canonical), label: `${cidr.locationName} (${first.canonical})` });
    }
  }
  if (other) {
    const inBlock = (address: string) => blocks.some((b) => {
      const block = parseCidrPrefix(b);
      const family = isIPv6(address) ? 6 : 4;
      return block !== undefined && block.family === family && maskBits(addressKey(address, family), block.prefix, family) === block.bits;
    });
    const address = OTHER_NETWORKS.find((a) => !inBlock(a));
    add(address && blocks.length > 0 ? { ...addressClient(address), label: `elsewhere (${parseClientSubnet(address).text})` } : ELSEWHERE);
  }
  return out.length > 0 ? out : [{ label: 'any client' }];
}
