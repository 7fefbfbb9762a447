/**
 * `dns-failover verify <path>`: reads what was synthesized (a cdk.out, a template, a cdktf.out, a
 * cdk.tf.json, a bundle) with the target's own reader and reports, per gateway, lint, timing, cost and
 * what-if answers. Exit code 1 when an error-level rule fires, 0 otherwise, 2 for usage errors
 * (including a path that holds no artifact).
 */
import { Command } from './command';
import { formatReport, readArtifacts, verifyReport, VerifyInputError } from '../verify';

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
  ],
  async run(flags, io): Promise<number> {
    const location = String(flags.path);
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
    const report = verifyReport(location, sources);
    if (flags.json) io.out(JSON.stringify(report, null, 2));
    else io.out(formatReport(report));
    return report.exitCode;
  },
};
