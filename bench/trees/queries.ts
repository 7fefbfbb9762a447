/**
 * Query files for the routing-tree benchmark, and a check of the answers, for dnsperf's binary input
 * (`dnsperf -B`: each message preceded by its length, as over TCP; dnsperf overwrites only the id), so
 * that every query carries its own EDNS Client Subnet option (RFC 7871): dnsperf 2.10's `-E` sends one
 * fixed option for all queries. Imports nothing of the project: the same encoder and decoder ask both
 * servers.
 *
 *   node queries.js generate <dir> [wide-count]
 *       writes <dir>/{hot,wide}-{emdr,geo,lat}.bin, dnsperf -B files for the three names, and
 *       <dir>/{hot,wide}.places (the place of each query, one per line)
 *   node queries.js verify <host:port> <dir> <spread> <name> <count> [loose]
 *       sends <count> queries of <dir>/<spread>-<name>.bin, spread evenly over the file, and checks
 *       each answer against the place's expected answer (loose: only that it is one of the name's
 *       addresses, for a database other than the test one); prints one summary line, exits 1 on a
 *       wrong answer
 *
 * Places: networks of MaxMind's GeoIP2-City-Test database (test/fixtures/geoip) in Europe, the US
 * (California), Asia and Oceania, and one network in none. The hot spread is one subnet per place
 * (a resolver's few client subnets, in a shuffled rotation); the wide spread is <wide-count> (200,000)
 * random subnets in the same networks (a /48 of the IPv6 ones, a /24 of the IPv4 ones), more than our
 * node's per-subnet client cache holds (65,536), so that its GeoIP lookup runs on almost every query.
 */
import { createSocket } from 'dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';

/** What each name answers (bench/trees/config.json, gdnsd-config). */
const EU_PAIR = ['203.0.113.1', '203.0.113.2'];
const US = ['198.51.100.1'];
const REST = ['192.0.2.1'];
const FRA_PAIR = ['203.0.113.11', '203.0.113.12'];
const SJC = ['198.51.100.2'];
const NRT = ['198.51.100.3'];
const EMDR = ['192.0.2.10', '192.0.2.20'];
export const NAMES: Record<string, { qname: string; all: string[] }> = {
  emdr: { qname: 'emdr.example.com', all: EMDR },
  geo: { qname: 'geo.example.com', all: [...EU_PAIR, ...US, ...REST] },
  lat: { qname: 'lat.example.com', all: [...FRA_PAIR, ...SJC, ...NRT] },
};

interface Place {
  readonly name: string;
  /** A network of the test database (or of none). */
  readonly network: string;
  /** geolocation: Europe -> the pair, the US -> one address, anyone else -> the default. */
  readonly geo: string[];
  /** latency: the nearest of Frankfurt, San Jose and Tokyo (the database's position). */
  readonly lat: string[];
}

