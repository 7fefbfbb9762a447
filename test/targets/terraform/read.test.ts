/**
 * Reading a synthesized Terraform configuration back into the model: render -> read round trips, and
 * configurations this library did not write.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { HealthCheck } from '../../../lib';
import { canonicalModel, isUnresolved, validateModel } from '../../../lib/model';
import {
  readTerraformJson,
  readTerraformOutput,
  TERRAFORM_CAPABILITIES,
  terraformStackFile,
  TerraformTarget,
} from '../../../lib/targets/terraform';
import { declareAllKinds } from '../gateway-kinds';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dns-failover-tf-'));
}

describe('Terraform render -> read', () => {
  test('reading cdktf.out back gives the model the constructs rendered (app.synth)', () => {
    const outdir = tmpdir();
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'sink');
    declareAllKinds(stack);
    app.synth();
    const rendered = canonicalModel(TerraformTarget.of(stack).model);
    // The cdktf.out folder, the stack folder and the file itself all read the same.
    const fromOut = canonicalModel(readTerraformOutput(outdir));
    expect(fromOut).toEqual(rendered);
    expect(canonicalModel(readTerraformOutput(path.join(outdir, 'stacks', 'sink')))).toEqual(rendered);
    expect(canonicalModel(readTerraformOutput(path.join(outdir, 'stacks', 'sink', 'cdk.tf.json')))).toEqual(rendered);
    expect(canonicalModel(readTerraformOutput(outdir, 'sink'))).toEqual(rendered);
    expect(fromOut.healthChecks.length).toBeGreaterThan(10);
    // What was read back passes the same validation as what was rendered.
    expect(validateModel(fromOut, TERRAFORM_CAPABILITIES).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('ids come from the tag, so JSON without `//` metadata (Testing.synth) reads back the same', () => {
    let target: TerraformTarget | undefined;
    const json = Testing.synthScope((scope) => {
      declareAllKinds(scope);
      target = TerraformTarget.of(scope);
    });
    expect(json).not.toContain('"//"');
    expect(canonicalModel(readTerraformJson(json))).toEqual(canonicalModel(target!.model));
  });

  test('an id too long for a tag travels in the `//` metadata of the full synth', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    let scope: Construct = stack;
    for (let i = 0; i < 12; i++) scope = new Construct(scope, `a-rather-long-construct-id-number-${i}`);
    new HealthCheck(scope, 'Check', { ipAddress: '203.0.113.10' });
    const id = TerraformTarget.of(stack).model.healthChecks[0].id;
    expect(id.length).toBeGreaterThan(256);
    const file = terraformStackFile(Testing.fullSynth(stack));
    const body: any = Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).resource.aws_route53_health_check)[0];
    expect(body.tags).toEqual({});
    expect(readTerraformOutput(file).healthChecks[0].id).toBe(id);
  });
});

describe('reading Terraform JSON written by hand', () => {
  const handWritten = {
    variable: { ip: { type: 'string' } },
    data: {
      aws_route53_zone: {
        main: { name: 'Example.COM.' },
        byid: { zone_id: 'Z0BYID' },
      },
    },
    resource: {
      aws_route53_zone: { managed: { name: 'managed.example' } },
      aws_route53_health_check: {
        web: { type: 'HTTP', ip_address: '${var.ip}', port: '8080', request_interval: '10', failure_threshold: 2, invert_healthcheck: 'false', tags: { Name: 'web' } },
        calc: { type: 'CALCULATED', child_healthchecks: ['${aws_route53_health_check.web.id}', 'abc-external'], child_health_threshold: 1 },
        literal: { type: 'HTTP_STR_MATCH', fqdn: 'x.example.com', search_string: 'cost: $${price}', disabled: true, regions: '${var.regions}', port: '${var.port}' },
      },
      aws_route53_record: {
        one: {
          zone_id: '${data.aws_route53_zone.main.zone_id}',
          name: 'www',
          type: 'A',
          ttl: '300',
          records: ['${var.ip}'],
          set_identifier: 'one',
          weighted_routing_policy: [{ weight: '0' }],
          health_check_id: '${aws_route53_health_check.web.id}',
        },
        two: {
          zone_id: '${data.aws_route53_zone.main.id}',
          name: 'www.example.com.',
          type: 'A',
          ttl: 300,
          records: ['203.0.113.9'],
          set_identifier: 'two',
          weighted_routing_policy: { weight: 5 },
          health_check_id: 'abc-external',
        },
        byid: { zone_id: '${data.aws_route53_zone.byid.zone_id}', name: 'api.example.com', type: 'A', ttl: 60, records: ['203.0.113.1'], set_identifier: 'p', failover_routing_policy: [{ type: 'PRIMARY' }] },
        managed: { zone_id: '${aws_route53_zone.managed.zone_id}', name: '', type: 'A', ttl: 60, records: '${var.ips}', multivalue_answer_routing_policy: 'true', set_identifier: 'm' },
        vars: { zone_id: '${var.zone_id}', name: 'v.example.com', type: 'CNAME', ttl: '${var.ttl}', records: ['${lower(var.target)}'] },
        alias: { zone_id: 'Z0LITERAL', name: 'apex.example.com', type: 'A', alias: { name: 'lb.example.net', zone_id: 'Z0LB', evaluate_target_health: true } },
      },
      aws_s3_bucket: { logs: { bucket: 'logs' } },
    },
  };

  test('references map to model ids and zone names; strings for numbers; lists of one block; literals', () => {
    const model = readTerraformJson(handWritten);
    const checks = Object.fromEntries(model.healthChecks.map((h) => [h.id, h]));
    expect(Object.keys(checks)).toEqual(['web', 'calc', 'literal']);
    expect(checks.web).toEqual({ id: 'web', name: 'web', config: expect.objectContaining({ type: 'HTTP', ipAddress: '${tf:var.ip}', port: 8080, requestInterval: 10, failureThreshold: 2, inverted: false }) });
    expect(checks.calc.config).toEqual(expect.objectContaining({ type: 'CALCULATED', childHealthChecks: ['web', 'abc-external'], healthThreshold: 1 }));
    // `$${` is Terraform's escape for a literal `${`.
    expect(checks.literal.config).toEqual(expect.objectContaining({ searchString: 'cost: ${price}', disabled: true, regions: ['${tf:var.regions}'] }));
    expect(isUnresolved(checks.literal.config.port)).toBe(true);

    const records = Object.fromEntries(model.recordSets.map((r) => [r.setIdentifier ?? r.name, r]));
    // A relative name is qualified with the looked-up zone's name, as the provider does.
    expect(records.one).toEqual(expect.objectContaining({ hostedZoneName: 'example.com', name: 'www.example.com', ttl: 300, values: ['${tf:var.ip}'], weight: 0, healthCheckId: 'web' }));
    expect(records.one.hostedZoneId).toBeUndefined();
    expect(records.two).toEqual(expect.objectContaining({ hostedZoneName: 'example.com', name: 'www.example.com', weight: 5, healthCheckId: 'abc-external' }));
    expect(records.p).toEqual(expect.objectContaining({ hostedZoneId: 'Z0BYID', name: 'api.example.com', failover: 'PRIMARY' }));
    expect(records.m).toEqual(expect.objectContaining({ hostedZoneName: 'managed.example', name: 'managed.example', multiValueAnswer: true, values: ['${tf:var.ips}'] }));
    expect(records['v.example.com']).toEqual(expect.objectContaining({ hostedZoneId: '${tf:var.zone_id}', values: ['${tf:lower(var.target)}'] }));
    expect(isUnresolved(records['v.example.com'].ttl)).toBe(true);
    // An alias record has no values and no TTL of its own: its target answers.
    expect(records['apex.example.com']).toEqual(expect.objectContaining({
      hostedZoneId: 'Z0LITERAL', values: [], ttl: undefined, aliasTarget: { dnsName: 'lb.example.net', hostedZoneId: 'Z0LB', evaluateTargetHealth: true },
    }));
    expect(model.recordSets).toHaveLength(6);
  });

  test('everything only known at apply time is unresolved, so validation lets it through', () => {
    const model = readTerraformJson(handWritten);
    for (const marker of ['${tf:var.ip}', '${tf:var.regions}', '${tf:lower(var.target)}', '${tf:var.zone_id}']) expect(isUnresolved(marker)).toBe(true);
    const errors = validateModel(model, TERRAFORM_CAPABILITIES).filter((f) => f.severity === 'error').map((f) => f.rule);
    // No error about a marker (nor about the alias record, which needs no TTL and no values): only the
    // PRIMARY without a SECONDARY is flagged.
    expect(errors).toEqual(['group/failover-pair']);
  });

  test('a JSON text and a list of resource sections read the same as the object', () => {
    const text = JSON.stringify(handWritten);
    expect(readTerraformJson(text)).toEqual(readTerraformJson(handWritten));
    const { aws_route53_health_check: checks, aws_route53_record: records, aws_route53_zone: zones } = handWritten.resource;
    const split = { ...handWritten, resource: [{ aws_route53_health_check: checks }, { aws_route53_record: records, aws_route53_zone: zones }] };
    expect(readTerraformJson(split)).toEqual(readTerraformJson(handWritten));
  });

  test('a configuration without Route 53 resources reads as an empty model', () => {
    expect(readTerraformJson({ resource: { aws_s3_bucket: { b: {} } } })).toEqual({ healthChecks: [], recordSets: [] });
  });

  test('fails a document that is not a Terraform configuration', () => {
    expect(() => readTerraformJson([1, 2])).toThrow(/not a Terraform JSON configuration: expected a JSON object/);
    expect(() => readTerraformJson(42)).toThrow(/not a Terraform JSON configuration/);
  });
});

describe('finding the stack file', () => {
  function twoStacks(): string {
    const outdir = tmpdir();
    const app = new App({ outdir });
    for (const id of ['blue', 'green']) {
      const stack = new TerraformStack(app, id);
      new HealthCheck(stack, 'Check', { ipAddress: '203.0.113.10' });
    }
    app.synth();
    return outdir;
  }

  test('fails an output folder with several stacks unless one is named', () => {
    const outdir = twoStacks();
    expect(() => readTerraformOutput(outdir)).toThrow(/holds 2 stacks \(blue, green\); name the one to read/);
    expect(readTerraformOutput(outdir, 'green').healthChecks.map((h) => h.id)).toEqual(['Check']);
  });

  test('fails an unknown stack name, listing the stacks', () => {
    expect(() => readTerraformOutput(twoStacks(), 'red')).toThrow(/has no stack 'red'; its stacks are blue, green/);
  });

  test('fails a missing path and a folder that is not cdktf output', () => {
    expect(() => readTerraformOutput('/nonexistent/cdktf.out')).toThrow(/'\/nonexistent\/cdktf.out' does not exist; give a cdk.tf.json, a stack folder, or a cdktf.out folder/);
    expect(() => readTerraformOutput(tmpdir())).toThrow(/has neither cdk.tf.json nor manifest.json/);
  });

  test('fails HCL output, saying how to get JSON', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'cdk.tf'), 'resource "aws_route53_health_check" "x" {}\n');
    expect(() => readTerraformOutput(dir)).toThrow(/holds HCL \(cdk.tf\), not JSON; synthesize without SYNTH_HCL_OUTPUT/);
  });
});
