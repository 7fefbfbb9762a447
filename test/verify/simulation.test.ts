/**
 * FailoverSimulation, the verifier as a library: from each kind of stack and artifact, marking members
 * down and up, the answers, lint, timing and cost, and the errors a user meets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TerraformStack, Testing } from 'cdktf';
import { emdrBundle, synthCdkEmdr, tmpDir, writeBundleDir } from './helpers';
import { emdrApp } from '../../examples/emdr-cdk/emdr';
import { emdrApp as cdktfEmdrApp } from '../../examples/emdr-cdktf/emdr';
import { emdrSelfHostedApp } from '../../examples/emdr-self-hosted/emdr';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  FailoverSimulation,
  FindingSeverity,
  GatewayZone,
  HealthCheckProtocol,
  WeightedFailoverGateway,
} from '../../lib';

const NAME = 'emdr.example.com';

function expectEmdr(sim: FailoverSimulation) {
  expect(sim.gateways).toEqual([{ recordName: NAME, recordType: 'A', routingPolicy: 'weighted', insideTree: false, endpointNames: ['gw-isp-a', 'gw-isp-b'], ttlSeconds: 60 }]);
  expect(sim.answerDistribution(NAME, 'A')).toEqual([
    { setIdentifiers: ['gw-isp-a'], values: ['203.0.113.10'], probability: 0.5 },
    { setIdentifiers: ['gw-isp-b'], values: ['198.51.100.20'], probability: 0.5 },
  ]);
  sim.markDown(NAME, 'A', 'gw-isp-b');
  expect(sim.answerDistribution(NAME, 'A')).toEqual([{ setIdentifiers: ['gw-isp-a'], values: ['203.0.113.10'], probability: 1 }]);
  sim.markAllDown(NAME, 'A');
  expect(sim.shareOf(NAME, 'A', 'gw-isp-a')).toBe(0.5);
  sim.markUp(NAME, 'A', 'gw-isp-a');
  expect(sim.shareOf(NAME, 'A', 'gw-isp-a')).toBe(1);
  sim.reset();
  expect(sim.shareOf(NAME, 'A', 'gw-isp-b')).toBe(0.5);
  expect(sim.lint()).toEqual([]);
  expect(sim.timing().map((t) => [t.endpointName, t.detectRefusing, t.clientsMoveRefusing])).toEqual([
    ['gw-isp-a', { typicalSeconds: 90, worstSeconds: 120 }, { typicalSeconds: 150, worstSeconds: 180 }],
    ['gw-isp-b', { typicalSeconds: 90, worstSeconds: 120 }, { typicalSeconds: 150, worstSeconds: 180 }],
  ]);
}

describe('FailoverSimulation of EMDR', () => {
  test('fromCdkStack', () => {
    const sim = FailoverSimulation.fromCdkStack(emdrApp().stack);
    expect(sim.target).toBe('cloudformation');
    expectEmdr(sim);
    expect(sim.cost()).toEqual({ healthChecksMonthly: 1.5, hostedZonesMonthly: 0.5, totalMonthly: 2, currency: 'USD', pricesAsOf: expect.stringMatching(/^\d{4}-/) });
  });

  test('fromTerraformStack', () => {
    const sim = FailoverSimulation.fromTerraformStack(cdktfEmdrApp().stack);
    expect(sim.target).toBe('terraform');
    expectEmdr(sim);
    expect(sim.cost()!.healthChecksMonthly).toBe(1.5);
  });

  test('fromSelfHostedStack, and fromStack for each kind of stack', () => {
    const selfHosted = emdrSelfHostedApp({ gatewayA: '203.0.113.10', gatewayB: '198.51.100.20', port: 80, requestInterval: Duration.seconds(30), ttl: Duration.seconds(60) }).stack;
    const sim = FailoverSimulation.fromSelfHostedStack(selfHosted);
    expect(sim.target).toBe('self-hosted');
    expectEmdr(sim);
    expect(sim.cost()).toBeUndefined();
    expect(FailoverSimulation.fromStack(selfHosted).target).toBe('self-hosted');
    expect(FailoverSimulation.fromStack(emdrApp().stack).target).toBe('cloudformation');
    expect(FailoverSimulation.fromStack(cdktfEmdrApp().stack).target).toBe('terraform');
    expect(() => FailoverSimulation.fromStack(new App())).toThrow(/is not a stack; give an aws-cdk-lib Stack, a cdktf TerraformStack or a SelfHostedStack/);
  });

  test('fromTemplate and fromTerraformJson', () => {
    expectEmdr(FailoverSimulation.fromTemplate(Template.fromStack(emdrApp().stack).toJSON()));
    const app = Testing.app();
    const stack = new TerraformStack(app, 'emdr');
    new WeightedFailoverGateway(stack, 'Emdr', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
      recordName: 'emdr',
      healthCheck: { resourcePath: '/status' },
      endpoints: [{ name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 }, { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 }],
    });
    expectEmdr(FailoverSimulation.fromTerraformJson(JSON.parse(Testing.synth(stack))));
  });

  test('fromTemplateString, fromTerraformJsonString and fromBundleConfigString take JSON text', () => {
    const dir = tmpDir('sim-text');
    try {
      const out = synthCdkEmdr(path.join(dir, 'cdk.out'));
      const templateFile = fs.readdirSync(out).find((f) => f.endsWith('.template.json'))!;
      const sim = FailoverSimulation.fromTemplateString(fs.readFileSync(path.join(out, templateFile), 'utf8'));
      expect(sim.target).toBe('cloudformation');
      expectEmdr(sim);
      expect(sim.cost()!.healthChecksMonthly).toBe(1.5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const tf = FailoverSimulation.fromTerraformJsonString(Testing.synth(cdktfEmdrApp().stack));
    expect(tf.target).toBe('terraform');
    expectEmdr(tf);
    const bundle = FailoverSimulation.fromBundleConfigString(JSON.stringify(emdrBundle()));
    expect(bundle.target).toBe('self-hosted');
    expectEmdr(bundle);
  });

  test('fails a from...String factory on text that is not JSON, naming the factory and the start of the text', () => {
    expect(() => FailoverSimulation.fromTemplateString('Resources:\n  Check: {}')).toThrow(
      /^FailoverSimulation\.fromTemplateString: the text is not JSON \(.+; it starts with "Resources:\\n  Check: {}"\); give the text of a CloudFormation template, such as cdk\.out\/MyStack\.template\.json$/);
    expect(() => FailoverSimulation.fromTerraformJsonString('')).toThrow(/^FailoverSimulation\.fromTerraformJsonString: the text is not JSON .*give the text of a Terraform JSON configuration/);
    expect(() => FailoverSimulation.fromBundleConfigString({ version: 1 } as any)).toThrow(
      "FailoverSimulation.fromBundleConfigString takes JSON text, not an object; give the text of a bundle config, such as a bundle's config.json");
  });

  test('fromBundle, fromBundleConfig and fromPath', () => {
    const dir = tmpDir('sim');
    try {
      const bundle = writeBundleDir(path.join(dir, 'bundle'), emdrBundle());
      const sim = FailoverSimulation.fromBundle(bundle);
      expect(sim.target).toBe('self-hosted');
      expectEmdr(sim);
      expect(sim.cost()).toBeUndefined();
      expectEmdr(FailoverSimulation.fromBundleConfig(emdrBundle()));
      expectEmdr(FailoverSimulation.fromPath(synthCdkEmdr(path.join(dir, 'cdk.out'))));
      expect(() => FailoverSimulation.fromBundle(path.join(dir, 'cdk.out'))).toThrow(/is not a self-hosted bundle/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FailoverSimulation', () => {
  test('an active-passive gateway whose secondary has no health check', () => {
    const stack = new Stack(new App(), 'Site');
    new ActivePassiveGateway(stack, 'Site', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'www',
      ttl: Duration.seconds(300),
      healthCheck: { protocol: HealthCheckProtocol.TCP, port: 443, failureThreshold: 1 },
      primary: { name: 'main', ipAddress: '203.0.113.40' },
      secondary: { name: 'sorry', ipAddress: '203.0.113.41', healthCheck: EndpointHealthCheck.none() },
    });
    const sim = FailoverSimulation.fromCdkStack(stack);
    expect(sim.shareOf('WWW.example.com.', 'A', 'main')).toBe(1);
    sim.markDown('www.example.com', 'A', 'main');
    expect(sim.shareOf('www.example.com', 'A', 'sorry')).toBe(1);
    // Marking the unchecked secondary down changes nothing: Route 53 keeps answering it.
    sim.markDown('www.example.com', 'A', 'sorry');
    expect(sim.shareOf('www.example.com', 'A', 'sorry')).toBe(1);

    const lint = sim.lint();
    expect(lint.map((f) => [f.severity, f.rule])).toEqual([
      [FindingSeverity.WARNING, 'group/ttl-above-60'],
      [FindingSeverity.WARNING, 'group/member-without-check'],
      [FindingSeverity.WARNING, 'verify/failure-threshold-one'],
    ]);
    expect(lint[0].gateways).toEqual(['www.example.com A']);
    expect(lint[0].fix).toMatch(/60 s or less/);
    expect(lint[0].problem).toMatch(/^TTL 300 s: clients keep a failed answer/);
    expect(lint[0].message).toBe(`${lint[0].problem}; ${lint[0].fix}`);

    const [main, sorry] = sim.timing();
    expect(main.detectRefusing).toEqual({ typicalSeconds: 30, worstSeconds: 60 });
    expect(main.detectHanging).toEqual({ typicalSeconds: 40, worstSeconds: 80 });
    expect(main.clientsMoveRefusing).toEqual({ typicalSeconds: 330, worstSeconds: 360 });
    expect(sorry).toEqual({ recordName: 'www.example.com', recordType: 'A', endpointName: 'sorry', note: 'no health check: never taken out' });
  });

  test('fails with the known gateways and endpoints when a name is wrong', () => {
    const sim = FailoverSimulation.fromCdkStack(emdrApp().stack);
    expect(() => sim.answerDistribution('www.example.com', 'A')).toThrow('no gateway www.example.com A in this cloudformation artifact; its gateways are emdr.example.com A');
    expect(() => sim.markDown(NAME, 'AAAA', 'gw-isp-a')).toThrow(/no gateway emdr.example.com AAAA/);
    expect(() => sim.markDown(NAME, 'A', 'gw-isp-c')).toThrow("gateway emdr.example.com A has no endpoint 'gw-isp-c'; its endpoints are gw-isp-a, gw-isp-b");
  });

  test('fails for a scope that is not a Terraform stack', () => {
    const stack = new Stack(new App(), 'NotTerraform');
    expect(() => FailoverSimulation.fromTerraformStack(stack)).toThrow(/is not a cdktf TerraformStack/);
  });
});
