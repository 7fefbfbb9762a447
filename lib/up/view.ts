/**
 * The terminal view of `dns-failover up`:
 * - `live` (stdout is a terminal): one screen redrawn in place with ANSI escapes: the endpoints,
 *   each health check with every checker's view and the node's verdict, the answer shares of every
 *   group, the recent verdict changes and the last events;
 * - `lines` (stdout is a file or a pipe): the same start-up summary, then one line per change:
 *   a checker's view, a verdict, the new answer shares, push failures and reloads.
 * Answer shares come from the engine (`answerShares` over `answerDistribution`).
 */
import { NodeEvent } from '../dns';
import { ClientAreaView, GroupView, UpEvent, UpSession, UpSnapshot } from './session';

export type ViewMode = 'live' | 'lines';

const ESC = '\u001b[';
const color = (code: number) => (text: string) => `${ESC}${code}m${text}${ESC}0m`;
const GREEN = color(32);
const RED = color(31);
const DIM = color(2);
const BOLD = color(1);
/** Visible width: escapes do not count. */
// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').length;

function pad(s: string, width: number): string {
  const w = visible(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/** Cuts a line with escapes to `width` visible characters (the escapes kept, colours reset). */
function fit(s: string, width: number): string {
  if (visible(s) <= width) return s;
  let out = '';
  let shown = 0;
  for (let i = 0; i < s.length;) {
    // eslint-disable-next-line no-control-regex
    const esc = /^\u001b\[[0-9;?]*[A-Za-z]/.exec(s.slice(i));
    if (esc) {
      out += esc[0];
      i += esc[0].length;
      continue;
    }
    if (shown === width - 1) break;
    out += s[i++];
    shown++;
  }
  return `${out}…${ESC}0m`;
}

function cut(s: string, width: number): string {
  if (width <= 0) return '';
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

export function clock(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function percent(share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
}

/** `emdr.example.com A: gw-isp-a 127.0.0.11 50.0 %, gw-isp-b 127.0.0.12 50.0 %` */
/** One client area's final answers: `EU: eu-a 50.0 %, eu-b 50.0 %`. */
export function areaLine(c: ClientAreaView): string {
  const answers = c.answers.map((a) => `${a.setIdentifiers.join('+')} ${percent(a.share)}`).join(', ');
  return `${c.client}: ${answers || 'no answer (NODATA)'}`;
}

export function sharesLine(g: GroupView): string {
  const head = `${g.name} ${g.recordType}: `;
  // A routing tree answers per client: its final answers for each client area.
  if (g.clients) return head + g.clients.map(areaLine).join('; ');
  return head + g.members.map((m) => `${m.setIdentifier} ${m.value} ${percent(m.share)}`).join(', ');
}

function bar(share: number, width = 20): string {
  const full = Math.round(share * width);
  return '█'.repeat(full) + DIM('░'.repeat(width - full));
}

function startupLines(s: UpSnapshot, notRun: readonly string[]): string[] {
  const sample = s.groups[0] ? `${s.groups[0].name} ${s.groups[0].recordType}` : `${s.zones[0]} SOA`;
  const [host, port] = splitHostPort(s.dns);
  const running = s.checkers.filter((c) => c.running);
  return [
    `DNS      ${s.dns} (UDP and TCP)   try: dig @${host} -p ${port} ${sample}`,
    `admin    http://${s.admin}/ (status page; JSON at /status, metrics at /metrics)`,
    `serving  ${s.zones.join(', ')} from ${s.configFile}`,
    `checkers ${running.map((c) => `${c.id} (${c.region})`).join(', ')}; reports signed with a key per checker made up for this run`,
    ...(notRun.length > 0 ? [`         not run here (one checker per region): ${notRun.join(', ')}`] : []),
  ];
}

function splitHostPort(hp: string): [string, string] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(hp)!;
  return [m[1], m[2]];
}

/** One screen of the live view, as lines at most `columns` wide. */
export function renderFrame(s: UpSnapshot, notRun: readonly string[], events: readonly string[], columns: number): string[] {
  const lines: string[] = [];
  lines.push(BOLD('dns-failover up') + DIM(` · ${clock(Date.now())} · Ctrl-C stops`));
  for (const l of startupLines(s, notRun)) lines.push(cut(l, columns));
  lines.push('');

  const running = s.checkers.filter((c) => c.running);
  const nameWidth = Math.min(32, Math.max(12, ...s.healthChecks.map((h) => (h.name ?? h.id).length)));
  const targetWidth = Math.min(34, Math.max(6, ...s.healthChecks.map((h) => h.target.length)));
  const cellWidth = Math.max(14, ...running.map((c) => c.id.length + 1));
  lines.push(BOLD(cut([pad('HEALTH CHECK', nameWidth), pad('PROBES', targetWidth), ...running.map((c) => pad(c.id, cellWidth)), 'VERDICT (this node)'].join('  '), columns)));
  for (const h of s.healthChecks) {
    const cells = h.views.map((v) => {
      if (!v.probed) return pad(DIM('not probed'), cellWidth);
      if (v.healthy === undefined) return pad(DIM('waiting'), cellWidth);
      if (v.pending) return pad(DIM('starting'), cellWidth);
      const inProgress = v.reason !== undefined && / needed to mark /.test(v.reason);
      const mark = v.healthy ? GREEN('✔ healthy') : RED('✘ unhealthy');
      const note = inProgress ? ` ${/\((\d+ of \d+)/.exec(v.reason!)?.[1] ?? ''}` : !v.healthy && v.reason ? '' : v.latencyMs !== undefined ? ` ${Math.round(v.latencyMs)} ms` : '';
      return pad(mark + DIM(note), cellWidth);
    });
    const verdict = h.healthy ? GREEN('HEALTHY') : RED('UNHEALTHY');
    const head = [pad(cut(h.name ?? h.id, nameWidth), nameWidth), pad(cut(h.target, targetWidth), targetWidth), ...cells, verdict].join('  ');
    const room = columns - visible(head) - 2;
    lines.push(room > 10 ? `${head}  ${DIM(cut(h.reason, room))}` : head);
    // Why a checker sees it unhealthy (connection refused, HTTP 503, ...), on its own line.
    for (const v of h.views) {
      if (v.probed && v.healthy === false && v.reason) lines.push(DIM(cut(`  ${v.checkerId}: ${v.reason}`, columns)));
    }
  }
  if (s.healthChecks.length === 0) lines.push(DIM('no health checks'));
  lines.push('');

  lines.push(BOLD('ANSWERS') + DIM(' (share of queries, from the engine)'));
  for (const g of s.groups) {
    lines.push(cut(`${g.name} ${g.recordType}  ${g.policy}${g.ttl !== undefined ? `, TTL ${g.ttl} s` : ''}`, columns));
    const idWidth = Math.max(...g.members.map((m) => m.setIdentifier.length));
    const valueWidth = Math.max(...g.members.map((m) => m.value.length));
    const routingWidth = Math.max(...g.members.map((m) => m.routing.length));
    for (const m of g.members) {
      const health = m.healthCheckId === undefined ? DIM('no check ') : m.healthy ? GREEN('healthy  ') : RED('unhealthy');
      lines.push(`  ${pad(m.setIdentifier, idWidth)}  ${pad(m.value, valueWidth)}  ${pad(m.routing, routingWidth)}  ${health}  ${bar(m.share)}  ${percent(m.share).padStart(7)}`);
    }
    if (g.tree) lines.push(DIM(cut(`  tree below: ${g.tree.join(', ')}`, columns)));
    for (const c of g.clients ?? []) lines.push(cut(`  ${DIM('clients')} ${areaLine(c)}`, columns));
  }
  if (s.groups.length === 0) lines.push(DIM('no failover groups'));
  lines.push('');

  lines.push(BOLD('RECENT VERDICT CHANGES'));
  const changes = s.recentChanges.slice(-5).reverse();
  const names = new Map(s.healthChecks.map((h) => [h.id, h.name ?? h.id]));
  for (const c of changes) {
    lines.push(cut(`  ${clock(c.at)}  ${names.get(c.healthCheckId) ?? c.healthCheckId}  ${c.healthy ? 'healthy' : 'unhealthy'}  ${c.reason}`, columns)
      .replace(/ (healthy|unhealthy) /, (w) => (w.trim() === 'healthy' ? ` ${GREEN('healthy')} ` : ` ${RED('unhealthy')} `)));
  }
  if (changes.length === 0) lines.push(DIM('  none since start'));
  if (events.length > 0) {
    lines.push('', BOLD('EVENTS'));
    for (const e of events.slice(-5)) lines.push(cut(`  ${e}`, columns));
  }
  return lines.map((l) => fit(l, columns));
}

/** The line an event prints in `lines` mode (and in the live view's event list), if it deserves one. */
function eventText(e: UpEvent, names: ReadonlyMap<string, string>): string | undefined {
  const ev = e.event as NodeEvent & Record<string, unknown>;
  const name = (id: unknown) => names.get(String(id)) ?? String(id);
  switch (ev.event) {
    case 'verdict':
      return e.source === 'node'
        ? `verdict  ${name(ev.healthCheckId)}: ${ev.healthy ? 'healthy' : 'UNHEALTHY'} (${ev.reason})`
        : `${e.source} sees ${name(ev.healthCheckId)} ${ev.healthy ? 'healthy' : 'unhealthy'}: ${ev.reason}`;
    case 'push-failed':
      return `${e.source} cannot push to ${ev.url}: ${ev.error} (retry in ${ev.retryInMs} ms)`;
    case 'push-recovered':
      return `${e.source} pushes to ${ev.url} again`;
    case 'reload':
      return ev.ok ? 'reloaded the bundle config' : `reload refused, serving the previous config: ${ev.error}`;
    case 'config-warning':
      return `config warning ${ev.path}: ${ev.message}`;
    case 'socket-error':
      return `socket error: ${ev.message}`;
    case 'check-skipped':
      return `${e.source} does not probe ${name(ev.healthCheckId)}: ${ev.reason}`;
    default:
      return undefined;
  }
}

export interface UpViewOptions {
  readonly mode: ViewMode;
  /** Writes text as is (the live view writes escapes and no trailing newline). */
  readonly write: (text: string) => void;
  /** @default () => 100 */
  readonly columns?: () => number;
  /** Live view redraw period. @default 250 */
  readonly refreshMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class UpView {
  private session?: UpSession;
  private readonly early: UpEvent[] = [];
  private readonly events: string[] = [];
  private timer?: NodeJS.Timeout;
  private lastShares = new Map<string, string>();
  private names = new Map<string, string>();

  constructor(private readonly options: UpViewOptions) {}

  /** Receives the session's events (hand this to `UpSession.start` as `onEvent`). */
  readonly onEvent = (e: UpEvent): void => {
    if (!this.session) {
      this.early.push(e);
      return;
    }
    this.handle(e);
  };

  start(session: UpSession): void {
    this.session = session;
    const s = session.snapshot();
    this.names = new Map(s.healthChecks.map((h) => [h.id, h.name ?? h.id]));
    for (const g of s.groups) this.lastShares.set(`${g.name} ${g.recordType}`, sharesLine(g));
    const notRun = session.notRun.map((c) => `${c.id} (${c.region})`);
    if (this.options.mode === 'lines') {
      for (const l of startupLines(s, notRun)) this.line(l);
      for (const g of s.groups) this.line(`answers  ${sharesLine(g)}`);
    } else {
      this.options.write(`${ESC}?25l${ESC}2J`);
      this.draw();
      this.timer = setInterval(() => this.draw(), this.options.refreshMs ?? 250);
    }
    for (const e of this.early.splice(0)) this.handle(e);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.mode === 'live' && this.session) {
      this.draw();
      this.options.write(`${ESC}?25h\n`);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private line(text: string): void {
    this.options.write(`${clock(this.now())} ${text}\n`);
  }

  private handle(e: UpEvent): void {
    const text = eventText(e, this.names);
    if (text === undefined) return;
    if (this.options.mode === 'live') {
      this.events.push(`${clock(this.now())} ${text}`);
      if (this.events.length > 20) this.events.shift();
      return;
    }
    this.line(text);
    if (e.source === 'node' && (e.event.event === 'verdict' || e.event.event === 'reload')) this.printChangedShares();
  }

  private printChangedShares(): void {
    for (const g of this.session!.snapshot().groups) {
      const key = `${g.name} ${g.recordType}`;
      const text = sharesLine(g);
      if (this.lastShares.get(key) !== text) {
        this.lastShares.set(key, text);
        this.line(`answers  ${text}`);
      }
    }
  }

  private draw(): void {
    const session = this.session!;
    const columns = Math.max(60, (this.options.columns ?? (() => 100))());
    const frame = renderFrame(session.snapshot(), session.notRun.map((c) => `${c.id} (${c.region})`), this.events, columns);
    // Home, each line cleared to its end, then everything below cleared: no flicker, no scrolling.
    this.options.write(`${ESC}H${frame.map((l) => `${l}${ESC}K`).join('\n')}\n${ESC}J`);
  }
}
