/**
 * End to end through Node's own resolver (c-ares): what an application sees.
 */
import { promises as dnsPromises } from 'dns';
import { sampleConfig } from './helpers';
import { DnsNode } from '../../lib/dns';

let node: DnsNode;
let resolver: dnsPromises.Resolver;

beforeAll(async () => {
  node = await DnsNode.start({ config: sampleConfig(), dns: { host: '127.0.0.1', port: 0 } });
  resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${node.dnsAddress.port}`]);
});

afterAll(async () => {
  await node?.stop();
});

test('resolve4 with TTLs', async () => {
  const answer = await resolver.resolve4('www.example.com', { ttl: true });
  expect(answer.sort((a, b) => a.address.localeCompare(b.address))).toEqual([
    { address: '192.0.2.80', ttl: 300 },
    { address: '192.0.2.81', ttl: 300 },
  ]);
});

test('resolve6', async () => {
  expect(await resolver.resolve6('www.example.com')).toEqual(['2001:db8::80']);
});

test('resolve4 follows a CNAME chain inside the zone', async () => {
  expect((await resolver.resolve4('alias2.example.com')).sort()).toEqual(['192.0.2.80', '192.0.2.81']);
});

test('resolveCname', async () => {
  expect(await resolver.resolveCname('alias.example.com')).toEqual(['www.example.com']);
});

test('resolveSoa', async () => {
  expect(await resolver.resolveSoa('example.com')).toEqual({
    nsname: 'ns1.example.com',
    hostmaster: 'hostmaster.example.com',
    serial: 2024010101,
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minttl: 60,
  });
});

test('resolveNs', async () => {
  expect((await resolver.resolveNs('example.com')).sort()).toEqual(['ns1.example.com', 'ns2.example.com']);
});

test('resolveTxt, one and several character-strings', async () => {
  expect(await resolver.resolveTxt('example.com')).toEqual([['v=spf1 -all']]);
  expect(await resolver.resolveTxt('multi.example.com')).toEqual([['part one', 'part two']]);
});

test('resolveTxt of an answer too large for UDP: c-ares retries over TCP after TC', async () => {
  const [strings] = await resolver.resolveTxt('big.example.com');
  expect(strings).toHaveLength(12);
  expect(strings[11]).toBe(`11-${'x'.repeat(200)}`);
});

test('resolveMx', async () => {
  expect(await resolver.resolveMx('example.com')).toEqual([
    { exchange: 'mail.example.com', priority: 10 },
    { exchange: 'mail2.example.com', priority: 20 },
  ]);
});

test('a weighted failover group answers one of its members', async () => {
  const [address] = await resolver.resolve4('emdr.example.com');
  expect(['192.0.2.10', '192.0.2.20']).toContain(address);
});

test('NXDOMAIN is ENOTFOUND', async () => {
  await expect(resolver.resolve4('nope.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
});

test('NODATA is ENODATA', async () => {
  await expect(resolver.resolveMx('www.example.com')).rejects.toMatchObject({ code: 'ENODATA' });
  await expect(resolver.resolve4('sub.example.com')).rejects.toMatchObject({ code: 'ENODATA' });
});

test('outside the zones is EREFUSED', async () => {
  await expect(resolver.resolve4('www.example.org')).rejects.toMatchObject({ code: 'EREFUSED' });
});
