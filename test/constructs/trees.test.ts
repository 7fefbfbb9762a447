/**
 * The routing-tree constructs (geolocation, latency, IP-based gateways; members that are gateways or AWS
 * resources) through both Route 53 targets: what they write, what CloudFormation's validators and
 * cfn-lint say of it, and the errors a user gets for what Route 53 would refuse.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Continent, GeoLocation } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget, LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  CidrCollection,
  EndpointHealthCheck,
  GatewayTarget,
  GatewayZone,
  GeolocationGateway,
  HealthCheck,
  IpBasedGateway,
  LatencyGateway,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../lib';
import { canonicalModel } from '../../lib/model';
import { readCloudFormationTemplate } from '../../lib/targets/cloudformation';
import { readTerraformJson } from '../../lib/targets/terraform';
import { cfnLint } from '../helpers/cfn-lint';
import { cloudFormationErrors, describeDiagnostics } from '../helpers/cfn-validate';
import { declareAllKinds } from '../targets/gateway-kinds';

const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });
const otherZone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0OTHER', zoneName: 'example.net' });

function stack(): Stack {
  return new Stack(new App(), 'Tree', { env: { region: 'eu-west-1', account: '123456789012' } });
}

/** Synthesizes, checks with AWS's offline validator and with cfn-lint, and returns the template. */
function synth(s: Stack): Template {
  const template = Template.fromStack(s);
  expect(describeDiagnostics(cloudFormationErrors(template.toJSON()))).toEqual([]);
  expect(cfnLint(template.toJSON())).toEqual([]);
  return template;
}

function terraform(declare: (scope: Construct) => void): any {
  const s = new TerraformStack(Testing.app(), 'Tree');
  declare(s);
  return JSON.parse(Testing.synth(s, true));
}

/** Two regions, each a weighted gateway without a name of its own, under a latency gateway. */
function twoRegions(scope: Construct): { eu: WeightedFailoverGateway; us: WeightedFailoverGateway; api: LatencyGateway } {
  const eu = new WeightedFailoverGateway(scope, 'Eu', { zone, endpoints: [{ name: 'eu-a', ipAddress: '203.0.113.1' }, { name: 'eu-b', ipAddress: '203.0.113.2' }] });
  const us = new WeightedFailoverGateway(scope, 'Us', { zone, endpoints: [{ name: 'us-a', ipAddress: '198.51.100.1' }, { name: 'us-b', ipAddress: '198.51.100.2' }] });
  const api = new LatencyGateway(scope, 'Api', {
    zone,
    recordName: 'api',
    endpoints: [
      { name: 'Eu-West-1', region: 'eu-west-1', target: GatewayTarget.gateway(eu) },
      { name: 'us-east-1', region: 'us-east-1', target: GatewayTarget.gateway(us) },
    ],
  });
  return { eu, us, api };
}

describe('every kind in one template', () => {
  test('passes AWS\'s offline validator and cfn-lint, and reads back as rendered', () => {
    const s = new Stack(new App(), 'Kinds', { env: { region: 'us-east-1' } });
    declareAllKinds(s);
    const template = synth(s).toJSON();
    const read = readCloudFormationTemplate(template);
    expect(read.cidrCollections?.map((c) => c.name).sort()).toEqual(['Kinds-Office-Collection', 'corp-networks']);
  });

  test('cfn-lint is really run: it reports what it should', () => {
    // A negative control: a record that is both weighted and geolocated is refused by cfn-lint.
    const s = stack();
    twoRegions(s);
    const template = Template.fromStack(s).toJSON();
    const alias = Object.values<any>(template.Resources).find((r) => r.Properties?.Region === 'eu-west-1');
    alias.Properties.TTL = 'sixty';
    expect(cfnLint(template).join('\n')).toMatch(/TTL/);
  });
});

