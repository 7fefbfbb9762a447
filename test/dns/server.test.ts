/**
 * The protocol behaviour of the server, checked on the wire with our own codec over real sockets.
 */
import * as net from 'net';
import { addresses, query, sampleConfig, tcpExchange, udpExchange, udpQuery } from './helpers';
import { decodeMessage, DnsNode, encodeMessage, Flag, fullRcodeOf, Message, optOf, optRecord, Rcode, rcodeOf, RRType } from '../../lib/dns';

let node: DnsNode;
let port: number;

beforeAll(async () => {
  node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 }, tcpIdleTimeoutMs: 400 });
  port = node.dnsAddress.port;
});

afterAll(async () => {
  await node?.stop();
});

const aa = (m: Message) => (m.flags & Flag.AA) !== 0;

describe('answers', () => {
  test('an A query: QR and AA set, RA clear, id and RD echoed, the records with their TTL', async () => {
    const m = await udpQuery(port, query('www.example.com', RRType.A, { id: 4242 }));
    expect(m.id).toBe(4242);
    expect(m.flags & Flag.QR).toBeTruthy();
    expect(aa(m)).toBe(true);
    expect(m.flags & Flag.RA).toBe(0);
    expect(m.flags & Flag.RD).toBeTruthy();
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
    expect(addresses(m).sort()).toEqual(['192.0.2.80', '192.0.2.81']);
    expect(m.answers.every((r) => r.ttl === 300)).toBe(true);
    const noRd = await udpQuery(port, query('www.example.com', RRType.A, { flags: 0 }));
    expect(noRd.flags & Flag.RD).toBe(0);
    expect(addresses(noRd)).toHaveLength(2);
  });

  test('the question\'s case is preserved, in the question and the answer owner', async () => {
    const raw = await udpExchange(port, query('WwW.ExAmPlE.CoM', RRType.AAAA));
    const m = decodeMessage(raw);
    expect(m.questions[0].name).toBe('WwW.ExAmPlE.CoM');
    expect(m.answers[0].name).toBe('WwW.ExAmPlE.CoM');
    expect(m.answers[0].data).toEqual({ kind: 'AAAA', address: '2001:db8::80' });
  });

  test('names are compressed: the answer owner is a pointer to the question', async () => {
    const raw = await udpExchange(port, query('www.example.com', RRType.A, { edns: false }));
    const afterQuestion = 12 + 17 + 4;
    expect(raw.readUInt16BE(afterQuestion)).toBe(0xc00c);
    expect(raw.length).toBe(afterQuestion + 2 * (2 + 10 + 4));
  });

  test('NXDOMAIN with the zone\'s SOA in authority, TTL min(SOA TTL, minimum)', async () => {
    const m = await udpQuery(port, query('nope.example.com', RRType.A));
    expect(rcodeOf(m.flags)).toBe(Rcode.NXDOMAIN);
    expect(aa(m)).toBe(true);
    expect(m.answers).toEqual([]);
    expect(m.authorities).toHaveLength(1);
    expect(m.authorities[0]).toMatchObject({ name: 'example.com', type: RRType.SOA, ttl: 60 });
    expect(m.authorities[0].data).toMatchObject({ kind: 'SOA', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, minimum: 60 } });
  });

  test('NXDOMAIN answers for names of different lengths and cases are each correct', async () => {
    // zz.ns1.example.com and zzzzzz.example.com have the same wire length: the kept NXDOMAIN answer
    // of the first must not point into labels the second does not have.
    for (const name of ['a.example.com', 'LONGER-NAME.example.com', 'x.y.z.Example.Com', 'zz.ns1.example.com', 'zzzzzz.example.com']) {
      const m = await udpQuery(port, query(name, RRType.A));
      expect(m.questions[0].name).toBe(name);
      expect(rcodeOf(m.flags)).toBe(Rcode.NXDOMAIN);
      expect(m.authorities[0].name.toLowerCase()).toBe('example.com');
      // Names compress against the question, so they come back in its case (equal in DNS).
      expect((m.authorities[0].data as any).soa.mname.toLowerCase()).toBe('ns1.example.com');
      expect((m.authorities[0].data as any).soa.rname.toLowerCase()).toBe('hostmaster.example.com');
    }
  });

  test('NODATA: NOERROR, no answer, the SOA in authority; also for an empty non-terminal', async () => {
    for (const [name, type] of [['www.example.com', RRType.MX], ['sub.example.com', RRType.A], ['emdr.example.com', RRType.AAAA]] as const) {
      const m = await udpQuery(port, query(name, type));
      expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
      expect(aa(m)).toBe(true);
      expect(m.answers).toEqual([]);
      expect(m.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
    }
  });

  test('REFUSED outside our zones, for other classes, and for zone transfers; AA clear', async () => {
    const outside = await udpQuery(port, query('www.example.org', RRType.A));
    expect(rcodeOf(outside.flags)).toBe(Rcode.REFUSED);
    expect(aa(outside)).toBe(false);
    expect(outside.answers).toEqual([]);
    const chaos = encodeMessage({ id: 7, flags: 0, questions: [{ name: 'version.bind', type: RRType.TXT, klass: 3 }], answers: [], authorities: [], additionals: [] });
    expect(rcodeOf(decodeMessage(await udpExchange(port, chaos)).flags)).toBe(Rcode.REFUSED);
    expect(rcodeOf((await udpQuery(port, query('example.com', RRType.AXFR))).flags)).toBe(Rcode.REFUSED);
    // A name that merely ends like the zone is outside it.
    expect(rcodeOf((await udpQuery(port, query('notexample.com', RRType.A))).flags)).toBe(Rcode.REFUSED);
  });

  test('SOA and NS at the apex, with glue for in-zone name servers', async () => {
    const soa = await udpQuery(port, query('example.com', RRType.SOA));
    expect(soa.answers).toHaveLength(1);
    expect(soa.answers[0]).toMatchObject({ type: RRType.SOA, ttl: 300 });
    const ns = await udpQuery(port, query('example.com', RRType.NS));
    expect(ns.answers.map((r) => (r.data as any).name).sort()).toEqual(['ns1.example.com', 'ns2.example.com']);
    expect(ns.answers[0].ttl).toBe(172800);
    const glue = ns.additionals.filter((r) => r.type !== RRType.OPT).map((r) => [r.name, (r.data as any).address]);
    expect(glue).toEqual(expect.arrayContaining([['ns1.example.com', '192.0.2.53'], ['ns2.example.com', '2001:db8::53']]));
  });

  test('MX and TXT (several character-strings)', async () => {
    const mx = await udpQuery(port, query('example.com', RRType.MX));
    expect(mx.answers.map((r) => (r.data as any).mx)).toEqual([{ preference: 10, exchange: 'mail.example.com' }, { preference: 20, exchange: 'mail2.example.com' }]);
    const txt = await udpQuery(port, query('multi.example.com', RRType.TXT));
    expect((txt.answers[0].data as any).strings.map(String)).toEqual(['part one', 'part two']);
  });
});

