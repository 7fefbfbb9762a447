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
 *
 * Routing trees are drilled too: an alias member with EvaluateTargetHealth fails when every stand-in
 * below it fails, and a gateway whose answers depend on the client is watched from one client subnet
 * per client area (`clients.ts`), located with the GeoIP database the drill's node reads: the bundle's
 * own when it names one that is on this machine, else the embedded one. Aliases to AWS resources
 * cannot be served by the node: their gateways (and the gateways above them) are left out.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { chooseClients, clientDeriver, DrillClient } from './clients';
import { BundleConfig } from '../../bundle';
import { GeoIpDatabase } from '../../bundle/geoip';
import {
  DEFAULT_HEALTHY_FRACTION,
  FailoverModel,
  failureThresholdOf,
  HealthCheckConfigModel,
  healthCheckKindOf,
  HealthCheckModel,
  healthThresholdOf,
  isAliasInZone,
  isHttpsCheck,
  matchesString,
  MAX_ALIAS_DEPTH,
  MIN_SELF_HOSTED_INTERVAL_SECONDS,
  normalizeName,
  probeDeadlinesOf,
  RecordSetModel,
  requestIntervalOf,
  resourcePathOf,
  zoneKeyOf,
} from '../../model';
import { BundleSettings } from '../../targets/self-hosted/settings';
import { bundleConfigOf } from '../../targets/self-hosted/synth';
import { reachable, representativeClients, treeRegions } from '../clients';
import { checkClosure, Gateway, gatewaysOf } from '../gateways';
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

/** A member the drill fails: the stand-ins whose failure takes it out (for an alias, every one below it). */
export interface PlannedMember {
  readonly member: string;
  readonly standIns: readonly number[];
}

/** The GeoIP database the drill's node reads, and what choosing the client subnets cost. */
export interface PlannedGeoIp {
  /** The database file, or the embedded database's description. */
  readonly description: string;
  /** The database lookups of the subnet choice (0 when every client area was a subnet already). */
  readonly lookups: number;
  /** How long choosing the client subnets took (ms), scans included. */
  readonly ms: number;
}

export interface DrillPlan {
  /** The bundle config the drill serves (ports of the stand-ins as planned; see {@link configWithPorts}). */
  readonly config: BundleConfig;
  /** The drill's model: scaled checks pointed at stand-ins, records placed in their zones. */
  readonly model: FailoverModel;
  /** Stand-in index per drill health check id. */
  readonly standInOf: ReadonlyMap<string, number>;
  readonly standIns: readonly PlannedStandIn[];
  /** The gateways drilled (by key, artifact order) and the members each can fail, in member order. */
  readonly gateways: ReadonlyMap<string, readonly PlannedMember[]>;
  /** The clients of the gateways whose answers depend on the client (by gateway key). */
  readonly clients: ReadonlyMap<string, readonly DrillClient[]>;
  /** The GeoIP database, when a tree needs one. */
  readonly geoip?: PlannedGeoIp;
  readonly notes: readonly string[];
  /** The bundle config with every check pointed at its stand-in's port (index order). */
  configWithPorts(ports: readonly number[]): { config: BundleConfig; model: FailoverModel };
}

/** Seconds divided by the speed, not below the checkers' shortest (100 ms), to the millisecond. */
const scaled = (seconds: number, speed: number) => Math.max(MIN_SELF_HOSTED_INTERVAL_SECONDS, Math.round((seconds / speed) * 1000) / 1000);

/**
 * The zone each record is served in, by the record's zone (`zoneKeyOf`): the zone name when a record
 * names it, else the labels all its records' names end in, else (one name only) that name's parent.
 */
function zonesOf(records: readonly RecordSetModel[]): (r: RecordSetModel) => string {
  const names = new Map<string, Set<string>>();
  const named = new Map<string, string>();
  for (const r of records) {
    const key = zoneKeyOf(r);
    if (!names.has(key)) names.set(key, new Set());
    names.get(key)!.add(normalizeName(r.name));
    if (r.hostedZoneName !== undefined && !r.hostedZoneName.startsWith('${') && !named.has(key)) named.set(key, normalizeName(r.hostedZoneName));
  }
  const zones = new Map<string, string>();
  for (const [key, set] of names) {
    const given = named.get(key);
    if (given) {
      zones.set(key, given);
      continue;
    }
    const all = [...set].map((n) => n.split('.'));
    let common = all[0];
    for (const labels of all.slice(1)) {
      let n = 0;
      while (n < common.length && n < labels.length && common[common.length - 1 - n] === labels[labels.length - 1 - n]) n++;
      common = common.slice(common.length - n);
    }
    const parent = all[0].length > 2 ? all[0].slice(1) : all[0];
    zones.set(key, all.length > 1 && common.length >= 2 ? common.join('.') : parent.join('.'));
  }
  return (r) => zones.get(zoneKeyOf(r))!;
}

