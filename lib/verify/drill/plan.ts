/**
 * The drill's plan: which stand-in endpoint answers for which member, and the bundle the drill's DNS
 * node and checkers run, built from the artifact's model by the self-hosted synth's own code
 * (`bundleConfigOf`) after every endpoint check is pointed at its stand-in and scaled in time.
 *
 * What the plan changes for loopback, and says so in its notes: HTTPS checks probe plain HTTP (the
 * stand-ins have no certificate); checks keep their path, search string, threshold, inversion and
 * disabled flag; intervals and timeouts are divided by the speed (not below the checkers' 100 ms);
 * CloudWatch alarm and routing control checks cannot run, so they are left out, and a calculated
 * check that lists one (or an external check) keeps its verdict: its threshold is lowered by the
 * left-out children the engine counts as healthy, which cannot change during the drill.
 */
import { BundleConfig } from '../../bundle';
import {
  DEFAULT_HEALTHY_FRACTION,
  FailoverModel,
  failureThresholdOf,
  HealthCheckConfigModel,
  healthCheckKindOf,
  HealthCheckModel,
  healthThresholdOf,
  isHttpsCheck,
  matchesString,
  MIN_SELF_HOSTED_INTERVAL_SECONDS,
  normalizeName,
  probeDeadlinesOf,
  RecordSetModel,
  requestIntervalOf,
  resourcePathOf,
} from '../../model';
import { BundleSettings } from '../../targets/self-hosted/settings';
import { bundleConfigOf } from '../../targets/self-hosted/synth';
import { checkClosure, gatewaysOf } from '../gateways';
import { ArtifactSource } from '../source';
import { verdicts } from '../whatif';

/** The first loopback address of the stand-ins, and how many there can be (127.0.0.10 .. 127.0.0.249). */
const FIRST_STAND_IN = 10;
export const MAX_STAND_INS = 240;

export interface PlannedStandIn {
  readonly gateway: string;
  readonly member: string;
  readonly address: string;
  /** What it answers: the search strings of its checks, or `OK`. */
  readonly body: string;
  /** The endpoint checks that probe it. */
  readonly checks: readonly string[];
}

export interface DrillPlan {
  /** The bundle config the drill serves (ports of the stand-ins as planned; see {@link configWithPorts}). */
  readonly config: BundleConfig;
  /** The drill's model: scaled checks pointed at stand-ins, records placed in their zones. */
  readonly model: FailoverModel;
  /** Stand-in index per drill health check id. */
  readonly standInOf: ReadonlyMap<string, number>;
  readonly standIns: readonly PlannedStandIn[];
  readonly notes: readonly string[];
  /** The bundle config with every check pointed at its stand-in's port (index order). */
  configWithPorts(ports: readonly number[]): { config: BundleConfig; model: FailoverModel };
}

/** Seconds divided by the speed, not below the checkers' shortest (100 ms), to the millisecond. */
const scaled = (seconds: number, speed: number) => Math.max(MIN_SELF_HOSTED_INTERVAL_SECONDS, Math.round((seconds / speed) * 1000) / 1000);

/** The zone a gateway's records are served in: their zone name, else the name's parent. */
function zoneFor(records: readonly RecordSetModel[]): string {
  const named = records.find((r) => r.hostedZoneName !== undefined && !r.hostedZoneName.startsWith('${'))?.hostedZoneName;
  if (named) return normalizeName(named);
  const labels = normalizeName(records[0].name).split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : labels.join('.');
}

