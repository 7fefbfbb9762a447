/**
 * The constructs in a cdktf TerraformStack, checked with cdktf's own Testing assertions.
 */
import * as fs from 'fs';
import { Duration, Lazy } from 'aws-cdk-lib';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { Construct } from 'constructs';
import {
  ActivePassiveGateway,
  EndpointHealthCheck,
  GatewayRecordType,
  GatewayZone,
  HealthCheck,
  HealthCheckProtocol,
  HealthCheckRegion,
  InsufficientDataHealthStatus,
  MultiValueGateway,
  WeightedFailoverGateway,
} from '../../../lib';
import { isUnresolved } from '../../../lib/model';
import { TerraformTarget } from '../../../lib/targets/terraform';

Testing.setupJest();

const HEALTH_CHECK = { tfResourceType: 'aws_route53_health_check' };
const RECORD = { tfResourceType: 'aws_route53_record' };
const ZONE = { tfResourceType: 'aws_route53_zone' };

const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });

type Body = Record<string, any>;

function newStack(id = 'stack'): TerraformStack {
  return new TerraformStack(Testing.app(), id);
}

/** Synthesized JSON (without `//` metadata), after the stack's validations. */
function synth(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

function resources(json: string, type: string): Body[] {
  return Object.values(JSON.parse(json).resource?.[type] ?? {});
}

function names(json: string, type: string): string[] {
  return Object.keys(JSON.parse(json).resource?.[type] ?? {}).sort();
}

const HC_REF = /^\$\{aws_route53_health_check\.[A-Za-z0-9_-]+\.id\}$/;

describe('WeightedFailoverGateway in a TerraformStack', () => {
  test('EMDR: two HTTP health checks and two weighted records guarded by them', () => {
    const json = Testing.synthScope((scope) => {
      new WeightedFailoverGateway(scope, 'Emdr', {
        zone,
        recordName: 'emdr',
        healthCheck: { protocol: HealthCheckProtocol.HTTP, resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 },
        endpoints: [
          { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
          { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
        ],
      });
    });
    expect(resources(json, 'aws_route53_health_check')).toHaveLength(2);
    expect(resources(json, 'aws_route53_record')).toHaveLength(2);
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
      type: 'HTTP',
      ip_address: '203.0.113.10',
      port: 80,
      resource_path: '/status',
      request_interval: 30,
      failure_threshold: 3,
      tags: { 'Name': 'emdr.example.com gw-isp-a', 'cdk-dns-failover:id': 'Emdr/gw-isp-a/HealthCheck' },
    });
    expect(json).toHaveResourceWithProperties(RECORD, {
      zone_id: 'Z0EXAMPLE',
      name: 'emdr.example.com',
      type: 'A',
      ttl: 60,
      records: ['198.51.100.20'],
      set_identifier: 'gw-isp-b',
      weighted_routing_policy: { weight: 50 },
      health_check_id: expect.stringMatching(/^\$\{aws_route53_health_check\.Emdr_gw-isp-b_HealthCheck_[0-9A-F]+\.id\}$/),
    });
    // A zone given by id needs no lookup; HTTP checks carry no SNI and no region list (all regions).
    expect(json).not.toHaveDataSource(ZONE);
    for (const hc of resources(json, 'aws_route53_health_check')) {
      expect(hc.enable_sni).toBeUndefined();
      expect(hc.regions).toBeUndefined();
      expect(hc.disabled).toBeUndefined();
    }
  });

  test('default weight 1; weight 0 survives, alone and when every weight is 0', () => {
    const json = Testing.synthScope((scope) => {
      new WeightedFailoverGateway(scope, 'Api', {
        zone,
        recordName: 'api',
        endpoints: [
          { name: 'a', ipAddress: '203.0.113.10' },
          { name: 'standby', ipAddress: '203.0.113.11', weight: 0 },
        ],
      });
      new WeightedFailoverGateway(scope, 'Even', {
        zone,
        recordName: 'even',
        endpoints: [
          { name: 'x', ipAddress: '203.0.113.20', weight: 0 },
          { name: 'y', ipAddress: '203.0.113.21', weight: 0 },
        ],
      });
    });
    expect(json).toHaveResourceWithProperties(RECORD, { set_identifier: 'a', weighted_routing_policy: { weight: 1 } });
    expect(json).toHaveResourceWithProperties(RECORD, { set_identifier: 'standby', weighted_routing_policy: { weight: 0 } });
    const even = resources(json, 'aws_route53_record').filter((r) => r.name === 'even.example.com');
    expect(even.map((r) => r.weighted_routing_policy)).toEqual([{ weight: 0 }, { weight: 0 }]);
  });

  test('shared settings, per-endpoint overrides, no check, an existing check, an external check', () => {
    const stack = newStack();
    const shared = new HealthCheck(stack, 'Shared', { protocol: HealthCheckProtocol.TCP, ipAddress: '203.0.113.99', port: 22 });
    const external = HealthCheck.fromHealthCheckId(stack, 'Legacy', '01234567-89ab-cdef-0123-456789abcdef');
    new WeightedFailoverGateway(stack, 'Api', {
      zone,
      recordName: 'api',
      healthCheck: { protocol: HealthCheckProtocol.HTTPS, resourcePath: 'health', failureThreshold: 5 },
      endpoints: [
        { name: 'own', ipAddress: '203.0.113.10', healthCheck: EndpointHealthCheck.withOptions({ port: 8443, requestInterval: Duration.seconds(10) }) },
        { name: 'none', ipAddress: '203.0.113.11', healthCheck: EndpointHealthCheck.none() },
        { name: 'shared', ipAddress: '203.0.113.12', healthCheck: EndpointHealthCheck.fromHealthCheck(shared) },
        { name: 'external', ipAddress: '203.0.113.13', healthCheck: EndpointHealthCheck.fromHealthCheck(external) },
      ],
    });
    const json = synth(stack);
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
      type: 'HTTPS', ip_address: '203.0.113.10', port: 8443, resource_path: '/health', request_interval: 10, failure_threshold: 5, enable_sni: true,
    });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, { type: 'TCP', ip_address: '203.0.113.99', port: 22 });
    expect(resources(json, 'aws_route53_health_check')).toHaveLength(2);
    const bySet = Object.fromEntries(resources(json, 'aws_route53_record').map((r) => [r.set_identifier, r]));
    expect(bySet.none.health_check_id).toBeUndefined();
    expect(bySet.own.health_check_id).toMatch(HC_REF);
    expect(bySet.shared.health_check_id).toMatch(/^\$\{aws_route53_health_check\.Shared_[0-9A-F]+\.id\}$/);
    expect(bySet.external.health_check_id).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });

  test('host names make a CNAME group whose checks probe the FQDN; IPv6 makes AAAA', () => {
    const json = Testing.synthScope((scope) => {
      new WeightedFailoverGateway(scope, 'Edge', {
        zone,
        recordName: 'edge',
        endpoints: [{ name: 'a', hostName: 'a.cdn.example.net' }, { name: 'b', hostName: 'b.cdn.example.net' }],
      });
      new WeightedFailoverGateway(scope, 'V6', {
        zone,
        recordName: 'v6',
        recordType: GatewayRecordType.AAAA,
        endpoints: [{ name: 'a', ipAddress: '2001:db8::1' }, { name: 'b', ipAddress: '2001:db8::2' }],
      });
    });
    expect(json).toHaveResourceWithProperties(RECORD, { name: 'edge.example.com', type: 'CNAME', records: ['a.cdn.example.net'] });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, { type: 'HTTP', fqdn: 'b.cdn.example.net', port: 80 });
    expect(json).toHaveResourceWithProperties(RECORD, { name: 'v6.example.com', type: 'AAAA', records: ['2001:db8::2'] });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, { ip_address: '2001:db8::1' });
  });

  test('reweighting or reordering endpoints keeps every Terraform resource name', () => {
    const declare = (endpoints: Array<{ name: string; ipAddress: string; weight: number }>) => Testing.synthScope((scope) => {
      new WeightedFailoverGateway(scope, 'Api', { zone, recordName: 'api', endpoints });
    });
    const before = declare([{ name: 'a', ipAddress: '203.0.113.10', weight: 1 }, { name: 'b', ipAddress: '203.0.113.11', weight: 1 }]);
    const after = declare([{ name: 'b', ipAddress: '203.0.113.11', weight: 7 }, { name: 'a', ipAddress: '203.0.113.10', weight: 0 }]);
    expect(names(after, 'aws_route53_record')).toEqual(names(before, 'aws_route53_record'));
    expect(names(after, 'aws_route53_health_check')).toEqual(names(before, 'aws_route53_health_check'));
  });

  test('healthCheckId is a reference to the Terraform resource', () => {
    const stack = newStack();
    const gw = new WeightedFailoverGateway(stack, 'Api', { zone, recordName: 'api', endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }] });
    expect(isUnresolved(gw.healthCheckFor('a').healthCheckId)).toBe(true);
    new TerraformOutput(stack, 'check-a', { value: gw.healthCheckFor('a').healthCheckId });
    const out = JSON.parse(synth(stack)).output;
    expect(out['check-a'].value).toMatch(/^\$\{aws_route53_health_check\.Api_a_HealthCheck_[0-9A-F]+\.id\}$/);
  });

  test('warnings reach cdktf Annotations: TTL above 60 s, a single endpoint, a member without a check', () => {
    const stack = newStack();
    const gw = new WeightedFailoverGateway(stack, 'Solo', {
      zone,
      recordName: 'solo',
      ttl: Duration.minutes(5),
      endpoints: [{ name: 'only', ipAddress: '203.0.113.10', healthCheck: EndpointHealthCheck.none() }],
    });
    const warnings = gw.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^TTL 300 s: .*60 s or less.*\[cdk-dns-failover:group\/ttl-above-60\]$/),
      expect.stringMatching(/single endpoint.*\[cdk-dns-failover:group\/single-endpoint\]$/),
      expect.stringMatching(/member 'only' has no health check.*\[cdk-dns-failover:group\/member-without-check\]$/),
    ]);
    // cdktf writes them into the manifest next to the stack.
    const outdir = Testing.fullSynth(stack);
    const manifest = JSON.parse(fs.readFileSync(`${outdir}/manifest.json`, 'utf8'));
    expect(manifest.stacks.stack.annotations.filter((a: Body) => a.level === '@cdktf/warn')).toHaveLength(3);
  });
});

