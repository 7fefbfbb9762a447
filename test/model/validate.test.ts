import {
  assertValid,
  Finding,
  HealthCheckConfigModel,
  HealthCheckModel,
  RecordSetModel,
  TargetCapabilities,
  validateGroup,
  validateHealthCheck,
  validateModel,
  validateRecordSet,
  groupRecords,
  failoverWarnings,
} from '../../lib/model';

const ROUTE53: TargetCapabilities = { name: 'CloudFormation', route53Limits: true, disabledHealthChecks: false, cloudWatchAlarmChecks: true, recoveryControlChecks: true };
const TERRAFORM: TargetCapabilities = { ...ROUTE53, name: 'Terraform', disabledHealthChecks: true };
const SELF_HOSTED: TargetCapabilities = { name: 'the self-hosted target', route53Limits: false, disabledHealthChecks: true, cloudWatchAlarmChecks: false, recoveryControlChecks: false };

const http: HealthCheckConfigModel = { type: 'HTTP', ipAddress: '203.0.113.10', port: 80, resourcePath: '/status', requestInterval: 30, failureThreshold: 3 };
const hc = (config: Partial<HealthCheckConfigModel>, base: HealthCheckConfigModel = http): HealthCheckModel => ({ id: 'Gw/a/HealthCheck', config: { ...base, ...config } as HealthCheckConfigModel });
const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
const rules = (findings: Finding[]) => errors(findings).map((f) => f.rule);

