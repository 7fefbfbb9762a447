import {
  decodeMessage,
  encodeMessage,
  ipv6ToBytes,
  Message,
  nameToWire,
  optRecord,
  readName,
  RRType,
  typeCode,
  typeName,
  WireError,
  Writer,
} from '../../lib/dns';

const sample: Message = {
  id: 0xbeef,
  flags: 0x8500,
  questions: [{ name: 'www.example.com', type: RRType.A, klass: 1 }],
  answers: [
    { name: 'www.example.com', type: RRType.CNAME, klass: 1, ttl: 300, data: { kind: 'NAME', name: 'web.example.com' } },
    { name: 'web.example.com', type: RRType.A, klass: 1, ttl: 60, data: { kind: 'A', address: '192.0.2.1' } },
    { name: 'web.example.com', type: RRType.AAAA, klass: 1, ttl: 60, data: { kind: 'AAAA', address: '2001:db8::1' } },
    { name: 'example.com', type: RRType.MX, klass: 1, ttl: 60, data: { kind: 'MX', mx: { preference: 10, exchange: 'mail.example.com' } } },
    { name: 'example.com', type: RRType.TXT, klass: 1, ttl: 60, data: { kind: 'TXT', strings: [Buffer.from('v=spf1 -all'), Buffer.alloc(0), Buffer.from('x'.repeat(255))] } },
    { name: 'example.com', type: RRType.HINFO, klass: 1, ttl: 60, data: { kind: 'HINFO', hinfo: { cpu: 'RFC8482', os: '' } } },
    { name: 'example.com', type: 99, klass: 1, ttl: 60, data: { kind: 'RAW', data: Buffer.from([1, 2, 3]) } },
  ],
  authorities: [
    {
      name: 'example.com',
      type: RRType.SOA,
      klass: 1,
      ttl: 900,
      data: { kind: 'SOA', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 4294967295, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400 } },
    },
    { name: 'example.com', type: RRType.NS, klass: 1, ttl: 172800, data: { kind: 'NAME', name: 'ns1.example.com' } },
  ],
  additionals: [optRecord({ udpPayloadSize: 1232, flags: 0x8000, ednsOptions: [{ code: 10, data: Buffer.from('0102030405060708', 'hex') }] })],
};

