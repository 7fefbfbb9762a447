#!/usr/bin/env node
// Newcomers' apps that install the packed library (dist/js/*.tgz, made by `projen package`, or the
// tarball named by $PACKED_TARBALL) from a clean folder and declare the EMDR gateway:
// - a CDK app: the synthesized template must hold 2 health checks and 2 weighted record sets;
// - a cdktf app (plain JavaScript): cdk.tf.json must hold 2 aws_route53_health_check and 2 weighted
//   aws_route53_record whose attributes are what the AWS provider's own bindings write;
// - the same app on CDK Terrain (cdktn, the maintained cdktf fork), unless $SKIP_CDKTN is set.
// Run by `npx projen check`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');

const root = path.join(__dirname, '..');
const distDir = path.join(root, 'dist', 'js');
const packed = process.env.PACKED_TARBALL
  ? path.resolve(process.env.PACKED_TARBALL)
  : fs.existsSync(distDir) && fs.readdirSync(distDir).filter((f) => f.endsWith('.tgz')).map((f) => path.join(distDir, f))[0];
if (!packed || !fs.existsSync(packed)) {
  console.error(`no packed library ${packed || 'in dist/js'}: run \`npx projen build\` (or \`npx projen package\`) first`);
  process.exit(1);
}
const tarball = path.basename(packed);
const version = (name) => require(path.join(root, 'node_modules', name, 'package.json')).version;

/** The EMDR gateway as a newcomer writes it, the same in every app below. */
const emdrGateway = (id) => `new WeightedFailoverGateway(stack, '${id}', {
  zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
  recordName: 'emdr',
  healthCheck: { resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 },
  endpoints: [
    { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
    { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
  ],
});`;

/**
 * A two-region tree as a newcomer writes it from the README: a weighted pair per region under a
 * latency gateway (aliases evaluate target health by default), and a geolocation gateway with a default.
 */
const treeGateways = () => `const zone = GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' });
const eu = new WeightedFailoverGateway(stack, 'Eu', {
  zone,
  endpoints: [{ name: 'eu-a', ipAddress: '203.0.113.10' }, { name: 'eu-b', ipAddress: '203.0.113.20' }],
});
const us = new WeightedFailoverGateway(stack, 'Us', {
  zone,
  endpoints: [{ name: 'us-a', ipAddress: '198.51.100.10' }, { name: 'us-b', ipAddress: '198.51.100.20' }],
});
new LatencyGateway(stack, 'Api', {
  zone,
  recordName: 'api',
  endpoints: [
    { name: 'eu-west-1', region: 'eu-west-1', target: GatewayTarget.gateway(eu) },
    { name: 'us-east-1', region: 'us-east-1', target: GatewayTarget.gateway(us) },
  ],
});
new GeolocationGateway(stack, 'Www', {
  zone,
  recordName: 'www',
  endpoints: [
    { name: 'europe', location: GeoLocation.continent(Continent.EUROPE), target: GatewayTarget.gateway(eu) },
    { name: 'everyone', location: GeoLocation.default(), target: GatewayTarget.gateway(us) },
  ],
});`;
const TREE_IMPORTS = `const { Continent, GeoLocation } = require('aws-cdk-lib/aws-route53');
const { GatewayTarget, GatewayZone, GeolocationGateway, LatencyGateway, WeightedFailoverGateway } = require('cdk-dns-failover');`;

/**
 * Runs the installed `dns-failover verify` on the tree app's output for a client near each region and
 * checks the what-if answers of api.example.com (everything healthy, one region down, all down) and
 * of www.example.com for a client in Germany and one in Brazil.
 */
