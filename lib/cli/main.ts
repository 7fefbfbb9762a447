#!/usr/bin/env node
/** The `dns-failover` command (package.json bin). */
import { runCli } from './run';

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
}).then(
  (code) => {
    // A long-running command resolves once it has stopped; leave nothing behind.
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  },
  (e) => {
    process.stderr.write(`dns-failover: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
