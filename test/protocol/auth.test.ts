/**
 * Report authentication end to end: signed reports posted to a real DNS node's admin API
 * (`POST /reports`) are accepted; unauthenticated, bad MAC, malformed, too old, from the future,
 * out-of-order and replayed ones are refused with the right status and reason; the node's status
 * shows each checker's last report, its age and its credentials.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { request } from 'undici';
import { BundleConfig } from '../../lib/bundle';
import { DnsNode } from '../../lib/dns';
import {
  CHECKER_HEADER, HmacReportAuthenticator, readSecretFile, REFUSE_REPORTS, SEQUENCE_HEADER, SIGNATURE_HEADER, signReport, TIMESTAMP_HEADER,
} from '../../lib/protocol/auth';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');

function reportConfig(): BundleConfig {
  return {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [{ id: 'gw-a', config: { type: 'HTTP', ipAddress: '127.0.0.1', port: 9 } }],
    recordSets: [
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'a', failover: 'PRIMARY', healthCheckId: 'gw-a' },
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'b', failover: 'SECONDARY' },
    ],
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
}

let node: DnsNode;
let url: string;
let now = Date.now();
let seq = 1;
const clock = () => now;

beforeAll(async () => {
  node = await DnsNode.start({
    config: reportConfig(),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    reportAuthenticator: new HmacReportAuthenticator({ secret: SECRET, maxClockSkewMs: 30_000 }),
    clock,
    evaluateIntervalMs: 60_000,
  });
  url = `http://127.0.0.1:${node.adminAddress!.port}/reports`;
});
afterAll(() => node.stop());

function body(checkerId = 'c1', healthy = false, observedAt = now): Buffer {
  return Buffer.from(JSON.stringify({ checkerId, region: checkerId === 'c1' ? 'r1' : 'r2', observations: [{ healthCheckId: 'gw-a', healthy, observedAt, reason: 'connection refused' }] }));
}

async function post(payload: Buffer, headers: Record<string, string>): Promise<{ status: number; error?: string; accepted?: number }> {
  const res = await request(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } });
  const json = (await res.body.json()) as { error?: string; accepted?: number };
  return { status: res.statusCode, ...json };
}

const signed = (payload: Buffer, opts: { checker?: string; ts?: number; sequence?: number; secret?: Buffer } = {}) =>
  signReport(opts.secret ?? SECRET, opts.checker ?? 'c1', payload, opts.ts ?? now, opts.sequence ?? ++seq * 10);

async function status(): Promise<{ checkers: Array<Record<string, unknown>>; healthChecks: Array<Record<string, unknown>> }> {
  const res = await request(`http://127.0.0.1:${node.adminAddress!.port}/status`);
  return (await res.body.json()) as never;
}

test('a signed report is accepted and feeds the verdicts', async () => {
  const r = await post(body('c1', false), signed(body('c1', false)));
  expect(r).toMatchObject({ status: 200, accepted: 1 });
  // 0 of 1 fresh report healthy: the primary is unhealthy at this node
  expect(node.isHealthy('gw-a')).toBe(false);
});

test('without credentials: 401 unauthenticated, naming what is missing', async () => {
  const r = await post(body(), {});
  expect(r.status).toBe(401);
  expect(r.error).toBe(`unauthenticated: missing ${CHECKER_HEADER}, ${TIMESTAMP_HEADER}, ${SEQUENCE_HEADER}, ${SIGNATURE_HEADER}; checkers sign every report with the shared secret (HMAC-SHA256, dns-failover-report-v1)`);
});

test('a bad MAC: 401 (wrong secret, tampered body, tampered sequence, malformed signature)', async () => {
  const b = body();
  const wrongSecret = await post(b, signed(b, { secret: Buffer.from('another secret of 32 characters!') }));
  expect(wrongSecret.status).toBe(401);
  expect(wrongSecret.error).toMatch(/^unauthenticated: the signature does not match \(checker 'c1'\)/);

  const h = signed(b);
  const tampered = Buffer.from(b.toString().replace('"healthy":false', '"healthy":true '));
  expect((await post(tampered, h)).status).toBe(401);

  const h2 = signed(b);
  expect((await post(b, { ...h2, [SEQUENCE_HEADER]: String(Number(h2[SEQUENCE_HEADER]) + 1) })).status).toBe(401);

  const bad = await post(b, { ...signed(b), [SIGNATURE_HEADER]: 'sha256=abc' });
  expect(bad).toMatchObject({ status: 401, error: `unauthenticated: ${SIGNATURE_HEADER} must be 'v1=' and 64 lowercase hex digits` });
  const badTs = await post(b, { ...signed(b), [TIMESTAMP_HEADER]: '12e5' });
  expect(badTs.error).toContain(`${TIMESTAMP_HEADER} '12e5' is not ms since epoch`);
});

test('a malformed body with a good MAC: 400 with the reason', async () => {
  const notJson = Buffer.from('{"checkerId": "c1", oops');
  const r = await post(notJson, signed(notJson));
  expect(r.status).toBe(400);
  expect(r.error).toMatch(/^the body is not JSON/);
  const wrongField = Buffer.from(JSON.stringify({ checkerId: 'c1', region: 'r1', observations: [{ healthCheckId: 'gw-a', healthy: 'yes', observedAt: now }] }));
  expect(await post(wrongField, signed(wrongField))).toMatchObject({ status: 400, error: 'observations[0].healthy must be true or false, got "yes"' });
});

test('too old and from the future: 401 naming the age and the fix', async () => {
  const b = body();
  const old = await post(b, signed(b, { ts: now - 31_000 }));
  expect(old.status).toBe(401);
  expect(old.error).toMatch(/^report too old: sent at .*, 31000 ms ago, more than the 30000 ms allowed; check the checker's clock/);
  const future = await post(b, signed(b, { ts: now + 31_000 }));
  expect(future.status).toBe(401);
  expect(future.error).toMatch(/^report from the future: .*31000 ms ahead/);
  // inside the window both ways: accepted
  expect((await post(b, signed(b, { ts: now - 29_000 }))).status).toBe(200);
  expect((await post(b, signed(b, { ts: now + 29_000 }))).status).toBe(200);
});

test('replayed and out-of-order: 409, per checker', async () => {
  const b = body();
  const h = signed(b, { sequence: 1_000_000 });
  expect((await post(b, h)).status).toBe(200);
  const replay = await post(b, h);
  expect(replay).toMatchObject({ status: 409, error: "replayed report: checker 'c1' already sent sequence 1000000" });
  const older = await post(b, signed(b, { sequence: 999_999 }));
  expect(older.status).toBe(409);
  expect(older.error).toBe("out-of-order report: sequence 999999 from checker 'c1' is below the last accepted 1000000; every report needs a higher sequence than the one before");
  // another checker has its own sequence
  const b2 = body('c2', true);
  expect((await post(b2, signed(b2, { checker: 'c2', sequence: 5 }))).status).toBe(200);
  expect((await post(b, signed(b, { sequence: 1_000_001 }))).status).toBe(200);
});

test('credentials of one checker cannot carry another checker\'s report: 403', async () => {
  const b = body('c2');
  const r = await post(b, signed(b, { checker: 'c1', sequence: 2_000_000 }));
  expect(r).toMatchObject({ status: 403, error: "the credentials are those of checker 'c1', the report claims to be from 'c2'" });
});

test('status shows each checker\'s last report, its age and its credentials', async () => {
  now += 1500;
  const s = await status();
  const c1 = s.checkers.find((c) => c.id === 'c1')!;
  expect(c1.lastReportAt).toEqual(expect.any(String));
  expect(c1.ageMs).toBe(1500);
  expect(c1.credentials).toMatchObject({ lastSequence: 2_000_000, accepted: expect.any(Number), rejected: { 'replayed': 1, 'out-of-order': 1, 'stale': 1, 'future': 1 } });
  expect((c1.credentials as { lastRejection: { reason: string } }).lastRejection.reason).toMatch(/^out-of-order/);
  const c2 = s.checkers.find((c) => c.id === 'c2')!;
  expect(c2).toMatchObject({ ageMs: 1500, credentials: { lastSequence: 5, accepted: 1 } });
  const hc = s.healthChecks.find((h) => h.healthCheckId === 'gw-a')!;
  expect((hc.reports as Array<{ checkerId: string; ageMs: number }>).map((r) => r.checkerId)).toEqual(['c1', 'c2']);
});

test('a node without a secret refuses every report with 403 and says how to fix it', async () => {
  const refusing = await DnsNode.start({ config: reportConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, reportAuthenticator: REFUSE_REPORTS });
  try {
    const b = body();
    const res = await request(`http://127.0.0.1:${refusing.adminAddress!.port}/reports`, { method: 'POST', body: b, headers: { 'content-type': 'application/json', ...signed(b) } });
    expect(res.statusCode).toBe(403);
    expect(((await res.body.json()) as { error: string }).error).toMatch(/no report secret .* start it with --secret-file <file>/);
  } finally {
    await refusing.stop();
  }
});

describe('secrets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-secret-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a secret file loses one trailing newline only', () => {
    fs.writeFileSync(path.join(dir, 's1'), '0123456789abcdef\r\n');
    expect(readSecretFile(path.join(dir, 's1')).toString()).toBe('0123456789abcdef');
    fs.writeFileSync(path.join(dir, 's2'), ' 0123456789abcdef \n');
    expect(readSecretFile(path.join(dir, 's2')).toString()).toBe(' 0123456789abcdef ');
  });

  test('fails on a missing or short secret, with the fix', () => {
    expect(() => readSecretFile(path.join(dir, 'missing'))).toThrow(/cannot read the secret file .*missing: ENOENT; create it, for example with: openssl rand -hex 32 >/);
    fs.writeFileSync(path.join(dir, 'short'), 'too short\n');
    expect(() => readSecretFile(path.join(dir, 'short'))).toThrow(/the secret file .*short has 9 octets; use at least 16/);
    expect(() => new HmacReportAuthenticator({ secret: Buffer.from('short') })).toThrow('the report secret has 5 octets; use at least 16');
  });

  test('the MAC covers the version, checker, timestamp, sequence and the exact body', () => {
    const b = Buffer.from('{"x":1}');
    const base = signReport(SECRET, 'c1', b, 1000, 7)[SIGNATURE_HEADER];
    expect(base).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signReport(SECRET, 'c2', b, 1000, 7)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(SECRET, 'c1', b, 1001, 7)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(SECRET, 'c1', b, 1000, 8)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(SECRET, 'c1', Buffer.from('{"x":1} '), 1000, 7)[SIGNATURE_HEADER]).not.toBe(base);
    // a fixed vector, so the wire format cannot drift silently
    const { createHmac } = jest.requireActual('crypto') as typeof import('crypto');
    const expected = createHmac('sha256', SECRET).update('dns-failover-report-v1\nc1\n1000\n7\n{"x":1}').digest('hex');
    expect(base).toBe(`v1=${expected}`);
  });
});
