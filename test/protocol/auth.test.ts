/**
 * Report authentication end to end (version 2, a key per checker): signed reports posted to a real
 * DNS node's admin API (`POST /reports`) are accepted; unauthenticated, bad MAC, another checker's
 * key, malformed, too old, from the future, from before the node started, out-of-order, replayed and
 * jumping sequences are refused with the right status and reason; the node's status shows each
 * checker's key, last report, its age and its credentials.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { request } from 'undici';
import { BundleConfig } from '../../lib/bundle';
import { DnsNode } from '../../lib/dns';
import {
  BODY_DIGEST_HEADER, CHECKER_HEADER, CheckerKeyDirectory, HmacReportAuthenticator, readKeyFile, REFUSE_REPORTS, SEQUENCE_HEADER, SIGNATURE_HEADER,
  signReport,
  StaticCheckerKeys, TIMESTAMP_HEADER,
} from '../../lib/protocol/auth';

const KEY_C1 = Buffer.from('0123456789abcdef0123456789abcdef');
const KEY_C2 = Buffer.from('c2-key-c2-key-c2-key-c2-key-c2-k');

function reportConfig(): BundleConfig {
  return {
    version: 1,
    zones: [{ name: 'example.com', soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 1 }, nameServers: ['ns1.example.com'] }],
    healthChecks: [{ id: 'gw-a', config: { type: 'HTTP', ipAddress: '127.0.0.1', port: 9 } }],
    recordSets: [
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.1'], setIdentifier: 'a', failover: 'PRIMARY', healthCheckId: 'gw-a' },
      { name: 'www.example.com', recordType: 'A', ttl: 0, values: ['192.0.2.2'], setIdentifier: 'b', failover: 'SECONDARY' },
    ],
    checkers: [{ id: 'c1', region: 'r1' }, { id: 'c2', region: 'r2' }, { id: 'c3', region: 'r3' }],
    dnsNodes: [{ id: 'n1', dns: '127.0.0.1:5353', admin: '127.0.0.1:8053' }],
  };
}

let node: DnsNode;
let url: string;
let now = Date.now();
let seq = 1;
const clock = () => now;
/** The node started 29.5 s ago (inside the 30 s skew window, so that 'before the start' can be told from 'too old'). */
const STARTED = now - 29_500;