describe('health check rules (ROUTE53.md §1)', () => {
  test('a plain HTTP check is valid for Route 53', () => {
    expect(validateHealthCheck(hc({}), ROUTE53)).toEqual([]);
  });

  test.each<[string, Partial<HealthCheckConfigModel>, string, RegExp]>([
    ['interval 15 s', { requestInterval: 15 }, 'health-check/request-interval', /requestInterval 15 s .* use 10 or 30 seconds/],
    ['interval 5 s', { requestInterval: 5 }, 'health-check/request-interval', /requestInterval 5 s/],
    ['threshold 0', { failureThreshold: 0 }, 'health-check/failure-threshold', /failureThreshold 0 is out of range; use a whole number from 1 to 10/],
    ['threshold 11', { failureThreshold: 11 }, 'health-check/failure-threshold', /failureThreshold 11/],
    ['threshold 2.5', { failureThreshold: 2.5 }, 'health-check/failure-threshold', /failureThreshold 2.5/],
    ['port 0', { port: 0 }, 'health-check/port', /port 0 is out of range/],
    ['port 65536', { port: 65536 }, 'health-check/port', /port 65536/],
    ['no address', { ipAddress: undefined }, 'health-check/address', /needs an IP address or a fully qualified domain name/],
    ['bad ip', { ipAddress: '203.0.113' }, 'health-check/ip-address', /ipAddress '203.0.113' is not an IPv4 or IPv6 address/],
    ['private ip', { ipAddress: '10.1.2.3' }, 'health-check/private-address', /ipAddress 10.1.2.3 is a private \(RFC 1918\) address/],
    ['loopback ip', { ipAddress: '127.0.0.1' }, 'health-check/private-address', /loopback/],
    ['link-local ip', { ipAddress: '169.254.1.1' }, 'health-check/private-address', /link-local/],
    ['multicast ip', { ipAddress: '239.1.1.1' }, 'health-check/private-address', /multicast/],
    ['shared address space', { ipAddress: '100.64.0.1' }, 'health-check/private-address', /RFC 6598/],
    ['ipv6 unique local', { ipAddress: 'fd00::1' }, 'health-check/private-address', /unique local/],
    ['ipv6 loopback', { ipAddress: '::1' }, 'health-check/private-address', /loopback/],
    ['bad fqdn', { fullyQualifiedDomainName: 'a..example.com' }, 'health-check/fqdn', /not a valid domain name: it has an empty label/],
    ['path too long', { resourcePath: '/' + 'a'.repeat(255) }, 'health-check/resource-path', /resourcePath has 256 characters/],
    ['search string on HTTP', { searchString: 'ok' }, 'health-check/field-not-allowed', /searchString is set \("ok"\) but type HTTP does not match strings \(use HTTP_STR_MATCH\)/],
    ['str match without string', { type: 'HTTP_STR_MATCH' }, 'health-check/search-string', /needs a searchString/],
    ['search string too long', { type: 'HTTP_STR_MATCH', searchString: 'x'.repeat(256) }, 'health-check/search-string', /searchString has 256 characters; Route 53 accepts at most 255/],
    ['SNI on HTTP', { enableSni: true }, 'health-check/field-not-allowed', /SNI applies to HTTPS health checks only/],
    ['two regions', { regions: ['us-east-1', 'eu-west-1'] }, 'health-check/regions', /2 region\(s\) listed .* needs at least 3/],
    ['unknown region', { regions: ['us-east-1', 'eu-west-1', 'eu-central-1'] }, 'health-check/regions', /region 'eu-central-1' has no Route 53 health checkers/],
    ['duplicate region', { regions: ['us-east-1', 'us-east-1', 'eu-west-1', 'sa-east-1'] }, 'health-check/regions', /listed twice/],
    ['disabled in CloudFormation', { disabled: true }, 'health-check/disabled-unsupported', /CloudFormation cannot express a disabled health check/],
    ['children on HTTP', { childHealthChecks: ['x'] }, 'health-check/field-not-allowed', /only CALCULATED health checks have children/],
    ['unknown type', { type: 'PING' as any }, 'health-check/type', /type 'PING' is not a Route 53 health check type/],
  ])('fails %s', (_name, config, rule, message) => {
    const findings = errors(validateHealthCheck(hc(config), ROUTE53));
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(findings.find((f) => f.rule === rule)!.message).toMatch(message);
    expect(findings[0].resource).toBe("health check 'Gw/a/HealthCheck'");
  });

  test('TCP needs a port and takes no path', () => {
    expect(rules(validateHealthCheck(hc({ type: 'TCP', port: undefined, resourcePath: undefined }), ROUTE53))).toEqual(['health-check/port']);
    expect(rules(validateHealthCheck(hc({ type: 'TCP', port: 22, resourcePath: '/x' }), ROUTE53))).toEqual(['health-check/field-not-allowed']);
    expect(validateHealthCheck(hc({ type: 'TCP', port: 22, resourcePath: undefined }), ROUTE53)).toEqual([]);
  });

  test('HTTPS with SNI and a search string is valid', () => {
    expect(validateHealthCheck(hc({ type: 'HTTPS_STR_MATCH', port: 443, enableSni: true, searchString: 'OK', fullyQualifiedDomainName: 'www.example.com' }), ROUTE53)).toEqual([]);
  });

  test('an FQDN alone is a valid address', () => {
    expect(validateHealthCheck(hc({ ipAddress: undefined, fullyQualifiedDomainName: 'gw1.example.net' }), ROUTE53)).toEqual([]);
  });

  test('documentation and public addresses pass', () => {
    for (const ip of ['203.0.113.10', '198.51.100.20', '192.0.2.1', '8.8.8.8', '2001:db8::1', '2600:1f18::1']) {
      expect(validateHealthCheck(hc({ ipAddress: ip }), ROUTE53)).toEqual([]);
    }
  });

  test('Terraform can express Disabled; CloudFormation cannot', () => {
    expect(validateHealthCheck(hc({ disabled: true, inverted: true }), TERRAFORM)).toEqual([]);
    expect(rules(validateHealthCheck(hc({ disabled: true }), ROUTE53))).toEqual(['health-check/disabled-unsupported']);
  });

  test('the self-hosted target relaxes intervals and addresses but keeps the other rules', () => {
    expect(validateHealthCheck(hc({ requestInterval: 0.1, ipAddress: '127.0.0.1', regions: ['home'] }), SELF_HOSTED)).toEqual([]);
    expect(validateHealthCheck(hc({ requestInterval: 2 }), SELF_HOSTED)).toEqual([]);
    expect(rules(validateHealthCheck(hc({ requestInterval: 0.05 }), SELF_HOSTED))).toEqual(['health-check/request-interval']);
    expect(rules(validateHealthCheck(hc({ failureThreshold: 0 }), SELF_HOSTED))).toEqual(['health-check/failure-threshold']);
  });

  test('fails a CloudWatch alarm check in the self-hosted target', () => {
    const alarm = hc({}, { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'cpu', region: 'us-east-1' }, insufficientDataHealthStatus: 'LastKnownStatus' });
    expect(validateHealthCheck(alarm, ROUTE53)).toEqual([]);
    const findings = errors(validateHealthCheck(alarm, SELF_HOSTED));
    expect(findings.map((f) => f.rule)).toEqual(['health-check/unsupported']);
    expect(findings[0].message).toMatch(/CloudWatch alarm health checks are not available in the self-hosted target/);
  });

  describe('calculated', () => {
    const calc = (c: Partial<HealthCheckConfigModel>) => hc(c, { type: 'CALCULATED', childHealthChecks: ['a', 'b'], healthThreshold: 1 });
    test('valid with children and threshold', () => expect(validateHealthCheck(calc({}), ROUTE53)).toEqual([]));
    test('threshold 0 is valid (always healthy)', () => expect(validateHealthCheck(calc({ healthThreshold: 0 }), ROUTE53)).toEqual([]));
    test('fails threshold 257', () => expect(rules(validateHealthCheck(calc({ healthThreshold: 257 }), ROUTE53))).toEqual(['health-check/health-threshold']));
    test('warns when the threshold exceeds the children', () => {
      const f = validateHealthCheck(calc({ healthThreshold: 3 }), ROUTE53);
      expect(f.map((x) => [x.severity, x.rule])).toEqual([['warning', 'health-check/health-threshold']]);
      expect(f[0].message).toMatch(/always unhealthy/);
    });
    test('warns when the threshold is missing: Route 53 documents no default, and this library reads it as every child', () => {
      const f = validateHealthCheck(hc({}, { type: 'CALCULATED', childHealthChecks: ['a', 'b', 'b'] }), ROUTE53);
      const missing = f.find((x) => x.rule === 'health-check/health-threshold')!;
      expect(missing.severity).toBe('warning');
      // Two distinct children (the duplicate is an error of its own).
      expect(missing.problem).toBe('the CALCULATED health check sets no healthThreshold, whose default Route 53 does not document; this library reads it as all 2 children');
      expect(missing.fix).toBe('write healthThreshold (0..256): how many children must be healthy');
    });
    test('fails 257 children', () => {
      const children = Array.from({ length: 257 }, (_, i) => `c${i}`);
      expect(rules(validateHealthCheck(calc({ childHealthChecks: children }), ROUTE53))).toContain('health-check/children');
    });
    test('fails endpoint fields on a calculated check', () => {
      expect(rules(validateHealthCheck(calc({ ipAddress: '203.0.113.1', requestInterval: 30 }), ROUTE53))).toEqual(['health-check/field-not-allowed', 'health-check/field-not-allowed']);
    });
    test('fails a calculated child of a calculated check', () => {
      const model = {
        healthChecks: [
          { id: 'inner', config: { type: 'CALCULATED', childHealthChecks: [], healthThreshold: 0 } },
          { id: 'outer', config: { type: 'CALCULATED', childHealthChecks: ['inner'], healthThreshold: 1 } },
        ] as HealthCheckModel[],
        recordSets: [],
      };
      const f = errors(validateModel(model, ROUTE53));
      expect(f.map((x) => x.rule)).toEqual(['health-check/calculated-child']);
      expect(f[0].message).toMatch(/child 'inner' is itself a CALCULATED health check/);
    });
  });
});

