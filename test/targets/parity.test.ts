/**
 * Parity: each gateway kind is declared once (gateway-kinds.ts), synthesized to CloudFormation (an
 * aws-cdk-lib Stack) and to Terraform (a cdktf TerraformStack), and both artifacts are read back into
 * the model. The two models must be equal: a difference between targets is a bug in one of them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { declareAllKinds, GATEWAY_KINDS } from './gateway-kinds';
import { canonicalModel, FailoverModel } from '../../lib/model';
import { CloudFormationTarget, readCloudFormationTemplate } from '../../lib/targets/cloudformation';
import { readTerraformJson, readTerraformOutput, TerraformTarget } from '../../lib/targets/terraform';

function viaCloudFormation(declare: (scope: Construct) => void): { read: FailoverModel; rendered: FailoverModel } {
  const stack = new Stack(new App(), 'Parity', { env: { region: 'us-east-1' } });
  declare(stack);
  const read = readCloudFormationTemplate(Template.fromStack(stack).toJSON());
  return { read: canonicalModel(read), rendered: canonicalModel(CloudFormationTarget.of(stack).model) };
}

function viaTerraform(declare: (scope: Construct) => void): { read: FailoverModel; rendered: FailoverModel } {
  let target: TerraformTarget | undefined;
  // Testing.synthScope: the JSON as cdktf's own tests see it (no `//` metadata).
  const json = Testing.synthScope((scope) => {
    declare(scope);
    target = TerraformTarget.of(scope);
  });
  return { read: canonicalModel(readTerraformJson(json)), rendered: canonicalModel(target!.model) };
}

describe('CloudFormation and Terraform read back the same model', () => {
  test.each(GATEWAY_KINDS.map((k) => [k.kind, k] as const))('%s', (_, kind) => {
    const cfn = viaCloudFormation(kind.declare);
    const tf = viaTerraform(kind.declare);
    // Each target reads back what it rendered ...
    expect(cfn.read).toEqual(cfn.rendered);
    expect(tf.read).toEqual(tf.rendered);
    // ... and the two targets say the same thing.
    expect(tf.read).toEqual(cfn.read);
    expect(tf.read.recordSets.length).toBeGreaterThanOrEqual(2);
  });

  test('all kinds in one stack, Terraform through a full synth to cdktf.out', () => {
    const cfn = viaCloudFormation(declareAllKinds);
    const app = Testing.app();
    const stack = new TerraformStack(app, 'parity');
    declareAllKinds(stack);
    const outdir = Testing.fullSynth(stack);
    const tf = canonicalModel(readTerraformOutput(outdir));
    expect(tf).toEqual(cfn.read);
    // Checks: Emdr 3, Even 2, Site 2, Pool 9, Edge 1 + EdgeA, EdgeB, EdgeAny, Errors (none for cdn-c,
    // the external one is not in the artifact). Records: one per endpoint.
    expect(tf.healthChecks).toHaveLength(3 + 2 + 2 + 9 + 4 + 1);
    expect(tf.recordSets).toHaveLength(3 + 2 + 2 + 9 + 3 + 2);
  });

  test('the details that differ in the artifacts agree in the model', () => {
    const cfn = viaCloudFormation(declareAllKinds).read;
    const tf = viaTerraform(declareAllKinds).read;
    const pick = (m: FailoverModel) => ({
      // Weight 0 survives both renderers.
      standby: m.recordSets.find((r) => r.setIdentifier === 'standby')?.weight,
      even: m.recordSets.filter((r) => r.name === 'even.example.org').map((r) => r.weight),
      // A zone known by name: CloudFormation's HostedZoneName, Terraform's aws_route53_zone lookup.
      zoneByName: m.recordSets.find((r) => r.setIdentifier === 'main')?.hostedZoneName,
      zoneById: m.recordSets.find((r) => r.setIdentifier === 'gw-isp-a')?.hostedZoneId,
      // References to checks of the same artifact become model ids; an external id stays as it is.
      calculatedChildren: m.healthChecks.find((h) => h.id === 'EdgeAny')?.config.childHealthChecks,
      guardedByCalculated: m.recordSets.find((r) => r.setIdentifier === 'cdn-b')?.healthCheckId,
      external: m.recordSets.find((r) => r.setIdentifier === 'green')?.healthCheckId,
      unguarded: m.recordSets.find((r) => r.setIdentifier === 'cdn-c')?.healthCheckId,
    });
    const expected = {
      standby: 0,
      even: [0, 0],
      zoneByName: 'example.org',
      zoneById: 'Z0EXAMPLE1234567890',
      calculatedChildren: ['EdgeA', 'EdgeB'],
      guardedByCalculated: 'EdgeAny',
      external: 'abcdef01-2345-6789-abcd-ef0123456789',
      unguarded: undefined,
    };
    expect(pick(cfn)).toEqual(expected);
    expect(pick(tf)).toEqual(expected);
  });
});
