/**
 * Proof that the Terraform target writes exactly what the AWS provider accepts, without depending on
 * a provider package at run time: every resource it synthesizes is built a second time with
 * `@cdktf/provider-aws` (a development dependency), from typed props (so TypeScript checks each name
 * against the provider's schema), and the two stacks must synthesize to the same JSON and the same HCL.
 */
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53CidrCollection } from '@cdktf/provider-aws/lib/route53-cidr-collection';
import { Route53CidrLocation } from '@cdktf/provider-aws/lib/route53-cidr-location';
import { Route53HealthCheck, Route53HealthCheckConfig } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record, Route53RecordConfig } from '@cdktf/provider-aws/lib/route53-record';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { HealthCheckModel } from '../../../lib/model';
import { TerraformTarget } from '../../../lib/targets/terraform';
import {
  CIDR_COLLECTION_SCHEMA,
  CIDR_LOCATION_SCHEMA,
  HEALTH_CHECK_SCHEMA,
  RECORD_SCHEMA,
  ZONE_DATA_SOURCE_SCHEMA,
} from '../../../lib/targets/terraform/schema';
import { declareAllKinds, GATEWAY_KINDS } from '../gateway-kinds';

type Body = Record<string, any>;

/** Each snake_case attribute maps to exactly one provider prop; an attribute not listed here fails. */
function healthCheckProps(b: Body, ref: (v: string) => string): Route53HealthCheckConfig {
  return {
    type: b.type,
    ipAddress: b.ip_address,
    fqdn: b.fqdn,
    port: b.port,
    resourcePath: b.resource_path,
    searchString: b.search_string,
    requestInterval: b.request_interval,
    failureThreshold: b.failure_threshold,
    measureLatency: b.measure_latency,
    invertHealthcheck: b.invert_healthcheck,
    disabled: b.disabled,
    enableSni: b.enable_sni,
    regions: b.regions,
    childHealthchecks: b.child_healthchecks?.map(ref),
    childHealthThreshold: b.child_health_threshold,
    cloudwatchAlarmName: b.cloudwatch_alarm_name,
    cloudwatchAlarmRegion: b.cloudwatch_alarm_region,
    insufficientDataHealthStatus: b.insufficient_data_health_status,
    routingControlArn: b.routing_control_arn,
    tags: b.tags,
  };
}
const HEALTH_CHECK_ATTRIBUTES = ['type', 'ip_address', 'fqdn', 'port', 'resource_path', 'search_string', 'request_interval', 'failure_threshold',
  'measure_latency', 'invert_healthcheck', 'disabled', 'enable_sni', 'regions', 'child_healthchecks', 'child_health_threshold',
  'cloudwatch_alarm_name', 'cloudwatch_alarm_region', 'insufficient_data_health_status', 'routing_control_arn', 'tags'];

function recordProps(b: Body, ref: (v: string) => string): Route53RecordConfig {
  return {
    zoneId: ref(b.zone_id),
    name: b.name,
    type: b.type,
    ttl: b.ttl,
    records: b.records,
    setIdentifier: b.set_identifier,
    healthCheckId: b.health_check_id !== undefined ? ref(b.health_check_id) : undefined,
    multivalueAnswerRoutingPolicy: b.multivalue_answer_routing_policy,
    weightedRoutingPolicy: b.weighted_routing_policy ? { weight: b.weighted_routing_policy.weight } : undefined,
    failoverRoutingPolicy: b.failover_routing_policy ? { type: b.failover_routing_policy.type } : undefined,
    geolocationRoutingPolicy: b.geolocation_routing_policy
      ? {
        continent: b.geolocation_routing_policy.continent,
        country: b.geolocation_routing_policy.country,
        subdivision: b.geolocation_routing_policy.subdivision,
      }
      : undefined,
    latencyRoutingPolicy: b.latency_routing_policy ? { region: b.latency_routing_policy.region } : undefined,
    cidrRoutingPolicy: b.cidr_routing_policy
      ? { collectionId: ref(b.cidr_routing_policy.collection_id), locationName: b.cidr_routing_policy.location_name }
      : undefined,
    alias: b.alias ? { name: b.alias.name, zoneId: ref(b.alias.zone_id), evaluateTargetHealth: b.alias.evaluate_target_health } : undefined,
  };
}
const RECORD_ATTRIBUTES = ['zone_id', 'name', 'type', 'ttl', 'records', 'set_identifier', 'health_check_id', 'multivalue_answer_routing_policy',
  'weighted_routing_policy', 'failover_routing_policy', 'geolocation_routing_policy', 'latency_routing_policy', 'cidr_routing_policy', 'alias'];

