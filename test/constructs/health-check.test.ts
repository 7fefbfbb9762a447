import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  HealthCheck,
  HealthCheckProtocol,
  HealthCheckRegion,
  InsufficientDataHealthStatus,
} from '../../lib';
import { HEALTH_CHECK_REGIONS, INSUFFICIENT_DATA_HEALTH_STATUSES } from '../../lib/model';
import { CfnLintBatch } from '../helpers/cfn-lint';
import { cloudFormationErrors, describeDiagnostics } from '../helpers/cfn-validate';

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
}
/** Every synthesized template, linted with cfn-lint once all tests ran. */
const lint = new CfnLintBatch();
afterAll(() => {
  expect(lint.size).toBeGreaterThan(0);
  expect(lint.run()).toEqual([]);
}, 120_000);

function synth(s: Stack): Template {
  const template = Template.fromStack(s);
  expect(describeDiagnostics(cloudFormationErrors(template.toJSON()))).toEqual([]);
  lint.add(expect.getState().currentTestName ?? s.node.path, template.toJSON());
  return template;
}

describe('HealthCheck', () => {
  test('HTTP defaults are Route 53\'s', () => {
    const s = stack();
    const hc = new HealthCheck(s, 'Check', { ipAddress: '203.0.113.10' });
    synth(s).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTP', IPAddress: '203.0.113.10', Port: 80, ResourcePath: '/', RequestInterval: 30, FailureThreshold: 3 },
      HealthCheckTags: Match.absent(),
    });
    expect(hc.healthCheckType).toBe('HTTP');
  });

  test('HTTPS: port 443, SNI on, string match, regions, latency, inverted, name tag', () => {
    const s = stack();
    const hc = new HealthCheck(s, 'Check', {
      protocol: HealthCheckProtocol.HTTPS,
      fullyQualifiedDomainName: 'www.example.com',
      resourcePath: '/health?deep=1',
      searchString: 'ok',
      requestInterval: Duration.seconds(10),
      failureThreshold: 5,
      regions: [HealthCheckRegion.US_EAST_1, HealthCheckRegion.EU_WEST_1, HealthCheckRegion.AP_SOUTHEAST_1],
      measureLatency: true,
      inverted: true,
      healthCheckName: 'www deep check',
    });
    expect(hc.healthCheckType).toBe('HTTPS_STR_MATCH');
    synth(s).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTPS_STR_MATCH',
        FullyQualifiedDomainName: 'www.example.com',
        Port: 443,
        ResourcePath: '/health?deep=1',
        SearchString: 'ok',
        RequestInterval: 10,
        FailureThreshold: 5,
        Regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
        MeasureLatency: true,
        Inverted: true,
        EnableSNI: true,
      },
      HealthCheckTags: [{ Key: 'Name', Value: 'www deep check' }],
    });
  });

  test('SNI can be turned off for HTTPS', () => {
    const s = stack();
    new HealthCheck(s, 'Check', { protocol: HealthCheckProtocol.HTTPS, ipAddress: '203.0.113.10', enableSni: false });
    synth(s).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { Type: 'HTTPS', EnableSNI: false } });
  });

  test('TCP on a port', () => {
    const s = stack();
    new HealthCheck(s, 'Check', { protocol: HealthCheckProtocol.TCP, ipAddress: '203.0.113.10', port: 5432 });
    synth(s).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { Type: 'TCP', Port: 5432, ResourcePath: Match.absent() } });
  });

  test('calculated over children, threshold defaults to all children', () => {
    const s = stack();
    const a = new HealthCheck(s, 'A', { ipAddress: '203.0.113.10' });
    const b = new HealthCheck(s, 'B', { ipAddress: '203.0.113.11' });
    const external = HealthCheck.fromHealthCheckId(s, 'External', 'abcdef01-2345-6789-abcd-ef0123456789');
    new HealthCheck(s, 'All', { childHealthChecks: [a, b, external] });
    new HealthCheck(s, 'Any', { childHealthChecks: [a, b], healthThreshold: 1, inverted: true });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CALCULATED',
        HealthThreshold: 3,
        ChildHealthChecks: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^A'), 'HealthCheckId'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^B'), 'HealthCheckId'] },
          'abcdef01-2345-6789-abcd-ef0123456789',
        ],
        RequestInterval: Match.absent(),
        FailureThreshold: Match.absent(),
      },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { Type: 'CALCULATED', HealthThreshold: 1, Inverted: true } });
  });

  test('CloudWatch alarm check', () => {
    const s = stack();
    new HealthCheck(s, 'Alarm', { alarmName: 'api-5xx', alarmRegion: 'eu-west-1', insufficientDataHealthStatus: InsufficientDataHealthStatus.UNHEALTHY });
    new HealthCheck(s, 'Defaults', { alarmName: 'api-latency' });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'api-5xx', Region: 'eu-west-1' }, InsufficientDataHealthStatus: 'Unhealthy' },
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'api-latency', Region: 'us-east-1' }, InsufficientDataHealthStatus: 'LastKnownStatus' },
    });
  });

  test('a missing leading slash is added to the path', () => {
    const s = stack();
    new HealthCheck(s, 'Check', { ipAddress: '203.0.113.10', resourcePath: 'status' });
    synth(s).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: { ResourcePath: '/status' } });
  });

  test('an alarm on a single check', () => {
    const s = stack();
    const hc = new HealthCheck(s, 'Check', { ipAddress: '203.0.113.10' });
    hc.addUnhealthyAlarm('Down', { alarmName: 'api-down', evaluationPeriods: 2 });
    synth(s).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'api-down', EvaluationPeriods: 2, MetricName: 'HealthCheckStatus' });
  });

  test.each<[string, any, RegExp]>([
    ['interval 15 s', { ipAddress: '203.0.113.10', requestInterval: Duration.seconds(15) }, /health check 'Check': requestInterval 15 s is not allowed by Route 53; use 10 or 30 seconds/],
    ['interval 100 ms in Route 53', { ipAddress: '203.0.113.10', requestInterval: Duration.millis(100) }, /requestInterval 0.1 s is not allowed by Route 53/],
    ['threshold 0', { ipAddress: '203.0.113.10', failureThreshold: 0 }, /failureThreshold 0 is out of range/],
    ['no address', {}, /needs an IP address or a fully qualified domain name to probe/],
    ['TCP without a port', { protocol: HealthCheckProtocol.TCP, ipAddress: '203.0.113.10' }, /a TCP health check needs a port/],
    ['two regions', { ipAddress: '203.0.113.10', regions: ['us-east-1', 'us-west-2'] }, /Route 53 needs at least 3/],
    ['calculated with an address', { childHealthChecks: [], ipAddress: '203.0.113.10' }, /a calculated health check probes no endpoint, but ipAddress is set; remove it/],
    ['calculated and alarm at once', { childHealthChecks: [], alarmName: 'x' }, /either calculated \(childHealthChecks\) or follows an alarm \(alarmName\)/],
    ['a threshold without children', { ipAddress: '203.0.113.10', healthThreshold: 1 }, /healthThreshold 1 is set but the check has no childHealthChecks/],
    ['an alarm region without an alarm', { ipAddress: '203.0.113.10', alarmRegion: 'us-east-1' }, /alarmRegion \/ insufficientDataHealthStatus are set but alarmName is not/],
    ['disabled in CloudFormation', { ipAddress: '203.0.113.10', disabled: true }, /CloudFormation cannot express a disabled health check \(Route 53 'Disabled'\)/],
    ['SNI on HTTP', { ipAddress: '203.0.113.10', enableSni: true }, /SNI applies to HTTPS health checks only, not HTTP/],
    ['probe timeouts in Route 53', { ipAddress: '203.0.113.10', timeouts: { connect: Duration.seconds(1) } }, /connectTimeout 1 s is set, but Route 53's probe timeouts are fixed/],
  ])('fails %s', (_name, props, message) => {
    expect(() => new HealthCheck(stack(), 'Check', props)).toThrow(message);
  });

  test('fails a calculated child of a calculated check', () => {
    const s = stack();
    const inner = new HealthCheck(s, 'Inner', { childHealthChecks: [], healthThreshold: 0 });
    new HealthCheck(s, 'Outer', { childHealthChecks: [inner] });
    expect(() => Template.fromStack(s)).toThrow(/child 'Inner' is itself a CALCULATED health check/);
  });
});

test('HealthCheckRegion names exactly Route 53\'s checker regions (the model\'s facts)', () => {
  const constants = Object.entries(HealthCheckRegion).filter(([k]) => /^[A-Z0-9_]+$/.test(k)).map(([, v]) => v);
  expect(constants.sort()).toEqual([...HEALTH_CHECK_REGIONS].sort());
});

test('InsufficientDataHealthStatus names exactly Route 53\'s statuses (the model\'s facts)', () => {
  expect(Object.values(InsufficientDataHealthStatus).sort()).toEqual([...INSUFFICIENT_DATA_HEALTH_STATUSES].sort());
});
