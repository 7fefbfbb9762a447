/**
 * Each gateway kind declared once, target-neutral: the parity suite synthesizes these to CloudFormation
 * and Terraform, and the Terraform schema test compares them with the AWS provider's own bindings.
 */
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  GatewayZone,
  HealthCheck,
  HealthCheckProtocol,
  HealthCheckRegion,
  InsufficientDataHealthStatus,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../lib';

export const ZONE_BY_ID = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' });
export const ZONE_BY_NAME = GatewayZone.fromZoneName('example.org');

export interface GatewayKind {
  readonly kind: string;
  readonly declare: (scope: Construct) => void;
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
];

/** Every kind in one scope. */
export function declareAllKinds(scope: Construct): void {
  for (const k of GATEWAY_KINDS) k.declare(scope);
}