describe('LatencyGateway over gateways (CloudFormation)', () => {
  test('a member gateway gets <member>.<parent> as its name, and the alias waits for its records', () => {
    const s = stack();
    const { eu, us, api } = twoRegions(s);
    expect(eu.recordName).toBe('eu-west-1.api.example.com');
    expect(us.recordName).toBe('us-east-1.api.example.com');
    expect(api.endpointNames).toEqual(['Eu-West-1', 'us-east-1']);
    const t = synth(s);
    // Health checks for the four endpoints only: an alias member takes its health from its target.
    t.resourceCountIs('AWS::Route53::HealthCheck', 4);
    t.resourceCountIs('AWS::Route53::RecordSet', 6);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'eu-west-1.api.example.com.', SetIdentifier: 'eu-a', Weight: 1, TTL: '60' });
    const aliases = t.findResources('AWS::Route53::RecordSet', { Properties: { Name: 'api.example.com.' } });
    const eu1 = Object.values<any>(aliases).find((r) => r.Properties.SetIdentifier === 'Eu-West-1');
    expect(eu1.Properties).toEqual({
      HostedZoneId: 'Z0EXAMPLE',
      Name: 'api.example.com.',
      Type: 'A',
      SetIdentifier: 'Eu-West-1',
      Region: 'eu-west-1',
      AliasTarget: { DNSName: 'eu-west-1.api.example.com', HostedZoneId: 'Z0EXAMPLE', EvaluateTargetHealth: true },
    });
    // Route 53 refuses an alias to a name that does not exist yet: the alias depends on both records.
    const euRecords = Object.keys(t.findResources('AWS::Route53::RecordSet', { Properties: { Name: 'eu-west-1.api.example.com.' } }));
    expect(euRecords).toHaveLength(2);
    expect([...eu1.DependsOn].sort()).toEqual(euRecords.sort());
  });

  test('an AWS load balancer as a member: its DNS name and zone, EvaluateTargetHealth as the target says', () => {
    const s = stack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const lb = new elbv2.ApplicationLoadBalancer(s, 'Lb', { vpc, internetFacing: true });
    const eu = new WeightedFailoverGateway(s, 'Eu', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
    new LatencyGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [
        { name: 'eu', region: 'eu-west-1', target: GatewayTarget.gateway(eu) },
        { name: 'us', region: 'us-east-1', target: GatewayTarget.awsResource(new LoadBalancerTarget(lb)) },
        { name: 'ap', region: 'ap-southeast-1', target: GatewayTarget.awsResource(new LoadBalancerTarget(lb), { evaluateTargetHealth: true }) },
      ],
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'us',
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Lb'), 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Lb'), 'CanonicalHostedZoneID'] },
        EvaluateTargetHealth: false,
      },
      TTL: Match.absent(),
      ResourceRecords: Match.absent(),
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'ap', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }) });
  });

  test('a CloudFront distribution as a member', () => {
    const s = stack();
    const cdn = new cloudfront.Distribution(s, 'Cdn', { defaultBehavior: { origin: new origins.HttpOrigin('origin.example.org') } });
    new GeolocationGateway(s, 'Www', {
      zone,
      recordName: 'www',
      endpoints: [
        { name: 'de', location: GeoLocation.country('DE'), ipAddress: '203.0.113.9' },
        { name: 'rest', location: GeoLocation.default(), target: GatewayTarget.awsResource(new CloudFrontTarget(cdn)) },
      ],
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'rest',
      GeoLocation: { CountryCode: '*' },
      AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cdn'), 'DomainName'] }, HostedZoneId: Match.anyValue(), EvaluateTargetHealth: false },
    });
  });
});

