import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import {
  bundleSchema,
  bundleToModel,
  BundleConfigError,
  BundleProblem,
  checkBundleConfig,
  parseBundleConfig,
  parseRecordValue,
  parseTxtValue,
  readBundleConfigFile,
  SELF_HOSTED_CAPABILITIES,
  GROUP_RECORD_TYPES,
  STATIC_RECORD_TYPES,
} from '../../lib/bundle';
import {
  FAILOVER_ROLES,
  HEALTH_CHECK_TYPES,
  HEALTHY_FRACTION_RANGE,
  INSUFFICIENT_DATA_HEALTH_STATUSES,
  RECORD_TYPES,
  SET_IDENTIFIER_LENGTH,
  TTL_RANGE,
  WEIGHT_RANGE,
} from '../../lib/model';
import { sampleConfig } from '../dns/helpers';

/** A deep copy as plain JSON, editable by the test. */
function json(): any {
  return JSON.parse(JSON.stringify(sampleConfig()));
}

/** A problem as its path, rendered message and rule (the problem and fix fields are checked where they matter). */
const shown = (p: BundleProblem) => ({ path: p.path, message: p.message, ...(p.rule !== undefined ? { rule: p.rule } : {}) });

function errorsOf(value: unknown): Array<{ path: string; message: string; rule?: string }> {
  return checkBundleConfig(value).errors.map(shown);
}

describe('bundle config schema', () => {
  test('is a valid draft 2020-12 schema that ajv compiles in strict mode', () => {
    const schema = bundleSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(json())).toBe(true);
    expect(validate({ ...json(), extra: 1 })).toBe(false);
  });

  test('the sample config parses, keeps its content and yields no warnings', () => {
    const result = checkBundleConfig(json());
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(parseBundleConfig(json()).zones[0].name).toBe('example.com');
  });

  test('the self-hosted capabilities are those of the self-hosted target', () => {
    expect(SELF_HOSTED_CAPABILITIES).toMatchObject({
      route53Limits: false, disabledHealthChecks: true, cloudWatchAlarmChecks: false, recoveryControlChecks: false,
    });
  });
});

describe('the schema\'s limits are Route 53\'s facts (lib/model/facts.ts)', () => {
  const schema = bundleSchema() as any;
  const defs = schema.$defs;
  const record = defs.recordSet.properties;
  const check = defs.healthCheck.properties.config.properties;

  test('weight, set identifier and TTL ranges', () => {
    expect([record.weight.minimum, record.weight.maximum]).toEqual([WEIGHT_RANGE.min, WEIGHT_RANGE.max]);
    expect([record.setIdentifier.minLength, record.setIdentifier.maxLength]).toEqual([SET_IDENTIFIER_LENGTH.min, SET_IDENTIFIER_LENGTH.max]);
    expect([defs.ttl.minimum, defs.ttl.maximum]).toEqual([TTL_RANGE.min, TTL_RANGE.max]);
  });

  test('the healthy fraction\'s range', () => {
    const f = schema.properties.verdict.properties.healthyFraction;
    expect([f.minimum, f.exclusiveMaximum]).toEqual([HEALTHY_FRACTION_RANGE.min, HEALTHY_FRACTION_RANGE.maxExclusive]);
  });

  test('the health check types, failover roles and insufficient-data statuses', () => {
    expect(check.type.enum).toEqual([...HEALTH_CHECK_TYPES]);
    expect(record.failover.enum).toEqual([...FAILOVER_ROLES]);
    expect(check.insufficientDataHealthStatus.enum).toEqual([...INSUFFICIENT_DATA_HEALTH_STATUSES]);
  });

  test('the record types are the ones the server serves, all of them Route 53 record types', () => {
    expect(record.recordType.enum).toEqual([...GROUP_RECORD_TYPES]);
    expect(defs.staticRecord.properties.recordType.enum).toEqual([...STATIC_RECORD_TYPES]);
    for (const t of [...GROUP_RECORD_TYPES, ...STATIC_RECORD_TYPES]) expect(RECORD_TYPES).toContain(t);
  });
});

