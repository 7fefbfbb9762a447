/**
 * The program of an answering worker of `dns-failover serve --workers N` (see cluster.ts): the primary
 * starts it with `cluster.fork()`. It loads the DNS server and what it answers with, nothing of the
 * CLI, the admin API or the report path.
 */
import { runAnsweringWorker } from './cluster';

runAnsweringWorker().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`dns-failover answering worker: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