describe('LatencyGateway over gateways (Terraform)', () => {
  test('the same tree: alias blocks, latency blocks, the member gateways\' names', () => {
    const json = terraform((s) => twoRegions(s));
    const records = Object.values<any>(json.resource.aws_route53_record);
    const eu1 = records.find((r) => r.set_identifier === 'Eu-West-1');
    expect(eu1).toEqual({
      zone_id: 'Z0EXAMPLE',
      name: 'api.example.com',
      type: 'A',
      set_identifier: 'Eu-West-1',
      latency_routing_policy: { region: 'eu-west-1' },
      alias: { name: 'eu-west-1.api.example.com', zone_id: 'Z0EXAMPLE', evaluate_target_health: true },
    });
    expect(records.filter((r) => r.name === 'us-east-1.api.example.com').map((r) => r.set_identifier)).toEqual(['us-a', 'us-b']);
    expect(Object.keys(json.resource.aws_route53_health_check)).toHaveLength(4);
  });

  test('an AWS resource by its DNS name and zone id', () => {
    const json = terraform((s) => {
      new GeolocationGateway(s, 'Www', {
        zone,
        recordName: 'www',
        endpoints: [
          { name: 'eu', location: GeoLocation.continent(Continent.EUROPE), ipAddress: '203.0.113.9' },
          { name: 'rest', location: GeoLocation.default(), target: GatewayTarget.aliasTarget('${aws_lb.web.dns_name}', '${aws_lb.web.zone_id}', { evaluateTargetHealth: true }) },
        ],
      });
    });
    const rest = Object.values<any>(json.resource.aws_route53_record).find((r) => r.set_identifier === 'rest');
    expect(rest.alias).toEqual({ name: '${aws_lb.web.dns_name}', zone_id: '${aws_lb.web.zone_id}', evaluate_target_health: true });
    expect(rest.geolocation_routing_policy).toEqual({ country: '*' });
    const eu = Object.values<any>(json.resource.aws_route53_record).find((r) => r.set_identifier === 'eu');
    expect(eu.geolocation_routing_policy).toEqual({ continent: 'EU' });
    // The model reads the unknown name and zone as apply-time values.
    const model = readTerraformJson(json);
    expect(model.recordSets.find((r) => r.setIdentifier === 'rest')!.aliasTarget!.evaluateTargetHealth).toBe(true);
  });

  test('an aws-cdk-lib alias target is refused, naming the way that works', () => {
    expect(() => terraform((s) => {
      const cdk = new Stack(new App(), 'Cdk');
      const lb = new elbv2.ApplicationLoadBalancer(cdk, 'Lb', { vpc: new ec2.Vpc(cdk, 'Vpc') });
      new LatencyGateway(s, 'Api', {
        zone,
        recordName: 'api',
        endpoints: [
          { name: 'us', region: 'us-east-1', target: GatewayTarget.awsResource(new LoadBalancerTarget(lb)) },
          { name: 'eu', region: 'eu-west-1', ipAddress: '203.0.113.1' },
        ],
      });
    })).toThrow(/cannot use an aws-cdk-lib alias target \(GatewayTarget.awsResource\); give the resource's DNS name and hosted zone id with GatewayTarget.aliasTarget/);
  });
});

describe('GeolocationGateway', () => {
  const europe = (s: Construct, endpoints?: any[]) => new GeolocationGateway(s, 'Geo', {
    zone,
    recordName: 'geo',
    endpoints: endpoints ?? [
      { name: 'ny', location: GeoLocation.subdivision('NY', 'US'), ipAddress: '203.0.113.1' },
      { name: 'us', location: GeoLocation.country('US'), ipAddress: '203.0.113.2' },
      { name: 'eu', location: GeoLocation.continent(Continent.EUROPE), ipAddress: '203.0.113.3' },
      { name: 'rest', location: GeoLocation.default(), ipAddress: '203.0.113.4' },
    ],
  });

  test('each location code in both targets', () => {
    const s = stack();
    europe(s);
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'ny', GeoLocation: { CountryCode: 'US', SubdivisionCode: 'NY' } });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'us', GeoLocation: { CountryCode: 'US' } });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'eu', GeoLocation: { ContinentCode: 'EU' } });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'rest', GeoLocation: { CountryCode: '*' } });
    const tf = Object.values<any>(terraform((x) => europe(x)).resource.aws_route53_record);
    expect(Object.fromEntries(tf.map((r) => [r.set_identifier, r.geolocation_routing_policy]))).toEqual({
      ny: { country: 'US', subdivision: 'NY' },
      us: { country: 'US' },
      eu: { continent: 'EU' },
      rest: { country: '*' },
    });
  });

  test('no default location: a warning that some clients get no answer', () => {
    const s = stack();
    europe(s, [{ name: 'eu', location: GeoLocation.continent(Continent.EUROPE), ipAddress: '203.0.113.3' }]);
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('has no default record'));
  });

  test.each([
    ['a country Route 53 does not know', [{ name: 'x', location: GeoLocation.country('XX'), ipAddress: '203.0.113.3' }], /country 'XX' is not a country code Route 53 knows/],
    ['a subdivision Route 53 does not know', [{ name: 'x', location: GeoLocation.subdivision('ZZ', 'US'), ipAddress: '203.0.113.3' }], /ZZ/],
    ['two members for one location', [
      { name: 'a', location: GeoLocation.country('DE'), ipAddress: '203.0.113.3' },
      { name: 'b', location: GeoLocation.country('DE'), ipAddress: '203.0.113.4' },
    ], /DE/],
  ])('%s is refused', (_, endpoints, message) => {
    expect(() => europe(stack(), endpoints)).toThrow(message);
  });
});

