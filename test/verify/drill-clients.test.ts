/**
 * The drill's clients of routing trees: one real subnet per client area, found in the GeoIP database
 * the drill's DNS node reads (the embedded DB-IP database, or the bundle's own), and the engine's
 * client of each subnet derived as the node derives it. Checked against the database itself (an
 * independent lookup), against Route 53's continent table, and against the node's own ClientResolver.
 */
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { multiRegionApp } from '../../examples/multi-region-cdk/app';
import { BundleConfig } from '../../lib/bundle';
import { GeoIpDatabase } from '../../lib/bundle/geoip';
import { clientSetupOf } from '../../lib/dns/clients';
import { parseClientSubnet } from '../../lib/engine';
import { COUNTRY_CONTINENT } from '../../lib/model';
import { bundleSource, clientSubnetOption, cloudFormationSource, DrillClient, drillPlan, scanGeoIp } from '../../lib/verify';
import { clientSubnet } from '../dns/helpers';

const CITY = path.join(__dirname, '..', 'fixtures', 'geoip', 'GeoIP2-City-Test.mmdb');

const setups = new Map<BundleConfig, ReturnType<typeof clientSetupOf>>();

/** What the node's own resolver makes of a subnet (lib/dns/clients.ts), for a config. */
function nodeClient(config: BundleConfig, subnet: string) {
  if (!setups.has(config)) setups.set(config, clientSetupOf(config));
  const { resolver } = setups.get(config)!;
  const s = parseClientSubnet(subnet);
  return resolver!.forSubnet(s.family, s.bits, s.prefix).client;
}

describe('the multi-region example (CloudFormation), embedded database', () => {
  const source = cloudFormationSource(Template.fromStack(multiRegionApp().stack).toJSON(), 't.json', 'MultiRegionStack');
  const plan = drillPlan(source, 60, 3);
  const db = GeoIpDatabase.embedded();
  const byLabel = (gateway: string) => new Map((plan.clients.get(gateway) ?? []).map((c) => [c.label, c]));
  const countryOf = (c: DrillClient) => db.lookup(c.subnet.split('/')[0]).location?.country;

  test('a client per area of each tree gateway; none for the weighted pairs inside the tree', () => {
    expect([...plan.clients.keys()]).toEqual(['live.api.example.com A', 'api.example.com A', 'www.example.com A']);
    expect([...byLabel('live.api.example.com A').keys()]).toEqual(['near eu-west-1', 'near us-east-1']);
    expect([...byLabel('www.example.com A').keys()]).toEqual(['continent EU', 'continent NA', 'near eu-west-1', 'near us-east-1', 'elsewhere']);
    expect(plan.notes.filter((n) => n.includes('left out of the drill'))).toEqual([]);
    for (const c of [...plan.clients.values()].flat()) expect(c.subnet).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
  });

  test('for continent EU the chosen subnet is, in the embedded database, a European country (Route 53\'s table)', () => {
    const eu = byLabel('www.example.com A').get('continent EU')!;
    const country = countryOf(eu)!;
    expect(COUNTRY_CONTINENT.get(country)).toBe('EU');
    expect(eu.location).toEqual({ continent: 'EU', country });
    // North America likewise; everyone else is on a continent the tree has no record for.
    expect(COUNTRY_CONTINENT.get(countryOf(byLabel('www.example.com A').get('continent NA')!)!)).toBe('NA');
    expect(['EU', 'NA']).not.toContain(COUNTRY_CONTINENT.get(countryOf(byLabel('www.example.com A').get('elsewhere')!)!));
  });

  test('near a region: the region\'s own country, whose people live nearest to it', () => {
    const live = byLabel('live.api.example.com A');
    expect(countryOf(live.get('near eu-west-1')!)).toBe('IE');
    expect(live.get('near eu-west-1')!.regionOrder).toEqual(['eu-west-1', 'us-east-1']);
    expect(countryOf(live.get('near us-east-1')!)).toBe('US');
    expect(live.get('near us-east-1')!.regionOrder).toEqual(['us-east-1', 'eu-west-1']);
  });

  test('the engine\'s client of each subnet is the one the DNS node derives (location, region order, subnet)', () => {
    for (const c of [...plan.clients.values()].flat()) {
      expect(c.client).toEqual(nodeClient(plan.config, c.subnet));
    }
  });

  test('choosing the subnets takes one lookup per /16 of unicast IPv4 space', () => {
    expect(plan.geoip).toEqual({ description: db.description, lookups: 223 * 256, ms: expect.any(Number) });
    const scan = scanGeoIp(db, 'sixteens');
    expect(scan.lookups).toBe(223 * 256);
    expect(scan.samples.length).toBeGreaterThan(50_000);
  });
});

