/**
 * EMDR in two regions, declared once for any target: each region is the seed's weighted pair of
 * gateways (two ISPs, health checked); a latency gateway sends each client to its nearest healthy
 * region; `api.example.com` fails over from that tree to a static maintenance site when both regions
 * are down; `www.example.com` sends Europe and North America to their own region and everyone else to
 * the latency tree (its default location).
 *
 *   api.example.com          failover
 *   |- live (PRIMARY)     -> live.api.example.com      latency
 *   |  |- eu-west-1       -> eu-west-1.live.api...     weighted: eu-isp-a, eu-isp-b
 *   |  `- us-east-1       -> us-east-1.live.api...     weighted: us-isp-a, us-isp-b
 *   `- maintenance (SECONDARY)  192.0.2.80 (no health check: the last stop)
 *   www.example.com          geolocation
 *   |- europe (EU)        -> the eu-west-1 gateway
 *   |- north-america (NA) -> the us-east-1 gateway
 *   `- everyone (*)       -> the latency gateway
 *
 * The regional and latency gateways have no recordName: each gets `<member name>.<parent's name>`
 * from the first gateway that uses it. Every alias evaluates its target's health (the default), so a
 * region whose two gateways both fail leaves the tree.
 */
import { Duration } from 'aws-cdk-lib';
import { Continent, GeoLocation } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  GatewayTarget,
  GatewayZone,
  GeolocationGateway,
  HealthCheckProtocol,
  LatencyGateway,
  WeightedFailoverGateway,
} from '../../lib';

export interface MultiRegionGateways {
  readonly regions: Record<'eu-west-1' | 'us-east-1', WeightedFailoverGateway>;
  readonly latency: LatencyGateway;
  readonly api: ActivePassiveGateway;
  readonly www: GeolocationGateway;
}

export function declareMultiRegion(scope: Construct): MultiRegionGateways {
  const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' });
  const healthCheck = { protocol: HealthCheckProtocol.HTTP, resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 };
  // Documentation addresses (RFC 5737): put your gateways' public addresses here.
  const eu = new WeightedFailoverGateway(scope, 'EuWest1', {
    zone,
    healthCheck,
    endpoints: [{ name: 'eu-isp-a', ipAddress: '203.0.113.10', weight: 50 }, { name: 'eu-isp-b', ipAddress: '203.0.113.20', weight: 50 }],
  });
  const us = new WeightedFailoverGateway(scope, 'UsEast1', {
    zone,
    healthCheck,
    endpoints: [{ name: 'us-isp-a', ipAddress: '198.51.100.10', weight: 50 }, { name: 'us-isp-b', ipAddress: '198.51.100.20', weight: 50 }],
  });
  const latency = new LatencyGateway(scope, 'Live', {
    zone,
    endpoints: [
      { name: 'eu-west-1', region: 'eu-west-1', target: GatewayTarget.gateway(eu) },
      { name: 'us-east-1', region: 'us-east-1', target: GatewayTarget.gateway(us) },
    ],
  });
  const api = new ActivePassiveGateway(scope, 'Api', {
    zone,
    recordName: 'api',
    primary: { name: 'live', target: GatewayTarget.gateway(latency) },
    secondary: { name: 'maintenance', ipAddress: '192.0.2.80', healthCheck: EndpointHealthCheck.none() },
  });
  const www = new GeolocationGateway(scope, 'Www', {
    zone,
    recordName: 'www',
    endpoints: [
      { name: 'europe', location: GeoLocation.continent(Continent.EUROPE), target: GatewayTarget.gateway(eu) },
      { name: 'north-america', location: GeoLocation.continent(Continent.NORTH_AMERICA), target: GatewayTarget.gateway(us) },
      { name: 'everyone', location: GeoLocation.default(), target: GatewayTarget.gateway(latency) },
    ],
  });
  return { regions: { 'eu-west-1': eu, 'us-east-1': us }, latency, api, www };
}
