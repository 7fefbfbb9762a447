/**
 * DNS answer times of one server under the events of issue 14, measured by bench/node/latency.ts
 * (every query's answer time, open loop) on loopback:
 *
 * - `quiet`: 1,000 health checks (500 gateways), nothing else happening;
 * - `reports`: the same while 16 checkers each post their signed report (all 1,000 observations) once
 *   a second, spread evenly (16 reports/s of ~117 KB to the admin API);
 * - `reports-max`: the same while the 16 checkers post as fast as the node takes them (each its next
 *   report as soon as the last one is answered): the answer times at the highest report rate;
 * - `quiet-10k`: 10,000 gateways (20,000 checks), nothing else happening;
 * - `reload-10k`: the same while the config is reloaded three times (POST /reload of a config whose
 *   serial and one record differ; gdnsd: `gdnsdctl reload-zones` of its zone file), 10 s apart.
 *
 *   node answers.js ours <main.js> <label> <work dir> [serve flags...]
 *   node answers.js gdnsd - <label> <work dir>
 *
 * The server is started pinned to CPU $SERVER_CPU (its workers too); this driver and the prober run
 * where this process runs. Prints one JSON line per scenario: answer-time percentiles over the whole
 * window, and for reloads also over the reloads themselves (from each request to its answer, plus
 * 100 ms) and how long each reload took.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { CheckerFleet, checkerId, fleetConfig, SignedReport } from './fleet';

const [kind, mainJs, label, work, ...serveFlags] = process.argv.slice(2);
if ((kind !== 'ours' && kind !== 'gdnsd') || !label || !work) {
  process.stderr.write('usage: node answers.js ours|gdnsd <main.js|-> <label> <work dir> [serve flags...]\n');
  process.exit(2);
}
const SERVER_CPU = process.env.SERVER_CPU ?? '0';
const RATE = Number(process.env.RATE ?? 4000);
const QUIET_S = Number(process.env.QUIET_S ?? 10);
const REPORTS_S = Number(process.env.REPORTS_S ?? 20);
const RELOADS = Number(process.env.RELOADS ?? 3);
const SMALL = 500;
const BIG = 10_000;
const CHECKERS = 16;
const DNS_PORT = Number(process.env.DNS_PORT ?? 25453);
const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 25480);
const HERE = __dirname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writeFiles(): void {
  fs.mkdirSync(path.join(work, 'keys'), { recursive: true });
  const fleet = new CheckerFleet(SMALL, CHECKERS);
  fleet.keys.forEach((k, c) => fs.writeFileSync(path.join(work, 'keys', checkerId(c)), k));
  fs.writeFileSync(path.join(work, 'small.json'), JSON.stringify(fleetConfig({ gateways: SMALL, checkers: CHECKERS })));
  for (let serial = 1; serial <= RELOADS + 1; serial++) {
    fs.writeFileSync(path.join(work, `big-${serial}.json`), JSON.stringify(fleetConfig({ gateways: BIG, checkers: CHECKERS, serial })));
    fs.writeFileSync(path.join(work, `big-${serial}.zone`), gdnsdZone(BIG, serial));
  }
  fs.writeFileSync(path.join(work, 'small.zone'), gdnsdZone(SMALL, 1));
}

/** The same names for gdnsd: static A records (gdnsd has no checker reports to take). */
function gdnsdZone(gateways: number, serial: number): string {
  const lines = [
    '$TTL 300',
    `@ 300 SOA ns1.example.com. hostmaster.example.com. ${serial} 7200 900 1209600 60`,
    '@ 172800 NS ns1.example.com.',
    '@ 172800 NS ns2.example.com.',
    'ns1 3600 A 192.0.2.53',
    'ns2 3600 A 192.0.2.54',
    `serial 60 TXT "${serial}"`,
  ];
  for (let g = 0; g < gateways; g++) {
    const a = `10.${(g >> 8) & 255}.${g & 255}`;
    lines.push(`gw-${g} 60 A ${a}.10`, `gw-${g} 60 A ${a}.20`);
  }
  return lines.join('\n') + '\n';
}

interface Server {
  readonly child: ChildProcess;
  /** gdnsd's config directory. */
  readonly dir?: string;
}