describe('IpBasedGateway', () => {
  const office = (s: Construct) => new IpBasedGateway(s, 'Office', {
    zone,
    recordName: 'office',
    endpoints: [
      { name: 'hq', location: 'hq', cidrBlocks: ['192.0.2.0/24', '2001:db8::/48'], ipAddress: '203.0.113.1' },
      { name: 'rest', location: '*', ipAddress: '203.0.113.2' },
    ],
  });

  test('its own collection: one resource, records that name its id (CloudFormation)', () => {
    const s = stack();
    const gw = office(s);
    const t = synth(s);
    t.resourceCountIs('AWS::Route53::CidrCollection', 1);
    t.hasResourceProperties('AWS::Route53::CidrCollection', { Name: 'Tree-Office-Collection', Locations: [{ LocationName: 'hq', CidrList: ['192.0.2.0/24', '2001:db8::/48'] }] });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'hq',
      CidrRoutingConfig: { CollectionId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OfficeCollection'), 'Id'] }, LocationName: 'hq' },
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'rest', CidrRoutingConfig: Match.objectLike({ LocationName: '*' }) });
    expect(gw.collection.locationNames).toEqual(['hq']);
  });

  test('its own collection (Terraform): a collection, a location resource, references to its id', () => {
    const json = terraform(office);
    const [collectionName] = Object.keys(json.resource.aws_route53_cidr_collection);
    expect(json.resource.aws_route53_cidr_collection[collectionName]).toEqual(expect.objectContaining({ name: 'Tree-Office-Collection' }));
    expect(Object.values<any>(json.resource.aws_route53_cidr_location)).toEqual([
      { cidr_collection_id: `\${aws_route53_cidr_collection.${collectionName}.id}`, name: 'hq', cidr_blocks: ['192.0.2.0/24', '2001:db8::/48'] },
    ]);
    const hq = Object.values<any>(json.resource.aws_route53_record).find((r) => r.set_identifier === 'hq');
    expect(hq.cidr_routing_policy).toEqual({ collection_id: `\${aws_route53_cidr_collection.${collectionName}.id}`, location_name: 'hq' });
    // Both targets say the same.
    const s = stack();
    office(s);
    const cfnModel = canonicalModel(readCloudFormationTemplate(Template.fromStack(s).toJSON()));
    expect(canonicalModel(readTerraformJson(json))).toEqual(cfnModel);
  });

  test('a long construct path still makes a valid collection name', () => {
    const s = stack();
    const deep = new Construct(new Construct(s, 'A'.repeat(40)), 'B'.repeat(40));
    const gw = office(deep);
    const name = (gw.collection as CidrCollection).collectionName;
    expect(name).toMatch(/^[0-9A-Za-z_-]{1,64}$/);
    expect(name).toHaveLength(64);
  });

  test.each([
    ['a location without blocks', [{ name: 'a', location: 'lab', ipAddress: '203.0.113.1' }], undefined, /names location 'lab' without cidrBlocks/],
    ['blocks on the default', [{ name: 'a', location: '*', cidrBlocks: ['10.0.0.0/8'], ipAddress: '203.0.113.1' }], undefined, /default location '\*', which has no CIDR blocks/],
    ['a /25', [{ name: 'a', location: 'lab', cidrBlocks: ['10.0.0.0/25'], ipAddress: '203.0.113.1' }], undefined, /\/25 prefix/],
    ['host bits set', [{ name: 'a', location: 'lab', cidrBlocks: ['10.0.0.1/24'], ipAddress: '203.0.113.1' }], undefined, /write the network address, 10.0.0.0\/24/],
    ['blocks and a collection', [{ name: 'a', location: 'lab', cidrBlocks: ['10.0.0.0/24'], ipAddress: '203.0.113.1' }], true, /gives cidrBlocks, but the gateway uses the collection/],
    ['a location the collection lacks', [{ name: 'a', location: 'attic', ipAddress: '203.0.113.1' }], true, /names location 'attic', which collection .* does not have \(its locations: lab\)/],
  ])('%s is refused', (_, endpoints, shared, message) => {
    expect(() => {
      const s = stack();
      const collection = shared ? new CidrCollection(s, 'Shared', { locations: [{ name: 'lab', cidrBlocks: ['10.1.0.0/16'] }] }) : undefined;
      new IpBasedGateway(s, 'Ip', { zone, recordName: 'ip', collection, endpoints: endpoints as any });
      Template.fromStack(s);
    }).toThrow(message);
  });
});