const record = (r: Partial<RecordSetModel>): RecordSetModel => ({
  hostedZoneId: 'Z1',
  name: 'emdr.example.com',
  recordType: 'A',
  ttl: 60,
  values: ['203.0.113.10'],
  setIdentifier: 'a',
  weight: 1,
  ...r,
});

describe('record set rules (ROUTE53.md §3)', () => {
  test('a weighted record is valid, weight 0 included', () => {
    expect(validateRecordSet(record({}))).toEqual([]);
    expect(validateRecordSet(record({ weight: 0 }))).toEqual([]);
  });

  test.each<[string, Partial<RecordSetModel>, string, RegExp]>([
    ['weight 256', { weight: 256 }, 'record/weight', /weight 256 is out of range; use a whole number from 0 to 255/],
    ['weight -1', { weight: -1 }, 'record/weight', /weight -1/],
    ['weight 1.5', { weight: 1.5 }, 'record/weight', /weight 1.5/],
    ['no set identifier', { setIdentifier: undefined }, 'record/set-identifier', /a weighted record needs a set identifier/],
    ['set identifier of 129 characters', { setIdentifier: 'x'.repeat(129) }, 'record/set-identifier', /has 129 characters; use 1 to 128/],
    ['no TTL', { ttl: undefined }, 'record/ttl', /no TTL/],
    ['negative TTL', { ttl: -1 }, 'record/ttl', /TTL -1 is out of range/],
    ['A with a host name', { values: ['gw.example.net'] }, 'record/value', /'gw.example.net' is not an IPv4 address/],
    ['AAAA with IPv4', { recordType: 'AAAA', values: ['203.0.113.1'] }, 'record/value', /not an IPv6 address/],
    ['two values in a weighted record', { values: ['203.0.113.1', '203.0.113.2'] }, 'record/value', /a weighted record holds one value, got 2/],
    ['two policies', { failover: 'PRIMARY' }, 'record/policy', /sets weight and failover; a record has one routing policy/],
    ['multivalue CNAME', { weight: undefined, multiValueAnswer: true, recordType: 'CNAME', values: ['gw.example.net'] }, 'record/multivalue-cname', /multivalue answer routing does not accept CNAME/],
    ['bad name', { name: 'emdr..example.com' }, 'record/name', /record name 'emdr..example.com' is not a valid DNS name/],
    ['label too long', { name: `${'a'.repeat(64)}.example.com` }, 'record/name', /has 64 characters, the limit is 63/],
    ['no zone', { hostedZoneId: undefined }, 'record/zone', /no hosted zone/],
    ['failover role', { weight: undefined, failover: 'TERTIARY' as any }, 'record/failover', /'TERTIARY' is not PRIMARY or SECONDARY/],
    ['set identifier without policy', { weight: undefined }, 'record/set-identifier', /no routing policy/],
  ])('fails %s', (_name, r, rule, message) => {
    const findings = errors(validateRecordSet(record(r)));
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(findings.find((f) => f.rule === rule)!.message).toMatch(message);
  });
});

