/**
 * Reading a bundle back into the model: what a SelfHostedStack renders is what its bundle says
 * (canonical models equal), for every gateway kind, and the same as what the CloudFormation target
 * says (zones by name here, by id there).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { emdrStack, removeTempDirs, tempDir } from './helpers';
import { SelfHostedApp, SelfHostedStack, SelfHostedStackProps, SelfHostedRecordType } from '../../../lib';
import { BundleConfigError } from '../../../lib/bundle';
import { canonicalModel, FailoverModel, RecordSetModel } from '../../../lib/model';
import { readCloudFormationTemplate } from '../../../lib/targets/cloudformation';
import { readSelfHostedBundle } from '../../../lib/targets/self-hosted/read';
import { GATEWAY_KINDS, ZONE_BY_ID } from '../gateway-kinds';

afterAll(removeTempDirs);

/** Checkers in the regions the gateway kinds name, and both of their zones. */
const KIND_PROPS: SelfHostedStackProps = {
  zones: [
    { zoneName: 'example.com', records: [{ recordName: 'ns1', recordType: SelfHostedRecordType.A, values: ['192.0.2.53'] }] },
    { zoneName: 'example.org' },
  ],
  checkers: [
    { id: 'use1', region: 'us-east-1' },
    { id: 'euw1', region: 'eu-west-1' },
    { id: 'apse1', region: 'ap-southeast-1' },
  ],
};

function roundTrip(stack: SelfHostedStack): { rendered: FailoverModel; read: FailoverModel } {
  const dir = tempDir();
  stack.synth(dir);
  return { rendered: canonicalModel(stack._synthesize().model), read: canonicalModel(readSelfHostedBundle(dir).model) };
}

/** The CloudFormation model with zones by name (aliases' too), as the self-hosted target serves them. */
function byZoneName(model: FailoverModel): FailoverModel {
  return {
    ...model,
    recordSets: model.recordSets.map((r): RecordSetModel => {
      const alias = r.aliasTarget && r.aliasTarget.hostedZoneId === ZONE_BY_ID.hostedZoneId
        ? { dnsName: r.aliasTarget.dnsName, hostedZoneName: ZONE_BY_ID.zoneName, evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth }
        : r.aliasTarget;
      const withAlias = alias ? { ...r, aliasTarget: alias } : r;
      if (r.hostedZoneId !== ZONE_BY_ID.hostedZoneId) return withAlias;
      const { hostedZoneId: _, ...rest } = withAlias;
      return { ...rest, hostedZoneName: ZONE_BY_ID.zoneName };
    }),
  };
}

/** What only Route 53 can serve: an alias to a load balancer, and a CIDR collection made elsewhere. */
const ROUTE53_ONLY = ['load balancer alias', 'an imported one'];

describe('a bundle reads back as the model its stack rendered', () => {
  test('EMDR', () => {
    const { stack } = emdrStack();
    const { rendered, read } = roundTrip(stack);
    expect(read).toEqual(rendered);
    expect(read.healthChecks.map((h) => h.id)).toEqual(['Emdr/gw-isp-a/HealthCheck', 'Emdr/gw-isp-b/HealthCheck']);
    expect(read.recordSets.map((r) => [r.setIdentifier, r.weight, r.hostedZoneName])).toEqual([['gw-isp-a', 50, 'example.com'], ['gw-isp-b', 50, 'example.com']]);
  });

  const supported = GATEWAY_KINDS.filter((k) => !k.kind.includes('CloudWatch') && !ROUTE53_ONLY.some((x) => k.kind.includes(x)));
  test.each(supported.map((k) => [k.kind, k] as const))('%s, and says what CloudFormation says', (_, kind) => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'Parity', KIND_PROPS);
    kind.declare(stack);
    const { rendered, read } = roundTrip(stack);
    expect(read).toEqual(rendered);

    const cfnStack = new Stack(new App(), 'Parity', { env: { region: 'us-east-1' } });
    kind.declare(cfnStack);
    const cfn = canonicalModel(byZoneName(readCloudFormationTemplate(Template.fromStack(cfnStack).toJSON())));
    const withoutStatic = { ...read, recordSets: read.recordSets.filter((r) => r.setIdentifier !== undefined) };
    expect(withoutStatic).toEqual(cfn);
  });

  test('all kinds in one stack, with a zone\'s static records', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'All', KIND_PROPS);
    for (const k of supported) k.declare(stack);
    const { rendered, read } = roundTrip(stack);
    expect(read).toEqual(rendered);
    expect(read.recordSets).toContainEqual({ hostedZoneName: 'example.com', name: 'ns1.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.53'] });
  });

  test('the one kind the self-hosted target refuses: a CloudWatch alarm check', () => {
    const kind = GATEWAY_KINDS.find((k) => k.kind.includes('CloudWatch'))!;
    const stack = new SelfHostedStack(new SelfHostedApp(), 'Alarm', KIND_PROPS);
    expect(() => kind.declare(stack)).toThrow(/CloudWatch alarm health checks are not available in the self-hosted target/);
  });

  test.each([
    [ROUTE53_ONLY[0], /the alias points at dualstack\.lb-1234\.eu-west-1\.elb\.amazonaws\.com, outside the record's zone: aliases to AWS resources exist only on Route 53/],
    [ROUTE53_ONLY[1], /names CIDR collection 'c8c02a84-aaaa-bbbb-cccc-0123456789ab', which this bundle does not hold/],
  ])('what only Route 53 serves is refused (when declared, or at synth): %s', (what, message) => {
    const kind = GATEWAY_KINDS.find((k) => k.kind.includes(what))!;
    const stack = new SelfHostedStack(new SelfHostedApp(), 'Tree', KIND_PROPS);
    expect(() => {
      kind.declare(stack);
      stack.synth(tempDir());
    }).toThrow(message);
  });
});

describe('reading', () => {
  test('takes the bundle directory or its config.json', () => {
    const { stack } = emdrStack();
    const dir = tempDir();
    stack.synth(dir);
    const fromDir = readSelfHostedBundle(dir);
    expect(fromDir.configFile).toBe(path.join(dir, 'config.json'));
    expect(readSelfHostedBundle(path.join(dir, 'config.json')).model).toEqual(fromDir.model);
    expect(fromDir.config.checkers).toEqual([{ id: 'checker-1', region: 'local' }]);
  });

  test('fails for a path that does not exist, or a directory that is not a bundle', () => {
    const dir = tempDir();
    expect(() => readSelfHostedBundle(path.join(dir, 'missing'))).toThrow(/missing does not exist; give a bundle directory/);
    expect(() => readSelfHostedBundle(dir)).toThrow(/is a directory without config.json, so it is not a bundle/);
  });

  test('fails for an invalid bundle config, naming the file, the path and the value', () => {
    const { stack } = emdrStack();
    const dir = tempDir();
    stack.synth(dir);
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    config.recordSets[0].weight = 256;
    fs.writeFileSync(file, JSON.stringify(config));
    let error: unknown;
    try {
      readSelfHostedBundle(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BundleConfigError);
    expect((error as Error).message).toContain(`${file} is not a valid bundle config:`);
    expect((error as Error).message).toMatch(/\/recordSets\/0\/weight: .*256/);
  });
});
