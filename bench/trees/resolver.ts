/**
 * Where the time of a client subnet new to our node goes (lib/dns/clients.ts, lib/bundle/geoip.ts),
 * in one process without sockets: the wide spread's distinct subnets (queries.ts) resolved as the node
 * resolves them, CPU time per subnet (process.cpuUsage, so that other work on a shared machine
 * counts less than in wall time), the median of 3 passes. Run by run.sh after the dnsperf runs.
 *
 *   node --expose-gc resolver.js <wide.places> <label>=<database.mmdb>...
 *
 * Per database:
 * - GeoIP lookup: `GeoIpDatabase.lookup` (mmdb-lib's `getWithPrefixLength`, which walks the tree and
 *   decodes the whole record: for MaxMind's schema, the continent's, country's and registered
 *   country's names in every language), then picks the country, subdivision and position;
 * - the same lookup with mmdb-lib's decoded-record cache (`new Reader(buf, { cache })`, keyed by the
 *   record's offset: a database has far fewer records than networks), which the node does not use:
 *   what such a cache would save;
 * - a client new to the node: `ClientResolver.forSubnet` with the node's cache (65,536 subnets, cleared
 *   when full) and the bench's three latency regions: the lookup, the continent, the region order, the
 *   cache entry;
 * - a client the node has seen: the same subnets again, in a cache large enough to hold them all;
 * - heap kept per cached client (after a forced GC).
 */
import { readFileSync } from 'fs';
import { Reader, Response } from 'mmdb-lib';
import { GeoIpDatabase } from '../../lib/bundle/geoip';
import { ClientResolver } from '../../lib/dns/clients';
import { parseClientSubnet } from '../../lib/engine';

const REGIONS = ['fra', 'sjc', 'nrt'];
const COORDINATES = { fra: [50.11, 8.68] as const, sjc: [37.34, -121.89] as const, nrt: [35.68, 139.69] as const };

/** CPU microseconds per item of `run(i)` over `n` items: the median of 3 passes (`setup` before each, not counted). */
function cpuPerItem(n: number, run: (i: number) => void, setup: () => void = () => undefined): number {
  const samples: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    setup();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) run(i);
    const c = process.cpuUsage(c0);
    samples.push((c.user + c.system) / n);
  }
  return samples.sort((a, b) => a - b)[1];
}

/** A bounded Map for mmdb-lib's decoder cache (its `cache` option: get and set by record offset). */
class RecordCache {
  private readonly map = new Map<number, unknown>();
  get(key: number): unknown {
    return this.map.get(key);
  }
  set(key: number, value: unknown): void {
    if (this.map.size >= 65536) this.map.clear();
    this.map.set(key, value);
  }
}

function main(): void {
  const [placesFile, ...databases] = process.argv.slice(2);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!placesFile || databases.length === 0 || !gc) {
    process.stderr.write('usage: node --expose-gc resolver.js <wide.places> <label>=<database.mmdb>...\n');
    process.exit(2);
  }
  const texts = [...new Set(readFileSync(placesFile, 'utf8').trim().split('\n').map((l) => l.split(' ')[2]))];
  const subnets = texts.map((t) => parseClientSubnet(t));
  // The address the node looks up: the subnet's first address (what clients.ts formats).
  const addresses = texts.map((t) => t.split('/')[0]);
  const n = subnets.length;
  process.stdout.write(`${n} distinct subnets (the wide spread); CPU µs per subnet, median of 3 passes; node ${process.version}\n\n`);
  process.stdout.write('| database | GeoIP lookup | lookup with a decoded-record cache | new client (lookup, continent, region order, cache entry) | known client | heap per cached client |\n');
  process.stdout.write('|---|---|---|---|---|---|\n');
  for (const spec of databases) {
    const i = spec.indexOf('=');
    const label = spec.slice(0, i);
    const file = spec.slice(i + 1);
    const db = GeoIpDatabase.open(file);
    const lookup = cpuPerItem(n, (k) => db.lookup(addresses[k]));
    const buf = readFileSync(file);
    let cached!: Reader<Response>;
    const withCache = cpuPerItem(n, (k) => cached.getWithPrefixLength(addresses[k]), () => {
      cached = new Reader<Response>(buf, { cache: new RecordCache() });
    });
    let resolver!: ClientResolver;
    const fresh = () => {
      resolver = new ClientResolver({ geoip: db, regions: REGIONS, coordinates: COORDINATES });
    };
    const miss = cpuPerItem(n, (k) => resolver.forSubnet(subnets[k].family, subnets[k].bits, subnets[k].prefix), fresh);
    const big = new ClientResolver({ geoip: db, regions: REGIONS, coordinates: COORDINATES, cacheSize: n + 1 });
    for (const s of subnets) big.forSubnet(s.family, s.bits, s.prefix);
    const hit = cpuPerItem(n, (k) => big.forSubnet(subnets[k].family, subnets[k].bits, subnets[k].prefix));
    gc();
    const before = process.memoryUsage().heapUsed;
    const held = new ClientResolver({ geoip: db, regions: REGIONS, coordinates: COORDINATES, cacheSize: 65536 });
    const m = Math.min(n, 65536);
    for (let k = 0; k < m; k++) held.forSubnet(subnets[k].family, subnets[k].bits, subnets[k].prefix);
    gc();
    const perClient = (process.memoryUsage().heapUsed - before) / m;
    held.forSubnet(subnets[0].family, subnets[0].bits, subnets[0].prefix); // keeps `held` alive until here
    process.stdout.write(`| ${label} | ${lookup.toFixed(2)} | ${withCache.toFixed(2)} | ${miss.toFixed(2)} | ${hit.toFixed(2)} | ${perClient.toFixed(0)} B |\n`);
  }
}

main();
