/**
 * `dns-failover up` as a user runs it: a child process serving a bundle, answering real DNS queries,
 * serving its admin API and status page, printing change lines, and stopping cleanly on SIGTERM.
 */
import { promises as dnsPromises } from 'dns';
import { emdrBundle, httpGet, removeTempDirs, spawnCli, SpawnedCli, stopProcess, tempDir } from './helpers';
import { LocalGateway, startGatewayPair } from '../../examples/emdr-self-hosted/gateways';
import { runCli } from '../../lib/cli/run';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterAll(removeTempDirs);

describe('usage', () => {
  test('up is a command, with its flags in its help', async () => {
    expect((await cli('--help')).out).toMatch(/^ {2}up +Run a bundle on this machine/m);
    const help = await cli('up', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: dns-failover up <bundle> [flags]');
    expect(help.out).toMatch(/--listen <host:port> .*\(default 127\.0\.0\.1:5353\)/);
    expect(help.out).toMatch(/--admin <host:port> .*\(default 127\.0\.0\.1:8053\)/);
  });

  test.each<[string, string[], RegExp]>([
    ['no bundle', [], /'up' needs <bundle>/],
    ['a view that does not exist', ['some-dir', '--view', 'sideways'], /--view 'sideways' is not live, lines or auto/],
    ['a bad address', ['some-dir', '--listen', 'localhost:53'], /--listen 'localhost:53': 'localhost' is not an IP address/],
  ])('fails with exit code 2 for %s', async (_, args, message) => {
    const r = await cli('up', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  test('fails with exit code 1 for a path that is not a bundle', async () => {
    const dir = tempDir();
    const r = await cli('up', dir, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--view', 'lines');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`dns-failover up: ${dir} is a directory without config.json, so it is not a bundle`);
  });
});

describe('a running up', () => {
  let gateways: [LocalGateway, LocalGateway];
  let up: SpawnedCli;
  let dnsAddress: string;
  let admin: string;

  beforeAll(async () => {
    gateways = await startGatewayPair();
    const bundle = emdrBundle(...gateways);
    up = spawnCli(['up', bundle, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--view', 'lines']);
    dnsAddress = (await up.waitForLine(/ DNS +(127\.0\.0\.1:\d+) \(UDP and TCP\)/))[1];
    admin = (await up.waitForLine(/ admin +http:\/\/(127\.0\.0\.1:\d+)\//))[1];
  });

  afterAll(async () => {
    await stopProcess(up);
    await Promise.all(gateways.map((g) => g.stop()));
  });

  test('answers DNS with both gateways', async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 2 });
    resolver.setServers([dnsAddress]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await resolver.resolve4('emdr.example.com'))[0]);
    expect(seen).toEqual(new Set([gateways[0].host, gateways[1].host]));
    expect((await resolver.resolveSoa('example.com')).nsname).toBe('ns1.example.com');
  });

  test('serves the status page and the admin API, with the checkers\' reports authenticated', async () => {
    const page = await httpGet(`http://${admin}/`);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>dns-failover · DNS node status</title>');
    const status = JSON.parse((await httpGet(`http://${admin}/status`)).body);
    expect(status.node.reportAuthentication).toBe('hmac-sha256 per-checker keys (v2)');
    expect(status.checkers.map((c: { id: string }) => c.id)).toEqual(['checker-home', 'checker-isp-a', 'checker-isp-b']);
    expect((await httpGet(`http://${admin}/metrics`)).body).toContain('# TYPE');
  });

  test('prints the start, then a line per change', async () => {
    expect(up.lines.join('\n')).toMatch(/answers {2}emdr\.example\.com A: gw-isp-a 127\.0\.0\.11 50\.0 %, gw-isp-b 127\.0\.0\.12 50\.0 %/);
    // A checker reports a check once it has FailureThreshold results: wait until all three do.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = JSON.parse((await httpGet(`http://${admin}/status`)).body) as { healthChecks: Array<{ freshCount: number }> };
      if (status.healthChecks.every((h) => h.freshCount === 3)) break;
      if (Date.now() > deadline) throw new Error(`the checkers did not all report within 15 s: ${JSON.stringify(status.healthChecks)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await gateways[0].stop();
    await up.waitForLine(/verdict {2}emdr\.example\.com gw-isp-a: UNHEALTHY \(0 of 3 fresh checker reports healthy/);
    await up.waitForLine(/answers {2}emdr\.example\.com A: gw-isp-a 127\.0\.0\.11 0\.0 %, gw-isp-b 127\.0\.0\.12 100\.0 %/);
    await gateways[0].start();
    await up.waitForLine(/verdict {2}emdr\.example\.com gw-isp-a: healthy \(/);
  });

  test('stops cleanly on SIGTERM, exit code 0', async () => {
    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(up.lines[up.lines.length - 1]).toBe('stopped (SIGTERM)');
    expect(up.stderr).toBe('');
  });
});