function verifyTree(appDir, artifact, label) {
  const out = execFileSync(path.join(appDir, 'node_modules', '.bin', 'dns-failover'),
    ['verify', artifact, '--json', '--from', 'eu-west-1,us-east-1,DE,BR'], { cwd: appDir, encoding: 'utf8' });
  const report = JSON.parse(out);
  const gateways = report.artifacts[0].gateways;
  const finals = (g, client, scenario) => {
    const s = g.whatIf.clients.find((c) => c.client === client).scenarios.find((x) => x.label === scenario);
    return s.answers.map((a) => `${a.setIdentifiers.join('+')} ${a.probability}`);
  };
  const api = gateways.find((g) => g.name === 'api.example.com');
  const EU = ['eu-a 0.5', 'eu-b 0.5'];
  const US = ['us-a 0.5', 'us-b 0.5'];
  assert.deepStrictEqual(finals(api, 'near eu-west-1', 'all healthy'), EU);
  assert.deepStrictEqual(finals(api, 'near us-east-1', 'all healthy'), US);
  assert.deepStrictEqual(finals(api, 'near eu-west-1', 'eu-west-1 down'), US);
  assert.deepStrictEqual(finals(api, 'near us-east-1', 'eu-west-1 down'), US);
  assert.deepStrictEqual(finals(api, 'near us-east-1', 'us-east-1 down'), EU);
  // All down: the last resort picks each client's best region anyway.
  assert.deepStrictEqual(finals(api, 'near eu-west-1', 'all down'), EU);
  assert.deepStrictEqual(finals(api, 'near us-east-1', 'all down'), US);
  const www = gateways.find((g) => g.name === 'www.example.com');
  assert.deepStrictEqual(finals(www, 'DE', 'all healthy'), EU);
  assert.deepStrictEqual(finals(www, 'BR', 'all healthy'), US);
  assert.deepStrictEqual(finals(www, 'DE', 'europe down'), US);
  assert.strictEqual(report.errors, 0);
  console.log(`packed library: newcomer ${label} tree app verified: answers per region healthy, with a region down and all down`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dns-failover-newcomer-'));
console.log(`newcomer app in ${dir}, installing ${tarball}`);
fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'newcomer-app', private: true }));
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
  packed, `aws-cdk-lib@${version('aws-cdk-lib')}`, `constructs@${version('constructs')}`],
{ cwd: dir, stdio: 'inherit' });

fs.writeFileSync(path.join(dir, 'app.js'), `
const { App, Duration, Stack } = require('aws-cdk-lib');
const { GatewayZone, WeightedFailoverGateway } = require('cdk-dns-failover');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Emdr');
${emdrGateway('Gateway')}
app.synth();
`);
execFileSync(process.execPath, ['app.js'], { cwd: dir, stdio: 'inherit' });

const template = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'Emdr.template.json'), 'utf8'));
const resources = Object.values(template.Resources);
const checks = resources.filter((r) => r.Type === 'AWS::Route53::HealthCheck');
const records = resources.filter((r) => r.Type === 'AWS::Route53::RecordSet');
assert.strictEqual(checks.length, 2, 'two health checks');
assert.strictEqual(records.length, 2, 'two record sets');
for (const c of checks) {
  const cfg = c.Properties.HealthCheckConfig;
  assert.deepStrictEqual(
    { Type: cfg.Type, Port: cfg.Port, ResourcePath: cfg.ResourcePath, RequestInterval: cfg.RequestInterval, FailureThreshold: cfg.FailureThreshold },
    { Type: 'HTTP', Port: 80, ResourcePath: '/status', RequestInterval: 30, FailureThreshold: 3 });
}
assert.deepStrictEqual(checks.map((c) => c.Properties.HealthCheckConfig.IPAddress).sort(), ['198.51.100.20', '203.0.113.10']);
for (const r of records) {
  const p = r.Properties;
  assert.strictEqual(p.Name, 'emdr.example.com.');
  assert.strictEqual(p.Type, 'A');
  assert.strictEqual(p.TTL, '60');
  assert.strictEqual(p.Weight, 50);
  assert.ok(p.HealthCheckId['Fn::GetAtt'], 'record guarded by its health check');
}
assert.deepStrictEqual(records.map((r) => r.Properties.SetIdentifier).sort(), ['gw-isp-a', 'gw-isp-b']);
console.log('packed library: newcomer CDK app synthesized 2 health checks and 2 weighted record sets');

