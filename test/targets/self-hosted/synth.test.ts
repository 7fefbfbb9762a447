/**
 * SelfHostedStack synthesis: the bundle's files, the bundle config (against its JSON Schema and the
 * bundle rules), zones, what the self-hosted target relaxes and what it refuses.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { Duration, Lazy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { emdrStack, listFiles, removeTempDirs, tempDir } from './helpers';
import {
  EndpointHealthCheck,
  GatewayZone,
  HealthCheck,
  HealthCheckProtocol,
  HealthCheckRegion,
  SelfHostedApp,
  SelfHostedStack,
  SelfHostedStackProps,
  SelfHostedRecordType,
  WeightedFailoverGateway,
} from '../../../lib';
import { BundleConfig, bundleSchema, checkBundleConfig } from '../../../lib/bundle';

afterAll(removeTempDirs);

function synthConfig(stack: SelfHostedStack): { dir: string; config: BundleConfig } {
  const dir = tempDir();
  stack.synth(dir);
  return { dir, config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) };
}

function synthError(stack: SelfHostedStack): string {
  const dir = path.join(tempDir(), 'bundle');
  let message = '';
  try {
    stack.synth(dir);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(fs.existsSync(dir)).toBe(false);
  return message;
}

describe('the bundle', () => {
  test('holds the config, the Kubernetes manifests, one systemd unit per node and checker, a Dockerfile with its .dockerignore and a README', () => {
    const { stack } = emdrStack({ checkers: [{ id: 'eu-1', region: 'eu' }, { id: 'us-1', region: 'us' }] });
    const { dir } = synthConfig(stack);
    expect(listFiles(dir)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'config.json',
      'kubernetes/dns-failover.yaml',
      'systemd/dns-failover-checker-eu-1.service',
      'systemd/dns-failover-checker-us-1.service',
      'systemd/dns-failover-dns-dns-1.service',
    ]);
  });

  test('its config validates against the JSON Schema and the bundle rules', () => {
    const { stack } = emdrStack();
    const { config } = synthConfig(stack);
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(bundleSchema());
    expect(validate.errors ?? []).toEqual([]);
    expect(validate(config)).toBe(true);
    const check = checkBundleConfig(config);
    expect(check.errors).toEqual([]);
    expect(check.config).toBeDefined();
  });

  test('says what the gateway declared, with the defaults written out', () => {
    const { stack } = emdrStack();
    const { config } = synthConfig(stack);
    expect(config.healthChecks).toEqual([
      {
        id: 'Emdr/gw-isp-a/HealthCheck',
        name: 'emdr.example.com gw-isp-a',
        config: { type: 'HTTP', ipAddress: '10.0.0.10', port: 80, resourcePath: '/status', requestInterval: 1, failureThreshold: 3 },
      },
      {
        id: 'Emdr/gw-isp-b/HealthCheck',
        name: 'emdr.example.com gw-isp-b',
        config: { type: 'HTTP', ipAddress: '10.0.1.20', port: 80, resourcePath: '/status', requestInterval: 1, failureThreshold: 3 },
      },
    ]);
    expect(config.recordSets).toEqual([
      { hostedZoneName: 'example.com', name: 'emdr.example.com', recordType: 'A', ttl: 60, values: ['10.0.0.10'], setIdentifier: 'gw-isp-a', weight: 50, healthCheckId: 'Emdr/gw-isp-a/HealthCheck' },
      { hostedZoneName: 'example.com', name: 'emdr.example.com', recordType: 'A', ttl: 60, values: ['10.0.1.20'], setIdentifier: 'gw-isp-b', weight: 50, healthCheckId: 'Emdr/gw-isp-b/HealthCheck' },
    ]);
    // The zone the gateway names, with Route 53's SOA timers and one name server per DNS node.
    expect(config.zones).toEqual([{
      name: 'example.com',
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400, ttl: 900 },
      nameServers: ['ns1.example.com'],
      nameServerTtl: 172800,
    }]);
    // 18 % as Route 53; freshness 3 x the longest interval, at least 30 s.
    expect(config.verdict).toEqual({ healthyFraction: 0.18, freshnessMs: 30000 });
    expect(config.checkers).toEqual([{ id: 'checker-1', region: 'local' }]);
    expect(config.dnsNodes).toEqual([{ id: 'dns-1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }]);
  });

  test('verdict settings, nodes and checkers come from the props', () => {
    const { stack } = emdrStack({
      healthyFraction: 0.5,
      freshness: Duration.seconds(12),
      dnsNodes: [{ id: 'a', dnsAddress: '192.0.2.1:53', adminAddress: '10.0.0.1:9000' }, { id: 'b' }],
      checkers: [{ id: 'c1', region: 'eu-west-1' }, { id: 'c2', region: 'on-prem' }],
    });
    const { config } = synthConfig(stack);
    expect(config.verdict).toEqual({ healthyFraction: 0.5, freshnessMs: 12000 });
    // A node without addresses takes the next default ports.
    expect(config.dnsNodes).toEqual([{ id: 'a', dns: '192.0.2.1:53', admin: '10.0.0.1:9000' }, { id: 'b', dns: '127.0.0.1:5354', admin: '127.0.0.1:8054' }]);
    expect(config.checkers).toEqual([{ id: 'c1', region: 'eu-west-1' }, { id: 'c2', region: 'on-prem' }]);
    expect(config.zones[0].nameServers).toEqual(['ns1.example.com', 'ns2.example.com']);
  });

  test('a second synth into the same directory replaces the units, and leaves other files alone', () => {
    const dir = tempDir();
    emdrStack({ checkers: [{ id: 'old', region: 'r' }] }).stack.synth(dir);
    fs.writeFileSync(path.join(dir, 'report-secret'), 'kept');
    emdrStack({ checkers: [{ id: 'new', region: 'r' }] }).stack.synth(dir);
    expect(listFiles(dir).filter((f) => f.startsWith('systemd/'))).toEqual(['systemd/dns-failover-checker-new.service', 'systemd/dns-failover-dns-dns-1.service']);
    expect(fs.readFileSync(path.join(dir, 'report-secret'), 'utf8')).toBe('kept');
  });

  test('SelfHostedApp.synth writes one bundle per stack below its outdir', () => {
    const outdir = tempDir();
    const app = new SelfHostedApp({ outdir });
    for (const id of ['One', 'Two']) {
      const stack = new SelfHostedStack(app, id);
      new WeightedFailoverGateway(stack, 'G', {
        zone: GatewayZone.fromZoneName(`${id.toLowerCase()}.example`),
        recordName: 'www',
        endpoints: [{ name: 'a', ipAddress: '192.0.2.1' }, { name: 'b', ipAddress: '192.0.2.2' }],
      });
    }
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['One', 'Two']);
    const two: BundleConfig = JSON.parse(fs.readFileSync(path.join(outdir, 'Two', 'config.json'), 'utf8'));
    expect(two.zones.map((z) => z.name)).toEqual(['two.example']);
  });

  test('SelfHostedApp takes $DNS_FAILOVER_OUTDIR, then dns-failover.out', () => {
    const saved = process.env.DNS_FAILOVER_OUTDIR;
    try {
      process.env.DNS_FAILOVER_OUTDIR = '/tmp/somewhere';
      expect(new SelfHostedApp().outdir).toBe('/tmp/somewhere');
      delete process.env.DNS_FAILOVER_OUTDIR;
      expect(new SelfHostedApp().outdir).toBe('dns-failover.out');
    } finally {
      if (saved === undefined) delete process.env.DNS_FAILOVER_OUTDIR;
      else process.env.DNS_FAILOVER_OUTDIR = saved;
    }
  });

  test('isSelfHostedStack and of', () => {
    const { stack, gateway } = emdrStack();
    expect(SelfHostedStack.isSelfHostedStack(stack)).toBe(true);
    expect(SelfHostedStack.isSelfHostedStack(gateway)).toBe(false);
    expect(SelfHostedStack.of(gateway.healthChecks[0])).toBe(stack);
    expect(() => SelfHostedStack.of(new SelfHostedApp())).toThrow(/not inside a SelfHostedStack/);
  });
});

describe('zones', () => {
  test('SOA and NS fields from the props; static records named in their zone', () => {
    const { stack } = emdrStack({
      zones: [{
        zoneName: 'Example.COM.',
        nameServers: ['ns-a.example.net', 'ns-b.example.net'],
        primaryNameServer: 'ns-b.example.net',
        hostmaster: 'dns-admin@example.com',
        serial: 2026112201,
        refresh: Duration.hours(1),
        retry: Duration.minutes(5),
        expire: Duration.days(7),
        negativeCacheTtl: Duration.seconds(60),
        soaTtl: Duration.seconds(300),
        nameServerTtl: Duration.hours(48),
        records: [
          { recordName: 'www', recordType: SelfHostedRecordType.A, values: ['192.0.2.80'] },
          { recordName: '@', recordType: SelfHostedRecordType.TXT, values: ['"v=spf1 -all"'], ttl: Duration.minutes(1) },
          { recordName: 'mail.example.com', recordType: SelfHostedRecordType.MX, values: ['10 mx.example.net'] },
        ],
      }],
    });
    const { config } = synthConfig(stack);
    expect(config.zones).toEqual([{
      name: 'example.com',
      soa: { mname: 'ns-b.example.net', rname: 'dns-admin.example.com', serial: 2026112201, refresh: 3600, retry: 300, expire: 604800, minimum: 60, ttl: 300 },
      nameServers: ['ns-a.example.net', 'ns-b.example.net'],
      nameServerTtl: 172800,
      records: [
        { name: 'www.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.80'] },
        { name: 'example.com', recordType: 'TXT', ttl: 60, values: ['"v=spf1 -all"'] },
        { name: 'mail.example.com', recordType: 'MX', ttl: 300, values: ['10 mx.example.net'] },
      ],
    }]);
  });

  test('a gateway that names its zone by hosted zone id is served from the listed zone of that name', () => {
    const app = new SelfHostedApp({ outdir: tempDir() });
    const stack = new SelfHostedStack(app, 'S', { zones: [{ zoneName: 'example.com' }, { zoneName: 'sub.example.com' }] });
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'sub.example.com' }),
      recordName: 'api',
      endpoints: [{ name: 'a', ipAddress: '192.0.2.1' }, { name: 'b', ipAddress: '192.0.2.2' }],
    });
    const { config } = synthConfig(stack);
    expect(config.recordSets.map((r) => [r.name, r.hostedZoneName, (r as { hostedZoneId?: string }).hostedZoneId])).toEqual([
      ['api.sub.example.com', 'sub.example.com', undefined],
      ['api.sub.example.com', 'sub.example.com', undefined],
    ]);
  });

  test('fails when a gateway names its zone by id and no listed zone holds its record', () => {
    const app = new SelfHostedApp();
    const stack = new SelfHostedStack(app, 'S');
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
      recordName: 'api',
      endpoints: [{ name: 'a', ipAddress: '192.0.2.1' }, { name: 'b', ipAddress: '192.0.2.2' }],
    });
    const message = synthError(stack);
    expect(message).toContain("record api.example.com A [a]: the gateway names its zone by hosted zone id 'Z0EXAMPLE1234567890'");
    expect(message).toContain("list the zone in the stack's zones (for example { zoneName: 'example.com' })");
  });

  test('fails when a gateway\'s zone is not among the listed zones', () => {
    const { stack } = emdrStack({ zones: [{ zoneName: 'example.net' }] });
    expect(synthError(stack)).toContain("its zone 'example.com' is not one of the zones of this stack (example.net); add { zoneName: 'example.com' } to the stack's zones");
  });

  test('fails when the stack serves no zone', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'Empty');
    expect(synthError(stack)).toContain('the stack serves no zone');
  });

  test('fails when a static record is invalid, naming the config path', () => {
    const { stack } = emdrStack({ zones: [{ zoneName: 'example.com', records: [{ recordName: 'www', recordType: SelfHostedRecordType.A, values: ['not-an-address'] }] }] });
    expect(synthError(stack)).toContain("config.json/zones/0/records/0/values/0: 'not-an-address' is not an IPv4 address");
  });
});

describe('what the self-hosted target relaxes', () => {
  function relaxed(options: Record<string, unknown>, checkers?: SelfHostedStackProps['checkers']): BundleConfig {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'R', { checkers });
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'r',
      healthCheck: options,
      endpoints: [{ name: 'a', ipAddress: '127.0.0.1' }, { name: 'b', ipAddress: '10.1.2.3' }],
    });
    return synthConfig(stack).config;
  }

  test('intervals down to 100 ms, probe timeouts, loopback and private addresses', () => {
    const config = relaxed({
      protocol: HealthCheckProtocol.HTTP,
      searchString: 'OK',
      requestInterval: Duration.millis(100),
      timeouts: { connect: Duration.millis(100), status: Duration.millis(250), body: Duration.millis(300) },
    });
    expect(config.healthChecks[0].config).toMatchObject({
      type: 'HTTP_STR_MATCH', ipAddress: '127.0.0.1', requestInterval: 0.1, connectTimeout: 0.1, statusTimeout: 0.25, bodyTimeout: 0.3,
    });
    expect(config.healthChecks[1].config.ipAddress).toBe('10.1.2.3');
  });

  test('disabled health checks and region names of its own', () => {
    const config = relaxed({ disabled: true, inverted: true, regions: ['basement', 'attic'] }, [{ id: 'b1', region: 'basement' }, { id: 'a1', region: 'attic' }]);
    expect(config.healthChecks[0].config).toMatchObject({ disabled: true, inverted: true, regions: ['basement', 'attic'] });
  });

  test('fails for an interval under 100 ms, naming the value', () => {
    expect(() => relaxed({ requestInterval: Duration.millis(50) })).toThrow(/requestInterval 0.05 s is too short; the self-hosted target accepts 0.1 s \(100 ms\) and more/);
  });
});

describe('what the self-hosted target refuses', () => {
  test('fails for a CloudWatch alarm health check, saying what to use instead', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'S');
    expect(() => new HealthCheck(stack, 'Errors', { alarmName: 'api-5xx' })).toThrow(
      /CloudWatch alarm health checks are not available in the self-hosted target; use an HTTP, HTTPS or TCP check, or deploy this gateway to Route 53/,
    );
  });

  test('fails for an alarm on a health check (no CloudWatch here)', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'S');
    expect(() => new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'r',
      alarmOnUnhealthy: true,
      endpoints: [{ name: 'a', ipAddress: '192.0.2.1' }, { name: 'b', ipAddress: '192.0.2.2' }],
    })).toThrow(/the self-hosted target has no CloudWatch alarms/);
  });

  test('fails for a health check probed only from regions without a checker', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'S', { checkers: [{ id: 'home', region: 'home' }] });
    new HealthCheck(stack, 'Check', { ipAddress: '192.0.2.1', regions: [HealthCheckRegion.US_EAST_1, HealthCheckRegion.EU_WEST_1, HealthCheckRegion.SA_EAST_1] });
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'r',
      endpoints: [{ name: 'a', ipAddress: '192.0.2.1' }, { name: 'b', ipAddress: '192.0.2.2' }],
    });
    expect(synthError(stack)).toContain("health check 'Check': it is probed only from regions us-east-1, eu-west-1, sa-east-1, where no checker of this stack runs (checkers run in home)");
  });

  test('fails for values only known at deployment (tokens)', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'S');
    const address = Lazy.string({ produce: () => '192.0.2.1' });
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'r',
      endpoints: [{ name: 'a', ipAddress: address }, { name: 'b', ipAddress: '192.0.2.2' }],
    });
    const message = synthError(stack);
    expect(message).toMatch(/health check 'G\/a\/HealthCheck': ipAddress \("\$\{Token\[.*\]\}"\): the self-hosted target writes literal values only/);
    expect(message).toMatch(/record r\.example\.com A \[a\]: values/);
  });

  test('fails for a record guarded by a health check that is not in the stack', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'S');
    const external = HealthCheck.fromHealthCheckId(stack, 'Legacy', 'abcdef01-2345-6789-abcd-ef0123456789');
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'r',
      endpoints: [{ name: 'a', ipAddress: '192.0.2.1', healthCheck: EndpointHealthCheck.fromHealthCheck(external) }, { name: 'b', ipAddress: '192.0.2.2' }],
    });
    expect(synthError(stack)).toContain("health check 'abcdef01-2345-6789-abcd-ef0123456789' is not defined in /healthChecks");
  });

  test.each<[string, SelfHostedStackProps, RegExp]>([
    ['a healthy fraction of 1', { healthyFraction: 1 }, /healthyFraction 1 is out of range; use a fraction from 0 up to \(not including\) 1/],
    ['no DNS node', { dnsNodes: [] }, /dnsNodes is empty; give at least one DNS node/],
    ['no checker', { checkers: [] }, /checkers is empty; give at least one checker/],
    ['two checkers with one id', { checkers: [{ id: 'a', region: 'x' }, { id: 'a', region: 'y' }] }, /checker id 'a' is used twice/],
    ['a node id with a space', { dnsNodes: [{ id: 'node one' }] }, /DNS node id 'node one' is not valid/],
    ['a checker region with a space', { checkers: [{ id: 'a', region: 'eu west' }] }, /checker 'a': region 'eu west' is not valid/],
    ['an address without a port', { dnsNodes: [{ id: 'a', dnsAddress: '192.0.2.1' }] }, /DNS node 'a': dnsAddress '192.0.2.1' is not host:port; write for example 127.0.0.1:5353/],
    ['a zone listed twice', { zones: [{ zoneName: 'example.com' }, { zoneName: 'EXAMPLE.com.' }] }, /zone 'example.com' is listed twice/],
    ['a hostmaster with a dot before the @', { zones: [{ zoneName: 'example.com', hostmaster: 'dns.admin@example.com' }] }, /hostmaster 'dns.admin@example.com' has a dot before the @/],
    ['a zone without name servers', { zones: [{ zoneName: 'example.com', nameServers: [] }] }, /zone 'example.com': nameServers is empty/],
    ['a TTL in fractions of a second', { zones: [{ zoneName: 'example.com', soaTtl: Duration.millis(1500) }] }, /zone 'example.com': soaTtl is 1.5 s; give whole seconds/],
  ])('fails for %s', (_, props, message) => {
    expect(() => new SelfHostedStack(new SelfHostedApp(), 'S', props)).toThrow(message);
  });
});

describe('warnings', () => {
  test('are kept on the constructs and listed in the bundle README', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'W');
    const single = new WeightedFailoverGateway(stack, 'Single', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'one',
      endpoints: [{ name: 'only', ipAddress: '192.0.2.1' }],
    });
    expect(single.node.metadata.map((m) => m.data)).toEqual([expect.stringContaining('has a single endpoint, so there is nothing to fail over to')]);
    const { dir } = synthConfig(stack);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('## Warnings at synthesis');
    expect(readme).toContain('W/Single: one.example.com A has a single endpoint');
  });
});

describe('admin addresses others can reach', () => {
  test('warn at synth: every interface, a public address, a host name; loopback and private ones do not', () => {
    const stack = new SelfHostedStack(new SelfHostedApp(), 'A', {
      dnsNodes: [
        { id: 'any', adminAddress: '0.0.0.0:8053' },
        { id: 'public', adminAddress: '203.0.113.5:8053' },
        { id: 'named', adminAddress: 'admin.example.com:8053' },
        { id: 'v6-public', adminAddress: '[2001:db8::1]:8053' },
        { id: 'private', adminAddress: '10.1.2.3:8053' },
        { id: 'v6-ula', adminAddress: '[fd00::1]:8053' },
        { id: 'loop', adminAddress: '127.0.0.1:8054' },
      ],
    });
    new WeightedFailoverGateway(stack, 'G', {
      zone: GatewayZone.fromZoneName('example.com'),
      recordName: 'g',
      endpoints: [{ name: 'a', ipAddress: '10.0.0.1' }, { name: 'b', ipAddress: '10.0.0.2' }],
    });
    const synthesis = stack._synthesize();
    const admin = synthesis.warnings.filter((w) => w.includes('adminAddress'));
    expect(admin).toEqual([
      "A: DNS node 'any': adminAddress '0.0.0.0:8053' listens on every interface, public ones included; put the admin API on a loopback or private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) that only the checkers reach, or firewall its port to them",
      expect.stringMatching(/^A: DNS node 'public': adminAddress '203\.0\.113\.5:8053' is a public address: anyone on the internet can reach the admin API; put the admin API on/),
      expect.stringMatching(/^A: DNS node 'named': adminAddress 'admin\.example\.com:8053' is a host name, so whether it is private cannot be told at synth; put/),
      expect.stringMatching(/^A: DNS node 'v6-public': adminAddress '\[2001:db8::1\]:8053' is a public address/),
    ]);
    const { dir } = synthConfig(stack);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain("- A: DNS node 'any': adminAddress '0.0.0.0:8053' listens on every interface");
  });
});

describe('constructs work unchanged', () => {
  test('a gateway declared for Route 53 synthesizes here too (EMDR of examples/emdr-cdk)', () => {
    class Emdr extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new WeightedFailoverGateway(this, 'Emdr', {
          zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
          recordName: 'emdr',
          healthCheck: { protocol: HealthCheckProtocol.HTTP, resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 },
          endpoints: [
            { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
            { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
          ],
        });
      }
    }
    const stack = new SelfHostedStack(new SelfHostedApp(), 'Site', { zones: [{ zoneName: 'example.com' }] });
    new Emdr(stack, 'Part');
    const { config } = synthConfig(stack);
    expect(config.healthChecks.map((h) => h.id)).toEqual(['Part/Emdr/gw-isp-a/HealthCheck', 'Part/Emdr/gw-isp-b/HealthCheck']);
    // Route 53's default interval: freshness 3 x 30 s.
    expect(config.verdict?.freshnessMs).toBe(90000);
  });
});
