/**
 * The attacks of issue 13 against one build of `dns-failover serve` (before or after the fix), each
 * against a fresh node process, with the node's resident memory sampled every 20 ms.
 *
 *   node attacks.js <path of the build's lib/cli/main.js> <config.json> <keys dir> <label>
 *
 * Prints one Markdown table row per attack. Loopback only (127.0.0.0/8); every process and socket it
 * starts is stopped before it exits. The driver imports nothing of the project, so the same driver
 * measures every build.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import { performance } from 'perf_hooks';
import { promisify } from 'util';

const [cli, configFile, keysDir, label] = process.argv.slice(2);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Node {
  readonly child: ChildProcess;
  readonly dnsPort: number;
  readonly adminPort: number;
  stop(): Promise<void>;
}

let portBase = 26000 + Math.floor(Math.random() * 2000) * 2;

/** Starts `serve` with the keys (this build's flag for them) and extra flags; resolves once it logs `started`. */
async function startNode(extra: string[] = []): Promise<Node> {
  const dnsPort = portBase++;
  const adminPort = portBase++;
  const help = await promisify(execFile)(process.execPath, [cli, 'serve', '--help']);
  const keyFlags = help.stdout.includes('--keys-dir') ? ['--keys-dir', keysDir] : ['--secret-file', `${keysDir}/c1`];
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile, '--listen', `127.0.0.1:${dnsPort}`, '--admin', `127.0.0.1:${adminPort}`, ...keyFlags, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('"event":"started"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  await sleep(1000); // settle after startup
  return {
    child,
    dnsPort,
    adminPort,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
  };
}

/** Samples the node's RSS until stopped; returns baseline, peak and the last value. */
function sampler(pid: number): { stop(): { before: number; peak: number; after: number } } {
  const before = rssMiB(pid);
  let peak = before;
  let last = before;
  const timer = setInterval(() => {
    last = rssMiB(pid);
    if (last > peak) peak = last;
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return { before, peak, after: rssMiB(pid) };
    },
  };
}

async function dig(port: number): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), '+tcp', '+tries=1', '+time=2', '+short', 'www.example.com', 'A']);
    return stdout.trim() === '192.0.2.80' ? 'answered' : `no answer (${stdout.trim() || 'empty'})`;
  } catch (e) {
    return `failed (${(e as { stdout?: string }).stdout?.trim().split('\n').pop() ?? (e as Error).message})`;
  }
}

const frame = (q: Buffer) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);

/** A query for `name` `type`, by hand (the driver uses nothing of the project). */
function query(name: string, type: number, id = 1): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'ascii')]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

function row(attack: string, what: string, m: { before: number; peak: number; after: number } | undefined, result: string): void {
  const mem = m ? `${m.before.toFixed(0)} → peak ${m.peak.toFixed(0)} MiB (+${(m.peak - m.before).toFixed(0)})` : '';
  process.stdout.write(`| ${label} | ${attack} | ${what} | ${mem} | ${result} |\n`);
}

/** 100 connections, each POSTing a 4 MiB body to /reports with credentials that do not verify. */
async function adminFlood(): Promise<void> {
  const node = await startNode();
  const s = sampler(node.child.pid!);
  const size = 4 * 1024 * 1024;
  const body = Buffer.alloc(size, 0x20);
  const now = Date.now();
  const headers = [
    'POST /reports HTTP/1.1', `host: 127.0.0.1:${node.adminPort}`, 'content-type: application/json', `content-length: ${size}`,
    'x-dns-failover-checker: c1', `x-dns-failover-timestamp: ${now}`, `x-dns-failover-sequence: ${now * 1000}`,
    `x-dns-failover-body-sha256: ${'0'.repeat(64)}`, `x-dns-failover-signature: v2=${'0'.repeat(64)}`, '', '',
  ].join('\r\n');
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: 100 }, () => new Promise<string>((resolve) => {
    const socket = net.connect(node.adminPort, '127.0.0.1');
    let text = '';
    let at = 0;
    const timer = setTimeout(() => socket.destroy(), 60_000);
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text.split('\r\n')[0] || 'closed without an answer');
    });
    socket.write(headers);
    const pump = () => {
      while (at < size && text === '' && !socket.destroyed) {
        const piece = body.subarray(at, at + 65536);
        at += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (at >= size || text !== '') setTimeout(() => socket.end(), 100);
    };
    pump();
  })));
  const ms = performance.now() - started;
  await sleep(500);
  const m = s.stop();
  const counts = new Map<string, number>();
  for (const st of statuses) counts.set(st, (counts.get(st) ?? 0) + 1);
  row('admin flood', '100 connections × 4 MiB POST /reports, bad credentials', m, `${[...counts].map(([k, v]) => `${v}× ${k}`).join(', ')}; ${(ms / 1000).toFixed(1)} s`);
  await node.stop();
}

