/**
 * The verify report: per artifact and per gateway, lint, timing, what-if and (Route 53 artifacts)
 * cost, as plain data (`--json`) and as readable text.
 */
import { ClientSpec } from './clients';
import { costEstimate, CostEstimate } from './cost';
import { describeClient, DrillReport, DrillStep, runDrill } from './drill';
import { Gateway, GatewayMember, gatewaysOf } from './gateways';
import { LintFinding, lintArtifact } from './lint';
import { liveProbe, LiveReport } from './live';
import { ROUTE53_PRICES } from './prices';
import { ArtifactSource, readArtifacts, TargetKind } from './source';
import { CheckTiming, checkTiming, checkersToFlip, gatewayTiming, GatewayTiming, TimeRange, timingContextOf } from './timing';
import { Scenario, whatIf, WhatIf } from './whatif';
import {
  DEFAULT_GEO_LOCATION,
  DEFAULT_HEALTHY_FRACTION,
  failureThresholdOf,
  HealthCheckModel,
  healthThresholdOf,
  RecordSetModel,
  requestIntervalOf,
  resourcePathOf,
} from '../model';

export interface MemberReport {
  readonly setIdentifier: string;
  readonly values: readonly string[];
  readonly weight?: number;
  readonly failover?: string;
  readonly multiValueAnswer?: boolean;
  readonly healthCheckId?: string;
  /** The guarding check in one line, for example `HTTP 203.0.113.10:80/status every 30 s, threshold 3`. */
  readonly healthCheck?: string;
  /** Geolocation, latency region or CIDR location: `location EU`, `region eu-west-1`, `CIDR location office`. */
  readonly routing?: string;
  /** An alias: what it points at, and whether it evaluates the target's health. */
  readonly alias?: string;
}

export interface GatewayReport {
  /** `name type`. */
  readonly gateway: string;
  /** No alias of the artifact points at it. */
  readonly root: boolean;
  /** A routing tree below it, drawn (roots of trees only). */
  readonly tree?: readonly string[];
  readonly name: string;
  readonly recordType: string;
  readonly zone?: string;
  readonly policy: string;
  readonly ttl?: number;
  readonly members: readonly MemberReport[];
  readonly findings: readonly LintFinding[];
  readonly timing: GatewayTiming;
  readonly whatIf: WhatIf;
}

export interface ArtifactReport {
  readonly target: TargetKind;
  readonly file: string;
  readonly name: string;
  readonly resourceCount?: number;
  /** Findings about the artifact as a whole (no gateway). */
  readonly findings: readonly LintFinding[];
  readonly gateways: readonly GatewayReport[];
  /** Timing of every health check of the artifact. */
  readonly healthChecks: readonly CheckTiming[];
  /** Route 53 artifacts only. */
  readonly cost?: CostEstimate;
  /** Self-hosted only: the checkers and the engine's verdict rule. */
  readonly verdicts?: {
    readonly checkers: readonly string[];
    readonly healthyFraction: number;
    /** With every checker probing: how many must see a failure before a member leaves, and a recovery before it returns. */
    readonly toFail: number;
    readonly toRecover: number;
  };
  readonly errors: number;
  readonly warnings: number;
  /** `--live`: what this machine's probes see now, and the engine's answers with it. */
  readonly live?: LiveReport;
  /** `--drill`: the failover drill on loopback, measured against the timing model. */
  readonly drill?: DrillReport;
}

export interface VerifyReport {
  readonly path: string;
  readonly artifacts: readonly ArtifactReport[];
  readonly errors: number;
  readonly warnings: number;
  /** 1 when any error-level rule fired (or a drill step fell outside its window), else 0. */
  readonly exitCode: number;
}

export interface VerifyOptions {
  /** The clients to answer for (`--from`): countries, subdivisions, continents, regions, addresses. @default one per place a tree tells apart */
  readonly from?: readonly ClientSpec[];
  /** Probe every endpoint now from this machine. */
  readonly live?: boolean;
  /** Run the failover drill on loopback. */
  readonly drill?: boolean;
  /** The drill's speed factor. @default 30 */
  readonly speed?: number;
  /** Progress of the drill. */
  readonly log?: (line: string) => void;
}

