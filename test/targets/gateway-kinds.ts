/**
 * Each gateway kind declared once, target-neutral: the parity suite synthesizes these to CloudFormation
 * and Terraform, and the Terraform schema test compares them with the AWS provider's own bindings.
 */
import { Duration } from 'aws-cdk-lib';
import { Continent, GeoLocation } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  CidrCollection,
  EndpointHealthCheck,
  GatewayTarget,
  GatewayZone,
  GeolocationGateway,
  HealthCheck,
  HealthCheckProtocol,
  HealthCheckRegion,
  InsufficientDataHealthStatus,
  IpBasedGateway,
  LatencyGateway,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../lib';

export const ZONE_BY_ID = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' });
export const ZONE_BY_NAME = GatewayZone.fromZoneName('example.org');

export interface GatewayKind {
  readonly kind: string;
  readonly declare: (scope: Construct) => void;
  /** A routing tree (geolocation, latency, IP-based, aliases). */
  readonly tree?: boolean;
}

export const GATEWAY_KINDS: readonly GatewayKind[] = [
  {
    kind: 'weighted (EMDR) with a weight-0 standby, zone by id',
    declare: (scope) => {
      new WeightedFailoverGateway(scope, 'Emdr', {
        zone: ZONE_BY_ID,
        recordName: 'emdr',
        healthCheck: { protocol: HealthCheckProtocol.HTTP, resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 },
        endpoints: [
          { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
          { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
          { name: 'standby', ipAddress: '192.0.2.30', weight: 0 },
        ],
      });
    },
  },
  {
    kind: 'weighted, every weight 0, zone by name',
    declare: (scope) => {
      new WeightedFailoverGateway(scope, 'Even', {
        zone: ZONE_BY_NAME,
        recordName: 'even',
        ttl: Duration.seconds(30),
        endpoints: [
          { name: 'one', ipAddress: '203.0.113.1', weight: 0 },
          { name: 'two', ipAddress: '203.0.113.2', weight: 0 },
        ],
      });
    },
  },
  {
    kind: 'active-passive: HTTPS with SNI, regions, 10 s interval, latency; TCP secondary; zone by name',
    declare: (scope) => {
      new ActivePassiveGateway(scope, 'Site', {
        zone: ZONE_BY_NAME,
        recordName: 'www',
        healthCheck: {
          protocol: HealthCheckProtocol.HTTPS,
          fullyQualifiedDomainName: 'www.example.org',
          requestInterval: Duration.seconds(10),
          failureThreshold: 2,
          regions: [HealthCheckRegion.US_EAST_1, HealthCheckRegion.EU_WEST_1, HealthCheckRegion.AP_SOUTHEAST_1],
          measureLatency: true,
        },
        primary: { name: 'main', ipAddress: '203.0.113.40', healthCheck: EndpointHealthCheck.withOptions({ resourcePath: 'healthz?deep=1' }) },
        secondary: {
          name: 'maintenance',
          ipAddress: '203.0.113.41',
          healthCheck: EndpointHealthCheck.withOptions({ protocol: HealthCheckProtocol.TCP, port: 443 }),
        },
      });
    },
  },
  {
    kind: 'multivalue over IPv6 with a string match, zone by id',
    declare: (scope) => {
      new MultiValueGateway(scope, 'Pool', {
        zone: ZONE_BY_ID,
        recordName: 'pool',
        healthCheck: { searchString: 'OK', port: 8080 },
        endpoints: Array.from({ length: 9 }, (_, i) => ({ name: `n${i}`, ipAddress: `2001:db8::${i + 1}` })),
      });
    },
  },
  {
    kind: 'weighted host names (CNAME) guarded by a calculated check',
    declare: (scope) => {
      const edgeA = new HealthCheck(scope, 'EdgeA', { protocol: HealthCheckProtocol.HTTPS, fullyQualifiedDomainName: 'a.cdn.example.net', enableSni: false });
      const edgeB = new HealthCheck(scope, 'EdgeB', { protocol: HealthCheckProtocol.HTTPS, fullyQualifiedDomainName: 'b.cdn.example.net', inverted: true });
      const any = new HealthCheck(scope, 'EdgeAny', { childHealthChecks: [edgeA, edgeB], healthThreshold: 1, healthCheckName: 'edge: any CDN up' });
      new WeightedFailoverGateway(scope, 'Edge', {
        zone: ZONE_BY_ID,
        recordName: 'edge',
        endpoints: [
          { name: 'cdn-a', hostName: 'a.cdn.example.net', weight: 2 },
          { name: 'cdn-b', hostName: 'b.cdn.example.net', weight: 1, healthCheck: EndpointHealthCheck.fromHealthCheck(any) },
          { name: 'cdn-c', hostName: 'c.cdn.example.net', weight: 0, healthCheck: EndpointHealthCheck.none() },
        ],
      });
    },
  },
  {
    kind: 'a CloudWatch alarm check and an external check guarding an active-passive pair',
    declare: (scope) => {
      const alarm = new HealthCheck(scope, 'Errors', { alarmName: 'api-5xx', alarmRegion: 'eu-west-1', insufficientDataHealthStatus: InsufficientDataHealthStatus.UNHEALTHY });
      const external = HealthCheck.fromHealthCheckId(scope, 'Legacy', 'abcdef01-2345-6789-abcd-ef0123456789');
      new ActivePassiveGateway(scope, 'Api', {
        zone: ZONE_BY_ID,
        recordName: 'api',
        primary: { name: 'blue', ipAddress: '198.51.100.7', healthCheck: EndpointHealthCheck.fromHealthCheck(alarm) },
        secondary: { name: 'green', ipAddress: '198.51.100.8', healthCheck: EndpointHealthCheck.fromHealthCheck(external) },
      });
    },
  },
  {
    tree: true,
    kind: 'latency over two regions, each a weighted gateway (default names), one with a failover to a static site',
    declare: (scope) => {
      const eu = new WeightedFailoverGateway(scope, 'Eu', {
        zone: ZONE_BY_ID,
        endpoints: [
          { name: 'eu-a', ipAddress: '203.0.113.50', weight: 1 },
          { name: 'eu-b', ipAddress: '203.0.113.51', weight: 1 },
        ],
      });
      const usPool = new WeightedFailoverGateway(scope, 'UsPool', {
        zone: ZONE_BY_ID,
        endpoints: [{ name: 'us-a', ipAddress: '198.51.100.50', weight: 3 }, { name: 'us-b', ipAddress: '198.51.100.51', weight: 1 }],
      });
      const us = new ActivePassiveGateway(scope, 'Us', {
        zone: ZONE_BY_ID,
        primary: { name: 'pool', target: GatewayTarget.gateway(usPool) },
        secondary: { name: 'static', ipAddress: '192.0.2.99', healthCheck: EndpointHealthCheck.none() },
      });
      new LatencyGateway(scope, 'Global', {
        zone: ZONE_BY_ID,
        recordName: 'global',
        endpoints: [
          { name: 'eu-west-1', region: 'eu-west-1', target: GatewayTarget.gateway(eu) },
          { name: 'us-east-1', region: 'us-east-1', target: GatewayTarget.gateway(us, { evaluateTargetHealth: true }) },
        ],
      });
    },
  },
  {
    tree: true,
    kind: 'geolocation: a subdivision, a country, a continent, the default as a load balancer alias; zone by name',
    declare: (scope) => {
      new GeolocationGateway(scope, 'Geo', {
        zone: ZONE_BY_NAME,
        recordName: 'geo',
        endpoints: [
          { name: 'california', location: GeoLocation.subdivision('CA', 'US'), ipAddress: '203.0.113.60' },
          { name: 'germany', location: GeoLocation.country('DE'), ipAddress: '203.0.113.61' },
          { name: 'europe', location: GeoLocation.continent(Continent.EUROPE), ipAddress: '203.0.113.62' },
          {
            name: 'rest',
            location: GeoLocation.default(),
            target: GatewayTarget.aliasTarget('dualstack.lb-1234.eu-west-1.elb.amazonaws.com', 'Z32O12XQLNTSW2', { evaluateTargetHealth: true }),
          },
        ],
      });
    },
  },
  {
    tree: true,
    kind: 'IP-based: its own collection, a location per network, the default',
    declare: (scope) => {
      new IpBasedGateway(scope, 'Office', {
        zone: ZONE_BY_ID,
        recordName: 'office',
        endpoints: [
          { name: 'hq', location: 'hq', cidrBlocks: ['192.0.2.0/24', '2001:db8:1::/48'], ipAddress: '203.0.113.70' },
          { name: 'branch', location: 'branch', cidrBlocks: ['198.51.100.0/24'], ipAddress: '203.0.113.71' },
          { name: 'everyone', location: '*', ipAddress: '203.0.113.72' },
        ],
      });
    },
  },
  {
    tree: true,
    kind: 'IP-based over a shared collection and an imported one',
    declare: (scope) => {
      const shared = new CidrCollection(scope, 'Networks', {
        collectionName: 'corp-networks',
        locations: [{ name: 'lab', cidrBlocks: ['10.10.0.0/16'] }, { name: 'vpn', cidrBlocks: ['10.20.0.0/16', '10.21.0.0/16'] }],
      });
      new IpBasedGateway(scope, 'Lab', {
        zone: ZONE_BY_ID,
        recordName: 'lab',
        collection: shared,
        endpoints: [
          { name: 'lab', location: 'lab', ipAddress: '203.0.113.80' },
          { name: 'vpn', location: 'vpn', ipAddress: '203.0.113.81' },
          { name: 'rest', location: '*', ipAddress: '203.0.113.82' },
        ],
      });
      const imported = CidrCollection.fromCollectionId(scope, 'Partners', 'c8c02a84-aaaa-bbbb-cccc-0123456789ab', ['acme']);
      new IpBasedGateway(scope, 'Partner', {
        zone: ZONE_BY_ID,
        recordName: 'partner',
        collection: imported,
        endpoints: [
          { name: 'acme', location: 'acme', ipAddress: '203.0.113.90' },
          { name: 'rest', location: '*', ipAddress: '203.0.113.91' },
        ],
      });
    },
  },
];

/** Every kind in one scope. */
export function declareAllKinds(scope: Construct): void {
  for (const k of GATEWAY_KINDS) k.declare(scope);
}
