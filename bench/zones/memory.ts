/**
 * Where a DNS node's resident memory goes after start: the process's RSS, V8's heap spaces (size and
 * bytes in use), and, when node runs with --expose-gc, the heap in use after a full collection (what
 * stays live, the rest being garbage of the load not collected yet).
 *
 *   node [--expose-gc] memory.js <config.json> [settle seconds (2)]
 *
 * Prints one JSON line of MB figures. Loopback port 0 (any free port); the node is stopped before exit.
 */
import * as v8 from 'v8';
import { DnsNode } from '../../lib/dns';

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const [config, settle] = process.argv.slice(2);
  if (!config) {
    process.stderr.write('usage: node [--expose-gc] memory.js <config.json> [settle seconds]\n');
    process.exit(2);
  }
  const base = process.memoryUsage();
  const node = await DnsNode.start({ configFile: config, dns: { host: '127.0.0.1', port: 0 } });
  await new Promise((resolve) => setTimeout(resolve, Number(settle ?? 2) * 1000));
  const started = process.memoryUsage();
  const spaces: Record<string, { size: number; used: number }> = {};
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_size > 0) spaces[s.space_name] = { size: mb(s.space_size), used: mb(s.space_used_size) };
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  let liveAfterGc: number | undefined;
  if (gc) {
    gc();
    gc();
    liveAfterGc = mb(process.memoryUsage().heapUsed);
  }
  await node.stop();
  process.stdout.write(JSON.stringify({
    rssBeforeStart: mb(base.rss),
    heapUsedBeforeStart: mb(base.heapUsed),
    rss: mb(started.rss),
    heapTotal: mb(started.heapTotal),
    heapUsed: mb(started.heapUsed),
    external: mb(started.external),
    spaces,
    ...(liveAfterGc !== undefined ? { heapUsedAfterFullGc: liveAfterGc } : {}),
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
