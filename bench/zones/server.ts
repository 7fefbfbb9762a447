/**
 * One DNS node serving a bundle config (the same entry as bench/dns/server.ts, kept here so that
 * bench/zones/run.sh can compile it against an older build of lib/ as well):
 *
 *   node server.js <config.json> <host:port>
 *
 * Prints one JSON line when it listens, stops on SIGTERM/SIGINT.
 */
import { DnsNode } from '../../lib/dns';

async function main(): Promise<void> {
  const [config, listen] = process.argv.slice(2);
  if (!config || !listen) {
    process.stderr.write('usage: node server.js <config.json> <host:port>\n');
    process.exit(2);
  }
  const i = listen.lastIndexOf(':');
  const node = await DnsNode.start({ configFile: config, dns: { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) } });
  process.stdout.write(JSON.stringify({ event: 'started', dns: `${node.dnsAddress.host}:${node.dnsAddress.port}`, pid: process.pid }) + '\n');
  const stop = () => {
    void node.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