describe('ActivePassiveGateway and MultiValueGateway in a TerraformStack', () => {
  test('a PRIMARY and a SECONDARY record, each with its check, and no weight', () => {
    const json = Testing.synthScope((scope) => {
      new ActivePassiveGateway(scope, 'Site', {
        zone,
        recordName: 'www',
        primary: { name: 'main', ipAddress: '203.0.113.10' },
        secondary: { name: 'backup', ipAddress: '203.0.113.11' },
      });
    });
    expect(json).toHaveResourceWithProperties(RECORD, { set_identifier: 'main', failover_routing_policy: { type: 'PRIMARY' }, health_check_id: expect.stringMatching(HC_REF) });
    expect(json).toHaveResourceWithProperties(RECORD, { set_identifier: 'backup', failover_routing_policy: { type: 'SECONDARY' }, health_check_id: expect.stringMatching(HC_REF) });
    for (const r of resources(json, 'aws_route53_record')) {
      expect(Object.keys(r)).not.toContain('weighted_routing_policy');
      expect(Object.keys(r)).not.toContain('multivalue_answer_routing_policy');
    }
    expect(resources(json, 'aws_route53_health_check')).toHaveLength(2);
  });

  test('multivalue answer records, one per endpoint, and no weight', () => {
    const json = Testing.synthScope((scope) => {
      new MultiValueGateway(scope, 'Pool', {
        zone,
        recordName: 'pool',
        endpoints: Array.from({ length: 9 }, (_, i) => ({ name: `n${i}`, ipAddress: `203.0.113.${i + 1}` })),
      });
    });
    const records = resources(json, 'aws_route53_record');
    expect(records).toHaveLength(9);
    for (const r of records) {
      expect(r.multivalue_answer_routing_policy).toBe(true);
      expect(r.records).toHaveLength(1);
      expect(Object.keys(r)).not.toContain('weighted_routing_policy');
      expect(Object.keys(r)).not.toContain('failover_routing_policy');
    }
    expect(resources(json, 'aws_route53_health_check')).toHaveLength(9);
  });
});

