/**
 * Test helpers: a sample bundle config, raw DNS clients over UDP and TCP, HTTP calls to the admin
 * API, and spawning the CLI from the TypeScript sources.
 */
import { ChildProcess, spawn } from 'child_process';
import * as dgram from 'dgram';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { BundleConfig } from '../../lib/bundle';
import { decodeMessage, EdnsOption, encodeMessage, Message, optRecord, Question, ResourceRecord, RRType } from '../../lib/dns';

export const REPO = path.resolve(__dirname, '..', '..');

/** A zone with every static record type, a weighted, a failover and a multivalue group. */
export function sampleConfig(overrides: Partial<BundleConfig> = {}): BundleConfig {
  const txtLong = Array.from({ length: 12 }, (_, i) => `"${String(i).padStart(2, '0')}-${'x'.repeat(200)}"`).join(' ');
  return {
    version: 1,
    zones: [
      {
        name: 'example.com',
        soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, minimum: 60, ttl: 300 },
        nameServers: ['ns1.example.com', 'ns2.example.com'],
        records: [
          { name: 'ns1.example.com', recordType: 'A', ttl: 3600, values: ['192.0.2.53'] },
          { name: 'ns2.example.com', recordType: 'AAAA', ttl: 3600, values: ['2001:db8::53'] },
          { name: 'www.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.80', '192.0.2.81'] },
          { name: 'www.example.com', recordType: 'AAAA', ttl: 300, values: ['2001:db8::80'] },
          { name: 'alias.example.com', recordType: 'CNAME', ttl: 300, values: ['www.example.com'] },
          { name: 'alias2.example.com', recordType: 'CNAME', ttl: 300, values: ['alias.example.com'] },
          { name: 'dangling.example.com', recordType: 'CNAME', ttl: 300, values: ['missing.example.com'] },
          { name: 'outside.example.com', recordType: 'CNAME', ttl: 300, values: ['www.example.net'] },
          { name: 'loop1.example.com', recordType: 'CNAME', ttl: 300, values: ['loop2.example.com'] },
          { name: 'loop2.example.com', recordType: 'CNAME', ttl: 300, values: ['loop1.example.com'] },
          { name: 'to-emdr.example.com', recordType: 'CNAME', ttl: 300, values: ['emdr.example.com'] },
          { name: 'example.com', recordType: 'MX', ttl: 300, values: ['10 mail.example.com', '20 mail2.example.com'] },
          { name: 'example.com', recordType: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
          { name: 'multi.example.com', recordType: 'TXT', ttl: 300, values: ['"part one" "part two"'] },
          { name: 'big.example.com', recordType: 'TXT', ttl: 300, values: [txtLong] },
          { name: 'deep.sub.example.com', recordType: 'A', ttl: 300, values: ['192.0.2.99'] },
        ],
      },
    ],
    healthChecks: [
      { id: 'gw-a', config: { type: 'HTTP', ipAddress: '192.0.2.10', port: 80, resourcePath: '/status' } },
      { id: 'gw-b', config: { type: 'HTTP', ipAddress: '192.0.2.20', port: 80, resourcePath: '/status' } },
      { id: 'primary', config: { type: 'TCP', ipAddress: '192.0.2.30', port: 443 } },
      { id: 'secondary', config: { type: 'TCP', ipAddress: '192.0.2.31', port: 443 } },
      { id: 'both', config: { type: 'CALCULATED', childHealthChecks: ['gw-a', 'gw-b'], healthThreshold: 2 } },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `mv-${i}`, config: { type: 'HTTP' as const, ipAddress: `192.0.2.${100 + i}` } })),
    ],
    recordSets: [
      { name: 'emdr.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.10'], setIdentifier: 'gw-a', weight: 50, healthCheckId: 'gw-a' },
      { name: 'emdr.example.com', recordType: 'A', ttl: 60, values: ['192.0.2.20'], setIdentifier: 'gw-b', weight: 50, healthCheckId: 'gw-b' },
      { name: 'app.example.com', recordType: 'A', ttl: 30, values: ['192.0.2.30'], setIdentifier: 'main', failover: 'PRIMARY', healthCheckId: 'primary' },
      { name: 'app.example.com', recordType: 'A', ttl: 30, values: ['192.0.2.31'], setIdentifier: 'backup', failover: 'SECONDARY', healthCheckId: 'secondary' },
      ...Array.from({ length: 10 }, (_, i) => ({
        name: 'mv.example.com', recordType: 'A' as const, ttl: 20, values: [`192.0.2.${100 + i}`], setIdentifier: `mv-${i}`, multiValueAnswer: true, healthCheckId: `mv-${i}`,
      })),
    ],
    verdict: { healthyFraction: 0.18, freshnessMs: 60_000 },
    checkers: [
      { id: 'c1', region: 'eu-west-1' },
      { id: 'c2', region: 'us-east-1' },
      { id: 'c3', region: 'ap-southeast-1' },
    ],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
    ...overrides,
  };
}

let nextId = 1;

export interface QueryOptions {
  readonly edns?: boolean;
  readonly udpSize?: number;
  readonly dnssecOk?: boolean;
  readonly flags?: number;
  readonly id?: number;
  /** EDNS options to send (for example `clientSubnet('203.0.113.0/24')`). */
  readonly ednsOptions?: readonly EdnsOption[];
}

