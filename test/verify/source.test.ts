/**
 * What `verify <path>` accepts: each target's artifacts in each form, detected and read with the
 * target's own reader; and the paths it refuses (a usage error, exit code 2).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { emdrBundle, synthCdkEmdr, synthCdktfEmdr, tmpDir, writeBundleDir } from './helpers';
import { GatewayZone, WeightedFailoverGateway } from '../../lib';
import { canonicalModel } from '../../lib/model';
import { readArtifacts, VerifyInputError } from '../../lib/verify';

let dir: string;
let cdkOut: string;
let cdktfOut: string;
let bundleDir: string;

beforeAll(() => {
  dir = tmpDir('source');
  cdkOut = synthCdkEmdr(path.join(dir, 'cdk.out'));
  cdktfOut = synthCdktfEmdr(path.join(dir, 'cdktf.out'));
  bundleDir = writeBundleDir(path.join(dir, 'bundle'), emdrBundle());
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const one = (location: string) => {
  const sources = readArtifacts(location);
  expect(sources).toHaveLength(1);
  return sources[0];
};

describe('reads', () => {
  test('a cdk.out directory, its manifest.json, and a template file give the same CloudFormation model', () => {
    const fromDir = one(cdkOut);
    expect(fromDir.target).toBe('cloudformation');
    expect(fromDir.name).toBe('EmdrStack');
    expect(fromDir.route53).toBe(true);
    expect(fromDir.resourceCount).toBe(4);
    expect(one(path.join(cdkOut, 'manifest.json')).model).toEqual(fromDir.model);
    expect(one(path.join(cdkOut, 'EmdrStack.template.json')).model).toEqual(fromDir.model);
    expect(fromDir.model.healthChecks.map((h) => h.id)).toEqual(['Emdr/gw-isp-a/HealthCheck', 'Emdr/gw-isp-b/HealthCheck']);
  });

  test('a cdktf.out directory, a stack folder and a cdk.tf.json give the same Terraform model, equal to the CloudFormation one', () => {
    const fromDir = one(cdktfOut);
    expect(fromDir.target).toBe('terraform');
    expect(fromDir.name).toBe('emdr');
    const stackDir = path.join(cdktfOut, 'stacks', 'emdr');
    expect(one(stackDir).model).toEqual(fromDir.model);
    expect(one(path.join(stackDir, 'cdk.tf.json')).model).toEqual(fromDir.model);
    const cfn = canonicalModel(one(cdkOut).model);
    const tf = canonicalModel(fromDir.model);
    expect(tf).toEqual(cfn);
  });

  test('a bundle directory (config.json), the config file, and a bundle config under another name', () => {
    const fromDir = one(bundleDir);
    expect(fromDir.target).toBe('self-hosted');
    expect(fromDir.route53).toBe(false);
    expect(fromDir.bundle!.checkers).toHaveLength(3);
    expect(one(path.join(bundleDir, 'config.json')).model).toEqual(fromDir.model);
    const other = path.join(dir, 'other-bundle');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'dns.json'), JSON.stringify(emdrBundle()));
    fs.writeFileSync(path.join(other, 'notes.json'), JSON.stringify({ hello: 'world' }));
    expect(one(other).file).toBe(path.join(other, 'dns.json'));
  });

  test('every stack of a cloud assembly, nested stages included', () => {
    const outdir = path.join(dir, 'staged.out');
    const app = new App({ outdir });
    const declare = (scope: Stack, name: string) => new WeightedFailoverGateway(scope, 'Gw', {
      zone: GatewayZone.fromHostedZoneAttributes({ hostedZoneId: 'Z1', zoneName: 'example.com' }),
      recordName: name,
      endpoints: [{ name: 'a', ipAddress: '203.0.113.1', weight: 1 }, { name: 'b', ipAddress: '203.0.113.2', weight: 1 }],
    });
    declare(new Stack(app, 'Top'), 'top');
    declare(new Stack(new Stage(app, 'Prod'), 'Nested'), 'nested');
    app.synth();
    const sources = readArtifacts(outdir);
    expect(sources.map((s) => [s.name, s.model.recordSets[0].name]).sort()).toEqual([['Prod/Nested', 'nested.example.com'], ['Top', 'top.example.com']]);
  });

  test('a directory of templates without a manifest', () => {
    const templates = path.join(dir, 'templates');
    fs.mkdirSync(templates);
    fs.copyFileSync(path.join(cdkOut, 'EmdrStack.template.json'), path.join(templates, 'Emdr.template.json'));
    expect(one(templates).name).toBe('Emdr');
  });
});

describe('refuses, with what it accepts', () => {
  test.each([
    ['a path that does not exist', () => path.join(dir, 'missing'), /does not exist; give a cdk.out or cdktf.out directory/],
    ['an empty directory', () => fs.mkdtempSync(path.join(dir, 'empty-')), /is no cdk.out .* or bundle directory/],
    ['a file that is not JSON', () => {
      const f = path.join(dir, 'notes.txt');
      fs.writeFileSync(f, 'hello');
      return f;
    }, /is not JSON/],
    ['JSON that is no artifact', () => {
      const f = path.join(dir, 'package.json');
      fs.writeFileSync(f, JSON.stringify({ name: 'x' }));
      return f;
    }, /is neither a CloudFormation template .* nor a bundle config/],
  ])('%s', (_, make, message) => {
    const location = make();
    expect(() => readArtifacts(location)).toThrow(VerifyInputError);
    expect(() => readArtifacts(location)).toThrow(message);
  });
});
