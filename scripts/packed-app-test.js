#!/usr/bin/env node
// A newcomer's CDK app that installs the packed library (dist/js/*.tgz, made by `projen package`)
// from a clean folder and declares the EMDR gateway; the synthesized template must hold 2 health
// checks and 2 weighted record sets with the right properties. Run by `npx projen check`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert');

const root = path.join(__dirname, '..');
const distDir = path.join(root, 'dist', 'js');
const tarball = fs.existsSync(distDir) && fs.readdirSync(distDir).find((f) => f.endsWith('.tgz'));
if (!tarball) {
  console.error('no packed library in dist/js: run `npx projen build` (or `npx projen package`) first');
  process.exit(1);
}
const version = (name) => require(path.join(root, 'node_modules', name, 'package.json')).version;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dns-failover-newcomer-'));
console.log(`newcomer app in ${dir}, installing ${tarball}`);
fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'newcomer-app', private: true }));
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error',
  path.join(distDir, tarball), `aws-cdk-lib@${version('aws-cdk-lib')}`, `constructs@${version('constructs')}`],
{ cwd: dir, stdio: 'inherit' });

fs.writeFileSync(path.join(dir, 'app.js'), `
const { App, Duration, Stack } = require('aws-cdk-lib');
const { GatewayZone, WeightedFailoverGateway } = require('cdk-dns-failover');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Emdr');
new WeightedFailoverGateway(stack, 'Gateway', {
  zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z0EXAMPLE1234567890', zoneName: 'example.com' }),
  recordName: 'emdr',
  healthCheck: { resourcePath: '/status', requestInterval: Duration.seconds(30), failureThreshold: 3 },
  endpoints: [
    { name: 'gw-isp-a', ipAddress: '203.0.113.10', weight: 50 },
    { name: 'gw-isp-b', ipAddress: '198.51.100.20', weight: 50 },
  ],
});
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
fs.rmSync(dir, { recursive: true, force: true });
console.log('packed library: newcomer CDK app synthesized 2 health checks and 2 weighted record sets');
