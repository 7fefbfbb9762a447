/**
 * `dns-failover serve`: one DNS node serving a bundle config, with its admin API.
 * Reloads on SIGHUP (and POST /reload); stops cleanly, exit code 0, on SIGTERM and SIGINT.
 *
 * DNS is answered by `--workers` processes (node:cluster workers, lib/dns/worker.ts, which share the
 * DNS sockets); this process, the primary, takes the reports, decides the verdicts, sends them to the
 * workers, serves the admin API and replaces the workers on a reload (lib/dns/cluster.ts).
 */
import {
  DEFAULT_MAX_TCP_CONNECTIONS,
  DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT,
  DEFAULT_MAX_TCP_OUTPUT_BYTES,
  DEFAULT_RRL_SLIP,
  DEFAULT_TCP_IO_TIMEOUT_MS,
  DnsNode,
} from '../dns';
import { parseHostPort, parseInteger, UsageError } from './args';
import { Command, eventLine } from './command';
import { SignalLatch } from './signals';
import { DEFAULT_MAX_ADMIN_CONNECTIONS, DEFAULT_MAX_CONCURRENT_REPORTS } from '../dns/admin';
import { CheckerKeyDirectory, DEFAULT_REPORT_CLOCK_SKEW_MS, HmacReportAuthenticator, readKeyFile, REFUSE_REPORTS } from '../protocol/auth';

