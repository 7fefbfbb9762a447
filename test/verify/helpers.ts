/**
 * Shared fixtures of the verifier tests: the EMDR example synthesized by each target, an EMDR bundle
 * config, and artifact sources built from a model.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emdrApp as cdkEmdrApp } from '../../examples/emdr-cdk/emdr';
import { emdrApp as cdktfEmdrApp } from '../../examples/emdr-cdktf/emdr';
import { BundleConfig, SELF_HOSTED_CAPABILITIES } from '../../lib/bundle';
import { FailoverModel, HealthCheckModel, RecordSetModel } from '../../lib/model';
import { CLOUDFORMATION_CAPABILITIES } from '../../lib/targets/cloudformation/render';
import { TERRAFORM_CAPABILITIES } from '../../lib/targets/terraform/render';
import { ArtifactSource, TargetKind } from '../../lib/verify';

export const REPO = path.join(__dirname, '..', '..');

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `verify-${prefix}-`));
}

/** Synthesizes examples/emdr-cdk into `outdir` (a cdk.out). */
export function synthCdkEmdr(outdir: string): string {
  cdkEmdrApp(outdir).app.synth();
  return outdir;
}

/** Synthesizes examples/emdr-cdktf into `outdir` (a cdktf.out). */
export function synthCdktfEmdr(outdir: string): string {
  cdktfEmdrApp(outdir).app.synth();
  return outdir;
}

/**
 * The EMDR gateway as a self-hosted bundle config (version 1), written directly in the bundle format:
 * the same health checks (HTTP on /status, every 30 s, threshold 3, Route 53's timeouts), the same
 * weighted records (50/50, TTL 60 s) and the same model ids as the CloudFormation and Terraform
 * artifacts, served by one DNS node with three checkers.
 */
export function emdrBundle(): BundleConfig {
  const check = (name: string, ip: string): HealthCheckModel => ({
    id: `Emdr/${name}/HealthCheck`,
    name: `emdr.example.com ${name}`,
    config: { type: 'HTTP', ipAddress: ip, port: 80, resourcePath: '/status', requestInterval: 30, failureThreshold: 3 },
  });
  const record = (name: string, ip: string): RecordSetModel => ({
    hostedZoneName: 'example.com',
    name: 'emdr.example.com',
    recordType: 'A',
    ttl: 60,
    values: [ip],
    setIdentifier: name,
    weight: 50,
    healthCheckId: `Emdr/${name}/HealthCheck`,
  });
  return {
    version: 1,
    zones: [{
      name: 'example.com',
      soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 },
      nameServers: ['ns1.example.com'],
    }],
    healthChecks: [check('gw-isp-a', '203.0.113.10'), check('gw-isp-b', '198.51.100.20')],
    recordSets: [record('gw-isp-a', '203.0.113.10'), record('gw-isp-b', '198.51.100.20')],
    checkers: [
      { id: 'checker-home', region: 'home' },
      { id: 'checker-isp-a', region: 'isp-a' },
      { id: 'checker-isp-b', region: 'isp-b' },
    ],
    dnsNodes: [{ id: 'dns-1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
}

/** Writes a bundle directory (its config.json) and returns the directory. */
export function writeBundleDir(dir: string, config: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

const CAPABILITIES = {
  'cloudformation': CLOUDFORMATION_CAPABILITIES,
  'terraform': TERRAFORM_CAPABILITIES,
  'self-hosted': SELF_HOSTED_CAPABILITIES,
} as const;

/** An artifact source for a model, as if `target` had written it. */
export function sourceOf(model: FailoverModel, target: TargetKind = 'cloudformation', extra: Partial<ArtifactSource> = {}): ArtifactSource {
  return {
    target,
    file: `test.${target}.json`,
    name: 'Test',
    model,
    capabilities: CAPABILITIES[target],
    route53: target !== 'self-hosted',
    readerFindings: [],
    ...extra,
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dns-failover` from the TypeScript sources and collects its output. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/main.ts', ...args], {
      cwd: REPO,
      // lib/ may hold compiled .js next to the sources: make ts-node load the sources.
      env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dns-failover ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
