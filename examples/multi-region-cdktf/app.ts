/**
 * The multi-region tree (examples/multi-region/gateways.ts) in a cdktf stack: the same declaration,
 * unchanged, becomes aws_route53_health_check and aws_route53_record resources with alias,
 * latency_routing_policy and geolocation_routing_policy blocks.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { declareMultiRegion, MultiRegionGateways } from '../multi-region/gateways';

export class MultiRegionStack extends TerraformStack {
  public readonly gateways: MultiRegionGateways;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Your own AWS provider configuration: the gateways' resources use it.
    new AwsProvider(this, 'aws', { region: 'us-east-1' });
    this.gateways = declareMultiRegion(this);
  }
}

export function multiRegionApp(outdir?: string): { app: App; stack: MultiRegionStack } {
  const app = new App({ outdir });
  const stack = new MultiRegionStack(app, 'multi-region');
  return { app, stack };
}