/**
 * The GeoIP database the drill's node reads: the bundle's own when it names one this machine has (as
 * given, else next to the bundle config), else the embedded one (with a note saying why).
 */
function drillGeoIp(source: ArtifactSource, notes: string[]): { db: GeoIpDatabase; file?: string } {
  const file = source.bundle?.geoip?.database;
  if (file !== undefined) {
    const found = [path.resolve(file), path.resolve(path.dirname(source.file), file)].find((f) => fs.existsSync(f));
    if (found) {
      try {
        return { db: GeoIpDatabase.open(found), file: found };
      } catch (e) {
        notes.push(`${(e as Error).message}; the drill locates clients with the embedded database instead`);
      }
    } else {
      notes.push(`the bundle's GeoIP database ${file} is not on this machine; the drill locates clients with the embedded database instead`);
    }
  }
  return { db: GeoIpDatabase.embedded() };
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

/** Thrown by `drillPlan` when the artifact has nothing the drill can fail; its notes say why. */
export class NothingToDrill extends Error {
  constructor(public readonly notes: readonly string[]) {
    super(`nothing to drill: ${notes.join('; ') || 'the artifact has no gateway'}`);
    this.name = 'NothingToDrill';
  }
}

/** The drill's plan for an artifact, at `speed`, with `checkers` checkers. */
export function drillPlan(source: ArtifactSource, speed: number, checkers: number): DrillPlan {
  const model = source.model;
  const notes: string[] = [];
  const checks = new Map(model.healthChecks.map((h) => [h.id, h]));
  let gateways = gatewaysOf(model).filter((g) => {
    if (!['A', 'AAAA', 'CNAME'].includes(g.recordType)) {
      notes.push(`${g.key}: ${g.recordType} gateways are not drilled (answers are observed for A, AAAA and CNAME)`);
      return false;
    }
    const aws = g.members.find((m) => m.record.aliasTarget !== undefined && !isAliasInZone(m.record));
    if (aws) {
      notes.push(`${g.key}: its alias to the AWS resource ${aws.record.aliasTarget!.dnsName} (${aws.setIdentifier || 'no set identifier'}) cannot be served by the drill's DNS node; not drilled`);
      return false;
    }
    return true;
  });
  // A gateway whose alias points at a gateway left out cannot be served either.
  for (let changed = true; changed;) {
    changed = false;
    const kept = new Set(gateways.map((g) => g.key));
    gateways = gateways.filter((g) => {
      const lost = g.members.find((m) => m.target !== undefined && !kept.has(m.target));
      if (lost) {
        notes.push(`${g.key}: its member ${lost.setIdentifier || lost.target} is an alias to ${lost.target}, which is not drilled; not drilled`);
        changed = true;
      }
      return !lost;
    });
  }
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
  if (standIns.length === 0) {
    throw new NothingToDrill([...notes, 'no member of a gateway has an endpoint health check the drill can fail']);
  }
  const members = new Map(gateways.map((g) => [g.key, g.members
    .map((m) => ({ member: m.setIdentifier, standIns: memberStandIns(g, m.setIdentifier, gateways, standIns) }))
    .filter((m) => m.standIns.length > 0)]));
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

  // The records of the drilled gateways, and of the plain record sets their aliases point at.
  const served: RecordSetModel[] = gateways.flatMap((g) => g.group.records);
  for (let i = 0; i < served.length; i++) {
    const r = served[i];
    if (!r.aliasTarget || !isAliasInZone(r)) continue;
    const target = normalizeName(r.aliasTarget.dnsName);
    for (const t of model.recordSets) {
      if (!served.includes(t) && zoneKeyOf(t) === zoneKeyOf(r) && normalizeName(t.name) === target && t.recordType === r.recordType) served.push(t);
    }
  }
  const zoneOf = zonesOf(served);
  const recordSets: RecordSetModel[] = served.map((r) => {
    const { hostedZoneId: _id, healthCheckId, ...rest } = r;
    const kept = healthCheckId !== undefined && used.has(healthCheckId) && !unusable.includes(healthCheckId);
    const zone = zoneOf(r);
    // An alias into the record's own zone names that zone by name, as the record now does.
    const alias = r.aliasTarget && isAliasInZone(r)
      ? { aliasTarget: { dnsName: r.aliasTarget.dnsName, hostedZoneName: zone, evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth } }
      : {};
    return { ...rest, hostedZoneName: zone, ...alias, ...(kept ? { healthCheckId } : {}) };
  });
  const cidrCollections = model.cidrCollections && model.cidrCollections.length > 0 ? { cidrCollections: model.cidrCollections } : {};

  // A GeoIP database, when a tree needs a location or a position.
  const located = recordSets.some((r) => r.geoLocation !== undefined || r.region !== undefined);
  const geoip = located ? drillGeoIp(source, notes) : undefined;

  const settings: BundleSettings = {
    zones: [],
    zonesGiven: false,
    dnsNodes: [{ id: 'drill', dns: '127.0.0.1:53', admin: '127.0.0.1:8053' }],
    checkers: Array.from({ length: checkers }, (_, i) => ({ id: `drill-checker-${i + 1}`, region: `drill-${i + 1}` })),
    healthyFraction: source.bundle?.verdict?.healthyFraction ?? DEFAULT_HEALTHY_FRACTION,
    freshnessMs: source.bundle?.verdict?.freshnessMs,
    ...(geoip?.file !== undefined ? { geoipDatabase: geoip.file } : {}),
    ...(source.bundle?.regions ? { regions: source.bundle.regions } : {}),
    ...(source.bundle?.latencyMap ? { latencyMap: source.bundle.latencyMap } : {}),
  };
  const configWithPorts = (ports: readonly number[]) => {
    const drillModel: FailoverModel = { healthChecks: planned(ports), recordSets, ...cidrCollections };
    const built = bundleConfigOf(drillModel, settings);
    if (!built.config) throw new Error(`the drill's bundle config is invalid (a bug of the drill):\n${built.problems.join('\n')}`);
    return { config: built.config, model: { healthChecks: built.config.healthChecks, recordSets: built.config.recordSets, ...cidrCollections } };
  };
  // Until the stand-ins listen, every check names port 1.
  const first = configWithPorts(standIns.map(() => 1));
  if (clamped.size > 0) notes.push(`${clamped.size} check interval(s) scaled below 100 ms were set to 100 ms, the checkers' shortest`);

  // One client subnet per client area of each gateway whose answers depend on the client.
  const derive = clientDeriver(first.config, geoip?.db);
  const ownRegions = Object.fromEntries((first.config.regions ?? []).map((r) => [r.name, [r.latitude, r.longitude] as const]));
  const clients = new Map<string, readonly DrillClient[]>();
  const scans = new Map<string, number>();
  const choosing = performance.now();
  for (const g of gateways) {
    if (!g.clientDependent) continue;
    const records = reachable(g, gateways).flatMap((x) => x.members.map((m) => m.record));
    const areas = representativeClients(g, gateways, model, ownRegions);
    const choice = chooseClients(areas, records, treeRegions(g, gateways), geoip?.db, derive);
    for (const scan of choice.scans) scans.set(scan.depth, scan.lookups);
    for (const label of choice.missing) {
      notes.push(`${g.key}: no subnet of IPv4 space is ${label} in ${geoip?.db.description ?? 'the GeoIP database'}; that client is left out of the drill`);
    }
    if (choice.clients.length === 0) notes.push(`${g.key}: no client subnet could be chosen for it; its answers are not watched`);
    clients.set(g.key, choice.clients);
  }
  const lookups = [...scans.values()].reduce((a, b) => a + b, 0);
  const ms = Math.round(performance.now() - choosing);
  return {
    config: first.config,
    model: first.model,
    standInOf,
    standIns,
    gateways: members,
    clients,
    ...(geoip ? { geoip: { description: geoip.db.description, lookups, ms } } : {}),
    notes,
    configWithPorts,
  };
}

/**
 * The stand-ins whose failure takes a member out: its own, and for an alias with EvaluateTargetHealth,
 * every stand-in below it (the branch leaves when nothing in it is healthy).
 */
function memberStandIns(g: Gateway, member: string, gateways: readonly Gateway[], standIns: readonly PlannedStandIn[], depth = 0): number[] {
  const out = new Set<number>();
  standIns.forEach((s, i) => {
    if (s.gateway === g.key && s.member === member) out.add(i);
  });
  const m = g.members.find((x) => x.setIdentifier === member);
  const target = m?.target !== undefined && m.record.aliasTarget?.evaluateTargetHealth && depth < MAX_ALIAS_DEPTH
    ? gateways.find((x) => x.key === m.target)
    : undefined;
  for (const x of target?.members ?? []) for (const i of memberStandIns(target!, x.setIdentifier, gateways, standIns, depth + 1)) out.add(i);
  return [...out].sort((a, b) => a - b);
}