/** 50 connections pipelining big.example.com TXT queries (2.5 KB answers) for 10 s, never reading. */
async function tcpPipeline(): Promise<void> {
  const node = await startNode();
  const s = sampler(node.child.pid!);
  const batch = Buffer.concat(Array.from({ length: 2000 }, (_, i) => frame(query('big.example.com', 16, i + 1))));
  let closedByServer = 0;
  const sockets = await Promise.all(Array.from({ length: 50 }, () => new Promise<net.Socket>((resolve) => {
    const socket = net.connect(node.dnsPort, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
    socket.on('close', () => closedByServer++);
  })));
  for (const socket of sockets) {
    socket.pause();
    const pump = () => {
      while (!socket.destroyed && socket.write(batch)) { /* as fast as the server takes them */ }
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  }
  await sleep(10_000);
  const m = s.stop();
  const answered = await dig(node.dnsPort);
  const open = sockets.length - closedByServer;
  for (const socket of sockets) socket.destroy();
  row('TCP pipeline', '50 connections pipelining big TXT queries, never reading, 10 s', m, `${closedByServer} of 50 closed by the server; dig +tcp: ${answered}${open > 0 ? `; ${open} still open` : ''}`);
  await node.stop();
}

/** 1,024 connections from `addresses` sending a byte every 5 s; dig +tcp from 127.0.0.1 after 3 s. */
async function tcpSlow(addresses: readonly string[], what: string): Promise<void> {
  const node = await startNode();
  const s = sampler(node.child.pid!);
  const sockets: net.Socket[] = [];
  let closed = 0;
  for (let i = 0; i < 1024; i++) {
    const socket = net.connect({ host: '127.0.0.1', port: node.dnsPort, localAddress: addresses[i % addresses.length] });
    socket.on('error', () => undefined);
    socket.on('close', () => closed++);
    socket.on('connect', () => socket.write(Buffer.from([0, 40]))); // a 40-octet message announced ...
    sockets.push(socket);
  }
  const drip = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write(Buffer.from([0x41])); // ... an octet every 5 s
  }, 5000);
  await sleep(3000);
  const at3 = await dig(node.dnsPort);
  await sleep(7000);
  const m = s.stop();
  clearInterval(drip);
  const openAt10 = 1024 - closed;
  for (const socket of sockets) socket.destroy();
  row('TCP slow bytes', what, m, `dig +tcp after 3 s: ${at3}; attacker connections still open after 10 s: ${openAt10}`);
  await node.stop();
}

/** 10,000 UDP queries as fast as one socket sends them, from 127.0.0.3; answers counted. */
async function udpFlood(extra: string[], what: string): Promise<void> {
  const node = await startNode(extra);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.3', () => resolve()));
  socket.setRecvBufferSize(8 << 20);
  let full = 0;
  let truncated = 0;
  socket.on('message', (m) => (m[2] & 0x02 ? truncated++ : full++));
  const q = query('www.example.com', 1);
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) {
    socket.send(q, node.dnsPort, '127.0.0.1');
    if (i % 10 === 9) await sleep(1); // at most 10 a millisecond: what is not answered is the server's choice, not a full buffer
  }
  const ms = performance.now() - started;
  await sleep(1000);
  socket.close();
  row('UDP flood', what, undefined, `10,000 queries in ${(ms / 1000).toFixed(1)} s from one address: ${full} answered, ${truncated} truncated (TC), ${10_000 - full - truncated} not answered`);
  await node.stop();
}

async function main(): Promise<void> {
  const only = process.env.ATTACKS?.split(',');
  const run = (name: string) => only === undefined || only.includes(name);
  if (run('admin')) await adminFlood();
  if (run('pipeline')) await tcpPipeline();
  if (run('slow')) {
    await tcpSlow(['127.0.0.2'], '1,024 connections from one address, a byte every 5 s');
    await tcpSlow(Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 10}`), '1,024 connections from 16 addresses, a byte every 5 s');
  }
  if (run('udp')) {
    await udpFlood([], 'default settings');
    const help = await promisify(execFile)(process.execPath, [cli, 'serve', '--help']);
    if (help.stdout.includes('--rrl-rate')) await udpFlood(['--rrl-rate', '20'], '--rrl-rate 20 (slip 2)');
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
