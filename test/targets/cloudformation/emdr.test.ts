import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { emdrApp } from '../../../examples/emdr-cdk/emdr';
import { cfnLint } from '../../helpers/cfn-lint';
import { cloudFormationErrors, describeDiagnostics } from '../../helpers/cfn-validate';

describe('EMDR example (CDK)', () => {
  test('two HTTP health checks and two weighted records, 50/50, threshold 3, interval 30 s', () => {
    const { stack } = emdrApp(fs.mkdtempSync(path.join(os.tmpdir(), 'emdr-')));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Route53::HealthCheck', 2);
    t.resourceCountIs('AWS::Route53::RecordSet', 2);
    for (const [ip, name] of [['203.0.113.10', 'gw-isp-a'], ['198.51.100.20', 'gw-isp-b']]) {
      t.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: { Type: 'HTTP', IPAddress: ip, Port: 80, ResourcePath: '/status', RequestInterval: 30, FailureThreshold: 3 },
        HealthCheckTags: [{ Key: 'Name', Value: `emdr.example.com ${name}` }],
      });
      t.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'emdr.example.com.',
        Type: 'A',
        TTL: '60',
        Weight: 50,
        SetIdentifier: name,
        ResourceRecords: [ip],
        HealthCheckId: { 'Fn::GetAtt': [Match.anyValue(), 'HealthCheckId'] },
      });
    }
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    expect(describeDiagnostics(cloudFormationErrors(t.toJSON()))).toEqual([]);
    expect(cfnLint(t.toJSON())).toEqual([]);
    expect(t.toJSON()).toMatchSnapshot();
  });

  test('the README\'s main command prints a summary of what it created', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'emdr-main-'));
    const root = path.join(__dirname, '..', '..', '..');
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/emdr-cdk/main.ts'], {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(out).toContain('2 health checks (AWS::Route53::HealthCheck):');
    expect(out).toContain('emdr.example.com gw-isp-a: HTTP 203.0.113.10:80/status, every 30 s, failure threshold 3');
    expect(out).toContain('2 records (AWS::Route53::RecordSet):');
    expect(out).toContain('emdr.example.com A 198.51.100.20 [gw-isp-b] weight 50, TTL 60 s');
    expect(out).toContain('leaves the set after about 90 s (3 x 30 s)');
    expect(fs.existsSync(path.join(outdir, 'EmdrStack.template.json'))).toBe(true);
  });
});
