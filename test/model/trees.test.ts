/**
 * The model's rules for geolocation, latency and IP-based records, aliases, routing trees and CIDR
 * collections (ROUTE53.md §2, §3): each rule fails on the bad value and names the fix; the warnings
 * flag what deploys but defeats failover.
 */
import {
  FailoverModel,
  Finding,
  RecordSetModel,
  TargetCapabilities,
  validateModel,
  validateRecordSet,
} from '../../lib/model';

const ROUTE53: TargetCapabilities = { name: 'CloudFormation', route53Limits: true, disabledHealthChecks: false, cloudWatchAlarmChecks: true, recoveryControlChecks: true };
const rec = (extra: Partial<RecordSetModel>): RecordSetModel => ({
  hostedZoneId: 'Z1', name: 'www.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.1'], setIdentifier: 'a', healthCheckId: 'hc', ...extra,
});
const rules = (findings: Finding[], severity: 'error' | 'warning' = 'error') => findings.filter((f) => f.severity === severity).map((f) => f.rule);
const model = (recordSets: RecordSetModel[], extra: Partial<FailoverModel> = {}): FailoverModel => ({
  healthChecks: [{ id: 'hc', config: { type: 'TCP', ipAddress: '192.0.2.1', port: 443 } }],
  recordSets,
  ...extra,
});

describe('geolocation records', () => {
  test.each([
    [{ continentCode: 'EU' }, []],
    [{ countryCode: 'DE' }, []],
    [{ countryCode: 'XK' }, []], // Kosovo: Route 53 accepts it
    [{ countryCode: 'US', subdivisionCode: 'CA' }, []],
    [{ countryCode: 'UA', subdivisionCode: '43' }, []],
    [{ countryCode: '*' }, []],
    [{ continentCode: 'EU', countryCode: 'DE' }, ['record/geolocation']], // continent XOR country
    [{ subdivisionCode: 'CA' }, ['record/geolocation']], // a subdivision needs its country
    [{ countryCode: 'DE', subdivisionCode: 'BY' }, ['record/geolocation']], // Germany has no subdivisions in Route 53
    [{ countryCode: 'US', subdivisionCode: 'PR' }, ['record/geolocation']], // Puerto Rico is a country there
    [{ continentCode: 'XX' }, ['record/geolocation']],
    [{ countryCode: 'ZZ' }, ['record/geolocation']],
    [{ countryCode: 'BV' }, ['record/geolocation']], // refused: no data about its addresses
    [{ countryCode: '*', subdivisionCode: 'CA' }, ['record/geolocation']],
    [{}, ['record/geolocation']],
  ])('%j: %j', (geoLocation, expected) => {
    expect(rules(validateRecordSet(rec({ geoLocation })))).toEqual(expected);
  });

  test('the message names the value and the fix', () => {
    const [f] = validateRecordSet(rec({ geoLocation: { continentCode: 'EU', countryCode: 'DE' } }));
    expect(f.problem).toBe('the location names continent EU and also country DE');
    expect(f.fix).toBe('give a continent, or a country (and a subdivision of it), not both');
  });

  test('one record per location, and a warning without a default', () => {
    const f = validateModel(model([rec({ setIdentifier: 'a', geoLocation: { countryCode: 'DE' } }), rec({ setIdentifier: 'b', geoLocation: { countryCode: 'DE' } })]), ROUTE53);
    expect(rules(f)).toEqual(['group/duplicate-location']);
    expect(f.find((x) => x.rule === 'group/duplicate-location')!.problem).toBe("'a' and 'b' both answer location country DE for www.example.com A");
    expect(rules(f, 'warning')).toContain('group/geolocation-without-default');
    const withDefault = validateModel(model([rec({ setIdentifier: 'a', geoLocation: { countryCode: 'DE' } }), rec({ setIdentifier: 'b', geoLocation: { countryCode: '*' } })]), ROUTE53);
    expect(rules(withDefault, 'warning')).not.toContain('group/geolocation-without-default');
  });
});

