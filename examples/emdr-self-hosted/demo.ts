/**
 * The EMDR failover demo (`npm run demo`): on this machine, with real DNS queries.
 *
 * Two local HTTP gateways stand in for the two machines at two ISPs. The EMDR gateway (weighted
 * 50/50, an HTTP health check per gateway) is declared in a SelfHostedStack, synthesized to a bundle,
 * and run with `dns-failover up` (in process: a DNS node and three checkers, reports signed and
 * pushed over HTTP as in a fleet). Then the story: the answers split about 50/50; one gateway dies
 * and the answers move to the other after the detection time; it comes back and the split returns;
 * both die and DNS still answers with both (Route 53's last resort). Then a second act: EMDR in two
 * places (a European pair and a US gateway) behind a geolocation and a latency tree, asked for clients
 * in Europe and in the US (queries with the EDNS Client Subnet option, as their resolvers send them);
 * both European gateways die and the European clients move to the US gateway. Finishes by itself.
 */
import { promises as dnsPromises } from 'dns';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { emdrSelfHostedApp, EMDR_CHECKERS } from './emdr';
import { askFor } from './ecs';
import { LocalGateway, startGatewayPair, startGateways } from './gateways';
import { EUROPEAN_SUBNET, twoRegionsApp, US_SUBNET } from './regions';
import { UpEvent, UpSession } from '../../lib/up/session';

export interface DemoOptions {
  /** Where the story goes. @default console.log */
  readonly print?: (line: string) => void;
  /** @default 200 */
  readonly queries?: number;
  /** The health checks' request interval. @default 500 */
  readonly intervalMs?: number;
}

/** How many answers named each gateway, out of `total` queries. */
export interface Split {
  readonly total: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Queries that got no answer or an error (there should be none). */
  readonly failed: number;
}

export interface DetectionTimes {
  /** From the event to every checker's view changing (the last of them). */
  readonly checkersMs?: number;
  /** From the event to the DNS node's verdict changing. */
  readonly verdictMs: number;
  /** From the event to the DNS answers following (measured with queries). */
  readonly answersMs: number;
}

export interface DemoResult {
  readonly gateways: { readonly a: string; readonly b: string };
  /** Configured: failureThreshold x requestInterval (a refused connection fails at once). */
  readonly expectedDetectionMs: number;
  /** Configured worst case: failureThreshold x (interval + connect + status timeouts) + one interval of skew. */
  readonly maxDetectionMs: number;
  readonly intervalMs: number;
  readonly failureThreshold: number;
  readonly bothUp: Split;
  readonly failover: DetectionTimes;
  readonly afterFailover: Split;
  readonly recovery: DetectionTimes;
  readonly afterRecovery: Split;
  /** Until both verdicts are unhealthy. */
  readonly bothDownMs: number;
  readonly lastResort: Split;
  readonly twoPlaces: TwoPlacesResult;
  readonly totalMs: number;
}

/** What one client area was answered by a tree: the distinct answers over a batch, and the echoed scope. */
export interface AreaAnswers {
  readonly answers: readonly string[];
  readonly scope?: number;
}

/** The second act: per tree (`www` geolocation, `api` latency) and per client (`europe`, `us`). */
export type TreeAnswers = Readonly<Record<'www' | 'api', Readonly<Record<'europe' | 'us', AreaAnswers>>>>;

export interface TwoPlacesResult {
  readonly europe: readonly [string, string];
  readonly us: string;
  readonly before: TreeAnswers;
  /** From both European gateways dying until the node's verdicts, and until the European clients' answers moved. */
  readonly failover: { readonly verdictMs: number; readonly wwwMs: number; readonly apiMs: number };
  readonly after: TreeAnswers;
  /** From the European gateways coming back until the European clients get them again. */
  readonly recoveryMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

class Story {
  private readonly resolver: dnsPromises.Resolver;
  /** Verdict changes by the node and views by the checkers: [source, healthCheckId, healthy, at]. */
  private readonly changes: Array<{ source: string; id: string; healthy: boolean; at: number }> = [];

  constructor(readonly session: UpSession, readonly name: string) {
    this.resolver = new dnsPromises.Resolver({ timeout: 500, tries: 3 });
    this.resolver.setServers([session.dnsAddress]);
  }

  onEvent(e: UpEvent, at: number): void {
    if (e.event.event !== 'verdict') return;
    this.changes.push({ source: e.source, id: String(e.event.healthCheckId), healthy: e.event.healthy === true, at });
  }

  async query(): Promise<string | undefined> {
    try {
      const [address] = await this.resolver.resolve4(this.name);
      return address;
    } catch {
      return undefined;
    }
  }

  async split(total: number): Promise<Split> {
    const counts: Record<string, number> = {};
    let failed = 0;
    for (let i = 0; i < total; i++) {
      const a = await this.query();
      if (a === undefined) failed++;
      else counts[a] = (counts[a] ?? 0) + 1;
    }
    return { total, counts, failed };
  }