async function startServer(config: 'small' | 'big'): Promise<Server> {
  let child: ChildProcess;
  let dir: string | undefined;
  if (kind === 'ours') {
    const file = path.join(work, `${config}-serving.json`);
    fs.copyFileSync(path.join(work, config === 'small' ? 'small.json' : 'big-1.json'), file);
    child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, mainJs, 'serve', '--config', file, '--listen', `127.0.0.1:${DNS_PORT}`,
      '--admin', `127.0.0.1:${ADMIN_PORT}`, '--keys-dir', path.join(work, 'keys'), ...serveFlags], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.resume();
  } else {
    dir = path.join(work, `gdnsd-${config}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'zones'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'run'));
    fs.mkdirSync(path.join(dir, 'state'));
    fs.writeFileSync(path.join(dir, 'config'), [
      'options => {',
      `  listen => { 127.0.0.1:${DNS_PORT} => { udp_threads => 1, tcp_threads => 1, udp_rcvbuf => 1048576 } }`,
      `  run_dir => ${path.join(dir, 'run')}`,
      `  state_dir => ${path.join(dir, 'state')}`,
      '}',
    ].join('\n') + '\n');
    fs.copyFileSync(path.join(work, config === 'small' ? 'small.zone' : 'big-1.zone'), path.join(dir, 'zones', 'example.com'));
    child = spawn('taskset', ['-c', SERVER_CPU, 'gdnsd', '-c', dir, 'start'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.resume();
  }
  const deadline = Date.now() + 180_000;
  while (!(await answers('gw-0.example.com'))) {
    if (child.exitCode !== null) throw new Error(`${label} exited (${child.exitCode}) before it answered`);
    if (Date.now() > deadline) throw new Error(`${label} did not answer within 180 s`);
    await sleep(200);
  }
  return { child, dir };
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

/** Whether the server answers `name` A with NOERROR and an answer. */
function answers(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const labels = name.split('.');
    const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 5);
    q.writeUInt16BE(0x1234, 0);
    q.writeUInt16BE(1, 4);
    let o = 12;
    for (const l of labels) {
      q[o++] = l.length;
      o += q.write(l, o, 'latin1');
    }
    q[o++] = 0;
    q.writeUInt16BE(1, o);
    q.writeUInt16BE(1, o + 2);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.on('error', () => done(false));
    socket.on('message', (m) => done(m.length >= 12 && (m[3] & 0x0f) === 0 && m.readUInt16BE(6) > 0));
    socket.send(q, DNS_PORT, '127.0.0.1');
  });
}

interface ProbeResult {
  readonly file: string;
  readonly done: Promise<void>;
}

function probe(seconds: number, gateways: number, name: string): ProbeResult {
  const file = path.join(work, `${label.replace(/\W+/g, '_')}-${name}.bin`);
  const child = spawn(process.execPath, [path.join(HERE, 'latency.js'), `127.0.0.1:${DNS_PORT}`, String(RATE), String(seconds), 'gw-%d.example.com', String(gateways), file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { file, done: new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the prober exited with ${code}`))))) };
}

interface Window { readonly from: number; readonly to: number }

function stats(file: string, windows?: readonly Window[]): Record<string, number> {
  const pairs = new Float64Array(fs.readFileSync(file).buffer.slice(0));
  const ms: number[] = [];
  let lost = 0;
  let queries = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const at = pairs[i];
    if (windows && !windows.some((w) => at >= w.from && at <= w.to)) continue;
    queries++;
    if (pairs[i + 1] < 0) lost++;
    else ms.push(pairs[i + 1]);
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => Math.round((ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN) * 1000) / 1000;
  return { queries, lost, p50: p(0.5), p99: p(0.99), p999: p(0.999), max: Math.round((ms[ms.length - 1] ?? NaN) * 1000) / 1000 };
}

