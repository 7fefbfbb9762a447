/**
 * `dns-failover verify <path>`: reads what was synthesized (a cdk.out, a template, a cdktf.out, a
 * cdk.tf.json, a bundle) with the target's own reader and reports, per gateway, lint, timing, cost and
 * what-if answers. Exit code 1 when an error-level rule fires, 0 otherwise, 2 for usage errors
 * (including a path that holds no artifact). `--live` probes the endpoints from this machine;
 * `--drill` runs a failover drill on loopback (progress on standard error) and exits 1 when a step
 * falls outside its predicted window.
 */
import { parseInteger } from './args';
import { Command } from './command';
import { DEFAULT_DRILL_SPEED, formatReport, readArtifacts, runVerify, VerifyInputError } from '../verify';

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    'Tell how a synthesized configuration will answer and fail over, before deploying it: lint (rule ids and fixes),\n' +
    'failure and recovery times, monthly Route 53 cost, and the answers with each member down (from the engine).',
  positionals: [
    { name: 'path', value: '<path>', description: 'a cdk.out or cdktf.out directory, a template, a cdk.tf.json, or a bundle directory', required: true },
  ],
  flags: [
    { name: 'json', description: 'print the report as JSON (for machines)' },
    { name: 'live', description: 'also probe every endpoint now from this machine and show the answers the engine would give' },
    { name: 'drill', description: 'also run a failover drill on loopback: DNS server, checkers and stand-in endpoints, members failed one by one' },
    { name: 'speed', value: '<factor>', description: 'the drill divides intervals and timeouts by this', default: String(DEFAULT_DRILL_SPEED) },
  ],
  async run(flags, io): Promise<number> {
    const location = String(flags.path);
    const speed = parseInteger('speed', String(flags.speed), 1, 1000);
    let sources;
    try {
      sources = readArtifacts(location);
    } catch (e) {
      if (e instanceof VerifyInputError) {
        io.err(`dns-failover verify: ${e.message}`);
        return 2;
      }
      io.err(`dns-failover verify: cannot read '${location}': ${(e as Error).message}`);
      return 2;
    }
    const report = await runVerify(location, { live: flags.live === true, drill: flags.drill === true, speed, log: (line) => io.err(line) }, sources);
    if (flags.json) io.out(JSON.stringify(report, null, 2));
    else io.out(formatReport(report));
    return report.exitCode;
  },
};
