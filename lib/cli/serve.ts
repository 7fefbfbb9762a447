/**
 * `dns-failover serve`: one DNS node serving a bundle config, with its admin API.
 * Reloads on SIGHUP (and POST /reload); stops cleanly, exit code 0, on SIGTERM and SIGINT.
 */
import { DnsNode } from '../dns';
import { parseHostPort, parseInteger } from './args';
import { Command, eventLine } from './command';
import { SignalLatch } from './signals';
import { DEFAULT_REPORT_CLOCK_SKEW_MS, HmacReportAuthenticator, readSecretFile, REFUSE_REPORTS } from '../protocol/auth';

export const DEFAULT_LISTEN = '127.0.0.1:5353';
export const DEFAULT_ADMIN = '127.0.0.1:8053';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the zones and failover groups of a bundle config over DNS (UDP and TCP), with the admin API\n(status, metrics, reload, checker reports). Logs one JSON line per event. SIGHUP reloads the config.',
  flags: [
    { name: 'config', value: '<file>', description: 'the bundle config (JSON)', required: true },
    { name: 'listen', value: '<host:port>', description: 'DNS address, UDP and TCP', default: DEFAULT_LISTEN },
    { name: 'admin', value: '<host:port>', description: 'admin API address (HTTP)', default: DEFAULT_ADMIN },
    { name: 'tcp-idle-timeout', value: '<ms>', description: 'close TCP connections idle this long', default: '10000' },
    { name: 'max-udp-payload', value: '<octets>', description: 'largest UDP response (512..4096)', default: '1232' },
    { name: 'evaluate-interval', value: '<ms>', description: 'how often verdicts are re-evaluated without reports', default: '1000' },
    { name: 'stats-interval', value: '<seconds>', description: 'log query counts this often (0: never)', default: '0' },
    { name: 'secret-file', value: '<file>', description: 'shared secret of the checkers\' reports (HMAC-SHA256); without it every report is refused' },
    { name: 'max-clock-skew', value: '<ms>', description: 'refuse reports timestamped further than this from the node\'s clock', default: String(DEFAULT_REPORT_CLOCK_SKEW_MS) },
  ],
  async run(flags, io): Promise<number> {
    const dns = parseHostPort('listen', String(flags.listen));
    const admin = parseHostPort('admin', String(flags.admin));
    const tcpIdleTimeoutMs = parseInteger('tcp-idle-timeout', String(flags['tcp-idle-timeout']), 100, 3_600_000);
    const maxUdpPayload = parseInteger('max-udp-payload', String(flags['max-udp-payload']), 512, 4096);
    const evaluateIntervalMs = parseInteger('evaluate-interval', String(flags['evaluate-interval']), 10, 3_600_000);
    const statsSeconds = parseInteger('stats-interval', String(flags['stats-interval']), 0, 86_400);
    const maxClockSkewMs = parseInteger('max-clock-skew', String(flags['max-clock-skew']), 1, 3_600_000);
    const log = (e: { readonly event: string; readonly [key: string]: unknown }) => io.out(eventLine(e));

    const signals = new SignalLatch(); // before anything starts: see signals.ts
    let node: DnsNode;
    try {
      // Reports are authenticated with the shared secret (lib/protocol/auth.ts); without one the
      // node serves DNS but refuses every report (403), and says so at startup.
      const reportAuthenticator = flags['secret-file'] !== undefined
        ? new HmacReportAuthenticator({ secret: readSecretFile(String(flags['secret-file'])), maxClockSkewMs })
        : REFUSE_REPORTS;
      if (flags['secret-file'] === undefined) {
        log({
          event: 'warning',
          message: 'no --secret-file: this node refuses every checker report (403) and keeps its verdicts as they start (healthy); '
            + 'give the checkers\' secret file to accept their reports',
        });
      }
      node = await DnsNode.start({
        configFile: String(flags.config), dns, admin, log, tcpIdleTimeoutMs, maxUdpPayload, evaluateIntervalMs, reportAuthenticator, maxClockSkewMs,
      });
    } catch (e) {
      signals.dispose();
      const message = (e as Error).message;
      log({ event: 'failed', error: message });
      io.err(`dns-failover serve: ${message}`);
      return 1;
    }

    return new Promise<number>((resolve) => {
      let stats: NodeJS.Timeout | undefined;
      let last = 0;
      if (statsSeconds > 0) {
        stats = setInterval(() => {
          const total = node.metrics.totalQueries();
          log({ event: 'stats', queries: total, queriesPerSecond: Math.round((total - last) / statsSeconds), nxdomain: node.metrics.totalQueries(3), refused: node.metrics.totalQueries(5), dropped: node.metrics.dropped });
          last = total;
        }, statsSeconds * 1000);
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log({ event: 'stopping', signal });
        if (stats) clearInterval(stats);
        node.stop().then(
          () => {
            signals.dispose();
            log({ event: 'stopped' });
            resolve(0);
          },
          (e) => {
            signals.dispose();
            log({ event: 'stopped', error: (e as Error).message });
            resolve(0);
          },
        );
      };
      signals.attach(stop, () => {
        node.reload();
      });
    });
  },
};