describe('CNAME', () => {
  test('a chain inside the zone is followed to the addresses', async () => {
    const m = await udpQuery(port, query('alias2.example.com', RRType.A));
    expect(m.answers.map((r) => [r.name, r.type])).toEqual([
      ['alias2.example.com', RRType.CNAME],
      ['alias.example.com', RRType.CNAME],
      ['www.example.com', RRType.A],
      ['www.example.com', RRType.A],
    ]);
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
  });

  test('a CNAME query gets the CNAME only', async () => {
    const m = await udpQuery(port, query('alias2.example.com', RRType.CNAME));
    expect(m.answers.map((r) => (r.data as any).name)).toEqual(['alias.example.com']);
  });

  test('a chain ending at a missing name: the CNAME, NXDOMAIN and the SOA (RFC 6604)', async () => {
    const m = await udpQuery(port, query('dangling.example.com', RRType.A));
    expect(m.answers.map((r) => r.type)).toEqual([RRType.CNAME]);
    expect(rcodeOf(m.flags)).toBe(Rcode.NXDOMAIN);
    expect(m.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
  });

  test('a chain ending at a name without the type: NODATA after the CNAME', async () => {
    const m = await udpQuery(port, query('alias.example.com', RRType.MX));
    expect(m.answers.map((r) => r.type)).toEqual([RRType.CNAME]);
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
    expect(m.authorities.map((r) => r.type)).toEqual([RRType.SOA]);
  });

  test('a target outside the zone is left to the resolver', async () => {
    const m = await udpQuery(port, query('outside.example.com', RRType.A));
    expect(m.answers.map((r) => (r.data as any).name)).toEqual(['www.example.net']);
    expect(m.authorities).toEqual([]);
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
  });

  test('a loop ends (loop guard) with each CNAME once', async () => {
    const m = await udpQuery(port, query('loop1.example.com', RRType.A));
    expect(m.answers.map((r) => [r.name, (r.data as any).name])).toEqual([
      ['loop1.example.com', 'loop2.example.com'],
      ['loop2.example.com', 'loop1.example.com'],
    ]);
  });
});

describe('ANY (RFC 8482)', () => {
  test('one RRset, not all of them', async () => {
    const www = await udpQuery(port, query('www.example.com', RRType.ANY));
    expect(new Set(www.answers.map((r) => r.type))).toEqual(new Set([RRType.A]));
    const apex = await udpQuery(port, query('example.com', RRType.ANY));
    expect(new Set(apex.answers.map((r) => r.type)).size).toBe(1);
    const alias = await udpQuery(port, query('alias.example.com', RRType.ANY));
    expect(alias.answers.map((r) => r.type)).toEqual([RRType.CNAME]);
    const nx = await udpQuery(port, query('nope.example.com', RRType.ANY));
    expect(rcodeOf(nx.flags)).toBe(Rcode.NXDOMAIN);
  });
});

describe('EDNS', () => {
  test('our OPT in the response: version 0, our payload size, no options', async () => {
    const m = await udpQuery(port, query('www.example.com', RRType.A, { udpSize: 4096 }));
    const opt = optOf(m)!;
    expect(opt).toBeDefined();
    expect(opt.klass).toBe(1232);
    expect((opt.ttl >>> 16) & 0xff).toBe(0);
    expect(opt.data).toEqual({ kind: 'OPT', options: [] });
  });

  test('no OPT in the response to a query without one', async () => {
    const m = await udpQuery(port, query('www.example.com', RRType.A, { edns: false }));
    expect(optOf(m)).toBeUndefined();
  });

  test('the DO bit is echoed when set, and only then', async () => {
    const withDo = await udpQuery(port, query('www.example.com', RRType.A, { dnssecOk: true }));
    expect(optOf(withDo)!.ttl & 0x8000).toBe(0x8000);
    const without = await udpQuery(port, query('www.example.com', RRType.A));
    expect(optOf(without)!.ttl & 0x8000).toBe(0);
  });

  test('unknown options and unknown flags are ignored (answered, not echoed)', async () => {
    const q = encodeMessage({
      id: 9,
      flags: 0x0100,
      questions: [{ name: 'www.example.com', type: RRType.A, klass: 1 }],
      answers: [],
      authorities: [],
      additionals: [optRecord({ udpPayloadSize: 1232, flags: 0x4080, ednsOptions: [{ code: 65001, data: Buffer.from('hello') }, { code: 100, data: Buffer.alloc(0) }] })],
    });
    const m = decodeMessage(await udpExchange(port, q));
    expect(rcodeOf(m.flags)).toBe(Rcode.NOERROR);
    expect(addresses(m)).toHaveLength(2);
    expect(optOf(m)!.ttl & 0xffff).toBe(0);
    expect((optOf(m)!.data as any).options).toEqual([]);
  });

  test('a version above 0 gets BADVERS with an OPT of version 0', async () => {
    const q = encodeMessage({
      id: 10,
      flags: 0,
      questions: [{ name: 'www.example.com', type: RRType.A, klass: 1 }],
      answers: [],
      authorities: [],
      additionals: [optRecord({ udpPayloadSize: 1232, version: 1 })],
    });
    const m = decodeMessage(await udpExchange(port, q));
    expect(fullRcodeOf(m)).toBe(Rcode.BADVERS);
    expect(rcodeOf(m.flags)).toBe(0);
    expect((optOf(m)!.ttl >>> 16) & 0xff).toBe(0);
    expect(m.answers).toEqual([]);
  });

  test('a payload size below 512 counts as 512', async () => {
    const m = await udpQuery(port, query('example.com', RRType.NS, { udpSize: 100 }));
    expect(m.flags & Flag.TC).toBe(0);
    expect(m.answers).toHaveLength(2);
  });
});

describe('truncation and TCP', () => {
  test('an answer larger than 512 octets without EDNS: TC, the question only', async () => {
    const raw = await udpExchange(port, query('big.example.com', RRType.TXT, { edns: false }));
    const m = decodeMessage(raw);
    expect(m.flags & Flag.TC).toBeTruthy();
    expect(m.answers).toEqual([]);
    expect(m.questions[0].name).toBe('big.example.com');
    expect(raw.length).toBeLessThanOrEqual(512);
  });

  test('with EDNS the payload size is honoured up to our maximum (1232)', async () => {
    const m = await udpQuery(port, query('big.example.com', RRType.TXT, { udpSize: 4096 }));
    expect(m.flags & Flag.TC).toBeTruthy();
    expect(optOf(m)).toBeDefined();
  });

  test('over TCP the full answer goes', async () => {
    const [raw] = await tcpExchange(port, [query('big.example.com', RRType.TXT)]);
    const m = decodeMessage(raw);
    expect(m.flags & Flag.TC).toBe(0);
    expect((m.answers[0].data as any).strings).toHaveLength(12);
    expect(raw.length).toBeGreaterThan(2400);
  });

  test('several queries on one connection are answered in order (pipelining)', async () => {
    const names = ['www.example.com', 'nope.example.com', 'example.com', 'www.example.org', 'alias.example.com'];
    const answers = await tcpExchange(port, names.map((n, i) => query(n, RRType.A, { id: 1000 + i })));
    const decoded = answers.map((a) => decodeMessage(a));
    expect(decoded.map((m) => m.id)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(decoded.map((m) => rcodeOf(m.flags))).toEqual([Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.NOERROR, Rcode.REFUSED, Rcode.NOERROR]);
  });

  test('a query split across TCP segments is reassembled', async () => {
    const q = query('www.example.com', RRType.A, { id: 77 });
    const framed = Buffer.concat([Buffer.from([0, q.length]), q]);
    const socket = net.connect(port, '127.0.0.1');
    const got = new Promise<Buffer>((resolve, reject) => {
      let acc = Buffer.alloc(0);
      socket.on('data', (c) => {
        acc = Buffer.concat([acc, c]);
        if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) resolve(acc.subarray(2));
      });
      socket.on('error', reject);
    });
    socket.setNoDelay(true);
    for (const byte of framed) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 2));
    }
    const m = decodeMessage(await got);
    socket.destroy();
    expect(m.id).toBe(77);
    expect(addresses(m)).toHaveLength(2);
  });

  test('an idle connection is closed after the idle timeout', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const idle = Date.now() - started;
    expect(idle).toBeGreaterThanOrEqual(350);
    expect(idle).toBeLessThan(3000);
  });

  test('a frame too short for a header closes the connection', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => socket.write(Buffer.from([0, 3, 1, 2, 3])));
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(Date.now() - started).toBeLessThan(300);
  });
});