/** The database's position of each (test/fixtures/geoip, GeoIP2-City-Test.json) and the nearest region. */
const PLACES: readonly Place[] = [
  { name: 'DE', network: '2a02:d180::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 51.5, 10.5
  { name: 'FR', network: '2a02:cfc0::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 46, 2
  { name: 'GB', network: '2a02:d3c0::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 54.8, -2.7
  { name: 'SE', network: '2a02:d040::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 62, 15
  { name: 'NL', network: '2a02:e040::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 52.5, 5.75
  { name: 'IT', network: '2a02:d1c0::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 42.8, 12.8
  { name: 'CH', network: '2a02:d000::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 47, 8
  { name: 'PL', network: '2a02:d100::/29', geo: EU_PAIR, lat: FRA_PAIR }, // 52, 20
  { name: 'US-CA', network: '214.78.120.0/22', geo: US, lat: SJC }, // San Diego 32.7, -117.1
  { name: 'US-CA', network: '214.78.124.0/24', geo: US, lat: SJC }, // 36.8, -119.4
  { name: 'US-CA', network: '2001:480:10::/48', geo: US, lat: SJC }, // San Diego
  { name: 'JP', network: '2001:218::/32', geo: REST, lat: NRT }, // 35.7, 139.8
  { name: 'JP', network: '2001:240::/32', geo: REST, lat: NRT },
  { name: 'KR', network: '2001:220::/32', geo: REST, lat: NRT }, // 37, 127.5
  { name: 'TW', network: '2001:238::/32', geo: REST, lat: NRT }, // 24, 121
  { name: 'CN', network: '175.16.199.0/24', geo: REST, lat: NRT }, // Changchun 43.9, 125.3
  { name: 'SG', network: '214.0.0.0/24', geo: REST, lat: NRT }, // 1.3, 103.8
  { name: 'AU', network: '214.0.1.0/24', geo: REST, lat: NRT }, // Melbourne -37.8, 145
  { name: 'PH', network: '202.196.224.0/20', geo: REST, lat: NRT }, // 13, 122
  // In no network of the database: the geolocation default; latency's first record / first datacenter.
  { name: 'none', network: '2001:db8::/32', geo: REST, lat: FRA_PAIR },
  { name: 'none', network: '198.18.0.0/15', geo: REST, lat: FRA_PAIR },
];

/** A deterministic generator (mulberry32), so that a rerun sends the same queries. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function v6Bytes(address: string): number[] {
  const [head, tail] = address.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

interface Subnet {
  readonly family: 1 | 2;
  readonly source: number;
  /** ceil(source / 8) octets, the bits beyond source zero. */
  readonly address: number[];
}

/** A random subnet of `network`: /24 of an IPv4 network, /48 of an IPv6 one (the first one when `first`). */
function subnetIn(network: string, random: () => number, first: boolean): Subnet {
  const [address, length] = network.split('/');
  const prefix = Number(length);
  const v4 = address.includes('.');
  const full = v4 ? address.split('.').map(Number) : v6Bytes(address);
  const source = v4 ? 24 : 48;
  const octets = source / 8;
  const bytes = full.slice(0, octets);
  if (!first) {
    // Randomize the bits between the network's prefix and the subnet's source length.
    for (let bit = prefix; bit < source; bit++) {
      if (random() < 0.5) bytes[bit >> 3] ^= 0x80 >> (bit & 7);
    }
  }
  return { family: v4 ? 1 : 2, source, address: bytes };
}

export function subnetText(s: Subnet): string {
  if (s.family === 1) return `${[...s.address, 0].slice(0, 4).join('.')}/${s.source}`;
  const g: string[] = [];
  for (let i = 0; i < s.address.length; i += 2) g.push(((s.address[i] << 8) | s.address[i + 1]).toString(16));
  return `${g.join(':')}::/${s.source}`;
}

/** One query: `qname A IN`, RD clear (as a resolver asks an authoritative server), EDNS 1232 with the subnet. */
function encodeQuery(qname: string, subnet: Subnet): Buffer {
  const labels = qname.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  const question = Buffer.concat([...labels, Buffer.from([0, 0, 1, 0, 1])]);
  const ecs = Buffer.from([0, 8, 0, 4 + subnet.address.length, 0, subnet.family, subnet.source, 0, ...subnet.address]);
  const opt = Buffer.concat([Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, ecs.length]), ecs]);
  const header = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  return Buffer.concat([header, question, opt]);
}

function generate(dir: string, wideCount: number): void {
  mkdirSync(dir, { recursive: true });
  const random = prng(20261201);
  // Hot: each place's first subnet, 50 times, shuffled.
  const hot: { place: number; subnet: Subnet }[] = [];
  for (let round = 0; round < 50; round++) {
    PLACES.forEach((p, i) => hot.push({ place: i, subnet: subnetIn(p.network, random, true) }));
  }
  for (let i = hot.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [hot[i], hot[j]] = [hot[j], hot[i]];
  }
  // Wide: a place at random, a subnet at random in it.
  const wide: { place: number; subnet: Subnet }[] = [];
  for (let i = 0; i < wideCount; i++) {
    const place = Math.floor(random() * PLACES.length);
    wide.push({ place, subnet: subnetIn(PLACES[place].network, random, false) });
  }
  for (const [spread, queries] of [['hot', hot], ['wide', wide]] as const) {
    writeFileSync(path.join(dir, `${spread}.places`), queries.map((q) => `${q.place} ${PLACES[q.place].name} ${subnetText(q.subnet)}`).join('\n') + '\n');
    for (const [key, n] of Object.entries(NAMES)) {
      const parts: Buffer[] = [];
      for (const q of queries) {
        const m = encodeQuery(n.qname, q.subnet);
        parts.push(Buffer.from([m.length >> 8, m.length & 0xff]), m);
      }
      writeFileSync(path.join(dir, `${spread}-${key}.bin`), Buffer.concat(parts));
    }
    const distinct = new Set(queries.map((q) => subnetText(q.subnet))).size;
    process.stdout.write(`${spread}: ${queries.length} queries, ${distinct} distinct subnets, ${PLACES.length} networks, `
      + `${(missRate(queries.map((q) => subnetText(q.subnet))) * 100).toFixed(1)} % of them new to our node's client cache when dnsperf loops over the file\n`);
  }
}

/**
 * The share of queries that miss our node's per-subnet client cache (lib/dns/clients.ts: 65,536 subnets,
 * cleared when full) in the second of two passes over the file, as dnsperf loops over it.
 */
function missRate(subnets: readonly string[], size = 65536): number {
  const cache = new Set<string>();
  let misses = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (const s of subnets) {
      if (cache.has(s)) continue;
      if (pass === 1) misses++;
      if (cache.size >= size) cache.clear();
      cache.add(s);
    }
  }
  return misses / subnets.length;
}

/** The messages of a dnsperf -B file. */
function readMessages(file: string): Buffer[] {
  const data = readFileSync(file);
  const out: Buffer[] = [];
  for (let p = 0; p + 2 <= data.length;) {
    const n = data.readUInt16BE(p);
    out.push(data.subarray(p + 2, p + 2 + n));
    p += 2 + n;
  }
  return out;
}

function skipName(m: Buffer, p: number): number {
  for (;;) {
    const len = m[p];
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2;
    p += 1 + len;
  }
}

/** The A addresses of a response, and its Client Subnet option's SCOPE (undefined when none was echoed). */
function decodeAnswer(m: Buffer): { rcode: number; addresses: string[]; scope?: number } {
  const rcode = m[3] & 0xf;
  const qd = m.readUInt16BE(4);
  const counts = m.readUInt16BE(6) + m.readUInt16BE(8) + m.readUInt16BE(10);
  const an = m.readUInt16BE(6);
  let p = 12;
  for (let i = 0; i < qd; i++) p = skipName(m, p) + 4;
  const addresses: string[] = [];
  let scope: number | undefined;
  for (let i = 0; i < counts; i++) {
    p = skipName(m, p);
    const type = m.readUInt16BE(p);
    const rdlength = m.readUInt16BE(p + 8);
    const rdata = p + 10;
    if (i < an && type === 1 && rdlength === 4) addresses.push(`${m[rdata]}.${m[rdata + 1]}.${m[rdata + 2]}.${m[rdata + 3]}`);
    if (type === 41) {
      for (let o = rdata; o + 4 <= rdata + rdlength;) {
        const code = m.readUInt16BE(o);
        const len = m.readUInt16BE(o + 2);
        if (code === 8) scope = m[o + 7];
        o += 4 + len;
      }
    }
    p = rdata + rdlength;
  }
  return { rcode, addresses, scope };
}

function exchange(host: string, port: number, message: Buffer, id: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const q = Buffer.from(message);
    q.writeUInt16BE(id, 0);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer from ${host}:${port} in 2 s`));
    }, 2000);
    socket.on('message', (r) => {
      if (r.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      socket.close();
      resolve(r);
    });
    socket.send(q, port, host);
  });
}

async function verify(server: string, dir: string, spread: string, name: string, count: number, loose: boolean): Promise<number> {
  const i = server.lastIndexOf(':');
  const host = server.slice(0, i);
  const port = Number(server.slice(i + 1));
  const messages = readMessages(path.join(dir, `${spread}-${name}.bin`));
  const places = readFileSync(path.join(dir, `${spread}.places`), 'utf8').trim().split('\n').map((l) => l.split(' '));
  const step = Math.max(1, Math.floor(messages.length / count));
  const seen = new Map<string, Set<string>>();
  let wrong = 0;
  let asked = 0;
  let echoed = 0;
  for (let k = 0; k < messages.length && asked < count; k += step, asked++) {
    const place = PLACES[Number(places[k][0])];
    const expected = loose ? NAMES[name].all : name === 'emdr' ? EMDR : name === 'geo' ? place.geo : place.lat;
    const r = decodeAnswer(await exchange(host, port, messages[k], (k & 0xffff) || 1));
    if (r.scope !== undefined) echoed++;
    const ok = r.rcode === 0 && r.addresses.length === 1 && expected.includes(r.addresses[0]);
    if (!ok) {
      wrong++;
      if (wrong <= 5) process.stderr.write(`${server} ${name} ${places[k].slice(1).join(' ')}: got rcode ${r.rcode} [${r.addresses.join(', ')}], expected one of [${expected.join(', ')}]\n`);
    }
    const key = loose ? 'any' : place.name;
    if (!seen.has(key)) seen.set(key, new Set());
    seen.get(key)!.add(r.addresses.join(','));
  }
  // The pairs answer both members (a weighted choice, not a fixed answer).
  const pairs = [...seen.values()].filter((s) => s.size > 1).length;
  process.stdout.write(`${server} ${spread}-${name}: ${asked} asked, ${asked - wrong} as expected, ${echoed} with the Client Subnet option echoed, ${pairs} places answered by more than one member\n`);
  return wrong === 0 && echoed === asked ? 0 : 1;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'generate' && args[0]) {
    generate(args[0], Number(args[1] ?? 200_000));
  } else if (command === 'verify' && args.length >= 5) {
    process.exitCode = await verify(args[0], args[1], args[2], args[3], Number(args[4]), args[5] === 'loose');
  } else {
    process.stderr.write('usage: node queries.js generate <dir> [wide-count] | verify <host:port> <dir> <spread> <name> <count> [loose]\n');
    process.exitCode = 2;
  }
}

void main();