describe('latency records', () => {
  test('a region latency records can name; one record per region', () => {
    expect(rules(validateRecordSet(rec({ region: 'eu-west-1' })))).toEqual([]);
    expect(rules(validateRecordSet(rec({ region: 'mars-north-1' })))).toEqual(['record/region']);
    const f = validateModel(model([rec({ setIdentifier: 'a', region: 'us-east-1' }), rec({ setIdentifier: 'b', region: 'us-east-1' })]), ROUTE53);
    expect(rules(f)).toEqual(['group/duplicate-location']);
  });

  test('at most 100 records per name and type', () => {
    const many = Array.from({ length: 101 }, (_, i) => rec({ setIdentifier: `m${i}`, geoLocation: { countryCode: i === 0 ? '*' : [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'][i % 26] + [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'][Math.floor(i / 26)] } }));
    expect(rules(validateModel(model(many), ROUTE53))).toContain('group/record-limit');
  });
});

describe('IP-based records and CIDR collections', () => {
  const collection = { id: 'c', name: 'offices', locations: [{ name: 'branch', cidrList: ['203.0.113.0/24'] }, { name: 'v6', cidrList: ['2001:db8::/48'] }] };
  const ip = (setIdentifier: string, locationName: string, collectionId = 'c') => rec({ setIdentifier, cidrRoutingConfig: { collectionId, locationName } });

  test('a valid group over a valid collection', () => {
    expect(validateModel(model([ip('a', 'branch'), ip('b', '*')], { cidrCollections: [collection] }), ROUTE53)).toEqual([]);
  });

  test.each([
    [['203.0.113.0/25'], 'cidr/prefix'], // longer than /24
    [['2001:db8::/56'], 'cidr/prefix'], // longer than /48
    [['0.0.0.0/0'], 'cidr/prefix'],
    [['203.0.113.7/24'], 'cidr/blocks'], // host bits set
    [['2001:db8::1/48'], 'cidr/blocks'],
    [['not-a-block'], 'cidr/blocks'],
    [[], 'cidr/blocks'],
  ])('a location with %j fails %s', (cidrList, rule) => {
    const bad = { ...collection, locations: [{ name: 'branch', cidrList }] };
    const f = validateModel(model([ip('a', 'branch'), ip('b', '*')], { cidrCollections: [bad] }), ROUTE53);
    expect(rules(f)).toContain(rule);
  });

  test('the fix of a block with host bits names the network', () => {
    const bad = { ...collection, locations: [{ name: 'branch', cidrList: ['203.0.113.7/24'] }] };
    const f = validateModel(model([ip('a', 'branch')], { cidrCollections: [bad] }), ROUTE53).find((x) => x.rule === 'cidr/blocks')!;
    expect(f.fix).toBe('write the network address, 203.0.113.0/24');
  });

  test('at most 1,000 blocks per collection; names and locations as Route 53 takes them', () => {
    const blocks = Array.from({ length: 1001 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expect(rules(validateModel(model([], { cidrCollections: [{ id: 'c', name: 'big', locations: [{ name: 'l', cidrList: blocks }] }] }), ROUTE53))).toContain('cidr/limit');
    expect(rules(validateModel(model([], { cidrCollections: [{ id: 'c', name: 'bad name', locations: [] }] }), ROUTE53))).toContain('cidr/name');
    expect(rules(validateModel(model([], { cidrCollections: [{ id: 'c', name: 'ok', locations: [{ name: 'a-location-name-too-long', cidrList: ['192.0.2.0/24'] }] }] }), ROUTE53))).toContain('cidr/location');
  });

  test('one record per CIDR location, one collection per name and type, locations of the collection', () => {
    const two = { ...collection, id: 'd', name: 'other' };
    expect(rules(validateModel(model([ip('a', 'branch'), ip('b', 'branch')], { cidrCollections: [collection] }), ROUTE53))).toContain('group/duplicate-location');
    expect(rules(validateModel(model([ip('a', 'branch'), ip('b', 'v6', 'd')], { cidrCollections: [collection, two] }), ROUTE53))).toContain('group/cidr-collections');
    expect(rules(validateModel(model([ip('a', 'nowhere')], { cidrCollections: [collection] }), ROUTE53))).toContain('record/cidr-location');
  });
});

describe('aliases and routing trees', () => {
  const alias = (name: string, dnsName: string, extra: Partial<RecordSetModel> = {}, evaluateTargetHealth = true): RecordSetModel => ({
    hostedZoneId: 'Z1', name, recordType: 'A', values: [], setIdentifier: dnsName.split('.')[0], aliasTarget: { dnsName, hostedZoneId: 'Z1', evaluateTargetHealth }, ...extra,
  });
  const member = (name: string, setIdentifier: string, extra: Partial<RecordSetModel> = {}): RecordSetModel =>
    rec({ name, setIdentifier, weight: 1, ...extra });
  const tree = [
    alias('api.example.com', 'us.api.example.com', { region: 'us-east-1' }),
    alias('api.example.com', 'eu.api.example.com', { region: 'eu-west-1' }),
    member('us.api.example.com', 'us-a'),
    member('eu.api.example.com', 'eu-a'),
  ];

  test('a two-region tree is valid', () => {
    expect(validateModel(model(tree), ROUTE53)).toEqual([]);
  });

  test.each([
    [{ ttl: 60 }, 'record/alias-ttl'], // no TTL on aliases
    [{ values: ['192.0.2.1'] }, 'record/alias-values'],
    [{ region: undefined, multiValueAnswer: true }, 'record/multivalue-alias'],
  ])('an alias with %j fails %s', (extra, rule) => {
    expect(rules(validateRecordSet({ ...tree[0], ...extra }))).toContain(rule);
  });

  test('CloudFront refuses EvaluateTargetHealth', () => {
    const cf = alias('www.example.com', 'd111111abcdef8.cloudfront.net', { setIdentifier: undefined, aliasTarget: { dnsName: 'd111111abcdef8.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2', evaluateTargetHealth: true } });
    expect(rules(validateRecordSet(cf))).toEqual(['record/alias-cloudfront-health']);
    expect(rules(validateRecordSet({ ...cf, aliasTarget: { ...cf.aliasTarget!, evaluateTargetHealth: false } }))).toEqual([]);
  });

  test('an alias of the zone points at the same type', () => {
    const aaaa = tree.map((r) => (r.name === 'eu.api.example.com' ? { ...r, recordType: 'AAAA' as const, values: ['2001:db8::1'] } : r));
    const f = validateModel(model(aaaa), ROUTE53);
    expect(rules(f)).toContain('tree/alias-type');
    expect(f.find((x) => x.rule === 'tree/alias-type')!.problem).toBe('the alias points at eu.api.example.com A, but that name has only AAAA records in this zone');
  });

  test('a target the artifact does not hold is a warning (another stack may create it)', () => {
    expect(rules(validateModel(model(tree.slice(0, 3)), ROUTE53), 'warning')).toContain('tree/alias-target-not-in-artifact');
  });

  test('no loops', () => {
    const loop = [alias('a.example.com', 'b.example.com', { setIdentifier: undefined }), alias('b.example.com', 'a.example.com', { setIdentifier: undefined })];
    const f = validateModel(model(loop), ROUTE53);
    expect(rules(f)).toEqual(['tree/loop']);
    expect(f[0].problem).toBe('aliases form a loop: a.example.com A -> b.example.com A -> a.example.com A');
  });

  test('a depth limit', () => {
    const chain = Array.from({ length: 10 }, (_, i) => alias(`l${i}.example.com`, `l${i + 1}.example.com`, { setIdentifier: undefined }));
    const f = validateModel(model([...chain, rec({ name: 'l10.example.com', setIdentifier: undefined })]), ROUTE53);
    expect(rules(f)).toContain('tree/depth');
  });

  test('warns about a leaf without a health check under an alias with EvaluateTargetHealth', () => {
    const unchecked = tree.map((r) => (r.setIdentifier === 'eu-a' ? { ...r, healthCheckId: undefined } : r));
    const f = validateModel(model(unchecked), ROUTE53).filter((x) => x.rule === 'tree/leaf-without-check');
    expect(f.map((x) => x.resource)).toEqual(['record eu.api.example.com A [eu-a]']);
    expect(f[0].problem).toMatch(/has no health check, so it always counts as healthy and the alias 'eu' of api.example.com never sees its branch fail/);
  });

  test('warns about EvaluateTargetHealth false over health-checked members', () => {
    const off = [alias('api.example.com', 'eu.api.example.com', { region: 'eu-west-1' }, false), tree[1], ...tree.slice(2)];
    expect(rules(validateModel(model(off), ROUTE53), 'warning')).toContain('tree/evaluate-target-health-off');
  });
});
