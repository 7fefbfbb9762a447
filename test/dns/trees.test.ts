/**
 * Routing trees served by the DNS node, per client: the EDNS Client Subnet option (RFC 7871) or the
 * source address, a real GeoIP database (MaxMind's GeoIP2-City test database, test/fixtures/geoip), the
 * stack's own regions and a latency map, a CIDR collection. Queried with the node's own client, `dig`
 * and `kdig`; verdicts moved by checker reports posted to the admin API.
 *
 * The test database's networks used here: 2a02:d180::/29 DE (51.5, 10.5), 214.78.120.0/22 US-CA
 * (32.74, -117.09), 2001:218::/32 JP (35.69, 139.75); 127.0.0.0 and 2001:db8:: are in none.
 */
import { execFile } from 'child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { addresses, clientSubnet, httpRequest, postReport, query, REPO, responseClientSubnet, udpQuery } from './helpers';
import { BundleConfig } from '../../lib/bundle';
import { DnsNode, EdnsOption, Rcode, RRType } from '../../lib/dns';

const run = promisify(execFile);
const CITY = path.join(REPO, 'test', 'fixtures', 'geoip', 'GeoIP2-City-Test.mmdb');
const COUNTRY = path.join(REPO, 'test', 'fixtures', 'geoip', 'GeoLite2-Country-Test.mmdb');

const DE = '2a02:d180::/48';
const US_CA = '214.78.120.0/24';
const JP = '2001:218::/48';

function treeConfig(database = CITY): BundleConfig {
  const check = (id: string, ip: string) => ({ id, config: { type: 'HTTP' as const, ipAddress: ip, port: 80, resourcePath: '/' } });
  const a = (name: string, setIdentifier: string, value: string, extra: object) => ({ name, recordType: 'A' as const, ttl: 60, values: [value], setIdentifier, ...extra });
  const alias = (name: string, setIdentifier: string, target: string, extra: object) => ({
    name, recordType: 'A' as const, values: [], setIdentifier, aliasTarget: { dnsName: target, hostedZoneName: 'example.com', evaluateTargetHealth: true }, ...extra,
  });
  return {
    version: 1,
    zones: [{
      name: 'example.com',
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, minimum: 60 },
      nameServers: ['ns1.example.com'],
      records: [{ name: 'www.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.80'] }],
    }],
    healthChecks: [
      check('eu-a', '203.0.113.1'), check('eu-b', '203.0.113.2'), check('us', '198.51.100.1'),
      check('fra-a', '203.0.113.11'), check('fra-b', '203.0.113.12'), check('sjc', '198.51.100.2'), check('hq', '203.0.113.50'),
    ],
    recordSets: [
      // Geolocation: Europe -> a weighted pair, the US -> one address, everyone else -> the default.
      a('eu.geo.example.com', 'eu-a', '203.0.113.1', { weight: 1, healthCheckId: 'eu-a' }),
      a('eu.geo.example.com', 'eu-b', '203.0.113.2', { weight: 1, healthCheckId: 'eu-b' }),
      alias('geo.example.com', 'europe', 'eu.geo.example.com', { geoLocation: { continentCode: 'EU' } }),
      a('geo.example.com', 'us', '198.51.100.1', { geoLocation: { countryCode: 'US' }, healthCheckId: 'us' }),
      a('geo.example.com', 'rest', '192.0.2.1', { geoLocation: { countryCode: '*' } }),
      // Latency over two regions of one's own: Frankfurt (a weighted pair) and San Jose.
      a('fra.lat.example.com', 'fra-a', '203.0.113.11', { weight: 1, healthCheckId: 'fra-a' }),
      a('fra.lat.example.com', 'fra-b', '203.0.113.12', { weight: 1, healthCheckId: 'fra-b' }),
      alias('lat.example.com', 'fra', 'fra.lat.example.com', { region: 'fra' }),
      a('lat.example.com', 'sjc', '198.51.100.2', { region: 'sjc', healthCheckId: 'sjc' }),
      // IP-based: the office's networks, everyone else.
      a('ip.example.com', 'hq', '203.0.113.50', { cidrRoutingConfig: { collectionId: 'office', locationName: 'hq' }, healthCheckId: 'hq' }),
      a('ip.example.com', 'rest', '203.0.113.51', { cidrRoutingConfig: { collectionId: 'office', locationName: '*' } }),
    ],
    cidrCollections: [{ id: 'office', name: 'office', locations: [{ name: 'hq', cidrList: ['192.0.2.0/24', '2001:db8:1::/48'] }] }],
    geoip: { database },
    regions: [{ name: 'fra', latitude: 50.11, longitude: 8.68 }, { name: 'sjc', latitude: 37.34, longitude: -121.89 }],
    latencyMap: [{ cidr: '2001:db8:aaaa::/48', regions: ['sjc', 'fra'] }],
    verdict: { healthyFraction: 0.18, freshnessMs: 60_000 },
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  } as unknown as BundleConfig;
}