/**
 * Rebuilds every resource of `json` with the provider's classes in a new stack, under the same Terraform
 * names, with real references between them.
 */
function providerTwin(json: Body): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'twin');
  const refs = new Map<string, string>();
  const ref = (v: string) => refs.get(v) ?? v;
  const unknown = (b: Body, known: string[]) => Object.keys(b).filter((k) => !known.includes(k));

  for (const [name, b] of Object.entries<Body>(json.data?.aws_route53_zone ?? {})) {
    expect(unknown(b, ['name'])).toEqual([]);
    const zone = new DataAwsRoute53Zone(stack, name, { name: b.name });
    zone.overrideLogicalId(name);
    refs.set(`\${data.aws_route53_zone.${name}.zone_id}`, zone.zoneId);
  }
  const checks = Object.entries<Body>(json.resource?.aws_route53_health_check ?? {});
  // Calculated checks refer to their children: create children first.
  checks.sort(([, a], [, b]) => (a.type === 'CALCULATED' ? 1 : 0) - (b.type === 'CALCULATED' ? 1 : 0));
  for (const [name, b] of checks) {
    expect(unknown(b, HEALTH_CHECK_ATTRIBUTES)).toEqual([]);
    const check = new Route53HealthCheck(stack, name, healthCheckProps(b, ref));
    check.overrideLogicalId(name);
    refs.set(`\${aws_route53_health_check.${name}.id}`, check.id);
  }
  for (const [name, b] of Object.entries<Body>(json.resource?.aws_route53_cidr_collection ?? {})) {
    expect(unknown(b, ['//', 'name'])).toEqual([]);
    const collection = new Route53CidrCollection(stack, name, { name: b.name });
    collection.overrideLogicalId(name);
    if (b['//']) collection.addOverride('//', b['//']);
    refs.set(`\${aws_route53_cidr_collection.${name}.id}`, collection.id);
  }
  for (const [name, b] of Object.entries<Body>(json.resource?.aws_route53_cidr_location ?? {})) {
    expect(unknown(b, ['cidr_collection_id', 'name', 'cidr_blocks'])).toEqual([]);
    const location = new Route53CidrLocation(stack, name, { cidrCollectionId: ref(b.cidr_collection_id), name: b.name, cidrBlocks: b.cidr_blocks });
    location.overrideLogicalId(name);
  }
  for (const [name, b] of Object.entries<Body>(json.resource?.aws_route53_record ?? {})) {
    expect(unknown(b, RECORD_ATTRIBUTES)).toEqual([]);
    new Route53Record(stack, name, recordProps(b, ref)).overrideLogicalId(name);
  }
  return stack;
}

/** The top-level HCL blocks, sorted (the two stacks create their elements in different orders). */
function hclBlocks(hcl: string): string[] {
  return hcl.split(/\n(?=(?:resource|data) ")/).map((b) => b.trim()).filter(Boolean).sort();
}

function expectSameAsProvider(stack: TerraformStack): Body {
  const json = JSON.parse(Testing.synth(stack));
  const twin = providerTwin(json);
  const twinJson = JSON.parse(Testing.synth(twin));
  expect(json).toEqual(twinJson);
  expect(hclBlocks(Testing.synthHcl(stack))).toEqual(hclBlocks(Testing.synthHcl(twin)));
  return json;
}

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'stack');
}

