/**
 * `dns-failover verify <path>`: reads what was synthesized (a cdk.out, a template, a cdktf.out, a
 * cdk.tf.json, a bundle) with the target's own reader and reports, per gateway, lint, timing, cost and
 * what-if answers. Exit code 1 when an error-level rule fires, 0 otherwise, 2 for usage errors
 * (including a path that holds no artifact). `--live` probes the endpoints from this machine;
 * `--drill` runs a failover drill on loopback (progress on standard error) and exits 1 when a step
 * falls outside its predicted window.
 */
import { parseInteger, UsageError } from './args';
import { Command } from './command';
import { ClientSpec, DEFAULT_DRILL_SPEED, formatReport, parseClientSpec, readArtifacts, runVerify, VerifyInputError } from '../verify';

/** `--from DE,US-CA,203.0.113.7`: each value a client; every error names the value. */
function parseFrom(value: string): ClientSpec[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean).map((v) => {
    try {
      return parseClientSpec(v);
    } catch (e) {
      throw new UsageError(`--from: ${(e as Error).message}`);
    }
  });
}

export const verifyCommand: Command = {
  name: 'verify',
  summary:
    'Tell how a synthesized configuration will answer and fail over, before deploying it: lint (rule ids and fixes),\n' +
    'failure and recovery times, monthly Route 53 cost, and the answers with each member down (from the engine).',
  positionals: [
    { name: 'path', value: '<path>', description: 'a cdk.out or cdktf.out directory, a template, a cdk.tf.json, or a bundle directory', required: true },
  ],
  flags: [
    {
      name: 'from',
      value: '<clients>',
      description: 'answer for these clients, comma-separated: a country (DE), a subdivision (US-CA), a continent (continent:EU), a region\n' +
        '(eu-west-1), an order of regions (order:eu-west-1>us-east-1), an address or subnet (203.0.113.7, 2001:db8::/48), elsewhere;\n' +
        'by default one client per place a routing tree tells apart',
    },
    { name: 'json', description: 'print the report as JSON (for machines)' },
    { name: 'live', description: 'also probe every endpoint now from this machine and show the answers the engine would give' },
    { name: 'drill', description: 'also run a failover drill on loopback: DNS server, checkers and stand-in endpoints, members failed one by one\n(routing trees asked for one client subnet per client area, with the EDNS Client Subnet option)' },
    { name: 'speed', value: '<factor>', description: 'the drill divides intervals and timeouts by this', default: String(DEFAULT_DRILL_SPEED) },
  ],
  async run(flags, io): Promise<number> {
    const location = String(flags.path);
    const speed = parseInteger('speed', String(flags.speed), 1, 1000);
    const from = typeof flags.from === 'string' ? parseFrom(flags.from) : undefined;
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
    const options = { from, live: flags.live === true, drill: flags.drill === true, speed, log: (line: string) => io.err(line) };
    const report = await runVerify(location, options, sources);
    if (flags.json) io.out(JSON.stringify(report, null, 2));
    else io.out(formatReport(report));
    return report.exitCode;
  },
};
