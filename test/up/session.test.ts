/**
 * `up` in process: a DNS node and one checker per region, the checkers' signed reports going through
 * the node's real report endpoint; the snapshot the terminal view draws; answer shares from the
 * engine; the change lines; errors that name the problem.
 */
import { promises as dnsPromises } from 'dns';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { emdrBundle, eventually, removeTempDirs, tempDir } from './helpers';
import { LocalGateway, startGatewayPair } from '../../examples/emdr-self-hosted/gateways';
import { BundleConfig } from '../../lib/bundle';
import { checkersPerRegion, UpEvent, UpSession } from '../../lib/up/session';
import { sharesLine, UpView } from '../../lib/up/view';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

let gateways: [LocalGateway, LocalGateway];
let bundle: string;

beforeAll(async () => {
  gateways = await startGatewayPair();
  bundle = emdrBundle(...gateways);
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  removeTempDirs();
});

function resolverFor(session: UpSession): dnsPromises.Resolver {
  const r = new dnsPromises.Resolver({ timeout: 1000, tries: 2 });
  r.setServers([session.dnsAddress]);
  return r;
}

describe('up in process', () => {
  let session: UpSession;
  const events: UpEvent[] = [];

  beforeAll(async () => {
    session = await UpSession.start({ bundle, dns: LOOPBACK, admin: LOOPBACK, onEvent: (e) => events.push(e) });
  });
  afterAll(async () => {
    await session.stop();
    await gateways[0].start();
  });

  test('runs one checker per region; each pushes reports the node authenticates', async () => {
    expect(session.snapshot().checkers.map((c) => [c.id, c.running])).toEqual([['checker-home', true], ['checker-isp-a', true], ['checker-isp-b', true]]);
    const status = await eventually('every checker reporting', () => {
      const s = session.node.status() as {
        node: { reportAuthentication: string };
        checkers: Array<{ id: string; lastReportAt: string | null; credentials?: { accepted: number } }>;
      };
      return s.checkers.every((c) => c.lastReportAt !== null && (c.credentials?.accepted ?? 0) > 0) ? s : undefined;
    });
    expect(status.node.reportAuthentication).toBe('hmac-sha256 per-checker keys (v2)');
    expect(session.reportUrl).toBe(`http://${session.adminAddress}/reports`);
  });

  test('answers over DNS; a dead gateway leaves the answers, as every checker and the snapshot show', async () => {
    const resolver = resolverFor(session);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await resolver.resolve4('emdr.example.com'))[0]);
    expect(seen).toEqual(new Set([gateways[0].host, gateways[1].host]));

    await gateways[0].stop();
    const snap = await eventually('gw-isp-a unhealthy', () => {
      const s = session.snapshot();
      return s.healthChecks[0].healthy ? undefined : s;
    });
    const [a, b] = snap.healthChecks;
    expect(a.name).toBe('emdr.example.com gw-isp-a');
    expect(a.target).toBe(`HTTP ${gateways[0].host}:${gateways[0].port}/status`);
    expect(a.reason).toMatch(/^0 of 3 fresh checker reports healthy/);
    expect(a.views.map((v) => [v.checkerId, v.probed, v.healthy])).toEqual([['checker-home', true, false], ['checker-isp-a', true, false], ['checker-isp-b', true, false]]);
    expect(a.views[0].reason).toMatch(/connection refused/);
    expect(b.healthy).toBe(true);
    expect(snap.groups).toEqual([{
      name: 'emdr.example.com',
      recordType: 'A',
      policy: 'weighted',
      ttl: 1,
      members: [
        { setIdentifier: 'gw-isp-a', value: gateways[0].host, routing: 'weight 50', healthCheckId: 'Emdr/gw-isp-a/HealthCheck', healthy: false, share: 0 },
        { setIdentifier: 'gw-isp-b', value: gateways[1].host, routing: 'weight 50', healthCheckId: 'Emdr/gw-isp-b/HealthCheck', healthy: true, share: 1 },
      ],
    }]);
    expect(snap.recentChanges.map((c) => [c.healthCheckId, c.healthy])).toEqual([['Emdr/gw-isp-a/HealthCheck', false]]);
    for (let i = 0; i < 10; i++) expect(await resolver.resolve4('emdr.example.com')).toEqual([gateways[1].host]);
    // The events the views print: each checker's view, then the node's verdict.
    const kinds = events.filter((e) => e.event.event === 'verdict').map((e) => e.source);
    expect(kinds.slice(-4).sort()).toEqual(['checker-home', 'checker-isp-a', 'checker-isp-b', 'node']);
  });
});