describe('zones in a TerraformStack', () => {
  test('a zone known by name: one aws_route53_zone lookup per zone name per stack', () => {
    const app = Testing.app();
    const declare = (stack: TerraformStack) => {
      new WeightedFailoverGateway(stack, 'A', { zone: GatewayZone.fromZoneName('Example.ORG.'), recordName: 'a', endpoints: [{ name: 'x', ipAddress: '203.0.113.1' }, { name: 'y', ipAddress: '203.0.113.2' }] });
      new ActivePassiveGateway(stack, 'B', { zone: GatewayZone.fromZoneName('example.org'), recordName: 'b', primary: { name: 'p', ipAddress: '203.0.113.3' }, secondary: { name: 's', ipAddress: '203.0.113.4' } });
      new MultiValueGateway(stack, 'C', { zone: GatewayZone.fromZoneName('example.net'), recordName: '@', endpoints: [{ name: 'm', ipAddress: '203.0.113.5' }, { name: 'n', ipAddress: '203.0.113.6' }] });
    };
    const one = new TerraformStack(app, 'one');
    const two = new TerraformStack(app, 'two');
    declare(one);
    declare(two);
    for (const stack of [one, two]) {
      const json = synth(stack);
      const zones: Record<string, Body> = JSON.parse(json).data.aws_route53_zone;
      expect(Object.values(zones).map((z) => z.name).sort()).toEqual(['example.net', 'example.org']);
      const zoneNamed = (n: string) => Object.entries(zones).find(([, z]) => z.name === n)![0];
      const [org, net] = [zoneNamed('example.org'), zoneNamed('example.net')];
      for (const z of Object.values(zones)) expect(Object.keys(z)).toEqual(['name']);
      const records = resources(json, 'aws_route53_record');
      expect(records.filter((r) => r.zone_id === `\${data.aws_route53_zone.${org}.zone_id}`).map((r) => r.name)).toEqual(['a.example.org', 'a.example.org', 'b.example.org', 'b.example.org']);
      expect(records.filter((r) => r.zone_id === `\${data.aws_route53_zone.${net}.zone_id}`).map((r) => r.name)).toEqual(['example.net', 'example.net']);
      expect(json).toHaveDataSourceWithProperties(ZONE, { name: 'example.net' });
    }
  });
});

