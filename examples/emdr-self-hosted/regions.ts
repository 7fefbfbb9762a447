/**
 * EMDR in two places, self-hosted: a routing tree as a newcomer writes it. Europe's gateways (a
 * weighted pair, as in emdr.ts) and one in the United States (the default). Two trees share them:
 *
 *   www.example.com   geolocation: Europe -> the European pair, everyone else -> the US gateway
 *   api.example.com   latency: region `ams` (Amsterdam) -> the European pair, region `nyc` -> the US gateway
 *
 * The DNS node tells clients apart by the EDNS Client Subnet option of their resolver's query (or the
 * resolver's address), looked up in the embedded GeoIP database (DB-IP Lite, country level; continents
 * from Route 53's table); latency orders the stack's regions by distance from where the country's
 * people live. When both European gateways fail, the European branch leaves both trees (the aliases
 * evaluate their target's health) and European clients move to the US gateway.
 */
import { Duration } from 'aws-cdk-lib';
import { Continent, GeoLocation } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { EMDR_CHECKERS } from './emdr';
import {
  GatewayTarget,
  GatewayZone,
  GeolocationGateway,
  HealthCheckProtocol,
  LatencyGateway,
  SelfHostedApp,
  SelfHostedStack,
  WeightedFailoverGateway,
} from '../../lib';

export interface TwoRegionsProps {
  /** Europe's two gateways (loopback addresses for the demo). */
  readonly europe: readonly [string, string];
  /** The US gateway. */
  readonly us: string;
  /** The port every gateway serves /status on. */
  readonly port: number;
  /** @default Duration.millis(500) */
  readonly requestInterval?: Duration;
}

/** A European client's resolver network (193.0.0.0/24: the Netherlands in DB-IP) and a US one (8.8.8.0/24). */
export const EUROPEAN_SUBNET = '193.0.0.0/24';
export const US_SUBNET = '8.8.8.0/24';

export class TwoRegionsStack extends SelfHostedStack {
  public readonly europe: WeightedFailoverGateway;
  public readonly www: GeolocationGateway;
  public readonly api: LatencyGateway;

  constructor(scope: Construct, id: string, props: TwoRegionsProps) {
    super(scope, id, {
      zones: [{ zoneName: 'example.com', nameServers: ['ns1.example.com'], hostmaster: 'hostmaster@example.com' }],
      checkers: EMDR_CHECKERS,
      // Regions of one's own, with their positions (latency routing's nearest region).
      regions: [
        { name: 'ams', latitude: 52.37, longitude: 4.9 },
        { name: 'nyc', latitude: 40.71, longitude: -74.01 },
      ],
    });
    const zone = GatewayZone.fromZoneName('example.com');
    const healthCheck = {
      protocol: HealthCheckProtocol.HTTP,
      port: props.port,
      resourcePath: '/status',
      requestInterval: props.requestInterval ?? Duration.millis(500),
      failureThreshold: 3,
      timeouts: { connect: Duration.millis(500), status: Duration.millis(500) },
    };
    this.europe = new WeightedFailoverGateway(this, 'Europe', {
      zone,
      ttl: Duration.seconds(1),
      healthCheck,
      endpoints: [
        { name: 'eu-a', ipAddress: props.europe[0], weight: 50 },
        { name: 'eu-b', ipAddress: props.europe[1], weight: 50 },
      ],
    });
    this.www = new GeolocationGateway(this, 'Www', {
      zone,
      recordName: 'www',
      ttl: Duration.seconds(1),
      healthCheck,
      endpoints: [
        { name: 'europe', location: GeoLocation.continent(Continent.EUROPE), target: GatewayTarget.gateway(this.europe) },
        { name: 'us', location: GeoLocation.default(), ipAddress: props.us },
      ],
    });
    this.api = new LatencyGateway(this, 'Api', {
      zone,
      recordName: 'api',
      ttl: Duration.seconds(1),
      healthCheck,
      endpoints: [
        { name: 'ams', region: 'ams', target: GatewayTarget.gateway(this.europe) },
        { name: 'nyc', region: 'nyc', ipAddress: props.us },
      ],
    });
  }
}

export function twoRegionsApp(props: TwoRegionsProps, outdir?: string): { app: SelfHostedApp; stack: TwoRegionsStack } {
  const app = new SelfHostedApp({ outdir });
  const stack = new TwoRegionsStack(app, 'two-regions', props);
  return { app, stack };
}
