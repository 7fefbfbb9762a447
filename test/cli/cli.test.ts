/**
 * The `dns-failover` command: the argument parser, the subcommand table, and `serve` as a real
 * process (events as JSON lines, reload on SIGHUP, clean exit on SIGTERM and SIGINT).
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseFlags, parseHostPort, parseInteger, UsageError } from '../../lib/cli/args';
import { Command } from '../../lib/cli/command';
import { COMMANDS } from '../../lib/cli/commands';
import { runCli } from '../../lib/cli/run';
import { DEFAULT_ADMIN, DEFAULT_LISTEN, serveCommand } from '../../lib/cli/serve';
import { RRType } from '../../lib/dns';
import { addresses, httpRequest, killSpawned, query, REPO, sampleConfig, Spawned, spawnCli, udpQuery } from '../dns/helpers';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('argument parser', () => {
  const specs = [
    { name: 'config', value: '<file>', description: 'x', required: true },
    { name: 'listen', value: '<host:port>', description: 'x', default: '127.0.0.1:5353' },
    { name: 'verbose', description: 'x' },
  ];

  test('--flag value, --flag=value, boolean flags and defaults', () => {
    expect(parseFlags('serve', specs, ['--config', 'a.json', '--verbose'])).toEqual({ config: 'a.json', listen: '127.0.0.1:5353', verbose: true });
    expect(parseFlags('serve', specs, ['--config=b.json', '--listen=[::1]:53'])).toEqual({ config: 'b.json', listen: '[::1]:53' });
  });

  test.each([
    [['--config', 'a', '--bogus'], "unknown flag '--bogus' for 'serve'; it takes --config, --listen, --verbose"],
    [['--config'], "flag '--config' needs a value <file>"],
    [['--config', '--verbose'], "flag '--config' needs a value <file>"],
    [['--config', 'a', '--config', 'b'], "flag '--config' is given twice"],
    [['--verbose'], "flag '--config <file>' is required for 'serve'"],
    [['--config', 'a', 'stray'], "unexpected argument 'stray' for 'serve'"],
    [['--config='], "flag '--config' has an empty value"],
    [['--config', 'a', '--verbose=yes'], "flag '--verbose' takes no value, got 'yes'"],
  ])('fails on %j naming the flag', (argv, message) => {
    expect(() => parseFlags('serve', specs, argv)).toThrow(UsageError);
    expect(() => parseFlags('serve', specs, argv)).toThrow(message);
  });

  test('host:port for IPv4 and IPv6; errors name the flag and the value', () => {
    expect(parseHostPort('listen', '127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseHostPort('admin', '[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseHostPort('listen', 'localhost:53')).toThrow("--listen 'localhost:53': 'localhost' is not an IP address");
    expect(() => parseHostPort('admin', '127.0.0.1')).toThrow("--admin '127.0.0.1' is not host:port");
    expect(() => parseHostPort('listen', '127.0.0.1:99999')).toThrow('port 99999 is above 65535');
    expect(() => parseHostPort('listen', '[127.0.0.1]:53')).toThrow("'127.0.0.1' is not an IP address");
  });

  test('whole numbers within bounds', () => {
    expect(parseInteger('max-udp-payload', '1232', 512, 4096)).toBe(1232);
    expect(() => parseInteger('max-udp-payload', '100', 512, 4096)).toThrow("--max-udp-payload '100' is not a whole number from 512 to 4096");
    expect(() => parseInteger('tcp-idle-timeout', '1.5', 100, 1000)).toThrow('--tcp-idle-timeout');
  });
});

describe('subcommand table and dispatch', () => {
  test('serve is a subcommand, with the documented defaults', () => {
    expect(COMMANDS.map((c) => c.name)).toContain('serve');
    expect(DEFAULT_LISTEN).toBe('127.0.0.1:5353');
    expect(DEFAULT_ADMIN).toBe('127.0.0.1:8053');
    expect(serveCommand.flags.find((f) => f.name === 'listen')?.default).toBe(DEFAULT_LISTEN);
    expect(serveCommand.flags.find((f) => f.name === 'admin')?.default).toBe(DEFAULT_ADMIN);
  });

  test('a new subcommand is one more table entry', async () => {
    const calls: unknown[] = [];
    const check: Command = { name: 'check', summary: 'probe endpoints', flags: [{ name: 'checker-id', value: '<id>', description: 'x', required: true }], run: async (flags) => { calls.push(flags); return 0; } };
    const t = io();
    expect(await runCli(['check', '--checker-id', 'c1'], t.io, [serveCommand, check])).toBe(0);
    expect(calls).toEqual([{ 'checker-id': 'c1' }]);
    expect(await runCli(['--help'], t.io, [serveCommand, check])).toBe(0);
    expect(t.out.join('\n')).toMatch(/serve .*\n {2}check +probe endpoints/);
  });

  test('--help, no command, an unknown command', async () => {
    let t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.out[0]).toContain('usage: dns-failover <command> [flags]');
    t = io();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.err[0]).toContain('usage:');
    t = io();
    expect(await runCli(['serv'], t.io)).toBe(2);
    expect(t.err).toEqual([expect.stringMatching(/^dns-failover: unknown command 'serv'; the commands are serve\b.* \(see 'dns-failover --help'\)$/)]);
  });

  test('serve --help lists every flag with its default', async () => {
    const t = io();
    expect(await runCli(['serve', '--help'], t.io)).toBe(0);
    const help = t.out.join('\n');
    for (const f of serveCommand.flags) expect(help).toContain(`--${f.name}`);
    expect(help).toContain('(default 127.0.0.1:5353)');
    expect(help).toContain('--config <file>');
  });

  test('serve usage errors exit 2 and name the flag', async () => {
    let t = io();
    expect(await runCli(['serve'], t.io)).toBe(2);
    expect(t.err).toEqual(["dns-failover serve: flag '--config <file>' is required for 'serve'"]);
    t = io();
    expect(await runCli(['serve', '--config', 'x.json', '--listen', 'nope'], t.io)).toBe(2);
    expect(t.err[0]).toContain("--listen 'nope' is not host:port");
    t = io();
    expect(await runCli(['serve', '--config', 'x.json', '--max-udp-payload', '10'], t.io)).toBe(2);
    expect(t.err[0]).toContain('--max-udp-payload');
  });

  test('main.ts starts with the node shebang', () => {
    expect(readFileSync(path.join(REPO, 'lib/cli/main.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});

describe('dns-failover serve (spawned)', () => {
  const spawned: Spawned[] = [];
  const start = (args: string[]) => {
    const s = spawnCli(args);
    spawned.push(s);
    return s;
  };
  const portOf = (hostPort: string) => Number(hostPort.split(':').pop());

  afterAll(async () => {
    for (const s of spawned) await killSpawned(s);
  });

  test('logs JSON events, reloads on SIGHUP (good and bad), exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-serve-'));
    const file = path.join(dir, 'config.json');
    const config = sampleConfig();
    writeFileSync(file, JSON.stringify(config));
    const cli = start(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    const started = await cli.waitFor((e) => e.event === 'started' || e.event === 'failed');
    expect(started).toEqual(expect.objectContaining({ event: 'started', config: file, zones: ['example.com'], groups: 3, healthChecks: 15, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }));
    const dns = portOf(started.dns);
    const admin = portOf(started.admin);
    expect(addresses(await udpQuery(dns, query('www.example.com', RRType.A))).sort()).toEqual(['192.0.2.80', '192.0.2.81']);

    // SIGHUP with a good config: a new record, and a calculated check whose threshold (3) is now
    // above its 2 children, so its verdict changes: that is an event too.
    const next = {
      ...config,
      zones: [{ ...config.zones[0], records: [...config.zones[0].records!, { name: 'hup.example.com', recordType: 'A' as const, ttl: 60, values: ['192.0.2.77'] }] }],
      healthChecks: config.healthChecks.map((h) => (h.id === 'both' ? { ...h, config: { ...h.config, healthThreshold: 3 } } : h)),
    };
    writeFileSync(file, JSON.stringify(next));
    cli.child.kill('SIGHUP');
    expect(await cli.waitFor((e) => e.event === 'reload')).toEqual(expect.objectContaining({ ok: true }));
    expect(await cli.waitFor((e) => e.event === 'verdict')).toEqual(expect.objectContaining({ healthCheckId: 'both', healthy: false, reason: expect.stringContaining('healthThreshold 3') }));
    expect(addresses(await udpQuery(dns, query('hup.example.com', RRType.A)))).toEqual(['192.0.2.77']);

    // SIGHUP with a bad config: refused, reported, the old one kept.
    const bad = JSON.parse(JSON.stringify(next));
    bad.recordSets[0].weight = 300;
    writeFileSync(file, JSON.stringify(bad));
    cli.child.kill('SIGHUP');
    const refused = await cli.waitFor((e) => e.event === 'reload' && e.ok === false);
    expect(refused.error).toContain('/recordSets/0/weight: must be <= 255, got 300');
    expect(refused.keeping).toBe('the previous config');
    expect(addresses(await udpQuery(dns, query('hup.example.com', RRType.A)))).toEqual(['192.0.2.77']);
    const status = (await httpRequest(admin, 'GET', '/status')).json;
    expect(status.config.lastReload).toEqual(expect.objectContaining({ ok: false, error: expect.stringContaining('/recordSets/0/weight') }));

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.events.map((e) => e.event).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(cli.events.find((e) => e.event === 'stopping').signal).toBe('SIGTERM');
    expect(cli.events.every((e) => e.event !== 'non-json')).toBe(true);
    expect(cli.stderr).toBe('');
  }, 60_000);

  test('exits 0 on SIGINT', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-int-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(sampleConfig()));
    const cli = start(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    await cli.waitFor((e) => e.event === 'started');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.events.find((e) => e.event === 'stopping').signal).toBe('SIGINT');
  }, 60_000);

  test('a bad config at start: exit 1, a failed event and the reason on stderr', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-bad-'));
    const file = path.join(dir, 'config.json');
    const bad = JSON.parse(JSON.stringify(sampleConfig()));
    bad.zones[0].soa.mname = 'bad..name';
    writeFileSync(file, JSON.stringify(bad));
    const cli = start(['serve', '--config', file, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    expect(await cli.exited).toBe(1);
    const failed = cli.events.find((e) => e.event === 'failed');
    expect(failed.error).toContain(`${file} is invalid`);
    expect(failed.error).toContain("/zones/0/soa/mname: SOA mname 'bad..name' is not a valid DNS name");
    expect(cli.stderr).toContain('/zones/0/soa/mname');
  }, 60_000);
});
