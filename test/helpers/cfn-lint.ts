import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { isIP } from 'net';
import * as os from 'os';
import * as path from 'path';

/** One cfn-lint finding, as its JSON output gives it. */
export interface CfnLintMatch {
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: Array<string | number> };
}

/**
 * cfn-lint 1.x patches `AWS::Route53::CidrCollection` `Locations[].CidrList[]` with the `ipv4-network`
 * format, so it flags every IPv6 block. Route 53 takes IPv6 blocks (/1 to /48), and the CloudFormation
 * reference's own example of the resource lists one; the same false positive was fixed for
 * `AWS::EC2::PrefixList` (cfn-lint #4121) and `AWS::EC2::IPAMPool` (#4100). Only that one finding on an
 * IPv6 block is dropped; any other finding on a collection stays.
 */
function isIpv6BlockFalsePositive(m: CfnLintMatch, template: any): boolean {
  const p = m.Location.Path;
  if (m.Rule.Id !== 'E3002' || !/is not a 'ipv4-network'/.test(m.Message)) return false;
  if (p[0] !== 'Resources' || p[2] !== 'Properties' || p[3] !== 'Locations' || p[5] !== 'CidrList') return false;
  const resource = template.Resources?.[p[1]];
  const value = resource?.Properties?.Locations?.[p[4]]?.CidrList?.[p[6]];
  return resource?.Type === 'AWS::Route53::CidrCollection' && typeof value === 'string' && isIP(value.split('/')[0]) === 6;
}

/**
 * Runs cfn-lint (the linter CloudFormation users run; installed from PyPI by `.ci/run`) once on several
 * templates and returns their errors and warnings, one line each, prefixed with the template's name:
 * those on template-level paths and on resources whose type matches `resourceTypes` (by default Route
 * 53's: what we write, not aws-cdk-lib's VPCs). Fails when cfn-lint is not installed.
 */
export function cfnLintMany(templates: ReadonlyArray<{ readonly name: string; readonly template: object }>, resourceTypes: RegExp = /^AWS::Route53::/): string[] {
  if (templates.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const files = templates.map((t, i) => {
      const file = path.join(dir, `template-${i}.json`);
      fs.writeFileSync(file, JSON.stringify(t.template, undefined, 1));
      return file;
    });
    let out: string;
    try {
      out = execFileSync('cfn-lint', ['--format', 'json', '--regions', 'us-east-1', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } catch (e: any) {
      if (e.code === 'ENOENT') throw new Error('cfn-lint is not installed: run `pip install cfn-lint` (bash .ci/run installs it)');
      // cfn-lint exits non-zero when it finds something; its report is on stdout.
      out = e.stdout;
      if (!out) throw e;
    }
    const matches: Array<CfnLintMatch & { Filename: string }> = JSON.parse(out);
    return matches.flatMap((m) => {
      const i = files.indexOf(path.resolve(m.Filename));
      if (i < 0) throw new Error(`cfn-lint reported on ${m.Filename}, which is none of the templates given`);
      const { name, template } = templates[i];
      if (m.Level !== 'Error' && m.Level !== 'Warning') return [];
      if (isIpv6BlockFalsePositive(m, template)) return [];
      const p = m.Location.Path;
      if (p[0] === 'Resources' && p.length >= 2 && !resourceTypes.test((template as any).Resources?.[p[1]]?.Type ?? '')) return [];
      return [`${name}: ${m.Level} ${m.Rule.Id} ${p.join('/')}: ${m.Message}`];
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** cfn-lint on one template; its findings without a name prefix. */
export function cfnLint(template: object, resourceTypes?: RegExp): string[] {
  return cfnLintMany([{ name: 'template', template }], resourceTypes).map((l) => l.replace(/^template: /, ''));
}

/**
 * Templates collected during a test file and linted together in its `afterAll` (cfn-lint takes about
 * two seconds to start, so one run for the file instead of one per test).
 */
export class CfnLintBatch {
  private readonly templates: Array<{ name: string; template: object }> = [];

  public add(name: string, template: object): void {
    this.templates.push({ name, template });
  }

  public get size(): number {
    return this.templates.length;
  }

  /** The findings of every template added, one line each, prefixed with its name. */
  public run(): string[] {
    return cfnLintMany(this.templates);
  }
}