describe('the Terraform output is what @cdktf/provider-aws writes', () => {
  test.each(GATEWAY_KINDS.map((k) => [k.kind, k] as const))('%s', (_, kind) => {
    const stack = newStack();
    kind.declare(stack);
    const json = expectSameAsProvider(stack);
    expect(Object.keys(json.resource.aws_route53_record).length).toBeGreaterThanOrEqual(2);
  });

  test('every attribute of the schema, including disabled and routing controls', () => {
    const stack = newStack();
    declareAllKinds(stack);
    // What no construct sets: a disabled check, and a routing control check (rendered from the model).
    const target = TerraformTarget.of(stack);
    const scope = new Construct(stack, 'Direct');
    const models: HealthCheckModel[] = [
      { id: 'Direct/Forced', name: 'forced out', config: { type: 'HTTP', ipAddress: '203.0.113.9', port: 80, resourcePath: '/', disabled: true, inverted: true } },
      { id: 'Direct/Arc', config: { type: 'RECOVERY_CONTROL', routingControlArn: 'arn:aws:route53-recovery-control::123456789012:controlpanel/abc/routingcontrol/def' } },
    ];
    for (const m of models) target.renderHealthCheck(new Construct(scope, m.id.split('/')[1]), m);
    const json = expectSameAsProvider(stack);

    const used = (type: string) => new Set(Object.values<Body>(json.resource[type]).flatMap((b) => Object.keys(b)));
    expect([...used('aws_route53_health_check')].sort()).toEqual(Object.keys(HEALTH_CHECK_SCHEMA).sort());
    expect([...used('aws_route53_record')].sort()).toEqual(Object.keys(RECORD_SCHEMA).sort());
    expect([...used('aws_route53_cidr_collection')].filter((k) => k !== '//').sort()).toEqual(Object.keys(CIDR_COLLECTION_SCHEMA).sort());
    expect([...used('aws_route53_cidr_location')].sort()).toEqual(Object.keys(CIDR_LOCATION_SCHEMA).sort());
    const zoneAttributes = new Set(Object.values<Body>(json.data.aws_route53_zone).flatMap((b) => Object.keys(b)));
    expect([...zoneAttributes].sort()).toEqual(Object.keys(ZONE_DATA_SOURCE_SCHEMA).sort());
  });

  test('types: numbers are numbers, booleans are booleans, sets are lists, one block is an object', () => {
    const stack = newStack();
    declareAllKinds(stack);
    const json = JSON.parse(Testing.synth(stack));
    const checks = Object.values<Body>(json.resource.aws_route53_health_check);
    const site = checks.find((c) => c.tags?.Name === 'www.example.org main')!;
    expect(site).toEqual({
      type: 'HTTPS',
      ip_address: '203.0.113.40',
      fqdn: 'www.example.org',
      port: 443,
      resource_path: '/healthz?deep=1',
      request_interval: 10,
      failure_threshold: 2,
      measure_latency: true,
      enable_sni: true,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      tags: { 'Name': 'www.example.org main', 'cdk-dns-failover:id': 'Site/main/HealthCheck' },
    });
    const records = Object.values<Body>(json.resource.aws_route53_record);
    expect(records.find((r) => r.set_identifier === 'standby')).toEqual({
      zone_id: 'Z0EXAMPLE1234567890',
      name: 'emdr.example.com',
      type: 'A',
      ttl: 60,
      records: ['192.0.2.30'],
      set_identifier: 'standby',
      weighted_routing_policy: { weight: 0 },
      health_check_id: expect.stringMatching(/^\$\{aws_route53_health_check\.Emdr_standby_HealthCheck_[0-9A-F]+\.id\}$/),
    });
  });
});