beforeAll(async () => {
  node = await DnsNode.start({
    config: reportConfig(),
    dns: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    // c3 has no key here.
    reportAuthenticator: new HmacReportAuthenticator({
      keys: new StaticCheckerKeys({ c1: KEY_C1, c2: KEY_C2 }), maxClockSkewMs: 30_000, notBefore: STARTED,
    }),
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

const keyOf = (checker: string) => (checker === 'c2' ? KEY_C2 : KEY_C1);
const signed = (payload: Buffer, opts: { checker?: string; ts?: number; sequence?: number; key?: Buffer } = {}) =>
  signReport(opts.key ?? keyOf(opts.checker ?? 'c1'), opts.checker ?? 'c1', payload, opts.ts ?? now, opts.sequence ?? (opts.ts ?? now) * 1000 + ++seq);

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
  expect(r.error).toBe(`unauthenticated: missing ${CHECKER_HEADER}, ${TIMESTAMP_HEADER}, ${SEQUENCE_HEADER}, ${BODY_DIGEST_HEADER}, ${SIGNATURE_HEADER}; checkers sign every report with their own key (HMAC-SHA256, dns-failover-report-v2)`);
});

test('a bad MAC: 401 (wrong key, tampered body, tampered sequence, malformed signature, version 1)', async () => {
  const b = body();
  const wrongKey = await post(b, signed(b, { key: Buffer.from('another key of 32 characters!!!!') }));
  expect(wrongKey.status).toBe(401);
  expect(wrongKey.error).toMatch(/^unauthenticated: the signature does not match \(checker 'c1'\); the checker must sign with its own key/);

  const h = signed(b);
  const tampered = Buffer.from(b.toString().replace('"healthy":false', '"healthy":true '));
  const t = await post(tampered, h);
  expect(t.status).toBe(401);
  expect(t.error).toMatch(/^unauthenticated: the body \(\d+ octets\) is not the one checker 'c1' signed/);

  const h2 = signed(b);
  expect((await post(b, { ...h2, [SEQUENCE_HEADER]: String(Number(h2[SEQUENCE_HEADER]) + 1) })).status).toBe(401);

  const bad = await post(b, { ...signed(b), [SIGNATURE_HEADER]: 'sha256=abc' });
  expect(bad).toMatchObject({ status: 401, error: `unauthenticated: ${SIGNATURE_HEADER} must be 'v2=' and 64 lowercase hex digits` });
  const v1 = await post(b, { ...signed(b), [SIGNATURE_HEADER]: `v1=${'0'.repeat(64)}` });
  expect(v1.error).toMatch(/^unauthenticated: the checker signs with report authentication version 1 \(one shared secret\); upgrade it/);
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
  expect((await post(b, signed(b, { ts: now - 29_000, sequence: now * 1000 + 500_000 }))).status).toBe(200);
  expect((await post(b, signed(b, { ts: now + 29_000, sequence: now * 1000 + 600_000 }))).status).toBe(200);
});

test('one checker\'s key cannot sign as another checker: 401 (each checker speaks for itself only)', async () => {
  const b = body('c1', true);
  const forged = await post(b, signed(b, { checker: 'c1', key: KEY_C2 }));
  expect(forged.status).toBe(401);
  expect(forged.error).toMatch(/^unauthenticated: the signature does not match \(checker 'c1'\)/);
  const noKey = body('c3');
  const r = await post(noKey, signed(noKey, { checker: 'c3', key: KEY_C1 }));
  expect(r).toMatchObject({ status: 401, error: "unauthenticated: this node has no key for checker 'c3'; give the node the checker's key (the file named by its keyName in --keys-dir) and reload it" });
});

test('a sequence that jumps far ahead of its timestamp is refused (409), and does not lock the checker out', async () => {
  const b = body('c2', true);
  const jump = await post(b, signed(b, { checker: 'c2', ts: now + 29_000, sequence: 2 ** 53 - 1 }));
  expect(jump.status).toBe(409);
  expect(jump.error).toMatch(/^sequence 9007199254740991 from checker 'c2' runs more than 30000000 ahead of its timestamp/);
  expect((await post(b, signed(b, { checker: 'c2' }))).status).toBe(200);
});

test('a report timestamped before the node started is refused (401): no replay after a restart', async () => {
  const b = body();
  const r = await post(b, signed(b, { ts: STARTED - 1, sequence: now * 1000 + 700_000 }));
  expect(r.status).toBe(401);
  expect(r.error).toMatch(/^report sent at .*, before this node started \(.*\); a report from before a restart could be a replay/);
});

test('replayed and out-of-order: 409, per checker', async () => {
  const b = body();
  const top = now * 1000 + 10_000_000;
  const h = signed(b, { sequence: top });
  expect((await post(b, h)).status).toBe(200);
  const replay = await post(b, h);
  expect(replay).toMatchObject({ status: 409, error: `replayed report: checker 'c1' already sent sequence ${top}` });
  const older = await post(b, signed(b, { sequence: top - 1 }));
  expect(older.status).toBe(409);
  expect(older.error).toBe(`out-of-order report: sequence ${top - 1} from checker 'c1' is below the last accepted ${top}; every report needs a higher sequence than the one before`);
  // another checker has its own sequence (and a counter from 1 is fine)
  const b2 = body('c2', true);
  const other = new HmacReportAuthenticator({ keys: new StaticCheckerKeys({ c2: KEY_C2 }), notBefore: STARTED });
  expect(other.admit({ headers: { ...signed(b2, { checker: 'c2', sequence: 5 }), 'content-length': String(b2.length) }, now }).ok).toBe(true);
  expect((await post(b, signed(b, { sequence: top + 1 }))).status).toBe(200);
});

test('credentials of one checker cannot carry another checker\'s report: 403', async () => {
  const b = body('c2');
  const r = await post(b, signed(b, { checker: 'c1', sequence: now * 1000 + 20_000_000 }));
  expect(r).toMatchObject({ status: 403, error: "the credentials are those of checker 'c1', the report claims to be from 'c2'" });
});

test('status shows each checker\'s last report, its age and its credentials', async () => {
  now += 1500;
  const s = await status();
  const c1 = s.checkers.find((c) => c.id === 'c1')!;
  expect(c1.lastReportAt).toEqual(expect.any(String));
  expect(c1.ageMs).toBe(1500);
  expect(c1.credentials).toMatchObject({ key: 'loaded', lastSequence: (now - 1500) * 1000 + 20_000_000, accepted: expect.any(Number), rejected: { 'replayed': 1, 'out-of-order': 1, 'stale': 1, 'future': 1, 'before-start': 1 } });
  expect((c1.credentials as { lastRejection: { reason: string } }).lastRejection.reason).toMatch(/^out-of-order/);
  const c2 = s.checkers.find((c) => c.id === 'c2')!;
  expect(c2).toMatchObject({ ageMs: 1500, credentials: { key: 'loaded', accepted: 1, rejected: { 'sequence-ahead': 1 } } });
  expect(s.checkers.find((c) => c.id === 'c3')).toMatchObject({ credentials: { key: 'missing', accepted: 0 } });
  const hc = s.healthChecks.find((h) => h.healthCheckId === 'gw-a')!;
  expect((hc.reports as Array<{ checkerId: string; ageMs: number }>).map((r) => r.checkerId)).toEqual(['c1', 'c2']);
});

test('a node without keys refuses every report with 403 and says how to fix it', async () => {
  const refusing = await DnsNode.start({ config: reportConfig(), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, reportAuthenticator: REFUSE_REPORTS });
  try {
    const b = body();
    const res = await request(`http://127.0.0.1:${refusing.adminAddress!.port}/reports`, { method: 'POST', body: b, headers: { 'content-type': 'application/json', ...signed(b) } });
    expect(res.statusCode).toBe(403);
    expect(((await res.body.json()) as { error: string }).error).toMatch(/no checker keys .* start it with --keys-dir <dir>/);
  } finally {
    await refusing.stop();
  }
});

describe('keys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-keys-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a key file loses one trailing newline only', () => {
    fs.writeFileSync(path.join(dir, 's1'), '0123456789abcdef\r\n');
    expect(readKeyFile(path.join(dir, 's1')).toString()).toBe('0123456789abcdef');
    fs.writeFileSync(path.join(dir, 's2'), ' 0123456789abcdef \n');
    expect(readKeyFile(path.join(dir, 's2')).toString()).toBe(' 0123456789abcdef ');
  });

  test('fails on a missing or short key, with the fix', () => {
    expect(() => readKeyFile(path.join(dir, 'missing'))).toThrow(/cannot read the key file .*missing: ENOENT; create it, for example with: openssl rand -hex 32 >/);
    fs.writeFileSync(path.join(dir, 'short'), 'too short\n');
    expect(() => readKeyFile(path.join(dir, 'short'))).toThrow(/the key file .*short has 9 octets; use at least 16/);
    expect(() => new HmacReportAuthenticator({ secret: Buffer.from('short') })).toThrow('the report secret has 5 octets; use at least 16');
    expect(() => new StaticCheckerKeys({ c1: Buffer.from('short') })).toThrow("the key of checker 'c1' has 5 octets; use at least 16");
  });

  test('a keys directory holds one file per key name; a missing one is named, and a reload picks up a new one', () => {
    const keys = new CheckerKeyDirectory(dir);
    fs.writeFileSync(path.join(dir, 'eu-1'), 'eu-1-key-0123456789\n');
    const first = keys.load([{ checkerId: 'eu-1', keyName: 'eu-1' }, { checkerId: 'us/1', keyName: 'us_1-0f00' }]);
    expect(first.loaded).toEqual(['eu-1']);
    expect(first.problems).toEqual([expect.stringMatching(/^checker 'us\/1': cannot read the key file .*us_1-0f00: ENOENT; .*; its reports are refused until the key is there and the node reloads$/)]);
    expect(keys.keyFor('eu-1')!.toString()).toBe('eu-1-key-0123456789');
    expect(keys.keyFor('us/1')).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'us_1-0f00'), 'us-1-key-0123456789\n');
    expect(keys.load([{ checkerId: 'us/1', keyName: 'us_1-0f00' }])).toEqual({ loaded: ['us/1'], problems: [] });
    expect(keys.keyFor('eu-1')).toBeUndefined(); // no longer configured
  });

  test('the MAC covers the version, checker, timestamp, sequence, length and digest of the exact body', () => {
    const b = Buffer.from('{"x":1}');
    const headers = signReport(KEY_C1, 'c1', b, 1000, 7);
    const base = headers[SIGNATURE_HEADER];
    expect(base).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(signReport(KEY_C1, 'c2', b, 1000, 7)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(KEY_C1, 'c1', b, 1001, 7)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(KEY_C1, 'c1', b, 1000, 8)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(KEY_C1, 'c1', Buffer.from('{"x":1} '), 1000, 7)[SIGNATURE_HEADER]).not.toBe(base);
    expect(signReport(KEY_C2, 'c1', b, 1000, 7)[SIGNATURE_HEADER]).not.toBe(base);
    // a fixed vector, so the wire format cannot drift silently
    const { createHash, createHmac } = jest.requireActual('crypto') as typeof import('crypto');
    const digest = createHash('sha256').update(b).digest('hex');
    expect(headers[BODY_DIGEST_HEADER]).toBe(digest);
    const expected = createHmac('sha256', KEY_C1).update(`dns-failover-report-v2\nc1\n1000\n7\n7\n${digest}\n`).digest('hex');
    expect(base).toBe(`v2=${expected}`);
  });
});