describe('a bundle naming its own database (MaxMind\'s city test database)', () => {
  const a = (name: string, setIdentifier: string, value: string, extra: object) => ({ name, recordType: 'A', ttl: 60, values: [value], setIdentifier, ...extra });
  const config = {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: ['ca', 'eu', 'de', 'rest'].map((id, i) => ({ id, config: { type: 'HTTP', ipAddress: `203.0.113.${i + 1}`, port: 80, resourcePath: '/' } })),
    recordSets: [
      a('geo.example.com', 'ca', '203.0.113.1', { geoLocation: { countryCode: 'US', subdivisionCode: 'CA' }, healthCheckId: 'ca' }),
      a('geo.example.com', 'eu', '203.0.113.2', { geoLocation: { continentCode: 'EU' }, healthCheckId: 'eu' }),
      a('geo.example.com', 'de', '203.0.113.3', { geoLocation: { countryCode: 'DE' }, healthCheckId: 'de' }),
      a('geo.example.com', 'rest', '203.0.113.4', { geoLocation: { countryCode: '*' }, healthCheckId: 'rest' }),
      a('ip.example.com', 'hq', '203.0.113.5', { cidrRoutingConfig: { collectionId: 'offices', locationName: 'hq' } }),
      a('ip.example.com', 'rest', '203.0.113.6', { cidrRoutingConfig: { collectionId: 'offices', locationName: '*' } }),
      // Latency over two regions of one's own, and a latency map for the office's block.
      a('lat.example.com', 'fra', '203.0.113.7', { region: 'fra', healthCheckId: 'eu' }),
      a('lat.example.com', 'sjc', '203.0.113.8', { region: 'sjc', healthCheckId: 'ca' }),
    ],
    cidrCollections: [{ id: 'offices', name: 'offices', locations: [{ name: 'hq', cidrList: ['10.20.0.0/16'] }] }],
    geoip: { database: CITY },
    regions: [{ name: 'fra', latitude: 50.11, longitude: 8.68 }, { name: 'sjc', latitude: 37.34, longitude: -121.89 }],
    latencyMap: [{ cidr: '10.20.0.0/16', regions: ['sjc', 'fra'] }],
    verdict: { healthyFraction: 0.18, freshnessMs: 60_000 },
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
  const plan = drillPlan(bundleSource(config, path.join(__dirname, 'config.json')), 30, 3);

  test('the drill\'s node reads the bundle\'s database, and the subnets come from it (a subdivision, a continent, everyone else)', () => {
    expect(plan.config.geoip).toEqual({ database: CITY });
    expect(plan.geoip?.description).toBe(CITY);
    const geo = plan.clients.get('geo.example.com A')!;
    expect(geo.map((c) => [c.label, c.subnet, c.location])).toEqual([
      // The test database's first IPv4 network in California, and its only one in Europe (England).
      ['US-CA', '214.78.120.0/24', { continent: 'NA', country: 'US', subdivision: 'CA' }],
      ['continent EU', '2.2.3.0/24', { continent: 'EU', country: 'GB', subdivision: 'ENG' }],
      // The first /24 of a /16 the database locates (the first pass of the scan): no location of the tree holds it.
      ['elsewhere', '214.0.0.0/24', { continent: 'AS', country: 'SG' }],
    ]);
    for (const c of geo) expect(c.client).toEqual(nodeClient(plan.config, c.subnet));
  });

  test('near a region of one\'s own: by the database\'s coordinates and the bundle\'s positions', () => {
    const lat = plan.clients.get('lat.example.com A')!;
    expect(lat.map((c) => [c.label, c.subnet, c.location?.country, c.regionOrder])).toEqual([
      // Singapore is nearer Frankfurt than San Jose; the first pass of the scan finds it.
      ['near fra', '214.0.0.0/24', 'SG', ['fra', 'sjc']],
      // None of the first pass is nearer San Jose: the walk finds the US, which holds the most space.
      ['near sjc', '149.101.100.0/24', 'US', ['sjc', 'fra']],
    ]);
    for (const c of lat) expect(c.client).toEqual(nodeClient(plan.config, c.subnet));
  });

  test('a block of the latency map decides the region order, as on the node', () => {
    const hq = plan.clients.get('ip.example.com A')![0];
    expect(hq.regionOrder).toEqual(['sjc', 'fra']);
    expect(hq.client).toEqual(nodeClient(plan.config, hq.subnet));
  });

  test('an area no IPv4 subnet of the database is in is left out, with a note naming it', () => {
    expect(plan.notes).toContain(`geo.example.com A: no subnet of IPv4 space is DE in ${CITY}; that client is left out of the drill`);
  });

  test('an IP-based area is the subnet of its block, and everyone else a network outside every block', () => {
    expect(plan.clients.get('ip.example.com A')!.map((c) => [c.label, c.subnet])).toEqual([
      ['hq (10.20.0.0/16)', '10.20.0.0/16'],
      ['elsewhere (192.0.2.0/24)', '192.0.2.0/24'],
    ]);
    expect(plan.config.cidrCollections).toEqual(config.cidrCollections);
  });
});

describe('which database the drill\'s node reads', () => {
  const geoBundle = (database: string) => ({
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [{ id: 'eu', config: { type: 'HTTP', ipAddress: '203.0.113.1', port: 80, resourcePath: '/' } }],
    recordSets: [
      { name: 'geo.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.1'], setIdentifier: 'eu', geoLocation: { continentCode: 'EU' }, healthCheckId: 'eu' },
      { name: 'geo.example.com', recordType: 'A', ttl: 60, values: ['203.0.113.2'], setIdentifier: 'rest', geoLocation: { countryCode: '*' } },
    ],
    geoip: { database },
    checkers: [{ id: 'c1', region: 'r1' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  });

  test('a path relative to the bundle config is found next to it', () => {
    const plan = drillPlan(bundleSource(geoBundle('../fixtures/geoip/GeoIP2-City-Test.mmdb'), path.join(__dirname, 'config.json')), 30, 1);
    expect(plan.config.geoip).toEqual({ database: CITY });
    expect(plan.clients.get('geo.example.com A')![0].subnet).toBe('2.2.3.0/24');
  });

  test('a database that is not on this machine: the embedded one, with a note', () => {
    const plan = drillPlan(bundleSource(geoBundle('/srv/geoip/GeoLite2-City.mmdb'), path.join(__dirname, 'config.json')), 30, 1);
    expect(plan.config.geoip).toBeUndefined();
    expect(plan.geoip?.description).toBe(GeoIpDatabase.embedded().description);
    expect(plan.notes).toContain("the bundle's GeoIP database /srv/geoip/GeoLite2-City.mmdb is not on this machine; the drill locates clients with the embedded database instead");
  });
});

describe('the EDNS Client Subnet option of the drill\'s queries', () => {
  test.each(['2.17.0.0/24', '10.20.0.0/16', '10.16.0.0/12', '2001:db8:1200::/40', '2a02:d180::/48'])('%s: as RFC 7871 writes it', (subnet) => {
    expect(clientSubnetOption(subnet)).toEqual(clientSubnet(subnet));
  });

  test('a longer subnet is cut to what Route 53 decides on (/24)', () => {
    expect(clientSubnetOption('198.51.100.77/32')).toEqual(clientSubnet('198.51.100.0/24'));
  });
});