fs.writeFileSync(path.join(dir, 'tree.js'), `
const { App, Stack } = require('aws-cdk-lib');
${TREE_IMPORTS}
const app = new App({ outdir: 'tree.out' });
const stack = new Stack(app, 'Tree');
${treeGateways()}
app.synth();
`);
execFileSync(process.execPath, ['tree.js'], { cwd: dir, stdio: 'inherit' });
const treeTemplate = JSON.parse(fs.readFileSync(path.join(dir, 'tree.out', 'Tree.template.json'), 'utf8'));
const aliases = Object.values(treeTemplate.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet' && r.Properties.AliasTarget);
assert.deepStrictEqual(aliases.map((r) => [r.Properties.SetIdentifier, r.Properties.AliasTarget.DNSName, r.Properties.AliasTarget.EvaluateTargetHealth]).sort(), [
  ['eu-west-1', 'eu-west-1.api.example.com', true],
  ['europe', 'eu-west-1.api.example.com', true],
  ['everyone', 'us-east-1.api.example.com', true],
  ['us-east-1', 'us-east-1.api.example.com', true],
]);
verifyTree(dir, 'tree.out', 'CDK');
fs.rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------------
// The same gateway in a Terraform stack. The library needs no provider package: the app may bring
// its own AWS provider; here it has none, and the output is compared with @cdktf/provider-aws below.

const EMDR_TF_APP = (library) => `
const { App, TerraformStack } = require('${library}');
const { Duration } = require('aws-cdk-lib');
const { GatewayZone, WeightedFailoverGateway } = require('cdk-dns-failover');
const app = new App({ outdir: 'cdktf.out' });
const stack = new TerraformStack(app, 'emdr');
${emdrGateway('Emdr')}
app.synth();
`;

/** Drops cdktf's `//` metadata, as cdktf's Testing.synth does. */
function withoutMetadata(value) {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [k, withoutMetadata(v)]));
  }
  return value;
}

/**
 * The resources rebuilt with the AWS provider's own bindings (this repository's development
 * dependency @cdktf/provider-aws, with typed props), synthesized under the same names.
 */
function providerTwin(resources) {
  const cdktf = require(path.join(root, 'node_modules', 'cdktf'));
  const { Route53HealthCheck } = require(path.join(root, 'node_modules', '@cdktf/provider-aws/lib/route53-health-check'));
  const { Route53Record } = require(path.join(root, 'node_modules', '@cdktf/provider-aws/lib/route53-record'));
  const stack = new cdktf.TerraformStack(cdktf.Testing.app(), 'twin');
  const refs = new Map();
  for (const [name, b] of Object.entries(resources.aws_route53_health_check)) {
    const check = new Route53HealthCheck(stack, name, {
      type: b.type, ipAddress: b.ip_address, port: b.port, resourcePath: b.resource_path,
      requestInterval: b.request_interval, failureThreshold: b.failure_threshold, tags: b.tags,
    });
    check.overrideLogicalId(name);
    refs.set(`\${aws_route53_health_check.${name}.id}`, check.id);
  }
  for (const [name, b] of Object.entries(resources.aws_route53_record)) {
    new Route53Record(stack, name, {
      zoneId: b.zone_id, name: b.name, type: b.type, ttl: b.ttl, records: b.records, setIdentifier: b.set_identifier,
      weightedRoutingPolicy: { weight: b.weighted_routing_policy.weight }, healthCheckId: refs.get(b.health_check_id),
    }).overrideLogicalId(name);
  }
  return JSON.parse(cdktf.Testing.synth(stack)).resource;
}

