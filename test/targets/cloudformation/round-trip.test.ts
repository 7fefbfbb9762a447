import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  GatewayZone,
  HealthCheck,
  HealthCheckProtocol,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../../lib';
import { canonicalModel } from '../../../lib/model';
import { CloudFormationTarget, readCloudFormationTemplate } from '../../../lib/targets/cloudformation';
import { cfnLint } from '../../helpers/cfn-lint';
import { cloudFormationErrors, describeDiagnostics } from '../../helpers/cfn-validate';

const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });

/** Every gateway kind and check kind in one stack. */
function kitchenSink(): Stack {
  const s = new Stack(new App(), 'Sink', { env: { region: 'us-east-1' } });
  new WeightedFailoverGateway(s, 'Weighted', {
    zone,
    recordName: 'api',
    ttl: Duration.seconds(30),
    healthCheck: { resourcePath: '/status', searchString: 'OK' },
    endpoints: [
      { name: 'a', ipAddress: '203.0.113.10', weight: 50 },
      { name: 'b', ipAddress: '198.51.100.20', weight: 50 },
      { name: 'standby', ipAddress: '192.0.2.30', weight: 0, healthCheck: EndpointHealthCheck.none() },
    ],
  });
  new ActivePassiveGateway(s, 'Failover', {
    zone: GatewayZone.fromZoneName('example.org'),
    recordName: 'www',
    healthCheck: { protocol: HealthCheckProtocol.HTTPS, fullyQualifiedDomainName: 'www.example.org', regions: ['us-east-1', 'us-west-2', 'eu-west-1'] },
    primary: { name: 'main', ipAddress: '203.0.113.40' },
    secondary: { name: 'backup', hostName: undefined, ipAddress: '203.0.113.41', healthCheck: EndpointHealthCheck.withOptions({ protocol: HealthCheckProtocol.TCP, port: 443 }) },
  });
  new MultiValueGateway(s, 'Pool', {
    zone,
    recordName: 'pool',
    endpoints: Array.from({ length: 9 }, (_, i) => ({ name: `n${i}`, ipAddress: `2001:db8::${i + 1}` })),
  });
  const cname = new WeightedFailoverGateway(s, 'Cname', {
    zone,
    recordName: 'edge',
    endpoints: [{ name: 'cdn-a', hostName: 'a.cdn.example.net' }, { name: 'cdn-b', hostName: 'b.cdn.example.net' }],
  });
  new HealthCheck(s, 'EdgeAny', { childHealthChecks: cname.healthChecks, healthThreshold: 1, healthCheckName: 'edge: any CDN up' });
  new HealthCheck(s, 'Errors', { alarmName: 'edge-5xx' });
  return s;
}

describe('CloudFormation render -> read', () => {
  test('reading the template back gives the model the constructs rendered', () => {
    const s = kitchenSink();
    const template = Template.fromStack(s).toJSON();
    expect(describeDiagnostics(cloudFormationErrors(template))).toEqual([]);
    expect(cfnLint(template)).toEqual([]);
    const rendered = canonicalModel(CloudFormationTarget.of(s).model);
    const read = canonicalModel(readCloudFormationTemplate(template));
    expect(read).toEqual(rendered);
    expect(read.healthChecks).toHaveLength(2 + 2 + 9 + 2 + 2);
    expect(read.recordSets).toHaveLength(3 + 2 + 9 + 2);
    // Weight 0 survives the round trip.
    const standby = read.recordSets.find((r) => r.setIdentifier === 'standby')!;
    expect(standby.weight).toBe(0);
    expect(standby.healthCheckId).toBeUndefined();
    // A reference to a check of the same template becomes its model id.
    expect(read.healthChecks.find((h) => h.id === 'EdgeAny')!.config.childHealthChecks).toEqual(['Cname/cdn-a/HealthCheck', 'Cname/cdn-b/HealthCheck']);
  });

  test('reads hand-written templates: RecordSetGroup, intrinsics, strings for numbers, logical ids', () => {
    const model = readCloudFormationTemplate({
      Resources: {
        Check: { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { Type: 'TCP', IPAddress: { Ref: 'Ip' }, Port: '443', RequestInterval: '10', EnableSNI: 'false' } } },
        Group: {
          Type: 'AWS::Route53::RecordSetGroup',
          Properties: {
            HostedZoneName: 'Example.COM.',
            RecordSets: [
              { Name: 'x.example.com', Type: 'A', TTL: 300, ResourceRecords: [{ 'Fn::GetAtt': ['Eip', 'PublicIp'] }], SetIdentifier: 'one', Weight: '0', HealthCheckId: { Ref: 'Check' } },
              { Name: 'x.example.com.', Type: 'A', TTL: '300', ResourceRecords: ['203.0.113.9'], SetIdentifier: 'two', Weight: 5, HealthCheckId: 'abc-external' },
            ],
          },
        },
        Bucket: { Type: 'AWS::S3::Bucket' },
      },
    });
    expect(model.healthChecks).toEqual([{ id: 'Check', name: undefined, config: expect.objectContaining({ type: 'TCP', ipAddress: '${Ref:Ip}', port: 443, requestInterval: 10, enableSni: false }) }]);
    expect(model.recordSets).toEqual([
      expect.objectContaining({ hostedZoneName: 'example.com', name: 'x.example.com', ttl: 300, values: ['${GetAtt:Eip.PublicIp}'], weight: 0, healthCheckId: 'Check' }),
      expect.objectContaining({ hostedZoneName: 'example.com', name: 'x.example.com', ttl: 300, values: ['203.0.113.9'], weight: 5, healthCheckId: 'abc-external' }),
    ]);
  });

  test('fails a document that is not a template', () => {
    expect(() => readCloudFormationTemplate('nope')).toThrow(/not a CloudFormation template/);
  });
});