describe('bundle config errors name the path and the value', () => {
  test('fails without a version, with the fix', () => {
    const c = json();
    delete c.version;
    expect(errorsOf(c)).toEqual([{ path: '/version', message: expect.stringContaining('add "version": 1') }]);
  });

  test('fails on a future version, naming it', () => {
    expect(errorsOf({ ...json(), version: 2 })[0]).toEqual({ path: '/version', message: expect.stringContaining('version 2 is not supported by this build, which reads version 1') });
  });

  test('fails on a non-object', () => {
    expect(errorsOf([1, 2])[0].message).toContain('a bundle config is a JSON object, got [1,2]');
  });

  test('fails on an unknown top-level property (no placeholders allowed)', () => {
    expect(errorsOf({ ...json(), reportAuth: { secret: 'x' } })).toEqual([{ path: '', message: expect.stringContaining("unknown property 'reportAuth'") }]);
  });

  test('fails on a wrong type, with path and value', () => {
    const c = json();
    c.zones[0].soa.serial = 'abc';
    expect(errorsOf(c)).toEqual([{ path: '/zones/0/soa/serial', message: 'must be integer, got "abc"' }]);
  });

  test('fails on a missing property', () => {
    const c = json();
    delete c.zones[0].nameServers;
    expect(errorsOf(c)).toContainEqual({ path: '/zones/0', message: "the required property 'nameServers' is missing; add it" });
  });

  test('fails on a static record type the server does not serve, listing the allowed ones', () => {
    const c = json();
    c.zones[0].records[0].recordType = 'SRV';
    expect(errorsOf(c)).toContainEqual({ path: '/zones/0/records/0/recordType', message: 'got "SRV"; use one of "A", "AAAA", "CNAME", "TXT", "MX"' });
  });

  test('fails on an out-of-range healthy fraction', () => {
    const c = json();
    c.verdict.healthyFraction = 1;
    expect(errorsOf(c)).toContainEqual({ path: '/verdict/healthyFraction', message: 'must be < 1, got 1' });
  });

  test('fails on a DNS node address that is not host:port', () => {
    const c = json();
    c.dnsNodes[0].dns = 'localhost';
    expect(errorsOf(c)[0].path).toBe('/dnsNodes/0/dns');
    expect(errorsOf(c)[0].message).toContain('write host:port');
    c.dnsNodes[0].dns = '127.0.0.1:70000';
    expect(errorsOf(c)).toEqual([{ path: '/dnsNodes/0/dns', message: "port 70000 in '127.0.0.1:70000' is out of range; use 1 to 65535" }]);
  });

  test('fails on a record outside its zone', () => {
    const c = json();
    c.zones[0].records[0].name = 'ns1.example.org';
    expect(errorsOf(c)).toContainEqual({ path: '/zones/0/records/0/name', message: expect.stringContaining("record name 'ns1.example.org' is outside zone 'example.com'") });
  });

  test('fails on a bad address value, naming it', () => {
    const c = json();
    c.zones[0].records[0].values = ['192.0.2.300'];
    expect(errorsOf(c)).toContainEqual({ path: '/zones/0/records/0/values/0', message: expect.stringContaining("'192.0.2.300' is not an IPv4 address") });
  });

  test('fails on a malformed MX and an unterminated TXT', () => {
    const c = json();
    const mx = c.zones[0].records.findIndex((r: any) => r.recordType === 'MX');
    const txt = c.zones[0].records.findIndex((r: any) => r.recordType === 'TXT');
    c.zones[0].records[mx].values = ['mail.example.com'];
    c.zones[0].records[txt].values = ['"open'];
    const errors = errorsOf(c);
    expect(errors).toContainEqual({ path: `/zones/0/records/${mx}/values/0`, message: expect.stringContaining("write it as, for example, '10 mail.example.com'") });
    expect(errors).toContainEqual({ path: `/zones/0/records/${txt}/values/0`, message: expect.stringContaining('unterminated quoted string') });
  });

  test('fails on a CNAME at the apex', () => {
    const c = json();
    c.zones[0].records.push({ name: 'example.com', recordType: 'CNAME', ttl: 60, values: ['www.example.com'] });
    expect(errorsOf(c)).toContainEqual({ path: `/zones/0/records/${c.zones[0].records.length - 1}/recordType`, message: expect.stringContaining('conflict with its SOA and NS') });
  });

  test('fails on wildcard names, which the server does not serve yet', () => {
    const c = json();
    c.zones[0].records[0].name = '*.example.com';
    expect(errorsOf(c)).toContainEqual({ path: '/zones/0/records/0/name', message: expect.stringContaining('wildcard') });
  });

  test('fails on duplicate zones and duplicate checker ids', () => {
    const c = json();
    c.zones.push({ ...c.zones[0], records: [] });
    c.checkers.push({ id: 'c1', region: 'x' });
    const errors = errorsOf(c);
    expect(errors).toContainEqual({ path: '/zones/1/name', message: "zone 'example.com' is also defined at /zones/0; define each zone once" });
    expect(errors).toContainEqual({ path: '/checkers/3/id', message: "id 'c1' is also used at /checkers/0; give each its own id" });
  });

  test('fails on a record set without a routing policy, pointing to the static records', () => {
    const c = json();
    delete c.recordSets[0].weight;
    delete c.recordSets[1].weight;
    expect(errorsOf(c)).toContainEqual({ path: '/recordSets/0', message: expect.stringContaining('has no routing policy') });
  });

  test('fails on a record set in no configured zone, and on a hosted zone name that is not configured', () => {
    const c = json();
    c.recordSets[0].name = 'emdr.example.org';
    c.recordSets[1].hostedZoneName = 'example.net';
    const errors = errorsOf(c);
    expect(errors).toContainEqual({ path: '/recordSets/0/name', message: expect.stringContaining('is in none of the configured zones (example.com)') });
    expect(errors).toContainEqual({ path: '/recordSets/1/hostedZoneName', message: expect.stringContaining("zone 'example.net' is not one of the configured zones") });
  });

  test('fails on a reference to an unknown health check', () => {
    const c = json();
    c.recordSets[0].healthCheckId = 'gw-x';
    expect(errorsOf(c)).toContainEqual({ path: '/recordSets/0/healthCheckId', message: "health check 'gw-x' is not defined in /healthChecks; add it or fix the id" });
  });

  test('runs the model rules with the self-hosted capabilities (CloudWatch refused, path and rule given)', () => {
    const c = json();
    c.healthChecks.push({ id: 'alarm', config: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'a', region: 'us-east-1' }, insufficientDataHealthStatus: 'Healthy' } });
    expect(errorsOf(c)).toContainEqual({
      path: `/healthChecks/${c.healthChecks.length - 1}`,
      message: expect.stringContaining('CloudWatch alarm health checks are not available in the self-hosted target'),
      rule: 'health-check/unsupported',
    });
  });

  test('runs the model group rules (a failover group needs one PRIMARY and one SECONDARY)', () => {
    const c = json();
    c.recordSets[3].failover = 'PRIMARY';
    expect(errorsOf(c)).toContainEqual(expect.objectContaining({ path: '/recordSets/2', rule: 'group/failover-pair' }));
  });

  test('allows what only the self-hosted target allows: short intervals, private addresses, disabled checks', () => {
    const c = json();
    c.healthChecks[0].config.requestInterval = 0.5;
    c.healthChecks[0].config.ipAddress = '10.0.0.1';
    c.healthChecks[1].config.disabled = true;
    expect(errorsOf(c)).toEqual([]);
  });

  test('warns about a health check region no checker runs in, and about TTLs above 60 s', () => {
    const c = json();
    c.healthChecks[0].config.regions = ['sa-east-1'];
    c.recordSets[0].ttl = 300;
    c.recordSets[1].ttl = 300;
    const result = checkBundleConfig(c);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(shown)).toContainEqual({ path: '/healthChecks/0/config/regions/0', message: expect.stringContaining("no configured checker runs in region 'sa-east-1'") });
    // The fix is a field of its own, and the message is the problem and the fix.
    const region = result.warnings.find((w) => w.path === '/healthChecks/0/config/regions/0')!;
    expect(region.fix).toBe('add a checker there or remove the region');
    expect(region.message).toBe(`${region.problem}; ${region.fix}`);
    expect(result.warnings).toContainEqual(expect.objectContaining({ rule: 'group/ttl-above-60' }));
  });

  test('parseBundleConfig throws a BundleConfigError listing every problem', () => {
    const c = json();
    c.zones[0].soa.serial = -1;
    c.dnsNodes[0].admin = 'nope';
    let error: unknown;
    try {
      parseBundleConfig(c);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BundleConfigError);
    expect((error as BundleConfigError).problems).toHaveLength(2);
    expect((error as Error).message).toMatch(/^the bundle config is invalid:\n {2}\/zones\/0\/soa\/serial: must be >= 0, got -1\n {2}\/dnsNodes\/0\/admin: got "nope"/);
  });

  test('readBundleConfigFile names the file for unreadable and non-JSON input', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(readBundleConfigFile(bad).errors[0].message).toContain(`${bad} is not valid JSON`);
    expect(readBundleConfigFile(path.join(dir, 'missing.json')).errors[0].message).toContain('cannot read');
  });
});

