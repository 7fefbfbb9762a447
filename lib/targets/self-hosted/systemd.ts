/**
 * The bundle's systemd units, for plain machines: one service per DNS node and one per checker,
 * each running the `dns-failover` command with the bundle config. Report keys reach the services
 * through `LoadCredential=` (systemd 248 or later), so a unit runs as a dynamic user that can read
 * them without the files being readable by anyone else: a DNS node loads the key of every checker
 * (`--keys-dir %d`), a checker only its own (`--key-file %d/<key name>`).
 */
import { createHash } from 'crypto';
import { BUNDLE_FILES, checkArgs, reportUrl, serveArgs } from './files';
import type { BundleContext } from './settings';
import { checkerKeyName } from '../../bundle';

/** The directory, under the config directory, that holds the checkers' keys (one file per key name). */
export const KEYS_DIRECTORY = 'keys';
/** The credentials directory of a unit (the `%d` specifier). */
const CREDENTIALS = '%d';

/** One word of a command line as systemd reads it (`%` and `$` escaped, quoted when needed). */
export function systemdWord(word: string): string {
  // The credentials directory, and a key name in it (a file name of letters, digits, '.', '_', '-').
  if (word === CREDENTIALS || /^%d\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(word)) return word;
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./[\]$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function unitId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return clean === id ? id : `${clean}-${createHash('sha256').update(id).digest('hex').slice(0, 6)}`;
}

function portOf(hostPort: string): number {
  return Number(/:(\d+)$/.exec(hostPort)![1]);
}

/** The unit file names of a bundle's DNS nodes and checkers, by id. */
export function unitNames(ctx: Pick<BundleContext, 'config'>): { dnsNodes: Map<string, string>; checkers: Map<string, string> } {
  return {
    dnsNodes: new Map(ctx.config.dnsNodes.map((n) => [n.id, `dns-failover-dns-${unitId(n.id)}.service`])),
    checkers: new Map(ctx.config.checkers.map((c) => [c.id, `dns-failover-checker-${unitId(c.id)}.service`])),
  };
}

export function systemdUnits(ctx: BundleContext): Map<string, string> {
  const { config, settings } = ctx;
  const dir = settings.systemd.configDirectory;
  const configFile = `${dir === '/' ? '' : dir}/${BUNDLE_FILES.config}`;
  // LoadCredential= expands specifiers (%), not environment variables.
  const loadKey = (keyName: string) => `LoadCredential=${keyName}:${`${dir === '/' ? '' : dir}/${KEYS_DIRECTORY}/${keyName}`.replace(/%/g, '%%')}`;
  const exec = (args: string[]) => [settings.systemd.cliPath, ...args].map(systemdWord).join(' ');
  const names = unitNames(ctx);
  const zones = config.zones.map((z) => z.name).join(', ');
  const header = (what: string) => [
    `# ${what} of the self-hosted stack '${ctx.stackPath}', written by cdk-dns-failover ${ctx.version}.`,
    '# Install on the machine that runs it: README.md next to this directory, "Plain machines (systemd)".',
  ];
  // The sandbox `systemd-analyze security` asks for (test/targets/self-hosted/systemd.test.ts scores
  // every unit with it), except what a Node.js network service cannot have:
  // - MemoryDenyWriteExecute: V8 compiles JavaScript into writable, executable memory (Node stops at once);
  // - PrivateNetwork and IPAddressDeny: it serves DNS and pushes reports over the network;
  // - SystemCallFilter=~@resources: Node raises its open-files limit with setrlimit at startup;
  // - PrivateUsers on a DNS node that binds a port below 1024: CAP_NET_BIND_SERVICE must count on the host.
  const hardening = (privateUsers: boolean) => [
    'DynamicUser=yes',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'PrivateMounts=yes',
    ...(privateUsers ? ['PrivateUsers=yes'] : []),
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'ProcSubset=pid',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged',
    'SystemCallErrorNumber=EPERM',
    'UMask=0077',
  ];
  const units = new Map<string, string>();

  for (const node of config.dnsNodes) {
    const privileged = portOf(node.dns) < 1024 || portOf(node.admin) < 1024;
    units.set(names.dnsNodes.get(node.id)!, [
      ...header(`DNS node '${node.id}'`),
      '[Unit]',
      `Description=dns-failover DNS node ${node.id} (${zones})`,
      'Wants=network-online.target',
      'After=network-online.target',
      '',
      '[Service]',
      'Type=exec',
      `ExecStart=${exec(serveArgs({ config: configFile, listen: node.dns, admin: node.admin, keysDir: CREDENTIALS, ignoreClientSubnet: node.ignoreClientSubnet }))}`,
      // SIGHUP re-reads the config (and the keys); a bad config is refused and the node keeps serving the old one.
      'ExecReload=/bin/kill -HUP $MAINPID',
      ...config.checkers.map((c) => loadKey(checkerKeyName(c))),
      'Restart=on-failure',
      'RestartSec=2',
      // Lets a reload's compile run at nice 19 and the answering workers come back to 0 (never below it): lib/dns/priority.ts.
      'LimitNICE=+0',
      ...hardening(!privileged),
      ...(privileged ? ['AmbientCapabilities=CAP_NET_BIND_SERVICE', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE'] : ['CapabilityBoundingSet=']),
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'));
  }

  const push = config.dnsNodes.map((n) => reportUrl(n.admin));
  for (const checker of config.checkers) {
    units.set(names.checkers.get(checker.id)!, [
      ...header(`Checker '${checker.id}' (region ${checker.region})`),
      '[Unit]',
      `Description=dns-failover checker ${checker.id} in ${checker.region}, reporting to ${config.dnsNodes.map((n) => n.id).join(', ')}`,
      'Wants=network-online.target',
      'After=network-online.target',
      '',
      '[Service]',
      'Type=exec',
      `ExecStart=${exec(checkArgs({ config: configFile, checkerId: checker.id, region: checker.region, push, keyFile: `${CREDENTIALS}/${checkerKeyName(checker)}` }))}`,
      loadKey(checkerKeyName(checker)),
      'Restart=on-failure',
      'RestartSec=2',
      ...hardening(true),
      'CapabilityBoundingSet=',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'));
  }
  return units;
}
