/**
 * Test helpers for the checker: local servers that misbehave on purpose (all on 127.0.0.1 with
 * ephemeral ports), a self-signed certificate made with openssl at test time, a listener that never
 * accepts (its accept queue is full), and probe targets built from model configs.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { probe, ProbeResult, probeTargetOf, ProbeTarget, HostResolver, LookupIPv4 } from '../../lib/checker';
import { HealthCheckConfigModel } from '../../lib/model/types';

export const REPO = path.resolve(__dirname, '..', '..');

/** Closes every server, socket and child registered; call in afterEach/afterAll. */
export class Cleanup {
  private readonly tasks: Array<() => Promise<void> | void> = [];

  add(task: () => Promise<void> | void): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    const tasks = this.tasks.splice(0).reverse();
    for (const t of tasks) {
      try {
        await t();
      } catch {
        // best effort
      }
    }
  }
}

/** Listens on 127.0.0.1:0; tracks sockets so close() never waits for a client. */
export async function listen<T extends net.Server>(server: T, cleanup: Cleanup, host = '127.0.0.1'): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  // TLS servers report their raw sockets on 'connection' too; secure ones come with 'secureConnection'.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  cleanup.add(() => closeServer(server, sockets));
  return (server.address() as net.AddressInfo).port;
}

export function closeServer(server: net.Server, sockets?: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets ?? []) s.destroy();
    if ('closeAllConnections' in server) (server as unknown as http.Server).closeAllConnections();
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** A node:http server on 127.0.0.1. */
export async function httpServer(handler: http.RequestListener, cleanup: Cleanup): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 100;
  const port = await listen(server, cleanup);
  return { server, port };
}

/** A raw TCP server: the handler gets every connection and may write anything. */
export async function rawServer(onConnection: (socket: net.Socket) => void, cleanup: Cleanup): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    onConnection(s);
  });
  const port = await listen(server, cleanup);
  return { server, port };
}

/** A raw server that answers every request (after the first data) with these bytes and closes. */
export function rawResponder(response: string | Buffer, cleanup: Cleanup): Promise<{ server: net.Server; port: number }> {
  return rawServer((s) => {
    s.once('data', () => s.end(response));
  }, cleanup);
}

let cert: { key: Buffer; cert: Buffer } | undefined;

/** A self-signed certificate for CN=localhost, made once per test file with openssl. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  if (cert) return cert;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost',
    ], { stdio: 'ignore' });
    cert = { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
    return cert;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function httpsServer(
  options: https.ServerOptions,
  handler: http.RequestListener,
  cleanup: Cleanup,
): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer(options, handler);
  server.on('tlsClientError', () => undefined);
  const port = await listen(server, cleanup);
  return { server, port };
}

/** A port that refuses connections: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A local listener that never accepts: a child process listens with backlog 1 and is stopped
 * (SIGSTOP); two connections fill its accept queue, after which the kernel drops new SYNs, so a
 * connect hangs until the prober gives up ("connection timed out"), without any traffic leaving the
 * machine.
 */
export async function neverAcceptingPort(cleanup: Cleanup): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ['-e',
    "const s=require('net').createServer(()=>{});s.listen({host:'127.0.0.1',port:0,backlog:1},()=>{process.stdout.write(s.address().port+'\\n')})"], { stdio: ['ignore', 'pipe', 'ignore'] });
  const fillers: net.Socket[] = [];
  cleanup.add(() => {
    for (const f of fillers) f.destroy();
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  child.stdout!.destroy();
  process.kill(child.pid!, 'SIGSTOP');
  for (let i = 0; i < 8; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 150);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!connected) {
      s.destroy();
      return port;
    }
  }
  throw new Error('the accept queue of the stopped listener did not fill up');
}

/** A probe target from a model config (id 'hc'). */
export function target(config: HealthCheckConfigModel, id = 'hc'): ProbeTarget {
  return probeTargetOf({ id, config });
}

/** A resolver mapping names to addresses (others: ENOTFOUND), counting lookups. */
export function fakeLookup(map: Record<string, string | (() => Promise<string>)>): LookupIPv4 & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (hostname: string) => {
    calls.push(hostname);
    const v = map[hostname];
    if (typeof v === 'function') return v();
    if (v === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return v;
  }) as LookupIPv4 & { calls: string[] };
  fn.calls = calls;
  return fn;
}

/** Runs one probe, timing it. */
export async function timedProbe(t: ProbeTarget, resolver: HostResolver = new HostResolver()): Promise<ProbeResult & { elapsed: number }> {
  const started = performance.now();
  const result = await probe(t, { resolver });
  return { ...result, elapsed: performance.now() - started };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `fn` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
