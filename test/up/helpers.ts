/** Helpers for `dns-failover up` tests: an EMDR bundle for local gateways, and the CLI as a child process. */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { emdrSelfHostedApp } from '../../examples/emdr-self-hosted/emdr';
import { LocalGateway } from '../../examples/emdr-self-hosted/gateways';

export const REPO = path.resolve(__dirname, '..', '..');

const dirs: string[] = [];

export function tempDir(prefix = 'up-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Synthesizes the EMDR example for two local gateways; returns the bundle directory. */
export function emdrBundle(a: LocalGateway, b: LocalGateway, intervalMs = 300): string {
  const outdir = tempDir();
  const props = { gatewayA: a.host, gatewayB: b.host, port: a.port, requestInterval: Duration.millis(intervalMs) };
  const { app, stack } = emdrSelfHostedApp(props, outdir);
  app.synth();
  return path.join(outdir, stack.artifactId);
}

export function httpGet(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface SpawnedCli {
  readonly child: ChildProcess;
  readonly lines: string[];
  stderr: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first output line matching, waiting up to `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** `dns-failover <args>` from the TypeScript sources. */
export function spawnCli(args: readonly string[]): SpawnedCli {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/main.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let pending = '';
  child.stdout!.on('data', (c: Buffer) => {
    pending += c.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const spawned: SpawnedCli = {
    child,
    lines,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitForLine(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output line matched ${pattern} within ${timeoutMs} ms; output:\n${lines.join('\n')}\nstderr: ${spawned.stderr}`)), timeoutMs);
        const look = () => {
          for (const l of lines) {
            const m = pattern.exec(l);
            if (m) {
              clearTimeout(timer);
              resolve(m);
              return;
            }
          }
          waiters.push(look);
        };
        look();
      });
    },
  };
  child.stderr!.on('data', (c: Buffer) => (spawned.stderr += c.toString('utf8')));
  return spawned;
}

/** Ends a spawned process (by its pid) if it still runs, and waits for it. */
export async function stopProcess(p: SpawnedCli): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}