describe('group rules (ROUTE53.md §3)', () => {
  const group = (records: RecordSetModel[]) => {
    const groups = groupRecords(records);
    expect(groups).toHaveLength(1);
    return groups[0];
  };

  test('fails duplicate set identifiers', () => {
    const f = errors(validateGroup(group([record({ setIdentifier: 'a' }), record({ setIdentifier: 'a' })])));
    expect(f.map((x) => x.rule)).toEqual(['group/set-identifier-unique']);
    expect(f[0].message).toMatch(/set identifier 'a' is used by 2 records/);
  });

  test('fails mixed policies', () => {
    const f = errors(validateGroup(group([record({ setIdentifier: 'a' }), record({ setIdentifier: 'b', weight: undefined, failover: 'PRIMARY' })])));
    expect(f.map((x) => x.rule)).toEqual(['group/mixed-policy']);
    expect(f[0].message).toMatch(/several routing policies \(weighted, failover\)/);
  });

  test('fails mixed TTLs', () => {
    const f = errors(validateGroup(group([record({ setIdentifier: 'a', ttl: 60 }), record({ setIdentifier: 'b', ttl: 300 })])));
    expect(f.map((x) => x.rule)).toEqual(['group/mixed-ttl']);
    expect(f[0].message).toMatch(/different TTLs \(60, 300 s\)/);
  });

  test('fails more than 100 weighted records', () => {
    const records = Array.from({ length: 101 }, (_, i) => record({ setIdentifier: `m${i}`, values: [`203.0.113.${i}`] }));
    expect(rules(validateGroup(group(records)))).toEqual(['group/weighted-limit']);
    expect(validateGroup(group(records.slice(0, 100)))).toEqual([]);
  });

  test('fails two primaries', () => {
    const failover = (id: string, role: 'PRIMARY' | 'SECONDARY') => record({ setIdentifier: id, weight: undefined, failover: role });
    const f = errors(validateGroup(group([failover('a', 'PRIMARY'), failover('b', 'PRIMARY'), failover('c', 'SECONDARY')])));
    expect(f.map((x) => x.rule)).toEqual(['group/failover-pair']);
    expect(f[0].message).toMatch(/exactly one PRIMARY and one SECONDARY record; found 2 primary \('a', 'b'\) and 1 secondary \('c'\)/);
  });

  test('fails a primary without a secondary', () => {
    const f = errors(validateGroup(group([record({ setIdentifier: 'a', weight: undefined, failover: 'PRIMARY' })])));
    expect(f[0].message).toMatch(/found 1 primary \('a'\) and 0 secondary \(none\)/);
  });

  test('fails two simple records for one name', () => {
    const simple = record({ setIdentifier: undefined, weight: undefined });
    expect(rules(validateGroup(group([simple, { ...simple, values: ['203.0.113.2'] }])))).toEqual(['group/duplicate']);
  });

  test('fails a CNAME sharing its name with an A record', () => {
    const model = {
      healthChecks: [],
      recordSets: [
        record({ recordType: 'CNAME', values: ['gw.example.net'], setIdentifier: 'a' }),
        record({ recordType: 'A', setIdentifier: 'b' }),
      ],
    };
    const f = errors(validateModel(model, ROUTE53));
    expect(f.map((x) => x.rule)).toEqual(['group/cname-exclusive']);
    expect(f[0].message).toMatch(/emdr.example.com has a CNAME and also A records/);
  });

  test('records of different zones or names are different groups', () => {
    expect(groupRecords([record({}), record({ hostedZoneId: 'Z2' }), record({ name: 'other.example.com' }), record({ recordType: 'AAAA', values: ['2001:db8::1'] })])).toHaveLength(4);
    // Names compare without case and trailing dot.
    expect(groupRecords([record({}), record({ name: 'EMDR.example.com.', setIdentifier: 'b' })])).toHaveLength(1);
  });

  test('failover warnings: TTL above 60, single endpoint, member without check', () => {
    const w = failoverWarnings(group([record({ ttl: 300, healthCheckId: undefined })]));
    expect(w.map((x) => [x.severity, x.rule])).toEqual([
      ['warning', 'group/ttl-above-60'],
      ['warning', 'group/single-endpoint'],
      ['warning', 'group/member-without-check'],
    ]);
    expect(failoverWarnings(group([record({ healthCheckId: 'x' }), record({ setIdentifier: 'b', healthCheckId: 'y' })]))).toEqual([]);
  });

  test('unresolved values (tokens) are let through', () => {
    expect(validateRecordSet(record({ values: ['${Token[TOKEN.12]}'], ttl: 60 }))).toEqual([]);
    expect(validateHealthCheck(hc({ ipAddress: '${TfToken[TOKEN.3]}' }), ROUTE53)).toEqual([]);
  });
});

