/**
 * Routing trees in a SelfHostedStack: what the bundle carries (trees, CIDR collections, the GeoIP
 * database, regions of one's own, the latency map, a node that ignores the client subnet), how the
 * Kubernetes manifests and systemd units pass them on, and the errors for what cannot work.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Continent, GeoLocation } from 'aws-cdk-lib/aws-route53';
import { parseAllDocuments } from 'yaml';
import { removeTempDirs, tempDir } from './helpers';
import {
  GatewayTarget,
  GatewayZone,
  GeolocationGateway,
  IpBasedGateway,
  LatencyGateway,
  SelfHostedApp,
  SelfHostedStack,
  SelfHostedStackProps,
  WeightedFailoverGateway,
} from '../../../lib';

afterAll(removeTempDirs);

const REPO = path.resolve(__dirname, '..', '..', '..');
const CITY = path.join(REPO, 'test', 'fixtures', 'geoip', 'GeoIP2-City-Test.mmdb');
const zone = GatewayZone.fromZoneName('example.com');

function treeStack(props: SelfHostedStackProps = {}): SelfHostedStack {
  const stack = new SelfHostedStack(new SelfHostedApp(), 'trees', {
    regions: [{ name: 'fra', latitude: 50.11, longitude: 8.68 }, { name: 'sjc', latitude: 37.34, longitude: -121.89 }],
    ...props,
  });
  const healthCheck = { requestInterval: Duration.seconds(1) };
  const eu = new WeightedFailoverGateway(stack, 'Eu', {
    zone, healthCheck, endpoints: [{ name: 'eu-a', ipAddress: '192.0.2.1' }, { name: 'eu-b', ipAddress: '192.0.2.2' }],
  });
  new GeolocationGateway(stack, 'Geo', {
    zone,
    recordName: 'geo',
    healthCheck,
    endpoints: [
      { name: 'europe', location: GeoLocation.continent(Continent.EUROPE), target: GatewayTarget.gateway(eu) },
      { name: 'rest', location: GeoLocation.default(), ipAddress: '198.51.100.1' },
    ],
  });
  new LatencyGateway(stack, 'Lat', {
    zone,
    recordName: 'lat',
    healthCheck,
    endpoints: [
      { name: 'fra', region: 'fra', target: GatewayTarget.gateway(eu) },
      { name: 'sjc', region: 'sjc', ipAddress: '198.51.100.2' },
    ],
  });
  new IpBasedGateway(stack, 'Ip', {
    zone,
    recordName: 'ip',
    healthCheck,
    endpoints: [
      { name: 'hq', location: 'hq', cidrBlocks: ['192.0.2.0/24'], ipAddress: '203.0.113.50' },
      { name: 'rest', location: '*', ipAddress: '203.0.113.51' },
    ],
  });
  return stack;
}

describe('the bundle of a stack with trees', () => {
  test('config.json carries aliases in the zone by name, the collection, the regions, the latency map, the database', () => {
    const dir = tempDir();
    treeStack({
      geoipDatabase: CITY,
      latencyMap: [{ cidrBlocks: ['2001:db8:aaaa::/48', '203.0.113.0/24'], regions: ['sjc', 'fra'] }],
      dnsNodes: [{ id: 'ns1' }, { id: 'ns2', ignoreClientSubnet: true }],
    }).synth(dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    const europe = config.recordSets.find((r: any) => r.setIdentifier === 'europe');
    expect(europe).toEqual({
      name: 'geo.example.com',
      recordType: 'A',
      values: [],
      setIdentifier: 'europe',
      geoLocation: { continentCode: 'EU' },
      aliasTarget: { dnsName: 'europe.geo.example.com', hostedZoneName: 'example.com', evaluateTargetHealth: true },
      hostedZoneName: 'example.com',
    });
    expect(config.recordSets.find((r: any) => r.setIdentifier === 'fra').aliasTarget.dnsName).toBe('europe.geo.example.com');
    expect(config.cidrCollections).toEqual([{ id: 'trees-Ip-Collection', name: 'trees-Ip-Collection', locations: [{ name: 'hq', cidrList: ['192.0.2.0/24'] }] }]);
    expect(config.regions).toEqual([{ name: 'fra', latitude: 50.11, longitude: 8.68 }, { name: 'sjc', latitude: 37.34, longitude: -121.89 }]);
    expect(config.latencyMap).toEqual([
      { cidr: '2001:db8:aaaa::/48', regions: ['sjc', 'fra'] },
      { cidr: '203.0.113.0/24', regions: ['sjc', 'fra'] },
    ]);
    expect(config.geoip).toEqual({ database: CITY });
    expect(config.dnsNodes.map((n: any) => n.ignoreClientSubnet)).toEqual([undefined, true]);

    // Kubernetes: the database's claim mounted read-only at its directory; the flag on the node that ignores the option.
    const docs = parseAllDocuments(fs.readFileSync(path.join(dir, 'kubernetes', 'dns-failover.yaml'), 'utf8')).map((d) => d.toJS());
    const nodes = docs.filter((d: any) => d.kind === 'Deployment' && d.metadata.labels['app.kubernetes.io/component'] === 'dns-node');
    for (const n of nodes) {
      const pod = n.spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'geoip', persistentVolumeClaim: { claimName: 'trees-geoip', readOnly: true } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'geoip', mountPath: path.dirname(CITY), readOnly: true });
    }
    expect(nodes.map((n: any) => n.spec.template.spec.containers[0].args.includes('--ignore-client-subnet'))).toEqual([false, true]);
    // systemd: the same flag on the same node.
    const units = fs.readdirSync(path.join(dir, 'systemd')).filter((f) => f.startsWith('dns-failover-dns-'));
    const flags = units.map((u) => fs.readFileSync(path.join(dir, 'systemd', u), 'utf8').includes('--ignore-client-subnet'));
    expect(flags.sort()).toEqual([false, true]);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/create the PersistentVolumeClaim `trees-geoip` holding it/);
  });

  test('no database named: the embedded one, and the bundle says so', () => {
    const dir = tempDir();
    treeStack().synth(dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config.geoip).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/the embedded DB-IP Lite country database \(CC BY 4\.0/);
  });

  test('a database on this machine is checked at synth; one that is not here is a warning', () => {
    const junk = path.join(tempDir(), 'junk.mmdb');
    fs.writeFileSync(junk, 'not a database');
    expect(() => treeStack({ geoipDatabase: junk }).synth(tempDir())).toThrow(/config\.json\/geoip\/database: GeoIP database .*junk\.mmdb is not a readable MaxMind DB file/);
    const elsewhere = treeStack({ geoipDatabase: '/var/lib/geoip/GeoLite2-City.mmdb' });
    expect(elsewhere._synthesize().warnings.join('\n')).toMatch(/\/var\/lib\/geoip\/GeoLite2-City\.mmdb is not on this machine; a DNS node checks it when it starts/);
  });

  test.each<[string, SelfHostedStackProps, RegExp]>([
    ['a relative database path', { geoipDatabase: 'geo.mmdb' }, /geoipDatabase 'geo\.mmdb' is not an absolute path/],
    ['a region without a valid position', { regions: [{ name: 'fra', latitude: 95, longitude: 8 }] }, /region 'fra': position 95, 8 is not a latitude/],
    ['a region defined twice', { regions: [{ name: 'fra', latitude: 50, longitude: 8 }, { name: 'fra', latitude: 50, longitude: 8 }] }, /region 'fra' is defined twice/],
    ['a latency map naming an unknown region', { latencyMap: [{ cidrBlocks: ['203.0.113.0/24'], regions: ['mars'] }] }, /latencyMap entry 1: region 'mars' is neither one of the stack's regions \(fra, sjc\) nor an AWS region/],
    ['a latency map block with host bits', { latencyMap: [{ cidrBlocks: ['203.0.113.1/24'], regions: ['fra'] }] }, /write the network address, 203\.0\.113\.0\/24/],
  ])('%s is refused, naming the value', (_, props, message) => {
    expect(() => treeStack(props)).toThrow(message);
  });

  test('a latency endpoint naming a region the stack does not define is refused when declared', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'lat', {});
    expect(() => new LatencyGateway(stack, 'Lat', {
      zone, recordName: 'lat', endpoints: [{ name: 'x', region: 'moon', ipAddress: '192.0.2.1' }, { name: 'y', region: 'eu-west-1', ipAddress: '192.0.2.2' }],
    })).toThrow(/region 'moon' is not a region latency records can name in the self-hosted target; use one of/);
  });
});
