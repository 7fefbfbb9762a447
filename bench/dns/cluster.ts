/**
 * The benchmark's multi-core experiment: `cluster` with N workers, each a DNS node serving the same
 * config on the same address (the UDP socket and the TCP listener are shared through the primary).
 * Benchmark only: the workers do not share verdicts (no checker reports reach them here); a
 * production multi-core node would keep one verdict store in the primary and hand verdicts to the
 * workers.
 *
 *   node cluster.js <config.json> <host:port> <workers>
 */
import cluster from 'cluster';
import { DnsNode } from '../../lib/dns';

const [config, listen, count] = process.argv.slice(2);
if (!config || !listen || !count) {
  process.stderr.write('usage: node cluster.js <config.json> <host:port> <workers>\n');
  process.exit(2);
}

if (cluster.isPrimary) {
  const workers = Number(count);
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m) => {
      if (m === 'listening' && ++ready === workers) process.stdout.write(JSON.stringify({ event: 'started', dns: listen, workers, pid: process.pid }) + '\n');
    });
  }
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    cluster.disconnect(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  const i = listen.lastIndexOf(':');
  DnsNode.start({ configFile: config, dns: { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) } }).then(
    (node) => {
      process.send?.('listening');
      process.once('SIGTERM', () => void node.stop().then(() => process.exit(0)));
    },
    (e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
