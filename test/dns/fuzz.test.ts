/**
 * Malformed input: many thousands of random and mutated packets (bit flips, truncation, random
 * lengths, bad label pointers and compression loops, huge counts) against the responder in-process
 * and against a spawned server over UDP and TCP; then proof that the process is alive and still
 * answers correctly. The generator is seeded, so a failure can be replayed.
 */
import * as dgram from 'dgram';
import { mkdtempSync, writeFileSync } from 'fs';
import * as net from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { addresses, httpRequest, killSpawned, query, sampleConfig, Spawned, spawnCli, tcpExchange, udpQuery } from './helpers';
import { parseBundleConfig } from '../../lib/bundle';
import { decodeMessage, DnsMetrics, Flag, fullRcodeOf, Rcode, rcodeOf, Responder, RRType, Transport, WireError, ZoneSet } from '../../lib/dns';
import { seededRandom, HealthState } from '../../lib/engine';

const SEED = 0x5eed1234;

/** Valid queries to mutate: several names, types, with and without EDNS. */
function seeds(): Buffer[] {
  const names = ['www.example.com', 'emdr.example.com', 'alias2.example.com', 'big.example.com', 'nope.example.com', 'example.com', 'mv.example.com', 'x.example.org'];
  const types = [RRType.A, RRType.AAAA, RRType.TXT, RRType.MX, RRType.ANY, RRType.SOA, RRType.NS, RRType.CNAME];
  const out: Buffer[] = [];
  for (const n of names) {
    for (const t of types) {
      out.push(query(n, t, { edns: false }));
      out.push(query(n, t, { udpSize: 4096, dnssecOk: true }));
    }
  }
  return out;
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** One mutated or random packet. */
function mutate(r: Rand, seedList: Buffer[]): Buffer {
  const base = Buffer.from(seedList[int(r, seedList.length)]);
  switch (int(r, 10)) {
    case 0: { // bit flips
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips; i++) base[int(r, base.length)] ^= 1 << int(r, 8);
      return base;
    }
    case 1: // truncation
      return base.subarray(0, int(r, base.length));
    case 2: { // random octets of a random length
      const b = Buffer.alloc(int(r, 600));
      for (let i = 0; i < b.length; i++) b[i] = int(r, 256);
      return b;
    }
    case 3: { // huge or wrong counts
      base.writeUInt16BE([0, 2, 0xffff, int(r, 65536)][int(r, 4)], 4 + 2 * int(r, 4));
      return base;
    }
    case 4: { // the question name replaced by a pointer: to itself, forward, or a two-pointer loop
      const kind = int(r, 4);
      const ptrs = [Buffer.from([0xc0, 12]), Buffer.from([0xc0, 14, 0xc0, 12]), Buffer.from([0xc0, 0xff]), Buffer.from([0xc0, 0x0d])][kind];
      return Buffer.concat([base.subarray(0, 12), ptrs, Buffer.from([0, 1, 0, 1])]);
    }
    case 5: { // bad label types and lengths inside the name
      const at = 12 + int(r, Math.max(1, base.length - 16));
      base[at] = [0x40, 0x80, 0x3f, 0xff, 0xc0][int(r, 5)];
      return base;
    }
    case 6: // trailing garbage
      return Buffer.concat([base, Buffer.from([int(r, 256), int(r, 256), int(r, 256)])]);
    case 7: { // random opcode, flags, class, type
      base.writeUInt16BE(int(r, 65536) & ~Flag.QR, 2);
      const qEnd = base.indexOf(0, 12) + 1;
      if (qEnd > 0 && qEnd + 4 <= base.length) base.writeUInt32BE(int(r, 2 ** 32), qEnd);
      return base;
    }
    case 8: { // additional records pointing anywhere (OPT with a compressed owner, loops)
      const extra = Buffer.from([0xc0, int(r, 256), 0, 41, 4, 0, 0, 0, 0, 0, 0, 0xc0, 0xc0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
      const b = Buffer.concat([base, extra]);
      b.writeUInt16BE(b.readUInt16BE(10) + 1 + int(r, 3), 10);
      return b;
    }
    default: { // a valid query, to be answered among the garbage
      return base;
    }
  }
}

const ALLOWED_RCODES = new Set<number>([Rcode.NOERROR, Rcode.FORMERR, Rcode.NXDOMAIN, Rcode.NOTIMP, Rcode.REFUSED, Rcode.BADVERS]);

test('in-process: 100,000 mutated packets never throw, and every response is well-formed', () => {
  const config = parseBundleConfig(JSON.parse(JSON.stringify(sampleConfig())));
  const zones = new ZoneSet(config);
  const health = new HealthState(config.healthChecks);
  const responder = new Responder(() => ({ zones, isHealthy: health.isHealthy }), new DnsMetrics(), { random: seededRandom(1) });
  const r = seededRandom(SEED);
  const list = seeds();
  const byRcode = new Map<number, number>();
  let dropped = 0;
  for (let i = 0; i < 100_000; i++) {
    const packet = mutate(r, list);
    const transport = i % 2 === 0 ? Transport.UDP : Transport.TCP;
    let out: Buffer | undefined;
    try {
      out = responder.answer(packet, packet.length, transport);
    } catch (e) {
      throw new Error(`packet ${i} (${packet.toString('hex')}) threw: ${(e as Error).message}`);
    }
    const fail = (why: string) => {
      throw new Error(`packet ${i} (${packet.toString('hex')}) -> ${out ? out.toString('hex') : 'nothing'}: ${why}`);
    };
    if (out === undefined) {
      dropped++;
      if (!(packet.length < 12 || (packet[2] & 0x80) !== 0)) fail('dropped, but it is a query with a full header');
      continue;
    }
    let m;
    try {
      m = decodeMessage(out);
    } catch (e) {
      fail(`undecodable response: ${(e as WireError).message}`);
    }
    if (m!.id !== packet.readUInt16BE(0)) fail('id not echoed');
    if ((m!.flags & Flag.QR) === 0) fail('QR not set');
    if ((m!.flags & Flag.RA) !== 0) fail('RA set');
    if (transport === Transport.UDP && out.length > 1232) fail(`a UDP response of ${out.length} octets`);
    const rcode = fullRcodeOf(m!);
    if (!ALLOWED_RCODES.has(rcode)) fail(`rcode ${rcode}`);
    byRcode.set(rcode, (byRcode.get(rcode) ?? 0) + 1);
    // An answered question is the query's question, octet for octet.
    if (m!.questions.length === 1) {
      const qLen = out.indexOf(0, 12) + 5 - 12;
      if (!out.subarray(12, 12 + qLen).equals(packet.subarray(12, 12 + qLen))) fail('the question differs from the query\'s');
    }
  }
  // The mutations reach every kind of answer.
  for (const rc of [Rcode.NOERROR, Rcode.FORMERR, Rcode.NXDOMAIN, Rcode.NOTIMP, Rcode.REFUSED, Rcode.BADVERS]) {
    expect(byRcode.get(rc) ?? 0).toBeGreaterThan(100);
  }
  expect(dropped).toBeGreaterThan(100);
});

describe('over the network, against a spawned server', () => {
  let cli: Spawned | undefined;
  let dnsPort = 0;
  let adminPort = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dns-fuzz-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(sampleConfig()));
    cli = spawnCli(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--tcp-idle-timeout', '500']);
    const started = await cli.waitFor((e) => e.event === 'started' || e.event === 'failed');
    expect(started.event).toBe('started');
    dnsPort = Number(String(started.dns).split(':')[1]);
    adminPort = Number(String(started.admin).split(':')[1]);
  }, 30_000);

  afterAll(async () => {
    await killSpawned(cli);
  });

  test('30,000 mutated UDP packets, then correct answers', async () => {
    const r = seededRandom(SEED + 1);
    const list = seeds();
    const socket = dgram.createSocket('udp4');
    let responses = 0;
    socket.on('message', () => responses++);
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    for (let batch = 0; batch < 150; batch++) {
      for (let i = 0; i < 200; i++) socket.send(mutate(r, list), dnsPort, '127.0.0.1');
      await new Promise((res) => setTimeout(res, 5));
    }
    await new Promise((res) => setTimeout(res, 300));
    socket.close();
    expect(responses).toBeGreaterThan(10_000);
    expect(cli!.child.exitCode).toBeNull();
    const m = await udpQuery(dnsPort, query('www.example.com', RRType.A));
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
    expect(addresses(m).sort()).toEqual(['192.0.2.80', '192.0.2.81']);
  }, 30_000);

  test('mutated and random TCP streams, cut frames and stalls, then correct answers', async () => {
    const r = seededRandom(SEED + 2);
    const list = seeds();
    const streams: Promise<void>[] = [];
    for (let c = 0; c < 120; c++) {
      const parts: Buffer[] = [];
      const frames = 1 + int(r, 30);
      for (let f = 0; f < frames; f++) {
        const p = mutate(r, list);
        const kind = int(r, 10);
        if (kind === 0) parts.push(Buffer.from([int(r, 256), int(r, 256)]), p); // a lying length prefix
        else if (kind === 1) parts.push(p); // no length prefix at all
        else parts.push(Buffer.from([p.length >> 8, p.length & 0xff]), p);
      }
      const stream = Buffer.concat(parts);
      const cut = int(r, 3) === 0 ? stream.subarray(0, int(r, stream.length + 1)) : stream;
      streams.push(new Promise<void>((resolve) => {
        const s = net.connect(dnsPort, '127.0.0.1');
        s.on('connect', () => {
          // Write in random pieces; sometimes end, sometimes stall and let the idle timeout close it.
          let at = 0;
          const step = () => {
            if (at >= cut.length) {
              if (int(r, 2) === 0) s.end();
              return;
            }
            const n = 1 + int(r, 300);
            s.write(cut.subarray(at, at + n));
            at += n;
            setImmediate(step);
          };
          step();
        });
        s.on('data', () => undefined);
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      }));
    }
    await Promise.all(streams);
    expect(cli!.child.exitCode).toBeNull();
    const answers = await tcpExchange(dnsPort, [query('big.example.com', RRType.TXT, { id: 1 }), query('nope.example.com', RRType.A, { id: 2 })]);
    const [big, nx] = answers.map((a) => decodeMessage(a));
    expect((big.answers[0].data as any).strings).toHaveLength(12);
    expect(rcodeOf(nx.flags)).toBe(Rcode.NXDOMAIN);
  }, 30_000);

  test('afterwards: the process is alive, healthy, and counted the malformed queries', async () => {
    expect(cli!.child.exitCode).toBeNull();
    expect((await httpRequest(adminPort, 'GET', '/healthz')).status).toBe(200);
    const metrics = (await httpRequest(adminPort, 'GET', '/metrics')).text;
    const formerr = [...metrics.matchAll(/^dns_failover_queries_total\{transport="(udp|tcp)",rcode="FORMERR",[^}]*\} (\d+)$/gm)];
    expect(new Set(formerr.map((m) => m[1]))).toEqual(new Set(['udp', 'tcp']));
    expect(formerr.reduce((n, m) => n + Number(m[2]), 0)).toBeGreaterThan(1000);
    expect(cli!.stderr).toBe('');
  });
});
