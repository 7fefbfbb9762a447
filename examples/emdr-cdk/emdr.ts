/**
 * The seed setup ("EMDR"): two HTTP gateways on different machines at different ISPs, weighted 50/50,
 * each guarded by an HTTP health check on a status URL (threshold 3, interval 30 s).
 * An unhealthy gateway leaves the set in about two minutes.
 */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GatewayZone, HealthCheckProtocol, WeightedFailoverGateway } from '../../lib';

export class EmdrStack extends Stack {
  public readonly gateway: WeightedFailoverGateway;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.gateway = new WeightedFailoverGateway(this, 'Emdr', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
      recordName: 'emdr',
      healthCheck: {
        protocol: HealthCheckProtocol.HTTP,
        resourcePath: '/status',
        requestInterval: Duration.seconds(30),
        failureThreshold: 3,
      },
      endpoints: [
        // Documentation addresses (RFC 5737): put your gateways' public addresses here.
        { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
        { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
      ],
    });
  }
}

export function emdrApp(outdir?: string): { app: App; stack: EmdrStack } {
  const app = new App({ outdir });
  const stack = new EmdrStack(app, 'EmdrStack', { env: { region: 'us-east-1' } });
  return { app, stack };
}