function post(pathname: string, body?: Buffer, headers: Record<string, string> = {}, agent?: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ADMIN_PORT, method: 'POST', path: pathname, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function print(scenario: string, extra: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ server: label, scenario, rate: RATE, ...extra }) + '\n');
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(work, 'small.json'))) writeFiles();

  // 1,000 checks: quiet, then 16 checkers reporting every second.
  let server = await startServer('small');
  await sleep(2000);
  let p = probe(QUIET_S, SMALL, 'quiet');
  await p.done;
  print('quiet', stats(p.file));
  if (kind === 'ours') {
    const fleet = new CheckerFleet(SMALL, CHECKERS);
    const start = Date.now() + 1500;
    const planned: { at: number; report: SignedReport }[] = [];
    for (let k = 0; k < REPORTS_S * CHECKERS; k++) {
      const at = start + Math.round((k * 1000) / CHECKERS);
      planned.push({ at, report: fleet.report(k % CHECKERS, at) });
    }
    const agent = new http.Agent({ keepAlive: true, maxSockets: CHECKERS });
    p = probe(REPORTS_S + 2, SMALL, 'reports');
    let refused = 0;
    let sent = 0;
    const posts: Promise<void>[] = [];
    for (const { at, report } of planned) {
      const wait = at - Date.now();
      if (wait > 0) await sleep(wait);
      sent++;
      posts.push(post('/reports', report.body, report.headers, agent).then((r) => {
        if (r.status !== 200) refused++;
      }, () => {
        refused++;
      }));
    }
    await Promise.all(posts);
    await p.done;
    agent.destroy();
    print('reports', { ...stats(p.file, [{ from: start, to: planned[planned.length - 1].at + 500 }]), reportsSent: sent, reportsRefused: refused });

    // The highest report rate the node takes: each checker posts its next report as soon as the last one
    // is answered (its body made again every second, signed again for every post: cheap for this driver).
    p = probe(REPORTS_S + 2, SMALL, 'reports-max');
    const from = Date.now() + 1000;
    const until = from + REPORTS_S * 1000;
    await sleep(from - Date.now());
    const flood = new http.Agent({ keepAlive: true, maxSockets: CHECKERS });
    let accepted = 0;
    let notAccepted = 0;
    await Promise.all(Array.from({ length: CHECKERS }, async (_, c) => {
      let made = 0;
      let body: Buffer = Buffer.alloc(0);
      let digest = '';
      while (Date.now() < until) {
        const now = Date.now();
        if (now - made >= 1000) {
          body = fleet.report(c, now).body;
          digest = createHash('sha256').update(body).digest('hex');
          made = now;
        }
        const r = fleet.sign(c, body, now, digest);
        const res = await post('/reports', r.body, r.headers, flood).catch(() => ({ status: 0, text: '' }));
        if (res.status === 200) accepted++;
        else notAccepted++;
      }
    }));
    await p.done;
    flood.destroy();
    print('reports-max', { ...stats(p.file, [{ from, to: until }]), reportsAccepted: accepted, reportsPerSecond: Math.round(accepted / REPORTS_S), reportsNotAccepted: notAccepted });
  }
  await stopServer(server);

  // 10,000 gateways: quiet, then reloads.
  server = await startServer('big');
  await sleep(2000);
  p = probe(QUIET_S, BIG, 'quiet-10k');
  await p.done;
  print('quiet-10k', stats(p.file));
  const seconds = 5 + 10 * RELOADS;
  p = probe(seconds, BIG, 'reload-10k');
  const windows: Window[] = [];
  const took: number[] = [];
  await sleep(5000);
  for (let r = 0; r < RELOADS; r++) {
    const serial = r + 2;
    const t0 = Date.now();
    if (kind === 'ours') {
      fs.copyFileSync(path.join(work, `big-${serial}.json`), path.join(work, 'big-serving.json'));
      const res = await post('/reload');
      if (res.status !== 200) throw new Error(`reload refused: ${res.status} ${res.text.slice(0, 300)}`);
    } else {
      fs.copyFileSync(path.join(work, `big-${serial}.zone`), path.join(server.dir!, 'zones', 'example.com'));
      await new Promise<void>((resolve, reject) => execFile('gdnsdctl', ['-c', server.dir!, 'reload-zones'], (e) => (e ? reject(e) : resolve())));
    }
    const t1 = Date.now();
    took.push(t1 - t0);
    windows.push({ from: t0, to: t1 + 100 });
    if (r < RELOADS - 1) await sleep(Math.max(0, 10_000 - (t1 - t0)));
  }
  await p.done;
  // The reload reached the answers: the last serial is served.
  const serialNow = await new Promise<string>((resolve) => execFile('dig', ['@127.0.0.1', '-p', String(DNS_PORT), '+short', 'serial.example.com', 'TXT'], (_e, out) => resolve(String(out).trim())));
  print('reload-10k', { ...stats(p.file), during: stats(p.file, windows), reloadMs: took, servedSerial: serialNow });
  await stopServer(server);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