describe('wire codec', () => {
  test('round-trips every record kind it knows', () => {
    const encoded = encodeMessage(sample);
    expect(decodeMessage(encoded)).toEqual(sample);
    // And re-encoding the decoded message gives the same octets.
    expect(encodeMessage(decodeMessage(encoded))).toEqual(encoded);
  });

  test('compresses names: each repeated suffix is a two-octet pointer to its first occurrence', () => {
    const compressed = encodeMessage(sample);
    // Uncompressed size: every name written in full.
    let uncompressed = 12;
    const full = (n: string) => nameToWire(n).length;
    uncompressed += full('www.example.com') + 4;
    for (const r of [...sample.answers, ...sample.authorities, ...sample.additionals]) {
      uncompressed += full(r.name) + 10;
      const d = r.data;
      if (d.kind === 'NAME') uncompressed += full(d.name);
      else if (d.kind === 'SOA') uncompressed += full(d.soa.mname) + full(d.soa.rname) + 20;
      else if (d.kind === 'MX') uncompressed += 2 + full(d.mx.exchange);
      else if (d.kind === 'A') uncompressed += 4;
      else if (d.kind === 'AAAA') uncompressed += 16;
      else if (d.kind === 'TXT') uncompressed += d.strings.reduce((n, s) => n + 1 + s.length, 0);
      else if (d.kind === 'HINFO') uncompressed += 2 + d.hinfo.cpu.length;
      else if (d.kind === 'RAW') uncompressed += d.data.length;
      else if (d.kind === 'OPT') uncompressed += d.options.reduce((n, o) => n + 4 + o.data.length, 0);
    }
    expect(compressed.length).toBeLessThan(uncompressed - 100);
    // The first answer's owner is exactly a pointer to the question name at offset 12.
    const qEnd = 12 + nameToWire('www.example.com').length + 4;
    expect(compressed.readUInt16BE(qEnd)).toBe(0xc000 | 12);
    // The CNAME target web.example.com compresses its suffix example.com to offset 16 (after "www").
    const rdataStart = qEnd + 2 + 10;
    expect(compressed.subarray(rdataStart, rdataStart + 4).toString('latin1')).toBe('\u0003web');
    expect(compressed.readUInt16BE(rdataStart + 4)).toBe(0xc000 | 16);
  });

  test('compression matches suffixes without regard to ASCII case, and keeps the case written first', () => {
    const w = new Writer();
    w.name('WWW.Example.COM');
    w.name('mail.example.com');
    const buf = w.toBuffer();
    expect(readName(buf, 17).name).toBe('mail.Example.COM');
  });

  test('escapes dots and non-printable octets in names, and reads them back', () => {
    const m: Message = { id: 1, flags: 0, questions: [{ name: 'a\\.b.c\\032d.\\000', type: 1, klass: 1 }], answers: [], authorities: [], additionals: [] };
    expect(decodeMessage(encodeMessage(m)).questions[0].name).toBe('a\\.b.c\\032d.\\000');
  });

  test('IPv6 text forms, including an embedded IPv4 tail, and RFC 5952 output', () => {
    expect(ipv6ToBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(ipv6ToBytes('2001:db8::').toString('hex')).toBe('20010db8000000000000000000000000');
    const m: Message = { id: 1, flags: 0, questions: [], answers: [{ name: 'x', type: RRType.AAAA, klass: 1, ttl: 1, data: { kind: 'AAAA', address: '2001:0db8:0:0:1:0:0:1' } }], authorities: [], additionals: [] };
    expect((decodeMessage(encodeMessage(m)).answers[0].data as { address: string }).address).toBe('2001:db8::1:0:0:1');
    expect(() => ipv6ToBytes('1::2::3')).toThrow("'1::2::3' is not an IPv6 address");
  });

  test('type names and codes, with RFC 3597 TYPEnnn for the rest', () => {
    expect(typeName(28)).toBe('AAAA');
    expect(typeName(65)).toBe('TYPE65');
    expect(typeCode('mx')).toBe(15);
    expect(typeCode('TYPE65')).toBe(65);
    expect(typeCode('NOPE')).toBeUndefined();
  });

  test('refuses names that break the limits', () => {
    expect(() => nameToWire(`${'a'.repeat(64)}.com`)).toThrow('a label of 64 octets; the limit is 63');
    expect(() => nameToWire(Array.from({ length: 52 }, () => 'abcd').join('.'))).toThrow('the limit is 255');
    expect(() => nameToWire('a..b')).toThrow('empty label');
  });
});

describe('wire decoder on hostile input', () => {
  const header = (qd: number, an = 0) => Buffer.from([0, 1, 0, 0, 0, qd, 0, an, 0, 0, 0, 0]);

  test.each([
    ['a message shorter than a header', Buffer.from([1, 2, 3]), 'shorter than the 12-octet header'],
    ['counts that cannot fit', Buffer.concat([header(0, 200), Buffer.alloc(20)]), 'section counts'],
    ['a pointer to itself', Buffer.concat([header(1), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), 'does not point backwards'],
    ['a forward pointer', Buffer.concat([header(1), Buffer.from([0xc0, 14, 0, 1, 0, 1, 0])]), 'does not point backwards'],
    ['an extended label type', Buffer.concat([header(1), Buffer.from([0x41, 0, 0, 1, 0, 1])]), 'label type 0x40'],
    ['a question without type and class', Buffer.concat([header(1), Buffer.from([3, 97, 98, 99, 0, 0])]), 'question runs past'],
    ['trailing octets', Buffer.concat([header(1), Buffer.from([0, 0, 1, 0, 1, 9])]), 'after the last record'],
  ])('throws a WireError on %s', (_what, buf, message) => {
    expect(() => decodeMessage(buf)).toThrow(WireError);
    expect(() => decodeMessage(buf)).toThrow(message);
  });

  test('names cut short: a pointer or a label past the end', () => {
    expect(() => readName(Buffer.from([3, 97, 98, 99, 0xc0]), 4)).toThrow('compression pointer cut short');
    expect(() => readName(Buffer.from([10, 97, 98]), 0)).toThrow('label runs past the end');
    expect(() => readName(Buffer.from([3, 97, 98, 99]), 0)).toThrow('name runs past the end');
  });

  test('a chain of backward pointers ends; a name built of pointers cannot exceed 255 octets', () => {
    // 40 labels of 10 octets, each pointing back to the previous one: the name grows past 255 octets.
    const parts: number[] = [...header(0)];
    let prev = -1;
    for (let i = 0; i < 40; i++) {
      const at = parts.length;
      parts.push(10, ...Buffer.from('abcdefghij'));
      if (prev < 0) parts.push(0);
      else parts.push(0xc0 | (prev >> 8), prev & 0xff);
      prev = at;
    }
    const buf = Buffer.from(parts);
    expect(() => readName(buf, prev)).toThrow('name longer than 255 octets');
  });

  test('record data must match its type', () => {
    const m = encodeMessage({ id: 1, flags: 0, questions: [], answers: [{ name: 'x', type: 99, klass: 1, ttl: 1, data: { kind: 'RAW', data: Buffer.from([1, 2, 3]) } }], authorities: [], additionals: [] });
    m.writeUInt16BE(RRType.A, 12 + 3); // now an A record with 3 octets of data
    expect(() => decodeMessage(m)).toThrow('A record data of 3 octets');
  });
});