describe('bundleToModel', () => {
  test('gives the failover groups with their zone, and the static records as simple records', () => {
    const model = bundleToModel(parseBundleConfig(json()));
    expect(model.healthChecks.map((h) => h.id)).toContain('gw-a');
    const emdr = model.recordSets.filter((r) => r.name === 'emdr.example.com');
    expect(emdr).toEqual([
      expect.objectContaining({ hostedZoneName: 'example.com', recordType: 'A', weight: 50, setIdentifier: 'gw-a', healthCheckId: 'gw-a', ttl: 60, values: ['192.0.2.10'] }),
      expect.objectContaining({ hostedZoneName: 'example.com', weight: 50, setIdentifier: 'gw-b' }),
    ]);
    expect(model.recordSets).toContainEqual({ hostedZoneName: 'example.com', name: 'www.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.80', '192.0.2.81'] });
  });

  test('normalizes names (case, trailing dot) into the model spelling', () => {
    const c = json();
    c.recordSets[0].name = 'EMDR.Example.com.';
    c.recordSets[1].name = 'emdr.example.com.';
    const model = bundleToModel(parseBundleConfig(c));
    expect(model.recordSets.filter((r) => r.name === 'emdr.example.com')).toHaveLength(2);
  });

  test('the longest configured zone holds a record', () => {
    const c = json();
    c.zones.push({ name: 'sub.example.com', soa: { mname: 'ns1.example.com', rname: 'h.example.com', serial: 1 }, nameServers: ['ns1.example.com'], records: [] });
    c.zones[0].records = c.zones[0].records.filter((r: any) => !r.name.endsWith('sub.example.com'));
    c.recordSets[0].name = 'x.sub.example.com';
    c.recordSets[1].name = 'x.sub.example.com';
    const model = bundleToModel(parseBundleConfig(c));
    expect(model.recordSets.find((r) => r.name === 'x.sub.example.com')?.hostedZoneName).toBe('sub.example.com');
  });
});

