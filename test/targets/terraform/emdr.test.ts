import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { emdrApp } from '../../../examples/emdr-cdktf/emdr';
import { readTerraformOutput } from '../../../lib/targets/terraform';

Testing.setupJest();

const HEALTH_CHECK = { tfResourceType: 'aws_route53_health_check' };
const RECORD = { tfResourceType: 'aws_route53_record' };

describe('EMDR example (CDKTF)', () => {
  test('two HTTP health checks and two weighted records, 50/50, threshold 3, interval 30 s, with the user\'s AWS provider', () => {
    const { stack } = emdrApp(fs.mkdtempSync(path.join(os.tmpdir(), 'emdr-tf-')));
    const json = Testing.synth(stack, true);
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed.resource).sort()).toEqual(['aws_route53_health_check', 'aws_route53_record']);
    expect(Object.keys(parsed.resource.aws_route53_health_check)).toHaveLength(2);
    expect(Object.keys(parsed.resource.aws_route53_record)).toHaveLength(2);
    for (const [ip, name] of [['203.0.113.10', 'gw-isp-a'], ['198.51.100.20', 'gw-isp-b']]) {
      expect(json).toHaveResourceWithProperties(HEALTH_CHECK, {
        type: 'HTTP',
        ip_address: ip,
        port: 80,
        resource_path: '/status',
        request_interval: 30,
        failure_threshold: 3,
        tags: { 'Name': `emdr.example.com ${name}`, 'cdk-dns-failover:id': `Emdr/${name}/HealthCheck` },
      });
      expect(json).toHaveResourceWithProperties(RECORD, {
        zone_id: 'Z0EXAMPLE1234567890',
        name: 'emdr.example.com',
        type: 'A',
        ttl: 60,
        records: [ip],
        set_identifier: name,
        weighted_routing_policy: { weight: 50 },
        health_check_id: expect.stringMatching(/^\$\{aws_route53_health_check\.[\w-]+\.id\}$/),
      });
    }
    expect(json).toHaveProviderWithProperties(AwsProvider, { region: 'us-east-1' });
    // Nothing to warn about: two endpoints, both checked, TTL 60.
    expect(stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === '@cdktf/warn')).toEqual([]);
  });

  test('main.ts writes cdktf.out with app.synth() and prints a summary of what it created', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'emdr-tf-main-'));
    const root = path.join(__dirname, '..', '..', '..');
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/emdr-cdktf/main.ts'], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(out).toContain('2 health checks (aws_route53_health_check):');
    expect(out).toContain('emdr.example.com gw-isp-a: HTTP 203.0.113.10:80/status, every 30 s, failure threshold 3');
    expect(out).toContain('2 records (aws_route53_record):');
    expect(out).toContain('emdr.example.com A 198.51.100.20 [gw-isp-b] weight 50, TTL 60 s, guarded by Emdr/gw-isp-b/HealthCheck');
    expect(out).toContain('leaves the set after about 90 s (3 x 30 s)');
    expect(out).not.toContain('Warnings:');
    const file = path.join(outdir, 'stacks', 'emdr', 'cdk.tf.json');
    expect(fs.existsSync(file)).toBe(true);
    expect(readTerraformOutput(outdir).recordSets.map((r) => r.weight)).toEqual([50, 50]);
  });
});