describe('probe timeouts (self-hosted only)', () => {
  test('fails timeouts in a Route 53 target', () => {
    const f = errors(validateHealthCheck(hc({ connectTimeout: 1 }), ROUTE53));
    expect(f.map((x) => x.rule)).toEqual(['health-check/timeout']);
    expect(f[0].message).toMatch(/connectTimeout 1 s is set, but Route 53's probe timeouts are fixed/);
  });
  test('the self-hosted target accepts 100 ms and up', () => {
    expect(validateHealthCheck(hc({ connectTimeout: 0.1, statusTimeout: 0.2 }), SELF_HOSTED)).toEqual([]);
    expect(validateHealthCheck(hc({ type: 'HTTP_STR_MATCH', searchString: 'ok', bodyTimeout: 0.3 }), SELF_HOSTED)).toEqual([]);
    expect(rules(validateHealthCheck(hc({ connectTimeout: 0.05 }), SELF_HOSTED))).toEqual(['health-check/timeout']);
  });
  test('fails a body timeout without a search string and a status timeout on TCP', () => {
    expect(rules(validateHealthCheck(hc({ bodyTimeout: 1 }), SELF_HOSTED))).toEqual(['health-check/field-not-allowed']);
    expect(rules(validateHealthCheck(hc({ type: 'TCP', port: 22, resourcePath: undefined, statusTimeout: 1 }), SELF_HOSTED))).toEqual(['health-check/field-not-allowed']);
  });
});

describe('findings are data: subject, problem and fix as fields, text rendered from them', () => {
  test('a health check finding', () => {
    const [f] = validateHealthCheck(hc({ failureThreshold: 11 }), ROUTE53);
    expect(f).toEqual({
      severity: 'error',
      rule: 'health-check/failure-threshold',
      subject: { kind: 'health-check', id: 'Gw/a/HealthCheck' },
      problem: 'failureThreshold 11 is out of range',
      fix: 'use a whole number from 1 to 10',
      resource: "health check 'Gw/a/HealthCheck'",
      message: 'failureThreshold 11 is out of range; use a whole number from 1 to 10',
    });
  });

  test('a record finding names the record, its set identifier and its zone', () => {
    const [f] = validateRecordSet(record({ weight: 256 }));
    expect(f.subject).toEqual({ kind: 'record', name: 'emdr.example.com', recordType: 'A', setIdentifier: 'a', zone: 'Z1' });
    expect(f.resource).toBe('record emdr.example.com A [a]');
    expect(f.fix).toBe('use a whole number from 0 to 255 (0 keeps the member as a standby)');
  });

  test('a group finding names the group', () => {
    const group = groupRecords([record({ setIdentifier: 'a', weight: 1, ttl: 60 }), record({ setIdentifier: 'b', weight: 1, ttl: 300 })])[0];
    const [f] = validateGroup(group);
    expect(f.subject).toEqual({ kind: 'group', name: 'emdr.example.com', recordType: 'A', zone: 'Z1' });
    expect([f.resource, f.problem, f.fix]).toEqual(['record set group emdr.example.com A', 'records of emdr.example.com A have different TTLs (60, 300 s)', 'give the whole group one TTL']);
  });

  test('a thrown error renders every error with where it happened', () => {
    expect(() => assertValid(validateHealthCheck(hc({ port: 0 }), ROUTE53), "gateway 'Site/Www'"))
      .toThrow("gateway 'Site/Www', health check 'Gw/a/HealthCheck': port 0 is out of range; use a port from 1 to 65535 [health-check/port]");
  });
});
