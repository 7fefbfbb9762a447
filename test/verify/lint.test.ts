/**
 * Every lint rule firing and not firing: the model rules as the verifier reports them (with the
 * target's capabilities, under the model's own ids) and each of the verifier's own rules.
 */
import { emdrBundle, sourceOf } from './helpers';
import { FailoverModel, HealthCheckConfigModel, HealthCheckModel, RecordSetModel } from '../../lib/model';
import {
  ArtifactSource,
  bundleSource,
  cloudFormationSource,
  lintArtifact,
  LintFinding,
  TargetKind,
  VERIFY_RULES,
} from '../../lib/verify';

const check = (id: string, config: Partial<HealthCheckConfigModel> = {}): HealthCheckModel => ({
  id,
  config: { type: 'HTTP', ipAddress: '203.0.113.10', port: 80, resourcePath: '/status', requestInterval: 30, failureThreshold: 3, ...config },
});

const record = (setIdentifier: string, value: string, extra: Partial<RecordSetModel> = {}): RecordSetModel => ({
  hostedZoneId: 'Z0EXAMPLE1234567890',
  name: 'emdr.example.com',
  recordType: 'A',
  ttl: 60,
  values: [value],
  setIdentifier,
  weight: 50,
  healthCheckId: `hc-${setIdentifier}`,
  ...extra,
});

/** EMDR: two weighted members, each with its own HTTP check. No finding. */
function emdr(
  a: Partial<HealthCheckConfigModel> = {},
  b: Partial<HealthCheckConfigModel> = {},
  ra: Partial<RecordSetModel> = {},
  rb: Partial<RecordSetModel> = {},
): FailoverModel {
  return {
    healthChecks: [check('hc-a', { ipAddress: '203.0.113.10', ...a }), check('hc-b', { ipAddress: '198.51.100.20', ...b })],
    recordSets: [record('a', '203.0.113.10', ra), record('b', '198.51.100.20', rb)],
  };
}

/** Two weighted CNAME members (host names), each with its own check on an IP address. */
function cnames(a: Partial<HealthCheckConfigModel> = {}): FailoverModel {
  const m = emdr(a);
  return {
    healthChecks: m.healthChecks,
    recordSets: [
      record('a', 'a.cdn.example.net', { recordType: 'CNAME' }),
      record('b', 'b.cdn.example.net', { recordType: 'CNAME' }),
    ],
  };
}

/** Active-passive: a primary and a secondary, each with its own check. No finding. */
function activePassive(
  p: Partial<RecordSetModel> = {},
  s: Partial<RecordSetModel> = {},
  pc: Partial<HealthCheckConfigModel> = {},
  sc: Partial<HealthCheckConfigModel> = {},
): FailoverModel {
  return {
    healthChecks: [check('hc-a', { ipAddress: '203.0.113.10', ...pc }), check('hc-b', { ipAddress: '198.51.100.20', ...sc })],
    recordSets: [
      record('a', '203.0.113.10', { weight: undefined, failover: 'PRIMARY', ...p }),
      record('b', '198.51.100.20', { weight: undefined, failover: 'SECONDARY', ...s }),
    ],
  };
}

interface Case {
  readonly name: string;
  readonly source: ArtifactSource;
}

const src = (model: FailoverModel, target: TargetKind = 'cloudformation', extra: Partial<ArtifactSource> = {}) => sourceOf(model, target, extra);

/** A template with `n` resources: the EMDR gateway plus `n - 4` unrelated ones. */
function templateWith(n: number): unknown {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n - 2; i++) resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic' };
  resources.Check = { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { Type: 'HTTP', IPAddress: '203.0.113.10', Port: 80 } } };
  resources.Record = {
    Type: 'AWS::Route53::RecordSet',
    Properties: { HostedZoneId: 'Z1', Name: 'www.example.com.', Type: 'A', TTL: '60', ResourceRecords: ['203.0.113.10'], SetIdentifier: 'a', Weight: 1, HealthCheckId: { Ref: 'Check' } },
  };
  return { Resources: resources };
}