describe('which checkers run', () => {
  test('the first checker of each region; the others are named', () => {
    const config = { checkers: [{ id: 'a', region: 'r1' }, { id: 'b', region: 'r2' }, { id: 'c', region: 'r1' }] } as unknown as BundleConfig;
    expect(checkersPerRegion(config)).toEqual({ run: [{ id: 'a', region: 'r1' }, { id: 'b', region: 'r2' }], notRun: [{ id: 'c', region: 'r1' }] });
  });
});

describe('the change lines', () => {
  test('print the start, each checker\'s view, the verdict and the new shares', async () => {
    const out: string[] = [];
    const view = new UpView({ mode: 'lines', write: (t) => out.push(t), now: () => Date.parse('2026-11-22T12:00:00.000Z') });
    const session = await UpSession.start({ bundle, dns: LOOPBACK, admin: LOOPBACK, onEvent: view.onEvent });
    try {
      view.start(session);
      const text = () => out.join('');
      expect(text()).toContain(`DNS      ${session.dnsAddress} (UDP and TCP)`);
      expect(text()).toContain(`admin    http://${session.adminAddress}/ (status page`);
      expect(text()).toContain(`answers  emdr.example.com A: gw-isp-a ${gateways[0].host} 50.0 %, gw-isp-b ${gateways[1].host} 50.0 %`);
      // Every checker reports once it has FailureThreshold results: wait for all three.
      await eventually('every checker reporting', () => (session.snapshot().healthChecks.every((h) => h.views.every((v) => v.healthy === true && !v.pending)) ? true : undefined));
      await gateways[1].stop();
      await eventually('the shares line after gw-isp-b failed', () => (text().includes(`gw-isp-a ${gateways[0].host} 100.0 %, gw-isp-b ${gateways[1].host} 0.0 %`) ? true : undefined));
      const lines = text().split('\n');
      const verdict = lines.findIndex((l) => l.includes('verdict  emdr.example.com gw-isp-b: UNHEALTHY (0 of 3 fresh checker reports healthy'));
      expect(verdict).toBeGreaterThan(0);
      expect(lines.filter((l, i) => i < verdict && / sees emdr\.example\.com gw-isp-b unhealthy: connection refused/.test(l))).toHaveLength(3);
      expect(lines[verdict + 1]).toMatch(/answers {2}emdr\.example\.com A: .* 100\.0 %, .* 0\.0 %/);
      expect(sharesLine(session.snapshot().groups[0])).toBe(`emdr.example.com A: gw-isp-a ${gateways[0].host} 100.0 %, gw-isp-b ${gateways[1].host} 0.0 %`);
    } finally {
      view.stop();
      await session.stop();
      await gateways[1].start();
    }
  });
});

