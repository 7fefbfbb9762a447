/**
 * What `dns-failover verify <path>` reads: it finds out which target wrote the artifact at `<path>` and
 * reads it with that target's own reader into the model, so the verifier checks the very file that
 * gets deployed.
 *
 * - CloudFormation: a CDK `cdk.out` directory (its manifest names the stacks, nested assemblies
 *   included), or a template file (`*.template.json`).
 * - Terraform: a cdktf `cdktf.out` directory (its manifest names the stacks), a stack folder, or a
 *   `cdk.tf.json`.
 * - Self-hosted: a bundle directory, or the bundle config file itself (bundle config version 1).
 */
import * as fs from 'fs';
import * as path from 'path';
import { BundleConfig, BundleProblem, bundleToModel, checkBundleConfig, SELF_HOSTED_CAPABILITIES } from '../bundle';
import { FailoverModel, finding, Finding, TargetCapabilities } from '../model';
import { readCloudFormationTemplate } from '../targets/cloudformation/read';
import { CLOUDFORMATION_CAPABILITIES } from '../targets/cloudformation/render';
import { BUNDLE_FILES } from '../targets/self-hosted/files';
import { readTerraformJson, TERRAFORM_STACK_FILE, terraformStackFile } from '../targets/terraform/read';
import { TERRAFORM_CAPABILITIES } from '../targets/terraform/render';

export type TargetKind = 'cloudformation' | 'terraform' | 'self-hosted';

/** One artifact read into the model: a CloudFormation stack, a Terraform stack or a bundle config. */
export interface ArtifactSource {
  readonly target: TargetKind;
  /** The file that was read. */
  readonly file: string;
  /** The stack's name, or the bundle config's file name. */
  readonly name: string;
  readonly model: FailoverModel;
  /** What the target can express: the model rules run with these. */
  readonly capabilities: TargetCapabilities;
  /** Whether the artifact deploys to Amazon Route 53 (so Route 53 prices apply). */
  readonly route53: boolean;
  /** CloudFormation: every resource of the template, whatever its type (the 500-resource limit). */
  readonly resourceCount?: number;
  /** Self-hosted: the bundle config (checkers, verdict settings), when it could be read. */
  readonly bundle?: BundleConfig;
  /** Problems the target's reader found beyond the model rules (the bundle config's own rules). */
  readonly readerFindings: readonly Finding[];
}

/** The path cannot be verified: it does not exist, or it is no artifact this library writes. Exit code 2. */
export class VerifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyInputError';
  }
}

/**
 * File names a bundle directory's config may have, tried first, in this order: the name
 * `SelfHostedStack.synth` writes, then names people give a hand-written one (then any bundle-shaped JSON).
 */
