import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  GatewayRecordType,
  GatewayZone,
  HealthCheck,
  HealthCheckProtocol,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../lib';
import { CfnLintBatch } from '../helpers/cfn-lint';
import { cloudFormationErrors, describeDiagnostics } from '../helpers/cfn-validate';

const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'us-east-1', account: '123456789012' } });
}

/** Every synthesized template, linted with cfn-lint once all tests ran. */
const lint = new CfnLintBatch();
afterAll(() => {
  expect(lint.size).toBeGreaterThan(0);
  expect(lint.run()).toEqual([]);
}, 120_000);

/** Synthesizes, checks the template with AWS's validator (and, after all tests, cfn-lint), and returns it. */
function synth(s: Stack): Template {
  const template = Template.fromStack(s);
  expect(describeDiagnostics(cloudFormationErrors(template.toJSON()))).toEqual([]);
  lint.add(expect.getState().currentTestName ?? s.node.path, template.toJSON());
  return template;
}

describe('WeightedFailoverGateway', () => {
  test('one health check and one weighted record per endpoint, failover defaults', () => {
    const s = stack();
    const gw = new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [
        { name: 'a', ipAddress: '203.0.113.10' },
        { name: 'b', ipAddress: '198.51.100.20', weight: 3 },
      ],
    });
    const t = synth(s);
    t.resourceCountIs('AWS::Route53::HealthCheck', 2);
    t.resourceCountIs('AWS::Route53::RecordSet', 2);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTP', IPAddress: '203.0.113.10', Port: 80, ResourcePath: '/', RequestInterval: 30, FailureThreshold: 3 },
      HealthCheckTags: [{ Key: 'Name', Value: 'api.example.com a' }],
    });
    // No regions listed: Route 53 uses all of them.
    t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Regions: Match.absent(), EnableSNI: Match.absent() }) });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0EXAMPLE',
      Name: 'api.example.com.',
      Type: 'A',
      TTL: '60',
      ResourceRecords: ['198.51.100.20'],
      SetIdentifier: 'b',
      Weight: 3,
      HealthCheckId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApibHealthCheck'), 'HealthCheckId'] },
    });
    // Default weight is 1.
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'a', Weight: 1 });
    expect(gw.recordName).toBe('api.example.com');
    expect(gw.recordType).toBe('A');
    expect(gw.endpointNames).toEqual(['a', 'b']);
    expect(gw.healthChecks).toHaveLength(2);
    expect(s.resolve(gw.healthCheckFor('a').healthCheckId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiaHealthCheck/), 'HealthCheckId'] });
    Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
  });

  test('weight 0 survives rendering', () => {
    const s = stack();
    new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [
        { name: 'main', ipAddress: '203.0.113.10', weight: 10 },
        { name: 'standby', ipAddress: '198.51.100.20', weight: 0 },
      ],
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'standby', Weight: 0 });
  });

  test('all weights 0 is valid (equal shares)', () => {
    const s = stack();
    new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', endpoints: [{ name: 'a', ipAddress: '203.0.113.10', weight: 0 }, { name: 'b', ipAddress: '203.0.113.11', weight: 0 }] });
    const records = synth(s).findResources('AWS::Route53::RecordSet');
    expect(Object.values(records).map((r: any) => r.Properties.Weight)).toEqual([0, 0]);
  });

  test('shared health check settings, per-endpoint overrides, no check, existing check', () => {
    const s = stack();
    const parent = new HealthCheck(s, 'Shared', { protocol: HealthCheckProtocol.TCP, ipAddress: '192.0.2.50', port: 8443 });
    new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api.example.com',
      ttl: Duration.seconds(30),
      healthCheck: { protocol: HealthCheckProtocol.HTTPS, resourcePath: 'healthz', fullyQualifiedDomainName: 'api.example.com', requestInterval: Duration.seconds(10), failureThreshold: 2 },
      endpoints: [
        { name: 'a', ipAddress: '203.0.113.10' },
        { name: 'b', ipAddress: '203.0.113.11', healthCheck: EndpointHealthCheck.withOptions({ searchString: 'READY', port: 8443 }) },
        { name: 'c', ipAddress: '203.0.113.12', healthCheck: EndpointHealthCheck.fromHealthCheck(parent) },
        { name: 'd', ipAddress: '203.0.113.13', healthCheck: EndpointHealthCheck.none() },
      ],
    });
    const t = synth(s);
    t.resourceCountIs('AWS::Route53::HealthCheck', 3);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTPS', IPAddress: '203.0.113.10', FullyQualifiedDomainName: 'api.example.com', Port: 443, ResourcePath: '/healthz', RequestInterval: 10, FailureThreshold: 2, EnableSNI: true },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTPS_STR_MATCH', IPAddress: '203.0.113.11', Port: 8443, SearchString: 'READY', ResourcePath: '/healthz', EnableSNI: true },
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'c', TTL: '30', HealthCheckId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Shared'), 'HealthCheckId'] } });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'd', HealthCheckId: Match.absent() });
    Annotations.fromStack(s).hasWarning('/Test/Api', Match.stringLikeRegexp("member 'd' has no health check"));
  });

  test('host name endpoints make a CNAME group and FQDN health checks', () => {
    const s = stack();
    const gw = new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [{ name: 'a', hostName: 'gw1.isp-a.example.net' }, { name: 'b', hostName: 'gw2.isp-b.example.net' }],
    });
    const t = synth(s);
    expect(gw.recordType).toBe('CNAME');
    t.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', ResourceRecords: ['gw1.isp-a.example.net'] });
    t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { Type: 'HTTP', FullyQualifiedDomainName: 'gw1.isp-a.example.net', IPAddress: Match.absent() } });
  });

  test('IPv6 endpoints make an AAAA group', () => {
    const s = stack();
    const gw = new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', endpoints: [{ name: 'a', ipAddress: '2001:db8::10' }, { name: 'b', ipAddress: '2001:db8::20' }] });
    synth(s).hasResourceProperties('AWS::Route53::RecordSet', { Type: 'AAAA', ResourceRecords: ['2001:db8::10'] });
    expect(gw.recordType).toBe(GatewayRecordType.AAAA);
  });

  test('reweighting or reordering endpoints keeps every logical id', () => {
    const ids = (endpoints: Array<{ name: string; ipAddress: string; weight: number }>) => {
      const s = stack();
      new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', endpoints });
      return Object.keys(Template.fromStack(s).toJSON().Resources).sort();
    };
    const before = ids([{ name: 'a', ipAddress: '203.0.113.10', weight: 50 }, { name: 'b', ipAddress: '203.0.113.11', weight: 50 }]);
    const after = ids([{ name: 'b', ipAddress: '203.0.113.11', weight: 90 }, { name: 'a', ipAddress: '203.0.113.10', weight: 10 }]);
    expect(after).toEqual(before);
  });

  test('warns on a TTL above 60 s and on a single endpoint', () => {
    const s = stack();
    new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', ttl: Duration.minutes(5), endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }] });
    synth(s);
    const warnings = Annotations.fromStack(s).findWarning('/Test/Api', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/TTL 300 s: clients keep a failed answer .* 60 s or less/),
      expect.stringMatching(/single endpoint, so there is nothing to fail over to/),
    ]);
  });

  test('accepts an aws-cdk-lib hosted zone and a zone by name', () => {
    const s = stack();
    const hz = new route53.PublicHostedZone(s, 'Zone', { zoneName: 'example.org' });
    new WeightedFailoverGateway(s, 'A', { zone: GatewayZone.fromHostedZone(hz), recordName: 'a', endpoints: [{ name: 'x', ipAddress: '203.0.113.1' }, { name: 'y', ipAddress: '203.0.113.2' }] });
    new WeightedFailoverGateway(s, 'B', { zone: GatewayZone.fromZoneName('example.net.'), recordName: '@', endpoints: [{ name: 'x', ipAddress: '203.0.113.1' }, { name: 'y', ipAddress: '203.0.113.2' }] });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'a.example.org.', HostedZoneId: { Ref: Match.stringLikeRegexp('^Zone') } });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'example.net.', HostedZoneName: 'example.net.', HostedZoneId: Match.absent() });
  });

  test('metric and opt-in alarm for each member', () => {
    const s = stack();
    const gw = new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api',
      alarmOnUnhealthy: true,
      endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }],
    });
    const metric = gw.metricHealthCheckStatus('a');
    expect(metric.namespace).toBe('AWS/Route53');
    expect(metric.metricName).toBe('HealthCheckStatus');
    expect(metric.region).toBe('us-east-1');
    expect(s.resolve(metric.dimensions)).toEqual({ HealthCheckId: { 'Fn::GetAtt': [expect.stringMatching(/^ApiaHealthCheck/), 'HealthCheckId'] } });
    const t = synth(s);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      Dimensions: [{ Name: 'HealthCheckId', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiaHealthCheck'), 'HealthCheckId'] } }],
    });
  });

  test('fails an alarm in a stack outside us-east-1', () => {
    const s = new Stack(new App(), 'Eu', { env: { region: 'eu-west-1' } });
    expect(() => new WeightedFailoverGateway(s, 'Api', {
      zone, recordName: 'api', alarmOnUnhealthy: true, endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }],
    })).toThrow(/stack 'Eu' is in eu-west-1, but Route 53 publishes HealthCheckStatus only in us-east-1/);
  });

  test('fails healthCheckFor an unknown endpoint or one without a check', () => {
    const s = stack();
    const gw = new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11', healthCheck: EndpointHealthCheck.none() }] });
    expect(() => gw.healthCheckFor('c')).toThrow(/no endpoint named 'c' in this gateway; its endpoints are a, b/);
    expect(() => gw.healthCheckFor('b')).toThrow(/endpoint 'b' has no health check/);
  });

  test.each<[string, any, RegExp]>([
    ['weight 256', { endpoints: [{ name: 'a', ipAddress: '203.0.113.10', weight: 256 }, { name: 'b', ipAddress: '203.0.113.11' }] }, /gateway 'Test\/Api', record api.example.com A \[a\]: weight 256 is out of range; use a whole number from 0 to 255/],
    ['interval 15 s', { healthCheck: { requestInterval: Duration.seconds(15) } }, /requestInterval 15 s is not allowed by Route 53; use 10 or 30 seconds/],
    ['threshold 0', { healthCheck: { failureThreshold: 0 } }, /failureThreshold 0 is out of range; use a whole number from 1 to 10/],
    ['duplicate endpoint names', { endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'a', ipAddress: '203.0.113.11' }] }, /duplicate endpoint name 'a' in gateway 'Test\/Api'; give each endpoint a unique name/],
    ['an endpoint name with a slash', { endpoints: [{ name: 'a/b', ipAddress: '203.0.113.10' }, { name: 'c', ipAddress: '203.0.113.11' }] }, /endpoint name 'a\/b' is not valid/],
    ['an endpoint without an address', { endpoints: [{ name: 'a' }, { name: 'b', ipAddress: '203.0.113.11' }] }, /endpoint 'a' needs exactly one of ipAddress, hostName and target, got none/],
    ['an endpoint with both addresses', { endpoints: [{ name: 'a', ipAddress: '203.0.113.10', hostName: 'x.example.net' }, { name: 'b', ipAddress: '203.0.113.11' }] }, /got ipAddress and hostName/],
    ['mixed record types', { endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', hostName: 'x.example.net' }] }, /the endpoints mix record types \(A: a; CNAME: b\)/],
    ['a private endpoint checked by Route 53', { endpoints: [{ name: 'a', ipAddress: '192.168.1.10' }, { name: 'b', ipAddress: '203.0.113.11' }] }, /ipAddress 192.168.1.10 is a private \(RFC 1918\) address/],
    ['a disabled check in CloudFormation', { healthCheck: { disabled: true } }, /CloudFormation cannot express a disabled health check/],
    ['a TTL beyond 2^31-1 s', { ttl: Duration.seconds(2147483648) }, /TTL 2147483648 is out of range; use whole seconds from 0 to 2147483647/],
    ['a searchString on TCP', { healthCheck: { protocol: HealthCheckProtocol.TCP, port: 22, searchString: 'SSH' } }, /searchString 'SSH' needs an HTTP or HTTPS check, the protocol is TCP/],
  ])('fails %s', (_name, props, message) => {
    const s = stack();
    expect(() => new WeightedFailoverGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }],
      ...props,
    })).toThrow(message);
  });

  test('fails more than 100 endpoints', () => {
    const s = stack();
    const endpoints = Array.from({ length: 101 }, (_, i) => ({ name: `m${i}`, ipAddress: `203.0.113.${i}`, healthCheck: EndpointHealthCheck.none() }));
    expect(() => new WeightedFailoverGateway(s, 'Api', { zone, recordName: 'api', endpoints })).toThrow(/101 weighted records for api.example.com A; Route 53 allows at most 100/);
  });
});

