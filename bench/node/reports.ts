/**
 * Report ingestion on one core: how many signed checker reports per second a DNS node takes (the
 * path of `POST /reports` once the body is read: credentials, body digest, parse, validation, verdict
 * store, verdicts), against a bare floor doing only what any node must: HMAC-SHA256 of the signing
 * input, SHA-256 of the body, JSON.parse and storing each observation in a Map.
 *
 *   node reports.js node <build root> [gateways] [checkers] [rounds]
 *   node reports.js bare - [gateways] [checkers] [rounds]
 *
 * `<build root>` holds a compiled lib/ (bench/node/run.sh compiles the work tree and older commits).
 * Every checker reports every check in every round (one push interval, 1 s of the node's clock, which
 * the driver sets); each round flips about 0.2 % of the checkers' views. The reports of a batch of
 * rounds are signed before the batch is timed. Prints one JSON line.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';
import * as path from 'path';
import { CheckerFleet, checkerId, fleetConfig, SignedReport } from './fleet';

const [mode, root, gatewaysArg, checkersArg, roundsArg] = process.argv.slice(2);
if ((mode !== 'node' && mode !== 'bare') || !root) {
  process.stderr.write('usage: node reports.js node|bare <build root> [gateways] [checkers] [rounds]\n');
  process.exit(2);
}
const gateways = Number(gatewaysArg ?? 500);
const checkers = Number(checkersArg ?? 16);
const rounds = Number(roundsArg ?? 60);
const WARMUP_ROUNDS = 5;
const BATCH_ROUNDS = 10;
const T0 = 1_800_000_000_000;

type Ingest = (r: SignedReport, now: number) => void;

async function nodeIngest(fleet: CheckerFleet, clock: { now: number }): Promise<{ ingest: Ingest; stop: () => Promise<void>; changes: () => number }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const dns = require(path.resolve(root, 'lib/dns'));
  const auth = require(path.resolve(root, 'lib/protocol/auth'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const keys = new Map<string, Buffer>(fleet.keys.map((k, c) => [checkerId(c), k]));
  let changes = 0;
  const node = await dns.DnsNode.start({
    config: fleetConfig({ gateways, checkers }),
    dns: { host: '127.0.0.1', port: 0 },
    clock: () => clock.now,
    reportAuthenticator: new auth.HmacReportAuthenticator({ keys: new auth.StaticCheckerKeys(keys), notBefore: T0 - 60_000 }),
    log: (e: { event: string }) => {
      if (e.event === 'verdict') changes++;
    },
  });
  return {
    ingest: (r) => {
      const result = node.acceptReport({ headers: r.headers, body: r.body });
      if (result.status !== 200) throw new Error(`report refused: ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
    },
    stop: () => node.stop(),
    changes: () => changes,
  };
}

function bareIngest(fleet: CheckerFleet): { ingest: Ingest; stored: () => number } {
  const keys = new Map<string, Buffer>(fleet.keys.map((k, c) => [checkerId(c), k]));
  const store = new Map<string, Map<string, unknown>>();
  const ingest: Ingest = (r) => {
    const h = r.headers;
    const id = h['x-dns-failover-checker'];
    const digest = h['x-dns-failover-body-sha256'];
    const input = `dns-failover-report-v2\n${id}\n${h['x-dns-failover-timestamp']}\n${h['x-dns-failover-sequence']}\n${r.body.length}\n${digest}\n`;
    const mac = createHmac('sha256', keys.get(id)!).update(input, 'utf8').digest();
    if (!timingSafeEqual(mac, Buffer.from(h['x-dns-failover-signature'].slice(3), 'hex'))) throw new Error('bad signature');
    if (!timingSafeEqual(createHash('sha256').update(r.body).digest(), Buffer.from(digest, 'hex'))) throw new Error('bad body');
    const report = JSON.parse(r.body.toString('utf8')) as { checkerId: string; observations: { healthCheckId: string }[] };
    for (const o of report.observations) {
      let m = store.get(o.healthCheckId);
      if (!m) store.set(o.healthCheckId, (m = new Map()));
      m.set(report.checkerId, o);
    }
  };
  return { ingest, stored: () => store.size };
}

async function main(): Promise<void> {
  const fleet = new CheckerFleet(gateways, checkers);
  const clock = { now: T0 };
  let ingest: Ingest;
  let stop = async () => undefined as void;
  let extra: () => Record<string, unknown>;
  if (mode === 'node') {
    const n = await nodeIngest(fleet, clock);
    ingest = n.ingest;
    stop = n.stop;
    extra = () => ({ verdictChanges: n.changes() });
  } else {
    const b = bareIngest(fleet);
    ingest = b.ingest;
    extra = () => ({ storedChecks: b.stored() });
  }
  let round = 0;
  let reports = 0;
  let cpuMicros = 0;
  let wallMs = 0;
  let bytes = 0;
  while (round < WARMUP_ROUNDS + rounds) {
    // The first batch is the warm-up (not counted), then batches of BATCH_ROUNDS.
    const counted = round >= WARMUP_ROUNDS;
    const end = Math.min(WARMUP_ROUNDS + rounds, counted ? round + BATCH_ROUNDS : WARMUP_ROUNDS);
    const batch: { now: number; reports: SignedReport[] }[] = [];
    for (; round < end; round++) {
      const now = T0 + round * 1000;
      batch.push({ now, reports: fleet.round(now) });
    }
    // Let timers (the node's evaluate interval) run between batches, as they would between pushes.
    await new Promise((resolve) => setImmediate(resolve));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batch) {
      clock.now = b.now;
      for (const r of b.reports) {
        ingest(r, b.now);
        if (counted) {
          reports++;
          bytes += r.body.length;
        }
      }
    }
    if (counted) {
      wallMs += performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
    }
  }
  await stop();
  process.stdout.write(JSON.stringify({
    mode,
    build: mode === 'node' ? root : 'bare',
    gateways,
    healthChecks: 2 * gateways,
    checkers,
    reports,
    meanBodyBytes: Math.round(bytes / reports),
    reportsPerSecond: Math.round(reports / (wallMs / 1000)),
    cpuMicrosPerReport: Math.round(cpuMicros / reports),
    ...extra(),
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
