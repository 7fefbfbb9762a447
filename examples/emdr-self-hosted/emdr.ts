/**
 * The seed setup ("EMDR") on the self-hosted target: the same gateway as examples/emdr-cdk (two HTTP
 * gateways weighted 50/50, each guarded by an HTTP health check on /status, failure threshold 3),
 * placed in a SelfHostedStack instead of an aws-cdk-lib Stack. The construct is unchanged; only the
 * addresses and the timing differ: the gateways are local (loopback) HTTP servers, and the checks run
 * every 0.5 s with 0.5 s timeouts, so a dead gateway leaves the set within seconds rather than the
 * 90 s of Route 53's 30 s interval.
 */
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GatewayZone, HealthCheckProtocol, SelfHostedApp, SelfHostedStack, WeightedFailoverGateway } from '../../lib';

export interface EmdrSelfHostedProps {
  /** The address of gateway A (a loopback address such as 127.0.0.11 for the demo). */
  readonly gatewayA: string;
  /** The address of gateway B. */
  readonly gatewayB: string;
  /** The port both gateways serve /status on. */
  readonly port: number;
  /** @default Duration.millis(500) */
  readonly requestInterval?: Duration;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** The records' TTL. @default Duration.seconds(1) - clients of the demo follow a failover within a second */
  readonly ttl?: Duration;
}

/** Three checkers in three "regions": a verdict needs more than 18 % of them (one of three) to say healthy. */
export const EMDR_CHECKERS = [
  { id: 'checker-home', region: 'home' },
  { id: 'checker-isp-a', region: 'isp-a' },
  { id: 'checker-isp-b', region: 'isp-b' },
];

export class EmdrSelfHostedStack extends SelfHostedStack {
  public readonly gateway: WeightedFailoverGateway;

  constructor(scope: Construct, id: string, props: EmdrSelfHostedProps) {
    super(scope, id, {
      // The gateway names its zone by a Route 53 hosted zone id (as in examples/emdr-cdk); the
      // self-hosted DNS nodes serve it by name.
      zones: [{ zoneName: 'example.com', nameServers: ['ns1.example.com'], hostmaster: 'hostmaster@example.com' }],
      checkers: EMDR_CHECKERS,
    });
    this.gateway = new WeightedFailoverGateway(this, 'Emdr', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
      recordName: 'emdr',
      ttl: props.ttl ?? Duration.seconds(1),
      healthCheck: {
        protocol: HealthCheckProtocol.HTTP,
        port: props.port,
        resourcePath: '/status',
        requestInterval: props.requestInterval ?? Duration.millis(500),
        failureThreshold: props.failureThreshold ?? 3,
        // The self-hosted target accepts short probe deadlines (Route 53's are 4 s to connect, 2 s for the status).
        timeouts: { connect: Duration.millis(500), status: Duration.millis(500) },
      },
      endpoints: [
        { name: 'gw-isp-a', ipAddress: props.gatewayA, weight: 50 },
        { name: 'gw-isp-b', ipAddress: props.gatewayB, weight: 50 },
      ],
    });
  }
}

export function emdrSelfHostedApp(props: EmdrSelfHostedProps, outdir?: string): { app: SelfHostedApp; stack: EmdrSelfHostedStack } {
  const app = new SelfHostedApp({ outdir });
  const stack = new EmdrSelfHostedStack(app, 'emdr', props);
  return { app, stack };
}