describe('ActivePassiveGateway', () => {
  test('a PRIMARY and a SECONDARY record, each with its check', () => {
    const s = stack();
    new ActivePassiveGateway(s, 'Www', {
      zone,
      recordName: 'www',
      primary: { name: 'main', ipAddress: '203.0.113.10' },
      secondary: { name: 'backup', ipAddress: '198.51.100.20', healthCheck: EndpointHealthCheck.withOptions({ protocol: HealthCheckProtocol.TCP, port: 443 }) },
    });
    const t = synth(s);
    t.resourceCountIs('AWS::Route53::HealthCheck', 2);
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'main', Failover: 'PRIMARY', Weight: Match.absent(), HealthCheckId: Match.anyValue() });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'backup', Failover: 'SECONDARY' });
    t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { Type: 'TCP', Port: 443, IPAddress: '198.51.100.20', ResourcePath: Match.absent() } });
  });

  test('an endpoint that switches protocol leaves the shared settings that protocol cannot use (README example)', () => {
    const s = stack();
    new ActivePassiveGateway(s, 'Site', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'www',
      healthCheck: { protocol: HealthCheckProtocol.HTTPS, resourcePath: '/healthz', fullyQualifiedDomainName: 'www.example.com', port: 8443 },
      primary: { name: 'main', ipAddress: '203.0.113.10' },
      secondary: {
        name: 'maintenance-page',
        ipAddress: '198.51.100.20',
        healthCheck: EndpointHealthCheck.withOptions({ protocol: HealthCheckProtocol.TCP }),
      },
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTPS', IPAddress: '203.0.113.10', Port: 8443, ResourcePath: '/healthz', EnableSNI: true, FullyQualifiedDomainName: 'www.example.com' },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      // The shared port is the service's port: a TCP check keeps it.
      HealthCheckConfig: { Type: 'TCP', IPAddress: '198.51.100.20', Port: 8443, ResourcePath: Match.absent(), EnableSNI: Match.absent() },
    });
  });

  test('fails two primaries for one name (two gateways on the same record)', () => {
    const s = stack();
    const props = { zone, recordName: 'www', primary: { name: 'main', ipAddress: '203.0.113.10' }, secondary: { name: 'backup', ipAddress: '198.51.100.20' } };
    new ActivePassiveGateway(s, 'One', props);
    new ActivePassiveGateway(s, 'Two', { ...props, primary: { name: 'main2', ipAddress: '203.0.113.30' }, secondary: { name: 'backup2', ipAddress: '198.51.100.40' } });
    expect(() => Template.fromStack(s)).toThrow(/www.example.com A needs exactly one PRIMARY and one SECONDARY record; found 2 primary \('main', 'main2'\) and 2 secondary/);
  });

  test('fails the same name for primary and secondary', () => {
    const s = stack();
    expect(() => new ActivePassiveGateway(s, 'Www', { zone, recordName: 'www', primary: { name: 'x', ipAddress: '203.0.113.10' }, secondary: { name: 'x', ipAddress: '198.51.100.20' } }))
      .toThrow(/duplicate endpoint name 'x'/);
  });
});

