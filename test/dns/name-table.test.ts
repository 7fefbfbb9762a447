/** The name table of the DNS node: names by wire form, found from a query's octets in any case. */
import { NameTable, wireNameHash } from '../../lib/dns/name-table';
import { nameToLabels } from '../../lib/dns/wire';
import { nameKey } from '../../lib/dns/zones';

const wire = (name: string) => Buffer.from(nameKey(nameToLabels(name)), 'latin1');

/** A question as it lies in a query: 12 octets of header, the name as sent, type and class. */
function inQuery(name: string): { buf: Buffer; start: number; end: number } {
  const labels = name.split('.').filter((l) => l !== '');
  const parts = labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'latin1')]);
  const buf = Buffer.concat([Buffer.alloc(12, 0xff), ...parts, Buffer.from([0, 0, 1, 0, 1])]);
  return { buf, start: 12, end: buf.length - 4 };
}

describe('NameTable', () => {
  it('finds a name from the octets of a query, whatever their case', () => {
    const t = new NameTable<string>();
    t.set(wire('emdr.example.com'), 'emdr');
    t.set(wire('example.com'), 'apex');
    for (const asked of ['emdr.example.com', 'EMDR.Example.COM', 'eMdR.eXaMpLe.CoM']) {
      const q = inQuery(asked);
      expect(t.get(q.buf, q.start, q.end)).toBe('emdr');
    }
    const apex = inQuery('EXAMPLE.com');
    expect(t.get(apex.buf, apex.start, apex.end)).toBe('apex');
  });

  it('finds nothing for a name it does not hold, also one that only shares a prefix or a suffix', () => {
    const t = new NameTable<string>();
    t.set(wire('emdr.example.com'), 'emdr');
    for (const asked of ['example.com', 'emdr.example.co', 'xemdr.example.com', 'a.emdr.example.com', 'com']) {
      const q = inQuery(asked);
      expect(t.get(q.buf, q.start, q.end)).toBeUndefined();
    }
    const root = Buffer.from([0]);
    expect(t.get(root, 0, 1)).toBeUndefined();
  });

  it('keeps every one of 20,000 names as it grows, each with its own value', () => {
    const t = new NameTable<number>(4);
    for (let i = 0; i < 20_000; i++) t.set(wire(`gw-${i}.example.com`), i);
    expect(t.size).toBe(20_000);
    for (let i = 0; i < 20_000; i += 7) {
      const q = inQuery(`GW-${i}.EXAMPLE.COM`);
      expect(t.get(q.buf, q.start, q.end)).toBe(i);
    }
    const q = inQuery('gw-20000.example.com');
    expect(t.get(q.buf, q.start, q.end)).toBeUndefined();
  });

  it('keeps the first value of a name added twice', () => {
    const t = new NameTable<string>();
    t.set(wire('a.example.com'), 'first');
    t.set(wire('A.EXAMPLE.COM'.toLowerCase()), 'second');
    expect(t.size).toBe(1);
    const q = inQuery('a.example.com');
    expect(t.get(q.buf, q.start, q.end)).toBe('first');
    expect(t.all()).toEqual(['first']);
  });

  it('tells apart names whose hashes collide', () => {
    // Two names with the same 32-bit hash (found by a search over base-36 labels).
    const pair: [string, string] = ['173zx.example.com', '1apad.example.com'];
    const [a, b] = pair.map(wire);
    expect(wireNameHash(a, 0, a.length)).toBe(wireNameHash(b, 0, b.length));
    const t = new NameTable<string>(2);
    t.set(a, pair[0]);
    t.set(b, pair[1]);
    expect(t.size).toBe(2);
    for (const name of pair) {
      const q = inQuery(name);
      expect(t.get(q.buf, q.start, q.end)).toBe(name);
    }
  });

  it('hashes the lower-cased octets: upper and lower case give the same hash', () => {
    const a = inQuery('WWW.Example.COM');
    const b = wire('www.example.com');
    expect(wireNameHash(a.buf, a.start, a.end)).toBe(wireNameHash(b, 0, b.length));
  });
});