export const DEFAULT_LISTEN = '127.0.0.1:5353';
export const DEFAULT_ADMIN = '127.0.0.1:8053';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the zones and failover groups of a bundle config over DNS (UDP and TCP), with the admin API\n(status, metrics, reload, checker reports). Logs one JSON line per event. SIGHUP reloads the config.',
  flags: [
    { name: 'config', value: '<file>', description: 'the bundle config (JSON)', required: true },
    { name: 'listen', value: '<host:port>', description: 'DNS address, UDP and TCP', default: DEFAULT_LISTEN },
    { name: 'admin', value: '<host:port>', description: 'admin API address (HTTP)', default: DEFAULT_ADMIN },
    { name: 'tcp-idle-timeout', value: '<ms>', description: 'close TCP connections without a message for this long', default: '10000' },
    { name: 'tcp-io-timeout', value: '<ms>', description: 'a started TCP message must arrive, and unread answers leave, within this (Knot\'s tcp-io-timeout)', default: String(DEFAULT_TCP_IO_TIMEOUT_MS) },
    { name: 'max-tcp-connections', value: '<n>', description: 'TCP connections at most (the longest idle one makes room for a new one)', default: String(DEFAULT_MAX_TCP_CONNECTIONS) },
    { name: 'max-tcp-per-client', value: '<n>', description: 'TCP connections from one address at most', default: String(DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT) },
    { name: 'max-tcp-output', value: '<octets>', description: 'unread answers per TCP connection before it is read no further', default: String(DEFAULT_MAX_TCP_OUTPUT_BYTES) },
    { name: 'rrl-rate', value: '<responses/s>', description: 'UDP response rate limiting per client netblock and answer (0: off)', default: '0' },
    { name: 'rrl-slip', value: '<n>', description: 'every n-th limited response goes out truncated (TC), the others are dropped (0: drop all)', default: String(DEFAULT_RRL_SLIP) },
    { name: 'rrl-ipv4-prefix', value: '<bits>', description: 'the IPv4 netblock RRL counts together', default: '24' },
    { name: 'rrl-ipv6-prefix', value: '<bits>', description: 'the IPv6 netblock RRL counts together', default: '56' },
    { name: 'ignore-client-subnet', description: 'ignore the EDNS Client Subnet option: routing trees answer by the source address, no option is echoed' },
    { name: 'max-udp-payload', value: '<octets>', description: 'largest UDP response (512..4096)', default: '1232' },
    {
      name: 'workers',
      value: '<n>',
      description: 'processes that answer DNS, one per core (they share the DNS sockets; this process takes the reports and decides the verdicts for all of them); the TCP limits and RRL apply per worker',
      default: '1',
    },
    { name: 'evaluate-interval', value: '<ms>', description: 'how often verdicts are re-evaluated without reports', default: '1000' },
    { name: 'stats-interval', value: '<seconds>', description: 'log query counts this often (0: never)', default: '0' },
    { name: 'keys-dir', value: '<dir>', description: 'the checkers\' report keys, one file per checker named by its keyName (default: its id); without it every report is refused' },
    { name: 'max-clock-skew', value: '<ms>', description: 'refuse reports timestamped further than this from the node\'s clock', default: String(DEFAULT_REPORT_CLOCK_SKEW_MS) },
    { name: 'admin-token-file', value: '<file>', description: 'a token (16 octets or more) that lets a client with authorization: Bearer <token> see /status and POST /reload from any address (default: loopback clients only)' },
    { name: 'admin-token-only', description: 'loopback clients need the admin token too (when a proxy on this machine forwards others\' requests)' },
    { name: 'max-report-bodies', value: '<n>', description: 'report bodies read at once, at most (503 beyond)', default: String(DEFAULT_MAX_CONCURRENT_REPORTS) },
    { name: 'max-admin-connections', value: '<n>', description: 'admin API connections at most', default: String(DEFAULT_MAX_ADMIN_CONNECTIONS) },
    { name: 'secret-file', value: '<file>', description: 'removed: every checker has its own key now, see --keys-dir' },
  ],
  async run(flags, io): Promise<number> {
    const workers = parseInteger('workers', String(flags.workers), 1, 1024);
    const dns = parseHostPort('listen', String(flags.listen));
    const admin = parseHostPort('admin', String(flags.admin));
    const tcpIdleTimeoutMs = parseInteger('tcp-idle-timeout', String(flags['tcp-idle-timeout']), 100, 3_600_000);
    const tcpIoTimeoutMs = parseInteger('tcp-io-timeout', String(flags['tcp-io-timeout']), 50, 600_000);
    const maxTcpConnections = parseInteger('max-tcp-connections', String(flags['max-tcp-connections']), 1, 1_000_000);
    const maxTcpConnectionsPerClient = parseInteger('max-tcp-per-client', String(flags['max-tcp-per-client']), 1, 1_000_000);
    const maxTcpOutputBytes = parseInteger('max-tcp-output', String(flags['max-tcp-output']), 512, 64 * 1024 * 1024);
    const rrlRate = parseInteger('rrl-rate', String(flags['rrl-rate']), 0, 1_000_000);
    const rrl = rrlRate > 0
      ? {
        responsesPerSecond: rrlRate,
        slip: parseInteger('rrl-slip', String(flags['rrl-slip']), 0, 10),
        ipv4PrefixLength: parseInteger('rrl-ipv4-prefix', String(flags['rrl-ipv4-prefix']), 8, 32),
        ipv6PrefixLength: parseInteger('rrl-ipv6-prefix', String(flags['rrl-ipv6-prefix']), 16, 128),
      }
      : undefined;
    const maxUdpPayload = parseInteger('max-udp-payload', String(flags['max-udp-payload']), 512, 4096);
    const evaluateIntervalMs = parseInteger('evaluate-interval', String(flags['evaluate-interval']), 10, 3_600_000);
    const statsSeconds = parseInteger('stats-interval', String(flags['stats-interval']), 0, 86_400);
    const maxClockSkewMs = parseInteger('max-clock-skew', String(flags['max-clock-skew']), 1, 3_600_000);
    const maxConcurrentReports = parseInteger('max-report-bodies', String(flags['max-report-bodies']), 1, 1024);
    const maxConnections = parseInteger('max-admin-connections', String(flags['max-admin-connections']), 1, 65_536);
    if (flags['secret-file'] !== undefined) {
      throw new UsageError('--secret-file was removed: one secret let any checker sign as any other. Every checker has its own key now: '
        + 'give --keys-dir <dir> with one key file per checker, named by its keyName in the bundle config (by default its id; the bundle\'s README lists them), '
        + 'and each checker --key-file <its key>');
    }
    const log = (e: { readonly event: string; readonly [key: string]: unknown }) => io.out(eventLine(e));

    const signals = new SignalLatch(); // before anything starts: see signals.ts
    let node: DnsNode;
    try {
      // Reports are authenticated with each checker's own key (lib/protocol/auth.ts); without keys
      // the node serves DNS but refuses every report (403), and says so at startup.
      const keysDir = flags['keys-dir'] !== undefined ? String(flags['keys-dir']) : undefined;
      const reportKeys = keysDir !== undefined ? new CheckerKeyDirectory(keysDir) : undefined;
      const reportAuthenticator = reportKeys !== undefined ? new HmacReportAuthenticator({ keys: reportKeys, maxClockSkewMs }) : REFUSE_REPORTS;
      if (reportKeys === undefined) {
        log({
          event: 'warning',
          message: 'no --keys-dir: this node refuses every checker report (403) and keeps its verdicts as they start (healthy); '
            + 'give it the directory of the checkers\' keys to accept their reports',
        });
      }
      const token = flags['admin-token-file'] !== undefined ? readKeyFile(String(flags['admin-token-file'])) : undefined;
      if (flags['admin-token-only'] === true && token === undefined) throw new Error('--admin-token-only needs --admin-token-file: without a token nobody could see /status or reload');
      node = await DnsNode.start({
        configFile: String(flags.config),
        dns,
        admin: { ...admin, token, maxConcurrentReports, maxConnections, trustLoopback: flags['admin-token-only'] !== true },
        log,
        tcpIdleTimeoutMs,
        tcpIoTimeoutMs,
        maxTcpConnections,
        maxTcpConnectionsPerClient,
        maxTcpOutputBytes,
        rrl,
        maxUdpPayload,
        evaluateIntervalMs,
        reportAuthenticator,
        reportKeys,
        maxClockSkewMs,
        ignoreClientSubnet: flags['ignore-client-subnet'] === true,
        workers,
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
          log({ event: 'stats', queries: total, queriesPerSecond: Math.round((total - last) / statsSeconds), nxdomain: node.metrics.totalQueries(3), refused: node.metrics.totalQueries(5), dropped: node.metrics.totalDropped() });
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
        void node.reload();
      });
    });
  },
};
