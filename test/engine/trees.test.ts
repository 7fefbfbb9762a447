/**
 * Geolocation, latency and IP-based routing, and routing trees of aliases with EvaluateTargetHealth:
 * the tables of ROUTE53.md §2 ("Geolocation", "Latency", "IP-based", "The client's address", "Alias
 * records and EvaluateTargetHealth"), through the engine. Expectations are written by hand from the page.
 */
import {
  aliasHealthKey,
  Client,
  clientLocation,
  compileGroup,
  compileTree,
  parseClientSubnet,
  regionOrderByDistance,
  seededRandom,
  UNKNOWN_CLIENT,
} from '../../lib/engine';
import { CidrCollectionModel, FailoverModel, RecordSetModel } from '../../lib/model';

const zone = { hostedZoneId: 'Z1' };
const rec = (setIdentifier: string, extra: Partial<RecordSetModel>, value = `192.0.2.${setIdentifier.length}`): RecordSetModel => ({
  ...zone, name: 'www.example.com', recordType: 'A', ttl: 60, values: [value], setIdentifier, healthCheckId: `hc-${setIdentifier}`, ...extra,
});
/** Health by set identifier: the listed ones are down. */
const down = (...ids: string[]) => (id: string | undefined) => !ids.map((x) => `hc-${x}`).includes(id!);
const at = (country: string, subdivision?: string): Client => ({ location: clientLocation({ country, ...(subdivision ? { subdivision } : {}) }) });
const answer = (records: readonly RecordSetModel[]) => records.map((r) => r.setIdentifier);

describe('geolocation (ROUTE53.md §2 "Geolocation")', () => {
  const records = [
    rec('california', { geoLocation: { countryCode: 'US', subdivisionCode: 'CA' } }),
    rec('usa', { geoLocation: { countryCode: 'US' } }),
    rec('north-america', { geoLocation: { continentCode: 'NA' } }),
    rec('europe', { geoLocation: { continentCode: 'EU' } }),
    rec('default', { geoLocation: { countryCode: '*' } }),
  ];
  const group = compileGroup(records);
  const pick = (client: Client, isHealthy = down()) => answer(group.select(isHealthy, Math.random, client));

  test.each([
    // client, unhealthy records, answer
    [at('US', 'CA'), [], ['california']], // the smallest matching area wins
    [at('US', 'TX'), [], ['usa']], // no record for Texas: the country
    [at('CA'), [], ['north-america']], // Canada: the continent
    [at('BR'), [], ['default']], // nothing for South America: the default
    [UNKNOWN_CLIENT, [], ['default']], // an address that maps to no location: the default
    [at('US', 'CA'), ['california'], ['usa']], // unhealthy: widen to the enclosing area
    [at('US', 'CA'), ['california', 'usa'], ['north-america']],
    [at('US', 'CA'), ['california', 'usa', 'north-america'], ['default']],
    [at('US', 'CA'), ['california', 'usa', 'north-america', 'default'], ['california']], // all applicable unhealthy: the smallest match
    [at('US', 'TX'), ['usa', 'north-america', 'default'], ['usa']], // California is a sibling, never applicable
    [at('MX'), ['north-america', 'default'], ['north-america']],
  ] as Array<[Client, string[], string[]]>)('%j with %j down answers %j', (client, unhealthy, expected) => {
    expect(pick(client, down(...unhealthy))).toEqual(expected);
  });

  test.each([
    ['TR', ['europe']], ['RU', ['europe']], ['CY', ['europe']], // Route 53's table, not a GeoIP database's
    ['AM', ['default']], ['AZ', ['default']], ['GE', ['default']], // Asia: no record here
    ['DE', ['europe']],
  ])('a client in %s is on Route 53\'s continent for it: %j', (country, expected) => {
    expect(pick(at(country))).toEqual(expected);
  });

  test('no match and no default: no answer (NODATA)', () => {
    const noDefault = compileGroup(records.filter((r) => r.setIdentifier !== 'default'));
    expect(noDefault.select(down(), Math.random, at('BR'))).toEqual([]);
    expect(noDefault.select(down(), Math.random, UNKNOWN_CLIENT)).toEqual([]);
    expect(noDefault.distribution(down(), {}, at('BR'))).toEqual([]);
  });

  test('the distribution and the shares follow the client', () => {
    expect(group.distribution(down('california'), {}, at('US', 'CA')).map((o) => [o.setIdentifiers, o.probability])).toEqual([[['usa'], 1]]);
    expect(group.inclusionProbabilities(down(), at('DE'))).toEqual([0, 0, 0, 1, 0]);
  });
});