export function query(name: string, type: number, options: QueryOptions = {}): Buffer {
  const additionals: ResourceRecord[] = options.edns === false
    ? []
    : [optRecord({ udpPayloadSize: options.udpSize ?? 1232, flags: options.dnssecOk ? 0x8000 : 0, ednsOptions: options.ednsOptions ?? [] })];
  const questions: Question[] = [{ name, type, klass: 1 }];
  const id = options.id ?? (nextId++ & 0xffff);
  return encodeMessage({ id, flags: options.flags ?? 0x0100, questions, answers: [], authorities: [], additionals });
}

/** Sends one UDP message and resolves with the raw response (rejects after `timeoutMs`). */
export function udpExchange(port: number, message: Buffer, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(message, port, host);
  });
}

export async function udpQuery(port: number, message: Buffer): Promise<Message> {
  return decodeMessage(await udpExchange(port, message));
}

/** Sends several messages on one TCP connection (pipelined) and collects as many responses. */
export function tcpExchange(port: number, messages: readonly Buffer[], timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const out: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`got ${out.length} of ${messages.length} TCP answers within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      socket.write(Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]))));
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0);
        out.push(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
      }
      if (out.length === messages.length) {
        clearTimeout(timer);
        socket.end();
        resolve(out);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json?: any;
}

export function httpRequest(
  port: number,
  method: string,
  urlPath: string,
  body?: string | Buffer,
  headers: http.OutgoingHttpHeaders = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface TestObservation {
  readonly healthCheckId: string;
  readonly healthy: boolean;
  readonly observedAt?: number;
  readonly reason?: string;
}

export function postReport(adminPort: number, checkerId: string, region: string, observations: TestObservation[]): Promise<HttpResult> {
  const now = Date.now();
  return httpRequest(adminPort, 'POST', '/reports', JSON.stringify({
    checkerId,
    region,
    observations: observations.map((o) => ({ observedAt: now, ...o })),
  }));
}

/** The addresses of A records in an answer section. */
export function addresses(m: Message): string[] {
  return m.answers.filter((r) => r.type === RRType.A && r.data.kind === 'A').map((r) => (r.data as { address: string }).address);
}

export interface Spawned {
  readonly child: ChildProcess;
  /** Every stdout line so far, parsed. */
  readonly events: any[];
  stderr: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first event matching `pred` (rejects after `timeoutMs`). */
  waitFor(pred: (e: any) => boolean, timeoutMs?: number): Promise<any>;
}

/**
 * Spawns `dns-failover` from the TypeScript sources (no build needed); `wrapper`: a command that runs it
 * (e.g. `['prlimit', '--nice=20:20', '--']`).
 */
export function spawnCli(args: readonly string[], wrapper: readonly string[] = []): Spawned {
  const command = [...wrapper, process.execPath, '-r', 'ts-node/register/transpile-only', 'lib/cli/main.ts', ...args];
  const child = spawn(command[0], command.slice(1), {
    cwd: REPO,
    // lib/ may hold compiled .js next to the sources: make ts-node load the sources.
    env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: any[] = [];
  const waiters: Array<{ pred: (e: any) => boolean; resolve: (e: any) => void }> = [];
  let buffered = '';
  child.stdout!.on('data', (c: Buffer) => {
    buffered += c.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let e: any;
      try {
        e = JSON.parse(line);
      } catch {
        e = { event: 'non-json', line };
      }
      events.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  const spawned: Spawned = {
    child,
    events,
    stderr: '',
    waitFor(pred, timeoutMs = 20_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching event within ${timeoutMs} ms; events: ${JSON.stringify(events)}; stderr: ${spawned.stderr}`));
        }, timeoutMs);
        waiters.push({ pred, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stderr!.on('data', (c: Buffer) => (spawned.stderr += c.toString('utf8')));
  return spawned;
}

/** Kills a spawned process (by its pid) if it still runs, and waits for it. */
export async function killSpawned(s: Spawned | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill('SIGKILL');
  await s.exited;
}

/**
 * An EDNS Client Subnet option (RFC 7871) for `subnet` (`203.0.113.0/24`, `2a02:d180::/48`): FAMILY,
 * SOURCE PREFIX-LENGTH, SCOPE 0 and the address truncated to the prefix, as a resolver sends it.
 * `raw` overrides fields to build malformed options.
 */
export function clientSubnet(subnet: string, raw: { family?: number; scope?: number; address?: Buffer; source?: number } = {}): EdnsOption {
  const [address, length] = subnet.split('/');
  const v6 = address.includes(':');
  const bytes = v6 ? ipv6Bytes(address) : Buffer.from(address.split('.').map(Number));
  const source = raw.source ?? Number(length);
  const octets = Math.ceil(source / 8);
  const addr = raw.address ?? Buffer.from(bytes.subarray(0, octets));
  if (raw.address === undefined && source % 8 !== 0) addr[octets - 1] &= (0xff << (8 - (source % 8))) & 0xff;
  const head = Buffer.from([0, raw.family ?? (v6 ? 2 : 1), source, raw.scope ?? 0]);
  return { code: 8, data: Buffer.concat([head, addr]) };
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/** The Client Subnet option of a response, decoded: FAMILY, SOURCE, SCOPE and the address octets. */
export function responseClientSubnet(m: Message): { family: number; source: number; scope: number; address: Buffer } | undefined {
  const opt = m.additionals.find((r) => r.type === RRType.OPT);
  if (!opt || opt.data.kind !== 'OPT') return undefined;
  const o = opt.data.options.find((x) => x.code === 8);
  if (!o) return undefined;
  return { family: o.data.readUInt16BE(0), source: o.data[2], scope: o.data[3], address: o.data.subarray(4) };
}
