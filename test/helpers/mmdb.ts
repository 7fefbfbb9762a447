/**
 * A tiny MaxMind DB file written from the format's specification (MaxMind DB File Format 2.0): an
 * IPv4 search tree of one node whose both records point at one data record, so every address maps to
 * `record`. For tests of databases of the wrong kind or schema (an ASN database, records without a
 * country), which the test databases of test/fixtures/geoip do not include.
 */

function control(type: number, size: number): Buffer {
  if (size >= 29) throw new Error('tiny MaxMind DB: sizes of 29 and more are not written here');
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function uint(type: number, value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

type Value = string | number | boolean | readonly Value[] | { readonly [key: string]: Value };

/** Encodes a value: strings (2), uint32 (6) for numbers, arrays (11), maps (7), booleans (14). */
function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const s = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, s.length), s]);
  }
  if (typeof value === 'number') return uint(6, value);
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value as Record<string, Value>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** The database's bytes: every IPv4 address maps to `record`; `databaseType` goes into the metadata. */
export function tinyMaxMindDb(record: { readonly [key: string]: Value }, databaseType: string): Buffer {
  const nodeCount = 1;
  // One node, record size 24: both records point at data offset 0 (value = node count + 16 + offset).
  const pointer = nodeCount + 16;
  const tree = Buffer.from([pointer >> 16, (pointer >> 8) & 0xff, pointer & 0xff, pointer >> 16, (pointer >> 8) & 0xff, pointer & 0xff]);
  const data = encode(record);
  const metadata = Buffer.concat([
    control(7, 9),
    encode('node_count'), uint(6, nodeCount),
    encode('record_size'), uint(5, 24),
    encode('ip_version'), uint(5, 4),
    encode('database_type'), encode(databaseType),
    encode('languages'), encode(['en']),
    encode('binary_format_major_version'), uint(5, 2),
    encode('binary_format_minor_version'), uint(5, 0),
    encode('build_epoch'), uint(9, 1_700_000_000),
    encode('description'), encode({ en: 'a tiny test database' }),
  ]);
  return Buffer.concat([tree, Buffer.alloc(16), data, Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), metadata]);
}