describe('malformed queries and other opcodes', () => {
  const header = (id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0) =>
    Buffer.from([id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar]);
  const question = Buffer.from([3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 3, 99, 111, 109, 0, 0, 1, 0, 1]);

  test.each([
    ['no question', Buffer.concat([header(1, 0, 0)])],
    ['two questions', Buffer.concat([header(2, 0, 2), question, question])],
    ['a question cut short', Buffer.concat([header(3, 0, 1), question.subarray(0, 10)])],
    ['a compressed question name', Buffer.concat([header(4, 0, 1), Buffer.from([0xc0, 12, 0, 1, 0, 1])])],
    ['octets after the question', Buffer.concat([header(5, 0, 1), question, Buffer.from([1, 2, 3])])],
    ['an additional count with nothing there', Buffer.concat([header(6, 0, 1, 0, 0, 1), question])],
    ['two OPT records', Buffer.concat([header(7, 0, 1, 0, 0, 2), question, Buffer.from([0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]), Buffer.from([0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0])])],
    ['an OPT owned by a name other than the root', Buffer.concat([header(8, 0, 1, 0, 0, 1), question, Buffer.from([1, 97, 0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0])])],
    ['an EDNS option running past its record', Buffer.concat([header(9, 0, 1, 0, 0, 1), question, Buffer.from([0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 4, 0, 10, 0, 8])])],
    ['OPT as the query type', Buffer.concat([header(10, 0, 1), question.subarray(0, 17), Buffer.from([0, 41, 0, 1])])],
  ])('FORMERR for %s, id echoed, no answer', async (_what, msg) => {
    const m = decodeMessage(await udpExchange(port, msg));
    expect(m.id).toBe(msg.readUInt16BE(0));
    expect(rcodeOf(m.flags)).toBe(Rcode.FORMERR);
    expect(m.flags & Flag.QR).toBeTruthy();
    expect(m.answers).toEqual([]);
  });

  test.each([[1, 'IQUERY'], [2, 'STATUS'], [4, 'NOTIFY'], [5, 'UPDATE'], [15, 'unassigned']])('NOTIMP for opcode %i (%s), opcode echoed', async (opcode) => {
    const msg = Buffer.concat([header(20 + opcode, opcode << 11, 1), question]);
    const m = decodeMessage(await udpExchange(port, msg));
    expect(rcodeOf(m.flags)).toBe(Rcode.NOTIMP);
    expect((m.flags >> 11) & 0xf).toBe(opcode);
  });

  test('responses (QR set) and messages shorter than a header are dropped', async () => {
    await expect(udpExchange(port, Buffer.concat([header(30, 0x8000, 1), question]), 300)).rejects.toThrow('no UDP answer');
    await expect(udpExchange(port, Buffer.from([1, 2, 3]), 300)).rejects.toThrow('no UDP answer');
    // And the server still answers.
    expect(addresses(await udpQuery(port, query('www.example.com', RRType.A)))).toHaveLength(2);
  });
});

describe('IPv6', () => {
  test('listens on ::1 over UDP and TCP', async () => {
    const v6 = await DnsNode.start({ config: sampleConfig(), dns: { host: '::1', port: 0 } });
    try {
      const p = v6.dnsAddress.port;
      expect(addresses(decodeMessage(await udpExchange(p, query('www.example.com', RRType.A), 2000, '::1'))).sort()).toEqual(['192.0.2.80', '192.0.2.81']);
      const q = query('example.com', RRType.SOA, { id: 99 });
      const answer = await new Promise<Buffer>((resolve, reject) => {
        const s = net.connect(p, '::1', () => s.write(Buffer.concat([Buffer.from([0, q.length]), q])));
        let acc = Buffer.alloc(0);
        s.on('data', (c) => {
          acc = Buffer.concat([acc, c]);
          if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
            s.destroy();
            resolve(acc.subarray(2));
          }
        });
        s.on('error', reject);
      });
      expect(decodeMessage(answer)).toEqual(expect.objectContaining({ id: 99, answers: [expect.objectContaining({ type: RRType.SOA })] }));
    } finally {
      await v6.stop();
    }
  });
});
