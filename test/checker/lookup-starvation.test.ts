/**
 * Four hanging name lookups do not fail the other name-based checks (issue 13, item 3).
 *
 * The fixture runs in a network and mount namespace of its own (`unshare --net --mount`, as root: CI
 * runs as root), with loopback up and a private /etc/resolv.conf naming 127.0.0.1, where the fixture
 * answers DNS for 20 names and never answers 4 (`options timeout:10 attempts:1`, so a getaddrinfo call
 * for one of them holds a thread for 10 s). No query leaves the namespace. A real checker with its
 * default resolver probes all 24 names by HTTP every 0.5 s with a 1 s lookup deadline.
 *
 * With `dns.lookup` (getaddrinfo on libuv's four threads) the four hanging names held every thread
 * and all 20 healthy checks failed ("lookup ... timed out"); with the c-ares resolver the 20 stay
 * healthy and only the 4 fail.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { REPO } from './helpers';

test('4 names whose resolver never answers, 20 healthy name-based checks: only the 4 fail', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starvation-'));
  try {
    const resolvConf = path.join(dir, 'resolv.conf');
    fs.writeFileSync(resolvConf, 'nameserver 127.0.0.1\noptions timeout:10 attempts:1\n');
    const node = `${JSON.stringify(process.execPath)} -r ts-node/register/transpile-only test/checker/fixtures/lookup-starvation.ts 4000`;
    const script = `set -e; ip link set lo up; mount --bind ${JSON.stringify(resolvConf)} /etc/resolv.conf; exec ${node}`;
    const { stdout } = await promisify(execFile)('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', script], {
      cwd: REPO,
      env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') },
      timeout: 60_000,
    });
    const { results, hangQueries } = JSON.parse(stdout.trim().split('\n').pop()!) as { results: Record<string, string[]>; hangQueries: number };
    expect(hangQueries).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) {
      const r = results[`ok-${i}`];
      expect([`ok-${i}`, r.filter((x) => x !== 'healthy')]).toEqual([`ok-${i}`, []]);
      expect(r.length).toBeGreaterThanOrEqual(5);
    }
    for (let i = 0; i < 4; i++) {
      const r = results[`hang-${i}`];
      expect(r.length).toBeGreaterThanOrEqual(1);
      for (const x of r) expect(x).toMatch(/^DNS resolution failed: (lookup of hang-\d\.starve\.test timed out after 1000 ms|no answer from the DNS servers for hang-\d\.starve\.test \(ETIMEOUT\))$/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