describe('HealthCheck in a TerraformStack', () => {
  test('HTTPS string match with SNI, regions, latency, inverted; TCP; calculated; CloudWatch alarm', () => {
    const json = Testing.synthScope((scope) => {
      const https = new HealthCheck(scope, 'Https', {
        protocol: HealthCheckProtocol.HTTPS,
        fullyQualifiedDomainName: 'api.example.com',
        searchString: 'ready',
        regions: [HealthCheckRegion.US_EAST_1, HealthCheckRegion.US_WEST_2, HealthCheckRegion.SA_EAST_1],
        measureLatency: true,
        inverted: true,
        healthCheckName: 'api ready',
      });
      const tcp = new HealthCheck(scope, 'Tcp', { protocol: HealthCheckProtocol.TCP, ipAddress: '203.0.113.5', port: 5432 });
      new HealthCheck(scope, 'Both', { childHealthChecks: [https, tcp] });
      new HealthCheck(scope, 'Alarm', { alarmName: 'api-5xx', insufficientDataHealthStatus: InsufficientDataHealthStatus.HEALTHY });
    });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
      type: 'HTTPS_STR_MATCH',
      fqdn: 'api.example.com',
      port: 443,
      resource_path: '/',
      search_string: 'ready',
      enable_sni: true,
      regions: ['us-east-1', 'us-west-2', 'sa-east-1'],
      measure_latency: true,
      invert_healthcheck: true,
      request_interval: 30,
      failure_threshold: 3,
      tags: { 'Name': 'api ready', 'cdk-dns-failover:id': 'Https' },
    });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, { type: 'TCP', ip_address: '203.0.113.5', port: 5432 });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
      type: 'CALCULATED',
      child_healthchecks: [
        expect.stringMatching(/^\$\{aws_route53_health_check\.Https_[0-9A-F]+\.id\}$/),
        expect.stringMatching(/^\$\{aws_route53_health_check\.Tcp_[0-9A-F]+\.id\}$/),
      ],
      child_health_threshold: 2,
    });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
      type: 'CLOUDWATCH_METRIC',
      cloudwatch_alarm_name: 'api-5xx',
      cloudwatch_alarm_region: 'us-east-1',
      insufficient_data_health_status: 'Healthy',
    });
    const tcp = resources(json, 'aws_route53_health_check').find((h) => h.type === 'TCP')!;
    expect(tcp.resource_path).toBeUndefined();
  });

  test('Terraform has disabled: disabled and inverted forces a member out', () => {
    const json = Testing.synthScope((scope) => {
      new WeightedFailoverGateway(scope, 'Api', {
        zone,
        recordName: 'api',
        endpoints: [
          { name: 'a', ipAddress: '203.0.113.10' },
          { name: 'drained', ipAddress: '203.0.113.11', healthCheck: EndpointHealthCheck.withOptions({ disabled: true, inverted: true }) },
        ],
      });
    });
    expect(json).toHaveResourceWithProperties(HEALTH_CHECK, { ip_address: '203.0.113.11', disabled: true, invert_healthcheck: true });
    expect(resources(json, 'aws_route53_health_check').find((h) => h.ip_address === '203.0.113.10')!.disabled).toBeUndefined();
  });

  test('a check rendered in a nested construct keeps its path below the stack as model id', () => {
    const stack = newStack();
    const group = new Construct(new Construct(stack, 'Team'), 'Checks');
    new HealthCheck(group, 'Web', { ipAddress: '203.0.113.10' });
    expect(TerraformTarget.of(stack).model.healthChecks.map((h) => h.id)).toEqual(['Team/Checks/Web']);
    expect(synth(stack)).toHaveResourceWithProperties(HEALTH_CHECK, { tags: { 'cdk-dns-failover:id': 'Team/Checks/Web' } });
  });
});