/** The report with `--live` and `--drill` (which take time and touch the network) when asked for. */
export async function runVerify(
  location: string,
  options: VerifyOptions = {},
  sources: readonly ArtifactSource[] = readArtifacts(location),
): Promise<VerifyReport> {
  const base = verifyReport(location, sources, options.from);
  const artifacts: ArtifactReport[] = [];
  for (const [i, a] of base.artifacts.entries()) {
    const live = options.live ? await liveProbe(sources[i]) : undefined;
    const drill = options.drill ? await runDrill(sources[i], { speed: options.speed, log: options.log }) : undefined;
    artifacts.push({ ...a, ...(live ? { live } : {}), ...(drill ? { drill } : {}) });
  }
  const drillFailed = artifacts.some((a) => a.drill && !a.drill.passed);
  return { ...base, artifacts, exitCode: base.errors > 0 || drillFailed ? 1 : 0 };
}

export const TARGET_NAMES: Record<TargetKind, string> = {
  'cloudformation': 'CloudFormation',
  'terraform': 'Terraform',
  'self-hosted': 'Self-hosted bundle',
};

/** One line describing a health check's probe. */
export function describeCheck(hc: HealthCheckModel): string {
  const c = hc.config;
  switch (c.type) {
    case 'CALCULATED': return `CALCULATED: at least ${healthThresholdOf(c)} of ${(c.childHealthChecks ?? []).length} children healthy${c.inverted ? ', inverted' : ''}`;
    case 'CLOUDWATCH_METRIC': return `CLOUDWATCH_METRIC alarm ${c.alarmIdentifier?.name ?? '?'} (${c.alarmIdentifier?.region ?? '?'})${c.inverted ? ', inverted' : ''}`;
    case 'RECOVERY_CONTROL': return `RECOVERY_CONTROL ${c.routingControlArn ?? ''}`;
    default: {
      const host = c.ipAddress ?? c.fullyQualifiedDomainName ?? '?';
      const port = c.port !== undefined ? `:${c.port}` : '';
      const where = c.type === 'TCP' ? `${host}${port}` : `${host}${port}${resourcePathOf(c)}`;
      const extras = [
        c.searchString !== undefined ? `searching "${c.searchString.length > 30 ? `${c.searchString.slice(0, 27)}...` : c.searchString}"` : '',
        c.fullyQualifiedDomainName !== undefined && c.ipAddress !== undefined && c.type !== 'TCP' ? `Host ${c.fullyQualifiedDomainName}` : '',
        c.inverted ? 'inverted' : '',
        c.disabled ? 'disabled' : '',
        c.measureLatency ? 'latency measured' : '',
      ].filter(Boolean);
      return `${c.type} ${where} every ${requestIntervalOf(c)} s, threshold ${failureThresholdOf(c)}${extras.length ? `, ${extras.join(', ')}` : ''}`;
    }
  }
}

/** How a member routes, in words: its location, region or CIDR location. */
function routingOf(r: RecordSetModel): string | undefined {
  const g = r.geoLocation;
  if (g) return `location ${g.countryCode === DEFAULT_GEO_LOCATION ? 'default (*)' : g.continentCode ? `continent ${g.continentCode}` : `${g.countryCode}${g.subdivisionCode ? `-${g.subdivisionCode}` : ''}`}`;
  if (r.region !== undefined) return `region ${r.region}`;
  if (r.cidrRoutingConfig) return `CIDR location ${r.cidrRoutingConfig.locationName}`;
  return undefined;
}

function aliasOf(m: GatewayMember): string | undefined {
  const a = m.record.aliasTarget;
  if (!a) return undefined;
  return `alias to ${m.target ?? `${a.dnsName} (${a.hostedZoneId ?? a.hostedZoneName ?? '?'})`}${a.evaluateTargetHealth ? ', evaluates target health' : ', does not evaluate target health'}`;
}