let node: DnsNode;
let port: number;
let adminPort: number;

async function ask(name: string, options: readonly EdnsOption[] = [], p = port) {
  const m = await udpQuery(p, query(name, RRType.A, { ednsOptions: options }));
  return { rcode: m.flags & 0xf, answers: addresses(m).sort(), ecs: responseClientSubnet(m) };
}

/** Distinct answers over n queries (weighted pairs answer one member at a time). */
async function seen(name: string, subnet: string, n = 40): Promise<string[]> {
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add((await ask(name, [clientSubnet(subnet)])).answers.join(','));
  return [...out].sort();
}

async function allReport(verdicts: Record<string, boolean>, p = adminPort) {
  for (const id of ['c1', 'c2', 'c3']) {
    const res = await postReport(p, id, `r${id[1]}`, Object.entries(verdicts).map(([healthCheckId, healthy]) => ({ healthCheckId, healthy })));
    expect(res.status).toBe(200);
  }
}

beforeAll(async () => {
  node = await DnsNode.start({ config: treeConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, evaluateIntervalMs: 50 });
  port = node.dnsAddress.port;
  adminPort = node.adminAddress!.port;
});

afterAll(async () => {
  await node?.stop();
});

describe('geolocation', () => {
  test('each client its area; the option echoed with the GeoIP network as its scope', async () => {
    expect(await seen('geo.example.com', DE)).toEqual(['203.0.113.1', '203.0.113.2']);
    const de = await ask('geo.example.com', [clientSubnet(DE)]);
    // FAMILY, SOURCE and ADDRESS as sent; SCOPE 29: the database's network 2a02:d180::/29 decided.
    expect(de.ecs).toEqual({ family: 2, source: 48, scope: 29, address: Buffer.from([0x2a, 0x02, 0xd1, 0x80, 0, 0]) });
    const us = await ask('geo.example.com', [clientSubnet(US_CA)]);
    expect(us.answers).toEqual(['198.51.100.1']);
    expect(us.ecs).toEqual({ family: 1, source: 24, scope: 22, address: Buffer.from([214, 78, 120]) });
    const jp = await ask('geo.example.com', [clientSubnet(JP)]);
    expect(jp.answers).toEqual(['192.0.2.1']);
    expect(jp.ecs!.scope).toBe(32);
  });

  test('no option: the source address decides (127.0.0.1 maps to no location: the default), and none is echoed', async () => {
    const r = await ask('geo.example.com');
    expect(r.answers).toEqual(['192.0.2.1']);
    expect(r.ecs).toBeUndefined();
  });

  test('SOURCE PREFIX-LENGTH 0: the client\'s address is not used; the source address answers, SCOPE 0', async () => {
    const r = await ask('geo.example.com', [clientSubnet('0.0.0.0/0')]);
    expect(r.answers).toEqual(['192.0.2.1']);
    expect(r.ecs).toEqual({ family: 1, source: 0, scope: 0, address: Buffer.alloc(0) });
  });

  test('an answer that depends on no client: the option echoed with SCOPE 0', async () => {
    const r = await ask('www.example.com', [clientSubnet(DE)]);
    expect(r.answers).toEqual(['192.0.2.80']);
    expect(r.ecs).toEqual(expect.objectContaining({ family: 2, source: 48, scope: 0 }));
  });

  test('dig +subnet and kdig +subnet see the same answers and the echoed option', async () => {
    const d = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', 'geo.example.com', 'A', `+subnet=${US_CA}`]);
    expect(d.stdout).toMatch(/; CLIENT-SUBNET: 214\.78\.120\.0\/24\/22/);
    expect(d.stdout).toMatch(/geo\.example\.com\.\s+60\s+IN\s+A\s+198\.51\.100\.1/);
    const k = await run('kdig', ['@127.0.0.1', '-p', String(port), '+timeout=2', '+retry=0', 'geo.example.com', 'A', `+subnet=${DE}`]);
    expect(k.stdout).toMatch(/;; CLIENT-SUBNET: 2a02:d180::\/48\/29/);
    expect(k.stdout).toMatch(/geo\.example\.com\.\s+60\s+IN\s+A\s+203\.0\.113\.[12]/);
  });
});