/** rule id → cases where it fires, and cases where it must not. */
const RULES: Record<string, { fires: Case[]; quiet: Case[]; severity: 'error' | 'warning' }> = {
  // ---- model rules, reported under the model's ids ----
  'group/ttl-above-60': {
    severity: 'warning',
    fires: [{ name: 'TTL 120', source: src(emdr({}, {}, { ttl: 120 }, { ttl: 120 })) }],
    quiet: [{ name: 'TTL 60', source: src(emdr()) }],
  },
  'group/member-without-check': {
    severity: 'warning',
    fires: [{ name: 'member b has no check', source: src({ ...emdr(), healthChecks: [check('hc-a')], recordSets: emdr({}, {}, {}, { healthCheckId: undefined }).recordSets }) }],
    quiet: [{ name: 'both checked', source: src(emdr()) }],
  },
  'group/single-endpoint': {
    severity: 'warning',
    fires: [{ name: 'one member', source: src({ healthChecks: [check('hc-a')], recordSets: [record('a', '203.0.113.10')] }) }],
    quiet: [{ name: 'two members', source: src(emdr()) }],
  },
  'group/mixed-ttl': {
    severity: 'error',
    fires: [{ name: 'TTL 60 and 30', source: src(emdr({}, {}, {}, { ttl: 30 })) }],
    quiet: [{ name: 'one TTL', source: src(emdr()) }],
  },
  'health-check/private-address': {
    severity: 'error',
    fires: [
      { name: 'CloudFormation checks 10.0.0.5', source: src(emdr({ ipAddress: '10.0.0.5' }, {}, { values: ['10.0.0.5'] })) },
      { name: 'Terraform checks 127.0.0.1', source: src(emdr({ ipAddress: '127.0.0.1' }, {}, { values: ['127.0.0.1'] }), 'terraform') },
    ],
    quiet: [
      { name: 'the self-hosted target checks 10.0.0.5 (its checkers sit inside the network)', source: src(emdr({ ipAddress: '10.0.0.5' }, {}, { values: ['10.0.0.5'] }), 'self-hosted') },
      { name: 'public addresses', source: src(emdr()) },
    ],
  },
  'health-check/search-string': {
    severity: 'error',
    fires: [{ name: '256 characters', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'x'.repeat(256) })) }],
    quiet: [{ name: '255 characters', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'x'.repeat(255) })) }],
  },
  // ---- the verifier's own rules ----
  'verify/check-probes-own-record': {
    severity: 'error',
    fires: [{ name: 'FQDN-only check on emdr.example.com', source: src(emdr({ ipAddress: undefined, fullyQualifiedDomainName: 'emdr.example.com.' })) }],
    quiet: [
      { name: 'the same FQDN as Host header, with the member\'s IP address', source: src(emdr({ fullyQualifiedDomainName: 'emdr.example.com' })) },
      { name: 'a per-member host name', source: src(emdr({ ipAddress: undefined, fullyQualifiedDomainName: 'gw-a.example.com' })) },
    ],
  },
  'verify/all-weights-zero': {
    severity: 'warning',
    fires: [{ name: 'weights 0 and 0', source: src(emdr({}, {}, { weight: 0 }, { weight: 0 })) }],
    quiet: [{ name: 'weights 0 and 50 (a standby)', source: src(emdr({}, {}, { weight: 0 })) }],
  },
  'verify/failure-threshold-one': {
    severity: 'warning',
    fires: [{ name: 'threshold 1', source: src(emdr({ failureThreshold: 1 })) }],
    quiet: [{ name: 'threshold 2', source: src(emdr({ failureThreshold: 2 })) }, { name: 'threshold unset (3)', source: src(emdr({ failureThreshold: undefined })) }],
  },
  'verify/https-without-sni': {
    severity: 'warning',
    fires: [
      { name: 'HTTPS, host name, enableSni false', source: src(emdr({ type: 'HTTPS', port: 443, fullyQualifiedDomainName: 'gw-a.example.com', enableSni: false })) },
      { name: 'HTTPS on an IP address only, guarding a host-name (CNAME) member', source: src(cnames({ type: 'HTTPS', port: 443 })) },
    ],
    quiet: [
      { name: 'enableSni true', source: src(emdr({ type: 'HTTPS', port: 443, fullyQualifiedDomainName: 'gw-a.example.com', enableSni: true })) },
      { name: 'enableSni unset (Route 53 turns it on for HTTPS)', source: src(emdr({ type: 'HTTPS', port: 443, fullyQualifiedDomainName: 'gw-a.example.com' })) },
      { name: 'no host name to send', source: src(emdr({ type: 'HTTPS', port: 443, enableSni: false })) },
      { name: 'HTTPS with the member\'s host name on a CNAME member', source: src(cnames({ type: 'HTTPS', port: 443, fullyQualifiedDomainName: 'a.cdn.example.net' })) },
    ],
  },
  'verify/search-string-unreadable': {
    severity: 'error',
    // 2,600 two-byte characters: 5,200 bytes, more than the 5,120 bytes read (the model also refuses its length).
    fires: [{ name: '5,200 bytes', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'é'.repeat(2600) })) }],
    quiet: [{ name: '"OK"', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'OK' })) }],
  },
  'verify/search-string-in-headers': {
    severity: 'warning',
    fires: [
      { name: 'a status line', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'HTTP/1.1 200 OK' })) },
      { name: 'a header', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'Content-Type: application/json' })) },
      { name: 'a line break', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'up\r\n' })) },
    ],
    quiet: [{ name: 'body text "status: ok"', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'status: ok' })) }],
  },
  'verify/search-string-whitespace': {
    severity: 'warning',
    fires: [{ name: '" OK"', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: ' OK' })) }],
    quiet: [{ name: '"all OK"', source: src(emdr({ type: 'HTTP_STR_MATCH', searchString: 'all OK' })) }],
  },
  'verify/failover-same-address': {
    severity: 'error',
    fires: [
      { name: 'both answer 203.0.113.10', source: src(activePassive({}, { values: ['203.0.113.10'] })) },
      { name: 'both checks probe 203.0.113.10:80/status', source: src(activePassive({}, {}, {}, { ipAddress: '203.0.113.10' })) },
    ],
    quiet: [{ name: 'different addresses', source: src(activePassive()) }],
  },
  'verify/duplicate-member-address': {
    severity: 'warning',
    fires: [{ name: 'two weighted members answer 203.0.113.10', source: src(emdr({}, {}, {}, { values: ['203.0.113.10'] })) }],
    quiet: [{ name: 'different addresses', source: src(emdr()) }],
  },
  'verify/stack-resource-limit': {
    severity: 'error',
    fires: [
      { name: '501 resources (error)', source: cloudFormationSource(templateWith(501), 'big.template.json', 'Big') },
      { name: '450 resources (warning)', source: cloudFormationSource(templateWith(450), 'big.template.json', 'Big') },
    ],
    quiet: [
      { name: '449 resources', source: cloudFormationSource(templateWith(449), 'big.template.json', 'Big') },
      { name: 'Terraform has no such limit', source: src(emdr(), 'terraform', { resourceCount: 600 }) },
    ],
  },
  'verify/unused-health-check': {
    severity: 'warning',
    fires: [{ name: 'a third check nobody uses', source: src({ ...emdr(), healthChecks: [...emdr().healthChecks, check('hc-spare')] }) }],
    quiet: [{
      name: 'a check used only as a child of a calculated check',
      source: src({
        healthChecks: [check('hc-a'), check('hc-child', { ipAddress: '203.0.113.11' }), { id: 'hc-b', config: { type: 'CALCULATED', childHealthChecks: ['hc-child'], healthThreshold: 1 } }],
        recordSets: emdr().recordSets,
      }),
    }],
  },
  'verify/disabled-health-check': {
    severity: 'warning',
    fires: [
      { name: 'disabled (Terraform)', source: src(emdr({ disabled: true }), 'terraform') },
      { name: 'disabled and inverted (self-hosted)', source: src(emdr({ disabled: true, inverted: true }, {}, { values: ['127.0.0.1'] }), 'self-hosted') },
    ],
    quiet: [{ name: 'enabled', source: src(emdr(), 'terraform') }],
  },
  'verify/few-checkers': {
    severity: 'warning',
    fires: [{ name: 'one checker', source: bundleSource({ ...emdrBundle(), checkers: [{ id: 'only', region: 'home' }] }, 'config.json') }],
    quiet: [{ name: 'three checkers', source: bundleSource(emdrBundle(), 'config.json') }],
  },
};

