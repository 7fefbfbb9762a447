/**
 * A newcomer's self-hosted routing trees (examples/emdr-self-hosted/regions.ts: a geolocation and a
 * latency tree over a European pair of gateways and a US gateway), synthesized to a bundle and run with
 * `up` (a DNS node and three checkers probing real local HTTP endpoints), asked with `dig +subnet` and
 * `kdig +subnet` as resolvers of European and US clients would ask, with the embedded GeoIP database.
 * Both European endpoints are killed: European clients move to the US gateway within threshold x
 * interval (plus the checkers' skew), and the option's scope is echoed throughout.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { Duration } from 'aws-cdk-lib';
import { LocalGateway, startGateways } from '../../examples/emdr-self-hosted/gateways';
import { EUROPEAN_SUBNET, twoRegionsApp, US_SUBNET } from '../../examples/emdr-self-hosted/regions';
import { UpSession } from '../../lib/up/session';

const run = promisify(execFile);
const INTERVAL_MS = 400;
const THRESHOLD = 3;

let gateways: LocalGateway[];
let session: UpSession;
let port: string;
let tmp: string;

/** The A records and the echoed CLIENT-SUBNET of `dig +subnet`. */
async function dig(name: string, subnet: string): Promise<{ answers: string[]; clientSubnet?: string }> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', port, '+time=1', '+tries=1', name, 'A', `+subnet=${subnet}`]);
  const answers = [...stdout.matchAll(new RegExp(`^${name.replace(/\./g, '\\.')}\\.\\s+\\d+\\s+IN\\s+A\\s+(\\S+)$`, 'gm'))].map((m) => m[1]).sort();
  const ecs = /; CLIENT-SUBNET: (\S+)/.exec(stdout)?.[1];
  return { answers, ...(ecs ? { clientSubnet: ecs } : {}) };
}

/** Distinct answers of n dig queries. */
async function seen(name: string, subnet: string, n = 12): Promise<string[]> {
  const out = new Set<string>();
  for (let i = 0; i < n; i++) for (const a of (await dig(name, subnet)).answers) out.add(a);
  return [...out].sort();
}

beforeAll(async () => {
  gateways = await startGateways([
    { host: '127.0.0.41', name: 'eu-a' },
    { host: '127.0.0.42', name: 'eu-b' },
    { host: '127.0.0.51', name: 'us' },
  ]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'up-trees-'));
  const { app, stack } = twoRegionsApp({
    europe: [gateways[0].host, gateways[1].host],
    us: gateways[2].host,
    port: gateways[0].port,
    requestInterval: Duration.millis(INTERVAL_MS),
  }, tmp);
  app.synth();
  session = await UpSession.start({ bundle: path.join(tmp, stack.artifactId), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
  port = session.dnsAddress.split(':')[1];
  // Every checker has probed every endpoint once.
  await new Promise((r) => setTimeout(r, INTERVAL_MS * 2));
}, 60_000);

afterAll(async () => {
  await session?.stop();
  await Promise.all((gateways ?? []).map((g) => g.stop()));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('each client its region, from both trees; the option echoed with the scope of the client\'s GeoIP network', async () => {
  const [euA, euB, us] = gateways.map((g) => g.host);
  expect(await seen('www.example.com', EUROPEAN_SUBNET)).toEqual([euA, euB]);
  expect(await seen('api.example.com', EUROPEAN_SUBNET)).toEqual([euA, euB]);
  expect(await seen('www.example.com', US_SUBNET)).toEqual([us]);
  expect(await seen('api.example.com', US_SUBNET)).toEqual([us]);
  // DB-IP Lite: 193.0.0.0/20 is the Netherlands, 8.8.0.0/17 the United States.
  expect((await dig('www.example.com', EUROPEAN_SUBNET)).clientSubnet).toBe('193.0.0.0/24/20');
  expect((await dig('api.example.com', US_SUBNET)).clientSubnet).toBe('8.8.8.0/24/17');
  const k = await run('kdig', ['@127.0.0.1', '-p', port, '+timeout=1', '+retry=0', 'www.example.com', 'A', `+subnet=${EUROPEAN_SUBNET}`]);
  expect(k.stdout).toMatch(/;; CLIENT-SUBNET: 193\.0\.0\.0\/24\/20/);
  // The status page's data: the geolocation tree's final answers per client area, from the engine.
  const www = session.snapshot().groups.find((g) => g.name === 'www.example.com')!;
  expect(www.clients!.map((c) => [c.client, c.answers.map((a) => a.setIdentifiers[0])])).toEqual([
    ['continent EU', ['eu-a', 'eu-b']],
    ['elsewhere', ['us']],
  ]);
});

test('both European endpoints die: European clients move to the US gateway within threshold x interval', async () => {
  const [euA, euB, us] = gateways;
  const killedAt = Date.now();
  await Promise.all([euA.stop(), euB.stop()]);
  let movedMs: number | undefined;
  while (movedMs === undefined && Date.now() - killedAt < 10_000) {
    const [www, api] = await Promise.all([dig('www.example.com', EUROPEAN_SUBNET), dig('api.example.com', EUROPEAN_SUBNET)]);
    if (www.answers.join() === us.host && api.answers.join() === us.host) movedMs = Date.now() - killedAt;
    else await new Promise((r) => setTimeout(r, 20));
  }
  expect(movedMs).toBeDefined();
  // A refused connection fails at once: THRESHOLD failing probes, the first within one interval; the
  // checkers are not in step (one more interval), reports and dig add a little.
  expect(movedMs!).toBeGreaterThanOrEqual((THRESHOLD - 1) * INTERVAL_MS - 100);
  expect(movedMs!).toBeLessThanOrEqual((THRESHOLD + 1) * INTERVAL_MS + 1000);
  expect(await seen('www.example.com', EUROPEAN_SUBNET)).toEqual([us.host]);
  expect(await seen('api.example.com', EUROPEAN_SUBNET)).toEqual([us.host]);
  expect(await seen('www.example.com', US_SUBNET)).toEqual([us.host]);
  const www = session.snapshot().groups.find((g) => g.name === 'www.example.com')!;
  expect(www.clients!.find((c) => c.client === 'continent EU')!.answers.map((a) => a.setIdentifiers[0])).toEqual(['us']);
}, 30_000);