describe('the live view', () => {
  test('redraws one screen in place, as wide as the terminal, and gives the cursor back', async () => {
    const out: string[] = [];
    let columns = 80;
    const view = new UpView({ mode: 'live', write: (t) => out.push(t), columns: () => columns, refreshMs: 50 });
    const session = await UpSession.start({ bundle, dns: LOOPBACK, admin: LOOPBACK, onEvent: view.onEvent });
    // eslint-disable-next-line no-control-regex
    const plain = (frame: string) => frame.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split('\n');
    const nextFrame = async () => {
      const seen = out.length;
      return eventually('the next frame', () => (out.length > seen + 1 ? out[out.length - 1] : undefined));
    };
    let narrow: string;
    let wide: string;
    try {
      view.start(session);
      await eventually('every checker reporting', () => (session.snapshot().healthChecks.every((h) => h.views.every((v) => v.healthy === true && !v.pending)) ? true : undefined));
      narrow = await nextFrame();
      columns = 160;
      wide = await nextFrame();
    } finally {
      view.stop();
      await session.stop();
    }
    expect(out[0]).toBe('\u001b[?25l\u001b[2J');
    expect(out[out.length - 1]).toBe('\u001b[?25h\n');
    // Home, every line cleared to its end, everything below cleared: the screen is redrawn, not scrolled.
    expect(narrow.startsWith('\u001b[H')).toBe(true);
    expect(narrow.endsWith('\n\u001b[J')).toBe(true);
    for (const l of plain(narrow)) expect(l.length).toBeLessThanOrEqual(80);
    const text = plain(narrow).join('\n');
    expect(text).toContain(`DNS      ${session.dnsAddress} (UDP and TCP)`);
    expect(text).toMatch(/emdr\.example\.com gw-isp-a +HTTP 127\.0\.0\.11:\d+\/status +✔ healthy/);
    expect(text).toContain('ANSWERS (share of queries, from the engine)');
    expect(text).toMatch(/gw-isp-a {2}127\.0\.0\.11 {2}weight 50 {2}healthy .* {3}50\.0 %/);
    expect(text).toContain('none since start');
    // A wider terminal shows every checker and the verdicts.
    const wideText = plain(wide).join('\n');
    for (const l of plain(wide)) expect(l.length).toBeLessThanOrEqual(160);
    expect(wideText).toMatch(/HEALTH CHECK +PROBES +checker-home +checker-isp-a +checker-isp-b +VERDICT \(this node\)/);
    expect(wideText.match(/✔ healthy/g)).toHaveLength(6);
    expect(wideText.match(/ HEALTHY {2}3 of 3 fresh checker reports healthy/g)).toHaveLength(2);
  });
});

describe('reload', () => {
  test('a changed config is served and the checkers restart with it; a broken one is refused', async () => {
    const dir = tempDir();
    fs.cpSync(bundle, dir, { recursive: true });
    const session = await UpSession.start({ bundle: dir, dns: LOOPBACK, admin: LOOPBACK });
    try {
      const file = path.join(dir, 'config.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8'));
      config.recordSets[0].weight = 150;
      fs.writeFileSync(file, JSON.stringify(config));
      expect(await session.reload()).toEqual({ ok: true });
      expect(session.snapshot().groups[0].members.map((m) => m.share)).toEqual([0.75, 0.25]);
      expect(session.snapshot().checkers.every((c) => c.running)).toBe(true);
      fs.writeFileSync(file, '{ "version": 1 }');
      const refused = await session.reload();
      expect(refused.ok).toBe(false);
      expect(refused.error).toMatch(/the required property 'zones' is missing/);
      expect(session.snapshot().groups[0].members.map((m) => m.share)).toEqual([0.75, 0.25]);
    } finally {
      await session.stop();
    }
  });
});

describe('errors name the problem', () => {
  test('a directory that is not a bundle', async () => {
    await expect(UpSession.start({ bundle: tempDir(), dns: LOOPBACK, admin: LOOPBACK })).rejects.toThrow(/is a directory without config.json, so it is not a bundle/);
  });

  test('an invalid bundle config, with the file and the path', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ version: 2 }));
    await expect(UpSession.start({ bundle: dir, dns: LOOPBACK, admin: LOOPBACK })).rejects.toThrow(/config\.json is not a valid bundle config:\n {2}\/version: bundle config version 2 is not supported/);
  });

  test('an address in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(UpSession.start({ bundle, dns: LOOPBACK, admin: { host: '127.0.0.1', port } })).rejects.toThrow(new RegExp(`cannot listen for the admin API on 127.0.0.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });
});