describe('latency (ROUTE53.md §2 "Latency")', () => {
  const records = [
    rec('virginia', { region: 'us-east-1' }),
    rec('ireland', { region: 'eu-west-1' }),
    rec('singapore', { region: 'ap-southeast-1' }),
  ];
  const group = compileGroup(records);
  const inEurope: Client = { regionOrder: ['eu-west-1', 'us-east-1', 'ap-southeast-1'] };

  test.each([
    [[], ['ireland']], // the region with the lowest latency
    [['ireland'], ['virginia']], // unhealthy: the next best region
    [['ireland', 'virginia'], ['singapore']],
    [['ireland', 'virginia', 'singapore'], ['ireland']], // all unhealthy: last resort, the best region
    [['singapore'], ['ireland']],
  ])('a client near Ireland with %j down gets %j', (unhealthy, expected) => {
    expect(answer(group.select(down(...unhealthy), Math.random, inEurope))).toEqual(expected);
  });

  test('regions the order does not name come last; no order at all: record order', () => {
    expect(answer(group.select(down(), Math.random, { regionOrder: ['ap-southeast-1'] }))).toEqual(['singapore']);
    expect(answer(group.select(down('singapore'), Math.random, { regionOrder: ['ap-southeast-1'] }))).toEqual(['virginia']);
    expect(answer(group.select(down(), Math.random, UNKNOWN_CLIENT))).toEqual(['virginia']);
  });

  test('the distance order approximates latency: Frankfurt is nearest Ireland, then Virginia, then Singapore', () => {
    expect(regionOrderByDistance([50.11, 8.68], ['us-east-1', 'ap-southeast-1', 'eu-west-1'])).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-1']);
    expect(regionOrderByDistance([-33.87, 151.21], ['us-east-1', 'ap-southeast-1', 'eu-west-1'])).toEqual(['ap-southeast-1', 'us-east-1', 'eu-west-1']);
  });
});

