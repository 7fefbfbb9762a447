/**
 * The bundle's systemd units: what each runs (checked against the real `dns-failover serve` and
 * `check` flags), how the secret reaches it, and how odd paths are quoted.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { emdrStack, removeTempDirs, tempDir } from './helpers';
import { SelfHostedStackProps } from '../../../lib';
import { parseFlags } from '../../../lib/cli/args';
import { checkCommand } from '../../../lib/cli/check';
import { serveCommand } from '../../../lib/cli/serve';

afterAll(removeTempDirs);

interface Unit {
  readonly text: string;
  readonly sections: Record<string, Array<[string, string]>>;
}

function units(props: SelfHostedStackProps = {}, dir = tempDir()): Map<string, Unit> {
  const { stack } = emdrStack(props);
  stack.synth(dir);
  const out = new Map<string, Unit>();
  for (const name of fs.readdirSync(path.join(dir, 'systemd')).sort()) {
    const text = fs.readFileSync(path.join(dir, 'systemd', name), 'utf8');
    const sections: Unit['sections'] = {};
    let current = '';
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const section = /^\[(\w+)\]$/.exec(line);
      if (section) {
        current = section[1];
        sections[current] = [];
        continue;
      }
      const eq = line.indexOf('=');
      expect(eq).toBeGreaterThan(0);
      sections[current].push([line.slice(0, eq), line.slice(eq + 1)]);
    }
    out.set(name, { text, sections });
  }
  return out;
}

const value = (u: Unit, section: string, key: string) => u.sections[section]?.filter(([k]) => k === key).map(([, v]) => v) ?? [];

/** A command line split the way systemd splits it (double quotes, backslash escapes, `%%` and `$$`). */
function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') i++;
        word += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') word += line[i++];
    }
    out.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return out;
}