describe('record values', () => {
  test('TXT: quoted strings with escapes, several strings, and unquoted text split at 255 octets', () => {
    expect(parseTxtValue('"a b" "c\\"d" "\\101\\\\"')).toEqual({ strings: [Buffer.from('a b'), Buffer.from('c"d'), Buffer.from('A\\')] });
    const long = 'y'.repeat(300);
    expect(parseTxtValue(long)).toEqual({ strings: [Buffer.from('y'.repeat(255)), Buffer.from('y'.repeat(45))] });
    expect(parseTxtValue(`"${long}"`)).toEqual({ problem: expect.stringContaining('a quoted string of 300 octets'), fix: expect.stringContaining('at most 255') });
    expect(parseTxtValue('"a" b')).toEqual({ problem: expect.stringContaining('text outside double quotes at character 5'), fix: expect.stringContaining('quote every string') });
  });

  test('MX: preference and exchange', () => {
    expect(parseRecordValue('MX', '10 Mail.Example.com.')).toEqual({ ok: true, value: { kind: 'MX', preference: 10, exchange: 'mail.example.com' } });
    expect(parseRecordValue('MX', '70000 mail.example.com')).toEqual({ ok: false, problem: expect.stringContaining('above 65535'), fix: 'use a preference from 0 to 65535' });
  });

  test('AAAA and CNAME', () => {
    expect(parseRecordValue('AAAA', '2001:db8::1').ok).toBe(true);
    expect(parseRecordValue('AAAA', '192.0.2.1')).toEqual({ ok: false, problem: "'192.0.2.1' is not an IPv6 address", fix: expect.stringContaining('2001:db8::10') });
    expect(parseRecordValue('CNAME', 'bad..name')).toEqual({ ok: false, problem: expect.stringContaining('empty label'), fix: expect.stringContaining('host name') });
  });
});