describe('latency', () => {
  test('the nearest region by the GeoIP position, a latency map over it, the next region when one fails', async () => {
    expect(await seen('lat.example.com', DE)).toEqual(['203.0.113.11', '203.0.113.12']);
    expect((await ask('lat.example.com', [clientSubnet(DE)])).ecs!.scope).toBe(29);
    // San Jose is nearer to San Diego and to Tokyo (8,300 km) than Frankfurt (9,300 km).
    expect((await ask('lat.example.com', [clientSubnet(US_CA)])).answers).toEqual(['198.51.100.2']);
    expect((await ask('lat.example.com', [clientSubnet(JP)])).answers).toEqual(['198.51.100.2']);
    // The operator's map sends 2001:db8:aaaa::/48 to San Jose first; its scope is the whole subnet.
    const mapped = await ask('lat.example.com', [clientSubnet('2001:db8:aaaa::/48')]);
    expect(mapped.answers).toEqual(['198.51.100.2']);
    expect(mapped.ecs!.scope).toBe(48);
    await allReport({ sjc: false });
    await waitFor(async () => (await ask('lat.example.com', [clientSubnet(US_CA)])).answers.join() !== '198.51.100.2');
    expect(await seen('lat.example.com', US_CA)).toEqual(['203.0.113.11', '203.0.113.12']);
    await allReport({ sjc: true });
    await waitFor(async () => (await ask('lat.example.com', [clientSubnet(US_CA)])).answers.join() === '198.51.100.2');
  });
});

describe('IP-based', () => {
  test('the longest matching block decides on /24 and /48 at most; the scope is the subnet decided on', async () => {
    const hq = await ask('ip.example.com', [clientSubnet('192.0.2.128/25')]);
    expect(hq.answers).toEqual(['203.0.113.50']);
    expect(hq.ecs!.scope).toBe(24);
    const v6 = await ask('ip.example.com', [clientSubnet('2001:db8:1:2::/64')]);
    expect(v6.answers).toEqual(['203.0.113.50']);
    expect(v6.ecs!.scope).toBe(48);
    // A /16 is shorter than the /24 block: it matches no block, so the default answers.
    const wide = await ask('ip.example.com', [clientSubnet('192.0.0.0/16')]);
    expect(wide.answers).toEqual(['203.0.113.51']);
    expect(wide.ecs!.scope).toBe(16);
    expect((await ask('ip.example.com', [clientSubnet('198.51.100.0/24')])).answers).toEqual(['203.0.113.51']);
  });
});

describe('a malformed Client Subnet option is FORMERR (RFC 7871 §6, §7.1.1)', () => {
  test.each<[string, EdnsOption[]]>([
    ['SCOPE PREFIX-LENGTH set in a query', [clientSubnet('192.0.2.0/24', { scope: 8 })]],
    ['bits set beyond SOURCE PREFIX-LENGTH', [clientSubnet('192.0.2.0/23', { address: Buffer.from([192, 0, 3]) })]],
    ['more ADDRESS octets than SOURCE needs', [clientSubnet('192.0.2.0/24', { address: Buffer.from([192, 0, 2, 0]) })]],
    ['fewer ADDRESS octets than SOURCE needs', [clientSubnet('192.0.2.0/24', { address: Buffer.from([192, 0]) })]],
    ['an unknown FAMILY', [clientSubnet('192.0.2.0/24', { family: 3 })]],
    ['a SOURCE longer than the address', [clientSubnet('192.0.2.0/24', { source: 33, address: Buffer.from([192, 0, 2, 0, 0]) })]],
    ['two options', [clientSubnet('192.0.2.0/24'), clientSubnet('198.51.100.0/24')]],
  ])('%s', async (_, options) => {
    const r = await ask('geo.example.com', options);
    expect(r.rcode).toBe(Rcode.FORMERR);
    expect(r.ecs).toBeUndefined();
  });
});