describe('systemd units', () => {
  const props: SelfHostedStackProps = {
    dnsNodes: [{ id: 'ns-a', dnsAddress: '192.0.2.53:53', adminAddress: '10.0.0.53:8053' }, { id: 'ns-b', dnsAddress: '[2001:db8::53]:5353', adminAddress: '10.0.1.53:8053' }],
    checkers: [{ id: 'eu-1', region: 'eu' }, { id: 'us-1', region: 'us' }],
  };

  test('one service per DNS node and per checker', () => {
    expect([...units(props).keys()]).toEqual([
      'dns-failover-checker-eu-1.service',
      'dns-failover-checker-us-1.service',
      'dns-failover-dns-ns-a.service',
      'dns-failover-dns-ns-b.service',
    ]);
  });

  test('a DNS node serves the installed config on its addresses, with every checker\'s key as a credential', () => {
    const u = units(props).get('dns-failover-dns-ns-b.service')!;
    const argv = words(value(u, 'Service', 'ExecStart')[0]);
    expect(argv).toEqual([
      '/usr/local/bin/dns-failover', 'serve',
      '--config', '/etc/dns-failover/config.json',
      '--listen', '[2001:db8::53]:5353',
      '--admin', '10.0.1.53:8053',
      '--keys-dir', '%d',
    ]);
    // The real command accepts these flags.
    const flags = parseFlags('serve', serveCommand.flags, argv.slice(2));
    expect(flags).toMatchObject({ 'config': '/etc/dns-failover/config.json', 'listen': '[2001:db8::53]:5353', 'keys-dir': '%d' });
    expect(value(u, 'Service', 'LoadCredential')).toEqual(['eu-1:/etc/dns-failover/keys/eu-1', 'us-1:/etc/dns-failover/keys/us-1']);
    expect(value(u, 'Service', 'ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(value(u, 'Service', 'Restart')).toEqual(['on-failure']);
    // A reload's compile at nice 19, the answering workers back at 0 (lib/dns/priority.ts), never below 0.
    expect(value(u, 'Service', 'LimitNICE')).toEqual(['+0']);
    expect(value(u, 'Service', 'DynamicUser')).toEqual(['yes']);
    // Port 5353 needs no privilege.
    expect(value(u, 'Service', 'AmbientCapabilities')).toEqual([]);
    expect(value(u, 'Service', 'CapabilityBoundingSet')).toEqual(['']);
    expect(value(u, 'Unit', 'After')).toEqual(['network-online.target']);
    expect(value(u, 'Install', 'WantedBy')).toEqual(['multi-user.target']);
  });

  test('a DNS node on port 53 gets exactly the capability to bind it', () => {
    const u = units(props).get('dns-failover-dns-ns-a.service')!;
    expect(value(u, 'Service', 'AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(value(u, 'Service', 'CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
  });

  test('a checker pushes to every DNS node\'s admin address', () => {
    const u = units(props).get('dns-failover-checker-us-1.service')!;
    const argv = words(value(u, 'Service', 'ExecStart')[0]);
    expect(argv).toEqual([
      '/usr/local/bin/dns-failover', 'check',
      '--config', '/etc/dns-failover/config.json',
      '--checker-id', 'us-1',
      '--region', 'us',
      '--push', 'http://10.0.0.53:8053/reports,http://10.0.1.53:8053/reports',
      '--key-file', '%d/us-1',
    ]);
    expect(parseFlags('check', checkCommand.flags, argv.slice(2))).toMatchObject({ 'checker-id': 'us-1', 'region': 'us' });
    // Its own key only.
    expect(value(u, 'Service', 'LoadCredential')).toEqual(['us-1:/etc/dns-failover/keys/us-1']);
    expect(value(u, 'Service', 'ExecReload')).toEqual([]);
  });

  test('paths with spaces, % and $ are quoted and escaped for systemd', () => {
    const all = units({ systemd: { cliPath: '/opt/dns failover/bin/dns-failover', configDirectory: '/srv/100%/$conf/' } });
    const u = all.get('dns-failover-dns-dns-1.service')!;
    const line = value(u, 'Service', 'ExecStart')[0];
    expect(line).toContain('"/opt/dns failover/bin/dns-failover"');
    expect(line).toContain('/srv/100%%/$$conf/config.json');
    expect(words(line).slice(0, 4)).toEqual(['/opt/dns failover/bin/dns-failover', 'serve', '--config', '/srv/100%/$conf/config.json']);
    expect(value(u, 'Service', 'LoadCredential')).toEqual(['checker-1:/srv/100%%/$conf/keys/checker-1']);
  });

  test('key names: given ones are used; an id with / gets a distinct one; two checkers cannot share a key', () => {
    const all = units({ checkers: [{ id: 'a/b', region: 'r' }, { id: 'a_b', region: 'r', keyName: 'ab-key' }] });
    const node = all.get('dns-failover-dns-dns-1.service')!;
    expect(value(node, 'Service', 'LoadCredential')).toEqual([
      expect.stringMatching(/^a_b-[0-9a-f]{8}:\/etc\/dns-failover\/keys\/a_b-[0-9a-f]{8}$/),
      'ab-key:/etc/dns-failover/keys/ab-key',
    ]);
    const checker = all.get('dns-failover-checker-a_b.service')!;
    expect(words(value(checker, 'Service', 'ExecStart')[0]).slice(-2)).toEqual(['--key-file', '%d/ab-key']);
    expect(() => units({ checkers: [{ id: 'x', region: 'r', keyName: 'k' }, { id: 'y', region: 'r', keyName: 'k' }] })).toThrow("checkers 'x' and 'y' would share the report key 'k'; give each checker a keyName of its own");
    expect(() => units({ checkers: [{ id: 'x', region: 'r', keyName: '../etc' }] })).toThrow("checker 'x': keyName '../etc' is not valid");
  });

  test('every unit is sandboxed: systemd-analyze security scores it 1.5 or lower (5.1 before)', () => {
    const dir = tempDir();
    const all = units(props, dir);
    for (const [name, u] of all) {
      // The report of systemd itself, from the unit file (no service runs).
      const report = execFileSync('systemd-analyze', ['security', '--offline=yes', path.join(dir, 'systemd', name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(report)![1]);
      expect([name, score <= 1.5]).toEqual([name, true]);
      for (const setting of ['ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectControlGroups', 'RestrictNamespaces', 'LockPersonality', 'RestrictRealtime', 'ProtectClock', 'ProtectHostname']) {
        expect([name, value(u, 'Service', setting)]).toEqual([name, ['yes']]);
      }
      expect(value(u, 'Service', 'SystemCallFilter')).toEqual(['@system-service', '~@privileged']);
      expect(value(u, 'Service', 'UMask')).toEqual(['0077']);
      // V8 needs writable, executable memory: this one would stop Node at once.
      expect(value(u, 'Service', 'MemoryDenyWriteExecute')).toEqual([]);
    }
    // PrivateUsers everywhere but on the node that binds port 53 (its capability must count on the host).
    expect(value(all.get('dns-failover-dns-ns-a.service')!, 'Service', 'PrivateUsers')).toEqual([]);
    expect(value(all.get('dns-failover-dns-ns-b.service')!, 'Service', 'PrivateUsers')).toEqual(['yes']);
    expect(value(all.get('dns-failover-checker-eu-1.service')!, 'Service', 'PrivateUsers')).toEqual(['yes']);
  });

  test('ids that systemd cannot take in a unit name are replaced, keeping names distinct', () => {
    const names = [...units({ checkers: [{ id: 'a/b', region: 'r' }, { id: 'a_b', region: 'r' }] }).keys()];
    expect(names.filter((n) => n.includes('checker'))).toEqual([
      expect.stringMatching(/^dns-failover-checker-a_b-[0-9a-f]{6}\.service$/),
      'dns-failover-checker-a_b.service',
    ]);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9:_.\\-]+\.service$/);
  });
});