describe('trees of the existing gateways', () => {
  test('failover: PRIMARY a latency tree, SECONDARY a static site; weighted over a multivalue pool', () => {
    const s = stack();
    const { api } = twoRegions(s);
    // twoRegions named its latency gateway 'api'; a failover gateway on top of it names it by itself.
    const pool = new MultiValueGateway(s, 'Pool', { zone, endpoints: [{ name: 'p1', ipAddress: '192.0.2.1' }, { name: 'p2', ipAddress: '192.0.2.2' }] });
    new ActivePassiveGateway(s, 'Site', {
      zone,
      recordName: 'www',
      ttl: Duration.seconds(30),
      primary: { name: 'live', target: GatewayTarget.gateway(api) },
      secondary: { name: 'static', target: GatewayTarget.gateway(pool) },
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'www.example.com.',
      SetIdentifier: 'live',
      Failover: 'PRIMARY',
      AliasTarget: { DNSName: 'api.example.com', HostedZoneId: 'Z0EXAMPLE', EvaluateTargetHealth: true },
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'static.www.example.com.', SetIdentifier: 'p1', MultiValueAnswer: true, TTL: '60' });
  });

  test('a member gateway with a health check of its own, and EvaluateTargetHealth off', () => {
    const s = stack();
    const probe = new HealthCheck(s, 'EuProbe', { fullyQualifiedDomainName: 'eu.example.com', resourcePath: '/deep' });
    const eu = new WeightedFailoverGateway(s, 'Eu', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
    const us = new WeightedFailoverGateway(s, 'Us', { zone, recordName: 'us-pool', endpoints: [{ name: 'b', ipAddress: '198.51.100.1' }] });
    new LatencyGateway(s, 'Api', {
      zone,
      recordName: 'api',
      endpoints: [
        { name: 'eu', region: 'eu-west-1', target: GatewayTarget.gateway(eu, { evaluateTargetHealth: false }), healthCheck: EndpointHealthCheck.fromHealthCheck(probe) },
        { name: 'us', region: 'us-east-1', target: GatewayTarget.gateway(us) },
      ],
    });
    const t = synth(s);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'eu',
      HealthCheckId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EuProbe'), 'HealthCheckId'] },
      AliasTarget: Match.objectLike({ EvaluateTargetHealth: false }),
    });
    // A gateway with its own name keeps it.
    t.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'us', AliasTarget: Match.objectLike({ DNSName: 'us-pool.example.com' }) });
    // Off over a health-checked gateway: deploys, but the branch never fails over.
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('does not evaluate the health of eu.api.example.com'));
  });

  test.each<[string, (s: Construct) => void, RegExp]>([
    ['a gateway of another zone', (s) => {
      const other = new WeightedFailoverGateway(s, 'Other', { zone: otherZone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
      new WeightedFailoverGateway(s, 'Top', { zone, recordName: 'top', endpoints: [{ name: 'o', target: GatewayTarget.gateway(other) }] });
    }, /is gateway 'Tree\/Other' of zone example.net, but this gateway is in zone example.com; an alias points at records of its own zone/],
    ['a gateway of another record type', (s) => {
      const v6 = new WeightedFailoverGateway(s, 'V6', { zone, endpoints: [{ name: 'a', ipAddress: '2001:db8::1' }] });
      new WeightedFailoverGateway(s, 'Top', { zone, recordName: 'top', recordType: 'A' as any, endpoints: [{ name: 'o', target: GatewayTarget.gateway(v6) }] });
    }, /answers AAAA, but this gateway answers A/],
    ['an alias in a multivalue gateway', (s) => {
      const eu = new WeightedFailoverGateway(s, 'Eu', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
      new MultiValueGateway(s, 'Top', { zone, recordName: 'top', endpoints: [{ name: 'o', target: GatewayTarget.gateway(eu) }] });
    }, /multivalue answer records cannot be aliases/],
    ['a target and an address', (s) => {
      const eu = new WeightedFailoverGateway(s, 'Eu', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
      new WeightedFailoverGateway(s, 'Top', { zone, recordName: 'top', endpoints: [{ name: 'o', ipAddress: '203.0.113.9', target: GatewayTarget.gateway(eu) }] });
    }, /needs exactly one of ipAddress, hostName and target, got ipAddress and target/],
    ['a gateway that is never named', (s) => {
      new WeightedFailoverGateway(s, 'Lost', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
    }, /gateway 'Tree\/Lost' has no recordName and is no member of another gateway/],
  ])('%s is refused', (_, declare, message) => {
    expect(() => {
      const s = stack();
      declare(s);
      Template.fromStack(s);
    }).toThrow(message);
  });

  test('the name of an unnamed gateway is asked for before it is known: a clear error', () => {
    const s = stack();
    const eu = new WeightedFailoverGateway(s, 'Eu', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
    expect(() => eu.recordName).toThrow(/has no recordName yet: it gets one when it becomes a member of another gateway/);
  });

  test('aliases deeper than Route 53 follows are refused', () => {
    const s = stack();
    let inner: WeightedFailoverGateway = new WeightedFailoverGateway(s, 'L0', { zone, endpoints: [{ name: 'a', ipAddress: '203.0.113.1' }] });
    for (let i = 1; i <= 9; i++) inner = new WeightedFailoverGateway(s, `L${i}`, { zone, ...(i === 9 ? { recordName: 'deep' } : {}), endpoints: [{ name: `m${i}`, target: GatewayTarget.gateway(inner) }] });
    expect(() => Template.fromStack(s)).toThrow(/deep/);
  });
});