describe('Route 53 limits in a TerraformStack', () => {
  const weighted = (scope: Construct, extra: Partial<{ weight: number; interval: Duration; threshold: number; regions: string[]; ip: string }>) =>
    new WeightedFailoverGateway(scope, 'Api', {
      zone,
      recordName: 'api',
      healthCheck: { requestInterval: extra.interval, failureThreshold: extra.threshold, regions: extra.regions },
      endpoints: [
        { name: 'a', ipAddress: extra.ip ?? '203.0.113.10', weight: extra.weight },
        { name: 'b', ipAddress: '203.0.113.11' },
      ],
    });

  test('fails an interval of 15 s', () => {
    expect(() => weighted(newStack(), { interval: Duration.seconds(15) })).toThrow(/requestInterval 15 s is not allowed by Route 53; use 10 or 30 seconds/);
  });

  test('fails weight 256', () => {
    expect(() => weighted(newStack(), { weight: 256 })).toThrow(/weight 256 is out of range; use a whole number from 0 to 255/);
  });

  test('fails a failure threshold of 0', () => {
    expect(() => weighted(newStack(), { threshold: 0 })).toThrow(/failureThreshold 0 is out of range; use a whole number from 1 to 10/);
  });

  test('fails two regions', () => {
    expect(() => weighted(newStack(), { regions: ['us-east-1', 'eu-west-1'] })).toThrow(/2 region\(s\) listed \(us-east-1, eu-west-1\); Route 53 needs at least 3/);
  });

  test('fails a private address', () => {
    expect(() => weighted(newStack(), { ip: '10.1.2.3' })).toThrow(/ipAddress 10\.1\.2\.3 is a private \(RFC 1918\) address/);
  });

  test('fails a probe timeout (Route 53\'s are fixed; the self-hosted target has them)', () => {
    expect(() => new HealthCheck(newStack(), 'Slow', { ipAddress: '203.0.113.10', timeouts: { connect: Duration.seconds(8) } }))
      .toThrow(/connectTimeout 8 s is set, but Route 53's probe timeouts are fixed/);
  });

  test('fails duplicate endpoint names', () => {
    expect(() => new WeightedFailoverGateway(newStack(), 'Api', {
      zone,
      recordName: 'api',
      endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'a', ipAddress: '203.0.113.11' }],
    })).toThrow(/duplicate endpoint name 'a'/);
  });

  test('fails host names in a multivalue gateway', () => {
    expect(() => new MultiValueGateway(newStack(), 'Pool', {
      zone,
      recordName: 'pool',
      endpoints: [{ name: 'a', hostName: 'a.example.net' }, { name: 'b', hostName: 'b.example.net' }],
    })).toThrow(/multivalue answer routing does not accept CNAME/);
  });

  test('fails two primaries for one name (two gateways on the same record) at synth', () => {
    const stack = newStack();
    const pair = (id: string, a: string, b: string) => new ActivePassiveGateway(stack, id, {
      zone,
      recordName: 'www',
      primary: { name: `${id}-p`, ipAddress: a },
      secondary: { name: `${id}-s`, ipAddress: b },
    });
    pair('One', '203.0.113.1', '203.0.113.2');
    pair('Two', '203.0.113.3', '203.0.113.4');
    expect(() => Testing.synth(stack, true)).toThrow(/www\.example\.com A needs exactly one PRIMARY and one SECONDARY record; found 2 primary \('One-p', 'Two-p'\)/);
    expect(() => Testing.fullSynth(stack)).toThrow(/found 2 primary/);
  });

  test('fails a CloudWatch alarm: the Terraform target has none', () => {
    expect(() => new WeightedFailoverGateway(newStack(), 'Api', {
      zone,
      recordName: 'api',
      alarmOnUnhealthy: true,
      endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }],
    })).toThrow(/Terraform has no CloudWatch alarms in this library; create the alarm with your provider/);
  });

  test('fails an aws-cdk-lib token in a Terraform stack, naming the attribute', () => {
    const cdkToken = Lazy.string({ produce: () => 'Z0EXAMPLE' });
    expect(() => new WeightedFailoverGateway(newStack(), 'Api', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: cdkToken, zoneName: 'example.com' }),
      recordName: 'api',
      endpoints: [{ name: 'a', ipAddress: '203.0.113.10' }, { name: 'b', ipAddress: '203.0.113.11' }],
    })).toThrow(/record api\.example\.com A \[a\]: zone_id is '\$\{Token\[[^\]]+\]\}', an aws-cdk-lib token, which a Terraform stack cannot resolve/);
  });
});