describe('both European endpoints die: European clients move to the default', () => {
  test('the branch leaves, the default answers; it comes back with its endpoints', async () => {
    await allReport({ 'eu-a': false, 'eu-b': false });
    await waitFor(async () => (await ask('geo.example.com', [clientSubnet(DE)])).answers.join() === '192.0.2.1');
    expect(await seen('geo.example.com', DE, 20)).toEqual(['192.0.2.1']);
    // Other areas are untouched.
    expect((await ask('geo.example.com', [clientSubnet(US_CA)])).answers).toEqual(['198.51.100.1']);
    await allReport({ 'eu-a': true });
    await waitFor(async () => (await ask('geo.example.com', [clientSubnet(DE)])).answers.join() === '203.0.113.1');
    await allReport({ 'eu-b': true });
  });
});

describe('a node that ignores the option', () => {
  test('answers by the source address and echoes nothing', async () => {
    const other = await DnsNode.start({ config: treeConfig(), dns: { host: '127.0.0.1', port: 0 }, ignoreClientSubnet: true });
    try {
      const r = await ask('geo.example.com', [clientSubnet(DE)], other.dnsAddress.port);
      expect(r.answers).toEqual(['192.0.2.1']);
      expect(r.ecs).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});

describe('the GeoIP database', () => {
  test('a missing or unreadable database stops the node from starting, naming the file and the fix', async () => {
    await expect(DnsNode.start({ config: treeConfig('/nonexistent/db.mmdb'), dns: { host: '127.0.0.1', port: 0 } }))
      .rejects.toThrow(/GeoIP database \/nonexistent\/db\.mmdb does not exist; give the path of a MaxMind DB/);
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const junk = path.join(dir, 'junk.mmdb');
    writeFileSync(junk, 'not a database');
    await expect(DnsNode.start({ config: treeConfig(junk), dns: { host: '127.0.0.1', port: 0 } }))
      .rejects.toThrow(/is not a readable MaxMind DB file/);
  });

  test('reload: a truncated database is refused and the old one keeps serving; a replaced one is picked up, no query lost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    const db = path.join(dir, 'geo.mmdb');
    copyFileSync(CITY, db);
    const configFile = path.join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(treeConfig(db)));
    const n = await DnsNode.start({ configFile, dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
    let failures = 0;
    let queries = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const r = await ask('geo.example.com', [clientSubnet(US_CA)], n.dnsAddress.port);
          if (r.rcode !== Rcode.NOERROR || r.answers.length !== 1) failures++;
        } catch {
          failures++;
        }
        queries++;
      }
    })();
    try {
      expect((await ask('geo.example.com', [clientSubnet(US_CA)], n.dnsAddress.port)).answers).toEqual(['198.51.100.1']);
      // Truncated in place (as a copy cut short would leave it): the reload fails, the old database answers.
      const whole = readFileSync(CITY);
      writeFileSync(db, whole.subarray(0, 5000));
      const bad = await httpRequest(n.adminAddress!.port, 'POST', '/reload', '');
      expect(bad.status).toBe(422);
      expect(bad.text).toMatch(/not a readable MaxMind DB file/);
      expect((await ask('geo.example.com', [clientSubnet(US_CA)], n.dnsAddress.port)).answers).toEqual(['198.51.100.1']);
      // Replaced by the country database, which has no record for 214.78.120.0/24: the default answers.
      copyFileSync(COUNTRY, db);
      const good = await httpRequest(n.adminAddress!.port, 'POST', '/reload', '');
      expect(good.status).toBe(200);
      expect((await ask('geo.example.com', [clientSubnet(US_CA)], n.dnsAddress.port)).answers).toEqual(['192.0.2.1']);
      const status = JSON.parse((await httpRequest(n.adminAddress!.port, 'GET', '/status')).text);
      expect(status.geoip).toEqual(expect.objectContaining({ file: db, databaseType: 'GeoLite2-Country' }));
      await waitFor(async () => queries > 50);
    } finally {
      stop = true;
      await loop;
      await n.stop();
    }
    expect(queries).toBeGreaterThan(50);
    // Only the answers that changed with the database differ; no query went unanswered.
    expect(failures).toBe(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
