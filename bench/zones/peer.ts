/**
 * From a fleet's bundle config (bench/zones/fleet.ts), what the peer and the load generator need:
 *
 *   node peer.js <config.json> <gdnsd dir> <listen host:port> <run dir> <state dir> <queries file>
 *
 * - `<gdnsd dir>/config` and `<gdnsd dir>/zones/<zone>`: gdnsd 3 serving the same zone, each gateway
 *   a resource of gdnsd's `weighted` plugin with the same two addresses and weights, one answer per
 *   query, one UDP and one TCP thread and the same 1 MiB receive buffer as our node (as bench/dns);
 *   the zone's SOA, NS and static records as the bundle has them.
 * - `<queries file>`: every gateway name with type A, once each, in a fixed shuffled order (dnsperf
 *   goes through the file again and again), so every query is a weighted choice of the engine.
 */
import * as fs from 'fs';
import * as path from 'path';

interface Config {
  zones: Array<{
    name: string;
    soa: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number; ttl: number };
    nameServers: string[];
    nameServerTtl: number;
    records?: Array<{ name: string; recordType: string; ttl: number; values: string[] }>;
  }>;
  recordSets: Array<{ name: string; recordType: string; ttl?: number; values: string[]; setIdentifier?: string; weight?: number }>;
}

/** A deterministic shuffle (xorshift32), so that every run asks in the same order. */
function shuffle<T>(xs: T[]): T[] {
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  for (let i = xs.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

function main(): void {
  const [configFile, dir, listen, runDir, stateDir, queries] = process.argv.slice(2);
  if (!queries) {
    process.stderr.write('usage: node peer.js <config.json> <gdnsd dir> <listen host:port> <run dir> <state dir> <queries file>\n');
    process.exit(2);
  }
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Config;
  if (config.zones.length !== 1) throw new Error(`the fleet has ${config.zones.length} zones; this generator writes one`);
  const zone = config.zones[0];
  const rel = (name: string) => (name === zone.name ? '@' : name.endsWith(`.${zone.name}`) ? name.slice(0, -zone.name.length - 1) : `${name}.`);
  const groups = new Map<string, Config['recordSets']>();
  for (const r of config.recordSets) {
    if (r.recordType !== 'A' || r.weight === undefined) {
      throw new Error(`record ${r.name} ${r.recordType} is not a weighted A record; the fleet has only those`);
    }
    const g = groups.get(r.name);
    if (g) g.push(r);
    else groups.set(r.name, [r]);
  }
  const resources: string[] = [];
  const zoneLines = [
    `$TTL ${zone.soa.ttl}`,
    `@ ${zone.soa.ttl} SOA ${zone.soa.mname}. ${zone.soa.rname}. ${zone.soa.serial} `
      + `${zone.soa.refresh} ${zone.soa.retry} ${zone.soa.expire} ${zone.soa.minimum}`,
    ...zone.nameServers.map((ns) => `@ ${zone.nameServerTtl} NS ${ns}.`),
    ...(zone.records ?? []).flatMap((r) => r.values.map((v) => `${rel(r.name)} ${r.ttl} ${r.recordType} ${v}`)),
  ];
  let i = 0;
  for (const [name, records] of groups) {
    const id = `g${i++}`;
    resources.push(`    ${id} => {\n${records.map((r) => `      ${r.setIdentifier} = [ ${r.values[0]}, ${r.weight} ]`).join('\n')}\n    }`);
    zoneLines.push(`${rel(name)} ${records[0].ttl ?? 60} DYNA weighted!${id}`);
  }
  fs.mkdirSync(path.join(dir, 'zones'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config'), [
    'options => {',
    `  listen => { ${listen} => { udp_threads => 1, tcp_threads => 1, udp_rcvbuf => 1048576 } }`,
    `  run_dir => ${runDir}`,
    `  state_dir => ${stateDir}`,
    '}',
    'plugins => {',
    '  weighted => {',
    ...resources,
    '  }',
    '}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'zones', zone.name), zoneLines.join('\n') + '\n');
  fs.writeFileSync(queries, shuffle([...groups.keys()]).map((n) => `${n} A`).join('\n') + '\n');
}

main();
