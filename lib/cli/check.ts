/**
 * `dns-failover check`: one health checker. Probes every endpoint check of a bundle config on its own
 * schedule and pushes its observations, signed with its own key, to every DNS node.
 * Logs one JSON line per event (checker-started, check-skipped, verdict, push-failed,
 * push-recovered, checker-reconfigured, config-refused, stopping, checker-stopped); takes a changed
 * config without a restart (polled, and on SIGHUP); stops cleanly, exit code 0, on SIGTERM and SIGINT.
 */
import * as fs from 'fs';
import { Checker, DEFAULT_LOOKUP_TIMEOUT_MS, DEFAULT_MAX_CONCURRENCY, parseReportUrl, ROUTE53_PROBE_TIMEOUTS_MS } from '../checker';
import { parseInteger, UsageError } from './args';
import { Command, eventLine } from './command';
import { SignalLatch } from './signals';
import { formatProblem, readBundleConfigFile } from '../bundle';
import { readKeyFile } from '../protocol/auth';

const R53 = ROUTE53_PROBE_TIMEOUTS_MS;

export const checkCommand: Command = {
  name: 'check',
  summary: 'Run a health checker: probe the endpoint checks of a bundle config as Route 53 does and push the\nsigned observations to every DNS node. Logs one JSON line per event; exits 0 on SIGTERM.',
  flags: [
    { name: 'config', value: '<file>', description: 'the bundle config (JSON)', required: true },
    { name: 'checker-id', value: '<id>', description: 'this checker\'s id, one of the config\'s checkers', required: true },
    { name: 'region', value: '<region>', description: 'this checker\'s region, as the config lists it', required: true },
    { name: 'push', value: '<url>[,<url>...]', description: 'the DNS nodes\' report endpoints, e.g. http://127.0.0.1:8053/reports', required: true },
    { name: 'key-file', value: '<file>', description: 'this checker\'s own report key (at least 16 octets; the DNS nodes hold it under its keyName); required' },
    { name: 'connect-timeout', value: '<ms>', description: 'HTTP(S) connect deadline for checks without connectTimeout', default: String(R53.httpConnectMs) },
    { name: 'tcp-connect-timeout', value: '<ms>', description: 'TCP check connect deadline for checks without connectTimeout', default: String(R53.tcpConnectMs) },
    { name: 'status-timeout', value: '<ms>', description: 'deadline from connecting to the status, for checks without statusTimeout', default: String(R53.statusMs) },
    { name: 'body-timeout', value: '<ms>', description: 'deadline from the status to the search string, for checks without bodyTimeout', default: String(R53.bodyMs) },
    { name: 'lookup-timeout', value: '<ms>', description: 'deadline of a host name lookup', default: String(DEFAULT_LOOKUP_TIMEOUT_MS) },
    { name: 'dns-server', value: '<ip[:port]>[,...]', description: 'resolve host names with these DNS servers (default: those of /etc/resolv.conf)' },
    { name: 'max-concurrency', value: '<n>', description: 'probes in flight at most', default: String(DEFAULT_MAX_CONCURRENCY) },
    { name: 'heartbeat', value: '<ms>', description: 'push at least this often (default: the shortest check interval)' },
    { name: 'config-poll', value: '<seconds>', description: 'look at the config file this often and take a changed one without a restart (0: only on SIGHUP)', default: '5' },
    { name: 'secret-file', value: '<file>', description: 'removed: every checker has its own key now, see --key-file' },
  ],
  async run(flags, io): Promise<number> {
    if (flags['secret-file'] !== undefined) {
      throw new UsageError('--secret-file was removed: one shared secret let any checker sign as any other. Give this checker its own key with --key-file <file>; '
        + 'the DNS nodes hold the same key under the checker\'s keyName (by default its id) in their --keys-dir');
    }
    if (flags['key-file'] === undefined) throw new UsageError("flag '--key-file <file>' is required for 'check'");
    const ms = (name: string, min = 100) => parseInteger(name, String(flags[name]), min, 3_600_000);
    const timeoutDefaults = {
      httpConnectMs: ms('connect-timeout'),
      tcpConnectMs: ms('tcp-connect-timeout'),
      statusMs: ms('status-timeout'),
      bodyMs: ms('body-timeout'),
    };
    const lookupTimeoutMs = ms('lookup-timeout');
    const maxConcurrency = parseInteger('max-concurrency', String(flags['max-concurrency']), 1, 65_536);
    const heartbeatMs = flags.heartbeat !== undefined ? ms('heartbeat', 10) : undefined;
    const pollSeconds = parseInteger('config-poll', String(flags['config-poll']), 0, 3600);
    const urls = String(flags.push).split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length === 0) throw new UsageError('--push has no URL; give the DNS nodes\' report endpoints, comma-separated');
    for (const u of urls) {
      try {
        parseReportUrl(u);
      } catch (e) {
        throw new UsageError(`--push: ${(e as Error).message}`);
      }
    }
    const checkerId = String(flags['checker-id']);
    const region = String(flags.region);
    const log = (e: { readonly event: string; readonly [key: string]: unknown }) => io.out(eventLine(e));
    const signals = new SignalLatch(); // before anything starts: a SIGTERM during startup is kept
    const fail = (message: string) => {
      signals.dispose();
      log({ event: 'failed', error: message });
      io.err(`dns-failover check: ${message}`);
      return 1;
    };

    const file = String(flags.config);
    const loaded = readBundleConfigFile(file);
    if (!loaded.config) return fail(`cannot use the bundle config ${file}:\n${loaded.errors.map(formatProblem).join('\n')}`);
    const config = loaded.config;
    const me = config.checkers.find((c) => c.id === checkerId);
    if (!me) {
      return fail(`checker '${checkerId}' is not in ${file} (its checkers: ${config.checkers.map((c) => c.id).join(', ') || 'none'}); the DNS nodes only accept configured checkers, so add it there or use one of those ids`);
    }
    if (me.region !== region) return fail(`checker '${checkerId}' is in region '${me.region}' in ${file}, not '${region}'; give --region ${me.region}`);

    let checker: Checker;
    try {
      const secret = readKeyFile(String(flags['key-file']));
      checker = new Checker({
        checkerId,
        region,
        healthChecks: config.healthChecks,
        timeoutDefaults,
        lookupTimeoutMs,
        ...(flags['dns-server'] !== undefined ? { dnsServers: String(flags['dns-server']).split(',').map((x) => x.trim()).filter((x) => x !== '') } : {}),
        maxConcurrency,
        push: { urls, secret, ...(heartbeatMs !== undefined ? { heartbeatMs } : {}) },
        log,
      });
    } catch (e) {
      return fail((e as Error).message);
    }
    checker.start();

    // A changed config (a Kubernetes ConfigMap update, an edited file, SIGHUP) is taken without a
    // restart: checks whose probe target is unchanged keep their results and stay reported.
    let text = readFileSafe(file);
    let reloading = Promise.resolve();
    const reload = (why: string) => {
      reloading = reloading.then(async () => {
        const now = readFileSafe(file);
        if (why === 'poll' && now === text) return;
        text = now;
        const next = readBundleConfigFile(file);
        if (!next.config) {
          log({ event: 'config-refused', config: file, error: next.errors.map(formatProblem).join('\n'), keeping: 'the previous config' });
          return;
        }
        const mine = next.config.checkers.find((c) => c.id === checkerId);
        if (!mine || mine.region !== region) {
          log({ event: 'config-refused', config: file, error: `the new config ${mine ? `puts checker '${checkerId}' in region '${mine.region}'` : `has no checker '${checkerId}'`}; restart this checker with the right flags`, keeping: 'the previous config' });
          return;
        }
        await checker.reconfigure(next.config.healthChecks);
      }).catch((e) => log({ event: 'config-refused', config: file, error: (e as Error).message, keeping: 'the previous config' }));
    };
    const poll = pollSeconds > 0 ? setInterval(() => reload('poll'), pollSeconds * 1000) : undefined;

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        if (poll) clearInterval(poll);
        log({ event: 'stopping', signal });
        reloading.then(() => checker.stop()).then(
          () => {
            signals.dispose();
            resolve(0);
          },
          (e) => {
            signals.dispose();
            log({ event: 'checker-stopped', error: (e as Error).message });
            resolve(0);
          },
        );
      };
      signals.attach(stop, () => reload('SIGHUP'));
    });
  },
};

function readFileSafe(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