/** A routing tree drawn from a root gateway down to its endpoints. */
export function drawTree(g: Gateway, gateways: readonly Gateway[], checks: ReadonlyMap<string, HealthCheckModel>): string[] {
  const lines = [`${g.key}  ${g.policy}`];
  const walk = (x: Gateway, prefix: string, depth: number) => {
    x.members.forEach((m, i) => {
      const last = i === x.members.length - 1;
      const routing = routingOf(m.record);
      const check = m.healthCheck ? describeCheck(m.healthCheck) : m.externalHealthCheckId ? `external health check ${m.externalHealthCheckId}` : undefined;
      const target = m.target !== undefined ? gateways.find((y) => y.key === m.target) : undefined;
      const what = target
        ? `-> ${target.key}  ${target.policy}${m.record.aliasTarget!.evaluateTargetHealth ? '' : ', target health NOT evaluated'}`
        : m.record.aliasTarget ? `-> ${m.record.aliasTarget.dnsName} (AWS resource)` : m.record.values.join(', ');
      const parts = [m.setIdentifier || '-', routing, what, check ?? (target ? undefined : 'no health check')].filter((p): p is string => p !== undefined);
      lines.push(`${prefix}${last ? '`-' : '|-'} ${parts.join('  ')}`);
      if (target && depth < 8) walk(target, `${prefix}${last ? '   ' : '|  '}`, depth + 1);
    });
  };
  walk(g, '', 0);
  void checks;
  return lines;
}

export function gatewayReport(
  source: ArtifactSource,
  g: Gateway,
  findings: readonly LintFinding[],
  gateways: readonly Gateway[] = gatewaysOf(source.model),
  clients?: readonly ClientSpec[],
): GatewayReport {
  const checks = new Map(source.model.healthChecks.map((h) => [h.id, h]));
  return {
    gateway: g.key,
    root: g.root,
    ...(g.root && g.inTree ? { tree: drawTree(g, gateways, checks) } : {}),
    name: g.name,
    recordType: g.recordType,
    ...(g.zone !== undefined ? { zone: g.zone } : {}),
    policy: g.policy,
    ...(g.ttl !== undefined ? { ttl: g.ttl } : {}),
    members: g.members.map((m): MemberReport => {
      const routing = routingOf(m.record);
      const alias = aliasOf(m);
      return {
        setIdentifier: m.setIdentifier,
        values: [...m.record.values],
        ...(m.record.weight !== undefined ? { weight: m.record.weight } : {}),
        ...(m.record.failover !== undefined ? { failover: m.record.failover } : {}),
        ...(m.record.multiValueAnswer ? { multiValueAnswer: true } : {}),
        ...(routing ? { routing } : {}),
        ...(alias ? { alias } : {}),
        ...(m.record.healthCheckId !== undefined ? { healthCheckId: m.record.healthCheckId } : {}),
        ...(m.healthCheck ? { healthCheck: describeCheck(m.healthCheck) } : m.externalHealthCheckId ? { healthCheck: `external health check ${m.externalHealthCheckId}` } : {}),
      };
    }),
    findings: findings.filter((f) => f.gateways.includes(g.key)),
    timing: gatewayTiming(g, checks, timingContextOf(source), gateways),
    whatIf: whatIf(source.model, g, gateways, clients),
  };
}

function verdictsOf(source: ArtifactSource): ArtifactReport['verdicts'] {
  const checkers = source.bundle!.checkers.map((k) => `${k.id} (${k.region})`);
  const healthyFraction = source.bundle!.verdict?.healthyFraction ?? DEFAULT_HEALTHY_FRACTION;
  return { checkers, healthyFraction, ...checkersToFlip(checkers.length, healthyFraction) };
}

export function artifactReport(source: ArtifactSource, clients?: readonly ClientSpec[]): ArtifactReport {
  const gateways = gatewaysOf(source.model);
  const findings = lintArtifact(source, gateways);
  const checks = new Map(source.model.healthChecks.map((h) => [h.id, h]));
  const ctx = timingContextOf(source);
  return {
    target: source.target,
    file: source.file,
    name: source.name,
    ...(source.resourceCount !== undefined ? { resourceCount: source.resourceCount } : {}),
    findings: findings.filter((f) => f.gateways.length === 0),
    // The roots of routing trees (and single-level gateways) first, then the branches, each in artifact order.
    gateways: [...gateways.filter((g) => g.root), ...gateways.filter((g) => !g.root)]
      .map((g) => gatewayReport(source, g, findings, gateways, clients)),
    healthChecks: source.model.healthChecks.map((h) => checkTiming(h, checks, ctx)),
    ...(source.route53 ? { cost: costEstimate(source.model) } : {}),
    ...(source.bundle ? { verdicts: verdictsOf(source) } : {}),
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

export function verifyReport(
  location: string,
  sources: readonly ArtifactSource[] = readArtifacts(location),
  clients?: readonly ClientSpec[],
): VerifyReport {
  const artifacts = sources.map((s) => artifactReport(s, clients));
  const errors = artifacts.reduce((s, a) => s + a.errors, 0);
  const warnings = artifacts.reduce((s, a) => s + a.warnings, 0);
  return { path: location, artifacts, errors, warnings, exitCode: errors > 0 ? 1 : 0 };
}

// ---- text ----

export function formatSeconds(s: number): string {
  const v = s >= 100 ? Math.round(s) : s >= 10 ? Math.round(s * 10) / 10 : Math.round(s * 100) / 100;
  return `${v}`;
}

export function formatRange(r: TimeRange | undefined): string {
  if (!r) return '-';
  return r.typical === r.worst ? `${formatSeconds(r.typical)} s` : `${formatSeconds(r.typical)}-${formatSeconds(r.worst)} s`;
}

export const formatPercent = (p: number) => `${(p * 100).toFixed(1)} %`;
const dollars = (x: number) => `$${x.toFixed(2)}`;

/** Rows of cells as aligned columns. */
export function table(rows: ReadonlyArray<readonly string[]>, indent = '    '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => (indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).trimEnd());
}

function findingLines(findings: readonly LintFinding[], indent: string): string[] {
  return findings.map((f) => `${indent}${f.severity === 'error' ? 'ERROR  ' : 'warning'} ${f.rule}  ${f.resource}: ${f.message}`);
}

function timingLines(t: GatewayTiming): string[] {
  const out: string[] = [];
  const ttl = t.ttl !== undefined ? `TTL ${t.ttl} s` : 'no TTL';
  out.push(`  timing (ROUTE53.md §4; typical-worst, the worst allows one more probe cycle of checker skew; clients move = detection + ${ttl}):`);
  const rows: string[][] = [['member', 'refusing: detect', 'clients move', 'hanging: detect', 'clients move', 'recovery', 'clients back', '']];
  for (const m of t.members) {
    rows.push([
      m.setIdentifier,
      formatRange(m.detectRefusing),
      formatRange(m.clientsMoveRefusing),
      formatRange(m.detectHanging),
      formatRange(m.clientsMoveHanging),
      formatRange(m.recover),
      formatRange(m.clientsReturn),
      m.note ? `(${m.note})` : '',
    ]);
  }
  out.push(...table(rows));
  return out;
}

/** The final answers of a scenario in a few words: `eu-a 50 %, eu-b 50 %`, `no answer`. */
function answersCell(s: Scenario): string {
  const mark = s.lastResort ? ' *' : '';
  if (!s.answers) return `(too many to list)${mark}`;
  if (s.answers.length === 0) return 'no answer (NODATA)';
  const byLeaf = new Map<string, number>();
  for (const a of s.answers) {
    const name = a.setIdentifiers.join('+') || a.values.join('+');
    byLeaf.set(name, (byLeaf.get(name) ?? 0) + a.probability);
  }
  return [...byLeaf].map(([name, p]) => (byLeaf.size === 1 ? name : `${name} ${formatPercent(p)}`)).join(', ') + mark;
}

function clientWhatIfLines(w: WhatIf): string[] {
  const clients = w.clients!;
  const out = ['  what-if by client (final answers from the engine; * = a last resort on the way; latency by distance, an approximation of Route 53\'s measured latency):'];
  const rows: string[][] = [['scenario', ...clients.map((c) => c.client)]];
  clients[0].scenarios.forEach((s, i) => rows.push([s.label, ...clients.map((c) => answersCell(c.scenarios[i]))]));
  out.push(...table(rows));
  return out;
}

function treeWhatIfLines(w: WhatIf): string[] {
  const out = ['  what-if (final answers from the engine; * = a last resort on the way):'];
  out.push(...table([['scenario', 'answers', ''], ...w.scenarios.map((s) => [s.label, answersCell(s), s.note ? `(${s.note})` : ''])]));
  return out;
}

function whatIfLines(w: WhatIf): string[] {
  const out = ['  what-if (answer shares from the engine):'];
  const rows: string[][] = [['scenario', ...w.members]];
  for (const s of w.scenarios) {
    const flags = [s.lastResort ? 'last resort: all answered as if healthy' : '', s.note ?? ''].filter(Boolean).join('; ');
    rows.push([s.label, ...s.shares.map((x) => formatPercent(x.probability)), ...(flags ? [`(${flags})`] : [])]);
  }
  out.push(...table(rows));
  return out;
}

export function formatGateway(g: GatewayReport): string[] {
  const out: string[] = [];
  out.push(`Gateway ${g.gateway}: ${g.policy}, ${g.ttl !== undefined ? `TTL ${g.ttl} s` : 'no TTL'}${g.zone ? `, zone ${g.zone}` : ''}${g.root ? '' : ' (inside a routing tree)'}`);
  if (g.tree) {
    out.push('  tree:');
    out.push(...g.tree.map((l) => `    ${l}`));
  }
  out.push('  members:');
  out.push(...table(g.members.map((m) => [
    m.setIdentifier || '-',
    m.alias ?? m.values.join(', '),
    m.weight !== undefined ? `weight ${m.weight}` : m.failover ?? (m.multiValueAnswer ? 'multivalue' : m.routing ?? ''),
    m.healthCheck ?? (m.alias ? '' : 'no health check'),
  ])));
  if (g.findings.length === 0) {out.push('  lint: no findings');} else {
    out.push('  lint:');
    out.push(...findingLines(g.findings, '    '));
  }
  out.push(...timingLines(g.timing));
  if (g.whatIf.clients) out.push(...clientWhatIfLines(g.whatIf));
  else if (g.tree || g.members.some((m) => m.alias)) out.push(...treeWhatIfLines(g.whatIf));
  else out.push(...whatIfLines(g.whatIf));
  return out;
}

export function formatCost(c: CostEstimate): string[] {
  const out = [`Cost per month (Route 53 prices of ${c.asOf}, ${c.source}):`];
  const rows = c.healthChecks.map((h) => [
    `health check ${h.healthCheckId}`,
    `${h.type}, ${h.endpointCheck ? `${h.endpoint === 'aws' ? 'AWS' : 'non-AWS'} endpoint` : 'priced as an AWS check'}`,
    `basic ${dollars(h.basicMonthly)}${h.features.length ? ` + ${h.features.join(', ')} ${dollars(h.featuresMonthly)}` : ''}`,
    dollars(h.monthly),
  ]);
  for (const z of c.hostedZones) rows.push([`hosted zone ${z.zone}`, '', '', dollars(z.monthly)]);
  out.push(...table(rows, '  '));
  out.push(`  health checks ${dollars(c.healthChecksMonthly)}, hosted zones ${dollars(c.hostedZonesMonthly)}, total ${dollars(c.totalMonthly)} a month`);
  if (c.queryRates.some((r) => r.perMillion !== ROUTE53_PRICES.queries.standardPerMillion)) {
    out.push('  queries (per million, first billion a month, by the policy of the name asked for; not in the total):');
    out.push(...table(c.queryRates.map((r) => [r.name, r.policy, dollars(r.perMillion)]), '    '));
  }
  for (const n of c.notes) out.push(`  note: ${n}`);
  return out;
}

export function formatLive(live: LiveReport): string[] {
  const out = [`Live probe from this machine at ${live.probedAt} (one probe per check; Route 53 decides from many checkers and several probes):`];
  out.push(...table(live.checks.map((c) => [
    `health check ${c.healthCheckId}`,
    c.healthy ? 'healthy' : 'UNHEALTHY',
    `${c.reason}${c.latencyMs !== undefined ? ` (${c.latencyMs} ms${c.address ? `, ${c.address}` : ''})` : ''}`,
  ]), '  '));
  for (const g of live.gateways) {
    const shares = g.answers.shares.map((x) => `${x.setIdentifier} ${formatPercent(x.probability)}`).join(', ');
    out.push(`  ${g.gateway} would answer: ${shares}${g.answers.lastResort ? ' (last resort: no member is healthy)' : ''}`);
  }
  return out;
}

/**
 * What a drill step's engine prediction answers: the members' shares, or in a routing tree the records
 * the answers end at (a tree's members are aliases: their shares do not say which region answers).
 */
function drillAnswers(e: Scenario): string {
  const lastResort = e.lastResort ? ' (last resort)' : '';
  if (e.answers && e.answers.some((a) => a.path !== undefined)) {
    if (e.answers.length === 0) return `no answer (NODATA)${lastResort}`;
    return e.answers.map((a) => `${a.setIdentifiers.join(' + ')} ${formatPercent(a.probability)}`).join(', ') + lastResort;
  }
  return e.shares.map((x) => `${x.setIdentifier} ${formatPercent(x.probability)}`).join(', ') + lastResort;
}

export function formatDrill(d: DrillReport): string[] {
  if (d.steps.length === 0 && d.standIns.length === 0) return ['Failover drill: nothing to drill', ...d.notes.filter((n) => n !== 'nothing to drill').map((n) => `  note: ${n}`)];
  const out = [`Failover drill on loopback (DNS server ${d.dns}, ${d.checkers} checkers, intervals and timeouts / ${d.speed}; refusing stand-ins):`];
  out.push(...table(d.standIns.map((s) => [`stand-in for ${s.gateway} ${s.member}`, s.address]), '  '));
  if (d.clients && d.clients.length > 0) {
    const located = d.geoip ? `; located with ${d.geoip.description}: ${d.geoip.lookups} lookups, ${d.geoip.ms} ms to choose the subnets` : '';
    out.push(`  clients of routing trees (their queries carry the subnet in EDNS Client Subnet${located}):`);
    out.push(...table(d.clients.map((c) => [c.gateway, c.label, c.subnet, describeClient(c)]), '    '));
  }
  const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
  // A column for the client only when a gateway's answers depend on it (the seed's drill has none).
  const clients = d.steps.some((s) => s.client !== undefined);
  const clientCell = (s: DrillStep) => (s.client ? (s.client.label.includes(s.client.subnet) ? s.client.label : `${s.client.label} ${s.client.subnet}`) : '-');
  out.push(...table([
    ['gateway', ...(clients ? ['client'] : []), 'event', 'answers after (engine)', 'measured', 'predicted (min-worst, about)', ''],
    ...d.steps.map((s) => [
      s.gateway,
      ...(clients ? [clientCell(s)] : []),
      s.action,
      drillAnswers(s.expected),
      s.measuredMs !== undefined ? ms(s.measuredMs) : 'no change',
      `${ms(s.predicted.minMs)}-${ms(s.predicted.worstMs)}, about ${ms(s.predicted.typicalMs)}`,
      s.within ? 'ok' : `OUTSIDE${s.note ? ` (${s.note})` : ''}`,
    ]),
  ], '  '));
  out.push(`  tolerance ${d.toleranceMs} ms (observation ticks, pushes, evaluation); ${d.passed ? 'every step within its window' : 'SOME STEPS OUTSIDE THEIR WINDOW'}`);
  out.push(`  at full speed (x${d.speed}) the same steps take ${d.speed} times as long, plus the TTL on clients`);
  for (const n of d.notes) out.push(`  note: ${n}`);
  return out;
}

export function formatArtifact(a: ArtifactReport): string[] {
  const out: string[] = [];
  const counts = [`${a.gateways.length} gateway${a.gateways.length === 1 ? '' : 's'}`, `${a.healthChecks.length} health check${a.healthChecks.length === 1 ? '' : 's'}`];
  if (a.resourceCount !== undefined) counts.push(`${a.resourceCount} resources in the template`);
  out.push(`${TARGET_NAMES[a.target]} ${a.target === 'self-hosted' ? '' : 'stack '}${a.name} (${a.file}): ${counts.join(', ')}`);
  if (a.verdicts) {
    const v = a.verdicts;
    out.push(`  verdicts: ${v.checkers.length} checker${v.checkers.length === 1 ? '' : 's'} (${v.checkers.join(', ')}); healthy while more than ` +
      `${formatPercent(v.healthyFraction)} of them say so: a member leaves once ${v.toFail} of ${v.checkers.length} see it fail, and returns once ${v.toRecover} of ${v.checkers.length} see it recover`);
  }
  if (a.findings.length > 0) {
    out.push('  findings:');
    out.push(...findingLines(a.findings, '    '));
  }
  for (const g of a.gateways) {
    out.push('');
    out.push(...formatGateway(g));
  }
  if (a.cost) {
    out.push('');
    out.push(...formatCost(a.cost));
  } else if (a.target === 'self-hosted') {
    out.push('');
    out.push('Cost: none from Route 53 (self-hosted: runs on your own machines)');
  }
  if (a.live) {
    out.push('');
    out.push(...formatLive(a.live));
  }
  if (a.drill) {
    out.push('');
    out.push(...formatDrill(a.drill));
  }
  return out;
}

export function formatReport(r: VerifyReport): string {
  const out: string[] = [`dns-failover verify ${r.path}`];
  for (const a of r.artifacts) {
    out.push('');
    out.push(...formatArtifact(a));
  }
  out.push('');
  const drillFailed = r.artifacts.some((a) => a.drill && !a.drill.passed);
  out.push(`${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}${drillFailed ? ', drill outside its window' : ''}: exit code ${r.exitCode}`);
  return out.join('\n');
}