describe('IP-based (ROUTE53.md §2 "IP-based", "The client\'s address")', () => {
  const collection: CidrCollectionModel = {
    id: 'offices',
    name: 'offices',
    locations: [
      { name: 'branch', cidrList: ['203.0.113.0/24'] },
      { name: 'campus', cidrList: ['203.0.0.0/16'] },
      { name: 'v6', cidrList: ['2001:db8::/32'] },
      { name: 'unrouted', cidrList: ['198.18.0.0/15'] },
    ],
  };
  const records = [
    rec('branch', { cidrRoutingConfig: { collectionId: 'offices', locationName: 'branch' } }),
    rec('campus', { cidrRoutingConfig: { collectionId: 'offices', locationName: 'campus' } }),
    rec('v6', { cidrRoutingConfig: { collectionId: 'offices', locationName: 'v6' } }),
    rec('default', { cidrRoutingConfig: { collectionId: 'offices', locationName: '*' } }),
  ];
  const group = compileGroup(records, { collections: [collection] });
  const from = (subnet: string, isHealthy = down()) => answer(group.select(isHealthy, Math.random, { subnet: parseClientSubnet(subnet) }));

  test.each([
    ['203.0.113.7', [], ['branch']], // the longest matching block wins
    ['203.0.5.1', [], ['campus']],
    ['198.51.100.1', [], ['default']], // no match: the default
    ['198.18.0.1', [], ['default']], // a location without a record routes nothing
    ['2001:db8:1::1', [], ['v6']],
    ['203.0.113.0/16', [], ['campus']], // a /24 block is longer than a /16 client: it does not match
    ['203.0.113.7', ['branch'], ['campus']], // unhealthy: the enclosing shorter match
    ['203.0.113.7', ['branch', 'campus'], ['default']],
    ['203.0.113.7', ['branch', 'campus', 'default'], ['branch']], // all applicable unhealthy: the matched record
  ])('%s with %j down answers %j', (subnet, unhealthy, expected) => {
    expect(from(subnet, down(...(unhealthy as string[])))).toEqual(expected);
  });

  test('a client without a subnet gets the default; without a default, no answer', () => {
    expect(answer(group.select(down(), Math.random, UNKNOWN_CLIENT))).toEqual(['default']);
    const noDefault = compileGroup(records.slice(0, 3), { collections: [collection] });
    expect(noDefault.select(down(), Math.random, { subnet: parseClientSubnet('198.51.100.1') })).toEqual([]);
  });

  test('Route 53 decides on at most /24 and /48', () => {
    expect(parseClientSubnet('203.0.113.77').text).toBe('203.0.113.0/24');
    expect(parseClientSubnet('2001:db8:1:2::1').text).toBe('2001:db8:1::/48');
    expect(parseClientSubnet('192.0.2.0/20')).toMatchObject({ prefix: 20, text: '192.0.0.0/20' });
    expect(() => parseClientSubnet('not-an-address')).toThrow(/'not-an-address' is not an IP address or subnet/);
    expect(() => parseClientSubnet('192.0.2.0/33')).toThrow(/prefix length 33; use 0 to 32/);
  });

  test('thousands of blocks: each client still finds its longest block', () => {
    const locations = Array.from({ length: 4000 }, (_, i) => ({ name: `l${i}`, cidrList: [`10.${i >> 8}.${i & 255}.0/24`] }));
    const big: CidrCollectionModel = { id: 'big', name: 'big', locations: [...locations, { name: 'wide', cidrList: ['10.0.0.0/8'] }] };
    const bigRecords = [...locations, { name: 'wide' }].map((l) => rec(l.name, { cidrRoutingConfig: { collectionId: 'big', locationName: l.name } }));
    const g = compileGroup(bigRecords, { collections: [big] });
    expect(answer(g.select(down(), Math.random, { subnet: parseClientSubnet('10.14.160.9') }))).toEqual([`l${14 * 256 + 160}`]);
    expect(answer(g.select(down(`l${14 * 256 + 160}`), Math.random, { subnet: parseClientSubnet('10.14.160.9') }))).toEqual(['wide']);
    expect(answer(g.select(down(), Math.random, { subnet: parseClientSubnet('10.200.0.1') }))).toEqual(['wide']);
  });
});