/** An endpoint check as the drill runs it: against its stand-in, over plain HTTP or TCP, scaled. */
function drillEndpointCheck(c: HealthCheckConfigModel, address: string, port: number, speed: number): HealthCheckConfigModel {
  const tcp = c.type === 'TCP';
  const type = tcp ? 'TCP' : matchesString(c.type) ? 'HTTP_STR_MATCH' : 'HTTP';
  const deadlines = probeDeadlinesOf(c);
  return {
    type,
    ipAddress: address,
    port,
    ...(tcp ? {} : { resourcePath: resourcePathOf(c) }),
    ...(type === 'HTTP_STR_MATCH' ? { searchString: c.searchString } : {}),
    ...(c.fullyQualifiedDomainName !== undefined && !tcp ? { fullyQualifiedDomainName: c.fullyQualifiedDomainName } : {}),
    requestInterval: scaled(requestIntervalOf(c), speed),
    failureThreshold: failureThresholdOf(c),
    connectTimeout: scaled(deadlines.connect, speed),
    ...(deadlines.status !== undefined ? { statusTimeout: scaled(deadlines.status, speed) } : {}),
    ...(deadlines.body !== undefined ? { bodyTimeout: scaled(deadlines.body, speed) } : {}),
    ...(c.inverted !== undefined ? { inverted: c.inverted } : {}),
    ...(c.disabled !== undefined ? { disabled: c.disabled } : {}),
  };
}

/** The drill's plan for an artifact, at `speed`, with `checkers` checkers. */
/** Thrown by `drillPlan` when no gateway of the artifact can be drilled; its notes say why. */
export class NothingToDrill extends Error {
  constructor(public readonly notes: readonly string[]) {
    super(`nothing to drill: ${notes.join('; ') || 'the artifact has no gateway'}`);
    this.name = 'NothingToDrill';
  }
}