function terraformNewcomer(library, libraryVersion, constructsVersion) {
  const tfDir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-dns-failover-newcomer-${library}-`));
  console.log(`newcomer ${library} app in ${tfDir}, installing ${tarball}`);
  fs.writeFileSync(path.join(tfDir, 'package.json'), JSON.stringify({ name: `newcomer-${library}-app`, private: true }));
  // aws-cdk-lib is a peer dependency of the library (its constructs take Duration); cdktf (or cdktn) is the
  // app's own: the library loads it from its own location when a gateway sits in a TerraformStack.
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
    packed, `${library}@${libraryVersion}`, `constructs@${constructsVersion}`, `aws-cdk-lib@${version('aws-cdk-lib')}`],
  { cwd: tfDir, stdio: 'inherit' });
  const other = library === 'cdktf' ? 'cdktn' : 'cdktf';
  assert.ok(!fs.existsSync(path.join(tfDir, 'node_modules', other)), `${other} is not installed: ${library} alone serves the library`);
  fs.writeFileSync(path.join(tfDir, 'app.js'), EMDR_TF_APP(library));
  execFileSync(process.execPath, ['app.js'], { cwd: tfDir, stdio: 'inherit' });

  const config = JSON.parse(fs.readFileSync(path.join(tfDir, 'cdktf.out', 'stacks', 'emdr', 'cdk.tf.json'), 'utf8'));
  assert.deepStrictEqual(Object.keys(config.resource).sort(), ['aws_route53_health_check', 'aws_route53_record']);
  assert.strictEqual(config.data, undefined, 'a zone given by id needs no aws_route53_zone lookup');
  const tfChecks = Object.entries(config.resource.aws_route53_health_check);
  const tfRecords = Object.values(config.resource.aws_route53_record);
  assert.strictEqual(tfChecks.length, 2, 'two aws_route53_health_check');
  assert.strictEqual(tfRecords.length, 2, 'two aws_route53_record');
  for (const [, c] of tfChecks) {
    assert.deepStrictEqual(
      { type: c.type, port: c.port, resource_path: c.resource_path, request_interval: c.request_interval, failure_threshold: c.failure_threshold },
      { type: 'HTTP', port: 80, resource_path: '/status', request_interval: 30, failure_threshold: 3 });
  }
  assert.deepStrictEqual(tfChecks.map(([, c]) => c.ip_address).sort(), ['198.51.100.20', '203.0.113.10']);
  const checkRefs = tfChecks.map(([name]) => `\${aws_route53_health_check.${name}.id}`);
  for (const r of tfRecords) {
    assert.strictEqual(r.zone_id, 'Z0EXAMPLE1234567890');
    assert.strictEqual(r.name, 'emdr.example.com');
    assert.strictEqual(r.type, 'A');
    assert.strictEqual(r.ttl, 60);
    assert.deepStrictEqual(r.weighted_routing_policy, { weight: 50 });
    assert.ok(checkRefs.includes(r.health_check_id), `record ${r.set_identifier} guarded by its health check`);
  }
  assert.deepStrictEqual(tfRecords.map((r) => r.set_identifier).sort(), ['gw-isp-a', 'gw-isp-b']);
  // Every attribute, name and type, is what the AWS provider's bindings write for the same resources.
  assert.deepStrictEqual(withoutMetadata(config.resource), providerTwin(config.resource));
  console.log(`packed library: newcomer ${library} app synthesized 2 aws_route53_health_check and 2 weighted aws_route53_record, as the AWS provider writes them`);

  fs.writeFileSync(path.join(tfDir, 'tree.js'), `
const { App, TerraformStack } = require('${library}');
${TREE_IMPORTS}
const app = new App({ outdir: 'tree.out' });
const stack = new TerraformStack(app, 'tree');
${treeGateways()}
app.synth();
`);
  execFileSync(process.execPath, ['tree.js'], { cwd: tfDir, stdio: 'inherit' });
  const tree = JSON.parse(fs.readFileSync(path.join(tfDir, 'tree.out', 'stacks', 'tree', 'cdk.tf.json'), 'utf8'));
  const latency = Object.values(tree.resource.aws_route53_record).filter((r) => r.latency_routing_policy);
  assert.deepStrictEqual(latency.map((r) => [r.latency_routing_policy.region, r.alias]).sort(), [
    ['eu-west-1', { evaluate_target_health: true, name: 'eu-west-1.api.example.com', zone_id: 'Z0EXAMPLE1234567890' }],
    ['us-east-1', { evaluate_target_health: true, name: 'us-east-1.api.example.com', zone_id: 'Z0EXAMPLE1234567890' }],
  ]);
  verifyTree(tfDir, 'tree.out', library);
  fs.rmSync(tfDir, { recursive: true, force: true });
}

terraformNewcomer('cdktf', version('cdktf'), version('constructs'));

// CDK Terrain (cdktn) has cdktf's API; it needs constructs >= 10.6 < 10.8, newer than the 10.5.1 this
// repository pins for development, so it runs here, in its own app, and not in the jest suite.
if (!process.env.SKIP_CDKTN) terraformNewcomer('cdktn', '0.24.0', '10.7.2');