const fired = (source: ArtifactSource, rule: string): LintFinding[] => lintArtifact(source).filter((f) => f.rule === rule);

describe.each(Object.entries(RULES))('%s', (rule, { fires, quiet, severity }) => {
  test.each(fires.map((c) => [c.name, c] as const))('fires: %s', (_, c) => {
    const found = fired(c.source, rule);
    expect(found.length).toBeGreaterThanOrEqual(1);
    for (const f of found) {
      expect(f.resource).not.toBe('');
      expect(f.message.length).toBeGreaterThan(20);
      if (f.origin === 'verify') {
        // The verifier's rules always say what to do, and their message ends with the fix.
        expect(f.fix.length).toBeGreaterThan(10);
        expect(f.message.endsWith(f.fix)).toBe(true);
      }
    }
    if (!c.name.includes('(warning)')) expect(found[0].severity).toBe(severity);
  });
  test.each(quiet.map((c) => [c.name, c] as const))('does not fire: %s', (_, c) => {
    expect(fired(c.source, rule)).toEqual([]);
  });
});

describe('lint', () => {
  test('every rule of the verifier has a firing case above', () => {
    const covered = Object.keys(RULES).filter((r) => r.startsWith('verify/'));
    expect(covered.sort()).toEqual(VERIFY_RULES.map((r) => r.id).sort());
  });

  test('the stack resource limit is a warning at 450 and an error above 500, naming the count', () => {
    const [warning] = fired(cloudFormationSource(templateWith(450), 'x', 'Big'), 'verify/stack-resource-limit');
    expect(warning.severity).toBe('warning');
    expect(warning.message).toContain('450 resources');
    const [error] = fired(cloudFormationSource(templateWith(501), 'x', 'Big'), 'verify/stack-resource-limit');
    expect(error.severity).toBe('error');
    expect(error.resource).toBe('stack Big');
  });

  test('model findings keep the model\'s message and get its fix; verifier findings are ordered after errors', () => {
    const findings = lintArtifact(src(emdr({ failureThreshold: 1 }, {}, { ttl: 30 })));
    expect(findings.map((f) => [f.severity, f.rule, f.origin])).toEqual([
      ['error', 'group/mixed-ttl', 'model'],
      ['warning', 'verify/failure-threshold-one', 'verify'],
    ]);
    expect(findings[0].fix).toBe('give the whole group one TTL');
    expect(findings[0].gateways).toEqual(['emdr.example.com A']);
  });

  test('findings about a health check name the gateways it guards; an unused check names none', () => {
    const model = { ...emdr({ failureThreshold: 1 }), healthChecks: [...emdr({ failureThreshold: 1 }).healthChecks, check('hc-spare')] };
    const findings = lintArtifact(src(model));
    expect(findings.find((f) => f.rule === 'verify/failure-threshold-one')!.gateways).toEqual(['emdr.example.com A']);
    expect(findings.find((f) => f.rule === 'verify/unused-health-check')!.gateways).toEqual([]);
  });

  test('the bundle reader\'s own problems are findings bundle/config; a bundle the reader refuses has no gateways', () => {
    const config = emdrBundle();
    const bad = { ...config, recordSets: [...config.recordSets, { ...config.recordSets[0], name: 'emdr.example.org', setIdentifier: 'elsewhere' }] };
    const findings = lintArtifact(bundleSource(bad, 'config.json'));
    const reader = findings.filter((f) => f.rule === 'bundle/config');
    expect(reader.length).toBe(1);
    expect(reader[0].severity).toBe('error');
    expect(reader[0].message).toContain('emdr.example.org');
    expect(findings).toEqual(reader);
    expect(bundleSource(bad, 'config.json').model).toEqual({ healthChecks: [], recordSets: [] });
  });

  test('a bundle with only model errors still has its model read', () => {
    const config = emdrBundle();
    const bad = { ...config, recordSets: [config.recordSets[0], { ...config.recordSets[1], ttl: 30 }] };
    const source = bundleSource(bad, 'config.json');
    expect(source.model.recordSets).toHaveLength(2);
    expect(lintArtifact(source).map((f) => f.rule)).toEqual(['group/mixed-ttl']);
  });
});
