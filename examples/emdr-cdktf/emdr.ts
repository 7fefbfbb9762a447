/**
 * The seed setup ("EMDR") as a cdktf app: two HTTP gateways on different machines at different ISPs,
 * weighted 50/50, each guarded by an HTTP health check on a status URL (threshold 3, interval 30 s).
 * The same construct as examples/emdr-cdk, unchanged: inside a TerraformStack it becomes
 * aws_route53_health_check and aws_route53_record resources.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Duration } from 'aws-cdk-lib';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { GatewayZone, HealthCheckProtocol, WeightedFailoverGateway } from '../../lib';

export class EmdrStack extends TerraformStack {
  public readonly gateway: WeightedFailoverGateway;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Your own AWS provider configuration (any provider version): the gateway's resources use it.
    // Route 53 is global; us-east-1 is where it publishes health check metrics.
    new AwsProvider(this, 'aws', { region: 'us-east-1' });

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
  const stack = new EmdrStack(app, 'emdr');
  return { app, stack };
}
