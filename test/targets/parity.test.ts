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
  // Testing.synth: the JSON as cdktf's own tests see it (no `//` metadata). The stack has the CloudFormation
  // stack's name, which default CIDR collection names include.
  const stack = new TerraformStack(Testing.app(), 'Parity');
  declare(stack);
  const json = Testing.synth(stack);
  return { read: canonicalModel(readTerraformJson(json)), rendered: canonicalModel(TerraformTarget.of(stack).model) };
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
    const stack = new TerraformStack(app, 'Parity');
    declareAllKinds(stack);
    const outdir = Testing.fullSynth(stack);
    const tf = canonicalModel(readTerraformOutput(outdir));
    expect(tf).toEqual(cfn.read);
    // Checks: Emdr 3, Even 2, Site 2, Pool 9, Edge 1 + EdgeA, EdgeB, EdgeAny, Errors (none for cdn-c,
    // the external one is not in the artifact); trees: Eu 2, UsPool 2 (none for aliases or the static
    // site), Geo 3 (none for the load balancer), Office 3, Lab 3, Partner 2. Records: one per endpoint.
    expect(tf.healthChecks).toHaveLength(3 + 2 + 2 + 9 + 4 + 1 + 4 + 3 + 3 + 3 + 2);
    expect(tf.recordSets).toHaveLength(3 + 2 + 2 + 9 + 3 + 2 + 8 + 4 + 3 + 3 + 2);
    // Two collections of the artifact (the imported one is not in it).
    expect(tf.cidrCollections?.map((c) => c.id)).toEqual(['corp-networks', 'Parity-Office-Collection']);
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
      // Trees: a member gateway's default name, an alias into the same zone, a load balancer's zone.
      euAlias: m.recordSets.find((r) => r.setIdentifier === 'eu-west-1')?.aliasTarget,
      lbAlias: m.recordSets.find((r) => r.setIdentifier === 'rest' && r.name === 'geo.example.org')?.aliasTarget,
      poolName: m.recordSets.find((r) => r.setIdentifier === 'us-a')?.name,
      california: m.recordSets.find((r) => r.setIdentifier === 'california')?.geoLocation,
      region: m.recordSets.find((r) => r.setIdentifier === 'us-east-1')?.region,
      office: m.recordSets.find((r) => r.setIdentifier === 'hq')?.cidrRoutingConfig,
      importedCollection: m.recordSets.find((r) => r.setIdentifier === 'acme')?.cidrRoutingConfig?.collectionId,
      hq: m.cidrCollections?.find((c) => c.id === 'Parity-Office-Collection')?.locations.find((l) => l.name === 'hq')?.cidrList,
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
      euAlias: { dnsName: 'eu-west-1.global.example.com', hostedZoneId: 'Z0EXAMPLE1234567890', evaluateTargetHealth: true },
      lbAlias: { dnsName: 'dualstack.lb-1234.eu-west-1.elb.amazonaws.com', hostedZoneId: 'Z32O12XQLNTSW2', evaluateTargetHealth: true },
      poolName: 'pool.us-east-1.global.example.com',
      california: { countryCode: 'US', subdivisionCode: 'CA' },
      region: 'us-east-1',
      office: { collectionId: 'Parity-Office-Collection', locationName: 'hq' },
      importedCollection: 'c8c02a84-aaaa-bbbb-cccc-0123456789ab',
      hq: ['192.0.2.0/24', '2001:db8:1::/48'],
    };
    expect(pick(cfn)).toEqual(expected);
    expect(pick(tf)).toEqual(expected);
  });
});