describe('MultiValueGateway', () => {
  test('multivalue answer records with weight 0 nowhere', () => {
    const s = stack();
    const endpoints = Array.from({ length: 10 }, (_, i) => ({ name: `n${i}`, ipAddress: `203.0.113.${10 + i}` }));
    new MultiValueGateway(s, 'Pool', { zone, recordName: 'pool', endpoints });
    const t = synth(s);
    t.resourceCountIs('AWS::Route53::RecordSet', 10);
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'n3', MultiValueAnswer: true, Weight: Match.absent(), ResourceRecords: ['203.0.113.13'] });
  });

  test('fails host name endpoints (multivalue does not accept CNAME)', () => {
    const s = stack();
    expect(() => new MultiValueGateway(s, 'Pool', { zone, recordName: 'pool', endpoints: [{ name: 'a', hostName: 'a.example.net' }, { name: 'b', hostName: 'b.example.net' }] }))
      .toThrow(/multivalue answer routing does not accept CNAME records; give the endpoints IP addresses/);
  });
});

describe('target discovery', () => {
  test('fails outside any stack', () => {
    const app = new App();
    expect(() => new WeightedFailoverGateway(app, 'Api', { zone, recordName: 'api', endpoints: [] })).toThrow(/'Api' is not inside a stack this library can render: place it in an aws-cdk-lib Stack, a cdktf TerraformStack, or a SelfHostedStack/);
  });

  test('works in a nested construct and a nested stack', () => {
    const s = stack();
    const inner = new Construct(s, 'Inner');
    new WeightedFailoverGateway(inner, 'Api', { zone, recordName: 'api', endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }] });
    synth(s).resourceCountIs('AWS::Route53::RecordSet', 2);
  });
});