export const BUNDLE_CONFIG_NAMES: readonly string[] = [BUNDLE_FILES.config, 'bundle.json', 'dns-failover.json', 'bundle-config.json'];

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new VerifyInputError(`cannot read '${file}': ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VerifyInputError(`'${file}' is not JSON (${(e as Error).message}); give a CloudFormation template, a cdk.tf.json or a bundle config`);
  }
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Which target wrote a parsed JSON document, if any. */
export function jsonKind(json: unknown): TargetKind | undefined {
  if (!isObject(json)) return undefined;
  if (isObject(json.Resources) || 'AWSTemplateFormatVersion' in json) return 'cloudformation';
  if ('version' in json && ('zones' in json || 'healthChecks' in json || 'recordSets' in json)) return 'self-hosted';
  if (isObject(json.resource) || isObject(json.data) || isObject(json.terraform) || Array.isArray(json.resource)) return 'terraform';
  return undefined;
}

export function cloudFormationSource(template: unknown, file: string, name: string): ArtifactSource {
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  return {
    target: 'cloudformation',
    file,
    name,
    model: readCloudFormationTemplate(template),
    capabilities: CLOUDFORMATION_CAPABILITIES,
    route53: true,
    resourceCount: Object.keys(resources).length,
    readerFindings: [],
  };
}

export function terraformSource(json: unknown, file: string, name: string): ArtifactSource {
  return {
    target: 'terraform',
    file,
    name,
    model: readTerraformJson(json),
    capabilities: TERRAFORM_CAPABILITIES,
    route53: true,
    readerFindings: [],
  };
}

/**
 * A bundle config read with the bundle's own checks. Its own problems (zones, references, checkers)
 * become findings `bundle/config`; the model rules run later, like for every target, so they are
 * not taken from the bundle check (it would report them twice).
 */
export function bundleSource(json: unknown, file: string): ArtifactSource {
  const check = checkBundleConfig(json);
  const own = (severity: 'error' | 'warning') => (p: BundleProblem): Finding =>
    finding(severity, 'bundle/config', { kind: 'artifact', label: `bundle config ${p.path || '/'}` }, p.problem, p.fix);
  const readerFindings = [
    ...check.errors.filter((p) => p.rule === undefined).map(own('error')),
    ...check.warnings.filter((p) => p.rule === undefined).map(own('warning')),
  ];
  let model: FailoverModel = { healthChecks: [], recordSets: [] };
  let bundle: BundleConfig | undefined = check.config;
  if (!bundle && readerFindings.length === 0) {
    // Only model rules failed: the config is well-formed, the model rules report the errors.
    bundle = json as BundleConfig;
  }
  if (bundle) model = bundleToModel(bundle);
  return {
    target: 'self-hosted',
    file,
    name: path.basename(file),
    model,
    capabilities: SELF_HOSTED_CAPABILITIES,
    route53: false,
    bundle,
    readerFindings,
  };
}

function sourceOfFile(file: string, json: unknown, name?: string): ArtifactSource {
  switch (jsonKind(json)) {
    case 'cloudformation':
      return cloudFormationSource(json, file, name ?? path.basename(file).replace(/\.template\.json$/, ''));
    case 'terraform':
      return terraformSource(json, file, name ?? path.basename(path.dirname(path.resolve(file))));
    case 'self-hosted':
      return bundleSource(json, file);
    default:
      throw new VerifyInputError(
        `'${file}' is neither a CloudFormation template (Resources), a Terraform JSON configuration (resource) nor a bundle config (version, zones); ` +
          'give a cdk.out or cdktf.out directory, a template, a cdk.tf.json, or a bundle directory',
      );
  }
}

/** The stacks of a CDK cloud assembly directory (following nested assemblies, as CDK stages write them). */
function cloudAssemblySources(dir: string, manifest: Record<string, any>, seen = new Set<string>()): ArtifactSource[] {
  const out: ArtifactSource[] = [];
  const key = path.resolve(dir);
  if (seen.has(key)) return out;
  seen.add(key);
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact?.type === 'aws:cloudformation:stack') {
      const templateFile = path.join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
      out.push(cloudFormationSource(readJson(templateFile), templateFile, artifact.displayName ?? id));
    } else if (artifact?.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const nested = path.join(dir, artifact.properties.directoryName);
      const nestedManifest = path.join(nested, 'manifest.json');
      if (fs.existsSync(nestedManifest)) out.push(...cloudAssemblySources(nested, readJson(nestedManifest) as Record<string, any>, seen));
    }
  }
  return out;
}

function bundleFileIn(dir: string): string | undefined {
  for (const name of BUNDLE_CONFIG_NAMES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  const candidates: string[] = [];
  const scan = (d: string, depth: number) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isFile() && entry.name.endsWith('.json') && entry.name !== 'manifest.json') {
        try {
          if (jsonKind(JSON.parse(fs.readFileSync(p, 'utf8'))) === 'self-hosted') candidates.push(p);
        } catch {
          // not JSON: not a bundle config
        }
      } else if (entry.isDirectory() && depth > 0 && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
        scan(p, depth - 1);
      }
    }
  };
  scan(dir, 1);
  return candidates[0];
}

/**
 * Reads every artifact at `location`. Throws {@link VerifyInputError} when the path does not exist or
 * holds nothing this library can read.
 */
export function readArtifacts(location: string): ArtifactSource[] {
  if (!fs.existsSync(location)) {
    throw new VerifyInputError(`'${location}' does not exist; give a cdk.out or cdktf.out directory, a template, a cdk.tf.json, or a bundle directory`);
  }
  if (fs.statSync(location).isFile()) {
    if (path.basename(location) === 'manifest.json') return readArtifacts(path.dirname(location));
    return [sourceOfFile(location, readJson(location))];
  }
  const manifestFile = path.join(location, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    const manifest = readJson(manifestFile);
    if (isObject(manifest) && isObject(manifest.artifacts)) {
      const sources = cloudAssemblySources(location, manifest);
      if (sources.length === 0) throw new VerifyInputError(`the cloud assembly '${location}' holds no CloudFormation stack`);
      return sources;
    }
    if (isObject(manifest) && isObject(manifest.stacks)) {
      const names = Object.keys(manifest.stacks);
      if (names.length === 0) throw new VerifyInputError(`the cdktf output '${location}' holds no stack`);
      return names.map((name) => {
        let file: string;
        try {
          file = terraformStackFile(location, name);
        } catch (e) {
          throw new VerifyInputError((e as Error).message);
        }
        return terraformSource(readJson(file), file, name);
      });
    }
  }
  const tf = path.join(location, TERRAFORM_STACK_FILE);
  if (fs.existsSync(tf)) return [terraformSource(readJson(tf), tf, path.basename(path.resolve(location)))];
  const bundleFile = bundleFileIn(location);
  if (bundleFile) return [bundleSource(readJson(bundleFile), bundleFile)];
  const templates = fs.readdirSync(location).filter((f) => f.endsWith('.template.json')).sort();
  if (templates.length > 0) {
    return templates.map((t) => {
      const file = path.join(location, t);
      return cloudFormationSource(readJson(file), file, t.replace(/\.template\.json$/, ''));
    });
  }
  throw new VerifyInputError(
    `'${location}' is no cdk.out (manifest.json with stacks), cdktf.out (manifest.json with stacks), Terraform stack folder (${TERRAFORM_STACK_FILE}) ` +
      `or bundle directory (${BUNDLE_CONFIG_NAMES[0]}); give one of those, or a template or config file`,
  );
}