describe('routing trees (ROUTE53.md §2 "Alias records and EvaluateTargetHealth")', () => {
  const alias = (setIdentifier: string, dnsName: string, extra: Partial<RecordSetModel> = {}, evaluateTargetHealth = true): RecordSetModel => ({
    ...zone, name: 'api.example.com', recordType: 'A', values: [], setIdentifier, aliasTarget: { dnsName, hostedZoneId: 'Z1', evaluateTargetHealth }, ...extra,
  });
  const member = (name: string, setIdentifier: string, weight = 1): RecordSetModel => ({
    ...zone, name, recordType: 'A', ttl: 60, values: [`198.51.100.${setIdentifier.length}`], setIdentifier, weight, healthCheckId: `hc-${setIdentifier}`,
  });
  /** The documented walkthrough: latency -> a weighted group per region (DG-complex). */
  const walkthrough = (evaluate = true): FailoverModel => ({
    healthChecks: [],
    recordSets: [
      alias('us', 'us.api.example.com', { region: 'us-east-1' }, evaluate),
      alias('eu', 'eu.api.example.com', { region: 'eu-west-1' }, evaluate),
      member('us.api.example.com', 'us-a'),
      member('us.api.example.com', 'us-bb'),
      member('eu.api.example.com', 'eu-a'),
      member('eu.api.example.com', 'eu-bb'),
    ],
  });
  const nearEu: Client = { regionOrder: ['eu-west-1', 'us-east-1'] };
  const shares = (model: FailoverModel, isHealthy: (id: string | undefined) => boolean, client = nearEu) => {
    const tree = compileTree(model);
    const top = tree.find('api.example.com', 'A')!;
    const reach = tree.reach(top, isHealthy, client);
    return Object.fromEntries([...reach].filter(([r]) => !r.aliasTarget).map(([r, p]) => [r.setIdentifier, p]));
  };

  test.each([
    [[], { 'eu-a': 0.5, 'eu-bb': 0.5 }], // the nearest region's weighted group
    [['eu-a'], { 'eu-bb': 1 }], // one endpoint down: the rest of the region
    [['eu-a', 'eu-bb'], { 'us-a': 0.5, 'us-bb': 0.5 }], // the whole region down: its alias is unhealthy, the next region answers
    [['eu-a', 'eu-bb', 'us-a', 'us-bb'], { 'eu-a': 0.5, 'eu-bb': 0.5 }], // all down: last resort at every level
  ])('the walkthrough with %j down answers %j', (unhealthy, expected) => {
    expect(shares(walkthrough(), down(...(unhealthy as string[])))).toEqual(expected);
  });

  test('EvaluateTargetHealth false: the branch counts as healthy and answers from inside even when it all fails', () => {
    expect(shares(walkthrough(false), down('eu-a', 'eu-bb'))).toEqual({ 'eu-a': 0.5, 'eu-bb': 0.5 });
  });

  test('a health check on the alias itself must be healthy too', () => {
    const model = walkthrough();
    const checked: FailoverModel = { ...model, recordSets: model.recordSets.map((r) => (r.setIdentifier === 'eu' ? { ...r, healthCheckId: 'hc-eu' } : r)) };
    expect(shares(checked, down('eu'))).toEqual({ 'us-a': 0.5, 'us-bb': 0.5 });
  });

  test('a leaf without a health check keeps its whole branch healthy forever', () => {
    const model = walkthrough();
    const unchecked: FailoverModel = { ...model, recordSets: model.recordSets.map((r) => (r.setIdentifier === 'eu-bb' ? { ...r, healthCheckId: undefined } : r)) };
    expect(shares(unchecked, down('eu-a'))).toEqual({ 'eu-bb': 1 });
    // Every checked member of Europe down, Europe still answers from its unchecked member.
    expect(shares(unchecked, down('eu-a', 'us-a', 'us-bb'))).toEqual({ 'eu-bb': 1 });
  });

  test('failover PRIMARY -> a latency tree, SECONDARY -> a static site; the outcomes name the path', () => {
    const model = walkthrough();
    const tree: FailoverModel = {
      ...model,
      recordSets: [
        { ...zone, name: 'www.example.com', recordType: 'A', values: [], setIdentifier: 'primary', failover: 'PRIMARY', aliasTarget: { dnsName: 'api.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
        { ...zone, name: 'www.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.99'], setIdentifier: 'sorry', failover: 'SECONDARY' },
        ...model.recordSets,
      ],
    };
    const compiled = compileTree(tree);
    const www = compiled.find('www.example.com', 'A')!;
    expect(compiled.roots().map((g) => g.name)).toEqual(['www.example.com']);
    const outcomes = (isHealthy: (id: string | undefined) => boolean) =>
      compiled.outcomes(www, isHealthy, nearEu).map((o) => [o.path.map((r) => r.setIdentifier).join(' > '), o.probability]);
    expect(outcomes(down())).toEqual([['primary > eu > eu-a', 0.5], ['primary > eu > eu-bb', 0.5]]);
    expect(outcomes(down('eu-a', 'eu-bb', 'us-a', 'us-bb'))).toEqual([['sorry', 1]]);
    // resolve() answers with the leaf's records, as a query for the top name would.
    expect(answer(compiled.resolve(www, down('eu-a', 'eu-bb'), seededRandom(1), nearEu))).toEqual([expect.stringMatching(/^us-/)]);
  });

  test('an alias to an AWS resource with EvaluateTargetHealth is healthy unless its health is overridden', () => {
    const records = [
      { ...zone, name: 'app.example.com', recordType: 'A' as const, values: [], setIdentifier: 'alb', failover: 'PRIMARY' as const, aliasTarget: { dnsName: 'my-alb-123.us-east-1.elb.amazonaws.com', hostedZoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: true } },
      { ...zone, name: 'app.example.com', recordType: 'A' as const, ttl: 60, values: ['192.0.2.5'], setIdentifier: 'static', failover: 'SECONDARY' as const },
    ];
    const tree = compileTree({ recordSets: records });
    const g = tree.find('app.example.com', 'A')!;
    expect(tree.targetOf(records[0])).toBeUndefined();
    expect(answer(tree.resolve(g, () => true, Math.random))).toEqual(['alb']);
    const albDown = (id: string | undefined) => id !== aliasHealthKey('my-alb-123.us-east-1.elb.amazonaws.com.');
    expect(answer(tree.resolve(g, albDown, Math.random))).toEqual(['static']);
  });

  test('a loop (refused by validation) gives no answer instead of spinning', () => {
    const loop: FailoverModel = {
      healthChecks: [],
      recordSets: [
        { ...zone, name: 'a.example.com', recordType: 'A', values: [], aliasTarget: { dnsName: 'b.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
        { ...zone, name: 'b.example.com', recordType: 'A', values: [], aliasTarget: { dnsName: 'a.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
      ],
    };
    const tree = compileTree(loop);
    expect(tree.resolve(tree.find('a.example.com', 'A')!, () => true, Math.random)).toEqual([]);
    expect(tree.find('a.example.com', 'A')!.group.anyHealthy(() => true)).toBe(false);
  });

  test('geolocation over IP-based subtrees: one client goes down the whole tree', () => {
    const collection: CidrCollectionModel = { id: 'c', name: 'c', locations: [{ name: 'office', cidrList: ['203.0.113.0/24'] }] };
    const model: FailoverModel = {
      healthChecks: [],
      cidrCollections: [collection],
      recordSets: [
        { ...zone, name: 'x.example.com', recordType: 'A', values: [], setIdentifier: 'office', cidrRoutingConfig: { collectionId: 'c', locationName: 'office' }, aliasTarget: { dnsName: 'office.x.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
        { ...zone, name: 'x.example.com', recordType: 'A', values: [], setIdentifier: 'rest', cidrRoutingConfig: { collectionId: 'c', locationName: '*' }, aliasTarget: { dnsName: 'geo.x.example.com', hostedZoneId: 'Z1', evaluateTargetHealth: true } },
        rec('office-gw', { name: 'office.x.example.com', weight: 1 }),
        rec('eu', { name: 'geo.x.example.com', geoLocation: { continentCode: 'EU' } }),
        rec('world', { name: 'geo.x.example.com', geoLocation: { countryCode: '*' } }),
      ],
    };
    const tree = compileTree(model);
    const x = tree.find('x.example.com', 'A')!;
    const go = (client: Client, isHealthy = down()) => answer(tree.resolve(x, isHealthy, Math.random, client));
    expect(go({ subnet: parseClientSubnet('203.0.113.9'), location: clientLocation({ country: 'DE' }) })).toEqual(['office-gw']);
    expect(go({ subnet: parseClientSubnet('198.51.100.9'), location: clientLocation({ country: 'DE' }) })).toEqual(['eu']);
    expect(go({ subnet: parseClientSubnet('198.51.100.9'), location: clientLocation({ country: 'JP' }) })).toEqual(['world']);
    expect(go({ subnet: parseClientSubnet('203.0.113.9'), location: clientLocation({ country: 'DE' }) }, down('office-gw'))).toEqual(['eu']);
  });
});
