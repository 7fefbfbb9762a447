/**
 * The GeoIP database the DNS nodes read (lib/bundle/geoip.ts): both schemas (MaxMind's, on its test
 * databases; ip-location-db's, on the embedded DB-IP database), the network length of each answer,
 * and the refusals: missing, unreadable, truncated, of a kind that holds no location, of a schema
 * without countries.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EMBEDDED_GEOIP_NAME, GeoIpDatabase, GeoIpError } from '../../lib/bundle/geoip';
import { tinyMaxMindDb } from '../helpers/mmdb';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'geoip');
const CITY = path.join(FIXTURES, 'GeoIP2-City-Test.mmdb');
const COUNTRY = path.join(FIXTURES, 'GeoLite2-Country-Test.mmdb');

test('MaxMind\'s schema: country, subdivision, position, and the length of the network', () => {
  const db = GeoIpDatabase.open(CITY);
  expect(db.databaseType).toBe('GeoIP2-City');
  expect(db.lookup('214.78.120.1')).toEqual({ location: { country: 'US', subdivision: 'CA', latitude: 32.7405, longitude: -117.0935 }, prefixLength: 22 });
  expect(db.lookup('2a02:d180::1')).toEqual({ location: { country: 'DE', latitude: 51.5, longitude: 10.5 }, prefixLength: 29 });
  expect(db.lookup('8.8.8.8').location).toBeUndefined();
  const country = GeoIpDatabase.open(COUNTRY);
  expect(country.lookup('2001:218::1')).toEqual({ location: { country: 'JP' }, prefixLength: 32 });
});

test('the embedded DB-IP database (ip-location-db\'s country_code schema)', () => {
  const db = GeoIpDatabase.embedded();
  expect(db.embedded).toBe(true);
  expect(db.description).toBe(EMBEDDED_GEOIP_NAME);
  expect(db.lookup('193.0.0.1')).toEqual({ location: { country: 'NL' }, prefixLength: 20 });
  expect(db.lookup('8.8.8.8').location).toEqual({ country: 'US' });
  // Documentation ranges map to no country.
  expect(db.lookup('203.0.113.1').location).toBeUndefined();
});

describe('refused, naming the file and the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geoip-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Buffer | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  test.each<[string, () => string, RegExp]>([
    ['a missing file', () => path.join(dir, 'missing.mmdb'), /missing\.mmdb does not exist; give the path of a MaxMind DB \(\.mmdb\) country or city database/],
    ['a file of another format', () => write('text.mmdb', 'hello'), /text\.mmdb is not a readable MaxMind DB file .*: give a \.mmdb country or city database/],
    ['a truncated database', () => write('cut.mmdb', fs.readFileSync(CITY).subarray(0, 8000)), /cut\.mmdb is not a readable MaxMind DB file/],
    ['an ASN database', () => write('asn.mmdb', tinyMaxMindDb({ autonomous_system_number: 64496 }, 'GeoLite2-ASN')), /asn\.mmdb is a 'GeoLite2-ASN' database, which holds no country/],
    ['records without a country', () => write('odd.mmdb', tinyMaxMindDb({ colour: 'blue' }, 'Odd-Test')), /odd\.mmdb \('Odd-Test'\) has no records with a country or coordinates/],
  ])('%s', (_, file, message) => {
    expect(() => GeoIpDatabase.open(file())).toThrow(GeoIpError);
    expect(() => GeoIpDatabase.open(file())).toThrow(message);
  });

  test('the tiny database itself is readable: its records are found (a control for the two above)', () => {
    const file = write('tiny.mmdb', tinyMaxMindDb({ country: { iso_code: 'DE' } }, 'Tiny-Country'));
    expect(GeoIpDatabase.open(file).lookup('192.0.2.1')).toEqual({ location: { country: 'DE' }, prefixLength: 1 });
  });
});
