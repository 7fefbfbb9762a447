/**
 * DNS over TCP and UDP under attack (issue 13, item 4), on real sockets:
 * - connections that send a byte now and then are closed after the I/O timeout (Knot's
 *   tcp-io-timeout), one address gets at most its share of the slots, and a real `dig +tcp` is
 *   answered (before, 1,024 such connections held every slot for as long as they liked);
 * - when every slot is taken by idle connections, the longest idle one makes room for a new client;
 * - 50 connections that pipeline queries and never read their answers leave a node process's memory
 *   flat and are closed after the I/O timeout (before: 72 -> 329 MB);
 * - response rate limiting (off by default) answers, truncates and drops as configured, per netblock.
 */
import { execFile } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { httpRequest, killSpawned, query, sampleConfig, Spawned, spawnCli, tcpExchange } from './helpers';
import { DnsNode, RRType } from '../../lib/dns';
import { Cleanup, sleep, waitFor } from '../checker/helpers';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function node(options: Partial<Parameters<typeof DnsNode.start>[0]> = {}): Promise<DnsNode> {
  const n = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, ...options });
  cleanup.add(() => n.stop());
  return n;
}

/** A TCP connection from a given loopback address; resolves once connected (or closed at once). */
function connectFrom(localAddress: string, port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let closed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.on('data', () => undefined);
    cleanup.add(() => void socket.destroy());
    socket.once('connect', () => resolve({ socket, closed: () => closed }));
  });
}

async function dig(port: number, name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), '+tcp', '+tries=1', '+time=2', '+short', name, 'A']);
  return stdout.trim();
}

test('slow-byte connections: the per-client limit holds, the I/O timeout closes them, dig +tcp is answered', async () => {
  const n = await node({ maxTcpConnections: 32, maxTcpConnectionsPerClient: 8, tcpIoTimeoutMs: 500, tcpIdleTimeoutMs: 10_000 });
  const port = n.dnsAddress.port;
  // Four attacking addresses, ten connections each: 32 slots in all, 8 per address.
  const attackers = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].flatMap((a) => Array.from({ length: 10 }, () => connectFrom(a, port))));
  // Each announces a 40-octet message, then sends one octet of it every 300 ms.
  for (const a of attackers) if (!a.closed()) a.socket.write(Buffer.from([0, 40]));
  const drip = setInterval(() => {
    for (const a of attackers) if (!a.closed()) a.socket.write(Buffer.from([0x41]));
  }, 300);
  cleanup.add(() => clearInterval(drip));
  await sleep(150);
  // Two of each address's ten were closed at once.
  expect(attackers.filter((a) => a.closed())).toHaveLength(8);
  // Within the I/O timeout (and a margin) every dripping connection is closed, and dig is answered.
  await waitFor('every slow connection closed', () => (attackers.every((a) => a.closed()) ? true : undefined), 2500);
  expect(await dig(port, 'www.example.com')).toBe('192.0.2.80\n192.0.2.81');
  const metrics = (await httpRequest(n.adminAddress!.port, 'GET', '/metrics')).text;
  expect(metrics).toContain('dns_failover_tcp_connections_refused_total{reason="per-client-limit"} 8');
  expect(metrics).toContain('dns_failover_tcp_connections_closed_total{reason="io-timeout"} 32');
});

test('all slots held by idle connections: the longest idle one makes room for a new client', async () => {
  const n = await node({ maxTcpConnections: 4, tcpIdleTimeoutMs: 60_000 });
  const port = n.dnsAddress.port;
  const idle = [];
  for (const a of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) {
    const c = await connectFrom(a, port);
    // One complete query each, then nothing.
    const q = query('www.example.com', RRType.A);
    c.socket.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]));
    idle.push(c);
    await sleep(30);
  }
  expect(idle.some((c) => c.closed())).toBe(false);
  const [answer] = await tcpExchange(port, [query('www.example.com', RRType.A)]);
  expect(answer.length).toBeGreaterThan(12);
  await sleep(50);
  // The first (longest idle) went; the others stay.
  expect(idle.map((c) => c.closed())).toEqual([true, false, false, false]);
});

/** Resident memory of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

test('50 connections pipelining queries without reading: memory stays flat, the connections are closed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-flood-'));
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(sampleConfig()));
  const server: Spawned = spawnCli(['serve', '--config', path.join(dir, 'config.json'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  cleanup.add(() => killSpawned(server));
  const started = await server.waitFor((e) => e.event === 'started');
  const port = Number(String(started.dns).split(':')[1]);
  await sleep(500);
  const before = rssMiB(server.child.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(server.child.pid!))), 20);
  cleanup.add(() => clearInterval(sampler));
  // big.example.com TXT: a 2.5 KB answer to a 40-octet query, 2,000 queries per write.
  const q = query('big.example.com', RRType.TXT);
  const batch = Buffer.concat(Array.from({ length: 2000 }, () => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])));
  const conns = await Promise.all(Array.from({ length: 50 }, () => connectFrom('127.0.0.1', port)));
  for (const c of conns) {
    c.socket.pause(); // never read an answer
    const pump = () => {
      while (!c.closed() && c.socket.write(batch)) { /* as fast as the server takes them */ }
      if (!c.closed()) c.socket.once('drain', pump);
    };
    pump();
  }
  // The server stops reading each connection once 64 KiB of answers wait, and closes it after the I/O timeout (2 s).
  await waitFor('every flooding connection closed by the server', () => (conns.every((c) => c.closed()) ? true : undefined), 8000);
  clearInterval(sampler);
  expect(peak - before).toBeLessThan(60);
  expect(await dig(port, 'www.example.com')).toBe('192.0.2.80\n192.0.2.81');
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
});

/** Sends `count` queries from `localAddress` and counts what comes back within a moment: full answers and truncated ones. */
async function udpBurst(port: number, localAddress: string, count: number): Promise<{ full: number; truncated: number }> {
  const socket = dgram.createSocket('udp4');
  cleanup.add(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  await new Promise<void>((resolve) => socket.bind(0, localAddress, () => resolve()));
  let full = 0;
  let truncated = 0;
  socket.on('message', (m) => {
    if (m[2] & 0x02) truncated++;
    else full++;
  });
  for (let i = 0; i < count; i++) socket.send(query('www.example.com', RRType.A), port, '127.0.0.1');
  await sleep(300);
  return { full, truncated };
}

test('response rate limiting: off by default; when on, per netblock and answer: answered, then truncated or dropped', async () => {
  const off = await node();
  expect(await udpBurst(off.dnsAddress.port, '127.0.0.3', 200)).toEqual({ full: 200, truncated: 0 });

  const on = await node({ rrl: { responsesPerSecond: 10, slip: 2 } });
  const port = on.dnsAddress.port;
  const burst = await udpBurst(port, '127.0.0.3', 200);
  // About one second's worth answered (10, and a little refill), half of the rest truncated, half dropped.
  expect(burst.full).toBeGreaterThanOrEqual(10);
  expect(burst.full).toBeLessThanOrEqual(14);
  expect(burst.truncated).toBeGreaterThanOrEqual(90);
  expect(burst.truncated).toBeLessThanOrEqual(96);
  // Another /24 is not affected.
  expect(await udpBurst(port, '127.0.1.1', 5)).toEqual({ full: 5, truncated: 0 });
  const metrics = (await httpRequest(on.adminAddress!.port, 'GET', '/metrics')).text;
  expect(metrics).toMatch(/dns_failover_rrl_responses_total\{action="dropped"\} 9\d/);
  expect(metrics).toMatch(/dns_failover_rrl_responses_total\{action="slipped"\} 9\d/);
});
