/**
 * Interoperability with the DNS tools operators use: BIND's `dig` and Knot's `kdig`, covering the
 * EDNS compliance checks of RFC 8906 §8.2 and the other protocol behaviours, asserting on their
 * parsed output.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { sampleConfig } from './helpers';
import { DnsNode } from '../../lib/dns';

const run = promisify(execFile);

let node: DnsNode;
let port: number;

beforeAll(async () => {
  node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 } });
  port = node.dnsAddress.port;
});

afterAll(async () => {
  await node?.stop();
});

interface DigRecord {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

interface DigOutput {
  readonly text: string;
  readonly opcode: string;
  readonly status: string;
  readonly flags: string[];
  readonly edns?: { version: number; flags: string[]; mbz?: string; udp: number };
  readonly question: string[];
  readonly answer: DigRecord[];
  readonly authority: DigRecord[];
  readonly additional: DigRecord[];
  readonly transport: string;
}

function section(text: string, title: string): string[] {
  const start = text.indexOf(`;; ${title} SECTION:\n`);
  if (start < 0) return [];
  const body = text.slice(start).split('\n').slice(1);
  const end = body.indexOf('');
  return body.slice(0, end < 0 ? body.length : end);
}

function records(lines: string[]): DigRecord[] {
  return lines.map((l) => {
    const [name, ttl, , type, ...data] = l.split(/\s+/);
    return { name, ttl: Number(ttl), type, data: data.join(' ') };
  });
}

async function dig(...args: string[]): Promise<DigOutput> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args]);
  const header = /->>HEADER<<- opcode: (\w+), status: (\w+), id: \d+/.exec(stdout);
  const flags = /;; flags:([a-z ]*);/.exec(stdout);
  const edns = /; EDNS: version: (\d+), flags:([a-z ]*);(?: MBZ: (0x[0-9a-f]+) ?,)? udp: (\d+)/.exec(stdout);
  const server = /;; SERVER: .*\((UDP|TCP)\)/.exec(stdout);
  if (!header || !flags) throw new Error(`dig output not understood:\n${stdout}`);
  return {
    text: stdout,
    opcode: header[1],
    status: header[2],
    flags: flags[1].trim().split(/\s+/).filter(Boolean),
    edns: edns ? { version: Number(edns[1]), flags: edns[2].trim().split(/\s+/).filter(Boolean), mbz: edns[3], udp: Number(edns[4]) } : undefined,
    question: section(stdout, 'QUESTION'),
    answer: records(section(stdout, 'ANSWER')),
    authority: records(section(stdout, 'AUTHORITY')),
    additional: records(section(stdout, 'ADDITIONAL')),
    transport: server ? server[1] : '',
  };
}

async function kdig(...args: string[]): Promise<any> {
  const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(port), '+json', '+timeout=2', '+retry=0', ...args]);
  return JSON.parse(stdout);
}

const kdigOpt = (r: any) => (r.additionalRRs ?? []).find((x: any) => x.TYPE === 41);

describe('dig (RFC 8906 §8.2)', () => {
  test('plain DNS: no EDNS, an authoritative SOA answer', async () => {
    const r = await dig('+norec', '+noedns', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'aa']);
    expect(r.edns).toBeUndefined();
    expect(r.answer).toEqual([{ name: 'example.com.', ttl: 300, type: 'SOA', data: 'ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 60' }]);
    expect(r.transport).toBe('UDP');
  });

  test('plain DNS over TCP', async () => {
    const r = await dig('+norec', '+noedns', '+tcp', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.transport).toBe('TCP');
    expect(r.answer.map((a) => a.type)).toEqual(['SOA']);
  });

  test('EDNS version 0: OPT version 0 with our payload size', async () => {
    const r = await dig('+norec', '+edns=0', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.edns).toEqual({ version: 0, flags: [], mbz: undefined, udp: 1232 });
    expect(r.answer.map((a) => a.type)).toEqual(['SOA']);
  });

  test('EDNS version 1: BADVERS, OPT version 0, no answer', async () => {
    const r = await dig('+norec', '+edns=1', '+noednsneg', 'soa', 'example.com');
    expect(r.status).toBe('BADVERS');
    expect(r.edns?.version).toBe(0);
    expect(r.answer).toEqual([]);
  });

  test('an unknown EDNS option is ignored and not echoed', async () => {
    const r = await dig('+norec', '+ednsopt=100', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.answer.map((a) => a.type)).toEqual(['SOA']);
    expect(r.text).not.toMatch(/OPT=100/);
  });

  test('an unknown EDNS flag is ignored and not echoed', async () => {
    const r = await dig('+norec', '+ednsflags=0x80', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.edns?.mbz).toBeUndefined();
    expect(r.answer.map((a) => a.type)).toEqual(['SOA']);
  });

  test('EDNS version 1 with an unknown option: BADVERS', async () => {
    const r = await dig('+norec', '+edns=1', '+noednsneg', '+ednsopt=100', 'soa', 'example.com');
    expect(r.status).toBe('BADVERS');
    expect(r.edns?.version).toBe(0);
  });

  test('the DO bit is echoed', async () => {
    const r = await dig('+norec', '+dnssec', 'soa', 'example.com');
    expect(r.status).toBe('NOERROR');
    expect(r.edns?.flags).toEqual(['do']);
  });

  test('a small buffer and a large answer: TC; dig then retries over TCP and gets it all', async () => {
    const truncated = await dig('+norec', '+bufsize=512', '+ignore', 'txt', 'big.example.com');
    expect(truncated.flags).toContain('tc');
    expect(truncated.answer).toEqual([]);
    const full = await dig('+norec', '+bufsize=512', 'txt', 'big.example.com');
    expect(full.transport).toBe('TCP');
    expect(full.flags).not.toContain('tc');
    expect(full.answer).toHaveLength(1);
    expect(full.answer[0].data.split('" "')).toHaveLength(12);
  });
});

describe('dig, other behaviours', () => {
  test('NOTIMP for opcodes other than QUERY', async () => {
    for (const [opcode, name] of [[1, 'IQUERY'], [2, 'STATUS'], [15, 'RESERVED15']] as const) {
      const r = await dig('+norec', `+opcode=${opcode}`, 'soa', 'example.com');
      expect(r.status).toBe('NOTIMP');
      expect(r.opcode).toBe(name);
      expect(r.flags).not.toContain('aa');
    }
  });

  test('REFUSED outside our zones, without recursion available', async () => {
    const r = await dig('+rec', 'a', 'www.example.org');
    expect(r.status).toBe('REFUSED');
    expect(r.flags).not.toContain('ra');
    expect(r.flags).not.toContain('aa');
  });

  test('NXDOMAIN with the SOA in authority', async () => {
    const r = await dig('+norec', 'a', 'nope.example.com');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
    expect(r.authority).toEqual([expect.objectContaining({ name: 'example.com.', ttl: 60, type: 'SOA' })]);
  });

  test('the question\'s case is preserved', async () => {
    const r = await dig('+norec', 'a', 'WwW.ExAmPlE.cOm');
    expect(r.question[0]).toMatch(/^;WwW\.ExAmPlE\.cOm\.\s+IN\s+A$/);
    expect(r.answer.map((a) => a.data).sort()).toEqual(['192.0.2.80', '192.0.2.81']);
  });

  test('a CNAME chain and a failover group through the engine', async () => {
    const chain = await dig('+norec', 'a', 'to-emdr.example.com');
    expect(chain.answer[0]).toEqual({ name: 'to-emdr.example.com.', ttl: 300, type: 'CNAME', data: 'emdr.example.com.' });
    expect(chain.answer[1]).toEqual(expect.objectContaining({ name: 'emdr.example.com.', ttl: 60, type: 'A' }));
    expect(['192.0.2.10', '192.0.2.20']).toContain(chain.answer[1].data);
  });

  test('ANY gets one RRset', async () => {
    const r = await dig('+norec', 'any', 'www.example.com');
    expect(new Set(r.answer.map((a) => a.type))).toEqual(new Set(['A']));
  });
});

describe('kdig', () => {
  test('plain query without EDNS: authoritative answer, no OPT', async () => {
    const r = await kdig('+norec', 'soa', 'example.com');
    expect(r).toEqual(expect.objectContaining({ QR: 1, AA: 1, RA: 0, RCODE: 0, ANCOUNT: 1, ARCOUNT: 0 }));
    expect(kdigOpt(r)).toBeUndefined();
  });

  test('plain query with EDNS: authoritative answer, OPT with our payload size', async () => {
    const r = await kdig('+norec', '+edns', 'soa', 'example.com');
    expect(r).toEqual(expect.objectContaining({ QR: 1, AA: 1, RA: 0, RCODE: 0, ANCOUNT: 1, QNAME: 'example.com.' }));
    expect(kdigOpt(r)).toEqual(expect.objectContaining({ NAME: '.', CLASS: 1232, TTL: 0 }));
  });

  test('EDNS version 1: BADVERS (extended rcode 1 in the OPT)', async () => {
    const r = await kdig('+norec', '+edns=1', 'soa', 'example.com');
    expect(r.RCODE).toBe(0);
    expect(r.ANCOUNT).toBe(0);
    expect(kdigOpt(r).TTL).toBe(1 << 24); // extended rcode 1, version 0, no flags: 16 = BADVERS
  });

  test('an unknown EDNS option: answered, not echoed', async () => {
    const r = await kdig('+norec', '+ednsopt=65001:abcdef', 'soa', 'example.com');
    expect(r.RCODE).toBe(0);
    expect(r.ANCOUNT).toBe(1);
    expect(kdigOpt(r).RDLENGTH).toBe(0);
  });

  test('DO echoed', async () => {
    const r = await kdig('+norec', '+dnssec', 'soa', 'example.com');
    expect(kdigOpt(r).TTL & 0x8000).toBe(0x8000);
  });

  test('the header Z bit is not echoed', async () => {
    const r = await kdig('+norec', '+zflag', 'soa', 'example.com');
    expect(r.RCODE).toBe(0);
    expect(r.ANCOUNT).toBe(1);
    expect(r.Z ?? 0).toBe(0);
  });

  test('small buffer: TC; over TCP: the full answer', async () => {
    const udp = await kdig('+norec', '+bufsize=512', '+ignore', 'txt', 'big.example.com');
    expect(udp.TC).toBe(1);
    expect(udp.ANCOUNT).toBe(0);
    const tcp = await kdig('+norec', '+tcp', 'txt', 'big.example.com');
    expect(tcp.TC).toBe(0);
    expect(tcp.ANCOUNT).toBe(1);
    expect(tcp.msgLength).toBeGreaterThan(2400);
  });

  test('NXDOMAIN, NODATA and REFUSED', async () => {
    const nx = await kdig('+norec', 'a', 'nope.example.com');
    expect(nx.RCODE).toBe(3);
    expect(nx.authorityRRs.map((x: any) => x.TYPEname)).toEqual(['SOA']);
    const nodata = await kdig('+norec', 'mx', 'www.example.com');
    expect(nodata).toEqual(expect.objectContaining({ RCODE: 0, ANCOUNT: 0, NSCOUNT: 1 }));
    const refused = await kdig('+norec', 'a', 'example.net');
    expect(refused).toEqual(expect.objectContaining({ RCODE: 5, AA: 0 }));
  });
});