  /**
   * Times from `since` until the node's verdict on `healthCheckId` is `healthy`, every checker's view
   * too, and the DNS answers satisfy `answers` (checked in batches of 20 queries, so that a 50/50 split
   * passes a one-sided test by chance with odds of 1 in a million).
   */
  async follow(
    since: number,
    healthCheckIds: readonly string[],
    healthy: boolean,
    answers: (batch: (string | undefined)[]) => boolean,
    timeoutMs: number,
  ): Promise<DetectionTimes> {
    const changed = (source: string, id: string) =>
      this.changes.find((c) => c.source === source && c.id === id && c.healthy === healthy && c.at >= since);
    let answersMs: number | undefined;
    const deadline = since + timeoutMs;
    while (Date.now() < deadline) {
      const start = Date.now();
      const batch: (string | undefined)[] = [];
      for (let i = 0; i < 20; i++) batch.push(await this.query());
      if (answersMs === undefined && answers(batch)) answersMs = start - since;
      const verdicts = healthCheckIds.map((id) => changed('node', id));
      if (answersMs !== undefined && verdicts.every((v) => v !== undefined)) {
        const running = this.session.snapshot().checkers.filter((k) => k.running);
        const views = healthCheckIds.flatMap((id) => running.map((k) => changed(k.id, id)));
        return {
          verdictMs: Math.max(...verdicts.map((v) => v!.at - since)),
          answersMs,
          ...(views.every((v) => v !== undefined) ? { checkersMs: Math.max(...views.map((v) => v!.at - since)) } : {}),
        };
      }
      await sleep(20);
    }
    throw new Error(`the DNS node did not follow within ${seconds(timeoutMs)}, longer than the configured detection time allows; ` +
      'run \'npm run demo\' again and watch its status page');
  }
}

/** Runs the whole story; resolves with what was measured. Stops everything it started, also on failure. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const queries = options.queries ?? 200;
  const intervalMs = options.intervalMs ?? 500;
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emdr-demo-'));
  let gateways: [LocalGateway, LocalGateway] | undefined;
  let session: UpSession | undefined;
  try {
    print('EMDR failover demo: one DNS name in front of two HTTP gateways, weighted 50/50, on this machine.');
    print('');
    gateways = await startGatewayPair();
    const [a, b] = gateways;
    print('1. Two gateways: local HTTP servers standing in for two machines at two ISPs');
    print(`   ${a.name}  http://${a.host}:${a.port}/status`);
    print(`   ${b.name}  http://${b.host}:${b.port}/status`);
    print('');

    const { app, stack } = emdrSelfHostedApp({ gatewayA: a.host, gatewayB: b.host, port: a.port, requestInterval: Duration.millis(intervalMs) }, tmp);
    app.synth();
    const bundle = path.join(tmp, stack.artifactId);
    const check = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')).healthChecks[0].config;
    const threshold: number = check.failureThreshold;
    const timeoutsMs = (check.connectTimeout + check.statusTimeout) * 1000;
    const expectedDetectionMs = threshold * intervalMs;
    const maxDetectionMs = threshold * (intervalMs + timeoutsMs) + intervalMs;
    print(`2. The EMDR gateway (examples/emdr-self-hosted/emdr.ts) in a SelfHostedStack, synthesized to ${bundle}`);
    print(`   emdr.example.com A, weighted 50/50, TTL ${stack.gateway.ttlSeconds} s; each gateway guarded by an HTTP check of /status`);
    print(`   every ${check.requestInterval} s, failure threshold ${threshold}, ` +
      `${check.connectTimeout} s to connect and ${check.statusTimeout} s for the status`);
    print('');

    let story: Story | undefined;
    session = await UpSession.start({
      bundle,
      dns: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      onEvent: (e) => story?.onEvent(e, Date.now()),
    });
    story = new Story(session, 'emdr.example.com');
    const idA = stack.gateway.healthCheckFor(a.name).healthCheckId;
    const idB = stack.gateway.healthCheckFor(b.name).healthCheckId;
    const regions = EMDR_CHECKERS.map((c) => c.region).join(', ');
    print(`3. dns-failover up, in this process: a DNS node on ${session.dnsAddress} and ${EMDR_CHECKERS.length} health checkers (${regions})`);
    print('   that probe both gateways and push signed reports to the node, which decides (healthy: more than 18 % of them say so)');
    print(`   status page: http://${session.adminAddress}/ (open it to watch)`);
    print(`   ask it yourself: dig @127.0.0.1 -p ${session.dnsAddress.split(':')[1]} emdr.example.com A`);
    print('');

    // Let every checker probe both gateways once before counting.
    await sleep(intervalMs * 1.5);
    const show = (s: Split) => {
      for (const g of [a, b]) {
        const n = s.counts[g.host] ?? 0;
        const bar = '#'.repeat(Math.round((n / s.total) * 40)).padEnd(40);
        print(`   ${g.name} ${g.host}  ${bar} ${String(n).padStart(4)} (${((n / s.total) * 100).toFixed(1)} %)`);
      }
      if (s.failed > 0) print(`   ${s.failed} queries got no answer`);
    };
    print(`4. Both gateways up: ${queries} queries for emdr.example.com A (each answer picks a healthy gateway by weight)`);
    const bothUp = await story.split(queries);
    show(bothUp);
    print('');

    print(`5. ${a.name} dies (its server stops: connections are refused, as when the machine or its ISP goes away)`);
    const killedAt = Date.now();
    await a.stop();
    const failover = await story.follow(killedAt, [idA], false, (batch) => batch.every((x) => x === b.host), maxDetectionMs + 5000);
    const checkersSaw = failover.checkersMs !== undefined ? `after ${seconds(failover.checkersMs)}` : '(not every checker yet)';
    print(`   every checker saw it fail ${checkersSaw}; the DNS node marked it unhealthy after ${seconds(failover.verdictMs)}`);
    print(`   the DNS answers moved to ${b.name} after ${seconds(failover.answersMs)} (measured with queries)`);
    const iv = `${intervalMs / 1000} s`;
    print(`   configured: ${threshold} failures x ${iv} = ${seconds(expectedDetectionMs)} when connections are refused; ` +
      `at most ${seconds(maxDetectionMs)} when a gateway hangs`);
    print(`   (${threshold} x (${iv} interval + ${timeoutsMs / 1000} s of timeouts), + ${iv} as the checkers are not in step); ` +
      'clients follow within the TTL');
    const afterFailover = await story.split(queries);
    show(afterFailover);
    print('');

    print(`6. ${a.name} comes back`);
    const backAt = Date.now();
    await a.start();
    const recovery = await story.follow(backAt, [idA], true, (batch) => batch.includes(a.host), maxDetectionMs + 5000);
    print(`   the DNS node marked it healthy after ${seconds(recovery.verdictMs)} (one checker in three seeing it is enough: more than 18 %);`);
    print(`   answers include it after ${seconds(recovery.answersMs)}`);
    const afterRecovery = await story.split(queries);
    show(afterRecovery);
    print('');

    print('7. Both gateways die');
    const bothAt = Date.now();
    await Promise.all([a.stop(), b.stop()]);
    const bothDown = await story.follow(bothAt, [idA, idB], false, () => true, maxDetectionMs + 5000);
    print(`   both unhealthy after ${seconds(bothDown.verdictMs)}; DNS still answers, with both: Route 53's last resort (never an empty answer)`);
    const lastResort = await story.split(queries);
    show(lastResort);
    print('');

    await session.stop();
    session = undefined;
    const twoPlaces = await secondAct(tmp, print, intervalMs, threshold, maxDetectionMs);

    const totalMs = Date.now() - started;
    print(`Done in ${seconds(totalMs)}. The same gateway deploys to Route 53 (examples/emdr-cdk, examples/emdr-cdktf) or runs`);
    print('self-hosted from its bundle: `npx dns-failover up <bundle>` on one machine, or the Kubernetes manifests and systemd');
    print('units in the bundle (its README.md says how).');
    return {
      gateways: { a: a.host, b: b.host },
      expectedDetectionMs,
      maxDetectionMs,
      intervalMs,
      failureThreshold: threshold,
      bothUp,
      failover,
      afterFailover,
      recovery,
      afterRecovery,
      bothDownMs: bothDown.verdictMs,
      lastResort,
      twoPlaces,
      totalMs,
    };
  } finally {
    await session?.stop();
    await Promise.all((gateways ?? []).map((g) => g.stop()));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The European and US clients' answers from both trees, over `n` queries each. */
async function treeAnswers(dns: string, n: number): Promise<TreeAnswers> {
  const area = async (name: string, subnet: string): Promise<AreaAnswers> => {
    const seen = new Set<string>();
    let scope: number | undefined;
    for (let i = 0; i < n; i++) {
      const r = await askFor(dns, name, subnet);
      for (const a of r.addresses) seen.add(a);
      scope = r.scope;
    }
    return { answers: [...seen].sort(), ...(scope !== undefined ? { scope } : {}) };
  };
  return {
    www: { europe: await area('www.example.com', EUROPEAN_SUBNET), us: await area('www.example.com', US_SUBNET) },
    api: { europe: await area('api.example.com', EUROPEAN_SUBNET), us: await area('api.example.com', US_SUBNET) },
  };
}

/** Act two: EMDR in two places behind a geolocation and a latency tree, asked for clients in both. */
async function secondAct(tmp: string, print: (line: string) => void, intervalMs: number, threshold: number, maxDetectionMs: number): Promise<TwoPlacesResult> {
  const gateways = await startGateways([
    { host: '127.0.0.21', name: 'eu-a' },
    { host: '127.0.0.22', name: 'eu-b' },
    { host: '127.0.0.31', name: 'us' },
  ]);
  const [euA, euB, us] = gateways;
  let session: UpSession | undefined;
  try {
    print('Act two: EMDR in two places, one DNS name for the world (examples/emdr-self-hosted/regions.ts)');
    print(`8. A European pair (${euA.host}, ${euB.host}) and a US gateway (${us.host}) behind two routing trees:`);
    print('   www.example.com  geolocation: Europe -> the European pair, everyone else -> the US gateway');
    print('   api.example.com  latency: region ams -> the European pair, region nyc -> the US gateway');
    const { app, stack } = twoRegionsApp({ europe: [euA.host, euB.host], us: us.host, port: euA.port, requestInterval: Duration.millis(intervalMs) }, path.join(tmp, 'two'));
    app.synth();
    session = await UpSession.start({ bundle: path.join(tmp, 'two', stack.artifactId), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
    const dns = session.dnsAddress;
    print(`   served by dns-failover up on ${dns}; clients are told apart by their resolver's EDNS Client Subnet option`);
    print(`   ask it yourself: dig @127.0.0.1 -p ${dns.split(':')[1]} www.example.com A +subnet=${EUROPEAN_SUBNET}`);
    await sleep(intervalMs * 1.5);
    const show = (t: TreeAnswers) => {
      for (const tree of ['www', 'api'] as const) {
        for (const [who, subnet] of [['europe', EUROPEAN_SUBNET], ['us', US_SUBNET]] as const) {
          const a = t[tree][who];
          print(`   ${tree}.example.com for a client in ${subnet.padEnd(13)} ${a.answers.join(', ').padEnd(24)} (scope /${a.scope ?? '-'})`);
        }
      }
    };
    const before = await treeAnswers(dns, 20);
    show(before);
    print('');

    print('9. Both European gateways die');
    const diedAt = Date.now();
    await Promise.all([euA.stop(), euB.stop()]);
    const ids = ['eu-a', 'eu-b'].map((n) => stack.europe.healthCheckFor(n).healthCheckId);
    let wwwMs: number | undefined;
    let apiMs: number | undefined;
    let verdictMs: number | undefined;
    const deadline = diedAt + maxDetectionMs + 5000;
    while ((wwwMs === undefined || apiMs === undefined || verdictMs === undefined) && Date.now() < deadline) {
      const at = Date.now() - diedAt;
      if (wwwMs === undefined && (await askFor(dns, 'www.example.com', EUROPEAN_SUBNET)).addresses.join() === us.host) wwwMs = at;
      if (apiMs === undefined && (await askFor(dns, 'api.example.com', EUROPEAN_SUBNET)).addresses.join() === us.host) apiMs = at;
      if (verdictMs === undefined && ids.every((id) => !session!.snapshot().healthChecks.find((h) => h.id === id)!.healthy)) verdictMs = at;
      await sleep(20);
    }
    if (wwwMs === undefined || apiMs === undefined || verdictMs === undefined) {
      throw new Error(`the European clients did not move within ${seconds(maxDetectionMs + 5000)}; run 'npm run demo' again and watch its status page`);
    }
    print(`   the DNS node marked both unhealthy after ${seconds(verdictMs)}; the European clients moved to the US gateway`);
    print(`   after ${seconds(wwwMs)} (www, geolocation) and ${seconds(apiMs)} (api, latency); configured: ${threshold} x ${intervalMs / 1000} s`);
    const after = await treeAnswers(dns, 20);
    show(after);
    print('');

    print('10. The European gateways come back');
    const backAt = Date.now();
    await Promise.all([euA.start(), euB.start()]);
    let recoveryMs: number | undefined;
    while (recoveryMs === undefined && Date.now() < backAt + maxDetectionMs + 5000) {
      if ((await askFor(dns, 'www.example.com', EUROPEAN_SUBNET)).addresses.join() !== us.host) recoveryMs = Date.now() - backAt;
      else await sleep(20);
    }
    if (recoveryMs === undefined) throw new Error('the European clients did not get their gateways back in time');
    print(`   European clients get them again after ${seconds(recoveryMs)}; US clients were never moved`);
    print('');
    return { europe: [euA.host, euB.host], us: us.host, before, failover: { verdictMs, wwwMs, apiMs }, after, recoveryMs };
  } finally {
    await session?.stop();
    await Promise.all(gateways.map((g) => g.stop()));
  }
}

if (require.main === module) {
  runDemo().then(
    () => process.exit(0),
    (e) => {
      console.error(`demo failed: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    },
  );
}