export function drillPlan(source: ArtifactSource, speed: number, checkers: number): DrillPlan {
  const model = source.model;
  const notes: string[] = [];
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  const gateways = gatewaysOf(model).filter((g) => {
    if (!['A', 'AAAA', 'CNAME'].includes(g.recordType)) {
      notes.push(`${g.key}: ${g.recordType} gateways are not drilled (answers are observed for A, AAAA and CNAME)`);
      return false;
    }
    if (g.inTree || g.clientDependent) {
      notes.push(`${g.key}: routing trees (aliases, geolocation, latency, IP-based routing) are not drilled by this version; the what-if tables give their answers`);
      return false;
    }
    return true;
  });
  if (gateways.length === 0) throw new NothingToDrill(notes);

  // Stand-ins: one per member with endpoint checks, shared by the checks it answers.
  const standInOf = new Map<string, number>();
  const standIns: PlannedStandIn[] = [];
  const used = new Set<string>();
  for (const g of gateways) {
    for (const m of g.members) {
      if (m.record.healthCheckId === undefined) continue;
      const closure = checkClosure(m.record.healthCheckId, checks).filter((id) => checks.has(id));
      for (const id of closure) used.add(id);
      const endpoints = closure.filter((id) => healthCheckKindOf(checks.get(id)!.config.type) === 'endpoint' && !standInOf.has(id));
      if (endpoints.length === 0) continue;
      const index = standIns.length;
      if (index >= MAX_STAND_INS) throw new Error(`the drill has stand-ins for at most ${MAX_STAND_INS} members (127.0.0.${FIRST_STAND_IN} to 127.0.0.${FIRST_STAND_IN + MAX_STAND_INS - 1}); drill fewer gateways at a time`);
      const search = endpoints.map((id) => checks.get(id)!.config.searchString).filter((s): s is string => s !== undefined);
      standIns.push({ gateway: g.key, member: m.setIdentifier, address: `127.0.0.${FIRST_STAND_IN + index}`, body: search.length > 0 ? search.join('\n') : 'OK', checks: endpoints });
      for (const id of endpoints) standInOf.set(id, index);
    }
  }
  if ([...standInOf.keys()].some((id) => isHttpsCheck(checks.get(id)!.config.type))) {
    notes.push('HTTPS checks probe the stand-ins over plain HTTP (the stand-ins have no certificate)');
  }

  // What the drill cannot run: alarm and routing control checks. Their verdicts (and those of
  // external ids) never change during the drill, so the engine's verdict with nothing down is theirs.
  const unusable = [...used].filter((id) => {
    const kind = healthCheckKindOf(checks.get(id)!.config.type);
    return kind !== 'endpoint' && kind !== 'calculated';
  });
  for (const id of unusable) notes.push(`health check '${id}' (${checks.get(id)!.config.type}) cannot run in the drill; it is left out (its members count as healthy)`);
  const constant = verdicts(model, []);
  const calculated = new Map<string, { readonly children: string[]; readonly healthThreshold: number }>();
  for (const id of used) {
    const c = checks.get(id)!.config;
    if (healthCheckKindOf(c.type) !== 'calculated') continue;
    const children = [...new Set(c.childHealthChecks ?? [])];
    const kept = children.filter((child) => used.has(child) && !unusable.includes(child));
    const leftOutHealthy = children.filter((child) => !kept.includes(child) && constant.isHealthy(child)).length;
    const healthThreshold = Math.max(0, healthThresholdOf(c) - leftOutHealthy);
    calculated.set(id, { children: kept, healthThreshold });
    if (kept.length < children.length) {
      notes.push(`calculated health check '${id}' runs with ${kept.length} of its ${children.length} children and threshold ${healthThreshold} (was ${healthThresholdOf(c)}): the others cannot run in the drill and keep their verdicts`);
    }
  }

  const clamped = new Set<string>();
  const planned = (ports: readonly number[]): HealthCheckModel[] => {
    const healthChecks: HealthCheckModel[] = [];
    for (const hc of model.healthChecks) {
      if (!used.has(hc.id)) continue;
      const c = hc.config;
      const name = hc.name !== undefined ? { name: hc.name } : {};
      const index = standInOf.get(hc.id);
      const calc = calculated.get(hc.id);
      if (index !== undefined) {
        if (requestIntervalOf(c) / speed < MIN_SELF_HOSTED_INTERVAL_SECONDS) clamped.add(hc.id);
        healthChecks.push({ id: hc.id, ...name, config: drillEndpointCheck(c, standIns[index].address, ports[index], speed) });
      } else if (calc) {
        healthChecks.push({ id: hc.id, ...name, config: { ...c, childHealthChecks: calc.children, healthThreshold: calc.healthThreshold } });
      }
    }
    return healthChecks;
  };

  const recordSets: RecordSetModel[] = [];
  for (const g of gateways) {
    const zone = zoneFor(g.group.records);
    for (const r of g.group.records) {
      const { hostedZoneId: _id, healthCheckId, ...rest } = r;
      const kept = healthCheckId !== undefined && used.has(healthCheckId) && !unusable.includes(healthCheckId);
      recordSets.push({ ...rest, hostedZoneName: zone, ...(kept ? { healthCheckId } : {}) });
    }
  }

  const settings: BundleSettings = {
    zones: [],
    zonesGiven: false,
    dnsNodes: [{ id: 'drill', dns: '127.0.0.1:53', admin: '127.0.0.1:8053' }],
    checkers: Array.from({ length: checkers }, (_, i) => ({ id: `drill-checker-${i + 1}`, region: `drill-${i + 1}` })),
    healthyFraction: source.bundle?.verdict?.healthyFraction ?? DEFAULT_HEALTHY_FRACTION,
    freshnessMs: source.bundle?.verdict?.freshnessMs,
  };
  const configWithPorts = (ports: readonly number[]) => {
    const drillModel: FailoverModel = { healthChecks: planned(ports), recordSets };
    const built = bundleConfigOf(drillModel, settings);
    if (!built.config) throw new Error(`the drill's bundle config is invalid (a bug of the drill):\n${built.problems.join('\n')}`);
    return { config: built.config, model: { healthChecks: built.config.healthChecks, recordSets: built.config.recordSets } };
  };
  // Until the stand-ins listen, every check names port 1.
  const first = configWithPorts(standIns.map(() => 1));
  if (clamped.size > 0) notes.push(`${clamped.size} check interval(s) scaled below 100 ms were set to 100 ms, the checkers' shortest`);
  return { config: first.config, model: first.model, standInOf, standIns, notes, configWithPorts };
}
