/**
 * The multi-region tree (examples/multi-region/gateways.ts) in an aws-cdk-lib stack: CloudFormation
 * health checks and records, aliases with EvaluateTargetHealth.
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { declareMultiRegion, MultiRegionGateways } from '../multi-region/gateways';

export class MultiRegionStack extends Stack {
  public readonly gateways: MultiRegionGateways;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.gateways = declareMultiRegion(this);
  }
}

export function multiRegionApp(outdir?: string): { app: App; stack: MultiRegionStack } {
  const app = new App({ outdir });
  const stack = new MultiRegionStack(app, 'MultiRegionStack', { env: { region: 'us-east-1' } });
  return { app, stack };
}
