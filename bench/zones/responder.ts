/**
 * The responder alone, without sockets: the CPU time of our own code per query (parse, lookup, the
 * engine's choice, the copy of a kept answer) for a fleet's config, asked for every name in a fixed
 * shuffled order, as bench/zones/run.sh asks over UDP.
 *
 *   node responder.js <config.json> [queries (2,000,000)] [rounds (5)]
 *
 * Prints one JSON line: names, CPU nanoseconds per query (the process's user + system time, the median
 * of the rounds; CPU time rather than elapsed time, which a shared machine inflates), heap used.
 * Between queries nothing else runs here, so the caches stay warmer than in a server, whose
 * datagram path evicts them between queries: read it as the floor of the responder's cost.
 */
import * as fs from 'fs';
import { checkBundleConfig, formatProblem } from '../../lib/bundle';
import { HealthState } from '../../lib/engine';
import { DnsMetrics, Transport } from '../../lib/dns/metrics';
import { Responder } from '../../lib/dns/responder';
import { ZoneSet } from '../../lib/dns/zones';

function query(name: string, id: number): Buffer {
  const labels = name.split('.');
  const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 1) + 4);
  q.writeUInt16BE(id, 0);
  q.writeUInt16BE(0x0100, 2); // RD
  q.writeUInt16BE(1, 4);
  let p = 12;
  for (const l of labels) {
    q[p++] = l.length;
    p += q.write(l, p, 'latin1');
  }
  q[p++] = 0;
  q.writeUInt16BE(1, p); // A
  q.writeUInt16BE(1, p + 2); // IN
  return q;
}

function main(): void {
  const [file, count, rounds] = process.argv.slice(2);
  const check = checkBundleConfig(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!check.config) throw new Error(check.errors.map(formatProblem).join('\n'));
  const config = check.config;
  const zones = new ZoneSet(config);
  const health = new HealthState(config.healthChecks);
  // As the DNS node serves: the zones, the verdicts and the health state behind them.
  const serving = { zones, isHealthy: health.isHealthy, health };
  const responder = new Responder(() => serving, new DnsMetrics());
  const names = [...new Set(config.recordSets.map((r) => r.name))];
  // The same fixed shuffle as peer.ts's query file.
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  for (let i = names.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [names[i], names[j]] = [names[j], names[i]];
  }
  const queries = names.map((n, i) => query(n, i & 0xffff));
  const n = Number(count ?? 2_000_000);
  const perRound: number[] = [];
  for (let r = 0; r < Number(rounds ?? 5); r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const q = queries[i % queries.length];
      if (responder.answer(q, q.length, Transport.UDP, '127.0.0.1') === undefined) throw new Error('no answer');
    }
    const c = process.cpuUsage(c0);
    perRound.push(((c.user + c.system) * 1e3) / n);
  }
  perRound.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({
    names: names.length,
    nsPerQuery: Number(perRound[Math.floor(perRound.length / 2)].toFixed(1)),
    rounds: perRound.map((x) => Number(x.toFixed(1))),
    heapUsedMB: Number((process.memoryUsage().heapUsed / 1048576).toFixed(1)),
  }) + '\n');
}

main();
